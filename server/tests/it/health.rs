//! Health checks and shutdown, as an orchestrator sees them: `/healthz` and `/readyz`
//! answer on any host, and SIGTERM (here: the shutdown future) lets a running generation
//! finish while new ones get 503; past the deadline the unfinished run is failed.

use crate::common;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Our server "live" against the emulators with `key` (knobs), and a trigger for its shutdown.
async fn stoppable(
    key: &str,
    vars: &[(&str, &str)],
) -> (SocketAddr, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (emulator, _) = common::counted_emulator().await;
    let base = format!("http://{emulator}/emulate/aimlapi");
    let mut all = vec![("AIMLAPI_KEY", key), ("AIMLAPI_BASE_URL", base.as_str())];
    all.extend_from_slice(vars);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let private = server::emulator::serve_private().await.unwrap();
    let fetch = common::safe_fetch(server::safe_fetch::Policy::default(), &[]);
    let state = server::AppState::with_fetch(common::options(), common::config(&all), private, fetch).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(async move {
        server::serve(listener, state, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (addr, stop, serving)
}

async fn job(c: &reqwest::Client, addr: SocketAddr, id: &str) -> Value {
    c.get(format!("http://{addr}/api/jobs/{id}")).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn health_and_readiness_answer_on_any_host() {
    let addr = common::spawn(&[("FLUXPLAY_ALLOWED_HOSTS", "docs.example")]).await;
    let c = reqwest::Client::new();
    let alive = c.get(format!("http://{addr}/healthz")).header("host", "10.0.0.7:3000").send().await.unwrap();
    assert_eq!(alive.status().as_u16(), 200);
    let ready = c.get(format!("http://{addr}/readyz")).header("host", "10.0.0.7:3000").send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(
        (body["ready"].clone(), body["database"].clone(), body["store"].clone()),
        (json!(true), json!("ok"), json!("ok"))
    );
    assert!(body["providers"].as_array().unwrap().len() >= 7, "{body}");
    // The page itself still checks the host.
    let page = c.get(format!("http://{addr}/")).header("host", "evil.example").send().await.unwrap();
    assert_eq!(page.status().as_u16(), 421);
}

#[tokio::test]
async fn a_shutdown_lets_the_running_generation_finish_and_refuses_new_ones() {
    let (addr, stop, serving) = stoppable("k#latency=1500", &[]).await;
    let c = reqwest::Client::new();
    let id = common::start_job(addr, "aimlapi/flux/dev", json!({"prompt": "finish me"})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = c
        .post(format!("http://{addr}/api/jobs"))
        .json(&json!({"model": "aimlapi/flux/dev", "params": {"prompt": "too late"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 503);
    let ready = c.get(format!("http://{addr}/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    assert_eq!(ready.json::<Value>().await.unwrap()["draining"], true);
    // Polls are still answered, to the end.
    let mut last = job(&c, addr, &id).await;
    while last["state"] != "done" && last["state"] != "failed" {
        tokio::time::sleep(Duration::from_millis(100)).await;
        last = job(&c, addr, &id).await;
    }
    assert_eq!(last["state"], "done", "{last}");
    tokio::time::timeout(Duration::from_secs(10), serving).await.expect("the server exits once drained").unwrap();
}

#[tokio::test]
async fn past_the_deadline_an_unfinished_run_is_failed_and_the_server_exits() {
    let (addr, stop, serving) = stoppable("k#latency=8000", &[("FLUXPLAY_SHUTDOWN_SECS", "1")]).await;
    let id = common::start_job(addr, "aimlapi/flux/dev", json!({"prompt": "too slow"})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    stop.send(()).unwrap();
    // Read the job before the server is gone: it fails at the deadline.
    let c = reqwest::Client::new();
    let mut last = job(&c, addr, &id).await;
    while last["state"] != "failed" && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        last = job(&c, addr, &id).await;
    }
    assert_eq!(last["state"], "failed", "{last}");
    assert!(
        last["error"]["message"].as_str().unwrap().starts_with("The server stopped before this run ended"),
        "{last}"
    );
    tokio::time::timeout(Duration::from_secs(10), serving).await.expect("the server exits").unwrap();
    assert!(started.elapsed() < Duration::from_secs(8), "it did not wait for the run: {:?}", started.elapsed());
}
