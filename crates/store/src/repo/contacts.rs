//! Contacts (customers), their tags, their page-view trail, and merging.

use serde_json::Value;
use sqlx::types::Json;
use yingke_core::AccountId;

use crate::{
    Db, Page, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: i64,
    pub account_id: AccountId,
    pub external_id: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub attributes: Value,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub merged_into_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: i64,
    account_id: i64,
    external_id: Option<String>,
    name: String,
    email: String,
    phone: String,
    attributes: Json<Value>,
    created_at: i64,
    last_seen_at: i64,
    merged_into_id: Option<i64>,
}

impl From<ContactRow> for Contact {
    fn from(r: ContactRow) -> Self {
        Contact {
            id: r.id,
            account_id: AccountId(r.account_id),
            external_id: r.external_id,
            name: r.name,
            email: r.email,
            phone: r.phone,
            attributes: r.attributes.0,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            merged_into_id: r.merged_into_id,
        }
    }
}

/// Profile fields; `None` leaves a field as it is.
#[derive(Default)]
pub struct ContactPatch<'a> {
    pub external_id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub attributes: Option<&'a Value>,
    /// When changed attributes changed, if not at the update's `now` (an agent's edit does not
    /// move `last_seen_at`, which is what `now` sets).
    pub changed_at: Option<i64>,
}

pub async fn insert(tx: &mut Tx, scope: Scope, p: ContactPatch<'_>, now: i64) -> Result<Contact> {
    let empty = Value::Object(Default::default());
    let row: ContactRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO contacts (account_id, external_id, name, email, phone, attributes, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
             RETURNING id, account_id, external_id, name, email, phone, attributes, created_at, last_seen_at, merged_into_id",
        )
        .bind(scope.id())
        .bind(p.external_id)
        .bind(p.name.unwrap_or(""))
        .bind(p.email.unwrap_or(""))
        .bind(p.phone.unwrap_or(""))
        .bind(Json(p.attributes.unwrap_or(&empty)))
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    Ok(row.into())
}

pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Contact> {
    let row: ContactRow = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, external_id, name, email, phone, attributes, created_at, last_seen_at, merged_into_id
             FROM contacts WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?;
    Ok(row.into())
}

pub async fn get_in(tx: &mut Tx, scope: Scope, id: i64) -> Result<Contact> {
    let row: ContactRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, account_id, external_id, name, email, phone, attributes, created_at, last_seen_at, merged_into_id
             FROM contacts WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .fetch_one(c)
        .await
    })?;
    Ok(row.into())
}

/// The live (not merged away) contact with this verified external id.
pub async fn by_external_id(
    tx: &mut Tx,
    scope: Scope,
    external_id: &str,
) -> Result<Option<Contact>> {
    let row: Option<ContactRow> = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, account_id, external_id, name, email, phone, attributes, created_at, last_seen_at, merged_into_id
             FROM contacts WHERE account_id = $1 AND external_id = $2 AND merged_into_id IS NULL",
        )
        .bind(scope.id())
        .bind(external_id)
        .fetch_optional(c)
        .await
    })?;
    Ok(row.map(Contact::from))
}

pub async fn update(
    tx: &mut Tx,
    scope: Scope,
    id: i64,
    p: ContactPatch<'_>,
    now: i64,
) -> Result<Contact> {
    // Custom attributes that change get a change time ("order status unchanged for 24 hours").
    let changed: Vec<String> = match p.attributes {
        Some(new) => {
            let old = get_in(tx, scope, id).await?.attributes;
            let empty = serde_json::Map::new();
            let (old, new) = (
                old.as_object().unwrap_or(&empty),
                new.as_object().unwrap_or(&empty),
            );
            old.keys()
                .chain(new.keys())
                .filter(|k| old.get(*k) != new.get(*k))
                .cloned()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect()
        }
        None => Vec::new(),
    };
    if !changed.is_empty() {
        super::todos::record_attribute_changes(
            tx,
            scope,
            id,
            &changed,
            p.changed_at.unwrap_or(now),
        )
        .await?;
    }
    let row: ContactRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "UPDATE contacts SET external_id = COALESCE($3, external_id), name = COALESCE($4, name),
                    email = COALESCE($5, email), phone = COALESCE($6, phone),
                    attributes = COALESCE($7, attributes), last_seen_at = $8
             WHERE account_id = $1 AND id = $2
             RETURNING id, account_id, external_id, name, email, phone, attributes, created_at, last_seen_at, merged_into_id",
        )
        .bind(scope.id())
        .bind(id)
        .bind(p.external_id)
        .bind(p.name)
        .bind(p.email)
        .bind(p.phone)
        .bind(p.attributes.map(Json))
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    Ok(row.into())
}

