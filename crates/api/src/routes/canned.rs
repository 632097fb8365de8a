//! Canned responses: prepared replies with `{{ variables }}`, and rendering one for a conversation.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::store::canned::CannedResponse;

use crate::{
    auth::Auth,
    dto::time_of,
    error::{ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_canned, create_canned))
        .routes(routes!(update_canned, delete_canned))
        .routes(routes!(render_canned))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CannedResponse)]
pub struct CannedDto {
    pub id: i64,
    /// Typed after `/` in the composer.
    pub short_code: String,
    /// Text with variables: contact.name, contact.email, contact.phone, agent.name,
    /// conversation.number, account.name, channel.name.
    pub content: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<CannedResponse> for CannedDto {
    fn from(c: CannedResponse) -> Self {
        Self {
            id: c.id,
            short_code: c.short_code,
            content: c.content,
            updated_at: time_of(c.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CannedQuery {
    /// Short codes starting with this.
    pub prefix: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CannedList {
    pub items: Vec<CannedDto>,
}

#[utoipa::path(get, path = "/api/v1/canned-responses", tag = "conversations", params(CannedQuery),
    responses((status = 200, body = CannedList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_canned(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<CannedQuery>,
) -> ApiResult<Json<CannedList>> {
    let items = state
        .app
        .list_canned(&p, q.prefix.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(CannedList {
        items: items.into_iter().map(CannedDto::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCanned {
    pub short_code: String,
    pub content: String,
}

/// Add a canned response (supervisor). Unknown variables are refused.
#[utoipa::path(post, path = "/api/v1/canned-responses", tag = "conversations", request_body = CreateCanned,
    responses((status = 201, body = CannedDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_canned(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<CreateCanned>,
) -> ApiResult<(StatusCode, Json<CannedDto>)> {
    let c = state
        .app
        .create_canned(&p, &b.short_code, &b.content)
        .await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCanned {
    pub short_code: Option<String>,
    pub content: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/canned-responses/{id}", tag = "conversations", request_body = UpdateCanned,
    params(("id" = i64, Path, description = "Canned response id")),
    responses((status = 200, body = CannedDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_canned(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<UpdateCanned>,
) -> ApiResult<Json<CannedDto>> {
    let c = state
        .app
        .update_canned(&p, id, b.short_code.as_deref(), b.content.as_deref())
        .await?;
    Ok(Json(c.into()))
}

#[utoipa::path(delete, path = "/api/v1/canned-responses/{id}", tag = "conversations",
    params(("id" = i64, Path, description = "Canned response id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn delete_canned(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_canned(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RenderedCanned {
    pub text: String,
}

/// A canned response with its variables filled in for this conversation.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/canned-responses/{canned_id}/render", tag = "conversations",
    params(("id" = i64, Path, description = "Conversation id"), ("canned_id" = i64, Path, description = "Canned response id")),
    responses((status = 200, body = RenderedCanned), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn render_canned(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids((id, canned)): Ids<(i64, i64)>,
) -> ApiResult<Json<RenderedCanned>> {
    Ok(Json(RenderedCanned {
        text: state.app.render_canned(&p, id, canned).await?,
    }))
}
