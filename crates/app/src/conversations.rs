//! Conversations from the agents' side: who may see what, sending messages and internal notes,
//! transfer, status, tags, typing and read marks. Every change commits with its outbox event and
//! is then handed to the real-time port.

use std::{collections::HashMap, sync::Arc};

use yingke_core::{DomainEvent, FieldErrors, Role, TeamId, UserId};
use yingke_store::{
    Page, Scope, Tx,
    conversations::{
        self as convs, Conversation, ConversationFilter, ConversationPatch, Message, NewMessage,
    },
    events, teams, users,
};

use crate::{App, AppError, AppResult, Live, Party, Principal};

/// A message with the name of whoever sent it, as clients show it.
#[derive(Debug, Clone)]
pub struct MessageView {
    pub message: Message,
    pub sender_name: String,
}

/// What an agent sends.
pub struct AgentMessage {
    pub client_id: Option<String>,
    pub text: String,
    /// Internal note: never reaches the contact.
    pub note: bool,
    /// An upload of this agent's to send with the message.
    pub attachment_id: Option<i64>,
}

/// A validated status: the four states of a conversation.
pub fn parse_status(s: &str) -> Result<&'static str, String> {
    match s {
        "open" => Ok("open"),
        "pending" => Ok("pending"),
        "resolved" => Ok("resolved"),
        "closed" => Ok("closed"),
        _ => Err("must be one of: open, pending, resolved, closed".into()),
    }
}

/// Priority names to their stored order.
pub fn parse_priority(s: &str) -> Result<i64, String> {
    match s {
        "low" => Ok(0),
        "normal" => Ok(1),
        "high" => Ok(2),
        "urgent" => Ok(3),
        _ => Err("must be one of: low, normal, high, urgent".into()),
    }
}

pub fn priority_name(p: i64) -> &'static str {
    match p {
        i64::MIN..=0 => "low",
        1 => "normal",
        2 => "high",
        _ => "urgent",
    }
}

/// Checks a message text: not blank, not over the limit.
pub(crate) fn check_text(text: &str, max: usize, field: &str) -> AppResult<()> {
    if text.trim().is_empty() {
        return Err(FieldErrors::single(field, "must not be empty").into());
    }
    if text.chars().count() > max {
        return Err(FieldErrors::single(field, format!("must be at most {max} characters")).into());
    }
    Ok(())
}

pub(crate) fn check_client_id(client_id: Option<&str>) -> AppResult<()> {
    if let Some(c) = client_id
        && (c.is_empty() || c.len() > 64 || !c.bytes().all(|b| b.is_ascii_graphic()))
    {
        return Err(
            FieldErrors::single("client_id", "must be 1–64 visible ASCII characters").into(),
        );
    }
    Ok(())
}

impl App {
    /// Whether the principal may see a conversation: supervisors and above see all; an agent sees
    /// those assigned to them, and unassigned ones in none of the teams or in one of theirs.
    pub async fn may_see(&self, principal: &Principal, c: &Conversation) -> AppResult<bool> {
        if principal.role().at_least(Role::Supervisor)
            || c.assignee_id == Some(principal.user_id().0)
        {
            return Ok(true);
        }
        if c.assignee_id.is_some() {
            return Ok(false);
        }
        match c.team_id {
            None => Ok(true),
            Some(team) => Ok(teams::is_member(
                &self.db,
                principal.scope(),
                TeamId(team),
                principal.user_id(),
            )
            .await?),
        }
    }

    /// A conversation the principal may see, or not found.
    pub(crate) async fn visible(&self, principal: &Principal, id: i64) -> AppResult<Conversation> {
        let c = convs::get(&self.db, principal.scope(), id).await?;
        if self.may_see(principal, &c).await? {
            Ok(c)
        } else {
            Err(AppError::NotFound)
        }
    }

