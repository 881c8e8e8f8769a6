//! Reference-image uploads: checked, stored, served, and handed to the provider.

use crate::common;

use serde_json::{json, Value};

async fn upload(addr: std::net::SocketAddr, body: reqwest::Body, content_type: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/api/uploads"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_png_is_stored_served_and_sized() {
    let addr = common::spawn(&[]).await;
    let png = common::png(320, 192);
    let (status, body) = upload(addr, png.clone().into(), "image/png").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["width"].as_u64(), body["height"].as_u64()), (Some(320), Some(192)));
    let reference = body["reference"].as_str().unwrap();
    assert!(reference.starts_with("/uploads/") && reference.ends_with(".png"));
    let served = reqwest::get(format!("http://{addr}{reference}")).await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().to_vec(), png);
}

#[tokio::test]
async fn not_images_empty_and_oversized_uploads_are_refused() {
    let addr = common::spawn(&[]).await;
    let (status, body) = upload(addr, "<html>hi</html>".into(), "image/png").await;
    assert_eq!(status, 415, "the declared type is not trusted: {body}");
    assert!(body["message"].as_str().unwrap().contains("not a PNG, JPEG or WebP"));

    let (status, _) = upload(addr, Vec::new().into(), "image/png").await;
    assert_eq!(status, 400);

    let mut truncated = common::png(64, 64);
    truncated.truncate(truncated.len() / 2);
    let (status, body) = upload(addr, truncated.into(), "image/png").await;
    assert_eq!(status, 422, "{body}");

    let big = vec![0u8; 10 * 1024 * 1024 + 1];
    let (status, _) = upload(addr, big.clone().into(), "image/png").await;
    assert_eq!(status, 413, "with Content-Length");
    let chunks = futures_stream(big);
    let (status, _) = upload(addr, reqwest::Body::wrap_stream(chunks), "image/png").await;
    assert_eq!(status, 413, "chunked");
}

/// The body as a stream of 64 KiB chunks, so it goes out without a Content-Length.
fn futures_stream(bytes: Vec<u8>) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let chunks: Vec<_> = bytes.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    tokio_stream::iter(chunks)
}

#[tokio::test]
async fn image_to_image_with_an_upload_matches_the_reference_size() {
    let addr = common::spawn(&[]).await;
    let (_, body) = upload(addr, common::png(640, 384).into(), "image/png").await;
    let reference = body["reference"].as_str().unwrap();
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/api/generate"))
        .json(&json!({"model": "aimlapi/flux/dev/image-to-image", "params": {"prompt": "as a watercolour", "image_url": reference}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let answer: Value = resp.json().await.unwrap();
    assert_eq!((answer["images"][0]["width"].as_u64(), answer["images"][0]["height"].as_u64()), (Some(640), Some(384)));
}
