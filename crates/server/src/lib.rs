//! The Postguard service: an axum router over the scanner and a [`Store`].
//!
//! A thin shell (see ARCHITECTURE.md): handlers turn HTTP requests into scanner calls, workflow
//! decisions ([`workflow`]) and store writes, check roles in one place ([`authz`]), append every
//! event to the audit log, count what happened for `/metrics`, and never log or echo a text.

mod admin;
pub mod auth;
pub mod authz;
mod check;
mod config;
pub mod demo;
mod drafts;
mod error;
pub mod export;
mod metrics;
mod openapi;
pub mod secrets;
mod session;
pub mod ui;
pub mod workflow;

pub use config::{AccountSteps, Config, ConfigError};
pub use error::AppError;
pub use metrics::Metrics;
pub use session::CurrentUser;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use axum::Router;
use postguard_policy::Policy;
use postguard_scan::Scanner;
use postguard_store::{Actor, Audit, NewAuditEntry, PostId, PostStatus, Store, User};
use std::sync::Arc;
use workflow::ApprovalStep;

/// What every request handler can reach.
pub struct AppState<S> {
    inner: Arc<Inner<S>>,
}

impl<S> Clone for AppState<S> {
    fn clone(&self) -> Self {
        AppState {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<S> {
    scanner: Scanner,
    policy: Policy,
    metrics: Metrics,
    config: Config,
    secret_key: secrets::SecretKey,
    store: S,
}

impl<S: Store> AppState<S> {
    /// Compiles `policy` once; every request shares the compiled scanner and `store`.
    pub fn new(
        policy: Policy,
        store: S,
        config: Config,
    ) -> Result<AppState<S>, postguard_scan::BuildError> {
        let scanner = Scanner::new(&policy)?;
        // The name lists load on first use: load them now, not on the first request.
        scanner.scan(&postguard_scan::Post::new("Warm up, Alex."));
        let secret_key = config
            .secret_key
            .clone()
            .unwrap_or_else(secrets::SecretKey::random);
        Ok(AppState {
            inner: Arc::new(Inner {
                scanner,
                policy,
                metrics: Metrics::new(),
                config,
                secret_key,
                store,
            }),
        })
    }

    pub(crate) fn scanner(&self) -> &Scanner {
        &self.inner.scanner
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The key that seals two-factor secrets at rest.
    pub(crate) fn secret_key(&self) -> &secrets::SecretKey {
        &self.inner.secret_key
    }

    pub(crate) fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.inner.store
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The version of the policy the scanner was built from.
    pub fn policy_version(&self) -> &str {
        &self.inner.policy.policy.version
    }

    pub(crate) fn body_limit(&self) -> usize {
        self.inner.config.body_limit
    }

    /// The approval steps of an official account (its own, else the default ones).
    pub(crate) fn steps_for(&self, handle: &str) -> Vec<ApprovalStep> {
        self.inner
            .config
            .approvals
            .iter()
            .find(|a| a.account.eq_ignore_ascii_case(handle))
            .map_or_else(workflow::default_steps, |a| a.steps.clone())
    }

    /// Appends an audit entry for an event that changes nothing else stored (a sign-in, an
    /// export); a failure to write the audit log fails the request. A change records its entry
    /// through the store method that makes it (see [`entry`]).
    pub(crate) async fn audit(
        &self,
        actor: Option<&CurrentUser>,
        action: &str,
        subject: Option<String>,
        details: serde_json::Value,
    ) -> Result<(), AppError> {
        self.store()
            .append_audit(entry(actor, action, subject, details))
            .await?;
        Ok(())
    }
}

/// The `user.created` record of a new account, made once its id is known (subject
/// `user:<id>`): by a signed-in admin, or with `by` naming where it came from (`first start`,
/// `command line`, `demo`).
pub fn user_created(actor: Option<&CurrentUser>, by: &'static str) -> Audit<User> {
    let actor = actor.cloned();
    Audit::with(move |user: &User| {
        entry(
            actor.as_ref(),
            "user.created",
            Some(format!("user:{}", user.id)),
            serde_json::json!({ "username": user.username, "role": user.role, "by": by }),
        )
    })
}

/// The audit entry for what `actor` (`None`: the server itself) did, for a store method that
/// appends it in the same transaction as the change it records.
pub(crate) fn entry(
    actor: Option<&CurrentUser>,
    action: &str,
    subject: Option<String>,
    details: serde_json::Value,
) -> NewAuditEntry {
    NewAuditEntry {
        actor: actor.map(|u| Actor {
            user_id: Some(u.id),
            name: u.username.clone(),
        }),
        action: action.to_owned(),
        subject,
        details,
    }
}

impl<S: Store> AppState<S> {
    /// What in the approval settings can never be satisfied as the accounts stand: a step that
    /// lists a user with no account, a disabled one, or one whose role cannot review. One
    /// sentence each (naming the account, the step and the username, nothing else), for the
    /// server to warn about at start; users can be created or changed later, so these are
    /// warnings, not errors.
    pub async fn approver_warnings(&self) -> Result<Vec<String>, AppError> {
        let mut warnings = Vec::new();
        for approval in &self.config().approvals {
            for step in &approval.steps {
                for username in &step.users {
                    let problem = match self.store().get_user_by_username(username).await? {
                        None => "has no account",
                        Some(user) if user.disabled => "is disabled",
                        Some(user) if !authz::allowed(user.role, authz::Action::Review) => {
                            "has a role that cannot review"
                        }
                        Some(_) => continue,
                    };
                    warnings.push(format!(
                        "approval step \"{}\" of {} lists {username:?}, who {problem}: \
                         the step cannot be satisfied until that changes",
                        step.name, approval.account
                    ));
                }
            }
        }
        Ok(warnings)
    }

    /// Records in the audit chain which policy the server enforces from now on: its name,
    /// version, where it was read from and the SHA-256 of its text, so that a change of policy
    /// between two starts shows as two entries with different digests.
    pub async fn record_policy(&self, source: &str, text: &[u8]) -> Result<(), AppError> {
        use sha2::Digest;
        let digest = hex::encode(sha2::Sha256::digest(text));
        let policy = &self.inner.policy.policy;
        self.audit(
            None,
            "policy.loaded",
            Some(format!("policy:{}", policy.version)),
            serde_json::json!({
                "name": policy.name,
                "version": policy.version,
                "source": source,
                "sha256": digest,
            }),
        )
        .await
    }
}

impl<S> std::fmt::Debug for AppState<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("policy_version", &self.inner.policy.policy.version)
            .finish_non_exhaustive()
    }
}

/// The whole HTTP API.
pub fn router<S: Store + 'static>(state: AppState<S>) -> Router {
    let body_limit = state.body_limit();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render::<S>))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/v1/check", post(check::check::<S>))
        .route("/api/v1/login", post(session::login::<S>))
        .route("/api/v1/logout", post(session::logout::<S>))
        .route("/api/v1/me", get(session::me::<S>))
        .route("/api/v1/me/password", post(session::change_password::<S>))
        .route("/api/v1/totp/enrol", post(session::enrol::<S>))
        .route("/api/v1/totp/confirm", post(session::confirm::<S>))
        .route(
            "/api/v1/drafts",
            post(drafts::submit::<S>).get(drafts::mine::<S>),
        )
        .route(
            "/api/v1/drafts/{id}",
            get(drafts::show::<S>).put(drafts::resubmit::<S>),
        )
        .route("/api/v1/drafts/{id}/decision", post(drafts::decide::<S>))
        .route("/api/v1/queue", get(drafts::queue::<S>))
        .route("/api/v1/audit/verify", get(drafts::verify_audit::<S>))
        .route("/api/v1/audit/export", get(admin::export_audit::<S>))
        .route(
            "/api/v1/drafts/{id}/legal-hold",
            post(admin::legal_hold::<S>),
        )
        .route(
            "/api/v1/drafts/{id}/history",
            get(admin::export_history::<S>),
        )
        .route(
            "/api/v1/tokens",
            post(admin::create_token::<S>).get(admin::list_tokens::<S>),
        )
        .route("/api/v1/tokens/{id}", delete(admin::revoke_token::<S>))
        .route(
            "/api/v1/users",
            post(admin::create_user::<S>).get(admin::list_users::<S>),
        )
        .route("/api/v1/users/{id}/role", put(admin::set_role::<S>))
        .route("/api/v1/users/{id}/disable", post(admin::disable_user::<S>))
        .route("/api/v1/users/{id}/enable", post(admin::enable_user::<S>))
        .route(
            "/api/v1/users/{id}/password",
            post(admin::reset_password::<S>),
        )
        .route(
            "/api/v1/users/{id}/totp/reset",
            post(admin::reset_totp::<S>),
        )
        // The web UI's static files at `/` and `GET /api/v1/accounts` (see ui.rs).
        .merge(ui::routes::<S>())
        // A route layer: the metrics see the matched route template, never a raw path.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track::<S>,
        ))
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Marks the posts pending review (or waiting for changes) whose scheduled time has passed as
/// expired, with a `post.expired` entry for each in the same transaction; returns their ids.
pub async fn expire_due<S: Store>(state: &AppState<S>) -> Result<Vec<PostId>, AppError> {
    let record = entry(None, "post.expired", None, serde_json::json!({}));
    Ok(state.store().expire_due(chrono::Utc::now(), record).await?)
}

