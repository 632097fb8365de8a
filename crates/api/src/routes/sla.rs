//! Business calendars, SLA policies, and the thresholds learned from history (with the data
//! behind each).

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::store::sla::{CalendarRow, PolicyRow, Threshold};
use yingke_core::{CalendarSpec, sla::PolicySpec, sla::ThresholdSettings};

use crate::{
    auth::Auth,
    dto::time_of,
    error::{ApiResult, ErrorEnvelope},
    extract::Ids,
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_calendars, create_calendar))
        .routes(routes!(get_calendar, update_calendar, delete_calendar))
        .routes(routes!(import_holidays))
        .routes(routes!(list_policies, create_policy))
        .routes(routes!(update_policy, delete_policy))
        .routes(routes!(get_threshold_settings, put_threshold_settings))
        .routes(routes!(list_thresholds))
        .routes(routes!(refresh_thresholds))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = BusinessCalendar)]
pub struct CalendarDto {
    pub id: i64,
    pub name: String,
    /// timezone (IANA), weekly (Monday … Sunday lists of {start_min, end_min}), holidays,
    /// extra_workdays (调休), workday_hours.
    #[schema(value_type = Object)]
    pub spec: Value,
    /// SLA policies without a calendar count on the default one.
    pub is_default: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<CalendarRow> for CalendarDto {
    fn from(c: CalendarRow) -> Self {
        Self {
            id: c.id,
            name: c.name,
            spec: c.spec.0,
            is_default: c.is_default,
            updated_at: time_of(c.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarList {
    pub items: Vec<CalendarDto>,
}

#[utoipa::path(get, path = "/api/v1/calendars", tag = "sla",
    responses((status = 200, body = CalendarList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_calendars(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<CalendarList>> {
    let items = state.app.list_calendars(&p).await?;
    Ok(Json(CalendarList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/calendars/{id}", tag = "sla",
    params(("id" = i64, Path, description = "Calendar id")),
    responses((status = 200, body = CalendarDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_calendar(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<CalendarDto>> {
    Ok(Json(state.app.get_calendar(&p, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveCalendar {
    pub name: String,
    #[schema(value_type = Object)]
    pub spec: CalendarSpec,
    #[serde(default)]
    pub is_default: bool,
}

/// Add a calendar (admin). Overlapping hours or an unknown time zone: 422 under `spec.…`.
#[utoipa::path(post, path = "/api/v1/calendars", tag = "sla", request_body = SaveCalendar,
    responses((status = 201, body = CalendarDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_calendar(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<SaveCalendar>,
) -> ApiResult<(StatusCode, Json<CalendarDto>)> {
    let c = state
        .app
        .save_calendar(&p, None, &b.name, &b.spec, b.is_default)
        .await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Replace a calendar (admin).
#[utoipa::path(put, path = "/api/v1/calendars/{id}", tag = "sla", request_body = SaveCalendar,
    params(("id" = i64, Path, description = "Calendar id")),
    responses((status = 200, body = CalendarDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_calendar(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<SaveCalendar>,
) -> ApiResult<Json<CalendarDto>> {
    let c = state
        .app
        .save_calendar(&p, Some(id), &b.name, &b.spec, b.is_default)
        .await?;
    Ok(Json(c.into()))
}

/// Delete a calendar no SLA policy counts on (admin).
#[utoipa::path(delete, path = "/api/v1/calendars/{id}", tag = "sla",
    params(("id" = i64, Path, description = "Calendar id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn delete_calendar(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_calendar(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportHolidays {
    /// Days off (`YYYY-MM-DD`), e.g. the State Council's list for a year.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// Adjusted working days (调休) on weekends.
    #[serde(default)]
    pub extra_workdays: Vec<String>,
}

/// Import a year of holidays and adjusted working days into a calendar (admin).
#[utoipa::path(post, path = "/api/v1/calendars/{id}/holidays", tag = "sla", request_body = ImportHolidays,
    params(("id" = i64, Path, description = "Calendar id")),
    responses((status = 200, body = CalendarDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn import_holidays(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<ImportHolidays>,
) -> ApiResult<Json<CalendarDto>> {
    let c = state
        .app
        .import_holidays(&p, id, &b.holidays, &b.extra_workdays)
        .await?;
    Ok(Json(c.into()))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SlaPolicy)]
pub struct PolicyDto {
    pub id: i64,
    /// Policies are tried in this order; the first match applies.
    pub position: i32,
    pub enabled: bool,
    /// name, conditions, calendar_id, targets per priority (first_response_minutes,
    /// next_response_minutes, resolution_minutes), warn_fraction, dynamic_warning, escalations.
    #[schema(value_type = Object)]
    pub spec: Value,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<PolicyRow> for PolicyDto {
    fn from(r: PolicyRow) -> Self {
        Self {
            id: r.id,
            position: r.position,
            enabled: r.enabled,
            spec: r.spec.0,
            updated_at: time_of(r.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyList {
    pub items: Vec<PolicyDto>,
}

#[utoipa::path(get, path = "/api/v1/sla/policies", tag = "sla",
    responses((status = 200, body = PolicyList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_policies(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<PolicyList>> {
    let items = state.app.list_sla_policies(&p).await?;
    Ok(Json(PolicyList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavePolicy {
    #[schema(value_type = Object)]
    pub spec: PolicySpec,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Where it goes in the order (default: last).
    pub position: Option<i32>,
}

fn yes() -> bool {
    true
}

/// Add an SLA policy (admin). A zero or negative target is a 422 naming it.
#[utoipa::path(post, path = "/api/v1/sla/policies", tag = "sla", request_body = SavePolicy,
    responses((status = 201, body = PolicyDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_policy(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<SavePolicy>,
) -> ApiResult<(StatusCode, Json<PolicyDto>)> {
    let r = state
        .app
        .save_sla_policy(&p, None, &b.spec, b.enabled, b.position)
        .await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Replace an SLA policy (admin).
#[utoipa::path(put, path = "/api/v1/sla/policies/{id}", tag = "sla", request_body = SavePolicy,
    params(("id" = i64, Path, description = "Policy id")),
    responses((status = 200, body = PolicyDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_policy(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<SavePolicy>,
) -> ApiResult<Json<PolicyDto>> {
    let r = state
        .app
        .save_sla_policy(&p, Some(id), &b.spec, b.enabled, b.position)
        .await?;
    Ok(Json(r.into()))
}

#[utoipa::path(delete, path = "/api/v1/sla/policies/{id}", tag = "sla",
    params(("id" = i64, Path, description = "Policy id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn delete_policy(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_sla_policy(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How thresholds are learned: window_days, min_samples, p90_fraction, seasonal_last_year, peaks.
#[utoipa::path(get, path = "/api/v1/sla/threshold-settings", tag = "sla",
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_threshold_settings(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<ThresholdSettings>> {
    Ok(Json(state.app.threshold_settings(p.scope()).await?))
}

/// Change how thresholds are learned, declare peak periods (admin).
#[utoipa::path(put, path = "/api/v1/sla/threshold-settings", tag = "sla", request_body = Object,
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn put_threshold_settings(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(s): Body<ThresholdSettings>,
) -> ApiResult<Json<ThresholdSettings>> {
    Ok(Json(state.app.set_threshold_settings(&p, s).await?))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SlaThreshold)]
pub struct ThresholdDto {
    /// '' for tickets without a category.
    pub category_key: String,
    pub priority: String,
    pub window_days: i32,
    /// Resolved tickets in the window.
    pub sample_count: i64,
    pub p50_ms: Option<i64>,
    pub p90_ms: Option<i64>,
    pub seasonal_factor: f64,
    /// The learned warning (business ms); none below the minimum sample.
    pub warn_ms: Option<i64>,
    /// history, peak, or too_few_samples.
    pub basis: String,
    #[serde(with = "time::serde::rfc3339")]
    pub computed_at: OffsetDateTime,
}

impl From<Threshold> for ThresholdDto {
    fn from(t: Threshold) -> Self {
        Self {
            category_key: t.category_key,
            priority: t.priority,
            window_days: t.window_days,
            sample_count: t.sample_count,
            p50_ms: t.p50_ms,
            p90_ms: t.p90_ms,
            seasonal_factor: t.seasonal_factor,
            warn_ms: t.warn_ms,
            basis: t.basis,
            computed_at: time_of(t.computed_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThresholdList {
    pub items: Vec<ThresholdDto>,
}

/// The learned thresholds and the data behind each.
#[utoipa::path(get, path = "/api/v1/sla/thresholds", tag = "sla",
    responses((status = 200, body = ThresholdList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_thresholds(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<ThresholdList>> {
    let items = state.app.sla_thresholds(&p).await?;
    Ok(Json(ThresholdList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Recompute the thresholds now (admin; a timer does it daily).
#[utoipa::path(post, path = "/api/v1/sla/thresholds/refresh", tag = "sla",
    responses((status = 200, body = ThresholdList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn refresh_thresholds(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<ThresholdList>> {
    let items = state.app.refresh_sla_thresholds(&p).await?;
    Ok(Json(ThresholdList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}
