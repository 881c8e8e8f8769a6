//! The provider request a validated form stands for: used for the real call,
//! the emulator call and every snippet, so they cannot drift apart.

use crate::catalog::{Answer, Auth, Image, Kind, ModelRef, Role, Spelling};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    pub method: &'static str,
    pub url: String,
    pub auth: Auth,
    pub key_env: &'static str,
    pub body: Value,
    pub answer: Answer,
    /// Base name for a saved image, e.g. `flux-dev`.
    pub file_stem: &'static str,
    /// The output format the request asks for, if it names one.
    pub format: Option<String>,
}

impl ApiRequest {
    /// Sends `name` as the model (the body member the catalog names) instead of the catalog id.
    pub fn name_model(&mut self, model: ModelRef, name: Option<&str>) {
        if let (Some(name), Some(member), Some(body)) = (name, model.model.id_field, self.body.as_object_mut()) {
            body.insert(member.to_owned(), Value::String(name.to_owned()));
        }
    }

    /// Where a snippet saves an image answer, e.g. `flux-dev.webp`; `None` for JSON answers.
    pub fn output_file(&self) -> Option<String> {
        let Answer::ImageBytes { default } = self.answer else {
            return None;
        };
        let ext = match self.format.as_deref().unwrap_or(default) {
            "jpg" | "jpeg" => "jpg",
            "png" => "png",
            _ => "webp",
        };
        Some(format!("{}.{ext}", self.file_stem))
    }
}

/// Builds the request against `base_url` (the provider's, or an emulator's).
/// Body order: constants first, then fields in catalog order, as the docs show them.
pub fn build(model: ModelRef, params: &Map<String, Value>, base_url: &str) -> ApiRequest {
    let m = model.model;
    let mut body = Map::new();
    for (key, value) in m.fixed {
        body.insert((*key).to_owned(), Value::String((*value).to_owned()));
    }
    if let Some(key) = m.id_field {
        body.insert(key.to_owned(), Value::String(m.id.to_owned()));
    }
    let mut fields = Map::new();
    for field in m.fields {
        match (params.get(field.key), &field.kind) {
            // A list the provider takes as numbered members: one member per image.
            (Some(Value::Array(items)), Kind::Image(Image { list: Some(list), .. })) => match list.spelling {
                Spelling::Numbered => {
                    for (i, item) in items.iter().enumerate() {
                        fields.insert(list.spelling.member(field.key, i), item.clone());
                    }
                }
                Spelling::Array => {
                    fields.insert(field.key.to_owned(), Value::Array(items.clone()));
                }
            },
            (Some(value), _) => {
                fields.insert(field.key.to_owned(), value.clone());
            }
            (None, _) => {}
        }
    }
    match m.params_at {
        Some(key) => {
            body.insert(key.to_owned(), Value::Object(fields));
        }
        None => body.extend(fields),
    }
    ApiRequest {
        method: "POST",
        url: join(base_url, model.model.path),
        auth: model.provider.auth,
        key_env: model.provider.key_env,
        body: Value::Object(body),
        answer: model.provider.answer,
        file_stem: m.id.rsplit('/').next().unwrap_or(m.id),
        format: model.with_role(Role::OutputFormat).and_then(|f| params.get(f.key)?.as_str()).map(str::to_owned),
    }
}

