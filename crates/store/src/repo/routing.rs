//! Routing state: agents' availability and capacity, team defaults, the account's rules and
//! settings, conversations' routing columns, and stored decisions.

use serde_json::Value;
use sqlx::types::Json;
use yingke_core::AccountId;

use crate::{
    Backend, Db, Result, Scope, Tx,
    conversations::{CONVERSATION_COLUMNS, Conversation, ConversationRow},
    db::{on_pool, on_tx},
};

/// An active user of the account as routing sees them (no state row yet = offline).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentRow {
    pub user_id: i64,
    pub status: Option<String>,
    pub capacity: Option<i64>,
    pub skills: Option<Json<Value>>,
    pub perf: Option<Json<Value>>,
    pub status_changed_at: Option<i64>,
    pub last_assigned_at: Option<i64>,
    pub active_at: Option<i64>,
}

/// Active users with their routing state.
pub async fn agents_in(tx: &mut Tx, scope: Scope) -> Result<Vec<AgentRow>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(AGENTS_SQL)
            .bind(scope.id())
            .fetch_all(c)
            .await
    })?)
}

pub async fn agents(db: &Db, scope: Scope) -> Result<Vec<AgentRow>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(AGENTS_SQL)
            .bind(scope.id())
            .fetch_all(p)
            .await
    })?)
}

const AGENTS_SQL: &str =
    "SELECT u.id AS user_id, s.status, s.capacity, s.skills, s.perf, s.status_changed_at,
        s.last_assigned_at, s.active_at
 FROM users u LEFT JOIN agent_states s ON s.user_id = u.id
 WHERE u.account_id = $1 AND u.active ORDER BY u.id";

/// (team, user, team default capacity) for every membership of the account.
pub async fn memberships_in(tx: &mut Tx, scope: Scope) -> Result<Vec<(i64, i64, Option<i64>)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(MEMBERSHIPS_SQL)
            .bind(scope.id())
            .fetch_all(c)
            .await
    })?)
}

pub async fn memberships(db: &Db, scope: Scope) -> Result<Vec<(i64, i64, Option<i64>)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(MEMBERSHIPS_SQL)
            .bind(scope.id())
            .fetch_all(p)
            .await
    })?)
}

const MEMBERSHIPS_SQL: &str = "SELECT m.team_id, m.user_id, r.default_capacity
 FROM team_members m LEFT JOIN team_routing r ON r.team_id = m.team_id
 WHERE m.account_id = $1 ORDER BY m.team_id, m.user_id";

/// Open and pending conversations per assignee.
pub async fn loads_in(tx: &mut Tx, scope: Scope) -> Result<Vec<(i64, i64)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(LOADS_SQL)
            .bind(scope.id())
            .fetch_all(c)
            .await
    })?)
}

pub async fn loads(db: &Db, scope: Scope) -> Result<Vec<(i64, i64)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(LOADS_SQL)
            .bind(scope.id())
            .fetch_all(p)
            .await
    })?)
}

const LOADS_SQL: &str = "SELECT assignee_id, COUNT(*) FROM conversations
 WHERE account_id = $1 AND assignee_id IS NOT NULL AND status IN ('open', 'pending')
 GROUP BY assignee_id";

/// Changes to an agent's state; `None` leaves a field alone, `capacity: Some(None)` clears it.
#[derive(Debug, Default)]
pub struct AgentPatch<'a> {
    pub status: Option<&'a str>,
    pub capacity: Option<Option<i64>>,
    pub skills: Option<&'a Value>,
    pub perf: Option<&'a Value>,
    pub assigned: bool,
    pub active: bool,
}

