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

fn official_reply() -> Context {
    Context {
        channel: Channel::Official,
        kind: PostKind::Reply,
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

/// Asserts that the report has no phi finding of `kind`, showing the findings if it has.
fn assert_none(report: &Report, kind: IdentifierKind) {
    assert!(phi(report, kind).is_empty(), "{:#?}", report.findings);
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
    // A birthday over 89: the age, not the word after it.
    assert_eq!(
        phi(
            &scan("She celebrated her 100th birthday on our rehab unit!"),
            IdentifierKind::Age
        ),
        ["100th"]
    );
    assert!(phi(
        &scan("She celebrated her 60th birthday on our rehab unit!"),
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

#[test]
fn a_name_in_a_lower_case_tag_starts_after_whole_words() {
    // After the words "get well soon", a first name and a surname.
    assert_eq!(
        phi(&scan("#getwellsoonmarysmith"), IdentifierKind::Name),
        ["marysmith"]
    );
    // "Eli" and "Life" are in the name lists, but "h" is no word: no name starts there.
    let report = scan("Sunset from the helipad tonight #flightnurse #helilife");
    assert!(all_phi(&report).is_empty(), "{:#?}", report.findings);
}

/// The matched texts of the findings of `category`.
fn matched(report: &Report, category: Category) -> Vec<&str> {
    report
        .findings
        .iter()
        .filter(|f| f.category == category)
        .map(|f| f.matched.as_str())
        .collect()
}

fn all_phi(report: &Report) -> Vec<&str> {
    matched(report, Category::Phi)
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
fn award_titles_prizes_and_weekdays_in_the_plural_are_not_names() {
    for text in [
        "Grace Nakamura, Nurse Manager of our ICU, was named Nurse Leader of the Year.",
        "Marie Curie won two Nobel Prizes in two different sciences.",
        "Evening infusion appointments on Tuesdays and Thursdays so people can keep working.",
    ] {
        let report = scan_in(text, official());
        assert!(
            phi(&report, IdentifierKind::Name).is_empty(),
            "{text:?}: {:#?}",
            report.findings
        );
    }
    // A name is still a name beside such words.
    let report = scan("My patient Linda Leader was admitted on Tuesday.");
    assert_eq!(phi(&report, IdentifierKind::Name), ["Linda Leader"]);
}

#[test]
fn a_chart_header_with_the_surname_first_is_one_name_even_when_the_surname_is_a_word() {
    for (text, name) in [
        (
            "PRICE, WALTER  DOB 02/11/1949  MRN 7720194\nthis is the guy I was telling you about lol",
            "PRICE, WALTER",
        ),
        ("PRICE, WALTER  DOB 02/11/1949  MRN 7720194", "PRICE, WALTER"),
        ("Pt: Okafor, Walter. Seen today for CHF.", "Okafor, Walter"),
        ("walked in at 3am\nYOUNG, MARGARET  RM 4", "YOUNG, MARGARET"),
    ] {
        let report = scan(text);
        assert_eq!(phi(&report, IdentifierKind::Name), [name], "{text:?}");
    }
    // Not a header: a firm's name, a list, a sign-off, the middle of a line.
    for text in [
        "Lopez, Santos and Coleman is a design agency based in Espoo.",
        "LOPEZ, SANTOS AND COLEMAN IS A DESIGN AGENCY.",
        "Love, Linda",
        "We thanked them all: Price, Walter, and the rest.",
    ] {
        let report = scan(text);
        let names = phi(&report, IdentifierKind::Name);
        assert!(
            names.iter().all(|n| !n.contains(',')),
            "{text:?}: {names:?}"
        );
    }
}

#[test]
fn a_room_number_is_an_identifier_beside_a_child_spoken_of_as_a_patient() {
    let report =
        scan("cant stop thinking about the little girl in room 3 on peds. she drew me a rainbow");
    assert_eq!(phi(&report, IdentifierKind::Room), ["room 3"]);
    // A room with no person in the text is a place, not a patient's.
    let report = scan("The vaccine clinic is in room 3 on the second floor.");
    assert!(phi(&report, IdentifierKind::Room).is_empty());
}

#[test]
fn a_list_of_rooms_and_names_gives_the_rooms_too() {
    let report = scan(
        "posting the list for oncoming shift since the printer's broken: 301 Garcia, 302 Patel, 305 Simmons",
    );
    assert_eq!(phi(&report, IdentifierKind::Room), ["301", "302", "305"]);
    // One number before one name, with no patient in the text, or a year: no room.
    for text in [
        "Congrats to our 5 Garcia cousins on the ward!",
        "Back in 2019 Garcia and Patel founded the clinic; in 2021 Simmons joined.",
    ] {
        let report = scan(text);
        assert!(
            phi(&report, IdentifierKind::Room).is_empty(),
            "{text:?}: {:#?}",
            report.findings
        );
    }
    // A year after " in " is no room, and the word before it no patient's name.
    let report = scan("Credit Karma in 1980, later Suddath in 2002.");
    assert!(!has(&report, Category::Phi), "{:#?}", report.findings);
}

#[test]
fn an_ordinary_word_after_a_title_in_capitals_or_lower_case_is_no_name() {
    for (text, names) in [
        (
            "PT SEEN BY DR SMITH 7/22, HUSBAND JOHN AT BEDSIDE. PT REFUSED AM MEDS. lol this is my whole night",
            vec!["SMITH", "JOHN"],
        ),
        (
            "mr. jones in room 8 is the most annoying patient ever, wtf is wrong with him",
            vec!["jones"],
        ),
        ("pt smith refused meds again", vec!["smith"]),
    ] {
        let report = scan(text);
        assert_eq!(phi(&report, IdentifierKind::Name), names, "{text:?}");
    }
}

#[test]
fn a_short_acronym_in_capitals_is_no_town() {
    let report = scan(
        "Who else saw Tyler Brooks walk out AMA at 3am? Lakeport kid, lives with his grandma.",
    );
    assert_eq!(phi(&report, IdentifierKind::Name), ["Tyler Brooks"]);
    assert!(
        !phi(&report, IdentifierKind::City).contains(&"AMA"),
        "{:#?}",
        report.findings
    );
}

#[test]
fn a_first_name_addressed_in_a_reply_is_a_name_even_when_it_is_a_word_or_a_town() {
    // "Linda" is a town and "Mark" a word: alone, neither is taken for a name.
    let reply = scan_in(
        "Thank you, Linda! We're so glad you enjoyed your stay with us.",
        official(),
    );
    assert_eq!(phi(&reply, IdentifierKind::Name), ["Linda"]);
    // The name ends at its full stop: "Your" after it is no part of it.
    let reply = scan_in(
        "We're so sorry for your loss, Mark. Your father was a joy to care for.",
        official(),
    );
    assert_eq!(phi(&reply, IdentifierKind::Name), ["Mark"]);
    // Not addressed, a state, or a word in capitals after the comma: no name.
    for text in [
        "Linda is a lovely town for a walk.",
        "Leave a mark on the chart, please.",
        "Stay safe, Georgia! The storm is coming.",
        "Great work today, team!",
    ] {
        let report = scan_in(text, official());
        assert!(
            phi(&report, IdentifierKind::Name).is_empty(),
            "{text:?}: {:#?}",
            report.findings
        );
    }
}

#[test]
fn an_id_band_number_and_a_portal_username_are_identifiers() {
    let report = scan("Pt ID band says WB-7781236, chart says something else.");
    assert_eq!(phi(&report, IdentifierKind::Id), ["WB-7781236"]);
    // "ID" after "Pt" is an acronym, not a patient's name.
    assert_none(&report, IdentifierKind::Name);
    let report = scan("Portal username jthompson58 keeps getting locked out.");
    assert_eq!(phi(&report, IdentifierKind::Id), ["jthompson58"]);
    // No digit, no login: "username is required" names no one.
    let report = scan("A username is required to sign in; your user id goes on the form.");
    assert_none(&report, IdentifierKind::Id);
}

#[test]
fn a_drivers_licence_number_in_a_states_shape_is_found_far_from_its_keyword() {
    let report = scan(
        "Driver's license left at triage: D123-4567-8901, Angela Ruiz. It's in the security office.",
    );
    assert_eq!(phi(&report, IdentifierKind::License), ["D123-4567-8901"]);
    let report = scan("found a dl at triage, a123-456-78-901-0, for the patient in bed 4");
    assert_eq!(phi(&report, IdentifierKind::License), ["a123-456-78-901-0"]);
    // The same shape in a text about no person is a part number.
    let report = scan("Ordered the replacement filter, part A123-4567-8901, for the ice machine.");
    assert_none(&report, IdentifierKind::License);
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
fn a_long_text_of_cues_and_details_with_no_sentence_end_is_scanned_whole() {
    // Every cue's sentence is the whole text: each must still be read once, not once a cue.
    for unit in [
        "the guy came in and we triaged a lady at the Copper Kettle by bay 4 and ",
        "The Guy Came In After The Silo Explosion At The Grain Depot With Bed 4 ",
    ] {
        let times = 1_000_000 / unit.len() + 1;
        let report = scan(&unit.repeat(times));
        assert_eq!(phi(&report, IdentifierKind::Room).len(), times, "{unit}");
        assert_eq!(indirect(&report).len(), times, "{unit}");
    }
}

#[test]
fn a_long_text_of_care_events_with_no_sentence_end_reads_each_with_its_person() {
    // The sentence of every care event is the whole text: its person word is still found
    // among the words near it, not among all the text's.
    let unit = "we had a bride come in from the Copper Kettle and ";
    let times = 1_000_000 / unit.len() + 1;
    let report = scan(&unit.repeat(times));
    let found = indirect(&report);
    assert_eq!(found.len(), times);
    assert!(found
        .iter()
        .all(|f| f.contains("bride come in from the Copper Kettle")));
}

#[test]
fn a_long_text_of_clinicians_handles_and_names_keeps_each_name_once() {
    // Each name is looked up in the handle around it, not in every handle of the text from its
    // start (which made a 1 MB post of names and handles quadratic).
    let unit = "Thanks @nurse.jules.rn and Maria Lopez for the cake! ";
    let times = 1_000_000 / unit.len() + 1;
    let text = unit.repeat(times);
    let report = scan(&text);
    let names = phi(&report, IdentifierKind::Name);
    assert_eq!(names.len(), times);
    assert!(
        names.iter().all(|&n| n == "Maria Lopez"),
        "{:?}",
        names.first()
    );
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

#[test]
fn replies_that_confirm_care_in_other_words_are_reviewed_too() {
    let reply = || Context {
        kind: PostKind::Reply,
        ..official()
    };
    for (text, phrase) in [
        (
            "It was our pleasure to care for you!",
            "pleasure to care for you",
        ),
        (
            "Our ortho team loved having you.",
            "Our ortho team loved having you",
        ),
        ("We hope your recovery keeps going well.", "your recovery"),
        (
            "Thanks for sharing your experience with us.",
            "experience with us",
        ),
        (
            "We're glad the care you received was great.",
            "care you received",
        ),
        (
            "He was a joy to care for while he was in our ICU.",
            "was in our ICU",
        ),
        (
            "See you at your follow-up next week!",
            "See you at your follow-up",
        ),
        (
            "Since your knee surgery you look great!",
            "Since your knee surgery",
        ),
    ] {
        let report = scan_in(text, reply());
        let matched: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.rule == "lexicon.confirms_patient")
            .map(|f| f.matched.as_str())
            .collect();
        assert_eq!(matched, [phrase], "{text:?}");
    }
    // General answers in a reply, and the same words in a post, are fine.
    for text in [
        "Recovery times vary; your surgeon will talk you through them.",
        "Thanks for visiting our booth at the health fair!",
    ] {
        assert!(
            !has(&scan_in(text, reply()), Category::IndirectPhi),
            "{text:?}"
        );
    }
    assert!(!has(
        &scan_in("Our ortho team loved having you.", official()),
        Category::IndirectPhi
    ));
}

// Names, places and addresses that the scanner once missed.

#[test]
fn a_lower_case_full_name_with_a_bare_middle_initial_is_a_name() {
    let report = scan("follow up with benjamin a seiler in a couple of months.");
    assert_eq!(phi(&report, IdentifierKind::Name), ["benjamin a seiler"]);
    let report = scan("verses from eric g. samoylova's cautionary tales");
    assert_eq!(phi(&report, IdentifierKind::Name), ["eric g. samoylova"]);
}

#[test]
fn a_middle_initial_that_is_also_a_word_stays_inside_the_name() {
    let report = scan("It's under my partner's name John A. Leiva");
    assert_eq!(phi(&report, IdentifierKind::Name), ["John A. Leiva"]);
}

#[test]
fn a_staff_first_name_before_another_surname_is_someone_else() {
    // Jonas Salk is an allowed public figure; Jonas Nielsen is not.
    let report = scan("A great song (not by Jonas Nielsen).");
    assert_eq!(phi(&report, IdentifierKind::Name), ["Jonas Nielsen"]);
    let report = scan("Jonas Salk gave us the polio vaccine.");
    assert!(phi(&report, IdentifierKind::Name).is_empty());
}

#[test]
fn a_name_ends_at_a_possessive_and_at_a_line_break() {
    let report = scan("the verses from Faina D. Yefremova's Cautionary Tales");
    assert_eq!(phi(&report, IdentifierKind::Name), ["Faina D. Yefremova"]);
    let report = scan("Megan Carey\nWeber-Santana\n");
    assert!(phi(&report, IdentifierKind::Name)
        .iter()
        .all(|n| !n.contains('\n')));
}

#[test]
fn a_surname_found_once_is_a_name_everywhere_in_the_text() {
    let report = scan("A film directed by Joakim Westgård and starring Westgård.");
    assert_eq!(
        phi(&report, IdentifierKind::Name),
        ["Joakim Westgård", "Westgård"]
    );
}

#[test]
fn names_alone_at_a_sentence_start_with_a_person_cue() {
    // A speaker's label, a verb said of people, a name addressed, a greeting, a relation.
    for (text, name) in [
        ("Ubul: What a wife.\nNicole: Remember me?", "Ubul"),
        ("Alvir spent a year at the clinic as an aide.", "Alvir"),
        ("Kuba, can I please speak to your boss?", "Kuba"),
        ("Hi Manlio, I'm contacting you about a problem.", "Manlio"),
        (
            "I would like to remove my kid Tadzio from the will.",
            "Tadzio",
        ),
        ("Sunniva is very reliable.", "Sunniva"),
    ] {
        let report = scan(text);
        assert!(
            phi(&report, IdentifierKind::Name).contains(&name),
            "{text}: {:?}",
            report.findings
        );
    }
}

#[test]
fn ordinary_words_at_a_sentence_start_are_not_names() {
    for text in [
        "Lisboa was everything. Obrigada, Portugal!",
        "E-mail: see the intranet page.",
        "Update: the ICU is fully staffed tonight.",
        "However, can we talk about parking?",
    ] {
        let report = scan(text);
        assert!(
            phi(&report, IdentifierKind::Name).is_empty(),
            "{text}: {:?}",
            report.findings
        );
    }
}

#[test]
fn name_particles_join_a_name_to_its_surname() {
    let report = scan("Dyan van Gijn\n\n864 Piazzetta Scalette Rubiani 104");
    assert_eq!(phi(&report, IdentifierKind::Name), ["Dyan van Gijn"]);
}

#[test]
fn licence_and_card_numbers_after_is() {
    let report = scan("My driver's license number is 6940579");
    assert_eq!(phi(&report, IdentifierKind::License), ["6940579"]);
    let report = scan("my credit card number is 675984103431?");
    assert_eq!(phi(&report, IdentifierKind::Account), ["675984103431"]);
    let report = scan("my iban is gb42nawi04454264788619");
    assert_eq!(
        phi(&report, IdentifierKind::Account),
        ["gb42nawi04454264788619"]
    );
}

#[test]
fn street_addresses_with_more_street_words_and_their_blocks() {
    for (text, address) in [
        (
            "Jacob lives on 90 Whitchurch Road street!",
            "90 Whitchurch Road street",
        ),
        (
            "Please use 420 Gairbekov Rapids\n Apt. 576\n Voormezele\n Belgium 92060 for this card",
            "420 Gairbekov Rapids\n Apt. 576\n Voormezele\n Belgium 92060",
        ),
        (
            "Please return to 2505 Heatherleigh Suite 620 Apt. 581, Paphos, Cyprus 13475 soon.",
            "2505 Heatherleigh Suite 620 Apt. 581, Paphos, Cyprus 13475",
        ),
        (
            "The bus drops you off at 518 Árpád fejedelem útja 62. Thanks!",
            "518 Árpád fejedelem útja 62.",
        ),
        (
            "I once lived in 416 Kiannonkatu 98 Apt. 934 OULU NO. I now live elsewhere.",
            "416 Kiannonkatu 98 Apt. 934 OULU NO",
        ),
        (
            "It is 9554 62 Rue Gafsa Apt. 981\nToronto\n, ON\n 82269",
            "9554 62 Rue Gafsa Apt. 981\nToronto\n, ON\n 82269",
        ),
        (
            "The Mint office is at 9243 Avenue d'Ouchy 109 Apt. 758",
            "9243 Avenue d'Ouchy 109 Apt. 758",
        ),
    ] {
        let report = scan(text);
        assert_eq!(
            phi(&report, IdentifierKind::Address),
            [address],
            "{text}: {:?}",
            report.findings
        );
    }
    // A number before ordinary capitalised words is no address.
    let report = scan("Top 4 West. Views from the roof deck are amazing.");
    assert!(phi(&report, IdentifierKind::Address).is_empty());
}

#[test]
fn a_town_with_its_postcode_in_running_text() {
    let report = scan("Looking to support Factset in Bjert 6091 in its mission.");
    assert_eq!(phi(&report, IdentifierKind::City), ["Bjert"]);
    assert_eq!(phi(&report, IdentifierKind::Zip), ["6091"]);
    // A year after a town is not a postcode.
    let report = scan("We met Maria in Lisbon 2024 and again in Porto 2025.");
    assert!(phi(&report, IdentifierKind::Zip).is_empty());
}

#[test]
fn staff_are_allowed_by_full_name_or_title_not_by_one_word_alone() {
    // Full names and a title before the surname are the staff member.
    let report = scan("Huge thanks to Dr. Raman and Jenna Ortiz, RN for a great shift!");
    assert!(!has(&report, Category::Phi), "{:#?}", report.findings);
    // The same first name as a patient's mother is a patient identifier, whatever the roster says.
    let report =
        scan("The little guy in bed 4 got his cast, and his mom Jenna hugged every nurse.");
    assert_eq!(phi(&report, IdentifierKind::Name), ["Jenna"]);
    assert!(report
        .findings
        .iter()
        .any(|f| f.matched == "Jenna" && f.severity == Severity::Block));
    // A department after a word that is also a title ("patient", "nurse") is not a name.
    let report = scan("Please message us so Patient Relations can follow up today.");
    assert!(!has(&report, Category::Phi), "{:#?}", report.findings);
    // A colleague's first name alone is advice: it may be a patient of the same name.
    let report = scan("Proud to work alongside you, Carlos!");
    let carlos: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.matched == "Carlos")
        .collect();
    assert_eq!(carlos.len(), 1, "{:#?}", report.findings);
    assert_eq!(carlos[0].severity, Severity::Advise);
    assert_eq!(carlos[0].rule, "phi.name_staff");
}

#[test]
fn the_authors_own_family_is_advice_unless_the_text_speaks_of_a_patient() {
    let report = scan("Happy birthday to my little sister Chloé! 🎂");
    let chloe: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.matched == "Chloé")
        .collect();
    assert_eq!(chloe.len(), 1, "{:#?}", report.findings);
    assert_eq!(
        (chloe[0].severity, chloe[0].rule.as_str()),
        (Severity::Advise, "phi.name_family")
    );
    // A patient's relative, or anyone's relative in patient context, is still blocked.
    for text in [
        "My patient in bed 4 was so brave, and her sister Chloé never left her side.",
        "Admitted my patient tonight; my sister Chloé says hi to the night shift.",
    ] {
        let report = scan(text);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.matched == "Chloé" && f.severity == Severity::Block),
            "{text}: {:#?}",
            report.findings
        );
    }
}

#[test]
fn a_name_ends_at_a_full_stop_after_it() {
    for (text, want) in [
        (
            "Visited my patient Maria Lopez. Later she walked the hall.",
            "Maria Lopez",
        ),
        (
            "Our patient Janet Kowalski. Today was hard.",
            "Janet Kowalski",
        ),
    ] {
        assert_eq!(phi(&scan(text), IdentifierKind::Name), [want], "{text}");
    }
    // A title's dot and an initial's dot still join a name.
    assert_eq!(
        phi(&scan("Seen by Dr. Lopez today"), IdentifierKind::Name),
        ["Lopez"]
    );
    assert_eq!(
        phi(
            &scan("my patient Hanne I. Kreutzmann"),
            IdentifierKind::Name
        ),
        ["Hanne I. Kreutzmann"]
    );
}

/// A street written before its house number is still found: the scanner searches most texts
/// with a smaller regex that lacks this pattern, and must take the full one for these.
#[test]
fn streets_written_name_first_are_found() {
    for (text, address) in [
        ("She lives at Elm Street 42 with her son.", "Elm Street 42"),
        ("Meet her at Calle Mayor 5, tomorrow.", "Calle Mayor 5"),
    ] {
        let report = scan(text);
        assert_eq!(
            phi(&report, IdentifierKind::Address),
            [address],
            "{text:?}: {report:?}"
        );
    }
}

/// The severity of the phi finding whose text is `matched`, if there is one.
fn phi_severity(report: &Report, matched: &str) -> Option<Severity> {
    report
        .findings
        .iter()
        .find(|f| f.category == Category::Phi && f.matched == matched)
        .map(|f| f.severity)
}

#[test]
fn names_given_to_places_are_no_people_and_the_place_is_a_quasi_identifier() {
    for (text, word) in [
        (
            "The man in bed 9 crashed his snowmobile on Pruett Road last night.",
            "Pruett",
        ),
        (
            "my patient manages the Dalton Inn and everyone in town knows her",
            "Dalton",
        ),
        (
            "we admitted the owner of Harlan Drug after the fire at his store",
            "Harlan",
        ),
        (
            "Blood drive at St. Gregory's hall this Saturday, bring ID!",
            "Gregory",
        ),
        (
            "Team dinner at Marisol's on Front St. tonight, 7pm!",
            "Marisol",
        ),
    ] {
        let report = scan(text);
        assert!(
            !report
                .findings
                .iter()
                .any(|f| f.category == Category::Phi && f.matched.contains(word)),
            "{text}: {:#?}",
            report.findings
        );
    }
    // The place beside patient context singles the patient out.
    let report = scan("Our patient tonight pulled his kid out of Merrow Pond, then collapsed.");
    assert!(
        has(&report, Category::IndirectPhi),
        "{:#?}",
        report.findings
    );
}

#[test]
fn patients_described_in_new_ways_are_indirect_identification() {
    for text in [
        "we had a lady come in after her car slid into the ditch on Corder Road",
        "PT IS THE DEPUTY SHERIFF FROM THE TOWN NEXT DOOR, SO BE DISCREET",
        "the roofer who fell off the church steeple is awake and asking for his phone",
        "Honored to have cared for the goalie who took a puck to the face on Friday",
        "one of my dialysis patients is the crossing guard outside the middle school",
    ] {
        let report = scan(text);
        assert!(
            has(&report, Category::IndirectPhi),
            "{text}: {:#?}",
            report.findings
        );
    }
    // A patient mentioned with nothing that singles them out is not.
    let report = scan("A patient told me today that I have calm hands. Made my week.");
    assert!(
        !has(&report, Category::IndirectPhi),
        "{:#?}",
        report.findings
    );
}

#[test]
fn names_in_texts_about_colleagues_friends_and_family_are_advice() {
    for (text, name) in [
        (
            "Happy retirement, Gwen! 28 years on nights and never a bad word.",
            "Gwen",
        ),
        (
            "shoutout to Radek for covering my shift so I could see my kid's play",
            "Radek",
        ),
        (
            "Welcome to the team, Imani! You are going to love it here.",
            "Imani",
        ),
    ] {
        let report = scan(text);
        assert_eq!(
            phi_severity(&report, name),
            Some(Severity::Advise),
            "{text}: {:#?}",
            report.findings
        );
    }
    // Patient context, a courtesy title, or a reply confirming care: still a block.
    for (text, name, context) in [
        (
            "Happy retirement to my patient Gwen, who taught 40 years at the high school!",
            "Gwen",
            Context::default(),
        ),
        (
            "shoutout to Mr. Radek for covering his own IV pole with stickers 😂",
            "Radek",
            Context::default(),
        ),
        (
            "Welcome back, Imani! It was our pleasure to care for you after your surgery.",
            "Imani",
            Context {
                kind: PostKind::Reply,
                ..official()
            },
        ),
    ] {
        let report = scan_in(text, context);
        assert_eq!(
            phi_severity(&report, name),
            Some(Severity::Block),
            "{text}: {:#?}",
            report.findings
        );
    }
    // The author's own grandparent by title, and the age that goes with it.
    let report = scan("Grandpa Tobias turned 95 today and still beat us all at cards.");
    assert_eq!(phi_severity(&report, "Tobias"), Some(Severity::Advise));
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.severity == Severity::Block),
        "{:#?}",
        report.findings
    );
}

#[test]
fn contact_details_in_a_text_about_no_one_are_advice() {
    let report = scan("The Westfield food bank needs volunteers; call them at (555) 310-8842.");
    assert_eq!(
        phi_severity(&report, "(555) 310-8842"),
        Some(Severity::Advise),
        "{:#?}",
        report.findings
    );
    let report = scan_in(
        "Our new Brookside clinic opens Monday at 12 Alder Way. Call (555) 201-4700 to book a visit.",
        official(),
    );
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.severity == Severity::Block),
        "{:#?}",
        report.findings
    );
    // About a patient or a person: a block.
    for text in [
        "My patient's husband keeps calling the unit from (555) 310-8842.",
        "Ms. Ferreira asked us to call her son at (555) 310-8842.",
        "Her husband lives at 48 Kettle Lane and wants the records mailed there.",
    ] {
        let report = scan(text);
        assert!(
            report.findings.iter().any(|f| f.category == Category::Phi
                && f.severity == Severity::Block
                && matches!(
                    f.identifier,
                    Some(IdentifierKind::Phone | IdentifierKind::Address)
                )),
            "{text}: {:#?}",
            report.findings
        );
    }
}

