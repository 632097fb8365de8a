//! Tickets, their timeline and collaborators; categories, markers and per-account ticket settings.
//!
//! A ticket is read with its row lock inside the writing transaction (`get_for_update`), changed
//! by the app and written back whole (`save`), so concurrent changes serialise instead of losing
//! each other's fields.

use serde_json::Value;
use sqlx::types::Json;

use crate::{
    Db, Page, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

const TICKET_COLUMNS: &str = "id, account_id, number, title, description, category_id, priority, status, status_kind,
    order_number, requested_by, contact_id, conversation_id, team_id, assignee_id, deadline, custom, tags,
    attachments, channel, source, sla_policy_id, sla, pauses, first_response_at, awaiting_reply_since,
    resolved_at, closed_at, resolution_business_ms, created_by, created_at, updated_at";

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Ticket {
    pub id: i64,
    pub account_id: i64,
    pub number: String,
    pub title: String,
    pub description: String,
    pub category_id: Option<i64>,
    pub priority: String,
    pub status: String,
    pub status_kind: String,
    pub order_number: Option<String>,
    pub requested_by: Option<String>,
    pub contact_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub deadline: Option<i64>,
    pub custom: Json<Value>,
    pub tags: Json<Value>,
    pub attachments: Json<Value>,
    pub channel: String,
    pub source: Json<Value>,
    pub sla_policy_id: Option<i64>,
    pub sla: Json<Value>,
    pub pauses: Json<Value>,
    pub first_response_at: Option<i64>,
    pub awaiting_reply_since: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub resolution_business_ms: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Inserts a ticket (its `id` is ignored) and answers it with its id.
pub async fn insert(tx: &mut Tx, scope: Scope, t: &Ticket) -> Result<Ticket> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO tickets (account_id, number, title, description, category_id, priority, status,
               status_kind, order_number, requested_by, contact_id, conversation_id, team_id, assignee_id,
               deadline, custom, tags, attachments, channel, source, sla_policy_id, sla, pauses,
               first_response_at, awaiting_reply_since, resolved_at, closed_at, resolution_business_ms,
               created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
               $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)
             RETURNING {TICKET_COLUMNS}"
        )))
        .bind(scope.id())
        .bind(&t.number)
        .bind(&t.title)
        .bind(&t.description)
        .bind(t.category_id)
        .bind(&t.priority)
        .bind(&t.status)
        .bind(&t.status_kind)
        .bind(&t.order_number)
        .bind(&t.requested_by)
        .bind(t.contact_id)
        .bind(t.conversation_id)
        .bind(t.team_id)
        .bind(t.assignee_id)
        .bind(t.deadline)
        .bind(&t.custom)
        .bind(&t.tags)
        .bind(&t.attachments)
        .bind(&t.channel)
        .bind(&t.source)
        .bind(t.sla_policy_id)
        .bind(&t.sla)
        .bind(&t.pauses)
        .bind(t.first_response_at)
        .bind(t.awaiting_reply_since)
        .bind(t.resolved_at)
        .bind(t.closed_at)
        .bind(t.resolution_business_ms)
        .bind(t.created_by)
        .bind(t.created_at)
        .bind(t.updated_at)
        .fetch_one(c)
        .await
    })?)
}

