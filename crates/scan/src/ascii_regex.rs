//! The one way the scanner builds a regex.

use regex_automata::meta::Regex;
use regex_automata::nfa::thompson;
use regex_automata::{Input, Match};

/// The syntax every scanner regex is parsed with: Unicode disabled, so ASCII classes and word
/// boundaries, and the lazy DFA never gives up for a slower engine (see ARCHITECTURE.md). A
/// pattern that could match non-ASCII through a class is refused at build time.
fn syntax() -> regex_automata::util::syntax::Config {
    regex_automata::util::syntax::Config::new().unicode(false)
}

/// The meta regex's configuration.
fn meta_config() -> regex_automata::meta::Config {
    Regex::config()
        .nfa_size_limit(Some(64 << 20))
        .hybrid_cache_capacity(8 << 20)
}

/// Compiles `patterns` into one multi-pattern regex (see [`syntax`]).
pub(crate) fn build<P: AsRef<str>>(patterns: &[P]) -> Result<Regex, String> {
    Regex::builder()
        .configure(meta_config())
        .syntax(syntax())
        .build_many(patterns)
        .map_err(|e| e.to_string())
}

/// Compiles the patterns (through `compile`, which makes their Thompson NFA with a given
/// configuration) into the forward and reverse lazy DFAs the meta regex would search
/// them with, configured as it configures them (no prefilter), for a caller that keeps the
/// DFAs' cache itself and so skips the meta regex's cache pool and strategy layers. Like the
/// meta regex, a search gives up only when the cache keeps being cleared; the caller then
/// searches with the meta regex.
fn build_lazy_dfa(
    compile: impl Fn(thompson::Config) -> Result<thompson::NFA, String>,
) -> Result<regex_automata::hybrid::regex::Regex, String> {
    use regex_automata::hybrid::{dfa, regex};
    use regex_automata::MatchKind;

    // As the lazy DFA's own builder compiles its NFA: no capture groups.
    let nfa = thompson::Config::new()
        .nfa_size_limit(Some(64 << 20))
        .which_captures(thompson::WhichCaptures::None);
    let config = dfa::Config::new()
        .cache_capacity(8 << 20)
        .skip_cache_capacity_check(false)
        .minimum_cache_clear_count(Some(3))
        .minimum_bytes_per_state(Some(10));
    let forward = dfa::Builder::new()
        .configure(config.clone())
        .build_from_nfa(compile(nfa.clone())?)
        .map_err(|e| e.to_string())?;
    let reverse = dfa::Builder::new()
        .configure(
            config
                .prefilter(None)
                .specialize_start_states(false)
                .match_kind(MatchKind::All),
        )
        .build_from_nfa(compile(nfa.reverse(true))?)
        .map_err(|e| e.to_string())?;
    Ok(regex::Builder::new().build_from_dfas(forward, reverse))
}

/// A regex searched through its forward and reverse lazy DFAs directly, with their cache kept
/// by the caller (in the thread's scratch): the meta regex around them costs, per text, as much
/// as a third of the search itself (its cache pool, iterator and strategy layers). Where the lazy
/// DFA gives up (a search that keeps clearing its cache), the meta regex finds the rest of the
/// text, as it would itself; a regex that matches the empty string is searched with the meta
/// regex only, since the loop below steps past each match's end.
pub(crate) struct LazySearch {
    dfa: Option<regex_automata::hybrid::regex::Regex>,
    regex: Regex,
    /// Tells the caches of these DFAs from those of another regex's.
    id: u64,
    /// The fewest bytes any match spans: a shorter text is not searched, as the meta regex
    /// does not search it either.
    min_len: usize,
}

/// The working memory of a [`LazySearch`]: its lazy DFAs' cache, for the regex it was made for.
#[derive(Default)]
pub(crate) struct LazyCache(Option<(u64, regex_automata::hybrid::regex::Cache)>);

