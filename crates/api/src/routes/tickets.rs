//! Tickets: create (from scratch, through the API, or from a conversation in one click), list,
//! change, move through the workflow, transfer, reply, mark progress; categories with custom
//! fields, the workflow and the markers list.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::{
    store::tickets::{Category, Marker, Ticket, TicketFilter, TimelineEntry},
    tickets::{NewTicket, ReplyAuthor, TicketPatch, TicketView},
};
use yingke_core::ticket::{FieldDef, Workflow};

use crate::{
    auth::Auth,
    dto::{double_option, time_of},
    error::{ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tickets, create_ticket))
        .routes(routes!(get_ticket, update_ticket))
        .routes(routes!(change_status))
        .routes(routes!(transfer_ticket))
        .routes(routes!(reply))
        .routes(routes!(add_marker))
        .routes(routes!(set_collaborators))
        .routes(routes!(timeline))
        .routes(routes!(ticket_from_conversation))
        .routes(routes!(list_categories, create_category))
        .routes(routes!(update_category, delete_category))
        .routes(routes!(get_workflow, put_workflow))
        .routes(routes!(list_markers, create_marker))
        .routes(routes!(delete_marker))
}

fn ms(v: Option<i64>) -> Option<OffsetDateTime> {
    v.map(time_of)
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Ticket)]
pub struct TicketDto {
    pub id: i64,
    /// Per-account number, e.g. `T-2026001`.
    pub number: String,
    pub title: String,
    pub description: String,
    pub category_id: Option<i64>,
    /// p1 (most urgent) … p4.
    pub priority: String,
    /// The state's key in the account's workflow.
    pub status: String,
    /// new, open, pending, resolved or closed.
    pub status_kind: String,
    pub order_number: Option<String>,
    pub requested_by: Option<String>,
    pub contact_id: Option<i64>,
    /// The conversation whose transcript the ticket links to.
    pub conversation_id: Option<i64>,
    /// The department.
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub deadline: Option<OffsetDateTime>,
    #[schema(value_type = Object)]
    pub custom: Value,
    pub tags: Vec<String>,
    /// Uploaded file ids.
    pub attachments: Vec<i64>,
    /// Where it came from: agent, api, web_widget…
    pub channel: String,
    /// Entry fields carried over from the conversation.
    #[schema(value_type = Object)]
    pub source: Value,
    /// The SLA: the matched policy and each metric's target, due time, warning time and status.
    #[schema(value_type = Object)]
    pub sla: Value,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_response_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    pub created_by: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Ticket> for TicketDto {
    fn from(t: Ticket) -> Self {
        let ids = |v: &Value| -> Vec<i64> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_i64)
                .collect()
        };
        Self {
            id: t.id,
            number: t.number,
            title: t.title,
            description: t.description,
            category_id: t.category_id,
            priority: t.priority,
            status: t.status,
            status_kind: t.status_kind,
            order_number: t.order_number,
            requested_by: t.requested_by,
            contact_id: t.contact_id,
            conversation_id: t.conversation_id,
            team_id: t.team_id,
            assignee_id: t.assignee_id,
            deadline: ms(t.deadline),
            custom: t.custom.0,
            tags: t
                .tags
                .0
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            attachments: ids(&t.attachments.0),
            channel: t.channel,
            source: t.source.0,
            sla: t.sla.0,
            first_response_at: ms(t.first_response_at),
            resolved_at: ms(t.resolved_at),
            closed_at: ms(t.closed_at),
            created_by: t.created_by,
            created_at: time_of(t.created_at),
            updated_at: time_of(t.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: TicketDto,
    /// The state's display name (待分配, 处理中 …).
    pub status_name: String,
    pub category_key: Option<String>,
    pub collaborators: Vec<i64>,
}

impl From<TicketView> for TicketDetail {
    fn from(v: TicketView) -> Self {
        Self {
            ticket: v.ticket.into(),
            status_name: v.state_name,
            category_key: v.category_key,
            collaborators: v.collaborators,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    /// Required, except from a conversation (the customer's first words then).
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category_id: Option<i64>,
    /// p1 … p4 (default p3).
    pub priority: Option<String>,
    pub order_number: Option<String>,
    pub requested_by: Option<String>,
    /// RFC 3339; must be in the future.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub deadline: Option<OffsetDateTime>,
    /// Values of the category's custom fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub attachments: Vec<i64>,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub contact_id: Option<i64>,
    /// Media the customer agreed to be notified on (`email`, `sms`, `im`), recorded as consent
    /// with this ticket as its source.
    #[serde(default)]
    pub notify_consent: Vec<String>,
}

fn epoch_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

impl From<CreateTicket> for NewTicket {
    fn from(b: CreateTicket) -> Self {
        Self {
            title: b.title,
            description: b.description,
            category_id: b.category_id,
            priority: b.priority,
            order_number: b.order_number,
            requested_by: b.requested_by,
            deadline: b.deadline.map(epoch_ms),
            custom: b.custom,
            tags: b.tags,
            attachments: b.attachments,
            team_id: b.team_id,
            assignee_id: b.assignee_id,
            contact_id: b.contact_id,
            notify_consent: b.notify_consent,
        }
    }
}

/// Create a ticket (an agent from scratch, or an integration with a token).
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = CreateTicket,
    responses((status = 201, body = TicketDetail), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_ticket(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<CreateTicket>,
) -> ApiResult<(StatusCode, Json<TicketDetail>)> {
    let v = state.app.create_ticket(&p, b.into()).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// Create a ticket from a conversation in one click: transcript linked, contact, team, tags
/// and entry fields carried over; every field of the body may override.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/ticket", tag = "tickets", request_body = CreateTicket,
    params(("id" = i64, Path, description = "Conversation id")),
    responses((status = 201, body = TicketDetail), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn ticket_from_conversation(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<CreateTicket>,
) -> ApiResult<(StatusCode, Json<TicketDetail>)> {
    let v = state
        .app
        .create_ticket_from_conversation(&p, id, b.into())
        .await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TicketQuery {
    pub status: Option<String>,
    /// new, open, pending, resolved, closed.
    pub status_kind: Option<String>,
    pub priority: Option<String>,
    pub category_id: Option<i64>,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub conversation_id: Option<i64>,
    /// Number, title or order number containing this.
    pub q: Option<String>,
    /// Continue below this id (the previous page's `next_before`).
    pub before: Option<i64>,
    /// 1–200 (default 50).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    pub items: Vec<TicketDto>,
    pub next_before: Option<i64>,
}

/// Tickets, newest first.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", params(TicketQuery),
    responses((status = 200, body = TicketList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_tickets(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<TicketQuery>,
) -> ApiResult<Json<TicketList>> {
    let f = TicketFilter {
        status: q.status.as_deref(),
        status_kind: q.status_kind.as_deref(),
        priority: q.priority.as_deref(),
        category_id: q.category_id,
        team_id: q.team_id,
        assignee_id: q.assignee_id,
        contact_id: q.contact_id,
        conversation_id: q.conversation_id,
        q: q.q.as_deref().filter(|s| !s.is_empty()),
    };
    let page = state
        .app
        .list_tickets(&p, &f, q.before, q.limit.unwrap_or(50))
        .await?;
    Ok(Json(TicketList {
        items: page.items.into_iter().map(TicketDto::from).collect(),
        next_before: page.next_after,
    }))
}

#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = TicketDetail), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_ticket(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<TicketDetail>> {
    Ok(Json(state.app.get_ticket(&p, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicket {
    pub title: Option<String>,
    pub description: Option<String>,
    /// `null` removes the category (and its custom values).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub category_id: Option<Option<i64>>,
    pub priority: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub order_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub requested_by: Option<Option<String>>,
    /// RFC 3339 in the future; `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub deadline: Option<Option<String>>,
    /// Merged into the current values; `null` removes one.
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
    pub tags: Option<Vec<String>>,
    pub attachments: Option<Vec<i64>>,
    /// `null` unassigns.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
}

/// Change fields. A priority or category change moves the SLA clock.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "tickets", request_body = UpdateTicket,
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = TicketDetail), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_ticket(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<UpdateTicket>,
) -> ApiResult<Json<TicketDetail>> {
    let deadline = match b.deadline {
        None => None,
        Some(None) => Some(None),
        Some(Some(s)) => Some(Some(
            OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
                .map(epoch_ms)
                .map_err(|_| {
                    yingke_core::FieldErrors::single("deadline", "must be an RFC 3339 time")
                })?,
        )),
    };
    let patch = TicketPatch {
        title: b.title,
        description: b.description,
        category_id: b.category_id,
        priority: b.priority,
        order_number: b.order_number,
        requested_by: b.requested_by,
        deadline,
        custom: b.custom,
        tags: b.tags,
        attachments: b.attachments,
        assignee_id: b.assignee_id,
    };
    Ok(Json(state.app.update_ticket(&p, id, patch).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeStatus {
    /// A state key of the workflow; a move it does not allow is a 422 naming the allowed ones.
    pub status: String,
    pub reason: Option<String>,
}

/// Move the ticket to another state.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/status", tag = "tickets", request_body = ChangeStatus,
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = TicketDetail), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn change_status(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<ChangeStatus>,
) -> ApiResult<Json<TicketDetail>> {
    Ok(Json(
        state
            .app
            .change_ticket_status(&p, id, &b.status, b.reason)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferTicket {
    pub team_id: i64,
    pub reason: String,
}

/// Transfer to another department, with a reason.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/transfer", tag = "tickets", request_body = TransferTicket,
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = TicketDetail), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn transfer_ticket(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<TransferTicket>,
) -> ApiResult<Json<TicketDetail>> {
    Ok(Json(
        state
            .app
            .transfer_ticket(&p, id, b.team_id, &b.reason)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub body: String,
    /// `agent` (public reply, default), `customer` (the customer's words), or `note` (internal).
    pub author: Option<String>,
    #[serde(default)]
    pub attachments: Vec<i64>,
}

/// A public reply, the customer's words, or an internal note.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/replies", tag = "tickets", request_body = Reply,
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 201, body = TicketDetail), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn reply(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<Reply>,
) -> ApiResult<(StatusCode, Json<TicketDetail>)> {
    let author = match b.author.as_deref() {
        None | Some("agent") => ReplyAuthor::Agent,
        Some("customer") => ReplyAuthor::Customer,
        Some("note") => ReplyAuthor::Note,
        Some(_) => {
            return Err(yingke_core::FieldErrors::single(
                "author",
                "must be one of: agent, customer, note",
            )
            .into());
        }
    };
    let v = state
        .app
        .reply_to_ticket(&p, id, author, &b.body, &b.attachments)
        .await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMarker {
    pub marker_id: i64,
    pub note: Option<String>,
}

/// Put a progress marker on the ticket.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/markers", tag = "tickets", request_body = AddMarker,
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 201, body = TicketDetail), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn add_marker(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<AddMarker>,
) -> ApiResult<(StatusCode, Json<TicketDetail>)> {
    let v = state
        .app
        .add_ticket_marker(&p, id, b.marker_id, b.note)
        .await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Collaborators {
    pub user_ids: Vec<i64>,
}

/// Replace the ticket's collaborators.
#[utoipa::path(put, path = "/api/v1/tickets/{id}/collaborators", tag = "tickets", request_body = Collaborators,
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = TicketDetail), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn set_collaborators(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<Collaborators>,
) -> ApiResult<Json<TicketDetail>> {
    Ok(Json(
        state
            .app
            .set_ticket_collaborators(&p, id, &b.user_ids)
            .await?
            .into(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntryDto {
    pub id: i64,
    /// created, status, reply, note, marker, assigned, transferred, priority, updated,
    /// collaborators, sla_warning, sla_breach, escalated.
    pub kind: String,
    /// Who did it; none for the system (SLA timers).
    pub actor_id: Option<i64>,
    /// Reply or note text, or the reason of a change.
    pub body: Option<String>,
    #[schema(value_type = Object)]
    pub data: Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<TimelineEntry> for TimelineEntryDto {
    fn from(e: TimelineEntry) -> Self {
        Self {
            id: e.id,
            kind: e.kind,
            actor_id: e.actor_id,
            body: e.body,
            data: e.data.0,
            created_at: time_of(e.created_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// Entries after this id (0 from the start).
    pub after: Option<i64>,
    /// 1–500 (default 200).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Timeline {
    pub items: Vec<TimelineEntryDto>,
    pub next_after: Option<i64>,
}

/// The ticket's timeline, oldest first.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/timeline", tag = "tickets", params(("id" = i64, Path, description = "Ticket id"), TimelineQuery),
    responses((status = 200, body = Timeline), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn timeline(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Params(q): Params<TimelineQuery>,
) -> ApiResult<Json<Timeline>> {
    let page = state
        .app
        .ticket_timeline(&p, id, q.after.unwrap_or(0), q.limit.unwrap_or(200))
        .await?;
    Ok(Json(Timeline {
        items: page.items.into_iter().map(Into::into).collect(),
        next_after: page.next_after,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TicketCategory)]
pub struct CategoryDto {
    pub id: i64,
    pub key: String,
    pub name: String,
    /// Typed custom fields: key, label, kind (text, number, date, boolean, list), required, options.
    #[schema(value_type = Vec<Object>)]
    pub fields: Value,
}

impl From<Category> for CategoryDto {
    fn from(c: Category) -> Self {
        Self {
            id: c.id,
            key: c.key,
            name: c.name,
            fields: c.fields.0,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryList {
    pub items: Vec<CategoryDto>,
}

#[utoipa::path(get, path = "/api/v1/ticket-categories", tag = "tickets",
    responses((status = 200, body = CategoryList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_categories(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<CategoryList>> {
    let items = state.app.list_ticket_categories(&p).await?;
    Ok(Json(CategoryList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveCategory {
    pub key: String,
    pub name: String,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldDef>,
}

/// Add a category (admin).
#[utoipa::path(post, path = "/api/v1/ticket-categories", tag = "tickets", request_body = SaveCategory,
    responses((status = 201, body = CategoryDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_category(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<SaveCategory>,
) -> ApiResult<(StatusCode, Json<CategoryDto>)> {
    let c = state
        .app
        .save_ticket_category(&p, None, &b.key, &b.name, &b.fields)
        .await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Replace a category (admin).
#[utoipa::path(put, path = "/api/v1/ticket-categories/{id}", tag = "tickets", request_body = SaveCategory,
    params(("id" = i64, Path, description = "Category id")),
    responses((status = 200, body = CategoryDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_category(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<SaveCategory>,
) -> ApiResult<Json<CategoryDto>> {
    let c = state
        .app
        .save_ticket_category(&p, Some(id), &b.key, &b.name, &b.fields)
        .await?;
    Ok(Json(c.into()))
}

/// Delete a category no ticket uses (admin).
#[utoipa::path(delete, path = "/api/v1/ticket-categories/{id}", tag = "tickets",
    params(("id" = i64, Path, description = "Category id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn delete_category(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_ticket_category(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account's ticket states and allowed transitions.
#[utoipa::path(get, path = "/api/v1/ticket-workflow", tag = "tickets",
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_workflow(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<Workflow>> {
    Ok(Json(state.app.ticket_workflow(p.scope()).await?))
}

/// Replace the workflow (admin): rename, add states, define transitions.
#[utoipa::path(put, path = "/api/v1/ticket-workflow", tag = "tickets", request_body = Object,
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn put_workflow(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(w): Body<Workflow>,
) -> ApiResult<Json<Workflow>> {
    Ok(Json(state.app.set_ticket_workflow(&p, w).await?))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TicketMarker)]
pub struct MarkerDto {
    pub id: i64,
    pub name: String,
}

impl From<Marker> for MarkerDto {
    fn from(m: Marker) -> Self {
        Self {
            id: m.id,
            name: m.name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkerList {
    pub items: Vec<MarkerDto>,
}

#[utoipa::path(get, path = "/api/v1/ticket-markers", tag = "tickets",
    responses((status = 200, body = MarkerList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_markers(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<MarkerList>> {
    let items = state.app.list_ticket_markers(&p).await?;
    Ok(Json(MarkerList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMarker {
    pub name: String,
}

/// Add a progress marker to the account's list (supervisor).
#[utoipa::path(post, path = "/api/v1/ticket-markers", tag = "tickets", request_body = CreateMarker,
    responses((status = 201, body = MarkerDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_marker(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<CreateMarker>,
) -> ApiResult<(StatusCode, Json<MarkerDto>)> {
    let m = state.app.create_ticket_marker(&p, &b.name).await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

#[utoipa::path(delete, path = "/api/v1/ticket-markers/{id}", tag = "tickets",
    params(("id" = i64, Path, description = "Marker id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn delete_marker(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_ticket_marker(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
