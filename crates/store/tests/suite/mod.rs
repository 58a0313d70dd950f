//! The test suite every backend runs: generic over a [`Harness`] that gives a store on a fresh,
//! empty database and raw SQL access to that same database (for tampering with the audit log the
//! way an intruder with database access would).
//!
//! `tests/sqlite.rs` and `tests/postgres.rs` call [`all_tests!`] with their harness, so both run
//! exactly this list.

use std::time::Duration;

use chrono::{DateTime, Utc};
use postguard_store::audit::HashInput;
use postguard_store::{
    Actor, Attachment, Audit, ChainBreak, ChainProblem, Channel, HistoryEvent, NewApiToken,
    NewAuditEntry, NewDecision, NewPost, NewSession, NewUser, NewVersion, Post, PostKind,
    PostStatus, Role, Store, StoreError, TotpSecret, User, UserId, Verdict,
};
use serde_json::json;

/// A fresh database for one test.
pub trait Harness: Sized + Send + Sync {
    /// The backend under test.
    type S: Store;

    /// A store on a fresh, migrated, empty database; `None` when the backend is not available
    /// and the test should be skipped (the harness has said so on stderr).
    async fn start() -> Option<Self>;

    /// The store under test.
    fn store(&self) -> &Self::S;

    /// Runs SQL (one or more statements) directly on the database, bypassing the store; the
    /// database's error message when it fails.
    async fn try_execute(&self, sql: &str) -> Result<(), String>;

    /// `try_execute` that must succeed.
    async fn execute(&self, sql: &str) {
        if let Err(error) = self.try_execute(sql).await {
            panic!("{sql}: {error}");
        }
    }

    /// SQL that lets `execute` update and delete audit entries (drops the append-only triggers:
    /// what an intruder with full database access would do first).
    const ALLOW_AUDIT_TAMPERING: &'static str;

    /// Releases the database (after a passing test).
    async fn finish(self);
}

/// Declares one `#[tokio::test]` per suite test for a harness.
#[macro_export]
macro_rules! run_suite {
    ($harness:ty: $($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            use suite::Harness as _;
            let Some(harness) = <$harness>::start().await else {
                return;
            };
            suite::$name(&harness).await;
            harness.finish().await;
        }
    )*};
}

/// Every suite test, for one harness.
#[macro_export]
macro_rules! all_tests {
    ($harness:ty) => {
        run_suite!($harness:
            users_are_unique_ignoring_case,
            user_updates,
            totp_step_is_accepted_once,
            recovery_code_works_once,
            failed_logins_lock_and_reset,
            sessions_touch_and_delete,
            api_tokens_by_hash_and_revoked,
            post_versions_are_kept_and_stale_writes_conflict,
            concurrent_decisions_exactly_one_wins,
            decision_needs_an_existing_version,
            review_queue_and_author_posts,
            expire_due_posts,
            purge_spares_legal_hold,
            post_history_in_order,
            audit_append_and_verify,
            post_and_its_audit_entry_in_one_transaction,
            changes_and_their_audit_entries_commit_together,
            the_last_enabled_admin_stays,
            concurrent_audit_appends_keep_one_chain,
            tampered_details_are_found,
            deleted_entry_is_found,
            swapped_entries_are_found,
            rehashed_entry_is_found,
        );
    };
}

// ----- helpers -----

/// An audit entry for a change a test makes.
pub fn record(action: &str) -> NewAuditEntry {
    NewAuditEntry {
        actor: None,
        action: action.into(),
        subject: None,
        details: json!({}),
    }
}

/// The same, for a change that takes an [`Audit`].
pub fn audit<T>(action: &str) -> Audit<T> {
    record(action).into()
}

pub async fn user<S: Store>(store: &S, username: &str, role: Role) -> User {
    store
        .create_user(
            NewUser {
                username: username.into(),
                display_name: format!("{username} (display)"),
                role,
                password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt${username}"),
                must_change_password: false,
            },
            audit("user.created"),
        )
        .await
        .unwrap()
}

pub fn version(author: UserId, text: &str) -> NewVersion {
    NewVersion {
        text: text.into(),
        attachments: vec![Attachment {
            alt_text: "the team at the 5k run".into(),
            shows_person: true,
        }],
        policy_version: "2026.1".into(),
        scan_result: r#"{"findings":[]}"#.into(),
        author,
    }
}

pub async fn post<S: Store>(
    store: &S,
    author: UserId,
    status: PostStatus,
    scheduled_at: Option<DateTime<Utc>>,
) -> Post {
    store
        .create_post(
            NewPost {
                author,
                kind: PostKind::Post,
                channel: Channel::Personal,
                identifies_employer: true,
                scheduled_at,
                status,
                first_version: version(author, "Proud of our night shift!"),
            },
            record("post.submitted"),
        )
        .await
        .unwrap()
        .0
}

/// A submission as the server makes it: the post and its audit entry in one write.
pub fn submission(author: UserId, n: usize) -> (NewPost, NewAuditEntry) {
    (
        NewPost {
            author,
            kind: PostKind::Post,
            channel: Channel::Official {
                handle: "@AlderbrookHealth".into(),
            },
            identifies_employer: true,
            scheduled_at: None,
            status: PostStatus::PendingReview,
            first_version: version(author, &format!("Health fair, stand {n}")),
        },
        NewAuditEntry {
            actor: None,
            action: "post.submitted".into(),
            subject: None,
            details: serde_json::json!({ "n": n }),
        },
    )
}

fn decision(reviewer: UserId, version: i64, verdict: Verdict) -> NewDecision {
    NewDecision {
        version,
        step: "communications".into(),
        reviewer,
        verdict,
        note: Some("checked with the unit manager".into()),
        reason: Some("please leave out the room number".into()),
    }
}

fn entry(action: &str, n: i64) -> NewAuditEntry {
    NewAuditEntry {
        actor: Some(Actor {
            user_id: Some(UserId(n)),
            name: format!("user{n}"),
        }),
        action: action.into(),
        subject: Some(format!("post:{n}")),
        details: json!({"n": n, "b": [1, 2], "a": "x"}),
    }
}

