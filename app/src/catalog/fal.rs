//! fal.ai `fal-ai/flux/dev` (providers.md §5): `Authorization: Key …`. The server
//! and the snippets use the queue API (queue.fal.run); the synchronous fal.run
//! answers with the same output JSON.
//!
//! Choices where the documents are unclear:
//! - Ranges come from AI/ML API's mirror of the same schema (§5.1).
//! - A custom `image_size` starts at 512×512, the page's "Default value: 512" for
//!   width and height (we had 1024×768).
//! - A custom `image_size` may be up to 14142 per side on newer fal versions and
//!   4096 on older ones: 4096, which both accept. No multiple is documented.
//! - Images in (the image-to-image endpoints): "you can pass your own URL or a Base64
//!   data URI" (the fal-ai/flux/dev API page), so uploads go as `data:` URIs; fal's
//!   storage upload is not needed for the sizes this server accepts (10 MB).
//!
//! Checked against fal's own examples (server/tests/it/fixtures): the result URL's
//! answer may be the output itself (the SDKs) or the queue page's
//! `{"status": "COMPLETED", "logs", "response": <output>}`; the server reads both.
//! Errors in both documented formats (`detail` as a list or a string, with
//! `X-Fal-Error-Type` / `X-Fal-Retryable`) are read on the submit, the status URL
//! and the result URL, where a failed request's error comes back.

use super::build::{choice, count, int, output_format, prompt, random_seed, real, toggle};
use super::shared::{image_size, plain};
use super::{Answer, Auth, ImageUrls, Model, Provider, ProviderId, Queue, Role, Task};

pub static FAL: Provider = Provider {
    provider_id: ProviderId::Fal,
    id: "fal",
    name: "fal.ai",
    base_url: "https://fal.run",
    key_env: "FAL_KEY",
    url_env: "FAL_BASE_URL",
    key_optional: false,
    model_env: None,
    auth: Auth::Key,
    // Snippets use the queue, which fal documents as "the recommended way to call
    // models" (it retries failed runners; the sync fal.run does not): poll
    // `status_url` until COMPLETED, then GET `response_url` for the output, which
    // answers the error status and `detail` if the run failed (§5, queue docs).
    answer: Answer::Task(&Task {
        queue: Some(Queue { host: "https://queue.fal.run", below: "/queue" }),
        submit_headers: &[],
        poll_url: &["status_url"],
        status: "status",
        done: &["COMPLETED"],
        failed: &[],
        reason: &[],
        result_url: Some(&["response_url"]),
        images: ImageUrls::Objects(&["images"], "url"),
    }),
    docs_url: "https://fal.ai/models/fal-ai/flux/dev/api",
    models: &[Model {
        id: "fal-ai/flux/dev",
        label: "FLUX.1 [dev]",
        summary: "fal's serverless FLUX.1 [dev]; queue or synchronous.",
        path: "/fal-ai/flux/dev",
        id_field: None,
        fixed: &[],
        params_at: None,
        fields: &[
            prompt(
                "The prompt to generate an image from.",
                None,
                "Extreme close-up of a single tiger eye, direct frontal view",
            ),
            image_size(64, 4096, 1, (512, 512)),
            int("num_inference_steps", "Inference steps", "More steps: more detail, slower.", 1.0, 50.0, Some(28.0)),
            real(
                "guidance_scale",
                "Guidance scale",
                "How closely the image follows the prompt (CFG).",
                (1.0, 20.0, 0.1),
                Some(3.5),
            ),
            random_seed(None, None),
            count("num_images", "Number of images", "How many images to generate.", 4.0),
            output_format("File format of the generated image.", &[plain("jpeg"), plain("png")], "jpeg"),
            choice(
                "acceleration",
                "Acceleration",
                "Faster generation at some cost in quality.",
                &[plain("none"), plain("regular"), plain("high")],
                Some("none"),
            ),
            toggle("enable_safety_checker", "Safety checker", "Flag images fal considers unsafe.", true)
                .role(Role::Safety),
            toggle(
                "sync_mode",
                "Sync mode",
                "Return the image inline (a data URI), kept out of the request history.",
                false,
            ),
        ],
        output_note: "JPEG or PNG, default 1024×768",
    }],
};
