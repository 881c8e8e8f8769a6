//! Transport faults for any emulator's submit, set through the key's knobs (see
//! `knobs`): what a real provider or network does on a bad day. The request is
//! always read in full first, so for the client each fault happens after the
//! provider accepted (and would have charged) the submit.

use super::knobs::Knobs;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::time::Duration;
use tokio_stream::StreamExt;

pub async fn apply(req: Request, next: Next) -> Response {
    let knobs = Knobs::from_headers(req.headers());
    if req.method() == Method::GET && knobs.poll_hang {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    let any = knobs.hang
        || knobs.slow_body
        || knobs.reset
        || knobs.truncate
        || knobs.html
        || knobs.oversize.is_some()
        || knobs.redirect.is_some();
    if req.method() != Method::POST || !any {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(body) = to_bytes(body, 64 << 20).await else { return StatusCode::BAD_REQUEST.into_response() };
    if knobs.hang {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    if knobs.reset {
        let broken = tokio_stream::once(Err::<Bytes, _>(std::io::Error::from(std::io::ErrorKind::ConnectionReset)));
        return Response::new(Body::from_stream(broken));
    }
    if knobs.html {
        let page = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>cloudflare</p></body></html>";
        return ([(CONTENT_TYPE, "text/html")], page).into_response();
    }
    if let Some(size) = knobs.oversize {
        let padding = "x".repeat(size.saturating_sub(16));
        return ([(CONTENT_TYPE, "application/json")], format!("{{\"padding\":\"{padding}\"}}")).into_response();
    }
    if let Some(url) = knobs.redirect {
        return (StatusCode::FOUND, [(LOCATION, url)]).into_response();
    }
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.headers.remove(CONTENT_LENGTH);
    if knobs.slow_body {
        let first = tokio_stream::once(Ok::<_, std::io::Error>(bytes.slice(..1.min(bytes.len()))));
        return Response::from_parts(parts, Body::from_stream(first.chain(tokio_stream::pending())));
    }
    Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
}
