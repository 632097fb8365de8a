//! Definitions of contacts' typed custom attributes.

use serde_json::Value;
use sqlx::types::Json;

use crate::{
    Db, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AttributeDefinition {
    pub id: i64,
    pub key: String,
    pub label: String,
    /// text, number, date, boolean or list.
    pub kind: String,
    /// The choices of a `list` attribute (a JSON array of texts).
    pub options: Json<Value>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub async fn list(db: &Db, scope: Scope) -> Result<Vec<AttributeDefinition>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, key, label, kind, options, created_at, updated_at
             FROM contact_attribute_definitions WHERE account_id = $1 ORDER BY key",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn insert(
    tx: &mut Tx,
    scope: Scope,
    key: &str,
    label: &str,
    kind: &str,
    options: &Value,
    now: i64,
) -> Result<AttributeDefinition> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO contact_attribute_definitions (account_id, key, label, kind, options, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)
             RETURNING id, key, label, kind, options, created_at, updated_at",
        )
        .bind(scope.id())
        .bind(key)
        .bind(label)
        .bind(kind)
        .bind(Json(options))
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

/// Changes the label and options (key and kind are fixed once values may exist).
pub async fn update(
    tx: &mut Tx,
    scope: Scope,
    id: i64,
    label: Option<&str>,
    options: Option<&Value>,
    now: i64,
) -> Result<AttributeDefinition> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "UPDATE contact_attribute_definitions
             SET label = COALESCE($3, label), options = COALESCE($4, options), updated_at = $5
             WHERE account_id = $1 AND id = $2
             RETURNING id, key, label, kind, options, created_at, updated_at",
        )
        .bind(scope.id())
        .bind(id)
        .bind(label)
        .bind(options.map(Json))
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn get_in(tx: &mut Tx, scope: Scope, id: i64) -> Result<AttributeDefinition> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, key, label, kind, options, created_at, updated_at
             FROM contact_attribute_definitions WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .fetch_one(c)
        .await
    })?)
}

pub async fn delete(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    let n = on_tx!(tx, |c| {
        sqlx::query("DELETE FROM contact_attribute_definitions WHERE account_id = $1 AND id = $2")
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
