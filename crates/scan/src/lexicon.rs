//! The policy's word lists: literal terms in a trie walked from word starts (and an
//! Aho-Corasick automaton for the few that may start anywhere), one multi-pattern regex
//! (`/regex/` terms and terms with an inner `*`), and, for lists that ask for it, a matcher of
//! obfuscated spellings (`f*ck`, `sh1t`).
//!
//! A literal that starts with a letter can only match where a word starts, so the trie
//! ([`WordTrie`], a double array of a few tens of KB that stays in the CPU's caches) is walked
//! from each word start, the first two bytes in one lookup and then byte by byte, and stops as
//! soon as no literal can match, a few bytes into most words. It is also walked after each
//! hyphen or apostrophe inside a word: the few words that hold one (or a byte beyond ASCII) are
//! those whose [`Word::key`] is 0. The few literals that
//! may start anywhere (`*ache`, `#ad`, `5g`) have an unanchored automaton of their own. The
//! regex runs only on texts that hold a word of each set of words one of its terms needs
//! ([`gate`]), found by the same walk; obfuscations are looked for only around words that touch
//! a stand-in byte (a digit or `* @ $ ! | +`).

use crate::text::{at_word_boundaries, eight_bytes, Word};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind, StartKind};
use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input};

/// One match of a lexicon term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Index of the lexicon, in the order given to [`Lexicons::new`].
    pub lexicon: usize,
    pub start: usize,
    pub end: usize,
}

/// One term as the policy wrote it, ready to compile.
pub(crate) struct TermSpec<'a> {
    pub lexicon: usize,
    pub term: &'a str,
    pub case_sensitive: bool,
    pub obfuscations: bool,
}

/// One lexicon's use of a literal (the same word may be in several lists).
struct LiteralMeta {
    lexicon: usize,
    /// `*` at the start: the match may begin inside a word.
    open_start: bool,
    /// `*` at the end: the match extends to the end of the word.
    open_end: bool,
    /// The exact term, when case matters.
    exact: Option<String>,
}

/// Literal terms compiled into one automaton.
struct LiteralSet {
    ac: AhoCorasick,
    /// For each automaton pattern, every lexicon that lists it.
    meta: Vec<Vec<LiteralMeta>>,
    /// The bytes a match can start with, when they are few.
    starts: StartBytes,
}

/// The bytes a match of a literal set can start with (each literal's first byte, in both ASCII
/// cases as the automaton ignores them), when there are at most three: a text that holds none of
/// them holds no match and is not searched (one vectorised pass, instead of the automaton's own
/// set-up around the same look-up: most texts hold neither '#' nor '@').
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartBytes {
    One(u8),
    Two(u8, u8),
    Three(u8, u8, u8),
    Any,
}

impl StartBytes {
    fn new<S: AsRef<str>>(literals: &[S]) -> StartBytes {
        let mut bytes: Vec<u8> = Vec::new();
        for literal in literals {
            let Some(&first) = literal.as_ref().as_bytes().first() else {
                return StartBytes::Any;
            };
            for b in [first.to_ascii_lowercase(), first.to_ascii_uppercase()] {
                if !bytes.contains(&b) {
                    bytes.push(b);
                }
            }
        }
        match bytes[..] {
            [a] => StartBytes::One(a),
            [a, b] => StartBytes::Two(a, b),
            [a, b, c] => StartBytes::Three(a, b, c),
            _ => StartBytes::Any,
        }
    }

    /// False when `bytes` holds none of the start bytes.
    fn in_text(self, bytes: &[u8]) -> bool {
        match self {
            StartBytes::One(a) => memchr::memchr(a, bytes).is_some(),
            StartBytes::Two(a, b) => memchr::memchr2(a, b, bytes).is_some(),
            StartBytes::Three(a, b, c) => memchr::memchr3(a, b, c, bytes).is_some(),
            StartBytes::Any => true,
        }
    }
}

impl LiteralSet {
    fn new(
        literals: &[String],
        meta: Vec<Vec<LiteralMeta>>,
        start: StartKind,
    ) -> Result<Option<LiteralSet>, LexiconBuildError> {
        if literals.is_empty() {
            return Ok(None);
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(start)
            .build(literals)
            .map_err(|e| LexiconBuildError(e.to_string()))?;
        Ok(Some(LiteralSet {
            ac,
            meta,
            starts: StartBytes::new(literals),
        }))
    }

    /// Reports the match of pattern `pattern` at `start..end`, once per lexicon that lists it;
    /// false when no lexicon's use of it is whole words here.
    fn report(
        &self,
        text: &str,
        pattern: usize,
        start: usize,
        end: usize,
        out: &mut Vec<Hit>,
    ) -> bool {
        LiteralSet::report_with(&self.meta, text, pattern, start, end, out)
    }

    fn report_with(
        meta: &[Vec<LiteralMeta>],
        text: &str,
        pattern: usize,
        start: usize,
        end: usize,
        out: &mut Vec<Hit>,
    ) -> bool {
        let Some(metas) = meta.get(pattern) else {
            return false;
        };
        let mut any = false;
        for meta in metas {
            let (mut start, mut end) = (start, end);
            if let Some(exact) = &meta.exact {
                if text.get(start..end) != Some(exact.as_str()) {
                    continue;
                }
            }
            if meta.open_start {
                start = extend_left(text, start);
            }
            if meta.open_end {
                end = extend_right(text, end);
            }
            if whole_words(text, start, end) {
                any = true;
                out.push(Hit {
                    lexicon: meta.lexicon,
                    start,
                    end,
                });
            }
        }
        any
    }
}

/// Distinct literals and every lexicon's use of each, in automaton pattern order.
#[derive(Default)]
struct LiteralList {
    literals: Vec<String>,
    meta: Vec<Vec<LiteralMeta>>,
    /// For each pattern, the sets of words of regex terms that it belongs to (see [`gate`]).
    gates: Vec<GateBits>,
    index: rustc_hash::FxHashMap<String, usize>,
}

/// The sets of words of regex terms (bit `i`: set `i`) that a pattern belongs to; each term
/// needs a word of each of its sets ([`gate`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct GateBits {
    /// Sets it belongs to wherever it is.
    prefix: u128,
    /// Sets it belongs to when no ASCII letter follows it.
    word: u128,
}

impl LiteralList {
    /// One pattern per distinct literal: the automaton reports leftmost-longest,
    /// non-overlapping matches, so a word listed twice must be one pattern.
    fn add(&mut self, literal: String, meta: LiteralMeta) {
        let i = self.pattern(literal);
        if let Some(list) = self.meta.get_mut(i) {
            list.push(meta);
        }
    }

    /// Puts `word` in the set of words of regex terms `bit`; `whole`: only as a whole word.
    fn add_gate(&mut self, word: String, bit: u128, whole: bool) {
        let i = self.pattern(word);
        if let Some(gates) = self.gates.get_mut(i) {
            if whole {
                gates.word |= bit;
            } else {
                gates.prefix |= bit;
            }
        }
    }

    /// The pattern of `literal`, added if new.
    fn pattern(&mut self, literal: String) -> usize {
        if let Some(&i) = self.index.get(&literal) {
            return i;
        }
        let i = self.literals.len();
        self.index.insert(literal.clone(), i);
        self.literals.push(literal);
        self.meta.push(Vec::new());
        self.gates.push(GateBits::default());
        i
    }

    fn build(self, start: StartKind) -> Result<Option<LiteralSet>, LexiconBuildError> {
        LiteralSet::new(&self.literals, self.meta, start)
    }
}

/// Literals that start with a letter, and the words regex terms need ([`gate`]), walked byte by
/// byte from a word start: the walk stops as soon as no literal can match, a few bytes into most
/// words.
struct WordLiterals {
    trie: WordTrie,
    /// The first test of a word of ASCII letters only: most words start no pattern.
    filter: WordFilter,
    /// For each pattern, every lexicon that lists it (none for a word only regex terms need).
    meta: Vec<Vec<LiteralMeta>>,
    /// For each pattern, what the walk does where it ends: bit 0 set when it is a literal of
    /// some list (a word only regex terms need is none), the bits above (those of
    /// [`WordLiterals::gate_mask`]) the index in [`WordLiterals::gates`] of the sets of words of
    /// regex terms it belongs to, and the top 16 bits, when one list uses it as it is (whole
    /// words in any case, no `*`: most literals), that list's index plus one, so it is reported
    /// without a read of its uses in `meta` (a 24-byte `Vec` header in an array of tens of KB,
    /// then the uses it points to). One small array (4 bytes a pattern), where the walk read a
    /// pattern's entry in `meta` and its sets (32 bytes) from two arrays of tens of KB at every
    /// pattern it met.
    finals: Vec<u32>,
    /// The bits of the index in [`WordLiterals::gates`] in an entry of
    /// [`WordLiterals::finals`] shifted down by one: 15, or 31 (and no list's index in the top
    /// bits) when there are more distinct sets than 15 bits count.
    gate_mask: u32,
    /// The distinct sets of words of regex terms that patterns belong to; entry 0 is none.
    gates: Vec<GateBits>,
    /// Some pattern is needed by a regex term.
    any_gate: bool,
}

impl WordLiterals {
    fn new(list: LiteralList) -> Option<WordLiterals> {
        if list.literals.is_empty() {
            return None;
        }
        let mut gates = vec![GateBits::default()];
        let gate_at: Vec<usize> = list
            .gates
            .iter()
            .map(|g| {
                gates.iter().position(|d| d == g).unwrap_or_else(|| {
                    gates.push(*g);
                    gates.len() - 1
                })
            })
            .collect();
        // The lists' indexes fit beside the sets' index (always, but for a policy with tens of
        // thousands of distinct sets of regex words).
        let gate_mask = if gates.len() <= 1 << 15 {
            (1 << 15) - 1
        } else {
            u32::MAX >> 1
        };
        let finals = gate_at
            .iter()
            .zip(&list.meta)
            .map(|(&at, meta)| {
                let plain = match meta.as_slice() {
                    [m] if gate_mask < 1 << 15
                        && m.exact.is_none()
                        && !m.open_start
                        && !m.open_end =>
                    {
                        u32::try_from(m.lexicon + 1)
                            .ok()
                            .filter(|&l| l < 1 << 16)
                            .unwrap_or(0)
                    }
                    _ => 0,
                };
                plain << 16 | (at as u32) << 1 | u32::from(!meta.is_empty())
            })
            .collect();
        Some(WordLiterals {
            trie: WordTrie::new(&list.literals),
            filter: WordFilter::new(&list),
            meta: list.meta,
            any_gate: list.gates.iter().any(|g| g.prefix | g.word != 0),
            finals,
            gate_mask,
            gates,
        })
    }

