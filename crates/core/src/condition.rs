//! The one condition language every rule uses (routing, automation, notifications, to-dos).
//!
//! A condition is a JSON tree: `{"all": [...]}`, `{"any": [...]}`, `{"not": {...}}` or a test
//! `{"field": "entry.campaign", "op": "eq", "value": "双11"}`. Fields come from a typed
//! [`Catalogue`], so a rule is validated when it is saved — an unknown field, an operator the
//! field's type does not have, or a value of the wrong type is reported with its path — and a
//! validated condition cannot fail when it is evaluated.
//!
//! Evaluation is against [`Facts`]: a flat map of field names to typed values plus the moment of
//! evaluation. A missing fact reads as empty (text `""`, no tags, `false`), so `ne` and `absent`
//! hold for it and comparisons do not. [`Condition::explain`] also names the first test that
//! failed, which is what routing traces record.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::FieldErrors;

/// The type of a catalogue field, which decides its operators and the shape of `value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    Bool,
    /// A set of labels.
    Tags,
    /// A moment, compared with durations relative to the evaluation time.
    Timestamp,
    /// A local time of day, compared with `between`.
    Clock,
    /// Free-form attributes (custom attributes, form answers): text, number or boolean.
    Any,
}

impl FieldKind {
    /// The operators this kind of field accepts.
    pub fn ops(self) -> &'static [Op] {
        use Op::*;
        match self {
            Self::Text => &[
                Eq,
                Ne,
                In,
                NotIn,
                Contains,
                ContainsAny,
                StartsWith,
                Present,
                Absent,
            ],
            Self::Number => &[Eq, Ne, In, NotIn, Gt, Gte, Lt, Lte, Present, Absent],
            Self::Bool => &[Eq, Ne],
            Self::Tags => &[
                Contains,
                ContainsAny,
                ContainsAll,
                NotContains,
                Present,
                Absent,
            ],
            Self::Timestamp => &[WithinLast, NotWithinLast, WithinNext, Present, Absent],
            Self::Clock => &[Between],
            Self::Any => &[
                Eq,
                Ne,
                In,
                NotIn,
                Contains,
                Gt,
                Gte,
                Lt,
                Lte,
                Present,
                Absent,
                WithinLast,
                NotWithinLast,
                WithinNext,
            ],
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    In,
    NotIn,
    Contains,
    ContainsAny,
    ContainsAll,
    NotContains,
    StartsWith,
    Gt,
    Gte,
    Lt,
    Lte,
    Present,
    Absent,
    WithinLast,
    NotWithinLast,
    /// A moment between now and the given duration ahead ("trial ends within 3 days").
    WithinNext,
    Between,
}

const ALL_OPS: [Op; 19] = [
    Op::Eq,
    Op::Ne,
    Op::In,
    Op::NotIn,
    Op::Contains,
    Op::ContainsAny,
    Op::ContainsAll,
    Op::NotContains,
    Op::StartsWith,
    Op::Gt,
    Op::Gte,
    Op::Lt,
    Op::Lte,
    Op::Present,
    Op::Absent,
    Op::WithinLast,
    Op::NotWithinLast,
    Op::WithinNext,
    Op::Between,
];

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::In => "in",
            Self::NotIn => "not_in",
            Self::Contains => "contains",
            Self::ContainsAny => "contains_any",
            Self::ContainsAll => "contains_all",
            Self::NotContains => "not_contains",
            Self::StartsWith => "starts_with",
            Self::Gt => "gt",
            Self::Gte => "gte",
            Self::Lt => "lt",
            Self::Lte => "lte",
            Self::Present => "present",
            Self::Absent => "absent",
            Self::WithinLast => "within_last",
            Self::NotWithinLast => "not_within_last",
            Self::WithinNext => "within_next",
            Self::Between => "between",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        ALL_OPS.into_iter().find(|o| o.name() == s)
    }
}

/// One field of a catalogue, or a family of fields when `name` ends with `.*`
/// (`contact.custom.*` covers `contact.custom.budget`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    /// What the field means, for the rule editor.
    pub label: &'static str,
}

