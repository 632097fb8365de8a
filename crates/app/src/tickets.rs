//! Tickets (T1, T2): created from a conversation in one click, through the API or from scratch;
//! categories with typed custom fields; a configurable workflow whose every move goes on the
//! timeline with replies, notes and progress markers; departments, assignees, collaborators and
//! transfers. Every change recomputes the SLA clock (see `sla`) in the same transaction.

use serde_json::{Map, Value, json};
use yingke_core::{
    DomainEvent, FieldErrors, Role, TeamId, UserId,
    ticket::{FieldDef, Priority, StateKind, Workflow, check_custom_values, check_field_defs},
    typed,
};
use yingke_store::Json;
use yingke_store::{
    Page, Scope, Tx, accounts, attachments, contacts, conversations as convs, events, teams,
    tickets::{self as repo, Category, Marker, NewEntry, Ticket, TicketFilter, TimelineEntry},
    users,
};

use crate::{App, AppError, AppResult, Principal, Via};

/// Longest title and description.
const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 20_000;
const MAX_TAGS: usize = 30;

/// A new ticket. `custom` holds the category's fields.
#[derive(Debug, Clone, Default)]
pub struct NewTicket {
    pub title: String,
    pub description: String,
    pub category_id: Option<i64>,
    pub priority: Option<String>,
    pub order_number: Option<String>,
    pub requested_by: Option<String>,
    /// Epoch ms; must be in the future.
    pub deadline: Option<i64>,
    pub custom: Map<String, Value>,
    pub tags: Vec<String>,
    pub attachments: Vec<i64>,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub contact_id: Option<i64>,
    /// Media the customer agreed to be notified on when submitting (`email`, `sms`, `im`).
    pub notify_consent: Vec<String>,
}

/// A change to a ticket's fields; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TicketPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category_id: Option<Option<i64>>,
    pub priority: Option<String>,
    pub order_number: Option<Option<String>>,
    pub requested_by: Option<Option<String>>,
    pub deadline: Option<Option<i64>>,
    /// Merged into the current values; a `null` value removes a field.
    pub custom: Option<Map<String, Value>>,
    pub tags: Option<Vec<String>>,
    pub attachments: Option<Vec<i64>>,
    pub assignee_id: Option<Option<i64>>,
}

/// Who wrote a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyAuthor {
    /// A public reply by an agent (stops first/next response clocks).
    Agent,
    /// The customer's words, recorded by an agent or a channel (starts the next-response clock).
    Customer,
    /// An internal note, never shown to the customer.
    Note,
}

impl ReplyAuthor {
    fn as_str(self) -> &'static str {
        match self {
            ReplyAuthor::Agent => "agent",
            ReplyAuthor::Customer => "customer",
            ReplyAuthor::Note => "note",
        }
    }
}

/// A ticket and what is shown with it.
#[derive(Debug, Clone)]
pub struct TicketView {
    pub ticket: Ticket,
    pub collaborators: Vec<i64>,
    pub state_name: String,
    pub category_key: Option<String>,
}

fn check_text(errors: &mut FieldErrors, field: &str, v: &str, max: usize, required: bool) {
    if required && v.trim().is_empty() {
        errors.add(field, "is required");
    } else if v.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    }
}

fn check_tags(errors: &mut FieldErrors, tags: &[String]) {
    if tags.len() > MAX_TAGS {
        errors.add("tags", format!("must have at most {MAX_TAGS} tags"));
    }
    for (i, t) in tags.iter().enumerate() {
        if t.trim().is_empty() || t.chars().count() > 50 {
            errors.add(format!("tags[{i}]"), "must be 1–50 characters");
        }
    }
}

fn parse_priority(errors: &mut FieldErrors, p: Option<&str>) -> Priority {
    match p {
        None => Priority::P3,
        Some(s) => Priority::parse(s).unwrap_or_else(|| {
            errors.add("priority", "must be one of: p1, p2, p3, p4");
            Priority::P3
        }),
    }
}

fn fields_of(c: &Category) -> Vec<FieldDef> {
    serde_json::from_value(c.fields.0.clone()).unwrap_or_default()
}

