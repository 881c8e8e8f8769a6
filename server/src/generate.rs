//! A generation: validate with the shared catalog, pass the guards, call the
//! provider (or its emulator), store the images. The HTTP side is `http::generate`.

use crate::db::history;
use crate::error::Error;
use crate::guards::Slot;
use crate::jobs::Progress;
use crate::providers::{self, ImageRef};
use crate::state::AppState;
use crate::state::Upstream;
use app::api::{GenerateRequest, GenerateResponse, GeneratedImage};
use app::catalog::{Provider, Role};
use app::valid::Valid;
use app::validate::validate;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::Json;
use base64::Engine;
use std::time::Instant;

/// A request that passed validation and the guards, with its seed chosen.
pub struct Ready {
    valid: Valid,
    seed_chosen: bool,
    /// Held until the generation ends, however the client fares.
    slot: Slot,
    /// Who asked: whose history it joins.
    visitor: String,
    /// The request id, the job id and the permalink's: unguessable.
    pub id: String,
}

impl Ready {
    /// The seed it sends: the form's, or the one chosen for it.
    pub fn seed(&self) -> Option<u64> {
        self.valid.seed
    }
}

pub async fn prepare(
    state: &AppState,
    body: Result<Json<GenerateRequest>, JsonRejection>,
    visitor: &str,
    id: &str,
) -> Result<Ready, Error> {
    let Json(req) = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            crate::guards::body::too_large(&state.inner.metrics, state.limits().guards.max_json_bytes)
        }
        status => Error::Rejected { status, message: e.body_text() },
    })?;
    // A model this server does not offer is refused as an unknown one.
    let model =
        state.limits().site.curation.find(&req.model).ok_or_else(|| {
            Error::BadRequest(format!("Unknown model `{}`; see the catalog for valid ids", req.model))
        })?;
    let mut valid = validate(model, &req.params).map_err(Error::Invalid)?;
    let seed_chosen = valid.choose_seed(|low, high| fastrand::u32(low..=high));
    let live = !state.upstream(model.provider.id).emulated;
    let slot = state.inner.guards.admit(&valid, live, &state.inner.uploads, &state.inner.metrics).await?;
    Ok(Ready { valid, seed_chosen, slot, visitor: visitor.to_owned(), id: id.to_owned() })
}

/// Runs a prepared generation and records it in the history, kept or failed.
pub async fn execute(state: AppState, ready: Ready, progress: Progress) -> Result<GenerateResponse, Error> {
    let Ready { valid, seed_chosen, mut slot, visitor, id } = ready;
    let model = valid.model;
    let upstream = state.upstream(model.provider.id);
    // As asked (a reference URL, not the upload it becomes), so a restored form is the one sent.
    let mut record = history::Generation {
        id: id.clone(),
        visitor,
        created: crate::db::now_ms(),
        model: model.slug(),
        params: serde_json::to_string(valid.params()).unwrap_or_default(),
        seed: valid.seed.and_then(|s| i64::try_from(s).ok()),
        ok: false,
        emulated: upstream.emulated,
        request_id: id.clone(),
        total_ms: 0,
        cost_micro_usd: slot.micro_usd(),
        outcome: String::new(),
        images: Vec::new(),
    };
    let started = Instant::now();
    let ran = tokio::select! {
        r = run(&state, valid, seed_chosen, &mut slot, &id, &progress) => Some(r),
        () = progress.cancelled() => None,
    };
    let result = match ran {
        Some(result) => result,
        None => Err(cancel_upstream(&state, model.provider, upstream, &progress).await),
    };
    // Before anyone hears the outcome: the slot is free and an unsent reservation given back.
    slot.end().await;
    let result = result.map_err(|e| match e {
        // Some providers quote the key they refused; their words pass only without it.
        Error::Provider { status, message } => {
            state.inner.metrics.upstream_error(&format!("status_{}", status.as_u16()));
            // Redacted before shortened: a cut through the key would leave part of it.
            Error::Provider { status, message: providers::shorten(&providers::redact(&message, upstream), 400) }
        }
        Error::Upstream { status, message, retry_after } => {
            state.inner.metrics.upstream_error(&format!("status_{}", status.as_u16()));
            let message = providers::shorten(&providers::redact(&message, upstream), 400);
            Error::Upstream { status, message, retry_after }
        }
        other => other,
    });
    state.inner.metrics.finished(result.is_ok(), result.as_ref().map_or(0, |r| r.images.len()));
    record.total_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    match result {
        Ok(mut response) => {
            record.ok = true;
            record.seed = response.seed.and_then(|s| i64::try_from(s).ok()).or(record.seed);
            record.images =
                response.images.iter().filter_map(|i| i.url.strip_prefix("/images/")).map(str::to_owned).collect();
            response.permalink = Some(format!("/r/{id}"));
            record.outcome = serde_json::to_string(&response).unwrap_or_default();
            if let Err(e) = state.inner.db.record(&record).await {
                tracing::warn!(request_id = id, "cannot record the generation in the history: {e}");
                response.permalink = None;
            }
            Ok(response)
        }
        Err(e) => {
            let (status, error) = e.to_api(&id);
            let failed = history::Failure { status: status.as_u16(), error };
            record.outcome = serde_json::to_string(&failed).unwrap_or_default();
            if let Err(e) = state.inner.db.record(&record).await {
                tracing::warn!(request_id = id, "cannot record the failed generation in the history: {e}");
            }
            Err(e)
        }
    }
}

