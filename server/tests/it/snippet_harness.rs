//! Runs the generated snippets for real: cURL under dash and bash, Python with
//! requests, JavaScript (fetch) and Node (axios) under node, each against a
//! loopback echo server, for a corpus of hostile prompts and several models of
//! each provider. Each run must send exactly the intended request: method, path,
//! auth header and the parsed JSON body. PowerShell has golden tests in `app`
//! (no pwsh here); a generated Rust snippet is compiled.

use crate::common;

use app::catalog::{self, Auth};
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
        ("segmind/flux-dev", json!({"aspect_ratio": "16:9", "output_format": "jpg", "seed": 12})),
        ("1min/black-forest-labs/flux-dev", json!({"megapixels": "0.25", "go_fast": true})),
        ("bfl/flux-dev", json!({"width": 512, "height": 768, "guidance": 2.5, "output_format": "png"})),
        ("fal/fal-ai/flux/dev", json!({"image_size": "square_hd", "num_inference_steps": 20, "acceleration": "high"})),
        ("replicate/black-forest-labs/flux-dev", json!({"aspect_ratio": "4:5", "go_fast": false, "num_outputs": 2})),
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

/// An echo server that records the one request it gets and answers like the provider would.
async fn echo(answer_bytes: bool) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let router = Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(Seen { method, path: uri.path().to_owned(), headers, body });
            if answer_bytes {
                ([("content-type", "image/webp")], Bytes::from_static(b"RIFF\0\0\0\0WEBP")).into_response_parts()
            } else {
                ([("content-type", "application/json")], Bytes::from_static(b"{\"echo\":true}")).into_response_parts()
            }
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
fn runners() -> Vec<(&'static str, Lang, &'static str, Vec<&'static str>)> {
    vec![
        ("dash", Lang::Curl, "sh", vec!["dash"]),
        ("bash", Lang::Curl, "sh", vec!["bash"]),
        ("python3", Lang::Python, "py", vec!["python3"]),
        ("node fetch", Lang::JavaScript, "js", vec!["node"]),
        ("node axios", Lang::Node, "js", vec!["node"]),
    ]
}

fn node_modules() -> PathBuf {
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
                assert!(app::validate::validate(model, &params).is_empty(), "{slug}: harness params must be valid");
                let dir = work.join(format!("{p}-{}-{}", slug.replace('/', "_"), name.replace(' ', "_")));
                let gate = gate.clone();
                runs.push(tokio::spawn(async move {
                    let _slot = gate.acquire().await.unwrap();
                    std::fs::create_dir_all(&dir).unwrap();
                    let answer_bytes = model.provider.id == "segmind";
                    let (base, seen) = echo(answer_bytes).await;
                    let text = render(lang, model, &params, &base, Options::default());
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
                    assert_eq!(seen.len(), 1, "{label}: expected one request, got {}", seen.len());
                    check(&label, &seen[0], model, &params, &base);
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

fn check(label: &str, seen: &Seen, model: app::catalog::ModelRef, params: &Map<String, Value>, base: &str) {
    let intended = app::request::build(model, &app::form::effective(model, params, false), base);
    assert_eq!(seen.method, Method::POST, "{label}");
    assert_eq!(format!("{base}{}", seen.path), intended.url, "{label}");
    let key = KEYS.iter().find(|(env, _)| *env == intended.key_env).unwrap().1;
    let (header, value) = match intended.auth {
        Auth::Bearer => ("authorization", format!("Bearer {key}")),
        Auth::Key => ("authorization", format!("Key {key}")),
        Auth::Header(name) => (name, key.to_owned()),
    };
    assert_eq!(seen.headers.get(header).and_then(|v| v.to_str().ok()), Some(value.as_str()), "{label}: auth header");
    let content_type = seen.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "{label}: content-type {content_type}");
    let body: Value = serde_json::from_slice(&seen.body)
        .unwrap_or_else(|e| panic!("{label}: body is not JSON ({e}): {}", String::from_utf8_lossy(&seen.body)));
    assert_eq!(body, intended.body, "{label}: body");
}

/// A generated Rust snippet (hostile prompt, an image-bytes provider and a JSON
/// one) must compile against reqwest and serde_json.
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
    let prompt = hostile_prompts().concat();
    for (i, (slug, extra)) in models().into_iter().enumerate() {
        let model = catalog::find(slug).unwrap();
        let mut params = extra.as_object().unwrap().clone();
        params.insert("prompt".into(), Value::String(prompt.clone()));
        let options = Options {
            key: if i % 2 == 0 { app::snippet::KeyStyle::Env } else { app::snippet::KeyStyle::Placeholder },
            every: i == 0,
        };
        let text = render(Lang::Rust, model, &params, model.provider.base_url, options);
        std::fs::write(bins.join(format!("snippet{i}.rs")), text).unwrap();
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
