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
//! Output sizes (for the budget, `Model::output`):
//! - ultra documents 2752×1536 for 16:9 only; the other ratios count as about
//!   that many pixels (4.2 MP), sides rounded up to 32.
//! - Kontext documents no sizes: about 1 MP per ratio, the same way.
//! - The image-to-image models match the reference; no maximum is documented, so
//!   an unfetched URL counts as the largest reference this server accepts.

use super::shared::{plain, random_seed, FAL_PRESETS, ONE_MP};
use super::{
    Answer, Auth, ByRatio, Choice, Field, FileInput, Image, Kind, Model, Number, Opt, Output, Provider, ProviderId,
    Reference, Size, MAX_REFERENCE_SIDE,
};

const PROMPT: Field = Field {
    key: "prompt",
    label: "Prompt",
    help: "What the image should show: content, style, composition.",
    required: true,
    kind: Kind::Text {
        max_chars: Some(4000),
        example: "A T-Rex relaxing on a beach, lying on a sun lounger and wearing sunglasses.",
    },
};

const NUM_IMAGES: Field = Field {
    key: "num_images",
    label: "Number of images",
    help: "How many images to generate.",
    required: false,
    kind: Kind::Number(Number {
        integer: true,
        min: Some(1.0),
        max: Some(4.0),
        step: 1.0,
        default: Some(1.0),
        unset: "",
        multiple_of: None,
    }),
};

const SEED: Field = random_seed(Some(1.0), None);

const fn guidance(default: Option<f64>) -> Field {
    Field {
        key: "guidance_scale",
        label: "Guidance scale",
        help: "How closely the image follows the prompt (CFG).",
        required: false,
        kind: Kind::Number(Number {
            integer: false,
            min: Some(1.0),
            max: Some(20.0),
            step: 0.1,
            default,
            unset: "default",
            multiple_of: None,
        }),
    }
}

const fn steps(max: f64, default: Option<f64>) -> Field {
    Field {
        key: "num_inference_steps",
        label: "Inference steps",
        help: "More steps: more detail, slower.",
        required: false,
        kind: Kind::Number(Number {
            integer: true,
            min: Some(1.0),
            max: Some(max),
            step: 1.0,
            default,
            unset: "default",
            multiple_of: None,
        }),
    }
}

const SAFETY_CHECKER: Field = Field {
    key: "enable_safety_checker",
    label: "Safety checker",
    help: "Flag images the provider considers unsafe.",
    required: false,
    kind: Kind::Bool { default: true, only: None },
};

const SAFETY_TOLERANCE: Field = Field {
    key: "safety_tolerance",
    label: "Safety tolerance",
    help: "1 is the strictest, 6 the most permissive.",
    required: false,
    kind: Kind::Choice(Choice {
        options: &[plain("1"), plain("2"), plain("3"), plain("4"), plain("5"), plain("6")],
        default: Some("2"),
    }),
};

const OUTPUT_FORMAT: Field = Field {
    key: "output_format",
    label: "Output format",
    help: "File format of the generated image.",
    required: false,
    kind: Kind::Choice(Choice { options: &[plain("jpeg"), plain("png")], default: Some("jpeg") }),
};

const ACCELERATION: Field = Field {
    key: "acceleration",
    label: "Acceleration",
    help: "Faster generation at some cost in quality.",
    required: false,
    kind: Kind::Choice(Choice { options: &[plain("none"), plain("regular"), plain("high")], default: Some("regular") }),
};

const SYNC_MODE: Field = Field {
    key: "sync_mode",
    label: "Sync mode",
    help: "Return the image inline (a data URI) instead of a CDN URL.",
    required: false,
    kind: Kind::Bool { default: false, only: None },
};

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

const fn aspect_ratio(options: &'static [Opt]) -> Field {
    Field {
        key: "aspect_ratio",
        label: "Aspect ratio",
        help: "Shape of the image.",
        required: false,
        kind: Kind::Choice(Choice { options, default: Some("16:9") }),
    }
}