/// `base` then `path`; a base that already ends with the path's first segment
/// (`https://api.aimlapi.com/v1` with `/v1/images/generations`) does not repeat it,
/// since people configure base URLs both ways.
pub fn join(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    match base.strip_suffix(first).filter(|b| !first.is_empty() && b.ends_with('/')) {
        Some(shorter) => format!("{}{path}", shorter.trim_end_matches('/')),
        None => format!("{base}{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use serde_json::json;

    #[test]
    fn a_base_url_with_or_without_its_version_segment_gives_the_same_url() {
        let path = "/v1/images/generations";
        for base in
            ["http://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/"]
        {
            assert_eq!(join(base, path), "http://127.0.0.1:8080/v1/images/generations", "{base}");
        }
        assert_eq!(join("https://proxy.example/openai", path), "https://proxy.example/openai/v1/images/generations");
        assert_eq!(join("https://x.example/notv1", path), "https://x.example/notv1/v1/images/generations");
        assert_eq!(join("https://fal.run", "/fal-ai/flux/dev"), "https://fal.run/fal-ai/flux/dev");
    }

    #[test]
    fn flux_dev_body_matches_the_documented_shape() {
        let m = find("aimlapi/flux/dev").unwrap();
        let params = json!({"seed": 7, "prompt": "a cat", "image_size": "square"});
        let req = build(m, params.as_object().unwrap(), "https://api.aimlapi.com/");
        assert_eq!(req.url, "https://api.aimlapi.com/v1/images/generations");
        assert_eq!(req.auth, Auth::Bearer);
        // Order is part of the contract with the reader: model, prompt, then catalog order.
        assert_eq!(
            serde_json::to_string(&req.body).unwrap(),
            r#"{"model":"flux/dev","prompt":"a cat","image_size":"square","seed":7}"#
        );
    }

    #[test]
    fn custom_size_is_nested_width_height() {
        let m = find("aimlapi/flux/dev").unwrap();
        let params = json!({"prompt": "p", "image_size": {"width": 640, "height": 512}});
        let req = build(m, params.as_object().unwrap(), "http://127.0.0.1:9/emulate/aimlapi");
        assert_eq!(req.url, "http://127.0.0.1:9/emulate/aimlapi/v1/images/generations");
        assert_eq!(req.body["image_size"], json!({"width": 640, "height": 512}));
    }

    fn body(slug: &str, params: &serde_json::Value) -> (ApiRequest, String) {
        let m = find(slug).unwrap();
        let req = build(m, params.as_object().unwrap(), m.provider.base_url);
        let text = serde_json::to_string(&req.body).unwrap();
        (req, text)
    }

    #[test]
    fn segmind_matches_its_documented_example() {
        // seeds/002: the axios example's data object, in the page's order.
        let (req, text) = body(
            "segmind/flux-dev",
            &json!({"prompt": "CRT", "samples": 1, "guidance": 3.5, "steps": 25, "prompt_strength": 0.8,
                    "aspect_ratio": "1:1", "seed": 46588, "output_format": "webp", "output_quality": 80}),
        );
        assert_eq!(req.url, "https://api.segmind.com/v1/flux-dev");
        assert_eq!(req.auth, Auth::Header("x-api-key"));
        assert_eq!(
            text,
            r#"{"prompt":"CRT","samples":1,"guidance":3.5,"steps":25,"prompt_strength":0.8,"aspect_ratio":"1:1","seed":46588,"output_format":"webp","output_quality":80}"#
        );
    }

    #[test]
    fn onemin_nests_params_in_prompt_object() {
        // seeds/004: the cURL example's body.
        let (req, text) = body(
            "1min/black-forest-labs/flux-dev",
            &json!({"prompt": "A futuristic cityscape", "aspect_ratio": "16:9", "num_inference_steps": 28,
                    "guidance": 3.5, "megapixels": "1", "output_quality": 85}),
        );
        assert_eq!(req.url, "https://api.1min.ai/api/features");
        assert_eq!(req.auth, Auth::Header("API-KEY"));
        assert_eq!(
            text,
            r#"{"type":"IMAGE_GENERATOR","model":"black-forest-labs/flux-dev","promptObject":{"prompt":"A futuristic cityscape","aspect_ratio":"16:9","num_inference_steps":28,"guidance":3.5,"output_quality":85,"megapixels":"1"}}"#
        );
    }

    #[test]
    fn aimlapi_models_put_their_id_in_model() {
        let (_, text) = body(
            "aimlapi/flux-pro",
            &json!({"prompt": "p", "output_format": "png", "safety_tolerance": "6", "image_size": {"width": 1440, "height": 256}}),
        );
        assert_eq!(
            text,
            r#"{"model":"flux-pro","prompt":"p","image_size":{"width":1440,"height":256},"safety_tolerance":"6","output_format":"png"}"#
        );
        let (_, text) =
            body("aimlapi/flux-pro/v1.1-ultra", &json!({"prompt": "p", "aspect_ratio": "21:9", "raw": false}));
        assert_eq!(text, r#"{"model":"flux-pro/v1.1-ultra","prompt":"p","aspect_ratio":"21:9","raw":false}"#);
        // seeds/003: image-to-image takes image_url and strength.
        let (_, text) = body(
            "aimlapi/flux/dev/image-to-image",
            &json!({"prompt": "p", "image_url": "https://example.com/a.png", "strength": 0.5}),
        );
        assert_eq!(
            text,
            r#"{"model":"flux/dev/image-to-image","prompt":"p","image_url":"https://example.com/a.png","strength":0.5}"#
        );
    }

    /// providers-flux2-flux3.md §1.1: references go as `input_image`, `input_image_2` …;
    /// §1.3: FLUX 3 takes one `images` array and nothing but its documented members.
    #[test]
    fn bfl_flux2_numbers_its_references_and_flux3_lists_them() {
        let (req, text) = body("bfl/flux-2-pro", &serde_json::json!({"prompt": "p", "input_image": ["a", "b", "c"]}));
        assert_eq!(req.url, "https://api.bfl.ai/v1/flux-2-pro");
        assert_eq!(text, r#"{"prompt":"p","input_image":"a","input_image_2":"b","input_image_3":"c"}"#);
        let m = find("bfl/flux-3-image").unwrap();
        let valid = crate::validate::validate(
            m,
            serde_json::json!({"prompt": "p", "images": ["https://e.com/1.png", "https://e.com/2.png"]})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        let req = build(m, &valid.values(true), m.provider.base_url);
        assert_eq!(
            serde_json::to_string(&req.body).unwrap(),
            r#"{"prompt":"p","images":["https://e.com/1.png","https://e.com/2.png"],"aspect_ratio":"auto","resolution":"1k","grounding":true,"safety_tolerance":2}"#
        );
        assert_eq!(valid.seed, None, "FLUX 3 has no seed");
        assert_eq!(valid.references.len(), 2);
    }
}
