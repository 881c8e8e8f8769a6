//! Every field of every catalog model at its documented boundaries. Each case
//! carries its expected verdict (from how it was made, not from the validator);
//! the shared `validate` must agree, and the server's 422 must name exactly the
//! fields `validate` names.

use crate::common;

use app::catalog::{self, Kind, ModelRef};
use app::validate::errors;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{json, Map, Value};
use tower::ServiceExt;

struct Case {
    what: String,
    params: Map<String, Value>,
    /// `Some(field)`: this field must be reported; `None`: valid.
    invalid: Option<String>,
}

/// A valid request with only the required fields; an image is a URL where the field
/// takes one, else the upload.
fn minimal(model: ModelRef, upload: &str) -> Map<String, Value> {
    let mut p = Map::new();
    for f in model.model.fields.iter().filter(|f| f.required) {
        let v = match &f.kind {
            Kind::Image(i) if i.list.is_some() => json!(["https://example.com/ref.png"]),
            Kind::Image(i) if i.accepts_url => json!("https://example.com/ref.png"),
            Kind::Image(_) => json!(upload),
            _ => json!("a lighthouse"),
        };
        p.insert(f.key.into(), v);
    }
    p
}

fn cases(model: ModelRef, upload: &str) -> Vec<Case> {
    let mut out = Vec::new();
    let mut push = |what: String, key: &str, value: Option<Value>, valid: bool| {
        let mut params = minimal(model, upload);
        match value {
            Some(v) => params.insert(key.into(), v),
            None => params.remove(key),
        };
        out.push(Case { what, params, invalid: (!valid).then(|| key.to_owned()) });
    };
    push("unknown field".into(), "colour", Some(json!("red")), false);
    for f in model.model.fields {
        let k = f.key;
        if f.required {
            push(format!("{k} missing"), k, None, false);
        }
        match &f.kind {
            Kind::Text { max_chars, .. } => {
                push(format!("{k} wrong type"), k, Some(json!(5)), false);
                if let Some(max) = *max_chars {
                    push(format!("{k} at max"), k, Some(json!("é".repeat(max))), true);
                    push(format!("{k} over max"), k, Some(json!("a".repeat(max + 1))), false);
                }
            }
            Kind::Number(n) => {
                let step = if n.integer { 1.0 } else { n.step };
                push(format!("{k} wrong type"), k, Some(json!("7")), false);
                if let Some(min) = n.min {
                    push(format!("{k} = min"), k, Some(json!(min)), true);
                    push(format!("{k} = min - step"), k, Some(json!(min - step)), false);
                }
                if let Some(max) = n.max {
                    push(format!("{k} = max"), k, Some(json!(max)), true);
                    push(format!("{k} = max + step"), k, Some(json!(max + step)), false);
                }
                if n.integer {
                    push(format!("{k} fractional"), k, Some(json!(n.min.unwrap_or(0.0) + 1.5)), false);
                }
                if let Some(m) = n.multiple_of {
                    push(format!("{k} off multiple"), k, Some(json!(n.min.unwrap_or(0.0) + m + 1.0)), false);
                }
            }
            Kind::Bool { only, .. } => {
                push(format!("{k} wrong type"), k, Some(json!("yes")), false);
                push(format!("{k} false"), k, Some(json!(false)), only != &Some(true));
                push(format!("{k} true"), k, Some(json!(true)), only != &Some(false));
            }
            Kind::Choice(c) => {
                for o in c.options {
                    push(format!("{k} = {}", o.value), k, Some(json!(o.value)), true);
                }
                push(format!("{k} not an option"), k, Some(json!("bogus")), false);
                push(format!("{k} wrong type"), k, Some(json!(1)), false);
            }
            Kind::Size(s) => {
                for p in s.presets {
                    // The unnamed preset is the field left out: "" itself is no size.
                    push(format!("{k} = {}", p.name), k, Some(json!(p.name)), !p.name.is_empty());
                }
                let (lo, hi, m) = (s.min, s.max, s.multiple_of);
                let size = |w: u32, h: u32| Some(json!({"width": w, "height": h}));
                push(format!("{k} min×max"), k, size(lo, hi), true);
                push(format!("{k} width below min"), k, size(lo - m, hi), false);
                push(format!("{k} height above max"), k, size(lo, hi + m), false);
                if m > 1 {
                    push(format!("{k} off multiple"), k, size(lo + 1, lo), false);
                }
                push(format!("{k} no such preset"), k, Some(json!("huge")), false);
                push(format!("{k} height missing"), k, Some(json!({"width": lo})), false);
                push(format!("{k} extra member"), k, Some(json!({"width": lo, "height": lo, "depth": 1})), false);
            }
            Kind::Image(i) => match i.list {
                Some(list) => {
                    let many = |n: usize| Some(Value::Array(vec![json!(upload); n]));
                    push(format!("{k} https"), k, Some(json!(["https://example.com/x.png"])), i.accepts_url);
                    push(format!("{k} http"), k, Some(json!([upload, "http://example.com/x.png"])), false);
                    push(format!("{k} at the limit"), k, many(usize::from(list.max)), true);
                    push(format!("{k} over the limit"), k, many(usize::from(list.max) + 1), false);
                    push(format!("{k} empty list"), k, many(0), false);
                    push(format!("{k} a string, not a list"), k, Some(json!(upload)), false);
                }
                None => {
                    push(format!("{k} https"), k, Some(json!("https://example.com/x.png")), i.accepts_url);
                    push(format!("{k} http"), k, Some(json!("http://example.com/x.png")), false);
                    push(format!("{k} upload"), k, Some(json!(upload)), true);
                    push(format!("{k} wrong type"), k, Some(json!(7)), false);
                }
            },
            // The schema: `maxItems`, `path` required ("URL, HuggingFace repo ID"), `scale` 0 to
            // the maximum. Ours besides: https only, no traversal, nothing but path and scale.
            Kind::Loras(l) => {
                let weight = |path: &str, scale: f64| json!({"path": path, "scale": scale});
                let max = usize::from(l.max);
                let many = |n: usize| Some(Value::Array(vec![weight("owner/style-lora", 1.0); n]));
                push(format!("{k} at the limit"), k, many(max), true);
                push(format!("{k} over the limit"), k, many(max + 1), false);
                push(format!("{k} empty list"), k, many(0), false);
                push(format!("{k} wrong type"), k, Some(json!("owner/style-lora")), false);
                let one = |v: Value| Some(json!([v]));
                push(format!("{k} scale 0"), k, one(weight("https://example.com/a.safetensors", 0.0)), true);
                push(format!("{k} scale at max"), k, one(weight("owner/repo", l.max_scale)), true);
                push(format!("{k} scale over max"), k, one(weight("owner/repo", l.max_scale + 0.01)), false);
                push(format!("{k} scale negative"), k, one(weight("owner/repo", -0.01)), false);
                push(format!("{k} scale as text"), k, one(json!({"path": "owner/repo", "scale": "1"})), false);
                push(format!("{k} no scale"), k, one(json!({"path": "owner/repo"})), true);
                push(format!("{k} no path"), k, one(json!({"scale": 1})), false);
                push(format!("{k} extra member"), k, one(json!({"path": "owner/repo", "weight_name": "x"})), false);
                for bad in [
                    "",
                    "http://example.com/a.safetensors",
                    "javascript:alert(1)",
                    "../../etc/passwd",
                    "owner/../x",
                    "owner repo",
                    "a\nb",
                    "lonely",
                ] {
                    push(format!("{k} path {bad:?}"), k, one(weight(bad, 1.0)), false);
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn every_field_of_every_model_at_its_boundaries() {
    // Valid cases go on to the (emulated) provider; one that refuses at once keeps this fast.
    let refusing = axum::Router::new().fallback(|| async { axum::http::StatusCode::BAD_REQUEST });
    let upstream = common::spawn_router(axum::Router::new().nest_service("/emulate", refusing)).await;
    let fetch = common::safe_fetch(Default::default(), &[]);
    let state = server::AppState::with_fetch(common::options(), common::config(&[]), upstream, fetch).unwrap();
    let router = server::app(state);
    let png = common::png(256, 256);
    let req = Request::post("/api/uploads").header("content-type", "image/png").body(Body::from(png)).unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let upload: Value = serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let upload = upload["reference"].as_str().unwrap().to_owned();
    let mut count = 0;
    for model in catalog::models() {
        for case in cases(model, &upload) {
            count += 1;
            let label = format!("{} / {}", model.slug(), case.what);
            let errors = errors(model, &case.params);
            let fields: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            match &case.invalid {
                None => assert!(errors.is_empty(), "{label}: expected valid, got {errors:?}"),
                Some(field) => assert_eq!(&fields, std::slice::from_ref(field), "{label}"),
            }

            let body = json!({"model": model.slug(), "params": case.params}).to_string();
            let req = Request::post("/api/generate").header("content-type", "application/json").body(Body::from(body));
            let resp = router.clone().oneshot(req.unwrap()).await.unwrap();
            let status = resp.status().as_u16();
            let answer: Value = serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
            if errors.is_empty() {
                assert_ne!(status, 422, "{label}: the server refused what validate accepts: {answer}");
            } else {
                assert_eq!(status, 422, "{label}");
                assert_eq!(answer["fields"], serde_json::to_value(&errors).unwrap(), "{label}");
            }
        }
    }
    eprintln!("boundary cases: {count}");
    assert!(count > 500, "only {count} cases");
}