    /// [`WordLiterals::find`], noting the words a stand-in touches only when the policy has
    /// obfuscations to look for (`obfuscations`): one copy of the walk's loop for each case.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn find_either<S: Slot>(
        &self,
        slots: Tables<'_, S>,
        obfuscations: bool,
        text: &str,
        words: &[Word],
        buffers: &mut Buffers,
        open: &mut u128,
        out: &mut Vec<Hit>,
    ) {
        if obfuscations {
            self.find::<S, true>(slots, text, words, buffers, open, out)
        } else {
            self.find::<S, false>(slots, text, words, buffers, open, out)
        }
    }

    /// The literals at the start of each of `words` (and inside them, after a hyphen or an
    /// apostrophe), in `out`; the sets of words of regex terms found are added to `open`. With
    /// `OBFUSCATIONS`, the words a stand-in byte touches are also noted in `buffers.stand_ins`, 64
    /// at a time (see [`obfuscated_token`]).
    #[inline(never)]
    fn find<S: Slot, const OBFUSCATIONS: bool>(
        &self,
        slots: Tables<'_, S>,
        text: &str,
        words: &[Word],
        buffers: &mut Buffers,
        open: &mut u128,
        out: &mut Vec<Hit>,
    ) {
        let bytes = text.as_bytes();
        let found = &mut buffers.found;
        // Matches do not overlap: a word inside an earlier match starts nothing.
        let mut covered = 0;
        // 64 words at a time: first which of them need a look, without a branch per word (most
        // words start no pattern), then a look at those.
        for chunk in words.chunks(64) {
            let mut todo = self.filter.candidates(bytes, chunk);
            if OBFUSCATIONS {
                buffers.stand_ins.push(stand_in_words(bytes, chunk));
            }
            while todo != 0 {
                let i = todo.trailing_zeros();
                todo &= todo - 1;
                let Some(w) = chunk.get(i as usize) else {
                    break;
                };
                if w.start >= covered {
                    found.clear();
                    self.walk(slots, bytes, w.start, found, open);
                    // The longest literal that is whole words here wins.
                    for &(pattern, end) in found.iter().rev() {
                        if self.report(text, pattern, w.start, end, out) {
                            covered = end;
                            break;
                        }
                    }
                } else if self.any_gate {
                    found.clear();
                    self.walk(slots, bytes, w.start, found, open);
                }
                // A word with no key holds a hyphen, an apostrophe or a byte beyond ASCII (a few
                // of the words walked from).
                if w.key == 0 {
                    self.inside(text, w, &mut covered, found, open, out);
                }
            }
        }
    }

    /// [`LiteralSet::report_with`] for pattern `pattern`, from its entry in
    /// [`WordLiterals::finals`] when one list uses it as it is: the walk has just read that
    /// entry, where `meta` is two reads further and often out of the cache.
    #[inline(always)]
    fn report(
        &self,
        text: &str,
        pattern: usize,
        start: usize,
        end: usize,
        out: &mut Vec<Hit>,
    ) -> bool {
        let plain = self.finals.get(pattern).map_or(0, |&f| (f >> 16) as usize);
        if plain == 0 {
            return LiteralSet::report_with(&self.meta, text, pattern, start, end, out);
        }
        let whole = whole_words(text, start, end);
        if whole {
            out.push(Hit {
                lexicon: plain - 1,
                start,
                end,
            });
        }
        whole
    }

    /// [`WordLiterals::find`] without [`WordFilter`]: a walk from every word, as before there
    /// was one (what the tests compare it with).
    #[cfg(test)]
    fn find_every_word(
        &self,
        text: &str,
        words: &[Word],
        found: &mut Vec<(usize, usize)>,
        open: &mut u128,
        out: &mut Vec<Hit>,
    ) {
        let bytes = text.as_bytes();
        let mut covered = 0;
        for w in words {
            if w.start >= covered {
                self.matches_at(bytes, w.start, found, open);
                for &(pattern, end) in found.iter().rev() {
                    if LiteralSet::report_with(&self.meta, text, pattern, w.start, end, out) {
                        covered = end;
                        break;
                    }
                }
            } else {
                self.matches_at(bytes, w.start, found, open);
            }
            if next_joiner(bytes, w.start) < w.end {
                self.inside(text, w, &mut covered, found, open, out);
            }
        }
    }

    /// Looks inside word `w` (one that is not ASCII letters only): a literal also starts after
    /// a hyphen or an apostrophe ("post-covid", "l'hôpital"); elsewhere only regex words are
    /// looked for (after `’` or `é`).
    #[inline(never)]
    fn inside(
        &self,
        text: &str,
        w: &Word,
        covered: &mut usize,
        found: &mut Vec<(usize, usize)>,
        open: &mut u128,
        out: &mut Vec<Hit>,
    ) {
        let bytes = text.as_bytes();
        let mut at = w.start;
        while let Some((next, literal)) = next_start(bytes, at, w.end) {
            at = next;
            if literal && at >= *covered {
                self.matches_at(bytes, at, found, open);
                for &(pattern, end) in found.iter().rev() {
                    if self.report(text, pattern, at, end, out) {
                        *covered = end;
                        break;
                    }
                }
            } else if self.any_gate {
                self.matches_at(bytes, at, found, open);
            }
        }
    }

    /// The patterns that match at `at`, longest last (at most a few: "pain", "pain killer"); the
    /// sets of words of regex terms that they belong to are added to `open`.
    #[inline(always)]
    fn matches_at(
        &self,
        bytes: &[u8],
        at: usize,
        found: &mut Vec<(usize, usize)>,
        open: &mut u128,
    ) {
        found.clear();
        match &self.trie.slots {
            Slots::Narrow(slots, patterns, pairs) => {
                self.walk((slots, patterns, pairs), bytes, at, found, open)
            }
            Slots::Wide(slots, patterns, pairs) => {
                self.walk((slots, patterns, pairs), bytes, at, found, open)
            }
        }
    }

    /// [`WordLiterals::matches_at`] in `slots` (base and check), whose checks have
    /// [`Slot::FINAL`] where pattern `patterns[state]` ends.
    #[inline(always)]
    fn walk<S: Slot>(
        &self,
        (slots, patterns, pairs): Tables<'_, S>,
        bytes: &[u8],
        at: usize,
        found: &mut Vec<(usize, usize)>,
        open: &mut u128,
    ) {
        let trie = &self.trie;
        let mut state = 0u32;
        let mut base = slots.first().map_or(0, |&[b, _]| b.into());
        // Just after the byte the walk is at.
        let mut end = at;
        if let (Some(&first), Some(&second)) = (bytes.get(at), bytes.get(at + 1)) {
            let pair = usize::from(trie.classes[usize::from(first)]) * trie.columns
                + usize::from(trie.classes[usize::from(second)]);
            let [two, two_base] = pairs
                .get(pair)
                .map_or([S::WALK, 0], |&[s, b]| [s.into(), b.into()]);
            if two == NO_PAIR {
                return;
            }
            if two != S::WALK {
                (state, base, end) = (two, two_base, at + 2);
            }
        }
        while let Some(&b) = bytes.get(end) {
            end += 1;
            let next = base + u32::from(trie.classes[usize::from(b)]);
            let Some(&[b, check]) = slots.get(next as usize) else {
                return;
            };
            // One test on the way through most states: the check is the state's, with no
            // pattern ending in the child.
            let other = check.into() ^ state;
            state = next;
            base = b.into();
            if other != 0 {
                if other != S::FINAL {
                    return;
                }
                let pattern = patterns.get(state as usize).map_or(0, |&p| p.into()) as usize;
                let finals = self.finals.get(pattern).copied().unwrap_or(0);
                // Words only regex terms need are no literals.
                if finals & 1 != 0 {
                    found.push((pattern, end));
                }
                // Most patterns belong to no set: entry 0, read without a branch.
                if let Some(gate) = self.gates.get((finals >> 1 & self.gate_mask) as usize) {
                    let whole = !bytes.get(end).is_some_and(u8::is_ascii_alphabetic);
                    *open |= gate.prefix | if whole { gate.word } else { 0 };
                }
            }
        }
    }
}

/// Which words of ASCII letters only a pattern of a [`WordTrie`] can start at, in a few bit
/// tests without a branch: most words start none, and the walk costs a mispredicted branch
/// where it stops and a read of the trie's slots at each byte.
///
/// A word of ASCII letters only is followed by a byte that is no ASCII letter
/// ([`crate::text::words`]), so a pattern the walk finds from its start (walking needs the
/// pattern's bytes, ASCII letters in either case) either
/// - is the word itself,
/// - is the word, then a byte that is no ASCII letter and at least two more (a pattern with
///   fewer bytes after its first word counts as the word itself), or
/// - ends inside the word: that matters only to a pattern of letters that may be followed by
///   more (`fuck*`, a regex term's `vaccin`; "open" below).
///
/// Each word has a block of 512 bits (one cache line), chosen by its first four letters (all of
/// them in a shorter word), where a bit chosen by the hash of the whole word stands for the first
/// case, a bit chosen by the hash of the word and the three bytes after it for the second, and
/// a bit chosen by the first four letters for the third (an open pattern of three letters sets
/// it for each letter that may follow; one of fewer letters sets every bit). The walk, which
/// tells exactly, runs where any of those is set (a hash collision only costs a walk that finds
/// nothing). Many patterns of several words start with common words ("the", "my", "in"): the
/// bytes after the word settle most of those without a walk. For the default policy and the
/// social corpus, one word in five is walked from (one in ten finds something).
struct WordFilter {
    /// 512 bits for each hash of a word's first four letters.
    blocks: Vec<Block>,
    block_shift: u32,
    /// What a whole word is multiplied by for its bit: of [`WORD_MULTIPLIERS`], the one that
    /// leaves the fewest [`COMMON_WORDS`] to be walked for nothing.
    word_multiplier: u64,
}

/// One block of a [`WordFilter`]: 512 bits aligned to a 64-byte cache line, so a word's three
/// bit reads touch one line. (As plain `[u64; 8]` in a `Vec`, aligned to 8 bytes, seven blocks in
/// eight straddled two lines, and a word's reads missed the first-level cache about 14 times a
/// social post where they now miss about 8.)
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Block([u64; 8]);

/// The fewest blocks a [`WordFilter`] has (4 KB; the default policy's filter has as many).
const FIXED_BLOCKS: usize = 64;

/// Numbers to multiply keys by for a hash (odd, bits mixed).
const HASH_BLOCK: u64 = 0x9E37_79B9_7F4A_7C15;
const WORD_MULTIPLIERS: [u64; 8] = [
    0xC2B2_AE3D_27D4_EB4F,
    0x1656_67B1_9E37_79F9,
    0xD6E8_FEB8_6659_FD93,
    0xA076_1D64_78BD_642F,
    0xE703_7ED1_A0B4_28DB,
    0x8EBC_6AF0_9C88_C6E3,
    0x5899_65CC_7537_4CC3,
    0x1D8E_4E27_C47D_124F,
];

/// Common English words: a hash collision that made one of them look like a pattern would cost
/// a walk at a good part of the words of every text.
const COMMON_WORDS: &[&str] = &[
    "the", "be", "to", "of", "and", "a", "in", "that", "have", "i", "it", "for", "not", "on",
    "with", "he", "as", "you", "do", "at", "this", "but", "his", "by", "from", "they", "we", "say",
    "her", "she", "or", "an", "will", "my", "one", "all", "would", "there", "their", "what", "so",
    "up", "out", "if", "about", "who", "get", "which", "go", "me", "when", "make", "can", "like",
    "time", "no", "just", "him", "know", "take", "people", "into", "year", "your", "good", "some",
    "could", "them", "see", "other", "than", "then", "now", "look", "only", "come", "its", "over",
    "think", "also", "back", "after", "use", "two", "how", "our", "work", "first", "well", "way",
    "even", "new", "want", "because", "any", "these", "give", "day", "most", "us", "is", "are",
    "was", "were", "been", "has", "had", "did", "today", "shift", "night", "patient", "patients",
    "team", "nurse", "care", "hospital",
];
const HASH_NEXT: u64 = 0xFF51_AFD7_ED55_8CCD;

