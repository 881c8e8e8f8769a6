//! The history: every generation that reached a provider, with what was sent and
//! what came back, and the stored images each one holds.

use super::{col, Db, DbError};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

/// A failed generation's outcome: the status and body it was answered with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub status: u16,
    pub error: app::api::ApiError,
}

/// One generation as recorded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Generation {
    pub id: String,
    pub visitor: String,
    pub created: i64,
    pub model: String,
    /// JSON object.
    pub params: String,
    pub seed: Option<i64>,
    pub ok: bool,
    pub emulated: bool,
    pub request_id: String,
    pub total_ms: i64,
    pub cost_micro_usd: Option<i64>,
    /// JSON: the answer, or the error.
    pub outcome: String,
    /// Stored image names, in order.
    pub images: Vec<String>,
}

const COLUMNS: &str =
    "id, visitor, created, model, params, seed, ok, emulated, request_id, total_ms, cost_micro_usd, outcome";

fn generation(row: &AnyRow) -> Result<Generation, DbError> {
    Ok(Generation {
        id: col(row, "id")?,
        visitor: col(row, "visitor")?,
        created: col(row, "created")?,
        model: col(row, "model")?,
        params: col(row, "params")?,
        seed: col(row, "seed")?,
        ok: col::<i64>(row, "ok")? != 0,
        emulated: col::<i64>(row, "emulated")? != 0,
        request_id: col(row, "request_id")?,
        total_ms: col(row, "total_ms")?,
        cost_micro_usd: col(row, "cost_micro_usd")?,
        outcome: col(row, "outcome")?,
        images: Vec::new(),
    })
}

impl Db {
    pub async fn record(&self, g: &Generation) -> Result<(), DbError> {
        let pool = self.ready().await?;
        let mut tx = pool.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO generations ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(&g.id)
        .bind(&g.visitor)
        .bind(g.created)
        .bind(&g.model)
        .bind(&g.params)
        .bind(g.seed)
        .bind(i64::from(g.ok))
        .bind(i64::from(g.emulated))
        .bind(&g.request_id)
        .bind(g.total_ms)
        .bind(g.cost_micro_usd)
        .bind(&g.outcome)
        .execute(&mut *tx)
        .await?;
        for name in &g.images {
            sqlx::query("INSERT INTO generation_images (generation, name) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(&g.id)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Newest first, `limit` of them, older than `before` (ms) when given; only
    /// `visitor`'s when given.
    pub async fn history(
        &self,
        visitor: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Generation>, DbError> {
        let pool = self.ready().await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM generations WHERE ($1 IS NULL OR visitor = $1) AND created < $2 \
             ORDER BY created DESC, id DESC LIMIT $3"
        ))
        .bind(visitor)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await?;
        rows.iter().map(generation).collect()
    }

    pub async fn generation(&self, id: &str) -> Result<Option<Generation>, DbError> {
        let pool = self.ready().await?;
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM generations WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
        row.as_ref().map(generation).transpose()
    }

    /// Deletes generations (one by id, or all, of `visitor` or anyone's); the image
    /// names no generation holds any more, for the store to remove.
    pub async fn forget(&self, id: Option<&str>, visitor: Option<&str>) -> Result<(u64, Vec<String>), DbError> {
        let pool = self.ready().await?;
        let rows =
            sqlx::query("SELECT id FROM generations WHERE ($1 IS NULL OR id = $1) AND ($2 IS NULL OR visitor = $2)")
                .bind(id)
                .bind(visitor)
                .fetch_all(pool)
                .await?;
        self.forget_ids(rows.iter().map(|r| col(r, "id")).collect::<Result<_, _>>()?).await
    }

    /// Deletes the generations made before `cutoff` (ms): the retention clean-up.
    pub async fn forget_before(&self, cutoff: i64) -> Result<(u64, Vec<String>), DbError> {
        let pool = self.ready().await?;
        let rows = sqlx::query("SELECT id FROM generations WHERE created < $1").bind(cutoff).fetch_all(pool).await?;
        self.forget_ids(rows.iter().map(|r| col(r, "id")).collect::<Result<_, _>>()?).await
    }

    async fn forget_ids(&self, ids: Vec<String>) -> Result<(u64, Vec<String>), DbError> {
        let pool = self.ready().await?;
        let mut tx = pool.begin().await?;
        let (mut deleted, mut candidates) = (0, Vec::new());
        for id in &ids {
            // A write first: on SQLite a transaction that reads before it writes may find
            // another writer in its way and fail instead of waiting.
            let names = sqlx::query("DELETE FROM generation_images WHERE generation = $1 RETURNING name")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
            for row in &names {
                candidates.push(col::<String>(row, "name")?);
            }
            deleted +=
                sqlx::query("DELETE FROM generations WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected();
        }
        candidates.sort();
        candidates.dedup();
        let mut orphans = Vec::new();
        for name in candidates {
            let held = sqlx::query("SELECT 1 AS one FROM generation_images WHERE name = $1 LIMIT 1")
                .bind(&name)
                .fetch_optional(&mut *tx)
                .await?;
            if held.is_none() {
                orphans.push(name);
            }
        }
        tx.commit().await?;
        Ok((deleted, orphans))
    }
}
