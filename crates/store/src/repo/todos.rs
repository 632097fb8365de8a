//! Side to-dos, their templates and settings, automation rules with their runs and scans,
//! follow-up chains, attribute change times, agents' shift schedules, and the bulk reads a
//! customer-state scan needs. Every query is scoped to the account.

use serde_json::Value;
use sqlx::types::Json;

use crate::{
    Db, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

// ---- to-dos -------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct Todo {
    pub id: i64,
    pub title: String,
    pub note: String,
    pub owner_id: i64,
    pub status: String,
    pub priority: String,
    pub colour: Option<String>,
    pub due_at: Option<i64>,
    pub remind_at: Option<i64>,
    pub snoozed_until: Option<i64>,
    pub repeat: Option<String>,
    pub contact_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub context: Json<Value>,
    pub source: String,
    pub rule_id: Option<i64>,
    pub template_key: Option<String>,
    pub chain_id: Option<i64>,
    pub chain_step: Option<i32>,
    pub waits: bool,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub touched_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub cancelled_at: Option<i64>,
}

const TD: &str = "id, title, note, owner_id, status, priority, colour, due_at, remind_at, snoozed_until, repeat, contact_id, conversation_id, ticket_id, context, source, rule_id, template_key, chain_id, chain_step, waits, created_by, created_at, updated_at, touched_at, completed_at, cancelled_at";

/// Inserts a to-do (its `id` is ignored) and returns it as stored.
pub async fn insert(tx: &mut Tx, scope: Scope, t: &Todo) -> Result<Todo> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO todos (account_id, title, note, owner_id, status, priority, colour, due_at,
                 remind_at, snoozed_until, repeat, contact_id, conversation_id, ticket_id, context,
                 source, rule_id, template_key, chain_id, chain_step, waits, created_by, created_at,
                 updated_at, touched_at, completed_at, cancelled_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)
             RETURNING {TD}"
        )))
        .bind(scope.id())
        .bind(&t.title)
        .bind(&t.note)
        .bind(t.owner_id)
        .bind(&t.status)
        .bind(&t.priority)
        .bind(&t.colour)
        .bind(t.due_at)
        .bind(t.remind_at)
        .bind(t.snoozed_until)
        .bind(&t.repeat)
        .bind(t.contact_id)
        .bind(t.conversation_id)
        .bind(t.ticket_id)
        .bind(&t.context)
        .bind(&t.source)
        .bind(t.rule_id)
        .bind(&t.template_key)
        .bind(t.chain_id)
        .bind(t.chain_step)
        .bind(t.waits)
        .bind(t.created_by)
        .bind(t.created_at)
        .bind(t.updated_at)
        .bind(t.touched_at)
        .bind(t.completed_at)
        .bind(t.cancelled_at)
        .fetch_one(c)
        .await
    })?)
}

/// Saves the mutable fields of a to-do.
pub async fn save(tx: &mut Tx, scope: Scope, t: &Todo) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE todos SET title = $3, note = $4, owner_id = $5, status = $6, priority = $7,
                 colour = $8, due_at = $9, remind_at = $10, snoozed_until = $11, repeat = $12,
                 updated_at = $13, touched_at = $14, completed_at = $15, cancelled_at = $16
             WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(t.id)
        .bind(&t.title)
        .bind(&t.note)
        .bind(t.owner_id)
        .bind(&t.status)
        .bind(&t.priority)
        .bind(&t.colour)
        .bind(t.due_at)
        .bind(t.remind_at)
        .bind(t.snoozed_until)
        .bind(&t.repeat)
        .bind(t.updated_at)
        .bind(t.touched_at)
        .bind(t.completed_at)
        .bind(t.cancelled_at)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Todo> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TD} FROM todos WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}

pub async fn get_in(tx: &mut Tx, scope: Scope, id: i64) -> Result<Todo> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TD} FROM todos WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(c)
        .await
    })?)
}