/// Writes every changeable column of `t` back.
pub async fn save(tx: &mut Tx, scope: Scope, t: &Ticket) -> Result<()> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE tickets SET title = $3, description = $4, category_id = $5, priority = $6,
               status = $7, status_kind = $8, order_number = $9, requested_by = $10, team_id = $11,
               assignee_id = $12, deadline = $13, custom = $14, tags = $15, attachments = $16,
               sla_policy_id = $17, sla = $18, pauses = $19, first_response_at = $20,
               awaiting_reply_since = $21, resolved_at = $22, closed_at = $23,
               resolution_business_ms = $24, updated_at = $25, contact_id = $26
             WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(t.id)
        .bind(&t.title)
        .bind(&t.description)
        .bind(t.category_id)
        .bind(&t.priority)
        .bind(&t.status)
        .bind(&t.status_kind)
        .bind(&t.order_number)
        .bind(&t.requested_by)
        .bind(t.team_id)
        .bind(t.assignee_id)
        .bind(t.deadline)
        .bind(&t.custom)
        .bind(&t.tags)
        .bind(&t.attachments)
        .bind(t.sla_policy_id)
        .bind(&t.sla)
        .bind(&t.pauses)
        .bind(t.first_response_at)
        .bind(t.awaiting_reply_since)
        .bind(t.resolved_at)
        .bind(t.closed_at)
        .bind(t.resolution_business_ms)
        .bind(t.updated_at)
        .bind(t.contact_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(crate::Error::NotFound);
    }
    Ok(())
}

pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Ticket> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}

/// The ticket, locked for the rest of the transaction.
pub async fn get_for_update(tx: &mut Tx, scope: Scope, id: i64) -> Result<Ticket> {
    let lock = match tx {
        Tx::Postgres(_) => " FOR UPDATE",
        _ => "",
    };
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE account_id = $1 AND id = $2{lock}"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(c)
        .await
    })?)
}

/// Filters of the ticket list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter<'a> {
    pub status: Option<&'a str>,
    pub status_kind: Option<&'a str>,
    pub priority: Option<&'a str>,
    pub category_id: Option<i64>,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub conversation_id: Option<i64>,
    /// Number, title or order number containing this.
    pub q: Option<&'a str>,
}

/// Tickets newest first, by page (`before` an id).
pub async fn list(
    db: &Db,
    scope: Scope,
    f: &TicketFilter<'_>,
    before: Option<i64>,
    limit: u32,
) -> Result<Page<Ticket>> {
    let like = f.q.map(|q| {
        format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    let rows: Vec<Ticket> = on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE account_id = $1
               AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR status_kind = $3)
               AND ($4 IS NULL OR priority = $4) AND ($5 IS NULL OR category_id = $5)
               AND ($6 IS NULL OR team_id = $6) AND ($7 IS NULL OR assignee_id = $7)
               AND ($8 IS NULL OR contact_id = $8) AND ($9 IS NULL OR conversation_id = $9)
               AND ($10 IS NULL OR number LIKE $10 ESCAPE '\\' OR title LIKE $10 ESCAPE '\\'
                    OR order_number LIKE $10 ESCAPE '\\')
               AND ($11 IS NULL OR id < $11)
             ORDER BY id DESC LIMIT $12"
        )))
        .bind(scope.id())
        .bind(f.status)
        .bind(f.status_kind)
        .bind(f.priority)
        .bind(f.category_id)
        .bind(f.team_id)
        .bind(f.assignee_id)
        .bind(f.contact_id)
        .bind(f.conversation_id)
        .bind(&like)
        .bind(before)
        .bind(i64::from(limit) + 1)
        .fetch_all(p)
        .await
    })?;
    Ok(Page::from_rows(rows, limit, |t| t.id))
}

/// Resolution business times of tickets resolved in `[from, to)` per category key ('' when
/// none) and priority: the history thresholds are learned from.
pub async fn resolution_times(
    db: &Db,
    scope: Scope,
    from: i64,
    to: i64,
) -> Result<Vec<(String, String, i64)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT COALESCE(c.key, ''), t.priority, t.resolution_business_ms
             FROM tickets t LEFT JOIN ticket_categories c ON c.id = t.category_id
             WHERE t.account_id = $1 AND t.resolution_business_ms IS NOT NULL
               AND t.resolved_at >= $2 AND t.resolved_at < $3",
        )
        .bind(scope.id())
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await
    })?)
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TimelineEntry {
    pub id: i64,
    pub ticket_id: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub body: Option<String>,
    pub data: Json<Value>,
    pub created_at: i64,
}

