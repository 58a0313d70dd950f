//! The one way the scanner builds a regex.

use regex_automata::hybrid::LazyStateID;
use regex_automata::meta::Regex;
use regex_automata::nfa::thompson;
use regex_automata::{Anchored, HalfMatch, Input, Match, PatternID};

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
    cache_capacity: usize,
) -> Result<regex_automata::hybrid::regex::Regex, String> {
    use regex_automata::hybrid::{dfa, regex};
    use regex_automata::MatchKind;

    // As the lazy DFA's own builder compiles its NFA: no capture groups.
    let nfa = thompson::Config::new()
        .nfa_size_limit(Some(64 << 20))
        .which_captures(thompson::WhichCaptures::None);
    let config = dfa::Config::new()
        .cache_capacity(cache_capacity)
        // A capacity too small for a few states is raised to that minimum (only tests ask
        // for one, to make the lazy DFA give up).
        .skip_cache_capacity_check(true)
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
                // A start state for each pattern: a walk reads a match back from its end with
                // the one pattern that matched (see `Walk::settle`).
                .starts_for_each_pattern(true)
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
    /// Whether every match starts where its search starts (no reverse search then).
    anchored: bool,
    /// How a walk finds where a match starts, for each of the first 128 patterns (the others
    /// by the reverse search), kept in the struct, which a walk reads anyway, not behind a
    /// pointer, whose line would be one more cache miss a text: a bit for each pattern that is
    /// [`StartAt::WordRun`], a bit for each that is [`StartAt::Fixed`], with their lengths.
    word_runs: u128,
    fixed: u128,
    fixed_lens: Box<[usize]>,
}

/// How a walk finds where a match of a pattern starts, once the forward search has found its
/// end. A match's start is the leftmost place from which that pattern matches up to that end
/// (no match of any pattern starts further left, or the forward search would have found that
/// one), so where a pattern's shape tells that place from the text the reverse lazy DFA, whose
/// states are mostly out of the processor's caches by the next text (about one first-level
/// miss a byte it reads back), is not needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartAt {
    /// Found by the reverse lazy DFA, as the library's own search finds it.
    Reverse,
    /// The pattern starts with an ASCII word boundary and reads only word bytes (ASCII letters,
    /// digits, `_`), so a match starts where the run of word bytes that ends at its end starts:
    /// a byte before the match is no word byte, or the boundary would not hold.
    WordRun,
    /// Every match of the pattern is this many bytes long.
    Fixed(usize),
}

