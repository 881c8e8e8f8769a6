//! The public-demo guards over real HTTP: passphrase, per-client rate limit
//! (and X-Forwarded-For spoofing), the concurrency cap and the daily budget
//! under concurrent load, body limits (declared and chunked), a slow body,
//! a client that disconnects after submitting, and the operator's counters.

use crate::common;

use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn body(params: Value) -> Value {
    json!({"model": "aimlapi/flux/dev", "params": params})
}

async fn post(client: &reqwest::Client, addr: SocketAddr, path: &str, json: &Value) -> reqwest::Response {
    client.post(format!("http://{addr}{path}")).json(json).send().await.unwrap()
}

/// A server whose AI/ML API is "live" against a counted emulator, with `key` (and its knobs).
async fn live(key: &str, vars: &[(&str, &str)]) -> (SocketAddr, Arc<AtomicUsize>, server::AppState) {
    common::live("aimlapi", key, vars).await
}

#[tokio::test]
async fn the_passphrase_guards_page_api_and_images_until_entered() {
    let (addr, submits, _) =
        live("k", &[("FLUXPLAY_PASSPHRASE", "open sesame"), ("FLUXPLAY_METRICS_TOKEN", "m")]).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let page = client.get(format!("http://{addr}/?prompt=hi")).send().await.unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()["location"], "/unlock?next=/%3Fprompt%3Dhi");
    let form = client.get(format!("http://{addr}/unlock")).send().await.unwrap().text().await.unwrap();
    assert!(form.contains(r#"name="passphrase""#) && form.contains("<label for=\"passphrase\">"), "{form}");

    // No Origin, no cookie: CORS is not authentication.
    let refused = post(&client, addr, "/api/generate", &body(json!({"prompt": "p"}))).await;
    assert_eq!(refused.status(), 401);
    let error: Value = refused.json().await.unwrap();
    assert!(error["message"].as_str().unwrap().contains("passphrase"), "{error}");
    for path in ["/api/jobs", "/api/uploads"] {
        assert_eq!(
            client.post(format!("http://{addr}{path}")).body("{}").send().await.unwrap().status(),
            401,
            "{path}"
        );
    }
    assert_eq!(client.get(format!("http://{addr}/images/{}.png", "a".repeat(64))).send().await.unwrap().status(), 401);

    let wrong =
        client.post(format!("http://{addr}/unlock")).form(&[("passphrase", "open sesam")]).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().get("set-cookie").is_none());
    assert!(wrong.text().await.unwrap().contains("That passphrase is not right."));

    let right = client
        .post(format!("http://{addr}/unlock"))
        .form(&[("passphrase", "open sesame"), ("next", "/?prompt=hi")])
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 303);
    assert_eq!(right.headers()["location"], "/?prompt=hi");
    let cookie = right.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && !cookie.contains("sesame"), "{cookie}");
    let cookie = cookie.split(';').next().unwrap().to_owned();

    let page = client.get(format!("http://{addr}/")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let ok = client
        .post(format!("http://{addr}/api/generate"))
        .header("cookie", &cookie)
        .json(&body(json!({"prompt": "p"})))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(submits.load(Ordering::SeqCst), 1, "only the unlocked request reached the provider");
    let metrics = client.get(format!("http://{addr}/metrics")).bearer_auth("m").send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    assert!(metrics.lines().any(|l| l == "fluxplay_refused_total{reason=\"passphrase\"} 4"), "{metrics}");
}

