//! `postguard serve --demo`: demo users and drafts, so a newcomer sees the product working.
//! The drafts go through the real API (sign-in, submission, scanning, audit), not around it.

use crate::auth::hash_password;
use crate::{router, AppState};
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use postguard_store::{NewUser, Role, Store};
use serde_json::{json, Value};
use tower::ServiceExt;

/// The demo users' password (they are demo accounts; change or disable them for real use).
pub const DEMO_PASSWORD: &str = "demo copper lantern orbit";

/// The demo users: username, display name, role.
pub const DEMO_USERS: &[(&str, &str, Role)] = &[
    ("sam", "Sam Whitfield (staff)", Role::Staff),
    ("rita", "Rita Okafor (reviewer)", Role::Reviewer),
    ("carol", "Carol Nakamura (compliance)", Role::Compliance),
];

fn drafts() -> Vec<Value> {
    vec![
        json!({"text": "Rough night on 4 West. Mrs. Alvarez in room 412 finally went home after her surgery on 3/14! #TeamAlderbrook", "channel": "personal"}),
        json!({"text": "Join us Saturday, May 9 for the Millbrook Community Health Fair at Riverside Park, 10am-2pm. Free blood pressure checks and a bike helmet giveaway for kids! #AlderbrookCares", "channel": "@AlderbrookHealth"}),
        json!({"text": "So glad to hear you're feeling better after your surgery here! Thanks for the kind words.", "channel": "@AlderbrookHealth", "kind": "reply"}),
        json!({"text": "Proud to work at Alderbrook! Best team in the state.", "channel": "personal"}),
        json!({"text": "Flu shots are free at every clinic this week. Talk to your doctor if you have questions.", "channel": "personal"}),
    ]
}

/// Creates the demo users (unless they exist) and submits the demo drafts as `sam`. Returns
/// how many drafts were submitted.
pub async fn load<S: Store + 'static>(state: AppState<S>) -> Result<usize, String> {
    let store = state.store();
    if store
        .get_user_by_username("sam")
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(0);
    }
    for (username, display_name, role) in DEMO_USERS {
        store
            .create_user(
                NewUser {
                    username: (*username).to_owned(),
                    display_name: (*display_name).to_owned(),
                    role: *role,
                    password_hash: hash_password(DEMO_PASSWORD)?,
                    must_change_password: false,
                },
                crate::user_created(None, "demo"),
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    let app = router(state);
    let call = |request: Request<Body>| {
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await.map_err(|e| e.to_string())?;
            let cookie = response
                .headers()
                .get("set-cookie")
                .and_then(|v| v.to_str().ok())
                .and_then(|c| c.split(';').next())
                .map(str::to_owned);
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if !status.is_success() {
                return Err(format!("demo request failed with {status}"));
            }
            Ok::<_, String>((body, cookie))
        }
    };
    let login = json!({"username": "sam", "password": DEMO_PASSWORD}).to_string();
    let (answer, cookie) = call(
        Request::post("/api/v1/login")
            .body(Body::from(login))
            .map_err(|e| e.to_string())?,
    )
    .await?;
    let cookie = cookie.ok_or("demo sign-in set no cookie")?;
    let csrf = answer["csrf_token"].as_str().unwrap_or("").to_owned();
    let drafts = drafts();
    for draft in &drafts {
        call(
            Request::post("/api/v1/drafts")
                .header("cookie", &cookie)
                .header("x-csrf-token", &csrf)
                .body(Body::from(draft.to_string()))
                .map_err(|e| e.to_string())?,
        )
        .await?;
    }
    Ok(drafts.len())
}
