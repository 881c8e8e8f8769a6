//! JSON values as source literals. Strings go through serde_json's escaping,
//! which yields valid Python and JavaScript string literals; JavaScript also
//! needs U+2028/U+2029 escaped (RFC 8259 erratum 5218).

use serde_json::Value;

#[derive(Clone, Copy)]
pub enum Dialect {
    Python,
    JavaScript,
}

/// `value` pretty-printed, nested lines indented by `indent` spaces per level,
/// starting at nesting `depth`.
pub fn literal(value: &Value, dialect: Dialect, indent: usize, depth: usize) -> String {
    let pad = |d: usize| " ".repeat(indent * d);
    match value {
        Value::Null => match dialect {
            Dialect::Python => "None".into(),
            Dialect::JavaScript => "null".into(),
        },
        Value::Bool(b) => match (dialect, b) {
            (Dialect::Python, true) => "True".into(),
            (Dialect::Python, false) => "False".into(),
            (Dialect::JavaScript, b) => b.to_string(),
        },
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s, dialect),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|v| format!("{}{},", pad(depth + 1), literal(v, dialect, indent, depth + 1)))
                .collect();
            format!("[\n{}\n{}]", inner.join("\n"), pad(depth))
        }
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!("{}{}: {},", pad(depth + 1), string(k, dialect), literal(v, dialect, indent, depth + 1))
                })
                .collect();
            format!("{{\n{}\n{}}}", inner.join("\n"), pad(depth))
        }
    }
}

/// A double-quoted string literal for any input.
pub fn string(s: &str, dialect: Dialect) -> String {
    let json = terminal_safe(&serde_json::to_string(s).expect("strings serialise"));
    match dialect {
        Dialect::Python => json,
        Dialect::JavaScript => json.replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029"),
    }
}

/// JSON text with DEL (U+007F) and the C1 controls (U+0080–U+009F) as `\u00XX`, as serde_json
/// already writes the C0 controls: pasted into a terminal without bracketed paste, a raw control
/// character could edit the command line. In JSON text they only occur inside strings, where the
/// escape means the same.
pub fn terminal_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// JSON text with every non-ASCII character as `\uXXXX` (surrogate pairs above U+FFFF).
/// Non-ASCII only ever occurs inside JSON strings, where these escapes mean the same.
pub fn ascii_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() && c != '\u{7f}' {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_and_javascript_spellings() {
        let v = json!({"a": true, "b": null, "c": [1, "x"], "d": {}});
        assert_eq!(
            literal(&v, Dialect::Python, 4, 0),
            "{\n    \"a\": True,\n    \"b\": None,\n    \"c\": [\n        1,\n        \"x\",\n    ],\n    \"d\": {},\n}"
        );
        assert!(literal(&v, Dialect::JavaScript, 2, 0).contains("\"a\": true,\n  \"b\": null,"));
    }

    #[test]
    fn javascript_escapes_line_separators() {
        assert_eq!(string("a\u{2028}b\u{2029}", Dialect::JavaScript), r#""a\u2028b\u2029""#);
        assert_eq!(string("a\u{2028}b", Dialect::Python), "\"a\u{2028}b\"");
        assert_eq!(string("tab\t\"q\" \\", Dialect::Python), r#""tab\t\"q\" \\""#);
    }

    #[test]
    fn no_raw_control_character_reaches_a_snippet() {
        let nasty = "a\u{7f}b\u{85}c\u{9b}[31md\u{1b}e";
        for text in [
            string(nasty, Dialect::Python),
            string(nasty, Dialect::JavaScript),
            terminal_safe(&serde_json::to_string(nasty).unwrap()),
            ascii_json(&serde_json::to_string(nasty).unwrap()),
        ] {
            assert!(!text.chars().any(char::is_control), "{text:?}");
            assert_eq!(serde_json::from_str::<String>(&text).unwrap(), nasty, "{text}");
        }
    }

    #[test]
    fn ascii_json_round_trips() {
        let text = serde_json::to_string_pretty(&json!({"p": "é\u{2028}🦖’"})).unwrap();
        let ascii = ascii_json(&text);
        assert!(ascii.is_ascii());
        assert_eq!(serde_json::from_str::<serde_json::Value>(&ascii).unwrap(), json!({"p": "é\u{2028}🦖’"}));
    }
}
