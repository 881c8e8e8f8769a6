//! AI/ML API emulator: `POST /v1/images/generations` (providers.md §1, §8.1).
//!
//! Validation follows the per-model OpenAPI schemas quoted in §1.2–1.3; error
//! bodies follow §1.5 (`message`, `path`, `requestId`, `statusCode`,
//! `timestamp`). The message wording after "Body validation error!" imitates
//! the zod-style hints the docs show; the exact text is inferred.

use super::files::Files;
use super::knobs::Knobs;
use super::{mount_url, picture};
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use bytes::Bytes;
use image::ImageFormat;
use serde_json::{json, Map, Value};

const PATH: &str = "/v1/images/generations";

/// The six legacy presets (§0.1).
const PRESETS: &[(&str, u32, u32)] = &[
    ("square_hd", 1024, 1024),
    ("square", 512, 512),
    ("portrait_4_3", 768, 1024),
    ("portrait_16_9", 576, 1024),
    ("landscape_4_3", 1024, 768),
    ("landscape_16_9", 1024, 576),
];

enum Rule {
    Prompt,
    /// JSON `number` with bounds (schema `type: number`).
    Number(f64, f64),
    /// JSON `integer` with bounds; `None` max means unbounded.
    Integer(i64, Option<i64>),
    Bool,
    /// `raw` on ultra: `enum: [false]`.
    OnlyFalse,
    Enum(&'static [&'static str]),
    /// `image_size`: a preset name or `{width, height}` in range, multiple of 32.
    ImageSize(u32, u32),
    /// `format: uri`; Kontext also takes an array of up to 4.
    ImageUrl {
        array_max: Option<usize>,
    },
    /// FLUX.2's `image_urls`: an array of `min` to `max` URIs or base64 images, required.
    ImageUrls(usize, usize),
    /// `loras`: `maxItems: 3` of `{path (required string), scale (number 0–4)}`.
    Loras,
}

/// How the emulator decides the output's pixel size.
enum Sizing {
    /// `image_size`, default `landscape_4_3`.
    ImageSize,
    /// `aspect_ratio` (default 16:9) at about this many pixels.
    Ratio(f64),
    /// The reference image's size (flux/dev/image-to-image, srpo i2i).
    Reference,
}

/// A run of `(field, rule)`.
type Fields = &'static [(&'static str, Rule)];

struct Spec {
    id: &'static str,
    /// The schema's fields, in runs that several models share.
    fields: &'static [Fields],
    sizing: Sizing,
    /// `true`: PNG always (flux/dev, schnell, dev i2i); else `output_format`, default jpeg.
    png_only: bool,
}

const RATIOS: &[&str] = &["21:9", "16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21"];
const TOLERANCE: &[&str] = &["1", "2", "3", "4", "5", "6"];
const JPEG_PNG: &[&str] = &["jpeg", "png"];
const ACCELERATION: &[&str] = &["none", "regular", "high"];
/// Ultra's documented fixed size for 16:9 is 2752×1536, about 4.2 MP.
const ULTRA_PIXELS: f64 = 2752.0 * 1536.0;
const ONE_MP: f64 = 1024.0 * 1024.0;

