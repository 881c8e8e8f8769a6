//! An OpenAI-compatible images endpoint (providers.md §7), the shape self-hosted
//! engines copy (stable-diffusion.cpp's server, LocalAI). Live once
//! `OPENAI_IMAGES_BASE_URL` is set; the key is optional.
//!
//! Choices: FLUX-friendly sizes are offered (the OpenAI list is DALL·E's);
//! `model` is what the engine calls its FLUX model: `OPENAI_IMAGES_MODEL` on the
//! server (LocalAI names its gallery models `flux.1-dev`, `flux.1-dev-ggml`; its
//! own docs), `flux-dev` when unset (stable-diffusion.cpp's server ignores it).
//! The size is always sent (every documented default is, see `providers::request`).
//! No `Authorization` header goes out without a key (sd.cpp's server has no auth).

use super::build::{choice, count, prompt};
use super::shared::{plain, px};
use super::{Answer, Auth, Model, Opt, Provider, ProviderId, Role};

pub static OPENAI: Provider = Provider {
    provider_id: ProviderId::Openai,
    id: "openai",
    name: "OpenAI-compatible engine",
    base_url: "http://127.0.0.1:8080",
    key_env: "OPENAI_IMAGES_API_KEY",
    url_env: "OPENAI_IMAGES_BASE_URL",
    key_optional: true,
    model_env: Some("OPENAI_IMAGES_MODEL"),
    auth: Auth::Bearer,
    answer: Answer::Json,
    docs_url: "https://platform.openai.com/docs/api-reference/images/create",
    models: &[Model {
        id: "flux-dev",
        label: "FLUX.1 [dev], self-hosted",
        summary: "Any engine with an OpenAI-style /v1/images/generations.",
        path: "/v1/images/generations",
        id_field: Some("model"),
        fixed: &[],
        params_at: None,
        fields: &[
            prompt(
                "A text description of the desired image.",
                Some(32000),
                "A lighthouse on a cliff at dusk, volumetric light",
            ),
            choice(
                "size",
                "Size",
                "WIDTHxHEIGHT; engines round to what the model supports.",
                &[
                    px("1024x1024"),
                    px("1024x768"),
                    px("768x1024"),
                    px("1536x1024"),
                    px("1024x1536"),
                    px("512x512"),
                    Opt { label: "256x256 (fast)", ..px("256x256") },
                ],
                Some("1024x1024"),
            )
            .role(Role::Size),
            count("n", "Number of images", "How many images to generate.", 10.0),
            choice(
                "response_format",
                "Response format",
                "A URL to fetch, or the image inline as base64.",
                &[plain("url"), plain("b64_json")],
                Some("url"),
            ),
        ],
        output_note: "PNG from most engines, at the requested size",
    }],
};
