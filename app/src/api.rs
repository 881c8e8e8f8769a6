//! The JSON contract between the page and our server, and the browser's calls.
//!
//! These types are the only description of the answers: the server serialises
//! them and the page decodes them through `decode`, which refuses a shape it
//! does not know. A field without `#[serde(default)]` is required; a nullable
//! one (`Option` read with `Option::deserialize`) must be present, `null` when empty.

use crate::validate::FieldError;
use crate::wire::{text, Obj, Wire};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `POST /api/generate`
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// Catalog slug, e.g. `aimlapi/flux/dev`.
    pub model: String,
    pub params: Map<String, Value>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedImage {
    /// Where our server stores it: `/images/<sha256>.<ext>`.
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub content_type: String,
    /// The provider's NSFW flag, when it reports one.
    #[serde(deserialize_with = "Option::deserialize")]
    #[cfg_attr(feature = "ssr", schema(required))]
    pub nsfw: Option<bool>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateResponse {
    pub request_id: String,
    pub model: String,
    /// True when the images come from the built-in emulator, not the provider.
    pub emulated: bool,
    pub images: Vec<GeneratedImage>,
    #[serde(deserialize_with = "Option::deserialize")]
    #[cfg_attr(feature = "ssr", schema(required))]
    pub seed: Option<u64>,
    /// The form left the seed empty, so the server chose it (and sent it).
    pub seed_chosen: bool,
    /// Wall time of the whole generation on our server.
    pub total_ms: u64,
    /// The provider's own timings object, when it sends one.
    #[serde(deserialize_with = "Option::deserialize")]
    #[cfg_attr(feature = "ssr", schema(required))]
    pub timings: Option<Value>,
    #[serde(deserialize_with = "Option::deserialize")]
    #[cfg_attr(feature = "ssr", schema(required))]
    pub usage: Option<Value>,
    /// The prompt the model ran, where the provider returns one that differs from
    /// the user's (BFL's upsampling, FLUX 3's reasoning).
    #[serde(deserialize_with = "Option::deserialize")]
    #[cfg_attr(feature = "ssr", schema(required))]
    pub ran_prompt: Option<String>,
    /// The provider's answer, long strings shortened; never holds a key.
    #[serde(deserialize_with = "Option::deserialize")]
    #[cfg_attr(feature = "ssr", schema(required))]
    pub upstream: Option<Value>,
    /// `/r/{id}`: the generation's page in the history, where it was recorded.
    #[serde(deserialize_with = "Option::deserialize")]
    #[cfg_attr(feature = "ssr", schema(required))]
    pub permalink: Option<String>,
}

/// Where a generation started with `POST /api/jobs` is (`GET /api/jobs/{id}`).
/// On the wire: `{"state": "queued", "position": …}` and so on, one member per state.
/// It is read through `JobWire`, a flat struct: serde's internally tagged enums buffer
/// every member first, which cost the wasm about 15 KB.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", try_from = "JobWire")]
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

/// `JobState` as it is read: the state, and the one member that state carries.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JobWire {
    state: String,
    #[serde(default)]
    position: Option<u32>,
    #[serde(default)]
    progress: Option<f64>,
    #[serde(default)]
    result: Option<Box<GenerateResponse>>,
    #[serde(default)]
    error: Option<ApiError>,
}

impl TryFrom<JobWire> for JobState {
    type Error = String;

    fn try_from(w: JobWire) -> Result<Self, Self::Error> {
        Ok(match w.state.as_str() {
            "queued" => JobState::Queued { position: w.position },
            "running" => JobState::Running { progress: w.progress },
            "done" => JobState::Done { result: w.result.ok_or("a done job without its result")? },
            "failed" => JobState::Failed { error: w.error.ok_or("a failed job without its error")? },
            other => return Err(format!("unknown job state `{other}`")),
        })
    }
}

/// `POST /api/jobs` answer.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobTicket {
    pub job: String,
}

/// Every error body our API returns.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// `/uploads/<sha256>.<ext>`: the form value, and where the preview is served (under
    /// the site's base path, where it has one).
    pub reference: String,
    pub width: u32,
    pub height: u32,
    pub content_type: String,
    pub bytes: usize,
}

