//! Client identity behind reverse proxies (OWASP: IP spoofing through
//! X-Forwarded-For). The client is what our own proxies saw; anything a client
//! writes itself is ignored, and anything unparseable is refused, never mistaken
//! for the proxy's loopback address.

use crate::common;
use std::net::SocketAddr;

async fn generate_with_xff(addr: SocketAddr, xff: &[&str]) -> u16 {
    let mut req = reqwest::Client::new().post(format!("http://{addr}/api/generate")).json(&serde_json::json!({
        "model": "aimlapi/flux/dev", "params": {"prompt": "p", "image_size": "square"}
    }));
    for v in xff {
        req = req.header("x-forwarded-for", *v);
    }
    req.send().await.unwrap().status().as_u16()
}

/// A public-style server: the rate limit on (1 per minute, no burst), behind `proxies` proxies.
async fn behind(proxies: &str) -> SocketAddr {
    common::spawn(&[
        ("FLUXPLAY_TRUSTED_PROXIES", proxies),
        ("FLUXPLAY_RATE_PER_MINUTE", "1"),
        ("FLUXPLAY_RATE_BURST", "1"),
    ])
    .await
}

#[tokio::test]
async fn behind_one_proxy_a_forwarded_entry_that_is_not_an_address_is_refused() {
    let addr = behind("1").await;
    for bad in ["unknown", "127.0.0.1:80", "<script>", "1.2.3.4 5.6.7.8", "_obfuscated", "0x7f000001", "[::1]"] {
        assert_eq!(generate_with_xff(addr, &[bad]).await, 400, "{bad}");
        assert_eq!(generate_with_xff(addr, &[&format!("203.0.113.1, {bad}")]).await, 400, "{bad} on the right");
    }
    assert_eq!(generate_with_xff(addr, &[]).await, 400, "no entry: the proxy was bypassed");
    // The page too: every route needs a client.
    let page = reqwest::Client::new().get(format!("http://{addr}/")).header("x-forwarded-for", "junk").send();
    assert_eq!(page.await.unwrap().status(), 400);
}

#[tokio::test]
async fn behind_one_proxy_the_rightmost_entry_is_the_client_whatever_is_prepended() {
    let addr = behind("1").await;
    assert_eq!(generate_with_xff(addr, &["203.0.113.5"]).await, 200);
    // Same client, spoofing a fresh address to the left: still limited.
    assert_eq!(generate_with_xff(addr, &["198.51.100.77, 203.0.113.5"]).await, 429);
    assert_eq!(generate_with_xff(addr, &["garbage, 203.0.113.5"]).await, 429, "junk left of ours is ignored");
    assert_eq!(generate_with_xff(addr, &["203.0.113.6"]).await, 200, "another client");
}

#[tokio::test]
async fn behind_two_proxies_the_client_is_second_from_the_right() {
    let addr = behind("2").await;
    // The outer proxy appends the client, the inner one appends the outer proxy.
    assert_eq!(generate_with_xff(addr, &["203.0.113.9, 10.0.0.2"]).await, 200);
    assert_eq!(generate_with_xff(addr, &["203.0.113.9, 10.0.0.3"]).await, 429, "same client, other edge");
    assert_eq!(generate_with_xff(addr, &["1.1.1.1, 203.0.113.9, 10.0.0.2"]).await, 429, "spoofed entry ignored");
    assert_eq!(generate_with_xff(addr, &["203.0.113.10"]).await, 400, "one entry: only one proxy was passed");
    assert_eq!(generate_with_xff(addr, &["203.0.113.10, nginx"]).await, 400, "the inner proxy's entry is no address");
}

#[tokio::test]
async fn ipv6_clients_share_a_limit_per_64() {
    let addr = behind("1").await;
    assert_eq!(generate_with_xff(addr, &["2001:db8:1:2::1"]).await, 200);
    assert_eq!(generate_with_xff(addr, &["2001:db8:1:2:ffff:ffff:ffff:fffe"]).await, 429, "same /64");
    assert_eq!(generate_with_xff(addr, &["2001:db8:1:3::1"]).await, 200, "the next /64");
    assert_eq!(generate_with_xff(addr, &["::ffff:203.0.113.40"]).await, 200);
    assert_eq!(generate_with_xff(addr, &["203.0.113.40"]).await, 429, "a v4-mapped address is its v4 address");
}
