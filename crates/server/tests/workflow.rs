//! The review workflow through the HTTP router, on a real SQLite file and on a real PostgreSQL
//! (a fresh database per test; `POSTGUARD_TEST_POSTGRES_URL`, set by `./scripts/test`): sign-in
//! with two factors, roles, submit, review, resubmit, conflicts, expiry and the audit chain.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use postguard_policy::Policy;
use postguard_server::auth::Totp;
use postguard_server::{router, AppState, Config};
use postguard_store::{PostgresStore, Role, SqliteStore, Store};
use serde_json::{json, Value};
use tower::ServiceExt;

#[macro_use]
mod common;

use common::PASSWORD;

/// Where the test's database is, for tampering with it directly.
enum Db {
    // The directory is kept until the test ends: the database file lives in it.
    Sqlite(std::path::PathBuf, #[allow(dead_code)] tempfile::TempDir),
    Postgres(String),
}

struct App<S> {
    router: Router,
    store: S,
    state: AppState<S>,
    db: Db,
}

async fn with_users<S: Store + Clone + 'static>(store: S, db: Db) -> App<S> {
    for (name, role) in [
        ("sam", Role::Staff),
        ("tess", Role::Staff),
        ("rita", Role::Reviewer),
        ("ray", Role::Reviewer),
        ("carol", Role::Compliance),
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
        db,
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
    two_factor_sign_in_refuses_a_reused_code_and_staff_sign_in_with_a_password,
    submit_review_resubmit_approve_with_roles_conflicts_and_an_intact_audit_chain,
    a_draft_past_its_scheduled_time_cannot_be_approved,
);

/// A signed-in client: its cookie and CSRF token.
#[derive(Clone)]
struct Client {
    cookie: String,
    csrf: String,
}

async fn send<S>(
    app: &App<S>,
    method: &str,
    uri: &str,
    client: Option<&Client>,
    body: Value,
) -> (StatusCode, Value, Option<String>) {
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
    let cookie = response
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value, cookie)
}

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap()
}

