//! Notices that reach people away from the workspace page, on SQLite and PostgreSQL: web push to
//! an agent's browsers (payload decrypted with Mozilla's `http_ece`, the reference library of
//! pywebpush; a subscription the push service reports gone is dropped), and the visitor's
//! message centre in the widget (ticket progress notices, read receipts).

use std::{
    path::PathBuf,
    process::Command,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::post,
};
use serde_json::{Value, json};
use yingke_core::Role;
use yingke_testkit::{OWNER_PASSWORD, Session, WidgetChannel, both_backends, json_of};

const MIN: i64 = 60_000;

async fn ok(res: reqwest::Response, want: u16) -> Value {
    let (s, v) = json_of(res).await;
    assert_eq!(s, want, "{v}");
    v
}

fn python(script: &str) -> Value {
    let p = std::env::var("YINGKE_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/pyvenv/bin/python")
        });
    let out = Command::new(&p)
        .arg("-c")
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("{} runs (scripts/test.sh creates it): {e}", p.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

/// A push service on 127.0.0.1: `/push/ok/{n}` takes notices (201), `/push/gone/{n}` says the
/// browser unsubscribed (410). Records what it was sent.
/// What the push service took: path, headers, body.
type Taken = (String, HeaderMap, Vec<u8>);

#[derive(Clone, Default)]
struct PushService {
    got: Arc<Mutex<Vec<Taken>>>,
}

async fn take(
    State(s): State<PushService>,
    Path((kind, n)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    s.got
        .lock()
        .expect("lock")
        .push((format!("{kind}/{n}"), headers, body.to_vec()));
    if kind == "gone" {
        StatusCode::GONE
    } else {
        StatusCode::CREATED
    }
}

impl PushService {
    async fn start() -> (Self, String) {
        let s = PushService::default();
        let app = Router::new()
            .route("/push/{kind}/{n}", post(take))
            .with_state(s.clone());
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = l.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(l, app).await });
        (s, format!("http://{addr}/push"))
    }

    fn taken(&self) -> Vec<Taken> {
        self.got.lock().expect("lock").clone()
    }
}

/// A browser's push keys, made by Python's `cryptography` as a browser would: `p256dh`, `auth`
/// and the private key (`pem`) to decrypt with.
fn browser_keys() -> Value {
    python(
        r#"
import base64, json, os
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization
k = ec.generate_private_key(ec.SECP256R1())
pub = k.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
b = lambda x: base64.urlsafe_b64encode(x).decode().rstrip("=")
pem = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
print(json.dumps({"p256dh": b(pub), "auth": b(os.urandom(16)), "pem": pem.decode()}))
"#,
    )
}

/// A pushed body decrypted by the browser's keys with `http_ece`, the reference library.
fn decrypt(browser: &Value, body: &[u8]) -> Value {
    use base64::Engine;
    python(&format!(
        r#"
import base64, json, http_ece
from cryptography.hazmat.primitives import serialization
d = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
k = serialization.load_pem_private_key({pem:?}.encode(), password=None)
print(http_ece.decrypt(d({body:?}), private_key=k, auth_secret=d({auth:?}), version="aes128gcm").decode())
"#,
        pem = browser["pem"].as_str().expect("pem"),
        body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(body),
        auth = browser["auth"].as_str().expect("auth")
    ))
}

