//! Python with `requests`, as the providers' own examples use.

use super::literal::{literal, string, Dialect};
use super::{auth_header, placeholder, KeyStyle};
use crate::request::ApiRequest;

pub fn python(req: &ApiRequest, key: KeyStyle) -> String {
    let q = |s: &str| string(s, Dialect::Python);
    let (name, value) = auth_header(req, "\u{0}");
    let (before, after) = value.split_once('\u{0}').unwrap_or((&value, ""));
    let key_expr = match key {
        KeyStyle::Env => format!("os.environ[{}]", q(req.key_env)),
        KeyStyle::Placeholder => q(&placeholder(req)),
    };
    let mut parts = Vec::new();
    if !before.is_empty() {
        parts.push(q(before));
    }
    parts.push(key_expr);
    if !after.is_empty() {
        parts.push(q(after));
    }
    let header_value = parts.join(" + ");
    let (imports, handle) = match req.output_file() {
        Some(file) => (
            "import os\n\nimport requests\n",
            format!("with open({0}, \"wb\") as f:\n    f.write(response.content)\nprint(\"saved\", {0})\n", q(&file)),
        ),
        None => (
            "import json\nimport os\n\nimport requests\n",
            "print(json.dumps(response.json(), indent=2, ensure_ascii=False))\n".to_owned(),
        ),
    };
    format!(
        "{imports}\nurl = {url}\nheaders = {{\n    {name}: {header_value},\n    \"Content-Type\": \"application/json\",\n}}\n\
         payload = {payload}\n\nresponse = requests.post(url, headers=headers, json=payload, timeout=300)\n\
         response.raise_for_status()\n{handle}",
        url = q(&req.url),
        name = q(name),
        payload = literal(&req.body, Dialect::Python, 4, 0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use crate::request::build;
    use serde_json::json;

    #[test]
    fn golden_flux_dev() {
        let m = find("aimlapi/flux/dev").unwrap();
        let req = build(m, json!({"prompt": "a \"cat\""}).as_object().unwrap(), m.provider.base_url);
        assert_eq!(
            python(&req, KeyStyle::Env),
            "import json\nimport os\n\nimport requests\n\n\
             url = \"https://api.aimlapi.com/v1/images/generations\"\n\
             headers = {\n    \"Authorization\": \"Bearer \" + os.environ[\"AIMLAPI_KEY\"],\n    \"Content-Type\": \"application/json\",\n}\n\
             payload = {\n    \"model\": \"flux/dev\",\n    \"prompt\": \"a \\\"cat\\\"\",\n}\n\n\
             response = requests.post(url, headers=headers, json=payload, timeout=300)\n\
             response.raise_for_status()\n\
             print(json.dumps(response.json(), indent=2, ensure_ascii=False))\n"
        );
    }

    #[test]
    fn placeholder_keys_are_plain_strings() {
        let m = find("segmind/flux-dev").unwrap();
        let req = build(m, json!({"prompt": "p", "output_format": "png"}).as_object().unwrap(), m.provider.base_url);
        let s = python(&req, KeyStyle::Placeholder);
        assert!(s.contains("\"x-api-key\": \"<YOUR_SEGMIND_API_KEY>\","), "{s}");
        assert!(s.contains("with open(\"flux-dev.png\", \"wb\") as f:"), "{s}");
    }
}
