//! Test helpers: a state on a temporary data dir, and a real server on loopback.
#![allow(dead_code)]

use leptos::config::LeptosOptions;
use server::config::Config;
use server::safe_fetch::{Lookup, Policy, SafeFetch};
use server::AppState;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

pub fn options() -> LeptosOptions {
    LeptosOptions::builder().output_name("fluxplay").site_root("target/site").site_pkg_dir("pkg").build()
}

pub fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fluxplay-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Guards loose enough that tests about other things never meet them.
const LOOSE: &[(&str, &str)] =
    &[("FLUXPLAY_RATE_PER_MINUTE", "0"), ("FLUXPLAY_MAX_CONCURRENT", "64"), ("FLUXPLAY_DAILY_IMAGES", "0")];

/// Settings as if only `vars` (over loose guards) were set in the environment.
pub fn config(vars: &[(&str, &str)]) -> Config {
    let lookup = |name: &str| vars.iter().chain(LOOSE).find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned());
    let mut cfg = Config::from_lookup(lookup).unwrap();
    cfg.data_dir = temp_dir();
    cfg
}

/// A resolver for the fetcher of untrusted URLs that knows only `names`, so no
/// test depends on this machine's DNS.
pub fn lookup(names: &[(&str, &str)]) -> Lookup {
    let names: Vec<(String, IpAddr)> = names.iter().map(|(n, ip)| ((*n).to_owned(), ip.parse().unwrap())).collect();
    Arc::new(move |name: String| {
        let found: Vec<IpAddr> = names.iter().filter(|(n, _)| *n == name).map(|(_, ip)| *ip).collect();
        Box::pin(async move {
            if found.is_empty() {
                Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such host"))
            } else {
                Ok(found)
            }
        })
    })
}

pub fn safe_fetch(policy: Policy, names: &[(&str, &str)]) -> SafeFetch {
    SafeFetch::new(policy, lookup(names), std::time::Duration::from_secs(5), 1 << 20).unwrap()
}

/// A state for `oneshot` tests; providers point at an address nothing listens on.
pub fn state(vars: &[(&str, &str)]) -> AppState {
    let fetch = safe_fetch(Policy::default(), &[]);
    AppState::with_fetch(options(), config(vars), "127.0.0.1:9".parse().unwrap(), fetch).unwrap()
}

/// Serves the whole app on a free loopback port, as `main` does.
pub async fn spawn(vars: &[(&str, &str)]) -> SocketAddr {
    spawn_state(vars, safe_fetch(Policy::default(), &[])).await.0
}

/// As `spawn`, with the fetcher given and the state at hand (for its counters).
pub async fn spawn_state(vars: &[(&str, &str)], fetch: SafeFetch) -> (SocketAddr, AppState) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let emulator = server::emulator::serve_private().await.unwrap();
    let state = AppState::with_fetch(options(), config(vars), emulator, fetch).unwrap();
    let serving = state.clone();
    tokio::spawn(async move { server::serve(listener, serving, std::future::pending()).await.unwrap() });
    (addr, state)
}

/// Serves any router on a free loopback port.
pub async fn spawn_router(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// A real PNG of the given size.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// `POST /api/uploads` with `png`: the reference the page would put in an image field.
pub async fn upload(addr: SocketAddr, png: Vec<u8>) -> String {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{addr}/api/uploads"))
        .header("content-type", "image/png")
        .body(png)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["reference"].as_str().unwrap_or_else(|| panic!("an upload reference: {answer}")).to_owned()
}

/// Starts a job: its id.
pub async fn start_job(addr: SocketAddr, model: &str, params: serde_json::Value) -> String {
    start_job_at(&format!("http://{addr}"), model, params).await
}

/// Starts a job on the site at `root` (`http://host:port[/base]`): its id.
pub async fn start_job_at(root: &str, model: &str, params: serde_json::Value) -> String {
    let ticket: serde_json::Value = reqwest::Client::new()
        .post(format!("{root}/api/jobs"))
        .json(&serde_json::json!({"model": model, "params": params}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ticket["job"].as_str().unwrap_or_else(|| panic!("a job id: {ticket}")).to_owned()
}

/// Starts a job and polls it to the end: every state seen, and the last answer.
pub async fn run_job(addr: SocketAddr, model: &str, params: serde_json::Value) -> (Vec<String>, serde_json::Value) {
    run_job_at(&format!("http://{addr}"), model, params).await
}

/// As `run_job`, on the site at `root` (`http://host:port[/base]`).
pub async fn run_job_at(root: &str, model: &str, params: serde_json::Value) -> (Vec<String>, serde_json::Value) {
    let client = reqwest::Client::new();
    let job = start_job_at(root, model, params).await;
    let mut states = Vec::new();
    loop {
        let state: serde_json::Value =
            client.get(format!("{root}/api/jobs/{job}")).send().await.unwrap().json().await.unwrap();
        states.push(state["state"].as_str().unwrap_or_default().to_owned());
        if state["state"] == "done" || state["state"] == "failed" {
            return (states, state);
        }
        assert!(states.len() < 400, "job never finished: {states:?}");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// `POST /api/generate` for `model` with `params`: the status and the JSON answer.
pub async fn generate(addr: SocketAddr, model: &str, params: serde_json::Value) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/api/generate"))
        .json(&serde_json::json!({"model": model, "params": params}))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// The emulators on their own listener, counting the POSTs (submits) they receive.
pub async fn counted_emulator() -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let submits = Arc::new(AtomicUsize::new(0));
    let count = submits.clone();
    let router = axum::Router::new().nest_service("/emulate", server::emulator::router()).layer(
        axum::middleware::from_fn(move |req: axum::extract::Request, next: axum::middleware::Next| {
            if req.method() == axum::http::Method::POST {
                count.fetch_add(1, Ordering::SeqCst);
            }
            next.run(req)
        }),
    );
    (spawn_router(router).await, submits)
}

/// A listener that must never be contacted: it counts whatever reaches it.
pub async fn tripwire() -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = hits.clone();
    let router = axum::Router::new().fallback(move || {
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async { "secret" }
    });
    (spawn_router(router).await, hits)
}

/// Our server with `provider` "live" against the (counted) emulators, using `key`
/// (which may carry knobs) and `vars`: its address, the submits counter, its state.
pub async fn live(
    provider: &str,
    key: &str,
    vars: &[(&str, &str)],
) -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>, AppState) {
    let p = app::catalog::PROVIDERS.iter().find(|p| p.id == provider).expect("a catalog provider");
    let (emulator, submits) = counted_emulator().await;
    let base = format!("http://{emulator}/emulate/{provider}");
    let mut all = vec![(p.key_env, key), (p.url_env, base.as_str())];
    all.extend_from_slice(vars);
    let (addr, state) = spawn_state(&all, safe_fetch(Policy::default(), &[])).await;
    (addr, submits, state)
}
