//! `notify`: customer notices across a `kill -9`. Starts `yingke serve` itself, points an HTTP SMS
//! channel at a provider inside this process (it records every request by idempotency key),
//! imports N contacts and opens N tickets with SMS consent, then moves all N to "处理中" as fast as
//! the API takes it: each acknowledged move has queued a status notice in its transaction. While
//! the dispatcher is sending them, the server is killed with SIGKILL and started again on the same
//! data. The bench waits until the provider has every notice (or gives up after `--wait` seconds)
//! and reports how many arrived, how many were sent twice, and how long the restart took.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use axum::{Json, Router, extract::State, routing};
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};

use crate::{
    call, post, sign_in,
    timers::{EMAIL, PASSWORD, now_ms, start},
};

pub struct Params {
    pub spawn: PathBuf,
    pub database_url: Option<String>,
    pub tickets: usize,
    pub wait: u64,
}

/// Requests the provider took, by idempotency key.
#[derive(Clone, Default)]
struct Provider {
    got: Arc<Mutex<HashMap<String, u32>>>,
}

impl Provider {
    fn counts(&self) -> (usize, u64) {
        let g = self.got.lock().expect("lock");
        (g.len(), g.values().map(|n| u64::from(*n)).sum())
    }
}

async fn take(State(p): State<Provider>, Json(v): Json<Value>) -> Json<Value> {
    let key = v["idempotency_key"].as_str().unwrap_or("").to_owned();
    *p.got.lock().expect("lock").entry(key.clone()).or_default() += 1;
    Json(json!({ "id": key }))
}

