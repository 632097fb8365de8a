//! Conversations in real time: visitor ↔ agent over WebSockets, idempotent resend, resync, notes,
//! transfer, identities, merging, entry fields, socket isolation and bad frames.

use serde_json::{Value, json};
use yingke_core::Role;
use yingke_testkit::{OWNER_PASSWORD, WidgetChannel, both_backends, identity_hmac, json_of};

fn seqs(frames: &[Value]) -> Vec<i64> {
    frames
        .iter()
        .filter(|f| f["type"] == "message")
        .filter_map(|f| f["message"]["seq"].as_i64())
        .collect()
}

both_backends! {
    async fn a_visitor_and_an_agent_talk_over_websockets(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let mut agent = owner.socket().await;
        let token = ch.visitor().await;
        let mut visitor = ch.socket(&token).await;
        visitor.send(json!({"type": "hello", "last_seq": {}})).await;

        visitor.send(json!({"type": "send", "client_id": "c-1", "text": "快递咋还没到"})).await;
        let ack = visitor.expect("ack").await;
        assert_eq!((ack["client_id"].as_str(), ack["seq"].as_i64()), (Some("c-1"), Some(1)));
        let conv_id = ack["conversation_id"].as_i64().expect("conversation id");

        let created = agent.expect("conversation").await;
        assert_eq!(created["event"], "created");
        assert_eq!(created["conversation"]["status"], "open");
        let msg = agent.expect("message").await;
        assert_eq!(msg["message"]["text"], "快递咋还没到");
        assert_eq!(msg["message"]["sender"]["kind"], "contact");

        agent.send(json!({"type": "send", "client_id": "a-1", "conversation_id": conv_id, "text": "您好，我帮您查一下"})).await;
        let ack = agent.expect("ack").await;
        assert_eq!(ack["seq"], 2);
        let reply = visitor.expect_where("message", |f| f["message"]["sender"]["kind"] == "agent").await;
        assert_eq!(reply["message"]["text"], "您好，我帮您查一下");
        assert_eq!(reply["message"]["sender"]["kind"], "agent");
        assert_eq!(reply["message"]["sender"]["name"], "Owner A");

        let (_, conv) = json_of(owner.get(&format!("/api/v1/conversations/{conv_id}")).await).await;
        assert_eq!(conv["last_seq"], 2);
        assert!(conv["first_response_at"].is_string(), "the first agent reply is recorded");
    }

    async fn resending_a_client_id_returns_the_same_ack_and_stores_one_message(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let token = ch.visitor().await;
        let mut v = ch.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "same", "text": "在吗"})).await;
        let first = v.expect("ack").await;
        v.send(json!({"type": "send", "client_id": "same", "text": "在吗"})).await;
        let second = v.expect("ack").await;
        assert_eq!(first["message_id"], second["message_id"]);
        assert_eq!(first["seq"], second["seq"]);
        // After a reconnect, too.
        let mut v2 = ch.socket(&token).await;
        v2.send(json!({"type": "send", "client_id": "same", "text": "在吗"})).await;
        assert_eq!(v2.expect("ack").await["message_id"], first["message_id"]);
        let id = first["conversation_id"].as_i64().expect("id");
        let (_, list) = json_of(owner.get(&format!("/api/v1/conversations/{id}/messages")).await).await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
        // And over REST for agents.
        let body = json!({"client_id": "agent-1", "text": "你好"});
        let (s1, m1) = json_of(owner.post(&format!("/api/v1/conversations/{id}/messages"), body.clone()).await).await;
        let (_, m2) = json_of(owner.post(&format!("/api/v1/conversations/{id}/messages"), body).await).await;
        assert_eq!(s1, 201);
        assert_eq!(m1["id"], m2["id"]);
    }

    async fn a_reconnecting_visitor_gets_exactly_what_it_missed(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let token = ch.visitor().await;
        let mut v = ch.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "m1", "text": "一"})).await;
        let id = v.expect("ack").await["conversation_id"].as_i64().expect("id");
        drop(v);
        for t in ["二", "三"] {
            assert_eq!(owner.post(&format!("/api/v1/conversations/{id}/messages"), json!({"text": t})).await.status(), 201);
        }
        owner.post(&format!("/api/v1/conversations/{id}/messages"), json!({"text": "内部备注", "note": true})).await;
        assert_eq!(owner.post(&format!("/api/v1/conversations/{id}/messages"), json!({"text": "四"})).await.status(), 201);

        let mut v = ch.socket(&token).await;
        v.send(json!({"type": "hello", "last_seq": {id.to_string(): 1}})).await;
        let frames = v.drain(500).await;
        assert_eq!(seqs(&frames), [2, 3, 5], "no gap, no duplicate, no note (seq 4)");
        let texts: Vec<&str> = frames.iter().filter_map(|f| f["message"]["text"].as_str()).collect();
        assert_eq!(texts, ["二", "三", "四"]);
        // Everything, from zero.
        v.send(json!({"type": "hello", "last_seq": {}})).await;
        assert_eq!(seqs(&v.drain(500).await), [1, 2, 3, 5]);
    }

    async fn internal_notes_never_reach_the_visitor(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let token = ch.visitor().await;
        let mut v = ch.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "x", "text": "hi"})).await;
        let id = v.expect("ack").await["conversation_id"].as_i64().expect("id");
        v.drain(300).await;
        let mut agent = owner.socket().await;
        agent.send(json!({"type": "send", "conversation_id": id, "client_id": "n1", "text": "客户很着急", "note": true})).await;
        agent.expect("ack").await;
        let note = agent.expect("message").await;
        assert_eq!(note["message"]["kind"], "note", "agents see notes live");
        assert!(v.drain(500).await.iter().all(|f| f["type"] != "message"), "the visitor's socket got nothing");
        let res = reqwest::Client::new().get(app.url("/api/v1/widget/messages"))
            .header("authorization", format!("Visitor {token}")).send().await.expect("req");
        let (_, body) = json_of(res).await;
        let kinds: Vec<&str> = body["items"].as_array().expect("items").iter().filter_map(|m| m["kind"].as_str()).collect();
        assert_eq!(kinds, ["text"]);
        // Visitors cannot write notes.
        v.send(json!({"type": "send", "client_id": "y", "text": "sneaky", "note": true})).await;
        assert_eq!(v.expect("error").await["code"], "forbidden");
    }

    async fn transfer_moves_the_conversation_with_a_note_and_respects_visibility(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let a = app.create_user(app.account, "a@a.example", Role::Agent).await;
        let b = app.create_user(app.account, "b@a.example", Role::Agent).await;
        let token = ch.visitor().await;
        let mut v = ch.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "x", "text": "退款"})).await;
        let id = v.expect("ack").await["conversation_id"].as_i64().expect("id");

        let (s, conv) = json_of(owner.post(&format!("/api/v1/conversations/{id}/transfer"), json!({"assignee_id": a})).await).await;
        assert_eq!((s, conv["assignee_id"].as_i64()), (200, Some(a)));
        let agent_a = app.sign_in("a@a.example", OWNER_PASSWORD).await;
        let agent_b = app.sign_in("b@a.example", OWNER_PASSWORD).await;
        assert_eq!(agent_b.get(&format!("/api/v1/conversations/{id}")).await.status(), 404, "b may not see a's conversation");
        let mut b_socket = agent_b.socket().await;
        let mut a_socket = agent_a.socket().await;
        v.drain(300).await;

        let (s, conv) = json_of(agent_a.post(&format!("/api/v1/conversations/{id}/transfer"),
            json!({"assignee_id": b, "note": "售后问题，转给小B"})).await).await;
        assert_eq!((s, conv["assignee_id"].as_i64()), (200, Some(b)));
        let frames = b_socket.drain(700).await;
        assert!(frames.iter().any(|f| f["type"] == "conversation" && f["event"] == "assigned"), "{frames:?}");
        // The agent it left is told to drop it — by id only, nothing of its content.
        let frames = a_socket.drain(300).await;
        let hidden: Vec<&serde_json::Value> = frames.iter().filter(|f| f["type"] == "conversation_hidden").collect();
        assert_eq!(hidden.len(), 1, "{frames:?}");
        assert_eq!(*hidden[0], json!({"type": "conversation_hidden", "conversation_id": id}));
        assert!(frames.iter().all(|f| f["type"] != "message" && f["type"] != "conversation"), "{frames:?}");
        assert_eq!(agent_a.get(&format!("/api/v1/conversations/{id}")).await.status(), 404);
        let (_, msgs) = json_of(agent_b.get(&format!("/api/v1/conversations/{id}/messages")).await).await;
        let last = msgs["items"].as_array().and_then(|m| m.last()).cloned().expect("a message");
        assert_eq!((last["kind"].as_str(), last["text"].as_str()), (Some("note"), Some("售后问题，转给小B")));
        assert!(v.drain(500).await.iter().all(|f| f["type"] != "message"), "the transfer note stays internal");
        // The assignee's own list.
        let (_, mine) = json_of(agent_b.get("/api/v1/conversations?assignee=me").await).await;
        assert_eq!(mine["items"][0]["id"], id);
        // Bad transfers.
        let (s, e) = json_of(owner.post(&format!("/api/v1/conversations/{id}/transfer"), json!({"assignee_id": 999999})).await).await;
        assert_eq!((s, e["error"]["details"][0]["field"].as_str()), (422, Some("assignee_id")));
    }

    async fn resolving_then_writing_again_reopens_and_csat_is_recorded(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let token = ch.visitor().await;
        let mut v = ch.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "1", "text": "hi"})).await;
        let id = v.expect("ack").await["conversation_id"].as_i64().expect("id");
        let (_, c) = json_of(owner.patch(&format!("/api/v1/conversations/{id}"), json!({"status": "resolved"})).await).await;
        assert_eq!(c["status"], "resolved");
        let f = v.expect_where("conversation", |f| f["event"] == "resolved").await;
        assert_eq!(f["conversation"]["status"], "resolved");
        let visitor = reqwest::Client::new();
        let res = visitor.post(app.url("/api/v1/widget/csat")).header("authorization", format!("Visitor {token}"))
            .json(&json!({"score": 5, "comment": "很快"})).send().await.expect("req");
        assert_eq!(res.status(), 204);
        let res = visitor.post(app.url("/api/v1/widget/csat")).header("authorization", format!("Visitor {token}"))
            .json(&json!({"score": 9})).send().await.expect("req");
        assert_eq!(res.status(), 422);
        let (_, c) = json_of(owner.get(&format!("/api/v1/conversations/{id}")).await).await;
        assert_eq!((c["csat_score"].as_i64(), c["csat_comment"].as_str()), (Some(5), Some("很快")));

        v.send(json!({"type": "send", "client_id": "2", "text": "还有个问题"})).await;
        let ack = v.expect("ack").await;
        assert_eq!(ack["conversation_id"], id, "same conversation, reopened");
        // Reopened without an assignee, it is routed again; nobody is online, so it waits.
        let (_, c) = json_of(owner.get(&format!("/api/v1/conversations/{id}")).await).await;
        assert_eq!(c["status"], "pending");
    }

    async fn identities_need_the_right_hmac_and_follow_the_customer_across_browsers(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let (_, secret) = json_of(owner.get(&format!("/api/v1/channels/{}/identity-secret", ch.id)).await).await;
        let secret = secret["identity_secret"].as_str().expect("secret").to_owned();

        let forged = json!({"identity": {"user_id": "u-42", "name": "李雷", "hmac": identity_hmac("guess", "u-42")}});
        let (s, e) = ch.session(forged).await;
        assert_eq!(s, 422);
        assert_eq!(e["error"]["code"], "identity_invalid");
        let unsigned = json!({"identity": {"user_id": "u-42", "hmac": ""}});
        assert_eq!(ch.session(unsigned).await.0, 422);

        // Browser 1: anonymous first, then signs in on the site.
        let anon = ch.visitor().await;
        let mut s1 = ch.socket(&anon).await;
        s1.send(json!({"type": "send", "client_id": "1", "text": "匿名时问的"})).await;
        s1.expect("ack").await;
        let id = json!({"user_id": "u-42", "name": "李雷", "email": "LiLei@Example.com", "hmac": identity_hmac(&secret, "u-42")});
        let (s, b1) = ch.session(json!({"visitor_token": anon, "identity": id.clone()})).await;
        assert_eq!(s, 200, "{b1}");
        let contact = b1["contact"]["id"].as_i64().expect("contact");
        assert_eq!(b1["contact"]["name"], "李雷");
        // Browser 2: no token, same verified identity → the same contact and history.
        let (_, b2) = ch.session(json!({"identity": id})).await;
        assert_eq!(b2["contact"]["id"].as_i64(), Some(contact));
        let token2 = b2["visitor_token"].as_str().expect("token");
        let mut s2 = ch.socket(token2).await;
        s2.send(json!({"type": "hello", "last_seq": {}})).await;
        let texts: Vec<String> = s2.drain(500).await.iter().filter_map(|f| f["message"]["text"].as_str().map(str::to_owned)).collect();
        assert_eq!(texts, ["匿名时问的"]);
        let (_, profile) = json_of(owner.get(&format!("/api/v1/contacts/{contact}")).await).await;
        assert_eq!((profile["external_id"].as_str(), profile["email"].as_str()), (Some("u-42"), Some("lilei@example.com")));
    }

    async fn entry_fields_utm_and_form_land_on_the_conversation_and_contact(app: TestApp) {
        let owner = app.owner().await;
        let form = json!({"pre_chat_form": [
            {"name": "name", "label": "称呼", "kind": "text", "required": true},
            {"name": "budget", "label": "预算", "kind": "select", "options": ["<1万", "1-5万"]}]});
        let ch = WidgetChannel::create(&owner, form).await;
        let ep = json!({"key": "double11", "name": "双11落地页", "campaign": "双11", "ad_plan": "plan-7", "business_module": "sales"});
        assert_eq!(owner.post(&format!("/api/v1/channels/{}/entry-points", ch.id), ep.clone()).await.status(), 201);
        assert_eq!(owner.post(&format!("/api/v1/channels/{}/entry-points", ch.id), ep).await.status(), 409);

        let (s, e) = ch.session(json!({"form": {"budget": "很多"}})).await;
        assert_eq!(s, 422);
        let mut fields: Vec<&str> = e["error"]["details"].as_array().expect("details").iter().filter_map(|d| d["field"].as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["form.budget", "form.name"]);

        let (s, body) = ch.session(json!({
            "entry": "double11",
            "page": {"url": "https://shop.example/promo?utm_source=baidu", "title": "双11", "referrer": "https://www.baidu.com/"},
            "utm": {"source": "baidu", "campaign": "d11"},
            "device": "mobile", "language": "zh-CN",
            "form": {"name": "王女士", "budget": "1-5万"},
        })).await;
        assert_eq!(s, 200, "{body}");
        let token = body["visitor_token"].as_str().expect("token");
        let mut v = ch.socket(token).await;
        v.send(json!({"type": "send", "client_id": "1", "text": "想了解套餐"})).await;
        let id = v.expect("ack").await["conversation_id"].as_i64().expect("id");
        let (_, c) = json_of(owner.get(&format!("/api/v1/conversations/{id}")).await).await;
        assert_eq!(c["source"]["entry"]["campaign"], "双11");
        assert_eq!(c["source"]["entry"]["ad_plan"], "plan-7");
        assert_eq!(c["source"]["utm"]["source"], "baidu");
        assert_eq!(c["source"]["landing_page"], "https://shop.example/promo?utm_source=baidu");
        assert_eq!(c["source"]["device"], "mobile");
        assert_eq!(c["source"]["form"]["budget"], "1-5万");
        assert!(c["entry_point_id"].is_i64());
        for q in [format!("entry_point_id={}", c["entry_point_id"]), "campaign=%E5%8F%8C11".to_owned(),
                  "utm_source=baidu".to_owned(), "utm_source=baidu&utm_campaign=d11".to_owned()] {
            let (_, by_entry) = json_of(owner.get(&format!("/api/v1/conversations?{q}")).await).await;
            assert_eq!(by_entry["items"].as_array().map(Vec::len), Some(1), "{q}");
        }
        for q in ["campaign=618", "utm_source=google", "utm_campaign=d12", "utm_medium=cpc"] {
            let (_, other) = json_of(owner.get(&format!("/api/v1/conversations?{q}")).await).await;
            assert_eq!(other["items"].as_array().map(Vec::len), Some(0), "{q}");
        }
        let (_, p) = json_of(owner.get(&format!("/api/v1/contacts/{}", c["contact_id"])).await).await;
        assert_eq!(p["name"], "王女士");
        assert_eq!(p["attributes"]["budget"], "1-5万");
        assert_eq!(p["page_views"][0]["title"], "双11");
        assert_eq!(p["returning"], false);
    }

    async fn merging_contacts_moves_their_history(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let mut contacts = Vec::new();
        let mut tokens = Vec::new();
        for text in ["第一次", "第二次"] {
            let (_, s) = ch.session(json!({"page": {"url": "https://shop.example/a"}})).await;
            let token = s["visitor_token"].as_str().expect("token").to_owned();
            let mut v = ch.socket(&token).await;
            v.send(json!({"type": "send", "client_id": "1", "text": text})).await;
            v.expect("ack").await;
            contacts.push(s["contact"]["id"].as_i64().expect("id"));
            tokens.push(token);
        }
        owner.put(&format!("/api/v1/contacts/{}/tags/vip", contacts[0])).await;
        let (s, p) = json_of(owner.post(&format!("/api/v1/contacts/{}/merge", contacts[1]), json!({"from_id": contacts[0]})).await).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["conversation_count"], 2);
        assert_eq!(p["returning"], true);
        assert_eq!(p["tags"], json!(["vip"]));
        assert_eq!(p["page_views"].as_array().map(Vec::len), Some(2));
        let (_, gone) = json_of(owner.get(&format!("/api/v1/contacts/{}", contacts[0])).await).await;
        assert_eq!(gone["merged_into_id"].as_i64(), Some(contacts[1]));
        let (_, list) = json_of(owner.get(&format!("/api/v1/conversations?contact_id={}", contacts[1])).await).await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
        // The old browser's token now speaks for the survivor.
        let mut old = ch.socket(&tokens[0]).await;
        old.send(json!({"type": "hello", "last_seq": {}})).await;
        assert_eq!(seqs(&old.drain(500).await).len(), 2);
        // Agents cannot merge.
        app.create_user(app.account, "ag@a.example", Role::Agent).await;
        let agent = app.sign_in("ag@a.example", OWNER_PASSWORD).await;
        assert_eq!(agent.post(&format!("/api/v1/contacts/{}/merge", contacts[1]), json!({"from_id": contacts[0]})).await.status(), 403);
    }

    async fn sockets_never_see_another_accounts_events(app: TestApp) {
        let a_owner = app.owner().await;
        let (_, b_owner) = app.second_account().await;
        let mut b_socket = b_owner.socket().await;
        let ch = WidgetChannel::create(&a_owner, json!({})).await;
        let token = ch.visitor().await;
        let mut v = ch.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "1", "text": "A 的客户"})).await;
        let id = v.expect("ack").await["conversation_id"].as_i64().expect("id");
        a_owner.post(&format!("/api/v1/conversations/{id}/messages"), json!({"text": "A 的回复"})).await;
        assert!(b_socket.drain(700).await.is_empty(), "account B's agent received nothing");
        // B cannot resync A's conversation either.
        b_socket.send(json!({"type": "hello", "last_seq": {id.to_string(): 0}})).await;
        let frames = b_socket.drain(500).await;
        assert!(frames.iter().all(|f| f["type"] != "message"));
        assert!(frames.iter().any(|f| f["code"] == "not_found"));
        // Nor a visitor token of A's channel used against B's… the token names A only.
        let (_, other) = json_of(b_owner.get(&format!("/api/v1/conversations/{id}")).await).await;
        assert_eq!(other["error"]["code"], "not_found");
    }

    async fn bad_frames_get_error_frames_and_the_socket_survives(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let token = ch.visitor().await;
        let mut v = ch.socket(&token).await;
        v.send_raw("{not json".into()).await;
        assert_eq!(v.expect("error").await["code"], "invalid_frame");
        v.send(json!({"type": "teleport"})).await;
        assert_eq!(v.expect("error").await["code"], "invalid_frame");
        v.send(json!({"type": "send", "client_id": "e", "text": "   "})).await;
        let e = v.expect("error").await;
        assert_eq!((e["code"].as_str(), e["client_id"].as_str()), (Some("validation_failed"), Some("e")));
        v.send(json!({"type": "ping"})).await;
        v.expect("pong").await;

        // A flood is rate limited with a clear error, and nothing half-written.
        for i in 0..40 {
            v.send(json!({"type": "send", "client_id": format!("f{i}"), "text": "刷屏"})).await;
        }
        let frames = v.drain(700).await;
        let acked = frames.iter().filter(|f| f["type"] == "ack").count();
        let limited = frames.iter().filter(|f| f["code"] == "rate_limited").count();
        assert_eq!(acked + limited, 40);
        // The bucket holds 20; the refused blank message above already took one.
        assert!(limited > 0 && acked >= 15, "acked {acked}, limited {limited}");
        let id = frames.iter().find(|f| f["type"] == "ack").and_then(|f| f["conversation_id"].as_i64()).expect("an ack");
        let (_, c) = json_of(owner.get(&format!("/api/v1/conversations/{id}")).await).await;
        assert_eq!(c["last_seq"].as_i64(), Some(acked as i64));

        // Oversized frames close the socket.
        v.send_raw(format!("{{\"type\":\"send\",\"text\":\"{}\"}}", "x".repeat(70 * 1024))).await;
        assert!(v.closed().await);
        // Bad tokens never get a socket.
        let url = format!("{}/api/v1/widget/ws?token=forged.token", app.base.replace("http://", "ws://"));
        assert!(yingke_testkit::Ws::connect(&url, None).await.is_err());
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";

async fn upload(
    app: &yingke_testkit::TestApp,
    token: &str,
    name: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .expect("mime");
    let form = reqwest::multipart::Form::new().part("file", part);
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/widget/attachments"))
        .header("authorization", format!("Visitor {token}"))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    json_of(res).await
}

both_backends! {
    async fn visitors_send_images_checked_by_content_and_served_by_signed_url(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let token = ch.visitor().await;
        let (s, a) = upload(&app, &token, "截图.png", "image/png", PNG.to_vec()).await;
        assert_eq!(s, 201, "{a}");
        assert_eq!((a["mime"].as_str(), a["name"].as_str()), (Some("image/png"), Some("截图.png")));

        let mut agent = owner.socket().await;
        let mut v = ch.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "img", "attachment_id": a["id"]})).await;
        v.expect("ack").await;
        let m = agent.expect("message").await;
        assert_eq!(m["message"]["kind"], "attachment");
        let url = m["message"]["attachment"]["url"].as_str().expect("url").to_owned();
        let res = reqwest::get(app.url(&url)).await.expect("download");
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/png"));
        assert!(res.headers().get("content-security-policy").is_some());
        assert_eq!(res.bytes().await.expect("bytes").as_ref(), PNG);
        let forged = url.replace("sig=", "sig=x");
        assert_eq!(reqwest::get(app.url(&forged)).await.expect("req").status(), 404);

        // Content that contradicts its declared type, unknown kinds, and oversized files are refused.
        let (s, e) = upload(&app, &token, "a.png", "image/png", b"<html><script>alert(1)</script>".to_vec()).await;
        assert_eq!((s, e["error"]["details"][0]["field"].as_str()), (422, Some("file")));
        let (s, _) = upload(&app, &token, "a.exe", "application/octet-stream", b"MZ\x90\x00\x03\x00\x00\x00".to_vec()).await;
        assert_eq!(s, 422);
        let (s, e) = upload(&app, &token, "big.png", "image/png", [PNG, &vec![0u8; 11 * 1024 * 1024]].concat()).await;
        assert_eq!((s, e["error"]["code"].as_str()), (413, Some("payload_too_large")));

        // Another visitor cannot send this visitor's upload.
        let other = ch.visitor().await;
        let mut v2 = ch.socket(&other).await;
        v2.send(json!({"type": "send", "client_id": "steal", "attachment_id": a["id"]})).await;
        let e = v2.expect("error").await;
        assert_eq!(e["code"], "validation_failed");
    }
}

