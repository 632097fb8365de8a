//! Notifications: the account's policy, channels, rules, templates, deliveries, consent, opt-outs
//! and engagement. Deliveries are also the dispatcher's queue: `due_at` is when it next looks at a
//! row, claimed across accounts like timers (the documented scheduler exception to scoping).

use serde_json::Value;
use sqlx::types::Json;

use crate::{
    Db, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

// ---- policy -------------------------------------------------------------------------------

/// The stored policy JSON and whether the default rules and templates were seeded.
pub async fn settings_in(tx: &mut Tx, scope: Scope) -> Result<Option<(Json<Value>, bool)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as("SELECT policy, seeded FROM notification_settings WHERE account_id = $1")
            .bind(scope.id())
            .fetch_optional(c)
            .await
    })?)
}

pub async fn settings(db: &Db, scope: Scope) -> Result<Option<(Json<Value>, bool)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as("SELECT policy, seeded FROM notification_settings WHERE account_id = $1")
            .bind(scope.id())
            .fetch_optional(p)
            .await
    })?)
}

pub async fn save_policy(tx: &mut Tx, scope: Scope, policy: &Value, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO notification_settings (account_id, policy, seeded, updated_at)
             VALUES ($1, $2, FALSE, $3)
             ON CONFLICT (account_id) DO UPDATE SET policy = excluded.policy,
                 updated_at = excluded.updated_at",
        )
        .bind(scope.id())
        .bind(Json(policy))
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Claims the one-time seeding of defaults: true for the first caller only.
pub async fn claim_seeding(tx: &mut Tx, scope: Scope, policy: &Value, now: i64) -> Result<bool> {
    save_policy_if_missing(tx, scope, policy, now).await?;
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE notification_settings SET seeded = TRUE WHERE account_id = $1 AND NOT seeded",
        )
        .bind(scope.id())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

async fn save_policy_if_missing(tx: &mut Tx, scope: Scope, policy: &Value, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO notification_settings (account_id, policy, seeded, updated_at)
             VALUES ($1, $2, FALSE, $3) ON CONFLICT (account_id) DO NOTHING",
        )
        .bind(scope.id())
        .bind(Json(policy))
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

// ---- channels -----------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ChannelRow {
    pub id: i64,
    pub kind: String,
    pub medium: String,
    pub name: String,
    pub config: Json<Value>,
    /// Sealed JSON; never leaves the app unopened.
    pub secrets: String,
    pub enabled: bool,
    pub position: i32,
    pub receipt_token: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const CH: &str = "id, kind, medium, name, config, secrets, enabled, position, receipt_token, created_at, updated_at";

pub async fn channels(db: &Db, scope: Scope) -> Result<Vec<ChannelRow>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CH} FROM notification_channels WHERE account_id = $1 ORDER BY position, id"
        )))
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn channels_in(tx: &mut Tx, scope: Scope) -> Result<Vec<ChannelRow>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CH} FROM notification_channels WHERE account_id = $1 ORDER BY position, id"
        )))
        .bind(scope.id())
        .fetch_all(c)
        .await
    })?)
}

pub async fn channel(db: &Db, scope: Scope, id: i64) -> Result<ChannelRow> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CH} FROM notification_channels WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}

/// A channel to create (`id` None) or replace.
pub struct ChannelWrite<'a> {
    pub id: Option<i64>,
    pub kind: &'a str,
    pub medium: &'a str,
    pub name: &'a str,
    pub config: &'a Value,
    pub secrets: &'a str,
    pub enabled: bool,
    pub position: i32,
    pub receipt_token: &'a str,
}

pub async fn save_channel(
    tx: &mut Tx,
    scope: Scope,
    w: ChannelWrite<'_>,
    now: i64,
) -> Result<ChannelRow> {
    Ok(match w.id {
        None => on_tx!(tx, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO notification_channels (account_id, kind, medium, name, config, secrets,
                     enabled, position, receipt_token, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING {CH}"
            )))
            .bind(scope.id())
            .bind(w.kind)
            .bind(w.medium)
            .bind(w.name)
            .bind(Json(w.config))
            .bind(w.secrets)
            .bind(w.enabled)
            .bind(w.position)
            .bind(w.receipt_token)
            .bind(now)
            .fetch_one(c)
            .await
        })?,
        Some(id) => on_tx!(tx, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE notification_channels SET name = $3, config = $4, secrets = $5,
                     enabled = $6, position = $7, updated_at = $8
                 WHERE account_id = $1 AND id = $2 RETURNING {CH}"
            )))
            .bind(scope.id())
            .bind(id)
            .bind(w.name)
            .bind(Json(w.config))
            .bind(w.secrets)
            .bind(w.enabled)
            .bind(w.position)
            .bind(now)
            .fetch_one(c)
            .await
        })?,
    })
}

