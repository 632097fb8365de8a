//! Routing at run time: the account's rules and settings, agents' availability and capacity, and
//! the steps that move a conversation — first decision, queue drain when capacity frees,
//! overflow to another team, reassignment when an assignee does not reply.
//!
//! Every step is one transaction: read the account's state, call the pure decision in
//! `yingke_core::routing`, write the placement, the decision with its trace and the outbox events.
//! Steps of one account are serialised: by an in-process lock, and across instances by a
//! transaction-scoped advisory lock on PostgreSQL (SQLite has a single writer). Reading the state
//! inside that transaction means no two steps can see the same free capacity, so nobody goes
//! above capacity and nothing is assigned twice, whichever instance decides.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
    time::Instant,
};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use yingke_core::{
    AccountId, BusinessCalendar, CalendarSpec, DomainEvent, FieldErrors, Role, TeamId, UserId,
    condition::{Condition, Fact, Facts, ROUTING_FIELDS},
    routing::{
        self as core, Agent, AgentStatus, Decision, Outcome, Pick, Queued, Request, Route, Rule,
        SkillReq, Strategy,
    },
};
use yingke_store::{
    Scope, Tx,
    conversations::{self as convs, Conversation, NewMessage},
    events,
    routing::{self as repo, AgentPatch, NewDecision, NewRule, Placement, RoutingRow},
    teams, users,
};

use crate::{
    App, AppError, AppResult, Live, Principal,
    conversations::{check_tag, message_event, parse_priority},
};

/// An account's routing settings, stored as one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoutingSettings {
    /// Where a conversation goes when no rule matches.
    pub default_route: Route,
    /// A returning contact goes back to their last agent within this window; 0 turns it off.
    pub sticky_window_secs: i64,
    /// Send a conversation back to routing when the assignee has not replied after this long.
    pub reassign_after_secs: Option<i64>,
    /// Capacity of agents with neither their own nor a team default.
    pub default_capacity: i64,
    /// An online agent without activity for this long becomes away.
    pub away_after_secs: Option<i64>,
    /// Business hours for `time.business_hours`; every hour counts when absent.
    pub business_hours: Option<CalendarSpec>,
    /// Zone of `time.local` and `time.weekday` when there are no business hours.
    pub timezone: String,
}

impl Default for RoutingSettings {
    fn default() -> Self {
        Self {
            default_route: Route {
                rule_id: None,
                teams: vec![],
                agent: None,
                skills: vec![],
                strategy: Strategy::LeastLoad,
                priority: None,
                tags: vec![],
                offline_notice: None,
                sticky: true,
            },
            sticky_window_secs: 7 * 86_400,
            reassign_after_secs: None,
            default_capacity: 5,
            away_after_secs: Some(15 * 60),
            business_hours: None,
            timezone: "Asia/Shanghai".into(),
        }
    }
}

/// A route as an admin writes it.
#[derive(Debug, Clone, Default)]
pub struct RouteInput {
    pub teams: Vec<i64>,
    pub agent_id: Option<i64>,
    pub skills: Vec<(String, i64)>,
    pub strategy: Option<String>,
    pub priority: Option<String>,
    pub tags: Vec<String>,
    pub offline_notice: Option<String>,
    pub sticky: Option<bool>,
}

/// A rule as an admin writes it.
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub name: String,
    pub enabled: bool,
    pub position: Option<i64>,
    pub conditions: Value,
    pub route: RouteInput,
}

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleView {
    pub id: i64,
    pub position: i64,
    pub name: String,
    pub enabled: bool,
    pub conditions: Value,
    pub route: Route,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Settings as an admin changes them; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    pub default_route: Option<RouteInput>,
    pub sticky_window_secs: Option<i64>,
    pub reassign_after_secs: Option<Option<i64>>,
    pub default_capacity: Option<i64>,
    pub away_after_secs: Option<Option<i64>>,
    pub business_hours: Option<Option<CalendarSpec>>,
    pub timezone: Option<String>,
}

/// An agent's routing state as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentView {
    pub user_id: i64,
    pub status: AgentStatus,
    /// The agent's own capacity, if set.
    pub capacity: Option<i64>,
    /// What applies: own, else the largest team default, else the account default.
    pub effective_capacity: u32,
    pub load: u32,
    pub teams: Vec<i64>,
    pub skills: BTreeMap<String, u8>,
    pub status_changed_at: Option<i64>,
    pub last_assigned_at: Option<i64>,
}

/// A change to an agent's state; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct AgentInput {
    pub status: Option<String>,
    pub capacity: Option<Option<i64>>,
    pub skills: Option<BTreeMap<String, i64>>,
}

/// A team's routing defaults as an admin writes them.
#[derive(Debug, Clone, Default)]
pub struct TeamRoutingInput {
    pub default_capacity: Option<i64>,
    pub overflow_after_secs: Option<i64>,
    pub overflow_team_id: Option<i64>,
}

/// A stored decision as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    pub id: i64,
    pub reason: String,
    pub outcome: String,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    pub rule_id: Option<i64>,
    pub duration_us: i64,
    pub decided_at: i64,
    pub trace: Value,
}

/// A conversation waiting for an agent.
#[derive(Debug, Clone, Serialize)]
pub struct QueueEntry {
    pub conversation_id: i64,
    pub position: usize,
    pub team_id: Option<i64>,
    pub priority: i64,
    pub queued_at: i64,
    /// Seconds until it is likely picked up, from the recent pace of assignments.
    pub estimated_wait_secs: Option<i64>,
}

/// What `simulate` is asked about: a hypothetical new conversation.
#[derive(Debug, Clone, Default)]
pub struct SimulateInput {
    pub facts: Value,
    pub contact_id: Option<i64>,
    pub priority: Option<String>,
    pub tags: Vec<String>,
}

/// Facts about a conversation read before its decision.
pub(crate) struct Prefetch {
    first_text: String,
    contact: Option<yingke_store::contacts::Contact>,
    tags: Vec<String>,
    /// Earlier conversations and the contact's last activity.
    history: (i64, Option<i64>),
    last_agent: Option<(i64, i64)>,
}

impl Prefetch {
    /// A new conversation's facts, read by whoever opened it (a visitor's first message reads
    /// them in its own transaction).
    pub(crate) fn new(
        first_text: String,
        contact: Option<yingke_store::contacts::Contact>,
        facts: repo::ContactFacts,
    ) -> Self {
        Self {
            first_text,
            contact,
            tags: facts.tags,
            history: (facts.earlier, facts.last_active),
            last_agent: facts.last_agent,
        }
    }
}

/// The facts rules see about a conversation (or a hypothetical one, for `simulate`).
fn facts_from(ctx: &Ctx, source: &Value, p: &Prefetch, now: i64) -> Facts {
    let mut f = Facts::new(now);
    let s = |k: &str| source.get(k).and_then(Value::as_str).unwrap_or("");
    f.text("conversation.channel", s("channel"));
    if let Some(id) = source.get("channel_id").and_then(Value::as_f64) {
        f.set("conversation.channel_id", Fact::Number(id));
    }
    if let Some(entry) = source.get("entry").filter(|e| e.is_object()) {
        f.extend_json("entry", entry);
    }
    for k in ["landing_page", "referrer", "device", "language"] {
        f.text(&format!("source.{k}"), s(k));
    }
    if let Some(utm) = source.get("utm") {
        f.extend_json("utm", utm);
    }
    if let Some(form) = source.get("form") {
        f.extend_json("form", form);
    }
    f.text("message.text", p.first_text.clone());
    if let Some(c) = &p.contact {
        f.text("contact.name", c.name.clone())
            .text("contact.email", c.email.clone())
            .text("contact.phone", c.phone.clone())
            .set("contact.identified", Fact::Bool(c.external_id.is_some()))
            .extend_json("contact.custom", &c.attributes);
        f.set("contact.tags", Fact::Tags(p.tags.clone()));
        let (n, last) = p.history;
        f.set("contact.returning", Fact::Bool(n > 0))
            .set("contact.conversations", Fact::Number(n as f64));
        if let Some(at) = last {
            f.set("contact.last_active_at", Fact::Timestamp(at));
        }
    }
    f.set(
        "time.business_hours",
        Fact::Bool(ctx.calendar.is_working(now)),
    );
    if let Some((weekday, minute)) = ctx.calendar.local_clock(now) {
        f.set("time.local", Fact::Clock(minute))
            .set("time.weekday", Fact::Number(f64::from(weekday)));
    }
    f
}

