//! The `postguard` binary: every mode, every exit status, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use assert_cmd::Command;
use predicates::prelude::*;
use std::io::Write;

fn postguard() -> Command {
    let mut cmd = Command::cargo_bin("postguard").unwrap();
    cmd.env_remove("POSTGUARD_POLICY").env("NO_COLOR", "1");
    cmd
}

fn repo_file(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_clean_text_exits_0() {
    postguard()
        .args(["check", "--channel", "official"])
        .write_stdin("Flu shots are available at all our clinics this week.")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No findings"));
}

#[test]
fn a_finding_at_review_or_block_exits_1_and_marks_the_span() {
    postguard()
        .arg("check")
        .write_stdin("Mrs. Alvarez in room 412 is finally going home!")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("[[Alvarez]]"))
        .stdout(predicate::str::contains("BLOCK phi NAME"))
        .stdout(predicate::str::contains("fix: replace with [NAME]"))
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn advice_only_exits_0() {
    postguard()
        .args(["check", "--channel", "official"])
        .write_stdin("Not my photo, but what a view of the sunrise!")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ADVISE copyright"));
}

#[test]
fn json_output_is_the_report() {
    let out = postguard()
        .args(["check", "--format", "json", "--identifies-employer"])
        .write_stdin("Loved my shift today.")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["identifies_employer"], true);
    assert_eq!(report["findings"][0]["category"], "missing_disclaimer");
    assert_eq!(report["findings"][0]["fix"]["kind"], "append");
}

#[test]
fn sarif_output_for_ci() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("draft.txt");
    std::fs::write(&file, "line one\nPt's wife: (555) 867-5309").unwrap();
    let out = postguard()
        .args(["check", "--format", "sarif"])
        .arg(&file)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let sarif: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startColumn"],
        12
    );
}

#[test]
fn invalid_utf8_names_the_byte_offset_and_exits_2() {
    postguard()
        .arg("check")
        .write_stdin(b"hello \xff world".to_vec())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("not valid UTF-8").and(predicate::str::contains("offset 6")),
        );
}

#[test]
fn serve_refuses_approval_steps_for_an_account_the_policy_lacks_before_touching_data() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("postguard.toml");
    std::fs::write(
        &config,
        "[[approval]]\naccount = \"@AlderbrookHelath\"\nsteps = [{ name = \"review\", role = \"reviewer\" }]\n",
    )
    .unwrap();
    postguard()
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .args(["serve", "--config", config.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("\"@AlderbrookHelath\": not an official account")
                .and(predicate::str::contains("@AlderbrookHealth")),
        );
    assert!(
        !dir.path().join("postguard.db").exists(),
        "no database created"
    );
}

#[test]
fn usage_errors_exit_2() {
    postguard()
        .args(["check", "--channel", "billboard"])
        .write_stdin("x")
        .assert()
        .code(2);
    postguard()
        .args(["check", "/no/such/file.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot open"));
}

