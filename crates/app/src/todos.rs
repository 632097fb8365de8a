//! Side to-dos (D1, D2, D4–D6): created by hand, from a conversation in one click, from the
//! account's templates, or by automation rules; reminded without storms (strong pop-ups only for
//! high priority, the rest light or gathered into the daily list at the agent's shift start);
//! listed for the agent, the team and supervisors; opened with their whole context in one call.
//!
//! Reminders and daily lists are durable timers (`todo_remind:{id}`, `todo_digest:{user}`); what
//! they deliver is an in-app notice row (the agent's notification list) plus a live `notice` frame.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use yingke_core::{
    BusinessCalendar, CalendarSpec, DomainEvent, FieldErrors, Role, TeamId, UserId,
    automation::{
        self as auto, MAX_NOTE, MAX_TITLE, PRIORITIES, REPEATS, Reminder, TODO_VARIABLES,
    },
    template,
};
use yingke_store::{
    Json, Scope, Tx, accounts, contacts, conversations as convs, events, sla as sla_repo, teams,
    tickets as tickets_repo,
    timers::{self, NewTimer},
    todos::{self as repo, Todo},
    users,
};

use crate::{App, AppError, AppResult, Live, Principal};

pub const REMIND_TIMER: &str = "todo_remind";
pub const DIGEST_TIMER: &str = "todo_digest";

/// A to-do as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TodoView {
    pub todo: Todo,
    pub collaborators: Vec<i64>,
    /// `overdue`, `due_soon`, `on_time` or `closed`: the colour of lateness.
    pub lateness: &'static str,
    /// How its reminder reaches the owner: `strong`, `light` or `digest`.
    pub reminder: Reminder,
}

/// A to-do to create. Links and template are optional; the conversation's summary and key fields
/// are captured when `conversation_id` is given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTodo {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub collaborators: Vec<i64>,
    #[serde(default)]
    pub due_at: Option<i64>,
    #[serde(default)]
    pub remind_at: Option<i64>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub repeat: Option<String>,
    #[serde(default)]
    pub contact_id: Option<i64>,
    #[serde(default)]
    pub conversation_id: Option<i64>,
    #[serde(default)]
    pub ticket_id: Option<i64>,
    /// Fill from this template (`回访`): title, note, priority, due and reminder offsets.
    #[serde(default)]
    pub template: Option<String>,
}

/// Changes to a to-do; absent fields stay. `null` clears the optional ones.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TodoPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub collaborators: Option<Vec<i64>>,
    #[serde(default, with = "double_option")]
    pub due_at: Option<Option<i64>>,
    #[serde(default, with = "double_option")]
    pub remind_at: Option<Option<i64>>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default, with = "double_option")]
    pub colour: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    pub repeat: Option<Option<String>>,
    /// `open`, `done`, `cancelled` or `snoozed` (with `snoozed_until`).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub snoozed_until: Option<i64>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Which list: `mine` (owned or collaborating), `team` (owned by members of my teams, or of
/// `team_id`), `all` (supervisors).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TodoQuery {
    #[serde(default)]
    pub view: Option<String>,
    #[serde(default)]
    pub team_id: Option<i64>,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub contact_id: Option<i64>,
    #[serde(default)]
    pub conversation_id: Option<i64>,
    #[serde(default)]
    pub ticket_id: Option<i64>,
    #[serde(default)]
    pub rule_id: Option<i64>,
    #[serde(default)]
    pub overdue: Option<bool>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Everything the side panel shows for a to-do, in one call.
#[derive(Debug, Clone, Serialize)]
pub struct TodoContext {
    pub todo: TodoView,
    pub contact: Option<Value>,
    pub conversation: Option<Value>,
    pub ticket: Option<Value>,
    /// The chain the to-do belongs to, with every step's to-dos.
    pub chain: Option<Value>,
}

/// A template as saved.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub key: String,
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub note: String,
    #[serde(default = "normal")]
    pub priority: String,
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub due_in: Option<Value>,
    #[serde(default)]
    pub remind_before: Option<Value>,
}

fn normal() -> String {
    "normal".into()
}

/// Per-account settings: tags that prompt a to-do (tag → template key or null), the daily list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TodoSettings {
    #[serde(default)]
    pub prompt_tags: HashMap<String, Option<String>>,
    #[serde(default = "crate::notify::yes")]
    pub daily_list: bool,
}

/// An agent's own shift start; without one the account's default calendar decides.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSchedule {
    /// 1 = Monday … 7 = Sunday.
    pub weekdays: Vec<u8>,
    /// `HH:MM` in the account's time zone.
    pub start: String,
}

pub(crate) fn view(todo: Todo, collaborators: Vec<i64>, now: i64) -> TodoView {
    let lateness = auto::lateness(&todo.status, todo.due_at, now);
    let reminder = auto::reminder_for(&todo.priority, todo.repeat.is_some());
    TodoView {
        todo,
        collaborators,
        lateness,
        reminder,
    }
}

