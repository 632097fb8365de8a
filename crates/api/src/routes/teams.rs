//! Teams (skill groups) and membership. Changes are for admins and owners.

use axum::{Json, extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_core::{TeamId, UserId};

use crate::{
    auth::Auth,
    dto::{CreateTeam, ListParams, TeamDto, TeamMemberDto, TeamMemberPage, TeamPage, UpdateTeam},
    error::{ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_teams, create_team))
        .routes(routes!(get_team, update_team, delete_team))
        .routes(routes!(list_members))
        .routes(routes!(add_member, remove_member))
}

#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", params(ListParams),
    responses((status = 200, body = TeamPage), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_teams(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<ListParams>,
) -> ApiResult<Json<TeamPage>> {
    let (after, limit) = q.validate()?;
    Ok(Json(state.app.list_teams(&p, after, limit).await?.into()))
}

/// Create a team (admin). Names are unique in the account.
#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", request_body = CreateTeam,
    responses((status = 201, body = TeamDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_team(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(body): Body<CreateTeam>,
) -> ApiResult<(StatusCode, Json<TeamDto>)> {
    let (name, description) = body.validate()?;
    let team = state.app.create_team(&p, name, description).await?;
    Ok((StatusCode::CREATED, Json(team.into())))
}

#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "teams",
    params(("id" = i64, Path, description = "Team id")),
    responses((status = 200, body = TeamDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_team(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<TeamDto>> {
    Ok(Json(state.app.get_team(&p, TeamId(id)).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/teams/{id}", tag = "teams", request_body = UpdateTeam,
    params(("id" = i64, Path, description = "Team id")),
    responses((status = 200, body = TeamDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_team(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(body): Body<UpdateTeam>,
) -> ApiResult<Json<TeamDto>> {
    let team = state
        .app
        .update_team(&p, TeamId(id), body.validate()?)
        .await?;
    Ok(Json(team.into()))
}

#[utoipa::path(delete, path = "/api/v1/teams/{id}", tag = "teams",
    params(("id" = i64, Path, description = "Team id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn delete_team(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_team(&p, TeamId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/teams/{id}/members", tag = "teams",
    params(("id" = i64, Path, description = "Team id"), ListParams),
    responses((status = 200, body = TeamMemberPage), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_members(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Params(q): Params<ListParams>,
) -> ApiResult<Json<TeamMemberPage>> {
    let (after, limit) = q.validate()?;
    let page = state
        .app
        .list_team_members(&p, TeamId(id), after, limit)
        .await?;
    Ok(Json(page.into()))
}

/// Put a person in the team (admin); idempotent.
#[utoipa::path(put, path = "/api/v1/teams/{id}/members/{user_id}", tag = "teams",
    params(("id" = i64, Path, description = "Team id"), ("user_id" = i64, Path, description = "User id")),
    responses((status = 200, body = TeamMemberDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn add_member(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids((team, user)): Ids<(i64, i64)>,
) -> ApiResult<Json<TeamMemberDto>> {
    let member = state
        .app
        .add_team_member(&p, TeamId(team), UserId(user))
        .await?;
    Ok(Json(member.into()))
}

/// Take a person out of the team (admin).
#[utoipa::path(delete, path = "/api/v1/teams/{id}/members/{user_id}", tag = "teams",
    params(("id" = i64, Path, description = "Team id"), ("user_id" = i64, Path, description = "User id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn remove_member(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids((team, user)): Ids<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state
        .app
        .remove_team_member(&p, TeamId(team), UserId(user))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
