//! The storage trait the server is generic over.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::audit::ChainVerifier;
use crate::error::StoreError;
use crate::model::{
    ApiToken, ApiTokenId, Audit, AuditEntry, Decision, HistoryEvent, LoginFailures, NewApiToken,
    NewAuditEntry, NewDecision, NewPost, NewSession, NewUser, NewVersion, Post, PostId, PostStatus,
    PostVersion, Role, Session, SignedOut, TotpSecret, User, UserId,
};

/// A store operation's result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How many audit entries `verify_chain` reads per query.
const VERIFY_PAGE: u32 = 1000;

/// Everything the server stores: users and their credentials, sessions, API tokens, posts with
/// their versions and review decisions, and the audit log.
///
/// Every write is one transaction, committed before the returned future completes: nothing is
/// acknowledged that a crash could lose. Every change an organisation must be able to account
/// for (accounts, roles, credentials, tokens, posts and their decisions, holds, expiry, purges)
/// takes the [`Audit`] entry that records it and appends it in that same transaction: the change
/// and its record are committed together or not at all. What needs no record of its own (a
/// session touched, a failed sign-in counted, a TOTP step used) takes none; events that change
/// nothing stored (sign-ins, exports) are appended with [`Store::append_audit`]. Times the store records itself (`created_at`,
/// `updated_at`, `last_seen_at`, an audit entry's `at`) come from the store's clock and are kept
/// with microsecond precision on every backend.
///
/// The methods are written `fn ... -> impl Future<Output = ...> + Send` rather than `async fn`
/// (implementations still use `async fn`): a bare `async fn` in a public trait does not promise
/// a `Send` future, and the server's handlers, generic over `S: Store`, run on a multi-threaded
/// runtime that needs one. This needs no `async-trait` boxing; the trait is not object safe,
/// which the server does not need.
pub trait Store: Send + Sync {
    // ----- users -----

    /// Creates a user. `StoreError::Duplicate("username")` when the username is taken, ignoring
    /// case.
    fn create_user(
        &self,
        user: NewUser,
        audit: Audit<User>,
    ) -> impl Future<Output = Result<User>> + Send;

    /// The user with this id.
    fn get_user(&self, id: UserId) -> impl Future<Output = Result<Option<User>>> + Send;