/// Creates or updates an agent's state row. The user must belong to the account (callers check).
pub async fn patch_agent(
    tx: &mut Tx,
    scope: Scope,
    user_id: i64,
    p: AgentPatch<'_>,
    now: i64,
) -> Result<()> {
    let empty = Value::Object(Default::default());
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO agent_states (user_id, account_id, status, capacity, skills, perf, status_changed_at, last_assigned_at, active_at)
             VALUES ($1, $2, COALESCE($3, 'offline'), $5, $6, $7, $9, CASE WHEN $8 THEN $9 END, $9)
             ON CONFLICT (user_id) DO UPDATE SET
                 status_changed_at = CASE WHEN $3 IS NOT NULL AND $3 <> agent_states.status THEN $9 ELSE agent_states.status_changed_at END,
                 status = COALESCE($3, agent_states.status),
                 capacity = CASE WHEN $4 THEN $5 ELSE agent_states.capacity END,
                 skills = CASE WHEN $10 THEN $6 ELSE agent_states.skills END,
                 perf = CASE WHEN $11 THEN $7 ELSE agent_states.perf END,
                 last_assigned_at = CASE WHEN $8 THEN $9 ELSE agent_states.last_assigned_at END,
                 active_at = CASE WHEN $8 OR $12 OR ($3 = 'online' AND agent_states.status <> 'online') THEN $9 ELSE agent_states.active_at END
             WHERE agent_states.account_id = $2",
        )
        .bind(user_id)
        .bind(scope.id())
        .bind(p.status)
        .bind(p.capacity.is_some())
        .bind(p.capacity.flatten())
        .bind(Json(p.skills.unwrap_or(&empty)))
        .bind(Json(p.perf.unwrap_or(&empty)))
        .bind(p.assigned)
        .bind(now)
        .bind(p.skills.is_some())
        .bind(p.perf.is_some())
        .bind(p.active)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Agents online since before `cutoff` whose last activity is older than `cutoff`, per
/// account: candidates for auto-away.
pub async fn idle_online(db: &Db, cutoff: i64) -> Result<Vec<(AccountId, i64, i64)>> {
    let rows: Vec<(i64, i64, i64)> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT account_id, user_id, active_at FROM agent_states
             WHERE status = 'online' AND active_at < $1 ORDER BY account_id, user_id",
        )
        .bind(cutoff)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(a, u, at)| (AccountId(a), u, at))
        .collect())
}

/// A team's routing defaults.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct TeamRouting {
    pub team_id: i64,
    pub default_capacity: Option<i64>,
    pub overflow_after_secs: Option<i64>,
    pub overflow_team_id: Option<i64>,
}

pub async fn team_routing(db: &Db, scope: Scope) -> Result<Vec<TeamRouting>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT team_id, default_capacity, overflow_after_secs, overflow_team_id
             FROM team_routing WHERE account_id = $1 ORDER BY team_id",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn put_team_routing(tx: &mut Tx, scope: Scope, t: &TeamRouting) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO team_routing (team_id, account_id, default_capacity, overflow_after_secs, overflow_team_id)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (team_id) DO UPDATE SET default_capacity = $3, overflow_after_secs = $4, overflow_team_id = $5
             WHERE team_routing.account_id = $2",
        )
        .bind(t.team_id)
        .bind(scope.id())
        .bind(t.default_capacity)
        .bind(t.overflow_after_secs)
        .bind(t.overflow_team_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Teams whose overflow goes to `team` (so it cannot be deleted).
pub async fn teams_overflowing_to(tx: &mut Tx, scope: Scope, team: i64) -> Result<Vec<i64>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT team_id FROM team_routing WHERE account_id = $1 AND overflow_team_id = $2 ORDER BY team_id",
        )
        .bind(scope.id())
        .bind(team)
        .fetch_all(c)
        .await
    })?)
}

