//! Fetching a URL someone else chose (a reference image's URL, an image URL a
//! provider returned) without letting it reach this machine or its network:
//! https only, no IP literals, no credentials in the URL, every resolved
//! address checked at connect time (so DNS rebinding gains nothing), every
//! redirect hop checked again, the size capped while streaming.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

const MAX_REDIRECTS: usize = 5;

/// Why a URL was not fetched; the text is shown to the person who gave it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refused {
    #[error("is not a URL")]
    NotUrl,
    #[error("uses `{0}:`; only https URLs are fetched")]
    Scheme(String),
    #[error("carries a user name or password")]
    Credentials,
    #[error("names an IP address; only host names are fetched")]
    IpLiteral,
    #[error("points to a private or local address")]
    Private,
    #[error("redirects more than {MAX_REDIRECTS} times")]
    Redirects,
    #[error("redirects without saying where")]
    BadRedirect,
    #[error("answered with status {0}")]
    Status(u16),
    #[error("is larger than {0} bytes")]
    TooLarge(usize),
    #[error("did not answer in time")]
    Timeout,
    #[error("could not be reached")]
    Unreachable,
}

/// Which addresses count as public. Tests add loopback addresses of their own.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub allow_http: bool,
    pub also_allowed: Vec<IpAddr>,
}

impl Policy {
    pub fn allows(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.also_allowed.contains(&ip)
    }
}

type LookupFuture = Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;
/// Name resolution, replaceable so tests can answer with any address.
pub type Lookup = Arc<dyn Fn(String) -> LookupFuture + Send + Sync>;

/// The system resolver.
pub fn system_lookup() -> Lookup {
    Arc::new(|name: String| {
        Box::pin(async move { Ok(tokio::net::lookup_host((name, 0)).await?.map(|a| a.ip()).collect()) })
    })
}

#[derive(Clone)]
pub struct SafeFetch {
    client: reqwest::Client,
    policy: Arc<Policy>,
    max_bytes: usize,
}

