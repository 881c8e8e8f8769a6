//! Upstream faults, set through the emulators' knobs, each end in a clear error
//! within the configured timeouts, after exactly one submit: a submit that may
//! have been charged is never sent twice.

use crate::common;

use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Short clocks for the faults that are about time.
const TIMEOUTS: &[(&str, &str)] = &[
    ("FLUXPLAY_CONNECT_TIMEOUT_SECS", "1"),
    ("FLUXPLAY_READ_TIMEOUT_SECS", "1.5"),
    ("FLUXPLAY_REQUEST_TIMEOUT_SECS", "2"),
    ("FLUXPLAY_POLL_DEADLINE_SECS", "2"),
    ("FLUXPLAY_MAX_UPSTREAM_BYTES", "1048576"),
];

/// Generous clocks for the faults that are about what comes back: on a busy CI machine a
/// debug-build emulator may take seconds to render, which must not turn a 502 into a 504.
const PATIENT: &[(&str, &str)] = &[
    ("FLUXPLAY_REQUEST_TIMEOUT_SECS", "60"),
    ("FLUXPLAY_POLL_DEADLINE_SECS", "60"),
    ("FLUXPLAY_MAX_UPSTREAM_BYTES", "1048576"),
];

/// Generates through `provider` live against the emulator with `knobs` in the key.
async fn generate_with(
    provider: &str,
    model: &str,
    knobs: &str,
    clocks: &[(&str, &str)],
) -> (u16, Value, Duration, usize) {
    let (addr, submits, _) = common::live(provider, &format!("canary-f4u17#{knobs}"), clocks).await;
    let started = Instant::now();
    let (status, body) = common::generate(addr, model, json!({"prompt": "a lighthouse"})).await;
    (status, body, started.elapsed(), submits.load(Ordering::SeqCst))
}

/// Checks one fault's answer: status, the reason, a request id, no key, one submit.
fn check(label: &str, (status, body, submits): (u16, &Value, usize), want: (u16, &str)) {
    let message = body["message"].as_str().unwrap_or_default();
    assert_eq!(status, want.0, "{label}: {body}");
    assert!(message.contains(want.1), "{label}: {message}");
    assert!(body["request_id"].is_string(), "{label}: the error carries a request id");
    assert!(!body.to_string().contains("canary-f4u17"), "{label}: {body}");
    assert_eq!(submits, 1, "{label}: submits");
}

#[tokio::test]
async fn every_slow_fault_ends_in_time_after_one_submit() {
    let cases = [
        ("aimlapi", "aimlapi/flux/dev", "hang", "did not answer in time"),
        ("aimlapi", "aimlapi/flux/dev", "slow-body", "did not answer in time"),
        ("bfl", "bfl/flux-dev", "hang", "did not answer in time"),
        ("bfl", "bfl/flux-dev", "never-ready", "did not finish within 2 s"),
        ("segmind", "segmind/flux-dev", "slow-body", "did not answer in time"),
    ];
    for (provider, model, knobs, want_message) in cases {
        let (status, body, took, submits) = generate_with(provider, model, knobs, TIMEOUTS).await;
        let label = format!("{provider} #{knobs}");
        check(&label, (status, &body, submits), (504, want_message));
        // Request timeout 2 s; the poll deadline 2 s plus one poll interval.
        assert!(took < Duration::from_secs(4), "{label}: took {took:?}");
    }
}

#[tokio::test]
async fn every_broken_answer_is_a_clear_error_after_one_submit() {
    let (foreign, foreign_hits) = common::tripwire().await;
    let redirect = format!("redirect=http://{foreign}/steal");
    let cases: Vec<(&str, &str, String, &str)> = vec![
        ("aimlapi", "aimlapi/flux/dev", "status=500".into(), "internal error (500)"),
        ("aimlapi", "aimlapi/flux/dev", "status=502".into(), "internal error (502)"),
        ("aimlapi", "aimlapi/flux/dev", "reset".into(), "broke off the connection"),
        ("aimlapi", "aimlapi/flux/dev", "truncate".into(), "not JSON"),
        ("aimlapi", "aimlapi/flux/dev", "html".into(), "not JSON"),
        ("aimlapi", "aimlapi/flux/dev", "oversize=3000000".into(), "more than 1 MB"),
        ("aimlapi", "aimlapi/flux/dev", redirect.clone(), "redirect (302)"),
        ("bfl", "bfl/flux-dev", format!("poll-host={foreign}"), "polling URL on an unexpected host"),
        ("bfl", "bfl/flux-dev", "truncate".into(), "not JSON"),
        ("fal", "fal/fal-ai/flux/dev", "reset".into(), "broke off the connection"),
        ("fal", "fal/fal-ai/flux/dev", "html".into(), "not JSON"),
        ("replicate", "replicate/black-forest-labs/flux-dev", "truncate".into(), "not JSON"),
        ("replicate", "replicate/black-forest-labs/flux-dev", redirect.clone(), "redirect (302)"),
        ("openai", "openai/flux-dev", "oversize=3000000".into(), "more than 1 MB"),
    ];
    for (provider, model, knobs, want_message) in cases {
        let (status, body, _, submits) = generate_with(provider, model, &knobs, PATIENT).await;
        check(&format!("{provider} #{knobs}"), (status, &body, submits), (502, want_message));
    }
    assert_eq!(foreign_hits.load(Ordering::SeqCst), 0, "the foreign host was contacted");
}

#[tokio::test]
async fn a_status_poll_that_hangs_is_cut_off_at_the_polling_deadline() {
    let (emulator, submits) = common::counted_emulator().await;
    let base = format!("http://{emulator}/emulate/bfl");
    let addr = common::spawn(&[
        ("BFL_API_KEY", "k#poll-hang"),
        ("BFL_BASE_URL", &base),
        ("FLUXPLAY_READ_TIMEOUT_SECS", "60"),
        ("FLUXPLAY_REQUEST_TIMEOUT_SECS", "60"),
        ("FLUXPLAY_POLL_DEADLINE_SECS", "2"),
    ])
    .await;
    let started = Instant::now();
    let (status, body) = common::generate(addr, "bfl/flux-dev", json!({"prompt": "p"})).await;
    assert_eq!(status, 504, "{body}");
    assert!(body["message"].as_str().unwrap().contains("did not finish within 2 s"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    assert_eq!(submits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_but_a_sent_submit_is_not() {
    // Nothing listens: connect failures are retried (nothing was sent) and then reported.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let base = format!("http://{closed}");
    let (addr, state) = common::spawn_state(
        &[("AIMLAPI_KEY", "k"), ("AIMLAPI_BASE_URL", &base)],
        common::safe_fetch(Default::default(), &[]),
    )
    .await;
    let (status, body) = common::generate(addr, "aimlapi/flux/dev", json!({"prompt": "p"})).await;
    assert_eq!(status, 502);
    assert!(body["message"].as_str().unwrap().contains("could not be reached"), "{body}");
    assert_eq!(state.inner.metrics.submits("aimlapi"), 1, "one submit, however many connection attempts");
}
