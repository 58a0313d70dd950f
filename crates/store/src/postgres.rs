//! The PostgreSQL implementation.
//!
//! Transactions run at READ COMMITTED. The revision checks are single conditional `UPDATE`s: a
//! second writer on the same post waits for the first's row lock, then re-evaluates
//! `revision = $expected` against the committed row and matches nothing, so it gets `Conflict`.
//! Audit appends take `LOCK TABLE audit_log IN EXCLUSIVE MODE` (readers still read) so that "read
//! the last hash, insert the next entry" never interleaves, across processes too. The writes that
//! append to the chain (every audited change, and `append_audit`) are group-committed by one
//! writer per store ([`writer`]): the jobs waiting run in one transaction that takes the lock and
//! reads the chain's head once, each job in its own savepoint, with one commit; every other write
//! (sessions, failed sign-ins, TOTP steps) is a transaction of its own.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row, Transaction};

use crate::audit::{canonical_json, HashInput};
use crate::error::StoreError;
use crate::group_commit::BoxFuture;
use crate::model::{
    Actor, ApiToken, ApiTokenId, Attachment, Audit, AuditEntry, Channel, Decision, DecisionId,
    LoginFailures, NewApiToken, NewAuditEntry, NewDecision, NewPost, NewSession, NewUser,
    NewVersion, Post, PostId, PostStatus, PostVersion, Role, Session, SignedOut, TotpSecret, User,
    UserId,
};
use crate::store::{Result, Store};
use crate::{conflict, from_json, json_text, now, truncate_micros, username_key};

type PgQuery<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

mod writer;

