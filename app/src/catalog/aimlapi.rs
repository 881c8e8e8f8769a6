//! AI/ML API (aimlapi.com): one endpoint for every model, chosen by `model`.
//! Sources: shared/reference/seeds/000, 001, 003, providers.md §1, and the
//! per-model OpenAPI schemas in aimlapi/api-docs (`image-models/flux/*.json`).
//!
//! Choices where the documents are unclear:
//! - `num_images` is `type: number` 1–4; it is a count, so only whole numbers are sent.
//! - `guidance_scale` states no default (except flux/srpo: 4.5): the box stays empty.
//! - flux/schnell's `num_inference_steps` has no maximum in the schema; fal, which
//!   serves the model, caps it at 12 (§5.1), so 12 is the limit here.
//! - flux/dev/image-to-image's `strength` has no range; 0–1 (as flux/srpo's) is used.
//! - Kontext's `image_url` may be one URI or up to 4; the form sends one.
//! - flux-pro/v1.1-ultra's `raw` is `enum: [false]`: shown, but only false is valid.
//!
//! Images in: `image_url` is "format: uri, The URL of the reference image"; whether a
//! data URI is accepted is not documented (a data URI is a URI). An https URL is fetched
//! by this server (SSRF rules) and, like an upload, sent as a `data:` URI: no provider
//! is sent a URL a visitor typed. No size limit is documented; ours is the upload limit.
//!
//! FLUX.2 (providers-flux2-flux3.md §2, aimlapi/api-docs `flux-2*.json`):
//! - `image_urls` takes 1 to 3 "URLs or local Base64 encoded images" on the edit models:
//!   uploads go as data URIs, a typed URL is fetched here first, as for `image_url`.
//! - `safety_tolerance` is a string `"1"`…`"6"` on pro (its text says 1–5; the enum wins)
//!   and `"1"`…`"5"` on max.
//! - `guidance_scale` and `num_inference_steps` state no default: the boxes stay empty.
//! - The LoRA models (`flux-2-lora`, `-lora-edit`): `loras` is `maxItems: 3` of `{path
//!   (required; "URL, HuggingFace repo ID"), scale (0–4)}`. The form takes one per line;
//!   a path is checked to be an https URL or a repo id (`owner/name`), not the "local
//!   path" the schema also names (a path on AI/ML API's machines means nothing here).
//!
//! Output sizes (for the budget, the fields' roles):
//! - ultra documents 2752×1536 for 16:9 only; the other ratios count as about
//!   that many pixels (4.2 MP), sides rounded up to 32.
//! - Kontext documents no sizes: about 1 MP per ratio, the same way.
//! - The image-to-image models match the reference; no maximum is documented, so
//!   an unfetched URL counts as the largest reference this server accepts.

use super::build::{aspect_ratio, count, image, int, loras, output_format, prompt, random_seed, real, toggle};
use super::shared::{image_size, plain, text_tolerance, KONTEXT_RATIOS, ONE_MP, ONE_TO_FIVE, ONE_TO_SIX};
use super::Spelling;
use super::{
    Answer, Auth, Choice, Field, FileInput, Follows, Kind, Model, Opt, Provider, ProviderId, Role, MAX_REFERENCE_SIDE,
};

/// FLUX.2 [dev]'s fields (flux-2, -edit, -lora, -lora-edit): what a model adds (its
/// references, its LoRA list) follows the prompt.
macro_rules! flux2_dev {
    ($($extra:expr),*) => {
        &[
            PROMPT, $($extra,)* FLUX2_SIZE, FLUX2_FORMAT, SEED, NUM_IMAGES, FLUX2_GUIDANCE, FLUX2_STEPS, ACCELERATION,
            EXPANSION, SAFETY_CHECKER,
        ]
    };
}

const PROMPT: Field = prompt(
    "What the image should show: content, style, composition.",
    Some(4000),
    "A T-Rex relaxing on a beach, lying on a sun lounger and wearing sunglasses.",
);
const NUM_IMAGES: Field = count("num_images", "Number of images", "How many images to generate.", 4.0);
const SEED: Field = random_seed(Some(1.0), None);
const SAFETY_CHECKER: Field =
    toggle("enable_safety_checker", "Safety checker", "Flag images the provider considers unsafe.", true)
        .role(Role::Safety);
