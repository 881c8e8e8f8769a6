use super::{bool_input::BoolInput, number_input::NumberInput, prompt_input::PromptInput, size_input::SizeInput};
use crate::catalog::{Field, Kind};
use crate::form::RawForm;
use crate::validate::FieldError;
use leptos::prelude::*;

/// One catalog field, rendered with the control that fits its kind.
#[component]
pub fn FieldInput(field: &'static Field, form: RwSignal<RawForm>, errors: Memo<Vec<FieldError>>) -> impl IntoView {
    match &field.kind {
        Kind::Text { max_chars, .. } => view! { <PromptInput field max_chars=*max_chars form errors/> }.into_any(),
        Kind::Number(number) => view! { <NumberInput field number=*number form errors/> }.into_any(),
        Kind::Bool { default } => view! { <BoolInput field default=*default form/> }.into_any(),
        Kind::Size(size) => view! { <SizeInput field size form errors/> }.into_any(),
    }
}
