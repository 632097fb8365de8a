//! Automation rules (D3, D4, D7): one engine for to-dos and other actions, on the shared
//! condition language.
//!
//! - **Event rules** are queued in the transaction of the change that raised the event (a tag
//!   added, a conversation resolved, a ticket created or moved): an `automation` timer per
//!   matching rule, due now, after a delay, or at the next local time the rule names. When it
//!   fires, the rule's conditions are tested against the subject as it is then.
//! - **SLA rules** ("30 minutes before the deadline") keep one `automation_sla` timer per rule and
//!   ticket, moved whenever the ticket's SLA clock is recomputed; a deadline is acted on once.
//! - **Customer-state rules** scan every contact on a schedule (or once at an absolute time)
//!   with the facts loaded in a few bulk reads, so 100,000 contacts take seconds.
//! - A **frequency limit** (one run per contact per rule per N days) stops floods; a run it stops
//!   is recorded with the reason. Follow-up **chains** create their next step when the working
//!   to-dos of the current one are done. Per-rule **analytics** come from the to-dos themselves.

use std::{
    collections::{HashMap, HashSet},
    time::Instant,
};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use yingke_core::{
    DomainEvent, FieldErrors, Role, TeamId, UserId,
    automation::{
        self as auto, Action, AnalyticsSettings, EventKind, Outcome, Owner, Ref, RuleSpec,
        RuleStats, TagEdges, TagTarget, TodoSpec, Trigger, Wait,
    },
    condition::{Fact, Facts},
    sla::{MetricState, MetricStatus},
};
use yingke_store::{
    Json, Scope, Tx, channels, contacts, conversations as convs, events, routing as routing_repo,
    teams,
    tickets::{self as tickets_repo, Ticket},
    timers::{self, NewTimer},
    todos::{self as repo, Rule, Todo},
    users,
};

use crate::{
    App, AppError, AppResult, Principal,
    todos::{Vars, account_calendar, render},
};

pub const RULE_TIMER: &str = "automation";
pub const SCAN_TIMER: &str = "automation_scan";
pub const SLA_DUE_TIMER: &str = "automation_sla";

const DAY_MS: i64 = 86_400_000;
/// Tag actions may trigger tag rules this many levels deep (loops are refused when saved; this
/// is the guard for anything that slips through).
const MAX_DEPTH: u8 = 4;

/// A rule as saved by an admin.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub name: String,
    #[serde(default)]
    pub goal: String,
    #[serde(default)]
    pub priority: i32,
    #[serde(default = "crate::notify::yes")]
    pub active: bool,
    pub trigger: Value,
    #[serde(default = "crate::notify::always")]
    pub conditions: Value,
    pub actions: Value,
    #[serde(default)]
    pub limit_days: Option<i64>,
}

/// A rule with its figures.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub id: i64,
    pub name: String,
    pub goal: String,
    pub priority: i32,
    pub active: bool,
    pub trigger: Value,
    pub conditions: Value,
    pub actions: Value,
    pub limit_days: Option<i64>,
    pub last_fired_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub stats: RuleStats,
}

/// What a scan found and did.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub rule_id: i64,
    pub contacts: i64,
    pub matched: i64,
    pub created: i64,
    /// Matching contacts the frequency limit held back.
    pub suppressed: i64,
    /// Matching contacts nothing could be done for (no owner).
    pub skipped: i64,
    pub took_ms: i64,
    pub dry_run: bool,
    /// Up to 20 matching contact ids (the dry run's preview).
    pub sample: Vec<i64>,
}

/// What a rule acts on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Subject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<i64>,
}