/// The fields one kind of rule may test.
#[derive(Debug, Clone, Copy)]
pub struct Catalogue(pub &'static [FieldSpec]);

impl Catalogue {
    /// The kind of `field`, if the catalogue has it.
    pub fn kind_of(&self, field: &str) -> Option<FieldKind> {
        self.0.iter().find_map(|f| match f.name.strip_suffix('*') {
            Some(prefix) => field
                .strip_prefix(prefix)
                .filter(|key| is_key(key))
                .map(|_| f.kind),
            None => (f.name == field).then_some(f.kind),
        })
    }

    pub fn fields(&self) -> &'static [FieldSpec] {
        self.0
    }
}

fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

pub(crate) const fn f(name: &'static str, kind: FieldKind, label: &'static str) -> FieldSpec {
    FieldSpec { name, kind, label }
}

/// What an SLA policy (and later ticket automation) can test about a ticket.
pub const TICKET_FIELDS: Catalogue = Catalogue(&[
    f("ticket.priority", FieldKind::Text, "priority (p1 … p4)"),
    f("ticket.category", FieldKind::Text, "category key"),
    f(
        "ticket.channel",
        FieldKind::Text,
        "channel the ticket came from (web_widget, api, agent…)",
    ),
    f("ticket.tags", FieldKind::Tags, "ticket tags"),
    f("ticket.team_id", FieldKind::Number, "department (team) id"),
    f(
        "ticket.custom.*",
        FieldKind::Any,
        "custom field of the category",
    ),
    f("contact.tags", FieldKind::Tags, "contact tags"),
    f(
        "contact.custom.*",
        FieldKind::Any,
        "custom contact attribute",
    ),
]);

/// What a routing rule can test about a new conversation.
pub const ROUTING_FIELDS: Catalogue = Catalogue(&[
    f(
        "conversation.channel",
        FieldKind::Text,
        "channel kind (web_widget…)",
    ),
    f("conversation.channel_id", FieldKind::Number, "channel id"),
    f("entry.key", FieldKind::Text, "entry point key"),
    f("entry.name", FieldKind::Text, "entry point name"),
    f(
        "entry.campaign",
        FieldKind::Text,
        "campaign of the entry point",
    ),
    f(
        "entry.ad_plan",
        FieldKind::Text,
        "ad plan of the entry point",
    ),
    f("entry.business_module", FieldKind::Text, "business module"),
    f(
        "source.landing_page",
        FieldKind::Text,
        "landing page reported by the widget",
    ),
    f("source.referrer", FieldKind::Text, "referrer"),
    f("source.device", FieldKind::Text, "device"),
    f("source.language", FieldKind::Text, "browser language"),
    f(
        "utm.*",
        FieldKind::Text,
        "UTM parameter (utm.source, utm.campaign…)",
    ),
    f("form.*", FieldKind::Any, "pre-chat form answer"),
    f("contact.name", FieldKind::Text, "contact name"),
    f("contact.email", FieldKind::Text, "contact e-mail"),
    f("contact.phone", FieldKind::Text, "contact phone"),
    f(
        "contact.identified",
        FieldKind::Bool,
        "identity verified by the site",
    ),
    f(
        "contact.returning",
        FieldKind::Bool,
        "has had an earlier conversation",
    ),
    f(
        "contact.conversations",
        FieldKind::Number,
        "number of earlier conversations",
    ),
    f(
        "contact.last_active_at",
        FieldKind::Timestamp,
        "last activity before this conversation",
    ),
    f("contact.tags", FieldKind::Tags, "contact tags"),
    f(
        "contact.custom.*",
        FieldKind::Any,
        "custom attribute (paid, vip, plan…)",
    ),
    f("message.text", FieldKind::Text, "first message"),
    f(
        "time.business_hours",
        FieldKind::Bool,
        "within the account's business hours",
    ),
    f("time.local", FieldKind::Clock, "local time of day"),
    f(
        "time.weekday",
        FieldKind::Number,
        "local weekday, 1 = Monday … 7 = Sunday",
    ),
]);

/// A validated condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Test(Test),
}

/// `{field, op, value}` with the value already in the shape the operator needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub field: String,
    pub op: Op,
    pub arg: Arg,
}

/// The parsed `value` of a test.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    None,
    Text(String),
    Number(f64),
    Bool(bool),
    /// Scalars for `in` / `not_in` on free-form fields, texts for keyword and tag lists.
    List(Vec<Value>),
    /// Seconds.
    Duration(i64),
    /// Minutes since midnight, `[from, to)`; `from > to` spans midnight.
    Span(u16, u16),
}

