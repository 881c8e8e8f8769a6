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
//!
//! FLUX.2 (providers-flux2-flux3.md §5.1; docs.1min.ai flux-2-{pro,flex,dev} generator and
//! flux-2-{pro,flex,max,dev} editor pages):
//! - Each model is a generator (`IMAGE_GENERATOR`) and an editor (`IMAGE_EDITOR`) under the
//!   same 1min.ai model id; the catalog names the editor `<id>/editor`, and sends the model
//!   id and type as constants.
//! - pro, flex and max document steps (15–50, default 25; max's editor 50) and guidance (2–5,
//!   default 3), though BFL's pro and max take neither: they are offered as documented and
//!   probably ignored upstream [I].
//! - The editor takes one `imageUrl`, an Asset API path (uploads only); its ratio defaults to
//!   `match_input_image`. The flex page's "up to 10 reference images" has no field behind it.
//! - [dev] documents no aspect ratio (its set mirrors Replicate's FLUX.1 dev): none is sent;
//!   its size is `megapixels` at 1:1, or the input's shape in the editor [I].
//! - Sizes are not documented: about 1 MP per ratio, counted rounded up [I]. The answer is
//!   the FLUX.1 `aiRecord` shape [I].

use super::build::{aspect_ratio, choice, image, int, output_format, prompt, random_seed, real, toggle};
use super::shared::{plain, ratio, ONE_MP};
use super::{Answer, Auth, Field, FileInput, Follows, Model, Opt, Provider, ProviderId, Role};

/// FLUX.2's ratios; their sizes are not documented (about 1 MP, counted rounded up).
const RATIOS: &[Opt] =
    &[plain("1:1"), plain("16:9"), plain("9:16"), plain("3:2"), plain("2:3"), plain("4:5"), plain("5:4")];
/// The editor's: the input's shape first.
const EDIT_RATIOS: &[Opt] = &[
    plain("match_input_image"),
    plain("1:1"),
    plain("16:9"),
    plain("9:16"),
    plain("3:2"),
    plain("2:3"),
    plain("4:5"),
    plain("5:4"),
];

const FLUX2_PROMPT: Field = prompt(
    "What to make, or how to change the input image.",
    None,
    "A lighthouse on a cliff at dusk, painted in thick oil strokes",
);
const SEED: Field = random_seed(Some(0.0), None);

/// The editor's input: one Asset API path.
const INPUT: Field = image(
    "imageUrl",
    "Input image",
    "The image to edit (uploaded to 1min.ai's Asset API).",
    (FileInput::AssetPath, false),
    "follows the input image unless a ratio is chosen",
    Follows::Shape { max_side: 1024 },
)
.required();

/// A FLUX.2 model: `fixed` names the 1min.ai model and the feature type.
const fn flux2(
    id: &'static str,
    label: &'static str,
    fixed: &'static [(&'static str, &'static str)],
    fields: &'static [Field],
) -> Model {
    let summary = match fixed[0].1.as_bytes() {
        b"IMAGE_EDITOR" => "Edits one input image through 1min.ai's AI feature API.",
        _ => "Text to image through 1min.ai's AI feature API.",
    };
    Model {
        id,
        label,
        summary,
        path: "/api/features",
        id_field: None,
        fixed,
        params_at: Some("promptObject"),
        fields,
        output_note: "one image, about 1 MP by aspect ratio [inferred]",
    }
}

const fn steps(default: f64) -> Field {
    int("steps", "Steps", "More steps: more detail, slower.", 15.0, 50.0, Some(default))
}
const GUIDANCE: Field =
    real("guidance", "Guidance", "How closely the image follows the prompt.", (2.0, 5.0, 0.1), Some(3.0));
const FORMAT: Field = output_format("File format of the image.", &[plain("jpg"), plain("png")], "png");
const QUALITY: Field = int("output_quality", "Output quality", "JPEG compression quality.", 0.0, 100.0, Some(80.0));
const TOLERANCE: Field =
    int("safety_tolerance", "Safety tolerance", "1 is the strictest, 6 the most permissive.", 1.0, 6.0, Some(2.0))
        .role(Role::Safety);
const UPSAMPLING: Field = toggle("prompt_upsampling", "Prompt upsampling", "Let the model rewrite the prompt.", false);
const GENERATE_RATIO: Field = aspect_ratio("Image aspect ratio.", RATIOS, "1:1", ONE_MP);
const EDIT_RATIO: Field = aspect_ratio("Shape of the output.", EDIT_RATIOS, "match_input_image", ONE_MP);

const PRO: &[Field] =
    &[FLUX2_PROMPT, GENERATE_RATIO, FORMAT, QUALITY, steps(25.0), GUIDANCE, TOLERANCE, UPSAMPLING, SEED];
const PRO_EDIT: &[Field] =
    &[FLUX2_PROMPT, INPUT, EDIT_RATIO, FORMAT, QUALITY, steps(25.0), GUIDANCE, TOLERANCE, UPSAMPLING, SEED];
