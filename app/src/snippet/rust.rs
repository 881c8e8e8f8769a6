//! Rust with reqwest (blocking) and serde_json. The body is parsed from a raw
//! string with enough `#`s that no prompt can end it, written as ASCII-only
//! JSON: rustc refuses bidi control characters in literals, and escapes parse
//! to the same body.

use super::literal::ascii_json;
use super::{auth_header, placeholder, KeyStyle};
use crate::request::ApiRequest;

pub fn rust(req: &ApiRequest, key: KeyStyle) -> String {
    let body = ascii_json(&serde_json::to_string_pretty(&req.body).expect("JSON values serialise"));
    let hashes = "#".repeat(longest_hash_run_after_quote(&body) + 1);
    let key_line = match key {
        KeyStyle::Env => format!("    let key = std::env::var({:?})?;\n", req.key_env),
        KeyStyle::Placeholder => format!("    let key = {:?};\n", placeholder(req)),
    };
    let (name, value) = auth_header(req, "{key}");
    let handle = match req.output_file() {
        Some(file) => format!("    std::fs::write({file:?}, response.bytes()?)?;\n    println!(\"saved {{}}\", {file:?});\n"),
        None => "    let answer: serde_json::Value = response.json()?;\n    println!(\"{}\", serde_json::to_string_pretty(&answer)?);\n"
            .to_owned(),
    };
    format!(
        "// Cargo.toml:\n// reqwest = {{ version = \"0.12\", features = [\"blocking\", \"json\"] }}\n// serde_json = \"1\"\n\n\
         fn main() -> Result<(), Box<dyn std::error::Error>> {{\n{key_line}    \
         let body: serde_json::Value = serde_json::from_str(\n        r{hashes}\"{body}\"{hashes},\n    )?;\n    \
         let response = reqwest::blocking::Client::builder()\n        \
         .timeout(std::time::Duration::from_secs(300))\n        .build()?\n        \
         .post({url:?})\n        .header({name:?}, format!({value:?}))\n        .json(&body)\n        .send()?\n        \
         .error_for_status()?;\n{handle}    Ok(())\n}}\n",
        url = req.url,
    )
}

/// The longest run of `#` right after a `"` in `text`.
fn longest_hash_run_after_quote(text: &str) -> usize {
    text.split('"').skip(1).map(|rest| rest.chars().take_while(|c| *c == '#').count()).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use crate::request::build;
    use serde_json::json;

    #[test]
    fn raw_string_outlasts_any_hash_run() {
        let m = find("aimlapi/flux/dev").unwrap();
        let req = build(m, json!({"prompt": "a \"## b"}).as_object().unwrap(), m.provider.base_url);
        let s = rust(&req, KeyStyle::Env);
        // The JSON has `\"##`: the raw string needs three hashes.
        assert!(s.contains("r###\"{"), "{s}");
        assert!(s.contains("}\"###,"), "{s}");
        assert!(s.contains("let key = std::env::var(\"AIMLAPI_KEY\")?;"));
        assert!(s.contains(".header(\"Authorization\", format!(\"Bearer {key}\"))"), "{s}");
    }
}
