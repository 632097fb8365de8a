//! `kill -9` with timers due: after a restart every due timer fires, and fires once. Probe timers
//! record each firing, so a timer fired twice would show up as two firings of one key.

mod support;

use std::{
    collections::BTreeMap,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use reqwest::Method;
use serde_json::{Value, json};
use support::{Admin, serve, temp_dir};
use yingke_testkit::PgDatabase;

const EMAIL: &str = "owner@timers.example";
const PASSWORD: &str = "timers-password-1";
const PROBES: i64 = 400;
const SPACING_MS: i64 = 10;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

async fn firings(admin: &Admin) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = admin
            .call(
                Method::GET,
                &format!("/api/v1/ops/probe-timers/firings?after={after}&limit=1000"),
                None,
            )
            .await;
        out.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_after"].as_i64() {
            Some(n) => after = n,
            None => return out,
        }
    }
}

/// Schedules probes due over ~4 s, kills the server while they fire, restarts it, and checks that
/// every probe fired exactly once and those due before the kill fired on time.
async fn every_due_timer_fires_once_across_kill_9(extra: &[(&str, &str)]) {
    let dir = temp_dir();
    let dir = dir.to_string_lossy().into_owned();
    let mut env = vec![
        (
            "YINGKE_SECRET_KEY",
            "timers-restart-secret-0123456789abcdef",
        ),
        ("YINGKE_ADMIN_EMAIL", EMAIL),
        ("YINGKE_ADMIN_PASSWORD", PASSWORD),
        ("YINGKE_DATA_DIR", dir.as_str()),
    ];
    env.extend_from_slice(extra);
    let first = serve(&env);
    let admin = Admin::sign_in(&first.addr, EMAIL, PASSWORD).await;

    let start = now_ms() + 1000;
    let probes: Vec<Value> = (0..PROBES)
        .map(|i| json!({"key": format!("p{i}"), "due_at": start + i * SPACING_MS}))
        .collect();
    let scheduled = admin
        .call(
            Method::POST,
            "/api/v1/ops/probe-timers",
            Some(json!({ "probes": probes })),
        )
        .await;
    assert_eq!(scheduled["scheduled"], PROBES);

    // Kill in the middle of the firing window.
    let kill_at = start + PROBES * SPACING_MS / 2;
    tokio::time::sleep(Duration::from_millis((kill_at - now_ms()).max(0) as u64)).await;
    let fired_before_kill = firings(&admin).await.len();
    first.kill9();
    let killed = now_ms();
    assert!(
        fired_before_kill > 0 && (fired_before_kill as i64) < PROBES,
        "the kill lands while probes fire ({fired_before_kill} fired)"
    );

    let second = serve(&env);
    let admin = Admin::sign_in(&second.addr, EMAIL, PASSWORD).await;
    let end = start + PROBES * SPACING_MS;
    let mut all = Vec::new();
    for _ in 0..100 {
        all = firings(&admin).await;
        if all.len() as i64 >= PROBES && now_ms() > end + 500 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut by_key: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for f in &all {
        by_key
            .entry(f["key"].as_str().expect("key").to_owned())
            .or_default()
            .push(f);
    }
    let twice: Vec<_> = by_key.iter().filter(|(_, v)| v.len() > 1).collect();
    assert!(twice.is_empty(), "fired twice: {twice:?}");
    assert_eq!(by_key.len() as i64, PROBES, "every probe fired");
    for (key, f) in &by_key {
        let due = f[0]["due_at"].as_i64().expect("due");
        let fired = f[0]["fired_at"].as_i64().expect("fired");
        assert!(fired >= due, "{key} fired before it was due");
        if due + 2000 < killed {
            assert!(fired - due < 2000, "{key} due before the kill fired late");
        }
    }
    second.terminate();
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_every_due_timer_fires_once_across_kill_9() {
    every_due_timer_fires_once_across_kill_9(&[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_every_due_timer_fires_once_across_kill_9() {
    let pg = PgDatabase::create().await;
    every_due_timer_fires_once_across_kill_9(&[("DATABASE_URL", pg.url.as_str())]).await;
}