const RAW: Field = Field {
    key: "raw",
    label: "Raw",
    help: "Less processed, more natural look. The schema accepts only false.",
    required: false,
    kind: Kind::Bool { default: false, only: Some(false) },
};

const fn image_url(output_size: &'static str) -> Field {
    Field {
        key: "image_url",
        label: "Reference image",
        help: "Upload a PNG, JPEG or WebP file, or give an https URL the provider can fetch.",
        required: true,
        kind: Kind::Image(Image { accepts_url: true, output_size, file: FileInput::Url }),
    }
}

const STRENGTH: Field = Field {
    key: "strength",
    label: "Strength",
    help: "How much the prompt changes the reference image: 0 keeps it, 1 replaces it.",
    required: false,
    kind: Kind::Number(Number {
        integer: false,
        min: Some(0.0),
        max: Some(1.0),
        step: 0.01,
        default: Some(0.95),
        unset: "",
        multiple_of: None,
    }),
};

const fn image_size(min: u32, max: u32) -> Field {
    Field {
        key: "image_size",
        label: "Image size",
        help: "A preset, or a custom width and height.",
        required: false,
        kind: Kind::Size(Size {
            presets: FAL_PRESETS,
            default_preset: "landscape_4_3",
            min,
            max,
            multiple_of: 32,
            custom_default: (1024, 768),
        }),
    }
}

const fn model(
    id: &'static str,
    label: &'static str,
    summary: &'static str,
    fields: &'static [Field],
    output_note: &'static str,
    output: Output,
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
        output,
    }
}

/// Ultra and Kontext: the `aspect_ratio` choice, about `pixels` where an option has no size.
const fn by_ratio(about: u32) -> Output {
    Output::AspectRatio(ByRatio { key: "aspect_ratio", about, megapixels: None, reference: None })
}

/// The image-to-image models: the reference's size; no maximum is documented.
const MATCHES: Output = Output::Reference(Reference { key: "image_url", max_side: MAX_REFERENCE_SIDE });