/// A timeline entry to add.
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    pub ticket_id: i64,
    pub kind: &'a str,
    pub actor: Option<i64>,
    pub body: Option<&'a str>,
    pub data: &'a Value,
}

pub async fn add_timeline(
    tx: &mut Tx,
    scope: Scope,
    e: NewEntry<'_>,
    now: i64,
) -> Result<TimelineEntry> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO ticket_timeline (account_id, ticket_id, kind, actor_id, body, data, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             RETURNING id, ticket_id, kind, actor_id, body, data, created_at",
        )
        .bind(scope.id())
        .bind(e.ticket_id)
        .bind(e.kind)
        .bind(e.actor)
        .bind(e.body)
        .bind(Json(e.data))
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

/// The ticket's timeline in order, by page (`after` an id).
pub async fn timeline(
    db: &Db,
    scope: Scope,
    ticket_id: i64,
    after: i64,
    limit: u32,
) -> Result<Page<TimelineEntry>> {
    let rows: Vec<TimelineEntry> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, ticket_id, kind, actor_id, body, data, created_at FROM ticket_timeline
             WHERE account_id = $1 AND ticket_id = $2 AND id > $3 ORDER BY id LIMIT $4",
        )
        .bind(scope.id())
        .bind(ticket_id)
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(p)
        .await
    })?;
    Ok(Page::from_rows(rows, limit, |e| e.id))
}

/// The newest agent reply (timeline kind `reply`, author `agent`) among the ticket's last 50
/// replies.
pub async fn latest_agent_reply_in(
    tx: &mut Tx,
    scope: Scope,
    ticket_id: i64,
) -> Result<Option<TimelineEntry>> {
    let rows: Vec<TimelineEntry> = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, ticket_id, kind, actor_id, body, data, created_at FROM ticket_timeline
             WHERE account_id = $1 AND ticket_id = $2 AND kind = 'reply' ORDER BY id DESC LIMIT 50",
        )
        .bind(scope.id())
        .bind(ticket_id)
        .fetch_all(c)
        .await
    })?;
    Ok(rows.into_iter().find(|e| e.data.0["author"] == "agent"))
}

pub async fn collaborators(db: &Db, scope: Scope, ticket_id: i64) -> Result<Vec<i64>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT user_id FROM ticket_collaborators WHERE account_id = $1 AND ticket_id = $2
             ORDER BY user_id",
        )
        .bind(scope.id())
        .bind(ticket_id)
        .fetch_all(p)
        .await
    })?)
}

/// Replaces the ticket's collaborators.
pub async fn set_collaborators(
    tx: &mut Tx,
    scope: Scope,
    ticket_id: i64,
    users: &[i64],
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM ticket_collaborators WHERE account_id = $1 AND ticket_id = $2")
            .bind(scope.id())
            .bind(ticket_id)
            .execute(&mut *c)
            .await?;
        for u in users {
            sqlx::query(
                "INSERT INTO ticket_collaborators (account_id, ticket_id, user_id) VALUES ($1, $2, $3)",
            )
            .bind(scope.id())
            .bind(ticket_id)
            .bind(u)
            .execute(&mut *c)
            .await?;
        }
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Category {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub fields: Json<Value>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub async fn categories(db: &Db, scope: Scope) -> Result<Vec<Category>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, key, name, fields, created_at, updated_at FROM ticket_categories
             WHERE account_id = $1 ORDER BY name, id",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn category(db: &Db, scope: Scope, id: i64) -> Result<Category> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, key, name, fields, created_at, updated_at FROM ticket_categories
             WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}

/// Creates (`id` None) or updates a category.
pub async fn save_category(
    tx: &mut Tx,
    scope: Scope,
    id: Option<i64>,
    key: &str,
    name: &str,
    fields: &Value,
    now: i64,
) -> Result<Category> {
    Ok(on_tx!(tx, |c| match id {
        None => {
            sqlx::query_as(
                "INSERT INTO ticket_categories (account_id, key, name, fields, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)
                 RETURNING id, key, name, fields, created_at, updated_at",
            )
            .bind(scope.id())
            .bind(key)
            .bind(name)
            .bind(Json(fields))
            .bind(now)
            .fetch_one(c)
            .await
        }
        Some(id) => {
            sqlx::query_as(
                "UPDATE ticket_categories SET key = $3, name = $4, fields = $5, updated_at = $6
                 WHERE account_id = $1 AND id = $2
                 RETURNING id, key, name, fields, created_at, updated_at",
            )
            .bind(scope.id())
            .bind(id)
            .bind(key)
            .bind(name)
            .bind(Json(fields))
            .bind(now)
            .fetch_one(c)
            .await
        }
    })?)
}

/// Deletes a category no ticket uses; `InUse` is the caller's to detect via `category_in_use`.
pub async fn delete_category(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    super::delete_scoped(tx, scope, "ticket_categories", id).await
}

pub async fn category_in_use(tx: &mut Tx, scope: Scope, id: i64) -> Result<bool> {
    let n: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM tickets WHERE account_id = $1 AND category_id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .fetch_one(c)
        .await
    })?;
    Ok(n > 0)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Marker {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
}

