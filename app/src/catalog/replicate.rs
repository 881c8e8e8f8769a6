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
//! Checked against Replicate's own examples (server/tests/it/fixtures): a create
//! answered 201 holds "the final output" (the OpenAPI), and file outputs may be
//! there while `status` is still "processing" (the sync changelog): the server now
//! takes them at once; 202 "does not yet have all outputs" is polled. A create
//! that says "succeeded" with `output: null` (the client README's example) is
//! asked again at `urls.get`. Errors quote `detail` (with `title`) and `error`.

use super::build::{aspect_ratio, choice, count, image, int, output_format, prompt, random_seed, real, toggle};
use super::shared::{plain, ratio, ONE_MP};
use super::{Answer, Auth, FileInput, Follows, ImageUrls, Model, Provider, ProviderId, Role, Task};

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
    models: &[Model {
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
            int("num_inference_steps", "Inference steps", "More steps: more detail, slower.", 1.0, 50.0, Some(28.0)),
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
    }],
};
