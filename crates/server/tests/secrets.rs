//! Two-factor secrets are encrypted at rest: the database holds ciphertext that only this
//! server's key opens, a secret stored before encryption is sealed at its first use, and a
//! server with another key cannot sign the user in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use postguard_policy::Policy;
use postguard_server::auth::{hash_password, Totp};
use postguard_server::secrets::SecretKey;
use postguard_server::{router, AppState, Config};
use postguard_store::{NewUser, Role, SqliteStore, Store, TotpSecret};
use serde_json::{json, Value};
use tower::ServiceExt;

mod common;

const PASSWORD: &str = "copper lantern orbit meadow";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn app_with(store: &SqliteStore, key: &SecretKey) -> Router {
    let config = Config {
        secret_key: Some(key.clone()),
        ..Config::default()
    };
    router(AppState::new(Policy::builtin_default().unwrap(), store.clone(), config).unwrap())
}

/// A server on a fresh SQLite file with a random key (the directory lives as long as the test).
async fn server() -> (tempfile::TempDir, SqliteStore, SecretKey, Router) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("postguard.db"))
        .await
        .unwrap();
    let key = SecretKey::random();
    let app = app_with(&store, &key);
    (dir, store, key, app)
}

async fn post(app: &Router, path: &str, body: Value) -> (StatusCode, Value) {
    let response = app
        .clone()
        .oneshot(
            Request::post(path)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn reviewer(store: &SqliteStore, name: &str) -> postguard_store::User {
    store
        .create_user(
            NewUser {
                username: name.to_owned(),
                display_name: name.to_owned(),
                role: Role::Reviewer,
                password_hash: hash_password(PASSWORD).unwrap(),
                must_change_password: false,
            },
            postguard_server::user_created(None, "test"),
        )
        .await
        .unwrap()
}

fn login(name: &str, code: String) -> Value {
    json!({ "username": name, "password": PASSWORD, "code": code })
}

#[tokio::test]
async fn the_database_holds_only_ciphertext_of_a_two_factor_key() {
    let (_dir, store, key, app) = server().await;
    let rita = reviewer(&store, "rita").await;

    let (status, enrolment) = post(
        &app,
        "/api/v1/totp/enrol",
        json!({ "username": "rita", "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let secret = totp_rs::Secret::Encoded(enrolment["secret"].as_str().unwrap().to_owned())
        .to_bytes()
        .unwrap();
    let stored = store
        .get_user(rita.id)
        .await
        .unwrap()
        .unwrap()
        .totp_secret
        .unwrap();
    assert!(
        !stored
            .as_bytes()
            .windows(secret.len())
            .any(|w| w == secret.as_slice()),
        "the raw two-factor key is in the database"
    );
    assert_eq!(key.open(rita.id, stored.as_bytes()).unwrap().0, secret);

    // Enrolment and sign-in work through the sealed secret.
    let totp = Totp::from_secret(&secret, "Postguard", "rita").unwrap();
    let (status, body) = post(
        &app,
        "/api/v1/totp/confirm",
        json!({ "username": "rita", "password": PASSWORD, "code": totp.code_at(now()) }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post(
        &app,
        "/api/v1/login",
        login("rita", totp.code_at(now() + 30)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A server started with another key (the key file lost or replaced) cannot check the code,
    // and says so without showing any secret.
    let other = app_with(&store, &SecretKey::random());
    let (status, body) = post(
        &other,
        "/api/v1/login",
        login("rita", totp.code_at(now() + 60)),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(!body
        .to_string()
        .contains(enrolment["secret"].as_str().unwrap()));
}

#[tokio::test]
async fn a_key_stored_before_encryption_is_sealed_at_its_first_use() {
    let (_dir, store, key, app) = server().await;
    let ray = reviewer(&store, "ray").await;
    // As an earlier version stored it: the raw key bytes.
    let totp = Totp::generate("Postguard", "ray").unwrap();
    let raw = totp.secret().to_vec();
    let setup = || postguard_store::NewAuditEntry {
        actor: None,
        action: "test.setup".into(),
        subject: None,
        details: serde_json::json!({}),
    };
    store
        .set_totp_secret(ray.id, &TotpSecret::new(raw.clone()), setup().into())
        .await
        .unwrap();
    store
        .enable_totp(ray.id, &[], setup().into())
        .await
        .unwrap();

    // One instant for both uses of the code: read twice, the clock could cross a 30-second
    // step in between and the second code would be a fresh one.
    let first_use = now();
    let (status, body) = post(&app, "/api/v1/login", login("ray", totp.code_at(first_use))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stored = store
        .get_user(ray.id)
        .await
        .unwrap()
        .unwrap()
        .totp_secret
        .unwrap();
    assert_ne!(stored.as_bytes(), raw.as_slice(), "still stored readable");
    assert_eq!(key.open(ray.id, stored.as_bytes()).unwrap(), (raw, false));
    // Sealing changes how the key is stored, nothing else: two-factor stays on, the code just
    // used stays spent, and the session works.
    let after = store.get_user(ray.id).await.unwrap().unwrap();
    assert!(after.totp_enabled, "sealing turned two-factor sign-in off");
    let (status, body) = post(&app, "/api/v1/login", login("ray", totp.code_at(first_use))).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a spent code signed in: {body}"
    );
    let (status, body) = post(
        &app,
        "/api/v1/login",
        login("ray", totp.code_at(first_use + 30)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
