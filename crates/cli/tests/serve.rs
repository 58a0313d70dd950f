//! `postguard serve`, `audit verify` and `admin create-user` as a user runs them: the real
//! binary, a real SQLite file in a fresh directory, HTTP over loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("postguard")
}

/// A free port on loopback.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request; the status and the body.
fn http(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

struct Server {
    child: Child,
    port: u16,
    stderr: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `postguard serve` in `dir` and waits until it listens; its first stderr lines.
fn serve(dir: &Path) -> Server {
    serve_with(dir, &[])
}

/// [`serve`] with more arguments.
fn serve_with(dir: &Path, args: &[&str]) -> Server {
    let port = free_port();
    let mut child = Command::new(bin())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("POSTGUARD_POLICY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stderr = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    for line in lines.by_ref() {
        let line = line.unwrap();
        let listening = line.contains("listening on");
        stderr.push(line);
        if listening || Instant::now() > deadline {
            break;
        }
    }
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        port,
        stderr,
    }
}

#[test]
fn first_start_creates_the_database_and_an_admin_the_api_answers_and_the_audit_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    assert!(
        dir.path().join("postguard.db").exists(),
        "{:?}",
        server.stderr
    );
    let password = server
        .stderr
        .iter()
        .find_map(|l| l.split("one-time password ").nth(1))
        .map(|rest| rest.split_whitespace().next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no one-time password in {:?}", server.stderr));
    assert_eq!(
        http(server.port, "GET", "/healthz", ""),
        (200, "ok\n".to_owned())
    );

    // The live check, stateless.
    let (status, body) = http(
        server.port,
        "POST",
        "/api/v1/check",
        r#"{"text": "Please pray for Maria Gonzales in room 412"}"#,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""identifier":"NAME""#), "{body}");

    // The admin must enrol a second factor before signing in; a wrong password is 401.
    let login = format!(r#"{{"username": "admin", "password": "{password}"}}"#);
    let (status, body) = http(server.port, "POST", "/api/v1/login", &login);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("enrol"), "{body}");
    let (status, _) = http(
        server.port,
        "POST",
        "/api/v1/login",
        r#"{"username": "admin", "password": "wrong"}"#,
    );
    assert_eq!(status, 401);

    // A staff user made on the command line signs in with a password.
    let created = Command::new(bin())
        .args(["admin", "create-user", "sam", "--role", "staff"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("POSTGUARD_NEW_PASSWORD", "copper lantern orbit meadow")
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let (status, body) = http(
        server.port,
        "POST",
        "/api/v1/login",
        r#"{"username": "sam", "password": "copper lantern orbit meadow"}"#,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("csrf_token"), "{body}");
    // The operator chose that password, so it is kept.
    assert!(body.contains(r#""must_change_password":false"#), "{body}");

    // A generated one is shown once and must be replaced at the first sign-in.
    let generated = Command::new(bin())
        .args(["admin", "create-user", "tom", "--role", "staff"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("POSTGUARD_NEW_PASSWORD")
        .output()
        .unwrap();
    assert!(generated.status.success(), "{generated:?}");
    let stderr = String::from_utf8_lossy(&generated.stderr);
    let tom_password = stderr
        .split("one-time password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no one-time password in {stderr}"));
    let (status, body) = http(
        server.port,
        "POST",
        "/api/v1/login",
        &format!(r#"{{"username": "tom", "password": "{tom_password}"}}"#),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""must_change_password":true"#), "{body}");

    // A weak password is refused with the reason, and nothing is created.
    let weak = Command::new(bin())
        .args(["admin", "create-user", "tess"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("POSTGUARD_NEW_PASSWORD", "password1234")
        .output()
        .unwrap();
    assert_eq!(weak.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("too easy to guess"));

    // Every event so far is in the audit chain, which verifies.
    drop(server);
    let verify = Command::new(bin())
        .args(["audit", "verify"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{out}");
    assert!(out.contains("chain intact"), "{out}");

    // A second start creates no second admin.
    let again = serve(dir.path());
    assert!(
        !again.stderr.iter().any(|l| l.contains("one-time password")),
        "{:?}",
        again.stderr
    );
}

/// A raw connection to the SQLite database in `dir`, behind the store's back.
async fn connect(dir: &Path) -> postguard_store::sqlx::SqliteConnection {
    use postguard_store::sqlx::ConnectOptions as _;
    postguard_store::sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.join("postguard.db"))
        .connect()
        .await
        .unwrap()
}

/// The `policy.loaded` entries of the audit log in `dir`'s database: (version, source, sha256).
fn policies_loaded(dir: &Path) -> Vec<(String, String, String)> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use postguard_store::sqlx::{self, Row as _};
        let mut conn = connect(dir).await;
        sqlx::query("SELECT details FROM audit_log WHERE action = 'policy.loaded' ORDER BY seq")
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|row| {
                let details: serde_json::Value =
                    serde_json::from_str(&row.get::<String, _>(0)).unwrap();
                let field = |k: &str| details[k].as_str().unwrap().to_owned();
                (field("version"), field("source"), field("sha256"))
            })
            .collect()
    })
}

#[test]
fn each_start_records_the_policy_it_enforces_so_a_change_of_policy_is_in_the_audit_chain() {
    let dir = tempfile::tempdir().unwrap();
    drop(serve(dir.path()));
    let changed = dir.path().join("policy.toml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/default.toml"
    ))
    .unwrap()
    .replacen("version = \"2026.1\"", "version = \"2026.2\"", 1);
    std::fs::write(&changed, text).unwrap();
    drop(serve_with(
        dir.path(),
        &["--policy", changed.to_str().unwrap()],
    ));
    let loaded = policies_loaded(dir.path());
    assert_eq!(loaded.len(), 2, "{loaded:?}");
    assert_eq!(
        (loaded[0].0.as_str(), loaded[1].0.as_str()),
        ("2026.1", "2026.2")
    );
    assert!(loaded[0].1.contains("built in"), "{loaded:?}");
    assert!(loaded[1].1.ends_with("policy.toml"), "{loaded:?}");
    assert_ne!(loaded[0].2, loaded[1].2, "the digests tell the texts apart");
    assert_eq!(loaded[0].2.len(), 64);
    let verify = Command::new(bin())
        .args(["audit", "verify"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(verify.status.success(), "{verify:?}");
}

#[test]
fn audit_verify_names_the_entry_changed_behind_the_stores_back_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    for user in ["ann", "bob", "cy"] {
        let created = Command::new(bin())
            .args(["admin", "create-user", user])
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env("POSTGUARD_NEW_PASSWORD", "copper lantern orbit meadow")
            .output()
            .unwrap();
        assert!(created.status.success(), "{created:?}");
    }
    // An attacker with the file drops the append-only trigger and edits entry 2.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use postguard_store::sqlx;
        let mut conn = connect(dir.path()).await;
        sqlx::raw_sql(
            "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET details = '{\"role\":\"admin\"}' WHERE seq = 2",
        )
        .execute(&mut conn)
        .await
        .unwrap();
    });
    let verify = Command::new(bin())
        .args(["audit", "verify"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&verify.stdout);
    assert_eq!(verify.status.code(), Some(1), "{out}");
    assert!(out.contains("entry 2 was altered"), "{out}");
}

#[test]
fn a_database_url_with_an_unknown_scheme_is_refused_without_quoting_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(["audit", "verify"])
        .current_dir(dir.path())
        .env(
            "DATABASE_URL",
            "postgress://bob:hunter2@db.example/postguard",
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown scheme `postgress://`"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no SQLite file named after the URL"
    );
}

#[test]
fn exports_from_the_command_line_write_the_audit_log_and_a_post_history_and_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(bin())
            .args(args)
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env("POSTGUARD_NEW_PASSWORD", "copper lantern orbit meadow")
            .output()
            .unwrap()
    };
    assert!(run(&["admin", "create-user", "sam"]).status.success());
    // A post, stored as the server stores a submission.
    let post = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use postguard_store::Store as _;
        let store = postguard_store::SqliteStore::open(dir.path().join("postguard.db"))
            .await
            .unwrap();
        let sam = store.get_user_by_username("sam").await.unwrap().unwrap();
        let (post, _, _) = store
            .create_post(
                postguard_store::NewPost {
                    author: sam.id,
                    kind: postguard_store::PostKind::Post,
                    channel: postguard_store::Channel::Personal,
                    identifies_employer: false,
                    scheduled_at: None,
                    status: postguard_store::PostStatus::Cleared,
                    first_version: postguard_store::NewVersion {
                        text: "Health fair on Saturday, bring a friend".into(),
                        attachments: Vec::new(),
                        policy_version: "test".into(),
                        scan_result: r#"{"findings":[]}"#.into(),
                        author: sam.id,
                    },
                },
                postguard_store::NewAuditEntry {
                    actor: None,
                    action: "post.submitted".into(),
                    subject: None,
                    details: serde_json::json!({}),
                },
            )
            .await
            .unwrap();
        store.close().await;
        post.id
    });

    let out = dir.path().join("history.csv");
    let history = run(&[
        "export",
        "history",
        &post.to_string(),
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(history.status.success(), "{history:?}");
    assert!(
        !dir.path().join("history.csv.partial").exists(),
        "written under a temporary name, then renamed"
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("event,post_id,version,at,"), "{csv}");
    assert!(
        csv.contains("Health fair on Saturday, bring a friend"),
        "{csv}"
    );

    // A file that cannot be written is an error naming it, and nothing is recorded.
    let unwritable = dir.path().join("no-such-dir").join("audit.jsonl");
    let failed = run(&["export", "audit", "--out", unwritable.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(2), "{failed:?}");
    assert!(
        String::from_utf8_lossy(&failed.stderr).contains("no-such-dir"),
        "{failed:?}"
    );

    let missing = run(&["export", "history", "999"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("there is no post 999"));

    // The audit log on standard output, one JSON object per line, the history export in it.
    let audit = run(&["export", "audit"]);
    assert!(audit.status.success(), "{audit:?}");
    let actions: Vec<String> = String::from_utf8_lossy(&audit.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["action"].to_string())
        .collect();
    assert_eq!(
        actions,
        [
            r#""user.created""#,
            r#""post.submitted""#,
            r#""export.history""#
        ]
    );
    // ... and the audit export itself, recorded after it was written.
    let verify = run(&["audit", "verify"]);
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success() && text.contains("4 entries"),
        "{text}"
    );
}