both_backends! {
    async fn the_widget_reporting_its_landing_page_again_counts_once(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let (_, s) = ch.session(json!({"page": {"url": "https://shop.example/p/1", "title": "商品"}})).await;
        let token = s["visitor_token"].as_str().expect("token");
        let view = |url: &'static str| {
            reqwest::Client::new().post(app.url("/api/v1/widget/page-views"))
                .header("authorization", format!("Visitor {token}")).json(&json!({"url": url}))
        };
        assert_eq!(view("https://shop.example/p/1").send().await.expect("req").status(), 204);
        assert_eq!(view("https://shop.example/p/2").send().await.expect("req").status(), 204);
        app.clock.advance_ms(60_000);
        assert_eq!(view("https://shop.example/p/2").send().await.expect("req").status(), 204);
        let (_, p) = json_of(owner.get(&format!("/api/v1/contacts/{}", s["contact"]["id"])).await).await;
        let urls: Vec<&str> = p["page_views"].as_array().expect("views").iter().filter_map(|v| v["url"].as_str()).collect();
        assert_eq!(urls, ["https://shop.example/p/2", "https://shop.example/p/2", "https://shop.example/p/1"]);
    }
}

both_backends! {
    async fn canned_responses_fill_in_variables_and_refuse_unknown_ones(app: TestApp) {
        let owner = app.owner().await;
        let (s, e) = json_of(owner.post("/api/v1/canned-responses", json!({"short_code": "bad", "content": "{{contact.password}}"})).await).await;
        assert_eq!((s, e["error"]["details"][0]["field"].as_str()), (422, Some("content")));
        let (s, c) = json_of(owner.post("/api/v1/canned-responses",
            json!({"short_code": "greet", "content": "{{ contact.name }}您好，我是{{agent.name}}，会话 #{{conversation.number}}"})).await).await;
        assert_eq!(s, 201);
        assert_eq!(owner.post("/api/v1/canned-responses", json!({"short_code": "greet", "content": "x"})).await.status(), 409);

        let ch = WidgetChannel::create(&owner, json!({"pre_chat_form": [{"name": "name", "label": "称呼", "kind": "text"}]})).await;
        let (_, sess) = ch.session(json!({"form": {"name": "王女士"}})).await;
        let mut v = ch.socket(sess["visitor_token"].as_str().expect("token")).await;
        v.send(json!({"type": "send", "client_id": "1", "text": "在吗"})).await;
        let id = v.expect("ack").await["conversation_id"].as_i64().expect("id");
        let (s, r) = json_of(owner.post(&format!("/api/v1/conversations/{id}/canned-responses/{}/render", c["id"]), json!({})).await).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["text"], "王女士您好，我是Owner A，会话 #1");
        let (_, list) = json_of(owner.get("/api/v1/canned-responses?prefix=gr").await).await;
        assert_eq!(list["items"][0]["short_code"], "greet");
        // Agents use them but do not manage them.
        app.create_user(app.account, "ag@a.example", Role::Agent).await;
        let agent = app.sign_in("ag@a.example", OWNER_PASSWORD).await;
        assert_eq!(agent.get("/api/v1/canned-responses").await.status(), 200);
        assert_eq!(agent.post("/api/v1/canned-responses", json!({"short_code": "x", "content": "y"})).await.status(), 403);
    }
}

