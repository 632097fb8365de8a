//! `yingke-bench`: load generators that talk to a running Yingke over HTTP and WebSockets, and
//! print one JSON object as their last line. Targets live here, never in timed tests.
//!
//! `chat`: signs in as the owner (YINGKE_ADMIN_EMAIL / YINGKE_ADMIN_PASSWORD), creates its own
//! channel and agents, opens V visitor and A agent sockets, drives R messages per second (half from
//! visitors, half agents' replies) for S seconds, and measures acknowledgement and delivery.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Context, anyhow, bail};
use clap::{Parser, Subcommand};
use futures_util::{SinkExt, StreamExt, stream};
use hdrhistogram::Histogram;
use rand::Rng;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

mod notify;
mod routing;
mod scan;
mod timers;

#[derive(Parser)]
#[command(name = "yingke-bench", about = "Load generators for Yingke")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Visitors and agents chatting over WebSockets.
    Chat {
        /// The server, e.g. http://127.0.0.1:8080
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 100)]
        visitors: usize,
        #[arg(long, default_value_t = 10)]
        agents: usize,
        /// Messages per second, both directions together.
        #[arg(long, default_value_t = 100)]
        rate: u32,
        /// Seconds of load.
        #[arg(long, default_value_t = 10)]
        duration: u64,
        /// The server's process id, to report its memory.
        #[arg(long)]
        server_pid: Option<u32>,
    },
    /// A burst of new conversations routed to agents in teams by rules.
    Routing {
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 50)]
        agents: usize,
        #[arg(long, default_value_t = 5)]
        teams: usize,
        #[arg(long, default_value_t = 1000)]
        conversations: usize,
        /// Spread the arrivals over this many milliseconds.
        #[arg(long, default_value_t = 1000)]
        burst_ms: u64,
        /// Each agent's capacity.
        #[arg(long, default_value_t = 10)]
        capacity: i64,
    },
    /// A customer-state automation scan over many contacts, and the exact to-dos it creates.
    Scan {
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 100_000)]
        contacts: usize,
        /// Agents owning the contacts.
        #[arg(long, default_value_t = 10)]
        agents: usize,
        /// Contacts per import call (at most 1000).
        #[arg(long, default_value_t = 1000)]
        batch: usize,
    },
    /// Customer notices across a `kill -9` during a burst: none lost, duplicates counted.
    Notify {
        /// The `yingke` binary to start (and kill, and start again).
        #[arg(long)]
        spawn: std::path::PathBuf,
        /// PostgreSQL instead of a fresh SQLite data directory (use a fresh database).
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long, default_value_t = 5000)]
        tickets: usize,
        /// Seconds to wait for every notice after the restart.
        #[arg(long, default_value_t = 180)]
        wait: u64,
    },
    /// Probe timers: lateness under a backlog, and exactly-once across a `kill -9` restart.
    Timers {
        /// The `yingke` binary to start (and kill, and start again).
        #[arg(long)]
        spawn: std::path::PathBuf,
        /// PostgreSQL instead of a fresh SQLite data directory (use a fresh database).
        #[arg(long)]
        database_url: Option<String>,
        /// Probe timers in all: a backlog due tomorrow plus the measured window.
        #[arg(long, default_value_t = 1_000_000)]
        timers: usize,
        /// Window probes due per second.
        #[arg(long, default_value_t = 1000)]
        rate: u32,
        /// Seconds of the window; the kill lands in its middle.
        #[arg(long, default_value_t = 60)]
        duration: u64,
    },
}

/// One tracked message.
struct Sent {
    at: Instant,
    acked: Option<Instant>,
    delivered: Option<Instant>,
}

/// The parts of a server frame the bench reads, borrowed from the text.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    client_id: Option<std::borrow::Cow<'a, str>>,
    conversation_id: Option<i64>,
    #[serde(borrow)]
    message: Option<FrameMessage<'a>>,
}

