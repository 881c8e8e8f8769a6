use crate::api::BackendStatus;
use crate::catalog::{self, ModelRef};
use leptos::prelude::*;

/// Every model in the catalog, grouped by provider, each provider marked live or emulated.
/// An option shows the model's name (its id is in the header once chosen): the page stays small.
#[component]
pub fn ModelPicker(model: RwSignal<ModelRef>, on_change: Callback<ModelRef>) -> impl IntoView {
    let status = use_context::<BackendStatus>().unwrap_or_default();
    view! {
        <div class="model-picker">
            <label for="model">"Model"</label>
            <select
                id="model"
                name="model"
                on:change=move |ev| {
                    if let Some(m) = catalog::find(&event_target_value(&ev)) {
                        on_change.run(m);
                    }
                }
            >
                {catalog::PROVIDERS
                    .iter()
                    .filter(|p| catalog::models().any(|m| std::ptr::eq(m.provider, **p) && status.offers(m)))
                    .map(|p| {
                        view! {
                            <optgroup label=format!(
                                "{} · {}",
                                p.name,
                                if status.is_live(p.id) { "live" } else { "emulated" },
                            )>
                                {catalog::models()
                                    .filter(|m| std::ptr::eq(m.provider, *p) && status.offers(*m))
                                    .map(|m| {
                                        let slug = m.slug();
                                        view! {
                                            <option value=slug selected=move || model.get() == m>
                                                {m.model.label}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </optgroup>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
