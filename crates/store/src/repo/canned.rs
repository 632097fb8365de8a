//! Canned responses.

use crate::{
    Db, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CannedResponse {
    pub id: i64,
    pub short_code: String,
    pub content: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub async fn insert(
    tx: &mut Tx,
    scope: Scope,
    code: &str,
    content: &str,
    now: i64,
) -> Result<CannedResponse> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO canned_responses (account_id, short_code, content, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4) RETURNING id, short_code, content, created_at, updated_at",
        )
        .bind(scope.id())
        .bind(code)
        .bind(content)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

/// Responses whose short code starts with `prefix` (all when empty), by short code.
pub async fn list(db: &Db, scope: Scope, prefix: &str) -> Result<Vec<CannedResponse>> {
    let pattern = format!("{}%", prefix.replace(['%', '_'], ""));
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, short_code, content, created_at, updated_at FROM canned_responses
             WHERE account_id = $1 AND short_code LIKE $2 ORDER BY short_code LIMIT 200",
        )
        .bind(scope.id())
        .bind(&pattern)
        .fetch_all(p)
        .await
    })?)
}

pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<CannedResponse> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, short_code, content, created_at, updated_at FROM canned_responses
             WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}

pub async fn update(
    tx: &mut Tx,
    scope: Scope,
    id: i64,
    code: Option<&str>,
    content: Option<&str>,
    now: i64,
) -> Result<CannedResponse> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "UPDATE canned_responses SET short_code = COALESCE($3, short_code), content = COALESCE($4, content), updated_at = $5
             WHERE account_id = $1 AND id = $2 RETURNING id, short_code, content, created_at, updated_at",
        )
        .bind(scope.id())
        .bind(id)
        .bind(code)
        .bind(content)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn delete(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    let n = on_tx!(tx, |c| {
        sqlx::query("DELETE FROM canned_responses WHERE account_id = $1 AND id = $2")
            .bind(scope.id())
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(crate::Error::NotFound);
    }
    Ok(())
}
