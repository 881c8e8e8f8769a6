//! 1min.ai: the AI feature API (`POST /api/features`, `API-KEY`), with an input
//! image first uploaded to the Asset API (providers.md §3, §3.1).
//!
//! 1min.ai documents no error body (fixtures NOTES.md §3): whatever reason an
//! error answer carries, on the feature call or the asset upload, is quoted.

use super::refusal::{reason_in, refusal};
use super::{bad_answer, key_header, read_upload, request, send, transport_error, Ctx, Generated, ImageRef};
use crate::error::Error;
use crate::jobs::Progress;
use app::catalog::ModelRef;
use app::valid::Valid;
use serde_json::Value;

adapter!(Onemin);

async fn generate(ctx: &Ctx<'_>, valid: &Valid, _progress: &Progress) -> Result<Generated, Error> {
    let model = valid.model;
    let mut params = valid.values(true);
    let (name, key_env) = (model.provider.name, model.provider.key_env);
    for (reference, file) in valid.uploads() {
        let (bytes, content_type) = read_upload(ctx, reference.field, file).await?;
        let path = upload_asset(ctx, model, bytes, content_type, file).await?;
        reference.set(&mut params, path);
    }
    let req = request(model, ctx.upstream, &params);
    let (status, headers, body) = send(ctx, &req, name).await?;
    if !status.is_success() {
        return Err(refusal(name, key_env, status.as_u16(), &headers, &body));
    }
    let json: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(name, "a body that is not JSON"))?;
    let record = json.get("aiRecord").ok_or_else(|| bad_answer(name, "no aiRecord"))?;
    match record.get("status").and_then(Value::as_str) {
        Some("SUCCESS") | None => {}
        Some(other) => {
            let why = reason_in(record).or_else(|| reason_in(&json));
            let what = format!("the generation status {other}");
            return Err(bad_answer(name, &why.map_or_else(|| what.clone(), |why| format!("{what}: {why}"))));
        }
    }
    let url = record.get("temporaryUrl").and_then(Value::as_str).ok_or_else(|| bad_answer(name, "no temporaryUrl"))?;
    Ok(Generated { images: vec![ImageRef::Url(url.to_owned())], raw: Some(json.clone()), ..Generated::default() })
}

/// `POST /api/assets` (multipart, part `asset`); the path to pass on is
/// `fileContent.path`, else `asset.key` (§3.1: what community clients read).
async fn upload_asset(
    ctx: &Ctx<'_>,
    model: ModelRef,
    bytes: Vec<u8>,
    content_type: &str,
    file: &str,
) -> Result<String, Error> {
    let (name, key_env) = (model.provider.name, model.provider.key_env);
    let upstream = ctx.upstream;
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(file.to_owned())
        .mime_str(content_type)
        .map_err(|_| Error::Internal("bad upload type".into()))?;
    let (header, value) = key_header(upstream, model.provider.auth, key_env)?;
    let resp = ctx
        .http
        .post(format!("{}/api/assets", upstream.base_url))
        .header(header, value)
        .multipart(reqwest::multipart::Form::new().part("asset", part))
        .send()
        .await
        .map_err(|e| transport_error(name, e))?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = super::read_capped(resp, ctx.max_bytes, name).await?;
    if !status.is_success() {
        return Err(refusal(name, key_env, status.as_u16(), &headers, &body));
    }
    let json: Value =
        serde_json::from_slice(&body).map_err(|_| bad_answer(name, "an asset answer that is not JSON"))?;
    json.pointer("/fileContent/path")
        .or_else(|| json.pointer("/asset/key"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| bad_answer(name, "an asset without a path"))
}