/// Removes a team's routing row (when the team is deleted).
pub async fn delete_team_routing(tx: &mut Tx, scope: Scope, team: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM team_routing WHERE account_id = $1 AND team_id = $2")
            .bind(scope.id())
            .bind(team)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

const SETTINGS_SQL: &str = "SELECT settings FROM routing_settings WHERE account_id = $1";

pub async fn settings(db: &Db, scope: Scope) -> Result<Option<Value>> {
    let v: Option<Json<Value>> = on_pool!(&db.read, |p| {
        sqlx::query_scalar(SETTINGS_SQL)
            .bind(scope.id())
            .fetch_optional(p)
            .await
    })?;
    Ok(v.map(|j| j.0))
}

pub async fn settings_in(tx: &mut Tx, scope: Scope) -> Result<Option<Value>> {
    let v: Option<Json<Value>> = on_tx!(tx, |c| {
        sqlx::query_scalar(SETTINGS_SQL)
            .bind(scope.id())
            .fetch_optional(c)
            .await
    })?;
    Ok(v.map(|j| j.0))
}

/// Every account's settings (for the background sweeps).
pub async fn all_settings(db: &Db) -> Result<Vec<(AccountId, Value)>> {
    let rows: Vec<(i64, Json<Value>)> = on_pool!(&db.read, |p| {
        sqlx::query_as("SELECT account_id, settings FROM routing_settings ORDER BY account_id")
            .fetch_all(p)
            .await
    })?;
    Ok(rows.into_iter().map(|(a, v)| (AccountId(a), v.0)).collect())
}

pub async fn put_settings(tx: &mut Tx, scope: Scope, settings: &Value, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO routing_settings (account_id, settings, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO UPDATE SET settings = $2, updated_at = $3",
        )
        .bind(scope.id())
        .bind(Json(settings))
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A stored routing rule (conditions and route as validated JSON).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RuleRow {
    pub id: i64,
    pub position: i64,
    pub name: String,
    pub enabled: bool,
    pub conditions: Json<Value>,
    pub route: Json<Value>,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! rule_cols {
    () => {
        "id, position, name, enabled, conditions, route, created_at, updated_at"
    };
}

pub async fn rules(db: &Db, scope: Scope) -> Result<Vec<RuleRow>> {
    let sql = concat!(
        "SELECT ",
        rule_cols!(),
        " FROM routing_rules WHERE account_id = $1 ORDER BY position, id"
    );
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sql).bind(scope.id()).fetch_all(p).await
    })?)
}

pub async fn rules_in(tx: &mut Tx, scope: Scope) -> Result<Vec<RuleRow>> {
    let sql = concat!(
        "SELECT ",
        rule_cols!(),
        " FROM routing_rules WHERE account_id = $1 ORDER BY position, id"
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sql).bind(scope.id()).fetch_all(c).await
    })?)
}

pub async fn rule(db: &Db, scope: Scope, id: i64) -> Result<RuleRow> {
    let sql = concat!(
        "SELECT ",
        rule_cols!(),
        " FROM routing_rules WHERE account_id = $1 AND id = $2"
    );
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sql)
            .bind(scope.id())
            .bind(id)
            .fetch_one(p)
            .await
    })?)
}

/// A rule to store; `position` `None` appends it after the last.
pub struct NewRule<'a> {
    pub position: Option<i64>,
    pub name: &'a str,
    pub enabled: bool,
    pub conditions: &'a Value,
    pub route: &'a Value,
}

pub async fn insert_rule(tx: &mut Tx, scope: Scope, r: NewRule<'_>, now: i64) -> Result<RuleRow> {
    let sql = concat!("INSERT INTO routing_rules (account_id, position, name, enabled, conditions, route, created_at, updated_at)
         VALUES ($1, COALESCE($2, (SELECT COALESCE(MAX(position), 0) + 1 FROM routing_rules WHERE account_id = $1)), $3, $4, $5, $6, $7, $7)
         RETURNING ", rule_cols!());
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sql)
            .bind(scope.id())
            .bind(r.position)
            .bind(r.name)
            .bind(r.enabled)
            .bind(Json(r.conditions))
            .bind(Json(r.route))
            .bind(now)
            .fetch_one(c)
            .await
    })?)
}

pub async fn update_rule(
    tx: &mut Tx,
    scope: Scope,
    id: i64,
    r: NewRule<'_>,
    now: i64,
) -> Result<RuleRow> {
    let sql = concat!(
        "UPDATE routing_rules SET position = COALESCE($3, position), name = $4, enabled = $5,
             conditions = $6, route = $7, updated_at = $8
         WHERE account_id = $1 AND id = $2 RETURNING ",
        rule_cols!()
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sql)
            .bind(scope.id())
            .bind(id)
            .bind(r.position)
            .bind(r.name)
            .bind(r.enabled)
            .bind(Json(r.conditions))
            .bind(Json(r.route))
            .bind(now)
            .fetch_one(c)
            .await
    })?)
}

