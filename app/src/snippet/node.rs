//! Node with axios, as Segmind's docs do.

use super::javascript::{extra_headers, key_value, task_script};
use super::literal::{literal, string, Dialect};
use super::{auth_header, task, Key};
use crate::request::ApiRequest;

pub fn node(req: &ApiRequest, key: Key) -> String {
    let q = |s: &str| string(s, Dialect::JavaScript);
    if let Some(task) = task(req) {
        let submit = format!(
            "(\n    await axios.post({}, payload, {{\n      headers: {{ ...auth, {}\"Content-Type\": \"application/json\" }},\n    }})\n  ).data",
            q(&req.url),
            extra_headers(task),
        );
        // axios's error carries the provider's answer: its status and body say why.
        let catch = "main().catch((error) => {\n  \
                     const why = error.response ? `${error.response.status}: ${JSON.stringify(error.response.data)}` : error.message;\n  \
                     console.error(\"Error:\", why);\n  process.exitCode = 1;\n});\n";
        return task_script(
            req,
            task,
            key,
            "const axios = require(\"axios\");\n\n",
            "",
            &submit,
            |url| format!("(await axios.get({url}, {{ headers: auth, timeout: 120000 }})).data"),
            catch,
        );
    }
    let (name, _) = auth_header(req, "");
    let (prelude, response_type, handle) = match req.output_file() {
        Some(file) => (
            "const fs = require(\"node:fs\");\n",
            "    responseType: \"arraybuffer\",\n",
            format!(
                "(response) => {{\n    fs.writeFileSync({0}, response.data);\n    console.log(\"saved\", {0});\n  }}",
                q(&file)
            ),
        ),
        None => ("", "", "(response) => console.log(JSON.stringify(response.data, null, 2))".to_owned()),
    };
    format!(
        "const axios = require(\"axios\");\n{prelude}\nconst payload = {payload};\n\naxios\n  .post({url}, payload, {{\n    \
         headers: {{\n      {name}: {value},\n      \"Content-Type\": \"application/json\",\n    }},\n{response_type}  }})\n  \
         .then({handle})\n  .catch((error) => {{\n    \
         console.error(\"Error:\", error.response ? error.response.status : error.message);\n    \
         process.exitCode = 1;\n  }});\n",
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
    use crate::snippet::KeyStyle;
    use serde_json::json;

    #[test]
    fn segmind_asks_for_bytes_and_writes_the_file() {
        let m = find("segmind/flux-dev").unwrap();
        let req = build(m, json!({"prompt": "p", "output_format": "jpg"}).as_object().unwrap(), m.provider.base_url);
        let s = node(&req, KeyStyle::Placeholder.into());
        assert!(s.contains("\"x-api-key\": \"<YOUR_SEGMIND_API_KEY>\","), "{s}");
        assert!(s.contains("responseType: \"arraybuffer\""));
        assert!(s.contains("fs.writeFileSync(\"flux-dev.jpg\", response.data);"));
    }
}
