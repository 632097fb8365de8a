//! The scheduler's admin side: pending and dead timers, re-running a dead one, and probe timers
//! (the scheduler's health check and the benchmark's instrument).

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::{
    store::timers::{ProbeFiring, Timer},
    timers::ProbeInput,
};

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
        .routes(routes!(list_timers))
        .routes(routes!(rerun_timer))
        .routes(routes!(schedule_probes))
        .routes(routes!(probe_firings))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Timer)]
pub struct TimerDto {
    pub id: i64,
    /// What fires: `sla`, `sla_thresholds`, `probe`, …
    pub kind: String,
    /// Scheduling, moving and cancelling go by this key.
    pub dedupe_key: String,
    /// The handler's input (JSON).
    pub payload: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub run_at: OffsetDateTime,
    /// `pending` or `dead`.
    pub status: String,
    /// Failed attempts so far.
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Timer> for TimerDto {
    fn from(t: Timer) -> Self {
        Self {
            id: t.id,
            kind: t.kind,
            dedupe_key: t.dedupe_key,
            payload: serde_json::from_str(&t.payload).unwrap_or(serde_json::Value::Null),
            run_at: time_of(t.run_at),
            status: t.status,
            attempts: t.attempts,
            max_attempts: t.max_attempts,
            last_error: t.last_error,
            updated_at: time_of(t.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimerQuery {
    /// `dead` (default) or `pending`.
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Continue below this id (the previous page's `next_before`).
    pub before: Option<i64>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimerList {
    pub items: Vec<TimerDto>,
    pub next_before: Option<i64>,
}

/// The account's dead (or pending) timers, newest first (admin).
#[utoipa::path(get, path = "/api/v1/timers", tag = "operations", params(TimerQuery),
    responses((status = 200, body = TimerList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_timers(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<TimerQuery>,
) -> ApiResult<Json<TimerList>> {
    let page = state
        .app
        .list_timers(
            &p,
            q.status.as_deref().unwrap_or("dead"),
            q.kind.as_deref(),
            q.before,
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(TimerList {
        items: page.items.into_iter().map(TimerDto::from).collect(),
        next_before: page.next_after,
    }))
}

/// Re-run a dead timer now, attempts reset (admin).
#[utoipa::path(post, path = "/api/v1/timers/{id}/rerun", tag = "operations",
    params(("id" = i64, Path, description = "Timer id")),
    responses((status = 200, body = TimerDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn rerun_timer(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<TimerDto>> {
    Ok(Json(state.app.rerun_timer(&p, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeDto {
    /// Unique per account; scheduling the same key again moves it.
    pub key: String,
    /// When it should fire, epoch milliseconds.
    pub due_at: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleProbes {
    /// 1–5000 probes.
    pub probes: Vec<ProbeDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProbesScheduled {
    pub scheduled: usize,
}

/// Schedule probe timers (owner): each records when it fired, to measure the scheduler.
#[utoipa::path(post, path = "/api/v1/ops/probe-timers", tag = "operations", request_body = ScheduleProbes,
    responses((status = 202, body = ProbesScheduled), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn schedule_probes(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<ScheduleProbes>,
) -> ApiResult<(StatusCode, Json<ProbesScheduled>)> {
    let probes: Vec<ProbeInput> = b
        .probes
        .into_iter()
        .map(|p| ProbeInput {
            key: p.key,
            due_at: p.due_at,
        })
        .collect();
    let scheduled = state.app.schedule_probes(&p, &probes).await?;
    Ok((StatusCode::ACCEPTED, Json(ProbesScheduled { scheduled })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FiringQuery {
    /// Firings after this id (the previous page's `next_after`; 0 from the start).
    pub after: Option<i64>,
    /// Page size, 1–10000 (default 1000).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProbeFiringDto {
    pub id: i64,
    pub key: String,
    /// Epoch milliseconds.
    pub due_at: i64,
    /// Epoch milliseconds.
    pub fired_at: i64,
}

impl From<ProbeFiring> for ProbeFiringDto {
    fn from(f: ProbeFiring) -> Self {
        Self {
            id: f.id,
            key: f.probe_key,
            due_at: f.due_at,
            fired_at: f.fired_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProbeFiringList {
    pub items: Vec<ProbeFiringDto>,
    pub next_after: Option<i64>,
}

/// Probe firings in order (owner).
#[utoipa::path(get, path = "/api/v1/ops/probe-timers/firings", tag = "operations", params(FiringQuery),
    responses((status = 200, body = ProbeFiringList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn probe_firings(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<FiringQuery>,
) -> ApiResult<Json<ProbeFiringList>> {
    let page = state
        .app
        .probe_firings(&p, q.after.unwrap_or(0), q.limit.unwrap_or(1000))
        .await?;
    Ok(Json(ProbeFiringList {
        items: page.items.into_iter().map(ProbeFiringDto::from).collect(),
        next_after: page.next_after,
    }))
}
