//! Operations endpoints: liveness, readiness, metrics.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = String, content_type = "text/plain")))]
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers and every migration is applied. The body also reports how far behind
/// the timer scheduler is (`scheduler_lag_ms`: now minus the oldest due timer's time).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = String, content_type = "text/plain"),
              (status = 503, description = "Not ready", body = String, content_type = "text/plain")))]
async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    if !state.app.is_ready().await {
        return (StatusCode::SERVICE_UNAVAILABLE, "not ready".into());
    }
    match state.app.scheduler_lag_ms().await {
        Ok(lag) => (StatusCode::OK, format!("ready\nscheduler_lag_ms {lag}\n")),
        Err(_) => (StatusCode::OK, "ready\n".into()),
    }
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, body = String, content_type = "text/plain; version=0.0.4")))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
