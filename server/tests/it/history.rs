//! The history and its permalinks, tried as visitors and strangers would: each
//! visitor sees only their own, forged cookies and ids reach nothing, another
//! site's forms cannot spend or delete, stored text stays text, failures are kept
//! with their reason, retention removes what it should, and a restart keeps it all.

use crate::common;
use serde_json::{json, Value};
use server::safe_fetch::Policy;
use std::net::SocketAddr;

/// A browser: a visitor cookie of its own (or none), sent with every request.
struct Browser {
    cookie: Option<String>,
}

impl Browser {
    fn new() -> Self {
        Self { cookie: Some(format!("fluxplay_visitor={}", uuid::Uuid::new_v4().simple())) }
    }

    fn req(&self, method: reqwest::Method, addr: SocketAddr, path: &str) -> reqwest::RequestBuilder {
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .request(method, format!("http://{addr}{path}"));
        match &self.cookie {
            Some(c) => r.header("cookie", c),
            None => r,
        }
    }

    async fn json(&self, method: reqwest::Method, addr: SocketAddr, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self.req(method, addr, path);
        if let Some(body) = body {
            r = r.json(&body);
        }
        let resp = r.send().await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap_or(Value::Null))
    }

    async fn text(&self, addr: SocketAddr, path: &str) -> (u16, String) {
        let resp = self.req(reqwest::Method::GET, addr, path).send().await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    async fn generate(&self, addr: SocketAddr, model: &str, params: Value) -> Value {
        let (status, answer) = self
            .json(reqwest::Method::POST, addr, "/api/generate", Some(json!({"model": model, "params": params})))
            .await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    async fn history(&self, addr: SocketAddr) -> Vec<Value> {
        let (status, page) = self.json(reqwest::Method::GET, addr, "/api/history?limit=100", None).await;
        assert_eq!(status, 200, "{page}");
        page["items"].as_array().unwrap().clone()
    }
}

const MODEL: &str = "aimlapi/flux/dev";

#[tokio::test]
async fn each_visitor_sees_and_deletes_only_their_own_and_a_permalink_is_shareable() {
    let addr = common::spawn(&[("FLUXPLAY_HISTORY_SCOPE", "visitor")]).await;
    let (alice, bob) = (Browser::new(), Browser::new());
    let made = alice.generate(addr, MODEL, json!({"prompt": "alice's fox", "seed": 42})).await;
    let link = made["permalink"].as_str().unwrap().to_owned();
    let id = link.trim_start_matches("/r/").to_owned();
    let mine = alice.history(addr).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["params"], json!({"prompt": "alice's fox", "seed": 42}), "the params as sent");
    assert_eq!(mine[0]["seed"], 42);
    assert_eq!(mine[0]["restore"], "/?model=aimlapi/flux/dev&prompt=alice%27s%20fox&seed=42");
    assert!(bob.history(addr).await.is_empty(), "Bob sees none of Alice's");

    // Bob holds the link: he may look, not delete.
    let (status, page) = bob.text(addr, &link).await;
    assert_eq!(status, 200);
    assert!(page.contains("alice&#x27;s fox") || page.contains("alice's fox"), "{page}");
    assert!(!page.contains("Delete this generation"), "no delete button for a stranger");
    let (status, _) = bob.json(reqwest::Method::DELETE, addr, &format!("/api/history/{id}"), None).await;
    assert_eq!(status, 404);
    let (status, _) = bob.json(reqwest::Method::DELETE, addr, "/api/history", None).await;
    assert_eq!(status, 200);
    let forged =
        bob.req(reqwest::Method::POST, addr, &format!("/r/{id}/delete")).form(&[("x", "1")]).send().await.unwrap();
    assert_eq!(forged.status().as_u16(), 404);
    assert_eq!(alice.history(addr).await.len(), 1, "still Alice's");

    // Alice deletes it: the link answers 404, and the image only it held is gone.
    let image = made["images"][0]["url"].as_str().unwrap().to_owned();
    let (status, _) = alice.json(reqwest::Method::DELETE, addr, &format!("/api/history/{id}"), None).await;
    assert_eq!(status, 204);
    assert_eq!(alice.text(addr, &link).await.0, 404);
    assert_eq!(alice.text(addr, &image).await.0, 404);
    assert!(alice.history(addr).await.is_empty());
}

