//! The storage contract, run on SQLite and on PostgreSQL alike.

use yingke_core::{DomainEvent, Locale, Role, TeamId, UserId};
use yingke_store::{Db, Error, NewUser, Scope, Tx, UserPatch, accounts, events, teams, users};
use yingke_testkit::both_dbs;

async fn account(db: &Db, name: &str) -> Scope {
    let mut tx = db.begin().await.expect("begin");
    let a = accounts::create(&mut tx, name, "Asia/Shanghai", Locale::ZhCn, 1)
        .await
        .expect("account");
    tx.commit().await.expect("commit");
    Scope::new(a.id)
}

async fn user(tx: &mut Tx, scope: Scope, email: &str) -> Result<yingke_store::User, Error> {
    users::insert(
        tx,
        scope,
        NewUser {
            email,
            name: "名字",
            role: Role::Agent,
            locale: Locale::ZhCn,
            password_hash: "h",
        },
        10,
    )
    .await
}

both_dbs! {
    async fn reads_are_confined_to_the_scope(db: Db) {
        let a = account(&db, "A").await;
        let b = account(&db, "B").await;
        let mut tx = db.begin().await.expect("begin");
        let ua = user(&mut tx, a, "u@a.example").await.expect("insert");
        tx.commit().await.expect("commit");
        assert_eq!(users::get(&db, a, ua.id).await.expect("found").email, "u@a.example");
        assert!(matches!(users::get(&db, b, ua.id).await, Err(Error::NotFound)));
        assert!(users::list(&db, b, 0, 50).await.expect("list").items.is_empty());
        let mut tx = db.begin().await.expect("begin");
        let r = users::update(&mut tx, b, ua.id, UserPatch { name: Some("x"), ..Default::default() }, 20).await;
        assert!(matches!(r, Err(Error::NotFound)));
    }

    async fn unique_violations_name_the_field(db: Db) {
        let a = account(&db, "A").await;
        let b = account(&db, "B").await;
        let mut tx = db.begin().await.expect("begin");
        user(&mut tx, a, "dup@a.example").await.expect("first");
        tx.commit().await.expect("commit");
        let mut tx = db.begin().await.expect("begin");
        match user(&mut tx, b, "dup@a.example").await {
            Err(Error::Conflict { field }) => assert_eq!(field, "users.email"),
            other => panic!("expected a conflict, got {other:?}"),
        }
        drop(tx);
        let mut tx = db.begin().await.expect("begin");
        teams::insert(&mut tx, a, "售后", "", 1).await.expect("team");
        teams::insert(&mut tx, b, "售后", "", 1).await.expect("the same name in another account");
        match teams::insert(&mut tx, a, "售后", "", 1).await {
            Err(Error::Conflict { field }) => assert_eq!(field, "teams.name"),
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    async fn a_dropped_transaction_writes_nothing(db: Db) {
        let a = account(&db, "A").await;
        {
            let mut tx = db.begin().await.expect("begin");
            let u = user(&mut tx, a, "ghost@a.example").await.expect("insert");
            events::append(&mut tx, a, None, &DomainEvent::UserCreated { user_id: u.id, role: Role::Agent }, 1).await.expect("event");
        }
        assert!(users::list(&db, a, 0, 10).await.expect("list").items.is_empty());
        assert!(events::list_after(&db, a, 0, 10).await.expect("events").is_empty());
    }

    async fn members_pages_and_team_deletion(db: Db) {
        let a = account(&db, "A").await;
        let mut tx = db.begin().await.expect("begin");
        let t = teams::insert(&mut tx, a, "T", "d", 1).await.expect("team");
        let mut ids = Vec::new();
        for i in 0..3 {
            let u = user(&mut tx, a, &format!("m{i}@a.example")).await.expect("user");
            assert!(teams::add_member(&mut tx, a, t.id, u.id, 5).await.expect("add"));
            assert!(!teams::add_member(&mut tx, a, t.id, u.id, 6).await.expect("again"));
            ids.push(u.id);
        }
        tx.commit().await.expect("commit");
        let p = teams::members(&db, a, t.id, 0, 2).await.expect("page");
        assert_eq!(p.items.len(), 2);
        let rest = teams::members(&db, a, t.id, p.next_after.expect("more"), 2).await.expect("page");
        assert_eq!(rest.items.iter().map(|m| m.user.id).collect::<Vec<UserId>>(), ids[2..].to_vec());
        assert_eq!(teams::get(&db, a, t.id).await.expect("team").member_count, 3);
        let mut tx = db.begin().await.expect("begin");
        teams::delete(&mut tx, a, t.id).await.expect("delete");
        tx.commit().await.expect("commit");
        assert!(teams::members(&db, a, t.id, 0, 10).await.expect("page").items.is_empty());
        assert!(matches!(teams::get(&db, a, TeamId(t.id.0)).await, Err(Error::NotFound)));
    }

    async fn events_keep_their_payload_and_order(db: Db) {
        let a = account(&db, "A").await;
        let mut tx = db.begin().await.expect("begin");
        for i in 1..=3 {
            events::append(&mut tx, a, Some(UserId(7)), &DomainEvent::TeamCreated { team_id: TeamId(i) }, 100 + i).await.expect("append");
        }
        tx.commit().await.expect("commit");
        let all = events::list_after(&db, a, 0, 10).await.expect("list");
        assert_eq!(all.len(), 3);
        assert_eq!(all[2].payload["team_id"], 3);
        assert_eq!(all[2].payload["v"], 1);
        let later = events::list_after(&db, a, all[0].seq, 10).await.expect("list");
        assert_eq!(later.len(), 2);
    }

    async fn many_events_go_in_order_past_the_bound_parameter_limits(db: Db) {
        // 12,000 events × 3 bound values is over SQLite's 32,766 limit in one statement.
        let a = account(&db, "A").await;
        let many: Vec<DomainEvent> = (1..=12_000).map(|i| DomainEvent::TeamCreated { team_id: TeamId(i) }).collect();
        let mut tx = db.begin().await.expect("begin");
        events::append_many(&mut tx, a, None, &many, 100).await.expect("append_many");
        tx.commit().await.expect("commit");
        let mut seen = Vec::new();
        let mut after = 0;
        loop {
            let page = events::list_after(&db, a, after, 1000).await.expect("list");
            let Some(last) = page.last() else { break };
            after = last.seq;
            seen.extend(page.iter().map(|e| e.payload["team_id"].as_i64().expect("team")));
        }
        assert_eq!(seen, (1..=12_000).collect::<Vec<i64>>());
    }

    async fn readiness_reports_applied_migrations(db: Db) {
        assert!(db.is_ready().await);
        assert!(!db.known_migrations().is_empty());
    }
}

#[test]
fn migrations_are_kept_in_lockstep() {
    let versions = |dir: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .expect("migrations dir")
                .filter_map(|e| e.ok())
                .map(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .split('_')
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect();
        v.sort();
        v
    };
    assert_eq!(versions("sqlite"), versions("postgres"));
}

// Concurrent write transactions all commit (on SQLite, in shared groups); one dropped without
// commit leaves nothing behind and takes nothing of the others with it; whatever a commit
// acknowledged is visible to readers at once.
both_dbs! {
    async fn concurrent_writes_commit_together_and_a_dropped_one_alone_rolls_back(db: Db) {
        let a = account(&db, "A").await;
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    let mut tx = db.begin().await.expect("begin");
                    let u = user(&mut tx, a, &format!("u{i}@a.example")).await.expect("insert");
                    if i % 10 == 3 {
                        drop(tx);
                        return (u.id, u.email.to_string(), false);
                    }
                    tx.commit().await.expect("commit");
                    // Acknowledged means readable (and, with synchronous=FULL, on disk).
                    assert_eq!(users::get(&db, a, u.id).await.expect("visible").id, u.id);
                    (u.id, u.email.to_string(), true)
                })
            })
            .collect();
        for t in tasks {
            let (id, email, kept) = t.await.expect("task");
            // SQLite may give a rolled-back row's id to a later row: compare e-mails.
            match users::get(&db, a, id).await {
                Ok(u) if u.email == email => assert!(kept, "{email} was dropped but exists"),
                Ok(_) | Err(Error::NotFound) => assert!(!kept, "{email} was committed but is gone"),
                Err(e) => panic!("{e}"),
            }
        }
        // A failed statement (a duplicate e-mail) fails only its own transaction.
        let mut tx = db.begin().await.expect("begin");
        assert!(matches!(user(&mut tx, a, "u0@a.example").await, Err(Error::Conflict { .. })));
        drop(tx);
        let mut tx = db.begin().await.expect("begin");
        user(&mut tx, a, "after@a.example").await.expect("insert after a failure");
        tx.commit().await.expect("commit");
    }
}

