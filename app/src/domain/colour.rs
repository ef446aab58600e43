//! CSS colours (CSS Color 4): the 148 names, `transparent`, hex notations, `rgb()`, `hsl()`,
//! `hwb()`, `lab()`, `lch()`, `oklab()` and `oklch()`; the browser and the server parse alike.
//!
//! The code says `colour`; `color` stays only where it is a name others read: the API's and
//! the order form's field, the `orders.color` column and the `draw --color` option.

use super::colour_names::NAMED_COLOURS;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

/// Longest colour text we look at; anything longer is refused before parsing.
const MAX_LEN: usize = 64;

/// What is accepted, for error messages and help texts.
pub const ACCEPTED_COLOURS: &str = "a CSS colour name (e.g. rebeccapurple), #rgb, #rrggbb, \
     #rrggbbaa, rgb(), hsl(), hwb(), lab(), lch(), oklab() or oklch()";

/// A parsed CSS colour, keeping the (trimmed, lower-cased) text it came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Colour {
    css: String,
    rgba: [u8; 4],
}

/// Why a colour was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ColourError {
    #[error("enter a colour: {ACCEPTED_COLOURS}")]
    Empty,
    #[error("colour is too long (at most {MAX_LEN} characters)")]
    TooLong,
    #[error("'{0}' is not a colour: use {ACCEPTED_COLOURS}")]
    Unknown(String),
}

impl Colour {
    /// Parses any accepted notation, ignoring case and surrounding white space.
    pub fn parse(input: &str) -> Result<Self, ColourError> {
        let css = input.trim().to_ascii_lowercase();
        if css.is_empty() {
            return Err(ColourError::Empty);
        }
        if css.len() > MAX_LEN {
            return Err(ColourError::TooLong);
        }
        let rgba = parse_rgba(&css).ok_or_else(|| ColourError::Unknown(input.trim().to_owned()))?;
        Ok(Self { css, rgba })
    }

    /// The colour as the user wrote it, trimmed and lower-cased.
    pub fn as_css(&self) -> &str {
        &self.css
    }

    /// Red, green, blue and alpha, 0–255 each.
    pub fn rgba(&self) -> [u8; 4] {
        self.rgba
    }

    /// `#rrggbb`, without alpha: for SVG `fill`/`stroke` attributes.
    pub fn hex_rgb(&self) -> String {
        let [r, g, b, _] = self.rgba;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// `#rrggbbaa`: one spelling per colour, whatever notation it was typed in.
    pub fn hex_rgba(&self) -> String {
        let [r, g, b, a] = self.rgba;
        format!("#{r:02x}{g:02x}{b:02x}{a:02x}")
    }

    /// Alpha as 0.0–1.0, for SVG opacity attributes.
    pub fn opacity(&self) -> f32 {
        f32::from(self.rgba[3]) / 255.0
    }

    /// The names of all CSS named colours, for suggestions in forms.
    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMED_COLOURS.iter().map(|(name, _)| *name)
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.css)
    }
}

impl FromStr for Colour {
    type Err = ColourError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Colour {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.css)
    }
}

