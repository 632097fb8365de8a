//! People of the account. Changes are for admins and owners (checked in the use cases).

use axum::{Json, extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_core::UserId;

use crate::{
    auth::Auth,
    dto::{CreateUser, ListParams, UpdateUser, UserDto, UserPage},
    error::{ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user, deactivate_user))
}

/// Everyone in the account, ordered by id.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(ListParams),
    responses((status = 200, body = UserPage), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_users(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<ListParams>,
) -> ApiResult<Json<UserPage>> {
    let (after, limit) = q.validate()?;
    Ok(Json(state.app.list_users(&p, after, limit).await?.into()))
}

/// Add a person (admin). Nobody grants a role above their own.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = UserDto),
              (status = 409, description = "E-mail taken", body = ErrorEnvelope),
              (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_user(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(body): Body<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserDto>)> {
    let user = state.app.create_user(&p, body.validate()?).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_user(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<UserDto>> {
    Ok(Json(state.app.get_user(&p, UserId(id)).await?.into()))
}

/// Change a person (admin): name, role, language, password, active.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UpdateUser,
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_user(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(body): Body<UpdateUser>,
) -> ApiResult<Json<UserDto>> {
    let user = state
        .app
        .update_user(&p, UserId(id), body.validate()?)
        .await?;
    Ok(Json(user.into()))
}

/// Deactivate a person (admin): they are signed out everywhere and can no longer sign in.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn deactivate_user(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.deactivate_user(&p, UserId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
