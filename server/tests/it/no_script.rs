//! The playground without JavaScript, as a browser with script off uses it: the
//! page's own form is read from its HTML and posted the way a browser posts it
//! (every named control that is not disabled, a checkbox only when checked, the
//! selected option, multipart with the files). The answer must be the same page
//! with the result and the same form; bad input a 4xx naming the field, with the
//! form as typed and nothing sent to the provider; another site's form refused.
//! Then cancel: a run stopped on request says what may still be charged.

use crate::common;
use reqwest::multipart::{Form, Part};
use scraper::{Html, Selector};
use std::net::SocketAddr;

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The form's controls as a browser would submit them: (name, value) in document order.
fn form_of(html: &str) -> Vec<(String, String)> {
    let doc = Html::parse_document(html);
    let form = doc.select(&sel("form.form")).next().expect("the playground's form");
    let mut out = Vec::new();
    for el in form.select(&sel("input[name], textarea[name], select[name]")) {
        let v = el.value();
        let name = v.attr("name").unwrap().to_owned();
        if v.attr("disabled").is_some() {
            continue;
        }
        match v.name() {
            "textarea" => out.push((name, el.text().collect::<String>().trim_start_matches('\n').to_owned())),
            "select" => {
                let chosen = el.select(&sel("option[selected]")).next().or_else(|| el.select(&sel("option")).next());
                out.push((name, chosen.and_then(|o| o.value().attr("value")).unwrap_or_default().to_owned()));
            }
            _ => match v.attr("type").unwrap_or("text") {
                "checkbox" if v.attr("checked").is_none() => {}
                "checkbox" => out.push((name, v.attr("value").unwrap_or("on").to_owned())),
                "file" => {}
                _ => out.push((name, v.attr("value").unwrap_or_default().to_owned())),
            },
        }
    }
    out
}

fn set(form: &mut Vec<(String, String)>, name: &str, value: &str) {
    form.retain(|(k, _)| k != name);
    form.push((name.to_owned(), value.to_owned()));
}

async fn post(addr: SocketAddr, form: &[(String, String)], file: Option<(&str, Vec<u8>)>) -> reqwest::Response {
    let mut multipart = Form::new();
    for (k, v) in form {
        multipart = multipart.text(k.clone(), v.clone());
    }
    if let Some((name, bytes)) = file {
        multipart =
            multipart.part(name.to_owned(), Part::bytes(bytes).file_name("ref.png").mime_str("image/png").unwrap());
    }
    client()
        .post(format!("http://{addr}/"))
        .header("origin", format!("http://{addr}"))
        .header("sec-fetch-site", "same-origin")
        .multipart(multipart)
        .send()
        .await
        .unwrap()
}

