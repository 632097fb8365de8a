//! Tickets' pure rules: the configurable workflow of states and transitions, priorities, and the
//! typed custom fields of a category.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{FieldErrors, typed};

/// What a state means to the system, whatever an account calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateKind {
    /// Waiting to be assigned (the initial state).
    New,
    /// Being worked on.
    Open,
    /// Waiting on the customer or a third party: SLA clocks pause.
    Pending,
    /// Done; the resolution clock stops. Reopening starts it again.
    Resolved,
    /// Final (until reopened).
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDef {
    pub key: String,
    pub name: String,
    pub kind: StateKind,
}

/// An account's states and the transitions allowed between them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    pub states: Vec<StateDef>,
    /// For each state key, the states it may move to.
    pub transitions: BTreeMap<String, Vec<String>>,
}

impl StateKind {
    /// The serde name (`new`, `open`, …), as stored in `tickets.status_kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            StateKind::New => "new",
            StateKind::Open => "open",
            StateKind::Pending => "pending",
            StateKind::Resolved => "resolved",
            StateKind::Closed => "closed",
        }
    }
}

fn state(key: &str, name: &str, kind: StateKind) -> StateDef {
    StateDef {
        key: key.into(),
        name: name.into(),
        kind,
    }
}

impl Default for Workflow {
    /// 待分配 → 处理中 → 等待客户 / 等待第三方 → 已解决 → 已关闭, with reopen.
    fn default() -> Self {
        let to = |keys: &[&str]| keys.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
        Self {
            states: vec![
                state("new", "待分配", StateKind::New),
                state("open", "处理中", StateKind::Open),
                state("pending_customer", "等待客户", StateKind::Pending),
                state("pending_third_party", "等待第三方", StateKind::Pending),
                state("resolved", "已解决", StateKind::Resolved),
                state("closed", "已关闭", StateKind::Closed),
            ],
            transitions: BTreeMap::from([
                (
                    "new".into(),
                    to(&[
                        "open",
                        "pending_customer",
                        "pending_third_party",
                        "resolved",
                        "closed",
                    ]),
                ),
                (
                    "open".into(),
                    to(&[
                        "pending_customer",
                        "pending_third_party",
                        "resolved",
                        "closed",
                    ]),
                ),
                (
                    "pending_customer".into(),
                    to(&["open", "pending_third_party", "resolved", "closed"]),
                ),
                (
                    "pending_third_party".into(),
                    to(&["open", "pending_customer", "resolved", "closed"]),
                ),
                ("resolved".into(), to(&["open", "closed"])),
                ("closed".into(), to(&["open"])),
            ]),
        }
    }
}

fn is_state_key(k: &str) -> bool {
    (1..=40).contains(&k.len())
        && k.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Workflow {
    /// Checks keys, names, kinds and transitions, naming each bad path.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.states.is_empty() || self.states.len() > 30 {
            errors.add("states", "must have 1 to 30 states");
        }
        for (i, s) in self.states.iter().enumerate() {
            if !is_state_key(&s.key) {
                errors.add(
                    format!("states[{i}].key"),
                    "must be 1–40 of a-z, 0-9, _ starting with a letter",
                );
            } else if self.states[..i].iter().any(|o| o.key == s.key) {
                errors.add(format!("states[{i}].key"), "appears twice");
            }
            if s.name.trim().is_empty() || s.name.chars().count() > 40 {
                errors.add(format!("states[{i}].name"), "must be 1–40 characters");
            }
        }
        let count = |k: StateKind| self.states.iter().filter(|s| s.kind == k).count();
        if count(StateKind::New) != 1 {
            errors.add(
                "states",
                "exactly one state must be of kind new (the initial state)",
            );
        }
        for kind in [StateKind::Open, StateKind::Resolved, StateKind::Closed] {
            if count(kind) == 0 {
                errors.add(
                    "states",
                    format!("at least one state must be of kind {}", kind.as_str()),
                );
            }
        }
        for (from, targets) in &self.transitions {
            if self.state(from).is_none() {
                errors.add(format!("transitions.{from}"), "is not a state");
            }
            for (j, to) in targets.iter().enumerate() {
                if self.state(to).is_none() {
                    errors.add(format!("transitions.{from}[{j}]"), "is not a state");
                } else if to == from {
                    errors.add(
                        format!("transitions.{from}[{j}]"),
                        "a state cannot move to itself",
                    );
                }
            }
        }
        errors.finish()
    }

    pub fn state(&self, key: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.key == key)
    }

    /// The state new tickets start in.
    pub fn initial(&self) -> &StateDef {
        self.states
            .iter()
            .find(|s| s.kind == StateKind::New)
            .unwrap_or(&self.states[0])
    }

    /// The first state of a kind (where reopening or resolving goes by default).
    pub fn first_of(&self, kind: StateKind) -> Option<&StateDef> {
        self.states.iter().find(|s| s.kind == kind)
    }

    pub fn allowed(&self, from: &str) -> &[String] {
        self.transitions.get(from).map_or(&[], Vec::as_slice)
    }

    /// May a ticket move `from` → `to`? A refusal names the allowed targets under `status`.
    pub fn check_transition(&self, from: &str, to: &str) -> Result<&StateDef, FieldErrors> {
        let target = self
            .state(to)
            .ok_or_else(|| FieldErrors::single("status", "is not a state of this account"))?;
        let allowed = self.allowed(from);
        if allowed.iter().any(|a| a == to) {
            Ok(target)
        } else {
            Err(FieldErrors::single(
                "status",
                format!(
                    "cannot move from {from} to {to}; allowed: {}",
                    if allowed.is_empty() {
                        "none".to_owned()
                    } else {
                        allowed.join(", ")
                    }
                ),
            ))
        }
    }
}

