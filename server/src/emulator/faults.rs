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

/// The longest any knob makes the emulator wait (`latency`, `hang`, `poll-hang`):
/// long enough to outlast a client's timeout in a test, short enough that a held
/// request gives its connection back.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// The largest `oversize` answer; it is streamed in 64 KB chunks, never held in memory.
pub const MAX_OVERSIZE: usize = 256 << 20;

/// `{"padding":"xxx…"}` of `size` bytes (at most `MAX_OVERSIZE`), made as it is sent.
fn padding(size: usize) -> impl tokio_stream::Stream<Item = Result<Bytes, std::io::Error>> {
    const CHUNK: usize = 64 << 10;
    let total = size.clamp(16, MAX_OVERSIZE);
    let filler = Bytes::from(vec![b'x'; CHUNK]);
    let middle = total - 14;
    let chunks = (0..middle.div_ceil(CHUNK)).map(move |i| Ok(filler.slice(..CHUNK.min(middle - i * CHUNK))));
    tokio_stream::iter(
        std::iter::once(Ok(Bytes::from_static(b"{\"padding\":\"")))
            .chain(chunks)
            .chain(std::iter::once(Ok(Bytes::from_static(b"\"}")))),
    )
}

pub async fn apply(req: Request, next: Next) -> Response {
    let knobs = Knobs::from_headers(req.headers());
    if req.method() == Method::GET && knobs.poll_hang {
        tokio::time::sleep(MAX_WAIT).await;
        return StatusCode::GATEWAY_TIMEOUT.into_response();
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
    let Ok(body) = to_bytes(body, super::MAX_BODY).await else { return StatusCode::PAYLOAD_TOO_LARGE.into_response() };
    if knobs.hang {
        tokio::time::sleep(MAX_WAIT).await;
        return StatusCode::GATEWAY_TIMEOUT.into_response();
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
        return ([(CONTENT_TYPE, "application/json")], Body::from_stream(padding(size))).into_response();
    }
    if let Some(url) = knobs.redirect {
        return (StatusCode::FOUND, [(LOCATION, url)]).into_response();
    }
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, super::MAX_BODY).await.unwrap_or_default();
    parts.headers.remove(CONTENT_LENGTH);
    if knobs.slow_body {
        let first = tokio_stream::once(Ok::<_, std::io::Error>(bytes.slice(..1.min(bytes.len()))));
        let stall = tokio_stream::pending::<Result<Bytes, std::io::Error>>()
            .timeout(MAX_WAIT)
            .map(|_| Err(std::io::Error::from(std::io::ErrorKind::TimedOut)));
        return Response::from_parts(parts, Body::from_stream(first.chain(stall)));
    }
    Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
}
