//! Replicate (providers.md §6): create a prediction with `Prefer: wait` for a
//! few seconds; if it is not done by then, poll `urls.get` until it succeeds,
//! fails or the deadline passes. `output` is a list of https or data: URIs.
//!
//! Errors (fixtures NOTES.md §6): a refused call answers a problem body
//! `{"detail", "title"?, "status"?}` (429 "Request was throttled…", with
//! `Retry-After`); a prediction that ends `failed` says why in `error`.

use super::poll::Poll;
use super::refusal::{refusal, sentence, text_of};
use super::{bad_answer, check_host, inline, key_header, request, Ctx, Generated, ImageRef, Inline};
use crate::error::Error;
use crate::jobs::Progress;
use app::valid::Valid;
use axum::http::StatusCode;
use serde_json::{Map, Value};
use std::time::Duration;

const POLL_EVERY: Duration = Duration::from_millis(400);

adapter!(Replicate);

async fn generate(ctx: &Ctx<'_>, valid: &Valid, progress: &Progress) -> Result<Generated, Error> {
    let model = valid.model;
    let mut params = valid.values(true);
    let (name, key_env) = (model.provider.name, model.provider.key_env);
    let upstream = ctx.upstream;
    let key = key_header(upstream, model.provider.auth, key_env)?;
    // An uploaded input image goes as a data URI when small, else through the files API
    // (the OpenAPI: "Use a data URL when you have a small file <= 256kb").
    send_files(ctx, valid, &key, &mut params).await?;
    let req = request(model, upstream, &params);
    let post = ctx.http.post(&req.url).header(key.0.clone(), key.1.clone()).header("prefer", "wait=5");
    let (status, headers, body) = super::submit(ctx, post.json(&req.body), name).await?;
    if !status.is_success() {
        return Err(refusal(name, key_env, status.as_u16(), &headers, &body));
    }
    let mut prediction: Value =
        serde_json::from_slice(&body).map_err(|_| bad_answer(name, "a body that is not JSON"))?;
    // The OpenAPI: 201 "If the `Prefer: wait` header is provided it will contain the final
    // output" (202: "does not yet have all outputs"); the docs: file outputs may all be
    // there "but status may still be in [processing]".
    let mut created = Some(status);
    let mut polls = Poll::new(ctx, key, (name, key_env), POLL_EVERY);
    loop {
        let has_output = !outputs(&prediction).is_empty();
        match prediction.get("status").and_then(Value::as_str).unwrap_or_default() {
            // The client README's create example "succeeded" with `output: null`: asked once more.
            "succeeded" if has_output || created.is_none() => return succeeded(name, &prediction),
            "starting" | "processing" if has_output && created == Some(StatusCode::CREATED) => {
                return succeeded(name, &prediction)
            }
            status @ ("failed" | "canceled" | "aborted") => return Err(ended(name, status, &prediction)),
            "starting" => progress.queued(None),
            _ => progress.running(None),
        }
        created = None;
        // `POST urls.cancel` stops a prediction that is starting or processing.
        if let Some(cancel) = prediction.pointer("/urls/cancel").and_then(Value::as_str) {
            if check_host(name, cancel, &upstream.base_url, &["replicate.com"]).is_ok() {
                progress.cancel_with(reqwest::Method::POST, cancel.to_owned());
            }
        }
        let get = prediction
            .pointer("/urls/get")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_answer(name, "no urls.get"))?
            .to_owned();
        check_host(name, &get, &upstream.base_url, &["replicate.com"])?;
        polls.pause().await?;
        if let Some(next) = polls.status(&get).await? {
            prediction = next;
        }
    }
}

/// A prediction that ended without output, with its `error` quoted.
fn ended(name: &str, status: &str, prediction: &Value) -> Error {
    let why = prediction.get("error").map(text_of).filter(|w| !w.is_empty());
    let lead = match status {
        "failed" => format!("{name}'s prediction failed"),
        other => format!("{name}'s prediction was {other}"),
    };
    let message = match why {
        Some(why) => sentence(lead, Some(&why), ""),
        None if status == "failed" => format!("{lead} without saying why."),
        None => sentence(lead, None, ""),
    };
    Error::Provider { status: StatusCode::BAD_GATEWAY, message }
}

