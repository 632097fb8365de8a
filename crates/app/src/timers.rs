//! The durable scheduler (DESIGN.md section 5, T2).
//!
//! Use cases schedule, move and cancel timers by dedupe key inside their own transaction, so a
//! timer exists exactly when the change that wants it committed. [`App::run_scheduler`] fires due
//! timers: it claims a batch inside one transaction, runs each handler in a savepoint of that
//! transaction and deletes the fired rows before committing, so a handler's database effects and
//! the timer's removal commit together — a timer fires once, even across `kill -9`. A handler that
//! fails is rolled back alone and retried with exponential backoff and jitter; after its
//! `max_attempts` it is dead until an admin re-runs it. Handlers re-read current state when they
//! fire (a ticket may have been resolved since).

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::Duration,
};

use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use yingke_core::{FieldErrors, Role};
use yingke_store::{
    Page, Tx,
    timers::{self, NewTimer, ProbeFiring, Timer},
};

use crate::{App, AppError, AppResult, Principal};

/// Attempts before a timer is dead-lettered.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;
/// Timers fired per transaction.
const BATCH: u32 = 500;
/// The scheduler never sleeps longer than this, so timers scheduled by other instances fire late
/// by at most this much.
const MAX_SLEEP_MS: i64 = 1000;
/// Due timers are gathered for this long before a wake-up, so a steady stream fires in batches.
const MIN_SLEEP_MS: i64 = 5;
const BACKOFF_BASE_MS: i64 = 1000;
const BACKOFF_MAX_MS: i64 = 3_600_000;

/// Timer kinds and what their handlers do.
pub mod kind {
    /// Records when it fired: the scheduler's health check and the benchmark's evidence.
    pub const PROBE: &str = "probe";
}

/// The scheduler's shared wake-up state: a hint of the earliest time a timer was scheduled for
/// since the last wake-up, and a nudge.
#[derive(Debug)]
pub(crate) struct Wake {
    hint: AtomicI64,
    nudge: Notify,
}

impl Default for Wake {
    fn default() -> Self {
        Self {
            hint: AtomicI64::new(i64::MAX),
            nudge: Notify::new(),
        }
    }
}

impl Wake {
    fn scheduled(&self, run_at: i64) {
        if self.hint.fetch_min(run_at, Ordering::AcqRel) > run_at {
            self.nudge.notify_one();
        }
    }
}

/// Delay before retry `attempt` (1-based): doubling from one second up to an hour, ±25 % jitter
/// so retries of timers that failed together spread out.
pub fn backoff_ms(attempt: i32, jitter: f64) -> i64 {
    let exp = BACKOFF_BASE_MS.saturating_mul(1i64 << (attempt - 1).clamp(0, 30));
    let base = exp.min(BACKOFF_MAX_MS) as f64;
    (base * (0.75 + 0.5 * jitter.clamp(0.0, 1.0))) as i64
}

/// A probe timer to schedule.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProbeInput {
    pub key: String,
    pub due_at: i64,
}

#[derive(Serialize, Deserialize)]
struct ProbePayload {
    key: String,
}

/// Longest probe batch accepted at once.
pub const MAX_PROBES: usize = 5000;

impl App {
    /// Tells the scheduler a timer is due at `at` (after scheduling it in a transaction).
    pub(crate) fn wake_at(&self, at: i64) {
        self.wake.scheduled(at);
    }

