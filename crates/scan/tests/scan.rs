//! The scanner through its public API, with the shipped default policy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use postguard_policy::Policy;
use postguard_scan::{
    redact, Category, Channel, Consent, Context, Fix, IdentifierKind, Post, PostKind, Report,
    Scanner, Severity,
};

fn scanner() -> Scanner {
    let policy = Policy::builtin_default().unwrap();
    Scanner::new(&policy).unwrap()
}

fn scan(text: &str) -> Report {
    scanner().scan(&Post::new(text))
}

fn scan_in(text: &str, context: Context) -> Report {
    scanner().scan(&Post::with_context(text, context))
}

fn official() -> Context {
    Context {
        channel: Channel::Official,
        ..Context::default()
    }
}

fn has(report: &Report, category: Category) -> bool {
    report.findings.iter().any(|f| f.category == category)
}

/// The texts of the phi findings of a given identifier kind.
fn phi(report: &Report, kind: IdentifierKind) -> Vec<&str> {
    report
        .findings
        .iter()
        .filter(|f| f.category == Category::Phi && f.identifier == Some(kind))
        .map(|f| f.matched.as_str())
        .collect()
}

#[test]
fn every_finding_points_at_its_own_bytes_and_explains_itself() {
    let text = "Zoë’s nurse here 💙 Mrs. Alvarez in room 412 was admitted on 3/14, MRN 00482913.";
    let report = scan(text);
    assert!(!report.findings.is_empty());
    for f in &report.findings {
        assert_eq!(&text[f.start..f.end], f.matched, "{f:?}");
        assert!(
            f.explanation.contains("policy section"),
            "{}",
            f.explanation
        );
    }
    assert_eq!(phi(&report, IdentifierKind::Name), ["Alvarez"]);
    assert_eq!(phi(&report, IdentifierKind::Room), ["room 412"]);
    assert_eq!(phi(&report, IdentifierKind::Date), ["3/14"]);
    assert_eq!(phi(&report, IdentifierKind::Mrn), ["MRN 00482913"]);
    assert!(report
        .findings
        .iter()
        .filter(|f| f.category == Category::Phi)
        .all(|f| f.severity == Severity::Block));
}

#[test]
fn structured_identifiers_are_found() {
    let report = scan(
        "Patient Rosa Delgado, SSN 123-45-6789, phone (555) 867-5309, email rosa.d@example.com, \
         lives at 42 Maple Street, Springfield, IL 62704. Member ID W123456789. IP 192.168.4.20.",
    );
    assert_eq!(phi(&report, IdentifierKind::Name), ["Rosa Delgado"]);
    assert_eq!(phi(&report, IdentifierKind::Ssn), ["123-45-6789"]);
    assert_eq!(phi(&report, IdentifierKind::Phone), ["(555) 867-5309"]);
    assert_eq!(phi(&report, IdentifierKind::Email), ["rosa.d@example.com"]);
    assert!(phi(&report, IdentifierKind::Address)
        .iter()
        .any(|a| a.starts_with("42 Maple Street")));
    assert_eq!(phi(&report, IdentifierKind::HealthPlan), ["W123456789"]);
    assert_eq!(phi(&report, IdentifierKind::Ip), ["192.168.4.20"]);
}

#[test]
fn ages_over_89_are_identifiers_and_younger_ages_are_not() {
    assert_eq!(
        phi(
            &scan("Our 94-year-old patient walked today!"),
            IdentifierKind::Age
        ),
        ["94-year-old"]
    );
    assert!(phi(
        &scan("Our 64-year-old patient walked today!"),
        IdentifierKind::Age
    )
    .is_empty());
}

#[test]
fn staff_public_figures_and_the_main_line_are_not_identifiers() {
    let report = scan_in(
        "Congratulations to Dr. Priya Raman and Jenna Ortiz! As Florence Nightingale said, care matters. \
         Questions? Call our main line at (555) 201-4000.",
        official(),
    );
    assert!(!has(&report, Category::Phi), "{:#?}", report.findings);
}

