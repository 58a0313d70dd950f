//! The one way the scanner builds a regex.

use regex_automata::meta::Regex;

/// Compiles `patterns` into one multi-pattern regex with Unicode disabled: ASCII classes and
/// word boundaries, so the lazy DFA never gives up for a slower engine (see ARCHITECTURE.md).
/// A pattern that could match non-ASCII through a class is refused at build time.
pub(crate) fn build<P: AsRef<str>>(patterns: &[P]) -> Result<Regex, String> {
    Regex::builder()
        .configure(
            Regex::config()
                .nfa_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(8 << 20),
        )
        .syntax(regex_automata::util::syntax::Config::new().unicode(false))
        .build_many(patterns)
        .map_err(|e| e.to_string())
}
