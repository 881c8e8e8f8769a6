//! Uploaded reference images: their size, for estimates on any replica, and the
//! quota and age limit over all of them.

use super::{col, Db, DbError};

impl Db {
    /// Records an upload (again: it counts as new).
    pub async fn put_upload(&self, name: &str, width: u32, height: u32, bytes: u64, now: i64) -> Result<(), DbError> {
        let pool = self.ready().await?;
        sqlx::query(
            "INSERT INTO uploads (name, width, height, bytes, created) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET created = excluded.created",
        )
        .bind(name)
        .bind(i64::from(width))
        .bind(i64::from(height))
        .bind(i64::try_from(bytes).unwrap_or(i64::MAX))
        .bind(now)
        .execute(pool)
        .await?;
        Ok(())
    }

    pub async fn upload_size(&self, name: &str) -> Result<Option<(u32, u32)>, DbError> {
        let pool = self.ready().await?;
        let row =
            sqlx::query("SELECT width, height FROM uploads WHERE name = $1").bind(name).fetch_optional(pool).await?;
        let Some(row) = row else { return Ok(None) };
        let (w, h): (i64, i64) = (col(&row, "width")?, col(&row, "height")?);
        Ok(u32::try_from(w).ok().zip(u32::try_from(h).ok()))
    }

    /// Removes the oldest uploads until all of them hold at most `max` bytes; their names.
    pub async fn trim_uploads(&self, max: u64) -> Result<Vec<String>, DbError> {
        let pool = self.ready().await?;
        let rows = sqlx::query("SELECT name, bytes FROM uploads ORDER BY created DESC, name").fetch_all(pool).await?;
        let (mut total, mut gone) = (0u64, Vec::new());
        for row in &rows {
            let bytes: i64 = col(row, "bytes")?;
            total = total.saturating_add(u64::try_from(bytes).unwrap_or(0));
            if total > max {
                gone.push(col::<String>(row, "name")?);
            }
        }
        for name in &gone {
            sqlx::query("DELETE FROM uploads WHERE name = $1").bind(name).execute(pool).await?;
        }
        Ok(gone)
    }

    /// Removes the uploads recorded before `cutoff` (ms); their names.
    pub async fn expire_uploads(&self, cutoff: i64) -> Result<Vec<String>, DbError> {
        let pool = self.ready().await?;
        let rows =
            sqlx::query("DELETE FROM uploads WHERE created < $1 RETURNING name").bind(cutoff).fetch_all(pool).await?;
        rows.iter().map(|r| col(r, "name")).collect()
    }

    /// Bytes of all uploads recorded.
    pub async fn upload_bytes(&self) -> Result<u64, DbError> {
        let pool = self.ready().await?;
        // PostgreSQL sums BIGINT to NUMERIC, which the `Any` driver does not read: cast back.
        let row =
            sqlx::query("SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) AS n FROM uploads").fetch_one(pool).await?;
        let n: i64 = col(&row, "n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
