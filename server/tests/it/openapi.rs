//! `GET /openapi.json`: an OpenAPI 3.1 document that a standard reader (`oas3`) takes,
//! naming every route of our API, whose schemas the answers of a running server
//! satisfy (checked with a JSON Schema 2020-12 validator), status by status.

use crate::common;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::net::SocketAddr;

/// Our API as `server::app` routes it (lib.rs), written out here rather than read from it.
const ROUTES: &[&str] = &[
    "POST /api/generate",
    "POST /api/jobs",
    "GET /api/jobs/{id}",
    "DELETE /api/jobs/{id}",
    "GET /api/results/{id}",
    "POST /api/uploads",
    "GET /api/snippet",
    "GET /api/estimate",
    "GET /api/history",
    "DELETE /api/history",
    "DELETE /api/history/{id}",
    "GET /images/{name}",
    "GET /thumbs/{name}",
    "GET /uploads/{name}",
    "GET /healthz",
    "GET /readyz",
];

async fn document(addr: SocketAddr) -> Value {
    let resp = reqwest::get(format!("http://{addr}/openapi.json")).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let text = resp.text().await.unwrap();
    let spec = oas3::from_json(&text).unwrap_or_else(|e| panic!("not OpenAPI 3.1 as oas3 reads it: {e}"));
    assert_eq!(spec.openapi, "3.1.0");
    serde_json::from_str(&text).unwrap()
}

/// Checks `answer` (the status and JSON body of `method path`) against the schema the
/// document gives for that status.
fn conforms(doc: &Value, method: &str, path: &str, status: u16, answer: &Value) -> Result<(), String> {
    let documented = &doc["paths"][path][method.to_lowercase()]["responses"][status.to_string()];
    let schema = documented["content"]["application/json"]["schema"].clone();
    if schema.is_null() {
        return Err(format!("{method} {path}: no JSON schema documented for {status}"));
    }
    // The document's components beside the reference, so `#/components/schemas/…` resolves.
    let root = json!({"$ref": schema["$ref"], "components": doc["components"]});
    let root = if schema.get("$ref").is_some() { root } else { schema };
    let validator = jsonschema::draft202012::new(&root).map_err(|e| format!("{method} {path}: schema: {e}"))?;
    let errors: Vec<String> =
        validator.iter_errors(answer).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{method} {path} {status}: {errors:?}\n{answer}"))
    }
}

async fn call(c: &reqwest::Client, doc: &Value, method: &str, url: &str, route: &str, body: Option<Value>) -> Value {
    let req = c.request(method.parse().unwrap(), url);
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let answer: Value = resp.json().await.unwrap_or(Value::Null);
    conforms(doc, method, route, status, &answer).unwrap();
    answer
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_names_every_api_route() {
    let addr = common::spawn(&[]).await;
    let doc = document(addr).await;
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| format!("{} {path}", m.to_uppercase())))
        .collect();
    let routes: BTreeSet<String> = ROUTES.iter().map(|r| (*r).to_owned()).collect();
    assert_eq!(documented, routes);
    // Operation ids are unique, as the specification asks (clients name functions by them).
    let ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|ops| ops.as_object().unwrap().values().map(|op| op["operationId"].as_str().unwrap()))
        .collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len(), "{ids:?}");
    // Each is routed as documented: no 405, and no 404 from the router for a made-up id.
    let c = reqwest::Client::new();
    for route in ROUTES {
        let (method, path) = route.split_once(' ').unwrap();
        let url = format!("http://{addr}{}", path.replace("{id}", "nope").replace("{name}", "nope.png"));
        let resp = c.request(method.parse().unwrap(), url).send().await.unwrap();
        assert_ne!(resp.status().as_u16(), 405, "{route}");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in ["GenerateRequest", "GenerateResponse", "JobState", "ApiError", "Upload", "Page", "Readiness"] {
        assert!(schemas.contains_key(name), "{name}");
    }
    // Nullable but always sent (the page's reader requires them): required in the schema too.
    let required = &doc["components"]["schemas"]["GenerateResponse"]["required"];
    for field in ["seed", "permalink", "ran_prompt", "usage"] {
        assert!(required.as_array().unwrap().contains(&json!(field)), "{field}: {required}");
    }
}

