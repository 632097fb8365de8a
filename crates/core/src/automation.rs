//! Side to-dos and the automation rules that create them (D1–D7): the rule language (trigger,
//! conditions, actions, frequency limit) with validation that names the failing path, the tag-loop
//! check across an account's rules, when a delayed rule runs, how a to-do is reminded, and the
//! per-rule analytics with their suggestions. Pure: the app layer feeds facts and rows in.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::{
    BusinessCalendar, FieldErrors,
    condition::{Catalogue, Condition, FieldKind, clock, f, parse_duration},
};

/// The contact facts every automation rule can test, then whatever else a catalogue adds.
macro_rules! contact_catalogue {
    ($($extra:expr,)*) => {
        Catalogue(&[
            f("contact.name", FieldKind::Text, "contact name"),
            f("contact.email", FieldKind::Text, "contact e-mail"),
            f("contact.phone", FieldKind::Text, "contact phone"),
            f(
                "contact.identified",
                FieldKind::Bool,
                "identity verified by the site",
            ),
            f("contact.tags", FieldKind::Tags, "contact tags"),
            f(
                "contact.custom.*",
                FieldKind::Any,
                "custom attribute (date attributes compare as moments)",
            ),
            f(
                "contact.changed.*",
                FieldKind::Timestamp,
                "when a custom attribute last changed (order status unchanged for N hours)",
            ),
            f("contact.created_at", FieldKind::Timestamp, "first seen"),
            f(
                "contact.last_seen_at",
                FieldKind::Timestamp,
                "last seen by the widget",
            ),
            f(
                "contact.last_interaction_at",
                FieldKind::Timestamp,
                "last message either way",
            ),
            f(
                "contact.last_contacted_at",
                FieldKind::Timestamp,
                "last message from an agent",
            ),
            f(
                "contact.first_conversation_at",
                FieldKind::Timestamp,
                "first enquiry",
            ),
            f(
                "contact.last_conversation_at",
                FieldKind::Timestamp,
                "latest enquiry",
            ),
            f(
                "contact.conversations",
                FieldKind::Number,
                "number of conversations",
            ),
            f(
                "contact.open_todos",
                FieldKind::Number,
                "open to-dos about the contact",
            ),
            $($extra,)*
        ])
    };
}

/// What a customer-state rule (scan or absolute time) can test: the contact alone.
pub const CONTACT_STATE_FIELDS: Catalogue = contact_catalogue!();

/// What an event rule can test: the contact, plus the conversation or ticket it fired for and the
/// event itself.
pub const AUTOMATION_FIELDS: Catalogue = contact_catalogue!(
    f(
        "conversation.status",
        FieldKind::Text,
        "open, pending, resolved, closed",
    ),
    f(
        "conversation.channel",
        FieldKind::Text,
        "channel kind (web_widget…)",
    ),
    f("conversation.tags", FieldKind::Tags, "conversation tags"),
    f(
        "conversation.priority",
        FieldKind::Number,
        "0 low … 3 urgent",
    ),
    f(
        "conversation.assignee_id",
        FieldKind::Number,
        "assigned agent",
    ),
    f("conversation.team_id", FieldKind::Number, "team"),
    f(
        "entry.campaign",
        FieldKind::Text,
        "campaign of the entry point",
    ),
    f("entry.business_module", FieldKind::Text, "business module"),
    f("ticket.priority", FieldKind::Text, "priority (p1 … p4)"),
    f("ticket.status", FieldKind::Text, "state key"),
    f(
        "ticket.status_kind",
        FieldKind::Text,
        "new, open, pending, resolved, closed",
    ),
    f("ticket.category", FieldKind::Text, "category key"),
    f("ticket.tags", FieldKind::Tags, "ticket tags"),
    f("ticket.team_id", FieldKind::Number, "department (team) id"),
    f("ticket.custom.*", FieldKind::Any, "custom field"),
    f(
        "event.tag",
        FieldKind::Text,
        "the tag that was added (tag triggers)",
    ),
    f(
        "event.to",
        FieldKind::Text,
        "the state moved into (ticket status triggers)",
    ),
    f("event.button", FieldKind::Text, "the button pressed"),
);

/// To-do priorities, lowest first.
pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

/// To-do statuses. `snoozed` is open work hidden until `snoozed_until`.
pub const STATUSES: [&str; 4] = ["open", "done", "cancelled", "snoozed"];

/// How a to-do repeats once done.
pub const REPEATS: [&str; 3] = ["daily", "weekly", "monthly"];

/// Variables a to-do title or note (in a rule or a template) may use.
pub const TODO_VARIABLES: [&str; 8] = [
    "contact.name",
    "contact.phone",
    "conversation.number",
    "ticket.number",
    "ticket.title",
    "tag",
    "rule.name",
    "agent.name",
];

pub fn priority_rank(p: &str) -> usize {
    PRIORITIES.iter().position(|x| *x == p).unwrap_or(1)
}

/// The longest to-do title.
pub const MAX_TITLE: usize = 200;
/// The longest to-do note.
pub const MAX_NOTE: usize = 4000;
/// Scans run at most this often.
pub const MIN_SCAN_SECS: i64 = 300;
/// Steps in a follow-up chain.
pub const MAX_CHAIN_STEPS: usize = 10;
/// Actions per rule.
pub const MAX_ACTIONS: usize = 10;

/// The event that starts a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EventKind {
    /// An agent pressed the rule's button on a conversation ("需要回访").
    Button,
    ConversationCreated,
    /// A tag was added to a conversation.
    ConversationTagged,
    ConversationResolved,
    TicketCreated,
    TicketStatusChanged,
    /// A ticket's SLA deadline is this close ("SLA in 30 minutes → 优先处理").
    TicketSlaDue,
}

