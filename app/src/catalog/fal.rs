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
//! FLUX.2, FLUX 3 and Kontext multi (providers-flux2-flux3.md §3, fal-js endpoint types):
//! - pro/max/flex take `safety_tolerance` as a string `"1"`…`"5"`, beside the checker.
//! - pro/max/flex edits document no most `image_urls`: 8, BFL's own limit [I], so a
//!   reference fal would drop (and bill) is refused here first. [dev] edits and klein: 4.
//! - Their custom sizes: [dev] documents 512–2048; the BFL-hosted tiers document none, so
//!   BFL's 256–2048 in multiples of 16 applies [I]; klein takes [dev]'s [I].
//! - `image_size: auto` exists on the tiers' edits only; [dev] and klein edits leave it out
//!   for the first reference's size.
//! - flex defaults differ from BFL's (guidance 3.5, steps 28): fal's are used; ranges are
//!   BFL's [I]. Klein's steps are 4–8 (the 9B page; the 4B page gives only the default 4).
//! - `enable_prompt_expansion` on [dev]: fal gives no default, AI/ML API's mirror says true.
//! - FLUX 3 lives under `blackforestlabs/flux-3/`; its classes are `512sq` … `4k` without
//!   `1.5k`, its ratios BFL's without `9:21`, safety an integer 0–4, no seed. References
//!   (edit only) are 1 to 10, each at least 256 px a side; fal's ≤ 4 MP per image is not
//!   checked here (uploads are up to the server's limits): fal answers it.
//! - Kontext multi: ratio with no documented default (fal picks), `"1"`…`"6"` tolerance,
//!   up to 4 references as BFL's Kontext [I].
//! - The LoRA endpoints (`fal-ai/flux-2/lora`, `/lora/edit`): `loras` is up to 3 `{path, scale}`;
//!   fal's schema gives no scale range, AI/ML API's mirror of the same model says 0–4 [I].
//!
//! Checked against fal's own examples (server/tests/it/fixtures): the result URL's
//! answer may be the output itself (the SDKs) or the queue page's
//! `{"status": "COMPLETED", "logs", "response": <output>}`; the server reads both.
//! Errors in both documented formats (`detail` as a list or a string, with
//! `X-Fal-Error-Type` / `X-Fal-Retryable`) are read on the submit, the status URL
//! and the result URL, where a failed request's error comes back.

use super::build::{aspect_ratio, choice, count, image, int, loras, output_format, prompt, random_seed, real, toggle};
use super::shared::{
    image_size, plain, sized, text_tolerance, FAL_EDIT_PRESETS, FAL_FLUX3_RATIOS, FAL_FLUX3_RESOLUTIONS,
    FAL_INPUT_PRESETS, FAL_PRESETS, FLUX3_PROMPT, KONTEXT_RATIOS, ONE_MP, ONE_TO_FIVE, ONE_TO_SIX,
};
use super::{
    Answer, Auth, Field, FileInput, Follows, ImageUrls, Model, Provider, ProviderId, Queue, Role, Spelling, Task,
};

/// FLUX.2 [dev]'s fields on fal: its size field, then what an endpoint adds after the
/// prompt (references, LoRA weights).
macro_rules! dev_fields {
    ($size:expr $(, $extra:expr)*) => {
        &[FLUX2_PROMPT, $($extra,)* $size, DEV_STEPS, DEV_GUIDANCE, SEED, COUNT, ACCELERATION, EXPANSION, CHECKER, DEV_FORMAT, SYNC]
    };
}

/// A fal endpoint: its id is its path (`fal.run/<id>`, `queue.fal.run/<id>`).
macro_rules! model {
    ($id:literal, $label:expr, $summary:expr, $fields:expr, $note:expr $(,)?) => {
        Model {
            id: $id,
            label: $label,
            summary: $summary,
            path: concat!("/", $id),
            id_field: None,
            fixed: &[],
            params_at: None,
            fields: $fields,
            output_note: $note,
        }
    };
}

