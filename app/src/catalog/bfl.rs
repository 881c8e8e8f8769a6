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
//! FLUX.2, FLUX 3 Image and Kontext (providers-flux2-flux3.md §1, providers.md §4.1):
//! - FLUX.2 sizes: the OpenAPI allows width/height ≥ 64 with 0 = automatic; the help article
//!   says 256 minimum, multiples of 16, at most 4 MP, default 1024×1024. The article is
//!   followed: 256–2048 per side (2048×2048 is the 4 MP limit), multiples of 16, 1024 sent.
//! - FLUX.2 `output_format`: the spec's enum has webp, the reference pages and the skills
//!   files list jpeg and png only: jpeg and png are offered.
//! - FLUX.2 [flex] defaults disagree (guidance 5.0 in the OpenAPI, 4.5 in the skills files;
//!   steps 50): the OpenAPI's are used, and every value is sent explicitly anyway.
//! - `prompt_upsampling` is only in flex's schema; pro/max/klein upsample on their own and
//!   return the prompt they ran (`result.prompt`, shown beside the result).
//! - FLUX 3 Image (early access): no seed, size, format or webhook; unknown fields are a
//!   422, so only its documented fields are sent. `version` ("latest", or dated tags as
//!   they are published) is left out: the latest is what a playground wants. No pixel
//!   table is published: each resolution class counts its area at 1:1 (`1k` ≈ 1024×1024),
//!   shaped by the ratio and rounded up, which covers the observed 1184×880 (4:3 @ 1k)
//!   and 2736×1536 (16:9 @ 2k).
//! - Kontext: `input_image` … `input_image_4`, aspect ratios 21:9 to 9:21 (default 1:1 [I];
//!   sizes not documented: about 1 MP each, sides counted rounded up),
//!   safety 0–6, output png by default; BFL calls these endpoints legacy.
//! - References are URLs or base64 on every newer endpoint; this server sends uploads as
//!   base64 and fetches a typed URL itself first (as for every provider).
//!
//! Checked against BFL's own examples (server/tests/it/fixtures): a task that ends
//! `Request Moderated`, `Content Moderated`, `Error`, `Failed` or `Task not found`
//! is reported in the help article's words with its `details` (or the skill
//! files' `error`); a 429 or 503 passes its `Retry-After` on.

use super::build::{aspect_ratio, choice, image, int, output_format, prompt, random_seed, real, toggle};
use super::shared::{
    flux2_side, plain, FLEX_GUIDANCE, FLEX_STEPS, FLEX_UPSAMPLING, FLUX3_PROMPT, FLUX3_RATIOS, FLUX3_RESOLUTIONS,
    KONTEXT_RATIOS, ONE_MP,
};
use super::{
    Answer, Auth, Field, FileInput, Follows, ImageUrls, Model, Provider, ProviderId, Role, Spelling, Task,
    MAX_REFERENCE_SIDE,
};

const fn side(key: &'static str, label: &'static str, role: Role, default: f64) -> Field {
    int(key, label, "In pixels; a multiple of 32.", 256.0, 1440.0, Some(default)).multiple_of(32.0).role(role)
}

const REFERENCES_HELP: &str = "Optional, in order: the prompt calls them image 1, image 2, …";

/// Up to `max` references as `input_image`, `input_image_2`, …
const fn references(max: u8, output_size: &'static str) -> Field {
    image(
        "input_image",
        "Reference images",
        REFERENCES_HELP,
        (FileInput::UrlOrBase64, true),
        output_size,
        Follows::Nothing,
    )
    .list(max, Spelling::Numbered)
}

const FLUX2_PROMPT: Field = prompt(
    "What to make, or how to change the reference images (up to 32K tokens).",
    None,
    "A red fox in a snowy birch forest at dawn, shot on 35mm film",
);
const SEED: Field = random_seed(None, None);
const FORMAT: Field = output_format("File format of the generated image.", &[plain("jpeg"), plain("png")], "jpeg");

const fn safety(max: f64) -> Field {
    let help = "0 is the strictest.";
    int("safety_tolerance", "Safety tolerance", help, 0.0, max, Some(2.0)).role(Role::Safety)
}

/// A FLUX.2 model at `path`.
const fn flux2(
    id: &'static str,
    path: &'static str,
    label: &'static str,
    summary: &'static str,
    fields: &'static [Field],
) -> Model {
    Model {
        id,
        label,
        summary,
        path,
        id_field: None,
        fixed: &[],
        params_at: None,
        fields,
        output_note: "JPEG or PNG at width × height; the result URL expires after 10 minutes",
    }
}

const FLUX2_SIZE: &str = "width × height as set";

