//! Any `Stripe-Signature` header: parsing never panics, a forged one never verifies, and
//! the header Stripe would send for the same payload always does.
#![no_main]

#[path = "../../src/payments/signature.rs"]
#[allow(dead_code, reason = "the module as the server compiles it; not every item is used here")]
mod signature;

use libfuzzer_sys::fuzz_target;
use signature::{SignatureHeader, sign, verify};

const SECRET: &str = "whsec_fuzz";
const NOW: i64 = 1_700_000_000;

fuzz_target!(|input: (&str, &[u8])| {
    let (header, payload) = input;
    let parsed = SignatureHeader::parse(header);
    if let Ok(parsed) = &parsed {
        assert!(!parsed.v1.is_empty());
    }
    let genuine = sign(payload, SECRET, NOW);
    if header != genuine && !header.contains(genuine.split(",v1=").nth(1).unwrap_or("-")) {
        assert!(verify(payload, Some(header), &[SECRET.to_owned()], NOW).is_err(), "{header}");
    }
    assert_eq!(verify(payload, Some(&genuine), &[SECRET.to_owned()], NOW), Ok(()));
});
