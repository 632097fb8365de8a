//! The visitor's side of the web widget: starting or resuming a session (anonymous, or identified
//! with the embedding site's HMAC), the page trail, sending messages, resync, CSAT.

use std::{collections::HashMap, sync::Arc};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use yingke_core::{AccountId, DomainEvent, Email, FieldErrors};
use yingke_store::{
    Backend, Scope, Tx,
    channels::{self, Channel},
    contacts::{self, Contact, ContactPatch},
    conversations::{self as convs, Conversation, ConversationPatch, NewConversation, NewMessage},
    events,
};

use crate::{
    App, AppError, AppResult, Live, Party,
    channels::{ChannelView, WidgetSettings, is_key},
    conversations::{
        MessageView, append_message_event, check_client_id, check_text, message_event,
    },
    keyring::identity_hmac_matches,
};

/// What a visitor token proves: this browser is contact `c` of channel `ch` in account `a`, and
/// the entry fields of its current visit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VisitorClaims {
    pub a: i64,
    pub ch: i64,
    pub c: i64,
    #[serde(default)]
    pub src: Value,
    pub iat: i64,
}

impl VisitorClaims {
    pub fn scope(&self) -> Scope {
        Scope::new(AccountId(self.a))
    }
    pub fn account(&self) -> AccountId {
        AccountId(self.a)
    }
}

#[derive(Debug, Clone, Default)]
pub struct PageInfo {
    pub url: String,
    pub title: String,
    pub referrer: String,
}

#[derive(Debug, Clone, Default)]
pub struct IdentityInput {
    pub user_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub attributes: Option<Value>,
    pub hmac: String,
}

/// A visitor's session request, as the widget sends it.
#[derive(Debug, Clone, Default)]
pub struct SessionInput {
    pub visitor_token: Option<String>,
    pub entry: Option<String>,
    pub page: Option<PageInfo>,
    pub utm: Map<String, Value>,
    pub device: Option<String>,
    pub language: Option<String>,
    pub identity: Option<IdentityInput>,
    pub form: Map<String, Value>,
}

pub struct VisitorSession {
    pub token: String,
    pub contact: Contact,
    pub conversation: Option<Conversation>,
}

const UTM_KEYS: [&str; 5] = ["source", "medium", "campaign", "term", "content"];

fn check_len(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    }
}

/// Custom attributes: an object of at most 50 keys whose values are text, numbers, booleans or
/// lists of those.
pub fn check_attributes(errors: &mut FieldErrors, field: &str, v: &Value) {
    let Some(map) = v.as_object() else {
        errors.add(field, "must be an object");
        return;
    };
    if map.len() > 50 {
        errors.add(field, "must have at most 50 keys");
    }
    for (k, val) in map {
        let path = format!("{field}.{k}");
        if !is_key(k) {
            errors.add(&path, "keys must be 1–40 of a-z, 0-9, _ and -");
        }
        let scalar = |x: &Value| match x {
            Value::String(s) => s.chars().count() <= 1000,
            Value::Number(_) | Value::Bool(_) | Value::Null => true,
            _ => false,
        };
        let ok = match val {
            Value::Array(items) => items.len() <= 100 && items.iter().all(scalar),
            other => scalar(other),
        };
        if !ok {
            errors.add(
                &path,
                "must be text (≤ 1000), a number, a boolean or a list of those",
            );
        }
    }
}

impl App {
    /// The channel behind a widget's public key, with its settings.
    pub async fn widget_channel(&self, public_key: &str) -> AppResult<ChannelView> {
        let ch = channels::by_public_key(&self.db, public_key).await?;
        let settings: WidgetSettings =
            serde_json::from_value(ch.settings.clone()).unwrap_or_default();
        Ok(ChannelView {
            channel: ch,
            settings,
        })
    }

    /// The claims of a visitor token, for the contact it now resolves to (after merges).
    pub async fn visitor_from_token(&self, token: &str) -> AppResult<VisitorClaims> {
        let mut claims: VisitorClaims = self.keys.verify(token).ok_or(AppError::Unauthenticated)?;
        let mut contact = contacts::get(&self.db, claims.scope(), claims.c)
            .await
            .map_err(|_| AppError::Unauthenticated)?;
        for _ in 0..8 {
            match contact.merged_into_id {
                Some(next) => contact = contacts::get(&self.db, claims.scope(), next).await?,
                None => break,
            }
        }
        claims.c = contact.id;
        Ok(claims)
    }

