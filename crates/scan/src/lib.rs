//! The Postguard scanner: compile a policy once, then scan many texts.
//!
//! ```
//! use postguard_policy::Policy;
//! use postguard_scan::{Post, Scanner};
//!
//! let policy = Policy::builtin_default().unwrap();
//! let scanner = Scanner::new(&policy).unwrap();
//! let report = scanner.scan(&Post::new("Mr. Dwyer in room 412 was admitted on 3/14."));
//! assert!(report.findings.iter().any(|f| f.category.name() == "phi"));
//! ```
//!
//! The scanner knows nothing of files, HTTP or SQL. It is `Send + Sync`: share one across threads.
//! Findings carry byte offsets into the UTF-8 text; they never leave this crate except in the
//! returned [`Report`], so callers decide where patient text may go.

mod ascii_regex;
mod compile;
mod context;
mod huge;
mod lexicon;
mod names;
mod org;
mod patterns;
mod redact;
pub mod request;
mod shared;
#[cfg(test)]
mod test_support;
mod text;

pub use compile::{BuildError, Scanner};
pub use postguard_policy::{Category, IdentifierKind, PostKind, Severity};
pub use redact::redact;
pub use shared::SharedStr;

use serde::{Deserialize, Serialize};

/// Where a text will be published.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// One of the organisation's official accounts.
    Official,
    /// The author's own account.
    #[default]
    Personal,
}

/// A patient's consent that applies to this text: it permits the identifiers it covers on the
/// official channel. The caller checks that the consent is valid (signed, in date, for this use).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// The consent record's reference, quoted in findings it changes.
    pub id: String,
    /// The identifiers the patient agreed to publish, as they appear in the text ("Rosa Delgado").
    pub covers: Vec<String>,
}

/// The context a text is written in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Context {
    /// Where it will be published.
    pub channel: Channel,
    /// The author says they identify their employer (job title in the profile, say). Also
    /// inferred when the text names the organisation, an alias or an official hashtag.
    pub identifies_employer: bool,
    /// Post, reply or comment.
    pub kind: PostKind,
    /// Patient consents that apply.
    pub consents: Vec<Consent>,
}

/// A text to scan with its context.
#[derive(Debug, Clone, Default)]
pub struct Post<'a> {
    /// The text, as it will be published.
    pub text: &'a str,
    /// Where and how.
    pub context: Context,
}

impl<'a> Post<'a> {
    /// A personal post with no other context.
    pub fn new(text: &'a str) -> Self {
        Post {
            text,
            context: Context::default(),
        }
    }

    /// The same text in another context.
    pub fn with_context(text: &'a str, context: Context) -> Self {
        Post { text, context }
    }
}

/// How to fix a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fix {
    /// Replace the span with a placeholder.
    Redact {
        /// The placeholder (`[NAME]`).
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        replacement: SharedStr,
    },
    /// Append text to the end of the post.
    Append {
        /// The text to append (with its leading separator).
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        text: SharedStr,
    },
    /// Replace the span with another word.
    Replace {
        /// The word to use instead.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        replacement: SharedStr,
    },
    /// Reword the passage; no automatic fix.
    Reword {
        /// What to do instead.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        hint: SharedStr,
    },
}

/// One problem found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// The rule that fired (`phi.name`, `lexicon.profanity`, `missing_disclaimer`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rule: SharedStr,
    /// The category.
    pub category: Category,
    /// How serious it is.
    pub severity: Severity,
    /// The identifier type, for `phi` findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<IdentifierKind>,
    /// Byte offset where the span starts.
    pub start: usize,
    /// Byte offset just past the span.
    pub end: usize,
    /// The text of the span.
    pub matched: String,
    /// One sentence saying what is wrong, naming the policy section.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub explanation: SharedStr,
    /// A fix, where one can be offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// The result of scanning one text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// Findings in text order.
    pub findings: Vec<Finding>,
    /// Whether the text was taken to identify the employer (given or inferred).
    pub identifies_employer: bool,
}

impl Report {
    /// The highest severity among the findings, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// True when something needs a person to look (`review`) or must be fixed (`block`).
    pub fn needs_attention(&self) -> bool {
        self.max_severity().is_some_and(|s| s >= Severity::Review)
    }
}
