//! Tickets and SLAs end to end, on SQLite and PostgreSQL, with a controllable clock: numbering,
//! the workflow and its timeline, bad input; SLA warnings and breaches at business-time instants,
//! a priority change moving the timers, pending pausing them, resolving cancelling them,
//! escalations; thresholds learned from seeded history; dead-lettered timers re-run by an admin.

use serde_json::{Value, json};
use yingke_app::store::{Scope, timers};
use yingke_testkit::{Session, TestApp, WidgetChannel, both_backends, json_of};

/// The test clock's start: Monday 2026-09-21 22:13:20 Beijing time.
const T0: i64 = 1_790_000_000_000;
const MIN: i64 = 60_000;
/// Tuesday 2026-09-22 11:30 Beijing.
const TUE_1130: i64 = T0 + 47_800_000;

fn office_week() -> Value {
    let day = json!([{"start_min": 540, "end_min": 720}, {"start_min": 810, "end_min": 1080}]);
    json!({"timezone": "Asia/Shanghai",
           "weekly": [day, day, day, day, day, [], []]})
}

async fn ok(res: reqwest::Response, want: u16) -> Value {
    let (s, v) = json_of(res).await;
    assert_eq!(s, want, "{v}");
    v
}

fn paths(v: &Value) -> Vec<String> {
    v["error"]["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["field"].as_str().map(str::to_owned))
        .collect()
}

fn metric<'a>(t: &'a Value, m: &str) -> &'a Value {
    t["sla"]["metrics"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["metric"] == m))
        .unwrap_or_else(|| panic!("no {m} metric in {}", t["sla"]))
}

