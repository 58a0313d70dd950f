//! The PostgreSQL store over TLS (`sslmode=require` in `DATABASE_URL`), as a managed database
//! demands.
//!
//! `./scripts/test` starts its throwaway cluster with TLS on (a self-signed certificate), or
//! checks `SHOW ssl` on the server it found, and sets `POSTGUARD_TEST_POSTGRES_TLS=1` when the
//! server speaks TLS. Without it the test is skipped with a note on stderr.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::Write as _;
use std::str::FromStr as _;

use postguard_store::sqlx::postgres::PgConnectOptions;
use postguard_store::sqlx::{self, ConnectOptions as _, Row as _};
use postguard_store::{NewAuditEntry, NewUser, PostgresStore, Role, Store as _};

/// The test server's URL with `sslmode=require`, or `None` (after saying why) to skip.
fn tls_url() -> Option<String> {
    let url = std::env::var("POSTGUARD_TEST_POSTGRES_URL").unwrap_or_default();
    if url.is_empty() || std::env::var("POSTGUARD_TEST_POSTGRES_TLS").as_deref() != Ok("1") {
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED: PostgreSQL over TLS (POSTGUARD_TEST_POSTGRES_TLS is not 1; \
             ./scripts/test sets it when its PostgreSQL speaks TLS)\n"
        );
        return None;
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}sslmode=require"))
}

#[tokio::test]
async fn the_store_works_over_tls_when_the_url_requires_it() {
    let Some(url) = tls_url() else { return };
    let admin = PgConnectOptions::from_str(&url).unwrap();
    let schema = format!("postguard_tls_test_{}", std::process::id());
    let mut conn = admin
        .connect()
        .await
        .expect("a TLS connection to the test server");
    // The session is encrypted: PostgreSQL's own view of this connection says so.
    let encrypted: bool = sqlx::query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert!(encrypted, "sslmode=require gave an unencrypted connection");
    sqlx::raw_sql(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    ))
    .execute(&mut conn)
    .await
    .unwrap();

    // The store migrates and stores through that URL.
    let options = admin.clone().options([("search_path", schema.as_str())]);
    let store = PostgresStore::connect_with(options).await.unwrap();
    let user = store
        .create_user(
            NewUser {
                username: "tls-check".into(),
                display_name: "TLS check".into(),
                password_hash: "$argon2id$not-checked-here".into(),
                must_change_password: false,
                role: Role::Staff,
            },
            NewAuditEntry {
                actor: None,
                action: "user.created".into(),
                subject: None,
                details: serde_json::json!({}),
            }
            .into(),
        )
        .await
        .unwrap();
    let again = store.get_user(user.id).await.unwrap().unwrap();
    assert_eq!(again.username, "tls-check");
    store.close().await;

    sqlx::raw_sql(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&mut conn)
        .await
        .unwrap();
}