const EVENT_KINDS: [EventKind; 7] = [
    EventKind::Button,
    EventKind::ConversationCreated,
    EventKind::ConversationTagged,
    EventKind::ConversationResolved,
    EventKind::TicketCreated,
    EventKind::TicketStatusChanged,
    EventKind::TicketSlaDue,
];

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Button => "button",
            Self::ConversationCreated => "conversation.created",
            Self::ConversationTagged => "conversation.tagged",
            Self::ConversationResolved => "conversation.resolved",
            Self::TicketCreated => "ticket.created",
            Self::TicketStatusChanged => "ticket.status_changed",
            Self::TicketSlaDue => "ticket.sla_due",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        EVENT_KINDS.into_iter().find(|k| k.name() == s)
    }

    /// Whether the rule fires for a ticket (else a conversation).
    pub fn is_ticket(self) -> bool {
        matches!(
            self,
            Self::TicketCreated | Self::TicketStatusChanged | Self::TicketSlaDue
        )
    }
}

/// When an event rule's actions run, relative to the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wait {
    Now,
    /// Seconds after the event ("24 h after creation").
    After(i64),
    /// The next local time on one of `weekdays` ("next Monday 09:00"), optionally on a working day
    /// of the account's calendar only.
    Next {
        weekdays: Vec<u8>,
        minute: u16,
        working_days: bool,
    },
}

impl Wait {
    /// When to run for an event at `event_at`; `None` when the calendar never has such a day.
    pub fn run_at(&self, event_at: i64, calendar: &BusinessCalendar) -> Option<i64> {
        match self {
            Self::Now => Some(event_at),
            Self::After(s) => Some(event_at + s * 1000),
            Self::Next {
                weekdays,
                minute,
                working_days,
            } => calendar.next_local(event_at, weekdays, *minute, *working_days),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Self::Now => Value::Null,
            Self::After(s) => json!({ "after": s }),
            Self::Next {
                weekdays,
                minute,
                working_days,
            } => json!({ "next": {
                "weekdays": weekdays,
                "time": format!("{:02}:{:02}", minute / 60, minute % 60),
                "working_days": working_days,
            }}),
        }
    }
}

/// What starts a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    Event {
        event: EventKind,
        /// The button key, the tag, or the ticket state moved into (`None` = any).
        key: Option<String>,
        /// For `ticket.sla_due`: how long before the deadline.
        before_secs: Option<i64>,
        wait: Wait,
    },
    /// Customer-state rule evaluated over every contact on a schedule.
    Scan { every_secs: i64 },
    /// Customer-state rule evaluated once at an absolute time.
    At { at_ms: i64 },
}

impl Trigger {
    /// `event`, `scan` or `at`: stored for lookups.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Event { .. } => "event",
            Self::Scan { .. } => "scan",
            Self::At { .. } => "at",
        }
    }

    pub fn event(&self) -> Option<EventKind> {
        match self {
            Self::Event { event, .. } => Some(*event),
            _ => None,
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Self::Event {
                event,
                key,
                before_secs,
                wait,
            } => {
                let mut m = Map::new();
                m.insert("kind".into(), "event".into());
                m.insert("event".into(), event.name().into());
                if let Some(k) = key {
                    m.insert("key".into(), k.clone().into());
                }
                if let Some(b) = before_secs {
                    m.insert("before".into(), (*b).into());
                }
                if let Value::Object(w) = wait.to_json() {
                    m.extend(w);
                }
                Value::Object(m)
            }
            Self::Scan { every_secs } => json!({ "kind": "scan", "every": every_secs }),
            Self::At { at_ms } => json!({ "kind": "at", "at": at_ms }),
        }
    }
}

/// Who gets a to-do or a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// The agent of the conversation (for a contact: of their latest conversation).
    ConversationAgent,
    /// The contact's owner, else the agent who served them last.
    ContactOwner,
    /// The member of a team with the fewest open to-dos (online members first).
    TeamLeastLoaded(i64),
    User(i64),
    /// The agent the chain started with (chain steps only).
    ChainOrigin,
}

impl Owner {
    fn to_json(&self) -> Value {
        match self {
            Self::ConversationAgent => json!({ "strategy": "conversation_agent" }),
            Self::ContactOwner => json!({ "strategy": "contact_owner" }),
            Self::TeamLeastLoaded(t) => json!({ "strategy": "team_least_loaded", "team_id": t }),
            Self::User(u) => json!({ "strategy": "user", "user_id": u }),
            Self::ChainOrigin => json!({ "strategy": "chain_origin" }),
        }
    }
}

/// A to-do a rule (or a chain step) creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoSpec {
    pub title: String,
    pub note: String,
    pub owner: Owner,
    pub priority: String,
    pub colour: Option<String>,
    /// Seconds from creation to the due time.
    pub due_in: Option<i64>,
    /// Seconds before the due time to remind (or after creation without a due time).
    pub remind_before: Option<i64>,
    /// In a chain step: the to-do only marks the wait ("等待技术反馈"); it is closed when the step's
    /// other to-dos are done.
    pub waits: bool,
}

