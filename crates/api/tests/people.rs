//! Users, teams and membership: role checks in the use cases, the last-owner rule, events.

use serde_json::json;
use yingke_core::Role;
use yingke_testkit::{OWNER_PASSWORD, both_backends, json_of};

fn new_user(email: &str, role: &str) -> serde_json::Value {
    json!({"email": email, "name": email, "role": role, "password": "password-123"})
}

both_backends! {
    async fn an_agent_or_supervisor_cannot_create_users_or_teams(app: TestApp) {
        for (email, role) in [("agent@a.example", Role::Agent), ("sup@a.example", Role::Supervisor)] {
            app.create_user(app.account, email, role).await;
            let s = app.sign_in(email, OWNER_PASSWORD).await;
            let (status, body) = json_of(s.post("/api/v1/users", new_user("x@a.example", "agent")).await).await;
            assert_eq!(status, 403, "{email}");
            assert_eq!(body["error"]["code"], "forbidden");
            assert_eq!(s.post("/api/v1/teams", json!({"name": "T"})).await.status(), 403);
            // Reading is allowed: agents need their colleagues for transfers.
            assert_eq!(s.get("/api/v1/users").await.status(), 200);
        }
        let owner = app.owner().await;
        let (_, users) = json_of(owner.get("/api/v1/users").await).await;
        assert_eq!(users["items"].as_array().map(Vec::len), Some(3), "nothing was created by the refused calls");
    }

    async fn an_admin_cannot_create_or_change_an_owner(app: TestApp) {
        app.create_user(app.account, "admin@a.example", Role::Admin).await;
        let admin = app.sign_in("admin@a.example", OWNER_PASSWORD).await;
        assert_eq!(admin.post("/api/v1/users", new_user("o2@a.example", "owner")).await.status(), 403);
        let owner_id = app.owner().await.user_id;
        let res = admin.patch(&format!("/api/v1/users/{owner_id}"), json!({"name": "Hacked"})).await;
        assert_eq!(res.status(), 403);
        assert_eq!(admin.delete(&format!("/api/v1/users/{owner_id}")).await.status(), 403);
        // Admins do manage agents.
        let (status, agent) = json_of(admin.post("/api/v1/users", new_user("ag@a.example", "agent")).await).await;
        assert_eq!(status, 201);
        let id = agent["id"].as_i64().expect("id");
        let (status, agent) = json_of(admin.patch(&format!("/api/v1/users/{id}"), json!({"role": "supervisor", "locale": "en"})).await).await;
        assert_eq!(status, 200);
        assert_eq!((agent["role"].as_str(), agent["locale"].as_str()), (Some("supervisor"), Some("en")));
    }

    async fn the_last_owner_cannot_be_demoted_or_deactivated(app: TestApp) {
        let s = app.owner().await;
        let me = s.user_id;
        let (status, body) = json_of(s.patch(&format!("/api/v1/users/{me}"), json!({"role": "admin"})).await).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["details"][0]["field"], "role");
        assert_eq!(s.delete(&format!("/api/v1/users/{me}")).await.status(), 422);
        // With a second owner, the first may step down.
        app.create_user(app.account, "owner2@a.example", Role::Owner).await;
        assert_eq!(s.patch(&format!("/api/v1/users/{me}"), json!({"role": "admin"})).await.status(), 200);
    }

    async fn deactivating_a_user_signs_them_out_and_keeps_them_out(app: TestApp) {
        let id = app.create_user(app.account, "leaver@a.example", Role::Agent).await;
        let leaver = app.sign_in("leaver@a.example", OWNER_PASSWORD).await;
        let owner = app.owner().await;
        assert_eq!(owner.delete(&format!("/api/v1/users/{id}")).await.status(), 204);
        assert_eq!(leaver.get("/api/v1/me").await.status(), 401);
        let res = app.client().post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": "leaver@a.example", "password": OWNER_PASSWORD})).send().await.expect("req");
        assert_eq!(res.status(), 401);
        let (_, user) = json_of(owner.get(&format!("/api/v1/users/{id}")).await).await;
        assert_eq!(user["active"], false);
        // Reactivation lets them back in.
        assert_eq!(owner.patch(&format!("/api/v1/users/{id}"), json!({"active": true})).await.status(), 200);
        app.sign_in("leaver@a.example", OWNER_PASSWORD).await;
    }

    async fn teams_and_members_round_trip(app: TestApp) {
        let s = app.owner().await;
        let (status, team) = json_of(s.post("/api/v1/teams", json!({"name": " 售后 ", "description": "退换货"})).await).await;
        assert_eq!(status, 201);
        assert_eq!(team["name"], "售后");
        let tid = team["id"].as_i64().expect("id");
        let uid = app.create_user(app.account, "ag@a.example", Role::Agent).await;

        let (status, member) = json_of(s.put(&format!("/api/v1/teams/{tid}/members/{uid}")).await).await;
        assert_eq!(status, 200);
        assert_eq!(member["user"]["email"], "ag@a.example");
        assert_eq!(s.put(&format!("/api/v1/teams/{tid}/members/{uid}")).await.status(), 200, "idempotent");
        let (_, team) = json_of(s.get(&format!("/api/v1/teams/{tid}")).await).await;
        assert_eq!(team["member_count"], 1);
        let (_, members) = json_of(s.get(&format!("/api/v1/teams/{tid}/members")).await).await;
        assert_eq!(members["items"][0]["user"]["id"], uid);

        let (status, team) = json_of(s.patch(&format!("/api/v1/teams/{tid}"), json!({"name": "After-sales"})).await).await;
        assert_eq!(status, 200);
        assert_eq!((team["name"].as_str(), team["description"].as_str()), (Some("After-sales"), Some("退换货")));

        assert_eq!(s.delete(&format!("/api/v1/teams/{tid}/members/{uid}")).await.status(), 204);
        assert_eq!(s.delete(&format!("/api/v1/teams/{tid}/members/{uid}")).await.status(), 404);
        assert_eq!(s.delete(&format!("/api/v1/teams/{tid}")).await.status(), 204);
        assert_eq!(s.get(&format!("/api/v1/teams/{tid}")).await.status(), 404);
    }

    async fn lists_page_with_a_cursor_in_id_order(app: TestApp) {
        let s = app.owner().await;
        for i in 0..5 {
            assert_eq!(s.post("/api/v1/teams", json!({"name": format!("T{i}")})).await.status(), 201);
        }
        let (_, p1) = json_of(s.get("/api/v1/teams?limit=2").await).await;
        let cursor = p1["next_cursor"].as_str().expect("more pages").to_owned();
        let (_, p2) = json_of(s.get(&format!("/api/v1/teams?limit=2&cursor={cursor}")).await).await;
        let (_, p3) = json_of(s.get(&format!("/api/v1/teams?limit=2&cursor={}", p2["next_cursor"].as_str().expect("more"))).await).await;
        let names: Vec<&str> = [&p1, &p2, &p3].iter()
            .flat_map(|p| p["items"].as_array().into_iter().flatten())
            .filter_map(|t| t["name"].as_str()).collect();
        assert_eq!(names, ["T0", "T1", "T2", "T3", "T4"]);
        assert!(p3["next_cursor"].is_null());
    }

    async fn changes_append_events_to_the_outbox_in_order(app: TestApp) {
        let s = app.owner().await;
        let (_, team) = json_of(s.post("/api/v1/teams", json!({"name": "售前"})).await).await;
        let tid = team["id"].as_i64().expect("id");
        let uid = app.create_user(app.account, "ag@a.example", Role::Agent).await;
        s.put(&format!("/api/v1/teams/{tid}/members/{uid}")).await;
        let events = yingke_store::events::list_after(app.app.db(), yingke_store::Scope::new(app.account), 0, 100)
            .await.expect("events");
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["account_created", "user_created", "team_created", "user_created", "team_member_added"]);
        let added = events.last().expect("an event");
        assert_eq!(added.subject, format!("team:{tid}"));
        assert_eq!(added.payload["user_id"], uid);
        assert_eq!(added.actor_user_id.map(|u| u.0), Some(s.user_id));
        assert!(events.windows(2).all(|w| w[0].seq < w[1].seq));
    }
}