/// Which providers call the real API and which the emulator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendStatus {
    pub providers: Vec<ProviderStatus>,
    /// The run the page opened on (`?result=`) while it is still going: the page follows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<String>,
    /// The form the server rendered, where it is not the address's (one posted without
    /// script that did not validate): a query, as in a share link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    /// What is left of a public demo's daily budget, in words (live providers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
    /// The models this server offers (slugs), where fewer than the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<String>>,
    /// The model a page without a link opens on, where the server sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_model: Option<String>,
    /// The page title, where the server sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

    /// Whether this server offers `model`.
    pub fn offers(&self, model: crate::catalog::ModelRef) -> bool {
        self.models.as_ref().is_none_or(|m| m.contains(&model.slug()))
    }

    /// The model a page without a link opens on: the server's choice, else the first offered.
    pub fn default_model(&self) -> crate::catalog::ModelRef {
        let offered = |m: &crate::catalog::ModelRef| self.offers(*m);
        let chosen = self.default_model.as_deref().and_then(crate::catalog::find).filter(offered);
        chosen.or_else(|| crate::catalog::models().find(offered)).unwrap_or_else(crate::catalog::default_model)
    }

    /// The model name the server sends for `provider`, where one is configured.
    pub fn model_name(&self, provider: &str) -> Option<&str> {
        self.providers.iter().find(|p| p.id == provider).and_then(|p| p.model_name.as_deref())
    }
}

// The page's readers of these types (see `wire`).

impl Wire for GeneratedImage {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(value, &["url", "width", "height", "content_type", "nsfw"])?;
        Ok(Self {
            url: o.string("url")?,
            width: o.u32("width")?,
            height: o.u32("height")?,
            content_type: o.string("content_type")?,
            nsfw: o.nullable("nsfw", "a boolean", Value::as_bool)?,
        })
    }
}

impl Wire for GenerateResponse {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(
            value,
            &[
                "request_id",
                "model",
                "emulated",
                "images",
                "seed",
                "seed_chosen",
                "total_ms",
                "timings",
                "usage",
                "ran_prompt",
                "upstream",
                "permalink",
            ],
        )?;
        let any = |v: &Value| Some(v.clone());
        Ok(Self {
            request_id: o.string("request_id")?,
            model: o.string("model")?,
            emulated: o.boolean("emulated")?,
            images: o.list("images", true)?,
            seed: o.nullable("seed", "a whole number", Value::as_u64)?,
            seed_chosen: o.boolean("seed_chosen")?,
            total_ms: o.get("total_ms", "a whole number", Value::as_u64)?,
            timings: o.nullable("timings", "a value", any)?,
            usage: o.nullable("usage", "a value", any)?,
            ran_prompt: o.nullable("ran_prompt", "a string", text)?,
            upstream: o.nullable("upstream", "a value", any)?,
            permalink: o.nullable("permalink", "a string", text)?,
        })
    }
}

/// On the wire: `{"state": "queued", "position": …}` and so on, one member per state.
impl Wire for JobState {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(value, &["state", "position", "progress", "result", "error"])?;
        Ok(match o.string("state")?.as_str() {
            "queued" => {
                let position =
                    o.optional("position", "a whole number", |v| v.as_u64().and_then(|n| u32::try_from(n).ok()))?;
                JobState::Queued { position }
            }
            "running" => JobState::Running { progress: o.optional("progress", "a number", Value::as_f64)? },
            "done" => {
                let result = o.optional("result", "a result", |v| Some(GenerateResponse::read(v)))?;
                let result = result.ok_or("a done job without its result")??;
                JobState::Done { result: Box::new(result) }
            }
            "failed" => {
                let error = o.optional("error", "an error", |v| Some(ApiError::read(v)))?;
                JobState::Failed { error: error.ok_or("a failed job without its error")?? }
            }
            other => return Err(format!("unknown job state `{other}`")),
        })
    }
}

impl Wire for JobTicket {
    fn read(value: &Value) -> Result<Self, String> {
        Ok(Self { job: Obj::new(value, &["job"])?.string("job")? })
    }
}

impl Wire for ApiError {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(value, &["message", "fields", "request_id"])?;
        Ok(Self {
            message: o.string("message")?,
            fields: o.list("fields", false)?,
            request_id: o.optional("request_id", "a string", text)?,
        })
    }
}

