//! Administration: a user's own API tokens, user accounts (admins), legal hold (compliance),
//! and the exports for legal: the whole audit log and one post's history, as JSON lines or CSV.
//!
//! Every handler asks [`allowed`] first and appends an audit entry for what it changed or
//! exported; no token, password, hash or post text ever goes into an audit entry, a log line or
//! an error message. A draft the caller may not see is "not found", never "forbidden".

use crate::auth;
use crate::authz::{allowed, Action};
use crate::drafts::{parse_json, post_for};
use crate::error::{AppError, Id};
use crate::export::{self, Format};
use crate::session::{CurrentUser, SCOPES};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use postguard_store::{
    ApiToken, ApiTokenId, Audit, NewApiToken, NewUser, Role, SignedOut, Store, User, UserId,
};
use serde::Deserialize;
use serde_json::{json, Value};

/// Longest token name, username and display name accepted.
const MAX_NAME_CHARS: usize = 100;

/// A required, non-blank, single-line name of at most [`MAX_NAME_CHARS`] characters.
fn check_name(field: &str, value: &str) -> Result<String, AppError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::BadRequest(format!(
            "field `{field}`: must not be empty"
        )));
    }
    if trimmed.chars().count() > MAX_NAME_CHARS || trimmed.chars().any(char::is_control) {
        return Err(AppError::BadRequest(format!(
            "field `{field}`: at most {MAX_NAME_CHARS} characters, on one line"
        )));
    }
    Ok(trimmed.to_owned())
}

// ----- API tokens -----

/// A new API token for the signed-in user.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = NewTokenRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewToken {
    /// A label: non-blank, one line, at most 100 characters.
    name: String,
    /// `read` and/or `write`: a token without `write` may only make GET requests.
    scopes: Vec<String>,
}

fn token_json(token: &ApiToken) -> Value {
    // Never the hash.
    json!({ "id": token.id, "name": token.name, "scopes": token.scopes,
        "created_at": token.created_at, "revoked_at": token.revoked_at })
}

fn may_manage_tokens(user: &CurrentUser) -> Result<(), AppError> {
    if allowed(user.role, Action::ManageOwnTokens) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "your role cannot manage API tokens".to_owned(),
        ))
    }
}

/// `POST /api/v1/tokens`: a new API token for the signed-in user. The token is in this answer
/// only; the store keeps its hash.
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    request_body(content = NewToken, description = "The token's label and scopes"),
    responses(
        (status = 201, description = "The token, shown this once", body = crate::openapi::CreatedToken),
        (status = 400, description = "Malformed JSON, a missing or unknown field, a wrong type, a bad name, or no or an unknown scope; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "The role cannot manage API tokens; or a missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "admin"
)]
pub(crate) async fn create_token<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), AppError> {
    may_manage_tokens(&user)?;
    let request: NewToken = parse_json(&body)?;
    let name = check_name("name", &request.name)?;
    let mut scopes: Vec<String> = Vec::new();
    for scope in &request.scopes {
        if !SCOPES.contains(&scope.as_str()) {
            return Err(AppError::BadRequest(format!(
                "field `scopes`: each scope must be one of {}",
                SCOPES.join(", ")
            )));
        }
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    if scopes.is_empty() {
        return Err(AppError::BadRequest(format!(
            "field `scopes`: at least one of {}",
            SCOPES.join(", ")
        )));
    }
    let token = auth::new_api_token();
    let actor = user.clone();
    let record = Audit::with(move |stored: &ApiToken| {
        crate::entry(
            Some(&actor),
            "token.created",
            Some(format!("token:{}", stored.id)),
            json!({ "name": stored.name, "scopes": stored.scopes }),
        )
    });
    let stored = state
        .store()
        .create_api_token(
            NewApiToken {
                user_id: user.id,
                name,
                token_hash: auth::token_hash(&token),
                scopes,
            },
            record,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "id": stored.id, "name": stored.name, "scopes": stored.scopes, "token": token }),
        ),
    ))
}

/// `GET /api/v1/tokens`: the signed-in user's tokens, revoked ones included (never the token or
/// its hash).
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    responses(
        (status = 200, description = "The tokens", body = crate::openapi::TokenList),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "The role cannot manage API tokens", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = []), ("bearer_token" = [])),
    tag = "admin"
)]
pub(crate) async fn list_tokens<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
) -> Result<Json<Value>, AppError> {
    may_manage_tokens(&user)?;
    let tokens = state.store().list_api_tokens(user.id).await?;
    Ok(Json(
        json!({ "tokens": tokens.iter().map(token_json).collect::<Vec<_>>() }),
    ))
}