impl TodoSpec {
    pub fn to_json(&self) -> Value {
        json!({
            "title": self.title,
            "note": self.note,
            "owner": self.owner.to_json(),
            "priority": self.priority,
            "colour": self.colour,
            "due_in": self.due_in,
            "remind_before": self.remind_before,
            "waits": self.waits,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagTarget {
    Contact,
    Conversation,
}

/// What a rule does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    CreateTodo(TodoSpec),
    AddTag {
        tag: String,
        target: TagTarget,
    },
    /// Assigns the conversation to an agent or a team.
    Assign {
        user_id: Option<i64>,
        team_id: Option<i64>,
    },
    /// An in-app notice to an agent.
    Notify {
        to: Owner,
        message: String,
    },
    /// Steps of to-dos; a step is created when the previous one's working to-dos are done.
    Chain {
        steps: Vec<Vec<TodoSpec>>,
    },
}

impl Action {
    pub fn to_json(&self) -> Value {
        match self {
            Self::CreateTodo(t) => {
                let mut v = t.to_json();
                v["type"] = "create_todo".into();
                v
            }
            Self::AddTag { tag, target } => json!({
                "type": "add_tag",
                "tag": tag,
                "target": match target { TagTarget::Contact => "contact", TagTarget::Conversation => "conversation" },
            }),
            Self::Assign { user_id, team_id } => {
                json!({ "type": "assign", "user_id": user_id, "team_id": team_id })
            }
            Self::Notify { to, message } => {
                json!({ "type": "notify", "to": to.to_json(), "message": message })
            }
            Self::Chain { steps } => json!({
                "type": "chain",
                "steps": steps.iter().map(|s| json!({ "todos": s.iter().map(TodoSpec::to_json).collect::<Vec<_>>() })).collect::<Vec<_>>(),
            }),
        }
    }
}

/// An id a rule refers to, with where; the app checks it belongs to the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    Team(i64),
    User(i64),
}

/// A validated rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSpec {
    pub trigger: Trigger,
    pub conditions: Condition,
    pub actions: Vec<Action>,
    /// At most one run per contact per this many days.
    pub limit_days: Option<i64>,
}

/// Default frequency limit of customer-state rules: a contact gets one to-do per rule a week.
pub const DEFAULT_SCAN_LIMIT_DAYS: i64 = 7;

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// `2026-12-01T09:00:00+08:00` or epoch milliseconds.
fn moment(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s
            .parse::<jiff::Timestamp>()
            .ok()
            .map(|t| t.as_millisecond()),
        _ => None,
    }
}

fn check_title(errors: &mut FieldErrors, path: &str, title: &str) {
    if title.trim().is_empty() {
        errors.add(path, "must not be empty");
    } else if title.chars().count() > MAX_TITLE {
        errors.add(path, format!("must be at most {MAX_TITLE} characters"));
    } else if let Err(e) = crate::template::validate_with(title, &TODO_VARIABLES) {
        errors.add(path, e);
    }
}

/// Checks a to-do colour: `#rgb` or `#rrggbb`.
pub fn valid_colour(c: &str) -> bool {
    let hex = c.strip_prefix('#').unwrap_or("");
    matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

fn parse_owner(v: Option<&Value>, path: &str, in_chain: bool, errors: &mut FieldErrors) -> Owner {
    let Some(v) = v else {
        return Owner::ConversationAgent;
    };
    let id = |key: &str, errors: &mut FieldErrors| match v.get(key).and_then(Value::as_i64) {
        Some(id) if id > 0 => id,
        _ => {
            errors.add(format!("{path}.{key}"), "must be an id");
            0
        }
    };
    match str_at(v, "strategy") {
        Some("conversation_agent") => Owner::ConversationAgent,
        Some("contact_owner") => Owner::ContactOwner,
        Some("team_least_loaded") => Owner::TeamLeastLoaded(id("team_id", errors)),
        Some("user") => Owner::User(id("user_id", errors)),
        Some("chain_origin") if in_chain => Owner::ChainOrigin,
        _ => {
            errors.add(
                format!("{path}.strategy"),
                if in_chain {
                    "must be conversation_agent, contact_owner, team_least_loaded, user or chain_origin"
                } else {
                    "must be conversation_agent, contact_owner, team_least_loaded or user"
                },
            );
            Owner::ConversationAgent
        }
    }
}

fn opt_duration(v: &Value, key: &str, path: &str, errors: &mut FieldErrors) -> Option<i64> {
    match v.get(key) {
        None | Some(Value::Null) => None,
        Some(d) => errors.check(&format!("{path}.{key}"), parse_duration(d)),
    }
}

/// Validates a to-do spec (in a rule, a chain step or a template).
pub fn parse_todo(v: &Value, path: &str, in_chain: bool, errors: &mut FieldErrors) -> TodoSpec {
    let title = str_at(v, "title").unwrap_or("").to_owned();
    check_title(errors, &format!("{path}.title"), &title);
    let note = str_at(v, "note").unwrap_or("").to_owned();
    if note.chars().count() > MAX_NOTE {
        errors.add(
            format!("{path}.note"),
            format!("must be at most {MAX_NOTE} characters"),
        );
    } else if let Err(e) = crate::template::validate_with(&note, &TODO_VARIABLES) {
        errors.add(format!("{path}.note"), e);
    }
    let priority = str_at(v, "priority").unwrap_or("normal").to_owned();
    if !PRIORITIES.contains(&priority.as_str()) {
        errors.add(
            format!("{path}.priority"),
            "must be low, normal, high or urgent",
        );
    }
    let colour = str_at(v, "colour").map(str::to_owned);
    if colour.as_deref().is_some_and(|c| !valid_colour(c)) {
        errors.add(format!("{path}.colour"), "must be #rgb or #rrggbb");
    }
    let due_in = opt_duration(v, "due_in", path, errors);
    let remind_before = match v.get("remind_before") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_i64() == Some(0) => Some(0),
        Some(d) => errors.check(&format!("{path}.remind_before"), parse_duration(d)),
    };
    if let (Some(d), Some(r)) = (due_in, remind_before)
        && r > d
    {
        errors.add(
            format!("{path}.remind_before"),
            "reminds before the to-do exists: must not exceed due_in",
        );
    }
    let waits = v.get("waits").and_then(Value::as_bool).unwrap_or(false);
    if waits && !in_chain {
        errors.add(
            format!("{path}.waits"),
            "only chain steps have waiting to-dos",
        );
    }
    TodoSpec {
        title,
        note,
        owner: parse_owner(v.get("owner"), &format!("{path}.owner"), in_chain, errors),
        priority,
        colour,
        due_in,
        remind_before,
        waits,
    }
}

