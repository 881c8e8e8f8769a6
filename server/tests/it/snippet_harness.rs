//! Runs the generated snippets for real: cURL under dash and bash, Python with
//! requests, JavaScript (fetch) and Node (axios) under node, each against a
//! loopback echo server, for a corpus of hostile prompts and several models of
//! each provider. Each run must send exactly the intended request: method, path,
//! auth header and the parsed JSON body. For a provider that answers with a task
//! the echo answers like it (some runs must poll, the rest get a final answer at
//! once), every poll must carry the same key, and the snippet must print the
//! image URL. PowerShell has golden tests in `app` (no pwsh here); generated Rust
//! snippets are compiled. `snippet_tasks` runs the polling snippets against the
//! real emulators.

use crate::common;

use app::catalog::{self, Answer, Auth};
use app::snippet::{render, Lang, Options};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use axum::Router;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::process::Command;
use tokio::sync::Semaphore;

const KEYS: &[(&str, &str)] = &[
    ("AIMLAPI_KEY", "harness-aiml-7d1"),
    ("SEGMIND_API_KEY", "harness-segmind-2c9"),
    ("ONEMIN_AI_API_KEY", "harness-1min-5e4"),
    ("BFL_API_KEY", "harness-bfl-8a0"),
    ("FAL_KEY", "harness-fal-3f7"),
    ("REPLICATE_API_TOKEN", "harness-replicate-6b2"),
    ("OPENAI_IMAGES_API_KEY", "harness-openai-1c5"),
];

fn hostile_prompts() -> Vec<String> {
    let long: String = "ab'\"$`\\é🦖 ".chars().cycle().take(4000).collect();
    vec![
        "it's a \"quoted\" test".into(),
        "‘single’ “double” ‚low‛ „dlow‟ it’s".into(),
        r"C:\path\to\file \\ \n \u0041 \' \x41".into(),
        "$(touch /tmp/fluxplay-pwned) ${HOME} $HOME $0 $$".into(),
        "`id` and `touch /tmp/fluxplay-pwned`".into(),
        "wow!! !! !-1 !$ history".into(),
        "100% %s %d %PATH% %% %n".into(),
        "@/etc/passwd".into(),
        "line one\nline two\n".into(),
        "carriage\rreturn\r\nend".into(),
        "tab\there\tand\tthere".into(),
        "ctrl \u{1}\u{7}\u{8}\u{b}\u{c}\u{1b}[31mred\u{7f} nul\u{0}end".into(),
        "sep\u{2028}para\u{2029}end".into(),
        "C1 \u{85}next \u{9b}31mcsi \u{7f}del \u{80}\u{9f} end".into(),
        "🦖🔥👩‍👩‍👧 \u{fe0f} 𝔘𝔫𝔦𝔠𝔬𝔡𝔢".into(),
        "مرحبا بالعالم שלום \u{202e}reversed\u{202c}".into(),
        "x\n'@\nGet-Process\n@'".into(),
        "\"#\"## r#\"raw\"# \"###".into(),
        "EOF\n'EOF'\n\"EOF\"".into(),
        r#"{"prompt": "nested", "model": "x"}"#.into(),
        " -H 'X: y' --data @file ; rm -rf / #".into(),
        "   leading and trailing spaces   ".into(),
        long,
    ]
}

/// (model slug, params besides the prompt): several models of each provider.
fn models() -> Vec<(&'static str, Value)> {
    vec![
        (
            "aimlapi/flux/dev",
            json!({"image_size": {"width": 640, "height": 512}, "num_images": 2, "guidance_scale": 3.5}),
        ),
        ("aimlapi/flux-pro", json!({"safety_tolerance": "5", "output_format": "png"})),
        (
            "aimlapi/flux/dev/image-to-image",
            json!({"image_url": "https://example.com/ref.png?a=1&b=%20", "strength": 0.5}),
        ),
        (
            "aimlapi/blackforestlabs/flux-2-edit",
            json!({"image_urls": ["https://example.com/a.png", "https://example.com/b.png"], "output_format": "webp"}),
        ),
        ("segmind/flux-dev", json!({"aspect_ratio": "16:9", "output_format": "jpg", "seed": 12})),
        ("1min/black-forest-labs/flux-dev", json!({"megapixels": "0.25", "go_fast": true})),
        ("bfl/flux-dev", json!({"width": 512, "height": 768, "guidance": 2.5, "output_format": "png"})),
        // References as numbered members (input_image, input_image_2) and as one array (images).
        (
            "bfl/flux-2-flex",
            json!({"input_image": ["https://example.com/a.png", "https://example.com/b.png?x=1&y='"], "steps": 20}),
        ),
        ("bfl/flux-3-image", json!({"images": ["https://example.com/a.png"], "resolution": "2k", "grounding": false})),
        ("fal/fal-ai/flux/dev", json!({"image_size": "square_hd", "num_inference_steps": 20, "acceleration": "high"})),
        ("replicate/black-forest-labs/flux-dev", json!({"aspect_ratio": "4:5", "go_fast": false, "num_outputs": 2})),
        (
            "replicate/black-forest-labs/flux-2-pro",
            json!({"input_images": ["https://example.com/a.png"], "resolution": "2 MP", "aspect_ratio": "3:2"}),
        ),
        ("openai/flux-dev", json!({"size": "768x1024", "n": 2})),
    ]
}

