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

use super::shared::{number, plain, random_seed};
use super::{
    Answer, Auth, Choice, Field, FileInput, Image, ImageUrls, Kind, Model, Number, Output, Provider, ProviderId, Task,
};

const fn side(key: &'static str, label: &'static str, default: f64) -> Field {
    number(
        key,
        label,
        "In pixels; a multiple of 32.",
        Number {
            integer: true,
            min: Some(256.0),
            max: Some(1440.0),
            step: 32.0,
            default: Some(default),
            unset: "",
            multiple_of: Some(32.0),
        },
    )
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
            Field {
                key: "prompt",
                label: "Prompt",
                help: "Text prompt for image generation.",
                required: true,
                kind: Kind::Text {
                    max_chars: None,
                    example: "A cat on its back legs running like a human is holding a big silver fish",
                },
            },
            Field {
                key: "image_prompt",
                label: "Image prompt",
                help: "Optional image to guide the result (sent as base64).",
                required: false,
                kind: Kind::Image(Image {
                    accepts_url: false,
                    output_size: "width × height as set",
                    file: FileInput::Base64,
                }),
            },
            side("width", "Width", 1024.0),
            side("height", "Height", 768.0),
            number(
                "steps",
                "Steps",
                "Number of steps for the image generation process.",
                Number {
                    integer: true,
                    min: Some(1.0),
                    max: Some(50.0),
                    step: 1.0,
                    default: Some(28.0),
                    unset: "",
                    multiple_of: None,
                },
            ),
            Field {
                key: "prompt_upsampling",
                label: "Prompt upsampling",
                help: "Let the model rewrite the prompt for more creative results.",
                required: false,
                kind: Kind::Bool { default: false, only: None },
            },
            random_seed(None, None),
            number(
                "guidance",
                "Guidance",
                "How closely the image follows the prompt.",
                Number {
                    integer: false,
                    min: Some(1.5),
                    max: Some(5.0),
                    step: 0.1,
                    default: Some(3.0),
                    unset: "",
                    multiple_of: None,
                },
            ),
            number(
                "safety_tolerance",
                "Safety tolerance",
                "0 is the strictest, 6 the most permissive.",
                Number {
                    integer: true,
                    min: Some(0.0),
                    max: Some(6.0),
                    step: 1.0,
                    default: Some(2.0),
                    unset: "",
                    multiple_of: None,
                },
            ),
            Field {
                key: "output_format",
                label: "Output format",
                help: "File format of the generated image.",
                required: false,
                kind: Kind::Choice(Choice {
                    options: &[plain("jpeg"), plain("png"), plain("webp")],
                    default: Some("jpeg"),
                }),
            },
        ],
        output_note: "JPEG, PNG or WebP at width × height; the result URL expires after 10 minutes",
        output: Output::Fields,
    }],
};