impl WordFilter {
    fn new(list: &LiteralList) -> WordFilter {
        // The patterns as the walk takes them (ASCII letters in lower case).
        let lower: Vec<Vec<u8>> = list
            .literals
            .iter()
            .map(|l| l.as_bytes().to_ascii_lowercase())
            .collect();
        let letters = |p: &[u8]| p.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        // The bits to set, as (word's first four letters, bit in its block); whole words as
        // (first four letters, key), their bit once the multiplier is chosen.
        let mut bits: Vec<(u64, usize)> = Vec::new();
        let mut whole: Vec<(u64, u64)> = Vec::new();
        let mut always = 0u64;
        for (i, p) in lower.iter().enumerate() {
            let n = letters(p);
            // A pattern that starts with another byte starts at no word of ASCII letters only.
            let Some(word) = p.get(..n).filter(|w| !w.is_empty()) else {
                continue;
            };
            let first = first_eight(word);
            let key = word_key(first, n);
            let block = first & LETTERS[n.min(4)];
            match p.get(n..n + 3) {
                Some(after) => bits.push((block, next_bit(key, first_eight(after) | 0x0020_2020))),
                None => whole.push((block, key)),
            }
            let open = n == p.len()
                && (list
                    .meta
                    .get(i)
                    .is_some_and(|m| m.iter().any(|m| m.open_end))
                    || list.gates.get(i).is_some_and(|g| g.prefix != 0));
            if open {
                match n {
                    0..=2 => always = u64::MAX,
                    3 => bits.extend((b'a'..=b'z').map(|c| {
                        let block = block | u64::from(c) << 24;
                        (block, open_bit(block.wrapping_mul(HASH_BLOCK)))
                    })),
                    _ => bits.push((block, open_bit(block.wrapping_mul(HASH_BLOCK)))),
                }
            }
        }
        // About 32 bits a pattern.
        // (Two at least: a shift by 64 would wrap.)
        // At least [`FIXED_BLOCKS`], which the filter's loop reads without a bounds check.
        let blocks = (bits.len() / 16).next_power_of_two().max(FIXED_BLOCKS);
        let block_shift = 64 - blocks.trailing_zeros();
        let table = |word_multiplier: u64| {
            let mut table = vec![Block([always; 8]); blocks];
            // A word that is more than ASCII letters has no key (0), so the hash of its first
            // four letters is 0, whose open bit is bit 0 of block 0: set, every such word is
            // walked from (and looked inside) without a test of its own in the filter's loop.
            if let Some(Block(b)) = table.first_mut() {
                b[0] |= 1 << open_bit(0);
            }
            let whole = whole
                .iter()
                .map(|&(block, key)| (block, whole_bit(key, word_multiplier)));
            for (block, bit) in bits.iter().copied().chain(whole) {
                let at = (block.wrapping_mul(HASH_BLOCK) >> block_shift) as usize;
                if let Some(Block(b)) = table.get_mut(at) {
                    b[bit / 64] |= 1 << (bit % 64);
                }
            }
            WordFilter {
                blocks: table,
                block_shift,
                word_multiplier,
            }
        };
        // How many common words that start no pattern would be walked.
        let wasted = |filter: &WordFilter| {
            COMMON_WORDS
                .iter()
                .filter(|w| {
                    let key = word_key(first_eight(w.as_bytes()), w.len());
                    !whole.iter().any(|&(_, k)| k == key)
                        && filter.may_start(first_eight(w.as_bytes()), w.len(), 0)
                })
                .count()
        };
        let mut best = table(WORD_MULTIPLIERS[0]);
        let mut least = wasted(&best);
        for &m in &WORD_MULTIPLIERS[1..] {
            if least == 0 {
                break;
            }
            let filter = table(m);
            let n = wasted(&filter);
            if n < least {
                (best, least) = (filter, n);
            }
        }
        best
    }

    /// Whether a pattern may start at the word of ASCII letters only of `len` letters whose
    /// first eight bytes are `first`, followed by the bytes `after` (false: the walk from it
    /// would find nothing).
    fn may_start(&self, first: u64, len: usize, after: u64) -> bool {
        self.may_start_key((first | LOWER_CASE) & LETTERS[len.min(8)], len, after)
    }

    /// [`WordFilter::may_start`] from the word's [`Word::key`] (its first eight letters in
    /// lower case, zeros after a shorter word).
    #[inline(always)]
    fn may_start_key(&self, first: u64, len: usize, after: u64) -> bool {
        self.may_start_in(
            |hash| self.blocks.get((hash >> self.block_shift) as usize),
            first,
            len,
            after,
        )
    }

    /// [`WordFilter::may_start_key`] with the block of a hash of the first four letters told
    /// by `block_of`.
    #[inline(always)]
    fn may_start_in<'b>(
        &self,
        block_of: impl Fn(u64) -> Option<&'b Block>,
        first: u64,
        len: usize,
        after: u64,
    ) -> bool {
        let key = first.wrapping_add((len as u64) << 56);
        // The first four letters (all of a shorter word: the key has zeros after it).
        let block = first & 0xFFFF_FFFF;
        // Three bytes after the word, with bit 5 set as in a small letter (so a capital is its
        // small letter; the few other bytes that meet are only a walk for nothing).
        let after = after & 0x00FF_FFFF | 0x0020_2020;
        let hash = block.wrapping_mul(HASH_BLOCK);
        let (whole, next, open) = (
            whole_bit(key, self.word_multiplier),
            next_bit(key, after),
            open_bit(hash),
        );
        // In a word of fewer than four letters the open bit is that of no open pattern's first
        // four: a walk for nothing only where it is another's.
        block_of(hash).map_or(1, |Block(b)| {
            b[whole / 64] >> (whole % 64)
                | b[next / 64] >> (next % 64)
                | b[open / 64] >> (open % 64)
        }) & 1
            != 0
    }

    /// The words of `chunk` (64 at most) a pattern may start at, bit `i` for word `i`: among
    /// them every word that is more than ASCII letters (its [`Word::key`] is 0: it holds a
    /// hyphen, an apostrophe or a byte beyond ASCII, and is walked from and looked inside), as
    /// the bit key 0 leads to is set.
    #[inline(never)]
    fn candidates(&self, bytes: &[u8], chunk: &[Word]) -> u64 {
        // A table of [`FIXED_BLOCKS`] blocks (the default policy's) is indexed by the top bits
        // of the hash, below its length by construction: no bounds check, and neither the
        // table's length nor the shift takes a register in the loop (which spilled them and
        // read them back from the stack at every word).
        match <&[Block; FIXED_BLOCKS]>::try_from(self.blocks.as_slice()) {
            Ok(table) => self.candidates_in(
                |hash| Some(&table[(hash >> (64 - FIXED_BLOCKS.trailing_zeros())) as usize]),
                bytes,
                chunk,
            ),
            Err(_) => self.candidates_in(
                |hash| self.blocks.get((hash >> self.block_shift) as usize),
                bytes,
                chunk,
            ),
        }
    }

    /// [`WordFilter::candidates`] with the block of a hash told by `block_of`.
    #[inline(always)]
    fn candidates_in<'b>(
        &self,
        block_of: impl Fn(u64) -> Option<&'b Block> + Copy,
        bytes: &[u8],
        chunk: &[Word],
    ) -> u64 {
        let mut todo = 0u64;
        // From the last word back, each word's bits shifted in at the bottom: bit `i` ends up
        // for word `i`, with shifts by one instead of by `i` (which take a register of their own
        // on x86-64, and this loop is short of registers).
        for w in chunk.iter().rev() {
            // The word's first letters are its key; eight bytes from its end (the last words
            // of a text take the slower way).
            let after = eight_bytes(bytes, w.end);
            todo =
                todo << 1 | u64::from(self.may_start_in(block_of, w.key, w.end - w.start, after));
        }
        todo
    }
}

/// The words of `chunk` (64 at most) with a stand-in byte right before or right after them
/// ([`touches_stand_in`]): bit `i` for word `i`. A loop of its own, without a branch per word:
/// in the filter's loop, short of registers already, it cost more.
#[inline(never)]
fn stand_in_words(bytes: &[u8], chunk: &[Word]) -> u64 {
    let Some(last) = bytes.len().checked_sub(1) else {
        return 0;
    };
    // A byte out of the text is taken from the word's own first or last byte instead: a word
    // holds no stand-in (only ASCII letters, hyphens, apostrophes and bytes beyond ASCII), so
    // the answer is the same, and the index needs no branch.
    let byte = |i: usize| usize::from(bytes.get(i.min(last)).copied().unwrap_or(b' '));
    let mut touched = 0u64;
    for w in chunk.iter().rev() {
        let around = STAND_INS[byte(w.start.saturating_sub(1))] | STAND_INS[byte(w.end)];
        touched = touched << 1 | u64::from(around);
    }
    touched
}

/// The low `len` bytes of a `u64`, for `len` up to 8.
const LETTERS: [u64; 9] = {
    let mut masks = [u64::MAX; 9];
    let mut len = 0;
    while len < 8 {
        masks[len] = (1 << (8 * len)) - 1;
        len += 1;
    }
    masks
};

/// Bit 5 of each byte: ASCII letters in lower case.
const LOWER_CASE: u64 = 0x2020_2020_2020_2020;

/// The first eight bytes of `bytes`, zeros after its end.
fn first_eight(bytes: &[u8]) -> u64 {
    eight_bytes(bytes, 0)
}

/// A word of `len` ASCII letters whose first eight bytes (in lower case) are `first`, as one
/// number: the word itself up to seven letters, its first eight and its length beyond.
#[inline(always)]
fn word_key(first: u64, len: usize) -> u64 {
    (first & LETTERS[len.min(8)]).wrapping_add((len as u64) << 56)
}

/// The bit of a whole word (`key`) in its block.
#[inline(always)]
fn whole_bit(key: u64, multiplier: u64) -> usize {
    (key.wrapping_mul(multiplier) >> 55) as usize
}

/// The bit of a word (`key`) followed by three bytes (`after`) in the word's block.
#[inline(always)]
fn next_bit(key: u64, after: u64) -> usize {
    ((key ^ after << 40).wrapping_mul(HASH_NEXT) >> 55) as usize
}

/// The bit of an open pattern's first four letters in their block, from their hash.
#[inline(always)]
fn open_bit(hash: u64) -> usize {
    (hash >> 20) as usize & 511
}

/// The slot type of a [`WordTrie`]: u16 or u32.
trait Slot: Copy + Into<u32> {
    /// The bit of a check where a pattern ends.
    const FINAL: u32;
    /// In the pairs: walk the two bytes step by step.
    const WALK: u32;
}

impl Slot for u16 {
    const FINAL: u32 = 1 << 15;
    const WALK: u32 = u16::MAX as u32;
}

impl Slot for u32 {
    const FINAL: u32 = TrieSlot::FINAL;
    const WALK: u32 = WALK_PAIR;
}

/// A trie of lower-case patterns as a double array (ASCII letters in either case take the same
/// transition): a state's children sit at `base + class` for each of their byte classes, and
/// each child's slot names its parent, so a byte costs one lookup in the byte classes and one
/// slot, and the states of all patterns share one small array (6,975 slots of two u16, 28 KB,
/// for the default policy, where a row of every class per state took 1.2 MB and missed the
/// caches).
struct WordTrie {
    /// Each byte's class; bytes that occur in no pattern share class 0, which no state has a
    /// child of.
    classes: [u8; 256],
    /// How many classes there are.
    columns: usize,
    /// The states, by id; the root is state 0.
    slots: Slots,
}

/// In the pairs of a [`Slots`]: no pattern starts with the two bytes (the root is no byte's
/// target).
const NO_PAIR: u32 = 0;
/// In the pairs of a [`Slots`], as built: walk the two bytes step by step ([`Slot::WALK`] once
/// narrowed).
const WALK_PAIR: u32 = u32::MAX;

/// What a walk reads of a [`Slots`]: the slots, the patterns and the pairs.
type Tables<'a, S> = (&'a [[S; 2]], &'a [S], &'a [[S; 2]]);

/// The slots of a [`WordTrie`] (base and check), for each state where a pattern ends
/// ([`TrieSlot::FINAL`] in its check) the pattern, and the pairs; in u16 when they fit: half
/// the bytes to read.
///
/// The pairs: for the classes of two bytes (`first * columns + second`), the state they lead to
/// from the root and that state's base: most walks stop there or go on from there, in one lookup
/// instead of two steps (and with the base beside the state, without a read of the state's own
/// slot, which missed the first-level cache at one walk in two). [`NO_PAIR`] where no pattern
/// starts with them, [`Slot::WALK`] where a pattern ends at the first or the second byte (the
/// walk takes the two steps).
enum Slots {
    /// Bases and checks below 2^15 - 1; a check has bit 15 where a pattern ends, a free slot's
    /// is `u16::MAX`.
    Narrow(Vec<[u16; 2]>, Vec<u16>, Vec<[u16; 2]>),
    Wide(Vec<[u32; 2]>, Vec<u32>, Vec<[u32; 2]>),
}

/// One state of a [`WordTrie`], or a free slot.
#[derive(Clone, Copy)]
struct TrieSlot {
    /// Where the state's children start.
    base: u32,
    /// The state's parent, with [`TrieSlot::FINAL`] when a pattern ends here;
    /// [`TrieSlot::FREE`] for a slot that is no state (no state id XORs it to `FINAL`: ids stay
    /// below `2^31 - 1`, or `2^15 - 1` in u16).
    check: u32,
}

