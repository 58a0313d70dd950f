//! The OpenAPI document served at `/api/openapi.json`, generated from the same types the
//! handlers use, so it cannot drift from what the server accepts.
//!
//! Request bodies are the handlers' own `Deserialize` structs (they derive `ToSchema` where
//! they are declared); the store's enums get schemas built from their `ALL` lists; answers built
//! with `json!` are described by the small structs below.

use crate::session::COOKIE_NAME;
use axum::Json;
use postguard_scan::{
    Category, Channel, Consent, Context, Finding, Fix, IdentifierKind, PostKind, Severity,
};
use postguard_store::{PostStatus, Role, Verdict};
use std::borrow::Cow;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

/// The body of `POST /api/v1/check`: one line of `postguard check --jsonl`.
#[derive(ToSchema)]
// Read by `ToSchema` only (`additionalProperties: false`): the scanner's line parser refuses
// unknown fields.
#[serde(deny_unknown_fields)]
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

// ----- the store's enums -----

/// A string schema whose values are a store enum's `ALL` spellings, so it follows the store.
macro_rules! store_enum_schema {
    ($schema:ident, $store:ty, $name:literal, $description:literal) => {
        #[doc = concat!("The schema of the store's `", $name, "`: one of its spellings.")]
        pub(crate) struct $schema;

        impl PartialSchema for $schema {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($description))
                    .enum_values(Some(<$store>::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        impl ToSchema for $schema {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

store_enum_schema!(
    RoleSchema,
    Role,
    "Role",
    "What a user may do: staff write and submit drafts; reviewers also review; compliance also \
     puts posts under legal hold and exports the audit log; admins also manage users."
);
store_enum_schema!(
    PostStatusSchema,
    PostStatus,
    "PostStatus",
    "Where a post is in the review workflow."
);
store_enum_schema!(
    VerdictSchema,
    Verdict,
    "Verdict",
    "A reviewer's verdict on the current version of a post."
);

/// An image or video attached to a draft (the store's `Attachment`). Its alt text is scanned
/// like the post; a photo of a person needs a consent on file. Other fields are ignored.
#[derive(ToSchema)]
#[schema(as = Attachment)]
#[allow(dead_code)]
pub(crate) struct AttachmentSchema {
    /// The alt text the author wrote.
    alt_text: String,
    /// Whether it shows a person (consent is needed).
    shows_person: bool,
}

/// The format of an export, from `?format=` (JSON lines when absent).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum ExportFormat {
    /// JSON lines (`application/x-ndjson`), one object per line.
    Jsonl,
    /// CSV (`text/csv`) with a header row.
    Csv,
}

// ----- answers built with `json!` -----

/// The user an answer is about (as `POST /api/v1/login` answers it).
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct SignedInUser {
    id: i64,
    username: String,
    display_name: String,
    #[schema(value_type = RoleSchema)]
    role: (),
    /// The password was set for the user: only `GET /api/v1/me`, `POST /api/v1/me/password`
    /// and `POST /api/v1/logout` are allowed until it is changed.
    must_change_password: bool,
}

/// A successful sign-in. The session cookie is set with `Set-Cookie`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct LoginResponse {
    user: SignedInUser,
    /// Send this as the `X-CSRF-Token` header on every state-changing request made with the
    /// session cookie.
    csrf_token: String,
}

/// The session ended; the cookie is cleared.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct SignedOut {
    /// Always `true`.
    signed_out: bool,
}

/// The signed-in user.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct Me {
    id: i64,
    username: String,
    #[schema(value_type = RoleSchema)]
    role: (),
    /// The password was set for the user (by an admin, or a one-time one): until it is changed
    /// (`POST /api/v1/me/password`), every other request is refused with 403.
    must_change_password: bool,
}

/// A new TOTP secret, to add to an authenticator app, then confirm with a code.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct TotpEnrolment {
    /// The secret, base32.
    secret: String,
    /// The `otpauth://` URI with the secret.
    otpauth_uri: String,
    /// The URI as a QR code, an SVG document.
    qr_svg: String,
}

/// Two-factor sign-in is on.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct TotpEnabled {
    /// Always `true`.
    enabled: bool,
    /// Ten single-use recovery codes (`xxxx-xxxx-xxxx`), shown this once.
    recovery_codes: Vec<String>,
}

