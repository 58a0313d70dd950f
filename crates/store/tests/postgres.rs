//! The shared store suite on PostgreSQL, each test in a schema of its own (created with a unique
//! name, set as the store's `search_path`, dropped when the test passes).
//!
//! The server comes from `POSTGUARD_TEST_POSTGRES_URL` (`./scripts/test` finds or starts one and
//! sets it). Without it the tests are skipped with a loud note on stderr, unless
//! `POSTGUARD_REQUIRE_POSTGRES=1`, when they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[macro_use]
mod suite;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::str::FromStr as _;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;
use std::time::Duration;

use postguard_store::sqlx::postgres::PgConnectOptions;
use postguard_store::sqlx::{self, ConnectOptions as _};
use postguard_store::{
    NewAuditEntry, NewUser, PostStatus, PostgresStore, Role, Store as _, StoreError, UserId,
};

const URL_VAR: &str = "POSTGUARD_TEST_POSTGRES_URL";
const REQUIRE_VAR: &str = "POSTGUARD_REQUIRE_POSTGRES";

/// The server's URL, or `None` (after saying so) when the suite should be skipped.
fn postgres_url() -> Option<String> {
    if let Ok(url) = std::env::var(URL_VAR) {
        if !url.is_empty() {
            return Some(url);
        }
    }
    if std::env::var(REQUIRE_VAR).as_deref() == Ok("1") {
        panic!(
            "{REQUIRE_VAR}=1 but {URL_VAR} is not set: the PostgreSQL store suite cannot run. \
             Run ./scripts/test, which finds or starts a PostgreSQL and sets it."
        );
    }
    static WARN: Once = Once::new();
    WARN.call_once(|| {
        // Straight to stderr: the test harness captures eprintln! output of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED: the PostgreSQL store suite did not run ({URL_VAR} is not set).\n\
             !!! Run ./scripts/test (it finds or starts a PostgreSQL), or set {URL_VAR}=postgres://...\n"
        );
    });
    None
}

pub struct PostgresHarness {
    admin: PgConnectOptions,
    schema: String,
    options: PgConnectOptions,
    store: PostgresStore,
}

impl suite::Harness for PostgresHarness {
    type S = PostgresStore;

    const ALLOW_AUDIT_TAMPERING: &'static str = "DROP TRIGGER audit_log_append_only ON audit_log";