#[test]
fn a_word_in_no_list_before_in_bed_is_a_patients_name() {
    let report = scan("Ysolde in bed 12 asked for a second pudding again 😂");
    assert_eq!(phi(&report, IdentifierKind::Name), ["Ysolde"]);
    assert_eq!(phi(&report, IdentifierKind::Room), ["bed 12"]);
    // An ordinary word is not.
    let report = scan("Everyone in bed 12 by nine, said no nurse ever.");
    assert_none(&report, IdentifierKind::Name);
}

#[test]
fn an_age_given_after_a_name_and_a_name_after_a_room() {
    let report = scan("Mrs. Okonkwo is 97 and still does the crossword in pen.");
    assert_eq!(phi(&report, IdentifierKind::Age), ["97"]);
    // Under 90 is no identifier.
    let report = scan("Mrs. Okonkwo is 87 and still does the crossword in pen.");
    assert_none(&report, IdentifierKind::Age);
    let report = scan("report for nights: bed 3 Quessada NPO after midnight, bed 4 Lim for a CT");
    assert_eq!(phi(&report, IdentifierKind::Name), ["Quessada", "Lim"]);
    assert_eq!(phi(&report, IdentifierKind::Room), ["bed 3", "bed 4"]);
    // An ordinary word after a room is not a name.
    let report = scan("my patient in bed 3 Tuesday night was so sweet");
    assert_none(&report, IdentifierKind::Name);
}