both_backends! {
    async fn agents_get_web_push_for_strong_reminders_and_gone_browsers_are_dropped(app: TestApp) {
        let (service, base) = PushService::start().await;
        let alice_id = app.create_user(app.account, "alice@example.com", Role::Agent).await;
        let alice = app.sign_in("alice@example.com", OWNER_PASSWORD).await;
        let key = ok(alice.get("/api/v1/push/key").await, 200).await["public_key"].as_str().expect("key").to_owned();
        assert_eq!(key.len(), 87, "65 bytes in base64url: {key}");
        // The key is the installation's: the same for everyone, every time.
        let owner = app.owner().await;
        assert_eq!(ok(owner.get("/api/v1/push/key").await, 200).await["public_key"], key);

        let browser = browser_keys();
        let keys = json!({"p256dh": browser["p256dh"], "auth": browser["auth"]});
        let bad = ok(alice.post("/api/v1/me/push-subscriptions", json!({
            "endpoint": "http://push.example/x", "keys": {"p256dh": "AAAA", "auth": browser["auth"]}
        })).await, 422).await;
        let fields: Vec<&str> = bad["error"]["details"].as_array().expect("details").iter().filter_map(|d| d["field"].as_str()).collect();
        assert_eq!(fields, ["endpoint", "keys.p256dh"], "{bad}");
        for path in ["ok/1", "gone/1"] {
            ok(alice.post("/api/v1/me/push-subscriptions", json!({
                "endpoint": format!("{base}/{path}"), "keys": keys, "expirationTime": null
            })).await, 204).await;
        }
        assert_eq!(ok(alice.get("/api/v1/me/push-subscriptions").await, 200).await["items"].as_array().expect("items").len(), 2);
        // Secrets at rest: the browser's auth secret is sealed, never stored as given.
        let stored = yingke_app::store::push::subscriptions(app.app.db(), yingke_app::store::Scope::new(app.account), alice_id)
            .await.expect("read");
        assert!(stored.iter().all(|s| !s.keys.contains(browser["auth"].as_str().expect("auth"))), "{stored:?}");

        // A high-priority to-do's reminder is strong: pushed. A normal one is light: not pushed.
        let now = app.app.now();
        ok(alice.post("/api/v1/todos", json!({"title": "回访张三", "priority": "high",
            "due_at": now + 120 * MIN, "remind_at": now + 60 * MIN})).await, 201).await;
        ok(alice.post("/api/v1/todos", json!({"title": "整理资料", "priority": "normal",
            "due_at": now + 120 * MIN, "remind_at": now + 60 * MIN})).await, 201).await;
        app.clock.advance_ms(60 * MIN);
        app.settle().await;
        let taken = service.taken();
        let paths: Vec<&str> = taken.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(paths.len(), 2, "one strong reminder to each browser: {paths:?}");
        assert!(paths.contains(&"ok/1") && paths.contains(&"gone/1"), "{paths:?}");
        let (_, headers, body) = taken.iter().find(|(p, _, _)| p == "ok/1").expect("sent");
        assert_eq!(headers["content-encoding"], "aes128gcm");
        assert!(headers["ttl"].to_str().expect("ttl").parse::<u32>().expect("secs") > 0);
        let auth = headers["authorization"].to_str().expect("ascii");
        assert!(auth.starts_with("vapid t=") && auth.ends_with(&format!(", k={key}")), "{auth}");

        // The browser decrypts it with the reference library.
        let got = decrypt(&browser, body);
        assert_eq!(got["url"], "/todos", "{got}");
        assert!(got["body"].as_str().expect("body").contains("回访张三"), "{got}");
        assert_eq!(got["kind"], "todo_reminder");

        // The push service said the second browser is gone: its subscription went with it.
        let left = ok(alice.get("/api/v1/me/push-subscriptions").await, 200).await;
        let left: Vec<&str> = left["items"].as_array().expect("items").iter().filter_map(|d| d["endpoint"].as_str()).collect();
        assert_eq!(left, [format!("{base}/ok/1")]);
        // Unsubscribing is the agent's own business.
        let enc = |s: &str| s.replace(':', "%3A").replace('/', "%2F");
        assert_eq!(owner.delete(&format!("/api/v1/me/push-subscriptions?endpoint={}", enc(left[0]))).await.status(), 404);
        assert_eq!(alice.delete(&format!("/api/v1/me/push-subscriptions?endpoint={}", enc(left[0]))).await.status(), 204);
        assert_eq!(ok(alice.get("/api/v1/me/push-subscriptions").await, 200).await["items"], json!([]));
    }
}

