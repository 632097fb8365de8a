//! Every class of bad input gets its status and the one error envelope; none is a 500.

use serde_json::{Value, json};
use yingke_testkit::{both_backends, json_of};

fn assert_envelope(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert!(body["error"]["details"].is_array());
}

both_backends! {
    async fn malformed_json_is_a_400_naming_the_problem(app: TestApp) {
        let s = app.owner().await;
        let res = s.client.post(format!("{}/api/v1/teams", s.base))
            .header("x-csrf-token", &s.csrf).header("content-type", "application/json")
            .body("{\"name\": \"售后\",").send().await.expect("req");
        let (status, body) = json_of(res).await;
        assert_eq!(status, 400);
        assert_envelope(&body, "malformed_json");
        assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("line 1")));
    }

    async fn unknown_fields_are_rejected_by_name(app: TestApp) {
        let s = app.owner().await;
        let (status, body) = json_of(s.post("/api/v1/teams", json!({"name": "售后", "colour": "red"})).await).await;
        assert_eq!(status, 422);
        assert_envelope(&body, "validation_failed");
        assert_eq!(body["error"]["details"][0]["field"], "colour");
    }

    async fn missing_and_invalid_fields_are_422_with_every_path(app: TestApp) {
        let s = app.owner().await;
        let (status, body) = json_of(s.post("/api/v1/users", json!({"email": "x@a.example", "name": "X", "role": "agent"})).await).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["details"][0]["field"], "password");

        let bad = json!({"email": "not-an-email", "name": " ", "role": "root", "password": "short", "locale": "fr"});
        let (status, body) = json_of(s.post("/api/v1/users", bad).await).await;
        assert_eq!(status, 422);
        assert_envelope(&body, "validation_failed");
        let mut fields: Vec<String> = body["error"]["details"].as_array().expect("details").iter()
            .map(|d| d["field"].as_str().unwrap_or_default().to_owned()).collect();
        fields.sort();
        assert_eq!(fields, ["email", "locale", "name", "password", "role"]);

        let (status, body) = json_of(s.post("/api/v1/teams", json!({"name": 42})).await).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["details"][0]["field"], "name");
        // Nothing was written.
        let (_, users) = json_of(s.get("/api/v1/users").await).await;
        assert_eq!(users["items"].as_array().map(Vec::len), Some(1));
    }

    async fn a_body_over_the_limit_is_413(app: TestApp) {
        let s = app.owner().await;
        let huge = "字".repeat(600 * 1024);
        let (status, body) = json_of(s.post("/api/v1/teams", json!({"name": huge})).await).await;
        assert_eq!(status, 413);
        assert_envelope(&body, "payload_too_large");
    }

    async fn a_body_that_is_not_json_is_415(app: TestApp) {
        let s = app.owner().await;
        let res = s.client.post(format!("{}/api/v1/teams", s.base))
            .header("x-csrf-token", &s.csrf).header("content-type", "text/plain")
            .body("name=售后").send().await.expect("req");
        let (status, body) = json_of(res).await;
        assert_eq!(status, 415);
        assert_envelope(&body, "unsupported_media_type");
    }

    async fn a_duplicate_email_is_409_and_a_duplicate_team_name_too(app: TestApp) {
        let s = app.owner().await;
        let user = json!({"email": "Agent@A.example", "name": "A", "role": "agent", "password": "password-123"});
        assert_eq!(s.post("/api/v1/users", user.clone()).await.status(), 201);
        let again = json!({"email": "agent@a.example", "name": "B", "role": "agent", "password": "password-123"});
        let (status, body) = json_of(s.post("/api/v1/users", again).await).await;
        assert_eq!(status, 409);
        assert_envelope(&body, "conflict");
        assert_eq!(body["error"]["details"][0]["field"], "email");

        assert_eq!(s.post("/api/v1/teams", json!({"name": "售后"})).await.status(), 201);
        let (status, body) = json_of(s.post("/api/v1/teams", json!({"name": "售后"})).await).await;
        assert_eq!(status, 409);
        assert_eq!(body["error"]["details"][0]["field"], "name");
    }

    async fn unknown_routes_ids_and_methods_answer_in_the_envelope(app: TestApp) {
        let s = app.owner().await;
        for path in ["/api/v1/nothing-here", "/api/v1/users/999999", "/api/v1/users/not-a-number", "/api/elsewhere"] {
            let (status, body) = json_of(s.get(path).await).await;
            assert_eq!(status, 404, "{path}");
            assert_envelope(&body, "not_found");
        }
        let (status, body) = json_of(s.send("PUT", "/api/v1/users", None).await).await;
        assert_eq!(status, 405);
        assert_envelope(&body, "method_not_allowed");
        let (status, body) = json_of(s.get("/api/v1/users?limit=0").await).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["details"][0]["field"], "limit");
        let (status, body) = json_of(s.get("/api/v1/users?limit=abc").await).await;
        assert_eq!(status, 400);
        assert_envelope(&body, "bad_request");
    }

    async fn odd_bodies_never_cause_a_server_error(app: TestApp) {
        let s = app.owner().await;
        let bodies = [
            "", "null", "[]", "\"x\"", "0", "{}", "{\"name\":null}", "{\"name\":[]}",
            "{\"name\":\"\\u0000\"}", "{\"name\":\"a\",\"name\":\"b\"}", "{\"name\":1e999}",
            "{\"name\":\"\\ud800\"}", "\u{feff}{}", "{\"email\":{\"$gt\":\"\"}}",
        ];
        for path in ["/api/v1/teams", "/api/v1/users", "/api/v1/me/tokens", "/api/v1/auth/login"] {
            for b in bodies {
                let res = s.client.post(format!("{}{path}", s.base))
                    .header("x-csrf-token", &s.csrf).header("content-type", "application/json")
                    .body(b).send().await.expect("req");
                let status = res.status().as_u16();
                assert!((400..500).contains(&status), "{path} with {b:?} answered {status}");
                let (_, body) = json_of(res).await;
                assert!(body["error"]["code"].is_string(), "{path} with {b:?}: {body}");
            }
        }
        for b in ["{\"name\":1e999}", "{\"email\":\"a@b.c\",\"password\":\"x\",\"role\":\"agent\",\"name\":\"\\u202e\"}"] {
            let res = s.client.patch(format!("{}/api/v1/me", s.base))
                .header("x-csrf-token", &s.csrf).header("content-type", "application/json")
                .body(b).send().await.expect("req");
            assert!(res.status().is_client_error());
        }
    }

    async fn every_response_carries_a_request_id(app: TestApp) {
        let res = app.client().get(app.url("/api/v1/me")).header("x-request-id", "trace-me-123").send().await.expect("req");
        assert_eq!(res.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("trace-me-123"));
        let res = app.client().get(app.url("/healthz")).send().await.expect("req");
        assert!(res.headers().get("x-request-id").is_some_and(|v| v.len() >= 32));
    }
}
