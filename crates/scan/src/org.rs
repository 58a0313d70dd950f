//! The organisation's names, disclaimer phrases and allowed full names, found in a text.
//!
//! Most texts name none of them, so the search is built to say "nothing here" cheaply: it reads
//! the text 8 bytes at a time, looks each aligned 4-byte block up in a table of the patterns'
//! 4-grams (patterns of 7 bytes or more: each registers its rarest 4-gram at each offset mod 4,
//! so every occurrence has one in an aligned block), and looks for a rare pair of bytes of each
//! shorter pattern. Only where one of those hits, and the block is the 4-gram itself rather than
//! another with the same hash, does it compare the patterns themselves, and a pattern's first 8
//! bytes without their case bit first (a few instructions that reject nearly every candidate
//! that is not there). The
//! matches it reports are those of an ASCII-case-insensitive, leftmost-longest, non-overlapping
//! search (the earlier pattern wins between equal ones), as an Aho-Corasick automaton would
//! report them; policies with patterns of one or two bytes, or with more than [`MAX_PAIRS`]
//! rare pairs, use such an automaton.

use crate::compile::BuildError;
use crate::text::at_word_boundaries;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// What a pattern of the organisation matcher is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrgTerm {
    /// Names the employer (name, alias, hashtag, official handle, domain).
    Employer,
    /// A disclaimer phrase.
    Disclaimer,
    /// A staff member's or public figure's full name.
    AllowedName,
    /// A word of the organisation's name or logo, anywhere (even inside a handle).
    LogoWord,
}

/// What a text says about the organisation.
#[derive(Debug, Default)]
pub(crate) struct OrgScan {
    /// The first whole-word mention of the employer.
    pub employer_at: Option<(usize, usize)>,
    /// A disclaimer phrase, as whole words.
    pub has_disclaimer: bool,
    /// Staff members' and public figures' full names.
    pub allowed_spans: Vec<(usize, usize)>,
    /// The organisation's name or a logo word anywhere, even inside a word or handle.
    pub mentions_logo: bool,
}

/// Patterns at least this long are found through their 4-grams; shorter ones through a rare
/// pair of bytes.
const LONG: usize = 7;
/// The most distinct rare pairs the shorter patterns may use.
const MAX_PAIRS: usize = 3;
/// The 4-gram hashes have `GRAM_BITS` bits. Each text byte reads the bit set of the hashes in
/// use; only a hit reads where the 4-grams are, through the hash's rank among the bits set, and
/// compares the block with the 4-gram before any candidate (a 128 KiB table read for every block
/// missed the cache 10 % more often over the whole scan; a 32 KiB table from hash to 4-grams,
/// read at each hit, missed at nearly every one). With 16 bits the 8 KiB bit set was evicted
/// between texts and nearly every block read missed the cache (19 misses per social post). Since
/// a false hit costs only the rank and one comparison, 13 bits (a 1 KiB set, 16 lines) miss the
/// cache less than 14 did (32 lines), for a third more false hits; 12 bits (8 lines) cost more
/// in false hits than they saved.
const GRAM_BITS: u32 = 13;
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = ONES * 0x80;
/// Sets the ASCII case bit of every byte: letters compare without case (other bytes may collide,
/// which only costs a comparison).
const FOLD: u64 = ONES * 0x20;

/// The table index of a folded 4-byte block.
#[inline]
fn gram_hash(block: u32) -> usize {
    (block.wrapping_mul(0x9E37_79B1) >> (32 - GRAM_BITS)) as usize
}

/// The high bit of each byte of `x` that is zero (and perhaps of a byte right above one: callers
/// check what it finds).
#[inline]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGH
}

/// What [`OrgMatcher::occurrences`] found in a chunk, for [`OrgMatcher::check_chunk`]: bit 0
/// ([`Hit::GRAM`]) when the hash of one of its two 4-byte blocks is a 4-gram's, and the high bit
/// of each byte where a rare pair may end (as [`zero_bytes`] marks them).
struct Hit;

impl Hit {
    const GRAM: u64 = 1;
}

/// A place where a pattern may start, relative to a hit (32 bytes: two to a cache line).
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// The pattern's first (up to) 16 bytes, zeros after its end: compared with the text's
    /// bytes in small letters (under [`first_mask`] and [`second_mask`] of the length), they decide a pattern of up
    /// to 16 bytes and reject most others.
    head: [u64; 2],
    pattern: u32,
    /// Where the hit is in the pattern.
    offset: u32,
    len: u32,
}