/// `DELETE /api/v1/tokens/{id}`: revokes one of the signed-in user's tokens; someone else's is
/// "not found". Revoking a revoked token changes nothing and answers the same.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked (or already revoked)"),
        (status = 400, description = "The id is not an integer", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "The role cannot manage API tokens; or a missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 404, description = "None of the signed-in user's tokens has this id", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "admin"
)]
pub(crate) async fn revoke_token<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<StatusCode, AppError> {
    may_manage_tokens(&user)?;
    let store = state.store();
    let token = store
        .list_api_tokens(user.id)
        .await?
        .into_iter()
        .find(|t| t.id == ApiTokenId(id))
        .ok_or(AppError::NotFound)?;
    if token.revoked_at.is_none() {
        // Recorded only if this request revoked it (not one racing it).
        let record = crate::entry(
            Some(&user),
            "token.revoked",
            Some(format!("token:{}", token.id)),
            json!({ "name": token.name }),
        );
        store.revoke_api_token(token.id, record.into()).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

// ----- users -----

fn may_manage_users(user: &CurrentUser) -> Result<(), AppError> {
    if allowed(user.role, Action::ManageUsers) {
        Ok(())
    } else {
        Err(AppError::Forbidden("only admins manage users".to_owned()))
    }
}

fn user_json(user: &User) -> Value {
    // Never the password hash, TOTP secret or its last step.
    json!({ "id": user.id, "username": user.username, "display_name": user.display_name,
        "role": user.role, "disabled": user.disabled, "totp_enabled": user.totp_enabled,
        "locked_until": user.locked_until, "must_change_password": user.must_change_password,
        "created_at": user.created_at })
}

/// A new user account.
// No `Debug`: it holds a password.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CreateUserRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateUser {
    /// Unique (ignoring case), without spaces, at most 100 characters.
    username: String,
    /// Non-blank, one line, at most 100 characters.
    display_name: String,
    #[schema(value_type = crate::openapi::RoleSchema)]
    role: Role,
    /// At least 12 characters, not containing the username, and not easy to guess.
    password: String,
}

/// `POST /api/v1/users`: creates an account (admins). The password must pass
/// [`auth::check_strength`]; a taken username (ignoring case) is 409.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    request_body(content = CreateUser, description = "The new account"),
    responses(
        (status = 201, description = "Created", body = crate::openapi::UserEnvelope),
        (status = 400, description = "Malformed JSON, a missing or unknown field, a wrong type, a bad name or a weak password; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "Only admins manage users; or a missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 409, description = "The username is taken", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "admin"
)]
pub(crate) async fn create_user<S: Store + 'static>(
    State(state): State<AppState<S>>,
    admin: CurrentUser,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), AppError> {
    may_manage_users(&admin)?;
    let request: CreateUser = parse_json(&body)?;
    let username = check_name("username", &request.username)?;
    if username.chars().any(char::is_whitespace) {
        return Err(AppError::BadRequest(
            "field `username`: must not contain spaces".to_owned(),
        ));
    }
    let display_name = check_name("display_name", &request.display_name)?;
    auth::check_strength(&request.password, &username)
        .map_err(|e| AppError::BadRequest(format!("field `password`: {e}")))?;
    let password_hash = auth::hash_password(&request.password).map_err(AppError::Internal)?;
    let user = state
        .store()
        .create_user(
            NewUser {
                username,
                display_name,
                role: request.role,
                password_hash,
                // The admin chose it: the user replaces it at the first sign-in.
                must_change_password: true,
            },
            crate::user_created(Some(&admin), "api"),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "user": user_json(&user) })),
    ))
}

/// `GET /api/v1/users`: every account, by id (admins).
#[utoipa::path(
    get,
    path = "/api/v1/users",
    responses(
        (status = 200, description = "The accounts", body = crate::openapi::UserList),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "Only admins manage users", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = []), ("bearer_token" = [])),
    tag = "admin"
)]
pub(crate) async fn list_users<S: Store + 'static>(
    State(state): State<AppState<S>>,
    admin: CurrentUser,
) -> Result<Json<Value>, AppError> {
    may_manage_users(&admin)?;
    let users = state.store().list_users().await?;
    Ok(Json(
        json!({ "users": users.iter().map(user_json).collect::<Vec<_>>() }),
    ))
}