#[derive(Deserialize)]
struct FrameMessage<'a> {
    conversation_id: i64,
    seq: i64,
    #[serde(borrow)]
    client_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    sender: FrameSender<'a>,
}

#[derive(Deserialize)]
struct FrameSender<'a> {
    #[serde(borrow)]
    kind: std::borrow::Cow<'a, str>,
}

#[derive(Default)]
struct Tracker {
    /// `resync` frames: a socket fell behind and would replay from the database.
    resyncs: u64,
    sent: HashMap<String, Sent>,
    /// (receiver, conversation, seq) already seen, to count duplicates.
    seen: HashSet<(usize, i64, i64)>,
    duplicated: u64,
    /// Each visitor's conversation, from its first ack.
    conversations: HashMap<usize, i64>,
}

type Shared = Arc<Mutex<Tracker>>;

fn lock(t: &Shared) -> std::sync::MutexGuard<'_, Tracker> {
    t.lock().unwrap_or_else(|p| p.into_inner())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().scenario {
        Scenario::Chat {
            url,
            visitors,
            agents,
            rate,
            duration,
            server_pid,
        } => chat(&url, visitors, agents, rate, duration, server_pid).await,
        Scenario::Routing {
            url,
            agents,
            teams,
            conversations,
            burst_ms,
            capacity,
        } => {
            routing::run(routing::Params {
                url,
                agents,
                teams,
                conversations,
                burst_ms,
                capacity,
            })
            .await
        }
        Scenario::Scan {
            url,
            contacts,
            agents,
            batch,
        } => {
            scan::run(scan::Params {
                url,
                contacts,
                agents,
                batch,
            })
            .await
        }
        Scenario::Notify {
            spawn,
            database_url,
            tickets,
            wait,
        } => {
            notify::run(notify::Params {
                spawn,
                database_url,
                tickets,
                wait,
            })
            .await
        }
        Scenario::Timers {
            spawn,
            database_url,
            timers,
            rate,
            duration,
        } => {
            timers::run(timers::Params {
                spawn,
                database_url,
                timers,
                rate,
                duration,
            })
            .await
        }
    }
}

/// Signs in; answers the session cookie and CSRF token.
async fn sign_in(
    http: &reqwest::Client,
    url: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<(String, String)> {
    let res = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await?;
    if !res.status().is_success() {
        bail!("sign-in as {email} failed: {}", res.status());
    }
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("no session cookie")?
        .to_owned();
    let body: Value = res.json().await?;
    Ok((
        cookie,
        body["csrf_token"].as_str().unwrap_or_default().to_owned(),
    ))
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    auth: &(String, String),
    body: Value,
) -> anyhow::Result<Value> {
    let res = http
        .post(url)
        .header("cookie", &auth.0)
        .header("x-csrf-token", &auth.1)
        .json(&body)
        .send()
        .await?;
    let status = res.status();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("POST {url}: {status} {v}");
    }
    Ok(v)
}

/// Any method with the session; answers the JSON body (null when empty).
async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    auth: &(String, String),
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let mut req = http
        .request(method.clone(), url)
        .header("cookie", &auth.0)
        .header("x-csrf-token", &auth.1);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await?;
    let status = res.status();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("{method} {url}: {status} {v}");
    }
    Ok(v)
}

