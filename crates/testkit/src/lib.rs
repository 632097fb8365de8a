//! Test support: [`TestApp`] runs the real HTTP service on port 0 over a fresh database — a new
//! SQLite file, or a new schema in PostgreSQL — with a clock the test controls.
//! [`both_backends!`] turns one test body into a SQLite test and a PostgreSQL test.
//!
//! A dev-dependency only; nothing here ships in the binary.

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
};

use reqwest::{Client, Response};
use serde_json::{Value, json};
use yingke_app::{App, Clock, Keyring, Settings, users::CreateUser};
use yingke_core::{AccountId, Email, Locale, Password, PersonName, Role};
use yingke_store::{Db, SqliteSettings};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where PostgreSQL tests create their schemas.
pub fn postgres_url() -> String {
    std::env::var("YINGKE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A clock that stands still until the test moves it.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start_ms: i64) -> Self {
        Self(AtomicI64::new(start_ms))
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A fresh, migrated database; dropping it removes the SQLite files or the PostgreSQL schema.
pub struct TestDb {
    pub db: Db,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Schema(String),
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let (db, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("yingke-test-{tag}"));
                std::fs::create_dir_all(&dir).expect("create a temp dir");
                let db = Db::open_sqlite(&dir.join("yingke.db"), &SqliteSettings::default())
                    .await
                    .expect("open SQLite");
                (db, Cleanup::Dir(dir))
            }
            Backend::Postgres => {
                let schema = format!("t_{tag}");
                admin_sql(&format!("CREATE SCHEMA {schema}")).await;
                let db = Db::connect_postgres(&postgres_url(), Some(&schema), 16)
                    .await
                    .expect("connect to PostgreSQL (is it running? see scripts/test.sh)");
                (db, Cleanup::Schema(schema))
            }
        };
        db.migrate().await.expect("migrations apply");
        Self { db, cleanup }
    }
}

async fn admin_sql(sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&postgres_url())
        .await
        .expect("connect to PostgreSQL (is it running? see scripts/test.sh)");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await
        .expect("admin SQL runs");
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Schema(schema) => {
                // Drop runs outside async; a short-lived runtime on its own thread does the SQL.
                let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
                let _ = std::thread::spawn(move || {
                    if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        rt.block_on(admin_sql(&sql));
                    }
                })
                .join();
            }
        }
    }
}

pub const OWNER_EMAIL: &str = "owner@a.example";
pub const OWNER_PASSWORD: &str = "owner-password-1";

/// The application served on 127.0.0.1:0 over a fresh database, with one account and its owner.
pub struct TestApp {
    pub base: String,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub account: AccountId,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _db: TestDb,
    files_dir: PathBuf,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        let test_db = TestDb::new(backend).await;
        let clock = Arc::new(ManualClock::new(1_790_000_000_000));
        let hub = yingke_realtime::Hub::new();
        let keys = Keyring::from_master(uuid::Uuid::new_v4().to_string().as_bytes());
        let files_dir =
            std::env::temp_dir().join(format!("yingke-files-{}", uuid::Uuid::new_v4().simple()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr: SocketAddr = listener.local_addr().expect("bound address");
        let settings = Settings {
            public_url: format!("http://{addr}"),
            ..Settings::default()
        };
        let app = App::new(test_db.db.clone(), clock.clone(), settings, keys)
            .with_publisher(hub.clone())
            .with_files(yingke_store::LocalFiles::new(&files_dir))
            .with_notifier(Arc::new(yingke_notify::Adapters::new()));
        let (account, _) = app
            .create_account_with_owner("Account A", user_input(OWNER_EMAIL, "Owner A", Role::Owner))
            .await
            .expect("first account");
        let state = yingke_api::AppState {
            app: app.clone(),
            hub,
            metrics: yingke_api::metrics_handle(),
            http: yingke_api::HttpSettings::default(),
        };
        let router = yingke_api::router(state, axum::Router::new());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(yingke_api::serve(listener, router, async {
            let _ = rx.await;
        }));
        Self {
            base: format!("http://{addr}"),
            app,
            clock,
            account,
            shutdown: Some(tx),
            _db: test_db,
            files_dir,
        }
    }

    /// Fires due timers and sends due notification deliveries until nothing is left to do now.
    pub async fn settle(&self) {
        for _ in 0..10 {
            let t = self.app.fire_due_timers(500).await.expect("timers fire");
            let d = self.app.dispatch_due().await.expect("dispatch");
            if t == 0 && d == 0 {
                return;
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A new, signed-out browser-like client (keeps cookies).
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .build()
            .expect("build an HTTP client")
    }

    /// Signs in through the API; answers a session with the client that holds its cookie.
    pub async fn sign_in(&self, email: &str, password: &str) -> Session {
        let client = self.client();
        let res = client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status(), 200, "sign-in as {email} should succeed");
        let cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("yingke_session="))
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_owned();
        let body: Value = res.json().await.expect("login JSON");
        Session {
            client,
            base: self.base.clone(),
            csrf: body["csrf_token"].as_str().unwrap_or_default().to_owned(),
            user_id: body["user"]["id"].as_i64().unwrap_or_default(),
            cookie,
        }
    }

    /// The owner of the first account, signed in.
    pub async fn owner(&self) -> Session {
        self.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await
    }

    /// Creates a user directly through the use case (as the operator) in `account`.
    pub async fn create_user(&self, account: AccountId, email: &str, role: Role) -> i64 {
        self.app
            .create_user_as_operator(Some(account), user_input(email, email, role))
            .await
            .expect("create user")
            .id
            .0
    }

    /// A second tenant with its own owner (`owner@b.example`), for isolation tests.
    pub async fn second_account(&self) -> (AccountId, Session) {
        let (account, _) = self
            .app
            .create_account_with_owner(
                "Account B",
                user_input("owner@b.example", "Owner B", Role::Owner),
            )
            .await
            .expect("second account");
        (
            account,
            self.sign_in("owner@b.example", OWNER_PASSWORD).await,
        )
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = std::fs::remove_dir_all(&self.files_dir);
    }
}

/// A valid user with the test password.
pub fn user_input(email: &str, name: &str, role: Role) -> CreateUser {
    CreateUser {
        email: Email::parse(email).expect("valid test e-mail"),
        name: PersonName::parse(name).expect("valid test name"),
        role,
        password: Password::parse(OWNER_PASSWORD).expect("valid test password"),
        locale: Locale::ZhCn,
    }
}

/// A signed-in client that sends its CSRF token on changes, as the web UI does.
pub struct Session {
    pub client: Client,
    pub base: String,
    pub csrf: String,
    pub user_id: i64,
    /// The session cookie's value (for sockets, which do not share reqwest's cookie jar).
    pub cookie: String,
}

impl Session {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET request")
    }