    async fn start() -> Option<Self> {
        let url = postgres_url()?;
        let admin = PgConnectOptions::from_str(&url)
            .unwrap_or_else(|e| panic!("{URL_VAR} is not a valid PostgreSQL URL: {e}"));
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let schema = format!(
            "postguard_test_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = admin
            .connect()
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the PostgreSQL in {URL_VAR}: {e}"));
        sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
            .unwrap();
        drop(conn);
        let options = admin.clone().options([("search_path", schema.as_str())]);
        let store = PostgresStore::connect_with(options.clone()).await.unwrap();
        Some(PostgresHarness {
            admin,
            schema,
            options,
            store,
        })
    }

    fn store(&self) -> &PostgresStore {
        &self.store
    }

    async fn try_execute(&self, sql: &str) -> Result<(), String> {
        let mut conn = self.options.connect().await.map_err(|e| e.to_string())?;
        sqlx::raw_sql(sql)
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }

    async fn finish(self) {
        self.store.close().await;
        let mut conn = self.admin.connect().await.unwrap();
        sqlx::raw_sql(&format!("DROP SCHEMA {} CASCADE", self.schema))
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

all_tests!(PostgresHarness);

// ----- group commit of the audited writes, on a real server -----

/// Holds `audit_log`'s EXCLUSIVE lock from a connection of its own (as another server process
/// appending would) until `release`, so that the store's audited writes queue up meanwhile and
/// go in together, in batches, afterwards.
async fn hold_audit_lock(options: &PgConnectOptions) -> sqlx::PgConnection {
    let mut conn = options.connect().await.unwrap();
    sqlx::raw_sql("BEGIN; LOCK TABLE audit_log IN EXCLUSIVE MODE")
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

async fn release(mut conn: sqlx::PgConnection) {
    sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
}

/// The audit entries' subjects, all of them.
async fn audit_subjects(store: &PostgresStore) -> BTreeSet<String> {
    store
        .audit_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| e.subject)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_are_all_committed_and_survive_reopening() {
    const N: usize = 200;
    let Some(h) = <PostgresHarness as suite::Harness>::start().await else {
        return;
    };
    let store = h.store.clone();
    let author = suite::user(&store, "ann", Role::Staff).await;
    let lock = hold_audit_lock(&h.options).await;
    let tasks: Vec<_> = (0..N)
        .map(|n| {
            let store = store.clone();
            let (post, audit) = suite::submission(author.id, n);
            tokio::spawn(async move { store.create_post(post, audit).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Nothing is acknowledged while the writer cannot take the lock.
    assert!(tasks.iter().all(|t| !t.is_finished()));
    release(lock).await;
    let mut answered = Vec::new();
    for task in tasks {
        let (post, version, entry) = task.await.unwrap().unwrap();
        assert_eq!(version.version, 1);
        assert_eq!(
            entry.subject.as_deref(),
            Some(format!("post:{}", post.id).as_str())
        );
        answered.push((post.id, entry.seq, version.text));
    }
    // Every acknowledged write has its own audit entry: seq 2..=N+1 (after the author's
    // `user.created`), each once.
    let mut seqs: Vec<i64> = answered.iter().map(|(_, seq, _)| *seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (2..=N as i64 + 1).collect::<Vec<_>>());
    store.close().await;
    drop(store);

    // A new store (a new pool: a server restarted) sees every acknowledged post, and an intact
    // chain.
    let reopened = PostgresStore::connect_with(h.options.clone())
        .await
        .unwrap();
    for (id, _, text) in &answered {
        let post = reopened.get_post(*id).await.unwrap().unwrap();
        assert_eq!(post.status, PostStatus::PendingReview);
        let versions = reopened.versions(*id).await.unwrap();
        assert_eq!(versions.len(), 1);
        assert_eq!(&versions[0].text, text);
    }
    assert_eq!(reopened.posts_by_author(author.id).await.unwrap().len(), N);
    assert_eq!(reopened.verify_chain().await.unwrap(), N as u64 + 1);
    reopened.close().await;
    <PostgresHarness as suite::Harness>::finish(h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_writes_among_concurrent_ones_change_nothing_and_lose_nothing() {
    const GOOD: usize = 40;
    let Some(h) = <PostgresHarness as suite::Harness>::start().await else {
        return;
    };
    let store = h.store.clone();
    let author = suite::user(&store, "ann", Role::Staff).await;
    let edited = suite::post(&store, author.id, PostStatus::PendingReview, None).await;
    let lock = hold_audit_lock(&h.options).await;

    // Good submissions and appends, interleaved with audited writes that must fail inside the
    // same batches (a submission by an unknown author; a submission and an append holding a
    // NUL character, which PostgreSQL refuses in text), and with revision-guarded edits (one
    // current, the others naming a stale revision) and a duplicate username, all in the same
    // batches too.
    let mut good = Vec::new();
    let mut appended = Vec::new();
    let mut refused = Vec::new();
    let mut stale = Vec::new();
    for n in 0..GOOD {
        let s = store.clone();
        let (post, audit) = suite::submission(author.id, n);
        good.push(tokio::spawn(
            async move { s.create_post(post, audit).await },
        ));
        if n % 10 == 3 {
            let s = store.clone();
            appended.push(tokio::spawn(async move {
                s.append_audit(NewAuditEntry {
                    actor: None,
                    action: "login.ok".into(),
                    subject: Some(format!("append:{n}")),
                    details: serde_json::json!({}),
                })
                .await
            }));
        }
        if n % 10 == 5 {
            let s = store.clone();
            let (mut post, audit) = suite::submission(author.id, 1000 + n);
            post.first_version.text = "stand \0 5".into();
            refused.push(tokio::spawn(async move {
                s.create_post(post, audit).await.map(drop)
            }));
            let s = store.clone();
            refused.push(tokio::spawn(async move {
                s.append_audit(NewAuditEntry {
                    actor: None,
                    action: "login.ok".into(),
                    subject: Some(format!("refused:\0{n}")),
                    details: serde_json::json!({}),
                })
                .await
                .map(drop)
            }));
            let s = store.clone();
            let version = suite::version(author.id, "stale edit");
            stale.push(tokio::spawn(async move {
                s.add_version(
                    edited.id,
                    7,
                    version,
                    PostStatus::PendingReview,
                    suite::audit("post.resubmitted"),
                )
                .await
            }));
        }
    }
    let s = store.clone();
    let (mut orphan, audit) = suite::submission(UserId(9999), 99);
    orphan.first_version.author = UserId(9999);
    let orphan = tokio::spawn(async move { s.create_post(orphan, audit).await });
    let s = store.clone();
    let duplicate = tokio::spawn(async move {
        s.create_user(
            NewUser {
                username: "ANN".into(),
                display_name: "another Ann".into(),
                role: Role::Staff,
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$salt$x".into(),
                must_change_password: false,
            },
            suite::audit("user.created"),
        )
        .await
    });
    let s = store.clone();
    let version = suite::version(author.id, "current edit");
    let current = tokio::spawn(async move {
        s.add_version(
            edited.id,
            1,
            version,
            PostStatus::PendingReview,
            suite::audit("post.resubmitted"),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    release(lock).await;

    for task in stale {
        assert!(matches!(task.await.unwrap(), Err(StoreError::Conflict(_))));
    }
    for task in refused {
        let result = task.await.unwrap();
        assert!(matches!(result, Err(StoreError::Database(_))), "{result:?}");
    }
    assert!(matches!(
        orphan.await.unwrap(),
        Err(StoreError::NotFound("user"))
    ));
    assert!(matches!(
        duplicate.await.unwrap(),
        Err(StoreError::Duplicate("username"))
    ));
    let (after_edit, _) = current.await.unwrap().unwrap();
    assert_eq!(after_edit.revision, 2);
    let mut ids = Vec::new();
    for task in good {
        ids.push(task.await.unwrap().unwrap().0.id);
    }
    let mut expected: BTreeSet<String> = ids.iter().map(|id| format!("post:{id}")).collect();
    for task in appended {
        let entry = task.await.unwrap().unwrap();
        expected.insert(entry.subject.unwrap());
    }
    store.close().await;
    drop(store);

    let reopened = PostgresStore::connect_with(h.options.clone())
        .await
        .unwrap();
    for id in &ids {
        assert_eq!(reopened.versions(*id).await.unwrap().len(), 1);
    }
    // The edited post has exactly the current edit; the stale ones left no trace.
    let texts: Vec<String> = reopened
        .versions(edited.id)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.text)
        .collect();
    assert_eq!(texts, ["Proud of our night shift!", "current edit"]);
    assert_eq!(
        reopened
            .get_post(edited.id)
            .await
            .unwrap()
            .unwrap()
            .revision,
        2
    );
    assert_eq!(reopened.list_users().await.unwrap().len(), 1);
    // Only the good posts (and the edited one) exist: the refused ones left no row.
    assert_eq!(
        reopened.posts_by_author(author.id).await.unwrap().len(),
        GOOD + 1
    );
    // One audit entry per good write, none for a failed one, in one intact chain: besides
    // the good submissions and appends, the author's `user.created`, the edited post's
    // submission and its current edit (the two without a subject of their own here).
    expected.insert(format!("post:{}", edited.id));
    assert_eq!(
        reopened.verify_chain().await.unwrap(),
        expected.len() as u64 + 2
    );
    assert_eq!(audit_subjects(&reopened).await, expected);
    reopened.close().await;
    <PostgresHarness as suite::Harness>::finish(h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_on_one_database_append_one_chain() {
    // Two stores with pools and writers of their own on the same tables: two server processes.
    const EACH: usize = 150;
    let Some(h) = <PostgresHarness as suite::Harness>::start().await else {
        return;
    };
    let other = PostgresStore::connect_with(h.options.clone())
        .await
        .unwrap();
    let author = suite::user(&h.store, "ann", Role::Staff).await;
    let mut tasks = Vec::new();
    for n in 0..EACH {
        for (which, store) in [(0, h.store.clone()), (1, other.clone())] {
            let (post, audit) = suite::submission(author.id, 2 * n + which);
            tasks.push(tokio::spawn(async move {
                if n % 3 == 0 {
                    store
                        .append_audit(NewAuditEntry {
                            actor: None,
                            action: "login.ok".into(),
                            subject: Some(format!("append:{which}:{n}")),
                            details: serde_json::json!({ "n": n }),
                        })
                        .await
                } else {
                    store.create_post(post, audit).await.map(|(_, _, e)| e)
                }
            }));
        }
    }
    let mut seqs = Vec::new();
    let mut subjects = BTreeSet::new();
    for task in tasks {
        let entry = task.await.unwrap().unwrap();
        seqs.push(entry.seq);
        subjects.insert(entry.subject.unwrap());
    }
    seqs.sort_unstable();
    // After the author's `user.created` (seq 1).
    assert_eq!(seqs, (2..=2 * EACH as i64 + 1).collect::<Vec<_>>());
    // Both stores see the one chain, every entry in it once.
    assert_eq!(h.store.verify_chain().await.unwrap(), 2 * EACH as u64 + 1);
    assert_eq!(other.verify_chain().await.unwrap(), 2 * EACH as u64 + 1);
    assert_eq!(audit_subjects(&other).await, subjects);
    other.close().await;
    <PostgresHarness as suite::Harness>::finish(h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_go_on_after_the_server_drops_the_stores_connections() {
    let Some(h) = <PostgresHarness as suite::Harness>::start().await else {
        return;
    };
    let name = format!("{}-dropped", h.schema);
    let store = PostgresStore::connect_with(h.options.clone().application_name(&name))
        .await
        .unwrap();
    let author = suite::user(&store, "ann", Role::Staff).await;
    for round in 0..3 {
        let tasks: Vec<_> = (0..20)
            .map(|n| {
                let store = store.clone();
                let (post, audit) = suite::submission(author.id, 100 * round + n);
                tokio::spawn(async move { store.create_post(post, audit).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        // What a restart or a failover does to the store's connections, the writer's included.
        let mut admin = h.admin.connect().await.unwrap();
        let dropped: i64 = sqlx::query_scalar(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE application_name = $1",
        )
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .unwrap();
        assert!(dropped > 0);
        // The server takes a moment to end them.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The 60 submissions after the author's `user.created`.
    assert_eq!(store.verify_chain().await.unwrap(), 61);
    assert_eq!(store.posts_by_author(author.id).await.unwrap().len(), 60);
    store.close().await;
    <PostgresHarness as suite::Harness>::finish(h).await;
}
