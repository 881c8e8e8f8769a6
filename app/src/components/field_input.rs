use super::{bool_input::BoolInput, number_input::NumberInput, prompt_input::PromptInput, size_input::SizeInput};
use crate::catalog::{Field, Kind};
use crate::form::RawForm;
use crate::validate::FieldError;
use leptos::either::EitherOf4;
use leptos::prelude::*;

/// One catalog field, rendered with the control that fits its kind.
#[component]
pub fn FieldInput(field: &'static Field, form: RwSignal<RawForm>, errors: Memo<Vec<FieldError>>) -> impl IntoView {
    match &field.kind {
        Kind::Text { max_chars, .. } => EitherOf4::A(view! { <PromptInput field max_chars=*max_chars form errors/> }),
        Kind::Number(number) => EitherOf4::B(view! { <NumberInput field number=*number form errors/> }),
        Kind::Bool { default } => EitherOf4::C(view! { <BoolInput field default=*default form/> }),
        Kind::Size(size) => EitherOf4::D(view! { <SizeInput field size form errors/> }),
    }
}
