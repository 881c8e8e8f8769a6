//! Request-body limits. A declared `Content-Length` over the limit is refused
//! before a byte is read; a chunked body is cut off by the extractors' limit
//! (`DefaultBodyLimit`) when it passes it. Both answer 413 in our JSON shape.

use crate::error::Error;
use crate::metrics::{Metrics, Refusal};
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuses a declared length over `limit`.
pub async fn declared_length(metrics: &Metrics, limit: usize, req: Request, next: Next) -> Response {
    let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > limit as u64 => too_large(metrics, limit).into_response(),
        _ => next.run(req).await,
    }
}

/// The refusal of a body over `limit`, counted.
pub fn too_large(metrics: &Metrics, limit: usize) -> Error {
    metrics.refused(Refusal::TooLarge);
    Error::TooLarge(format!("The request body is larger than this server takes ({}).", size(limit)))
}

pub fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KB", b >> 10),
        b => format!("{b} bytes"),
    }
}
