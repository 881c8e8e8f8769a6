//! A docs team's curated server: only the models it offers are in the page, the default
//! and the title are its own, and every way in refuses a model it does not offer.

use crate::common;
use scraper::{Html, Selector};
use serde_json::json;

const VARS: &[(&str, &str)] = &[
    ("FLUXPLAY_MODELS", "aimlapi/flux/dev, bfl/flux-dev"),
    ("FLUXPLAY_DEFAULT_MODEL", "bfl/flux-dev"),
    ("FLUXPLAY_TITLE", "Docs <demo> & co"),
];

async fn page(addr: std::net::SocketAddr, query: &str) -> Html {
    Html::parse_document(&reqwest::get(format!("http://{addr}/{query}")).await.unwrap().text().await.unwrap())
}

fn texts(html: &Html, sel: &str) -> Vec<String> {
    html.select(&Selector::parse(sel).unwrap()).map(|e| e.text().collect::<String>()).collect()
}

#[tokio::test]
async fn the_page_shows_only_the_offered_models_with_its_default_and_title() {
    let addr = common::spawn(VARS).await;
    let html = page(addr, "").await;
    assert_eq!(texts(&html, "title"), ["Docs <demo> & co"]);
    let options: Vec<String> = html
        .select(&Selector::parse("#model option").unwrap())
        .map(|o| o.value().attr("value").unwrap().to_owned())
        .collect();
    assert_eq!(options, ["aimlapi/flux/dev", "bfl/flux-dev"]);
    let selected: Vec<_> =
        html.select(&Selector::parse("#model option[selected]").unwrap()).map(|o| o.value().attr("value")).collect();
    assert_eq!(selected, [Some("bfl/flux-dev")]);
    // A link to a model not offered: the default, and a notice that says why.
    let html = page(addr, "?model=fal/fal-ai/flux/dev&prompt=hi").await;
    assert!(
        texts(&html, ".notices li").iter().any(|n| n.contains("not offered here")),
        "{:?}",
        texts(&html, ".notices li")
    );
    assert_eq!(texts(&html, "textarea#prompt"), ["hi"], "what fits the default model is carried");
}

#[tokio::test]
async fn every_way_in_refuses_a_model_not_offered() {
    let addr = common::spawn(VARS).await;
    let c = reqwest::Client::new();
    for path in ["/api/generate", "/api/jobs"] {
        let resp = c
            .post(format!("http://{addr}{path}"))
            .json(&json!({"model": "fal/fal-ai/flux/dev", "params": {"prompt": "x"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{path}");
        assert!(resp.text().await.unwrap().contains("Unknown model `fal/fal-ai/flux/dev`"), "{path}");
    }
    for path in ["/api/snippet?lang=curl&", "/api/estimate?"] {
        let resp = c.get(format!("http://{addr}{path}model=fal/fal-ai/flux/dev&prompt=x")).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 422, "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], "model", "{path}: {body}");
    }
    let (status, _) = common::generate(addr, "bfl/flux-dev", json!({"prompt": "offered"})).await;
    assert_eq!(status, 200);
}