const FLUX2_PROMPT: Field = prompt(
    "What to make, or how to change the reference images.",
    None,
    "A red fox in a snowy birch forest at dawn, shot on 35mm film",
);
const SEED: Field = random_seed(None, None);
const SYNC: Field =
    toggle("sync_mode", "Sync mode", "Return the image inline (a data URI), kept out of the request history.", false);
const CHECKER: Field =
    toggle("enable_safety_checker", "Safety checker", "Flag images fal considers unsafe.", true).role(Role::Safety);
const TOLERANCE: Field = text_tolerance(ONE_TO_FIVE, "1 is the strictest, 5 the most permissive.");
const JPEG_PNG: Field = output_format("File format of the generated image.", &[plain("jpeg"), plain("png")], "jpeg");
const DEV_FORMAT: Field =
    output_format("File format of the generated image.", &[plain("jpeg"), plain("png"), plain("webp")], "png");
const COUNT: Field = count("num_images", "Number of images", "How many images to generate.", 4.0);

/// `image_urls`: 1 to `max` references, URLs or data URIs, in the prompt's order.
const fn references(max: u8, help: &'static str) -> Field {
    let file = (FileInput::UrlOrDataUri, true);
    image("image_urls", "Reference images", help, file, "image size as set", Follows::Nothing)
        .required()
        .list(max, Spelling::Array)
}
const UP_TO_8: &str = "1 to 8, in order: the prompt calls them image 1, image 2, …";
const UP_TO_4: &str = "1 to 4, in order: the prompt calls them image 1 … image 4.";

const TIER_SIZE: Field = sized(FAL_PRESETS, "landscape_4_3", (256, 2048, 16), (1024, 768));
const TIER_EDIT_SIZE: Field = sized(FAL_EDIT_PRESETS, "auto", (256, 2048, 16), (1024, 768));
const TIER: &[Field] = &[FLUX2_PROMPT, TIER_SIZE, SEED, TOLERANCE, CHECKER, JPEG_PNG, SYNC];
const TIER_EDIT: &[Field] =
    &[FLUX2_PROMPT, references(8, UP_TO_8), TIER_EDIT_SIZE, SEED, TOLERANCE, CHECKER, JPEG_PNG, SYNC];
const FLEX_GUIDANCE: Field =
    real("guidance_scale", "Guidance scale", "How closely the image follows the prompt.", (1.5, 10.0, 0.1), Some(3.5));
const FLEX_STEPS: Field =
    int("num_inference_steps", "Inference steps", "More steps: more detail, slower.", 1.0, 50.0, Some(28.0));
const TIER_NOTE: &str = "JPEG or PNG; the result stays on fal's CDN";

const DEV_SIZE: Field = image_size(512, 2048, 32, (1024, 768));
const DEV_EDIT_SIZE: Field = sized(FAL_INPUT_PRESETS, "", (512, 2048, 32), (1024, 768));
const LORAS: Field = loras(3);
const DEV_STEPS: Field =
    int("num_inference_steps", "Inference steps", "More steps: more detail, slower.", 4.0, 50.0, Some(28.0));
const DEV_GUIDANCE: Field =
    real("guidance_scale", "Guidance scale", "How closely the image follows the prompt.", (0.0, 20.0, 0.1), Some(2.5));
const ACCELERATION: Field = choice(
    "acceleration",
    "Acceleration",
    "Faster generation at some cost in quality.",
    &[plain("none"), plain("regular"), plain("high")],
    Some("regular"),
);
const EXPANSION: Field =
    toggle("enable_prompt_expansion", "Prompt expansion", "Let the model expand the prompt before generating.", true);
const DEV_NOTE: &str = "PNG, JPEG or WebP, 512×512 to 2048×2048; the prompt it ran comes back";

const KLEIN_STEPS: Field =
    int("num_inference_steps", "Inference steps", "4 to 8: distilled for few steps.", 4.0, 8.0, Some(4.0));