/// Read as its derive reads it: members beside `field` and `message` are let be.
impl Wire for FieldError {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj(value.as_object().ok_or("expected an object")?);
        Ok(Self { field: o.string("field")?, message: o.string("message")? })
    }
}

impl Wire for Upload {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(value, &["reference", "width", "height", "content_type", "bytes"])?;
        Ok(Self {
            reference: o.string("reference")?,
            width: o.u32("width")?,
            height: o.u32("height")?,
            content_type: o.string("content_type")?,
            bytes: o.get("bytes", "a whole number", |v| v.as_u64().and_then(|n| usize::try_from(n).ok()))?,
        })
    }
}

impl Wire for BackendStatus {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(value, &["providers", "running", "form", "budget", "models", "default_model", "title"])?;
        let strings = |v: &Value| v.as_array()?.iter().map(|s| s.as_str().map(str::to_owned)).collect();
        Ok(Self {
            providers: o.list("providers", true)?,
            running: o.optional("running", "a string", text)?,
            form: o.optional("form", "a string", text)?,
            budget: o.optional("budget", "a string", text)?,
            models: o.optional("models", "a list of strings", strings)?,
            default_model: o.optional("default_model", "a string", text)?,
            title: o.optional("title", "a string", text)?,
        })
    }
}

impl Wire for ProviderStatus {
    fn read(value: &Value) -> Result<Self, String> {
        let o = Obj::new(value, &["id", "live", "model_name"])?;
        Ok(Self {
            id: o.string("id")?,
            live: o.boolean("live")?,
            model_name: o.optional("model_name", "a string", text)?,
        })
    }
}

pub use crate::unreadable::Unreadable;

impl Unreadable {
    /// What the page shows for an answer it cannot read.
    pub fn to_api(&self) -> ApiError {
        match self {
            Self::NotJson => ApiError::new("The server's answer is not JSON"),
            Self::Shape(why) => ApiError::new(format!("The server answered in a shape this page does not know: {why}")),
        }
    }
}

/// The one way the page reads an answer: the text parsed, then read by the wire
/// type's reader (`wire`). Unknown fields, missing required ones and wrong types are
/// errors, never defaults. In the browser the text is parsed with `JSON.parse` (see
/// `js_json`); natively (tests) with serde_json.
pub fn decode<T: Wire>(text: &str) -> Result<T, Unreadable> {
    #[cfg(feature = "hydrate")]
    let value: Value = crate::js_json::decode(text)?;
    #[cfg(not(feature = "hydrate"))]
    let value: Value = serde_json::from_str(text).map_err(|_| Unreadable::NotJson)?;
    T::read(&value).map_err(Unreadable::Shape)
}

/// What the page makes of an answer to one of its calls: `status` and body text.
/// A success decodes as `T`; an error answer as our `ApiError`.
pub fn read_answer<T: Wire>(status: u16, text: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        return decode(text).map_err(|e| e.to_api());
    }
    match decode::<ApiError>(text) {
        Ok(error) => Err(error),
        Err(Unreadable::NotJson) => Err(match status {
            413 => ApiError::new("The file is larger than 10 MB"),
            s => ApiError::new(format!("The server answered {s}")),
        }),
        Err(shape) => Err(shape.to_api()),
    }
}

/// Starts a generation job from the browser: its id, to `poll`.
#[cfg(feature = "hydrate")]
pub async fn start(req: GenerateRequest) -> Result<String, ApiError> {
    // JSON values always serialise; formatting serde_json's error would cost the wasm its
    // whole table of parse messages (measured: 1.6 KB compressed).
    let body = serde_json::to_string(&req).unwrap_or_default();
    let (status, text) = send("POST", "api/jobs", Some(("application/json", body.into()))).await?;
    read_answer::<JobTicket>(status, &text).map(|t| t.job)
}

/// Job `job`'s state, after a pause: 100 ms before the first poll, 100 ms more each
/// time up to 400 ms, so a fast run shows at once and a slow one costs few requests.
#[cfg(feature = "hydrate")]
pub async fn poll(job: &str, attempt: u32) -> Result<JobState, ApiError> {
    sleep_ms(100 * attempt.saturating_add(1).min(4) as i32).await;
    let (status, text) = send("GET", &format!("api/jobs/{job}"), None).await?;
    read_answer(status, &text)
}

