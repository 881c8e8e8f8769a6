//! A bounded fuzz of every JSON and query endpoint (OWASP: input validation
//! testing): random JSON trees, random query strings, random paths and header
//! values. Whatever comes in, the answer is a success or a 4xx, never a 5xx,
//! and the process stays alive.

use crate::common;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};
use std::net::SocketAddr;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        prop_oneof![Just(u64::MAX), Just(1u64 << 53), Just(0)].prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        prop_oneof![
            Just("aimlapi/flux/dev"),
            Just("bfl/flux-dev"),
            Just("square_hd"),
            Just("/uploads/../../etc/passwd"),
            Just("https://127.0.0.1/x.png"),
            Just("1:1"),
            Just("custom")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    ".{0,12}",
                    Just("prompt".to_owned()),
                    Just("seed".to_owned()),
                    Just("image_size".to_owned()),
                    Just("num_images".to_owned()),
                    Just("width".to_owned()),
                    Just("image_url".to_owned())
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A request body: usually `{model, params}` with a real model, sometimes anything.
fn body() -> impl Strategy<Value = Value> {
    let model = prop::sample::select(app::catalog::models().map(|m| m.slug()).collect::<Vec<_>>());
    prop_oneof![
        3 => (model, json_value()).prop_map(|(m, p)| json!({"model": m, "params": p})),
        1 => json_value(),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("model".to_owned()),
        Just("prompt".to_owned()),
        Just("lang".to_owned()),
        Just("image_size".to_owned()),
        Just("seed".to_owned()),
        "[a-z_%]{0,10}".prop_map(|s| s)
    ];
    let value = prop_oneof!["[ -~]{0,30}", "%[0-9A-Fa-f]{0,2}", Just("aimlapi/flux/dev".to_owned()), "\\PC{0,10}"];
    prop::collection::vec((key, value), 0..8).prop_map(|pairs| {
        pairs.into_iter().map(|(k, v)| format!("{k}={}", v.replace(['#', ' '], "+"))).collect::<Vec<_>>().join("&")
    })
}

fn run<S: Strategy>(cases: u32, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner.run(&strategy, check).unwrap();
}

fn never_5xx(status: u16, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(status < 500, "{what} answered {status}");
    Ok(())
}

/// The server on its own thread and runtime, so the proptest runner can block on requests.
fn server() -> (SocketAddr, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let addr = rt.block_on(common::spawn(&[]));
    (addr, rt)
}

#[test]
fn json_endpoints_answer_4xx_or_success_never_5xx() {
    let (addr, rt) = server();
    let client = reqwest::Client::new();
    run(200, (prop_oneof![Just("/api/generate"), Just("/api/jobs")], body()), |(path, body)| {
        let status = rt.block_on(async {
            client.post(format!("http://{addr}{path}")).json(&body).send().await.unwrap().status().as_u16()
        });
        never_5xx(status, &format!("POST {path} {body}"))
    });
    // Not JSON at all, or JSON with the wrong content type.
    run(100, (prop::collection::vec(any::<u8>(), 0..200), any::<bool>()), |(bytes, typed)| {
        let status = rt.block_on(async {
            let mut req = client.post(format!("http://{addr}/api/generate")).body(bytes.clone());
            if typed {
                req = req.header("content-type", "application/json");
            }
            req.send().await.unwrap().status().as_u16()
        });
        never_5xx(status, &format!("POST /api/generate {bytes:?}"))
    });
    let alive = rt.block_on(async { reqwest::get(format!("http://{addr}/")).await.unwrap().status() });
    assert_eq!(alive, 200);
}

#[test]
fn query_endpoints_and_paths_answer_4xx_or_success_never_5xx() {
    let (addr, rt) = server();
    let client = reqwest::Client::new();
    let path = prop_oneof![Just("/"), Just("/api/snippet"), Just("/api/estimate"), Just("/unlock")];
    run(250, (path, query()), |(path, query)| {
        let url = format!("http://{addr}{path}?{query}");
        let status = rt.block_on(async { client.get(&url).send().await.map(|r| r.status().as_u16()) });
        match status {
            Ok(status) => never_5xx(status, &url),
            Err(_) => Ok(()), // reqwest refused to send it: not our concern
        }
    });
    let segment = prop_oneof!["[a-zA-Z0-9._%~-]{0,70}", Just("..".to_owned()), Just("%2e%2e".to_owned())];
    let prefix = prop_oneof![Just("/api/jobs/"), Just("/images/"), Just("/uploads/"), Just("/pkg/"), Just("/emulate/")];
    run(250, (prefix, segment), |(prefix, segment)| {
        let url = format!("http://{addr}{prefix}{segment}");
        let status = rt.block_on(async { client.get(&url).send().await.map(|r| r.status().as_u16()) });
        match status {
            Ok(status) => never_5xx(status, &url),
            Err(_) => Ok(()),
        }
    });
}

#[test]
fn hostile_header_values_answer_4xx_or_success_never_5xx() {
    let (addr, rt) = server();
    let client = reqwest::Client::new();
    let name = prop::sample::select(vec![
        "cookie",
        "x-forwarded-for",
        "x-forwarded-proto",
        "content-type",
        "accept-encoding",
        "range",
        "if-modified-since",
        "origin",
    ]);
    let value = prop_oneof![
        "[ -~]{0,60}",
        Just("fluxplay_pass=".to_owned() + &"z".repeat(64)),
        Just("br;q=2, *;q=-1".to_owned())
    ];
    run(
        200,
        (name, value, prop_oneof![Just("/"), Just("/favicon.svg"), Just("/api/snippet?lang=curl")]),
        |(name, value, path)| {
            let url = format!("http://{addr}{path}");
            let status =
                rt.block_on(async { client.get(&url).header(name, &value).send().await.map(|r| r.status().as_u16()) });
            match status {
                Ok(status) => never_5xx(status, &format!("{url} {name}: {value}")),
                Err(_) => Ok(()),
            }
        },
    );
}