/// Live contacts, optionally only those whose name, e-mail, phone, external id or custom
/// attributes contain `q`.
pub async fn search(
    db: &Db,
    scope: Scope,
    q: Option<&str>,
    after: i64,
    limit: u32,
) -> Result<Page<Contact>> {
    let pattern = q.map(|q| format!("%{}%", q.to_lowercase().replace(['%', '_'], "")));
    let rows: Vec<ContactRow> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, external_id, name, email, phone, attributes, created_at, last_seen_at, merged_into_id
             FROM contacts
             WHERE account_id = $1 AND merged_into_id IS NULL AND id > $2
               AND (CAST($3 AS TEXT) IS NULL OR LOWER(name) LIKE $3 OR LOWER(email) LIKE $3
                    OR phone LIKE $3 OR LOWER(COALESCE(external_id, '')) LIKE $3
                    OR LOWER(CAST(attributes AS TEXT)) LIKE $3)
             ORDER BY id LIMIT $4",
        )
        .bind(scope.id())
        .bind(after)
        .bind(pattern.as_deref())
        .bind(i64::from(limit) + 1)
        .fetch_all(p)
        .await
    })?;
    Ok(Page::from_rows(
        rows.into_iter().map(Contact::from).collect(),
        limit,
        |c| c.id,
    ))
}

pub async fn tags(db: &Db, scope: Scope, contact: i64) -> Result<Vec<String>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT tag FROM contact_tags WHERE account_id = $1 AND contact_id = $2 ORDER BY tag",
        )
        .bind(scope.id())
        .bind(contact)
        .fetch_all(p)
        .await
    })?)
}

/// [`tags`] inside a write transaction.
pub async fn tags_in(tx: &mut Tx, scope: Scope, contact: i64) -> Result<Vec<String>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT tag FROM contact_tags WHERE account_id = $1 AND contact_id = $2 ORDER BY tag",
        )
        .bind(scope.id())
        .bind(contact)
        .fetch_all(c)
        .await
    })?)
}

pub async fn add_tag(tx: &mut Tx, scope: Scope, contact: i64, tag: &str) -> Result<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO contact_tags (account_id, contact_id, tag) VALUES ($1, $2, $3)
             ON CONFLICT (contact_id, tag) DO NOTHING",
        )
        .bind(scope.id())
        .bind(contact)
        .bind(tag)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

pub async fn remove_tag(tx: &mut Tx, scope: Scope, contact: i64, tag: &str) -> Result<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "DELETE FROM contact_tags WHERE account_id = $1 AND contact_id = $2 AND tag = $3",
        )
        .bind(scope.id())
        .bind(contact)
        .bind(tag)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PageView {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub referrer: String,
    pub at: i64,
}

pub async fn add_page_view(
    tx: &mut Tx,
    scope: Scope,
    contact: i64,
    url: &str,
    title: &str,
    referrer: &str,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO page_views (account_id, contact_id, url, title, referrer, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(scope.id())
        .bind(contact)
        .bind(url)
        .bind(title)
        .bind(referrer)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The most recent page views of a contact, newest first.
pub async fn page_views(db: &Db, scope: Scope, contact: i64, limit: u32) -> Result<Vec<PageView>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, url, title, referrer, at FROM page_views
             WHERE account_id = $1 AND contact_id = $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(scope.id())
        .bind(contact)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await
    })?)
}

/// Moves everything of `from` to `into` and marks `from` merged. Nothing is deleted.
pub async fn merge(tx: &mut Tx, scope: Scope, from: i64, into: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE conversations SET contact_id = $3 WHERE account_id = $1 AND contact_id = $2",
        )
        .bind(scope.id())
        .bind(from)
        .bind(into)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE page_views SET contact_id = $3 WHERE account_id = $1 AND contact_id = $2",
        )
        .bind(scope.id())
        .bind(from)
        .bind(into)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO contact_tags (account_id, contact_id, tag)
             SELECT account_id, $3, tag FROM contact_tags WHERE account_id = $1 AND contact_id = $2
             ON CONFLICT (contact_id, tag) DO NOTHING",
        )
        .bind(scope.id())
        .bind(from)
        .bind(into)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |c| {
        sqlx::query("UPDATE contacts SET merged_into_id = $3 WHERE account_id = $1 AND id = $2")
            .bind(scope.id())
            .bind(from)
            .bind(into)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// How many conversations a contact has had (new vs returning is derived from this).
pub async fn conversation_count(db: &Db, scope: Scope, contact: i64) -> Result<i64> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversations WHERE account_id = $1 AND contact_id = $2",
        )
        .bind(scope.id())
        .bind(contact)
        .fetch_one(p)
        .await
    })?)
}