const MAX_NODES: usize = 200;
const MAX_DEPTH: usize = 8;

impl Condition {
    /// The condition that always holds (`{"all": []}`).
    pub fn always() -> Self {
        Self::All(Vec::new())
    }

    /// Validates `v` against `catalogue`, naming each problem by its path under `path`
    /// (`conditions.all[1].value`).
    pub fn parse(v: &Value, catalogue: &Catalogue, path: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut nodes = 0;
        let c = parse_node(v, catalogue, path, 0, &mut nodes, &mut errors);
        if nodes > MAX_NODES {
            errors.add(path, format!("must have at most {MAX_NODES} conditions"));
        }
        errors.finish()?;
        Ok(c.unwrap_or_else(Self::always))
    }

    /// The JSON form, as stored and as the API returns it.
    pub fn to_json(&self) -> Value {
        match self {
            Self::All(cs) => json!({ "all": cs.iter().map(Self::to_json).collect::<Vec<_>>() }),
            Self::Any(cs) => json!({ "any": cs.iter().map(Self::to_json).collect::<Vec<_>>() }),
            Self::Not(c) => json!({ "not": c.to_json() }),
            Self::Test(t) => {
                let mut m = Map::new();
                m.insert("field".into(), t.field.clone().into());
                m.insert("op".into(), t.op.name().into());
                if let Some(v) = t.arg.to_json() {
                    m.insert("value".into(), v);
                }
                Value::Object(m)
            }
        }
    }

    /// Fields the condition tests, so callers can compute only the facts they need.
    pub fn fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_fields(&mut out);
        out
    }

    fn collect_fields<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Self::All(cs) | Self::Any(cs) => cs.iter().for_each(|c| c.collect_fields(out)),
            Self::Not(c) => c.collect_fields(out),
            Self::Test(t) => out.push(&t.field),
        }
    }

    pub fn matches(&self, facts: &Facts) -> bool {
        match self {
            Self::All(cs) => cs.iter().all(|c| c.matches(facts)),
            Self::Any(cs) => cs.iter().any(|c| c.matches(facts)),
            Self::Not(c) => !c.matches(facts),
            Self::Test(t) => t.holds(facts),
        }
    }

    /// `None` when the condition holds, otherwise a description of why not: the first failing
    /// test with its path and the actual value (`all[1]: contact.tags contains "vip" — was []`).
    pub fn explain(&self, facts: &Facts) -> Option<String> {
        self.explain_at(facts, "")
    }

    fn explain_at(&self, facts: &Facts, path: &str) -> Option<String> {
        let join = |kind: &str, i: usize| {
            if path.is_empty() {
                format!("{kind}[{i}]")
            } else {
                format!("{path}.{kind}[{i}]")
            }
        };
        match self {
            Self::All(cs) => cs
                .iter()
                .enumerate()
                .find_map(|(i, c)| c.explain_at(facts, &join("all", i))),
            Self::Any(cs) => {
                if cs.iter().any(|c| c.matches(facts)) {
                    return None;
                }
                let reasons: Vec<String> = cs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| c.explain_at(facts, &join("any", i)))
                    .collect();
                Some(if reasons.is_empty() {
                    format!("{}: no alternative", label(path))
                } else {
                    reasons.join("; ")
                })
            }
            Self::Not(c) => c
                .matches(facts)
                .then(|| format!("{}: negated condition holds", label(&format!("{path}.not")))),
            Self::Test(t) => (!t.holds(facts)).then(|| {
                let mut s = format!("{}: {} {}", label(path), t.field, t.op.name());
                if let Some(v) = t.arg.to_json() {
                    let _ = write!(s, " {v}");
                }
                let _ = write!(s, " — was {}", facts.describe(&t.field));
                s
            }),
        }
    }
}

fn label(path: &str) -> &str {
    let p = path.trim_start_matches('.');
    if p.is_empty() { "condition" } else { p }
}