/// The team a conversation lands in: the first of the route's teams the agent belongs to.
fn team_for(route: &Route, agents: &[Agent], agent: i64) -> Option<i64> {
    let member_of = agents
        .iter()
        .find(|a| a.id == agent)
        .map(|a| a.teams.as_slice())
        .unwrap_or_default();
    route
        .teams
        .iter()
        .copied()
        .find(|t| member_of.contains(t))
        .or(route.teams.first().copied())
}

/// Records the assignments of a step on the agents' rows, once per agent.
async fn patch_assigned(
    tx: &mut Tx,
    scope: Scope,
    mut agents: Vec<i64>,
    now: i64,
) -> AppResult<()> {
    agents.sort_unstable();
    agents.dedup();
    repo::mark_assigned(tx, scope, &agents, now).await?;
    Ok(())
}

/// A decision made in memory, to be written with the rest of its step.
struct Planned {
    row: RoutingRow,
    d: Decision,
    reason: Reason,
    /// Why, beyond the rules and candidates (waited in the queue, no reply…), for the trace.
    note: Option<String>,
    priority: i64,
    /// The time the decision took, from its start to its pick.
    duration_us: i64,
}

impl Planned {
    fn new(
        row: RoutingRow,
        d: Decision,
        reason: Reason,
        note: Option<String>,
        priority: i64,
        started: Instant,
    ) -> Self {
        let duration_us = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
        Self {
            row,
            d,
            reason,
            note,
            priority,
            duration_us,
        }
    }

    fn record_metrics(&self) {
        let took = std::time::Duration::from_micros(self.duration_us.max(0).unsigned_abs());
        record_decision_metrics(self.reason, &self.d.pick, took);
    }
}

/// The account's routing state for one step.
struct Ctx {
    settings: RoutingSettings,
    core: core::Settings,
    rules: Vec<Rule>,
    agents: Vec<Agent>,
    calendar: BusinessCalendar,
}

impl Ctx {
    fn from_parts(
        settings: Option<Value>,
        rules: Vec<repo::RuleRow>,
        rows: &[repo::AgentRow],
        members: &[(i64, i64, Option<i64>)],
        loads: &[(i64, i64)],
    ) -> Self {
        let settings = settings_from(settings);
        let rules = rules
            .into_iter()
            .filter(|r| r.enabled)
            .filter_map(|r| {
                let condition =
                    Condition::parse(&r.conditions.0, &ROUTING_FIELDS, "conditions").ok()?;
                let route: Route = serde_json::from_value(r.route.0).ok()?;
                Some(Rule {
                    id: r.id,
                    name: r.name,
                    condition,
                    route,
                })
            })
            .collect();
        let agents = rows
            .iter()
            .map(|r| agent_from(r, members, loads, &settings))
            .collect();
        let core = core::Settings {
            default_route: settings.default_route.clone(),
            sticky_window_ms: settings.sticky_window_secs * 1000,
        };
        let calendar = calendar_of(&settings);
        Self {
            settings,
            core,
            rules,
            agents,
            calendar,
        }
    }
}

/// Why a routing step ran, as stored on the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    New,
    Queue,
    Overflow,
    NoReply,
    Retry,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Queue => "queue",
            Self::Overflow => "overflow",
            Self::NoReply => "no_reply",
            Self::Retry => "retry",
        }
    }
}

/// In-process per-account serialisation of routing steps.
#[derive(Default)]
pub(crate) struct RoutingLocks(Mutex<HashMap<AccountId, Arc<tokio::sync::Mutex<()>>>>);

impl RoutingLocks {
    fn get(&self, a: AccountId) -> Arc<tokio::sync::Mutex<()>> {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(a).or_default().clone()
    }
}

/// Queue-position notices per account: which accounts have a pass scheduled, and the positions
/// last sent.
#[derive(Default)]
pub(crate) struct QueueNotices {
    pending: Mutex<std::collections::HashSet<AccountId>>,
    last: Mutex<HashMap<AccountId, HashMap<i64, usize>>>,
}

const QUEUE_NOTICE_DELAY: std::time::Duration = std::time::Duration::from_millis(200);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

type Job = (
    i64,
    Option<Prefetch>,
    tokio::sync::oneshot::Sender<AppResult<Option<i64>>>,
);

/// One batcher task per account: new conversations that arrive while a batch is being decided
/// wait and go together into the next one — one transaction, one commit (DESIGN.md section 7).
#[derive(Default)]
pub(crate) struct RoutingJobs(Mutex<HashMap<AccountId, tokio::sync::mpsc::UnboundedSender<Job>>>);

/// Most conversations decided in one transaction.
const MAX_BATCH: usize = 256;

impl RoutingJobs {
    fn sender(&self, app: &App, scope: Scope) -> tokio::sync::mpsc::UnboundedSender<Job> {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(scope.account())
            .or_insert_with(|| {
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                tokio::spawn(batcher(app.clone(), scope, rx));
                tx
            })
            .clone()
    }
}

async fn batcher(app: App, scope: Scope, mut rx: tokio::sync::mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut batch = Vec::with_capacity(jobs.len());
        let mut waiting = Vec::with_capacity(jobs.len());
        for (id, pre, done) in jobs {
            batch.push((id, Reason::New, pre));
            waiting.push((id, done));
        }
        match app.route_batch(scope, batch).await {
            Ok(results) => {
                for ((_, done), r) in waiting.into_iter().zip(results) {
                    let _ = done.send(Ok(r));
                }
            }
            // One bad conversation must not hold up the others: decide them one by one.
            Err(_) => {
                for (id, done) in waiting {
                    let r = app.route_conversation(scope, id, Reason::New).await;
                    let _ = done.send(r);
                }
            }
        }
    }
}

const MAX_NAME: usize = 100;
const MAX_NOTICE: usize = 1000;
/// A never-routed conversation older than this is picked up by the sweep (its first attempt
/// failed or its instance died between commit and decision).
const RETRY_AFTER_MS: i64 = 5_000;