/// Which to-dos a list shows. `owner_id` also matches to-dos the user collaborates on.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub owner_id: Option<i64>,
    /// Owned by a member of this team.
    pub team_id: Option<i64>,
    /// `open` (open or snoozed), `done`, `cancelled`, `snoozed`, or all when `None`.
    pub status: Option<String>,
    pub priority: Option<String>,
    pub contact_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub rule_id: Option<i64>,
    /// Only to-dos due before this instant (overdue views pass now).
    pub due_before: Option<i64>,
}

/// To-dos by due time (none last), then priority, newest first among equals.
pub async fn list(db: &Db, scope: Scope, f: &Filter, limit: u32) -> Result<Vec<Todo>> {
    let (status_a, status_b) = match f.status.as_deref() {
        Some("open") => (Some("open"), Some("snoozed")),
        Some(s) => (Some(s), Some(s)),
        None => (None, None),
    };
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TD} FROM todos t WHERE account_id = $1
               AND ($2 IS NULL OR owner_id = $2 OR EXISTS (SELECT 1 FROM todo_collaborators k
                    WHERE k.todo_id = t.id AND k.user_id = $2))
               AND ($3 IS NULL OR owner_id IN (SELECT user_id FROM team_members WHERE team_id = $3))
               AND ($4 IS NULL OR status = $4 OR status = $5)
               AND ($6 IS NULL OR priority = $6)
               AND ($7 IS NULL OR contact_id = $7)
               AND ($8 IS NULL OR conversation_id = $8)
               AND ($9 IS NULL OR ticket_id = $9)
               AND ($10 IS NULL OR rule_id = $10)
               AND ($11 IS NULL OR due_at < $11)
             ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at,
                 CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END,
                 id DESC
             LIMIT $12"
        )))
        .bind(scope.id())
        .bind(f.owner_id)
        .bind(f.team_id)
        .bind(status_a)
        .bind(status_b)
        .bind(f.priority.as_deref())
        .bind(f.contact_id)
        .bind(f.conversation_id)
        .bind(f.ticket_id)
        .bind(f.rule_id)
        .bind(f.due_before)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await
    })?)
}

/// Open to-dos of a chain step.
pub async fn chain_step_in(tx: &mut Tx, scope: Scope, chain: i64, step: i32) -> Result<Vec<Todo>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TD} FROM todos WHERE account_id = $1 AND chain_id = $2 AND chain_step = $3 ORDER BY id"
        )))
        .bind(scope.id())
        .bind(chain)
        .bind(step)
        .fetch_all(c)
        .await
    })?)
}

/// An owner's open to-dos due before `until` or without a due time, for the daily list.
pub async fn open_for_owner_in(
    tx: &mut Tx,
    scope: Scope,
    owner: i64,
    until: i64,
) -> Result<Vec<Todo>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TD} FROM todos WHERE account_id = $1 AND owner_id = $2
               AND status IN ('open', 'snoozed') AND (due_at IS NULL OR due_at < $3)
             ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, id LIMIT 200"
        )))
        .bind(scope.id())
        .bind(owner)
        .bind(until)
        .fetch_all(c)
        .await
    })?)
}

/// Open to-dos per user among `users` (least-loaded owner choice).
pub async fn open_counts_in(tx: &mut Tx, scope: Scope, users: &[i64]) -> Result<Vec<(i64, i64)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let list = users
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT owner_id, COUNT(*) FROM todos WHERE account_id = $1
               AND status IN ('open', 'snoozed') AND owner_id IN ({list}) GROUP BY owner_id"
        )))
        .bind(scope.id())
        .fetch_all(c)
        .await
    })?)
}

pub async fn collaborators(db: &Db, scope: Scope, todo: i64) -> Result<Vec<i64>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT user_id FROM todo_collaborators WHERE account_id = $1 AND todo_id = $2 ORDER BY user_id",
        )
        .bind(scope.id())
        .bind(todo)
        .fetch_all(p)
        .await
    })?)
}

