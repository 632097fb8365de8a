//! Attachments: images and files sent in conversations. The content decides the type: what the
//! browser declares must match what the bytes are, and only known-safe kinds are accepted.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use yingke_core::FieldErrors;
use yingke_store::{
    Scope,
    attachments::{self, Attachment, NewAttachment},
};

use crate::{App, AppError, AppResult, Principal, widget::VisitorClaims};

/// Largest accepted file.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// What the bytes are, from their first bytes; `None` for kinds we do not accept.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |p: &[u8]| bytes.starts_with(p);
    if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if starts(b"%PDF-") {
        Some("application/pdf")
    } else if starts(b"PK\x03\x04") {
        Some("application/zip")
    } else if !bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        Some("text/plain")
    } else {
        None
    }
}

/// Office documents are zip files; a declared Office type over zip content is believable.
const ZIP_BASED: [&str; 3] = [
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

/// The type to store: the sniffed one, refusing content that contradicts the declared type.
pub fn accepted_type(declared: &str, bytes: &[u8]) -> Result<&'static str, String> {
    let sniffed = sniff(bytes).ok_or(
        "this kind of file is not accepted (images, PDF, Office documents, zip and text are)",
    )?;
    let declared = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let declared = if declared == "image/jpg" {
        "image/jpeg".to_owned()
    } else {
        declared
    };
    if declared.is_empty() || declared == "application/octet-stream" || declared == sniffed {
        return Ok(sniffed);
    }
    if sniffed == "application/zip"
        && let Some(office) = ZIP_BASED.iter().find(|o| **o == declared)
    {
        return Ok(office);
    }
    if sniffed == "text/plain" && matches!(declared.as_str(), "text/csv" | "text/markdown") {
        return Ok("text/plain");
    }
    Err(format!("the content is {sniffed}, not {declared}"))
}

/// Who uploads.
pub enum Uploader<'a> {
    Contact(&'a VisitorClaims),
    Agent(&'a Principal),
}

fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

impl App {
    /// Stores an uploaded file after checking its size and that its content is what it claims.
    pub async fn upload_attachment(
        &self,
        who: Uploader<'_>,
        name: &str,
        declared: &str,
        bytes: Vec<u8>,
    ) -> AppResult<Value> {
        let files = self
            .files
            .as_ref()
            .ok_or_else(|| AppError::Internal("no file store configured".into()))?;
        if bytes.len() > MAX_BYTES {
            return Err(FieldErrors::single(
                "file",
                format!("must be at most {} MB", MAX_BYTES / 1024 / 1024),
            )
            .into());
        }
        let mime = accepted_type(declared, &bytes).map_err(|m| FieldErrors::single("file", m))?;
        let (scope, contact_id, user_id) = match who {
            Uploader::Contact(v) => (v.scope(), Some(v.c), None),
            Uploader::Agent(p) => (p.scope(), None, Some(p.user_id().0)),
        };
        let key: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        files
            .put(&key, &bytes)
            .await
            .map_err(|e| AppError::Internal(format!("storing a file: {e}")))?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let name = clean_name(name);
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let a = attachments::insert(
            &mut tx,
            scope,
            NewAttachment {
                contact_id,
                user_id,
                name: &name,
                mime,
                size,
                storage_key: &key,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(self.attachment_json(&a))
    }

    /// What a message carries about its attachment, with a signed URL.
    pub(crate) fn attachment_json(&self, a: &Attachment) -> Value {
        let sig = self
            .keys
            .url_signature(&format!("file:{}:{}", a.account_id, a.id));
        json!({"id": a.id, "name": a.name, "mime": a.mime, "size": a.size, "url": format!("/api/v1/files/{}?sig={sig}", a.id)})
    }

    /// An attachment the uploader may send: their own upload in this account.
    pub(crate) async fn sendable_attachment(
        &self,
        scope: Scope,
        id: i64,
        contact: Option<i64>,
        user: Option<i64>,
    ) -> AppResult<Value> {
        let a = attachments::get(&self.db, scope, id).await.map_err(|_| {
            AppError::Validation(FieldErrors::single(
                "attachment_id",
                "is not an upload of yours",
            ))
        })?;
        if (contact.is_some() && a.contact_id != contact) || (user.is_some() && a.user_id != user) {
            return Err(FieldErrors::single("attachment_id", "is not an upload of yours").into());
        }
        Ok(self.attachment_json(&a))
    }

    /// The bytes behind a signed attachment URL.
    pub async fn signed_file(&self, id: i64, sig: &str) -> AppResult<(Attachment, Vec<u8>)> {
        let a = attachments::get_unscoped(&self.db, id).await?;
        if !self
            .keys
            .url_signature_matches(&format!("file:{}:{}", a.account_id, a.id), sig)
        {
            return Err(AppError::NotFound);
        }
        let files = self.files.as_ref().ok_or(AppError::NotFound)?;
        let bytes = files
            .get(&a.storage_key)
            .await
            .map_err(|_| AppError::NotFound)?;
        Ok((a, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_and_contradictions_are_refused() {
        let png = b"\x89PNG\r\n\x1a\n....";
        assert_eq!(accepted_type("image/png", png), Ok("image/png"));
        assert_eq!(accepted_type("", png), Ok("image/png"));
        assert!(accepted_type("image/jpeg", png).is_err());
        // An HTML page disguised as an image is text, not an image.
        assert!(accepted_type("image/png", b"<script>alert(1)</script>").is_err());
        assert_eq!(
            accepted_type("image/jpg", b"\xff\xd8\xff\xe0xx"),
            Ok("image/jpeg")
        );
        assert_eq!(
            accepted_type(ZIP_BASED[0], b"PK\x03\x04rest"),
            Ok(ZIP_BASED[0])
        );
        assert!(accepted_type("application/x-msdownload", b"MZ\x90\x00\x03").is_err());
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\a\\发票.pdf"), "发票.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b"), "ab");
        assert_eq!(clean_name(""), "file");
    }
}