/// [`expire_due`] every `period`; runs until the process ends. A failed run is logged (without
/// details of posts) and retried at the next tick.
pub async fn expire_periodically<S: Store>(state: AppState<S>, period: std::time::Duration) {
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        match expire_due(&state).await {
            Ok(ids) if !ids.is_empty() => tracing::info!(count = ids.len(), "posts expired"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "expiring scheduled posts failed"),
        }
    }
}

/// The post statuses the retention policy purges.
pub const PURGED_STATUSES: &[PostStatus] = &[PostStatus::Rejected, PostStatus::Expired];

/// Applies the retention policy once: deletes the rejected and expired posts last changed more
/// than `retention_days` ago (the store spares those under legal hold) and appends one
/// `retention.purged` entry with the count and ids (never any text). Returns the ids purged.
pub async fn purge_due<S: Store>(state: &AppState<S>) -> Result<Vec<PostId>, AppError> {
    let days = i64::from(state.config().retention_days);
    // A retention so long it predates chrono's calendar purges nothing (and never panics).
    let older_than = chrono::TimeDelta::try_days(days)
        .and_then(|d| chrono::Utc::now().checked_sub_signed(d))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let record = Audit::with(move |ids: &Vec<PostId>| {
        entry(
            None,
            "retention.purged",
            None,
            serde_json::json!({
                "count": ids.len(),
                "posts": ids,
                "older_than": older_than,
                "retention_days": days,
                "statuses": PURGED_STATUSES,
            }),
        )
    });
    Ok(state
        .store()
        .purge(older_than, PURGED_STATUSES, record)
        .await?)
}

/// Applies the retention policy ([`purge_due`]) every `period`, the first time at once; runs
/// until the process ends. A failed run is logged (without details of posts) and retried at
/// the next tick.
pub async fn purge_periodically<S: Store>(state: AppState<S>, period: std::time::Duration) {
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        if let Err(e) = purge_due(&state).await {
            // The store's messages never hold parameters or text.
            let cause = match e {
                AppError::Internal(cause) => cause,
                other => other.to_string(),
            };
            tracing::warn!(error = %cause, "purging posts past retention failed");
        }
    }
}

/// Serves `router` on `listener` until Ctrl-C or SIGTERM, then lets open requests finish.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown())
        .await
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("shutting down");
}