pub async fn delete_rule(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    let n = on_tx!(tx, |c| {
        sqlx::query("DELETE FROM routing_rules WHERE account_id = $1 AND id = $2")
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

/// Serialises routing decisions of one account across instances: a transaction-scoped advisory
/// lock on PostgreSQL; SQLite's single writer already serialises every write transaction.
pub async fn lock_account(tx: &mut Tx, scope: Scope) -> Result<()> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock(7283, $1::int4)")
            .bind(scope.id() as i32)
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// What routing needs to know about a conversation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoutingRow {
    pub id: i64,
    pub contact_id: i64,
    pub channel_id: i64,
    pub status: String,
    pub priority: i64,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub source: Json<Value>,
    pub routed_at: Option<i64>,
    pub queued_at: Option<i64>,
    pub route: Option<Json<Value>>,
    pub assigned_at: Option<i64>,
    pub agent_replied_at: Option<i64>,
    pub created_at: i64,
}

macro_rules! routing_cols {
    () => {
        "id, contact_id, channel_id, status, priority, assignee_id, team_id, source, routed_at, queued_at, route, assigned_at, agent_replied_at, created_at"
    };
}

/// Several conversations' routing rows in one read (a batch of new conversations), in no
/// particular order; ids of other accounts are not returned.
pub async fn conversations_in(tx: &mut Tx, scope: Scope, ids: &[i64]) -> Result<Vec<RoutingRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    // Only numbered placeholders are generated; every id is bound.
    let sql = format!(
        concat!(
            "SELECT ",
            routing_cols!(),
            " FROM conversations WHERE account_id = $1 AND id IN ({})"
        ),
        numbered(2, ids.len())
    );
    Ok(on_tx!(tx, |c| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(scope.id());
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?)
}

/// Conversations waiting in a queue, in the order they are served.
const QUEUED_SQL: &str = concat!("SELECT ", routing_cols!(), " FROM conversations
     WHERE account_id = $1 AND queued_at IS NOT NULL AND assignee_id IS NULL AND status IN ('open', 'pending')
     ORDER BY priority DESC, queued_at, id");

/// Conversations waiting in a queue, in the order they are served (inside a step).
pub async fn queued_in(tx: &mut Tx, scope: Scope) -> Result<Vec<RoutingRow>> {
    let sql = QUEUED_SQL;
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sql).bind(scope.id()).fetch_all(c).await
    })?)
}

pub async fn queued(db: &Db, scope: Scope) -> Result<Vec<RoutingRow>> {
    let sql = QUEUED_SQL;
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sql).bind(scope.id()).fetch_all(p).await
    })?)
}

/// Never-routed open conversations created before `before`, in any account.
pub async fn unrouted_before(db: &Db, before: i64) -> Result<Vec<(AccountId, i64)>> {
    let rows: Vec<(i64, i64)> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT account_id, id FROM conversations
             WHERE routed_at IS NULL AND status IN ('open', 'pending') AND created_at < $1
             ORDER BY id LIMIT 1000",
        )
        .bind(before)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(|(a, c)| (AccountId(a), c)).collect())
}

/// The contact's waiting conversation and its place in the queue (1 = next), if it waits.
pub async fn queue_position(db: &Db, scope: Scope, contact: i64) -> Result<Option<(i64, i64)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT c.id, 1 + (SELECT COUNT(*) FROM conversations o
                 WHERE o.account_id = c.account_id AND o.queued_at IS NOT NULL AND o.assignee_id IS NULL
                   AND o.status IN ('open', 'pending')
                   AND (o.priority > c.priority OR (o.priority = c.priority
                        AND (o.queued_at < c.queued_at OR (o.queued_at = c.queued_at AND o.id < c.id)))))
             FROM conversations c
             WHERE c.account_id = $1 AND c.contact_id = $2 AND c.queued_at IS NOT NULL
               AND c.assignee_id IS NULL AND c.status IN ('open', 'pending')
             ORDER BY c.id DESC LIMIT 1",
        )
        .bind(scope.id())
        .bind(contact)
        .fetch_optional(p)
        .await
    })?)
}