/// A bit for each of the first 128 patterns whose rule in `starts` passes `test`.
fn bits(starts: &[StartAt], test: impl Fn(StartAt) -> bool) -> u128 {
    starts
        .iter()
        .take(128)
        .enumerate()
        .filter(|&(_, &start)| test(start))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

/// Where the run of word bytes (see [`is_word_byte`]) that ends at `end` starts, eight bytes at
/// a time: most runs are a word of up to eight bytes, read in one step with no branch per byte.
fn word_run_start(bytes: &[u8], end: usize) -> usize {
    use crate::names::bytes_between;
    let mut at = end;
    loop {
        // The eight bytes before `at`, the last highest; zeros (no word byte) before the text.
        let x = match at.checked_sub(8).and_then(|from| bytes.get(from..at)) {
            Some(eight) => eight.try_into().map_or(0, u64::from_le_bytes),
            None => {
                let mut eight = [0u8; 8];
                let before = bytes.get(..at).unwrap_or_default();
                let n = before.len().min(8);
                eight[8 - n..].copy_from_slice(&before[before.len() - n..]);
                u64::from_le_bytes(eight)
            }
        };
        // Bit 7 of each word byte (a capital with bit 5 set is its small letter, and no other
        // byte becomes one), then of each other byte.
        let words = bytes_between(x | 0x2020_2020_2020_2020, b'a', b'z')
            | bytes_between(x, b'0', b'9')
            | bytes_between(x, b'_', b'_');
        let others = !words & 0x8080_8080_8080_8080;
        // The word bytes at the top, up to the highest other byte.
        let run = (others.leading_zeros() / 8) as usize;
        at -= run;
        if run < 8 {
            return at;
        }
    }
}

/// The byte of a word as ASCII word boundaries see it.
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Whether every match of pattern `pid` of `nfa` starts with an ASCII word boundary and reads
/// only word bytes ([`StartAt::WordRun`]): every path from the pattern's start meets `\b` before
/// any byte, and every byte transition the pattern can take is on word bytes.
fn reads_one_word(nfa: &thompson::NFA, pid: PatternID) -> bool {
    use regex_automata::util::look::Look;
    use thompson::State;
    let Some(start) = nfa.start_pattern(pid) else {
        return false;
    };
    let mut seen = vec![false; nfa.states().len()];
    let mut stack = vec![start];
    // The paths from the start up to their first word boundary.
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.as_usize()], true) {
            continue;
        }
        match nfa.state(id) {
            State::Look {
                look: Look::WordAscii,
                ..
            } => {}
            State::Union { alternates } => stack.extend(alternates.iter().copied()),
            State::BinaryUnion { alt1, alt2 } => stack.extend([*alt1, *alt2]),
            State::Capture { next, .. } => stack.push(*next),
            // A byte, another assertion or the end before the boundary.
            _ => return false,
        }
    }
    // Every byte the pattern reads.
    seen.iter_mut().for_each(|s| *s = false);
    stack.push(start);
    let words = |from: u8, to: u8| (from..=to).all(is_word_byte);
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.as_usize()], true) {
            continue;
        }
        match nfa.state(id) {
            State::ByteRange { trans } => {
                if !words(trans.start, trans.end) {
                    return false;
                }
                stack.push(trans.next);
            }
            State::Sparse(sparse) => {
                for trans in sparse.transitions.iter() {
                    if !words(trans.start, trans.end) {
                        return false;
                    }
                    stack.push(trans.next);
                }
            }
            State::Dense(dense) => {
                for (byte, &next) in (0..=u8::MAX).zip(dense.transitions.iter()) {
                    if next != regex_automata::util::primitives::StateID::ZERO {
                        if !is_word_byte(byte) {
                            return false;
                        }
                        stack.push(next);
                    }
                }
            }
            State::Look { next, .. } | State::Capture { next, .. } => stack.push(*next),
            State::Union { alternates } => stack.extend(alternates.iter().copied()),
            State::BinaryUnion { alt1, alt2 } => stack.extend([*alt1, *alt2]),
            State::Fail | State::Match { .. } => {}
        }
    }
    true
}

/// The working memory of a [`LazySearch`]: its lazy DFAs' cache, for the regex it was made for.
#[derive(Default)]
pub(crate) struct LazyCache(Option<(u64, regex_automata::hybrid::regex::Cache)>);