/// The per-model request schemas (aimlapi/api-docs `image-models/flux/*.json`, §1.2–1.3).
const SPECS: &[Spec] = &[
    Spec {
        id: "flux/dev",
        fields: &[&[
            ("prompt", Rule::Prompt),
            ("num_images", Rule::Number(1.0, 4.0)),
            ("seed", Rule::Integer(1, None)),
            ("image_size", Rule::ImageSize(512, 1536)),
            ("guidance_scale", Rule::Number(1.0, 20.0)),
            ("num_inference_steps", Rule::Integer(1, Some(50))),
            ("enable_safety_checker", Rule::Bool),
        ]],
        sizing: Sizing::ImageSize,
        png_only: true,
    },
    Spec {
        id: "flux/schnell",
        fields: &[&[
            ("prompt", Rule::Prompt),
            ("num_images", Rule::Number(1.0, 4.0)),
            ("seed", Rule::Integer(1, None)),
            ("image_size", Rule::ImageSize(64, 1536)),
            ("num_inference_steps", Rule::Integer(1, None)),
            ("enable_safety_checker", Rule::Bool),
        ]],
        sizing: Sizing::ImageSize,
        png_only: true,
    },
    Spec {
        id: "flux-pro",
        fields: &[&[
            ("prompt", Rule::Prompt),
            ("num_images", Rule::Number(1.0, 4.0)),
            ("seed", Rule::Integer(1, None)),
            ("image_size", Rule::ImageSize(256, 1440)),
            ("num_inference_steps", Rule::Integer(1, Some(50))),
            ("guidance_scale", Rule::Number(1.0, 20.0)),
            ("safety_tolerance", Rule::Enum(TOLERANCE)),
            ("output_format", Rule::Enum(JPEG_PNG)),
        ]],
        sizing: Sizing::ImageSize,
        png_only: false,
    },
    Spec {
        id: "flux-pro/v1.1",
        fields: &[&[
            ("prompt", Rule::Prompt),
            ("num_images", Rule::Number(1.0, 4.0)),
            ("seed", Rule::Integer(1, None)),
            ("image_size", Rule::ImageSize(256, 1440)),
            ("safety_tolerance", Rule::Enum(TOLERANCE)),
            ("output_format", Rule::Enum(JPEG_PNG)),
            ("enable_safety_checker", Rule::Bool),
        ]],
        sizing: Sizing::ImageSize,
        png_only: false,
    },
    Spec {
        id: "flux-pro/v1.1-ultra",
        fields: &[&[
            ("prompt", Rule::Prompt),
            ("num_images", Rule::Number(1.0, 4.0)),
            ("seed", Rule::Integer(1, None)),
            ("safety_tolerance", Rule::Enum(TOLERANCE)),
            ("output_format", Rule::Enum(JPEG_PNG)),
            ("enable_safety_checker", Rule::Bool),
            ("aspect_ratio", Rule::Enum(RATIOS)),
            ("raw", Rule::OnlyFalse),
        ]],
        sizing: Sizing::Ratio(ULTRA_PIXELS),
        png_only: false,
    },
    Spec {
        id: "flux-realism",
        fields: &[&[
            ("prompt", Rule::Prompt),
            ("num_images", Rule::Number(1.0, 4.0)),
            ("seed", Rule::Integer(1, None)),
            ("image_size", Rule::ImageSize(512, 1536)),
            ("guidance_scale", Rule::Number(1.0, 20.0)),
            ("num_inference_steps", Rule::Integer(1, Some(50))),
            ("enable_safety_checker", Rule::Bool),
            ("output_format", Rule::Enum(JPEG_PNG)),
        ]],
        sizing: Sizing::ImageSize,
        png_only: false,
    },
    Spec {
        id: "flux/dev/image-to-image",
        fields: &[&[
            ("prompt", Rule::Prompt),
            ("num_images", Rule::Number(1.0, 4.0)),
            ("seed", Rule::Integer(1, None)),
            ("guidance_scale", Rule::Number(1.0, 20.0)),
            ("num_inference_steps", Rule::Integer(1, Some(50))),
            ("enable_safety_checker", Rule::Bool),
            ("image_url", Rule::ImageUrl { array_max: None }),
            // The schema gives `strength` no range.
            ("strength", Rule::Number(f64::MIN, f64::MAX)),
        ]],
        sizing: Sizing::Reference,
        png_only: true,
    },
    kontext("flux/kontext-pro/text-to-image", false),
    kontext("flux/kontext-pro/image-to-image", true),
    kontext("flux/kontext-max/text-to-image", false),
    kontext("flux/kontext-max/image-to-image", true),
    srpo("flux/srpo", false),
    srpo("flux/srpo/image-to-image", true),
    flux2("blackforestlabs/flux-2", Flux2::Dev),
    flux2("blackforestlabs/flux-2-edit", Flux2::DevEdit),
    flux2("blackforestlabs/flux-2-lora", Flux2::Lora),
    flux2("blackforestlabs/flux-2-lora-edit", Flux2::LoraEdit),
    flux2("blackforestlabs/flux-2-pro", Flux2::Pro),
    flux2("blackforestlabs/flux-2-pro-edit", Flux2::ProEdit),
    flux2("blackforestlabs/flux-2-max", Flux2::Max),
];

/// The FLUX.2 schemas (providers-flux2-flux3.md §2, aimlapi/api-docs `flux-2*.json`).
/// An edit adds `image_urls` (1 to 3), a LoRA model `loras` (up to 3 `{path, scale 0–4}`).
enum Flux2 {
    /// `flux-2`: count, guidance, steps, acceleration, prompt expansion.
    Dev,
    DevEdit,
    Lora,
    LoraEdit,
    /// `flux-2-pro`: string safety tolerance `"1"`…`"6"`.
    Pro,
    ProEdit,
    /// `flux-2-max`: text only, `"1"`…`"5"`, jpeg or png.
    Max,
}

