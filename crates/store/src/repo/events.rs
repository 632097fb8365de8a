//! The outbox: events appended in the same transaction as the change that caused them.

use serde_json::Value;
use sqlx::types::Json;
use yingke_core::{AccountId, DomainEvent, UserId, event::EVENT_SCHEMA_VERSION};

use crate::{
    Db, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

/// An event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub seq: i64,
    pub account_id: AccountId,
    pub kind: String,
    pub subject: String,
    pub payload: Value,
    pub actor_user_id: Option<UserId>,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    account_id: i64,
    kind: String,
    subject: String,
    payload: Json<Value>,
    actor_user_id: Option<i64>,
    created_at: i64,
}

/// Appends `event` to the outbox within `tx`; returns its sequence number.
pub async fn append(
    tx: &mut Tx,
    scope: Scope,
    actor: Option<UserId>,
    event: &DomainEvent,
    now: i64,
) -> Result<i64> {
    let mut payload =
        serde_json::to_value(event).map_err(|e| crate::Error::Corrupt(e.to_string()))?;
    if let Value::Object(map) = &mut payload {
        map.insert("v".into(), EVENT_SCHEMA_VERSION.into());
    }
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO events (account_id, kind, subject, payload, actor_user_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
        )
        .bind(scope.id())
        .bind(event.kind())
        .bind(event.subject())
        .bind(Json(&payload))
        .bind(actor.map(|a| a.0))
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

/// Most events in one statement: three bound values each stay well under the databases' limits
/// on bound parameters (32,766 on SQLite, 65,535 on PostgreSQL).
const EVENTS_PER_STATEMENT: usize = 1000;

/// Appends several events in as few statements as the databases allow (a routing step's
/// assignments, tags and records), in order.
pub async fn append_many(
    tx: &mut Tx,
    scope: Scope,
    actor: Option<UserId>,
    events: &[DomainEvent],
    now: i64,
) -> Result<()> {
    for chunk in events.chunks(EVENTS_PER_STATEMENT) {
        append_chunk(tx, scope, actor, chunk, now).await?;
    }
    Ok(())
}

async fn append_chunk(
    tx: &mut Tx,
    scope: Scope,
    actor: Option<UserId>,
    events: &[DomainEvent],
    now: i64,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut sql = String::from(
        "INSERT INTO events (account_id, kind, subject, payload, actor_user_id, created_at) VALUES ",
    );
    for i in 0..events.len() {
        let b = i * 3;
        if i > 0 {
            sql.push_str(", ");
        }
        // Only numbered placeholders are generated; every value is bound.
        sql.push_str(&format!("($1, ${}, ${}, ${}, $2, $3)", b + 4, b + 5, b + 6));
    }
    let mut payloads = Vec::with_capacity(events.len());
    for e in events {
        let mut payload =
            serde_json::to_value(e).map_err(|e| crate::Error::Corrupt(e.to_string()))?;
        if let Value::Object(map) = &mut payload {
            map.insert("v".into(), EVENT_SCHEMA_VERSION.into());
        }
        payloads.push(payload);
    }
    on_tx!(tx, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(scope.id())
            .bind(actor.map(|a| a.0))
            .bind(now);
        for (e, p) in events.iter().zip(&payloads) {
            q = q.bind(e.kind()).bind(e.subject()).bind(Json(p));
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Events of an account after `after_seq`, oldest first (audit trail, consumers catching up).
pub async fn list_after(
    db: &Db,
    scope: Scope,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<StoredEvent>> {
    let rows: Vec<EventRow> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT seq, account_id, kind, subject, payload, actor_user_id, created_at
             FROM events WHERE account_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(scope.id())
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| StoredEvent {
            seq: r.seq,
            account_id: AccountId(r.account_id),
            kind: r.kind,
            subject: r.subject,
            payload: r.payload.0,
            actor_user_id: r.actor_user_id.map(UserId),
            created_at: r.created_at,
        })
        .collect())
}
