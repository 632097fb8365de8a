//! The audit trail: administrators' changes, newest first, with names; admins only; one account's
//! trail only; refused changes leave nothing; filters and pages.

use serde_json::{Value, json};
use yingke_core::Role;
use yingke_testkit::{OWNER_PASSWORD, both_backends, json_of};

fn kinds(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| match e["details"]["area"].as_str() {
            Some(area) => format!("{area}.{}", e["details"]["action"].as_str().unwrap_or("?")),
            None => e["kind"].as_str().unwrap_or("?").to_owned(),
        })
        .collect()
}

both_backends! {
    async fn administrators_changes_are_in_the_trail_newest_first_with_names(app: TestApp) {
        let owner = app.owner().await;
        let agent_id = app.create_user(app.account, "li@a.example", Role::Agent).await;
        let (status, team) = json_of(owner.post("/api/v1/teams", json!({"name": "售后"})).await).await;
        assert_eq!(status, 201);
        let team_id = team["id"].as_i64().expect("team id");
        assert_eq!(owner.put(&format!("/api/v1/teams/{team_id}/members/{agent_id}")).await.status(), 200);
        let (status, canned) = json_of(
            owner.post("/api/v1/canned-responses", json!({"short_code": "hi", "content": "您好"})).await,
        ).await;
        assert_eq!(status, 201);
        let canned_id = canned["id"].as_i64().expect("canned id");
        assert_eq!(owner.delete(&format!("/api/v1/canned-responses/{canned_id}")).await.status(), 204);
        let (status, _) = json_of(owner.post("/api/v1/ticket-markers", json!({"name": "已联系供应商"})).await).await;
        assert_eq!(status, 201);
        assert_eq!(owner.patch("/api/v1/routing/settings", json!({"sticky_window_secs": 600})).await.status(), 200);

        let (status, page) = json_of(owner.get("/api/v1/audit-log").await).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(
            kinds(&page)[..6],
            [
                "routing_settings.updated",
                "ticket_marker.created",
                "canned_response.deleted",
                "canned_response.created",
                "team_member_added",
                "team_created",
            ],
            "{page}"
        );
        let items = page["items"].as_array().expect("items");
        let seqs: Vec<i64> = items.iter().map(|e| e["seq"].as_i64().expect("seq")).collect();
        assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first: {seqs:?}");
        let owner_name = items[0]["actor_name"].clone();
        assert!(owner_name.is_string(), "the actor is named: {page}");
        assert!(items[..6].iter().all(|e| e["actor_id"] == owner.user_id && e["actor_name"] == owner_name));
        // A deleted setting keeps the name it had; a team is named as it is now.
        assert_eq!(items[2]["subject"], format!("canned_response:{canned_id}"));
        assert_eq!(items[2]["subject_name"], "hi");
        assert_eq!(items[1]["subject_name"], "已联系供应商");
        assert_eq!(items[0]["subject"], "routing_settings");
        assert_eq!(items[4]["subject_name"], "售后");
        assert_eq!(items[4]["member_name"], "li@a.example");
        assert!(items[0]["at"].as_str().is_some_and(|t| t.ends_with('Z')), "{page}");
        // The agent's creation by the operator has no actor and is still there.
        assert!(items.iter().any(|e| e["kind"] == "user_created" && e["subject"] == format!("user:{agent_id}")));
    }

    async fn only_admins_read_the_trail_and_only_their_own_account(app: TestApp) {
        let owner = app.owner().await;
        assert_eq!(owner.post("/api/v1/ticket-markers", json!({"name": "A 的标记"})).await.status(), 201);
        for (email, role) in [("ag@a.example", Role::Agent), ("sup@a.example", Role::Supervisor)] {
            app.create_user(app.account, email, role).await;
            let s = app.sign_in(email, OWNER_PASSWORD).await;
            let (status, body) = json_of(s.get("/api/v1/audit-log").await).await;
            assert_eq!(status, 403, "{email}: {body}");
            assert_eq!(body["error"]["code"], "forbidden");
        }
        app.create_user(app.account, "adm@a.example", Role::Admin).await;
        let admin = app.sign_in("adm@a.example", OWNER_PASSWORD).await;
        let (status, page) = json_of(admin.get("/api/v1/audit-log?area=ticket_marker").await).await;
        assert_eq!(status, 200);
        assert_eq!(page["items"][0]["subject_name"], "A 的标记");

        let (_, other) = app.second_account().await;
        let (status, page) = json_of(other.get("/api/v1/audit-log").await).await;
        assert_eq!(status, 200);
        assert!(
            page["items"].as_array().expect("items").iter().all(|e| e["subject_name"] != "A 的标记"
                && e["actor_id"] != owner.user_id),
            "another account's trail holds none of A's changes: {page}"
        );
    }

    async fn a_refused_change_leaves_no_entry(app: TestApp) {
        let owner = app.owner().await;
        assert_eq!(owner.post("/api/v1/ticket-markers", json!({"name": "first"})).await.status(), 201);
        let (_, before) = json_of(owner.get("/api/v1/audit-log").await).await;
        // Invalid, and an unknown id: both refused, nothing written.
        assert_eq!(owner.post("/api/v1/canned-responses", json!({"short_code": "", "content": "x"})).await.status(), 422);
        assert_eq!(owner.delete("/api/v1/canned-responses/999999").await.status(), 404);
        assert_eq!(owner.patch("/api/v1/routing/settings", json!({"sticky_window_secs": -5})).await.status(), 422);
        let (_, after) = json_of(owner.get("/api/v1/audit-log").await).await;
        assert_eq!(before, after);
    }

    async fn the_trail_filters_by_person_kind_and_area_and_pages_back(app: TestApp) {
        let owner = app.owner().await;
        app.create_user(app.account, "adm@a.example", Role::Admin).await;
        let admin = app.sign_in("adm@a.example", OWNER_PASSWORD).await;
        for name in ["m1", "m2", "m3"] {
            assert_eq!(owner.post("/api/v1/ticket-markers", json!({"name": name})).await.status(), 201);
        }
        assert_eq!(admin.post("/api/v1/teams", json!({"name": "T"})).await.status(), 201);
        assert_eq!(admin.post("/api/v1/canned-responses", json!({"short_code": "c", "content": "x"})).await.status(), 201);

        let (_, mine) = json_of(owner.get(&format!("/api/v1/audit-log?actor_id={}", admin.user_id)).await).await;
        assert_eq!(kinds(&mine), ["canned_response.created", "team_created"]);
        let (_, teams) = json_of(owner.get("/api/v1/audit-log?kind=team_created,team_deleted").await).await;
        assert_eq!(kinds(&teams), ["team_created"]);
        let (_, markers) = json_of(owner.get("/api/v1/audit-log?area=ticket_marker&limit=2").await).await;
        let names: Vec<&str> = markers["items"].as_array().expect("items").iter()
            .map(|e| e["subject_name"].as_str().unwrap_or("?")).collect();
        assert_eq!(names, ["m3", "m2"]);
        let before = markers["next_before"].as_i64().expect("a next page");
        let (_, rest) = json_of(owner.get(&format!("/api/v1/audit-log?area=ticket_marker&limit=2&before={before}")).await).await;
        assert_eq!(rest["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(rest["items"][0]["subject_name"], "m1");
        assert_eq!(rest["next_before"], Value::Null);

        for (query, field) in [
            ("kind=message_created", "kind"),
            ("area=everything", "area"),
            ("limit=0", "limit"),
            ("before=0", "before"),
        ] {
            let (status, body) = json_of(owner.get(&format!("/api/v1/audit-log?{query}")).await).await;
            assert_eq!(status, 422, "{query}: {body}");
            assert_eq!(body["error"]["details"][0]["field"], field, "{query}: {body}");
        }
        let (status, body) = json_of(owner.get("/api/v1/audit-log?actor=1").await).await;
        assert_eq!(status, 400, "unknown parameters are refused: {body}");
        assert_eq!(body["error"]["code"], "bad_request");
    }
}