const FLUX2_FORMATS: &[&str] = &["jpeg", "png", "webp"];
const TOLERANCE_5: &[&str] = &["1", "2", "3", "4", "5"];

const fn flux2(id: &'static str, tier: Flux2) -> Spec {
    const DEV: Fields = &[
        ("prompt", Rule::Prompt),
        ("image_size", Rule::ImageSize(512, 2048)),
        ("output_format", Rule::Enum(FLUX2_FORMATS)),
        ("seed", Rule::Integer(1, None)),
        ("num_images", Rule::Number(1.0, 4.0)),
        ("guidance_scale", Rule::Number(0.0, 20.0)),
        ("num_inference_steps", Rule::Integer(4, Some(50))),
        ("acceleration", Rule::Enum(ACCELERATION)),
        ("enable_prompt_expansion", Rule::Bool),
        ("enable_safety_checker", Rule::Bool),
    ];
    const PRO: Fields = &[
        ("prompt", Rule::Prompt),
        ("image_size", Rule::ImageSize(512, 2048)),
        ("output_format", Rule::Enum(FLUX2_FORMATS)),
        ("seed", Rule::Integer(1, None)),
        ("enable_safety_checker", Rule::Bool),
        ("safety_tolerance", Rule::Enum(TOLERANCE)),
    ];
    const MAX: Fields = &[
        ("prompt", Rule::Prompt),
        ("image_size", Rule::ImageSize(512, 2048)),
        ("output_format", Rule::Enum(JPEG_PNG)),
        ("seed", Rule::Integer(1, None)),
        ("enable_safety_checker", Rule::Bool),
        ("safety_tolerance", Rule::Enum(TOLERANCE_5)),
    ];
    const URLS: Fields = &[("image_urls", Rule::ImageUrls(1, 3))];
    const LORAS: Fields = &[("loras", Rule::Loras)];
    let fields: &[Fields] = match tier {
        Flux2::Dev => &[DEV],
        Flux2::DevEdit => &[DEV, URLS],
        Flux2::Lora => &[DEV, LORAS],
        Flux2::LoraEdit => &[DEV, URLS, LORAS],
        Flux2::Pro => &[PRO],
        Flux2::ProEdit => &[PRO, URLS],
        Flux2::Max => &[MAX],
    };
    Spec { id, fields, sizing: Sizing::ImageSize, png_only: false }
}

const fn kontext(id: &'static str, image: bool) -> Spec {
    const TEXT: &[(&str, Rule)] = &[
        ("prompt", Rule::Prompt),
        ("num_images", Rule::Number(1.0, 4.0)),
        ("seed", Rule::Integer(1, None)),
        ("guidance_scale", Rule::Number(1.0, 20.0)),
        ("safety_tolerance", Rule::Enum(TOLERANCE)),
        ("output_format", Rule::Enum(JPEG_PNG)),
        ("aspect_ratio", Rule::Enum(RATIOS)),
    ];
    const IMAGE: &[(&str, Rule)] = &[
        ("prompt", Rule::Prompt),
        ("num_images", Rule::Number(1.0, 4.0)),
        ("seed", Rule::Integer(1, None)),
        ("guidance_scale", Rule::Number(1.0, 20.0)),
        ("safety_tolerance", Rule::Enum(TOLERANCE)),
        ("output_format", Rule::Enum(JPEG_PNG)),
        ("aspect_ratio", Rule::Enum(RATIOS)),
        ("image_url", Rule::ImageUrl { array_max: Some(4) }),
    ];
    Spec { id, fields: if image { &[IMAGE] } else { &[TEXT] }, sizing: Sizing::Ratio(ONE_MP), png_only: false }
}