#[test]
fn a_patients_home_town_after_from_even_one_the_lists_lack() {
    let report =
        scan("our patient Ingeborg from Vellmar Ridge drove herself to dialysis in the snow");
    assert_eq!(phi(&report, IdentifierKind::City), ["Vellmar"]);
    // An ordinary word, or no patient context: no town.
    let report = scan("our patient Ingeborg from Accounting brought us cookies");
    assert_none(&report, IdentifierKind::City);
    let report = scan("Lunch with Ingeborg from Vellmar today!");
    assert_none(&report, IdentifierKind::City);
}

/// The indirect findings' matched texts.
fn indirect(report: &Report) -> Vec<&str> {
    matched(report, Category::IndirectPhi)
}

#[test]
fn a_care_event_beside_a_person_in_its_sentence_is_patient_context() {
    // No phrase of a patient-context list: "a farmer" and "wheeled in", in one sentence.
    let report = scan("They wheeled in a farmer after the silo explosion near the co-op.");
    assert!(!indirect(&report).is_empty(), "{:#?}", report.findings);
    // The explanation quotes the event with the person.
    assert!(
        report.findings.iter().any(|f| f
            .explanation
            .contains("\"wheeled in a farmer\" speaks of a patient")),
        "{:#?}",
        report.findings
    );
    // The care event without a person, or the person in another sentence: not.
    let report = scan("Rolled in at 7 after the silo explosion closed the highway.");
    assert!(indirect(&report).is_empty(), "{:#?}", report.findings);
    let report = scan("A farmer told me about the silo explosion. We wheeled in the new beds.");
    assert!(indirect(&report).is_empty(), "{:#?}", report.findings);
}

