//! The polling snippets (BFL, fal's queue, Replicate) against the real emulators,
//! as a visitor copies them with "Call this server's emulator" ticked: run with
//! no key variable set, each must exit 0 and print image URLs that download as
//! real images; with a knob that fails the task it must exit non-zero with the
//! provider's reason; and the provider variant must stop before any request when
//! its key variable is unset. Every runnable language (dash, bash, python3, node
//! fetch, node axios); Rust is compiled by `snippet_harness`.

use crate::common;
use crate::snippet_harness::{node_modules, runners};

use app::catalog::{self, ModelRef, PROVIDERS};
use app::snippet::{render, KeyStyle, Lang, Options};
use serde_json::json;
use std::process::Output;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use tokio::process::Command;
use tokio::sync::Semaphore;

const TASKS: [&str; 3] = ["bfl/flux-dev", "fal/fal-ai/flux/dev", "replicate/black-forest-labs/flux-dev"];

/// What each provider says when its `moderated` knob fails the task: BFL's
/// status, fal's `content_policy_violation` message, Replicate's `error`.
fn reason(provider: &str) -> &'static str {
    match provider {
        "bfl" => "Request Moderated",
        "fal" => "flagged by a content checker",
        "replicate" => "All generated images contained NSFW content",
        other => panic!("no reason known for {other}"),
    }
}

/// Small images, so the runs stay quick; a prompt that needs quoting.
fn valid(model: ModelRef) -> app::valid::Valid {
    let extra = match model.provider.id {
        "bfl" => json!({"width": 256, "height": 256, "output_format": "png"}),
        "fal" => json!({"image_size": {"width": 96, "height": 64}, "num_images": 2}),
        _ => json!({"megapixels": "0.25", "aspect_ratio": "16:9", "num_outputs": 2, "output_format": "jpg"}),
    };
    let mut params = extra.as_object().unwrap().clone();
    params.insert("prompt".into(), json!("it's a \"fox\" $(id) `x` 🦊"));
    app::validate::validate(model, &params)
        .unwrap_or_else(|e| panic!("{}: the params must be valid: {e:?}", model.slug()))
}

/// Runs one snippet with no provider key in its environment, or only `key`.
async fn run(
    dir: &std::path::Path,
    lang: Lang,
    program: &str,
    ext: &str,
    text: &str,
    key: Option<(&str, &str)>,
) -> Output {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join(format!("snippet.{ext}"));
    std::fs::write(&file, text).unwrap();
    let mut cmd = Command::new(program);
    cmd.arg(&file).current_dir(dir).env("NODE_PATH", node_modules()).kill_on_drop(true);
    for p in PROVIDERS {
        cmd.env_remove(p.key_env);
    }
    if let Some((name, value)) = key {
        cmd.env(name, value);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), cmd.output()).await;
    out.unwrap_or_else(|_| panic!("{lang:?} did not finish in 2 minutes:\n{text}")).unwrap()
}

/// Every (model, runner) pair, run at most four at a time; `each` gets the
/// model, the language, the program and the file extension, and a work dir.
async fn for_each_run<F, Fut>(each: F)
where
    F: Fn(ModelRef, Lang, &'static str, &'static str, std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let work = common::temp_dir();
    let gate = Arc::new(Semaphore::new(4));
    let mut runs = Vec::new();
    for slug in TASKS {
        let model = catalog::find(slug).unwrap();
        for (name, lang, ext, program) in runners() {
            let dir = work.join(format!("{}-{}", model.provider.id, name.replace(' ', "_")));
            let run = each(model, lang, program[0], ext, dir);
            let gate = gate.clone();
            runs.push(tokio::spawn(async move {
                let _slot = gate.acquire().await.unwrap();
                run.await;
            }));
        }
    }
    for run in runs {
        run.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_snippets_run_as_pasted_to_a_real_image() {
    let started = Instant::now();
    let addr = common::spawn(&[]).await;
    for_each_run(|model, lang, program, ext, dir| async move {
        let base = format!("http://{addr}/emulate/{}", model.provider.id);
        let options = Options { key: KeyStyle::Env, every: false, emulator: true, model_name: None };
        let text = render(lang, &valid(model), &base, options);
        let out = run(&dir, lang, program, ext, &text, None).await;
        let label = format!("{} / {lang:?}", model.slug());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{label}: exit {:?}\n{}{stdout}\n--- snippet ---\n{text}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let urls: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
        let count = if model.provider.id == "bfl" { 1 } else { 2 };
        assert_eq!(urls.len(), count, "{label}: one URL per image, nothing else:\n{stdout}");
        for url in urls {
            assert!(url.starts_with(&format!("http://{addr}/emulate/files/")), "{label}: {url}");
            let resp = reqwest::get(url).await.unwrap();
            assert!(resp.status().is_success(), "{label}: {url} answered {}", resp.status());
            let bytes = resp.bytes().await.unwrap();
            let image = image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{label}: {url} is no image: {e}"));
            assert!(image.width() > 0 && image.height() > 0, "{label}");
        }
    })
    .await;
    eprintln!("polling snippets against the emulators: {:.1?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_task_stops_with_the_providers_reason() {
    let addr = common::spawn(&[]).await;
    for_each_run(|model, lang, program, ext, dir| async move {
        let base = format!("http://{addr}/emulate/{}", model.provider.id);
        let options = Options { key: KeyStyle::Env, every: false, emulator: true, model_name: None };
        let text = render(lang, &valid(model), &base, options);
        // The knob rides in the key, as the emulators read it.
        let out = run(&dir, lang, program, ext, &text, Some((model.provider.key_env, "x#moderated"))).await;
        let label = format!("{} / {lang:?}", model.slug());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{label}: a failed task must exit non-zero\n{stderr}");
        assert!(out.stdout.is_empty(), "{label}: no image URL: {}", String::from_utf8_lossy(&out.stdout));
        let why = reason(model.provider.id);
        assert!(stderr.contains(why), "{label}: stderr must say {why:?}:\n{stderr}\n--- snippet ---\n{text}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_variant_stops_before_any_request_without_its_key() {
    let (tripwire, hits) = common::tripwire().await;
    for_each_run(|model, lang, program, ext, dir| async move {
        let text = render(lang, &valid(model), &format!("http://{tripwire}"), Options::default());
        let out = run(&dir, lang, program, ext, &text, None).await;
        let label = format!("{} / {lang:?}", model.slug());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{label}: must fail without {}", model.provider.key_env);
        let message = format!("Set {} to your API key.", model.provider.key_env);
        assert!(stderr.contains(&message), "{label}: stderr must say {message:?}:\n{stderr}");
    })
    .await;
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a snippet without its key sent a request");
}
