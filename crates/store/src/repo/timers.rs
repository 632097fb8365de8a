//! Durable timers: scheduled inside business transactions by dedupe key, fired by the scheduler.
//!
//! Firing claims due rows inside the firing transaction itself (PostgreSQL: `FOR UPDATE SKIP
//! LOCKED`, so instances split the work; SQLite: the single writer), runs the handlers in that
//! transaction and deletes the rows. The row lock is the lease: it lasts exactly as long as the
//! transaction and a crashed process releases it with its connection.

use sqlx::QueryBuilder;

use crate::{
    Db, Page, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

const COLUMNS: &str = "id, account_id, kind, dedupe_key, payload, run_at, status, attempts, max_attempts, last_error, created_at, updated_at";

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Timer {
    pub id: i64,
    pub account_id: i64,
    pub kind: String,
    pub dedupe_key: String,
    pub payload: String,
    pub run_at: i64,
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A timer to schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTimer<'a> {
    pub kind: &'a str,
    pub dedupe_key: &'a str,
    pub payload: &'a str,
    pub run_at: i64,
    pub max_attempts: i32,
}

/// Schedules a timer, or moves the one with the same key (new time, payload, attempts reset; a
/// dead one comes back to life).
pub async fn schedule(tx: &mut Tx, scope: Scope, t: &NewTimer<'_>, now: i64) -> Result<()> {
    schedule_many(tx, scope, std::slice::from_ref(t), now).await
}

/// [`schedule`] for many timers in few statements.
pub async fn schedule_many(
    tx: &mut Tx,
    scope: Scope,
    timers: &[NewTimer<'_>],
    now: i64,
) -> Result<()> {
    // 8 binds a row; both backends take well over 8 × 1000 parameters.
    for chunk in timers.chunks(1000) {
        on_tx!(tx, |c| {
            let mut q = QueryBuilder::new(
                "INSERT INTO timers (account_id, kind, dedupe_key, payload, run_at, max_attempts, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, t| {
                b.push_bind(scope.id())
                    .push_bind(t.kind)
                    .push_bind(t.dedupe_key)
                    .push_bind(t.payload)
                    .push_bind(t.run_at)
                    .push_bind(t.max_attempts)
                    .push_bind(now)
                    .push_bind(now);
            });
            q.push(
                " ON CONFLICT (account_id, dedupe_key) DO UPDATE SET kind = excluded.kind,
                  payload = excluded.payload, run_at = excluded.run_at, status = 'pending',
                  attempts = 0, max_attempts = excluded.max_attempts, last_error = NULL,
                  updated_at = excluded.updated_at",
            );
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Cancels the timer with this key, if any; true when one was removed.
pub async fn cancel(tx: &mut Tx, scope: Scope, dedupe_key: &str) -> Result<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query("DELETE FROM timers WHERE account_id = $1 AND dedupe_key = $2")
            .bind(scope.id())
            .bind(dedupe_key)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Cancels every timer whose key starts with `prefix` (all of a ticket's SLA timers); how many.
pub async fn cancel_prefix(tx: &mut Tx, scope: Scope, prefix: &str) -> Result<u64> {
    let pattern = format!("{}%", like_escape(prefix));
    Ok(on_tx!(tx, |c| {
        sqlx::query("DELETE FROM timers WHERE account_id = $1 AND dedupe_key LIKE $2 ESCAPE '\\'")
            .bind(scope.id())
            .bind(&pattern)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?)
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Pending timers whose key starts with `prefix`, by due time.
pub async fn pending_with_prefix(db: &Db, scope: Scope, prefix: &str) -> Result<Vec<Timer>> {
    let pattern = format!("{}%", like_escape(prefix));
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM timers WHERE account_id = $1 AND dedupe_key LIKE $2 ESCAPE '\\'
             AND status = 'pending' ORDER BY run_at, id LIMIT 100"
        )))
        .bind(scope.id())
        .bind(&pattern)
        .fetch_all(p)
        .await
    })?)
}

/// Due timers of every account, oldest first, locked for this transaction (the scheduler's
/// claim; unscoped because the scheduler serves all accounts).
pub async fn claim_due_all_accounts(tx: &mut Tx, now: i64, limit: u32) -> Result<Vec<Timer>> {
    let lock = match tx {
        Tx::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM timers WHERE status = 'pending' AND run_at <= $1
             ORDER BY run_at LIMIT $2{lock}"
        )))
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(c)
        .await
    })?)
}

