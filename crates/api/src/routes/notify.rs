//! Notifications: the policy, channels (secrets masked), rules, templates with a preview,
//! deliveries (sent and not sent, with reasons), contacts' preferences, agents' own notices; and
//! the customer-facing links — ticket page, "不再提醒", open pixel, click, provider receipts.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::{
    notify::{ChannelInput, PreferencesInput, PreviewInput, RuleSpec, TemplateInput},
    store::notify::{Delivery, DeliveryFilter, TemplateRow},
};
use yingke_core::notify::Policy;

use crate::{
    auth::Auth,
    error::{ApiError, ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(notify_get_policy, notify_put_policy))
        .routes(routes!(notify_list_channels, notify_create_channel))
        .routes(routes!(notify_update_channel, notify_delete_channel))
        .routes(routes!(notify_test_channel))
        .routes(routes!(notify_list_rules, notify_create_rule))
        .routes(routes!(notify_update_rule, notify_delete_rule))
        .routes(routes!(notify_list_templates, notify_put_template))
        .routes(routes!(notify_delete_template))
        .routes(routes!(notify_preview))
        .routes(routes!(notify_list_deliveries))
        .routes(routes!(notify_get_preferences, notify_put_preferences))
        .routes(routes!(notify_my_notifications))
        .routes(routes!(notify_read_my_notification))
        .routes(routes!(notify_my_unread))
        .routes(routes!(notify_read_all_mine))
        .routes(routes!(push_key))
        .routes(routes!(push_devices, push_subscribe, push_unsubscribe))
        .routes(routes!(my_notice_prefs, put_my_notice_prefs))
}

/// The customer-facing pages and callbacks, outside `/api` (links in e-mails and SMS).
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/t/{token}", get(ticket_page))
        .route("/n/u/{token}", get(optout_page).post(optout_submit))
        .route("/n/o/{token}", get(open_pixel))
        .route("/n/c/{token}", get(click))
        .route("/n/r/{account}/{channel}/{token}", post(receipt))
}

/// The policy: cap per ticket and per kind, quiet period, DND hours, consent, learning, retries,
/// masking.
#[utoipa::path(get, path = "/api/v1/notifications/policy", tag = "notifications",
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_get_policy(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<Policy>> {
    Ok(Json(state.app.notify_policy(&p).await?))
}

/// Change the policy (admin). Omitted fields take their defaults.
#[utoipa::path(put, path = "/api/v1/notifications/policy", tag = "notifications", request_body = Object,
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_put_policy(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<Policy>,
) -> ApiResult<Json<Policy>> {
    Ok(Json(state.app.set_notify_policy(&p, b).await?))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NotificationItems)]
pub struct Items {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
}

fn items<T: Serialize>(v: Vec<T>) -> Json<Items> {
    Json(Items {
        items: v
            .into_iter()
            .map(|x| serde_json::to_value(x).unwrap_or(Value::Null))
            .collect(),
    })
}

