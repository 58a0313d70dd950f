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

mod common;

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
async fn an_id_in_the_path_that_is_not_a_number_is_a_json_400_that_does_not_echo_it() {
    let (app, token) = app_with_admin_token().await;
    for uri in [
        "/api/v1/drafts/abc%3Cscript%3E",
        "/api/v1/users/Maria%20Gonzales/disable",
    ] {
        let method = if uri.ends_with("disable") {
            "POST"
        } else {
            "GET"
        };
        let (status, body) = call_as(&app, &token, method, uri, String::new()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        let answer: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{body}"));
        assert_eq!(
            answer["error"]["message"],
            "the id in the path must be an integer"
        );
        assert!(
            !body.contains("script") && !body.contains("Gonzales"),
            "{body}"
        );
    }
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

/// Every route `router()` registers (mirrored from `lib.rs`), as the OpenAPI document spells
/// its path.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/metrics"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/v1/check"),
    ("POST", "/api/v1/login"),
    ("POST", "/api/v1/logout"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/me/password"),
    ("POST", "/api/v1/totp/enrol"),
    ("POST", "/api/v1/totp/confirm"),
    ("POST", "/api/v1/drafts"),
    ("GET", "/api/v1/drafts"),
    ("GET", "/api/v1/drafts/{id}"),
    ("PUT", "/api/v1/drafts/{id}"),
    ("POST", "/api/v1/drafts/{id}/decision"),
    ("GET", "/api/v1/queue"),
    ("GET", "/api/v1/accounts"),
    ("GET", "/api/v1/audit/verify"),
    ("GET", "/api/v1/audit/export"),
    ("POST", "/api/v1/drafts/{id}/legal-hold"),
    ("GET", "/api/v1/drafts/{id}/history"),
    ("POST", "/api/v1/tokens"),
    ("GET", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/{id}"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users"),
    ("PUT", "/api/v1/users/{id}/role"),
    ("POST", "/api/v1/users/{id}/disable"),
    ("POST", "/api/v1/users/{id}/enable"),
    ("POST", "/api/v1/users/{id}/password"),
    ("POST", "/api/v1/users/{id}/totp/reset"),
];

async fn openapi(app: &Router) -> Value {
    let (status, text) = call(app, "GET", "/api/openapi.json", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    serde_json::from_str(&text).unwrap()
}

/// Every route the router serves is in the document with its responses, the document lists no
/// route the router does not serve, and each listed route exists (no credentials: never 404 or
/// 405 from the router).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_in_the_openapi_document() {
    let app = app();
    let doc = openapi(&app).await;
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut routes: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    routes.sort();
    assert_eq!(documented, routes);

    let protected = doc["components"]["securitySchemes"].as_object().unwrap();
    for (method, path) in ROUTES {
        let op = &doc["paths"][path][method.to_lowercase()];
        let responses = op["responses"].as_object().unwrap();
        assert!(!responses.is_empty(), "{method} {path}: no responses");
        for (code, response) in responses {
            assert!(
                response["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{method} {path} {code}: no description"
            );
        }
        // Every `{id}` is a documented integer path parameter.
        if path.contains("{id}") {
            let params = op["parameters"].as_array().unwrap();
            assert!(
                params.iter().any(|p| p["name"] == "id"
                    && p["in"] == "path"
                    && p["schema"]["type"] == "integer"),
                "{method} {path}: {op}"
            );
        }
        // Security requirements name declared schemes; state-changing cookie requests need the
        // CSRF header.
        for requirement in op["security"].as_array().into_iter().flatten() {
            let names: Vec<&String> = requirement.as_object().unwrap().keys().collect();
            for name in &names {
                assert!(protected.contains_key(*name), "{method} {path}: {name}");
            }
            if *method != "GET" && names.iter().any(|n| *n == "session_cookie") {
                assert!(
                    names.iter().any(|n| *n == "csrf_token"),
                    "{method} {path}: cookie without CSRF"
                );
            }
        }
        let uri = path.replace("{id}", "1");
        let (status, text) = call(&app, method, &uri, Body::empty()).await;
        assert!(
            status != StatusCode::METHOD_NOT_ALLOWED
                && !(status == StatusCode::NOT_FOUND && text.contains("not found")),
            "{method} {uri}: {status} {text}"
        );
        // Without credentials, a route the document protects answers 401, and it says so.
        if op["security"].is_array() {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {uri}: {text}");
            assert!(responses.contains_key("401"), "{method} {path}");
        }
    }
    assert_eq!(protected["session_cookie"]["in"], "cookie");
    assert_eq!(protected["session_cookie"]["name"], "postguard_session");
    assert_eq!(protected["csrf_token"]["in"], "header");
    assert_eq!(protected["csrf_token"]["name"], "X-CSRF-Token");
    assert_eq!(protected["bearer_token"]["type"], "http");
    assert_eq!(protected["bearer_token"]["scheme"], "bearer");

    // The store's enums are documented with every value the store knows.
    let schemas = &doc["components"]["schemas"];
    let values = |name: &str| -> Vec<String> {
        schemas[name]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    use postguard_store::{PostKind, PostStatus, Role, Verdict};
    let all = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        values("Role"),
        all(&Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>())
    );
    assert_eq!(
        values("PostStatus"),
        all(&PostStatus::ALL
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>())
    );
    assert_eq!(
        values("Verdict"),
        all(&Verdict::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>())
    );
    // Drafts' `kind` uses the scanner's PostKind schema: it must hold the store's values.
    assert_eq!(
        values("PostKind"),
        all(&PostKind::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>())
    );
}

/// A router over a store with an admin who holds a `write` API token (no sign-in needed).
async fn app_with_admin_token() -> (Router, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = postguard_store::SqliteStore::open(dir.path().join("t.db"))
        .await
        .unwrap();
    std::mem::forget(dir);
    use postguard_store::Store;
    let admin = store
        .create_user(
            postguard_store::NewUser {
                username: "ada".to_owned(),
                display_name: "Ada".to_owned(),
                role: postguard_store::Role::Admin,
                // Never used to sign in: the token authenticates.
                password_hash: "unused".to_owned(),
                must_change_password: false,
            },
            postguard_server::user_created(None, "test"),
        )
        .await
        .unwrap();
    // An admin's credentials act only with a second factor on the account.
    common::enable_totp(&store, admin.id, vec![7; 20]).await;
    let token = "pgt_openapi_test_token";
    store
        .create_api_token(
            postguard_store::NewApiToken {
                user_id: admin.id,
                name: "test".to_owned(),
                token_hash: postguard_server::auth::token_hash(token),
                scopes: vec!["read".to_owned(), "write".to_owned()],
            },
            common::setup().into(),
        )
        .await
        .unwrap();
    let state = AppState::new(
        Policy::builtin_default().unwrap(),
        store,
        postguard_server::Config::default(),
    )
    .unwrap();
    (router(state), token.to_owned())
}

async fn call_as(
    app: &Router,
    token: &str,
    method: &str,
    uri: &str,
    body: String,
) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

/// The fields an "unknown field" error says are expected: serde's "expected one of `a`, `b`",
/// "expected `a` or `b`" or "expected `a`", or the check endpoint's "expected one of a, b".
fn expected_fields(message: &str) -> Vec<String> {
    let (_, rest) = message.split_once("expected ").unwrap();
    let rest = rest.strip_prefix("one of ").unwrap_or(rest);
    let rest = rest.split('"').next().unwrap();
    let mut fields: Vec<String> = rest
        .replace(" or ", ",")
        .split(',')
        .map(|f| f.trim().trim_matches('`').to_owned())
        .collect();
    fields.sort();
    fields
}

/// A value of the type `schema` describes (the first value of an enum).
fn sample(schema: &Value, schemas: &Value) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        return sample(&schemas[r.rsplit('/').next().unwrap()], schemas);
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    let ty = match &schema["type"] {
        Value::Array(types) => types.iter().find(|t| *t != "null").unwrap().clone(),
        other => other.clone(),
    };
    match ty.as_str().unwrap() {
        "string" => json!("x"),
        "boolean" => json!(false),
        "integer" => json!(1),
        "array" => json!([]),
        "object" => json!({}),
        other => panic!("no sample for {other}"),
    }
}

fn sorted_keys(object: &Value) -> Vec<String> {
    let mut keys: Vec<String> = object.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

/// What the document lists for each request body is what the server accepts: the properties
/// are exactly the fields the handler's struct takes (an unknown field is refused with 400 and
/// the server's list of expected fields), each required field is required, and a body of just
/// the required fields gets past parsing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_body_schemas_list_exactly_the_fields_the_server_accepts() {
    let (app, token) = app_with_admin_token().await;
    let doc = openapi(&app).await;
    let schemas = &doc["components"]["schemas"];

    let (status, text) = call_as(
        &app,
        &token,
        "POST",
        "/api/v1/drafts",
        json!({"text": "Flu shots are free this week."}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let post: Value = serde_json::from_str(&text).unwrap();
    let id = post["post"]["id"].as_i64().unwrap().to_string();

    let mut probed = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(reference) =
                op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
            else {
                assert!(op["requestBody"].is_null(), "{method} {path}");
                continue;
            };
            let name = reference.rsplit('/').next().unwrap();
            let schema = &schemas[name];
            let method = method.to_uppercase();
            let uri = path.replace("{id}", &id);
            let documented = sorted_keys(&schema["properties"]);
            assert_eq!(
                schema["additionalProperties"],
                json!(false),
                "{name} refuses unknown fields"
            );

            // An unknown field first: the error names it and lists what is accepted.
            let body = r#"{"zz_undocumented": 1, "text": "x"}"#.to_owned();
            let (status, text) = call_as(&app, &token, &method, &uri, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {uri}: {text}");
            assert!(text.contains("zz_undocumented"), "{method} {uri}: {text}");
            assert_eq!(expected_fields(&text), documented, "{name}: {text}");

            // Each required field, left out, is missing; nothing else is required.
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().map(|f| f.as_str().unwrap()).collect())
                .unwrap_or_default();
            let full: serde_json::Map<String, Value> = required
                .iter()
                .map(|f| ((*f).to_owned(), sample(&schema["properties"][*f], schemas)))
                .collect();
            for field in &required {
                let mut body = full.clone();
                body.remove(*field);
                let (status, text) =
                    call_as(&app, &token, &method, &uri, Value::Object(body).to_string()).await;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {uri}: {text}");
                assert!(
                    text.contains(&format!("missing field `{field}`")),
                    "{method} {uri} without {field}: {text}"
                );
            }
            let (_, text) =
                call_as(&app, &token, &method, &uri, Value::Object(full).to_string()).await;
            for parse_error in [
                "missing field",
                "unknown field",
                "wrong type",
                "not valid JSON",
            ] {
                assert!(!text.contains(parse_error), "{method} {uri}: {text}");
            }
            probed.push(name.to_owned());
        }
    }
    probed.sort();
    probed.dedup();
    assert_eq!(
        probed,
        [
            "ChangePasswordRequest",
            "CheckRequest",
            "CreateUserRequest",
            "DecisionRequest",
            "DraftRequest",
            "LegalHoldRequest",
            "LoginRequest",
            "NewTokenRequest",
            "ResetPasswordRequest",
            "SetRoleRequest",
            "TotpConfirmRequest",
            "TotpEnrolRequest"
        ]
    );

    // Nested: the check's context, and a draft's attachments (which ignore unknown fields).
    let (status, text) = call_as(
        &app,
        &token,
        "POST",
        "/api/v1/check",
        r#"{"text": "x", "context": {"zz_undocumented": 1}}"#.to_owned(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(
        expected_fields(&text),
        sorted_keys(&schemas["Context"]["properties"])
    );
    let attachment = &schemas["Attachment"];
    assert!(attachment["additionalProperties"].is_null());
    let fields = sorted_keys(&attachment["properties"]);
    assert_eq!(
        attachment["required"].as_array().unwrap().len(),
        fields.len()
    );
    for left_out in &fields {
        let mut a = serde_json::Map::new();
        for f in fields.iter().filter(|f| *f != left_out) {
            a.insert(f.clone(), sample(&attachment["properties"][f], schemas));
        }
        let body = json!({"text": "Hello", "attachments": [a]}).to_string();
        let (status, text) = call_as(&app, &token, "POST", "/api/v1/drafts", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert!(
            text.contains(&format!("missing field `{left_out}`")),
            "{text}"
        );
    }
}

/// The export formats the document lists are the ones the exports accept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_export_formats_are_accepted() {
    let (app, token) = app_with_admin_token().await;
    let doc = openapi(&app).await;
    let formats = doc["components"]["schemas"]["ExportFormat"]["enum"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(formats, [json!("jsonl"), json!("csv")]);
    let (status, text) = call_as(
        &app,
        &token,
        "POST",
        "/api/v1/drafts",
        json!({"text": "Hello"}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let id = serde_json::from_str::<Value>(&text).unwrap()["post"]["id"].clone();
    for (documented, path) in [
        ("/api/v1/audit/export", "/api/v1/audit/export".to_owned()),
        (
            "/api/v1/drafts/{id}/history",
            format!("/api/v1/drafts/{id}/history"),
        ),
    ] {
        let op = &doc["paths"][documented]["get"];
        let content = sorted_keys(&op["responses"]["200"]["content"]);
        assert_eq!(content, ["application/x-ndjson", "text/csv"]);
        for format in &formats {
            let uri = format!("{path}?format={}", format.as_str().unwrap());
            let (status, text) = call_as(&app, &token, "GET", &uri, String::new()).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {text}");
        }
        let (status, _) = call_as(
            &app,
            &token,
            "GET",
            &format!("{path}?format=xml"),
            String::new(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}