#[tokio::test]
async fn the_rate_limit_holds_per_client_and_ignores_spoofed_forwarding() {
    let (addr, submits, _) = live("k", &[("FLUXPLAY_RATE_PER_MINUTE", "2"), ("FLUXPLAY_RATE_BURST", "3")]).await;
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for i in 0..20 {
        let resp = client
            .post(format!("http://{addr}/api/generate"))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .json(&body(json!({"prompt": "p"})))
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            let wait: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=30).contains(&wait), "{wait}");
            let error: Value = resp.json().await.unwrap();
            assert!(error["message"].as_str().unwrap().contains("Too many requests"), "{error}");
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 17, "{statuses:?}");
    assert_eq!(submits.load(Ordering::SeqCst), 3);
    // Polling a job is not limited.
    for _ in 0..10 {
        assert_eq!(client.get(format!("http://{addr}/api/jobs/nope")).send().await.unwrap().status(), 404);
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_clients_are_told_apart_by_the_address_it_appended() {
    let (addr, _, _) = live(
        "k",
        &[("FLUXPLAY_RATE_PER_MINUTE", "1"), ("FLUXPLAY_RATE_BURST", "1"), ("FLUXPLAY_TRUSTED_PROXIES", "1")],
    )
    .await;
    let client = reqwest::Client::new();
    let send = |xff: String| {
        let client = client.clone();
        async move {
            let resp = client
                .post(format!("http://{addr}/api/generate"))
                .header("x-forwarded-for", xff)
                .json(&body(json!({"prompt": "p"})))
                .send()
                .await
                .unwrap();
            resp.status().as_u16()
        }
    };
    assert_eq!(send("203.0.113.1".into()).await, 200);
    assert_eq!(send("203.0.113.2".into()).await, 200, "another client");
    // The client may prepend anything; the proxy's entry is last and still the same client.
    assert_eq!(send("1.2.3.4, 203.0.113.1".into()).await, 429);
    assert_eq!(send("5.6.7.8, 203.0.113.1".into()).await, 429);
}

#[tokio::test]
async fn the_concurrency_cap_turns_away_the_excess_of_25_parallel_requests() {
    let (addr, submits, _) = live("k#latency=1500", &[("FLUXPLAY_MAX_CONCURRENT", "3")]).await;
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..25)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let resp = post(&client, addr, "/api/generate", &body(json!({"prompt": "p"}))).await;
                (resp.status().as_u16(), resp.headers().get("retry-after").is_some())
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert_eq!(results.iter().filter(|(s, _)| *s == 200).count(), 3, "{results:?}");
    assert!(results.iter().filter(|(s, _)| *s == 429).all(|(_, retry)| *retry), "{results:?}");
    assert_eq!(results.iter().filter(|(s, _)| *s == 429).count(), 22, "{results:?}");
    assert_eq!(submits.load(Ordering::SeqCst), 3);
    // The slots are free again.
    assert_eq!(post(&client, addr, "/api/generate", &body(json!({"prompt": "p"}))).await.status(), 200);
}

#[tokio::test]
async fn the_daily_budget_is_never_exceeded_under_concurrency() {
    for (vars, images) in [
        (vec![("FLUXPLAY_DAILY_IMAGES", "7")], 7),
        // 2 images a request at $1.50 each: 3 requests fit in $10.
        (vec![("FLUXPLAY_DAILY_USD", "10"), ("FLUXPLAY_PRICES", "aimlapi/flux/dev=1.5")], 6),
    ] {
        let (addr, submits, state) = live("k#latency=100", &vars).await;
        let client = reqwest::Client::new();
        let num = if images == 7 { 1 } else { 2 };
        let tasks: Vec<_> = (0..30)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move {
                    let resp = post(&client, addr, "/api/jobs", &body(json!({"prompt": "p", "num_images": num}))).await;
                    let status = resp.status().as_u16();
                    (status, resp.json::<Value>().await.unwrap())
                })
            })
            .collect();
        let mut accepted = 0;
        for t in tasks {
            let (status, answer) = t.await.unwrap();
            match status {
                202 => accepted += 1,
                429 => assert!(answer["message"].as_str().unwrap().contains("daily budget"), "{answer}"),
                other => panic!("{other}: {answer}"),
            }
        }
        assert_eq!(accepted * num, images, "{vars:?}");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(submits.load(Ordering::SeqCst), images / num, "{vars:?}");
        assert_eq!(state.inner.guards.budget.spent().await.images as usize, images);
    }
}

