//! The command line: `serve` (the default), `migrate`, `admin create-user`, `default-config`,
//! `openapi`.

use std::sync::Arc;

use anyhow::{Context, anyhow};
use clap::{Parser, Subcommand};
use yingke_app::{App, AppError, FirstOwner, Keyring, Settings, SystemClock, users::CreateUser};
use yingke_core::{AccountId, Email, Locale, Password, PersonName, Role};
use yingke_store::{Db, SqliteSettings};

use crate::config::{Config, DEFAULT_CONFIG, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "yingke",
    version,
    about = "Yingke (迎客): self-hosted customer service"
)]
pub struct Cli {
    #[command(flatten)]
    overrides: Overrides,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default): apply migrations, create the first owner if needed, serve.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Operator commands that work on the database directly.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print a commented yingke.toml with every default.
    DefaultConfig,
    /// Print the OpenAPI 3.1 document as JSON.
    Openapi,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a user. Without --password one is generated and printed once.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// owner, admin, supervisor or agent
        #[arg(long, default_value = "agent")]
        role: String,
        #[arg(long, env = "YINGKE_NEW_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// zh-CN or en
        #[arg(long, default_value = "zh-CN")]
        locale: String,
        /// The account to add the user to; needed only when there are several.
        #[arg(long)]
        account: Option<i64>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::DefaultConfig => {
            print!("{DEFAULT_CONFIG}");
            Ok(())
        }
        Command::Openapi => {
            println!("{}", yingke_api::openapi().to_pretty_json()?);
            Ok(())
        }
        Command::Migrate => {
            let config = Config::load(&cli.overrides)?;
            crate::telemetry::init(config.log_format, &config.log_level);
            let db = open_db(&config).await?;
            db.migrate().await.context("applying migrations")?;
            println!("Migrations applied.");
            db.close().await;
            Ok(())
        }
        Command::Admin { command } => {
            let config = Config::load(&cli.overrides)?;
            crate::telemetry::init(config.log_format, &config.log_level);
            admin(&config, command).await
        }
        Command::Serve => {
            let config = Config::load(&cli.overrides)?;
            crate::telemetry::init(config.log_format, &config.log_level);
            serve(config).await
        }
    }
}

async fn open_db(config: &Config) -> anyhow::Result<Db> {
    match &config.database_url {
        Some(url) => Db::connect_postgres(url.expose(), None, config.postgres_max_connections)
            .await
            .context("connecting to PostgreSQL"),
        None => {
            std::fs::create_dir_all(&config.data_dir).with_context(|| {
                format!("creating the data directory {}", config.data_dir.display())
            })?;
            let settings = SqliteSettings {
                synchronous_full: config.sqlite_synchronous_full,
                ..Default::default()
            };
            Db::open_sqlite(&config.data_dir.join("yingke.db"), &settings)
                .await
                .context("opening the SQLite database")
        }
    }
}

async fn ready_app(config: &Config) -> anyhow::Result<App> {
    let db = open_db(config).await?;
    db.migrate().await.context("applying migrations")?;
    let keys = Keyring::from_master(load_secret_key(config)?.as_bytes());
    let files = yingke_store::LocalFiles::new(config.data_dir.join("attachments"));
    let settings = Settings {
        public_url: config.public_url.clone(),
        notify_send_window: config.notify_send_window,
        ..Settings::default()
    };
    Ok(App::new(db, Arc::new(SystemClock), settings, keys)
        .with_files(files)
        .with_notifier(Arc::new(yingke_notify::Adapters::new())))
}

