//! Every rule of a policy in plain words, for `postguard policy explain`.

use crate::{Category, IdentifierKind, LexiconRole, Policy};
use std::fmt::Write;

/// What each category of rule checks, in one sentence.
fn what_it_checks(category: Category) -> &'static str {
    match category {
        Category::Phi => "Flags the HIPAA Safe Harbor identifiers: names that are not staff or allowed public figures, dates tied to a person, ages over 89, addresses, towns, ZIP codes, rooms and beds, phone numbers, emails, Social Security, record, plan, account and licence numbers, vehicles, devices, personal web and IP addresses.",
        Category::IndirectPhi => "Flags patient context (\"my patient\", \"the lady we admitted\") next to details that could identify someone: an event, a place, a time, an age, a rare condition.",
        Category::MissingDisclaimer => "Flags posts on a personal channel that identify the employer (by name, alias or hashtag) without the disclaimer, and offers to append it.",
        Category::Endorsement => "Flags endorsements of products, services, people or organisations.",
        Category::Unprofessional => "Flags profanity (also written with stand-ins such as f*ck), slurs and insults toward patients, colleagues or competitors.",
        Category::MedicalAdvice => "Flags individual medical advice: doses, telling someone to start or stop a medicine, diagnosing a commenter. General health information is fine.",
        Category::Misinformation => "Flags known false health claims.",
        Category::Confidential => "Flags off-limits topics and internal information.",
        Category::Security => "Flags passwords, door and access codes, credentials and internal host names.",
        Category::Copyright => "Advises when a post reposts someone else's work without credit.",
        Category::HandleBranding => "Flags personal handles, display names and web addresses that use the organisation's name or logo words (LinkedIn is exempt).",
        Category::Lexicon => "Applies the organisation's own word lists.",
    }
}

/// Lists every rule of the policy in plain words.
pub fn explain(policy: &Policy) -> String {
    let mut out = String::new();
    let meta = &policy.policy;
    let _ = writeln!(out, "{} (version {})", meta.name, meta.version);
    let _ = writeln!(
        out,
        "Owner: {}, {}. Effective {}; next review due {}.",
        meta.owner.name, meta.owner.role, meta.effective, meta.next_review
    );
    let _ = writeln!(
        out,
        "Questions: {} ({}), {}.\n",
        policy.contact.name, policy.contact.role, policy.contact.email
    );
    let org = &policy.organization;
    let mut names = vec![org.name.clone()];
    names.extend(org.aliases.iter().cloned());
    names.extend(org.hashtags.iter().cloned());
    let _ = writeln!(
        out,
        "A text identifies the employer when it names any of: {}.",
        names.join(", ")
    );
    let _ = writeln!(out, "The disclaimer: \"{}\"\n", policy.disclaimer.text);

    let _ = writeln!(out, "Rules:");
    for category in Category::ALL {
        let rule = policy.rule(category);
        let state = if rule.enabled { "" } else { " (disabled)" };
        let _ = writeln!(
            out,
            "- {category} [{}]{state}: {} See section \"{}\".",
            rule.severity,
            what_it_checks(category),
            policy.section_title(category)
        );
    }
    if !policy.identifiers.is_empty() {
        let _ = writeln!(out, "\nOrganisation identifier formats (reported as phi):");
        for format in &policy.identifiers {
            let _ = writeln!(
                out,
                "- {} ({}): pattern {}",
                format.name,
                format.kind.label(),
                format.pattern.get_ref()
            );
        }
    }
    if !policy.security.internal_host_suffixes.is_empty() {
        let _ = writeln!(
            out,
            "\nInternal host names (reported as security): anything ending in {}.",
            policy.security.internal_host_suffixes.join(", ")
        );
    }
    if !policy.lexicons.is_empty() {
        let _ = writeln!(out, "\nWord lists:");
        for (name, lexicon) in &policy.lexicons {
            let sample: Vec<&str> = lexicon
                .terms
                .iter()
                .take(6)
                .map(|t| t.get_ref().as_str())
                .collect();
            let more = lexicon.terms.len().saturating_sub(sample.len());
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let only = if lexicon.kinds.is_empty() {
                String::new()
            } else {
                let kinds: Vec<&str> = lexicon.kinds.iter().map(|k| k.as_str()).collect();
                format!(", only in a {}", kinds.join(" or "))
            };
            // A list of cues makes no finding of its own: what it does instead.
            let does = match lexicon.role {
                LexiconRole::Finding => format!("action {:?}", lexicon.action),
                LexiconRole::PatientContext => {
                    "patient context: with a detail beside it, indirect identification".to_owned()
                }
                LexiconRole::QuasiIdentifier => {
                    "detail that can single a patient out, beside patient context".to_owned()
                }
                LexiconRole::NotPatient => {
                    "the people named are not patients: names, dates and ages are advice".to_owned()
                }
                LexiconRole::Person => {
                    "a person: beside a care event in the same sentence, patient context".to_owned()
                }
                LexiconRole::CareEvent => {
                    "a care event: beside a person in the same sentence, patient context".to_owned()
                }
                LexiconRole::NameCue => {
                    "a name cue: a listed name right after it is a name, even in lower case"
                        .to_owned()
                }
            };
            let _ = writeln!(
                out,
                "- {name} ({}, {does}{only}): {} Terms: {}{more}.",
                lexicon.category,
                lexicon.explanation,
                sample.join(", ")
            );
        }
    }
    let _ = writeln!(
        out,
        "\nAllowed names: {} staff members, {} public figures.",
        policy.staff.len(),
        policy.allow.public_figures.len()
    );
    let kinds: Vec<&str> = IdentifierKind::ALL.iter().map(|k| k.label()).collect();
    let _ = writeln!(out, "Identifier types reported: {}.", kinds.join(", "));
    out
}
