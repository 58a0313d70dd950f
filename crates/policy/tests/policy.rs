//! Loading and validating policies: every error names file, line and column.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use postguard_policy::{
    explain, render_guidelines, Category, Policy, Severity, DEFAULT_POLICY_TOML,
};

fn error_of(source: &str) -> String {
    match Policy::from_toml_str(source, "org.toml") {
        Ok(_) => panic!("the policy was accepted"),
        Err(e) => e.to_string(),
    }
}

fn line_of(source: &str, needle: &str) -> usize {
    source.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_shipped_policy_is_valid_and_complete() {
    let policy = Policy::builtin_default().unwrap();
    assert_eq!(
        policy.organization.name,
        "Alderbrook Regional Medical Center"
    );
    for id in [
        "branded_accounts",
        "dos_and_donts",
        "disclosure",
        "confidentiality",
        "accuracy",
        "professionalism",
        "security",
        "legal_compliance",
        "community_guidelines",
        "education",
        "contact",
    ] {
        assert!(policy.section(id).is_some(), "section {id} missing");
    }
    assert_eq!(policy.rule(Category::Phi).severity, Severity::Block);
    assert_eq!(policy.rule(Category::Copyright).severity, Severity::Advise);
    assert!(
        !policy.staff.is_empty()
            && !policy.identifiers.is_empty()
            && !policy.official_accounts.is_empty()
    );
}

#[test]
fn an_unknown_key_is_named_with_its_position() {
    let source = DEFAULT_POLICY_TOML.replace("[disclaimer]\n", "[disclaimer]\ncolour = \"red\"\n");
    let err = error_of(&source);
    assert!(
        err.starts_with(&format!("org.toml:{}:", line_of(&source, "colour = "))),
        "{err}"
    );
    assert!(err.contains("colour"), "{err}");
}

#[test]
fn a_bad_choice_lists_the_valid_ones() {
    let source =
        DEFAULT_POLICY_TOML.replace("category = \"unprofessional\"", "category = \"rude\"");
    let err = error_of(&source);
    assert!(
        err.contains(&format!("org.toml:{}:", line_of(&source, "\"rude\""))),
        "{err}"
    );
    assert!(
        err.contains("unprofessional") && err.contains("phi"),
        "{err}"
    );
}

#[test]
fn a_lexicon_limited_to_an_unknown_kind_of_text_lists_the_kinds() {
    let source = DEFAULT_POLICY_TOML.replace(
        "kinds = [\"reply\", \"comment\"]",
        "kinds = [\"reply\", \"tweet\"]",
    );
    assert_ne!(source, DEFAULT_POLICY_TOML);
    let err = error_of(&source);
    assert!(
        err.contains(&format!("org.toml:{}:", line_of(&source, "\"tweet\""))),
        "{err}"
    );
    assert!(
        err.contains("tweet") && err.contains("post") && err.contains("comment"),
        "{err}"
    );
}

#[test]
fn a_bad_identifier_pattern_is_located() {
    let source = DEFAULT_POLICY_TOML.replace(r"'\bARMC-\d{7}\b'", r"'\bARMC-(\d{7}\b'");
    let err = error_of(&source);
    assert!(
        err.contains(&format!("org.toml:{}:", line_of(&source, "ARMC-(")),),
        "{err}"
    );
    assert!(err.contains("invalid pattern"), "{err}");
}

#[test]
fn a_lexicon_regex_the_scanner_cannot_compile_is_located() {
    // A negated class can match characters beyond ASCII, which the scanner's syntax refuses.
    let source = DEFAULT_POLICY_TOML.replace(
        "'/on\\sour\\s[a-z-]+\\s(?:unit|floor)/'",
        "'/on\\sour\\s[^.]+\\s(?:unit|floor)/'",
    );
    assert_ne!(
        source, DEFAULT_POLICY_TOML,
        "the term to break was not found"
    );
    let err = error_of(&source);
    assert!(
        err.contains(&format!("org.toml:{}:", line_of(&source, "[^.]+"))),
        "{err}"
    );
    assert!(
        err.contains("lexicon `patient_context`") && err.contains("beyond ASCII"),
        "{err}"
    );
    // An unbalanced group is named too.
    let source = DEFAULT_POLICY_TOML.replace(
        "'/on\\sour\\s[a-z-]+\\s(?:unit|floor)/'",
        "'/on\\sour\\s([a-z-]+\\s(?:unit|floor)/'",
    );
    let err = error_of(&source);
    assert!(err.contains("invalid regular expression"), "{err}");
}

#[test]
fn a_rule_pointing_to_a_missing_section_is_refused() {
    let source = DEFAULT_POLICY_TOML.replace(
        "section = \"endorsements\"\n\n[rules.unprofessional]",
        "section = \"ads\"\n\n[rules.unprofessional]",
    );
    let err = error_of(&source);
    assert!(
        err.contains("section `ads`") && err.contains("`confidentiality`"),
        "{err}"
    );
    assert!(
        err.contains(&format!("org.toml:{}:", line_of(&source, "\"ads\""))),
        "{err}"
    );
}

#[test]
fn review_date_must_follow_the_effective_date() {
    let source =
        DEFAULT_POLICY_TOML.replace("next_review = 2027-06-30", "next_review = 2025-01-01");
    assert!(error_of(&source).contains("next_review"));
}

#[test]
fn a_missing_file_says_so() {
    let err = Policy::load(std::path::Path::new("/no/such/policy.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("/no/such/policy.toml") && err.contains("cannot read"),
        "{err}"
    );
}

#[test]
fn explain_and_render_cover_every_rule_and_section() {
    let policy = Policy::builtin_default().unwrap();
    let text = explain(&policy);
    for c in Category::ALL {
        assert!(text.contains(&format!("- {c} [")), "{c} not explained");
    }
    // Lists of cues say what they do, not an action they never take.
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("- {name} (")))
            .unwrap_or_else(|| panic!("{name} not explained"))
            .to_owned()
    };
    assert!(
        line("profanity").contains("action Review"),
        "{}",
        line("profanity")
    );
    assert!(
        line("not_patient").contains("not patients"),
        "{}",
        line("not_patient")
    );
    assert!(line("patient_context").contains("indirect identification"));
    assert!(
        line("people").contains("beside a care event"),
        "{}",
        line("people")
    );
    assert!(
        line("care_events").contains("beside a person"),
        "{}",
        line("care_events")
    );
    assert!(
        line("name_cues").contains("a listed name right after it is a name"),
        "{}",
        line("name_cues")
    );
    let doc = render_guidelines(&policy);
    for s in &policy.sections {
        assert!(doc.contains(&format!("## {}", s.title)));
    }
    assert!(doc.contains("@AlderbrookHealth"));
}
