//! Notifications (N1–N8, DESIGN.md section 9).
//!
//! A ticket change that may interest someone schedules a `notify` timer in its own transaction,
//! so the trigger is as durable as the change (N6). When the timer fires, the matching rules are
//! evaluated against the ticket as it is then; for each recipient the policy decides (opt-out,
//! per-ticket cap, quiet period, consent, do-not-disturb hours), the template is rendered per
//! locale, customer kind, category and medium, contact details are masked, and one delivery
//! record per recipient and channel is written with an idempotency key — or, when a notice is not
//! sent, the reason goes on the ticket's timeline. [`App::dispatch_due`] sends the deliveries
//! outside any transaction through the [`Notifier`] port, records the provider's answer, retries
//! with backoff, re-sends a notice unconfirmed after the confirmation timeout, and fails over to
//! the next channel.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use yingke_core::{
    DomainEvent, FieldErrors, Role,
    condition::{Condition, TICKET_FIELDS},
    notice_template,
    notify::{self as policy, Engagement, Given, Medium, NoticeKind, Policy, Skip},
};
use yingke_store::{
    Json, Scope, Tx, accounts, contacts,
    notify::{self as repo, ChannelRow, Delivery, DeliveryFilter, RuleRow, TemplateRow},
    tickets as tickets_repo,
    timers::{self, NewTimer},
};

use crate::{
    App, AppError, AppResult, Principal,
    notifier::{Links, MailFile, Outgoing, SendError, Sent},
};

/// Timer kind: evaluate notification rules for ticket events.
pub const NOTIFY_TIMER: &str = "notify";
/// A delivery being sent is reclaimed after this long (the sender died mid-send).
pub const LEASE_MS: i64 = 30_000;
/// How long one provider call may take.
pub const SEND_TIMEOUT_MS: u64 = 15_000;
/// Deliveries handled per dispatcher round (in windows of `Settings::notify_send_window`).
const DISPATCH_BATCH: u32 = 64;
/// Signed customer links (ticket page, opt-out) stay valid this long.
pub const LINK_TTL_MS: i64 = 180 * 24 * 3_600_000;

/// Event kinds rules can trigger on.
pub const TRIGGERS: [&str; 7] = [
    "ticket_created",
    "ticket_status_changed",
    "ticket_marker_added",
    "ticket_sla_warning",
    "ticket_sla_breached",
    "ticket_resolved",
    "ticket_escalated",
];

/// Who receives a rule's notice.
pub const RECIPIENTS: [&str; 5] = [
    "customer",
    "assignee",
    "team",
    "supervisor",
    "collaborators",
];

/// A notification rule as stored and as the API takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub name: String,
    pub trigger: String,
    /// For `ticket_status_changed`: only moves into these state kinds (empty = any).
    #[serde(default)]
    pub to_kinds: Vec<String>,
    /// For SLA triggers: only these metrics (empty = any).
    #[serde(default)]
    pub metrics: Vec<String>,
    /// What the customer notice counts as under the per-ticket cap.
    pub notice_kind: NoticeKind,
    #[serde(default = "always")]
    pub conditions: Value,
    pub recipients: Vec<String>,
    /// IM group robots (channel ids) that also get the notice.
    #[serde(default)]
    pub group_channels: Vec<i64>,
    pub template: String,
    /// Preferred order. `in_app` always goes to the message centre; the others are tried in
    /// (learned) order, the later ones as backups — or all at once when `important`.
    pub media: Vec<Medium>,
    #[serde(default)]
    pub important: bool,
    /// E-mails to the customer carry the files of the agent's latest reply on the ticket that no
    /// earlier e-mail on it carried ([`MAIL_FILES_MAX_BYTES`] in all; the text names the rest).
    #[serde(default)]
    pub attach_files: bool,
}

/// The most an e-mail notice attaches, in bytes; files beyond it are named, not attached.
pub const MAIL_FILES_MAX_BYTES: i64 = 10 * 1024 * 1024;

/// The condition that always holds, as JSON (serde default of rule conditions).
pub(crate) fn always() -> Value {
    json!({"all": []})
}

impl RuleSpec {
    pub fn validate(&self) -> Result<Condition, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            e.add("name", "must be 1 to 100 characters");
        }
        if !TRIGGERS.contains(&self.trigger.as_str()) {
            e.add("trigger", format!("must be one of {}", TRIGGERS.join(", ")));
        }
        for (i, k) in self.to_kinds.iter().enumerate() {
            if !["new", "open", "pending", "resolved", "closed"].contains(&k.as_str()) {
                e.add(
                    format!("to_kinds[{i}]"),
                    "must be new, open, pending, resolved or closed",
                );
            }
        }
        for (i, m) in self.metrics.iter().enumerate() {
            if yingke_core::sla::Metric::parse(m).is_none() {
                e.add(
                    format!("metrics[{i}]"),
                    "must be first_response, next_response or resolution",
                );
            }
        }
        if self.recipients.is_empty() && self.group_channels.is_empty() {
            e.add(
                "recipients",
                "must name at least one recipient or group channel",
            );
        }
        for (i, r) in self.recipients.iter().enumerate() {
            if !RECIPIENTS.contains(&r.as_str()) {
                e.add(
                    format!("recipients[{i}]"),
                    format!("must be one of {}", RECIPIENTS.join(", ")),
                );
            }
        }
        if self.media.is_empty() {
            e.add("media", "must list at least one medium");
        }
        if self.media.contains(&Medium::Push) {
            e.add("media", "push is set by each agent in their preferences");
        }
        if !valid_key(&self.template) {
            e.add("template", "must be a template key (a-z, 0-9, _)");
        }
        let cond = match Condition::parse(&self.conditions, &TICKET_FIELDS, "conditions") {
            Ok(c) => Some(c),
            Err(errs) => {
                for f in errs.into_vec() {
                    e.add(f.field, f.message);
                }
                None
            }
        };
        e.finish()?;
        Ok(cond.unwrap_or_else(Condition::always))
    }
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 60
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A rule with its id.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: i64,
    pub position: i32,
    pub active: bool,
    #[serde(flatten)]
    pub spec: RuleSpec,
    pub created_at: i64,
    pub updated_at: i64,
}

fn rule_of(r: RuleRow) -> AppResult<Rule> {
    let spec: RuleSpec = serde_json::from_value(r.spec.0)
        .map_err(|e| AppError::Internal(format!("stored notification rule {}: {e}", r.id)))?;
    Ok(Rule {
        id: r.id,
        position: r.position,
        active: r.active,
        spec,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

// ---- channels -------------------------------------------------------------------------------

/// A provider kind: its medium, the configuration keys it needs and the secrets it needs.
pub struct ChannelKind {
    pub kind: &'static str,
    pub medium: Medium,
    pub config: &'static [&'static str],
    pub secrets: &'static [&'static str],
}

pub const CHANNEL_KINDS: [ChannelKind; 8] = [
    ChannelKind {
        kind: "smtp",
        medium: Medium::Email,
        config: &["host", "port", "security", "from_address"],
        secrets: &[],
    },
    ChannelKind {
        kind: "aliyun_sms",
        medium: Medium::Sms,
        config: &["sign_name", "template_code"],
        secrets: &["access_key_id", "access_key_secret"],
    },
    ChannelKind {
        kind: "tencent_sms",
        medium: Medium::Sms,
        config: &["sdk_app_id", "sign_name", "template_id"],
        secrets: &["secret_id", "secret_key"],
    },
    ChannelKind {
        kind: "http_sms",
        medium: Medium::Sms,
        config: &["url"],
        secrets: &[],
    },
    ChannelKind {
        kind: "wecom_robot",
        medium: Medium::Im,
        config: &[],
        secrets: &["key"],
    },
    ChannelKind {
        kind: "dingtalk_robot",
        medium: Medium::Im,
        config: &[],
        secrets: &["access_token", "secret"],
    },
    ChannelKind {
        kind: "feishu_bot",
        medium: Medium::Im,
        config: &[],
        secrets: &["hook_id", "secret"],
    },
    ChannelKind {
        kind: "wecom_app",
        medium: Medium::Im,
        config: &["corp_id", "agent_id"],
        secrets: &["corp_secret"],
    },
];

pub fn channel_kind(kind: &str) -> Option<&'static ChannelKind> {
    CHANNEL_KINDS.iter().find(|k| k.kind == kind)
}

/// Robots post to a group; they take no per-recipient address.
fn is_group_robot(kind: &str) -> bool {
    matches!(kind, "wecom_robot" | "dingtalk_robot" | "feishu_bot")
}

/// A channel as the API shows it: secrets masked, only which keys are set.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelView {
    pub id: i64,
    pub kind: String,
    pub medium: String,
    pub name: String,
    pub config: Value,
    /// Secret keys that are set, each shown as `••••` plus its last two characters.
    pub secrets: BTreeMap<String, String>,
    pub enabled: bool,
    pub position: i32,
    /// Where the provider posts delivery receipts.
    pub receipt_url: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A channel to create or change. `secrets` keys omitted on update keep their value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelInput {
    pub kind: Option<String>,
    pub name: String,
    #[serde(default)]
    pub config: serde_json::Map<String, Value>,
    #[serde(default)]
    pub secrets: serde_json::Map<String, Value>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub position: i32,
}

/// Serde default for flags that are on unless turned off.
pub(crate) fn yes() -> bool {
    true
}

/// A template variant as the API shows and takes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub key: String,
    /// `zh-CN`, `en`…
    pub locale: String,
    /// `any`, `individual` or `enterprise`.
    #[serde(default = "any")]
    pub audience: String,
    /// 0 = any category.
    #[serde(default)]
    pub category_id: i64,
    /// `any` or a medium.
    #[serde(default = "any")]
    pub medium: String,
    #[serde(default)]
    pub subject: String,
    pub body: String,
}

fn any() -> String {
    "any".into()
}

/// What a preview renders.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    #[serde(default)]
    pub subject: String,
    pub body: String,
    /// A real ticket to render for; a sample ticket otherwise.
    pub ticket_id: Option<i64>,
    #[serde(default)]
    pub mask: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub subject: String,
    pub body: String,
    pub variables: Value,
}

/// A contact's notification preferences: consent, opt-outs and what was learned.
#[derive(Debug, Clone, Serialize)]
pub struct ContactPreferences {
    pub consents: Vec<repo::Consent>,
    pub optouts: Vec<repo::OptOut>,
    pub engagement: Vec<repo::EngagementRow>,
}

/// An admin's change to a contact's preferences.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferencesInput {
    /// Consent per medium (`email: true`).
    #[serde(default)]
    pub consents: BTreeMap<String, bool>,
    /// Lift every opt-out.
    #[serde(default)]
    pub clear_optouts: bool,
    /// Opt out (ticket 0 = all; medium `*` = all).
    #[serde(default)]
    pub optouts: Vec<OptOutInput>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptOutInput {
    #[serde(default)]
    pub ticket_id: i64,
    #[serde(default = "star")]
    pub medium: String,
}

fn star() -> String {
    "*".into()
}

/// Claims of a signed customer link: account, ticket, contact, expiry; `m` the medium of an
/// opt-out link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkClaims {
    pub k: String,
    pub a: i64,
    pub t: i64,
    pub c: i64,
    #[serde(default)]
    pub m: String,
    pub exp: i64,
}