/// A user's new role.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = SetRoleRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetRole {
    /// The new role.
    #[schema(value_type = crate::openapi::RoleSchema)]
    role: Role,
}

/// `PUT /api/v1/users/{id}/role`: changes a user's role (admins), effective at their next
/// request. Audited with the old and the new role.
#[utoipa::path(
    put,
    path = "/api/v1/users/{id}/role",
    params(("id" = i64, Path, description = "The user's id")),
    request_body(content = SetRole, description = "The new role"),
    responses(
        (status = 200, description = "The user with the new role", body = crate::openapi::UserEnvelope),
        (status = 400, description = "Malformed JSON, a missing or unknown field, a wrong type, or an id that is not an integer; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "Only admins manage users; or a missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 404, description = "No such user", body = crate::openapi::ErrorBody),
        (status = 409, description = "The user is the last enabled admin", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "admin"
)]
pub(crate) async fn set_role<S: Store + 'static>(
    State(state): State<AppState<S>>,
    admin: CurrentUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    may_manage_users(&admin)?;
    let request: SetRole = parse_json(&body)?;
    let store = state.store();
    let target = account(&state, id).await?;
    if request.role != target.role {
        // The store refuses to leave no enabled admin (409), in the change's transaction.
        // Sessions and tokens were granted under the old role, perhaps without the second
        // factor the new one needs: the store ends them with the change, and the user signs in
        // again (with it) and makes new tokens.
        let (actor, old, new) = (admin.clone(), target.clone(), request.role);
        let record = Audit::with(move |ended: &SignedOut| {
            crate::entry(
                Some(&actor),
                "role.changed",
                Some(format!("user:{}", old.id)),
                json!({
                    "username": old.username,
                    "old_role": old.role,
                    "new_role": new,
                    "sessions_ended": ended.sessions,
                    "tokens_revoked": ended.tokens,
                }),
            )
        });
        store.set_role(target.id, request.role, record).await?;
    }
    answer(&state, &target, None).await
}

/// The account `id` names (404 if none).
async fn account<S: Store>(state: &AppState<S>, id: i64) -> Result<User, AppError> {
    state
        .store()
        .get_user(UserId(id))
        .await?
        .ok_or(AppError::NotFound)
}

/// The answer to an admin's change to `target`: the account as it is now, and how many of its
/// sessions the change ended, if it ends any.
async fn answer<S: Store>(
    state: &AppState<S>,
    target: &User,
    ended: Option<SignedOut>,
) -> Result<Json<Value>, AppError> {
    let user = account(state, target.id.0).await?;
    let mut body = json!({ "user": user_json(&user) });
    if let Some(ended) = ended {
        body["sessions_ended"] = json!(ended.sessions);
    }
    Ok(Json(body))
}

/// The record of an admin's change to an account (`action`), with what it ended.
fn account_record(admin: &CurrentUser, target: &User, action: &'static str) -> Audit<SignedOut> {
    let (actor, id, username) = (admin.clone(), target.id, target.username.clone());
    Audit::with(move |ended: &SignedOut| {
        crate::entry(
            Some(&actor),
            action,
            Some(format!("user:{id}")),
            json!({ "username": username, "sessions_ended": ended.sessions }),
        )
    })
}

/// `POST /api/v1/users/{id}/disable`: disables an account and ends its sessions (admins). Its
/// API tokens stop working too (the extractor refuses disabled users).
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/disable",
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "Disabled; its sessions ended", body = crate::openapi::UserDisabled),
        (status = 400, description = "The id is not an integer", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "Only admins manage users; or a missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 404, description = "No such user", body = crate::openapi::ErrorBody),
        (status = 409, description = "The user is the last enabled admin", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "admin"
)]
pub(crate) async fn disable_user<S: Store + 'static>(
    State(state): State<AppState<S>>,
    admin: CurrentUser,
    Id(id): Id,
) -> Result<Json<Value>, AppError> {
    may_manage_users(&admin)?;
    let store = state.store();
    let target = account(&state, id).await?;
    // The store refuses to disable the last enabled admin (409).
    let ended = store
        .set_disabled(
            target.id,
            true,
            account_record(&admin, &target, "user.disabled"),
        )
        .await?;
    answer(&state, &target, Some(ended)).await
}