    /// Starts or resumes a visitor's session: finds or creates the contact (verifying an asserted
    /// identity), records the page view and the pre-chat form, and signs a token.
    #[tracing::instrument(skip_all)]
    pub async fn start_visitor_session(
        &self,
        public_key: &str,
        input: SessionInput,
    ) -> AppResult<VisitorSession> {
        let view = self.widget_channel(public_key).await?;
        let ch = &view.channel;
        let scope = Scope::new(ch.account_id);
        let mut errors = FieldErrors::new();
        if let Some(p) = &input.page {
            check_len(&mut errors, "page.url", &p.url, 2048);
            check_len(&mut errors, "page.title", &p.title, 500);
            check_len(&mut errors, "page.referrer", &p.referrer, 2048);
        }
        for (k, v) in &input.utm {
            if !UTM_KEYS.contains(&k.as_str()) {
                errors.add(
                    format!("utm.{k}"),
                    "is not a UTM field (source, medium, campaign, term, content)",
                );
            } else if v.as_str().is_none_or(|s| s.chars().count() > 500) {
                errors.add(format!("utm.{k}"), "must be text of at most 500 characters");
            }
        }
        for (field, v) in [("device", &input.device), ("language", &input.language)] {
            if let Some(v) = v {
                check_len(&mut errors, field, v, 100);
            }
        }
        let form = self.check_form(&view.settings, &input.form, &mut errors);
        let identity = match &input.identity {
            Some(id) => Some(self.check_identity(ch, id, &mut errors)?),
            None => None,
        };
        if let Some(a) = input.identity.as_ref().and_then(|i| i.attributes.as_ref()) {
            self.check_typed_attributes(scope, &mut errors, "identity.attributes", a)
                .await?;
        }
        errors.finish()?;
        let entry = match input.entry.as_deref().filter(|e| !e.is_empty()) {
            Some(key) => channels::entry_point_by_key(&self.db, scope, ch.id, key).await?,
            None => None,
        };

        let now = self.now();
        let prior = input
            .visitor_token
            .as_deref()
            .and_then(|t| self.keys.verify::<VisitorClaims>(t))
            .filter(|c| c.ch == ch.id && c.a == ch.account_id.0);
        let mut tx = self.db.begin().await?;
        let mut contact = match prior {
            Some(c) => live_contact(&mut tx, scope, c.c).await?,
            None => None,
        };
        if let Some(id) = &identity {
            contact = Some(self.identify(&mut tx, scope, contact, id, now).await?);
        }
        let contact = match contact {
            Some(c) => c,
            None => {
                let c = contacts::insert(&mut tx, scope, ContactPatch::default(), now).await?;
                events::append(
                    &mut tx,
                    scope,
                    None,
                    &DomainEvent::ContactCreated { contact_id: c.id },
                    now,
                )
                .await?;
                c
            }
        };
        let contact = self.apply_form(&mut tx, scope, contact, &form, now).await?;
        if let Some(p) = &input.page
            && !p.url.is_empty()
        {
            contacts::add_page_view(
                &mut tx,
                scope,
                contact.id,
                &p.url,
                &p.title,
                &p.referrer,
                now,
            )
            .await?;
        }
        let conversation = convs::latest_for_contact(&mut tx, scope, ch.id, contact.id).await?;
        tx.commit().await?;

        let src = json!({
            "channel": ch.kind,
            "channel_id": ch.id,
            "entry": entry.as_ref().map(|e| json!({
                "id": e.id, "key": e.key, "name": e.name, "campaign": e.campaign,
                "ad_plan": e.ad_plan, "business_module": e.business_module, "landing_page": e.landing_page,
            })),
            "utm": input.utm,
            "landing_page": input.page.as_ref().map(|p| p.url.clone()).unwrap_or_default(),
            "referrer": input.page.as_ref().map(|p| p.referrer.clone()).unwrap_or_default(),
            "device": input.device.unwrap_or_default(),
            "language": input.language.unwrap_or_default(),
            "form": form,
        });
        let claims = VisitorClaims {
            a: ch.account_id.0,
            ch: ch.id,
            c: contact.id,
            src,
            iat: now,
        };
        Ok(VisitorSession {
            token: self.keys.sign(&claims),
            contact,
            conversation,
        })
    }