async fn run(
    state: &AppState,
    mut valid: Valid,
    seed_chosen: bool,
    slot: &mut Slot,
    id: &str,
    progress: &Progress,
) -> Result<GenerateResponse, Error> {
    let started = Instant::now();
    let model = valid.model;
    let upstream = state.upstream(model.provider.id);
    tracing::info!(request_id = id, model = %model.slug(), emulated = upstream.emulated, "generate");
    progress.running(None);
    crate::references::fetch_urls(state, &mut valid).await?;
    crate::references::check_sides(state, &valid).await?;
    // Until here nothing reached the provider: an error gives the reservation back.
    state.inner.guards.submitting(slot, &valid, &state.inner.uploads).await;
    progress.submitted();
    let generated = providers::generate(state, &valid, upstream, progress).await?;

    let mut images = Vec::with_capacity(generated.images.len());
    for (i, image) in generated.images.iter().enumerate() {
        let bytes = fetch_image(state, model.provider, upstream, image).await?;
        // Decoded in full within limits before it is kept: a provider's broken or bomb image is refused.
        let checked = crate::decode::check(bytes.into(), state.limits().upstream.request_timeout)
            .await
            .map_err(|e| e.provider_image(i + 1))?;
        let stored = state
            .inner
            .store
            .put(&checked)
            .await
            .map_err(|e| Error::Internal(format!("cannot store an image: {e}")))?;
        if let Err(e) = state.inner.thumbs.put_thumb(&checked).await {
            tracing::warn!(request_id = id, "cannot store a thumbnail (the history shows none): {e}");
        }
        images.push(GeneratedImage {
            url: format!("/images/{}", stored.name),
            width: stored.width,
            height: stored.height,
            content_type: stored.content_type.to_owned(),
            nsfw: generated.nsfw.get(i).copied(),
        });
    }
    Ok(GenerateResponse {
        request_id: id.to_owned(),
        model: model.slug(),
        emulated: upstream.emulated,
        images,
        seed: generated.seed.or(valid.seed),
        seed_chosen,
        total_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        timings: generated.timings,
        usage: generated.usage,
        ran_prompt: generated.prompt.filter(|ran| {
            let asked = model.with_role(Role::Prompt).and_then(|f| valid.params().get(f.key)?.as_str());
            asked != Some(ran.as_str())
        }),
        upstream: generated.raw.map(|raw| providers::shorten_raw(providers::redact_value(raw, upstream))),
        permalink: None,
    })
}

/// Stops a cancelled run at the provider where it can: the words on what may still be charged.
async fn cancel_upstream(state: &AppState, provider: &Provider, upstream: &Upstream, progress: &Progress) -> Error {
    let name = provider.name;
    if !progress.was_submitted() {
        return Error::Cancelled(format!("Cancelled before the request reached {name}: nothing is charged."));
    }
    if let Some(cancel) = progress.upstream_cancel() {
        if let Ok((key, value)) = providers::key_header(upstream, provider.auth, provider.key_env) {
            let ask = state.inner.http.request(cancel.method, &cancel.url).header(key, value);
            let answer = ask.timeout(std::time::Duration::from_secs(10)).send().await;
            if answer.is_ok_and(|a| a.status().is_success()) {
                return Error::Cancelled(format!("Cancelled at {name}. What it had already run may still be charged."));
            }
        }
    }
    Error::Cancelled(format!(
        "Cancelled here, but {name} already had the request: it may still finish it and charge for it."
    ))
}

/// Downloads (or decodes) an image right away: provider URLs expire. A URL on
/// the provider's configured origin is fetched as the provider; any other host
/// only through the public-internet-only fetcher, without the key either way.
async fn fetch_image(
    state: &AppState,
    provider: &Provider,
    upstream: &Upstream,
    image: &ImageRef,
) -> Result<Vec<u8>, Error> {
    let bad = |what: &str| Error::Provider {
        status: StatusCode::BAD_GATEWAY,
        message: format!("The provider's image {what}."),
    };
    let (url, keyed) = match image {
        ImageRef::Bytes(bytes) => return Ok(bytes.to_vec()),
        ImageRef::Base64(b64) => {
            return base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| bad("is not valid base64"))
        }
        ImageRef::Url(url) => (url, false),
        ImageRef::Keyed(url) => (url, true),
    };
    if let Some(rest) = url.strip_prefix("data:") {
        let (_, data) = rest.split_once(";base64,").ok_or_else(|| bad("data URI is not base64"))?;
        return base64::engine::general_purpose::STANDARD.decode(data).map_err(|_| bad("is not valid base64"));
    }
    if !keyed && !providers::same_origin(url, &upstream.base_url) {
        return state.inner.safe.get(url).await.map(|b| b.to_vec()).map_err(|why| bad(&format!("URL {why}")));
    }
    let mut get = state.inner.http.get(url);
    if keyed {
        let (name, value) = providers::key_header(upstream, provider.auth, provider.key_env)?;
        get = get.header(name, value);
    }
    let resp = get.send().await.map_err(|e| providers::transport_error("The image host", e))?;
    if !resp.status().is_success() {
        return Err(bad(&format!("could not be downloaded (status {})", resp.status().as_u16())));
    }
    Ok(providers::read_capped(resp, state.limits().upstream.max_upstream_bytes, "The image host").await?.to_vec())
}
