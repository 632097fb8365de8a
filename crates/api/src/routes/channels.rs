//! Channels (the web widget) and their entry points. Changes are for admins.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::channels::{ChannelView, EntryPointInput, WidgetSettings, is_key};
use yingke_core::FieldErrors;

use crate::{
    auth::Auth,
    dto::{ListParams, time_of},
    error::{ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_channels, create_channel))
        .routes(routes!(get_channel, update_channel))
        .routes(routes!(identity_secret))
        .routes(routes!(list_entry_points, create_entry_point))
        .routes(routes!(delete_entry_point))
}

/// A channel: where customers reach the account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Channel)]
pub struct ChannelDto {
    pub id: i64,
    /// `web_widget`.
    pub kind: String,
    pub name: String,
    /// Public key carried by the widget snippet.
    pub public_key: String,
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// The one line to paste into a site.
    pub widget_snippet: String,
    /// The full-page chat for phones and in-app browsers.
    pub h5_url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

fn base_url(headers: &HeaderMap, state: &AppState) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    let scheme = if state.http.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

fn dto(v: ChannelView, base: &str) -> ChannelDto {
    let key = v.channel.public_key.clone();
    ChannelDto {
        id: v.channel.id,
        kind: v.channel.kind,
        name: v.channel.name,
        widget_snippet: format!(
            "<script src=\"{base}/widget.js\" data-channel=\"{key}\" async></script>"
        ),
        h5_url: format!("{base}/chat/{key}"),
        public_key: key,
        settings: serde_json::to_value(&v.settings).unwrap_or_default(),
        created_at: time_of(v.channel.created_at),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelPage {
    pub items: Vec<ChannelDto>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChannel {
    pub name: String,
    /// Greeting, colour (#rrggbb), locale, pre-chat form fields.
    #[schema(value_type = Option<Object>)]
    pub settings: Option<WidgetSettings>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateChannel {
    pub name: Option<String>,
    /// Only the keys given change (greeting, colour, locale, pre_chat_form).
    #[schema(value_type = Option<Object>)]
    pub settings: Option<serde_json::Value>,
}

#[utoipa::path(get, path = "/api/v1/channels", tag = "channels", params(ListParams),
    responses((status = 200, body = ChannelPage), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_channels(
    State(state): State<AppState>,
    Auth(p): Auth,
    headers: HeaderMap,
    Params(q): Params<ListParams>,
) -> ApiResult<Json<ChannelPage>> {
    let (after, limit) = q.validate()?;
    let page = state.app.list_channels(&p, after, limit).await?;
    let base = base_url(&headers, &state);
    Ok(Json(ChannelPage {
        items: page.items.into_iter().map(|c| dto(c, &base)).collect(),
        next_cursor: page.next_after.map(|i| i.to_string()),
    }))
}

/// Add a web-widget channel (admin).
#[utoipa::path(post, path = "/api/v1/channels", tag = "channels", request_body = CreateChannel,
    responses((status = 201, body = ChannelDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_channel(
    State(state): State<AppState>,
    Auth(p): Auth,
    headers: HeaderMap,
    Body(b): Body<CreateChannel>,
) -> ApiResult<(StatusCode, Json<ChannelDto>)> {
    let ch = state
        .app
        .create_channel(&p, &b.name, b.settings.unwrap_or_default())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(dto(ch, &base_url(&headers, &state))),
    ))
}

#[utoipa::path(get, path = "/api/v1/channels/{id}", tag = "channels",
    params(("id" = i64, Path, description = "Channel id")),
    responses((status = 200, body = ChannelDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_channel(
    State(state): State<AppState>,
    Auth(p): Auth,
    headers: HeaderMap,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<ChannelDto>> {
    Ok(Json(dto(
        state.app.get_channel(&p, id).await?,
        &base_url(&headers, &state),
    )))
}

#[utoipa::path(patch, path = "/api/v1/channels/{id}", tag = "channels", request_body = UpdateChannel,
    params(("id" = i64, Path, description = "Channel id")),
    responses((status = 200, body = ChannelDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_channel(
    State(state): State<AppState>,
    Auth(p): Auth,
    headers: HeaderMap,
    Ids(id): Ids<i64>,
    Body(b): Body<UpdateChannel>,
) -> ApiResult<Json<ChannelDto>> {
    let ch = state
        .app
        .update_channel(&p, id, b.name.as_deref(), b.settings)
        .await?;
    Ok(Json(dto(ch, &base_url(&headers, &state))))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdentitySecret {
    /// Sign visitor identities with it: hex(HMAC-SHA256(secret, user_id)), on your server only.
    pub identity_secret: String,
}

/// The channel's identity secret (admin).
#[utoipa::path(get, path = "/api/v1/channels/{id}/identity-secret", tag = "channels",
    params(("id" = i64, Path, description = "Channel id")),
    responses((status = 200, body = IdentitySecret), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn identity_secret(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<IdentitySecret>> {
    Ok(Json(IdentitySecret {
        identity_secret: state.app.channel_identity_secret(&p, id).await?,
    }))
}

/// An entry point: a site, landing page, QR code or short link with its source fields.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EntryPoint)]
pub struct EntryPointDto {
    pub id: i64,
    pub channel_id: i64,
    /// Passed by the snippet (`data-entry`) or the link (`?yk_entry=`).
    pub key: String,
    pub name: String,
    pub campaign: String,
    pub ad_plan: String,
    pub business_module: String,
    pub landing_page: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<yingke_app::store::channels::EntryPoint> for EntryPointDto {
    fn from(e: yingke_app::store::channels::EntryPoint) -> Self {
        Self {
            id: e.id,
            channel_id: e.channel_id,
            key: e.key,
            name: e.name,
            campaign: e.campaign,
            ad_plan: e.ad_plan,
            business_module: e.business_module,
            landing_page: e.landing_page,
            created_at: time_of(e.created_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEntryPoint {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub campaign: String,
    #[serde(default)]
    pub ad_plan: String,
    #[serde(default)]
    pub business_module: String,
    #[serde(default)]
    pub landing_page: String,
}

impl CreateEntryPoint {
    fn validate(self) -> Result<EntryPointInput, FieldErrors> {
        let mut e = FieldErrors::new();
        if !is_key(&self.key) {
            e.add("key", "must be 1–40 of a-z, 0-9, _ and -");
        }
        e.check("name", yingke_core::TeamName::parse(&self.name));
        for (f, v, max) in [
            ("campaign", &self.campaign, 200),
            ("ad_plan", &self.ad_plan, 200),
            ("business_module", &self.business_module, 200),
            ("landing_page", &self.landing_page, 2048),
        ] {
            if v.chars().count() > max {
                e.add(f, format!("must be at most {max} characters"));
            }
        }
        e.finish()?;
        Ok(EntryPointInput {
            key: self.key,
            name: self.name.trim().to_owned(),
            campaign: self.campaign,
            ad_plan: self.ad_plan,
            business_module: self.business_module,
            landing_page: self.landing_page,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/channels/{id}/entry-points", tag = "channels",
    params(("id" = i64, Path, description = "Channel id")),
    responses((status = 200, body = Vec<EntryPointDto>), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_entry_points(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<Vec<EntryPointDto>>> {
    let eps = state.app.list_entry_points(&p, id).await?;
    Ok(Json(eps.into_iter().map(EntryPointDto::from).collect()))
}

/// Add an entry point (admin). Keys are unique within the channel.
#[utoipa::path(post, path = "/api/v1/channels/{id}/entry-points", tag = "channels", request_body = CreateEntryPoint,
    params(("id" = i64, Path, description = "Channel id")),
    responses((status = 201, body = EntryPointDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_entry_point(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<CreateEntryPoint>,
) -> ApiResult<(StatusCode, Json<EntryPointDto>)> {
    let ep = state.app.create_entry_point(&p, id, b.validate()?).await?;
    Ok((StatusCode::CREATED, Json(ep.into())))
}

#[utoipa::path(delete, path = "/api/v1/channels/{id}/entry-points/{entry_id}", tag = "channels",
    params(("id" = i64, Path, description = "Channel id"), ("entry_id" = i64, Path, description = "Entry point id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn delete_entry_point(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids((id, entry)): Ids<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state.app.delete_entry_point(&p, id, entry).await?;
    Ok(StatusCode::NO_CONTENT)
}