/// Numbers the compiled regexes, for [`LazyCache`].
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl LazySearch {
    /// Compiles `patterns` (see [`syntax`]).
    pub(crate) fn new<P: AsRef<str>>(patterns: &[P]) -> Result<LazySearch, String> {
        LazySearch::with_cache_capacity(patterns, 8 << 20)
    }

    /// Compiles `patterns` with lazy DFAs of at most `cache_capacity` bytes of cache each.
    fn with_cache_capacity<P: AsRef<str>>(
        patterns: &[P],
        cache_capacity: usize,
    ) -> Result<LazySearch, String> {
        // Parsed once, for the meta regex, the lazy DFAs and the shortest match.
        let hirs = regex_automata::util::syntax::parse_many_with(patterns, &syntax())
            .map_err(|e| e.to_string())?;
        let regex = Regex::builder()
            .configure(meta_config())
            .build_many_from_hir(&hirs)
            .map_err(|e| e.to_string())?;
        let dfa = build_lazy_dfa(
            |config| {
                thompson::Compiler::new()
                    .configure(config)
                    .build_many_from_hir(&hirs)
                    .map_err(|e| e.to_string())
            },
            cache_capacity,
        )?;
        let dfa = (!dfa.forward().get_nfa().has_empty()).then_some(dfa);
        let anchored = dfa
            .as_ref()
            .is_some_and(|dfa| dfa.forward().get_nfa().is_always_start_anchored());
        let starts: Vec<StartAt> = match &dfa {
            Some(dfa) => hirs
                .iter()
                .enumerate()
                .map(|(i, hir)| {
                    let properties = hir.properties();
                    let fixed = properties
                        .minimum_len()
                        .filter(|&len| len > 0 && properties.maximum_len() == Some(len));
                    match (fixed, PatternID::new(i)) {
                        (Some(len), _) => StartAt::Fixed(len),
                        (None, Ok(pid)) if reads_one_word(dfa.forward().get_nfa(), pid) => {
                            StartAt::WordRun
                        }
                        _ => StartAt::Reverse,
                    }
                })
                .collect(),
            None => Vec::new(),
        };
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
            anchored,
            word_runs: bits(&starts, |start| start == StartAt::WordRun),
            fixed: bits(&starts, |start| matches!(start, StartAt::Fixed(_))),
            fixed_lens: starts
                .iter()
                .map(|start| match start {
                    StartAt::Fixed(len) => *len,
                    _ => 0,
                })
                .collect(),
        })
    }

    /// How a walk finds where a match of pattern `pattern` starts.
    #[inline]
    fn start_at(&self, pattern: usize) -> StartAt {
        let bit = u32::try_from(pattern)
            .ok()
            .and_then(|shift| 1u128.checked_shl(shift))
            .unwrap_or(0);
        if self.word_runs & bit != 0 {
            StartAt::WordRun
        } else if self.fixed & bit != 0 {
            self.fixed_lens
                .get(pattern)
                .map_or(StartAt::Reverse, |&len| StartAt::Fixed(len))
        } else {
            StartAt::Reverse
        }
    }

    /// The same regex as a meta regex.
    pub(crate) fn regex(&self) -> &Regex {
        &self.regex
    }

    /// The lazy DFAs with their cache, made for this regex if it was another's.
    fn lazy<'a>(
        &'a self,
        cache: &'a mut LazyCache,
    ) -> Option<(&'a HybridRegex, &'a mut HybridCache)> {
        let dfa = self.dfa.as_ref()?;
        if !matches!(&cache.0, Some((id, _)) if *id == self.id) {
            cache.0 = Some((self.id, dfa.create_cache()));
        }
        cache.0.as_mut().map(|(_, cache)| (dfa, cache))
    }

    /// Appends to `out` the leftmost-first matches in `text`, in order and not overlapping, as
    /// the meta regex's `find_iter` finds them: one [`Walk`] alone (the scanner reads its two
    /// regexes together, with [`find_both`]).
    #[cfg(test)]
    pub(crate) fn find_all(&self, text: &str, cache: &mut LazyCache, out: &mut Vec<Match>) {
        Walk::new(text, (self, cache, out)).finish();
    }
}

/// Appends to each `out` the leftmost-first matches of its regex in `text`, in order and not
/// overlapping, as the meta regex's `find_iter` finds them: the same as two `find_iter`
/// passes, but both forward lazy DFAs step through the text together, byte by byte, so the
/// processor fetches their two transitions at once (each a likely cache miss in a large DFA)
/// where two passes would wait for each in turn. A search that restarts after a match walks
/// alone until it has caught up with the other.
pub(crate) fn find_both(
    text: &str,
    first: (&LazySearch, &mut LazyCache, &mut Vec<Match>),
    second: (&LazySearch, &mut LazyCache, &mut Vec<Match>),
) {
    let mut a = Walk::new(text, first);
    let mut b = Walk::new(text, second);
    loop {
        match (a.going(), b.going()) {
            (true, true) => {}
            (true, false) => return a.finish(),
            (false, true) => return b.finish(),
            (false, false) => return,
        }
        // The walk behind catches up; then both step together while neither meets a match,
        // the end of its search, or a state not yet computed.
        if a.at < b.at {
            a.run(b.at);
        } else if b.at < a.at {
            b.run(a.at);
        } else if a.sid.is_tagged() {
            a.step();
        } else if b.sid.is_tagged() {
            b.step();
        } else {
            together(&mut a, &mut b);
        }
    }
}