/// `POST /api/v1/users/{id}/enable`: enables a disabled account again and clears any sign-in
/// lock (admins). Its API tokens work again; its sessions were ended when it was disabled.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/enable",
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "Enabled (or already enabled: nothing changed)", body = crate::openapi::UserEnvelope),
        (status = 400, description = "The id is not an integer", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "Only admins manage users; or a missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 404, description = "No such user", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "admin"
)]
pub(crate) async fn enable_user<S: Store + 'static>(
    State(state): State<AppState<S>>,
    admin: CurrentUser,
    Id(id): Id,
) -> Result<Json<Value>, AppError> {
    may_manage_users(&admin)?;
    let store = state.store();
    let target = account(&state, id).await?;
    if target.disabled {
        store
            .set_disabled(
                target.id,
                false,
                account_record(&admin, &target, "user.enabled"),
            )
            .await?;
    }
    answer(&state, &target, None).await
}

/// A password an admin sets for someone else.
// No `Debug`: it holds a password.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ResetPasswordRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResetPassword {
    /// The new password, to hand to the user (who should change it): at least 12 characters,
    /// not containing the username, and not easy to guess.
    password: String,
}

/// `POST /api/v1/users/{id}/password`: sets a new password for an account (admins), clears any
/// sign-in lock and ends every session of it. API tokens are kept (revoke them, or change the
/// role, to end those too).
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/password",
    params(("id" = i64, Path, description = "The user's id")),
    request_body(content = ResetPassword, description = "The new password"),
    responses(
        (status = 200, description = "Set; the account's sessions ended", body = crate::openapi::UserDisabled),
        (status = 400, description = "Malformed JSON, a missing or unknown field, a wrong type, a weak password, or an id that is not an integer; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "Only admins manage users; or a missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 404, description = "No such user", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "admin"
)]
pub(crate) async fn reset_password<S: Store + 'static>(
    State(state): State<AppState<S>>,
    admin: CurrentUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    may_manage_users(&admin)?;
    let store = state.store();
    let target = account(&state, id).await?;
    let request: ResetPassword = parse_json(&body)?;
    auth::check_strength(&request.password, &target.username)
        .map_err(|e| AppError::BadRequest(format!("field `password`: {e}")))?;
    let hash = auth::hash_password(&request.password).map_err(AppError::Internal)?;
    let ended = store
        .set_password_hash(
            target.id,
            &hash,
            // The admin chose it: the user replaces it at the next sign-in.
            true,
            None,
            account_record(&admin, &target, "password.reset"),
        )
        .await?;
    answer(&state, &target, Some(ended)).await
}

/// `POST /api/v1/users/{id}/totp/reset`: removes an account's second factor (admins), for a lost
/// phone and spent recovery codes: the secret and the recovery codes go and its sessions end.
/// The user signs in with the password and enrols again (`POST /api/v1/totp/enrol`); until then
/// a role that needs two-factor sign-in can do nothing else.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/totp/reset",
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "Removed; the account's sessions ended", body = crate::openapi::UserDisabled),
        (status = 400, description = "The id is not an integer", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "Only admins manage users; or a missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 404, description = "No such user", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "admin"
)]
pub(crate) async fn reset_totp<S: Store + 'static>(
    State(state): State<AppState<S>>,
    admin: CurrentUser,
    Id(id): Id,
) -> Result<Json<Value>, AppError> {
    may_manage_users(&admin)?;
    let store = state.store();
    let target = account(&state, id).await?;
    let ended = store
        .reset_totp(target.id, account_record(&admin, &target, "totp.reset"))
        .await?;
    answer(&state, &target, Some(ended)).await
}

// ----- legal hold -----

/// Putting a post under legal hold, or releasing it.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = LegalHoldRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct LegalHold {
    /// `true` puts the post under legal hold, `false` releases it.
    hold: bool,
}

/// `POST /api/v1/drafts/{id}/legal-hold`: puts a post under legal hold (never purged) or
/// releases it (compliance and admins).
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/legal-hold",
    params(("id" = i64, Path, description = "The post's id")),
    request_body(content = LegalHold, description = "Hold or release"),
    responses(
        (status = 200, description = "The post with its legal hold", body = crate::openapi::LegalHoldResponse),
        (status = 400, description = "Malformed JSON, a missing or unknown field, a wrong type, or an id that is not an integer; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "Legal hold is for compliance and admins; or a missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 404, description = "No such post, or one the caller may not see", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "audit"
)]
pub(crate) async fn legal_hold<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let post = post_for(
        &state,
        &user,
        id,
        Action::LegalHold,
        "legal hold is for compliance and admins",
    )
    .await?;
    let request: LegalHold = parse_json(&body)?;
    let record = crate::entry(
        Some(&user),
        "legal_hold.set",
        Some(format!("post:{}", post.id)),
        json!({ "hold": request.hold }),
    );
    let post = state
        .store()
        .set_legal_hold(post.id, request.hold, record.into())
        .await?;
    Ok(Json(json!({ "post": {
        "id": post.id, "status": post.status, "revision": post.revision,
        "legal_hold": post.legal_hold, "updated_at": post.updated_at } })))
}

