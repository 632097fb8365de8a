//! Each agent's own notice preferences ("each agent sets their own preferences"): per
//! kind of agent notice, whether it reaches them in the workspace (the notification list and
//! live pop-ups), whether it is pushed to their browsers and phones, and whether it goes into
//! their e-mail digest (notices still unread a while later, e-mailed together; see
//! `agent_digest`). No stored row means in-app and push on, the digest off.

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
    /// Still unread [`crate::agent_digest::DIGEST_DELAY_MS`] after it arrived: e-mailed to them,
    /// together with the others of that while. Needs `in_app` (the digest lists unread notices).
    #[serde(default)]
    pub email: bool,
}

impl Default for NoticePref {
    fn default() -> Self {
        Self {
            in_app: true,
            push: true,
            email: false,
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
                if let Some(b) = v.get("email").and_then(Value::as_bool) {
                    p.email = b;
                }
            }
        }
    }
    out
}

/// Applies a change (`{kind: {in_app?, push?, email?}}`, any subset) to `prefs`, naming every
/// bad path.
pub(crate) fn apply_change(prefs: &mut NoticePrefs, change: &Value) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    let Value::Object(kinds) = change else {
        errors.add("", "must be an object of kind → {in_app, push, email}");
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
            errors.add(
                kind.as_str(),
                "must be an object with any of in_app, push and email",
            );
            continue;
        };
        for (field, b) in fields {
            let slot = match field.as_str() {
                "in_app" => &mut p.in_app,
                "push" => &mut p.push,
                "email" => &mut p.email,
                _ => {
                    errors.add(
                        format!("{kind}.{field}"),
                        "unknown field; in_app, push or email",
                    );
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
        assert!(d.values().all(|p| p.in_app && p.push && !p.email));
        let s = prefs_from(Some(
            &json!({"mention": {"push": false, "email": true}, "gone": {"push": false}}),
        ));
        assert_eq!(
            s["mention"],
            NoticePref {
                in_app: true,
                push: false,
                email: true
            }
        );
        assert!(!s["assigned"].email);
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
                push: true,
                email: false
            }
        );
        apply_change(&mut p, &json!({"mention": {"email": true}})).expect("ok");
        assert!(p["mention"].email && p["mention"].push);
        let e = apply_change(
            &mut p,
            &json!({"nope": {}, "mention": {"push": "no", "sms": true, "email": 1}, "ticket": 1}),
        )
        .expect_err("bad");
        let fields: Vec<String> = e.into_vec().into_iter().map(|f| f.field).collect();
        for want in [
            "nope",
            "mention.push",
            "mention.sms",
            "mention.email",
            "ticket",
        ] {
            assert!(fields.iter().any(|f| f == want), "{want} in {fields:?}");
        }
        assert!(apply_change(&mut p, &json!([1])).is_err());
    }
}