/// Steps two walks at the same place, both in untagged states, over the bytes where neither
/// meets a tagged state (with [`lockstep`]); then, on the byte where one does, a walk whose
/// next state is untagged takes it as [`Walk::step`] would, and a walk that meets a tagged
/// state (or the end of the text) reads it with [`Walk::step`], which handles what a tagged
/// state means.
fn together(a: &mut Walk<'_>, b: &mut Walk<'_>) {
    let (Some((da, ca)), Some((db, cb))) = (a.lazy.as_ref(), b.lazy.as_ref()) else {
        return;
    };
    let rest = a.text.as_bytes().get(a.at..).unwrap_or_default();
    let (read, (sa, sb), next) = lockstep(
        da.forward(),
        ca.as_parts().0,
        db.forward(),
        cb.as_parts().0,
        rest,
        (a.sid, b.sid),
    );
    let at = a.at + read;
    (a.sid, a.at, b.sid, b.at) = (sa, at, sb, at);
    let Some((na, nb)) = next else {
        // The end of the text.
        a.step();
        b.step();
        return;
    };
    a.take(na);
    b.take(nb);
}

/// The loop of [`together`]: with both DFAs in the untagged states `sa` and `sb`, steps both
/// over each byte of `bytes` until one of them meets a tagged state, and returns how many
/// bytes they read before it, the states before that byte and, unless `bytes` ended there, the
/// states it leads to. A function of its own, not inlined, so that LLVM knows the caches behind
/// its reference arguments can be read at any time and reads their transition tables'
/// addresses and lengths once, not on every byte; four bytes a round, taken off the front of
/// the slice (no position to check for overflow), save the loop's own steps.
#[inline(never)]
fn lockstep(
    fa: &LazyDfa,
    ca: &LazyDfaCache,
    fb: &LazyDfa,
    cb: &LazyDfaCache,
    bytes: &[u8],
    (sa, sb): (LazyStateID, LazyStateID),
) -> (
    usize,
    (LazyStateID, LazyStateID),
    Option<(LazyStateID, LazyStateID)>,
) {
    let next = |(sa, sb): (LazyStateID, LazyStateID), byte: u8| {
        (
            fa.next_state_untagged(ca, sa, byte),
            fb.next_state_untagged(cb, sb, byte),
        )
    };
    let tagged = |(sa, sb): (LazyStateID, LazyStateID)| sa.is_tagged() || sb.is_tagged();
    let (mut states, mut rest) = ((sa, sb), bytes);
    while let [w, x, y, z, tail @ ..] = rest {
        let read = bytes.len() - rest.len();
        let s1 = next(states, *w);
        if tagged(s1) {
            return (read, states, Some(s1));
        }
        let s2 = next(s1, *x);
        if tagged(s2) {
            return (read + 1, s1, Some(s2));
        }
        let s3 = next(s2, *y);
        if tagged(s3) {
            return (read + 2, s2, Some(s3));
        }
        let s4 = next(s3, *z);
        if tagged(s4) {
            return (read + 3, s3, Some(s4));
        }
        (states, rest) = (s4, tail);
    }
    // The last bytes, fewer than four.
    while let [x, tail @ ..] = rest {
        let after = next(states, *x);
        if tagged(after) {
            return (bytes.len() - rest.len(), states, Some(after));
        }
        (states, rest) = (after, tail);
    }
    (bytes.len(), states, None)
}

type HybridRegex = regex_automata::hybrid::regex::Regex;
type HybridCache = regex_automata::hybrid::regex::Cache;
type LazyDfa = regex_automata::hybrid::dfa::DFA;
type LazyDfaCache = regex_automata::hybrid::dfa::Cache;

/// Where a walk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progress {
    /// Searching.
    Going,
    /// No more matches (or all of them found by the meta regex).
    Done,
}

/// One regex's forward lazy DFA walking a text for [`find_both`], as the library's own
/// forward search does (`hybrid::search::find_fwd`), with the start of each match found by
/// the reverse DFA as `hybrid::regex::Regex::try_search` finds it.
struct Walk<'a> {
    text: &'a str,
    search: &'a LazySearch,
    /// The lazy DFAs and their cache; `None` when the regex has none (it is then searched
    /// with the meta regex when the walk is made).
    lazy: Option<(&'a HybridRegex, &'a mut HybridCache)>,
    out: &'a mut Vec<Match>,
    progress: Progress,
    /// Where the search for the next match began.
    start: usize,
    /// The next byte to read.
    at: usize,
    /// The forward DFA's state before byte `at`.
    sid: LazyStateID,
    /// The last match the search has seen: its pattern and end.
    found: Option<HalfMatch>,
}