const MATCHES_REFERENCE: &str = "matches the reference image";

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
            &[PROMPT, image_size(512, 1536), steps(50.0, Some(50.0)), guidance(None), SEED, NUM_IMAGES, SAFETY_CHECKER],
            "PNG, 512×512 to 1536×1536, default 1024×768",
            Output::Fields,
        ),
        model(
            "flux/schnell",
            "FLUX.1 [schnell]",
            "Distilled for speed: good images in 1 to 4 steps.",
            &[PROMPT, image_size(64, 1536), steps(12.0, None), SEED, NUM_IMAGES, SAFETY_CHECKER],
            "PNG, 64×64 to 1536×1536, default 1024×768",
            Output::Fields,
        ),
        model(
            "flux-pro",
            "FLUX.1 [pro]",
            "The first FLUX Pro; top image quality and prompt following.",
            &[
                PROMPT,
                image_size(256, 1440),
                steps(50.0, Some(50.0)),
                guidance(None),
                SAFETY_TOLERANCE,
                OUTPUT_FORMAT,
                SEED,
                NUM_IMAGES,
            ],
            "JPEG or PNG, 256×256 to 1440×1440, default 1024×768",
            Output::Fields,
        ),
        model(
            "flux-pro/v1.1",
            "FLUX1.1 [pro]",
            "Faster than FLUX.1 [pro], with better composition.",
            &[PROMPT, image_size(256, 1440), SAFETY_TOLERANCE, OUTPUT_FORMAT, SEED, NUM_IMAGES, SAFETY_CHECKER],
            "JPEG or PNG, 256×256 to 1440×1440, default 1024×768",
            Output::Fields,
        ),
        model(
            "flux-pro/v1.1-ultra",
            "FLUX1.1 [pro] ultra",
            "Up to 4 megapixels, chosen by aspect ratio.",
            &[
                PROMPT,
                aspect_ratio(ULTRA_RATIOS),
                RAW,
                SAFETY_TOLERANCE,
                OUTPUT_FORMAT,
                SEED,
                NUM_IMAGES,
                SAFETY_CHECKER,
            ],
            "JPEG or PNG, fixed size per aspect ratio (16:9 is 2752×1536)",
            by_ratio(ULTRA_16_9.0 * ULTRA_16_9.1),
        ),
        model(
            "flux-realism",
            "FLUX Realism",
            "FLUX.1 [dev] with a photorealism LoRA.",
            &[
                PROMPT,
                image_size(512, 1536),
                steps(50.0, Some(50.0)),
                guidance(None),
                OUTPUT_FORMAT,
                SEED,
                NUM_IMAGES,
                SAFETY_CHECKER,
            ],
            "JPEG or PNG, 512×512 to 1536×1536, default 1024×768",
            Output::Fields,
        ),
        model(
            "flux/dev/image-to-image",
            "FLUX.1 [dev] image-to-image",
            "Redraws a reference image to match the prompt.",
            &[
                PROMPT,
                image_url(MATCHES_REFERENCE),
                STRENGTH,
                steps(50.0, Some(50.0)),
                guidance(None),
                SEED,
                NUM_IMAGES,
                SAFETY_CHECKER,
            ],
            "PNG, the size of the reference image",
            MATCHES,
        ),
        model(
            "flux/kontext-pro/text-to-image",
            "FLUX.1 Kontext [pro]",
            "In-context generation; text to image.",
            &[PROMPT, aspect_ratio(&KONTEXT_RATIOS), guidance(None), SAFETY_TOLERANCE, OUTPUT_FORMAT, SEED, NUM_IMAGES],
            "JPEG or PNG, by aspect ratio",
            by_ratio(ONE_MP),
        ),
        model(
            "flux/kontext-pro/image-to-image",
            "FLUX.1 Kontext [pro] edit",
            "Edits a reference image as the prompt says.",
            &[
                PROMPT,
                image_url("by aspect ratio"),
                aspect_ratio(&KONTEXT_RATIOS),
                guidance(None),
                SAFETY_TOLERANCE,
                OUTPUT_FORMAT,
                SEED,
                NUM_IMAGES,
            ],
            "JPEG or PNG, by aspect ratio",
            by_ratio(ONE_MP),
        ),
        model(
            "flux/kontext-max/text-to-image",
            "FLUX.1 Kontext [max]",
            "Kontext at its best prompt following and typography.",
            &[PROMPT, aspect_ratio(&KONTEXT_RATIOS), guidance(None), SAFETY_TOLERANCE, OUTPUT_FORMAT, SEED, NUM_IMAGES],
            "JPEG or PNG, by aspect ratio",
            by_ratio(ONE_MP),
        ),
        model(
            "flux/kontext-max/image-to-image",
            "FLUX.1 Kontext [max] edit",
            "Edits a reference image as the prompt says.",
            &[
                PROMPT,
                image_url("by aspect ratio"),
                aspect_ratio(&KONTEXT_RATIOS),
                guidance(None),
                SAFETY_TOLERANCE,
                OUTPUT_FORMAT,
                SEED,
                NUM_IMAGES,
            ],
            "JPEG or PNG, by aspect ratio",
            by_ratio(ONE_MP),
        ),
        model(
            "flux/srpo",
            "FLUX.1 SRPO",
            "FLUX.1 [dev] tuned with human preference optimisation.",
            &[
                PROMPT,
                image_size(512, 1536),
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
            Output::Fields,
        ),
        model(
            "flux/srpo/image-to-image",
            "FLUX.1 SRPO image-to-image",
            "SRPO redrawing a reference image.",
            &[
                PROMPT,
                image_url(MATCHES_REFERENCE),
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
            MATCHES,
        ),
    ],
};

const KONTEXT_RATIOS: [Opt; 9] = [
    plain("21:9"),
    plain("16:9"),
    plain("4:3"),
    plain("3:2"),
    plain("1:1"),
    plain("2:3"),
    plain("3:4"),
    plain("9:16"),
    plain("9:21"),
];