/// A post (a draft and where it is in review), without its text.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct PostView {
    id: i64,
    #[schema(value_type = PostStatusSchema)]
    status: (),
    /// Send it back as `revision` when editing or deciding: a stale one gets 409.
    revision: i64,
    #[schema(value_type = PostKind)]
    kind: (),
    /// `{"type": "personal"}` or `{"type": "official", "handle": "@Account"}`.
    #[schema(value_type = Object)]
    channel: (),
    identifies_employer: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    scheduled_at: (),
    /// Under legal hold: never purged by the retention policy.
    legal_hold: bool,
    #[schema(value_type = String, format = DateTime)]
    created_at: (),
    #[schema(value_type = String, format = DateTime)]
    updated_at: (),
    /// The author's user id.
    author: i64,
}

/// A draft was stored and scanned.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct Submitted {
    post: PostView,
    /// The findings in the text and the attachments' alt texts.
    findings: Vec<Finding>,
}

/// The signed-in user's drafts, newest first.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct DraftList {
    drafts: Vec<PostView>,
}

/// One version of a draft.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct VersionView {
    /// 1, 2, ...
    version: i64,
    text: String,
    attachments: Vec<AttachmentSchema>,
    /// The policy version it was scanned with.
    policy_version: String,
    /// What that scan found.
    findings: Vec<Finding>,
    #[schema(value_type = String, format = DateTime)]
    created_at: (),
}

/// A reviewer's decision on a version.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct DecisionView {
    version: i64,
    /// The approval step, e.g. `communications`.
    step: String,
    /// The reviewer's user id.
    reviewer: i64,
    #[schema(value_type = VerdictSchema)]
    verdict: (),
    #[schema(value_type = String, format = DateTime)]
    created_at: (),
    /// The reason given to the author (what to change, why it was rejected); shown to everyone
    /// who may see the draft.
    reason: Option<String>,
    /// The reviewer's private note: present for reviewers only.
    note: Option<String>,
}

/// A draft with every version and decision.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct DraftDetail {
    post: PostView,
    versions: Vec<VersionView>,
    decisions: Vec<DecisionView>,
}

/// A new version was stored and scanned.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct Resubmitted {
    post: PostView,
    /// The new version's number.
    version: i64,
    findings: Vec<Finding>,
}

/// The drafts waiting for review, the longest waiting first (at most 200).
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct Queue {
    queue: Vec<PostView>,
}

/// A decision was recorded.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct Decided {
    post: PostView,
    /// The approval step it was recorded for.
    step: String,
}

/// An official account of the organisation, from the policy.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct AccountView {
    /// The handle or page name: what a draft sends as `channel`. One handle may be on several
    /// platforms.
    handle: String,
    /// `x`, `instagram`, `facebook`, `linkedin`, ...
    platform: String,
    /// What the account is for.
    purpose: String,
}

/// The official accounts a draft may go to (`channel`), besides `personal`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct AccountList {
    accounts: Vec<AccountView>,
    /// The version of the policy they come from.
    policy_version: String,
}

/// The audit chain check: `{"ok": true, "entries": n}` or `{"ok": false, "first_bad_entry":
/// seq, "problem": "..."}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct AuditVerification {
    ok: bool,
    /// How many entries were checked (when `ok`).
    entries: Option<u64>,
    /// The first entry whose hash does not match (when not `ok`).
    first_bad_entry: Option<i64>,
    /// What is wrong (when not `ok`).
    problem: Option<String>,
}

/// A post's legal hold was set or released.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct LegalHoldResponse {
    post: LegalHoldPost,
}

/// The post after a legal hold change.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct LegalHoldPost {
    id: i64,
    #[schema(value_type = PostStatusSchema)]
    status: (),
    revision: i64,
    legal_hold: bool,
    #[schema(value_type = String, format = DateTime)]
    updated_at: (),
}

/// A new API token. The token is in this answer only; the server keeps its hash.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct CreatedToken {
    id: i64,
    name: String,
    scopes: Vec<String>,
    /// The token (`pgt_...`): send it as `Authorization: Bearer <token>`.
    token: String,
}

/// An API token (never the token or its hash).
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct TokenView {
    id: i64,
    name: String,
    /// `read` and/or `write`.
    scopes: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    created_at: (),
    /// When it was revoked, or null.
    #[schema(value_type = Option<String>, format = DateTime)]
    revoked_at: (),
}

/// The signed-in user's API tokens, revoked ones included.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct TokenList {
    tokens: Vec<TokenView>,
}

