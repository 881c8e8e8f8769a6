use crate::config::Config;
use crate::safe_fetch::{system_lookup, Policy, SafeFetch};
use crate::store::ImageStore;
use app::api::{BackendStatus, ProviderStatus};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;

/// Any non-empty key satisfies the emulator; this one is public on purpose.
pub const EMULATOR_KEY: &str = "fluxplay-emulator";

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub inner: Arc<Inner>,
}

pub struct Inner {
    /// For provider calls: no redirects, so a key header never follows one elsewhere.
    pub http: reqwest::Client,
    /// History, jobs, budget, running slots, uploads' sizes: shared by every replica.
    pub db: crate::db::Db,
    /// Generated images.
    pub store: ImageStore,
    /// Reference images people uploaded.
    pub uploads: ImageStore,
    /// Small copies of the generated images, for the history.
    pub thumbs: ImageStore,
    /// One per catalog provider, in catalog order.
    pub upstreams: Vec<Upstream>,
    pub jobs: crate::jobs::Jobs,
    pub guards: crate::guards::Guards,
    pub metrics: crate::metrics::Metrics,
    /// For URLs nobody vouches for: a reference image's URL, a provider's foreign image host.
    pub safe: SafeFetch,
    /// The generations a shutdown waits for.
    pub drain: crate::drain::Drain,
}

/// Where one provider's requests go, and with which key.
pub struct Upstream {
    pub provider: &'static str,
    pub base_url: String,
    pub key: SecretString,
    pub emulated: bool,
    /// Sent as the model (e.g. `OPENAI_IMAGES_MODEL`) instead of the catalog id; live only.
    pub model_name: Option<String>,
}

impl Inner {
    /// Removes a generated image no generation holds any more, with its thumbnail.
    pub async fn remove_image(&self, name: &str) {
        self.store.remove(name).await;
        if let Some(thumb) = crate::store::thumb_of(name) {
            self.thumbs.remove(&thumb).await;
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot use the data directory: {0}")]
    DataDir(std::io::Error),
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error(transparent)]
    Objects(#[from] crate::objects::ObjectsError),
}

impl AppState {
    /// `emulator` is where the emulators listen for this server's own calls
    /// (`emulator::serve_private`): with no key, providers are reached through
    /// them over real HTTP on that address.
    pub fn new(leptos_options: LeptosOptions, config: Config, addr: SocketAddr) -> Result<Self, StateError> {
        let limits = &config.limits;
        let safe = SafeFetch::new(
            Policy::default(),
            system_lookup(),
            limits.upstream.request_timeout,
            limits.upstream.max_upstream_bytes,
        )
        .map_err(StateError::Client)?;
        Self::with_fetch(leptos_options, config, addr, safe)
    }

    /// As `new`, with the fetcher for untrusted URLs given (tests resolve names their own way).
    pub fn with_fetch(
        leptos_options: LeptosOptions,
        config: Config,
        addr: SocketAddr,
        safe: SafeFetch,
    ) -> Result<Self, StateError> {
        let limits = &config.limits;
        // reqwest has no timeout by default; `read` restarts on every chunk, so `total` bounds it.
        let http = reqwest::Client::builder()
            .connect_timeout(limits.upstream.connect_timeout)
            .read_timeout(limits.upstream.read_timeout)
            .timeout(limits.upstream.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(StateError::Client)?;
        let loopback = emulator_base(addr);
        let upstreams: Vec<Upstream> = config
            .providers
            .into_iter()
            .map(|p| {
                let provider = p.provider.id;
                if p.live() {
                    let key = p.key.unwrap_or_else(|| SecretString::from(""));
                    Upstream { provider, base_url: p.base_url, key, emulated: false, model_name: p.model_name }
                } else {
                    let base_url = format!("{loopback}/{provider}");
                    let key = SecretString::from(EMULATOR_KEY);
                    Upstream { provider, base_url, key, emulated: true, model_name: None }
                }
            })
            .collect();
        let any_live = upstreams.iter().any(|u| !u.emulated);
        std::fs::create_dir_all(&config.data_dir).map_err(StateError::DataDir)?;
        let db = crate::db::Db::open(config.database_url.as_ref(), &config.data_dir)?;
        let objects = crate::objects::open(config.s3.as_ref(), &config.data_dir)?;
        let uploads_quota = crate::store::QuotaLimits {
            max_bytes: config.limits.guards.uploads_quota_bytes,
            max_age: config.limits.guards.uploads_max_age,
        };
        Ok(Self {
            leptos_options,
            inner: Arc::new(Inner {
                http,
                store: ImageStore::images(objects.clone()),
                thumbs: ImageStore::thumbs(objects.clone()),
                uploads: ImageStore::uploads(objects, db.clone(), uploads_quota),
                upstreams,
                jobs: crate::jobs::Jobs::new(db.clone()),
                guards: crate::guards::Guards::new(config.limits, any_live, db.clone()),
                db,
                metrics: crate::metrics::Metrics::default(),
                safe,
                drain: crate::drain::Drain::default(),
            }),
        })
    }

    pub fn backend_status(&self) -> BackendStatus {
        let providers = self
            .inner
            .upstreams
            .iter()
            .map(|u| ProviderStatus { id: u.provider.into(), live: !u.emulated, model_name: u.model_name.clone() })
            .collect();
        let curation = &self.limits().site.curation;
        BackendStatus {
            providers,
            models: curation.offered.clone(),
            default_model: curation.default_model.clone(),
            title: curation.title.clone(),
            ..BackendStatus::default()
        }
    }

    /// `model`, where this server offers it; else the error an unknown model gets.
    pub fn offered(&self, model: app::catalog::ModelRef) -> Result<(), crate::error::Error> {
        if self.limits().site.curation.offers(model) {
            return Ok(());
        }
        Err(crate::error::Error::Invalid(vec![app::validate::FieldError {
            field: "model".into(),
            message: format!("`{}` is not a model in the catalog", model.slug()),
        }]))
    }

    /// The path the site is mounted under (`FLUXPLAY_BASE_PATH`): empty, or `/a` with no trailing slash.
    pub fn base(&self) -> &str {
        &self.limits().site.base_path
    }

    /// A root path (`/history`) as a visitor reaches it, under the base.
    pub fn at(&self, path: &str) -> String {
        crate::base_path::path(self.base(), path)
    }

    pub fn limits(&self) -> &crate::limits::Limits {
        &self.inner.guards.limits
    }

    /// The upstream for a catalog provider.
    pub fn upstream(&self, provider: &str) -> &Upstream {
        self.inner.upstreams.iter().find(|u| u.provider == provider).expect("every catalog provider is configured")
    }
}

/// The embedded emulator's base URL; an unspecified listen address is reached on loopback.
fn emulator_base(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        if addr.is_ipv4() {
            "127.0.0.1".to_owned()
        } else {
            "[::1]".to_owned()
        }
    } else if addr.is_ipv6() {
        format!("[{}]", addr.ip())
    } else {
        addr.ip().to_string()
    };
    format!("http://{ip}:{}/emulate", addr.port())
}
