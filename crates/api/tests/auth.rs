//! Signing in, sessions, CSRF, personal access tokens and throttling, over HTTP.

use serde_json::json;
use yingke_testkit::{OWNER_EMAIL, OWNER_PASSWORD, both_backends, json_of};

both_backends! {
    async fn login_sets_an_http_only_same_site_cookie_and_returns_the_user(app: TestApp) {
        let res = app.client().post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": " Owner@A.example ", "password": OWNER_PASSWORD}))
            .send().await.expect("request");
        assert_eq!(res.status(), 200);
        let cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok())
            .expect("a session cookie").to_owned();
        assert!(cookie.starts_with("yingke_session="));
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        let (_, body) = json_of(res).await;
        assert_eq!(body["user"]["email"], OWNER_EMAIL);
        assert_eq!(body["user"]["role"], "owner");
        assert_eq!(body["account"]["name"], "Account A");
        assert!(body["csrf_token"].as_str().is_some_and(|t| t.len() > 20));
    }

    async fn me_requires_a_session_and_logout_ends_it(app: TestApp) {
        let (status, body) = json_of(app.client().get(app.url("/api/v1/me")).send().await.expect("req")).await;
        assert_eq!(status, 401);
        assert_eq!(body["error"]["code"], "unauthenticated");

        let s = app.owner().await;
        let (status, me) = json_of(s.get("/api/v1/me").await).await;
        assert_eq!(status, 200);
        assert_eq!(me["csrf_token"], s.csrf.as_str());

        assert_eq!(s.send("POST", "/api/v1/auth/logout", None).await.status(), 204);
        assert_eq!(s.get("/api/v1/me").await.status(), 401);
    }

    async fn wrong_password_and_unknown_email_look_the_same(app: TestApp) {
        for (email, password) in [(OWNER_EMAIL, "not-the-password"), ("nobody@a.example", OWNER_PASSWORD)] {
            let res = app.client().post(app.url("/api/v1/auth/login"))
                .json(&json!({"email": email, "password": password})).send().await.expect("req");
            let (status, body) = json_of(res).await;
            assert_eq!(status, 401);
            assert_eq!(body["error"]["code"], "invalid_credentials");
        }
    }

    async fn cookie_mutations_without_the_csrf_token_are_refused(app: TestApp) {
        let s = app.owner().await;
        let body = json!({"name": "售后"});
        let no_header = s.client.post(format!("{}/api/v1/teams", s.base)).json(&body).send().await.expect("req");
        let (status, err) = json_of(no_header).await;
        assert_eq!(status, 403);
        assert_eq!(err["error"]["code"], "csrf_failed");

        let wrong = s.client.post(format!("{}/api/v1/teams", s.base))
            .header("x-csrf-token", "forged").json(&body).send().await.expect("req");
        assert_eq!(wrong.status(), 403);
        // Nothing was written by the refused attempts.
        let (_, teams) = json_of(s.get("/api/v1/teams").await).await;
        assert_eq!(teams["items"].as_array().map(Vec::len), Some(0));

        assert_eq!(s.post("/api/v1/teams", body).await.status(), 201);
        // Logging out is a mutation too.
        let res = s.client.post(format!("{}/api/v1/auth/logout", s.base)).send().await.expect("req");
        assert_eq!(res.status(), 403);
    }

    async fn access_tokens_are_shown_once_work_as_bearer_and_can_be_revoked(app: TestApp) {
        let s = app.owner().await;
        let (status, created) = json_of(s.post("/api/v1/me/tokens", json!({"name": "CRM sync"})).await).await;
        assert_eq!(status, 201);
        let token = created["token"].as_str().expect("the token").to_owned();
        assert!(token.starts_with("yk_"));

        let (_, list) = json_of(s.get("/api/v1/me/tokens").await).await;
        assert_eq!(list["items"][0]["name"], "CRM sync");
        assert!(list["items"][0].get("token").is_none(), "the secret is never listed");

        let bearer = reqwest::Client::new();
        let me = bearer.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.expect("req");
        let (status, me) = json_of(me).await;
        assert_eq!(status, 200);
        assert_eq!(me["user"]["email"], OWNER_EMAIL);
        assert!(me["csrf_token"].is_null());
        // Bearer requests change things without a CSRF token.
        let res = bearer.post(app.url("/api/v1/teams")).bearer_auth(&token)
            .json(&json!({"name": "API team"})).send().await.expect("req");
        assert_eq!(res.status(), 201);

        let id = created["id"].as_i64().expect("id");
        assert_eq!(s.delete(&format!("/api/v1/me/tokens/{id}")).await.status(), 204);
        let res = bearer.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.expect("req");
        assert_eq!(res.status(), 401);
    }

    async fn expired_tokens_stop_working(app: TestApp) {
        let s = app.owner().await;
        let (_, created) = json_of(s.post("/api/v1/me/tokens", json!({"name": "short", "expires_in_days": 1})).await).await;
        let token = created["token"].as_str().expect("token").to_owned();
        let bearer = reqwest::Client::new();
        assert_eq!(bearer.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.expect("req").status(), 200);
        app.clock.advance_ms(24 * 3600 * 1000 + 1);
        assert_eq!(bearer.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.expect("req").status(), 401);
    }

    async fn tokens_and_sessions_are_stored_only_as_hashes(app: TestApp) {
        let s = app.owner().await;
        let (_, created) = json_of(s.post("/api/v1/me/tokens", json!({"name": "x"})).await).await;
        let token = created["token"].as_str().expect("token").to_owned();
        let rows = yingke_testkit::stored_secrets(app.app.db()).await;
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit())));
        assert!(!rows.iter().any(|h| h.contains(&token) || token.contains(h.as_str())));
    }

    async fn repeated_failed_logins_are_throttled_per_email_and_ip(app: TestApp) {
        let client = app.client();
        let attempt = |email: &'static str, password: &'static str| {
            let req = client.post(app.url("/api/v1/auth/login"))
                .json(&json!({"email": email, "password": password}));
            async move { req.send().await.expect("req") }
        };
        for _ in 0..5 {
            assert_eq!(attempt(OWNER_EMAIL, "wrong-password").await.status(), 401);
        }
        let res = attempt(OWNER_EMAIL, OWNER_PASSWORD).await;
        assert_eq!(res.status(), 429, "even the right password waits out the window");
        let retry: u64 = res.headers().get("retry-after").and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok()).expect("a Retry-After header in seconds");
        assert!((1..=900).contains(&retry));
        let (_, body) = json_of(res).await;
        assert_eq!(body["error"]["code"], "too_many_attempts");

        // Another e-mail from the same IP is not affected.
        assert_eq!(attempt("someone@a.example", "wrong-password").await.status(), 401);

        app.clock.advance_ms(15 * 60 * 1000 + 1);
        assert_eq!(attempt(OWNER_EMAIL, OWNER_PASSWORD).await.status(), 200);
    }

    async fn changing_ones_password_needs_the_current_one_and_ends_other_sessions(app: TestApp) {
        let here = app.owner().await;
        let elsewhere = app.owner().await;
        let (status, body) = json_of(here.patch("/api/v1/me", json!({"password": "brand-new-pass"})).await).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["details"][0]["field"], "current_password");
        let (status, body) = json_of(here.patch("/api/v1/me",
            json!({"password": "brand-new-pass", "current_password": "wrong"})).await).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["details"][0]["field"], "current_password");

        let res = here.patch("/api/v1/me", json!({"password": "brand-new-pass", "current_password": OWNER_PASSWORD, "name": "店长"})).await;
        let (status, me) = json_of(res).await;
        assert_eq!(status, 200);
        assert_eq!(me["name"], "店长");
        assert_eq!(here.get("/api/v1/me").await.status(), 200);
        assert_eq!(elsewhere.get("/api/v1/me").await.status(), 401);
        app.sign_in(OWNER_EMAIL, "brand-new-pass").await;
    }
}