#[test]
fn the_name_of_a_place_or_thing_in_a_cues_sentence_is_a_detail() {
    let report =
        scan("We treated a woman tonight who slipped on the ice outside the Bluebird Diner.");
    let found = indirect(&report);
    assert!(
        found.iter().any(|m| m.contains("Bluebird Diner")),
        "{:#?}",
        report.findings
    );
    // Not a place: an organisation's department, a greeting, a brand beside patients in the
    // plural (no one patient).
    for text in [
        "Our Patient Experience team treated a man to lunch today.",
        "Happy Nurses Week to everyone who cared for a patient today!",
        "I tell all my patients to drink more water, and I love the Hydra Flask for that.",
    ] {
        let report = scan(text);
        assert!(
            indirect(&report).is_empty(),
            "{text}: {:#?}",
            report.findings
        );
    }
}

#[test]
fn the_words_before_a_place_noun_name_a_place_not_a_person() {
    for text in [
        "A forklift pinned him at the Gallagher Cold Storage warehouse, and we treated him all night.",
        "We brought in a hiker who slipped at Whitman Falls this morning.",
        "My patient has Gaucher disease and knows more about it than I do.",
    ] {
        let report = scan(text);
        assert_none(&report, IdentifierKind::Name);
    }
}

#[test]
fn a_room_is_a_patients_beside_someone_or_with_a_verb_after_a_bed() {
    // A person word or a pronoun in the room's sentence, no patient-context phrase.
    let report = scan("The mail carrier in bed 9 wants his route covered before he sleeps.");
    assert_eq!(phi(&report, IdentifierKind::Room), ["bed 9"]);
    let report = scan("Bed 14 keeps asking for orange sherbet at 3am.");
    assert_eq!(phi(&report, IdentifierKind::Room), ["Bed 14"]);
    // A room beside no one: not an identifier.
    let report = scan("Conference room 210 is booked for the budget meeting.");
    assert_none(&report, IdentifierKind::Room);
    // A room found makes details beside it indirect identification.
    let report = scan("The woman in bed 9 slipped on the ice outside Pruitt Hardware.");
    assert!(!indirect(&report).is_empty(), "{:#?}", report.findings);
}

