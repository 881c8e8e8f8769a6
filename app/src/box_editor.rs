//! FLUX 3's layout editor: draw boxes on a canvas of the output's shape, move and
//! resize them (pointer, or arrow keys on the selected box; Shift resizes, Delete
//! removes), and label each with an id and a description. The boxes live in the prompt
//! itself (`crate::layout`): the editor reads them from it and writes them back when a
//! gesture ends, so a prompt that already holds a layout opens with its boxes.
//!
//! It is a wasm of its own (`--features boxes`, built by `scripts/finish-site.sh`),
//! fetched only when a model that reads layouts is shown: in the page's wasm it cost
//! every first load 13–15 KB compressed (measured), and Leptos's split build another 8.
//! The page's side is `components::layout_host`: an element whose attributes say the
//! prompt, the canvas's shape and whether the model edits. The editor watches them and
//! answers by typing into the prompt's textarea (an `input` event, as a user would).

// Natively only the tests run: what just the browser calls is unused there.
#![cfg_attr(not(feature = "boxes"), allow(dead_code))]

use crate::layout::{Layout, LayoutBox, GRID};

/// Smallest side of a box, in grid units; a click without a drag draws nothing.
const MIN_SIDE: u16 = 20;
/// One arrow-key step, in grid units.
const STEP: u16 = 10;
/// Where "Add a box" puts a box: the middle of the canvas.
const MIDDLE: [u16; 4] = [350, 350, 650, 650];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Grip {
    Draw,
    Move,
    Resize,
}

/// A pointer held down on the canvas: which box, what it does, where it began.
#[derive(Clone, Copy, Debug)]
struct Drag {
    index: usize,
    grip: Grip,
    from: (u16, u16),
    rect: [u16; 4],
}

impl Drag {
    /// The box's `[top, left, bottom, right]` with the pointer at `(y, x)` on the grid.
    fn to(self, (y, x): (u16, u16)) -> [u16; 4] {
        let [top, left, bottom, right] = self.rect;
        match self.grip {
            Grip::Draw => [self.from.0.min(y), self.from.1.min(x), self.from.0.max(y), self.from.1.max(x)],
            Grip::Resize => [top, left, y.max(top + 1), x.max(left + 1)],
            Grip::Move => {
                // The whole box moves, and stays on the grid.
                let shift = |v: u16, from: u16, lo: u16, hi: u16| {
                    (i32::from(v) - i32::from(from)).clamp(-i32::from(lo), i32::from(GRID - hi))
                };
                let (dy, dx) = (shift(y, self.from.0, top, bottom), shift(x, self.from.1, left, right));
                let add = |v: u16, by: i32| (i32::from(v) + by) as u16;
                [add(top, dy), add(left, dx), add(bottom, dy), add(right, dx)]
            }
        }
    }
}

/// An arrow key's step: the box moves by (`dy`, `dx`) steps, or with `resize` its
/// bottom-right corner does; it stays on the grid and at least `MIN_SIDE` big.
fn nudged([t, l, b, r]: [u16; 4], (dy, dx): (i32, i32), resize: bool) -> [u16; 4] {
    let step = |v: u16, by: i32, lo: u16, hi: u16| {
        (i32::from(v) + by * i32::from(STEP)).clamp(i32::from(lo), i32::from(hi)) as u16
    };
    // A box from a prompt may sit nearer the edge than MIN_SIDE: its far side stays put.
    let least = |start: u16| (start + MIN_SIDE).min(GRID);
    if resize {
        [t, l, step(b, dy, least(t), GRID), step(r, dx, least(l), GRID)]
    } else {
        let (nt, nl) = (step(t, dy, 0, GRID - (b - t)), step(l, dx, 0, GRID - (r - l)));
        [nt, nl, nt + (b - t), nl + (r - l)]
    }
}

/// Removes box `i` and its mention in the text.
fn remove(layout: &mut Layout, i: usize) {
    if i < layout.boxes.len() {
        let id = layout.boxes.remove(i).id;
        layout.text = layout.text.replace(&format!(" <{id}>"), "");
    }
}