both_backends! {
    async fn patching_channel_settings_keeps_what_was_not_sent(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({"greeting": "hi", "colour": "#123456"})).await;
        let (s, c) = json_of(owner.patch(&format!("/api/v1/channels/{}", ch.id), json!({"settings": {"colour": "#ff0000"}})).await).await;
        assert_eq!(s, 200, "{c}");
        assert_eq!((c["settings"]["greeting"].as_str(), c["settings"]["colour"].as_str()), (Some("hi"), Some("#ff0000")));
        let (s, e) = json_of(owner.patch(&format!("/api/v1/channels/{}", ch.id), json!({"settings": {"colour": "red"}})).await).await;
        assert_eq!((s, e["error"]["details"][0]["field"].as_str()), (422, Some("settings.colour")));
        let (_, c) = json_of(owner.get(&format!("/api/v1/channels/{}", ch.id)).await).await;
        assert_eq!(c["settings"]["colour"], "#ff0000", "nothing written by the refused change");
    }

    async fn a_read_mark_past_the_last_message_means_all_of_them(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let token = ch.visitor().await;
        let mut v = ch.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "1", "text": "hi"})).await;
        let id = v.expect("ack").await["conversation_id"].as_i64().expect("id");
        let mut agent = owner.socket().await;
        agent.send(json!({"type": "read", "conversation_id": id, "seq": 999})).await;
        let read = v.expect("read").await;
        assert_eq!(read["seq"], 1);
        let (_, c) = json_of(owner.get(&format!("/api/v1/conversations/{id}")).await).await;
        assert_eq!(c["agent_read_seq"], 1);
    }
}

