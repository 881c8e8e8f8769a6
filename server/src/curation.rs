//! Which of the catalog's models this server offers, its default model and its page
//! title: a docs team shows the few models its docs are about. `FLUXPLAY_PROVIDERS`
//! (provider ids) and `FLUXPLAY_MODELS` (model slugs) narrow the catalog, each where set;
//! a model not offered is not in the picker, and the API refuses it as it refuses an
//! unknown one.

use crate::config_error::ConfigError;
use app::catalog::{self, ModelRef};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Curation {
    /// The slugs offered, where fewer than the whole catalog.
    pub offered: Option<Vec<String>>,
    pub default_model: Option<String>,
    pub title: Option<String>,
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

impl Curation {
    pub fn from_lookup(set: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let providers = set("FLUXPLAY_PROVIDERS").map(|v| list(&v));
        if let Some(unknown) =
            providers.iter().flatten().find(|id| !catalog::PROVIDERS.iter().any(|p| p.id == id.as_str()))
        {
            return Err(ConfigError::Unknown("FLUXPLAY_PROVIDERS", unknown.clone()));
        }
        let models = set("FLUXPLAY_MODELS").map(|v| list(&v));
        if let Some(unknown) = models.iter().flatten().find(|slug| catalog::find(slug).is_none()) {
            return Err(ConfigError::Unknown("FLUXPLAY_MODELS", unknown.clone()));
        }
        let offered = (providers.is_some() || models.is_some()).then(|| {
            catalog::models()
                .filter(|m| providers.as_ref().is_none_or(|p| p.iter().any(|id| id == m.provider.id)))
                .filter(|m| models.as_ref().is_none_or(|s| s.contains(&m.slug())))
                .map(|m| m.slug())
                .collect::<Vec<_>>()
        });
        if offered.as_ref().is_some_and(Vec::is_empty) {
            return Err(ConfigError::Bad("FLUXPLAY_PROVIDERS and FLUXPLAY_MODELS", "leave at least one model"));
        }
        let curation = Self { offered, default_model: set("FLUXPLAY_DEFAULT_MODEL"), title: set("FLUXPLAY_TITLE") };
        if let Some(slug) = &curation.default_model {
            if !catalog::find(slug).is_some_and(|m| curation.offers(m)) {
                return Err(ConfigError::Unknown("FLUXPLAY_DEFAULT_MODEL (not an offered model)", slug.clone()));
            }
        }
        Ok(curation)
    }

    pub fn offers(&self, model: ModelRef) -> bool {
        self.offered.as_ref().is_none_or(|o| o.contains(&model.slug()))
    }

    /// The catalog model `slug`, where this server offers it.
    pub fn find(&self, slug: &str) -> Option<ModelRef> {
        catalog::find(slug).filter(|m| self.offers(*m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curation(vars: &[(&str, &str)]) -> Result<Curation, ConfigError> {
        Curation::from_lookup(&|name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn providers_and_models_narrow_the_catalog_and_name_what_is_wrong() {
        assert_eq!(curation(&[]).unwrap(), Curation::default());
        let bfl = curation(&[("FLUXPLAY_PROVIDERS", "bfl")]).unwrap();
        assert!(bfl.offers(catalog::find("bfl/flux-dev").unwrap()));
        assert!(!bfl.offers(catalog::find("aimlapi/flux/dev").unwrap()));
        let two = curation(&[
            ("FLUXPLAY_MODELS", "bfl/flux-dev, aimlapi/flux/dev"),
            ("FLUXPLAY_DEFAULT_MODEL", "bfl/flux-dev"),
        ])
        .unwrap();
        assert_eq!(two.offered.as_deref().unwrap().len(), 2);
        let err = |vars: &[(&str, &str)]| curation(vars).unwrap_err().to_string();
        assert!(err(&[("FLUXPLAY_PROVIDERS", "bfl,nope")]).contains("`nope`"));
        assert!(err(&[("FLUXPLAY_MODELS", "bfl/flux-9")]).contains("`bfl/flux-9`"));
        assert!(err(&[("FLUXPLAY_PROVIDERS", "bfl"), ("FLUXPLAY_MODELS", "aimlapi/flux/dev")]).contains("at least one"));
        assert!(err(&[("FLUXPLAY_PROVIDERS", "bfl"), ("FLUXPLAY_DEFAULT_MODEL", "aimlapi/flux/dev")])
            .contains("FLUXPLAY_DEFAULT_MODEL"));
    }
}