pub async fn delete_channel(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    super::delete_scoped(tx, scope, "notification_channels", id).await
}

// ---- rules --------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RuleRow {
    pub id: i64,
    pub position: i32,
    pub spec: Json<Value>,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

const RULE: &str = "id, position, spec, active, created_at, updated_at";

pub async fn rules(db: &Db, scope: Scope) -> Result<Vec<RuleRow>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RULE} FROM notification_rules WHERE account_id = $1 ORDER BY position, id"
        )))
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn rules_in(tx: &mut Tx, scope: Scope) -> Result<Vec<RuleRow>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RULE} FROM notification_rules WHERE account_id = $1 ORDER BY position, id"
        )))
        .bind(scope.id())
        .fetch_all(c)
        .await
    })?)
}

pub async fn save_rule(
    tx: &mut Tx,
    scope: Scope,
    id: Option<i64>,
    position: i32,
    spec: &Value,
    active: bool,
    now: i64,
) -> Result<RuleRow> {
    Ok(match id {
        None => on_tx!(tx, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO notification_rules (account_id, position, spec, active, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING {RULE}"
            )))
            .bind(scope.id())
            .bind(position)
            .bind(Json(spec))
            .bind(active)
            .bind(now)
            .fetch_one(c)
            .await
        })?,
        Some(id) => on_tx!(tx, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE notification_rules SET position = $3, spec = $4, active = $5, updated_at = $6
                 WHERE account_id = $1 AND id = $2 RETURNING {RULE}"
            )))
            .bind(scope.id())
            .bind(id)
            .bind(position)
            .bind(Json(spec))
            .bind(active)
            .bind(now)
            .fetch_one(c)
            .await
        })?,
    })
}

pub async fn delete_rule(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    super::delete_scoped(tx, scope, "notification_rules", id).await
}

// ---- templates ----------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TemplateRow {
    pub id: i64,
    pub key: String,
    pub locale: String,
    pub audience: String,
    pub category_id: i64,
    pub medium: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const TPL: &str =
    "id, key, locale, audience, category_id, medium, subject, body, created_at, updated_at";

pub async fn templates(db: &Db, scope: Scope) -> Result<Vec<TemplateRow>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TPL} FROM notification_templates WHERE account_id = $1 ORDER BY key, locale, id"
        )))
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

/// Every variant of template `key`.
pub async fn template_variants_in(
    tx: &mut Tx,
    scope: Scope,
    key: &str,
) -> Result<Vec<TemplateRow>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TPL} FROM notification_templates WHERE account_id = $1 AND key = $2 ORDER BY id"
        )))
        .bind(scope.id())
        .bind(key)
        .fetch_all(c)
        .await
    })?)
}

pub async fn template(db: &Db, scope: Scope, id: i64) -> Result<TemplateRow> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TPL} FROM notification_templates WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}

/// A template variant to create or replace.
pub struct TemplateWrite<'a> {
    pub key: &'a str,
    pub locale: &'a str,
    pub audience: &'a str,
    pub category_id: i64,
    pub medium: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Creates the variant or replaces the one with the same key, locale, audience, category and medium.
pub async fn upsert_template(
    tx: &mut Tx,
    scope: Scope,
    w: &TemplateWrite<'_>,
    now: i64,
) -> Result<TemplateRow> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO notification_templates (account_id, key, locale, audience, category_id,
                 medium, subject, body, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
             ON CONFLICT (account_id, key, locale, audience, category_id, medium)
             DO UPDATE SET subject = excluded.subject, body = excluded.body,
                 updated_at = excluded.updated_at
             RETURNING {TPL}"
        )))
        .bind(scope.id())
        .bind(w.key)
        .bind(w.locale)
        .bind(w.audience)
        .bind(w.category_id)
        .bind(w.medium)
        .bind(w.subject)
        .bind(w.body)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn delete_template(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    super::delete_scoped(tx, scope, "notification_templates", id).await
}

