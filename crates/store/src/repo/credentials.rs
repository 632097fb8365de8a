//! Sign-in credentials: browser sessions, personal access tokens, and failed-login records.
//! Secrets never reach this module; callers pass SHA-256 hashes.

use yingke_core::{AccountId, TokenId, UserId};

use crate::{
    Db, Page, Result, Scope, Tx,
    db::{on_pool, on_tx},
    repo::users::{User, UserRow},
};

/// What a presented secret resolved to: an active user, and through which credential.
#[derive(Debug, Clone, PartialEq)]
pub enum Credential {
    Session { id: i64, user: User },
    Token { id: TokenId, user: User },
}

impl Credential {
    pub fn user(&self) -> &User {
        match self {
            Credential::Session { user, .. } | Credential::Token { user, .. } => user,
        }
    }
}

#[derive(sqlx::FromRow)]
struct CredentialRow {
    credential_id: i64,
    #[sqlx(flatten)]
    user: UserRow,
}

pub struct NewSession<'a> {
    pub user_id: UserId,
    pub token_hash: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub expires_at: i64,
}

pub async fn insert_session(tx: &mut Tx, scope: Scope, s: NewSession<'_>, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO sessions (account_id, user_id, token_hash, ip, user_agent, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(scope.id())
        .bind(s.user_id.0)
        .bind(s.token_hash)
        .bind(s.ip)
        .bind(s.user_agent)
        .bind(now)
        .bind(s.expires_at)
        .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Resolves a session cookie's hash to its active user. Unscoped: this is how the scope is learnt.
pub async fn find_session(db: &Db, token_hash: &str, now: i64) -> Result<Option<Credential>> {
    let row: Option<CredentialRow> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT s.id AS credential_id,
                    u.id, u.account_id, u.email, u.name, u.role, u.locale, u.active, u.created_at
             FROM sessions s JOIN users u ON u.id = s.user_id AND u.account_id = s.account_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(p)
        .await
    })?;
    row.map(|r| {
        Ok(Credential::Session {
            id: r.credential_id,
            user: r.user.try_into()?,
        })
    })
    .transpose()
}

pub async fn delete_session(tx: &mut Tx, token_hash: &str) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Ends every session and token of a user (deactivation, password reset by an admin).
pub async fn revoke_all_for_user(tx: &mut Tx, scope: Scope, user: UserId) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND user_id = $2")
            .bind(scope.id())
            .bind(user.0)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM access_tokens WHERE account_id = $1 AND user_id = $2")
            .bind(scope.id())
            .bind(user.0)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Ends a user's other sessions (after they change their own password).
pub async fn delete_other_sessions(
    tx: &mut Tx,
    scope: Scope,
    user: UserId,
    keep_session_id: Option<i64>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND user_id = $2 AND id <> $3")
            .bind(scope.id())
            .bind(user.0)
            .bind(keep_session_id.unwrap_or(-1))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AccessTokenRow {
    pub id: i64,
    pub account_id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

pub async fn insert_token(
    tx: &mut Tx,
    scope: Scope,
    user: UserId,
    name: &str,
    token_hash: &str,
    expires_at: Option<i64>,
    now: i64,
) -> Result<AccessTokenRow> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO access_tokens (account_id, user_id, name, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             RETURNING id, account_id, user_id, name, created_at, expires_at, last_used_at",
        )
        .bind(scope.id())
        .bind(user.0)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .fetch_one(c)
        .await
    })?)
}

pub async fn list_tokens(
    db: &Db,
    scope: Scope,
    user: UserId,
    after: i64,
    limit: u32,
) -> Result<Page<AccessTokenRow>> {
    let rows: Vec<AccessTokenRow> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, user_id, name, created_at, expires_at, last_used_at
             FROM access_tokens WHERE account_id = $1 AND user_id = $2 AND id > $3
             ORDER BY id LIMIT $4",
        )
        .bind(scope.id())
        .bind(user.0)
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(p)
        .await
    })?;
    Ok(Page::from_rows(rows, limit, |t| t.id))
}

/// Deletes one of the user's own tokens; `NotFound` when it is not theirs.
pub async fn delete_token(tx: &mut Tx, scope: Scope, user: UserId, id: TokenId) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query("DELETE FROM access_tokens WHERE account_id = $1 AND user_id = $2 AND id = $3")
            .bind(scope.id())
            .bind(user.0)
            .bind(id.0)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(crate::Error::NotFound);
    }
    Ok(())
}

/// Resolves a bearer token's hash to its active user. Unscoped: this is how the scope is learnt.
pub async fn find_token(db: &Db, token_hash: &str, now: i64) -> Result<Option<Credential>> {
    let row: Option<CredentialRow> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT t.id AS credential_id,
                    u.id, u.account_id, u.email, u.name, u.role, u.locale, u.active, u.created_at
             FROM access_tokens t JOIN users u ON u.id = t.user_id AND u.account_id = t.account_id
             WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.active",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(p)
        .await
    })?;
    row.map(|r| {
        Ok(Credential::Token {
            id: TokenId(r.credential_id),
            user: r.user.try_into()?,
        })
    })
    .transpose()
}

/// Records a token's use, at most once a minute so busy integrations do not write on every call.
pub async fn touch_token(tx: &mut Tx, account: AccountId, id: TokenId, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE access_tokens SET last_used_at = $3
             WHERE account_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < $3 - 60000)",
        )
        .bind(account.0)
        .bind(id.0)
        .bind(now)
        .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Records one failed sign-in for an e-mail from an IP.
pub async fn record_login_failure(tx: &mut Tx, email: &str, ip: &str, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("INSERT INTO login_failures (email, ip, at) VALUES ($1, $2, $3)")
            .bind(email)
            .bind(ip)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Failed sign-ins for an e-mail from an IP since `since`: how many, and the oldest one's time.
pub async fn login_failures_since(
    db: &Db,
    email: &str,
    ip: &str,
    since: i64,
) -> Result<(i64, Option<i64>)> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT COUNT(*), MIN(at) FROM login_failures WHERE email = $1 AND ip = $2 AND at > $3",
        )
        .bind(email)
        .bind(ip)
        .bind(since)
        .fetch_one(p)
        .await
    })?)
}

/// Forgets failures for an e-mail from an IP (after a successful sign-in), and any older than
/// `before` from anyone (housekeeping, so the table stays small).
pub async fn clear_login_failures(tx: &mut Tx, email: &str, ip: &str, before: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM login_failures WHERE (email = $1 AND ip = $2) OR at < $3")
            .bind(email)
            .bind(ip)
            .bind(before)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Every stored session and token hash. For tests that prove secrets are stored hashed.
#[doc(hidden)]
pub async fn all_hashes_for_tests(db: &Db) -> Result<Vec<String>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT token_hash FROM sessions UNION ALL SELECT token_hash FROM access_tokens",
        )
        .fetch_all(p)
        .await
    })?)
}