async fn audit_log_of<H: Harness>(h: &H, n: i64) {
    for i in 1..=n {
        h.store()
            .append_audit(entry("post.submitted", i))
            .await
            .unwrap();
    }
    assert_eq!(h.store().verify_chain().await.unwrap(), n as u64);
}

fn expect_break(result: Result<u64, StoreError>) -> ChainBreak {
    match result {
        Err(StoreError::ChainBroken(chain_break)) => chain_break,
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

// ----- users -----

pub async fn users_are_unique_ignoring_case<H: Harness>(h: &H) {
    let s = h.store();
    let alice = user(s, "Alice", Role::Staff).await;
    assert_eq!(alice.username, "Alice");
    assert_eq!(alice.role, Role::Staff);
    assert!(!alice.totp_enabled && !alice.disabled);
    assert_eq!(alice.failed_logins, 0);

    let duplicate = s
        .create_user(
            NewUser {
                username: "ALICE".into(),
                display_name: "Other".into(),
                role: Role::Admin,
                password_hash: "$argon2id$other".into(),
                must_change_password: false,
            },
            audit("user.created"),
        )
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Duplicate("username"))),
        "{duplicate:?}"
    );
    // Unicode case, the same on every backend.
    let emil = user(s, "Émile", Role::Reviewer).await;
    assert_eq!(
        s.get_user_by_username("éMILE").await.unwrap().unwrap().id,
        emil.id
    );

    let found = s.get_user_by_username("aLiCe").await.unwrap().unwrap();
    assert_eq!(found, alice);
    assert_eq!(s.get_user(alice.id).await.unwrap().unwrap(), alice);
    assert!(s.get_user_by_username("bob").await.unwrap().is_none());
    assert!(s.get_user(UserId(999_999)).await.unwrap().is_none());
    let all = s.list_users().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, alice.id);
}