fn settings_from(v: Option<Value>) -> RoutingSettings {
    v.and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

fn calendar_of(s: &RoutingSettings) -> BusinessCalendar {
    let spec = s
        .business_hours
        .clone()
        .unwrap_or_else(|| CalendarSpec::always(&s.timezone));
    BusinessCalendar::from_spec(&spec)
        .or_else(|_| BusinessCalendar::from_spec(&CalendarSpec::always("Asia/Shanghai")))
        .expect("the built-in calendar is valid")
}

fn rule_view(r: repo::RuleRow) -> RuleView {
    RuleView {
        id: r.id,
        position: r.position,
        name: r.name,
        enabled: r.enabled,
        conditions: r.conditions.0,
        route: serde_json::from_value(r.route.0)
            .unwrap_or_else(|_| RoutingSettings::default().default_route),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

impl App {
    fn routing_lock(&self, a: AccountId) -> Arc<tokio::sync::Mutex<()>> {
        self.routing_locks.get(a)
    }

    // ---- configuration ----

    /// Checks a route, naming problems under `path`: teams and the agent must be of this account.
    async fn check_route(
        &self,
        tx: &mut Tx,
        scope: Scope,
        r: &RouteInput,
        path: &str,
        errors: &mut FieldErrors,
    ) -> AppResult<Route> {
        for (i, t) in r.teams.iter().enumerate() {
            if !teams::exists_in(tx, scope, TeamId(*t)).await? {
                errors.add(format!("{path}.teams[{i}]"), "no such team");
            }
        }
        if r.teams.len() > 20 {
            errors.add(format!("{path}.teams"), "must name at most 20 teams");
        }
        if let Some(a) = r.agent_id {
            match users::get_in(tx, scope, UserId(a)).await {
                Ok(u) if u.active => {}
                Ok(_) => errors.add(format!("{path}.agent_id"), "is deactivated"),
                Err(yingke_store::Error::NotFound) => {
                    errors.add(format!("{path}.agent_id"), "no such agent")
                }
                Err(e) => return Err(e.into()),
            }
        }
        let strategy = match r.strategy.as_deref() {
            None => Strategy::LeastLoad,
            Some(s) => Strategy::parse(s).unwrap_or_else(|| {
                errors.add(
                    format!("{path}.strategy"),
                    "must be one of: least_load, round_robin, longest_idle, performance_weighted",
                );
                Strategy::LeastLoad
            }),
        };
        let priority = match &r.priority {
            None => None,
            Some(p) => errors.check(&format!("{path}.priority"), parse_priority(p)),
        };
        let mut skills = Vec::new();
        for (i, (name, min)) in r.skills.iter().enumerate() {
            if !is_skill(name) {
                errors.add(
                    format!("{path}.skills[{i}].name"),
                    "must be 1–50 characters",
                );
            }
            if !(1..=5).contains(min) {
                errors.add(format!("{path}.skills[{i}].min"), "must be 1–5");
            }
            skills.push(SkillReq {
                name: name.trim().to_owned(),
                min: u8::try_from(*min).unwrap_or(1),
            });
        }
        let mut tags = Vec::new();
        for (i, t) in r.tags.iter().enumerate() {
            match check_tag(t) {
                Ok(t) => tags.push(t),
                Err(_) => errors.add(format!("{path}.tags[{i}]"), "must be 1–50 characters"),
            }
        }
        if let Some(n) = &r.offline_notice
            && (n.trim().is_empty() || n.chars().count() > MAX_NOTICE)
        {
            errors.add(
                format!("{path}.offline_notice"),
                format!("must be 1–{MAX_NOTICE} characters"),
            );
        }
        Ok(Route {
            rule_id: None,
            teams: r.teams.clone(),
            agent: r.agent_id,
            skills,
            strategy,
            priority,
            tags,
            offline_notice: r.offline_notice.clone().filter(|n| !n.trim().is_empty()),
            sticky: r.sticky.unwrap_or(true),
        })
    }

    pub async fn routing_settings(&self, principal: &Principal) -> AppResult<RoutingSettings> {
        principal.role().require(Role::Supervisor)?;
        Ok(settings_from(
            repo::settings(&self.db, principal.scope()).await?,
        ))
    }

    pub async fn update_routing_settings(
        &self,
        principal: &Principal,
        input: SettingsInput,
    ) -> AppResult<RoutingSettings> {
        principal.role().require_admin()?;
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let mut s = settings_from(repo::settings_in(&mut tx, scope).await?);
        let mut errors = FieldErrors::new();
        if let Some(r) = &input.default_route {
            s.default_route = self
                .check_route(&mut tx, scope, r, "default_route", &mut errors)
                .await?;
        }
        if let Some(v) = input.sticky_window_secs {
            if !(0..=366 * 86_400).contains(&v) {
                errors.add("sticky_window_secs", "must be 0–31622400 seconds");
            }
            s.sticky_window_secs = v;
        }
        if let Some(v) = input.reassign_after_secs {
            if v.is_some_and(|v| !(10..=86_400).contains(&v)) {
                errors.add("reassign_after_secs", "must be 10–86400 seconds, or null");
            }
            s.reassign_after_secs = v;
        }
        if let Some(v) = input.default_capacity {
            if !(1..=1000).contains(&v) {
                errors.add("default_capacity", "must be 1–1000");
            }
            s.default_capacity = v;
        }
        if let Some(v) = input.away_after_secs {
            if v.is_some_and(|v| !(60..=86_400).contains(&v)) {
                errors.add("away_after_secs", "must be 60–86400 seconds, or null");
            }
            s.away_after_secs = v;
        }
        if let Some(v) = input.business_hours {
            if let Some(spec) = &v
                && let Err(e) = BusinessCalendar::from_spec(spec)
            {
                for fe in e.into_vec() {
                    errors.add(format!("business_hours.{}", fe.field), fe.message);
                }
            }
            s.business_hours = v;
        }
        if let Some(tz) = input.timezone {
            if BusinessCalendar::from_spec(&CalendarSpec::always(&tz)).is_err() {
                errors.add(
                    "timezone",
                    "must be an IANA time zone such as Asia/Shanghai",
                );
            }
            s.timezone = tz;
        }
        errors.finish()?;
        let v = serde_json::to_value(&s).map_err(|e| AppError::Internal(e.to_string()))?;
        repo::put_settings(&mut tx, scope, &v, now).await?;
        crate::audit::setting_changed(
            &mut tx,
            principal,
            yingke_core::SettingArea::RoutingSettings,
            yingke_core::SettingAction::Updated,
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        self.drain_logged(scope).await;
        Ok(s)
    }

    pub async fn list_routing_rules(&self, principal: &Principal) -> AppResult<Vec<RuleView>> {
        principal.role().require(Role::Supervisor)?;
        Ok(repo::rules(&self.db, principal.scope())
            .await?
            .into_iter()
            .map(rule_view)
            .collect())
    }

    pub async fn get_routing_rule(&self, principal: &Principal, id: i64) -> AppResult<RuleView> {
        principal.role().require(Role::Supervisor)?;
        Ok(rule_view(
            repo::rule(&self.db, principal.scope(), id).await?,
        ))
    }

    /// Creates (`id` None) or replaces a rule.
    pub async fn save_routing_rule(
        &self,
        principal: &Principal,
        id: Option<i64>,
        input: RuleInput,
    ) -> AppResult<RuleView> {
        principal.role().require_admin()?;
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let mut errors = FieldErrors::new();
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            errors.add("name", format!("must be 1–{MAX_NAME} characters"));
        }
        if input
            .position
            .is_some_and(|p| !(0..=1_000_000).contains(&p))
        {
            errors.add("position", "must be 0–1000000");
        }
        let cond = match Condition::parse(&input.conditions, &ROUTING_FIELDS, "conditions") {
            Ok(c) => Some(c),
            Err(e) => {
                for fe in e.into_vec() {
                    errors.add(fe.field, fe.message);
                }
                None
            }
        };
        let route = self
            .check_route(&mut tx, scope, &input.route, "route", &mut errors)
            .await?;
        errors.finish()?;
        let conditions = cond.map(|c| c.to_json()).unwrap_or_default();
        let route = serde_json::to_value(&route).map_err(|e| AppError::Internal(e.to_string()))?;
        let new = NewRule {
            position: input.position,
            name,
            enabled: input.enabled,
            conditions: &conditions,
            route: &route,
        };
        let (row, change) = match id {
            None => (
                repo::insert_rule(&mut tx, scope, new, now).await?,
                "created",
            ),
            Some(id) => (
                repo::update_rule(&mut tx, scope, id, new, now).await?,
                "updated",
            ),
        };
        let e = DomainEvent::RoutingRuleChanged {
            rule_id: row.id,
            change: change.into(),
        };
        events::append(&mut tx, scope, Some(principal.user_id()), &e, now).await?;
        tx.commit().await?;
        Ok(rule_view(row))
    }

    pub async fn delete_routing_rule(&self, principal: &Principal, id: i64) -> AppResult<()> {
        principal.role().require_admin()?;
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        repo::delete_rule(&mut tx, scope, id).await?;
        let e = DomainEvent::RoutingRuleChanged {
            rule_id: id,
            change: "deleted".into(),
        };
        events::append(&mut tx, scope, Some(principal.user_id()), &e, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refuses to delete a team that rules, the default route or another team's overflow point
    /// at, naming them. Called inside the deleting transaction.
    pub(crate) async fn check_team_unreferenced(
        &self,
        tx: &mut Tx,
        scope: Scope,
        team: i64,
    ) -> AppResult<()> {
        let mut users_of = Vec::new();
        for r in repo::rules_in(tx, scope).await? {
            let route: Option<Route> = serde_json::from_value(r.route.0).ok();
            if route.is_some_and(|rt| rt.teams.contains(&team)) {
                users_of.push(format!("rule {} \"{}\"", r.id, r.name));
            }
        }
        let s = settings_from(repo::settings_in(tx, scope).await?);
        if s.default_route.teams.contains(&team) {
            users_of.push("the default route".into());
        }
        for t in repo::teams_overflowing_to(tx, scope, team).await? {
            users_of.push(format!("team {t}'s overflow"));
        }
        if users_of.is_empty() {
            repo::delete_team_routing(tx, scope, team).await?;
            Ok(())
        } else {
            Err(AppError::InUse {
                field: "id".into(),
                message: format!("the team is used by {}", users_of.join(", ")),
            })
        }
    }

    pub async fn team_routing(
        &self,
        principal: &Principal,
        team: TeamId,
    ) -> AppResult<repo::TeamRouting> {
        teams::get(&self.db, principal.scope(), team).await?;
        Ok(repo::team_routing(&self.db, principal.scope())
            .await?
            .into_iter()
            .find(|t| t.team_id == team.0)
            .unwrap_or(repo::TeamRouting {
                team_id: team.0,
                default_capacity: None,
                overflow_after_secs: None,
                overflow_team_id: None,
            }))
    }

    pub async fn set_team_routing(
        &self,
        principal: &Principal,
        team: TeamId,
        input: TeamRoutingInput,
    ) -> AppResult<repo::TeamRouting> {
        principal.role().require_admin()?;
        let scope = principal.scope();
        let mut tx = self.db.begin().await?;
        if !teams::exists_in(&mut tx, scope, team).await? {
            return Err(AppError::NotFound);
        }
        let mut errors = FieldErrors::new();
        if input
            .default_capacity
            .is_some_and(|c| !(1..=1000).contains(&c))
        {
            errors.add("default_capacity", "must be 1–1000");
        }
        if input
            .overflow_after_secs
            .is_some_and(|c| !(1..=86_400).contains(&c))
        {
            errors.add("overflow_after_secs", "must be 1–86400 seconds");
        }
        if let Some(o) = input.overflow_team_id {
            if o == team.0 {
                errors.add("overflow_team_id", "must be another team");
            } else if !teams::exists_in(&mut tx, scope, TeamId(o)).await? {
                errors.add("overflow_team_id", "no such team");
            }
        }
        if input.overflow_after_secs.is_some() != input.overflow_team_id.is_some() {
            errors.add(
                "overflow_team_id",
                "overflow needs both overflow_after_secs and overflow_team_id",
            );
        }
        errors.finish()?;
        let t = repo::TeamRouting {
            team_id: team.0,
            default_capacity: input.default_capacity,
            overflow_after_secs: input.overflow_after_secs,
            overflow_team_id: input.overflow_team_id,
        };
        repo::put_team_routing(&mut tx, scope, &t).await?;
        crate::audit::setting_changed(
            &mut tx,
            principal,
            yingke_core::SettingArea::TeamRouting,
            yingke_core::SettingAction::Updated,
            Some(team.0),
            None,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        self.drain_logged(scope).await;
        Ok(t)
    }

    // ---- agents ----

    pub async fn list_agents(&self, principal: &Principal) -> AppResult<Vec<AgentView>> {
        let scope = principal.scope();
        let settings = settings_from(repo::settings(&self.db, scope).await?);
        let rows = repo::agents(&self.db, scope).await?;
        let members = repo::memberships(&self.db, scope).await?;
        let loads = repo::loads(&self.db, scope).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let a = agent_from(&r, &members, &loads, &settings);
                AgentView {
                    user_id: r.user_id,
                    status: a.status,
                    capacity: r.capacity,
                    effective_capacity: a.capacity,
                    load: a.load,
                    teams: a.teams,
                    skills: a.skills,
                    status_changed_at: r.status_changed_at,
                    last_assigned_at: r.last_assigned_at,
                }
            })
            .collect())
    }

    /// Changes an agent's state: their own status by themselves or a supervisor; capacity and
    /// skills by an admin. Capacity freed or an agent coming online drains the queue at once.
    pub async fn update_agent(
        &self,
        principal: &Principal,
        user: UserId,
        input: AgentInput,
    ) -> AppResult<AgentView> {
        let scope = principal.scope();
        let own = user == principal.user_id();
        if input.capacity.is_some() || input.skills.is_some() {
            principal.role().require_admin()?;
        } else if !own {
            principal.role().require(Role::Supervisor)?;
        }
        let mut errors = FieldErrors::new();
        let status = match &input.status {
            None => None,
            Some(s) => match AgentStatus::parse(s) {
                Some(s) => Some(s),
                None => {
                    errors.add("status", "must be one of: online, busy, away, offline");
                    None
                }
            },
        };
        if let Some(Some(c)) = input.capacity
            && !(1..=1000).contains(&c)
        {
            errors.add("capacity", "must be 1–1000, or null for the team default");
        }
        let skills = input.skills.as_ref().map(|m| {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                if !is_skill(k) {
                    errors.add(format!("skills.{k}"), "skill names are 1–50 characters");
                } else if !(1..=5).contains(v) {
                    errors.add(format!("skills.{k}"), "proficiency must be 1–5");
                } else {
                    out.insert(k.trim().to_owned(), json!(v));
                }
            }
            Value::Object(out)
        });
        if input.skills.as_ref().is_some_and(|m| m.len() > 50) {
            errors.add("skills", "at most 50 skills");
        }
        errors.finish()?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let u = users::get_in(&mut tx, scope, user).await?;
        if !u.active {
            return Err(AppError::Refused {
                field: "user_id".into(),
                message: "the user is deactivated".into(),
            });
        }
        repo::patch_agent(
            &mut tx,
            scope,
            user.0,
            AgentPatch {
                status: status.map(AgentStatus::as_str),
                capacity: input.capacity,
                skills: skills.as_ref(),
                active: own,
                ..Default::default()
            },
            now,
        )
        .await?;
        let st = status.map_or("unchanged", AgentStatus::as_str);
        let e = DomainEvent::AgentStateChanged {
            user_id: user.0,
            status: st.into(),
        };
        events::append(&mut tx, scope, Some(principal.user_id()), &e, now).await?;
        if input.capacity.is_some() || input.skills.is_some() {
            crate::audit::setting_changed(
                &mut tx,
                principal,
                yingke_core::SettingArea::AgentRouting,
                yingke_core::SettingAction::Updated,
                Some(user.0),
                None,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        if let Some(s) = status {
            self.live.publish(
                scope.account(),
                Live::Presence {
                    user_id: user.0,
                    status: s.as_str().into(),
                },
            );
        }
        self.drain_logged(scope).await;
        self.list_agents(principal)
            .await?
            .into_iter()
            .find(|a| a.user_id == user.0)
            .ok_or(AppError::NotFound)
    }

    /// Marks an agent active (a reply, a socket message): keeps auto-away off.
    pub(crate) async fn touch_agent(&self, tx: &mut Tx, scope: Scope, user: i64) -> AppResult<()> {
        repo::patch_agent(
            tx,
            scope,
            user,
            AgentPatch {
                active: true,
                ..Default::default()
            },
            self.now(),
        )
        .await?;
        Ok(())
    }

    /// Updates an agent's decayed performance record for the conversation's tags (and `_all`).
    pub(crate) async fn record_perf(
        &self,
        tx: &mut Tx,
        scope: Scope,
        agent: i64,
        conversation: i64,
        update: impl Fn(&mut core::Perf, i64),
    ) -> AppResult<()> {
        let now = self.now();
        let mut perf: BTreeMap<String, core::Perf> = repo::agent_perf_in(tx, scope, agent)
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let mut keys = repo::conversation_tags_in(tx, scope, conversation).await?;
        keys.push("_all".into());
        for k in keys {
            update(perf.entry(k).or_default(), now);
        }
        let v = serde_json::to_value(&perf).map_err(|e| AppError::Internal(e.to_string()))?;
        repo::patch_agent(
            tx,
            scope,
            agent,
            AgentPatch {
                perf: Some(&v),
                ..Default::default()
            },
            now,
        )
        .await?;
        Ok(())
    }

    // ---- the state a decision reads ----

    /// The account's routing state, read inside a step's transaction.
    async fn context_in(&self, tx: &mut Tx, scope: Scope) -> AppResult<Ctx> {
        Ok(Ctx::from_parts(
            repo::settings_in(tx, scope).await?,
            repo::rules_in(tx, scope).await?,
            &repo::agents_in(tx, scope).await?,
            &repo::memberships_in(tx, scope).await?,
            &repo::loads_in(tx, scope).await?,
        ))
    }

    /// The same state for reading only (simulate), without taking the writer.
    async fn context(&self, scope: Scope) -> AppResult<Ctx> {
        Ok(Ctx::from_parts(
            repo::settings(&self.db, scope).await?,
            repo::rules(&self.db, scope).await?,
            &repo::agents(&self.db, scope).await?,
            &repo::memberships(&self.db, scope).await?,
            &repo::loads(&self.db, scope).await?,
        ))
    }

    /// What the rules read about a conversation that does not need the account's lock:
    /// fetched before the decision (for new conversations, concurrently in each visitor's task).
    pub(crate) async fn prefetch(
        &self,
        scope: Scope,
        conversation_id: i64,
        contact_id: Option<i64>,
    ) -> AppResult<Prefetch> {
        let first_text = repo::first_text(&self.db, scope, conversation_id).await?;
        let contact = match contact_id {
            Some(cid) => Some(yingke_store::contacts::get(&self.db, scope, cid).await?),
            None => None,
        };
        let facts = match &contact {
            Some(c) => repo::contact_facts(&self.db, scope, c.id, conversation_id).await?,
            None => repo::ContactFacts::default(),
        };
        Ok(Prefetch::new(first_text, contact, facts))
    }

    // ---- routing steps ----

    /// Routes a conversation that has not been routed yet (`New`, `Retry`) or sends one back to
    /// routing (`NoReply`, excluding the assignee). Returns the stored decision's id, or `None`
    /// when there was nothing to do (already routed, closed, replied meanwhile).
    pub async fn route_conversation(
        &self,
        scope: Scope,
        id: i64,
        reason: Reason,
    ) -> AppResult<Option<i64>> {
        // Read the lock-free facts first: a pool read while the step's transaction holds a
        // connection could wait for a connection that never frees up.
        let conv = convs::get(&self.db, scope, id).await?;
        let pre = self.prefetch(scope, id, Some(conv.contact_id)).await?;
        let mut out = self
            .route_batch(scope, vec![(id, reason, Some(pre))])
            .await?;
        Ok(out.pop().flatten())
    }

    /// A routing step's transaction: on a connection of its own (`Db::begin_priority`), holding
    /// the account's routing lock across instances.
    async fn step_tx(&self, scope: Scope) -> AppResult<Tx> {
        let mut tx = self.db.begin_priority().await?;
        repo::lock_account(&mut tx, scope).await?;
        Ok(tx)
    }

    /// Routes several conversations of one account in one transaction: the account's state is
    /// read once and updated in memory between decisions, the decisions are written together,
    /// and one commit makes them all durable (group commit). Answers each conversation's
    /// decision id, in order.
    pub(crate) async fn route_batch(
        &self,
        scope: Scope,
        jobs: Vec<(i64, Reason, Option<Prefetch>)>,
    ) -> AppResult<Vec<Option<i64>>> {
        let lock = self.routing_lock(scope.account());
        let _g = lock.lock().await;
        let now = self.now();
        let mut tx = self.step_tx(scope).await?;
        let mut ctx = self.context_in(&mut tx, scope).await?;
        let ids: Vec<i64> = jobs.iter().map(|j| j.0).collect();
        let mut rows: HashMap<i64, RoutingRow> = repo::conversations_in(&mut tx, scope, &ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut planned = Vec::with_capacity(jobs.len());
        // For each job, its decision's place in `planned`.
        let mut slots = Vec::with_capacity(jobs.len());
        let mut seen = std::collections::HashSet::with_capacity(jobs.len());
        for (id, reason, pre) in jobs {
            let started = Instant::now();
            // A conversation twice in one batch is decided once; one that is not the account's
            // fails the batch (the batcher then decides its conversations one by one).
            let Some(row) = rows.remove(&id) else {
                if seen.contains(&id) {
                    slots.push(None);
                    continue;
                }
                return Err(AppError::NotFound);
            };
            seen.insert(id);
            let p = self
                .plan(scope, &mut ctx, row, reason, pre, started, now)
                .await?;
            slots.push(p.is_some().then_some(planned.len()));
            planned.extend(p);
        }
        let mut events = Vec::with_capacity(planned.len() * 3);
        let written = self
            .write_planned(&mut tx, scope, &ctx.agents, &planned, now, &mut events)
            .await?;
        let mut decided = Vec::with_capacity(planned.len());
        let mut assigned = Vec::new();
        for (p, (decision_id, mut conv)) in planned.iter().zip(written) {
            let mut notice = None;
            if matches!(p.d.pick.outcome, Outcome::Queued { .. })
                && p.reason == Reason::New
                && let Some(text) = &p.d.route.offline_notice
            {
                let (after, m) = convs::append_message_to(
                    &mut tx,
                    scope,
                    p.row.id,
                    NewMessage {
                        sender_kind: "system",
                        sender_id: None,
                        kind: "text",
                        body: text,
                        attachment: None,
                        client_id: None,
                    },
                    now,
                )
                .await?;
                events.push(message_event(&m));
                conv = after;
                notice = Some(m);
            }
            if let Outcome::Assigned { agent_id } = p.d.pick.outcome {
                assigned.push(agent_id);
            }
            decided.push((decision_id, conv, notice));
        }
        events::append_many(&mut tx, scope, None, &events, now).await?;
        patch_assigned(&mut tx, scope, assigned, now).await?;
        tx.commit().await?;
        let queued = planned
            .iter()
            .any(|p| matches!(p.d.pick.outcome, Outcome::Queued { .. }));
        let mut ids = Vec::with_capacity(decided.len());
        for (p, (decision_id, conv, notice)) in planned.iter().zip(decided) {
            p.record_metrics();
            self.publish_conversation(&conv, "assigned");
            if let Some(m) = notice {
                self.publish_message(
                    &conv,
                    &crate::conversations::MessageView {
                        message: m,
                        sender_name: String::new(),
                    },
                );
            }
            ids.push(decision_id);
        }
        if queued {
            self.publish_queue(scope);
        }
        Ok(slots.into_iter().map(|s| s.map(|i| ids[i])).collect())
    }

    /// One routing decision, made in memory; `ctx.agents` is updated with the assignment so the
    /// next decision of the step sees it. `None` when there is nothing to do (already routed,
    /// closed, replied meanwhile).
    #[allow(clippy::too_many_arguments)]
    async fn plan(
        &self,
        scope: Scope,
        ctx: &mut Ctx,
        row: RoutingRow,
        reason: Reason,
        pre: Option<Prefetch>,
        started: Instant,
        now: i64,
    ) -> AppResult<Option<Planned>> {
        if !matches!(row.status.as_str(), "open" | "pending") {
            return Ok(None);
        }
        let mut exclude = Vec::new();
        let mut note = None;
        match reason {
            Reason::New | Reason::Retry if row.routed_at.is_some() => return Ok(None),
            Reason::NoReply => {
                let Some(after) = ctx.settings.reassign_after_secs else {
                    return Ok(None);
                };
                let (Some(agent), Some(at)) = (row.assignee_id, row.assigned_at) else {
                    return Ok(None);
                };
                if row.agent_replied_at.is_some_and(|r| r >= at) || now - at < after * 1000 {
                    return Ok(None);
                }
                exclude.push(agent);
                note = Some(format!(
                    "agent {agent} did not reply within {after} s of assignment"
                ));
            }
            _ => {}
        }
        let pre = match pre {
            Some(p) => p,
            None => self.prefetch(scope, row.id, Some(row.contact_id)).await?,
        };
        let facts = facts_from(ctx, &row.source.0, &pre, now);
        if let Some(old) = row.assignee_id {
            // The conversation leaves its assignee: it no longer counts against them.
            if let Some(a) = ctx.agents.iter_mut().find(|a| a.id == old) {
                a.load = a.load.saturating_sub(1);
            }
        }
        let req = Request {
            conversation_id: row.id,
            priority: row.priority,
            tags: vec![],
            facts,
            last_agent: pre.last_agent,
            exclude,
        };
        let d = core::decide(&req, &ctx.rules, &ctx.core, &ctx.agents);
        if let Outcome::Assigned { agent_id } = d.pick.outcome {
            core::assign(&mut ctx.agents, agent_id, now);
        }
        let priority = d.route.priority.unwrap_or(row.priority).max(row.priority);
        Ok(Some(Planned::new(row, d, reason, note, priority, started)))
    }

    /// Writes a step's decisions — their effect on the conversations and their traces — in one
    /// statement where the store can; their events go to `events`, which the step appends in one
    /// statement before it commits. Answers (decision id, conversation) in `planned`'s order.
    async fn write_planned(
        &self,
        tx: &mut Tx,
        scope: Scope,
        agents: &[Agent],
        planned: &[Planned],
        now: i64,
        events: &mut Vec<DomainEvent>,
    ) -> AppResult<Vec<(i64, Conversation)>> {
        let json = |v: serde_json::Result<Value>| v.map_err(|e| AppError::Internal(e.to_string()));
        let mut routes = Vec::with_capacity(planned.len());
        let mut traces = Vec::with_capacity(planned.len());
        for p in planned {
            routes.push(json(serde_json::to_value(&p.d.route))?);
            let mut trace = json(serde_json::to_value(&p.d))?;
            if let (Value::Object(m), Some(n)) = (&mut trace, &p.note) {
                m.insert("note".into(), n.clone().into());
            }
            traces.push(trace);
        }
        let mut items = Vec::with_capacity(planned.len());
        let mut shapes = Vec::with_capacity(planned.len());
        for ((p, route), trace) in planned.iter().zip(&routes).zip(&traces) {
            let (outcome, agent, team, placement) = match p.d.pick.outcome {
                Outcome::Assigned { agent_id } => {
                    let team = team_for(&p.d.route, agents, agent_id);
                    let pl = Placement::Assigned {
                        agent: agent_id,
                        team,
                        route,
                    };
                    ("assigned", Some(agent_id), team, pl)
                }
                Outcome::Queued { team_id } => {
                    let pl = Placement::Queued {
                        team: team_id,
                        route,
                    };
                    ("queued", None, team_id, pl)
                }
            };
            items.push(repo::Placed {
                placement,
                priority: p.priority,
                decision: NewDecision {
                    conversation_id: p.row.id,
                    reason: p.reason.as_str(),
                    outcome,
                    agent_id: agent,
                    team_id: team,
                    rule_id: p.d.route.rule_id,
                    trace,
                    duration_us: p.duration_us,
                },
            });
            shapes.push((outcome, agent, team));
        }
        let written = repo::place_and_record_many(tx, scope, items, now).await?;
        let mut out = Vec::with_capacity(planned.len());
        for ((p, (outcome, agent, team)), (conv, decision_id)) in
            planned.iter().zip(shapes).zip(written)
        {
            let id = p.row.id;
            if agent.is_some() || p.row.assignee_id.is_some() {
                events.push(DomainEvent::ConversationAssigned {
                    conversation_id: id,
                    assignee_id: agent.map(UserId),
                    team_id: team.map(TeamId),
                });
            }
            for tag in &p.d.route.tags {
                if convs::set_tag(tx, scope, id, tag, true).await? {
                    events.push(DomainEvent::ConversationTagged {
                        conversation_id: id,
                        tag: tag.clone(),
                        added: true,
                    });
                }
            }
            events.push(DomainEvent::ConversationRouted {
                conversation_id: id,
                decision_id,
                reason: p.reason.as_str().into(),
                outcome: outcome.into(),
                agent_id: agent,
                team_id: team,
            });
            out.push((decision_id, conv));
        }
        Ok(out)
    }

    /// Offers queued conversations to agents with room, highest priority first, then by
    /// arrival. Returns how many were assigned.
    pub async fn drain_queue(&self, scope: Scope) -> AppResult<usize> {
        let lock = self.routing_lock(scope.account());
        let _g = lock.lock().await;
        let started = Instant::now();
        let now = self.now();
        let mut tx = self.step_tx(scope).await?;
        let rows = repo::queued_in(&mut tx, scope).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut ctx = self.context_in(&mut tx, scope).await?;
        let mut queued: Vec<Queued> = rows
            .iter()
            .map(|r| Queued {
                request: Request {
                    conversation_id: r.id,
                    priority: r.priority,
                    tags: vec![],
                    facts: Facts::new(now),
                    last_agent: None,
                    exclude: vec![],
                },
                route: r
                    .route
                    .as_ref()
                    .and_then(|v| serde_json::from_value(v.0.clone()).ok())
                    .unwrap_or_else(|| ctx.settings.default_route.clone()),
                queued_ms: r.queued_at.unwrap_or(r.created_at),
            })
            .collect();
        let served = core::drain(&mut queued, &ctx.core, &mut ctx.agents, now);
        let mut planned = Vec::with_capacity(served.len());
        for (id, pick) in served {
            let Some(row) = rows.iter().find(|r| r.id == id) else {
                continue;
            };
            let route = queued
                .iter()
                .find(|q| q.request.conversation_id == id)
                .map(|q| q.route.clone())
                .unwrap_or_else(|| ctx.settings.default_route.clone());
            let d = Decision {
                rules: vec![],
                route,
                pick,
            };
            let note = Some(format!(
                "waited {} s in the queue",
                (now - row.queued_at.unwrap_or(now)) / 1000
            ));
            let priority = row.priority;
            planned.push(Planned::new(
                row.clone(),
                d,
                Reason::Queue,
                note,
                priority,
                started,
            ));
        }
        self.finish_moves(tx, scope, &ctx.agents, &planned, now)
            .await
    }

    /// Ends a queue step: writes its decisions, records the agents' assignments, commits, and
    /// tells agents and the waiting visitors. Answers how many conversations moved.
    async fn finish_moves(
        &self,
        mut tx: Tx,
        scope: Scope,
        agents: &[Agent],
        planned: &[Planned],
        now: i64,
    ) -> AppResult<usize> {
        let mut events = Vec::with_capacity(planned.len() * 2);
        let written = self
            .write_planned(&mut tx, scope, agents, planned, now, &mut events)
            .await?;
        events::append_many(&mut tx, scope, None, &events, now).await?;
        let assigned = planned
            .iter()
            .filter_map(|p| match p.d.pick.outcome {
                Outcome::Assigned { agent_id } => Some(agent_id),
                Outcome::Queued { .. } => None,
            })
            .collect();
        patch_assigned(&mut tx, scope, assigned, now).await?;
        tx.commit().await?;
        for p in planned {
            p.record_metrics();
        }
        for (_, c) in &written {
            self.publish_conversation(c, "assigned");
        }
        if !written.is_empty() {
            self.publish_queue(scope);
        }
        Ok(written.len())
    }

    /// Drains after something freed capacity; a failure is logged (the sweep retries).
    pub(crate) async fn drain_logged(&self, scope: Scope) {
        if let Err(e) = self.drain_queue(scope).await {
            tracing::warn!(account = scope.account().0, error = %e, "queue drain failed");
        }
    }

    /// Moves queued conversations that waited longer than their team's overflow delay to the
    /// overflow team.
    async fn overflow(&self, scope: Scope) -> AppResult<usize> {
        let lock = self.routing_lock(scope.account());
        let _g = lock.lock().await;
        let started = Instant::now();
        let now = self.now();
        let teams_cfg = repo::team_routing(&self.db, scope).await?;
        if teams_cfg.iter().all(|t| t.overflow_team_id.is_none()) {
            return Ok(0);
        }
        let mut tx = self.step_tx(scope).await?;
        let rows = repo::queued_in(&mut tx, scope).await?;
        let mut ctx = self.context_in(&mut tx, scope).await?;
        let mut planned = Vec::new();
        for row in &rows {
            let Some(mut route) = row
                .route
                .as_ref()
                .and_then(|v| serde_json::from_value::<Route>(v.0.clone()).ok())
            else {
                continue;
            };
            let Some(team) = route.teams.first().copied() else {
                continue;
            };
            let Some(cfg) = teams_cfg.iter().find(|t| t.team_id == team) else {
                continue;
            };
            let (Some(after), Some(to)) = (cfg.overflow_after_secs, cfg.overflow_team_id) else {
                continue;
            };
            let waited = now - row.queued_at.unwrap_or(now);
            if waited < after * 1000 || route.teams == [to] {
                continue;
            }
            route.teams = vec![to];
            let req = Request {
                conversation_id: row.id,
                priority: row.priority,
                tags: vec![],
                facts: Facts::new(now),
                last_agent: None,
                exclude: vec![],
            };
            let pick: Pick = core::pick(&route, &req, &ctx.core, &ctx.agents);
            if let Outcome::Assigned { agent_id } = pick.outcome {
                core::assign(&mut ctx.agents, agent_id, now);
            }
            let d = Decision {
                rules: vec![],
                route,
                pick,
            };
            let note = Some(format!(
                "waited {} s in team {team} (overflow after {after} s) → team {to}",
                waited / 1000
            ));
            let priority = row.priority;
            planned.push(Planned::new(
                row.clone(),
                d,
                Reason::Overflow,
                note,
                priority,
                started,
            ));
        }
        self.finish_moves(tx, scope, &ctx.agents, &planned, now)
            .await
    }

    /// One pass of the background work: conversations whose first routing did not happen,
    /// overflow and queue drains, reassignment of unanswered conversations, and auto-away.
    /// The server runs it every second; tests call it after moving the clock.
    pub async fn routing_tick(&self) -> AppResult<()> {
        let now = self.now();
        for (account, id) in repo::unrouted_before(&self.db, now - RETRY_AFTER_MS).await? {
            self.route_conversation(Scope::new(account), id, Reason::Retry)
                .await?;
        }
        for account in repo::accounts_with_queue(&self.db).await? {
            let scope = Scope::new(account);
            self.overflow(scope).await?;
            self.drain_queue(scope).await?;
        }
        let all: HashMap<AccountId, RoutingSettings> = repo::all_settings(&self.db)
            .await?
            .into_iter()
            .map(|(a, v)| (a, settings_from(Some(v))))
            .collect();
        for (account, s) in &all {
            let scope = Scope::new(*account);
            if let Some(after) = s.reassign_after_secs {
                for id in repo::unanswered(&self.db, scope, now - after * 1000).await? {
                    self.route_conversation(scope, id, Reason::NoReply).await?;
                }
            }
        }
        self.auto_away(now, &all).await
    }

    async fn auto_away(
        &self,
        now: i64,
        all: &HashMap<AccountId, RoutingSettings>,
    ) -> AppResult<()> {
        let defaults = RoutingSettings::default().away_after_secs;
        let shortest = all
            .values()
            .filter_map(|s| s.away_after_secs)
            .chain(defaults)
            .min();
        let Some(shortest) = shortest else {
            return Ok(());
        };
        for (account, user, active_at) in repo::idle_online(&self.db, now - shortest * 1000).await?
        {
            let after = all.get(&account).map_or(defaults, |s| s.away_after_secs);
            if after.is_none_or(|a| now - active_at < a * 1000) {
                continue;
            }
            let scope = Scope::new(account);
            let mut tx = self.db.begin().await?;
            repo::patch_agent(
                &mut tx,
                scope,
                user,
                AgentPatch {
                    status: Some("away"),
                    ..Default::default()
                },
                now,
            )
            .await?;
            let e = DomainEvent::AgentStateChanged {
                user_id: user,
                status: "away".into(),
            };
            events::append(&mut tx, scope, None, &e, now).await?;
            tx.commit().await?;
            self.live.publish(
                account,
                Live::Presence {
                    user_id: user,
                    status: "away".into(),
                },
            );
        }
        Ok(())
    }

    // ---- reading decisions ----

    pub async fn conversation_routing(
        &self,
        principal: &Principal,
        id: i64,
    ) -> AppResult<Vec<DecisionView>> {
        self.get_conversation(principal, id).await?;
        Ok(repo::decisions(&self.db, principal.scope(), id)
            .await?
            .into_iter()
            .map(|d| DecisionView {
                id: d.id,
                reason: d.reason,
                outcome: d.outcome,
                agent_id: d.agent_id,
                team_id: d.team_id,
                rule_id: d.rule_id,
                duration_us: d.duration_us,
                decided_at: d.decided_at,
                trace: d.trace.0,
            })
            .collect())
    }

    /// Who would get a conversation with these facts now, and why — nothing is written.
    pub async fn simulate_routing(
        &self,
        principal: &Principal,
        input: SimulateInput,
    ) -> AppResult<(Value, Decision)> {
        principal.role().require(Role::Supervisor)?;
        let scope = principal.scope();
        let mut errors = FieldErrors::new();
        let Some(obj) = input.facts.as_object() else {
            return Err(FieldErrors::single("facts", "must be an object of field → value").into());
        };
        for (k, v) in obj {
            if ROUTING_FIELDS.kind_of(k).is_none() {
                errors.add(format!("facts.{k}"), "unknown field");
            } else if !(v.is_string() || v.is_number() || v.is_boolean() || v.is_array()) {
                errors.add(
                    format!("facts.{k}"),
                    "must be text, a number, a boolean or a list",
                );
            }
        }
        let priority = match &input.priority {
            None => 1,
            Some(p) => errors.check("priority", parse_priority(p)).unwrap_or(1),
        };
        errors.finish()?;
        let now = self.now();
        let ctx = self.context(scope).await?;
        // Reads the contact too: another account's contact is a 404.
        let pre = self.prefetch(scope, 0, input.contact_id).await?;
        let mut facts = facts_from(&ctx, &json!({}), &pre, now);
        for (k, v) in obj {
            let fact = if k == "contact.last_active_at" {
                v.as_i64().map(Fact::Timestamp)
            } else if k == "time.local" {
                v.as_str().and_then(|s| {
                    let (h, m) = s.split_once(':')?;
                    Some(Fact::Clock(
                        h.parse::<u16>().ok()? * 60 + m.parse::<u16>().ok()?,
                    ))
                })
            } else {
                Fact::from_json(v)
            };
            if let Some(f) = fact {
                facts.set(k.clone(), f);
            }
        }
        let last_agent = pre.last_agent;
        let req = Request {
            conversation_id: 0,
            priority,
            tags: input.tags,
            facts,
            last_agent,
            exclude: vec![],
        };
        let d = core::decide(&req, &ctx.rules, &ctx.core, &ctx.agents);
        Ok((req.facts.to_json(), d))
    }

    /// The account's queue in service order, with estimated waits.
    pub async fn routing_queue(&self, principal: &Principal) -> AppResult<Vec<QueueEntry>> {
        Ok(self
            .queue_entries(principal.scope())
            .await?
            .into_iter()
            .map(|(e, _)| e)
            .collect())
    }

    /// Tells waiting visitors their new place and estimated wait after the queue moved.
    /// Requests within `QUEUE_NOTICE_DELAY` are coalesced into one pass that reads the queue
    /// once and notifies only the conversations whose position changed.
    fn publish_queue(&self, scope: Scope) {
        let account = scope.account();
        let first = lock(&self.queue_notices.pending).insert(account);
        if !first {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(QUEUE_NOTICE_DELAY).await;
            lock(&app.queue_notices.pending).remove(&account);
            match app.queue_entries(scope).await {
                Ok(entries) => app.send_queue_positions(account, entries),
                Err(e) => tracing::warn!(error = %e, "reading the queue failed"),
            }
        });
    }

    fn send_queue_positions(&self, account: AccountId, entries: Vec<(QueueEntry, i64)>) {
        let mut last = lock(&self.queue_notices.last);
        let before = last.remove(&account).unwrap_or_default();
        let mut now = HashMap::with_capacity(entries.len());
        for (e, contact_id) in entries {
            if before.get(&e.conversation_id) != Some(&e.position) {
                self.live.publish(
                    account,
                    Live::Queue {
                        conversation_id: e.conversation_id,
                        contact_id,
                        position: e.position,
                        estimated_wait_secs: e.estimated_wait_secs,
                    },
                );
            }
            now.insert(e.conversation_id, e.position);
        }
        last.insert(account, now);
    }

    /// A visitor's place in the queue, for a socket that (re)connects: (conversation, position,
    /// estimated wait).
    pub async fn visitor_queue_position(
        &self,
        v: &crate::widget::VisitorClaims,
    ) -> AppResult<Option<(i64, i64, Option<i64>)>> {
        let scope = v.scope();
        let Some((id, position)) = repo::queue_position(&self.db, scope, v.c).await? else {
            return Ok(None);
        };
        let pace = repo::recent_assignment_pace_ms(&self.db, scope, self.now()).await?;
        Ok(Some((id, position, pace.map(|ms| ms * position / 1000))))
    }

    /// Queue entries with each conversation's contact.
    async fn queue_entries(&self, scope: Scope) -> AppResult<Vec<(QueueEntry, i64)>> {
        let rows = repo::queued(&self.db, scope).await?;
        let pace = repo::recent_assignment_pace_ms(&self.db, scope, self.now()).await?;
        Ok(rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    QueueEntry {
                        conversation_id: r.id,
                        position: i + 1,
                        team_id: r.team_id.or_else(|| {
                            r.route
                                .as_ref()
                                .and_then(|v| v.0.get("teams")?.get(0)?.as_i64())
                        }),
                        priority: r.priority,
                        queued_at: r.queued_at.unwrap_or(r.created_at),
                        estimated_wait_secs: pace.map(|ms| (ms * (i as i64 + 1)) / 1000),
                    },
                    r.contact_id,
                )
            })
            .collect())
    }

    /// Routes a conversation right after the commit that created (or reopened) it, through
    /// the account's batcher, and waits for the decision. A failure is logged, not returned:
    /// the message was acknowledged, and the sweep retries.
    pub(crate) async fn route_new(&self, conv: &Conversation, known: Option<Prefetch>) {
        let scope = Scope::new(conv.account_id);
        // Facts that need no lock are read here, concurrently with other visitors' tasks.
        let pre = match known {
            Some(p) => Ok(p),
            None => self.prefetch(scope, conv.id, Some(conv.contact_id)).await,
        };
        let pre = match pre {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!(conversation = conv.id, error = %e, "routing prefetch failed");
                None
            }
        };
        let (done, wait) = tokio::sync::oneshot::channel();
        let sent = self
            .routing_jobs
            .sender(self, scope)
            .send((conv.id, pre, done));
        let result = match sent {
            Ok(()) => wait
                .await
                .unwrap_or_else(|_| Err(AppError::Internal("routing batcher stopped".into()))),
            Err(_) => self.route_conversation(scope, conv.id, Reason::New).await,
        };
        if let Err(e) = result {
            tracing::warn!(conversation = conv.id, error = %e, "routing failed; the sweep retries");
        }
    }
}