fn check_text(errors: &mut FieldErrors, path: &str, s: &str, max: usize, required: bool) {
    if required && s.trim().is_empty() {
        errors.add(path, "must not be empty");
    } else if s.chars().count() > max {
        errors.add(path, format!("must be at most {max} characters"));
    }
}

fn check_choice(errors: &mut FieldErrors, path: &str, v: Option<&str>, allowed: &[&str]) {
    if let Some(v) = v
        && !allowed.contains(&v)
    {
        errors.add(path, format!("must be one of {}", allowed.join(", ")));
    }
}

fn check_colour(errors: &mut FieldErrors, c: Option<&str>) {
    if c.is_some_and(|c| !auto::valid_colour(c)) {
        errors.add("colour", "must be #rgb or #rrggbb");
    }
}

/// Values for `{{…}}` in to-do titles and notes.
pub(crate) type Vars = HashMap<&'static str, String>;

pub(crate) fn render(text: &str, vars: &Vars) -> String {
    template::render_with(text, &TODO_VARIABLES, vars).unwrap_or_else(|_| text.to_owned())
}

/// The account's working calendar: its default business calendar, else office hours in its zone.
pub(crate) async fn account_calendar(
    app: &App,
    tx: &mut Tx,
    scope: Scope,
) -> AppResult<BusinessCalendar> {
    if let Some(row) = sla_repo::calendar_in(tx, scope, None).await?
        && let Ok(spec) = serde_json::from_value::<CalendarSpec>(row.spec.0.clone())
        && let Ok(cal) = BusinessCalendar::from_spec(&spec)
    {
        return Ok(cal);
    }
    let tz = accounts::get(app.db(), scope.account())
        .await
        .map(|a| a.timezone)
        .unwrap_or_else(|_| "Asia/Shanghai".into());
    let mut spec = CalendarSpec::china_office();
    spec.timezone = tz;
    spec.holidays.clear();
    spec.extra_workdays.clear();
    BusinessCalendar::from_spec(&spec)
        .or_else(|_| BusinessCalendar::from_spec(&CalendarSpec::china_office()))
        .map_err(|e| AppError::Internal(format!("office calendar: {e:?}")))
}

impl App {
    async fn check_user(&self, tx: &mut Tx, scope: Scope, id: i64, path: &str) -> AppResult<()> {
        match users::get_in(tx, scope, UserId(id)).await {
            Ok(u) if u.active => Ok(()),
            Ok(_) => Err(FieldErrors::single(path, "is deactivated").into()),
            Err(_) => Err(FieldErrors::single(path, "is not a user of this account").into()),
        }
    }

    /// Whether the principal may see and change the to-do: its owner and collaborators, and
    /// supervisors and above.
    async fn todo_for(&self, p: &Principal, tx: &mut Tx, id: i64) -> AppResult<Todo> {
        let t = repo::get_in(tx, p.scope(), id)
            .await
            .map_err(|_| AppError::NotFound)?;
        self.todo_access(p, &t).await?;
        Ok(t)
    }

