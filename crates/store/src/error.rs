//! The store's one error type.
//!
//! *Invariant:* no `Display` or `Debug` output of these errors contains a query's parameters,
//! post text or a secret. Database errors are summarised by kind and SQLSTATE code; the driver's
//! own error stays reachable through `std::error::Error::source` for an operator's log.

use std::fmt;

/// Everything a store operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record named does not exist (the argument says what kind of record).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A write named an outdated revision: someone else changed the record first. Nothing was
    /// written.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The change would leave no enabled admin (demoting or disabling the last one). Nothing
    /// was written.
    #[error("this is the last enabled admin")]
    LastAdmin,
    /// A value that must be unique is taken (the argument says which, e.g. `username`).
    #[error("{0} already exists")]
    Duplicate(&'static str),
    /// `verify_chain` found the audit log altered, shortened in the middle or reordered.
    #[error("audit chain broken: {0}")]
    ChainBroken(ChainBreak),
    /// A stored value could not be understood (e.g. an unknown status): the database was
    /// changed outside the store or by a newer version.
    #[error("stored data not understood: {0}")]
    Corrupt(String),
    /// The schema could not be brought up to date.
    #[error("database migration failed")]
    Migration(#[source] sqlx::migrate::MigrateError),
    /// The database failed or refused a statement.
    #[error(transparent)]
    Database(#[from] DatabaseError),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Database(DatabaseError(error))
    }
}

impl StoreError {
    /// Maps a unique violation to `Duplicate(what)` and a foreign-key violation to
    /// `NotFound(missing)`; anything else stays a database error.
    pub(crate) fn from_write(
        error: sqlx::Error,
        what: &'static str,
        missing: &'static str,
    ) -> Self {
        if let sqlx::Error::Database(db) = &error {
            if db.is_unique_violation() {
                return StoreError::Duplicate(what);
            }
            if db.is_foreign_key_violation() {
                return StoreError::NotFound(missing);
            }
        }
        StoreError::from(error)
    }
}

/// A database failure. Its `Display` and `Debug` name the kind of failure and the SQLSTATE code,
/// never the statement's parameters or the server's message (which may quote a value).
pub struct DatabaseError(sqlx::Error);

impl DatabaseError {
    /// The SQLSTATE (PostgreSQL) or extended result code (SQLite), when the database gave one.
    pub fn code(&self) -> Option<String> {
        match &self.0 {
            sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
            _ => None,
        }
    }

    fn summary(&self) -> &'static str {
        match &self.0 {
            sqlx::Error::Configuration(_) => "invalid database configuration",
            sqlx::Error::Database(_) => "the database refused the statement",
            sqlx::Error::Io(_) => "I/O error talking to the database",
            sqlx::Error::Tls(_) => "TLS error talking to the database",
            sqlx::Error::Protocol(_) => "database protocol error",
            sqlx::Error::RowNotFound => "expected row not found",
            sqlx::Error::TypeNotFound { .. } => "database type not found",
            sqlx::Error::ColumnIndexOutOfBounds { .. } | sqlx::Error::ColumnNotFound(_) => {
                "column missing from a result"
            }
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                "a stored value could not be decoded"
            }
            sqlx::Error::Encode(_) => "a value could not be encoded",
            sqlx::Error::PoolTimedOut => "timed out waiting for a database connection",
            sqlx::Error::PoolClosed => "the database pool is closed",
            sqlx::Error::WorkerCrashed => "the database worker crashed",
            sqlx::Error::Migrate(_) => "database migration failed",
            _ => "database error",
        }
    }
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.summary())?;
        if let Some(code) = self.code() {
            write!(f, " (code {code})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseError({self})")
    }
}

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// What is wrong with the audit log, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first entry found wrong: the altered entry, the first missing one, or the first one
    /// out of place.
    pub seq: i64,
    /// What is wrong with it.
    pub problem: ChainProblem,
}

/// The ways the audit chain can be broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainProblem {
    /// The entry's content no longer matches its hash: a field was changed.
    Altered,
    /// There is no entry with this seq: it was deleted.
    Missing,
    /// The entry's `prev_hash` is not the hash of the entry before it: entries were reordered or
    /// one was replaced.
    Misplaced,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match self.problem {
            ChainProblem::Altered => write!(
                f,
                "entry {seq} was altered: its content does not match its hash"
            ),
            ChainProblem::Missing => write!(f, "entry {seq} is missing: it was removed"),
            ChainProblem::Misplaced => write!(
                f,
                "entry {seq} does not follow entry {}: its prev_hash does not match \
                 (entries were reordered or replaced)",
                seq - 1
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_errors_show_no_message_or_value() {
        let error = StoreError::from(sqlx::Error::Configuration(
            "bad url postgres://app:hunter2@db/x".into(),
        ));
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(error.to_string(), "invalid database configuration");
    }
}
