//! JavaScript with `fetch` (Node 18+ or Deno; `process.env` holds the key).

use super::literal::{literal, string, Dialect};
use super::{auth_header, placeholder, KeyStyle};
use crate::request::ApiRequest;

/// The auth header's value as a JavaScript expression.
pub(super) fn key_value(req: &ApiRequest, key: KeyStyle) -> String {
    match key {
        // A template literal: only `${…}` is special, and the rest is a fixed header prefix.
        KeyStyle::Env => {
            let (_, value) = auth_header(req, &format!("${{process.env.{}}}", req.key_env));
            format!("`{value}`")
        }
        KeyStyle::Placeholder => string(&auth_header(req, &placeholder(req)).1, Dialect::JavaScript),
    }
}

pub fn javascript(req: &ApiRequest, key: KeyStyle) -> String {
    let q = |s: &str| string(s, Dialect::JavaScript);
    let (name, _) = auth_header(req, "");
    let (prelude, handle) = match req.output_file() {
        Some(file) => (
            "const fs = require(\"node:fs\");\n\n",
            format!(
                "  fs.writeFileSync({0}, Buffer.from(await response.arrayBuffer()));\n  console.log(\"saved\", {0});\n",
                q(&file)
            ),
        ),
        None => ("", "  console.log(JSON.stringify(await response.json(), null, 2));\n".to_owned()),
    };
    format!(
        "{prelude}const payload = {payload};\n\nasync function main() {{\n  const response = await fetch({url}, {{\n    \
         method: \"POST\",\n    headers: {{\n      {name}: {value},\n      \"Content-Type\": \"application/json\",\n    }},\n    \
         body: JSON.stringify(payload),\n  }});\n  if (!response.ok) {{\n    \
         throw new Error(`${{response.status}}: ${{await response.text()}}`);\n  }}\n{handle}}}\n\n\
         main().catch((error) => {{\n  console.error(error);\n  process.exitCode = 1;\n}});\n",
        payload = literal(&req.body, Dialect::JavaScript, 2, 0),
        url = q(&req.url),
        name = q(name),
        value = key_value(req, key),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use crate::request::build;
    use serde_json::json;

    #[test]
    fn env_key_is_a_template_literal_and_prompts_are_escaped() {
        let m = find("1min/black-forest-labs/flux-dev").unwrap();
        let req = build(m, json!({"prompt": "`${x}` \u{2028}"}).as_object().unwrap(), m.provider.base_url);
        let s = javascript(&req, KeyStyle::Env);
        assert!(s.contains("\"API-KEY\": `${process.env.ONEMIN_AI_API_KEY}`,"), "{s}");
        assert!(s.contains(r#""prompt": "`${x}` \u2028","#), "{s}");
        assert!(s.contains("\"promptObject\": {\n"), "{s}");
    }
}
