//! Configuration: defaults < `yingke.toml` < environment (`YINGKE_*`, `DATABASE_URL`) < flags.
//! Clap reads the environment and the flags; this module lays them over the file and the defaults.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// A secret from the configuration; `Debug` never shows it.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Self {
        Self(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything `yingke.toml` may say. Unknown keys are an error, so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<Secret>,
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret>,
    pub account_name: Option<String>,
    pub log_format: Option<LogFormat>,
    pub log_level: Option<String>,
    pub secure_cookies: Option<bool>,
    pub trust_proxy_headers: Option<bool>,
    pub body_limit_bytes: Option<usize>,
    pub sqlite_synchronous_full: Option<bool>,
    pub postgres_max_connections: Option<u32>,
    pub secret_key: Option<Secret>,
    pub nats_url: Option<String>,
    pub public_url: Option<String>,
    pub notify_send_window: Option<usize>,
}

/// Values from the environment and flags (clap fills these; `None` = not given).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Overrides {
    /// Configuration file [default: ./yingke.toml when it exists]
    #[arg(long, env = "YINGKE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:8080]
    #[arg(long, env = "YINGKE_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Where the SQLite database and attachments live [default: ./data]
    #[arg(long, env = "YINGKE_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// postgres://… selects PostgreSQL; unset means SQLite in the data dir
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// E-mail of the first owner, created on first start when there are no users
    #[arg(long, env = "YINGKE_ADMIN_EMAIL", global = true)]
    pub admin_email: Option<String>,
    /// Password of the first owner; generated and printed once when unset
    #[arg(
        long,
        env = "YINGKE_ADMIN_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    pub admin_password: Option<String>,
    /// Log format [default: text]
    #[arg(long, env = "YINGKE_LOG_FORMAT", global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Server secret (≥ 32 characters) that seals stored secrets and signs visitor tokens; every
    /// instance must share it [default: generated into <data dir>/secret.key]
    #[arg(long, env = "YINGKE_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,
    /// NATS server for fan-out between instances, e.g. nats://127.0.0.1:4222 [default: none,
    /// in-process only]
    #[arg(long, env = "YINGKE_NATS_URL", global = true)]
    pub nats_url: Option<String>,
    /// Where customers reach this server, for links in notices (ticket page, 不再提醒)
    /// [default: http://<listen>]
    #[arg(long, env = "YINGKE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Log filter, e.g. `info,yingke_app=debug` [default: info]
    #[arg(long, env = "YINGKE_LOG", global = true)]
    pub log_level: Option<String>,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: Option<Secret>,
    pub admin_email: String,
    pub admin_password: Option<Secret>,
    pub account_name: String,
    pub log_format: LogFormat,
    pub log_level: String,
    pub secure_cookies: bool,
    pub trust_proxy_headers: bool,
    pub body_limit_bytes: usize,
    pub sqlite_synchronous_full: bool,
    pub postgres_max_connections: u32,
    pub secret_key: Option<Secret>,
    pub nats_url: Option<String>,
    pub public_url: String,
    pub notify_send_window: usize,
}

pub const DEFAULT_ADMIN_EMAIL: &str = "admin@yingke.local";

/// The main PostgreSQL pool's size by default. Fewer connections suit a burst of new
/// conversations on a small machine (4 on 2 cores decided 1,000 of them fastest); more degrade
/// less under overload (on a slow VM, 4 made chat acks ten times slower) and keep enough
/// statements in flight to a PostgreSQL across a network; docs/benchmarks.md has both.
pub const DEFAULT_POSTGRES_CONNECTIONS: u32 = 16;

