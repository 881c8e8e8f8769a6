//! One adapter per provider: send the catalog-built request with the key, and
//! read the provider's answer into a common shape. Each adapter hands uploaded
//! reference images over the way its provider takes them.

/// Declares a provider module's `Adapter`: a unit struct whose `generate` is the
/// module's own `async fn generate(ctx, valid, progress)`.
macro_rules! adapter {
    ($name:ident) => {
        pub struct $name;

        impl super::Adapter for $name {
            fn generate<'a>(
                &'a self,
                ctx: &'a super::Ctx<'a>,
                valid: &'a app::valid::Valid,
                progress: &'a crate::jobs::Progress,
            ) -> super::BoxFuture<'a, Result<super::Generated, crate::error::Error>> {
                Box::pin(generate(ctx, valid, progress))
            }
        }
    };
}

pub mod aimlapi;
pub mod bfl;
pub mod fal;
pub mod onemin;
pub mod openai;
pub mod poll;
pub mod refusal;
pub mod replicate;
pub mod segmind;

use crate::error::Error;
use crate::jobs::Progress;
use crate::metrics::Metrics;
use crate::state::{AppState, Upstream};
use crate::store::ImageStore;
use app::catalog::{Auth, FileInput, Kind, ModelRef, ProviderId};
use app::request::ApiRequest;
use app::valid::Valid;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use bytes::Bytes;
use secrecy::ExposeSecret;
use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// An image as the provider hands it over.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageRef {
    Url(String),
    /// A URL on the provider's own file host that its docs say to fetch with the key
    /// (Replicate's `replicate.delivery`); only ever made after checking the host.
    Keyed(String),
    Base64(String),
    /// The answer was the image itself (Segmind).
    Bytes(Bytes),
}

/// A provider's successful answer, normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Generated {
    pub images: Vec<ImageRef>,
    pub seed: Option<u64>,
    pub nsfw: Vec<bool>,
    pub timings: Option<Value>,
    pub usage: Option<Value>,
    /// The prompt the model ran, where the provider says.
    pub prompt: Option<String>,
    /// The provider's final JSON answer, for the page's "Provider response".
    pub raw: Option<Value>,
}

/// The raw answer as the browser may see it: long strings (inline images,
/// signed URLs' tails) are shortened; nothing in it is ours to hide.
pub fn shorten_raw(value: Value) -> Value {
    match value {
        Value::String(s) if s.chars().count() > 300 => {
            let head: String = s.chars().take(120).collect();
            Value::String(format!("{head}… ({} characters)", s.chars().count()))
        }
        Value::Array(items) => Value::Array(items.into_iter().map(shorten_raw).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, shorten_raw(v))).collect()),
        other => other,
    }
}

/// What an adapter may use: where its provider is and with which key, the
/// client for provider calls (its connect, read and total timeouts built in),
/// the limits it reads, the uploads its requests reference, and the counter it bumps.
/// Nothing else of the application's state.
pub struct Ctx<'a> {
    pub upstream: &'a Upstream,
    /// No redirects: a key header never follows one elsewhere.
    pub http: &'a reqwest::Client,
    /// The most an answer may hold.
    pub max_bytes: usize,
    /// How long a task is polled before giving up.
    pub poll_deadline: Duration,
    pub uploads: &'a ImageStore,
    pub metrics: &'a Metrics,
}

impl<'a> Ctx<'a> {
    pub fn new(state: &'a AppState, upstream: &'a Upstream) -> Self {
        let limits = state.limits();
        Ctx {
            upstream,
            http: &state.inner.http,
            max_bytes: limits.upstream.max_upstream_bytes,
            poll_deadline: limits.upstream.poll_deadline,
            uploads: &state.inner.uploads,
            metrics: &state.inner.metrics,
        }
    }
}

/// A boxed future an adapter's `generate` returns (the trait stays object-safe, for the registry).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One provider's adapter: sends a valid request (seed already chosen, reference
/// URLs already fetched into uploads) for one of its provider's models, reporting
/// progress while a task runs. The provider's name and key variable come from
/// `valid.model.provider` (the catalog).
pub trait Adapter: Sync {
    fn generate<'a>(
        &'a self,
        ctx: &'a Ctx<'a>,
        valid: &'a Valid,
        progress: &'a Progress,
    ) -> BoxFuture<'a, Result<Generated, Error>>;
}