#[tokio::test]
async fn real_answers_satisfy_the_documented_schemas() {
    let addr = common::spawn(&[]).await;
    let doc = document(addr).await;
    let c = reqwest::Client::new();
    let base = format!("http://{addr}");
    let request = json!({"model": "bfl/flux-dev", "params": {"prompt": "a kite", "seed": 3}});

    let done = call(&c, &doc, "POST", &format!("{base}/api/generate"), "/api/generate", Some(request.clone())).await;
    assert!(done["images"][0]["url"].is_string(), "{done}");
    let bad = json!({"model": "bfl/flux-dev", "params": {"prompt": "a kite", "width": 7}});
    call(&c, &doc, "POST", &format!("{base}/api/generate"), "/api/generate", Some(bad)).await;
    let unknown = json!({"model": "nope/nope", "params": {}});
    call(&c, &doc, "POST", &format!("{base}/api/jobs"), "/api/jobs", Some(unknown)).await;

    let ticket = call(&c, &doc, "POST", &format!("{base}/api/jobs"), "/api/jobs", Some(request)).await;
    let job = ticket["job"].as_str().unwrap();
    for _ in 0..400 {
        let state = call(&c, &doc, "GET", &format!("{base}/api/jobs/{job}"), "/api/jobs/{id}", None).await;
        if state["state"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    call(&c, &doc, "DELETE", &format!("{base}/api/jobs/{job}"), "/api/jobs/{id}", None).await;
    call(&c, &doc, "GET", &format!("{base}/api/jobs/nope"), "/api/jobs/{id}", None).await;

    let upload = c
        .post(format!("{base}/api/uploads"))
        .header("content-type", "image/png")
        .body(common::png(64, 48))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status().as_u16(), 200);
    conforms(&doc, "POST", "/api/uploads", 200, &upload.json().await.unwrap()).unwrap();

    let page = call(&c, &doc, "GET", &format!("{base}/api/history"), "/api/history", None).await;
    assert!(page["items"].as_array().unwrap().len() >= 2, "{page}");
    call(&c, &doc, "GET", &format!("{base}/api/history?limit=x"), "/api/history", None).await;
    call(&c, &doc, "DELETE", &format!("{base}/api/history/nope"), "/api/history/{id}", None).await;
    call(&c, &doc, "DELETE", &format!("{base}/api/history"), "/api/history", None).await;
    call(&c, &doc, "GET", &format!("{base}/readyz"), "/readyz", None).await;
    call(&c, &doc, "GET", &format!("{base}/api/snippet?model=bfl/flux-dev&prompt=x&lang=cobol"), "/api/snippet", None)
        .await;

    // The check is not vacuous: an answer that differs from the types is refused.
    let mut wrong = done.clone();
    wrong.as_object_mut().unwrap().remove("images");
    assert!(conforms(&doc, "POST", "/api/generate", 200, &wrong).is_err(), "a missing field");
    let mut wrong = done.clone();
    wrong["seed"] = json!("three");
    assert!(conforms(&doc, "POST", "/api/generate", 200, &wrong).is_err(), "a wrong type");
    let mut wrong = done;
    wrong["key"] = json!("sk-…");
    assert!(conforms(&doc, "POST", "/api/generate", 200, &wrong).is_err(), "a field not in the type");
    assert!(conforms(&doc, "GET", "/api/jobs/{id}", 200, &json!({"state": "lost"})).is_err(), "an unknown state");
}

#[tokio::test]
async fn under_a_base_path_the_document_names_it_as_its_server() {
    let addr = common::spawn(&[("FLUXPLAY_BASE_PATH", "/playground")]).await;
    let doc: Value =
        reqwest::get(format!("http://{addr}/playground/openapi.json")).await.unwrap().json().await.unwrap();
    assert_eq!(doc["servers"], json!([{"url": "/playground"}]));
}