/// Accounts with at least one queued conversation.
pub async fn accounts_with_queue(db: &Db) -> Result<Vec<AccountId>> {
    let rows: Vec<i64> = on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT DISTINCT account_id FROM conversations
             WHERE queued_at IS NOT NULL AND assignee_id IS NULL AND status IN ('open', 'pending')
             ORDER BY account_id",
        )
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(AccountId).collect())
}

/// Open conversations assigned before `assigned_before` whose assignee has not replied since.
pub async fn unanswered(db: &Db, scope: Scope, assigned_before: i64) -> Result<Vec<i64>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT id FROM conversations
             WHERE account_id = $1 AND status = 'open' AND assignee_id IS NOT NULL
               AND assigned_at < $2 AND (agent_replied_at IS NULL OR agent_replied_at < assigned_at)
             ORDER BY id LIMIT 1000",
        )
        .bind(scope.id())
        .bind(assigned_before)
        .fetch_all(p)
        .await
    })?)
}

/// Average time between assignments out of the queue over the last hour, ms; `None` when
/// there were fewer than two.
pub async fn recent_assignment_pace_ms(db: &Db, scope: Scope, now: i64) -> Result<Option<i64>> {
    let (n, first, last): (i64, Option<i64>, Option<i64>) = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT COUNT(*), MIN(decided_at), MAX(decided_at) FROM routing_decisions
             WHERE account_id = $1 AND outcome = 'assigned' AND decided_at > $2",
        )
        .bind(scope.id())
        .bind(now - 3_600_000)
        .fetch_one(p)
        .await
    })?;
    Ok(match (first, last) {
        (Some(a), Some(b)) if n >= 2 && b > a => Some((b - a) / (n - 1)),
        _ => None,
    })
}

/// A contact's tags inside a transaction.
pub async fn contact_tags_in(tx: &mut Tx, scope: Scope, contact: i64) -> Result<Vec<String>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT tag FROM contact_tags WHERE account_id = $1 AND contact_id = $2 ORDER BY tag",
        )
        .bind(scope.id())
        .bind(contact)
        .fetch_all(c)
        .await
    })?)
}

/// A conversation's tags inside a transaction (reading them from the pool while holding a
/// transaction's connection could wait for a connection that never frees up).
pub async fn conversation_tags_in(
    tx: &mut Tx,
    scope: Scope,
    conversation: i64,
) -> Result<Vec<String>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT tag FROM conversation_tags WHERE account_id = $1 AND conversation_id = $2 ORDER BY tag",
        )
        .bind(scope.id())
        .bind(conversation)
        .fetch_all(c)
        .await
    })?)
}

/// An agent's performance record (JSON map tag → decayed counters).
pub async fn agent_perf_in(tx: &mut Tx, scope: Scope, user: i64) -> Result<Option<Value>> {
    let v: Option<Json<Value>> = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT perf FROM agent_states WHERE account_id = $1 AND user_id = $2")
            .bind(scope.id())
            .bind(user)
            .fetch_optional(c)
            .await
    })?;
    Ok(v.map(|j| j.0))
}

/// The routing outcome to store on a conversation.
pub enum Placement<'a> {
    Assigned {
        agent: i64,
        team: Option<i64>,
        route: &'a Value,
    },
    Queued {
        team: Option<i64>,
        route: &'a Value,
    },
}

impl Placement<'_> {
    /// (assigned, agent, team, route) as the statements bind them.
    fn parts(&self) -> (bool, Option<i64>, Option<i64>, &Value) {
        match *self {
            Placement::Assigned { agent, team, route } => (true, Some(agent), team, route),
            Placement::Queued { team, route } => (false, None, team, route),
        }
    }
}

