//! Signing in and out with the session cookie.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{AppendHeaders, IntoResponse},
};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::LoginInput;

use crate::{
    auth::{ClientIp, session_cookie, session_set_cookie},
    dto::{LoginRequest, SessionDto},
    error::{ApiResult, ErrorEnvelope},
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
}

/// Sign in with e-mail and password; sets the `yingke_session` cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SessionDto),
        (status = 401, description = "Wrong e-mail or password", body = ErrorEnvelope),
        (status = 422, description = "Invalid e-mail", body = ErrorEnvelope),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorEnvelope),
    ))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Body(body): Body<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let input = LoginInput {
        email: body.email,
        password: body.password,
        ip,
        user_agent,
    };
    let created = state.app.login(input).await?;
    let max_age = state.app.session_ttl_secs();
    let cookie = session_set_cookie(
        Some(&created.cookie_value),
        max_age,
        state.http.secure_cookies,
    );
    let body = SessionDto {
        user: created.user.into(),
        account: created.account.into(),
        csrf_token: Some(created.csrf_token),
    };
    Ok((
        AppendHeaders([(header::SET_COOKIE, cookie)]),
        axum::Json(body),
    ))
}

/// Sign out: ends the session and clears the cookie. Needs the CSRF token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
    ),
    security(("session" = [])))]
async fn logout(
    State(state): State<AppState>,
    crate::auth::Auth(principal): crate::auth::Auth,
    headers: HeaderMap,
) -> ApiResult<impl IntoResponse> {
    if let Some(cookie) = session_cookie(&headers) {
        state.app.logout(cookie).await?;
        tracing::info!(user.id = %principal.user.id, "signed out");
    }
    let clear = session_set_cookie(None, 0, state.http.secure_cookies);
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(header::SET_COOKIE, clear)]),
    ))
}