#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

/// How the echo answers.
#[derive(Debug, Clone, Copy)]
enum Echo {
    Json,
    Bytes,
    /// As the provider's task API does (written from its docs, not from the catalog);
    /// `poll`: the snippet must poll, else the submit's answer is already final.
    Task {
        provider: &'static str,
        poll: bool,
    },
}

/// The image URL a task echo hands out.
fn sample(base: &str) -> String {
    format!("{base}/files/sample.png")
}

/// BFL: `polling_url`, then Ready with `result.sample`; fal: the queue's
/// `status_url`/`response_url`, COMPLETED, then the output; Replicate: a
/// prediction with `urls.get`, then succeeded with an `output` list.
fn task_answer(provider: &str, method: &Method, path: &str, base: &str, poll: bool) -> Value {
    let sample = sample(base);
    let post = method == Method::POST;
    match provider {
        "bfl" if post && poll => json!({"id": "t1", "polling_url": format!("{base}/v1/get_result?id=t1")}),
        "bfl" => json!({"id": "t1", "polling_url": format!("{base}/v1/get_result?id=t1"), "status": "Ready",
                        "result": {"sample": sample}}),
        "fal" if post => json!({"request_id": "r1", "status": if poll { "IN_QUEUE" } else { "COMPLETED" },
                                "status_url": format!("{base}/queue/fal-ai/flux/requests/r1/status"),
                                "response_url": format!("{base}/queue/fal-ai/flux/requests/r1")}),
        "fal" if path.ends_with("/status") => json!({"request_id": "r1", "status": "COMPLETED"}),
        "fal" => json!({"images": [{"url": sample, "content_type": "image/png"}], "seed": 1}),
        "replicate" if post && poll => {
            json!({"id": "p1", "status": "starting", "output": null, "urls": {"get": format!("{base}/v1/predictions/p1")}})
        }
        "replicate" => json!({"id": "p1", "status": "succeeded", "output": [sample],
                              "urls": {"get": format!("{base}/v1/predictions/p1")}}),
        other => panic!("no task echo for {other}"),
    }
}

/// An echo server that records every request it gets and answers like the provider would.
async fn echo(kind: Echo) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let router = Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let log = log.clone();
        async move {
            let base = format!("http://{}", headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or_default());
            let path = uri.path().to_owned();
            let json =
                |answer: Value| ([("content-type", "application/json")], answer.to_string()).into_response_parts();
            let response = match kind {
                Echo::Bytes => {
                    ([("content-type", "image/webp")], Bytes::from_static(b"RIFF\0\0\0\0WEBP")).into_response_parts()
                }
                Echo::Json => json(json!({"echo": true})),
                Echo::Task { provider, poll } => json(task_answer(provider, &method, &path, &base, poll)),
            };
            log.lock().unwrap().push(Seen { method, path, headers, body });
            response
        }
    });
    let addr = common::spawn_router(router).await;
    (format!("http://{addr}"), seen)
}

trait IntoParts {
    fn into_response_parts(self) -> axum::response::Response;
}
impl<T: axum::response::IntoResponse> IntoParts for T {
    fn into_response_parts(self) -> axum::response::Response {
        self.into_response()
    }
}