impl<'a> Walk<'a> {
    #[inline]
    fn new(
        text: &'a str,
        (search, cache, out): (&'a LazySearch, &'a mut LazyCache, &'a mut Vec<Match>),
    ) -> Walk<'a> {
        let mut walk = Walk {
            text,
            search,
            lazy: None,
            out,
            progress: Progress::Done,
            start: 0,
            at: 0,
            sid: LazyStateID::default(),
            found: None,
        };
        walk.open(cache);
        walk
    }

    /// Starts the first search, with the DFAs' cache `cache`, unless the text is too short
    /// for any match. Apart from [`Walk::new`], which only fills in the fields and is inlined,
    /// so that the walk is started where it lives and not copied there after.
    fn open(&mut self, cache: &'a mut LazyCache) {
        // Too few bytes for any match: not searched.
        if self.text.len() < self.search.min_len {
            return;
        }
        self.lazy = self.search.lazy(cache);
        if self.lazy.is_some() {
            self.begin(0);
        } else {
            self.give_up();
        }
    }

    fn going(&self) -> bool {
        self.progress == Progress::Going
    }

    /// Starts the search for a match at `start`.
    fn begin(&mut self, start: usize) {
        let Some((dfa, cache)) = self.lazy.as_mut() else {
            return self.give_up();
        };
        let input = Input::new(self.text).span(start..self.text.len());
        let (fcache, _) = cache.as_parts_mut();
        match dfa.forward().start_state_forward(fcache, &input) {
            Ok(sid) => {
                fcache.search_start(start);
                (self.start, self.at, self.sid, self.found) = (start, start, sid, None);
                self.progress = Progress::Going;
            }
            Err(_) => {
                self.start = start;
                self.give_up();
            }
        }
    }

    /// Steps until byte `until` or until the walk is done.
    fn run(&mut self, until: usize) {
        while self.going() && self.at < until {
            self.step();
        }
    }

    /// Walks alone to the end of its last search.
    fn finish(&mut self) {
        while self.going() {
            self.step();
        }
    }

    /// Reads byte `at` (or the end of the text, when `at` is there) and acts on the state it
    /// leads to.
    fn step(&mut self) {
        let Some((dfa, cache)) = self.lazy.as_mut() else {
            return self.give_up();
        };
        let dfa = dfa.forward();
        let (fcache, _) = cache.as_parts_mut();
        let at = self.at;
        let Some(&byte) = self.text.as_bytes().get(at) else {
            // The end of the text: matches are reported one byte late, so the last byte's
            // match is seen on the end-of-input transition.
            match dfa.next_eoi_state(fcache, self.sid) {
                Ok(sid) if sid.is_match() => {
                    self.found = Some(HalfMatch::new(dfa.match_pattern(fcache, sid, 0), at));
                }
                Ok(_) => {}
                Err(_) => return self.give_up(),
            }
            fcache.search_finish(at);
            return self.settle();
        };
        // The fast transition when the state is untagged and the next one computed.
        let fast = (!self.sid.is_tagged())
            .then(|| dfa.next_state_untagged(fcache, self.sid, byte))
            .filter(|sid| !sid.is_unknown());
        let sid = match fast {
            Some(sid) => sid,
            None => {
                fcache.search_update(at);
                match dfa.next_state(fcache, self.sid, byte) {
                    Ok(sid) => sid,
                    Err(_) => return self.give_up(),
                }
            }
        };
        self.sid = sid;
        if sid.is_tagged() {
            if sid.is_match() {
                self.found = Some(HalfMatch::new(dfa.match_pattern(fcache, sid, 0), at));
            } else if sid.is_dead() {
                fcache.search_finish(at);
                return self.settle();
            } else if sid.is_quit() {
                return self.give_up();
            }
        }
        self.at = at + 1;
    }

    /// Reads byte `at`, which leads to state `next`: as [`Walk::step`] would, but without
    /// looking the transition up again when `next` is untagged.
    fn take(&mut self, next: LazyStateID) {
        if next.is_tagged() {
            self.step();
        } else {
            (self.sid, self.at) = (next, self.at + 1);
        }
    }