#[tokio::test]
async fn emulated_providers_cost_nothing_and_do_not_spend_the_budget() {
    let (addr, state) =
        common::spawn_state(&[("FLUXPLAY_DAILY_IMAGES", "1")], common::safe_fetch(Default::default(), &[])).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        assert_eq!(post(&client, addr, "/api/generate", &body(json!({"prompt": "p"}))).await.status(), 200);
    }
    assert_eq!(state.inner.guards.budget.spent().await.images, 0);
}

/// A body of `size` bytes sent in chunks, with no Content-Length.
fn chunked(size: usize) -> reqwest::Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..size / 4096 + 1).map(|_| Ok(vec![b' '; 4096])).collect();
    reqwest::Body::wrap_stream(tokio_stream::iter(chunks))
}

#[tokio::test]
async fn oversized_bodies_get_413_declared_or_chunked() {
    let (addr, submits, state) =
        live("k", &[("FLUXPLAY_MAX_JSON_BYTES", "65536"), ("FLUXPLAY_MAX_UPLOAD_BYTES", "1048576")]).await;
    let client = reqwest::Client::new();
    let big_prompt = body(json!({"prompt": "x".repeat(100_000)}));
    for (path, limit, declared, streamed) in [
        ("/api/jobs", "64 KB", reqwest::Body::from(big_prompt.to_string()), chunked(100_000)),
        ("/api/generate", "64 KB", reqwest::Body::from(big_prompt.to_string()), chunked(100_000)),
        ("/api/uploads", "1 MB", reqwest::Body::from(vec![0u8; 2 << 20]), chunked(2 << 20)),
    ] {
        for (how, body) in [("declared", declared), ("chunked", streamed)] {
            let resp = client
                .post(format!("http://{addr}{path}"))
                .header("content-type", if path == "/api/uploads" { "image/png" } else { "application/json" })
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 413, "{path} {how}");
            let error: Value = resp.json().await.unwrap();
            assert!(error["message"].as_str().unwrap().contains(limit), "{path} {how}: {error}");
        }
    }
    assert_eq!(submits.load(Ordering::SeqCst), 0);
    let metrics = state.inner.guards.limits.guards.max_json_bytes;
    assert_eq!(metrics, 65536);
}

#[tokio::test]
async fn a_body_that_trickles_is_cut_off_by_the_body_timeout() {
    let (addr, _, _) = live("k", &[("FLUXPLAY_BODY_TIMEOUT_SECS", "0.5")]).await;
    let first: Result<&'static [u8], std::io::Error> = Ok(b"{\"model\":");
    let stalled = tokio_stream::StreamExt::chain(tokio_stream::iter([first]), tokio_stream::pending());
    let started = std::time::Instant::now();
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/api/generate"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stalled))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_client_that_disconnects_after_submitting_still_gets_its_image_stored() {
    let (addr, submits, state) = live("k#latency=800", &[]).await;
    let client = reqwest::Client::builder().timeout(Duration::from_millis(200)).build().unwrap();
    let gone = client.post(format!("http://{addr}/api/generate")).json(&body(json!({"prompt": "p"}))).send().await;
    assert!(gone.is_err(), "the client gave up before the answer");
    let mut recorded = Vec::new();
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        recorded = state.inner.db.history(None, None, 10).await.unwrap();
        if !recorded.is_empty() {
            break;
        }
    }
    assert_eq!(recorded.len(), 1, "the paid generation is in the history");
    assert!(recorded[0].ok, "{:?}", recorded[0]);
    assert_eq!(submits.load(Ordering::SeqCst), 1);
    let entry = server::history::Entry::from_generation(recorded[0].clone(), "");
    let served = reqwest::get(format!("http://{addr}{}", entry.images[0].url)).await.unwrap();
    assert_eq!(served.status(), 200, "the paid image landed in the store");
}

