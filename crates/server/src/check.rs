//! `POST /api/v1/check`: the composer's live check. Nothing is stored.

use crate::error::AppError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::Json;
use postguard_scan::request::{answer, parse_line};
use postguard_scan::Post;
use postguard_store::Store;
use serde_json::Value;

/// Scans one text: the body is the same object as a line of `postguard check --jsonl`
/// (`{"id"?, "text", "context"?}`), the answer the same object that line gets.
#[utoipa::path(
    post,
    path = "/api/v1/check",
    request_body(content = crate::openapi::CheckRequest, description = "The text and where it will be published"),
    responses(
        (status = 200, description = "The findings", body = crate::openapi::CheckResponse),
        (status = 400, description = "Malformed JSON, a missing or unknown field, or a wrong type; the message names the field", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit", body = crate::openapi::ErrorBody),
    ),
    tag = "check"
)]
pub(crate) async fn check<S: Store>(
    State(state): State<AppState<S>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, AppError> {
    let body = body.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(inner)
            if inner.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
        {
            AppError::TooLarge {
                limit: state.body_limit(),
            }
        }
        _ => AppError::BadRequest("the request body could not be read".to_owned()),
    })?;
    let line = parse_line(&body, &[]).map_err(AppError::BadRequest)?;
    let report = state
        .scanner()
        .scan(&Post::with_context(&line.text, line.context));
    state.metrics().count_findings(&report);
    Ok(Json(answer(&line.id, &report)))
}
