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
///
/// On PostgreSQL each counter is a sequence (call [`prepare_counter`] first): `nextval` never
/// waits for other transactions, where a counter row would stay locked until commit and
/// serialise every creation of the account behind one another's fsync. A creation that rolls
/// back leaves a gap in the numbers, as Chatwoot's display ids do. SQLite has one writer anyway
/// and keeps the gapless counter row.
pub async fn next_number(tx: &mut Tx, account: AccountId, name: &str) -> Result<i64> {
    match tx {
        Tx::Postgres(t) => Ok(sqlx::query_scalar("SELECT nextval($1::regclass)")
            .bind(sequence_name(account, name)?)
            .fetch_one(&mut **t)
            .await?),
        tx => Ok(on_tx!(tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO account_counters (account_id, name, value) VALUES ($1, $2, 1)
                 ON CONFLICT (account_id, name) DO UPDATE SET value = account_counters.value + 1
                 RETURNING value",
            )
            .bind(account.0)
            .bind(name)
            .fetch_one(c)
            .await
        })?),
    }
}

pub(crate) fn sequence_name(account: AccountId, name: &str) -> Result<String> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(crate::Error::Corrupt(format!("bad counter name {name:?}")));
    }
    Ok(format!("yingke_counter_{}_{name}", account.0))
}

/// Makes sure the PostgreSQL sequence behind a counter exists (continuing from the counter
/// row, if there is one). Remembered per `Db`, so only the first call touches the database.
pub async fn prepare_counter(db: &Db, account: AccountId, name: &str) -> Result<()> {
    let crate::db::Pool::Postgres(pool) = &db.write else {
        return Ok(());
    };
    let seq = sequence_name(account, name)?;
    let ready = &db.counters;
    if ready
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&seq)
    {
        return Ok(());
    }
    let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(&seq)
        .fetch_one(pool)
        .await?;
    if !exists {
        let current: Option<i64> = sqlx::query_scalar(
            "SELECT value FROM account_counters WHERE account_id = $1 AND name = $2",
        )
        .bind(account.0)
        .bind(name)
        .fetch_optional(pool)
        .await?;
        // Both parts are checked: an integer and a name of lowercase letters.
        let ddl = format!(
            "CREATE SEQUENCE IF NOT EXISTS {seq} START WITH {}",
            current.unwrap_or(0) + 1
        );
        if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(ddl)).execute(pool).await {
            // Another instance created it at the same moment.
            let raced: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
                .bind(&seq)
                .fetch_one(pool)
                .await?;
            if !raced {
                return Err(e.into());
            }
        }
    }
    ready.lock().unwrap_or_else(|e| e.into_inner()).insert(seq);
    Ok(())
}
