//! Web push: agents' browser subscriptions and this installation's keys (the VAPID key).

use crate::{
    Db, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

/// One browser or phone of an agent that takes web push; `keys` is sealed.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PushSubscription {
    pub id: i64,
    pub account_id: i64,
    pub user_id: i64,
    pub endpoint: String,
    pub keys: String,
    pub created_at: i64,
}

const SUB: &str = "id, account_id, user_id, endpoint, keys, created_at";

/// Adds a subscription, or gives an existing endpoint (a shared device) to this agent.
pub async fn upsert_subscription(
    tx: &mut Tx,
    scope: Scope,
    user_id: i64,
    endpoint: &str,
    keys: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO push_subscriptions (account_id, user_id, endpoint, keys, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (endpoint) DO UPDATE SET account_id = excluded.account_id,
                 user_id = excluded.user_id, keys = excluded.keys, created_at = excluded.created_at
             RETURNING id",
        )
        .bind(scope.id())
        .bind(user_id)
        .bind(endpoint)
        .bind(keys)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

/// Removes one of an agent's subscriptions by endpoint; whether there was one.
pub async fn delete_subscription(
    tx: &mut Tx,
    scope: Scope,
    user_id: i64,
    endpoint: &str,
) -> Result<bool> {
    Ok(on_tx!(tx, |c| {
        sqlx::query("DELETE FROM push_subscriptions WHERE account_id = $1 AND user_id = $2 AND endpoint = $3")
            .bind(scope.id())
            .bind(user_id)
            .bind(endpoint)
            .execute(c)
            .await
            .map(|r| r.rows_affected() > 0)
    })?)
}

/// Removes a subscription the push service reported gone.
pub async fn delete_subscription_by_id(tx: &mut Tx, scope: Scope, id: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM push_subscriptions WHERE account_id = $1 AND id = $2")
            .bind(scope.id())
            .bind(id)
            .execute(c)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

pub async fn subscriptions_in(
    tx: &mut Tx,
    scope: Scope,
    user_id: i64,
) -> Result<Vec<PushSubscription>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SUB} FROM push_subscriptions WHERE account_id = $1 AND user_id = $2 ORDER BY id"
        )))
        .bind(scope.id())
        .bind(user_id)
        .fetch_all(c)
        .await
    })?)
}

pub async fn subscriptions(db: &Db, scope: Scope, user_id: i64) -> Result<Vec<PushSubscription>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SUB} FROM push_subscriptions WHERE account_id = $1 AND user_id = $2 ORDER BY id"
        )))
        .bind(scope.id())
        .bind(user_id)
        .fetch_all(p)
        .await
    })?)
}

pub async fn subscription(db: &Db, scope: Scope, id: i64) -> Result<Option<PushSubscription>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SUB} FROM push_subscriptions WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .fetch_optional(p)
        .await
    })?)
}

/// A sealed installation key by name.
pub async fn server_key(db: &Db, name: &str) -> Result<Option<String>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar("SELECT sealed FROM server_keys WHERE name = $1")
            .bind(name)
            .fetch_optional(p)
            .await
    })?)
}

/// Stores a key unless another instance stored one first; the stored one wins.
pub async fn claim_server_key(tx: &mut Tx, name: &str, sealed: &str, now: i64) -> Result<String> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO server_keys (name, sealed, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(sealed)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })?;
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT sealed FROM server_keys WHERE name = $1")
            .bind(name)
            .fetch_one(c)
            .await
    })?)
}
