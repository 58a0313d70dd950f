//! The Postguard service: an axum router over the scanner.
//!
//! This crate is a thin shell (see ARCHITECTURE.md): it turns HTTP requests into scanner calls
//! and answers, counts what happened for `/metrics`, and never logs or echoes a text. What is
//! here today is the stateless part of the API: `POST /api/v1/check` (the composer's live
//! check), `/healthz`, `/metrics` and the OpenAPI document.

pub mod auth;
mod check;
mod config;
mod error;
mod metrics;
mod openapi;

pub use config::{Config, ConfigError};
pub use error::AppError;
pub use metrics::Metrics;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use postguard_policy::Policy;
use postguard_scan::Scanner;
use std::sync::Arc;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    scanner: Scanner,
    policy_version: String,
    metrics: Metrics,
    body_limit: usize,
}

impl AppState {
    /// Compiles `policy` once; every request shares the compiled scanner. Request bodies over
    /// `body_limit` bytes get 413.
    pub fn new(policy: &Policy, body_limit: usize) -> Result<AppState, postguard_scan::BuildError> {
        let scanner = Scanner::new(policy)?;
        // The name lists load on first use: load them now, not on the first request.
        scanner.scan(&postguard_scan::Post::new("Warm up, Alex."));
        Ok(AppState {
            inner: Arc::new(Inner {
                scanner,
                policy_version: policy.policy.version.clone(),
                metrics: Metrics::new(),
                body_limit,
            }),
        })
    }

    pub(crate) fn body_limit(&self) -> usize {
        self.inner.body_limit
    }

    pub(crate) fn scanner(&self) -> &Scanner {
        &self.inner.scanner
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The version of the policy the scanner was built from.
    pub fn policy_version(&self) -> &str {
        &self.inner.policy_version
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("policy_version", &self.inner.policy_version)
            .finish_non_exhaustive()
    }
}

/// The whole HTTP API.
pub fn router(state: AppState) -> Router {
    let body_limit = state.body_limit();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/v1/check", post(check::check))
        // A route layer: the metrics see the matched route template, never a raw path.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
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