impl Config {
    /// Lays the overrides over the file (explicit, or `./yingke.toml` if present) and the defaults.
    pub fn load(o: &Overrides) -> anyhow::Result<Self> {
        let file = match &o.config {
            Some(path) => read_file(path)?,
            None if Path::new("yingke.toml").exists() => read_file(Path::new("yingke.toml"))?,
            None => FileConfig::default(),
        };
        let cfg = Config {
            listen: o
                .listen
                .clone()
                .or(file.listen)
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir: o
                .data_dir
                .clone()
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from("data")),
            database_url: o
                .database_url
                .clone()
                .filter(|s| !s.is_empty())
                .map(Secret::new)
                .or(file.database_url),
            admin_email: o
                .admin_email
                .clone()
                .or(file.admin_email)
                .unwrap_or_else(|| DEFAULT_ADMIN_EMAIL.into()),
            admin_password: o
                .admin_password
                .clone()
                .filter(|s| !s.is_empty())
                .map(Secret::new)
                .or(file.admin_password),
            account_name: file.account_name.unwrap_or_else(|| "迎客".into()),
            log_format: o.log_format.or(file.log_format).unwrap_or(LogFormat::Text),
            log_level: o
                .log_level
                .clone()
                .or(file.log_level)
                .unwrap_or_else(|| "info".into()),
            secure_cookies: file.secure_cookies.unwrap_or(false),
            trust_proxy_headers: file.trust_proxy_headers.unwrap_or(false),
            body_limit_bytes: file.body_limit_bytes.unwrap_or(1024 * 1024),
            notify_send_window: file.notify_send_window.unwrap_or(4),
            sqlite_synchronous_full: file.sqlite_synchronous_full.unwrap_or(true),
            postgres_max_connections: file
                .postgres_max_connections
                .unwrap_or(DEFAULT_POSTGRES_CONNECTIONS),
            secret_key: o
                .secret_key
                .clone()
                .filter(|s| !s.is_empty())
                .map(Secret::new)
                .or(file.secret_key),
            nats_url: o
                .nats_url
                .clone()
                .filter(|s| !s.is_empty())
                .or(file.nats_url),
            public_url: String::new(),
        };
        let mut cfg = cfg;
        cfg.public_url = o
            .public_url
            .clone()
            .filter(|s| !s.is_empty())
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{}", cfg.listen))
            .trim_end_matches('/')
            .to_owned();
        if !(cfg.public_url.starts_with("http://") || cfg.public_url.starts_with("https://")) {
            bail!("YINGKE_PUBLIC_URL must start with http:// or https://");
        }
        if let Some(k) = &cfg.secret_key
            && k.expose().len() < 32
        {
            bail!("YINGKE_SECRET_KEY must be at least 32 characters");
        }
        if !(1..=1000).contains(&cfg.postgres_max_connections) {
            bail!("postgres_max_connections must be between 1 and 1000");
        }
        if !(1..=64).contains(&cfg.notify_send_window) {
            bail!("notify_send_window must be between 1 and 64");
        }
        if let Some(url) = &cfg.database_url
            && !(url.expose().starts_with("postgres://")
                || url.expose().starts_with("postgresql://"))
        {
            bail!("DATABASE_URL must start with postgres:// (unset it to use SQLite)");
        }
        Ok(cfg)
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid configuration in {}", path.display()))
}

/// The commented default configuration printed by `yingke default-config`.
pub const DEFAULT_CONFIG: &str = r#"# yingke.toml — every key is optional; shown with its default.
# Precedence: this file < environment variables < command-line flags.

# Address to listen on (env YINGKE_LISTEN, flag --listen). Port 0 picks a free port.
listen = "127.0.0.1:8080"

# SQLite database and attachments (env YINGKE_DATA_DIR, flag --data-dir).
data_dir = "data"

# PostgreSQL instead of SQLite (env DATABASE_URL, flag --database-url).
# database_url = "postgres://yingke@127.0.0.1/yingke"

# Connections to PostgreSQL in the main pool (routing steps keep 2 more of their own). On a
# 2-core machine sharing PostgreSQL, 4 opens a burst of new conversations fastest while 16
# degrades least when the machine is overloaded or PostgreSQL is across a network
# (docs/benchmarks.md).
postgres_max_connections = 16

# First start only, when there are no users: the owner of the first account
# (env YINGKE_ADMIN_EMAIL / YINGKE_ADMIN_PASSWORD). Without a password one is generated and
# printed once.
admin_email = "admin@yingke.local"
# admin_password = "change me"
account_name = "迎客"