#[tokio::test]
async fn forged_cookies_and_ids_reach_nothing_and_bad_pages_are_named() {
    let addr = common::spawn(&[("FLUXPLAY_HISTORY_SCOPE", "visitor")]).await;
    let alice = Browser::new();
    alice.generate(addr, MODEL, json!({"prompt": "kept"})).await;
    let long = format!("fluxplay_visitor={}", "a".repeat(10_000));
    for cookie in [
        "fluxplay_visitor=",
        "fluxplay_visitor=../../../../etc/passwd",
        "fluxplay_visitor=' OR '1'='1",
        "fluxplay_visitor=%00%00",
        long.as_str(),
        "fluxplay_visitor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let stranger = Browser { cookie: Some(cookie.to_owned()) };
        let resp = stranger.req(reqwest::Method::GET, addr, "/api/history").send().await.unwrap();
        let status = resp.status().as_u16();
        let set = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(status == 200 || status == 431, "{cookie:.40}: {status}");
        if status == 200 {
            assert_eq!(body["items"], json!([]), "{cookie:.40}: {body}");
            let value = set.strip_prefix("fluxplay_visitor=").unwrap_or_default();
            assert!(value.len() > 32 && value[..32].bytes().all(|b| b.is_ascii_hexdigit()), "a fresh id: {set}");
            assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
        }
    }
    for path in [
        "/r/..%2F..%2Fetc%2Fpasswd",
        "/r/%27%20OR%201%3D1%20--",
        "/r/00000000-0000-0000-0000-000000000000",
        &format!("/r/{}", "x".repeat(4000)),
    ] {
        assert_eq!(alice.text(addr, path).await.0, 404, "{path:.60}");
    }
    let (status, _) = alice.json(reqwest::Method::DELETE, addr, "/api/history/%27%20OR%20%271%27%3D%271", None).await;
    assert_eq!(status, 404);
    assert_eq!(alice.history(addr).await.len(), 1, "an injected id deleted nothing");
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-5", "limit"),
        ("limit=abc", "limit"),
        ("before=x", "before"),
    ] {
        let (status, body) = alice.json(reqwest::Method::GET, addr, &format!("/api/history?{query}"), None).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body["message"].as_str().unwrap().contains(field), "{query}: {body}");
    }
}

