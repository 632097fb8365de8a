//! Customer notifications end to end, on SQLite and PostgreSQL, with a controllable clock: mails
//! received by a real SMTP server process (aiosmtpd), SMS sent to a local HTTP server that records
//! them; the cap, the per-kind limit and the quiet period, opt-out by link, consent, DND hours,
//! retry of an unconfirmed notice after 30 minutes, failover, learned channel preference, and
//! every notice not sent on the ticket's timeline with its reason.

use std::{
    path::PathBuf,
    process::{Child, Command},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{Router, body::Bytes, extract::State, http::StatusCode, routing::post};
use serde_json::{Value, json};
use yingke_app::store::{Scope, contacts, notify as nrepo};
use yingke_testkit::{Session, TestApp, both_backends, json_of};

const MIN: i64 = 60_000;

async fn ok(res: reqwest::Response, want: u16) -> Value {
    let (s, v) = json_of(res).await;
    assert_eq!(s, want, "{v}");
    v
}

/// The workspace's Python venv (created by the test command with aiosmtpd and the SDKs).
pub fn python() -> PathBuf {
    let p = std::env::var("YINGKE_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/pyvenv/bin/python")
        });
    assert!(
        p.exists(),
        "{} is missing: run scripts/test.sh once (it creates the venv with aiosmtpd and the providers' SDKs)",
        p.display()
    );
    p
}

/// A real SMTP server process (aiosmtpd) writing every mail it accepts into a maildir.
struct SmtpSink {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl SmtpSink {
    async fn start() -> Self {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            l.local_addr().expect("addr").port()
        };
        let dir = std::env::temp_dir().join(format!("yingke-mail-{}", uuid_like()));
        let child = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&dir)
            .spawn()
            .expect("start aiosmtpd");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, port, dir }
    }

    /// Raw messages received so far.
    fn mails(&self) -> Vec<String> {
        let mut out: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(self.dir.join("new"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let t = e.metadata().ok()?.modified().ok()?;
                Some((t, std::fs::read_to_string(e.path()).ok()?))
            })
            .collect();
        out.sort_by_key(|m| m.0);
        out.into_iter().map(|m| m.1).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn uuid_like() -> String {
    format!("{:x}", rand_u64())
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// A local HTTP server standing in for an SMS provider: records each request body, answers with
/// the configured status after the configured delay, and notes how many requests it held at once.
#[derive(Clone, Default)]
struct Recorder {
    bodies: Arc<Mutex<Vec<Value>>>,
    fail: Arc<Mutex<bool>>,
    delay_ms: Arc<AtomicU64>,
    in_flight: Arc<AtomicUsize>,
    most_in_flight: Arc<AtomicUsize>,
}

async fn record(State(r): State<Recorder>, body: Bytes) -> (StatusCode, String) {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    r.bodies.lock().expect("lock").push(v.clone());
    let now = r.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    r.most_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(r.delay_ms.load(Ordering::SeqCst))).await;
    r.in_flight.fetch_sub(1, Ordering::SeqCst);
    if *r.fail.lock().expect("lock") {
        return (StatusCode::BAD_GATEWAY, "upstream down".into());
    }
    let id = v["idempotency_key"].as_str().unwrap_or("").to_owned();
    (StatusCode::OK, json!({"id": id}).to_string())
}

impl Recorder {
    async fn start() -> (Self, String) {
        let r = Recorder::default();
        let app = Router::new()
            .route("/sms", post(record))
            .with_state(r.clone());
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = l.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(l, app).await });
        (r, format!("http://{addr}/sms"))
    }
    fn count(&self) -> usize {
        self.bodies.lock().expect("lock").len()
    }
}

async fn contact(app: &TestApp, email: &str, phone: &str) -> i64 {
    let scope = Scope::new(app.account);
    let mut tx = app.app.db().begin().await.expect("tx");
    let c = contacts::insert(
        &mut tx,
        scope,
        contacts::ContactPatch {
            name: Some("王女士"),
            email: Some(email),
            phone: Some(phone),
            ..Default::default()
        },
        app.app.now(),
    )
    .await
    .expect("contact");
    tx.commit().await.expect("commit");
    c.id
}

