//! The SQLite implementation: one file, WAL mode, foreign keys on, `synchronous = FULL`.
//!
//! Every write goes through one writer task ([`writer`]): callers queue their write as a job,
//! the writer runs the jobs waiting in one `BEGIN IMMEDIATE` transaction, each in a savepoint of
//! its own (a job that fails, e.g. with a revision `Conflict`, is rolled back alone), commits
//! once and only then answers each caller. SQLite has a single writer anyway; running them from
//! one task spares each write its own transaction, commit and fsync, and the hand-over of the
//! write lock between connections (profile before: ~930 submissions/s, each a transaction of its
//! own, most of it spent waking the next writer and the driver's worker threads, not in fsync).
//! `BEGIN IMMEDIATE` takes SQLite's write lock up front, so another process writing the same
//! file waits on the busy timeout rather than failing to upgrade a read lock; with one writer
//! and jobs run in order, the revision checks and the audit chain's "read the last hash, append"
//! are race-free.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite};

use crate::audit::{canonical_json, HashInput, GENESIS_HASH};
use crate::error::StoreError;
use crate::model::{
    Actor, ApiToken, ApiTokenId, Attachment, Audit, AuditEntry, Channel, Decision, DecisionId,
    LoginFailures, NewApiToken, NewAuditEntry, NewDecision, NewPost, NewSession, NewUser,
    NewVersion, Post, PostId, PostStatus, PostVersion, Role, Session, SignedOut, TotpSecret, User,
    UserId,
};
use crate::store::{Result, Store};
use crate::{conflict, from_json, json_text, now, truncate_micros, username_key};

type SqliteQuery<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

mod writer;

use crate::group_commit::BoxFuture;
use writer::{Batch, Writer};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for another writer's transaction before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The store on a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Every write is a job for this one writer task, which runs the jobs waiting in one
    /// transaction and commits them together (see [`writer`]).
    writer: Writer,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database file at `path` and brings its schema up to
    /// date: WAL journal, foreign keys on, full sync (a commit survives a power cut), a 10 s busy
    /// timeout.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        Self::open_with(options).await
    }

    /// Opens with the caller's connection options (foreign keys must stay on) and migrates.
    pub async fn open_with(options: SqliteConnectOptions) -> Result<Self> {
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await.map_err(StoreError::Migration)?;
        let writer = writer::start(pool.clone());
        Ok(SqliteStore { pool, writer })
    }

    /// Closes every connection (waiting for those in use to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Runs `work` as one job of the writer's next batch (see [`writer`]) and answers once the
    /// transaction holding it has committed. An error from `work` rolls back its statements and
    /// nothing else.
    async fn write<T, F>(&self, work: F) -> Result<T>
    where
        F: for<'c> FnOnce(&'c mut Batch) -> BoxFuture<'c, Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        self.writer.write(work).await
    }

    /// Runs `work` and then appends the audit entry made from its outcome, as one job: both are
    /// committed, or (if either fails) neither.
    async fn write_audited<T, F>(&self, audit: Audit<T>, work: F) -> Result<T>
    where
        F: for<'c> FnOnce(&'c mut Batch) -> BoxFuture<'c, Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        self.write(move |tx| {
            Box::pin(async move {
                let outcome = work(tx).await?;
                append_in(tx, audit.entry_for(&outcome)).await?;
                Ok(outcome)
            })
        })
        .await
    }

    /// After a conditional update matched nothing: `NotFound` if the post is gone, else
    /// `Conflict` naming the revision it is at.
    async fn revision_mismatch(
        conn: &mut SqliteConnection,
        id: PostId,
        expected: i64,
    ) -> StoreError {
        let current: std::result::Result<Option<i64>, _> =
            sqlx::query_scalar("SELECT revision FROM posts WHERE id = ?")
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await;
        match current {
            Ok(None) => StoreError::NotFound("post"),
            Ok(Some(current)) => conflict(id, expected, current),
            Err(error) => error.into(),
        }
    }

    async fn bump_revision(
        conn: &mut SqliteConnection,
        id: PostId,
        expected_revision: i64,
        new_status: PostStatus,
    ) -> Result<Post> {
        let row = sqlx::query(concat!(
            "UPDATE posts SET revision = revision + 1, status = ?, updated_at = ? ",
            "WHERE id = ? AND revision = ? RETURNING ",
            post_columns!()
        ))
        .bind(new_status.as_str())
        .bind(micros(now()))
        .bind(id.0)
        .bind(expected_revision)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            Some(row) => post_from_row(&row),
            None => Err(Self::revision_mismatch(conn, id, expected_revision).await),
        }
    }

    /// Runs one update of a user row in its own write transaction; `NotFound` if no row matched.
    async fn update_user(&self, query: SqliteQuery<'static>) -> Result<()> {
        self.write(move |tx| Box::pin(update_user_in(&mut tx.conn, query)))
            .await
    }
}

