//! Offline emulators of the providers' HTTP contracts, written from
//! shared/reference/providers.md (§8), not from our adapters or catalog, so the
//! adapter tests against them check our reading of the contract.
//!
//! Mounted under `/emulate`; every emulator serves its images from `/files`.

pub mod aimlapi;
pub mod bfl;
pub mod check;
pub mod fal;
pub mod faults;
pub mod files;
pub mod knobs;
pub mod onemin;
pub mod openai;
pub mod picture;
pub mod replicate;
pub mod segmind;
pub mod table;

use axum::extract::{DefaultBodyLimit, OriginalUri, Request};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The largest request body an emulator reads (a 1min.ai asset upload is an image).
pub const MAX_BODY: usize = 12 << 20;
/// Requests one emulator instance works on at once; more get 503, as a busy provider answers.
pub const MAX_IN_FLIGHT: usize = 32;

/// Every emulator, with its own files and task tables, and bounds on what any
/// request may make it spend: body size, requests at once, waits (`faults::MAX_WAIT`),
/// pixels (`picture::MAX_PIXELS`), kept tasks and files (`table`, `files`).
pub fn router() -> Router {
    let files = files::Files::default();
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    Router::new()
        .nest("/aimlapi", aimlapi::router())
        .nest("/segmind", segmind::router())
        .nest("/1min", onemin::router(files.clone()))
        .nest("/bfl", bfl::router(files.clone()))
        .nest("/fal", fal::router(files.clone()))
        .nest("/replicate", replicate::router(files.clone()))
        .nest("/openai", openai::router(files.clone()))
        .route("/files/{name}", get(files::serve))
        .layer(axum::middleware::from_fn(faults::apply))
        .layer(axum::middleware::from_fn(move |req: Request, next: Next| {
            let permit = in_flight.clone().try_acquire_owned();
            async move {
                let Ok(_permit) = permit else {
                    let busy = [(RETRY_AFTER, "1")];
                    return (StatusCode::SERVICE_UNAVAILABLE, busy, "The emulator is busy; try again.").into_response();
                };
                next.run(req).await
            }
        }))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(files)
}

/// Serves the emulators on a private loopback port for this server's own calls,
/// so those never pass through the public `/emulate` mount and its guards, and no
/// client is ever trusted for its address.
pub async fn serve_private() -> std::io::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let router = Router::new().nest_service("/emulate", router());
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!("the private emulator listener stopped: {e}");
        }
    });
    Ok(addr)
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

/// Replicate flux-dev's `aspect_ratio` sizes at 1 MP (providers.md §0.2), which
/// Segmind's and 1min.ai's flux-dev appear to proxy.
pub fn replicate_ratio_size(ratio: &str) -> Option<(u32, u32)> {
    Some(match ratio {
        "1:1" => (1024, 1024),
        "16:9" => (1344, 768),
        "21:9" => (1536, 640),
        "3:2" => (1216, 832),
        "2:3" => (832, 1216),
        "4:5" => (896, 1088),
        "5:4" => (1088, 896),
        "3:4" => (896, 1152),
        "4:3" => (1152, 896),
        "9:16" => (768, 1344),
        "9:21" => (640, 1536),
        _ => return None,
    })
}