async fn timeline(owner: &Session, id: i64) -> Vec<Value> {
    let v = ok(
        owner
            .get(&format!("/api/v1/tickets/{id}/timeline?limit=500"))
            .await,
        200,
    )
    .await;
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn skips(owner: &Session, id: i64) -> Vec<String> {
    timeline(owner, id)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "notification_skipped")
        .map(|e| e["data"]["reason"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn deliveries(owner: &Session, ticket: i64) -> Vec<Value> {
    let v = ok(
        owner
            .get(&format!(
                "/api/v1/notifications/deliveries?ticket_id={ticket}&limit=200"
            ))
            .await,
        200,
    )
    .await;
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn status(owner: &Session, id: i64, to: &str) {
    ok(
        owner
            .post(
                &format!("/api/v1/tickets/{id}/status"),
                json!({"status": to}),
            )
            .await,
        200,
    )
    .await;
}

async fn smtp_channel(owner: &Session, port: u16) -> i64 {
    let v = ok(
        owner
            .post(
                "/api/v1/notifications/channels",
                json!({
                    "kind": "smtp", "name": "邮件",
                    "config": {"host": "127.0.0.1", "port": port, "security": "none",
                               "from_address": "support@shop.example", "from_name": "迎客客服"},
                    "secrets": {"password": "smtp-secret-value"}
                }),
            )
            .await,
        201,
    )
    .await;
    assert_eq!(
        v["secrets"]["password"], "••••ue",
        "secrets are masked: {v}"
    );
    v["id"].as_i64().expect("id")
}

/// The decoded text or HTML part (base64 or quoted-printable as lettre chose).
fn part_text(raw: &str, content_type: &str) -> String {
    let msg = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a MIME message");
    assert_eq!(
        (msg.text_body_count(), msg.html_body_count()),
        (1, 1),
        "a text and an HTML part"
    );
    let part = if content_type == "text/html" {
        msg.body_html(0)
    } else {
        msg.body_text(0)
    };
    part.map(|c| c.into_owned()).unwrap_or_default()
}

fn header(raw: &str, name: &str) -> String {
    let msg = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a MIME message");
    msg.header_raw(name).unwrap_or("").trim().to_owned()
}

/// Sets the media of the default status-change rule.
async fn status_rule_media(owner: &Session, media: Value) {
    status_rule_set(owner, "media", media).await;
}

/// Sets one field of the default status-change rule's spec.
async fn status_rule_set(owner: &Session, key: &str, value: Value) {
    let rules = ok(owner.get("/api/v1/notifications/rules").await, 200).await;
    let rule = rules["items"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["trigger"] == "ticket_status_changed")
        .cloned()
        .expect("default rule");
    let mut spec = rule.clone();
    for k in ["id", "position", "active", "created_at", "updated_at"] {
        spec.as_object_mut().expect("object").remove(k);
    }
    spec[key] = value;
    let path = format!("/api/v1/notifications/rules/{}", rule["id"]);
    let body = json!({"spec": spec, "position": 0});
    ok(owner.send("PUT", &path, Some(body)).await, 200).await;
}

both_backends! {
    async fn customers_get_mails_within_the_cap_quiet_period_opt_out_and_consent(app: TestApp) {
        let smtp = SmtpSink::start().await;
        let owner = app.owner().await;
        smtp_channel(&owner, smtp.port).await;
        let c = contact(&app, "wang.li@example.com", "13812341234").await;
        let t = ok(owner.post("/api/v1/tickets", json!({
            "title": "快递没到，电话 13812341234，寄到北京市朝阳区建国路88号3单元502室",
            "contact_id": c, "notify_consent": ["email"]
        })).await, 201).await;
        let id = t["id"].as_i64().expect("id");
        let number = t["number"].as_str().expect("number").to_owned();

        // 待分配 → 处理中: the status notice goes to the message centre and by e-mail.
        status(&owner, id, "open").await;
        app.settle().await;
        let mails = smtp.mails();
        assert_eq!(mails.len(), 1, "one status mail");
        let m = &mails[0];
        assert!(header(m, "Subject").contains(&number) || m.contains(&number), "{m}");
        assert!(header(m, "Message-ID").ends_with(&format!("@{}>", "127.0.0.1")), "{}", header(m, "Message-ID"));
        assert_eq!(header(m, "In-Reply-To"), format!("<ticket-{id}@127.0.0.1>"));
        assert!(header(m, "List-Unsubscribe").contains("/n/u/"), "{m}");
        assert_eq!(header(m, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
        let text = part_text(m, "text/plain");
        let html = part_text(m, "text/html");
        assert!(text.contains("处理中"), "{text}");
        assert!(text.contains(&format!("{}/n/c/", app.base)), "a tracked link to the ticket page: {text}");
        assert!(html.contains("viewport") && html.contains("/n/o/"), "mobile layout and open pixel");
        // Contact details in the title are masked.
        assert!(text.contains("138****1234") && !text.contains("13812341234"), "{text}");
        assert!(text.contains("北京市朝阳区****") && !text.contains("建国路88号"), "{text}");
        // No SMS consent: SMS was not tried, and the timeline says so.
        let queued: Vec<Value> = timeline(&owner, id).await.into_iter().filter(|e| e["kind"] == "notification_queued").collect();
        assert!(queued[0]["data"]["dropped"].as_array().expect("dropped").iter().any(|d| d["medium"] == "sms" && d["reason"] == "no_consent"));

        // A second status change: one status notice per ticket by default.
        status(&owner, id, "pending_customer").await;
        app.settle().await;
        assert_eq!(smtp.mails().len(), 1);
        assert_eq!(skips(&owner, id).await, vec!["kind_limit"]);

        // With three status notices allowed, the 30-minute quiet period holds the next one back…
        let mut policy = ok(owner.get("/api/v1/notifications/policy").await, 200).await;
        policy["max_per_kind"] = json!(3);
        ok(owner.send("PUT", "/api/v1/notifications/policy", Some(policy.clone())).await, 200).await;
        app.clock.advance_ms(10 * MIN);
        status(&owner, id, "open").await;
        app.settle().await;
        assert_eq!(smtp.mails().len(), 1);
        assert_eq!(skips(&owner, id).await.last().map(String::as_str), Some("quiet_period"));
        // …and lets it through once 30 minutes have passed.
        app.clock.advance_ms(21 * MIN);
        status(&owner, id, "pending_customer").await;
        app.settle().await;
        assert_eq!(smtp.mails().len(), 2);
        // Two status notices given; the resolution notice is the third, then the cap holds.
        status(&owner, id, "open").await;
        app.clock.advance_ms(31 * MIN);
        status(&owner, id, "resolved").await;
        app.settle().await;
        assert_eq!(smtp.mails().len(), 3, "resolution notice");
        let resolved = smtp.mails().pop().expect("mail");
        assert!(part_text(&resolved, "text/plain").contains("已解决"));
        status(&owner, id, "open").await;
        app.clock.advance_ms(31 * MIN);
        status(&owner, id, "pending_customer").await;
        app.settle().await;
        assert_eq!(smtp.mails().len(), 3);
        assert_eq!(skips(&owner, id).await.last().map(String::as_str), Some("cap_reached"));

        // Bad input: a template with an unknown variable names its line and column; a forged
        // opt-out token is refused.
        let (s, e) = json_of(owner.send("PUT", "/api/v1/notifications/templates", Some(json!({
            "key": "ticket_status", "locale": "zh-CN", "body": "您好\n{{ ticket.secret }}"
        }))).await).await;
        assert_eq!(s, 422);
        assert!(e["error"]["details"][0]["message"].as_str().unwrap_or("").contains("line 2, column 4"), "{e}");
        let forged = app.client().post(app.url("/n/u/eyJrIjoib3B0b3V0In0.AAAA")).body("scope=all").send().await.expect("post");
        assert_eq!(forged.status(), 404);

        // "不再提醒" from the link in the mail: every ticket, every medium.
        let link = header(&smtp.mails()[0], "List-Unsubscribe").trim_matches(['<', '>']).to_owned();
        let page = app.client().get(&link).send().await.expect("get");
        assert_eq!(page.status(), 200);
        let done = app.client().post(&link).body("scope=all").send().await.expect("post");
        assert_eq!(done.status(), 200);
        let t2 = ok(owner.post("/api/v1/tickets", json!({"title": "另一个问题", "contact_id": c})).await, 201).await;
        let id2 = t2["id"].as_i64().expect("id");
        status(&owner, id2, "open").await;
        app.settle().await;
        // The mail's link opts out of e-mail: the notice reaches the message centre only.
        assert_eq!(smtp.mails().len(), 3);
        let queued = timeline(&owner, id2).await.into_iter().find(|e| e["kind"] == "notification_queued").expect("queued");
        assert_eq!(queued["data"]["media"], json!(["in_app"]));
        assert!(queued["data"]["dropped"].as_array().expect("dropped").iter().any(|d| d["medium"] == "email" && d["reason"] == "opted_out"), "{queued}");
        let prefs = ok(owner.get(&format!("/api/v1/contacts/{c}/notification-preferences")).await, 200).await;
        assert_eq!(prefs["optouts"][0]["medium"], "email");
        assert_eq!(prefs["optouts"][0]["ticket_id"], 0);
        // The ticket page's own link opts out of everything.
        let claims_link = app.app.customer_link("optout", Scope::new(app.account), id2, c, "*", app.app.now());
        let done = app.client().post(&claims_link).body("scope=all").send().await.expect("post");
        assert_eq!(done.status(), 200);
        let t3 = ok(owner.post("/api/v1/tickets", json!({"title": "第三个问题", "contact_id": c})).await, 201).await;
        let id3 = t3["id"].as_i64().expect("id");
        status(&owner, id3, "open").await;
        app.settle().await;
        assert_eq!(skips(&owner, id3).await, vec!["opted_out"]);
        assert_eq!(prefs["consents"][0]["source"], format!("ticket:{number}"));
    }

    async fn dnd_defers_unconfirmed_sms_is_retried_then_fails_over_and_preference_is_learned(app: TestApp) {
        let smtp = SmtpSink::start().await;
        let (sms, url) = Recorder::start().await;
        let owner = app.owner().await;
        smtp_channel(&owner, smtp.port).await;
        ok(owner.post("/api/v1/notifications/channels", json!({
            "kind": "http_sms", "name": "短信", "config": {"url": url, "receipts": true}
        })).await, 201).await;
        // SMS first for this account's status notices.
        status_rule_media(&owner, json!(["sms", "email"])).await;
        // Quiet hours around the test clock's start (22:13 Beijing): 22:00–08:00.
        let mut policy = ok(owner.get("/api/v1/notifications/policy").await, 200).await;
        policy["dnd"] = json!({"start_minute": 1320, "end_minute": 480});
        ok(owner.send("PUT", "/api/v1/notifications/policy", Some(policy)).await, 200).await;
        let c = contact(&app, "li@example.com", "13900001111").await;
        let t = ok(owner.post("/api/v1/tickets", json!({"title": "发票", "contact_id": c, "notify_consent": ["sms", "email"]})).await, 201).await;
        let id = t["id"].as_i64().expect("id");
        status(&owner, id, "open").await;
        app.settle().await;
        assert_eq!(sms.count(), 0, "nothing at night");
        let queued = timeline(&owner, id).await.into_iter().find(|e| e["kind"] == "notification_queued").expect("queued");
        assert!(queued["data"]["deferred_until"].as_i64().is_some(), "{queued}");
        // 08:00 comes: the SMS goes out, and waits for its receipt.
        app.clock.advance_ms(10 * 60 * MIN);
        app.settle().await;
        assert_eq!(sms.count(), 1);
        let sms_delivery = deliveries(&owner, id).await.into_iter().find(|d| d["medium"] == "sms").expect("sms");
        assert_eq!(sms_delivery["status"], "sent");
        // No receipt within 30 minutes: sent again with the same idempotency key.
        app.clock.advance_ms(30 * MIN);
        app.settle().await;
        assert_eq!(sms.count(), 2);
        let bodies = sms.bodies.lock().expect("lock").clone();
        assert_eq!(bodies[0]["idempotency_key"], bodies[1]["idempotency_key"]);
        // Still none: the notice fails over to e-mail.
        app.clock.advance_ms(30 * MIN);
        app.settle().await;
        assert_eq!(sms.count(), 2);
        assert_eq!(smtp.mails().len(), 1, "failed over to e-mail: {:?}", deliveries(&owner, id).await);
        let kinds: Vec<String> = timeline(&owner, id).await.iter().map(|e| e["kind"].as_str().unwrap_or("").to_owned()).collect();
        assert!(kinds.contains(&"notification_failed".to_owned()), "{kinds:?}");

        // A provider that fails hard: retried with backoff, then failed over.
        *sms.fail.lock().expect("lock") = true;
        let t2 = ok(owner.post("/api/v1/tickets", json!({"title": "退款", "contact_id": c})).await, 201).await;
        let id2 = t2["id"].as_i64().expect("id");
        status(&owner, id2, "open").await;
        for _ in 0..4 {
            app.settle().await;
            app.clock.advance_ms(5 * MIN);
        }
        app.settle().await;
        assert_eq!(sms.count(), 2 + 3, "three attempts on SMS");
        assert_eq!(smtp.mails().len(), 2, "then e-mail");

        // The customer never engages with SMS (three delivered, none read) but opens e-mail:
        // e-mail now comes first.
        let scope = Scope::new(app.account);
        let mut tx = app.app.db().begin().await.expect("tx");
        nrepo::bump_engagement(&mut tx, scope, c, "sms", 3, 0, app.app.now()).await.expect("bump");
        nrepo::bump_engagement(&mut tx, scope, c, "email", 0, 1, app.app.now()).await.expect("bump");
        tx.commit().await.expect("commit");
        *sms.fail.lock().expect("lock") = false;
        let t3 = ok(owner.post("/api/v1/tickets", json!({"title": "换货", "contact_id": c})).await, 201).await;
        let id3 = t3["id"].as_i64().expect("id");
        status(&owner, id3, "open").await;
        app.settle().await;
        let d3 = deliveries(&owner, id3).await;
        let first_external = d3.iter().rev().find(|d| d["medium"] != "in_app").expect("external");
        assert_eq!(first_external["medium"], "email", "{d3:?}");
        assert_eq!(smtp.mails().len(), 3);
        // Opening the mail is recorded.
        let pixel = part_text(&smtp.mails()[2], "text/html");
        let start = pixel.find("/n/o/").expect("pixel");
        let token: String = pixel[start + 5..].chars().take_while(|c| *c != '"').collect();
        let r = app.client().get(app.url(&format!("/n/o/{token}"))).send().await.expect("pixel");
        assert_eq!(r.headers()["content-type"], "image/gif");
        let d3 = deliveries(&owner, id3).await;
        assert!(d3.iter().any(|d| d["medium"] == "email" && d["opened_at"].is_i64()), "{d3:?}");
    }

    async fn a_burst_is_sent_a_few_at_a_time_so_a_crash_can_repeat_only_those(app: TestApp) {
        let (sms, url) = Recorder::start().await;
        sms.delay_ms.store(30, Ordering::SeqCst);
        let owner = app.owner().await;
        ok(owner.post("/api/v1/notifications/channels", json!({
            "kind": "http_sms", "name": "短信", "config": {"url": url}
        })).await, 201).await;
        status_rule_media(&owner, json!(["sms"])).await;
        let mut policy = ok(owner.get("/api/v1/notifications/policy").await, 200).await;
        policy["dnd"] = Value::Null;
        ok(owner.send("PUT", "/api/v1/notifications/policy", Some(policy)).await, 200).await;
        for i in 0..12 {
            let c = contact(&app, &format!("c{i}@example.com"), &format!("1390000{i:04}")).await;
            let t = ok(owner.post("/api/v1/tickets", json!({"title": "发票", "contact_id": c, "notify_consent": ["sms"]})).await, 201).await;
            status(&owner, t["id"].as_i64().expect("id"), "open").await;
        }
        app.settle().await;
        assert_eq!(sms.count(), 12, "every notice sent");
        let most = sms.most_in_flight.load(Ordering::SeqCst);
        // The default window is 4: never more unrecorded sends than that, but sent concurrently.
        assert!((2..=4).contains(&most), "{most} requests at the provider at once");
    }
}

/// A note on `conv` that mentions lilei@example.com; the notice's id in their list.
async fn mention(owner: &Session, agent: &Session, conv: i64, client_id: &str) -> i64 {
    let text = format!("@lilei@example.com 请看一下 <b>{client_id}</b>");
    let body = json!({"client_id": client_id, "text": text, "note": true});
    ok(
        owner
            .post(&format!("/api/v1/conversations/{conv}/messages"), body)
            .await,
        201,
    )
    .await;
    let list = ok(agent.get("/api/v1/me/notifications").await, 200).await;
    list["items"][0]["id"].as_i64().expect("the newest notice")
}

both_backends! {
    async fn agents_get_notices_still_unread_after_15_minutes_in_one_e_mail(app: TestApp) {
        let smtp = SmtpSink::start().await;
        let owner = app.owner().await;
        let channel = smtp_channel(&owner, smtp.port).await;
        app.create_user(app.account, "lilei@example.com", yingke_core::Role::Agent).await;
        let lilei = app.sign_in("lilei@example.com", yingke_testkit::OWNER_PASSWORD).await;
        let widget = yingke_testkit::WidgetChannel::create(&owner, json!({})).await;
        let token = widget.visitor().await;
        let mut v = widget.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "c1", "text": "发票开错了"})).await;
        let conv = v.expect("ack").await["conversation_id"].as_i64().expect("conversation");

        // Off by default: a mention left unread mails nothing.
        let prefs = ok(lilei.get("/api/v1/me/notice-preferences").await, 200).await;
        assert_eq!(prefs["mention"], json!({"in_app": true, "push": true, "email": false}));
        mention(&owner, &lilei, conv, "n1").await;
        app.clock.advance_ms(16 * MIN);
        app.settle().await;
        assert!(smtp.mails().is_empty());
        // Bad input names its path and saves nothing.
        let (s, e) = json_of(lilei.send("PUT", "/api/v1/me/notice-preferences", Some(json!({
            "mention": {"email": "yes"}
        }))).await).await;
        assert_eq!((s, e["error"]["details"][0]["field"].as_str()), (422, Some("mention.email")), "{e}");
        let prefs = ok(lilei.send("PUT", "/api/v1/me/notice-preferences", Some(json!({
            "mention": {"email": true}
        }))).await, 200).await;
        assert_eq!(prefs["mention"]["email"], true);

        // Two mentions now and one ten minutes later: one e-mail 15 minutes after the first,
        // listing all three (the one from before the switch is not among them).
        mention(&owner, &lilei, conv, "n2").await;
        mention(&owner, &lilei, conv, "n3").await;
        app.clock.advance_ms(10 * MIN);
        mention(&owner, &lilei, conv, "n4").await;
        app.settle().await;
        assert!(smtp.mails().is_empty(), "not before 15 minutes");
        app.clock.advance_ms(5 * MIN + 1000);
        app.settle().await;
        let mails = smtp.mails();
        assert_eq!(mails.len(), 1, "one digest");
        let m = &mails[0];
        assert!(header(m, "To").contains("lilei@example.com"), "{}", header(m, "To"));
        let subject = mail_parser::MessageParser::default().parse(m.as_bytes()).and_then(|p| p.subject().map(str::to_owned));
        assert_eq!(subject.as_deref(), Some("迎客：3 条未读通知"));
        let text = part_text(m, "text/plain");
        assert_eq!(text.matches("提到了你").count(), 3, "{text}");
        assert_eq!(text.matches(&format!("{}/inbox/{conv}", app.base)).count(), 3, "a link to each: {text}");
        assert!(text.contains(&format!("打开迎客 / Open Yingke: {}/inbox", app.base)), "{text}");
        assert!(text.contains("15 分钟前") && text.contains("5 分钟前"), "ages: {text}");
        let html = part_text(m, "text/html");
        assert!(html.contains("打开迎客 / Open Yingke") && !html.contains("<b>"), "{html}");
        assert!(!m.contains("/n/o/") && !header(m, "List-Unsubscribe").contains("/n/u/"), "no customer tracking");

        // A mention read within 15 minutes is not mailed, and nothing is when none is left.
        let n5 = mention(&owner, &lilei, conv, "n5").await;
        let r = lilei.post(&format!("/api/v1/me/notifications/{n5}/read"), json!({})).await;
        assert_eq!(r.status(), 204);
        app.clock.advance_ms(16 * MIN);
        app.settle().await;
        assert_eq!(smtp.mails().len(), 1, "the read mention is not mailed");
        // The next digest lists only what came since the last one.
        mention(&owner, &lilei, conv, "n6").await;
        app.clock.advance_ms(16 * MIN);
        app.settle().await;
        let mails = smtp.mails();
        assert_eq!(mails.len(), 2);
        let text = part_text(&mails[1], "text/plain");
        assert_eq!(text.matches("提到了你").count(), 1, "only the new one: {text}");

        // Without an e-mail channel the delivery log says why no digest came.
        let r = owner.send("DELETE", &format!("/api/v1/notifications/channels/{channel}"), None).await;
        assert_eq!(r.status(), 204);
        mention(&owner, &lilei, conv, "n7").await;
        app.clock.advance_ms(16 * MIN);
        app.settle().await;
        assert_eq!(smtp.mails().len(), 2);
        let log = ok(owner.get("/api/v1/notifications/deliveries?medium=email&status=skipped").await, 200).await;
        let skipped = &log["items"][0];
        assert_eq!((skipped["notice_kind"].as_str(), skipped["recipient_kind"].as_str()), (Some("digest"), Some("agent")), "{log}");
        assert_eq!(skipped["skip_reason"], "no_channel", "{log}");
    }
}

/// An agent's upload of a PDF; its attachment id.
async fn upload(app: &TestApp, s: &Session, name: &str, pdf: &[u8]) -> i64 {
    let part = reqwest::multipart::Part::bytes(pdf.to_vec())
        .file_name(name.to_owned())
        .mime_str("application/pdf")
        .expect("mime");
    let res = s
        .client
        .post(app.url("/api/v1/attachments"))
        .header("x-csrf-token", &s.csrf)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    ok(res, 201).await["id"].as_i64().expect("file id")
}

both_backends! {
    async fn mails_carry_the_files_of_the_agents_latest_reply_once(app: TestApp) {
        let smtp = SmtpSink::start().await;
        let owner = app.owner().await;
        smtp_channel(&owner, smtp.port).await;
        let mut policy = ok(owner.get("/api/v1/notifications/policy").await, 200).await;
        policy["max_per_kind"] = json!(5);
        policy["max_per_ticket"] = json!(5);
        policy["dnd"] = Value::Null;
        ok(owner.send("PUT", "/api/v1/notifications/policy", Some(policy)).await, 200).await;
        let c = contact(&app, "wang.li@example.com", "13812341234").await;
        let t = ok(owner.post("/api/v1/tickets", json!({
            "title": "发票抬头错了", "contact_id": c, "notify_consent": ["email"]
        })).await, 201).await;
        let id = t["id"].as_i64().expect("id");
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
        let file = upload(&app, &owner, "新发票.pdf", &pdf).await;
        ok(owner.post(&format!("/api/v1/tickets/{id}/replies"), json!({
            "body": "已重开发票，见附件。", "attachments": [file]
        })).await, 201).await;
        let attachments = |raw: &str| -> Vec<(String, Vec<u8>)> {
            use mail_parser::MimeHeaders;
            let msg = mail_parser::MessageParser::default().parse(raw.as_bytes()).expect("MIME");
            msg.attachments()
                .map(|a| (a.attachment_name().unwrap_or("").to_owned(), a.contents().to_vec()))
                .collect()
        };

        // The shipped status rule attaches files; switched off, it sends words only.
        let rules = ok(owner.get("/api/v1/notifications/rules").await, 200).await;
        let shipped = rules["items"].as_array().expect("rules").iter().find(|r| r["trigger"] == "ticket_status_changed").cloned().expect("status rule");
        assert_eq!(shipped["attach_files"], true, "{shipped}");
        status_rule_set(&owner, "attach_files", json!(false)).await;
        status(&owner, id, "open").await;
        app.settle().await;
        assert_eq!(smtp.mails().len(), 1);
        assert!(attachments(&smtp.mails()[0]).is_empty());

        // On: the next e-mail carries the reply's file, and still reads as text and HTML.
        status_rule_set(&owner, "attach_files", json!(true)).await;
        app.clock.advance_ms(31 * MIN);
        status(&owner, id, "pending_customer").await;
        app.settle().await;
        let mails = smtp.mails();
        assert_eq!(mails.len(), 2);
        assert_eq!(attachments(&mails[1]), vec![("新发票.pdf".to_owned(), pdf.clone())]);
        assert!(part_text(&mails[1], "text/plain").contains(&format!("{}/n/c/", app.base)));
        // Once: the following notice does not send it again.
        app.clock.advance_ms(31 * MIN);
        status(&owner, id, "open").await;
        app.settle().await;
        let mails = smtp.mails();
        assert_eq!(mails.len(), 3);
        assert!(attachments(&mails[2]).is_empty(), "the file went out already");
        // A note's files are never mailed to the customer.
        let internal = upload(&app, &owner, "内部.pdf", &pdf).await;
        ok(owner.post(&format!("/api/v1/tickets/{id}/replies"), json!({
            "body": "内部备注", "author": "note", "attachments": [internal]
        })).await, 201).await;
        app.clock.advance_ms(31 * MIN);
        status(&owner, id, "pending_customer").await;
        app.settle().await;
        let mails = smtp.mails();
        assert_eq!(mails.len(), 4);
        assert!(attachments(&mails[3]).is_empty(), "a note's file stays inside");
    }
}
