//! Contacts: the profile for the context panel, search, edits, tags, merge.

use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::{
    contacts::{ContactProfile, ContactUpdate, ImportContact, ImportReport},
    store::contacts::Contact,
};

use crate::{
    auth::Auth,
    dto::{ListParams, time_of},
    error::{ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    json::Body,
    routes::conversations::TagList,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts))
        .routes(routes!(get_contact, update_contact))
        .routes(routes!(add_contact_tag, remove_contact_tag))
        .routes(routes!(merge))
        .routes(routes!(import_contacts))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Contact)]
pub struct ContactDto {
    pub id: i64,
    /// The embedding site's verified user id, when identified.
    pub external_id: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// Custom attributes (text, numbers, booleans, lists) and pre-chat form answers.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
}

impl From<&Contact> for ContactDto {
    fn from(c: &Contact) -> Self {
        Self {
            id: c.id,
            external_id: c.external_id.clone(),
            name: c.name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            attributes: c.attributes.clone(),
            created_at: time_of(c.created_at),
            last_seen_at: time_of(c.last_seen_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageViewDto {
    pub url: String,
    pub title: String,
    pub referrer: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Everything the context panel shows about a contact.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ContactProfile)]
pub struct ContactProfileDto {
    #[serde(flatten)]
    pub contact: ContactDto,
    pub tags: Vec<String>,
    /// The newest first.
    pub page_views: Vec<PageViewDto>,
    pub conversation_count: i64,
    /// More than one conversation so far.
    pub returning: bool,
    /// Set when this contact was merged into another.
    pub merged_into_id: Option<i64>,
}

impl From<ContactProfile> for ContactProfileDto {
    fn from(p: ContactProfile) -> Self {
        Self {
            contact: (&p.contact).into(),
            tags: p.tags,
            page_views: p
                .page_views
                .into_iter()
                .map(|v| PageViewDto {
                    url: v.url,
                    title: v.title,
                    referrer: v.referrer,
                    at: time_of(v.at),
                })
                .collect(),
            conversation_count: p.conversation_count,
            returning: p.returning,
            merged_into_id: p.contact.merged_into_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactQuery {
    /// Matches name, e-mail, phone or external id.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPage {
    pub items: Vec<ContactDto>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ContactQuery),
    responses((status = 200, body = ContactPage), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_contacts(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<ContactQuery>,
) -> ApiResult<Json<ContactPage>> {
    let (after, limit) = ListParams {
        cursor: q.cursor,
        limit: q.limit,
    }
    .validate()?;
    let page = state
        .app
        .search_contacts(&p, q.q.as_deref(), after, limit)
        .await?;
    Ok(Json(ContactPage {
        items: page.items.iter().map(ContactDto::from).collect(),
        next_cursor: page.next_after.map(|i| i.to_string()),
    }))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 200, body = ContactProfileDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_contact(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<ContactProfileDto>> {
    Ok(Json(state.app.contact_profile(&p, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Merged into the existing attributes; a `null` value removes a key.
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<serde_json::Value>,
}

#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", request_body = UpdateContact,
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 200, body = ContactProfileDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_contact(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<UpdateContact>,
) -> ApiResult<Json<ContactProfileDto>> {
    let input = ContactUpdate {
        name: b.name,
        email: b.email,
        phone: b.phone,
        attributes: b.attributes,
    };
    Ok(Json(state.app.update_contact(&p, id, input).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/contacts/{id}/tags/{tag}", tag = "contacts",
    params(("id" = i64, Path, description = "Contact id"), ("tag" = String, Path, description = "Tag")),
    responses((status = 200, body = TagList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn add_contact_tag(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids((id, tag)): Ids<(i64, String)>,
) -> ApiResult<Json<TagList>> {
    Ok(Json(TagList {
        tags: state.app.tag_contact(&p, id, &tag, true).await?,
    }))
}

#[utoipa::path(delete, path = "/api/v1/contacts/{id}/tags/{tag}", tag = "contacts",
    params(("id" = i64, Path, description = "Contact id"), ("tag" = String, Path, description = "Tag")),
    responses((status = 200, body = TagList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn remove_contact_tag(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids((id, tag)): Ids<(i64, String)>,
) -> ApiResult<Json<TagList>> {
    Ok(Json(TagList {
        tags: state.app.tag_contact(&p, id, &tag, false).await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeContact {
    /// The duplicate whose history moves into this contact.
    pub from_id: i64,
}

/// Merge another contact into this one: conversations, page views and tags move (supervisor).
#[utoipa::path(post, path = "/api/v1/contacts/{id}/merge", tag = "contacts", request_body = MergeContact,
    params(("id" = i64, Path, description = "The contact that stays")),
    responses((status = 200, body = ContactProfileDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn merge(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<MergeContact>,
) -> ApiResult<Json<ContactProfileDto>> {
    Ok(Json(
        state.app.merge_contacts(&p, b.from_id, id).await?.into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportItem {
    /// The CRM's id for the contact: an existing contact with it is updated, otherwise created.
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Merged into the existing attributes; a `null` value removes a key.
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<serde_json::Value>,
    /// Added to the contact's tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The contact's owner (the agent "contact owner" rules give to-dos to).
    pub owner_id: Option<i64>,
    /// When the attributes changed in the CRM, in milliseconds since the epoch (not in the
    /// future); now if absent. Rules such as "order status unchanged for 48 hours" read it.
    pub changed_at: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportContacts {
    /// 1 to 1000 contacts.
    pub contacts: Vec<ImportItem>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ContactImportReport)]
pub struct ImportReportDto {
    pub created: u32,
    pub updated: u32,
    /// The contacts' ids, in the order given.
    pub ids: Vec<i64>,
}

impl From<ImportReport> for ImportReportDto {
    fn from(r: ImportReport) -> Self {
        Self {
            created: r.created,
            updated: r.updated,
            ids: r.ids,
        }
    }
}

/// Create or update up to 1000 contacts by external id in one transaction (a CRM sync):
/// profile, custom attributes with the time they changed, tags, owner. Any invalid item
/// (`contacts[3].email`) refuses the whole import. Admins.
#[utoipa::path(post, path = "/api/v1/contacts/import", tag = "contacts", request_body = ImportContacts,
    responses((status = 200, body = ImportReportDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn import_contacts(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<ImportContacts>,
) -> ApiResult<Json<ImportReportDto>> {
    let items = b
        .contacts
        .into_iter()
        .map(|c| ImportContact {
            external_id: c.external_id,
            profile: ContactUpdate {
                name: c.name,
                email: c.email,
                phone: c.phone,
                attributes: c.attributes,
            },
            tags: c.tags,
            owner_id: c.owner_id,
            changed_at: c.changed_at,
        })
        .collect();
    Ok(Json(state.app.import_contacts(&p, items).await?.into()))
}
