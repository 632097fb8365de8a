//! SLA clocks on tickets (T3), business calendars, and thresholds learned from history (N3).
//!
//! Every ticket change calls [`App::sync_sla_in`] in its transaction: the first enabled policy
//! whose conditions match gives the targets for the ticket's priority; the clock is evaluated on
//! the policy's calendar; the ticket stores each metric's state; and the ticket's SLA timers
//! (`sla:<ticket>:<metric>:<stage>`) are replaced by the ones its state needs now. So a priority
//! change moves the timers, a pending state removes them (the clock is paused), resolving
//! cancels them. When a timer fires, the handler evaluates the clock again, records the warning or
//! breach once, and runs the policy's escalations.

use serde_json::{Value, json};
use yingke_core::{
    AccountId, CalendarSpec, DomainEvent, FieldErrors, TeamId,
    calendar::BusinessCalendar,
    condition::{Condition, Fact, Facts},
    sla::{self, Action, LearnedWarning, MetricState, PolicySpec, Stage, ThresholdSettings},
    sla_clock::Pause,
    ticket::Priority,
};
use yingke_store::Json;
use yingke_store::{
    Scope, Tx, contacts, events,
    sla::{self as repo, CalendarRow, PolicyRow, Threshold},
    tickets::{self as tickets_repo, Ticket},
    timers::{self, NewTimer},
};

use crate::{App, AppError, AppResult, Principal, tickets::timeline};

/// Timer kinds of this module.
pub const SLA_TIMER: &str = "sla";
pub const THRESHOLDS_TIMER: &str = "sla_thresholds";
const DAY_MS: i64 = 24 * 3600 * 1000;

fn sla_prefix(ticket: i64) -> String {
    format!("sla:{ticket}:")
}

fn pauses_of(t: &Ticket) -> Vec<Pause> {
    t.pauses
        .0
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(Pause {
                from: p["from"].as_i64()?,
                to: p["to"].as_i64(),
            })
        })
        .collect()
}