/// Numbers the compiled regexes, for [`LazyCache`].
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl LazySearch {
    /// Compiles `patterns` (see [`syntax`]).
    pub(crate) fn new<P: AsRef<str>>(patterns: &[P]) -> Result<LazySearch, String> {
        // Parsed once, for the meta regex, the lazy DFAs and the shortest match.
        let hirs = regex_automata::util::syntax::parse_many_with(patterns, &syntax())
            .map_err(|e| e.to_string())?;
        let regex = Regex::builder()
            .configure(meta_config())
            .build_many_from_hir(&hirs)
            .map_err(|e| e.to_string())?;
        let dfa = build_lazy_dfa(|config| {
            thompson::Compiler::new()
                .configure(config)
                .build_many_from_hir(&hirs)
                .map_err(|e| e.to_string())
        })?;
        let dfa = (!dfa.forward().get_nfa().has_empty()).then_some(dfa);
        let min_len = hirs
            .iter()
            .filter_map(|hir| hir.properties().minimum_len())
            .min()
            .unwrap_or(0);
        Ok(LazySearch {
            dfa,
            regex,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            min_len,
        })
    }

    /// The same regex as a meta regex.
    pub(crate) fn regex(&self) -> &Regex {
        &self.regex
    }

    /// The leftmost-first matches in `text`, in order and not overlapping, as the meta regex's
    /// `find_iter` finds them.
    pub(crate) fn find_iter<'a>(&'a self, text: &'a str, cache: &'a mut LazyCache) -> Matches<'a> {
        let lazy = match &self.dfa {
            Some(dfa) => {
                if !matches!(&cache.0, Some((id, _)) if *id == self.id) {
                    cache.0 = Some((self.id, dfa.create_cache()));
                }
                cache.0.as_mut().map(|(_, cache)| (dfa, cache))
            }
            None => None,
        };
        Matches {
            regex: &self.regex,
            input: Input::new(text),
            lazy,
            meta: None,
            // Too few bytes for any match: not searched.
            done: text.len() < self.min_len,
        }
    }
}

/// The iterator of [`LazySearch::find_iter`].
pub(crate) struct Matches<'a> {
    regex: &'a Regex,
    /// The rest of the text.
    input: Input<'a>,
    /// The lazy DFAs and their cache, while they have not given up.
    lazy: Option<(
        &'a regex_automata::hybrid::regex::Regex,
        &'a mut regex_automata::hybrid::regex::Cache,
    )>,
    /// The meta regex's matches, once the lazy DFAs gave up (or from the start, without them).
    /// Boxed: the iterator is large, and copying it with every search costs more than the
    /// rare allocation.
    meta: Option<Box<regex_automata::meta::FindMatches<'a, 'a>>>,
    /// The lazy DFAs found no more matches.
    done: bool,
}

impl Iterator for Matches<'_> {
    type Item = Match;

    #[inline]
    fn next(&mut self) -> Option<Match> {
        if self.done {
            return None;
        }
        if let Some((dfa, cache)) = &mut self.lazy {
            match dfa.try_search(cache, &self.input) {
                Ok(Some(m)) => {
                    self.input.set_start(m.end());
                    return Some(m);
                }
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(_) => self.lazy = None,
            }
        }
        self.meta
            .get_or_insert_with(|| Box::new(self.regex.find_iter(self.input.clone())))
            .next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(search: &LazySearch, text: &str, cache: &mut LazyCache) {
        let got: Vec<Match> = search.find_iter(text, cache).collect();
        let want: Vec<Match> = search.regex().find_iter(text).collect();
        assert_eq!(got, want, "{text:?}");
    }

    const TEXTS: &[&str] = &[
        "",
        "a",
        "ok",
        "1234",
        "ab 12",
        "Call 555-123-4567",
        "Call 555-123-4567 or mail jo.doe@example.com, DOB 3/14/1950, SSN 123-45-6789.",
        "He lives at 42 Elm Street, Apt 3; plate ABC 1234; www.example.org/x?y=1 aaa",
        "Née à Zürich — 17 rue de la Paix, IP 10.0.0.1 and fe80::1:2:3:4 room 12b bed c",
    ];

    #[test]
    fn identifier_patterns_match_as_the_meta_regex() {
        let (sources, _) = crate::patterns::sources(&[]);
        let search = LazySearch::new(&sources).unwrap();
        assert!(search.dfa.is_some());
        let mut cache = LazyCache::default();
        for text in TEXTS {
            both(&search, text, &mut cache);
        }
    }

    #[test]
    fn a_regex_that_matches_the_empty_string_is_searched_with_the_meta_regex() {
        let search = LazySearch::new(&["a*", r"[0-9]+(?-u:\b)"]).unwrap();
        assert!(search.dfa.is_none());
        let mut cache = LazyCache::default();
        for text in TEXTS {
            both(&search, text, &mut cache);
        }
        assert!(search.find_iter("baab", &mut cache).any(|m| m.is_empty()));
    }
}