/// What the customer's ticket page shows.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerTicket {
    pub number: String,
    pub title: String,
    pub status: String,
    pub eta: Option<String>,
    /// `(subject, body, local time)`, newest first.
    pub notices: Vec<(String, String, String)>,
}

/// Claims of a tracking link (open pixel, click).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrackClaims {
    pub k: String,
    pub a: i64,
    pub d: i64,
}

#[derive(Serialize, Deserialize)]
struct NotifyPayload {
    key: String,
    events: Vec<DomainEvent>,
}

/// One rendered variant per medium.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Rendered {
    subject: String,
    body: String,
}

/// A recipient of a notice.
#[derive(Debug, Clone)]
enum Recipient {
    Customer(yingke_store::contacts::Contact),
    Agent(repo::AgentAddress),
    Group(ChannelRow),
}

impl Recipient {
    fn key(&self) -> String {
        match self {
            Recipient::Customer(c) => format!("c{}", c.id),
            Recipient::Agent(a) => format!("u{}", a.id),
            Recipient::Group(ch) => format!("g{}", ch.id),
        }
    }
}

/// The ticket-side facts one rule evaluation needs.
struct NoticeContext {
    ticket: tickets_repo::Ticket,
    contact: Option<yingke_store::contacts::Contact>,
    vars: Value,
    facts: yingke_core::condition::Facts,
    account_tz: String,
    account_locale: String,
}

impl App {
    /// Schedules notification rules for `events` inside the transaction that raised them.
    pub(crate) async fn queue_notifications(
        &self,
        tx: &mut Tx,
        scope: Scope,
        events: &[DomainEvent],
        now: i64,
    ) -> AppResult<()> {
        let events: Vec<DomainEvent> = events
            .iter()
            .filter(|e| TRIGGERS.contains(&e.kind()))
            .cloned()
            .collect();
        if events.is_empty() {
            return Ok(());
        }
        let key = uuid::Uuid::new_v4().simple().to_string();
        let payload = serde_json::to_string(&NotifyPayload {
            key: key.clone(),
            events,
        })
        .map_err(|e| AppError::Internal(e.to_string()))?;
        timers::schedule(
            tx,
            scope,
            &NewTimer {
                kind: NOTIFY_TIMER,
                dedupe_key: &format!("notify:{key}"),
                payload: &payload,
                run_at: now,
                max_attempts: crate::timers::DEFAULT_MAX_ATTEMPTS,
            },
            now,
        )
        .await?;
        self.wake_at(now);
        Ok(())
    }

    /// The `notify` timer: evaluates the rules for each event and writes deliveries.
    pub(crate) async fn fire_notify_timer(
        &self,
        tx: &mut Tx,
        scope: Scope,
        payload: &str,
    ) -> AppResult<()> {
        let p: NotifyPayload = serde_json::from_str(payload)
            .map_err(|e| AppError::Internal(format!("notify payload: {e}")))?;
        let now = self.now();
        let policy = self.ensure_notify_defaults(tx, scope, now).await?;
        let rules: Vec<(Rule, Condition)> = repo::rules_in(tx, scope)
            .await?
            .into_iter()
            .filter(|r| r.active)
            .map(|r| {
                let rule = rule_of(r)?;
                // Validated when saved; a rule stored by an older version that no longer parses
                // applies without conditions rather than never.
                let cond = Condition::parse(&rule.spec.conditions, &TICKET_FIELDS, "conditions")
                    .unwrap_or_else(|_| Condition::always());
                Ok((rule, cond))
            })
            .collect::<AppResult<_>>()?;
        let channels = repo::channels_in(tx, scope).await?;
        let mut queued_any = false;
        for (i, ev) in p.events.iter().enumerate() {
            let matching: Vec<&(Rule, Condition)> = rules
                .iter()
                .filter(|(r, _)| triggers(&r.spec, ev))
                .collect();
            if matching.is_empty() {
                continue;
            }
            let Some(ticket_id) = ticket_of(ev) else {
                continue;
            };
            let ctx = self.notice_context(tx, scope, ticket_id, ev, now).await?;
            for (rule, cond) in matching {
                if !cond.matches(&ctx.facts) {
                    continue;
                }
                let event_key = format!("{}.{i}", p.key);
                queued_any |= self
                    .notify_rule(tx, scope, &policy, &channels, rule, &ctx, &event_key, now)
                    .await?;
            }
        }
        if queued_any {
            self.dispatch_wake.notify_one();
        }
        Ok(())
    }

