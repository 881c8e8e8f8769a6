//! The settings, split by purpose: the public-demo guards, the provider calls, the site. Defaults are safe
//! for a demo on the open internet; a local playground never notices them.

use crate::config_error::ConfigError;
use secrecy::SecretString;
use std::time::Duration;

/// `(variable, default, meaning)`, for `--help` and the README.
pub const SETTINGS: &[(&str, &str, &str)] = &[
    ("FLUXPLAY_PASSPHRASE", "none: open", "passphrase asked once per browser (cookie) before anything costs"),
    (
        "FLUXPLAY_RATE_PER_MINUTE",
        "12 once a key or passphrase is set, else 0",
        "generations and uploads per client per minute (0: no limit)",
    ),
    ("FLUXPLAY_RATE_BURST", "6", "how many of those may come at once"),
    ("FLUXPLAY_TRUSTED_PROXIES", "0", "reverse proxies in front; >0 takes the client from X-Forwarded-For"),
    ("FLUXPLAY_MAX_CONCURRENT", "4", "generations running at once, all clients together"),
    ("FLUXPLAY_DAILY_IMAGES", "200", "images per UTC day from live providers (0: no limit)"),
    (
        "FLUXPLAY_DAILY_USD",
        "none",
        "estimated US dollars per UTC day, by the catalog's dated prices (FLUXPLAY_PRICES overrides them)",
    ),
    (
        "FLUXPLAY_PRICES",
        "none",
        "US dollars per image, or per megapixel with /mp: `bfl/flux-dev=0.025,fal/fal-ai/flux/dev=0.025/mp`",
    ),
    ("FLUXPLAY_MAX_JSON_BYTES", "65536", "largest JSON request body"),
    ("FLUXPLAY_MAX_UPLOAD_BYTES", "10485760", "largest reference-image upload"),
    (
        "FLUXPLAY_UPLOADS_QUOTA_BYTES",
        "1073741824",
        "bytes the uploads directory may hold; the oldest uploads make room for a new one",
    ),
    ("FLUXPLAY_UPLOADS_MAX_AGE_HOURS", "24", "uploads older than this are removed (checked periodically)"),
    (
        "FLUXPLAY_HISTORY_DAYS",
        "30",
        "generations (and the images only they hold) older than this are removed, hourly (0: kept for good)",
    ),
    (
        "FLUXPLAY_HISTORY_SCOPE",
        "visitor once a key or passphrase is set, else everyone",
        "whose history a browser sees: `visitor` (its own, by an anonymous cookie) or `everyone`",
    ),
    ("FLUXPLAY_BODY_TIMEOUT_SECS", "30", "time a client may take to send its whole request body"),
    (
        "FLUXPLAY_HEADER_TIMEOUT_SECS",
        "10",
        "time a client may take to send a request's headers (also an idle connection's life)",
    ),
    ("FLUXPLAY_MAX_CONNECTIONS", "1024", "open connections, all clients together; more wait in the kernel's queue"),
    ("FLUXPLAY_MAX_CONNECTIONS_PER_CLIENT", "32", "open connections from one client (an IPv6 client is its /64)"),
    (
        "FLUXPLAY_ALLOWED_HOSTS",
        "localhost",
        "host names this server answers to besides IP addresses (comma separated); others get 421 (DNS rebinding)",
    ),
    ("FLUXPLAY_FRAME_ANCESTORS", "'self'", "who may frame the page: CSP frame-ancestors sources, space separated"),
    (
        "FLUXPLAY_EMBED_ANCESTORS",
        "'self'",
        "who may frame the embed view (`/embed`): CSP frame-ancestors sources, e.g. your docs' origin",
    ),
    (
        "FLUXPLAY_BASE_PATH",
        "none: the root",
        "the path the site is mounted under behind a reverse proxy, e.g. `/playground`",
    ),
    ("FLUXPLAY_CONNECT_TIMEOUT_SECS", "10", "connecting to a provider"),
    ("FLUXPLAY_READ_TIMEOUT_SECS", "60", "silence allowed while reading a provider's answer"),
    ("FLUXPLAY_REQUEST_TIMEOUT_SECS", "180", "one whole provider request"),
    ("FLUXPLAY_POLL_DEADLINE_SECS", "300", "an asynchronous provider's whole task"),
    ("FLUXPLAY_MAX_UPSTREAM_BYTES", "67108864", "largest answer or image taken from a provider"),
    ("FLUXPLAY_METRICS_TOKEN", "none: no /metrics", "bearer token that /metrics asks for"),
    (
        "FLUXPLAY_SHUTDOWN_SECS",
        "60",
        "on SIGTERM, how long running generations may take to finish before the server exits",
    ),
    ("FLUXPLAY_LOG_FORMAT", "text", "`json` writes one JSON object a log line"),
    ("FLUXPLAY_PROVIDERS", "all", "the providers offered (ids, comma separated); others are hidden and refused"),
    ("FLUXPLAY_MODELS", "all", "the models offered (`provider/model` slugs, comma separated)"),
    ("FLUXPLAY_DEFAULT_MODEL", "the first offered", "the model a page without a link opens on"),
    ("FLUXPLAY_TITLE", "fluxplay · FLUX API playground", "the page title"),
];

