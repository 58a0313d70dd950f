//! Signing in: password, then a TOTP code or a recovery code for the roles that need one;
//! session cookies with an idle timeout and a CSRF token; API tokens as bearer credentials.
//! Every sign-in and failure goes to the audit log; no password, code or token ever does.

use crate::auth::{self, Totp};
use crate::authz::needs_two_factor;
use crate::error::AppError;
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Duration as ChronoDuration, Utc};
use postguard_store::{NewSession, Role, Store, TotpSecret, User, UserId};
use serde::Deserialize;
use serde_json::{json, Value};

/// The session cookie's name.
pub const COOKIE_NAME: &str = "postguard_session";
/// The header that carries the CSRF token on state-changing requests with a cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";
const ISSUER: &str = "Postguard";

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// Their id.
    pub id: UserId,
    /// Their username.
    pub username: String,
    /// Their role.
    pub role: Role,
    /// The hash of the session the request came with; `None` for an API token (or a request
    /// that is itself a sign-in).
    pub(crate) session: Option<String>,
    /// Their password was set for them and must be changed before anything else.
    pub(crate) must_change_password: bool,
}

impl CurrentUser {
    fn of(user: &User) -> CurrentUser {
        CurrentUser {
            id: user.id,
            username: user.username.clone(),
            role: user.role,
            session: None,
            must_change_password: user.must_change_password,
        }
    }
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_owned())
}

/// API token scope: read only. A token with only this scope may make `GET` (and `HEAD`)
/// requests, as its user; every other method is refused with 403.
pub const SCOPE_READ: &str = "read";
/// API token scope: read and write. A token with this scope may make any request its user's
/// role allows (`authz::allowed` still decides what the user may do).
pub const SCOPE_WRITE: &str = "write";
/// Every API token scope, as accepted by `POST /api/v1/tokens`.
pub const SCOPES: &[&str] = &[SCOPE_READ, SCOPE_WRITE];

/// Whether a token with `scopes` may make a request with `method`: reads always, anything
/// else only with [`SCOPE_WRITE`]. Scopes never widen a role, they only narrow a token.
fn token_may(scopes: &[String], method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD) || scopes.iter().any(|s| s == SCOPE_WRITE)
}

fn unauthorized() -> AppError {
    AppError::Unauthorized("sign in first: no valid session or API token".to_owned())
}

impl<S: Store + 'static> FromRequestParts<AppState<S>> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let store = state.store();
        // An API token: `Authorization: Bearer pgt_...`. No cookie, so no CSRF risk.
        if let Some(auth) = parts.headers.get(AUTHORIZATION) {
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(unauthorized)?;
            let found = store
                .get_api_token_by_hash(&auth::token_hash(token.trim()))
                .await?
                .ok_or_else(unauthorized)?;
            let user = store
                .get_user(found.user_id)
                .await?
                .ok_or_else(unauthorized)?;
            if user.disabled {
                return Err(unauthorized());
            }
            second_factor_in_place(&user)?;
            own_password_in_place(&user, parts)?;
            if !token_may(&found.scopes, &parts.method) {
                return Err(AppError::Forbidden(format!(
                    "this API token lacks the `{SCOPE_WRITE}` scope: it may only read (GET)"
                )));
            }
            return Ok(CurrentUser::of(&user));
        }
        let cookie = cookie_value(&parts.headers).ok_or_else(unauthorized)?;
        let id_hash = auth::token_hash(&cookie);
        let (session, user) = store
            .get_session_with_user(&id_hash)
            .await?
            .ok_or_else(unauthorized)?;
        let idle = ChronoDuration::minutes(i64::from(state.config().session_idle_minutes));
        if Utc::now() - session.last_seen_at > idle {
            store.delete_session(&id_hash).await?;
            return Err(AppError::Unauthorized(
                "your session ended after a period without activity; sign in again".to_owned(),
            ));
        }
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if sent.is_empty() || !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes())
            {
                return Err(AppError::Forbidden(format!(
                    "missing or wrong {CSRF_HEADER} header (the token given at sign-in)"
                )));
            }
        }
        if user.disabled {
            return Err(unauthorized());
        }
        second_factor_in_place(&user)?;
        own_password_in_place(&user, parts)?;
        // The idle clock needs minute precision, not a write on every request.
        if Utc::now() - session.last_seen_at > ChronoDuration::seconds(30) {
            store.touch_session(&id_hash).await?;
        }
        Ok(CurrentUser {
            session: Some(id_hash),
            ..CurrentUser::of(&user)
        })
    }
}

