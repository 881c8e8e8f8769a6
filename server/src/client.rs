//! Who a request comes from. The client is the TCP peer; with
//! `FLUXPLAY_TRUSTED_PROXIES=N` it is the entry the N-th proxy from us appended
//! to `X-Forwarded-For` (counted from the right, so entries a client sends
//! itself are ignored). An entry there that is not a plain IP address, or fewer
//! entries than proxies, is refused: never replaced by the proxy's own address,
//! which would make every stranger look like loopback.
//!
//! Limits key a client by its address, and an IPv6 client by its /64: one
//! subscriber usually holds a whole /64 and could otherwise rotate addresses.

use axum::extract::ConnectInfo;
use axum::http::Request;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// How the client is found, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp {
    pub trusted_proxies: usize,
}

/// The forwarded-for chain cannot name the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unidentified {
    #[error("X-Forwarded-For holds `{0}`, which is not a plain IP address")]
    NotAnAddress(String),
    #[error("X-Forwarded-For has {found} entries; the {proxies} trusted proxies should have added at least that many")]
    TooFew { found: usize, proxies: usize },
}

impl ClientIp {
    pub fn of<T>(&self, req: &Request<T>) -> Result<IpAddr, Unidentified> {
        // Without connection info (`oneshot` tests) every request shares one address.
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| addr.ip());
        if self.trusted_proxies == 0 {
            return Ok(peer);
        }
        let hops: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| v.to_str().unwrap_or("\u{fffd}"))
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        // Each trusted proxy appended the address it saw; ours are the last N.
        let Some(index) = hops.len().checked_sub(self.trusted_proxies) else {
            return Err(Unidentified::TooFew { found: hops.len(), proxies: self.trusted_proxies });
        };
        // Every entry our proxies wrote must be an address, not only the one we use.
        for hop in &hops[index..] {
            hop.parse::<IpAddr>().map_err(|_| Unidentified::NotAnAddress(printable(hop)))?;
        }
        Ok(hops[index].parse().expect("checked above"))
    }
}

/// At most 64 printable characters of what the client sent, for the message.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// What limits count by: an IPv4 address, or an IPv6 address's /64 (a v4-mapped
/// IPv6 address is its IPv4 address).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

/// The client of a request, as `identify` found it; what the rate limit and the emulator gate read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client(pub IpAddr);

/// Finds the client of every request, or refuses it with 400 naming the header.
pub async fn identify(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match (ClientIp { trusted_proxies: state.limits().site.trusted_proxies }).of(&req) {
        Ok(ip) => {
            req.extensions_mut().insert(Client(ip));
            next.run(req).await
        }
        Err(why) => crate::error::Error::BadRequest(format!("{why}.")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, xff: &[&str]) -> Request<()> {
        let mut req = Request::new(());
        req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        for v in xff {
            req.headers_mut().append("x-forwarded-for", v.parse().unwrap());
        }
        req
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let direct = ClientIp { trusted_proxies: 0 };
        assert_eq!(direct.of(&request("10.0.0.9:5000", &["1.2.3.4"])), Ok(ip("10.0.0.9")));
        let one = ClientIp { trusted_proxies: 1 };
        // A client-sent entry is to the left of what our proxy appended.
        assert_eq!(one.of(&request("127.0.0.1:5000", &["6.6.6.6, 203.0.113.7"])), Ok(ip("203.0.113.7")));
        assert_eq!(one.of(&request("127.0.0.1:5000", &["6.6.6.6", "203.0.113.7"])), Ok(ip("203.0.113.7")));
        assert_eq!(one.of(&request("127.0.0.1:5000", &["junk, 2001:db8::1"])), Ok(ip("2001:db8::1")));
        let two = ClientIp { trusted_proxies: 2 };
        assert_eq!(two.of(&request("127.0.0.1:5000", &["6.6.6.6, 203.0.113.7, 10.0.0.2"])), Ok(ip("203.0.113.7")));
    }

    #[test]
    fn what_is_not_a_plain_address_is_refused_not_replaced_by_the_proxy() {
        let one = ClientIp { trusted_proxies: 1 };
        for bad in ["junk", "127.0.0.1:80", "[::1]", "unknown", "1.2.3.4 5.6.7.8", "", "_hidden", "0x7f.1"] {
            let got = one.of(&request("127.0.0.1:5000", &[bad]));
            assert!(matches!(got, Err(Unidentified::NotAnAddress(_))), "{bad:?}: {got:?}");
        }
        assert_eq!(
            one.of(&request("127.0.0.1:5000", &[])),
            Err(Unidentified::TooFew { found: 0, proxies: 1 }),
            "no entry: the proxy was bypassed or misconfigured"
        );
        let two = ClientIp { trusted_proxies: 2 };
        assert!(two.of(&request("127.0.0.1:5000", &["203.0.113.7"])).is_err());
        assert!(two.of(&request("127.0.0.1:5000", &["203.0.113.7, localhost"])).is_err(), "proxy 2's entry too");
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(limit_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")), limit_key(ip("2001:db8:1:2::7")));
        assert_ne!(limit_key(ip("2001:db8:1:3::1")), limit_key(ip("2001:db8:1:2::1")));
        assert_eq!(limit_key(ip("::ffff:203.0.113.9")), ip("203.0.113.9"));
        assert_eq!(limit_key(ip("203.0.113.9")), ip("203.0.113.9"));
    }
}
