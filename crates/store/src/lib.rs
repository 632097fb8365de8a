//! Yingke's storage: one `Db` over SQLite (the embedded default) or PostgreSQL (production),
//! migrations for both kept in lockstep, one repository module per aggregate, and the outbox.
//!
//! Every function that reads or writes tenant data takes a [`Scope`]; there is no unscoped query
//! for tenant data. The few unscoped functions (sign-in lookup, session and token resolution,
//! bootstrap counts) are named for what they are and say why they are unscoped.
//! No business rules here: the app crate decides, this crate stores.

mod db;
mod error;
pub mod files;
mod group;
pub mod repo;

pub use db::{Backend, Db, SqliteSettings, Tx};
pub use error::{Error, Result};
pub use files::LocalFiles;
pub use repo::*;
/// JSON columns (JSONB on PostgreSQL, TEXT on SQLite).
pub use sqlx::types::Json;

use yingke_core::AccountId;

/// The account whose data a query may touch. Built from an authenticated principal by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope(AccountId);

impl Scope {
    pub fn new(account: AccountId) -> Self {
        Self(account)
    }

    pub fn account(self) -> AccountId {
        self.0
    }

    pub(crate) fn id(self) -> i64 {
        self.0.0
    }
}

/// One page of a list ordered by id: the rows and the id to continue after, if there are more.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<i64>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in id order.
    pub(crate) fn from_rows(mut rows: Vec<T>, limit: u32, id: impl Fn(&T) -> i64) -> Self {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_after = if more { rows.last().map(id) } else { None };
        Page {
            items: rows,
            next_after,
        }
    }
}