/// `$first, $first+1, …` for `n` values bound in that order (an `IN (…)` list).
fn numbered(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stores a decision's effect: assigned (status open) or queued (status pending, keeping the
/// original queue time so a re-queued conversation keeps its place).
pub async fn place(
    tx: &mut Tx,
    scope: Scope,
    id: i64,
    p: Placement<'_>,
    priority: i64,
    now: i64,
) -> Result<Conversation> {
    let (assigned, agent, team, route) = p.parts();
    let row: ConversationRow = on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE conversations SET
                 assignee_id = $3, team_id = COALESCE($4, team_id), route = $5, routed_at = $6,
                 status = CASE WHEN $7 THEN 'open' ELSE 'pending' END,
                 queued_at = CASE WHEN $7 THEN NULL ELSE COALESCE(queued_at, $6) END,
                 assigned_at = CASE WHEN $7 THEN $6 ELSE NULL END,
                 priority = $8, updated_at = $6
             WHERE account_id = $1 AND id = $2
             RETURNING {CONVERSATION_COLUMNS}"
        )))
        .bind(scope.id())
        .bind(id)
        .bind(agent)
        .bind(team)
        .bind(Json(route))
        .bind(now)
        .bind(assigned)
        .bind(priority)
        .fetch_one(c)
        .await
    })?;
    Ok(row.into())
}

/// One decision of a routing step to store: where the conversation goes and its record.
pub struct Placed<'a> {
    pub placement: Placement<'a>,
    pub priority: i64,
    pub decision: NewDecision<'a>,
}

/// `place` and `insert_decision` for every decision of a step. On PostgreSQL this is one
/// statement for the whole step: a step's decisions are made in memory, and a round trip per
/// decision, under the account's lock, was what limited a burst. Answers each conversation with
/// its decision's id, in the order given.
pub async fn place_and_record_many(
    tx: &mut Tx,
    scope: Scope,
    items: Vec<Placed<'_>>,
    now: i64,
) -> Result<Vec<(Conversation, i64)>> {
    if items.is_empty() {
        return Ok(vec![]);
    }
    let Tx::Postgres(t) = tx else {
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            let id = it.decision.conversation_id;
            let conv = place(tx, scope, id, it.placement, it.priority, now).await?;
            let decision = insert_decision(tx, scope, it.decision, now).await?;
            out.push((conv, decision));
        }
        return Ok(out);
    };
    let n = items.len();
    let (mut ids, mut agents, mut teams, mut routes, mut assigned, mut priorities) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut reasons, mut outcomes, mut rules, mut traces, mut durations) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for it in &items {
        let (a, agent, team, route) = it.placement.parts();
        ids.push(it.decision.conversation_id);
        agents.push(agent);
        teams.push(team);
        routes.push(route.to_string());
        assigned.push(a);
        priorities.push(it.priority);
        reasons.push(it.decision.reason);
        outcomes.push(it.decision.outcome);
        rules.push(it.decision.rule_id);
        traces.push(it.decision.trace.to_string());
        durations.push(it.decision.duration_us);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        conv: ConversationRow,
        decision_id: i64,
    }
    // v's columns are prefixed so the conversation's own columns stay unambiguous.
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH v AS (
             SELECT * FROM unnest($2::int8[], $3::int8[], $4::int8[], $5::text[], $6::bool[],
                                  $7::int8[], $8::text[], $9::text[], $10::int8[], $11::text[], $12::int8[])
                 AS v(v_id, v_agent, v_team, v_route, v_assigned, v_priority, v_reason, v_outcome,
                      v_rule, v_trace, v_duration)),
         c AS (
             UPDATE conversations SET
                 assignee_id = v_agent, team_id = COALESCE(v_team, team_id), route = v_route::jsonb,
                 routed_at = $13,
                 status = CASE WHEN v_assigned THEN 'open' ELSE 'pending' END,
                 queued_at = CASE WHEN v_assigned THEN NULL ELSE COALESCE(queued_at, $13) END,
                 assigned_at = CASE WHEN v_assigned THEN $13 ELSE NULL END,
                 priority = v_priority, updated_at = $13
             FROM v WHERE account_id = $1 AND id = v_id
             RETURNING {CONVERSATION_COLUMNS}),
         d AS (
             INSERT INTO routing_decisions (account_id, conversation_id, reason, outcome, agent_id, team_id, rule_id, trace, duration_us, decided_at)
             SELECT $1, v_id, v_reason, v_outcome, v_agent, v_team, v_rule, v_trace::jsonb, v_duration, $13
             FROM v WHERE v_id IN (SELECT id FROM c)
             RETURNING id AS decision_id, conversation_id)
         SELECT c.*, d.decision_id FROM c JOIN d ON d.conversation_id = c.id"
    )))
    .bind(scope.id())
    .bind(&ids)
    .bind(&agents)
    .bind(&teams)
    .bind(&routes)
    .bind(&assigned)
    .bind(&priorities)
    .bind(&reasons)
    .bind(&outcomes)
    .bind(&rules)
    .bind(&traces)
    .bind(&durations)
    .bind(now)
    .fetch_all(&mut **t)
    .await?;
    let mut by_id: std::collections::HashMap<i64, (Conversation, i64)> = rows
        .into_iter()
        .map(|r| {
            let c: Conversation = r.conv.into();
            (c.id, (c, r.decision_id))
        })
        .collect();
    ids.iter()
        .map(|id| by_id.remove(id).ok_or(crate::Error::NotFound))
        .collect()
}

