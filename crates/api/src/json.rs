//! `Body<T>`: a strict JSON body extractor. Malformed JSON is a 400 naming the problem; a body of
//! the wrong shape (missing field, wrong type, unknown field) is a 422 naming the field's path;
//! a body over the limit is a 413; a body not sent as JSON is a 415.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{StatusCode, header},
};
use serde::de::DeserializeOwned;
use yingke_core::FieldErrors;

use crate::error::ApiError;

pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim();
                m.eq_ignore_ascii_case("application/json")
                    || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with Content-Type: application/json.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "The request body is larger than the server accepts.",
                )
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    rejection.body_text(),
                )
            }
        })?;
        parse(&bytes).map(Body)
    }
}

/// Deserialises `bytes`, classifying failures as described on [`Body`].
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                // serde names the outer object "."; a missing field is reported on the object
                // that lacks it, so append the field (an unknown one is already in the path).
                let message = inner.to_string();
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_owned();
                let field = missing_field(&message)
                    .map(|f| join_path(&path, f))
                    .unwrap_or_else(|| if path == "." { String::new() } else { path });
                ApiError::validation(FieldErrors::single(field, message))
            }
            _ => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("The body is not valid JSON: {inner}."),
            ),
        }
    })
}

/// The field a "missing field `x`" message is about.
fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

fn join_path(path: &str, field: &str) -> String {
    if path == "." || path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        user_id: i64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        members: Vec<Inner>,
    }

    fn err(body: &str) -> ApiError {
        parse::<Outer>(body.as_bytes()).expect_err("should be refused")
    }

    #[test]
    fn syntax_errors_are_400_malformed_json() {
        let e = err("{\"name\": ");
        assert_eq!(
            (e.status, e.code),
            (StatusCode::BAD_REQUEST, "malformed_json")
        );
    }

    #[test]
    fn wrong_types_name_the_nested_path() {
        let e = err(r#"{"name":"a","members":[{"user_id":1},{"user_id":"x"}]}"#);
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.details[0].field, "members[1].user_id");
    }

    #[test]
    fn missing_fields_name_the_field() {
        let e = err(r#"{"members":[]}"#);
        assert_eq!(e.details[0].field, "name");
        let e = err(r#"{"name":"a","members":[{}]}"#);
        assert_eq!(e.details[0].field, "members[0].user_id");
    }

    #[test]
    fn unknown_fields_are_refused_by_name() {
        let e = err(r#"{"name":"a","members":[],"admin":true}"#);
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.details[0].field, "admin");
        assert!(e.details[0].message.contains("unknown field `admin`"));
    }
}
