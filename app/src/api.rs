//! The JSON contract between the page and our server, and the browser's calls.

use crate::validate::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `POST /api/generate`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// Catalog slug, e.g. `aimlapi/flux/dev`.
    pub model: String,
    pub params: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratedImage {
    /// Where our server stores it: `/images/<sha256>.<ext>`.
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub content_type: String,
    /// The provider's NSFW flag, when it reports one.
    pub nsfw: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateResponse {
    pub request_id: String,
    pub model: String,
    /// True when the images come from the built-in emulator, not the provider.
    pub emulated: bool,
    pub images: Vec<GeneratedImage>,
    pub seed: Option<u64>,
    /// The form left the seed empty, so the server chose it (and sent it).
    pub seed_chosen: bool,
    /// Wall time of the whole generation on our server.
    pub total_ms: u64,
    /// The provider's own timings object, when it sends one.
    pub timings: Option<Value>,
    pub usage: Option<Value>,
}

/// Every error body our API returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ApiError {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), fields: Vec::new(), request_id: None }
    }
}

/// Largest reference image accepted by `POST /api/uploads`.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// `POST /api/uploads` answer: the reference to put in an image field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Upload {
    /// `/uploads/<sha256>.<ext>`: the form value, and where the preview is served.
    pub reference: String,
    pub width: u32,
    pub height: u32,
    pub content_type: String,
    pub bytes: usize,
}

/// Which providers call the real API and which the emulator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackendStatus {
    pub providers: Vec<ProviderStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderStatus {
    pub id: String,
    pub live: bool,
}

impl BackendStatus {
    pub fn is_live(&self, provider: &str) -> bool {
        self.providers.iter().any(|p| p.id == provider && p.live)
    }
}

/// Calls our server's generate endpoint from the browser.
#[cfg(feature = "hydrate")]
pub async fn generate(req: GenerateRequest) -> Result<GenerateResponse, ApiError> {
    use gloo_net::http::Request;
    let unreachable = |e: gloo_net::Error| ApiError::new(format!("Could not reach the fluxplay server: {e}"));
    let resp = Request::post("/api/generate").json(&req).map_err(unreachable)?.send().await.map_err(unreachable)?;
    if resp.ok() {
        resp.json().await.map_err(|e| ApiError::new(format!("Unexpected answer from the server: {e}")))
    } else {
        let status = resp.status();
        Err(resp.json().await.unwrap_or_else(|_| ApiError::new(format!("The server answered {status}"))))
    }
}

/// Uploads a reference image from the browser.
#[cfg(feature = "hydrate")]
pub async fn upload(file: web_sys::File) -> Result<Upload, ApiError> {
    use gloo_net::http::Request;
    let unreachable = |e: gloo_net::Error| ApiError::new(format!("Could not reach the fluxplay server: {e}"));
    let resp = Request::post("/api/uploads")
        .header("content-type", &file.type_())
        .body(file)
        .map_err(unreachable)?
        .send()
        .await
        .map_err(unreachable)?;
    match resp.status() {
        200 => resp.json().await.map_err(|e| ApiError::new(format!("Unexpected answer from the server: {e}"))),
        413 => Err(ApiError::new("The file is larger than 10 MB")),
        status => Err(resp.json().await.unwrap_or_else(|_| ApiError::new(format!("The server answered {status}")))),
    }
}

#[cfg(not(feature = "hydrate"))]
pub async fn generate(_req: GenerateRequest) -> Result<GenerateResponse, ApiError> {
    Err(ApiError::new("Generating runs in the browser"))
}
