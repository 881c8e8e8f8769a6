//! The image store: content-addressed files in the data directory, so a result
//! survives the provider's expiring URLs and is served from our own origin.

use crate::decode::Checked;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

pub struct ImageStore {
    dir: PathBuf,
    /// Uploads only: a size quota and an age limit. Generated images are the history and stay.
    quota: Option<Arc<Quota>>,
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
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// As our API's error: an upload larger than the whole quota is 507, a disk error is ours.
    pub fn into_error(self) -> crate::error::Error {
        use crate::error::Error;
        let message = self.to_string();
        match self {
            StoreError::OverQuota { .. } => Error::Rejected {
                status: axum::http::StatusCode::INSUFFICIENT_STORAGE,
                message: format!("The upload cannot be kept: {message}"),
            },
            StoreError::Io(_) => Error::Internal(format!("cannot store the upload: {message}")),
        }
    }
}

/// How much the uploads directory may hold, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct QuotaLimits {
    pub max_bytes: u64,
    pub max_age: Duration,
}

struct Quota {
    dir: PathBuf,
    limits: QuotaLimits,
    /// What the directory holds: each file's size and when it was last put. One
    /// lock around every put and removal, so the count and the disk agree.
    ledger: tokio::sync::Mutex<Ledger>,
}

#[derive(Default)]
struct Ledger {
    total: u64,
    files: HashMap<String, (SystemTime, u64)>,
}

impl Ledger {
    fn insert(&mut self, name: String, when: SystemTime, size: u64) {
        if let Some((_, old)) = self.files.insert(name, (when, size)) {
            self.total -= old;
        }
        self.total += size;
    }

    fn remove(&mut self, name: &str) {
        if let Some((_, size)) = self.files.remove(name) {
            self.total -= size;
        }
    }

    /// The oldest files that must go for `incoming` more bytes to fit in `max`.
    fn make_room(&mut self, incoming: u64, max: u64) -> Vec<String> {
        if self.total + incoming <= max {
            return Vec::new();
        }
        let mut by_age: Vec<(SystemTime, String)> = self.files.iter().map(|(n, (t, _))| (*t, n.clone())).collect();
        by_age.sort();
        let mut gone = Vec::new();
        for (_, name) in by_age {
            if self.total + incoming <= max {
                break;
            }
            self.remove(&name);
            gone.push(name);
        }
        gone
    }

    /// Files last put before `cutoff`.
    fn expire(&mut self, cutoff: SystemTime) -> Vec<String> {
        let old: Vec<String> = self.files.iter().filter(|(_, (t, _))| *t < cutoff).map(|(n, _)| n.clone()).collect();
        old.iter().for_each(|n| self.remove(n));
        old
    }
}

/// `.<name>.<uuid>`: a file `put` was writing when the process stopped.
fn is_temp_name(file: &str) -> bool {
    file.strip_prefix('.')
        .and_then(|rest| rest.rsplit_once('.'))
        .is_some_and(|(name, id)| app::valid::is_stored_name(name) && uuid::Uuid::parse_str(id).is_ok())
}

/// Removes what `put` left half-written (on start-up, so no `put` is running), and
/// lists the stored images with their size and age.
fn scan(dir: &FsPath) -> std::io::Result<Vec<(String, SystemTime, u64)>> {
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        if is_temp_name(&name) {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => tracing::info!(file = %entry.path().display(), "removed a temporary file left by a stop"),
                Err(e) => tracing::warn!(file = %entry.path().display(), "cannot remove a temporary file: {e}"),
            }
        } else if app::valid::is_stored_name(&name) {
            let meta = entry.metadata()?;
            stored.push((name, meta.modified().unwrap_or_else(|_| SystemTime::now()), meta.len()));
        }
    }
    Ok(stored)
}