fn parse_node(
    v: &Value,
    cat: &Catalogue,
    path: &str,
    depth: usize,
    nodes: &mut usize,
    errors: &mut FieldErrors,
) -> Option<Condition> {
    *nodes += 1;
    if depth > MAX_DEPTH {
        errors.add(path, format!("must nest at most {MAX_DEPTH} levels"));
        return None;
    }
    let Some(obj) = v.as_object() else {
        errors.add(
            path,
            "must be an object: {all: [...]}, {any: [...]}, {not: {...}} or {field, op, value}",
        );
        return None;
    };
    let group = |key: &str, errors: &mut FieldErrors, nodes: &mut usize| {
        let p = format!("{path}.{key}");
        let Some(items) = obj.get(key).and_then(Value::as_array) else {
            errors.add(&p, "must be an array of conditions");
            return None;
        };
        if obj.len() != 1 {
            errors.add(path, format!("must have only the key {key:?}"));
        }
        let parsed: Vec<Option<Condition>> = items
            .iter()
            .enumerate()
            .map(|(i, c)| parse_node(c, cat, &format!("{p}[{i}]"), depth + 1, nodes, errors))
            .collect();
        parsed.into_iter().collect::<Option<Vec<_>>>()
    };
    if obj.contains_key("all") {
        return group("all", errors, nodes).map(Condition::All);
    }
    if obj.contains_key("any") {
        let cs = group("any", errors, nodes)?;
        if cs.is_empty() {
            errors.add(format!("{path}.any"), "must have at least one condition");
        }
        return Some(Condition::Any(cs));
    }
    if let Some(inner) = obj.get("not") {
        if obj.len() != 1 {
            errors.add(path, "must have only the key \"not\"");
        }
        let c = parse_node(inner, cat, &format!("{path}.not"), depth + 1, nodes, errors)?;
        return Some(Condition::Not(Box::new(c)));
    }
    for k in obj.keys() {
        if !matches!(k.as_str(), "field" | "op" | "value") {
            errors.add(format!("{path}.{k}"), "is not a condition key");
        }
    }
    let Some(field) = obj.get("field").and_then(Value::as_str) else {
        errors.add(format!("{path}.field"), "must be a field name");
        return None;
    };
    let Some(kind) = cat.kind_of(field) else {
        errors.add(format!("{path}.field"), format!("unknown field {field:?}"));
        return None;
    };
    let op_path = format!("{path}.op");
    let Some(op) = obj.get("op").and_then(Value::as_str) else {
        errors.add(op_path, "must be an operator name");
        return None;
    };
    let Some(op) = Op::parse(op) else {
        errors.add(op_path, format!("unknown operator {op:?}"));
        return None;
    };
    if !kind.ops().contains(&op) {
        let allowed: Vec<&str> = kind.ops().iter().map(|o| o.name()).collect();
        errors.add(
            op_path,
            format!(
                "{field} does not support {}; use one of: {}",
                op.name(),
                allowed.join(", ")
            ),
        );
        return None;
    }
    let value_path = format!("{path}.value");
    match parse_arg(kind, op, obj.get("value").unwrap_or(&Value::Null)) {
        Ok(arg) => Some(Condition::Test(Test {
            field: field.to_owned(),
            op,
            arg,
        })),
        Err(msg) => {
            errors.add(value_path, msg);
            None
        }
    }
}

const MAX_TEXT: usize = 1000;
const MAX_LIST: usize = 200;

fn text(v: &Value) -> Result<String, String> {
    match v.as_str() {
        Some(s) if s.chars().count() <= MAX_TEXT => Ok(s.to_owned()),
        Some(_) => Err(format!("must be at most {MAX_TEXT} characters")),
        None => Err("must be text".into()),
    }
}

fn number(v: &Value) -> Result<f64, String> {
    v.as_f64().ok_or_else(|| "must be a number".into())
}

fn list(v: &Value, each: impl Fn(&Value) -> bool, what: &str) -> Result<Vec<Value>, String> {
    match v.as_array() {
        Some(items) if !items.is_empty() && items.len() <= MAX_LIST && items.iter().all(each) => {
            Ok(items.clone())
        }
        _ => Err(format!("must be a list of 1–{MAX_LIST} {what}")),
    }
}

fn is_text(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.chars().count() <= MAX_TEXT)
}

fn is_scalar(v: &Value) -> bool {
    is_text(v) || v.is_number() || v.is_boolean()
}

