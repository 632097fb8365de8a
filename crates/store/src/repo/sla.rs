//! Business calendars, SLA policies and learned thresholds. The `_in` readers run inside a write
//! transaction (the SLA clock is recomputed inside the change that moves it).

use serde_json::Value;
use sqlx::types::Json;

use crate::{
    Db, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CalendarRow {
    pub id: i64,
    pub name: String,
    pub spec: Json<Value>,
    pub is_default: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

const CAL: &str = "id, name, spec, is_default, created_at, updated_at";

pub async fn calendars(db: &Db, scope: Scope) -> Result<Vec<CalendarRow>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CAL} FROM business_calendars WHERE account_id = $1 ORDER BY id"
        )))
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn calendar(db: &Db, scope: Scope, id: i64) -> Result<CalendarRow> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CAL} FROM business_calendars WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}

/// The calendar with this id, or the account's default when `id` is `None`.
pub async fn calendar_in(
    tx: &mut Tx,
    scope: Scope,
    id: Option<i64>,
) -> Result<Option<CalendarRow>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CAL} FROM business_calendars WHERE account_id = $1
             AND (($2 IS NULL AND is_default) OR id = $2) ORDER BY id LIMIT 1"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_optional(c)
        .await
    })?)
}

/// Creates (`id` None) or replaces a calendar; making it the default unmarks the others.
pub async fn save_calendar(
    tx: &mut Tx,
    scope: Scope,
    id: Option<i64>,
    name: &str,
    spec: &Value,
    is_default: bool,
    now: i64,
) -> Result<CalendarRow> {
    if is_default {
        on_tx!(tx, |c| {
            sqlx::query("UPDATE business_calendars SET is_default = FALSE WHERE account_id = $1")
                .bind(scope.id())
                .execute(c)
                .await
                .map(|_| ())
        })?;
    }
    Ok(on_tx!(tx, |c| match id {
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO business_calendars (account_id, name, spec, is_default, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING {CAL}"
            )))
            .bind(scope.id())
            .bind(name)
            .bind(Json(spec))
            .bind(is_default)
            .bind(now)
            .fetch_one(c)
            .await
        }
        Some(id) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE business_calendars SET name = $3, spec = $4, is_default = $5, updated_at = $6
                 WHERE account_id = $1 AND id = $2 RETURNING {CAL}"
            )))
            .bind(scope.id())
            .bind(id)
            .bind(name)
            .bind(Json(spec))
            .bind(is_default)
            .bind(now)
            .fetch_one(c)
            .await
        }
    })?)
}

pub async fn delete_calendar(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    super::delete_scoped(tx, scope, "business_calendars", id).await
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PolicyRow {
    pub id: i64,
    pub position: i32,
    pub spec: Json<Value>,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

const POL: &str = "id, position, spec, enabled, created_at, updated_at";

pub async fn policies(db: &Db, scope: Scope) -> Result<Vec<PolicyRow>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {POL} FROM sla_policies WHERE account_id = $1 ORDER BY position, id"
        )))
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn policies_in(tx: &mut Tx, scope: Scope) -> Result<Vec<PolicyRow>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {POL} FROM sla_policies WHERE account_id = $1 ORDER BY position, id"
        )))
        .bind(scope.id())
        .fetch_all(c)
        .await
    })?)
}

/// Creates (`id` None, placed last) or replaces a policy.
pub async fn save_policy(
    tx: &mut Tx,
    scope: Scope,
    id: Option<i64>,
    spec: &Value,
    enabled: bool,
    position: Option<i32>,
    now: i64,
) -> Result<PolicyRow> {
    Ok(on_tx!(tx, |c| match id {
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO sla_policies (account_id, position, spec, enabled, created_at, updated_at)
                 VALUES ($1, COALESCE($2, (SELECT COALESCE(MAX(position), 0) + 1 FROM sla_policies WHERE account_id = $1)),
                   $3, $4, $5, $5)
                 RETURNING {POL}"
            )))
            .bind(scope.id())
            .bind(position)
            .bind(Json(spec))
            .bind(enabled)
            .bind(now)
            .fetch_one(c)
            .await
        }
        Some(id) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE sla_policies SET spec = $3, enabled = $4, position = COALESCE($5, position),
                 updated_at = $6 WHERE account_id = $1 AND id = $2 RETURNING {POL}"
            )))
            .bind(scope.id())
            .bind(id)
            .bind(Json(spec))
            .bind(enabled)
            .bind(position)
            .bind(now)
            .fetch_one(c)
            .await
        }
    })?)
}

pub async fn delete_policy(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    super::delete_scoped(tx, scope, "sla_policies", id).await
}

/// Whether any policy references the calendar (it cannot be deleted then).
pub async fn calendar_in_use(tx: &mut Tx, scope: Scope, id: i64) -> Result<bool> {
    let rows: Vec<Json<Value>> = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT spec FROM sla_policies WHERE account_id = $1")
            .bind(scope.id())
            .fetch_all(c)
            .await
    })?;
    Ok(rows
        .iter()
        .any(|s| s.0.get("calendar_id").and_then(Value::as_i64) == Some(id)))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Threshold {
    pub category_key: String,
    pub priority: String,
    pub window_days: i32,
    pub sample_count: i64,
    pub p50_ms: Option<i64>,
    pub p90_ms: Option<i64>,
    pub seasonal_factor: f64,
    pub warn_ms: Option<i64>,
    /// `history`, `peak` (an admin-declared peak's factor), or `too_few_samples`.
    pub basis: String,
    pub computed_at: i64,
}

const THR: &str = "category_key, priority, window_days, sample_count, p50_ms, p90_ms, seasonal_factor, warn_ms, basis, computed_at";

pub async fn thresholds(db: &Db, scope: Scope) -> Result<Vec<Threshold>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {THR} FROM sla_thresholds WHERE account_id = $1 ORDER BY category_key, priority"
        )))
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn threshold_in(
    tx: &mut Tx,
    scope: Scope,
    category_key: &str,
    priority: &str,
) -> Result<Option<Threshold>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {THR} FROM sla_thresholds WHERE account_id = $1 AND category_key = $2 AND priority = $3"
        )))
        .bind(scope.id())
        .bind(category_key)
        .bind(priority)
        .fetch_optional(c)
        .await
    })?)
}

/// Replaces the account's thresholds.
pub async fn replace_thresholds(tx: &mut Tx, scope: Scope, rows: &[Threshold]) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM sla_thresholds WHERE account_id = $1")
            .bind(scope.id())
            .execute(&mut *c)
            .await?;
        for r in rows {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO sla_thresholds (account_id, {THR}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            )))
            .bind(scope.id())
            .bind(&r.category_key)
            .bind(&r.priority)
            .bind(r.window_days)
            .bind(r.sample_count)
            .bind(r.p50_ms)
            .bind(r.p90_ms)
            .bind(r.seasonal_factor)
            .bind(r.warn_ms)
            .bind(&r.basis)
            .bind(r.computed_at)
            .execute(&mut *c)
            .await?;
        }
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(())
}

/// Ids of every account (the daily threshold refresh is scheduled per account).
pub async fn account_ids_all(db: &Db) -> Result<Vec<i64>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar("SELECT id FROM accounts ORDER BY id")
            .fetch_all(p)
            .await
    })?)
}
