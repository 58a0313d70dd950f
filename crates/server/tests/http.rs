//! The HTTP API through the router, as a client sees it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use postguard_policy::Policy;
use postguard_server::{router, AppState};
use serde_json::{json, Value};
use tower::ServiceExt;

const PATIENT: &str = "Maria Gonzales";

fn app_with_limit(limit: usize) -> Router {
    let policy = Policy::builtin_default().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current()
            .block_on(postguard_store::SqliteStore::open(dir.path().join("t.db")))
    })
    .unwrap();
    // The directory lives as long as the test process: the database file must outlive the app.
    std::mem::forget(dir);
    let config = postguard_server::Config {
        body_limit: limit,
        ..Default::default()
    };
    router(AppState::new(policy, store, config).unwrap())
}

fn app() -> Router {
    app_with_limit(64 * 1024)
}

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    body: impl Into<Body>,
) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn check(app: &Router, body: &str) -> (StatusCode, Value) {
    let (status, text) = call(app, "POST", "/api/v1/check", body.to_owned()).await;
    (status, serde_json::from_str(&text).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_answers_like_a_line_of_check_jsonl() {
    let app = app();
    let body = json!({"id": "draft-7", "text": format!("Please pray for {PATIENT} in room 412"),
        "context": {"channel": "personal", "kind": "post"}})
    .to_string();
    let (status, answer) = check(&app, &body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["id"], "draft-7");
    assert_eq!(answer["max_severity"], "block");
    let findings = answer["findings"].as_array().unwrap();
    assert!(findings
        .iter()
        .any(|f| f["category"] == "phi" && f["identifier"] == "NAME" && f["matched"] == PATIENT));
    assert!(findings.iter().all(|f| f["explanation"]
        .as_str()
        .unwrap()
        .contains("policy section")));

    let (status, clean) = check(
        &app,
        r#"{"text": "Flu shots are free at every clinic this week."}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(clean["findings"], json!([]));
    assert_eq!(clean["max_severity"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_name_the_field_and_never_echo_the_text() {
    let app = app();
    let cases = [
        (
            format!(r#"{{"text": "{PATIENT}", "context": {{"channel": "{PATIENT}"}}}}"#),
            "context.channel",
        ),
        (
            format!(
                r#"{{"text": "{PATIENT}", "context": {{"identifies_employer": "{PATIENT}"}}}}"#
            ),
            "context.identifies_employer",
        ),
        (
            format!(r#"{{"text": "{PATIENT}", "spans": []}}"#),
            "unknown field `spans`",
        ),
        (format!(r#"{{"txt": "{PATIENT}"}}"#), "missing field `text`"),
        (format!(r#"{{"text": "{PATIENT}""#), "not valid JSON"),
        (format!(r#"["{PATIENT}"]"#), "expected a JSON object"),
    ];
    for (body, expected) in cases {
        let (status, text) = call(&app, "POST", "/api/v1/check", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(text.contains(expected), "{body}: {text}");
        assert!(!text.contains("Gonzales"), "{body}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_gets_413_and_one_under_it_is_scanned() {
    let app = app_with_limit(1024);
    let big = json!({ "text": "a ".repeat(1000) }).to_string();
    let (status, text) = call(&app, "POST", "/api/v1/check", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("1024 bytes"), "{text}");
    let small = json!({ "text": "a ".repeat(400) }).to_string();
    assert_eq!(
        call(&app, "POST", "/api/v1/check", small).await.0,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_unknown_routes() {
    let app = app();
    assert_eq!(
        call(&app, "GET", "/healthz", Body::empty()).await,
        (StatusCode::OK, "ok\n".to_owned())
    );
    let (status, text) = call(&app, "GET", "/api/v1/nothing-here", Body::empty()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(text.contains("not found"), "{text}");
    let (status, _) = call(&app, "GET", "/api/v1/check", Body::empty()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_and_findings_but_hold_no_text() {
    let app = app();
    let body =
        json!({"text": format!("{PATIENT} was admitted on 3/14/2026, MRN 00123456")}).to_string();
    assert_eq!(check(&app, &body).await.0, StatusCode::OK);
    assert_eq!(
        check(&app, r#"{"text": 5}"#).await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, metrics) = call(&app, "GET", "/metrics", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        metrics.contains(
            r#"postguard_http_requests_total{method="POST",route="/api/v1/check",status="200"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            r#"postguard_http_requests_total{method="POST",route="/api/v1/check",status="400"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"postguard_findings_total{category="phi"}"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("postguard_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    for secret in ["Gonzales", "00123456", "3/14"] {
        assert!(!metrics.contains(secret), "{secret} in metrics");
    }
}

/// The OpenAPI document describes what the server accepts: the request schema's fields are the
/// fields the server takes, and a request built from the schema is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_matches_what_the_server_accepts() {
    let app = app();
    let (status, text) = call(&app, "GET", "/api/openapi.json", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&text).unwrap();
    let op = &doc["paths"]["/api/v1/check"]["post"];
    assert!(op.is_object(), "{text}");
    for code in ["200", "400", "413"] {
        assert!(
            op["responses"][code].is_object(),
            "response {code} undocumented"
        );
    }
    let schemas = &doc["components"]["schemas"];
    let keys = |name: &str| -> Vec<String> {
        let mut k: Vec<String> = schemas[name]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    assert_eq!(keys("CheckRequest"), ["context", "id", "text"]);
    assert_eq!(schemas["CheckRequest"]["required"], json!(["text"]));
    assert_eq!(
        keys("Context"),
        ["channel", "consents", "identifies_employer", "kind"]
    );
    // Every documented context value is accepted.
    let channels = schemas["Channel"]["enum"].as_array().unwrap().clone();
    let kinds = schemas["PostKind"]["enum"].as_array().unwrap().clone();
    for channel in &channels {
        for kind in &kinds {
            let body = json!({"id": "x", "text": "Hello", "context": {"channel": channel, "kind": kind,
                "identifies_employer": true, "consents": [{"id": "C-1", "covers": ["Rosa Delgado"]}]}});
            assert_eq!(
                check(&app, &body.to_string()).await.0,
                StatusCode::OK,
                "{body}"
            );
        }
    }
    // A field the document does not list is refused.
    assert_eq!(
        check(&app, r#"{"text": "Hello", "context": {"mood": "happy"}}"#)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
}
