//! A provider's refusal as the user sees it: the reason read from every error
//! shape the providers document (tests/fixtures/providers/NOTES.md), worded
//! "<Provider> …: <reason>", and an upstream 429 or 503 passed on as ours with
//! the provider's `Retry-After`. The text is redacted and shortened later, in
//! `generate::execute`; nothing here cuts it.

use super::rejected;
use crate::error::Error;
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::Value;

/// The longest `Retry-After` passed on, in seconds.
pub const MAX_RETRY_AFTER: u64 = 3600;

/// What a provider's error answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal<'a> {
    pub provider: &'a str,
    pub key_env: &'a str,
    /// What the status means at this provider (AI/ML API's 403 is our 402).
    pub status: u16,
    /// The provider's own words, if it gave any.
    pub why: Option<String>,
    /// Seconds the provider asked us to wait (429, 503).
    pub retry_after: Option<u64>,
    /// fal's `X-Fal-Retryable`.
    pub retryable: Option<bool>,
}

impl<'a> Refusal<'a> {
    /// Reads an error answer: status, headers and body.
    pub fn read(provider: &'a str, key_env: &'a str, status: u16, headers: &HeaderMap, body: &[u8]) -> Self {
        Self {
            provider,
            key_env,
            status,
            why: reason(headers, body),
            retry_after: retry_after(headers, body),
            retryable: header_text(headers, "x-fal-retryable").map(|v| v.eq_ignore_ascii_case("true")),
        }
    }

    /// Our error for it: the status's meaning, the provider's reason, what to do.
    pub fn error(self) -> Error {
        let Self { provider, key_env, status, why, retry_after, retryable } = self;
        let why = why.filter(|w| !w.is_empty() && !(300..400).contains(&status));
        if matches!(status, 400 | 422) {
            return match why {
                Some(why) => rejected(provider, &why),
                None => Error::Provider {
                    status: StatusCode::BAD_GATEWAY,
                    message: format!("{provider} rejected the request (status {status}) without saying why."),
                },
            };
        }
        // A key refusal may quote part of the key ("sk-ab***cdef"); the whole key is cut later.
        let why = if matches!(status, 401 | 403) { why.map(|w| hide_key_quotes(&w)) } else { why };
        let (code, lead, mut advice) = meaning(provider, status, key_env);
        if retryable == Some(false) && status >= 500 {
            advice = "Retrying the same request will not help.".into();
        }
        let message = sentence(lead, why.as_deref(), &advice);
        if matches!(status, 429 | 503) {
            Error::Upstream { status: code, message, retry_after }
        } else {
            Error::Provider { status: code, message }
        }
    }
}

/// "<lead>: <why>. <advice>", or "<lead>. <advice>" when the provider gave no reason.
pub fn sentence(lead: String, why: Option<&str>, advice: &str) -> String {
    let mut message = lead;
    match why {
        Some(why) => {
            message.push_str(": ");
            message.push_str(why);
            if !why.ends_with(['.', '!', '?', '…']) {
                message.push('.');
            }
        }
        None => message.push('.'),
    }
    if !advice.is_empty() {
        message.push(' ');
        message.push_str(advice);
    }
    message
}

/// A provider's error answer as our error (`status` as the provider sent it).
pub fn refusal(provider: &str, key_env: &str, status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    Refusal::read(provider, key_env, status, headers, body).error()
}