    fn check_form(
        &self,
        settings: &WidgetSettings,
        form: &Map<String, Value>,
        errors: &mut FieldErrors,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        if form.is_empty() {
            return out;
        }
        for (k, v) in form {
            let Some(def) = settings.pre_chat_form.iter().find(|f| &f.name == k) else {
                errors.add(format!("form.{k}"), "is not a field of this form");
                continue;
            };
            let Some(s) = v.as_str() else {
                errors.add(format!("form.{k}"), "must be text");
                continue;
            };
            let s = s.trim();
            if s.chars().count() > 1000 {
                errors.add(format!("form.{k}"), "must be at most 1000 characters");
            } else if def.kind == "email" && !s.is_empty() && Email::parse(s).is_err() {
                errors.add(format!("form.{k}"), "must be a valid e-mail address");
            } else if def.kind == "select" && !s.is_empty() && !def.options.iter().any(|o| o == s) {
                errors.add(format!("form.{k}"), "must be one of the options");
            } else {
                out.insert(k.clone(), Value::String(s.to_owned()));
            }
        }
        for def in settings.pre_chat_form.iter().filter(|f| f.required) {
            let field = format!("form.{}", def.name);
            let answered = out
                .get(&def.name)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            if !answered && !errors.has(&field) {
                errors.add(field, "is required");
            }
        }
        out
    }

    fn check_identity(
        &self,
        ch: &Channel,
        id: &IdentityInput,
        errors: &mut FieldErrors,
    ) -> AppResult<IdentityInput> {
        let user_id = id.user_id.trim();
        if user_id.is_empty() || user_id.chars().count() > 200 {
            errors.add("identity.user_id", "must be 1–200 characters");
            return Ok(id.clone());
        }
        let secret = self.open_identity_secret(ch)?;
        if !identity_hmac_matches(&secret, user_id, &id.hmac) {
            return Err(AppError::IdentityInvalid);
        }
        let mut out = id.clone();
        out.user_id = user_id.to_owned();
        if let Some(e) = &id.email {
            match Email::parse(e) {
                Ok(e) => out.email = Some(e.as_str().to_owned()),
                Err(err) => errors.add("identity.email", err.to_string()),
            }
        }
        for (field, v) in [("identity.name", &id.name), ("identity.phone", &id.phone)] {
            if let Some(v) = v {
                check_len(errors, field, v, 100);
            }
        }
        if let Some(a) = &id.attributes {
            check_attributes(errors, "identity.attributes", a);
        }
        Ok(out)
    }

    /// Ties the session to the verified identity: the contact that already has it (merging the
    /// anonymous one into it), or the anonymous contact upgraded, or a new contact.
    async fn identify(
        &self,
        tx: &mut Tx,
        scope: Scope,
        current: Option<Contact>,
        id: &IdentityInput,
        now: i64,
    ) -> AppResult<Contact> {
        let existing = contacts::by_external_id(tx, scope, &id.user_id).await?;
        let target = match (existing, current) {
            (Some(known), Some(anon)) if anon.id != known.id && anon.external_id.is_none() => {
                contacts::merge(tx, scope, anon.id, known.id).await?;
                events::append(
                    tx,
                    scope,
                    None,
                    &DomainEvent::ContactMerged {
                        from: anon.id,
                        into: known.id,
                    },
                    now,
                )
                .await?;
                known
            }
            (Some(known), _) => known,
            (None, Some(anon)) if anon.external_id.is_none() => anon,
            (None, _) => {
                let c = contacts::insert(tx, scope, ContactPatch::default(), now).await?;
                events::append(
                    tx,
                    scope,
                    None,
                    &DomainEvent::ContactCreated { contact_id: c.id },
                    now,
                )
                .await?;
                c
            }
        };
        let mut attributes = target.attributes.clone();
        if let (Some(Value::Object(new)), Value::Object(cur)) = (&id.attributes, &mut attributes) {
            for (k, v) in new {
                cur.insert(k.clone(), v.clone());
            }
        }
        let patch = ContactPatch {
            external_id: Some(&id.user_id),
            name: id.name.as_deref(),
            email: id.email.as_deref(),
            phone: id.phone.as_deref(),
            attributes: Some(&attributes),
            changed_at: None,
        };
        Ok(contacts::update(tx, scope, target.id, patch, now).await?)
    }