/// The registry: every provider's adapter. With the catalog, the only list of providers.
pub fn adapter(id: ProviderId) -> &'static dyn Adapter {
    match id {
        ProviderId::Aimlapi => &aimlapi::Aimlapi,
        ProviderId::Segmind => &segmind::Segmind,
        ProviderId::Onemin => &onemin::Onemin,
        ProviderId::Bfl => &bfl::Bfl,
        ProviderId::Fal => &fal::Fal,
        ProviderId::Replicate => &replicate::Replicate,
        ProviderId::Openai => &openai::Openai,
    }
}

/// Calls the valid request's provider through its adapter.
pub async fn generate(
    state: &AppState,
    valid: &Valid,
    upstream: &Upstream,
    progress: &Progress,
) -> Result<Generated, Error> {
    let ctx = Ctx::new(state, upstream);
    adapter(valid.model.provider.provider_id).generate(&ctx, valid, progress).await
}

/// The request a generation sends with `values`: an adapter passes
/// [`Valid::values`]`(true)`, every value the form shows with the documented defaults
/// spelled out, so a provider that changes a default cannot change the result (snippets
/// may leave defaults out, for reading: the "every parameter" option), its uploads
/// replaced by what its provider takes.
pub fn request(model: ModelRef, upstream: &Upstream, values: &Map<String, Value>) -> ApiRequest {
    let mut req = app::request::build(model, values, &upstream.base_url);
    req.name_model(model, upstream.model_name.as_deref());
    req
}

/// The provider's auth header, marked sensitive so no log or debug output shows it.
pub fn key_header(upstream: &Upstream, auth: Auth, key_env: &str) -> Result<(HeaderName, HeaderValue), Error> {
    let key = upstream.key.expose_secret();
    let (name, value) = match auth {
        Auth::Bearer => (HeaderName::from_static("authorization"), format!("Bearer {key}")),
        Auth::Key => (HeaderName::from_static("authorization"), format!("Key {key}")),
        Auth::Header(name) => (
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::Internal("bad header name".into()))?,
            key.to_owned(),
        ),
    };
    let mut value = HeaderValue::from_str(&value)
        .map_err(|_| Error::Internal(format!("{key_env} holds characters not allowed in a header")))?;
    value.set_sensitive(true);
    Ok((name, value))
}

/// POSTs `req`'s JSON body with the key; any status comes back for the adapter to read.
pub async fn send(ctx: &Ctx<'_>, req: &ApiRequest, name: &str) -> Result<(StatusCode, HeaderMap, Bytes), Error> {
    let upstream = ctx.upstream;
    let mut post = ctx.http.post(&req.url).json(&req.body);
    // A self-hosted engine without a key gets no Authorization header at all (not `Bearer `).
    if !upstream.key.expose_secret().is_empty() {
        let (header, value) = key_header(upstream, req.auth, req.key_env)?;
        post = post.header(header, value);
    }
    submit(ctx, post, name).await
}

/// Sends a paid request. Only a failure to connect is retried: then nothing was
/// sent. Anything later (a reset, a timeout, a 502) may already have been
/// charged, so it is reported, never repeated.
pub async fn submit(
    ctx: &Ctx<'_>,
    request: reqwest::RequestBuilder,
    name: &str,
) -> Result<(StatusCode, HeaderMap, Bytes), Error> {
    let upstream = ctx.upstream;
    ctx.metrics.submit(upstream.provider);
    let mut attempt = 0;
    let resp = loop {
        let Some(this) = request.try_clone() else {
            break request.send().await.map_err(|e| transport_error(name, e))?;
        };
        match this.send().await {
            Ok(resp) => break resp,
            Err(e) if e.is_connect() && attempt < CONNECT_RETRIES => {
                attempt += 1;
                tracing::info!(provider = name, attempt, "could not connect; trying again");
                tokio::time::sleep(std::time::Duration::from_millis(300 * attempt)).await;
            }
            Err(e) => return Err(transport_error(name, e)),
        }
    };
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = read_capped(resp, ctx.max_bytes, name).await?;
    if !status.is_success() {
        // Redacted whole, then shortened: a cut through the key would log part of it.
        let text = shorten(&redact(&String::from_utf8_lossy(&body), upstream), 2000);
        tracing::warn!(provider = name, status = status.as_u16(), body = %text, "provider refused the request");
    }
    Ok((status, headers, body))
}

