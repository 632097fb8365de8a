//! Channels (where customers reach an account) and their entry points.

use serde_json::Value;
use sqlx::types::Json;
use yingke_core::AccountId;

use crate::{
    Db, Page, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    pub id: i64,
    pub account_id: AccountId,
    pub kind: String,
    pub name: String,
    pub public_key: String,
    pub settings: Value,
    /// Sealed (encrypted) with the server key; the app opens it.
    pub identity_secret_sealed: String,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct ChannelRow {
    id: i64,
    account_id: i64,
    kind: String,
    name: String,
    public_key: String,
    settings: Json<Value>,
    identity_secret: String,
    created_at: i64,
}

impl From<ChannelRow> for Channel {
    fn from(r: ChannelRow) -> Self {
        Channel {
            id: r.id,
            account_id: AccountId(r.account_id),
            kind: r.kind,
            name: r.name,
            public_key: r.public_key,
            settings: r.settings.0,
            identity_secret_sealed: r.identity_secret,
            created_at: r.created_at,
        }
    }
}

pub struct NewChannel<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub public_key: &'a str,
    pub settings: &'a Value,
    pub identity_secret_sealed: &'a str,
}

pub async fn insert(tx: &mut Tx, scope: Scope, ch: NewChannel<'_>, now: i64) -> Result<Channel> {
    let row: ChannelRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO channels (account_id, kind, name, public_key, settings, identity_secret, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
             RETURNING id, account_id, kind, name, public_key, settings, identity_secret, created_at",
        )
        .bind(scope.id())
        .bind(ch.kind)
        .bind(ch.name)
        .bind(ch.public_key)
        .bind(Json(ch.settings))
        .bind(ch.identity_secret_sealed)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    Ok(row.into())
}

pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Channel> {
    let row: ChannelRow = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, kind, name, public_key, settings, identity_secret, created_at
             FROM channels WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?;
    Ok(row.into())
}

/// A channel by the public key in its widget snippet. Unscoped: the key is how a visitor's
/// browser names the account it talks to.
pub async fn by_public_key(db: &Db, key: &str) -> Result<Channel> {
    let row: ChannelRow = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, kind, name, public_key, settings, identity_secret, created_at
             FROM channels WHERE public_key = $1",
        )
        .bind(key)
        .fetch_one(p)
        .await
    })?;
    Ok(row.into())
}

pub async fn list(db: &Db, scope: Scope, after: i64, limit: u32) -> Result<Page<Channel>> {
    let rows: Vec<ChannelRow> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, kind, name, public_key, settings, identity_secret, created_at
             FROM channels WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(scope.id())
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(p)
        .await
    })?;
    Ok(Page::from_rows(
        rows.into_iter().map(Channel::from).collect(),
        limit,
        |c| c.id,
    ))
}

pub async fn update(
    tx: &mut Tx,
    scope: Scope,
    id: i64,
    name: Option<&str>,
    settings: Option<&Value>,
    now: i64,
) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE channels SET name = COALESCE($3, name), settings = COALESCE($4, settings), updated_at = $5
             WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .bind(name)
        .bind(settings.map(Json))
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(crate::Error::NotFound);
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EntryPoint {
    pub id: i64,
    pub account_id: i64,
    pub channel_id: i64,
    pub key: String,
    pub name: String,
    pub campaign: String,
    pub ad_plan: String,
    pub business_module: String,
    pub landing_page: String,
    pub created_at: i64,
}

pub struct NewEntryPoint<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub campaign: &'a str,
    pub ad_plan: &'a str,
    pub business_module: &'a str,
    pub landing_page: &'a str,
}

pub async fn insert_entry_point(
    tx: &mut Tx,
    scope: Scope,
    channel_id: i64,
    e: NewEntryPoint<'_>,
    now: i64,
) -> Result<EntryPoint> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO entry_points (account_id, channel_id, key, name, campaign, ad_plan, business_module, landing_page, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             RETURNING id, account_id, channel_id, key, name, campaign, ad_plan, business_module, landing_page, created_at",
        )
        .bind(scope.id())
        .bind(channel_id)
        .bind(e.key)
        .bind(e.name)
        .bind(e.campaign)
        .bind(e.ad_plan)
        .bind(e.business_module)
        .bind(e.landing_page)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn entry_points(db: &Db, scope: Scope, channel_id: i64) -> Result<Vec<EntryPoint>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, channel_id, key, name, campaign, ad_plan, business_module, landing_page, created_at
             FROM entry_points WHERE account_id = $1 AND channel_id = $2 ORDER BY id",
        )
        .bind(scope.id())
        .bind(channel_id)
        .fetch_all(p)
        .await
    })?)
}

pub async fn entry_point_by_key(
    db: &Db,
    scope: Scope,
    channel_id: i64,
    key: &str,
) -> Result<Option<EntryPoint>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, channel_id, key, name, campaign, ad_plan, business_module, landing_page, created_at
             FROM entry_points WHERE account_id = $1 AND channel_id = $2 AND key = $3",
        )
        .bind(scope.id())
        .bind(channel_id)
        .bind(key)
        .fetch_optional(p)
        .await
    })?)
}

/// Deletes an entry point; conversations that started there keep its fields in their source.
pub async fn delete_entry_point(tx: &mut Tx, scope: Scope, channel_id: i64, id: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("UPDATE conversations SET entry_point_id = NULL WHERE account_id = $1 AND entry_point_id = $2")
            .bind(scope.id())
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let done = on_tx!(tx, |c| {
        sqlx::query(
            "DELETE FROM entry_points WHERE account_id = $1 AND channel_id = $2 AND id = $3",
        )
        .bind(scope.id())
        .bind(channel_id)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(crate::Error::NotFound);
    }
    Ok(())
}