/// pro and max, and klein: the same fields, with up to `max` references.
const fn flux2_fields(max: u8) -> [Field; 7] {
    [
        FLUX2_PROMPT,
        references(max, FLUX2_SIZE),
        flux2_side("width", "Width", Role::Width),
        flux2_side("height", "Height", Role::Height),
        SEED,
        safety(5.0),
        FORMAT,
    ]
}
/// pro and max: up to 8 references.
const FLUX2_FIELDS: &[Field] = &flux2_fields(8);
/// klein 4B and 9B: up to 4 references.
const KLEIN_FIELDS: &[Field] = &flux2_fields(4);

const KONTEXT: &[Field] = &[
    prompt(
        "What to make, or how to edit the reference images.",
        None,
        "Make the sky a stormy sunset, keep everything else",
    ),
    references(4, "by aspect ratio"),
    aspect_ratio("Shape of the image.", KONTEXT_RATIOS, "1:1", ONE_MP),
    SEED,
    toggle("prompt_upsampling", "Prompt upsampling", "Let the model rewrite the prompt.", false),
    safety(6.0),
    output_format("File format of the generated image.", &[plain("jpeg"), plain("png")], "png"),
];

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
    models: &[
        Model {
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
                output_format(
                    "File format of the generated image.",
                    &[plain("jpeg"), plain("png"), plain("webp")],
                    "jpeg",
                ),
            ],
            output_note: "JPEG, PNG or WebP at width × height; the result URL expires after 10 minutes",
        },
        flux2(
            "flux-2-pro",
            "/v1/flux-2-pro",
            "FLUX.2 [pro]",
            "Fast, high quality; text to image or edits with up to 8 references.",
            FLUX2_FIELDS,
        ),
        flux2(
            "flux-2-max",
            "/v1/flux-2-max",
            "FLUX.2 [max]",
            "The best FLUX.2 quality and prompt following; up to 8 references.",
            FLUX2_FIELDS,
        ),
        flux2(
            "flux-2-flex",
            "/v1/flux-2-flex",
            "FLUX.2 [flex]",
            "Steps and guidance to tune; strong typography; up to 8 references.",
            &[
                FLUX2_PROMPT,
                references(8, FLUX2_SIZE),
                flux2_side("width", "Width", Role::Width),
                flux2_side("height", "Height", Role::Height),
                FLEX_UPSAMPLING,
                FLEX_GUIDANCE,
                FLEX_STEPS,
                SEED,
                safety(5.0),
                FORMAT,
            ],
        ),
        flux2(
            "flux-2-klein-4b",
            "/v1/flux-2-klein-4b",
            "FLUX.2 [klein] 4B",
            "The smallest, fastest FLUX.2; up to 4 references.",
            KLEIN_FIELDS,
        ),
        flux2(
            "flux-2-klein-9b",
            "/v1/flux-2-klein-9b",
            "FLUX.2 [klein] 9B",
            "Small and fast, better detail than 4B; up to 4 references.",
            KLEIN_FIELDS,
        ),
        Model {
            id: "flux-3-image",
            label: "FLUX 3 Image (early access)",
            summary:
                "Reasons about the prompt, may search the web; layouts as boxes in the prompt; up to 10 references.",
            path: "/v1/flux-3-image",
            id_field: None,
            fixed: &[],
            params_at: None,
            fields: &[
                FLUX3_PROMPT,
                image(
                    "images",
                    "Reference images",
                    "Optional, in order (image 1 … image 10); each at least 256×256.",
                    (FileInput::UrlOrBase64, true),
                    "by aspect ratio and resolution; auto follows image 1",
                    Follows::Shape { max_side: MAX_REFERENCE_SIDE },
                )
                .list(10, Spelling::Array)
                .min_side(256),
                aspect_ratio(
                    "Shape of the image; auto follows image 1 (1:1 without images).",
                    FLUX3_RATIOS,
                    "auto",
                    ONE_MP,
                ),
                choice("resolution", "Resolution", "Size class of the output.", FLUX3_RESOLUTIONS, Some("1k"))
                    .role(Role::Resolution),
                toggle("grounding", "Grounding", "Search the web and images before generating.", true),
                safety(4.0),
            ],
            output_note: "an image by aspect ratio and resolution class; the result URL expires after 1 hour",
        },
        Model {
            id: "flux-kontext-pro",
            label: "FLUX.1 Kontext [pro]",
            summary: "Edits with up to 4 references, by aspect ratio (BFL: legacy, FLUX.2 [pro] edits better).",
            path: "/v1/flux-kontext-pro",
            id_field: None,
            fixed: &[],
            params_at: None,
            fields: KONTEXT,
            output_note: "PNG or JPEG by aspect ratio, about 1 MP",
        },
        Model {
            id: "flux-kontext-max",
            label: "FLUX.1 Kontext [max]",
            summary: "Kontext at its best typography and prompt following (BFL: legacy).",
            path: "/v1/flux-kontext-max",
            id_field: None,
            fixed: &[],
            params_at: None,
            fields: KONTEXT,
            output_note: "PNG or JPEG by aspect ratio, about 1 MP",
        },
    ],
};