/// Channels with their secrets masked (`••••ab`) and their receipt URL.
#[utoipa::path(get, path = "/api/v1/notifications/channels", tag = "notifications",
    responses((status = 200, body = Items), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_list_channels(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<Items>> {
    Ok(items(state.app.list_notify_channels(&p).await?))
}

/// Add a channel (admin): kind (smtp, aliyun_sms, tencent_sms, http_sms, wecom_robot,
/// dingtalk_robot, feishu_bot, wecom_app), name, config, secrets (sealed at rest).
#[utoipa::path(post, path = "/api/v1/notifications/channels", tag = "notifications", request_body = Object,
    responses((status = 201, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_create_channel(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<ChannelInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let v = state.app.save_notify_channel(&p, None, b).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(v).unwrap_or_default()),
    ))
}

/// Change a channel (admin); secret keys left out keep their value, `null` removes one.
#[utoipa::path(put, path = "/api/v1/notifications/channels/{id}", tag = "notifications", request_body = Object,
    params(("id" = i64, Path, description = "Channel id")),
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_update_channel(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<ChannelInput>,
) -> ApiResult<Json<Value>> {
    let v = state.app.save_notify_channel(&p, Some(id), b).await?;
    Ok(Json(serde_json::to_value(v).unwrap_or_default()))
}

#[utoipa::path(delete, path = "/api/v1/notifications/channels/{id}", tag = "notifications",
    params(("id" = i64, Path, description = "Channel id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_delete_channel(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_notify_channel(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NotificationTestSend)]
pub struct TestSend {
    /// Address to send the test to (ignored by group robots).
    #[serde(default)]
    pub to: String,
}

/// Send a test notice on a channel now and show the provider's answer (admin).
#[utoipa::path(post, path = "/api/v1/notifications/channels/{id}/test", tag = "notifications", request_body = TestSend,
    params(("id" = i64, Path, description = "Channel id")),
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_test_channel(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<TestSend>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.test_notify_channel(&p, id, &b.to).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SaveNotificationRule)]
pub struct SaveRule {
    #[schema(value_type = Object)]
    pub spec: RuleSpec,
    #[serde(default)]
    pub position: i32,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Rules in position order (the shipped defaults included).
#[utoipa::path(get, path = "/api/v1/notifications/rules", tag = "notifications",
    responses((status = 200, body = Items), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_list_rules(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<Items>> {
    Ok(items(state.app.list_notify_rules(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/notifications/rules", tag = "notifications", request_body = SaveRule,
    responses((status = 201, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_create_rule(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<SaveRule>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let r = state
        .app
        .save_notify_rule(&p, None, b.spec, b.position, b.active)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(r).unwrap_or_default()),
    ))
}

#[utoipa::path(put, path = "/api/v1/notifications/rules/{id}", tag = "notifications", request_body = SaveRule,
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_update_rule(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<SaveRule>,
) -> ApiResult<Json<Value>> {
    let r = state
        .app
        .save_notify_rule(&p, Some(id), b.spec, b.position, b.active)
        .await?;
    Ok(Json(serde_json::to_value(r).unwrap_or_default()))
}

#[utoipa::path(delete, path = "/api/v1/notifications/rules/{id}", tag = "notifications",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_delete_rule(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_notify_rule(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NotificationTemplate)]
pub struct TemplateDto {
    pub id: i64,
    pub key: String,
    pub locale: String,
    pub audience: String,
    pub category_id: i64,
    pub medium: String,
    pub subject: String,
    pub body: String,
}

impl From<TemplateRow> for TemplateDto {
    fn from(t: TemplateRow) -> Self {
        Self {
            id: t.id,
            key: t.key,
            locale: t.locale,
            audience: t.audience,
            category_id: t.category_id,
            medium: t.medium,
            subject: t.subject,
            body: t.body,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NotificationTemplateList)]
pub struct TemplateList {
    pub items: Vec<TemplateDto>,
    /// Variables templates may use, with what they hold.
    #[schema(value_type = Object)]
    pub variables: Value,
}

#[utoipa::path(get, path = "/api/v1/notifications/templates", tag = "notifications",
    responses((status = 200, body = TemplateList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_list_templates(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<TemplateList>> {
    let items = state.app.list_notify_templates(&p).await?;
    let variables = yingke_core::notice_template::VARIABLES
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect();
    Ok(Json(TemplateList {
        items: items.into_iter().map(Into::into).collect(),
        variables: Value::Object(variables),
    }))
}

/// Create or replace a template variant (key, locale, audience, category, medium). A template
/// that does not compile or names an unknown variable is refused with its line and column.
#[utoipa::path(put, path = "/api/v1/notifications/templates", tag = "notifications", request_body = Object,
    responses((status = 200, body = TemplateDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_put_template(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<TemplateInput>,
) -> ApiResult<Json<TemplateDto>> {
    Ok(Json(state.app.save_notify_template(&p, b).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/notifications/templates/{id}", tag = "notifications",
    params(("id" = i64, Path, description = "Template id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_delete_template(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_notify_template(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Render a template for a sample ticket (or a real one), masked like a real notice.
#[utoipa::path(post, path = "/api/v1/notifications/templates/preview", tag = "notifications", request_body = Object,
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_preview(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<PreviewInput>,
) -> ApiResult<Json<Value>> {
    let r = state.app.preview_notice(&p, b).await?;
    Ok(Json(serde_json::to_value(r).unwrap_or_default()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    pub ticket_id: Option<i64>,
    pub contact_id: Option<i64>,
    /// queued, sending, sent, delivered, failed, skipped
    pub status: Option<String>,
    pub medium: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NotificationDelivery)]
pub struct DeliveryDto {
    pub id: i64,
    pub notice_key: String,
    pub ticket_id: Option<i64>,
    pub rule_id: Option<i64>,
    pub notice_kind: Option<String>,
    pub recipient_kind: String,
    pub contact_id: Option<i64>,
    pub user_id: Option<i64>,
    pub medium: String,
    pub channel_id: Option<i64>,
    pub subject: String,
    pub body: String,
    /// What the notice is about: template variables, or for agents' notices the to-do, the
    /// reminder's strength (light, strong), the daily list's items.
    #[schema(value_type = Object)]
    pub params: Value,
    pub important: bool,
    pub status: String,
    /// Why it was not sent (`cap_reached`, `kind_limit`, `quiet_period`, `opted_out`,
    /// `no_consent`, `no_address`, `no_channel`) with details.
    #[schema(value_type = Option<Object>)]
    pub skip_reason: Option<Value>,
    pub attempts: i32,
    pub sent_at: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub opened_at: Option<i64>,
    pub clicked_at: Option<i64>,
    pub read_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_response: Option<String>,
    pub failover_from: Option<i64>,
    pub due_at: Option<i64>,
    pub created_at: i64,
}

impl From<Delivery> for DeliveryDto {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            notice_key: d.notice_key,
            ticket_id: d.ticket_id,
            rule_id: d.rule_id,
            notice_kind: d.notice_kind,
            recipient_kind: d.recipient_kind,
            contact_id: d.contact_id,
            user_id: d.user_id,
            params: d.params.0,
            medium: d.medium,
            channel_id: d.channel_id,
            subject: d.subject,
            body: d.body,
            important: d.important,
            status: d.status,
            skip_reason: d.skip_reason.map(|j| j.0),
            attempts: d.attempts,
            sent_at: d.sent_at,
            confirmed_at: d.confirmed_at,
            opened_at: d.opened_at,
            clicked_at: d.clicked_at,
            read_at: d.read_at,
            last_error: d.last_error,
            last_response: d.last_response,
            failover_from: d.failover_from,
            due_at: d.due_at,
            created_at: d.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NotificationDeliveryList)]
pub struct DeliveryList {
    pub items: Vec<DeliveryDto>,
}

/// Deliveries, newest first: every channel a notice went out on, and the notices not sent.
#[utoipa::path(get, path = "/api/v1/notifications/deliveries", tag = "notifications", params(DeliveryQuery),
    responses((status = 200, body = DeliveryList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_list_deliveries(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<DeliveryQuery>,
) -> ApiResult<Json<DeliveryList>> {
    let f = DeliveryFilter {
        ticket_id: q.ticket_id,
        contact_id: q.contact_id,
        user_id: None,
        medium: q.medium,
        status: q.status,
    };
    let items = state
        .app
        .list_deliveries(&p, f, q.before, q.limit.unwrap_or(50))
        .await?;
    Ok(Json(DeliveryList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// A contact's consent per medium, opt-outs and engagement (what the learned preference uses).
#[utoipa::path(get, path = "/api/v1/contacts/{id}/notification-preferences", tag = "notifications",
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_get_preferences(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<Value>> {
    let v = state.app.contact_notify_preferences(&p, id).await?;
    Ok(Json(serde_json::to_value(v).unwrap_or_default()))
}

/// Record consent, add opt-outs or lift them (admin override).
#[utoipa::path(put, path = "/api/v1/contacts/{id}/notification-preferences", tag = "notifications",
    request_body = Object, params(("id" = i64, Path, description = "Contact id")),
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_put_preferences(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<PreferencesInput>,
) -> ApiResult<Json<Value>> {
    let v = state.app.set_contact_notify_preferences(&p, id, b).await?;
    Ok(Json(serde_json::to_value(v).unwrap_or_default()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

/// The signed-in agent's in-app notifications (SLA warnings on my tickets, resolutions…).
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "notifications", params(PageQuery),
    responses((status = 200, body = DeliveryList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_my_notifications(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<PageQuery>,
) -> ApiResult<Json<DeliveryList>> {
    let items = state
        .app
        .my_notifications(&p, q.before, q.limit.unwrap_or(50))
        .await?;
    Ok(Json(DeliveryList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/me/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path, description = "Notification id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_read_my_notification(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.read_my_notification(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- customer-facing ---------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NotificationCount)]
pub struct CountDto {
    pub count: i64,
}

/// How many of the signed-in agent's notifications are unread (the bell's badge).
#[utoipa::path(get, path = "/api/v1/me/notifications/unread", tag = "notifications",
    responses((status = 200, body = CountDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_my_unread(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<CountDto>> {
    let count = state.app.my_unread_notifications(&p).await?;
    Ok(Json(CountDto { count }))
}

/// Mark all of the signed-in agent's notifications read; returns how many were unread.
#[utoipa::path(post, path = "/api/v1/me/notifications/read-all", tag = "notifications",
    responses((status = 200, body = CountDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn notify_read_all_mine(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<CountDto>> {
    let n = state.app.read_all_my_notifications(&p).await?;
    Ok(Json(CountDto {
        count: i64::try_from(n).unwrap_or(i64::MAX),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PushKeyDto {
    /// The VAPID public key: base64url of the uncompressed P-256 point, for
    /// `pushManager.subscribe({applicationServerKey})`.
    pub public_key: String,
}

/// The key browsers subscribe to web push with. 409 when this server cannot push.
#[utoipa::path(get, path = "/api/v1/push/key", tag = "notifications",
    responses((status = 200, body = PushKeyDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn push_key(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<PushKeyDto>> {
    Ok(Json(PushKeyDto {
        public_key: state.app.push_public_key(&p).await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushSubscriptionBody {
    /// The push service URL the browser was given.
    pub endpoint: String,
    pub keys: PushKeysBody,
    /// Sent by browsers; ignored.
    #[serde(default, rename = "expirationTime")]
    #[schema(value_type = Option<f64>)]
    pub _expiration_time: Option<Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushKeysBody {
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The 16-byte auth secret, base64url.
    pub auth: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PushDeviceDto {
    pub id: i64,
    pub endpoint: String,
    pub created_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PushDeviceList {
    pub items: Vec<PushDeviceDto>,
}

/// Where one kind of notice reaches the agent.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct NoticePrefDoc {
    /// In their notification list and live in the workspace.
    pub in_app: bool,
    /// Pushed to their subscribed browsers and phones.
    pub push: bool,
    /// In their e-mail digest when still unread 15 minutes after it arrived (all such notices
    /// in one e-mail, through the account's e-mail channel). Off by default; needs `in_app`.
    pub email: bool,
}

/// The signed-in person's notice preferences, per kind: `assigned` (someone else handed them a
/// conversation), `mention` (an internal note names them), `ticket` (notification rules' notices to agents: SLA warnings, resolutions),
/// `todo_reminder`, `todo_digest` (the daily list), `todo_prompt`, `automation` (a rule's notify
/// action). A change names any subset of kinds and fields.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = NoticePrefs)]
#[allow(dead_code)]
pub struct NoticePrefsDoc {
    pub assigned: NoticePrefDoc,
    pub mention: NoticePrefDoc,
    pub ticket: NoticePrefDoc,
    pub todo_reminder: NoticePrefDoc,
    pub todo_digest: NoticePrefDoc,
    pub todo_prompt: NoticePrefDoc,
    pub automation: NoticePrefDoc,
}

#[utoipa::path(get, path = "/api/v1/me/notice-preferences", tag = "notifications",
    responses((status = 200, body = NoticePrefsDoc), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn my_notice_prefs(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<Value>> {
    let v = state.app.my_notice_prefs(&p).await?;
    Ok(Json(serde_json::to_value(v).unwrap_or_default()))
}

/// Changes the signed-in person's notice preferences (any subset); answers all of them.
#[utoipa::path(put, path = "/api/v1/me/notice-preferences", tag = "notifications",
    request_body = Object,
    responses((status = 200, body = NoticePrefsDoc), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn put_my_notice_prefs(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<Value>,
) -> ApiResult<Json<Value>> {
    let v = state.app.set_my_notice_prefs(&p, &b).await?;
    Ok(Json(serde_json::to_value(v).unwrap_or_default()))
}

/// The signed-in agent's browsers and phones that take web push.
#[utoipa::path(get, path = "/api/v1/me/push-subscriptions", tag = "notifications",
    responses((status = 200, body = PushDeviceList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn push_devices(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<PushDeviceList>> {
    let items = state.app.push_devices(&p).await?;
    Ok(Json(PushDeviceList {
        items: items
            .into_iter()
            .map(|d| PushDeviceDto {
                id: d.id,
                endpoint: d.endpoint,
                created_at: d.created_at,
            })
            .collect(),
    }))
}

/// Subscribe this browser to the agent's notices (the body is `PushSubscription.toJSON()`).
#[utoipa::path(post, path = "/api/v1/me/push-subscriptions", tag = "notifications",
    request_body = PushSubscriptionBody,
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn push_subscribe(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<PushSubscriptionBody>,
) -> ApiResult<StatusCode> {
    let input = yingke_app::push::PushSubscriptionInput {
        endpoint: b.endpoint,
        keys: yingke_app::push::PushKeys {
            p256dh: b.keys.p256dh,
            auth: b.keys.auth,
        },
    };
    state.app.subscribe_push(&p, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EndpointQuery {
    /// The subscription's endpoint.
    pub endpoint: String,
}

/// Unsubscribe a browser of the signed-in agent.
#[utoipa::path(delete, path = "/api/v1/me/push-subscriptions", tag = "notifications",
    params(EndpointQuery),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn push_unsubscribe(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<EndpointQuery>,
) -> ApiResult<StatusCode> {
    state.app.unsubscribe_push(&p, &q.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{t}</title>\
<style>body{{margin:0;font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;background:#f5f5f5;color:#222}}main{{max-width:560px;margin:0 auto;padding:20px 16px;background:#fff;min-height:100vh}}h1{{font-size:20px}}li{{margin:0 0 12px}}.m{{color:#888;font-size:13px}}button{{background:#1677ff;color:#fff;border:0;border-radius:6px;padding:10px 16px;font-size:15px;margin:4px 0}}</style></head><body><main>{body}</main></body></html>",
        t = esc(title)
    ))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn gone() -> Response {
    (
        StatusCode::NOT_FOUND,
        page(
            "链接无效 / Invalid link",
            "<h1>链接无效或已过期</h1><p>The link is invalid or has expired.</p>",
        ),
    )
        .into_response()
}

/// The customer's ticket page (H5 message centre): number, status, ETA, notices.
async fn ticket_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(c) = state.app.open_customer_link("ticket", &token) else {
        return gone();
    };
    match state.app.customer_ticket(&c).await {
        Ok(v) => {
            let notices: String = v
                .notices
                .iter()
                .map(|n| {
                    format!(
                        "<li><strong>{}</strong><br>{}<div class=\"m\">{}</div></li>",
                        esc(&n.0),
                        esc(&n.1),
                        esc(&n.2)
                    )
                })
                .collect();
            let optout = state.app.customer_link(
                "optout",
                yingke_app::store::Scope::new(yingke_core::AccountId(c.a)),
                c.t,
                c.c,
                "*",
                state.app.now(),
            );
            page(
                &v.number,
                &format!(
                    "<h1>工单 {n}</h1><p>{title}</p><p>状态 / Status：<strong>{status}</strong></p>{eta}<h2 style=\"font-size:16px\">通知记录 / Notices</h2><ul style=\"padding-left:18px\">{notices}</ul><p class=\"m\"><a href=\"{optout}\">不再提醒 / Stop these notices</a></p>",
                    n = esc(&v.number),
                    title = esc(&v.title),
                    status = esc(&v.status),
                    eta = v.eta.as_deref().map_or(String::new(), |e| format!("<p>预计完成 / ETA：{}</p>", esc(e))),
                    optout = esc(&optout),
                ),
            )
            .into_response()
        }
        Err(_) => gone(),
    }
}

/// The opt-out page: confirm for this ticket or for everything (a GET never changes anything,
/// so link scanners cannot opt a customer out).
async fn optout_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if state.app.open_customer_link("optout", &token).is_none() {
        return gone();
    }
    page(
        "不再提醒",
        "<h1>不再提醒 / Stop notices</h1><form method=\"post\"><button name=\"scope\" value=\"ticket\">这个工单不再提醒 / This ticket</button><br><button name=\"scope\" value=\"all\">所有工单都不再提醒 / All tickets</button></form>",
    )
    .into_response()
}

/// Opts out: the form (`scope=ticket|all`) or a one-click `List-Unsubscribe-Post` (this ticket).
async fn optout_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: String,
) -> Response {
    let all = body.split('&').any(|kv| kv == "scope=all");
    match state.app.opt_out_by_link(&token, all).await {
        Ok(_) => page(
            "已退订",
            "<h1>已设置不再提醒</h1><p>You will not receive these notices any more. 如需恢复，请联系客服。</p>",
        )
        .into_response(),
        Err(_) => gone(),
    }
}

const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

async fn open_pixel(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let token = token.trim_end_matches(".gif");
    if let Err(e) = state.app.record_engagement(token).await {
        tracing::debug!(error = %e, "open pixel with a bad token");
    }
    (
        [
            (header::CONTENT_TYPE, "image/gif"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PIXEL,
    )
        .into_response()
}

async fn click(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.app.record_engagement(&token).await {
        Ok(Some(to)) => Redirect::to(&to).into_response(),
        _ => gone(),
    }
}

/// Delivery receipts: Alibaba Cloud (`[{biz_id|out_id, success, err_code}]`), Tencent Cloud
/// (`[{sid, report_status}]`) or the generic form (`{message_id, status}`); answers as each
/// provider expects.
async fn receipt(
    State(state): State<AppState>,
    Path((account, channel, token)): Path<(i64, i64, String)>,
    body: String,
) -> Response {
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "The receipt is not JSON.",
        )
        .into_response();
    };
    let list: Vec<Value> = match v {
        Value::Array(a) => a,
        other => vec![other],
    };
    let parsed: Vec<(String, bool, String)> = list
        .iter()
        .filter_map(|r| {
            let id = ["biz_id", "out_id", "sid", "message_id", "id"]
                .iter()
                .find_map(|k| r.get(*k).and_then(Value::as_str))?;
            let ok = r.get("success").and_then(Value::as_bool).unwrap_or(false)
                || r.get("report_status").and_then(Value::as_str) == Some("SUCCESS")
                || r.get("status").and_then(Value::as_str) == Some("delivered");
            let detail = [
                "err_code",
                "errmsg",
                "description",
                "status",
                "report_status",
            ]
            .iter()
            .find_map(|k| r.get(*k).and_then(Value::as_str))
            .unwrap_or("")
            .to_owned();
            Some((id.to_owned(), ok, detail))
        })
        .collect();
    match state.app.record_receipt(account, channel, &token, &parsed).await {
        Ok(n) => Json(serde_json::json!({"code": 0, "msg": "成功", "result": 0, "errmsg": "OK", "matched": n})).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
