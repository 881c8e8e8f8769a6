//! The daily budget and the running slots, held in the database so every replica
//! counts against the same numbers. Each check-and-take is one atomic step: an
//! upsert whose `WHERE` refuses what would pass the limit, or a transaction that
//! first locks one row.

use super::{col, now_ms, Db, DbError};

/// What today's budget holds: images and micro-dollars.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Spent {
    pub day: i64,
    pub images: i64,
    pub micro_usd: i64,
}

impl Db {
    /// Adds `images` and `micro_usd` to `day`'s count if both stay within the limits
    /// (`None`: no limit); else leaves it and answers what was spent.
    pub async fn reserve(
        &self,
        day: i64,
        images: i64,
        micro_usd: i64,
        max_images: Option<i64>,
        max_micro_usd: Option<i64>,
    ) -> Result<Result<(), Spent>, DbError> {
        let (max_images, max_micro_usd) = (max_images.unwrap_or(i64::MAX), max_micro_usd.unwrap_or(i64::MAX));
        if images > max_images || micro_usd > max_micro_usd {
            return Ok(Err(self.spent(day).await?));
        }
        let pool = self.ready().await?;
        let taken = sqlx::query(
            "INSERT INTO budget (day, images, micro_usd) VALUES ($1, $2, $3) \
             ON CONFLICT (day) DO UPDATE SET images = budget.images + excluded.images, \
             micro_usd = budget.micro_usd + excluded.micro_usd \
             WHERE budget.images + excluded.images <= $4 AND budget.micro_usd + excluded.micro_usd <= $5 \
             RETURNING images",
        )
        .bind(day)
        .bind(images)
        .bind(micro_usd)
        .bind(max_images)
        .bind(max_micro_usd)
        .fetch_optional(pool)
        .await?;
        match taken {
            Some(_) => Ok(Ok(())),
            None => Ok(Err(self.spent(day).await?)),
        }
    }

    /// Gives back part of a reservation of `day` (never below zero).
    pub async fn give_back(&self, day: i64, images: i64, micro_usd: i64) -> Result<(), DbError> {
        let pool = self.ready().await?;
        sqlx::query(
            "UPDATE budget SET images = CASE WHEN images > $2 THEN images - $2 ELSE 0 END, \
             micro_usd = CASE WHEN micro_usd > $3 THEN micro_usd - $3 ELSE 0 END WHERE day = $1",
        )
        .bind(day)
        .bind(images)
        .bind(micro_usd)
        .execute(pool)
        .await?;
        Ok(())
    }

    pub async fn spent(&self, day: i64) -> Result<Spent, DbError> {
        let pool = self.ready().await?;
        let row =
            sqlx::query("SELECT images, micro_usd FROM budget WHERE day = $1").bind(day).fetch_optional(pool).await?;
        Ok(match row {
            Some(row) => Spent { day, images: col(&row, "images")?, micro_usd: col(&row, "micro_usd")? },
            None => Spent { day, ..Spent::default() },
        })
    }

    /// Takes one of `max` running slots for `id` until `lease_ms` from now, unless all
    /// are taken. Expired leases (a replica that stopped mid-run) are cleared first.
    pub async fn take_slot(&self, id: &str, max: i64, lease_ms: i64) -> Result<bool, DbError> {
        let pool = self.ready().await?;
        let now = now_ms();
        let mut tx = pool.begin().await?;
        // The lock: a second taker waits here until the first commits, on every engine.
        sqlx::query("UPDATE locks SET taken = taken + 1 WHERE name = 'slots'").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM slots WHERE expires < $1").bind(now).execute(&mut *tx).await?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM slots").fetch_one(&mut *tx).await?;
        let running: i64 = col(&row, "n")?;
        if running >= max {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("INSERT INTO slots (id, expires) VALUES ($1, $2)")
            .bind(id)
            .bind(now + lease_ms)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn release_slot(&self, id: &str) -> Result<(), DbError> {
        let pool = self.ready().await?;
        sqlx::query("DELETE FROM slots WHERE id = $1").bind(id).execute(pool).await?;
        Ok(())
    }

    /// Slots held now, all replicas together.
    pub async fn running(&self) -> Result<i64, DbError> {
        let pool = self.ready().await?;
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM slots WHERE expires >= $1").bind(now_ms()).fetch_one(pool).await?;
        col(&row, "n")
    }
}
