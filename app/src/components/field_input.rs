use super::{
    bool_input::BoolInput, choice_input::ChoiceInput, image_input::ImageInput, number_input::NumberInput,
    prompt_input::PromptInput, size_input::SizeInput,
};
use crate::catalog::{Field, Kind};
use crate::form::RawForm;
use crate::validate::FieldError;
use leptos::either::EitherOf6;
use leptos::prelude::*;

/// One catalog field, rendered with the control that fits its kind.
#[component]
pub fn FieldInput(
    field: &'static Field,
    form: RwSignal<RawForm>,
    errors: Memo<Vec<FieldError>>,
    /// The model's prompt field, for reference lists that renumber "image N".
    prompt: Option<&'static str>,
) -> impl IntoView {
    match &field.kind {
        Kind::Text { max_chars, .. } => EitherOf6::A(
            view! { <PromptInput field max_chars=*max_chars form errors placeholder="Describe the image"/> },
        ),
        // One weight a line, in the same text box: a list control of its own costs the wasm more.
        Kind::Loras(_) => {
            EitherOf6::A(view! { <PromptInput field max_chars=None form errors placeholder="owner/lora-repo 0.8"/> })
        }
        Kind::Number(number) => EitherOf6::B(view! { <NumberInput field number=*number form errors/> }),
        Kind::Bool { default, only } => EitherOf6::C(view! { <BoolInput field default=*default only=*only form/> }),
        Kind::Choice(choice) => EitherOf6::D(view! { <ChoiceInput field choice form errors/> }),
        Kind::Size(size) => EitherOf6::E(view! { <SizeInput field size form errors/> }),
        Kind::Image(image) => EitherOf6::F(view! { <ImageInput field image form errors prompt/> }),
    }
}