/// The mask of the bytes of a pattern of `len` bytes (at least 1) in the first word of its
/// candidates' `head`.
#[inline(always)]
fn first_mask(len: u32) -> u64 {
    u64::MAX >> (8 * (8 - len.min(8)))
}

/// The mask of the bytes of a pattern of `len` bytes in the second word of its candidates'
/// `head` (none for 8 bytes or fewer).
#[inline(always)]
fn second_mask(len: u32) -> u64 {
    u64::MAX
        .checked_shr(8 * (16 - len.clamp(8, 16)))
        .unwrap_or(0)
}

/// The 4-grams of the long patterns that share one hash: where their candidates are.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The 4-gram, folded; 0 (which no folded 4-gram is) when several share the hash.
    gram: u32,
    /// The candidates' range in `Finder::Filter::candidates`.
    start: u32,
    end: u32,
}

/// Two bytes next to each other in a short pattern, rare in text.
#[derive(Debug)]
struct RarePair {
    /// Each byte, case bit set, in every byte of a word.
    first: u64,
    second: u64,
    /// Where the second byte is in each pattern.
    candidates: Vec<Candidate>,
}

/// How candidates are found.
enum Finder {
    /// 4-grams and rare pairs, see the module documentation.
    Filter {
        /// The hashes of the long patterns' 4-grams, as a bit set.
        hashes: Box<[u64; 1 << (GRAM_BITS - 6)]>,
        /// For each word of `hashes`, how many bits the words before it have: a hash's slot is
        /// its rank among the hashes in use (a 32 KiB table from hash to slot missed the cache
        /// at nearly every hit).
        ranks: Box<[u16; 1 << (GRAM_BITS - 6)]>,
        /// One for each hash in use, in the order of the hashes.
        slots: Vec<Slot>,
        /// The candidates of the slots, each slot's together.
        candidates: Vec<Candidate>,
        /// Never more than [`MAX_PAIRS`].
        pairs: Vec<RarePair>,
    },
    /// An automaton, for policies with patterns of one or two bytes.
    Automaton(AhoCorasick),
}

/// The organisation matcher, built once from the policy.
pub(crate) struct OrgMatcher {
    /// The patterns, lower case.
    patterns: Vec<Box<[u8]>>,
    terms: Vec<OrgTerm>,
    finder: Finder,
}

/// How common a byte is in English text, roughly: for choosing the rarest 4-grams and pairs.
fn frequency(b: u8) -> f64 {
    let b = b.to_ascii_lowercase();
    let letters = [
        8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.8, 4.0, 2.4, 6.7, 7.5, 1.9, 0.1, 6.0,
        6.3, 9.1, 2.8, 1.0, 2.4, 0.15, 2.0, 0.07,
    ];
    match b {
        b'a'..=b'z' => letters[usize::from(b - b'a')],
        b' ' => 18.0,
        b'0'..=b'9' => 0.5,
        b'.' | b',' => 1.0,
        _ => 0.2,
    }
}

/// How common the bytes `p[at..at + len]` are together (lower: rarer).
fn commonness(p: &[u8], at: usize, len: usize) -> f64 {
    p.get(at..at + len)
        .unwrap_or(&[])
        .iter()
        .map(|&b| frequency(b).ln())
        .sum()
}

/// The candidate of `pattern` (bytes `p`) for a hit at `offset`.
fn candidate(pattern: usize, p: &[u8], offset: usize) -> Option<Candidate> {
    let mut head = [0u8; 16];
    for (h, &b) in head.iter_mut().zip(p) {
        *h = b;
    }
    let word = |i: usize| -> Option<u64> {
        Some(u64::from_le_bytes(head.get(i..i + 8)?.try_into().ok()?))
    };
    Some(Candidate {
        head: [word(0)?, word(8)?],
        pattern: u32::try_from(pattern).ok()?,
        offset: u32::try_from(offset).ok()?,
        len: u32::try_from(p.len()).ok()?,
    })
}

/// The 8 bytes of `bytes` at `at` (zeros past the end).
#[inline]
fn word_at(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        Some(w) => u64::from_le_bytes(*w),
        None => {
            let mut w = [0u8; 8];
            for (x, &b) in w.iter_mut().zip(bytes.get(at..).unwrap_or(&[])) {
                *x = b;
            }
            u64::from_le_bytes(w)
        }
    }
}

