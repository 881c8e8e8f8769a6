use crate::catalog::ModelRef;
use crate::form::RawForm;
use leptos::prelude::*;

/// Where FLUX 3's box editor goes. The editor is a wasm of its own (`crate::box_editor`),
/// fetched the first time this appears; it reads what it needs from this element's
/// attributes (the prompt's field, its text, the aspect ratio, whether references are
/// given) and writes boxes back by typing into the prompt. The attributes are set in
/// the browser only, where the editor runs: reactive attributes cost every page's first
/// load some 3 KB more (measured).
#[component]
pub fn LayoutHost(model: RwSignal<ModelRef>, form: RwSignal<RawForm>) -> impl IntoView {
    let host = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |loaded: Option<bool>| {
        let Some(el) = host.get() else { return false };
        model.with(|m| form.with(|f| browser::describe(&el, m, f)));
        if loaded != Some(true) {
            browser::load_editor();
        }
        true
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (model, form);
    view! { <div class="layout-host" node_ref=host></div> }
}

#[cfg(feature = "hydrate")]
mod browser {
    use crate::catalog::{Kind, ModelRef, Role};
    use crate::form::RawForm;
    use leptos::prelude::document;

    /// Writes what the editor reads onto the host.
    pub fn describe(host: &web_sys::HtmlDivElement, m: &ModelRef, f: &RawForm) {
        let key = m.with_role(Role::Prompt).map_or("prompt", |p| p.key);
        let ratio = m.model.fields.iter().find(|x| matches!(x.role, Role::AspectRatio { .. }));
        let aspect = ratio.and_then(|r| match &r.kind {
            Kind::Choice(c) => f.get(r.key).or(c.default),
            _ => None,
        });
        // With reference images the model edits them, and the rows take the edit shape.
        let edit = m
            .model
            .fields
            .iter()
            .any(|x| matches!(x.role, Role::Reference(_)) && f.get(x.key).is_some_and(|t| !t.trim().is_empty()));
        let edit = edit.then_some("");
        for (name, value) in
            [("data-prompt", Some(key)), ("data-text", f.get(key)), ("data-aspect", aspect), ("data-edit", edit)]
        {
            let _ = match value {
                Some(v) => host.set_attribute(name, v),
                None => host.remove_attribute(name),
            };
        }
    }

    /// Fetches the editor the first time (it then finds the host itself); later hosts
    /// announce themselves to it with a `boxes:mount` event on the document.
    pub fn load_editor() {
        const ID: &str = "box-editor";
        let doc = document();
        if doc.get_element_by_id(ID).is_some() {
            if let Ok(ev) = web_sys::Event::new("boxes:mount") {
                let _ = doc.dispatch_event(&ev);
            }
            return;
        }
        let Ok(script) = doc.create_element("script") else { return };
        for (name, value) in [("id", ID), ("type", "module"), ("src", "box-editor.js")] {
            let _ = script.set_attribute(name, value);
        }
        if let Some(head) = doc.head() {
            let _ = head.append_child(&script);
        }
    }
}
