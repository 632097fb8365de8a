//! The audit trail of administration: who changed which person, team, channel, routing rule or
//! setting, when, and how. Every such change appends its event to the outbox in the change's own
//! transaction, so the trail holds exactly what was committed; this module writes the settings'
//! records and reads the trail back (admins and owners only).

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use yingke_core::{DomainEvent, Role, SettingAction, SettingArea, UserId};
use yingke_store::{
    Tx,
    events::{self, AuditFilter, NamedTable, StoredEvent},
};

use crate::{App, AppResult, Principal};

/// Records that `p` did `action` to a setting of `area` (`id` and `name` as they are now, or were
/// just before a deletion), within the change's transaction.
pub(crate) async fn setting_changed(
    tx: &mut Tx,
    p: &Principal,
    area: SettingArea,
    action: SettingAction,
    id: Option<i64>,
    name: Option<&str>,
    now: i64,
) -> AppResult<()> {
    let event = DomainEvent::SettingChanged {
        area,
        id,
        action,
        name: name.map(str::to_owned),
    };
    events::append(tx, p.scope(), Some(p.user.id), &event, now).await?;
    Ok(())
}

/// `Created` for a save without an id, `Updated` for one with.
pub(crate) fn created_or_updated(id: Option<i64>) -> SettingAction {
    if id.is_some() {
        SettingAction::Updated
    } else {
        SettingAction::Created
    }
}

/// Which part of the trail to read.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Entries older than this one (the previous page's `next_before`).
    pub before: Option<i64>,
    pub actor: Option<UserId>,
    /// Only these kinds (each one of [`events::AUDIT_KINDS`]); empty: all.
    pub kinds: Vec<String>,
    pub area: Option<SettingArea>,
    pub limit: u32,
}

/// One change, with the names of who made it and what it was about.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub kind: String,
    /// `team:3`, `sla_policy:7`, `routing_settings`.
    pub subject: String,
    /// The subject's name: now for people, teams, channels and routing rules (absent once
    /// deleted), as recorded for settings.
    pub subject_name: Option<String>,
    /// The person added to or removed from a team.
    pub member_name: Option<String>,
    /// The event's payload without its envelope (`kind`, `v`).
    pub details: Value,
}

/// A page of the trail, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; `None` when this is the last.
    pub next_before: Option<i64>,
}

fn id_at(payload: &Value, key: &str) -> Option<i64> {
    payload.get(key).and_then(Value::as_i64)
}

/// The row an entry is about, to be named from its table.
fn named_subject(e: &StoredEvent) -> Option<(NamedTable, i64)> {
    let p = &e.payload;
    match e.kind.as_str() {
        "user_created" | "user_updated" | "user_deactivated" | "user_reactivated" => {
            id_at(p, "user_id").map(|id| (NamedTable::Users, id))
        }
        "team_created"
        | "team_updated"
        | "team_deleted"
        | "team_member_added"
        | "team_member_removed" => id_at(p, "team_id").map(|id| (NamedTable::Teams, id)),
        "channel_created" | "channel_updated" => {
            id_at(p, "channel_id").map(|id| (NamedTable::Channels, id))
        }
        "routing_rule_changed" => id_at(p, "rule_id").map(|id| (NamedTable::RoutingRules, id)),
        "setting_changed" => {
            let table = match p.get("area").and_then(Value::as_str) {
                Some("agent_routing") => NamedTable::Users,
                Some("team_routing") => NamedTable::Teams,
                _ => return None,
            };
            id_at(p, "id").map(|id| (table, id))
        }
        _ => None,
    }
}

fn is_member_change(kind: &str) -> bool {
    matches!(kind, "team_member_added" | "team_member_removed")
}

impl App {
    /// The audit trail of administration, newest first (admins and owners).
    pub async fn audit_log(&self, p: &Principal, q: &AuditQuery) -> AppResult<AuditPage> {
        p.role().require(Role::Admin)?;
        let filter = AuditFilter {
            before: q.before,
            actor: q.actor,
            kinds: q.kinds.clone(),
            area: q.area.map(|a| a.as_str().to_owned()),
        };
        // One more than asked tells whether an older page exists.
        let mut rows = events::list_audit(self.db(), p.scope(), &filter, q.limit + 1).await?;
        let more = rows.len() > q.limit as usize;
        rows.truncate(q.limit as usize);

        let mut wanted: HashMap<NamedTable, HashSet<i64>> = HashMap::new();
        for e in &rows {
            if let Some(actor) = e.actor_user_id {
                wanted.entry(NamedTable::Users).or_default().insert(actor.0);
            }
            if let Some((table, id)) = named_subject(e) {
                wanted.entry(table).or_default().insert(id);
            }
            if is_member_change(&e.kind)
                && let Some(user) = id_at(&e.payload, "user_id")
            {
                wanted.entry(NamedTable::Users).or_default().insert(user);
            }
        }
        let mut names: HashMap<(NamedTable, i64), String> = HashMap::new();
        for (table, ids) in wanted {
            let ids: Vec<i64> = ids.into_iter().collect();
            for (id, name) in events::names_of(self.db(), p.scope(), table, &ids).await? {
                names.insert((table, id), name);
            }
        }

        let next_before = if more {
            rows.last().map(|e| e.seq)
        } else {
            None
        };
        let items = rows
            .into_iter()
            .map(|e| {
                let actor_name = e
                    .actor_user_id
                    .and_then(|a| names.get(&(NamedTable::Users, a.0)).cloned());
                let subject_name = match named_subject(&e) {
                    Some(key) => names.get(&key).cloned(),
                    None => e
                        .payload
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                };
                let member_name = if is_member_change(&e.kind) {
                    id_at(&e.payload, "user_id")
                        .and_then(|u| names.get(&(NamedTable::Users, u)).cloned())
                } else {
                    None
                };
                let mut details = e.payload;
                if let Value::Object(map) = &mut details {
                    map.remove("kind");
                    map.remove("v");
                }
                AuditEntry {
                    seq: e.seq,
                    at: e.created_at,
                    actor_id: e.actor_user_id,
                    actor_name,
                    kind: e.kind,
                    subject: e.subject,
                    subject_name,
                    member_name,
                    details,
                }
            })
            .collect();
        Ok(AuditPage { items, next_before })
    }
}