    /// Fires up to `limit` due timers in one transaction; how many fired (failures not counted).
    pub async fn fire_due_timers(&self, limit: u32) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let due = timers::claim_due_all_accounts(&mut tx, now, limit).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let mut fired = Vec::with_capacity(due.len());
        for t in &due {
            tx.savepoint("yk_timer").await?;
            match self.handle_timer(&mut tx, t).await {
                Ok(()) => {
                    tx.release("yk_timer").await?;
                    fired.push(t);
                }
                Err(e) => {
                    tx.rollback_to("yk_timer").await?;
                    tx.release("yk_timer").await?;
                    let attempt = t.attempts + 1;
                    let retry_at = (attempt < t.max_attempts)
                        .then(|| now + backoff_ms(attempt, rand::rng().random::<f64>()));
                    let message = e.to_string();
                    tracing::warn!(timer = t.id, kind = %t.kind, attempt, dead = retry_at.is_none(), error = %message, "timer handler failed");
                    metrics::counter!("yingke_timer_failures_total", "kind" => t.kind.clone())
                        .increment(1);
                    timers::record_failure(&mut tx, t.id, retry_at, &message, now).await?;
                }
            }
        }
        let ids: Vec<(i64, i64)> = fired.iter().map(|t| (t.id, t.run_at)).collect();
        timers::delete_fired(&mut tx, &ids).await?;
        tx.commit().await?;
        let done = self.now();
        for t in &fired {
            metrics::histogram!("yingke_timer_lateness_seconds", "kind" => t.kind.clone())
                .record((done - t.run_at).max(0) as f64 / 1000.0);
        }
        Ok(fired.len())
    }

    /// Runs one timer's handler inside the firing transaction.
    async fn handle_timer(&self, tx: &mut Tx, t: &Timer) -> AppResult<()> {
        let scope = yingke_store::Scope::new(yingke_core::AccountId(t.account_id));
        match t.kind.as_str() {
            kind::PROBE => {
                let p: ProbePayload = serde_json::from_str(&t.payload)
                    .map_err(|e| AppError::Internal(format!("probe payload: {e}")))?;
                timers::record_probe(tx, t.account_id, &p.key, t.run_at, self.now()).await?;
                Ok(())
            }
            crate::sla::SLA_TIMER => self.fire_sla_timer(tx, t.account_id, &t.payload).await,
            crate::sla::THRESHOLDS_TIMER => self.fire_thresholds_timer(tx, t.account_id).await,
            crate::notify::NOTIFY_TIMER => self.fire_notify_timer(tx, scope, &t.payload).await,
            crate::automation::RULE_TIMER => self.fire_rule_timer(tx, scope, &t.payload).await,
            crate::automation::SCAN_TIMER => self.fire_scan_timer(tx, scope, &t.payload).await,
            crate::automation::SLA_DUE_TIMER => {
                self.fire_sla_due_timer(tx, scope, &t.payload).await
            }
            crate::todos::REMIND_TIMER => self.fire_remind_timer(tx, scope, &t.payload).await,
            crate::todos::DIGEST_TIMER => self.fire_digest_timer(tx, scope, &t.payload).await,
            crate::agent_digest::DIGEST_TIMER => {
                self.fire_agent_digest_timer(tx, scope, &t.payload).await
            }
            other => Err(AppError::Internal(format!(
                "no handler for timer kind {other}"
            ))),
        }
    }

    /// Fires due timers until stopped: after each batch it sleeps until the earliest pending
    /// timer (at most a second), woken early when a sooner one is scheduled here.
    pub async fn run_scheduler(self) {
        let mut last_stats = 0i64;
        let mut last_recurring = 0i64;
        loop {
            if self.now() - last_recurring >= 3_600_000 {
                last_recurring = self.now();
                if let Err(e) = self.ensure_recurring_timers().await {
                    tracing::warn!(error = %e, "scheduling recurring timers failed");
                }
            }
            let fired = match self.fire_due_timers(BATCH).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "firing timers failed");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    0
                }
            };
            let now = self.now();
            if now - last_stats >= 5000 {
                last_stats = now;
                self.record_timer_stats(now).await;
            }
            if fired as u32 >= BATCH {
                continue;
            }
            let hint = self.wake.hint.swap(i64::MAX, Ordering::AcqRel);
            let next = match timers::next_due_all_accounts(self.db()).await {
                Ok(n) => n.unwrap_or(i64::MAX).min(hint),
                Err(e) => {
                    tracing::warn!(error = %e, "reading the next timer failed");
                    hint
                }
            };
            let now = self.now();
            let sleep_ms = (next.saturating_sub(now)).clamp(MIN_SLEEP_MS, MAX_SLEEP_MS);
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(sleep_ms as u64)) => {}
                () = self.wake.nudge.notified() => {}
            }
        }
    }

    async fn record_timer_stats(&self, now: i64) {
        match timers::counts_all_accounts(self.db(), now).await {
            Ok((pending, due, dead)) => {
                metrics::gauge!("yingke_timers_pending").set(pending as f64);
                metrics::gauge!("yingke_timers_due").set(due as f64);
                metrics::gauge!("yingke_timers_dead").set(dead as f64);
            }
            Err(e) => tracing::warn!(error = %e, "counting timers failed"),
        }
    }

    /// How far behind the scheduler is: now minus the oldest due pending timer's due time (0 when
    /// nothing is due).
    pub async fn scheduler_lag_ms(&self) -> AppResult<i64> {
        let now = self.now();
        let next = timers::next_due_all_accounts(self.db()).await?;
        Ok(next.map_or(0, |n| (now - n).max(0)))
    }

    /// The account's timers in a status (`pending` or `dead`), newest first. Admins.
    pub async fn list_timers(
        &self,
        p: &Principal,
        status: &str,
        kind: Option<&str>,
        before: Option<i64>,
        limit: u32,
    ) -> AppResult<Page<Timer>> {
        p.role().require_admin()?;
        if !matches!(status, "pending" | "dead") {
            return Err(FieldErrors::single("status", "must be pending or dead").into());
        }
        Ok(timers::list(
            self.db(),
            p.scope(),
            status,
            kind,
            before,
            limit.clamp(1, 200),
        )
        .await?)
    }

    /// Puts a dead timer back in the queue, due now. Admins.
    pub async fn rerun_timer(&self, p: &Principal, id: i64) -> AppResult<Timer> {
        p.role().require_admin()?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let t = timers::rerun(&mut tx, p.scope(), id, now).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::Timer,
            yingke_core::SettingAction::Run,
            Some(t.id),
            Some(&t.kind),
            now,
        )
        .await?;
        tx.commit().await?;
        self.wake.scheduled(now);
        Ok(t)
    }

    /// Schedules probe timers (owner only): each records when it fired.
    pub async fn schedule_probes(&self, p: &Principal, probes: &[ProbeInput]) -> AppResult<usize> {
        p.role().require(Role::Owner)?;
        let mut errors = FieldErrors::new();
        if probes.is_empty() || probes.len() > MAX_PROBES {
            errors.add("probes", format!("must hold 1 to {MAX_PROBES} probes"));
        }
        for (i, pr) in probes.iter().enumerate() {
            if pr.key.is_empty()
                || pr.key.len() > 200
                || !pr
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
            {
                errors.add(
                    format!("probes[{i}].key"),
                    "must be 1–200 characters of letters, digits, - _ . :",
                );
            }
            if pr.due_at < 0 {
                errors.add(format!("probes[{i}].due_at"), "must not be negative");
            }
        }
        errors.finish()?;
        let payloads: Vec<(String, String)> = probes
            .iter()
            .map(|pr| {
                (
                    format!("probe:{}", pr.key),
                    serde_json::json!({ "key": pr.key }).to_string(),
                )
            })
            .collect();
        let new: Vec<NewTimer<'_>> = probes
            .iter()
            .zip(&payloads)
            .map(|(pr, (key, payload))| NewTimer {
                kind: kind::PROBE,
                dedupe_key: key,
                payload,
                run_at: pr.due_at,
                max_attempts: DEFAULT_MAX_ATTEMPTS,
            })
            .collect();
        let mut tx = self.db().begin().await?;
        timers::schedule_many(&mut tx, p.scope(), &new, self.now()).await?;
        tx.commit().await?;
        if let Some(min) = probes.iter().map(|pr| pr.due_at).min() {
            self.wake.scheduled(min);
        }
        Ok(probes.len())
    }

    /// Probe firings after `after` (owner only).
    pub async fn probe_firings(
        &self,
        p: &Principal,
        after: i64,
        limit: u32,
    ) -> AppResult<Page<ProbeFiring>> {
        p.role().require(Role::Owner)?;
        Ok(timers::probe_firings(self.db(), p.scope(), after, limit.clamp(1, 10_000)).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_jitters_within_a_quarter() {
        assert_eq!(backoff_ms(1, 0.5), 1000);
        assert_eq!(backoff_ms(2, 0.5), 2000);
        assert_eq!(backoff_ms(5, 0.5), 16_000);
        assert_eq!(backoff_ms(40, 0.5), BACKOFF_MAX_MS);
        assert_eq!(backoff_ms(3, 0.0), 3000);
        assert_eq!(backoff_ms(3, 1.0), 5000);
    }
}