/// The largest input file sent inline as a data URI (the OpenAPI's "<= 256kb"; the
/// docs page says under 1 MB: the stricter one is followed). Larger go through `POST /v1/files`.
pub const INLINE_MAX: usize = 256 * 1024;

/// Each upload into `values`: up to `INLINE_MAX` as a data URI, larger through Replicate's
/// files API, the field then holding the file's `urls.get`, which Replicate reads with
/// the same token when it runs the model.
async fn send_files(
    ctx: &Ctx<'_>,
    valid: &Valid,
    key: &(axum::http::HeaderName, axum::http::HeaderValue),
    values: &mut Map<String, Value>,
) -> Result<(), Error> {
    let (name, key_env) = (valid.model.provider.name, valid.model.provider.key_env);
    for (reference, file) in valid.uploads() {
        let (bytes, content_type) = super::read_upload(ctx, reference.field, file).await?;
        if bytes.len() <= INLINE_MAX {
            reference.set(values, inline(&bytes, content_type, Inline::DataUri));
            continue;
        }
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(file.to_owned())
            .mime_str(content_type)
            .map_err(|e| Error::Internal(format!("multipart type: {e}")))?;
        let form = reqwest::multipart::Form::new().part("content", part);
        let url = app::request::join(&ctx.upstream.base_url, "/v1/files");
        let post = ctx.http.post(url).header(key.0.clone(), key.1.clone()).multipart(form);
        let (status, headers, body) = super::submit(ctx, post, name).await?;
        if !status.is_success() {
            return Err(refusal(name, key_env, status.as_u16(), &headers, &body));
        }
        let uploaded: Value =
            serde_json::from_slice(&body).map_err(|_| bad_answer(name, "a files answer that is not JSON"))?;
        let get = uploaded
            .pointer("/urls/get")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_answer(name, "a file without urls.get"))?;
        check_host(name, get, &ctx.upstream.base_url, &["replicate.com"])?;
        reference.set(values, get.to_owned());
    }
    Ok(())
}

/// Output files are served from `replicate.delivery` (and its subdomains), which the docs
/// say to fetch with the token; any other host gets no token (the safe fetcher takes it).
fn output(url: &str) -> ImageRef {
    let delivery = reqwest::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "https"
            && u.port().is_none()
            && u.domain().is_some_and(|h| super::on_domain(h, "replicate.delivery"))
    });
    if delivery {
        ImageRef::Keyed(url.to_owned())
    } else {
        ImageRef::Url(url.to_owned())
    }
}

/// The output files of a prediction.
fn outputs(prediction: &Value) -> Vec<ImageRef> {
    match prediction.get("output") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(output).collect(),
        Some(Value::String(u)) => vec![output(u)],
        _ => Vec::new(),
    }
}

fn succeeded(name: &str, prediction: &Value) -> Result<Generated, Error> {
    let images = outputs(prediction);
    if images.is_empty() {
        return Err(bad_answer(name, "a prediction without output"));
    }
    let seed = prediction.pointer("/input/seed").and_then(Value::as_u64);
    Ok(Generated {
        images,
        seed,
        timings: prediction.get("metrics").cloned(),
        raw: Some(prediction.clone()),
        ..Generated::default()
    })
}

#[cfg(test)]
mod delivery_tests {
    use super::{output, ImageRef};

    #[test]
    fn only_replicates_own_file_host_over_https_gets_the_token() {
        for keyed in ["https://replicate.delivery/xezq/out-0.webp", "https://pbxt.replicate.delivery/a/out-0.png"] {
            assert_eq!(output(keyed), ImageRef::Keyed(keyed.into()), "{keyed}");
        }
        for plain in [
            "http://replicate.delivery/x.png",
            "https://replicate.delivery.evil.example/x.png",
            "https://evilreplicate.delivery/x.png",
            "https://replicate.delivery:8443/x.png",
            "https://cdn.example/x.png",
            "data:image/png;base64,AAAA",
        ] {
            assert_eq!(output(plain), ImageRef::Url(plain.into()), "{plain}");
        }
    }
}