#[test]
fn event_dates_without_a_person_are_not_identifiers() {
    let report = scan_in(
        "Join us Saturday, May 9 for the community health fair!",
        official(),
    );
    assert!(!has(&report, Category::Phi), "{:#?}", report.findings);
}

#[test]
fn lower_case_hashtags_handles_and_clinical_notes_work() {
    assert_eq!(
        phi(
            &scan("so sad about mr. johnson tonight"),
            IdentifierKind::Name
        ),
        ["johnson"]
    );
    let report = scan("PT SEEN BY DR SMITH 7/22, HUSBAND JOHN AT BEDSIDE");
    let names = phi(&report, IdentifierKind::Name);
    assert!(
        names.contains(&"SMITH") && names.contains(&"JOHN"),
        "{names:?}"
    );
    assert_eq!(phi(&report, IdentifierKind::Date), ["7/22"]);
    assert!(!all_phi(&scan("Sending love to @maria_gonzales tonight")).is_empty());
    assert!(!all_phi(&scan("#prayforjohnsmith")).is_empty());
}

fn all_phi(report: &Report) -> Vec<&str> {
    report
        .findings
        .iter()
        .filter(|f| f.category == Category::Phi)
        .map(|f| f.matched.as_str())
        .collect()
}

#[test]
fn indirect_identification_without_a_name() {
    let report = scan("My patient from the Route 9 crash last night is finally off the vent.");
    assert!(
        has(&report, Category::IndirectPhi),
        "{:#?}",
        report.findings
    );
    let clean = scan_in(
        "Flu shots are available at all our clinics this week.",
        official(),
    );
    assert!(!has(&clean, Category::IndirectPhi));
}

#[test]
fn missing_disclaimer_is_fixed_by_appending_it() {
    let report = scan("Proud to work at Alderbrook Regional! Best team ever.");
    let finding = report
        .findings
        .iter()
        .find(|f| f.category == Category::MissingDisclaimer)
        .unwrap();
    assert!(report.identifies_employer);
    match &finding.fix {
        Some(Fix::Append { text }) => {
            assert!(text.contains("do not reflect the views of my employer"))
        }
        other => panic!("expected an appended disclaimer, got {other:?}"),
    }
    let with = scan("Proud to work at Alderbrook Regional! Opinions are my own.");
    assert!(!has(&with, Category::MissingDisclaimer));
    assert!(!has(
        &scan_in("Proud of our team at Alderbrook Regional!", official()),
        Category::MissingDisclaimer
    ));
    let told = scan_in(
        "Loved my shift today.",
        Context {
            identifies_employer: true,
            ..Context::default()
        },
    );
    assert!(has(&told, Category::MissingDisclaimer));
}

#[test]
fn each_category_is_found() {
    let cases = [
        (
            "I highly recommend ZenVita supplements, use my promo code NURSE20!",
            Category::Endorsement,
        ),
        (
            "What a f*cking night, this place is sh1t",
            Category::Unprofessional,
        ),
        (
            "You should stop taking your metformin before the test.",
            Category::MedicalAdvice,
        ),
        (
            "Reminder: vaccines cause autism, do your research",
            Category::Misinformation,
        ),
        (
            "Heard the layoffs hit 4 West next month, not announced yet",
            Category::Confidential,
        ),
        ("The door code to the med room is 4521", Category::Security),
        (
            "Log in at ehr.armc.local if the VPN is down",
            Category::Security,
        ),
        (
            "Not my photo, found this online but love it",
            Category::Copyright,
        ),
        (
            "Follow my nursing page @AlderbrookNurseJen!",
            Category::HandleBranding,
        ),
    ];
    for (text, category) in cases {
        let report = scan(text);
        assert!(
            has(&report, category),
            "{category} not found in {text:?}: {:#?}",
            report.findings
        );
    }
}

