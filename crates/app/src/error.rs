//! What a use case can answer besides success.

use thiserror::Error;
use yingke_core::{AccessDenied, FieldErrors};

#[derive(Debug, Error)]
pub enum AppError {
    /// No valid credential was presented.
    #[error("sign-in required")]
    Unauthenticated,
    /// E-mail or password wrong (deliberately not saying which).
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("forbidden: {0}")]
    Forbidden(#[from] AccessDenied),
    /// A rule of the domain refused the change (not a role problem): e.g. removing the last owner.
    #[error("{message}")]
    Refused { field: String, message: String },
    /// Not found in the caller's account (other accounts' objects look the same).
    #[error("not found")]
    NotFound,
    /// The object is still referenced (a team that routing rules point at).
    #[error("{message}")]
    InUse { field: String, message: String },
    #[error("{field} is already taken")]
    Conflict { field: String },
    #[error("invalid input")]
    Validation(FieldErrors),
    /// An identity asserted by an embedding site did not carry a valid HMAC.
    #[error("the identity's HMAC does not match")]
    IdentityInvalid,
    /// Too many requests of one kind (a visitor's message flood).
    #[error("slow down")]
    RateLimited,
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<yingke_store::Error> for AppError {
    fn from(e: yingke_store::Error) -> Self {
        match e {
            yingke_store::Error::NotFound => AppError::NotFound,
            yingke_store::Error::Conflict { field } => AppError::Conflict {
                // `users.email` → `email`: the API names request fields, not columns.
                field: field.rsplit('.').next().unwrap_or(&field).to_owned(),
            },
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Validation(e)
    }
}