/// Every setting, by purpose.
#[derive(Debug, Clone)]
pub struct Limits {
    pub guards: GuardSettings,
    pub upstream: UpstreamSettings,
    pub site: SiteSettings,
}

/// What a visitor can make this server spend: usd, generations, memory, disk, time.
#[derive(Debug, Clone)]
pub struct GuardSettings {
    pub passphrase: Option<SecretString>,
    /// `None`: the default, which depends on whether anything costs (see `Guards::new`).
    pub rate_per_minute: Option<u32>,
    pub rate_burst: u32,
    pub max_concurrent: usize,
    pub daily_images: u32,
    pub daily_usd: Option<f64>,
    pub prices: Vec<Price>,
    pub max_json_bytes: usize,
    pub max_upload_bytes: usize,
    /// Bytes the uploads directory may hold (reference images; generated images are not counted).
    pub uploads_quota_bytes: u64,
    pub uploads_max_age: Duration,
    /// How long generations are kept; `None`: for good.
    pub history_max_age: Option<Duration>,
    /// `None`: the default, which depends on whether anything costs (see `Guards::new`).
    pub history_scope: Option<HistoryScope>,
    pub body_timeout: Duration,
}

/// Whose history a browser sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryScope {
    /// Only its own: a public demo.
    Visitor,
    /// Everything: a playground on one's own machine.
    Everyone,
}

/// Calls to the providers: how long they may take and how much they may answer.
#[derive(Debug, Clone)]
pub struct UpstreamSettings {
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub request_timeout: Duration,
    pub poll_deadline: Duration,
    pub max_upstream_bytes: usize,
}

/// The site's face to the network: connections, proxies, host names, framing, metrics.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    pub trusted_proxies: usize,
    pub header_timeout: Duration,
    pub max_connections: usize,
    pub max_connections_per_client: usize,
    /// Host names (lowercase, no port) answered besides IP literals.
    pub allowed_hosts: Vec<String>,
    /// CSP `frame-ancestors` sources.
    pub frame_ancestors: String,
    /// Who may frame the embed view: CSP `frame-ancestors` sources.
    pub embed_ancestors: String,
    /// The path the site is mounted under: empty, or `/a/b` (no trailing slash).
    pub base_path: String,
    pub metrics_token: Option<SecretString>,
    /// On shutdown, how long running generations may take to finish.
    pub shutdown_deadline: Duration,
    /// Which models are offered, the default one, the title.
    pub curation: crate::curation::Curation,
}

/// An operator-given price for one model, in US dollars, over the catalog's published one.
#[derive(Debug, Clone, PartialEq)]
pub struct Price {
    pub model: String,
    pub usd: f64,
    pub per_megapixel: bool,
}

