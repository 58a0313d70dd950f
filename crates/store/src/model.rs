//! The stored records and the values written to create them.
//!
//! Types that hold a password hash, a TOTP secret, a CSRF token, post text, a scan result or a
//! reviewer's note have hand-written `Debug` impls that print `<redacted>` in their place, so a
//! stray `{:?}` in a log line never leaks them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// Shown instead of a secret or patient-identifying value in `Debug` output.
const REDACTED: &str = "<redacted>";

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A user's id, assigned by the store.
    UserId
);
id_type!(
    /// A post's id, assigned by the store.
    PostId
);
id_type!(
    /// An API token's id, assigned by the store (not the token, not its hash).
    ApiTokenId
);
id_type!(
    /// A review decision's id, assigned by the store.
    DecisionId
);

/// Declares a string-coded enum: its variants, their stored spelling, `as_str` and `FromStr`.
macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling stored in the database and used in exports.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = StoreError;

            fn from_str(s: &str) -> Result<Self, StoreError> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err(StoreError::Corrupt(format!(
                        "unknown {} {:?}", stringify!($name), s
                    ))),
                }
            }
        }
    };
}

coded_enum!(
    /// What a user may do in the server.
    Role {
        /// Writes posts and submits them for review.
        Staff = "staff",
        /// Reviews posts in the queue.
        Reviewer = "reviewer",
        /// Compliance officers: review, legal hold, audit export.
        Compliance = "compliance",
        /// Manages users and settings.
        Admin = "admin",
    }
);

coded_enum!(
    /// What kind of text a post is (the scanner's rules differ slightly).
    PostKind {
        /// A top-level post.
        Post = "post",
        /// A reply to someone else's post.
        Reply = "reply",
        /// A comment under a post.
        Comment = "comment",
    }
);

coded_enum!(
    /// Where a post is in the review workflow.
    PostStatus {
        /// The scanner found nothing that needs review; the author may publish.
        Cleared = "cleared",
        /// Waiting in the review queue.
        PendingReview = "pending_review",
        /// A reviewer asked the author for changes.
        ChangesRequested = "changes_requested",
        /// A reviewer approved it.
        Approved = "approved",
        /// A reviewer rejected it.
        Rejected = "rejected",
        /// Its scheduled time passed before it was approved.
        Expired = "expired",
    }
);

coded_enum!(
    /// A reviewer's verdict on one version of a post.
    Verdict {
        /// The version may be published.
        Approve = "approve",
        /// The version must not be published.
        Reject = "reject",
        /// The author must change the post and submit a new version.
        RequestChanges = "request_changes",
    }
);

/// Where a post will be published.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Channel {
    /// One of the organisation's official accounts, by handle.
    Official {
        /// The account's handle, e.g. `@AlderbrookRMC`.
        handle: String,
    },
    /// The author's personal account.
    Personal,
}

impl Channel {
    /// The official handle, or `None` for a personal channel (how it is stored).
    pub fn official_handle(&self) -> Option<&str> {
        match self {
            Channel::Official { handle } => Some(handle),
            Channel::Personal => None,
        }
    }

    /// The channel stored as an optional official handle.
    pub fn from_official_handle(handle: Option<String>) -> Self {
        match handle {
            Some(handle) => Channel::Official { handle },
            None => Channel::Personal,
        }
    }
}

/// A TOTP shared secret (the raw key bytes, not base32).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    /// Wraps the raw key bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        TotpSecret(bytes)
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// A user to create.
#[derive(Clone)]
pub struct NewUser {
    /// Login name; unique ignoring case.
    pub username: String,
    /// Name shown in the interface.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The argon2id PHC string (`$argon2id$v=19$...`); the store never sees the password.
    pub password_hash: String,
    /// The password was chosen by someone else (an admin, or generated and printed once): the
    /// user must change it before doing anything else.
    pub must_change_password: bool,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("password_hash", &REDACTED)
            .field("must_change_password", &self.must_change_password)
            .finish()
    }
}

/// A stored user.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// Assigned by the store.
    pub id: UserId,
    /// Login name as typed at creation (lookups ignore case).
    pub username: String,
    /// Name shown in the interface.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The argon2id PHC string.
    pub password_hash: String,
    /// The TOTP secret, once enrolment started.
    pub totp_secret: Option<TotpSecret>,
    /// Whether a TOTP code is required at login (set after the first code was confirmed).
    pub totp_enabled: bool,
    /// The last TOTP time step accepted; a code for this step or an earlier one is refused.
    pub totp_last_step: Option<i64>,
    /// Failed logins since the last successful one.
    pub failed_logins: u32,
    /// Logins are refused until this time.
    pub locked_until: Option<DateTime<Utc>>,
    /// A disabled user cannot log in.
    pub disabled: bool,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// The password was chosen by someone else: it must be changed before anything else.
    pub must_change_password: bool,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("password_hash", &REDACTED)
            .field("totp_secret", &self.totp_secret.as_ref().map(|_| REDACTED))
            .field("totp_enabled", &self.totp_enabled)
            .field("totp_last_step", &self.totp_last_step)
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .field("disabled", &self.disabled)
            .field("created_at", &self.created_at)
            .field("must_change_password", &self.must_change_password)
            .finish()
    }
}