/// P1 (most urgent) to P4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::P1 => "p1",
            Priority::P2 => "p2",
            Priority::P3 => "p3",
            Priority::P4 => "p4",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// One step more urgent (P1 stays P1).
    pub fn raised(self) -> Self {
        match self {
            Priority::P4 => Priority::P3,
            Priority::P3 => Priority::P2,
            _ => Priority::P1,
        }
    }
}

/// A custom field of a ticket category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub key: String,
    pub label: String,
    /// text, number, date, boolean or list.
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub options: Vec<String>,
}

/// Checks a category's field definitions under `fields[i]`.
pub fn check_field_defs(errors: &mut FieldErrors, defs: &[FieldDef]) {
    if defs.len() > 50 {
        errors.add("fields", "must have at most 50 fields");
    }
    for (i, d) in defs.iter().enumerate() {
        let path = format!("fields[{i}]");
        if !typed::is_key(&d.key) {
            errors.add(format!("{path}.key"), "must be 1–40 of a-z, 0-9, _ or -");
        } else if defs[..i].iter().any(|o| o.key == d.key) {
            errors.add(format!("{path}.key"), "appears twice");
        }
        if d.label.trim().is_empty() || d.label.chars().count() > 100 {
            errors.add(format!("{path}.label"), "must be 1–100 characters");
        }
        if !typed::KINDS.contains(&d.kind.as_str()) {
            errors.add(
                format!("{path}.kind"),
                format!("must be one of: {}", typed::KINDS.join(", ")),
            );
        } else {
            typed::check_options(errors, &format!("{path}.options"), &d.kind, &d.options);
        }
    }
}

/// Checks a ticket's custom values against its category's fields, under `custom.<key>`: unknown
/// fields, wrong types and missing required ones. `partial` skips the required check for fields
/// not present (an update touches only some).
pub fn check_custom_values(
    errors: &mut FieldErrors,
    defs: &[FieldDef],
    values: &serde_json::Map<String, Value>,
    partial: bool,
) {
    for (k, v) in values {
        match defs.iter().find(|d| &d.key == k) {
            None => errors.add(format!("custom.{k}"), "is not a field of this category"),
            Some(d) => {
                let options: Vec<&str> = d.options.iter().map(String::as_str).collect();
                if let Some(msg) = typed::value_error(&d.kind, &options, v) {
                    errors.add(format!("custom.{k}"), msg);
                } else if d.required && v.is_null() {
                    errors.add(format!("custom.{k}"), "is required");
                }
            }
        }
    }
    if !partial {
        for d in defs.iter().filter(|d| d.required) {
            if values.get(&d.key).is_none_or(Value::is_null) {
                errors.add(format!("custom.{}", d.key), "is required");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_default_workflow_is_valid_and_names_allowed_moves() {
        let w = Workflow::default();
        assert!(w.validate().is_ok());
        assert_eq!(w.initial().key, "new");
        assert!(w.check_transition("new", "open").is_ok());
        let err = w
            .check_transition("closed", "resolved")
            .expect_err("invalid in the test");
        let msg = format!("{:?}", err.into_vec());
        assert!(msg.contains("allowed: open"), "{msg}");
    }

    #[test]
    fn a_workflow_without_an_initial_state_or_with_dangling_moves_is_refused() {
        let mut w = Workflow::default();
        w.states.retain(|s| s.kind != StateKind::New);
        w.transitions.insert("open".into(), vec!["nowhere".into()]);
        let errs = w.validate().expect_err("invalid in the test").into_vec();
        let paths: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(paths.contains(&"states"));
        assert!(paths.contains(&"transitions.open[0]"));
        assert!(paths.contains(&"transitions.new"));
    }

    #[test]
    fn custom_values_are_typed_known_and_required() {
        let defs = vec![
            FieldDef {
                key: "order_amount".into(),
                label: "金额".into(),
                kind: "number".into(),
                required: true,
                options: vec![],
            },
            FieldDef {
                key: "carrier".into(),
                label: "快递".into(),
                kind: "list".into(),
                required: false,
                options: vec!["顺丰".into(), "京东".into()],
            },
        ];
        let mut e = FieldErrors::new();
        let v = json!({"carrier": "圆通", "colour": "red"});
        check_custom_values(
            &mut e,
            &defs,
            v.as_object().expect("valid in the test"),
            false,
        );
        let paths: Vec<String> = e.into_vec().into_iter().map(|e| e.field).collect();
        assert_eq!(
            paths,
            vec!["custom.carrier", "custom.colour", "custom.order_amount"]
        );
        let mut e = FieldErrors::new();
        let v = json!({"order_amount": 12.5, "carrier": "顺丰"});
        check_custom_values(
            &mut e,
            &defs,
            v.as_object().expect("valid in the test"),
            false,
        );
        assert!(e.is_empty());
    }

    #[test]
    fn priority_rises_to_p1_and_stays() {
        assert_eq!(Priority::P4.raised(), Priority::P3);
        assert_eq!(Priority::P1.raised(), Priority::P1);
    }
}
