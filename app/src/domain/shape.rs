//! The five shapes the artist can draw.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A shape from the catalogue. The wire name is snake_case (`tiled_lines`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    Square,
    Circle,
    HypnoticSquares,
    TiledLines,
    Voronoi,
}

/// Why a shape name was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a shape: choose one of square, circle, hypnotic squares, tiled lines, voronoi")]
pub struct UnknownShape(pub String);

impl Shape {
    /// Every shape, in catalogue order.
    pub const ALL: [Shape; 5] =
        [Shape::Square, Shape::Circle, Shape::HypnoticSquares, Shape::TiledLines, Shape::Voronoi];

    /// The wire and database name, e.g. `tiled_lines`.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Square => "square",
            Shape::Circle => "circle",
            Shape::HypnoticSquares => "hypnotic_squares",
            Shape::TiledLines => "tiled_lines",
            Shape::Voronoi => "voronoi",
        }
    }

    /// A name for people, e.g. `Tiled lines`.
    pub fn display_name(self) -> &'static str {
        match self {
            Shape::Square => "Square",
            Shape::Circle => "Circle",
            Shape::HypnoticSquares => "Hypnotic squares",
            Shape::TiledLines => "Tiled lines",
            Shape::Voronoi => "Voronoi",
        }
    }

    /// Parses a shape name ignoring case; spaces, hyphens and underscores are interchangeable
    /// (`tiled lines`, `Tiled-Lines` and `tiled_lines` are the same shape).
    pub fn parse(input: &str) -> Result<Self, UnknownShape> {
        let normalised: String = input
            .trim()
            .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join("_")
            .to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|shape| shape.name() == normalised)
            .ok_or_else(|| UnknownShape(input.trim().chars().take(64).collect()))
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Shape {
    type Err = UnknownShape;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_in_any_case_and_spelling() {
        let cases = [
            ("square", Shape::Square),
            ("CIRCLE", Shape::Circle),
            ("hypnotic squares", Shape::HypnoticSquares),
            ("Hypnotic_Squares", Shape::HypnoticSquares),
            ("tiled lines", Shape::TiledLines),
            ("tiled-lines", Shape::TiledLines),
            ("  Tiled   Lines ", Shape::TiledLines),
            ("voronoi", Shape::Voronoi),
        ];
        for (text, shape) in cases {
            assert_eq!(Shape::parse(text), Ok(shape), "{text}");
        }
    }

    #[test]
    fn refuses_unknown_names_and_lists_the_accepted_ones() {
        for text in ["", "triangle", "squares", "tiledlines", "circle!"] {
            let error = Shape::parse(text).err();
            assert!(error.is_some(), "{text:?} should be refused");
            let message = error.map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains("hypnotic squares"), "{message}");
        }
    }

    #[test]
    fn every_name_round_trips() {
        for shape in Shape::ALL {
            assert_eq!(Shape::parse(shape.name()), Ok(shape));
            assert_eq!(Shape::parse(shape.display_name()), Ok(shape));
        }
    }
}