impl Limits {
    /// The limits that `vars` alone would give, for tests.
    #[cfg(test)]
    pub(crate) fn from_pairs(vars: &[(&str, &str)]) -> Result<Self, ConfigError> {
        Self::from_lookup(&|n: &str| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| (*v).to_owned()))
    }

    pub fn from_lookup(set: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        fn num<T: std::str::FromStr>(
            set: &impl Fn(&str) -> Option<String>,
            name: &'static str,
            default: T,
        ) -> Result<T, ConfigError> {
            set(name).map_or(Ok(default), |v| v.parse().map_err(|_| ConfigError::Bad(name, "a whole number")))
        }
        let secs = |name: &'static str, default: f64| -> Result<Duration, ConfigError> {
            let value =
                set(name).map_or(Ok(default), |v| v.parse::<f64>().map_err(|_| ConfigError::Bad(name, "seconds")))?;
            Duration::try_from_secs_f64(value)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or(ConfigError::Bad(name, "a positive number of seconds"))
        };
        // The budget was counted in credits before the catalog had prices: never silently unlimited.
        if set("FLUXPLAY_DAILY_CREDITS").is_some() {
            return Err(ConfigError::Bad("FLUXPLAY_DAILY_CREDITS", "renamed: FLUXPLAY_DAILY_USD, in US dollars"));
        }
        let daily_usd = set("FLUXPLAY_DAILY_USD")
            .map(|v| {
                v.parse::<f64>().ok().filter(|c| *c >= 0.0).ok_or(ConfigError::Bad("FLUXPLAY_DAILY_USD", "US dollars"))
            })
            .transpose()?;
        let max_concurrent = num(set, "FLUXPLAY_MAX_CONCURRENT", 4)?;
        if max_concurrent == 0 {
            return Err(ConfigError::Bad("FLUXPLAY_MAX_CONCURRENT", "at least 1"));
        }
        let guards = GuardSettings {
            passphrase: set("FLUXPLAY_PASSPHRASE").map(SecretString::from),
            rate_per_minute: set("FLUXPLAY_RATE_PER_MINUTE")
                .map(|v| v.parse().map_err(|_| ConfigError::Bad("FLUXPLAY_RATE_PER_MINUTE", "a whole number")))
                .transpose()?,
            rate_burst: num(set, "FLUXPLAY_RATE_BURST", 6)?,
            max_concurrent,
            daily_images: num(set, "FLUXPLAY_DAILY_IMAGES", 200)?,
            daily_usd,
            prices: set("FLUXPLAY_PRICES").map_or(Ok(Vec::new()), |v| parse_prices(&v))?,
            max_json_bytes: num(set, "FLUXPLAY_MAX_JSON_BYTES", 64 * 1024)?,
            max_upload_bytes: num(set, "FLUXPLAY_MAX_UPLOAD_BYTES", app::api::MAX_UPLOAD_BYTES)?,
            uploads_quota_bytes: num(set, "FLUXPLAY_UPLOADS_QUOTA_BYTES", 1 << 30)?,
            uploads_max_age: set("FLUXPLAY_UPLOADS_MAX_AGE_HOURS")
                .map_or(Ok(24.0), |v| v.parse::<f64>())
                .ok()
                .and_then(|hours| Duration::try_from_secs_f64(hours * 3600.0).ok())
                .filter(|d| !d.is_zero())
                .ok_or(ConfigError::Bad("FLUXPLAY_UPLOADS_MAX_AGE_HOURS", "a positive number of hours"))?,
            history_max_age: match set("FLUXPLAY_HISTORY_DAYS").map_or(Ok(30.0), |v| v.parse::<f64>()) {
                Ok(0.0) => None,
                Ok(days) => Some(
                    Duration::try_from_secs_f64(days * 86_400.0)
                        .map_err(|_| ConfigError::Bad("FLUXPLAY_HISTORY_DAYS", "a number of days (0: for good)"))?,
                ),
                Err(_) => return Err(ConfigError::Bad("FLUXPLAY_HISTORY_DAYS", "a number of days (0: for good)")),
            },
            history_scope: match set("FLUXPLAY_HISTORY_SCOPE").as_deref() {
                None => None,
                Some("visitor") => Some(HistoryScope::Visitor),
                Some("everyone") => Some(HistoryScope::Everyone),
                Some(_) => return Err(ConfigError::Bad("FLUXPLAY_HISTORY_SCOPE", "`visitor` or `everyone`")),
            },
            body_timeout: secs("FLUXPLAY_BODY_TIMEOUT_SECS", 30.0)?,
        };
        let upstream = UpstreamSettings {
            connect_timeout: secs("FLUXPLAY_CONNECT_TIMEOUT_SECS", 10.0)?,
            read_timeout: secs("FLUXPLAY_READ_TIMEOUT_SECS", 60.0)?,
            request_timeout: secs("FLUXPLAY_REQUEST_TIMEOUT_SECS", 180.0)?,
            poll_deadline: secs("FLUXPLAY_POLL_DEADLINE_SECS", 300.0)?,
            max_upstream_bytes: num(set, "FLUXPLAY_MAX_UPSTREAM_BYTES", 64 * 1024 * 1024)?,
        };
        let site = SiteSettings {
            trusted_proxies: num(set, "FLUXPLAY_TRUSTED_PROXIES", 0)?,
            header_timeout: secs("FLUXPLAY_HEADER_TIMEOUT_SECS", 10.0)?,
            max_connections: at_least_one(num(set, "FLUXPLAY_MAX_CONNECTIONS", 1024)?, "FLUXPLAY_MAX_CONNECTIONS")?,
            max_connections_per_client: at_least_one(
                num(set, "FLUXPLAY_MAX_CONNECTIONS_PER_CLIENT", 32)?,
                "FLUXPLAY_MAX_CONNECTIONS_PER_CLIENT",
            )?,
            allowed_hosts: set("FLUXPLAY_ALLOWED_HOSTS")
                .map_or_else(|| Ok(vec!["localhost".to_owned()]), |v| hosts(&v))?,
            frame_ancestors: set("FLUXPLAY_FRAME_ANCESTORS")
                .map_or_else(|| Ok("'self'".to_owned()), |v| frame_ancestors("FLUXPLAY_FRAME_ANCESTORS", &v))?,
            embed_ancestors: set("FLUXPLAY_EMBED_ANCESTORS")
                .map_or_else(|| Ok("'self'".to_owned()), |v| frame_ancestors("FLUXPLAY_EMBED_ANCESTORS", &v))?,
            base_path: set("FLUXPLAY_BASE_PATH").map_or(Ok(String::new()), |v| crate::base_path::parse(&v))?,
            metrics_token: set("FLUXPLAY_METRICS_TOKEN").map(SecretString::from),
            shutdown_deadline: secs("FLUXPLAY_SHUTDOWN_SECS", 60.0)?,
            curation: crate::curation::Curation::from_lookup(set)?,
        };
        Ok(Self { guards, upstream, site })
    }

    /// The configured price of `model` (`provider/model-id`).
    pub fn price(&self, model: &str) -> Option<&Price> {
        self.guards.prices.iter().find(|p| p.model == model)
    }
}