# Logs (env YINGKE_LOG_FORMAT = text | json, YINGKE_LOG = tracing filter).
log_format = "text"
log_level = "info"

# Mark the session cookie Secure; set when Yingke is served over HTTPS.
secure_cookies = false
# Take the client IP from X-Forwarded-For; only behind a reverse proxy you run.
trust_proxy_headers = false
# Largest accepted request body, in bytes.
body_limit_bytes = 1048576
# fsync every SQLite commit (durable). false trades the last commits on power loss for speed.
sqlite_synchronous_full = true

# Server secret (env YINGKE_SECRET_KEY, ≥ 32 characters): seals stored secrets (channel identity
# secrets…) and signs visitor tokens. Unset: generated once into <data_dir>/secret.key. Several
# instances on one PostgreSQL must share the same value.
# secret_key = "…"

# NATS for real-time fan-out between several instances (env YINGKE_NATS_URL).
# nats_url = "nats://127.0.0.1:4222"

# Where customers reach this server: links in e-mails and SMS (ticket page, 不再提醒, open
# tracking) start with it (env YINGKE_PUBLIC_URL). Unset: http://<listen>.
# public_url = "https://support.example.com"

# Notices the dispatcher sends at once (1–64). It is also the most a crash (kill -9, power loss)
# can send twice: a notice the provider took whose answer was not yet recorded goes out again.
# Raise it for a slow provider and large bursts; each repeat carries the same idempotency key.
notify_send_window = 4
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_parses_and_matches_the_defaults() {
        let file: FileConfig = toml::from_str(DEFAULT_CONFIG).expect("the default config parses");
        assert_eq!(file.listen.as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(file.admin_email.as_deref(), Some(DEFAULT_ADMIN_EMAIL));
        assert_eq!(
            file.postgres_max_connections,
            Some(DEFAULT_POSTGRES_CONNECTIONS)
        );
    }

    #[test]
    fn overrides_beat_the_file_which_beats_the_defaults() {
        let dir = std::env::temp_dir().join(format!("yingke-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("yingke.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/yk\"\n")
            .expect("write");
        let mut o = Overrides {
            config: Some(path.clone()),
            ..Default::default()
        };
        let cfg = Config::load(&o).expect("loads");
        assert_eq!(cfg.listen, "0.0.0.0:9000");
        assert_eq!(cfg.data_dir, PathBuf::from("/srv/yk"));
        assert_eq!(cfg.log_format, LogFormat::Text);
        o.listen = Some("127.0.0.1:0".into());
        assert_eq!(Config::load(&o).expect("loads").listen, "127.0.0.1:0");
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn the_postgres_pool_has_a_default_and_takes_the_files_size() {
        let dir = std::env::temp_dir().join(format!("yingke-pool-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("yingke.toml");
        let load = |text: &str| {
            std::fs::write(&path, text).expect("write");
            Config::load(&Overrides {
                config: Some(path.clone()),
                ..Default::default()
            })
        };
        let cfg = load("").expect("loads");
        assert_eq!(cfg.postgres_max_connections, DEFAULT_POSTGRES_CONNECTIONS);
        let cfg = load("postgres_max_connections = 6\n").expect("loads");
        assert_eq!(cfg.postgres_max_connections, 6);
        let err = load("postgres_max_connections = 0\n").expect_err("0 is refused");
        assert!(
            err.to_string().contains("postgres_max_connections"),
            "{err}"
        );
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn unknown_keys_and_foreign_database_urls_are_refused() {
        assert!(toml::from_str::<FileConfig>("lisen = \"x\"").is_err());
        let o = Overrides {
            database_url: Some("mysql://x".into()),
            ..Default::default()
        };
        assert!(Config::load(&o).is_err());
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let o = Overrides {
            admin_password: Some("hunter2-hunter2".into()),
            database_url: Some("postgres://u:pw@h/db".into()),
            ..Default::default()
        };
        let shown = format!("{:?}", Config::load(&o).expect("loads"));
        assert!(!shown.contains("hunter2") && !shown.contains("pw@"));
    }
}
