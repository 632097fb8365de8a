//! Conversations from the agents' side: lists with filters, messages, replies and notes,
//! transfer, status, priority, tags.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::{
    conversations::{AgentMessage, parse_priority, parse_status},
    store::conversations::ConversationFilter,
};
use yingke_core::{FieldErrors, TeamId, UserId};
use yingke_realtime::wire::{ConversationDto, MessageDto};

use crate::{
    auth::Auth,
    error::{ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations))
        .routes(routes!(get_conversation, update_conversation))
        .routes(routes!(list_messages, send_message))
        .routes(routes!(transfer))
        .routes(routes!(add_conversation_tag, remove_conversation_tag))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConversationQuery {
    /// open, pending, resolved, closed
    pub status: Option<String>,
    /// A user id, or `me`, or `none` for unassigned.
    pub assignee: Option<String>,
    pub team_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub tag: Option<String>,
    /// Started at this entry point.
    pub entry_point_id: Option<i64>,
    /// Started at an entry point of this campaign.
    pub campaign: Option<String>,
    /// The visit's `utm_source` as the widget reported it.
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    /// Text to find (1–100 characters): a conversation number (`12` or `#12`), or part of the
    /// contact's name, e-mail or phone, or of any message (notes included); case-insensitive.
    pub q: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 200; 50 when absent.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationPage {
    pub items: Vec<ConversationDto>,
    pub next_cursor: Option<String>,
}

/// Conversations the caller may see, ordered by id. Agents see those assigned to them and the
/// unassigned ones of their teams (or of no team); supervisors and above see all.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", params(ConversationQuery),
    responses((status = 200, body = ConversationPage), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_conversations(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<ConversationQuery>,
) -> ApiResult<Json<ConversationPage>> {
    let mut e = FieldErrors::new();
    let (after, limit) = crate::dto::ListParams {
        cursor: q.cursor.clone(),
        limit: q.limit,
    }
    .validate()?;
    let status = e.check_opt("status", q.status.as_deref().map(parse_status));
    let mut filter = ConversationFilter {
        status: status.map(str::to_owned),
        team_id: q.team_id,
        channel_id: q.channel_id,
        contact_id: q.contact_id,
        tag: q.tag.clone(),
        entry_point_id: q.entry_point_id,
        campaign: q.campaign.clone(),
        utm_source: q.utm_source.clone(),
        utm_medium: q.utm_medium.clone(),
        utm_campaign: q.utm_campaign.clone(),
        ..Default::default()
    };
    if let Some(text) = q.q.as_deref() {
        let n = text.trim().chars().count();
        if (1..=100).contains(&n) {
            filter = filter.search(text);
        } else {
            e.add("q", "must be 1 to 100 characters");
        }
    }
    match q.assignee.as_deref() {
        None => {}
        Some("me") => filter.assignee_id = Some(p.user_id().0),
        Some("none") => filter.unassigned = true,
        Some(id) => match id.parse() {
            Ok(id) => filter.assignee_id = Some(id),
            Err(_) => e.add("assignee", "must be a user id, me or none"),
        },
    }
    e.finish()?;
    let page = state
        .app
        .list_conversations(&p, filter, after, limit)
        .await?;
    Ok(Json(ConversationPage {
        items: page.items.iter().map(ConversationDto::from).collect(),
        next_cursor: page.next_after.map(|i| i.to_string()),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub conversation: ConversationDto,
    pub tags: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations",
    params(("id" = i64, Path, description = "Conversation id")),
    responses((status = 200, body = ConversationDetail), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_conversation(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<ConversationDetail>> {
    let (c, tags) = state.app.get_conversation(&p, id).await?;
    Ok(Json(ConversationDetail {
        conversation: (&c).into(),
        tags,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConversation {
    /// open, pending, resolved, closed
    pub status: Option<String>,
    /// low, normal, high, urgent
    pub priority: Option<String>,
}

/// Resolve, reopen, close or set pending; change the priority.
#[utoipa::path(patch, path = "/api/v1/conversations/{id}", tag = "conversations", request_body = UpdateConversation,
    params(("id" = i64, Path, description = "Conversation id")),
    responses((status = 200, body = ConversationDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_conversation(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<UpdateConversation>,
) -> ApiResult<Json<ConversationDto>> {
    let mut e = FieldErrors::new();
    let status = e.check_opt("status", b.status.as_deref().map(parse_status));
    let priority = e.check_opt("priority", b.priority.as_deref().map(parse_priority));
    e.finish()?;
    let mut conv = None;
    if let Some(pr) = priority {
        conv = Some(state.app.set_conversation_priority(&p, id, pr).await?);
    }
    if let Some(s) = status {
        conv = Some(state.app.set_conversation_status(&p, id, s).await?);
    }
    let conv = match conv {
        Some(c) => c,
        None => state.app.get_conversation(&p, id).await?.0,
    };
    Ok(Json((&conv).into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessageQuery {
    /// Messages after this sequence number (0 = from the start).
    pub after_seq: Option<i64>,
    /// 1 to 500; 100 when absent.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    pub items: Vec<MessageDto>,
}

/// Messages in sequence order, internal notes included.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "conversations",
    params(("id" = i64, Path, description = "Conversation id"), MessageQuery),
    responses((status = 200, body = MessageList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_messages(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Params(q): Params<MessageQuery>,
) -> ApiResult<Json<MessageList>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(FieldErrors::single("limit", "must be between 1 and 500").into());
    }
    let msgs = state
        .app
        .conversation_messages(&p, id, q.after_seq.unwrap_or(0).max(0), limit)
        .await?;
    Ok(Json(MessageList {
        items: msgs.iter().map(MessageDto::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    /// Your unique id for the message: resending it returns the same message.
    pub client_id: Option<String>,
    /// The text (may be empty with an attachment).
    #[serde(default)]
    pub text: String,
    /// An upload from POST /api/v1/attachments.
    pub attachment_id: Option<i64>,
    /// An internal note: never shown to the contact.
    #[serde(default)]
    pub note: bool,
}

/// Reply to the contact, or write an internal note.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "conversations", request_body = SendMessage,
    params(("id" = i64, Path, description = "Conversation id")),
    responses((status = 201, body = MessageDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn send_message(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<SendMessage>,
) -> ApiResult<(StatusCode, Json<MessageDto>)> {
    let v = state
        .app
        .agent_send(
            &p,
            id,
            AgentMessage {
                client_id: b.client_id,
                text: b.text,
                note: b.note,
                attachment_id: b.attachment_id,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json((&v).into())))
}

use crate::dto::double_option;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// The agent to hand over to; `null` unassigns.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    /// The team to hand over to; `null` removes the team.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub team_id: Option<Option<i64>>,
    /// An internal note explaining the transfer.
    pub note: Option<String>,
}

/// Transfer to an agent and/or a team, with a note.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/transfer", tag = "conversations", request_body = Transfer,
    params(("id" = i64, Path, description = "Conversation id")),
    responses((status = 200, body = ConversationDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn transfer(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<Transfer>,
) -> ApiResult<Json<ConversationDto>> {
    if b.assignee_id.is_none() && b.team_id.is_none() {
        return Err(FieldErrors::single("assignee_id", "give an assignee_id or a team_id").into());
    }
    let c = state
        .app
        .transfer_conversation(
            &p,
            id,
            b.assignee_id.map(|a| a.map(UserId)),
            b.team_id.map(|t| t.map(TeamId)),
            b.note,
        )
        .await?;
    Ok(Json((&c).into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    pub tags: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/conversations/{id}/tags/{tag}", tag = "conversations",
    params(("id" = i64, Path, description = "Conversation id"), ("tag" = String, Path, description = "Tag")),
    responses((status = 200, body = TagList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn add_conversation_tag(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids((id, tag)): Ids<(i64, String)>,
) -> ApiResult<Json<TagList>> {
    Ok(Json(TagList {
        tags: state.app.tag_conversation(&p, id, &tag, true).await?,
    }))
}

#[utoipa::path(delete, path = "/api/v1/conversations/{id}/tags/{tag}", tag = "conversations",
    params(("id" = i64, Path, description = "Conversation id"), ("tag" = String, Path, description = "Tag")),
    responses((status = 200, body = TagList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn remove_conversation_tag(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids((id, tag)): Ids<(i64, String)>,
) -> ApiResult<Json<TagList>> {
    Ok(Json(TagList {
        tags: state.app.tag_conversation(&p, id, &tag, false).await?,
    }))
}