fn at_least_one(n: usize, name: &'static str) -> Result<usize, ConfigError> {
    if n == 0 {
        return Err(ConfigError::Bad(name, "at least 1"));
    }
    Ok(n)
}

/// Host names, comma separated; a port, if given, is ignored (the name is what rebinding changes).
fn hosts(text: &str) -> Result<Vec<String>, ConfigError> {
    let bad = ConfigError::Bad("FLUXPLAY_ALLOWED_HOSTS", "host names separated by commas");
    text.split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|h| {
            let name = h.rsplit_once(':').filter(|(_, port)| port.parse::<u16>().is_ok()).map_or(h, |(name, _)| name);
            let ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
            ok.then(|| name.to_ascii_lowercase()).ok_or(())
        })
        .collect::<Result<_, ()>>()
        .map_err(|()| bad)
}

/// CSP sources only: no `;` or `,` that would end the directive and start another.
fn frame_ancestors(name: &'static str, text: &str) -> Result<String, ConfigError> {
    let ok =
        !text.trim().is_empty() && text.bytes().all(|b| b == b' ' || (b.is_ascii_graphic() && !b";,".contains(&b)));
    ok.then(|| text.trim().to_owned())
        .ok_or(ConfigError::Bad(name, "CSP sources separated by spaces, e.g. 'self' https://docs.example.com"))
}

