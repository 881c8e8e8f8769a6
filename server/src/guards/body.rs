//! Request-body limits. A declared `Content-Length` over the limit is refused
//! before a byte is read; a chunked body is cut off by the extractors' limit
//! (`DefaultBodyLimit`) when it passes it. Both answer 413 in our JSON shape.
//! And a body has one deadline for all of it (`deadline`), so a client that
//! trickles a byte a second cannot hold a request open for long.

use crate::error::Error;
use crate::metrics::{Metrics, Refusal};
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::future::Future;

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

pin_project_lite::pin_project! {
    /// A body that fails once its deadline passes, however steadily it trickles.
    pub struct Deadline<B> {
        #[pin]
        body: B,
        #[pin]
        sleep: tokio::time::Sleep,
    }
}

/// The body took longer than its deadline.
#[derive(Debug, thiserror::Error)]
#[error("the request body was not sent within its deadline")]
pub struct TooSlow;

impl<B> http_body::Body for Deadline<B>
where
    B: http_body::Body,
    B::Error: Into<axum::BoxError>,
{
    type Data = B::Data;
    type Error = axum::BoxError;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        if let std::task::Poll::Ready(frame) = this.body.poll_frame(cx) {
            return std::task::Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match this.sleep.poll(cx) {
            std::task::Poll::Ready(()) => std::task::Poll::Ready(Some(Err(TooSlow.into()))),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Gives every request body `limit` from now to arrive in full.
pub async fn deadline(limit: std::time::Duration, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::Body::new(Deadline { body, sleep: tokio::time::sleep(limit) });
    next.run(Request::from_parts(parts, body)).await
}