/// A role that signs in with a second factor acts only once one is enrolled, whatever
/// credential is presented (a session or token made before the role changed, say).
fn second_factor_in_place(user: &User) -> Result<(), AppError> {
    if needs_two_factor(user.role) && !user.totp_enabled {
        return Err(AppError::Unauthorized(
            "your role signs in with a second factor: enrol it (POST /api/v1/totp/enrol) and sign in again".to_owned(),
        ));
    }
    Ok(())
}

/// What a user whose password someone else chose may do before changing it: see who they are,
/// change it, sign out.
const BEFORE_A_PASSWORD_CHANGE: &[(Method, &str)] = &[
    (Method::GET, "/api/v1/me"),
    (Method::POST, "/api/v1/me/password"),
    (Method::POST, "/api/v1/logout"),
];

/// A password an admin set, or a one-time one, is changed before anything else is done.
fn own_password_in_place(user: &User, parts: &Parts) -> Result<(), AppError> {
    let allowed = BEFORE_A_PASSWORD_CHANGE
        .iter()
        .any(|(method, path)| parts.method == *method && parts.uri.path() == *path);
    if user.must_change_password && !allowed {
        return Err(AppError::Forbidden(
            "your password was set for you: choose your own first (POST /api/v1/me/password)"
                .to_owned(),
        ));
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Sign-in request: the password, and for users with two-factor sign-in a TOTP `code` or a
/// `recovery_code`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = LoginRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct Login {
    username: String,
    password: String,
    /// A TOTP code, for users with two-factor sign-in.
    #[serde(default)]
    code: Option<String>,
    /// Or one of the recovery codes.
    #[serde(default)]
    recovery_code: Option<String>,
}

const WRONG: &str = "wrong username or password";

/// Checks a username and password, counting failures; the user when they match.
async fn password_ok<S: Store>(
    state: &AppState<S>,
    username: &str,
    password: &str,
) -> Result<User, AppError> {
    let store = state.store();
    let Some(user) = store.get_user_by_username(username).await? else {
        // Same work as a real check, so timing does not tell which usernames exist.
        let _ = auth::verify_password(dummy_hash(), password);
        state
            .audit(
                None,
                "login.failed",
                None,
                json!({ "reason": "unknown user" }),
            )
            .await?;
        return Err(AppError::Unauthorized(WRONG.to_owned()));
    };
    let who = Some(CurrentUser::of(&user));
    if let Some(until) = user.locked_until.filter(|t| *t > Utc::now()) {
        state
            .audit(
                who.as_ref(),
                "login.failed",
                None,
                json!({ "reason": "locked" }),
            )
            .await?;
        return Err(AppError::Locked(format!(
            "too many failed sign-ins; try again after {}",
            until.format("%H:%M:%S UTC")
        )));
    }
    if user.disabled || !auth::verify_password(&user.password_hash, password) {
        let failures = count_failure(store, &user).await?;
        state
            .audit(
                who.as_ref(),
                "login.failed",
                None,
                json!({ "reason": "password", "failures": failures }),
            )
            .await?;
        return Err(AppError::Unauthorized(WRONG.to_owned()));
    }
    Ok(user)
}

/// Counts a failed sign-in, locking the account per [`auth::lockout_after`]; the new count.
async fn count_failure<S: Store>(store: &S, user: &User) -> Result<u32, AppError> {
    let failures = user.failed_logins + 1;
    let wait = auth::lockout_after(failures).unwrap_or_default();
    let until = Utc::now() + ChronoDuration::from_std(wait).unwrap_or_default();
    store
        .record_login_failure(user.id, auth::LOCK_AFTER_FAILURES, until)
        .await?;
    Ok(failures)
}

/// Whether `code` is the user's current TOTP code (one step of skew) and its time step has not
/// been used before; accepting it uses the step up.
async fn code_accepted<S: Store>(
    state: &AppState<S>,
    user: &User,
    secret: &TotpSecret,
    code: &str,
) -> Result<bool, AppError> {
    let store = state.store();
    let (key, unsealed) = state
        .secret_key()
        .open(user.id, secret.as_bytes())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let totp = Totp::from_secret(&key, ISSUER, &user.username).map_err(AppError::Internal)?;
    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let accepted = match totp.matching_step(code, now) {
        Some(step) => {
            store
                .accept_totp_step(user.id, i64::try_from(step).unwrap_or(i64::MAX))
                .await?
        }
        None => false,
    };
    // A secret stored before encryption at rest is sealed at its first good use.
    if accepted && unsealed {
        let sealed = TotpSecret::new(state.secret_key().seal(user.id, &key));
        store.reseal_totp_secret(user.id, &sealed).await?;
    }
    Ok(accepted)
}

/// An argon2id hash of a random password, for the same work on unknown usernames.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(&auth::random_hex(16)).unwrap_or_default())
}