/// `(todo, user)` for the collaborators of many to-dos at once (a list).
pub async fn collaborators_of(db: &Db, scope: Scope, todos: &[i64]) -> Result<Vec<(i64, i64)>> {
    if todos.is_empty() {
        return Ok(Vec::new());
    }
    let list = todos
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT todo_id, user_id FROM todo_collaborators WHERE account_id = $1
               AND todo_id IN ({list}) ORDER BY todo_id, user_id"
        )))
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn set_collaborators(tx: &mut Tx, scope: Scope, todo: i64, users: &[i64]) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM todo_collaborators WHERE account_id = $1 AND todo_id = $2")
            .bind(scope.id())
            .bind(todo)
            .execute(&mut *c)
            .await
            .map(|_| ())
    })?;
    for u in users {
        on_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO todo_collaborators (account_id, todo_id, user_id) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
            )
            .bind(scope.id())
            .bind(todo)
            .bind(*u)
            .execute(c)
            .await
            .map(|_| ())
        })?;
    }
    Ok(())
}

/// What analytics needs of each generated to-do: rule, status, created, due, completed, touched.
pub type OutcomeRow = (i64, String, i64, Option<i64>, Option<i64>, Option<i64>);

pub async fn rule_outcomes(db: &Db, scope: Scope) -> Result<Vec<OutcomeRow>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT rule_id, status, created_at, due_at, completed_at, touched_at FROM todos
             WHERE account_id = $1 AND rule_id IS NOT NULL ORDER BY id",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

// ---- templates and settings ---------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct Template {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub title: String,
    pub note: String,
    pub priority: String,
    pub colour: Option<String>,
    pub due_in: Option<i64>,
    pub remind_before: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const TPL: &str =
    "id, key, name, title, note, priority, colour, due_in, remind_before, created_at, updated_at";

pub async fn templates(db: &Db, scope: Scope) -> Result<Vec<Template>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TPL} FROM todo_templates WHERE account_id = $1 ORDER BY id"
        )))
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn template_by_key_in(tx: &mut Tx, scope: Scope, key: &str) -> Result<Option<Template>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TPL} FROM todo_templates WHERE account_id = $1 AND key = $2"
        )))
        .bind(scope.id())
        .bind(key)
        .fetch_optional(c)
        .await
    })?)
}

/// Creates (`t.id` 0) or replaces a template.
pub async fn save_template(tx: &mut Tx, scope: Scope, t: &Template) -> Result<Template> {
    Ok(on_tx!(tx, |c| {
        if t.id == 0 {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO todo_templates (account_id, key, name, title, note, priority, colour,
                     due_in, remind_before, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING {TPL}"
            )))
            .bind(scope.id())
            .bind(&t.key)
            .bind(&t.name)
            .bind(&t.title)
            .bind(&t.note)
            .bind(&t.priority)
            .bind(&t.colour)
            .bind(t.due_in)
            .bind(t.remind_before)
            .bind(t.updated_at)
            .fetch_one(c)
            .await
        } else {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE todo_templates SET key = $3, name = $4, title = $5, note = $6, priority = $7,
                     colour = $8, due_in = $9, remind_before = $10, updated_at = $11
                 WHERE account_id = $1 AND id = $2 RETURNING {TPL}"
            )))
            .bind(scope.id())
            .bind(t.id)
            .bind(&t.key)
            .bind(&t.name)
            .bind(&t.title)
            .bind(&t.note)
            .bind(&t.priority)
            .bind(&t.colour)
            .bind(t.due_in)
            .bind(t.remind_before)
            .bind(t.updated_at)
            .fetch_one(c)
            .await
        }
    })?)
}

pub async fn delete_template(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    super::delete_scoped(tx, scope, "todo_templates", id).await
}

/// Tag → template key (or null) prompts, and whether the daily list is on.
pub async fn settings(db: &Db, scope: Scope) -> Result<Option<(Json<Value>, bool)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as("SELECT prompt_tags, daily_list FROM todo_settings WHERE account_id = $1")
            .bind(scope.id())
            .fetch_optional(p)
            .await
    })?)
}