const SAFETY_TOLERANCE: Field = text_tolerance(ONE_TO_SIX, "1 is the strictest, 6 the most permissive.");
const OUTPUT_FORMAT: Field =
    output_format("File format of the generated image.", &[plain("jpeg"), plain("png")], "jpeg");
const ACCELERATION: Field = Field::new(
    "acceleration",
    "Acceleration",
    "Faster generation at some cost in quality.",
    Kind::Choice(Choice { options: &[plain("none"), plain("regular"), plain("high")], default: Some("regular") }),
);
const SYNC_MODE: Field =
    toggle("sync_mode", "Sync mode", "Return the image inline (a data URI) instead of a CDN URL.", false);
const RAW: Field = Field::new(
    "raw",
    "Raw",
    "Less processed, more natural look. The schema accepts only false.",
    Kind::Bool { default: false, only: Some(false) },
);
const STRENGTH: Field = real(
    "strength",
    "Strength",
    "How much the prompt changes the reference image: 0 keeps it, 1 replaces it.",
    (0.0, 1.0, 0.01),
    Some(0.95),
);

const fn guidance(default: Option<f64>) -> Field {
    real(
        "guidance_scale",
        "Guidance scale",
        "How closely the image follows the prompt (CFG).",
        (1.0, 20.0, 0.1),
        default,
    )
    .unset("default")
}

const fn steps(max: f64, default: Option<f64>) -> Field {
    int("num_inference_steps", "Inference steps", "More steps: more detail, slower.", 1.0, max, default)
        .unset("default")
}

const fn sizes(min: u32, max: u32) -> Field {
    image_size(min, max, 32, (1024, 768))
}

/// Ultra documents a fixed 2752×1536 for 16:9; the other ratios' sizes are not documented.
const ULTRA_16_9: (u32, u32) = (2752, 1536);

const ULTRA_RATIOS: &[Opt] = &[
    plain("21:9"),
    Opt { value: "16:9", label: "16:9 — 2752×1536", pixels: Some(ULTRA_16_9) },
    plain("4:3"),
    plain("3:2"),
    plain("1:1"),
    plain("2:3"),
    plain("3:4"),
    plain("9:16"),
    plain("9:21"),
];

/// Ultra's ratios, about its documented size where a ratio has none.
const ULTRA_RATIO: Field = aspect_ratio("Shape of the image.", ULTRA_RATIOS, "16:9", ULTRA_16_9.0 * ULTRA_16_9.1);
/// Kontext documents no sizes: about 1 MP.
const KONTEXT_RATIO: Field = aspect_ratio("Shape of the image.", KONTEXT_RATIOS, "16:9", ONE_MP);

/// The reference image: an https URL the provider fetches (the server sends uploads
/// as data URIs). The image-to-image models make its size; no maximum is documented.
const fn image_url(output_size: &'static str, follows: Follows) -> Field {
    let help = "Upload a PNG, JPEG or WebP file, or give an https URL the provider can fetch.";
    image("image_url", "Reference image", help, (FileInput::Url, true), output_size, follows).required()
}

const MATCHES: Field = image_url("matches the reference image", Follows::Size { max_side: MAX_REFERENCE_SIDE });
const EDITS: Field = image_url("by aspect ratio", Follows::Nothing);

/// FLUX.2's `image_size`: the presets or 512–2048, multiples of 32.
const FLUX2_SIZE: Field = image_size(512, 2048, 32, (1024, 768));
const FLUX2_OUTPUT: &str = "PNG, JPEG or WebP, 512×512 to 2048×2048, default 1024×768";
const LORAS: Field = loras(3);
const FLUX2_FORMAT: Field =
    output_format("File format of the generated image.", &[plain("jpeg"), plain("png"), plain("webp")], "png");
const FLUX2_REFERENCES: Field = image(
    "image_urls",
    "Reference images",
    "1 to 3, in order: the prompt calls them image 1, image 2, …",
    (FileInput::UrlOrDataUri, true),
    "image size as set",
    Follows::Nothing,
)
.required()
.list(3, Spelling::Array);
const EXPANSION: Field =
    toggle("enable_prompt_expansion", "Prompt expansion", "Let the model expand the prompt before generating.", true);
const FLUX2_GUIDANCE: Field =
    real("guidance_scale", "Guidance scale", "How closely the image follows the prompt.", (0.0, 20.0, 0.1), None)
        .unset("default");
const FLUX2_STEPS: Field =
    int("num_inference_steps", "Inference steps", "More steps: more detail, slower.", 4.0, 50.0, None).unset("default");
