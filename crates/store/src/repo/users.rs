//! Users of an account.

use yingke_core::{AccountId, Locale, Role, UserId};

use crate::{
    Db, Page, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub account_id: AccountId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub locale: Locale,
    pub active: bool,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    account_id: i64,
    email: String,
    name: String,
    role: String,
    locale: String,
    active: bool,
    created_at: i64,
}

impl TryFrom<UserRow> for User {
    type Error = crate::Error;
    fn try_from(r: UserRow) -> Result<Self> {
        let corrupt = |e: yingke_core::identity::InvalidValue| crate::Error::Corrupt(e.0);
        Ok(User {
            id: UserId(r.id),
            account_id: AccountId(r.account_id),
            email: r.email,
            name: r.name,
            role: Role::parse(&r.role).map_err(corrupt)?,
            locale: Locale::parse(&r.locale).map_err(corrupt)?,
            active: r.active,
            created_at: r.created_at,
        })
    }
}

pub(crate) fn rows_to_users(rows: Vec<UserRow>) -> Result<Vec<User>> {
    rows.into_iter().map(User::try_from).collect()
}

/// A new user, already validated by the caller.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub locale: Locale,
    pub password_hash: &'a str,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Default)]
pub struct UserPatch<'a> {
    pub name: Option<&'a str>,
    pub role: Option<Role>,
    pub locale: Option<Locale>,
    pub active: Option<bool>,
    pub password_hash: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, scope: Scope, new: NewUser<'_>, now: i64) -> Result<User> {
    let row: UserRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO users (account_id, email, name, role, locale, password_hash, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $7)
             RETURNING id, account_id, email, name, role, locale, active, created_at",
        )
        .bind(scope.id())
        .bind(new.email)
        .bind(new.name)
        .bind(new.role.as_str())
        .bind(new.locale.as_str())
        .bind(new.password_hash)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    row.try_into()
}

pub async fn get(db: &Db, scope: Scope, id: UserId) -> Result<User> {
    let row: UserRow = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, email, name, role, locale, active, created_at
             FROM users WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id.0)
        .fetch_one(p)
        .await
    })?;
    row.try_into()
}

/// The same as [`get`], inside a transaction, so a check and the write that depends on it agree.
pub async fn get_in(tx: &mut Tx, scope: Scope, id: UserId) -> Result<User> {
    let row: UserRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, account_id, email, name, role, locale, active, created_at
             FROM users WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id.0)
        .fetch_one(c)
        .await
    })?;
    row.try_into()
}

pub async fn list(db: &Db, scope: Scope, after: i64, limit: u32) -> Result<Page<User>> {
    let rows: Vec<UserRow> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, email, name, role, locale, active, created_at
             FROM users WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(scope.id())
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(p)
        .await
    })?;
    Ok(Page::from_rows(rows_to_users(rows)?, limit, |u| u.id.0))
}

pub async fn update(
    tx: &mut Tx,
    scope: Scope,
    id: UserId,
    patch: UserPatch<'_>,
    now: i64,
) -> Result<User> {
    let row: UserRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "UPDATE users SET
                 name = COALESCE($3, name),
                 role = COALESCE($4, role),
                 locale = COALESCE($5, locale),
                 active = COALESCE($6, active),
                 password_hash = COALESCE($7, password_hash),
                 updated_at = $8
             WHERE account_id = $1 AND id = $2
             RETURNING id, account_id, email, name, role, locale, active, created_at",
        )
        .bind(scope.id())
        .bind(id.0)
        .bind(patch.name)
        .bind(patch.role.map(Role::as_str))
        .bind(patch.locale.map(Locale::as_str))
        .bind(patch.active)
        .bind(patch.password_hash)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    row.try_into()
}

/// Active owners of the account, counted inside the transaction that may remove one.
pub async fn count_active_owners(tx: &mut Tx, scope: Scope) -> Result<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE account_id = $1 AND role = 'owner' AND active",
        )
        .bind(scope.id())
        .fetch_one(c)
        .await
    })?)
}

/// The password hash of an active user, for re-authentication (changing one's own password).
pub async fn password_hash(db: &Db, scope: Scope, id: UserId) -> Result<String> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE account_id = $1 AND id = $2")
            .bind(scope.id())
            .bind(id.0)
            .fetch_one(p)
            .await
    })?)
}

/// Sign-in lookup by e-mail. Unscoped: the account is what sign-in finds out.
pub async fn find_for_login(db: &Db, email: &str) -> Result<Option<(User, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row: Option<Row> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, email, name, role, locale, active, created_at, password_hash
             FROM users WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(p)
        .await
    })?;
    row.map(|r| Ok((r.user.try_into()?, r.password_hash)))
        .transpose()
}

/// How many users exist in the whole installation (first-start bootstrap). Unscoped by nature.
pub async fn count_all(db: &Db) -> Result<i64> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(p)
            .await
    })?)
}

/// Active users of the account as (id, name, email): who a note can mention.
pub async fn mentionable_in(tx: &mut Tx, scope: Scope) -> Result<Vec<(i64, String, String)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, name, email FROM users WHERE account_id = $1 AND active ORDER BY id",
        )
        .bind(scope.id())
        .fetch_all(c)
        .await
    })?)
}

const NOTICE_PREFS_SQL: &str =
    "SELECT prefs FROM agent_notice_prefs WHERE account_id = $1 AND user_id = $2";

/// An agent's notice preferences as stored (kind → {in_app, push}); `None` = the defaults.
pub async fn notice_prefs_in(
    tx: &mut Tx,
    scope: Scope,
    user: i64,
) -> Result<Option<serde_json::Value>> {
    let v: Option<sqlx::types::Json<serde_json::Value>> = on_tx!(tx, |c| {
        sqlx::query_scalar(NOTICE_PREFS_SQL)
            .bind(scope.id())
            .bind(user)
            .fetch_optional(c)
            .await
    })?;
    Ok(v.map(|j| j.0))
}

pub async fn put_notice_prefs(
    tx: &mut Tx,
    scope: Scope,
    user: i64,
    prefs: &serde_json::Value,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO agent_notice_prefs (user_id, account_id, prefs, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id) DO UPDATE SET prefs = excluded.prefs,
                 updated_at = excluded.updated_at
             WHERE agent_notice_prefs.account_id = excluded.account_id",
        )
        .bind(user)
        .bind(scope.id())
        .bind(sqlx::types::Json(prefs))
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// `notice_prefs_in` outside a transaction.
pub async fn notice_prefs(db: &Db, scope: Scope, user: i64) -> Result<Option<serde_json::Value>> {
    let v: Option<sqlx::types::Json<serde_json::Value>> = on_pool!(&db.read, |p| {
        sqlx::query_scalar(NOTICE_PREFS_SQL)
            .bind(scope.id())
            .bind(user)
            .fetch_optional(p)
            .await
    })?;
    Ok(v.map(|j| j.0))
}