pub async fn settings_in(tx: &mut Tx, scope: Scope) -> Result<Option<(Json<Value>, bool)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as("SELECT prompt_tags, daily_list FROM todo_settings WHERE account_id = $1")
            .bind(scope.id())
            .fetch_optional(c)
            .await
    })?)
}

pub async fn save_settings(
    tx: &mut Tx,
    scope: Scope,
    prompt_tags: &Value,
    daily_list: bool,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO todo_settings (account_id, prompt_tags, daily_list, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id) DO UPDATE SET prompt_tags = excluded.prompt_tags,
                 daily_list = excluded.daily_list, updated_at = excluded.updated_at",
        )
        .bind(scope.id())
        .bind(Json(prompt_tags))
        .bind(daily_list)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

// ---- rules, runs, scans -------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub goal: String,
    pub priority: i32,
    pub active: bool,
    pub trigger_kind: String,
    pub trigger_event: Option<String>,
    pub spec: Json<Value>,
    pub last_fired_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const RL: &str = "id, name, goal, priority, active, trigger_kind, trigger_event, spec, last_fired_at, created_at, updated_at";

pub async fn rules(db: &Db, scope: Scope) -> Result<Vec<Rule>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RL} FROM automation_rules WHERE account_id = $1 ORDER BY priority DESC, id"
        )))
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn rules_in(tx: &mut Tx, scope: Scope) -> Result<Vec<Rule>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RL} FROM automation_rules WHERE account_id = $1 ORDER BY priority DESC, id"
        )))
        .bind(scope.id())
        .fetch_all(c)
        .await
    })?)
}

/// Active rules started by `event`, highest priority first.
pub async fn rules_for_event_in(tx: &mut Tx, scope: Scope, event: &str) -> Result<Vec<Rule>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RL} FROM automation_rules WHERE account_id = $1 AND trigger_kind = 'event'
               AND trigger_event = $2 AND active ORDER BY priority DESC, id"
        )))
        .bind(scope.id())
        .bind(event)
        .fetch_all(c)
        .await
    })?)
}

pub async fn rule(db: &Db, scope: Scope, id: i64) -> Result<Rule> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RL} FROM automation_rules WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}

pub async fn rule_in(tx: &mut Tx, scope: Scope, id: i64) -> Result<Rule> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RL} FROM automation_rules WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(c)
        .await
    })?)
}

/// Creates (`r.id` 0) or replaces a rule.
pub async fn save_rule(tx: &mut Tx, scope: Scope, r: &Rule) -> Result<Rule> {
    Ok(on_tx!(tx, |c| {
        if r.id == 0 {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO automation_rules (account_id, name, goal, priority, active, trigger_kind,
                     trigger_event, spec, last_fired_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $9) RETURNING {RL}"
            )))
            .bind(scope.id())
            .bind(&r.name)
            .bind(&r.goal)
            .bind(r.priority)
            .bind(r.active)
            .bind(&r.trigger_kind)
            .bind(&r.trigger_event)
            .bind(&r.spec)
            .bind(r.updated_at)
            .fetch_one(c)
            .await
        } else {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE automation_rules SET name = $3, goal = $4, priority = $5, active = $6,
                     trigger_kind = $7, trigger_event = $8, spec = $9, updated_at = $10
                 WHERE account_id = $1 AND id = $2 RETURNING {RL}"
            )))
            .bind(scope.id())
            .bind(r.id)
            .bind(&r.name)
            .bind(&r.goal)
            .bind(r.priority)
            .bind(r.active)
            .bind(&r.trigger_kind)
            .bind(&r.trigger_event)
            .bind(&r.spec)
            .bind(r.updated_at)
            .fetch_one(c)
            .await
        }
    })?)
}

pub async fn delete_rule(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    super::delete_scoped(tx, scope, "automation_rules", id).await
}

