//! Two instances on one PostgreSQL routing a burst of conversations for one account at the same
//! time: nobody goes above capacity and no conversation is assigned twice.

mod support;

use std::collections::BTreeMap;

use serde_json::{Value, json};
use support::{Admin, serve, temp_dir};
use yingke_testkit::{PgDatabase, Ws};

const EMAIL: &str = "owner@routing.example";
const PASSWORD: &str = "routing-password-1";
const AGENTS: usize = 5;
const CAPACITY: i64 = 2;
const CONVERSATIONS: usize = 30;

/// A visitor session on `addr` that says one thing; answers the conversation id.
async fn visitor_says(addr: String, key: String, i: usize) -> i64 {
    let session: Value = reqwest::Client::new()
        .post(format!("{addr}/api/v1/widget/{key}/sessions"))
        .json(&json!({}))
        .send()
        .await
        .expect("session")
        .json()
        .await
        .expect("json");
    let token = session["visitor_token"].as_str().expect("token");
    let url = format!(
        "{}/api/v1/widget/ws?token={token}",
        addr.replace("http://", "ws://")
    );
    let mut ws = Ws::connect(&url, None).await.expect("visitor socket");
    ws.expect("welcome").await;
    ws.send(json!({"type": "send", "client_id": format!("m{i}"), "text": format!("你好 {i}")}))
        .await;
    ws.expect("ack").await["conversation_id"]
        .as_i64()
        .expect("conversation id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_routed_through_two_instances_never_exceeds_capacity_or_double_assigns() {
    let pg = PgDatabase::create().await;
    let dirs = (temp_dir(), temp_dir());
    let start = |dir: &std::path::Path| {
        let dir = dir.to_string_lossy().into_owned();
        serve(&[
            ("DATABASE_URL", pg.url.as_str()),
            (
                "YINGKE_SECRET_KEY",
                "routing-cluster-secret-0123456789abcdef",
            ),
            ("YINGKE_ADMIN_EMAIL", EMAIL),
            ("YINGKE_ADMIN_PASSWORD", PASSWORD),
            ("YINGKE_DATA_DIR", dir.as_str()),
        ])
    };
    let a = start(&dirs.0);
    let b = start(&dirs.1);
    let admin = Admin::sign_in(&a.addr, EMAIL, PASSWORD).await;

    let mut agents = Vec::new();
    for i in 0..AGENTS {
        let u = admin
            .call(
                reqwest::Method::POST,
                "/api/v1/users",
                Some(
                    json!({"email": format!("agent{i}@routing.example"), "name": format!("客服{i}"),
                    "role": "agent", "password": PASSWORD}),
                ),
            )
            .await;
        let id = u["id"].as_i64().expect("user id");
        admin
            .call(
                reqwest::Method::PATCH,
                &format!("/api/v1/agents/{id}"),
                Some(json!({"status": "online", "capacity": CAPACITY})),
            )
            .await;
        agents.push(id);
    }
    // The owner stays offline, so only the agents take conversations.
    let ch = admin
        .call(
            reqwest::Method::POST,
            "/api/v1/channels",
            Some(json!({"name": "官网"})),
        )
        .await;
    let key = ch["public_key"].as_str().expect("key").to_owned();

    // The burst: half the visitors on each instance, all at once.
    let tasks: Vec<_> = (0..CONVERSATIONS)
        .map(|i| {
            let addr = if i % 2 == 0 { &a.addr } else { &b.addr }.clone();
            tokio::spawn(visitor_says(addr, key.clone(), i))
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.expect("visitor task"));
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), CONVERSATIONS);

    let mut per_agent: BTreeMap<i64, i64> = BTreeMap::new();
    let mut queued = 0;
    for id in &ids {
        let d = admin
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/conversations/{id}/routing"),
                None,
            )
            .await;
        let items = d["items"].as_array().expect("items");
        assert_eq!(
            items.len(),
            1,
            "conversation {id} decided exactly once: {d}"
        );
        let c = admin
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/conversations/{id}"),
                None,
            )
            .await;
        match (items[0]["outcome"].as_str(), c["assignee_id"].as_i64()) {
            (Some("assigned"), Some(agent)) => {
                assert_eq!(items[0]["agent_id"].as_i64(), Some(agent));
                *per_agent.entry(agent).or_default() += 1;
            }
            (Some("queued"), None) => queued += 1,
            other => panic!("conversation {id}: inconsistent decision and state {other:?}"),
        }
    }
    for (agent, n) in &per_agent {
        assert!(
            agents.contains(agent),
            "only online agents get conversations"
        );
        assert!(
            *n <= CAPACITY,
            "agent {agent} holds {n} > capacity {CAPACITY}"
        );
    }
    let slots = (AGENTS as i64) * CAPACITY;
    assert_eq!(
        per_agent.values().sum::<i64>(),
        slots,
        "every free slot was used"
    );
    assert_eq!(queued, CONVERSATIONS as i64 - slots);
    let list = admin
        .call(reqwest::Method::GET, "/api/v1/agents", None)
        .await;
    for a in list["items"].as_array().expect("items") {
        assert!(
            a["load"].as_i64() <= a["effective_capacity"].as_i64(),
            "{a}"
        );
    }
    drop((a, b));
}
