//! The shared state: history, jobs, budget, running slots and uploads, in SQLite
//! (the default, a file in the data directory) or PostgreSQL (for replicas). One
//! set of SQL through sqlx's `Any` driver; migrations are embedded in the binary.
//! The pool opens lazily and migrates on first use, so building the state stays
//! synchronous; `main` calls [`Db::ready`] at start-up to fail early.

pub mod budget;
pub mod history;
pub mod jobs;
pub mod uploads;

use secrecy::{ExposeSecret, SecretString};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::AnyPool;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::OnceCell;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connections per process to PostgreSQL: its default `max_connections` (100)
/// holds a dozen replicas at this.
const POOL_SIZE: u32 = 8;

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    migrated: Arc<OnceCell<()>>,
    pub engine: Engine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("FLUXPLAY_DATABASE_URL: {0}")]
    Url(&'static str),
    #[error("the database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("the database's migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<DbError> for crate::error::Error {
    fn from(e: DbError) -> Self {
        crate::error::Error::Internal(e.to_string())
    }
}

impl Db {
    /// `url` (`postgres://…`, `sqlite:…`), or `fluxplay.db` in `data_dir` when none.
    pub fn open(url: Option<&SecretString>, data_dir: &Path) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let url = match url {
            Some(url) => url.expose_secret().to_owned(),
            None => format!("sqlite://{}?mode=rwc", data_dir.join("fluxplay.db").display()),
        };
        let engine = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            return Err(DbError::Url("postgres://… or sqlite:…"));
        };
        // SQLite writes one at a time: several connections would wait on its lock with
        // sleeps that grow under load (seconds, measured with every model at once), where
        // one connection hands statements over in turn, each in well under a millisecond.
        let connections = if engine == Engine::Sqlite { 1 } else { POOL_SIZE };
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            // A file cannot drop the connection; a ping per statement would only add a round trip.
            .test_before_acquire(engine == Engine::Postgres)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // A writer waits its turn rather than fails; WAL makes NORMAL durable enough.
                        sqlx::query("PRAGMA busy_timeout = 10000").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect_lazy(&url)?;
        Ok(Self { pool, migrated: Arc::default(), engine })
    }

    /// The pool, migrated: the first caller runs the migrations (the others wait).
    /// One round trip to the database (`/readyz`).
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(self.ready().await?).await?;
        Ok(())
    }

    pub async fn ready(&self) -> Result<&AnyPool, DbError> {
        self.migrated
            .get_or_try_init(|| async {
                if self.engine == Engine::Sqlite {
                    // Readers never wait for the writer. Kept in the file; switching needs a
                    // lock no busy timeout waits for, so it happens once, before anything else.
                    sqlx::query("PRAGMA journal_mode = WAL").execute(&self.pool).await?;
                }
                MIGRATOR.run(&self.pool).await.map_err(DbError::from)
            })
            .await?;
        Ok(&self.pool)
    }
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A column as `T`, or the error that says which.
fn col<'r, T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>>(row: &'r AnyRow, name: &str) -> Result<T, DbError> {
    use sqlx::Row;
    Ok(row.try_get(name)?)
}