async fn page(addr: SocketAddr, path: &str) -> (u16, String) {
    let resp = client().get(format!("http://{addr}{path}")).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// Follows the page that refreshes itself (no script) until the run has ended.
async fn until_done(addr: SocketAddr, path: &str) -> String {
    for _ in 0..200 {
        let (status, html) = page(addr, path).await;
        assert_eq!(status, 200, "{html}");
        if !html.contains("http-equiv=\"refresh\"") {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the run never ended");
}

fn value<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn a_form_posted_without_script_generates_and_comes_back_whole() {
    let addr = common::spawn(&[]).await;
    let (_, html) = page(addr, "/?model=aimlapi/flux/dev").await;
    let mut form = form_of(&html);
    // As a person would: type a prompt, switch the safety checker off (unchecked
    // boxes are not sent), choose a custom size, set steps.
    set(&mut form, "prompt", "a lighthouse & \"fog\" <at dusk>");
    form.retain(|(k, _)| k != "enable_safety_checker");
    set(&mut form, "image_size", "custom");
    set(&mut form, "image_size.width", "640");
    set(&mut form, "image_size.height", "512");
    set(&mut form, "num_inference_steps", "12");
    let resp = post(addr, &form, None).await;
    assert_eq!(resp.status().as_u16(), 303, "{}", resp.text().await.unwrap());
    let to = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/?model=aimlapi/flux/dev&") && to.contains("&result="), "{to}");
    assert!(to.contains("seed="), "the seed used is in the link: {to}");

    let done = until_done(addr, &to).await;
    let doc = Html::parse_document(&done);
    let images: Vec<_> = doc.select(&sel(".result-body .grid .zoom img")).collect();
    assert_eq!(images.len(), 1, "{done}");
    assert_eq!(images[0].value().attr("width"), Some("640"));
    // The same form, every kind of field as typed.
    let back = form_of(&done);
    assert_eq!(value(&back, "prompt"), Some("a lighthouse & \"fog\" <at dusk>"));
    assert_eq!(value(&back, "enable_safety_checker"), None, "still off: {back:?}");
    assert_eq!(value(&back, "image_size"), Some("custom"));
    assert_eq!((value(&back, "image_size.width"), value(&back, "image_size.height")), (Some("640"), Some("512")));
    assert_eq!(value(&back, "num_inference_steps"), Some("12"));
    // The result offers its download under a meaningful name, and its seed.
    let download = doc.select(&sel("a[download]")).next().expect("a download link");
    assert!(download.value().attr("download").unwrap().starts_with("aimlapi-flux-dev_seed"), "{done}");
    assert!(doc.select(&sel("a[data-seed]")).count() == 2, "use this seed, new random seed");
}

#[tokio::test]
async fn presets_checkboxes_on_and_an_uploaded_file_round_trip() {
    let addr = common::spawn(&[]).await;
    let (_, html) = page(addr, "/?model=aimlapi/flux/dev/image-to-image").await;
    let mut form = form_of(&html);
    set(&mut form, "prompt", "the same scene at night");
    let resp = post(addr, &form, Some(("image_url.file", common::png(64, 48)))).await;
    assert_eq!(resp.status().as_u16(), 303, "{}", resp.text().await.unwrap());
    let to = resp.headers()["location"].to_str().unwrap().to_owned();
    let done = until_done(addr, &to).await;
    let back = form_of(&done);
    let kept = value(&back, "image_url").unwrap_or_default();
    assert!(kept.starts_with("/uploads/"), "the upload is the field's value: {back:?}");
    // Posted again as it came back (nothing changed): the same upload, not a new one.
    let resp = post(addr, &back, None).await;
    assert_eq!(resp.status().as_u16(), 303);
    let again = until_done(addr, resp.headers()["location"].to_str().unwrap()).await;
    assert_eq!(value(&form_of(&again), "image_url"), Some(kept));
    assert_eq!(value(&form_of(&again), "enable_safety_checker"), value(&back, "enable_safety_checker"));
}

#[tokio::test]
async fn bad_input_is_a_4xx_that_names_the_field_keeps_the_form_and_sends_nothing() {
    let (addr, submits, _) = common::live("aimlapi", "k", &[]).await;
    let (_, html) = page(addr, "/?model=aimlapi/flux/dev").await;
    let mut form = form_of(&html);
    set(&mut form, "prompt", "kept as typed");
    set(&mut form, "num_inference_steps", "9999");
    let resp = post(addr, &form, None).await;
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().await.unwrap();
    let doc = Html::parse_document(&html);
    let error = doc.select(&sel("#num_inference_steps-error")).next().expect("the field's message");
    assert!(!error.text().collect::<String>().trim().is_empty(), "{html}");
    assert_eq!(value(&form_of(&html), "num_inference_steps"), Some("9999"));
    assert_eq!(value(&form_of(&html), "prompt"), Some("kept as typed"));
    // A file that is not an image: refused by its field.
    let resp = post(addr, &form_of(&page(addr, "/").await.1), Some(("image_url.file", b"GIF89a".to_vec()))).await;
    assert!(resp.status().is_client_error(), "{}", resp.status());
    assert_eq!(submits.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing reached the provider");
}

#[tokio::test]
async fn another_sites_form_cannot_spend_and_a_model_switch_shows_that_model() {
    let addr = common::spawn(&[]).await;
    let form = form_of(&page(addr, "/?model=aimlapi/flux/dev").await.1);
    let resp = client()
        .post(format!("http://{addr}/"))
        .header("origin", "https://evil.example")
        .multipart(form.iter().fold(Form::new(), |f, (k, v)| f.text(k.clone(), v.clone())))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);

    // The picker changed, script off: the new model's form, with the prompt carried.
    let mut switched = form.clone();
    set(&mut switched, "prompt", "carried over");
    set(&mut switched, "model", "bfl/flux-dev");
    let resp = post(addr, &switched, None).await;
    assert_eq!(resp.status().as_u16(), 303);
    let to = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/?model=bfl/flux-dev&prompt=carried%20over") && !to.contains("result="), "{to}");
}

#[tokio::test]
async fn a_cancelled_run_stops_upstream_where_the_provider_can_and_says_so() {
    // fal's queue never gets to the request: the cancel reaches fal (its emulator), which accepts it.
    let (addr, _, _) = common::live("fal", "k#never-ready", &[]).await;
    let c = client();
    let job = common::start_job(addr, "fal/fal-ai/flux/dev", serde_json::json!({"prompt": "never"})).await;
    // Wait until it is queued at the provider.
    for _ in 0..100 {
        let s: serde_json::Value =
            c.get(format!("http://{addr}/api/jobs/{job}")).send().await.unwrap().json().await.unwrap();
        if s["state"] == "queued" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let resp = c.delete(format!("http://{addr}/api/jobs/{job}")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let said: serde_json::Value = resp.json().await.unwrap();
    assert!(said["message"].as_str().unwrap().starts_with("Cancelled at fal"), "{said}");
    let state: serde_json::Value =
        c.get(format!("http://{addr}/api/jobs/{job}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(state["state"], "failed", "{state}");
    // A second cancel: it has ended.
    assert_eq!(c.delete(format!("http://{addr}/api/jobs/{job}")).send().await.unwrap().status().as_u16(), 409);
    assert_eq!(c.delete(format!("http://{addr}/api/jobs/nope")).send().await.unwrap().status().as_u16(), 404);

    // A one-call provider has no cancel: the answer says it may still be charged.
    let (addr, _, _) = common::live("aimlapi", "k#latency=5000", &[]).await;
    let job = common::start_job(addr, "aimlapi/flux/dev", serde_json::json!({"prompt": "slow"})).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let said: serde_json::Value =
        c.delete(format!("http://{addr}/api/jobs/{job}")).send().await.unwrap().json().await.unwrap();
    let message = said["message"].as_str().unwrap();
    assert!(message.contains("may still finish it and charge"), "{said}");
}