/// Gives box `i` the id `text` keeps of letters, digits and `_`, renaming its mention.
fn rename(layout: &mut Layout, i: usize, text: &str) -> bool {
    let id: String = text.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let taken = layout.boxes.iter().enumerate().any(|(j, b)| j != i && b.id == id);
    let Some(b) = layout.boxes.get_mut(i).filter(|_| !id.is_empty() && !taken) else { return false };
    layout.text = layout.text.replace(&format!("<{}>", b.id), &format!("<{id}>"));
    b.id = id;
    true
}

/// A new box covering `rect`, named in the text; its index.
fn add_box(layout: &mut Layout, rect: [u16; 4]) -> usize {
    let id = layout.next_id();
    if !layout.text.contains(&format!("<{id}>")) {
        layout.text = format!("{} <{id}>", layout.text.trim_end());
    }
    layout.boxes.push(LayoutBox { id, rect: Some(rect), desc: String::new(), source: None });
    layout.boxes.len() - 1
}

/// The editor's frame: help, the canvas, the rows.
const FRAME: &str = r#"<fieldset class="field layout"><legend>Layout</legend><p class="help">Drag on the canvas to draw a box; drag a box to move it, its corner to resize. Arrow keys move the selected box (else the first), Shift+arrows resize it, Delete removes it. Each box is named in the prompt as &lt;id&gt;.</p><div class="layout-canvas" tabindex="0" role="application" aria-label="Layout canvas"></div><ol class="layout-rows"></ol><button type="button" data-add="1">Add a box</button></fieldset>"#;

/// The boxes on the canvas, as HTML (ids are letters, digits and `_`; escaped anyway).
/// Where each sits is set afterwards through the DOM ([`placement`]): the page's CSP
/// admits no inline `style` attributes.
fn boxes_html(layout: &Layout, selected: Option<usize>) -> String {
    let mut html = String::new();
    for (i, b) in layout.boxes.iter().enumerate() {
        if b.rect.is_none() {
            continue;
        }
        let class = if selected == Some(i) { "layout-box selected" } else { "layout-box" };
        let id = html_escape::encode_text(&b.id);
        html.push_str(&format!(
            r#"<div class="{class}" data-box="{i}"><span class="layout-id">{id}</span><span class="layout-grip" data-grip="1"></span></div>"#
        ));
    }
    html
}