pub async fn mark_fired(tx: &mut Tx, scope: Scope, rule: i64, at: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE automation_rules SET last_fired_at = $3 WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(rule)
        .bind(at)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// One run of a rule for a subject.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Run {
    pub id: i64,
    pub rule_id: i64,
    pub subject: String,
    pub contact_id: Option<i64>,
    pub outcome: String,
    pub reason: String,
    pub created_at: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_run(
    tx: &mut Tx,
    scope: Scope,
    rule: i64,
    subject: &str,
    contact: Option<i64>,
    outcome: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO automation_runs (account_id, rule_id, subject, contact_id, outcome, reason, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(scope.id())
        .bind(rule)
        .bind(subject)
        .bind(contact)
        .bind(outcome)
        .bind(reason)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Runs of many contacts at once (a scan's results), in few statements.
pub async fn insert_runs(
    tx: &mut Tx,
    scope: Scope,
    rule: i64,
    contacts: &[i64],
    outcome: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    for chunk in contacts.chunks(1000) {
        on_tx!(tx, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO automation_runs (account_id, rule_id, subject, contact_id, outcome, reason, created_at) ",
            );
            q.push_values(chunk, |mut b, id| {
                b.push_bind(scope.id())
                    .push_bind(rule)
                    .push_bind(format!("contact:{id}"))
                    .push_bind(*id)
                    .push_bind(outcome)
                    .push_bind(reason)
                    .push_bind(now);
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// When the rule last acted for the contact since `since`, if it did.
pub async fn last_done_in(
    tx: &mut Tx,
    scope: Scope,
    rule: i64,
    contact: i64,
    since: i64,
) -> Result<Option<i64>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT MAX(created_at) FROM automation_runs WHERE account_id = $1 AND rule_id = $2
               AND contact_id = $3 AND outcome = 'done' AND created_at > $4",
        )
        .bind(scope.id())
        .bind(rule)
        .bind(contact)
        .bind(since)
        .fetch_one(c)
        .await
    })?)
}

/// Contacts the rule acted for since `since` (a scan's frequency limit).
pub async fn done_contacts(db: &Db, scope: Scope, rule: i64, since: i64) -> Result<Vec<i64>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT DISTINCT contact_id FROM automation_runs WHERE account_id = $1 AND rule_id = $2
               AND outcome = 'done' AND created_at > $3 AND contact_id IS NOT NULL",
        )
        .bind(scope.id())
        .bind(rule)
        .bind(since)
        .fetch_all(p)
        .await
    })?)
}

/// A rule's runs, newest first; without the `handled` markers that keep an SLA deadline from
/// firing twice (the run itself is listed beside it).
pub async fn runs(db: &Db, scope: Scope, rule: i64, limit: u32) -> Result<Vec<Run>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, rule_id, subject, contact_id, outcome, reason, created_at FROM automation_runs
             WHERE account_id = $1 AND rule_id = $2 AND outcome <> 'handled'
             ORDER BY id DESC LIMIT $3",
        )
        .bind(scope.id())
        .bind(rule)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await
    })?)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Scan {
    pub id: i64,
    pub rule_id: i64,
    pub started_at: i64,
    pub took_ms: i64,
    pub contacts: i64,
    pub matched: i64,
    pub created: i64,
    pub suppressed: i64,
    pub skipped: i64,
}

pub async fn insert_scan(tx: &mut Tx, scope: Scope, s: &Scan) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO automation_scans (account_id, rule_id, started_at, took_ms, contacts, matched, created, suppressed, skipped)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(scope.id())
        .bind(s.rule_id)
        .bind(s.started_at)
        .bind(s.took_ms)
        .bind(s.contacts)
        .bind(s.matched)
        .bind(s.created)
        .bind(s.suppressed)
        .bind(s.skipped)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

pub async fn scans(db: &Db, scope: Scope, rule: i64, limit: u32) -> Result<Vec<Scan>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, rule_id, started_at, took_ms, contacts, matched, created, suppressed, skipped
             FROM automation_scans WHERE account_id = $1 AND rule_id = $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(scope.id())
        .bind(rule)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await
    })?)
}

