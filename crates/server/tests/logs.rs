//! Logs, in a test binary of their own: tracing caches per call site whether anyone listens,
//! and tests on other threads without a subscriber would race this one's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use http_body_util::BodyExt;
use postguard_policy::Policy;
use postguard_server::{router, AppState};
use serde_json::json;
use tower::ServiceExt;

const PATIENT: &str = "Maria Gonzales";

async fn call(app: &Router, method: &str, uri: &str, body: impl Into<Body>) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(body.into())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let _ = response.into_body().collect().await.unwrap();
}

/// Nothing a client sends reaches the log, whatever happens to the request.
#[test]
fn logs_never_hold_post_text() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let store = postguard_store::SqliteStore::open(dir.path().join("t.db"))
                .await
                .unwrap();
            let config = postguard_server::Config {
                body_limit: 2048,
                ..Default::default()
            };
            let app =
                router(AppState::new(Policy::builtin_default().unwrap(), store, config).unwrap());
            let text = format!("{PATIENT}, SSN 123-45-6789, room 412");
            for body in [
                json!({"text": text}).to_string(),
                json!({"text": text, "context": {"channel": text}}).to_string(),
                format!(r#"{{"text": "{text}""#),
                json!({"text": format!("{text} {}", "x".repeat(3000))}).to_string(),
            ] {
                let _ = call(&app, "POST", "/api/v1/check", body).await;
            }
            let _ = call(&app, "GET", "/metrics", Body::empty()).await;
        });
    });
    let logged = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("/api/v1/check") && logged.contains("status=400"),
        "{logged}"
    );
    // Distinctive values only: a bare number could appear in a timing field by chance.
    for secret in ["Gonzales", "123-45-6789", "room 412"] {
        assert!(!logged.contains(secret), "{secret} logged: {logged}");
    }
}
