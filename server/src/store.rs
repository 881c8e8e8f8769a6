//! The image store: content-addressed objects, so a result survives the
//! provider's expiring URLs and is served from our own origin. The objects live
//! in the data directory by default, or in an S3-compatible bucket that every
//! replica shares (`objects`). Generated images go under `images/`, uploaded
//! references under `uploads/`, which the database holds to a quota and an age.

use crate::db::{now_ms, Db};
use crate::decode::Checked;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::StreamExt;

pub struct ImageStore {
    objects: Arc<dyn ObjectStore>,
    /// `images` or `uploads`.
    prefix: &'static str,
    /// Uploads only: a size quota and an age limit. Generated images are the history;
    /// the history's retention removes them.
    quota: Option<(Db, QuotaLimits)>,
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
    #[error("the image ({size} bytes) is larger than the whole uploads quota ({quota} bytes)")]
    OverQuota { size: u64, quota: u64 },
    #[error("cannot write the image: {0}")]
    Objects(#[from] object_store::Error),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

impl StoreError {
    /// As our API's error: an upload larger than the whole quota is 507, a storage error is ours.
    pub fn into_error(self) -> crate::error::Error {
        use crate::error::Error;
        let message = self.to_string();
        match self {
            StoreError::OverQuota { .. } => Error::Rejected {
                status: axum::http::StatusCode::INSUFFICIENT_STORAGE,
                message: format!("The upload cannot be kept: {message}"),
            },
            StoreError::Objects(_) | StoreError::Db(_) => Error::Internal(format!("cannot store the image: {message}")),
        }
    }
}

/// How much the uploads may hold, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct QuotaLimits {
    pub max_bytes: u64,
    pub max_age: Duration,
}

impl ImageStore {
    /// Generated images: kept until the history lets them go.
    pub fn images(objects: Arc<dyn ObjectStore>) -> Self {
        Self { objects, prefix: "images", quota: None }
    }

    /// Thumbnails of generated images, for the history: `<sha256 of the image>.jpg`.
    pub fn thumbs(objects: Arc<dyn ObjectStore>) -> Self {
        Self { objects, prefix: "thumbs", quota: None }
    }

    /// Keeps a small JPEG of a generated image (at most [`THUMB_SIDE`] a side) under the
    /// image's hash, so the history does not load every full image. An image that
    /// cannot be shrunk is kept as it is.
    pub async fn put_thumb(&self, image: &Checked) -> Result<String, StoreError> {
        let hash = format!("{:x}", Sha256::digest(&image.bytes));
        let bytes = image.bytes.clone();
        let small = tokio::task::spawn_blocking(move || thumbnail(&bytes)).await.ok().flatten();
        let small = small.map_or_else(|| image.bytes.clone(), bytes::Bytes::from);
        let name = format!("{hash}.jpg");
        self.objects.put(&self.path(&name), PutPayload::from(small)).await?;
        Ok(name)
    }

    /// Uploads, within `limits`; `Db` records their sizes and ages.
    pub fn uploads(objects: Arc<dyn ObjectStore>, db: Db, limits: QuotaLimits) -> Self {
        Self { objects, prefix: "uploads", quota: Some((db, limits)) }
    }

    fn path(&self, name: &str) -> ObjectPath {
        ObjectPath::from(format!("{}/{name}", self.prefix))
    }

    /// Keeps a decoded image under its content hash. Uploads are recorded, and the
    /// oldest make room for a new one; the same bytes again count as new.
    pub async fn put(&self, image: &Checked) -> Result<StoredImage, StoreError> {
        let name = format!("{:x}.{}", Sha256::digest(&image.bytes), image.format.ext());
        let stored = StoredImage {
            name: name.clone(),
            width: image.width,
            height: image.height,
            content_type: image.format.content_type(),
        };
        let size = image.bytes.len() as u64;
        if let Some((_, limits)) = &self.quota {
            if size > limits.max_bytes {
                return Err(StoreError::OverQuota { size, quota: limits.max_bytes });
            }
        }
        // Content-addressed: writing the same name again writes the same bytes.
        self.objects.put(&self.path(&name), PutPayload::from(image.bytes.clone())).await?;
        if let Some((db, limits)) = &self.quota {
            db.put_upload(&name, image.width, image.height, size, now_ms()).await?;
            for old in db.trim_uploads(limits.max_bytes).await? {
                tracing::info!(file = old, "uploads quota: removed the oldest upload");
                self.remove(&old).await;
            }
        }
        Ok(stored)
    }

    /// Whether the store takes a write now: a probe object written and removed (`/readyz`).
    pub async fn writable(&self) -> Result<(), StoreError> {
        let probe = self.path(".readyz");
        self.objects.put(&probe, PutPayload::from_static(b"ok")).await?;
        self.objects.delete(&probe).await?;
        Ok(())
    }

