//! Postguard's storage layer: one [`Store`] trait, implemented for SQLite ([`SqliteStore`], the
//! default, one file) and PostgreSQL ([`PostgresStore`], for larger installations), each with its
//! own migrations (`migrations/sqlite/`, `migrations/postgres/`), and one test suite run against
//! both (`tests/suite/`).
//!
//! It stores users with their credentials (hashes only), sessions, API tokens, posts with every
//! version and every review decision, and a tamper-evident audit log (see [`audit`]). It knows
//! nothing of HTTP, of the review workflow's rules or of the scanner: the server decides, the
//! store records, atomically.

#[macro_use]
mod columns;
mod error;
mod group_commit;
mod model;
mod postgres;
mod sqlite;
mod store;

pub mod audit;

use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

pub use error::{ChainBreak, ChainProblem, DatabaseError, StoreError};
pub use model::{
    Actor, ApiToken, ApiTokenId, Attachment, Audit, AuditEntry, Channel, Decision, DecisionId,
    HistoryEvent, LoginFailures, NewApiToken, NewAuditEntry, NewDecision, NewPost, NewSession,
    NewUser, NewVersion, Post, PostId, PostKind, PostStatus, PostVersion, Role, Session, SignedOut,
    TotpSecret, User, UserId, Verdict,
};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use store::{Result, Store};

/// The driver, for callers that need its connection options (e.g. TLS settings).
pub use sqlx;

/// The SQLite file used when no database is configured, relative to the working directory.
pub const DEFAULT_SQLITE_PATH: &str = "postguard.db";

/// Which database a `DATABASE_URL`-style setting selects.
#[derive(Clone, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite {
        /// The file's path.
        path: PathBuf,
    },
    /// A PostgreSQL server.
    Postgres {
        /// The connection URL, as given.
        url: String,
    },
}

impl fmt::Debug for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backend::Sqlite { path } => f.debug_struct("Sqlite").field("path", path).finish(),
            Backend::Postgres { url } => f
                .debug_struct("Postgres")
                .field("url", &redact_url_password(url))
                .finish(),
        }
    }
}

/// Chooses the backend for a database setting: a URL starting with `postgres://` or
/// `postgresql://` is PostgreSQL; anything else is a SQLite file path (a `sqlite://` or `sqlite:`
/// prefix is dropped); no setting, or an empty one, is the SQLite file [`DEFAULT_SQLITE_PATH`].
pub fn backend_for(database_url: Option<&str>) -> Backend {
    let setting = database_url.map(str::trim).unwrap_or("");
    if setting.starts_with("postgres://") || setting.starts_with("postgresql://") {
        return Backend::Postgres {
            url: setting.to_owned(),
        };
    }
    let path = setting
        .strip_prefix("sqlite://")
        .or_else(|| setting.strip_prefix("sqlite:"))
        .unwrap_or(setting);
    let path = if path.is_empty() {
        DEFAULT_SQLITE_PATH
    } else {
        path
    };
    Backend::Sqlite {
        path: PathBuf::from(path),
    }
}

/// A connection URL with any password replaced by `***`, for logs.
pub fn redact_url_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let user_info = &authority[..at];
    match user_info.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &user_info[..colon],
            &rest[at..]
        ),
        None => url.to_owned(),
    }
}

/// Now, truncated to the microsecond: the precision both backends keep, so a value written and
/// read back compares equal (and audit hashes computed before writing still match after).
pub(crate) fn now() -> DateTime<Utc> {
    truncate_micros(Utc::now())
}

/// A time truncated to the microsecond.
pub(crate) fn truncate_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// Lower-cases a username for the unique, case-insensitive key (Unicode-aware, the same on
/// every backend).
pub(crate) fn username_key(username: &str) -> String {
    username.to_lowercase()
}

/// The `Conflict` error of a write that named revision `expected` of a post now at `current`.
pub(crate) fn conflict(id: PostId, expected: i64, current: i64) -> StoreError {
    StoreError::Conflict(format!(
        "post {id} is at revision {current}, not {expected}: it was changed by someone else"
    ))
}

/// A value as JSON text, for a TEXT column.
pub(crate) fn json_text<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))
}

/// A JSON TEXT column read back; `Corrupt` (without quoting the text, which may be patient data)
/// when it does not parse.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt(format!("invalid {what} JSON")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_rule() {
        let sqlite = |p: &str| Backend::Sqlite {
            path: PathBuf::from(p),
        };
        assert_eq!(backend_for(None), sqlite("postguard.db"));
        assert_eq!(backend_for(Some("")), sqlite("postguard.db"));
        assert_eq!(backend_for(Some("data/pg.db")), sqlite("data/pg.db"));
        assert_eq!(backend_for(Some("sqlite://x.db")), sqlite("x.db"));
        assert_eq!(backend_for(Some("sqlite:x.db")), sqlite("x.db"));
        assert_eq!(
            backend_for(Some("postgres://u@h/db")),
            Backend::Postgres {
                url: "postgres://u@h/db".into()
            }
        );
        assert_eq!(
            backend_for(Some("postgresql://h/db")),
            Backend::Postgres {
                url: "postgresql://h/db".into()
            }
        );
        // Not a PostgreSQL scheme: a (strange) file name.
        assert_eq!(backend_for(Some("postgres.db")), sqlite("postgres.db"));
    }

    #[test]
    fn backend_debug_hides_password() {
        let backend = backend_for(Some("postgres://app:s3cret@db:5432/pg?sslmode=require"));
        let shown = format!("{backend:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("postgres://app:***@db:5432/pg"), "{shown}");
        assert_eq!(
            redact_url_password("postgres://app@db/pg"),
            "postgres://app@db/pg"
        );
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let user = NewUser {
            username: "alice".into(),
            display_name: "Alice".into(),
            role: Role::Staff,
            password_hash: "$argon2id$v=19$secret-hash".into(),
            must_change_password: false,
        };
        let version = NewVersion {
            text: "Mrs. Alvarez in room 412".into(),
            attachments: vec![Attachment {
                alt_text: "Mr. Smith smiling".into(),
                shows_person: true,
            }],
            policy_version: "2026.1".into(),
            scan_result: r#"{"matched":"Alvarez"}"#.into(),
            author: UserId(1),
        };
        let session = NewSession {
            id_hash: "abc".into(),
            user_id: UserId(1),
            csrf_token: "csrf-secret".into(),
        };
        let decision = NewDecision {
            version: 1,
            step: "communications".into(),
            reviewer: UserId(2),
            verdict: Verdict::Reject,
            note: Some("patient is Mrs. Alvarez".into()),
            reason: Some("leave out Mr. Smith's room".into()),
        };
        let shown = format!(
            "{user:?} {version:?} {session:?} {decision:?} {:?}",
            TotpSecret::new(b"totp-key".to_vec())
        );
        for secret in [
            "secret-hash",
            "Alvarez",
            "Smith",
            "csrf-secret",
            "totp-key",
            "116, 111", // the TOTP bytes as a list
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}
