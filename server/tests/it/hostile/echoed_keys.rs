//! A provider that quotes the key back (in an error text that we shorten, or
//! anywhere in a successful answer we show raw): no part of the key reaches the
//! client, wherever the quote falls relative to a cut.

use crate::common;
use axum::routing::post;
use axum::Json;
use serde_json::{json, Value};

const KEY: &str = "sk-live-0123456789abcdefSECRETSECRET";

/// An AI/ML API stand-in whose answers quote the key at byte `at` of a long text.
async fn echoing(status: u16, at: usize) -> std::net::SocketAddr {
    let text = format!("{}{KEY} was used", "x".repeat(at));
    let png = {
        use base64::Engine;
        format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(common::png(8, 8)))
    };
    let router = axum::Router::new().route(
        "/v1/images/generations",
        post(move || {
            let (text, png) = (text.clone(), png.clone());
            async move {
                let code = axum::http::StatusCode::from_u16(status).unwrap();
                let body = if status == 200 {
                    json!({"images": [{"url": png}], "note": text, text.clone(): [text]})
                } else {
                    json!({"message": text})
                };
                (code, Json(body))
            }
        }),
    );
    common::spawn_router(router).await
}

fn assert_no_part_of_the_key(answer: &Value) {
    let text = answer.to_string();
    for window in KEY.as_bytes().windows(8) {
        let part = std::str::from_utf8(window).unwrap();
        assert!(!text.contains(part), "`{part}` of the key leaked: {text}");
    }
}

#[tokio::test]
async fn an_error_text_that_quotes_the_key_across_the_cut_leaks_none_of_it() {
    for at in [0, 250, 280, 290, 300, 330, 380, 395, 2000] {
        let provider = echoing(400, at).await;
        let base = format!("http://{provider}");
        let addr = common::spawn(&[("AIMLAPI_KEY", KEY), ("AIMLAPI_BASE_URL", &base)]).await;
        let (status, answer) = common::generate(addr, "aimlapi/flux/dev", json!({"prompt": "p"})).await;
        assert_eq!(status, 502, "{answer}");
        assert!(answer["message"].as_str().unwrap().contains("rejected the request"), "{answer}");
        assert_no_part_of_the_key(&answer);
    }
}

#[tokio::test]
async fn the_raw_answer_shown_with_a_result_is_redacted_before_it_is_shortened() {
    for at in [0, 100, 115, 290, 400] {
        let provider = echoing(200, at).await;
        let base = format!("http://{provider}");
        let addr = common::spawn(&[("AIMLAPI_KEY", KEY), ("AIMLAPI_BASE_URL", &base)]).await;
        let (status, answer) = common::generate(addr, "aimlapi/flux/dev", json!({"prompt": "p"})).await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer["upstream"]["note"].is_string(), "the raw answer is shown: {answer}");
        assert_no_part_of_the_key(&answer);
    }
}