#[test]
fn general_health_information_and_debunking_are_clean() {
    for text in [
        "Adults should get a flu shot every year. Talk to your doctor about what's right for you.",
        "Vaccines do not cause autism. Get your facts from the CDC.",
        "Heart-healthy tip: swap one sugary drink a day for water.",
    ] {
        let report = scan_in(text, official());
        assert!(
            !report.needs_attention(),
            "{text:?}: {:#?}",
            report.findings
        );
    }
}

#[test]
fn copyright_is_advisory() {
    let report = scan("Not my photo, found this online");
    assert!(report
        .findings
        .iter()
        .filter(|f| f.category == Category::Copyright)
        .all(|f| f.severity == Severity::Advise));
}

#[test]
fn consent_on_the_official_channel_turns_phi_into_advice() {
    let consented = Context {
        channel: Channel::Official,
        consents: vec![Consent {
            id: "C-2026-014".into(),
            covers: vec!["Rosa Delgado".into()],
        }],
        ..Context::default()
    };
    let text = "Meet Rosa Delgado, who ran a 5K six months after her transplant!";
    let with = scan_in(text, consented.clone());
    let name = with
        .findings
        .iter()
        .find(|f| f.identifier == Some(IdentifierKind::Name))
        .unwrap();
    assert_eq!(name.severity, Severity::Advise);
    assert!(name.explanation.contains("C-2026-014"));
    let personal = scan_in(
        text,
        Context {
            channel: Channel::Personal,
            ..consented
        },
    );
    assert!(personal
        .findings
        .iter()
        .any(|f| f.identifier == Some(IdentifierKind::Name) && f.severity == Severity::Block));
}

#[test]
fn handles_are_checked_and_linkedin_is_exempt() {
    let s = scanner();
    assert!(s
        .check_handle("@AlderbrookNurseJen", Some("instagram"))
        .is_some());
    assert!(s
        .check_handle("@AlderbrookNurseJen", Some("linkedin"))
        .is_none());
    assert!(s.check_handle("@AlderbrookHealth", Some("x")).is_none());
    assert!(s.check_handle("@jen_the_nurse", None).is_none());
}

#[test]
fn empty_text_is_a_clean_report() {
    let report = scan("");
    assert!(report.findings.is_empty());
    assert_eq!(report.max_severity(), None);
}

#[test]
fn a_one_megabyte_post_is_scanned_whole() {
    let filler =
        "Great teamwork on the unit today, thanks everyone for the support. ".repeat(16_000);
    let text = format!("{filler}Mrs. Alvarez in room 412, SSN 123-45-6789.");
    assert!(text.len() > 1_000_000);
    let report = scan(&text);
    let ssn = report
        .findings
        .iter()
        .find(|f| f.identifier == Some(IdentifierKind::Ssn))
        .unwrap();
    assert_eq!(&text[ssn.start..ssn.end], "123-45-6789");
}

#[test]
fn redaction_uses_typed_placeholders() {
    let text = "Mrs. Alvarez in room 412, SSN 123-45-6789.";
    let report = scan(text);
    assert_eq!(redact(text, &report), "Mrs. [NAME] in [ROOM], SSN [SSN].");
}

#[test]
fn organisation_lexicons_with_replace_action() {
    let source = format!(
        "{}\n[lexicon.brand]\ncategory = \"lexicon\"\naction = \"replace\"\nreplacement = \"Alderbrook Regional Medical Center\"\nexplanation = \"Use the organisation's full name.\"\nterms = [\"the brook\", \"brookie*\"]\n",
        postguard_policy::DEFAULT_POLICY_TOML
    );
    let policy = Policy::from_toml_str(&source, "test.toml").unwrap();
    let report = Scanner::new(&policy)
        .unwrap()
        .scan(&Post::new("Another great day at The Brook, brookies!"));
    let found: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.category == Category::Lexicon)
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().all(|f| f.severity == Severity::Advise));
    assert!(
        matches!(&found[0].fix, Some(Fix::Replace { replacement }) if replacement.starts_with("Alderbrook"))
    );
}