/// Cancels job `job`: the server's words on what may still be charged.
#[cfg(feature = "hydrate")]
pub async fn cancel(job: &str) -> Result<ApiError, ApiError> {
    let (status, text) = send("DELETE", &format!("api/jobs/{job}"), None).await?;
    read_answer(status, &text)
}

#[cfg(not(feature = "hydrate"))]
pub async fn start(_req: GenerateRequest) -> Result<String, ApiError> {
    Err(ApiError::new("Generating runs in the browser"))
}

#[cfg(not(feature = "hydrate"))]
pub async fn poll(_job: &str, _attempt: u32) -> Result<JobState, ApiError> {
    Err(ApiError::new("Generating runs in the browser"))
}

#[cfg(not(feature = "hydrate"))]
pub async fn cancel(_job: &str) -> Result<ApiError, ApiError> {
    Err(ApiError::new("Generating runs in the browser"))
}

#[cfg(feature = "hydrate")]
async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = leptos::prelude::window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A text the server renders for the page, e.g. a snippet (`/api/snippet`) or the cost
/// estimate (`/api/estimate`): their code stays out of the wasm. `done` hears the text,
/// or why there is none; not generic over the answer, so one future serves both.
pub fn fetch_text(url: String, done: impl Fn(Result<String, ApiError>) + 'static) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let answer = match send("GET", &url, None).await {
            Ok((200, text)) => Ok(text),
            Ok((status, text)) => read_answer::<()>(status, &text).map(|()| text),
            Err(e) => Err(e),
        };
        done(answer);
    });
    #[cfg(not(feature = "hydrate"))]
    drop((url, done));
}

/// Uploads a reference image from the browser.
#[cfg(feature = "hydrate")]
pub async fn upload(file: web_sys::File) -> Result<Upload, ApiError> {
    let (status, text) = send("POST", "api/uploads", Some((&file.type_(), file.into()))).await?;
    read_answer(status, &text)
}