struct PublicOnly {
    lookup: Lookup,
    policy: Arc<Policy>,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let (lookup, policy) = (self.lookup.clone(), self.policy.clone());
        Box::pin(async move {
            let all = lookup(name.as_str().to_owned()).await?;
            let public: Vec<SocketAddr> =
                all.iter().copied().filter(|ip| policy.allows(*ip)).map(|ip| SocketAddr::new(ip, 0)).collect();
            if public.is_empty() {
                tracing::warn!(host = name.as_str(), addresses = ?all, "refused a fetch to a non-public address");
                return Err(Box::new(Refused::Private) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

impl SafeFetch {
    pub fn new(policy: Policy, lookup: Lookup, timeout: Duration, max_bytes: usize) -> reqwest::Result<Self> {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(PublicOnly { lookup, policy: policy.clone() }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_max_idle_per_host(0)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .read_timeout(timeout)
            .timeout(timeout)
            .user_agent("fluxplay")
            .build()?;
        Ok(Self { client, policy, max_bytes })
    }

    /// The URL as we would fetch it, or why not.
    pub fn check(&self, raw: &str) -> Result<Url, Refused> {
        let url = Url::parse(raw).map_err(|_| Refused::NotUrl)?;
        match url.scheme() {
            "https" => {}
            "http" if self.policy.allow_http => {}
            other => return Err(Refused::Scheme(other.to_owned())),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refused::Credentials);
        }
        let host = url.host_str().ok_or(Refused::NotUrl)?;
        // The resolver is not consulted for IP literals, so they are refused here.
        if host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok() {
            return Err(Refused::IpLiteral);
        }
        Ok(url)
    }

    /// GETs `raw`, following at most a few redirects, each one checked again.
    pub async fn get(&self, raw: &str) -> Result<Vec<u8>, Refused> {
        let mut url = self.check(raw)?;
        for _ in 0..=MAX_REDIRECTS {
            let mut resp = self.client.get(url.clone()).send().await.map_err(classify)?;
            if resp.status().is_redirection() {
                let location = resp
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or(Refused::BadRedirect)?;
                let next = url.join(location).map_err(|_| Refused::BadRedirect)?;
                url = self.check(next.as_str())?;
                continue;
            }
            if !resp.status().is_success() {
                return Err(Refused::Status(resp.status().as_u16()));
            }
            if resp.content_length().is_some_and(|n| n > self.max_bytes as u64) {
                return Err(Refused::TooLarge(self.max_bytes));
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(classify)? {
                if bytes.len() + chunk.len() > self.max_bytes {
                    return Err(Refused::TooLarge(self.max_bytes));
                }
                bytes.extend_from_slice(&chunk);
            }
            return Ok(bytes);
        }
        Err(Refused::Redirects)
    }
}

/// Our resolver's refusal travels inside reqwest's error; find it.
fn classify(e: reqwest::Error) -> Refused {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(refused) = err.downcast_ref::<Refused>() {
            return refused.clone();
        }
        source = err.source();
    }
    if e.is_timeout() {
        Refused::Timeout
    } else {
        Refused::Unreachable
    }
}

/// Globally routable. Spelled out because `IpAddr::is_global` is unstable.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                   // this network
        || a == 10                              // private
        || a == 127                             // loopback
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 169 && b == 254)               // link local, cloud metadata
        || (a == 172 && (16..32).contains(&b))  // private
        || (a == 192 && b == 0 && c == 0)       // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)       // documentation
        || (a == 192 && b == 168)               // private
        || (a == 198 && (b == 18 || b == 19))   // benchmarking
        || (a == 198 && b == 51 && c == 100)    // documentation
        || (a == 203 && b == 0 && c == 113)     // documentation
        || a >= 224) // multicast, reserved, broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // Addresses that carry an IPv4 address are judged by it.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if s[0] == 0x64 && s[1] == 0xff9b {
        return is_public_v4(embedded(s[6], s[7])); // NAT64
    }
    if s[0] == 0x2002 {
        return is_public_v4(embedded(s[1], s[2])); // 6to4
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || s[..6] == [0; 6]                       // IPv4-compatible (deprecated)
        || (s[0] & 0xfe00) == 0xfc00              // unique local
        || (s[0] & 0xffc0) == 0xfe80              // link local
        || (s[0] & 0xffc0) == 0xfec0              // site local (deprecated)
        || (s[0] & 0xff00) == 0xff00              // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8)     // documentation
        || (s[0] == 0x2001 && s[1] < 0x0200)      // Teredo, benchmarking, ORCHID
        || s[0] == 0x0100) // discard-only
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_embedded_v4_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "::127.0.0.1",
            "ff02::1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34", "2002:5db8:d822::"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_before_any_lookup() {
        let fetch = SafeFetch::new(Policy::default(), system_lookup(), Duration::from_secs(1), 10).unwrap();
        for (url, why) in [
            ("http://example.com/", Refused::Scheme("http".into())),
            ("file:///etc/passwd", Refused::Scheme("file".into())),
            ("gopher://example.com/", Refused::Scheme("gopher".into())),
            ("ftp://example.com/", Refused::Scheme("ftp".into())),
            ("javascript:alert(1)", Refused::Scheme("javascript".into())),
            ("https://127.0.0.1/", Refused::IpLiteral),
            ("https://127.1/", Refused::IpLiteral),
            ("https://2130706433/", Refused::IpLiteral),
            ("https://0x7f000001/", Refused::IpLiteral),
            ("https://017700000001/", Refused::IpLiteral),
            ("https://0/", Refused::IpLiteral),
            ("https://[::1]/", Refused::IpLiteral),
            ("https://[::ffff:127.0.0.1]/", Refused::IpLiteral),
            ("https://169.254.169.254/latest/meta-data/", Refused::IpLiteral),
            ("https://public@example.com/", Refused::Credentials),
        ] {
            assert_eq!(fetch.check(url), Err(why), "{url}");
        }
        assert!(fetch.check("https://[fe80::1%25eth0]/").is_err());
        assert!(fetch.check("https://example.com/cat.png").is_ok());
    }
}
