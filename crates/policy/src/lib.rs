//! The Postguard policy: an organisation's social media guidelines as data.
//!
//! A policy is one TOML file. It says who the organisation is (names, aliases, hashtags, official
//! accounts, public phone lines), who may be named freely (staff, public figures), what counts as
//! an identifier (record-number formats), which words and phrases matter (lexicons with actions),
//! how severe each rule is, and the staff-facing guideline sections that every finding points to.
//!
//! Loading validates everything, and every error names the file, line and column, and where it
//! applies, the valid choices. Nothing here scans text: see the `postguard-scan` crate.

mod explain;
mod model;
mod render;
mod validate;

pub use explain::explain;
pub use model::*;
pub use render::render_guidelines;

use std::fmt;
use std::path::Path;

/// The policy shipped with Postguard, for the fictional Alderbrook Regional Medical Center.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../../policies/default.toml");

/// Where a policy came from, used to name it in error messages.
pub const DEFAULT_POLICY_ORIGIN: &str = "policies/default.toml (built in)";

/// A policy that failed to load, with the place it failed.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("{origin}: cannot read the policy file: {source}")]
    Read {
        /// The path as given.
        origin: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or does not fit the policy schema, or breaks a rule.
    #[error("{0}")]
    Invalid(Diagnostic),
}

/// One problem in a policy file, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, or another name for where the text came from.
    pub origin: String,
    /// 1-based line, when the position is known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when the position is known.
    pub column: Option<usize>,
    /// What is wrong, and where it applies, the valid choices.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(col)) => write!(f, "{}:{line}:{col}: {}", self.origin, self.message),
            (Some(line), None) => write!(f, "{}:{line}: {}", self.origin, self.message),
            _ => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

impl Diagnostic {
    /// A diagnostic at a byte offset of `source`.
    pub(crate) fn at(origin: &str, source: &str, offset: Option<usize>, message: String) -> Self {
        let (line, column) = match offset {
            Some(offset) => {
                let (l, c) = line_col(source, offset);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        Diagnostic {
            origin: origin.to_owned(),
            line,
            column,
            message,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

impl Policy {
    /// Parses and validates a policy from TOML text; `origin` names it in errors.
    pub fn from_toml_str(source: &str, origin: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = toml::from_str(source).map_err(|err| {
            let offset = err.span().map(|s| s.start);
            let message = err.message().trim_end().replace('\n', " ");
            PolicyError::Invalid(Diagnostic::at(origin, source, offset, message))
        })?;
        validate::validate(&policy, source, origin)?;
        Ok(policy)
    }

    /// Reads, parses and validates a policy file.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let origin = path.display().to_string();
        let source = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            origin: origin.clone(),
            source,
        })?;
        Policy::from_toml_str(&source, &origin)
    }

    /// The policy shipped with Postguard.
    pub fn builtin_default() -> Result<Policy, PolicyError> {
        Policy::from_toml_str(DEFAULT_POLICY_TOML, DEFAULT_POLICY_ORIGIN)
    }

    /// The guideline section with this id.
    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// The rule settings of a category, with built-in defaults where the policy is silent.
    pub fn rule(&self, category: Category) -> RuleConfig {
        self.rules
            .get(&category)
            .cloned()
            .unwrap_or_else(|| RuleConfig::default_for(category))
    }

    /// Title of the section a category's findings point to, for explanations.
    pub fn section_title(&self, category: Category) -> String {
        let rule = self.rule(category);
        self.section(&rule.section)
            .map_or_else(|| rule.section.clone(), |s| s.title.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let src = "a = 1\nname = \"é\" x";
        let offset = src.find('x').unwrap_or(0);
        assert_eq!(line_col(src, offset), (2, 12));
    }
}