/// The programs that run each language, by file extension.
pub(crate) fn runners() -> Vec<(&'static str, Lang, &'static str, Vec<&'static str>)> {
    vec![
        ("dash", Lang::Curl, "sh", vec!["dash"]),
        ("bash", Lang::Curl, "sh", vec!["bash"]),
        ("python3", Lang::Python, "py", vec!["python3"]),
        ("node fetch", Lang::JavaScript, "js", vec!["node"]),
        ("node axios", Lang::Node, "js", vec!["node"]),
    ]
}

pub(crate) fn node_modules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/node_modules")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_snippets_send_exactly_the_intended_request() {
    let work = common::temp_dir();
    let gate = Arc::new(Semaphore::new(4));
    let mut runs = Vec::new();
    for (p, prompt) in hostile_prompts().into_iter().enumerate() {
        for (slug, extra) in models() {
            for (name, lang, ext, program) in runners() {
                let model = catalog::find(slug).unwrap();
                let mut params: Map<String, Value> = extra.as_object().unwrap().clone();
                params.insert("prompt".into(), Value::String(prompt.clone()));
                let valid = app::validate::validate(model, &params).expect("harness params must be valid");
                let dir = work.join(format!("{p}-{}-{}", slug.replace('/', "_"), name.replace(' ', "_")));
                let gate = gate.clone();
                runs.push(tokio::spawn(async move {
                    let _slot = gate.acquire().await.unwrap();
                    std::fs::create_dir_all(&dir).unwrap();
                    let kind = match model.provider.answer {
                        Answer::ImageBytes { .. } => Echo::Bytes,
                        // Polling waits a second: every eighth prompt polls, the rest are final at once.
                        Answer::Task(_) => Echo::Task { provider: model.provider.id, poll: p % 8 == 0 },
                        Answer::Json => Echo::Json,
                    };
                    let (base, seen) = echo(kind).await;
                    let text = render(lang, &valid, &base, Options::default());
                    // Pasted into a terminal without bracketed paste, a raw control character edits the line.
                    let raw = text.chars().find(|c| c.is_control() && *c != '\n');
                    assert!(raw.is_none(), "{name} / {slug}: a raw {raw:?} in the snippet");
                    let file = dir.join(format!("snippet.{ext}"));
                    std::fs::write(&file, &text).unwrap();
                    let out = Command::new(program[0])
                        .arg(&file)
                        .current_dir(&dir)
                        .envs(KEYS.iter().copied())
                        .env("NODE_PATH", node_modules())
                        .output()
                        .await
                        .unwrap();
                    let label = format!("{name} / {slug} / prompt #{p}");
                    assert!(
                        out.status.success(),
                        "{label}: exit {:?}\n{}\n--- snippet ---\n{text}",
                        out.status,
                        String::from_utf8_lossy(&out.stderr)
                    );
                    let seen = seen.lock().unwrap().clone();
                    assert!(!seen.is_empty(), "{label}: no request");
                    check(&label, &seen[0], model, &params, &base);
                    match kind {
                        Echo::Task { poll, .. } => {
                            check_polls(&label, &seen, model, poll);
                            let stdout = String::from_utf8_lossy(&out.stdout);
                            assert_eq!(stdout.trim(), sample(&base), "{label}: the image URL\n--- snippet ---\n{text}");
                        }
                        _ => assert_eq!(seen.len(), 1, "{label}: expected one request, got {}", seen.len()),
                    }
                }));
            }
        }
    }
    let total = runs.len();
    for run in runs {
        run.await.unwrap();
    }
    eprintln!("snippet harness: {total} runs passed");
    assert_eq!(total, hostile_prompts().len() * models().len() * runners().len());
}

/// The auth header a run must send: name (lower case) and value.
fn auth(model: app::catalog::ModelRef) -> (String, String) {
    let key = KEYS.iter().find(|(env, _)| *env == model.provider.key_env).unwrap().1;
    match model.provider.auth {
        Auth::Bearer => ("authorization".into(), format!("Bearer {key}")),
        Auth::Key => ("authorization".into(), format!("Key {key}")),
        Auth::Header(name) => (name.to_ascii_lowercase(), key.to_owned()),
    }
}