// ---- chains -------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Chain {
    pub id: i64,
    pub rule_id: Option<i64>,
    pub steps: Json<Value>,
    pub step: i32,
    pub origin_user_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub vars: Json<Value>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

const CHN: &str = "id, rule_id, steps, step, origin_user_id, contact_id, conversation_id, ticket_id, vars, created_at, finished_at";

pub async fn insert_chain(tx: &mut Tx, scope: Scope, ch: &Chain) -> Result<Chain> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO todo_chains (account_id, rule_id, steps, step, origin_user_id, contact_id,
                 conversation_id, ticket_id, vars, created_at, finished_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL) RETURNING {CHN}"
        )))
        .bind(scope.id())
        .bind(ch.rule_id)
        .bind(&ch.steps)
        .bind(ch.step)
        .bind(ch.origin_user_id)
        .bind(ch.contact_id)
        .bind(ch.conversation_id)
        .bind(ch.ticket_id)
        .bind(&ch.vars)
        .bind(ch.created_at)
        .fetch_one(c)
        .await
    })?)
}

pub async fn chain_in(tx: &mut Tx, scope: Scope, id: i64) -> Result<Chain> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CHN} FROM todo_chains WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(c)
        .await
    })?)
}

pub async fn chain(db: &Db, scope: Scope, id: i64) -> Result<Chain> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CHN} FROM todo_chains WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}

/// Every to-do of a chain, by step.
pub async fn chain_todos(db: &Db, scope: Scope, chain: i64) -> Result<Vec<Todo>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TD} FROM todos WHERE account_id = $1 AND chain_id = $2 ORDER BY chain_step, id"
        )))
        .bind(scope.id())
        .bind(chain)
        .fetch_all(p)
        .await
    })?)
}

pub async fn save_chain(tx: &mut Tx, scope: Scope, ch: &Chain) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE todo_chains SET step = $3, finished_at = $4 WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(ch.id)
        .bind(ch.step)
        .bind(ch.finished_at)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

// ---- contacts: owner, attribute change times, schedules -----------------------------------

pub async fn contact_owner_in(tx: &mut Tx, scope: Scope, contact: i64) -> Result<Option<i64>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT owner_id FROM contacts WHERE account_id = $1 AND id = $2")
            .bind(scope.id())
            .bind(contact)
            .fetch_one(c)
            .await
    })?)
}

pub async fn contact_owner(db: &Db, scope: Scope, contact: i64) -> Result<Option<i64>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar("SELECT owner_id FROM contacts WHERE account_id = $1 AND id = $2")
            .bind(scope.id())
            .bind(contact)
            .fetch_one(p)
            .await
    })?)
}

pub async fn set_contact_owner(
    tx: &mut Tx,
    scope: Scope,
    contact: i64,
    owner: Option<i64>,
) -> Result<()> {
    let n = on_tx!(tx, |c| {
        sqlx::query("UPDATE contacts SET owner_id = $3 WHERE account_id = $1 AND id = $2")
            .bind(scope.id())
            .bind(contact)
            .bind(owner)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(crate::Error::NotFound);
    }
    Ok(())
}

/// The assignee of the contact's latest conversation that had one.
pub async fn last_agent_in(tx: &mut Tx, scope: Scope, contact: i64) -> Result<Option<i64>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT assignee_id FROM conversations WHERE account_id = $1 AND contact_id = $2
               AND assignee_id IS NOT NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(scope.id())
        .bind(contact)
        .fetch_optional(c)
        .await
    })?
    .flatten())
}

/// Records that these custom attributes of a contact changed now.
pub async fn record_attribute_changes(
    tx: &mut Tx,
    scope: Scope,
    contact: i64,
    keys: &[String],
    now: i64,
) -> Result<()> {
    for k in keys {
        on_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO contact_attribute_changes (account_id, contact_id, key, changed_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (contact_id, key) DO UPDATE SET changed_at = excluded.changed_at",
            )
            .bind(scope.id())
            .bind(contact)
            .bind(k)
            .bind(now)
            .execute(c)
            .await
            .map(|_| ())
        })?;
    }
    Ok(())
}

