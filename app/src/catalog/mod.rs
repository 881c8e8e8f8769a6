//! The catalog of providers and models, as plain data.
//!
//! Everything else (form, validation, request bodies, snippets) is generic code
//! driven by these tables, so adding a model means adding data here.

mod aimlapi;
mod bfl;
mod build;
mod fal;
mod onemin;
mod openai;
pub mod prices;
mod replicate;
mod segmind;
mod shared;

pub use aimlapi::AIMLAPI;
pub use bfl::BFL;
pub use fal::FAL;
pub use onemin::ONEMIN;
pub use openai::OPENAI;
pub use replicate::REPLICATE;
pub use segmind::SEGMIND;
pub use shared::ONE_MP;

/// How a provider wants the API key presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <key>`
    Bearer,
    /// `Authorization: Key <key>` (fal.ai)
    Key,
    /// `<header>: <key>`, e.g. Segmind's `x-api-key`.
    Header(&'static str),
}

/// Which provider, checked by the compiler: the server dispatches on it
/// exhaustively. [`ProviderId::as_str`] is the wire form ([`Provider::id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderId {
    Aimlapi,
    Segmind,
    Onemin,
    Bfl,
    Fal,
    Replicate,
    Openai,
}

impl ProviderId {
    /// The id used in URLs, share links and slugs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Aimlapi => "aimlapi",
            Self::Segmind => "segmind",
            Self::Onemin => "1min",
            Self::Bfl => "bfl",
            Self::Fal => "fal",
            Self::Replicate => "replicate",
            Self::Openai => "openai",
        }
    }

    /// The catalog entry for this id.
    pub fn provider(self) -> &'static Provider {
        PROVIDERS.iter().copied().find(|p| p.provider_id == self).expect("every provider id is in the catalog")
    }
}

#[derive(Debug)]
pub struct Provider {
    /// Which provider this is, for exhaustive matches; `id` is its wire form.
    pub provider_id: ProviderId,
    /// Stable id used in URLs and share links (`provider_id.as_str()`).
    pub id: &'static str,
    pub name: &'static str,
    pub base_url: &'static str,
    /// Environment variable the server (and every snippet) reads the key from.
    pub key_env: &'static str,
    /// Environment variable that overrides `base_url` on the server.
    pub url_env: &'static str,
    /// A self-hosted engine may need no key: it is live once its URL is set.
    pub key_optional: bool,
    /// Environment variable naming the model the engine should run, sent in the body's
    /// model member instead of the catalog id (LocalAI selects models by its own names).
    pub model_env: Option<&'static str>,
    pub auth: Auth,
    /// What a successful call returns, so snippets can handle it.
    pub answer: Answer,
    pub docs_url: &'static str,
    pub models: &'static [Model],
}

/// The body of a provider's successful answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Json,
    /// The image file itself.
    ImageBytes {
        /// The format when the request names none (its [`Role::OutputFormat`] field's value otherwise).
        default: &'static str,
    },
    /// A task that finishes later: the answer says where to poll it (BFL, fal's queue, Replicate).
    Task(&'static Task),
}

/// An asynchronous provider's protocol as its docs describe it, for snippets
/// that submit, poll to the end and print the image URL. Paths are member names
/// from the top of a JSON answer; statuses are compared exactly.
#[derive(Debug, PartialEq, Eq)]
pub struct Task {
    /// Where the submit goes when that is not `base_url`, e.g. fal's queue host.
    pub queue: Option<Queue>,
    /// Headers the submit sends besides the key's, e.g. Replicate's `Prefer: wait`.
    pub submit_headers: &'static [(&'static str, &'static str)],
    /// The polling URL in the submit's answer; polls send the key as the submit does.
    pub poll_url: &'static [&'static str],
    /// The member of the submit's and every poll's answer that holds the status.
    pub status: &'static str,
    /// Statuses that mean the images are ready.
    pub done: &'static [&'static str],
    /// Statuses that mean it failed for good.
    pub failed: &'static [&'static str],
    /// Members that may say why it failed, first present first.
    pub reason: &'static [&'static str],
    /// A URL in the submit's answer that gives the output once done (fal's `response_url`),
    /// and answers an error status if the run failed; `None`: the last poll's answer has it.
    pub result_url: Option<&'static [&'static str]>,
    /// Where the image URLs are in the output.
    pub images: ImageUrls,
}

