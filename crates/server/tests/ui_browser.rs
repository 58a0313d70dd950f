//! The web UI: its static files through the router (content types, security headers), and the
//! real thing in headless Chromium driven over WebDriver (chromedriver on a free local port)
//! against the real server on a real TCP listener with a temporary SQLite database.
//!
//! The browser test skips (saying so on stderr) when chromedriver or Chromium is missing,
//! unless `POSTGUARD_REQUIRE_BROWSER=1` (set by `./scripts/test`, which installs them), when it
//! fails instead. `POSTGUARD_UI_SCREENSHOTS=DIR` saves a screenshot of each screen there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use fantoccini::{Client, ClientBuilder, Locator};
use http_body_util::BodyExt;
use postguard_policy::Policy;
use postguard_server::auth::Totp;
use postguard_server::{router, AppState, Config};
use postguard_store::{Role, SqliteStore};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tower::ServiceExt;

use common::PASSWORD;

mod common;

/// A router on a fresh SQLite database with the users `sam` (staff) and `rita` (reviewer).
async fn app(dir: &Path) -> (axum::Router, SqliteStore) {
    let store = SqliteStore::open(dir.join("postguard.db")).await.unwrap();
    for (name, role) in [("sam", Role::Staff), ("rita", Role::Reviewer)] {
        common::add_user(&store, name, &format!("{name} (test)"), role).await;
    }
    let state = AppState::new(
        Policy::builtin_default().unwrap(),
        store.clone(),
        Config::default(),
    )
    .unwrap();
    (router(state), store)
}