#[test]
fn an_age_or_a_room_right_after_a_patient_cue() {
    let report = scan("my patient is 96 and taught me three card games tonight");
    assert_eq!(phi(&report, IdentifierKind::Age), ["96"]);
    let report = scan("my patient is 46 and taught me three card games tonight");
    assert_none(&report, IdentifierKind::Age);
}

#[test]
fn a_comment_confirming_care_names_the_handle_it_answers() {
    let comment = Context {
        kind: PostKind::Comment,
        ..Context::default()
    };
    let report = scan_in(
        "@big_earl_hauls told you to stop lifting with your back 😤 see you at PT on thursday",
        comment.clone(),
    );
    assert!(
        has(&report, Category::IndirectPhi),
        "{:#?}",
        report.findings
    );
    assert_eq!(phi(&report, IdentifierKind::Name), ["big_earl_hauls"]);
    // Staff remembering the person addressed, and their care named.
    for text in [
        "Our burn unit team still talks about how you sang to them during every dressing change!",
        "that was me drawing your blood at 5am every day for a week lol",
        "you were hands down the toughest lil patient on our floor this year",
    ] {
        let report = scan_in(text, comment.clone());
        assert!(has(&report, Category::IndirectPhi), "{text}");
    }
    // A comment that confirms nothing leaves the handle alone; so does a post.
    let report = scan_in("@big_earl_hauls nice truck! see you at the fair", comment);
    assert!(all_phi(&report).is_empty(), "{:#?}", report.findings);
    assert!(all_phi(&scan("@big_earl_hauls see you at PT on thursday")).is_empty());
}

