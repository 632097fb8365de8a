//! Side to-dos (mine, my team's, everyone's), their context for the side panel, templates,
//! settings (tags that prompt a to-do, the daily list), the agent's own shift start, contact
//! owners; automation rules with their analytics, runs, scans, and the buttons agents press.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::{
    automation::{RuleInput, RuleView, ScanReport},
    store::todos::Template,
    todos::{
        AgentSchedule, NewTodo, TemplateInput, TodoContext, TodoPatch, TodoQuery, TodoSettings,
        TodoView,
    },
};

use crate::{
    auth::Auth,
    error::{ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(todo_list, todo_create))
        .routes(routes!(todo_get, todo_update))
        .routes(routes!(todo_context))
        .routes(routes!(todo_templates, todo_template_create))
        .routes(routes!(todo_template_update, todo_template_delete))
        .routes(routes!(todo_get_settings, todo_put_settings))
        .routes(routes!(todo_get_schedule, todo_put_schedule))
        .routes(routes!(todo_contact_owner))
        .routes(routes!(automation_list, automation_create))
        .routes(routes!(
            automation_get,
            automation_update,
            automation_delete
        ))
        .routes(routes!(automation_runs))
        .routes(routes!(automation_scan))
        .routes(routes!(automation_buttons))
        .routes(routes!(automation_press))
}

/// A to-do.
#[derive(Debug, Serialize, ToSchema)]
pub struct TodoDto {
    pub id: i64,
    pub title: String,
    pub note: String,
    pub owner_id: i64,
    pub collaborators: Vec<i64>,
    /// open, done, cancelled, snoozed
    pub status: String,
    /// low, normal, high, urgent
    pub priority: String,
    pub colour: Option<String>,
    pub due_at: Option<i64>,
    pub remind_at: Option<i64>,
    pub snoozed_until: Option<i64>,
    /// daily, weekly, monthly
    pub repeat: Option<String>,
    pub contact_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub ticket_id: Option<i64>,
    /// The conversation's summary and key fields captured at creation.
    #[schema(value_type = Object)]
    pub context: Value,
    /// manual, conversation, template, rule, chain
    pub source: String,
    pub rule_id: Option<i64>,
    pub template_key: Option<String>,
    pub chain_id: Option<i64>,
    pub chain_step: Option<i32>,
    /// A chain's "waiting for the other department" to-do, closed by the chain.
    pub waits: bool,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    /// overdue, due_soon, on_time, closed
    pub lateness: String,
    /// How its reminder arrives: strong (pop-up, high and urgent only), light, digest (daily list).
    pub reminder: String,
}