fn parse_trigger(v: &Value, now: i64, errors: &mut FieldErrors) -> Option<Trigger> {
    let path = "trigger";
    if !v.is_object() {
        errors.add(path, "must be an object with a kind");
        return None;
    }
    match str_at(v, "kind") {
        Some("event") => {
            let Some(event) = str_at(v, "event").and_then(EventKind::parse) else {
                errors.add(
                    "trigger.event",
                    format!(
                        "must be one of {}",
                        EVENT_KINDS.map(EventKind::name).join(", ")
                    ),
                );
                return None;
            };
            let key = str_at(v, "key")
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_owned);
            match event {
                EventKind::Button | EventKind::ConversationTagged if key.is_none() => {
                    errors.add(
                        "trigger.key",
                        if event == EventKind::Button {
                            "names the button (\"needs_follow_up\")"
                        } else {
                            "names the tag"
                        },
                    );
                }
                _ => {}
            }
            if key.as_deref().is_some_and(|k| k.chars().count() > 64) {
                errors.add("trigger.key", "must be at most 64 characters");
            }
            let before_secs = if event == EventKind::TicketSlaDue {
                match v.get("before") {
                    Some(d) => errors.check("trigger.before", parse_duration(d)),
                    None => {
                        errors.add("trigger.before", "how long before the deadline (\"30m\")");
                        None
                    }
                }
            } else {
                None
            };
            let wait = match (v.get("after"), v.get("next")) {
                (Some(_), Some(_)) => {
                    errors.add("trigger.next", "use either after or next, not both");
                    Wait::Now
                }
                (Some(d), None) => errors
                    .check("trigger.after", parse_duration(d))
                    .map_or(Wait::Now, Wait::After),
                (None, Some(n)) => {
                    let weekdays: Vec<u8> = match n.get("weekdays") {
                        None | Some(Value::Null) => Vec::new(),
                        Some(Value::Array(items)) => items
                            .iter()
                            .enumerate()
                            .filter_map(|(i, d)| {
                                let wd = d.as_u64().filter(|d| (1..=7).contains(d));
                                if wd.is_none() {
                                    errors.add(
                                        format!("trigger.next.weekdays[{i}]"),
                                        "must be 1 (Monday) … 7 (Sunday)",
                                    );
                                }
                                wd.map(|d| d as u8)
                            })
                            .collect(),
                        Some(_) => {
                            errors.add("trigger.next.weekdays", "must be a list of 1 … 7");
                            Vec::new()
                        }
                    };
                    let minute = str_at(n, "time").and_then(clock);
                    if minute.is_none() {
                        errors.add("trigger.next.time", "must be HH:MM");
                    }
                    Wait::Next {
                        weekdays,
                        minute: minute.unwrap_or(0),
                        working_days: n
                            .get("working_days")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                    }
                }
                (None, None) => Wait::Now,
            };
            if event == EventKind::Button && wait != Wait::Now {
                errors.add("trigger", "a button runs at once: no after or next");
            }
            Some(Trigger::Event {
                event,
                key,
                before_secs,
                wait,
            })
        }
        Some("scan") => {
            let every = match v.get("every") {
                Some(d) => errors.check("trigger.every", parse_duration(d))?,
                None => 3600,
            };
            if every < MIN_SCAN_SECS {
                errors.add(
                    "trigger.every",
                    format!("must be at least {} minutes", MIN_SCAN_SECS / 60),
                );
            }
            Some(Trigger::Scan { every_secs: every })
        }
        Some("at") => match v.get("at").and_then(moment) {
            Some(at) if at > now => Some(Trigger::At { at_ms: at }),
            Some(_) => {
                errors.add("trigger.at", "is in the past");
                None
            }
            None => {
                errors.add(
                    "trigger.at",
                    "must be a time with its offset (2026-12-01T09:00:00+08:00) or epoch ms",
                );
                None
            }
        },
        _ => {
            errors.add("trigger.kind", "must be event, scan or at");
            None
        }
    }
}

fn parse_action(v: &Value, path: &str, errors: &mut FieldErrors) -> Option<Action> {
    match str_at(v, "type") {
        Some("create_todo") => Some(Action::CreateTodo(parse_todo(v, path, false, errors))),
        Some("add_tag") => {
            let tag = str_at(v, "tag").map(str::trim).unwrap_or("").to_owned();
            if tag.is_empty() || tag.chars().count() > 64 {
                errors.add(format!("{path}.tag"), "must be 1–64 characters");
            }
            let target = match str_at(v, "target").unwrap_or("conversation") {
                "contact" => TagTarget::Contact,
                "conversation" => TagTarget::Conversation,
                _ => {
                    errors.add(format!("{path}.target"), "must be contact or conversation");
                    TagTarget::Conversation
                }
            };
            Some(Action::AddTag { tag, target })
        }
        Some("assign") => {
            let user_id = v.get("user_id").and_then(Value::as_i64);
            let team_id = v.get("team_id").and_then(Value::as_i64);
            if user_id.is_none() && team_id.is_none() {
                errors.add(path, "names a user_id or a team_id");
            }
            Some(Action::Assign { user_id, team_id })
        }
        Some("notify") => {
            let message = str_at(v, "message").unwrap_or("").to_owned();
            check_title(errors, &format!("{path}.message"), &message);
            Some(Action::Notify {
                to: parse_owner(v.get("to"), &format!("{path}.to"), false, errors),
                message,
            })
        }
        Some("chain") => {
            let Some(steps) = v.get("steps").and_then(Value::as_array) else {
                errors.add(format!("{path}.steps"), "must be a list of steps");
                return None;
            };
            if steps.len() < 2 || steps.len() > MAX_CHAIN_STEPS {
                errors.add(
                    format!("{path}.steps"),
                    format!("a chain has 2 to {MAX_CHAIN_STEPS} steps"),
                );
            }
            let steps = steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let sp = format!("{path}.steps[{i}].todos");
                    let todos: Vec<TodoSpec> = match s.get("todos").and_then(Value::as_array) {
                        Some(t) if !t.is_empty() && t.len() <= 10 => t
                            .iter()
                            .enumerate()
                            .map(|(j, t)| parse_todo(t, &format!("{sp}[{j}]"), true, errors))
                            .collect(),
                        _ => {
                            errors.add(&sp, "must list 1 to 10 to-dos");
                            Vec::new()
                        }
                    };
                    if !todos.is_empty() && todos.iter().all(|t| t.waits) {
                        errors.add(
                            &sp,
                            "has only waiting to-dos: the chain could never move on",
                        );
                    }
                    todos
                })
                .collect();
            Some(Action::Chain { steps })
        }
        _ => {
            errors.add(
                format!("{path}.type"),
                "must be create_todo, add_tag, assign, notify or chain",
            );
            None
        }
    }
}