const fn srpo(id: &'static str, image: bool) -> Spec {
    const TEXT: &[(&str, Rule)] = &[
        ("prompt", Rule::Prompt),
        ("num_images", Rule::Number(1.0, 4.0)),
        ("seed", Rule::Integer(1, None)),
        ("image_size", Rule::ImageSize(512, 1536)),
        ("num_inference_steps", Rule::Integer(1, Some(50))),
        ("guidance_scale", Rule::Number(1.0, 20.0)),
        ("sync_mode", Rule::Bool),
        ("enable_safety_checker", Rule::Bool),
        ("output_format", Rule::Enum(JPEG_PNG)),
        ("acceleration", Rule::Enum(ACCELERATION)),
    ];
    const IMAGE: &[(&str, Rule)] = &[
        ("prompt", Rule::Prompt),
        ("num_images", Rule::Number(1.0, 4.0)),
        ("seed", Rule::Integer(1, None)),
        ("num_inference_steps", Rule::Integer(1, Some(50))),
        ("guidance_scale", Rule::Number(1.0, 20.0)),
        ("sync_mode", Rule::Bool),
        ("enable_safety_checker", Rule::Bool),
        ("output_format", Rule::Enum(JPEG_PNG)),
        ("acceleration", Rule::Enum(ACCELERATION)),
        ("image_url", Rule::ImageUrl { array_max: None }),
        ("strength", Rule::Number(0.0, 1.0)),
    ];
    if image {
        Spec { id, fields: &[IMAGE], sizing: Sizing::Reference, png_only: false }
    } else {
        Spec { id, fields: &[TEXT], sizing: Sizing::ImageSize, png_only: false }
    }
}

pub fn router() -> Router<Files> {
    Router::new().route(PATH, post(generate)).route(&format!("{PATH}/"), post(generate))
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({
        "message": message,
        "path": PATH,
        "requestId": uuid::Uuid::new_v4().to_string(),
        "statusCode": status.as_u16(),
        "timestamp": time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    });
    (status, Json(body)).into_response()
}

fn invalid(detail: &str) -> Response {
    error(StatusCode::BAD_REQUEST, &format!("Body validation error! {detail}"))
}

async fn generate(
    State(files): State<Files>,
    headers: HeaderMap,
    original: OriginalUri,
    uri: Uri,
    body: Bytes,
) -> Response {
    let knobs = Knobs::from_headers(&headers);
    knobs.delay().await;
    answer(files, &headers, &original, &uri, &body, &knobs)
}

fn answer(
    files: Files,
    headers: &HeaderMap,
    original: &OriginalUri,
    uri: &Uri,
    body: &[u8],
    knobs: &Knobs,
) -> Response {
    let authorised = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|k| !k.trim().is_empty());
    if !authorised {
        return error(
            StatusCode::UNAUTHORIZED,
            "This request requires a valid API key. You can create a new API key on the Billing page: https://aimlapi.com/app/keys",
        );
    }
    if let Some(status) = knobs.status {
        return error(status, forced_message(status));
    }
    let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
        return invalid("Expected a JSON object");
    };
    let spec = match req.get("model").and_then(Value::as_str) {
        Some(id) => match SPECS.iter().find(|s| s.id == id) {
            Some(spec) => spec,
            None => {
                let ids: Vec<_> = SPECS.iter().map(|s| format!("'{}'", s.id)).collect();
                return invalid(&format!("model: Invalid enum value. Expected {}, received '{id}'", ids.join(" | ")));
            }
        },
        None => return invalid("model: Required"),
    };
    if let Err(detail) = check(spec, &req) {
        return invalid(&detail);
    }

    let prompt = req.get("prompt").and_then(Value::as_str).unwrap_or_default();
    let count = req.get("num_images").and_then(Value::as_f64).unwrap_or(1.0).floor() as u64;
    let seed = req.get("seed").and_then(Value::as_u64).unwrap_or_else(|| fastrand::u64(1..1 << 31));
    let (width, height) = output_size(spec, &req);
    let (format, ext, content_type) = match (spec.png_only, req.get("output_format").and_then(Value::as_str)) {
        (false, Some("png")) | (true, _) => (ImageFormat::Png, "png", "image/png"),
        (false, Some("webp")) => (ImageFormat::WebP, "webp", "image/webp"),
        _ => (ImageFormat::Jpeg, "jpeg", "image/jpeg"),
    };
    let sync = req.get("sync_mode").and_then(Value::as_bool).unwrap_or(false);
    let base = mount_url(headers, original, uri, "/aimlapi");
    let urls: Vec<String> = (0..count)
        .map(|i| {
            let bytes = picture::image(prompt, seed + i, width, height, format);
            if sync {
                // sync_mode: the media comes back inline as a data URI (§5.1).
                let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
                format!("data:{content_type};base64,{data}")
            } else {
                format!("{base}/files/{}", files.put(ext, content_type, Bytes::from(bytes)))
            }
        })
        .collect();

    // Shape B (OpenAI-like) is the current schema; Shape A (fal passthrough) is what
    // every example shows. The `shape=fal` knob selects A (§8.1).
    let body = if knobs.shape_fal {
        json!({
            "images": urls.iter().map(|u| json!({"url": u, "width": width, "height": height, "content_type": content_type})).collect::<Vec<_>>(),
            "timings": {"inference": 0.05},
            "seed": seed,
            "has_nsfw_concepts": vec![false; urls.len()],
            "prompt": prompt,
        })
    } else {
        // Credits: the docs give no price; this figure is illustrative.
        let megapixels = (f64::from(width) * f64::from(height) / 1_048_576.0).ceil() as u64;
        json!({
            "data": urls.iter().map(|u| json!({"url": u, "b64_json": null})).collect::<Vec<_>>(),
            "meta": {"usage": {"credits_used": 60_000 * megapixels * count}},
        })
    };
    // §1.4: 201 is what the live API most likely answers.
    (StatusCode::CREATED, Json(body)).into_response()
}

