//! `GET /openapi.json`: fluxplay's own HTTP API, described from the types and the
//! `#[utoipa::path]` notes on the handlers themselves (OpenAPI 3.1). The pages
//! (`/`, `/embed`, `/history`, `/r/{id}`, `/compare`) are HTML for people, not API.

use crate::http;
use axum::extract::State;
use axum::Json;
use utoipa::openapi::server::Server;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fluxplay",
        description = "A playground for the FLUX image APIs. Generate through this server, which holds \
                       the providers' keys: `POST /api/jobs`, then poll `GET /api/jobs/{id}`. A model is a \
                       catalog slug (`provider/model`) and its parameters are the provider's own, as in a \
                       share link; `GET /api/snippet` gives the same request for the provider itself. \
                       With `FLUXPLAY_PASSPHRASE` set, every route but the health checks answers 401 \
                       until the passphrase is given (the `/unlock` form sets a cookie).",
        license(name = "MIT")
    ),
    paths(
        http::generate::handler,
        http::generate::start,
        http::generate::status,
        http::generate::cancel,
        http::results::handler,
        http::uploads::handler,
        http::snippet::handler,
        http::estimate::handler,
        http::history::list,
        http::history::clear,
        http::history::delete_one,
        http::images::serve,
        http::images::serve_thumb,
        http::images::serve_upload,
        http::health::healthz,
        http::health::readyz,
    ),
    tags(
        (name = "generate", description = "Runs a model: at once, or as a job to poll"),
        (name = "uploads", description = "Reference images for image-to-image models"),
        (name = "snippets", description = "The exact provider request in six languages, and its cost"),
        (name = "history", description = "Earlier generations (a visitor's own, by cookie, unless shared)"),
        (name = "images", description = "Stored images"),
        (name = "health", description = "For orchestrators and load balancers"),
    )
)]
pub struct ApiDoc;

/// The document for the site mounted at `base` (its one server entry).
pub fn document(base: &str) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.servers = Some(vec![Server::new(if base.is_empty() { "/" } else { base })]);
    doc
}

/// `GET /openapi.json`.
pub async fn handler(State(state): State<crate::AppState>) -> Json<utoipa::openapi::OpenApi> {
    Json(document(state.base()))
}