/// Our status, the sentence, and the advice for a provider's error status.
fn meaning(provider: &str, status: u16, key_env: &str) -> (StatusCode, String, String) {
    let (code, lead, advice) = match status {
        401 | 403 => (
            StatusCode::BAD_GATEWAY,
            format!("{provider} did not accept the API key"),
            format!("Check {key_env} on the server."),
        ),
        402 => (
            StatusCode::BAD_GATEWAY,
            format!("The {provider} account is out of credits"),
            "Top it up and retry.".into(),
        ),
        404 | 405 => {
            (StatusCode::BAD_GATEWAY, format!("{provider} does not know this endpoint or model"), String::new())
        }
        429 => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("{provider} is rate limiting this key"),
            "Wait a little and retry.".into(),
        ),
        503 => {
            (StatusCode::SERVICE_UNAVAILABLE, format!("{provider} is unavailable for now (503)"), "Retry later.".into())
        }
        504 => (StatusCode::GATEWAY_TIMEOUT, format!("{provider} timed out generating the image"), "Retry.".into()),
        300..=399 => (
            StatusCode::BAD_GATEWAY,
            format!("{provider} answered with a redirect ({status}); it was not followed, so the key stayed here"),
            String::new(),
        ),
        s if s >= 500 => {
            (StatusCode::BAD_GATEWAY, format!("{provider} had an internal error ({s})"), "Retry later.".into())
        }
        s => (StatusCode::BAD_GATEWAY, format!("{provider} answered with status {s}"), String::new()),
    };
    (code, lead, advice)
}

/// The provider's reason in an error body (JSON in any documented shape, or
/// short plain text), else fal's `X-Fal-Error-Type` header.
pub fn reason(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(json) => reason_in(&json),
        Err(_) => plain(body),
    };
    text.or_else(|| header_text(headers, "x-fal-error-type"))
}

/// The reason in a JSON answer, from the shapes NOTES.md documents:
/// - `detail`: a list of `{loc, msg, type}` (fal model errors, BFL's 422) or a
///   string (fal request errors, Replicate problem bodies, with their `title`);
///   also inside a fal webhook's `payload`;
/// - `message` (AI/ML API; BFL's 402/429 in its skill files; sd.cpp's 500);
/// - `error.message` (OpenAI-compatible engines);
/// - `error` as text (Segmind, sd.cpp, a Replicate prediction, a BFL task);
/// - `details` (a BFL task), `error_type` (fal), or the body as one JSON string.
pub fn reason_in(json: &Value) -> Option<String> {
    let member = |key: &str| json.get(key).map(text_of).filter(|t| !t.is_empty());
    if let Some(detail) = json.get("detail").or_else(|| json.pointer("/payload/detail")).and_then(detail) {
        return Some(match member("title") {
            Some(title) if !detail.contains(&title) => format!("{title}: {detail}"),
            _ => detail,
        });
    }
    member("message")
        .or_else(|| json.pointer("/error/message").map(text_of).filter(|t| !t.is_empty()))
        .or_else(|| json.get("error").filter(|e| !e.is_object()).map(text_of).filter(|t| !t.is_empty()))
        .or_else(|| member("title"))
        .or_else(|| member("details"))
        .or_else(|| member("error_type"))
        .or_else(|| json.as_str().map(collapse).filter(|t| !t.is_empty()))
}

/// FastAPI's `detail`: `loc` (without the leading "body") and `msg` of each item.
fn detail(value: &Value) -> Option<String> {
    let text = match value {
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let msg = item.get("msg").or_else(|| item.get("type")).map_or_else(|| text_of(item), text_of);
                let at: Vec<String> = item
                    .get("loc")
                    .and_then(Value::as_array)
                    .map(|loc| loc.iter().skip_while(|l| l.as_str() == Some("body")).map(text_of).collect())
                    .unwrap_or_default();
                if at.is_empty() {
                    msg
                } else {
                    format!("{}: {msg}", at.join("."))
                }
            })
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
        other => text_of(other),
    };
    (!text.is_empty()).then_some(text)
}

/// Any JSON value as one line: lists joined with commas, objects as `key: value`.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => collapse(s),
        Value::Array(items) => items.iter().map(text_of).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k, text_of(v)))
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// A plain-text body (not an HTML error page) as one line.
fn plain(body: &[u8]) -> Option<String> {
    let text = collapse(std::str::from_utf8(body).ok()?);
    (!text.is_empty() && !text.starts_with('<')).then_some(text)
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(collapse).filter(|v| !v.is_empty())
}

