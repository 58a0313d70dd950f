//! The OpenAPI document served at `/api/openapi.json`, generated from the same types the
//! handlers use, so it cannot drift from what the server accepts.

use axum::Json;
use postguard_scan::{
    Category, Channel, Consent, Context, Finding, Fix, IdentifierKind, PostKind, Severity,
};
use utoipa::{OpenApi, ToSchema};

/// The body of `POST /api/v1/check`: one line of `postguard check --jsonl`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct CheckRequest {
    /// Your id for the text (a string or a number), echoed in the answer.
    #[schema(value_type = Option<String>)]
    id: Option<String>,
    /// The text, as it will be published.
    text: String,
    /// Where and how it will be published; every field has a default.
    context: Option<Context>,
}

/// The answer: the same object a line of `postguard check --jsonl` gets.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct CheckResponse {
    /// The id sent, or null.
    #[schema(value_type = Option<String>)]
    id: Option<String>,
    /// Whether the text was taken to identify the employer (given or inferred).
    identifies_employer: bool,
    /// The highest severity found, or null when nothing was found.
    max_severity: Option<Severity>,
    /// Findings in text order.
    findings: Vec<Finding>,
}

/// An error answer.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct ErrorDetail {
    /// The HTTP status.
    status: u16,
    /// What was wrong and where (a field name), never the values sent.
    message: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Postguard API",
        description = "Checks social media texts against the organisation's policy."
    ),
    paths(crate::check::check),
    components(schemas(
        CheckRequest,
        CheckResponse,
        ErrorBody,
        ErrorDetail,
        Context,
        Channel,
        PostKind,
        Consent,
        Finding,
        Fix,
        Category,
        Severity,
        IdentifierKind
    ))
)]
pub(crate) struct ApiDoc;

/// `GET /api/openapi.json`.
pub(crate) async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
