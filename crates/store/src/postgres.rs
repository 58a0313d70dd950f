//! The PostgreSQL implementation.
//!
//! Transactions run at READ COMMITTED. The revision checks are single conditional `UPDATE`s: a
//! second writer on the same post waits for the first's row lock, then re-evaluates
//! `revision = $expected` against the committed row and matches nothing, so it gets `Conflict`.
//! Audit appends take `LOCK TABLE audit_log IN EXCLUSIVE MODE` (readers still read) so that "read
//! the last hash, insert the next entry" never interleaves, across processes too. The writes that
//! append to the chain (`create_post_audited`, `append_audit`) are group-committed by one writer
//! per store ([`writer`]): the jobs waiting run in one transaction that takes the lock and
//! reads the chain's head once, each job in its own savepoint, with one commit; every other write
//! is a transaction of its own.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row, Transaction};

use crate::audit::{canonical_json, HashInput};
use crate::error::StoreError;
use crate::group_commit::BoxFuture;
use crate::model::{
    Actor, ApiToken, ApiTokenId, Attachment, AuditEntry, Channel, Decision, DecisionId,
    LoginFailures, NewApiToken, NewAuditEntry, NewDecision, NewPost, NewSession, NewUser,
    NewVersion, Post, PostId, PostStatus, PostVersion, Role, Session, TotpSecret, User, UserId,
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
    async fn write_audited<T, F>(&self, work: F) -> Result<T>
    where
        F: for<'c> FnOnce(&'c mut Batch) -> BoxFuture<'c, Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        self.writer.write(work).await
    }

    /// After a conditional update matched nothing: `NotFound` if the post is gone, else
    /// `Conflict` naming the revision it is at.
    async fn revision_mismatch(
        tx: &mut Transaction<'static, Postgres>,
        id: PostId,
        expected: i64,
    ) -> StoreError {
        let current: std::result::Result<Option<i64>, _> =
            sqlx::query_scalar("SELECT revision FROM posts WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut **tx)
                .await;
        match current {
            Ok(None) => StoreError::NotFound("post"),
            Ok(Some(current)) => conflict(id, expected, current),
            Err(error) => error.into(),
        }
    }

    async fn bump_revision(
        tx: &mut Transaction<'static, Postgres>,
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
        .fetch_optional(&mut **tx)
        .await?;
        match row {
            Some(row) => post_from_row(&row),
            None => Err(Self::revision_mismatch(tx, id, expected_revision).await),
        }
    }

    /// Runs one update of a user row in its own write transaction; `NotFound` if no row matched.
    async fn update_user(&self, query: PgQuery<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = query.execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("user"));
        }
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