    /// Sends `method` with a JSON body (or none) and the CSRF header.
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a valid method");
        let mut req = self
            .client
            .request(method, self.url(path))
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request")
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send("POST", path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.send("PATCH", path, Some(body)).await
    }
    pub async fn put(&self, path: &str) -> Response {
        self.send("PUT", path, None).await
    }
    pub async fn delete(&self, path: &str) -> Response {
        self.send("DELETE", path, None).await
    }
}

/// Reads a response as `(status, JSON body)`; an empty body reads as `null`.
pub async fn json_of(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// Runs each test body once on SQLite and once on PostgreSQL, as `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $crate::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($crate::TestApp::spawn($crate::Backend::Sqlite).await).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    run($crate::TestApp::spawn($crate::Backend::Postgres).await).await
                }
            }
        )*
    };
}

/// Runs each storage test body on a fresh SQLite database and a fresh PostgreSQL schema, as
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_dbs {
    ($(async fn $name:ident($db:ident: Db) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($db: yingke_store::Db) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let t = $crate::TestDb::new($crate::Backend::Sqlite).await;
                    run(t.db.clone()).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let t = $crate::TestDb::new($crate::Backend::Postgres).await;
                    run(t.db.clone()).await
                }
            }
        )*
    };
}

/// Every stored session and token hash (to prove no secret is stored in the clear).
pub async fn stored_secrets(db: &Db) -> Vec<String> {
    yingke_store::credentials::all_hashes_for_tests(db)
        .await
        .expect("read hashes")
}

/// A fresh PostgreSQL database for tests that run the binary (which takes a plain URL);
/// dropped with the guard.
pub struct PgDatabase {
    pub url: String,
    name: String,
}

impl PgDatabase {
    pub async fn create() -> Self {
        let name = format!("yingke_bin_{}", uuid::Uuid::new_v4().simple());
        admin_sql(&format!("CREATE DATABASE {name}")).await;
        let base = postgres_url();
        let url = match base.rsplit_once('/') {
            Some((server, _db)) => format!("{server}/{name}"),
            None => panic!("YINGKE_TEST_DATABASE_URL has no database part: {base}"),
        };
        Self { url, name }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(admin_sql(&sql));
            }
        })
        .join();
    }
}

