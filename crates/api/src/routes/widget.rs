//! The visitor's REST calls (docs/protocol/realtime.md) and both WebSocket endpoints.

use axum::{
    Json,
    extract::{
        FromRequestParts, State, WebSocketUpgrade, ws::rejection::WebSocketUpgradeRejection,
    },
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::Response,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::{
    AppError,
    channels::FormField,
    widget::{IdentityInput, PageInfo, SessionInput, VisitorClaims},
};
use yingke_realtime::{
    gateway::{self, MAX_FRAME_BYTES, MAX_WRITE_BUFFER_BYTES, READ_BUFFER_BYTES},
    wire::{MessageDto, VisitorConversationDto},
};

use crate::{
    dto::time_of,
    error::{ApiError, ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(config))
        .routes(routes!(start_session))
        .routes(routes!(page_view))
        .routes(routes!(messages))
        .routes(routes!(csat))
        .routes(routes!(visitor_ws))
        .routes(routes!(agent_ws))
        .routes(routes!(visitor_notices))
        .routes(routes!(read_visitor_notice))
}

/// The visitor behind `Authorization: Visitor <token>`.
pub struct Visitor(pub VisitorClaims);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Visitor "))
            .ok_or(AppError::Unauthenticated)?;
        Ok(Visitor(state.app.visitor_from_token(token.trim()).await?))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WidgetChannel {
    pub name: String,
    pub greeting: String,
    pub colour: String,
    pub locale: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WidgetConfig {
    pub channel: WidgetChannel,
    #[schema(value_type = Vec<Object>)]
    pub pre_chat_form: Vec<FormField>,
}

/// What the widget needs to draw itself (public).
#[utoipa::path(get, path = "/api/v1/widget/{channel_key}/config", tag = "widget",
    params(("channel_key" = String, Path, description = "The channel's public key")),
    responses((status = 200, body = WidgetConfig), (status = "4XX", body = ErrorEnvelope)))]