/// fal's queue: on its own host for the provider's base URL, below the base otherwise
/// (an emulator, a proxy).
#[derive(Debug, PartialEq, Eq)]
pub struct Queue {
    pub host: &'static str,
    pub below: &'static str,
}

/// Where an output's image URLs are.
#[derive(Debug, PartialEq, Eq)]
pub enum ImageUrls {
    /// One URL string (BFL's `result.sample`).
    One(&'static [&'static str]),
    /// A URL string or a list of them (Replicate's `output`).
    OneOrList(&'static [&'static str]),
    /// A list of objects, each with its URL in the named member (fal's `images[].url`).
    Objects(&'static [&'static str], &'static str),
}

impl Provider {
    /// The base a submit goes to when calling `base_url` (the provider's own, or an emulator's).
    pub fn submit_base(&self, base_url: &str) -> String {
        match self.answer {
            Answer::Task(Task { queue: Some(queue), .. }) if base_url == self.base_url => queue.host.to_owned(),
            Answer::Task(Task { queue: Some(queue), .. }) => {
                format!("{}{}", base_url.trim_end_matches('/'), queue.below)
            }
            _ => base_url.to_owned(),
        }
    }
}

#[derive(Debug)]
pub struct Model {
    /// The provider's own model id, e.g. `flux/dev`.
    pub id: &'static str,
    pub label: &'static str,
    pub summary: &'static str,
    /// Path below the provider's base URL.
    pub path: &'static str,
    /// The body member that names the model (`"model": "flux/dev"`); `None` where the URL does.
    pub id_field: Option<&'static str>,
    /// Other constant members of the body, e.g. 1min.ai's `"type": "IMAGE_GENERATOR"`.
    pub fixed: &'static [(&'static str, &'static str)],
    /// The body member the fields go in (1min.ai's `promptObject`); `None`: top level.
    pub params_at: Option<&'static str>,
    pub fields: &'static [Field],
    /// What the provider says about the output, shown beside the result.
    pub output_note: &'static str,
}

/// What a field means to the product, beside how it is typed: the budget, the
/// seed shown, the references fetched and the answer's format read it from here,
/// so no code guesses a meaning from a parameter's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The text that describes the image.
    Prompt,
    /// Same seed and prompt, same image; where the provider would pick one at random the server picks it.
    Seed,
    /// How many images one request makes.
    Count,
    /// The output's width, or height, in pixels.
    Width,
    Height,
    /// The output's size in one value: an `image_size` ([`Kind::Size`], presets with
    /// pixels or a custom size) or a choice whose options carry their pixels (`1024x768`).
    Size,
    /// An aspect-ratio choice. An option's [`Opt::pixels`] is its documented size; one
    /// without comes near `about` pixels, its sides counted rounded up to 32 (FLUX
    /// hosts round them to 16 or 32): ultra's 4 MP, Kontext's 1 MP.
    AspectRatio {
        about: u32,
    },
    /// A megapixels choice that scales the area (Replicate's "0.25" halves each side).
    Megapixels,
    /// A resolution class (FLUX 3's `768sq` … `4k`, Replicate's `1 MP`): each option's
    /// pixels are its area at 1:1, which the aspect-ratio choice then shapes.
    Resolution,
    /// A reference image, and what it does to the output's size.
    Reference(Follows),
    /// A safety checker or tolerance.
    Safety,
    /// The output's file format.
    OutputFormat,
    /// Anything else, passed on as the provider documents it.
    Other,
}