use writer::{Batch, Writer};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The store on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// The writes that append to the audit chain are jobs for this one writer (a thread with a
    /// connection of its own), which runs the jobs waiting in one transaction and commits them
    /// together (see [`writer`]).
    writer: Writer,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database?...`) and brings the
    /// schema up to date. The tables are created in the first schema of the connection's
    /// `search_path` (normally `public`).
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(PgConnectOptions::from_str(url)?).await
    }

    /// Connects with the caller's options (TLS, `search_path`, application name, ...) and
    /// migrates.
    pub async fn connect_with(options: PgConnectOptions) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&pool).await.map_err(StoreError::Migration)?;
        let writer = writer::start(options).map_err(writer::start_failed)?;
        Ok(PostgresStore { pool, writer })
    }

    /// Closes every connection (waiting for those in use to be returned, and for the audit
    /// writer's batch, if one is running).
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// Runs `work` as one job of the audit writer's next batch (see [`writer`]) and answers once
    /// the transaction holding it has committed. An error from `work` rolls back its statements
    /// and nothing else.
    async fn write_batched<T, F>(&self, work: F) -> Result<T>
    where
        F: for<'c> FnOnce(&'c mut Batch) -> BoxFuture<'c, Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        self.writer.write(work).await
    }

    /// Runs `work` and then appends the audit entry made from its outcome, as one job of the
    /// writer's next batch: both are committed, or (if either fails) neither.
    async fn write_audited<T, F>(&self, audit: Audit<T>, work: F) -> Result<T>
    where
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        self.write_batched(move |batch| {
            Box::pin(async move {
                let outcome = work(&mut batch.conn).await?;
                append_in(batch, audit.entry_for(&outcome)).await?;
                Ok(outcome)
            })
        })
        .await
    }

    /// After a conditional update matched nothing: `NotFound` if the post is gone, else
    /// `Conflict` naming the revision it is at.
    async fn revision_mismatch(conn: &mut PgConnection, id: PostId, expected: i64) -> StoreError {
        let current: std::result::Result<Option<i64>, _> =
            sqlx::query_scalar("SELECT revision FROM posts WHERE id = $1")
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
        conn: &mut PgConnection,
        id: PostId,
        expected_revision: i64,
        new_status: PostStatus,
    ) -> Result<Post> {
        let row = sqlx::query(concat!(
            "UPDATE posts SET revision = revision + 1, status = $1, updated_at = $2 ",
            "WHERE id = $3 AND revision = $4 RETURNING ",
            post_columns!()
        ))
        .bind(new_status.as_str())
        .bind(now())
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
    async fn update_user(&self, query: PgQuery<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        update_user_in(&mut tx, query).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn user_from_row(row: &PgRow) -> Result<User> {
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
        locked_until: row.try_get("locked_until")?,
        disabled: row.try_get("disabled")?,
        created_at: row.try_get("created_at")?,
        must_change_password: row.try_get("must_change_password")?,
    })
}

fn session_from_row(row: &PgRow) -> Result<Session> {
    Ok(Session {
        id_hash: row.try_get("id_hash")?,
        user_id: UserId(row.try_get("user_id")?),
        csrf_token: row.try_get("csrf_token")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
    })
}

/// The session of a row from a query that joined its user (`session_columns_joined!`).
fn joined_session_from_row(row: &PgRow) -> Result<Session> {
    Ok(Session {
        id_hash: row.try_get("s_id_hash")?,
        user_id: UserId(row.try_get("s_user_id")?),
        csrf_token: row.try_get("s_csrf_token")?,
        created_at: row.try_get("s_created_at")?,
        last_seen_at: row.try_get("s_last_seen_at")?,
    })
}

fn token_from_row(row: &PgRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: ApiTokenId(row.try_get("id")?),
        user_id: UserId(row.try_get("user_id")?),
        name: row.try_get("name")?,
        token_hash: row.try_get("token_hash")?,
        scopes: row.try_get("scopes")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn post_from_row(row: &PgRow) -> Result<Post> {
    Ok(Post {
        id: PostId(row.try_get("id")?),
        author: UserId(row.try_get("author")?),
        kind: row.try_get::<&str, _>("kind")?.parse()?,
        channel: Channel::from_official_handle(row.try_get("official_account")?),
        identifies_employer: row.try_get("identifies_employer")?,
        scheduled_at: row.try_get("scheduled_at")?,
        status: row.try_get::<&str, _>("status")?.parse()?,
        legal_hold: row.try_get("legal_hold")?,
        revision: row.try_get("revision")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn version_from_row(row: &PgRow) -> Result<PostVersion> {
    Ok(PostVersion {
        post_id: PostId(row.try_get("post_id")?),
        version: row.try_get("version")?,
        text: row.try_get("text")?,
        attachments: from_json::<Vec<Attachment>>(row.try_get("attachments")?, "attachments")?,
        policy_version: row.try_get("policy_version")?,
        scan_result: row.try_get("scan_result")?,
        author: UserId(row.try_get("author")?),
        created_at: row.try_get("created_at")?,
    })
}

fn decision_from_row(row: &PgRow) -> Result<Decision> {
    Ok(Decision {
        id: DecisionId(row.try_get("id")?),
        post_id: PostId(row.try_get("post_id")?),
        version: row.try_get("version")?,
        step: row.try_get("step")?,
        reviewer: UserId(row.try_get("reviewer")?),
        verdict: row.try_get::<&str, _>("verdict")?.parse()?,
        note: row.try_get("note")?,
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
    })
}

fn audit_from_row(row: &PgRow) -> Result<AuditEntry> {
    let actor_name: Option<String> = row.try_get("actor_name")?;
    let actor_user_id: Option<i64> = row.try_get("actor_user_id")?;
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
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

/// Runs one update of a user row; `NotFound` if no row matched.
async fn update_user_in(conn: &mut PgConnection, query: PgQuery<'_>) -> Result<()> {
    let done = query.execute(&mut *conn).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("user"));
    }
    Ok(())
}

/// Whether `user` is an enabled admin (before a change to it); locks its row.
async fn enabled_admin(conn: &mut PgConnection, user: UserId) -> Result<bool> {
    let found: Option<bool> = sqlx::query_scalar(
        "SELECT role = 'admin' AND NOT disabled FROM users WHERE id = $1 FOR UPDATE",
    )
    .bind(user.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.unwrap_or(false))
}

/// After a change to a user who was an enabled admin: `LastAdmin` if none is left (the job's
/// savepoint then undoes the change). Race-free: account changes run in the writer's batches,
/// which hold `audit_log`'s lock, across processes too.
async fn an_admin_is_left(conn: &mut PgConnection, was_admin: bool) -> Result<()> {
    if !was_admin {
        return Ok(());
    }
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND NOT disabled")
            .fetch_one(&mut *conn)
            .await?;
    if left == 0 {
        return Err(StoreError::LastAdmin);
    }
    Ok(())
}

/// Deletes a user's sessions, but for `keep` (a session's id hash): how many.
async fn end_sessions(conn: &mut PgConnection, user: UserId, keep: Option<&str>) -> Result<u64> {
    let done =
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash IS DISTINCT FROM $2")
            .bind(user.0)
            .bind(keep)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected())
}

async fn insert_version(
    conn: &mut PgConnection,
    post: PostId,
    version: &NewVersion,
) -> Result<PostVersion> {
    let row = sqlx::query(concat!(
        "INSERT INTO post_versions (post_id, version, text, attachments, policy_version, ",
        "scan_result, author, created_at) VALUES ($1, ",
        "(SELECT COALESCE(MAX(version), 0) + 1 FROM post_versions WHERE post_id = $1), ",
        "$2, $3, $4, $5, $6, $7) RETURNING ",
        version_columns!()
    ))
    .bind(post.0)
    .bind(&version.text)
    .bind(json_text(&version.attachments)?)
    .bind(&version.policy_version)
    .bind(&version.scan_result)
    .bind(version.author.0)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| StoreError::from_write(e, "post version", "user"))?;
    version_from_row(&row)
}

impl Store for PostgresStore {
    async fn create_user(&self, user: NewUser, audit: Audit<User>) -> Result<User> {
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                let row = sqlx::query(concat!(
                    "INSERT INTO users (username, username_key, display_name, role, password_hash, ",
                    "created_at, must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7) ",
                    "RETURNING ",
                    user_columns!()
                ))
                .bind(&user.username)
                .bind(username_key(&user.username))
                .bind(&user.display_name)
                .bind(user.role.as_str())
                .bind(&user.password_hash)
                .bind(now())
                .bind(user.must_change_password)
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| StoreError::from_write(e, "username", "user"))?;
                user_from_row(&row)
            })
        })
        .await
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>> {
        sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = $1"
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
            " FROM users WHERE username_key = $1"
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
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                let was_admin = enabled_admin(conn, id).await?;
                let update = sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                    .bind(role.as_str())
                    .bind(id.0);
                update_user_in(conn, update).await?;
                an_admin_is_left(conn, was_admin).await?;
                let sessions = end_sessions(conn, id, None).await?;
                let tokens = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                )
                .bind(now())
                .bind(id.0)
                .execute(&mut *conn)
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
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                let update = sqlx::query(
                    "UPDATE users SET password_hash = $1, must_change_password = $2, \
                     failed_logins = 0, locked_until = NULL WHERE id = $3",
                )
                .bind(password_hash)
                .bind(must_change)
                .bind(id.0);
                update_user_in(conn, update).await?;
                let sessions = end_sessions(conn, id, keep_session.as_deref()).await?;
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
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                let was_admin = disabled && enabled_admin(conn, id).await?;
                let update = if disabled {
                    sqlx::query("UPDATE users SET disabled = TRUE WHERE id = $1")
                } else {
                    sqlx::query(
                        "UPDATE users SET disabled = FALSE, failed_logins = 0, \
                         locked_until = NULL WHERE id = $1",
                    )
                };
                update_user_in(conn, update.bind(id.0)).await?;
                an_admin_is_left(conn, was_admin).await?;
                let sessions = if disabled {
                    end_sessions(conn, id, None).await?
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
            sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
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
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                let update = sqlx::query(
                    "UPDATE users SET totp_secret = $1, totp_enabled = FALSE, \
                     totp_last_step = NULL WHERE id = $2",
                )
                .bind(secret)
                .bind(id.0);
                update_user_in(conn, update).await
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
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                let has_secret: Option<bool> = sqlx::query_scalar(
                    "SELECT totp_secret IS NOT NULL FROM users WHERE id = $1 FOR UPDATE",
                )
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await?;
                match has_secret {
                    None => return Err(StoreError::NotFound("user")),
                    Some(false) => return Err(StoreError::NotFound("totp secret")),
                    Some(true) => {}
                }
                sqlx::query("UPDATE users SET totp_enabled = TRUE WHERE id = $1")
                    .bind(id.0)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(id.0)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "INSERT INTO recovery_codes (user_id, code_hash) \
                     SELECT $1, h FROM UNNEST($2::text[]) AS h ON CONFLICT DO NOTHING",
                )
                .bind(id.0)
                .bind(&code_hashes)
                .execute(&mut *conn)
                .await
                .map_err(|e| StoreError::from_write(e, "recovery code", "user"))?;
                Ok(())
            })
        })
        .await
    }

    async fn reset_totp(&self, id: UserId, audit: Audit<SignedOut>) -> Result<SignedOut> {
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                let update = sqlx::query(
                    "UPDATE users SET totp_secret = NULL, totp_enabled = FALSE, \
                     totp_last_step = NULL WHERE id = $1",
                )
                .bind(id.0);
                update_user_in(conn, update).await?;
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(id.0)
                    .execute(&mut *conn)
                    .await?;
                let sessions = end_sessions(conn, id, None).await?;
                Ok(SignedOut {
                    sessions,
                    tokens: 0,
                })
            })
        })
        .await
    }

    async fn accept_totp_step(&self, id: UserId, step: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_secret IS NOT NULL \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn consume_recovery_code(&self, id: UserId, code_hash: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2")
            .bind(id.0)
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, id: UserId) -> Result<u32> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1")
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
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE users SET failed_logins = failed_logins + 1, \
             locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END \
             WHERE id = $3 RETURNING failed_logins, locked_until",
        )
        .bind(i64::from(max_failures))
        .bind(truncate_micros(lock_until))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("user"))?;
        tx.commit().await?;
        let failed_logins: i64 = row.try_get("failed_logins")?;
        Ok(LoginFailures {
            failed_logins: u32::try_from(failed_logins).unwrap_or(u32::MAX),
            locked_until: row.try_get("locked_until")?,
        })
    }

    async fn reset_login_failures(&self, id: UserId) -> Result<()> {
        self.update_user(
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(id.0),
        )
        .await
    }

    async fn create_session(&self, session: NewSession) -> Result<Session> {
        let mut tx = self.begin_write().await?;
        let at = now();
        let row = sqlx::query(concat!(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) ",
            "VALUES ($1, $2, $3, $4, $4) RETURNING ",
            session_columns!()
        ))
        .bind(&session.id_hash)
        .bind(session.user_id.0)
        .bind(&session.csrf_token)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "session", "user"))?;
        let created = session_from_row(&row)?;
        tx.commit().await?;
        Ok(created)
    }

    async fn get_session(&self, id_hash: &str) -> Result<Option<Session>> {
        sqlx::query(concat!(
            "SELECT ",
            session_columns!(),
            " FROM sessions WHERE id_hash = $1"
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
            ", u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1"
        ))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((joined_session_from_row(&row)?, user_from_row(&row)?)))
            .transpose()
    }

    async fn touch_session(&self, id_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now())
            .bind(id_hash)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("session"));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_user_sessions(&self, user: UserId) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    async fn create_api_token(
        &self,
        token: NewApiToken,
        audit: Audit<ApiToken>,
    ) -> Result<ApiToken> {
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                let row = sqlx::query(concat!(
                    "INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at) ",
                    "VALUES ($1, $2, $3, $4, $5) RETURNING ",
                    token_columns!()
                ))
                .bind(token.user_id.0)
                .bind(&token.name)
                .bind(&token.token_hash)
                .bind(&token.scopes)
                .bind(now())
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| StoreError::from_write(e, "api token", "user"))?;
                token_from_row(&row)
            })
        })
        .await
    }

    async fn get_api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
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
            " FROM api_tokens WHERE user_id = $1 ORDER BY id"
        ))
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(token_from_row)
        .collect()
    }

    async fn revoke_api_token(&self, id: ApiTokenId, audit: Audit<()>) -> Result<bool> {
        self.write_batched(move |batch| {
            Box::pin(async move {
                let revoked: Option<bool> = sqlx::query_scalar(
                    "SELECT revoked_at IS NOT NULL FROM api_tokens WHERE id = $1 FOR UPDATE",
                )
                .bind(id.0)
                .fetch_optional(&mut *batch.conn)
                .await?;
                match revoked {
                    None => return Err(StoreError::NotFound("api token")),
                    Some(true) => return Ok(false),
                    Some(false) => {}
                }
                sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
                    .bind(now())
                    .bind(id.0)
                    .execute(&mut *batch.conn)
                    .await?;
                append_in(batch, audit.entry_for(&())).await?;
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
        self.write_batched(move |batch| {
            Box::pin(async move {
                let id = batch.next_post_id().await?;
                audit.subject = Some(format!("post:{id}"));
                insert_submission(batch, PostId(id), &post, audit).await
            })
        })
        .await
    }

    async fn get_post(&self, id: PostId) -> Result<Option<Post>> {
        sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM posts WHERE id = $1"
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
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                let post = Self::bump_revision(conn, id, expected_revision, new_status).await?;
                let version = insert_version(conn, id, &version).await?;
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
        self.write_audited(audit, move |conn| {
            Box::pin(Self::bump_revision(conn, id, expected_revision, new_status))
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
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                let post = Self::bump_revision(conn, id, expected_revision, new_status).await?;
                let row = sqlx::query(concat!(
                    "INSERT INTO decisions (post_id, version, step, reviewer, verdict, note, ",
                    "reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
                    decision_columns!()
                ))
                .bind(id.0)
                .bind(decision.version)
                .bind(&decision.step)
                .bind(decision.reviewer.0)
                .bind(decision.verdict.as_str())
                .bind(&decision.note)
                .bind(&decision.reason)
                .bind(post.updated_at)
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| StoreError::from_write(e, "decision", "post version or reviewer"))?;
                let decision = decision_from_row(&row)?;
                Ok((post, decision))
            })
        })
        .await
    }

    async fn set_legal_hold(&self, id: PostId, hold: bool, audit: Audit<Post>) -> Result<Post> {
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                let row = sqlx::query(concat!(
                    "UPDATE posts SET legal_hold = $1 WHERE id = $2 RETURNING ",
                    post_columns!()
                ))
                .bind(hold)
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound("post"))?;
                post_from_row(&row)
            })
        })
        .await
    }

    async fn posts_by_author(&self, author: UserId) -> Result<Vec<Post>> {
        sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM posts WHERE author = $1 ORDER BY created_at DESC, id DESC"
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
            " FROM posts WHERE status = 'pending_review' ORDER BY updated_at, id LIMIT $1"
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
            " FROM post_versions WHERE post_id = $1 ORDER BY version"
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
            " FROM decisions WHERE post_id = $1 ORDER BY id"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(decision_from_row)
        .collect()
    }

    async fn expire_due(&self, as_of: DateTime<Utc>, audit: NewAuditEntry) -> Result<Vec<PostId>> {
        self.write_batched(move |batch| {
            Box::pin(async move {
                let ids: Vec<i64> = sqlx::query_scalar(
                    "UPDATE posts SET status = 'expired', revision = revision + 1, updated_at = $1 \
                     WHERE status IN ('pending_review', 'changes_requested') \
                     AND scheduled_at IS NOT NULL AND scheduled_at <= $2 RETURNING id",
                )
                .bind(now())
                .bind(truncate_micros(as_of))
                .fetch_all(&mut *batch.conn)
                .await?;
                let mut ids: Vec<PostId> = ids.into_iter().map(PostId).collect();
                ids.sort();
                for id in &ids {
                    let mut entry = audit.clone();
                    entry.subject = Some(format!("post:{id}"));
                    append_in(batch, entry).await?;
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
        let statuses: Vec<&'static str> = statuses.iter().map(|s| s.as_str()).collect();
        self.write_audited(audit, move |conn| {
            Box::pin(async move {
                if statuses.is_empty() {
                    return Ok(Vec::new());
                }
                let ids: Vec<i64> = sqlx::query_scalar(
                    "DELETE FROM posts WHERE NOT legal_hold AND updated_at < $1 \
                     AND status = ANY($2) RETURNING id",
                )
                .bind(truncate_micros(older_than))
                .bind(&statuses)
                .fetch_all(&mut *conn)
                .await?;
                let mut ids: Vec<PostId> = ids.into_iter().map(PostId).collect();
                ids.sort();
                Ok(ids)
            })
        })
        .await
    }

    async fn append_audit(&self, entry: NewAuditEntry) -> Result<AuditEntry> {
        self.write_batched(move |batch| Box::pin(append_in(batch, entry)))
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
            " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
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

/// The audit entry that `entry` becomes when appended after the batch's head (the table lock is
/// held: nobody else appends meanwhile).
fn next_entry(batch: &Batch, entry: NewAuditEntry) -> AuditEntry {
    let mut stored = AuditEntry {
        seq: batch.tail.seq + 1,
        at: now(),
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject,
        details: canonical_json(&entry.details),
        prev_hash: batch.tail.hash.clone(),
        hash: String::new(),
    };
    stored.hash = HashInput::of(&stored).hash();
    stored
}

/// Appends an audit entry in the batch's transaction, chained to the head the batch holds, and
/// advances the head; the writer commits, or puts the head back if the job fails.
async fn append_in(batch: &mut Batch, entry: NewAuditEntry) -> Result<AuditEntry> {
    let stored = next_entry(batch, entry);
    bind_audit(
        sqlx::query(concat!(
            "INSERT INTO audit_log (",
            audit_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )),
        &stored,
    )
    .execute(&mut *batch.conn)
    .await?;
    batch.tail.seq = stored.seq;
    batch.tail.hash.clone_from(&stored.hash);
    Ok(stored)
}

/// Binds an audit entry's columns, in `audit_columns!()` order, as the query's last parameters.
fn bind_audit<'q>(query: PgQuery<'q>, stored: &'q AuditEntry) -> PgQuery<'q> {
    query
        .bind(stored.seq)
        .bind(stored.at)
        .bind(stored.actor.as_ref().and_then(|a| a.user_id).map(|id| id.0))
        .bind(stored.actor.as_ref().map(|a| a.name.as_str()))
        .bind(&stored.action)
        .bind(&stored.subject)
        .bind(&stored.details)
        .bind(&stored.prev_hash)
        .bind(&stored.hash)
}

/// A submission in one statement (one round trip): the post with the id the writer reserved,
/// its first version and its audit entry (subject `post:<id>`, already set by the caller),
/// chained to the batch's head, which it advances.
async fn insert_submission(
    batch: &mut Batch,
    id: PostId,
    post: &NewPost,
    audit: NewAuditEntry,
) -> Result<(Post, PostVersion, AuditEntry)> {
    let stored = next_entry(batch, audit);
    let first = &post.first_version;
    let query = sqlx::query(concat!(
        "WITH p AS (INSERT INTO posts (id, author, kind, official_account, identifies_employer, ",
        "scheduled_at, status, legal_hold, revision, created_at, updated_at) ",
        "OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, 1, $8, $8) RETURNING ",
        post_columns!(),
        "), v AS (INSERT INTO post_versions (post_id, version, text, attachments, policy_version, ",
        "scan_result, author, created_at) SELECT id, 1, $9, $10, $11, $12, $13, $8 FROM p ",
        "RETURNING version, text, attachments, policy_version, scan_result, author, created_at",
        "), a AS (INSERT INTO audit_log (",
        audit_columns!(),
        ") VALUES ($14, $15, $16, $17, $18, $19, $20, $21, $22)) ",
        "SELECT p.*, v.version AS v_version, v.text AS v_text, v.attachments AS v_attachments, ",
        "v.policy_version AS v_policy_version, v.scan_result AS v_scan_result, ",
        "v.author AS v_author, v.created_at AS v_created_at FROM p CROSS JOIN v"
    ))
    .bind(id.0)
    .bind(post.author.0)
    .bind(post.kind.as_str())
    .bind(post.channel.official_handle())
    .bind(post.identifies_employer)
    .bind(post.scheduled_at.map(truncate_micros))
    .bind(post.status.as_str())
    .bind(now())
    .bind(&first.text)
    .bind(json_text(&first.attachments)?)
    .bind(&first.policy_version)
    .bind(&first.scan_result)
    .bind(first.author.0);
    let row = bind_audit(query, &stored)
        .fetch_one(&mut *batch.conn)
        .await
        .map_err(|e| StoreError::from_write(e, "post", "user"))?;
    let created = post_from_row(&row)?;
    let version = PostVersion {
        post_id: created.id,
        version: row.try_get("v_version")?,
        text: row.try_get("v_text")?,
        attachments: from_json::<Vec<Attachment>>(row.try_get("v_attachments")?, "attachments")?,
        policy_version: row.try_get("v_policy_version")?,
        scan_result: row.try_get("v_scan_result")?,
        author: UserId(row.try_get("v_author")?),
        created_at: row.try_get("v_created_at")?,
    };
    batch.tail.seq = stored.seq;
    batch.tail.hash.clone_from(&stored.hash);
    Ok((created, version, stored))
}