/// A WebSocket client speaking the real-time protocol's JSON frames.
pub struct Ws {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Ws {
    /// Connects to `url` (ws://…), with `cookie` as the Cookie header when given.
    pub async fn connect(url: &str, cookie: Option<&str>) -> Result<Self, String> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = url.into_client_request().map_err(|e| e.to_string())?;
        if let Some(c) = cookie {
            req.headers_mut()
                .insert("cookie", c.parse().map_err(|_| "bad cookie".to_owned())?);
        }
        let (stream, _) = tokio_tungstenite::connect_async(req)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self { stream })
    }

    pub async fn send(&mut self, frame: Value) {
        use futures_util::SinkExt;
        self.stream
            .send(tokio_tungstenite::tungstenite::Message::Text(
                frame.to_string().into(),
            ))
            .await
            .expect("send a frame");
    }

    pub async fn send_raw(&mut self, text: String) {
        use futures_util::SinkExt;
        let _ = self
            .stream
            .send(tokio_tungstenite::tungstenite::Message::Text(text.into()))
            .await;
    }

    /// The next JSON frame within `ms`, or `None` (timeout or closed).
    pub async fn next_within(&mut self, ms: u64) -> Option<Value> {
        use futures_util::StreamExt;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(ms);
        loop {
            let msg = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??;
            match msg.ok()? {
                tokio_tungstenite::tungstenite::Message::Text(t) => {
                    return serde_json::from_str(t.as_str()).ok();
                }
                tokio_tungstenite::tungstenite::Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// The next frame of `kind`, skipping others, within 5 s.
    pub async fn expect(&mut self, kind: &str) -> Value {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        while tokio::time::Instant::now() < deadline {
            if let Some(f) = self.next_within(5000).await {
                if f["type"] == kind {
                    return f;
                }
            } else {
                break;
            }
        }
        panic!("no {kind} frame arrived");
    }

    /// The next frame of `kind` satisfying `pred`, skipping others, within 5 s.
    pub async fn expect_where(&mut self, kind: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        while tokio::time::Instant::now() < deadline {
            match self.next_within(5000).await {
                Some(f) if f["type"] == kind && pred(&f) => return f,
                Some(_) => continue,
                None => break,
            }
        }
        panic!("no matching {kind} frame arrived");
    }

    /// Frames until `ms` pass without one.
    pub async fn drain(&mut self, ms: u64) -> Vec<Value> {
        let mut out = Vec::new();
        while let Some(f) = self.next_within(ms).await {
            out.push(f);
        }
        out
    }

    /// Whether the server closed the socket (within 2 s).
    pub async fn closed(&mut self) -> bool {
        use futures_util::StreamExt;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) => return true,
                Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }
}

/// hex(HMAC-SHA256(secret, user_id)): what an embedding site's server computes.
pub fn identity_hmac(secret: &str, user_id: &str) -> String {
    use hmac::{Mac, digest::KeyInit};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("any key length");
    mac.update(user_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A web-widget channel created through the API, and a way to start visitor sessions on it.
pub struct WidgetChannel {
    pub id: i64,
    pub key: String,
    pub base: String,
}

impl WidgetChannel {
    pub async fn create(admin: &Session, settings: Value) -> Self {
        let res = admin
            .post(
                "/api/v1/channels",
                json!({"name": "官网", "settings": settings}),
            )
            .await;
        let (status, body) = json_of(res).await;
        assert_eq!(status, 201, "create channel: {body}");
        Self {
            id: body["id"].as_i64().expect("channel id"),
            key: body["public_key"].as_str().expect("public key").to_owned(),
            base: admin.base.clone(),
        }
    }

    /// Starts a visitor session with `body`; answers (status, body).
    pub async fn session(&self, body: Value) -> (u16, Value) {
        let res = Client::new()
            .post(format!("{}/api/v1/widget/{}/sessions", self.base, self.key))
            .json(&body)
            .send()
            .await
            .expect("session request");
        json_of(res).await
    }

    /// A fresh anonymous visitor's token.
    pub async fn visitor(&self) -> String {
        let (status, body) = self
            .session(json!({"page": {"url": "https://shop.example/", "title": "首页"}}))
            .await;
        assert_eq!(status, 200, "{body}");
        body["visitor_token"].as_str().expect("token").to_owned()
    }

    /// The visitor's socket, after `welcome`.
    pub async fn socket(&self, token: &str) -> Ws {
        let url = format!(
            "{}/api/v1/widget/ws?token={token}",
            self.base.replace("http://", "ws://")
        );
        let mut ws = Ws::connect(&url, None).await.expect("visitor socket");
        ws.expect("welcome").await;
        ws
    }
}

impl Session {
    /// The agent's socket (cookie-authenticated), after `welcome`.
    pub async fn socket(&self) -> Ws {
        let url = format!("{}/api/v1/ws", self.base.replace("http://", "ws://"));
        let cookie = self.cookie_header();
        let mut ws = Ws::connect(&url, Some(&cookie))
            .await
            .expect("agent socket");
        ws.expect("welcome").await;
        ws
    }

    /// The Cookie header this client would send.
    pub fn cookie_header(&self) -> String {
        format!("yingke_session={}", self.cookie)
    }
}