    /// The search has ended: reports its match, if any, and starts the next search after it.
    fn settle(&mut self) {
        let Some(end) = self.found.take() else {
            self.progress = Progress::Done;
            return;
        };
        let Some((dfa, cache)) = self.lazy.as_mut() else {
            return self.give_up();
        };
        let rule = self.search.start_at(end.pattern().as_usize());
        let start = if self.search.anchored {
            self.start
        } else if rule == StartAt::WordRun {
            word_run_start(self.text.as_bytes(), end.offset()).max(self.start)
        } else if let StartAt::Fixed(len) = rule {
            end.offset().saturating_sub(len).max(self.start)
        } else {
            // Read back with the pattern that matched alone, not with all of them as the
            // library's own search does: the start is the same (the leftmost place any pattern
            // matches up to this end is this pattern's, see `StartAt`), and the reverse DFA's
            // states then hold one pattern's NFA states, far fewer and the same from one text
            // to the next, so fewer of them are out of the cache (about 1.5 % faster on
            // social, warm; SPEED.md).
            let input = Input::new(self.text)
                .span(self.start..end.offset())
                .anchored(Anchored::Pattern(end.pattern()))
                .earliest(false);
            match dfa.reverse().try_search_rev(cache.as_parts_mut().1, &input) {
                Ok(Some(start)) => start.offset(),
                _ => return self.give_up(),
            }
        };
        self.out
            .push(Match::new(end.pattern(), start..end.offset()));
        // No match is empty (such a regex has no lazy DFA), so the next search starts later.
        if self.text.len() - end.offset() < self.search.min_len {
            self.progress = Progress::Done;
        } else {
            self.begin(end.offset());
        }
    }

    /// The lazy DFA gave up (or the regex has none): the meta regex finds the rest of the
    /// matches, from where the current search began.
    fn give_up(&mut self) {
        #[cfg(test)]
        GAVE_UP.with(|n| n.set(n.get() + 1));
        let input = Input::new(self.text).span(self.start..self.text.len());
        self.out.extend(self.search.regex.find_iter(input));
        self.progress = Progress::Done;
    }
}

