//! The shared store suite on SQLite, each test on a fresh database file in a temporary folder,
//! plus what only a file can show: data survives closing and reopening.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[macro_use]
mod suite;

use std::path::PathBuf;

use postguard_store::sqlx::sqlite::SqliteConnectOptions;
use postguard_store::sqlx::{self, ConnectOptions as _};
use postguard_store::{NewAuditEntry, PostStatus, Role, SqliteStore, Store, StoreError};
use tempfile::TempDir;

pub struct SqliteHarness {
    _dir: TempDir,
    path: PathBuf,
    store: SqliteStore,
}

impl suite::Harness for SqliteHarness {
    type S = SqliteStore;

    const ALLOW_AUDIT_TAMPERING: &'static str =
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;";

    async fn start() -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("postguard.db");
        let store = SqliteStore::open(&path).await.unwrap();
        Some(SqliteHarness {
            _dir: dir,
            path,
            store,
        })
    }

    fn store(&self) -> &SqliteStore {
        &self.store
    }

    async fn try_execute(&self, sql: &str) -> Result<(), String> {
        // A connection of its own, as another process writing to the file would have.
        let mut conn = SqliteConnectOptions::new()
            .filename(&self.path)
            .connect()
            .await
            .map_err(|e| e.to_string())?;
        let result = sqlx::raw_sql(sql)
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(|e| e.to_string());
        drop(conn);
        result
    }

    async fn finish(self) {
        self.store.close().await;
    }
}

all_tests!(SqliteHarness);

#[tokio::test]
async fn data_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("postguard.db");
    let (user_id, post_id) = {
        let store = SqliteStore::open(&path).await.unwrap();
        let user = suite::user(&store, "Wendy", Role::Staff).await;
        let post = suite::post(&store, user.id, PostStatus::PendingReview, None).await;
        store
            .append_audit(NewAuditEntry {
                actor: None,
                action: "post.submitted".into(),
                subject: Some(format!("post:{}", post.id)),
                details: serde_json::json!({"revision": 1}),
            })
            .await
            .unwrap();
        store.close().await;
        (user.id, post.id)
    };
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(
        store
            .get_user_by_username("wendy")
            .await
            .unwrap()
            .unwrap()
            .id,
        user_id
    );
    assert_eq!(
        store.get_post(post_id).await.unwrap().unwrap().status,
        PostStatus::PendingReview
    );
    assert_eq!(store.versions(post_id).await.unwrap().len(), 1);
    // `user.created`, the post's submission, the extra entry.
    assert_eq!(store.verify_chain().await.unwrap(), 3);
    store.close().await;
}

#[tokio::test]
async fn opening_creates_a_wal_database_with_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested-new.db");
    let store = SqliteStore::open(&path).await.unwrap();
    assert!(path.exists());
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    // A version for a post that does not exist is refused (foreign keys on in the store).
    let author = suite::user(&store, "xena", Role::Staff).await;
    let result = store
        .add_version(
            postguard_store::PostId(999),
            1,
            suite::version(author.id, "text"),
            PostStatus::PendingReview,
            suite::audit("post.resubmitted"),
        )
        .await;
    assert!(matches!(
        result,
        Err(postguard_store::StoreError::NotFound("post"))
    ));
    store.close().await;
}

/// Holds SQLite's write lock from a connection of its own (as another process would) until
/// `release`, so that the store's writes queue up meanwhile and go in together afterwards.
async fn hold_write_lock(path: &std::path::Path) -> sqlx::SqliteConnection {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

async fn release(mut conn: sqlx::SqliteConnection) {
    sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_are_all_committed_and_survive_reopening() {
    const N: usize = 200;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("postguard.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let author = suite::user(&store, "ann", Role::Staff).await;
    let lock = hold_write_lock(&path).await;
    let tasks: Vec<_> = (0..N)
        .map(|n| {
            let store = store.clone();
            let (post, audit) = suite::submission(author.id, n);
            tokio::spawn(async move { store.create_post(post, audit).await })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
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

    // A new store on the same file sees every acknowledged post, and an intact chain.
    let reopened = SqliteStore::open(&path).await.unwrap();
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_writes_among_concurrent_ones_change_nothing_and_lose_nothing() {
    const GOOD: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("postguard.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let author = suite::user(&store, "ann", Role::Staff).await;
    let edited = suite::post(&store, author.id, PostStatus::PendingReview, None).await;
    let lock = hold_write_lock(&path).await;

    // Good submissions, interleaved with writes that must fail: edits naming a stale revision,
    // a submission by an unknown author, a duplicate username; and one edit that is current.
    let mut good = Vec::new();
    let mut stale = Vec::new();
    for n in 0..GOOD {
        let s = store.clone();
        let (post, audit) = suite::submission(author.id, n);
        good.push(tokio::spawn(
            async move { s.create_post(post, audit).await },
        ));
        if n % 10 == 5 {
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
    let (mut orphan, audit) = suite::submission(postguard_store::UserId(9999), 99);
    orphan.first_version.author = postguard_store::UserId(9999);
    let orphan = tokio::spawn(async move { s.create_post(orphan, audit).await });
    let s = store.clone();
    let duplicate = tokio::spawn(async move {
        s.create_user(
            postguard_store::NewUser {
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
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    release(lock).await;

    for task in stale {
        assert!(matches!(task.await.unwrap(), Err(StoreError::Conflict(_))));
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
    store.close().await;
    drop(store);

    let reopened = SqliteStore::open(&path).await.unwrap();
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
    // One audit entry per good submission, none for the failed one, in one intact chain;
    // besides them the author's `user.created`, the edited post's submission and its current
    // edit.
    assert_eq!(reopened.verify_chain().await.unwrap(), GOOD as u64 + 3);
    let subjects: std::collections::BTreeSet<String> = reopened
        .audit_entries(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| e.subject)
        .collect();
    let expected: std::collections::BTreeSet<String> = ids
        .iter()
        .chain([&edited.id])
        .map(|id| format!("post:{id}"))
        .collect();
    assert_eq!(subjects, expected);
    reopened.close().await;
}
