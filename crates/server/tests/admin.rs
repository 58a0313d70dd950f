//! Administration through the HTTP router on a real SQLite database: API tokens and their
//! scopes, user management, legal hold against the retention purge, and the exports for legal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use postguard_policy::Policy;
use postguard_server::auth::Totp;
use postguard_server::{router, AppState, Config};
use postguard_store::{PostId, PostStatus, PostgresStore, Role, SqliteStore, Store};
use serde_json::{json, Value};
use tower::ServiceExt;

#[macro_use]
mod common;

use common::PASSWORD;

struct App<S> {
    router: Router,
    store: S,
    state: AppState<S>,
    /// The SQLite file's directory, kept until the test ends.
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite_app() -> App<SqliteStore> {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("postguard.db"))
        .await
        .unwrap();
    with_users(store, Some(dir)).await
}

async fn postgres_app() -> Option<App<PostgresStore>> {
    let (store, _) = common::fresh_postgres().await?;
    Some(with_users(store, None).await)
}

async fn with_users<S: Store + Clone + 'static>(
    store: S,
    dir: Option<tempfile::TempDir>,
) -> App<S> {
    for (name, role) in [
        ("sam", Role::Staff),
        ("tess", Role::Staff),
        ("rita", Role::Reviewer),
        ("carol", Role::Compliance),
        ("ada", Role::Admin),
    ] {
        common::add_user(&store, name, name, role).await;
    }
    let state = AppState::new(
        Policy::builtin_default().unwrap(),
        store.clone(),
        Config::default(),
    )
    .unwrap();
    App {
        router: router(state.clone()),
        store,
        state,
        _dir: dir,
    }
}

on_both_databases!(
    api_tokens_are_shown_once_scoped_listed_without_secrets_and_revocable,
    admins_create_list_promote_and_disable_users_and_staff_cannot,
    admins_reset_credentials_and_re_enable_and_users_change_their_own_password,
    a_post_under_legal_hold_survives_the_retention_purge,
    compliance_exports_the_audit_log_and_a_post_history_and_staff_cannot,
    an_audit_log_of_several_pages_exports_whole_through_the_entry_last_when_it_began,
);

/// How a request authenticates.
#[derive(Clone)]
enum Auth {
    /// A signed-in browser: its cookie and CSRF token.
    Session { cookie: String, csrf: String },
    /// An API token.
    Bearer(String),
}

async fn send_raw<S: Store + Clone + 'static>(
    app: &App<S>,
    method: &str,
    uri: &str,
    auth: Option<&Auth>,
    body: Value,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    match auth {
        Some(Auth::Session { cookie, csrf }) => {
            request = request
                .header("cookie", format!("postguard_session={cookie}"))
                .header("x-csrf-token", csrf);
        }
        Some(Auth::Bearer(token)) => {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        None => {}
    }
    let body = if body.is_null() {
        Body::empty()
    } else {
        Body::from(body.to_string())
    };
    let response = app
        .router
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes.to_vec())
}

async fn send<S: Store + Clone + 'static>(
    app: &App<S>,
    method: &str,
    uri: &str,
    auth: Option<&Auth>,
    body: Value,
) -> (StatusCode, Value) {
    let (status, _, bytes) = send_raw(app, method, uri, auth, body).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap()
}