impl RuleSpec {
    /// Validates a rule's parts, naming every problem by its path (`actions[1].owner.team_id`).
    pub fn parse(
        trigger: &Value,
        conditions: &Value,
        actions: &Value,
        limit_days: Option<i64>,
        now: i64,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let trigger = parse_trigger(trigger, now, &mut errors);
        let catalogue = match trigger {
            Some(Trigger::Event { .. }) | None => &AUTOMATION_FIELDS,
            Some(_) => &CONTACT_STATE_FIELDS,
        };
        let conditions = match Condition::parse(conditions, catalogue, "conditions") {
            Ok(c) => Some(c),
            Err(e) => {
                let contact_only = !matches!(trigger, Some(Trigger::Event { .. }) | None);
                for mut fe in e.into_vec() {
                    if contact_only && fe.message.starts_with("unknown field") {
                        fe.message =
                            format!("{}; customer-state rules test the contact only", fe.message);
                    }
                    errors.add(fe.field, fe.message);
                }
                None
            }
        };
        let actions: Vec<Action> = match actions.as_array() {
            Some(a) if !a.is_empty() && a.len() <= MAX_ACTIONS => a
                .iter()
                .enumerate()
                .filter_map(|(i, v)| parse_action(v, &format!("actions[{i}]"), &mut errors))
                .collect(),
            _ => {
                errors.add("actions", format!("must list 1 to {MAX_ACTIONS} actions"));
                Vec::new()
            }
        };
        let needs_conversation = |a: &Action| match a {
            Action::Assign { .. } => true,
            Action::AddTag { target, .. } => *target == TagTarget::Conversation,
            _ => false,
        };
        if let Some(t) = &trigger {
            let has_conversation = matches!(t, Trigger::Event { event, .. } if !event.is_ticket());
            for (i, a) in actions.iter().enumerate() {
                if !has_conversation && needs_conversation(a) {
                    errors.add(
                        format!("actions[{i}]"),
                        "needs a conversation: only conversation triggers can assign or tag it",
                    );
                }
            }
        }
        let limit_days = match (limit_days, &trigger) {
            (Some(d), _) if !(1..=365).contains(&d) => {
                errors.add("limit_days", "must be 1 to 365 days");
                None
            }
            (Some(d), _) => Some(d),
            (None, Some(Trigger::Scan { .. } | Trigger::At { .. })) => {
                Some(DEFAULT_SCAN_LIMIT_DAYS)
            }
            (None, _) => None,
        };
        errors.finish()?;
        Ok(Self {
            trigger: trigger.expect("no errors: the trigger parsed"),
            conditions: conditions.expect("no errors: the conditions parsed"),
            actions,
            limit_days,
        })
    }

    /// Teams and users the rule names, with their paths, for the account check.
    pub fn refs(&self) -> Vec<(String, Ref)> {
        let mut out = Vec::new();
        let owner = |o: &Owner, path: String, out: &mut Vec<(String, Ref)>| match o {
            Owner::TeamLeastLoaded(t) => out.push((format!("{path}.team_id"), Ref::Team(*t))),
            Owner::User(u) => out.push((format!("{path}.user_id"), Ref::User(*u))),
            _ => {}
        };
        for (i, a) in self.actions.iter().enumerate() {
            let p = format!("actions[{i}]");
            match a {
                Action::CreateTodo(t) => owner(&t.owner, format!("{p}.owner"), &mut out),
                Action::Notify { to, .. } => owner(to, format!("{p}.to"), &mut out),
                Action::Assign { user_id, team_id } => {
                    if let Some(u) = user_id {
                        out.push((format!("{p}.user_id"), Ref::User(*u)));
                    }
                    if let Some(t) = team_id {
                        out.push((format!("{p}.team_id"), Ref::Team(*t)));
                    }
                }
                Action::Chain { steps } => {
                    for (s, todos) in steps.iter().enumerate() {
                        for (j, t) in todos.iter().enumerate() {
                            owner(
                                &t.owner,
                                format!("{p}.steps[{s}].todos[{j}].owner"),
                                &mut out,
                            );
                        }
                    }
                }
                Action::AddTag { .. } => {}
            }
        }
        out
    }

    /// The conversation tag that triggers the rule, if it is a tag rule.
    pub fn trigger_tag(&self) -> Option<&str> {
        match &self.trigger {
            Trigger::Event {
                event: EventKind::ConversationTagged,
                key,
                ..
            } => key.as_deref(),
            _ => None,
        }
    }

    /// Conversation tags the rule adds, with the action's path.
    pub fn added_tags(&self) -> Vec<(String, &str)> {
        self.actions
            .iter()
            .enumerate()
            .filter_map(|(i, a)| match a {
                Action::AddTag {
                    tag,
                    target: TagTarget::Conversation,
                } => Some((format!("actions[{i}].tag"), tag.as_str())),
                _ => None,
            })
            .collect()
    }

    pub fn actions_json(&self) -> Value {
        Value::Array(self.actions.iter().map(Action::to_json).collect())
    }
}

