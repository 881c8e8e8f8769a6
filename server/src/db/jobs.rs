//! Jobs' states, so a poll is answered by whichever replica it reaches.

use super::{col, now_ms, Db, DbError};

/// The `seq` of a job's last write: above every progress report. A cancel is asked
/// only of a job below it, and the last write never replaces another last write.
pub const FINAL: i64 = i64::MAX;

impl Db {
    /// Writes a job's state unless a later one (higher `seq`) is there already:
    /// progress reports travel in their own tasks and may arrive late.
    pub async fn put_job(&self, id: &str, seq: i64, state: &str) -> Result<(), DbError> {
        let pool = self.ready().await?;
        sqlx::query(
            "INSERT INTO jobs (id, seq, state, updated) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, state = excluded.state, updated = excluded.updated \
             WHERE jobs.seq < excluded.seq",
        )
        .bind(id)
        .bind(seq)
        .bind(state)
        .bind(now_ms())
        .execute(pool)
        .await?;
        Ok(())
    }

    /// A job's state as written (JSON).
    pub async fn job(&self, id: &str) -> Result<Option<String>, DbError> {
        let pool = self.ready().await?;
        let row = sqlx::query("SELECT state FROM jobs WHERE id = $1").bind(id).fetch_optional(pool).await?;
        row.map(|r| col(&r, "state")).transpose()
    }

    /// Asks for job `id` to be cancelled; false when it has ended (or is unknown).
    pub async fn request_cancel(&self, id: &str) -> Result<bool, DbError> {
        let pool = self.ready().await?;
        let done = sqlx::query("UPDATE jobs SET cancel = 1 WHERE id = $1 AND seq < $2")
            .bind(id)
            .bind(FINAL)
            .execute(pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Whether a cancel was asked for job `id`.
    pub async fn cancel_requested(&self, id: &str) -> Result<bool, DbError> {
        let pool = self.ready().await?;
        let row = sqlx::query("SELECT cancel FROM jobs WHERE id = $1").bind(id).fetch_optional(pool).await?;
        Ok(row.map(|r| col::<i64>(&r, "cancel")).transpose()?.unwrap_or(0) != 0)
    }

    /// Forgets jobs last written before `cutoff` (ms); how many.
    pub async fn expire_jobs(&self, cutoff: i64) -> Result<u64, DbError> {
        let pool = self.ready().await?;
        Ok(sqlx::query("DELETE FROM jobs WHERE updated < $1").bind(cutoff).execute(pool).await?.rows_affected())
    }
}