impl TrieSlot {
    const FINAL: u32 = 1 << 31;
    const FREE: u32 = u32::MAX;
}

impl WordTrie {
    fn new(patterns: &[String]) -> WordTrie {
        let mut classes = [0u8; 256];
        let mut columns = 1u8;
        for pattern in patterns {
            for &b in pattern.as_bytes() {
                let b = b.to_ascii_lowercase();
                if classes[usize::from(b)] == 0 {
                    classes[usize::from(b)] = columns;
                    columns = columns.saturating_add(1);
                }
            }
        }
        for b in b'A'..=b'Z' {
            classes[usize::from(b)] = classes[usize::from(b.to_ascii_lowercase())];
        }
        // The trie as nodes with children; node 0 is the root.
        let mut children: Vec<Vec<(u8, usize)>> = vec![Vec::new()];
        let mut node_pattern: Vec<Option<usize>> = vec![None];
        for (p, pattern) in patterns.iter().enumerate() {
            let mut node = 0;
            for &b in pattern.as_bytes() {
                let class = classes[usize::from(b.to_ascii_lowercase())];
                let existing = children
                    .get(node)
                    .and_then(|c| c.iter().find(|&&(k, _)| k == class))
                    .map(|&(_, n)| n);
                node = match existing {
                    Some(n) => n,
                    None => {
                        let n = children.len();
                        children.push(Vec::new());
                        node_pattern.push(None);
                        if let Some(c) = children.get_mut(node) {
                            c.push((class, n));
                        }
                        n
                    }
                };
            }
            if let Some(slot) = node_pattern.get_mut(node) {
                *slot = Some(p);
            }
        }
        // Nodes in depth-first order get their slots, each node's children from the first free
        // slot on: a node's children sit right after its parent's siblings' children, so the
        // few states a walk goes through after its first two bytes share a cache line or two.
        // (In breadth-first order, each level of the trie after the other, every byte of a
        // walk read a slot of its own level, and most of those reads missed the first-level
        // cache: about 15 misses a social post in the walk.)
        let free = TrieSlot {
            base: 0,
            check: TrieSlot::FREE,
        };
        // The root's slot names no parent: no byte leads back to it.
        let mut slots = vec![free];
        let mut slot_of = vec![0u32; children.len()];
        let mut stack = vec![0usize];
        // Slots below this one are all taken.
        let mut first_free = 1usize;
        while let Some(node) = stack.pop() {
            let (Some(kids), Some(&id)) = (children.get(node), slot_of.get(node)) else {
                continue;
            };
            if kids.is_empty() {
                continue;
            }
            while slots
                .get(first_free)
                .is_some_and(|s| s.check != TrieSlot::FREE)
            {
                first_free += 1;
            }
            let min_class = kids.iter().map(|&(c, _)| usize::from(c)).min().unwrap_or(1);
            let mut base = first_free.saturating_sub(min_class);
            while !kids.iter().all(|&(c, _)| {
                slots
                    .get(base + usize::from(c))
                    .is_none_or(|s| s.check == TrieSlot::FREE)
            }) {
                base += 1;
            }
            if let Some(s) = slots.get_mut(id as usize) {
                s.base = base as u32;
            }
            for &(c, child) in kids {
                let at = base + usize::from(c);
                if slots.len() <= at {
                    slots.resize(at + 1, free);
                }
                if let (Some(s), Some(to)) = (slots.get_mut(at), slot_of.get_mut(child)) {
                    s.check = id;
                    *to = at as u32;
                }
            }
            // The first child is placed from next.
            stack.extend(kids.iter().rev().map(|&(_, child)| child));
        }
        // Any base plus any class is a slot: the walk needs no bounds of its own.
        slots.resize(slots.len() + usize::from(columns), free);
        let mut pattern = vec![0u32; slots.len()];
        for (n, p) in node_pattern.iter().enumerate() {
            if let (Some(p), Some(&at)) = (p, slot_of.get(n)) {
                if let Some(s) = slots.get_mut(at as usize) {
                    s.check |= TrieSlot::FINAL;
                }
                if let Some(slot) = pattern.get_mut(at as usize) {
                    *slot = *p as u32;
                }
            }
        }
        // Where the first two bytes lead, for each pair of classes.
        let columns = usize::from(columns);
        let child = |state: u32, class: usize| -> Option<(u32, bool)> {
            let parent = slots.get(state as usize)?;
            let at = parent.base as usize + class;
            let slot = slots.get(at)?;
            (slot.check != TrieSlot::FREE && slot.check & !TrieSlot::FINAL == state)
                .then_some((at as u32, slot.check & TrieSlot::FINAL != 0))
        };
        let mut pairs = vec![[NO_PAIR, 0]; columns * columns];
        for (i, pair) in pairs.iter_mut().enumerate() {
            let (first, second) = (i / columns, i % columns);
            *pair = match child(0, first) {
                None => [NO_PAIR, 0],
                Some((_, true)) => [WALK_PAIR, 0],
                Some((one, false)) => match child(one, second) {
                    None => [NO_PAIR, 0],
                    Some((_, true)) => [WALK_PAIR, 0],
                    Some((two, false)) => [two, slots.get(two as usize).map_or(0, |s| s.base)],
                },
            };
        }
        let narrow_pairs: Option<Vec<[u16; 2]>> = pairs
            .iter()
            .map(|&[state, base]| match state {
                WALK_PAIR => Some([u16::MAX, 0]),
                _ => Some([u16::try_from(state).ok()?, u16::try_from(base).ok()?]),
            })
            .collect();
        let narrow_patterns: Option<Vec<u16>> =
            pattern.iter().map(|&p| u16::try_from(p).ok()).collect();
        let narrow: Option<Vec<[u16; 2]>> = (slots.len() < (1 << 15) - 1)
            .then(|| {
                slots
                    .iter()
                    .map(|s| {
                        let base = u16::try_from(s.base).ok()?;
                        if s.check == TrieSlot::FREE {
                            return Some([base, u16::MAX]);
                        }
                        let flag = if s.check & TrieSlot::FINAL != 0 {
                            1 << 15
                        } else {
                            0
                        };
                        let check = u16::try_from(s.check & !TrieSlot::FINAL).ok()? | flag;
                        Some([base, check])
                    })
                    .collect()
            })
            .flatten();
        let slots = match (narrow, narrow_patterns, narrow_pairs) {
            (Some(narrow), Some(patterns), Some(pairs)) => Slots::Narrow(narrow, patterns, pairs),
            _ => Slots::Wide(
                slots.iter().map(|s| [s.base, s.check]).collect(),
                pattern,
                pairs,
            ),
        };
        WordTrie {
            classes,
            columns,
            slots,
        }
    }
}

/// All word lists of a policy, compiled.
pub(crate) struct Lexicons {
    /// Literals that start with a letter: searched for, anchored, at word starts.
    at_words: Option<WordLiterals>,
    /// Literals that may start anywhere: searched for over the whole text.
    anywhere: Option<LiteralSet>,
    regex: Option<Regex>,
    /// Each gated regex term (one whose [`Lexicons::regex_needs`] are not empty) compiled on
    /// its own, searched instead of [`Lexicons::regex`] in a text where only that term's words
    /// are all found: a pattern that cannot match never preempts another's match, so it finds
    /// what the whole regex would, through a far smaller automaton (whose states stay in the
    /// caches) and the literal prefilter the library makes for a single term.
    term_regexes: Vec<Option<Regex>>,
    regex_lexicon: Vec<usize>,
    /// For each regex term, the sets of words it needs a word of each of ([`gate`]).
    regex_needs: Vec<u128>,
    /// The first (most telling) set of each regex term: a text with none of them needs no
    /// further look at [`Lexicons::regex_needs`].
    regex_first_sets: u128,
    /// For each bit of [`Lexicons::regex_first_sets`], the regex term (in
    /// [`Lexicons::regex_needs`]) whose first set it is.
    regex_term_of_first_set: Vec<usize>,
    /// Some regex term needs no word the walk finds: the regex runs on every text.
    regex_ungated: bool,
    /// The terms (their places in the specs given to [`Lexicons::new`]) that make the regex run
    /// on every text, for a warning when the policy is checked.
    ungated_terms: Vec<usize>,
    /// The terms (their places in the specs) that let a word of one or two letters begin a
    /// longer word (`ab*`, a regex's `pts?`): the word filter then passes every word, and the
    /// walk starts at each, for a warning when the policy is checked.
    every_word_terms: Vec<usize>,
    obfuscated: Option<Regex>,
    obfuscated_lexicon: Vec<usize>,
}

/// Why a word list could not be compiled.
#[derive(Debug)]
pub(crate) struct LexiconBuildError(pub String);

fn letter_class(c: char) -> String {
    let alts: &str = match c {
        'a' => "a@4*",
        'b' => "b8*",
        'e' => "e3*",
        'g' => "g9*",
        'i' => "i1!|l*",
        'l' => "l1|*",
        'o' => "o0*",
        's' => "s$5*",
        't' => "t7+*",
        'u' => "uv*",
        c if c.is_ascii_alphanumeric() => return format!("[{c}*]"),
        c => return regex_syntax_escape(c),
    };
    let mut class = String::from("[");
    for ch in alts.chars() {
        if matches!(ch, '|' | '*' | '$' | '+' | '!' | '@') {
            class.push('\\');
        }
        class.push(ch);
    }
    class.push(']');
    class
}

fn regex_syntax_escape(c: char) -> String {
    if c.is_ascii_punctuation() {
        format!("\\{c}")
    } else if c == ' ' {
        r"\s+".to_owned()
    } else {
        c.to_string()
    }
}

fn escape(s: &str) -> String {
    s.chars().map(regex_syntax_escape).collect()
}

