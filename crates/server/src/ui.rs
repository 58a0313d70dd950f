//! The web UI: a small single-page app (plain HTML, JavaScript and CSS in `crates/server/ui/`),
//! compiled into the binary and served at `/`, plus the one read-only endpoint it needs that the
//! API did not have (`GET /api/v1/accounts`, the official accounts a draft may go to).
//!
//! The UI holds no rules: it calls the same JSON API as any client (the session cookie, and the
//! CSRF token from the sign-in answer as `X-CSRF-Token`), shows what the server answers and
//! leaves every decision (roles, workflow, what a finding is) to the server. Its pages are served
//! with a strict Content-Security-Policy: scripts and styles only from these files, nothing
//! inline, nothing from elsewhere, never in a frame.

use crate::session::CurrentUser;
use crate::AppState;
use axum::extract::State;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use postguard_store::Store;
use serde_json::{json, Value};

const INDEX_HTML: &str = include_str!("../ui/index.html");
const APP_JS: &str = include_str!("../ui/app.js");
const APP_CSS: &str = include_str!("../ui/app.css");
const FAVICON_SVG: &str = include_str!("../ui/favicon.svg");

/// The pages' Content-Security-Policy: everything from this origin only, no inline script or
/// style, images also as `data:` URLs (the TOTP QR code is shown as an SVG image, which cannot
/// run script), no plugins, no `<base>`, and never inside a frame.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The UI's routes: the static files and `GET /api/v1/accounts`.
pub(crate) fn routes<S: Store + 'static>() -> Router<AppState<S>> {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/app.js", get(app_js))
        .route("/app.css", get(app_css))
        .route("/favicon.svg", get(favicon))
        .route("/api/v1/accounts", get(accounts::<S>))
}

/// A static file with its content type and the security headers.
fn file(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Small files: ask again each time, so a new version of the server shows its new UI.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn index() -> Response {
    file("text/html; charset=utf-8", INDEX_HTML)
}

async fn app_js() -> Response {
    file("text/javascript; charset=utf-8", APP_JS)
}

async fn app_css() -> Response {
    file("text/css; charset=utf-8", APP_CSS)
}

async fn favicon() -> Response {
    file("image/svg+xml", FAVICON_SVG)
}

/// `GET /api/v1/accounts`: the organisation's official accounts from the policy, which a draft
/// may name as its `channel` (besides `personal`).
#[utoipa::path(
    get,
    path = "/api/v1/accounts",
    responses(
        (status = 200, description = "The official accounts, in the policy's order", body = crate::openapi::AccountList),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = []), ("bearer_token" = [])),
    tag = "drafts"
)]
pub(crate) async fn accounts<S: Store + 'static>(
    State(state): State<AppState<S>>,
    _user: CurrentUser,
) -> Json<Value> {
    let accounts: Vec<Value> = state
        .policy()
        .official_accounts
        .iter()
        .map(|a| json!({ "handle": a.handle, "platform": a.platform, "purpose": a.purpose }))
        .collect();
    Json(json!({ "accounts": accounts, "policy_version": state.policy_version() }))
}
