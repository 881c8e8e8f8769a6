//! The image store: content-addressed files in the data directory, so a result
//! survives the provider's expiring URLs and is served from our own origin.

use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use image::ImageFormat;
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::path::{Path as FsPath, PathBuf};

pub struct ImageStore {
    dir: PathBuf,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredImage {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub content_type: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not a PNG, JPEG or WebP image")]
    NotAnImage,
    #[error("cannot write the image: {0}")]
    Io(#[from] std::io::Error),
}

/// The formats we accept from providers, with their extension and type.
fn kind(format: ImageFormat) -> Option<(&'static str, &'static str)> {
    match format {
        ImageFormat::Png => Some(("png", "image/png")),
        ImageFormat::Jpeg => Some(("jpg", "image/jpeg")),
        ImageFormat::WebP => Some(("webp", "image/webp")),
        _ => None,
    }
}

/// Checks the bytes really are an image we accept and reads its size
/// from the header (no full decode).
pub fn sniff(bytes: &[u8]) -> Result<(u32, u32, &'static str, &'static str), StoreError> {
    let reader =
        image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| StoreError::NotAnImage)?;
    let (ext, content_type) = reader.format().and_then(kind).ok_or(StoreError::NotAnImage)?;
    let (w, h) = reader.into_dimensions().map_err(|_| StoreError::NotAnImage)?;
    Ok((w, h, ext, content_type))
}

impl ImageStore {
    pub fn open(dir: &FsPath) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self { dir: dir.to_owned() })
    }

    pub fn dir(&self) -> &FsPath {
        &self.dir
    }

    pub async fn put(&self, bytes: &[u8]) -> Result<StoredImage, StoreError> {
        let (width, height, ext, content_type) = sniff(bytes)?;
        let name = format!("{:x}.{ext}", Sha256::digest(bytes));
        let path = self.dir.join(&name);
        if tokio::fs::metadata(&path).await.is_err() {
            // Write then rename, so a reader never sees half a file.
            let tmp = self.dir.join(format!(".{name}.{}", uuid::Uuid::new_v4()));
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::rename(&tmp, &path).await?;
        }
        Ok(StoredImage { name, width, height, content_type })
    }

    /// Only names this store makes (64 hex digits and a known extension) are looked up.
    pub fn path_of(&self, name: &str) -> Option<(PathBuf, &'static str)> {
        if !app::validate::is_stored_name(name) {
            return None;
        }
        let content_type = match name.rsplit('.').next() {
            Some("png") => "image/png",
            Some("jpg") => "image/jpeg",
            _ => "image/webp",
        };
        Some((self.dir.join(name), content_type))
    }

    /// The stored bytes and their content type.
    pub async fn read(&self, name: &str) -> Option<(Vec<u8>, &'static str)> {
        let (path, content_type) = self.path_of(name)?;
        tokio::fs::read(path).await.ok().map(|bytes| (bytes, content_type))
    }
}

/// `GET /images/{name}`: generated images.
pub async fn serve(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    serve_from(&state.inner.store, &name).await
}

/// `GET /uploads/{name}`: reference images people uploaded.
pub async fn serve_upload(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    serve_from(&state.inner.uploads, &name).await
}

async fn serve_from(store: &ImageStore, name: &str) -> Response {
    let Some((path, content_type)) = store.path_of(name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(path).await {
        Ok(bytes) => (
            [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_store_names_map_to_paths() {
        let store = ImageStore { dir: PathBuf::from("/data") };
        let good = format!("{}.png", "a".repeat(64));
        assert!(store.path_of(&good).is_some());
        assert!(store.path_of("../../etc/passwd").is_none());
        assert!(store.path_of(&format!("{}.svg", "a".repeat(64))).is_none());
        assert!(store.path_of(&format!("{}.png", "A".repeat(64))).is_none());
    }

    #[test]
    fn sniff_refuses_html() {
        assert!(matches!(sniff(b"<html>nope</html>"), Err(StoreError::NotAnImage)));
    }
}