/// The failed-login counters after `record_login_failure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    /// Failed logins since the last successful one, this one included.
    pub failed_logins: u32,
    /// Logins are refused until this time.
    pub locked_until: Option<DateTime<Utc>>,
}

/// A login session to create. The cookie's value is never stored, only its hash.
#[derive(Clone)]
pub struct NewSession {
    /// SHA-256 hex of the session cookie's value.
    pub id_hash: String,
    /// Whose session it is.
    pub user_id: UserId,
    /// The session's CSRF token.
    pub csrf_token: String,
}

impl fmt::Debug for NewSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSession")
            .field("id_hash", &self.id_hash)
            .field("user_id", &self.user_id)
            .field("csrf_token", &REDACTED)
            .finish()
    }
}

/// A stored login session.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 hex of the session cookie's value.
    pub id_hash: String,
    /// Whose session it is.
    pub user_id: UserId,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// When the session was created.
    pub created_at: DateTime<Utc>,
    /// The last request seen with this session.
    pub last_seen_at: DateTime<Utc>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id_hash", &self.id_hash)
            .field("user_id", &self.user_id)
            .field("csrf_token", &REDACTED)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .finish()
    }
}

/// An API token to create. The token itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    /// Whose token it is.
    pub user_id: UserId,
    /// A label chosen by the user.
    pub name: String,
    /// SHA-256 hex of the token.
    pub token_hash: String,
    /// What the token may do, e.g. `posts:submit`.
    pub scopes: Vec<String>,
}

/// A stored API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Assigned by the store.
    pub id: ApiTokenId,
    /// Whose token it is.
    pub user_id: UserId,
    /// A label chosen by the user.
    pub name: String,
    /// SHA-256 hex of the token.
    pub token_hash: String,
    /// What the token may do.
    pub scopes: Vec<String>,
    /// When the token was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked; a revoked token is never returned by a lookup by hash.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An image or video attached to a post, as the scanner and reviewers see it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The alt text the author wrote.
    pub alt_text: String,
    /// Whether the author said it shows a person (consent is needed).
    pub shows_person: bool,
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("alt_text", &REDACTED)
            .field("shows_person", &self.shows_person)
            .finish()
    }
}

/// A version of a post to store.
#[derive(Clone)]
pub struct NewVersion {
    /// The post's text.
    pub text: String,
    /// Its attachments.
    pub attachments: Vec<Attachment>,
    /// The version string of the policy it was scanned with.
    pub policy_version: String,
    /// The scanner's report, as JSON.
    pub scan_result: String,
    /// Who wrote this version.
    pub author: UserId,
}

impl fmt::Debug for NewVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewVersion")
            .field("text", &REDACTED)
            .field("attachments", &self.attachments)
            .field("policy_version", &self.policy_version)
            .field("scan_result", &REDACTED)
            .field("author", &self.author)
            .finish()
    }
}

/// A post to create, with its first version.
#[derive(Debug, Clone)]
pub struct NewPost {
    /// Who wrote it.
    pub author: UserId,
    /// Post, reply or comment.
    pub kind: PostKind,
    /// Where it will be published.
    pub channel: Channel,
    /// Whether the author's profile identifies the employer.
    pub identifies_employer: bool,
    /// When it should be published; it expires if not approved by then.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The status it starts in (`cleared` or `pending_review`).
    pub status: PostStatus,
    /// Version 1.
    pub first_version: NewVersion,
}

/// A stored post (its texts are in its versions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Post {
    /// Assigned by the store.
    pub id: PostId,
    /// Who wrote it.
    pub author: UserId,
    /// Post, reply or comment.
    pub kind: PostKind,
    /// Where it will be published.
    pub channel: Channel,
    /// Whether the author's profile identifies the employer.
    pub identifies_employer: bool,
    /// When it should be published.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Where it is in the workflow.
    pub status: PostStatus,
    /// A post under legal hold is never purged.
    pub legal_hold: bool,
    /// Starts at 1 and grows by one with every new version, status change or decision; writes
    /// that name an older revision fail with `StoreError::Conflict`.
    pub revision: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The last new version, status change or decision.
    pub updated_at: DateTime<Utc>,
}

/// A stored version of a post; every version is kept.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct PostVersion {
    /// The post.
    pub post_id: PostId,
    /// 1, 2, ...
    pub version: i64,
    /// The text.
    pub text: String,
    /// Its attachments.
    pub attachments: Vec<Attachment>,
    /// The version string of the policy it was scanned with.
    pub policy_version: String,
    /// The scanner's report, as JSON.
    pub scan_result: String,
    /// Who wrote this version.
    pub author: UserId,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