both_backends! {
    async fn visitors_read_ticket_progress_in_the_widget_message_centre(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let token = ch.visitor().await;
        let mut v = ch.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "1", "text": "打印机坏了"})).await;
        let conv = v.expect("ack").await["conversation_id"].as_i64().expect("id");
        let visitor = |path: &str| {
            reqwest::Client::new()
                .get(format!("{}{path}", ch.base))
                .header("authorization", format!("Visitor {token}"))
        };
        let empty = ok(visitor("/api/v1/widget/notices").send().await.expect("get"), 200).await;
        assert_eq!((empty["items"].clone(), empty["unread"].as_u64()), (json!([]), Some(0)));

        let ticket = ok(owner.post(&format!("/api/v1/conversations/{conv}/ticket"), json!({})).await, 201).await;
        let tid = ticket["id"].as_i64().expect("ticket");
        ok(owner.post(&format!("/api/v1/tickets/{tid}/status"), json!({"status": "open"})).await, 200).await;
        app.settle().await;
        let got = ok(visitor("/api/v1/widget/notices").send().await.expect("get"), 200).await;
        let items = got["items"].as_array().expect("items");
        assert!(!items.is_empty(), "a progress notice: {got}");
        let n = &items[0];
        assert_eq!(n["ticket_id"], tid);
        assert!(n["ticket_url"].as_str().expect("url").contains("/t/"), "{n}");
        assert_eq!(got["unread"].as_u64(), Some(items.len() as u64));

        // Another visitor sees none of it, and cannot mark it read.
        let other = ch.visitor().await;
        let theirs = reqwest::Client::new().get(format!("{}/api/v1/widget/notices", ch.base))
            .header("authorization", format!("Visitor {other}")).send().await.expect("get");
        assert_eq!(ok(theirs, 200).await["items"], json!([]));
        let read = |t: &str| reqwest::Client::new()
            .post(format!("{}/api/v1/widget/notices/{}/read", ch.base, n["id"]))
            .header("authorization", format!("Visitor {t}")).send();
        assert_eq!(read(&other).await.expect("post").status(), 404);
        assert_eq!(read(&token).await.expect("post").status(), 204);
        let after = ok(visitor("/api/v1/widget/notices").send().await.expect("get"), 200).await;
        assert_eq!(after["unread"].as_u64(), Some(items.len() as u64 - 1));
        // Without a visitor token there is nothing.
        let anon = reqwest::Client::new().get(format!("{}/api/v1/widget/notices", ch.base)).send().await.expect("get");
        assert_eq!(anon.status(), 401);
    }
}

/// The signed-in person's notices of one kind, newest first.
async fn notices(s: &Session, kind: &str) -> Vec<Value> {
    ok(s.get("/api/v1/me/notifications").await, 200).await["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n["notice_kind"] == kind)
        .collect()
}

async fn mentions(s: &Session) -> Vec<Value> {
    notices(s, "mention").await
}

both_backends! {
    async fn a_note_that_mentions_agents_notifies_each_of_them_once(app: TestApp) {
        let owner = app.owner().await;
        let lilei = app.create_user(app.account, "lilei@example.com", Role::Agent).await;
        app.create_user(app.account, "han@example.com", Role::Agent).await;
        ok(owner.patch(&format!("/api/v1/users/{lilei}"), json!({"name": "李雷"})).await, 200).await;
        let (b, _) = app.second_account().await;
        app.create_user(b, "lilei@b.example", Role::Agent).await;
        let lilei_s = app.sign_in("lilei@example.com", OWNER_PASSWORD).await;
        let han_s = app.sign_in("han@example.com", OWNER_PASSWORD).await;
        let b_s = app.sign_in("lilei@b.example", OWNER_PASSWORD).await;
        let channel = WidgetChannel::create(&owner, json!({})).await;
        let token = channel.visitor().await;
        let mut v = channel.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "c1", "text": "发票开错了"})).await;
        let conv = v.expect("ack").await["conversation_id"].as_i64().expect("conversation");

        // A reply to the customer mentions nobody, only a note does.
        ok(owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"client_id": "r1", "text": "@李雷 稍等"})).await, 201).await;
        assert!(mentions(&lilei_s).await.is_empty());
        let text = "@李雷 请跟进，抄送 @han@example.com 和 @lilei@b.example；<img src=x onerror=alert(1)>";
        let note = ok(owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"client_id": "n1", "text": text, "note": true})).await, 201).await;
        // The same note sent again (a retry) notifies nobody twice.
        ok(owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"client_id": "n1", "text": text, "note": true})).await, 201).await;
        let got = mentions(&lilei_s).await;
        assert_eq!(got.len(), 1, "{got:?}");
        let n = &got[0];
        assert_eq!(n["params"]["conversation_id"], conv);
        assert_eq!(n["params"]["message_id"], note["id"]);
        assert_eq!(n["params"]["excerpt"], text, "the note as text, markup and all");
        assert!(n["subject"].as_str().expect("subject").contains("提到了你"), "{n}");
        assert_eq!(mentions(&han_s).await.len(), 1);
        // Another account's user with the mentioned address hears nothing.
        assert!(mentions(&b_s).await.is_empty());
        // Nobody is told about their own mention.
        ok(owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"client_id": "n2", "text": "@owner@a.example 自己记一下", "note": true})).await, 201).await;
        assert!(mentions(&owner).await.is_empty());
    }
}