async fn timeline_kinds(owner: &Session, id: i64) -> Vec<String> {
    let v = ok(
        owner.get(&format!("/api/v1/tickets/{id}/timeline")).await,
        200,
    )
    .await;
    v["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn sla_timers(owner: &Session, ticket: i64) -> Vec<(String, i64)> {
    let v = ok(
        owner
            .get("/api/v1/timers?status=pending&kind=sla&limit=200")
            .await,
        200,
    )
    .await;
    let prefix = format!("sla:{ticket}:");
    let mut out: Vec<(String, i64)> = v["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["dedupe_key"].as_str().unwrap_or("").starts_with(&prefix))
        .map(|t| {
            (
                t["dedupe_key"].as_str().unwrap_or("").to_owned(),
                t["payload"]["ticket_id"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    out.sort();
    out
}

fn move_clock_to(app: &TestApp, at: i64) {
    let now = app.app.now();
    assert!(at >= now, "the clock only moves forward");
    app.clock.advance_ms(at - now);
}

async fn status(owner: &Session, id: i64, to: &str) -> Value {
    ok(
        owner
            .post(
                &format!("/api/v1/tickets/{id}/status"),
                json!({"status": to}),
            )
            .await,
        200,
    )
    .await
}

both_backends! {
    async fn tickets_are_numbered_follow_the_workflow_and_keep_a_timeline(app: TestApp) {
        let owner = app.owner().await;
        let cat = ok(owner.post("/api/v1/ticket-categories", json!({
            "key": "refund", "name": "退款",
            "fields": [
                {"key": "amount", "label": "金额", "kind": "number", "required": true},
                {"key": "carrier", "label": "快递", "kind": "list", "options": ["顺丰", "京东"]}
            ]})).await, 201).await;
        let cat_id = cat["id"].as_i64().expect("as set up");
        let marker = ok(owner.post("/api/v1/ticket-markers", json!({"name": "已联系供应商"})).await, 201).await;

        // Bad input: every path named, nothing written.
        let (s, e) = json_of(owner.post("/api/v1/tickets", json!({
            "title": "", "category_id": cat_id, "priority": "urgent",
            "deadline": "2020-01-01T00:00:00Z",
            "custom": {"amount": "many", "colour": "red", "carrier": "圆通"}
        })).await).await;
        assert_eq!(s, 422, "{e}");
        let p = paths(&e);
        for want in ["title", "priority", "deadline", "custom.amount", "custom.colour", "custom.carrier"] {
            assert!(p.contains(&want.to_owned()), "{want} in {p:?}");
        }
        let (s, e) = json_of(owner.post("/api/v1/tickets", json!({"title": "x", "category_id": 999_999})).await).await;
        assert_eq!(s, 422);
        assert_eq!(paths(&e), vec!["category_id"]);
        let (s, e) = json_of(owner.post("/api/v1/tickets", json!({"title": "x", "category_id": cat_id})).await).await;
        assert_eq!(s, 422);
        assert_eq!(paths(&e), vec!["custom.amount"], "a required field");
        let list = ok(owner.get("/api/v1/tickets").await, 200).await;
        assert_eq!(list["items"].as_array().expect("as set up").len(), 0, "nothing written");

        let t = ok(owner.post("/api/v1/tickets", json!({
            "title": "订单退款未到账", "category_id": cat_id, "priority": "p2",
            "order_number": "SO-20260921-88", "requested_by": "王女士",
            "custom": {"amount": 199.5, "carrier": "顺丰"}, "tags": ["退款"]
        })).await, 201).await;
        let id = t["id"].as_i64().expect("as set up");
        assert_eq!(t["number"], "T-2026001");
        assert_eq!(t["status"], "new");
        assert_eq!(t["status_name"], "待分配");
        assert_eq!(t["channel"], "agent");
        let t2 = ok(owner.post("/api/v1/tickets", json!({"title": "第二张"})).await, 201).await;
        assert_eq!(t2["number"], "T-2026002");

        status(&owner, id, "open").await;
        let r = status(&owner, id, "resolved").await;
        assert_eq!(r["status_kind"], "resolved");
        assert!(r["resolved_at"].is_string());
        let (s, e) = json_of(owner.post(&format!("/api/v1/tickets/{id}/status"),
            json!({"status": "pending_customer"})).await).await;
        assert_eq!(s, 422);
        assert!(e.to_string().contains("allowed: open, closed"), "{e}");
        let reopened = status(&owner, id, "open").await;
        assert!(reopened["resolved_at"].is_null(), "reopening clears the resolution");

        ok(owner.post(&format!("/api/v1/tickets/{id}/markers"),
            json!({"marker_id": marker["id"], "note": "供应商明天回复"})).await, 201).await;
        let team = ok(owner.post("/api/v1/teams", json!({"name": "财务部"})).await, 201).await;
        let (s, e) = json_of(owner.post(&format!("/api/v1/tickets/{id}/transfer"),
            json!({"team_id": team["id"], "reason": ""})).await).await;
        assert_eq!(s, 422);
        assert_eq!(paths(&e), vec!["reason"]);
        let moved = ok(owner.post(&format!("/api/v1/tickets/{id}/transfer"),
            json!({"team_id": team["id"], "reason": "需要财务审核"})).await, 200).await;
        assert_eq!(moved["team_id"], team["id"]);
        ok(owner.post(&format!("/api/v1/tickets/{id}/replies"),
            json!({"body": "内部：已催财务", "author": "note"})).await, 201).await;

        let kinds = timeline_kinds(&owner, id).await;
        assert_eq!(kinds, vec!["created", "status", "status", "status", "marker", "transferred", "note"]);
        let tl = ok(owner.get(&format!("/api/v1/tickets/{id}/timeline")).await, 200).await;
        let st = &tl["items"][1];
        assert_eq!(st["data"]["from"], "new");
        assert_eq!(st["data"]["to"], "open");
        assert_eq!(tl["items"][5]["body"], "需要财务审核");

        // An admin renames a state and removes one; a state in use cannot go.
        let mut wf = ok(owner.get("/api/v1/ticket-workflow").await, 200).await;
        wf["states"][1]["name"] = json!("跟进中");
        let wf2 = ok(owner.send("PUT", "/api/v1/ticket-workflow", Some(wf.clone())).await, 200).await;
        assert_eq!(wf2["states"][1]["name"], "跟进中");
        let mut without_open = wf.clone();
        without_open["states"].as_array_mut().expect("as set up").remove(1);
        let (s, _) = json_of(owner.send("PUT", "/api/v1/ticket-workflow", Some(without_open)).await).await;
        assert!(s == 409 || s == 422, "removing a used or required state is refused: {s}");
        let v = ok(owner.get(&format!("/api/v1/tickets/{id}")).await, 200).await;
        assert_eq!(v["status_name"], "跟进中");
    }

    async fn a_ticket_from_a_conversation_carries_its_transcript_contact_and_entry(app: TestApp) {
        let owner = app.owner().await;
        let channel = WidgetChannel::create(&owner, json!({})).await;
        let token = channel.visitor().await;
        let mut v = channel.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "c1", "text": "我的快递三天没动了"})).await;
        let conv = v.expect("ack").await["conversation_id"].as_i64().expect("as set up");
        let t = ok(owner.post(&format!("/api/v1/conversations/{conv}/ticket"), json!({})).await, 201).await;
        assert_eq!(t["conversation_id"], conv);
        assert_eq!(t["title"], "我的快递三天没动了");
        assert!(t["contact_id"].is_i64());
        assert_eq!(t["channel"], "web_widget");
        assert!(t["source"]["entry"].is_object(), "{}", t["source"]);
        let by_conv = ok(owner.get(&format!("/api/v1/tickets?conversation_id={conv}")).await, 200).await;
        assert_eq!(by_conv["items"][0]["id"], t["id"]);
    }

    async fn sla_clocks_count_business_time_warn_breach_pause_and_escalate(app: TestApp) {
        let owner = app.owner().await;
        let (s, e) = json_of(owner.post("/api/v1/calendars", json!({"name": "x", "spec": {
            "timezone": "Mars/Olympus",
            "weekly": [[{"start_min": 540, "end_min": 720}, {"start_min": 600, "end_min": 800}], [], [], [], [], [], []]
        }})).await).await;
        assert_eq!(s, 422);
        let p = paths(&e);
        assert!(p.contains(&"spec.timezone".to_owned()) && p.contains(&"spec.weekly.mon[1]".to_owned()), "{p:?}");
        let cal = ok(owner.post("/api/v1/calendars",
            json!({"name": "工作日", "spec": office_week(), "is_default": true})).await, 201).await;
        let imported = ok(owner.post(&format!("/api/v1/calendars/{}/holidays", cal["id"]), json!({
            "holidays": ["2026-10-01", "2026-10-02"], "extra_workdays": ["2026-09-27"]
        })).await, 200).await;
        assert_eq!(imported["spec"]["holidays"], json!(["2026-10-01", "2026-10-02"]));
        let escalation_team = ok(owner.post("/api/v1/teams", json!({"name": "升级组"})).await, 201).await;

        let (s, e) = json_of(owner.post("/api/v1/sla/policies", json!({"spec": {
            "name": "bad", "targets": {"p2": {"first_response_minutes": 0}}, "warn_fraction": 0.5
        }})).await).await;
        assert_eq!(s, 422);
        assert_eq!(paths(&e), vec!["targets.p2.first_response_minutes"]);
        ok(owner.post("/api/v1/sla/policies", json!({"spec": {
            "name": "标准",
            "targets": {
                "p1": {"first_response_minutes": 30, "resolution_minutes": 120},
                "p2": {"first_response_minutes": 60, "resolution_minutes": 240}
            },
            "warn_fraction": 0.75,
            "escalations": [
                {"on": "warning", "metric": "first_response", "action": "notify_supervisor"},
                {"on": "breach", "metric": "resolution", "action": "raise_priority"},
                {"on": "breach", "metric": "first_response", "action": "reassign_team", "team_id": escalation_team["id"]}
            ]
        }})).await, 201).await;

        // Tuesday 11:30: 30 minutes before lunch, then from 13:30.
        move_clock_to(&app, TUE_1130);
        let a = ok(owner.post("/api/v1/tickets", json!({"title": "A", "priority": "p2"})).await, 201).await;
        let id = a["id"].as_i64().expect("as set up");
        assert_eq!(metric(&a, "first_response")["due_at"], TUE_1130 + 150 * MIN, "Tue 14:00");
        assert_eq!(metric(&a, "first_response")["warn_at"], TUE_1130 + 135 * MIN, "Tue 13:45");
        assert_eq!(metric(&a, "resolution")["due_at"], TUE_1130 + 330 * MIN, "Tue 17:00");
        assert_eq!(metric(&a, "resolution")["warn_at"], TUE_1130 + 270 * MIN, "Tue 16:00");
        assert_eq!(sla_timers(&owner, id).await.len(), 4);

        // Nothing before the warning instant; the warning (and its escalation) at it.
        move_clock_to(&app, TUE_1130 + 135 * MIN - 1000);
        app.app.fire_due_timers(100).await.expect("as set up");
        assert!(!timeline_kinds(&owner, id).await.contains(&"sla_warning".to_owned()));
        move_clock_to(&app, TUE_1130 + 135 * MIN);
        assert_eq!(app.app.fire_due_timers(100).await.expect("as set up"), 1);
        let kinds = timeline_kinds(&owner, id).await;
        assert_eq!(&kinds[1..], ["sla_warning", "escalated"]);

        // A public reply meets first response.
        let replied = ok(owner.post(&format!("/api/v1/tickets/{id}/replies"), json!({"body": "正在处理"})).await, 201).await;
        assert_eq!(metric(&replied, "first_response")["status"], "met");

        // P1: resolution 120 business minutes from 11:30 → 15:00, warning at 90 → 14:30.
        let p1 = ok(owner.patch(&format!("/api/v1/tickets/{id}"), json!({"priority": "p1"})).await, 200).await;
        assert_eq!(metric(&p1, "resolution")["due_at"], TUE_1130 + 210 * MIN);
        assert_eq!(metric(&p1, "resolution")["warn_at"], TUE_1130 + 180 * MIN);
        let t = sla_timers(&owner, id).await;
        assert_eq!(t.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            vec![format!("sla:{id}:resolution:breach"), format!("sla:{id}:resolution:warning")]);
        let pending = ok(owner.get("/api/v1/timers?status=pending&kind=sla").await, 200).await;
        let breach = pending["items"].as_array().expect("as set up").iter()
            .find(|x| x["dedupe_key"] == format!("sla:{id}:resolution:breach")).expect("as set up");
        assert_eq!(breach["run_at"], "2026-09-22T07:00:00Z", "15:00 Beijing");

        // Waiting on the customer pauses the clock: no timers; a day later it resumes.
        let paused = status(&owner, id, "pending_customer").await;
        assert!(sla_timers(&owner, id).await.is_empty());
        assert_eq!(metric(&paused, "resolution")["paused"], true);
        let wed_1000 = TUE_1130 + 1350 * MIN;
        // The status change's notification timer fires now; no SLA timer is left while paused.
        while app.app.fire_due_timers(100).await.expect("as set up") > 0 {}
        move_clock_to(&app, wed_1000);
        assert_eq!(app.app.fire_due_timers(100).await.expect("as set up"), 0);
        let back = ok(owner.post(&format!("/api/v1/tickets/{id}/replies"),
            json!({"body": "补充了照片", "author": "customer"})).await, 201).await;
        assert_eq!(back["status"], "open", "the customer's reply reopens work");
        // 45 minutes ran before the pause; 75 remain from Wednesday 10:00.
        assert_eq!(metric(&back, "resolution")["due_at"], wed_1000 + 75 * MIN);

        // Resolving cancels the timers; the resolution was met.
        let done = status(&owner, id, "resolved").await;
        assert!(sla_timers(&owner, id).await.is_empty());
        assert_eq!(metric(&done, "resolution")["status"], "met");

        // An unanswered ticket breaches: first response reassigns, resolution raises priority.
        let b = ok(owner.post("/api/v1/tickets", json!({"title": "B", "priority": "p2"})).await, 201).await;
        let bid = b["id"].as_i64().expect("as set up");
        move_clock_to(&app, wed_1000 + 60 * MIN);
        app.app.fire_due_timers(100).await.expect("as set up");
        let b1 = ok(owner.get(&format!("/api/v1/tickets/{bid}")).await, 200).await;
        assert_eq!(b1["team_id"], escalation_team["id"]);
        assert_eq!(metric(&b1, "first_response")["status"], "breached");
        let kinds = timeline_kinds(&owner, bid).await;
        for k in ["sla_warning", "sla_breach", "transferred", "escalated"] {
            assert!(kinds.contains(&k.to_owned()), "{k} in {kinds:?}");
        }
        // Resolution: 240 minutes from Wednesday 10:00 → 15:30.
        move_clock_to(&app, wed_1000 + 330 * MIN);
        app.app.fire_due_timers(100).await.expect("as set up");
        let b2 = ok(owner.get(&format!("/api/v1/tickets/{bid}")).await, 200).await;
        assert_eq!(b2["priority"], "p1", "raised by the breach");
        let kinds = timeline_kinds(&owner, bid).await;
        assert_eq!(kinds.iter().filter(|k| *k == "sla_breach").count(), 2, "{kinds:?}");
        // Each stage fired once: nothing left to fire.
        move_clock_to(&app, wed_1000 + 2000 * MIN);
        app.app.fire_due_timers(100).await.expect("as set up");
        assert_eq!(timeline_kinds(&owner, bid).await.iter().filter(|k| *k == "sla_breach").count(), 2);
    }

    async fn thresholds_are_learned_from_resolution_history(app: TestApp) {
        let owner = app.owner().await;
        let refund = ok(owner.post("/api/v1/ticket-categories",
            json!({"key": "refund", "name": "退款"})).await, 201).await;
        let other = ok(owner.post("/api/v1/ticket-categories",
            json!({"key": "other", "name": "其他"})).await, 201).await;
        // 100 refunds: 90 within 3 h (2, 4, … 180 minutes), 10 slower; 5 others.
        let mut durations: Vec<(i64, i64)> = (1..=90).map(|i| (refund["id"].as_i64().expect("as set up"), i * 2 * MIN)).collect();
        durations.extend((0..10).map(|i| (refund["id"].as_i64().expect("as set up"), 300 * MIN + i * MIN)));
        durations.extend((1..=5).map(|i| (other["id"].as_i64().expect("as set up"), i * 60 * MIN)));
        for (cat, d) in durations {
            let t = ok(owner.post("/api/v1/tickets", json!({"title": "历史", "category_id": cat})).await, 201).await;
            app.clock.advance_ms(d);
            status(&owner, t["id"].as_i64().expect("as set up"), "resolved").await;
        }
        let th = ok(owner.post("/api/v1/sla/thresholds/refresh", json!({})).await, 200).await;
        let find = |k: &str| th["items"].as_array().expect("as set up").iter().find(|x| x["category_key"] == k).cloned().expect("as set up");
        let r = find("refund");
        assert_eq!(r["priority"], "p3");
        assert_eq!(r["sample_count"], 100);
        assert_eq!(r["p90_ms"], 180 * MIN);
        assert_eq!(r["warn_ms"], 150 * MIN, "90 % within 3 h → warn at 2.5 h");
        assert_eq!(r["basis"], "history");
        let o = find("other");
        assert_eq!(o["sample_count"], 5);
        assert!(o["warn_ms"].is_null());
        assert_eq!(o["basis"], "too_few_samples");

        // A dynamic policy warns at the learned threshold; below the sample, at the fraction.
        ok(owner.post("/api/v1/sla/policies", json!({"spec": {
            "name": "学习", "dynamic_warning": true, "warn_fraction": 0.5,
            "targets": {"p3": {"resolution_minutes": 480}}
        }})).await, 201).await;
        let t = ok(owner.post("/api/v1/tickets", json!({"title": "新退款", "category_id": refund["id"]})).await, 201).await;
        assert_eq!(metric(&t, "resolution")["warn_ms"], 150 * MIN);
        assert_eq!(metric(&t, "resolution")["warn_source"], "dynamic");
        let t = ok(owner.post("/api/v1/tickets", json!({"title": "其他", "category_id": other["id"]})).await, 201).await;
        assert_eq!(metric(&t, "resolution")["warn_ms"], 240 * MIN);
        assert_eq!(metric(&t, "resolution")["warn_source"], "static");

        // A declared peak scales the threshold; the daily timer refreshes it.
        let (s, e) = json_of(owner.send("PUT", "/api/v1/sla/threshold-settings",
            Some(json!({"peaks": [{"name": "双十一", "from": "2026-13-01", "to": "2026-11-12", "factor": 1.2}]}))).await).await;
        assert_eq!(s, 422);
        assert_eq!(paths(&e), vec!["peaks[0].from"]);
        ok(owner.send("PUT", "/api/v1/sla/threshold-settings",
            Some(json!({"peaks": [{"name": "大促", "from": "2026-09-01", "to": "2026-12-31", "factor": 1.2}]}))).await, 200).await;
        app.app.ensure_recurring_timers().await.expect("as set up");
        app.clock.advance_ms(61_000);
        // The seeded resolutions queued notification timers too: fire everything due.
        let mut fired = 0;
        loop {
            let n = app.app.fire_due_timers(100).await.expect("as set up");
            if n == 0 { break; }
            fired += n;
        }
        assert!(fired >= 1);
        let th = ok(owner.get("/api/v1/sla/thresholds").await, 200).await;
        let r = th["items"].as_array().expect("as set up").iter().find(|x| x["category_key"] == "refund").cloned().expect("as set up");
        assert_eq!(r["basis"], "peak");
        assert_eq!(r["warn_ms"], 180 * MIN, "2.5 h × 1.2");
        let next = ok(owner.get("/api/v1/timers?status=pending&kind=sla_thresholds").await, 200).await;
        assert_eq!(next["items"].as_array().expect("as set up").len(), 1, "the next daily run is scheduled");
    }

    async fn failing_timers_back_off_then_dead_letter_and_an_admin_reruns_them(app: TestApp) {
        let owner = app.owner().await;
        let scope = Scope::new(app.account);
        let now = app.app.now();
        let mut tx = app.app.db().begin().await.expect("as set up");
        timers::schedule(&mut tx, scope, &timers::NewTimer {
            kind: "no_such_kind", dedupe_key: "broken:1", payload: "{}", run_at: now, max_attempts: 2,
        }, now).await.expect("as set up");
        tx.commit().await.expect("as set up");
        assert_eq!(app.app.fire_due_timers(10).await.expect("as set up"), 0);
        let pending = ok(owner.get("/api/v1/timers?status=pending&kind=no_such_kind").await, 200).await;
        let t = &pending["items"][0];
        assert_eq!(t["attempts"], 1);
        assert!(t["last_error"].as_str().expect("as set up").contains("no handler"));
        // Retried after the backoff (one second ± 25 %), then dead.
        assert_eq!(app.app.fire_due_timers(10).await.expect("as set up"), 0);
        app.clock.advance_ms(1300);
        app.app.fire_due_timers(10).await.expect("as set up");
        let dead = ok(owner.get("/api/v1/timers").await, 200).await;
        assert_eq!(dead["items"][0]["status"], "dead");
        assert_eq!(dead["items"][0]["attempts"], 2);
        let id = dead["items"][0]["id"].as_i64().expect("as set up");
        // Agents may not see or re-run timers.
        app.create_user(app.account, "agent@a.example", yingke_core::Role::Agent).await;
        let agent = app.sign_in("agent@a.example", yingke_testkit::OWNER_PASSWORD).await;
        assert_eq!(agent.get("/api/v1/timers").await.status(), 403);
        let rerun = ok(owner.post(&format!("/api/v1/timers/{id}/rerun"), json!({})).await, 200).await;
        assert_eq!(rerun["status"], "pending");
        assert_eq!(rerun["attempts"], 0);
    }
}