    /// Removes one stored image; one already gone is no error.
    pub async fn remove(&self, name: &str) {
        match self.objects.delete(&self.path(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => tracing::warn!(file = name, "cannot remove a stored image: {e}"),
        }
    }

    /// Removes the uploads older than the age limit: those recorded so, and any
    /// object written so long ago (one a stopped process left unrecorded). How many.
    pub async fn remove_expired(&self) -> usize {
        let Some((db, limits)) = &self.quota else { return 0 };
        let cutoff = now_ms() - i64::try_from(limits.max_age.as_millis()).unwrap_or(i64::MAX);
        let mut gone = db.expire_uploads(cutoff).await.unwrap_or_else(|e| {
            tracing::warn!("cannot expire uploads: {e}");
            Vec::new()
        });
        let prefix = ObjectPath::from(self.prefix);
        let mut listed = self.objects.list(Some(&prefix));
        while let Some(meta) = listed.next().await {
            let Ok(meta) = meta else { continue };
            let Some(name) = meta.location.filename() else { continue };
            if meta.last_modified.timestamp_millis() < cutoff && !gone.iter().any(|g| g == name) {
                gone.push(name.to_owned());
            }
        }
        for name in &gone {
            self.remove(name).await;
        }
        if !gone.is_empty() {
            tracing::info!(removed = gone.len(), "uploads older than the age limit removed");
        }
        gone.len()
    }

    /// The names this store holds, sorted (for tests and the operator's checks).
    pub async fn names(&self) -> Vec<String> {
        let prefix = ObjectPath::from(self.prefix);
        let mut listed = self.objects.list(Some(&prefix));
        let mut names = Vec::new();
        while let Some(meta) = listed.next().await {
            if let Some(name) = meta.ok().as_ref().and_then(|m| m.location.filename()) {
                names.push(name.to_owned());
            }
        }
        names.sort();
        names
    }

    /// The age limit, for the clean-up's pace.
    pub fn max_age(&self) -> Option<Duration> {
        self.quota.as_ref().map(|(_, limits)| limits.max_age)
    }

    /// Bytes the quota counts (0 without one).
    pub async fn used_bytes(&self) -> u64 {
        match &self.quota {
            Some((db, _)) => db.upload_bytes().await.unwrap_or(0),
            None => 0,
        }
    }

    /// An upload's size, as recorded when it was put.
    pub async fn size_of(&self, name: &str) -> Option<(u32, u32)> {
        let (db, _) = self.quota.as_ref()?;
        db.upload_size(name).await.ok().flatten()
    }

    /// The stored bytes and their content type; only names this store makes
    /// (64 hex digits and a known extension) are looked up.
    pub async fn read(&self, name: &str) -> Option<(Vec<u8>, &'static str)> {
        let content_type = content_type(name)?;
        let got = self.objects.get(&self.path(name)).await.ok()?;
        got.bytes().await.ok().map(|bytes| (bytes.to_vec(), content_type))
    }
}

/// The longest side of a history thumbnail, in pixels (twice the strip's CSS size).
pub const THUMB_SIDE: u32 = 320;

/// The thumbnail of a generated image's stored name (`/thumbs/…`), which [`ImageStore::put_thumb`] made.
pub fn thumb_of(image_name: &str) -> Option<String> {
    let (hash, _) = image_name.split_once('.')?;
    Some(format!("{hash}.jpg"))
}

/// `bytes` (an image `decode::check` passed) shrunk and encoded as JPEG.
fn thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let small = image::load_from_memory(bytes).ok()?.thumbnail(THUMB_SIDE, THUMB_SIDE).into_rgb8();
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&small).ok()?;
    Some(out.into_inner())
}

/// A stored name's content type; `None` for a name this store never makes.
pub fn content_type(name: &str) -> Option<&'static str> {
    if !app::valid::is_stored_name(name) {
        return None;
    }
    Some(match name.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        _ => "image/webp",
    })
}

/// Answers a stored image by name (only names this store makes), cached for good.
pub async fn serve_from(store: &ImageStore, name: &str) -> Response {
    match store.read(name).await {
        Some((bytes, content_type)) => (
            [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_store_names_have_a_content_type() {
        let good = format!("{}.png", "a".repeat(64));
        assert_eq!(content_type(&good), Some("image/png"));
        assert!(content_type("../../etc/passwd").is_none());
        assert!(content_type(&format!("{}.svg", "a".repeat(64))).is_none());
        assert!(content_type(&format!("{}.png", "A".repeat(64))).is_none());
    }
}
