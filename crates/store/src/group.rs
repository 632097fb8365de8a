//! Group commit on SQLite: write transactions share one SQLite transaction, each inside its own
//! savepoint, and one `COMMIT` (one fsync) makes a whole group durable.
//!
//! SQLite has one writer, so write transactions run one after another anyway. Here each
//! [`Db::begin`](crate::Db::begin) takes the writer, opens the shared transaction if none is open,
//! and sets a savepoint. `commit` releases the savepoint; if nobody is waiting for the writer (or
//! the group is large or old enough) it commits the shared transaction, otherwise it leaves that
//! to the next transaction of the group. Either way it returns only once the group that holds its
//! changes has been committed — so an acknowledgement still means "on disk" — and it returns the
//! group's error if that commit failed. A transaction dropped without commit is rolled back to its
//! savepoint; the others of its group are unaffected.

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::{OwnedMutexGuard, watch};

use crate::Result;

/// Most transactions in one group, and the oldest a group may get before it commits. Under a
/// steady load someone is nearly always waiting, so groups run to the age limit and every member
/// waits for it: 3 ms rather than 10 ms took the chat bench's ack p99 from 56–60 ms to 43–48 ms.
const MAX_MEMBERS: usize = 128;
const MAX_AGE: Duration = Duration::from_millis(3);

pub(crate) struct Group {
    pool: SqlitePool,
    state: Arc<tokio::sync::Mutex<State>>,
    /// Transactions waiting for the writer.
    waiting: AtomicUsize,
    /// The newest group committed (successfully or not).
    done: watch::Sender<u64>,
    /// Recent groups' failures (absent = committed).
    failed: Mutex<BTreeMap<u64, String>>,
}

#[derive(Default)]
struct State {
    outer: Option<Transaction<'static, Sqlite>>,
    /// The current group's number.
    epoch: u64,
    members: usize,
    opened: Option<Instant>,
}

/// One write transaction of a group: the writer is held until commit or drop.
pub struct GroupTx {
    group: Arc<Group>,
    guard: Option<OwnedMutexGuard<State>>,
}

struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group")
            .field("waiting", &self.waiting)
            .finish_non_exhaustive()
    }
}

impl Group {
    pub(crate) fn new(pool: SqlitePool) -> Arc<Self> {
        Arc::new(Self {
            pool,
            state: Arc::default(),
            waiting: AtomicUsize::new(0),
            done: watch::channel(0).0,
            failed: Mutex::default(),
        })
    }

    pub(crate) async fn begin(self: &Arc<Self>) -> Result<GroupTx> {
        let mut guard = {
            self.waiting.fetch_add(1, Ordering::SeqCst);
            let _w = Waiting(&self.waiting);
            self.state.clone().lock_owned().await
        };
        if guard.outer.is_none() {
            guard.outer = Some(self.pool.begin().await?);
            guard.epoch += 1;
            guard.members = 0;
            guard.opened = Some(Instant::now());
        }
        let outer = guard.outer.as_mut().expect("opened above");
        sqlx::query("SAVEPOINT yk_group")
            .execute(&mut **outer)
            .await?;
        Ok(GroupTx {
            group: self.clone(),
            guard: Some(guard),
        })
    }

    fn record(&self, epoch: u64, failure: Option<String>) {
        if let Some(e) = failure {
            let mut f = self.failed.lock().unwrap_or_else(|p| p.into_inner());
            f.insert(epoch, e);
            while f.len() > 1000 {
                f.pop_first();
            }
        }
        self.done.send_replace(epoch);
    }

    /// Commits the shared transaction (the caller holds the writer).
    async fn commit_outer(&self, state: &mut State) -> std::result::Result<(), sqlx::Error> {
        let epoch = state.epoch;
        let result = match state.outer.take() {
            Some(t) => t.commit().await,
            None => Ok(()),
        };
        self.record(epoch, result.as_ref().err().map(ToString::to_string));
        result
    }

