//! The shared store suite on SQLite, each test on a fresh database file in a temporary folder,
//! plus what only a file can show: data survives closing and reopening.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[macro_use]
mod suite;

use std::path::PathBuf;

use postguard_store::sqlx::sqlite::SqliteConnectOptions;
use postguard_store::sqlx::{self, ConnectOptions as _};
use postguard_store::{NewAuditEntry, PostStatus, Role, SqliteStore, Store};
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
    assert_eq!(store.verify_chain().await.unwrap(), 1);
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
        )
        .await;
    assert!(matches!(
        result,
        Err(postguard_store::StoreError::NotFound("post"))
    ));
    store.close().await;
}
