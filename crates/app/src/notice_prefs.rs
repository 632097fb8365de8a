//! Each agent's own notice preferences ("each agent sets their own preferences"): per
//! kind of agent notice, whether it reaches them in the workspace (the notification list and
//! live pop-ups) and whether it is pushed to their browsers and phones. No stored row means
//! everything on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use yingke_core::FieldErrors;
use yingke_store::{Scope, Tx, users};

use crate::{App, AppResult, Principal};

/// The kinds an agent can tune: agent notices by kind (`assigned`: someone else handed them a
/// conversation; `mention`: a note names them), and `ticket` for the notification rules'
/// notices to agents (SLA warnings on their tickets, resolutions).
pub const NOTICE_KINDS: &[&str] = &[
    "assigned",
    "mention",
    "ticket",
    "todo_reminder",
    "todo_digest",
    "todo_prompt",
    "automation",
];

/// Where one kind of notice reaches the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePref {
    /// Stored in their notification list and shown live in the workspace.
    pub in_app: bool,
    /// Also pushed to their subscribed browsers and phones.
    pub push: bool,
}

impl Default for NoticePref {
    fn default() -> Self {
        Self {
            in_app: true,
            push: true,
        }
    }
}

/// Every kind with its setting.
pub type NoticePrefs = BTreeMap<String, NoticePref>;

/// The stored preferences over the defaults (unknown kinds in storage are ignored).
pub(crate) fn prefs_from(stored: Option<&Value>) -> NoticePrefs {
    let mut out: NoticePrefs = NOTICE_KINDS
        .iter()
        .map(|k| ((*k).to_owned(), NoticePref::default()))
        .collect();
    if let Some(Value::Object(m)) = stored {
        for (k, v) in m {
            if let Some(p) = out.get_mut(k) {
                if let Some(b) = v.get("in_app").and_then(Value::as_bool) {
                    p.in_app = b;
                }
                if let Some(b) = v.get("push").and_then(Value::as_bool) {
                    p.push = b;
                }
            }
        }
    }
    out
}

/// Applies a change (`{kind: {in_app?, push?}}`, any subset) to `prefs`, naming every bad path.
pub(crate) fn apply_change(prefs: &mut NoticePrefs, change: &Value) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    let Value::Object(kinds) = change else {
        errors.add("", "must be an object of kind → {in_app, push}");
        return Err(errors);
    };
    for (kind, v) in kinds {
        let Some(p) = prefs.get_mut(kind) else {
            errors.add(
                kind.as_str(),
                format!("unknown kind; one of {}", NOTICE_KINDS.join(", ")),
            );
            continue;
        };
        let Value::Object(fields) = v else {
            errors.add(kind.as_str(), "must be an object with in_app and/or push");
            continue;
        };
        for (field, b) in fields {
            let slot = match field.as_str() {
                "in_app" => &mut p.in_app,
                "push" => &mut p.push,
                _ => {
                    errors.add(format!("{kind}.{field}"), "unknown field; in_app or push");
                    continue;
                }
            };
            match b.as_bool() {
                Some(b) => *slot = b,
                None => errors.add(format!("{kind}.{field}"), "must be true or false"),
            }
        }
    }
    errors.finish()
}

impl App {
    pub async fn my_notice_prefs(&self, p: &Principal) -> AppResult<NoticePrefs> {
        let stored = users::notice_prefs(self.db(), p.scope(), p.user_id().0).await?;
        Ok(prefs_from(stored.as_ref()))
    }

    /// Changes the signed-in person's preferences; answers all of them.
    pub async fn set_my_notice_prefs(
        &self,
        p: &Principal,
        change: &Value,
    ) -> AppResult<NoticePrefs> {
        let scope = p.scope();
        let me = p.user_id().0;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let mut prefs = prefs_from(users::notice_prefs_in(&mut tx, scope, me).await?.as_ref());
        apply_change(&mut prefs, change)?;
        let v = serde_json::to_value(&prefs).unwrap_or_default();
        users::put_notice_prefs(&mut tx, scope, me, &v, now).await?;
        tx.commit().await?;
        Ok(prefs)
    }

    /// How a notice of `kind` reaches `user` (the defaults for kinds nobody can tune).
    pub(crate) async fn notice_pref_in(
        &self,
        tx: &mut Tx,
        scope: Scope,
        user: i64,
        kind: &str,
    ) -> AppResult<NoticePref> {
        if !NOTICE_KINDS.contains(&kind) {
            return Ok(NoticePref::default());
        }
        let stored = users::notice_prefs_in(tx, scope, user).await?;
        Ok(prefs_from(stored.as_ref())
            .get(kind)
            .copied()
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn defaults_are_all_on_and_stored_values_override_them() {
        let d = prefs_from(None);
        assert_eq!(d.len(), NOTICE_KINDS.len());
        assert!(d.values().all(|p| p.in_app && p.push));
        let s = prefs_from(Some(
            &json!({"mention": {"push": false}, "gone": {"push": false}}),
        ));
        assert_eq!(
            s["mention"],
            NoticePref {
                in_app: true,
                push: false
            }
        );
        assert!(!s.contains_key("gone"));
    }

    #[test]
    fn a_change_applies_only_what_it_names_and_bad_paths_are_named() {
        let mut p = prefs_from(None);
        apply_change(&mut p, &json!({"todo_prompt": {"in_app": false}})).expect("ok");
        assert_eq!(
            p["todo_prompt"],
            NoticePref {
                in_app: false,
                push: true
            }
        );
        let e = apply_change(
            &mut p,
            &json!({"nope": {}, "mention": {"push": "no", "sms": true}, "ticket": 1}),
        )
        .expect_err("bad");
        let fields: Vec<String> = e.into_vec().into_iter().map(|f| f.field).collect();
        for want in ["nope", "mention.push", "mention.sms", "ticket"] {
            assert!(fields.iter().any(|f| f == want), "{want} in {fields:?}");
        }
        assert!(apply_change(&mut p, &json!([1])).is_err());
    }
}