fn check(label: &str, seen: &Seen, model: app::catalog::ModelRef, params: &Map<String, Value>, base: &str) {
    let effective = app::defaults::effective(model, params, false);
    let intended = app::request::build(model, &effective, &model.provider.submit_base(base));
    assert_eq!(seen.method, Method::POST, "{label}");
    assert_eq!(format!("{base}{}", seen.path), intended.url, "{label}");
    let (header, value) = auth(model);
    assert_eq!(seen.headers.get(&header).and_then(|v| v.to_str().ok()), Some(value.as_str()), "{label}: auth header");
    if let Answer::Task(task) = model.provider.answer {
        for (name, value) in task.submit_headers {
            assert_eq!(seen.headers.get(*name).and_then(|v| v.to_str().ok()), Some(*value), "{label}: {name}");
        }
    }
    let content_type = seen.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "{label}: content-type {content_type}");
    let body: Value = serde_json::from_slice(&seen.body)
        .unwrap_or_else(|e| panic!("{label}: body is not JSON ({e}): {}", String::from_utf8_lossy(&seen.body)));
    assert_eq!(body, intended.body, "{label}: body");
}

/// After the submit: only GETs to the URLs the answers gave, each with the same key.
fn check_polls(label: &str, seen: &[Seen], model: app::catalog::ModelRef, poll: bool) {
    let (header, value) = auth(model);
    for get in &seen[1..] {
        assert_eq!(get.method, Method::GET, "{label}: {}", get.path);
        assert!(get.body.is_empty(), "{label}: a poll with a body");
        assert_eq!(get.headers.get(&header).and_then(|v| v.to_str().ok()), Some(value.as_str()), "{label}: poll key");
        assert!(get.headers.get("prefer").is_none(), "{label}: Prefer is for the submit");
    }
    let paths: Vec<&str> = seen[1..].iter().map(|s| s.path.as_str()).collect();
    let expected: &[&str] = match (model.provider.id, poll) {
        ("bfl", true) => &["/v1/get_result"],
        ("fal", true) => &["/queue/fal-ai/flux/requests/r1/status", "/queue/fal-ai/flux/requests/r1"],
        ("fal", false) => &["/queue/fal-ai/flux/requests/r1"],
        ("replicate", true) => &["/v1/predictions/p1"],
        _ => &[],
    };
    assert_eq!(paths, expected, "{label}: the polls");
}

/// Generated Rust snippets (hostile prompt, every model, for the provider and
/// for the emulator) must compile against reqwest and serde_json.
#[test]
fn a_generated_rust_snippet_compiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/rust-snippet");
    let bins = root.join("src/bin");
    std::fs::create_dir_all(&bins).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"rust-snippet\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n\n[dependencies]\n\
         reqwest = { version = \"0.12\", default-features = false, features = [\"blocking\", \"json\", \"rustls-tls\"] }\n\
         serde_json = \"1\"\n",
    )
    .unwrap();
    // Start from the workspace's lock, so only the blocking extras are resolved anew.
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"), root.join("Cargo.lock")).unwrap();
    // Every hostile prompt at once, within the smallest prompt limit (AI/ML API's 4000):
    // only a valid request has a snippet.
    let prompt: String = hostile_prompts().concat().chars().take(4000).collect();
    for (i, (slug, extra)) in models().into_iter().enumerate() {
        let model = catalog::find(slug).unwrap();
        let mut params = extra.as_object().unwrap().clone();
        params.insert("prompt".into(), Value::String(prompt.clone()));
        let options = Options {
            key: if i % 2 == 0 { app::snippet::KeyStyle::Env } else { app::snippet::KeyStyle::Placeholder },
            every: i == 0,
            emulator: false,
            model_name: None,
        };
        let valid = app::validate::validate(model, &params).unwrap();
        let text = render(Lang::Rust, &valid, model.provider.base_url, options);
        std::fs::write(bins.join(format!("snippet{i}.rs")), text).unwrap();
        let emulator = Options { key: app::snippet::KeyStyle::Env, every: false, emulator: true, model_name: None };
        let text = render(Lang::Rust, &valid, "http://127.0.0.1:3000/emulate/x", emulator);
        std::fs::write(bins.join(format!("emulator{i}.rs")), text).unwrap();
    }
    let out = std::process::Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--bins", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(out.status.success(), "generated Rust does not compile:\n{}", String::from_utf8_lossy(&out.stderr));
}

