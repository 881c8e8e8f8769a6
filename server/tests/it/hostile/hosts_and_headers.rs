//! DNS rebinding (a hostile name resolved to our address) and the security
//! headers every response carries, whatever the route or status.

use crate::common;

async fn get_with_host(addr: std::net::SocketAddr, path: &str, host: &str) -> reqwest::Response {
    reqwest::Client::new().get(format!("http://{addr}{path}")).header("host", host).send().await.unwrap()
}

#[tokio::test]
async fn a_rebound_host_name_gets_nothing_but_a_misdirected_request() {
    let addr = common::spawn(&[("FLUXPLAY_ALLOWED_HOSTS", "docs.example.com")]).await;
    for path in ["/", "/api/snippet?lang=curl", "/api/jobs/x", "/emulate/aimlapi/v1/images/generations", "/favicon.svg"]
    {
        for host in ["attacker.example", "attacker.example:80", "127.0.0.1.nip.io", "docs.example.com.attacker.example"]
        {
            let resp = get_with_host(addr, path, host).await;
            assert_eq!(resp.status(), 421, "{path} {host}");
            let body = resp.text().await.unwrap();
            assert!(body.contains("FLUXPLAY_ALLOWED_HOSTS") && !body.contains("attacker"), "{body}");
        }
    }
    for host in ["docs.example.com", "DOCS.example.com:443", "127.0.0.1", &addr.to_string(), "[::1]:8080"] {
        assert_eq!(get_with_host(addr, "/", host).await.status(), 200, "{host}");
    }
    // Not configured: only `localhost` (and addresses) by default.
    let default = common::spawn(&[]).await;
    assert_eq!(get_with_host(default, "/", "localhost:3000").await.status(), 200);
    assert_eq!(get_with_host(default, "/", "docs.example.com").await.status(), 421);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let addr = common::spawn(&[("FLUXPLAY_FRAME_ANCESTORS", "'self' https://docs.example.com")]).await;
    let client = reqwest::Client::new();
    let cases = [
        client.get(format!("http://{addr}/")),
        client.get(format!("http://{addr}/favicon.svg")),
        client.get(format!("http://{addr}/no/such/thing")),
        client.get(format!("http://{addr}/api/snippet?lang=cobol")),
        client.post(format!("http://{addr}/api/generate")).body("{not json"),
        client.get(format!("http://{addr}/")).header("host", "attacker.example"),
        client.get(format!("http://{addr}/")).header("x-forwarded-for", "junk"),
    ];
    for req in cases {
        let resp = req.send().await.unwrap();
        let h = resp.headers();
        let what = format!("{} {}", resp.url(), resp.status());
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(h["referrer-policy"], "same-origin", "{what}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'self' https://docs.example.com"), "{what}: {csp}");
        assert!(csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"), "{what}: {csp}");
    }
}

#[tokio::test]
async fn the_page_runs_only_scripts_that_carry_this_responses_nonce() {
    let addr = common::spawn(&[]).await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let resp = reqwest::get(format!("http://{addr}/?prompt=%3Cscript%3Ealert(1)%3C/script%3E")).await.unwrap();
        let csp = resp.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce").to_owned();
        assert!(nonce.len() >= 16, "{nonce}");
        let html = resp.text().await.unwrap();
        for tag in html.split("<script").skip(1) {
            let open = tag.split('>').next().unwrap();
            let data = open.contains(r#"type="application/json""#);
            assert!(
                data || open.contains(&format!(r#"nonce="{nonce}""#)),
                "a script without the nonce: <script{open}>"
            );
        }
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce per response");
}
