//! Agents' e-mail digests. An agent chooses, per kind of notice, to get it by e-mail when they
//! have not seen it in the workspace (`email` in their notice preferences). The first such notice
//! schedules a durable timer [`DIGEST_DELAY_MS`] later; when it fires, every notice of those
//! kinds that came since that first one and is still unread goes out in one e-mail, through the
//! account's e-mail channel and the ordinary delivery path (retries, the delivery log). Notices
//! read in the meantime are left out, nothing is mailed when all of them were read, and no
//! notice is mailed twice (each digest records the newest notice it covered).

use serde_json::{Value, json};
use yingke_core::notify::Medium;
use yingke_store::{
    Json, Scope, Tx,
    notify::{self as repo, Delivery},
    timers::{self, NewTimer},
    users,
};

use crate::{
    App, AppError, AppResult,
    notice_prefs::{NOTICE_KINDS, prefs_from},
    notify::blank_delivery,
    push::notice_url,
};

/// The timer kind; one pending per agent (`agent_digest:{user}`).
pub const DIGEST_TIMER: &str = "agent_digest";
/// How long a notice may stay unread before it is e-mailed.
pub const DIGEST_DELAY_MS: i64 = 15 * 60_000;
/// Notices listed in one e-mail; the rest are counted.
const MAX_ITEMS: usize = 30;
/// Unread notices read per digest.
const SCAN: u32 = 500;

impl App {
    /// After an in-app notice for `user` of a kind they get by e-mail: makes sure a digest is
    /// due [`DIGEST_DELAY_MS`] from now, unless one is pending already (it will list this one).
    pub(crate) async fn queue_agent_digest(
        &self,
        tx: &mut Tx,
        scope: Scope,
        user: i64,
        now: i64,
    ) -> AppResult<()> {
        let run_at = now + DIGEST_DELAY_MS;
        // `since`: the digest lists what came from now on (a pending one keeps its own).
        let payload = json!({ "user_id": user, "since": now }).to_string();
        let timer = NewTimer {
            kind: DIGEST_TIMER,
            dedupe_key: &format!("agent_digest:{user}"),
            payload: &payload,
            run_at,
            max_attempts: crate::timers::DEFAULT_MAX_ATTEMPTS,
        };
        if timers::ensure(tx, scope, &timer, now).await? {
            self.wake_at(run_at);
        }
        Ok(())
    }

    /// The digest timer: queues one e-mail listing the agent's unread notices of their digest
    /// kinds that came since the timer was set (and after the last digest), or records why none
    /// could be sent.
    pub(crate) async fn fire_agent_digest_timer(
        &self,
        tx: &mut Tx,
        scope: Scope,
        payload: &str,
    ) -> AppResult<()> {
        let p: Value = serde_json::from_str(payload)
            .map_err(|e| AppError::Internal(format!("agent digest payload: {e}")))?;
        let Some(user) = p["user_id"].as_i64() else {
            return Err(AppError::Internal(
                "agent digest payload: no user_id".into(),
            ));
        };
        let since = p["since"].as_i64().unwrap_or(0);
        let now = self.now();
        // A deactivated or removed agent gets nothing.
        let Some(agent) = repo::agents_by_id_in(tx, scope, &[user])
            .await?
            .into_iter()
            .next()
        else {
            return Ok(());
        };
        let prefs = prefs_from(users::notice_prefs_in(tx, scope, user).await?.as_ref());
        let after = repo::digest_watermark_in(tx, scope, user).await?;
        let unread = repo::unread_agent_notices_in(tx, scope, user, after, since, SCAN).await?;
        let Some(through) = unread.iter().map(|d| d.id).max() else {
            return Ok(());
        };
        let items: Vec<&Delivery> = unread
            .iter()
            .filter(|d| prefs.get(pref_kind(d)).is_some_and(|p| p.email))
            .collect();
        if items.is_empty() {
            return Ok(());
        }
        let channel = repo::channels_in(tx, scope)
            .await?
            .into_iter()
            .find(|c| c.enabled && c.medium == Medium::Email.as_str());
        let en = agent.locale.starts_with("en");
        let mut d = blank_delivery(scope, 0, 0, &format!("digest:{user}:{through}"), now);
        d.ticket_id = None;
        d.rule_id = None;
        d.idempotency_key = d.notice_key.clone();
        d.notice_kind = Some("digest".into());
        d.recipient_kind = "agent".into();
        d.user_id = Some(user);
        d.medium = Medium::Email.as_str().to_owned();
        d.address = agent.email.clone();
        d.locale = if en { "en" } else { "zh-CN" }.into();
        (d.subject, d.body) = digest_text(&items, &agent.name, en, self.public_url(), now);
        d.params = Json(json!({
            "through_id": through,
            "notice_ids": items.iter().map(|n| n.id).collect::<Vec<_>>(),
        }));
        match channel {
            Some(c) if !agent.email.trim().is_empty() => {
                d.channel_id = Some(c.id);
                d.status = "queued".into();
                d.due_at = Some(now);
                if repo::insert_delivery(tx, &d).await?.is_some() {
                    self.dispatch_wake.notify_one();
                }
            }
            // Recorded, so the delivery log says why no digest arrived (and the next digest
            // does not list these again).
            _ => {
                d.status = "skipped".into();
                d.skip_reason = Some(Json(json!("no_channel")));
                repo::insert_delivery(tx, &d).await?;
            }
        }
        Ok(())
    }
}

