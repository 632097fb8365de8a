//! Accounts (tenants).

use yingke_core::{AccountId, Locale};

use crate::{
    Db, Result, Tx,
    db::{on_pool, on_tx},
};

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    pub timezone: String,
    pub locale: Locale,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    name: String,
    timezone: String,
    locale: String,
    created_at: i64,
}

impl TryFrom<AccountRow> for Account {
    type Error = crate::Error;
    fn try_from(r: AccountRow) -> Result<Self> {
        Ok(Account {
            id: AccountId(r.id),
            name: r.name,
            timezone: r.timezone,
            locale: Locale::parse(&r.locale).map_err(|e| crate::Error::Corrupt(e.0))?,
            created_at: r.created_at,
        })
    }
}

/// Creates a tenant. Unscoped by nature: the account does not exist yet.
pub async fn create(
    tx: &mut Tx,
    name: &str,
    timezone: &str,
    locale: Locale,
    now: i64,
) -> Result<Account> {
    let row: AccountRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO accounts (name, timezone, locale, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id, name, timezone, locale, created_at",
        )
        .bind(name)
        .bind(timezone)
        .bind(locale.as_str())
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    row.try_into()
}

/// The account itself; the id comes from an authenticated principal.
pub async fn get(db: &Db, id: AccountId) -> Result<Account> {
    let row: AccountRow = on_pool!(&db.read, |p| {
        sqlx::query_as("SELECT id, name, timezone, locale, created_at FROM accounts WHERE id = $1")
            .bind(id.0)
            .fetch_one(p)
            .await
    })?;
    row.try_into()
}

/// Up to `limit` account ids, oldest first. Operator tooling only (the CLI), never a request.
pub async fn list_ids(db: &Db, limit: u32) -> Result<Vec<AccountId>> {
    let ids: Vec<i64> = on_pool!(&db.read, |p| {
        sqlx::query_scalar("SELECT id FROM accounts ORDER BY id LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(p)
            .await
    })?;
    Ok(ids.into_iter().map(AccountId).collect())
}

/// The next value of a per-account counter (1, 2, 3…), inside the caller's transaction.
pub async fn next_number(tx: &mut Tx, account: AccountId, name: &str) -> Result<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO account_counters (account_id, name, value) VALUES ($1, $2, 1)
             ON CONFLICT (account_id, name) DO UPDATE SET value = account_counters.value + 1
             RETURNING value",
        )
        .bind(account.0)
        .bind(name)
        .fetch_one(c)
        .await
    })?)
}
