//! Replicate `black-forest-labs/flux-dev` (providers.md §6): Bearer token, the
//! model's input nested in `input`. The answer is a Prediction; the server asks
//! `Prefer: wait` for a short while, then polls `urls.get`.
//!
//! Pixel sizes per aspect ratio are the model code's own table (§0.2). With an
//! input image the code makes the image's own size, scaled down to fit 1440×1440
//! and rounded to 16 (cog-flux `maybe_scale_to_closest_multiple`); the budget
//! counts both (the image field's role).
//!
//! Images in: `image` is a URI. The OpenAPI: "Use a data URL when you have a small
//! file <= 256kb"; the input-files page says under 1 MB. The stricter is followed: an
//! upload up to 256 KB goes as a `data:` URI, a larger one through `POST /v1/files`
//! (multipart `content`, under 100 MB) and the prediction gets the file's `urls.get`.
//! Images out: files on `replicate.delivery` are fetched with the token, as the docs
//! say ("You'll need to pass the Authorization header"); no other host gets it.
//!
//! FLUX.2 and FLUX 3 (providers-flux2-flux3.md §4; Replicate renders enums as "None", so
//! their values come from mirrors [D3]):
//! - `aspect_ratio` `custom` with `width`/`height` is left out: with another ratio the
//!   sides are ignored, which a form cannot show well; the ratios and resolutions stay.
//! - `resolution` "N MP" counts an area at 1:1 of at least N megapixels (sides to 16);
//!   `match_input_image` counts the first image's size up to 2048 a side.
//! - flux-2-klein-9b's page was not read: it takes klein-4b's schema [I] (the reference's choice).
//! - klein's `output_megapixels` values are not captured: 0.25, 0.5, 1, 2 and 4 are
//!   offered [I]; flex's steps default 30 and guidance 4.5 (the mirrors).
//! - flux-3-image has no seed; `grounding` is sent explicitly (a third party says it is
//!   off by default there, the page says on).
//! - Outputs: one URI for pro, max, flex, dev and FLUX 3, a list for klein (the adapter
//!   reads both).
//!
//! Checked against Replicate's own examples (server/tests/it/fixtures): a create
//! answered 201 holds "the final output" (the OpenAPI), and file outputs may be
//! there while `status` is still "processing" (the sync changelog): the server now
//! takes them at once; 202 "does not yet have all outputs" is polled. A create
//! that says "succeeded" with `output: null` (the client README's example) is
//! asked again at `urls.get`. Errors quote `detail` (with `title`) and `error`.

use super::build::{aspect_ratio, choice, count, image, int, output_format, prompt, random_seed, real, toggle};
use super::shared::{plain, ratio, FLUX3_PROMPT, FLUX3_RATIOS, FLUX3_RESOLUTIONS, ONE_MP};
use super::{
    Answer, Auth, Field, FileInput, Follows, ImageUrls, Model, Opt, Provider, ProviderId, Role, Spelling, Task,
};

const FLUX2_RATIOS: &[Opt] = &[
    plain("match_input_image"),
    plain("1:1"),
    plain("16:9"),
    plain("3:2"),
    plain("2:3"),
    plain("4:5"),
    plain("5:4"),
    plain("9:16"),
    plain("3:4"),
    plain("4:3"),
];

/// `resolution`: each an area at 1:1 of at least its megapixels (sides to 16).
const FLUX2_RESOLUTIONS: &[Opt] = &[
    plain("match_input_image"),
    Opt { value: "0.5 MP", label: "0.5 MP", pixels: Some((736, 736)) },
    Opt { value: "1 MP", label: "1 MP", pixels: Some((1024, 1024)) },
    Opt { value: "2 MP", label: "2 MP", pixels: Some((1456, 1456)) },
    Opt { value: "4 MP", label: "4 MP", pixels: Some((2048, 2048)) },
];

const FLUX2_PROMPT: Field =
    prompt("Text prompt for image generation.", None, "A red fox in a snowy birch forest at dawn, shot on 35mm film");
const WEBP: Field = output_format("Format of the output image.", &[plain("webp"), plain("jpg"), plain("png")], "webp");
const QUALITY: Field =
    int("output_quality", "Output quality", "0 to 100; not relevant for PNG.", 0.0, 100.0, Some(80.0));
const RATIO: Field = aspect_ratio("Aspect ratio for the generated image.", FLUX2_RATIOS, "1:1", ONE_MP);
const RESOLUTION: Field =
    choice("resolution", "Resolution", "Output size in megapixels.", FLUX2_RESOLUTIONS, Some("1 MP"))
        .role(Role::Resolution);

/// Up to `max` references in `key`, in order ("image 1" … in the prompt).
const fn references(key: &'static str, max: u8) -> Field {
    let help = "Optional, in order: the prompt calls them image 1, image 2, …";
    image(
        key,
        "Input images",
        help,
        (FileInput::UrlOrDataUri, true),
        "by aspect ratio and resolution",
        Follows::Shape { max_side: 2048 },
    )
    .list(max, Spelling::Array)
}