pub async fn user_updates<H: Harness>(h: &H) {
    let s = h.store();
    let bob = user(s, "bob", Role::Staff).await;
    s.set_role(bob.id, Role::Compliance, audit("role.changed"))
        .await
        .unwrap();
    assert!(!bob.must_change_password);
    s.set_password_hash(bob.id, "$argon2id$new", true, None, audit("password.reset"))
        .await
        .unwrap();
    assert!(
        s.get_user(bob.id)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
    s.set_password_hash(
        bob.id,
        "$argon2id$new",
        false,
        None,
        audit("password.changed"),
    )
    .await
    .unwrap();
    s.set_disabled(bob.id, true, audit("user.disabled"))
        .await
        .unwrap();
    let bob = s.get_user(bob.id).await.unwrap().unwrap();
    assert_eq!(bob.role, Role::Compliance);
    assert_eq!(bob.password_hash, "$argon2id$new");
    assert!(bob.disabled && !bob.must_change_password);
    // The hash never shows in Debug output.
    assert!(!format!("{bob:?}").contains("$argon2id$new"));

    let missing = UserId(424_242);
    assert!(matches!(
        s.set_role(missing, Role::Admin, audit("role.changed"))
            .await,
        Err(StoreError::NotFound("user"))
    ));
    assert!(matches!(
        s.set_password_hash(missing, "x", false, None, audit("password.changed"))
            .await,
        Err(StoreError::NotFound("user"))
    ));
}

pub async fn totp_step_is_accepted_once<H: Harness>(h: &H) {
    let s = h.store();
    let carol = user(s, "carol", Role::Staff).await;
    // No secret yet: nothing is accepted and TOTP cannot be enabled.
    assert!(!s.accept_totp_step(carol.id, 100).await.unwrap());
    assert!(matches!(
        s.enable_totp(carol.id, &[], audit("totp.enabled")).await,
        Err(StoreError::NotFound("totp secret"))
    ));

    let secret = TotpSecret::new(b"12345678901234567890".to_vec());
    s.set_totp_secret(carol.id, &secret, audit("totp.enrolment_started"))
        .await
        .unwrap();
    assert!(s.accept_totp_step(carol.id, 100).await.unwrap());
    assert!(!s.accept_totp_step(carol.id, 100).await.unwrap(), "reused");
    assert!(!s.accept_totp_step(carol.id, 99).await.unwrap(), "older");
    s.enable_totp(carol.id, &[], audit("totp.enabled"))
        .await
        .unwrap();
    let stored = s.get_user(carol.id).await.unwrap().unwrap();
    assert_eq!(stored.totp_secret.as_ref(), Some(&secret));
    assert!(stored.totp_enabled);
    assert_eq!(stored.totp_last_step, Some(100));

    // The same code sent twice at once: one request wins.
    let (a, b) = tokio::join!(
        s.accept_totp_step(carol.id, 101),
        s.accept_totp_step(carol.id, 101)
    );
    assert!(
        a.unwrap() ^ b.unwrap(),
        "exactly one of two concurrent uses"
    );

    // The same key stored anew (sealed with the server's key) changes nothing else.
    let resealed = TotpSecret::new(vec![1; 40]);
    s.reseal_totp_secret(carol.id, &resealed).await.unwrap();
    let stored = s.get_user(carol.id).await.unwrap().unwrap();
    assert_eq!(stored.totp_secret.as_ref(), Some(&resealed));
    assert!(stored.totp_enabled, "still on");
    assert_eq!(
        stored.totp_last_step,
        Some(101),
        "the last step is still spent"
    );
    assert!(!s.accept_totp_step(carol.id, 101).await.unwrap());

    // A new secret must be confirmed again and forgets the last step.
    s.set_totp_secret(
        carol.id,
        &TotpSecret::new(vec![9; 20]),
        audit("totp.enrolment_started"),
    )
    .await
    .unwrap();
    let stored = s.get_user(carol.id).await.unwrap().unwrap();
    assert!(!stored.totp_enabled);
    assert_eq!(stored.totp_last_step, None);
    assert!(s.accept_totp_step(carol.id, 5).await.unwrap());
}

pub async fn recovery_code_works_once<H: Harness>(h: &H) {
    let s = h.store();
    let dave = user(s, "dave", Role::Staff).await;
    let other = user(s, "erin", Role::Staff).await;
    let hashes: Vec<String> = ["h1", "h2", "h3"].map(String::from).to_vec();
    for (who, codes) in [(&dave, hashes), (&other, vec!["h1".to_string()])] {
        let secret = TotpSecret::new(vec![7; 20]);
        s.set_totp_secret(who.id, &secret, audit("totp.enrolment_started"))
            .await
            .unwrap();
        s.enable_totp(who.id, &codes, audit("totp.enabled"))
            .await
            .unwrap();
    }
    assert_eq!(s.recovery_codes_left(dave.id).await.unwrap(), 3);

    assert!(s.consume_recovery_code(dave.id, "h2").await.unwrap());
    assert!(
        !s.consume_recovery_code(dave.id, "h2").await.unwrap(),
        "used"
    );
    assert!(!s.consume_recovery_code(dave.id, "nope").await.unwrap());
    assert_eq!(s.recovery_codes_left(dave.id).await.unwrap(), 2);
    // Another user's code is not consumed by dave's.
    assert!(s.consume_recovery_code(dave.id, "h1").await.unwrap());
    assert_eq!(s.recovery_codes_left(other.id).await.unwrap(), 1);

    // Concurrent use of one code: exactly one succeeds.
    let (a, b) = tokio::join!(
        s.consume_recovery_code(dave.id, "h3"),
        s.consume_recovery_code(dave.id, "h3")
    );
    assert!(a.unwrap() ^ b.unwrap());

    // Enabling again replaces the old codes; a reset removes them with the secret.
    s.enable_totp(dave.id, &["n1".to_string()], audit("totp.enabled"))
        .await
        .unwrap();
    assert_eq!(s.recovery_codes_left(dave.id).await.unwrap(), 1);
    s.reset_totp(dave.id, audit("totp.reset")).await.unwrap();
    assert_eq!(s.recovery_codes_left(dave.id).await.unwrap(), 0);
    assert_eq!(s.recovery_codes_left(other.id).await.unwrap(), 1);
    let dave = s.get_user(dave.id).await.unwrap().unwrap();
    assert!(!dave.totp_enabled && dave.totp_secret.is_none() && dave.totp_last_step.is_none());
}

pub async fn failed_logins_lock_and_reset<H: Harness>(h: &H) {
    let s = h.store();
    let frank = user(s, "frank", Role::Staff).await;
    let lock_until: DateTime<Utc> = "2030-01-01T12:00:00.123456Z".parse().unwrap();
    for expected in 1..=2 {
        let f = s
            .record_login_failure(frank.id, 3, lock_until)
            .await
            .unwrap();
        assert_eq!(f.failed_logins, expected);
        assert_eq!(f.locked_until, None);
    }
    let f = s
        .record_login_failure(frank.id, 3, lock_until)
        .await
        .unwrap();
    assert_eq!(f.failed_logins, 3);
    assert_eq!(f.locked_until, Some(lock_until));
    let stored = s.get_user(frank.id).await.unwrap().unwrap();
    assert_eq!(stored.failed_logins, 3);
    assert_eq!(stored.locked_until, Some(lock_until));

    // Concurrent failures are all counted.
    let (a, b) = tokio::join!(
        s.record_login_failure(frank.id, 3, lock_until),
        s.record_login_failure(frank.id, 3, lock_until)
    );
    let mut counts = [a.unwrap().failed_logins, b.unwrap().failed_logins];
    counts.sort();
    assert_eq!(counts, [4, 5]);

    s.reset_login_failures(frank.id).await.unwrap();
    let stored = s.get_user(frank.id).await.unwrap().unwrap();
    assert_eq!(stored.failed_logins, 0);
    assert_eq!(stored.locked_until, None);
    assert!(matches!(
        s.record_login_failure(UserId(777), 3, lock_until).await,
        Err(StoreError::NotFound("user"))
    ));
}

// ----- sessions and tokens -----

pub async fn sessions_touch_and_delete<H: Harness>(h: &H) {
    let s = h.store();
    let gina = user(s, "gina", Role::Reviewer).await;
    let new = |id: &str| NewSession {
        id_hash: id.into(),
        user_id: gina.id,
        csrf_token: format!("csrf-{id}"),
    };
    let first = s.create_session(new("hash-1")).await.unwrap();
    s.create_session(new("hash-2")).await.unwrap();
    assert_eq!(first.created_at, first.last_seen_at);
    assert!(matches!(
        s.create_session(new("hash-1")).await,
        Err(StoreError::Duplicate("session"))
    ));
    assert!(matches!(
        s.create_session(NewSession {
            user_id: UserId(31_337),
            ..new("hash-x")
        })
        .await,
        Err(StoreError::NotFound("user"))
    ));

    let got = s.get_session("hash-1").await.unwrap().unwrap();
    assert_eq!(got, first);
    assert_eq!(got.csrf_token, "csrf-hash-1");
    assert!(!format!("{got:?}").contains("csrf-hash-1"));
    // With its user, in one query: the same as the two lookups.
    let (with, its_user) = s.get_session_with_user("hash-1").await.unwrap().unwrap();
    assert_eq!(with, first);
    assert_eq!(its_user, s.get_user(first.user_id).await.unwrap().unwrap());
    assert!(s.get_session_with_user("nope").await.unwrap().is_none());

    tokio::time::sleep(Duration::from_millis(5)).await;
    s.touch_session("hash-1").await.unwrap();
    let touched = s.get_session("hash-1").await.unwrap().unwrap();
    assert!(touched.last_seen_at > first.last_seen_at);
    assert_eq!(touched.created_at, first.created_at);
    assert!(matches!(
        s.touch_session("gone").await,
        Err(StoreError::NotFound("session"))
    ));

    assert!(s.delete_session("hash-1").await.unwrap());
    assert!(!s.delete_session("hash-1").await.unwrap());
    assert!(s.get_session("hash-1").await.unwrap().is_none());
    assert!(s.get_session_with_user("hash-1").await.unwrap().is_none());
    s.create_session(new("hash-3")).await.unwrap();
    assert_eq!(s.delete_user_sessions(gina.id).await.unwrap(), 2);
    assert!(s.get_session("hash-2").await.unwrap().is_none());
}

pub async fn api_tokens_by_hash_and_revoked<H: Harness>(h: &H) {
    let s = h.store();
    let hal = user(s, "hal", Role::Staff).await;
    let token = s
        .create_api_token(
            NewApiToken {
                user_id: hal.id,
                name: "ci".into(),
                token_hash: "a".repeat(64),
                scopes: vec!["check".into(), "posts:submit".into()],
            },
            audit("token.created"),
        )
        .await
        .unwrap();
    assert_eq!(token.scopes, vec!["check", "posts:submit"]);
    assert_eq!(token.revoked_at, None);
    let second = s
        .create_api_token(
            NewApiToken {
                user_id: hal.id,
                name: "laptop".into(),
                token_hash: "b".repeat(64),
                scopes: vec![],
            },
            audit("token.created"),
        )
        .await
        .unwrap();
    assert!(matches!(
        s.create_api_token(
            NewApiToken {
                user_id: hal.id,
                name: "again".into(),
                token_hash: "a".repeat(64),
                scopes: vec![],
            },
            audit("token.created"),
        )
        .await,
        Err(StoreError::Duplicate("api token"))
    ));

    assert_eq!(
        s.get_api_token_by_hash(&"a".repeat(64)).await.unwrap(),
        Some(token.clone())
    );
    assert!(s.get_api_token_by_hash("unknown").await.unwrap().is_none());

    s.revoke_api_token(token.id, audit("token.revoked"))
        .await
        .unwrap();
    assert!(s
        .get_api_token_by_hash(&"a".repeat(64))
        .await
        .unwrap()
        .is_none());
    let listed = s.list_api_tokens(hal.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    let revoked_at = listed[0].revoked_at.unwrap();
    assert_eq!(listed[1], second);
    // Revoking again keeps the first time.
    tokio::time::sleep(Duration::from_millis(2)).await;
    s.revoke_api_token(token.id, audit("token.revoked"))
        .await
        .unwrap();
    assert_eq!(
        s.list_api_tokens(hal.id).await.unwrap()[0].revoked_at,
        Some(revoked_at)
    );
    assert!(matches!(
        s.revoke_api_token(postguard_store::ApiTokenId(9_999), audit("token.revoked"))
            .await,
        Err(StoreError::NotFound("api token"))
    ));
}

// ----- posts -----

pub async fn post_versions_are_kept_and_stale_writes_conflict<H: Harness>(h: &H) {
    let s = h.store();
    let ivy = user(s, "ivy", Role::Staff).await;
    let rev = user(s, "rex", Role::Reviewer).await;
    let (created, v1, _) = s
        .create_post(
            NewPost {
                author: ivy.id,
                kind: PostKind::Reply,
                channel: Channel::Official {
                    handle: "@AlderbrookRMC".into(),
                },
                identifies_employer: false,
                scheduled_at: None,
                status: PostStatus::PendingReview,
                first_version: version(ivy.id, "First draft"),
            },
            record("post.submitted"),
        )
        .await
        .unwrap();
    assert_eq!(created.revision, 1);
    assert_eq!(created.kind, PostKind::Reply);
    assert_eq!(
        created.channel,
        Channel::Official {
            handle: "@AlderbrookRMC".into()
        }
    );
    assert_eq!(v1.version, 1);
    assert_eq!(v1.text, "First draft");
    assert_eq!(v1.attachments[0].alt_text, "the team at the 5k run");
    assert!(!format!("{v1:?}").contains("First draft"));

    // A reviewer asks for changes at revision 1.
    let (post, d1) = s
        .decide(
            created.id,
            1,
            decision(rev.id, 1, Verdict::RequestChanges),
            PostStatus::ChangesRequested,
            audit("post.decision"),
        )
        .await
        .unwrap();
    assert_eq!(post.revision, 2);
    assert_eq!(post.status, PostStatus::ChangesRequested);
    assert_eq!(d1.verdict, Verdict::RequestChanges);
    assert_eq!(d1.note.as_deref(), Some("checked with the unit manager"));
    assert_eq!(
        d1.reason.as_deref(),
        Some("please leave out the room number")
    );

    // A second decision still naming revision 1 is refused and changes nothing.
    let stale = s
        .decide(
            created.id,
            1,
            decision(rev.id, 1, Verdict::Approve),
            PostStatus::Approved,
            audit("post.decision"),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let after = s.get_post(created.id).await.unwrap().unwrap();
    assert_eq!(after, post);
    assert_eq!(s.decisions(created.id).await.unwrap(), vec![d1.clone()]);

    // The author submits version 2 at the current revision; a stale add_version conflicts.
    let (post, v2) = s
        .add_version(
            created.id,
            2,
            version(ivy.id, "Second draft"),
            PostStatus::PendingReview,
            audit("post.resubmitted"),
        )
        .await
        .unwrap();
    assert_eq!((post.revision, v2.version), (3, 2));
    assert_eq!(post.status, PostStatus::PendingReview);
    assert!(post.updated_at >= created.updated_at);
    assert!(matches!(
        s.add_version(
            created.id,
            2,
            version(ivy.id, "Lost edit"),
            PostStatus::PendingReview,
            audit("post.resubmitted"),
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    let versions = s.versions(created.id).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0], v1);
    assert_eq!(versions[1].text, "Second draft");

    // set_status follows the same rule.
    assert!(matches!(
        s.set_status(created.id, 1, PostStatus::Rejected, audit("post.status"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let post = s
        .set_status(created.id, 3, PostStatus::Rejected, audit("post.status"))
        .await
        .unwrap();
    assert_eq!((post.revision, post.status), (4, PostStatus::Rejected));

    // A missing post is NotFound, not Conflict.
    assert!(matches!(
        s.set_status(
            postguard_store::PostId(123_456),
            1,
            PostStatus::Approved,
            audit("post.status")
        )
        .await,
        Err(StoreError::NotFound("post"))
    ));
}

pub async fn concurrent_decisions_exactly_one_wins<H: Harness>(h: &H) {
    let s = h.store();
    let author = user(s, "jay", Role::Staff).await;
    let r1 = user(s, "kim", Role::Reviewer).await;
    let r2 = user(s, "lee", Role::Reviewer).await;
    for round in 0..5 {
        let p = post(s, author.id, PostStatus::PendingReview, None).await;
        let (a, b) = tokio::join!(
            s.decide(
                p.id,
                1,
                decision(r1.id, 1, Verdict::Approve),
                PostStatus::Approved,
                audit("post.decision"),
            ),
            s.decide(
                p.id,
                1,
                decision(r2.id, 1, Verdict::Reject),
                PostStatus::Rejected,
                audit("post.decision"),
            ),
        );
        let (winner, loser) = match (a, b) {
            (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
            (a, b) => panic!("round {round}: expected exactly one winner, got {a:?} and {b:?}"),
        };
        assert!(matches!(loser, StoreError::Conflict(_)), "{loser:?}");
        let stored = s.get_post(p.id).await.unwrap().unwrap();
        assert_eq!(stored.revision, 2);
        assert_eq!(stored.status, winner.0.status);
        let decisions = s.decisions(p.id).await.unwrap();
        assert_eq!(decisions, vec![winner.1]);
    }
}

pub async fn decision_needs_an_existing_version<H: Harness>(h: &H) {
    let s = h.store();
    let author = user(s, "max", Role::Staff).await;
    let reviewer = user(s, "ned", Role::Reviewer).await;
    let p = post(s, author.id, PostStatus::PendingReview, None).await;
    let result = s
        .decide(
            p.id,
            1,
            decision(reviewer.id, 7, Verdict::Approve),
            PostStatus::Approved,
            audit("post.decision"),
        )
        .await;
    assert!(matches!(result, Err(StoreError::NotFound(_))), "{result:?}");
    // The transaction was rolled back: the status change did not happen either.
    assert_eq!(s.get_post(p.id).await.unwrap().unwrap(), p);
}

pub async fn review_queue_and_author_posts<H: Harness>(h: &H) {
    let s = h.store();
    let olga = user(s, "olga", Role::Staff).await;
    let pete = user(s, "pete", Role::Staff).await;
    let p1 = post(s, olga.id, PostStatus::PendingReview, None).await;
    let _cleared = post(s, olga.id, PostStatus::Cleared, None).await;
    let p3 = post(s, pete.id, PostStatus::PendingReview, None).await;
    let p4 = post(s, olga.id, PostStatus::PendingReview, None).await;

    let queue: Vec<_> = s
        .review_queue(10)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(queue, vec![p1.id, p3.id, p4.id]);
    assert_eq!(
        s.review_queue_length().await.unwrap(),
        3,
        "the cleared post is not queued"
    );
    let first_two: Vec<_> = s
        .review_queue(2)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(first_two, vec![p1.id, p3.id]);

    let mine = s.posts_by_author(olga.id).await.unwrap();
    assert_eq!(mine.len(), 3);
    assert_eq!(mine[0].id, p4.id, "newest first");
    assert!(mine.iter().all(|p| p.author == olga.id));
}

pub async fn expire_due_posts<H: Harness>(h: &H) {
    let s = h.store();
    let quinn = user(s, "quinn", Role::Staff).await;
    let now: DateTime<Utc> = "2030-06-01T09:00:00Z".parse().unwrap();
    let past = now - chrono::Duration::hours(1);
    let future = now + chrono::Duration::hours(1);
    let due = post(s, quinn.id, PostStatus::PendingReview, Some(past)).await;
    let due_changes = post(s, quinn.id, PostStatus::PendingReview, Some(now)).await;
    s.set_status(
        due_changes.id,
        1,
        PostStatus::ChangesRequested,
        audit("post.status"),
    )
    .await
    .unwrap();
    let later = post(s, quinn.id, PostStatus::PendingReview, Some(future)).await;
    let unscheduled = post(s, quinn.id, PostStatus::PendingReview, None).await;
    let approved = post(s, quinn.id, PostStatus::PendingReview, Some(past)).await;
    s.set_status(approved.id, 1, PostStatus::Approved, audit("post.status"))
        .await
        .unwrap();

    let expired = s.expire_due(now, record("post.expired")).await.unwrap();
    assert_eq!(expired, vec![due.id, due_changes.id]);
    let stored = s.get_post(due.id).await.unwrap().unwrap();
    assert_eq!(stored.status, PostStatus::Expired);
    assert_eq!(
        stored.revision, 2,
        "expiry is a change: stale reviews conflict"
    );
    for untouched in [later.id, unscheduled.id] {
        assert_eq!(
            s.get_post(untouched).await.unwrap().unwrap().status,
            PostStatus::PendingReview
        );
    }
    assert_eq!(
        s.get_post(approved.id).await.unwrap().unwrap().status,
        PostStatus::Approved
    );
    assert!(s
        .expire_due(now, record("post.expired"))
        .await
        .unwrap()
        .is_empty());
}

pub async fn purge_spares_legal_hold<H: Harness>(h: &H) {
    let s = h.store();
    let rose = user(s, "rose", Role::Staff).await;
    let reviewer = user(s, "sam", Role::Compliance).await;
    let rejected = post(s, rose.id, PostStatus::PendingReview, None).await;
    s.decide(
        rejected.id,
        1,
        decision(reviewer.id, 1, Verdict::Reject),
        PostStatus::Rejected,
        audit("post.decision"),
    )
    .await
    .unwrap();
    let held = post(s, rose.id, PostStatus::Rejected, None).await;
    let held_after = s
        .set_legal_hold(held.id, true, audit("legal_hold.set"))
        .await
        .unwrap();
    assert!(held_after.legal_hold);
    assert_eq!(held_after.revision, held.revision, "a hold is not an edit");
    let expired = post(s, rose.id, PostStatus::Expired, None).await;
    let approved = post(s, rose.id, PostStatus::Approved, None).await;

    let statuses = [PostStatus::Rejected, PostStatus::Expired];
    let long_ago: DateTime<Utc> = "2000-01-01T00:00:00Z".parse().unwrap();
    assert!(s
        .purge(long_ago, &statuses, audit("retention.purged"))
        .await
        .unwrap()
        .is_empty());

    let cutoff = Utc::now() + chrono::Duration::seconds(1);
    let purged = s
        .purge(cutoff, &statuses, audit("retention.purged"))
        .await
        .unwrap();
    assert_eq!(purged, vec![rejected.id, expired.id]);
    assert!(s.get_post(rejected.id).await.unwrap().is_none());
    assert!(s.versions(rejected.id).await.unwrap().is_empty());
    assert!(s.decisions(rejected.id).await.unwrap().is_empty());
    assert!(s.get_post(held.id).await.unwrap().is_some());
    assert_eq!(s.versions(held.id).await.unwrap().len(), 1);
    assert!(s.get_post(approved.id).await.unwrap().is_some());

    // Released from hold, it goes at the next purge.
    s.set_legal_hold(held.id, false, audit("legal_hold.set"))
        .await
        .unwrap();
    assert_eq!(
        s.purge(cutoff, &statuses, audit("retention.purged"))
            .await
            .unwrap(),
        vec![held.id]
    );
    assert!(matches!(
        s.set_legal_hold(held.id, true, audit("legal_hold.set"))
            .await,
        Err(StoreError::NotFound("post"))
    ));
}

pub async fn post_history_in_order<H: Harness>(h: &H) {
    let s = h.store();
    let tom = user(s, "tom", Role::Staff).await;
    let uma = user(s, "uma", Role::Reviewer).await;
    let p = post(s, tom.id, PostStatus::PendingReview, None).await;
    s.decide(
        p.id,
        1,
        decision(uma.id, 1, Verdict::RequestChanges),
        PostStatus::ChangesRequested,
        audit("post.decision"),
    )
    .await
    .unwrap();
    s.add_version(
        p.id,
        2,
        version(tom.id, "v2"),
        PostStatus::PendingReview,
        audit("post.resubmitted"),
    )
    .await
    .unwrap();
    s.decide(
        p.id,
        3,
        decision(uma.id, 2, Verdict::Approve),
        PostStatus::Approved,
        audit("post.decision"),
    )
    .await
    .unwrap();
    let history = s.post_history(p.id).await.unwrap();
    let shape: Vec<String> = history
        .iter()
        .map(|e| match e {
            HistoryEvent::Version(v) => format!("v{}", v.version),
            HistoryEvent::Decision(d) => format!("{}@v{}", d.verdict, d.version),
        })
        .collect();
    assert_eq!(shape, ["v1", "request_changes@v1", "v2", "approve@v2"]);
    // Exportable as JSON lines.
    let line = serde_json::to_string(&history[1]).unwrap();
    assert!(line.contains(r#""event":"decision""#), "{line}");
}

// ----- audit log -----

/// The audit entries after `after_seq`, as (action, subject, details).
async fn entries_after<S: Store>(
    s: &S,
    after_seq: i64,
) -> Vec<(String, Option<String>, serde_json::Value)> {
    s.audit_entries(after_seq, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            (
                e.action,
                e.subject,
                serde_json::from_str(&e.details).unwrap(),
            )
        })
        .collect()
}

async fn last_seq<S: Store>(s: &S) -> i64 {
    s.audit_entries(0, 100_000)
        .await
        .unwrap()
        .last()
        .map_or(0, |e| e.seq)
}

pub async fn changes_and_their_audit_entries_commit_together<H: Harness>(h: &H) {
    let s = h.store();
    let uma = user(s, "uma", Role::Staff).await;
    let reviewer = user(s, "vic", Role::Reviewer).await;
    let session = |n: &str| NewSession {
        id_hash: format!("uma-{n}"),
        user_id: uma.id,
        csrf_token: "c".into(),
    };
    for n in ["1", "2", "3"] {
        s.create_session(session(n)).await.unwrap();
    }
    let token = |hash: char| NewApiToken {
        user_id: uma.id,
        name: format!("t{hash}"),
        token_hash: hash.to_string().repeat(64),
        scopes: vec!["check".into()],
    };
    let t1 = s
        .create_api_token(token('1'), audit("token.created"))
        .await
        .unwrap();
    s.create_api_token(token('2'), audit("token.created"))
        .await
        .unwrap();
    assert!(s
        .revoke_api_token(t1.id, audit("token.revoked"))
        .await
        .unwrap());
    let before = last_seq(s).await;
    // Revoking a revoked token changes nothing and records nothing.
    assert!(!s
        .revoke_api_token(t1.id, audit("token.revoked"))
        .await
        .unwrap());
    assert_eq!(last_seq(s).await, before);

    // A password change ends every other session; the entry is made from what it did.
    let ended = s
        .set_password_hash(
            uma.id,
            "$argon2id$changed",
            false,
            Some("uma-1"),
            Audit::with(|out: &postguard_store::SignedOut| NewAuditEntry {
                details: json!({ "sessions_ended": out.sessions }),
                ..record("password.changed")
            }),
        )
        .await
        .unwrap();
    assert_eq!((ended.sessions, ended.tokens), (2, 0));
    assert!(s.get_session("uma-1").await.unwrap().is_some());
    assert!(s.get_session("uma-2").await.unwrap().is_none());

    // A role change ends the rest and revokes the one live token.
    let ended = s
        .set_role(
            uma.id,
            Role::Reviewer,
            Audit::with(|out: &postguard_store::SignedOut| NewAuditEntry {
                details: json!({ "sessions_ended": out.sessions, "tokens_revoked": out.tokens }),
                ..record("role.changed")
            }),
        )
        .await
        .unwrap();
    assert_eq!((ended.sessions, ended.tokens), (1, 1));
    assert!(s.get_session("uma-1").await.unwrap().is_none());
    assert!(s
        .list_api_tokens(uma.id)
        .await
        .unwrap()
        .iter()
        .all(|t| t.revoked_at.is_some()));
    assert_eq!(
        entries_after(s, before).await,
        vec![
            (
                "password.changed".into(),
                None,
                json!({ "sessions_ended": 2 })
            ),
            (
                "role.changed".into(),
                None,
                json!({ "sessions_ended": 1, "tokens_revoked": 1 })
            ),
        ]
    );

    // Disabling ends sessions; enabling again clears a sign-in lock.
    s.create_session(session("4")).await.unwrap();
    s.record_login_failure(uma.id, 1, Utc::now() + chrono::TimeDelta::minutes(5))
        .await
        .unwrap();
    let ended = s
        .set_disabled(uma.id, true, audit("user.disabled"))
        .await
        .unwrap();
    assert_eq!(ended.sessions, 1);
    let enabled = s
        .set_disabled(uma.id, false, audit("user.enabled"))
        .await
        .unwrap();
    assert_eq!(enabled.sessions, 0);
    let stored = s.get_user(uma.id).await.unwrap().unwrap();
    assert!(!stored.disabled && stored.locked_until.is_none() && stored.failed_logins == 0);

    // A change that fails records nothing: a stale decision, a missing user.
    let p = post(s, uma.id, PostStatus::PendingReview, None).await;
    let seq = last_seq(s).await;
    s.decide(
        p.id,
        1,
        decision(reviewer.id, 1, Verdict::Approve),
        PostStatus::Approved,
        audit("post.decision"),
    )
    .await
    .unwrap();
    let stale = s
        .decide(
            p.id,
            1,
            decision(reviewer.id, 1, Verdict::Reject),
            PostStatus::Rejected,
            audit("post.decision"),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    assert!(matches!(
        s.set_disabled(UserId(777_777), true, audit("user.disabled"))
            .await,
        Err(StoreError::NotFound("user"))
    ));
    assert_eq!(
        entries_after(s, seq).await.len(),
        1,
        "only the decision that won"
    );

    // Expiry records each post it expired; a purge records its run, even an empty one.
    let due = Utc::now() - chrono::TimeDelta::minutes(1);
    let a = post(s, uma.id, PostStatus::PendingReview, Some(due)).await;
    let b = post(s, uma.id, PostStatus::PendingReview, Some(due)).await;
    let seq = last_seq(s).await;
    let expired = s
        .expire_due(Utc::now(), record("post.expired"))
        .await
        .unwrap();
    assert_eq!(expired, vec![a.id, b.id]);
    let purged = s
        .purge(
            Utc::now() - chrono::TimeDelta::days(1),
            &[PostStatus::Expired],
            Audit::with(|ids: &Vec<postguard_store::PostId>| NewAuditEntry {
                details: json!({ "count": ids.len() }),
                ..record("retention.purged")
            }),
        )
        .await
        .unwrap();
    assert!(purged.is_empty());
    assert_eq!(
        entries_after(s, seq).await,
        vec![
            (
                "post.expired".into(),
                Some(format!("post:{}", a.id)),
                json!({})
            ),
            (
                "post.expired".into(),
                Some(format!("post:{}", b.id)),
                json!({})
            ),
            ("retention.purged".into(), None, json!({ "count": 0 })),
        ]
    );
    assert_eq!(
        s.verify_chain().await.unwrap(),
        u64::try_from(last_seq(s).await).unwrap()
    );
}

pub async fn the_last_enabled_admin_stays<H: Harness>(h: &H) {
    let s = h.store();
    let ada = user(s, "ada", Role::Admin).await;
    let staff = user(s, "sid", Role::Staff).await;
    // Without another admin, ada can be neither demoted nor disabled, and nothing is recorded.
    let before = last_seq(s).await;
    assert!(matches!(
        s.set_role(ada.id, Role::Staff, audit("role.changed")).await,
        Err(StoreError::LastAdmin)
    ));
    assert!(matches!(
        s.set_disabled(ada.id, true, audit("user.disabled")).await,
        Err(StoreError::LastAdmin)
    ));
    assert_eq!(s.get_user(ada.id).await.unwrap().unwrap(), ada);
    assert_eq!(last_seq(s).await, before);
    // Other users change freely.
    s.set_role(staff.id, Role::Reviewer, audit("role.changed"))
        .await
        .unwrap();
    // Two admins demoting each other at once: one wins, one admin is left.
    for round in 0..5 {
        let other = user(s, &format!("bea{round}"), Role::Admin).await;
        let (a, b) = tokio::join!(
            s.set_role(ada.id, Role::Staff, audit("role.changed")),
            s.set_disabled(other.id, true, audit("user.disabled")),
        );
        assert!(
            a.is_ok() ^ b.is_ok(),
            "round {round}: exactly one of the two, got {a:?} and {b:?}"
        );
        let admins = s
            .list_users()
            .await
            .unwrap()
            .into_iter()
            .filter(|u| u.role == Role::Admin && !u.disabled)
            .count();
        assert_eq!(admins, 1, "round {round}");
        // Back to the start: ada the only enabled admin.
        if a.is_ok() {
            s.set_role(ada.id, Role::Admin, audit("role.changed"))
                .await
                .unwrap();
            s.set_disabled(other.id, true, audit("user.disabled"))
                .await
                .unwrap();
        }
    }
}

pub async fn post_and_its_audit_entry_in_one_transaction<H: Harness>(h: &H) {
    let s = h.store();
    let author = user(s, "ann", Role::Staff).await;
    s.append_audit(entry("login.succeeded", 1)).await.unwrap();
    let (created, first, logged) = s
        .create_post(
            NewPost {
                author: author.id,
                kind: PostKind::Post,
                channel: Channel::Official {
                    handle: "@AlderbrookHealth".into(),
                },
                identifies_employer: true,
                scheduled_at: None,
                status: PostStatus::PendingReview,
                first_version: version(author.id, "Health fair on Saturday"),
            },
            NewAuditEntry {
                actor: None,
                action: "post.submitted".into(),
                subject: None,
                details: json!({"version": 1}),
            },
        )
        .await
        .unwrap();
    assert_eq!(first.version, 1);
    // After `user.created` and the sign-in.
    assert_eq!(logged.seq, 3);
    assert_eq!(
        logged.subject.as_deref(),
        Some(format!("post:{}", created.id).as_str())
    );
    // What the write answered is what was stored.
    assert_eq!(s.get_post(created.id).await.unwrap().unwrap(), created);
    assert!(s.versions(created.id).await.unwrap() == vec![first.clone()]);
    assert_eq!(s.audit_entries(2, 10).await.unwrap(), vec![logged.clone()]);
    assert_eq!(created.author, author.id);
    assert_eq!(created.revision, 1);
    assert_eq!(first.text, "Health fair on Saturday");
    assert_eq!(s.verify_chain().await.unwrap(), 3);
    // A post that cannot be stored (unknown author) leaves no audit entry behind.
    let orphan = s
        .create_post(
            NewPost {
                author: UserId(9999),
                kind: PostKind::Post,
                channel: Channel::Personal,
                identifies_employer: false,
                scheduled_at: None,
                status: PostStatus::Cleared,
                first_version: version(UserId(9999), "x"),
            },
            entry("post.submitted", 3),
        )
        .await;
    assert!(orphan.is_err());
    assert_eq!(s.verify_chain().await.unwrap(), 3);
}

pub async fn audit_append_and_verify<H: Harness>(h: &H) {
    let s = h.store();
    assert_eq!(s.verify_chain().await.unwrap(), 0, "an empty log verifies");
    assert_eq!(s.last_audit_seq().await.unwrap(), 0);
    let first = s.append_audit(entry("login.succeeded", 1)).await.unwrap();
    assert_eq!(first.seq, 1);
    assert_eq!(first.prev_hash, postguard_store::audit::GENESIS_HASH);
    assert_eq!(first.details, r#"{"a":"x","b":[1,2],"n":1}"#, "canonical");
    let anonymous = s
        .append_audit(NewAuditEntry {
            actor: None,
            action: "login.failed".into(),
            subject: None,
            details: json!({}),
        })
        .await
        .unwrap();
    assert_eq!(anonymous.seq, 2);
    assert_eq!(anonymous.prev_hash, first.hash);
    for n in 3..=5 {
        s.append_audit(entry("post.submitted", n)).await.unwrap();
    }
    assert_eq!(s.verify_chain().await.unwrap(), 5);
    assert_eq!(s.last_audit_seq().await.unwrap(), 5);

    // Export in pages, as stored.
    let page = s.audit_entries(0, 2).await.unwrap();
    assert_eq!(page, vec![first, anonymous]);
    let rest = s.audit_entries(2, 100).await.unwrap();
    assert_eq!(rest.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
    assert_eq!(rest[0].actor.as_ref().unwrap().name, "user3");
    assert_eq!(rest[0].actor.as_ref().unwrap().user_id, Some(UserId(3)));
    assert_eq!(rest[0].subject.as_deref(), Some("post:3"));

    // The application cannot change entries: the table refuses updates and deletes.
    for sql in [
        "DELETE FROM audit_log WHERE seq = 1",
        "UPDATE audit_log SET action = 'x' WHERE seq = 2",
    ] {
        let refused = h.try_execute(sql).await.unwrap_err();
        assert!(refused.contains("append-only"), "{refused}");
    }
    assert_eq!(s.verify_chain().await.unwrap(), 5);
}

pub async fn concurrent_audit_appends_keep_one_chain<H: Harness>(h: &H) {
    let s = h.store();
    let (a, b, c, d) = tokio::join!(
        s.append_audit(entry("a", 1)),
        s.append_audit(entry("b", 2)),
        s.append_audit(entry("c", 3)),
        s.append_audit(entry("d", 4)),
    );
    let mut seqs = vec![
        a.unwrap().seq,
        b.unwrap().seq,
        c.unwrap().seq,
        d.unwrap().seq,
    ];
    seqs.sort();
    assert_eq!(seqs, [1, 2, 3, 4]);
    assert_eq!(s.verify_chain().await.unwrap(), 4);
}

pub async fn tampered_details_are_found<H: Harness>(h: &H) {
    audit_log_of(h, 4).await;
    h.execute(H::ALLOW_AUDIT_TAMPERING).await;
    h.execute(r#"UPDATE audit_log SET details = '{"a":"y","b":[1,2],"n":2}' WHERE seq = 2"#)
        .await;
    let chain_break = expect_break(h.store().verify_chain().await);
    assert_eq!(
        chain_break,
        ChainBreak {
            seq: 2,
            problem: ChainProblem::Altered
        }
    );
    let message = StoreError::ChainBroken(chain_break).to_string();
    assert!(message.contains("entry 2 was altered"), "{message}");
}

pub async fn deleted_entry_is_found<H: Harness>(h: &H) {
    audit_log_of(h, 4).await;
    h.execute(H::ALLOW_AUDIT_TAMPERING).await;
    h.execute("DELETE FROM audit_log WHERE seq = 3").await;
    let chain_break = expect_break(h.store().verify_chain().await);
    assert_eq!(
        chain_break,
        ChainBreak {
            seq: 3,
            problem: ChainProblem::Missing
        }
    );
    assert!(chain_break.to_string().contains("entry 3 is missing"));
}

pub async fn swapped_entries_are_found<H: Harness>(h: &H) {
    audit_log_of(h, 4).await;
    h.execute(H::ALLOW_AUDIT_TAMPERING).await;
    // Three steps: the primary key refuses a duplicate seq even for a moment.
    h.execute("UPDATE audit_log SET seq = -1 WHERE seq = 2")
        .await;
    h.execute("UPDATE audit_log SET seq = 2 WHERE seq = 3")
        .await;
    h.execute("UPDATE audit_log SET seq = 3 WHERE seq = -1")
        .await;
    let chain_break = expect_break(h.store().verify_chain().await);
    assert_eq!(
        chain_break,
        ChainBreak {
            seq: 2,
            problem: ChainProblem::Misplaced
        }
    );
    assert!(chain_break.to_string().contains("reordered"));
}

pub async fn rehashed_entry_is_found<H: Harness>(h: &H) {
    // An intruder who changes an entry and recomputes its hash breaks the link to the next one.
    audit_log_of(h, 4).await;
    let mut forged = h.store().audit_entries(1, 1).await.unwrap().remove(0);
    assert_eq!(forged.seq, 2);
    forged.details = r#"{"a":"forged"}"#.into();
    forged.hash = HashInput::of(&forged).hash();
    h.execute(H::ALLOW_AUDIT_TAMPERING).await;
    h.execute(&format!(
        "UPDATE audit_log SET details = '{}', hash = '{}' WHERE seq = 2",
        forged.details, forged.hash
    ))
    .await;
    let chain_break = expect_break(h.store().verify_chain().await);
    assert_eq!(
        chain_break,
        ChainBreak {
            seq: 3,
            problem: ChainProblem::Misplaced
        }
    );
}