impl From<TodoView> for TodoDto {
    fn from(v: TodoView) -> Self {
        let t = v.todo;
        let reminder = serde_json::to_value(v.reminder)
            .ok()
            .and_then(|r| r.as_str().map(str::to_owned))
            .unwrap_or_default();
        Self {
            id: t.id,
            title: t.title,
            note: t.note,
            owner_id: t.owner_id,
            collaborators: v.collaborators,
            status: t.status,
            priority: t.priority,
            colour: t.colour,
            due_at: t.due_at,
            remind_at: t.remind_at,
            snoozed_until: t.snoozed_until,
            repeat: t.repeat,
            contact_id: t.contact_id,
            conversation_id: t.conversation_id,
            ticket_id: t.ticket_id,
            context: t.context.0,
            source: t.source,
            rule_id: t.rule_id,
            template_key: t.template_key,
            chain_id: t.chain_id,
            chain_step: t.chain_step,
            waits: t.waits,
            created_by: t.created_by,
            created_at: t.created_at,
            updated_at: t.updated_at,
            completed_at: t.completed_at,
            cancelled_at: t.cancelled_at,
            lateness: v.lateness.into(),
            reminder,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TodoList {
    pub items: Vec<TodoDto>,
}

/// Query of the to-do lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TodoListQuery {
    /// mine (default: owned or collaborating), team (my team, or team_id), all (supervisors)
    pub view: Option<String>,
    pub team_id: Option<i64>,
    pub owner_id: Option<i64>,
    /// open (open and snoozed), done, cancelled, snoozed
    pub status: Option<String>,
    pub priority: Option<String>,
    pub contact_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub rule_id: Option<i64>,
    /// Only to-dos past their due time.
    pub overdue: Option<bool>,
    pub limit: Option<u32>,
}

/// To-do lists: by due time (undated last), then priority.
#[utoipa::path(get, path = "/api/v1/todos", tag = "todos", params(TodoListQuery),
    responses((status = 200, body = TodoList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<TodoListQuery>,
) -> ApiResult<Json<TodoList>> {
    let q = TodoQuery {
        view: q.view,
        team_id: q.team_id,
        owner_id: q.owner_id,
        status: q.status,
        priority: q.priority,
        contact_id: q.contact_id,
        conversation_id: q.conversation_id,
        ticket_id: q.ticket_id,
        rule_id: q.rule_id,
        overdue: q.overdue,
        limit: q.limit,
    };
    let items = state.app.list_todos(&p, q).await?;
    Ok(Json(TodoList {
        items: items.into_iter().map(TodoDto::from).collect(),
    }))
}

/// A to-do to create: by hand, from a conversation (its summary and fields are captured), or
/// from a template.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = NewTodo)]
#[allow(dead_code)]
pub struct NewTodoDoc {
    pub title: Option<String>,
    pub note: Option<String>,
    pub owner_id: Option<i64>,
    pub collaborators: Option<Vec<i64>>,
    pub due_at: Option<i64>,
    pub remind_at: Option<i64>,
    pub priority: Option<String>,
    pub colour: Option<String>,
    pub repeat: Option<String>,
    pub contact_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub ticket_id: Option<i64>,
    /// Template key (回访, 补发资料…).
    pub template: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/todos", tag = "todos", request_body = NewTodoDoc,
    responses((status = 201, body = TodoDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_create(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<NewTodo>,
) -> ApiResult<(StatusCode, Json<TodoDto>)> {
    let t = state.app.create_todo(&p, b).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

#[utoipa::path(get, path = "/api/v1/todos/{id}", tag = "todos",
    params(("id" = i64, Path, description = "To-do id")),
    responses((status = 200, body = TodoDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<TodoDto>> {
    Ok(Json(state.app.get_todo(&p, id).await?.into()))
}

/// Changes to a to-do; `status` done/cancelled closes it (a chain may move on, a repeating one
/// comes back), snoozed needs `snoozed_until`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = TodoPatch)]
#[allow(dead_code)]
pub struct TodoPatchDoc {
    pub title: Option<String>,
    pub note: Option<String>,
    pub owner_id: Option<i64>,
    pub collaborators: Option<Vec<i64>>,
    pub due_at: Option<i64>,
    pub remind_at: Option<i64>,
    pub priority: Option<String>,
    pub colour: Option<String>,
    pub repeat: Option<String>,
    pub status: Option<String>,
    pub snoozed_until: Option<i64>,
}

#[utoipa::path(patch, path = "/api/v1/todos/{id}", tag = "todos", request_body = TodoPatchDoc,
    params(("id" = i64, Path, description = "To-do id")),
    responses((status = 200, body = TodoDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_update(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<TodoPatch>,
) -> ApiResult<Json<TodoDto>> {
    Ok(Json(state.app.update_todo(&p, id, b).await?.into()))
}

/// A to-do with everything the side panel shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct TodoContextDto {
    pub todo: TodoDto,
    /// Profile, tags, custom attributes, page trail, owner.
    #[schema(value_type = Option<Object>)]
    pub contact: Option<Value>,
    /// The conversation now (with its last messages) and as it was at creation.
    #[schema(value_type = Option<Object>)]
    pub conversation: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub ticket: Option<Value>,
    /// The follow-up chain with every step's to-dos.
    #[schema(value_type = Option<Object>)]
    pub chain: Option<Value>,
}

impl From<TodoContext> for TodoContextDto {
    fn from(c: TodoContext) -> Self {
        Self {
            todo: c.todo.into(),
            contact: c.contact,
            conversation: c.conversation,
            ticket: c.ticket,
            chain: c.chain,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/todos/{id}/context", tag = "todos",
    params(("id" = i64, Path, description = "To-do id")),
    responses((status = 200, body = TodoContextDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_context(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<TodoContextDto>> {
    Ok(Json(state.app.todo_context(&p, id).await?.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TodoTemplateDto {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub title: String,
    pub note: String,
    pub priority: String,
    pub colour: Option<String>,
    /// Seconds from creation to due.
    pub due_in: Option<i64>,
    /// Seconds before due to remind.
    pub remind_before: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<Template> for TodoTemplateDto {
    fn from(t: Template) -> Self {
        Self {
            id: t.id,
            key: t.key,
            name: t.name,
            title: t.title,
            note: t.note,
            priority: t.priority,
            colour: t.colour,
            due_in: t.due_in,
            remind_before: t.remind_before,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TodoTemplateList {
    pub items: Vec<TodoTemplateDto>,
}

/// A template (`title` and `note` may use {{contact.name}}, {{conversation.number}}…).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = TodoTemplateInput)]
#[allow(dead_code)]
pub struct TemplateInputDoc {
    pub key: String,
    pub name: String,
    pub title: String,
    pub note: Option<String>,
    pub priority: Option<String>,
    pub colour: Option<String>,
    /// Duration: seconds or "24h", "3d".
    #[schema(value_type = Option<Object>)]
    pub due_in: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub remind_before: Option<Value>,
}

#[utoipa::path(get, path = "/api/v1/todo-templates", tag = "todos",
    responses((status = 200, body = TodoTemplateList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_templates(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<TodoTemplateList>> {
    let items = state.app.list_todo_templates(&p).await?;
    Ok(Json(TodoTemplateList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/todo-templates", tag = "todos", request_body = TemplateInputDoc,
    responses((status = 201, body = TodoTemplateDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_template_create(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<TemplateInput>,
) -> ApiResult<(StatusCode, Json<TodoTemplateDto>)> {
    let t = state.app.save_todo_template(&p, None, b).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

#[utoipa::path(put, path = "/api/v1/todo-templates/{id}", tag = "todos", request_body = TemplateInputDoc,
    params(("id" = i64, Path, description = "Template id")),
    responses((status = 200, body = TodoTemplateDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_template_update(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<TemplateInput>,
) -> ApiResult<Json<TodoTemplateDto>> {
    Ok(Json(
        state.app.save_todo_template(&p, Some(id), b).await?.into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/todo-templates/{id}", tag = "todos",
    params(("id" = i64, Path, description = "Template id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_template_delete(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_todo_template(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Tags that prompt the agent to create a to-do (tag → template key or null); the daily list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = TodoSettings)]
#[allow(dead_code)]
pub struct TodoSettingsDoc {
    #[schema(value_type = Object)]
    pub prompt_tags: Value,
    pub daily_list: bool,
}

#[utoipa::path(get, path = "/api/v1/todo-settings", tag = "todos",
    responses((status = 200, body = TodoSettingsDoc), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_get_settings(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<TodoSettings>> {
    Ok(Json(state.app.todo_settings(&p).await?))
}

#[utoipa::path(put, path = "/api/v1/todo-settings", tag = "todos", request_body = TodoSettingsDoc,
    responses((status = 200, body = TodoSettingsDoc), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_put_settings(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<TodoSettings>,
) -> ApiResult<Json<TodoSettings>> {
    Ok(Json(state.app.set_todo_settings(&p, b).await?))
}

/// The agent's own shift start (weekdays 1–7, HH:MM in the account's zone); the daily to-do list
/// arrives then. Null = the account's calendar.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = AgentSchedule)]
#[allow(dead_code)]
pub struct ScheduleDoc {
    pub weekdays: Vec<u8>,
    pub start: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScheduleBody {
    pub schedule: Option<ScheduleDoc>,
}

#[utoipa::path(get, path = "/api/v1/me/schedule", tag = "todos",
    responses((status = 200, body = ScheduleBody), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_get_schedule(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<Value>> {
    let s = state.app.my_schedule(&p).await?;
    Ok(Json(serde_json::json!({ "schedule": s })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleIn {
    schedule: Option<AgentSchedule>,
}

#[utoipa::path(put, path = "/api/v1/me/schedule", tag = "todos", request_body = ScheduleBody,
    responses((status = 200, body = ScheduleBody), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_put_schedule(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<ScheduleIn>,
) -> ApiResult<Json<Value>> {
    let s = state.app.set_my_schedule(&p, b.schedule).await?;
    Ok(Json(serde_json::json!({ "schedule": s })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactOwner {
    pub owner_id: Option<i64>,
}

/// Sets the contact's owner (rules with the contact_owner strategy give their to-dos to them).
#[utoipa::path(put, path = "/api/v1/contacts/{id}/owner", tag = "todos", request_body = ContactOwner,
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn todo_contact_owner(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<ContactOwner>,
) -> ApiResult<StatusCode> {
    state.app.set_contact_owner(&p, id, b.owner_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- automation rules -------------------------------------------------------------------------

/// A rule's figures: generated, completed (late), ignored, cancelled, median time to completion,
/// and suggestions for rules that never fire or whose to-dos are ignored.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleStatsDto {
    pub generated: u32,
    pub open: u32,
    pub completed: u32,
    pub completed_late: u32,
    pub ignored: u32,
    pub cancelled: u32,
    pub median_completion_ms: Option<i64>,
    pub last_fired_at: Option<i64>,
    pub suggestions: Vec<SuggestionDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionDto {
    /// never_fired, mostly_ignored, mostly_late
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AutomationRuleDto {
    pub id: i64,
    pub name: String,
    pub goal: String,
    pub priority: i32,
    pub active: bool,
    #[schema(value_type = Object)]
    pub trigger: Value,
    #[schema(value_type = Object)]
    pub conditions: Value,
    #[schema(value_type = Vec<Object>)]
    pub actions: Value,
    pub limit_days: Option<i64>,
    pub last_fired_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub stats: RuleStatsDto,
}

impl From<RuleView> for AutomationRuleDto {
    fn from(r: RuleView) -> Self {
        let s = r.stats;
        Self {
            id: r.id,
            name: r.name,
            goal: r.goal,
            priority: r.priority,
            active: r.active,
            trigger: r.trigger,
            conditions: r.conditions,
            actions: r.actions,
            limit_days: r.limit_days,
            last_fired_at: r.last_fired_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            stats: RuleStatsDto {
                generated: s.generated,
                open: s.open,
                completed: s.completed,
                completed_late: s.completed_late,
                ignored: s.ignored,
                cancelled: s.cancelled,
                median_completion_ms: s.median_completion_ms,
                last_fired_at: s.last_fired_at,
                suggestions: s
                    .suggestions
                    .into_iter()
                    .map(|x| SuggestionDto {
                        code: x.code.into(),
                        message: x.message,
                    })
                    .collect(),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AutomationRuleList {
    pub items: Vec<AutomationRuleDto>,
}

/// A rule: trigger (event / scan / at), conditions (the shared language), actions (create_todo,
/// add_tag, assign, notify, chain), frequency limit.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = AutomationRuleInput)]
#[allow(dead_code)]
pub struct RuleInputDoc {
    pub name: String,
    pub goal: Option<String>,
    pub priority: Option<i32>,
    pub active: Option<bool>,
    #[schema(value_type = Object)]
    pub trigger: Value,
    #[schema(value_type = Option<Object>)]
    pub conditions: Option<Value>,
    #[schema(value_type = Vec<Object>)]
    pub actions: Value,
    /// At most one run per contact per this many days.
    pub limit_days: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/automation/rules", tag = "automation",
    responses((status = 200, body = AutomationRuleList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn automation_list(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<AutomationRuleList>> {
    let items = state.app.list_automation_rules(&p).await?;
    Ok(Json(AutomationRuleList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/automation/rules", tag = "automation", request_body = RuleInputDoc,
    responses((status = 201, body = AutomationRuleDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn automation_create(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<RuleInput>,
) -> ApiResult<(StatusCode, Json<AutomationRuleDto>)> {
    let r = state.app.save_automation_rule(&p, None, b).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[utoipa::path(get, path = "/api/v1/automation/rules/{id}", tag = "automation",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 200, body = AutomationRuleDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn automation_get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<AutomationRuleDto>> {
    Ok(Json(state.app.get_automation_rule(&p, id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/automation/rules/{id}", tag = "automation", request_body = RuleInputDoc,
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 200, body = AutomationRuleDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn automation_update(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<RuleInput>,
) -> ApiResult<Json<AutomationRuleDto>> {
    Ok(Json(
        state
            .app
            .save_automation_rule(&p, Some(id), b)
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/automation/rules/{id}", tag = "automation",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn automation_delete(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_automation_rule(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The rule's latest runs (done, skipped with the failing condition, suppressed by the frequency
/// limit) and scans.
#[utoipa::path(get, path = "/api/v1/automation/rules/{id}/runs", tag = "automation",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn automation_runs(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.automation_runs(&p, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScanQuery {
    /// Count the matches without creating anything.
    pub dry_run: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScanReportDto {
    pub rule_id: i64,
    pub contacts: i64,
    pub matched: i64,
    pub created: i64,
    pub suppressed: i64,
    pub skipped: i64,
    pub took_ms: i64,
    pub dry_run: bool,
    pub sample: Vec<i64>,
}

impl From<ScanReport> for ScanReportDto {
    fn from(s: ScanReport) -> Self {
        Self {
            rule_id: s.rule_id,
            contacts: s.contacts,
            matched: s.matched,
            created: s.created,
            suppressed: s.suppressed,
            skipped: s.skipped,
            took_ms: s.took_ms,
            dry_run: s.dry_run,
            sample: s.sample,
        }
    }
}

/// Runs a customer-state rule over every contact now (or a dry run that only counts).
#[utoipa::path(post, path = "/api/v1/automation/rules/{id}/scan", tag = "automation", params(("id" = i64, Path, description = "Rule id"), ScanQuery),
    responses((status = 200, body = ScanReportDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn automation_scan(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Params(q): Params<ScanQuery>,
) -> ApiResult<Json<ScanReportDto>> {
    let r = state
        .app
        .scan_automation_rule(&p, id, q.dry_run.unwrap_or(false))
        .await?;
    Ok(Json(r.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ButtonList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
}

/// Buttons agents can press on a conversation ("需要回访"): active rules with a button trigger.
#[utoipa::path(get, path = "/api/v1/automation/buttons", tag = "automation",
    responses((status = 200, body = ButtonList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn automation_buttons(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<ButtonList>> {
    Ok(Json(ButtonList {
        items: state.app.automation_buttons(&p).await?,
    }))
}

/// Presses a button on a conversation: its rules run now; each run's outcome is returned.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/buttons/{key}", tag = "automation",
    params(("id" = i64, Path, description = "Conversation id"), ("key" = String, Path, description = "Button key")),
    responses((status = 200, body = ButtonList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn automation_press(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids((id, key)): Ids<(i64, String)>,
) -> ApiResult<Json<ButtonList>> {
    Ok(Json(ButtonList {
        items: state.app.press_automation_button(&p, id, &key).await?,
    }))
}