/// Runs one update of a user row; `NotFound` if no row matched.
async fn update_user_in(conn: &mut SqliteConnection, query: SqliteQuery<'_>) -> Result<()> {
    let done = query.execute(&mut *conn).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("user"));
    }
    Ok(())
}

/// Whether `user` is an enabled admin (before a change to it).
async fn enabled_admin(conn: &mut SqliteConnection, user: UserId) -> Result<bool> {
    let found: Option<bool> =
        sqlx::query_scalar("SELECT role = 'admin' AND disabled = 0 FROM users WHERE id = ?")
            .bind(user.0)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.unwrap_or(false))
}

/// After a change to a user who was an enabled admin: `LastAdmin` if none is left (the job's
/// savepoint then undoes the change).
async fn an_admin_is_left(conn: &mut SqliteConnection, was_admin: bool) -> Result<()> {
    if !was_admin {
        return Ok(());
    }
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0")
            .fetch_one(&mut *conn)
            .await?;
    if left == 0 {
        return Err(StoreError::LastAdmin);
    }
    Ok(())
}

/// Deletes a user's sessions, but for `keep` (a session's id hash): how many.
async fn end_sessions(
    conn: &mut SqliteConnection,
    user: UserId,
    keep: Option<&str>,
) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = ? AND id_hash IS NOT ?")
        .bind(user.0)
        .bind(keep)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn time(v: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(v)
        .ok_or_else(|| StoreError::Corrupt(format!("time out of range: {v}")))
}

fn opt_time(v: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    v.map(time).transpose()
}

fn user_from_row(row: &SqliteRow) -> Result<User> {
    let failed_logins: i64 = row.try_get("failed_logins")?;
    Ok(User {
        id: UserId(row.try_get("id")?),
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: row.try_get::<&str, _>("role")?.parse()?,
        password_hash: row.try_get("password_hash")?,
        totp_secret: row
            .try_get::<Option<Vec<u8>>, _>("totp_secret")?
            .map(TotpSecret::new),
        totp_enabled: row.try_get("totp_enabled")?,
        totp_last_step: row.try_get("totp_last_step")?,
        failed_logins: u32::try_from(failed_logins).unwrap_or(u32::MAX),
        locked_until: opt_time(row.try_get("locked_until")?)?,
        disabled: row.try_get("disabled")?,
        created_at: time(row.try_get("created_at")?)?,
        must_change_password: row.try_get("must_change_password")?,
    })
}

fn session_from_row(row: &SqliteRow) -> Result<Session> {
    Ok(Session {
        id_hash: row.try_get("id_hash")?,
        user_id: UserId(row.try_get("user_id")?),
        csrf_token: row.try_get("csrf_token")?,
        created_at: time(row.try_get("created_at")?)?,
        last_seen_at: time(row.try_get("last_seen_at")?)?,
    })
}

/// The session of a row from a query that joined its user (`session_columns_joined!`).
fn joined_session_from_row(row: &SqliteRow) -> Result<Session> {
    Ok(Session {
        id_hash: row.try_get("s_id_hash")?,
        user_id: UserId(row.try_get("s_user_id")?),
        csrf_token: row.try_get("s_csrf_token")?,
        created_at: time(row.try_get("s_created_at")?)?,
        last_seen_at: time(row.try_get("s_last_seen_at")?)?,
    })
}

