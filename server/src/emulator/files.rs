//! In-memory image hosting for the emulators (their stand-in for a CDN).

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Only the newest images are kept (at most this many, and this many bytes);
/// the real CDNs expire theirs too.
const CAPACITY: usize = 64;
const MAX_BYTES: usize = 64 << 20;

/// File name, content type, bytes.
type Entry = (String, &'static str, Bytes);

#[derive(Clone, Default)]
pub struct Files(Arc<Mutex<VecDeque<Entry>>>);

impl Files {
    /// Stores an image and returns its file name.
    pub fn put(&self, ext: &str, content_type: &'static str, bytes: Bytes) -> String {
        let name = format!("{}.{ext}", uuid::Uuid::new_v4().simple());
        let mut files = self.0.lock().expect("files lock");
        let mut held: usize = files.iter().map(|(_, _, b)| b.len()).sum();
        while !files.is_empty() && (files.len() >= CAPACITY || held + bytes.len() > MAX_BYTES) {
            held -= files.pop_front().map_or(0, |(_, _, b)| b.len());
        }
        files.push_back((name.clone(), content_type, bytes));
        name
    }

    fn get(&self, name: &str) -> Option<(&'static str, Bytes)> {
        let files = self.0.lock().expect("files lock");
        files.iter().find(|(n, ..)| n == name).map(|(_, t, b)| (*t, b.clone()))
    }
}

pub async fn serve(State(files): State<Files>, Path(name): Path<String>) -> Response {
    match files.get(&name) {
        Some((content_type, bytes)) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "no such file (emulator files are kept briefly)").into_response(),
    }
}
