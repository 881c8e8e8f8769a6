use crate::api::fetch_backend_status;
use crate::catalog::Provider;
use leptos::prelude::*;

/// Says plainly whether this provider is live or emulated, and how to go live.
#[component]
pub fn BackendBadge(provider: &'static Provider) -> impl IntoView {
    let status = Resource::new(|| (), |()| fetch_backend_status());
    view! {
        <Suspense fallback=|| view! { <span class="badge">"…"</span> }>
            {move || {
                status
                    .get()
                    .map(|s| match s {
                        Ok(s) if s.is_live(provider.id) => {
                            view! { <span class="badge live">"Live: " {provider.name}</span> }.into_any()
                        }
                        Ok(_) => {
                            view! {
                                <span class="badge emulated">"Emulated"</span>
                                <span class="note">
                                    "Images come from fluxplay's built-in emulator, not from " {provider.name}
                                    ". Set " <code>{provider.key_env}</code> " on the server to call the real API."
                                </span>
                            }
                                .into_any()
                        }
                        Err(_) => view! { <span class="badge">"Backend status unavailable"</span> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