impl App {
    /// The account's workflow (the default one until an admin saves another).
    pub async fn ticket_workflow(&self, scope: Scope) -> AppResult<Workflow> {
        let (w, _) = repo::settings(self.db(), scope).await?;
        Ok(w.and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    /// Replaces the workflow (admin). States still used by tickets cannot be removed.
    pub async fn set_ticket_workflow(&self, p: &Principal, w: Workflow) -> AppResult<Workflow> {
        p.role().require_admin()?;
        w.validate()?;
        let current = self.ticket_workflow(p.scope()).await?;
        for s in &current.states {
            if w.state(&s.key).is_none() {
                let used = repo::list(
                    self.db(),
                    p.scope(),
                    &TicketFilter {
                        status: Some(&s.key),
                        ..Default::default()
                    },
                    None,
                    1,
                )
                .await?;
                if !used.items.is_empty() {
                    return Err(AppError::InUse {
                        field: "states".into(),
                        message: format!("tickets are in state {}; move them first", s.key),
                    });
                }
            }
        }
        let mut tx = self.db().begin().await?;
        let doc = serde_json::to_value(&w).map_err(|e| AppError::Internal(e.to_string()))?;
        repo::save_setting(&mut tx, p.scope(), "workflow", &doc, self.now()).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::TicketWorkflow,
            yingke_core::SettingAction::Updated,
            None,
            None,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(w)
    }

    pub async fn list_ticket_categories(&self, p: &Principal) -> AppResult<Vec<Category>> {
        Ok(repo::categories(self.db(), p.scope()).await?)
    }

    /// Creates (`id` None) or updates a category (admin).
    pub async fn save_ticket_category(
        &self,
        p: &Principal,
        id: Option<i64>,
        key: &str,
        name: &str,
        fields: &[FieldDef],
    ) -> AppResult<Category> {
        p.role().require_admin()?;
        let mut errors = FieldErrors::new();
        if !typed::is_key(key) {
            errors.add("key", "must be 1–40 of a-z, 0-9, _ or -");
        }
        check_text(&mut errors, "name", name, 100, true);
        check_field_defs(&mut errors, fields);
        errors.finish()?;
        if let Some(id) = id {
            repo::category(self.db(), p.scope(), id).await?;
        }
        let doc = serde_json::to_value(fields).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.db().begin().await?;
        let c =
            repo::save_category(&mut tx, p.scope(), id, key, name.trim(), &doc, self.now()).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::TicketCategory,
            crate::audit::created_or_updated(id),
            Some(c.id),
            Some(&c.name),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn delete_ticket_category(&self, p: &Principal, id: i64) -> AppResult<()> {
        p.role().require_admin()?;
        let before = repo::category(self.db(), p.scope(), id).await?;
        let mut tx = self.db().begin().await?;
        if repo::category_in_use(&mut tx, p.scope(), id).await? {
            return Err(AppError::InUse {
                field: "id".into(),
                message: "tickets use this category".into(),
            });
        }
        repo::delete_category(&mut tx, p.scope(), id).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::TicketCategory,
            yingke_core::SettingAction::Deleted,
            Some(id),
            Some(&before.name),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_ticket_markers(&self, p: &Principal) -> AppResult<Vec<Marker>> {
        Ok(repo::markers(self.db(), p.scope()).await?)
    }

    /// Adds a progress marker to the account's list (supervisor).
    pub async fn create_ticket_marker(&self, p: &Principal, name: &str) -> AppResult<Marker> {
        p.role().require(Role::Supervisor)?;
        let mut errors = FieldErrors::new();
        check_text(&mut errors, "name", name, 50, true);
        errors.finish()?;
        let mut tx = self.db().begin().await?;
        let m = repo::insert_marker(&mut tx, p.scope(), name.trim(), self.now()).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::TicketMarker,
            yingke_core::SettingAction::Created,
            Some(m.id),
            Some(&m.name),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    pub async fn delete_ticket_marker(&self, p: &Principal, id: i64) -> AppResult<()> {
        p.role().require(Role::Supervisor)?;
        let name = repo::markers(self.db(), p.scope())
            .await?
            .into_iter()
            .find(|m| m.id == id)
            .map(|m| m.name);
        let mut tx = self.db().begin().await?;
        repo::delete_marker(&mut tx, p.scope(), id).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::TicketMarker,
            yingke_core::SettingAction::Deleted,
            Some(id),
            name.as_deref(),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks the references of a new or changed ticket (team, assignee, contact, attachments)
    /// before the transaction, naming each unknown one.
    async fn check_refs(
        &self,
        scope: Scope,
        errors: &mut FieldErrors,
        team: Option<i64>,
        assignee: Option<i64>,
        contact: Option<i64>,
        files: &[i64],
    ) -> AppResult<()> {
        if let Some(t) = team
            && teams::get(self.db(), scope, TeamId(t)).await.is_err()
        {
            errors.add("team_id", "is not a team of this account");
        }
        if let Some(u) = assignee {
            match users::get(self.db(), scope, UserId(u)).await {
                Ok(user) if user.active => {}
                _ => errors.add("assignee_id", "is not an active user of this account"),
            }
        }
        if let Some(c) = contact
            && contacts::get(self.db(), scope, c).await.is_err()
        {
            errors.add("contact_id", "is not a contact of this account");
        }
        if files.len() > 20 {
            errors.add("attachments", "must have at most 20 files");
        }
        for (i, f) in files.iter().enumerate() {
            if attachments::get(self.db(), scope, *f).await.is_err() {
                errors.add(format!("attachments[{i}]"), "is not an uploaded file");
            }
        }
        Ok(())
    }

    /// Creates a ticket from scratch (an agent) or through the API (a token).
    pub async fn create_ticket(&self, p: &Principal, n: NewTicket) -> AppResult<TicketView> {
        let channel = match p.via {
            Via::Token { .. } => "api",
            Via::Session { .. } => "agent",
        };
        self.insert_ticket(p, n, channel, None, json!({})).await
    }

    /// Creates a ticket from a conversation in one click: linked to its transcript, the contact
    /// and the entry fields carried over; the title defaults to the customer's first words.
    pub async fn create_ticket_from_conversation(
        &self,
        p: &Principal,
        conversation_id: i64,
        mut n: NewTicket,
    ) -> AppResult<TicketView> {
        let conv = self.visible(p, conversation_id).await?;
        let channel = yingke_store::channels::get(self.db(), p.scope(), conv.channel_id).await?;
        let msgs = convs::messages(self.db(), p.scope(), conv.id, 0, 50, false).await?;
        let first_words = msgs
            .iter()
            .find(|m| m.sender_kind == "contact" && !m.body.trim().is_empty())
            .map(|m| m.body.trim().chars().take(80).collect::<String>());
        if n.title.trim().is_empty() {
            n.title = first_words.unwrap_or_else(|| format!("会话 #{}", conv.number));
        }
        if n.description.trim().is_empty() {
            n.description = msgs
                .iter()
                .filter(|m| m.sender_kind == "contact")
                .map(|m| m.body.as_str())
                .collect::<Vec<_>>()
                .join("\n")
                .chars()
                .take(MAX_DESCRIPTION)
                .collect();
        }
        n.contact_id = n.contact_id.or(Some(conv.contact_id));
        n.team_id = n.team_id.or(conv.team_id);
        if n.tags.is_empty() {
            n.tags = convs::tags(self.db(), p.scope(), conv.id).await?;
            n.tags.truncate(MAX_TAGS);
        }
        let source = json!({
            "conversation_number": conv.number,
            "channel_id": conv.channel_id,
            "entry_point_id": conv.entry_point_id,
            "entry": conv.source,
        });
        self.insert_ticket(p, n, &channel.kind, Some(conv.id), source)
            .await
    }

    async fn insert_ticket(
        &self,
        p: &Principal,
        n: NewTicket,
        channel: &str,
        conversation_id: Option<i64>,
        source: Value,
    ) -> AppResult<TicketView> {
        let scope = p.scope();
        let now = self.now();
        let mut errors = FieldErrors::new();
        check_text(&mut errors, "title", &n.title, MAX_TITLE, true);
        check_text(
            &mut errors,
            "description",
            &n.description,
            MAX_DESCRIPTION,
            false,
        );
        let priority = parse_priority(&mut errors, n.priority.as_deref());
        for (field, v) in [
            ("order_number", &n.order_number),
            ("requested_by", &n.requested_by),
        ] {
            if let Some(v) = v {
                check_text(&mut errors, field, v, 100, false);
            }
        }
        if let Some(d) = n.deadline
            && d <= now
        {
            errors.add("deadline", "must be in the future");
        }
        check_tags(&mut errors, &n.tags);
        let mut consent = Vec::new();
        for (i, m) in n.notify_consent.iter().enumerate() {
            match yingke_core::notify::Medium::parse(m) {
                Some(m) if m != yingke_core::notify::Medium::Push => consent.push(m),
                _ => errors.add(
                    format!("notify_consent[{i}]"),
                    "must be in_app, email, sms or im",
                ),
            }
        }
        if !consent.is_empty() && n.contact_id.is_none() {
            errors.add(
                "notify_consent",
                "needs a contact to record the consent for",
            );
        }
        let category = match n.category_id {
            Some(id) => match repo::category(self.db(), scope, id).await {
                Ok(c) => Some(c),
                Err(yingke_store::Error::NotFound) => {
                    errors.add("category_id", "is not a category of this account");
                    None
                }
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        match &category {
            Some(c) => check_custom_values(&mut errors, &fields_of(c), &n.custom, false),
            None if !n.custom.is_empty() => {
                errors.add("custom", "custom fields need a category");
            }
            None => {}
        }
        self.check_refs(
            scope,
            &mut errors,
            n.team_id,
            n.assignee_id,
            n.contact_id,
            &n.attachments,
        )
        .await?;
        errors.finish()?;

        let workflow = self.ticket_workflow(scope).await?;
        let initial = match n.assignee_id {
            Some(_) => workflow
                .first_of(StateKind::Open)
                .unwrap_or(workflow.initial()),
            None => workflow.initial(),
        };
        accounts::prepare_counter(self.db(), scope.account(), "ticket").await?;
        let mut tx = self.db().begin().await?;
        let seq = accounts::next_number(&mut tx, scope.account(), "ticket").await?;
        let year = jiff::Timestamp::from_millisecond(now)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).year())
            .unwrap_or(2026);
        let mut t = Ticket {
            id: 0,
            account_id: scope.account().0,
            number: format!("T-{year}{seq:03}"),
            title: n.title.trim().to_owned(),
            description: n.description,
            category_id: n.category_id,
            priority: priority.as_str().into(),
            status: initial.key.clone(),
            status_kind: initial.kind.as_str().into(),
            order_number: n.order_number.filter(|s| !s.trim().is_empty()),
            requested_by: n.requested_by.filter(|s| !s.trim().is_empty()),
            contact_id: n.contact_id,
            conversation_id,
            team_id: n.team_id,
            assignee_id: n.assignee_id,
            deadline: n.deadline,
            custom: Json(Value::Object(n.custom)),
            tags: Json(json!(n.tags)),
            attachments: Json(json!(n.attachments)),
            channel: channel.into(),
            source: Json(source),
            sla_policy_id: None,
            sla: Json(json!({})),
            pauses: Json(json!([])),
            first_response_at: None,
            awaiting_reply_since: None,
            resolved_at: None,
            closed_at: None,
            resolution_business_ms: None,
            created_by: Some(p.user_id().0),
            created_at: now,
            updated_at: now,
        };
        t = repo::insert(&mut tx, scope, &t).await?;
        let actor = Some(p.user_id().0);
        repo::add_timeline(
            &mut tx,
            scope,
            NewEntry {
                ticket_id: t.id,
                kind: "created",
                actor,
                body: None,
                data: &json!({"status": t.status, "priority": t.priority, "channel": t.channel,
                              "conversation_id": conversation_id}),
            },
            now,
        )
        .await?;
        let mut evs = vec![DomainEvent::TicketCreated {
            ticket_id: t.id,
            number: t.number.clone(),
            conversation_id,
        }];
        if let Some(a) = t.assignee_id {
            evs.push(DomainEvent::TicketAssigned {
                ticket_id: t.id,
                assignee_id: Some(a),
            });
        }
        self.sync_sla_in(&mut tx, scope, &mut t, now).await?;
        repo::save(&mut tx, scope, &t).await?;
        if let Some(contact) = t.contact_id {
            self.record_ticket_consent(&mut tx, scope, contact, &consent, &t.number, now)
                .await?;
        }
        events::append_many(&mut tx, scope, Some(p.user_id()), &evs, now).await?;
        self.queue_notifications(&mut tx, scope, &evs, now).await?;
        self.queue_automation(&mut tx, scope, &evs, now).await?;
        tx.commit().await?;
        self.ticket_view(scope, t).await
    }

    async fn ticket_view(&self, scope: Scope, t: Ticket) -> AppResult<TicketView> {
        let workflow = self.ticket_workflow(scope).await?;
        let collaborators = repo::collaborators(self.db(), scope, t.id).await?;
        let category_key = match t.category_id {
            Some(id) => Some(repo::category(self.db(), scope, id).await?.key),
            None => None,
        };
        Ok(TicketView {
            state_name: workflow
                .state(&t.status)
                .map_or_else(|| t.status.clone(), |s| s.name.clone()),
            ticket: t,
            collaborators,
            category_key,
        })
    }

    pub async fn get_ticket(&self, p: &Principal, id: i64) -> AppResult<TicketView> {
        let t = repo::get(self.db(), p.scope(), id).await?;
        self.ticket_view(p.scope(), t).await
    }

    pub async fn list_tickets(
        &self,
        p: &Principal,
        f: &TicketFilter<'_>,
        before: Option<i64>,
        limit: u32,
    ) -> AppResult<Page<Ticket>> {
        Ok(repo::list(self.db(), p.scope(), f, before, limit.clamp(1, 200)).await?)
    }

    pub async fn ticket_timeline(
        &self,
        p: &Principal,
        id: i64,
        after: i64,
        limit: u32,
    ) -> AppResult<Page<TimelineEntry>> {
        repo::get(self.db(), p.scope(), id).await?;
        Ok(repo::timeline(self.db(), p.scope(), id, after, limit.clamp(1, 500)).await?)
    }

    /// Runs `change` on the locked ticket, then recomputes its SLA, saves it and appends the
    /// events it returns, all in one transaction.
    async fn change_ticket<F>(&self, p: &Principal, id: i64, change: F) -> AppResult<TicketView>
    where
        F: AsyncFnOnce(&mut Tx, &mut Ticket, i64) -> AppResult<Vec<DomainEvent>>,
    {
        let scope = p.scope();
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let mut t = repo::get_for_update(&mut tx, scope, id).await?;
        let evs = change(&mut tx, &mut t, now).await?;
        t.updated_at = now;
        self.sync_sla_in(&mut tx, scope, &mut t, now).await?;
        repo::save(&mut tx, scope, &t).await?;
        events::append_many(&mut tx, scope, Some(p.user_id()), &evs, now).await?;
        self.queue_notifications(&mut tx, scope, &evs, now).await?;
        self.queue_automation(&mut tx, scope, &evs, now).await?;
        tx.commit().await?;
        self.ticket_view(scope, t).await
    }

    /// Changes fields. A priority or category change moves the SLA timers.
    pub async fn update_ticket(
        &self,
        p: &Principal,
        id: i64,
        patch: TicketPatch,
    ) -> AppResult<TicketView> {
        let scope = p.scope();
        let now = self.now();
        let current = repo::get(self.db(), scope, id).await?;
        let mut errors = FieldErrors::new();
        if let Some(t) = &patch.title {
            check_text(&mut errors, "title", t, MAX_TITLE, true);
        }
        if let Some(d) = &patch.description {
            check_text(&mut errors, "description", d, MAX_DESCRIPTION, false);
        }
        let priority = patch
            .priority
            .as_deref()
            .map(|s| parse_priority(&mut errors, Some(s)));
        if let Some(Some(d)) = patch.deadline
            && d <= now
        {
            errors.add("deadline", "must be in the future");
        }
        if let Some(tags) = &patch.tags {
            check_tags(&mut errors, tags);
        }
        let category_id = patch.category_id.unwrap_or(current.category_id);
        let category = match category_id {
            Some(cid) => match repo::category(self.db(), scope, cid).await {
                Ok(c) => Some(c),
                Err(yingke_store::Error::NotFound) => {
                    errors.add("category_id", "is not a category of this account");
                    None
                }
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        // The values after the change, checked against the (possibly new) category.
        let mut custom = current.custom.0.as_object().cloned().unwrap_or_default();
        if patch.category_id.is_some() && category_id != current.category_id {
            custom.clear();
        }
        if let Some(changes) = &patch.custom {
            for (k, v) in changes {
                if v.is_null() {
                    custom.remove(k);
                } else {
                    custom.insert(k.clone(), v.clone());
                }
            }
        }
        match &category {
            Some(c) => check_custom_values(&mut errors, &fields_of(c), &custom, false),
            None if !custom.is_empty() => errors.add("custom", "custom fields need a category"),
            None => {}
        }
        self.check_refs(
            scope,
            &mut errors,
            None,
            patch.assignee_id.flatten(),
            None,
            patch.attachments.as_deref().unwrap_or(&[]),
        )
        .await?;
        errors.finish()?;
        let actor = Some(p.user_id().0);
        self.change_ticket(p, id, async move |tx, t, now| {
            let mut evs = Vec::new();
            let mut changed = Vec::new();
            if let Some(v) = patch.title {
                t.title = v.trim().to_owned();
                changed.push("title");
            }
            if let Some(v) = patch.description {
                t.description = v;
                changed.push("description");
            }
            if patch.category_id.is_some() {
                t.category_id = category_id;
                changed.push("category_id");
            }
            if patch.custom.is_some() || patch.category_id.is_some() {
                t.custom = Json(Value::Object(custom));
                changed.push("custom");
            }
            if let Some(v) = patch.order_number {
                t.order_number = v;
                changed.push("order_number");
            }
            if let Some(v) = patch.requested_by {
                t.requested_by = v;
                changed.push("requested_by");
            }
            if let Some(v) = patch.deadline {
                t.deadline = v;
                changed.push("deadline");
            }
            if let Some(v) = patch.tags {
                t.tags = Json(json!(v));
                changed.push("tags");
            }
            if let Some(v) = patch.attachments {
                t.attachments = Json(json!(v));
                changed.push("attachments");
            }
            if let Some(pr) = priority
                && pr.as_str() != t.priority
            {
                let from = std::mem::replace(&mut t.priority, pr.as_str().into());
                timeline(
                    tx,
                    t,
                    "priority",
                    actor,
                    None,
                    json!({"from": from, "to": t.priority}),
                    now,
                )
                .await?;
                evs.push(DomainEvent::TicketPriorityChanged {
                    ticket_id: t.id,
                    from,
                    to: t.priority.clone(),
                });
            }
            if let Some(a) = patch.assignee_id
                && a != t.assignee_id
            {
                let from = std::mem::replace(&mut t.assignee_id, a);
                timeline(
                    tx,
                    t,
                    "assigned",
                    actor,
                    None,
                    json!({"from": from, "to": a}),
                    now,
                )
                .await?;
                evs.push(DomainEvent::TicketAssigned {
                    ticket_id: t.id,
                    assignee_id: a,
                });
            }
            if !changed.is_empty() {
                timeline(
                    tx,
                    t,
                    "updated",
                    actor,
                    None,
                    json!({"fields": changed}),
                    now,
                )
                .await?;
            }
            Ok(evs)
        })
        .await
    }

    /// Moves a ticket to another state; an invalid move is a 422 naming the allowed ones.
    pub async fn change_ticket_status(
        &self,
        p: &Principal,
        id: i64,
        to: &str,
        reason: Option<String>,
    ) -> AppResult<TicketView> {
        if let Some(r) = &reason {
            let mut errors = FieldErrors::new();
            check_text(&mut errors, "reason", r, 1000, false);
            errors.finish()?;
        }
        let workflow = self.ticket_workflow(p.scope()).await?;
        let actor = Some(p.user_id().0);
        let to = to.to_owned();
        self.change_ticket(p, id, async move |tx, t, now| {
            let target = workflow.check_transition(&t.status, &to)?.clone();
            move_to(tx, t, &target.key, target.kind, actor, reason, now).await
        })
        .await
    }

    /// Moves a ticket to another department with a reason; the assignee is cleared unless they
    /// belong to the new team.
    pub async fn transfer_ticket(
        &self,
        p: &Principal,
        id: i64,
        team_id: i64,
        reason: &str,
    ) -> AppResult<TicketView> {
        repo::get(self.db(), p.scope(), id).await?;
        let mut errors = FieldErrors::new();
        check_text(&mut errors, "reason", reason, 1000, true);
        if teams::get(self.db(), p.scope(), TeamId(team_id))
            .await
            .is_err()
        {
            errors.add("team_id", "is not a team of this account");
        }
        errors.finish()?;
        let members: Vec<i64> = teams::members(self.db(), p.scope(), TeamId(team_id), 0, 1000)
            .await?
            .items
            .into_iter()
            .map(|m| m.user.id.0)
            .collect();
        let actor = Some(p.user_id().0);
        let reason = reason.trim().to_owned();
        self.change_ticket(p, id, async move |tx, t, now| {
            let from = t.team_id;
            t.team_id = Some(team_id);
            let mut evs = vec![DomainEvent::TicketTransferred {
                ticket_id: t.id,
                from_team_id: from,
                to_team_id: team_id,
                reason: reason.clone(),
            }];
            if let Some(a) = t.assignee_id
                && !members.contains(&a)
            {
                t.assignee_id = None;
                evs.push(DomainEvent::TicketAssigned {
                    ticket_id: t.id,
                    assignee_id: None,
                });
            }
            timeline(
                tx,
                t,
                "transferred",
                actor,
                Some(&reason),
                json!({"from_team_id": from, "to_team_id": team_id}),
                now,
            )
            .await?;
            Ok(evs)
        })
        .await
    }

    /// A public reply, the customer's words, or an internal note.
    pub async fn reply_to_ticket(
        &self,
        p: &Principal,
        id: i64,
        author: ReplyAuthor,
        body: &str,
        files: &[i64],
    ) -> AppResult<TicketView> {
        let mut errors = FieldErrors::new();
        check_text(&mut errors, "body", body, MAX_DESCRIPTION, true);
        self.check_refs(p.scope(), &mut errors, None, None, None, files)
            .await?;
        errors.finish()?;
        let workflow = self.ticket_workflow(p.scope()).await?;
        let actor = Some(p.user_id().0);
        let body = body.to_owned();
        let files = files.to_vec();
        self.change_ticket(p, id, async move |tx, t, now| {
            let mut evs = vec![DomainEvent::TicketReplied {
                ticket_id: t.id,
                author: author.as_str().into(),
            }];
            let kind = match author {
                ReplyAuthor::Note => "note",
                _ => "reply",
            };
            timeline(
                tx,
                t,
                kind,
                actor,
                Some(&body),
                json!({"author": author.as_str(), "attachments": files}),
                now,
            )
            .await?;
            match author {
                ReplyAuthor::Agent => {
                    t.first_response_at.get_or_insert(now);
                    t.awaiting_reply_since = None;
                }
                ReplyAuthor::Customer => {
                    t.awaiting_reply_since.get_or_insert(now);
                    // The customer answered: a ticket waiting on them goes back to work.
                    let waiting = workflow.state(&t.status).map(|s| s.kind);
                    if matches!(waiting, Some(StateKind::Pending | StateKind::Resolved))
                        && let Some(open) = workflow.first_of(StateKind::Open)
                        && workflow.allowed(&t.status).contains(&open.key)
                    {
                        let open = open.clone();
                        evs.extend(
                            move_to(
                                tx,
                                t,
                                &open.key,
                                open.kind,
                                None,
                                Some("customer replied".into()),
                                now,
                            )
                            .await?,
                        );
                    }
                }
                ReplyAuthor::Note => {}
            }
            Ok(evs)
        })
        .await
    }

    /// Puts one of the account's progress markers on a ticket.
    pub async fn add_ticket_marker(
        &self,
        p: &Principal,
        id: i64,
        marker_id: i64,
        note: Option<String>,
    ) -> AppResult<TicketView> {
        repo::get(self.db(), p.scope(), id).await?;
        let markers = repo::markers(self.db(), p.scope()).await?;
        let Some(marker) = markers.into_iter().find(|m| m.id == marker_id) else {
            return Err(FieldErrors::single("marker_id", "is not a marker of this account").into());
        };
        if let Some(n) = &note {
            let mut errors = FieldErrors::new();
            check_text(&mut errors, "note", n, 1000, false);
            errors.finish()?;
        }
        let actor = Some(p.user_id().0);
        self.change_ticket(p, id, async move |tx, t, now| {
            timeline(
                tx,
                t,
                "marker",
                actor,
                note.as_deref(),
                json!({"marker_id": marker.id, "marker": marker.name}),
                now,
            )
            .await?;
            Ok(vec![DomainEvent::TicketMarkerAdded {
                ticket_id: t.id,
                marker_id: marker.id,
                marker: marker.name,
            }])
        })
        .await
    }

    /// Replaces the ticket's collaborators (active users of the account).
    pub async fn set_ticket_collaborators(
        &self,
        p: &Principal,
        id: i64,
        user_ids: &[i64],
    ) -> AppResult<TicketView> {
        let mut errors = FieldErrors::new();
        if user_ids.len() > 50 {
            errors.add("user_ids", "must have at most 50 users");
        }
        for (i, u) in user_ids.iter().enumerate() {
            match users::get(self.db(), p.scope(), UserId(*u)).await {
                Ok(user) if user.active => {}
                _ => errors.add(
                    format!("user_ids[{i}]"),
                    "is not an active user of this account",
                ),
            }
        }
        errors.finish()?;
        let mut ids = user_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let actor = Some(p.user_id().0);
        let scope = p.scope();
        self.change_ticket(p, id, async move |tx, t, now| {
            repo::set_collaborators(tx, scope, t.id, &ids).await?;
            timeline(
                tx,
                t,
                "collaborators",
                actor,
                None,
                json!({"user_ids": ids}),
                now,
            )
            .await?;
            Ok(vec![])
        })
        .await
    }
}

/// Adds a timeline entry for `t`.
pub(crate) async fn timeline(
    tx: &mut Tx,
    t: &Ticket,
    kind: &str,
    actor: Option<i64>,
    body: Option<&str>,
    data: Value,
    now: i64,
) -> AppResult<()> {
    repo::add_timeline(
        tx,
        Scope::new(yingke_core::AccountId(t.account_id)),
        NewEntry {
            ticket_id: t.id,
            kind,
            actor,
            body,
            data: &data,
        },
        now,
    )
    .await?;
    Ok(())
}

/// Moves `t` to a state (already checked against the workflow): pauses open and close, the
/// resolution time is recorded, and the move goes on the timeline.
async fn move_to(
    tx: &mut Tx,
    t: &mut Ticket,
    to: &str,
    to_kind: StateKind,
    actor: Option<i64>,
    reason: Option<String>,
    now: i64,
) -> AppResult<Vec<DomainEvent>> {
    let from = std::mem::replace(&mut t.status, to.to_owned());
    let from_kind = std::mem::replace(&mut t.status_kind, to_kind.as_str().into());
    let stopped = |k: &str| matches!(k, "pending" | "resolved" | "closed");
    let mut pauses: Vec<Value> = t.pauses.0.as_array().cloned().unwrap_or_default();
    if !stopped(&from_kind) && stopped(&t.status_kind) {
        pauses.push(json!({"from": now, "to": null}));
    } else if stopped(&from_kind)
        && !stopped(&t.status_kind)
        && let Some(last) = pauses.last_mut()
        && last["to"].is_null()
    {
        last["to"] = json!(now);
    }
    t.pauses = Json(Value::Array(pauses));
    let mut evs = vec![DomainEvent::TicketStatusChanged {
        ticket_id: t.id,
        from: from.clone(),
        to: to.to_owned(),
        to_kind: t.status_kind.clone(),
        reason: reason.clone(),
    }];
    match to_kind {
        StateKind::Resolved => {
            if t.resolved_at.is_none() {
                t.resolved_at = Some(now);
            }
            evs.push(DomainEvent::TicketResolved {
                ticket_id: t.id,
                contact_id: t.contact_id,
            });
        }
        StateKind::Closed => {
            t.closed_at = Some(now);
            if t.resolved_at.is_none() {
                t.resolved_at = Some(now);
            }
        }
        _ => {
            // Reopened (or still working): the resolution clock runs again.
            t.resolved_at = None;
            t.closed_at = None;
            t.resolution_business_ms = None;
        }
    }
    timeline(
        tx,
        t,
        "status",
        actor,
        reason.as_deref(),
        json!({"from": from, "to": to, "from_kind": from_kind, "to_kind": t.status_kind}),
        now,
    )
    .await?;
    Ok(evs)
}
