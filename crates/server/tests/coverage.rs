//! Behaviour of the server that no other router test covered, through the HTTP router on a real
//! SQLite file and on a real PostgreSQL (a fresh database per test; `POSTGUARD_TEST_POSTGRES_URL`,
//! set by `./scripts/test`): the session idle timeout, the session cookie's attributes, sign-in
//! with a recovery code, the expiry sweep, attachments' alt text, approval steps configured per
//! official account, and what each role may not do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use postguard_policy::Policy;
use postguard_server::auth::{token_hash, Totp};
use postguard_server::authz::{allowed, Action};
use postguard_server::{router, AppState, Config};
use postguard_store::{PostId, PostgresStore, Role, SqliteStore, Store};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

#[macro_use]
mod common;

use common::PASSWORD;

/// What users see when their session ran out.
const IDLE_MESSAGE: &str = "your session ended after a period without activity; sign in again";
/// What users see without a session.
const NO_SESSION_MESSAGE: &str = "sign in first: no valid session or API token";

/// Where the test's database is, for changing it directly.
enum Db {
    // The directory is kept until the test ends: the database file lives in it.
    Sqlite(std::path::PathBuf, #[allow(dead_code)] tempfile::TempDir),
    Postgres(String),
}

struct App<S> {
    router: Router,
    state: AppState<S>,
    store: S,
    db: Arc<Db>,
}

impl<S: Store + Clone + 'static> App<S> {
    /// Another server over the same database, with `config`.
    fn with_config(&self, config: Config) -> App<S> {
        let state = AppState::new(
            Policy::builtin_default().unwrap(),
            self.store.clone(),
            config,
        )
        .unwrap();
        App {
            router: router(state.clone()),
            state,
            store: self.store.clone(),
            db: Arc::clone(&self.db),
        }
    }
}

async fn with_users<S: Store + Clone + 'static>(store: S, db: Db) -> App<S> {
    for (name, role) in [
        ("sam", Role::Staff),
        ("tess", Role::Staff),
        ("rita", Role::Reviewer),
        ("ray", Role::Reviewer),
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
        state,
        store,
        db: Arc::new(db),
    }
}

async fn sqlite_app() -> App<SqliteStore> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("postguard.db");
    let store = SqliteStore::open(&path).await.unwrap();
    with_users(store, Db::Sqlite(path, dir)).await
}

async fn postgres_app() -> Option<App<PostgresStore>> {
    let (store, name) = common::fresh_postgres().await?;
    Some(with_users(store, Db::Postgres(name)).await)
}

on_both_databases!(
    a_session_idle_longer_than_the_configured_timeout_is_refused_and_one_in_use_lives_on,
    the_session_cookie_is_http_only_and_strict_always_and_secure_exactly_when_configured,
    a_recovery_code_signs_in_once_and_the_count_left_goes_down,
    the_sweep_expires_pending_posts_past_their_time_with_an_audit_entry_and_decisions_get_409,
    alt_text_with_a_patient_identifier_gets_a_finding_and_clean_alt_text_does_not,
    approval_steps_configured_per_account_keep_a_post_pending_until_every_step_is_satisfied,
    the_router_refuses_what_the_role_matrix_refuses_for_every_role,
);

/// A signed-in client: its cookie and CSRF token.
#[derive(Clone)]
struct Client {
    cookie: String,
    csrf: String,
}

async fn send_raw<S>(
    app: &App<S>,
    method: &str,
    uri: &str,
    client: Option<&Client>,
    body: Value,
) -> (StatusCode, HeaderMap, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(c) = client {
        request = request
            .header("cookie", format!("postguard_session={}", c.cookie))
            .header("x-csrf-token", &c.csrf);
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
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, value)
}

async fn send<S>(
    app: &App<S>,
    method: &str,
    uri: &str,
    client: Option<&Client>,
    body: Value,
) -> (StatusCode, Value) {
    let (status, _, value) = send_raw(app, method, uri, client, body).await;
    (status, value)
}

/// The error message of an answer.
fn message(answer: &Value) -> &str {
    answer["error"]["message"].as_str().unwrap_or("")
}

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap()
}