const CONNECT_RETRIES: u64 = 2;

/// Reads an answer's body, refusing one over `max` bytes while it streams.
pub async fn read_capped(mut resp: reqwest::Response, max: usize, name: &str) -> Result<Bytes, Error> {
    let too_big = || bad_answer(name, &format!("more than {}", crate::guards::body::size(max)));
    if resp.content_length().is_some_and(|n| n > max as u64) {
        return Err(too_big());
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(name, e))? {
        if body.len() + chunk.len() > max {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Upstream text with the key taken out: some providers quote the key they refused.
pub fn redact(text: &str, upstream: &Upstream) -> String {
    match upstream.key.expose_secret() {
        // An empty or tiny key would turn every message into noise; such a key is rejected anyway.
        key if key.len() < 4 => text.to_owned(),
        key => text.replace(key, "[redacted]"),
    }
}

/// An answer that is not what the contract says.
pub fn bad_answer(provider: &str, what: &str) -> Error {
    Error::Provider { status: StatusCode::BAD_GATEWAY, message: format!("{provider} answered with {what}.") }
}

/// The message for an error status every provider shares the meaning of
/// (no reason known; `refusal::refusal` quotes the provider's).
pub fn common_status(provider: &str, status: u16, key_env: &str) -> Error {
    refusal::Refusal { provider, key_env, status, why: None, retry_after: None, retryable: None }.error()
}

/// Turns a transport failure into a message that names no URL and no key.
pub fn transport_error(provider: &str, e: reqwest::Error) -> Error {
    let (status, what) = if e.is_timeout() {
        (StatusCode::GATEWAY_TIMEOUT, "did not answer in time")
    } else if e.is_connect() {
        (StatusCode::BAD_GATEWAY, "could not be reached")
    } else {
        (StatusCode::BAD_GATEWAY, "broke off the connection")
    };
    tracing::warn!(provider, error = %e.without_url(), "upstream transport error");
    Error::Provider {
        status,
        message: format!("{provider} {what}. Try again; if it persists, check the server's network."),
    }
}

/// An uploaded reference image's bytes and type; a clear field error if it is gone.
pub async fn read_upload(
    ctx: &Ctx<'_>,
    field: &app::catalog::Field,
    name: &str,
) -> Result<(Vec<u8>, &'static str), Error> {
    ctx.uploads.read(name).await.ok_or_else(|| {
        Error::Invalid(vec![app::validate::FieldError {
            field: field.key.to_owned(),
            message: format!("{} refers to an upload this server no longer has; upload it again", field.label),
        }])
    })
}

/// A URL a provider handed back (a polling or result URL) may get the key only
/// on the configured base URL's origin, or over https on one of the provider's
/// own domains or any subdomain of them (BFL hands out regional hosts such as
/// `api.eu1.bfl.ai` that change over time). Anything else is refused before a
/// byte is sent to it.
pub fn check_host(provider: &str, url: &str, base_url: &str, domains: &[&str]) -> Result<(), Error> {
    let refuse = || Error::Provider {
        status: StatusCode::BAD_GATEWAY,
        message: format!("{provider} returned a polling URL on an unexpected host; the key was not sent there."),
    };
    let url = reqwest::Url::parse(url).map_err(|_| refuse())?;
    let base = reqwest::Url::parse(base_url).map_err(|_| refuse())?;
    let same_origin = url.origin() == base.origin();
    let own = url.scheme() == "https"
        && url.port().is_none()
        && url.domain().is_some_and(|host| domains.iter().any(|d| on_domain(host, d)));
    let no_credentials = url.username().is_empty() && url.password().is_none();
    if no_credentials && (same_origin || own) {
        Ok(())
    } else {
        tracing::warn!(provider, host = url.host_str().unwrap_or_default(), "refused a polling URL");
        Err(refuse())
    }
}

/// `host` is `domain` or one of its subdomains (`api.eu1.bfl.ai` on `bfl.ai`, not `evilbfl.ai`).
pub fn on_domain(host: &str, domain: &str) -> bool {
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case(domain)
        || host.len() > domain.len()
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
            && host[host.len() - domain.len()..].eq_ignore_ascii_case(domain)
}

/// How a provider takes an uploaded reference image in place of a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inline {
    /// `data:image/png;base64,…` (AI/ML API, Replicate).
    DataUri,
    /// Plain base64 (BFL's `image_prompt`).
    Base64,
}

/// Replaces every upload `valid` references in `values` with the image itself, the way
/// its field's [`FileInput`] says the provider takes a file.
pub async fn inline_uploads(ctx: &Ctx<'_>, valid: &Valid, values: &mut Map<String, Value>) -> Result<(), Error> {
    for (reference, name) in valid.uploads() {
        let how = match &reference.field.kind {
            Kind::Image(image) if matches!(image.file, FileInput::Base64 | FileInput::UrlOrBase64) => Inline::Base64,
            _ => Inline::DataUri,
        };
        let (bytes, content_type) = read_upload(ctx, reference.field, name).await?;
        reference.set(values, inline(&bytes, content_type, how));
    }
    Ok(())
}

/// An image as a provider takes it inline.
pub fn inline(bytes: &[u8], content_type: &str, how: Inline) -> String {
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    match how {
        Inline::DataUri => format!("data:{content_type};base64,{data}"),
        Inline::Base64 => data,
    }
}

/// Both URLs parse and share scheme, host and port.
pub fn same_origin(url: &str, base: &str) -> bool {
    match (reqwest::Url::parse(url), reqwest::Url::parse(base)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// The provider refused the request; its own words say why (redacted, then
/// shortened, in `generate::execute`: cutting first could leave half a key).
pub fn rejected(provider: &str, why: &str) -> Error {
    Error::Provider { status: StatusCode::BAD_GATEWAY, message: format!("{provider} rejected the request: {why}") }
}

/// At most `max` characters of `text`, marked when cut. Only for text already redacted.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Every string in a provider's raw answer (and every member name) with the key cut out.
pub fn redact_value(value: Value, upstream: &Upstream) -> Value {
    match value {
        Value::String(s) => Value::String(redact(&s, upstream)),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| redact_value(v, upstream)).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (redact(&k, upstream), redact_value(v, upstream))).collect())
        }
        other => other,
    }
}