/// What a reference image does to the output's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follows {
    /// Nothing: other fields set the size (BFL's image prompt, a Kontext edit by aspect ratio).
    Nothing,
    /// The output is the reference's size, scaled down to fit `max_side` (Replicate: 1440;
    /// where no limit is documented, [`MAX_REFERENCE_SIDE`]).
    Size { max_side: u32 },
    /// The output takes the reference's aspect ratio ("follows the input image"). Whether the
    /// chosen area is kept or the image's own size made is not documented alike everywhere:
    /// the larger of the two is counted, the image's size up to `max_side`.
    Shape { max_side: u32 },
}

/// The largest side of a reference image the server accepts, uploaded or
/// fetched (the server's decode limits; a unit test keeps them equal).
pub const MAX_REFERENCE_SIDE: u32 = 8192;
/// The most pixels of a reference image the server accepts.
pub const MAX_REFERENCE_PIXELS: u64 = 4096 * 4096;

#[derive(Debug)]
pub struct Field {
    /// The provider's parameter name; also the key in share links.
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub required: bool,
    pub kind: Kind,
    pub role: Role,
}

#[derive(Debug)]
pub enum Kind {
    Text {
        /// `None` where the provider documents no limit.
        max_chars: Option<usize>,
        /// Filled in on a fresh page so Generate works at once, as provider playgrounds do.
        example: &'static str,
        /// The model reads a layout of boxes from this text (FLUX 3, see `layout`): the
        /// form offers the box editor.
        layout: bool,
    },
    Number(Number),
    Bool {
        default: bool,
        /// The one value the schema allows (flux-pro/v1.1-ultra's `raw` is `enum: [false]`).
        only: Option<bool>,
    },
    Choice(Choice),
    Size(Size),
    Image(Image),
    /// LoRA weights to apply, each `{path, scale}` (FLUX.2 [dev] LoRA on AI/ML API and fal).
    Loras(Loras),
}

/// A list of LoRA weights: in the form one per line, its path then its scale.
#[derive(Debug)]
pub struct Loras {
    /// The most weights one request takes.
    pub max: u8,
    /// Scales run from 0 to this; left out, the provider applies 1.
    pub max_scale: f64,
}

/// A string enum, sent as the string.
#[derive(Debug)]
pub struct Choice {
    pub options: &'static [Opt],
    pub default: Option<&'static str>,
}

#[derive(Debug, Clone, Copy)]
pub struct Opt {
    pub value: &'static str,
    /// Shown in the select; carries the pixel size where one is known.
    pub label: &'static str,
    /// The documented pixel size this option makes (an aspect ratio's, a size's), for the budget.
    pub pixels: Option<(u32, u32)>,
}

impl Choice {
    pub fn option(&self, value: &str) -> Option<&'static Opt> {
        self.options.iter().find(|o| o.value == value)
    }
}

/// A reference image: an uploaded file, or (where the provider fetches it) an https URL.
#[derive(Debug)]
pub struct Image {
    /// Whether an https URL may be given instead of an upload.
    pub accepts_url: bool,
    /// Shown beside the result, e.g. "matches the reference image".
    pub output_size: &'static str,
    /// How the provider's API takes a file here, which a snippet shows in place of an upload.
    pub file: FileInput,
    /// Several images in order ("image 1" … "image N" in the prompt); `None`: one image.
    pub list: Option<List>,
    /// The smallest side the provider takes (FLUX 3: 256 px); 0 where none is documented.
    /// Checked by the server on the stored image before anything is sent.
    pub min_side: u32,
}

/// An ordered list of reference images. In the form and in params it is a list
/// (form text: the references separated by spaces); the request spells it the provider's way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct List {
    pub max: u8,
    pub spelling: Spelling,
}

/// How a provider takes a list of images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// One member holding an array (`images`, `image_urls`, `input_images`).
    Array,
    /// Numbered members: the field's key, then `<key>_2` … (BFL's `input_image_2` … `input_image_8`).
    Numbered,
}

impl Spelling {
    /// The member that holds image `index` (from 0) of a list in field `key`.
    pub fn member(self, key: &str, index: usize) -> String {
        match (self, index) {
            (Spelling::Numbered, 1..) => format!("{key}_{}", index + 1),
            _ => key.to_owned(),
        }
    }
}