fn token_from_row(row: &SqliteRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: ApiTokenId(row.try_get("id")?),
        user_id: UserId(row.try_get("user_id")?),
        name: row.try_get("name")?,
        token_hash: row.try_get("token_hash")?,
        scopes: from_json(row.try_get("scopes")?, "scopes")?,
        created_at: time(row.try_get("created_at")?)?,
        revoked_at: opt_time(row.try_get("revoked_at")?)?,
    })
}

fn post_from_row(row: &SqliteRow) -> Result<Post> {
    Ok(Post {
        id: PostId(row.try_get("id")?),
        author: UserId(row.try_get("author")?),
        kind: row.try_get::<&str, _>("kind")?.parse()?,
        channel: Channel::from_official_handle(row.try_get("official_account")?),
        identifies_employer: row.try_get("identifies_employer")?,
        scheduled_at: opt_time(row.try_get("scheduled_at")?)?,
        status: row.try_get::<&str, _>("status")?.parse()?,
        legal_hold: row.try_get("legal_hold")?,
        revision: row.try_get("revision")?,
        created_at: time(row.try_get("created_at")?)?,
        updated_at: time(row.try_get("updated_at")?)?,
    })
}

fn version_from_row(row: &SqliteRow) -> Result<PostVersion> {
    Ok(PostVersion {
        post_id: PostId(row.try_get("post_id")?),
        version: row.try_get("version")?,
        text: row.try_get("text")?,
        attachments: from_json::<Vec<Attachment>>(row.try_get("attachments")?, "attachments")?,
        policy_version: row.try_get("policy_version")?,
        scan_result: row.try_get("scan_result")?,
        author: UserId(row.try_get("author")?),
        created_at: time(row.try_get("created_at")?)?,
    })
}

fn decision_from_row(row: &SqliteRow) -> Result<Decision> {
    Ok(Decision {
        id: DecisionId(row.try_get("id")?),
        post_id: PostId(row.try_get("post_id")?),
        version: row.try_get("version")?,
        step: row.try_get("step")?,
        reviewer: UserId(row.try_get("reviewer")?),
        verdict: row.try_get::<&str, _>("verdict")?.parse()?,
        note: row.try_get("note")?,
        reason: row.try_get("reason")?,
        created_at: time(row.try_get("created_at")?)?,
    })
}

fn audit_from_row(row: &SqliteRow) -> Result<AuditEntry> {
    let actor_name: Option<String> = row.try_get("actor_name")?;
    let actor_user_id: Option<i64> = row.try_get("actor_user_id")?;
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at: time(row.try_get("at")?)?,
        actor: actor_name.map(|name| Actor {
            user_id: actor_user_id.map(UserId),
            name,
        }),
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        details: row.try_get("details")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Inserts a new post and its first version (revision 1).
async fn insert_post(conn: &mut SqliteConnection, post: &NewPost) -> Result<(Post, PostVersion)> {
    let row = sqlx::query(concat!(
        "INSERT INTO posts (author, kind, official_account, identifies_employer, ",
        "scheduled_at, status, legal_hold, revision, created_at, updated_at) ",
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 1, ?7, ?7) RETURNING ",
        post_columns!()
    ))
    .bind(post.author.0)
    .bind(post.kind.as_str())
    .bind(post.channel.official_handle())
    .bind(post.identifies_employer)
    .bind(post.scheduled_at.map(|t| micros(truncate_micros(t))))
    .bind(post.status.as_str())
    .bind(micros(now()))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| StoreError::from_write(e, "post", "user"))?;
    let created = post_from_row(&row)?;
    let version = insert_version(conn, created.id, &post.first_version).await?;
    Ok((created, version))
}

async fn insert_version(
    conn: &mut SqliteConnection,
    post: PostId,
    version: &NewVersion,
) -> Result<PostVersion> {
    let row = sqlx::query(concat!(
        "INSERT INTO post_versions (post_id, version, text, attachments, policy_version, ",
        "scan_result, author, created_at) VALUES (?1, ",
        "(SELECT COALESCE(MAX(version), 0) + 1 FROM post_versions WHERE post_id = ?1), ",
        "?2, ?3, ?4, ?5, ?6, ?7) RETURNING ",
        version_columns!()
    ))
    .bind(post.0)
    .bind(&version.text)
    .bind(json_text(&version.attachments)?)
    .bind(&version.policy_version)
    .bind(&version.scan_result)
    .bind(version.author.0)
    .bind(micros(now()))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| StoreError::from_write(e, "post version", "user"))?;
    version_from_row(&row)
}