// ----- exports -----

/// `GET /api/v1/audit/export?format=jsonl|csv`: every audit entry in seq order, with its hash
/// and the previous one's, so the chain can be checked outside Postguard (compliance and
/// admins). `details` is the canonical JSON text exactly as hashed.
#[utoipa::path(
    get,
    path = "/api/v1/audit/export",
    params(("format" = Option<crate::openapi::ExportFormat>, Query, description = "`jsonl` (JSON lines, the default) or `csv`")),
    responses(
        (status = 200, description = "A download (`Content-Disposition: attachment`), streamed a page of entries at a time: JSON lines, one audit entry each, or CSV with the columns seq, at, actor_user_id, actor_name, action, subject, details, prev_hash, hash; every entry up to the one that was last when the export began (the export's own entry, `export.audit` with `through_seq`, comes next)", content((String = "application/x-ndjson"), (String = "text/csv"))),
        (status = 400, description = "A `format` other than jsonl or csv", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "The audit log is for compliance and admins", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = []), ("bearer_token" = [])),
    tag = "audit"
)]
pub(crate) async fn export_audit<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    if !allowed(user.role, Action::Audit) {
        return Err(AppError::Forbidden(
            "the audit log is for compliance and admins".to_owned(),
        ));
    }
    let format = Format::from_query(query.as_deref())?;
    // The export ends at the entry that is last now, and is recorded before the first byte
    // leaves: the download streams, so whether the client read all of it is not known here, and
    // an audit trail records an export that was begun rather than miss one.
    let through = state.store().last_audit_seq().await?;
    state
        .audit(
            Some(&user),
            "export.audit",
            None,
            json!({ "format": format.name(), "through_seq": through }),
        )
        .await?;
    let body = export::audit_log_body(state.clone(), format, through)?;
    Ok(format.respond("audit-log", body))
}

/// `GET /api/v1/drafts/{id}/history?format=jsonl|csv`: every version (with its text,
/// attachments and scan) and every decision (with the reviewer's note and reason) of a post, in the order
/// they happened, for legal (compliance and admins).
#[utoipa::path(
    get,
    path = "/api/v1/drafts/{id}/history",
    params(
        ("id" = i64, Path, description = "The post's id"),
        ("format" = Option<crate::openapi::ExportFormat>, Query, description = "`jsonl` (JSON lines, the default) or `csv`"),
    ),
    responses(
        (status = 200, description = "A download (`Content-Disposition: attachment`): JSON lines, one event (`version` or `decision`) each, or CSV with the columns event, post_id, version, at, user_id, username, text, attachments, policy_version, scan, step, verdict, note, reason", content((String = "application/x-ndjson"), (String = "text/csv"))),
        (status = 400, description = "A `format` other than jsonl or csv, or an id that is not an integer", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "History exports are for compliance and admins", body = crate::openapi::ErrorBody),
        (status = 404, description = "No such post, or one the caller may not see", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = []), ("bearer_token" = [])),
    tag = "audit"
)]
pub(crate) async fn export_history<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
    Id(id): Id,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let post = post_for(
        &state,
        &user,
        id,
        Action::Audit,
        "history exports are for compliance and admins",
    )
    .await?;
    let format = Format::from_query(query.as_deref())?;
    let export = export::post_history(state.store(), post.id, format).await?;
    state
        .audit(
            Some(&user),
            "export.history",
            Some(format!("post:{}", post.id)),
            json!({ "format": format.name(), "events": export.rows }),
        )
        .await?;
    Ok(format.respond(&format!("post-{}-history", post.id), export.body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_query_and_an_unknown_one_is_named() {
        assert_eq!(Format::from_query(None).ok(), Some(Format::JsonLines));
        assert_eq!(
            Format::from_query(Some("format=csv")).ok(),
            Some(Format::Csv)
        );
        assert_eq!(
            Format::from_query(Some("x=1&format=jsonl")).ok(),
            Some(Format::JsonLines)
        );
        let err = Format::from_query(Some("format=xml"))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("query parameter `format`: expected jsonl or csv")
        );
    }
}