impl fmt::Debug for PostVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostVersion")
            .field("post_id", &self.post_id)
            .field("version", &self.version)
            .field("text", &REDACTED)
            .field("attachments", &self.attachments)
            .field("policy_version", &self.policy_version)
            .field("scan_result", &REDACTED)
            .field("author", &self.author)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// A reviewer's decision to record.
#[derive(Clone)]
pub struct NewDecision {
    /// The version decided on (must exist).
    pub version: i64,
    /// The review step's name, e.g. `communications`.
    pub step: String,
    /// Who decided.
    pub reviewer: UserId,
    /// The verdict.
    pub verdict: Verdict,
    /// A note only reviewers and compliance see.
    pub note: Option<String>,
    /// The reason given to the author ("please leave out the room number").
    pub reason: Option<String>,
}

impl fmt::Debug for NewDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewDecision")
            .field("version", &self.version)
            .field("step", &self.step)
            .field("reviewer", &self.reviewer)
            .field("verdict", &self.verdict)
            .field("note", &self.note.as_ref().map(|_| REDACTED))
            .field("reason", &self.reason.as_ref().map(|_| REDACTED))
            .finish()
    }
}

/// A stored decision.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Assigned by the store.
    pub id: DecisionId,
    /// The post.
    pub post_id: PostId,
    /// The version decided on.
    pub version: i64,
    /// The review step's name.
    pub step: String,
    /// Who decided.
    pub reviewer: UserId,
    /// The verdict.
    pub verdict: Verdict,
    /// A note only reviewers and compliance see.
    pub note: Option<String>,
    /// The reason given to the author.
    pub reason: Option<String>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

impl fmt::Debug for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decision")
            .field("id", &self.id)
            .field("post_id", &self.post_id)
            .field("version", &self.version)
            .field("step", &self.step)
            .field("reviewer", &self.reviewer)
            .field("verdict", &self.verdict)
            .field("note", &self.note.as_ref().map(|_| REDACTED))
            .field("reason", &self.reason.as_ref().map(|_| REDACTED))
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// One event of a post's history, for export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum HistoryEvent {
    /// A version was stored.
    Version(PostVersion),
    /// A reviewer decided.
    Decision(Decision),
}

impl HistoryEvent {
    /// When the event happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            HistoryEvent::Version(v) => v.created_at,
            HistoryEvent::Decision(d) => d.created_at,
        }
    }
}

/// Who did what an audit entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user, when the actor is a known user.
    pub user_id: Option<UserId>,
    /// The name at the time (a username, or e.g. `system` or `cli`).
    pub name: String,
}

/// An audit entry to append. `details` must never hold secrets or post text.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// Who did it; `None` for an anonymous request.
    pub actor: Option<Actor>,
    /// What happened, e.g. `login.failed`, `post.submitted`.
    pub action: String,
    /// What it happened to, e.g. `post:42` or `user:alice`.
    pub subject: Option<String>,
    /// Anything else, as JSON (stored in canonical form, see [`crate::audit`]).
    pub details: serde_json::Value,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// 1, 2, ... without gaps.
    pub seq: i64,
    /// When it was appended (microsecond precision).
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: Option<Actor>,
    /// What happened.
    pub action: String,
    /// What it happened to.
    pub subject: Option<String>,
    /// The details as canonical JSON text, exactly as hashed.
    pub details: String,
    /// The previous entry's hash (64 zeros for the first entry).
    pub prev_hash: String,
    /// SHA-256 hex of this entry's canonical encoding, see [`crate::audit`].
    pub hash: String,
}

/// The audit entry a change appends in its own transaction, made from what the change did (the
/// new user's id, how many sessions it ended, which posts it purged). Either the change and its
/// entry are both committed, or neither is: no change goes unrecorded after a crash, and no
/// entry records a change that did not happen.
pub struct Audit<T: ?Sized>(Box<dyn FnOnce(&T) -> NewAuditEntry + Send>);

impl<T: ?Sized> Audit<T> {
    /// The entry `make` builds from the change's outcome, once the change's statements ran.
    pub fn with(make: impl FnOnce(&T) -> NewAuditEntry + Send + 'static) -> Self {
        Audit(Box::new(make))
    }

    /// The entry for this outcome.
    pub(crate) fn entry_for(self, outcome: &T) -> NewAuditEntry {
        (self.0)(outcome)
    }
}

/// A fixed entry, whatever the outcome.
impl<T: ?Sized> From<NewAuditEntry> for Audit<T> {
    fn from(entry: NewAuditEntry) -> Self {
        Audit::with(move |_| entry)
    }
}

impl<T: ?Sized> fmt::Debug for Audit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Audit(..)")
    }
}

/// What a change to an account ended: its sessions and API tokens granted before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SignedOut {
    /// Sessions deleted.
    pub sessions: u64,
    /// API tokens revoked.
    pub tokens: u64,
}