#[test]
fn a_disabled_rule_reports_nothing() {
    let source = postguard_policy::DEFAULT_POLICY_TOML.replace(
        "[rules.copyright]\nseverity = \"advise\"",
        "[rules.copyright]\nenabled = false\nseverity = \"advise\"",
    );
    let policy = Policy::from_toml_str(&source, "test.toml").unwrap();
    let report = Scanner::new(&policy)
        .unwrap()
        .scan(&Post::new("Not my photo, found this online"));
    assert!(!has(&report, Category::Copyright));
}

#[test]
fn details_right_after_a_name_are_identifiers() {
    let report = scan("Shift report: bed 12 is Michael Brown, 90, DNR, family aware.");
    assert_eq!(phi(&report, IdentifierKind::Age), ["90"]);
    let report = scan("Heads up, Smith in bay 2 is a fall risk");
    assert_eq!(phi(&report, IdentifierKind::Name), ["Smith"]);
    assert_eq!(phi(&report, IdentifierKind::Room), ["bay 2"]);
    let report = scan("so sad about mr. johnson in 412 tonight");
    assert_eq!(phi(&report, IdentifierKind::Room), ["412"]);
    // A small number after a name is not a room, and a time is not an age.
    assert!(phi(
        &scan("Thanks to Dr. Marcus Bell in 2 minutes flat"),
        IdentifierKind::Room
    )
    .is_empty());
    assert!(phi(
        &scan("Mrs. Alvarez, 10:30 appointment"),
        IdentifierKind::Age
    )
    .is_empty());
}

#[test]
fn a_town_with_nobody_in_the_text_is_advice_not_a_block() {
    let report = scan("I grew up in Denver and still miss the mountains.");
    let towns: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.identifier == Some(IdentifierKind::City))
        .collect();
    assert!(
        towns.iter().all(|f| f.severity == Severity::Advise),
        "{towns:#?}"
    );
    assert!(!report.needs_attention());
    let about_patient = scan("My patient grew up in Denver and still misses the mountains.");
    assert!(about_patient
        .findings
        .iter()
        .any(|f| f.identifier == Some(IdentifierKind::City) && f.severity == Severity::Block));
}

#[test]
fn a_reply_that_confirms_someone_was_a_patient_is_reviewed() {
    let text = "So glad to hear you're feeling better after your surgery here! Thanks for the kind words about your stay with us.";
    let reply = Context {
        kind: PostKind::Reply,
        ..official()
    };
    let report = scan_in(text, reply);
    let confirms: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "lexicon.confirms_patient")
        .collect();
    let matched: Vec<&str> = confirms.iter().map(|f| f.matched.as_str()).collect();
    assert!(
        matched.contains(&"after your surgery") && matched.contains(&"about your stay"),
        "{matched:?}"
    );
    assert!(confirms
        .iter()
        .all(|f| f.category == Category::IndirectPhi && f.severity == Severity::Review));
    assert!(confirms[0].explanation.contains("Community guidelines"));
    // The same words in a post are not addressed to anyone: nothing to confirm.
    assert!(!has(&scan_in(text, official()), Category::IndirectPhi));
    // Thanks without mentioning care, and "before your visit" (a future visit), are fine.
    for clean in [
        "Thank you for the kind words! We'll be sure to pass them along to the team.",
        "Before your visit, you can pre-register online and check parking options.",
    ] {
        let report = scan_in(
            clean,
            Context {
                kind: PostKind::Reply,
                ..official()
            },
        );
        assert!(
            report.findings.is_empty(),
            "{clean}: {:#?}",
            report.findings
        );
    }
}