async fn config(
    State(state): State<AppState>,
    Ids(key): Ids<String>,
) -> ApiResult<Json<WidgetConfig>> {
    let v = state.app.widget_channel(&key).await?;
    Ok(Json(WidgetConfig {
        channel: WidgetChannel {
            name: v.channel.name,
            greeting: v.settings.greeting,
            colour: v.settings.colour,
            locale: v.settings.locale,
        },
        pre_chat_form: v.settings.pre_chat_form,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageBody {
    pub url: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub referrer: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityBody {
    pub user_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<Value>,
    /// hex(HMAC-SHA256(channel identity secret, user_id)), computed by your server.
    pub hmac: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartSession {
    /// The token of an earlier session, to stay the same contact.
    pub visitor_token: Option<String>,
    /// An entry point key.
    pub entry: Option<String>,
    pub page: Option<PageBody>,
    /// source, medium, campaign, term, content
    #[schema(value_type = Option<Object>)]
    pub utm: Option<Map<String, Value>>,
    pub device: Option<String>,
    pub language: Option<String>,
    pub identity: Option<IdentityBody>,
    /// Pre-chat form answers by field name.
    #[schema(value_type = Option<Object>)]
    pub form: Option<Map<String, Value>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WidgetContact {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorSession {
    /// Keep it (localStorage) and send it back to stay the same contact.
    pub visitor_token: String,
    pub contact: WidgetContact,
    pub conversation: Option<VisitorConversationDto>,
}

/// Start or resume a visitor's session (public). An identity needs a valid HMAC.
#[utoipa::path(post, path = "/api/v1/widget/{channel_key}/sessions", tag = "widget", request_body = StartSession,
    params(("channel_key" = String, Path, description = "The channel's public key")),
    responses((status = 200, body = VisitorSession), (status = "4XX", body = ErrorEnvelope)))]
async fn start_session(
    State(state): State<AppState>,
    Ids(key): Ids<String>,
    Body(b): Body<StartSession>,
) -> ApiResult<Json<VisitorSession>> {
    let input = SessionInput {
        visitor_token: b.visitor_token,
        entry: b.entry,
        page: b.page.map(|p| PageInfo {
            url: p.url,
            title: p.title,
            referrer: p.referrer,
        }),
        utm: b.utm.unwrap_or_default(),
        device: b.device,
        language: b.language,
        identity: b.identity.map(|i| IdentityInput {
            user_id: i.user_id,
            name: i.name,
            email: i.email,
            phone: i.phone,
            attributes: i.attributes,
            hmac: i.hmac,
        }),
        form: b.form.unwrap_or_default(),
    };
    let s = state.app.start_visitor_session(&key, input).await?;
    Ok(Json(VisitorSession {
        visitor_token: s.token,
        contact: WidgetContact {
            id: s.contact.id,
            name: s.contact.name,
        },
        conversation: s.conversation.as_ref().map(VisitorConversationDto::from),
    }))
}

/// Report a page the visitor viewed.
#[utoipa::path(post, path = "/api/v1/widget/page-views", tag = "widget", request_body = PageBody,
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("visitor" = [])))]
async fn page_view(
    State(state): State<AppState>,
    Visitor(v): Visitor,
    Body(b): Body<PageBody>,
) -> ApiResult<StatusCode> {
    state
        .app
        .visitor_page_view(
            &v,
            PageInfo {
                url: b.url,
                title: b.title,
                referrer: b.referrer,
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AfterSeq {
    pub after_seq: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorMessages {
    pub conversation: Option<VisitorConversationDto>,
    pub items: Vec<MessageDto>,
}

/// The visitor's current conversation and its messages (never internal notes).
#[utoipa::path(get, path = "/api/v1/widget/messages", tag = "widget", params(AfterSeq),
    responses((status = 200, body = VisitorMessages), (status = "4XX", body = ErrorEnvelope)),
    security(("visitor" = [])))]
async fn messages(
    State(state): State<AppState>,
    Visitor(v): Visitor,
    Params(q): Params<AfterSeq>,
) -> ApiResult<Json<VisitorMessages>> {
    let (conv, msgs) = state
        .app
        .visitor_messages(&v, q.after_seq.unwrap_or(0).max(0))
        .await?;
    Ok(Json(VisitorMessages {
        conversation: conv.as_ref().map(VisitorConversationDto::from),
        items: msgs.iter().map(MessageDto::from).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorNotice {
    pub id: i64,
    pub ticket_id: Option<i64>,
    /// status, timeout, resolution, marker
    pub notice_kind: Option<String>,
    pub subject: String,
    /// Plain text (never HTML).
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<time::OffsetDateTime>,
    /// The customer's page for the ticket: its status, ETA and every notice.
    pub ticket_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorNotices {
    pub items: Vec<VisitorNotice>,
    pub unread: usize,
}

/// The visitor's message centre: ticket progress notices given to them in-app, newest first.
#[utoipa::path(get, path = "/api/v1/widget/notices", tag = "widget",
    responses((status = 200, body = VisitorNotices), (status = "4XX", body = ErrorEnvelope)),
    security(("visitor" = [])))]
async fn visitor_notices(
    State(state): State<AppState>,
    Visitor(v): Visitor,
) -> ApiResult<Json<VisitorNotices>> {
    let items: Vec<VisitorNotice> = state
        .app
        .visitor_notices(&v)
        .await?
        .into_iter()
        .map(|(d, page)| VisitorNotice {
            id: d.id,
            ticket_id: d.ticket_id,
            notice_kind: d.notice_kind,
            subject: d.subject,
            body: d.body,
            created_at: time_of(d.created_at),
            read_at: d.read_at.map(time_of),
            ticket_url: page,
        })
        .collect();
    let unread = items.iter().filter(|n| n.read_at.is_none()).count();
    Ok(Json(VisitorNotices { items, unread }))
}

/// The visitor read a notice (counts as engagement with in-app notices).
#[utoipa::path(post, path = "/api/v1/widget/notices/{id}/read", tag = "widget",
    params(("id" = i64, Path, description = "Notice id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("visitor" = [])))]
async fn read_visitor_notice(
    State(state): State<AppState>,
    Visitor(v): Visitor,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.mark_notice_read(v.scope(), v.c, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Csat {
    /// 1 (very unhappy) to 5 (very happy).
    pub score: i64,
    #[serde(default)]
    pub comment: String,
}

/// Rate the resolved conversation.
#[utoipa::path(post, path = "/api/v1/widget/csat", tag = "widget", request_body = Csat,
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("visitor" = [])))]
async fn csat(
    State(state): State<AppState>,
    Visitor(v): Visitor,
    Body(b): Body<Csat>,
) -> ApiResult<StatusCode> {
    state.app.visitor_csat(&v, b.score, &b.comment).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WsToken {
    /// Visitor token (visitors) or personal access token (agents without a cookie).
    pub token: Option<String>,
}

/// The visitor's WebSocket (docs/protocol/realtime.md).
#[utoipa::path(get, path = "/api/v1/widget/ws", tag = "widget", params(WsToken),
    responses((status = 101, description = "Switching to the WebSocket protocol"), (status = "4XX", body = ErrorEnvelope)))]
async fn visitor_ws(
    State(state): State<AppState>,
    Params(q): Params<WsToken>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let ws = ws.map_err(not_a_socket)?;
    let token = q.token.ok_or(AppError::Unauthenticated)?;
    let claims = state.app.visitor_from_token(&token).await?;
    let (app, hub) = (state.app.clone(), state.hub.clone());
    Ok(ws
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(READ_BUFFER_BYTES)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| gateway::run_visitor(socket, app, hub, claims)))
}

/// The agent's WebSocket (docs/protocol/realtime.md). With the session cookie, the Origin must be
/// this server (no cross-site socket hijacking).
#[utoipa::path(get, path = "/api/v1/ws", tag = "conversations", params(WsToken),
    responses((status = 101, description = "Switching to the WebSocket protocol"), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn agent_ws(
    State(state): State<AppState>,
    headers: HeaderMap,
    Params(q): Params<WsToken>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let principal = match q.token {
        Some(t) => state.app.principal_from_token(&t).await?,
        None => {
            let cookie = crate::auth::session_cookie(&headers).ok_or(AppError::Unauthenticated)?;
            let p = state.app.principal_from_session(cookie).await?;
            if !same_origin(&headers) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf_failed",
                    "The socket's Origin is not this server.",
                ));
            }
            p
        }
    };
    let ws = ws.map_err(not_a_socket)?;
    let teams = state.app.team_ids_of(&principal).await?;
    let (app, hub) = (state.app.clone(), state.hub.clone());
    Ok(ws
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(READ_BUFFER_BYTES)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| gateway::run_agent(socket, app, hub, principal, teams)))
}

fn not_a_socket(r: WebSocketUpgradeRejection) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_request",
        format!("This endpoint speaks WebSocket: {}", r.body_text()),
    )
}

/// An absent Origin (non-browser clients) or one whose host is the request's Host.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .map(|(_, h)| h.trim_end_matches('/'))
        == Some(host)
}
