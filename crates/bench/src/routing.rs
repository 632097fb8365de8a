//! `routing`: creates A agents (online, with a capacity) in T teams, an entry point and a rule per
//! team plus a keyword rule, prepares C visitor sockets, then has every visitor send their first
//! message within B milliseconds. Each first message creates a conversation that is routed
//! before the acknowledgement, so the ack marks "decided". Afterwards it reads every decision
//! and every agent's load back through the API and checks capacity and double assignment.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt, stream};
use hdrhistogram::Histogram;
use rand::Rng;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use crate::{call, ms, post, sign_in};

pub struct Params {
    pub url: String,
    pub agents: usize,
    pub teams: usize,
    pub conversations: usize,
    pub burst_ms: u64,
    pub capacity: i64,
}

#[derive(Default)]
struct Acks {
    /// client id → (sent, acked, conversation)
    sent: HashMap<String, (Instant, Option<Instant>, Option<i64>)>,
}

pub async fn run(p: Params) -> anyhow::Result<()> {
    let url = p.url.trim_end_matches('/').to_owned();
    let ws_base = url.replacen("http", "ws", 1);
    let email = std::env::var("YINGKE_ADMIN_EMAIL").context("set YINGKE_ADMIN_EMAIL")?;
    let password = std::env::var("YINGKE_ADMIN_PASSWORD").context("set YINGKE_ADMIN_PASSWORD")?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let owner = sign_in(&http, &url, &email, &password).await?;
    let run: u32 = rand::rng().random();
    let teams = p.teams.max(1);

    let channel = post(
        &http,
        &format!("{url}/api/v1/channels"),
        &owner,
        json!({"name": format!("routing bench {run:x}")}),
    )
    .await?;
    let channel_id = channel["id"].as_i64().context("channel id")?;
    let key = channel["public_key"].as_str().context("key")?.to_owned();
    let mut team_ids = Vec::new();
    for t in 0..teams {
        let team = post(
            &http,
            &format!("{url}/api/v1/teams"),
            &owner,
            json!({"name": format!("路由组 {t} {run:x}")}),
        )
        .await?;
        let id = team["id"].as_i64().context("team id")?;
        team_ids.push(id);
        post(
            &http,
            &format!("{url}/api/v1/channels/{channel_id}/entry-points"),
            &owner,
            json!({"key": format!("e{t}-{run:x}"), "name": format!("入口 {t}"), "campaign": format!("c{t}-{run:x}")}),
        )
        .await?;
        post(
            &http,
            &format!("{url}/api/v1/routing/rules"),
            &owner,
            json!({"name": format!("活动 {t}"), "conditions": {"field": "entry.campaign", "op": "eq", "value": format!("c{t}-{run:x}")},
                   "route": {"teams": [id]}}),
        )
        .await?;
    }
    post(
        &http,
        &format!("{url}/api/v1/routing/rules"),
        &owner,
        json!({"name": "售后关键词", "position": 0,
               "conditions": {"field": "message.text", "op": "contains_any", "value": ["退款", "投诉"]},
               "route": {"teams": [team_ids[0]], "priority": "high"}}),
    )
    .await?;
    let agent_password = format!("bench-{run:x}-password");
    let mut agent_ids = Vec::new();
    for i in 0..p.agents {
        let u = post(
            &http,
            &format!("{url}/api/v1/users"),
            &owner,
            json!({"email": format!("r{i}-{run:x}@bench.example"), "name": format!("路由坐席{i}"),
                   "role": "agent", "password": agent_password}),
        )
        .await?;
        let id = u["id"].as_i64().context("user id")?;
        let team = team_ids[i % teams];
        call(
            &http,
            reqwest::Method::PUT,
            &format!("{url}/api/v1/teams/{team}/members/{id}"),
            &owner,
            None,
        )
        .await?;
        call(
            &http,
            reqwest::Method::PATCH,
            &format!("{url}/api/v1/agents/{id}"),
            &owner,
            Some(json!({"status": "online", "capacity": p.capacity})),
        )
        .await?;
        agent_ids.push(id);
    }
    eprintln!(
        "{} agents in {teams} teams; preparing {} visitors",
        p.agents, p.conversations
    );

    // Sessions and sockets first, so the burst measures routing, not connection setup.
    let acks = Arc::new(Mutex::new(Acks::default()));
    let sockets: Vec<_> = stream::iter(0..p.conversations)
        .map(|i| {
            let (http, url, key, ws_base, acks) = (
                http.clone(),
                url.clone(),
                key.clone(),
                ws_base.clone(),
                acks.clone(),
            );
            async move {
                let v: Value = http
                    .post(format!("{url}/api/v1/widget/{key}/sessions"))
                    .json(&json!({"entry": format!("e{}-{run:x}", i % teams)}))
                    .send()
                    .await?
                    .json()
                    .await?;
                let token = v["visitor_token"].as_str().context("token")?.to_owned();
                let req =
                    format!("{ws_base}/api/v1/widget/ws?token={token}").into_client_request()?;
                let (socket, _) = tokio_tungstenite::connect_async(req).await?;
                let (sink, mut stream) = socket.split();
                tokio::spawn(async move {
                    while let Some(Ok(Message::Text(text))) = stream.next().await {
                        let Ok(f) = serde_json::from_str::<Value>(text.as_str()) else {
                            continue;
                        };
                        if f["type"] == "ack"
                            && let Some(cid) = f["client_id"].as_str()
                        {
                            let now = Instant::now();
                            let mut a = acks.lock().unwrap_or_else(|e| e.into_inner());
                            if let Some(s) = a.sent.get_mut(cid) {
                                s.1.get_or_insert(now);
                                s.2 = f["conversation_id"].as_i64();
                            }
                        }
                    }
                });
                anyhow::Ok(sink)
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;

    // The burst: conversation i arrives at i × B / C milliseconds.
    let n = sockets.len();
    eprintln!("burst: {n} conversations over {} ms", p.burst_ms);
    let start = Instant::now();
    let mut handles = Vec::new();
    for (i, mut sink) in sockets.into_iter().enumerate() {
        let acks = acks.clone();
        let at = start + Duration::from_micros(p.burst_ms * 1000 * i as u64 / n.max(1) as u64);
        handles.push(tokio::spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            let cid = format!("r{i}");
            let text = if i % 10 == 0 {
                "我要退款"
            } else {
                "你好，想咨询一下"
            };
            acks.lock()
                .unwrap_or_else(|e| e.into_inner())
                .sent
                .insert(cid.clone(), (Instant::now(), None, None));
            let frame = json!({"type": "send", "client_id": cid, "text": text}).to_string();
            let _ = sink.send(Message::Text(frame.into())).await;
            sink
        }));
    }
    let mut sinks = Vec::new();
    for h in handles {
        sinks.push(h.await?);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done = acks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .sent
            .values()
            .filter(|s| s.1.is_some())
            .count();
        if done == n || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let (mut within, mut conversations) = (0u64, Vec::new());
    let mut arrival = Histogram::<u64>::new(3)?;
    for (sent, acked, conv) in acks.lock().unwrap_or_else(|e| e.into_inner()).sent.values() {
        if let (Some(a), Some(c)) = (acked, conv) {
            let us = a.duration_since(*sent).as_micros() as u64;
            arrival.record(us)?;
            within = within.max(us / 1000);
            conversations.push(*c);
        }
    }
    // Read back every decision.
    let mut decide = Histogram::<u64>::new(3)?;
    let (mut decided, mut assigned, mut queued, mut double) = (0u64, 0u64, 0u64, 0u64);
    let mut per_agent: HashMap<i64, i64> = HashMap::new();
    let results: Vec<anyhow::Result<Value>> = stream::iter(conversations.iter().copied())
        .map(|c| {
            let (http, url, owner) = (http.clone(), url.clone(), owner.clone());
            async move {
                call(
                    &http,
                    reqwest::Method::GET,
                    &format!("{url}/api/v1/conversations/{c}/routing"),
                    &owner,
                    None,
                )
                .await
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    for r in results {
        let d = r?;
        let items = d["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            continue;
        }
        decided += 1;
        let assignments: Vec<&Value> = items
            .iter()
            .filter(|i| i["outcome"] == "assigned")
            .collect();
        if assignments.len() > 1 {
            double += 1;
        }
        match items[0]["outcome"].as_str() {
            Some("assigned") => {
                assigned += 1;
                if let Some(a) = items[0]["agent_id"].as_i64() {
                    *per_agent.entry(a).or_default() += 1;
                }
            }
            _ => queued += 1,
        }
        for i in &items {
            decide.record(i["duration_us"].as_u64().unwrap_or(0))?;
        }
    }
    let agents: Value = call(
        &http,
        reqwest::Method::GET,
        &format!("{url}/api/v1/agents"),
        &owner,
        None,
    )
    .await?;
    // Above capacity, as the server reports loads and as the decisions add up.
    let mut reported = 0i64;
    for a in agents["items"].as_array().cloned().unwrap_or_default() {
        let (load, cap) = (
            a["load"].as_i64().unwrap_or(0),
            a["effective_capacity"].as_i64().unwrap_or(0),
        );
        reported += (load - cap).max(0);
    }
    let counted = per_agent
        .values()
        .map(|n| (n - p.capacity).max(0))
        .sum::<i64>();
    let over = reported.max(counted);
    drop(sinks);
    if decided == 0 {
        bail!("no conversation was decided");
    }
    println!(
        "{}",
        json!({
            "scenario": "routing",
            "agents": p.agents,
            "teams": teams,
            "capacity": p.capacity,
            "conversations": n,
            "burst_ms": p.burst_ms,
            "decided": decided,
            "assigned": assigned,
            "queued": queued,
            "over_capacity": over,
            "double_assigned": double,
            "decide_p50_ms": ms(&decide, 0.5),
            "decide_p99_ms": ms(&decide, 0.99),
            "decide_max_ms": ms(&decide, 1.0),
            "all_decided_within_ms": within,
            "arrival_to_decided_p50_ms": ms(&arrival, 0.5),
            "arrival_to_decided_p99_ms": ms(&arrival, 0.99),
        })
    );
    Ok(())
}
