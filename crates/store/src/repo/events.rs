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

/// The event kinds that make the audit trail: administrators' changes to people, teams,
/// channels, routing rules and settings. `events_audit_idx` (migration 0013) indexes exactly
/// these rows; a kind added here needs that index rebuilt with it.
pub const AUDIT_KINDS: [&str; 13] = [
    "user_created",
    "user_updated",
    "user_deactivated",
    "user_reactivated",
    "team_created",
    "team_updated",
    "team_deleted",
    "team_member_added",
    "team_member_removed",
    "channel_created",
    "channel_updated",
    "routing_rule_changed",
    "setting_changed",
];

/// [`AUDIT_KINDS`] as an SQL list of literals: the planners use the partial index only for a
/// predicate that matches its own, which bound parameters cannot show.
fn audit_kinds_sql() -> String {
    let quoted: Vec<String> = AUDIT_KINDS.iter().map(|k| format!("'{k}'")).collect();
    format!("({})", quoted.join(", "))
}

/// Which audit entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries older than this sequence number (the previous page's last).
    pub before: Option<i64>,
    /// Only this person's changes.
    pub actor: Option<UserId>,
    /// Only these kinds (each one of `AUDIT_KINDS`); empty: all of them.
    pub kinds: Vec<String>,
    /// Only `setting_changed` entries about this area (`sla_policy`).
    pub area: Option<String>,
}

/// Audit entries of an account, newest first.
pub async fn list_audit(
    db: &Db,
    scope: Scope,
    filter: &AuditFilter,
    limit: u32,
) -> Result<Vec<StoredEvent>> {
    let mut sql = format!(
        "SELECT seq, account_id, kind, subject, payload, actor_user_id, created_at
         FROM events WHERE account_id = $1 AND kind IN {} AND seq < $2",
        audit_kinds_sql()
    );
    let mut next = 3;
    if filter.actor.is_some() {
        sql.push_str(&format!(" AND actor_user_id = ${next}"));
        next += 1;
    }
    if !filter.kinds.is_empty() {
        let marks: Vec<String> = (0..filter.kinds.len())
            .map(|i| format!("${}", next + i))
            .collect();
        sql.push_str(&format!(" AND kind IN ({})", marks.join(", ")));
        next += filter.kinds.len();
    }
    if filter.area.is_some() {
        // The subject is `area:id`, or `area` alone for account-wide settings.
        sql.push_str(&format!(
            " AND kind = 'setting_changed' AND (subject = ${next} OR subject LIKE ${} ESCAPE '\\')",
            next + 1
        ));
        next += 2;
    }
    sql.push_str(&format!(" ORDER BY seq DESC LIMIT ${next}"));
    let area_prefix = filter.area.as_deref().map(|a| {
        let escaped = a
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("{escaped}:%")
    });
    let rows: Vec<EventRow> = on_pool!(&db.read, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(scope.id())
            .bind(filter.before.unwrap_or(i64::MAX));
        if let Some(actor) = filter.actor {
            q = q.bind(actor.0);
        }
        for kind in &filter.kinds {
            q = q.bind(kind.clone());
        }
        if let Some(area) = &filter.area {
            q = q.bind(area.clone()).bind(area_prefix.clone());
        }
        q.bind(i64::from(limit)).fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(stored).collect())
}

fn stored(r: EventRow) -> StoredEvent {
    StoredEvent {
        seq: r.seq,
        account_id: AccountId(r.account_id),
        kind: r.kind,
        subject: r.subject,
        payload: r.payload.0,
        actor_user_id: r.actor_user_id.map(UserId),
        created_at: r.created_at,
    }
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
    Ok(rows.into_iter().map(stored).collect())
}

/// Tables whose rows the audit trail names its subjects by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamedTable {
    Users,
    Teams,
    Channels,
    RoutingRules,
}

impl NamedTable {
    fn sql(self) -> &'static str {
        match self {
            NamedTable::Users => "users",
            NamedTable::Teams => "teams",
            NamedTable::Channels => "channels",
            NamedTable::RoutingRules => "routing_rules",
        }
    }
}

/// The names of some rows of one table in an account; rows gone since are simply absent.
pub async fn names_of(
    db: &Db,
    scope: Scope,
    table: NamedTable,
    ids: &[i64],
) -> Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    // The table name comes from the enum above; every value is bound.
    let sql = format!(
        "SELECT id, name FROM {} WHERE account_id = $1 AND id IN ({})",
        table.sql(),
        marks.join(", ")
    );
    Ok(on_pool!(&db.read, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(scope.id());
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The partial index is used only while the query's list and the index's list agree.
    #[test]
    fn the_audit_index_of_each_backend_covers_exactly_the_audit_kinds() {
        for migration in [
            include_str!("../../migrations/sqlite/0013_audit.sql"),
            include_str!("../../migrations/postgres/0013_audit.sql"),
        ] {
            let sql: String = migration
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join(" ");
            let list = &sql[sql.find("kind IN (").expect("a kind list") + "kind IN ".len()..];
            let list = &list[..=list.find(')').expect("the list ends")];
            let normalised = list.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(normalised, audit_kinds_sql());
        }
    }
}
