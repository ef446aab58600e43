//! Any text given as a colour: no panic, and an accepted colour reads back the same.
#![no_main]

use app::domain::Colour;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Ok(colour) = Colour::parse(input) {
        let again = Colour::parse(colour.as_css()).expect("an accepted colour's CSS parses");
        assert_eq!(again.rgba(), colour.rgba());
        assert_eq!(colour.hex_rgb().len(), 7);
        assert!((0.0..=1.0).contains(&colour.opacity()));
    }
});