/// Opens a socket and runs it: frames to send come in on the returned channel; what arrives is
/// recorded in the tracker under `me` (visitors 0.., agents from 1_000_000).
async fn open_socket(
    ws_url: String,
    cookie: Option<String>,
    me: usize,
    tracker: Shared,
    is_agent: bool,
    visitor: Option<usize>,
) -> anyhow::Result<mpsc::UnboundedSender<String>> {
    let mut req = ws_url.into_client_request()?;
    if let Some(c) = cookie {
        req.headers_mut().insert("cookie", c.parse()?);
    }
    // A small read buffer: tungstenite zero-fills it on every read (tungstenite-rs#547).
    let config =
        tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4096);
    let (socket, _) =
        tokio_tungstenite::connect_async_with_config(req, Some(config), false).await?;
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        while let Some(frame) = rx.recv().await {
            if sink.send(Message::Text(frame.into())).await.is_err() {
                break;
            }
        }
    });
    tokio::spawn(async move {
        while let Some(Ok(msg)) = stream.next().await {
            let Message::Text(text) = msg else { continue };
            let Ok(f) = serde_json::from_str::<Frame<'_>>(text.as_str()) else {
                continue;
            };
            let now = Instant::now();
            match f.kind.as_ref() {
                "ack" => {
                    let mut t = lock(&tracker);
                    if let (Some(v), Some(conv)) = (visitor, f.conversation_id) {
                        t.conversations.entry(v).or_insert(conv);
                    }
                    if let Some(s) = f.client_id.as_deref().and_then(|c| t.sent.get_mut(c)) {
                        s.acked.get_or_insert(now);
                    }
                }
                "message" => {
                    let Some(m) = f.message else { continue };
                    // Count only what crossed to the other side.
                    if (m.sender.kind == "contact") != is_agent {
                        continue;
                    }
                    let mut t = lock(&tracker);
                    if !t.seen.insert((me, m.conversation_id, m.seq)) {
                        t.duplicated += 1;
                    }
                    if let Some(s) = m.client_id.as_deref().and_then(|c| t.sent.get_mut(c)) {
                        s.delivered.get_or_insert(now);
                    }
                }
                "resync" => lock(&tracker).resyncs += 1,
                _ => {}
            }
        }
    });
    Ok(tx)
}

fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    if h.is_empty() {
        0.0
    } else {
        h.value_at_quantile(q) as f64 / 1000.0
    }
}

fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