/// The 8 bytes `w`, ASCII capitals made small.
#[inline]
fn lower(w: u64) -> u64 {
    // Per byte, without carries between bytes: whether the low 7 bits are at least `A` and
    // whether they are past `Z`; bytes beyond ASCII are no capitals.
    let low = w & !HIGH;
    let from_a = low + ONES * (0x80 - u64::from(b'A'));
    let past_z = low + ONES * (0x80 - u64::from(b'Z') - 1);
    let capitals = from_a & !past_z & !w & HIGH;
    w | (capitals >> 2)
}

/// The most patterns [`inner_bytes`] looks inside: the choice of 4-grams it informs is worth a
/// small automaton, not one of a staff directory of thousands (any choice finds the same).
const MAX_INNER: usize = 4096;

/// For each pattern, which of its bytes are inside an occurrence of another pattern in it
/// ("alderbrook" in "alderbrook health"); none with more than [`MAX_INNER`] patterns.
fn inner_bytes(patterns: &[Box<[u8]>]) -> Vec<Vec<bool>> {
    let mut inner: Vec<Vec<bool>> = patterns.iter().map(|p| vec![false; p.len()]).collect();
    if patterns.len() > MAX_INNER {
        return inner;
    }
    let Ok(automaton) = AhoCorasick::new(patterns) else {
        return inner;
    };
    for ((index, p), inner) in patterns.iter().enumerate().zip(&mut inner) {
        for m in automaton.find_overlapping_iter(&p[..]) {
            if m.pattern().as_usize() != index {
                for i in inner.get_mut(m.range()).unwrap_or(&mut []) {
                    *i = true;
                }
            }
        }
    }
    inner
}

