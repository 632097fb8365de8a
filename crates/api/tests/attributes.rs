//! Typed custom attributes of contacts, on SQLite and PostgreSQL: definitions, values checked
//! against them from agents and from the embedding site's identity, and bad definitions.

use serde_json::json;
use yingke_core::Role;
use yingke_testkit::{OWNER_PASSWORD, WidgetChannel, both_backends, identity_hmac, json_of};

fn fields(e: &serde_json::Value) -> Vec<String> {
    let mut f: Vec<String> = e["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["field"].as_str().map(str::to_owned))
        .collect();
    f.sort();
    f
}

both_backends! {
    async fn contact_attributes_are_checked_against_their_types(app: TestApp) {
        let owner = app.owner().await;
        for (key, kind, options) in [
            ("paid", "boolean", json!([])),
            ("seats", "number", json!([])),
            ("renewal", "date", json!([])),
            ("plan", "list", json!(["基础版", "专业版"])),
            ("company", "text", json!([])),
        ] {
            let (s, d) = json_of(owner.post("/api/v1/contact-attributes",
                json!({"key": key, "label": key, "kind": kind, "options": options})).await).await;
            assert_eq!(s, 201, "{d}");
        }
        let (_, list) = json_of(owner.get("/api/v1/contact-attributes").await).await;
        let keys: Vec<&str> = list["items"].as_array().expect("items").iter().filter_map(|d| d["key"].as_str()).collect();
        assert_eq!(keys, ["company", "paid", "plan", "renewal", "seats"]);

        let ch = WidgetChannel::create(&owner, json!({})).await;
        let token = ch.visitor().await;
        let mut v = ch.socket(&token).await;
        v.send(json!({"type": "send", "client_id": "1", "text": "你好"})).await;
        let conv = v.expect("ack").await["conversation_id"].as_i64().expect("id");
        let (_, c) = json_of(owner.get(&format!("/api/v1/conversations/{conv}")).await).await;
        let contact = c["contact_id"].as_i64().expect("contact");

        // Wrong types are named one by one, and nothing is written.
        let bad = json!({"attributes": {"paid": "yes", "seats": "10", "renewal": "2026-02-30", "plan": "旗舰版", "free_form": [1, 2]}});
        let (s, e) = json_of(owner.patch(&format!("/api/v1/contacts/{contact}"), bad).await).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(fields(&e), ["attributes.paid", "attributes.plan", "attributes.renewal", "attributes.seats"]);
        let (_, p) = json_of(owner.get(&format!("/api/v1/contacts/{contact}")).await).await;
        assert_eq!(p["attributes"], json!({}), "nothing written: {p}");

        let good = json!({"attributes": {"paid": true, "seats": 10, "renewal": "2027-01-31", "plan": "专业版", "free_form": "任意"}});
        let (s, p) = json_of(owner.patch(&format!("/api/v1/contacts/{contact}"), good).await).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["attributes"]["plan"], "专业版");
        // Contacts are found by an attribute's value too.
        let (_, found) = json_of(owner.get("/api/v1/contacts?q=%E4%B8%93%E4%B8%9A%E7%89%88").await).await;
        let ids: Vec<i64> = found["items"].as_array().expect("items").iter().filter_map(|c| c["id"].as_i64()).collect();
        assert_eq!(ids, [contact], "{found}");

        // The embedding site's identity is checked the same way.
        let (_, secret) = json_of(owner.get(&format!("/api/v1/channels/{}/identity-secret", ch.id)).await).await;
        let secret = secret["identity_secret"].as_str().expect("secret").to_owned();
        let id = json!({"user_id": "u-1", "attributes": {"paid": 1}, "hmac": identity_hmac(&secret, "u-1")});
        let (s, e) = ch.session(json!({"identity": id})).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(fields(&e), ["identity.attributes.paid"]);
        let id = json!({"user_id": "u-1", "attributes": {"paid": true, "plan": "基础版"}, "hmac": identity_hmac(&secret, "u-1")});
        assert_eq!(ch.session(json!({"identity": id})).await.0, 200);

        // A list gains a choice; key and type stay.
        let plan = list["items"].as_array().expect("items").iter().find(|d| d["key"] == "plan").expect("plan")["id"].as_i64().expect("id");
        let (s, d) = json_of(owner.patch(&format!("/api/v1/contact-attributes/{plan}"), json!({"options": ["基础版", "专业版", "旗舰版"]})).await).await;
        assert_eq!((s, d["options"].as_array().map(Vec::len)), (200, Some(3)));
        let (s, _) = json_of(owner.patch(&format!("/api/v1/contacts/{contact}"), json!({"attributes": {"plan": "旗舰版"}})).await).await;
        assert_eq!(s, 200);
        assert_eq!(owner.delete(&format!("/api/v1/contact-attributes/{plan}")).await.status(), 204);
        let (s, _) = json_of(owner.patch(&format!("/api/v1/contacts/{contact}"), json!({"attributes": {"plan": "随便"}})).await).await;
        assert_eq!(s, 200, "without a definition the key is free-form again");
    }

    async fn bad_attribute_definitions_are_refused(app: TestApp) {
        let owner = app.owner().await;
        let cases = [
            (json!({"key": "Bad Key", "label": "x", "kind": "text"}), vec!["key"]),
            (json!({"key": "plan", "label": "", "kind": "list"}), vec!["label", "options"]),
            (json!({"key": "n", "label": "n", "kind": "number", "options": ["a"]}), vec!["options"]),
            (json!({"key": "l", "label": "l", "kind": "list", "options": ["a", "a"]}), vec!["options[1]"]),
        ];
        for (body, expected) in cases {
            let (s, e) = json_of(owner.post("/api/v1/contact-attributes", body.clone()).await).await;
            assert_eq!(s, 422, "{body}: {e}");
            assert_eq!(fields(&e), expected, "{body}");
        }
        let (s, _) = json_of(owner.post("/api/v1/contact-attributes", json!({"key": "k", "label": "k", "kind": "colour"})).await).await;
        assert_eq!(s, 422);
        assert_eq!(owner.post("/api/v1/contact-attributes", json!({"key": "vip", "label": "VIP", "kind": "boolean"})).await.status(), 201);
        let (s, e) = json_of(owner.post("/api/v1/contact-attributes", json!({"key": "vip", "label": "again", "kind": "text"})).await).await;
        assert_eq!((s, e["error"]["details"][0]["field"].as_str()), (409, Some("key")));
        app.create_user(app.account, "agent@yingke.test", Role::Agent).await;
        let agent = app.sign_in("agent@yingke.test", OWNER_PASSWORD).await;
        assert_eq!(agent.post("/api/v1/contact-attributes", json!({"key": "x", "label": "x", "kind": "text"})).await.status(), 403);
        assert_eq!(agent.get("/api/v1/contact-attributes").await.status(), 200);
    }
}

