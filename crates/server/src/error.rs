//! One error type that becomes a response. The client gets a status and a safe message; the
//! message never quotes the request body, which may hold patient text.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error answered to the client.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed; the message names the field, never its value.
    #[error("{0}")]
    BadRequest(String),
    /// The body is larger than the configured limit.
    #[error("the request body is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Missing or wrong credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but the role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing here (or nothing this caller may know exists).
    #[error("not found")]
    NotFound,
    /// The request conflicts with the current state (a stale revision, an expired post).
    #[error("{0}")]
    Conflict(String),
    /// Too many failed sign-ins: try again later.
    #[error("{0}")]
    Locked(String),
    /// A failure of ours; the cause goes to the log, not to the client.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let body = json!({ "error": { "status": status.as_u16(), "message": self.to_string() } });
        (status, Json(body)).into_response()
    }
}

pub(crate) async fn not_found() -> AppError {
    AppError::NotFound
}

impl From<postguard_store::StoreError> for AppError {
    fn from(e: postguard_store::StoreError) -> Self {
        use postguard_store::StoreError;
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Conflict(reason) => AppError::Conflict(format!(
                "the post changed since you loaded it ({reason}); reload and try again"
            )),
            StoreError::Duplicate(what) => AppError::Conflict(format!("{what} already exists")),
            StoreError::LastAdmin => AppError::Conflict(
                "this is the last enabled admin; make another admin first".to_owned(),
            ),
            // The store's messages never hold parameters or text; the log gets the kind only.
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// The numeric id of a path (`/api/v1/drafts/{id}`). A value that is not one is a 400 with the
/// JSON error body of every other 400, and the message does not quote what was sent.
pub(crate) struct Id(pub(crate) i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<i64>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(id)| Id(id))
            .map_err(|_| AppError::BadRequest("the id in the path must be an integer".to_owned()))
    }
}