both_dbs! {
    async fn conversations_are_numbered_per_account_and_contact_facts_come_in_one_read(db: Db) {
        use yingke_store::{channels, contacts, conversations as convs, routing};
        let a = account(&db, "A").await;
        let b = account(&db, "B").await;
        for s in [a, b] {
            accounts::prepare_counter(&db, s.account(), "conversation").await.expect("counter");
        }
        let settings = serde_json::json!({});
        let source = serde_json::json!({});
        let mut tx = db.begin().await.expect("begin");
        let agent = user(&mut tx, a, "agent@a.example").await.expect("agent");
        let ch = |key| channels::NewChannel {
            kind: "web_widget",
            name: "网站",
            public_key: key,
            settings: &settings,
            identity_secret_sealed: "",
        };
        let ch_a = channels::insert(&mut tx, a, ch("ka"), 1).await.expect("channel");
        let ch_b = channels::insert(&mut tx, b, ch("kb"), 1).await.expect("channel");
        let c = contacts::insert(&mut tx, a, Default::default(), 1).await.expect("contact");
        let other = contacts::insert(&mut tx, b, Default::default(), 1).await.expect("contact");
        for tag in ["vip", "付费", "a-tag"] {
            contacts::add_tag(&mut tx, a, c.id, tag).await.expect("tag");
        }
        let new = |channel_id, contact_id| convs::NewConversation {
            channel_id,
            entry_point_id: None,
            contact_id,
            status: "open",
            priority: 1,
            source: &source,
            last_seq: 0,
        };
        let first = convs::insert(&mut tx, a, new(ch_a.id, c.id), 100).await.expect("first");
        let elsewhere = convs::insert(&mut tx, b, new(ch_b.id, other.id), 100).await.expect("b");
        let second = convs::insert(&mut tx, a, new(ch_a.id, c.id), 200).await.expect("second");
        convs::update(
            &mut tx,
            a,
            first.id,
            convs::ConversationPatch { assignee_id: Some(Some(agent.id.0)), ..Default::default() },
            150,
        )
        .await
        .expect("assign");
        let third = convs::insert(&mut tx, a, new(ch_a.id, c.id), 300).await.expect("third");
        // Read inside the transaction that wrote it all, as a visitor's first message does.
        let facts = routing::contact_facts_in(&mut tx, a, c.id, third.id).await.expect("facts");
        tx.commit().await.expect("commit");
        assert_eq!((first.number, second.number, third.number), (1, 2, 3));
        assert_eq!(elsewhere.number, 1, "each account counts on its own");
        assert_eq!(facts.tags, ["a-tag", "vip", "付费"]);
        assert_eq!(facts.earlier, 2, "the conversation itself is not history");
        assert_eq!(facts.last_active, Some(200));
        assert_eq!(facts.last_agent, Some((agent.id.0, 150)));
        assert_eq!(routing::contact_facts(&db, a, c.id, third.id).await.expect("facts"), facts);
        // Another account's contact id reads as a stranger: no tags, no history.
        let stranger = routing::contact_facts(&db, b, c.id, third.id).await.expect("facts");
        assert_eq!(stranger, routing::ContactFacts::default());
    }
}