/// `slug=dollars[/mp]` items separated by commas.
fn parse_prices(text: &str) -> Result<Vec<Price>, ConfigError> {
    let bad = ConfigError::Bad("FLUXPLAY_PRICES", "`model=dollars` or `model=dollars/mp` items, comma separated");
    text.split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(|item| {
            let (model, price) = item.split_once('=').ok_or(())?;
            let (number, per_megapixel) = match price.trim().strip_suffix("/mp") {
                Some(n) => (n, true),
                None => (price.trim(), false),
            };
            let usd = number.trim().parse::<f64>().ok().filter(|c| c.is_finite() && *c >= 0.0).ok_or(())?;
            if app::catalog::find(model.trim()).is_none() {
                return Err(());
            }
            Ok(Price { model: model.trim().to_owned(), usd, per_megapixel })
        })
        .collect::<Result<_, ()>>()
        .map_err(|()| bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(vars: &[(&str, &str)]) -> Result<Limits, ConfigError> {
        Limits::from_pairs(vars)
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let l = limits(&[]).unwrap();
        assert_eq!(
            (l.guards.rate_per_minute, l.guards.rate_burst, l.guards.max_concurrent, l.guards.daily_images),
            (None, 6, 4, 200)
        );
        assert_eq!(l.guards.max_json_bytes, 65536);
        assert_eq!(l.upstream.read_timeout, Duration::from_secs(60));
        for (name, default, _) in SETTINGS {
            let digits: String = default.chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty() {
                assert!(limits(&[(name, &digits)]).is_ok(), "{name}");
            }
        }
    }

    #[test]
    fn prices_name_real_models_and_read_per_megapixel() {
        let l = limits(&[("FLUXPLAY_PRICES", "bfl/flux-dev=2.5/mp, segmind/flux-dev=1")]).unwrap();
        assert_eq!(
            l.price("bfl/flux-dev"),
            Some(&Price { model: "bfl/flux-dev".into(), usd: 2.5, per_megapixel: true })
        );
        assert!(!l.price("segmind/flux-dev").unwrap().per_megapixel);
        assert!(limits(&[("FLUXPLAY_PRICES", "nope/model=1")]).is_err());
        assert!(limits(&[("FLUXPLAY_DAILY_CREDITS", "10")]).is_err(), "the old name is refused, not ignored");
        assert!(limits(&[("FLUXPLAY_PRICES", "bfl/flux-dev=-1")]).is_err());
    }

    #[test]
    fn hosts_and_frame_ancestors_cannot_smuggle_syntax() {
        let l = limits(&[("FLUXPLAY_ALLOWED_HOSTS", "Docs.Example.com:443, play.example.org")]).unwrap();
        assert_eq!(l.site.allowed_hosts, ["docs.example.com", "play.example.org"]);
        assert!(limits(&[("FLUXPLAY_ALLOWED_HOSTS", "evil.example/x")]).is_err());
        assert_eq!(limits(&[]).unwrap().site.frame_ancestors, "'self'");
        assert!(limits(&[("FLUXPLAY_FRAME_ANCESTORS", "'self'; script-src *")]).is_err());
        assert!(limits(&[("FLUXPLAY_FRAME_ANCESTORS", "https://docs.example.com")]).is_ok());
        // The embed view's own list, checked the same way and named in the error.
        assert_eq!(limits(&[]).unwrap().site.embed_ancestors, "'self'");
        let err = limits(&[("FLUXPLAY_EMBED_ANCESTORS", "https://docs.example.com; script-src *")]).unwrap_err();
        assert!(err.to_string().contains("FLUXPLAY_EMBED_ANCESTORS"), "{err}");
        assert!(limits(&[("FLUXPLAY_EMBED_ANCESTORS", "https://a.example,https://b.example")]).is_err());
        assert!(limits(&[("FLUXPLAY_MAX_CONNECTIONS", "0")]).is_err());
    }

    #[test]
    fn the_uploads_quota_and_age_read_bytes_and_hours() {
        let l = limits(&[]).unwrap();
        assert_eq!((l.guards.uploads_quota_bytes, l.guards.uploads_max_age), (1 << 30, Duration::from_secs(24 * 3600)));
        let l = limits(&[("FLUXPLAY_UPLOADS_MAX_AGE_HOURS", "0.5"), ("FLUXPLAY_UPLOADS_QUOTA_BYTES", "1000")]).unwrap();
        assert_eq!((l.guards.uploads_quota_bytes, l.guards.uploads_max_age), (1000, Duration::from_secs(1800)));
        for bad in ["0", "-1", "soon"] {
            assert!(limits(&[("FLUXPLAY_UPLOADS_MAX_AGE_HOURS", bad)]).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_numbers_name_the_variable() {
        let err = limits(&[("FLUXPLAY_READ_TIMEOUT_SECS", "soon")]).unwrap_err().to_string();
        assert!(err.contains("FLUXPLAY_READ_TIMEOUT_SECS"), "{err}");
        assert!(limits(&[("FLUXPLAY_MAX_CONCURRENT", "0")]).is_err());
        assert_eq!(
            limits(&[("FLUXPLAY_CONNECT_TIMEOUT_SECS", "0.25")]).unwrap().upstream.connect_timeout,
            Duration::from_millis(250)
        );
    }
}
