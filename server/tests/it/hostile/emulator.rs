//! The emulators as a stranger meets them on a public demo: knobs at their
//! extremes, a reference image that claims an absurd size, a flood of tasks,
//! oversized bodies, and whether anybody may reach them without the passphrase.

use crate::common;
use serde_json::json;
use std::time::{Duration, Instant};

/// A PNG whose header claims `width × height` and whose pixels are missing:
/// enough for anything that reads the size without decoding.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    // IHDR, a first IDAT (a decoder knows the image once it sees one), IEND.
    for (kind, data) in
        [(&b"IHDR"[..], &ihdr[4..]), (b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), (b"IEND", &[])]
    {
        let chunk = [kind, data].concat();
        png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        png.extend_from_slice(&chunk);
        png.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    png
}

fn data_uri(bytes: &[u8]) -> String {
    use base64::Engine;
    format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

#[tokio::test]
async fn a_reference_claiming_ten_billion_pixels_is_answered_within_a_bounded_size() {
    let addr = common::spawn(&[]).await;
    let started = Instant::now();
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/emulate/aimlapi/v1/images/generations"))
        .bearer_auth("anything")
        .json(&json!({"model": "flux/dev/image-to-image", "prompt": "p", "image_url": data_uri(&png_header(100_000, 100_000))}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(status.is_success() || status.is_client_error(), "{status} {body}");
    if let Some(image) = body["images"][0].as_object() {
        let (w, h) = (image["width"].as_u64().unwrap(), image["height"].as_u64().unwrap());
        assert!(w * h <= 1 << 24, "{w}x{h}");
    }
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    // And the process is alive and answering.
    assert_eq!(reqwest::get(format!("http://{addr}/")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_oversize_knob_at_a_terabyte_streams_a_bounded_answer_and_holds_nothing() {
    let addr = common::spawn(&[]).await;
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/emulate/aimlapi/v1/images/generations"))
        .bearer_auth(format!("k#oversize={}", 1u64 << 40))
        .json(&json!({"model": "flux/dev", "prompt": "p"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Streamed, not built: the first bytes come at once; then the client walks away.
    let mut resp = resp;
    let first = tokio::time::timeout(Duration::from_secs(5), resp.chunk()).await.unwrap().unwrap().unwrap();
    assert!(first.starts_with(b"{\"padding\":\""), "{:?}", &first[..first.len().min(20)]);
    drop(resp);
    assert_eq!(reqwest::get(format!("http://{addr}/")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn knobs_cannot_make_the_emulator_wait_or_hold_without_bound() {
    use server::emulator::faults::{MAX_OVERSIZE, MAX_WAIT};
    use server::emulator::knobs::Knobs;
    let knobs = Knobs::parse(&format!("k#latency={},oversize={}", u64::MAX, usize::MAX));
    assert_eq!(knobs.latency, Some(MAX_WAIT));
    assert_eq!(knobs.oversize, Some(MAX_OVERSIZE));
    assert!(MAX_WAIT <= Duration::from_secs(60) && MAX_OVERSIZE <= 256 << 20);
}

#[tokio::test]
async fn a_flood_of_tasks_is_bounded_and_the_oldest_are_forgotten() {
    let addr = common::spawn(&[]).await;
    let client = reqwest::Client::new();
    let mut first = None;
    for i in 0..(server::emulator::table::CAPACITY + 40) {
        let resp = client
            .post(format!("http://{addr}/emulate/replicate/v1/models/black-forest-labs/flux-dev/predictions"))
            .bearer_auth("k#never-ready")
            .json(&json!({"input": {"prompt": "p"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 202, "prediction {i}");
        let body: serde_json::Value = resp.json().await.unwrap();
        first.get_or_insert_with(|| body["urls"]["get"].as_str().unwrap().to_owned());
    }
    let gone = client.get(first.unwrap()).bearer_auth("k").send().await.unwrap();
    assert_eq!(gone.status(), 404, "the oldest prediction made room");
}

#[tokio::test]
async fn an_emulator_body_over_its_limit_is_refused() {
    let addr = common::spawn(&[]).await;
    let big = vec![b' '; server::emulator::MAX_BODY + 1];
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/emulate/aimlapi/v1/images/generations"))
        .bearer_auth("anything#truncate")
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
}

#[tokio::test]
async fn with_a_passphrase_the_emulators_ask_for_it_even_from_loopback() {
    let addr = common::spawn(&[("FLUXPLAY_PASSPHRASE", "open sesame")]).await;
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/emulate/aimlapi/v1/images/generations");
    let body = json!({"model": "flux/dev", "prompt": "p"});
    let direct = client.post(&url).bearer_auth("k").json(&body).send().await.unwrap();
    assert_eq!(direct.status(), 401, "loopback is no exemption");
    // Nor is a proxy that says the client is loopback.
    let proxied = common::spawn(&[("FLUXPLAY_PASSPHRASE", "open sesame"), ("FLUXPLAY_TRUSTED_PROXIES", "1")]).await;
    for xff in ["127.0.0.1", "::1", "junk"] {
        let resp = client
            .post(format!("http://{proxied}/emulate/aimlapi/v1/images/generations"))
            .bearer_auth("k")
            .header("x-forwarded-for", xff)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(matches!(resp.status().as_u16(), 400 | 401), "{xff}: {}", resp.status());
    }
    // The server's own emulated generations still work: they use a private listener.
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let unlocked = no_redirect.post(format!("http://{addr}/unlock")).form(&[("passphrase", "open sesame")]);
    let unlocked = unlocked.send().await.unwrap();
    let cookie = unlocked.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let resp = client
        .post(format!("http://{addr}/api/generate"))
        .header("cookie", cookie)
        .json(&json!({"model": "aimlapi/flux/dev", "params": {"prompt": "p", "image_size": "square"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
}