// ---- deliveries ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub account_id: i64,
    /// One notice to one recipient: every channel it goes out on shares this key.
    pub notice_key: String,
    pub idempotency_key: String,
    pub ticket_id: Option<i64>,
    pub rule_id: Option<i64>,
    pub notice_kind: Option<String>,
    /// `customer`, `agent` or `group` (an IM group robot).
    pub recipient_kind: String,
    pub contact_id: Option<i64>,
    pub user_id: Option<i64>,
    pub medium: String,
    pub channel_id: Option<i64>,
    pub address: String,
    pub locale: String,
    pub subject: String,
    pub body: String,
    pub params: Json<Value>,
    pub important: bool,
    /// Media still to try, in order, if this one fails.
    pub fallbacks: Json<Value>,
    /// `queued`, `sending`, `sent` (awaiting a receipt), `delivered`, `failed`, `skipped`.
    pub status: String,
    pub skip_reason: Option<Json<Value>>,
    pub attempts: i32,
    pub unconfirmed_retries: i32,
    pub due_at: Option<i64>,
    pub sent_at: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub opened_at: Option<i64>,
    pub clicked_at: Option<i64>,
    pub read_at: Option<i64>,
    pub provider_id: Option<String>,
    pub last_response: Option<String>,
    pub last_error: Option<String>,
    pub failover_from: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const DEL: &str = "id, account_id, notice_key, idempotency_key, ticket_id, rule_id, notice_kind,
    recipient_kind, contact_id, user_id, medium, channel_id, address, locale, subject, body, params,
    important, fallbacks, status, skip_reason, attempts, unconfirmed_retries, due_at, sent_at,
    confirmed_at, opened_at, clicked_at, read_at, provider_id, last_response, last_error,
    failover_from, created_at, updated_at";

/// Inserts `d` unless a delivery with its idempotency key exists; the new row, or `None`.
pub async fn insert_delivery(tx: &mut Tx, d: &Delivery) -> Result<Option<Delivery>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO notification_deliveries (account_id, notice_key, idempotency_key,
                 ticket_id, rule_id, notice_kind, recipient_kind, contact_id, user_id, medium,
                 channel_id, address, locale, subject, body, params, important, fallbacks, status,
                 skip_reason, attempts, unconfirmed_retries, due_at, sent_at, confirmed_at,
                 opened_at, clicked_at, read_at, provider_id, last_response, last_error,
                 failover_from, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $33)
             ON CONFLICT (account_id, idempotency_key) DO NOTHING
             RETURNING {DEL}"
        )))
        .bind(d.account_id)
        .bind(&d.notice_key)
        .bind(&d.idempotency_key)
        .bind(d.ticket_id)
        .bind(d.rule_id)
        .bind(&d.notice_kind)
        .bind(&d.recipient_kind)
        .bind(d.contact_id)
        .bind(d.user_id)
        .bind(&d.medium)
        .bind(d.channel_id)
        .bind(&d.address)
        .bind(&d.locale)
        .bind(&d.subject)
        .bind(&d.body)
        .bind(&d.params)
        .bind(d.important)
        .bind(&d.fallbacks)
        .bind(&d.status)
        .bind(&d.skip_reason)
        .bind(d.attempts)
        .bind(d.unconfirmed_retries)
        .bind(d.due_at)
        .bind(d.sent_at)
        .bind(d.confirmed_at)
        .bind(d.opened_at)
        .bind(d.clicked_at)
        .bind(d.read_at)
        .bind(&d.provider_id)
        .bind(&d.last_response)
        .bind(&d.last_error)
        .bind(d.failover_from)
        .bind(d.created_at)
        .fetch_optional(c)
        .await
    })?)
}

/// Writes back a delivery's mutable state.
pub async fn save_delivery(tx: &mut Tx, d: &Delivery) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE notification_deliveries SET status = $3, attempts = $4,
                 unconfirmed_retries = $5, due_at = $6, sent_at = $7, confirmed_at = $8,
                 opened_at = $9, clicked_at = $10, read_at = $11, provider_id = $12,
                 last_response = $13, last_error = $14, updated_at = $15
             WHERE account_id = $1 AND id = $2",
        )
        .bind(d.account_id)
        .bind(d.id)
        .bind(&d.status)
        .bind(d.attempts)
        .bind(d.unconfirmed_retries)
        .bind(d.due_at)
        .bind(d.sent_at)
        .bind(d.confirmed_at)
        .bind(d.opened_at)
        .bind(d.clicked_at)
        .bind(d.read_at)
        .bind(&d.provider_id)
        .bind(&d.last_response)
        .bind(&d.last_error)
        .bind(d.updated_at)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Deliveries due at `now` across accounts, locked for this transaction on PostgreSQL.
