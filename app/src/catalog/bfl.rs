//! Black Forest Labs' own API (providers.md §4): `x-key`, asynchronous — the
//! answer to the submit is a task id and a `polling_url`.
//!
//! Choices where the schema is unclear or unsafe:
//! - `prompt` is optional in the schema (default "") but required in practice: required here.
//! - `image_prompt` is base64 (a Redux-style image prompt, not image-to-image):
//!   uploads only, sent as base64 by the server.
//! - Images in: `image_prompt` is "Optional base64 encoded image" (the OpenAPI): plain
//!   base64, no `data:` prefix, no URL. No size limit is documented.
//! - `webhook_url` / `webhook_secret` are left out: a public demo must not let
//!   visitors point the provider at arbitrary URLs.
//!
//! Checked against BFL's own examples (server/tests/it/fixtures): a task that ends
//! `Request Moderated`, `Content Moderated`, `Error`, `Failed` or `Task not found`
//! is reported in the help article's words with its `details` (or the skill
//! files' `error`); a 429 or 503 passes its `Retry-After` on.

use super::build::{image, int, output_format, prompt, random_seed, real, toggle};
use super::shared::plain;
use super::{Answer, Auth, Field, FileInput, Follows, ImageUrls, Model, Provider, ProviderId, Role, Task};

const fn side(key: &'static str, label: &'static str, role: Role, default: f64) -> Field {
    int(key, label, "In pixels; a multiple of 32.", 256.0, 1440.0, Some(default)).multiple_of(32.0).role(role)
}

pub static BFL: Provider = Provider {
    provider_id: ProviderId::Bfl,
    id: "bfl",
    name: "Black Forest Labs",
    base_url: "https://api.bfl.ai",
    key_env: "BFL_API_KEY",
    url_env: "BFL_BASE_URL",
    key_optional: false,
    model_env: None,
    auth: Auth::Header("x-key"),
    // §4.2–4.3: poll `polling_url` with `x-key` (the docs' own loop) until Ready; the
    // OpenAPI's failure states, and "Failed", which the quick start's loop also stops on.
    answer: Answer::Task(&Task {
        queue: None,
        submit_headers: &[],
        poll_url: &["polling_url"],
        status: "status",
        done: &["Ready"],
        failed: &["Error", "Failed", "Content Moderated", "Request Moderated", "Task not found"],
        reason: &["details", "error"],
        result_url: None,
        images: ImageUrls::One(&["result", "sample"]),
    }),
    docs_url: "https://docs.bfl.ai/api-reference/models/generate-an-image-with-flux1-[dev]",
    models: &[Model {
        id: "flux-dev",
        label: "FLUX.1 [dev]",
        summary: "From the model's makers; submit, then poll the task.",
        path: "/v1/flux-dev",
        id_field: None,
        fixed: &[],
        params_at: None,
        fields: &[
            prompt(
                "Text prompt for image generation.",
                None,
                "A cat on its back legs running like a human is holding a big silver fish",
            ),
            image(
                "image_prompt",
                "Image prompt",
                "Optional image to guide the result (sent as base64).",
                (FileInput::Base64, false),
                "width × height as set",
                Follows::Nothing,
            ),
            side("width", "Width", Role::Width, 1024.0),
            side("height", "Height", Role::Height, 768.0),
            int("steps", "Steps", "Number of steps for the image generation process.", 1.0, 50.0, Some(28.0)),
            toggle(
                "prompt_upsampling",
                "Prompt upsampling",
                "Let the model rewrite the prompt for more creative results.",
                false,
            ),
            random_seed(None, None),
            real("guidance", "Guidance", "How closely the image follows the prompt.", (1.5, 5.0, 0.1), Some(3.0)),
            int(
                "safety_tolerance",
                "Safety tolerance",
                "0 is the strictest, 6 the most permissive.",
                0.0,
                6.0,
                Some(2.0),
            )
            .role(Role::Safety),
            output_format("File format of the generated image.", &[plain("jpeg"), plain("png"), plain("webp")], "jpeg"),
        ],
        output_note: "JPEG, PNG or WebP at width × height; the result URL expires after 10 minutes",
    }],
};