impl<'de> Deserialize<'de> for Colour {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The named colours from this crate's table (the suggestions list the same names); every
/// other notation through `csscolorparser`, which implements CSS Color 4: hex, `rgb()`,
/// `hsl()`, `hwb()`, `lab()`, `lch()`, `oklab()`, `oklch()`, `transparent`. Channels out of
/// range are clamped, as CSS does.
fn parse_rgba(css: &str) -> Option<[u8; 4]> {
    if let Ok(index) = NAMED_COLOURS.binary_search_by(|(name, _)| (*name).cmp(css)) {
        let [_, r, g, b] = NAMED_COLOURS[index].1.to_be_bytes();
        return Some([r, g, b, 255]);
    }
    let colour = csscolorparser::parse(css).ok()?;
    let channels = [colour.r, colour.g, colour.b, colour.a];
    channels.iter().all(|c| c.is_finite()).then(|| colour.to_rgba8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_notation_and_gives_its_rgba() {
        let cases: &[(&str, [u8; 4])] = &[
            ("rebeccapurple", [0x66, 0x33, 0x99, 255]),
            ("RebeccaPurple", [0x66, 0x33, 0x99, 255]),
            ("  indigo ", [0x4b, 0x00, 0x82, 255]),
            ("aliceblue", [0xf0, 0xf8, 0xff, 255]),
            ("yellowgreen", [0x9a, 0xcd, 0x32, 255]),
            ("#f00", [255, 0, 0, 255]),
            ("#F00", [255, 0, 0, 255]),
            ("#f008", [255, 0, 0, 0x88]),
            ("#663399", [0x66, 0x33, 0x99, 255]),
            ("#66339980", [0x66, 0x33, 0x99, 0x80]),
            ("rgb(1, 2, 3)", [1, 2, 3, 255]),
            ("rgb(1 2 3)", [1, 2, 3, 255]),
            ("RGB(100%, 0%, 50%)", [255, 0, 128, 255]),
            ("rgba(10, 20, 30, 0.5)", [10, 20, 30, 128]),
            ("rgba(10 20 30 / 50%)", [10, 20, 30, 128]),
            ("rgb(10 20 30 / 0)", [10, 20, 30, 0]),
            ("hsl(0, 100%, 50%)", [255, 0, 0, 255]),
            ("hsl(120deg 100% 25%)", [0, 128, 0, 255]),
            ("hsl(240, 100%, 50%)", [0, 0, 255, 255]),
            ("hsl(-120, 100%, 50%)", [0, 0, 255, 255]),
            ("hsla(270, 50%, 40%, 0.25)", [102, 51, 153, 64]),
            ("hsl(0, 0%, 100%)", [255, 255, 255, 255]),
            ("transparent", [0, 0, 0, 0]),
            ("hwb(0 0% 0%)", [255, 0, 0, 255]),
            ("hwb(240 0% 0% / 0.5)", [0, 0, 255, 128]),
            ("lab(0% 0 0)", [0, 0, 0, 255]),
            ("lab(100% 0 0)", [255, 255, 255, 255]),
            ("oklch(62.8% 0.2577 29.23)", [255, 0, 0, 255]),
            ("oklab(100% 0 0)", [255, 255, 255, 255]),
            ("lch(50% 0 0)", [119, 119, 119, 255]),
            // Out of range is clamped, as CSS Color 4 says.
            ("rgb(300, 0, 0)", [255, 0, 0, 255]),
        ];
        for (text, rgba) in cases {
            let colour = Colour::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(colour.rgba(), *rgba, "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_colour() {
        let refused = [
            "",
            "   ",
            "notacolour",
            "#",
            "#12",
            "#12345",
            "#1234567",
            "#ggg",
            "#+1f",
            "rgb(1, 2)",
            "rgb(1, 2, 3, 4, 5)",
            "rgb(1, 2, 3",
            "rgb(a, b, c)",
            "rgb(NaN, 0, 0)",
            "rgb(inf, 0, 0)",
            "hsl(x, 10%, 10%)",
            "red blue",
            "purple;",
        ];
        for text in refused {
            assert!(Colour::parse(text).is_err(), "{text:?} should be refused");
        }
        assert_eq!(Colour::parse(&"a".repeat(65)), Err(ColourError::TooLong));
    }

    #[test]
    fn knows_all_148_names_in_sorted_order() {
        assert_eq!(Colour::names().count(), 148);
        assert!(NAMED_COLOURS.windows(2).all(|w| w[0].0 < w[1].0));
        for name in Colour::names() {
            assert!(Colour::parse(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn error_message_says_what_is_accepted() {
        let message = Colour::parse("blurple").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("'blurple'"), "{message}");
        assert!(message.contains("#rrggbb") && message.contains("oklch()"), "{message}");
    }

    #[test]
    fn keeps_the_text_trimmed_and_lower_cased() {
        let colour = Colour::parse("  RebeccaPurple ").ok();
        assert_eq!(colour.as_ref().map(Colour::as_css), Some("rebeccapurple"));
        assert_eq!(colour.map(|c| c.hex_rgb()).as_deref(), Some("#663399"));
    }
}