pub async fn markers(db: &Db, scope: Scope) -> Result<Vec<Marker>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, name, created_at FROM ticket_markers WHERE account_id = $1 ORDER BY id",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn insert_marker(tx: &mut Tx, scope: Scope, name: &str, now: i64) -> Result<Marker> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO ticket_markers (account_id, name, created_at) VALUES ($1, $2, $3)
             RETURNING id, name, created_at",
        )
        .bind(scope.id())
        .bind(name)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn delete_marker(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    super::delete_scoped(tx, scope, "ticket_markers", id).await
}

type SettingsRow = (Option<Json<Value>>, Option<Json<Value>>);

/// The account's ticket settings documents: (workflow, thresholds); `None` until first saved.
pub async fn settings(db: &Db, scope: Scope) -> Result<(Option<Value>, Option<Value>)> {
    let row: Option<SettingsRow> = on_pool!(&db.read, |p| {
        sqlx::query_as("SELECT workflow, thresholds FROM ticket_settings WHERE account_id = $1")
            .bind(scope.id())
            .fetch_optional(p)
            .await
    })?;
    Ok(row.map_or((None, None), |(w, t)| (w.map(|j| j.0), t.map(|j| j.0))))
}

/// Saves one settings document (`workflow` or `thresholds`).
pub async fn save_setting(
    tx: &mut Tx,
    scope: Scope,
    which: &str,
    doc: &Value,
    now: i64,
) -> Result<()> {
    let column = match which {
        "workflow" => "workflow",
        "thresholds" => "thresholds",
        other => return Err(crate::Error::Corrupt(format!("unknown setting {other}"))),
    };
    on_tx!(tx, |c| {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO ticket_settings (account_id, {column}, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO UPDATE SET {column} = excluded.{column},
             updated_at = excluded.updated_at"
        )))
        .bind(scope.id())
        .bind(Json(doc))
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// [`settings`] inside a write transaction.
pub async fn settings_in(tx: &mut Tx, scope: Scope) -> Result<(Option<Value>, Option<Value>)> {
    let row: Option<SettingsRow> = on_tx!(tx, |c| {
        sqlx::query_as("SELECT workflow, thresholds FROM ticket_settings WHERE account_id = $1")
            .bind(scope.id())
            .fetch_optional(c)
            .await
    })?;
    Ok(row.map_or((None, None), |(w, t)| (w.map(|j| j.0), t.map(|j| j.0))))
}

/// [`category`] inside a write transaction.
pub async fn category_in(tx: &mut Tx, scope: Scope, id: i64) -> Result<Category> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, key, name, fields, created_at, updated_at FROM ticket_categories
             WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .fetch_one(c)
        .await
    })?)
}
