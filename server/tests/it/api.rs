//! The HTTP API through `app(state)`, with `oneshot` (no network).

use crate::common;

use app::catalog;
use app::validate::errors;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

async fn post_json(body: &str) -> (StatusCode, Value) {
    let router = server::app(common::state(&[]));
    let req =
        Request::post("/api/generate").header("content-type", "application/json").body(Body::from(body.to_owned()));
    let resp = router.oneshot(req.unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn invalid_params_get_422_with_the_shared_verdict() {
    let params = json!({"prompt": "x", "num_images": 5, "seed": 0, "image_size": {"width": 1000, "height": 768}});
    let (status, body) = post_json(&json!({"model": "aimlapi/flux/dev", "params": params}).to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let expected = errors(catalog::find("aimlapi/flux/dev").unwrap(), params.as_object().unwrap());
    assert_eq!(expected.len(), 3);
    assert_eq!(body["fields"], serde_json::to_value(&expected).unwrap());
    assert!(body["request_id"].as_str().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn unknown_model_and_malformed_json_are_400() {
    let (status, body) = post_json(r#"{"model": "aimlapi/flux/nope", "params": {}}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("aimlapi/flux/nope"));

    let (status, _) = post_json(r#"{"model": "aimlapi/flux/dev", "params": {"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, body) = post_json(r#"{"model": "aimlapi/flux/dev", "params": {"prompt": "p"}, "api_key": "x"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains("api_key"));
}

#[tokio::test]
async fn unknown_params_are_rejected_not_ignored() {
    let (status, body) = post_json(
        &json!({"model": "aimlapi/flux/dev", "params": {"prompt": "p", "webhook_url": "http://x"}}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "webhook_url");
}

#[tokio::test]
async fn the_page_is_server_rendered_with_form_snippet_and_emulated_notice() {
    let router = server::app(common::state(&[]));
    let resp = router.oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(html.contains("FLUX.1 [dev]"));
    assert!(html.contains("https://api.aimlapi.com/v1/images/generations"), "snippet rendered on the server");
    assert!(html.contains("Bearer $AIMLAPI_KEY"));
    assert!(html.contains("Emulated"));
    assert!(html.contains("Landscape 4:3 — 1024×768"));
    for provider in app::catalog::PROVIDERS {
        assert!(html.contains(&format!("label=\"{} · emulated\"", provider.name)), "{}", provider.id);
    }
}

#[tokio::test]
async fn stored_image_names_are_checked() {
    let router = server::app(common::state(&[]));
    let resp =
        router.oneshot(Request::get("/images/..%2F..%2Fetc%2Fpasswd").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_snippet_query_with_bad_encoding_or_a_repeated_key_is_refused_naming_the_key() {
    for (query, key) in [
        ("model=aimlapi/flux/dev&prompt=a&prompt=b", "prompt"),
        ("model=aimlapi/flux/dev&prompt=%FF%FE", "prompt"),
        ("model=aimlapi/flux/dev&prompt=100%", "prompt"),
        ("model=aimlapi/flux/dev&prompt=p&lang=curl&lang=python", "lang"),
        ("model=aimlapi/flux/dev&model=bfl/flux-dev&prompt=p", "model"),
    ] {
        let router = server::app(common::state(&[]));
        let req = Request::get(format!("/api/snippet?{query}")).body(Body::empty()).unwrap();
        let resp = router.oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let body: Value = serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
        assert_eq!(body["fields"][0]["field"], key, "{query}: {body}");
    }
}

/// `/api/estimate` words the cost by the published price: BFL's FLUX.2 [pro] at about
/// 1 MP with one 1 MP reference is its pricing page's "$0.045 edit"; the upload counts at
/// its real size, a URL not fetched yet as the largest accepted ("At most").
#[tokio::test]
async fn the_estimate_counts_uploads_at_their_size_and_says_when_it_is_a_bound() {
    let addr = common::spawn(&[]).await;
    let upload = common::upload(addr, common::png(1000, 1000)).await;
    let ask = |query: String| async move {
        let resp = reqwest::get(format!("http://{addr}/api/estimate?{query}")).await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    };
    let base = "model=bfl/flux-2-pro&prompt=p&width=1024&height=976";
    let (status, text) = ask(format!("{base}&input_image={upload}")).await;
    assert_eq!(status, 200);
    assert!(text.starts_with("About $0.045 a run: $0.03 for the first megapixel"), "{text}");
    assert!(text.contains("2026-01-28"), "dated: {text}");
    let (_, text) = ask(format!("{base}&input_image=https://example.com/a.png")).await;
    assert!(text.starts_with("At most $"), "{text}");
    let (_, text) = ask("model=aimlapi/flux/dev&prompt=p".into()).await;
    assert_eq!(text, "No published price for this model in the catalog.");
    let (status, text) = ask(format!("{base}&width=17")).await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("width"), "{text}");
}