#[tokio::test]
async fn metrics_need_their_token_and_count_what_happened() {
    let (addr, submits, _) = live(
        "k",
        &[("FLUXPLAY_METRICS_TOKEN", "m-token"), ("FLUXPLAY_DAILY_IMAGES", "2"), ("FLUXPLAY_MAX_JSON_BYTES", "1024")],
    )
    .await;
    let client = reqwest::Client::new();
    for _ in 0..4 {
        post(&client, addr, "/api/generate", &body(json!({"prompt": "p"}))).await;
    }
    post(&client, addr, "/api/generate", &body(json!({"prompt": "x".repeat(2000)}))).await;
    assert_eq!(client.get(format!("http://{addr}/metrics")).send().await.unwrap().status(), 401);
    let wrong = client.get(format!("http://{addr}/metrics")).bearer_auth("m-tokeN").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let text = client.get(format!("http://{addr}/metrics")).bearer_auth("m-token").send().await.unwrap().text().await;
    let text = text.unwrap();
    for line in [
        "fluxplay_generations_total{outcome=\"done\"} 2",
        "fluxplay_refused_total{reason=\"budget\"} 2",
        "fluxplay_refused_total{reason=\"too_large\"} 1",
        "fluxplay_images_stored_total 2",
        "fluxplay_budget_images_today 2",
        "fluxplay_upstream_submits_total{provider=\"aimlapi\"} 2",
        "fluxplay_generations_in_flight 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    assert_eq!(submits.load(Ordering::SeqCst), 2);
    let (plain, _, _) = live("k", &[]).await;
    assert_eq!(client.get(format!("http://{plain}/metrics")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn smuggled_fields_are_refused_and_never_forwarded() {
    let (addr, submits, _) = live("k", &[]).await;
    let client = reqwest::Client::new();
    let resp = post(
        &client,
        addr,
        "/api/generate",
        &body(json!({"prompt": "p", "webhook_url": "https://evil.example/", "api_key": "x", "base_url": "http://x"})),
    )
    .await;
    assert_eq!(resp.status(), 422);
    let error: Value = resp.json().await.unwrap();
    let fields: Vec<&str> = error["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields.len(), 3, "{error}");
    for f in ["webhook_url", "api_key", "base_url"] {
        assert!(fields.contains(&f), "{error}");
    }
    assert_eq!(submits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_emulators_serve_this_server_freely_and_others_behind_the_guards() {
    let (addr, _) = common::spawn_state(
        &[
            ("FLUXPLAY_PASSPHRASE", "open sesame"),
            ("FLUXPLAY_TRUSTED_PROXIES", "1"),
            ("FLUXPLAY_RATE_PER_MINUTE", "1"),
            ("FLUXPLAY_RATE_BURST", "2"),
        ],
        common::safe_fetch(Default::default(), &[]),
    )
    .await;
    let client = reqwest::Client::new();
    let emulate = format!("http://{addr}/emulate/aimlapi/v1/images/generations");
    let call = |xff: &'static str, cookie: Option<String>| {
        let mut req = client
            .post(&emulate)
            .bearer_auth("anything")
            .header("x-forwarded-for", xff)
            .json(&json!({"model": "flux/schnell", "prompt": "p"}));
        if let Some(cookie) = cookie {
            req = req.header("cookie", cookie);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    // A visitor (as the trusted proxy reports), even one the proxy reports as loopback, needs the passphrase.
    assert_eq!(call("203.0.113.9", None).await, 401);
    assert_eq!(call("127.0.0.1", None).await, 401);
    let unlocked = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = unlocked
        .post(format!("http://{addr}/unlock"))
        .header("x-forwarded-for", "198.51.100.1")
        .form(&[("passphrase", "open sesame")])
        .send()
        .await;
    let cookie = resp.unwrap().headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    assert!((200..300).contains(&call("203.0.113.9", Some(cookie.clone())).await));
    assert!((200..300).contains(&call("203.0.113.9", Some(cookie.clone())).await));
    assert_eq!(call("203.0.113.9", Some(cookie.clone())).await, 429, "and then rate limited");
    // This server's own emulated generations use the private listener: the public limit does not touch them.
    for i in 0..2 {
        let resp = client
            .post(format!("http://{addr}/api/generate"))
            .header("x-forwarded-for", format!("192.0.2.{i}"))
            .header("cookie", cookie.clone())
            .json(&json!({"model": "aimlapi/flux/schnell", "params": {"prompt": "p", "image_size": "square"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    }
}