both_backends! {
    async fn a_crm_imports_contacts_by_external_id_all_or_nothing(app: TestApp) {
        let owner = app.owner().await;
        let (s, d) = json_of(owner.post("/api/v1/contact-attributes",
            json!({"key": "paid", "label": "已付费", "kind": "boolean"})).await).await;
        assert_eq!(s, 201, "{d}");
        let agent = app.create_user(app.account, "crm-agent@example.com", Role::Agent).await;
        let now = app.app.now();
        let three_days_ago = now - 72 * 3_600_000;

        // One bad item refuses the import: every bad field named by its path, nothing written.
        let bad = json!({"contacts": [
            {"external_id": "crm-1", "name": "甲"},
            {"external_id": "crm-2", "email": "not-mail", "attributes": {"paid": "yes"}, "tags": [""], "changed_at": now + 1000},
            {"external_id": "crm-1"},
            {"external_id": "crm-3", "owner_id": 999_999}
        ]});
        let (s, e) = json_of(owner.post("/api/v1/contacts/import", bad).await).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(fields(&e), ["contacts[1].attributes.paid", "contacts[1].changed_at", "contacts[1].email",
            "contacts[1].tags[0]", "contacts[2].external_id"]);
        let (s, e) = json_of(owner.post("/api/v1/contacts/import",
            json!({"contacts": [{"external_id": "crm-3", "owner_id": 999_999}]})).await).await;
        assert_eq!((s, fields(&e)), (422, vec!["contacts[0].owner_id".to_owned()]), "{e}");
        let (_, list) = json_of(owner.get("/api/v1/contacts").await).await;
        assert_eq!(list["items"], json!([]), "nothing written: {list}");
        let (s, e) = json_of(owner.post("/api/v1/contacts/import", json!({"contacts": []})).await).await;
        assert_eq!((s, fields(&e)), (422, vec!["contacts".to_owned()]), "{e}");

        // Created, then updated by the same external id; attributes merge, tags add up.
        let first = json!({"contacts": [
            {"external_id": "crm-1", "name": "甲", "attributes": {"paid": false, "order_status": "unpaid"},
             "tags": ["线索"], "owner_id": agent, "changed_at": three_days_ago},
            {"external_id": "crm-2", "name": "乙", "email": "B@Example.com"}
        ]});
        let (s, r) = json_of(owner.post("/api/v1/contacts/import", first).await).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!((r["created"].as_u64(), r["updated"].as_u64()), (Some(2), Some(0)));
        let id1 = r["ids"][0].as_i64().expect("id");
        let (s, r) = json_of(owner.post("/api/v1/contacts/import", json!({"contacts": [
            {"external_id": "crm-1", "attributes": {"paid": true}, "tags": ["VIP"]}
        ]})).await).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!((r["created"].as_u64(), r["updated"].as_u64(), r["ids"][0].as_i64()), (Some(0), Some(1), Some(id1)));
        let (_, p) = json_of(owner.get(&format!("/api/v1/contacts/{id1}")).await).await;
        assert_eq!(p["attributes"], json!({"paid": true, "order_status": "unpaid"}), "{p}");
        assert_eq!(p["external_id"], "crm-1");
        let mut tags: Vec<String> = serde_json::from_value(p["tags"].clone()).expect("tags");
        tags.sort();
        assert_eq!(tags, ["VIP", "线索"]);

        // The CRM's change time counts: order_status set three days ago, paid changed just now.
        let rule = json!({
            "name": "未付款订单", "trigger": {"kind": "at", "at": now + 86_400_000},
            "conditions": {"all": [
                {"field": "contact.custom.order_status", "op": "eq", "value": "unpaid"},
                {"field": "contact.changed.order_status", "op": "not_within_last", "value": "48h"}
            ]},
            "actions": [{"type": "create_todo", "title": "催付", "owner": {"strategy": "contact_owner"}}]
        });
        let (s, rule) = json_of(owner.post("/api/v1/automation/rules", rule).await).await;
        assert_eq!(s, 201, "{rule}");
        let (s, dry) = json_of(owner.post(&format!("/api/v1/automation/rules/{}/scan?dry_run=true", rule["id"]), json!({})).await).await;
        assert_eq!((s, dry["matched"].as_i64(), dry["sample"][0].as_i64()), (200, Some(1), Some(id1)), "{dry}");
        let (s, done) = json_of(owner.post(&format!("/api/v1/automation/rules/{}/scan", rule["id"]), json!({})).await).await;
        assert_eq!((s, done["created"].as_i64()), (200, Some(1)), "{done}");
        let (_, todos) = json_of(owner.get(&format!("/api/v1/todos?view=all&rule_id={}", rule["id"])).await).await;
        let todos = todos["items"].as_array().expect("items");
        assert_eq!(todos.len(), 1);
        // Given to the owner the import set.
        assert_eq!((todos[0]["contact_id"].as_i64(), todos[0]["owner_id"].as_i64()), (Some(id1), Some(agent)), "{todos:?}");

        // Agents may not import.
        app.create_user(app.account, "crm-agent2@example.com", Role::Agent).await;
        let a = app.sign_in("crm-agent2@example.com", OWNER_PASSWORD).await;
        let (s, _) = json_of(a.post("/api/v1/contacts/import", json!({"contacts": [{"external_id": "x"}]})).await).await;
        assert_eq!(s, 403);
    }
}
