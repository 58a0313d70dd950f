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

/// Compiles `patterns` like [`build`] into the forward and reverse lazy DFAs the meta regex
/// would search them with, configured as it configures them (no prefilter), for a caller that
/// keeps the DFAs' cache itself and so skips the meta regex's cache pool and strategy layers.
/// Like the meta regex, a search gives up only when the cache keeps being cleared; the caller
/// then searches with the meta regex.
pub(crate) fn build_lazy_dfa<P: AsRef<str>>(
    patterns: &[P],
) -> Result<regex_automata::hybrid::regex::Regex, String> {
    use regex_automata::hybrid::{dfa, regex};
    use regex_automata::nfa::thompson;
    use regex_automata::MatchKind;

    let syntax = regex_automata::util::syntax::Config::new().unicode(false);
    let nfa = thompson::Config::new().nfa_size_limit(Some(64 << 20));
    let config = dfa::Config::new()
        .cache_capacity(8 << 20)
        .skip_cache_capacity_check(false)
        .minimum_cache_clear_count(Some(3))
        .minimum_bytes_per_state(Some(10));
    let forward = dfa::Builder::new()
        .syntax(syntax)
        .thompson(nfa.clone())
        .configure(config.clone())
        .build_many(patterns)
        .map_err(|e| e.to_string())?;
    let reverse = dfa::Builder::new()
        .syntax(syntax)
        .thompson(nfa.reverse(true))
        .configure(
            config
                .prefilter(None)
                .specialize_start_states(false)
                .match_kind(MatchKind::All),
        )
        .build_many(patterns)
        .map_err(|e| e.to_string())?;
    Ok(regex::Builder::new().build_from_dfas(forward, reverse))
}