both_backends! {
    async fn agents_choose_which_notices_reach_them_and_their_phones(app: TestApp) {
        let (service, base) = PushService::start().await;
        let owner = app.owner().await;
        let owner_id = ok(owner.get("/api/v1/me").await, 200).await["user"]["id"].as_i64().expect("owner id");
        let alice_id = app.create_user(app.account, "alice@example.com", Role::Agent).await;
        let alice = app.sign_in("alice@example.com", OWNER_PASSWORD).await;
        let browser = browser_keys();
        ok(alice.post("/api/v1/me/push-subscriptions", json!({
            "endpoint": format!("{base}/ok/1"), "keys": {"p256dh": browser["p256dh"], "auth": browser["auth"]}
        })).await, 204).await;

        // Everything on by default; a change names what it changes, bad paths change nothing.
        let prefs = ok(alice.get("/api/v1/me/notice-preferences").await, 200).await;
        assert_eq!(prefs["mention"], json!({"in_app": true, "push": true, "email": false}), "{prefs}");
        assert_eq!(prefs.as_object().expect("kinds").len(), 7);
        let bad = ok(alice.send("PUT", "/api/v1/me/notice-preferences", Some(json!({
            "mention": {"push": false}, "nope": {"push": false}, "ticket": {"push": "no"}
        }))).await, 422).await;
        let mut fields: Vec<&str> = bad["error"]["details"].as_array().expect("details").iter().filter_map(|d| d["field"].as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["nope", "ticket.push"], "{bad}");
        assert_eq!(ok(alice.get("/api/v1/me/notice-preferences").await, 200).await["mention"]["push"], true, "nothing saved");
        let prefs = ok(alice.send("PUT", "/api/v1/me/notice-preferences", Some(json!({
            "mention": {"push": false}, "todo_prompt": {"in_app": false}
        }))).await, 200).await;
        assert_eq!(prefs["mention"], json!({"in_app": true, "push": false, "email": false}));
        assert_eq!(prefs["todo_prompt"], json!({"in_app": false, "push": true, "email": false}));
        assert_eq!(prefs["ticket"], json!({"in_app": true, "push": true, "email": false}));
        // Preferences are one's own.
        assert_eq!(ok(owner.get("/api/v1/me/notice-preferences").await, 200).await["mention"]["push"], true);

        // A mention with push off: in the list, not on the phone.
        let channel = WidgetChannel::create(&owner, json!({})).await;
        let token = channel.visitor().await;
        let mut v = channel.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "c1", "text": "在吗"})).await;
        let conv = v.expect("ack").await["conversation_id"].as_i64().expect("conversation");
        ok(owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"client_id": "n1", "text": "@alice@example.com 看一下", "note": true})).await, 201).await;
        app.settle().await;
        assert_eq!(mentions(&alice).await.len(), 1);
        assert!(service.taken().is_empty(), "push is off for mentions");
        // Turned on again: the next mention reaches the phone and opens the conversation.
        ok(alice.send("PUT", "/api/v1/me/notice-preferences", Some(json!({"mention": {"push": true}}))).await, 200).await;
        ok(owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"client_id": "n2", "text": "@alice@example.com 再看一下", "note": true})).await, 201).await;
        app.settle().await;
        let taken = service.taken();
        assert_eq!(taken.len(), 1);
        let got = decrypt(&browser, &taken[0].2);
        assert_eq!((got["kind"].as_str(), got["url"].as_str()), (Some("mention"), Some(format!("/inbox/{conv}").as_str())), "{got}");

        // Handed a conversation by someone else: told, on the phone too, with the way to it.
        ok(owner.post(&format!("/api/v1/conversations/{conv}/transfer"), json!({"assignee_id": alice_id, "note": "老客户，麻烦跟进"})).await, 200).await;
        app.settle().await;
        let handed = notices(&alice, "assigned").await;
        assert_eq!(handed.len(), 1, "{handed:?}");
        assert_eq!(handed[0]["params"]["conversation_id"], conv);
        assert_eq!(handed[0]["params"]["note"], "老客户，麻烦跟进");
        assert!(handed[0]["subject"].as_str().expect("subject").contains("转给了你"), "{}", handed[0]);
        let taken = service.taken();
        assert_eq!(taken.len(), 2);
        let got = decrypt(&browser, &taken[1].2);
        assert_eq!((got["kind"].as_str(), got["url"].as_str()), (Some("assigned"), Some(format!("/inbox/{conv}").as_str())), "{got}");
        // Taking a conversation oneself tells nobody.
        ok(owner.post(&format!("/api/v1/conversations/{conv}/transfer"), json!({"assignee_id": owner_id})).await, 200).await;
        assert!(notices(&owner, "assigned").await.is_empty());
        ok(owner.post(&format!("/api/v1/conversations/{conv}/transfer"), json!({"assignee_id": alice_id})).await, 200).await;
        assert_eq!(notices(&alice, "assigned").await.len(), 2);
        ok(alice.send("PUT", "/api/v1/me/notice-preferences", Some(json!({"assigned": {"push": false}}))).await, 200).await;

        // A prompt tag with in-app off: no notice at all.
        ok(owner.send("PUT", "/api/v1/todo-settings", Some(json!({"prompt_tags": {"回访": null}, "daily_list": true}))).await, 200).await;
        ok(owner.put(&format!("/api/v1/conversations/{conv}/tags/回访")).await, 200).await;
        app.settle().await;
        let all = ok(alice.get("/api/v1/me/notifications").await, 200).await;
        assert!(all["items"].as_array().expect("items").iter().all(|n| n["notice_kind"] != "todo_prompt"), "{all}");

        // An SLA warning on her ticket (a notification rule's notice to the assignee) reaches
        // her phone too, and opens the ticket.
        ok(owner.post("/api/v1/sla/policies", json!({"spec": {
            "name": "标准", "targets": {"p2": {"first_response_minutes": 60, "resolution_minutes": 240}},
            "warn_fraction": 0.75
        }})).await, 201).await;
        let t = ok(owner.post("/api/v1/tickets", json!({"title": "打印机坏了", "priority": "p2", "assignee_id": alice_id})).await, 201).await;
        let warn_at = t["sla"]["metrics"].as_array().expect("metrics").iter()
            .filter_map(|m| m["warn_at"].as_i64()).min().expect("a warning");
        app.clock.advance_ms(warn_at - app.app.now());
        app.settle().await;
        let taken = service.taken();
        assert_eq!(taken.len(), 4, "one more push: {:?}", taken.iter().map(|t| &t.0).collect::<Vec<_>>());
        let got = decrypt(&browser, &taken[3].2);
        assert_eq!(got["url"], format!("/tickets/{}", t["id"]), "{got}");
    }
}