fn session_cookie(value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut cookie = format!("{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `POST /api/v1/login`: password, then a code for two-factor users. Sets the session cookie
/// and answers the CSRF token to send on state-changing requests.
#[utoipa::path(
    post,
    path = "/api/v1/login",
    request_body(content = Login, description = "The username and password, with a TOTP code or a recovery code for users with two-factor sign-in"),
    responses(
        (status = 200, description = "Signed in: the session cookie is set and the CSRF token answered", body = crate::openapi::LoginResponse,
            headers(("set-cookie" = String, description = "`postguard_session=...; Path=/; HttpOnly; SameSite=Strict`"))),
        (status = 400, description = "Malformed JSON, a missing or unknown field, or a wrong type; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "Wrong username or password, or a missing, wrong or already used two-factor code", body = crate::openapi::ErrorBody),
        (status = 403, description = "The user's role signs in with a second factor that is not enrolled yet", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
        (status = 429, description = "Too many failed sign-ins: locked until the time in the message", body = crate::openapi::ErrorBody),
    ),
    tag = "session"
)]
pub(crate) async fn login<S: Store>(
    State(state): State<AppState<S>>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let login: Login = crate::drafts::parse_json(&body)?;
    let user = password_ok(&state, &login.username, &login.password).await?;
    let who = CurrentUser::of(&user);
    let store = state.store();
    if needs_two_factor(user.role) && !user.totp_enabled {
        state
            .audit(
                Some(&who),
                "login.failed",
                None,
                json!({ "reason": "two-factor not enrolled" }),
            )
            .await?;
        return Err(AppError::Forbidden(
            "your role signs in with a second factor: enrol first with POST /api/v1/totp/enrol and /api/v1/totp/confirm".to_owned(),
        ));
    }
    if user.totp_enabled {
        let ok = match (&login.code, &login.recovery_code, &user.totp_secret) {
            (Some(code), _, Some(secret)) => code_accepted(&state, &user, secret, code).await?,
            (None, Some(recovery), _) => {
                let hash = auth::token_hash(&auth::normalise_recovery_code(recovery));
                let used = store.consume_recovery_code(user.id, &hash).await?;
                if used {
                    state
                        .audit(Some(&who), "login.recovery_code_used", None, json!({}))
                        .await?;
                }
                used
            }
            _ => false,
        };
        if !ok {
            count_failure(store, &user).await?;
            state
                .audit(
                    Some(&who),
                    "login.failed",
                    None,
                    json!({ "reason": "second factor" }),
                )
                .await?;
            return Err(AppError::Unauthorized(
                "a valid, unused two-factor code (or a recovery code) is required".to_owned(),
            ));
        }
    }
    store.reset_login_failures(user.id).await?;
    let cookie = auth::random_hex(32);
    let csrf = auth::random_hex(16);
    store
        .create_session(NewSession {
            id_hash: auth::token_hash(&cookie),
            user_id: user.id,
            csrf_token: csrf.clone(),
        })
        .await?;
    state.audit(Some(&who), "login.ok", None, json!({})).await?;
    let mut response = Json(json!({
        "user": { "id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "must_change_password": user.must_change_password },
        "csrf_token": csrf,
    }))
    .into_response();
    response.headers_mut().insert(
        SET_COOKIE,
        session_cookie(&cookie, state.config().secure_cookies, None),
    );
    Ok(response)
}

/// `POST /api/v1/logout`: ends the session of the cookie sent, if any, and clears the cookie.
#[utoipa::path(
    post,
    path = "/api/v1/logout",
    responses(
        (status = 200, description = "Signed out; the cookie is cleared", body = crate::openapi::SignedOut),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "A missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "session"
)]
pub(crate) async fn logout<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(cookie) = cookie_value(&headers) {
        state
            .store()
            .delete_session(&auth::token_hash(&cookie))
            .await?;
    }
    state.audit(Some(&user), "logout", None, json!({})).await?;
    let mut response = Json(json!({ "signed_out": true })).into_response();
    response.headers_mut().insert(
        SET_COOKIE,
        session_cookie("", state.config().secure_cookies, Some(0)),
    );
    Ok(response)
}

/// `GET /api/v1/me`: the signed-in user.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    responses(
        (status = 200, description = "The signed-in user", body = crate::openapi::Me),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = []), ("bearer_token" = [])),
    tag = "session"
)]
// `S` is the state the `CurrentUser` extractor reads the session from.
#[allow(clippy::extra_unused_type_parameters)]
pub(crate) async fn me<S: Store + 'static>(user: CurrentUser) -> Json<Value> {
    Json(
        json!({ "id": user.id, "username": user.username, "role": user.role,
        "must_change_password": user.must_change_password }),
    )
}