/// Sends a request with the browser's `fetch`: the answer's status and text, for
/// `read_answer`. `url` is relative: the page is in the site's folder (`{base}/`), so
/// one wasm works under any base path. Not generic, so the wasm holds one copy of this future rather than
/// one per answer type; no HTTP client crate, whose wrappers cost first-load bytes.
#[cfg(feature = "hydrate")]
async fn send(method: &str, url: &str, body: Option<(&str, wasm_bindgen::JsValue)>) -> Result<(u16, String), ApiError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let unreachable = |e: wasm_bindgen::JsValue| {
        let why = e.dyn_ref::<js_sys::Error>().map_or_else(|| "no answer".into(), |e| String::from(e.message()));
        ApiError::new(format!("Could not reach the fluxplay server: {why}"))
    };
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some((content_type, body)) = body {
        let headers = web_sys::Headers::new().map_err(unreachable)?;
        headers.set("content-type", content_type).map_err(unreachable)?;
        init.set_headers(&headers);
        init.set_body(&body);
    }
    let answer =
        JsFuture::from(leptos::prelude::window().fetch_with_str_and_init(url, &init)).await.map_err(unreachable)?;
    let resp: web_sys::Response = answer.unchecked_into();
    let text = JsFuture::from(resp.text().map_err(unreachable)?).await.map_err(unreachable)?;
    Ok((resp.status(), text.as_string().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_the_page_does_not_know_fails_loudly() {
        let image = r#"{"url": "/images/a.png", "width": 1, "height": 1, "content_type": "image/png", "nsfw": null}"#;
        let done = format!(
            r#"{{"state": "done", "result": {{"request_id": "r", "model": "m", "emulated": true, "images": [{image}],
               "seed": 1, "seed_chosen": false, "total_ms": 3, "timings": null, "usage": null, "ran_prompt": null, "upstream": null, "permalink": "/r/r"}}}}"#
        );
        assert!(matches!(decode::<JobState>(&done), Ok(JobState::Done { .. })));

        let unknown_field = done.replace(r#""seed": 1"#, r#""seed": 1, "cost": 2"#);
        let missing_field = done.replace(r#""total_ms": 3, "#, "");
        let missing_nullable = done.replace(r#", "nsfw": null"#, "");
        let wrong_type = done.replace(r#""width": 1"#, r#""width": "1""#);
        let unknown_state = done.replace(r#""state": "done""#, r#""state": "paused""#);
        for (what, text) in [
            ("unknown field", unknown_field),
            ("missing field", missing_field),
            ("missing nullable field", missing_nullable),
            ("wrong type", wrong_type),
            ("unknown state", unknown_state),
        ] {
            let err = read_answer::<JobState>(200, &text).unwrap_err();
            assert!(
                err.message.starts_with("The server answered in a shape this page does not know: "),
                "{what}: {err:?}"
            );
        }
        assert_eq!(decode::<Upload>("<html>"), Err(Unreadable::NotJson));
    }

    #[test]
    fn error_answers_read_as_api_errors() {
        let body = r#"{"message": "No", "fields": [{"field": "seed", "message": "too big"}], "request_id": "r"}"#;
        let err = read_answer::<Upload>(422, body).unwrap_err();
        assert_eq!((err.message.as_str(), err.fields.len(), err.request_id.as_deref()), ("No", 1, Some("r")));
        // Not JSON (a proxy's page, an empty body): the status speaks.
        assert_eq!(read_answer::<Upload>(413, "").unwrap_err().message, "The file is larger than 10 MB");
        assert_eq!(read_answer::<Upload>(502, "<html>").unwrap_err().message, "The server answered 502");
        // JSON in another shape is not passed off as the status.
        let err = read_answer::<Upload>(500, r#"{"error": "x"}"#).unwrap_err();
        assert!(err.message.contains("shape this page does not know"), "{err:?}");
    }

    use serde::de::DeserializeOwned;
    use serde_json::json;

    /// What the serde derive makes of `value`, and what the reader makes of it: the same
    /// value, or both an error.
    fn agree<T: Wire + DeserializeOwned + PartialEq + std::fmt::Debug>(value: Value) {
        let derived = serde_json::from_value::<T>(value.clone());
        let read = T::read(&value);
        match (derived, read) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{value}"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("derive {a:?} but reader {b:?} for {value}"),
        }
    }

    #[test]
    fn the_readers_agree_with_the_serde_derives() {
        let image = json!({"url": "/images/a.png", "width": 1, "height": 2, "content_type": "image/png", "nsfw": null});
        let done = json!({"request_id": "r", "model": "m", "emulated": true, "images": [image], "seed": 1,
            "seed_chosen": false, "total_ms": 3, "timings": {"a": 1}, "usage": null, "ran_prompt": "x", "upstream": null});
        let variants = |base: &Value| {
            let mut out = vec![base.clone()];
            for key in base.as_object().unwrap().keys() {
                let mut without = base.clone();
                without.as_object_mut().unwrap().remove(key);
                out.push(without);
                for wrong in
                    [json!(null), json!("7"), json!(7), json!(-1), json!(1.5), json!(true), json!([]), json!({})]
                {
                    let mut changed = base.clone();
                    changed[key] = wrong;
                    out.push(changed);
                }
            }
            let mut extra = base.clone();
            extra["cost"] = json!(2);
            out.push(extra);
            out
        };
        for v in variants(&image) {
            agree::<GeneratedImage>(v);
        }
        for v in variants(&done) {
            agree::<GenerateResponse>(v);
        }
        let error = json!({"message": "m", "fields": [{"field": "f", "message": "x"}], "request_id": "r"});
        for v in variants(&error) {
            agree::<ApiError>(v);
        }
        for v in variants(
            &json!({"reference": "/uploads/a.png", "width": 3, "height": 4, "content_type": "image/png", "bytes": 9}),
        ) {
            agree::<Upload>(v);
        }
        for v in variants(
            &json!({"providers": [{"id": "bfl", "live": false, "model_name": "x"}], "running": "j", "form": "q"}),
        ) {
            agree::<BackendStatus>(v);
        }
        for v in variants(&json!({"job": "j"})) {
            agree::<JobTicket>(v);
        }
        for state in [
            json!({"state": "queued", "position": 2}),
            json!({"state": "queued"}),
            json!({"state": "running", "progress": 0.5}),
            json!({"state": "done", "result": done}),
            json!({"state": "done"}),
            json!({"state": "failed", "error": error}),
            json!({"state": "failed"}),
            json!({"state": "paused"}),
        ] {
            for v in variants(&state) {
                agree::<JobState>(v);
            }
        }
    }
}
