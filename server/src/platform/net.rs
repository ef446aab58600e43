//! The client's address behind trusted proxies.
//!
//! Only when the peer that connected is one of the trusted proxies (`LTD_TRUSTED_PROXIES`)
//! is a forwarding header believed: the client is the right-most address in
//! `X-Forwarded-For` (or, without it, in `Forwarded`'s `for=`) that is not itself a trusted
//! proxy. Everything left of it could have been written by the client and is ignored.

use http::{HeaderMap, header::FORWARDED};
use std::net::IpAddr;

/// An address range such as `10.0.0.0/8` or `fd00::/8`; a bare address is a range of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `address[/prefix]`, naming what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr =
            address.parse().map_err(|_| format!("{text:?} is not an address or CIDR range"))?;
        let longest = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= longest)
                .ok_or_else(|| format!("{text:?}: the prefix length must be 0 to {longest}"))?,
            None => longest,
        };
        Ok(Cidr { network, prefix })
    }

    /// For clap: a value of `LTD_TRUSTED_PROXIES`.
    pub fn parse_arg(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_matches(u128::from(u32::from(net)) << 96, u128::from(u32::from(ip)) << 96, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_matches(u128::from(net), u128::from(ip), self.prefix),
            _ => false,
        }
    }
}

fn prefix_matches(network: u128, ip: u128, prefix: u8) -> bool {
    let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(prefix)) };
    network & mask == ip & mask
}

/// The client of a request that came from `peer`, given the proxies that are trusted.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|cidr| cidr.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops = forwarded_for(headers);
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A hop that is not an address (`unknown`, garbage) ends the trail: what is left of
        // it cannot be told from what the client wrote.
        let Some(hop) = hop else { break };
        client = *hop;
        if !is_trusted(*hop) {
            break;
        }
    }
    client
}

/// The addresses a request was forwarded for, left (first) to right (nearest); `None` for
/// an entry that is not an address.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let joined =
        |name| headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",");
    let xff = joined("x-forwarded-for");
    if !xff.trim().is_empty() {
        return xff.split(',').map(|hop| parse_hop(hop.trim())).collect();
    }
    joined(FORWARDED.as_str())
        .split(',')
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.trim().eq_ignore_ascii_case("for").then(|| parse_hop(value.trim().trim_matches('"')))
            })
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    hop.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn ranges_parse_and_contain() {
        let lan = Cidr::parse("10.0.0.0/8").expect("valid");
        assert!(lan.contains(ip("10.2.3.4")));
        assert!(lan.contains(ip("::ffff:10.2.3.4")));
        assert!(!lan.contains(ip("11.0.0.1")));
        let one = Cidr::parse("127.0.0.1").expect("valid");
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6 = Cidr::parse("fd00::/8").expect("valid");
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!(Cidr::parse("0.0.0.0/0").expect("valid").contains(ip("8.8.8.8")));
        for bad in ["", "10.0.0.0/33", "nonsense", "::/129", "10.0.0.0/x"] {
            assert!(Cidr::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn headers_are_ignored_unless_the_peer_is_trusted() {
        let forged = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(client_ip(ip("203.0.113.9"), &forged, &[]), ip("203.0.113.9"));
        let trusted = [Cidr::parse("10.0.0.0/8").expect("valid")];
        assert_eq!(client_ip(ip("203.0.113.9"), &forged, &trusted), ip("203.0.113.9"));
        assert_eq!(client_ip(ip("10.0.0.2"), &forged, &trusted), ip("1.2.3.4"));
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = [Cidr::parse("10.0.0.0/8").expect("valid")];
        // The client wrote "6.6.6.6" itself; the proxies appended the rest.
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7"), ("x-forwarded-for", "10.1.1.1")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &chain, &trusted), ip("198.51.100.7"));
        let all_trusted = headers(&[("x-forwarded-for", "10.9.9.9, 10.1.1.1")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &all_trusted, &trusted), ip("10.9.9.9"));
        let garbage = headers(&[("x-forwarded-for", "6.6.6.6, unknown, 10.1.1.1")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &garbage, &trusted), ip("10.1.1.1"));
        let none = HeaderMap::new();
        assert_eq!(client_ip(ip("10.0.0.2"), &none, &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn forwarded_is_read_without_x_forwarded_for() {
        let trusted = [Cidr::parse("10.0.0.0/8").expect("valid")];
        let forwarded = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https, for=10.1.1.1:80;by=10.0.0.2",
        )]);
        assert_eq!(client_ip(ip("10.0.0.2"), &forwarded, &trusted), ip("2001:db8::1"));
    }
}