    /// The user with this username, ignoring case.
    fn get_user_by_username(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<User>>> + Send;

    /// Every user, by id.
    fn list_users(&self) -> impl Future<Output = Result<Vec<User>>> + Send;

    /// Changes a user's role and ends what was granted under the old one: every session, and
    /// every API token not yet revoked. `NotFound("user")` if there is no such user;
    /// `LastAdmin` (nothing changed) if it would leave no enabled admin, checked in the same
    /// transaction, so two admins demoting each other at once cannot both succeed.
    fn set_role(
        &self,
        id: UserId,
        role: Role,
        audit: Audit<SignedOut>,
    ) -> impl Future<Output = Result<SignedOut>> + Send;

    /// Replaces a user's password hash (an argon2id PHC string) and sets whether the user must
    /// change it (`must_change`: someone else chose it), clears any sign-in lock, and ends every
    /// session of the user except `keep_session` (the hash of the session that made the change,
    /// if it was the user's own). API tokens are kept.
    fn set_password_hash(
        &self,
        id: UserId,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
        audit: Audit<SignedOut>,
    ) -> impl Future<Output = Result<SignedOut>> + Send;

    /// Disables a user, ending every session (`true`), or enables it again and clears any
    /// sign-in lock (`false`). Tokens are kept: a disabled user's tokens are refused, and work
    /// again once it is enabled. Disabling the last enabled admin is `LastAdmin`, as for
    /// [`Store::set_role`].
    fn set_disabled(
        &self,
        id: UserId,
        disabled: bool,
        audit: Audit<SignedOut>,
    ) -> impl Future<Output = Result<SignedOut>> + Send;

    /// Replaces the stored form of a user's TOTP secret (the same key, sealed anew) and keeps
    /// everything else: whether TOTP is on and the last accepted step.
    fn reseal_totp_secret(
        &self,
        id: UserId,
        secret: &TotpSecret,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Stores a new TOTP secret for a user, not yet in use: TOTP stays (or is turned) off and
    /// the last accepted step is forgotten until [`Store::enable_totp`] confirms it.
    fn set_totp_secret(
        &self,
        id: UserId,
        secret: &TotpSecret,
        audit: Audit<()>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Turns TOTP on with these recovery code hashes (replacing any), in one transaction: the
    /// codes exist whenever TOTP is on. Needs a secret: `NotFound("totp secret")`.
    fn enable_totp(
        &self,
        id: UserId,
        recovery_code_hashes: &[String],
        audit: Audit<()>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Removes a user's second factor (an admin's reset, for a lost phone): the secret, the
    /// last accepted step and every recovery code, and ends the user's sessions. The user signs
    /// in with the password and enrols again.
    fn reset_totp(
        &self,
        id: UserId,
        audit: Audit<SignedOut>,
    ) -> impl Future<Output = Result<SignedOut>> + Send;

    /// Records that a TOTP code for time step `step` was accepted, in one conditional update:
    /// `true` only if the user has a secret and `step` is later than the last accepted step, so
    /// a code can never be used twice, even by two requests at once.
    fn accept_totp_step(&self, id: UserId, step: i64) -> impl Future<Output = Result<bool>> + Send;

    /// Deletes the recovery code with this hash: `true` if it existed, so each code works once.
    /// The codes are long random strings, so an unsalted SHA-256 hex is enough and lets a code
    /// be found by its hash.
    fn consume_recovery_code(
        &self,
        id: UserId,
        code_hash: &str,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// How many recovery codes a user has left.
    fn recovery_codes_left(&self, id: UserId) -> impl Future<Output = Result<u32>> + Send;

    /// Counts a failed login. When the count reaches `max_failures`, logins are locked until
    /// `lock_until`. One atomic update: concurrent failures are all counted.
    fn record_login_failure(
        &self,
        id: UserId,
        max_failures: u32,
        lock_until: DateTime<Utc>,
    ) -> impl Future<Output = Result<LoginFailures>> + Send;

    /// Clears the failed-login count and any lock (after a successful login or by an admin).
    fn reset_login_failures(&self, id: UserId) -> impl Future<Output = Result<()>> + Send;

    // ----- sessions -----

    /// Creates a session. `NotFound("user")` when the user does not exist.
    fn create_session(&self, session: NewSession) -> impl Future<Output = Result<Session>> + Send;

    /// The session whose cookie hashes to `id_hash`.
    fn get_session(&self, id_hash: &str) -> impl Future<Output = Result<Option<Session>>> + Send;

    /// The session whose cookie hashes to `id_hash` with its user, in one query (what every
    /// signed-in request needs; the same as `get_session` then `get_user`).
    fn get_session_with_user(
        &self,
        id_hash: &str,
    ) -> impl Future<Output = Result<Option<(Session, User)>>> + Send;

    /// Sets a session's `last_seen_at` to now. `NotFound("session")` if it is gone.
    fn touch_session(&self, id_hash: &str) -> impl Future<Output = Result<()>> + Send;

    /// Deletes a session (logout): `true` if it existed.
    fn delete_session(&self, id_hash: &str) -> impl Future<Output = Result<bool>> + Send;

    /// Deletes every session of a user (password change, disable): how many there were.
    fn delete_user_sessions(&self, user: UserId) -> impl Future<Output = Result<u64>> + Send;

    // ----- API tokens -----

    /// Creates an API token. `Duplicate("api token")` if the hash is already stored.
    fn create_api_token(
        &self,
        token: NewApiToken,
        audit: Audit<ApiToken>,
    ) -> impl Future<Output = Result<ApiToken>> + Send;

    /// The unrevoked token with this hash.
    fn get_api_token_by_hash(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<ApiToken>>> + Send;

    /// A user's tokens, revoked ones included, by id.
    fn list_api_tokens(&self, user: UserId) -> impl Future<Output = Result<Vec<ApiToken>>> + Send;

    /// Revokes a token: `true` if this revoked it, `false` (and no audit entry) if it already
    /// was, which keeps the first time. `NotFound("api token")` if there is no such token.
    fn revoke_api_token(
        &self,
        id: ApiTokenId,
        audit: Audit<()>,
    ) -> impl Future<Output = Result<bool>> + Send;

    // ----- posts -----

    /// Creates a post with its version 1, at revision 1, and appends `audit` (its subject set
    /// to `post:<id>`) in one transaction: one commit for a submission and its record.
    fn create_post(
        &self,
        post: NewPost,
        audit: NewAuditEntry,
    ) -> impl Future<Output = Result<(Post, PostVersion, AuditEntry)>> + Send;

    /// The post with this id.
    fn get_post(&self, id: PostId) -> impl Future<Output = Result<Option<Post>>> + Send;

    /// Stores the next version of a post and sets its status, if the post is still at
    /// `expected_revision`; otherwise `Conflict` and nothing changes.
    fn add_version(
        &self,
        id: PostId,
        expected_revision: i64,
        version: NewVersion,
        new_status: PostStatus,
        audit: Audit<(Post, PostVersion)>,
    ) -> impl Future<Output = Result<(Post, PostVersion)>> + Send;

    /// Sets a post's status, if it is still at `expected_revision`; otherwise `Conflict`.
    fn set_status(
        &self,
        id: PostId,
        expected_revision: i64,
        new_status: PostStatus,
        audit: Audit<Post>,
    ) -> impl Future<Output = Result<Post>> + Send;

    /// Records a reviewer's decision and sets the post's status in one transaction, if the post
    /// is still at `expected_revision`; otherwise `Conflict` and nothing changes. Of two
    /// reviewers deciding on the same revision at once, exactly one succeeds.
    fn decide(
        &self,
        id: PostId,
        expected_revision: i64,
        decision: NewDecision,
        new_status: PostStatus,
        audit: Audit<(Post, Decision)>,
    ) -> impl Future<Output = Result<(Post, Decision)>> + Send;

    /// Puts a post under legal hold or releases it. Does not change its revision (a hold is not
    /// an edit and must not make a reviewer's pending decision fail).
    fn set_legal_hold(
        &self,
        id: PostId,
        hold: bool,
        audit: Audit<Post>,
    ) -> impl Future<Output = Result<Post>> + Send;

    /// A user's posts, newest first.
    fn posts_by_author(&self, author: UserId) -> impl Future<Output = Result<Vec<Post>>> + Send;

    /// Posts pending review, the longest waiting first (by the time they last changed), at most
    /// `limit`.
    fn review_queue(&self, limit: u32) -> impl Future<Output = Result<Vec<Post>>> + Send;

    /// How many posts are pending review (the whole queue, not only a page of it).
    fn review_queue_length(&self) -> impl Future<Output = Result<u64>> + Send;

    /// Every version of a post, oldest first.
    fn versions(&self, id: PostId) -> impl Future<Output = Result<Vec<PostVersion>>> + Send;

    /// Every decision on a post, oldest first.
    fn decisions(&self, id: PostId) -> impl Future<Output = Result<Vec<Decision>>> + Send;

    /// Marks `expired` every post pending review or waiting for changes whose `scheduled_at` is
    /// at or before `now`, and appends one copy of `audit` for each (its subject set to
    /// `post:<id>`), in one transaction; returns their ids.
    fn expire_due(
        &self,
        now: DateTime<Utc>,
        audit: NewAuditEntry,
    ) -> impl Future<Output = Result<Vec<PostId>>> + Send;

    /// Deletes the posts (with their versions and decisions) in one of `statuses` last updated
    /// before `older_than`, except those under legal hold; returns their ids. The retention
    /// policy (usually `rejected` and `expired`) is the caller's. `audit` is appended in the same
    /// transaction, even when nothing was purged (the run itself is on record).
    fn purge(
        &self,
        older_than: DateTime<Utc>,
        statuses: &[PostStatus],
        audit: Audit<Vec<PostId>>,
    ) -> impl Future<Output = Result<Vec<PostId>>> + Send;

    /// A post's versions and decisions in the order they happened (for export).
    fn post_history(&self, id: PostId) -> impl Future<Output = Result<Vec<HistoryEvent>>> + Send {
        async move {
            let mut events: Vec<HistoryEvent> = self
                .versions(id)
                .await?
                .into_iter()
                .map(HistoryEvent::Version)
                .collect();
            events.extend(
                self.decisions(id)
                    .await?
                    .into_iter()
                    .map(HistoryEvent::Decision),
            );
            // Stable: at equal times a version stays before the decisions.
            events.sort_by_key(HistoryEvent::at);
            Ok(events)
        }
    }

    // ----- audit log -----

    /// Appends an entry to the audit log, chained to the previous one (see [`crate::audit`]), for
    /// an event that changes nothing else stored (a sign-in, an export, a policy loaded).
    /// Appends are serialised, so two at once never fork the chain.
    fn append_audit(&self, entry: NewAuditEntry)
        -> impl Future<Output = Result<AuditEntry>> + Send;

    /// Up to `limit` audit entries with seq greater than `after_seq`, in seq order (start with
    /// 0; continue after the last seq returned).
    fn audit_entries(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AuditEntry>>> + Send;

    /// The seq of the last audit entry (0 for an empty log): where an export that starts now
    /// ends, whatever is appended while it runs.
    fn last_audit_seq(&self) -> impl Future<Output = Result<i64>> + Send;

    /// Walks the whole audit log in seq order and returns how many entries it holds, or
    /// `StoreError::ChainBroken` naming the first entry that was altered, removed or moved.
    fn verify_chain(&self) -> impl Future<Output = Result<u64>> + Send {
        async move {
            let mut verifier = ChainVerifier::new();
            let mut after = 0;
            loop {
                let page = self.audit_entries(after, VERIFY_PAGE).await?;
                let Some(last) = page.last() else {
                    return Ok(verifier.count());
                };
                after = last.seq;
                for entry in &page {
                    verifier.check(entry).map_err(StoreError::ChainBroken)?;
                }
            }
        }
    }
}