    pub async fn list_conversations(
        &self,
        principal: &Principal,
        mut filter: ConversationFilter,
        after: i64,
        limit: u32,
    ) -> AppResult<Page<Conversation>> {
        if !principal.role().at_least(Role::Supervisor) {
            filter.visible_to = Some(principal.user_id().0);
        }
        Ok(convs::list(&self.db, principal.scope(), &filter, after, limit).await?)
    }

    /// A conversation and its tags.
    pub async fn get_conversation(
        &self,
        principal: &Principal,
        id: i64,
    ) -> AppResult<(Conversation, Vec<String>)> {
        let c = self.visible(principal, id).await?;
        let tags = convs::tags(&self.db, principal.scope(), id).await?;
        Ok((c, tags))
    }

    /// Messages after `after_seq`, notes included (agents see them).
    pub async fn conversation_messages(
        &self,
        principal: &Principal,
        id: i64,
        after_seq: i64,
        limit: u32,
    ) -> AppResult<Vec<MessageView>> {
        self.visible(principal, id).await?;
        let msgs = convs::messages(&self.db, principal.scope(), id, after_seq, limit, true).await?;
        self.with_names(principal.scope(), msgs).await
    }

    /// Resolves sender names for a batch of messages.
    pub(crate) async fn with_names(
        &self,
        scope: Scope,
        msgs: Vec<Message>,
    ) -> AppResult<Vec<MessageView>> {
        let mut names: HashMap<(String, i64), String> = HashMap::new();
        let mut out = Vec::with_capacity(msgs.len());
        for m in msgs {
            let name = match (m.sender_kind.as_str(), m.sender_id) {
                (kind @ ("agent" | "contact"), Some(id)) => {
                    let key = (kind.to_owned(), id);
                    if let Some(n) = names.get(&key) {
                        n.clone()
                    } else {
                        let n = self.sender_name(scope, kind, id).await;
                        names.insert(key, n.clone());
                        n
                    }
                }
                ("bot", _) => "机器人".into(),
                _ => String::new(),
            };
            out.push(MessageView {
                message: m,
                sender_name: name,
            });
        }
        Ok(out)
    }

    pub(crate) async fn sender_name(&self, scope: Scope, kind: &str, id: i64) -> String {
        match kind {
            "agent" => users::get(&self.db, scope, UserId(id))
                .await
                .map(|u| u.name)
                .unwrap_or_default(),
            _ => yingke_store::contacts::get(&self.db, scope, id)
                .await
                .map(|c| {
                    if c.name.is_empty() {
                        format!("访客 {id}")
                    } else {
                        c.name
                    }
                })
                .unwrap_or_default(),
        }
    }