const MAX_EDIT: &[Field] =
    &[FLUX2_PROMPT, INPUT, EDIT_RATIO, FORMAT, QUALITY, steps(50.0), GUIDANCE, TOLERANCE, UPSAMPLING, SEED];

const DEV_FORMAT: Field =
    output_format("File format of the image.", &[plain("webp"), plain("jpg"), plain("png")], "webp");
const DEV_STEPS: Field =
    int("num_inference_steps", "Inference steps", "More steps: more detail, slower.", 1.0, 50.0, Some(28.0));
const DEV_GUIDANCE: Field =
    real("guidance", "Guidance", "How closely the image follows the prompt.", (0.0, 10.0, 0.1), Some(3.0));
const MEGAPIXELS: Field = choice(
    "megapixels",
    "Megapixels",
    "Output resolution; 0.25 halves each side.",
    &[plain("0.25"), plain("1")],
    Some("1"),
)
.role(Role::Megapixels);
const STRENGTH: Field = real(
    "prompt_strength",
    "Prompt strength",
    "Influence of the prompt against the input image.",
    (0.0, 1.0, 0.01),
    Some(0.8),
);
const GO_FAST: Field = toggle("go_fast", "Go fast", "Fastest generation mode.", false);
const NO_CHECKER: Field =
    toggle("disable_safety_checker", "Disable safety checker", "Turn off the built-in safety filter.", false)
        .role(Role::Safety);
const DEV: &[Field] =
    &[FLUX2_PROMPT, DEV_FORMAT, DEV_STEPS, DEV_GUIDANCE, STRENGTH, GO_FAST, MEGAPIXELS, NO_CHECKER, SEED];
const DEV_EDIT: &[Field] =
    &[FLUX2_PROMPT, INPUT, DEV_FORMAT, DEV_STEPS, DEV_GUIDANCE, STRENGTH, GO_FAST, MEGAPIXELS, NO_CHECKER, SEED];

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
    models: &[
        Model {
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
                    &[
                        ratio("1:1"),
                        ratio("16:9"),
                        ratio("9:16"),
                        ratio("3:2"),
                        ratio("2:3"),
                        ratio("4:5"),
                        ratio("5:4"),
                    ],
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
                int(
                    "num_inference_steps",
                    "Inference steps",
                    "More steps: higher quality, slower.",
                    1.0,
                    50.0,
                    Some(28.0),
                ),
                real("guidance", "Guidance", "How closely the image follows the prompt.", (0.0, 50.0, 0.1), Some(3.5)),
                random_seed(Some(0.0), Some(4_294_967_295.0)),
                int("output_quality", "Output quality", "JPEG/WebP compression quality.", 0.0, 100.0, Some(80.0)),
                toggle(
                    "disable_safety_checker",
                    "Disable safety checker",
                    "Turn off the built-in safety filter.",
                    false,
                )
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
        },
        flux2(
            "black-forest-labs/flux-2-pro",
            "FLUX.2 [pro]",
            &[("type", "IMAGE_GENERATOR"), ("model", "black-forest-labs/flux-2-pro")],
            PRO,
        ),
        flux2(
            "black-forest-labs/flux-2-pro/editor",
            "FLUX.2 [pro] editor",
            &[("type", "IMAGE_EDITOR"), ("model", "black-forest-labs/flux-2-pro")],
            PRO_EDIT,
        ),
        flux2(
            "black-forest-labs/flux-2-flex",
            "FLUX.2 [flex]",
            &[("type", "IMAGE_GENERATOR"), ("model", "black-forest-labs/flux-2-flex")],
            PRO,
        ),
        flux2(
            "black-forest-labs/flux-2-flex/editor",
            "FLUX.2 [flex] editor",
            &[("type", "IMAGE_EDITOR"), ("model", "black-forest-labs/flux-2-flex")],
            PRO_EDIT,
        ),
        flux2(
            "black-forest-labs/flux-2-max",
            "FLUX.2 [max]",
            &[("type", "IMAGE_GENERATOR"), ("model", "black-forest-labs/flux-2-max")],
            PRO,
        ),
        flux2(
            "black-forest-labs/flux-2-max/editor",
            "FLUX.2 [max] editor",
            &[("type", "IMAGE_EDITOR"), ("model", "black-forest-labs/flux-2-max")],
            MAX_EDIT,
        ),
        flux2(
            "black-forest-labs/flux-2-dev",
            "FLUX.2 [dev]",
            &[("type", "IMAGE_GENERATOR"), ("model", "black-forest-labs/flux-2-dev")],
            DEV,
        ),
        flux2(
            "black-forest-labs/flux-2-dev/editor",
            "FLUX.2 [dev] editor",
            &[("type", "IMAGE_EDITOR"), ("model", "black-forest-labs/flux-2-dev")],
            DEV_EDIT,
        ),
    ],
};