/// The configured secret, or the one in `<data dir>/secret.key`, created on first use.
fn load_secret_key(config: &Config) -> anyhow::Result<String> {
    if let Some(k) = &config.secret_key {
        return Ok(k.expose().to_owned());
    }
    let path = config.data_dir.join("secret.key");
    if let Ok(k) = std::fs::read_to_string(&path) {
        return Ok(k.trim().to_owned());
    }
    if config.database_url.is_some() {
        tracing::warn!(
            "no YINGKE_SECRET_KEY: generating {}; every instance must share it",
            path.display()
        );
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    let key = yingke_app::keyring::random_secret_hex();
    write_private(&path, &key).with_context(|| format!("writing {}", path.display()))?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let hub = yingke_realtime::Hub::new();
    let publisher: Arc<dyn yingke_app::Publisher> = match &config.nats_url {
        Some(url) => yingke_realtime::NatsFanout::start(url, hub.clone())
            .await
            .with_context(|| format!("connecting to NATS at {url}"))?,
        None => hub.clone(),
    };
    let app = ready_app(&config).await?.with_publisher(publisher);
    let owner = FirstOwner {
        email: Email::parse(&config.admin_email)
            .map_err(|e| anyhow!("YINGKE_ADMIN_EMAIL {}", e))?,
        password: config
            .admin_password
            .as_ref()
            .map(|p| Password::parse(p.expose()))
            .transpose()
            .map_err(|e| anyhow!("YINGKE_ADMIN_PASSWORD {}", e))?,
        account_name: config.account_name.clone(),
    };
    let bootstrapped = app.bootstrap(owner).await.map_err(app_error)?;
    // Routing's background work: retries, queue drains, overflow, reassignment, auto-away.
    let sweeper = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = sweeper.routing_tick().await {
                tracing::warn!(error = %e, "routing sweep failed");
            }
        }
    });

    // The durable scheduler: SLA clocks, threshold refreshes, probes.
    tokio::spawn(app.clone().run_scheduler());
    // Sends notices: e-mail, SMS, IM; retries, confirmation deadlines, failover.
    tokio::spawn(app.clone().run_dispatcher());

    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let state = yingke_api::AppState {
        app: app.clone(),
        hub,
        metrics: yingke_api::metrics_handle(),
        http: yingke_api::HttpSettings {
            secure_cookies: config.secure_cookies,
            trust_proxy_headers: config.trust_proxy_headers,
            body_limit: config.body_limit_bytes,
        },
    };
    let router = yingke_api::router(state, crate::web::router());
    let backend = if config.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("Yingke is listening on http://{addr} ({backend})");
    if let Some(b) = bootstrapped {
        println!(
            "Created the first account (id {}) and its owner.",
            b.account_id
        );
        match b.generated_password {
            Some(pw) => println!(
                "Sign in as {} with the password {pw} — shown only this once; change it under 个人设置 / Profile.",
                b.email
            ),
            None => println!(
                "Sign in as {} with the configured YINGKE_ADMIN_PASSWORD.",
                b.email
            ),
        }
    }
    tracing::info!(%addr, backend, "serving");
    yingke_api::serve(listener, router, shutdown_signal()).await?;
    tracing::info!("stopped accepting requests; closing the database");
    app.db().close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested; draining in-flight requests");
}

async fn admin(config: &Config, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::CreateUser {
            email,
            name,
            role,
            password,
            locale,
            account,
        } => {
            let generated = password.is_none();
            let password = password.unwrap_or_else(yingke_app::generate_password);
            let input = CreateUser {
                email: Email::parse(&email).map_err(|e| anyhow!("--email {e}"))?,
                name: PersonName::parse(&name).map_err(|e| anyhow!("--name {e}"))?,
                role: Role::parse(&role).map_err(|e| anyhow!("--role {e}"))?,
                password: Password::parse(&password).map_err(|e| anyhow!("--password {e}"))?,
                locale: Locale::parse(&locale).map_err(|e| anyhow!("--locale {e}"))?,
            };
            let app = ready_app(config).await?;
            let user = app
                .create_user_as_operator(account.map(AccountId), input)
                .await
                .map_err(app_error)?;
            println!(
                "Created {} ({}) with id {} in account {}.",
                user.email,
                user.role.as_str(),
                user.id,
                user.account_id
            );
            if generated {
                println!("Password (shown only this once): {password}");
            }
            app.db().close().await;
            Ok(())
        }
    }
}

fn app_error(e: AppError) -> anyhow::Error {
    match e {
        AppError::Conflict { field } => anyhow!("that {field} is already taken"),
        AppError::Validation(errors) => anyhow!(
            "invalid input: {}",
            errors
                .into_vec()
                .into_iter()
                .map(|e| format!("{} {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow!("{other}"),
    }
}