/// The polling deadline passed.
pub fn too_slow(provider: &str, deadline: Duration) -> Error {
    Error::Provider {
        status: StatusCode::GATEWAY_TIMEOUT,
        message: format!(
            "{provider} did not finish within {} s. The task may still complete on their side.",
            deadline.as_secs_f64()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_urls_may_be_on_any_subdomain_of_the_providers_own_domain_over_https() {
        let base = "https://api.bfl.ai";
        for ok in [
            "https://api.bfl.ai/v1/get_result?id=1",
            "https://api.eu1.bfl.ai/v1/get_result?id=1",
            "https://api.us4.bfl.ai/v1/get_result?id=1",
            "https://API.EU.BFL.AI./v1/get_result",
        ] {
            assert!(check_host("BFL", ok, base, &["bfl.ai"]).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.eu1.bfl.ai/v1/get_result",
            "https://evilbfl.ai/x",
            "https://bfl.ai.evil.example/x",
            "https://api.bfl.ai:8443/x",
            "https://user:pw@api.bfl.ai/x",
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "not a url",
        ] {
            assert!(check_host("BFL", bad, base, &["bfl.ai"]).is_err(), "{bad}");
        }
        let emulator = "http://127.0.0.1:4000/bfl";
        assert!(check_host("BFL", "http://127.0.0.1:4000/bfl/v1/get_result", emulator, &[]).is_ok());
    }
}