pub async fn claim_due_all_accounts(tx: &mut Tx, now: i64, limit: u32) -> Result<Vec<Delivery>> {
    let lock = match tx {
        Tx::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DEL} FROM notification_deliveries WHERE due_at IS NOT NULL AND due_at <= $1
             ORDER BY due_at LIMIT $2{lock}"
        )))
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(c)
        .await
    })?)
}

/// The earliest `due_at` across accounts.
pub async fn next_due_all_accounts(db: &Db) -> Result<Option<i64>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT MIN(due_at) FROM notification_deliveries WHERE due_at IS NOT NULL",
        )
        .fetch_one(p)
        .await
    })?)
}

pub async fn delivery_in(tx: &mut Tx, scope: Scope, id: i64) -> Result<Delivery> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DEL} FROM notification_deliveries WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(c)
        .await
    })?)
}

pub async fn delivery(db: &Db, scope: Scope, id: i64) -> Result<Delivery> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DEL} FROM notification_deliveries WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}

/// The delivery a provider's receipt names, by its message id or our idempotency key.
pub async fn delivery_by_provider_in(
    tx: &mut Tx,
    scope: Scope,
    channel_id: i64,
    provider_id: &str,
) -> Result<Option<Delivery>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DEL} FROM notification_deliveries WHERE account_id = $1 AND channel_id = $2
             AND (provider_id = $3 OR idempotency_key = $3) ORDER BY id DESC LIMIT 1"
        )))
        .bind(scope.id())
        .bind(channel_id)
        .bind(provider_id)
        .fetch_optional(c)
        .await
    })?)
}

/// Which deliveries to list.
#[derive(Debug, Default, Clone)]
pub struct DeliveryFilter {
    pub ticket_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub user_id: Option<i64>,
    pub medium: Option<String>,
    pub status: Option<String>,
}

/// Newest first, before id `before`.
pub async fn deliveries(
    db: &Db,
    scope: Scope,
    f: &DeliveryFilter,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<Delivery>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DEL} FROM notification_deliveries WHERE account_id = $1
             AND ($2 IS NULL OR ticket_id = $2) AND ($3 IS NULL OR contact_id = $3)
             AND ($4 IS NULL OR user_id = $4) AND ($5 IS NULL OR medium = $5)
             AND ($6 IS NULL OR status = $6) AND ($7 IS NULL OR id < $7)
             ORDER BY id DESC LIMIT $8"
        )))
        .bind(scope.id())
        .bind(f.ticket_id)
        .bind(f.contact_id)
        .bind(f.user_id)
        .bind(f.medium.as_deref())
        .bind(f.status.as_deref())
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await
    })?)
}

/// How many of an agent's in-app notices are unread (skipped ones were never shown).
pub async fn unread_count(db: &Db, scope: Scope, user_id: i64) -> Result<i64> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM notification_deliveries
             WHERE account_id = $1 AND user_id = $2 AND medium = 'in_app'
               AND read_at IS NULL AND status <> 'skipped'",
        )
        .bind(scope.id())
        .bind(user_id)
        .fetch_one(p)
        .await
    })?)
}

/// Marks every unread in-app notice of an agent read at `now`; returns how many it marked.
pub async fn read_all_in(tx: &mut Tx, scope: Scope, user_id: i64, now: i64) -> Result<u64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE notification_deliveries SET read_at = $3, updated_at = $3
             WHERE account_id = $1 AND user_id = $2 AND medium = 'in_app' AND read_at IS NULL",
        )
        .bind(scope.id())
        .bind(user_id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?)
}

/// Files that earlier e-mail notices to customers on the ticket carry (`params.files`), queued
/// or sent (not skipped or failed).
pub async fn mailed_files_in(
    tx: &mut Tx,
    scope: Scope,
    ticket_id: i64,
) -> Result<std::collections::HashSet<i64>> {
    let rows: Vec<Json<Value>> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT params FROM notification_deliveries
             WHERE account_id = $1 AND ticket_id = $2 AND recipient_kind = 'customer'
               AND medium = 'email' AND status NOT IN ('skipped', 'failed')",
        )
        .bind(scope.id())
        .bind(ticket_id)
        .fetch_all(c)
        .await
    })?;
    Ok(rows
        .iter()
        .flat_map(|p| p.0["files"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_i64())
        .collect())
}