#[test]
fn a_listed_name_after_lil_or_pt_is_a_name_in_lower_case() {
    assert_eq!(
        phi(
            &scan("lil sofia on peds asked me to paint her nails to match her IV tape"),
            IdentifierKind::Name
        ),
        ["sofia"]
    );
    assert_eq!(
        phi(
            &scan("pt jameson keeps unplugging his bed alarm to charge his phone. Sir."),
            IdentifierKind::Name
        ),
        ["jameson"]
    );
    // An ordinary word after them is none.
    assert!(all_phi(&scan("Just a little bit tired after a long Shift")).is_empty());
}

#[test]
fn a_person_named_by_their_role_with_no_patient_in_the_text_is_advice() {
    let report = scan(
        "drove past my old elementary school and the crossing guard, Mr. Haverford, is STILL out there.",
    );
    let names: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.identifier == Some(IdentifierKind::Name))
        .map(|f| (f.matched.as_str(), f.severity))
        .collect();
    assert_eq!(names, [("Haverford", Severity::Advise)]);
    // Beside patient context the same name is a patient's.
    let report = scan("The crossing guard, Mr. Haverford, was admitted to our ICU tonight.");
    assert!(report
        .findings
        .iter()
        .any(|f| f.matched == "Haverford" && f.severity == Severity::Block));
}

#[test]
fn places_named_like_people_are_details_not_names() {
    for (text, place) in [
        (
            "the kid in the neon green cast from the trampoline park on Dorsey Pike came back today",
            "Dorsey Pike",
        ),
        (
            "My patient is a ranger out at Thornbury State Forest. Tick checks after every hike!",
            "Thornbury State Forest",
        ),
    ] {
        let report = scan(text);
        assert!(!all_phi(&report).contains(&place), "{:#?}", report.findings);
        assert!(has(&report, Category::IndirectPhi), "{:#?}", report.findings);
    }
    // A name that ends like a place but is no place phrase's stays a name.
    assert_eq!(
        phi(
            &scan("MRN 55201847 is Lorraine Pike, not the lady in room 12"),
            IdentifierKind::Name
        ),
        ["Lorraine Pike"]
    );
}

/// The names and severities of a report's name findings.
fn names_with_severity(report: &Report) -> Vec<(&str, Severity)> {
    report
        .findings
        .iter()
        .filter(|f| f.identifier == Some(IdentifierKind::Name))
        .map(|f| (f.matched.as_str(), f.severity))
        .collect()
}

#[test]
fn a_first_name_alone_in_a_tag_for_someone_is_a_name() {
    for (text, name) in [
        (
            "#prayersforbenji 💙 our tough little guy goes to surgery in the morning",
            "benji",
        ),
        (
            "#benjistrong our patient took his first steps today",
            "benji",
        ),
        ("so proud of this one #teamsofia", "sofia"),
    ] {
        assert_eq!(phi(&scan(text), IdentifierKind::Name), [name], "{text}");
    }
    // A first name and a surname run together are read to the longest surname: "jules martin",
    // not "jule smart".
    assert_eq!(
        phi(
            &scan("my patient @julesmartin keeps posting"),
            IdentifierKind::Name
        ),
        ["julesmartin"]
    );
    // An ordinary word after the cue is none; nor is a tag with no cue.
    for text in [
        "#prayersforhope",
        "#teamwork makes it happen",
        "#forever grateful",
    ] {
        assert!(all_phi(&scan(text)).is_empty(), "{text}");
    }
}

