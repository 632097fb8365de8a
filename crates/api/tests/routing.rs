//! Routing end to end, on SQLite and PostgreSQL: the example rules of the routing issue, sticky
//! routing, queues draining by priority when capacity frees, overflow, reassignment when the
//! assignee does not reply, simulate, and bad input.

use serde_json::{Value, json};
use yingke_core::Role;
use yingke_testkit::{Session, TestApp, WidgetChannel, Ws, both_backends, identity_hmac, json_of};

async fn team(owner: &Session, name: &str) -> i64 {
    let (s, t) = json_of(owner.post("/api/v1/teams", json!({"name": name})).await).await;
    assert_eq!(s, 201, "{t}");
    t["id"].as_i64().expect("team id")
}

/// An agent in `team`, online when `online`.
async fn agent(
    app: &TestApp,
    owner: &Session,
    email: &str,
    team: Option<i64>,
    online: bool,
) -> i64 {
    let id = app.create_user(app.account, email, Role::Agent).await;
    if let Some(t) = team {
        assert_eq!(
            owner
                .put(&format!("/api/v1/teams/{t}/members/{id}"))
                .await
                .status(),
            200
        );
    }
    if online {
        set_agent(owner, id, json!({"status": "online"})).await;
    }
    id
}

async fn set_agent(owner: &Session, id: i64, body: Value) -> Value {
    let (s, a) = json_of(owner.patch(&format!("/api/v1/agents/{id}"), body).await).await;
    assert_eq!(s, 200, "{a}");
    a
}

async fn rule(owner: &Session, body: Value) -> i64 {
    let (s, r) = json_of(owner.post("/api/v1/routing/rules", body).await).await;
    assert_eq!(s, 201, "{r}");
    r["id"].as_i64().expect("rule id")
}

async fn settings(owner: &Session, body: Value) {
    let (s, b) = json_of(owner.patch("/api/v1/routing/settings", body).await).await;
    assert_eq!(s, 200, "{b}");
}

/// A visitor starts a session with `session` and says `text`; answers the conversation id and
/// the visitor's socket.
async fn open(ch: &WidgetChannel, session: Value, text: &str) -> (i64, Ws) {
    let (s, body) = ch.session(session).await;
    assert_eq!(s, 200, "{body}");
    let token = body["visitor_token"].as_str().expect("token").to_owned();
    let mut v = ch.socket(&token).await;
    let id = say(&mut v, text).await;
    (id, v)
}

async fn say(v: &mut Ws, text: &str) -> i64 {
    let cid = uuid_like(text);
    v.send(json!({"type": "send", "client_id": cid, "text": text}))
        .await;
    v.expect("ack").await["conversation_id"]
        .as_i64()
        .expect("conversation id")
}

fn uuid_like(text: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("c{}-{}", N.fetch_add(1, Ordering::Relaxed), text.len())
}

async fn conv(owner: &Session, id: i64) -> Value {
    let (s, c) = json_of(owner.get(&format!("/api/v1/conversations/{id}")).await).await;
    assert_eq!(s, 200, "{c}");
    c
}

async fn decisions(owner: &Session, id: i64) -> Vec<Value> {
    let (s, d) = json_of(
        owner
            .get(&format!("/api/v1/conversations/{id}/routing"))
            .await,
    )
    .await;
    assert_eq!(s, 200, "{d}");
    d["items"].as_array().expect("items").clone()
}

async fn last_decision(owner: &Session, id: i64) -> Value {
    decisions(owner, id).await.pop().expect("a decision")
}

