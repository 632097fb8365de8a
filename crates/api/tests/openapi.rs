//! The OpenAPI document: version 3.1, every route in it is served, and docs/openapi.json is it.

use yingke_testkit::{Backend, TestApp};

fn spec() -> serde_json::Value {
    serde_json::to_value(yingke_api::openapi()).expect("spec as JSON")
}

#[test]
fn the_document_is_openapi_3_1_with_both_security_schemes() {
    let s = spec();
    assert_eq!(s["openapi"], "3.1.0");
    assert!(s["components"]["securitySchemes"]["session"].is_object());
    assert!(s["components"]["securitySchemes"]["bearer"].is_object());
    for name in [
        "User",
        "Account",
        "Session",
        "Team",
        "TeamMember",
        "AccessToken",
        "NewAccessToken",
        "UserPage",
        "TeamPage",
        "TeamMemberPage",
        "AccessTokenPage",
        "ErrorEnvelope",
    ] {
        assert!(
            s["components"]["schemas"][name].is_object(),
            "schema {name} is documented"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_served() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let channel =
        yingke_testkit::WidgetChannel::create(&app.owner().await, serde_json::json!({})).await;
    let client = app.client();
    let s = spec();
    let mut n = 0;
    for (template, item) in s["paths"].as_object().expect("paths") {
        let path = template
            .replace("{id}", "1")
            .replace("{user_id}", "1")
            .replace("{entry_id}", "1")
            .replace("{canned_id}", "1")
            .replace("{tag}", "vip")
            .replace("{channel_key}", &channel.key);
        for method in item.as_object().expect("operations").keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let res = client
                .request(m, app.url(&path))
                .send()
                .await
                .expect("request");
            let status = res.status().as_u16();
            assert!(
                status != 404 && status != 405,
                "{method} {template} is documented but answered {status}"
            );
            n += 1;
        }
    }
    assert!(n >= 40, "{n} operations documented");
    // And the reference UI is served from the binary.
    let ui = client
        .get(app.url("/api/docs/"))
        .send()
        .await
        .expect("docs UI");
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap_or_default().contains("swagger"));
    let doc = client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("spec");
    assert_eq!(
        doc.json::<serde_json::Value>().await.expect("json")["openapi"],
        "3.1.0"
    );
}

/// docs/openapi.json is the generated document (the web client's types come from it).
/// Regenerate with `cargo run -p yingke-server -- openapi > docs/openapi.json`.
#[test]
fn docs_openapi_json_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let generated = yingke_api::openapi().to_pretty_json().expect("serialises");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, format!("{generated}\n")).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        committed.trim_end(),
        generated.trim_end(),
        "docs/openapi.json is stale: run UPDATE_OPENAPI=1 cargo test -p yingke-api --test openapi"
    );
}

#[test]
fn every_response_is_described_and_operation_ids_are_unique() {
    let s = spec();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in s["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("operations") {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            assert!(
                ids.insert(id.clone()),
                "operationId {id} is used twice ({method} {path})"
            );
            for (status, r) in op["responses"].as_object().expect("responses") {
                let d = r["description"].as_str().unwrap_or_default();
                assert!(!d.is_empty(), "{method} {path} {status} has no description");
            }
        }
    }
}