#[cfg(test)]
thread_local! {
    /// How many walks have given up, for tests.
    static GAVE_UP: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(search: &LazySearch, text: &str, cache: &mut LazyCache) {
        let mut got = Vec::new();
        search.find_all(text, cache, &mut got);
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
    fn a_match_start_is_read_from_the_text_where_the_pattern_tells_it() {
        use StartAt::*;
        let patterns = [
            r"(?i)\b(?:born|dob|hospitali[sz]ed)\b",
            r"\b[a-z_0-9]+x",
            r"\b[0-9]{3}-[0-9]{2}\b|\b[0-9]{3} [0-9]{2}\b",
            r"(?i)\b(?:date of birth|seen on)\b",
            r"[a-z]+\b",
            r"\b[a-z]+|x-y",
            r"\b(?:ab|c\b)",
            r"(?:\b|x)[a-z]+",
        ];
        let patterns: Vec<String> = patterns
            .iter()
            .map(|p| p.replace(r"\b", r"(?-u:\b)"))
            .collect();
        let search = LazySearch::new(&patterns).unwrap();
        let starts: Vec<StartAt> = (0..patterns.len()).map(|i| search.start_at(i)).collect();
        assert_eq!(
            starts,
            [
                WordRun,
                WordRun,
                Fixed(6),
                Reverse,
                Reverse,
                Reverse,
                WordRun,
                Reverse
            ]
        );
        let text = b"x 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_ \xc3\xa9tat";
        for end in 0..=text.len() {
            let mut at = end;
            while at > 0 && is_word_byte(text[at - 1]) {
                at -= 1;
            }
            assert_eq!(word_run_start(text, end), at, "{end}");
        }
        let mut cache = LazyCache::default();
        for text in [
            "born2 x_born born_ 3born born. DOB:dob date of birth seen on",
            "hospitalized_x 123-45 123 45x 1234-56 _123 45 abc x-y",
            "zz_ab c ab_ 9ab ab9x",
        ] {
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
        let mut found = Vec::new();
        search.find_all("baab", &mut cache, &mut found);
        assert!(found.iter().any(|m| m.is_empty()));
    }

    /// Both regexes' matches through [`find_both`] and through the meta regex.
    fn both_ways(
        first: &LazySearch,
        second: &LazySearch,
        text: &str,
        caches: &mut (LazyCache, LazyCache),
    ) {
        let (mut got_first, mut got_second) = (Vec::new(), Vec::new());
        find_both(
            text,
            (first, &mut caches.0, &mut got_first),
            (second, &mut caches.1, &mut got_second),
        );
        let want_first: Vec<Match> = first.regex().find_iter(text).collect();
        let want_second: Vec<Match> = second.regex().find_iter(text).collect();
        assert_eq!(got_first, want_first, "first regex in {text:?}");
        assert_eq!(got_second, want_second, "second regex in {text:?}");
    }

    #[test]
    fn both_regexes_stepped_together_match_as_the_meta_regex() {
        let (sources, _) = crate::patterns::sources(&[]);
        let patterns = LazySearch::new(&sources).unwrap();
        let (_, phrases) = crate::context::phrases(&["corp.example.org".to_owned()]);
        let phrases = LazySearch::new(&phrases).unwrap();
        let mut caches = (LazyCache::default(), LazyCache::default());
        // Both orders for the made-up texts, one for the corpus (a debug build is slow).
        let mut texts: Vec<String> = TEXTS.iter().map(|t| t.to_string()).collect();
        // Random texts from pieces that start, end and run into matches of both regexes.
        let pieces = [
            "born ",
            "3/14/1950",
            " ",
            "password: hunter2",
            "555-123-4567",
            "a",
            "12",
            ".",
            "-----BEGIN RSA PRIVATE KEY-----",
            "jo@example.com",
            "last Tuesday",
            "Elm Street",
            "metformin",
            "500mg",
            "é",
            "\n",
            "take ",
            "yesterday",
            "rm 12",
            "vpn.corp.example.org",
        ];
        let mut rng = crate::test_support::Rng::new(0x2545_f491_4f6c_dd1d);
        for _ in 0..1000 {
            let mut text = String::new();
            for _ in 0..rng.below(9) {
                text.push_str(pieces[rng.below(pieces.len())]);
            }
            texts.push(text);
        }
        // Matches that touch: the second search starts where the first match ends.
        texts.push("555-123-4567555-123-4567 born born".to_owned());
        for text in &texts {
            both_ways(&patterns, &phrases, text, &mut caches);
            both_ways(&phrases, &patterns, text, &mut caches);
        }
        let corpus = crate::test_support::corpus_posts();
        assert!(corpus.len() > 1000);
        let mut texts = Vec::new();
        for (i, text) in corpus.iter().enumerate() {
            texts.push(text.clone());
            // Cut short, mid-match for some.
            let cut = (0..=text.len() / 2)
                .rev()
                .find(|&i| text.is_char_boundary(i));
            texts.push(text[..cut.unwrap_or(0)].to_owned());
            if i % 3 == 0 {
                texts.push(text.to_lowercase());
                texts.push(text.to_uppercase());
            }
        }
        for run in corpus.chunks(7) {
            texts.push(run.join(" "));
        }
        for text in &texts {
            both_ways(&patterns, &phrases, text, &mut caches);
        }
    }

    #[test]
    fn where_a_lazy_dfa_gives_up_the_meta_regex_finds_the_rest() {
        let (sources, _) = crate::patterns::sources(&[]);
        let small = LazySearch::with_cache_capacity(&sources, 0).unwrap();
        let (_, phrases) = crate::context::phrases(&[]);
        let phrases = LazySearch::new(&phrases).unwrap();
        let mut caches = (LazyCache::default(), LazyCache::default());
        let text = crate::test_support::corpus_posts().join(" ");
        let before = GAVE_UP.with(|n| n.get());
        both_ways(&small, &phrases, &text, &mut caches);
        assert!(
            GAVE_UP.with(|n| n.get()) > before,
            "the small cache never gave up"
        );
        both_ways(&phrases, &small, &text, &mut caches);
    }
}
