//! Two instances on one PostgreSQL with NATS: a visitor on one, an agent on the other, and one
//! instance killed mid-conversation. No acknowledged message may be lost.

mod support;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use support::{serve, temp_dir};
use yingke_testkit::{PgDatabase, Ws};

const EMAIL: &str = "owner@cluster.example";
const PASSWORD: &str = "cluster-password-1";

async fn sign_in(addr: &str) -> (String, String) {
    support::session(addr, EMAIL, PASSWORD).await
}

fn ws_url(addr: &str, path: &str) -> String {
    format!("{}{path}", addr.replace("http://", "ws://"))
}

/// Two instances on one fresh PostgreSQL database with NATS at `nats_url`, a channel created
/// through A, an agent socket on B and a visitor socket on A.
struct Cluster {
    pg: PgDatabase,
    dirs: (std::path::PathBuf, std::path::PathBuf),
    a: support::Served,
    b: support::Served,
    token: String,
    agent: Ws,
    visitor: Ws,
}

impl Cluster {
    async fn start(nats_url: &str) -> Self {
        let pg = PgDatabase::create().await;
        let dirs = (temp_dir(), temp_dir());
        let secret = "cluster-test-secret-0123456789abcdef0123";
        let start = |dir: &std::path::Path| {
            let dir = dir.to_string_lossy().into_owned();
            serve(&[
                ("DATABASE_URL", pg.url.as_str()),
                ("YINGKE_NATS_URL", nats_url),
                ("YINGKE_SECRET_KEY", secret),
                ("YINGKE_ADMIN_EMAIL", EMAIL),
                ("YINGKE_ADMIN_PASSWORD", PASSWORD),
                ("YINGKE_DATA_DIR", dir.as_str()),
            ])
        };
        let a = start(&dirs.0);
        let b = start(&dirs.1);

        // A channel, created through instance A.
        let (cookie_a, csrf_a) = sign_in(&a.addr).await;
        let ch: Value = reqwest::Client::new()
            .post(format!("{}/api/v1/channels", a.addr))
            .header("cookie", &cookie_a)
            .header("x-csrf-token", &csrf_a)
            .json(&json!({"name": "官网"}))
            .send()
            .await
            .expect("create channel")
            .json()
            .await
            .expect("json");
        let key = ch["public_key"].as_str().expect("key").to_owned();

        // The agent on instance B, the visitor on instance A.
        let (cookie_b, _) = sign_in(&b.addr).await;
        let mut agent = Ws::connect(&ws_url(&b.addr, "/api/v1/ws"), Some(&cookie_b))
            .await
            .expect("agent socket");
        agent.expect("welcome").await;
        let session: Value = reqwest::Client::new()
            .post(format!("{}/api/v1/widget/{key}/sessions", a.addr))
            .json(&json!({}))
            .send()
            .await
            .expect("session")
            .json()
            .await
            .expect("json");
        let token = session["visitor_token"].as_str().expect("token").to_owned();
        let mut visitor = Ws::connect(
            &ws_url(&a.addr, &format!("/api/v1/widget/ws?token={token}")),
            None,
        )
        .await
        .expect("visitor socket");
        visitor.expect("welcome").await;
        Self {
            pg,
            dirs,
            a,
            b,
            token,
            agent,
            visitor,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_across_two_instances_survives_killing_one() {
    let nats = PrivateNats::start();
    let Cluster {
        pg: _pg,
        dirs: (dir_a, dir_b),
        a,
        b,
        token,
        mut agent,
        mut visitor,
    } = Cluster::start(&nats.url).await;
    let b_addr = b.addr.clone();

    let mut acked: BTreeSet<String> = BTreeSet::new();
    let mut conv = 0;
    for i in 0..10 {
        let cid = format!("v{i}");
        visitor
            .send(json!({"type": "send", "client_id": cid, "text": format!("消息 {i}")}))
            .await;
        let ack = visitor
            .expect_where("ack", |f| f["client_id"] == cid.as_str())
            .await;
        conv = ack["conversation_id"].as_i64().expect("conversation");
        acked.insert(cid);
    }
    // The agent on the other instance saw them live, through NATS.
    let mut live = BTreeSet::new();
    for f in agent.drain(1500).await {
        if f["type"] == "message" {
            live.insert(
                f["message"]["client_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
    }
    assert_eq!(
        live, acked,
        "every message reached the agent on instance B live"
    );

    // And the agent's reply on B reaches the visitor on A.
    agent
        .send(json!({"type": "send", "conversation_id": conv, "client_id": "r1", "text": "您好"}))
        .await;
    agent.expect_where("ack", |f| f["client_id"] == "r1").await;
    visitor
        .expect_where("message", |f| f["message"]["client_id"] == "r1")
        .await;

    // More messages, then instance A dies without warning right after the last ack.
    for i in 10..15 {
        let cid = format!("v{i}");
        visitor
            .send(json!({"type": "send", "client_id": cid, "text": format!("消息 {i}")}))
            .await;
        visitor
            .expect_where("ack", |f| f["client_id"] == cid.as_str())
            .await;
        acked.insert(cid);
    }
    a.kill9();

    // The visitor reconnects to B and resyncs from scratch: everything acknowledged is there,
    // in order, once.
    let mut again = Ws::connect(
        &ws_url(&b_addr, &format!("/api/v1/widget/ws?token={token}")),
        None,
    )
    .await
    .expect("reconnect to B");
    again.expect("welcome").await;
    again.send(json!({"type": "hello", "last_seq": {}})).await;
    let frames = again.drain(1500).await;
    let seqs: Vec<i64> = frames
        .iter()
        .filter(|f| f["type"] == "message")
        .filter_map(|f| f["message"]["seq"].as_i64())
        .collect();
    assert_eq!(
        seqs,
        (1..=16).collect::<Vec<_>>(),
        "16 messages (15 from the visitor, 1 reply), no gap, no duplicate"
    );
    let stored: BTreeSet<String> = frames
        .iter()
        .filter(|f| f["message"]["sender"]["kind"] == "contact")
        .filter_map(|f| f["message"]["client_id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(stored, acked, "no acknowledged message was lost");
    // A resend of an acknowledged message through the surviving instance is still idempotent.
    again
        .send(json!({"type": "send", "client_id": "v14", "text": "消息 14"}))
        .await;
    assert_eq!(
        again.expect("ack").await["seq"],
        16,
        "the reply took seq 11, so v14 is 16"
    );

    b.terminate();
    std::fs::remove_dir_all(dir_a).ok();
    std::fs::remove_dir_all(dir_b).ok();
}

/// A private NATS server on a free port, stopped on drop.
struct PrivateNats {
    child: std::process::Child,
    pub url: String,
    port: u16,
}

impl PrivateNats {
    fn start_on(port: u16) -> Self {
        let child = std::process::Command::new("nats-server")
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nats-server is installed (Debian package nats-server)");
        for _ in 0..50 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Self {
            child,
            url: format!("nats://127.0.0.1:{port}"),
            port,
        }
    }

    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        Self::start_on(port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateNats {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_outage_delays_live_delivery_but_loses_nothing() {
    let mut nats = PrivateNats::start();
    let Cluster {
        pg: _pg,
        dirs: (dir_a, dir_b),
        a,
        b,
        mut agent,
        mut visitor,
        ..
    } = Cluster::start(&nats.url).await;

    visitor
        .send(json!({"type": "send", "client_id": "before", "text": "NATS 正常"}))
        .await;
    let conv = visitor.expect("ack").await["conversation_id"]
        .as_i64()
        .expect("conversation");
    agent
        .expect_where("message", |f| f["message"]["client_id"] == "before")
        .await;

    // NATS goes away: messages are still acknowledged (they are in the database)…
    nats.stop();
    for i in 0..5 {
        let cid = format!("during{i}");
        visitor
            .send(json!({"type": "send", "client_id": cid, "text": "NATS 停了"}))
            .await;
        visitor
            .expect_where("ack", |f| f["client_id"] == cid.as_str())
            .await;
    }
    // …and the agent on the other instance, resyncing, gets every one of them.
    agent
        .send(json!({"type": "hello", "last_seq": {conv.to_string(): 1}}))
        .await;
    let got: Vec<i64> = agent
        .drain(1000)
        .await
        .iter()
        .filter(|f| f["type"] == "message")
        .filter_map(|f| f["message"]["seq"].as_i64())
        .collect();
    assert_eq!(
        got.iter().copied().collect::<BTreeSet<_>>(),
        (2..=6).collect::<BTreeSet<_>>(),
        "{got:?}"
    );

    // NATS comes back on the same port: live delivery resumes by itself.
    let _nats_again = PrivateNats::start_on(nats.port);
    let mut resumed = false;
    for i in 0..20 {
        let cid = format!("after{i}");
        visitor
            .send(json!({"type": "send", "client_id": cid, "text": "NATS 回来了"}))
            .await;
        visitor
            .expect_where("ack", |f| f["client_id"] == cid.as_str())
            .await;
        if agent
            .drain(500)
            .await
            .iter()
            .any(|f| f["type"] == "message" && f["message"]["client_id"] == cid.as_str())
        {
            resumed = true;
            break;
        }
    }
    assert!(resumed, "live delivery came back after NATS restarted");
    a.terminate();
    b.terminate();
    std::fs::remove_dir_all(dir_a).ok();
    std::fs::remove_dir_all(dir_b).ok();
}
