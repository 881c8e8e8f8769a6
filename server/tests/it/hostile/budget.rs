//! A visitor who picks the largest output a model makes (ultra's 4 MP, a big
//! reference image for image-to-image) must not get past a per-megapixel credit
//! budget by it: the estimate counts what each model really makes. And a request
//! that never reached the provider (a reference URL that cannot be fetched) must
//! not use the budget up either.

use crate::common;
use app::catalog::{Kind, ModelRef};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};
use server::guards::budget;
use server::AppState;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;

/// Cases per model: each one has the emulator render its images, about a
/// microsecond a pixel in a debug build.
const CASES: u32 = 2;
/// Custom sizes (fal's go to 4096) and reference images are drawn up to this
/// side, for the same reason; the estimate's arithmetic is the same at any side.
const MOST_SIDE: u32 = 1280;
/// Image counts: each image is rendered, and the count is read from the same field
/// by the estimate and the emulator (see the unit tests in `guards::budget`).
const COUNTS: [&str; 4] = ["num_images", "samples", "num_outputs", "n"];

/// A field's value as drawn; an image is uploaded when the case runs.
#[derive(Debug, Clone)]
enum Drawn {
    Value(Value),
    Upload(u32, u32),
    Uploads(Vec<(u32, u32)>),
}

/// A valid value for `kind`, from the catalog's own data: an option, a preset, an
/// in-range number (a multiple where one is asked), a reference image of any shape.
fn value(kind: &Kind) -> BoxedStrategy<Drawn> {
    let plain = |v: Value| Drawn::Value(v);
    match kind {
        Kind::Text { example, .. } => Just(plain(json!(example))).boxed(),
        Kind::Bool { only: Some(only), .. } => Just(plain(json!(only))).boxed(),
        Kind::Bool { .. } => any::<bool>().prop_map(move |b| plain(json!(b))).boxed(),
        Kind::Choice(c) => {
            let values: Vec<&str> = c.options.iter().map(|o| o.value).collect();
            proptest::sample::select(values).prop_map(move |v| plain(json!(v))).boxed()
        }
        Kind::Number(n) => {
            let (lo, hi) = (n.min.unwrap_or(0.0), n.max.unwrap_or(n.min.unwrap_or(0.0) + 1e6));
            match (n.integer, n.multiple_of) {
                (true, Some(m)) => ((lo / m).ceil() as i64..=(hi / m).floor() as i64)
                    .prop_map(move |k| plain(json!(k * m as i64)))
                    .boxed(),
                (true, None) => (lo as i64..=hi as i64).prop_map(move |k| plain(json!(k))).boxed(),
                (false, _) => (lo..=hi).prop_map(move |x| plain(json!(x))).boxed(),
            }
        }
        Kind::Size(s) => {
            // The unnamed preset ("the first reference's size") is the field left out, drawn apart.
            let names: Vec<&str> = s.presets.iter().map(|p| p.name).filter(|n| !n.is_empty()).collect();
            let (m, lo, hi) = (s.multiple_of.max(1), s.min, s.max.min(MOST_SIDE));
            let side = (lo.div_ceil(m)..=hi / m).prop_map(move |k| k * m);
            prop_oneof![
                proptest::sample::select(names).prop_map(move |n| plain(json!(n))),
                (side.clone(), side).prop_map(move |(w, h)| plain(json!({"width": w, "height": h}))),
            ]
            .boxed()
        }
        // A list gets one to three; FLUX 3 wants each at least 256×256.
        Kind::Image(i) if i.list.is_some() => {
            proptest::collection::vec((256..=MOST_SIDE, 256..=MOST_SIDE), 1..=3).prop_map(Drawn::Uploads).boxed()
        }
        Kind::Image(_) => (16..=MOST_SIDE, 16..=MOST_SIDE).prop_map(|(w, h)| Drawn::Upload(w, h)).boxed(),
        // Weights change what an image costs nowhere: one is enough.
        Kind::Loras(_) => Just(plain(json!([{"path": "owner/style-lora", "scale": 1}]))).boxed(),
    }
}