/// The preference a notice answers to: rules' notices about tickets are `ticket`; agent notices
/// carry their own kind.
fn pref_kind(d: &Delivery) -> &str {
    match d.notice_kind.as_deref() {
        Some(k) if d.rule_id.is_none() && NOTICE_KINDS.contains(&k) => k,
        _ => "ticket",
    }
}

/// The digest's subject and text: each notice with how long ago it came and where it leads.
fn digest_text(
    items: &[&Delivery],
    name: &str,
    en: bool,
    base: &str,
    now: i64,
) -> (String, String) {
    let n = items.len();
    let subject = if en {
        format!("Yingke: {n} unread notice{}", if n == 1 { "" } else { "s" })
    } else {
        format!("迎客：{n} 条未读通知")
    };
    let minutes = DIGEST_DELAY_MS / 60_000;
    let mut body = if en {
        format!("Hello {name}, these have waited in Yingke for at least {minutes} minutes:\n")
    } else {
        format!("{name}，你好。以下通知在迎客中已超过 {minutes} 分钟未读：\n")
    };
    for d in items.iter().take(MAX_ITEMS) {
        let link = format!("{base}{}", notice_url(d.ticket_id, &d.params.0));
        let age = ago(now - d.created_at, en);
        let age = if en {
            format!(" ({age})")
        } else {
            format!("（{age}）")
        };
        body.push_str(&format!("\n· {}{age}\n  {link}", d.subject.trim()));
    }
    if n > MAX_ITEMS {
        let more = n - MAX_ITEMS;
        body.push_str(&if en {
            format!("\n\n… and {more} more.")
        } else {
            format!("\n\n……另有 {more} 条。")
        });
    }
    body.push_str(&if en {
        "\n\nChoose which notices are e-mailed to you in your profile (Profile → Notices)."
            .to_owned()
    } else {
        "\n\n可在“个人设置 → 通知”中选择哪些通知以邮件发送。".to_owned()
    });
    (subject, body)
}

fn ago(ms: i64, en: bool) -> String {
    let m = (ms / 60_000).max(1);
    match (m < 60, en) {
        (true, true) => format!("{m} min ago"),
        (true, false) => format!("{m} 分钟前"),
        (false, true) => format!("{} h ago", m / 60),
        (false, false) => format!("{} 小时前", m / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(id: i64, kind: &str, rule: Option<i64>, subject: &str, params: Value) -> Delivery {
        let mut d = blank_delivery(Scope::new(yingke_core::AccountId(1)), 0, 0, "k", 0);
        d.id = id;
        d.ticket_id = None;
        d.rule_id = rule;
        d.notice_kind = Some(kind.into());
        d.subject = subject.into();
        d.params = Json(params);
        d
    }

    #[test]
    fn rule_notices_answer_to_ticket_and_agent_notices_to_their_kind() {
        assert_eq!(
            pref_kind(&notice(1, "mention", None, "", json!({}))),
            "mention"
        );
        assert_eq!(
            pref_kind(&notice(1, "status", Some(4), "", json!({}))),
            "ticket"
        );
        assert_eq!(
            pref_kind(&notice(1, "unknown", None, "", json!({}))),
            "ticket"
        );
    }

    #[test]
    fn the_text_lists_each_notice_with_its_age_and_link_and_counts_the_rest() {
        let a = notice(
            1,
            "mention",
            None,
            "王经理 在会话中提到了你",
            json!({"conversation_id": 7}),
        );
        let b = notice(
            2,
            "assigned",
            None,
            "新会话分配给你",
            json!({"conversation_id": 8}),
        );
        let (s, t) = digest_text(&[&a, &b], "李雷", false, "https://cs.example", 20 * 60_000);
        assert_eq!(s, "迎客：2 条未读通知");
        assert!(t.starts_with("李雷，你好。"), "{t}");
        assert!(
            t.contains("· 王经理 在会话中提到了你（20 分钟前）\n  https://cs.example/inbox/7"),
            "{t}"
        );
        assert!(t.contains("https://cs.example/inbox/8"), "{t}");
        let (s, t) = digest_text(&[&a], "Li", true, "https://cs.example", 3 * 3_600_000);
        assert_eq!(s, "Yingke: 1 unread notice");
        assert!(t.contains("· 王经理 在会话中提到了你 (3 h ago)"), "{t}");
        let many: Vec<Delivery> = (0..MAX_ITEMS as i64 + 4)
            .map(|i| notice(i, "mention", None, &format!("n{i}"), json!({})))
            .collect();
        let refs: Vec<&Delivery> = many.iter().collect();
        let (s, t) = digest_text(&refs, "Li", true, "", 0);
        assert_eq!(s, format!("Yingke: {} unread notices", MAX_ITEMS + 4));
        assert!(t.contains("… and 4 more."), "{t}");
        assert_eq!(t.matches("\n· ").count(), MAX_ITEMS);
    }
}