impl Lexicons {
    pub(crate) fn new(terms: &[TermSpec<'_>]) -> Result<Lexicons, LexiconBuildError> {
        let mut at_words = LiteralList::default();
        let mut anywhere = LiteralList::default();
        let mut regexes = Vec::new();
        let mut regex_lexicon = Vec::new();
        let mut regex_needs = Vec::new();
        let mut regex_ungated = false;
        let mut regex_first_sets = 0;
        let mut regex_term_of_first_set = Vec::new();
        // The next free bit for a set of words of a regex term.
        let mut next_set = 0u32;
        let mut obfuscated = Vec::new();
        let mut obfuscated_lexicon = Vec::new();
        let mut ungated_terms = Vec::new();
        let mut every_word_terms = Vec::new();
        // A word of one or two ASCII letters that may begin a longer word.
        let short_open =
            |word: &str| word.len() <= 2 && word.bytes().all(|b| b.is_ascii_alphabetic());
        for (place, spec) in terms.iter().enumerate() {
            let term = spec.term.trim();
            let flags = if spec.case_sensitive { "" } else { "(?i)" };
            if let Some(inner) = term.strip_prefix('/').and_then(|t| t.strip_suffix('/')) {
                let mut needs = 0u128;
                for set in gate::words(inner, 6)
                    .into_iter()
                    .chain(gate::common_words(inner))
                {
                    let Some(bit) = 1u128.checked_shl(next_set) else {
                        break;
                    };
                    next_set += 1;
                    if needs == 0 {
                        regex_first_sets |= bit;
                    }
                    // Each set has a bit of its own: bit `n` is the set made `n`th.
                    regex_term_of_first_set.push(regex_needs.len());
                    needs |= bit;
                    for (word, whole) in set {
                        if !whole && short_open(&word) && every_word_terms.last() != Some(&place) {
                            every_word_terms.push(place);
                        }
                        at_words.add_gate(word, bit, whole);
                    }
                }
                if needs == 0 {
                    regex_ungated = true;
                    ungated_terms.push(place);
                }
                regex_needs.push(needs);
                regexes.push(format!(r"{flags}(?-u:\b)(?:{inner})(?-u:\b)"));
                regex_lexicon.push(spec.lexicon);
                continue;
            }
            let open_start = term.starts_with('*');
            let open_end = term.ends_with('*') && term.len() > 1;
            let core = term.trim_matches('*');
            if core.contains('*') {
                let body = core.split('*').map(escape).collect::<Vec<_>>().join(r"\w*");
                regexes.push(format!(r"{flags}(?-u:\b)\w*{body}\w*(?-u:\b)"));
                regex_lexicon.push(spec.lexicon);
                regex_needs.push(0);
                regex_ungated = true;
                ungated_terms.push(place);
                continue;
            }
            let literal = core.to_lowercase();
            if open_end && !open_start && short_open(&literal) {
                every_word_terms.push(place);
            }
            let meta = LiteralMeta {
                lexicon: spec.lexicon,
                open_start,
                open_end,
                exact: spec.case_sensitive.then(|| core.to_owned()),
            };
            if !open_start && literal.chars().next().is_some_and(char::is_alphabetic) {
                at_words.add(literal, meta);
            } else {
                anywhere.add(literal, meta);
            }
            if spec.obfuscations && !core.contains(' ') {
                let mut pattern: String = core.to_lowercase().chars().map(letter_class).collect();
                if open_end {
                    pattern.push_str(r"[a-z0-9*@$!]*");
                }
                obfuscated.push(format!("(?i){pattern}"));
                obfuscated_lexicon.push(spec.lexicon);
            }
        }
        let build = |sources: &[String]| -> Result<Option<Regex>, LexiconBuildError> {
            if sources.is_empty() {
                return Ok(None);
            }
            crate::ascii_regex::build(sources)
                .map(Some)
                .map_err(LexiconBuildError)
        };
        let term_regexes = regexes
            .iter()
            .zip(&regex_needs)
            .map(|(source, &needs)| {
                if needs == 0 {
                    return Ok(None);
                }
                build(std::slice::from_ref(source))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Lexicons {
            at_words: WordLiterals::new(at_words),
            anywhere: anywhere.build(StartKind::Unanchored)?,
            regex: build(&regexes)?,
            term_regexes,
            regex_lexicon,
            regex_needs,
            regex_first_sets,
            regex_term_of_first_set,
            regex_ungated,
            ungated_terms,
            every_word_terms,
            obfuscated: build(&obfuscated)?,
            obfuscated_lexicon,
        })
    }

    /// The hits in `text` (split into `words`), in `out`, sorted by position; `buffers` are
    /// reused from one text to the next. `applies`: for each lexicon, whether its hits count in
    /// this text (a list limited to replies and comments does not count in a post); the regex
    /// is not searched for terms of lists that do not, so their hits may be missing from `out`.
    pub(crate) fn find(
        &self,
        text: &str,
        words: &[Word],
        buffers: &mut Buffers,
        out: &mut Vec<Hit>,
        applies: &[bool],
    ) {
        out.clear();
        buffers.stand_ins.clear();
        // The sets of words of regex terms that the walk found a word of.
        let mut open = 0;
        if let Some(set) = &self.at_words {
            let obfuscations = self.obfuscated.is_some();
            match &set.trie.slots {
                Slots::Narrow(slots, patterns, pairs) => set.find_either(
                    (slots, patterns, pairs),
                    obfuscations,
                    text,
                    words,
                    buffers,
                    &mut open,
                    out,
                ),
                Slots::Wide(slots, patterns, pairs) => set.find_either(
                    (slots, patterns, pairs),
                    obfuscations,
                    text,
                    words,
                    buffers,
                    &mut open,
                    out,
                ),
            }
        }
        if let Some(set) = self
            .anywhere
            .as_ref()
            .filter(|set| set.starts.in_text(text.as_bytes()))
        {
            for m in set.ac.find_iter(text) {
                set.report(text, m.pattern().as_usize(), m.start(), m.end(), out);
            }
        }
        if let Some((re, only)) = self.regex_to_search(open, applies) {
            for m in re.find_iter(text) {
                // The whole regex's pattern, or the one term searched alone.
                let term = only.unwrap_or(m.pattern().as_usize());
                if let Some(&lexicon) = self.regex_lexicon.get(term) {
                    out.push(Hit {
                        lexicon,
                        start: m.start(),
                        end: m.end(),
                    });
                }
            }
        }
        if let Some(re) = &self.obfuscated {
            // The words a stand-in touches: told by the word walk, 64 at a time, or by a look at
            // each.
            let mut done = 0;
            if self.at_words.is_some() {
                for (k, &mark) in buffers.stand_ins.iter().enumerate() {
                    let mut mark = mark;
                    while mark != 0 {
                        let i = 64 * k + mark.trailing_zeros() as usize;
                        mark &= mark - 1;
                        if let Some(w) = words.get(i) {
                            self.obfuscated_at(re, text, w, &mut done, out);
                        }
                    }
                }
            } else {
                for w in words {
                    if touches_stand_in(text.as_bytes(), w) {
                        self.obfuscated_at(re, text, w, &mut done, out);
                    }
                }
            }
        }
        out.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        out.dedup_by(|b, a| a.lexicon == b.lexicon && b.start < a.end);
    }

    /// The obfuscated spelling in the token around word `w`, one a stand-in touches, in `out`
    /// (see [`obfuscated_token`]); `done`: where the last token looked at ended, as the next
    /// word may be in the same token.
    #[inline(never)]
    fn obfuscated_at(
        &self,
        re: &Regex,
        text: &str,
        w: &Word,
        done: &mut usize,
        out: &mut Vec<Hit>,
    ) {
        if w.start < *done {
            return;
        }
        let bytes = text.as_bytes();
        // Most words a stand-in touches end a sentence with `!` ("shift!"): with whitespace (or
        // nothing) right before the word and only `!` and punctuation that is trimmed off after
        // it up to the whitespace, the token trimmed is the word's own bytes, which hold no
        // stand-in. No other word is in that token.
        if w.start == 0 || bytes.get(w.start - 1).is_some_and(u8::is_ascii_whitespace) {
            let tail = bytes.get(w.end..).unwrap_or(&[]);
            let rest = tail.iter().position(|&b| !(b == b'!' || trimmed(b)));
            if rest.is_none_or(|i| tail.get(i).is_some_and(u8::is_ascii_whitespace)) {
                return;
            }
        }
        let head = bytes.get(..w.start).unwrap_or(&[]);
        let start = head
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(0, |i| i + 1);
        let tail = bytes.get(w.end..).unwrap_or(&[]);
        let end = tail
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |i| w.end + i);
        *done = end;
        let Some((start, end)) = obfuscated_token(bytes, start, end) else {
            return;
        };
        let Some(token) = text.get(start..end) else {
            return;
        };
        let input = Input::new(token).anchored(Anchored::Yes);
        if let Some(m) = re.search(&input) {
            if m.end() == token.len() {
                if let Some(&lexicon) = self.obfuscated_lexicon.get(m.pattern().as_usize()) {
                    out.push(Hit {
                        lexicon,
                        start,
                        end,
                    });
                }
            }
        }
    }

    /// The terms, by their places in the specs given to [`Lexicons::new`], that make the word
    /// lists' regex run on every text: a regex term with no word the walk can find first (it
    /// starts with a class, a digit or an optional part, or the policy's regex terms need more
    /// than 128 sets of words), or a term with `*` inside it.
    pub(crate) fn every_word_terms(&self) -> &[usize] {
        &self.every_word_terms
    }

    pub(crate) fn ungated_terms(&self) -> &[usize] {
        &self.ungated_terms
    }

    /// The regex to search, if some regex term of a list that `applies` has a word of each of
    /// its sets in `open`: the whole regex, or, when only one term has (of any list), that
    /// term's own regex, with its place among the regex terms. A term's first set is a bit of
    /// its own, so only the terms whose first set is open are looked at (one or two in most
    /// texts, where looking at every term cost about 90 instructions a post). The regex then
    /// finds the terms of every list, as leftmost-first matches; where only terms of lists
    /// that do not apply could match, it is not searched, which loses no hit that counts.
    fn regex_to_search(&self, open: u128, applies: &[bool]) -> Option<(&Regex, Option<usize>)> {
        let whole = self.regex.as_ref()?;
        if self.regex_ungated {
            return Some((whole, None));
        }
        // The terms whose needs are met: the first of them, how many, and whether one of
        // them counts in this text.
        let (mut first, mut met, mut counted) = (0, 0, false);
        let mut firsts = open & self.regex_first_sets;
        while firsts != 0 {
            let bit = firsts.trailing_zeros() as usize;
            firsts &= firsts - 1;
            let Some(&term) = self.regex_term_of_first_set.get(bit) else {
                continue;
            };
            let needs_met = self
                .regex_needs
                .get(term)
                .is_some_and(|&needs| needs & !open == 0);
            let counts = self
                .regex_lexicon
                .get(term)
                .is_none_or(|&lexicon| applies.get(lexicon).copied().unwrap_or(true));
            if needs_met {
                if met == 0 {
                    first = term;
                }
                met += 1;
                counted |= counts;
            }
        }
        if !counted {
            return None;
        }
        match self.term_regexes.get(first) {
            Some(Some(alone)) if met == 1 => Some((alone, Some(first))),
            _ => Some((whole, None)),
        }
    }
}

/// Buffers [`Lexicons::find`] reuses from one text to the next.
#[derive(Default)]
pub(crate) struct Buffers {
    /// The patterns a walk found, as (pattern, end).
    found: Vec<(usize, usize)>,
    /// For each 64 words, the words a stand-in byte touches: bit `i` for word `i`.
    stand_ins: Vec<u64>,
}

/// The words of `words` whose bit is set in `marks` (bit `i` of `marks[k]` for word
/// `64 * k + i`), in order (what the tests compare with [`touches_stand_in`]).
#[cfg(test)]
fn marked_words<'a>(words: &'a [Word], marks: &'a [u64]) -> impl Iterator<Item = &'a Word> + 'a {
    words.chunks(64).zip(marks).flat_map(|(chunk, &mark)| {
        let mut mark = mark;
        std::iter::from_fn(move || {
            if mark == 0 {
                return None;
            }
            let i = mark.trailing_zeros() as usize;
            mark &= mark - 1;
            chunk.get(i)
        })
    })
}

/// Whether the byte before word `w` or the byte after it is a stand-in.
#[inline(always)]
fn touches_stand_in(bytes: &[u8], w: &Word) -> bool {
    let byte = |i: usize| usize::from(bytes.get(i).copied().unwrap_or(b' '));
    STAND_INS[byte(w.start.wrapping_sub(1))] | STAND_INS[byte(w.end)]
}