/// Changing one's own password.
// No `Debug`: it holds passwords.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ChangePasswordRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangePassword {
    /// The password in use now.
    current_password: String,
    /// The new one: at least 12 characters, not containing the username, not easy to guess, and
    /// not the current one.
    new_password: String,
}

/// `POST /api/v1/me/password`: the signed-in user changes their password. Needs a session (not
/// an API token) and the current password (a wrong one counts as a failed sign-in); every other
/// session of the user ends, this one stays.
#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    request_body(content = ChangePassword, description = "The current and the new password"),
    responses(
        (status = 200, description = "Changed; the user's other sessions ended", body = crate::openapi::PasswordChanged),
        (status = 400, description = "Malformed JSON, a missing or unknown field, a wrong type, or a weak new password; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session", body = crate::openapi::ErrorBody),
        (status = 403, description = "The current password is wrong, the request came with an API token, or a missing or wrong X-CSRF-Token header", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
        (status = 429, description = "Too many failed sign-ins: locked until the time in the message", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = [], "csrf_token" = [])),
    tag = "session"
)]
pub(crate) async fn change_password<S: Store>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
    body: axum::body::Bytes,
) -> Result<Json<Value>, AppError> {
    let request: ChangePassword = crate::drafts::parse_json(&body)?;
    let Some(session) = user.session.clone() else {
        return Err(AppError::Forbidden(
            "change a password from a signed-in session, not with an API token".to_owned(),
        ));
    };
    password_ok(&state, &user.username, &request.current_password)
        .await
        .map_err(|e| match e {
            AppError::Unauthorized(_) => AppError::Forbidden(
                "field `current_password`: that is not your current password".to_owned(),
            ),
            other => other,
        })?;
    if request.new_password == request.current_password {
        return Err(AppError::BadRequest(
            "field `new_password`: must differ from the current password".to_owned(),
        ));
    }
    auth::check_strength(&request.new_password, &user.username)
        .map_err(|e| AppError::BadRequest(format!("field `new_password`: {e}")))?;
    let hash = auth::hash_password(&request.new_password).map_err(AppError::Internal)?;
    let actor = user.clone();
    let record = postguard_store::Audit::with(move |ended: &postguard_store::SignedOut| {
        crate::entry(
            Some(&actor),
            "password.changed",
            Some(format!("user:{}", actor.id)),
            json!({ "sessions_ended": ended.sessions }),
        )
    });
    let ended = state
        .store()
        .set_password_hash(user.id, &hash, false, Some(&session), record)
        .await?;
    Ok(Json(
        json!({ "changed": true, "other_sessions_ended": ended.sessions }),
    ))
}

/// Starting two-factor enrolment: the user's password.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = TotpEnrolRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct Enrol {
    username: String,
    password: String,
}