/// Words in a key refusal that look like a quoted key, masked or whole.
fn hide_key_quotes(text: &str) -> String {
    let looks_like_key = |word: &str| {
        let word = word.trim_matches(|c: char| matches!(c, '.' | ',' | ';' | ':' | '(' | ')' | '"' | '\'' | '`'));
        let masked = (word.contains("***") || word.contains("...") || word.contains('…'))
            && word.chars().any(|c| c.is_ascii_alphanumeric());
        let token = word.len() >= 20
            && word.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            && word.chars().any(|c| c.is_ascii_digit())
            && word.chars().any(|c| c.is_ascii_alphabetic());
        masked || token
    };
    text.split(' ').map(|w| if looks_like_key(w) { "[redacted]" } else { w }).collect::<Vec<_>>().join(" ")
}

/// The wait a provider asked for: `Retry-After` in seconds or as an HTTP date,
/// else a `retry_after` number in the JSON body (BFL's skill files); at most
/// [`MAX_RETRY_AFTER`].
pub fn retry_after(headers: &HeaderMap, body: &[u8]) -> Option<u64> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after_value(v, i64::try_from(now).ok()?))
        .or_else(|| {
            let json = serde_json::from_slice::<Value>(body).ok()?;
            let secs = json.get("retry_after")?.as_f64().filter(|s| s.is_finite() && *s >= 0.0)?;
            Some((secs.ceil() as u64).min(MAX_RETRY_AFTER))
        })
}

/// A `Retry-After` value at `now` (Unix seconds) as seconds from now.
pub fn retry_after_value(value: &str, now: i64) -> Option<u64> {
    let value = value.trim();
    let secs = if let Ok(secs) = value.parse::<u64>() {
        secs
    } else if let Some(secs) = value.parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0) {
        secs.ceil() as u64
    } else {
        u64::try_from(http_date(value)? - now).unwrap_or(0)
    };
    Some(secs.min(MAX_RETRY_AFTER))
}

