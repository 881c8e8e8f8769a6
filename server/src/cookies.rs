//! Reading a cookie out of the request's `Cookie` headers.

use axum::http::header::COOKIE;
use axum::http::HeaderMap;

/// The value of the first cookie called `name`.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

/// Whether the browser reached us over HTTPS, as a trusted proxy says: then cookies are `Secure`.
pub fn secure(headers: &HeaderMap, trusted_proxies: usize) -> bool {
    trusted_proxies > 0 && headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}