    async fn notice_context(
        &self,
        tx: &mut Tx,
        scope: Scope,
        ticket_id: i64,
        ev: &DomainEvent,
        now: i64,
    ) -> AppResult<NoticeContext> {
        let t = tickets_repo::get_for_update(tx, scope, ticket_id).await?;
        let account = accounts::get(self.db(), scope.account()).await?;
        let workflow = self.ticket_workflow(scope).await?;
        let name_of = |key: &str| {
            workflow
                .state(key)
                .map_or_else(|| key.to_owned(), |s| s.name.clone())
        };
        let category = match t.category_id {
            Some(id) => Some(tickets_repo::category(self.db(), scope, id).await?),
            None => None,
        };
        let facts = self
            .ticket_facts(
                tx,
                scope,
                &t,
                category.as_ref().map_or("", |c| c.key.as_str()),
                now,
            )
            .await?;
        let contact = match t.contact_id {
            Some(c) => Some(contacts::get_in(tx, scope, c).await?),
            None => None,
        };
        let agent = match t.assignee_id {
            Some(u) => yingke_store::users::get_in(tx, scope, yingke_core::UserId(u))
                .await
                .ok(),
            None => None,
        };
        let team = match t.team_id {
            Some(id) => yingke_store::teams::get(self.db(), scope, yingke_core::TeamId(id))
                .await
                .ok(),
            None => None,
        };
        let eta = resolution_due(&t).or(t.deadline).filter(|_| !is_done(&t));
        let tz = jiff::tz::TimeZone::get(&account.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        let local = |ms: i64| local_time(&tz, ms);
        let (marker, status_from, reason) = match ev {
            DomainEvent::TicketMarkerAdded { marker, .. } => {
                (marker.clone(), String::new(), String::new())
            }
            DomainEvent::TicketStatusChanged { from, reason, .. } => (
                String::new(),
                name_of(from),
                reason.clone().unwrap_or_default(),
            ),
            _ => (String::new(), String::new(), String::new()),
        };
        let fault_level = t
            .priority
            .strip_prefix('p')
            .map(|n| format!("P{n}级"))
            .unwrap_or_default();
        let custom = t.custom.0.clone();
        let vars = json!({
            "ticket": {
                "id": t.id,
                "number": t.number,
                "title": t.title,
                "status": name_of(&t.status),
                "status_kind": t.status_kind,
                "priority": t.priority,
                "fault_level": fault_level,
                "category": category.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                "eta": eta.map(local).unwrap_or_default(),
                "tracking_number": custom.get("tracking_number").cloned().unwrap_or(Value::Null),
                "order_number": t.order_number.clone().unwrap_or_default(),
                "custom": custom,
                "link": "",
            },
            "contact": {
                "name": contact.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                "kind": contact.as_ref().map(customer_kind).unwrap_or("individual"),
            },
            "agent": {"name": agent.map(|a| a.name).unwrap_or_default()},
            "team": {"name": team.map(|t| t.name).unwrap_or_default()},
            "account": {"name": account.name},
            "marker": marker,
            "status_from": status_from,
            "reason": reason,
            "optout_link": "",
        });
        Ok(NoticeContext {
            ticket: t,
            contact,
            vars,
            facts,
            account_tz: account.timezone,
            account_locale: account.locale.as_str().to_owned(),
        })
    }

    /// Applies one matching rule: recipients, policy, rendering, deliveries, timeline. Whether
    /// anything was queued for the dispatcher.
    #[allow(clippy::too_many_arguments)]
    async fn notify_rule(
        &self,
        tx: &mut Tx,
        scope: Scope,
        policy: &Policy,
        channels: &[ChannelRow],
        rule: &Rule,
        ctx: &NoticeContext,
        event_key: &str,
        now: i64,
    ) -> AppResult<bool> {
        let t = &ctx.ticket;
        let mut recipients: Vec<Recipient> = Vec::new();
        for r in &rule.spec.recipients {
            match r.as_str() {
                "customer" => {
                    if let Some(c) = &ctx.contact {
                        recipients.push(Recipient::Customer(c.clone()));
                    }
                }
                "assignee" => {
                    if let Some(u) = t.assignee_id {
                        for a in repo::agents_by_id_in(tx, scope, &[u]).await? {
                            recipients.push(Recipient::Agent(a));
                        }
                    }
                }
                "team" => {
                    if let Some(team) = t.team_id {
                        for a in repo::agents_in(tx, scope, Some(team), false).await? {
                            recipients.push(Recipient::Agent(a));
                        }
                    }
                }
                "supervisor" => {
                    for a in repo::agents_in(tx, scope, t.team_id, true).await? {
                        recipients.push(Recipient::Agent(a));
                    }
                }
                "collaborators" => {
                    let ids = tickets_repo::collaborators(self.db(), scope, t.id).await?;
                    for a in repo::agents_by_id_in(tx, scope, &ids).await? {
                        recipients.push(Recipient::Agent(a));
                    }
                }
                _ => {}
            }
        }
        for id in &rule.spec.group_channels {
            if let Some(ch) = channels.iter().find(|c| c.id == *id && c.enabled) {
                recipients.push(Recipient::Group(ch.clone()));
            }
        }
        // One notice per person even when they are both assignee and team member.
        let mut seen = std::collections::HashSet::new();
        recipients.retain(|r| seen.insert(r.key()));

        let mut queued = false;
        for r in recipients {
            let notice_key = format!("{event_key}:r{}:{}", rule.id, r.key());
            queued |= match r {
                Recipient::Customer(c) => {
                    self.notify_customer(
                        tx,
                        scope,
                        policy,
                        channels,
                        rule,
                        ctx,
                        &c,
                        &notice_key,
                        now,
                    )
                    .await?
                }
                Recipient::Agent(a) => {
                    self.notify_agent(tx, scope, policy, channels, rule, ctx, &a, &notice_key, now)
                        .await?
                }
                Recipient::Group(ch) => {
                    let rendered = self
                        .render_for(
                            tx,
                            scope,
                            &rule.spec.template,
                            &ctx.account_locale,
                            "enterprise",
                            t.category_id,
                            Medium::Im,
                            &ctx.vars,
                            policy,
                        )
                        .await?;
                    let d = self.new_delivery(
                        scope,
                        rule,
                        ctx,
                        &notice_key,
                        "group",
                        None,
                        None,
                        Medium::Im,
                        Some(ch.id),
                        "",
                        &ctx.account_locale,
                        &rendered,
                        &[],
                        now,
                    );
                    self.insert_and_log(tx, scope, d, now).await?
                }
            };
        }
        Ok(queued)
    }

    #[allow(clippy::too_many_arguments)]
    async fn notify_customer(
        &self,
        tx: &mut Tx,
        scope: Scope,
        policy: &Policy,
        channels: &[ChannelRow],
        rule: &Rule,
        ctx: &NoticeContext,
        contact: &yingke_store::contacts::Contact,
        notice_key: &str,
        now: i64,
    ) -> AppResult<bool> {
        let t = &ctx.ticket;
        let kind = rule.spec.notice_kind;
        let skip = |reason: Skip| (reason, rule.id);
        // Opt-outs: of everything, of this ticket, or of single media.
        let optouts = repo::optouts_in(tx, scope, contact.id).await?;
        let opted_out = |m: &str| {
            optouts.iter().any(|o| {
                (o.ticket_id == 0 || o.ticket_id == t.id) && (o.medium == "*" || o.medium == m)
            })
        };
        if opted_out("*") {
            return self
                .record_skip(
                    tx,
                    scope,
                    ctx,
                    contact.id,
                    notice_key,
                    kind,
                    skip(Skip::OptedOut),
                    now,
                )
                .await;
        }
        let given: Vec<Given> = repo::given_in(tx, scope, t.id)
            .await?
            .into_iter()
            .filter_map(|(k, at)| NoticeKind::parse(&k).map(|kind| Given { kind, at }))
            .collect();
        if let Err(reason) = policy::frequency(policy, &given, kind, now) {
            return self
                .record_skip(
                    tx,
                    scope,
                    ctx,
                    contact.id,
                    notice_key,
                    kind,
                    skip(reason),
                    now,
                )
                .await;
        }
        let consents = repo::consents_in(tx, scope, contact.id).await?;
        let engagement = repo::engagement_in(tx, scope, contact.id).await?;
        let stats = |m: Medium| {
            engagement
                .iter()
                .find(|e| e.medium == m.as_str())
                .map(|e| Engagement {
                    sent: e.sent.max(0) as u32,
                    engaged: e.engaged.max(0) as u32,
                })
                .unwrap_or_default()
        };
        let order = if policy.learn_preference {
            policy::learned_order(&rule.spec.media, &stats, policy.preference_min_tries)
        } else {
            rule.spec.media.clone()
        };
        // Which media can carry it, and why the others cannot.
        let mut usable: Vec<(Medium, Option<i64>, String)> = Vec::new();
        let mut dropped: Vec<(Medium, &'static str)> = Vec::new();
        for m in order {
            if opted_out(m.as_str()) {
                dropped.push((m, "opted_out"));
                continue;
            }
            if policy.consent_required.contains(&m)
                && !consents.iter().any(|c| c.medium == m.as_str() && c.granted)
            {
                dropped.push((m, "no_consent"));
                continue;
            }
            let address = customer_address(contact, m);
            if address.trim().is_empty() {
                dropped.push((m, "no_address"));
                continue;
            }
            let channel = if m == Medium::InApp {
                None
            } else {
                match customer_channel(channels, m) {
                    Some(c) => Some(c.id),
                    None => {
                        dropped.push((m, "no_channel"));
                        continue;
                    }
                }
            };
            usable.push((m, channel, address));
        }
        if usable.is_empty() {
            let reason = if dropped.iter().any(|d| d.1 == "no_channel") {
                Skip::NoChannel
            } else if dropped.iter().any(|d| d.1 == "no_address") {
                Skip::NoAddress
            } else if dropped.iter().any(|d| d.1 == "no_consent") {
                Skip::NoConsent
            } else {
                Skip::OptedOut
            };
            return self
                .record_skip(
                    tx,
                    scope,
                    ctx,
                    contact.id,
                    notice_key,
                    kind,
                    skip(reason),
                    now,
                )
                .await;
        }
        // Do-not-disturb: external media wait until the quiet hours end.
        let send_at = match policy.dnd {
            Some(dnd) => {
                let tz =
                    jiff::tz::TimeZone::get(&ctx.account_tz).unwrap_or(jiff::tz::TimeZone::UTC);
                let local = jiff::Timestamp::from_millisecond(now)
                    .map(|ts| ts.to_zoned(tz))
                    .map(|z| (z.hour() as u16) * 60 + z.minute() as u16)
                    .unwrap_or(0);
                dnd.minutes_left(local)
                    .map(|m| now + i64::from(m) * 60_000)
                    .unwrap_or(now)
            }
            None => now,
        };
        let locale = contact
            .attributes
            .get("locale")
            .and_then(Value::as_str)
            .unwrap_or(&ctx.account_locale)
            .to_owned();
        let audience = customer_kind(contact);
        let mut vars = ctx.vars.clone();
        let page = self.customer_link("ticket", scope, t.id, contact.id, "", now);
        let optout = self.customer_link("optout", scope, t.id, contact.id, "*", now);
        vars["ticket"]["link"] = json!(page);
        vars["optout_link"] = json!(optout);

        let external: Vec<&(Medium, Option<i64>, String)> =
            usable.iter().filter(|u| u.0 != Medium::InApp).collect();
        let mut queued = false;
        let mut media_out = Vec::new();
        // The message centre always gets it.
        if let Some((m, ch, addr)) = usable.iter().find(|u| u.0 == Medium::InApp) {
            let r = self
                .render_for(
                    tx,
                    scope,
                    &rule.spec.template,
                    &locale,
                    audience,
                    t.category_id,
                    *m,
                    &vars,
                    policy,
                )
                .await?;
            let mut d = self.new_delivery(
                scope,
                rule,
                ctx,
                notice_key,
                "customer",
                Some(contact.id),
                None,
                *m,
                *ch,
                addr,
                &locale,
                &r,
                &[],
                now,
            );
            d.status = "delivered".into();
            d.due_at = None;
            d.sent_at = Some(now);
            d.confirmed_at = Some(now);
            if repo::insert_delivery(tx, &d).await?.is_some() {
                repo::bump_engagement(tx, scope, contact.id, m.as_str(), 1, 0, now).await?;
                media_out.push(m.as_str());
            }
        }
        // Files go with the notice's outside deliveries (e-mail sends them; a failover to
        // e-mail keeps them).
        let files = if rule.spec.attach_files && !external.is_empty() {
            self.files_to_mail_in(tx, scope, t.id).await?
        } else {
            Vec::new()
        };
        let chain: Vec<&(Medium, Option<i64>, String)> = if rule.spec.important {
            external.clone()
        } else {
            external.iter().take(1).copied().collect()
        };
        for (i, (m, ch, addr)) in chain.iter().enumerate() {
            let fallbacks: Vec<&str> = if rule.spec.important {
                Vec::new()
            } else {
                external.iter().skip(i + 1).map(|u| u.0.as_str()).collect()
            };
            let r = self
                .render_for(
                    tx,
                    scope,
                    &rule.spec.template,
                    &locale,
                    audience,
                    t.category_id,
                    *m,
                    &vars,
                    policy,
                )
                .await?;
            let mut d = self.new_delivery(
                scope,
                rule,
                ctx,
                notice_key,
                "customer",
                Some(contact.id),
                None,
                *m,
                *ch,
                addr,
                &locale,
                &r,
                &fallbacks,
                now,
            );
            d.due_at = Some(send_at);
            if !files.is_empty() {
                d.params.0["files"] = json!(files);
            }
            if repo::insert_delivery(tx, &d).await?.is_some() {
                queued = true;
                media_out.push(m.as_str());
            }
        }
        if !media_out.is_empty() {
            tickets_repo::add_timeline(
                tx,
                scope,
                tickets_repo::NewEntry {
                    ticket_id: t.id,
                    kind: "notification_queued",
                    actor: None,
                    body: None,
                    data: &json!({
                        "rule_id": rule.id, "rule": rule.spec.name, "notice_kind": kind.as_str(),
                        "recipient": "customer", "contact_id": contact.id, "media": media_out,
                        "important": rule.spec.important,
                        "deferred_until": (send_at > now).then_some(send_at),
                        "dropped": dropped.iter().map(|(m, why)| json!({"medium": m.as_str(), "reason": why})).collect::<Vec<_>>(),
                    }),
                },
                now,
            )
            .await?;
        }
        Ok(queued)
    }

    #[allow(clippy::too_many_arguments)]
    async fn notify_agent(
        &self,
        tx: &mut Tx,
        scope: Scope,
        policy: &Policy,
        channels: &[ChannelRow],
        rule: &Rule,
        ctx: &NoticeContext,
        agent: &repo::AgentAddress,
        notice_key: &str,
        now: i64,
    ) -> AppResult<bool> {
        let t = &ctx.ticket;
        let mut queued = false;
        let pref = self.notice_pref_in(tx, scope, agent.id, "ticket").await?;
        for m in &rule.spec.media {
            let (channel, address) = match m {
                Medium::InApp if !pref.in_app => continue,
                Medium::InApp => (None, format!("user:{}", agent.id)),
                Medium::Email => match channels.iter().find(|c| c.enabled && c.medium == "email") {
                    Some(c) => (Some(c.id), agent.email.clone()),
                    None => continue,
                },
                _ => continue,
            };
            let r = self
                .render_for(
                    tx,
                    scope,
                    &rule.spec.template,
                    &agent.locale,
                    "any",
                    t.category_id,
                    *m,
                    &ctx.vars,
                    policy,
                )
                .await?;
            let mut d = self.new_delivery(
                scope,
                rule,
                ctx,
                notice_key,
                "agent",
                None,
                Some(agent.id),
                *m,
                channel,
                &address,
                &agent.locale,
                &r,
                &[],
                now,
            );
            if *m == Medium::InApp {
                d.status = "delivered".into();
                d.due_at = None;
                d.sent_at = Some(now);
                d.confirmed_at = Some(now);
                // The agent's phone hears of it too (an SLA warning on their ticket), once.
                if repo::insert_delivery(tx, &d).await?.is_some() {
                    if pref.push {
                        queued |= self.queue_push(tx, scope, &d, now).await?;
                    }
                    if pref.email {
                        self.queue_agent_digest(tx, scope, agent.id, now).await?;
                    }
                }
            } else {
                queued |= repo::insert_delivery(tx, &d).await?.is_some();
            }
        }
        Ok(queued)
    }

    #[allow(clippy::too_many_arguments)]
    fn new_delivery(
        &self,
        scope: Scope,
        rule: &Rule,
        ctx: &NoticeContext,
        notice_key: &str,
        recipient_kind: &str,
        contact_id: Option<i64>,
        user_id: Option<i64>,
        medium: Medium,
        channel_id: Option<i64>,
        address: &str,
        locale: &str,
        r: &Rendered,
        fallbacks: &[&str],
        now: i64,
    ) -> Delivery {
        Delivery {
            idempotency_key: format!("{notice_key}:{}", medium.as_str()),
            notice_kind: (recipient_kind == "customer")
                .then(|| rule.spec.notice_kind.as_str().to_owned()),
            recipient_kind: recipient_kind.to_owned(),
            contact_id,
            user_id,
            medium: medium.as_str().to_owned(),
            channel_id,
            address: address.to_owned(),
            locale: locale.to_owned(),
            subject: r.subject.clone(),
            body: r.body.clone(),
            params: Json(json!({"vars": sms_vars(&ctx.vars), "template": rule.spec.template})),
            important: rule.spec.important,
            fallbacks: Json(json!(fallbacks)),
            status: "queued".into(),
            due_at: Some(now),
            ..blank_delivery(scope, ctx.ticket.id, rule.id, notice_key, now)
        }
    }

    async fn insert_and_log(
        &self,
        tx: &mut Tx,
        scope: Scope,
        d: Delivery,
        now: i64,
    ) -> AppResult<bool> {
        let Some(saved) = repo::insert_delivery(tx, &d).await? else {
            return Ok(false);
        };
        if let Some(ticket_id) = saved.ticket_id {
            tickets_repo::add_timeline(
                tx,
                scope,
                tickets_repo::NewEntry {
                    ticket_id,
                    kind: "notification_queued",
                    actor: None,
                    body: None,
                    data: &json!({"rule_id": saved.rule_id, "recipient": saved.recipient_kind,
                                  "media": [saved.medium], "channel_id": saved.channel_id}),
                },
                now,
            )
            .await?;
        }
        Ok(true)
    }

    /// A notice not sent: a `skipped` delivery (so the reason is listed) and a timeline entry.
    #[allow(clippy::too_many_arguments)]
    async fn record_skip(
        &self,
        tx: &mut Tx,
        scope: Scope,
        ctx: &NoticeContext,
        contact_id: i64,
        notice_key: &str,
        kind: NoticeKind,
        (reason, rule_id): (Skip, i64),
        now: i64,
    ) -> AppResult<bool> {
        let d = Delivery {
            idempotency_key: format!("{notice_key}:skipped"),
            notice_kind: Some(kind.as_str().to_owned()),
            recipient_kind: "customer".into(),
            contact_id: Some(contact_id),
            medium: "none".into(),
            locale: ctx.account_locale.clone(),
            status: "skipped".into(),
            skip_reason: Some(Json(serde_json::to_value(&reason).unwrap_or_default())),
            ..blank_delivery(scope, ctx.ticket.id, rule_id, notice_key, now)
        };
        if repo::insert_delivery(tx, &d).await?.is_some() {
            let mut data = serde_json::to_value(&reason).unwrap_or_default();
            data["rule_id"] = json!(rule_id);
            data["notice_kind"] = json!(kind.as_str());
            data["recipient"] = json!("customer");
            data["contact_id"] = json!(contact_id);
            tickets_repo::add_timeline(
                tx,
                scope,
                tickets_repo::NewEntry {
                    ticket_id: ctx.ticket.id,
                    kind: "notification_skipped",
                    actor: None,
                    body: Some(reason.code()),
                    data: &data,
                },
                now,
            )
            .await?;
        }
        Ok(false)
    }

    /// Renders template `key` for the best-matching variant: category, then medium, then
    /// audience, then locale (falling back to the language, then zh-CN).
    #[allow(clippy::too_many_arguments)]
    async fn render_for(
        &self,
        tx: &mut Tx,
        scope: Scope,
        key: &str,
        locale: &str,
        audience: &str,
        category_id: Option<i64>,
        medium: Medium,
        vars: &Value,
        policy: &Policy,
    ) -> AppResult<Rendered> {
        let variants = repo::template_variants_in(tx, scope, key).await?;
        let chosen = best_variant(
            &variants,
            locale,
            audience,
            category_id.unwrap_or(0),
            medium.as_str(),
        )
        .ok_or_else(|| AppError::Internal(format!("no template {key} for {locale}")))?;
        let mask = policy::Mask::from(policy);
        let subject = notice_template::render(&chosen.subject, vars)
            .map_err(|e| AppError::Internal(format!("template {key}: {e}")))?;
        let body = notice_template::render(&chosen.body, vars)
            .map_err(|e| AppError::Internal(format!("template {key}: {e}")))?;
        Ok(Rendered {
            subject: policy::mask(subject.trim(), mask),
            body: policy::mask(body.trim(), mask),
        })
    }

    /// A signed customer link: the ticket page (`ticket`) or the opt-out page (`optout`).
    pub fn customer_link(
        &self,
        kind: &str,
        scope: Scope,
        ticket: i64,
        contact: i64,
        medium: &str,
        now: i64,
    ) -> String {
        let token = self.keys().sign(&LinkClaims {
            k: kind.into(),
            a: scope.account().0,
            t: ticket,
            c: contact,
            m: medium.into(),
            exp: now + LINK_TTL_MS,
        });
        let path = if kind == "ticket" { "t" } else { "n/u" };
        format!("{}/{path}/{token}", self.public_url())
    }

    /// Reads a customer link's claims; `None` when forged, of another kind or expired.
    pub fn open_customer_link(&self, kind: &str, token: &str) -> Option<LinkClaims> {
        let c: LinkClaims = self.keys().verify(token)?;
        (c.k == kind && c.exp > self.now()).then_some(c)
    }

    fn track_link(&self, kind: &str, account: i64, delivery: i64) -> String {
        let token = self.keys().sign(&TrackClaims {
            k: kind.into(),
            a: account,
            d: delivery,
        });
        let path = if kind == "open" { "n/o" } else { "n/c" };
        format!("{}/{path}/{token}", self.public_url())
    }

    // ---- the dispatcher ---------------------------------------------------------------------

    /// Sends due deliveries, up to `DISPATCH_BATCH`, one window at a time. How many were handled
    /// (sent, or failed over after an unconfirmed deadline).
    ///
    /// The window bounds what a crash can send twice: a delivery the provider took whose answer
    /// was not yet recorded is sent again when its lease ends. So at most one window's sends are
    /// ever in that state (`Settings::notify_send_window`, 4 by default); deliveries due later in
    /// the round are not claimed until the window before them is recorded.
    pub async fn dispatch_due(&self) -> AppResult<usize> {
        let window = self
            .settings
            .notify_send_window
            .clamp(1, DISPATCH_BATCH as usize) as u32;
        let mut handled = 0;
        while handled < DISPATCH_BATCH as usize {
            let n = self.dispatch_window(window).await?;
            handled += n;
            if n < window as usize {
                break;
            }
        }
        Ok(handled)
    }

    /// One window: claims up to `limit` due deliveries (marking them as being sent, with a
    /// lease), sends each outside any transaction, records the answers.
    async fn dispatch_window(&self, limit: u32) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let due = repo::claim_due_all_accounts(&mut tx, now, limit).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let claimed = due.len();
        let mut policies: HashMap<i64, Policy> = HashMap::new();
        let mut to_send = Vec::new();
        for mut d in due {
            let scope = Scope::new(yingke_core::AccountId(d.account_id));
            if let std::collections::hash_map::Entry::Vacant(e) = policies.entry(d.account_id) {
                e.insert(self.notify_policy_in(&mut tx, scope).await?);
            }
            let policy = &policies[&d.account_id];
            if d.status == "sent" {
                // Unconfirmed past the deadline: send again, or give up on this channel.
                if d.unconfirmed_retries >= policy.max_unconfirmed_retries as i32 {
                    d.status = "failed".into();
                    d.due_at = None;
                    d.last_error = Some("no delivery receipt".into());
                    d.updated_at = now;
                    repo::save_delivery(&mut tx, &d).await?;
                    self.fail_over(&mut tx, scope, &d, "unconfirmed", now)
                        .await?;
                    continue;
                }
                d.unconfirmed_retries += 1;
            }
            d.status = "sending".into();
            d.attempts += 1;
            d.due_at = Some(now + LEASE_MS);
            d.updated_at = now;
            repo::save_delivery(&mut tx, &d).await?;
            to_send.push(d);
        }
        tx.commit().await?;

        let mut channels: HashMap<(i64, i64), Option<(ChannelRow, Value)>> = HashMap::new();
        for d in &to_send {
            if let Some(ch) = d.channel_id
                && !channels.contains_key(&(d.account_id, ch))
            {
                let scope = Scope::new(yingke_core::AccountId(d.account_id));
                let row = repo::channel(self.db(), scope, ch).await.ok();
                let opened = row.map(|r| {
                    let secrets = self.open_secrets(&r);
                    (r, secrets)
                });
                channels.insert((d.account_id, ch), opened);
            }
        }
        let sends = to_send.iter().map(|d| {
            let ch = d
                .channel_id
                .and_then(|c| channels.get(&(d.account_id, c)))
                .and_then(Option::as_ref);
            self.send_one(d, ch)
        });
        let results = futures_util::future::join_all(sends).await;

        let mut tx = self.db().begin().await?;
        let done = self.now();
        for (mut d, result) in to_send.into_iter().zip(results) {
            let scope = Scope::new(yingke_core::AccountId(d.account_id));
            let policy = &policies[&d.account_id];
            self.record_result(&mut tx, scope, policy, &mut d, result, done)
                .await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }

    async fn send_one(
        &self,
        d: &Delivery,
        channel: Option<&(ChannelRow, Value)>,
    ) -> Result<Sent, SendError> {
        if d.medium == Medium::Push.as_str() {
            return self.send_push(d).await;
        }
        let Some((ch, secrets)) = channel else {
            return Err(SendError::permanent("the channel was removed"));
        };
        if !ch.enabled {
            return Err(SendError::permanent("the channel is disabled"));
        }
        let vars = d.params.0.get("vars").cloned().unwrap_or(Value::Null);
        // A customer's notice about a ticket carries the tracked page link and the opt-out link.
        let customer_ticket = d.ticket_id.zip(d.contact_id);
        let unsubscribe = customer_ticket.map(|(t, c)| {
            let scope = Scope::new(yingke_core::AccountId(d.account_id));
            self.customer_link("optout", scope, t, c, &d.medium, d.created_at)
        });
        let pixel = (d.medium == "email" && d.recipient_kind == "customer")
            .then(|| self.track_link("open", d.account_id, d.id));
        let click = customer_ticket.map(|_| self.track_link("click", d.account_id, d.id));
        let receipts = self.receipt_url(d.account_id, ch);
        let thread = d.ticket_id.map(|t| format!("ticket-{t}"));
        let workspace = (d.recipient_kind == "agent").then(|| {
            let path = crate::push::notice_url(d.ticket_id, &d.params.0);
            format!("{}{path}", self.public_url())
        });
        let host = self.mail_domain();
        let (files, text) = if d.medium == Medium::Email.as_str() {
            self.mail_files(d).await
        } else {
            (Vec::new(), d.body.clone())
        };
        let out = Outgoing {
            delivery_id: d.id,
            idempotency_key: &d.idempotency_key,
            kind: &ch.kind,
            config: &ch.config.0,
            secrets,
            to: &d.address,
            subject: &d.subject,
            text: &text,
            vars: &vars,
            links: Links {
                ticket_page: click.as_deref(),
                workspace: workspace.as_deref(),
                unsubscribe: unsubscribe.as_deref(),
                open_pixel: pixel.as_deref(),
                receipts: Some(&receipts),
            },
            mail_domain: &host,
            thread_key: thread.as_deref(),
            files: &files,
        };
        match tokio::time::timeout(
            std::time::Duration::from_millis(SEND_TIMEOUT_MS),
            self.notifier.send(&out),
        )
        .await
        {
            Ok(r) => r,
            Err(_) => Err(SendError {
                message: format!(
                    "the provider did not answer within {} s",
                    SEND_TIMEOUT_MS / 1000
                ),
                response: None,
                retryable: true,
                gone: false,
            }),
        }
    }

    /// The files of the agent's latest reply on the ticket that no earlier e-mail notice on it
    /// carried.
    async fn files_to_mail_in(
        &self,
        tx: &mut Tx,
        scope: Scope,
        ticket_id: i64,
    ) -> AppResult<Vec<i64>> {
        let Some(reply) = tickets_repo::latest_agent_reply_in(tx, scope, ticket_id).await? else {
            return Ok(Vec::new());
        };
        let files: Vec<i64> = reply.data.0["attachments"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        if files.is_empty() {
            return Ok(files);
        }
        let mailed = repo::mailed_files_in(tx, scope, ticket_id).await?;
        Ok(files.into_iter().filter(|f| !mailed.contains(f)).collect())
    }

    /// The files an e-mail delivery carries, up to [`MAIL_FILES_MAX_BYTES`], and its text with
    /// the files left out (too large, or gone) named at the end.
    async fn mail_files(&self, d: &Delivery) -> (Vec<MailFile>, String) {
        let ids: Vec<i64> = d.params.0["files"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        let scope = Scope::new(yingke_core::AccountId(d.account_id));
        let (mut files, mut left_out, mut total) = (Vec::new(), Vec::new(), 0i64);
        for id in ids {
            let Ok(a) = yingke_store::attachments::get(self.db(), scope, id).await else {
                continue;
            };
            if total + a.size > MAIL_FILES_MAX_BYTES {
                left_out.push(a.name);
                continue;
            }
            let bytes = match &self.files {
                Some(store) => store.get(&a.storage_key).await.ok(),
                None => None,
            };
            match bytes {
                Some(bytes) => {
                    total += a.size;
                    files.push(MailFile {
                        name: a.name,
                        mime: a.mime,
                        bytes,
                    });
                }
                None => left_out.push(a.name),
            }
        }
        let mut text = d.body.clone();
        if !left_out.is_empty() {
            let names = left_out.join("、");
            text.push_str(&format!(
                "\n\n未随邮件附上的文件：{names}（请在工单页面查看）\nNot attached: {names} (see the ticket page)"
            ));
        }
        (files, text)
    }

    async fn record_result(
        &self,
        tx: &mut Tx,
        scope: Scope,
        policy: &Policy,
        d: &mut Delivery,
        result: Result<Sent, SendError>,
        now: i64,
    ) -> AppResult<()> {
        d.updated_at = now;
        match result {
            Ok(sent) => {
                let first = d.sent_at.is_none();
                d.sent_at = Some(now);
                d.provider_id = sent.provider_id.or(d.provider_id.take());
                d.last_response = Some(truncate(&sent.response, 2000));
                d.last_error = None;
                if sent.confirmed {
                    d.status = "delivered".into();
                    d.confirmed_at = Some(now);
                    d.due_at = None;
                } else {
                    d.status = "sent".into();
                    d.due_at = Some(now + policy.confirm_timeout_ms());
                }
                repo::save_delivery(tx, d).await?;
                if first && let Some(c) = d.contact_id {
                    repo::bump_engagement(tx, scope, c, &d.medium, 1, 0, now).await?;
                }
                self.timeline_for(
                    tx,
                    scope,
                    d,
                    "notification_sent",
                    json!({"status": d.status, "attempt": d.attempts}),
                    now,
                )
                .await?;
            }
            Err(e) => {
                self.forget_gone_subscription(tx, scope, d, &e).await?;
                d.last_error = Some(truncate(&e.message, 1000));
                d.last_response = e.response.map(|r| truncate(&r, 2000));
                if e.retryable && d.attempts < policy.max_attempts as i32 {
                    d.status = "queued".into();
                    d.due_at = Some(
                        now + crate::timers::backoff_ms(d.attempts, rand::random::<f64>()) * 5,
                    );
                    repo::save_delivery(tx, d).await?;
                } else {
                    d.status = "failed".into();
                    d.due_at = None;
                    repo::save_delivery(tx, d).await?;
                    self.fail_over(tx, scope, d, "failed", now).await?;
                }
            }
        }
        Ok(())
    }

    /// Records a failed channel and queues the next backup medium, if any.
    async fn fail_over(
        &self,
        tx: &mut Tx,
        scope: Scope,
        d: &Delivery,
        why: &str,
        now: i64,
    ) -> AppResult<()> {
        let fallbacks: Vec<String> =
            serde_json::from_value(d.fallbacks.0.clone()).unwrap_or_default();
        let channels = repo::channels_in(tx, scope).await?;
        let mut next = None;
        if d.recipient_kind == "customer"
            && let Some(contact) = d.contact_id
        {
            let c = contacts::get_in(tx, scope, contact).await?;
            for (i, m) in fallbacks.iter().enumerate() {
                let Some(medium) = Medium::parse(m) else {
                    continue;
                };
                if medium == Medium::InApp {
                    continue;
                }
                let address = customer_address(&c, medium);
                let ch = customer_channel(&channels, medium);
                if let (false, Some(ch)) = (address.trim().is_empty(), ch) {
                    next = Some((medium, ch.id, address, fallbacks[i + 1..].to_vec()));
                    break;
                }
            }
        }
        self.timeline_for(tx, scope, d, "notification_failed", json!({"reason": why, "error": d.last_error, "attempts": d.attempts, "failover_to": next.as_ref().map(|n| n.0.as_str())}), now).await?;
        if let Some((medium, channel_id, address, rest)) = next {
            let mut n = d.clone();
            n.id = 0;
            n.idempotency_key = format!("{}:{}", d.notice_key, medium.as_str());
            n.medium = medium.as_str().into();
            n.channel_id = Some(channel_id);
            n.address = address;
            n.fallbacks = Json(json!(rest));
            n.status = "queued".into();
            n.attempts = 0;
            n.unconfirmed_retries = 0;
            n.due_at = Some(now);
            n.sent_at = None;
            n.confirmed_at = None;
            n.provider_id = None;
            n.last_response = None;
            n.last_error = None;
            n.failover_from = Some(d.id);
            n.created_at = now;
            n.updated_at = now;
            repo::insert_delivery(tx, &n).await?;
            self.dispatch_wake.notify_one();
        }
        Ok(())
    }

    async fn timeline_for(
        &self,
        tx: &mut Tx,
        scope: Scope,
        d: &Delivery,
        kind: &str,
        extra: Value,
        now: i64,
    ) -> AppResult<()> {
        let Some(ticket_id) = d.ticket_id else {
            return Ok(());
        };
        let mut data = json!({
            "delivery_id": d.id, "medium": d.medium, "channel_id": d.channel_id,
            "recipient": d.recipient_kind, "notice_kind": d.notice_kind,
        });
        if let (Value::Object(m), Value::Object(e)) = (&mut data, extra) {
            m.extend(e);
        }
        tickets_repo::add_timeline(
            tx,
            scope,
            tickets_repo::NewEntry {
                ticket_id,
                kind,
                actor: None,
                body: None,
                data: &data,
            },
            now,
        )
        .await?;
        Ok(())
    }

    /// Runs the dispatcher until stopped: sends what is due, then sleeps until the next due
    /// delivery (at most a second) or until new deliveries are queued here.
    pub async fn run_dispatcher(self) {
        loop {
            let n = match self.dispatch_due().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "dispatching notifications failed");
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    0
                }
            };
            if n as u32 >= DISPATCH_BATCH {
                continue;
            }
            let next = repo::next_due_all_accounts(self.db()).await.ok().flatten();
            let wait = next
                .map(|at| (at - self.now()).clamp(5, 1000))
                .unwrap_or(1000);
            tokio::select! {
                () = tokio::time::sleep(std::time::Duration::from_millis(wait as u64)) => {}
                () = self.dispatch_wake.notified() => {}
            }
        }
    }

    // ---- receipts and engagement ------------------------------------------------------------

    /// A provider's delivery receipt: `delivered` confirms, anything else fails over.
    pub async fn record_receipt(
        &self,
        account: i64,
        channel_id: i64,
        token: &str,
        receipts: &[(String, bool, String)],
    ) -> AppResult<usize> {
        let scope = Scope::new(yingke_core::AccountId(account));
        let ch = repo::channel(self.db(), scope, channel_id).await?;
        if !crate::keyring::constant_time_eq(ch.receipt_token.as_bytes(), token.as_bytes()) {
            return Err(AppError::NotFound);
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let mut matched = 0;
        for (id, ok, detail) in receipts {
            let Some(mut d) = repo::delivery_by_provider_in(&mut tx, scope, channel_id, id).await?
            else {
                continue;
            };
            matched += 1;
            if d.confirmed_at.is_some() || d.status == "failed" {
                continue;
            }
            d.updated_at = now;
            d.last_response = Some(truncate(detail, 2000));
            if *ok {
                d.status = "delivered".into();
                d.confirmed_at = Some(now);
                d.due_at = None;
                repo::save_delivery(&mut tx, &d).await?;
                self.timeline_for(&mut tx, scope, &d, "notification_delivered", json!({}), now)
                    .await?;
            } else {
                d.status = "failed".into();
                d.due_at = None;
                d.last_error = Some(format!("receipt: {detail}"));
                repo::save_delivery(&mut tx, &d).await?;
                self.fail_over(&mut tx, scope, &d, "receipt_failed", now)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(matched)
    }

    /// An e-mail open (pixel) or a link click: confirms the delivery and counts as engagement.
    /// Returns where a click goes.
    pub async fn record_engagement(&self, token: &str) -> AppResult<Option<String>> {
        let claims: TrackClaims = self.keys().verify(token).ok_or(AppError::NotFound)?;
        let scope = Scope::new(yingke_core::AccountId(claims.a));
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let mut d = repo::delivery_in(&mut tx, scope, claims.d).await?;
        let first = d.opened_at.is_none() && d.clicked_at.is_none() && d.read_at.is_none();
        match claims.k.as_str() {
            "open" => d.opened_at = d.opened_at.or(Some(now)),
            "click" => d.clicked_at = d.clicked_at.or(Some(now)),
            _ => return Err(AppError::NotFound),
        }
        if d.confirmed_at.is_none() && d.sent_at.is_some() {
            d.confirmed_at = Some(now);
            d.status = "delivered".into();
            d.due_at = None;
        }
        d.updated_at = now;
        repo::save_delivery(&mut tx, &d).await?;
        if first && let Some(c) = d.contact_id {
            repo::bump_engagement(&mut tx, scope, c, &d.medium, 0, 1, now).await?;
        }
        tx.commit().await?;
        Ok(match (claims.k.as_str(), d.ticket_id, d.contact_id) {
            ("click", Some(t), Some(c)) => Some(self.customer_link("ticket", scope, t, c, "", now)),
            _ => None,
        })
    }

    /// The customer read an in-app notice in their message centre.
    pub async fn mark_notice_read(
        &self,
        scope: Scope,
        contact_id: i64,
        delivery_id: i64,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let mut d = repo::delivery_in(&mut tx, scope, delivery_id).await?;
        if d.contact_id != Some(contact_id) || d.medium != "in_app" {
            return Err(AppError::NotFound);
        }
        if d.read_at.is_none() {
            let first = d.opened_at.is_none() && d.clicked_at.is_none();
            d.read_at = Some(now);
            d.updated_at = now;
            repo::save_delivery(&mut tx, &d).await?;
            if first {
                repo::bump_engagement(&mut tx, scope, contact_id, "in_app", 0, 1, now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The customer's message centre: in-app notices, newest first.
    pub async fn customer_notices(
        &self,
        scope: Scope,
        contact_id: i64,
        ticket_id: Option<i64>,
    ) -> AppResult<Vec<Delivery>> {
        let f = DeliveryFilter {
            contact_id: Some(contact_id),
            ticket_id,
            medium: Some("in_app".into()),
            ..Default::default()
        };
        Ok(repo::deliveries(self.db(), scope, &f, None, 100).await?)
    }

    /// The visitor's message centre in the widget: the notices they were given (not the ones
    /// held back), each with a link to its ticket's page.
    pub async fn visitor_notices(
        &self,
        v: &crate::widget::VisitorClaims,
    ) -> AppResult<Vec<(Delivery, Option<String>)>> {
        let scope = v.scope();
        let now = self.now();
        Ok(self
            .customer_notices(scope, v.c, None)
            .await?
            .into_iter()
            .filter(|d| d.status != "skipped")
            .map(|mut d| {
                let page = d
                    .ticket_id
                    .map(|t| self.customer_link("ticket", scope, t, v.c, "", now));
                // The text carries this server's links for channels without buttons; the message
                // centre shows the ticket link as a button instead.
                d.body = without_links_to(&d.body, self.public_url());
                (d, page)
            })
            .collect())
    }

    /// The customer's ticket page: the ticket as the customer may see it and their notices.
    /// Viewing it reads the in-app notices (engagement for the learned preference).
    pub async fn customer_ticket(&self, c: &LinkClaims) -> AppResult<CustomerTicket> {
        let scope = Scope::new(yingke_core::AccountId(c.a));
        let t = tickets_repo::get(self.db(), scope, c.t).await?;
        if t.contact_id != Some(c.c) {
            return Err(AppError::NotFound);
        }
        let workflow = self.ticket_workflow(scope).await?;
        let account = accounts::get(self.db(), scope.account()).await?;
        let tz = jiff::tz::TimeZone::get(&account.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        let local = |ms: i64| local_time(&tz, ms);
        let notices = self.customer_notices(scope, c.c, Some(c.t)).await?;
        for n in notices.iter().filter(|n| n.read_at.is_none()) {
            self.mark_notice_read(scope, c.c, n.id).await?;
        }
        let eta = resolution_due(&t).filter(|_| !is_done(&t)).map(local);
        Ok(CustomerTicket {
            number: t.number.clone(),
            title: t.title.clone(),
            status: workflow
                .state(&t.status)
                .map_or_else(|| t.status.clone(), |s| s.name.clone()),
            eta,
            notices: notices
                .iter()
                .map(|n| (n.subject.clone(), n.body.clone(), local(n.created_at)))
                .collect(),
        })
    }

    /// "不再提醒" from a signed link: this ticket or every ticket, one medium or all.
    pub async fn opt_out_by_link(&self, token: &str, all_tickets: bool) -> AppResult<LinkClaims> {
        let c = self
            .open_customer_link("optout", token)
            .ok_or(AppError::Refused {
                field: "token".into(),
                message: "the link is invalid or has expired".into(),
            })?;
        let scope = Scope::new(yingke_core::AccountId(c.a));
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let ticket = if all_tickets { 0 } else { c.t };
        let medium = if c.m.is_empty() { "*" } else { c.m.as_str() };
        repo::add_optout(&mut tx, scope, c.c, ticket, medium, "link", now).await?;
        tickets_repo::add_timeline(
            &mut tx,
            scope,
            tickets_repo::NewEntry {
                ticket_id: c.t,
                kind: "notification_opt_out",
                actor: None,
                body: None,
                data: &json!({"contact_id": c.c, "scope": if all_tickets {"all"} else {"ticket"}, "medium": medium}),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    // ---- administration ---------------------------------------------------------------------

    async fn notify_policy_in(&self, tx: &mut Tx, scope: Scope) -> AppResult<Policy> {
        Ok(policy_of(repo::settings_in(tx, scope).await?))
    }

    pub async fn notify_policy(&self, p: &Principal) -> AppResult<Policy> {
        p.role().require(Role::Admin)?;
        Ok(policy_of(repo::settings(self.db(), p.scope()).await?))
    }

    pub async fn set_notify_policy(&self, p: &Principal, policy: Policy) -> AppResult<Policy> {
        p.role().require(Role::Admin)?;
        policy.validate()?;
        let mut tx = self.db().begin().await?;
        let v = serde_json::to_value(&policy).map_err(|e| AppError::Internal(e.to_string()))?;
        repo::save_policy(&mut tx, p.scope(), &v, self.now()).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::NoticePolicy,
            yingke_core::SettingAction::Updated,
            None,
            None,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(policy)
    }

    /// Seeds the default rules and templates once per account (editable afterwards).
    /// The account's policy, seeding the default rules and templates the first time (editable
    /// afterwards). An account already seeded costs one read.
    async fn ensure_notify_defaults(
        &self,
        tx: &mut Tx,
        scope: Scope,
        now: i64,
    ) -> AppResult<Policy> {
        let stored = repo::settings_in(tx, scope).await?;
        let seeded = stored.as_ref().is_some_and(|(_, seeded)| *seeded);
        let policy = policy_of(stored);
        if seeded {
            return Ok(policy);
        }
        let v = serde_json::to_value(&policy).map_err(|e| AppError::Internal(e.to_string()))?;
        if repo::claim_seeding(tx, scope, &v, now).await? {
            for (i, spec) in crate::notify_defaults::rules().into_iter().enumerate() {
                let v =
                    serde_json::to_value(&spec).map_err(|e| AppError::Internal(e.to_string()))?;
                repo::save_rule(tx, scope, None, i as i32, &v, true, now).await?;
            }
            for t in crate::notify_defaults::templates() {
                repo::upsert_template(tx, scope, &t, now).await?;
            }
        }
        Ok(policy)
    }

    async fn with_defaults(&self, p: &Principal) -> AppResult<()> {
        if repo::settings(self.db(), p.scope())
            .await?
            .is_some_and(|(_, seeded)| seeded)
        {
            return Ok(());
        }
        let mut tx = self.db().begin().await?;
        self.ensure_notify_defaults(&mut tx, p.scope(), self.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_notify_rules(&self, p: &Principal) -> AppResult<Vec<Rule>> {
        p.role().require(Role::Admin)?;
        self.with_defaults(p).await?;
        repo::rules(self.db(), p.scope())
            .await?
            .into_iter()
            .map(rule_of)
            .collect()
    }

    pub async fn save_notify_rule(
        &self,
        p: &Principal,
        id: Option<i64>,
        spec: RuleSpec,
        position: i32,
        active: bool,
    ) -> AppResult<Rule> {
        p.role().require(Role::Admin)?;
        spec.validate()?;
        self.with_defaults(p).await?;
        let scope = p.scope();
        let channels = repo::channels(self.db(), scope).await?;
        let mut e = FieldErrors::new();
        for (i, c) in spec.group_channels.iter().enumerate() {
            if !channels
                .iter()
                .any(|ch| ch.id == *c && is_group_robot(&ch.kind))
            {
                e.add(
                    format!("group_channels[{i}]"),
                    "is not an IM group robot channel of this account",
                );
            }
        }
        let templates = repo::templates(self.db(), scope).await?;
        if !templates.iter().any(|t| t.key == spec.template) {
            e.add("template", "no template with this key");
        }
        e.finish()?;
        let v = serde_json::to_value(&spec).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.db().begin().await?;
        let row = repo::save_rule(&mut tx, scope, id, position, &v, active, self.now()).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::NoticeRule,
            crate::audit::created_or_updated(id),
            Some(row.id),
            Some(spec.name.trim()),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        rule_of(row)
    }

    pub async fn delete_notify_rule(&self, p: &Principal, id: i64) -> AppResult<()> {
        p.role().require(Role::Admin)?;
        let name = repo::rules(self.db(), p.scope())
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .and_then(|r| rule_of(r).ok())
            .map(|r| r.spec.name);
        let mut tx = self.db().begin().await?;
        repo::delete_rule(&mut tx, p.scope(), id).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::NoticeRule,
            yingke_core::SettingAction::Deleted,
            Some(id),
            name.as_deref(),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_notify_templates(&self, p: &Principal) -> AppResult<Vec<TemplateRow>> {
        p.role().require(Role::Admin)?;
        self.with_defaults(p).await?;
        Ok(repo::templates(self.db(), p.scope()).await?)
    }

    pub async fn save_notify_template(
        &self,
        p: &Principal,
        t: TemplateInput,
    ) -> AppResult<TemplateRow> {
        p.role().require(Role::Admin)?;
        let mut e = FieldErrors::new();
        if !valid_key(&t.key) {
            e.add("key", "must be 1 to 60 characters of a-z, 0-9 and _");
        }
        if yingke_core::Locale::parse(&t.locale).is_err() {
            e.add("locale", "must be a supported locale (zh-CN, en)");
        }
        if !["any", "individual", "enterprise"].contains(&t.audience.as_str()) {
            e.add("audience", "must be any, individual or enterprise");
        }
        if t.medium != "any" && Medium::parse(&t.medium).is_none() {
            e.add("medium", "must be any, in_app, email, sms or im");
        }
        if t.subject.chars().count() > 200 {
            e.add("subject", "must be at most 200 characters");
        }
        if t.body.trim().is_empty() {
            e.add("body", "must not be empty");
        }
        for (field, src) in [("subject", &t.subject), ("body", &t.body)] {
            if let Err(err) = notice_template::check(src) {
                e.add(
                    field,
                    format!("line {}, column {}: {}", err.line, err.column, err.message),
                );
            }
        }
        if t.category_id != 0
            && tickets_repo::category(self.db(), p.scope(), t.category_id)
                .await
                .is_err()
        {
            e.add("category_id", "is not a ticket category of this account");
        }
        e.finish()?;
        self.with_defaults(p).await?;
        let mut tx = self.db().begin().await?;
        let row = repo::upsert_template(
            &mut tx,
            p.scope(),
            &repo::TemplateWrite {
                key: &t.key,
                locale: &t.locale,
                audience: &t.audience,
                category_id: t.category_id,
                medium: &t.medium,
                subject: &t.subject,
                body: &t.body,
            },
            self.now(),
        )
        .await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::NoticeTemplate,
            yingke_core::SettingAction::Updated,
            Some(row.id),
            Some(&format!("{} ({})", row.key, row.locale)),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn delete_notify_template(&self, p: &Principal, id: i64) -> AppResult<()> {
        p.role().require(Role::Admin)?;
        let before = repo::template(self.db(), p.scope(), id).await?;
        let mut tx = self.db().begin().await?;
        repo::delete_template(&mut tx, p.scope(), id).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::NoticeTemplate,
            yingke_core::SettingAction::Deleted,
            Some(id),
            Some(&format!("{} ({})", before.key, before.locale)),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Renders a template for a real or sample ticket, masked like a real notice.
    pub async fn preview_notice(&self, p: &Principal, input: PreviewInput) -> AppResult<Preview> {
        p.role().require(Role::Admin)?;
        let mut e = FieldErrors::new();
        for (field, src) in [("subject", &input.subject), ("body", &input.body)] {
            if let Err(err) = notice_template::check(src) {
                e.add(
                    field,
                    format!("line {}, column {}: {}", err.line, err.column, err.message),
                );
            }
        }
        e.finish()?;
        let vars = match input.ticket_id {
            Some(id) => {
                let scope = p.scope();
                tickets_repo::get(self.db(), scope, id).await?;
                let now = self.now();
                let mut tx = self.db().begin().await?;
                let ev = DomainEvent::TicketCreated {
                    ticket_id: id,
                    number: String::new(),
                    conversation_id: None,
                };
                let ctx = self.notice_context(&mut tx, scope, id, &ev, now).await?;
                drop(tx);
                ctx.vars
            }
            None => sample_vars(),
        };
        let policy = policy_of(repo::settings(self.db(), p.scope()).await?);
        let mut mask = policy::Mask::from(&policy);
        if input.mask == Some(false) {
            mask = policy::Mask {
                phones: false,
                emails: false,
                addresses: false,
            };
        }
        let render = |field: &str, src: &str| {
            notice_template::render(src, &vars).map_err(|err| {
                AppError::Validation(FieldErrors::single(
                    field,
                    format!("line {}, column {}: {}", err.line, err.column, err.message),
                ))
            })
        };
        let subject = policy::mask(&render("subject", &input.subject)?, mask);
        let body = policy::mask(&render("body", &input.body)?, mask);
        Ok(Preview {
            subject,
            body,
            variables: vars,
        })
    }

    fn open_secrets(&self, ch: &ChannelRow) -> Value {
        self.keys()
            .open(&ch.secrets, &format!("notify-channel:{}", ch.receipt_token))
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_else(|| json!({}))
    }

    /// Where a channel's provider posts delivery receipts.
    fn receipt_url(&self, account: i64, ch: &ChannelRow) -> String {
        format!(
            "{}/n/r/{account}/{}/{}",
            self.public_url(),
            ch.id,
            ch.receipt_token
        )
    }

    fn channel_view(&self, account: i64, ch: ChannelRow) -> ChannelView {
        let secrets = match self.open_secrets(&ch) {
            Value::Object(m) => m
                .into_iter()
                .filter_map(|(k, v)| {
                    let s = v.as_str()?.to_owned();
                    let tail: String = s
                        .chars()
                        .rev()
                        .take(2)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect();
                    Some((k, format!("••••{tail}")))
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        ChannelView {
            receipt_url: self.receipt_url(account, &ch),
            id: ch.id,
            kind: ch.kind,
            medium: ch.medium,
            name: ch.name,
            config: ch.config.0,
            secrets,
            enabled: ch.enabled,
            position: ch.position,
            created_at: ch.created_at,
            updated_at: ch.updated_at,
        }
    }

    pub async fn list_notify_channels(&self, p: &Principal) -> AppResult<Vec<ChannelView>> {
        p.role().require(Role::Admin)?;
        let account = p.scope().account().0;
        Ok(repo::channels(self.db(), p.scope())
            .await?
            .into_iter()
            .map(|c| self.channel_view(account, c))
            .collect())
    }

    pub async fn save_notify_channel(
        &self,
        p: &Principal,
        id: Option<i64>,
        input: ChannelInput,
    ) -> AppResult<ChannelView> {
        p.role().require(Role::Admin)?;
        let scope = p.scope();
        let existing = match id {
            Some(id) => Some(repo::channel(self.db(), scope, id).await?),
            None => None,
        };
        let mut e = FieldErrors::new();
        let kind_name = match (&existing, &input.kind) {
            (Some(ex), Some(k)) if *k != ex.kind => {
                e.add("kind", "cannot be changed; create another channel");
                ex.kind.clone()
            }
            (Some(ex), _) => ex.kind.clone(),
            (None, Some(k)) => k.clone(),
            (None, None) => {
                e.add("kind", "is required");
                String::new()
            }
        };
        let kind = channel_kind(&kind_name);
        if kind.is_none() && !kind_name.is_empty() {
            e.add(
                "kind",
                format!(
                    "must be one of {}",
                    CHANNEL_KINDS
                        .iter()
                        .map(|k| k.kind)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            e.add("name", "must be 1 to 80 characters");
        }
        let mut secrets = existing
            .as_ref()
            .map(|c| self.open_secrets(c))
            .unwrap_or_else(|| json!({}));
        for (k, v) in &input.secrets {
            match v {
                Value::String(s) if !s.is_empty() => secrets[k] = json!(s),
                Value::Null => {
                    if let Value::Object(m) = &mut secrets {
                        m.remove(k);
                    }
                }
                _ => e.add(
                    format!("secrets.{k}"),
                    "must be a non-empty string (or null to remove)",
                ),
            }
        }
        if let Some(kind) = kind {
            for key in kind.config {
                let v = input.config.get(*key);
                if v.is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))
                {
                    e.add(
                        format!("config.{key}"),
                        format!("is required for {}", kind.kind),
                    );
                }
            }
            for key in kind.secrets {
                if secrets
                    .get(*key)
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    e.add(
                        format!("secrets.{key}"),
                        format!("is required for {}", kind.kind),
                    );
                }
            }
            check_channel_config(kind.kind, &input.config, &mut e);
        }
        e.finish()?;
        let Some(kind) = kind else {
            return Err(AppError::Internal("kind checked above".into()));
        };
        let token = existing
            .as_ref()
            .map(|c| c.receipt_token.clone())
            .unwrap_or_else(crate::keyring::random_secret_hex);
        let sealed = self
            .keys()
            .seal(&secrets.to_string(), &format!("notify-channel:{token}"));
        let config = Value::Object(input.config.clone());
        let mut tx = self.db().begin().await?;
        let row = repo::save_channel(
            &mut tx,
            scope,
            repo::ChannelWrite {
                id,
                kind: kind.kind,
                medium: kind.medium.as_str(),
                name,
                config: &config,
                secrets: &sealed,
                enabled: input.enabled,
                position: input.position,
                receipt_token: &token,
            },
            self.now(),
        )
        .await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::NoticeChannel,
            crate::audit::created_or_updated(id),
            Some(row.id),
            Some(&row.name),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(self.channel_view(scope.account().0, row))
    }

    pub async fn delete_notify_channel(&self, p: &Principal, id: i64) -> AppResult<()> {
        p.role().require(Role::Admin)?;
        let before = repo::channel(self.db(), p.scope(), id).await?;
        let mut tx = self.db().begin().await?;
        repo::delete_channel(&mut tx, p.scope(), id).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::NoticeChannel,
            yingke_core::SettingAction::Deleted,
            Some(id),
            Some(&before.name),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends a test notice on a channel now, to `to` (ignored by group robots).
    pub async fn test_notify_channel(&self, p: &Principal, id: i64, to: &str) -> AppResult<Value> {
        p.role().require(Role::Admin)?;
        let ch = repo::channel(self.db(), p.scope(), id).await?;
        let secrets = self.open_secrets(&ch);
        let vars = sample_vars();
        let key = format!("test-{}", uuid::Uuid::new_v4().simple());
        let host = self.mail_domain();
        let out = Outgoing {
            delivery_id: 0,
            idempotency_key: &key,
            kind: &ch.kind,
            config: &ch.config.0,
            secrets: &secrets,
            to,
            subject: "迎客测试通知 / Yingke test notice",
            text: "这是一条测试通知：渠道配置正确。\nThis is a test notice: the channel works.",
            vars: &vars,
            links: Links::default(),
            mail_domain: &host,
            thread_key: None,
            files: &[],
        };
        let r = tokio::time::timeout(
            std::time::Duration::from_millis(SEND_TIMEOUT_MS),
            self.notifier.send(&out),
        )
        .await;
        Ok(match r {
            Ok(Ok(s)) => json!({"ok": true, "provider_id": s.provider_id, "response": s.response}),
            Ok(Err(e)) => json!({"ok": false, "error": e.message, "response": e.response}),
            Err(_) => json!({"ok": false, "error": "the provider did not answer in time"}),
        })
    }

    pub async fn list_deliveries(
        &self,
        p: &Principal,
        f: DeliveryFilter,
        before: Option<i64>,
        limit: u32,
    ) -> AppResult<Vec<Delivery>> {
        p.role().require(Role::Agent)?;
        Ok(repo::deliveries(self.db(), p.scope(), &f, before, limit.clamp(1, 200)).await?)
    }

    /// The signed-in agent's in-app notifications.
    pub async fn my_notifications(
        &self,
        p: &Principal,
        before: Option<i64>,
        limit: u32,
    ) -> AppResult<Vec<Delivery>> {
        let f = DeliveryFilter {
            user_id: Some(p.user_id().0),
            medium: Some("in_app".into()),
            ..Default::default()
        };
        Ok(repo::deliveries(self.db(), p.scope(), &f, before, limit.clamp(1, 200)).await?)
    }

    pub async fn read_my_notification(&self, p: &Principal, id: i64) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let mut d = repo::delivery_in(&mut tx, p.scope(), id).await?;
        if d.user_id != Some(p.user_id().0) {
            return Err(AppError::NotFound);
        }
        d.read_at = d.read_at.or(Some(now));
        d.updated_at = now;
        repo::save_delivery(&mut tx, &d).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The signed-in agent's unread in-app notices, for the bell's badge.
    pub async fn my_unread_notifications(&self, p: &Principal) -> AppResult<i64> {
        Ok(repo::unread_count(self.db(), p.scope(), p.user_id().0).await?)
    }

    /// Marks all of the signed-in agent's notices read; returns how many were unread.
    pub async fn read_all_my_notifications(&self, p: &Principal) -> AppResult<u64> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let n = repo::read_all_in(&mut tx, p.scope(), p.user_id().0, now).await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn contact_notify_preferences(
        &self,
        p: &Principal,
        contact_id: i64,
    ) -> AppResult<ContactPreferences> {
        p.role().require(Role::Agent)?;
        let scope = p.scope();
        contacts::get(self.db(), scope, contact_id).await?;
        Ok(ContactPreferences {
            consents: repo::consents(self.db(), scope, contact_id).await?,
            optouts: repo::optouts(self.db(), scope, contact_id).await?,
            engagement: repo::engagement(self.db(), scope, contact_id).await?,
        })
    }

    /// An admin records consent (as the customer gave it elsewhere) or lifts opt-outs.
    pub async fn set_contact_notify_preferences(
        &self,
        p: &Principal,
        contact_id: i64,
        input: PreferencesInput,
    ) -> AppResult<ContactPreferences> {
        p.role().require(Role::Admin)?;
        let scope = p.scope();
        contacts::get(self.db(), scope, contact_id).await?;
        let mut e = FieldErrors::new();
        for m in input.consents.keys() {
            if Medium::parse(m).is_none_or(|m| m == Medium::Push) {
                e.add(format!("consents.{m}"), "must be in_app, email, sms or im");
            }
        }
        for (i, o) in input.optouts.iter().enumerate() {
            if o.medium != "*" && Medium::parse(&o.medium).is_none() {
                e.add(format!("optouts[{i}].medium"), "must be * or a medium");
            }
            if o.ticket_id != 0
                && tickets_repo::get(self.db(), scope, o.ticket_id)
                    .await
                    .is_err()
            {
                e.add(
                    format!("optouts[{i}].ticket_id"),
                    "is not a ticket of this account",
                );
            }
        }
        e.finish()?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let source = format!("admin:{}", p.user_id().0);
        for (m, granted) in &input.consents {
            repo::set_consent(&mut tx, scope, contact_id, m, *granted, &source, now).await?;
        }
        if input.clear_optouts {
            repo::clear_optouts(&mut tx, scope, contact_id).await?;
        }
        for o in &input.optouts {
            repo::add_optout(
                &mut tx,
                scope,
                contact_id,
                o.ticket_id,
                &o.medium,
                &source,
                now,
            )
            .await?;
        }
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::ContactNoticePreferences,
            yingke_core::SettingAction::Updated,
            Some(contact_id),
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        self.contact_notify_preferences(p, contact_id).await
    }

    /// Records the consent a customer gave when submitting a ticket.
    pub(crate) async fn record_ticket_consent(
        &self,
        tx: &mut Tx,
        scope: Scope,
        contact_id: i64,
        media: &[Medium],
        ticket_number: &str,
        now: i64,
    ) -> AppResult<()> {
        for m in media {
            repo::set_consent(
                tx,
                scope,
                contact_id,
                m.as_str(),
                true,
                &format!("ticket:{ticket_number}"),
                now,
            )
            .await?;
        }
        Ok(())
    }
}

impl App {
    /// An in-app notice for an agent outside any notification rule (to-do reminders, the daily
    /// list, to-do prompts, automation): stored in their notification list, delivered at once,
    /// and pushed live. `key` makes it idempotent.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn agent_notice(
        &self,
        tx: &mut Tx,
        scope: Scope,
        user: i64,
        kind: &'static str,
        subject: &str,
        params: Value,
        key: &str,
        now: i64,
    ) -> AppResult<()> {
        let pref = self.notice_pref_in(tx, scope, user, kind).await?;
        if !pref.in_app {
            return Ok(());
        }
        let mut d = blank_delivery(scope, 0, 0, key, now);
        d.ticket_id = params["ticket_id"].as_i64();
        d.rule_id = None;
        d.idempotency_key = format!("{key}:in_app");
        d.notice_kind = Some(kind.to_owned());
        d.recipient_kind = "agent".into();
        d.user_id = Some(user);
        d.medium = Medium::InApp.as_str().to_owned();
        d.locale = "zh-CN".into();
        d.subject = subject.to_owned();
        d.body = subject.to_owned();
        d.params = Json(params.clone());
        d.status = "delivered".into();
        d.sent_at = Some(now);
        d.confirmed_at = Some(now);
        if repo::insert_delivery(tx, &d).await?.is_some() && pref.email {
            self.queue_agent_digest(tx, scope, user, now).await?;
        }
        // Light reminders stay in the workspace; everything else also reaches the agent's phone
        // unless they turned that off.
        if pref.push && params["strength"] != "light" && self.queue_push(tx, scope, &d, now).await?
        {
            self.dispatch_wake.notify_one();
        }
        self.live.publish(
            scope.account(),
            crate::Live::Notice {
                user_id: user,
                kind: kind.into(),
                payload: std::sync::Arc::new(json!({ "subject": subject, "params": params })),
            },
        );
        Ok(())
    }
}

/// A delivery of rule `rule_id`'s notice on a ticket with nothing decided yet: callers fill in
/// the recipient, medium, content and state.
pub(crate) fn blank_delivery(
    scope: Scope,
    ticket_id: i64,
    rule_id: i64,
    notice_key: &str,
    now: i64,
) -> Delivery {
    Delivery {
        id: 0,
        account_id: scope.account().0,
        notice_key: notice_key.to_owned(),
        idempotency_key: String::new(),
        ticket_id: Some(ticket_id),
        rule_id: Some(rule_id),
        notice_kind: None,
        recipient_kind: String::new(),
        contact_id: None,
        user_id: None,
        medium: String::new(),
        channel_id: None,
        address: String::new(),
        locale: String::new(),
        subject: String::new(),
        body: String::new(),
        params: Json(json!({})),
        important: false,
        fallbacks: Json(json!([])),
        status: String::new(),
        skip_reason: None,
        attempts: 0,
        unconfirmed_retries: 0,
        due_at: None,
        sent_at: None,
        confirmed_at: None,
        opened_at: None,
        clicked_at: None,
        read_at: None,
        provider_id: None,
        last_response: None,
        last_error: None,
        failover_from: None,
        created_at: now,
        updated_at: now,
    }
}

/// The stored policy, or the defaults when the account has none.
fn policy_of(stored: Option<(Json<Value>, bool)>) -> Policy {
    stored
        .and_then(|(v, _)| serde_json::from_value(v.0).ok())
        .unwrap_or_default()
}

/// When the SLA clock expects the ticket resolved (the resolution metric's due time).
fn resolution_due(t: &tickets_repo::Ticket) -> Option<i64> {
    t.sla
        .0
        .get("metrics")
        .and_then(Value::as_array)?
        .iter()
        .find(|m| m.get("metric").and_then(Value::as_str) == Some("resolution"))?
        .get("due_at")
        .and_then(Value::as_i64)
}

fn is_done(t: &tickets_repo::Ticket) -> bool {
    matches!(t.status_kind.as_str(), "resolved" | "closed")
}

/// `2026-11-21 18:00` in the account's time zone.
fn local_time(tz: &jiff::tz::TimeZone, ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|ts| {
            ts.to_zoned(tz.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Where a customer is reached on `medium`: their message centre, e-mail, phone or WeCom user
/// id (the `wecom_userid` attribute); empty when unknown.
fn customer_address(c: &yingke_store::contacts::Contact, medium: Medium) -> String {
    match medium {
        Medium::InApp => format!("contact:{}", c.id),
        Medium::Email => c.email.clone(),
        Medium::Sms => c.phone.clone(),
        Medium::Im => c
            .attributes
            .get("wecom_userid")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        Medium::Push => String::new(),
    }
}

/// The first enabled channel that can reach one customer on `medium` (group robots cannot).
fn customer_channel(channels: &[ChannelRow], medium: Medium) -> Option<&ChannelRow> {
    channels
        .iter()
        .find(|c| c.enabled && c.medium == medium.as_str() && !is_group_robot(&c.kind))
}

/// Whether rule `r` fires for event `ev`.
fn triggers(r: &RuleSpec, ev: &DomainEvent) -> bool {
    if r.trigger != ev.kind() {
        return false;
    }
    match ev {
        DomainEvent::TicketStatusChanged { to_kind, .. } => {
            r.to_kinds.is_empty() || r.to_kinds.iter().any(|k| k == to_kind)
        }
        DomainEvent::TicketSlaWarning { metric, .. }
        | DomainEvent::TicketSlaBreached { metric, .. }
        | DomainEvent::TicketEscalated { metric, .. } => {
            r.metrics.is_empty() || r.metrics.iter().any(|m| m == metric)
        }
        _ => true,
    }
}

fn ticket_of(ev: &DomainEvent) -> Option<i64> {
    ev.subject()
        .strip_prefix("ticket:")
        .and_then(|s| s.parse().ok())
}

/// `individual` or `enterprise`, from the contact attribute `customer_kind` (or a company name).
fn customer_kind(c: &yingke_store::contacts::Contact) -> &'static str {
    match c.attributes.get("customer_kind").and_then(Value::as_str) {
        Some("enterprise") => "enterprise",
        Some(_) => "individual",
        None if c
            .attributes
            .get("company")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty()) =>
        {
            "enterprise"
        }
        None => "individual",
    }
}

/// Flat variables for SMS providers whose templates take named parameters.
fn sms_vars(vars: &Value) -> Value {
    let t = &vars["ticket"];
    json!({
        "number": t["number"], "status": t["status"], "title": t["title"], "eta": t["eta"],
        "fault_level": t["fault_level"], "tracking_number": t["tracking_number"],
        "name": vars["contact"]["name"], "agent": vars["agent"]["name"], "marker": vars["marker"],
        "link": t["link"],
    })
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The variant of a template that fits best; `None` when the key has no variants.
fn best_variant<'a>(
    variants: &'a [TemplateRow],
    locale: &str,
    audience: &str,
    category: i64,
    medium: &str,
) -> Option<&'a TemplateRow> {
    let lang = locale.split('-').next().unwrap_or(locale);
    variants.iter().max_by_key(|v| {
        let cat = if v.category_id == category && category != 0 {
            8
        } else if v.category_id == 0 {
            0
        } else {
            -100
        };
        let med = if v.medium == medium {
            4
        } else if v.medium == "any" {
            0
        } else {
            -100
        };
        let aud = if v.audience == audience {
            2
        } else if v.audience == "any" {
            0
        } else {
            -100
        };
        let loc = if v.locale == locale {
            16
        } else if v.locale.split('-').next() == Some(lang) {
            12
        } else if v.locale == "zh-CN" {
            1
        } else {
            0
        };
        (loc * 100 + cat + med + aud, -v.id)
    })
}

fn check_channel_config(kind: &str, config: &serde_json::Map<String, Value>, e: &mut FieldErrors) {
    let url_ok = |v: &Value| {
        v.as_str()
            .is_some_and(|s| s.starts_with("http://") || s.starts_with("https://"))
    };
    for key in ["url", "endpoint", "base_url"] {
        if let Some(v) = config.get(key)
            && !url_ok(v)
        {
            e.add(format!("config.{key}"), "must be an http(s) URL");
        }
    }
    if kind == "smtp" {
        if config
            .get("port")
            .and_then(Value::as_u64)
            .is_none_or(|p| p == 0 || p > 65535)
        {
            e.add("config.port", "must be a port number");
        }
        if !config
            .get("security")
            .and_then(Value::as_str)
            .is_some_and(|s| ["none", "starttls", "tls"].contains(&s))
        {
            e.add("config.security", "must be none, starttls or tls");
        }
        if config
            .get("from_address")
            .and_then(Value::as_str)
            .is_none_or(|s| yingke_core::Email::parse(s).is_err())
        {
            e.add("config.from_address", "must be an e-mail address");
        }
    }
    if kind == "aliyun_sms"
        && let Some(v) = config.get("signature")
        && !v.as_str().is_some_and(|s| ["v1", "acs3"].contains(&s))
    {
        e.add("config.signature", "must be v1 or acs3");
    }
}

/// Variables of the sample ticket previews render with.
pub fn sample_vars() -> Value {
    json!({
        "ticket": {"id": 0, "number": "T-2026001", "title": "订单 20260512001 未收到货", "status": "处理中",
                   "status_kind": "open", "priority": "p2", "fault_level": "P2级", "category": "物流查询",
                   "eta": "2026-11-21 18:00", "tracking_number": "SF1234567890", "order_number": "20260512001",
                   "custom": {"tracking_number": "SF1234567890"}, "link": "https://example.com/t/…"},
        "contact": {"name": "王女士", "kind": "individual"},
        "agent": {"name": "小李"},
        "team": {"name": "售后部"},
        "account": {"name": "迎客示例公司"},
        "marker": "已联系供应商",
        "status_from": "待分配",
        "reason": "",
        "optout_link": "https://example.com/n/u/…",
    })
}

/// The text with every link to `base` removed (from the link to the next space), and the colon
/// that introduced it; lines kept.
fn without_links_to(text: &str, base: &str) -> String {
    let prefix = format!("{base}/");
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let mut out = String::new();
            let mut rest = line;
            while let Some(at) = rest.find(&prefix) {
                let before = rest[..at].trim_end();
                let before = before
                    .strip_suffix('：')
                    .or_else(|| before.strip_suffix(':'))
                    .unwrap_or(before);
                out.push_str(before);
                rest = rest[at..].find(' ').map_or("", |end| &rest[at + end..]);
            }
            out.push_str(rest);
            out.trim_end().to_owned()
        })
        .collect();
    lines.join("\n").trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::without_links_to;

    #[test]
    fn links_to_this_server_are_taken_out_of_a_notice_text() {
        let base = "https://help.example.com";
        let text = "您的工单 T-1 已解决。查看详情：https://help.example.com/t/abc\nhttps://help.example.com/t/abc\n其他 https://other.example.com/x 保留";
        assert_eq!(
            without_links_to(text, base),
            "您的工单 T-1 已解决。查看详情\n\n其他 https://other.example.com/x 保留"
        );
        assert_eq!(
            without_links_to(
                "See https://help.example.com/t/abc now: https://help.example.com/n/c/x",
                base
            ),
            "See now"
        );
    }
}
