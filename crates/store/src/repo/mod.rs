//! Repositories, one module per aggregate.

pub mod accounts;
pub mod attachments;
pub mod attributes;
pub mod canned;
pub mod channels;
pub mod contacts;
pub mod conversations;
pub mod credentials;
pub mod events;
pub mod notify;
pub mod push;
pub mod routing;
pub mod sla;
pub mod teams;
pub mod tickets;
pub mod timers;
pub mod todos;
pub mod users;

pub use accounts::Account;
pub use credentials::{AccessTokenRow, Credential, NewSession};
pub use events::StoredEvent;
pub use teams::{Team, TeamMember};
pub use users::{NewUser, User, UserPatch};

/// Deletes the account's row `id` from `table` (a fixed table name, never input); `NotFound` when
/// there is none.
pub(crate) async fn delete_scoped(
    tx: &mut crate::Tx,
    scope: crate::Scope,
    table: &'static str,
    id: i64,
) -> crate::Result<()> {
    debug_assert!(table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    let n = crate::db::on_tx!(tx, |c| {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE account_id = $1 AND id = $2"
        )))
        .bind(scope.id())
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(crate::Error::NotFound);
    }
    Ok(())
}
