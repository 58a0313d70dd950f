//! `serve --demo`: demo users and drafts through the real API, loaded once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use postguard_policy::Policy;
use postguard_server::{demo, AppState, Config};
use postguard_store::{PostStatus, SqliteStore, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fills_the_queue_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("demo.db")).await.unwrap();
    let state = AppState::new(
        Policy::builtin_default().unwrap(),
        store.clone(),
        Config::default(),
    )
    .unwrap();
    assert_eq!(demo::load(state.clone()).await.unwrap(), 5);
    let sam = store.get_user_by_username("sam").await.unwrap().unwrap();
    let drafts = store.posts_by_author(sam.id).await.unwrap();
    assert_eq!(drafts.len(), 5);
    // The clean personal post is cleared; the rest wait for a reviewer.
    let cleared = drafts
        .iter()
        .filter(|p| p.status == PostStatus::Cleared)
        .count();
    assert_eq!(cleared, 1);
    assert_eq!(store.review_queue(100).await.unwrap().len(), 4);
    // Every submission is in the audit chain, which verifies.
    let entries = store.audit_entries(0, 1000).await.unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "post.submitted")
            .count(),
        5
    );
    store.verify_chain().await.unwrap();
    // A second start adds nothing.
    assert_eq!(demo::load(state).await.unwrap(), 0);
    assert_eq!(store.posts_by_author(sam.id).await.unwrap().len(), 5);
}
