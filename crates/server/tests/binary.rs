//! The `yingke` binary as an operator runs it: configuration from the environment, the first
//! owner, port 0, PostgreSQL through DATABASE_URL, operator commands, JSON logs, SIGTERM.

mod support;

use std::process::Command;

use serde_json::json;
use support::{BIN, login, serve, temp_dir};
use yingke_testkit::PgDatabase;

#[tokio::test]
async fn first_start_creates_the_configured_owner_on_a_free_port_and_stops_on_sigterm() {
    let data = temp_dir();
    let dir = data.to_str().expect("utf-8 path");
    let served = serve(&[
        ("YINGKE_DATA_DIR", dir),
        ("YINGKE_ADMIN_EMAIL", "boss@shop.example"),
        ("YINGKE_ADMIN_PASSWORD", "configured-pass-1"),
        ("YINGKE_LOG_FORMAT", "json"),
    ]);
    assert!(served.addr.starts_with("http://127.0.0.1:") && !served.addr.ends_with(":0"));
    assert!(
        served
            .stdout
            .iter()
            .any(|l| l.contains("boss@shop.example")),
        "{:?}",
        served.stdout
    );
    assert!(
        !served
            .stdout
            .iter()
            .any(|l| l.contains("configured-pass-1")),
        "a configured password is never echoed"
    );
    assert_eq!(
        login(&served.addr, "boss@shop.example", "configured-pass-1").await,
        200
    );
    assert!(data.join("yingke.db").exists());
    let ready = reqwest::get(format!("{}/readyz", served.addr))
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);

    let (status, logs) = served.terminate();
    assert!(
        status.success(),
        "SIGTERM ends the server cleanly: {status:?}"
    );
    assert!(!logs.is_empty());
    for line in &logs {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
        assert!(!line.contains("configured-pass-1"));
    }

    // A second start finds the owner and creates nothing.
    let again = serve(&[("YINGKE_DATA_DIR", dir)]);
    assert!(
        !again
            .stdout
            .iter()
            .any(|l| l.contains("Created the first account"))
    );
    assert_eq!(
        login(&again.addr, "boss@shop.example", "configured-pass-1").await,
        200
    );
    again.terminate();
    std::fs::remove_dir_all(data).ok();
}

#[tokio::test]
async fn without_a_password_one_is_generated_and_printed_once() {
    let data = temp_dir();
    let served = serve(&[("YINGKE_DATA_DIR", data.to_str().expect("utf-8 path"))]);
    let line = served
        .stdout
        .iter()
        .find(|l| l.contains("with the password"))
        .expect("password line");
    let password = line
        .split("with the password ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("password")
        .to_owned();
    assert!(password.len() >= 12);
    assert_eq!(
        login(&served.addr, "admin@yingke.local", &password).await,
        200
    );
    let (_, logs) = served.terminate();
    assert!(
        !logs.iter().any(|l| l.contains(&password)),
        "the generated password is not logged"
    );
    std::fs::remove_dir_all(data).ok();
}

#[tokio::test]
async fn the_same_binary_runs_on_postgresql() {
    let pg = PgDatabase::create().await;
    let served = serve(&[
        ("DATABASE_URL", pg.url.as_str()),
        ("YINGKE_ADMIN_EMAIL", "pg@shop.example"),
        ("YINGKE_ADMIN_PASSWORD", "pg-password-1"),
    ]);
    assert!(
        served.stdout.iter().any(|l| l.contains("(PostgreSQL)")),
        "{:?}",
        served.stdout
    );
    assert_eq!(
        login(&served.addr, "pg@shop.example", "pg-password-1").await,
        200
    );
    let ready = reqwest::get(format!("{}/readyz", served.addr))
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let (status, _) = served.terminate();
    assert!(status.success());

    // Operator commands work on the same database.
    let out = Command::new(BIN)
        .args([
            "admin",
            "create-user",
            "--email",
            "agent@shop.example",
            "--name",
            "小李",
            "--role",
            "agent",
        ])
        .env("DATABASE_URL", &pg.url)
        .output()
        .expect("run admin create-user");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let password = text
        .lines()
        .find_map(|l| l.strip_prefix("Password (shown only this once): "))
        .expect("printed password");
    let served = serve(&[("DATABASE_URL", pg.url.as_str())]);
    assert_eq!(
        login(&served.addr, "agent@shop.example", password).await,
        200
    );
    served.terminate();
}

#[test]
fn operator_commands_explain_bad_input_without_a_panic() {
    let data = temp_dir();
    let out = Command::new(BIN)
        .args(["admin", "create-user", "--email", "nope", "--name", "x"])
        .env("YINGKE_DATA_DIR", &data)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--email") && !err.contains("panicked"),
        "{err}"
    );

    let out = Command::new(BIN)
        .args(["serve"])
        .env("DATABASE_URL", "mysql://x")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("postgres://"));

    let out = Command::new(BIN)
        .arg("default-config")
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("listen = \"127.0.0.1:8080\""));
    std::fs::remove_dir_all(data).ok();
}

#[tokio::test]
async fn the_served_binary_stores_uploads_under_the_data_dir() {
    let data = temp_dir();
    let served = serve(&[
        ("YINGKE_DATA_DIR", data.to_str().expect("utf-8 path")),
        ("YINGKE_ADMIN_EMAIL", "files@shop.example"),
        ("YINGKE_ADMIN_PASSWORD", "files-password-1"),
    ]);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let login: serde_json::Value = client
        .post(format!("{}/api/v1/auth/login", served.addr))
        .json(&json!({"email": "files@shop.example", "password": "files-password-1"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let csrf = login["csrf_token"].as_str().expect("csrf").to_owned();
    let png = b"\x89PNG\r\n\x1a\nrest-of-image".to_vec();
    let part = reqwest::multipart::Part::bytes(png.clone())
        .file_name("a.png")
        .mime_str("image/png")
        .expect("mime");
    let res = client
        .post(format!("{}/api/v1/attachments", served.addr))
        .header("x-csrf-token", csrf)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), 201);
    let a: serde_json::Value = res.json().await.expect("json");
    let bytes = reqwest::get(format!(
        "{}{}",
        served.addr,
        a["url"].as_str().expect("url")
    ))
    .await
    .expect("download")
    .bytes()
    .await
    .expect("bytes");
    assert_eq!(bytes.as_ref(), png.as_slice());
    assert!(
        data.join("attachments").is_dir(),
        "files live under the data dir"
    );
    served.terminate();
    std::fs::remove_dir_all(data).ok();
}