/// A rule as the loop check sees it.
#[derive(Debug, Clone)]
pub struct TagEdges {
    pub rule_id: i64,
    pub trigger_tag: Option<String>,
    pub adds: Vec<String>,
}

/// Finds a loop of tag rules (rule A adds the tag that triggers rule B, which adds the tag that
/// triggers A): the rule ids around it, starting from `start`, or `None`.
pub fn find_tag_loop(rules: &[TagEdges], start: i64) -> Option<Vec<i64>> {
    let by_tag: HashMap<&str, Vec<&TagEdges>> = rules.iter().fold(HashMap::new(), |mut m, r| {
        if let Some(t) = &r.trigger_tag {
            m.entry(t.as_str()).or_default().push(r);
        }
        m
    });
    let by_id: HashMap<i64, &TagEdges> = rules.iter().map(|r| (r.rule_id, r)).collect();
    // Depth-first search from `start` along "adds a tag that triggers".
    let mut stack: Vec<(i64, Vec<i64>)> = vec![(start, vec![start])];
    let mut seen = BTreeSet::new();
    while let Some((id, path)) = stack.pop() {
        let Some(rule) = by_id.get(&id) else { continue };
        for tag in &rule.adds {
            for next in by_tag.get(tag.as_str()).into_iter().flatten() {
                if next.rule_id == start {
                    return Some(path.clone());
                }
                if seen.insert(next.rule_id) {
                    let mut p = path.clone();
                    p.push(next.rule_id);
                    stack.push((next.rule_id, p));
                }
            }
        }
    }
    None
}

/// How a to-do is brought to its owner's attention (D5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reminder {
    /// A pop-up that stays until dismissed, and web push: high and urgent only.
    Strong,
    /// A quiet in-app notice.
    Light,
    /// No reminder of its own: listed in the daily list at shift start.
    Digest,
}

/// Reminder strength by priority: no storms — only high and urgent interrupt; low-priority and
/// non-urgent repeating to-dos wait for the daily list.
pub fn reminder_for(priority: &str, repeating: bool) -> Reminder {
    match priority_rank(priority) {
        r if r >= 2 => Reminder::Strong,
        0 => Reminder::Digest,
        _ if repeating => Reminder::Digest,
        _ => Reminder::Light,
    }
}

/// How late a to-do is, for colours: `done`, `overdue`, `due_soon` (within 2 hours), `on_time`.
pub fn lateness(status: &str, due_at: Option<i64>, now: i64) -> &'static str {
    match (status, due_at) {
        ("done" | "cancelled", _) => "closed",
        (_, Some(d)) if d < now => "overdue",
        (_, Some(d)) if d - now <= 2 * 3_600_000 => "due_soon",
        _ => "on_time",
    }
}

/// One generated to-do, as analytics sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome<'a> {
    pub status: &'a str,
    pub created_at: i64,
    pub due_at: Option<i64>,
    pub completed_at: Option<i64>,
    /// Whether anyone acted on it (edited, snoozed, commented, closed) before now.
    pub touched: bool,
}

/// A to-do still open this long after its due time (or creation, without one) and never touched
/// counts as ignored.
pub const IGNORED_AFTER_MS: i64 = 3 * 86_400_000;

/// Thresholds of the suggestions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalyticsSettings {
    /// A rule that has not fired for this many days is flagged.
    pub quiet_days: i64,
    /// Ignored share (percent) of closed-or-ignored to-dos above which a rule is flagged…
    pub ignored_pct: u32,
    /// …once it has generated at least this many.
    pub min_sample: u32,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        Self {
            quiet_days: 30,
            ignored_pct: 50,
            min_sample: 5,
        }
    }
}

/// A rule's figures (D7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleStats {
    pub generated: u32,
    pub open: u32,
    pub completed: u32,
    pub completed_late: u32,
    pub ignored: u32,
    pub cancelled: u32,
    pub median_completion_ms: Option<i64>,
    pub last_fired_at: Option<i64>,
    pub suggestions: Vec<Suggestion>,
}

/// What to do about a rule that does not work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// `never_fired`, `mostly_ignored`, `mostly_late`.
    pub code: &'static str,
    pub message: String,
}

