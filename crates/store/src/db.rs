//! The database handle over both backends, and transactions.

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions, PgSslMode},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::Result;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How the SQLite file is opened. The defaults are the durable ones.
#[derive(Debug, Clone)]
pub struct SqliteSettings {
    /// `synchronous=FULL` (true) fsyncs every commit; NORMAL may lose the last commits on power loss.
    pub synchronous_full: bool,
    pub readers: u32,
    /// Group commit: write transactions share one SQLite transaction (a savepoint each) and one
    /// fsync; each still returns only after its group is on disk.
    pub group_commit: bool,
}

impl Default for SqliteSettings {
    fn default() -> Self {
        Self {
            synchronous_full: true,
            readers: 8,
            group_commit: true,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database. On SQLite, writes go through a single-connection writer pool (SQLite allows one
/// writer; queueing in the pool is cheaper and fairer than `SQLITE_BUSY` retries) while reads use
/// a pool of readers, which WAL lets run beside the writer. On PostgreSQL both are the same pool.
#[derive(Debug, Clone)]
pub struct Db {
    pub(crate) read: Pool,
    pub(crate) write: Pool,
    /// SQLite group commit, when on.
    pub(crate) group: Option<std::sync::Arc<crate::group::Group>>,
    /// PostgreSQL: a few connections kept apart for transactions others wait on (routing
    /// steps), so they never queue behind the main pool's backlog.
    pub(crate) priority: Option<PgPool>,
    /// PostgreSQL counter sequences known to exist (see `accounts::prepare_counter`).
    pub(crate) counters: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

/// A transaction on the writer. Dropped without `commit`, it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    /// A member of a SQLite commit group (see `group`).
    SqliteGroup(crate::group::GroupTx),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same query body against whichever backend a pool or transaction holds.
/// `$1`-style placeholders and `INSERT … RETURNING` work on both, so most SQL is shared.
macro_rules! on_pool {
    ($pool:expr, |$c:ident| $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($c) => $body,
            $crate::db::Pool::Postgres($c) => $body,
        }
    };
}
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::SqliteGroup(g) => {
                let $c = g.conn();
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use {on_pool, on_tx};

impl Db {
    /// Opens (creating if missing) the SQLite database at `path` with WAL and the given settings.
    pub async fn open_sqlite(path: &Path, settings: &SqliteSettings) -> Result<Self> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(if settings.synchronous_full {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            })
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(settings.readers.max(1))
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Self {
            group: settings
                .group_commit
                .then(|| crate::group::Group::new(write.clone())),
            read: Pool::Sqlite(read),
            write: Pool::Sqlite(write),
            priority: None,
            counters: Default::default(),
        })
    }

    /// Connects to PostgreSQL with a main pool of up to `max_connections` (and 2 more for
    /// [`Db::begin_priority`]). `search_path`, when given, confines everything to that schema
    /// (the tests use one schema per test). A server on this host is reached without TLS unless
    /// the URL or `PGSSLMODE` asks for it (see [`postgres_options`]).
    pub async fn connect_postgres(
        url: &str,
        search_path: Option<&str>,
        max_connections: u32,
    ) -> Result<Self> {
        let mut opts = postgres_options(url, std::env::var_os("PGSSLMODE").is_some())?;
        if let Some(schema) = search_path {
            opts = opts.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts.clone())
            .await?;
        let priority = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(opts);
        Ok(Self {
            group: None,
            priority: Some(priority),
            read: Pool::Postgres(pool.clone()),
            write: Pool::Postgres(pool),
            counters: Default::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.write {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend() {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        let m = self.migrator();
        on_pool!(&self.write, |p| m.run(p).await)?;
        Ok(())
    }

    /// Versions of the migrations this binary knows, in order.
    pub fn known_migrations(&self) -> Vec<i64> {
        self.migrator().iter().map(|m| m.version).collect()
    }

    /// True when the database answers and every known migration has been applied.
    pub async fn is_ready(&self) -> bool {
        let applied: Result<Vec<i64>, sqlx::Error> = on_pool!(&self.read, |p| {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(p)
                .await
        });
        match applied {
            Ok(applied) => self.known_migrations().iter().all(|v| applied.contains(v)),
            Err(_) => false,
        }
    }

    /// Starts a transaction on the writer.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.write {
            Pool::Sqlite(_) if let Some(g) = &self.group => Tx::SqliteGroup(g.begin().await?),
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Starts a write transaction that others are waiting on (a routing step deciding
    /// conversations already accepted). On PostgreSQL it takes a connection from a small pool of
    /// its own, so it never queues behind the main pool's backlog. SQLite's single writer gets no
    /// such lane: steps that waited there decided larger batches, and going first made them many
    /// small ones that took the writer longer in all (docs/benchmarks.md).
    pub async fn begin_priority(&self) -> Result<Tx> {
        match &self.priority {
            Some(p) => Ok(Tx::Postgres(p.begin().await?)),
            None => self.begin().await,
        }
    }

    /// Closes every connection (on shutdown, so SQLite checkpoints the WAL).
    pub async fn close(&self) {
        on_pool!(&self.read, |p| p.close().await);
        on_pool!(&self.write, |p| p.close().await);
        if let Some(p) = &self.priority {
            p.close().await;
        }
    }
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) | Tx::SqliteGroup(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::SqliteGroup(g) => g.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// The connection options for `url`. libpq's and sqlx's default, `sslmode=prefer`, encrypts
/// whenever the server offers TLS — on a loopback address too, where the traffic never leaves
/// the host and encryption protects nothing but costs every round trip (measured: a burst of
/// 1,000 new conversations was decided within 0.6–0.7 s over TLS on 127.0.0.1, 0.2–0.3 s
/// without). So when neither the URL's `sslmode` nor `PGSSLMODE` (`env_ssl_mode`) chooses, a
/// loopback host or a Unix socket is reached without TLS; any other host keeps `prefer`.
pub fn postgres_options(url: &str, env_ssl_mode: bool) -> Result<PgConnectOptions> {
    let opts = PgConnectOptions::from_str(url)?;
    let chosen = env_ssl_mode
        || url.split_once('?').is_some_and(|(_, q)| {
            q.split('&')
                .any(|kv| matches!(kv.split('=').next(), Some("sslmode" | "ssl-mode")))
        });
    let host = opts.get_host();
    let local = opts.get_socket().is_some()
        || host.starts_with('/')
        || host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    Ok(if !chosen && local {
        opts.ssl_mode(PgSslMode::Disable)
    } else {
        opts
    })
}

impl Tx {
    /// Marks a point inside the transaction to roll back to on its own (`rollback_to`) without
    /// losing the work before it; `release` keeps the work and forgets the mark. Names must be
    /// plain identifiers.
    pub async fn savepoint(&mut self, name: &str) -> Result<()> {
        self.exec(&format!("SAVEPOINT {name}")).await
    }

    pub async fn rollback_to(&mut self, name: &str) -> Result<()> {
        self.exec(&format!("ROLLBACK TO SAVEPOINT {name}")).await
    }

    pub async fn release(&mut self, name: &str) -> Result<()> {
        self.exec(&format!("RELEASE SAVEPOINT {name}")).await
    }

    async fn exec(&mut self, sql: &str) -> Result<()> {
        debug_assert!(
            sql.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'_')
        );
        on_tx!(self, |c| sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(c)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(url: &str, env: bool) -> PgSslMode {
        postgres_options(url, env)
            .expect("a valid URL")
            .get_ssl_mode()
    }

    #[test]
    fn a_server_on_this_host_is_reached_without_tls_unless_asked() {
        for url in [
            "postgres://u@127.0.0.1/db",
            "postgres://u@127.0.0.1:5432/db",
            "postgres://u@127.8.9.10/db",
            "postgres://u@localhost/db",
            "postgres://u@LOCALHOST:5433/db?application_name=x",
            "postgres://u@[::1]:5432/db",
            "postgres://u@localhost/db?host=/var/run/postgresql",
        ] {
            assert!(matches!(mode(url, false), PgSslMode::Disable), "{url}");
        }
        // Another host keeps the default; a choice in the URL or the environment is kept.
        assert!(matches!(
            mode("postgres://u@db.example.com/db", false),
            PgSslMode::Prefer
        ));
        assert!(matches!(
            mode("postgres://u@10.0.0.5/db", false),
            PgSslMode::Prefer
        ));
        assert!(matches!(
            mode("postgres://u@127.0.0.1/db?sslmode=require", false),
            PgSslMode::Require
        ));
        assert!(matches!(
            mode("postgres://u@localhost/db?x=1&sslmode=prefer", false),
            PgSslMode::Prefer
        ));
        assert!(matches!(
            mode("postgres://u@127.0.0.1/db?ssl-mode=verify-full", false),
            PgSslMode::VerifyFull
        ));
        assert!(!matches!(
            mode("postgres://u@127.0.0.1/db", true),
            PgSslMode::Disable
        ));
    }

    /// Against the test server (TLS is on in this machine's PostgreSQL, Debian's default): the
    /// pool's sessions are plain, and asking for TLS in the URL still gets it.
    #[tokio::test]
    async fn loopback_sessions_are_plain_and_an_explicit_sslmode_is_honoured() {
        let url = std::env::var("YINGKE_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let local = ["@127.0.0.1", "@localhost", "@[::1]"]
            .iter()
            .any(|h| url.contains(h));
        if !local || url.contains("sslmode") || std::env::var_os("PGSSLMODE").is_some() {
            return; // a test server elsewhere, or TLS chosen: nothing of this rule applies
        }
        let encrypted = |url: String| async move {
            let db = Db::connect_postgres(&url, None, 1).await.expect("connect");
            let Pool::Postgres(p) = &db.read else {
                unreachable!()
            };
            let on: bool =
                sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                    .fetch_one(p)
                    .await
                    .expect("pg_stat_ssl");
            let offered: String = sqlx::query_scalar("SHOW ssl")
                .fetch_one(p)
                .await
                .expect("ssl");
            db.close().await;
            (on, offered == "on")
        };
        let (on, offered) = encrypted(url.clone()).await;
        assert!(!on, "a loopback session was encrypted");
        if offered {
            let sep = if url.contains('?') { '&' } else { '?' };
            let (on, _) = encrypted(format!("{url}{sep}sslmode=require")).await;
            assert!(on, "sslmode=require in the URL was not honoured");
        }
    }
}
