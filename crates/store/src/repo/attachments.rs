//! Attachment records (the bytes are in the file store).

use crate::{
    Db, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub account_id: i64,
    pub contact_id: Option<i64>,
    pub user_id: Option<i64>,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub storage_key: String,
    pub created_at: i64,
}

pub struct NewAttachment<'a> {
    pub contact_id: Option<i64>,
    pub user_id: Option<i64>,
    pub name: &'a str,
    pub mime: &'a str,
    pub size: i64,
    pub storage_key: &'a str,
}

pub async fn insert(
    tx: &mut Tx,
    scope: Scope,
    a: NewAttachment<'_>,
    now: i64,
) -> Result<Attachment> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO attachments (account_id, contact_id, user_id, name, mime, size, storage_key, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             RETURNING id, account_id, contact_id, user_id, name, mime, size, storage_key, created_at",
        )
        .bind(scope.id())
        .bind(a.contact_id)
        .bind(a.user_id)
        .bind(a.name)
        .bind(a.mime)
        .bind(a.size)
        .bind(a.storage_key)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Attachment> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, contact_id, user_id, name, mime, size, storage_key, created_at
             FROM attachments WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}

/// An attachment by id alone, for serving a signed URL (the signature names the account).
pub async fn get_unscoped(db: &Db, id: i64) -> Result<Attachment> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, contact_id, user_id, name, mime, size, storage_key, created_at
             FROM attachments WHERE id = $1",
        )
        .bind(id)
        .fetch_one(p)
        .await
    })?)
}
