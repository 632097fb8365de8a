//! Yingke's HTTP API: axum routers per resource, the extractors (authentication, account scope,
//! strict JSON), the one error envelope, and the OpenAPI 3.1 document generated from the handlers.
//!
//! Handlers are short: extract, call one use case, map the result. No SQL and no business rules
//! here. Every `/api/v1` route is registered through `utoipa_axum`, so a route cannot exist
//! without being documented.

pub mod auth;
pub mod dto;
pub mod error;
mod extract;
pub mod json;
mod metrics;
mod routes;
mod state;

use axum::{
    Router,
    extract::{DefaultBodyLimit, MatchedPath, Request},
    http::{HeaderName, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

pub use error::{ApiError, ErrorEnvelope};
pub use metrics::metrics_handle;
pub use state::{AppState, HttpSettings};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Yingke API",
        description = "Yingke (迎客) customer-service platform. Conventions: docs/api-design.md.",
        license(name = "AGPL-3.0-or-later"),
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "me", description = "The signed-in user and their access tokens"),
        (name = "users", description = "People of the account"),
        (name = "teams", description = "Teams (skill groups) and membership"),
        (name = "channels", description = "Channels and entry points"),
        (name = "contacts", description = "Contacts: profile, trail, tags, merge"),
        (name = "conversations", description = "Conversations, messages, transfer; the agent socket"),
        (name = "routing", description = "Routing rules, agents' state, queues, decisions and their traces"),
        (name = "tickets", description = "Tickets: workflow, timeline, markers, categories with custom fields"),
        (name = "sla", description = "Business calendars, SLA policies, learned thresholds"),
        (name = "notifications", description = "Customer and agent notifications: policy, channels, rules, templates, deliveries"),
        (name = "todos", description = "Side to-dos: lists, context, templates, settings, shift schedules"),
        (name = "automation", description = "Automation rules: triggers, conditions, actions, analytics, scans, buttons"),
        (name = "widget", description = "The visitor's side: sessions, messages, the visitor socket"),
        (name = "operations", description = "Health, readiness, metrics, the scheduler's timers"),
        (name = "audit", description = "The audit trail of administration"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                auth::SESSION_COOKIE,
                "Session cookie from /api/v1/auth/login. Changes also need the X-CSRF-Token header.",
            ))),
        );
        components.add_security_scheme(
            "visitor",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Visitor <visitor_token>` from POST /api/v1/widget/{channel_key}/sessions",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Personal access token from /api/v1/me/tokens"))
                    .build(),
            ),
        );
    }
}

/// OpenAPI 3.1 requires a description on every response; the handlers name only the unusual ones,
/// so the common ones are filled in from the status here.
struct ResponseDescriptions;

impl Modify for ResponseDescriptions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ];
            for op in ops.into_iter().flatten() {
                for (status, response) in op.responses.responses.iter_mut() {
                    if let utoipa::openapi::RefOr::T(r) = response
                        && r.description.is_empty()
                    {
                        r.description = describe(status).into();
                    }
                }
            }
        }
    }
}

fn describe(status: &str) -> &'static str {
    match status {
        "101" => "Switching to the WebSocket protocol",
        "200" => "OK",
        "201" => "Created",
        "204" => "Done; no content",
        "400" => "Malformed request",
        "401" => "Not signed in",
        "403" => "Not allowed (role or CSRF token)",
        "404" => "Not found in your account",
        "409" => "Conflicts with an existing object",
        "413" => "Body too large",
        "422" => "Invalid fields (see details)",
        "429" => "Too many requests (see Retry-After)",
        "4XX" => "Client error, in the error envelope",
        _ => "See the error envelope",
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::auth::router())
        .merge(routes::me::router())
        .merge(routes::users::router())
        .merge(routes::teams::router())
        .merge(routes::channels::router())
        .merge(routes::contacts::router())
        .merge(routes::attributes::router())
        .merge(routes::conversations::router())
        .merge(routes::widget::router())
        .merge(routes::files::router())
        .merge(routes::canned::router())
        .merge(routes::routing::router())
        .merge(routes::tickets::router())
        .merge(routes::sla::router())
        .merge(routes::notify::router())
        .merge(routes::timers::router())
        .merge(routes::todos::router())
        .merge(routes::ops::router())
        .merge(routes::audit::router())
}

/// The routes and the finished document (modifiers that need every path run after the merge).
fn documented_api() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = api_router().split_for_parts();
    ResponseDescriptions.modify(&mut doc);
    (router, doc)
}

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    documented_api().1
}

/// The whole HTTP service. `web` answers every path that is not the API's (the embedded UI).
pub fn router(state: AppState, web: Router) -> Router {
    let body_limit = state.http.body_limit;
    let (api, doc) = documented_api();
    let state_for_public = state.clone();
    let api = api
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This path does not accept that method.",
            )
        })
        .with_state(state);
    let app = Router::new()
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .merge(api)
        .merge(routes::notify::public_router().with_state(state_for_public))
        .nest(
            "/api",
            Router::new().fallback(|| async { ApiError::not_found() }),
        )
        .fallback_service(web);

    let http_trace = TraceLayer::new_for_http().make_span_with(|req: &Request| {
        let request_id = req
            .headers()
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id)
    });
    app.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(http_trace)
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(CatchPanicLayer::custom(|_| {
                tracing::error!("handler panicked");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side; it has been logged.",
                )
                .into_response()
            }))
            .layer(middleware::from_fn(record_metrics))
            .layer(middleware::from_fn(widget_cors))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(DefaultBodyLimit::max(body_limit)),
    )
}

/// The widget's REST calls come from the embedding site's pages: any origin may call them (they
/// carry a visitor token, never cookies). Every other route stays same-origin.
async fn widget_cors(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/v1/widget/") {
        return next.run(req).await;
    }
    let mut res = if req.method() == axum::http::Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let h = res.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    res
}

async fn record_metrics(req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let res = next.run(req).await;
    metrics::record_request(&method, &route, res.status().as_u16(), started.elapsed());
    res
}

/// Serves `router` on an already-bound listener until `shutdown` resolves, then lets in-flight
/// requests finish. Taking a listener lets tests bind port 0 and the binary print the address.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