    /// The to-do's collaborators, if the principal may see it: its owner and collaborators, and
    /// supervisors and above.
    async fn todo_access(&self, p: &Principal, t: &Todo) -> AppResult<Vec<i64>> {
        let me = p.user_id().0;
        let collab = repo::collaborators(self.db(), p.scope(), t.id).await?;
        if p.role().at_least(Role::Supervisor) || t.owner_id == me || collab.contains(&me) {
            Ok(collab)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The snapshot stored with a to-do made from a conversation: number, status, channel, entry
    /// fields, tags, and the last messages as a summary.
    pub(crate) async fn conversation_snapshot(&self, scope: Scope, id: i64) -> AppResult<Value> {
        let c = convs::get(self.db(), scope, id).await?;
        let tags = convs::tags(self.db(), scope, id).await?;
        let msgs = convs::messages(self.db(), scope, id, (c.last_seq - 5).max(0), 5, false).await?;
        let summary: Vec<Value> = msgs
            .iter()
            .map(|m| {
                let body: String = m.body.chars().take(200).collect();
                json!({ "from": m.sender_kind, "text": body, "at": m.created_at })
            })
            .collect();
        Ok(json!({
            "conversation": {
                "id": c.id, "number": c.number, "status": c.status, "priority": c.priority,
                "assignee_id": c.assignee_id, "team_id": c.team_id, "tags": tags,
                "source": c.source, "created_at": c.created_at,
            },
            "summary": summary,
        }))
    }

    /// Creates a to-do (by hand, from a conversation, or from a template).
    pub async fn create_todo(&self, p: &Principal, input: NewTodo) -> AppResult<TodoView> {
        let scope = p.scope();
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let tpl = match &input.template {
            Some(k) => Some(
                repo::template_by_key_in(&mut tx, scope, k)
                    .await?
                    .ok_or_else(|| {
                        FieldErrors::single("template", "is not a template of this account")
                    })?,
            ),
            None => None,
        };
        let mut errors = FieldErrors::new();
        let title = input
            .title
            .clone()
            .or_else(|| tpl.as_ref().map(|t| t.title.clone()))
            .unwrap_or_default();
        let note = input
            .note
            .clone()
            .or_else(|| tpl.as_ref().map(|t| t.note.clone()))
            .unwrap_or_default();
        check_text(&mut errors, "title", &title, MAX_TITLE, true);
        check_text(&mut errors, "note", &note, MAX_NOTE, false);
        let priority = input
            .priority
            .clone()
            .or_else(|| tpl.as_ref().map(|t| t.priority.clone()))
            .unwrap_or_else(normal);
        check_choice(&mut errors, "priority", Some(&priority), &PRIORITIES);
        check_choice(&mut errors, "repeat", input.repeat.as_deref(), &REPEATS);
        let colour = input
            .colour
            .clone()
            .or_else(|| tpl.as_ref().and_then(|t| t.colour.clone()));
        check_colour(&mut errors, colour.as_deref());
        let due_at = input
            .due_at
            .or_else(|| tpl.as_ref().and_then(|t| t.due_in).map(|s| now + s * 1000));
        let remind_at = input.remind_at.or_else(|| {
            let t = tpl.as_ref()?;
            let before = t.remind_before?;
            Some(due_at.unwrap_or(now + before * 1000) - before * 1000)
        });
        if input.repeat.is_some() && due_at.is_none() {
            errors.add("due_at", "a repeating to-do needs a due time");
        }
        if input.collaborators.len() > 20 {
            errors.add("collaborators", "at most 20");
        }
        errors.finish()?;
        let owner = input.owner_id.unwrap_or(p.user_id().0);
        if owner != p.user_id().0 {
            self.check_user(&mut tx, scope, owner, "owner_id").await?;
        }
        for (i, c) in input.collaborators.iter().enumerate() {
            self.check_user(&mut tx, scope, *c, &format!("collaborators[{i}]"))
                .await?;
        }
        // Links must be the account's; a conversation also brings its contact and snapshot.
        let mut contact_id = input.contact_id;
        let mut context = json!({});
        if let Some(cid) = input.conversation_id {
            let c = self.visible(p, cid).await.map_err(|_| {
                FieldErrors::single("conversation_id", "is not a conversation you can see")
            })?;
            contact_id = contact_id.or(Some(c.contact_id));
            context = self.conversation_snapshot(scope, cid).await?;
        }
        if let Some(c) = contact_id
            && contacts::get_in(&mut tx, scope, c).await.is_err()
        {
            return Err(
                FieldErrors::single("contact_id", "is not a contact of this account").into(),
            );
        }
        if let Some(t) = input.ticket_id {
            let ticket = tickets_repo::get(self.db(), scope, t)
                .await
                .map_err(|_| FieldErrors::single("ticket_id", "is not a ticket of this account"))?;
            context["ticket"] = json!({
                "id": ticket.id, "number": ticket.number, "title": ticket.title,
                "status": ticket.status, "priority": ticket.priority,
            });
            contact_id = contact_id.or(ticket.contact_id);
        }
        let source = match (&tpl, input.conversation_id) {
            (Some(_), _) => "template",
            (None, Some(_)) => "conversation",
            (None, None) => "manual",
        };
        let todo = Todo {
            id: 0,
            title,
            note,
            owner_id: owner,
            status: "open".into(),
            priority,
            colour,
            due_at,
            remind_at,
            snoozed_until: None,
            repeat: input.repeat.clone(),
            contact_id,
            conversation_id: input.conversation_id,
            ticket_id: input.ticket_id,
            context: Json(context),
            source: source.into(),
            rule_id: None,
            template_key: tpl.as_ref().map(|t| t.key.clone()),
            chain_id: None,
            chain_step: None,
            waits: false,
            created_by: Some(p.user_id().0),
            created_at: now,
            updated_at: now,
            touched_at: Some(now),
            completed_at: None,
            cancelled_at: None,
        };
        let todo = self
            .insert_todo(&mut tx, scope, todo, Some(p.user_id()))
            .await?;
        repo::set_collaborators(&mut tx, scope, todo.id, &input.collaborators).await?;
        tx.commit().await?;
        self.publish_todo(scope, &todo, "created");
        Ok(view(todo, input.collaborators, now))
    }

    /// Inserts a to-do with its event and timers (reminder, the owner's daily list).
    pub(crate) async fn insert_todo(
        &self,
        tx: &mut Tx,
        scope: Scope,
        todo: Todo,
        actor: Option<UserId>,
    ) -> AppResult<Todo> {
        let now = todo.created_at;
        let todo = repo::insert(tx, scope, &todo).await?;
        events::append(
            tx,
            scope,
            actor,
            &DomainEvent::TodoCreated {
                todo_id: todo.id,
                owner_id: todo.owner_id,
                rule_id: todo.rule_id,
            },
            now,
        )
        .await?;
        self.sync_todo_timers(tx, scope, &todo, now).await?;
        Ok(todo)
    }

    /// Puts the reminder timer where the to-do says (or removes it), and makes sure the owner's
    /// daily list is scheduled.
    async fn sync_todo_timers(
        &self,
        tx: &mut Tx,
        scope: Scope,
        t: &Todo,
        now: i64,
    ) -> AppResult<()> {
        let key = format!("todo-remind:{}", t.id);
        let open = t.status == "open" || t.status == "snoozed";
        let at = match t.status.as_str() {
            "snoozed" => t.snoozed_until,
            "open" => t.remind_at,
            _ => None,
        };
        let digest_only = auto::reminder_for(&t.priority, t.repeat.is_some()) == Reminder::Digest;
        match at {
            Some(at) if open && !(digest_only && t.status == "open") => {
                let payload = json!({ "todo_id": t.id }).to_string();
                timers::schedule(
                    tx,
                    scope,
                    &NewTimer {
                        kind: REMIND_TIMER,
                        dedupe_key: &key,
                        payload: &payload,
                        run_at: at.max(now),
                        max_attempts: crate::timers::DEFAULT_MAX_ATTEMPTS,
                    },
                    now,
                )
                .await?;
                self.wake_at(at.max(now));
            }
            _ => {
                timers::cancel(tx, scope, &key).await?;
            }
        }
        if open {
            self.ensure_digest(tx, scope, t.owner_id, now).await?;
        }
        Ok(())
    }

    /// Schedules the agent's daily list at their next shift start unless one is pending.
    async fn ensure_digest(&self, tx: &mut Tx, scope: Scope, user: i64, now: i64) -> AppResult<()> {
        let key = format!("todo-digest:{user}");
        if repo::timer_pending_in(tx, scope, &key).await? {
            return Ok(());
        }
        let daily = repo::settings_in(tx, scope).await?.is_none_or(|(_, d)| d);
        if !daily {
            return Ok(());
        }
        if let Some(at) = self.next_shift_start(tx, scope, user, now).await? {
            let payload = json!({ "user_id": user }).to_string();
            timers::schedule(
                tx,
                scope,
                &NewTimer {
                    kind: DIGEST_TIMER,
                    dedupe_key: &key,
                    payload: &payload,
                    run_at: at,
                    max_attempts: crate::timers::DEFAULT_MAX_ATTEMPTS,
                },
                now,
            )
            .await?;
            self.wake_at(at);
        }
        Ok(())
    }

    /// The agent's next shift start: their own schedule in the account's zone (skipping the
    /// calendar's holidays), else the first working hour of the calendar's next working day.
    pub(crate) async fn next_shift_start(
        &self,
        tx: &mut Tx,
        scope: Scope,
        user: i64,
        after: i64,
    ) -> AppResult<Option<i64>> {
        let cal = account_calendar(self, tx, scope).await?;
        if let Some((days, start)) = repo::schedule_in(tx, scope, user).await?
            && let Some(minute) = yingke_core::condition::clock(&start)
        {
            let days: Vec<u8> = serde_json::from_value(days.0).unwrap_or_default();
            let mut from = after;
            // Skip holidays: try the next matching day until one is not a holiday.
            for _ in 0..400 {
                match cal.next_local(from, &days, minute, false) {
                    Some(at) if cal.is_holiday(at) => from = at,
                    other => return Ok(other),
                }
            }
            return Ok(None);
        }
        Ok(cal.next_shift_start(after))
    }

    /// Lists to-dos. Agents see their own (and those they collaborate on) or their teams';
    /// supervisors and above see everyone's.
    pub async fn list_todos(&self, p: &Principal, q: TodoQuery) -> AppResult<Vec<TodoView>> {
        let scope = p.scope();
        let me = p.user_id().0;
        let mut errors = FieldErrors::new();
        check_choice(
            &mut errors,
            "status",
            q.status.as_deref(),
            &["open", "done", "cancelled", "snoozed"],
        );
        check_choice(&mut errors, "priority", q.priority.as_deref(), &PRIORITIES);
        check_choice(
            &mut errors,
            "view",
            q.view.as_deref(),
            &["mine", "team", "all"],
        );
        errors.finish()?;
        let supervisor = p.role().at_least(Role::Supervisor);
        let mut f = repo::Filter {
            status: q.status.clone(),
            priority: q.priority.clone(),
            contact_id: q.contact_id,
            conversation_id: q.conversation_id,
            ticket_id: q.ticket_id,
            rule_id: q.rule_id,
            due_before: q.overdue.filter(|o| *o).map(|_| self.now()),
            ..Default::default()
        };
        match q.view.as_deref().unwrap_or("mine") {
            "mine" => f.owner_id = Some(me),
            "team" => {
                let mine = teams::team_ids_of(self.db(), scope, UserId(me)).await?;
                let team = match q.team_id {
                    Some(t) if supervisor || mine.contains(&t) => t,
                    Some(_) => {
                        return Err(
                            FieldErrors::single("team_id", "is not one of your teams").into()
                        );
                    }
                    None => *mine
                        .first()
                        .ok_or_else(|| FieldErrors::single("view", "you are in no team"))?,
                };
                f.team_id = Some(team);
                f.owner_id = q.owner_id;
            }
            _ => {
                p.role().require(Role::Supervisor)?;
                f.team_id = q.team_id;
                f.owner_id = q.owner_id;
            }
        }
        let rows = repo::list(self.db(), scope, &f, q.limit.unwrap_or(200).clamp(1, 500)).await?;
        let now = self.now();
        let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
        let mut collab: HashMap<i64, Vec<i64>> = HashMap::new();
        for (todo, user) in repo::collaborators_of(self.db(), scope, &ids).await? {
            collab.entry(todo).or_default().push(user);
        }
        Ok(rows
            .into_iter()
            .map(|t| {
                let c = collab.remove(&t.id).unwrap_or_default();
                view(t, c, now)
            })
            .collect())
    }

    pub async fn get_todo(&self, p: &Principal, id: i64) -> AppResult<TodoView> {
        let t = repo::get(self.db(), p.scope(), id)
            .await
            .map_err(|_| AppError::NotFound)?;
        let c = self.todo_access(p, &t).await?;
        Ok(view(t, c, self.now()))
    }

    /// The to-do with its whole context for the side panel: the contact's profile (tags, custom
    /// attributes, page trail), the conversation (snapshot at creation and its latest messages),
    /// the ticket, and the chain.
    pub async fn todo_context(&self, p: &Principal, id: i64) -> AppResult<TodoContext> {
        let scope = p.scope();
        let todo = self.get_todo(p, id).await?;
        let t = &todo.todo;
        let contact = match t.contact_id {
            Some(c) => {
                let k = contacts::get(self.db(), scope, c).await?;
                let tags = contacts::tags(self.db(), scope, c).await?;
                let trail = contacts::page_views(self.db(), scope, c, 20).await?;
                let conversations = contacts::conversation_count(self.db(), scope, c).await?;
                Some(json!({
                    "id": k.id, "name": k.name, "email": k.email, "phone": k.phone,
                    "identified": k.external_id.is_some(), "attributes": k.attributes,
                    "tags": tags, "conversations": conversations, "returning": conversations > 1,
                    "created_at": k.created_at, "last_seen_at": k.last_seen_at,
                    "owner_id": repo::contact_owner(self.db(), scope, c).await?,
                    "trail": trail.iter().map(|v| json!({"url": v.url, "title": v.title, "at": v.at})).collect::<Vec<_>>(),
                }))
            }
            None => None,
        };
        let conversation = match t.conversation_id {
            Some(c) => {
                let mut snap = self.conversation_snapshot(scope, c).await?;
                snap["at_creation"] = t.context.0.clone();
                Some(snap)
            }
            None => None,
        };
        let ticket = match t.ticket_id {
            Some(tid) => {
                let k = tickets_repo::get(self.db(), scope, tid).await?;
                Some(json!({
                    "id": k.id, "number": k.number, "title": k.title, "status": k.status,
                    "status_kind": k.status_kind, "priority": k.priority,
                    "assignee_id": k.assignee_id, "team_id": k.team_id,
                }))
            }
            None => None,
        };
        let chain = match t.chain_id {
            Some(ch) => Some(self.chain_view(scope, ch).await?),
            None => None,
        };
        Ok(TodoContext {
            todo,
            contact,
            conversation,
            ticket,
            chain,
        })
    }

    /// Changes a to-do. Closing one that is part of a chain may move the chain on; completing a
    /// repeating one creates its next occurrence.
    pub async fn update_todo(
        &self,
        p: &Principal,
        id: i64,
        patch: TodoPatch,
    ) -> AppResult<TodoView> {
        let scope = p.scope();
        let now = self.now();
        let mut errors = FieldErrors::new();
        if let Some(t) = &patch.title {
            check_text(&mut errors, "title", t, MAX_TITLE, true);
        }
        if let Some(n) = &patch.note {
            check_text(&mut errors, "note", n, MAX_NOTE, false);
        }
        check_choice(
            &mut errors,
            "priority",
            patch.priority.as_deref(),
            &PRIORITIES,
        );
        check_choice(
            &mut errors,
            "status",
            patch.status.as_deref(),
            &auto::STATUSES,
        );
        check_choice(
            &mut errors,
            "repeat",
            patch.repeat.as_ref().and_then(|r| r.as_deref()),
            &REPEATS,
        );
        check_colour(
            &mut errors,
            patch.colour.as_ref().and_then(|c| c.as_deref()),
        );
        match (patch.status.as_deref(), patch.snoozed_until) {
            (Some("snoozed"), None) => errors.add("snoozed_until", "a snooze needs an end"),
            (Some("snoozed"), Some(u)) if u <= now => {
                errors.add("snoozed_until", "must be in the future")
            }
            (s, Some(_)) if s != Some("snoozed") => {
                errors.add("snoozed_until", "only with status snoozed")
            }
            _ => {}
        }
        errors.finish()?;
        let mut tx = self.db().begin().await?;
        let mut t = self.todo_for(p, &mut tx, id).await?;
        let before = t.status.clone();
        if let Some(o) = patch.owner_id
            && o != t.owner_id
        {
            self.check_user(&mut tx, scope, o, "owner_id").await?;
            t.owner_id = o;
        }
        if let Some(c) = &patch.collaborators {
            for (i, u) in c.iter().enumerate() {
                self.check_user(&mut tx, scope, *u, &format!("collaborators[{i}]"))
                    .await?;
            }
            repo::set_collaborators(&mut tx, scope, id, c).await?;
        }
        if let Some(v) = patch.title {
            t.title = v;
        }
        if let Some(v) = patch.note {
            t.note = v;
        }
        if let Some(v) = patch.due_at {
            t.due_at = v;
        }
        if let Some(v) = patch.remind_at {
            t.remind_at = v;
        }
        if let Some(v) = patch.priority {
            t.priority = v;
        }
        if let Some(v) = patch.colour {
            t.colour = v;
        }
        if let Some(v) = patch.repeat {
            t.repeat = v;
        }
        if t.repeat.is_some() && t.due_at.is_none() {
            return Err(FieldErrors::single("due_at", "a repeating to-do needs a due time").into());
        }
        if let Some(s) = patch.status {
            if matches!(before.as_str(), "done" | "cancelled") && s != before && s != "open" {
                return Err(FieldErrors::single(
                    "status",
                    format!("a {before} to-do can only be reopened"),
                )
                .into());
            }
            t.status = s;
            t.snoozed_until = patch.snoozed_until;
            t.completed_at = (t.status == "done").then_some(t.completed_at.unwrap_or(now));
            t.cancelled_at = (t.status == "cancelled").then_some(t.cancelled_at.unwrap_or(now));
        }
        t.updated_at = now;
        t.touched_at = Some(now);
        repo::save(&mut tx, scope, &t).await?;
        if t.status != before {
            events::append(
                &mut tx,
                scope,
                Some(p.user_id()),
                &DomainEvent::TodoStatusChanged {
                    todo_id: id,
                    from: before.clone(),
                    to: t.status.clone(),
                },
                now,
            )
            .await?;
        }
        self.sync_todo_timers(&mut tx, scope, &t, now).await?;
        let mut created = Vec::new();
        if t.status != before && matches!(t.status.as_str(), "done" | "cancelled") {
            if t.status == "done"
                && let Some(next) = self.repeat_todo(&mut tx, scope, &t, now).await?
            {
                created.push(next);
            }
            if let Some(ch) = t.chain_id {
                created.extend(self.advance_chain(&mut tx, scope, ch, now).await?);
            }
        }
        tx.commit().await?;
        self.publish_todo(scope, &t, "updated");
        for c in &created {
            self.publish_todo(scope, c, "created");
        }
        let c = repo::collaborators(self.db(), scope, id).await?;
        Ok(view(t, c, now))
    }

    /// The next occurrence of a repeating to-do, due one period after this one was due.
    async fn repeat_todo(
        &self,
        tx: &mut Tx,
        scope: Scope,
        t: &Todo,
        now: i64,
    ) -> AppResult<Option<Todo>> {
        let (Some(r), Some(due)) = (t.repeat.as_deref(), t.due_at) else {
            return Ok(None);
        };
        let step = match r {
            "daily" => 86_400_000,
            "weekly" => 7 * 86_400_000,
            _ => 30 * 86_400_000,
        };
        let mut next_due = due + step;
        while next_due <= now {
            next_due += step;
        }
        let next = Todo {
            id: 0,
            status: "open".into(),
            due_at: Some(next_due),
            remind_at: t.remind_at.map(|r| r + (next_due - due)),
            snoozed_until: None,
            created_at: now,
            updated_at: now,
            touched_at: None,
            completed_at: None,
            cancelled_at: None,
            ..t.clone()
        };
        Ok(Some(self.insert_todo(tx, scope, next, None).await?))
    }

    pub(crate) fn publish_todo(&self, scope: Scope, t: &Todo, event: &'static str) {
        self.live.publish(
            scope.account(),
            Live::Notice {
                user_id: t.owner_id,
                kind: format!("todo_{event}").into(),
                payload: std::sync::Arc::new(json!({
                    "todo_id": t.id, "title": t.title, "priority": t.priority,
                    "status": t.status, "due_at": t.due_at,
                })),
            },
        );
    }

    /// A reminder timer fired: remind the owner (strong for high priority, light otherwise) if
    /// the to-do is still open; a snoozed one wakes up.
    pub(crate) async fn fire_remind_timer(
        &self,
        tx: &mut Tx,
        scope: Scope,
        payload: &str,
    ) -> AppResult<()> {
        let p: Value = serde_json::from_str(payload)
            .map_err(|e| AppError::Internal(format!("todo reminder payload: {e}")))?;
        let id = p["todo_id"].as_i64().unwrap_or_default();
        let Ok(mut t) = repo::get_in(tx, scope, id).await else {
            return Ok(());
        };
        let now = self.now();
        if t.status == "snoozed" {
            t.status = "open".into();
            t.snoozed_until = None;
            t.updated_at = now;
            repo::save(tx, scope, &t).await?;
        } else if t.status != "open" {
            return Ok(());
        }
        let strength = match auto::reminder_for(&t.priority, t.repeat.is_some()) {
            Reminder::Strong => "strong",
            _ => "light",
        };
        self.agent_notice(
            tx,
            scope,
            t.owner_id,
            "todo_reminder",
            &t.title,
            json!({ "todo_id": t.id, "strength": strength, "priority": t.priority, "due_at": t.due_at }),
            &format!("todo-remind:{}:{now}", t.id),
            now,
        )
        .await
    }

    /// The daily list at the agent's shift start: every open to-do due today or overdue or
    /// undated, in one notice; then the next shift's list is scheduled while work remains.
    pub(crate) async fn fire_digest_timer(
        &self,
        tx: &mut Tx,
        scope: Scope,
        payload: &str,
    ) -> AppResult<()> {
        let p: Value = serde_json::from_str(payload)
            .map_err(|e| AppError::Internal(format!("todo digest payload: {e}")))?;
        let user = p["user_id"].as_i64().unwrap_or_default();
        let now = self.now();
        let end_of_shift = self
            .next_shift_start(tx, scope, user, now)
            .await?
            .unwrap_or(now + 86_400_000);
        let todos = repo::open_for_owner_in(tx, scope, user, end_of_shift).await?;
        if todos.is_empty() {
            return Ok(());
        }
        let items: Vec<Value> = todos
            .iter()
            .map(|t| {
                json!({
                    "todo_id": t.id, "title": t.title, "priority": t.priority, "due_at": t.due_at,
                    "lateness": auto::lateness(&t.status, t.due_at, now),
                })
            })
            .collect();
        self.agent_notice(
            tx,
            scope,
            user,
            "todo_digest",
            &format!("今日待办 {} 项", items.len()),
            json!({ "todos": items }),
            &format!("todo-digest:{user}:{now}"),
            now,
        )
        .await?;
        self.ensure_digest(tx, scope, user, now).await
    }

    // ---- templates, settings, schedules, contact owner -----------------------------------

    pub async fn list_todo_templates(&self, p: &Principal) -> AppResult<Vec<repo::Template>> {
        p.role().require(Role::Agent)?;
        Ok(repo::templates(self.db(), p.scope()).await?)
    }

    pub async fn save_todo_template(
        &self,
        p: &Principal,
        id: Option<i64>,
        input: TemplateInput,
    ) -> AppResult<repo::Template> {
        p.role().require_admin()?;
        let mut errors = FieldErrors::new();
        let spec = auto::parse_todo(
            &json!({
                "title": input.title, "note": input.note, "priority": input.priority,
                "colour": input.colour, "due_in": input.due_in, "remind_before": input.remind_before,
            }),
            "",
            false,
            &mut errors,
        );
        let key = input.key.trim();
        if key.is_empty() || key.chars().count() > 64 {
            errors.add("key", "must be 1–64 characters");
        }
        check_text(&mut errors, "name", &input.name, 100, true);
        // parse_todo names fields ".title": strip the leading dot of an empty prefix.
        let errors = errors
            .into_vec()
            .into_iter()
            .fold(FieldErrors::new(), |mut e, fe| {
                e.add(fe.field.trim_start_matches('.').to_owned(), fe.message);
                e
            });
        errors.finish()?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let saved = repo::save_template(
            &mut tx,
            p.scope(),
            &repo::Template {
                id: id.unwrap_or(0),
                key: key.to_owned(),
                name: input.name.trim().to_owned(),
                title: spec.title,
                note: spec.note,
                priority: spec.priority,
                colour: spec.colour,
                due_in: spec.due_in,
                remind_before: spec.remind_before,
                created_at: now,
                updated_at: now,
            },
        )
        .await
        .map_err(|e| match e {
            yingke_store::Error::Conflict { .. } => AppError::Validation(FieldErrors::single(
                "key",
                "is already used by another template",
            )),
            other => other.into(),
        })?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::TodoTemplate,
            crate::audit::created_or_updated(id),
            Some(saved.id),
            Some(&saved.name),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    pub async fn delete_todo_template(&self, p: &Principal, id: i64) -> AppResult<()> {
        p.role().require_admin()?;
        let name = repo::templates(self.db(), p.scope())
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .map(|t| t.name);
        let mut tx = self.db().begin().await?;
        repo::delete_template(&mut tx, p.scope(), id).await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::TodoTemplate,
            yingke_core::SettingAction::Deleted,
            Some(id),
            name.as_deref(),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn todo_settings(&self, p: &Principal) -> AppResult<TodoSettings> {
        p.role().require(Role::Agent)?;
        Ok(match repo::settings(self.db(), p.scope()).await? {
            Some((tags, daily)) => TodoSettings {
                prompt_tags: serde_json::from_value(tags.0).unwrap_or_default(),
                daily_list: daily,
            },
            None => TodoSettings {
                prompt_tags: HashMap::new(),
                daily_list: true,
            },
        })
    }

    pub async fn set_todo_settings(
        &self,
        p: &Principal,
        s: TodoSettings,
    ) -> AppResult<TodoSettings> {
        p.role().require_admin()?;
        let scope = p.scope();
        let mut tx = self.db().begin().await?;
        let mut errors = FieldErrors::new();
        for (tag, tpl) in &s.prompt_tags {
            if tag.trim().is_empty() || tag.chars().count() > 50 {
                errors.add(format!("prompt_tags.{tag}"), "a tag is 1–50 characters");
            }
            if let Some(k) = tpl
                && repo::template_by_key_in(&mut tx, scope, k).await?.is_none()
            {
                errors.add(format!("prompt_tags.{tag}"), format!("no template {k}"));
            }
        }
        errors.finish()?;
        repo::save_settings(
            &mut tx,
            scope,
            &serde_json::to_value(&s.prompt_tags).unwrap_or_default(),
            s.daily_list,
            self.now(),
        )
        .await?;
        crate::audit::setting_changed(
            &mut tx,
            p,
            yingke_core::SettingArea::TodoSettings,
            yingke_core::SettingAction::Updated,
            None,
            None,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// After a conversation got `tag`: if the account prompts for it, tell the conversation's
    /// agent (a notice the UI shows as "create a to-do?", not a to-do).
    pub(crate) async fn prompt_todo_for_tag(
        &self,
        scope: Scope,
        conversation: i64,
        tag: &str,
    ) -> AppResult<()> {
        let Some((tags, _)) = repo::settings(self.db(), scope).await? else {
            return Ok(());
        };
        let prompts: HashMap<String, Option<String>> =
            serde_json::from_value(tags.0).unwrap_or_default();
        let Some(template) = prompts.get(tag) else {
            return Ok(());
        };
        let c = convs::get(self.db(), scope, conversation).await?;
        let Some(agent) = c.assignee_id else {
            return Ok(());
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        self.agent_notice(
            &mut tx,
            scope,
            agent,
            "todo_prompt",
            tag,
            json!({ "conversation_id": conversation, "tag": tag, "template": template }),
            &format!("todo-prompt:{conversation}:{tag}:{now}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn my_schedule(&self, p: &Principal) -> AppResult<Option<AgentSchedule>> {
        Ok(repo::schedule(self.db(), p.scope(), p.user_id().0)
            .await?
            .map(|(d, s)| AgentSchedule {
                weekdays: serde_json::from_value(d.0).unwrap_or_default(),
                start: s,
            }))
    }

    /// Sets (or with `None` clears) the agent's own shift start; the daily list moves with it.
    pub async fn set_my_schedule(
        &self,
        p: &Principal,
        s: Option<AgentSchedule>,
    ) -> AppResult<Option<AgentSchedule>> {
        let scope = p.scope();
        let me = p.user_id().0;
        if let Some(s) = &s {
            let mut errors = FieldErrors::new();
            if s.weekdays.is_empty() {
                errors.add("weekdays", "must list at least one day");
            }
            for (i, d) in s.weekdays.iter().enumerate() {
                if !(1..=7).contains(d) {
                    errors.add(format!("weekdays[{i}]"), "must be 1 (Monday) … 7 (Sunday)");
                }
            }
            if yingke_core::condition::clock(&s.start).is_none() {
                errors.add("start", "must be HH:MM");
            }
            errors.finish()?;
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let days = s.as_ref().map(|s| json!(s.weekdays));
        repo::save_schedule(
            &mut tx,
            scope,
            me,
            days.as_ref(),
            s.as_ref().map_or("", |s| s.start.as_str()),
            now,
        )
        .await?;
        timers::cancel(&mut tx, scope, &format!("todo-digest:{me}")).await?;
        self.ensure_digest(&mut tx, scope, me, now).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Sets a contact's owner (the agent "contact owner" rules give to-dos to).
    pub async fn set_contact_owner(
        &self,
        p: &Principal,
        contact: i64,
        owner: Option<i64>,
    ) -> AppResult<()> {
        p.role().require(Role::Agent)?;
        let scope = p.scope();
        let mut tx = self.db().begin().await?;
        if let Some(o) = owner {
            self.check_user(&mut tx, scope, o, "owner_id").await?;
        }
        repo::set_contact_owner(&mut tx, scope, contact, owner).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Active members of a team (for least-loaded owners).
    pub(crate) async fn team_member_ids(&self, scope: Scope, team: i64) -> AppResult<Vec<i64>> {
        let page = teams::members(self.db(), scope, TeamId(team), 0, 500).await?;
        Ok(page
            .items
            .into_iter()
            .filter(|m| m.user.active)
            .map(|m| m.user.id.0)
            .collect())
    }
}
