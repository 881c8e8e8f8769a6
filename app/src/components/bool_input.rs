use crate::catalog::Field;
use crate::form::RawForm;
use leptos::prelude::*;

/// A toggle for a boolean field; fixed (and disabled) where the schema allows one value.
#[component]
pub fn BoolInput(field: &'static Field, default: bool, only: Option<bool>, form: RwSignal<RawForm>) -> impl IntoView {
    let key = field.key;
    let checked = move || form.with(|f| f.get(key).map_or(default, |v| v == "true"));
    view! {
        <div class="field field-bool">
            <label class="toggle">
                <input
                    type="checkbox"
                    role="switch"
                    name=key
                    value="true"
                    disabled=only.is_some()
                    checked=checked
                    prop:checked=checked
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        form.update(|f| f.set(key, on.to_string()));
                    }
                />
                <span>{field.label}</span>
            </label>
            <p class="help">{field.help}</p>
        </div>
    }
}