/// `POST /api/v1/totp/enrol`: a new secret for the user (password required), with its
/// `otpauth://` URI and QR code. Two-factor sign-in starts once a code confirms it.
#[utoipa::path(
    post,
    path = "/api/v1/totp/enrol",
    request_body(content = Enrol, description = "The username and password"),
    responses(
        (status = 200, description = "A new secret, not yet in use: confirm it with a code", body = crate::openapi::TotpEnrolment),
        (status = 400, description = "Malformed JSON, a missing or unknown field, or a wrong type; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "Wrong username or password", body = crate::openapi::ErrorBody),
        (status = 409, description = "Two-factor sign-in is already on for this account", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
        (status = 429, description = "Too many failed sign-ins: locked until the time in the message", body = crate::openapi::ErrorBody),
    ),
    tag = "session"
)]
pub(crate) async fn enrol<S: Store>(
    State(state): State<AppState<S>>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, AppError> {
    let enrol: Enrol = crate::drafts::parse_json(&body)?;
    let user = password_ok(&state, &enrol.username, &enrol.password).await?;
    if user.totp_enabled {
        return Err(AppError::Conflict(
            "two-factor sign-in is already on for this account; an admin can reset it".to_owned(),
        ));
    }
    let totp = Totp::generate(ISSUER, &user.username).map_err(AppError::Internal)?;
    let record = crate::entry(
        Some(&CurrentUser::of(&user)),
        "totp.enrolment_started",
        None,
        json!({}),
    );
    state
        .store()
        .set_totp_secret(
            user.id,
            &TotpSecret::new(state.secret_key().seal(user.id, totp.secret())),
            record.into(),
        )
        .await?;
    Ok(Json(json!({
        "secret": totp.secret_base32(),
        "otpauth_uri": totp.uri(),
        "qr_svg": totp.qr_svg().map_err(AppError::Internal)?,
    })))
}

/// Confirming two-factor enrolment: the password and the current code from the app.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = TotpConfirmRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct Confirm {
    username: String,
    password: String,
    /// The current code from the authenticator app.
    code: String,
}

/// `POST /api/v1/totp/confirm`: a code from the app turns two-factor sign-in on and answers
/// ten recovery codes, shown this once.
#[utoipa::path(
    post,
    path = "/api/v1/totp/confirm",
    request_body(content = Confirm, description = "The username, password and the current code"),
    responses(
        (status = 200, description = "Two-factor sign-in is on; the recovery codes are shown this once", body = crate::openapi::TotpEnabled),
        (status = 400, description = "Malformed JSON, a missing or unknown field, or a wrong type; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "Wrong username or password, or a code that is not the current one or was already used", body = crate::openapi::ErrorBody),
        (status = 409, description = "Enrolment was not started, or two-factor sign-in is already on", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
        (status = 429, description = "Too many failed sign-ins: locked until the time in the message", body = crate::openapi::ErrorBody),
    ),
    tag = "session"
)]
pub(crate) async fn confirm<S: Store>(
    State(state): State<AppState<S>>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, AppError> {
    let confirm: Confirm = crate::drafts::parse_json(&body)?;
    let user = password_ok(&state, &confirm.username, &confirm.password).await?;
    let Some(secret) = &user.totp_secret else {
        return Err(AppError::Conflict(
            "start with POST /api/v1/totp/enrol".to_owned(),
        ));
    };
    if user.totp_enabled {
        return Err(AppError::Conflict(
            "two-factor sign-in is already on".to_owned(),
        ));
    }
    let store = state.store();
    if !code_accepted(&state, &user, secret, &confirm.code).await? {
        return Err(AppError::Unauthorized(
            "that code is not the current one, or was already used".to_owned(),
        ));
    }
    // On, with its recovery codes and its record, in one transaction: two-factor sign-in is
    // never on without the codes that were shown.
    let codes = auth::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| auth::token_hash(c)).collect();
    let record = crate::entry(
        Some(&CurrentUser::of(&user)),
        "totp.enabled",
        None,
        json!({}),
    );
    store.enable_totp(user.id, &hashes, record.into()).await?;
    Ok(Json(json!({ "enabled": true, "recovery_codes": codes })))
}