/// The providers' own documented request examples (server/tests/fixtures/providers,
/// written from their pages, not from our catalog): the fixture's fields become the
/// form, and every language's snippet must send a body that contains the documented
/// one member for member (with every default spelled out, it may carry more catalog fields).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_language_sends_each_providers_documented_request() {
    let fixtures: [(&str, &str, Option<&str>); 11] = [
        ("aimlapi/flux_dev_request.json", "aimlapi/flux/dev", None),
        ("aimlapi/flux2_lora_request.json", "aimlapi/blackforestlabs/flux-2-lora", None),
        ("aimlapi/flux2_pro_edit_request.json", "aimlapi/blackforestlabs/flux-2-pro-edit", None),
        ("fal/flux2_pro_request.json", "fal/fal-ai/flux-2-pro", None),
        ("segmind/flux_dev_v1_request.json", "segmind/flux-dev", None),
        ("segmind/flux2_pro_v1_request.json", "segmind/flux-2-pro", None),
        ("1min/flux_dev_request.json", "1min/black-forest-labs/flux-dev", Some("promptObject")),
        ("bfl/flux_dev_request_minimal.json", "bfl/flux-dev", None),
        ("fal/flux_dev_request.json", "fal/fal-ai/flux/dev", None),
        ("replicate/flux_dev_request_defaults.json", "replicate/black-forest-labs/flux-dev", Some("input")),
        ("openai/localai_request_minimal.json", "openai/flux-dev", None),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/providers");
    let work = common::temp_dir();
    let mut runs = 0;
    for (file, slug, nested) in fixtures {
        let fixture: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let mut documented = fixture["body"].clone();
        // A member the example sends that the same page's schema does not have (the fixture says why).
        if let Some(omits) = fixture.get("schema_omits").and_then(Value::as_object) {
            for member in omits.keys() {
                assert!(catalog::find(slug).unwrap().field(member).is_none(), "{file}: {member} is a catalog field");
                documented.as_object_mut().unwrap().remove(member);
            }
        }
        let model = catalog::find(slug).unwrap();
        let fields = match nested {
            Some(member) => documented[member].as_object().unwrap().clone(),
            None => documented.as_object().unwrap().clone(),
        };
        let params: Map<String, Value> = fields.into_iter().filter(|(k, _)| model.field(k).is_some()).collect();
        let valid = app::validate::validate(model, &params)
            .unwrap_or_else(|e| panic!("{file}: the documented example is not valid in our catalog: {e:?}"));
        for (name, lang, ext, program) in runners() {
            let kind = match model.provider.answer {
                Answer::ImageBytes { .. } => Echo::Bytes,
                Answer::Task(_) => Echo::Task { provider: model.provider.id, poll: false },
                Answer::Json => Echo::Json,
            };
            let (base, seen) = echo(kind).await;
            let options = Options { every: true, ..Options::default() };
            let text = render(lang, &valid, &base, options);
            let file_path = work.join(format!("{}-{}.{ext}", slug.replace('/', "_"), name.replace(' ', "_")));
            std::fs::write(&file_path, &text).unwrap();
            let out = Command::new(program[0])
                .arg(&file_path)
                .current_dir(&work)
                .envs(KEYS.iter().copied())
                .env("NODE_PATH", node_modules())
                .output()
                .await
                .unwrap();
            let label = format!("{name} / {file}");
            assert!(out.status.success(), "{label}: {}\n{text}", String::from_utf8_lossy(&out.stderr));
            let seen = seen.lock().unwrap().clone();
            let sent: Value = serde_json::from_slice(&seen[0].body).unwrap();
            assert_contains(&label, &sent, &documented);
            let (header, _) = auth(model);
            assert!(seen[0].headers.contains_key(header.as_str()), "{label}: the documented auth header");
            runs += 1;
        }
    }
    assert_eq!(runs, fixtures.len() * runners().len());
}

/// Every member of `documented` is in `sent` with the same value (numbers as numbers).
fn assert_contains(label: &str, sent: &Value, documented: &Value) {
    match (sent, documented) {
        (Value::Object(s), Value::Object(d)) => {
            for (key, value) in d {
                let got = s.get(key).unwrap_or_else(|| panic!("{label}: `{key}` is documented but not sent: {sent}"));
                assert_contains(&format!("{label}.{key}"), got, value);
            }
        }
        (Value::Number(a), Value::Number(b)) => assert_eq!(a.as_f64(), b.as_f64(), "{label}"),
        (a, b) => assert_eq!(a, b, "{label}"),
    }
}
