//! Checks that go beyond the schema: references between tables, patterns, required text.

use crate::{Category, Diagnostic, LexiconAction, Policy, PolicyError};
use std::collections::HashSet;

pub(crate) fn validate(policy: &Policy, source: &str, origin: &str) -> Result<(), PolicyError> {
    let fail = |offset: Option<usize>, message: String| {
        Err(PolicyError::Invalid(Diagnostic::at(
            origin, source, offset, message,
        )))
    };
    let find = |needle: &str| source.find(needle);

    let mut seen = HashSet::new();
    for section in &policy.sections {
        if !seen.insert(section.id.as_str()) {
            let needle = format!("\"{}\"", section.id);
            let second = source
                .match_indices(&needle)
                .nth(1)
                .map(|(i, _)| i)
                .or_else(|| find(&needle));
            return fail(
                second,
                format!(
                    "section id `{}` is used twice; ids must be unique",
                    section.id
                ),
            );
        }
    }
    let valid_sections = || {
        policy
            .sections
            .iter()
            .map(|s| format!("`{}`", s.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let check_section = |id: &str, owner: &str| -> Result<(), PolicyError> {
        if policy.section(id).is_none() {
            let offset = find(&format!("\"{id}\""));
            return fail(
                offset,
                format!(
                    "{owner} points to section `{id}`, which the policy does not define; expected one of {}",
                    valid_sections()
                ),
            );
        }
        Ok(())
    };
    for category in Category::ALL {
        let rule = policy.rule(category);
        check_section(&rule.section, &format!("rule `{category}`"))?;
    }
    for (name, lexicon) in &policy.lexicons {
        if let Some(section) = &lexicon.section {
            check_section(section, &format!("lexicon `{name}`"))?;
        }
        if lexicon.terms.is_empty() {
            return fail(
                find(&format!("[lexicon.{name}]")),
                format!("lexicon `{name}` has no terms"),
            );
        }
        for term in &lexicon.terms {
            let text = term.get_ref();
            if text.trim().is_empty() || text.trim_matches('*').trim().is_empty() {
                return fail(
                    Some(term.span().start),
                    format!("lexicon `{name}` has an empty term; a term needs at least one letter or digit"),
                );
            }
            if let Some(inner) = text
                .trim()
                .strip_prefix('/')
                .and_then(|t| t.strip_suffix('/'))
            {
                if let Err(detail) = scanner_syntax(inner) {
                    return fail(
                        Some(term.span().start),
                        format!("lexicon `{name}` has an invalid regular expression: {detail}"),
                    );
                }
            }
        }
        if lexicon.action == LexiconAction::Replace && lexicon.replacement.is_none() {
            return fail(
                find(&format!("[lexicon.{name}]")),
                format!("lexicon `{name}` has action `replace` but no `replacement`"),
            );
        }
    }
    for format in &policy.identifiers {
        if let Err(detail) = scanner_syntax(format.pattern.get_ref()) {
            return fail(
                Some(format.pattern.span().start),
                format!(
                    "identifier `{}` has an invalid pattern: {detail}",
                    format.name
                ),
            );
        }
        if regex::Regex::new(format.pattern.get_ref()).is_ok_and(|re| re.is_match("")) {
            return fail(
                Some(format.pattern.span().start),
                format!(
                    "identifier `{}` has a pattern that matches empty text",
                    format.name
                ),
            );
        }
    }
    if policy.disclaimer.text.trim().is_empty() {
        return fail(
            find("[disclaimer]"),
            "the disclaimer text is empty".to_owned(),
        );
    }
    if policy.organization.name.trim().is_empty() {
        return fail(
            find("[organization]"),
            "the organisation name is empty".to_owned(),
        );
    }
    for tag in &policy.organization.hashtags {
        if !tag.starts_with('#') || tag.len() < 2 {
            return fail(
                find(&format!("\"{tag}\"")),
                format!("hashtag `{tag}` must start with `#`"),
            );
        }
    }
    let effective = policy.policy.effective.to_string();
    let next_review = policy.policy.next_review.to_string();
    if next_review <= effective {
        return fail(
            find("next_review"),
            format!("next_review ({next_review}) must come after effective ({effective})"),
        );
    }
    Ok(())
}

/// Compiles `pattern` with the syntax the scanner compiles every regular expression with
/// (ASCII classes and word boundaries, no Unicode classes), so that a pattern the scanner would
/// refuse is reported here, at its place in the file: a class such as `[^.]` can match
/// characters beyond ASCII and is refused (write the characters it may match, `[a-z ,']`).
/// The error is the last line of the regex crate's message, which says what is wrong.
fn scanner_syntax(pattern: &str) -> Result<(), String> {
    regex::RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .map(|_| ())
        .map_err(|err| {
            let text = err.to_string();
            let last = text.lines().last().unwrap_or("").trim();
            if last.contains("invalid UTF-8") {
                "it could match characters beyond ASCII (a negated class such as `[^.]`, or `.`); \
                 list the characters it may match instead"
                    .to_owned()
            } else {
                last.to_owned()
            }
        })
}