const TOLERANCE_5: Field = text_tolerance(ONE_TO_FIVE, "1 is the strictest, 5 the most permissive.");

const fn model(
    id: &'static str,
    label: &'static str,
    summary: &'static str,
    fields: &'static [Field],
    output_note: &'static str,
) -> Model {
    Model {
        id,
        label,
        summary,
        path: "/v1/images/generations",
        id_field: Some("model"),
        fixed: &[],
        params_at: None,
        fields,
        output_note,
    }
}

pub static AIMLAPI: Provider = Provider {
    provider_id: ProviderId::Aimlapi,
    id: "aimlapi",
    name: "AI/ML API",
    base_url: "https://api.aimlapi.com",
    key_env: "AIMLAPI_KEY",
    url_env: "AIMLAPI_BASE_URL",
    key_optional: false,
    model_env: None,
    auth: Auth::Bearer,
    answer: Answer::Json,
    docs_url: "https://docs.aimlapi.com/api-references/image-models/flux",
    models: &[
        model(
            "flux/dev",
            "FLUX.1 [dev]",
            "12B rectified flow transformer; text to image.",
            &[PROMPT, sizes(512, 1536), steps(50.0, Some(50.0)), guidance(None), SEED, NUM_IMAGES, SAFETY_CHECKER],
            "PNG, 512×512 to 1536×1536, default 1024×768",
        ),
        model(
            "flux/schnell",
            "FLUX.1 [schnell]",
            "Distilled for speed: good images in 1 to 4 steps.",
            &[PROMPT, sizes(64, 1536), steps(12.0, None), SEED, NUM_IMAGES, SAFETY_CHECKER],
            "PNG, 64×64 to 1536×1536, default 1024×768",
        ),
        model(
            "flux-pro",
            "FLUX.1 [pro]",
            "The first FLUX Pro; top image quality and prompt following.",
            &[
                PROMPT,
                sizes(256, 1440),
                steps(50.0, Some(50.0)),
                guidance(None),
                SAFETY_TOLERANCE,
                OUTPUT_FORMAT,
                SEED,
                NUM_IMAGES,
            ],
            "JPEG or PNG, 256×256 to 1440×1440, default 1024×768",
        ),
        model(
            "flux-pro/v1.1",
            "FLUX1.1 [pro]",
            "Faster than FLUX.1 [pro], with better composition.",
            &[PROMPT, sizes(256, 1440), SAFETY_TOLERANCE, OUTPUT_FORMAT, SEED, NUM_IMAGES, SAFETY_CHECKER],
            "JPEG or PNG, 256×256 to 1440×1440, default 1024×768",
        ),
        model(
            "flux-pro/v1.1-ultra",
            "FLUX1.1 [pro] ultra",
            "Up to 4 megapixels, chosen by aspect ratio.",
            &[PROMPT, ULTRA_RATIO, RAW, SAFETY_TOLERANCE, OUTPUT_FORMAT, SEED, NUM_IMAGES, SAFETY_CHECKER],
            "JPEG or PNG, fixed size per aspect ratio (16:9 is 2752×1536)",
        ),
        model(
            "flux-realism",
            "FLUX Realism",
            "FLUX.1 [dev] with a photorealism LoRA.",
            &[
                PROMPT,
                sizes(512, 1536),
                steps(50.0, Some(50.0)),
                guidance(None),
                OUTPUT_FORMAT,
                SEED,
                NUM_IMAGES,
                SAFETY_CHECKER,
            ],
            "JPEG or PNG, 512×512 to 1536×1536, default 1024×768",
        ),
        model(
            "flux/dev/image-to-image",
            "FLUX.1 [dev] image-to-image",
            "Redraws a reference image to match the prompt.",
            &[PROMPT, MATCHES, STRENGTH, steps(50.0, Some(50.0)), guidance(None), SEED, NUM_IMAGES, SAFETY_CHECKER],
            "PNG, the size of the reference image",
        ),
        model(
            "flux/kontext-pro/text-to-image",
            "FLUX.1 Kontext [pro]",
            "In-context generation; text to image.",
            &[PROMPT, KONTEXT_RATIO, guidance(None), SAFETY_TOLERANCE, OUTPUT_FORMAT, SEED, NUM_IMAGES],
            "JPEG or PNG, by aspect ratio",
        ),
        model(
            "flux/kontext-pro/image-to-image",
            "FLUX.1 Kontext [pro] edit",
            "Edits a reference image as the prompt says.",
            &[PROMPT, EDITS, KONTEXT_RATIO, guidance(None), SAFETY_TOLERANCE, OUTPUT_FORMAT, SEED, NUM_IMAGES],
            "JPEG or PNG, by aspect ratio",
        ),
        model(
            "flux/kontext-max/text-to-image",
            "FLUX.1 Kontext [max]",
            "Kontext at its best prompt following and typography.",
            &[PROMPT, KONTEXT_RATIO, guidance(None), SAFETY_TOLERANCE, OUTPUT_FORMAT, SEED, NUM_IMAGES],
            "JPEG or PNG, by aspect ratio",
        ),
        model(
            "flux/kontext-max/image-to-image",
            "FLUX.1 Kontext [max] edit",
            "Edits a reference image as the prompt says.",
            &[PROMPT, EDITS, KONTEXT_RATIO, guidance(None), SAFETY_TOLERANCE, OUTPUT_FORMAT, SEED, NUM_IMAGES],
            "JPEG or PNG, by aspect ratio",
        ),
        model(
            "flux/srpo",
            "FLUX.1 SRPO",
            "FLUX.1 [dev] tuned with human preference optimisation.",
            &[
                PROMPT,
                sizes(512, 1536),
                steps(50.0, Some(28.0)),
                guidance(Some(4.5)),
                ACCELERATION,
                OUTPUT_FORMAT,
                SEED,
                NUM_IMAGES,
                SYNC_MODE,
                SAFETY_CHECKER,
            ],
            "JPEG or PNG, 512×512 to 1536×1536, default 1024×768",
        ),
        model(
            "flux/srpo/image-to-image",
            "FLUX.1 SRPO image-to-image",
            "SRPO redrawing a reference image.",
            &[
                PROMPT,
                MATCHES,
                STRENGTH,
                steps(50.0, Some(40.0)),
                guidance(Some(4.5)),
                ACCELERATION,
                OUTPUT_FORMAT,
                SEED,
                NUM_IMAGES,
                SYNC_MODE,
                SAFETY_CHECKER,
            ],
            "JPEG or PNG, the size of the reference image",
        ),
        model(
            "blackforestlabs/flux-2",
            "FLUX.2 [dev]",
            "Open-weights FLUX.2; text to image, with prompt expansion.",
            flux2_dev!(),
            FLUX2_OUTPUT,
        ),
        model(
            "blackforestlabs/flux-2-edit",
            "FLUX.2 [dev] edit",
            "Edits with 1 to 3 reference images.",
            flux2_dev!(FLUX2_REFERENCES),
            FLUX2_OUTPUT,
        ),
        model(
            "blackforestlabs/flux-2-lora",
            "FLUX.2 [dev] LoRA",
            "FLUX.2 [dev] with up to 3 LoRA weights.",
            flux2_dev!(LORAS),
            FLUX2_OUTPUT,
        ),
        model(
            "blackforestlabs/flux-2-lora-edit",
            "FLUX.2 [dev] LoRA edit",
            "Edits with 1 to 3 reference images and up to 3 LoRA weights.",
            flux2_dev!(FLUX2_REFERENCES, LORAS),
            FLUX2_OUTPUT,
        ),
        model(
            "blackforestlabs/flux-2-pro",
            "FLUX.2 [pro]",
            "BFL's fast FLUX.2 tier through AI/ML API.",
            &[PROMPT, FLUX2_SIZE, FLUX2_FORMAT, SEED, SAFETY_CHECKER, SAFETY_TOLERANCE],
            FLUX2_OUTPUT,
        ),
        model(
            "blackforestlabs/flux-2-pro-edit",
            "FLUX.2 [pro] edit",
            "FLUX.2 [pro] editing 1 to 3 reference images.",
            &[PROMPT, FLUX2_REFERENCES, FLUX2_SIZE, FLUX2_FORMAT, SEED, SAFETY_CHECKER, SAFETY_TOLERANCE],
            FLUX2_OUTPUT,
        ),
        model(
            "blackforestlabs/flux-2-max",
            "FLUX.2 [max]",
            "The best FLUX.2; text to image.",
            &[PROMPT, FLUX2_SIZE, OUTPUT_FORMAT, SEED, SAFETY_CHECKER, TOLERANCE_5],
            "JPEG or PNG, 512×512 to 2048×2048, default 1024×768",
        ),
    ],
};