/// The documented message for a status (§1.5), for the `status` knob.
fn forced_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "This request requires a valid API key. You can create a new API key on the Billing page: https://aimlapi.com/app/keys",
        403 => "You've run out of credits. Please top up your balance or update your payment method to continue: https://aimlapi.com/app/billing/",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service unavailable",
        504 => "Generation timeout",
        _ => "Internal server error",
    }
}

fn output_size(spec: &Spec, req: &Map<String, Value>) -> (u32, u32) {
    match spec.sizing {
        Sizing::ImageSize => size_of(req.get("image_size")),
        Sizing::Ratio(pixels) => ratio_size(req.get("aspect_ratio").and_then(Value::as_str).unwrap_or("16:9"), pixels),
        Sizing::Reference => reference_size(req.get("image_url")).unwrap_or((1024, 768)),
    }
}

/// Width and height for `ratio` at about `pixels`, each a multiple of 32.
fn ratio_size(ratio: &str, pixels: f64) -> (u32, u32) {
    let (w, h) = ratio
        .split_once(':')
        .and_then(|(w, h)| Some((w.parse::<f64>().ok()?, h.parse::<f64>().ok()?)))
        .unwrap_or((16.0, 9.0));
    let width = (pixels * w / h).sqrt();
    let round = |x: f64| ((x / 32.0).round() as u32).max(1) * 32;
    (round(width), round(width * h / w))
}

/// The reference's size, read from a `data:` URI. An https URL is not fetched
/// (the emulator works offline and must not reach out): the default size is used.
fn reference_size(value: Option<&Value>) -> Option<(u32, u32)> {
    let first = match value? {
        Value::Array(items) => items.first()?.as_str()?,
        v => v.as_str()?,
    };
    let (_, data) = first.strip_prefix("data:")?.split_once(";base64,")?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(data).ok()?;
    image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().ok()?.into_dimensions().ok()
}

fn size_of(value: Option<&Value>) -> (u32, u32) {
    let dim = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    match value {
        Some(Value::String(name)) => PRESETS.iter().find(|p| p.0 == name).map(|p| (p.1, p.2)),
        Some(v @ Value::Object(_)) => dim(v, "width").zip(dim(v, "height")),
        _ => None,
    }
    .unwrap_or((1024, 768))
}

impl Spec {
    fn rules(&self) -> impl Iterator<Item = &'static (&'static str, Rule)> {
        self.fields.iter().flat_map(|run| run.iter())
    }
}

fn check(spec: &Spec, req: &Map<String, Value>) -> Result<(), String> {
    let unknown: Vec<_> =
        req.keys().filter(|k| *k != "model" && !spec.rules().any(|(f, _)| f == k)).map(|k| format!("'{k}'")).collect();
    if !unknown.is_empty() {
        return Err(format!("Unrecognized key(s) in object: {}", unknown.join(", ")));
    }
    for (name, rule) in spec.rules() {
        let Some(value) = req.get(*name) else {
            // `prompt` is required everywhere, `image_url` wherever it exists.
            if matches!(rule, Rule::Prompt | Rule::ImageUrl { .. } | Rule::ImageUrls(..)) {
                return Err(format!("{name}: Required"));
            }
            continue;
        };
        check_rule(name, rule, value)?;
    }
    Ok(())
}