async fn chat(
    url: &str,
    visitors: usize,
    agents: usize,
    rate: u32,
    duration: u64,
    server_pid: Option<u32>,
) -> anyhow::Result<()> {
    let url = url.trim_end_matches('/').to_owned();
    let ws_base = url.replacen("http", "ws", 1);
    let email = std::env::var("YINGKE_ADMIN_EMAIL").context("set YINGKE_ADMIN_EMAIL")?;
    let password = std::env::var("YINGKE_ADMIN_PASSWORD").context("set YINGKE_ADMIN_PASSWORD")?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let owner = sign_in(&http, &url, &email, &password).await?;
    let run: u32 = rand::rng().random();
    let channel = post(
        &http,
        &format!("{url}/api/v1/channels"),
        &owner,
        json!({"name": format!("bench {run:x}")}),
    )
    .await?;
    let key = channel["public_key"]
        .as_str()
        .context("channel key")?
        .to_owned();
    eprintln!("channel {key}; creating {agents} agents and {visitors} visitors");

    let agent_password = format!("bench-{run:x}-password");
    let mut agent_auth = Vec::new();
    for i in 0..agents {
        let e = format!("agent{i}-{run:x}@bench.example");
        post(&http, &format!("{url}/api/v1/users"), &owner,
             json!({"email": e, "name": format!("坐席{i}"), "role": "agent", "password": agent_password})).await?;
        agent_auth.push(sign_in(&http, &url, &e, &agent_password).await?);
    }
    let tokens: Vec<String> = stream::iter(0..visitors)
        .map(|_| {
            let (http, url, key) = (http.clone(), url.clone(), key.clone());
            async move {
                let v: Value = http
                    .post(format!("{url}/api/v1/widget/{key}/sessions"))
                    .json(&json!({}))
                    .send()
                    .await?
                    .json()
                    .await?;
                v["visitor_token"]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| anyhow!("no visitor token: {v}"))
            }
        })
        .buffer_unordered(64)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;

    let tracker: Shared = Arc::new(Mutex::new(Tracker::default()));
    let mut agent_tx = Vec::new();
    for (i, auth) in agent_auth.iter().enumerate() {
        let tx = open_socket(
            format!("{ws_base}/api/v1/ws"),
            Some(auth.0.clone()),
            1_000_000 + i,
            tracker.clone(),
            true,
            None,
        )
        .await?;
        agent_tx.push(tx);
    }
    let visitor_tx: Vec<_> = stream::iter(tokens.iter().enumerate())
        .map(|(i, token)| {
            open_socket(
                format!("{ws_base}/api/v1/widget/ws?token={token}"),
                None,
                i,
                tracker.clone(),
                false,
                Some(i),
            )
        })
        .buffered(64)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    eprintln!("{} sockets open; opening conversations", agents + visitors);

    // Each visitor opens its conversation (not measured).
    for (i, tx) in visitor_tx.iter().enumerate() {
        let _ = tx.send(
            json!({"type": "send", "client_id": format!("open-{run:x}-{i}"), "text": "你好"})
                .to_string(),
        );
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while lock(&tracker).conversations.len() < visitors && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let conversations: HashMap<usize, i64> = lock(&tracker).conversations.clone();
    if conversations.len() < visitors {
        bail!(
            "only {} of {visitors} conversations opened",
            conversations.len()
        );
    }
    lock(&tracker).seen.clear();
    eprintln!("load: {rate} msg/s for {duration} s");

    let start = Instant::now();
    let total = u64::from(rate) * duration;
    let mut n: u64 = 0;
    let mut rng = rand::rng();
    while n < total {
        let due = (start.elapsed().as_secs_f64() * f64::from(rate)) as u64;
        while n < due.min(total) {
            let cid = format!("b{run:x}-{n}");
            let v = rng.random_range(0..visitors);
            lock(&tracker).sent.insert(
                cid.clone(),
                Sent {
                    at: Instant::now(),
                    acked: None,
                    delivered: None,
                },
            );
            if n.is_multiple_of(2) {
                let _ = visitor_tx[v].send(
                    json!({"type": "send", "client_id": cid, "text": "快递咋还没到"}).to_string(),
                );
            } else {
                let a = rng.random_range(0..agents);
                let _ = agent_tx[a].send(json!({"type": "send", "client_id": cid, "conversation_id": conversations[&v], "text": "马上为您查询"}).to_string());
            }
            n += 1;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    // Let the last acks and deliveries arrive.
    let settle = Instant::now() + Duration::from_secs(10);
    loop {
        let pending = lock(&tracker)
            .sent
            .values()
            .filter(|s| s.acked.is_none() || s.delivered.is_none())
            .count();
        if pending == 0 || Instant::now() > settle {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let t = lock(&tracker);
    let mut ack = Histogram::<u64>::new(3)?;
    let mut deliver = Histogram::<u64>::new(3)?;
    let (mut acked, mut delivered, mut lost) = (0u64, 0u64, 0u64);
    for s in t.sent.values() {
        if let Some(a) = s.acked {
            acked += 1;
            ack.record(a.duration_since(s.at).as_micros() as u64)?;
        }
        if let Some(d) = s.delivered {
            delivered += 1;
            deliver.record(d.duration_since(s.at).as_micros() as u64)?;
        } else if s.acked.is_some() {
            lost += 1;
        }
    }
    let report = json!({
        "scenario": "chat", "visitors": visitors, "agents": agents, "rate": rate, "duration_s": duration,
        "sent": t.sent.len(), "acked": acked, "delivered": delivered, "lost": lost, "duplicated": t.duplicated, "resyncs": t.resyncs,
        "msgs_per_s": ((acked as f64 / elapsed) * 10.0).round() / 10.0,
        "ack_p50_ms": ms(&ack, 0.5), "ack_p99_ms": ms(&ack, 0.99),
        "deliver_p50_ms": ms(&deliver, 0.5), "deliver_p99_ms": ms(&deliver, 0.99),
        "server_rss_mb": server_pid.and_then(rss_mb),
    });
    println!("{report}");
    Ok(())
}