/// Enrols two-factor sign-in for a user, returning their TOTP settings.
async fn enrol<S: Store + Clone + 'static>(app: &App<S>, user: &str) -> Totp {
    let (status, enrolment) = send(
        app,
        "POST",
        "/api/v1/totp/enrol",
        None,
        json!({"username": user, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let secret = totp_rs::Secret::Encoded(enrolment["secret"].as_str().unwrap().to_owned())
        .to_bytes()
        .unwrap();
    let totp = Totp::from_secret(&secret, "Postguard", user).unwrap();
    // The current step's code; the sign-in uses the next step's (the server accepts one step
    // either side), so neither fails when a slow request crosses a 30-second boundary.
    let code = totp.code_at(now());
    let (status, confirmed) = send(
        app,
        "POST",
        "/api/v1/totp/confirm",
        None,
        json!({"username": user, "password": PASSWORD, "code": code}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    totp
}

async fn login_with<S: Store + Clone + 'static>(
    app: &App<S>,
    user: &str,
    password: &str,
    code: Option<String>,
) -> Auth {
    let mut body = json!({"username": user, "password": password});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    let (status, headers, bytes) = send_raw(app, "POST", "/api/v1/login", None, body).await;
    session(status, &headers, &bytes)
}

/// The session a sign-in's answer opens, which must have succeeded.
fn session(status: StatusCode, headers: &HeaderMap, bytes: &[u8]) -> Auth {
    let answer: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::OK, "{answer}");
    let cookie = headers.get("set-cookie").unwrap().to_str().unwrap();
    let value = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    Auth::Session {
        cookie: value,
        csrf: answer["csrf_token"].as_str().unwrap().to_owned(),
    }
}

async fn login<S: Store + Clone + 'static>(app: &App<S>, user: &str, code: Option<String>) -> Auth {
    login_with(app, user, PASSWORD, code).await
}

/// Enrols a user who needs two factors and signs them in with the next step's code. A sign-in
/// refused once is tried again with the code of the step after the clock's then: on CI's
/// virtual machines the wall clock can jump forward while the VM is paused, which once made a
/// sign-in arrive two steps late (the refused code's step is not used up, so the second code is
/// fresh). A second refusal fails the test.
async fn login_2fa<S: Store + Clone + 'static>(app: &App<S>, user: &str) -> Auth {
    let totp = enrol(app, user).await;
    let body = || json!({"username": user, "password": PASSWORD, "code": totp.code_at(now() + 30)});
    let (mut status, mut headers, mut bytes) =
        send_raw(app, "POST", "/api/v1/login", None, body()).await;
    if status == StatusCode::UNAUTHORIZED {
        (status, headers, bytes) = send_raw(app, "POST", "/api/v1/login", None, body()).await;
    }
    session(status, &headers, &bytes)
}

/// A successful audit export: its headers and body.
async fn audit_export<S: Store + Clone + 'static>(
    app: &App<S>,
    auth: &Auth,
    uri: &str,
) -> (HeaderMap, Vec<u8>) {
    let (status, headers, body) = send_raw(app, "GET", uri, Some(auth), Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{uri}");
    (headers, body)
}

async fn audit_dump<S: Store + Clone + 'static>(
    app: &App<S>,
) -> (Vec<postguard_store::AuditEntry>, String) {
    let entries = app.store.audit_entries(0, 10_000).await.unwrap();
    let dump = serde_json::to_string(&entries).unwrap();
    (entries, dump)
}

