//! `POST /api/uploads`: a reference image for image-to-image models. The bytes
//! are decoded in full (see `decode`) before they are kept, so what reaches a
//! provider later is a real PNG, JPEG or WebP. The uploads directory has a size
//! quota (the oldest uploads make room) and an age limit (see `store`), over all replicas.

use crate::error::Error;
use crate::state::AppState;
use crate::store::StoreError;
use app::api::{ApiError, Upload};
use app::catalog::UPLOAD_PREFIX;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use bytes::Bytes;

#[utoipa::path(
    post, path = "/api/uploads", operation_id = "upload", tag = "uploads",
    request_body(
        content(("image/png"), ("image/jpeg"), ("image/webp")),
        description = "A reference image, at most `FLUXPLAY_MAX_UPLOAD_BYTES` (10 MB); decoded in full before it is kept",
    ),
    responses(
        (status = 200, description = "The reference to put in an image field", body = Upload),
        (status = 400, description = "An empty body", body = ApiError),
        (status = 401, description = "A passphrase is set and not given", body = ApiError),
        (status = 413, description = "Over the size limit", body = ApiError),
        (status = 415, description = "Not a PNG, JPEG or WebP image", body = ApiError),
        (status = 422, description = "Not decodable, or over the pixel limits", body = ApiError),
        (status = 429, description = "Too many uploads at once, or over the rate limit", body = ApiError),
        (status = 503, description = "This server is shutting down", body = ApiError),
        (status = 507, description = "Larger than the whole uploads quota", body = ApiError),
    ),
)]
pub async fn handler(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Upload>, Error> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            crate::guards::body::too_large(&state.inner.metrics, state.limits().guards.max_upload_bytes)
        }
        status => Error::Rejected { status, message: e.body_text() },
    })?;
    store(&state, body).await.map(Json)
}

/// Decodes and keeps one uploaded image: its reference. Also for files in a posted form.
pub async fn store(state: &AppState, body: Bytes) -> Result<Upload, Error> {
    // The client has sent its body; it waits for a decode slot as long as it could take to send one.
    let checked = crate::decode::check(body, state.limits().guards.body_timeout).await.map_err(|e| e.upload())?;
    let stored = state.inner.uploads.put(&checked).await.map_err(StoreError::into_error)?;
    Ok(Upload {
        reference: format!("{UPLOAD_PREFIX}{}", stored.name),
        width: stored.width,
        height: stored.height,
        content_type: stored.content_type.to_owned(),
        bytes: checked.bytes.len(),
    })
}