/// An HTTP date in any of the three forms HTTP allows (IMF-fixdate, RFC 850,
/// asctime) as Unix seconds, read by `httpdate` (hyper's own).
fn http_date(value: &str) -> Option<i64> {
    let at = httpdate::parse_http_date(value).ok()?;
    i64::try_from(at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn why(body: Value) -> Option<String> {
        reason_in(&body)
    }

    #[test]
    fn reads_every_documented_shape() {
        // fal model error, BFL 422: loc without "body", then msg.
        let fal = json!({"detail": [{"loc": ["body", "guidance_scale"], "msg": "Input should be less than or equal to 20", "type": "less_than_equal"}]});
        assert_eq!(why(fal).unwrap(), "guidance_scale: Input should be less than or equal to 20");
        let whole =
            json!({"detail": [{"loc": ["body"], "msg": "Internal server error", "type": "internal_server_error"}]});
        assert_eq!(why(whole).unwrap(), "Internal server error");
        // fal request error, Replicate problem body (with its title).
        assert_eq!(
            why(json!({"detail": "Request timed out", "error_type": "request_timeout"})).unwrap(),
            "Request timed out"
        );
        let problem = json!({"title": "Input validation failed", "detail": "- input.guidance: Must be at most 10\n", "status": 422});
        assert_eq!(why(problem).unwrap(), "Input validation failed: - input.guidance: Must be at most 10");
        // AI/ML API, OpenAI-compatible, Segmind / sd.cpp, sd.cpp's 500, BFL's skill 402.
        assert_eq!(why(json!({"message": "Too Many Requests", "statusCode": "429"})).unwrap(), "Too Many Requests");
        assert_eq!(why(json!({"error": {"code": 400, "message": "bad size", "type": ""}})).unwrap(), "bad size");
        assert_eq!(why(json!({"error": "prompt required"})).unwrap(), "prompt required");
        assert_eq!(why(json!({"error": "server_error", "message": "out of memory"})).unwrap(), "out of memory");
        assert_eq!(
            why(json!({"error": "insufficient_credits", "message": "Your account does not have enough credits"}))
                .unwrap(),
            "Your account does not have enough credits"
        );
        // A NestJS-style list, a BFL task's details, a fal webhook's payload.
        assert_eq!(
            why(json!({"message": ["prompt must be a string", "seed must be a number"]})).unwrap(),
            "prompt must be a string, seed must be a number"
        );
        assert_eq!(
            why(json!({"status": "Content Moderated", "details": {"Moderation Reasons": ["Derivative Works"]}}))
                .unwrap(),
            "Moderation Reasons: Derivative Works"
        );
        let webhook = json!({"status": "ERROR", "error": "Invalid status code: 422", "payload": {"detail": [{"loc": ["body", "prompt"], "msg": "field required"}]}});
        assert_eq!(why(webhook).unwrap(), "prompt: field required");
        assert_eq!(why(json!({"status": "Error", "details": null, "result": null})), None);
    }

    #[test]
    fn plain_text_counts_html_does_not_and_fal_headers_fill_in() {
        let none = HeaderMap::new();
        assert_eq!(reason(&none, b"  upstream\n overloaded ").unwrap(), "upstream overloaded");
        assert_eq!(reason(&none, b"<html><body>502 Bad Gateway</body></html>"), None);
        let mut fal = HeaderMap::new();
        fal.insert("x-fal-error-type", "runner_unavailable".parse().unwrap());
        assert_eq!(reason(&fal, b"").unwrap(), "runner_unavailable");
    }

    #[test]
    fn messages_lead_with_the_meaning_and_quote_the_reason() {
        let refusal = |status, why: Option<&str>| {
            Refusal {
                provider: "P",
                key_env: "P_KEY",
                status,
                why: why.map(str::to_owned),
                retry_after: None,
                retryable: None,
            }
            .error()
        };
        assert_eq!(refusal(500, None).to_string(), "P had an internal error (500). Retry later.");
        assert_eq!(refusal(500, Some("boom")).to_string(), "P had an internal error (500): boom. Retry later.");
        assert_eq!(refusal(422, Some("width: too big")).to_string(), "P rejected the request: width: too big");
        assert!(!refusal(302, Some("moved")).to_string().contains("moved"), "a redirect's body is not read");
        let key = refusal(401, Some("Incorrect API key provided: sk-ab***cdef. See docs.")).to_string();
        assert_eq!(
            key,
            "P did not accept the API key: Incorrect API key provided: [redacted] See docs. Check P_KEY on the server."
        );
        let Error::Upstream { status, retry_after, .. } =
            Refusal { retry_after: Some(7), ..Refusal::read("P", "K", 503, &HeaderMap::new(), b"") }.error()
        else {
            panic!("503 is passed on")
        };
        assert_eq!((status, retry_after), (StatusCode::SERVICE_UNAVAILABLE, Some(7)));
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_is_clamped() {
        let now = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(retry_after_value("5", now), Some(5));
        assert_eq!(retry_after_value(" 1.5 ", now), Some(2));
        assert_eq!(retry_after_value("999999", now), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after_value("Sun, 06 Nov 1994 08:50:07 GMT", now), Some(30));
        assert_eq!(retry_after_value("Sunday, 06-Nov-94 08:50:07 GMT", now), Some(30));
        assert_eq!(retry_after_value("Sun Nov  6 08:50:07 1994", now), Some(30));
        assert_eq!(retry_after_value("Sun, 06 Nov 1994 08:00:00 GMT", now), Some(0), "a date gone by");
        assert_eq!(retry_after_value("Mon, 07 Nov 1994 08:49:37 GMT", now), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after_value("soon", now), None);
        assert_eq!(retry_after_value("-3", now), None);
        let body = br#"{"error":"rate_limit_exceeded","message":"Too many concurrent requests","retry_after":5}"#;
        assert_eq!(retry_after(&HeaderMap::new(), body), Some(5));
    }
}