impl OrgMatcher {
    /// Builds the matcher. `patterns` are trimmed and lower-cased here; empty ones are dropped,
    /// and so are repeats (an official handle on three networks, an alias that is also a logo
    /// word): the search never reports a repeat, the earlier pattern wins between equal ones,
    /// and each would only cost one more comparison wherever the pattern may be.
    pub(crate) fn new(patterns: &[(String, OrgTerm)]) -> Result<OrgMatcher, BuildError> {
        let mut kept: Vec<Box<[u8]>> = Vec::new();
        let mut terms = Vec::new();
        for (p, t) in patterns {
            let p = p.trim().to_lowercase().into_bytes().into_boxed_slice();
            if !p.is_empty() && !kept.contains(&p) {
                kept.push(p);
                terms.push(*t);
            }
        }
        let finder = match Self::filter(&kept) {
            Some(finder) => finder,
            None => Finder::Automaton(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&kept)
                    .map_err(|e| BuildError::Pattern(e.to_string()))?,
            ),
        };
        Ok(OrgMatcher {
            patterns: kept,
            terms,
            finder,
        })
    }

    /// The 4-gram and rare-pair filter, or `None` when a pattern is too short for it.
    fn filter(patterns: &[Box<[u8]>]) -> Option<Finder> {
        // (hash, folded 4-gram, candidate) of each 4-gram registered.
        let mut entries: Vec<(usize, u32, Candidate)> = Vec::new();
        let mut pairs: Vec<RarePair> = Vec::new();
        let inner = inner_bytes(patterns);
        for ((index, p), inner) in patterns.iter().enumerate().zip(&inner) {
            if p.len() >= LONG {
                // Every occurrence has exactly one aligned block (text offset a multiple of 4)
                // at each offset of the pattern with the same remainder mod 4 as the block;
                // register the rarest 4-gram of each remainder, one that is not all inside
                // another pattern if there is one: that pattern is named more often than this
                // one ("Alderbrook" than "Alderbrook Health"), and each time it would be a
                // candidate of this one too.
                let cost = |at: usize| {
                    let inside = inner.get(at..at + 4).is_some_and(|b| b.iter().all(|&i| i));
                    (inside, commonness(p, at, 4))
                };
                for remainder in 0..4 {
                    let best = (remainder..=p.len() - 4).step_by(4).min_by(|&a, &b| {
                        let ((x, y), (z, w)) = (cost(a), cost(b));
                        x.cmp(&z).then(y.total_cmp(&w))
                    })?;
                    let gram: [u8; 4] = p.get(best..best + 4)?.try_into().ok()?;
                    let gram = u32::from_le_bytes(gram) | FOLD as u32;
                    entries.push((gram_hash(gram), gram, candidate(index, p, best)?));
                }
            } else if p.len() >= 3 {
                // Any occurrence has all its pairs: look for the rarest.
                let first = (0..p.len() - 1)
                    .min_by(|&a, &b| commonness(p, a, 2).total_cmp(&commonness(p, b, 2)))?;
                let (a, b) = (*p.get(first)?, *p.get(first + 1)?);
                let (a, b) = (ONES * u64::from(a | 0x20), ONES * u64::from(b | 0x20));
                let c = candidate(index, p, first + 1)?;
                match pairs.iter_mut().find(|r| r.first == a && r.second == b) {
                    Some(r) => r.candidates.push(c),
                    None => pairs.push(RarePair {
                        first: a,
                        second: b,
                        candidates: vec![c],
                    }),
                }
            } else {
                return None;
            }
        }
        if pairs.len() > MAX_PAIRS {
            return None;
        }
        let mut hashes: Box<[u64; 1 << (GRAM_BITS - 6)]> = vec![0u64; 1 << (GRAM_BITS - 6)]
            .into_boxed_slice()
            .try_into()
            .ok()?;
        // The slots in the order of their hashes, each with its candidates.
        entries.sort_by_key(|&(hash, _, _)| hash);
        let mut slots = Vec::new();
        let mut candidates = Vec::with_capacity(entries.len());
        for group in entries.chunk_by(|a, b| a.0 == b.0) {
            let (hash, gram, _) = *group.first()?;
            let start = u32::try_from(candidates.len()).ok()?;
            candidates.extend(group.iter().map(|&(_, _, c)| c));
            slots.push(Slot {
                gram: if group.iter().all(|&(_, g, _)| g == gram) {
                    gram
                } else {
                    0
                },
                start,
                end: u32::try_from(candidates.len()).ok()?,
            });
            *hashes.get_mut(hash >> 6)? |= 1 << (hash & 63);
        }
        let mut ranks: Box<[u16; 1 << (GRAM_BITS - 6)]> = vec![0u16; 1 << (GRAM_BITS - 6)]
            .into_boxed_slice()
            .try_into()
            .ok()?;
        let mut before = 0u32;
        for (rank, bits) in ranks.iter_mut().zip(hashes.iter()) {
            *rank = u16::try_from(before).ok()?;
            before += bits.count_ones();
        }
        Some(Finder::Filter {
            hashes,
            ranks,
            slots,
            candidates,
            pairs,
        })
    }

    /// What `text` says about the organisation.
    #[cfg(test)]
    pub(crate) fn find(&self, text: &str) -> OrgScan {
        self.find_with(text, &mut Vec::new())
    }

    /// What `text` says about the organisation. `found` is a working list, kept by the caller
    /// from one text to the next to spare an allocation (and a thread-local's lookup) per text.
    pub(crate) fn find_with(&self, text: &str, found: &mut Vec<(usize, usize, usize)>) -> OrgScan {
        let mut scan = OrgScan::default();
        match &self.finder {
            Finder::Automaton(automaton) => {
                for m in automaton.find_iter(text) {
                    self.report(text, &mut scan, m.start(), m.end(), m.pattern().as_usize());
                }
            }
            Finder::Filter { pairs, .. } => {
                found.clear();
                // One loop for each number of rare pairs, with the pairs in registers.
                match pairs.len() {
                    0 => self.occurrences::<0>(text, found),
                    1 => self.occurrences::<1>(text, found),
                    2 => self.occurrences::<2>(text, found),
                    _ => self.occurrences::<MAX_PAIRS>(text, found),
                }
                if found.is_empty() {
                    return scan;
                }
                // Leftmost first, then longest, then the earlier pattern; then the matches
                // that do not overlap an earlier choice.
                found.sort_unstable_by_key(|&(start, end, pattern)| {
                    (start, std::cmp::Reverse(end), pattern)
                });
                let mut from = 0;
                for &(start, end, pattern) in found.iter() {
                    if start >= from {
                        self.report(text, &mut scan, start, end, pattern);
                        from = end;
                    }
                }
            }
        }
        scan
    }

    /// Adds every occurrence of every pattern in `text` to `found`, overlapping or not, as
    /// (start, end, pattern), in no particular order. `N` is the number of rare pairs.
    #[inline]
    fn occurrences<const N: usize>(&self, text: &str, found: &mut Vec<(usize, usize, usize)>) {
        let Finder::Filter { hashes, pairs, .. } = &self.finder else {
            return;
        };
        // Each pair's bytes in every byte of a word; a missing pair never matches (folded
        // bytes are never zero).
        let firsts: [u64; N] = std::array::from_fn(|i| pairs.get(i).map_or(0, |p| p.first));
        let seconds: [u64; N] = std::array::from_fn(|i| pairs.get(i).map_or(0, |p| p.second));
        let bytes = text.as_bytes();
        // What of the folded chunk `w` has a candidate, as a [`Hit`] (0 for none): one of its two
        // aligned 4-byte blocks is a 4-gram's hash, or a rare pair ends in it. `carry` is the
        // previous chunk's last byte.
        let hit = |w: u64, carry: u64| {
            let (low, high) = (w as u32, (w >> 32) as u32);
            let (a, b) = (gram_hash(low), gram_hash(high));
            let mut hit = ((hashes[a >> 6] >> (a & 63)) | (hashes[b >> 6] >> (b & 63))) & Hit::GRAM;
            let previous = (w << 8) | carry;
            for (&first, &second) in firsts.iter().zip(&seconds) {
                hit |= zero_bytes((previous ^ first) | (w ^ second));
            }
            hit
        };
        let mut carry = 0;
        let mut at = 0;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in chunks.by_ref() {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let w = u64::from_le_bytes(word) | FOLD;
            let hit = hit(w, carry);
            if hit != 0 {
                self.check_chunk(bytes, at, w, hit, found);
            }
            carry = w >> 56;
            at += 8;
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // The last bytes, padded with zeros (they fold to spaces: a candidate there is
            // checked against the text like any other): the text's last 8 bytes moved down,
            // or byte by byte in a text shorter than that.
            let last = match bytes.len().checked_sub(8).and_then(|i| bytes.get(i..)) {
                Some(tail) => tail
                    .first_chunk::<8>()
                    .map_or(0, |t| u64::from_le_bytes(*t) >> (64 - 8 * rest.len())),
                None => rest.iter().rev().fold(0, |w, &b| (w << 8) | u64::from(b)),
            };
            let w = last | FOLD;
            let hit = hit(w, carry);
            if hit != 0 {
                self.check_chunk(bytes, at, w, hit, found);
            }
        }
    }

    /// Adds one match of the search to `scan`.
    fn report(&self, text: &str, scan: &mut OrgScan, start: usize, end: usize, pattern: usize) {
        let term = self.terms.get(pattern);
        if term != Some(&OrgTerm::LogoWord) && !at_word_boundaries(text, start, end) {
            scan.mentions_logo |= term == Some(&OrgTerm::Employer);
            return;
        }
        match term {
            Some(OrgTerm::LogoWord) => scan.mentions_logo = true,
            Some(OrgTerm::Employer) => {
                scan.mentions_logo = true;
                scan.employer_at.get_or_insert((start, end));
            }
            Some(OrgTerm::Disclaimer) => scan.has_disclaimer = true,
            Some(OrgTerm::AllowedName) => scan.allowed_spans.push((start, end)),
            None => {}
        }
    }

    /// Checks the candidates of the chunk at `at` (folded: `w`) that the search's `hit` tells
    /// of, and adds the occurrences to `found` as (start, end, pattern). The blocks are looked
    /// at again only if a 4-gram's hash is among them, and the rare pairs only if one may end
    /// here: most chunks with a candidate have only one of the two.
    #[cold]
    #[inline(never)]
    fn check_chunk(
        &self,
        bytes: &[u8],
        at: usize,
        w: u64,
        hit: u64,
        found: &mut Vec<(usize, usize, usize)>,
    ) {
        let Finder::Filter { pairs, .. } = &self.finder else {
            return;
        };
        if hit & Hit::GRAM != 0 {
            self.check_block(bytes, at, w as u32, found);
            self.check_block(bytes, at + 4, (w >> 32) as u32, found);
        }
        if hit & HIGH == 0 {
            return;
        }
        // The byte before the chunk, folded, for pairs that start there.
        let before = at
            .checked_sub(1)
            .and_then(|i| bytes.get(i))
            .map_or(0, |&b| u64::from(b | 0x20));
        let previous = (w << 8) | before;
        for pair in pairs {
            // The high bit of each byte of the chunk that ends the pair.
            let mut ends = zero_bytes((previous ^ pair.first) | (w ^ pair.second));
            while ends != 0 {
                let here = at + (ends.trailing_zeros() / 8) as usize;
                ends &= ends - 1;
                for c in &pair.candidates {
                    self.check(bytes, here, c, found);
                }
            }
        }
    }

    /// Checks the candidates of the aligned 4-byte block at `block_at` (folded: `block`), if it
    /// is a 4-gram of a long pattern.
    #[inline(always)]
    fn check_block(
        &self,
        bytes: &[u8],
        block_at: usize,
        block: u32,
        found: &mut Vec<(usize, usize, usize)>,
    ) {
        let Finder::Filter {
            hashes,
            ranks,
            slots,
            candidates,
            ..
        } = &self.finder
        else {
            return;
        };
        let hash = gram_hash(block);
        let bits = hashes[hash >> 6];
        if (bits >> (hash & 63)) & 1 == 0 {
            return;
        }
        // The hash's rank among those in use.
        let below = bits & ((1 << (hash & 63)) - 1);
        let rank = usize::from(ranks[hash >> 6]) + below.count_ones() as usize;
        let Some(slot) = slots.get(rank) else {
            return;
        };
        if slot.gram != block && slot.gram != 0 {
            return;
        }
        for c in candidates
            .get(slot.start as usize..slot.end as usize)
            .unwrap_or(&[])
        {
            self.check(bytes, block_at, c, found);
        }
    }

    /// Adds the occurrence of the candidate's pattern for a hit at `hit_at`, if it is there.
    #[inline(always)]
    fn check(
        &self,
        bytes: &[u8],
        hit_at: usize,
        c: &Candidate,
        found: &mut Vec<(usize, usize, usize)>,
    ) {
        let Some(start) = hit_at.checked_sub(c.offset as usize) else {
            return;
        };
        let end = start + c.len as usize;
        if end > bytes.len() {
            return;
        }
        let first = word_at(bytes, start);
        let mask = first_mask(c.len);
        // Folded (the case bit of every byte set), the bytes must agree too: a test of a few
        // instructions that rejects nearly every candidate that is not there.
        if (first ^ c.head[0]) & mask & !FOLD != 0
            || lower(first) & mask != c.head[0]
            || lower(word_at(bytes, start + 8)) & second_mask(c.len) != c.head[1]
        {
            return;
        }
        if c.len > 16 {
            // The patterns are lower case: an ASCII capital in the text matches its small
            // letter.
            let rest = self
                .patterns
                .get(c.pattern as usize)
                .and_then(|p| p.get(16..));
            if !bytes
                .get(start + 16..end)
                .zip(rest)
                .is_some_and(|(t, p)| t.eq_ignore_ascii_case(p))
            {
                return;
            }
        }
        found.push((start, end, c.pattern as usize));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matcher that searches with an Aho-Corasick automaton, whatever the patterns.
    fn automaton_matcher(patterns: &[(String, OrgTerm)]) -> OrgMatcher {
        let kept: Vec<(String, OrgTerm)> = patterns
            .iter()
            .filter(|(p, _)| !p.trim().is_empty())
            .map(|(p, t)| (p.trim().to_lowercase(), *t))
            .collect();
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(kept.iter().map(|(p, _)| p))
            .unwrap();
        OrgMatcher {
            patterns: kept
                .iter()
                .map(|(p, _)| p.as_bytes().to_vec().into_boxed_slice())
                .collect(),
            terms: kept.iter().map(|(_, t)| *t).collect(),
            finder: Finder::Automaton(automaton),
        }
    }

    fn default_patterns() -> Vec<(String, OrgTerm)> {
        let mut out: Vec<(String, OrgTerm)> = [
            "Alderbrook Regional Medical Center",
            "Alderbrook",
            "Alderbrook Regional",
            "Alderbrook Health",
            "ARMC",
            "#AlderbrookCares",
            "#ARMCProud",
            "alderbrookhealth.org",
            "@AlderbrookHealth",
            "@AlderbrookHealth",
        ]
        .iter()
        .map(|p| (p.to_string(), OrgTerm::Employer))
        .collect();
        for p in [
            "opinions are my own",
            "views are my own",
            "do not reflect the views of my employer",
        ] {
            out.push((p.to_string(), OrgTerm::Disclaimer));
        }
        for p in [
            "Priya Raman",
            "Dr. Raman",
            "Dr Raman",
            "Raman, Priya",
            "Jo Ng",
        ] {
            out.push((p.to_string(), OrgTerm::AllowedName));
        }
        for p in ["alderbrook", "armc", "brook"] {
            out.push((p.to_string(), OrgTerm::LogoWord));
        }
        out
    }

    fn same(a: &OrgScan, b: &OrgScan) -> bool {
        a.employer_at == b.employer_at
            && a.has_disclaimer == b.has_disclaimer
            && a.allowed_spans == b.allowed_spans
            && a.mentions_logo == b.mentions_logo
    }

    #[test]
    fn finds_what_the_automaton_finds() {
        let patterns = default_patterns();
        let matcher = OrgMatcher::new(&patterns).unwrap();
        assert!(matches!(matcher.finder, Finder::Filter { .. }));
        let reference = automaton_matcher(&patterns);
        let pieces = [
            "alderbrook",
            "Alderbrook",
            "ALDERBROOK",
            "armc",
            "ARMC",
            "#",
            "@",
            " ",
            ".",
            ",",
            "health",
            "Health",
            ".org",
            "regional",
            " medical center",
            "proud",
            "cares",
            "x",
            "priya",
            " ",
            "raman",
            "Dr",
            "dr.",
            "jo",
            "ng",
            "opinions are my own",
            "views",
            " are my own",
            "my employer",
            "brook",
            "\u{e9}",
            "\u{2019}",
            "a",
            "r",
            "m",
            "c",
        ];
        let mut rng = crate::test_support::Rng::new(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng.next_u64();
        for _ in 0..100_000 {
            let mut text = String::new();
            for _ in 0..next() % 16 {
                text.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let (fast, slow) = (matcher.find(&text), reference.find(&text));
            assert!(same(&fast, &slow), "{text:?}: {fast:?} vs {slow:?}");
        }
    }

    #[test]
    fn repeats_keep_the_first_term() {
        let patterns = vec![
            ("Alderbrook".to_string(), OrgTerm::Employer),
            (" alderbrook".to_string(), OrgTerm::LogoWord),
            ("Dr Raman".to_string(), OrgTerm::AllowedName),
        ];
        let matcher = OrgMatcher::new(&patterns).unwrap();
        assert_eq!(matcher.terms, [OrgTerm::Employer, OrgTerm::AllowedName]);
        assert_eq!(
            matcher.find("At ALDERBROOK today").employer_at,
            Some((3, 13))
        );
    }

    #[test]
    fn short_patterns_use_the_automaton() {
        let patterns = vec![("ab".to_string(), OrgTerm::LogoWord)];
        let matcher = OrgMatcher::new(&patterns).unwrap();
        assert!(matches!(matcher.finder, Finder::Automaton(_)));
        assert!(matcher.find("xaby").mentions_logo);
    }

    #[test]
    fn head_masks_cover_the_pattern_bytes() {
        assert_eq!(first_mask(1), 0xFF);
        assert_eq!(first_mask(7), 0x00FF_FFFF_FFFF_FFFF);
        assert_eq!(first_mask(8), u64::MAX);
        assert_eq!(first_mask(40), u64::MAX);
        assert_eq!(second_mask(3), 0);
        assert_eq!(second_mask(8), 0);
        assert_eq!(second_mask(9), 0xFF);
        assert_eq!(second_mask(15), 0x00FF_FFFF_FFFF_FFFF);
        assert_eq!(second_mask(16), u64::MAX);
        assert_eq!(second_mask(40), u64::MAX);
    }

    #[test]
    fn the_employer_disclaimers_and_staff_anywhere_in_any_case() {
        let matcher = OrgMatcher::new(&default_patterns()).unwrap();
        assert!(matches!(matcher.finder, Finder::Filter { .. }));
        let reference = automaton_matcher(&default_patterns());
        for name in [
            "Alderbrook",
            "ALDERBROOK",
            "alderbrook",
            "AlderBrook",
            "aLDERBROOk",
        ] {
            for (before, after) in [
                ("", ""),
                ("", " rocks"),
                ("Thanks ", ""),
                ("Thanks ", "!"),
                ("caf\u{e9} ", " \u{2764}\u{fe0f}"),
                ("\u{e9}", "\u{e9}"),
                ("1234567 ", " 7654321"),
            ] {
                let text = format!("{before}{name}{after}");
                let found = matcher.find(&text);
                assert!(same(&found, &reference.find(&text)), "{text:?}");
                assert!(found.mentions_logo, "{text:?}");
                // A whole word unless a letter beyond ASCII touches it.
                let whole = !before.ends_with('\u{e9}');
                assert_eq!(
                    found.employer_at,
                    whole.then_some((before.len(), before.len() + name.len())),
                    "{text:?}"
                );
            }
        }
        for text in [
            "Opinions are my own",
            "busy week. VIEWS ARE MY OWN",
            "my opinions are my own.",
            "These do not reflect the views of my employer",
        ] {
            let found = matcher.find(text);
            assert!(found.has_disclaimer, "{text:?}");
            assert!(same(&found, &reference.find(text)), "{text:?}");
        }
        for text in [
            "Dr. Raman",
            "priya raman",
            "RAMAN, PRIYA",
            "thanks dr raman!",
        ] {
            let found = matcher.find(text);
            assert_eq!(found.allowed_spans.len(), 1, "{text:?}");
            assert!(same(&found, &reference.find(text)), "{text:?}");
        }
        // Only part of a pattern, or a pattern with one byte changed, is not it.
        for text in [
            "Alderbroo",
            "lderbrook",
            "Alderbr\u{f6}ok",
            "opinions are my",
            "Dr Rama",
        ] {
            let found = matcher.find(text);
            assert!(
                found.employer_at.is_none() && !found.has_disclaimer,
                "{text:?}"
            );
            assert!(found.allowed_spans.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn shared_hashes_find_what_the_automaton_finds() {
        // Enough 4-grams that many hashes are shared by different 4-grams.
        let mut rng = crate::test_support::Rng::new(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u64();
        let alphabet = b"abcdefghijklmnopqrstuvwxyz .";
        let patterns: Vec<(String, OrgTerm)> = (0..3000)
            .map(|i| {
                let len = 7 + (next() % 14) as usize;
                // Letters at both ends: a pattern is trimmed, and shorter ones use pairs.
                let p: String = (0..len)
                    .map(|at| {
                        let choices = if at == 0 || at == len - 1 { 26 } else { 28 };
                        char::from(alphabet[(next() % choices) as usize])
                    })
                    .collect();
                let term = [
                    OrgTerm::Employer,
                    OrgTerm::Disclaimer,
                    OrgTerm::AllowedName,
                    OrgTerm::LogoWord,
                ][i % 4];
                (p, term)
            })
            .collect();
        let matcher = OrgMatcher::new(&patterns).unwrap();
        let Finder::Filter { slots, .. } = &matcher.finder else {
            panic!("the filter should be used");
        };
        assert!(slots.iter().any(|s| s.gram == 0));
        let reference = automaton_matcher(&patterns);
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..next() % 6 {
                let (p, _) = &patterns[(next() % patterns.len() as u64) as usize];
                let from = (next() % 3) as usize;
                let piece = &p[from.min(p.len())..];
                if next() % 2 == 0 {
                    text.push_str(&piece.to_uppercase());
                } else {
                    text.push_str(piece);
                }
                text.push([' ', 'x', '\u{e9}', '.'][(next() % 4) as usize]);
            }
            let (fast, slow) = (matcher.find(&text), reference.find(&text));
            assert!(same(&fast, &slow), "{text:?}: {fast:?} vs {slow:?}");
        }
    }

    #[test]
    fn four_grams_outside_the_shorter_patterns_inside() {
        let patterns: Vec<Box<[u8]>> = ["alderbrook health", "alderbrook", "health", "armc"]
            .iter()
            .map(|p| p.as_bytes().into())
            .collect();
        let inner = inner_bytes(&patterns);
        // All of "alderbrook health" but its space is inside a shorter pattern.
        let outside: Vec<usize> = (0..17).filter(|&i| !inner[0][i]).collect();
        assert_eq!(outside, [10]);
        assert!(inner[1]
            .iter()
            .chain(&inner[2])
            .chain(&inner[3])
            .all(|&i| !i));
        // The long pattern's candidates: none at a 4-gram all inside "alderbrook" or "health".
        let matcher = OrgMatcher::new(&[
            ("Alderbrook Health".to_string(), OrgTerm::Employer),
            ("Alderbrook".to_string(), OrgTerm::Employer),
        ])
        .unwrap();
        let Finder::Filter { candidates, .. } = &matcher.finder else {
            panic!("the filter should be used");
        };
        for c in candidates.iter().filter(|c| c.pattern == 0) {
            assert!((7..=10).contains(&c.offset), "{c:?}");
        }
        assert_eq!(
            matcher.find("ALDERBROOK HEALTH and alderbrook").employer_at,
            Some((0, 17))
        );
        let many: Vec<Box<[u8]>> = (0..MAX_INNER + 1)
            .map(|i| format!("pattern {i}").into_bytes().into())
            .collect();
        assert!(inner_bytes(&many).iter().all(|p| p.iter().all(|&i| !i)));
    }
}