fn parse_arg(kind: FieldKind, op: Op, v: &Value) -> Result<Arg, String> {
    use FieldKind as K;
    match op {
        Op::Present | Op::Absent => match v {
            Value::Null => Ok(Arg::None),
            _ => Err(format!("must be absent for {}", op.name())),
        },
        Op::Eq | Op::Ne => match kind {
            K::Text => text(v).map(Arg::Text),
            K::Number => number(v).map(Arg::Number),
            K::Bool => v
                .as_bool()
                .map(Arg::Bool)
                .ok_or("must be true or false".into()),
            _ if v.is_number() => number(v).map(Arg::Number),
            _ if v.is_boolean() => Ok(Arg::Bool(v.as_bool() == Some(true))),
            _ => text(v).map(Arg::Text),
        },
        Op::In | Op::NotIn => match kind {
            K::Text => list(v, is_text, "texts").map(Arg::List),
            K::Number => list(v, Value::is_number, "numbers").map(Arg::List),
            _ => list(v, is_scalar, "texts, numbers or booleans").map(Arg::List),
        },
        Op::Contains | Op::NotContains | Op::StartsWith => text(v).map(Arg::Text),
        Op::ContainsAny | Op::ContainsAll => list(v, is_text, "texts").map(Arg::List),
        Op::Gt | Op::Gte | Op::Lt | Op::Lte => number(v).map(Arg::Number),
        Op::WithinLast | Op::NotWithinLast | Op::WithinNext => parse_duration(v).map(Arg::Duration),
        Op::Between => {
            let parts = v
                .as_array()
                .filter(|a| a.len() == 2)
                .and_then(|a| Some((clock(a[0].as_str()?)?, clock(a[1].as_str()?)?)));
            match parts {
                Some((from, to)) if from != to => Ok(Arg::Span(from, to)),
                _ => Err("must be [\"HH:MM\", \"HH:MM\"], two different times".into()),
            }
        }
    }
}

/// `"30d"`, `"12h"`, `"15m"`, `"45s"` or a number of seconds, at most ten years.
pub fn parse_duration(v: &Value) -> Result<i64, String> {
    const MSG: &str = "must be a duration: seconds, or a number with s, m, h or d (\"30d\")";
    let secs = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let (n, unit) = s.split_at(s.len().saturating_sub(1));
            let mult = match unit {
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                "d" => 86_400,
                _ => return Err(MSG.into()),
            };
            n.parse::<i64>().ok().and_then(|n| n.checked_mul(mult))
        }
        _ => None,
    };
    match secs {
        Some(s) if s > 0 && s <= 10 * 366 * 86_400 => Ok(s),
        _ => Err(MSG.into()),
    }
}

/// `HH:MM` as minutes after midnight.
pub fn clock(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl Arg {
    fn to_json(&self) -> Option<Value> {
        Some(match self {
            Self::None => return None,
            Self::Text(s) => s.clone().into(),
            Self::Number(n) => json!(n),
            Self::Bool(b) => (*b).into(),
            Self::List(items) => Value::Array(items.clone()),
            Self::Duration(s) => (*s).into(),
            Self::Span(a, b) => json!([hm(*a), hm(*b)]),
        })
    }
}

fn hm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A fact about the thing a rule is evaluated for.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    Text(String),
    Number(f64),
    Bool(bool),
    Tags(Vec<String>),
    /// Milliseconds since the epoch.
    Timestamp(i64),
    /// Minutes since local midnight.
    Clock(u16),
}

impl Fact {
    /// A JSON scalar as a fact (custom attributes, form answers); `None` for null and composites.
    pub fn from_json(v: &Value) -> Option<Self> {
        match v {
            Value::String(s) => Some(Self::Text(s.clone())),
            Value::Number(n) => n.as_f64().map(Self::Number),
            Value::Bool(b) => Some(Self::Bool(*b)),
            Value::Array(items) => Some(Self::Tags(
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect(),
            )),
            _ => None,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Self::Text(s) => s.clone().into(),
            Self::Number(n) => json!(n),
            Self::Bool(b) => (*b).into(),
            Self::Tags(t) => json!(t),
            Self::Timestamp(ms) => json!(ms),
            Self::Clock(m) => hm(*m).into(),
        }
    }
}

/// The facts a condition is evaluated against, and the moment of evaluation.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    map: HashMap<String, Fact>,
    pub now_ms: i64,
}

impl Facts {
    pub fn new(now_ms: i64) -> Self {
        Self {
            map: HashMap::new(),
            now_ms,
        }
    }