/// Enrols two-factor sign-in for a user, returning their TOTP settings.
async fn enrol<S>(app: &App<S>, user: &str) -> Totp {
    let (status, enrolment, _) = send(
        app,
        "POST",
        "/api/v1/totp/enrol",
        None,
        json!({"username": user, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    assert!(enrolment["qr_svg"].as_str().unwrap().contains("<svg"));
    assert!(enrolment["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    let secret = totp_rs::Secret::Encoded(enrolment["secret"].as_str().unwrap().to_owned())
        .to_bytes()
        .unwrap();
    let totp = Totp::from_secret(&secret, "Postguard", user).unwrap();
    // The current step's code; sign-ins use the next step's (the server accepts one step either
    // side), so neither fails when a slow request crosses a 30-second boundary.
    let code = totp.code_at(now());
    let (status, confirmed, _) = send(
        app,
        "POST",
        "/api/v1/totp/confirm",
        None,
        json!({"username": user, "password": PASSWORD, "code": code}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["recovery_codes"].as_array().unwrap().len(), 10);
    totp
}

/// Signs in an enrolled user with the next step's code. A sign-in refused once is tried again
/// with the code of the step after the clock's then: on CI's virtual machines the wall clock
/// can jump forward while the VM is paused, which once made a sign-in arrive two steps late (the
/// refused code's step is not used up, so the second code is fresh). A second refusal fails.
async fn login_2fa<S>(app: &App<S>, user: &str, totp: &Totp) -> Client {
    let body = || json!({"username": user, "password": PASSWORD, "code": totp.code_at(now() + 30)});
    let (mut status, mut answer, mut cookie) =
        send(app, "POST", "/api/v1/login", None, body()).await;
    if status == StatusCode::UNAUTHORIZED {
        (status, answer, cookie) = send(app, "POST", "/api/v1/login", None, body()).await;
    }
    client(user, status, answer, cookie)
}

async fn login<S>(app: &App<S>, user: &str, code: Option<String>) -> Client {
    let mut body = json!({"username": user, "password": PASSWORD});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    let (status, answer, cookie) = send(app, "POST", "/api/v1/login", None, body).await;
    client(user, status, answer, cookie)
}

/// The session a sign-in's answer opens, which must have succeeded.
fn client(user: &str, status: StatusCode, answer: Value, cookie: Option<String>) -> Client {
    assert_eq!(status, StatusCode::OK, "{user}: {answer}");
    let cookie = cookie.unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let value = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    Client {
        cookie: value,
        csrf: answer["csrf_token"].as_str().unwrap().to_owned(),
    }
}

async fn two_factor_sign_in_refuses_a_reused_code_and_staff_sign_in_with_a_password<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    // A reviewer must enrol first.
    let (status, answer, _) = send(
        &app,
        "POST",
        "/api/v1/login",
        None,
        json!({"username": "rita", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let totp = enrol(&app, "rita").await;
    let (status, _, _) = send(
        &app,
        "POST",
        "/api/v1/login",
        None,
        json!({"username": "rita", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let code = totp.code_at(now() + 30);
    let rita = login(&app, "rita", Some(code.clone())).await;
    let (status, me, _) = send(&app, "GET", "/api/v1/me", Some(&rita), Value::Null).await;
    assert_eq!(
        (status, me["role"].as_str()),
        (StatusCode::OK, Some("reviewer"))
    );
    // The same code again: refused.
    let (status, answer, _) = send(
        &app,
        "POST",
        "/api/v1/login",
        None,
        json!({"username": "rita", "password": PASSWORD, "code": code}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    // Staff sign in with a password; a wrong one is 401 and says nothing about which part was wrong.
    login(&app, "sam", None).await;
    let (status, answer, _) = send(
        &app,
        "POST",
        "/api/v1/login",
        None,
        json!({"username": "sam", "password": "nope"}),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["message"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("wrong username or password"))
    );
    // Five failures lock the account.
    for _ in 0..5 {
        send(
            &app,
            "POST",
            "/api/v1/login",
            None,
            json!({"username": "tess", "password": "wrong"}),
        )
        .await;
    }
    let (status, _, _) = send(
        &app,
        "POST",
        "/api/v1/login",
        None,
        json!({"username": "tess", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

async fn submit_review_resubmit_approve_with_roles_conflicts_and_an_intact_audit_chain<
    S: Store + Clone + 'static,
>(
    app: App<S>,
) {
    let sam = login(&app, "sam", None).await;
    let tess = login(&app, "tess", None).await;
    let rita_totp = enrol(&app, "rita").await;
    let rita = login_2fa(&app, "rita", &rita_totp).await;
    let ray_totp = enrol(&app, "ray").await;
    let ray = login_2fa(&app, "ray", &ray_totp).await;

    let (status, _, _) = send(
        &app,
        "POST",
        "/api/v1/login",
        None,
        json!({"username": "sam", "password": "guess"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // No session, no CSRF token: refused.
    let (status, _, _) = send(&app, "POST", "/api/v1/drafts", None, json!({"text": "hi"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let no_csrf = Client {
        csrf: "wrong".to_owned(),
        ..sam.clone()
    };
    let (status, _, _) = send(
        &app,
        "POST",
        "/api/v1/drafts",
        Some(&no_csrf),
        json!({"text": "hi"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A clean personal post is cleared at once.
    let (status, cleared, _) = send(
        &app,
        "POST",
        "/api/v1/drafts",
        Some(&sam),
        json!({"text": "Flu shots are free at every clinic this week."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{cleared}");
    assert_eq!(cleared["post"]["status"], "cleared");

    // An official post goes to the queue; one that names a patient must be fixed first.
    let (status, draft, _) = send(&app, "POST", "/api/v1/drafts", Some(&sam), json!({
        "text": "Wishing a speedy recovery to Maria Gonzales in room 412!", "channel": "@AlderbrookHealth", "kind": "post"})).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    // The metrics count the queue as it is, without a reviewer having listed it.
    let response = app
        .router
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let metrics = response.into_body().collect().await.unwrap().to_bytes();
    let metrics = String::from_utf8_lossy(&metrics);
    assert!(
        metrics.contains("postguard_review_queue_length 1\n"),
        "{metrics}"
    );
    assert_eq!(draft["post"]["status"], "pending_review");
    assert!(draft["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["category"] == "phi"));
    let id = draft["post"]["id"].as_i64().unwrap();
    let uri = format!("/api/v1/drafts/{id}");
    let decision = format!("{uri}/decision");

    // Another staff member cannot see it, nor tell it exists; staff cannot see the queue.
    assert_eq!(
        send(&app, "GET", &uri, Some(&tess), Value::Null).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            &app,
            "GET",
            "/api/v1/drafts/99999",
            Some(&tess),
            Value::Null
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&app, "GET", "/api/v1/queue", Some(&tess), Value::Null)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(
            &app,
            "POST",
            &decision,
            Some(&tess),
            json!({"verdict": "approve", "revision": 1})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    let (status, queue, _) = send(&app, "GET", "/api/v1/queue", Some(&rita), Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(queue["queue"][0]["id"].as_i64(), Some(id));

    // Block findings: approval refused until the author fixes them.
    let (status, answer, _) = send(
        &app,
        "POST",
        &decision,
        Some(&rita),
        json!({"verdict": "approve", "revision": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("block"));
    let (status, _, _) = send(
        &app,
        "POST",
        &decision,
        Some(&rita),
        json!({"verdict": "request_changes", "revision": 1, "note": "Name and room: remove both.",
            "reason": "Please take out the patient's name and room number."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // The author sees the decision and its reason but not the private note; the reviewer sees
    // both.
    let (_, mine, _) = send(&app, "GET", &uri, Some(&sam), Value::Null).await;
    assert_eq!(mine["post"]["status"], "changes_requested");
    assert_eq!(mine["decisions"][0]["verdict"], "request_changes");
    assert_eq!(
        mine["decisions"][0]["reason"],
        "Please take out the patient's name and room number."
    );
    assert!(mine["decisions"][0].get("note").is_none(), "{mine}");
    let (_, theirs, _) = send(&app, "GET", &uri, Some(&rita), Value::Null).await;
    assert_eq!(
        theirs["decisions"][0]["note"],
        "Name and room: remove both."
    );

    // Resubmit with the revision edited; a stale revision is a conflict.
    let revision = mine["post"]["revision"].as_i64().unwrap();
    let fixed = json!({"text": "Wishing all our patients a speedy recovery!", "channel": "@AlderbrookHealth", "revision": revision});
    let (status, answer, _) = send(
        &app,
        "PUT",
        &uri,
        Some(&sam),
        json!({"text": "x", "channel": "@AlderbrookHealth", "revision": revision - 1}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    // A resubmission is the same post: it cannot move to another channel, and one that leaves
    // the channel out is still scanned and queued as the official post it is.
    let (status, answer, _) = send(
        &app,
        "PUT",
        &uri,
        Some(&sam),
        json!({"text": "Wishing all our patients a speedy recovery!", "channel": "personal", "revision": revision}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`channel`") && message.contains("@AlderbrookHealth"),
        "{message}"
    );
    let (_, unchanged, _) = send(&app, "GET", &uri, Some(&sam), Value::Null).await;
    assert_eq!(
        unchanged["versions"].as_array().unwrap().len(),
        1,
        "nothing stored"
    );
    let mut fixed = fixed;
    fixed.as_object_mut().unwrap().remove("channel");
    let (status, resubmitted, _) = send(&app, "PUT", &uri, Some(&sam), fixed).await;
    assert_eq!(status, StatusCode::OK, "{resubmitted}");
    assert_eq!(resubmitted["version"], 2);
    assert_eq!(
        resubmitted["post"]["status"], "pending_review",
        "an official post goes to review even when clean: {resubmitted}"
    );
    let (_, history, _) = send(&app, "GET", &uri, Some(&rita), Value::Null).await;
    assert_eq!(
        history["versions"].as_array().unwrap().len(),
        2,
        "every version is kept"
    );
    let revision = history["post"]["revision"].as_i64().unwrap();

    // Nobody approves their own post (a reviewer's own draft), and two reviewers at once: one wins.
    let (status, own, _) = send(
        &app,
        "POST",
        "/api/v1/drafts",
        Some(&rita),
        json!({"text": "Join us at the health fair!", "channel": "@AlderbrookHealth"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let own_id = own["post"]["id"].as_i64().unwrap();
    let (status, _, _) = send(
        &app,
        "POST",
        &format!("/api/v1/drafts/{own_id}/decision"),
        Some(&rita),
        json!({"verdict": "approve", "revision": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let body = json!({"verdict": "approve", "revision": revision});
    let (a, b) = tokio::join!(
        send(&app, "POST", &decision, Some(&rita), body.clone()),
        send(&app, "POST", &decision, Some(&ray), body.clone())
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} {}",
        a.1,
        b.1
    );
    let (_, done, _) = send(&app, "GET", &uri, Some(&sam), Value::Null).await;
    assert_eq!(done["post"]["status"], "approved");

    // Compliance verifies the audit chain; staff may not.
    let carol_totp = enrol(&app, "carol").await;
    let carol = login_2fa(&app, "carol", &carol_totp).await;
    assert_eq!(
        send(&app, "GET", "/api/v1/audit/verify", Some(&sam), Value::Null)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, verified, _) = send(
        &app,
        "GET",
        "/api/v1/audit/verify",
        Some(&carol),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verified["ok"], true, "{verified}");
    assert!(verified["entries"].as_u64().unwrap() > 15);
    let entries = app.store.audit_entries(0, 1000).await.unwrap();
    for action in [
        "login.ok",
        "login.failed",
        "post.submitted",
        "post.decision",
        "post.resubmitted",
        "totp.enabled",
    ] {
        assert!(
            entries.iter().any(|e| e.action == action),
            "no {action} in the audit log"
        );
    }
    // No text, password or code in the audit log.
    let dump = serde_json::to_string(&entries).unwrap();
    assert!(
        !dump.contains("Gonzales") && !dump.contains(PASSWORD),
        "{dump}"
    );

    // Tamper with the database directly (an attacker first drops the append-only trigger): the
    // chain names the entry.
    drop(app.router);
    tamper(&app.db, 7).await;
    let err = app.store.verify_chain().await.unwrap_err().to_string();
    assert!(err.contains("entry 7 was altered"), "{err}");
}

async fn a_draft_past_its_scheduled_time_cannot_be_approved<S: Store + Clone + 'static>(
    app: App<S>,
) {
    let sam = login(&app, "sam", None).await;
    let rita_totp = enrol(&app, "rita").await;
    let rita = login_2fa(&app, "rita", &rita_totp).await;
    let soon = chrono::Utc::now() + chrono::Duration::milliseconds(300);
    let (status, draft, _) = send(&app, "POST", "/api/v1/drafts", Some(&sam), json!({
        "text": "Our new parking garage opens Monday!", "channel": "@AlderbrookHealth", "scheduled_at": soon})).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let id = draft["post"]["id"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (status, answer, _) = send(
        &app,
        "POST",
        &format!("/api/v1/drafts/{id}/decision"),
        Some(&rita),
        json!({"verdict": "approve", "revision": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
    // The periodic sweep marks it expired.
    let expired = postguard_server::expire_due(&app.state).await.unwrap();
    assert_eq!(expired.len(), 1);
    let (_, shown, _) = send(
        &app,
        "GET",
        &format!("/api/v1/drafts/{id}"),
        Some(&sam),
        Value::Null,
    )
    .await;
    assert_eq!(shown["post"]["status"], "expired");
}

/// Changes audit entry `seq` with SQL, outside the store, as an attacker with database access
/// would: first the append-only trigger goes.
async fn tamper(db: &Db, seq: i64) {
    use postguard_store::sqlx::{self, ConnectOptions as _};
    use std::str::FromStr as _;
    let update =
        format!("UPDATE audit_log SET details = '{{\"status\":\"rejected\"}}' WHERE seq = {seq}");
    let changed = match db {
        Db::Sqlite(path, _) => {
            let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .connect()
                .await
                .unwrap();
            sqlx::raw_sql(&format!("DROP TRIGGER audit_log_no_update; {update}"))
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
            sqlx::raw_sql("DROP TRIGGER audit_log_append_only ON audit_log")
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::raw_sql(&update)
                .execute(&mut conn)
                .await
                .unwrap()
                .rows_affected()
        }
    };
    assert_eq!(changed, 1);
}
