//! The real server's answers, read by the page's own decoder (`app::api::read_answer`,
//! `app::backend::from_island`): the wire types are the one contract, and an answer
//! the page cannot read fails here rather than in a browser.

use crate::common;

use app::api::{read_answer, ApiError, GenerateResponse, JobState, JobTicket, Upload};
use serde_json::json;

async fn answer(resp: reqwest::Response) -> (u16, String) {
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn post(addr: std::net::SocketAddr, path: &str, body: serde_json::Value) -> (u16, String) {
    answer(reqwest::Client::new().post(format!("http://{addr}{path}")).json(&body).send().await.unwrap()).await
}

/// Polls a job the way the page does, decoding every state with the page's decoder.
async fn poll(addr: std::net::SocketAddr, job: &str) -> JobState {
    for _ in 0..400 {
        let (status, text) = answer(reqwest::get(format!("http://{addr}/api/jobs/{job}")).await.unwrap()).await;
        match read_answer::<JobState>(status, &text).unwrap_or_else(|e| panic!("{e:?} reading {text}")) {
            JobState::Queued { .. } | JobState::Running { .. } => {
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            done => return done,
        }
    }
    panic!("job never finished");
}

#[tokio::test]
async fn the_page_decodes_every_answer_the_server_gives() {
    let addr = common::spawn(&[]).await;
    let params = json!({"prompt": "a lighthouse", "num_images": 2});

    // POST /api/generate
    let (status, text) = post(addr, "/api/generate", json!({"model": "aimlapi/flux/dev", "params": params})).await;
    let done: GenerateResponse = read_answer(status, &text).unwrap_or_else(|e| panic!("{e:?} reading {text}"));
    assert_eq!((done.images.len(), done.emulated), (2, true));

    // POST /api/jobs, then polling to the end.
    let (status, text) = post(addr, "/api/jobs", json!({"model": "aimlapi/flux/dev", "params": params})).await;
    let ticket: JobTicket = read_answer(status, &text).unwrap_or_else(|e| panic!("{e:?} reading {text}"));
    match poll(addr, &ticket.job).await {
        JobState::Done { result } => assert_eq!(result.images.len(), 2),
        other => panic!("{other:?}"),
    }

    // POST /api/uploads
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/api/uploads"))
        .header("content-type", "image/png")
        .body(common::png(64, 48))
        .send()
        .await
        .unwrap();
    let (status, text) = answer(resp).await;
    let upload: Upload = read_answer(status, &text).unwrap_or_else(|e| panic!("{e:?} reading {text}"));
    assert_eq!((upload.width, upload.height), (64, 48));

    // Error answers: a refused request, and one with field errors.
    let (status, text) = post(addr, "/api/generate", json!({"model": "aimlapi/flux/nope", "params": {}})).await;
    let error = read_answer::<GenerateResponse>(status, &text).unwrap_err();
    assert!(error.message.contains("aimlapi/flux/nope") && error.request_id.is_some(), "{error:?}");
    let bad = json!({"model": "aimlapi/flux/dev", "params": {"prompt": "p", "num_images": 50}});
    let (status, text) = post(addr, "/api/jobs", bad).await;
    let error = read_answer::<JobTicket>(status, &text).unwrap_err();
    assert_eq!(error.fields.first().map(|f| f.field.as_str()), Some("num_images"), "{error:?}");

    // The backend-status island in the page head.
    let html = reqwest::get(format!("http://{addr}/")).await.unwrap().text().await.unwrap();
    let island = html
        .split_once(&format!("id=\"{}\"", app::backend::ELEMENT_ID))
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(json, _)| json)
        .expect("the page has the backend status island");
    let backend = app::backend::from_island(island).unwrap_or_else(|e| panic!("{e:?} reading {island}"));
    assert_eq!(backend.providers.len(), app::catalog::PROVIDERS.len());
    assert!(backend.providers.iter().all(|p| !p.live));
}

/// A job that fails after it started carries the same `ApiError` an immediate
/// answer would, built once from the error (not rendered and parsed back).
#[tokio::test]
async fn a_failed_job_decodes_with_the_error_the_answer_would_carry() {
    // The provider is live, at an address where nothing listens.
    let addr = common::spawn(&[("BFL_API_KEY", "k"), ("BFL_BASE_URL", "http://127.0.0.1:9")]).await;
    let (status, text) = post(addr, "/api/generate", json!({"model": "bfl/flux-dev", "params": {"prompt": "p"}})).await;
    let direct = read_answer::<GenerateResponse>(status, &text).unwrap_err();

    let (status, text) = post(addr, "/api/jobs", json!({"model": "bfl/flux-dev", "params": {"prompt": "p"}})).await;
    let ticket: JobTicket = read_answer(status, &text).unwrap_or_else(|e| panic!("{e:?} reading {text}"));
    let JobState::Failed { error } = poll(addr, &ticket.job).await else { panic!("the job did not fail") };
    assert_eq!(error.request_id.as_deref(), Some(ticket.job.as_str()));
    assert!(!error.message.is_empty());
    assert_eq!(ApiError { request_id: None, ..error }, ApiError { request_id: None, ..direct });
}
