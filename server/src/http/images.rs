//! The stored images: `GET /images/{name}` and `GET /uploads/{name}`.

use crate::state::AppState;
use crate::store::serve_from;
use axum::extract::{Path, State};
use axum::response::Response;

/// `GET /images/{name}`: generated images.
pub async fn serve(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    serve_from(&state.inner.store, &name).await
}

/// `GET /thumbs/{name}`: the history's small copies of generated images.
pub async fn serve_thumb(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    serve_from(&state.inner.thumbs, &name).await
}

/// `GET /uploads/{name}`: reference images people uploaded.
pub async fn serve_upload(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    serve_from(&state.inner.uploads, &name).await
}
