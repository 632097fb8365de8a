//! Tenant isolation: a user of account A gets 404 for every id of account B on every route that
//! takes an id — the routes are read from the OpenAPI document, so a new route is covered (or
//! this test fails until it says which of B's ids to use).

use serde_json::{Value, json};
use yingke_core::Role;
use yingke_testkit::{both_backends, json_of};

/// A valid body for each changing route, so a 404 can only come from the account scope.
fn body_for(method: &str, template: &str) -> Option<Value> {
    match (method, template) {
        ("patch", "/api/v1/users/{id}") => Some(json!({"name": "Mallory"})),
        ("patch", "/api/v1/teams/{id}") => Some(json!({"name": "Taken over"})),
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
        assert!(checked >= 10, "only {checked} route checks ran");

        let after = (
            json_of(b.get("/api/v1/users").await).await.1,
            json_of(b.get("/api/v1/teams").await).await.1,
            json_of(b.get(&format!("/api/v1/teams/{b_team}/members")).await).await.1,
        );
        assert_eq!(before, after, "account B is unchanged");
        let token = b_token["token"].as_str().expect("token");
        let res = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(token).send().await.expect("req");
        assert_eq!(res.status(), 200, "B's token still works");
        // A's lists never show B's objects.
        let (_, users) = json_of(a.get("/api/v1/users").await).await;
        assert!(users["items"].as_array().expect("items").iter().all(|u| u["email"].as_str().is_some_and(|e| e.ends_with("@a.example"))));
    }
}