const fn tolerance(min: f64, max: f64) -> Field {
    int("safety_tolerance", "Safety tolerance", "Lower is stricter.", min, max, Some(2.0)).role(Role::Safety)
}

const fn flux2(
    id: &'static str,
    path: &'static str,
    label: &'static str,
    summary: &'static str,
    fields: &'static [Field],
    output_note: &'static str,
) -> Model {
    Model { id, label, summary, path, id_field: None, fixed: &[], params_at: Some("input"), fields, output_note }
}

const PRO: &[Field] = &[
    FLUX2_PROMPT,
    references("input_images", 8),
    RATIO,
    RESOLUTION,
    random_seed(None, None),
    tolerance(1.0, 5.0),
    WEBP,
    QUALITY,
];

/// klein 4B and 9B (9B's page was not read: 4B's schema, as the reference assumes).
const KLEIN: &[Field] = &[
    FLUX2_PROMPT,
    references("images", 5),
    RATIO,
    choice(
        "output_megapixels",
        "Output megapixels",
        "Size of the output.",
        &[plain("0.25"), plain("0.5"), plain("1"), plain("2"), plain("4")],
        Some("1"),
    )
    .role(Role::Megapixels),
    random_seed(None, None),
    toggle("disable_safety_checker", "Disable safety checker", "Turn off the safety checker.", false)
        .role(Role::Safety),
    toggle("go_fast", "Go fast", "Faster predictions.", false),
    output_format("Format of the output images.", &[plain("webp"), plain("jpg"), plain("png")], "jpg"),
    int("output_quality", "Output quality", "0 to 100; not relevant for PNG.", 0.0, 100.0, Some(95.0)),
];