#[test]
fn batch_keeps_order_reports_bad_lines_and_continues() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let output = dir.path().join("out.jsonl");
    let mut f = std::fs::File::create(&input).unwrap();
    writeln!(f, r#"{{"id": "a", "text": "Flu shots are available this week.", "context": {{"channel": "official"}}}}"#).unwrap();
    writeln!(f, r#"{{"id": "b", "text": "Mrs. Alvarez in room 412""#).unwrap();
    writeln!(
        f,
        r#"{{"id": "c", "text": "Patient Rosa Delgado", "context": {{"channel": "Rosa Delgado"}}}}"#
    )
    .unwrap();
    writeln!(f, r#"{{"id": "d", "text": "SSN 123-45-6789"}}"#).unwrap();
    drop(f);
    let assert = postguard()
        .args(["check", "--jsonl"])
        .arg(&input)
        .arg("--out")
        .arg(&output)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("in.jsonl:2: not valid JSON"), "{stderr}");
    assert!(
        stderr.contains("in.jsonl:3: field `context.channel`"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Rosa") && !stderr.contains("Alvarez"),
        "patient text leaked: {stderr}"
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["findings"].as_array().unwrap().len(), 0);
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[3]["id"], "d");
    assert_eq!(lines[3]["findings"][0]["identifier"], "SSN");
}

#[test]
fn batch_exit_status_follows_the_findings() {
    postguard()
        .args(["check", "--jsonl", "-"])
        .write_stdin("{\"id\": 1, \"text\": \"Happy Nurses Week!\", \"context\": {\"channel\": \"official\"}}\n")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(r#""id":1"#));
    postguard()
        .args(["check", "--jsonl", "-"])
        .write_stdin("{\"id\": 1, \"text\": \"SSN 123-45-6789\"}\n")
        .assert()
        .code(1);
}

#[test]
fn redact_replaces_identifiers() {
    postguard()
        .arg("redact")
        .write_stdin("Mrs. Alvarez in room 412, SSN 123-45-6789.")
        .assert()
        .code(0)
        .stdout("Mrs. [NAME] in [ROOM], SSN [SSN].");
}

#[test]
fn eval_measures_recall_and_precision() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    std::fs::write(
        &gold,
        "{\"id\":\"1\",\"text\":\"SSN 123-45-6789 and Mrs. Alvarez\",\"spans\":[{\"start\":4,\"end\":15,\"type\":\"SSN\"},{\"start\":25,\"end\":32,\"type\":\"NAME\"}],\"categories\":[\"phi\"]}\n\
         {\"id\":\"2\",\"text\":\"Happy Nurses Week!\",\"context\":{\"channel\":\"official\"},\"spans\":[],\"categories\":[]}\n",
    )
    .unwrap();
    postguard()
        .arg("eval")
        .arg(&gold)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("recall 1.000"))
        .stdout(predicate::str::contains("precision 1.000"))
        .stdout(predicate::str::contains(
            "clean lines: 1, of which blocked: 0",
        ));
}

/// The accuracy targets of the scanner's issue, on the shipped corpora: PHI token recall at
/// least 0.95 with precision at least 0.85 on both; on the social corpus at least a third of the
/// posts clean and none of them blocked, and every category that is labelled found at least
/// once. A change to the scanner that loses accuracy fails here, whatever it gains in speed.
#[test]
fn the_shipped_corpora_meet_the_accuracy_targets() {
    for corpus in ["corpora/social.jsonl", "corpora/presidio.jsonl"] {
        let out = postguard()
            .args(["eval", "--json"])
            .arg(repo_file(corpus))
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        let figures: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let lines = figures["lines"].as_u64().unwrap();
        assert!(lines >= 200, "{corpus}: {lines} lines");
        assert_eq!(figures["malformed_lines"], 0, "{corpus}");
        let recall = figures["recall"].as_f64().unwrap();
        let precision = figures["precision"].as_f64().unwrap();
        assert!(recall >= 0.95, "{corpus}: PHI token recall {recall:.3}");
        assert!(
            precision >= 0.85,
            "{corpus}: PHI token precision {precision:.3}"
        );
        if corpus.contains("social") {
            let clean = figures["clean_lines"].as_u64().unwrap();
            assert!(
                3 * clean >= lines,
                "{corpus}: {clean} clean posts of {lines}"
            );
            assert_eq!(
                figures["clean_lines_blocked"], 0,
                "{corpus}: a clean post blocked"
            );
            // Identifiers found but only advised on let a post through: at most one phi line
            // in fifty.
            let phi_lines = figures["phi_lines"].as_u64().unwrap();
            let not_blocked = figures["phi_lines_not_blocked"].as_u64().unwrap();
            assert!(
                50 * not_blocked <= phi_lines,
                "{corpus}: {not_blocked} of {phi_lines} phi lines not blocked"
            );
            let categories = figures["categories"].as_object().unwrap();
            for name in [
                "phi",
                "indirect_phi",
                "missing_disclaimer",
                "endorsement",
                "unprofessional",
                "medical_advice",
                "misinformation",
                "confidential",
                "security",
                "copyright",
                "handle_branding",
            ] {
                let category = &categories[name];
                assert!(
                    category["labelled_lines"].as_u64().unwrap_or(0) > 0,
                    "{corpus}: no post labelled {name}"
                );
                assert!(
                    category["found"].as_u64().unwrap_or(0) > 0,
                    "{corpus}: {name} never found"
                );
            }
        }
    }
}