#[tokio::test]
async fn another_sites_forms_cannot_delete_or_spend() {
    let (addr, submits, state) = common::live("aimlapi", "k", &[("FLUXPLAY_HISTORY_SCOPE", "everyone")]).await;
    let alice = Browser::new();
    let made = alice.generate(addr, MODEL, json!({"prompt": "p"})).await;
    let id = made["permalink"].as_str().unwrap().trim_start_matches("/r/").to_owned();
    let before = submits.load(std::sync::atomic::Ordering::SeqCst);
    for (header, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site"), ("origin", "null")] {
        for path in [
            format!("/history/{id}/rerun"),
            format!("/history/{id}/delete"),
            "/history/clear".into(),
            format!("/r/{id}/delete"),
        ] {
            let resp = alice
                .req(reqwest::Method::POST, addr, &path)
                .header(header, value)
                .form(&[("embed", "1")])
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), 403, "{path} with {header}: {value}");
        }
    }
    assert_eq!(submits.load(std::sync::atomic::Ordering::SeqCst), before, "nothing was spent");
    assert_eq!(state.inner.db.history(None, None, 10).await.unwrap().len(), 1, "nothing was deleted");
    // From our own page it works: a re-run is a new job, followed on its permalink.
    let resp = alice
        .req(reqwest::Method::POST, addr, &format!("/history/{id}/rerun"))
        .header("origin", format!("http://{addr}"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("x", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    let to = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/r/") && to != format!("/r/{id}"), "{to}");
    let mut page = String::new();
    for _ in 0..100 {
        page = alice.text(addr, &to).await.1;
        if !page.contains("Generating") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(page.contains("og:image") && page.contains("/images/"), "{page}");
    assert_eq!(submits.load(std::sync::atomic::Ordering::SeqCst), before + 1);
}

#[tokio::test]
async fn stored_text_is_escaped_on_every_page_and_failures_keep_their_reason() {
    let (addr, _, _) = common::live("aimlapi", "k#status=500", &[("FLUXPLAY_HISTORY_SCOPE", "everyone")]).await;
    let payload = r#"</title><script>alert(1)</script><img src=x onerror=alert(2)>" onmouseover="alert(3)"#;
    let alice = Browser::new();
    let (status, _) = alice
        .json(
            reqwest::Method::POST,
            addr,
            "/api/generate",
            Some(json!({"model": MODEL, "params": {"prompt": payload}})),
        )
        .await;
    assert!(status >= 500, "the emulator failed it: {status}");
    let items = alice.history(addr).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["ok"], false);
    assert!(!items[0]["error"].as_str().unwrap().is_empty(), "{}", items[0]);
    let id = items[0]["id"].as_str().unwrap();
    for path in ["/history".to_owned(), "/history?embed=3".to_owned(), format!("/r/{id}")] {
        let (status, page) = alice.text(addr, &path).await;
        assert_eq!(status, 200, "{path}");
        // Read as a browser would: no script, no injected element, no event handler anywhere.
        let doc = scraper::Html::parse_document(&page);
        let all = scraper::Selector::parse("*").unwrap();
        for el in doc.select(&all) {
            let name = el.value().name();
            assert!(name != "script", "{path}: a script element");
            assert!(!(name == "img" && el.value().attr("src") == Some("x")), "{path}: the injected img");
            for (attr, _) in el.value().attrs() {
                assert!(!attr.starts_with("on"), "{path}: an event handler `{attr}` on <{name}>");
            }
        }
        assert!(page.contains("&lt;script&gt;"), "{path}: the prompt shows, as text");
    }
}

#[tokio::test]
async fn retention_removes_old_generations_and_the_images_only_they_held() {
    // 0.00002 days ≈ 1.7 s.
    let (addr, state) = common::spawn_state(
        &[("FLUXPLAY_HISTORY_DAYS", "0.00002"), ("FLUXPLAY_HISTORY_SCOPE", "everyone")],
        common::safe_fetch(Policy::default(), &[]),
    )
    .await;
    let alice = Browser::new();
    let old = alice.generate(addr, MODEL, json!({"prompt": "old", "seed": 1})).await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let new = alice.generate(addr, MODEL, json!({"prompt": "new", "seed": 2})).await;
    let cleaned = server::maintenance::clean(&state).await;
    assert_eq!((cleaned.generations, cleaned.images), (1, 1), "{cleaned:?}");
    let items = alice.history(addr).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["params"]["prompt"], "new");
    assert_eq!(alice.text(addr, old["images"][0]["url"].as_str().unwrap()).await.0, 404);
    assert_eq!(alice.text(addr, new["images"][0]["url"].as_str().unwrap()).await.0, 200);
}

#[tokio::test]
async fn a_restart_keeps_history_budget_and_finished_jobs() {
    let (emulator, submits) = common::counted_emulator().await;
    let base = format!("http://{emulator}/emulate/aimlapi");
    let vars = [
        ("AIMLAPI_KEY", "k"),
        ("AIMLAPI_BASE_URL", base.as_str()),
        ("FLUXPLAY_DAILY_IMAGES", "2"),
        ("FLUXPLAY_HISTORY_SCOPE", "everyone"),
    ];
    let data = common::temp_dir();
    let start = |data: std::path::PathBuf| async move {
        let mut config = common::config(&vars);
        config.data_dir = data;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = server::AppState::with_fetch(
            common::options(),
            config,
            server::emulator::serve_private().await.unwrap(),
            common::safe_fetch(Policy::default(), &[]),
        )
        .unwrap();
        let task = tokio::spawn(async move { server::serve(listener, state, std::future::pending()).await.unwrap() });
        (addr, task)
    };
    let alice = Browser::new();
    let (first, task) = start(data.clone()).await;
    alice.generate(first, MODEL, json!({"prompt": "one"})).await;
    let (_, job) = common::run_job(first, MODEL, json!({"prompt": "two"})).await;
    assert_eq!(job["state"], "done");
    let before = alice.history(first).await;
    task.abort();

    let (second, _task) = start(data).await;
    assert_eq!(alice.history(second).await, before, "the same history after a restart");
    let (status, answer) = alice
        .json(
            reqwest::Method::POST,
            second,
            "/api/generate",
            Some(json!({"model": MODEL, "params": {"prompt": "three"}})),
        )
        .await;
    assert_eq!(status, 429, "yesterday's process spent the budget: {answer}");
    assert!(answer["message"].as_str().unwrap().contains("daily budget"), "{answer}");
    assert_eq!(submits.load(std::sync::atomic::Ordering::SeqCst), 2);
    let id = before.iter().find(|i| i["params"]["prompt"] == "two").unwrap()["id"].as_str().unwrap().to_owned();
    let (status, polled) = alice.json(reqwest::Method::GET, second, &format!("/api/jobs/{id}"), None).await;
    assert_eq!((status, polled["state"].as_str()), (200, Some("done")), "a job finished before the restart: {polled}");
}

/// What the history costs on disk: one real generation's row recorded 1,000 times
/// (each with its own id), SQLite's file measured after a checkpoint. Printed for the
/// closing note; the bound only catches a row that grew out of all proportion.
#[tokio::test]
async fn a_thousand_generations_take_a_few_hundred_kilobytes_of_sqlite() {
    let (addr, state) =
        common::spawn_state(&[("FLUXPLAY_HISTORY_SCOPE", "everyone")], common::safe_fetch(Policy::default(), &[]))
            .await;
    let alice = Browser::new();
    alice
        .generate(
            addr,
            "fal/fal-ai/flux/dev",
            json!({"prompt": "a lighthouse at dusk, waves, long exposure", "num_images": 2}),
        )
        .await;
    let row = state.inner.db.history(None, None, 1).await.unwrap().remove(0);
    let file = |dir: &std::path::Path| -> u64 {
        ["fluxplay.db", "fluxplay.db-wal"]
            .iter()
            .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
            .map(|m| m.len())
            .sum()
    };
    let dir = common::temp_dir();
    let db = server::db::Db::open(None, &dir).unwrap();
    db.ready().await.unwrap();
    let empty = file(&dir);
    for i in 0..1000 {
        let copy =
            server::db::history::Generation { id: format!("{}-{i}", row.id), created: row.created + i, ..row.clone() };
        db.record(&copy).await.unwrap();
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(db.ready().await.unwrap()).await.unwrap();
    let per_thousand = file(&dir) - empty;
    eprintln!(
        "SQLite: {per_thousand} bytes for 1,000 generations of 2 images ({} bytes of outcome JSON each)",
        row.outcome.len()
    );
    assert!(per_thousand < 8 << 20, "{per_thousand}");
}
