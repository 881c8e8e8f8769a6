//! An optional passphrase for a public demo. It is asked once on a small
//! server-rendered page; the browser then keeps a cookie holding a hash of it.
//! Both checks compare fixed-length digests in constant time.

use crate::error::Error;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const COOKIE_NAME: &str = "fluxplay_pass";

/// What the cookie must hold: a digest, so the passphrase itself is never stored in a browser.
pub struct Lock {
    token: [u8; 32],
}

impl Lock {
    pub fn new(passphrase: &SecretString) -> Self {
        Self { token: digest(passphrase.expose_secret()) }
    }

    /// A typed passphrase is right.
    pub fn accepts(&self, typed: &str) -> bool {
        digest(typed).ct_eq(&self.token).into()
    }

    /// The request carries a cookie from an earlier unlock.
    pub fn admits(&self, headers: &axum::http::HeaderMap) -> bool {
        let presented = crate::cookies::get(headers, COOKIE_NAME);
        let Some(presented) = presented.and_then(decode_hex) else { return false };
        presented.ct_eq(&self.token).into()
    }

    /// The cookie, for the site's paths only (`base` is where it is mounted).
    pub fn cookie(&self, base: &str, secure: bool) -> String {
        let hex: String = self.token.iter().map(|b| format!("{b:02x}")).collect();
        let secure = if secure { "; Secure" } else { "" };
        format!("{COOKIE_NAME}={hex}; Path={base}/; HttpOnly; SameSite=Lax; Max-Age=2592000{secure}")
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::new().chain_update(b"fluxplay passphrase v1\0").chain_update(text.as_bytes()).finalize().into()
}

fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if hex.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The refusal of a request without the passphrase, counted.
pub fn locked(metrics: &crate::metrics::Metrics) -> Error {
    metrics.refused(crate::metrics::Refusal::Passphrase);
    Error::Unauthorized("This demo asks for a passphrase. Open the playground page and enter it.".into())
}

/// Only the playground or its embed view on this site (from the site's root), so the
/// form cannot be used to redirect elsewhere.
pub fn safe_next(next: &str) -> &str {
    let page = next.starts_with("/?") || next == "/embed" || next.starts_with("/embed?");
    let ok = page && next.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        next
    } else {
        "/"
    }
}

pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The unlock page of the site mounted at `base`.
pub fn form(base: &str, next: &str, error: Option<&str>) -> String {
    let error = error.map(|e| format!(r#"<p class="error" role="alert">{e}</p>"#)).unwrap_or_default();
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>fluxplay: passphrase</title><link rel="stylesheet" href="{base}/pkg/fluxplay.css"></head>
<body><main class="unlock"><h1>fluxplay</h1><p>This demo calls paid image APIs, so it asks for a passphrase.</p>
<form method="post" action="{base}/unlock"><label for="passphrase">Passphrase</label>
<input id="passphrase" name="passphrase" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="{}"><button type="submit">Enter</button></form>{error}</main></body></html>"#,
        html_escape::encode_double_quoted_attribute(safe_next(next))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::COOKIE;

    #[test]
    fn cookie_and_passphrase_checks() {
        let lock = Lock::new(&SecretString::from("open sesame"));
        assert!(lock.accepts("open sesame"));
        assert!(!lock.accepts("open sesam") && !lock.accepts(""));
        let cookie = lock.cookie("", false);
        assert!(!cookie.contains("sesame"));
        let value = cookie.split(';').next().unwrap();
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(COOKIE, format!("theme=dark; {value}").parse().unwrap());
        assert!(lock.admits(&headers));
        headers.insert(COOKIE, format!("{COOKIE_NAME}={}", "0".repeat(64)).parse().unwrap());
        assert!(!lock.admits(&headers));
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/?model=bfl%2Fflux-dev"), "/?model=bfl%2Fflux-dev");
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil", "/?a b"] {
            assert_eq!(safe_next(bad), "/", "{bad}");
        }
    }
}
