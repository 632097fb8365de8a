//! Tenant isolation: a user of account A gets 404 for every id of account B on every route that
//! takes an id — the routes are read from the OpenAPI document, so a new route is covered (or
//! this test fails until it says which of B's ids to use).

use serde_json::{Value, json};
use yingke_core::Role;
use yingke_testkit::{WidgetChannel, both_backends, json_of};

/// A valid body for each changing route, so a 404 can only come from the account scope.
fn body_for(method: &str, template: &str) -> Option<Value> {
    match (method, template) {
        ("patch", "/api/v1/users/{id}") => Some(json!({"name": "Mallory"})),
        ("patch", "/api/v1/teams/{id}") => Some(json!({"name": "Taken over"})),
        ("patch", "/api/v1/channels/{id}") => Some(json!({"name": "Taken over"})),
        ("post", "/api/v1/channels/{id}/entry-points") => Some(json!({"key": "k", "name": "n"})),
        ("patch", "/api/v1/contacts/{id}") => Some(json!({"name": "Mallory"})),
        ("post", "/api/v1/contacts/{id}/merge") => Some(json!({"from_id": 1})),
        ("patch", "/api/v1/conversations/{id}") => Some(json!({"status": "resolved"})),
        ("post", "/api/v1/conversations/{id}/messages") => Some(json!({"text": "hi"})),
        ("post", "/api/v1/conversations/{id}/transfer") => Some(json!({"assignee_id": null})),
        ("patch", "/api/v1/canned-responses/{id}") => Some(json!({"content": "x"})),
        ("post", "/api/v1/conversations/{id}/canned-responses/{canned_id}/render") => None,
        ("patch", "/api/v1/agents/{id}") => Some(json!({"status": "online"})),
        ("patch", "/api/v1/contact-attributes/{id}") => Some(json!({"label": "x"})),
        ("put", "/api/v1/routing/rules/{id}") => {
            Some(json!({"name": "x", "conditions": {"all": []}, "route": {}}))
        }
        ("put", "/api/v1/teams/{id}/routing") => Some(json!({"default_capacity": 2})),
        ("put", "/api/v1/calendars/{id}") => Some(json!({"name": "x", "spec": {
            "timezone": "Asia/Shanghai", "weekly": [[{"start_min": 540, "end_min": 1080}], [], [], [], [], [], []]}})),
        ("post", "/api/v1/calendars/{id}/holidays") => Some(json!({"holidays": []})),
        ("put", "/api/v1/sla/policies/{id}") => Some(json!({"spec": {"name": "x",
            "targets": {"p1": {"resolution_minutes": 5}}}})),
        ("put", "/api/v1/ticket-categories/{id}") => Some(json!({"key": "k", "name": "n"})),
        ("patch", "/api/v1/tickets/{id}") => Some(json!({"title": "taken"})),
        ("post", "/api/v1/tickets/{id}/status") => Some(json!({"status": "open"})),
        ("post", "/api/v1/tickets/{id}/transfer") => Some(json!({"team_id": 1, "reason": "x"})),
        ("post", "/api/v1/tickets/{id}/replies") => Some(json!({"body": "x"})),
        ("post", "/api/v1/tickets/{id}/markers") => Some(json!({"marker_id": 1})),
        ("put", "/api/v1/tickets/{id}/collaborators") => Some(json!({"user_ids": []})),
        ("post", "/api/v1/conversations/{id}/ticket") => Some(json!({})),
        ("post", "/api/v1/timers/{id}/rerun") => None,
        ("put", "/api/v1/notifications/channels/{id}") => Some(json!({"name": "taken"})),
        ("post", "/api/v1/notifications/channels/{id}/test") => Some(json!({"to": "a@b.cn"})),
        ("put", "/api/v1/notifications/rules/{id}") => Some(json!({"spec": {
            "name": "x", "trigger": "ticket_resolved", "notice_kind": "resolution",
            "recipients": ["customer"], "template": "ticket_resolved", "media": ["in_app"]}})),
        ("put", "/api/v1/contacts/{id}/notification-preferences") => {
            Some(json!({"clear_optouts": true}))
        }
        ("post", "/api/v1/me/notifications/{id}/read") => None,
        ("put", "/api/v1/automation/rules/{id}") => Some(json!({"name": "x",
            "trigger": {"kind": "event", "event": "ticket.created"},
            "actions": [{"type": "create_todo", "title": "x"}]})),
        ("post", "/api/v1/automation/rules/{id}/scan") => None,
        ("patch", "/api/v1/todos/{id}") => Some(json!({"title": "x"})),
        ("put", "/api/v1/todo-templates/{id}") => {
            Some(json!({"key": "k", "name": "n", "title": "t"}))
        }
        ("put", "/api/v1/contacts/{id}/owner") => Some(json!({"owner_id": null})),
        ("post", "/api/v1/conversations/{id}/buttons/{key}") => None,
        ("put" | "delete" | "get", _) => None,
        _ => panic!("no body known for {method} {template}: extend body_for"),
    }
}