pub static REPLICATE: Provider = Provider {
    provider_id: ProviderId::Replicate,
    id: "replicate",
    name: "Replicate",
    base_url: "https://api.replicate.com",
    key_env: "REPLICATE_API_TOKEN",
    url_env: "REPLICATE_BASE_URL",
    key_optional: false,
    model_env: None,
    auth: Auth::Bearer,
    // §6.2: `Prefer: wait` holds the create call up to 60 s; until a final status,
    // poll `urls.get`. A failed, canceled or aborted prediction says why in `error`.
    answer: Answer::Task(&Task {
        queue: None,
        submit_headers: &[("Prefer", "wait")],
        poll_url: &["urls", "get"],
        status: "status",
        done: &["succeeded"],
        failed: &["failed", "canceled", "aborted"],
        reason: &["error"],
        result_url: None,
        images: ImageUrls::OneOrList(&["output"]),
    }),
    docs_url: "https://replicate.com/black-forest-labs/flux-dev/api",
    models: &[
        Model {
            id: "black-forest-labs/flux-dev",
            label: "FLUX.1 [dev]",
            summary: "Black Forest Labs' model on Replicate; a prediction you can wait for or poll.",
            path: "/v1/models/black-forest-labs/flux-dev/predictions",
            id_field: None,
            fixed: &[],
            params_at: Some("input"),
            fields: &[
                prompt(
                    "Prompt for generated image.",
                    None,
                    "black forest gateau cake spelling out the words \"FLUX DEV\", tasty, food photography",
                ),
                aspect_ratio(
                    "Aspect ratio for the generated image.",
                    &[
                        ratio("1:1"),
                        ratio("16:9"),
                        ratio("21:9"),
                        ratio("3:2"),
                        ratio("2:3"),
                        ratio("4:5"),
                        ratio("5:4"),
                        ratio("3:4"),
                        ratio("4:3"),
                        ratio("9:16"),
                        ratio("9:21"),
                    ],
                    "1:1",
                    ONE_MP,
                ),
                image(
                    "image",
                    "Input image",
                    "Optional, for image-to-image: an upload or an https URL.",
                    (FileInput::UrlOrDataUri, true),
                    "takes the input image's aspect ratio",
                    Follows::Shape { max_side: 1440 },
                ),
                real(
                    "prompt_strength",
                    "Prompt strength",
                    "With an input image: 1.0 replaces it entirely.",
                    (0.0, 1.0, 0.01),
                    Some(0.8),
                ),
                count("num_outputs", "Number of outputs", "How many images to generate.", 4.0),
                int(
                    "num_inference_steps",
                    "Inference steps",
                    "More steps: more detail, slower.",
                    1.0,
                    50.0,
                    Some(28.0),
                ),
                real("guidance", "Guidance", "Guidance for the diffusion process.", (0.0, 10.0, 0.1), Some(3.0)),
                random_seed(None, None),
                output_format("Format of the output images.", &[plain("webp"), plain("jpg"), plain("png")], "webp"),
                int("output_quality", "Output quality", "0 to 100; not relevant for PNG.", 0.0, 100.0, Some(80.0)),
                toggle("disable_safety_checker", "Disable safety checker", "Turn off the safety checker.", false)
                    .role(Role::Safety),
                toggle("go_fast", "Go fast", "Faster predictions with an optimised model.", true),
                choice(
                    "megapixels",
                    "Megapixels",
                    "Approximate size of the image; 0.25 halves each side.",
                    &[plain("1"), plain("0.25")],
                    Some("1"),
                )
                .role(Role::Megapixels),
            ],
            output_note: "WebP, JPEG or PNG, size by aspect ratio (1:1 is 1024×1024)",
        },
        flux2(
            "black-forest-labs/flux-2-pro",
            "/v1/models/black-forest-labs/flux-2-pro/predictions",
            "FLUX.2 [pro]",
            "Fast, high quality; up to 8 input images.",
            PRO,
            "one WebP, JPEG or PNG by aspect ratio and resolution",
        ),
        flux2(
            "black-forest-labs/flux-2-max",
            "/v1/models/black-forest-labs/flux-2-max/predictions",
            "FLUX.2 [max]",
            "The best FLUX.2; up to 8 input images.",
            PRO,
            "one WebP, JPEG or PNG by aspect ratio and resolution",
        ),
        flux2(
            "black-forest-labs/flux-2-flex",
            "/v1/models/black-forest-labs/flux-2-flex/predictions",
            "FLUX.2 [flex]",
            "Steps and guidance to tune; up to 10 input images.",
            &[
                FLUX2_PROMPT,
                references("input_images", 10),
                RATIO,
                RESOLUTION,
                toggle("prompt_upsampling", "Prompt upsampling", "Let the model rewrite the prompt.", true),
                int("steps", "Steps", "More steps: more detail, slower.", 1.0, 50.0, Some(30.0)),
                real("guidance", "Guidance", "How closely the image follows the prompt.", (1.5, 10.0, 0.1), Some(4.5)),
                random_seed(None, None),
                tolerance(1.0, 5.0),
                WEBP,
                QUALITY,
            ],
            "one WebP, JPEG or PNG by aspect ratio and resolution",
        ),
        flux2(
            "black-forest-labs/flux-2-dev",
            "/v1/models/black-forest-labs/flux-2-dev/predictions",
            "FLUX.2 [dev]",
            "Open weights; up to 4 input images.",
            &[
                FLUX2_PROMPT,
                references("input_images", 4),
                RATIO,
                random_seed(None, None),
                toggle("go_fast", "Go fast", "Faster predictions with an optimised model.", true),
                toggle("disable_safety_checker", "Disable safety checker", "Turn off the safety checker.", false)
                    .role(Role::Safety),
                WEBP,
                QUALITY,
            ],
            "one WebP, JPEG or PNG by aspect ratio, about 1 MP",
        ),
        flux2(
            "black-forest-labs/flux-2-klein-4b",
            "/v1/models/black-forest-labs/flux-2-klein-4b/predictions",
            "FLUX.2 [klein] 4B",
            "The smallest, fastest FLUX.2; up to 5 input images.",
            KLEIN,
            "WebP, JPEG or PNG by aspect ratio and megapixels",
        ),
        flux2(
            "black-forest-labs/flux-2-klein-9b",
            "/v1/models/black-forest-labs/flux-2-klein-9b/predictions",
            "FLUX.2 [klein] 9B",
            "Small and fast, more detail than 4B; up to 5 input images (4B's schema, assumed).",
            KLEIN,
            "WebP, JPEG or PNG by aspect ratio and megapixels",
        ),
        flux2(
            "black-forest-labs/flux-3-image",
            "/v1/models/black-forest-labs/flux-3-image/predictions",
            "FLUX 3 Image (early access)",
            "Reasons about the prompt, may search the web; up to 10 input images.",
            &[
                FLUX3_PROMPT,
                image(
                    "images",
                    "Input images",
                    "Optional, in order (image 1 … image 10); each at least 256×256.",
                    (FileInput::UrlOrDataUri, true),
                    "by aspect ratio and resolution; auto follows image 1",
                    Follows::Shape { max_side: 2048 },
                )
                .list(10, Spelling::Array)
                .min_side(256),
                aspect_ratio("Shape of the image; auto follows image 1.", FLUX3_RATIOS, "auto", ONE_MP),
                choice("resolution", "Resolution", "Size class of the output.", FLUX3_RESOLUTIONS, Some("1k"))
                    .role(Role::Resolution),
                tolerance(0.0, 4.0),
                toggle("grounding", "Grounding", "Search the web and images before generating.", true),
                WEBP,
                QUALITY,
            ],
            "one WebP, JPEG or PNG by aspect ratio and resolution class",
        ),
    ],
};