fn check_rule(name: &str, rule: &Rule, value: &Value) -> Result<(), String> {
    let number = |v: &Value| v.as_f64().ok_or_else(|| format!("{name}: Expected number, received {}", type_name(v)));
    match rule {
        Rule::Prompt => {
            let text =
                value.as_str().ok_or_else(|| format!("{name}: Expected string, received {}", type_name(value)))?;
            if text.chars().count() > 4000 {
                return Err(format!("{name}: String must contain at most 4000 character(s)"));
            }
        }
        Rule::Bool => {
            if !value.is_boolean() {
                return Err(format!("{name}: Expected boolean, received {}", type_name(value)));
            }
        }
        Rule::OnlyFalse => {
            if value != &Value::Bool(false) {
                return Err(format!("{name}: Invalid literal value, expected false"));
            }
        }
        Rule::Enum(values) => {
            if !value.as_str().is_some_and(|v| values.contains(&v)) {
                let expected: Vec<_> = values.iter().map(|v| format!("'{v}'")).collect();
                return Err(format!("{name}: Invalid enum value. Expected {}, received {value}", expected.join(" | ")));
            }
        }
        Rule::ImageUrl { array_max } => {
            let is_url = |v: &Value| {
                v.as_str()
                    .is_some_and(|s| s.starts_with("https://") || s.starts_with("http://") || s.starts_with("data:"))
            };
            match (value, array_max) {
                (Value::Array(items), Some(max))
                    if items.len() <= *max && !items.is_empty() && items.iter().all(is_url) => {}
                (Value::Array(_), Some(max)) => return Err(format!("{name}: Expected 1 to {max} URLs")),
                (v, _) if is_url(v) => {}
                _ => return Err(format!("{name}: Invalid url")),
            }
        }
        Rule::ImageUrls(min, max) => {
            let ok = |v: &Value| v.as_str().is_some_and(|s| s.starts_with("https://") || s.starts_with("data:"));
            match value {
                Value::Array(items) if (*min..=*max).contains(&items.len()) && items.iter().all(ok) => {}
                Value::Array(_) => return Err(format!("{name}: Array must contain {min} to {max} URLs or images")),
                v => return Err(format!("{name}: Expected array, received {}", type_name(v))),
            }
        }
        Rule::Number(min, max) => bounds(name, number(value)?, *min, Some(*max))?,
        Rule::Integer(min, max) => {
            let n = number(value)?;
            if n.fract() != 0.0 {
                return Err(format!("{name}: Expected integer, received float"));
            }
            bounds(name, n, *min as f64, max.map(|m| m as f64))?;
        }
        Rule::ImageSize(min, max) => match value {
            Value::String(s) if PRESETS.iter().any(|p| p.0 == s) => {}
            Value::Object(o) => {
                for side in ["width", "height"] {
                    let v = o.get(side).ok_or_else(|| format!("{name}.{side}: Required"))?;
                    let field = format!("{name}.{side}");
                    check_rule(&field, &Rule::Integer(i64::from(*min), Some(i64::from(*max))), v)?;
                    if v.as_u64().is_some_and(|n| n % 32 != 0) {
                        return Err(format!("{field}: Number must be a multiple of 32"));
                    }
                }
            }
            _ => return Err(format!("{name}: Invalid input")),
        },
        Rule::Loras => {
            let Value::Array(items) = value else {
                return Err(format!("{name}: Expected array, received {}", type_name(value)));
            };
            if items.len() > 3 {
                return Err(format!("{name}: Array must contain at most 3 element(s)"));
            }
            for (i, item) in items.iter().enumerate() {
                let path = item.get("path").ok_or_else(|| format!("{name}.{i}.path: Required"))?;
                if !path.is_string() {
                    return Err(format!("{name}.{i}.path: Expected string, received {}", type_name(path)));
                }
                if let Some(scale) = item.get("scale") {
                    check_rule(&format!("{name}.{i}.scale"), &Rule::Number(0.0, 4.0), scale)?;
                }
            }
        }
    }
    Ok(())
}

fn bounds(name: &str, n: f64, min: f64, max: Option<f64>) -> Result<(), String> {
    if n < min {
        return Err(format!("{name}: Number must be greater than or equal to {min}"));
    }
    match max {
        Some(max) if n > max => Err(format!("{name}: Number must be less than or equal to {max}")),
        _ => Ok(()),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