impl ImageStore {
    /// A store that keeps everything (generated images); temporary files from
    /// an earlier run are removed.
    pub fn open(dir: &FsPath) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        scan(dir)?;
        Ok(Self { dir: dir.to_owned(), quota: None })
    }

    /// A store within `limits` (uploads): what is over the age limit, or over
    /// the quota (oldest first), is removed now and from then on; a task
    /// (when a runtime is there to run it) removes expired files periodically.
    pub fn open_with_quota(dir: &FsPath, limits: QuotaLimits) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let mut ledger = Ledger::default();
        for (name, when, size) in scan(dir)? {
            ledger.insert(name, when, size);
        }
        let cutoff = SystemTime::now().checked_sub(limits.max_age).unwrap_or(SystemTime::UNIX_EPOCH);
        let mut gone = ledger.expire(cutoff);
        gone.extend(ledger.make_room(0, limits.max_bytes));
        for name in &gone {
            remove(&dir.join(name));
        }
        let quota = Arc::new(Quota { dir: dir.to_owned(), limits, ledger: tokio::sync::Mutex::new(ledger) });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(sweep(Arc::downgrade(&quota)));
        }
        Ok(Self { dir: dir.to_owned(), quota: Some(quota) })
    }

    pub fn dir(&self) -> &FsPath {
        &self.dir
    }

    /// Keeps a decoded image under its content hash. In a store with a quota,
    /// the oldest uploads make room for it; the same bytes again count as new.
    pub async fn put(&self, image: &Checked) -> Result<StoredImage, StoreError> {
        let name = format!("{:x}.{}", Sha256::digest(&image.bytes), image.format.ext());
        let path = self.dir.join(&name);
        let stored = StoredImage {
            name: name.clone(),
            width: image.width,
            height: image.height,
            content_type: image.format.content_type(),
        };
        let Some(quota) = &self.quota else {
            write(&self.dir, &path, &image.bytes).await?;
            return Ok(stored);
        };
        let size = image.bytes.len() as u64;
        if size > quota.limits.max_bytes {
            return Err(StoreError::OverQuota { size, quota: quota.limits.max_bytes });
        }
        let mut ledger = quota.ledger.lock().await;
        ledger.remove(&name);
        for old in ledger.make_room(size, quota.limits.max_bytes) {
            tracing::info!(file = old, "uploads quota: removed the oldest upload");
            remove(&quota.dir.join(old));
        }
        let now = SystemTime::now();
        if !write(&self.dir, &path, &image.bytes).await? {
            // Already there: it is new again, also for the next start's count.
            let _ = std::fs::File::options().write(true).open(&path).and_then(|f| f.set_modified(now));
        }
        ledger.insert(name, now, size);
        Ok(stored)
    }

    /// Removes the uploads put longer ago than the age limit; how many went.
    pub async fn remove_expired(&self) -> usize {
        match &self.quota {
            Some(quota) => quota.remove_expired().await,
            None => 0,
        }
    }

    /// Bytes the quota counts (0 without one).
    pub async fn used_bytes(&self) -> u64 {
        match &self.quota {
            Some(quota) => quota.ledger.lock().await.total,
            None => 0,
        }
    }

    /// Only names this store makes (64 hex digits and a known extension) are looked up.
    pub fn path_of(&self, name: &str) -> Option<(PathBuf, &'static str)> {
        if !app::valid::is_stored_name(name) {
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

impl Quota {
    async fn remove_expired(&self) -> usize {
        let cutoff = SystemTime::now().checked_sub(self.limits.max_age).unwrap_or(SystemTime::UNIX_EPOCH);
        let mut ledger = self.ledger.lock().await;
        let gone = ledger.expire(cutoff);
        for name in &gone {
            remove(&self.dir.join(name));
        }
        if !gone.is_empty() {
            tracing::info!(removed = gone.len(), "uploads older than the age limit removed");
        }
        gone.len()
    }
}

/// Every quarter of the age limit (between a second and ten minutes), until the store is dropped.
async fn sweep(quota: Weak<Quota>) {
    let Some(every) =
        quota.upgrade().map(|q| (q.limits.max_age / 4).clamp(Duration::from_secs(1), Duration::from_secs(600)))
    else {
        return;
    };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(quota) = quota.upgrade() else { return };
        quota.remove_expired().await;
    }
}

/// Writes `bytes` to `path` unless it is there already (the name is the content's
/// hash); through a temporary file, so a reader never sees half a file. Whether it wrote.
async fn write(dir: &FsPath, path: &FsPath, bytes: &[u8]) -> std::io::Result<bool> {
    if tokio::fs::metadata(path).await.is_ok() {
        return Ok(false);
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}", uuid::Uuid::new_v4()));
    tokio::fs::write(&tmp, bytes).await?;
    if let Err(e) = tokio::fs::rename(&tmp, path).await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(e);
    }
    Ok(true)
}

fn remove(path: &FsPath) {
    if let Err(e) = std::fs::remove_file(path) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(file = %path.display(), "cannot remove an upload: {e}");
        }
    }
}

/// Answers a stored image by name (only names this store makes), cached for good.
pub async fn serve_from(store: &ImageStore, name: &str) -> Response {
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
        let store = ImageStore { dir: PathBuf::from("/data"), quota: None };
        let good = format!("{}.png", "a".repeat(64));
        assert!(store.path_of(&good).is_some());
        assert!(store.path_of("../../etc/passwd").is_none());
        assert!(store.path_of(&format!("{}.svg", "a".repeat(64))).is_none());
        assert!(store.path_of(&format!("{}.png", "A".repeat(64))).is_none());
    }

    #[test]
    fn only_our_temporary_names_count_as_temporary() {
        let name = format!("{}.png", "a".repeat(64));
        assert!(is_temp_name(&format!(".{name}.{}", uuid::Uuid::new_v4())));
        for other in [name.clone(), format!(".{name}"), format!(".{name}.x"), ".gitignore".into(), ".keep.0".into()] {
            assert!(!is_temp_name(&other), "{other}");
        }
    }

    #[test]
    fn the_ledger_removes_the_oldest_first_and_by_age() {
        let t = |s: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        let mut ledger = Ledger::default();
        ledger.insert("a".into(), t(1), 40);
        ledger.insert("b".into(), t(2), 40);
        ledger.insert("c".into(), t(3), 10);
        assert_eq!(ledger.make_room(10, 100), Vec::<String>::new(), "exactly full is within the quota");
        assert_eq!(ledger.make_room(11, 100), ["a"]);
        assert_eq!(ledger.total, 50);
        ledger.insert("b".into(), t(9), 40);
        assert_eq!(ledger.total, 50, "the same name again is counted once");
        assert_eq!(ledger.expire(t(5)), ["c"]);
        assert_eq!(ledger.total, 40);
    }
}
