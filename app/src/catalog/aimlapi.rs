//! AI/ML API (aimlapi.com): one endpoint for every model, chosen by `model`.
//! Source: shared/reference/seeds/000 (flux/dev) and providers.md §1.

use super::{Auth, Field, Kind, Model, Number, Preset, Provider, Size};

/// The six legacy fal presets, the only names the AIML FLUX pages accept (§0.1).
const PRESETS: &[Preset] = &[
    Preset { name: "square_hd", label: "Square HD", width: 1024, height: 1024 },
    Preset { name: "square", label: "Square", width: 512, height: 512 },
    Preset { name: "portrait_4_3", label: "Portrait 4:3", width: 768, height: 1024 },
    Preset { name: "portrait_16_9", label: "Portrait 16:9", width: 576, height: 1024 },
    Preset { name: "landscape_4_3", label: "Landscape 4:3", width: 1024, height: 768 },
    Preset { name: "landscape_16_9", label: "Landscape 16:9", width: 1024, height: 576 },
];

const PROMPT: Field = Field {
    key: "prompt",
    label: "Prompt",
    help: "What the image should show: content, style, composition.",
    required: true,
    kind: Kind::Text {
        max_chars: 4000,
        example: "A T-Rex relaxing on a beach, lying on a sun lounger and wearing sunglasses.",
    },
};

const NUM_IMAGES: Field = Field {
    key: "num_images",
    label: "Number of images",
    help: "How many images to generate.",
    required: false,
    // Documented as `number` 1–4; a count, so only whole numbers are sent.
    kind: Kind::Number(Number {
        integer: true,
        min: Some(1.0),
        max: Some(4.0),
        step: 1.0,
        default: Some(1.0),
        unset: "",
    }),
};

const SEED: Field = Field {
    key: "seed",
    label: "Seed",
    help: "Same seed and prompt give the same image. Empty: random (fluxplay picks one and shows it).",
    required: false,
    kind: Kind::Number(Number { integer: true, min: Some(1.0), max: None, step: 1.0, default: None, unset: "random" }),
};

const GUIDANCE: Field = Field {
    key: "guidance_scale",
    label: "Guidance scale",
    help: "How closely the image follows the prompt (CFG). The schema states no default.",
    required: false,
    kind: Kind::Number(Number {
        integer: false,
        min: Some(1.0),
        max: Some(20.0),
        step: 0.1,
        default: None,
        unset: "default",
    }),
};

const STEPS: Field = Field {
    key: "num_inference_steps",
    label: "Inference steps",
    help: "More steps: more detail, slower.",
    required: false,
    kind: Kind::Number(Number {
        integer: true,
        min: Some(1.0),
        max: Some(50.0),
        step: 1.0,
        default: Some(50.0),
        unset: "",
    }),
};

const SAFETY: Field = Field {
    key: "enable_safety_checker",
    label: "Safety checker",
    help: "Flag (and blur) images the provider considers unsafe.",
    required: false,
    kind: Kind::Bool { default: true },
};

const fn image_size(min: u32, max: u32) -> Field {
    Field {
        key: "image_size",
        label: "Image size",
        help: "A preset, or a custom width and height.",
        required: false,
        kind: Kind::Size(Size {
            presets: PRESETS,
            default_preset: "landscape_4_3",
            min,
            max,
            multiple_of: 32,
            custom_default: (1024, 768),
        }),
    }
}

pub static AIMLAPI: Provider = Provider {
    id: "aimlapi",
    name: "AI/ML API",
    base_url: "https://api.aimlapi.com",
    key_env: "AIMLAPI_KEY",
    auth: Auth::Bearer,
    docs_url: "https://docs.aimlapi.com/api-references/image-models/flux/flux-dev",
    models: &[Model {
        id: "flux/dev",
        label: "FLUX.1 [dev]",
        summary: "12B rectified flow transformer; text to image.",
        path: "/v1/images/generations",
        fixed: &[("model", "flux/dev")],
        fields: &[PROMPT, image_size(512, 1536), STEPS, GUIDANCE, SEED, NUM_IMAGES, SAFETY],
        output_note: "PNG, 512×512 to 1536×1536, default 1024×768",
    }],
};