/// An agent's unread in-app notices after id `after` that came at `since` or later, oldest
/// first, at most `limit`: what an e-mail digest may list.
pub async fn unread_agent_notices_in(
    tx: &mut Tx,
    scope: Scope,
    user_id: i64,
    after: i64,
    since: i64,
    limit: u32,
) -> Result<Vec<Delivery>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DEL} FROM notification_deliveries
             WHERE account_id = $1 AND user_id = $2 AND recipient_kind = 'agent'
               AND medium = 'in_app' AND read_at IS NULL AND status <> 'skipped' AND id > $3
               AND created_at >= $4
             ORDER BY id LIMIT $5"
        )))
        .bind(scope.id())
        .bind(user_id)
        .bind(after)
        .bind(since)
        .bind(i64::from(limit))
        .fetch_all(c)
        .await
    })?)
}

/// The newest in-app notice an agent's earlier e-mail digests covered (their `through_id`), or 0.
pub async fn digest_watermark_in(tx: &mut Tx, scope: Scope, user_id: i64) -> Result<i64> {
    let params: Option<Json<Value>> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT params FROM notification_deliveries
             WHERE account_id = $1 AND user_id = $2 AND recipient_kind = 'agent'
               AND notice_kind = 'digest'
             ORDER BY id DESC LIMIT 1",
        )
        .bind(scope.id())
        .bind(user_id)
        .fetch_optional(c)
        .await
    })?;
    Ok(params
        .and_then(|p| p.0.get("through_id").and_then(Value::as_i64))
        .unwrap_or(0))
}

/// Customer notices already given on a ticket (not skipped): `(notice_kind, first created_at)`
/// per notice.
pub async fn given_in(tx: &mut Tx, scope: Scope, ticket_id: i64) -> Result<Vec<(String, i64)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT notice_kind, MIN(created_at) FROM notification_deliveries
             WHERE account_id = $1 AND ticket_id = $2 AND recipient_kind = 'customer'
               AND status <> 'skipped' AND notice_kind IS NOT NULL
             GROUP BY notice_key, notice_kind",
        )
        .bind(scope.id())
        .bind(ticket_id)
        .fetch_all(c)
        .await
    })?)
}

// ---- consent, opt-outs, engagement --------------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Consent {
    pub medium: String,
    pub granted: bool,
    pub source: String,
    pub at: i64,
}

pub async fn set_consent(
    tx: &mut Tx,
    scope: Scope,
    contact_id: i64,
    medium: &str,
    granted: bool,
    source: &str,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO notification_consents (account_id, contact_id, medium, granted, source, at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (account_id, contact_id, medium) DO UPDATE SET granted = excluded.granted,
                 source = excluded.source, at = excluded.at",
        )
        .bind(scope.id())
        .bind(contact_id)
        .bind(medium)
        .bind(granted)
        .bind(source)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

pub async fn consents_in(tx: &mut Tx, scope: Scope, contact_id: i64) -> Result<Vec<Consent>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT medium, granted, source, at FROM notification_consents
             WHERE account_id = $1 AND contact_id = $2 ORDER BY medium",
        )
        .bind(scope.id())
        .bind(contact_id)
        .fetch_all(c)
        .await
    })?)
}

pub async fn consents(db: &Db, scope: Scope, contact_id: i64) -> Result<Vec<Consent>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT medium, granted, source, at FROM notification_consents
             WHERE account_id = $1 AND contact_id = $2 ORDER BY medium",
        )
        .bind(scope.id())
        .bind(contact_id)
        .fetch_all(p)
        .await
    })?)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct OptOut {
    /// 0 = every ticket.
    pub ticket_id: i64,
    /// `*` = every medium.
    pub medium: String,
    pub source: String,
    pub at: i64,
}