fn is_skill(s: &str) -> bool {
    let n = s.trim().chars().count();
    (1..=50).contains(&n)
}

fn agent_from(
    r: &repo::AgentRow,
    members: &[(i64, i64, Option<i64>)],
    loads: &[(i64, i64)],
    settings: &RoutingSettings,
) -> Agent {
    let teams: Vec<i64> = members
        .iter()
        .filter(|(_, u, _)| *u == r.user_id)
        .map(|(t, _, _)| *t)
        .collect();
    let team_default = members
        .iter()
        .filter(|(_, u, _)| *u == r.user_id)
        .filter_map(|(_, _, c)| *c)
        .max();
    let capacity = r
        .capacity
        .or(team_default)
        .unwrap_or(settings.default_capacity);
    let load = loads
        .iter()
        .find(|(a, _)| *a == r.user_id)
        .map_or(0, |(_, n)| *n);
    let skills = r
        .skills
        .as_ref()
        .and_then(|j| j.0.as_object())
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), u8::try_from(v.as_i64()?).ok()?)))
                .collect()
        })
        .unwrap_or_default();
    let perf = r
        .perf
        .as_ref()
        .and_then(|j| serde_json::from_value(j.0.clone()).ok())
        .unwrap_or_default();
    Agent {
        id: r.user_id,
        status: r
            .status
            .as_deref()
            .and_then(AgentStatus::parse)
            .unwrap_or(AgentStatus::Offline),
        capacity: u32::try_from(capacity).unwrap_or(1),
        load: u32::try_from(load).unwrap_or(u32::MAX),
        teams,
        skills,
        last_assigned_ms: r.last_assigned_at,
        active_ms: r.active_at.unwrap_or(0),
        perf,
    }
}

fn record_decision_metrics(reason: Reason, pick: &Pick, took: std::time::Duration) {
    let outcome = match pick.outcome {
        Outcome::Assigned { .. } => "assigned",
        Outcome::Queued { .. } => "queued",
    };
    let labels = [("reason", reason.as_str()), ("outcome", outcome)];
    metrics::histogram!("yingke_routing_decision_seconds", &labels).record(took.as_secs_f64());
    metrics::counter!("yingke_routing_decisions_total", &labels).increment(1);
}