pub async fn attribute_changes_in(
    tx: &mut Tx,
    scope: Scope,
    contact: i64,
) -> Result<Vec<(String, i64)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT key, changed_at FROM contact_attribute_changes WHERE account_id = $1 AND contact_id = $2",
        )
        .bind(scope.id())
        .bind(contact)
        .fetch_all(c)
        .await
    })?)
}

/// An agent's own shift start: weekdays (1–7) and `HH:MM`.
pub async fn schedule_in(
    tx: &mut Tx,
    scope: Scope,
    user: i64,
) -> Result<Option<(Json<Value>, String)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT weekdays, start_time FROM agent_schedules WHERE account_id = $1 AND user_id = $2",
        )
        .bind(scope.id())
        .bind(user)
        .fetch_optional(c)
        .await
    })?)
}

pub async fn schedule(db: &Db, scope: Scope, user: i64) -> Result<Option<(Json<Value>, String)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT weekdays, start_time FROM agent_schedules WHERE account_id = $1 AND user_id = $2",
        )
        .bind(scope.id())
        .bind(user)
        .fetch_optional(p)
        .await
    })?)
}

pub async fn save_schedule(
    tx: &mut Tx,
    scope: Scope,
    user: i64,
    weekdays: Option<&Value>,
    start: &str,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| match weekdays {
        Some(w) => {
            sqlx::query(
                "INSERT INTO agent_schedules (user_id, account_id, weekdays, start_time, updated_at)
                 VALUES ($2, $1, $3, $4, $5)
                 ON CONFLICT (user_id) DO UPDATE SET weekdays = excluded.weekdays,
                     start_time = excluded.start_time, updated_at = excluded.updated_at",
            )
            .bind(scope.id())
            .bind(user)
            .bind(Json(w))
            .bind(start)
            .bind(now)
            .execute(c)
            .await
            .map(|_| ())
        }
        None => sqlx::query("DELETE FROM agent_schedules WHERE account_id = $1 AND user_id = $2")
            .bind(scope.id())
            .bind(user)
            .execute(c)
            .await
            .map(|_| ()),
    })?;
    Ok(())
}

/// Whether a timer with this key is pending.
pub async fn timer_pending_in(tx: &mut Tx, scope: Scope, key: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM timers WHERE account_id = $1 AND dedupe_key = $2")
            .bind(scope.id())
            .bind(key)
            .fetch_one(c)
            .await
    })?;
    Ok(n > 0)
}

// ---- bulk reads for customer-state scans --------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScanContact {
    pub id: i64,
    pub external_id: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub attributes: Json<Value>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// Every live (unmerged) contact of the account.
pub async fn scan_contacts(db: &Db, scope: Scope) -> Result<Vec<ScanContact>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, external_id, name, email, phone, attributes, created_at, last_seen_at
             FROM contacts WHERE account_id = $1 AND merged_into_id IS NULL ORDER BY id",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

pub async fn scan_tags(db: &Db, scope: Scope) -> Result<Vec<(i64, String)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as("SELECT contact_id, tag FROM contact_tags WHERE account_id = $1")
            .bind(scope.id())
            .fetch_all(p)
            .await
    })?)
}

/// Per contact: conversations, first and latest conversation start.
pub async fn scan_conversations(db: &Db, scope: Scope) -> Result<Vec<(i64, i64, i64, i64)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT contact_id, COUNT(*), MIN(created_at), MAX(created_at) FROM conversations
             WHERE account_id = $1 GROUP BY contact_id",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

/// Per contact: the last message either way and the last from an agent (notes excluded).
pub async fn scan_messages(db: &Db, scope: Scope) -> Result<Vec<(i64, i64, Option<i64>)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT c.contact_id, MAX(m.created_at),
                    MAX(CASE WHEN m.sender_kind = 'agent' AND m.kind <> 'note' THEN m.created_at END)
             FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.account_id = $1 AND m.kind <> 'note' GROUP BY c.contact_id",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

