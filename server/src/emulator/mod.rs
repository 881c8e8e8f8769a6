//! Offline emulators of the providers' HTTP contracts, written from
//! shared/reference/providers.md (§8), not from our adapters or catalog, so the
//! adapter tests against them check our reading of the contract.
//!
//! Mounted under `/emulate`; every emulator serves its images from `/files`.

pub mod aimlapi;
pub mod files;
pub mod picture;

use axum::extract::OriginalUri;
use axum::http::{HeaderMap, Uri};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router {
    let files = files::Files::default();
    Router::new().nest("/aimlapi", aimlapi::router()).route("/files/{name}", get(files::serve)).with_state(files)
}

/// Absolute URL of `/emulate` (where `/files` lives), rebuilt from what the
/// client asked for, so image URLs work on whatever address the server listens on.
/// `inner` is the path as the emulator's handler sees it, below its own segment.
pub fn mount_url(headers: &HeaderMap, original: &OriginalUri, inner: &Uri, segment: &str) -> String {
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let prefix = original.0.path().strip_suffix(inner.path()).unwrap_or("");
    let mount = prefix.strip_suffix(segment).unwrap_or(prefix);
    format!("http://{host}{mount}")
}