impl Subject {
    fn key(&self) -> String {
        match (self.ticket_id, self.conversation_id, self.contact_id) {
            (Some(t), _, _) => format!("ticket:{t}"),
            (None, Some(c), _) => format!("conversation:{c}"),
            (None, None, Some(c)) => format!("contact:{c}"),
            _ => "none".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RulePayload {
    rule_id: i64,
    subject: Subject,
    #[serde(default)]
    event: Value,
    #[serde(default)]
    depth: u8,
}

fn spec_json(s: &RuleSpec) -> Value {
    json!({
        "trigger": s.trigger.to_json(),
        "conditions": s.conditions.to_json(),
        "actions": s.actions_json(),
        "limit_days": s.limit_days,
    })
}

/// The stored spec, validated again (an absolute time in the past is fine once saved).
fn stored_spec(r: &Rule) -> Option<RuleSpec> {
    let v = &r.spec.0;
    RuleSpec::parse(
        &v["trigger"],
        &v["conditions"],
        &v["actions"],
        v["limit_days"].as_i64(),
        i64::MIN,
    )
    .ok()
}

/// Who gets to-dos, resolved per subject; team loads shared across a scan so a batch spreads.
#[derive(Clone, Default)]
struct Owners {
    agent: Option<i64>,
    contact_owner: Option<i64>,
    last_agent: Option<i64>,
    origin: Option<i64>,
}

/// Open to-dos per member of each team asked for, online members first.
#[derive(Default)]
struct TeamLoads {
    teams: HashMap<i64, Vec<(u8, i64, i64)>>,
}

impl TeamLoads {
    async fn pick(
        &mut self,
        app: &App,
        tx: &mut Tx,
        scope: Scope,
        team: i64,
    ) -> AppResult<Option<i64>> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.teams.entry(team) {
            let members = app.team_member_ids(scope, team).await?;
            let counts: HashMap<i64, i64> = repo::open_counts_in(tx, scope, &members)
                .await?
                .into_iter()
                .collect();
            let status: HashMap<i64, String> = routing_repo::agents_in(tx, scope)
                .await?
                .into_iter()
                .map(|a| (a.user_id, a.status.unwrap_or_else(|| "offline".into())))
                .collect();
            let rows = members
                .into_iter()
                .map(|u| {
                    let rank = match status.get(&u).map(String::as_str) {
                        Some("online") => 0,
                        Some("busy" | "away") => 1,
                        _ => 2,
                    };
                    (rank, counts.get(&u).copied().unwrap_or(0), u)
                })
                .collect();
            slot.insert(rows);
        }
        let rows = self.teams.get_mut(&team).expect("inserted above");
        let Some(best) = rows.iter_mut().min() else {
            return Ok(None);
        };
        best.1 += 1;
        Ok(Some(best.2))
    }
}

impl App {
    async fn resolve_owner(
        &self,
        tx: &mut Tx,
        scope: Scope,
        o: &Owner,
        owners: &Owners,
        loads: &mut TeamLoads,
    ) -> AppResult<Option<i64>> {
        Ok(match o {
            Owner::ConversationAgent => owners.agent.or(owners.last_agent),
            Owner::ContactOwner => owners.contact_owner.or(owners.last_agent),
            Owner::TeamLeastLoaded(t) => loads.pick(self, tx, scope, *t).await?,
            Owner::User(u) => users::get_in(tx, scope, UserId(*u))
                .await
                .ok()
                .filter(|u| u.active)
                .map(|u| u.id.0),
            Owner::ChainOrigin => owners.origin.or(owners.agent).or(owners.last_agent),
        })
    }

    /// Owners for an event subject: the conversation's (or ticket's) agent, the contact's owner,
    /// the agent who served the contact last.
    async fn owners_for(&self, tx: &mut Tx, scope: Scope, s: &Subject) -> AppResult<Owners> {
        let mut o = Owners::default();
        if let Some(t) = s.ticket_id {
            o.agent = tickets_repo::get_for_update(tx, scope, t)
                .await?
                .assignee_id;
        }
        if let Some(c) = s.conversation_id {
            o.agent = o.agent.or(convs::get_in(tx, scope, c).await?.assignee_id);
        }
        if let Some(c) = s.contact_id {
            o.contact_owner = repo::contact_owner_in(tx, scope, c).await?;
            o.last_agent = repo::last_agent_in(tx, scope, c).await?;
        }
        Ok(o)
    }

    /// The facts a rule tests about a subject, and the values its titles may use.
    async fn subject_facts(
        &self,
        tx: &mut Tx,
        scope: Scope,
        s: &Subject,
        event: &Value,
        now: i64,
    ) -> AppResult<(Facts, Vars)> {
        let mut f = Facts::new(now);
        let mut vars: Vars = HashMap::new();
        for (k, field) in [
            ("tag", "event.tag"),
            ("to", "event.to"),
            ("button", "event.button"),
        ] {
            if let Some(v) = event[k].as_str() {
                f.text(field, v);
                if k == "tag" {
                    vars.insert("tag", v.to_owned());
                }
            }
        }
        if let Some(t) = s.ticket_id {
            let t = tickets_repo::get_for_update(tx, scope, t).await?;
            let category = match t.category_id {
                Some(id) => tickets_repo::category_in(tx, scope, id).await?.key,
                None => String::new(),
            };
            f.text("ticket.priority", &t.priority)
                .text("ticket.status", &t.status)
                .text("ticket.status_kind", &t.status_kind)
                .text("ticket.category", category);
            f.set("ticket.tags", Fact::Tags(str_list(&t.tags.0)));
            if let Some(team) = t.team_id {
                f.set("ticket.team_id", Fact::Number(team as f64));
            }
            f.extend_json("ticket.custom", &t.custom.0);
            vars.insert("ticket.number", t.number.clone());
            vars.insert("ticket.title", t.title.clone());
        }
        if let Some(c) = s.conversation_id {
            let c = convs::get_in(tx, scope, c).await?;
            let tags = repo::conversation_tags_in(tx, scope, c.id).await?;
            f.text("conversation.status", &c.status);
            if let Ok(ch) = channels::get(self.db(), scope, c.channel_id).await {
                f.text("conversation.channel", ch.kind);
            }
            f.set("conversation.tags", Fact::Tags(tags));
            f.set("conversation.priority", Fact::Number(c.priority as f64));
            if let Some(a) = c.assignee_id {
                f.set("conversation.assignee_id", Fact::Number(a as f64));
                if let Ok(u) = users::get_in(tx, scope, UserId(a)).await {
                    vars.insert("agent.name", u.name);
                }
            }
            if let Some(t) = c.team_id {
                f.set("conversation.team_id", Fact::Number(t as f64));
            }
            if let Some(entry) = c.source.get("entry") {
                f.extend_json("entry", entry);
            }
            vars.insert("conversation.number", c.number.to_string());
        }
        if let Some(c) = s.contact_id {
            let k = contacts::get_in(tx, scope, c).await?;
            let tags = contacts::tags_in(tx, scope, c).await?;
            let changes = repo::attribute_changes_in(tx, scope, c).await?;
            let activity = repo::activity_in(tx, scope, c).await?;
            let dates = repo::date_attributes(self.db(), scope).await?;
            let cal = account_calendar(self, tx, scope).await?;
            contact_facts(
                &mut f,
                &ContactRow {
                    name: &k.name,
                    email: &k.email,
                    phone: &k.phone,
                    identified: k.external_id.is_some(),
                    attributes: &k.attributes,
                    created_at: k.created_at,
                    last_seen_at: k.last_seen_at,
                },
                tags,
                &dates,
                &|d| cal.local_midnight(d),
            );
            for (key, at) in changes {
                f.set(format!("contact.changed.{key}"), Fact::Timestamp(at));
            }
            activity_facts(&mut f, &activity);
            vars.insert("contact.name", k.name.clone());
            vars.insert("contact.phone", k.phone.clone());
        }
        Ok((f, vars))
    }

    // ---- rules: CRUD ---------------------------------------------------------------------

    /// Validates a rule against the account: referenced teams and users must be its own, and a
    /// tag rule must not start a loop with the others.
    async fn check_rule(
        &self,
        tx: &mut Tx,
        scope: Scope,
        id: Option<i64>,
        input: &RuleInput,
    ) -> AppResult<RuleSpec> {
        let mut errors = FieldErrors::new();
        if input.name.trim().is_empty() || input.name.chars().count() > 100 {
            errors.add("name", "must be 1–100 characters");
        }
        if input.goal.chars().count() > 500 {
            errors.add("goal", "must be at most 500 characters");
        }
        let spec = match RuleSpec::parse(
            &input.trigger,
            &input.conditions,
            &input.actions,
            input.limit_days,
            self.now(),
        ) {
            Ok(s) => Some(s),
            Err(e) => {
                for fe in e.into_vec() {
                    errors.add(fe.field, fe.message);
                }
                None
            }
        };
        if let Some(spec) = &spec {
            for (path, r) in spec.refs() {
                let ok = match r {
                    Ref::Team(t) => teams::exists_in(tx, scope, TeamId(t)).await?,
                    Ref::User(u) => users::get_in(tx, scope, UserId(u))
                        .await
                        .is_ok_and(|u| u.active),
                };
                if !ok {
                    errors.add(
                        path,
                        match r {
                            Ref::Team(_) => "is not a team of this account",
                            Ref::User(_) => "is not an active user of this account",
                        },
                    );
                }
            }
            let me = id.unwrap_or(-1);
            let mut edges: Vec<TagEdges> = repo::rules_in(tx, scope)
                .await?
                .iter()
                .filter(|r| r.id != me && r.active)
                .filter_map(|r| {
                    let s = stored_spec(r)?;
                    Some(TagEdges {
                        rule_id: r.id,
                        trigger_tag: s.trigger_tag().map(str::to_owned),
                        adds: s
                            .added_tags()
                            .into_iter()
                            .map(|(_, t)| t.to_owned())
                            .collect(),
                    })
                })
                .collect();
            edges.push(TagEdges {
                rule_id: me,
                trigger_tag: spec.trigger_tag().map(str::to_owned),
                adds: spec
                    .added_tags()
                    .into_iter()
                    .map(|(_, t)| t.to_owned())
                    .collect(),
            });
            if input.active
                && let Some(cycle) = auto::find_tag_loop(&edges, me)
            {
                let path = spec
                    .added_tags()
                    .first()
                    .map(|(p, _)| p.clone())
                    .unwrap_or_else(|| "actions".into());
                let names: Vec<String> = cycle
                    .iter()
                    .map(|id| {
                        if *id == me {
                            "this rule".into()
                        } else {
                            format!("rule {id}")
                        }
                    })
                    .collect();
                errors.add(
                    path,
                    format!(
                        "would loop: {} → this rule again, through the tags they add",
                        names.join(" → ")
                    ),
                );
            }
        }
        errors.finish()?;
        Ok(spec.expect("no errors: the spec parsed"))
    }

    pub async fn list_automation_rules(&self, p: &Principal) -> AppResult<Vec<RuleView>> {
        p.role().require(Role::Supervisor)?;
        let scope = p.scope();
        let rules = repo::rules(self.db(), scope).await?;
        let outcomes = repo::rule_outcomes(self.db(), scope).await?;
        let now = self.now();
        Ok(rules
            .into_iter()
            .map(|r| rule_view(r, &outcomes, now))
            .collect())
    }

    pub async fn get_automation_rule(&self, p: &Principal, id: i64) -> AppResult<RuleView> {
        p.role().require(Role::Supervisor)?;
        let scope = p.scope();
        let r = repo::rule(self.db(), scope, id).await?;
        let outcomes = repo::rule_outcomes(self.db(), scope).await?;
        Ok(rule_view(r, &outcomes, self.now()))
    }

    /// Creates (`id` None) or replaces a rule and (re)schedules its scan or absolute time.
    pub async fn save_automation_rule(
        &self,
        p: &Principal,
        id: Option<i64>,
        input: RuleInput,
    ) -> AppResult<RuleView> {
        p.role().require_admin()?;
        let scope = p.scope();
        let now = self.now();
        let mut tx = self.db().begin().await?;
        if let Some(id) = id {
            repo::rule_in(&mut tx, scope, id).await?;
        }
        let spec = self.check_rule(&mut tx, scope, id, &input).await?;
        let saved = repo::save_rule(
            &mut tx,
            scope,
            &Rule {
                id: id.unwrap_or(0),
                name: input.name.trim().to_owned(),
                goal: input.goal.trim().to_owned(),
                priority: input.priority,
                active: input.active,
                trigger_kind: spec.trigger.kind().into(),
                trigger_event: spec.trigger.event().map(|e| e.name().to_owned()),
                spec: Json(spec_json(&spec)),
                last_fired_at: None,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        self.schedule_rule_timers(&mut tx, scope, &saved, &spec, now)
            .await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::AutomationRule,
            crate::audit::created_or_updated(id),
            Some(saved.id),
            Some(&saved.name),
            now,
        )
        .await?;
        tx.commit().await?;
        let outcomes = repo::rule_outcomes(self.db(), scope).await?;
        Ok(rule_view(saved, &outcomes, now))
    }

    async fn schedule_rule_timers(
        &self,
        tx: &mut Tx,
        scope: Scope,
        r: &Rule,
        spec: &RuleSpec,
        now: i64,
    ) -> AppResult<()> {
        let scan_key = format!("auto-scan:{}", r.id);
        timers::cancel(tx, scope, &scan_key).await?;
        if !r.active {
            timers::cancel_prefix(tx, scope, &format!("auto-sla:{}:", r.id)).await?;
            return Ok(());
        }
        let run_at = match spec.trigger {
            Trigger::Scan { .. } => now,
            Trigger::At { at_ms } => at_ms,
            Trigger::Event { .. } => return Ok(()),
        };
        let payload = json!({ "rule_id": r.id }).to_string();
        timers::schedule(
            tx,
            scope,
            &NewTimer {
                kind: SCAN_TIMER,
                dedupe_key: &scan_key,
                payload: &payload,
                run_at,
                max_attempts: crate::timers::DEFAULT_MAX_ATTEMPTS,
            },
            now,
        )
        .await?;
        self.wake_at(run_at);
        Ok(())
    }

    pub async fn delete_automation_rule(&self, p: &Principal, id: i64) -> AppResult<()> {
        p.role().require_admin()?;
        let scope = p.scope();
        let mut tx = self.db().begin().await?;
        let before = repo::rule_in(&mut tx, scope, id).await?;
        repo::delete_rule(&mut tx, scope, id).await?;
        timers::cancel(&mut tx, scope, &format!("auto-scan:{id}")).await?;
        timers::cancel_prefix(&mut tx, scope, &format!("auto-sla:{id}:")).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::AutomationRule,
            yingke_core::SettingAction::Deleted,
            Some(id),
            Some(&before.name),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn automation_runs(&self, p: &Principal, id: i64) -> AppResult<Value> {
        p.role().require(Role::Supervisor)?;
        let scope = p.scope();
        repo::rule(self.db(), scope, id).await?;
        let runs = repo::runs(self.db(), scope, id, 100).await?;
        let scans = repo::scans(self.db(), scope, id, 20).await?;
        Ok(json!({
            "runs": runs.iter().map(|r| json!({
                "id": r.id, "subject": r.subject, "contact_id": r.contact_id, "outcome": r.outcome,
                "reason": r.reason, "created_at": r.created_at,
            })).collect::<Vec<_>>(),
            "scans": scans.iter().map(|s| json!({
                "id": s.id, "started_at": s.started_at, "took_ms": s.took_ms, "contacts": s.contacts,
                "matched": s.matched, "created": s.created, "suppressed": s.suppressed, "skipped": s.skipped,
            })).collect::<Vec<_>>(),
        }))
    }

    /// Buttons agents can press on a conversation (event rules with a button trigger).
    pub async fn automation_buttons(&self, p: &Principal) -> AppResult<Vec<Value>> {
        let rules = repo::rules(self.db(), p.scope()).await?;
        Ok(rules
            .iter()
            .filter(|r| r.active && r.trigger_event.as_deref() == Some(EventKind::Button.name()))
            .filter_map(|r| {
                let key = r.spec.0["trigger"]["key"].as_str()?;
                Some(json!({ "key": key, "rule_id": r.id, "name": r.name, "goal": r.goal }))
            })
            .collect())
    }

    // ---- events ----------------------------------------------------------------------------

    /// Queues the event rules these events start, in the transaction that raised them.
    pub(crate) async fn queue_automation(
        &self,
        tx: &mut Tx,
        scope: Scope,
        evs: &[DomainEvent],
        now: i64,
    ) -> AppResult<()> {
        self.queue_automation_at(tx, scope, evs, 0, now).await
    }

    async fn queue_automation_at(
        &self,
        tx: &mut Tx,
        scope: Scope,
        evs: &[DomainEvent],
        depth: u8,
        now: i64,
    ) -> AppResult<()> {
        let mut calendar = None;
        for (n, e) in evs.iter().enumerate() {
            // Look for rules first: most events start none, and then nothing more is read.
            let Some(kind) = event_kind(e) else { continue };
            let rules = repo::rules_for_event_in(tx, scope, kind.name()).await?;
            if rules.is_empty() {
                continue;
            }
            let Some((keys, subject, event)) = self.event_subject(tx, scope, e).await? else {
                continue;
            };
            for r in rules {
                let Some(spec) = stored_spec(&r) else {
                    continue;
                };
                let Trigger::Event { key, wait, .. } = &spec.trigger else {
                    continue;
                };
                if key.as_ref().is_some_and(|k| !keys.contains(k)) {
                    continue;
                }
                let run_at = match wait {
                    Wait::Now => now,
                    Wait::After(s) => now + s * 1000,
                    Wait::Next { .. } => {
                        if calendar.is_none() {
                            calendar = Some(account_calendar(self, tx, scope).await?);
                        }
                        let cal = calendar.as_ref().expect("loaded above");
                        match wait.run_at(now, cal) {
                            Some(at) => at,
                            None => continue,
                        }
                    }
                };
                let payload = serde_json::to_string(&RulePayload {
                    rule_id: r.id,
                    subject: subject.clone(),
                    event: event.clone(),
                    depth,
                })
                .map_err(|e| AppError::Internal(e.to_string()))?;
                let key = format!("auto:{}:{}:{}:{now}:{n}", r.id, kind.name(), subject.key());
                timers::schedule(
                    tx,
                    scope,
                    &NewTimer {
                        kind: RULE_TIMER,
                        dedupe_key: &key,
                        payload: &payload,
                        run_at,
                        max_attempts: crate::timers::DEFAULT_MAX_ATTEMPTS,
                    },
                    now,
                )
                .await?;
                self.wake_at(run_at);
            }
        }
        Ok(())
    }

    /// For an event that starts rules: the keys a rule's `key` may match, the subject, and the
    /// event facts.
    async fn event_subject(
        &self,
        tx: &mut Tx,
        scope: Scope,
        e: &DomainEvent,
    ) -> AppResult<Option<(Vec<String>, Subject, Value)>> {
        let conv = |id: i64, contact: Option<i64>| Subject {
            conversation_id: Some(id),
            contact_id: contact,
            ..Default::default()
        };
        Ok(match e {
            DomainEvent::ConversationCreated {
                conversation_id,
                contact_id,
            } => Some((
                Vec::new(),
                conv(*conversation_id, Some(*contact_id)),
                json!({}),
            )),
            DomainEvent::ConversationTagged {
                conversation_id,
                tag,
                added: true,
            } => {
                let c = convs::get_in(tx, scope, *conversation_id).await?;
                Some((
                    vec![tag.clone()],
                    conv(c.id, Some(c.contact_id)),
                    json!({ "tag": tag }),
                ))
            }
            DomainEvent::ConversationStatusChanged {
                conversation_id,
                to,
                ..
            } if to == "resolved" => {
                let c = convs::get_in(tx, scope, *conversation_id).await?;
                Some((Vec::new(), conv(c.id, Some(c.contact_id)), json!({})))
            }
            DomainEvent::TicketCreated { ticket_id, .. } => {
                let t = tickets_repo::get_for_update(tx, scope, *ticket_id).await?;
                Some((Vec::new(), ticket_subject(&t), json!({})))
            }
            DomainEvent::TicketStatusChanged {
                ticket_id,
                to,
                to_kind,
                ..
            } => {
                let t = tickets_repo::get_for_update(tx, scope, *ticket_id).await?;
                Some((
                    vec![to.clone(), to_kind.clone()],
                    ticket_subject(&t),
                    json!({ "to": to }),
                ))
            }
            _ => None,
        })
    }

    /// An agent pressed a rule's button on a conversation: the rule runs now.
    pub async fn press_automation_button(
        &self,
        p: &Principal,
        conversation: i64,
        key: &str,
    ) -> AppResult<Vec<Value>> {
        let scope = p.scope();
        let c = self.visible(p, conversation).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let rules: Vec<Rule> = repo::rules_for_event_in(&mut tx, scope, EventKind::Button.name())
            .await?
            .into_iter()
            .filter(|r| r.spec.0["trigger"]["key"].as_str() == Some(key))
            .collect();
        if rules.is_empty() {
            return Err(FieldErrors::single("key", "no active rule has this button").into());
        }
        let subject = Subject {
            conversation_id: Some(c.id),
            contact_id: Some(c.contact_id),
            ..Default::default()
        };
        let mut out = Vec::new();
        let mut created = Vec::new();
        for r in &rules {
            let Some(spec) = stored_spec(r) else { continue };
            let run = self
                .run_rule(
                    &mut tx,
                    scope,
                    r,
                    &spec,
                    &subject,
                    &json!({ "button": key }),
                    0,
                    now,
                )
                .await?;
            out.push(json!({
                "rule_id": r.id, "outcome": run.outcome, "reason": run.reason,
                "todo_ids": run.created.iter().map(|t| t.id).collect::<Vec<_>>(),
            }));
            created.extend(run.created);
        }
        tx.commit().await?;
        for t in &created {
            self.publish_todo(scope, t, "created");
        }
        Ok(out)
    }

    /// An `automation` timer fired: run the rule for its subject as things are now.
    pub(crate) async fn fire_rule_timer(
        &self,
        tx: &mut Tx,
        scope: Scope,
        payload: &str,
    ) -> AppResult<()> {
        let p: RulePayload = serde_json::from_str(payload)
            .map_err(|e| AppError::Internal(format!("automation payload: {e}")))?;
        let Ok(r) = repo::rule_in(tx, scope, p.rule_id).await else {
            return Ok(());
        };
        let Some(spec) = stored_spec(&r).filter(|_| r.active) else {
            return Ok(());
        };
        let run = self
            .run_rule(
                tx,
                scope,
                &r,
                &spec,
                &p.subject,
                &p.event,
                p.depth,
                self.now(),
            )
            .await?;
        for t in &run.created {
            self.publish_todo(scope, t, "created");
        }
        Ok(())
    }

    /// Tests a rule's conditions and frequency limit for a subject and acts; every outcome is
    /// recorded as a run with its reason.
    #[allow(clippy::too_many_arguments)]
    async fn run_rule(
        &self,
        tx: &mut Tx,
        scope: Scope,
        r: &Rule,
        spec: &RuleSpec,
        subject: &Subject,
        event: &Value,
        depth: u8,
        now: i64,
    ) -> AppResult<Run> {
        let (facts, vars) = self.subject_facts(tx, scope, subject, event, now).await?;
        let key = subject.key();
        if let Some(why) = spec.conditions.explain(&facts) {
            let reason = format!("conditions not met: {why}");
            repo::insert_run(
                tx,
                scope,
                r.id,
                &key,
                subject.contact_id,
                "skipped",
                &reason,
                now,
            )
            .await?;
            return Ok(Run::nothing("skipped", reason));
        }
        if let (Some(days), Some(contact)) = (spec.limit_days, subject.contact_id)
            && let Some(last) =
                repo::last_done_in(tx, scope, r.id, contact, now - days * DAY_MS).await?
        {
            let reason = format!(
                "frequency limit: acted for this contact at {last} (epoch ms); at most once per {days} days"
            );
            repo::insert_run(
                tx,
                scope,
                r.id,
                &key,
                Some(contact),
                "suppressed",
                &reason,
                now,
            )
            .await?;
            events::append(
                tx,
                scope,
                None,
                &DomainEvent::AutomationRuleFired {
                    rule_id: r.id,
                    subject: key,
                    outcome: "suppressed".into(),
                },
                now,
            )
            .await?;
            return Ok(Run::nothing("suppressed", reason));
        }
        let owners = self.owners_for(tx, scope, subject).await?;
        let mut loads = TeamLoads::default();
        let done = self
            .execute(
                tx, scope, r, spec, subject, &vars, &owners, &mut loads, depth, now,
            )
            .await?;
        let outcome = if done.acted { "done" } else { "skipped" };
        repo::insert_run(
            tx,
            scope,
            r.id,
            &key,
            subject.contact_id,
            outcome,
            &done.reason(),
            now,
        )
        .await?;
        repo::mark_fired(tx, scope, r.id, now).await?;
        events::append(
            tx,
            scope,
            None,
            &DomainEvent::AutomationRuleFired {
                rule_id: r.id,
                subject: key,
                outcome: outcome.into(),
            },
            now,
        )
        .await?;
        Ok(Run {
            outcome,
            reason: done.reason(),
            created: done.created,
        })
    }

    /// Carries out a rule's actions for one subject.
    #[allow(clippy::too_many_arguments)]
    async fn execute(
        &self,
        tx: &mut Tx,
        scope: Scope,
        r: &Rule,
        spec: &RuleSpec,
        subject: &Subject,
        vars: &Vars,
        owners: &Owners,
        loads: &mut TeamLoads,
        depth: u8,
        now: i64,
    ) -> AppResult<Executed> {
        let mut vars = vars.clone();
        vars.insert("rule.name", r.name.clone());
        let mut ex = Executed::default();
        let context = match subject.conversation_id {
            Some(c) => self
                .conversation_snapshot(scope, c)
                .await
                .unwrap_or_default(),
            None => json!({}),
        };
        for (i, a) in spec.actions.iter().enumerate() {
            match a {
                Action::CreateTodo(ts) => {
                    match self
                        .resolve_owner(tx, scope, &ts.owner, owners, loads)
                        .await?
                    {
                        Some(owner) => {
                            let t = self
                                .rule_todo(
                                    tx,
                                    scope,
                                    ts,
                                    owner,
                                    subject,
                                    &vars,
                                    &context,
                                    Some(r.id),
                                    None,
                                    now,
                                )
                                .await?;
                            ex.note(format!("created to-do {} for user {owner}", t.id));
                            ex.created.push(t);
                        }
                        None => ex.fail(format!(
                            "actions[{i}]: no owner ({})",
                            owner_name(&ts.owner)
                        )),
                    }
                }
                Action::AddTag { tag, target } => {
                    match (target, subject.contact_id, subject.conversation_id) {
                        (TagTarget::Contact, Some(c), _) => {
                            contacts::add_tag(tx, scope, c, tag).await?;
                            ex.note(format!("tagged contact {c} {tag}"));
                        }
                        (TagTarget::Conversation, _, Some(c)) => {
                            if convs::set_tag(tx, scope, c, tag, true).await? {
                                let e = DomainEvent::ConversationTagged {
                                    conversation_id: c,
                                    tag: tag.clone(),
                                    added: true,
                                };
                                events::append(tx, scope, None, &e, now).await?;
                                if depth < MAX_DEPTH {
                                    Box::pin(self.queue_automation_at(
                                        tx,
                                        scope,
                                        &[e],
                                        depth + 1,
                                        now,
                                    ))
                                    .await?;
                                }
                            }
                            ex.note(format!("tagged conversation {c} {tag}"));
                        }
                        _ => ex.fail(format!("actions[{i}]: nothing to tag")),
                    }
                }
                Action::Assign { user_id, team_id } => match subject.conversation_id {
                    Some(c) => {
                        let patch = convs::ConversationPatch {
                            assignee_id: user_id.map(Some),
                            team_id: team_id.map(Some),
                            ..Default::default()
                        };
                        let conv = convs::update(tx, scope, c, patch, now).await?;
                        if user_id.is_some() {
                            routing_repo::assigned_manually(tx, scope, c, now).await?;
                        }
                        let e = DomainEvent::ConversationAssigned {
                            conversation_id: c,
                            assignee_id: conv.assignee_id.map(UserId),
                            team_id: conv.team_id.map(TeamId),
                        };
                        events::append(tx, scope, None, &e, now).await?;
                        self.publish_conversation(&conv, "assigned");
                        ex.note(format!("assigned conversation {c}"));
                    }
                    None => ex.fail(format!("actions[{i}]: no conversation to assign")),
                },
                Action::Notify { to, message } => {
                    match self.resolve_owner(tx, scope, to, owners, loads).await? {
                        Some(user) => {
                            let text = render(message, &vars);
                            self.agent_notice(
                                tx,
                                scope,
                                user,
                                "automation",
                                &text,
                                json!({
                                    "rule_id": r.id, "conversation_id": subject.conversation_id,
                                    "ticket_id": subject.ticket_id, "contact_id": subject.contact_id,
                                }),
                                &format!("auto-notice:{}:{}:{now}:{i}", r.id, subject.key()),
                                now,
                            )
                            .await?;
                            ex.note(format!("notified user {user}"));
                        }
                        None => ex.fail(format!(
                            "actions[{i}]: nobody to notify ({})",
                            owner_name(to)
                        )),
                    }
                }
                Action::Chain { steps } => {
                    let origin = owners.agent.or(owners.last_agent);
                    let chain = repo::insert_chain(
                        tx,
                        scope,
                        &repo::Chain {
                            id: 0,
                            rule_id: Some(r.id),
                            steps: Json(json!(
                                steps
                                    .iter()
                                    .map(|s| s.iter().map(TodoSpec::to_json).collect::<Vec<_>>())
                                    .collect::<Vec<_>>()
                            )),
                            step: 0,
                            origin_user_id: origin,
                            contact_id: subject.contact_id,
                            conversation_id: subject.conversation_id,
                            ticket_id: subject.ticket_id,
                            vars: Json(json!(
                                vars.iter()
                                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                                    .collect::<HashMap<_, _>>()
                            )),
                            created_at: now,
                            finished_at: None,
                        },
                    )
                    .await?;
                    let step_owners = Owners {
                        origin,
                        ..owners.clone()
                    };
                    let made = self
                        .chain_step(
                            tx,
                            scope,
                            &chain,
                            &steps[0],
                            0,
                            &step_owners,
                            loads,
                            &vars,
                            &context,
                            now,
                        )
                        .await?;
                    ex.note(format!(
                        "started chain {} with {} to-dos",
                        chain.id,
                        made.len()
                    ));
                    ex.created.extend(made);
                }
            }
        }
        Ok(ex)
    }

    /// A to-do from a rule or chain spec.
    #[allow(clippy::too_many_arguments)]
    async fn rule_todo(
        &self,
        tx: &mut Tx,
        scope: Scope,
        ts: &TodoSpec,
        owner: i64,
        subject: &Subject,
        vars: &Vars,
        context: &Value,
        rule_id: Option<i64>,
        chain: Option<(i64, i32)>,
        now: i64,
    ) -> AppResult<Todo> {
        let due_at = ts.due_in.map(|s| now + s * 1000);
        let remind_at = ts
            .remind_before
            .map(|b| due_at.map_or(now, |d| d - b * 1000).max(now));
        let todo = Todo {
            id: 0,
            title: render(&ts.title, vars),
            note: render(&ts.note, vars),
            owner_id: owner,
            status: "open".into(),
            priority: ts.priority.clone(),
            colour: ts.colour.clone(),
            due_at,
            remind_at,
            snoozed_until: None,
            repeat: None,
            contact_id: subject.contact_id,
            conversation_id: subject.conversation_id,
            ticket_id: subject.ticket_id,
            context: Json(context.clone()),
            source: if chain.is_some() { "chain" } else { "rule" }.into(),
            rule_id,
            template_key: None,
            chain_id: chain.map(|c| c.0),
            chain_step: chain.map(|c| c.1),
            waits: ts.waits,
            created_by: None,
            created_at: now,
            updated_at: now,
            touched_at: None,
            completed_at: None,
            cancelled_at: None,
        };
        self.insert_todo(tx, scope, todo, None).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn chain_step(
        &self,
        tx: &mut Tx,
        scope: Scope,
        chain: &repo::Chain,
        specs: &[TodoSpec],
        step: i32,
        owners: &Owners,
        loads: &mut TeamLoads,
        vars: &Vars,
        context: &Value,
        now: i64,
    ) -> AppResult<Vec<Todo>> {
        let subject = Subject {
            conversation_id: chain.conversation_id,
            ticket_id: chain.ticket_id,
            contact_id: chain.contact_id,
        };
        let mut out = Vec::new();
        for ts in specs {
            // A step nobody can own falls to the chain's origin rather than vanishing.
            let owner = match self
                .resolve_owner(tx, scope, &ts.owner, owners, loads)
                .await?
            {
                Some(o) => Some(o),
                None => owners.origin,
            };
            if let Some(owner) = owner {
                out.push(
                    self.rule_todo(
                        tx,
                        scope,
                        ts,
                        owner,
                        &subject,
                        vars,
                        context,
                        chain.rule_id,
                        Some((chain.id, step)),
                        now,
                    )
                    .await?,
                );
            }
        }
        Ok(out)
    }

    /// A to-do of chain `id` was closed: when the step's working to-dos are all closed, its
    /// waiting ones are done too and the next step's to-dos are created.
    pub(crate) async fn advance_chain(
        &self,
        tx: &mut Tx,
        scope: Scope,
        id: i64,
        now: i64,
    ) -> AppResult<Vec<Todo>> {
        let mut chain = repo::chain_in(tx, scope, id).await?;
        if chain.finished_at.is_some() {
            return Ok(Vec::new());
        }
        let current = repo::chain_step_in(tx, scope, id, chain.step).await?;
        let open = |t: &Todo| t.status == "open" || t.status == "snoozed";
        if current.iter().any(|t| !t.waits && open(t)) {
            return Ok(Vec::new());
        }
        for mut w in current.into_iter().filter(|t| t.waits && open(t)) {
            let from = std::mem::replace(&mut w.status, "done".into());
            w.completed_at = Some(now);
            w.updated_at = now;
            repo::save(tx, scope, &w).await?;
            timers::cancel(tx, scope, &format!("todo-remind:{}", w.id)).await?;
            events::append(
                tx,
                scope,
                None,
                &DomainEvent::TodoStatusChanged {
                    todo_id: w.id,
                    from,
                    to: "done".into(),
                },
                now,
            )
            .await?;
        }
        let steps: Vec<Vec<Value>> =
            serde_json::from_value(chain.steps.0.clone()).unwrap_or_default();
        let next = chain.step + 1;
        let Some(specs) = steps.get(next as usize) else {
            chain.finished_at = Some(now);
            repo::save_chain(tx, scope, &chain).await?;
            return Ok(Vec::new());
        };
        let mut errors = FieldErrors::new();
        let specs: Vec<TodoSpec> = specs
            .iter()
            .map(|v| auto::parse_todo(v, "step", true, &mut errors))
            .collect();
        let subject = Subject {
            conversation_id: chain.conversation_id,
            ticket_id: chain.ticket_id,
            contact_id: chain.contact_id,
        };
        let mut owners = self.owners_for(tx, scope, &subject).await?;
        owners.origin = chain.origin_user_id;
        let vars: Vars = chain
            .vars
            .0
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| {
                        let k = auto::TODO_VARIABLES.iter().find(|x| **x == k.as_str())?;
                        Some((*k, v.as_str().unwrap_or_default().to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let context = match chain.conversation_id {
            Some(c) => self
                .conversation_snapshot(scope, c)
                .await
                .unwrap_or_default(),
            None => json!({}),
        };
        chain.step = next;
        repo::save_chain(tx, scope, &chain).await?;
        let mut loads = TeamLoads::default();
        self.chain_step(
            tx, scope, &chain, &specs, next, &owners, &mut loads, &vars, &context, now,
        )
        .await
    }

    /// A chain and all its to-dos, for the side panel.
    pub(crate) async fn chain_view(&self, scope: Scope, id: i64) -> AppResult<Value> {
        let chain = repo::chain(self.db(), scope, id).await?;
        let todos = repo::chain_todos(self.db(), scope, id).await?;
        let steps: Vec<Vec<Value>> =
            serde_json::from_value(chain.steps.0.clone()).unwrap_or_default();
        let out: Vec<Value> = steps
            .iter()
            .zip(0i32..)
            .map(|(specs, s)| {
                json!({
                    "step": s,
                    "titles": specs.iter().map(|t| t["title"].clone()).collect::<Vec<_>>(),
                    "todos": todos.iter().filter(|t| t.chain_step == Some(s)).map(|t| json!({
                        "id": t.id, "title": t.title, "owner_id": t.owner_id, "status": t.status, "waits": t.waits,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(json!({
            "id": chain.id, "rule_id": chain.rule_id, "step": chain.step,
            "finished_at": chain.finished_at, "origin_user_id": chain.origin_user_id, "steps": out,
        }))
    }

    // ---- SLA deadlines -----------------------------------------------------------------------

    /// Moves the `automation_sla` timers of a ticket to `before` ahead of its nearest running
    /// SLA deadline (or removes them when no clock runs). Called whenever its SLA is recomputed.
    pub(crate) async fn schedule_sla_due_rules(
        &self,
        tx: &mut Tx,
        scope: Scope,
        ticket: i64,
        states: &[MetricState],
        now: i64,
    ) -> AppResult<()> {
        let rules = repo::rules_for_event_in(tx, scope, EventKind::TicketSlaDue.name()).await?;
        if rules.is_empty() {
            return Ok(());
        }
        let due = states
            .iter()
            .filter(|m| m.status == MetricStatus::Running && !m.paused)
            .filter_map(|m| m.due_at)
            .min();
        for r in rules {
            let key = format!("auto-sla:{}:{ticket}", r.id);
            let before = stored_spec(&r).and_then(|s| match s.trigger {
                Trigger::Event { before_secs, .. } => before_secs,
                _ => None,
            });
            match (due, before) {
                (Some(due), Some(before)) => {
                    let run_at = (due - before * 1000).max(now);
                    let payload =
                        json!({ "rule_id": r.id, "ticket_id": ticket, "due_at": due }).to_string();
                    timers::schedule(
                        tx,
                        scope,
                        &NewTimer {
                            kind: SLA_DUE_TIMER,
                            dedupe_key: &key,
                            payload: &payload,
                            run_at,
                            max_attempts: crate::timers::DEFAULT_MAX_ATTEMPTS,
                        },
                        now,
                    )
                    .await?;
                    self.wake_at(run_at);
                }
                _ => {
                    timers::cancel(tx, scope, &key).await?;
                }
            }
        }
        Ok(())
    }

    /// An SLA deadline is near: act once per rule, ticket and deadline, if the clock still runs.
    pub(crate) async fn fire_sla_due_timer(
        &self,
        tx: &mut Tx,
        scope: Scope,
        payload: &str,
    ) -> AppResult<()> {
        let p: Value = serde_json::from_str(payload)
            .map_err(|e| AppError::Internal(format!("automation_sla payload: {e}")))?;
        let (Some(rule_id), Some(ticket_id), Some(due)) = (
            p["rule_id"].as_i64(),
            p["ticket_id"].as_i64(),
            p["due_at"].as_i64(),
        ) else {
            return Err(AppError::Internal(format!(
                "automation_sla payload: {payload}"
            )));
        };
        let Ok(r) = repo::rule_in(tx, scope, rule_id).await else {
            return Ok(());
        };
        let Some(spec) = stored_spec(&r).filter(|_| r.active) else {
            return Ok(());
        };
        let t = tickets_repo::get_for_update(tx, scope, ticket_id).await?;
        let running = t.sla.0["metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| {
                m["status"] == "running" && m["due_at"].as_i64() == Some(due) && m["paused"] != true
            });
        if !running {
            return Ok(());
        }
        let subject_key = format!("ticket:{ticket_id}:sla:{due}");
        if repo::run_exists_in(tx, scope, rule_id, &subject_key).await? {
            return Ok(());
        }
        let subject = ticket_subject(&t);
        let run = self
            .run_rule(tx, scope, &r, &spec, &subject, &json!({}), 0, self.now())
            .await?;
        // Mark this deadline handled whatever the outcome, so recomputing the clock does not
        // fire it again.
        repo::insert_run(
            tx,
            scope,
            rule_id,
            &subject_key,
            t.contact_id,
            "handled",
            &run.reason,
            self.now(),
        )
        .await?;
        for t in &run.created {
            self.publish_todo(scope, t, "created");
        }
        Ok(())
    }

    // ---- customer-state scans ------------------------------------------------------------------

    /// A scan timer fired: scan now, then schedule the next (a `scan` rule) or stop (`at`).
    pub(crate) async fn fire_scan_timer(
        &self,
        tx: &mut Tx,
        scope: Scope,
        payload: &str,
    ) -> AppResult<()> {
        let p: Value = serde_json::from_str(payload)
            .map_err(|e| AppError::Internal(format!("automation_scan payload: {e}")))?;
        let Ok(r) = repo::rule_in(tx, scope, p["rule_id"].as_i64().unwrap_or_default()).await
        else {
            return Ok(());
        };
        let Some(spec) = stored_spec(&r).filter(|_| r.active) else {
            return Ok(());
        };
        let now = self.now();
        self.scan_rule_in(tx, scope, &r, &spec, now, false).await?;
        if let Trigger::Scan { every_secs } = spec.trigger {
            let at = now + every_secs * 1000;
            let payload = json!({ "rule_id": r.id }).to_string();
            timers::schedule(
                tx,
                scope,
                &NewTimer {
                    kind: SCAN_TIMER,
                    dedupe_key: &format!("auto-scan:{}", r.id),
                    payload: &payload,
                    run_at: at,
                    max_attempts: crate::timers::DEFAULT_MAX_ATTEMPTS,
                },
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// Runs a customer-state rule over every contact now (admins: "run now", or a dry run that
    /// only counts).
    pub async fn scan_automation_rule(
        &self,
        p: &Principal,
        id: i64,
        dry_run: bool,
    ) -> AppResult<ScanReport> {
        p.role().require_admin()?;
        self.scan_rule_now(p.scope(), id, dry_run).await
    }

    /// [`Self::scan_automation_rule`] without a principal (the benchmark).
    pub async fn scan_rule_now(
        &self,
        scope: Scope,
        id: i64,
        dry_run: bool,
    ) -> AppResult<ScanReport> {
        let r = repo::rule(self.db(), scope, id).await?;
        let spec =
            stored_spec(&r).ok_or_else(|| AppError::Internal("stored rule invalid".into()))?;
        if matches!(spec.trigger, Trigger::Event { .. }) {
            return Err(FieldErrors::single(
                "trigger",
                "only customer-state rules (scan, at) scan contacts",
            )
            .into());
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let report = self
            .scan_rule_in(&mut tx, scope, &r, &spec, now, dry_run)
            .await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn scan_rule_in(
        &self,
        tx: &mut Tx,
        scope: Scope,
        r: &Rule,
        spec: &RuleSpec,
        now: i64,
        dry_run: bool,
    ) -> AppResult<ScanReport> {
        let started = Instant::now();
        let db = self.db();
        let fields = spec.conditions.fields();
        let need = |p: &str| fields.iter().any(|f| f.starts_with(p));
        let contacts_all = repo::scan_contacts(db, scope).await?;
        let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
        if need("contact.tags") {
            for (c, t) in repo::scan_tags(db, scope).await? {
                tags.entry(c).or_default().push(t);
            }
        }
        let mut activity: HashMap<i64, repo::Activity> = HashMap::new();
        if need("contact.conversations")
            || need("contact.first_conversation_at")
            || need("contact.last_conversation_at")
        {
            for (c, n, first, last) in repo::scan_conversations(db, scope).await? {
                let a = activity.entry(c).or_default();
                a.conversations = n;
                a.first_conversation_at = Some(first);
                a.last_conversation_at = Some(last);
            }
        }
        if need("contact.last_interaction_at") || need("contact.last_contacted_at") {
            for (c, any, agent) in repo::scan_messages(db, scope).await? {
                let a = activity.entry(c).or_default();
                a.last_interaction_at = Some(any);
                a.last_contacted_at = agent;
            }
        }
        if need("contact.open_todos") {
            for (c, n) in repo::scan_open_todos(db, scope).await? {
                activity.entry(c).or_default().open_todos = n;
            }
        }
        let mut changes: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
        if need("contact.changed.") {
            for (c, k, at) in repo::scan_attribute_changes(db, scope).await? {
                changes.entry(c).or_default().push((k, at));
            }
        }
        let dates = if need("contact.custom.") {
            repo::date_attributes(db, scope).await?
        } else {
            Vec::new()
        };
        let cal = account_calendar(self, tx, scope).await?;
        let midnight = |d: &str| cal.local_midnight(d);
        let recent: HashSet<i64> = match spec.limit_days {
            Some(days) => repo::done_contacts(db, scope, r.id, now - days * DAY_MS)
                .await?
                .into_iter()
                .collect(),
            None => HashSet::new(),
        };
        let mut matched = Vec::new();
        let mut suppressed = Vec::new();
        let empty = repo::Activity::default();
        for k in &contacts_all {
            let mut f = Facts::new(now);
            contact_facts(
                &mut f,
                &ContactRow {
                    name: &k.name,
                    email: &k.email,
                    phone: &k.phone,
                    identified: k.external_id.is_some(),
                    attributes: &k.attributes.0,
                    created_at: k.created_at,
                    last_seen_at: k.last_seen_at,
                },
                tags.remove(&k.id).unwrap_or_default(),
                &dates,
                &midnight,
            );
            for (key, at) in changes.remove(&k.id).unwrap_or_default() {
                f.set(format!("contact.changed.{key}"), Fact::Timestamp(at));
            }
            activity_facts(&mut f, activity.get(&k.id).unwrap_or(&empty));
            if spec.conditions.matches(&f) {
                if recent.contains(&k.id) {
                    suppressed.push(k.id);
                } else {
                    matched.push(k);
                }
            }
        }
        let mut report = ScanReport {
            rule_id: r.id,
            contacts: contacts_all.len() as i64,
            matched: (matched.len() + suppressed.len()) as i64,
            created: 0,
            suppressed: suppressed.len() as i64,
            skipped: 0,
            took_ms: 0,
            dry_run,
            sample: matched.iter().take(20).map(|k| k.id).collect(),
        };
        if !dry_run {
            let owners_of: HashMap<i64, i64> =
                repo::scan_owners(db, scope).await?.into_iter().collect();
            let last_agents: HashMap<i64, i64> = repo::scan_last_agents(db, scope)
                .await?
                .into_iter()
                .collect();
            let mut loads = TeamLoads::default();
            let mut done = Vec::new();
            let mut skipped = Vec::new();
            for k in &matched {
                let subject = Subject {
                    contact_id: Some(k.id),
                    ..Default::default()
                };
                let owners = Owners {
                    agent: last_agents.get(&k.id).copied(),
                    contact_owner: owners_of.get(&k.id).copied(),
                    last_agent: last_agents.get(&k.id).copied(),
                    origin: None,
                };
                let mut vars: Vars = HashMap::new();
                vars.insert("contact.name", k.name.clone());
                vars.insert("contact.phone", k.phone.clone());
                let ex = self
                    .execute(
                        tx, scope, r, spec, &subject, &vars, &owners, &mut loads, 0, now,
                    )
                    .await?;
                report.created += ex.created.len() as i64;
                if ex.acted {
                    done.push(k.id);
                } else {
                    skipped.push(k.id);
                }
            }
            repo::insert_runs(tx, scope, r.id, &done, "done", "customer-state scan", now).await?;
            repo::insert_runs(
                tx,
                scope,
                r.id,
                &skipped,
                "skipped",
                "customer-state scan: no owner",
                now,
            )
            .await?;
            report.skipped = skipped.len() as i64;
            if !done.is_empty() {
                repo::mark_fired(tx, scope, r.id, now).await?;
            }
        }
        report.took_ms = started.elapsed().as_millis() as i64;
        if !dry_run {
            repo::insert_scan(
                tx,
                scope,
                &repo::Scan {
                    id: 0,
                    rule_id: r.id,
                    started_at: now,
                    took_ms: report.took_ms,
                    contacts: report.contacts,
                    matched: report.matched,
                    created: report.created,
                    suppressed: report.suppressed,
                    skipped: report.skipped,
                },
            )
            .await?;
        }
        metrics::histogram!("yingke_automation_scan_seconds")
            .record(report.took_ms as f64 / 1000.0);
        Ok(report)
    }
}

/// The kind of rule an event starts, if any.
fn event_kind(e: &DomainEvent) -> Option<EventKind> {
    match e {
        DomainEvent::ConversationCreated { .. } => Some(EventKind::ConversationCreated),
        DomainEvent::ConversationTagged { added: true, .. } => Some(EventKind::ConversationTagged),
        DomainEvent::ConversationStatusChanged { to, .. } if to == "resolved" => {
            Some(EventKind::ConversationResolved)
        }
        DomainEvent::TicketCreated { .. } => Some(EventKind::TicketCreated),
        DomainEvent::TicketStatusChanged { .. } => Some(EventKind::TicketStatusChanged),
        _ => None,
    }
}

/// What one rule run did.
pub(crate) struct Run {
    outcome: &'static str,
    reason: String,
    created: Vec<Todo>,
}

impl Run {
    fn nothing(outcome: &'static str, reason: String) -> Self {
        Self {
            outcome,
            reason,
            created: Vec::new(),
        }
    }
}

#[derive(Default)]
struct Executed {
    acted: bool,
    notes: Vec<String>,
    failures: Vec<String>,
    created: Vec<Todo>,
}

impl Executed {
    fn note(&mut self, s: String) {
        self.acted = true;
        self.notes.push(s);
    }

    fn fail(&mut self, s: String) {
        self.failures.push(s);
    }

    fn reason(&self) -> String {
        self.notes
            .iter()
            .chain(&self.failures)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn owner_name(o: &Owner) -> &'static str {
    match o {
        Owner::ConversationAgent => "the conversation has no agent",
        Owner::ContactOwner => "the contact has no owner and no past agent",
        Owner::TeamLeastLoaded(_) => "the team has no active member",
        Owner::User(_) => "the user is deactivated",
        Owner::ChainOrigin => "the chain has no origin agent",
    }
}

fn ticket_subject(t: &Ticket) -> Subject {
    Subject {
        ticket_id: Some(t.id),
        conversation_id: t.conversation_id,
        contact_id: t.contact_id,
    }
}

fn str_list(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_owned))
        .collect()
}

struct ContactRow<'a> {
    name: &'a str,
    email: &'a str,
    phone: &'a str,
    identified: bool,
    attributes: &'a Value,
    created_at: i64,
    last_seen_at: i64,
}

/// The contact facts of [`auto::CONTACT_STATE_FIELDS`]; date attributes become moments.
fn contact_facts(
    f: &mut Facts,
    k: &ContactRow<'_>,
    tags: Vec<String>,
    date_keys: &[String],
    midnight: &dyn Fn(&str) -> Option<i64>,
) {
    f.text("contact.name", k.name)
        .text("contact.email", k.email)
        .text("contact.phone", k.phone);
    f.set("contact.identified", Fact::Bool(k.identified));
    f.set("contact.tags", Fact::Tags(tags));
    f.extend_json("contact.custom", k.attributes);
    for key in date_keys {
        if let Some(ms) = k
            .attributes
            .get(key)
            .and_then(Value::as_str)
            .and_then(midnight)
        {
            f.set(format!("contact.custom.{key}"), Fact::Timestamp(ms));
        }
    }
    f.set("contact.created_at", Fact::Timestamp(k.created_at));
    f.set("contact.last_seen_at", Fact::Timestamp(k.last_seen_at));
}

fn activity_facts(f: &mut Facts, a: &repo::Activity) {
    f.set(
        "contact.conversations",
        Fact::Number(a.conversations as f64),
    );
    f.set("contact.open_todos", Fact::Number(a.open_todos as f64));
    for (field, v) in [
        ("contact.first_conversation_at", a.first_conversation_at),
        ("contact.last_conversation_at", a.last_conversation_at),
        ("contact.last_interaction_at", a.last_interaction_at),
        ("contact.last_contacted_at", a.last_contacted_at),
    ] {
        if let Some(at) = v {
            f.set(field, Fact::Timestamp(at));
        }
    }
}

fn rule_view(r: Rule, outcomes: &[repo::OutcomeRow], now: i64) -> RuleView {
    let mine: Vec<Outcome<'_>> = outcomes
        .iter()
        .filter(|o| o.0 == r.id)
        .map(
            |(_, status, created_at, due_at, completed_at, touched)| Outcome {
                status,
                created_at: *created_at,
                due_at: *due_at,
                completed_at: *completed_at,
                touched: touched.is_some(),
            },
        )
        .collect();
    let stats = auto::rule_stats(
        &mine,
        r.created_at,
        r.last_fired_at,
        now,
        AnalyticsSettings::default(),
    );
    let spec = &r.spec.0;
    RuleView {
        id: r.id,
        name: r.name,
        goal: r.goal,
        priority: r.priority,
        active: r.active,
        trigger: spec["trigger"].clone(),
        conditions: spec["conditions"].clone(),
        actions: spec["actions"].clone(),
        limit_days: spec["limit_days"].as_i64(),
        last_fired_at: r.last_fired_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
        stats,
    }
}