async fn get(app: &axum::Router, uri: &str, cookie: Option<&str>) -> axum::response::Response {
    let mut request = Request::builder().uri(uri);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    app.clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

// ----- no browser: the files, their types and headers, and GET /api/v1/accounts -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_are_served_with_their_types_and_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _store) = app(dir.path()).await;
    for (path, content_type, must_contain) in [
        ("/", "text/html; charset=utf-8", "<script src=\"/app.js\""),
        (
            "/index.html",
            "text/html; charset=utf-8",
            "<link rel=\"stylesheet\" href=\"/app.css\">",
        ),
        ("/app.js", "text/javascript; charset=utf-8", "X-CSRF-Token"),
        ("/app.css", "text/css; charset=utf-8", "mark.block"),
        ("/favicon.svg", "image/svg+xml", "<svg"),
    ] {
        let response = get(&app, path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        let header = |name: &str| {
            headers
                .get(name)
                .unwrap_or_else(|| panic!("{path}: no {name}"))
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(header("content-type"), content_type, "{path}");
        let csp = header("content-security-policy");
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(body.contains(must_contain), "{path}");
    }

    // No inline script or style for the CSP to refuse, nothing from another origin, and server
    // data never inserted as HTML.
    let html = include_str!("../ui/index.html");
    assert!(!html.contains("<script>") && !html.contains("style=") && !html.contains("<style"));
    for file in [
        html,
        include_str!("../ui/app.js"),
        include_str!("../ui/app.css"),
    ] {
        assert!(!file.contains("http://") && !file.contains("https://"));
    }
    let js = include_str!("../ui/app.js");
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!js.contains(sink), "app.js uses {sink}");
    }

    // The official accounts for the composer: signed-in users only.
    let response = get(&app, "/api/v1/accounts", None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let login = app
        .clone()
        .oneshot(
            Request::builder()
                .method("POST")
                .uri("/api/v1/login")
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({"username": "sam", "password": PASSWORD}).to_string(),
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let response = get(&app, "/api/v1/accounts", Some(&cookie)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let accounts: Value = serde_json::from_slice(&body).unwrap();
    let handles: Vec<&str> = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["handle"].as_str().unwrap())
        .collect();
    assert!(handles.contains(&"@AlderbrookHealth"), "{accounts}");
    assert!(
        accounts["accounts"][0]["platform"].is_string(),
        "{accounts}"
    );
}

// ----- the browser -----

fn browser_required() -> bool {
    std::env::var("POSTGUARD_REQUIRE_BROWSER").as_deref() == Ok("1")
}

/// Skips the test (or fails it when the browser is required) with `why`.
fn unavailable(why: &str) {
    assert!(
        !browser_required(),
        "POSTGUARD_REQUIRE_BROWSER=1 but the browser cannot start: {why}"
    );
    eprintln!(
        "SKIPPED: the web UI browser test ({why}; install the Debian packages chromium and \
         chromium-driver, or run ./scripts/test, which does)"
    );
}

fn on_path(names: &[&str], env: &str) -> Option<PathBuf> {
    if let Ok(path) = std::env::var(env) {
        return Some(PathBuf::from(path));
    }
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    let mut candidates: Vec<PathBuf> = std::env::split_paths(&dirs)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .collect();
    candidates.push(PathBuf::from("/usr/lib/chromium/chromedriver"));
    candidates
        .into_iter()
        .find(|p| p.is_file() && names.iter().any(|n| p.file_name().is_some_and(|f| f == *n)))
}

/// chromedriver, started in its own process group on a free port; dropping it ends the group
/// (chromedriver and any browser it started), so no process outlives the test.
struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    fn start(binary: &Path) -> Result<Chromedriver, String> {
        use std::os::unix::process::CommandExt as _;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("{} did not start: {e}", binary.display()))?;
        let driver = Chromedriver { child, port };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                return Err(format!("{} did not listen within 20 s", binary.display()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(3) {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Whatever is left of the group (a browser that ignored TERM), and reap chromedriver.
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn browser(driver: &Chromedriver, chromium: &Path, profile: &Path) -> Result<Client, String> {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url())
        .await
        .map_err(|e| format!("no WebDriver session: {e}"))
}

/// The browser and what the test needs to drive it.
struct Ui {
    client: Client,
    base: String,
    shots: Option<PathBuf>,
}

const WAIT: Duration = Duration::from_secs(15);

impl Ui {
    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn body_text(&self) -> String {
        self.client
            .execute("return document.body.innerText", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The first element matching `css` whose text contains `text`, waiting for it.
    async fn wait_text(&self, css: &str, text: &str) -> fantoccini::elements::Element {
        let started = Instant::now();
        loop {
            if let Ok(all) = self.client.find_all(Locator::Css(css)).await {
                for e in all {
                    if e.text().await.is_ok_and(|t| t.contains(text)) {
                        return e;
                    }
                }
            }
            if started.elapsed() > WAIT {
                self.shot("failure").await;
                panic!(
                    "no `{css}` containing {text:?} after {WAIT:?}; the page says:\n{}",
                    self.body_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        self.wait_text(css, "").await
    }

    /// Waits until `check` of the element's `prop` holds.
    async fn wait_prop(&self, css: &str, prop: &str, check: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                if let Ok(Some(value)) = e.prop(prop).await {
                    if check(&value) {
                        return value;
                    }
                }
            }
            assert!(started.elapsed() < WAIT, "`{css}`.{prop} never matched");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self.wait(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.wait(css).await.click().await.unwrap();
    }

    async fn nav_links(&self) -> Vec<String> {
        let mut links = Vec::new();
        for e in self.client.find_all(Locator::Css("#nav a")).await.unwrap() {
            links.push(e.text().await.unwrap());
        }
        links
    }

    async fn shot(&self, name: &str) {
        if let Some(dir) = &self.shots {
            if let Ok(png) = self.client.screenshot().await {
                let _ = std::fs::write(dir.join(format!("{name}.png")), png);
            }
        }
    }

    async fn sign_in(&self, user: &str, code: Option<&str>) {
        self.sign_in_with(user, PASSWORD, code).await;
    }

    async fn sign_in_with(&self, user: &str, password: &str, code: Option<&str>) {
        self.wait("#signin-form").await;
        self.fill("#username", user).await;
        self.fill("#password", password).await;
        if let Some(code) = code {
            self.fill("#code", code).await;
        }
        self.click("#signin-button").await;
    }

    async fn sign_out(&self) {
        self.click("#sign-out").await;
        self.wait_text("#signin-notice", "You have signed out")
            .await;
    }
}

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_ui_in_a_real_browser() {
    let Some(chromedriver) = on_path(&["chromedriver"], "POSTGUARD_CHROMEDRIVER") else {
        return unavailable("chromedriver not found");
    };
    let Some(chromium) = on_path(
        &["chromium", "chromium-browser", "google-chrome"],
        "POSTGUARD_CHROMIUM",
    ) else {
        return unavailable("chromium not found");
    };
    let dir = tempfile::tempdir().unwrap();
    let (app, store) = app(dir.path()).await;
    // An administrator whose two-factor sign-in is already on (the reviewer enrols in the UI).
    let ada = common::add_user(&store, "ada", "Ada (admin)", Role::Admin).await;
    let ada_totp = Totp::generate("Postguard", "ada").unwrap();
    common::enable_totp(&store, ada.id, ada_totp.secret().to_vec()).await;
    let api = app.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let driver = match Chromedriver::start(&chromedriver) {
        Ok(d) => d,
        Err(why) => return unavailable(&why),
    };
    let profile = tempfile::tempdir().unwrap();
    let client = match browser(&driver, &chromium, profile.path()).await {
        Ok(c) => c,
        Err(why) => return unavailable(&why),
    };
    let shots = std::env::var_os("POSTGUARD_UI_SCREENSHOTS").map(PathBuf::from);
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).unwrap();
    }
    let ui = Ui {
        client,
        base,
        shots,
    };
    scenarios(&ui, &api, &ada_totp).await;
    ui.client.close().await.unwrap();
    drop(driver);
    server.abort();
}

/// A request to the API through the router (as another user acting at the same time as the
/// browser's), with a session cookie and CSRF token when given.
async fn call(
    api: &axum::Router,
    method: &str,
    uri: &str,
    session: Option<&(String, String)>,
    body: Value,
) -> (StatusCode, Value, Option<String>) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some((cookie, csrf)) = session {
        request = request
            .header("cookie", cookie)
            .header("x-csrf-token", csrf);
    }
    let body = if body.is_null() {
        Body::empty()
    } else {
        Body::from(body.to_string())
    };
    let response = api
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let cookie = response
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        cookie,
    )
}

async fn scenarios(ui: &Ui, api: &axum::Router, ada_totp: &Totp) {
    // ----- a staff member: live check, a fix, submit to an official account -----
    ui.goto("/").await;
    ui.wait_text("h1", "Sign in").await;
    ui.shot("1-sign-in").await;
    ui.sign_in("sam", None).await;
    ui.wait_text("h1", "Write a post").await;
    let nav = ui.nav_links().await;
    assert!(nav.iter().any(|l| l == "Compose"), "{nav:?}");
    assert!(nav.iter().any(|l| l == "My drafts"), "{nav:?}");
    assert!(
        !nav.iter()
            .any(|l| l.contains("queue") || l == "Audit" || l == "Users"),
        "staff see only their own navigation: {nav:?}"
    );
    ui.wait("#draft-channel")
        .await
        .select_by_value("@AlderbrookHealth")
        .await
        .unwrap();
    ui.fill(
        "#draft-text",
        "Great teamwork on the night shift. Mrs. Alvarez in room 412 went home smiling today!",
    )
    .await;
    // The live check: the name's finding with its explanation, and its span marked.
    let name = ui
        .wait_text("#live-findings .finding.block", "Alvarez")
        .await;
    let explanation = name.find(Locator::Css(".explanation")).await.unwrap();
    assert!(
        explanation.text().await.unwrap().contains("person's name"),
        "{}",
        explanation.text().await.unwrap()
    );
    ui.wait_text("#preview mark.block", "Alvarez").await;
    ui.shot("2-compose-live-check").await;
    if ui.shots.is_some() {
        // The same screen on a phone.
        ui.client.set_window_size(390, 1400).await.unwrap();
        ui.shot("2b-compose-narrow").await;
        ui.client.set_window_size(1280, 1000).await.unwrap();
    }
    // Apply its redact fix: the text changes and is checked again.
    name.find(Locator::Css("button.fix-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = ui
        .wait_prop("#draft-text", "value", |v| v.contains("[NAME]"))
        .await;
    assert!(!text.contains("Alvarez"), "{text}");
    ui.wait_text("#check-status", "finding").await;
    let started = Instant::now();
    while ui.body_text().await.contains("Alvarez") {
        assert!(
            started.elapsed() < WAIT,
            "the old finding stays after the fix"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ui.click("#draft-submit").await;
    let result = ui.wait_text("#submit-result", "Queued for review").await;
    assert!(result.text().await.unwrap().contains("@AlderbrookHealth"));
    ui.shot("3-submitted").await;
    let open = ui.wait_text("a.button", "Open draft #").await;
    let id: i64 = open
        .text()
        .await
        .unwrap()
        .trim_start_matches("Open draft #")
        .parse()
        .unwrap();

    // My drafts, the draft page, and edit-and-resubmit with the room number's fix.
    ui.click("#nav a[href='#/drafts']").await;
    ui.wait_text("#drafts-table", "Waiting for review").await;
    ui.shot("4-my-drafts").await;
    ui.click(&format!("#drafts-table a[href='#/drafts/{id}']"))
        .await;
    ui.wait_text("h1", &format!("Draft #{id}")).await;
    assert!(
        ui.client.find(Locator::Css("#decision")).await.is_err(),
        "staff get no decision form"
    );
    ui.click("#edit-draft").await;
    let room = ui.wait_text("#live-findings .finding", "room 412").await;
    room.find(Locator::Css("button.fix-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    ui.wait_prop("#draft-text", "value", |v| v.contains("[ROOM]"))
        .await;
    ui.shot("5-edit").await;
    ui.click("#draft-submit").await;
    ui.wait_text(".alert", "Version 2 submitted").await;
    ui.shot("6-draft-v2-author").await;

    // ----- an invalid or expired session goes back to sign-in, then back to the screen -----
    ui.client.delete_all_cookies().await.unwrap();
    ui.click("#nav a[href='#/drafts']").await;
    ui.wait_text("#signin-notice", "sign in").await;
    ui.wait_text("h1", "Sign in").await;
    assert!(!ui
        .client
        .find(Locator::Css("#nav"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap());
    ui.shot("7-session-ended").await;
    ui.sign_in("sam", None).await;
    ui.wait_text("h1", "My drafts").await;
    ui.sign_out().await;

    // ----- a reviewer: two-factor enrolment at first sign-in, then with a code -----
    ui.sign_in("rita", None).await;
    ui.wait_text("h1", "Set up two-factor sign-in").await;
    ui.wait("#totp-qr").await;
    let secret = ui.wait("#totp-secret").await.text().await.unwrap();
    let uri = ui
        .wait("#totp-uri")
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    ui.shot("8-enrol").await;
    let secret = totp_rs::Secret::Encoded(secret.trim().to_owned())
        .to_bytes()
        .unwrap();
    let totp = Totp::from_secret(&secret, "Postguard", "rita").unwrap();
    ui.fill("#enrol-code", &totp.code_at(now())).await;
    ui.click("#enrol-confirm").await;
    let codes = ui.wait("#recovery-codes").await;
    assert_eq!(codes.find_all(Locator::Css("li")).await.unwrap().len(), 10);
    ui.shot("9-recovery-codes").await;
    ui.click("#recovery-done").await;
    ui.wait_text("#signin-notice", "Two-factor sign-in is on")
        .await;
    // The next step's code: the one used to confirm is spent (the server allows one step of skew).
    ui.sign_in("rita", Some(&totp.code_at(now() + 30))).await;
    ui.wait_text("h1", "Write a post").await;
    let nav = ui.nav_links().await;
    assert!(nav.iter().any(|l| l == "Review queue"), "{nav:?}");

    // The queue, the draft with the diff between its versions, and the approval.
    ui.click("#nav a[href='#/queue']").await;
    ui.wait_text("#queue-table", &format!("#{id}")).await;
    ui.shot("10-queue").await;
    ui.click(&format!("#queue-table a[href='#/drafts/{id}']"))
        .await;
    ui.wait_text("h1", &format!("Draft #{id}")).await;
    ui.wait_text("#diff ins", "[ROOM]").await;
    ui.wait_text("#diff del", "412").await;
    ui.wait("#decision").await;
    ui.shot("11-review-draft").await;

    // Meanwhile the author edits it again: the reviewer's page is stale, and the server's 409
    // is shown with a way to reload.
    let (status, login, cookie) = call(
        api,
        "POST",
        "/api/v1/login",
        None,
        json!({"username": "sam", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let sam = (
        cookie.unwrap(),
        login["csrf_token"].as_str().unwrap().to_owned(),
    );
    let uri = format!("/api/v1/drafts/{id}");
    let (_, detail, _) = call(api, "GET", &uri, Some(&sam), Value::Null).await;
    let (status, answer, _) = call(
        api,
        "PUT",
        &uri,
        Some(&sam),
        json!({
            "text": "Great teamwork on the night shift. Mrs. [NAME] in [ROOM] went home smiling today! Thank you, team.",
            "channel": "@AlderbrookHealth",
            "revision": detail["post"]["revision"],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    ui.click("#decide-approve").await;
    ui.wait_text(
        "#decision-result .alert.error",
        "the post changed since you loaded it",
    )
    .await;
    ui.shot("12-conflict").await;
    ui.click("#decision-result button").await;
    ui.wait_text("#diff ins", "team.").await;
    ui.wait_text("#diff", "from version 2 to 3").await;
    ui.fill("#decision-note", "Checked with the unit manager.")
        .await;
    ui.click("#decide-approve").await;
    ui.wait_text("#decision-recorded", "Recorded: approved")
        .await;
    ui.wait_text("#draft-status", "Approved").await;
    ui.wait_text("#decisions", "Checked with the unit manager.")
        .await;
    ui.shot("13-approved").await;
    ui.sign_out().await;

    // ----- an administrator: audit, exports, users, API tokens -----
    ui.sign_in("ada", Some(&ada_totp.code_at(now()))).await;
    ui.wait_text("h1", "Write a post").await;
    let nav = ui.nav_links().await;
    for link in ["Review queue", "Audit", "Users", "API tokens"] {
        assert!(nav.iter().any(|l| l == link), "{nav:?}");
    }
    ui.click("#nav a[href='#/audit']").await;
    ui.wait_text("#audit-verify", "The chain is intact").await;
    let href = ui.wait("#export-csv").await.attr("href").await.unwrap();
    assert_eq!(href.as_deref(), Some("/api/v1/audit/export?format=csv"));
    ui.shot("14-audit").await;
    ui.click("#nav a[href='#/users']").await;
    ui.wait_text("#users-table", "rita").await;
    ui.fill("#new-username", "casey").await;
    ui.fill("#new-display-name", "Casey Compliance").await;
    ui.wait("#new-role")
        .await
        .select_by_value("compliance")
        .await
        .unwrap();
    ui.fill("#new-password", "violet harbour kettle sunrise")
        .await;
    ui.click("#create-user button[type=submit]").await;
    ui.wait_text("#create-user .alert", "Created casey").await;
    ui.wait_text("#users-table", "Casey Compliance").await;
    // A new password for sam, set from his row; the notice stays once the table is redrawn.
    let row = ui.wait_text("#users-table tbody tr", "sam").await;
    row.find(Locator::Css("details.set-password summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    row.find(Locator::Css("details.set-password input"))
        .await
        .unwrap()
        .send_keys("amber quarry lantern drift")
        .await
        .unwrap();
    row.find(Locator::Css("details.set-password button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    ui.wait_text("#user-result .alert", "New password set for sam")
        .await;
    ui.shot("15-users").await;
    ui.click("#nav a[href='#/tokens']").await;
    ui.fill("#token-name", "scheduling tool").await;
    ui.click("form button[type=submit]").await;
    let token = ui.wait("#new-token").await.text().await.unwrap();
    assert!(token.starts_with("pgt_"), "{token}");
    ui.wait_text("#tokens-table", "scheduling tool").await;
    ui.shot("16-tokens").await;
    ui.click("#tokens-table button").await;
    ui.wait_text("#tokens-table", "revoked").await;
    // Her own password: two new ones that differ are caught before any request; then it
    // changes and she stays signed in.
    ui.click("#nav a[href='#/password']").await;
    ui.fill("#current-password", PASSWORD).await;
    ui.fill("#new-own-password", "marble orchard compass tide")
        .await;
    ui.fill("#repeat-own-password", "marble orchard compass")
        .await;
    ui.click("#change-password button[type=submit]").await;
    ui.wait_text("#password-result .alert", "differ").await;
    ui.fill("#repeat-own-password", "marble orchard compass tide")
        .await;
    ui.click("#change-password button[type=submit]").await;
    ui.wait_text("#password-result .alert", "Password changed")
        .await;
    ui.shot("17-password").await;
    ui.sign_out().await;

    // ----- sam, with the password the admin set: his own first, then back to work -----
    ui.sign_in_with("sam", "amber quarry lantern drift", None)
        .await;
    ui.wait_text("h1", "Password").await;
    ui.wait_text(".alert", "Choose your own password").await;
    assert!(
        ui.nav_links().await.is_empty(),
        "nothing else until then: {:?}",
        ui.nav_links().await
    );
    ui.fill("#current-password", "amber quarry lantern drift")
        .await;
    ui.fill("#new-own-password", "granite meadow quiet lantern")
        .await;
    ui.fill("#repeat-own-password", "granite meadow quiet lantern")
        .await;
    ui.click("#change-password button[type=submit]").await;
    ui.wait_text("h1", "Write a post").await;
    assert!(ui.nav_links().await.iter().any(|l| l == "My drafts"));
    ui.sign_out().await;
}
