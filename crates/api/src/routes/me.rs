//! The signed-in user: profile and personal access tokens.

use axum::{Json, extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::Via;
use yingke_core::TokenId;

use crate::{
    auth::Auth,
    dto::{
        AccessTokenPage, CreateToken, ListParams, NewAccessTokenDto, SessionDto, UpdateMe, UserDto,
    },
    error::{ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_me, update_me))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// Who is signed in, their account, and the CSRF token for this session.
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    responses((status = 200, body = SessionDto), (status = 401, body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_me(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<SessionDto>> {
    let account = state.app.account_of(&p).await?;
    let csrf_token = match &p.via {
        Via::Session { csrf_token, .. } => Some(csrf_token.clone()),
        Via::Token { .. } => None,
    };
    Ok(Json(SessionDto {
        user: p.user.into(),
        account: account.into(),
        csrf_token,
    }))
}

/// Change one's own name, language or password (the latter needs the current password).
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", request_body = UpdateMe,
    responses((status = 200, body = UserDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_me(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(body): Body<UpdateMe>,
) -> ApiResult<Json<UserDto>> {
    let user = state.app.update_me(&p, body.validate()?).await?;
    Ok(Json(user.into()))
}

/// The caller's personal access tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "me", params(ListParams),
    responses((status = 200, body = AccessTokenPage), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_tokens(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<ListParams>,
) -> ApiResult<Json<AccessTokenPage>> {
    let (after, limit) = q.validate()?;
    Ok(Json(state.app.list_tokens(&p, after, limit).await?.into()))
}

/// Create a personal access token; the answer is the only time the secret is shown.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "me", request_body = CreateToken,
    responses((status = 201, body = NewAccessTokenDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_token(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(body): Body<CreateToken>,
) -> ApiResult<(StatusCode, Json<NewAccessTokenDto>)> {
    let (name, days) = body.validate()?;
    let created = state.app.create_token(&p, name, days).await?;
    let dto = NewAccessTokenDto {
        record: created.record.into(),
        token: created.token,
    };
    Ok((StatusCode::CREATED, Json(dto)))
}

/// Revoke one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "me",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn revoke_token(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.revoke_token(&p, TokenId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