pub async fn run(p: Params) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("yingke-bench-notify-{}", now_ms()));
    std::fs::create_dir_all(&dir)?;
    let result = measure(&p, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn measure(p: &Params, dir: &std::path::Path) -> anyhow::Result<()> {
    let provider = Provider::default();
    let app = Router::new()
        .route("/sms", routing::post(take))
        .with_state(provider.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sms_url = format!("http://{}/sms", l.local_addr()?);
    tokio::spawn(async move { axum::serve(l, app).await });

    let http = reqwest::Client::new();
    let mut server = start(&p.spawn, p.database_url.as_deref(), dir)?;
    let url = server.url.clone();
    let auth = sign_in(&http, &url, EMAIL, PASSWORD).await?;

    // SMS only, no quiet hours: one status notice per ticket.
    post(
        &http,
        &format!("{url}/api/v1/notifications/channels"),
        &auth,
        json!({"kind": "http_sms", "name": "短信", "config": {"url": sms_url}}),
    )
    .await?;
    let rules = call(
        &http,
        reqwest::Method::GET,
        &format!("{url}/api/v1/notifications/rules"),
        &auth,
        None,
    )
    .await?;
    let rule = rules["items"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["trigger"] == "ticket_status_changed"))
        .cloned()
        .context("the default status rule")?;
    let mut spec = rule.clone();
    for k in ["id", "position", "active", "created_at", "updated_at"] {
        spec.as_object_mut().context("rule")?.remove(k);
    }
    spec["media"] = json!(["sms"]);
    call(
        &http,
        reqwest::Method::PUT,
        &format!("{url}/api/v1/notifications/rules/{}", rule["id"]),
        &auth,
        Some(json!({"spec": spec, "position": 0})),
    )
    .await?;
    let mut policy = call(
        &http,
        reqwest::Method::GET,
        &format!("{url}/api/v1/notifications/policy"),
        &auth,
        None,
    )
    .await?;
    policy["dnd"] = Value::Null;
    call(
        &http,
        reqwest::Method::PUT,
        &format!("{url}/api/v1/notifications/policy"),
        &auth,
        Some(policy),
    )
    .await?;

    // N customers with a phone, N tickets with SMS consent.
    let mut contacts = Vec::with_capacity(p.tickets);
    for chunk in (0..p.tickets).collect::<Vec<_>>().chunks(1000) {
        let items: Vec<Value> = chunk
            .iter()
            .map(|i| json!({"external_id": format!("n{i}"), "name": format!("客户{i}"), "phone": format!("139{:08}", i)}))
            .collect();
        let r = post(
            &http,
            &format!("{url}/api/v1/contacts/import"),
            &auth,
            json!({ "contacts": items }),
        )
        .await?;
        contacts.extend(
            r["ids"]
                .as_array()
                .context("ids")?
                .iter()
                .filter_map(Value::as_i64),
        );
    }
    let tickets: Vec<i64> = stream::iter(contacts.iter().copied())
        .map(|c| {
            let (http, auth, url) = (http.clone(), auth.clone(), url.clone());
            async move {
                let t = post(
                    &http,
                    &format!("{url}/api/v1/tickets"),
                    &auth,
                    json!({"title": "订单问题", "contact_id": c, "notify_consent": ["sms"]}),
                )
                .await?;
                t["id"].as_i64().context("ticket id")
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<anyhow::Result<i64>>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;

    // The burst: each ticket moves to 处理中 once; a move cut off by the kill is tried again on
    // the restarted server (refused if it had committed: then its notice is queued already).
    let current = Arc::new(Mutex::new(url.clone()));
    let burst = Instant::now();
    let mover = {
        let (http, auth, current) = (http.clone(), auth.clone(), current.clone());
        let tickets = tickets.clone();
        tokio::spawn(async move {
            stream::iter(tickets)
                .map(|t| {
                    let (http, auth, current) = (http.clone(), auth.clone(), current.clone());
                    async move {
                        loop {
                            let url = current.lock().expect("lock").clone();
                            match post(
                                &http,
                                &format!("{url}/api/v1/tickets/{t}/status"),
                                &auth,
                                json!({"status": "open"}),
                            )
                            .await
                            {
                                Ok(_) => return true,
                                Err(e) if e.to_string().contains(" 422 ") => return false,
                                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                            }
                        }
                    }
                })
                .buffer_unordered(32)
                .collect::<Vec<bool>>()
                .await
        })
    };

    // Kill once a quarter of the notices are out, while moves and sends are both under way.
    while provider.counts().0 < p.tickets / 4 {
        if burst.elapsed() > Duration::from_secs(p.wait) {
            bail!(
                "the provider got {} of {} before the kill point",
                provider.counts().0,
                p.tickets
            );
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.child.kill()?;
    server.child.wait()?;
    let killed = now_ms();
    let at_kill = provider.counts().0;
    server = start(&p.spawn, p.database_url.as_deref(), dir)?;
    let restart_ms = now_ms() - killed;
    *current.lock().expect("lock") = server.url.clone();
    let moved = mover.await?;
    let burst_ms = burst.elapsed().as_millis();
    let retried_after_commit = moved.iter().filter(|m| !**m).count();

    let deadline = Instant::now() + Duration::from_secs(p.wait);
    while provider.counts().0 < p.tickets && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let all_in_ms = now_ms() - killed;
    // Deliveries claimed when the server died are sent again once their 30-second lease ends:
    // wait past it so every second send is counted.
    let settle_until = killed + 40_000;
    tokio::time::sleep(Duration::from_millis(
        (settle_until - now_ms()).max(2000) as u64
    ))
    .await;
    let _ = server.child.kill();
    let _ = server.child.wait();

    let (unique, total) = provider.counts();
    let duplicates = total - unique as u64;
    println!(
        "{}",
        json!({
            "scenario": "notify",
            "backend": if p.database_url.is_some() { "postgres" } else { "sqlite" },
            "tickets": p.tickets,
            "moves_cut_off_after_commit": retried_after_commit,
            "burst_ms": burst_ms,
            "delivered_at_kill": at_kill,
            "restart_ms": restart_ms,
            "delivered": unique,
            "lost": p.tickets.saturating_sub(unique),
            "sent": total,
            "duplicates": duplicates,
            "duplicate_pct": (duplicates as f64 * 100.0 / p.tickets.max(1) as f64 * 1000.0).round() / 1000.0,
            "all_delivered_ms_after_kill": all_in_ms,
        })
    );
    ensure!(unique == p.tickets, "lost {} notices", p.tickets - unique);
    Ok(())
}