#[test]
fn check_handle() {
    postguard()
        .args(["check-handle", "@AlderbrookNurseJen"])
        .assert()
        .code(1);
    postguard()
        .args([
            "check-handle",
            "@AlderbrookNurseJen",
            "--platform",
            "linkedin",
        ])
        .assert()
        .code(0);
}

#[test]
fn policy_check_explain_and_render() {
    let default = repo_file("policies/default.toml");
    postguard()
        .args(["policy", "check"])
        .arg(&default)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ok"))
        .stderr(predicate::str::contains("warning").not());
    // A term the scanner cannot look for by a word first (here a `*` inside it; also a regex
    // with no word to start from) is legal but slow: a warning naming the list and the term,
    // and still "ok".
    let dir = tempfile::tempdir().unwrap();
    let slow = dir.path().join("slow.toml");
    let source = std::fs::read_to_string(&default).unwrap().replacen(
        "terms = [\"retirement\",",
        "terms = [\"years*service\", \"retirement\",",
        1,
    );
    assert!(
        source.contains("years*service"),
        "the term to add was not placed"
    );
    std::fs::write(&slow, &source).unwrap();
    postguard()
        .args(["policy", "check"])
        .arg(&slow)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ok"))
        .stderr(predicate::str::contains("warning: lexicon `not_patient`"))
        .stderr(predicate::str::contains("years*service"));
    // So is a term that lets one or two letters begin a longer word: every word is looked up.
    let short = dir.path().join("short.toml");
    std::fs::write(
        &short,
        source.replacen("\"years*service\", ", "\"ab*\", ", 1),
    )
    .unwrap();
    postguard()
        .args(["policy", "check"])
        .arg(&short)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("warning: lexicon `not_patient`"))
        .stderr(predicate::str::contains(
            "\"ab*\" lets one or two letters begin",
        ));
    postguard()
        .args(["policy", "explain"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("- phi [block]"))
        .stdout(predicate::str::contains("- copyright [advise]"));
    postguard()
        .args(["policy", "render"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "## Confidentiality and patient privacy",
        ))
        .stdout(predicate::str::contains(
            "The opinions expressed here are my own",
        ));
}

#[test]
fn a_bad_policy_names_file_line_column_and_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let source = std::fs::read_to_string(repo_file("policies/default.toml"))
        .unwrap()
        .replace(
            "[rules.phi]\nseverity = \"block\"",
            "[rules.phi]\nseverity = \"blok\"",
        );
    std::fs::write(&bad, &source).unwrap();
    let line = source.lines().position(|l| l.contains("\"blok\"")).unwrap() + 1;
    postguard()
        .args(["policy", "check"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("bad.toml:{line}:")))
        .stderr(predicate::str::contains("block").and(predicate::str::contains("review")));
    // Checking with a bad policy fails the same way, before reading any text.
    postguard()
        .args(["check", "--policy"])
        .arg(&bad)
        .write_stdin("hi")
        .assert()
        .code(2);
}

#[test]
fn a_consent_on_the_official_channel_turns_phi_into_advice() {
    let text = "Meet Rosa Delgado, who ran a 5K six months after her transplant!";
    postguard()
        .args([
            "check",
            "--channel",
            "official",
            "--consent",
            "C-2026-014:Rosa Delgado",
        ])
        .write_stdin(text)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ADVISE phi NAME"))
        .stdout(predicate::str::contains("C-2026-014"));
    postguard()
        .args(["check", "--channel", "official"])
        .write_stdin(text)
        .assert()
        .code(1);
    postguard()
        .args(["check", "--consent", "no-colon"])
        .write_stdin(text)
        .assert()
        .code(2);
}
