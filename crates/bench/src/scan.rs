//! `scan`: a customer-state automation rule over N contacts. Imports the contacts through the
//! CRM import API in batches (every tenth unpaid since three days ago, every tenth after that
//! unpaid since twelve hours ago, the rest paid; owners spread over A agents), creates the rule
//! "order unpaid and unchanged for 48 hours → a to-do for the contact's owner", then measures a
//! dry run, the real scan and a second scan that the frequency limit holds back. Afterwards it
//! checks that exactly the expected to-dos exist: the rule's count, and for a sample of contacts
//! (matching and not) that each has a to-do exactly when it should, owned by its owner.

use std::time::Instant;

use anyhow::{Context, bail, ensure};
use rand::Rng;
use serde_json::{Value, json};

use crate::{call, post, sign_in};

pub struct Params {
    pub url: String,
    pub contacts: usize,
    pub agents: usize,
    pub batch: usize,
}

const HOUR: i64 = 3_600_000;

/// What contact `i` is: its order status, hours since it changed, and whether the rule wants it.
fn kind(i: usize) -> (&'static str, i64, bool) {
    match i % 10 {
        0 => ("unpaid", 72, true),
        1 => ("unpaid", 12, false),
        _ => ("paid", 72, false),
    }
}

pub async fn run(p: Params) -> anyhow::Result<()> {
    let url = p.url.trim_end_matches('/').to_owned();
    let email = std::env::var("YINGKE_ADMIN_EMAIL").context("set YINGKE_ADMIN_EMAIL")?;
    let password = std::env::var("YINGKE_ADMIN_PASSWORD").context("set YINGKE_ADMIN_PASSWORD")?;
    let http = reqwest::Client::new();
    let owner = sign_in(&http, &url, &email, &password).await?;
    let run: u32 = rand::rng().random();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;

    let mut agents = Vec::new();
    for i in 0..p.agents.max(1) {
        let u = post(
            &http,
            &format!("{url}/api/v1/users"),
            &owner,
            json!({"email": format!("s{i}-{run:x}@bench.example"), "name": format!("回访坐席{i}"),
                   "role": "agent", "password": "bench-agent-password"}),
        )
        .await?;
        agents.push(u["id"].as_i64().context("user id")?);
    }
    let owner_of = |i: usize| agents[(i / 10) % agents.len()];

    // Import: the setup, timed for the record but not the target.
    let started = Instant::now();
    let mut ids = Vec::with_capacity(p.contacts);
    let mut i = 0;
    while i < p.contacts {
        let end = (i + p.batch.max(1)).min(p.contacts);
        let items: Vec<Value> = (i..end)
            .map(|k| {
                let (status, hours, _) = kind(k);
                json!({"external_id": format!("crm-{run:x}-{k}"), "name": format!("客户{k}"),
                       "phone": format!("138{:08}", k), "attributes": {"order_status": status},
                       "owner_id": owner_of(k), "changed_at": now - hours * HOUR})
            })
            .collect();
        let r = post(
            &http,
            &format!("{url}/api/v1/contacts/import"),
            &owner,
            json!({ "contacts": items }),
        )
        .await?;
        for id in r["ids"].as_array().context("ids")? {
            ids.push(id.as_i64().context("id")?);
        }
        i = end;
    }
    let import_s = started.elapsed().as_secs_f64();
    ensure!(
        ids.len() == p.contacts,
        "imported {} of {}",
        ids.len(),
        p.contacts
    );

    let rule = post(
        &http,
        &format!("{url}/api/v1/automation/rules"),
        &owner,
        json!({
            "name": format!("未付款 48 小时 {run:x}"), "goal": "催付转化",
            // An absolute time far ahead: the bench runs the scans itself.
            "trigger": {"kind": "at", "at": now + 365 * 24 * HOUR},
            "conditions": {"all": [
                {"field": "contact.custom.order_status", "op": "eq", "value": "unpaid"},
                {"field": "contact.changed.order_status", "op": "not_within_last", "value": "48h"}
            ]},
            "actions": [{"type": "create_todo", "title": "催付 {{contact.name}}",
                         "owner": {"strategy": "contact_owner"}, "due_in": "4h", "priority": "normal"}],
            "limit_days": 7
        }),
    )
    .await?;
    let rule_id = rule["id"].as_i64().context("rule id")?;
    let expected = (0..p.contacts).filter(|&k| kind(k).2).count() as i64;

    let scan = |dry: bool| {
        let http = http.clone();
        let owner = owner.clone();
        let u = format!("{url}/api/v1/automation/rules/{rule_id}/scan?dry_run={dry}");
        async move {
            let t = Instant::now();
            let r = post(&http, &u, &owner, json!({})).await?;
            anyhow::Ok((r, t.elapsed().as_secs_f64() * 1000.0))
        }
    };
    let (dry, dry_ms) = scan(true).await?;
    ensure!(
        dry["matched"].as_i64() == Some(expected) && dry["created"].as_i64() == Some(0),
        "dry run: {dry}"
    );
    let (first, first_ms) = scan(false).await?;
    ensure!(
        first["created"].as_i64() == Some(expected) && first["matched"].as_i64() == Some(expected),
        "scan: expected {expected} to-dos: {first}"
    );
    let (second, second_ms) = scan(false).await?;
    ensure!(
        second["created"].as_i64() == Some(0) && second["suppressed"].as_i64() == Some(expected),
        "second scan: the frequency limit holds all back: {second}"
    );

    // Exactly the expected to-dos: the rule's own count, and a sample contact by contact.
    let r = call(
        &http,
        reqwest::Method::GET,
        &format!("{url}/api/v1/automation/rules/{rule_id}"),
        &owner,
        None,
    )
    .await?;
    let generated = r["stats"]["generated"].as_i64();
    ensure!(generated == Some(expected), "rule stats: {r}");
    let step = (p.contacts / 300).max(1);
    let mut checked = 0;
    for k in (0..p.contacts).step_by(step).chain([0, 1, 2]) {
        let list = call(
            &http,
            reqwest::Method::GET,
            &format!(
                "{url}/api/v1/todos?view=all&rule_id={rule_id}&contact_id={}",
                ids[k]
            ),
            &owner,
            None,
        )
        .await?;
        let items = list["items"].as_array().context("items")?;
        let want = kind(k).2;
        if items.len() != usize::from(want) {
            bail!(
                "contact {k}: {} to-dos, expected {}",
                items.len(),
                usize::from(want)
            );
        }
        if want && items[0]["owner_id"].as_i64() != Some(owner_of(k)) {
            bail!(
                "contact {k}: owner {}, expected {}",
                items[0]["owner_id"],
                owner_of(k)
            );
        }
        checked += 1;
    }

    println!(
        "{}",
        json!({
            "scenario": "scan",
            "contacts": p.contacts,
            "import_s": (import_s * 10.0).round() / 10.0,
            "expected_todos": expected,
            "dry_run": {"client_ms": dry_ms.round(), "server_ms": dry["took_ms"]},
            "scan": {"client_ms": first_ms.round(), "server_ms": first["took_ms"], "created": first["created"]},
            "second_scan": {"client_ms": second_ms.round(), "server_ms": second["took_ms"], "suppressed": second["suppressed"]},
            "verified": {"rule_generated": generated, "contacts_checked": checked},
        })
    );
    Ok(())
}
