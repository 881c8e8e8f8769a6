//! A reference image given as a URL is fetched here, through the
//! public-internet-only fetcher, decoded like an upload (`decode`), and handed to the
//! provider as an upload. So no provider is sent a URL someone typed (they
//! would fetch it for us), and nothing on our side fetches it unchecked.

use crate::error::Error;
use crate::state::AppState;
use app::catalog::Kind;
use app::valid::{Source, Valid};
use app::validate::FieldError;

/// Every reference is at least its field's smallest side (FLUX 3: 256 px), read from the
/// stored file once URLs are fetched: the provider would refuse it, so it is not sent.
pub async fn check_sides(state: &AppState, valid: &Valid) -> Result<(), Error> {
    for (r, name) in valid.uploads() {
        let Kind::Image(image) = &r.field.kind else { continue };
        let dims = state.inner.uploads.size_of(name).await;
        if let Some((w, h)) = dims.filter(|(w, h)| image.min_side > 0 && (*w).min(*h) < image.min_side) {
            let which = if image.list.is_some() { format!(": image {}", r.index + 1) } else { String::new() };
            let side = image.min_side;
            return Err(Error::Invalid(vec![FieldError {
                field: r.field.key.to_owned(),
                message: format!("{}{which} is {w}×{h}; each side must be at least {side} pixels", r.field.label),
            }]));
        }
    }
    Ok(())
}

/// Replaces every URL reference with the upload it is stored as.
pub async fn fetch_urls(state: &AppState, valid: &mut Valid) -> Result<(), Error> {
    let urls: Vec<_> = valid
        .references
        .iter()
        .enumerate()
        .filter_map(|(at, r)| match &r.source {
            Source::Url(url) => Some((at, r.field, url.clone())),
            Source::Upload(_) => None,
        })
        .collect();
    for (at, field, url) in urls {
        let refused = |why: String| {
            Error::Unusable(FieldError {
                field: field.key.to_owned(),
                message: format!("{} could not be used: the URL {why}", field.label),
            })
        };
        let bytes = state.inner.safe.get(&url).await.map_err(|why| refused(why.to_string()))?;
        let checked = crate::decode::check(bytes.into(), state.limits().upstream.request_timeout)
            .await
            .map_err(|e| e.field(field.key, field.label))?;
        let stored = state.inner.uploads.put(&checked).await.map_err(crate::store::StoreError::into_error)?;
        valid.use_upload(at, &stored.name);
    }
    Ok(())
}