/// Enrols two-factor sign-in for a user: their TOTP settings and the recovery codes shown once.
async fn enrol<S>(app: &App<S>, user: &str) -> (Totp, Vec<String>) {
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
    // The current step's code; sign-ins use the next step's (the server accepts one step either
    // side), so neither fails when a slow request crosses a 30-second boundary.
    let (status, confirmed) = send(
        app,
        "POST",
        "/api/v1/totp/confirm",
        None,
        json!({"username": user, "password": PASSWORD, "code": totp.code_at(now())}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let codes: Vec<String> = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (totp, codes)
}

/// The session cookie's value in a `Set-Cookie` header.
fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

/// Signs in with `body` (the username and password are added); the client, or the answer.
async fn try_login<S>(
    app: &App<S>,
    user: &str,
    mut body: Value,
) -> Result<Client, (StatusCode, Value)> {
    body["username"] = json!(user);
    if body.get("password").is_none() {
        body["password"] = json!(PASSWORD);
    }
    let (status, headers, answer) = send_raw(app, "POST", "/api/v1/login", None, body).await;
    if status != StatusCode::OK {
        return Err((status, answer));
    }
    let set_cookie = headers.get("set-cookie").unwrap().to_str().unwrap();
    Ok(Client {
        cookie: cookie_value(set_cookie),
        csrf: answer["csrf_token"].as_str().unwrap().to_owned(),
    })
}

/// Signs in staff with a password.
async fn login<S>(app: &App<S>, user: &str) -> Client {
    match try_login(app, user, json!({})).await {
        Ok(client) => client,
        Err((status, answer)) => panic!("{user} could not sign in: {status} {answer}"),
    }
}

/// Enrols a user who needs two factors and signs them in.
///
/// The next step's code is accepted for the thirty to sixty seconds the server's one step of
/// skew allows after it is read from the clock. A sign-in refused once is tried again with the
/// code of the step after the clock's then: on this virtual machine the wall clock can jump
/// forward while the VM is paused, which once made CI's sign-in arrive two steps late (the
/// refused code's step is not used up, so the second code is fresh either way). A second
/// refusal fails the test.
async fn login_2fa<S>(app: &App<S>, user: &str) -> Client {
    let (totp, _) = enrol(app, user).await;
    let attempt = || try_login(app, user, json!({"code": totp.code_at(now() + 30)}));
    match attempt().await {
        Ok(client) => client,
        Err((StatusCode::UNAUTHORIZED, _)) => match attempt().await {
            Ok(client) => client,
            Err((status, answer)) => panic!("{user} could not sign in: {status} {answer}"),
        },
        Err((status, answer)) => panic!("{user} could not sign in: {status} {answer}"),
    }
}

/// Makes a session look idle for `seconds` more than it is, as the clock would after that long
/// without a request: moves its `last_seen_at` back with SQL, outside the store.
async fn backdate_session(db: &Db, cookie: &str, seconds: i64) {
    use postguard_store::sqlx::{self, ConnectOptions as _};
    use std::str::FromStr as _;
    let hash = token_hash(cookie);
    let changed = match db {
        Db::Sqlite(path, _) => {
            let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .connect()
                .await
                .unwrap();
            // Microseconds since the epoch.
            sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - ? WHERE id_hash = ?")
                .bind(seconds * 1_000_000)
                .bind(&hash)
                .execute(&mut conn)
                .await
                .unwrap()
                .rows_affected()
        }
        Db::Postgres(name) => {
            let url = std::env::var("POSTGUARD_TEST_POSTGRES_URL").unwrap();
            let options = sqlx::postgres::PgConnectOptions::from_str(&url)
                .unwrap()
                .database(name);
            let mut conn = options.connect().await.unwrap();
            sqlx::query(
                "UPDATE sessions SET last_seen_at = last_seen_at - make_interval(secs => $1) \
                 WHERE id_hash = $2",
            )
            .bind(seconds as f64)
            .bind(&hash)
            .execute(&mut conn)
            .await
            .unwrap()
            .rows_affected()
        }
    };
    assert_eq!(changed, 1, "no such session");
}

async fn user_id<S: Store>(app: &App<S>, username: &str) -> postguard_store::UserId {
    app.store
        .get_user_by_username(username)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Submits a draft and answers the post's id and status.
async fn submit<S>(app: &App<S>, author: &Client, draft: Value) -> (i64, String, Value) {
    let (status, answer) = send(app, "POST", "/api/v1/drafts", Some(author), draft).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    (
        answer["post"]["id"].as_i64().unwrap(),
        answer["post"]["status"].as_str().unwrap().to_owned(),
        answer,
    )
}

/// The post as its author (or a reviewer) sees it.
async fn show<S>(app: &App<S>, client: &Client, id: i64) -> Value {
    let (status, shown) = send(
        app,
        "GET",
        &format!("/api/v1/drafts/{id}"),
        Some(client),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    shown
}

/// A verdict on the post's current revision: the status and the answer.
async fn decide<S: Store>(
    app: &App<S>,
    who: &Client,
    id: i64,
    verdict: &str,
) -> (StatusCode, Value) {
    let revision = app
        .store
        .get_post(PostId(id))
        .await
        .unwrap()
        .unwrap()
        .revision;
    send(
        app,
        "POST",
        &format!("/api/v1/drafts/{id}/decision"),
        Some(who),
        json!({"verdict": verdict, "revision": revision, "reason": "as discussed"}),
    )
    .await
}

// ----- 1. the session idle timeout -----

async fn a_session_idle_longer_than_the_configured_timeout_is_refused_and_one_in_use_lives_on<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    let config = Config::load(None, |k| {
        (k == "POSTGUARD_SESSION_IDLE_MINUTES").then(|| "1".to_owned())
    })
    .unwrap();
    assert_eq!(config.session_idle_minutes, 1);
    let short = app.with_config(config);
    // No timeout of 0, which would end every session at its first request after sign-in.
    let err = Config::load(None, |k| {
        (k == "POSTGUARD_SESSION_IDLE_MINUTES").then(|| "0".to_owned())
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("POSTGUARD_SESSION_IDLE_MINUTES: ") && err.contains("at least 1"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("postguard.toml");
    std::fs::write(&file, "session_idle_minutes = 0\n").unwrap();
    let err = Config::load(Some(&file), |_| None).unwrap_err().to_string();
    assert!(
        err.contains("session_idle_minutes") && err.contains("at least 1"),
        "{err}"
    );

    // Used 50 seconds after the last request: still signed in, and the request restarts the
    // clock, so another 50 seconds later it is still fine (100 seconds after the first).
    let active = login(&short, "sam").await;
    backdate_session(&short.db, &active.cookie, 50).await;
    let (status, me) = send(&short, "GET", "/api/v1/me", Some(&active), Value::Null).await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("sam")),
        "{me}"
    );
    backdate_session(&short.db, &active.cookie, 50).await;
    let (status, answer) = send(
        &short,
        "POST",
        "/api/v1/drafts",
        Some(&active),
        json!({"text": "Flu shots are free at every clinic this week."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");

    // Idle for 70 seconds: signed out, with the message the user sees; the session is gone, so
    // the next request is simply not signed in.
    let idle = login(&short, "sam").await;
    backdate_session(&short.db, &idle.cookie, 70).await;
    let (status, answer) = send(&short, "GET", "/api/v1/me", Some(&idle), Value::Null).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(message(&answer), IDLE_MESSAGE);
    assert!(app
        .store
        .get_session(&token_hash(&idle.cookie))
        .await
        .unwrap()
        .is_none());
    let (status, answer) = send(&short, "GET", "/api/v1/me", Some(&idle), Value::Null).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(message(&answer), NO_SESSION_MESSAGE);
    // The other session of the same user is not affected.
    let (status, _) = send(&short, "GET", "/api/v1/me", Some(&active), Value::Null).await;
    assert_eq!(status, StatusCode::OK);

    // A write with an idle session (and the right CSRF token) is refused and stores nothing.
    let tess = login(&short, "tess").await;
    backdate_session(&short.db, &tess.cookie, 90).await;
    let (status, answer) = send(
        &short,
        "POST",
        "/api/v1/drafts",
        Some(&tess),
        json!({"text": "Flu shots are free at every clinic this week."}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(message(&answer), IDLE_MESSAGE);
    let tess_id = user_id(&app, "tess").await;
    assert!(app.store.posts_by_author(tess_id).await.unwrap().is_empty());
    // Signing in again works.
    let tess = login(&short, "tess").await;
    let (status, _) = send(&short, "GET", "/api/v1/me", Some(&tess), Value::Null).await;
    assert_eq!(status, StatusCode::OK);

    // The timeout is the configured one: with the default 15 minutes, 5 minutes idle is fine
    // and 16 are not.
    let five = login(&app, "tess").await;
    backdate_session(&app.db, &five.cookie, 5 * 60).await;
    let (status, answer) = send(&app, "GET", "/api/v1/me", Some(&five), Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let sixteen = login(&app, "tess").await;
    backdate_session(&app.db, &sixteen.cookie, 16 * 60).await;
    let (status, answer) = send(&app, "GET", "/api/v1/me", Some(&sixteen), Value::Null).await;
    assert_eq!(
        (status, message(&answer)),
        (StatusCode::UNAUTHORIZED, IDLE_MESSAGE)
    );
}

// ----- 2. the session cookie's attributes -----

/// A `Set-Cookie` header's name, value and attributes (sorted).
fn parse_set_cookie(header: &str) -> (String, String, Vec<String>) {
    let mut parts = header.split(';').map(str::trim);
    let (name, value) = parts.next().unwrap().split_once('=').unwrap();
    let mut attributes: Vec<String> = parts.map(str::to_owned).collect();
    attributes.sort();
    (name.to_owned(), value.to_owned(), attributes)
}

fn the_set_cookie(headers: &HeaderMap) -> String {
    let all: Vec<&str> = headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(all.len(), 1, "{all:?}");
    all[0].to_owned()
}

async fn the_session_cookie_is_http_only_and_strict_always_and_secure_exactly_when_configured<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let on_file = file("on.toml", "secure_cookies = true\n");
    let off_file = file("off.toml", "secure_cookies = false\n");
    let env = |value: &'static str| {
        move |k: &str| (k == "POSTGUARD_SECURE_COOKIES").then(|| value.to_owned())
    };
    let cases = [
        ("the default", Config::default(), false),
        (
            "POSTGUARD_SECURE_COOKIES=1",
            Config::load(None, env("1")).unwrap(),
            true,
        ),
        (
            "POSTGUARD_SECURE_COOKIES=true",
            Config::load(None, env("true")).unwrap(),
            true,
        ),
        (
            "POSTGUARD_SECURE_COOKIES=0",
            Config::load(None, env("0")).unwrap(),
            false,
        ),
        (
            "secure_cookies = true in the file",
            Config::load(Some(&on_file), |_| None).unwrap(),
            true,
        ),
        (
            "secure_cookies = false in the file",
            Config::load(Some(&off_file), |_| None).unwrap(),
            false,
        ),
        // As an operator might write it.
        (
            "POSTGUARD_SECURE_COOKIES=TRUE",
            Config::load(None, env("TRUE")).unwrap(),
            true,
        ),
        (
            "POSTGUARD_SECURE_COOKIES=on",
            Config::load(None, env("on")).unwrap(),
            true,
        ),
        (
            "POSTGUARD_SECURE_COOKIES=Off",
            Config::load(None, env("Off")).unwrap(),
            false,
        ),
        (
            "the file's true overridden by POSTGUARD_SECURE_COOKIES=0",
            Config::load(Some(&on_file), env("0")).unwrap(),
            false,
        ),
    ];
    // A value that is neither yes nor no is refused at start, not taken for "no".
    for value in ["maybe", "ture", ""] {
        let err = Config::load(None, env(value)).unwrap_err().to_string();
        assert!(
            err.starts_with("POSTGUARD_SECURE_COOKIES: "),
            "{value:?}: {err}"
        );
    }
    for (what, config, secure) in cases {
        assert_eq!(config.secure_cookies, secure, "{what}");
        let server = app.with_config(config);
        let mut expected = vec!["HttpOnly", "Path=/", "SameSite=Strict"];
        if secure {
            expected.push("Secure");
        }
        expected.sort();

        // Sign-in sets the cookie...
        let (status, headers, answer) = send_raw(
            &server,
            "POST",
            "/api/v1/login",
            None,
            json!({"username": "sam", "password": PASSWORD}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{what}: {answer}");
        let header = the_set_cookie(&headers);
        let (name, value, attributes) = parse_set_cookie(&header);
        assert_eq!(name, "postguard_session", "{what}");
        assert_eq!(value.len(), 64, "{what}: a 32-byte random value");
        assert_eq!(attributes, expected, "{what}: {header}");
        let client = Client {
            cookie: value,
            csrf: answer["csrf_token"].as_str().unwrap().to_owned(),
        };
        let (status, _) = send(&server, "GET", "/api/v1/me", Some(&client), Value::Null).await;
        assert_eq!(status, StatusCode::OK, "{what}");

        // ...and sign-out clears it with the same attributes.
        let (status, headers, answer) = send_raw(
            &server,
            "POST",
            "/api/v1/logout",
            Some(&client),
            Value::Null,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{what}: {answer}");
        let header = the_set_cookie(&headers);
        let (name, value, attributes) = parse_set_cookie(&header);
        assert_eq!(
            (name.as_str(), value.as_str()),
            ("postguard_session", ""),
            "{what}"
        );
        let mut cleared = expected.clone();
        cleared.push("Max-Age=0");
        cleared.sort();
        assert_eq!(attributes, cleared, "{what}: {header}");
        let (status, _) = send(&server, "GET", "/api/v1/me", Some(&client), Value::Null).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: signed out");
    }
}

// ----- 3. recovery codes -----

async fn a_recovery_code_signs_in_once_and_the_count_left_goes_down<S: Store + Clone + 'static>(
    app: App<S>,
) {
    let (_, codes) = enrol(&app, "rita").await;
    let (_, ray_codes) = enrol(&app, "ray").await;
    let rita_id = user_id(&app, "rita").await;
    assert_eq!(app.store.recovery_codes_left(rita_id).await.unwrap(), 10);

    // A recovery code instead of the code from the app: signed in as the reviewer.
    let client = try_login(&app, "rita", json!({"recovery_code": codes[0]}))
        .await
        .unwrap();
    let (status, me) = send(&app, "GET", "/api/v1/me", Some(&client), Value::Null).await;
    assert_eq!(
        (status, me["username"].as_str(), me["role"].as_str()),
        (StatusCode::OK, Some("rita"), Some("reviewer"))
    );
    assert_eq!(app.store.recovery_codes_left(rita_id).await.unwrap(), 9);

    // The same code again: refused, and nothing more is used up.
    let refusal = "a valid, unused two-factor code (or a recovery code) is required";
    let (status, answer) = try_login(&app, "rita", json!({"recovery_code": codes[0]}))
        .await
        .err()
        .unwrap();
    assert_eq!(
        (status, message(&answer)),
        (StatusCode::UNAUTHORIZED, refusal)
    );
    assert_eq!(app.store.recovery_codes_left(rita_id).await.unwrap(), 9);

    // Another user's code, or one never issued: refused.
    for wrong in [ray_codes[0].as_str(), "0000-0000-0000"] {
        let (status, answer) = try_login(&app, "rita", json!({"recovery_code": wrong}))
            .await
            .err()
            .unwrap();
        assert_eq!(
            (status, message(&answer)),
            (StatusCode::UNAUTHORIZED, refusal)
        );
    }
    // A good code with a wrong password is refused and the code is not used up.
    let (status, answer) = try_login(
        &app,
        "rita",
        json!({"password": "not the password", "recovery_code": codes[1]}),
    )
    .await
    .err()
    .unwrap();
    assert_eq!(
        (status, message(&answer)),
        (StatusCode::UNAUTHORIZED, "wrong username or password")
    );
    assert_eq!(app.store.recovery_codes_left(rita_id).await.unwrap(), 9);

    // That code as a person might type it (upper case, spaces for dashes) works, once.
    let typed = codes[1].to_uppercase().replace('-', " ");
    try_login(&app, "rita", json!({"recovery_code": typed}))
        .await
        .unwrap();
    assert_eq!(app.store.recovery_codes_left(rita_id).await.unwrap(), 8);
    assert!(try_login(&app, "rita", json!({"recovery_code": codes[1]}))
        .await
        .is_err());
    // Ray's codes were not touched by the attempt with one of them on rita's account.
    let ray_id = user_id(&app, "ray").await;
    assert_eq!(app.store.recovery_codes_left(ray_id).await.unwrap(), 10);
    try_login(&app, "ray", json!({"recovery_code": ray_codes[0]}))
        .await
        .unwrap();
    assert_eq!(app.store.recovery_codes_left(ray_id).await.unwrap(), 9);

    // Each use is audited, never with the code.
    let entries = app.store.audit_entries(0, 1000).await.unwrap();
    let used: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "login.recovery_code_used")
        .map(|e| e.actor.as_ref().unwrap().name.as_str())
        .collect();
    assert_eq!(used, ["rita", "rita", "ray"]);
    let dump = serde_json::to_string(&entries).unwrap();
    for code in codes.iter().chain(&ray_codes) {
        assert!(
            !dump.contains(code.as_str()),
            "a recovery code in the audit log"
        );
        let bare = code.replace('-', "");
        assert!(!dump.contains(&bare), "a recovery code in the audit log");
    }
}

// ----- 4. expiry -----

async fn the_sweep_expires_pending_posts_past_their_time_with_an_audit_entry_and_decisions_get_409<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    let sam = login(&app, "sam").await;
    let rita = login_2fa(&app, "rita").await;
    let soon = chrono::Utc::now() + chrono::Duration::seconds(8);
    let official = |text: &str, at: Option<chrono::DateTime<chrono::Utc>>| json!({"text": text, "channel": "@AlderbrookHealth", "scheduled_at": at});
    let (due, status, _) = submit(
        &app,
        &sam,
        official("Our new parking garage opens Monday!", Some(soon)),
    )
    .await;
    assert_eq!(status, "pending_review");
    let (sent_back, _, _) = submit(
        &app,
        &sam,
        official("The cafeteria has a new salad bar!", Some(soon)),
    )
    .await;
    let (status, answer) = decide(&app, &rita, sent_back, "request_changes").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["post"]["status"], "changes_requested");
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    let (later, _, _) = submit(
        &app,
        &sam,
        official("The summer fun run is next month!", Some(tomorrow)),
    )
    .await;
    let (unscheduled, _, _) = submit(
        &app,
        &sam,
        official("Visiting hours are changing next week.", None),
    )
    .await;
    assert!(
        chrono::Utc::now() < soon,
        "the machine was too slow to set up before the scheduled time"
    );

    // The sweep, as `postguard serve` runs it, every 100 ms.
    let sweep = tokio::spawn(postguard_server::expire_periodically(
        app.state.clone(),
        Duration::from_millis(100),
    ));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let a = show(&app, &sam, due).await["post"]["status"].clone();
        let b = show(&app, &sam, sent_back).await["post"]["status"].clone();
        if a == "expired" && b == "expired" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not expired 30 s after the sweep started: {a} {b}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A few more ticks: nothing is expired twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    sweep.abort();
    let _ = sweep.await;

    // One `post.expired` entry for each expired post, by nobody (the server itself).
    let entries = app.store.audit_entries(0, 1000).await.unwrap();
    let mut expired: Vec<String> = entries
        .iter()
        .filter(|e| e.action == "post.expired")
        .map(|e| {
            assert!(e.actor.is_none(), "{e:?}");
            e.subject.clone().unwrap()
        })
        .collect();
    expired.sort();
    let mut want = vec![format!("post:{due}"), format!("post:{sent_back}")];
    want.sort();
    assert_eq!(expired, want);
    let (status, verified) = {
        let carol = login_2fa(&app, "carol").await;
        send(
            &app,
            "GET",
            "/api/v1/audit/verify",
            Some(&carol),
            Value::Null,
        )
        .await
    };
    assert_eq!(
        (status, verified["ok"].as_bool()),
        (StatusCode::OK, Some(true))
    );

    // Posts not yet due, or not scheduled, are untouched and still in the queue.
    for id in [later, unscheduled] {
        assert_eq!(
            show(&app, &sam, id).await["post"]["status"],
            "pending_review"
        );
    }
    let (_, queue) = send(&app, "GET", "/api/v1/queue", Some(&rita), Value::Null).await;
    let mut queued: Vec<i64> = queue["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    queued.sort();
    assert_eq!(queued, [later, unscheduled]);

    // Deciding on an expired post: 409 with the reason; the author cannot revive it either.
    for verdict in ["approve", "reject", "request_changes"] {
        for id in [due, sent_back] {
            let (status, answer) = decide(&app, &rita, id, verdict).await;
            assert_eq!(status, StatusCode::CONFLICT, "{verdict}: {answer}");
            assert_eq!(
                message(&answer),
                "the post is expired, not waiting for review",
                "{verdict}"
            );
        }
    }
    let revision = show(&app, &sam, sent_back).await["post"]["revision"].clone();
    let (status, answer) = send(
        &app,
        "PUT",
        &format!("/api/v1/drafts/{sent_back}"),
        Some(&sam),
        json!({"text": "The cafeteria has a new salad bar!", "channel": "@AlderbrookHealth",
            "revision": revision}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(
        message(&answer),
        "the post is expired; submit a new draft instead"
    );
    assert_eq!(
        show(&app, &sam, sent_back).await["post"]["status"],
        "expired"
    );
    // The one not due is still approved normally.
    let (status, answer) = decide(&app, &rita, later, "approve").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["post"]["status"], "approved");
}

// ----- 5. attachments -----

async fn alt_text_with_a_patient_identifier_gets_a_finding_and_clean_alt_text_does_not<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    let sam = login(&app, "sam").await;
    let text = "Our new imaging wing opens on Monday.";
    let clean_alt = "The front entrance of the new imaging wing at sunrise";
    let phi_alt = "Maria Gonzales, MRN 48213377, waving from room 412";

    // Clean text, clean alt text: cleared at once, nothing found.
    let (_, status, answer) = submit(
        &app,
        &sam,
        json!({"text": text, "attachments": [{"alt_text": clean_alt, "shows_person": false}]}),
    )
    .await;
    assert_eq!(status, "cleared", "{answer}");
    assert_eq!(answer["findings"], json!([]), "{answer}");

    // The same text with a second image whose alt text names a patient: found, attributed to
    // that attachment, and the draft waits for review.
    let draft = json!({"text": text, "attachments": [
        {"alt_text": clean_alt, "shows_person": false},
        {"alt_text": phi_alt, "shows_person": true}]});
    let (id, status, answer) = submit(&app, &sam, draft).await;
    assert_eq!(status, "pending_review", "{answer}");
    let findings = answer["findings"].as_array().unwrap().clone();
    assert!(!findings.is_empty(), "{answer}");
    for f in &findings {
        let rule = f["rule"].as_str().unwrap();
        assert!(rule.starts_with("attachment[1]."), "{f}");
        // The span is in the alt text it was found in.
        let (start, end) = (
            usize::try_from(f["start"].as_u64().unwrap()).unwrap(),
            usize::try_from(f["end"].as_u64().unwrap()).unwrap(),
        );
        assert_eq!(phi_alt.get(start..end), f["matched"].as_str(), "{f}");
    }
    let phi: Vec<&str> = findings
        .iter()
        .filter(|f| f["category"] == "phi")
        .filter_map(|f| f["identifier"].as_str())
        .collect();
    assert!(
        phi.contains(&"NAME") && phi.contains(&"MRN"),
        "the patient's name and record number: {findings:?}"
    );
    // Stored with the version: the author and reviewers see the same findings later.
    let shown = show(&app, &sam, id).await;
    assert_eq!(shown["versions"][0]["findings"], json!(findings));
    assert_eq!(shown["versions"][0]["attachments"][1]["alt_text"], phi_alt);

    // The author fixes the alt text: the new version has no findings and is cleared.
    let (status, fixed) = send(
        &app,
        "PUT",
        &format!("/api/v1/drafts/{id}"),
        Some(&sam),
        json!({"text": text, "revision": shown["post"]["revision"], "attachments": [
            {"alt_text": clean_alt, "shows_person": false},
            {"alt_text": "A patient waving from a window", "shows_person": true}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{fixed}");
    assert_eq!(fixed["findings"], json!([]), "{fixed}");
    assert_eq!(fixed["post"]["status"], "cleared");
}

// ----- 6. approval steps per official account -----

/// Approval steps for two official accounts, in both of the TOML forms: a reviewer then
/// compliance for @AlderbrookHealth; for @AlderbrookCareers (as in the README) a reviewer, then
/// every one of two listed users, then compliance when a consent or health information is
/// involved.
const APPROVALS_TOML: &str = r#"
[[approval]]
account = "@AlderbrookHealth"

[[approval.steps]]
name = "social media review"
role = "reviewer"

[[approval.steps]]
name = "compliance"
role = "compliance"

[[approval]]
account = "@AlderbrookCareers"
steps = [
  { name = "social media review", role = "reviewer" },
  { name = "recruiting leads", users = ["rita", "ray"], mode = "all" },
  { name = "compliance", role = "compliance", when = "consent_or_health_info" },
]
"#;

/// Approves `id` as each of `approvers` in turn, expecting the step each approval is recorded
/// for and the post's status after it.
async fn approve_in_turn<S: Store>(app: &App<S>, id: i64, approvers: &[(&Client, &str, &str)]) {
    for (who, step, status) in approvers {
        let (code, answer) = decide(app, who, id, "approve").await;
        assert_eq!(code, StatusCode::OK, "{step}: {answer}");
        assert_eq!(
            (answer["step"].as_str(), answer["post"]["status"].as_str()),
            (Some(*step), Some(*status)),
            "{answer}"
        );
    }
}

/// The steps of the decisions on a post, oldest first.
async fn decided_steps<S>(app: &App<S>, client: &Client, id: i64) -> Vec<String> {
    show(app, client, id).await["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["step"].as_str().unwrap().to_owned())
        .collect()
}

async fn approval_steps_configured_per_account_keep_a_post_pending_until_every_step_is_satisfied<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("postguard.toml");
    std::fs::write(&path, APPROVALS_TOML).unwrap();
    let config = Config::load(Some(&path), |_| None).unwrap();
    let accounts: Vec<(&str, usize)> = config
        .approvals
        .iter()
        .map(|a| (a.account.as_str(), a.steps.len()))
        .collect();
    assert_eq!(
        accounts,
        [("@AlderbrookHealth", 2), ("@AlderbrookCareers", 3)]
    );
    // A step of mode "all" without users is refused at load, naming the account and the step.
    std::fs::write(
        &path,
        "[[approval]]\naccount = \"@AlderbrookCareers\"\nsteps = [{ name = \"leads\", role = \"reviewer\", mode = \"all\" }]\n",
    )
    .unwrap();
    let err = Config::load(Some(&path), |_| None).unwrap_err().to_string();
    assert!(
        err.contains("approval for @AlderbrookCareers")
            && err.contains("approval step \"leads\": mode \"all\" needs a list of users"),
        "{err}"
    );
    // Two steps of one name are refused too: decisions are recorded by step name, so one
    // reviewer's approval would satisfy both and the post would skip compliance.
    std::fs::write(
        &path,
        "[[approval]]\naccount = \"@AlderbrookHealth\"\nsteps = [{ name = \"review\", role = \"reviewer\" }, { name = \"review\", role = \"compliance\" }]\n",
    )
    .unwrap();
    let err = Config::load(Some(&path), |_| None).unwrap_err().to_string();
    assert!(
        err.contains("approval for @AlderbrookHealth") && err.contains("\"review\""),
        "{err}"
    );
    let app = app.with_config(config.clone());
    assert_eq!(
        app.state.approver_warnings().await.unwrap(),
        Vec::<String>::new()
    );
    // A step that lists a staff member or someone without an account can never be satisfied:
    // the server says so at start.
    let mut careless = config.clone();
    careless.approvals[1].steps[1].users = vec!["rita".into(), "sam".into(), "nobody".into()];
    let warnings = app
        .with_config(careless)
        .state
        .approver_warnings()
        .await
        .unwrap();
    assert_eq!(
        warnings,
        [
            "approval step \"recruiting leads\" of @AlderbrookCareers lists \"sam\", who has a \
             role that cannot review: the step cannot be satisfied until that changes",
            "approval step \"recruiting leads\" of @AlderbrookCareers lists \"nobody\", who has \
             no account: the step cannot be satisfied until that changes",
        ]
    );

    let sam = login(&app, "sam").await;
    let rita = login_2fa(&app, "rita").await;
    let ray = login_2fa(&app, "ray").await;
    let carol = login_2fa(&app, "carol").await;

    // @AlderbrookHealth: a reviewer, then compliance, even for a clean post with no consent
    // (the default steps would approve it after the reviewer).
    let (id, status, _) = submit(
        &app,
        &sam,
        json!({"text": "Our new parking garage opens Monday!", "channel": "@AlderbrookHealth"}),
    )
    .await;
    assert_eq!(status, "pending_review");
    let (status, answer) = decide(&app, &carol, id, "approve").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(
        message(&answer),
        "you are not an approver of the step \"social media review\""
    );
    approve_in_turn(
        &app,
        id,
        &[(&rita, "social media review", "pending_review")],
    )
    .await;
    // Still in the queue; no reviewer may do compliance's step.
    let (_, queue) = send(&app, "GET", "/api/v1/queue", Some(&carol), Value::Null).await;
    assert!(queue["queue"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == id));
    for reviewer in [&rita, &ray] {
        let (status, answer) = decide(&app, reviewer, id, "approve").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        assert_eq!(
            message(&answer),
            "you are not an approver of the step \"compliance\""
        );
    }
    approve_in_turn(&app, id, &[(&carol, "compliance", "approved")]).await;
    assert_eq!(
        decided_steps(&app, &sam, id).await,
        ["social media review", "compliance"]
    );

    // @AlderbrookCareers, a post without a consent: a reviewer, then both listed users (one
    // approval each, nobody else); compliance does not apply.
    let hiring = "We are hiring nurses for our new cardiac unit. Apply today!";
    let (id, _, _) = submit(
        &app,
        &sam,
        json!({"text": hiring, "channel": "@AlderbrookCareers"}),
    )
    .await;
    approve_in_turn(&app, id, &[(&ray, "social media review", "pending_review")]).await;
    let (status, answer) = decide(&app, &carol, id, "approve").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(
        message(&answer),
        "you are not an approver of the step \"recruiting leads\""
    );
    approve_in_turn(&app, id, &[(&ray, "recruiting leads", "pending_review")]).await;
    let (status, answer) = decide(&app, &ray, id, "approve").await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(
        message(&answer),
        "you have already approved the step \"recruiting leads\""
    );
    approve_in_turn(&app, id, &[(&rita, "recruiting leads", "approved")]).await;
    assert_eq!(
        decided_steps(&app, &sam, id).await,
        [
            "social media review",
            "recruiting leads",
            "recruiting leads"
        ]
    );

    // The same account, a post relying on a patient consent: compliance comes last.
    let (id, _, answer) = submit(
        &app,
        &sam,
        json!({"text": "Thank you, Rosa Delgado, for sharing your story with our community!",
            "channel": "@AlderbrookCareers", "consents": [{"id": "C-2041", "covers": ["Rosa Delgado"]}]}),
    )
    .await;
    assert_eq!(answer["post"]["status"], "pending_review", "{answer}");
    approve_in_turn(
        &app,
        id,
        &[
            (&rita, "social media review", "pending_review"),
            (&rita, "recruiting leads", "pending_review"),
            (&ray, "recruiting leads", "pending_review"),
        ],
    )
    .await;
    let (status, answer) = decide(&app, &ray, id, "approve").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    approve_in_turn(&app, id, &[(&carol, "compliance", "approved")]).await;

    // An account without steps of its own keeps the default: a reviewer, then compliance only
    // when the post relies on a patient consent (or a photo of a person).
    let linkedin = "Alderbrook Regional Medical Center";
    let (plain, _, _) = submit(
        &app,
        &sam,
        json!({"text": "Our new parking garage opens Monday!", "channel": linkedin}),
    )
    .await;
    approve_in_turn(&app, plain, &[(&rita, "social media review", "approved")]).await;
    let consented = json!({"text": "Thank you, Rosa Delgado, for sharing your story with our community!",
        "channel": linkedin, "consents": [{"id": "C-2041", "covers": ["Rosa Delgado"]}]});
    let photo = json!({"text": "Meet the team at our new front desk!", "channel": linkedin,
        "attachments": [{"alt_text": "Two people smiling at the front desk", "shows_person": true}]});
    for draft in [consented, photo] {
        let (id, status, answer) = submit(&app, &sam, draft).await;
        assert_eq!(status, "pending_review", "{answer}");
        let (status, answer) = decide(&app, &carol, id, "approve").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        approve_in_turn(
            &app,
            id,
            &[(&rita, "social media review", "pending_review")],
        )
        .await;
        let (status, answer) = decide(&app, &ray, id, "approve").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        approve_in_turn(&app, id, &[(&carol, "compliance", "approved")]).await;
    }
}

// ----- 7. what each role may not do -----

/// The role matrix as documented in `authz.rs`: action, then staff, reviewer, compliance, admin.
const MATRIX: &[(Action, [bool; 4])] = &[
    (Action::Check, [true, true, true, true]),
    (Action::SubmitDraft, [true, true, true, true]),
    (Action::ManageOwnTokens, [true, true, true, true]),
    (Action::ViewAnyDraft, [false, true, true, true]),
    (Action::Review, [false, true, true, true]),
    (Action::LegalHold, [false, false, true, true]),
    (Action::Audit, [false, false, true, true]),
    (Action::ManageUsers, [false, false, false, true]),
];

const ROLES: [(Role, &str); 4] = [
    (Role::Staff, "sam"),
    (Role::Reviewer, "rita"),
    (Role::Compliance, "carol"),
    (Role::Admin, "ada"),
];

async fn the_router_refuses_what_the_role_matrix_refuses_for_every_role<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    // The table is the one authz.rs decides by (its unit test checks the same table).
    for (action, row) in MATRIX {
        for ((role, _), want) in ROLES.iter().zip(row) {
            assert_eq!(allowed(*role, *action), *want, "{role} {action:?}");
        }
    }
    let tess = login(&app, "tess").await;
    let tess_id = user_id(&app, "tess").await;
    let mut clients = Vec::new();
    for (role, name) in ROLES {
        let client = if role == Role::Staff {
            login(&app, name).await
        } else {
            login_2fa(&app, name).await
        };
        clients.push((role, name, client));
    }
    // tess's token, which nobody else may list or revoke.
    let (status, tess_token) = send(
        &app,
        "POST",
        "/api/v1/tokens",
        Some(&tess),
        json!({"name": "tess's", "scopes": ["read"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let tess_token_id = tess_token["id"].as_i64().unwrap();

    for (role, name, client) in &clients {
        let may = |action: Action| {
            MATRIX
                .iter()
                .find(|(a, _)| *a == action)
                .map(|(_, row)| row[ROLES.iter().position(|(r, _)| r == role).unwrap()])
                .unwrap()
        };
        let who = format!("{role} {name}");
        // A post by someone else, waiting for review.
        let (post, _, _) = submit(
            &app,
            &tess,
            json!({"text": "Our new parking garage opens Monday!", "channel": "@AlderbrookHealth"}),
        )
        .await;
        // What a refusal looks like: 403 with the reason when the caller may see the post (or
        // it is not about a post), 404 when they may not even know it exists.
        let refused_on_post = if may(Action::ViewAnyDraft) {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };

        // Check, submit.
        let (status, answer) = send(
            &app,
            "POST",
            "/api/v1/check",
            Some(client),
            json!({"text": "Flu shots are free this week."}),
        )
        .await;
        assert_eq!(
            status == StatusCode::OK,
            may(Action::Check),
            "{who} check: {answer}"
        );
        let (status, answer) = send(
            &app,
            "POST",
            "/api/v1/drafts",
            Some(client),
            json!({"text": "Flu shots are free at every clinic this week."}),
        )
        .await;
        assert_eq!(
            status == StatusCode::CREATED,
            may(Action::SubmitDraft),
            "{who} submit: {answer}"
        );

        // Tokens: one's own only; none for someone else, nor theirs listed or revoked.
        let (status, mine) = send(
            &app,
            "POST",
            "/api/v1/tokens",
            Some(client),
            json!({"name": "mine", "scopes": ["read"]}),
        )
        .await;
        assert_eq!(
            status == StatusCode::CREATED,
            may(Action::ManageOwnTokens),
            "{who} token: {mine}"
        );
        let bearer = mine["token"].as_str().unwrap().to_owned();
        let (status, me) = send_bearer(&app, "/api/v1/me", &bearer).await;
        assert_eq!(
            (status, me["username"].as_str()),
            (StatusCode::OK, Some(*name))
        );
        let (status, answer) = send(
            &app,
            "POST",
            "/api/v1/tokens",
            Some(client),
            json!({"name": "for tess", "scopes": ["read"], "user_id": tess_id}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{who}: {answer}");
        let (status, list) = send(&app, "GET", "/api/v1/tokens", Some(client), Value::Null).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        let ids: Vec<i64> = list["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            ids,
            [mine["id"].as_i64().unwrap()],
            "{who} sees only their own"
        );
        let (status, _) = send(
            &app,
            "DELETE",
            &format!("/api/v1/tokens/{tess_token_id}"),
            Some(client),
            Value::Null,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who} revoking tess's token");
        let (status, _) =
            send_bearer(&app, "/api/v1/me", tess_token["token"].as_str().unwrap()).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "tess's token still works after {who}"
        );

        // Seeing anyone's draft.
        let (status, answer) = send(
            &app,
            "GET",
            &format!("/api/v1/drafts/{post}"),
            Some(client),
            Value::Null,
        )
        .await;
        let want = if may(Action::ViewAnyDraft) {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(status, want, "{who} view: {answer}");

        // The review queue.
        let (status, answer) = send(&app, "GET", "/api/v1/queue", Some(client), Value::Null).await;
        let want = if may(Action::Review) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, want, "{who} queue: {answer}");
        if !may(Action::Review) {
            assert_eq!(message(&answer), "the review queue is for reviewers");
        }

        // Legal hold: refused ones change nothing.
        let (status, answer) = send(
            &app,
            "POST",
            &format!("/api/v1/drafts/{post}/legal-hold"),
            Some(client),
            json!({"hold": true}),
        )
        .await;
        let held = app
            .store
            .get_post(PostId(post))
            .await
            .unwrap()
            .unwrap()
            .legal_hold;
        if may(Action::LegalHold) {
            assert_eq!(status, StatusCode::OK, "{who} legal hold: {answer}");
            assert!(held);
        } else {
            assert_eq!(status, refused_on_post, "{who} legal hold: {answer}");
            if status == StatusCode::FORBIDDEN {
                assert_eq!(message(&answer), "legal hold is for compliance and admins");
            }
            assert!(!held, "{who} put a post under legal hold");
        }

        // The audit log and the exports.
        for uri in [
            "/api/v1/audit/verify".to_owned(),
            "/api/v1/audit/export".to_owned(),
            "/api/v1/audit/export?format=csv".to_owned(),
            format!("/api/v1/drafts/{post}/history"),
        ] {
            let (status, _, answer) = send_raw(&app, "GET", &uri, Some(client), Value::Null).await;
            if may(Action::Audit) {
                assert_eq!(status, StatusCode::OK, "{who} {uri}");
            } else if uri.contains("/drafts/") {
                assert_eq!(status, refused_on_post, "{who} {uri}: {answer}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{who} {uri}: {answer}");
                assert_eq!(
                    message(&answer),
                    "the audit log is for compliance and admins"
                );
            }
        }

        // Managing users: refused ones change nothing.
        let newcomer = format!("new_{name}");
        let (status, answer) = send(
            &app,
            "POST",
            "/api/v1/users",
            Some(client),
            json!({"username": newcomer, "display_name": "New", "role": "admin",
                "password": "violet harbour kettle sunrise"}),
        )
        .await;
        let created = app.store.get_user_by_username(&newcomer).await.unwrap();
        let (list_status, _) = send(&app, "GET", "/api/v1/users", Some(client), Value::Null).await;
        let (role_status, role_answer) = send(
            &app,
            "PUT",
            &format!("/api/v1/users/{tess_id}/role"),
            Some(client),
            json!({"role": "admin"}),
        )
        .await;
        let tess_now = app.store.get_user(tess_id).await.unwrap().unwrap();
        if may(Action::ManageUsers) {
            assert_eq!(status, StatusCode::CREATED, "{who}: {answer}");
            assert!(created.is_some());
            assert_eq!(list_status, StatusCode::OK);
            assert_eq!(role_status, StatusCode::OK, "{role_answer}");
            assert_eq!(tess_now.role, Role::Admin);
            // Back to staff for the rest of the test.
            let (status, _) = send(
                &app,
                "PUT",
                &format!("/api/v1/users/{tess_id}/role"),
                Some(client),
                json!({"role": "staff"}),
            )
            .await;
            assert_eq!(status, StatusCode::OK);
        } else {
            for (what, status, answer) in [
                ("create", status, &answer),
                ("role", role_status, &role_answer),
            ] {
                assert_eq!(status, StatusCode::FORBIDDEN, "{who} {what}: {answer}");
                assert_eq!(message(answer), "only admins manage users");
            }
            assert!(created.is_none(), "{who} created a user");
            assert_eq!(list_status, StatusCode::FORBIDDEN, "{who} listed users");
            assert_eq!(tess_now.role, Role::Staff, "{who} changed a role");
        }
        if !may(Action::ManageUsers) {
            let (status, answer) = send(
                &app,
                "POST",
                &format!("/api/v1/users/{tess_id}/disable"),
                Some(client),
                Value::Null,
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} disable: {answer}");
            let tess_now = app.store.get_user(tess_id).await.unwrap().unwrap();
            assert!(!tess_now.disabled, "{who} disabled a user");
        }

        // Deciding: the matrix lets compliance review, but the workflow's steps decide which:
        // the first step of an official post is the reviewer's, so compliance may not decide
        // it in any way; admins may.
        let (status, answer) = decide(&app, client, post, "request_changes").await;
        match role {
            Role::Staff => assert_eq!(status, StatusCode::NOT_FOUND, "{who}: {answer}"),
            Role::Compliance => {
                assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {answer}");
                assert_eq!(
                    message(&answer),
                    "you are not an approver of the step \"social media review\""
                );
                for verdict in ["approve", "reject"] {
                    let (status, _) = decide(&app, client, post, verdict).await;
                    assert_eq!(status, StatusCode::FORBIDDEN, "{who} {verdict}");
                }
                assert_eq!(
                    show(&app, &tess, post).await["post"]["status"],
                    "pending_review"
                );
            }
            Role::Reviewer | Role::Admin => {
                assert_eq!(status, StatusCode::OK, "{who}: {answer}");
                assert_eq!(answer["post"]["status"], "changes_requested");
            }
        }
    }

    // Nothing refused reached the audit log as done.
    let entries = app.store.audit_entries(0, 10_000).await.unwrap();
    for entry in &entries {
        // The test's own set-up (its users) has no actor.
        let Some(actor) = entry.actor.as_ref().map(|a| a.name.as_str()) else {
            continue;
        };
        let action = match entry.action.as_str() {
            "user.created" | "role.changed" | "user.disabled" => Action::ManageUsers,
            "legal_hold.set" => Action::LegalHold,
            "export.audit" | "export.history" => Action::Audit,
            _ => continue,
        };
        let (role, _) = ROLES.iter().find(|(_, n)| *n == actor).unwrap();
        assert!(allowed(*role, action), "{role} did {}", entry.action);
    }
}

async fn send_bearer<S>(app: &App<S>, uri: &str, token: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method("GET")
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}