impl Store for SqliteStore {
    async fn create_user(&self, user: NewUser, audit: Audit<User>) -> Result<User> {
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let row = sqlx::query(concat!(
                    "INSERT INTO users (username, username_key, display_name, role, password_hash, ",
                    "created_at, must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ",
                    user_columns!()
                ))
                .bind(&user.username)
                .bind(username_key(&user.username))
                .bind(&user.display_name)
                .bind(user.role.as_str())
                .bind(&user.password_hash)
                .bind(micros(now()))
                .bind(user.must_change_password)
                .fetch_one(&mut *tx.conn)
                .await
                .map_err(|e| StoreError::from_write(e, "username", "user"))?;
                let created = user_from_row(&row)?;
                Ok(created)
            })
        })
        .await
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>> {
        sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
    }

    async fn get_user_by_username(&self, username: &str) -> Result<Option<User>> {
        sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE username_key = ?"
        ))
        .bind(username_key(username))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(user_from_row)
        .collect()
    }

    async fn set_role(&self, id: UserId, role: Role, audit: Audit<SignedOut>) -> Result<SignedOut> {
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let was_admin = enabled_admin(&mut tx.conn, id).await?;
                let update = sqlx::query("UPDATE users SET role = ? WHERE id = ?")
                    .bind(role.as_str())
                    .bind(id.0);
                update_user_in(&mut tx.conn, update).await?;
                an_admin_is_left(&mut tx.conn, was_admin).await?;
                let sessions = end_sessions(&mut tx.conn, id, None).await?;
                let tokens = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                )
                .bind(micros(now()))
                .bind(id.0)
                .execute(&mut *tx.conn)
                .await?
                .rows_affected();
                Ok(SignedOut { sessions, tokens })
            })
        })
        .await
    }

    async fn set_password_hash(
        &self,
        id: UserId,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
        audit: Audit<SignedOut>,
    ) -> Result<SignedOut> {
        let password_hash = password_hash.to_owned();
        let keep_session = keep_session.map(str::to_owned);
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let update = sqlx::query(
                    "UPDATE users SET password_hash = ?, must_change_password = ?, \
                     failed_logins = 0, locked_until = NULL WHERE id = ?",
                )
                .bind(password_hash)
                .bind(must_change)
                .bind(id.0);
                update_user_in(&mut tx.conn, update).await?;
                let sessions = end_sessions(&mut tx.conn, id, keep_session.as_deref()).await?;
                Ok(SignedOut {
                    sessions,
                    tokens: 0,
                })
            })
        })
        .await
    }

    async fn set_disabled(
        &self,
        id: UserId,
        disabled: bool,
        audit: Audit<SignedOut>,
    ) -> Result<SignedOut> {
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let was_admin = disabled && enabled_admin(&mut tx.conn, id).await?;
                let update = if disabled {
                    sqlx::query("UPDATE users SET disabled = 1 WHERE id = ?")
                } else {
                    sqlx::query(
                        "UPDATE users SET disabled = 0, failed_logins = 0, locked_until = NULL \
                         WHERE id = ?",
                    )
                };
                update_user_in(&mut tx.conn, update.bind(id.0)).await?;
                an_admin_is_left(&mut tx.conn, was_admin).await?;
                let sessions = if disabled {
                    end_sessions(&mut tx.conn, id, None).await?
                } else {
                    0
                };
                Ok(SignedOut {
                    sessions,
                    tokens: 0,
                })
            })
        })
        .await
    }

    async fn reseal_totp_secret(&self, id: UserId, secret: &TotpSecret) -> Result<()> {
        self.update_user(
            sqlx::query("UPDATE users SET totp_secret = ? WHERE id = ?")
                .bind(secret.as_bytes().to_vec())
                .bind(id.0),
        )
        .await
    }

    async fn set_totp_secret(
        &self,
        id: UserId,
        secret: &TotpSecret,
        audit: Audit<()>,
    ) -> Result<()> {
        let secret = secret.as_bytes().to_vec();
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let update = sqlx::query(
                    "UPDATE users SET totp_secret = ?, totp_enabled = 0, totp_last_step = NULL \
                     WHERE id = ?",
                )
                .bind(secret)
                .bind(id.0);
                update_user_in(&mut tx.conn, update).await
            })
        })
        .await
    }

    async fn enable_totp(
        &self,
        id: UserId,
        recovery_code_hashes: &[String],
        audit: Audit<()>,
    ) -> Result<()> {
        let code_hashes = recovery_code_hashes.to_vec();
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let has_secret: Option<bool> =
                    sqlx::query_scalar("SELECT totp_secret IS NOT NULL FROM users WHERE id = ?")
                        .bind(id.0)
                        .fetch_optional(&mut *tx.conn)
                        .await?;
                match has_secret {
                    None => return Err(StoreError::NotFound("user")),
                    Some(false) => return Err(StoreError::NotFound("totp secret")),
                    Some(true) => {}
                }
                sqlx::query("UPDATE users SET totp_enabled = 1 WHERE id = ?")
                    .bind(id.0)
                    .execute(&mut *tx.conn)
                    .await?;
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = ?")
                    .bind(id.0)
                    .execute(&mut *tx.conn)
                    .await?;
                for hash in code_hashes {
                    sqlx::query(
                        "INSERT OR IGNORE INTO recovery_codes (user_id, code_hash) VALUES (?, ?)",
                    )
                    .bind(id.0)
                    .bind(hash)
                    .execute(&mut *tx.conn)
                    .await
                    .map_err(|e| StoreError::from_write(e, "recovery code", "user"))?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn reset_totp(&self, id: UserId, audit: Audit<SignedOut>) -> Result<SignedOut> {
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let update = sqlx::query(
                    "UPDATE users SET totp_secret = NULL, totp_enabled = 0, totp_last_step = NULL \
                     WHERE id = ?",
                )
                .bind(id.0);
                update_user_in(&mut tx.conn, update).await?;
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = ?")
                    .bind(id.0)
                    .execute(&mut *tx.conn)
                    .await?;
                let sessions = end_sessions(&mut tx.conn, id, None).await?;
                Ok(SignedOut {
                    sessions,
                    tokens: 0,
                })
            })
        })
        .await
    }

    async fn accept_totp_step(&self, id: UserId, step: i64) -> Result<bool> {
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "UPDATE users SET totp_last_step = ?1 WHERE id = ?2 AND totp_secret IS NOT NULL \
                     AND (totp_last_step IS NULL OR totp_last_step < ?1)",
                )
                .bind(step)
                .bind(id.0)
                .execute(&mut *tx.conn)
                .await?;
                Ok(done.rows_affected() == 1)
            })
        })
        .await
    }

    async fn consume_recovery_code(&self, id: UserId, code_hash: &str) -> Result<bool> {
        let code_hash = code_hash.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let done =
                    sqlx::query("DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ?")
                        .bind(id.0)
                        .bind(code_hash)
                        .execute(&mut *tx.conn)
                        .await?;
                Ok(done.rows_affected() == 1)
            })
        })
        .await
    }

    async fn recovery_codes_left(&self, id: UserId) -> Result<u32> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?")
            .bind(id.0)
            .fetch_one(&self.pool)
            .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn record_login_failure(
        &self,
        id: UserId,
        max_failures: u32,
        lock_until: DateTime<Utc>,
    ) -> Result<LoginFailures> {
        self.write(move |tx| {
            Box::pin(async move {
                let row = sqlx::query(
                    "UPDATE users SET failed_logins = failed_logins + 1, \
                     locked_until = CASE WHEN failed_logins + 1 >= ?1 THEN ?2 ELSE locked_until END \
                     WHERE id = ?3 RETURNING failed_logins, locked_until",
                )
                .bind(i64::from(max_failures))
                .bind(micros(truncate_micros(lock_until)))
                .bind(id.0)
                .fetch_optional(&mut *tx.conn)
                .await?
                .ok_or(StoreError::NotFound("user"))?;
                let failed_logins: i64 = row.try_get("failed_logins")?;
                Ok(LoginFailures {
                    failed_logins: u32::try_from(failed_logins).unwrap_or(u32::MAX),
                    locked_until: opt_time(row.try_get("locked_until")?)?,
                })
            })
        })
        .await
    }

    async fn reset_login_failures(&self, id: UserId) -> Result<()> {
        self.update_user(
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?")
                .bind(id.0),
        )
        .await
    }

    async fn create_session(&self, session: NewSession) -> Result<Session> {
        self.write(move |tx| {
            Box::pin(async move {
                let at = micros(now());
                let row = sqlx::query(concat!(
                    "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) ",
                    "VALUES (?1, ?2, ?3, ?4, ?4) RETURNING ",
                    session_columns!()
                ))
                .bind(&session.id_hash)
                .bind(session.user_id.0)
                .bind(&session.csrf_token)
                .bind(at)
                .fetch_one(&mut *tx.conn)
                .await
                .map_err(|e| StoreError::from_write(e, "session", "user"))?;
                let created = session_from_row(&row)?;
                Ok(created)
            })
        })
        .await
    }

    async fn get_session(&self, id_hash: &str) -> Result<Option<Session>> {
        sqlx::query(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE id_hash = ?"
        ))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(session_from_row)
        .transpose()
    }

    async fn get_session_with_user(&self, id_hash: &str) -> Result<Option<(Session, User)>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            session_columns_joined!(),
            ", u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?"
        ))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((joined_session_from_row(&row)?, user_from_row(&row)?)))
            .transpose()
    }

    async fn touch_session(&self, id_hash: &str) -> Result<()> {
        let id_hash = id_hash.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?")
                    .bind(micros(now()))
                    .bind(id_hash)
                    .execute(&mut *tx.conn)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound("session"));
                }
                Ok(())
            })
        })
        .await
    }

    async fn delete_session(&self, id_hash: &str) -> Result<bool> {
        let id_hash = id_hash.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
                    .bind(id_hash)
                    .execute(&mut *tx.conn)
                    .await?;
                Ok(done.rows_affected() == 1)
            })
        })
        .await
    }

    async fn delete_user_sessions(&self, user: UserId) -> Result<u64> {
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                    .bind(user.0)
                    .execute(&mut *tx.conn)
                    .await?;
                Ok(done.rows_affected())
            })
        })
        .await
    }

    async fn create_api_token(
        &self,
        token: NewApiToken,
        audit: Audit<ApiToken>,
    ) -> Result<ApiToken> {
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let row = sqlx::query(concat!(
                    "INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at) ",
                    "VALUES (?, ?, ?, ?, ?) RETURNING ",
                    token_columns!()
                ))
                .bind(token.user_id.0)
                .bind(&token.name)
                .bind(&token.token_hash)
                .bind(json_text(&token.scopes)?)
                .bind(micros(now()))
                .fetch_one(&mut *tx.conn)
                .await
                .map_err(|e| StoreError::from_write(e, "api token", "user"))?;
                let created = token_from_row(&row)?;
                Ok(created)
            })
        })
        .await
    }

    async fn get_api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(token_from_row)
        .transpose()
    }

    async fn list_api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE user_id = ? ORDER BY id"
        ))
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(token_from_row)
        .collect()
    }

    async fn revoke_api_token(&self, id: ApiTokenId, audit: Audit<()>) -> Result<bool> {
        self.write(move |tx| {
            Box::pin(async move {
                let revoked: Option<bool> = sqlx::query_scalar(
                    "SELECT revoked_at IS NOT NULL FROM api_tokens WHERE id = ?",
                )
                .bind(id.0)
                .fetch_optional(&mut *tx.conn)
                .await?;
                match revoked {
                    None => return Err(StoreError::NotFound("api token")),
                    Some(true) => return Ok(false),
                    Some(false) => {}
                }
                sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ?")
                    .bind(micros(now()))
                    .bind(id.0)
                    .execute(&mut *tx.conn)
                    .await?;
                append_in(tx, audit.entry_for(&())).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn create_post(
        &self,
        post: NewPost,
        mut audit: NewAuditEntry,
    ) -> Result<(Post, PostVersion, AuditEntry)> {
        self.write(move |tx| {
            Box::pin(async move {
                let (created, version) = insert_post(&mut tx.conn, &post).await?;
                audit.subject = Some(format!("post:{}", created.id));
                let entry = append_in(tx, audit).await?;
                Ok((created, version, entry))
            })
        })
        .await
    }

    async fn get_post(&self, id: PostId) -> Result<Option<Post>> {
        sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM posts WHERE id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(post_from_row)
        .transpose()
    }

    async fn add_version(
        &self,
        id: PostId,
        expected_revision: i64,
        version: NewVersion,
        new_status: PostStatus,
        audit: Audit<(Post, PostVersion)>,
    ) -> Result<(Post, PostVersion)> {
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let post =
                    Self::bump_revision(&mut tx.conn, id, expected_revision, new_status).await?;
                let version = insert_version(&mut tx.conn, id, &version).await?;
                Ok((post, version))
            })
        })
        .await
    }

    async fn set_status(
        &self,
        id: PostId,
        expected_revision: i64,
        new_status: PostStatus,
        audit: Audit<Post>,
    ) -> Result<Post> {
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let post =
                    Self::bump_revision(&mut tx.conn, id, expected_revision, new_status).await?;
                Ok(post)
            })
        })
        .await
    }

    async fn decide(
        &self,
        id: PostId,
        expected_revision: i64,
        decision: NewDecision,
        new_status: PostStatus,
        audit: Audit<(Post, Decision)>,
    ) -> Result<(Post, Decision)> {
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let post = Self::bump_revision(&mut tx.conn, id, expected_revision, new_status).await?;
                let row = sqlx::query(concat!(
                    "INSERT INTO decisions (post_id, version, step, reviewer, verdict, note, reason, created_at) ",
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ",
                    decision_columns!()
                ))
                .bind(id.0)
                .bind(decision.version)
                .bind(&decision.step)
                .bind(decision.reviewer.0)
                .bind(decision.verdict.as_str())
                .bind(&decision.note)
                .bind(&decision.reason)
                .bind(micros(post.updated_at))
                .fetch_one(&mut *tx.conn)
                .await
                .map_err(|e| StoreError::from_write(e, "decision", "post version or reviewer"))?;
                let decision = decision_from_row(&row)?;
                Ok((post, decision))
            })
        })
        .await
    }

    async fn set_legal_hold(&self, id: PostId, hold: bool, audit: Audit<Post>) -> Result<Post> {
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let row = sqlx::query(concat!(
                    "UPDATE posts SET legal_hold = ? WHERE id = ? RETURNING ",
                    post_columns!()
                ))
                .bind(hold)
                .bind(id.0)
                .fetch_optional(&mut *tx.conn)
                .await?
                .ok_or(StoreError::NotFound("post"))?;
                let post = post_from_row(&row)?;
                Ok(post)
            })
        })
        .await
    }

    async fn posts_by_author(&self, author: UserId) -> Result<Vec<Post>> {
        sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM posts WHERE author = ? ORDER BY created_at DESC, id DESC"
        ))
        .bind(author.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(post_from_row)
        .collect()
    }

    async fn review_queue(&self, limit: u32) -> Result<Vec<Post>> {
        sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM posts WHERE status = 'pending_review' ORDER BY updated_at, id LIMIT ?"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(post_from_row)
        .collect()
    }

    async fn review_queue_length(&self) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE status = 'pending_review'")
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn versions(&self, id: PostId) -> Result<Vec<PostVersion>> {
        sqlx::query(concat!(
            "SELECT ",
            version_columns!(),
            " FROM post_versions WHERE post_id = ? ORDER BY version"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(version_from_row)
        .collect()
    }

    async fn decisions(&self, id: PostId) -> Result<Vec<Decision>> {
        sqlx::query(concat!(
            "SELECT ",
            decision_columns!(),
            " FROM decisions WHERE post_id = ? ORDER BY id"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(decision_from_row)
        .collect()
    }

    async fn expire_due(&self, as_of: DateTime<Utc>, audit: NewAuditEntry) -> Result<Vec<PostId>> {
        self.write(move |tx| {
            Box::pin(async move {
                let ids: Vec<i64> = sqlx::query_scalar(
                    "UPDATE posts SET status = 'expired', revision = revision + 1, updated_at = ?1 \
                     WHERE status IN ('pending_review', 'changes_requested') \
                     AND scheduled_at IS NOT NULL AND scheduled_at <= ?2 RETURNING id",
                )
                .bind(micros(now()))
                .bind(micros(truncate_micros(as_of)))
                .fetch_all(&mut *tx.conn)
                .await?;
                let mut ids: Vec<PostId> = ids.into_iter().map(PostId).collect();
                ids.sort();
                for id in &ids {
                    let mut entry = audit.clone();
                    entry.subject = Some(format!("post:{id}"));
                    append_in(tx, entry).await?;
                }
                Ok(ids)
            })
        })
        .await
    }

    async fn purge(
        &self,
        older_than: DateTime<Utc>,
        statuses: &[PostStatus],
        audit: Audit<Vec<PostId>>,
    ) -> Result<Vec<PostId>> {
        if statuses.is_empty() {
            return self
                .write_audited(audit, |_| Box::pin(async { Ok(Vec::new()) }))
                .await;
        }
        // Only placeholders are spliced in; the values are bound.
        let placeholders = vec!["?"; statuses.len()].join(", ");
        let sql = format!(
            "DELETE FROM posts WHERE legal_hold = 0 AND updated_at < ? \
             AND status IN ({placeholders}) RETURNING id"
        );
        let statuses = statuses.to_vec();
        self.write_audited(audit, move |tx| {
            Box::pin(async move {
                let mut query =
                    sqlx::query_scalar::<_, i64>(&sql).bind(micros(truncate_micros(older_than)));
                for status in &statuses {
                    query = query.bind(status.as_str());
                }
                let ids = query.fetch_all(&mut *tx.conn).await?;
                let mut ids: Vec<PostId> = ids.into_iter().map(PostId).collect();
                ids.sort();
                Ok(ids)
            })
        })
        .await
    }

    async fn append_audit(&self, entry: NewAuditEntry) -> Result<AuditEntry> {
        self.write(move |tx| {
            Box::pin(async move {
                let stored = append_in(tx, entry).await?;
                Ok(stored)
            })
        })
        .await
    }

    async fn last_audit_seq(&self) -> Result<i64> {
        let (seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM audit_log")
            .fetch_one(&self.pool)
            .await?;
        Ok(seq)
    }

    async fn audit_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        sqlx::query(concat!(
            "SELECT ",
            audit_columns!(),
            " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?"
        ))
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(audit_from_row)
        .collect()
    }
}

/// Appends an audit entry inside `tx`, chained to the last one; the caller commits.
async fn append_in(tx: &mut Batch, entry: NewAuditEntry) -> Result<AuditEntry> {
    // The last entry: as an earlier job of this batch left it, else from the table. Taken, so
    // that if this append fails the next one reads the table again.
    let last: Option<(i64, String)> = match tx.audit_tail.take() {
        Some(tail) => Some(tail),
        None => {
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx.conn)
                .await?
        }
    };
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut stored = AuditEntry {
        seq,
        at: now(),
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject,
        details: canonical_json(&entry.details),
        prev_hash,
        hash: String::new(),
    };
    stored.hash = HashInput::of(&stored).hash();
    sqlx::query(concat!(
        "INSERT INTO audit_log (",
        audit_columns!(),
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(stored.seq)
    .bind(micros(stored.at))
    .bind(stored.actor.as_ref().and_then(|a| a.user_id).map(|id| id.0))
    .bind(stored.actor.as_ref().map(|a| a.name.as_str()))
    .bind(&stored.action)
    .bind(&stored.subject)
    .bind(&stored.details)
    .bind(&stored.prev_hash)
    .bind(&stored.hash)
    .execute(&mut *tx.conn)
    .await?;
    tx.audit_tail = Some((stored.seq, stored.hash.clone()));
    Ok(stored)
}
