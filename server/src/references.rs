//! A reference image given as a URL is fetched here, through the
//! public-internet-only fetcher, decoded like an upload (`decode`), and handed to the
//! provider as an upload. So no provider is sent a URL someone typed (they
//! would fetch it for us), and nothing on our side fetches it unchecked.

use crate::error::Error;
use crate::state::AppState;
use app::catalog::{Kind, ModelRef};
use app::validate::FieldError;
use serde_json::{Map, Value};

/// Replaces every URL in an image field with an upload reference.
pub async fn fetch_urls(state: &AppState, model: ModelRef, params: &mut Map<String, Value>) -> Result<(), Error> {
    for field in model.model.fields.iter().filter(|f| matches!(f.kind, Kind::Image(_))) {
        let Some(url) = params
            .get(field.key)
            .and_then(Value::as_str)
            .filter(|v| v.starts_with("https://") || v.starts_with("http://"))
        else {
            continue;
        };
        let refused = |why: String| {
            Error::Unusable(FieldError {
                field: field.key.to_owned(),
                message: format!("{} could not be used: the URL {why}", field.label),
            })
        };
        let bytes = state.inner.safe.get(url).await.map_err(|why| refused(why.to_string()))?;
        let checked = crate::decode::check(bytes.into(), state.limits().request_timeout)
            .await
            .map_err(|e| e.field(field.key, field.label))?;
        let stored = state.inner.uploads.put(&checked).await.map_err(crate::store::StoreError::into_error)?;
        params.insert(field.key.to_owned(), Value::String(format!("{}{}", app::catalog::UPLOAD_PREFIX, stored.name)));
    }
    Ok(())
}
