//! FLUX 3's layouts: boxes written into the prompt, as BFL's bounding-box guide
//! and its examples show (providers-flux2-flux3.md §1.3): the description, a space,
//! then a JSON list with one row per element, named in the text as `<id>`:
//! - to generate: `{"id","bbox":[top,left,bottom,right],"desc"}`;
//! - to edit (reference images given): `{"id","from","src_bbox","tgt_bbox","desc"}`,
//!   where a new element has `from` and `src_bbox` null.
//!
//! Coordinates are whole numbers from 0 to 1000 from the top-left corner, whatever
//! the output's size. The prompt is the only state: the box editor reads its boxes from
//! it and writes them back, so share links, snippets and the request carry them as typed.

use serde_json::{json, Map, Value};

/// The grid every coordinate is on.
pub const GRID: u16 = 1000;
/// Where a layout may start, the most places tried (see [`Layout::read`]).
const MOST_TRIES: usize = 16;

/// One element of a layout.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutBox {
    /// Letters, digits and `_`, as the text names it: `<id>`.
    pub id: String,
    /// `[top, left, bottom, right]`; `None` on an edit row that removes an element.
    pub rect: Option<[u16; 4]>,
    pub desc: String,
    /// An edit row's source (`from`, `src_bbox`), kept as it was read.
    pub source: Option<(Value, Value)>,
}

/// A prompt split into its description and its layout (empty where it has none).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    pub text: String,
    pub boxes: Vec<LayoutBox>,
}

impl Layout {
    /// Reads a prompt: a trailing JSON list of rows is its layout; anything else is text.
    pub fn read(prompt: &str) -> Self {
        let trimmed = prompt.trim_end();
        if trimmed.ends_with(']') {
            // The list starts at a `[` before a `{`; the first from the left that reads whole
            // wins. Only the last few are tried, so a prompt full of them (a shared link) costs
            // a bounded number of parses, not one per bracket.
            let starts: Vec<usize> = trimmed
                .match_indices('[')
                .filter(|(at, _)| trimmed[at + 1..].trim_start().starts_with('{'))
                .map(|(at, _)| at)
                .collect();
            for &at in &starts[starts.len().saturating_sub(MOST_TRIES)..] {
                let Ok(Value::Array(rows)) = serde_json::from_str::<Value>(&trimmed[at..]) else { continue };
                let Some(boxes) = rows.iter().map(row).collect::<Option<Vec<_>>>() else { continue };
                if boxes.is_empty() {
                    continue;
                }
                let text = trimmed[..at].strip_suffix(' ').unwrap_or(&trimmed[..at]).to_owned();
                return Self { text, boxes };
            }
        }
        Self { text: prompt.to_owned(), boxes: Vec::new() }
    }

    /// The prompt this layout makes; `edit` writes edit rows (reference images are given).
    pub fn write(&self, edit: bool) -> String {
        if self.boxes.is_empty() {
            return self.text.clone();
        }
        let rows: Vec<Value> = self.boxes.iter().map(|b| b.row(edit)).collect();
        let list = serde_json::to_string(&rows).unwrap_or_default();
        if self.text.is_empty() {
            list
        } else {
            format!("{} {list}", self.text)
        }
    }

    /// An id not used yet: `obj_1`, `obj_2`, …
    pub fn next_id(&self) -> String {
        (1..).map(|n| format!("obj_{n}")).find(|id| self.boxes.iter().all(|b| &b.id != id)).unwrap_or_default()
    }
}

impl LayoutBox {
    fn row(&self, edit: bool) -> Value {
        let rect = self.rect.map_or(Value::Null, |r| json!(r));
        let mut row = Map::new();
        row.insert("id".into(), json!(self.id));
        if edit || self.source.is_some() {
            let (from, src) = self.source.clone().unwrap_or((Value::Null, Value::Null));
            row.insert("from".into(), from);
            row.insert("src_bbox".into(), src);
            row.insert("tgt_bbox".into(), rect);
        } else {
            row.insert("bbox".into(), rect);
        }
        row.insert("desc".into(), json!(self.desc));
        Value::Object(row)
    }
}