    async fn wait_for(&self, epoch: u64) -> Result<()> {
        let mut rx = self.done.subscribe();
        // The sender lives as long as the group, which the caller holds.
        let _ = rx.wait_for(|done| *done >= epoch).await;
        match self
            .failed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&epoch)
        {
            Some(e) => Err(crate::Error::Corrupt(format!("group commit failed: {e}"))),
            None => Ok(()),
        }
    }
}

impl GroupTx {
    /// The connection, inside this transaction's savepoint.
    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        let outer = self
            .guard
            .as_mut()
            .and_then(|g| g.outer.as_mut())
            .expect("a group transaction holds the open outer transaction");
        &mut *outer
    }

    pub(crate) async fn commit(mut self) -> Result<()> {
        let group = self.group.clone();
        let mut guard = self.guard.take().expect("not yet committed");
        let epoch = guard.epoch;
        let released = match guard.outer.as_mut() {
            Some(outer) => sqlx::query("RELEASE yk_group").execute(&mut **outer).await,
            None => Ok(Default::default()),
        };
        if let Err(e) = released {
            // This transaction's changes cannot be kept: undo them, leave the group as it was.
            if let Some(outer) = guard.outer.as_mut() {
                let _ = undo_savepoint(outer).await;
            }
            finish(&group, guard).await;
            return Err(e.into());
        }
        guard.members += 1;
        finish(&group, guard).await;
        group.wait_for(epoch).await
    }
}

/// Ends a member's turn: commits the group when nobody else is about to join it, or when it is
/// large or old enough; otherwise the next member continues it.
async fn finish(group: &Group, mut guard: OwnedMutexGuard<State>) {
    let old = guard.opened.is_some_and(|o| o.elapsed() >= MAX_AGE);
    if group.waiting.load(Ordering::SeqCst) == 0 || guard.members >= MAX_MEMBERS || old {
        let _ = group.commit_outer(&mut guard).await;
    }
}

/// Rolls the current member's changes back and ends its savepoint.
async fn undo_savepoint(outer: &mut Transaction<'static, Sqlite>) -> Result<()> {
    sqlx::query("ROLLBACK TO yk_group")
        .execute(&mut **outer)
        .await?;
    sqlx::query("RELEASE yk_group")
        .execute(&mut **outer)
        .await?;
    Ok(())
}

impl Drop for GroupTx {
    fn drop(&mut self) {
        let Some(mut guard) = self.guard.take() else {
            return;
        };
        let group = self.group.clone();
        // Undo this transaction's changes; the writer stays held until that is done.
        let undo = async move {
            if let Some(outer) = guard.outer.as_mut()
                && undo_savepoint(outer).await.is_err()
            {
                // The savepoint is unusable: give up the whole group rather than commit a
                // half-undone one; its members get the error.
                let epoch = guard.epoch;
                if let Some(t) = guard.outer.take() {
                    let _ = t.rollback().await;
                }
                group.record(
                    epoch,
                    Some("a rolled-back member left the group unusable".into()),
                );
                return;
            }
            finish(&group, guard).await;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(h) => {
                h.spawn(undo);
            }
            // Without a runtime nothing else can be using the group either.
            Err(_) => drop(undo),
        }
    }
}

#[cfg(test)]
mod tests {
    /// Undoing a member removes exactly what it wrote after its savepoint.
    #[tokio::test]
    async fn undo_removes_only_the_members_writes() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:")
            .await
            .expect("memory db");
        let mut t = pool.begin().await.expect("begin");
        sqlx::query("CREATE TABLE x (v INTEGER)")
            .execute(&mut *t)
            .await
            .expect("create");
        sqlx::query("INSERT INTO x VALUES (0)")
            .execute(&mut *t)
            .await
            .expect("earlier member");
        sqlx::query("SAVEPOINT yk_group")
            .execute(&mut *t)
            .await
            .expect("savepoint");
        sqlx::query("INSERT INTO x VALUES (1)")
            .execute(&mut *t)
            .await
            .expect("insert");
        super::undo_savepoint(&mut t).await.expect("undo");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM x")
            .fetch_one(&mut *t)
            .await
            .expect("count");
        assert_eq!(n, 1);
    }
}
