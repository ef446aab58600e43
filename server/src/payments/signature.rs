//! The `Stripe-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...]`.
//!
//! The signed payload is `"{t}.{raw body}"`, keyed with the whole endpoint secret
//! (`whsec_...`). Several `v1` values may come at once while a secret is being rolled, and
//! several secrets may be configured: one match of any pair is enough.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How far the timestamp may be from now, in seconds (Stripe's default).
pub const TOLERANCE_SECS: i64 = 300;

/// The longest header taken: a timestamp and a few signatures fit many times over.
pub const MAX_HEADER_LEN: usize = 2048;

/// The most `v1` signatures one header may carry (Stripe sends one, two while a secret is
/// rolled).
pub const MAX_SIGNATURES: usize = 5;

/// The most endpoint secrets the webhook checks (settings refuse more).
pub const MAX_SECRETS: usize = 4;

/// Why a signature was refused; each reads as a message for the sender.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed: {0}")]
    Malformed(&'static str),
    #[error("the Stripe-Signature timestamp is outside the tolerance of {TOLERANCE_SECS} s")]
    Stale,
    #[error("no v1 signature matches")]
    Mismatch,
}

/// A parsed header: its timestamp and every `v1` signature (32 bytes each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp: i64,
    pub v1: Vec<[u8; 32]>,
}

impl SignatureHeader {
    /// Parses the header. Unknown schemes (`v0`, future ones) are skipped, as Stripe's
    /// libraries do; a `v1` value that is not 64 hex digits makes the header malformed.
    pub fn parse(header: &str) -> Result<Self, SignatureError> {
        if header.len() > MAX_HEADER_LEN {
            return Err(SignatureError::Malformed("the header is too long"));
        }
        let mut timestamp = None;
        let mut v1 = Vec::new();
        for item in header.split(',') {
            let (key, value) =
                item.trim().split_once('=').ok_or(SignatureError::Malformed("expected key=value"))?;
            match key {
                "t" => {
                    if timestamp.is_some() {
                        return Err(SignatureError::Malformed("more than one timestamp"));
                    }
                    let seconds = value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed("the timestamp is not a number"))?;
                    timestamp = Some(seconds);
                }
                "v1" => {
                    if v1.len() == MAX_SIGNATURES {
                        return Err(SignatureError::Malformed("too many v1 signatures"));
                    }
                    let mut signature = [0_u8; 32];
                    hex::decode_to_slice(value, &mut signature)
                        .map_err(|_| SignatureError::Malformed("a v1 signature is not 64 hex digits"))?;
                    v1.push(signature);
                }
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::Malformed("no timestamp"))?;
        if v1.is_empty() {
            return Err(SignatureError::Malformed("no v1 signature"));
        }
        Ok(Self { timestamp, v1 })
    }
}

/// Checks `header` against the raw `payload` with any of `secrets`, at time `now`.
pub fn verify(
    payload: &[u8],
    header: Option<&str>,
    secrets: &[String],
    now: i64,
) -> Result<(), SignatureError> {
    let header = SignatureHeader::parse(header.ok_or(SignatureError::Missing)?)?;
    if now.abs_diff(header.timestamp) > TOLERANCE_SECS.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    // The body is hashed once per secret; each signature is compared (in constant time) with
    // a copy of that state.
    let matches = secrets.iter().take(MAX_SECRETS).any(|secret| {
        let signed = mac(secret, header.timestamp, payload);
        header.v1.iter().any(|signature| signed.clone().verify_slice(signature).is_ok())
    });
    if matches { Ok(()) } else { Err(SignatureError::Mismatch) }
}

/// The header Stripe would send for `payload` signed with `secret` at `timestamp`.
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let signature = mac(secret, timestamp, payload).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(signature))
}

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; this cannot fail.
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!("any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const NOW: i64 = 1_790_000_000;

    fn secrets() -> Vec<String> {
        vec![SECRET.to_owned()]
    }

    #[test]
    fn a_header_with_too_many_signatures_or_too_long_is_refused_before_any_mac() {
        let one = format!(",v1={}", "ab".repeat(32));
        let six = format!("t={NOW}{}", one.repeat(MAX_SIGNATURES + 1));
        assert_eq!(SignatureHeader::parse(&six), Err(SignatureError::Malformed("too many v1 signatures")));
        let five = format!("t={NOW}{}", one.repeat(MAX_SIGNATURES));
        assert_eq!(SignatureHeader::parse(&five).map(|h| h.v1.len()), Ok(MAX_SIGNATURES));
        let long = format!("t={NOW},v0={}", "a".repeat(MAX_HEADER_LEN));
        assert_eq!(SignatureHeader::parse(&long), Err(SignatureError::Malformed("the header is too long")));
    }

    #[test]
    fn a_signature_made_with_the_secret_verifies() {
        let header = sign(b"{}", SECRET, NOW);
        assert_eq!(verify(b"{}", Some(&header), &secrets(), NOW + 10), Ok(()));
    }

    #[test]
    fn matches_the_reference_hmac() {
        // HMAC-SHA256("whsec_test_secret", "1790000000.{}"), computed independently with openssl.
        assert_eq!(
            sign(b"{}", SECRET, NOW),
            "t=1790000000,v1=1b80a4caddd71039bba323a0d18518a16f0f38a4a10c2deed56c9fe8f40a3d90"
        );
    }

    #[test]
    fn tampering_a_wrong_secret_or_a_stale_time_is_refused() {
        let header = sign(b"{\"a\":1}", SECRET, NOW);
        assert_eq!(verify(b"{\"a\":2}", Some(&header), &secrets(), NOW), Err(SignatureError::Mismatch));
        assert_eq!(
            verify(b"{\"a\":1}", Some(&header), &["whsec_other".to_owned()], NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify(b"{\"a\":1}", Some(&header), &secrets(), NOW + 301), Err(SignatureError::Stale));
        assert_eq!(verify(b"{\"a\":1}", Some(&header), &secrets(), NOW - 301), Err(SignatureError::Stale));
        assert_eq!(verify(b"{\"a\":1}", None, &secrets(), NOW), Err(SignatureError::Missing));
    }

    #[test]
    fn any_v1_and_any_secret_may_match() {
        let good = sign(b"body", SECRET, NOW);
        let bad = sign(b"body", "whsec_old", NOW);
        let both = format!("{bad},v0=abc,{}", good.split_once(',').map(|(_, v1)| v1).unwrap_or_default());
        assert_eq!(verify(b"body", Some(&both), &secrets(), NOW), Ok(()));
        let rotated = vec!["whsec_new".to_owned(), SECRET.to_owned()];
        assert_eq!(verify(b"body", Some(&good), &rotated, NOW), Ok(()));
    }

    #[test]
    fn malformed_headers_are_named() {
        for header in ["", "t=1", "v1=00", "t=x,v1=00", "t=1,v1=zz", "t=1,t=2,v1=00", "garbage"] {
            assert!(
                matches!(SignatureHeader::parse(header), Err(SignatureError::Malformed(_))),
                "{header:?} should be malformed"
            );
        }
    }
}