    pub fn set(&mut self, field: impl Into<String>, fact: Fact) -> &mut Self {
        self.map.insert(field.into(), fact);
        self
    }

    pub fn text(&mut self, field: &str, value: impl Into<String>) -> &mut Self {
        self.set(field, Fact::Text(value.into()))
    }

    /// Sets `prefix.key` for every scalar member of a JSON object.
    pub fn extend_json(&mut self, prefix: &str, obj: &Value) -> &mut Self {
        let prefix = prefix.trim_end_matches('.');
        if let Some(obj) = obj.as_object() {
            for (k, v) in obj {
                if let Some(fact) = Fact::from_json(v) {
                    self.map.insert(format!("{prefix}.{k}"), fact);
                }
            }
        }
        self
    }

    pub fn get(&self, field: &str) -> Option<&Fact> {
        self.map.get(field)
    }

    /// All facts as a JSON object, for traces and the simulate endpoint.
    pub fn to_json(&self) -> Value {
        let mut keys: Vec<&String> = self.map.keys().collect();
        keys.sort();
        Value::Object(
            keys.into_iter()
                .map(|k| (k.clone(), self.map[k].to_json()))
                .collect(),
        )
    }

    fn describe(&self, field: &str) -> String {
        match self.map.get(field) {
            Some(f) => f.to_json().to_string(),
            None => "absent".into(),
        }
    }
}

fn fold(s: &str) -> String {
    s.to_lowercase()
}

fn scalar_eq(fact: Option<&Fact>, v: &Value) -> bool {
    match (fact, v) {
        (Some(Fact::Text(a)), Value::String(b)) => a == b,
        (Some(Fact::Number(a)), Value::Number(b)) => b.as_f64() == Some(*a),
        (Some(Fact::Text(a)), Value::Number(b)) => a.trim().parse::<f64>().ok() == b.as_f64(),
        (Some(Fact::Bool(a)), Value::Bool(b)) => a == b,
        (None, Value::String(b)) => b.is_empty(),
        (None, Value::Bool(b)) => !b,
        _ => false,
    }
}