/// Every required field, and each optional one or not (then its default counts);
/// one image each.
fn params(model: ModelRef) -> BoxedStrategy<Vec<(&'static str, Drawn)>> {
    let fields: Vec<BoxedStrategy<Option<(&'static str, Drawn)>>> = model
        .model
        .fields
        .iter()
        .map(|f| {
            let key = f.key;
            if COUNTS.contains(&key) {
                Just(None).boxed()
            } else if f.required {
                value(&f.kind).prop_map(move |v| Some((key, v))).boxed()
            } else {
                proptest::option::of(value(&f.kind).prop_map(move |v| (key, v))).boxed()
            }
        })
        .collect();
    fields.prop_map(|all| all.into_iter().flatten().collect()).boxed()
}

async fn upload(addr: SocketAddr, width: u32, height: u32) -> String {
    // Every model runs at once: past the server's cap on uploads decoded at once the
    // answer is 429, and a polite client comes back.
    let resp = loop {
        let resp = reqwest::Client::new()
            .post(format!("http://{addr}/api/uploads"))
            .header("content-type", "image/png")
            .body(common::png(width, height))
            .send()
            .await
            .unwrap();
        if resp.status() != 429 {
            break resp;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(resp.status(), 200, "upload {width}x{height}");
    resp.json::<Value>().await.unwrap()["reference"].as_str().unwrap().to_owned()
}

/// Generates with `drawn` through the server; the estimate beside what was made.
async fn case(addr: SocketAddr, state: &AppState, model: ModelRef, drawn: Vec<(&str, Drawn)>) -> Result<(), String> {
    let mut params = Map::new();
    for (key, v) in drawn {
        let v = match v {
            Drawn::Value(v) => v,
            Drawn::Upload(w, h) => Value::from(upload(addr, w, h).await),
            Drawn::Uploads(sizes) => {
                let mut all = Vec::new();
                for (w, h) in sizes {
                    all.push(Value::from(upload(addr, w, h).await));
                }
                Value::Array(all)
            }
        };
        params.insert(key.to_owned(), v);
    }
    let valid = app::validate::validate(model, &params).map_err(|e| format!("{e:?}"))?;
    let sizes = budget::upload_sizes(&state.inner.uploads, &valid).await;
    let cost = budget::estimate(&valid, &state.inner.guards.limits, &budget::known(&sizes));
    // Every model at once is more than an emulator works on at a time (`MAX_IN_FLIGHT`): its
    // busy 503 says to come back in a second, and a polite client does.
    let mut tries = 0;
    let (status, answer) = loop {
        let (status, answer) = common::generate(addr, &model.slug(), Value::Object(params.clone())).await;
        tries += 1;
        if status != 503 || tries == 60 {
            break (status, answer);
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    if status != 200 {
        return Err(format!("{status}: {answer} for {params:?}"));
    }
    let images = answer["images"].as_array().cloned().unwrap_or_default();
    let made: Vec<(u64, u64)> =
        images.iter().map(|i| (i["width"].as_u64().unwrap_or(0), i["height"].as_u64().unwrap_or(0))).collect();
    let most = (cost.megapixels * 1e6).round() as u64;
    if made.is_empty() || made.len() > cost.images as usize || made.iter().any(|(w, h)| w * h > most) {
        return Err(format!("made {made:?}, estimated {} × {most} px, for {params:?}", cost.images));
    }
    Ok(())
}

/// For every model and random valid params, the estimate is at least what the
/// (emulated) provider makes: images, and pixels of each.
#[test]
fn the_estimate_covers_what_every_model_makes() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // Every model at once from one loopback address: more than a visitor's 32 connections.
    // This test is about sizes, not slow clients: on a busy machine, with every model's
    // requests queued behind two workers, a request may wait past the slow-client deadlines.
    let vars = [
        ("FLUXPLAY_MAX_CONNECTIONS_PER_CLIENT", "1000"),
        ("FLUXPLAY_HEADER_TIMEOUT_SECS", "120"),
        ("FLUXPLAY_BODY_TIMEOUT_SECS", "120"),
    ];
    let (addr, state) = rt.block_on(common::spawn_state(&vars, common::safe_fetch(Default::default(), &[])));
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = app::catalog::models()
            .map(|model| {
                let (handle, state) = (rt.handle().clone(), state.clone());
                scope.spawn(move || {
                    let config =
                        Config { cases: CASES, failure_persistence: None, max_shrink_iters: 32, ..Config::default() };
                    let mut runner = TestRunner::new(config);
                    runner
                        .run(&params(model), |drawn| {
                            handle.block_on(case(addr, &state, model, drawn)).map_err(TestCaseError::fail)
                        })
                        .err()
                        .map(|e| format!("{}: {e}", model.slug()))
                })
            })
            .collect();
        runs.into_iter().filter_map(|r| r.join().unwrap()).collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Ultra makes 2752×1536 (4.2 MP) at 16:9: a per-megapixel budget of $9
/// pays for floor(9 / 4.23) = 2 of them, not the 9 a 1 MP estimate would let through.
#[tokio::test]
async fn a_credit_budget_lets_through_exactly_what_it_pays_for() {
    let model = "aimlapi/flux-pro/v1.1-ultra";
    let vars = [("FLUXPLAY_DAILY_USD", "9"), ("FLUXPLAY_PRICES", "aimlapi/flux-pro/v1.1-ultra=1/mp")];
    let (addr, submits, state) = common::live("aimlapi", "k", &vars).await;
    let (mut passed, mut real) = (0, 0.0);
    for _ in 0..4 {
        match common::generate(addr, model, json!({"prompt": "p", "aspect_ratio": "16:9"})).await {
            (200, answer) => {
                passed += 1;
                let image = &answer["images"][0];
                real = image["width"].as_f64().unwrap() * image["height"].as_f64().unwrap() / 1e6;
            }
            (429, answer) => assert!(answer["message"].as_str().unwrap().contains("budget of $9.00"), "{answer}"),
            (status, answer) => panic!("{status}: {answer}"),
        }
    }
    assert!((real - 2752.0 * 1536.0 / 1e6).abs() < 1e-9, "{real}");
    assert_eq!(passed, (9.0 / real).floor() as usize);
    assert_eq!(submits.load(Ordering::SeqCst), passed);
    assert!((state.inner.guards.budget.spent().await.usd - passed as f64 * real).abs() < 1e-9);
}

/// A reference URL that cannot be fetched: nothing reaches the provider, and
/// the reservation (two images of the largest reference) is given back.
#[tokio::test]
async fn a_reference_that_cannot_be_fetched_gives_the_reservation_back() {
    let model = "aimlapi/flux/dev/image-to-image";
    let vars = [
        ("FLUXPLAY_DAILY_IMAGES", "2"),
        ("FLUXPLAY_DAILY_USD", "100"),
        ("FLUXPLAY_PRICES", "aimlapi/flux/dev/image-to-image=1/mp"),
    ];
    let (addr, submits, state) = common::live("aimlapi", "k", &vars).await;
    let before = state.inner.guards.budget.spent().await;
    for _ in 0..3 {
        let params = json!({"prompt": "p", "image_url": "https://nowhere.test/cat.png", "num_images": 2});
        let (status, answer) = common::generate(addr, model, params).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["fields"][0]["field"], "image_url", "{answer}");
        let spent = state.inner.guards.budget.spent().await;
        assert_eq!((spent.images, spent.usd), (before.images, before.usd), "given back");
    }
    assert_eq!(submits.load(Ordering::SeqCst), 0);
    // The budget of two images is whole: an uploaded 640×480 reference spends its real size.
    let reference = upload(addr, 640, 480).await;
    let (status, answer) =
        common::generate(addr, model, json!({"prompt": "p", "image_url": reference, "num_images": 2})).await;
    assert_eq!(status, 200, "{answer}");
    let spent = state.inner.guards.budget.spent().await;
    assert_eq!(spent.images, 2);
    assert!((spent.usd - 2.0 * 640.0 * 480.0 / 1e6).abs() < 1e-9, "{spent:?}");
    assert_eq!(submits.load(Ordering::SeqCst), 1);
}
