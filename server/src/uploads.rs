//! `POST /api/uploads`: a reference image for image-to-image models. The bytes
//! are decoded in full (within limits) before they are kept, so what reaches a
//! provider later is a real PNG, JPEG or WebP.

use crate::error::Error;
use crate::state::AppState;
use app::api::Upload;
use app::catalog::UPLOAD_PREFIX;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use bytes::Bytes;
use image::{ImageReader, Limits};
use std::io::Cursor;

/// Larger sides than any FLUX endpoint takes are refused before decoding.
const MAX_SIDE: u32 = 8192;

pub async fn handler(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Upload>, Error> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            crate::guards::body::too_large(&state.inner.metrics, state.limits().max_upload_bytes)
        }
        status => rejected(status, e.body_text()),
    })?;
    let bytes = body.to_vec();
    let checked = tokio::task::spawn_blocking(move || check(&bytes).map(|dims| (bytes, dims)))
        .await
        .map_err(|e| Error::Internal(format!("decode task: {e}")))?;
    let (bytes, (width, height)) = checked?;
    let stored = state.inner.uploads.put(&bytes).await.map_err(|e| Error::Internal(e.to_string()))?;
    Ok(Json(Upload {
        reference: format!("{UPLOAD_PREFIX}{}", stored.name),
        width,
        height,
        content_type: stored.content_type.to_owned(),
        bytes: bytes.len(),
    }))
}

fn rejected(status: StatusCode, message: String) -> Error {
    Error::Rejected { status, message }
}

/// Sniffs the format from the bytes (not the declared type) and decodes the whole image.
pub fn check(bytes: &[u8]) -> Result<(u32, u32), Error> {
    let not_image = || rejected(StatusCode::UNSUPPORTED_MEDIA_TYPE, "The file is not a PNG, JPEG or WebP image".into());
    if bytes.is_empty() {
        return Err(rejected(StatusCode::BAD_REQUEST, "The upload is empty".into()));
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| not_image())?;
    if !matches!(reader.format(), Some(image::ImageFormat::Png | image::ImageFormat::Jpeg | image::ImageFormat::WebP)) {
        return Err(not_image());
    }
    let (w, h) = reader.into_dimensions().map_err(|_| not_image())?;
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("The image is {w}×{h}; the limit is {MAX_SIDE}×{MAX_SIDE}"),
        ));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| not_image())?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|e| rejected(StatusCode::UNPROCESSABLE_ENTITY, format!("The image could not be decoded: {e}")))?;
    Ok((w, h))
}