/// Stages already recorded, as `metric:stage:started_at`.
fn fired_of(t: &Ticket) -> Vec<String> {
    t.sla.0["fired"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn fired_key(m: &MetricState, stage: Stage) -> String {
    format!("{}:{}:{}", m.metric.as_str(), stage.as_str(), m.started_at)
}

/// A calendar row as a working calendar.
fn business_calendar(row: Option<&CalendarRow>) -> BusinessCalendar {
    row.and_then(|r| serde_json::from_value::<CalendarSpec>(r.spec.0.clone()).ok())
        .and_then(|spec| BusinessCalendar::from_spec(&spec).ok())
        .unwrap_or_else(|| {
            BusinessCalendar::from_spec(&CalendarSpec::always("UTC"))
                .unwrap_or_else(|_| unreachable!("the always-open calendar is valid"))
        })
}

/// What the SLA clock says about a ticket at a moment.
struct SlaEval {
    /// The first enabled policy whose conditions match, with its id.
    policy: Option<(i64, PolicySpec)>,
    /// The policy has targets for the ticket's priority.
    has_targets: bool,
    calendar_id: Option<i64>,
    /// Business ms from creation to resolution, while resolved.
    resolution_business_ms: Option<i64>,
    states: Vec<MetricState>,
}

impl App {
    /// The facts SLA conditions test.
    pub(crate) async fn ticket_facts(
        &self,
        tx: &mut Tx,
        scope: Scope,
        t: &Ticket,
        category_key: &str,
        now: i64,
    ) -> AppResult<Facts> {
        let mut f = Facts::new(now);
        f.text("ticket.priority", &t.priority)
            .text("ticket.category", category_key)
            .text("ticket.channel", &t.channel);
        f.set(
            "ticket.tags",
            Fact::Tags(
                t.tags
                    .0
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
        );
        if let Some(team) = t.team_id {
            f.set("ticket.team_id", Fact::Number(team as f64));
        }
        f.extend_json("ticket.custom.", &t.custom.0);
        if let Some(c) = t.contact_id {
            let tags = contacts::tags_in(tx, scope, c).await?;
            f.set("contact.tags", Fact::Tags(tags));
            let contact = contacts::get_in(tx, scope, c).await?;
            f.extend_json("contact.custom.", &contact.attributes);
        }
        Ok(f)
    }

    /// What the SLA clock says about the ticket at `now`: the matching policy, each metric's
    /// state, the resolution time. Reads only.
    async fn evaluate_sla_in(
        &self,
        tx: &mut Tx,
        scope: Scope,
        t: &Ticket,
        now: i64,
    ) -> AppResult<SlaEval> {
        let category_key = match t.category_id {
            Some(id) => tickets_repo::category_in(tx, scope, id).await?.key,
            None => String::new(),
        };
        let facts = self.ticket_facts(tx, scope, t, &category_key, now).await?;
        let policies = repo::policies_in(tx, scope).await?;
        let policy = policies.iter().filter(|p| p.enabled).find_map(|row| {
            let spec: PolicySpec = serde_json::from_value(row.spec.0.clone()).ok()?;
            let cond = Condition::parse(
                &spec.conditions,
                &yingke_core::condition::TICKET_FIELDS,
                "conditions",
            )
            .ok()?;
            cond.matches(&facts).then_some((row.id, spec))
        });
        let priority = Priority::parse(&t.priority).unwrap_or(Priority::P3);
        let cal_row =
            repo::calendar_in(tx, scope, policy.as_ref().and_then(|(_, s)| s.calendar_id)).await?;
        let cal = business_calendar(cal_row.as_ref());
        let facts = sla::ClockFacts {
            created_at: t.created_at,
            first_response_at: t.first_response_at,
            awaiting_reply_since: t.awaiting_reply_since,
            resolved_at: t.resolved_at,
            pauses: pauses_of(t),
        };
        // The resolution time in business ms (policy or not), for the thresholds learned later.
        let resolution_business_ms = t.resolved_at.map(|resolved| {
            let pauses: Vec<Pause> = facts
                .pauses
                .iter()
                .filter(|p| p.from < resolved)
                .copied()
                .collect();
            yingke_core::sla_clock::elapsed(&cal, t.created_at, &pauses, resolved)
        });
        let targets = policy
            .as_ref()
            .and_then(|(_, spec)| spec.targets_for(priority));
        let states = match (&policy, targets) {
            (Some((_, spec)), Some(targets)) => {
                let learned = if spec.dynamic_warning {
                    repo::threshold_in(tx, scope, &category_key, priority.as_str())
                        .await?
                        .and_then(|th| th.warn_ms)
                        .map(|warn_ms| LearnedWarning { warn_ms })
                } else {
                    None
                };
                sla::evaluate(&cal, &facts, &targets, spec.warn_fraction, learned, now)
            }
            _ => vec![],
        };
        Ok(SlaEval {
            policy,
            has_targets: targets.is_some(),
            calendar_id: cal_row.map(|c| c.id),
            resolution_business_ms,
            states,
        })
    }

    /// Stores an evaluation on the ticket and replaces its SLA timers by the ones its running
    /// metrics need (stages that fired already are not scheduled again). The caller saves.
    async fn apply_sla_in(
        &self,
        tx: &mut Tx,
        scope: Scope,
        t: &mut Ticket,
        eval: SlaEval,
        now: i64,
    ) -> AppResult<Vec<MetricState>> {
        timers::cancel_prefix(tx, scope, &sla_prefix(t.id)).await?;
        t.resolution_business_ms = eval.resolution_business_ms;
        let fired = fired_of(t);
        let Some((policy_id, spec)) = eval.policy else {
            t.sla_policy_id = None;
            t.sla = Json(json!({"fired": fired}));
            return Ok(vec![]);
        };
        t.sla_policy_id = Some(policy_id);
        if !eval.has_targets {
            t.sla = Json(
                json!({"policy_id": policy_id, "policy": spec.name, "metrics": [],
                                "fired": fired}),
            );
            return Ok(vec![]);
        }
        for s in &eval.states {
            if s.stopped_at.is_some() || s.paused {
                continue;
            }
            for (stage, at) in [(Stage::Warning, s.warn_at), (Stage::Breach, s.due_at)] {
                let Some(at) = at else { continue };
                if fired.contains(&fired_key(s, stage)) {
                    continue;
                }
                let key = format!(
                    "{}{}:{}",
                    sla_prefix(t.id),
                    s.metric.as_str(),
                    stage.as_str()
                );
                let payload = json!({"ticket_id": t.id, "metric": s.metric.as_str(), "stage": stage.as_str()})
                    .to_string();
                timers::schedule(
                    tx,
                    scope,
                    &NewTimer {
                        kind: SLA_TIMER,
                        dedupe_key: &key,
                        payload: &payload,
                        run_at: at,
                        max_attempts: crate::timers::DEFAULT_MAX_ATTEMPTS,
                    },
                    now,
                )
                .await?;
                self.wake_at(at);
            }
        }
        t.sla = Json(json!({
            "policy_id": policy_id,
            "policy": spec.name,
            "calendar_id": eval.calendar_id,
            "metrics": eval.states,
            "fired": fired,
        }));
        Ok(eval.states)
    }

    /// Recomputes the ticket's SLA state at `now` and replaces its SLA timers (see the module
    /// doc). The caller saves the ticket.
    pub(crate) async fn sync_sla_in(
        &self,
        tx: &mut Tx,
        scope: Scope,
        t: &mut Ticket,
        now: i64,
    ) -> AppResult<Vec<MetricState>> {
        let eval = self.evaluate_sla_in(tx, scope, t, now).await?;
        let states = self.apply_sla_in(tx, scope, t, eval, now).await?;
        self.schedule_sla_due_rules(tx, scope, t.id, &states, now)
            .await?;
        Ok(states)
    }

    /// An SLA timer fired: record the warning or breach once and escalate.
    pub(crate) async fn fire_sla_timer(
        &self,
        tx: &mut Tx,
        account_id: i64,
        payload: &str,
    ) -> AppResult<()> {
        let scope = Scope::new(AccountId(account_id));
        let p: Value = serde_json::from_str(payload)
            .map_err(|e| AppError::Internal(format!("sla payload: {e}")))?;
        let (Some(ticket_id), Some(metric), Some(stage)) = (
            p["ticket_id"].as_i64(),
            p["metric"].as_str().and_then(sla::Metric::parse),
            p["stage"].as_str().and_then(Stage::parse),
        ) else {
            return Err(AppError::Internal(format!("sla payload: {payload}")));
        };
        let now = self.now();
        let mut t = match tickets_repo::get_for_update(tx, scope, ticket_id).await {
            Ok(t) => t,
            Err(yingke_store::Error::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let eval = self.evaluate_sla_in(tx, scope, &t, now).await?;
        let due_state = eval
            .states
            .iter()
            .find(|s| s.metric == metric)
            .filter(|state| {
                let at = match stage {
                    Stage::Warning => state.warn_at,
                    Stage::Breach => state.due_at,
                };
                state.stopped_at.is_none()
                    && !state.paused
                    && at.is_some_and(|a| a <= now)
                    && !fired_of(&t).contains(&fired_key(state, stage))
            });
        let Some(state) = due_state.cloned() else {
            // Moved, paused or stopped since it was scheduled: reschedule from the current state.
            self.apply_sla_in(tx, scope, &mut t, eval, now).await?;
            tickets_repo::save(tx, scope, &t).await?;
            return Ok(());
        };
        let key = fired_key(&state, stage);
        let spec = eval.policy.map(|(_, spec)| spec);
        let mut sla_doc = t.sla.0.clone();
        if let Some(f) = sla_doc["fired"].as_array_mut() {
            f.push(json!(key));
        } else {
            sla_doc["fired"] = json!([key]);
        }
        t.sla = Json(sla_doc);
        let (kind, event) = match stage {
            Stage::Warning => (
                "sla_warning",
                DomainEvent::TicketSlaWarning {
                    ticket_id,
                    metric: metric.as_str().into(),
                    due_at: state.due_at,
                },
            ),
            Stage::Breach => (
                "sla_breach",
                DomainEvent::TicketSlaBreached {
                    ticket_id,
                    metric: metric.as_str().into(),
                    due_at: state.due_at,
                },
            ),
        };
        timeline(
            tx,
            &t,
            kind,
            None,
            None,
            json!({"metric": metric.as_str(), "due_at": state.due_at, "warn_at": state.warn_at,
                   "warn_source": state.warn_source, "target_ms": state.target_ms}),
            now,
        )
        .await?;
        let mut evs = vec![event];
        for esc in spec.iter().flat_map(|s| s.escalations.iter()) {
            if esc.on != stage || esc.metric.is_some_and(|m| m != metric) {
                continue;
            }
            let action = match esc.action {
                Action::NotifySupervisor => "notify_supervisor",
                Action::RaisePriority => {
                    let from = t.priority.clone();
                    let to = Priority::parse(&from).unwrap_or(Priority::P3).raised();
                    if to.as_str() != from {
                        t.priority = to.as_str().into();
                        timeline(
                            tx,
                            &t,
                            "priority",
                            None,
                            Some("SLA escalation"),
                            json!({"from": from, "to": t.priority}),
                            now,
                        )
                        .await?;
                        evs.push(DomainEvent::TicketPriorityChanged {
                            ticket_id,
                            from,
                            to: t.priority.clone(),
                        });
                    }
                    "raise_priority"
                }
                Action::ReassignTeam { team_id } => {
                    if yingke_store::teams::exists_in(tx, scope, TeamId(team_id)).await?
                        && t.team_id != Some(team_id)
                    {
                        let from = t.team_id.replace(team_id);
                        t.assignee_id = None;
                        timeline(
                            tx,
                            &t,
                            "transferred",
                            None,
                            Some("SLA escalation"),
                            json!({"from_team_id": from, "to_team_id": team_id}),
                            now,
                        )
                        .await?;
                        evs.push(DomainEvent::TicketTransferred {
                            ticket_id,
                            from_team_id: from,
                            to_team_id: team_id,
                            reason: "SLA escalation".into(),
                        });
                        evs.push(DomainEvent::TicketAssigned {
                            ticket_id,
                            assignee_id: None,
                        });
                    }
                    "reassign_team"
                }
            };
            timeline(
                tx,
                &t,
                "escalated",
                None,
                None,
                json!({"metric": metric.as_str(), "stage": stage.as_str(), "action": action}),
                now,
            )
            .await?;
            evs.push(DomainEvent::TicketEscalated {
                ticket_id,
                metric: metric.as_str().into(),
                stage: stage.as_str().into(),
                action: action.into(),
            });
        }
        t.updated_at = now;
        // Escalation may have changed the priority or team: the clock follows.
        self.sync_sla_in(tx, scope, &mut t, now).await?;
        tickets_repo::save(tx, scope, &t).await?;
        events::append_many(tx, scope, None, &evs, now).await?;
        self.queue_notifications(tx, scope, &evs, now).await?;
        self.queue_automation(tx, scope, &evs, now).await?;
        Ok(())
    }

    // ---- Calendars ----

    pub async fn list_calendars(&self, p: &Principal) -> AppResult<Vec<CalendarRow>> {
        Ok(repo::calendars(self.db(), p.scope()).await?)
    }

    pub async fn get_calendar(&self, p: &Principal, id: i64) -> AppResult<CalendarRow> {
        Ok(repo::calendar(self.db(), p.scope(), id).await?)
    }

    /// Creates (`id` None) or replaces a calendar (admin). Overlapping hours, bad dates or an
    /// unknown zone are a 422 under `spec.…`.
    pub async fn save_calendar(
        &self,
        p: &Principal,
        id: Option<i64>,
        name: &str,
        spec: &CalendarSpec,
        is_default: bool,
    ) -> AppResult<CalendarRow> {
        p.role().require_admin()?;
        let mut errors = FieldErrors::new();
        if name.trim().is_empty() || name.chars().count() > 100 {
            errors.add("name", "must be 1–100 characters");
        }
        if let Err(e) = BusinessCalendar::from_spec(spec) {
            for fe in e.into_vec() {
                errors.add(format!("spec.{}", fe.field), fe.message);
            }
        }
        errors.finish()?;
        if let Some(id) = id {
            repo::calendar(self.db(), p.scope(), id).await?;
        }
        let doc = serde_json::to_value(spec).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.db().begin().await?;
        let row = repo::save_calendar(
            &mut tx,
            p.scope(),
            id,
            name.trim(),
            &doc,
            is_default,
            self.now(),
        )
        .await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::Calendar,
            crate::audit::created_or_updated(id),
            Some(row.id),
            Some(&row.name),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Adds a list of holidays and adjusted working days (a year's official list) to a calendar
    /// (admin); dates already present are kept once.
    pub async fn import_holidays(
        &self,
        p: &Principal,
        id: i64,
        holidays: &[String],
        extra_workdays: &[String],
    ) -> AppResult<CalendarRow> {
        p.role().require_admin()?;
        let row = repo::calendar(self.db(), p.scope(), id).await?;
        let mut spec: CalendarSpec = serde_json::from_value(row.spec.0.clone())
            .map_err(|e| AppError::Internal(format!("stored calendar: {e}")))?;
        let mut errors = FieldErrors::new();
        for (field, list) in [("holidays", holidays), ("extra_workdays", extra_workdays)] {
            if list.len() > 366 {
                errors.add(field, "must have at most 366 dates");
            }
            for (i, d) in list.iter().enumerate() {
                if !yingke_core::calendar::is_date(d) {
                    errors.add(format!("{field}[{i}]"), "must be a date as YYYY-MM-DD");
                }
            }
        }
        for (i, d) in holidays.iter().enumerate() {
            if extra_workdays.contains(d) {
                errors.add(
                    format!("holidays[{i}]"),
                    "cannot be a holiday and a working day",
                );
            }
        }
        errors.finish()?;
        let merge = |into: &mut Vec<String>, add: &[String], remove: &[String]| {
            into.retain(|d| !remove.contains(d));
            for d in add {
                if !into.contains(d) {
                    into.push(d.clone());
                }
            }
            into.sort();
        };
        merge(&mut spec.holidays, holidays, extra_workdays);
        merge(&mut spec.extra_workdays, extra_workdays, holidays);
        self.save_calendar(p, Some(id), &row.name, &spec, row.is_default)
            .await
    }

    pub async fn delete_calendar(&self, p: &Principal, id: i64) -> AppResult<()> {
        p.role().require_admin()?;
        let mut tx = self.db().begin().await?;
        if repo::calendar_in_use(&mut tx, p.scope(), id).await? {
            return Err(AppError::InUse {
                field: "id".into(),
                message: "an SLA policy counts on this calendar".into(),
            });
        }
        let before = repo::calendar_in(&mut tx, p.scope(), Some(id)).await?;
        repo::delete_calendar(&mut tx, p.scope(), id).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::Calendar,
            yingke_core::SettingAction::Deleted,
            Some(id),
            before.as_ref().map(|c| c.name.as_str()),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- Policies ----

    pub async fn list_sla_policies(&self, p: &Principal) -> AppResult<Vec<PolicyRow>> {
        Ok(repo::policies(self.db(), p.scope()).await?)
    }

    /// Creates (`id` None) or replaces a policy (admin). Applies to tickets changed from now on.
    pub async fn save_sla_policy(
        &self,
        p: &Principal,
        id: Option<i64>,
        spec: &PolicySpec,
        enabled: bool,
        position: Option<i32>,
    ) -> AppResult<PolicyRow> {
        p.role().require_admin()?;
        let mut errors = match spec.validate() {
            Ok(_) => FieldErrors::new(),
            Err(e) => e,
        };
        if let Some(cid) = spec.calendar_id
            && repo::calendar(self.db(), p.scope(), cid).await.is_err()
        {
            errors.add("calendar_id", "is not a calendar of this account");
        }
        for (i, e) in spec.escalations.iter().enumerate() {
            if let Action::ReassignTeam { team_id } = e.action
                && yingke_store::teams::get(self.db(), p.scope(), TeamId(team_id))
                    .await
                    .is_err()
            {
                errors.add(
                    format!("escalations[{i}].team_id"),
                    "is not a team of this account",
                );
            }
        }
        if let Some(pos) = position
            && !(0..=10_000).contains(&pos)
        {
            errors.add("position", "must be 0–10000");
        }
        errors.finish()?;
        if let Some(id) = id
            && !repo::policies(self.db(), p.scope())
                .await?
                .iter()
                .any(|r| r.id == id)
        {
            return Err(AppError::NotFound);
        }
        let doc = serde_json::to_value(spec).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.db().begin().await?;
        let row =
            repo::save_policy(&mut tx, p.scope(), id, &doc, enabled, position, self.now()).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::SlaPolicy,
            crate::audit::created_or_updated(id),
            Some(row.id),
            Some(spec.name.trim()),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn delete_sla_policy(&self, p: &Principal, id: i64) -> AppResult<()> {
        p.role().require_admin()?;
        let name = repo::policies(self.db(), p.scope())
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .and_then(|r| {
                r.spec
                    .0
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
        let mut tx = self.db().begin().await?;
        repo::delete_policy(&mut tx, p.scope(), id).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::SlaPolicy,
            yingke_core::SettingAction::Deleted,
            Some(id),
            name.as_deref(),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- Learned thresholds ----

    pub async fn threshold_settings(&self, scope: Scope) -> AppResult<ThresholdSettings> {
        let (_, t) = tickets_repo::settings(self.db(), scope).await?;
        Ok(t.and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    pub async fn set_threshold_settings(
        &self,
        p: &Principal,
        s: ThresholdSettings,
    ) -> AppResult<ThresholdSettings> {
        p.role().require_admin()?;
        s.validate()?;
        let doc = serde_json::to_value(&s).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.db().begin().await?;
        tickets_repo::save_setting(&mut tx, p.scope(), "thresholds", &doc, self.now()).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::SlaThresholds,
            yingke_core::SettingAction::Updated,
            None,
            None,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// The thresholds and the data behind them.
    pub async fn sla_thresholds(&self, p: &Principal) -> AppResult<Vec<Threshold>> {
        Ok(repo::thresholds(self.db(), p.scope()).await?)
    }

    /// Recomputes the account's thresholds now (admin; also run daily by a timer).
    pub async fn refresh_sla_thresholds(&self, p: &Principal) -> AppResult<Vec<Threshold>> {
        p.role().require_admin()?;
        let rows = self.compute_thresholds(p.scope()).await?;
        let mut tx = self.db().begin().await?;
        repo::replace_thresholds(&mut tx, p.scope(), &rows).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::SlaThresholds,
            yingke_core::SettingAction::Run,
            None,
            None,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Per category and priority: the distribution over the trailing window, last year's
    /// seasonal factor (or a declared peak's), and the warning derived from them.
    async fn compute_thresholds(&self, scope: Scope) -> AppResult<Vec<Threshold>> {
        use std::collections::BTreeMap;
        let settings = self.threshold_settings(scope).await?;
        let now = self.now();
        let window = settings.window_days * DAY_MS;
        let year = 364 * DAY_MS; // the same weekdays a year ago
        let group = |rows: Vec<(String, String, i64)>| {
            let mut m: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
            for (c, p, v) in rows {
                m.entry((c, p)).or_default().push(v);
            }
            m
        };
        let current =
            group(tickets_repo::resolution_times(self.db(), scope, now - window, now + 1).await?);
        let (same_last_year, before_last_year) = if settings.seasonal_last_year {
            (
                group(
                    tickets_repo::resolution_times(
                        self.db(),
                        scope,
                        now - year,
                        now - year + window,
                    )
                    .await?,
                ),
                group(
                    tickets_repo::resolution_times(
                        self.db(),
                        scope,
                        now - year - window,
                        now - year,
                    )
                    .await?,
                ),
            )
        } else {
            (BTreeMap::new(), BTreeMap::new())
        };
        let today = jiff::Timestamp::from_millisecond(now)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
            .unwrap_or_default();
        let peak = settings.peak_on(&today).cloned();
        let mut out = Vec::new();
        for (key, mut values) in current {
            let d = sla::distribution(&mut values);
            let (factor, basis) = match &peak {
                Some(p) => (p.factor, "peak"),
                None => {
                    let mut a = same_last_year.get(&key).cloned().unwrap_or_default();
                    let mut b = before_last_year.get(&key).cloned().unwrap_or_default();
                    (
                        sla::seasonal_factor(
                            sla::distribution(&mut a),
                            sla::distribution(&mut b),
                            settings.min_samples,
                        ),
                        "history",
                    )
                }
            };
            let warn = sla::learned_warning(d, factor, &settings);
            out.push(Threshold {
                category_key: key.0,
                priority: key.1,
                window_days: settings.window_days as i32,
                sample_count: d.map_or(0, |d| d.count),
                p50_ms: d.map(|d| d.p50_ms),
                p90_ms: d.map(|d| d.p90_ms),
                seasonal_factor: factor,
                warn_ms: warn,
                basis: if warn.is_some() {
                    basis
                } else {
                    "too_few_samples"
                }
                .into(),
                computed_at: now,
            });
        }
        Ok(out)
    }

    /// The daily refresh timer fired for an account: recompute, then schedule the next run.
    /// (The history is read from the pool while the firing transaction is open: the scheduler is
    /// one task holding one connection, so it cannot starve the pool.)
    pub(crate) async fn fire_thresholds_timer(
        &self,
        tx: &mut Tx,
        account_id: i64,
    ) -> AppResult<()> {
        let scope = Scope::new(AccountId(account_id));
        let rows = self.compute_thresholds(scope).await?;
        repo::replace_thresholds(tx, scope, &rows).await?;
        let next = self.now() + DAY_MS;
        timers::schedule(
            tx,
            scope,
            &NewTimer {
                kind: THRESHOLDS_TIMER,
                dedupe_key: "sla_thresholds:daily",
                payload: "{}",
                run_at: next,
                max_attempts: crate::timers::DEFAULT_MAX_ATTEMPTS,
            },
            self.now(),
        )
        .await?;
        Ok(())
    }

    /// Makes sure every account has its daily threshold refresh scheduled (on start-up).
    pub async fn ensure_recurring_timers(&self) -> AppResult<()> {
        let now = self.now();
        for account in repo::account_ids_all(self.db()).await? {
            let mut tx = self.db().begin().await?;
            timers::ensure(
                &mut tx,
                Scope::new(AccountId(account)),
                &NewTimer {
                    kind: THRESHOLDS_TIMER,
                    dedupe_key: "sla_thresholds:daily",
                    payload: "{}",
                    run_at: now + 60_000,
                    max_attempts: crate::timers::DEFAULT_MAX_ATTEMPTS,
                },
                now,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }
}