both_backends! {
    async fn account_a_gets_404_for_every_id_of_account_b(app: TestApp) {
        let a = app.owner().await;
        let (_, a_team) = json_of(a.post("/api/v1/teams", json!({"name": "A team"})).await).await;
        let a_team = a_team["id"].as_i64().expect("id");

        let (b_account, b) = app.second_account().await;
        let b_user = app.create_user(b_account, "agent@b.example", Role::Agent).await;
        let (_, b_team) = json_of(b.post("/api/v1/teams", json!({"name": "B team"})).await).await;
        let b_team = b_team["id"].as_i64().expect("id");
        assert_eq!(b.put(&format!("/api/v1/teams/{b_team}/members/{b_user}")).await.status(), 200);
        let (_, b_token) = json_of(b.post("/api/v1/me/tokens", json!({"name": "B token"})).await).await;
        let b_token_id = b_token["id"].as_i64().expect("id");

        // A conversation, a contact, a channel and an entry point of B.
        let b_channel = WidgetChannel::create(&b, json!({})).await;
        let (_, ep) = json_of(b.post(&format!("/api/v1/channels/{}/entry-points", b_channel.id), json!({"key": "b", "name": "B"})).await).await;
        let b_entry = ep["id"].as_i64().expect("entry id");
        let token = b_channel.visitor().await;
        let mut v = b_channel.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "1", "text": "B 的客户"})).await;
        let b_conv = v.expect("ack").await["conversation_id"].as_i64().expect("conversation");
        let (_, c) = json_of(b.get(&format!("/api/v1/conversations/{b_conv}")).await).await;
        let b_contact = c["contact_id"].as_i64().expect("contact");
        let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
        let part = reqwest::multipart::Part::bytes(png).file_name("b.png").mime_str("image/png").expect("mime");
        let res = reqwest::Client::new().post(app.url("/api/v1/widget/attachments"))
            .header("authorization", format!("Visitor {token}"))
            .multipart(reqwest::multipart::Form::new().part("file", part)).send().await.expect("upload");
        let (_, att) = json_of(res).await;
        let b_file = att["id"].as_i64().expect("attachment id");
        let (_, canned) = json_of(b.post("/api/v1/canned-responses", json!({"short_code": "hi", "content": "您好"})).await).await;
        let b_canned = canned["id"].as_i64().expect("canned id");

        let (_, rule) = json_of(b.post("/api/v1/routing/rules", json!({"name": "B rule", "conditions": {"all": []}, "route": {"teams": [b_team]}})).await).await;
        let b_rule = rule["id"].as_i64().expect("rule id");
        let (_, attr) = json_of(b.post("/api/v1/contact-attributes", json!({"key": "plan", "label": "套餐", "kind": "list", "options": ["a"]})).await).await;
        let b_attr = attr["id"].as_i64().expect("attribute id");

        let id_of = |v: Value| v["id"].as_i64().expect("id");
        let b_cal = id_of(json_of(b.post("/api/v1/calendars", json!({"name": "B", "spec": {
            "timezone": "Asia/Shanghai", "weekly": [[{"start_min": 540, "end_min": 1080}], [], [], [], [], [], []]}})).await).await.1);
        let b_policy = id_of(json_of(b.post("/api/v1/sla/policies", json!({"spec": {"name": "B",
            "targets": {"p3": {"resolution_minutes": 60}}}})).await).await.1);
        let b_cat = id_of(json_of(b.post("/api/v1/ticket-categories", json!({"key": "b", "name": "B"})).await).await.1);
        let b_marker = id_of(json_of(b.post("/api/v1/ticket-markers", json!({"name": "B"})).await).await.1);
        let b_ticket = id_of(json_of(b.post("/api/v1/tickets", json!({"title": "B"})).await).await.1);
        let b_notify_channel = id_of(json_of(b.post("/api/v1/notifications/channels", json!({
            "kind": "http_sms", "name": "B", "config": {"url": "http://127.0.0.1:9/sms"}})).await).await.1);
        let (_, b_rules) = json_of(b.get("/api/v1/notifications/rules").await).await;
        let b_notify_rule = b_rules["items"][0]["id"].as_i64().expect("B's default rule");
        let (_, b_templates) = json_of(b.get("/api/v1/notifications/templates").await).await;
        let b_template = b_templates["items"][0]["id"].as_i64().expect("B's default template");
        let b_auto = id_of(json_of(b.post("/api/v1/automation/rules", json!({"name": "B",
            "trigger": {"kind": "event", "event": "button", "key": "x"},
            "actions": [{"type": "create_todo", "title": "B"}]})).await).await.1);
        let b_todo = id_of(json_of(b.post("/api/v1/todos", json!({"title": "B"})).await).await.1);
        let b_todo_tpl = id_of(json_of(b.post("/api/v1/todo-templates", json!({"key": "b", "name": "B", "title": "B"})).await).await.1);
        let (_, b_timers) = json_of(b.get("/api/v1/timers?status=pending&kind=sla").await).await;
        let b_timer = b_timers["items"][0]["id"].as_i64().expect("B's SLA timer");

        let before = (
            json_of(b.get("/api/v1/users").await).await.1,
            json_of(b.get("/api/v1/teams").await).await.1,
            json_of(b.get(&format!("/api/v1/teams/{b_team}/members")).await).await.1,
        );

        let spec = serde_json::to_value(yingke_api::openapi()).expect("spec as JSON");
        let mut checked = 0;
        for (template, item) in spec["paths"].as_object().expect("paths") {
            if !template.contains('{') {
                continue;
            }
            // B's ids for this route, and one mixed case (A's own team, B's user).
            let fills: Vec<String> = if template.starts_with("/api/v1/users/") {
                vec![template.replace("{id}", &b_user.to_string())]
            } else if template.starts_with("/api/v1/teams/") {
                let mut v = vec![template.replace("{id}", &b_team.to_string()).replace("{user_id}", &b_user.to_string())];
                if template.contains("{user_id}") {
                    v.push(template.replace("{id}", &a_team.to_string()).replace("{user_id}", &b_user.to_string()));
                }
                v
            } else if template.starts_with("/api/v1/me/tokens/") {
                vec![template.replace("{id}", &b_token_id.to_string())]
            } else if template.starts_with("/api/v1/channels/") {
                vec![template.replace("{id}", &b_channel.id.to_string()).replace("{entry_id}", &b_entry.to_string())]
            } else if template.starts_with("/api/v1/contacts/") {
                vec![template.replace("{id}", &b_contact.to_string()).replace("{tag}", "vip")]
            } else if template.starts_with("/api/v1/conversations/") {
                vec![template.replace("{id}", &b_conv.to_string()).replace("{tag}", "vip").replace("{canned_id}", &b_canned.to_string()).replace("{key}", "x")]
            } else if template.starts_with("/api/v1/contact-attributes/") {
                vec![template.replace("{id}", &b_attr.to_string())]
            } else if template.starts_with("/api/v1/agents/") {
                vec![template.replace("{id}", &b_user.to_string())]
            } else if template.starts_with("/api/v1/routing/rules/") {
                vec![template.replace("{id}", &b_rule.to_string())]
            } else if template.starts_with("/api/v1/canned-responses/") {
                vec![template.replace("{id}", &b_canned.to_string())]
            } else if template.starts_with("/api/v1/calendars/") {
                vec![template.replace("{id}", &b_cal.to_string())]
            } else if template.starts_with("/api/v1/sla/policies/") {
                vec![template.replace("{id}", &b_policy.to_string())]
            } else if template.starts_with("/api/v1/ticket-categories/") {
                vec![template.replace("{id}", &b_cat.to_string())]
            } else if template.starts_with("/api/v1/ticket-markers/") {
                vec![template.replace("{id}", &b_marker.to_string())]
            } else if template.starts_with("/api/v1/tickets/") {
                vec![template.replace("{id}", &b_ticket.to_string())]
            } else if template.starts_with("/api/v1/timers/") {
                vec![template.replace("{id}", &b_timer.to_string())]
            } else if template.starts_with("/api/v1/notifications/channels/") {
                vec![template.replace("{id}", &b_notify_channel.to_string())]
            } else if template.starts_with("/api/v1/notifications/rules/") {
                vec![template.replace("{id}", &b_notify_rule.to_string())]
            } else if template.starts_with("/api/v1/notifications/templates/") {
                vec![template.replace("{id}", &b_template.to_string())]
            } else if template.starts_with("/api/v1/me/notifications/") {
                // Only the recipient may mark a notice read; no other user's id reaches it.
                vec![template.replace("{id}", "1")]
            } else if template.starts_with("/api/v1/automation/rules/") {
                vec![template.replace("{id}", &b_auto.to_string())]
            } else if template.starts_with("/api/v1/todos/") {
                vec![template.replace("{id}", &b_todo.to_string())]
            } else if template.starts_with("/api/v1/todo-templates/") {
                vec![template.replace("{id}", &b_todo_tpl.to_string())]
            } else if template.starts_with("/api/v1/files/") {
                // Served by signature only: without B's signature, B's file does not exist.
                vec![format!("{}?sig=guessed", template.replace("{id}", &b_file.to_string()))]
            } else if template.starts_with("/api/v1/widget/") {
                // Public by channel key or visitor token, never by an account's ids.
                continue;
            } else {
                panic!("no ids of account B known for {template}: extend this test");
            };
            for method in item.as_object().expect("operations").keys() {
                for path in &fills {
                    let res = a.send(&method.to_uppercase(), path, body_for(method, template)).await;
                    let (status, body) = json_of(res).await;
                    assert_eq!(status, 404, "{method} {path} must not reach account B: {body}");
                    assert_eq!(body["error"]["code"], "not_found");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 30, "only {checked} route checks ran");

        let after = (
            json_of(b.get("/api/v1/users").await).await.1,
            json_of(b.get("/api/v1/teams").await).await.1,
            json_of(b.get(&format!("/api/v1/teams/{b_team}/members")).await).await.1,
        );
        assert_eq!(before, after, "account B is unchanged");
        let (_, c) = json_of(b.get(&format!("/api/v1/conversations/{b_conv}")).await).await;
        assert_eq!((c["status"].as_str(), c["last_seq"].as_i64(), c["assignee_id"].as_i64()), (Some("pending"), Some(1), None));
        let (_, r) = json_of(b.get(&format!("/api/v1/routing/rules/{b_rule}")).await).await;
        assert_eq!(r["name"], "B rule", "B's rule is unchanged");
        let (_, agents) = json_of(b.get("/api/v1/agents").await).await;
        assert!(agents["items"].as_array().expect("items").iter().all(|a| a["status"] == "offline"), "nobody in B was set online");
        let (_, ch) = json_of(b.get(&format!("/api/v1/channels/{}", b_channel.id)).await).await;
        assert_eq!(ch["name"], "官网");
        let token = b_token["token"].as_str().expect("token");
        let res = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(token).send().await.expect("req");
        assert_eq!(res.status(), 200, "B's token still works");
        // A's lists never show B's objects.
        let (_, users) = json_of(a.get("/api/v1/users").await).await;
        assert!(users["items"].as_array().expect("items").iter().all(|u| u["email"].as_str().is_some_and(|e| e.ends_with("@a.example"))));
    }
}