/// `(contact, key, changed_at)` for the given attribute keys.
pub async fn scan_attribute_changes(db: &Db, scope: Scope) -> Result<Vec<(i64, String, i64)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT contact_id, key, changed_at FROM contact_attribute_changes WHERE account_id = $1",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

/// Open to-dos per contact.
pub async fn scan_open_todos(db: &Db, scope: Scope) -> Result<Vec<(i64, i64)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT contact_id, COUNT(*) FROM todos WHERE account_id = $1 AND contact_id IS NOT NULL
               AND status IN ('open', 'snoozed') GROUP BY contact_id",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

/// Per contact: the assignee of their latest assigned conversation.
pub async fn scan_last_agents(db: &Db, scope: Scope) -> Result<Vec<(i64, i64)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT c.contact_id, c.assignee_id FROM conversations c
             JOIN (SELECT contact_id, MAX(id) AS id FROM conversations
                   WHERE account_id = $1 AND assignee_id IS NOT NULL GROUP BY contact_id) l
               ON l.id = c.id",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

/// Contact owners (those set).
pub async fn scan_owners(db: &Db, scope: Scope) -> Result<Vec<(i64, i64)>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, owner_id FROM contacts WHERE account_id = $1 AND owner_id IS NOT NULL",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

/// One contact's activity, as [`scan_conversations`], [`scan_messages`] and [`scan_open_todos`]
/// give it for all: conversations, first and latest start, last message either way, last from an
/// agent, open to-dos.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Activity {
    pub conversations: i64,
    pub first_conversation_at: Option<i64>,
    pub last_conversation_at: Option<i64>,
    pub last_interaction_at: Option<i64>,
    pub last_contacted_at: Option<i64>,
    pub open_todos: i64,
}

pub async fn activity_in(tx: &mut Tx, scope: Scope, contact: i64) -> Result<Activity> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT
               (SELECT COUNT(*) FROM conversations WHERE account_id = $1 AND contact_id = $2) AS conversations,
               (SELECT MIN(created_at) FROM conversations WHERE account_id = $1 AND contact_id = $2) AS first_conversation_at,
               (SELECT MAX(created_at) FROM conversations WHERE account_id = $1 AND contact_id = $2) AS last_conversation_at,
               (SELECT MAX(m.created_at) FROM messages m JOIN conversations v ON v.id = m.conversation_id
                  WHERE v.account_id = $1 AND v.contact_id = $2 AND m.kind <> 'note') AS last_interaction_at,
               (SELECT MAX(m.created_at) FROM messages m JOIN conversations v ON v.id = m.conversation_id
                  WHERE v.account_id = $1 AND v.contact_id = $2 AND m.kind <> 'note' AND m.sender_kind = 'agent') AS last_contacted_at,
               (SELECT COUNT(*) FROM todos WHERE account_id = $1 AND contact_id = $2 AND status IN ('open', 'snoozed')) AS open_todos",
        )
        .bind(scope.id())
        .bind(contact)
        .fetch_one(c)
        .await
    })?)
}

/// A conversation's tags inside a transaction.
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

/// The account's date-kind attribute keys.
pub async fn date_attributes(db: &Db, scope: Scope) -> Result<Vec<String>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT key FROM contact_attribute_definitions WHERE account_id = $1 AND kind = 'date'",
        )
        .bind(scope.id())
        .fetch_all(p)
        .await
    })?)
}

/// Whether the rule has a run recorded for this exact subject key.
pub async fn run_exists_in(tx: &mut Tx, scope: Scope, rule: i64, subject: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM automation_runs WHERE account_id = $1 AND rule_id = $2 AND subject = $3",
        )
        .bind(scope.id())
        .bind(rule)
        .bind(subject)
        .fetch_one(c)
        .await
    })?;
    Ok(n > 0)
}
