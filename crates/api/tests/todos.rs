//! Side to-dos and automation rules end to end, on SQLite and PostgreSQL, with a controllable
//! clock: every trigger kind (button, tag, resolved with an open question, ticket status, SLA
//! deadline near, customer-state scans — unpaid for 48 hours, trial ending, tag X and no
//! interaction for N days, a key customer not contacted for N days — an absolute time and
//! "next Monday 09:00"), the actions (to-do, tag, notify, assign), tag prompts, the
//! cross-department chain, frequency limits, reminders without storms,
//! the daily list at shift start, rule analytics, and the 422s for bad rules.

use serde_json::{Value, json};
use yingke_app::store::{Scope, contacts, todos as trepo};
use yingke_core::Role;
use yingke_testkit::{OWNER_PASSWORD, Session, TestApp, WidgetChannel, both_backends, json_of};

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

async fn ok(res: reqwest::Response, want: u16) -> Value {
    let (s, v) = json_of(res).await;
    assert_eq!(s, want, "{v}");
    v
}

async fn fire_all(app: &TestApp) {
    for _ in 0..20 {
        if app.app.fire_due_timers(1000).await.expect("fire") == 0 {
            return;
        }
    }
}

async fn todos(s: &Session, q: &str) -> Vec<Value> {
    ok(s.get(&format!("/api/v1/todos?{q}")).await, 200).await["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn titles(items: &[Value]) -> Vec<String> {
    let mut t: Vec<String> = items
        .iter()
        .map(|t| t["title"].as_str().unwrap_or("").to_owned())
        .collect();
    t.sort();
    t
}

/// A visitor chat assigned to `agent`; returns (conversation, contact).
async fn chat(
    app: &TestApp,
    owner: &Session,
    channel: &WidgetChannel,
    agent: i64,
    text: &str,
) -> (i64, i64) {
    let token = channel.visitor().await;
    let mut v = channel.socket(&token).await;
    v.send(json!({"type": "send", "client_id": "c1", "text": text}))
        .await;
    let conv = v.expect("ack").await["conversation_id"]
        .as_i64()
        .expect("conversation");
    ok(
        owner
            .post(
                &format!("/api/v1/conversations/{conv}/transfer"),
                json!({"assignee_id": agent}),
            )
            .await,
        200,
    )
    .await;
    let c = ok(
        owner.get(&format!("/api/v1/conversations/{conv}")).await,
        200,
    )
    .await;
    fire_all(app).await;
    (conv, c["contact_id"].as_i64().expect("contact"))
}

async fn agent(app: &TestApp, email: &str) -> (i64, Session) {
    let id = app.create_user(app.account, email, Role::Agent).await;
    (id, app.sign_in(email, OWNER_PASSWORD).await)
}

both_backends! {
    async fn event_rules_chains_buttons_and_validation(app: TestApp) {
        let owner = app.owner().await;
        let (alice, alice_s) = agent(&app, "alice@example.com").await;
        let (tech, tech_s) = agent(&app, "tech@example.com").await;
        let team = ok(owner.post("/api/v1/teams", json!({"name": "技术支持"})).await, 201).await["id"].as_i64().expect("team");
        ok(owner.put(&format!("/api/v1/teams/{team}/members/{tech}")).await, 200).await;
        let channel = WidgetChannel::create(&owner, json!({})).await;

        // Bad rules: unknown field, wrong type, impossible schedule, another account's team, a loop.
        let (_, b_owner) = app.second_account().await;
        let other_team = ok(b_owner.post("/api/v1/teams", json!({"name": "别人的团队"})).await, 201).await["id"].as_i64().expect("team");
        let bad = ok(owner.post("/api/v1/automation/rules", json!({
            "name": "坏规则",
            "trigger": {"kind": "event", "event": "ticket.created", "next": {"weekdays": [9], "time": "09:00"}},
            "conditions": {"all": [{"field": "contact.nope", "op": "eq", "value": 1}, {"field": "conversation.priority", "op": "gt", "value": "high"}]},
            "actions": [{"type": "create_todo", "title": "x", "owner": {"strategy": "team_least_loaded", "team_id": 1}}]
        })).await, 422).await;
        let fields: Vec<&str> = bad["error"]["details"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
        for want in ["trigger.next.weekdays[0]", "conditions.all[0].field", "conditions.all[1].value"] {
            assert!(fields.contains(&want), "{want} not in {fields:?}");
        }
        let foreign = ok(owner.post("/api/v1/automation/rules", json!({
            "name": "别人的团队", "trigger": {"kind": "event", "event": "ticket.created"},
            "actions": [{"type": "create_todo", "title": "x", "owner": {"strategy": "team_least_loaded", "team_id": other_team}}]
        })).await, 422).await;
        assert_eq!(foreign["error"]["details"][0]["field"], "actions[0].owner.team_id", "{foreign}");
        ok(owner.post("/api/v1/automation/rules", json!({
            "name": "A 加 B", "trigger": {"kind": "event", "event": "conversation.tagged", "key": "A"},
            "actions": [{"type": "add_tag", "tag": "B"}]
        })).await, 201).await;
        let looped = ok(owner.post("/api/v1/automation/rules", json!({
            "name": "B 加 A", "trigger": {"kind": "event", "event": "conversation.tagged", "key": "B"},
            "actions": [{"type": "add_tag", "tag": "A"}]
        })).await, 422).await;
        assert_eq!(looped["error"]["details"][0]["field"], "actions[0].tag", "{looped}");

        // A tag ("未决问题") gives the conversation's agent a follow-up due in 24 hours.
        let tag_rule = ok(owner.post("/api/v1/automation/rules", json!({
            "name": "未决问题回访", "goal": "不让未决问题掉地上", "priority": 10,
            "trigger": {"kind": "event", "event": "conversation.tagged", "key": "未决问题"},
            "actions": [{"type": "create_todo", "title": "回访 {{contact.name}}：会话 #{{conversation.number}}", "owner": {"strategy": "conversation_agent"}, "due_in": "24h", "remind_before": "1h", "priority": "high"}],
            "limit_days": 7
        })).await, 201).await;
        let (conv, contact) = chat(&app, &owner, &channel, alice, "退款还没到账").await;
        ok(alice_s.put(&format!("/api/v1/conversations/{conv}/tags/未决问题")).await, 200).await;
        fire_all(&app).await;
        let mine = todos(&alice_s, "").await;
        assert_eq!(mine.len(), 1, "{mine:?}");
        let t = &mine[0];
        assert!(t["title"].as_str().expect("title").starts_with("回访 "), "{t}");
        assert_eq!(t["rule_id"], tag_rule["id"]);
        assert_eq!(t["conversation_id"], conv);
        assert_eq!(t["contact_id"], contact);
        assert_eq!(t["reminder"], "strong");
        assert_eq!(t["due_at"].as_i64(), Some(app.app.now() + DAY));
        assert_eq!(t["context"]["summary"][0]["text"], "退款还没到账");
        // The context for the side panel: contact, conversation, in one call.
        let ctx = ok(alice_s.get(&format!("/api/v1/todos/{}/context", t["id"])).await, 200).await;
        assert_eq!(ctx["contact"]["id"], contact);
        assert_eq!(ctx["conversation"]["conversation"]["id"], conv);
        // Another agent cannot open it.
        ok(tech_s.get(&format!("/api/v1/todos/{}", t["id"])).await, 404).await;

        // The same tag again (removed and re-added) within the limit creates nothing, and says why.
        ok(alice_s.delete(&format!("/api/v1/conversations/{conv}/tags/未决问题")).await, 200).await;
        ok(alice_s.put(&format!("/api/v1/conversations/{conv}/tags/未决问题")).await, 200).await;
        fire_all(&app).await;
        assert_eq!(todos(&alice_s, "").await.len(), 1);
        let runs = ok(owner.get(&format!("/api/v1/automation/rules/{}/runs", tag_rule["id"])).await, 200).await;
        assert_eq!(runs["runs"][0]["outcome"], "suppressed", "{runs}");
        assert!(runs["runs"][0]["reason"].as_str().expect("reason").contains("frequency limit"));

        // The reminder fires an hour before due: a strong notice in the agent's list.
        app.clock.advance_ms(23 * HOUR);
        fire_all(&app).await;
        let notices = ok(alice_s.get("/api/v1/me/notifications").await, 200).await;
        let reminder = notices["items"].as_array().expect("items").iter()
            .find(|n| n["notice_kind"] == "todo_reminder").cloned().expect("a reminder");
        assert_eq!(reminder["params"]["strength"], "strong", "{reminder}");
        // The bell's badge counts the unread notices; one read, then all.
        let unread = ok(alice_s.get("/api/v1/me/notifications/unread").await, 200).await["count"].as_i64().expect("count");
        assert!(unread >= 1, "{unread}");
        ok(alice_s.post(&format!("/api/v1/me/notifications/{}/read", reminder["id"]), json!({})).await, 204).await;
        assert_eq!(ok(alice_s.get("/api/v1/me/notifications/unread").await, 200).await["count"], unread - 1);
        let marked = ok(alice_s.post("/api/v1/me/notifications/read-all", json!({})).await, 200).await;
        assert_eq!(marked["count"], unread - 1);
        assert_eq!(ok(alice_s.get("/api/v1/me/notifications/unread").await, 200).await["count"], 0);

        // A button ("需要回访") runs its rule at once.
        ok(owner.post("/api/v1/automation/rules", json!({
            "name": "需要回访按钮", "trigger": {"kind": "event", "event": "button", "key": "needs_follow_up"},
            "actions": [{"type": "create_todo", "title": "电话回访", "priority": "normal"}]
        })).await, 201).await;
        let buttons = ok(alice_s.get("/api/v1/automation/buttons").await, 200).await;
        assert_eq!(buttons["items"][0]["key"], "needs_follow_up");
        let pressed = ok(alice_s.post(&format!("/api/v1/conversations/{conv}/buttons/needs_follow_up"), json!({})).await, 200).await;
        assert_eq!(pressed["items"][0]["outcome"], "done", "{pressed}");
        assert!(titles(&todos(&alice_s, "").await).contains(&"电话回访".to_owned()));

        // Resolved with an open question ("未决问题" still on) → a to-do next Monday 09:00.
        ok(owner.post("/api/v1/automation/rules", json!({
            "name": "解决但有未决问题",
            "trigger": {"kind": "event", "event": "conversation.resolved", "next": {"weekdays": [1], "time": "09:00"}},
            "conditions": {"all": [{"field": "conversation.tags", "op": "contains", "value": "未决问题"}]},
            "actions": [{"type": "create_todo", "title": "周一跟进未决问题"}]
        })).await, 201).await;
        ok(alice_s.patch(&format!("/api/v1/conversations/{conv}"), json!({"status": "resolved"})).await, 200).await;
        fire_all(&app).await;
        assert!(!titles(&todos(&alice_s, "").await).contains(&"周一跟进未决问题".to_owned()), "not before Monday");
        app.clock.advance_ms(8 * DAY);
        fire_all(&app).await;
        assert!(titles(&todos(&alice_s, "").await).contains(&"周一跟进未决问题".to_owned()));

        // The cross-department chain on a ticket moving to pending: tech gets the investigation,
        // alice "等待技术反馈"; when tech is done, alice gets "向用户反馈结果".
        ok(owner.post("/api/v1/automation/rules", json!({
            "name": "技术协同", "trigger": {"kind": "event", "event": "ticket.status_changed", "key": "pending"},
            "actions": [{"type": "chain", "steps": [
                {"todos": [
                    {"title": "排查工单 {{ticket.number}}", "owner": {"strategy": "team_least_loaded", "team_id": team}, "priority": "high"},
                    {"title": "等待技术反馈", "owner": {"strategy": "conversation_agent"}, "waits": true}
                ]},
                {"todos": [{"title": "向用户反馈结果", "owner": {"strategy": "chain_origin"}}]}
            ]}]
        })).await, 201).await;
        let ticket = ok(owner.post(&format!("/api/v1/conversations/{conv}/ticket"), json!({})).await, 201).await;
        let tid = ticket["id"].as_i64().expect("ticket");
        ok(owner.post(&format!("/api/v1/tickets/{tid}/status"), json!({"status": "pending_third_party"})).await, 200).await;
        fire_all(&app).await;
        let tech_todos = todos(&tech_s, "status=open").await;
        assert_eq!(tech_todos.len(), 1, "{tech_todos:?}");
        assert!(tech_todos[0]["title"].as_str().expect("t").starts_with("排查工单 "));
        let waiting: Vec<Value> = todos(&alice_s, "status=open").await.into_iter().filter(|t| t["waits"] == true).collect();
        assert_eq!(titles(&waiting), vec!["等待技术反馈"]);
        ok(tech_s.patch(&format!("/api/v1/todos/{}", tech_todos[0]["id"]), json!({"status": "done"})).await, 200).await;
        let after = todos(&alice_s, &format!("ticket_id={tid}")).await;
        let by_title = |t: &str| after.iter().find(|x| x["title"] == t).cloned().expect(t);
        assert_eq!(by_title("等待技术反馈")["status"], "done");
        assert_eq!(by_title("向用户反馈结果")["status"], "open");
        let chain = ok(alice_s.get(&format!("/api/v1/todos/{}/context", by_title("向用户反馈结果")["id"])).await, 200).await["chain"].clone();
        assert_eq!(chain["step"], 1, "{chain}");

        // Manual to-dos: from a conversation in one click, from a template; bad input is a 422.
        ok(owner.post("/api/v1/todo-templates", json!({"key": "trial", "name": "试用到期提醒", "title": "试用到期提醒", "due_in": "3d", "priority": "low"})).await, 201).await;
        let from_tpl = ok(alice_s.post("/api/v1/todos", json!({"template": "trial", "conversation_id": conv})).await, 201).await;
        assert_eq!(from_tpl["source"], "template");
        assert_eq!(from_tpl["reminder"], "digest");
        assert_eq!(from_tpl["contact_id"], contact);
        let bad = ok(alice_s.post("/api/v1/todos", json!({"title": "", "priority": "huge", "colour": "red", "owner_id": 999_999})).await, 422).await;
        let fields: Vec<&str> = bad["error"]["details"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
        assert!(fields.contains(&"title") && fields.contains(&"priority") && fields.contains(&"colour"), "{fields:?}");

        // The supervisor view sees everyone's; an agent may not ask for it.
        let all = todos(&owner, "view=all&status=open").await;
        assert!(all.iter().any(|t| t["owner_id"] == tech) || all.iter().any(|t| t["owner_id"] == alice));
        ok(alice_s.get("/api/v1/todos?view=all").await, 403).await;
        let team_view = todos(&tech_s, "view=team").await;
        assert!(team_view.iter().all(|t| t["owner_id"] == tech));
    }

    async fn customer_state_scans_limits_daily_list_and_analytics(app: TestApp) {
        let owner = app.owner().await;
        let (alice, alice_s) = agent(&app, "alice@example.com").await;
        let channel = WidgetChannel::create(&owner, json!({})).await;
        ok(owner.post("/api/v1/contact-attributes", json!({"key": "trial_end", "label": "试用到期", "kind": "date"})).await, 201).await;
        ok(owner.post("/api/v1/contact-attributes", json!({"key": "paid", "label": "已付费", "kind": "boolean"})).await, 201).await;
        // Three enquirers: unpaid for 49 hours, paid, and unpaid but only 10 hours ago.
        let (_, unpaid) = chat(&app, &owner, &channel, alice, "报价多少？").await;
        let (_, paid) = chat(&app, &owner, &channel, alice, "我要买").await;
        for (c, v) in [(unpaid, false), (paid, true)] {
            ok(owner.patch(&format!("/api/v1/contacts/{c}"), json!({"attributes": {"paid": v}})).await, 200).await;
        }
        app.clock.advance_ms(39 * HOUR);
        let (_, recent) = chat(&app, &owner, &channel, alice, "还在考虑").await;
        ok(owner.patch(&format!("/api/v1/contacts/{recent}"), json!({"attributes": {"paid": false}})).await, 200).await;
        app.clock.advance_ms(10 * HOUR);
        let unpaid_rule = ok(owner.post("/api/v1/automation/rules", json!({
            "name": "咨询未付款 48 小时", "goal": "转化",
            "trigger": {"kind": "scan", "every": "1h"},
            "conditions": {"all": [
                {"field": "contact.custom.paid", "op": "eq", "value": false},
                {"field": "contact.first_conversation_at", "op": "present"},
                {"field": "contact.first_conversation_at", "op": "not_within_last", "value": "48h"}
            ]},
            "actions": [{"type": "create_todo", "title": "跟进未付款客户 {{contact.name}}", "owner": {"strategy": "contact_owner"}, "due_in": "4h", "priority": "normal"}],
            "limit_days": 3
        })).await, 201).await;
        let dry = ok(owner.post(&format!("/api/v1/automation/rules/{}/scan?dry_run=true", unpaid_rule["id"]), json!({})).await, 200).await;
        assert_eq!((dry["matched"].as_i64(), dry["created"].as_i64()), (Some(1), Some(0)), "{dry}");
        fire_all(&app).await; // the first scan is due at once
        let mine = todos(&alice_s, &format!("rule_id={}", unpaid_rule["id"])).await;
        assert_eq!(mine.len(), 1, "{mine:?}");
        assert_eq!(mine[0]["contact_id"], unpaid);
        // An hour later the next scan finds the same contact but the 3-day limit holds it back.
        app.clock.advance_ms(HOUR + MIN);
        fire_all(&app).await;
        assert_eq!(todos(&alice_s, &format!("rule_id={}", unpaid_rule["id"])).await.len(), 1);
        let runs = ok(owner.get(&format!("/api/v1/automation/rules/{}/runs", unpaid_rule["id"])).await, 200).await;
        assert_eq!(runs["scans"][0]["suppressed"], 1, "{runs}");
        assert_eq!(runs["scans"][0]["created"], 0);

        // Trial ends within 3 days (a date attribute), and an order status unchanged for 24 hours.
        let now = app.app.now();
        let in_two_days = jiff::Timestamp::from_millisecond(now + 2 * DAY).expect("ts").strftime("%Y-%m-%d").to_string();
        ok(owner.patch(&format!("/api/v1/contacts/{paid}"), json!({"attributes": {"trial_end": in_two_days, "order_status": "shipped"}})).await, 200).await;
        let trial = ok(owner.post("/api/v1/automation/rules", json!({
            "name": "试用到期提醒", "trigger": {"kind": "scan", "every": "1d"},
            "conditions": {"all": [{"field": "contact.custom.trial_end", "op": "within_next", "value": "3d"}]},
            "actions": [{"type": "create_todo", "title": "试用到期提醒", "owner": {"strategy": "conversation_agent"}}]
        })).await, 201).await;
        let stuck = ok(owner.post("/api/v1/automation/rules", json!({
            "name": "物流停滞", "trigger": {"kind": "scan", "every": "1h"},
            "conditions": {"all": [
                {"field": "contact.custom.order_status", "op": "eq", "value": "shipped"},
                {"field": "contact.changed.order_status", "op": "not_within_last", "value": "24h"}
            ]},
            "actions": [{"type": "create_todo", "title": "物流停滞回访", "owner": {"strategy": "user", "user_id": alice}}]
        })).await, 201).await;
        fire_all(&app).await;
        assert_eq!(todos(&alice_s, &format!("rule_id={}", trial["id"])).await.len(), 1);
        assert_eq!(todos(&alice_s, &format!("rule_id={}", stuck["id"])).await.len(), 0, "changed just now");
        app.clock.advance_ms(25 * HOUR);
        fire_all(&app).await;
        let s = todos(&alice_s, &format!("rule_id={}", stuck["id"])).await;
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0]["contact_id"], paid);

        // An absolute time: once, at that moment.
        let at = app.app.now() + 2 * HOUR;
        ok(owner.post("/api/v1/automation/rules", json!({
            "name": "大促前回访", "trigger": {"kind": "at", "at": at},
            "conditions": {"all": [{"field": "contact.conversations", "op": "gte", "value": 1}]},
            "actions": [{"type": "create_todo", "title": "大促前回访", "owner": {"strategy": "conversation_agent"}, "priority": "low"}]
        })).await, 201).await;
        fire_all(&app).await;
        assert!(!titles(&todos(&alice_s, "").await).contains(&"大促前回访".to_owned()));
        app.clock.advance_ms(2 * HOUR);
        fire_all(&app).await;
        assert_eq!(titles(&todos(&alice_s, "").await).iter().filter(|t| *t == "大促前回访").count(), 3);

        // The daily list at shift start: the agent's own schedule, every day at 08:30 Shanghai.
        ok(alice_s.send("PUT", "/api/v1/me/schedule", Some(json!({"schedule": {"weekdays": [1,2,3,4,5,6,7], "start": "08:30"}}))).await, 200).await;
        app.clock.advance_ms(DAY);
        fire_all(&app).await;
        let notices = ok(alice_s.get("/api/v1/me/notifications").await, 200).await;
        let digest = notices["items"].as_array().expect("items").iter()
            .find(|n| n["notice_kind"] == "todo_digest").cloned().expect("a daily list");
        assert!(digest["params"]["todos"].as_array().expect("todos").len() >= 5, "{digest}");
        // Low-priority to-dos never remind on their own.
        assert!(notices["items"].as_array().expect("items").iter().all(|n| !(n["notice_kind"] == "todo_reminder" && n["params"]["priority"] == "low")));

        // Analytics for a seeded history: 4 generated by the unpaid rule — one done in time,
        // one done late, one cancelled, one ignored (untouched long past due).
        let rule = unpaid_rule["id"].as_i64().expect("id");
        let scope = Scope::new(app.account);
        let base = app.app.now() - 20 * DAY;
        let mut tx = app.app.db().begin().await.expect("tx");
        let k = contacts::insert(&mut tx, scope, contacts::ContactPatch::default(), base).await.expect("contact");
        for (status, due, done, touched) in [
            ("done", base + DAY, Some(base + HOUR), true),
            ("done", base + DAY, Some(base + 3 * DAY), true),
            ("cancelled", base + DAY, None, true),
            ("open", base + DAY, None, false),
        ] {
            let t = trepo::Todo {
                id: 0, title: "seed".into(), note: String::new(), owner_id: alice, status: status.into(),
                priority: "normal".into(), colour: None, due_at: Some(due), remind_at: None, snoozed_until: None,
                repeat: None, contact_id: Some(k.id), conversation_id: None, ticket_id: None,
                context: yingke_app::store::Json(json!({})), source: "rule".into(), rule_id: Some(rule),
                template_key: None, chain_id: None, chain_step: None, waits: false, created_by: None,
                created_at: base, updated_at: base, touched_at: touched.then_some(base), completed_at: done,
                cancelled_at: (status == "cancelled").then_some(base + HOUR),
            };
            trepo::insert(&mut tx, scope, &t).await.expect("seed");
        }
        tx.commit().await.expect("commit");
        let r = ok(owner.get(&format!("/api/v1/automation/rules/{rule}")).await, 200).await;
        let st = &r["stats"];
        // The seeded four plus the scan's two (the first, and one more once the 3-day limit passed).
        assert_eq!(st["generated"], 6, "{st}");
        assert_eq!(st["open"], 2);
        assert_eq!(st["completed"], 2);
        assert_eq!(st["completed_late"], 1);
        assert_eq!(st["cancelled"], 1);
        assert_eq!(st["ignored"], 1);
        assert_eq!(st["median_completion_ms"], (HOUR + 3 * DAY) / 2);
        // A rule that never fired for 30 days is flagged.
        app.clock.advance_ms(31 * DAY);
        let owner = app.owner().await; // the old session expired meanwhile
        let list = ok(owner.get("/api/v1/automation/rules").await, 200).await;
        let quiet = list["items"].as_array().expect("items").iter().find(|x| x["name"] == "A 加 B" || x["name"] == "大促前回访").cloned().expect("rule");
        assert_eq!(quiet["stats"]["suggestions"][0]["code"], "never_fired", "{quiet}");
    }
}

both_backends! {
    async fn sla_deadline_and_relative_ticket_triggers(app: TestApp) {
        let owner = app.owner().await;
        let (alice, alice_s) = agent(&app, "alice@example.com").await;
        ok(owner.post("/api/v1/sla/policies", json!({"spec": {
            "name": "标准", "targets": {"p2": {"first_response_minutes": 60, "resolution_minutes": 240}},
            "warn_fraction": 0.75
        }})).await, 201).await;
        // SLA deadline in 30 minutes → "优先处理"; a ticket 24 hours old → "24 小时回访".
        let due_rule = ok(owner.post("/api/v1/automation/rules", json!({
            "name": "SLA 临近", "trigger": {"kind": "event", "event": "ticket.sla_due", "before": "30m"},
            "actions": [{"type": "create_todo", "title": "优先处理 {{ticket.number}}", "owner": {"strategy": "user", "user_id": alice}, "priority": "urgent"}]
        })).await, 201).await;
        ok(owner.post("/api/v1/automation/rules", json!({
            "name": "建单 24 小时", "trigger": {"kind": "event", "event": "ticket.created", "after": "24h"},
            "actions": [{"type": "create_todo", "title": "24 小时回访", "owner": {"strategy": "user", "user_id": alice}}]
        })).await, 201).await;
        let created_at = app.app.now();
        let t = ok(owner.post("/api/v1/tickets", json!({"title": "打印机坏了", "priority": "p2"})).await, 201).await;
        let first_due = t["sla"]["metrics"].as_array().expect("metrics").iter()
            .filter_map(|m| m["due_at"].as_i64()).min().expect("a deadline");

        // One minute before "30 minutes before the first deadline": nothing yet.
        app.clock.advance_ms(first_due - 31 * MIN - app.app.now());
        fire_all(&app).await;
        assert_eq!(todos(&alice_s, "").await.len(), 0);
        app.clock.advance_ms(MIN);
        fire_all(&app).await;
        let mine = todos(&alice_s, "").await;
        assert_eq!(mine.len(), 1, "{mine:?}");
        assert!(mine[0]["title"].as_str().expect("title").starts_with("优先处理 "), "{}", mine[0]);
        assert_eq!((mine[0]["priority"].as_str(), mine[0]["ticket_id"].as_i64()), (Some("urgent"), t["id"].as_i64()));
        let runs = ok(owner.get(&format!("/api/v1/automation/rules/{}/runs", due_rule["id"])).await, 200).await;
        assert_eq!(runs["runs"][0]["outcome"], "done", "{runs}");

        // The relative trigger waits 24 hours from the ticket's creation, not a minute less.
        app.clock.advance_ms(created_at + DAY - MIN - app.app.now());
        fire_all(&app).await;
        assert!(!titles(&todos(&alice_s, "").await).contains(&"24 小时回访".to_owned()));
        app.clock.advance_ms(MIN);
        fire_all(&app).await;
        assert!(titles(&todos(&alice_s, "").await).contains(&"24 小时回访".to_owned()));
    }
}

both_backends! {
    async fn quiet_and_key_customers_tags_prompts_and_assignment(app: TestApp) {
        let owner = app.owner().await;
        let (alice, alice_s) = agent(&app, "alice@example.com").await;
        let (bob, _) = agent(&app, "bob@example.com").await;
        let channel = WidgetChannel::create(&owner, json!({})).await;
        ok(owner.post("/api/v1/contact-attributes", json!({"key": "vip", "label": "重点客户", "kind": "boolean"})).await, 201).await;
        // Two interested key customers, each contacted by an agent today.
        let (a_conv, a) = chat(&app, &owner, &channel, alice, "想了解企业版").await;
        let (b_conv, b) = chat(&app, &owner, &channel, alice, "企业版怎么收费").await;
        for (conv, contact) in [(a_conv, a), (b_conv, b)] {
            ok(owner.put(&format!("/api/v1/contacts/{contact}/tags/意向客户")).await, 200).await;
            ok(owner.patch(&format!("/api/v1/contacts/{contact}"), json!({"attributes": {"vip": true}})).await, 200).await;
            ok(alice_s.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"client_id": "hello", "text": "您好，我是客户经理"})).await, 201).await;
        }

        // Tag X and no interaction for 7 days → a to-do and a contact tag, once a month at most.
        let quiet = ok(owner.post("/api/v1/automation/rules", json!({
            "name": "意向客户沉默 7 天", "goal": "唤醒沉默的意向客户",
            "trigger": {"kind": "scan", "every": "1d"},
            "conditions": {"all": [
                {"field": "contact.tags", "op": "contains", "value": "意向客户"},
                {"field": "contact.last_interaction_at", "op": "not_within_last", "value": "7d"}
            ]},
            "actions": [
                {"type": "create_todo", "title": "唤醒 {{contact.name}}", "owner": {"strategy": "user", "user_id": alice}},
                {"type": "add_tag", "tag": "沉默客户", "target": "contact"}
            ],
            "limit_days": 30
        })).await, 201).await;
        // A key customer no agent has written to for 20 days → a notice to alice.
        let key = ok(owner.post("/api/v1/automation/rules", json!({
            "name": "重点客户 20 天未联系",
            "trigger": {"kind": "scan", "every": "1d"},
            "conditions": {"all": [
                {"field": "contact.custom.vip", "op": "eq", "value": true},
                {"field": "contact.last_contacted_at", "op": "not_within_last", "value": "20d"}
            ]},
            "actions": [{"type": "notify", "to": {"strategy": "user", "user_id": alice}, "message": "重点客户 {{contact.name}} 20 天未联系"}],
            "limit_days": 30
        })).await, 201).await;
        fire_all(&app).await; // the first scans run now and find nobody
        assert!(todos(&alice_s, &format!("rule_id={}", quiet["id"])).await.is_empty());

        // Day 5: alice writes to b, and only leaves an internal note on a (not an interaction);
        // day 8: a is quiet, b is not.
        app.clock.advance_ms(5 * DAY);
        ok(alice_s.post(&format!("/api/v1/conversations/{a_conv}/messages"), json!({"client_id": "note5", "text": "内部备注不算互动", "note": true})).await, 201).await;
        ok(alice_s.post(&format!("/api/v1/conversations/{b_conv}/messages"), json!({"client_id": "day5", "text": "企业版报价已发您邮箱"})).await, 201).await;
        app.clock.advance_ms(3 * DAY);
        fire_all(&app).await;
        let woken = todos(&alice_s, &format!("rule_id={}", quiet["id"])).await;
        assert_eq!(woken.len(), 1, "{woken:?}");
        assert_eq!(woken[0]["contact_id"], a);
        let tags_of = |v: &Value| v["tags"].as_array().cloned().unwrap_or_default();
        assert!(tags_of(&ok(owner.get(&format!("/api/v1/contacts/{a}")).await, 200).await).contains(&json!("沉默客户")));
        assert!(!tags_of(&ok(owner.get(&format!("/api/v1/contacts/{b}")).await, 200).await).contains(&json!("沉默客户")));
        // The next days' scans find a again, but the 30-day limit holds it back.
        app.clock.advance_ms(2 * DAY);
        fire_all(&app).await;
        assert_eq!(todos(&alice_s, &format!("rule_id={}", quiet["id"])).await.len(), 1);

        // Day 21: a was last contacted on day 0, b on day 5 → only a's notice.
        let key_notices = |items: &Value| -> Vec<Value> {
            items["items"].as_array().cloned().unwrap_or_default().into_iter()
                .filter(|n| n["notice_kind"] == "automation" && n["params"]["rule_id"] == key["id"]).collect()
        };
        assert!(key_notices(&ok(alice_s.get("/api/v1/me/notifications").await, 200).await).is_empty());
        app.clock.advance_ms(11 * DAY);
        fire_all(&app).await;
        let got = key_notices(&ok(alice_s.get("/api/v1/me/notifications").await, 200).await);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["params"]["contact_id"], a, "{}", got[0]);

        // A tag the account prompts for tells the conversation's agent to create a to-do (a
        // notice, not a to-do); other tags do not.
        ok(owner.send("PUT", "/api/v1/todo-settings", Some(json!({"prompt_tags": {"想退货": "return"}, "daily_list": true}))).await, 422).await;
        ok(owner.post("/api/v1/todo-templates", json!({"key": "return", "name": "退货回访", "title": "退货回访"})).await, 201).await;
        ok(owner.send("PUT", "/api/v1/todo-settings", Some(json!({"prompt_tags": {"想退货": "return"}, "daily_list": true}))).await, 200).await;
        let before = todos(&alice_s, "").await.len();
        ok(alice_s.put(&format!("/api/v1/conversations/{a_conv}/tags/想退货")).await, 200).await;
        ok(alice_s.put(&format!("/api/v1/conversations/{a_conv}/tags/闲聊")).await, 200).await;
        fire_all(&app).await;
        let notices = ok(alice_s.get("/api/v1/me/notifications").await, 200).await;
        let prompts: Vec<Value> = notices["items"].as_array().expect("items").iter()
            .filter(|n| n["notice_kind"] == "todo_prompt").cloned().collect();
        assert_eq!(prompts.len(), 1, "{prompts:?}");
        assert_eq!(prompts[0]["params"]["tag"], "想退货");
        assert_eq!(prompts[0]["params"]["template"], "return");
        assert_eq!(prompts[0]["params"]["conversation_id"], a_conv);
        assert_eq!(todos(&alice_s, "").await.len(), before, "a prompt creates no to-do");

        // An assign action: the tag "转主管" hands the conversation to bob.
        ok(owner.post("/api/v1/automation/rules", json!({
            "name": "转主管", "trigger": {"kind": "event", "event": "conversation.tagged", "key": "转主管"},
            "actions": [{"type": "assign", "user_id": bob}]
        })).await, 201).await;
        ok(alice_s.put(&format!("/api/v1/conversations/{b_conv}/tags/转主管")).await, 200).await;
        fire_all(&app).await;
        let conv = ok(owner.get(&format!("/api/v1/conversations/{b_conv}")).await, 200).await;
        assert_eq!(conv["assignee_id"], bob, "{conv}");
    }
}