pub async fn add_optout(
    tx: &mut Tx,
    scope: Scope,
    contact_id: i64,
    ticket_id: i64,
    medium: &str,
    source: &str,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO notification_optouts (account_id, contact_id, ticket_id, medium, source, at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (account_id, contact_id, ticket_id, medium) DO NOTHING",
        )
        .bind(scope.id())
        .bind(contact_id)
        .bind(ticket_id)
        .bind(medium)
        .bind(source)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Removes every opt-out of the contact (an admin override, or the customer opting back in).
pub async fn clear_optouts(tx: &mut Tx, scope: Scope, contact_id: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM notification_optouts WHERE account_id = $1 AND contact_id = $2")
            .bind(scope.id())
            .bind(contact_id)
            .execute(c)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

pub async fn optouts_in(tx: &mut Tx, scope: Scope, contact_id: i64) -> Result<Vec<OptOut>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT ticket_id, medium, source, at FROM notification_optouts
             WHERE account_id = $1 AND contact_id = $2 ORDER BY ticket_id, medium",
        )
        .bind(scope.id())
        .bind(contact_id)
        .fetch_all(c)
        .await
    })?)
}

pub async fn optouts(db: &Db, scope: Scope, contact_id: i64) -> Result<Vec<OptOut>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT ticket_id, medium, source, at FROM notification_optouts
             WHERE account_id = $1 AND contact_id = $2 ORDER BY ticket_id, medium",
        )
        .bind(scope.id())
        .bind(contact_id)
        .fetch_all(p)
        .await
    })?)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct EngagementRow {
    pub medium: String,
    pub sent: i32,
    pub engaged: i32,
}

/// Counts a delivered notice (`sent`) or a first open, click or read (`engaged`).
pub async fn bump_engagement(
    tx: &mut Tx,
    scope: Scope,
    contact_id: i64,
    medium: &str,
    sent: i32,
    engaged: i32,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO notification_engagement (account_id, contact_id, medium, sent, engaged, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (account_id, contact_id, medium) DO UPDATE SET
                 sent = notification_engagement.sent + excluded.sent,
                 engaged = notification_engagement.engaged + excluded.engaged,
                 updated_at = excluded.updated_at",
        )
        .bind(scope.id())
        .bind(contact_id)
        .bind(medium)
        .bind(sent)
        .bind(engaged)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

pub async fn engagement_in(
    tx: &mut Tx,
    scope: Scope,
    contact_id: i64,
) -> Result<Vec<EngagementRow>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT medium, sent, engaged FROM notification_engagement
             WHERE account_id = $1 AND contact_id = $2 ORDER BY medium",
        )
        .bind(scope.id())
        .bind(contact_id)
        .fetch_all(c)
        .await
    })?)
}

pub async fn engagement(db: &Db, scope: Scope, contact_id: i64) -> Result<Vec<EngagementRow>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT medium, sent, engaged FROM notification_engagement
             WHERE account_id = $1 AND contact_id = $2 ORDER BY medium",
        )
        .bind(scope.id())
        .bind(contact_id)
        .fetch_all(p)
        .await
    })?)
}

// ---- agent recipients ---------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AgentAddress {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub locale: String,
}

/// Active users of a team (every team when `team` is `None`), only supervisors and above when
/// `supervisors` is set.
pub async fn agents_in(
    tx: &mut Tx,
    scope: Scope,
    team: Option<i64>,
    supervisors: bool,
) -> Result<Vec<AgentAddress>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.locale FROM users u
             WHERE u.account_id = $1 AND u.active
               AND ($2 IS NULL OR EXISTS (SELECT 1 FROM team_members m WHERE m.account_id = $1
                        AND m.team_id = $2 AND m.user_id = u.id))
               AND (NOT $3 OR u.role IN ('supervisor', 'admin', 'owner'))
             ORDER BY u.id",
        )
        .bind(scope.id())
        .bind(team)
        .bind(supervisors)
        .fetch_all(c)
        .await
    })?)
}

/// Active users by id.
pub async fn agents_by_id_in(tx: &mut Tx, scope: Scope, ids: &[i64]) -> Result<Vec<AgentAddress>> {
    let mut out = Vec::new();
    for id in ids {
        let row: Option<AgentAddress> = on_tx!(tx, |c| {
            sqlx::query_as(
                "SELECT id, email, name, locale FROM users WHERE account_id = $1 AND id = $2 AND active",
            )
            .bind(scope.id())
            .bind(*id)
            .fetch_optional(c)
            .await
        })?;
        out.extend(row);
    }
    Ok(out)
}
