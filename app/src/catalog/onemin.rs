//! 1min.ai `black-forest-labs/flux-dev` (seed 004, providers.md §3): the features
//! API, `API-KEY` header, every parameter inside `promptObject`.
//!
//! Choices where the documents disagree or are unclear:
//! - `aspect_ratio` lists `custom`, but no width/height fields exist: `custom` is left out.
//! - `guidance` is documented 0–50 (Replicate's own model caps it at 10): 0–50, as documented.
//! - `megapixels` is documented as 0.25, 1 and 2: all three are offered.
//! - Images in: `image_prompt` is a path from the Asset API (`POST /api/assets`,
//!   multipart; the answer's `fileContent.path`), so it takes uploads only; the server
//!   uploads the file to the Asset API first. (The AI Feature API page says image
//!   features' `imageUrl` takes "Absolute URL or asset key", but flux-dev's page names
//!   only the Asset API path, which is what is sent.)
//! - Pixel sizes for the ratios are Replicate's (§0.2), inferred. With an input
//!   image the output "follows the input image's aspect ratio": the budget counts
//!   that shape at the chosen megapixels, or the image's size up to Replicate's
//!   1440×1440, whichever is larger (the image field's role).

use super::build::{aspect_ratio, choice, image, int, prompt, random_seed, real, toggle};
use super::shared::{plain, ratio, ONE_MP};
use super::{Answer, Auth, FileInput, Follows, Model, Provider, ProviderId, Role};

pub static ONEMIN: Provider = Provider {
    provider_id: ProviderId::Onemin,
    id: "1min",
    name: "1min.ai",
    base_url: "https://api.1min.ai",
    key_env: "ONEMIN_AI_API_KEY",
    url_env: "ONEMIN_AI_BASE_URL",
    key_optional: false,
    model_env: None,
    auth: Auth::Header("API-KEY"),
    answer: Answer::Json,
    docs_url: "https://docs.1min.ai/docs/api/ai-for-image/image-generator/flux-dev-image-generation",
    models: &[Model {
        id: "black-forest-labs/flux-dev",
        label: "Flux Dev image generator",
        summary: "Flux Dev through 1min.ai's AI feature API; optional image-to-image.",
        path: "/api/features",
        id_field: Some("model"),
        fixed: &[("type", "IMAGE_GENERATOR")],
        params_at: Some("promptObject"),
        fields: &[
            prompt(
                "Text description of the image to generate.",
                None,
                "A futuristic cityscape at sunset with flying cars and neon lights",
            ),
            image(
                "image_prompt",
                "Input image",
                "Optional: an image to transform (uploaded to 1min.ai's Asset API).",
                (FileInput::AssetPath, false),
                "follows the input image's aspect ratio",
                Follows::Shape { max_side: 1440 },
            ),
            aspect_ratio(
                "Image aspect ratio.",
                &[ratio("1:1"), ratio("16:9"), ratio("9:16"), ratio("3:2"), ratio("2:3"), ratio("4:5"), ratio("5:4")],
                "1:1",
                ONE_MP,
            ),
            real(
                "prompt_strength",
                "Prompt strength",
                "Influence of the prompt against the input image.",
                (0.0, 1.0, 0.01),
                Some(0.8),
            ),
            int("num_inference_steps", "Inference steps", "More steps: higher quality, slower.", 1.0, 50.0, Some(28.0)),
            real("guidance", "Guidance", "How closely the image follows the prompt.", (0.0, 50.0, 0.1), Some(3.5)),
            random_seed(Some(0.0), Some(4_294_967_295.0)),
            int("output_quality", "Output quality", "JPEG/WebP compression quality.", 0.0, 100.0, Some(80.0)),
            toggle("disable_safety_checker", "Disable safety checker", "Turn off the built-in safety filter.", false)
                .role(Role::Safety),
            toggle("go_fast", "Go fast", "Fastest generation mode.", false),
            choice(
                "megapixels",
                "Megapixels",
                "Output resolution; 0.25 halves each side.",
                &[plain("0.25"), plain("1"), plain("2")],
                Some("1"),
            )
            .role(Role::Megapixels),
        ],
        output_note: "one image, format chosen by 1min.ai (the example is WebP)",
    }],
};