/// Inserts a new post and its first version (revision 1).
async fn insert_post(conn: &mut PgConnection, post: &NewPost) -> Result<(Post, PostVersion)> {
    let row = sqlx::query(concat!(
        "INSERT INTO posts (author, kind, official_account, identifies_employer, ",
        "scheduled_at, status, legal_hold, revision, created_at, updated_at) ",
        "VALUES ($1, $2, $3, $4, $5, $6, FALSE, 1, $7, $7) RETURNING ",
        post_columns!()
    ))
    .bind(post.author.0)
    .bind(post.kind.as_str())
    .bind(post.channel.official_handle())
    .bind(post.identifies_employer)
    .bind(post.scheduled_at.map(truncate_micros))
    .bind(post.status.as_str())
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| StoreError::from_write(e, "post", "user"))?;
    let created = post_from_row(&row)?;
    let version = insert_version(conn, created.id, &post.first_version).await?;
    Ok((created, version))
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
    async fn create_user(&self, user: NewUser) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(concat!(
            "INSERT INTO users (username, username_key, display_name, role, password_hash, ",
            "created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            user_columns!()
        ))
        .bind(&user.username)
        .bind(username_key(&user.username))
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "username", "user"))?;
        let created = user_from_row(&row)?;
        tx.commit().await?;
        Ok(created)
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

    async fn set_role(&self, id: UserId, role: Role) -> Result<()> {
        self.update_user(
            sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                .bind(role.as_str())
                .bind(id.0),
        )
        .await
    }

    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> Result<()> {
        self.update_user(
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(id.0),
        )
        .await
    }

    async fn set_disabled(&self, id: UserId, disabled: bool) -> Result<()> {
        self.update_user(
            sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                .bind(disabled)
                .bind(id.0),
        )
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

    async fn set_totp_secret(&self, id: UserId, secret: Option<&TotpSecret>) -> Result<()> {
        self.update_user(
            sqlx::query(
                "UPDATE users SET totp_secret = $1, totp_enabled = FALSE, totp_last_step = NULL \
                 WHERE id = $2",
            )
            .bind(secret.map(|s| s.as_bytes().to_vec()))
            .bind(id.0),
        )
        .await
    }

    async fn set_totp_enabled(&self, id: UserId, enabled: bool) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let has_secret: Option<bool> =
            sqlx::query_scalar("SELECT totp_secret IS NOT NULL FROM users WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
        match has_secret {
            None => return Err(StoreError::NotFound("user")),
            Some(false) if enabled => return Err(StoreError::NotFound("totp secret")),
            Some(_) => {}
        }
        sqlx::query("UPDATE users SET totp_enabled = $1 WHERE id = $2")
            .bind(enabled)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
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

    async fn set_recovery_codes(&self, id: UserId, code_hashes: &[String]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        for hash in code_hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id.0)
            .bind(hash)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_write(e, "recovery code", "user"))?;
        }
        tx.commit().await?;
        Ok(())
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

    async fn create_api_token(&self, token: NewApiToken) -> Result<ApiToken> {
        let mut tx = self.begin_write().await?;
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
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "api token", "user"))?;
        let created = token_from_row(&row)?;
        tx.commit().await?;
        Ok(created)
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

    async fn revoke_api_token(&self, id: ApiTokenId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
        )
        .bind(now())
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("api token"));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn create_post(&self, post: NewPost) -> Result<(Post, PostVersion)> {
        let mut tx = self.begin_write().await?;
        let (created, version) = insert_post(&mut tx, &post).await?;
        tx.commit().await?;
        Ok((created, version))
    }

    async fn create_post_audited(
        &self,
        post: NewPost,
        mut audit: NewAuditEntry,
    ) -> Result<(Post, PostVersion, AuditEntry)> {
        self.write_audited(move |batch| {
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
    ) -> Result<(Post, PostVersion)> {
        let mut tx = self.begin_write().await?;
        let post = Self::bump_revision(&mut tx, id, expected_revision, new_status).await?;
        let version = insert_version(&mut tx, id, &version).await?;
        tx.commit().await?;
        Ok((post, version))
    }

    async fn set_status(
        &self,
        id: PostId,
        expected_revision: i64,
        new_status: PostStatus,
    ) -> Result<Post> {
        let mut tx = self.begin_write().await?;
        let post = Self::bump_revision(&mut tx, id, expected_revision, new_status).await?;
        tx.commit().await?;
        Ok(post)
    }

    async fn decide(
        &self,
        id: PostId,
        expected_revision: i64,
        decision: NewDecision,
        new_status: PostStatus,
    ) -> Result<(Post, Decision)> {
        let mut tx = self.begin_write().await?;
        let post = Self::bump_revision(&mut tx, id, expected_revision, new_status).await?;
        let row = sqlx::query(concat!(
            "INSERT INTO decisions (post_id, version, step, reviewer, verdict, note, reason, created_at) ",
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
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
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "decision", "post version or reviewer"))?;
        let decision = decision_from_row(&row)?;
        tx.commit().await?;
        Ok((post, decision))
    }

    async fn set_legal_hold(&self, id: PostId, hold: bool) -> Result<Post> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(concat!(
            "UPDATE posts SET legal_hold = $1 WHERE id = $2 RETURNING ",
            post_columns!()
        ))
        .bind(hold)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("post"))?;
        let post = post_from_row(&row)?;
        tx.commit().await?;
        Ok(post)
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

    async fn expire_due(&self, as_of: DateTime<Utc>) -> Result<Vec<PostId>> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "UPDATE posts SET status = 'expired', revision = revision + 1, updated_at = $1 \
             WHERE status IN ('pending_review', 'changes_requested') \
             AND scheduled_at IS NOT NULL AND scheduled_at <= $2 RETURNING id",
        )
        .bind(now())
        .bind(truncate_micros(as_of))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut ids: Vec<PostId> = ids.into_iter().map(PostId).collect();
        ids.sort();
        Ok(ids)
    }

    async fn purge(
        &self,
        older_than: DateTime<Utc>,
        statuses: &[PostStatus],
    ) -> Result<Vec<PostId>> {
        if statuses.is_empty() {
            return Ok(Vec::new());
        }
        let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        let mut tx = self.begin_write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "DELETE FROM posts WHERE NOT legal_hold AND updated_at < $1 \
             AND status = ANY($2) RETURNING id",
        )
        .bind(truncate_micros(older_than))
        .bind(&statuses)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut ids: Vec<PostId> = ids.into_iter().map(PostId).collect();
        ids.sort();
        Ok(ids)
    }

    async fn append_audit(&self, entry: NewAuditEntry) -> Result<AuditEntry> {
        self.write_audited(move |batch| Box::pin(append_in(batch, entry)))
            .await
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
