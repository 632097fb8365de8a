//! Uploading attachments (visitors and agents) and serving them through signed URLs.

use axum::{
    Json,
    extract::{DefaultBodyLimit, Multipart, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::attachments::{MAX_BYTES, Uploader};
use yingke_core::FieldErrors;

use crate::{
    auth::Auth,
    error::{ApiError, ApiResult, ErrorEnvelope},
    extract::{Ids, Params},
    routes::widget::Visitor,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(visitor_upload))
        .routes(routes!(agent_upload))
        .layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024))
        .routes(routes!(download))
}

/// An uploaded file, to send as `attachment_id`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Attachment)]
pub struct AttachmentDto {
    pub id: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    /// A signed URL that works without credentials (for `<img src>`).
    pub url: String,
}

/// The multipart form: one `file` field.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

async fn read_file(mut form: Multipart) -> Result<(String, String, Vec<u8>), ApiError> {
    let bad = |m: String| ApiError::from(FieldErrors::single("file", m));
    while let Some(field) = form.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The file is larger than 10 MB.",
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text())
        }
    })? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("file").to_owned();
        let mime = field.content_type().unwrap_or("").to_owned();
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "The file is larger than 10 MB.",
                )
            } else {
                bad(e.body_text())
            }
        })?;
        return Ok((name, mime, bytes.to_vec()));
    }
    Err(bad("is required (a multipart field named file)".into()))
}

fn to_dto(v: serde_json::Value) -> AttachmentDto {
    AttachmentDto {
        id: v["id"].as_i64().unwrap_or_default(),
        name: v["name"].as_str().unwrap_or_default().to_owned(),
        mime: v["mime"].as_str().unwrap_or_default().to_owned(),
        size: v["size"].as_i64().unwrap_or_default(),
        url: v["url"].as_str().unwrap_or_default().to_owned(),
    }
}

/// A visitor uploads an image or file (≤ 10 MB; the content must match the declared type).
#[utoipa::path(post, path = "/api/v1/widget/attachments", tag = "widget",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentDto), (status = "4XX", body = ErrorEnvelope)),
    security(("visitor" = [])))]
async fn visitor_upload(
    State(state): State<AppState>,
    Visitor(v): Visitor,
    form: Multipart,
) -> ApiResult<(StatusCode, Json<AttachmentDto>)> {
    let (name, mime, bytes) = read_file(form).await?;
    let a = state
        .app
        .upload_attachment(Uploader::Contact(&v), &name, &mime, bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(to_dto(a))))
}

/// An agent uploads an image or file to send in a conversation.
#[utoipa::path(post, path = "/api/v1/attachments", tag = "conversations",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn agent_upload(
    State(state): State<AppState>,
    Auth(p): Auth,
    form: Multipart,
) -> ApiResult<(StatusCode, Json<AttachmentDto>)> {
    let (name, mime, bytes) = read_file(form).await?;
    let a = state
        .app
        .upload_attachment(Uploader::Agent(&p), &name, &mime, bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(to_dto(a))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub sig: String,
}

/// An attachment's bytes, through the signed URL in its message.
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "conversations",
    params(("id" = i64, Path, description = "Attachment id"), Signature),
    responses((status = 200, description = "The file"), (status = 404, body = ErrorEnvelope)))]
async fn download(
    State(state): State<AppState>,
    Ids(id): Ids<i64>,
    Params(q): Params<Signature>,
) -> ApiResult<Response> {
    let (a, bytes) = state.app.signed_file(id, &q.sig).await?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&a.mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let disposition = if a.mime.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    let ascii: String = a
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{ascii}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // Whatever a file contains, it never runs as a page of this site.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    Ok(res)
}