#[test]
fn a_name_inside_a_clinicians_handle_is_a_colleagues() {
    for text in [
        "new scrub caps came in!! @nurse.jules.rn did you see the taco print ones",
        "@dr_amy_k thanks for covering, owe you coffee",
    ] {
        assert!(all_phi(&scan(text)).is_empty(), "{text}");
    }
    assert_eq!(
        phi(
            &scan("my patient @jules.martin keeps posting about us"),
            IdentifierKind::Name
        ),
        ["jules", "martin"]
    );
}

#[test]
fn names_the_lists_lack_are_told_by_their_place() {
    let report =
        scan("Chukwuemeka's mum wants a call before 9 tonight, her number is 555-774-2093.");
    assert_eq!(phi(&report, IdentifierKind::Name), ["Chukwuemeka"]);
    assert_eq!(phi(&report, IdentifierKind::Phone), ["555-774-2093"]);
    // The person a reply addresses.
    let reply = Context {
        kind: PostKind::Reply,
        ..Context::default()
    };
    let report = scan_in(
        "Thank you for the kind words, Oluwaseun! Our team loved having you.",
        reply,
    );
    assert_eq!(phi(&report, IdentifierKind::Name), ["Oluwaseun"]);
    // "Mother's Day" names no one.
    assert!(all_phi(&scan("Mother's day brunch with my mom")).is_empty());
}

#[test]
fn a_commenters_name_on_an_official_answer_about_no_patient_is_advice() {
    let answer = Context {
        channel: Channel::Official,
        kind: PostKind::Reply,
        ..Context::default()
    };
    let report = scan_in(
        "Hi Marta, great question! Visiting hours are 8am-8pm daily.",
        answer.clone(),
    );
    assert_eq!(names_with_severity(&report), [("Marta", Severity::Advise)]);
    // An answer that confirms care keeps the name at the policy's severity.
    let report = scan_in(
        "What a milestone, Cornelius! Our cardiac rehab team says you were their hardest worker.",
        answer,
    );
    assert_eq!(
        names_with_severity(&report),
        [("Cornelius", Severity::Block)]
    );
    assert!(
        has(&report, Category::IndirectPhi),
        "{:#?}",
        report.findings
    );
}

#[test]
fn a_bare_room_number_after_a_name_needs_a_verb_after_it() {
    let report = scan("O'Sullivan in 14 is singing old irish ballads at 3am");
    assert_eq!(phi(&report, IdentifierKind::Room), ["14"]);
    assert_eq!(phi(&report, IdentifierKind::Name), ["O'Sullivan"]);
    assert_none(&scan("Jones in 10 minutes, promise"), IdentifierKind::Room);
}

#[test]
fn a_care_event_beside_a_public_role_said_of_someone_is_patient_context() {
    let report = scan(
        "the local weatherman came in with a kidney stone and still did his little forecast voice 😂",
    );
    assert!(
        has(&report, Category::IndirectPhi),
        "{:#?}",
        report.findings
    );
    // An event beside a care word, said of no one, is not.
    let report = scan("Storm's coming in tonight. If you're on days tomorrow, pack a bag.");
    assert!(
        !has(&report, Category::IndirectPhi),
        "{:#?}",
        report.findings
    );
}

#[test]
fn a_wristband_number_and_a_number_to_call() {
    let report = scan("scanner keeps rejecting band WB-3308142 on the peds side");
    assert_eq!(phi(&report, IdentifierKind::Id), ["WB-3308142"]);
    // A line the reader is asked to call is a service's, even beside "home delivery".
    let report = scan(
        "the food pantry is open Thursdays 3-6, call 555-338-7120 to sign up for home delivery",
    );
    assert!(
        report
            .findings
            .iter()
            .filter(|f| f.identifier == Some(IdentifierKind::Phone))
            .all(|f| f.severity == Severity::Advise),
        "{:#?}",
        report.findings
    );
}

/// The texts of the findings of `report` at `severity`.
fn at(report: &Report, severity: Severity) -> Vec<&str> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == severity)
        .map(|f| f.matched.as_str())
        .collect()
}

#[test]
fn an_initial_and_its_dot_start_a_name_in_text_of_one_case() {
    let report =
        scan("sticky note from my scrub pocket: r. gutierrez cabg 10/14, wife luz wants a call");
    assert!(
        phi(&report, IdentifierKind::Name).contains(&"r. gutierrez"),
        "{:#?}",
        report.findings
    );
    let report = scan("D/C PLAN: D. OYELARAN HOME 3/22, MOM FUNMI STILL NEEDS CAR SEAT TEACHING");
    let names = phi(&report, IdentifierKind::Name);
    assert!(
        names.contains(&"D. OYELARAN") && names.contains(&"FUNMI"),
        "{names:?}"
    );
    // A genus's initial before its species, a compass point before a town, an acronym after a
    // relation: no names.
    for text in [
        "pt grew e. coli and c. diff on the last culture",
        "PT GREW E. COLI, C. DIFF AND S. AUREUS",
        "moving to n. charleston next month",
        "WIFE AT BEDSIDE, SON NPO",
    ] {
        let report = scan(text);
        let names = phi(&report, IdentifierKind::Name);
        assert!(
            names.iter().all(|n| !n.to_lowercase().contains("coli")
                && !n.to_lowercase().contains("charleston")
                && *n != "NPO"),
            "{text}: {names:?}"
        );
    }
}

#[test]
fn a_patient_portals_login_is_an_identifier() {
    for (text, login) in [
        ("portal login for the patient's wife is mfarouk_1958 in case anyone needs to reset it", "mfarouk_1958"),
        ("the lady in bed 11 gave me her portal login (jdelacruz_1946) so i could fix her messages", "jdelacruz_1946"),
    ] {
        assert_eq!(phi(&scan(text), IdentifierKind::Id), vec![login], "{text}");
    }
    assert!(phi(
        &scan("the portal login page is down since 3pm"),
        IdentifierKind::Id
    )
    .is_empty());
}

