//! `timers`: the durable scheduler under load and across `kill -9`.
//!
//! Starts `yingke serve` itself (a fresh data directory, or the given PostgreSQL database), signs
//! in as the owner, schedules a backlog of probe timers due far in the future plus a window of
//! probes due at `rate` per second for `duration` seconds, kills the server with SIGKILL halfway
//! through the window, starts it again on the same data, and reads back every probe firing.
//! Lateness is `fired_at − due_at` for probes due while a server was running; probes due during
//! the outage are reported through `restart_recovery_ms` (kill → the last of them fired).

use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use anyhow::{Context, bail};
use hdrhistogram::Histogram;
use serde_json::{Value, json};

use crate::{call, sign_in};

pub struct Params {
    pub spawn: PathBuf,
    pub database_url: Option<String>,
    pub timers: usize,
    pub rate: u32,
    pub duration: u64,
}

pub(crate) const EMAIL: &str = "bench@yingke.local";
pub(crate) const PASSWORD: &str = "bench-password-1";
/// Probes per scheduling request (the API's maximum).
const BATCH: usize = 5000;
/// Backlog probes are due this far ahead, so they stay pending throughout.
const BACKLOG_AHEAD_MS: i64 = 24 * 3600 * 1000;

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

pub(crate) struct Server {
    pub child: Child,
    pub url: String,
}

/// Starts `yingke serve` on a free port over `dir` (SQLite) or `database_url`, and waits until
/// it listens.
pub(crate) fn start(
    spawn: &std::path::Path,
    database_url: Option<&str>,
    dir: &std::path::Path,
) -> anyhow::Result<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut cmd = Command::new(spawn);
    cmd.arg("serve")
        .env("YINGKE_DATA_DIR", dir)
        .env("YINGKE_LISTEN", format!("127.0.0.1:{port}"))
        .env("YINGKE_ADMIN_EMAIL", EMAIL)
        .env("YINGKE_ADMIN_PASSWORD", PASSWORD)
        .env("YINGKE_LOG", "warn")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", spawn.display()))?;
    let stdout = child.stdout.take().context("stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    loop {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) if line.starts_with("Yingke is listening on ") => {
                return Ok(Server {
                    child,
                    url: format!("http://127.0.0.1:{port}"),
                });
            }
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                bail!("the server did not start");
            }
        }
    }
}

async fn schedule(
    http: &reqwest::Client,
    url: &str,
    auth: &(String, String),
    probes: impl Iterator<Item = (String, i64)>,
) -> anyhow::Result<()> {
    let probes: Vec<(String, i64)> = probes.collect();
    for chunk in probes.chunks(BATCH) {
        let body: Vec<Value> = chunk
            .iter()
            .map(|(k, d)| json!({"key": k, "due_at": d}))
            .collect();
        call(
            http,
            reqwest::Method::POST,
            &format!("{url}/api/v1/ops/probe-timers"),
            auth,
            Some(json!({ "probes": body })),
        )
        .await?;
    }
    Ok(())
}

pub async fn run(p: Params) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("yingke-bench-timers-{}", now_ms()));
    std::fs::create_dir_all(&dir)?;
    let result = measure(&p, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn measure(p: &Params, dir: &std::path::Path) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let mut server = start(&p.spawn, p.database_url.as_deref(), dir)?;
    let auth = sign_in(&http, &server.url, EMAIL, PASSWORD).await?;
    let run = format!("r{}", now_ms());
    let window = (u64::from(p.rate) * p.duration).min(p.timers as u64) as i64;
    let backlog = p.timers as i64 - window;

    let began = std::time::Instant::now();
    let far = now_ms() + BACKLOG_AHEAD_MS;
    schedule(
        &http,
        &server.url,
        &auth,
        (0..backlog).map(|i| (format!("{run}-b{i}"), far + i)),
    )
    .await?;
    eprintln!(
        "scheduled a backlog of {backlog} in {:.1} s",
        began.elapsed().as_secs_f64()
    );

    // The window's probes, due from a few seconds from now at `rate` per second; scheduled in due
    // order, which runs well ahead of the due times.
    let step = 1000.0 / f64::from(p.rate.max(1));
    let t0 = now_ms() + 3000;
    let due = move |i: i64| t0 + (i as f64 * step) as i64;
    let sched = {
        let http = http.clone();
        let url = server.url.clone();
        let auth = auth.clone();
        let run = run.clone();
        tokio::spawn(async move {
            schedule(
                &http,
                &url,
                &auth,
                (0..window).map(|i| (format!("{run}-w{i}"), due(i))),
            )
            .await
        })
    };

    let t_end = due(window);
    let kill_at = t0 + (t_end - t0) / 2;
    tokio::time::sleep(Duration::from_millis((kill_at - now_ms()).max(0) as u64)).await;
    sched.await??;
    server.child.kill()?;
    server.child.wait()?;
    let killed = now_ms();
    eprintln!("killed the server with SIGKILL");
    server = start(&p.spawn, p.database_url.as_deref(), dir)?;
    let ready = now_ms();
    eprintln!("restarted in {} ms", ready - killed);
    let auth = sign_in(&http, &server.url, EMAIL, PASSWORD).await?;

    tokio::time::sleep(Duration::from_millis(
        (t_end + 3000 - now_ms()).max(0) as u64
    ))
    .await;

    // Every firing of this run's window probes.
    let prefix = format!("{run}-w");
    let mut firings: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    let mut after = 0i64;
    loop {
        let page = call(
            &http,
            reqwest::Method::GET,
            &format!(
                "{}/api/v1/ops/probe-timers/firings?after={after}&limit=10000",
                server.url
            ),
            &auth,
            None,
        )
        .await?;
        for f in page["items"].as_array().into_iter().flatten() {
            let key = f["key"].as_str().unwrap_or_default();
            if key.starts_with(&prefix) {
                firings.entry(key.to_owned()).or_default().push((
                    f["due_at"].as_i64().unwrap_or(0),
                    f["fired_at"].as_i64().unwrap_or(0),
                ));
            }
        }
        match page["next_after"].as_i64() {
            Some(n) => after = n,
            None => break,
        }
    }
    let _ = server.child.kill();
    let _ = server.child.wait();

    let mut late = Histogram::<u64>::new(3)?;
    let mut fired_twice = 0u64;
    let mut recovered_at = killed;
    let mut outage = 0u64;
    for f in firings.values() {
        if f.len() > 1 {
            fired_twice += 1;
        }
        let (due_at, fired_at) = f[0];
        if due_at >= killed && due_at < ready || (due_at < killed && fired_at >= killed) {
            outage += 1;
            recovered_at = recovered_at.max(fired_at);
        } else {
            late.record((fired_at - due_at).max(0) as u64)?;
        }
    }
    let fired = firings.len() as i64;
    let ms = |q: f64| late.value_at_quantile(q);
    println!(
        "{}",
        json!({
            "scenario": "timers",
            "backend": if p.database_url.is_some() { "postgres" } else { "sqlite" },
            "scheduled": p.timers,
            "window": window,
            "rate": p.rate,
            "fired": fired,
            "fired_twice": fired_twice,
            "missed": window - fired,
            "late_p50_ms": ms(0.5),
            "late_p90_ms": ms(0.9),
            "late_p99_ms": ms(0.99),
            "late_max_ms": late.max(),
            "due_during_outage": outage,
            "restart_ms": ready - killed,
            "restart_recovery_ms": recovered_at - killed,
        })
    );
    Ok(())
}