async fn api_tokens_are_shown_once_scoped_listed_without_secrets_and_revocable<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    let sam = login(&app, "sam", None).await;
    let tess = login(&app, "tess", None).await;

    // Scopes are checked by name.
    let (status, answer) = send(
        &app,
        "POST",
        "/api/v1/tokens",
        Some(&sam),
        json!({"name": "ci", "scopes": ["admin"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`scopes`"));
    let (status, answer) = send(
        &app,
        "POST",
        "/api/v1/tokens",
        Some(&sam),
        json!({"name": "ci", "scopes": "read"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");

    let (status, read) = send(
        &app,
        "POST",
        "/api/v1/tokens",
        Some(&sam),
        json!({"name": "dashboard", "scopes": ["read"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{read}");
    assert_eq!(read["name"], "dashboard");
    assert_eq!(read["scopes"], json!(["read"]));
    let read_token = read["token"].as_str().unwrap().to_owned();
    assert!(read_token.starts_with("pgt_"));
    let read_id = read["id"].as_i64().unwrap();

    // Listed without the token or its hash.
    let (status, list) = send(&app, "GET", "/api/v1/tokens", Some(&sam), Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["tokens"].as_array().unwrap().len(), 1);
    assert_eq!(list["tokens"][0]["id"].as_i64(), Some(read_id));
    let text = list.to_string();
    assert!(
        !text.contains(&read_token)
            && !text.contains("hash")
            && list["tokens"][0].get("token").is_none(),
        "{text}"
    );
    // Others see only their own.
    let (_, theirs) = send(&app, "GET", "/api/v1/tokens", Some(&tess), Value::Null).await;
    assert_eq!(theirs["tokens"].as_array().unwrap().len(), 0);

    // A read token reads, as its user, but does not write.
    let bearer = Auth::Bearer(read_token.clone());
    let (status, drafts) = send(&app, "GET", "/api/v1/drafts", Some(&bearer), Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{drafts}");
    let (status, me) = send(&app, "GET", "/api/v1/me", Some(&bearer), Value::Null).await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("sam"))
    );
    let (status, answer) = send(
        &app,
        "POST",
        "/api/v1/drafts",
        Some(&bearer),
        json!({"text": "Flu shots are free at every clinic this week."}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`write`"));
    let (status, _) = send(
        &app,
        "DELETE",
        &format!("/api/v1/tokens/{read_id}"),
        Some(&bearer),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A write token writes (no CSRF header needed: no cookie).
    let (status, write) = send(
        &app,
        "POST",
        "/api/v1/tokens",
        Some(&sam),
        json!({"name": "scheduler", "scopes": ["read", "write"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{write}");
    let write_token = write["token"].as_str().unwrap().to_owned();
    let (status, draft) = send(
        &app,
        "POST",
        "/api/v1/drafts",
        Some(&Auth::Bearer(write_token.clone())),
        json!({"text": "Flu shots are free at every clinic this week."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");

    // Someone else's token is not found; the owner revokes it, and it stops working.
    let revoke = format!("/api/v1/tokens/{read_id}");
    let (status, _) = send(&app, "DELETE", &revoke, Some(&tess), Value::Null).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(&app, "GET", "/api/v1/drafts", Some(&bearer), Value::Null).await;
    assert_eq!(status, StatusCode::OK, "tess's attempt changed nothing");
    let (status, _) = send(&app, "DELETE", &revoke, Some(&sam), Value::Null).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(&app, "GET", "/api/v1/drafts", Some(&bearer), Value::Null).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(
        &app,
        "DELETE",
        "/api/v1/tokens/9999",
        Some(&sam),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = send(&app, "GET", "/api/v1/tokens", Some(&sam), Value::Null).await;
    let revoked = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"].as_i64() == Some(read_id))
        .unwrap();
    assert!(revoked["revoked_at"].is_string(), "{list}");

    // Audited, never with the token.
    let (entries, dump) = audit_dump(&app).await;
    for action in ["token.created", "token.revoked"] {
        assert!(entries.iter().any(|e| e.action == action), "no {action}");
    }
    assert!(
        !dump.contains(&read_token) && !dump.contains(&write_token),
        "{dump}"
    );
}

async fn admins_create_list_promote_and_disable_users_and_staff_cannot<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    let sam = login(&app, "sam", None).await;
    let ada = login_2fa(&app, "ada").await;
    let nora = json!({"username": "nora", "display_name": "Nora N.", "role": "staff",
        "password": "violet harbour kettle sunrise"});

    let (status, _) = send(&app, "POST", "/api/v1/users", Some(&sam), nora.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(&app, "GET", "/api/v1/users", Some(&sam), Value::Null).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A weak password: 400 with the rule, never the password.
    let mut weak = nora.clone();
    weak["password"] = json!("short1");
    let (status, answer) = send(&app, "POST", "/api/v1/users", Some(&ada), weak).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`password`") && message.contains("at least 12 characters"),
        "{message}"
    );
    assert!(!message.contains("short1"));
    let mut bad_role = nora.clone();
    bad_role["role"] = json!("owner");
    let (status, answer) = send(&app, "POST", "/api/v1/users", Some(&ada), bad_role).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`role`"));

    let (status, created) = send(&app, "POST", "/api/v1/users", Some(&ada), nora.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["user"]["role"], "staff");
    let nora_id = created["user"]["id"].as_i64().unwrap();
    let mut duplicate = nora.clone();
    duplicate["username"] = json!("NORA");
    let (status, answer) = send(&app, "POST", "/api/v1/users", Some(&ada), duplicate).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");

    // Listed without hashes or secrets.
    let (status, users) = send(&app, "GET", "/api/v1/users", Some(&ada), Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(users["users"].as_array().unwrap().len(), 6);
    let text = users.to_string();
    assert!(
        !text.contains("argon2") && !text.contains("hash") && !text.contains("secret"),
        "{text}"
    );

    // The new user signs in with the password the admin chose; before anything else she
    // chooses her own.
    let nora_session = login_with(&app, "nora", "violet harbour kettle sunrise", None).await;
    let (status, me) = send(&app, "GET", "/api/v1/me", Some(&nora_session), Value::Null).await;
    assert_eq!(
        (status, &me["must_change_password"]),
        (StatusCode::OK, &json!(true))
    );
    let (status, answer) = send(
        &app,
        "GET",
        "/api/v1/drafts",
        Some(&nora_session),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("choose your own first"));
    let (status, answer) = send(
        &app,
        "POST",
        "/api/v1/me/password",
        Some(&nora_session),
        json!({"current_password": "violet harbour kettle sunrise",
            "new_password": "violet harbour kettle dusk"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, me) = send(&app, "GET", "/api/v1/me", Some(&nora_session), Value::Null).await;
    assert_eq!(me["must_change_password"], false);
    // A role change is audited with both roles.
    let (status, token) = send(
        &app,
        "POST",
        "/api/v1/tokens",
        Some(&nora_session),
        json!({"name": "ci", "scopes": ["read"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let nora_token = Auth::Bearer(token["token"].as_str().unwrap().to_owned());
    let role_uri = format!("/api/v1/users/{nora_id}/role");
    let (status, _) = send(&app, "PUT", &role_uri, Some(&sam), json!({"role": "admin"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, changed) = send(
        &app,
        "PUT",
        &role_uri,
        Some(&ada),
        json!({"role": "reviewer"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["user"]["role"], "reviewer");
    // Her session was granted to a staff member without a second factor: it has ended, and the
    // new role acts only after she enrols one and signs in again.
    let (status, answer) = send(&app, "GET", "/api/v1/me", Some(&nora_session), Value::Null).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    let (status, answer) = send(
        &app,
        "POST",
        "/api/v1/login",
        None,
        json!({"username": "nora", "password": "violet harbour kettle dusk"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("enrol"));
    let (status, _) = send(&app, "GET", "/api/v1/me", Some(&nora_token), Value::Null).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "tokens of the old role are revoked"
    );
    let (status, _) = send(
        &app,
        "PUT",
        "/api/v1/users/9999/role",
        Some(&ada),
        json!({"role": "reviewer"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The last admin cannot be demoted or disabled.
    let ada_id = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "ada")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _) = send(
        &app,
        "PUT",
        &format!("/api/v1/users/{ada_id}/role"),
        Some(&ada),
        json!({"role": "staff"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Back to staff, she signs in with her password alone again; disabling ends that session
    // at once.
    let (status, _) = send(&app, "PUT", &role_uri, Some(&ada), json!({"role": "staff"})).await;
    assert_eq!(status, StatusCode::OK);
    let nora_session = login_with(&app, "nora", "violet harbour kettle dusk", None).await;
    let disable = format!("/api/v1/users/{nora_id}/disable");
    let (status, _) = send(&app, "POST", &disable, Some(&sam), Value::Null).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, disabled) = send(&app, "POST", &disable, Some(&ada), Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{disabled}");
    assert_eq!(disabled["user"]["disabled"], true);
    assert_eq!(disabled["sessions_ended"], 1);
    let (status, _) = send(&app, "GET", "/api/v1/me", Some(&nora_session), Value::Null).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (entries, dump) = audit_dump(&app).await;
    assert!(entries
        .iter()
        .any(|e| e.action == "user.created"
            && e.subject.as_deref() == Some(&format!("user:{nora_id}"))));
    let change = entries
        .iter()
        .find(|e| e.action == "role.changed")
        .expect("role.changed audited");
    let details: Value = serde_json::from_str(&change.details).unwrap();
    assert_eq!(
        (&details["old_role"], &details["new_role"]),
        (&json!("staff"), &json!("reviewer"))
    );
    assert_eq!(
        (&details["sessions_ended"], &details["tokens_revoked"]),
        (&json!(1), &json!(1))
    );
    assert!(entries.iter().any(|e| e.action == "user.disabled"));
    assert!(!dump.contains("violet harbour"), "{dump}");
}

async fn user_id<S: Store + Clone + 'static>(app: &App<S>, name: &str) -> i64 {
    app.store
        .get_user_by_username(name)
        .await
        .unwrap()
        .unwrap()
        .id
        .0
}

async fn me_status<S: Store + Clone + 'static>(app: &App<S>, auth: &Auth) -> StatusCode {
    send(app, "GET", "/api/v1/me", Some(auth), Value::Null)
        .await
        .0
}

async fn admins_reset_credentials_and_re_enable_and_users_change_their_own_password<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    let ada = login_2fa(&app, "ada").await;
    let sam = login(&app, "sam", None).await;
    let (rita_id, sam_id, tess_id) = (
        user_id(&app, "rita").await,
        user_id(&app, "sam").await,
        user_id(&app, "tess").await,
    );

    // A lost phone: the admin removes rita's second factor; her session ends and she enrols
    // again (which was refused while it was on).
    let rita = login_2fa(&app, "rita").await;
    let (status, _) = send(
        &app,
        "POST",
        "/api/v1/totp/enrol",
        None,
        json!({"username": "rita", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let reset_totp = format!("/api/v1/users/{rita_id}/totp/reset");
    let (status, _) = send(&app, "POST", &reset_totp, Some(&sam), Value::Null).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(me_status(&app, &rita).await, StatusCode::OK, "unchanged");
    let (status, answer) = send(&app, "POST", &reset_totp, Some(&ada), Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["user"]["totp_enabled"], false);
    assert_eq!(answer["sessions_ended"], 1);
    assert_eq!(me_status(&app, &rita).await, StatusCode::UNAUTHORIZED);
    let rita = login_2fa(&app, "rita").await;
    assert_eq!(me_status(&app, &rita).await, StatusCode::OK);

    // A forgotten password: the admin sets one to hand over; a weak one changes nothing.
    let reset = format!("/api/v1/users/{sam_id}/password");
    let (status, answer) = send(
        &app,
        "POST",
        &reset,
        Some(&ada),
        json!({"password": "short"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`password`"));
    let (status, _) = send(
        &app,
        "POST",
        &reset,
        Some(&sam),
        json!({"password": "handed over pebble night"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(me_status(&app, &sam).await, StatusCode::OK, "unchanged");
    let (status, answer) = send(
        &app,
        "POST",
        &reset,
        Some(&ada),
        json!({"password": "handed over pebble night"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["sessions_ended"], 1);
    assert_eq!(me_status(&app, &sam).await, StatusCode::UNAUTHORIZED);
    let (status, _) = send(
        &app,
        "POST",
        "/api/v1/login",
        None,
        json!({"username": "sam", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");

    // Sam changes the handed-over password himself: this session stays, the others end.
    let sam = login_with(&app, "sam", "handed over pebble night", None).await;
    let other = login_with(&app, "sam", "handed over pebble night", None).await;
    let (status, _) = send(&app, "GET", "/api/v1/drafts", Some(&sam), Value::Null).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a password set for him comes first"
    );
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let (status, answer) = send(
        &app,
        "POST",
        "/api/v1/me/password",
        Some(&sam),
        change("wrong guess entirely", "my own quiet orchard"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`current_password`"));
    let (status, answer) = send(
        &app,
        "POST",
        "/api/v1/me/password",
        Some(&sam),
        change("handed over pebble night", "sam12345"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`new_password`"));
    let (status, answer) = send(
        &app,
        "POST",
        "/api/v1/me/password",
        Some(&sam),
        change("handed over pebble night", "handed over pebble night"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(
        me_status(&app, &other).await,
        StatusCode::OK,
        "nothing changed yet"
    );
    let (status, answer) = send(
        &app,
        "POST",
        "/api/v1/me/password",
        Some(&sam),
        change("handed over pebble night", "my own quiet orchard"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["other_sessions_ended"], 1);
    assert_eq!(me_status(&app, &sam).await, StatusCode::OK);
    assert_eq!(me_status(&app, &other).await, StatusCode::UNAUTHORIZED);
    let (status, _) = send(&app, "GET", "/api/v1/drafts", Some(&sam), Value::Null).await;
    assert_eq!(status, StatusCode::OK, "his own password: everything again");
    login_with(&app, "sam", "my own quiet orchard", None).await;
    // Not with an API token, even one that may write.
    let (status, token) = send(
        &app,
        "POST",
        "/api/v1/tokens",
        Some(&sam),
        json!({"name": "ci", "scopes": ["read", "write"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let bearer = Auth::Bearer(token["token"].as_str().unwrap().to_owned());
    let (status, _) = send(
        &app,
        "POST",
        "/api/v1/me/password",
        Some(&bearer),
        change("my own quiet orchard", "another long passphrase"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Disabled and enabled again: she signs in again.
    let disable = format!("/api/v1/users/{tess_id}/disable");
    let enable = format!("/api/v1/users/{tess_id}/enable");
    let (status, _) = send(&app, "POST", &disable, Some(&ada), Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(
        &app,
        "POST",
        "/api/v1/login",
        None,
        json!({"username": "tess", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(&app, "POST", &enable, Some(&sam), Value::Null).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, answer) = send(&app, "POST", &enable, Some(&ada), Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["user"]["disabled"], false);
    login(&app, "tess", None).await;
    let (status, _) = send(
        &app,
        "POST",
        "/api/v1/users/424242/enable",
        Some(&ada),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Each change is on record, by whom, without a password.
    let (entries, dump) = audit_dump(&app).await;
    let by = |action: &str| -> Vec<(String, Option<String>)> {
        entries
            .iter()
            .filter(|e| e.action == action)
            .map(|e| (e.actor.as_ref().unwrap().name.clone(), e.subject.clone()))
            .collect()
    };
    assert_eq!(
        by("totp.reset"),
        [("ada".to_owned(), Some(format!("user:{rita_id}")))]
    );
    assert_eq!(
        by("password.reset"),
        [("ada".to_owned(), Some(format!("user:{sam_id}")))]
    );
    assert_eq!(
        by("password.changed"),
        [("sam".to_owned(), Some(format!("user:{sam_id}")))]
    );
    assert_eq!(
        by("user.enabled"),
        [("ada".to_owned(), Some(format!("user:{tess_id}")))]
    );
    for secret in [
        "handed over pebble",
        "quiet orchard",
        "another long passphrase",
    ] {
        assert!(!dump.contains(secret), "{secret} in the audit log");
    }
}

/// Submits an official draft as `author` and has `reviewer` decide on it; its id.
async fn rejected_draft<S: Store + Clone + 'static>(
    app: &App<S>,
    author: &Auth,
    reviewer: &Auth,
    text: &str,
) -> i64 {
    let (status, draft) = send(
        app,
        "POST",
        "/api/v1/drafts",
        Some(author),
        json!({"text": text, "channel": "@AlderbrookHealth"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let id = draft["post"]["id"].as_i64().unwrap();
    let (status, answer) = send(
        app,
        "POST",
        &format!("/api/v1/drafts/{id}/decision"),
        Some(reviewer),
        json!({"verdict": "reject", "revision": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["post"]["status"], "rejected");
    id
}

async fn a_post_under_legal_hold_survives_the_retention_purge<S: Store + Clone + 'static>(
    app: App<S>,
) {
    let sam = login(&app, "sam", None).await;
    let tess = login(&app, "tess", None).await;
    let rita = login_2fa(&app, "rita").await;
    let carol = login_2fa(&app, "carol").await;
    let held = rejected_draft(&app, &sam, &rita, "Our garage opens Monday!").await;
    let unheld = rejected_draft(&app, &sam, &rita, "Our cafe opens Tuesday!").await;

    let hold = format!("/api/v1/drafts/{held}/legal-hold");
    // The author may see the post but not hold it; someone else may not know it exists.
    let (status, _) = send(&app, "POST", &hold, Some(&sam), json!({"hold": true})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(&app, "POST", &hold, Some(&tess), json!({"hold": true})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = send(&app, "POST", &hold, Some(&carol), json!({"hold": "yes"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`hold`"));
    let (status, answer) = send(&app, "POST", &hold, Some(&carol), json!({"hold": true})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["post"]["legal_hold"], true);
    let (status, _) = send(
        &app,
        "POST",
        "/api/v1/drafts/9999/legal-hold",
        Some(&carol),
        json!({"hold": true}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The configured retention (365 days) purges neither yet, and says so in the audit log.
    let purged = postguard_server::purge_due(&app.state).await.unwrap();
    assert!(purged.is_empty());
    // A cutoff after both: the held post stays, the other goes with its versions.
    let cutoff = chrono::Utc::now() + chrono::Duration::minutes(1);
    let purged = app
        .store
        .purge(
            cutoff,
            &[PostStatus::Rejected, PostStatus::Expired],
            postguard_store::NewAuditEntry {
                actor: None,
                action: "retention.purged".into(),
                subject: None,
                details: serde_json::json!({}),
            }
            .into(),
        )
        .await
        .unwrap();
    assert_eq!(purged, vec![PostId(unheld)]);
    assert!(app.store.get_post(PostId(held)).await.unwrap().is_some());
    assert!(app.store.get_post(PostId(unheld)).await.unwrap().is_none());

    let (entries, _) = audit_dump(&app).await;
    let set = entries
        .iter()
        .find(|e| e.action == "legal_hold.set")
        .expect("legal_hold.set audited");
    assert_eq!(
        set.subject.as_deref(),
        Some(format!("post:{held}").as_str())
    );
    let run = entries
        .iter()
        .find(|e| e.action == "retention.purged")
        .expect("retention.purged audited");
    let details: Value = serde_json::from_str(&run.details).unwrap();
    assert_eq!(details["count"], 0);
}

async fn compliance_exports_the_audit_log_and_a_post_history_and_staff_cannot<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    let sam = login(&app, "sam", None).await;
    let tess = login(&app, "tess", None).await;
    let rita = login_2fa(&app, "rita").await;
    let carol = login_2fa(&app, "carol").await;

    // A draft, changes requested with a note, resubmitted.
    let (status, draft) = send(&app, "POST", "/api/v1/drafts", Some(&sam), json!({
        "text": "Wishing a speedy recovery to Maria Gonzales in room 412!", "channel": "@AlderbrookHealth"})).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let id = draft["post"]["id"].as_i64().unwrap();
    let (status, _) = send(
        &app,
        "POST",
        &format!("/api/v1/drafts/{id}/decision"),
        Some(&rita),
        json!({"verdict": "request_changes", "revision": 1, "note": "Remove the name, \"please\".",
            "reason": "Leave out the patient's name."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = send(&app, "PUT", &format!("/api/v1/drafts/{id}"), Some(&sam), json!({
        "text": "Wishing all our patients a speedy recovery!", "channel": "@AlderbrookHealth", "revision": 2})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    // Staff may not export; a post's history is "not found" to those who cannot see it.
    for uri in ["/api/v1/audit/export", "/api/v1/audit/export?format=csv"] {
        let (status, _) = send(&app, "GET", uri, Some(&sam), Value::Null).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}");
    }
    let history = format!("/api/v1/drafts/{id}/history");
    let (status, _) = send(&app, "GET", &history, Some(&sam), Value::Null).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(&app, "GET", &history, Some(&tess), Value::Null).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = send(
        &app,
        "GET",
        "/api/v1/audit/export?format=xml",
        Some(&carol),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");

    // JSON lines: one object per line, with seq and hash, every entry.
    let before = app.store.audit_entries(0, 10_000).await.unwrap();
    let (headers, body) = audit_export(&app, &carol, "/api/v1/audit/export?format=jsonl").await;
    assert_eq!(headers["content-type"], "application/x-ndjson");
    let text = String::from_utf8(body).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), before.len());
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["seq"].as_i64(), Some(i64::try_from(i).unwrap() + 1));
        assert_eq!(line["hash"].as_str().unwrap().len(), 64);
    }
    assert!(!text.contains("Gonzales"), "no text in the audit log");

    // CSV: a header, then the same entries (and the JSON export's own entry), quoted properly.
    let (headers, body) = audit_export(&app, &carol, "/api/v1/audit/export?format=csv").await;
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "seq");
    assert_eq!(&header[8], "hash");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), lines.len() + 1);
    for (record, line) in records.iter().zip(&lines) {
        assert_eq!(record[0].parse::<i64>().ok(), line["seq"].as_i64());
        assert_eq!(&record[6], line["details"].as_str().unwrap());
        assert_eq!(&record[8], line["hash"].as_str().unwrap());
    }
    assert_eq!(&records[lines.len()][4], "export.audit");

    // The history, for legal: both versions with their text, and the decision with its note.
    let (status, headers, body) = send_raw(&app, "GET", &history, Some(&carol), Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/x-ndjson");
    let events: Vec<Value> = String::from_utf8(body)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<(&str, i64)> = events
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["version"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [("version", 1), ("decision", 1), ("version", 2)],
        "{events:?}"
    );
    assert!(events[0]["text"].as_str().unwrap().contains("Gonzales"));
    assert_eq!(events[0]["username"], "sam");
    assert_eq!(events[1]["note"], "Remove the name, \"please\".");
    assert_eq!(events[1]["reason"], "Leave out the patient's name.");
    assert_eq!(events[1]["username"], "rita");
    assert!(events[2]["text"]
        .as_str()
        .unwrap()
        .contains("all our patients"));

    let (status, headers, body) = send_raw(
        &app,
        "GET",
        &format!("{history}?format=csv"),
        Some(&carol),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3);
    assert!(records[0][column("text")].contains("Maria Gonzales in room 412"));
    assert_eq!(&records[1][column("note")], "Remove the name, \"please\".");
    assert_eq!(
        &records[1][column("reason")],
        "Leave out the patient's name."
    );
    assert_eq!(&records[2][column("version")], "2");

    // The exports are audited, without their content.
    let (entries, _) = audit_dump(&app).await;
    let exports: Vec<_> = entries
        .iter()
        .filter(|e| e.action.starts_with("export."))
        .collect();
    assert_eq!(exports.len(), 4);
    assert!(exports
        .iter()
        .all(|e| !e.details.contains("Gonzales") && !e.details.contains("please")));
    assert!(exports.iter().any(|e| e.action == "export.history"
        && e.subject.as_deref() == Some(format!("post:{id}").as_str())));
}

/// The audit export streams a page of entries at a time: a log longer than a page (1,000) comes
/// out whole, in order, in both formats, and ends at the entry that was last when the export
/// began, as its own entry records.
async fn an_audit_log_of_several_pages_exports_whole_through_the_entry_last_when_it_began<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    for n in 0..2_100 {
        app.store
            .append_audit(postguard_store::NewAuditEntry {
                actor: None,
                action: "test.filler".to_owned(),
                subject: Some(format!("n:{n}")),
                details: json!({ "n": n }),
            })
            .await
            .unwrap();
    }
    let carol = login_2fa(&app, "carol").await;
    let last = app.store.last_audit_seq().await.unwrap();
    assert!(last > 2_100, "{last}");

    let (_, body) = audit_export(&app, &carol, "/api/v1/audit/export").await;
    let seqs: Vec<i64> = String::from_utf8(body)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["seq"]
                .as_i64()
                .unwrap()
        })
        .collect();
    // Every entry up to the sign-in, none twice, none after: the export's own entry comes next.
    assert_eq!(seqs, (1..=last).collect::<Vec<_>>());
    let (entries, _) = audit_dump(&app).await;
    let recorded = entries.last().unwrap();
    assert_eq!(
        (recorded.seq, recorded.action.as_str()),
        (last + 1, "export.audit")
    );
    let details: Value = serde_json::from_str(&recorded.details).unwrap();
    assert_eq!(details["through_seq"], last);

    let (_, body) = audit_export(&app, &carol, "/api/v1/audit/export?format=csv").await;
    let mut reader = csv::Reader::from_reader(body.as_slice());
    assert_eq!(&reader.headers().unwrap()[0], "seq", "one header, first");
    let seqs: Vec<i64> = reader
        .records()
        .map(|r| r.unwrap()[0].parse().unwrap())
        .collect();
    assert_eq!(seqs, (1..=last + 1).collect::<Vec<_>>());
}
