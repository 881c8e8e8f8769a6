//! An OpenAI-compatible images endpoint (providers.md §7): Bearer (optional for
//! self-hosted engines), `data[].url` or `data[].b64_json` back, errors as
//! `{"error": {"message": …}}`.

use super::{bad_answer, request, send, Ctx, Generated};
use crate::error::Error;
use crate::jobs::Progress;
use app::valid::Valid;
use serde_json::Value;

adapter!(Openai);

async fn generate(ctx: &Ctx<'_>, valid: &Valid, _progress: &Progress) -> Result<Generated, Error> {
    let model = valid.model;
    let params = valid.values(true);
    let (name, key_env) = (model.provider.name, model.provider.key_env);
    let req = request(model, ctx.upstream, &params);
    let (status, headers, body) = send(ctx, &req, name).await?;
    if matches!(status.as_u16(), 404 | 405) {
        // Say which path was tried (not the whole URL: errors name no host), so a wrong base URL is easy to see.
        let path = reqwest::Url::parse(&req.url).map(|u| u.path().to_owned()).unwrap_or_default();
        return Err(Error::Provider {
            status: axum::http::StatusCode::BAD_GATEWAY,
            message: format!(
                "{name} has no POST {path} for model `{model_name}` ({}){}. Check {url_env} (the server's root, \
                 with or without /v1){model_env}.",
                status.as_u16(),
                super::refusal::reason(&headers, &body)
                    .map(|w| format!(": {}", w.trim_end_matches('.')))
                    .unwrap_or_default(),
                model_name = req.body.get("model").and_then(Value::as_str).unwrap_or_default(),
                url_env = model.provider.url_env,
                model_env = model
                    .provider
                    .model_env
                    .map(|env| format!(" and {env} (the engine's name for its FLUX model)"))
                    .unwrap_or_default(),
            ),
        });
    }
    if !status.is_success() {
        // `{"error": {"message"}}` (LocalAI) or `{"error": "…"}` (sd.cpp), and 503's `Retry-After`.
        return Err(super::refusal::refusal(name, key_env, status.as_u16(), &headers, &body));
    }
    let json: Value = serde_json::from_slice(&body).map_err(|_| bad_answer(name, "a body that is not JSON"))?;
    // `data[]` is the shape AI/ML API calls shape B.
    super::aimlapi::parse_output(name, &json)
}