fn as_number(fact: Option<&Fact>) -> Option<f64> {
    match fact? {
        Fact::Number(n) => Some(*n),
        Fact::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_text(fact: Option<&Fact>) -> String {
    match fact {
        Some(Fact::Text(s)) => s.clone(),
        Some(Fact::Number(n)) => n.to_string(),
        Some(Fact::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn present(fact: Option<&Fact>) -> bool {
    match fact {
        None => false,
        Some(Fact::Text(s)) => !s.trim().is_empty(),
        Some(Fact::Tags(t)) => !t.is_empty(),
        Some(_) => true,
    }
}

impl Test {
    pub fn holds(&self, facts: &Facts) -> bool {
        let fact = facts.get(&self.field);
        let tags = || match fact {
            Some(Fact::Tags(t)) => Some(t.as_slice()),
            _ => None,
        };
        match (self.op, &self.arg) {
            (Op::Present, _) => present(fact),
            (Op::Absent, _) => !present(fact),
            (Op::Eq, Arg::Text(s)) => scalar_eq(fact, &Value::String(s.clone())),
            (Op::Eq, Arg::Number(n)) => as_number(fact) == Some(*n),
            (Op::Eq, Arg::Bool(b)) => scalar_eq(fact, &Value::Bool(*b)),
            (Op::Ne, _) => !Self {
                op: Op::Eq,
                ..self.clone()
            }
            .holds(facts),
            (Op::In, Arg::List(items)) => items.iter().any(|v| scalar_eq(fact, v)),
            (Op::NotIn, Arg::List(items)) => !items.iter().any(|v| scalar_eq(fact, v)),
            (Op::Contains, Arg::Text(s)) => match tags() {
                Some(t) => t.iter().any(|x| x == s),
                None => fold(&as_text(fact)).contains(&fold(s)),
            },
            (Op::NotContains, Arg::Text(s)) => !tags().unwrap_or(&[]).iter().any(|x| x == s),
            (Op::ContainsAny, Arg::List(items)) => match tags() {
                Some(t) => items
                    .iter()
                    .any(|v| t.iter().any(|x| v.as_str() == Some(x))),
                None => {
                    let hay = fold(&as_text(fact));
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .any(|k| !k.is_empty() && hay.contains(&fold(k)))
                }
            },
            (Op::ContainsAll, Arg::List(items)) => {
                let t = tags().unwrap_or(&[]);
                items
                    .iter()
                    .all(|v| t.iter().any(|x| v.as_str() == Some(x)))
            }
            (Op::StartsWith, Arg::Text(s)) => fold(&as_text(fact)).starts_with(&fold(s)),
            (Op::Gt, Arg::Number(n)) => as_number(fact).is_some_and(|x| x > *n),
            (Op::Gte, Arg::Number(n)) => as_number(fact).is_some_and(|x| x >= *n),
            (Op::Lt, Arg::Number(n)) => as_number(fact).is_some_and(|x| x < *n),
            (Op::Lte, Arg::Number(n)) => as_number(fact).is_some_and(|x| x <= *n),
            (Op::WithinLast, Arg::Duration(s)) => match fact {
                Some(Fact::Timestamp(at)) => facts.now_ms - at <= s * 1000,
                _ => false,
            },
            (Op::NotWithinLast, Arg::Duration(s)) => match fact {
                Some(Fact::Timestamp(at)) => facts.now_ms - at > s * 1000,
                _ => true,
            },
            (Op::WithinNext, Arg::Duration(s)) => match fact {
                Some(Fact::Timestamp(at)) => *at >= facts.now_ms && at - facts.now_ms <= s * 1000,
                _ => false,
            },
            (Op::Between, Arg::Span(from, to)) => match fact {
                Some(Fact::Clock(m)) if from < to => from <= m && m < to,
                Some(Fact::Clock(m)) => m >= from || m < to,
                _ => false,
            },
            // Parsing pairs every operator with its argument shape; nothing else is built.
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(v: Value) -> Result<Condition, FieldErrors> {
        Condition::parse(&v, &ROUTING_FIELDS, "conditions")
    }

    fn fields_of(e: FieldErrors) -> Vec<String> {
        e.into_vec().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn campaign_and_budget_filled() {
        let c = parse(json!({"all": [
            {"field": "entry.campaign", "op": "eq", "value": "双11"},
            {"field": "form.budget", "op": "present"}
        ]}))
        .expect("valid");
        let mut facts = Facts::new(0);
        facts.text("entry.campaign", "双11");
        assert!(!c.matches(&facts));
        assert_eq!(
            c.explain(&facts).as_deref(),
            Some("all[1]: form.budget present — was absent")
        );
        facts.text("form.budget", "50万");
        assert!(c.matches(&facts));
        assert_eq!(c.explain(&facts), None);
    }

    #[test]
    fn keywords_in_first_message() {
        let c = parse(json!({"field": "message.text", "op": "contains_any", "value": ["退货", "退款", "投诉"]}))
            .expect("valid");
        let mut facts = Facts::new(0);
        facts.text("message.text", "我要申请退款，谢谢");
        assert!(c.matches(&facts));
        facts.text("message.text", "你好，请问有货吗");
        assert!(!c.matches(&facts));
    }

    #[test]
    fn returning_paid_active_recently() {
        let c = parse(json!({"all": [
            {"field": "contact.returning", "op": "eq", "value": true},
            {"field": "contact.custom.paid", "op": "eq", "value": true},
            {"field": "contact.last_active_at", "op": "within_last", "value": "30d"}
        ]}))
        .expect("valid");
        let day = 86_400_000;
        let mut facts = Facts::new(100 * day);
        facts
            .set("contact.returning", Fact::Bool(true))
            .set("contact.custom.paid", Fact::Bool(true))
            .set("contact.last_active_at", Fact::Timestamp(80 * day));
        assert!(c.matches(&facts));
        facts.set("contact.last_active_at", Fact::Timestamp(60 * day));
        assert!(!c.matches(&facts));
        facts.set("contact.last_active_at", Fact::Timestamp(80 * day));
        facts.set("contact.custom.paid", Fact::Bool(false));
        assert!(!c.matches(&facts));
    }

    #[test]
    fn clock_spans_midnight() {
        let c = parse(json!({"field": "time.local", "op": "between", "value": ["22:00", "06:00"]}))
            .expect("valid");
        let mut facts = Facts::new(0);
        for (m, expect) in [
            (23 * 60, true),
            (5 * 60 + 59, true),
            (6 * 60, false),
            (12 * 60, false),
        ] {
            facts.set("time.local", Fact::Clock(m));
            assert_eq!(c.matches(&facts), expect, "minute {m}");
        }
    }

    #[test]
    fn invalid_rules_name_their_path() {
        let e = parse(json!({"all": [
            {"field": "entry.campaign", "op": "eq", "value": "x"},
            {"field": "nope", "op": "eq", "value": 1},
            {"field": "contact.tags", "op": "gt", "value": 1},
            {"field": "contact.conversations", "op": "gte", "value": "many"},
            {"field": "entry.campaign", "op": "resembles", "value": "x"},
            {"any": []},
            "text"
        ]}))
        .expect_err("invalid");
        assert_eq!(
            fields_of(e),
            [
                "conditions.all[1].field",
                "conditions.all[2].op",
                "conditions.all[3].value",
                "conditions.all[4].op",
                "conditions.all[5].any",
                "conditions.all[6]",
            ]
        );
        let e = parse(json!({"field": "contact.custom.", "op": "eq", "value": 1})).expect_err("x");
        assert_eq!(fields_of(e), ["conditions.field"]);
        let e =
            parse(json!({"field": "contact.last_active_at", "op": "within_last", "value": "3w"}))
                .expect_err("x");
        assert_eq!(fields_of(e), ["conditions.value"]);
    }

    #[test]
    fn depth_is_bounded() {
        let mut v = json!({"field": "entry.key", "op": "present"});
        for _ in 0..20 {
            v = json!({ "not": v });
        }
        assert!(parse(v).is_err());
    }

    #[test]
    fn json_round_trips() {
        let v = json!({"all": [
            {"field": "entry.campaign", "op": "in", "value": ["a", "b"]},
            {"not": {"field": "contact.tags", "op": "contains", "value": "blocked"}},
            {"field": "time.local", "op": "between", "value": ["09:00", "18:30"]},
            {"field": "form.budget", "op": "absent"}
        ]});
        let c = parse(v.clone()).expect("valid");
        assert_eq!(c.to_json(), v);
        assert_eq!(parse(c.to_json()).expect("valid"), c);
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            "[a-c]".prop_map(|s| json!({"field": "entry.campaign", "op": "eq", "value": s})),
            "[a-c]".prop_map(|s| json!({"field": "contact.tags", "op": "contains", "value": s})),
            (0..5i64)
                .prop_map(|n| json!({"field": "contact.conversations", "op": "gte", "value": n})),
            any::<bool>()
                .prop_map(|b| json!({"field": "contact.returning", "op": "eq", "value": b})),
            Just(json!({"field": "form.budget", "op": "present"})),
        ]
    }

    fn tree() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|v| json!({ "all": v })),
                prop::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({ "any": v })),
                inner.prop_map(|v| json!({ "not": v })),
            ]
        })
    }

    fn facts() -> impl Strategy<Value = Facts> {
        (
            prop::option::of("[a-c]"),
            prop::collection::vec("[a-c]", 0..3),
            prop::option::of(0..6i64),
            prop::option::of(any::<bool>()),
            prop::option::of("[ x]{0,2}"),
        )
            .prop_map(|(campaign, tags, n, returning, budget)| {
                let mut f = Facts::new(0);
                if let Some(c) = campaign {
                    f.text("entry.campaign", c);
                }
                f.set("contact.tags", Fact::Tags(tags));
                if let Some(n) = n {
                    f.set("contact.conversations", Fact::Number(n as f64));
                }
                if let Some(b) = returning {
                    f.set("contact.returning", Fact::Bool(b));
                }
                if let Some(b) = budget {
                    f.text("form.budget", b);
                }
                f
            })
    }

    proptest! {
        /// `explain` agrees with `matches`, `not` negates, and the JSON form round-trips.
        #[test]
        fn explain_agrees_with_matches(v in tree(), facts in facts()) {
            let c = parse(v).expect("generated trees are valid");
            prop_assert_eq!(c.explain(&facts).is_none(), c.matches(&facts));
            prop_assert_eq!(Condition::Not(Box::new(c.clone())).matches(&facts), !c.matches(&facts));
            prop_assert_eq!(parse(c.to_json()).expect("round trip"), c);
        }
    }
}