/// A box's place on the canvas, as CSS properties in percent.
fn placement([t, l, b, r]: [u16; 4]) -> [(&'static str, String); 4] {
    [("top", pct(t)), ("left", pct(l)), ("height", pct(b - t)), ("width", pct(r - l))]
}

/// One row per box: its id and description to edit, and a remove button.
fn rows_html(layout: &Layout) -> String {
    let mut html = String::new();
    for (i, b) in layout.boxes.iter().enumerate() {
        let n = i + 1;
        html.push_str(&format!(
            r#"<li><input aria-label="Id of box {n}" data-row="{i}" data-part="id" value="{}"><input aria-label="Description of box {n}" placeholder="What goes in this box" data-row="{i}" data-part="desc" value="{}"><button type="button" data-remove="{i}">Remove box {n}</button></li>"#,
            html_escape::encode_double_quoted_attribute(&b.id),
            html_escape::encode_double_quoted_attribute(&b.desc),
        ));
    }
    html
}

/// A grid length as a CSS percentage, in tenths: 255 → `25.5%`.
fn pct(units: u16) -> String {
    format!("{}.{}%", units / 10, units % 10)
}

/// The canvas's CSS `aspect-ratio` from the host's `W:H` (anything else: square).
fn aspect(ratio: Option<&str>) -> String {
    let sides =
        ratio.and_then(|r| r.split_once(':')).and_then(|(w, h)| Some((w.parse::<u16>().ok()?, h.parse::<u16>().ok()?)));
    let (w, h) = sides.filter(|(w, h)| *w > 0 && *h > 0).unwrap_or((1, 1));
    format!("{w} / {h}")
}

/// The browser side: the DOM, its listeners, and what a gesture changes.
#[cfg(feature = "boxes")]
mod browser {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::{closure::Closure, prelude::wasm_bindgen, JsCast};
    use web_sys::{
        Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlTextAreaElement, KeyboardEvent, MutationObserver,
        MutationObserverInit, PointerEvent,
    };

    /// The events the editor listens to, on the document; `boxes:mount` says a new host is there.
    const EVENTS: [&str; 8] =
        ["pointerdown", "pointermove", "pointerup", "pointercancel", "keydown", "change", "click", "boxes:mount"];

    #[derive(Default)]
    struct State {
        /// The layout and gesture while a pointer drags, written to the prompt once it lets go.
        live: Option<(Layout, Drag)>,
        selected: Option<usize>,
    }

    struct Editor {
        host: HtmlElement,
        canvas: HtmlElement,
        rows: Element,
        state: RefCell<State>,
        /// Kept while the editor is: dropping it would stop the observer's callback.
        _observer: (MutationObserver, Closure<dyn Fn()>),
    }

    thread_local! {
        static EDITOR: RefCell<Option<Rc<Editor>>> = const { RefCell::new(None) };
    }

    fn document() -> web_sys::Document {
        web_sys::window().and_then(|w| w.document()).expect("a page has a document")
    }

    /// Listens on the document and builds the editor in every host already on the page.
    #[wasm_bindgen(start)]
    pub fn start() {
        let doc = document();
        for name in EVENTS {
            let listener = Closure::<dyn Fn(Event)>::new(move |ev: Event| handle(name, &ev));
            let _ = doc.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
            // The document lives as long as the page: so do its listeners.
            listener.forget();
        }
        mount_host();
    }

    /// Builds the editor in the page's host, if one is there.
    fn mount_host() {
        if let Some(host) = document().query_selector(".layout-host").ok().flatten().and_then(|h| h.dyn_into().ok()) {
            mount(host);
        }
    }

    /// Builds the editor in `host`, in place of any other.
    fn mount(host: HtmlElement) {
        host.set_inner_html(FRAME);
        let find = |selector: &str| host.query_selector(selector).ok().flatten();
        let (Some(canvas), Some(rows)) = (find(".layout-canvas"), find(".layout-rows")) else { return };
        let Ok(canvas) = canvas.dyn_into::<HtmlElement>() else { return };
        let repaint = Closure::<dyn Fn()>::new(|| with_editor(|e| e.paint()));
        let Ok(observer) = MutationObserver::new(repaint.as_ref().unchecked_ref()) else { return };
        let options = MutationObserverInit::new();
        options.set_attributes(true);
        let _ = observer.observe_with_options(&host, &options);
        let editor = Rc::new(Editor { host, canvas, rows, state: RefCell::default(), _observer: (observer, repaint) });
        editor.paint();
        EDITOR.with(|e| {
            if let Some(old) = e.borrow_mut().replace(editor) {
                old._observer.0.disconnect();
            }
        });
    }

    fn with_editor(f: impl FnOnce(&Editor)) {
        if let Some(editor) = EDITOR.with(|e| e.borrow().clone()) {
            f(&editor);
        }
    }

    fn handle(name: &str, ev: &Event) {
        let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
        if name == "boxes:mount" {
            mount_host();
            return;
        }
        with_editor(|editor| {
            if !target.as_ref().is_some_and(|t| editor.host.contains(Some(t))) {
                return;
            }
            match name {
                "pointerdown" => editor.down(ev.unchecked_ref()),
                "pointermove" => editor.moved(ev.unchecked_ref()),
                "pointerup" | "pointercancel" => editor.up(),
                "keydown" => editor.key_down(ev.unchecked_ref()),
                "change" => editor.edited(ev),
                "click" => editor.clicked(ev),
                _ => {}
            }
        });
    }

    impl Editor {
        fn attr(&self, name: &str) -> Option<String> {
            self.host.get_attribute(name)
        }

        fn current(&self) -> Layout {
            Layout::read(&self.attr("data-text").unwrap_or_default())
        }

        /// Types `next` into the prompt, as a user would: the page hears an `input` event.
        fn save(&self, next: &Layout) {
            let prompt = next.write(self.attr("data-edit").is_some());
            let id = self.attr("data-prompt").unwrap_or_default();
            let Some(area) = document().get_element_by_id(&id).and_then(|a| a.dyn_into::<HtmlTextAreaElement>().ok())
            else {
                return;
            };
            area.set_value(&prompt);
            let init = EventInit::new();
            init.set_bubbles(true);
            if let Ok(input) = Event::new_with_event_init_dict("input", &init) {
                let _ = area.dispatch_event(&input);
            }
        }

        fn change(&self, edit: impl FnOnce(&mut Layout)) {
            let mut next = self.current();
            edit(&mut next);
            self.save(&next);
        }

        fn paint(&self) {
            let state = self.state.borrow();
            let shown = state.live.as_ref().map_or_else(|| self.current(), |(l, _)| l.clone());
            self.canvas.set_inner_html(&boxes_html(&shown, state.selected));
            // The shape, also for tall ratios: the height is capped in CSS, so is the width.
            let shape = aspect(self.attr("data-aspect").as_deref());
            let _ = self.canvas.style().set_property("aspect-ratio", &shape);
            let _ = self.canvas.style().set_property("max-width", &format!("calc(420px * {shape})"));
            let placed = self.canvas.children();
            for (i, rect) in shown.boxes.iter().filter_map(|b| b.rect).enumerate() {
                let Some(el) = placed.item(i as u32).and_then(|e| e.dyn_into::<HtmlElement>().ok()) else { break };
                for (property, value) in placement(rect) {
                    let _ = el.style().set_property(property, &value);
                }
            }
            drop(state);
            self.paint_rows(&shown);
        }

        /// Remakes the rows when the boxes' ids changed; otherwise updates their values
        /// in place, so the field being typed in keeps its focus.
        fn paint_rows(&self, shown: &Layout) {
            let inputs = self.rows.query_selector_all("input").ok();
            let inputs: Vec<HtmlInputElement> = (0..inputs.as_ref().map_or(0, |l| l.length()))
                .filter_map(|i| inputs.as_ref()?.item(i)?.dyn_into().ok())
                .collect();
            let same = inputs.len() == shown.boxes.len() * 2
                && shown.boxes.iter().zip(inputs.chunks(2)).all(|(b, pair)| pair[0].value() == b.id);
            if !same {
                self.rows.set_inner_html(&rows_html(shown));
                return;
            }
            let active = document().active_element();
            for (b, pair) in shown.boxes.iter().zip(inputs.chunks(2)) {
                let focused = active.as_ref().is_some_and(|a| a == pair[1].unchecked_ref::<Element>());
                if !focused && pair[1].value() != b.desc {
                    pair[1].set_value(&b.desc);
                }
            }
        }

        /// Where the pointer is on the grid: (down, across).
        fn at(&self, ev: &PointerEvent) -> (u16, u16) {
            let r = self.canvas.get_bounding_client_rect();
            let grid = |v: i32, start: f64, size: f64| {
                ((f64::from(v) - start) / size.max(1.0) * f64::from(GRID)).clamp(0.0, f64::from(GRID)) as u16
            };
            (grid(ev.client_y(), r.top(), r.height()), grid(ev.client_x(), r.left(), r.width()))
        }

        fn down(&self, ev: &PointerEvent) {
            let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
            let near = |selector: &str| target.as_ref().and_then(|t| t.closest(selector).ok().flatten());
            if near(".layout-canvas").is_none() {
                return;
            }
            // No text selection, no scrolling: the drag is the editor's.
            ev.prevent_default();
            let index = near("[data-box]").and_then(|b| b.get_attribute("data-box")?.parse::<usize>().ok());
            let grip = if near("[data-grip]").is_some() { Grip::Resize } else { Grip::Move };
            // Focus first: a row being edited commits its text (its `change`) before the
            // gesture copies the layout.
            let _ = self.canvas.focus();
            let from = self.at(ev);
            let mut next = self.current();
            let (index, grip) = match index {
                Some(i) => (i, grip),
                None => (add_box(&mut next, [from.0, from.1, from.0, from.1]), Grip::Draw),
            };
            let Some(rect) = next.boxes.get(index).and_then(|b| b.rect) else { return };
            {
                let mut state = self.state.borrow_mut();
                state.selected = Some(index);
                state.live = Some((next, Drag { index, grip, from, rect }));
            }
            let _ = self.canvas.set_pointer_capture(ev.pointer_id());
            self.paint();
        }

        fn moved(&self, ev: &PointerEvent) {
            let at = self.at(ev);
            {
                let mut state = self.state.borrow_mut();
                let Some((layout, drag)) = state.live.as_mut() else { return };
                if let Some(b) = layout.boxes.get_mut(drag.index) {
                    b.rect = Some(drag.to(at));
                }
            }
            self.paint();
        }

        /// The gesture ends: saved, unless it drew or resized a box below `MIN_SIDE` (a click,
        /// a slip), which leaves the prompt as it was. A small box from a prompt still moves.
        fn up(&self) {
            let Some((next, d)) = self.state.borrow_mut().live.take() else { return };
            let rect = next.boxes.get(d.index).and_then(|b| b.rect);
            let tiny = rect.is_some_and(|[t, l, b, r]| b - t < MIN_SIDE || r - l < MIN_SIDE);
            if tiny && d.grip != Grip::Move {
                if d.grip == Grip::Draw {
                    self.state.borrow_mut().selected = None;
                }
                self.paint();
                return;
            }
            self.save(&next);
        }

        fn key_down(&self, ev: &KeyboardEvent) {
            let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
            if ev.key() == "Enter" && target.as_ref().is_some_and(|t| t.has_attribute("data-row")) {
                // A row commits its text; Enter must not submit the form (and spend a run).
                ev.prevent_default();
                self.edited(ev);
                return;
            }
            if target.is_none_or(|t| t.class_name() != "layout-canvas") {
                return;
            }
            let dir = match ev.key().as_str() {
                "ArrowUp" => (-1, 0),
                "ArrowDown" => (1, 0),
                "ArrowLeft" => (0, -1),
                "ArrowRight" => (0, 1),
                "Delete" | "Backspace" => (0, 0),
                _ => return,
            };
            ev.prevent_default();
            let count = self.current().boxes.len();
            let selected = self.state.borrow().selected.filter(|i| *i < count);
            if dir == (0, 0) {
                // Delete removes only a box the user selected.
                if let Some(i) = selected {
                    self.state.borrow_mut().selected = None;
                    self.change(|l| remove(l, i));
                }
                return;
            }
            // Arrows with nothing selected take the first box, and show it selected.
            let Some(i) = selected.or((count > 0).then_some(0)) else { return };
            self.state.borrow_mut().selected = Some(i);
            let resize = ev.shift_key();
            self.change(|l| {
                if let Some(b) = l.boxes.get_mut(i) {
                    b.rect = b.rect.map(|r| nudged(r, dir, resize));
                }
            });
        }

        /// A row's id or description changed.
        fn edited(&self, ev: &Event) {
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
            let Some(i) = input.get_attribute("data-row").and_then(|r| r.parse::<usize>().ok()) else { return };
            let value = input.value();
            if input.get_attribute("data-part").as_deref() == Some("desc") {
                self.change(|l| {
                    if let Some(b) = l.boxes.get_mut(i) {
                        b.desc = value;
                    }
                });
                return;
            }
            let mut next = self.current();
            if rename(&mut next, i, &value) {
                self.save(&next);
            } else if let Some(b) = next.boxes.get(i) {
                // Not an id (or taken): the row shows the box's id again.
                input.set_value(&b.id);
            }
        }

        fn clicked(&self, ev: &Event) {
            let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
            let near = |selector: &str| target.as_ref().and_then(|t| t.closest(selector).ok().flatten());
            if let Some(i) = near("[data-remove]").and_then(|b| b.get_attribute("data-remove")?.parse::<usize>().ok()) {
                self.state.borrow_mut().selected = None;
                self.change(|l| remove(l, i));
            } else if near("[data-add]").is_some() {
                let mut next = self.current();
                self.state.borrow_mut().selected = Some(add_box(&mut next, MIDDLE));
                self.save(&next);
                let _ = self.canvas.focus();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drag_draws_moves_and_resizes_within_the_grid() {
        let draw = Drag { index: 0, grip: Grip::Draw, from: (500, 600), rect: [500, 600, 500, 600] };
        assert_eq!(draw.to((100, 900)), [100, 600, 500, 900], "drawn up and right");
        let mv = Drag { index: 0, grip: Grip::Move, from: (500, 500), rect: [400, 400, 600, 700] };
        assert_eq!(mv.to((550, 450)), [450, 350, 650, 650]);
        assert_eq!(mv.to((1000, 1000)), [800, 700, 1000, 1000], "stops at the edge, keeps its size");
        assert_eq!(mv.to((0, 0)), [0, 0, 200, 300]);
        let size = Drag { index: 0, grip: Grip::Resize, from: (600, 700), rect: [400, 400, 600, 700] };
        assert_eq!(size.to((300, 100)), [400, 400, 401, 401], "never inside out");
    }

    #[test]
    fn arrow_keys_step_and_stay_on_the_grid() {
        assert_eq!(nudged([0, 0, 100, 100], (-1, 0), false), [0, 0, 100, 100]);
        assert_eq!(nudged([0, 0, 100, 100], (1, 1), false), [10, 10, 110, 110]);
        assert_eq!(nudged([0, 0, 100, 100], (-1, -1), true), [0, 0, 90, 90]);
        assert_eq!(nudged([0, 0, 25, 25], (-1, -1), true), [0, 0, 20, 20], "at least MIN_SIDE");
        assert_eq!(nudged([900, 900, 1000, 1000], (1, 1), true), [900, 900, 1000, 1000]);
        // A prompt's box nearer the edge than MIN_SIDE: resizing keeps it, never traps.
        assert_eq!(nudged([990, 0, 1000, 100], (1, 0), true), [990, 0, 1000, 100]);
        assert_eq!(nudged([990, 0, 1000, 100], (-1, 0), true), [990, 0, 1000, 100]);
    }

    #[test]
    fn boxes_are_named_in_the_text_and_renamed_with_it() {
        let mut l = Layout::read("a poster");
        let i = add_box(&mut l, [10, 10, 200, 200]);
        assert_eq!(l.text, "a poster <obj_1>");
        assert!(rename(&mut l, i, "title 1!"));
        assert_eq!((l.text.as_str(), l.boxes[i].id.as_str()), ("a poster <title1>", "title1"));
        let j = add_box(&mut l, MIDDLE);
        assert!(!rename(&mut l, j, "title1"), "ids stay unique");
        assert!(!rename(&mut l, j, "<>"), "an id needs a letter or digit");
        remove(&mut l, i);
        assert_eq!(l.text, "a poster <obj_1>");
    }

    #[test]
    fn the_canvas_takes_the_aspect_ratio_or_is_square() {
        assert_eq!(aspect(Some("16:9")), "16 / 9");
        for odd in [None, Some("auto"), Some("0:1"), Some("1:x"), Some("\"><script>")] {
            assert_eq!(aspect(odd), "1 / 1", "{odd:?}");
        }
    }

    /// Descriptions come from share links: what they hold is shown, never run.
    #[test]
    fn what_a_box_holds_is_escaped_in_the_html() {
        let prompt = r#"p [{"id":"a","bbox":[0,0,500,500],"desc":"\"><img src=x onerror=alert(1)>"}]"#;
        let l = Layout::read(prompt);
        assert_eq!(l.boxes.len(), 1);
        let rows = rows_html(&l);
        assert!(!rows.contains("<img") && rows.contains("&quot;&gt;&lt;img"), "{rows}");
        assert!(boxes_html(&l, Some(0)).contains(r#"<div class="layout-box selected" data-box="0">"#));
        let place = placement([0, 255, 500, 1000]).map(|(k, v)| format!("{k}:{v}"));
        assert_eq!(place, ["top:0.0%", "left:25.5%", "height:50.0%", "width:74.5%"]);
    }
}