both_backends! {
    async fn the_inbox_finds_conversations_by_number_contact_and_message_text(app: TestApp) {
        let owner = app.owner().await;
        let ch = WidgetChannel::create(&owner, json!({})).await;
        let mut ids = Vec::new();
        for (i, text) in ["订单 ABC-100% 还没到", "我想退款", "hello there"].iter().enumerate() {
            let token = ch.visitor().await;
            let mut v = ch.socket(&token).await;
            v.send(json!({"type": "send", "client_id": format!("s{i}"), "text": text})).await;
            ids.push(v.expect("ack").await["conversation_id"].as_i64().expect("conversation"));
        }
        let find = |q: &str| {
            let path = format!("/api/v1/conversations?q={}", urlencoding(q));
            let s = &owner;
            async move {
                let (status, page) = json_of(s.get(&path).await).await;
                assert_eq!(status, 200, "{page}");
                page["items"].as_array().expect("items").iter().map(|c| c["id"].as_i64().expect("id")).collect::<Vec<_>>()
            }
        };
        // The contact's e-mail, set as an agent would.
        let refund = ok(owner.get(&format!("/api/v1/conversations/{}", ids[1])).await, 200).await;
        let contact = refund["contact_id"].as_i64().expect("contact");
        ok(owner.patch(&format!("/api/v1/contacts/{contact}"), json!({"email": "Li.Ming@Example.com", "name": "李明"})).await, 200).await;
        let number = ok(owner.get(&format!("/api/v1/conversations/{}", ids[2])).await, 200).await["number"].as_i64().expect("number");

        assert_eq!(find("退款").await, vec![ids[1]], "message text");
        assert_eq!(find("li.ming@example").await, vec![ids[1]], "e-mail, any case");
        assert_eq!(find("李明").await, vec![ids[1]], "name");
        assert_eq!(find("HELLO").await, vec![ids[2]]);
        assert_eq!(find(&format!("#{number}")).await, vec![ids[2]], "number");
        // LIKE's wildcards are plain text here.
        assert_eq!(find("100%").await, vec![ids[0]]);
        assert_eq!(find("%").await, vec![ids[0]]);
        assert!(find("_").await.is_empty());
        assert!(find("nowhere").await.is_empty());
        // Combined with the other filters, and bad input names `q`.
        assert_eq!(ok(owner.get("/api/v1/conversations?q=%E9%80%80%E6%AC%BE&status=resolved").await, 200).await["items"], json!([]));
        for bad in ["%20%20", &"x".repeat(101)] {
            let (s, e) = json_of(owner.get(&format!("/api/v1/conversations?q={bad}")).await).await;
            assert_eq!((s, e["error"]["details"][0]["field"].as_str()), (422, Some("q")), "{e}");
        }
        // An agent finds only what they may see: not a conversation assigned to someone else.
        let me = ok(owner.get("/api/v1/me").await, 200).await["user"]["id"].as_i64().expect("me");
        ok(owner.post(&format!("/api/v1/conversations/{}/transfer", ids[1]), json!({"assignee_id": me})).await, 200).await;
        app.create_user(app.account, "agent@example.com", Role::Agent).await;
        let agent = app.sign_in("agent@example.com", OWNER_PASSWORD).await;
        let (s, page) = json_of(agent.get("/api/v1/conversations?q=%E9%80%80%E6%AC%BE").await).await;
        assert_eq!((s, page["items"].clone()), (200, json!([])), "{page}");
        let (_, page) = json_of(agent.get("/api/v1/conversations?q=hello").await).await;
        assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    }
}

async fn ok(res: reqwest::Response, want: u16) -> Value {
    let (s, v) = json_of(res).await;
    assert_eq!(s, want, "{v}");
    v
}

/// Percent-encodes a query value.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
