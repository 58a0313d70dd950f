//! What the router tests share: their users, a fresh PostgreSQL database per test, and running
//! each test on both backends.
#![allow(dead_code)]

use postguard_server::auth::hash_password;
use postguard_store::sqlx::{self, ConnectOptions as _};
use postguard_store::{
    NewAuditEntry, NewUser, PostgresStore, Role, Store, TotpSecret, User, UserId,
};
use std::str::FromStr as _;

/// The password of every test user [`add_user`] creates.
pub const PASSWORD: &str = "copper lantern orbit meadow";

/// Creates a user with [`PASSWORD`], recorded as created by the test's set-up.
pub async fn add_user<S: Store>(store: &S, username: &str, display_name: &str, role: Role) -> User {
    store
        .create_user(
            NewUser {
                username: username.to_owned(),
                display_name: display_name.to_owned(),
                role,
                password_hash: hash_password(PASSWORD).unwrap(),
                must_change_password: false,
            },
            postguard_server::user_created(None, "test"),
        )
        .await
        .unwrap()
}

/// The audit entry of a change the test's set-up makes behind the API.
pub fn setup() -> NewAuditEntry {
    NewAuditEntry {
        actor: None,
        action: "test.setup".into(),
        subject: None,
        details: serde_json::json!({}),
    }
}

/// Turns two-factor sign-in on for `user` with `stored` as its stored secret (the raw key, as an
/// earlier version stored it, or a sealed one), without recovery codes.
pub async fn enable_totp<S: Store>(store: &S, user: UserId, stored: Vec<u8>) {
    store
        .set_totp_secret(user, &TotpSecret::new(stored), setup().into())
        .await
        .unwrap();
    store.enable_totp(user, &[], setup().into()).await.unwrap();
}

/// A store on a fresh database of the test PostgreSQL (`POSTGUARD_TEST_POSTGRES_URL`, set by
/// `./scripts/test`) and the database's name; None (said on stderr) when there is none and none
/// is required.
pub async fn fresh_postgres() -> Option<(PostgresStore, String)> {
    let Ok(url) = std::env::var("POSTGUARD_TEST_POSTGRES_URL") else {
        assert_ne!(
            std::env::var("POSTGUARD_REQUIRE_POSTGRES").as_deref(),
            Ok("1"),
            "POSTGUARD_REQUIRE_POSTGRES=1 but POSTGUARD_TEST_POSTGRES_URL is not set: run ./scripts/test"
        );
        eprintln!("SKIPPED: a server test on PostgreSQL (POSTGUARD_TEST_POSTGRES_URL is not set; ./scripts/test sets it)");
        return None;
    };
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "postguard_server_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let admin = sqlx::postgres::PgConnectOptions::from_str(&url).unwrap();
    let mut conn = admin.connect().await.unwrap();
    drop_leftovers(&mut conn).await;
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
    }
    let store = PostgresStore::connect_with(admin.clone().database(&name))
        .await
        .unwrap();
    Some((store, name))
}

/// Drops, once per test process, the databases that earlier runs of `fresh_postgres` left behind
/// (a test's database outlives the test): those whose process (the pid in the name) is no longer
/// running (Linux: no `/proc/{pid}`). Best effort: a database still in use stays.
async fn drop_leftovers(conn: &mut sqlx::PgConnection) {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if DONE.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE datname LIKE 'postguard\\_server\\_test\\_%'",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    for name in names {
        let Some(pid) = name
            .strip_prefix("postguard_server_test_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || std::path::Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        // Best effort: a database someone is connected to stays.
        let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut *conn)
            .await;
    }
}

/// Each named test (an `async fn(App<S>)`) on SQLite and on PostgreSQL; the file defines
/// `sqlite_app()` and `postgres_app()`.
#[macro_export]
macro_rules! on_both_databases {
    ($($test:ident),* $(,)?) => {
        $(
            mod $test {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$test(super::sqlite_app().await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = super::postgres_app().await {
                        super::$test(app).await;
                    }
                }
            }
        )*
    };
}
