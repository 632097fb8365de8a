//! Typed custom attributes of contacts: their definitions.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::{attributes::NewAttribute, store::attributes::AttributeDefinition};

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
        .routes(routes!(list_attributes, create_attribute))
        .routes(routes!(update_attribute, delete_attribute))
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeKind {
    Text,
    Number,
    /// `YYYY-MM-DD`.
    Date,
    Boolean,
    /// One of `options` (or a list of them).
    List,
}

impl AttributeKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Boolean => "boolean",
            Self::List => "list",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "number" => Self::Number,
            "date" => Self::Date,
            "boolean" => Self::Boolean,
            "list" => Self::List,
            _ => Self::Text,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ContactAttribute)]
pub struct AttributeDto {
    pub id: i64,
    /// The key under a contact's `attributes` (and `contact.custom.<key>` in rules).
    pub key: String,
    pub label: String,
    pub kind: AttributeKind,
    pub options: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<AttributeDefinition> for AttributeDto {
    fn from(d: AttributeDefinition) -> Self {
        Self {
            id: d.id,
            key: d.key,
            label: d.label,
            kind: AttributeKind::parse(&d.kind),
            options: d
                .options
                .0
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|o| o.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            updated_at: time_of(d.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttributeList {
    pub items: Vec<AttributeDto>,
}

/// The account's attribute definitions, by key.
#[utoipa::path(get, path = "/api/v1/contact-attributes", tag = "contacts",
    responses((status = 200, body = AttributeList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_attributes(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<AttributeList>> {
    let items = state.app.list_attribute_definitions(&p).await?;
    Ok(Json(AttributeList {
        items: items.into_iter().map(AttributeDto::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAttribute {
    /// 1–40 of a-z, 0-9, `_` and `-`.
    pub key: String,
    pub label: String,
    pub kind: AttributeKind,
    /// The choices of a `list` attribute.
    #[serde(default)]
    pub options: Vec<String>,
}

/// Define a typed attribute (admin). Values set on contacts are checked against it from now on.
#[utoipa::path(post, path = "/api/v1/contact-attributes", tag = "contacts", request_body = CreateAttribute,
    responses((status = 201, body = AttributeDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_attribute(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<CreateAttribute>,
) -> ApiResult<(StatusCode, Json<AttributeDto>)> {
    let d = state
        .app
        .create_attribute_definition(
            &p,
            NewAttribute {
                key: b.key,
                label: b.label,
                kind: b.kind.as_str().to_owned(),
                options: b.options,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAttribute {
    pub label: Option<String>,
    pub options: Option<Vec<String>>,
}

/// Change an attribute's label or choices (admin); key and type stay.
#[utoipa::path(patch, path = "/api/v1/contact-attributes/{id}", tag = "contacts", request_body = UpdateAttribute,
    params(("id" = i64, Path, description = "Attribute definition id")),
    responses((status = 200, body = AttributeDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_attribute(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<UpdateAttribute>,
) -> ApiResult<Json<AttributeDto>> {
    let d = state
        .app
        .update_attribute_definition(&p, id, b.label, b.options)
        .await?;
    Ok(Json(d.into()))
}

/// Remove a definition (admin); values already set stay, untyped.
#[utoipa::path(delete, path = "/api/v1/contact-attributes/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "Attribute definition id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn delete_attribute(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_attribute_definition(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
