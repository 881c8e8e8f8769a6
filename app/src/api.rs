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
    /// The provider's answer, long strings shortened; never holds a key.
    pub upstream: Option<Value>,
}

/// Where a generation started with `POST /api/jobs` is (`GET /api/jobs/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
    /// Waiting at the provider; `position` where it reports one.
    Queued {
        position: Option<u32>,
    },
    /// Generating; `progress` from 0 to 1 where the provider reports it.
    Running {
        progress: Option<f64>,
    },
    Done {
        result: Box<GenerateResponse>,
    },
    Failed {
        error: ApiError,
    },
}

/// `POST /api/jobs` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobTicket {
    pub job: String,
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
    /// The model name the server sends (`OPENAI_IMAGES_MODEL`), not a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
}

impl BackendStatus {
    pub fn is_live(&self, provider: &str) -> bool {
        self.providers.iter().any(|p| p.id == provider && p.live)
    }

    /// The model name the server sends for `provider`, where one is configured.
    pub fn model_name(&self, provider: &str) -> Option<&str> {
        self.providers.iter().find(|p| p.id == provider).and_then(|p| p.model_name.as_deref())
    }
}

/// Starts a generation job from the browser and polls it to the end,
/// telling `progress` each queued/running state the server reports.
#[cfg(feature = "hydrate")]
pub async fn generate(req: GenerateRequest, progress: impl Fn(JobState)) -> Result<GenerateResponse, ApiError> {
    use crate::js_json::{get, number, string};
    let body = serde_json::to_string(&req).map_err(|e| ApiError::new(e.to_string()))?;
    let start = gloo_net::http::Request::post("/api/jobs").header("content-type", "application/json").body(body);
    let ticket = answer(start).await?;
    let job = string(&ticket, "job").ok_or_else(|| ApiError::new("Unexpected answer from the server"))?;
    loop {
        sleep_ms(400).await;
        let state = answer(gloo_net::http::Request::get(&format!("/api/jobs/{job}")).build()).await?;
        match string(&state, "state").as_deref() {
            Some("queued") => progress(JobState::Queued { position: number(&state, "position").map(|p| p as u32) }),
            Some("running") => progress(JobState::Running { progress: number(&state, "progress") }),
            Some("done") => {
                return read::generated(&get(&state, "result"))
                    .ok_or_else(|| ApiError::new("Unexpected answer from the server"))
            }
            Some("failed") => return Err(read::api_error(&get(&state, "error"))),
            _ => return Err(ApiError::new("Unexpected answer from the server")),
        }
    }
}

#[cfg(feature = "hydrate")]
async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = leptos::prelude::window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Uploads a reference image from the browser.
#[cfg(feature = "hydrate")]
pub async fn upload(file: web_sys::File) -> Result<Upload, ApiError> {
    let request = gloo_net::http::Request::post("/api/uploads").header("content-type", &file.type_()).body(file);
    let json = answer(request).await?;
    read::upload(&json).ok_or_else(|| ApiError::new("Unexpected answer from the server"))
}

/// Sends a request and reads the JSON answer; an error answer becomes its `ApiError`.
#[cfg(feature = "hydrate")]
async fn answer(request: Result<gloo_net::http::Request, gloo_net::Error>) -> Result<wasm_bindgen::JsValue, ApiError> {
    let unreachable = |e: gloo_net::Error| ApiError::new(format!("Could not reach the fluxplay server: {e}"));
    let resp = request.map_err(unreachable)?.send().await.map_err(unreachable)?;
    let status = resp.status();
    let json = crate::js_json::parse(&resp.text().await.map_err(unreachable)?);
    if resp.ok() {
        return json.ok_or_else(|| ApiError::new("Unexpected answer from the server"));
    }
    Err(json.map(|v| read::api_error(&v)).filter(|e| !e.message.is_empty()).unwrap_or_else(|| match status {
        413 => ApiError::new("The file is larger than 10 MB"),
        s => ApiError::new(format!("The server answered {s}")),
    }))
}

/// The answers' shapes, read field by field (see `js_json` for why not serde).
#[cfg(feature = "hydrate")]
pub(crate) mod read {
    use super::*;
    use crate::js_json::{array, boolean, get, number, string, to_value};
    use wasm_bindgen::JsValue;

    pub fn api_error(v: &JsValue) -> ApiError {
        ApiError {
            message: string(v, "message").unwrap_or_default(),
            fields: array(v, "fields")
                .iter()
                .map(|f| FieldError {
                    field: string(f, "field").unwrap_or_default(),
                    message: string(f, "message").unwrap_or_default(),
                })
                .collect(),
            request_id: string(v, "request_id"),
        }
    }

    fn optional(v: &JsValue, key: &str) -> Option<Value> {
        let value = get(v, key);
        (!value.is_null() && !value.is_undefined()).then(|| to_value(&value))
    }

    pub fn generated(v: &JsValue) -> Option<GenerateResponse> {
        let images = array(v, "images")
            .iter()
            .map(|i| {
                Some(GeneratedImage {
                    url: string(i, "url")?,
                    width: number(i, "width")? as u32,
                    height: number(i, "height")? as u32,
                    content_type: string(i, "content_type")?,
                    nsfw: boolean(i, "nsfw"),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(GenerateResponse {
            request_id: string(v, "request_id")?,
            model: string(v, "model")?,
            emulated: boolean(v, "emulated")?,
            images,
            seed: number(v, "seed").map(|s| s as u64),
            seed_chosen: boolean(v, "seed_chosen").unwrap_or(false),
            total_ms: number(v, "total_ms").unwrap_or(0.0) as u64,
            timings: optional(v, "timings"),
            usage: optional(v, "usage"),
            upstream: optional(v, "upstream"),
        })
    }

    pub fn upload(v: &JsValue) -> Option<Upload> {
        Some(Upload {
            reference: string(v, "reference")?,
            width: number(v, "width")? as u32,
            height: number(v, "height")? as u32,
            content_type: string(v, "content_type")?,
            bytes: number(v, "bytes")? as usize,
        })
    }

    pub fn backend_status(v: &JsValue) -> BackendStatus {
        BackendStatus {
            providers: array(v, "providers")
                .iter()
                .filter_map(|p| {
                    let model_name = string(p, "model_name");
                    Some(ProviderStatus { id: string(p, "id")?, live: boolean(p, "live")?, model_name })
                })
                .collect(),
        }
    }
}

#[cfg(not(feature = "hydrate"))]
pub async fn generate(_req: GenerateRequest, _progress: impl Fn(JobState)) -> Result<GenerateResponse, ApiError> {
    Err(ApiError::new("Generating runs in the browser"))
}