/// A row of either shape, or `None` if it is not one.
fn row(value: &Value) -> Option<LayoutBox> {
    let obj = value.as_object()?;
    let id = obj.get("id")?.as_str()?;
    let named = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let desc = obj.get("desc")?.as_str()?.to_owned();
    let generate = obj.len() == 3 && obj.contains_key("bbox");
    let edit = obj.len() == 5 && ["from", "src_bbox", "tgt_bbox"].iter().all(|k| obj.contains_key(*k));
    if !named || !(generate || edit) {
        return None;
    }
    let rect = match obj.get(if generate { "bbox" } else { "tgt_bbox" })? {
        Value::Null if edit => None,
        v => Some(rect(v)?),
    };
    // Only a row that points into a reference keeps its source: a new element's row takes
    // whichever shape the prompt is written in.
    let source = (edit && !obj["from"].is_null()).then(|| (obj["from"].clone(), obj["src_bbox"].clone()));
    Some(LayoutBox { id: id.to_owned(), rect, desc, source })
}

/// `[top, left, bottom, right]` on the grid, top above bottom and left of right.
fn rect(value: &Value) -> Option<[u16; 4]> {
    let items = value.as_array().filter(|a| a.len() == 4)?;
    let mut out = [0u16; 4];
    for (slot, item) in out.iter_mut().zip(items) {
        *slot = item.as_u64().filter(|n| *n <= u64::from(GRID))? as u16;
    }
    (out[0] < out[2] && out[1] < out[3]).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BFL's FLUX 3 example (an edit), as its docs print it: read and written back unchanged.
    const BFL_EDIT: &str = r#"In <ref_image_0>, change the large tiger <animal_1> to be pink. Keep the massive fallen log <log_1> exactly unchanged. [{"id":"animal_1","from":null,"src_bbox":null,"tgt_bbox":[250,50,850,650],"desc":"Make both pink."},{"id":"log_1","from":"ref_image_0","src_bbox":[600,0,1000,1000],"tgt_bbox":[600,0,1000,1000],"desc":"A massive, fallen tree log."}]"#;

    #[test]
    fn bfls_edit_example_reads_and_writes_back_unchanged() {
        let layout = Layout::read(BFL_EDIT);
        assert_eq!(layout.boxes.len(), 2);
        assert_eq!(layout.boxes[0].rect, Some([250, 50, 850, 650]));
        assert!(layout.text.ends_with("exactly unchanged."));
        assert_eq!(layout.write(true), BFL_EDIT);
    }

    #[test]
    fn a_generation_layout_is_text_a_space_and_bbox_rows() {
        let mut layout = Layout::read("A dome <obj_1> over the bay");
        assert!(layout.boxes.is_empty());
        layout.boxes.push(LayoutBox {
            id: layout.next_id(),
            rect: Some([250, 150, 650, 850]),
            desc: "a \"pale\" concrete dome".into(),
            source: None,
        });
        let prompt = layout.write(false);
        assert_eq!(
            prompt,
            r#"A dome <obj_1> over the bay [{"id":"obj_1","bbox":[250,150,650,850],"desc":"a \"pale\" concrete dome"}]"#
        );
        assert_eq!(Layout::read(&prompt), layout);
        assert_eq!(layout.next_id(), "obj_2");
    }

    /// Text full of bracketed objects (only the last few starts are tried): the layout at the
    /// end is still found, with the text before it kept.
    #[test]
    fn a_layout_after_many_bracketed_objects_is_still_found() {
        let text = "[{}] ".repeat(5000);
        let prompt = format!("{text}[{}]", r#"{"id":"a","bbox":[0,0,10,10],"desc":"x"}"#);
        let layout = Layout::read(&prompt);
        assert_eq!(layout.boxes.len(), 1);
        assert_eq!(layout.text, text.trim_end());
    }

    /// Text that merely ends in brackets, or rows that break the grammar, stay text.
    #[test]
    fn what_is_not_a_layout_stays_text() {
        for prompt in [
            "a sign that says [OPEN]",
            "rows [1, 2]",
            r#"p [{"id":"a b","bbox":[0,0,10,10],"desc":"x"}]"#,
            r#"p [{"id":"a","bbox":[10,0,5,10],"desc":"x"}]"#,
            r#"p [{"id":"a","bbox":[0,0,1001,10],"desc":"x"}]"#,
            r#"p [{"id":"a","bbox":[0,0,10,10],"desc":"x","color":"red"}]"#,
            "p []",
        ] {
            let layout = Layout::read(prompt);
            assert!(layout.boxes.is_empty(), "{prompt}");
            assert_eq!(layout.text, prompt);
            assert_eq!(layout.write(false), prompt);
        }
    }
}