#[test]
fn a_word_in_no_list_is_a_name_after_a_tags_cue_or_a_short_title() {
    let report = scan("#prayersforifeoluwa our tiny fighter goes back to the OR at 7am");
    assert_eq!(phi(&report, IdentifierKind::Name), vec!["ifeoluwa"]);
    let report = scan("ok who told mr tuilagi in bed 22 the vending machine takes IOUs??");
    assert_eq!(phi(&report, IdentifierKind::Name), vec!["tuilagi"]);
    assert_eq!(phi(&report, IdentifierKind::Room), vec!["bed 22"]);
    // Ordinary words run together, clinical shorthand and a city's tag are no names.
    for text in [
        "#prayersforourheroes",
        "#teamnightshift rocks",
        "#teamphysio",
        "#bostonstrong",
    ] {
        assert!(phi(&scan(text), IdentifierKind::Name).is_empty(), "{text}");
    }
}

#[test]
fn a_rating_out_of_ten_is_no_date() {
    let report = scan("my patient Mr. Diaz has surgery 10/10 at 7am");
    assert_eq!(phi(&report, IdentifierKind::Date), vec!["10/10"]);
    let report = scan("my patient Mr. Diaz told the best jokes, 10/10 would nurse again");
    assert!(
        phi(&report, IdentifierKind::Date).is_empty(),
        "{:#?}",
        report.findings
    );
}

#[test]
fn colleagues_the_authors_own_surgery_and_a_hotel_room_are_advice() {
    for text in [
        "my preceptee Kwabena passed his NCLEX in 75 questions!!!",
        "happy 40th to the best charge nurse on nights, Radhika!!!",
        "my own ACL surgery is on March 12 and i'm already dreading it",
        "at the nursing conference in Baltimore and room 1214 at the conference hotel has a view of a brick wall. 10/10 would stay again",
        "huge thank you to @pharm.dee for covering my saturday",
    ] {
        let report = scan(text);
        assert!(at(&report, Severity::Block).is_empty(), "{text}: {:#?}", report.findings);
    }
    // Someone else's surgery still ties the date to them.
    let report = scan("my patient's surgery is March 12");
    assert_eq!(phi(&report, IdentifierKind::Date), vec!["March 12"]);
}

#[test]
fn a_reply_about_the_care_of_the_addressed_persons_relative_confirms_a_patient() {
    for text in [
        "It was a privilege for our palliative care team to look after your grandmother in her final days with us.",
        "Thank you for trusting our pediatric surgery team with your son last weekend!",
        "lol that was me who took out your staples before you left the unit!",
    ] {
        let report = scan_in(text, official_reply());
        assert!(has(&report, Category::IndirectPhi), "{text}: {:#?}", report.findings);
    }
    let report = scan_in(
        "Thank you for trusting our hospital with your questions! Call us anytime.",
        official_reply(),
    );
    assert!(
        !has(&report, Category::IndirectPhi),
        "{:#?}",
        report.findings
    );
}

#[test]
fn a_stay_or_a_townwide_role_beside_patient_context_is_indirect_identification() {
    for text in [
        "the exchange student from Mongolia at Millbrook High spent three nights with us and taught the whole unit to count to ten",
        "got to care for our town's Olympic curler this week and she demonstrated her sweeping technique with a dust mop",
    ] {
        let report = scan(text);
        assert!(has(&report, Category::IndirectPhi), "{text}: {:#?}", report.findings);
    }
}

#[test]
fn an_age_over_89_in_words_is_an_identifier() {
    let report = scan("my patient turned a hundred and one today");
    assert_eq!(phi(&report, IdentifierKind::Age), vec!["a hundred and one"]);
    let report = scan("our patient is ninety-three and still sharper than all of us");
    assert_eq!(phi(&report, IdentifierKind::Age), vec!["ninety-three"]);
    for text in [
        "the building is ninety years old",
        "my patient waited ninety minutes for a bed",
    ] {
        assert!(phi(&scan(text), IdentifierKind::Age).is_empty(), "{text}");
    }
}

#[test]
fn a_nickname_in_quotes_before_a_room_a_replys_first_word_and_a_devices_label_are_identifiers() {
    let report = scan("\"Big Mo\" in bed 6 has given every single one of us a nickname.");
    assert_eq!(phi(&report, IdentifierKind::Name), vec!["Big Mo"]);
    let report = scan("we watched \"Frozen\" in room 4 with the kids");
    assert!(
        phi(&report, IdentifierKind::Name).is_empty(),
        "{:#?}",
        report.findings
    );
    let report = scan_in(
        "Siosaia, this made our day! Our nurses are thrilled you're back on the pitch after your stay with us.",
        official_reply(),
    );
    assert_eq!(phi(&report, IdentifierKind::Name), vec!["Siosaia"]);
    let report = scan_in("Aww, thank you for the kind words!", official_reply());
    assert!(
        phi(&report, IdentifierKind::Name).is_empty(),
        "{:#?}",
        report.findings
    );
    let report =
        scan("the feeding pump on mrs quispe (sticker says KP-7738-0192) has alarmed 22 times");
    assert_eq!(phi(&report, IdentifierKind::Device), vec!["KP-7738-0192"]);
}

#[test]
fn a_chart_header_in_capitals_after_a_notes_label_takes_unlisted_surnames_and_particles() {
    for (text, name) in [
        (
            "NIGHT HANDOFF: WOJCIECHOWSKI, HENRYK BED 2B NPO AFTER MN",
            "WOJCIECHOWSKI, HENRYK",
        ),
        (
            "EMS TO ED: DE LA CRUZ, TEODORO 93 YO M, FOUND ON KITCHEN FLOOR",
            "DE LA CRUZ, TEODORO",
        ),
    ] {
        let report = scan(text);
        assert!(
            phi(&report, IdentifierKind::Name).contains(&name),
            "{text}: {:#?}",
            report.findings
        );
    }
    let report = scan("UPDATE: TEAM, GREAT JOB TODAY");
    assert!(
        phi(&report, IdentifierKind::Name).is_empty(),
        "{:#?}",
        report.findings
    );
}