/// Records that a routing step assigned conversations to these agents (distinct ids): one
/// statement for the step instead of one per agent. Assigned agents are online, so their state
/// rows exist.
pub async fn mark_assigned(tx: &mut Tx, scope: Scope, agents: &[i64], now: i64) -> Result<()> {
    if agents.is_empty() {
        return Ok(());
    }
    // Only numbered placeholders are generated; every id is bound.
    let sql = format!(
        "UPDATE agent_states SET last_assigned_at = $2, active_at = $2
         WHERE account_id = $1 AND user_id IN ({})",
        numbered(3, agents.len())
    );
    on_tx!(tx, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(scope.id())
            .bind(now);
        for a in agents {
            q = q.bind(*a);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Marks a conversation as needing routing again (reopened, sent back, transferred to a team).
pub async fn unroute(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE conversations SET routed_at = NULL, queued_at = NULL, assigned_at = NULL
             WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Records an agent's manual assignment (transfer): routed, not queued, clock starts now.
pub async fn assigned_manually(tx: &mut Tx, scope: Scope, id: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE conversations SET routed_at = $3, queued_at = NULL, assigned_at = $3
             WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The assignee replied.
pub async fn agent_replied(tx: &mut Tx, scope: Scope, id: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE conversations SET agent_replied_at = $3 WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// What routing knows of a conversation's contact from before it (`except`), in one read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactFacts {
    /// The contact's tags, sorted.
    pub tags: Vec<String>,
    /// Earlier conversations.
    pub earlier: i64,
    /// The last activity in them.
    pub last_active: Option<i64>,
    /// (agent, when) of the newest earlier conversation that had an assignee.
    pub last_agent: Option<(i64, i64)>,
}

pub async fn contact_facts(
    db: &Db,
    scope: Scope,
    contact: i64,
    except: i64,
) -> Result<ContactFacts> {
    let sql = contact_facts_sql(db.backend());
    let row = on_pool!(&db.read, |c| {
        sqlx::query_as(sql)
            .bind(scope.id())
            .bind(contact)
            .bind(except)
            .fetch_one(c)
            .await
    })?;
    ContactFacts::from_row(row)
}

/// [`contact_facts`] inside a write transaction (a visitor's new conversation: the connection is
/// already held, so the read does not queue for another).
pub async fn contact_facts_in(
    tx: &mut Tx,
    scope: Scope,
    contact: i64,
    except: i64,
) -> Result<ContactFacts> {
    let sql = contact_facts_sql(tx.backend());
    let row = on_tx!(tx, |c| {
        sqlx::query_as(sql)
            .bind(scope.id())
            .bind(contact)
            .bind(except)
            .fetch_one(c)
            .await
    })?;
    ContactFacts::from_row(row)
}

type FactsRow = (String, i64, Option<i64>, Option<i64>, Option<i64>);

/// The facts' statement around the backend's JSON aggregate of the tags (sorted in Rust, so both
/// backends order them alike).
macro_rules! contact_facts_sql {
    ($tags:literal) => {
        concat!(
            "SELECT ",
            $tags,
            ", h.n, h.last_active, l.assignee_id, l.updated_at
             FROM (SELECT COUNT(*) AS n, MAX(updated_at) AS last_active FROM conversations
                   WHERE account_id = $1 AND contact_id = $2 AND id <> $3) h
             LEFT JOIN (SELECT assignee_id, updated_at FROM conversations
                        WHERE account_id = $1 AND contact_id = $2 AND id <> $3 AND assignee_id IS NOT NULL
                        ORDER BY id DESC LIMIT 1) l ON TRUE"
        )
    };
}

fn contact_facts_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => contact_facts_sql!(
            "(SELECT COALESCE(json_agg(tag), '[]')::text FROM contact_tags
               WHERE account_id = $1 AND contact_id = $2)"
        ),
        Backend::Sqlite => contact_facts_sql!(
            "(SELECT json_group_array(tag) FROM contact_tags
               WHERE account_id = $1 AND contact_id = $2)"
        ),
    }
}

impl ContactFacts {
    fn from_row((tags, earlier, last_active, agent, at): FactsRow) -> Result<Self> {
        let mut tags: Vec<String> = serde_json::from_str(&tags)
            .map_err(|e| crate::Error::Corrupt(format!("contact tags: {e}")))?;
        tags.sort();
        Ok(Self {
            tags,
            earlier,
            last_active,
            last_agent: agent.zip(at),
        })
    }
}

/// The first message's text (what keyword rules look at).
pub async fn first_text(db: &Db, scope: Scope, conversation: i64) -> Result<String> {
    let t: Option<String> = on_pool!(&db.read, |c| {
        sqlx::query_scalar(
            "SELECT body FROM messages WHERE account_id = $1 AND conversation_id = $2
               AND sender_kind = 'contact' ORDER BY seq LIMIT 1",
        )
        .bind(scope.id())
        .bind(conversation)
        .fetch_optional(c)
        .await
    })?;
    Ok(t.unwrap_or_default())
}

/// A stored decision.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DecisionRow {
    pub id: i64,
    pub conversation_id: i64,
    pub reason: String,
    pub outcome: String,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    pub rule_id: Option<i64>,
    pub trace: Json<Value>,
    pub duration_us: i64,
    pub decided_at: i64,
}

pub struct NewDecision<'a> {
    pub conversation_id: i64,
    pub reason: &'a str,
    pub outcome: &'a str,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    pub rule_id: Option<i64>,
    pub trace: &'a Value,
    pub duration_us: i64,
}

pub async fn insert_decision(
    tx: &mut Tx,
    scope: Scope,
    d: NewDecision<'_>,
    now: i64,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO routing_decisions (account_id, conversation_id, reason, outcome, agent_id, team_id, rule_id, trace, duration_us, decided_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(scope.id())
        .bind(d.conversation_id)
        .bind(d.reason)
        .bind(d.outcome)
        .bind(d.agent_id)
        .bind(d.team_id)
        .bind(d.rule_id)
        .bind(Json(d.trace))
        .bind(d.duration_us)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn decisions(db: &Db, scope: Scope, conversation: i64) -> Result<Vec<DecisionRow>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, conversation_id, reason, outcome, agent_id, team_id, rule_id, trace, duration_us, decided_at
             FROM routing_decisions WHERE account_id = $1 AND conversation_id = $2 ORDER BY id",
        )
        .bind(scope.id())
        .bind(conversation)
        .fetch_all(p)
        .await
    })?)
}