/// Removes fired timers, given as `(id, run_at)` as claimed: a timer its own handler moved to
/// another time stays.
pub async fn delete_fired(tx: &mut Tx, fired: &[(i64, i64)]) -> Result<()> {
    for chunk in fired.chunks(400) {
        on_tx!(tx, |c| {
            let mut q = QueryBuilder::new("DELETE FROM timers WHERE ");
            let mut sep = q.separated(" OR ");
            for (id, run_at) in chunk {
                sep.push("(id = ")
                    .push_bind_unseparated(*id)
                    .push_unseparated(" AND run_at = ")
                    .push_bind_unseparated(*run_at)
                    .push_unseparated(")");
            }
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or dead when `retry_at` is `None`.
pub async fn record_failure(
    tx: &mut Tx,
    id: i64,
    retry_at: Option<i64>,
    error: &str,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE timers SET attempts = attempts + 1, last_error = $2,
             status = CASE WHEN $3 IS NULL THEN 'dead' ELSE 'pending' END,
             run_at = COALESCE($3, run_at), updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(retry_at)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// The earliest pending due time of any account (the scheduler's wake-up).
pub async fn next_due_all_accounts(db: &Db) -> Result<Option<i64>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar("SELECT MIN(run_at) FROM timers WHERE status = 'pending'")
            .fetch_one(p)
            .await
    })?)
}

/// Counts for the scheduler's metrics, all accounts: pending, due by `now`, dead.
pub async fn counts_all_accounts(db: &Db, now: i64) -> Result<(i64, i64, i64)> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT
               (SELECT COUNT(*) FROM timers WHERE status = 'pending'),
               (SELECT COUNT(*) FROM timers WHERE status = 'pending' AND run_at <= $1),
               (SELECT COUNT(*) FROM timers WHERE status = 'dead')",
        )
        .bind(now)
        .fetch_one(p)
        .await
    })?)
}

/// The account's timers in one status (`pending` or `dead`), newest change first, by page.
pub async fn list(
    db: &Db,
    scope: Scope,
    status: &str,
    kind: Option<&str>,
    before: Option<i64>,
    limit: u32,
) -> Result<Page<Timer>> {
    let rows: Vec<Timer> = on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM timers WHERE account_id = $1 AND status = $2
             AND ($3 IS NULL OR kind = $3) AND ($4 IS NULL OR id < $4)
             ORDER BY id DESC LIMIT $5"
        )))
        .bind(scope.id())
        .bind(status)
        .bind(kind)
        .bind(before)
        .bind(i64::from(limit) + 1)
        .fetch_all(p)
        .await
    })?;
    Ok(Page::from_rows(rows, limit, |t| t.id))
}

/// Puts a dead timer back in the queue, due at `now`, attempts reset.
pub async fn rerun(tx: &mut Tx, scope: Scope, id: i64, now: i64) -> Result<Timer> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE timers SET status = 'pending', attempts = 0, run_at = $3, updated_at = $3
             WHERE account_id = $1 AND id = $2 AND status = 'dead' RETURNING {COLUMNS}"
        )))
        .bind(scope.id())
        .bind(id)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

/// A probe timer's firing.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProbeFiring {
    pub id: i64,
    pub probe_key: String,
    pub due_at: i64,
    pub fired_at: i64,
}

pub async fn record_probe(
    tx: &mut Tx,
    account_id: i64,
    key: &str,
    due_at: i64,
    fired_at: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO timer_probe_firings (account_id, probe_key, due_at, fired_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(account_id)
        .bind(key)
        .bind(due_at)
        .bind(fired_at)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// The account's probe firings after `after` (an id), in order.
pub async fn probe_firings(
    db: &Db,
    scope: Scope,
    after: i64,
    limit: u32,
) -> Result<Page<ProbeFiring>> {
    let rows: Vec<ProbeFiring> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, probe_key, due_at, fired_at FROM timer_probe_firings
             WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(scope.id())
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(p)
        .await
    })?;
    Ok(Page::from_rows(rows, limit, |f| f.id))
}

/// Schedules a timer unless one with the key exists already (a recurring job's first run).
pub async fn ensure(tx: &mut Tx, scope: Scope, t: &NewTimer<'_>, now: i64) -> Result<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO timers (account_id, kind, dedupe_key, payload, run_at, max_attempts, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (account_id, dedupe_key) DO NOTHING",
        )
        .bind(scope.id())
        .bind(t.kind)
        .bind(t.dedupe_key)
        .bind(t.payload)
        .bind(t.run_at)
        .bind(t.max_attempts)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}