    async fn apply_form(
        &self,
        tx: &mut Tx,
        scope: Scope,
        contact: Contact,
        form: &Map<String, Value>,
        now: i64,
    ) -> AppResult<Contact> {
        if form.is_empty() {
            return Ok(
                contacts::update(tx, scope, contact.id, ContactPatch::default(), now).await?,
            );
        }
        let get = |k: &str| {
            form.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let mut attributes = contact.attributes.clone();
        if let Value::Object(map) = &mut attributes {
            for (k, v) in form {
                if !matches!(k.as_str(), "name" | "email" | "phone") {
                    map.insert(k.clone(), v.clone());
                }
            }
        }
        let patch = ContactPatch {
            name: get("name"),
            email: get("email"),
            phone: get("phone"),
            attributes: Some(&attributes),
            ..Default::default()
        };
        Ok(contacts::update(tx, scope, contact.id, patch, now).await?)
    }

    /// A visitor sends a message: to the open conversation, reopening a resolved one, or starting
    /// a new one. Resending the same client id returns the first message.
    #[tracing::instrument(skip_all, fields(contact.id = v.c))]
    pub async fn visitor_send(
        &self,
        v: &VisitorClaims,
        client_id: Option<&str>,
        text: &str,
        attachment_id: Option<i64>,
    ) -> AppResult<MessageView> {
        if attachment_id.is_none() || !text.is_empty() {
            check_text(text, self.settings.max_message_chars, "text")?;
        }
        check_client_id(client_id)?;
        let started = std::time::Instant::now();
        let scope = v.scope();
        let attachment = match attachment_id {
            Some(id) => Some(self.sendable_attachment(scope, id, Some(v.c), None).await?),
            None => None,
        };
        let kind = if attachment.is_some() {
            "attachment"
        } else {
            "text"
        };
        let now = self.now();
        yingke_store::accounts::prepare_counter(&self.db, scope.account(), "conversation").await?;
        let mut tx = self.db.begin().await?;
        // Touching the contact first serialises one visitor's concurrent first messages
        // (PostgreSQL row lock), so two tabs cannot open two conversations.
        let contact = contacts::update(&mut tx, scope, v.c, ContactPatch::default(), now).await?;
        let name = if contact.name.is_empty() {
            format!("访客 {}", contact.id)
        } else {
            contact.name.clone()
        };
        let current = convs::latest_for_contact(&mut tx, scope, v.ch, v.c).await?;
        if let (Some(c), Some(cid)) = (&current, client_id)
            && let Some(existing) = convs::message_by_client_id(&mut tx, scope, c.id, cid).await?
        {
            return Ok(MessageView {
                message: existing,
                sender_name: name,
            });
        }
        let (conv, change) = match current {
            Some(c) if c.status == "resolved" => {
                let c2 = convs::update(
                    &mut tx,
                    scope,
                    c.id,
                    ConversationPatch {
                        status: Some("open"),
                        resolved_at: Some(None),
                        ..Default::default()
                    },
                    now,
                )
                .await?;
                let e = DomainEvent::ConversationStatusChanged {
                    conversation_id: c.id,
                    from: c.status,
                    to: "open".into(),
                };
                events::append(&mut tx, scope, None, &e, now).await?;
                if c2.assignee_id.is_none() {
                    yingke_store::routing::unroute(&mut tx, scope, c2.id).await?;
                }
                (c2, Some("reopened"))
            }
            Some(c) => (c, None),
            None => (
                self.open_conversation(&mut tx, v, now).await?,
                Some("created"),
            ),
        };
        let new_message = NewMessage {
            sender_kind: "contact",
            sender_id: Some(v.c),
            kind,
            body: text,
            attachment: attachment.as_ref(),
            client_id,
        };
        let mut prefetched = None;
        let (conv, message) = if change == Some("created") {
            // A conversation nobody else can see yet: it was inserted with the first sequence
            // number taken, and its events go in one statement.
            let message =
                convs::insert_message(&mut tx, scope, conv.id, 1, new_message, now).await?;
            let created = DomainEvent::ConversationCreated {
                conversation_id: conv.id,
                contact_id: v.c,
            };
            let evs = [created, message_event(&message)];
            events::append_many(&mut tx, scope, None, &evs, now).await?;
            self.queue_automation(&mut tx, scope, &evs[..1], now)
                .await?;
            // What routing needs to know of the contact. On PostgreSQL it is read on the
            // connection already held, rather than queueing for another; on SQLite a reader
            // reads it after the commit, keeping the single writer's turn short.
            let facts = match tx.backend() {
                Backend::Postgres => Some(
                    yingke_store::routing::contact_facts_in(&mut tx, scope, v.c, conv.id).await?,
                ),
                Backend::Sqlite => None,
            };
            tx.commit().await?;
            let facts = match facts {
                Some(f) => Some(f),
                None => yingke_store::routing::contact_facts(&self.db, scope, v.c, conv.id)
                    .await
                    .inspect_err(
                        |e| tracing::warn!(conversation = conv.id, error = %e, "routing facts"),
                    )
                    .ok(),
            };
            prefetched =
                facts.map(|f| crate::routing::Prefetch::new(text.to_owned(), Some(contact), f));
            (conv, message)
        } else {
            // The conversation as the append left it, read under its row lock.
            let (conv, message) =
                convs::append_message_to(&mut tx, scope, conv.id, new_message, now).await?;
            append_message_event(&mut tx, scope, None, &message, now).await?;
            tx.commit().await?;
            (conv, message)
        };
        if let Some(kind) = change {
            self.publish_conversation(&conv, kind);
        }
        let view = MessageView {
            message,
            sender_name: name,
        };
        self.publish_message(&conv, &view);
        if change == Some("created") {
            let entry = conv
                .source
                .pointer("/entry/key")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            metrics::histogram!("yingke_conversation_creation_seconds", "entry" => entry)
                .record(started.elapsed().as_secs_f64());
        }
        if change.is_some() && conv.assignee_id.is_none() {
            self.route_new(&conv, prefetched).await;
        }
        Ok(view)
    }

    /// Inserts the visitor's new conversation with sequence number 1 taken for its first
    /// message; the caller inserts that message and the events.
    async fn open_conversation(
        &self,
        tx: &mut Tx,
        v: &VisitorClaims,
        now: i64,
    ) -> AppResult<Conversation> {
        let scope = v.scope();
        let entry_point_id = v.src.pointer("/entry/id").and_then(Value::as_i64);
        let conv = convs::insert(
            tx,
            scope,
            NewConversation {
                channel_id: v.ch,
                entry_point_id,
                contact_id: v.c,
                status: "open",
                priority: 1,
                source: &v.src,
                last_seq: 1,
            },
            now,
        )
        .await?;
        Ok(conv)
    }

    /// The visitor's current conversation and its messages after `after_seq` (never notes).
    pub async fn visitor_messages(
        &self,
        v: &VisitorClaims,
        after_seq: i64,
    ) -> AppResult<(Option<Conversation>, Vec<MessageView>)> {
        let scope = v.scope();
        let mut tx = self.db.begin().await?;
        let conv = convs::latest_for_contact(&mut tx, scope, v.ch, v.c).await?;
        drop(tx);
        let Some(conv) = conv else {
            return Ok((None, vec![]));
        };
        let msgs = convs::messages(&self.db, scope, conv.id, after_seq, 500, false).await?;
        Ok((Some(conv), self.with_names(scope, msgs).await?))
    }

    /// Every message of the visitor's conversations after the sequence they last saw (never notes).
    pub async fn visitor_resync(
        &self,
        v: &VisitorClaims,
        last_seq: &HashMap<i64, i64>,
    ) -> AppResult<Vec<MessageView>> {
        let scope = v.scope();
        let mut out = Vec::new();
        for id in convs::ids_for_contact(&self.db, scope, v.c).await? {
            let after = last_seq.get(&id).copied().unwrap_or(0);
            let msgs = convs::messages(&self.db, scope, id, after, 1000, false).await?;
            out.extend(self.with_names(scope, msgs).await?);
        }
        Ok(out)
    }

    /// Whether a conversation belongs to the visitor.
    pub async fn visitor_conversation(
        &self,
        v: &VisitorClaims,
        id: i64,
    ) -> AppResult<Conversation> {
        let c = convs::get(&self.db, v.scope(), id).await?;
        if c.contact_id == v.c {
            Ok(c)
        } else {
            Err(AppError::NotFound)
        }
    }

    pub async fn visitor_page_view(&self, v: &VisitorClaims, page: PageInfo) -> AppResult<()> {
        let mut errors = FieldErrors::new();
        if page.url.trim().is_empty() {
            errors.add("url", "must not be empty");
        }
        check_len(&mut errors, "url", &page.url, 2048);
        check_len(&mut errors, "title", &page.title, 500);
        check_len(&mut errors, "referrer", &page.referrer, 2048);
        errors.finish()?;
        let now = self.now();
        // The session start already recorded the landing page; the widget reports it again on
        // load. The same URL within a few seconds is one view.
        let last = contacts::page_views(&self.db, v.scope(), v.c, 1).await?;
        if last
            .first()
            .is_some_and(|l| l.url == page.url && now - l.at < 10_000)
        {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        contacts::add_page_view(
            &mut tx,
            v.scope(),
            v.c,
            &page.url,
            &page.title,
            &page.referrer,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn visitor_typing(&self, v: &VisitorClaims, on: bool) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        let conv = convs::latest_for_contact(&mut tx, v.scope(), v.ch, v.c).await?;
        drop(tx);
        if let Some(c) = conv {
            self.live.publish(
                v.account(),
                Live::Typing {
                    conversation: Arc::new(c),
                    from: Party::Contact(v.c),
                    on,
                },
            );
        }
        Ok(())
    }

    pub async fn visitor_read(&self, v: &VisitorClaims, seq: i64) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        let Some(conv) = convs::latest_for_contact(&mut tx, v.scope(), v.ch, v.c).await? else {
            return Ok(());
        };
        let seq = seq.clamp(0, conv.last_seq);
        convs::mark_read(&mut tx, v.scope(), conv.id, true, seq).await?;
        tx.commit().await?;
        self.live.publish(
            v.account(),
            Live::Read {
                conversation: Arc::new(conv),
                by: Party::Contact(v.c),
                seq,
            },
        );
        Ok(())
    }

    /// The visitor rates their resolved conversation (1–5, optional comment).
    pub async fn visitor_csat(
        &self,
        v: &VisitorClaims,
        score: i64,
        comment: &str,
    ) -> AppResult<()> {
        let mut errors = FieldErrors::new();
        if !(1..=5).contains(&score) {
            errors.add("score", "must be between 1 and 5");
        }
        check_len(&mut errors, "comment", comment, 2000);
        errors.finish()?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let conv = convs::latest_for_contact(&mut tx, v.scope(), v.ch, v.c).await?;
        let Some(conv) = conv.filter(|c| c.status == "resolved") else {
            return Err(AppError::Refused {
                field: "score".into(),
                message: "there is no resolved conversation to rate".into(),
            });
        };
        convs::set_csat(&mut tx, v.scope(), conv.id, score, comment.trim(), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The contact a token names, following merges; `None` if it no longer exists.
async fn live_contact(tx: &mut Tx, scope: Scope, id: i64) -> AppResult<Option<Contact>> {
    let mut current = match contacts::get_in(tx, scope, id).await {
        Ok(c) => c,
        Err(yingke_store::Error::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    for _ in 0..8 {
        match current.merged_into_id {
            Some(next) => current = contacts::get_in(tx, scope, next).await?,
            None => break,
        }
    }
    Ok(Some(current))
}