    /// An agent replies or writes an internal note. Resending the same client id returns the
    /// message sent the first time.
    #[tracing::instrument(skip_all, fields(conversation.id = id, actor = %principal.user_id()))]
    pub async fn agent_send(
        &self,
        principal: &Principal,
        id: i64,
        input: AgentMessage,
    ) -> AppResult<MessageView> {
        if input.attachment_id.is_none() || !input.text.is_empty() {
            check_text(&input.text, self.settings.max_message_chars, "text")?;
        }
        check_client_id(input.client_id.as_deref())?;
        let scope = principal.scope();
        let conv = self.visible(principal, id).await?;
        let attachment = match input.attachment_id {
            Some(a) => Some(
                self.sendable_attachment(scope, a, None, Some(principal.user_id().0))
                    .await?,
            ),
            None => None,
        };
        let me = principal.user_id().0;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if let Some(cid) = &input.client_id
            && let Some(existing) = convs::message_by_client_id(&mut tx, scope, id, cid).await?
        {
            return Ok(MessageView {
                message: existing,
                sender_name: principal.user.name.clone(),
            });
        }
        let kind = match (input.note, &attachment) {
            (true, _) => "note",
            (false, Some(_)) => "attachment",
            (false, None) => "text",
        };
        let new = NewMessage {
            sender_kind: "agent",
            sender_id: Some(me),
            kind,
            body: &input.text,
            attachment: attachment.as_ref(),
            client_id: input.client_id.as_deref(),
        };
        let appended = convs::append_message_to(&mut tx, scope, id, new, now).await;
        let (mut conv_after, message) = match appended {
            Err(yingke_store::Error::Conflict { .. }) => {
                // The same client id raced in on another connection and won: answer with it.
                drop(tx);
                let mut tx = self.db.begin().await?;
                let cid = input.client_id.as_deref().unwrap_or_default();
                let existing = convs::message_by_client_id(&mut tx, scope, id, cid)
                    .await?
                    .ok_or(AppError::NotFound)?;
                return Ok(MessageView {
                    message: existing,
                    sender_name: principal.user.name.clone(),
                });
            }
            other => other?,
        };
        self.touch_agent(&mut tx, scope, me).await?;
        if !input.note && conv.assignee_id == Some(me) {
            yingke_store::routing::agent_replied(&mut tx, scope, id, now).await?;
        }
        if !input.note && conv.first_response_at.is_none() {
            let secs = (now - conv.created_at) as f64 / 1000.0;
            let entry = conv
                .source
                .pointer("/entry/key")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_owned();
            let team = conv.team_id.map(|t| t.to_string()).unwrap_or_default();
            metrics::histogram!("yingke_first_response_seconds", "entry" => entry, "team" => team)
                .record(secs);
            self.record_perf(&mut tx, scope, me, id, |p, at| {
                p.observe_first_response(at, secs)
            })
            .await?;
            conv_after = convs::update(
                &mut tx,
                scope,
                id,
                ConversationPatch {
                    first_response_at: Some(now),
                    ..Default::default()
                },
                now,
            )
            .await?;
        }
        append_message_event(&mut tx, scope, Some(principal.user_id()), &message, now).await?;
        if input.note && input.text.contains('@') {
            let people = users::mentionable_in(&mut tx, scope).await?;
            let by = principal.user.name.as_str();
            for user in mentioned(&input.text, &people, me) {
                self.agent_notice(
                    &mut tx,
                    scope,
                    user,
                    "mention",
                    &format!("{by} 在会话 #{} 的备注中提到了你", conv.number),
                    serde_json::json!({
                        "conversation_id": id, "conversation_number": conv.number,
                        "message_id": message.id, "by": me, "by_name": by,
                        "excerpt": excerpt(&input.text, MENTION_EXCERPT),
                    }),
                    &format!("mention:{}:{user}", message.id),
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        let view = MessageView {
            message,
            sender_name: principal.user.name.clone(),
        };
        self.publish_message(&conv_after, &view);
        Ok(view)
    }

    pub(crate) fn publish_message(&self, conv: &Conversation, view: &MessageView) {
        self.live.publish(
            conv.account_id,
            Live::Message {
                conversation: Arc::new(conv.clone()),
                message: Arc::new(view.message.clone()),
                sender_name: view.sender_name.clone(),
            },
        );
    }

    pub(crate) fn publish_conversation(&self, conv: &Conversation, event: &'static str) {
        self.live.publish(
            conv.account_id,
            Live::Conversation {
                conversation: Arc::new(conv.clone()),
                event: event.into(),
            },
        );
    }

    /// Transfers a conversation to an agent and/or a team, with an optional internal note that
    /// explains why. `Some(None)` unassigns.
    pub async fn transfer_conversation(
        &self,
        principal: &Principal,
        id: i64,
        assignee: Option<Option<UserId>>,
        team: Option<Option<TeamId>>,
        note: Option<String>,
    ) -> AppResult<Conversation> {
        let scope = principal.scope();
        let before = self.visible(principal, id).await?;
        if let Some(n) = &note {
            check_text(n, self.settings.max_message_chars, "note")?;
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if let Some(Some(user)) = assignee {
            let u = users::get_in(&mut tx, scope, user).await.map_err(|_| {
                AppError::Validation(FieldErrors::single(
                    "assignee_id",
                    "is not a user of this account",
                ))
            })?;
            if !u.active {
                return Err(FieldErrors::single("assignee_id", "is deactivated").into());
            }
        }
        if let Some(Some(t)) = team
            && !teams::exists_in(&mut tx, scope, t).await?
        {
            return Err(FieldErrors::single("team_id", "is not a team of this account").into());
        }
        let patch = ConversationPatch {
            assignee_id: assignee.map(|a| a.map(|u| u.0)),
            team_id: team.map(|t| t.map(|t| t.0)),
            ..Default::default()
        };
        let conv = convs::update(&mut tx, scope, id, patch, now).await?;
        if let Some(Some(_)) = assignee {
            yingke_store::routing::assigned_manually(&mut tx, scope, id, now).await?;
        }
        let mut note_view = None;
        let note_excerpt = note.as_deref().map(|n| excerpt(n, MENTION_EXCERPT));
        if let Some(text) = note {
            let m = convs::append_message(
                &mut tx,
                scope,
                id,
                NewMessage {
                    sender_kind: "agent",
                    sender_id: Some(principal.user_id().0),
                    kind: "note",
                    body: &text,
                    attachment: None,
                    client_id: None,
                },
                now,
            )
            .await?;
            append_message_event(&mut tx, scope, Some(principal.user_id()), &m, now).await?;
            note_view = Some(MessageView {
                message: m,
                sender_name: principal.user.name.clone(),
            });
        }
        let event = DomainEvent::ConversationAssigned {
            conversation_id: id,
            assignee_id: conv.assignee_id.map(UserId),
            team_id: conv.team_id.map(TeamId),
        };
        let seq = events::append(&mut tx, scope, Some(principal.user_id()), &event, now).await?;
        // Someone else handed the conversation to an agent: tell them (their preferences decide
        // where the notice reaches them).
        if let Some(Some(user)) = assignee
            && user != principal.user_id()
            && before.assignee_id != Some(user.0)
        {
            let by = principal.user.name.as_str();
            self.agent_notice(
                &mut tx,
                scope,
                user.0,
                "assigned",
                &format!("{by} 把会话 #{} 转给了你", conv.number),
                serde_json::json!({
                    "conversation_id": id, "conversation_number": conv.number,
                    "by": principal.user_id().0, "by_name": by, "note": note_excerpt,
                }),
                &format!("assigned:{seq}"),
                now,
            )
            .await?;
        }
        let conv = convs::get_in(&mut tx, scope, id).await?;
        tx.commit().await?;
        if let Some(v) = &note_view {
            self.publish_message(&conv, v);
        }
        self.publish_conversation(&conv, "assigned");
        if before.assignee_id.is_some() && before.assignee_id != conv.assignee_id {
            // The previous assignee has room again.
            self.drain_logged(scope).await;
        }
        Ok(conv)
    }

    /// Moves a conversation to another status (resolve, reopen, close, set pending).
    pub async fn set_conversation_status(
        &self,
        principal: &Principal,
        id: i64,
        status: &'static str,
    ) -> AppResult<Conversation> {
        let scope = principal.scope();
        let before = self.visible(principal, id).await?;
        if before.status == status {
            return Ok(before);
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let resolved_at = match status {
            "resolved" => Some(Some(now)),
            "open" | "pending" => Some(None),
            _ => None,
        };
        let conv = convs::update(
            &mut tx,
            scope,
            id,
            ConversationPatch {
                status: Some(status),
                resolved_at,
                ..Default::default()
            },
            now,
        )
        .await?;
        let event = DomainEvent::ConversationStatusChanged {
            conversation_id: id,
            from: before.status.clone(),
            to: status.into(),
        };
        events::append(&mut tx, scope, Some(principal.user_id()), &event, now).await?;
        self.queue_automation(&mut tx, scope, std::slice::from_ref(&event), now)
            .await?;
        if let Some(agent) = conv.assignee_id
            && matches!(status, "resolved" | "closed")
            && matches!(before.status.as_str(), "open" | "pending")
        {
            let resolved = status == "resolved";
            self.record_perf(&mut tx, scope, agent, id, |p, at| {
                p.observe_outcome(at, resolved)
            })
            .await?;
        }
        tx.commit().await?;
        if matches!(status, "resolved" | "closed") {
            self.drain_logged(scope).await;
        }
        let kind = match status {
            "resolved" => "resolved",
            "open" if before.status == "resolved" || before.status == "closed" => "reopened",
            _ => "updated",
        };
        self.publish_conversation(&conv, kind);
        Ok(conv)
    }

    /// Sets a conversation's priority.
    pub async fn set_conversation_priority(
        &self,
        principal: &Principal,
        id: i64,
        priority: i64,
    ) -> AppResult<Conversation> {
        let scope = principal.scope();
        self.visible(principal, id).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let conv = convs::update(
            &mut tx,
            scope,
            id,
            ConversationPatch {
                priority: Some(priority),
                ..Default::default()
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.publish_conversation(&conv, "updated");
        Ok(conv)
    }

    /// Adds or removes a tag.
    pub async fn tag_conversation(
        &self,
        principal: &Principal,
        id: i64,
        tag: &str,
        on: bool,
    ) -> AppResult<Vec<String>> {
        let scope = principal.scope();
        let tag = check_tag(tag)?;
        self.visible(principal, id).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if convs::set_tag(&mut tx, scope, id, &tag, on).await? {
            let event = DomainEvent::ConversationTagged {
                conversation_id: id,
                tag: tag.clone(),
                added: on,
            };
            events::append(&mut tx, scope, Some(principal.user_id()), &event, now).await?;
            self.queue_automation(&mut tx, scope, std::slice::from_ref(&event), now)
                .await?;
        }
        tx.commit().await?;
        if on {
            self.prompt_todo_for_tag(scope, id, &tag).await?;
        }
        Ok(convs::tags(&self.db, scope, id).await?)
    }

    /// An agent types (ephemeral).
    pub async fn agent_typing(&self, principal: &Principal, id: i64, on: bool) -> AppResult<()> {
        let conv = self.visible(principal, id).await?;
        self.live.publish(
            conv.account_id,
            Live::Typing {
                conversation: Arc::new(conv),
                from: Party::Agent(principal.user_id().0),
                on,
            },
        );
        Ok(())
    }

    /// An agent has read up to `seq`.
    pub async fn agent_read(&self, principal: &Principal, id: i64, seq: i64) -> AppResult<()> {
        let conv = self.visible(principal, id).await?;
        // A mark past the last message means "everything": store and announce the last seq.
        let seq = seq.clamp(0, conv.last_seq);
        let mut tx = self.db.begin().await?;
        convs::mark_read(&mut tx, principal.scope(), id, false, seq).await?;
        tx.commit().await?;
        self.live.publish(
            conv.account_id,
            Live::Read {
                conversation: Arc::new(conv),
                by: Party::Agent(principal.user_id().0),
                seq,
            },
        );
        Ok(())
    }
}

/// Appends the outbox event of a new message.
pub(crate) async fn append_message_event(
    tx: &mut Tx,
    scope: Scope,
    actor: Option<UserId>,
    m: &Message,
    now: i64,
) -> AppResult<()> {
    events::append(tx, scope, actor, &message_event(m), now).await?;
    Ok(())
}

/// Characters of a note quoted in a mention notice.
const MENTION_EXCERPT: usize = 140;

/// Who a note mentions: `@name` or `@email` of an active user of the account, other than the
/// author. An `@` inside a word (an e-mail address in the text) mentions nobody; the longest
/// name that fits wins ("@张三丰" is 张三丰, not 张三), and a name ending in a Latin letter or
/// digit must end there ("@Ann" does not mention Anna). Case is ignored.
pub(crate) fn mentioned(text: &str, people: &[(i64, String, String)], author: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        let at_word_start = prev.is_none_or(|p| !p.is_alphanumeric() && p != '_');
        prev = Some(c);
        if c != '@' || !at_word_start {
            continue;
        }
        let rest = &text[i + 1..];
        let fits = |name: &str| -> bool {
            let name = name.trim();
            if name.is_empty() || rest.len() < name.len() || !rest.is_char_boundary(name.len()) {
                return false;
            }
            if !rest[..name.len()].eq_ignore_ascii_case(name) {
                return false;
            }
            let latin_end = name
                .chars()
                .last()
                .is_some_and(|l| l.is_ascii_alphanumeric());
            let next = rest[name.len()..].chars().next();
            !(latin_end && next.is_some_and(|n| n.is_alphanumeric() || n == '_'))
        };
        let best = people
            .iter()
            .flat_map(|(id, name, email)| [(*id, name.trim()), (*id, email.trim())])
            .filter(|(_, n)| fits(n))
            .max_by_key(|(_, n)| n.len());
        if let Some((id, _)) = best
            && id != author
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

/// The first `max` characters of a text, with an ellipsis when it was longer.
fn excerpt(text: &str, max: usize) -> String {
    let t = text.trim();
    match t.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_owned(),
    }
}

/// The event of a new message.
pub(crate) fn message_event(m: &Message) -> DomainEvent {
    DomainEvent::MessageCreated {
        conversation_id: m.conversation_id,
        message_id: m.id,
        seq: m.seq,
        sender_kind: m.sender_kind.clone(),
        message_kind: m.kind.clone(),
    }
}

/// A tag: trimmed, 1–50 characters, no control characters or commas.
pub fn check_tag(tag: &str) -> AppResult<String> {
    let t = tag.trim();
    if t.is_empty() || t.chars().count() > 50 || t.chars().any(|c| c.is_control() || c == ',') {
        return Err(FieldErrors::single("tag", "must be 1–50 characters without commas").into());
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Vec<(i64, String, String)> {
        vec![
            (1, "张三".into(), "zhang@example.com".into()),
            (2, "张三丰".into(), "feng@example.com".into()),
            (3, "Ann".into(), "ann@example.com".into()),
            (4, "Anna Lee".into(), "anna@example.com".into()),
            (5, "".into(), "nameless@example.com".into()),
        ]
    }

    #[test]
    fn a_note_mentions_people_by_name_or_email() {
        let p = people();
        assert_eq!(mentioned("@张三 请看一下", &p, 9), vec![1]);
        assert_eq!(
            mentioned("@张三丰请看", &p, 9),
            vec![2],
            "the longest name wins"
        );
        assert_eq!(
            mentioned("@张三请看", &p, 9),
            vec![1],
            "CJK names need no space after"
        );
        assert_eq!(mentioned("cc @ann, @Anna Lee.", &p, 9), vec![3, 4]);
        assert_eq!(mentioned("@nameless@example.com 看", &p, 9), vec![5]);
        assert_eq!(
            mentioned("@张三 @张三 @zhang@example.com", &p, 9),
            vec![1],
            "once each"
        );
    }

    #[test]
    fn no_mention_inside_words_of_partial_latin_names_or_of_the_author() {
        let p = people();
        assert!(mentioned("mail bob@ann.com", &p, 9).is_empty());
        assert!(mentioned("@Annabel", &p, 9).is_empty());
        assert!(mentioned("@张三 自己", &p, 1).is_empty());
        assert!(mentioned("@ 张三", &p, 9).is_empty());
        assert!(mentioned("no at sign", &p, 9).is_empty());
    }

    #[test]
    fn excerpts_are_cut_on_characters() {
        assert_eq!(excerpt("  短  ", 5), "短");
        assert_eq!(excerpt("一二三四五六", 3), "一二三…");
    }
}