/// The first byte from `from` on that is an apostrophe, a hyphen or beyond ASCII, eight bytes at
/// a time; the end of `bytes` if there is none. A word holds no other bytes than these and
/// ASCII letters ([`crate::text::words`]): one without any is ASCII letters only. (The scan tells
/// such words by their key, 0; the tests compare that with this look at the bytes.)
#[cfg(test)]
fn next_joiner(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The top bit of each byte of `x` that is zero, and maybe of bytes after one (a borrow):
    // the first flagged byte is right.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let mut i = from;
    while let Some(chunk) = bytes
        .get(i..i + 8)
        .and_then(|c| <[u8; 8]>::try_from(c).ok())
        .map(u64::from_le_bytes)
    {
        let flagged = (chunk | zero(chunk ^ (ONES * 0x27)) | zero(chunk ^ (ONES * 0x2d))) & HIGH;
        if flagged != 0 {
            return i + (flagged.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    bytes
        .get(i..)
        .and_then(|rest| {
            rest.iter()
                .position(|&b| matches!(b, b'\'' | b'-') || !b.is_ascii())
        })
        .map_or(bytes.len(), |p| i + p)
}

/// [`at_word_boundaries`], without decoding characters when the bytes around are ASCII.
fn whole_words(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    // The ASCII byte at `i`; a space where there is none; `None` for other bytes.
    let ascii = |i: Option<usize>| match i.and_then(|i| bytes.get(i)) {
        None => Some(b' '),
        Some(&b) => b.is_ascii().then_some(b),
    };
    let around = (
        ascii(start.checked_sub(1)),
        ascii(Some(start)),
        ascii(end.checked_sub(1)),
        ascii(Some(end)),
    );
    match around {
        (Some(before), Some(first), Some(last), Some(after)) => {
            (!first.is_ascii_alphanumeric() || !before.is_ascii_alphanumeric())
                && (!last.is_ascii_alphanumeric() || !after.is_ascii_alphanumeric())
        }
        _ => at_word_boundaries(text, start, end),
    }
}

/// The next place in a word (ending at `end`) after `at` where the walk looks: after a hyphen
/// or an apostrophe (true: a literal may start there), or at an ASCII letter after another byte
/// (false: only a regex word can, as after `’` or `é`).
fn next_start(bytes: &[u8], at: usize, end: usize) -> Option<(usize, bool)> {
    let mut prev = *bytes.get(at)?;
    for (i, &b) in bytes.get(at + 1..end)?.iter().enumerate() {
        if !prev.is_ascii_alphabetic() {
            if matches!(prev, b'-' | b'\'') {
                return Some((at + 1 + i, true));
            }
            if b.is_ascii_alphabetic() {
                return Some((at + 1 + i, false));
            }
        }
        prev = b;
    }
    None
}

fn extend_left(text: &str, mut start: usize) -> usize {
    while let Some(c) = text.get(..start).and_then(|s| s.chars().next_back()) {
        if !c.is_alphanumeric() {
            break;
        }
        start -= c.len_utf8();
    }
    start
}

fn extend_right(text: &str, mut end: usize) -> usize {
    while let Some(c) = text.get(end..).and_then(|s| s.chars().next()) {
        if !c.is_alphanumeric() {
            break;
        }
        end += c.len_utf8();
    }
    end
}

/// The bytes people put in place of letters to dodge filters (`f*ck`, `sh1t`, `@ss`, `$hit`).
const STAND_INS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = b'0';
    while b <= b'9' {
        table[b as usize] = true;
        b += 1;
    }
    table[b'*' as usize] = true;
    table[b'@' as usize] = true;
    table[b'$' as usize] = true;
    table[b'!' as usize] = true;
    table[b'|' as usize] = true;
    table[b'+' as usize] = true;
    table
};

fn is_stand_in(b: u8) -> bool {
    STAND_INS[usize::from(b)]
}

/// The punctuation [`obfuscated_token`] trims off both ends of a token (and `!` off its end).
fn trimmed(b: u8) -> bool {
    matches!(
        b,
        b'.' | b',' | b'?' | b'"' | b'\'' | b'(' | b')' | b':' | b';' | b'[' | b']'
    )
}

/// Obfuscated words mix letters with the stand-ins people use to dodge filters (`f*ck`, `sh1t`,
/// `@ss`). Such a token is letters and stand-ins only, so one of its letters touches one of its
/// stand-ins, and every letter is in a word: a word with a stand-in right before or right after
/// it is the only place one can be. A look at the two bytes around each word spares a scan of
/// every byte of the text (made 64 words at a time without a branch per word by
/// [`stand_in_words`] beside the word walk, or one by one); the whitespace-delimited token around
/// each such word is then checked ([`Lexicons::obfuscated_at`]).
/// The token `start..end` (whitespace-delimited) without the punctuation around it, when it
/// mixes letters and stand-ins as an obfuscated word does.
fn obfuscated_token(bytes: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let (mut s, mut e) = (start, end);
    while s < e && bytes.get(s).is_some_and(|&b| trimmed(b)) {
        s += 1;
    }
    while e > s && bytes.get(e - 1).is_some_and(|&b| trimmed(b) || b == b'!') {
        e -= 1;
    }
    let token = bytes.get(s..e)?;
    if token.len() < 3 || token.len() > 24 {
        return None;
    }
    // One pass: most tokens are plain words and stop at the first check below.
    let (mut letters, mut stand_ins, mut symbol, mut inner_digit) = (0, 0, false, false);
    for (i, &b) in token.iter().enumerate() {
        if b.is_ascii_alphabetic() {
            letters += 1;
        } else if b.is_ascii_digit() {
            stand_ins += 1;
            // Digits stand in for letters only between letters ("sh1t"), not in
            // "2nd", "9am", "4B".
            inner_digit |= i > 0
                && token.get(i - 1).is_some_and(u8::is_ascii_alphabetic)
                && token.get(i + 1).is_some_and(|n| !n.is_ascii_digit());
        } else if is_stand_in(b) {
            // Symbols may stand anywhere ("@ss", "f*ck", "$hit").
            stand_ins += 1;
            symbol = true;
        } else {
            break;
        }
    }
    let not_handle = !(token.first() == Some(&b'@') && letters + 1 == token.len());
    (letters >= 1
        && stand_ins >= 1
        && letters + stand_ins == token.len()
        && not_handle
        && (symbol || inner_digit))
        .then_some((s, e))
}

/// What a regex term needs in the text before it can match: one of a few words, each at a place
/// where the word walk of [`Lexicons::find`] looks (a letter with no ASCII letter before it).
/// `vaccin\w*\s+cause...` needs `vaccin`; `your\s+(?:visit|stay|...)\s+...` needs one of `visit`,
/// `stay`, ... (rarer than `your`). The regex runs only on texts that have one; a term whose
/// syntax the gate does not follow (or that needs no word) runs on every text.
mod gate {
    /// A regex term's syntax, as much of it as the gate needs.
    pub(super) enum Node {
        /// One character, matched literally.
        Char(char),
        /// Any other one-character item (class, escape, `.`); `letters`: it may match an ASCII
        /// letter.
        Class {
            letters: bool,
        },
        /// A zero-width assertion; `word_boundary`: `\b`.
        Assert {
            word_boundary: bool,
        },
        Concat(Vec<Node>),
        Alt(Vec<Node>),
        Repeat {
            node: Box<Node>,
            min: u32,
        },
    }

    /// Parses a regex in the subset the gate follows; `None` for anything else (flags, named
    /// groups, back-references, unknown escapes...).
    pub(super) fn parse(pattern: &str) -> Option<Node> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let node = alternation(&chars, &mut pos)?;
        (pos == chars.len()).then_some(node)
    }

    fn alternation(chars: &[char], pos: &mut usize) -> Option<Node> {
        let mut alts = vec![concat(chars, pos)?];
        while chars.get(*pos) == Some(&'|') {
            *pos += 1;
            alts.push(concat(chars, pos)?);
        }
        Some(if alts.len() == 1 {
            alts.pop()?
        } else {
            Node::Alt(alts)
        })
    }

    fn concat(chars: &[char], pos: &mut usize) -> Option<Node> {
        let mut items = Vec::new();
        while let Some(&c) = chars.get(*pos) {
            if c == '|' || c == ')' {
                break;
            }
            let mut node = atom(chars, pos)?;
            while let Some(min) = quantifier(chars, pos)? {
                node = Node::Repeat {
                    node: Box::new(node),
                    min,
                };
            }
            items.push(node);
        }
        Some(Node::Concat(items))
    }

    /// The minimum of a quantifier at `pos`, if there is one (`Some(None)`: none).
    fn quantifier(chars: &[char], pos: &mut usize) -> Option<Option<u32>> {
        let min = match chars.get(*pos) {
            Some('?' | '*') => {
                *pos += 1;
                0
            }
            Some('+') => {
                *pos += 1;
                1
            }
            Some('{') => {
                let close = chars.get(*pos..)?.iter().position(|&c| c == '}')? + *pos;
                let inner: String = chars.get(*pos + 1..close)?.iter().collect();
                let min_text = inner.split(',').next()?;
                let valid = inner.split(',').count() <= 2
                    && inner.split(',').enumerate().all(|(i, p)| {
                        p.chars().all(|c| c.is_ascii_digit()) && (i > 0 || !p.is_empty())
                    });
                if !valid {
                    return None;
                }
                *pos = close + 1;
                min_text.parse().ok()?
            }
            _ => return Some(None),
        };
        // A lazy quantifier matches the same texts.
        if chars.get(*pos) == Some(&'?') {
            *pos += 1;
        }
        Some(Some(min))
    }

    fn atom(chars: &[char], pos: &mut usize) -> Option<Node> {
        let c = *chars.get(*pos)?;
        *pos += 1;
        Some(match c {
            '(' => {
                if chars.get(*pos) == Some(&'?') {
                    if chars.get(*pos + 1) != Some(&':') {
                        return None;
                    }
                    *pos += 2;
                }
                let node = alternation(chars, pos)?;
                if chars.get(*pos) != Some(&')') {
                    return None;
                }
                *pos += 1;
                node
            }
            '[' => class(chars, pos)?,
            '\\' => escape(chars, pos)?,
            '.' => Node::Class { letters: true },
            '^' | '$' => Node::Assert {
                word_boundary: false,
            },
            ')' | '*' | '+' | '?' | '{' | '}' | ']' => return None,
            c => Node::Char(c),
        })
    }

    fn escape(chars: &[char], pos: &mut usize) -> Option<Node> {
        let c = *chars.get(*pos)?;
        *pos += 1;
        Some(match c {
            'b' => Node::Assert {
                word_boundary: true,
            },
            'B' | 'A' | 'z' | '<' | '>' => Node::Assert {
                word_boundary: false,
            },
            's' | 'd' | 'n' | 't' | 'r' | 'f' | 'v' => Node::Class { letters: false },
            'S' | 'D' | 'w' | 'W' => Node::Class { letters: true },
            c if c.is_ascii_punctuation() => Node::Char(c),
            _ => return None,
        })
    }

    /// A bracketed class; whether it can match an ASCII letter is all that matters, and anything
    /// unusual in it counts as a letter.
    fn class(chars: &[char], pos: &mut usize) -> Option<Node> {
        let mut letters = false;
        if chars.get(*pos) == Some(&'^') {
            letters = true;
            *pos += 1;
        }
        let mut first = true;
        loop {
            let c = *chars.get(*pos)?;
            *pos += 1;
            match c {
                ']' if !first => break,
                '[' => return None,
                '\\' => {
                    let e = *chars.get(*pos)?;
                    *pos += 1;
                    match e {
                        's' | 'd' | 'n' | 't' | 'r' | 'f' | 'v' => {}
                        e if e.is_ascii_punctuation() => {}
                        _ => letters = true,
                    }
                }
                // A range: it may span letters unless both ends are below 'A' ('0'-'9').
                '-' if !first && chars.get(*pos) != Some(&']') => {
                    let end = *chars.get(*pos)?;
                    *pos += 1;
                    if end == '\\' || end == '[' || end >= 'A' {
                        letters = true;
                    }
                }
                c => letters |= c.is_ascii_alphabetic(),
            }
            first = false;
        }
        Some(Node::Class { letters })
    }

    /// Whether, where `node` ends, the byte before can be no ASCII letter; `before`: the same
    /// where it starts. A word that starts there is one the word walk looks at.
    fn boundary_after(node: &Node, before: bool) -> bool {
        match node {
            Node::Char(c) => !c.is_ascii_alphabetic(),
            Node::Class { letters } => !letters,
            // A letter right after `\b` has no word character before it.
            Node::Assert { word_boundary } => *word_boundary,
            Node::Concat(items) => items.iter().fold(before, |b, n| boundary_after(n, b)),
            Node::Alt(alts) => alts.iter().all(|n| boundary_after(n, before)),
            Node::Repeat { node, min } => {
                // Later rounds start after earlier ones: what holds with no help holds for them.
                let last = boundary_after(node, false);
                if *min == 0 {
                    before && last
                } else {
                    last
                }
            }
        }
    }

    /// Whether what `items` match, followed by what `follow` says of the rest, starts with no
    /// ASCII letter (nothing at all counts too), right after an ASCII letter.
    fn starts_nonletter(items: &[Node], follow: bool) -> bool {
        let Some((first, rest)) = items.split_first() else {
            return follow;
        };
        match first {
            Node::Char(c) => !c.is_ascii_alphabetic(),
            Node::Class { letters } => !letters,
            // After a letter, `\b` has no word character next.
            Node::Assert { word_boundary } => *word_boundary,
            Node::Concat(inner) => starts_nonletter(inner, starts_nonletter(rest, follow)),
            Node::Alt(alts) => {
                let next = starts_nonletter(rest, follow);
                alts.iter()
                    .all(|n| starts_nonletter(std::slice::from_ref(n), next))
            }
            Node::Repeat { node, min } => {
                let once = starts_nonletter(std::slice::from_ref(node.as_ref()), false);
                once && (*min > 0 || starts_nonletter(rest, follow))
            }
        }
    }

    /// A string the walk can look for, and whether it must be a whole word (no ASCII letter
    /// right after it).
    pub(super) type Word = (String, bool);

    /// The strings that every match of `items` (followed by something `follow` describes)
    /// starts with, one of them, when it starts with literal characters.
    fn prefixes(items: &[Node], follow: bool) -> Option<Vec<Word>> {
        let mut run = String::new();
        for (i, item) in items.iter().enumerate() {
            let rest = items.get(i + 1..).unwrap_or(&[]);
            match item {
                // The walk matches ASCII letters in any case and other bytes as they are; the
                // regex might fold other letters.
                Node::Char(c) if c.is_ascii() => run.push(*c),
                _ if !run.is_empty() => {
                    let whole = run.ends_with(|c: char| c.is_ascii_alphabetic())
                        && starts_nonletter(items.get(i..).unwrap_or(&[]), follow);
                    return Some(vec![(run, whole)]);
                }
                Node::Assert { .. } => {}
                Node::Concat(inner) => return prefixes(inner, starts_nonletter(rest, follow)),
                Node::Alt(alts) => {
                    let next = starts_nonletter(rest, follow);
                    let mut all = Vec::new();
                    for alt in alts {
                        all.extend(prefixes(std::slice::from_ref(alt), next)?);
                    }
                    return Some(all);
                }
                Node::Repeat { node, min } if *min > 0 => {
                    return prefixes(std::slice::from_ref(node.as_ref()), false)
                }
                _ => return None,
            }
        }
        let whole = run.ends_with(|c: char| c.is_ascii_alphabetic()) && follow;
        (!run.is_empty()).then_some(vec![(run, whole)])
    }

    /// A string the word walk can find: it starts with an ASCII letter, at a place with no ASCII
    /// letter before it; two characters at least, and not `s` and a non-letter (the `s` of a
    /// possessive `'s` is in no word).
    fn walkable(s: &str) -> bool {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(a), Some(b)) => {
                a.is_ascii_alphabetic()
                    && (!a.eq_ignore_ascii_case(&'s') || b.is_ascii_alphabetic())
            }
            _ => false,
        }
    }

    /// Sets of strings, one of which every match of `node` (followed by something `follow`
    /// describes) has where the word walk looks; `before`: no ASCII letter comes right before.
    fn required(node: &Node, before: bool, follow: bool, out: &mut Vec<Vec<Word>>) {
        match node {
            Node::Concat(items) => {
                let mut b = before;
                for (i, item) in items.iter().enumerate() {
                    let rest = items.get(i + 1..).unwrap_or(&[]);
                    if b {
                        if let Some(p) = items.get(i..).and_then(|it| prefixes(it, follow)) {
                            if p.iter().all(|(s, _)| walkable(s)) {
                                out.push(p);
                            }
                        }
                    }
                    required(item, b, starts_nonletter(rest, follow), out);
                    b = boundary_after(item, b);
                }
            }
            Node::Alt(alts) => {
                let mut union = Vec::new();
                for alt in alts {
                    let mut sets = Vec::new();
                    required(alt, before, follow, &mut sets);
                    sets.sort_by_key(|s| cost(s));
                    let Some(best) = sets.into_iter().next() else {
                        return;
                    };
                    union.extend(best);
                }
                out.push(union);
            }
            Node::Repeat { node, min } if *min > 0 => required(node, before, false, out),
            _ => {}
        }
    }

    /// Words so common that needing one of them spares few texts.
    const COMMON: &[&str] = &[
        "the", "and", "to", "of", "in", "on", "at", "for", "with", "by", "from", "is", "are",
        "was", "were", "be", "been", "has", "have", "had", "you", "your", "we", "our", "my", "me",
        "he", "she", "his", "her", "it", "its", "they", "them", "their", "this", "that", "so",
        "not", "no", "do", "did", "after", "about", "when", "before", "during", "here", "all",
        "just", "can", "will", "up", "out", "if", "as", "what", "how", "who", "an", "or", "us",
    ];

    /// A rough guess of how many texts a set lets through: common words and short prefixes
    /// count most.
    fn cost(set: &[Word]) -> usize {
        set.iter()
            .map(|(s, whole)| {
                if COMMON.contains(&s.to_ascii_lowercase().as_str()) {
                    1000
                } else if *whole {
                    10
                } else {
                    10 + 40 / s.len().max(1)
                }
            })
            .sum()
    }

    /// Sets of words (lower case), one word of each of which a match of the regex term `inner`
    /// needs (written between slashes; the term is compiled as `\b(?:inner)\b`): the most
    /// telling first, at most `most`. Empty when the gate cannot tell.
    pub(super) fn words(inner: &str, most: usize) -> Vec<Vec<Word>> {
        let mut sets = all(inner);
        sets.truncate(telling(&sets).min(most));
        sets
    }

    /// The sets after [`words`] that are one common word of four letters or more ("your",
    /// "when", "were"): the walk meets such a word in few texts, and of the texts that hold the
    /// telling words of a term, most lack it ("test results" without "your").
    pub(super) fn common_words(inner: &str) -> Vec<Vec<Word>> {
        let mut sets = all(inner);
        let rest = sets.split_off(telling(&sets).min(sets.len()));
        rest.into_iter()
            .filter(|s| matches!(s.as_slice(), [(w, _)] if w.len() >= 4))
            .collect()
    }

    /// How many of `sets` (sorted by [`cost`]) are telling: a set of common words spares few
    /// texts and costs the walk a look at each of them; one is better than none.
    fn telling(sets: &[Vec<Word>]) -> usize {
        sets.iter().filter(|s| cost(s) < 1000).count().max(1)
    }

    /// Every set of words a match of `inner` needs, distinct, the most telling first.
    fn all(inner: &str) -> Vec<Vec<Word>> {
        let Some(node) = parse(inner) else {
            return Vec::new();
        };
        let mut sets = Vec::new();
        // The term starts and ends with `\b`.
        required(&node, true, true, &mut sets);
        for set in &mut sets {
            for (s, _) in set.iter_mut() {
                s.make_ascii_lowercase();
            }
            set.sort();
            set.dedup();
        }
        // The same set may come from a group and from the sequence that starts with it.
        let mut distinct: Vec<Vec<Word>> = Vec::new();
        for set in sets {
            if !distinct.contains(&set) {
                distinct.push(set);
            }
        }
        distinct.sort_by_key(|s| cost(s));
        distinct
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_without_a_start_byte_holds_no_literal() {
        assert_eq!(
            StartBytes::new(&["#ad", "@x", "#repost"]),
            StartBytes::Two(b'#', b'@')
        );
        assert_eq!(StartBytes::new(&["ache"]), StartBytes::Two(b'a', b'A'));
        assert_eq!(StartBytes::new(&["5g", "#x"]), StartBytes::Two(b'5', b'#'));
        assert_eq!(
            StartBytes::new(&["ache", "#x"]),
            StartBytes::Three(b'a', b'A', b'#')
        );
        assert_eq!(StartBytes::new(&["ache", "boo"]), StartBytes::Any);
        assert_eq!(StartBytes::new(&["", "#x"]), StartBytes::Any);
        let starts = StartBytes::new(&["#ad", "@x"]);
        assert!(!starts.in_text(b"nothing to see"));
        assert!(starts.in_text(b"see #ad"));
        assert!(starts.in_text(b"@x"));
        assert!(StartBytes::Any.in_text(b""));
        let lower = StartBytes::new(&["ache"]);
        assert!(lower.in_text(b"HEADACHE"));
        assert!(!lower.in_text(b"sore"));
    }

    fn lex(terms: &[&str], obf: bool) -> Lexicons {
        let specs: Vec<TermSpec<'_>> = terms
            .iter()
            .map(|t| TermSpec {
                lexicon: 0,
                term: t,
                case_sensitive: false,
                obfuscations: obf,
            })
            .collect();
        match Lexicons::new(&specs) {
            Ok(l) => l,
            Err(e) => panic!("{}", e.0),
        }
    }

    fn found(l: &Lexicons, text: &str) -> Vec<String> {
        let mut hits = Vec::new();
        let mut words = Vec::new();
        crate::text::words(text, &mut words);
        l.find(text, &words, &mut Buffers::default(), &mut hits, &[]);
        hits.iter()
            .map(|h| text[h.start..h.end].to_owned())
            .collect()
    }

    #[test]
    fn a_regex_term_searched_alone_reports_its_own_list() {
        let specs = [
            TermSpec {
                lexicon: 0,
                term: r"/speedy\s+recovery/",
                case_sensitive: false,
                obfuscations: false,
            },
            TermSpec {
                lexicon: 1,
                term: r"/follow\s+me\s+on\s+[a-z]+\s+@?alderbrook/",
                case_sensitive: false,
                obfuscations: false,
            },
        ];
        let l = match Lexicons::new(&specs) {
            Ok(l) => l,
            Err(e) => panic!("{}", e.0),
        };
        let hits = |text: &str| {
            let (mut hits, mut words) = (Vec::new(), Vec::new());
            crate::text::words(text, &mut words);
            l.find(text, &words, &mut Buffers::default(), &mut hits, &[]);
            hits.iter()
                .map(|h| (h.lexicon, text[h.start..h.end].to_owned()))
                .collect::<Vec<_>>()
        };
        // Only the second term's words: its own regex, its own list.
        let one = "Please FOLLOW me on insta @alderbrook!";
        assert_eq!(
            hits(one),
            [(1, "FOLLOW me on insta @alderbrook".to_owned())]
        );
        // Both terms' words: the whole regex, each hit with its list.
        let both = "Speedy recovery! And follow me on tiktok alderbrook";
        assert_eq!(
            hits(both),
            [
                (0, "Speedy recovery".to_owned()),
                (1, "follow me on tiktok alderbrook".to_owned())
            ]
        );
        // Only the first term's words, and no match.
        assert!(hits("A speedy nurse; a full recovery.").is_empty());
    }

    #[test]
    fn whole_words_wildcards_and_case() {
        let l = lex(&["damn", "fuck*"], false);
        assert_eq!(
            found(&l, "Damn, FUCKING hell. damnation"),
            ["Damn", "FUCKING"]
        );
    }

    #[test]
    fn obfuscated_spellings() {
        let l = lex(&["fuck*", "shit"], true);
        assert_eq!(found(&l, "what the f*ck, this is sh1t!"), ["f*ck", "sh1t"]);
        assert!(found(&l, "call 555-1234 or @shift").is_empty());
        // A word before `!` (and trimmed punctuation) up to the whitespace is skipped; one with
        // more after it, or something before it, is looked at.
        assert!(found(&l, "shift! (hello!) wow!!").is_empty());
        assert_eq!(
            found(&l, "sh!t! sh!t sh1t!) x!sh1t (sh!t!"),
            ["sh!t", "sh!t", "sh1t", "sh!t"]
        );
    }

    #[test]
    fn parts_of_hyphenated_words_and_the_longest_whole_term() {
        let l = lex(&["covid", "pain", "pain killer"], false);
        assert_eq!(found(&l, "post-covid fog"), ["covid"]);
        // "pain killer" is not whole words in "pain killers": "pain" is.
        assert_eq!(found(&l, "pain killers"), ["pain"]);
        assert_eq!(found(&l, "a pain killer"), ["pain killer"]);
        assert!(found(&l, "painkiller").is_empty());
    }

    #[test]
    fn regex_terms_need_their_words() {
        let sets = gate::words(
            r"your\s+(?:recent\s+)?(?:visit|stay)\s+(?:here|with\s+us)",
            6,
        );
        let words: Vec<Vec<&str>> = sets
            .iter()
            .map(|set| set.iter().map(|(w, _)| w.as_str()).collect())
            .collect();
        assert_eq!(words, [["stay", "visit"]]);
        assert_eq!(gate::words(r"[0-9]+\s?mg", 6), [[("mg".to_owned(), true)]]);
        // No word starts where the walk looks: the regex runs on every text.
        assert!(gate::words(r"[a-z]+itis", 6).is_empty());
        let l = lex(&[r"/vaccin\w*\s+cause\s+autism/", r"/[a-z]+itis/"], false);
        assert_eq!(found(&l, "bronchitis"), ["bronchitis"]);
        // After a curly apostrophe inside a word, as the regex's `\b` sees it.
        assert_eq!(
            found(&l, "anti’vaccines cause autism"),
            ["vaccines cause autism"]
        );
        let l = lex(&[r"/vaccin\w*\s+cause\s+autism/"], false);
        assert_eq!(
            found(&l, "anti’vaccines cause autism"),
            ["vaccines cause autism"]
        );
        assert!(found(&l, "vaccines are fine").is_empty());
    }

    #[test]
    fn regex_terms_need_their_common_words_too() {
        let term = r"your\s+(?:recent\s+)?(?:visit|stay)\s+(?:here|with\s+us)";
        assert_eq!(gate::common_words(term), [[("your".to_owned(), true)]]);
        // A term with common words only has the first among its telling sets.
        let term2 = r"when\s+you\s+were\s+here";
        assert_eq!(gate::words(term2, 6), [[("when".to_owned(), true)]]);
        assert_eq!(
            gate::common_words(term2),
            [[("were".to_owned(), true)], [("here".to_owned(), true)]]
        );
        let l = lex(&[&format!("/{term}/")], false);
        assert_eq!(found(&l, "Your visit here"), ["Your visit here"]);
        assert_eq!(found(&l, "x-your stay with us"), ["your stay with us"]);
        assert!(found(&l, "the visit here").is_empty());
    }

    #[test]
    fn word_lists_too_large_for_u16_slots() {
        // Some 50,000 trie states: the walk reads u32 slots.
        let terms: Vec<String> = (0..10_000u32)
            .map(|i| {
                let mut t: String = (0..4)
                    .map(|d| char::from(b'a' + (i / 26u32.pow(d) % 26) as u8))
                    .collect();
                t.push_str("zyx");
                t
            })
            .collect();
        let refs: Vec<&str> = terms.iter().map(String::as_str).collect();
        let l = lex(&refs, false);
        assert!(matches!(
            l.at_words.as_ref().map(|w| &w.trie.slots),
            Some(Slots::Wide(..))
        ));
        let text = format!("{} and {}x {}", terms[0], terms[9_999], terms[4_321]);
        assert_eq!(found(&l, &text), [terms[0].as_str(), terms[4_321].as_str()]);
    }

    #[test]
    fn joiners_and_words() {
        let texts = [
            "plain words only, and more plain words here",
            "post-covid l'hôpital O'Brien’s café — 🙂 x-ray rock'n'roll",
            "ab-",
            "'",
            "é",
            "0123456789abcdef-",
        ];
        for text in texts {
            let bytes = text.as_bytes();
            for from in 0..=bytes.len() {
                let naive = (from..bytes.len())
                    .find(|&i| matches!(bytes[i], b'\'' | b'-') || !bytes[i].is_ascii())
                    .unwrap_or(bytes.len());
                assert_eq!(next_joiner(bytes, from), naive, "{text:?} from {from}");
            }
            // What the word loop relies on: a word holds ASCII letters and joiners only.
            let mut words = Vec::new();
            crate::text::words(text, &mut words);
            for w in &words {
                let word = &bytes[w.start..w.end];
                assert!(
                    word.iter().all(|&b| b.is_ascii_alphabetic()
                        || matches!(b, b'\'' | b'-')
                        || !b.is_ascii()),
                    "{text:?}: {:?}",
                    w.text(text)
                );
            }
        }
        // A word with a joiner in the middle is looked inside.
        let l = lex(&["covid"], false);
        assert_eq!(found(&l, "post-covid"), ["covid"]);
        assert_eq!(
            found(&l, "a long text before the word post-covid"),
            ["covid"]
        );
    }

    #[test]
    fn patterns_that_end_within_two_bytes() {
        // "i" and "al" end where the table of first two bytes leads: the walk takes those bytes
        // step by step.
        let l = lex(&["i", "al", "als", "alpha", "ab c", "xyz"], false);
        assert_eq!(
            found(&l, "I saw al and ALS, alpha ab c xyz i"),
            ["I", "al", "ALS", "alpha", "ab c", "xyz", "i"]
        );
        assert_eq!(found(&l, "a xy alp alphas i"), ["i"]);
        assert_eq!(found(&l, "i"), ["i"]);
    }

    /// The hits and the sets of regex words found by [`WordLiterals::find`] and by a walk from
    /// every word; the words it marks as touched by a stand-in are checked against
    /// [`touches_stand_in`].
    fn with_and_without_filter(l: &Lexicons, text: &str) -> ((Vec<Hit>, u128), (Vec<Hit>, u128)) {
        let mut words = Vec::new();
        crate::text::words(text, &mut words);
        let Some(set) = &l.at_words else {
            return Default::default();
        };
        let (mut fast, mut slow) = ((Vec::new(), 0), (Vec::new(), 0));
        let mut buffers = Buffers::default();
        match &set.trie.slots {
            Slots::Narrow(s, p, q) => set.find::<_, true>(
                (s, p, q),
                text,
                &words,
                &mut buffers,
                &mut fast.1,
                &mut fast.0,
            ),
            Slots::Wide(s, p, q) => set.find::<_, true>(
                (s, p, q),
                text,
                &words,
                &mut buffers,
                &mut fast.1,
                &mut fast.0,
            ),
        }
        let marked: Vec<usize> = marked_words(&words, &buffers.stand_ins)
            .map(|w| w.start)
            .collect();
        let touched: Vec<usize> = words
            .iter()
            .filter(|w| touches_stand_in(text.as_bytes(), w))
            .map(|w| w.start)
            .collect();
        assert_eq!(marked, touched, "{text:?}");
        set.find_every_word(text, &words, &mut Vec::new(), &mut slow.1, &mut slow.0);
        (fast, slow)
    }

    /// Each term in many settings: alone, at the end of the text, in capitals, with a suffix,
    /// after a hyphen, a hash sign or an accented letter, before punctuation.
    fn settings(term: &str) -> Vec<String> {
        let upper = term.to_uppercase();
        let mut title: String = term.chars().take(1).flat_map(char::to_uppercase).collect();
        title.extend(term.chars().skip(1));
        let mut texts = Vec::new();
        for t in [term, upper.as_str(), title.as_str()] {
            texts.extend([
                t.to_owned(),
                format!("so {t}"),
                format!("{t} and more words after it"),
                format!("well, {t}. Then"),
                format!("{t}s {t}ing {t}ed"),
                format!("post-{t} x-{t}-y"),
                format!("#{t} @{t}"),
                format!("é{t} {t}é {t}’s"),
                format!("{t}\n{t}\t{t}!"),
                format!("1{t} {t}2"),
                format!("{t}  {t}"),
            ]);
        }
        texts
    }

    #[test]
    fn the_word_filter_drops_no_match() {
        let terms = [
            // Patterns of several words that start with common words.
            "the patient",
            "in a coma",
            "my code",
            "is a joke",
            "a total joke",
            "i recommend",
            // A few bytes after the first word only.
            "pt's",
            "channel 2",
            "admitted a",
            "od'd",
            "x y",
            // Open patterns of three and of more letters; a word of nine letters and more.
            "jab*",
            "fuck*",
            "motherfuck*",
            "superintendent",
            "superintendents office",
            // Joined words, bytes beyond ASCII, a digit inside.
            "pile-up",
            "know-it-all",
            "don’t tell anyone",
            "café au lait",
            "l'hôpital",
            "q1 numbers",
            "f.u.c.k",
        ];
        let mut regex = terms.to_vec();
        // Words that a regex term needs (whole, and as a prefix).
        regex.extend([
            r"/vaccin\w*\s+cause\s+autism/",
            r"/your\s+(?:visit|stay)\s+here/",
        ]);
        let l = lex(&regex, true);
        let mut texts: Vec<String> = terms
            .iter()
            .flat_map(|t| settings(t.trim_matches('*')))
            .collect();
        texts.extend(settings("vaccines cause autism"));
        texts.extend(settings("your stay here"));
        texts.push("the patient's chart; The Patient, THE PATIENT!".to_owned());
        for text in &texts {
            let (fast, slow) = with_and_without_filter(&l, text);
            assert_eq!(fast, slow, "{text:?}");
        }
        assert_eq!(found(&l, "A PATIENT IN A COMA"), ["IN A COMA"]);
    }

    #[test]
    fn the_word_filter_with_the_default_policy() {
        let Ok(policy) = postguard_policy::Policy::builtin_default() else {
            panic!("the default policy loads");
        };
        let mut terms = Vec::new();
        for lexicon in policy.lexicons.values() {
            terms.extend(lexicon.terms.iter().map(|t| t.get_ref().as_str()));
        }
        let l = lex(&terms, true);
        for term in &terms {
            let term = term.trim_matches('*');
            if term.starts_with('/') {
                continue;
            }
            for text in settings(term) {
                let (fast, slow) = with_and_without_filter(&l, &text);
                assert_eq!(fast, slow, "{text:?}");
            }
        }
        let corpus = include_str!("../../../corpora/social.jsonl");
        // What the filter is for: most words are not walked from (about one in five until the
        // patient-context cues of 12-07 evening, which start with "who", "welcome", "born":
        // under a third).
        let (mut all, mut walked) = (0usize, 0u32);
        for line in corpus.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let text = v["text"].as_str().unwrap_or_default();
            for text in [text.to_owned(), text.to_lowercase(), text.to_uppercase()] {
                let (fast, slow) = with_and_without_filter(&l, &text);
                assert_eq!(fast, slow, "{text:?}");
                let mut words = Vec::new();
                crate::text::words(&text, &mut words);
                if let Some(set) = &l.at_words {
                    for chunk in words.chunks(64) {
                        all += chunk.len();
                        walked += set.filter.candidates(text.as_bytes(), chunk).count_ones();
                    }
                }
            }
        }
        assert!(walked as usize * 3 < all, "{walked} words of {all} walked");
    }

    #[test]
    fn open_patterns_shorter_than_three_letters() {
        // Every word of ASCII letters only is walked.
        let l = lex(&["ab*", "the end"], false);
        assert_eq!(found(&l, "about the end, abs"), ["about", "the end", "abs"]);
        for text in settings("ab") {
            let (fast, slow) = with_and_without_filter(&l, &text);
            assert_eq!(fast, slow, "{text:?}");
        }
    }

    #[test]
    fn words_that_hold_joiners() {
        let long: String = (0..150)
            .map(|i| if i % 7 == 0 { "don't " } else { "word " })
            .collect();
        let texts = [
            "post-covid and O'Brien’s café — 🙂 x-ray, plain",
            "'start- end",
            "é",
            long.as_str(),
        ];
        let l = lex(&["word"], false);
        let Some(set) = &l.at_words else {
            panic!("no word literals");
        };
        for text in texts {
            let bytes = text.as_bytes();
            let mut words = Vec::new();
            crate::text::words(text, &mut words);
            for chunk in words.chunks(64) {
                let todo = set.filter.candidates(bytes, chunk);
                for (i, w) in chunk.iter().enumerate() {
                    let naive = bytes[w.start..w.end]
                        .iter()
                        .any(|&b| matches!(b, b'\'' | b'-') || !b.is_ascii());
                    assert_eq!(w.key == 0, naive, "{text:?}: {:?}", w.text(text));
                    // Such a word is always walked from.
                    assert!(!naive || todo >> i & 1 != 0, "{text:?}: {:?}", w.text(text));
                    assert_eq!(next_joiner(bytes, w.start) < w.end, naive, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn regex_terms() {
        let l = lex(&[r"/vaccin\w*\s+cause\s+autism/"], false);
        assert_eq!(
            found(&l, "Vaccines cause autism!"),
            ["Vaccines cause autism"]
        );
    }
}
