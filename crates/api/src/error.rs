//! `ApiError`: every failure leaves the API in one JSON envelope with a stable `code`.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;
use yingke_app::AppError;
use yingke_core::{FieldError, FieldErrors};

/// `{"error": {...}}`: the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable: `validation_failed`, `not_found`, `conflict`…
    pub code: &'static str,
    /// For people; may change between versions.
    pub message: String,
    /// Per-field problems (422), possibly empty.
    pub details: Vec<ErrorDetail>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Path of the field in the request body (`members[2].user_id`); empty for the whole body.
    pub field: String,
    pub message: String,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after_secs: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "No such object.")
    }

    pub fn validation(errors: FieldErrors) -> Self {
        Self {
            details: errors.into_vec(),
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "The request is invalid.",
            )
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthenticated => Self::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Sign in first.",
            ),
            AppError::InvalidCredentials => Self::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Wrong e-mail or password.",
            ),
            AppError::TooManyAttempts { retry_after_secs } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    format!("Too many failed attempts. Try again in {retry_after_secs} seconds."),
                )
            },
            AppError::Forbidden(why) => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                capitalise(&why.to_string()),
            ),
            AppError::Refused { field, message } => {
                Self::validation(FieldErrors::single(field, message))
            }
            AppError::NotFound => Self::not_found(),
            AppError::Conflict { field } => Self {
                details: vec![FieldError {
                    field: field.clone(),
                    message: "is already taken".into(),
                }],
                ..Self::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    format!("The {field} is already taken."),
                )
            },
            AppError::InUse { field, message } => Self {
                details: vec![FieldError {
                    field: field.clone(),
                    message: message.clone(),
                }],
                ..Self::new(StatusCode::CONFLICT, "in_use", capitalise(&message))
            },
            AppError::Validation(errors) => Self::validation(errors),
            AppError::IdentityInvalid => Self {
                details: vec![FieldError {
                    field: "identity.hmac".into(),
                    message: "does not match the user id signed with the channel's identity secret"
                        .into(),
                }],
                ..Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "identity_invalid",
                    "The identity is not signed correctly.",
                )
            },
            AppError::RateLimited => Self {
                retry_after_secs: Some(1),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "Too many requests; slow down.",
                )
            },
            AppError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side; it has been logged.",
                )
            }
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        Self::validation(e)
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + ".",
        None => String::new(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorEnvelope {
            error: ErrorBody {
                code: self.code,
                message: self.message,
                details: self
                    .details
                    .into_iter()
                    .map(|d| ErrorDetail {
                        field: d.field,
                        message: d.message,
                    })
                    .collect(),
            },
        };
        let mut res = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