/// A user account (never the password hash or the TOTP secret).
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct UserView {
    id: i64,
    username: String,
    display_name: String,
    #[schema(value_type = RoleSchema)]
    role: (),
    disabled: bool,
    totp_enabled: bool,
    /// Locked after failed sign-ins until then, or null.
    #[schema(value_type = Option<String>, format = DateTime)]
    locked_until: (),
    /// The password was set for the user and must be changed at the next sign-in.
    must_change_password: bool,
    #[schema(value_type = String, format = DateTime)]
    created_at: (),
}

/// One user account.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct UserEnvelope {
    user: UserView,
}

/// Every user account, by id.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct UserList {
    users: Vec<UserView>,
}

/// The account after a change that ended its sessions (disabled, a new password, its second
/// factor removed).
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct UserDisabled {
    user: UserView,
    /// How many sessions were ended.
    sessions_ended: u64,
}

/// One's own password changed.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct PasswordChanged {
    /// Always `true`.
    changed: bool,
    /// How many of the user's other sessions were ended (this one stays).
    other_sessions_ended: u64,
}

// ----- routes whose handlers live where this crate's annotations do not -----

/// Liveness: answers `ok` while the process serves requests.
#[utoipa::path(
    get,
    path = "/healthz",
    responses((status = 200, description = "The server is up", body = String, content_type = "text/plain", example = "ok\n")),
    tag = "operations"
)]
#[allow(dead_code)]
fn healthz() {}

/// Prometheus metrics: request counts and durations by route template, findings by category,
/// the review queue's length. Never any text.
#[utoipa::path(
    get,
    path = "/metrics",
    responses((status = 200, description = "Metrics in the Prometheus text format", body = String, content_type = "text/plain; version=0.0.4")),
    tag = "operations"
)]
#[allow(dead_code)]
fn metrics() {}

// ----- security schemes -----

/// The credentials: a session cookie (with the CSRF header on state-changing requests) or an
/// API token as a bearer token.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                COOKIE_NAME,
                "The session cookie set by POST /api/v1/login (HttpOnly, SameSite=Strict); it \
                 ends after the configured idle time. Requests other than GET and HEAD made \
                 with it must also send the X-CSRF-Token header.",
            ))),
        );
        components.add_security_scheme(
            "csrf_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "The csrf_token answered by POST /api/v1/login. Required with the session \
                 cookie on every state-changing request (403 when missing or wrong); not used \
                 with a bearer token.",
            ))),
        );
        components.add_security_scheme(
            "bearer_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token from POST /api/v1/tokens: `Authorization: Bearer pgt_...`. \
                         A token with only the `read` scope may make GET requests; anything else \
                         needs the `write` scope (403 otherwise). The user's role still decides.",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Postguard API",
        description = "Checks social media texts against the organisation's policy, and runs \
            the review workflow for drafts. Signed-in requests use the session cookie from \
            POST /api/v1/login (with the X-CSRF-Token header on state-changing requests) or an \
            API token as a bearer token. Errors answer an ErrorBody whose message names the \
            field, never the values sent."
    ),
    paths(
        healthz,
        metrics,
        document,
        crate::check::check,
        crate::session::login,
        crate::session::logout,
        crate::session::me,
        crate::session::enrol,
        crate::session::confirm,
        crate::session::change_password,
        crate::drafts::submit,
        crate::drafts::mine,
        crate::drafts::show,
        crate::drafts::resubmit,
        crate::drafts::decide,
        crate::drafts::queue,
        crate::ui::accounts,
        crate::drafts::verify_audit,
        crate::admin::export_audit,
        crate::admin::legal_hold,
        crate::admin::export_history,
        crate::admin::create_token,
        crate::admin::list_tokens,
        crate::admin::revoke_token,
        crate::admin::create_user,
        crate::admin::list_users,
        crate::admin::set_role,
        crate::admin::disable_user,
        crate::admin::enable_user,
        crate::admin::reset_password,
        crate::admin::reset_totp,
    ),
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
        IdentifierKind,
        RoleSchema,
        PostStatusSchema,
        VerdictSchema,
        AttachmentSchema,
        ExportFormat,
    )),
    modifiers(&SecuritySchemes),
    tags(
        (name = "check", description = "Checking a text; nothing is stored"),
        (name = "session", description = "Signing in and two-factor enrolment"),
        (name = "drafts", description = "Drafts and their review"),
        (name = "audit", description = "The audit log and exports for legal"),
        (name = "admin", description = "API tokens and user accounts"),
        (name = "operations", description = "Health, metrics and this document"),
    )
)]
pub(crate) struct ApiDoc;

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object)),
    tag = "operations"
)]
pub(crate) async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