/// Computes a rule's figures from its to-dos. Every generated to-do is exactly one of open,
/// completed, ignored or cancelled; completed_late ⊆ completed.
pub fn rule_stats(
    outcomes: &[Outcome<'_>],
    rule_created_at: i64,
    last_fired_at: Option<i64>,
    now: i64,
    s: AnalyticsSettings,
) -> RuleStats {
    let mut st = RuleStats {
        generated: 0,
        open: 0,
        completed: 0,
        completed_late: 0,
        ignored: 0,
        cancelled: 0,
        median_completion_ms: None,
        last_fired_at,
        suggestions: Vec::new(),
    };
    let mut durations = Vec::new();
    for o in outcomes {
        st.generated += 1;
        match o.status {
            "done" => {
                st.completed += 1;
                let done = o.completed_at.unwrap_or(o.created_at);
                durations.push(done - o.created_at);
                if o.due_at.is_some_and(|d| done > d) {
                    st.completed_late += 1;
                }
            }
            "cancelled" => st.cancelled += 1,
            _ => {
                let expired = now - o.due_at.unwrap_or(o.created_at) > IGNORED_AFTER_MS;
                if expired && !o.touched {
                    st.ignored += 1;
                } else {
                    st.open += 1;
                }
            }
        }
    }
    durations.sort_unstable();
    if !durations.is_empty() {
        let n = durations.len();
        st.median_completion_ms = Some(if n % 2 == 1 {
            durations[n / 2]
        } else {
            (durations[n / 2 - 1] + durations[n / 2]) / 2
        });
    }
    let quiet_ms = s.quiet_days * 86_400_000;
    let since = last_fired_at.unwrap_or(rule_created_at);
    if now - since > quiet_ms {
        st.suggestions.push(Suggestion {
            code: "never_fired",
            message: format!(
                "has not fired in {} days: lower its threshold or widen its conditions, or retire it",
                s.quiet_days
            ),
        });
    }
    let decided = st.completed + st.ignored + st.cancelled;
    if st.generated >= s.min_sample && decided > 0 && st.ignored * 100 > s.ignored_pct * decided {
        st.suggestions.push(Suggestion {
            code: "mostly_ignored",
            message: format!(
                "{} of {} to-dos were ignored: narrow the conditions, lower the priority, or retire the rule",
                st.ignored, decided
            ),
        });
    }
    if st.completed >= s.min_sample && st.completed_late * 2 > st.completed {
        st.suggestions.push(Suggestion {
            code: "mostly_late",
            message: format!(
                "{} of {} were completed late: give more time (due_in) or route to a team with room",
                st.completed_late, st.completed
            ),
        });
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CalendarSpec;
    use proptest::prelude::*;

    fn parse(trigger: Value, conditions: Value, actions: Value) -> Result<RuleSpec, FieldErrors> {
        RuleSpec::parse(&trigger, &conditions, &actions, None, 1_000)
    }

    fn fields(e: FieldErrors) -> Vec<String> {
        e.into_vec().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_tag_rule_with_a_chain_parses_and_round_trips() {
        let r = parse(
            json!({"kind": "event", "event": "conversation.tagged", "key": "技术问题"}),
            json!({"all": []}),
            json!([{"type": "chain", "steps": [
                {"todos": [
                    {"title": "排查 {{contact.name}} 的问题", "owner": {"strategy": "team_least_loaded", "team_id": 7}, "priority": "high"},
                    {"title": "等待技术反馈", "owner": {"strategy": "conversation_agent"}, "waits": true}
                ]},
                {"todos": [{"title": "向用户反馈结果", "owner": {"strategy": "chain_origin"}}]}
            ]}]),
        )
        .expect("valid");
        assert_eq!(r.trigger_tag(), Some("技术问题"));
        assert_eq!(
            r.refs(),
            vec![(
                "actions[0].steps[0].todos[0].owner.team_id".to_owned(),
                Ref::Team(7)
            )]
        );
        let again = RuleSpec::parse(
            &r.trigger.to_json(),
            &r.conditions.to_json(),
            &r.actions_json(),
            r.limit_days,
            1_000,
        )
        .expect("round trip");
        assert_eq!(again, r);
    }

    #[test]
    fn bad_rules_name_their_paths() {
        let e = parse(
            json!({"kind": "scan", "every": "1m"}),
            json!({"all": [{"field": "conversation.status", "op": "eq", "value": "open"}]}),
            json!([
                {"type": "create_todo", "title": "", "priority": "huge", "owner": {"strategy": "team_least_loaded"}},
                {"type": "assign", "team_id": 3},
                {"type": "chain", "steps": [{"todos": [{"title": "x", "waits": true}]}]},
                {"type": "explode"}
            ]),
        )
        .expect_err("invalid");
        let f = fields(e);
        for want in [
            "trigger.every",
            "conditions.all[0].field",
            "actions[0].title",
            "actions[0].priority",
            "actions[0].owner.team_id",
            "actions[1]",
            "actions[2].steps",
            "actions[2].steps[0].todos",
            "actions[3].type",
        ] {
            assert!(f.iter().any(|x| x == want), "{want} missing in {f:?}");
        }
    }

    #[test]
    fn impossible_schedules_are_refused() {
        for (trigger, path) in [
            (json!({"kind": "at", "at": 500}), "trigger.at"),
            (json!({"kind": "at", "at": "next tuesday"}), "trigger.at"),
            (
                json!({"kind": "event", "event": "ticket.created", "next": {"weekdays": [8], "time": "09:00"}}),
                "trigger.next.weekdays[0]",
            ),
            (
                json!({"kind": "event", "event": "ticket.created", "next": {"time": "25:00"}}),
                "trigger.next.time",
            ),
            (
                json!({"kind": "event", "event": "ticket.created", "after": "-5h"}),
                "trigger.after",
            ),
            (
                json!({"kind": "event", "event": "ticket.sla_due"}),
                "trigger.before",
            ),
            (json!({"kind": "event", "event": "button"}), "trigger.key"),
        ] {
            let e = parse(
                trigger.clone(),
                json!({"all": []}),
                json!([{"type": "create_todo", "title": "x"}]),
            )
            .expect_err("invalid");
            assert!(fields(e).contains(&path.to_owned()), "{trigger}: {path}");
        }
    }

    #[test]
    fn scan_rules_get_a_default_frequency_limit() {
        let r = parse(
            json!({"kind": "scan", "every": "1h"}),
            json!({"all": [{"field": "contact.custom.trial_end", "op": "within_next", "value": "3d"}]}),
            json!([{"type": "create_todo", "title": "试用到期提醒 {{contact.name}}"}]),
        )
        .expect("valid");
        assert_eq!(r.limit_days, Some(DEFAULT_SCAN_LIMIT_DAYS));
    }

    #[test]
    fn tag_loops_are_found() {
        let rules = vec![
            TagEdges {
                rule_id: 1,
                trigger_tag: Some("a".into()),
                adds: vec!["b".into()],
            },
            TagEdges {
                rule_id: 2,
                trigger_tag: Some("b".into()),
                adds: vec!["c".into()],
            },
            TagEdges {
                rule_id: 3,
                trigger_tag: Some("c".into()),
                adds: vec!["a".into()],
            },
            TagEdges {
                rule_id: 4,
                trigger_tag: Some("x".into()),
                adds: vec!["a".into()],
            },
        ];
        assert_eq!(find_tag_loop(&rules, 1), Some(vec![1, 2, 3]));
        assert_eq!(find_tag_loop(&rules, 4), None);
        let self_loop = vec![TagEdges {
            rule_id: 9,
            trigger_tag: Some("t".into()),
            adds: vec!["t".into()],
        }];
        assert_eq!(find_tag_loop(&self_loop, 9), Some(vec![9]));
    }

    #[test]
    fn next_monday_nine_in_the_accounts_zone_skips_holidays() {
        let mut spec = CalendarSpec::china_office();
        spec.holidays = vec!["2026-11-23".into()];
        let cal = BusinessCalendar::from_spec(&spec).expect("calendar");
        // Saturday 2026-11-21 12:00 +08:00.
        let sat = "2026-11-21T12:00:00+08:00"
            .parse::<jiff::Timestamp>()
            .expect("ts")
            .as_millisecond();
        let mon9 = "2026-11-23T09:00:00+08:00"
            .parse::<jiff::Timestamp>()
            .expect("ts")
            .as_millisecond();
        let next_mon9 = "2026-11-30T09:00:00+08:00"
            .parse::<jiff::Timestamp>()
            .expect("ts")
            .as_millisecond();
        let tue9 = "2026-11-24T09:00:00+08:00"
            .parse::<jiff::Timestamp>()
            .expect("ts")
            .as_millisecond();
        let any_monday = Wait::Next {
            weekdays: vec![1],
            minute: 540,
            working_days: false,
        };
        assert_eq!(any_monday.run_at(sat, &cal), Some(mon9));
        let working_monday = Wait::Next {
            weekdays: vec![1],
            minute: 540,
            working_days: true,
        };
        assert_eq!(working_monday.run_at(sat, &cal), Some(next_mon9));
        let next_working_day = Wait::Next {
            weekdays: vec![],
            minute: 540,
            working_days: true,
        };
        assert_eq!(next_working_day.run_at(sat, &cal), Some(tue9));
        assert_eq!(cal.next_shift_start(sat), Some(tue9));
    }

    #[test]
    fn reminders_only_interrupt_for_high_priority() {
        assert_eq!(reminder_for("urgent", false), Reminder::Strong);
        assert_eq!(reminder_for("high", true), Reminder::Strong);
        assert_eq!(reminder_for("normal", false), Reminder::Light);
        assert_eq!(reminder_for("normal", true), Reminder::Digest);
        assert_eq!(reminder_for("low", false), Reminder::Digest);
    }

    const H: i64 = 3_600_000;
    const D: i64 = 24 * H;

    #[test]
    fn stats_for_a_known_history() {
        let now = 100 * D;
        let o = |status, created_at, due_at, completed_at, touched| Outcome {
            status,
            created_at,
            due_at,
            completed_at,
            touched,
        };
        let rows = [
            o("done", 90 * D, Some(91 * D), Some(90 * D + 2 * H), true),
            o("done", 90 * D, Some(91 * D), Some(92 * D), true),
            o("done", 95 * D, None, Some(95 * D + 6 * H), true),
            o("cancelled", 95 * D, None, None, true),
            o("open", 80 * D, Some(81 * D), None, false),
            o("open", 99 * D, Some(101 * D), None, false),
            o("snoozed", 80 * D, Some(81 * D), None, true),
        ];
        let st = rule_stats(&rows, 0, Some(99 * D), now, AnalyticsSettings::default());
        assert_eq!(
            (
                st.generated,
                st.completed,
                st.completed_late,
                st.cancelled,
                st.ignored,
                st.open
            ),
            (7, 3, 1, 1, 1, 2)
        );
        assert_eq!(st.median_completion_ms, Some(6 * H));
        assert!(st.suggestions.is_empty(), "{:?}", st.suggestions);
        let quiet = rule_stats(&[], 0, None, now, AnalyticsSettings::default());
        assert_eq!(quiet.suggestions[0].code, "never_fired");
        let ignored: Vec<Outcome> = (0..6)
            .map(|_| o("open", 10 * D, Some(11 * D), None, false))
            .collect();
        let st = rule_stats(&ignored, 0, Some(99 * D), now, AnalyticsSettings::default());
        assert_eq!(st.ignored, 6);
        assert_eq!(st.suggestions[0].code, "mostly_ignored");
    }

    proptest! {
        #[test]
        fn stats_partition_the_generated_todos(
            rows in proptest::collection::vec((0usize..4, 0i64..100, proptest::option::of(0i64..200), 0i64..300, any::<bool>()), 0..60),
            now in 0i64..400,
        ) {
            let statuses = ["open", "done", "cancelled", "snoozed"];
            let outcomes: Vec<Outcome> = rows.iter().map(|(s, c, due, done, touched)| Outcome {
                status: statuses[*s],
                created_at: c * H,
                due_at: due.map(|d| (c + d) * H),
                completed_at: Some((c + done) * H),
                touched: *touched,
            }).collect();
            let st = rule_stats(&outcomes, 0, None, now * H, AnalyticsSettings::default());
            prop_assert_eq!(st.generated as usize, outcomes.len());
            prop_assert_eq!(st.open + st.completed + st.ignored + st.cancelled, st.generated);
            prop_assert!(st.completed_late <= st.completed);
            prop_assert_eq!(st.median_completion_ms.is_some(), st.completed > 0);
        }

        #[test]
        fn reminders_never_interrupt_below_high(p in 0usize..4, repeating in any::<bool>()) {
            let r = reminder_for(PRIORITIES[p], repeating);
            prop_assert_eq!(r == Reminder::Strong, p >= 2);
        }

        #[test]
        fn a_chain_of_tag_rules_loops_exactly_when_it_closes(n in 1usize..8, close in any::<bool>()) {
            let mut rules: Vec<TagEdges> = (0..n).map(|i| TagEdges {
                rule_id: i as i64,
                trigger_tag: Some(format!("t{i}")),
                adds: vec![format!("t{}", i + 1)],
            }).collect();
            if close {
                rules[n - 1].adds = vec!["t0".into()];
            }
            prop_assert_eq!(find_tag_loop(&rules, 0).is_some(), close);
        }
    }
}
