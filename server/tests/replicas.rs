//! Several replicas on real engines: two `fluxplay` processes with no shared disk,
//! one PostgreSQL and one S3-compatible bucket (moto), a live provider played by the
//! emulators behind a counter. What must hold across both: the daily budget and the
//! concurrency cap, job polls, images, uploads and history; and a restart loses
//! nothing. Numbers (throughput, time to a restored form's link) are printed, not asserted.

mod common;
mod services;

use serde_json::{json, Value};
use services::{Postgres, Replica, S3};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A browser: its visitor cookie, sent to whichever replica the balancer picks.
#[derive(Clone)]
struct Browser {
    http: reqwest::Client,
    cookie: String,
}

impl Browser {
    fn new() -> Self {
        Self { http: reqwest::Client::new(), cookie: format!("fluxplay_visitor={}", uuid::Uuid::new_v4().simple()) }
    }

    async fn get(&self, addr: SocketAddr, path: &str) -> (u16, Value) {
        let resp = self.http.get(format!("http://{addr}{path}")).header("cookie", &self.cookie).send().await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, addr: SocketAddr, path: &str, body: &Value) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("http://{addr}{path}"))
            .header("cookie", &self.cookie)
            .json(body)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap_or(Value::Null))
    }

    async fn bytes(&self, addr: SocketAddr, path: &str) -> (u16, Vec<u8>) {
        let resp = self.http.get(format!("http://{addr}{path}")).send().await.unwrap();
        (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
    }

    /// `POST /api/generate`, again while the cap says "already running" (as a polite client would).
    async fn generate(&self, addr: SocketAddr, model: &str, params: Value) -> (u16, Value) {
        loop {
            let (status, answer) = self.post(addr, "/api/generate", &json!({"model": model, "params": params})).await;
            let running = answer["message"].as_str().is_some_and(|m| m.contains("already running"));
            if !(status == 429 && running) {
                return (status, answer);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The provider: the emulators, counting submits and the most at once.
struct Provider {
    addr: SocketAddr,
    submits: Arc<AtomicUsize>,
    most_at_once: Arc<AtomicUsize>,
}

async fn provider() -> Provider {
    let (submits, now, most) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (s, n, m) = (submits.clone(), now.clone(), most.clone());
    let router = axum::Router::new().nest_service("/emulate", server::emulator::router()).layer(
        axum::middleware::from_fn(move |req: axum::extract::Request, next: axum::middleware::Next| {
            let (s, n, m) = (s.clone(), n.clone(), m.clone());
            async move {
                let post = req.method() == axum::http::Method::POST;
                if post {
                    s.fetch_add(1, Ordering::SeqCst);
                    m.fetch_max(n.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                }
                let resp = next.run(req).await;
                if post {
                    n.fetch_sub(1, Ordering::SeqCst);
                }
                resp
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Provider { addr, submits, most_at_once: most }
}

/// The settings every replica shares (the database and the bucket), then `more`.
fn shared(pg: &Postgres, s3: &S3, more: &[(&str, String)]) -> Vec<(String, String)> {
    let mut all = vec![
        ("FLUXPLAY_DATABASE_URL".to_owned(), pg.url()),
        ("FLUXPLAY_S3_BUCKET".to_owned(), s3.bucket.to_owned()),
        ("FLUXPLAY_S3_ENDPOINT".to_owned(), s3.endpoint()),
        ("FLUXPLAY_S3_ACCESS_KEY_ID".to_owned(), "test".to_owned()),
        ("FLUXPLAY_S3_SECRET_ACCESS_KEY".to_owned(), "test".to_owned()),
        ("FLUXPLAY_RATE_PER_MINUTE".to_owned(), "0".to_owned()),
    ];
    all.extend(more.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    all
}

const LIVE: &str = "aimlapi/flux/dev";
const BUDGET: usize = 15;
const CAP: usize = 3;

async fn budget_today(url: &str) -> i64 {
    let db =
        server::db::Db::open(Some(&secrecy::SecretString::from(url.to_owned())), std::path::Path::new("/nonexistent"))
            .unwrap();
    let day = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 86_400;
    db.spent(day as i64).await.unwrap().images
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_on_postgres_and_s3_share_budget_cap_jobs_images_and_history() {
    let pg = Postgres::start();
    let s3 = S3::start();
    let provider = provider().await;
    let settings = shared(
        &pg,
        &s3,
        &[
            // The emulator's latency knob: a generation takes 300 ms, so runs overlap.
            ("AIMLAPI_KEY", "k#latency=300".into()),
            ("AIMLAPI_BASE_URL", format!("http://{}/emulate/aimlapi", provider.addr)),
            ("FLUXPLAY_DAILY_IMAGES", BUDGET.to_string()),
            ("FLUXPLAY_MAX_CONCURRENT", CAP.to_string()),
        ],
    );
    let a = Replica::start(&settings);
    let b = Replica::start(&settings);
    let replicas = [a.addr, b.addr];
    let browser = Browser::new();

    // A job started on A is polled to its end on B; B serves the image A stored.
    let (status, ticket) =
        browser.post(a.addr, "/api/jobs", &json!({"model": LIVE, "params": {"prompt": "job"}})).await;
    assert_eq!(status, 202, "{ticket}");
    let job = ticket["job"].as_str().unwrap().to_owned();
    let done = loop {
        let (status, state) = browser.get(b.addr, &format!("/api/jobs/{job}")).await;
        assert_eq!(status, 200, "B answers A's job: {state}");
        if state["state"] == "done" || state["state"] == "failed" {
            break state;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(done["state"], "done", "{done}");
    let image = done["result"]["images"][0]["url"].as_str().unwrap().to_owned();
    let (from_a, from_b) = (browser.bytes(a.addr, &image).await, browser.bytes(b.addr, &image).await);
    assert_eq!((from_a.0, from_b.0), (200, 200));
    assert_eq!(from_a.1, from_b.1);
    assert!(!b.data.join("images").exists() && !a.data.join("images").exists(), "images live in the bucket");

    // An upload on B is a reference on A.
    let reference = common::upload(b.addr, common::png(320, 240)).await;
    let (status, answer) = browser
        .generate(a.addr, "aimlapi/flux/dev/image-to-image", json!({"prompt": "ref", "image_url": reference}))
        .await;
    assert_eq!(status, 200, "{answer}");

    // The cap and the budget hold across both: 60 browsers at once, half on each replica.
    let started = Instant::now();
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let addr = replicas[i % 2];
            tokio::spawn(
                async move { Browser::new().generate(addr, LIVE, json!({"prompt": format!("rush {i}")})).await },
            )
        })
        .collect();
    let (mut granted, mut refused) = (0, 0);
    for t in tasks {
        let (status, answer) = t.await.unwrap();
        match status {
            200 => granted += 1,
            429 if answer["message"].as_str().is_some_and(|m| m.contains("daily budget")) => refused += 1,
            other => panic!("{other}: {answer}"),
        }
    }
    let rush = started.elapsed();
    let submitted = provider.submits.load(Ordering::SeqCst);
    assert_eq!(granted + 2, BUDGET, "the whole budget, once: {granted} granted, {refused} refused");
    assert_eq!(
        submitted,
        BUDGET,
        "the provider saw exactly the budget (overshoot {})",
        submitted as i64 - BUDGET as i64
    );
    let most = provider.most_at_once.load(Ordering::SeqCst);
    assert!(most <= CAP, "{most} ran at once across both replicas, over the cap of {CAP}");
    assert_eq!(budget_today(&pg.url()).await, BUDGET as i64);
    eprintln!(
        "two replicas: {granted} generations in {rush:?} with the cap at {CAP} and 300 ms each, most at once {most}, \
         budget overshoot {}",
        submitted as i64 - BUDGET as i64
    );

    // The history is shared: B lists what this browser made on A.
    let (_, on_b) = browser.get(b.addr, "/api/history?limit=100").await;
    let items = on_b["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "this browser's two generations: {on_b}");
    assert!(items.iter().any(|i| i["id"] == job.as_str()));
    let (_, stranger) = Browser::new().get(b.addr, "/api/history").await;
    assert_eq!(stranger["items"], json!([]), "a live key keeps each visitor's history apart");

    // A restart keeps history and budget: the spent budget does not spend again.
    let a = a.restart();
    let (_, after) = browser.get(a.addr, "/api/history?limit=100").await;
    assert_eq!(after["items"], on_b["items"], "the same history after a restart");
    let (status, answer) = browser.generate(a.addr, LIVE, json!({"prompt": "after restart"})).await;
    assert_eq!(status, 429, "{answer}");
    assert_eq!(provider.submits.load(Ordering::SeqCst), BUDGET);
    // A permalink made on A is a page on B; deleted on B, it is gone on A.
    let link = format!("/r/{job}");
    let page = reqwest::get(format!("http://{}{link}", b.addr)).await.unwrap();
    assert_eq!(page.status(), 200);
    let (status, _) = {
        let resp = browser
            .http
            .delete(format!("http://{}/api/history/{job}", b.addr))
            .header("cookie", &browser.cookie)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), ())
    };
    assert_eq!(status, 204);
    assert_eq!(reqwest::get(format!("http://{}{link}", a.addr)).await.unwrap().status(), 404);
    drop((a, b, s3, pg));
}

/// Throughput through two replicas on the emulators (no key, so no budget), and
/// the time from a history entry to its restored form's link. Printed for the
/// closing note; nothing here is a timed assertion.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn generations_per_second_through_two_replicas() {
    let pg = Postgres::start();
    let s3 = S3::start();
    let settings = shared(&pg, &s3, &[("FLUXPLAY_MAX_CONCURRENT", "16".into())]);
    let (a, b) = (Replica::start(&settings), Replica::start(&settings));
    let replicas = [a.addr, b.addr];
    let total = 160;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..16)
        .map(|w| {
            let next = next.clone();
            tokio::spawn(async move {
                let browser = Browser::new();
                while next.fetch_add(1, Ordering::SeqCst) < total {
                    let (status, answer) =
                        browser.generate(replicas[w % 2], "openai/flux-dev", json!({"prompt": "bench"})).await;
                    assert_eq!(status, 200, "{answer}");
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = started.elapsed();
    eprintln!(
        "throughput: {total} emulated generations through two replicas in {elapsed:?}: {:.1} generations/s",
        total as f64 / elapsed.as_secs_f64()
    );
    let browser = Browser::new();
    let (status, _) = browser.generate(a.addr, "openai/flux-dev", json!({"prompt": "restore me", "n": 2})).await;
    assert_eq!(status, 200);
    let restored = Instant::now();
    let (_, page) = browser.get(b.addr, "/api/history?limit=1").await;
    let link = page["items"][0]["restore"].as_str().unwrap().to_owned();
    assert!(link.contains("prompt=restore%20me") && link.contains("n=2"), "{link}");
    eprintln!("history entry to its form's link, across replicas: {:?}", restored.elapsed());
    let db = server::db::Db::open(Some(&secrecy::SecretString::from(pg.url())), std::path::Path::new("/nonexistent"))
        .unwrap();
    let row = sqlx::query(
        "SELECT CAST(pg_total_relation_size('generations') + pg_total_relation_size('generation_images') AS BIGINT) AS n",
    )
    .fetch_one(db.ready().await.unwrap())
    .await
    .unwrap();
    let bytes: i64 = sqlx::Row::get(&row, "n");
    eprintln!("PostgreSQL: {} bytes per 1,000 generations (tables and indexes)", bytes * 1000 / (total as i64 + 1));
    drop((a, b, s3, pg));
}

/// The process as a container runs it: logs as JSON lines when asked, a clean exit on
/// SIGTERM, and a wrong log format refused at the start.
#[test]
fn json_logs_when_asked_and_a_clean_exit_on_sigterm() {
    use std::process::{Command, Stdio};
    let data = services::temp("json-logs");
    let port = services::free_port();
    let start = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_fluxplay"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_OUTPUT_NAME", "fluxplay")
            .env("LEPTOS_SITE_ROOT", data.join("site"))
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("FLUXPLAY_DATA_DIR", &data)
            .env("FLUXPLAY_CONFIG", "/dev/null")
            .env("RUST_LOG", "info")
            .env("FLUXPLAY_LOG_FORMAT", format)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let wrong = start("yaml").wait_with_output().unwrap();
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("FLUXPLAY_LOG_FORMAT is `json` or `text`"));

    // The container's HEALTHCHECK: `fluxplay healthcheck` asks the listen address (an
    // unspecified one on loopback) for /healthz; 0 while the server answers, 1 once it is gone.
    let healthcheck = || {
        Command::new(env!("CARGO_BIN_EXE_fluxplay"))
            .arg("healthcheck")
            .env_clear()
            .env("LEPTOS_OUTPUT_NAME", "fluxplay")
            .env("LEPTOS_SITE_ADDR", format!("0.0.0.0:{port}"))
            .output()
            .unwrap()
    };
    let mut child = start("json");
    services::wait_for_port(port, "fluxplay", &mut child);
    let healthy = healthcheck();
    assert!(healthy.status.success(), "{:?} {}", healthy.status, String::from_utf8_lossy(&healthy.stdout));
    Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit after SIGTERM: {:?}", out.status);
    assert_eq!(healthcheck().status.code(), Some(1), "no server: unhealthy");
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["fields"]["message"].as_str().is_some_and(|m| m.starts_with("fluxplay listening"))),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l["fields"]["message"].as_str().is_some_and(|m| m.starts_with("shutting down"))),
        "{lines:?}"
    );
    let _ = std::fs::remove_dir_all(&data);
}
