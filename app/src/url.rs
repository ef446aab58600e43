//! Building URLs on the pages and the server alike.

/// `value` percent-encoded for a URL's query string (everything but unreserved characters).
pub fn query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::query_value;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(query_value("a+b@example.com"), "a%2Bb%40example.com");
        assert_eq!(query_value("x y&z=é"), "x%20y%26z%3D%C3%A9");
    }
}