const KLEIN: &[Field] = &[FLUX2_PROMPT, DEV_SIZE, SEED, KLEIN_STEPS, COUNT, CHECKER, DEV_FORMAT, SYNC];
const KLEIN_EDIT: &[Field] =
    &[FLUX2_PROMPT, references(4, UP_TO_4), DEV_EDIT_SIZE, SEED, KLEIN_STEPS, COUNT, CHECKER, DEV_FORMAT, SYNC];

const FLUX3_RATIO: Field =
    aspect_ratio("Shape of the image; auto follows image 1 (1:1 without images).", FAL_FLUX3_RATIOS, "auto", ONE_MP);
const FLUX3_RESOLUTION: Field =
    choice("resolution", "Resolution", "Size class of the output.", FAL_FLUX3_RESOLUTIONS, Some("1k"))
        .role(Role::Resolution);
const FLUX3_EXPANSION: Field =
    toggle("enable_prompt_expansion", "Prompt expansion", "Let the model expand the prompt before generating.", false);
const FLUX3_SAFETY: Field =
    int("safety_tolerance", "Safety tolerance", "0 is the strictest.", 0.0, 4.0, Some(2.0)).role(Role::Safety);
const FLUX3_NOTE: &str = "JPEG or PNG by aspect ratio and resolution class; fal keeps it at least 7 days";

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
    models: &[
        Model {
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
                int(
                    "num_inference_steps",
                    "Inference steps",
                    "More steps: more detail, slower.",
                    1.0,
                    50.0,
                    Some(28.0),
                ),
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
        },
        model!("fal-ai/flux-2-pro", "FLUX.2 [pro]", "BFL's fast FLUX.2 tier on fal; text to image.", TIER, TIER_NOTE),
        model!(
            "fal-ai/flux-2-pro/edit",
            "FLUX.2 [pro] edit",
            "FLUX.2 [pro] editing up to 8 references.",
            TIER_EDIT,
            TIER_NOTE
        ),
        model!("fal-ai/flux-2-max", "FLUX.2 [max]", "The best FLUX.2 on fal; text to image.", TIER, TIER_NOTE),
        model!(
            "fal-ai/flux-2-max/edit",
            "FLUX.2 [max] edit",
            "FLUX.2 [max] editing up to 8 references.",
            TIER_EDIT,
            TIER_NOTE
        ),
        model!(
            "fal-ai/flux-2-flex",
            "FLUX.2 [flex]",
            "Steps and guidance to tune; strong typography.",
            &[FLUX2_PROMPT, TIER_SIZE, FLEX_GUIDANCE, FLEX_STEPS, SEED, TOLERANCE, CHECKER, JPEG_PNG, SYNC],
            TIER_NOTE,
        ),
        model!(
            "fal-ai/flux-2-flex/edit",
            "FLUX.2 [flex] edit",
            "FLUX.2 [flex] editing up to 8 references.",
            &[
                FLUX2_PROMPT,
                references(8, UP_TO_8),
                TIER_EDIT_SIZE,
                FLEX_GUIDANCE,
                FLEX_STEPS,
                SEED,
                TOLERANCE,
                CHECKER,
                JPEG_PNG,
                SYNC
            ],
            TIER_NOTE,
        ),
        model!(
            "fal-ai/flux-2",
            "FLUX.2 [dev]",
            "Open-weights FLUX.2 on fal, with prompt expansion.",
            dev_fields!(DEV_SIZE),
            DEV_NOTE,
        ),
        model!(
            "fal-ai/flux-2/edit",
            "FLUX.2 [dev] edit",
            "Edits with up to 4 references.",
            dev_fields!(DEV_EDIT_SIZE, references(4, UP_TO_4)),
            DEV_NOTE,
        ),
        model!(
            "fal-ai/flux-2/lora",
            "FLUX.2 [dev] LoRA",
            "FLUX.2 [dev] with up to 3 LoRA weights.",
            dev_fields!(DEV_SIZE, LORAS),
            DEV_NOTE,
        ),
        model!(
            "fal-ai/flux-2/lora/edit",
            "FLUX.2 [dev] LoRA edit",
            "Edits with up to 4 references and up to 3 LoRA weights.",
            dev_fields!(DEV_EDIT_SIZE, references(4, UP_TO_4), LORAS),
            DEV_NOTE,
        ),
        model!("fal-ai/flux-2/klein/4b", "FLUX.2 [klein] 4B", "The smallest, fastest FLUX.2.", KLEIN, DEV_NOTE),
        model!(
            "fal-ai/flux-2/klein/4b/edit",
            "FLUX.2 [klein] 4B edit",
            "Fast edits with up to 4 references.",
            KLEIN_EDIT,
            DEV_NOTE
        ),
        model!(
            "fal-ai/flux-2/klein/9b",
            "FLUX.2 [klein] 9B",
            "Small and fast, better detail than 4B.",
            KLEIN,
            DEV_NOTE
        ),
        model!(
            "fal-ai/flux-2/klein/9b/edit",
            "FLUX.2 [klein] 9B edit",
            "9B edits with up to 4 references.",
            KLEIN_EDIT,
            DEV_NOTE
        ),
        model!(
            "fal-ai/flux-pro/kontext/multi",
            "FLUX.1 Kontext [pro] multi",
            "Kontext combining several references.",
            &[
                prompt(
                    "How to combine or change the references.",
                    None,
                    "Put the person from image 1 in the room of image 2"
                ),
                // Without a ratio the output takes a reference's shape [I]: counted as image 1's.
                image(
                    "image_urls",
                    "Reference images",
                    UP_TO_4,
                    (FileInput::UrlOrDataUri, true),
                    "by aspect ratio",
                    Follows::Shape { max_side: 1024 },
                )
                .required()
                .list(4, Spelling::Array),
                choice(
                    "aspect_ratio",
                    "Aspect ratio",
                    "Shape of the image; fal picks when unset.",
                    KONTEXT_RATIOS,
                    None
                )
                .role(Role::AspectRatio { about: ONE_MP }),
                real(
                    "guidance_scale",
                    "Guidance scale",
                    "How closely the image follows the prompt.",
                    (1.0, 20.0, 0.1),
                    Some(3.5)
                ),
                COUNT,
                toggle("enhance_prompt", "Enhance prompt", "Let the model improve the prompt.", false),
                text_tolerance(ONE_TO_SIX, "1 is the strictest, 6 the most permissive."),
                JPEG_PNG,
                SEED,
                SYNC,
            ],
            "JPEG or PNG by aspect ratio, about 1 MP",
        ),
        model!(
            "blackforestlabs/flux-3/text-to-image",
            "FLUX 3 Image (early access)",
            "FLUX 3 on fal: reasons about the prompt; layouts as boxes in the prompt.",
            &[FLUX3_PROMPT, FLUX3_RATIO, FLUX3_RESOLUTION, FLUX3_EXPANSION, FLUX3_SAFETY, JPEG_PNG, SYNC],
            FLUX3_NOTE,
        ),
        model!(
            "blackforestlabs/flux-3/edit-image",
            "FLUX 3 Image edit (early access)",
            "FLUX 3 on fal with 1 to 10 references, each at least 256 px a side.",
            &[
                FLUX3_PROMPT,
                image(
                    "image_urls",
                    "Reference images",
                    "1 to 10, in order (image 1 … image 10); each at least 256×256, at most 4 MP.",
                    (FileInput::UrlOrDataUri, true),
                    "by aspect ratio and resolution; auto follows image 1",
                    Follows::Shape { max_side: 2048 },
                )
                .required()
                .list(10, Spelling::Array)
                .min_side(256),
                FLUX3_RATIO,
                FLUX3_RESOLUTION,
                FLUX3_EXPANSION,
                FLUX3_SAFETY,
                JPEG_PNG,
                SYNC,
            ],
            FLUX3_NOTE,
        ),
    ],
};
