//! Yingke's use cases: each public method on [`App`] reads like the requirement it serves
//! (sign in, create a user, add a member to a team), checks the actor's role, writes the change and
//! its outbox events in one transaction, and returns domain records.
//!
//! This crate knows nothing of HTTP or of concrete adapters; the outside world comes in through
//! ports (the [`Clock`] now; the bus and notifiers later). Roles are enforced here, not in the UI.

pub mod agent_digest;
pub mod attachments;
pub mod attributes;
pub mod audit;
pub mod auth;
pub mod automation;
mod bootstrap;
pub mod canned;
pub mod channels;
mod clock;
pub mod contacts;
pub mod conversations;
mod error;
pub mod keyring;
pub mod live;
pub mod notice_prefs;
pub mod notifier;
pub mod notify;
mod notify_defaults;
pub mod push;
pub mod routing;
mod secret;
pub mod sla;
pub mod teams;
pub mod tickets;
pub mod timers;
pub mod todos;
pub mod users;
pub mod widget;

use std::sync::Arc;

pub use auth::{LoginInput, NewToken, Principal, SessionCreated, Via};
pub use bootstrap::{Bootstrapped, FirstOwner};
pub use clock::{Clock, SystemClock};
pub use error::{AppError, AppResult};
pub use keyring::Keyring;
pub use live::{Live, NoPublisher, Party, Publisher};
pub use secret::random_password as generate_password;
pub use yingke_store as store;

use yingke_store::Db;

/// Tunables of the use cases; defaults are the documented ones.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long a browser session lasts.
    pub session_ttl_ms: i64,
    /// Failed sign-ins allowed per e-mail and IP within `login_window_ms` before 429.
    pub login_max_failures: i64,
    pub login_window_ms: i64,
    /// Longest message text, in characters.
    pub max_message_chars: usize,
    /// Where customers reach this server (links in notices), without a trailing slash.
    pub public_url: String,
    /// Notices sent at once by the dispatcher; also the most a crash can send twice.
    pub notify_send_window: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            session_ttl_ms: 30 * 24 * 3600 * 1000,
            login_max_failures: 5,
            login_window_ms: 15 * 60 * 1000,
            max_message_chars: 10_000,
            public_url: "http://127.0.0.1:8080".into(),
            notify_send_window: 4,
        }
    }
}

/// The application: the database, the clock, the keys, the real-time port and settings.
/// Cheap to clone.
#[derive(Clone)]
pub struct App {
    db: Db,
    clock: Arc<dyn Clock>,
    settings: Arc<Settings>,
    keys: Arc<Keyring>,
    live: Arc<dyn Publisher>,
    files: Option<yingke_store::LocalFiles>,
    routing_locks: Arc<routing::RoutingLocks>,
    routing_jobs: Arc<routing::RoutingJobs>,
    queue_notices: Arc<routing::QueueNotices>,
    wake: Arc<timers::Wake>,
    notifier: Arc<dyn notifier::Notifier>,
    dispatch_wake: Arc<tokio::sync::Notify>,
    /// The VAPID key and its public half, once loaded (see `push`).
    push_key: Arc<std::sync::OnceLock<Option<push::VapidPair>>>,
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, settings: Settings, keys: Keyring) -> Self {
        Self {
            db,
            clock,
            settings: Arc::new(settings),
            keys: Arc::new(keys),
            live: Arc::new(NoPublisher),
            files: None,
            routing_locks: Arc::default(),
            routing_jobs: Arc::default(),
            queue_notices: Arc::default(),
            wake: Arc::default(),
            notifier: Arc::new(notifier::NoNotifier),
            dispatch_wake: Arc::default(),
            push_key: Arc::default(),
        }
    }

    /// Sends notices through `notifier` (the SMTP, SMS and IM adapters).
    pub fn with_notifier(mut self, notifier: Arc<dyn notifier::Notifier>) -> Self {
        self.notifier = notifier;
        self
    }

    /// Where customers reach this server, for links in notices.
    pub fn public_url(&self) -> &str {
        self.settings.public_url.trim_end_matches('/')
    }

    /// The host part of Message-IDs: the public URL's host.
    pub fn mail_domain(&self) -> String {
        let rest = self.public_url().split("://").nth(1).unwrap_or("localhost");
        let host = rest.split(['/', ':']).next().unwrap_or("localhost");
        if host.is_empty() {
            "localhost".into()
        } else {
            host.to_owned()
        }
    }

    /// Where attachment bytes are kept.
    pub fn with_files(mut self, files: yingke_store::LocalFiles) -> Self {
        self.files = Some(files);
        self
    }

    /// Sends committed changes to connected clients through `publisher`.
    pub fn with_publisher(mut self, publisher: Arc<dyn Publisher>) -> Self {
        self.live = publisher;
        self
    }

    pub fn keys(&self) -> &Keyring {
        &self.keys
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Database reachable and migrations applied.
    pub async fn is_ready(&self) -> bool {
        self.db.is_ready().await
    }
}

impl App {
    /// How long a new session lasts, in seconds (the cookie's Max-Age).
    pub fn session_ttl_secs(&self) -> i64 {
        self.settings.session_ttl_ms / 1000
    }
}
