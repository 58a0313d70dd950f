//! The shared store suite on PostgreSQL, each test in a schema of its own (created with a unique
//! name, set as the store's `search_path`, dropped when the test passes).
//!
//! The server comes from `POSTGUARD_TEST_POSTGRES_URL` (`./scripts/test` finds or starts one and
//! sets it). Without it the tests are skipped with a loud note on stderr, unless
//! `POSTGUARD_REQUIRE_POSTGRES=1`, when they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[macro_use]
mod suite;

use std::io::Write as _;
use std::str::FromStr as _;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

use postguard_store::sqlx::postgres::PgConnectOptions;
use postguard_store::sqlx::{self, ConnectOptions as _};
use postguard_store::PostgresStore;

const URL_VAR: &str = "POSTGUARD_TEST_POSTGRES_URL";
const REQUIRE_VAR: &str = "POSTGUARD_REQUIRE_POSTGRES";

/// The server's URL, or `None` (after saying so) when the suite should be skipped.
fn postgres_url() -> Option<String> {
    if let Ok(url) = std::env::var(URL_VAR) {
        if !url.is_empty() {
            return Some(url);
        }
    }
    if std::env::var(REQUIRE_VAR).as_deref() == Ok("1") {
        panic!(
            "{REQUIRE_VAR}=1 but {URL_VAR} is not set: the PostgreSQL store suite cannot run. \
             Run ./scripts/test, which finds or starts a PostgreSQL and sets it."
        );
    }
    static WARN: Once = Once::new();
    WARN.call_once(|| {
        // Straight to stderr: the test harness captures eprintln! output of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED: the PostgreSQL store suite did not run ({URL_VAR} is not set).\n\
             !!! Run ./scripts/test (it finds or starts a PostgreSQL), or set {URL_VAR}=postgres://...\n"
        );
    });
    None
}

pub struct PostgresHarness {
    admin: PgConnectOptions,
    schema: String,
    options: PgConnectOptions,
    store: PostgresStore,
}

impl suite::Harness for PostgresHarness {
    type S = PostgresStore;

    const ALLOW_AUDIT_TAMPERING: &'static str = "DROP TRIGGER audit_log_append_only ON audit_log";

    async fn start() -> Option<Self> {
        let url = postgres_url()?;
        let admin = PgConnectOptions::from_str(&url)
            .unwrap_or_else(|e| panic!("{URL_VAR} is not a valid PostgreSQL URL: {e}"));
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let schema = format!(
            "postguard_test_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = admin
            .connect()
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the PostgreSQL in {URL_VAR}: {e}"));
        sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
            .unwrap();
        drop(conn);
        let options = admin.clone().options([("search_path", schema.as_str())]);
        let store = PostgresStore::connect_with(options.clone()).await.unwrap();
        Some(PostgresHarness {
            admin,
            schema,
            options,
            store,
        })
    }

    fn store(&self) -> &PostgresStore {
        &self.store
    }

    async fn try_execute(&self, sql: &str) -> Result<(), String> {
        let mut conn = self.options.connect().await.map_err(|e| e.to_string())?;
        sqlx::raw_sql(sql)
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }

    async fn finish(self) {
        self.store.close().await;
        let mut conn = self.admin.connect().await.unwrap();
        sqlx::raw_sql(&format!("DROP SCHEMA {} CASCADE", self.schema))
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

all_tests!(PostgresHarness);
