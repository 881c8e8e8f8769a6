//! The stored images: `GET /images/{name}` and `GET /uploads/{name}`.

use crate::state::AppState;
use crate::store::serve_from;
use axum::extract::{Path, State};
use axum::response::Response;

/// `GET /images/{name}`: generated images.
#[utoipa::path(get, path = "/images/{name}", operation_id = "image", tag = "images", params(("name" = String, Path, description = "`<sha256>.<ext>`, as in a result's `url`")),
    responses(
        (status = 200, description = "The image", content_type = "image/*"),
        (status = 404, description = "No such image (deleted or expired)"),
    ),
)]
pub async fn serve(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    serve_from(&state.inner.store, &name).await
}

/// `GET /thumbs/{name}`: the history's small copies of generated images.
#[utoipa::path(get, path = "/thumbs/{name}", operation_id = "thumbnail", tag = "images", params(("name" = String, Path, description = "As in a history entry's `thumbs`")),
    responses(
        (status = 200, description = "The image", content_type = "image/*"),
        (status = 404, description = "No such image (deleted or expired)"),
    ),
)]
pub async fn serve_thumb(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    serve_from(&state.inner.thumbs, &name).await
}

/// `GET /uploads/{name}`: reference images people uploaded.
#[utoipa::path(get, path = "/uploads/{name}", operation_id = "uploaded_image", tag = "images", params(("name" = String, Path, description = "As in an upload's `reference`")),
    responses(
        (status = 200, description = "The image", content_type = "image/*"),
        (status = 404, description = "No such image (deleted or expired)"),
    ),
)]
pub async fn serve_upload(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    serve_from(&state.inner.uploads, &name).await
}