fn candidate(d: &Value, agent: i64) -> Value {
    d["trace"]["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .find(|c| c["agent_id"] == agent)
        .cloned()
        .expect("every agent is in the trace")
}

async fn set_status(owner: &Session, id: i64, status: &str) {
    let (s, b) = json_of(
        owner
            .patch(
                &format!("/api/v1/conversations/{id}"),
                json!({"status": status}),
            )
            .await,
    )
    .await;
    assert_eq!(s, 200, "{b}");
}

both_backends! {
    async fn example_rules_route_by_campaign_form_keywords_and_vip(app: TestApp) {
        let owner = app.owner().await;
        let sales = team(&owner, "销售").await;
        let key_accounts = team(&owner, "大客户").await;
        let after_sales = team(&owner, "售后").await;
        let general = team(&owner, "综合").await;
        let s1 = agent(&app, &owner, "s1@yingke.test", Some(sales), true).await;
        let k1 = agent(&app, &owner, "k1@yingke.test", Some(key_accounts), true).await;
        let a1 = agent(&app, &owner, "a1@yingke.test", Some(after_sales), true).await;
        let g1 = agent(&app, &owner, "g1@yingke.test", Some(general), true).await;

        let ch = WidgetChannel::create(&owner, json!({"pre_chat_form": [
            {"name": "budget", "label": "预算", "kind": "text"}]})).await;
        let ep = json!({"key": "d11", "name": "双11落地页", "campaign": "双11"});
        assert_eq!(owner.post(&format!("/api/v1/channels/{}/entry-points", ch.id), ep).await.status(), 201);
        let (_, secret) = json_of(owner.get(&format!("/api/v1/channels/{}/identity-secret", ch.id)).await).await;
        let secret = secret["identity_secret"].as_str().expect("secret").to_owned();

        let vip = rule(&owner, json!({"name": "VIP", "conditions": {"all": [
            {"field": "contact.returning", "op": "eq", "value": true},
            {"field": "contact.custom.paid", "op": "eq", "value": true},
            {"field": "contact.last_active_at", "op": "within_last", "value": "30d"}]},
            "route": {"teams": [key_accounts]}})).await;
        let campaign = rule(&owner, json!({"name": "双11 有预算", "conditions": {"all": [
            {"field": "entry.campaign", "op": "eq", "value": "双11"},
            {"field": "form.budget", "op": "present"}]},
            "route": {"teams": [sales], "priority": "high"}})).await;
        let refunds = rule(&owner, json!({"name": "售后关键词", "conditions":
            {"field": "message.text", "op": "contains_any", "value": ["退货", "退款", "投诉"]},
            "route": {"teams": [after_sales], "tags": ["售后"]}})).await;
        settings(&owner, json!({"default_route": {"teams": [general]}})).await;

        // Campaign with the budget filled → sales, priority high.
        let (c1, _v1) = open(&ch, json!({"entry": "d11", "form": {"budget": "5万"}}), "想了解一下套餐").await;
        let c = conv(&owner, c1).await;
        assert_eq!((c["assignee_id"].as_i64(), c["team_id"].as_i64(), c["priority"].as_str()), (Some(s1), Some(sales), Some("high")));
        let d = last_decision(&owner, c1).await;
        assert_eq!((d["reason"].as_str(), d["outcome"].as_str(), d["rule_id"].as_i64()), (Some("new"), Some("assigned"), Some(campaign)));
        assert_eq!(d["trace"]["rules"][0]["rule_id"], vip);
        assert_eq!(d["trace"]["rules"][0]["matched"], false);
        assert!(d["trace"]["rules"][0]["failed"].as_str().expect("why").contains("contact.returning"), "{d}");
        assert_eq!(d["trace"]["rules"][1]["matched"], true);
        assert_eq!(candidate(&d, k1)["excluded"], "not_in_team");
        assert_eq!(candidate(&d, s1)["score"]["load"], 0);

        // Same campaign without a budget, asking for a refund → the keyword rule.
        let (c2, _v2) = open(&ch, json!({"entry": "d11"}), "我要退款，东西坏了").await;
        let c = conv(&owner, c2).await;
        assert_eq!((c["assignee_id"].as_i64(), c["team_id"].as_i64()), (Some(a1), Some(after_sales)));
        assert_eq!(c["tags"], json!(["售后"]));
        let d = last_decision(&owner, c2).await;
        assert_eq!(d["rule_id"], refunds);
        assert_eq!(d["trace"]["rules"][1]["failed"], "all[1]: form.budget present — was absent");

        // R1's latencies are exported.
        let metrics = app.client().get(app.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
        for name in ["yingke_routing_decision_seconds_bucket", "yingke_conversation_creation_seconds_bucket"] {
            assert!(metrics.contains(name), "{name} missing from /metrics");
        }

        // Nothing matches → the default route.
        let (c3, _v3) = open(&ch, json!({}), "你好").await;
        let c = conv(&owner, c3).await;
        assert_eq!(c["assignee_id"].as_i64(), Some(g1));
        assert_eq!(last_decision(&owner, c3).await["rule_id"], Value::Null);

        // A paying customer: the first time they are new; back within 30 days → key accounts.
        let id = json!({"user_id": "vip-1", "name": "张总", "attributes": {"paid": true}, "hmac": identity_hmac(&secret, "vip-1")});
        let (first, _vf) = open(&ch, json!({"identity": id.clone()}), "你好").await;
        assert_eq!(conv(&owner, first).await["assignee_id"].as_i64(), Some(g1));
        set_status(&owner, first, "closed").await;
        app.clock.advance_ms(3 * 86_400_000);
        let (second, _vs) = open(&ch, json!({"identity": id}), "再来咨询").await;
        assert_ne!(first, second);
        let c = conv(&owner, second).await;
        assert_eq!((c["assignee_id"].as_i64(), c["team_id"].as_i64()), (Some(k1), Some(key_accounts)));
        let d = last_decision(&owner, second).await;
        assert_eq!(d["rule_id"], vip);
        // The agent who served them last (g1) is not in the key-account team: sticky says so.
        assert_eq!(d["trace"]["sticky"], format!("agent {g1} who served the contact is not in team"));
    }

    async fn outside_business_hours_queues_with_a_notice_until_an_agent_comes_online(app: TestApp) {
        let owner = app.owner().await;
        let support = team(&owner, "客服").await;
        let night = agent(&app, &owner, "night@yingke.test", Some(support), false).await;
        // The test clock reads Monday 2026-09-21 22:13 in Shanghai: after hours.
        let day = json!([{"start_min": 540, "end_min": 1080}]);
        settings(&owner, json!({"business_hours": {"timezone": "Asia/Shanghai",
            "weekly": [day, day, day, day, day, [], []]}})).await;
        let notice = "现在是非工作时间，上班后我们会第一时间回复您。";
        rule(&owner, json!({"name": "非工作时间", "conditions":
            {"field": "time.business_hours", "op": "eq", "value": false},
            "route": {"teams": [support], "offline_notice": notice}})).await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let (id, mut v) = open(&ch, json!({}), "在吗？").await;

        let m = v.expect_where("message", |f| f["message"]["sender"]["kind"] == "system").await;
        assert_eq!(m["message"]["text"], notice);
        let c = conv(&owner, id).await;
        assert_eq!((c["status"].as_str(), c["assignee_id"].as_i64()), (Some("pending"), None));
        let d = last_decision(&owner, id).await;
        assert_eq!(d["outcome"], "queued");
        assert_eq!(candidate(&d, night)["excluded"], "offline");
        let (_, q) = json_of(owner.get("/api/v1/routing/queue").await).await;
        assert_eq!(q["items"][0]["conversation_id"], id);
        assert_eq!(q["items"][0]["position"], 1);
        assert_eq!(q["items"][0]["team_id"], support);

        // The agent comes online: the waiting conversation is offered at once.
        set_agent(&owner, night, json!({"status": "online"})).await;
        let c = conv(&owner, id).await;
        assert_eq!((c["status"].as_str(), c["assignee_id"].as_i64()), (Some("open"), Some(night)));
        let d = last_decision(&owner, id).await;
        assert_eq!((d["reason"].as_str(), d["outcome"].as_str()), (Some("queue"), Some("assigned")));
        let (_, q) = json_of(owner.get("/api/v1/routing/queue").await).await;
        assert_eq!(q["items"], json!([]));
    }

    async fn the_queue_drains_by_priority_then_arrival_when_capacity_frees(app: TestApp) {
        let owner = app.owner().await;
        let t = team(&owner, "客服").await;
        let solo = agent(&app, &owner, "solo@yingke.test", Some(t), true).await;
        let a = set_agent(&owner, solo, json!({"capacity": 1})).await;
        assert_eq!(a["effective_capacity"], 1);
        rule(&owner, json!({"name": "加急", "conditions": {"field": "message.text", "op": "contains", "value": "加急"},
            "route": {"teams": [t], "priority": "urgent"}})).await;
        settings(&owner, json!({"default_route": {"teams": [t]}})).await;
        let ch = WidgetChannel::create(&owner, json!({})).await;

        let (first, _v1) = open(&ch, json!({}), "第一个").await;
        assert_eq!(conv(&owner, first).await["assignee_id"].as_i64(), Some(solo));
        let (s, body) = ch.session(json!({})).await;
        assert_eq!(s, 200, "{body}");
        let normal_token = body["visitor_token"].as_str().expect("token").to_owned();
        let mut v2 = ch.socket(&normal_token).await;
        let normal = say(&mut v2, "第二个").await;
        let q = v2.expect("queue").await;
        assert_eq!((q["conversation_id"].as_i64(), q["position"].as_i64()), (Some(normal), Some(1)));
        app.clock.advance_ms(1000);
        let (urgent, _v3) = open(&ch, json!({}), "加急！付款失败").await;
        for id in [normal, urgent] {
            let c = conv(&owner, id).await;
            assert_eq!((c["status"].as_str(), c["assignee_id"].as_i64()), (Some("pending"), None));
            assert_eq!(candidate(&last_decision(&owner, id).await, solo)["excluded"], "at_capacity");
        }
        let (_, q) = json_of(owner.get("/api/v1/routing/queue").await).await;
        let order: Vec<i64> = q["items"].as_array().expect("items").iter().filter_map(|i| i["conversation_id"].as_i64()).collect();
        assert_eq!(order, [urgent, normal], "priority before arrival");
        // The visitor is told when the urgent conversation moved ahead of them…
        v2.expect_where("queue", |f| f["position"] == 2).await;
        // …and a socket that connects meanwhile (a reload, another tab) hears where they stand.
        let mut again = ch.socket(&normal_token).await;
        let q = again.expect("queue").await;
        assert_eq!((q["conversation_id"].as_i64(), q["position"].as_i64()), (Some(normal), Some(2)));

        // Capacity frees: the urgent one, though it came later, goes first.
        set_status(&owner, first, "resolved").await;
        assert_eq!(conv(&owner, urgent).await["assignee_id"].as_i64(), Some(solo));
        assert_eq!(conv(&owner, normal).await["assignee_id"].as_i64(), None);
        // …and when it is next again, with an estimate from the pace of assignments.
        let q = v2.expect_where("queue", |f| f["position"] == 1).await;
        assert!(q["estimated_wait_secs"].is_i64(), "{q}");
        let (_, agents) = json_of(owner.get("/api/v1/agents").await).await;
        let me = agents["items"].as_array().expect("items").iter().find(|a| a["user_id"] == solo).cloned().expect("agent");
        assert_eq!((me["load"].as_i64(), me["effective_capacity"].as_i64()), (Some(1), Some(1)), "never above capacity");
        // Raising capacity also drains.
        set_agent(&owner, solo, json!({"capacity": 2})).await;
        assert_eq!(conv(&owner, normal).await["assignee_id"].as_i64(), Some(solo));
    }

    async fn a_returning_contact_goes_back_to_their_agent(app: TestApp) {
        let owner = app.owner().await;
        let t = team(&owner, "客服").await;
        let x = agent(&app, &owner, "x@yingke.test", Some(t), true).await;
        let y = agent(&app, &owner, "y@yingke.test", Some(t), true).await;
        settings(&owner, json!({"default_route": {"teams": [t]}})).await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let (s, body) = ch.session(json!({})).await;
        assert_eq!(s, 200);
        let token = body["visitor_token"].as_str().expect("token").to_owned();
        let mut returning = ch.socket(&token).await;
        let first = say(&mut returning, "第一次").await;
        assert_eq!(conv(&owner, first).await["assignee_id"].as_i64(), Some(x));
        app.clock.advance_ms(1000);
        let (other, _v) = open(&ch, json!({}), "别人").await;
        assert_eq!(conv(&owner, other).await["assignee_id"].as_i64(), Some(y));
        app.clock.advance_ms(1000);
        let (third, _v3) = open(&ch, json!({}), "又一个").await;
        assert_eq!(conv(&owner, third).await["assignee_id"].as_i64(), Some(x));
        set_status(&owner, first, "closed").await;
        // x and y now both carry one; by load and rotation y is next — but the contact is back.
        let again = say(&mut returning, "我又来了").await;
        assert_ne!(again, first);
        assert_eq!(conv(&owner, again).await["assignee_id"].as_i64(), Some(x));
        let d = last_decision(&owner, again).await;
        assert_eq!(d["trace"]["sticky"], format!("returning contact goes back to agent {x}"));
        let sim = json!({"facts": {}, "contact_id": conv(&owner, again).await["contact_id"]});
        // Outside the window the ordinary strategy decides.
        settings(&owner, json!({"sticky_window_secs": 0})).await;
        let (s, r) = json_of(owner.post("/api/v1/routing/simulate", sim).await).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["agent_id"].as_i64(), Some(y));
    }

    async fn waiting_conversations_overflow_to_another_team(app: TestApp) {
        let owner = app.owner().await;
        let first_line = team(&owner, "一线").await;
        let second_line = team(&owner, "二线").await;
        agent(&app, &owner, "busy@yingke.test", Some(first_line), false).await;
        let backup = agent(&app, &owner, "backup@yingke.test", Some(second_line), true).await;
        let (s, b) = json_of(owner.send("PUT", &format!("/api/v1/teams/{first_line}/routing"),
            Some(json!({"overflow_after_secs": 30, "overflow_team_id": second_line}))).await).await;
        assert_eq!(s, 200, "{b}");
        settings(&owner, json!({"default_route": {"teams": [first_line]}})).await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let (id, _v) = open(&ch, json!({}), "有人吗").await;
        assert_eq!(conv(&owner, id).await["status"], "pending");

        app.clock.advance_ms(10_000);
        app.app.routing_tick().await.expect("tick");
        assert_eq!(conv(&owner, id).await["assignee_id"], Value::Null, "not yet");
        app.clock.advance_ms(21_000);
        app.app.routing_tick().await.expect("tick");
        let c = conv(&owner, id).await;
        assert_eq!((c["assignee_id"].as_i64(), c["team_id"].as_i64()), (Some(backup), Some(second_line)));
        let d = last_decision(&owner, id).await;
        assert_eq!(d["reason"], "overflow");
        assert!(d["trace"]["note"].as_str().expect("note").contains("waited 31 s"), "{d}");
    }

    async fn an_assignee_who_does_not_reply_loses_the_conversation(app: TestApp) {
        let owner = app.owner().await;
        let t = team(&owner, "客服").await;
        let slow = agent(&app, &owner, "slow@yingke.test", Some(t), true).await;
        let quick = agent(&app, &owner, "quick@yingke.test", Some(t), true).await;
        settings(&owner, json!({"default_route": {"teams": [t]}, "reassign_after_secs": 60})).await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let (ignored, _v1) = open(&ch, json!({}), "等了很久").await;
        assert_eq!(conv(&owner, ignored).await["assignee_id"].as_i64(), Some(slow));
        let (answered, _v2) = open(&ch, json!({}), "另一个").await;
        assert_eq!(conv(&owner, answered).await["assignee_id"].as_i64(), Some(quick));
        let quick_session = app.sign_in("quick@yingke.test", yingke_testkit::OWNER_PASSWORD).await;
        let (s, _) = json_of(quick_session.post(&format!("/api/v1/conversations/{answered}/messages"), json!({"text": "您好"})).await).await;
        assert_eq!(s, 201);

        app.clock.advance_ms(59_000);
        app.app.routing_tick().await.expect("tick");
        assert_eq!(conv(&owner, ignored).await["assignee_id"].as_i64(), Some(slow), "still within the limit");
        app.clock.advance_ms(2_000);
        app.app.routing_tick().await.expect("tick");
        let c = conv(&owner, ignored).await;
        assert_eq!(c["assignee_id"].as_i64(), Some(quick));
        let d = last_decision(&owner, ignored).await;
        assert_eq!(d["reason"], "no_reply");
        assert_eq!(d["trace"]["note"], format!("agent {slow} did not reply within 60 s of assignment"));
        assert_eq!(candidate(&d, slow)["excluded"], "excluded");
        assert_eq!(conv(&owner, answered).await["assignee_id"].as_i64(), Some(quick), "a reply keeps it");
        assert_eq!(decisions(&owner, answered).await.len(), 1);
    }

    async fn simulate_explains_without_assigning(app: TestApp) {
        let owner = app.owner().await;
        let sales = team(&owner, "销售").await;
        let s1 = agent(&app, &owner, "s1@yingke.test", Some(sales), true).await;
        let s2 = agent(&app, &owner, "s2@yingke.test", Some(sales), false).await;
        let r = rule(&owner, json!({"name": "双11", "conditions": {"field": "entry.campaign", "op": "eq", "value": "双11"},
            "route": {"teams": [sales], "strategy": "round_robin"}})).await;
        let (s, body) = json_of(owner.post("/api/v1/routing/simulate", json!({"facts": {"entry.campaign": "双11"}})).await).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!((body["outcome"].as_str(), body["agent_id"].as_i64()), (Some("assigned"), Some(s1)));
        assert_eq!(body["trace"]["route"]["rule_id"], r);
        assert_eq!(body["trace"]["route"]["strategy"], "round_robin");
        assert_eq!(body["facts"]["entry.campaign"], "双11");
        let excluded = body["trace"]["candidates"].as_array().expect("c").iter().find(|c| c["agent_id"] == s2).cloned().expect("s2");
        assert_eq!(excluded["excluded"], "offline");
        let (_, agents) = json_of(owner.get("/api/v1/agents").await).await;
        assert!(agents["items"].as_array().expect("items").iter().all(|a| a["load"] == 0), "nothing was assigned");

        let (s, e) = json_of(owner.post("/api/v1/routing/simulate", json!({"facts": {"entry.nope": 1}})).await).await;
        assert_eq!(s, 422);
        assert_eq!(e["error"]["details"][0]["field"], "facts.entry.nope");
        let agent_session = {
            app.create_user(app.account, "plain@yingke.test", Role::Agent).await;
            app.sign_in("plain@yingke.test", yingke_testkit::OWNER_PASSWORD).await
        };
        assert_eq!(agent_session.post("/api/v1/routing/simulate", json!({})).await.status(), 403);
    }

    async fn bad_rules_and_capacities_are_refused_with_paths(app: TestApp) {
        let owner = app.owner().await;
        let t = team(&owner, "客服").await;
        let a = agent(&app, &owner, "a@yingke.test", Some(t), false).await;
        let (_, other) = app.second_account().await;
        let foreign = team(&other, "别人的").await;
        let cases = [
            (json!({"field": "entry.nope", "op": "eq", "value": "x"}), json!({"teams": [t]}), "conditions.field"),
            (json!({"all": [{"field": "contact.conversations", "op": "gte", "value": "many"}]}), json!({"teams": [t]}), "conditions.all[0].value"),
            (json!({"field": "entry.campaign", "op": "resembles", "value": "x"}), json!({"teams": [t]}), "conditions.op"),
            (json!({"field": "contact.tags", "op": "gt", "value": 1}), json!({"teams": [t]}), "conditions.op"),
            (json!({"all": []}), json!({"teams": [foreign]}), "route.teams[0]"),
            (json!({"all": []}), json!({"teams": [t], "agent_id": 999_999}), "route.agent_id"),
            (json!({"all": []}), json!({"skills": [{"name": "english", "min": 9}]}), "route.skills[0].min"),
        ];
        for (conditions, route, field) in cases {
            let (s, e) = json_of(owner.post("/api/v1/routing/rules", json!({"name": "坏规则", "conditions": conditions, "route": route})).await).await;
            assert_eq!(s, 422, "{field}: {e}");
            let fields: Vec<&str> = e["error"]["details"].as_array().expect("details").iter().filter_map(|d| d["field"].as_str()).collect();
            assert_eq!(fields, [field], "{e}");
        }
        let (s, e) = json_of(owner.post("/api/v1/routing/rules", json!({"name": "x", "conditions": {}, "route": {"strategy": "random"}})).await).await;
        assert_eq!(s, 422, "{e}");
        let (_, rules) = json_of(owner.get("/api/v1/routing/rules").await).await;
        assert_eq!(rules["items"], json!([]), "nothing was written");

        for capacity in [0, -3] {
            let (s, e) = json_of(owner.patch(&format!("/api/v1/agents/{a}"), json!({"capacity": capacity})).await).await;
            assert_eq!(s, 422);
            assert_eq!(e["error"]["details"][0]["field"], "capacity");
        }
        let (s, e) = json_of(owner.send("PUT", &format!("/api/v1/teams/{t}/routing"), Some(json!({"default_capacity": 0}))).await).await;
        assert_eq!((s, e["error"]["details"][0]["field"].as_str()), (422, Some("default_capacity")));
        let (s, _) = json_of(owner.patch(&format!("/api/v1/agents/{a}"), json!({"status": "sleeping"})).await).await;
        assert_eq!(s, 422);

        // A team that a rule points at cannot be deleted; the answer names the rule.
        let r = rule(&owner, json!({"name": "客服规则", "conditions": {"all": []}, "route": {"teams": [t]}})).await;
        let (s, e) = json_of(owner.delete(&format!("/api/v1/teams/{t}")).await).await;
        assert_eq!(s, 409, "{e}");
        assert_eq!(e["error"]["code"], "in_use");
        assert!(e["error"]["message"].as_str().expect("message").contains(&format!("rule {r} \"客服规则\"")), "{e}");
        assert_eq!(owner.delete(&format!("/api/v1/routing/rules/{r}")).await.status(), 204);
        assert_eq!(owner.delete(&format!("/api/v1/teams/{t}")).await.status(), 204);

        // Agents may set their own status, not others' capacity or rules.
        let agent_session = app.sign_in("a@yingke.test", yingke_testkit::OWNER_PASSWORD).await;
        let (s, me) = json_of(agent_session.send("PUT", "/api/v1/me/status", Some(json!({"status": "busy"}))).await).await;
        assert_eq!((s, me["status"].as_str()), (200, Some("busy")));
        assert_eq!(agent_session.patch(&format!("/api/v1/agents/{a}"), json!({"capacity": 3})).await.status(), 403);
        assert_eq!(agent_session.post("/api/v1/routing/rules", json!({"name": "x", "conditions": {"all": []}, "route": {}})).await.status(), 403);
    }

    async fn idle_agents_become_away(app: TestApp) {
        let owner = app.owner().await;
        let a = agent(&app, &owner, "idle@yingke.test", None, false).await;
        let s = app.sign_in("idle@yingke.test", yingke_testkit::OWNER_PASSWORD).await;
        assert_eq!(s.send("PUT", "/api/v1/me/status", Some(json!({"status": "online"}))).await.status(), 200);
        settings(&owner, json!({"away_after_secs": 300})).await;
        app.clock.advance_ms(299_000);
        app.app.routing_tick().await.expect("tick");
        let status = |v: Value| v["items"].as_array().expect("items").iter().find(|x| x["user_id"] == a).map(|x| x["status"].clone());
        assert_eq!(status(json_of(owner.get("/api/v1/agents").await).await.1), Some(json!("online")));
        app.clock.advance_ms(2_000);
        app.app.routing_tick().await.expect("tick");
        assert_eq!(status(json_of(owner.get("/api/v1/agents").await).await.1), Some(json!("away")));
    }
}