/// How a provider's API takes an image file in a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileInput {
    /// An https URL it fetches (AI/ML API's `image_url`: "The URL of the reference image").
    Url,
    /// An https URL, or the file inline as a data URI (Replicate's file inputs).
    UrlOrDataUri,
    /// The file's bytes as plain base64, no `data:` prefix (BFL's `image_prompt`).
    Base64,
    /// An https URL it fetches, or the bytes as plain base64 (BFL's FLUX.2 and FLUX 3 references).
    UrlOrBase64,
    /// The path the provider's Asset API gives an uploaded file (1min.ai's `POST /api/assets`).
    AssetPath,
}

/// Where our server serves uploaded reference images; a form value with this
/// prefix names an upload rather than a URL.
pub const UPLOAD_PREFIX: &str = "/uploads/";

/// A numeric field. `default: None` means the provider picks (e.g. a random seed).
#[derive(Debug, Clone, Copy)]
pub struct Number {
    pub integer: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub step: f64,
    pub default: Option<f64>,
    /// What an empty box means when there is no default, e.g. "random".
    pub unset: &'static str,
    /// BFL's `width`/`height`: integers that must be multiples of 32.
    pub multiple_of: Option<f64>,
}

/// An `image_size`: one of the named presets or a custom `{width, height}`.
#[derive(Debug)]
pub struct Size {
    pub presets: &'static [Preset],
    pub default_preset: &'static str,
    pub min: u32,
    pub max: u32,
    pub multiple_of: u32,
    /// Starting point when the user switches to a custom size.
    pub custom_default: (u32, u32),
}

#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    pub label: &'static str,
    pub width: u32,
    pub height: u32,
}

impl Size {
    pub fn preset(&self, name: &str) -> Option<&'static Preset> {
        self.presets.iter().find(|p| p.name == name)
    }
}

pub static PROVIDERS: &[&Provider] = &[&AIMLAPI, &SEGMIND, &ONEMIN, &BFL, &FAL, &REPLICATE, &OPENAI];

/// A model together with its provider; the unit the form and requests work on.
#[derive(Debug, Clone, Copy)]
pub struct ModelRef {
    pub provider: &'static Provider,
    pub model: &'static Model,
}

impl PartialEq for ModelRef {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.model, other.model)
    }
}

impl ModelRef {
    /// `provider/model-id`, the form used in share links and the API.
    pub fn slug(&self) -> String {
        format!("{}/{}", self.provider.id, self.model.id)
    }

    pub fn field(&self, key: &str) -> Option<&'static Field> {
        self.model.fields.iter().find(|f| f.key == key)
    }

    /// The first field with `role`, e.g. the seed or the image count.
    pub fn with_role(&self, role: Role) -> Option<&'static Field> {
        self.model.fields.iter().find(|f| f.role == role)
    }
}

pub fn models() -> impl Iterator<Item = ModelRef> {
    PROVIDERS.iter().flat_map(|p| p.models.iter().map(move |m| ModelRef { provider: p, model: m }))
}

/// Looks a model up by its slug (`aimlapi/flux/dev`).
pub fn find(slug: &str) -> Option<ModelRef> {
    let (provider, model) = slug.split_once('/')?;
    models().find(|m| m.provider.id == provider && m.model.id == model)
}

pub fn default_model() -> ModelRef {
    models().next().expect("catalog is not empty")
}

#[cfg(test)]
mod provider_id_tests {
    use super::*;

    #[test]
    fn every_provider_id_is_in_the_catalog_once_with_its_wire_id() {
        let all = [
            ProviderId::Aimlapi,
            ProviderId::Segmind,
            ProviderId::Onemin,
            ProviderId::Bfl,
            ProviderId::Fal,
            ProviderId::Replicate,
            ProviderId::Openai,
        ];
        assert_eq!(PROVIDERS.len(), all.len());
        for id in all {
            assert_eq!(PROVIDERS.iter().filter(|p| p.provider_id == id).count(), 1, "{id:?}");
            assert_eq!(id.provider().id, id.as_str());
        }
    }
}
