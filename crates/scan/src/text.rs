//! Splitting text into words, with the facts the detectors need about each.

use crate::names::ascii_lower8;

/// How a word is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `word`
    Lower = 0,
    /// `Word`, `McDonald`, `O'Brien`
    Title = 1,
    /// `WORD`
    Upper = 2,
    /// anything else (`iPhone`)
    Mixed = 3,
}

/// How the text as a whole is written: names look different in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CaseMode {
    /// Ordinary sentence case: names are capitalised.
    Mixed,
    /// No capitals at all (casual posts).
    Lower,
    /// Mostly capitals (pasted clinical notes, shouting).
    Upper,
}

/// What stands right before a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prefix {
    None = 0,
    /// Inside an @handle.
    Handle = 1,
    /// Inside a #hashtag.
    Hashtag = 2,
}

/// A run of letters, with internal apostrophes and hyphens (`O'Brien`, `Mary-Jane`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Word {
    pub start: usize,
    pub end: usize,
    /// For a word of ASCII letters only, its first eight letters in lower case (fewer in a
    /// shorter word, zeros after its end) as a little-endian `u64`, as the word lists' filter
    /// takes it without reading the text again; 0 for any other word.
    pub key: u64,
    pub shape: Shape,
    pub prefix: Prefix,
    /// First word of a sentence (after `.`, `!`, `?`, a line break, or at the start).
    pub sentence_start: bool,
    /// Only spaces (no punctuation, no line break) between this word and the previous one.
    pub joined_to_previous: bool,
    /// A single capital followed by a dot (`J.`), as in a middle initial.
    pub initial: bool,
}

impl Word {
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }

    pub fn is_capitalised(&self) -> bool {
        matches!(self.shape, Shape::Title | Shape::Upper)
    }
}

fn is_word_char(c: char) -> bool {
    // Punctuation, symbols and emoji beyond ASCII are common in posts and are no letters; the
    // accented Latin letters (`é`, `ñ`, `ł`, `ș`) are the most common letters beyond ASCII, all
    // letters but `×` and `÷`, and the basic Greek, Cyrillic and Hebrew alphabets are letters:
    // all answered without the Unicode tables.
    if NO_LETTERS.iter().any(|r| r.contains(&c)) {
        return false;
    }
    match c {
        '\u{c0}'..='\u{24f}' => c != '×' && c != '÷',
        // Α-Ρ, Σ-Ω, α-ω (U+03A2 is unassigned), А-я, א-ת.
        '\u{391}'..='\u{3a1}'
        | '\u{3a3}'..='\u{3a9}'
        | '\u{3b1}'..='\u{3c9}'
        | '\u{410}'..='\u{44f}'
        | '\u{5d0}'..='\u{5ea}' => true,
        _ => c.is_alphabetic(),
    }
}

/// Blocks of characters without letters: general punctuation (’ “ ” — •); arrows and
/// mathematical and technical symbols; box drawing, shapes, symbols, dingbats and more arrows
/// (❤ ⭐); pictographs and emoji (😂 💙 🎉).
const NO_LETTERS: [std::ops::RangeInclusive<char>; 4] = [
    '\u{2000}'..='\u{206F}',
    '\u{2190}'..='\u{23FF}',
    '\u{2500}'..='\u{2BFF}',
    '\u{1F300}'..='\u{1FAFF}',
];

/// [`LETTER`]: a small ASCII letter.
const SMALL: u8 = 1;
/// [`LETTER`]: an ASCII capital (bit 2, where [`SHAPES`] reads it).
const CAPITAL: u8 = 4;
/// [`LETTER`]: a byte that may continue a word after ASCII letters (`'`, `-`, or a byte of a
/// character beyond ASCII): the fast path of [`words`] leaves those words to [`other_step`].
const JOINS: u8 = 8;

/// For each byte, what it is to the splitter: [`SMALL`], [`CAPITAL`], [`JOINS`] or 0.
const LETTER: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_lowercase() {
            SMALL
        } else if c.is_ascii_uppercase() {
            CAPITAL
        } else if c >= 0x80 || c == b'\'' || c == b'-' {
            JOINS
        } else {
            0
        };
        b += 1;
    }
    table
};

/// For each ASCII byte that is no letter, what it does to the [`Gap`] it stands in: the gap's
/// bits it keeps (bits 0-3) and those it sets (bits 4-7), so that the splitter adds it to the
/// gap with no branch.
const GAP: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let (keep, set) = Gap::effect(b as u8);
        table[b] = set << 4 | keep & Gap::ALL;
        b += 1;
    }
    table
};

/// `byte` in each byte of a `u64`.
const fn each_byte(byte: u8) -> u64 {
    u64::from_le_bytes([byte; 8])
}

/// [`Word::key`] of the word at `start..end`: its first eight bytes in lower case (fewer in a
/// shorter word, zeros after) if it is ASCII letters only, else 0: the tests' reference, and
/// the key of the words they make.
#[cfg(test)]
pub(crate) fn word_key(bytes: &[u8], start: usize, end: usize) -> u64 {
    let word = bytes.get(start..end).unwrap_or(&[]);
    if word.is_empty() || !word.iter().all(u8::is_ascii_alphabetic) {
        return 0;
    }
    lower_key(eight_bytes(bytes, start), word.len())
}

/// [`Word::key`] of a word of `len` ASCII letters (at least one) whose first eight bytes are
/// `first`.
fn lower_key(first: u64, len: usize) -> u64 {
    (first | each_byte(0x20)) & u64::MAX >> (64 - 8 * len.clamp(1, 8))
}

/// The top bit of each byte of a `u64`.
const HIGH_BITS: u64 = each_byte(0x80);

/// The eight bytes from `pos` as a little-endian `u64`, with zeros past the end of the text.
#[inline]
pub(crate) fn eight_bytes(bytes: &[u8], pos: usize) -> u64 {
    match bytes.get(pos..pos.wrapping_add(8)) {
        Some(&[a, b, c, d, e, f, g, h]) => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ => last_bytes(bytes, pos),
    }
}

/// [`eight_bytes`] where `pos` is within the text, checked with one comparison (the splitter's
/// loop; the lexicon's filter is faster with [`eight_bytes`] as it is).
#[inline]
fn eight_bytes_in(bytes: &[u8], pos: usize) -> u64 {
    match bytes.get(pos..).and_then(<[u8]>::first_chunk) {
        Some(&eight) => u64::from_le_bytes(eight),
        None => last_bytes(bytes, pos),
    }
}

/// [`eight_bytes`] near the end of the text: the text's last eight bytes moved down past those
/// before `pos`, or byte by byte in a text shorter than that (a copy into a buffer was a call to
/// `memcpy`, twice a text: the last word of every text ends here).
#[cold]
#[inline(never)]
fn last_bytes(bytes: &[u8], pos: usize) -> u64 {
    let rest = bytes.get(pos..).unwrap_or(&[]);
    match (rest.len(), bytes.last_chunk::<8>()) {
        (n @ 1..8, Some(last)) => u64::from_le_bytes(*last) >> (64 - 8 * n),
        _ => small_bytes(rest),
    }
}

/// The first eight bytes of `bytes` as a little-endian `u64`, zeros past its end: in a text of
/// fewer than eight bytes, as four, two and one (a loop byte by byte cost more than the copy).
fn small_bytes(bytes: &[u8]) -> u64 {
    if let Some(eight) = bytes.first_chunk::<8>() {
        return u64::from_le_bytes(*eight);
    }
    let (mut w, mut shift, mut rest) = (0, 0, bytes);
    if let Some((four, tail)) = rest.split_first_chunk::<4>() {
        (w, shift, rest) = (u64::from(u32::from_le_bytes(*four)), 32, tail);
    }
    if let Some((two, tail)) = rest.split_first_chunk::<2>() {
        w |= u64::from(u16::from_le_bytes(*two)) << shift;
        (shift, rest) = (shift + 16, tail);
    }
    if let Some(&one) = rest.first() {
        w |= u64::from(one) << shift;
    }
    w
}

/// The top bit of each byte of `folded` (the text's bytes with bit 5 set: small letters and
/// capitals alike as small letters, `each_byte(0x20) | w`) that is no ASCII letter, exact up to
/// the first such byte: the sums carry only out of a byte that is no letter, into the bytes
/// above it.
#[inline]
fn not_letters(folded: u64) -> u64 {
    // Past `z`, or beyond ASCII (no byte of UTF-8 is above 0xf7, so this sum never carries
    // out of a byte beyond ASCII).
    let past_z = folded.wrapping_add(each_byte(0x80 - b'z' - 1));
    // From `a` on (or beyond ASCII). A top byte beyond ASCII carries out of the word: wrapping
    // drops that carry, which only the byte's own top bit (then clear: not a letter) reads.
    let from_a = folded.wrapping_add(each_byte(0x80 - b'a'));
    (past_z | !from_a) & HIGH_BITS
}

/// ASCII letters of a text, counted while it is split: how it is written follows from them.
#[derive(Clone, Copy, Default)]
struct Letters {
    upper: usize,
    /// Capitals and small letters.
    all: usize,
}

impl Letters {
    /// No capitals: lower case; at least six capitals and more than twice as many as small
    /// letters: upper case.
    fn mode(self) -> CaseMode {
        if self.upper == 0 {
            CaseMode::Lower
        } else if self.upper >= 6 && self.upper > (self.all - self.upper) * 2 {
            CaseMode::Upper
        } else {
            CaseMode::Mixed
        }
    }
}

/// What stands between the previous word and the next: the facts [`Word`] records about it,
/// as bits (the prefix in bits 0-1, as [`Gap::prefix`] reads them), so that a character adds
/// to it through a table, without a branch.
#[derive(Clone, Copy)]
struct Gap(u8);

impl Gap {
    /// 0 for [`Prefix::None`], 1 for [`Prefix::Handle`], 2 for [`Prefix::Hashtag`].
    const PREFIX: u8 = 3;
    const HANDLE: u8 = 1;
    const HASHTAG: u8 = 2;
    /// [`Word::sentence_start`].
    const SENTENCE_START: u8 = 4;
    /// [`Word::joined_to_previous`].
    const ONLY_SPACES: u8 = 8;
    /// All the bits a gap uses.
    const ALL: u8 = 15;

    /// The gap before the first word of a text.
    const START: Gap = Gap(Gap::SENTENCE_START);

    fn prefix(self) -> Prefix {
        // A table in memory: one load, where a match takes several instructions.
        static PREFIXES: [Prefix; 4] =
            [Prefix::None, Prefix::Handle, Prefix::Hashtag, Prefix::None];
        PREFIXES[usize::from(self.0 & Gap::PREFIX)]
    }

    fn sentence_start(self) -> bool {
        self.0 & Gap::SENTENCE_START != 0
    }

    fn only_spaces(self) -> bool {
        self.0 & Gap::ONLY_SPACES != 0
    }

    /// The gap after a word, before any character of it.
    #[inline]
    fn after_word(self) -> Gap {
        Gap(self.0 & Gap::PREFIX | Gap::ONLY_SPACES)
    }

    /// What an ASCII character that is no letter does to the gap: the bits it keeps, and
    /// those it sets.
    const fn effect(c: u8) -> (u8, u8) {
        let (mut keep, mut set) = (u8::MAX, 0);
        match c {
            b'@' => (keep, set) = (!Gap::PREFIX, Gap::HANDLE),
            b'#' => (keep, set) = (!Gap::PREFIX, Gap::HASHTAG),
            b'_' | b'.' | b'-' | b'0'..=b'9' => {}
            _ => keep = !Gap::PREFIX,
        }
        match c {
            b' ' | b'\t' => {}
            b'.' | b'!' | b'?' | b'\n' | b'\r' | b'|' | b';' | b':' => {
                set |= Gap::SENTENCE_START;
                keep &= !Gap::ONLY_SPACES;
            }
            b'0'..=b'9' => keep &= !(Gap::SENTENCE_START | Gap::ONLY_SPACES),
            _ => keep &= !Gap::ONLY_SPACES,
        }
        (keep, set)
    }

    /// Adds the ASCII byte that is no letter whose entry in [`GAP`] is `effect`.
    #[inline]
    fn push_byte(self, effect: u8) -> Gap {
        Gap(self.0 & effect | effect >> 4)
    }

    /// Adds a character that is not a letter to the gap.
    fn push(&mut self, c: char) {
        *self = match u8::try_from(c) {
            Ok(b) if b < 0x80 => self.push_byte(GAP[usize::from(b)]),
            // A bullet ends a sentence; any other character beyond ASCII only separates.
            _ if c == '•' => {
                Gap(self.0 & !(Gap::PREFIX | Gap::ONLY_SPACES) | Gap::SENTENCE_START)
            }
            _ => Gap(self.0 & !(Gap::PREFIX | Gap::ONLY_SPACES)),
        };
    }
}

/// Whether the character at byte `pos` is a letter; ASCII without decoding.
#[inline]
fn letter_at(text: &str, pos: usize) -> bool {
    match text.as_bytes().get(pos) {
        Some(&b) if b < 0x80 => b.is_ascii_alphabetic(),
        Some(_) => text
            .get(pos..)
            .and_then(|s| s.chars().next())
            .is_some_and(is_word_char),
        None => false,
    }
}

/// The letters at the start of eight bytes: what the fast path of [`words`] reads from them.
struct Run {
    /// How many bytes from the first are ASCII letters (8: all of them).
    len: usize,
    /// How many of those are capitals.
    capitals: usize,
    /// Those bytes in lower case, zeros above them: [`Word::key`] of a word they start.
    key: u64,
}

impl Run {
    #[inline(always)]
    fn of(w: u64) -> Run {
        let folded = w | each_byte(0x20);
        let others = not_letters(folded);
        // The top bit of the first byte that is no letter, 0 if there is none: the bytes below
        // it are the run, all eight when there is none (no branch on where the run ends).
        let first_other = others & others.wrapping_neg();
        let mask = (first_other >> 7).wrapping_sub(1);
        // The capitals' bit 5 (clear in a capital), summed into the top byte.
        let capitals = ((folded ^ w) & mask) >> 5;
        Run {
            len: (others.trailing_zeros() / 8) as usize,
            capitals: (capitals.wrapping_mul(each_byte(1)) >> 56) as usize,
            key: folded & mask,
        }
    }
}

/// The rest of a word of more than eight ASCII letters from `end`: where its letters end, how
/// many of them are capitals, and the byte after them (0 at the end of the text). Out of
/// [`words`]' loop, which is left with fewer values to keep in registers.
#[inline(never)]
fn long_run(bytes: &[u8], end: usize) -> (usize, usize, u8) {
    // Most such words have fewer than sixteen letters: their second eight bytes are read here
    // without a loop, whose constants the compiler kept in registers saved and restored at
    // every call (about 20 instructions a call).
    let w = eight_bytes(bytes, end);
    let run = Run::of(w);
    if run.len < 8 {
        return (end + run.len, run.capitals, (w >> (8 * run.len)) as u8);
    }
    longer_run(bytes, end + 8, run.capitals)
}

/// [`long_run`] past a word's sixteenth letter, with the `capitals` before.
#[cold]
#[inline(never)]
fn longer_run(bytes: &[u8], end: usize, capitals: usize) -> (usize, usize, u8) {
    let (end, more, after) = ascii_letters(bytes, end);
    (end, capitals + more, after)
}

/// The ASCII letters from `end`, eight bytes at a time: where they end, how many of them are
/// capitals, and the byte after them (0 at the end of the text).
#[inline(always)]
fn ascii_letters(bytes: &[u8], mut end: usize) -> (usize, usize, u8) {
    let mut capitals = 0;
    loop {
        let w = eight_bytes(bytes, end);
        let run = Run::of(w);
        capitals += run.capitals;
        end += run.len;
        if run.len < 8 {
            return (end, capitals, (w >> (8 * run.len)) as u8);
        }
    }
}

/// [`Word::shape`] by the word's capitals (bits 0-1: none, one, two, more), whether its first
/// letter is one (bit 2, as [`CAPITAL`] in [`LETTER`]) and whether all its letters are (bit 3).
/// Entries for what cannot be (all capitals but not the first) are `Lower`.
const SHAPES: [Shape; 16] = {
    use Shape::{Lower, Mixed, Title, Upper};
    [
        Lower, Mixed, Mixed, Mixed, // small first letter
        Lower, Title, Title, Mixed, // capital first, two at most: capitalised
        Lower, Lower, Lower, Lower, // (all capitals, small first letter)
        Lower, Title, Upper, Upper, // all capitals: a single one is capitalised
    ]
};

/// [`SHAPES`] as two bits an entry (the shape's discriminant): read from a constant, not from
/// a table in memory that other work leaves out of the cache between texts.
const SHAPE_CODES: u32 = {
    let mut codes = 0;
    let mut i = 0;
    while i < SHAPES.len() {
        codes |= (SHAPES[i] as u32) << (2 * i);
        i += 1;
    }
    codes
};

impl Shape {
    /// The shape whose discriminant is `code & 3`.
    #[inline]
    fn from_code(code: u32) -> Shape {
        match code & 3 {
            0 => Shape::Lower,
            1 => Shape::Title,
            2 => Shape::Upper,
            _ => Shape::Mixed,
        }
    }
}

/// Splits `text` into words, and tells how it is written (what [`case_mode`] answers, from
/// the letters counted on the way).
pub(crate) fn words(text: &str, out: &mut Vec<Word>) -> CaseMode {
    out.clear();
    let bytes = text.as_bytes();
    let mut gap = Gap::START;
    let mut counts = Letters::default();
    let mut pos = 0;
    while let Some(&b) = bytes.get(pos) {
        let class = LETTER[usize::from(b)];
        if class & (SMALL | CAPITAL) == 0 {
            if b < 0x80 {
                gap = gap.push_byte(GAP[usize::from(b)]);
                pos += 1;
            } else {
                (pos, gap) = other_step(text, pos, gap, out, &mut counts);
            }
            continue;
        }
        // The common word: ASCII letters, then an ASCII character that neither joins (`'`, `-`)
        // nor continues it. Eight bytes at a time: the end of the letters is the lowest set bit
        // of a mask, where a loop byte by byte took a mispredicted branch at nearly every end
        // of a word.
        let first = eight_bytes_in(bytes, pos);
        let run = Run::of(first);
        let (end, capitals, after) = if run.len < 8 {
            (pos + run.len, run.capitals, (first >> (8 * run.len)) as u8)
        } else {
            let (end, capitals, after) = long_run(bytes, pos + 8);
            (end, run.capitals + capitals, after)
        };
        if LETTER[usize::from(after)] & JOINS != 0 {
            (pos, gap) = other_step(text, pos, gap, out, &mut counts);
            continue;
        }
        let letters = end - pos;
        counts.upper += capitals;
        counts.all += letters;
        let shape = Shape::from_code(
            SHAPE_CODES
                >> (2
                    * (u32::from(capitals == letters) << 3
                        | u32::from(class & CAPITAL)
                        | capitals.min(3) as u32)),
        );
        out.push(Word {
            start: pos,
            end,
            key: run.key,
            shape,
            prefix: gap.prefix(),
            sentence_start: gap.sentence_start(),
            joined_to_previous: gap.only_spaces(),
            // A single capital followed by a dot (`J.`): a capital has bit 5 clear.
            initial: first & 0xff20 == u64::from(b'.') << 8,
        });
        // The byte after the word is in the gap before the next (a space, most often): taken
        // here, without a branch on what it is.
        // (It is ASCII: a byte beyond it joins.)
        gap = gap.after_word().push_byte(GAP[usize::from(after & 0x7f)]);
        pos = end + 1;
    }
    counts.mode()
}

/// One step of [`words`] at what its fast path leaves: a character beyond ASCII, or a word that
/// is joined or has letters beyond ASCII. Returns where to go on.
#[cold]
#[inline(never)]
fn other_step(
    text: &str,
    mut pos: usize,
    mut gap: Gap,
    out: &mut Vec<Word>,
    counts: &mut Letters,
) -> (usize, Gap) {
    let bytes = text.as_bytes();
    // Most words here are joined words of ASCII letters (`don't`, `Mary-Jane`) or ASCII words
    // before a joiner that does not join (a possessive): an ASCII letter is told without
    // decoding it or asking `is_word_char`.
    let first_upper = match bytes.get(pos) {
        Some(&b) if b.is_ascii_alphabetic() => b.is_ascii_uppercase(),
        _ => {
            let Some(c) = text.get(pos..).and_then(|s| s.chars().next()) else {
                return (bytes.len(), gap);
            };
            if !is_word_char(c) {
                gap.push(c);
                return (pos + c.len_utf8(), gap);
            }
            c.is_uppercase()
        }
    };
    let start = pos;
    let (mut upper, mut lower, mut letters) = (0usize, 0usize, 0usize);
    let mut end = pos;
    loop {
        // Runs of ASCII letters, the common case, eight bytes at a time (byte by byte, the end
        // of each run was a mispredicted branch): their capitals, and the byte after them.
        let (run_end, run_upper, next) = ascii_letters(bytes, end);
        let run = run_end - end;
        end = run_end;
        upper += run_upper;
        lower += run - run_upper;
        letters += run;
        counts.upper += run_upper;
        counts.all += run;
        // `next` is 0 at the end of the text, where the word ends as at any other ASCII byte.
        let (is_apostrophe, dlen) = match next {
            b'\'' => (true, 1),
            b'-' => (false, 1),
            d if d < 0x80 => break,
            _ => {
                let Some(d) = text.get(end..).and_then(|s| s.chars().next()) else {
                    break;
                };
                if is_word_char(d) {
                    upper += usize::from(d.is_uppercase());
                    lower += usize::from(d.is_lowercase());
                    letters += 1;
                    end += d.len_utf8();
                    continue;
                }
                if d != '’' {
                    break;
                }
                (true, d.len_utf8())
            }
        };
        // An apostrophe or hyphen joins letters on both sides, except a possessive 's.
        let after = end + dlen;
        if is_apostrophe
            && matches!(bytes.get(after), Some(b's' | b'S'))
            && !letter_at(text, after + 1)
        {
            // Skip the 's: it belongs to no word, but its letter counts.
            counts.upper += usize::from(bytes.get(after) == Some(&b'S'));
            counts.all += 1;
            pos = after + 1;
            break;
        }
        if letter_at(text, after) {
            end = after;
            continue;
        }
        break;
    }
    let shape = if lower == 0 && upper > 0 {
        if letters == 1 {
            Shape::Title
        } else {
            Shape::Upper
        }
    } else if upper == 0 {
        Shape::Lower
    } else if first_upper && upper <= 2 {
        Shape::Title
    } else {
        Shape::Mixed
    };
    out.push(Word {
        start,
        end,
        // Each ASCII letter is a letter of one byte, and anything else in a word (a letter beyond
        // ASCII, an apostrophe, a hyphen) more bytes than letters.
        key: if letters == end - start {
            lower_key(eight_bytes(bytes, start), letters)
        } else {
            0
        },
        shape,
        prefix: gap.prefix(),
        sentence_start: gap.sentence_start(),
        joined_to_previous: gap.only_spaces(),
        initial: letters == 1 && first_upper && bytes.get(end) == Some(&b'.'),
    });
    (pos.max(end), gap.after_word())
}

/// Decides how the text is written, from its letters: the reference for what [`words`] answers.
#[cfg(test)]
pub(crate) fn case_mode(text: &str) -> CaseMode {
    let bytes = text.as_bytes();
    Letters {
        upper: bytes.iter().filter(|b| b.is_ascii_uppercase()).count(),
        all: bytes.iter().filter(|b| b.is_ascii_alphabetic()).count(),
    }
    .mode()
}

/// True when the byte before `start` and the byte at `end` are not letters or digits.
pub(crate) fn at_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let before = start.checked_sub(1).and_then(|i| bytes.get(i));
    let first = bytes.get(start);
    let last = end.checked_sub(1).and_then(|i| bytes.get(i));
    let after = bytes.get(end);
    let ascii = |b: Option<&u8>| b.is_none_or(u8::is_ascii);
    if start <= end && end <= bytes.len() && [before, first, last, after].into_iter().all(ascii) {
        // ASCII all around: the bytes are the characters.
        let alnum = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
        return !(alnum(first) && alnum(before) || alnum(last) && alnum(after));
    }
    let before = text.get(..start).and_then(|s| s.chars().next_back());
    let after = text.get(end..).and_then(|s| s.chars().next());
    let first = text.get(start..).and_then(|s| s.chars().next());
    let last = text.get(..end).and_then(|s| s.chars().next_back());
    let left_ok =
        !first.is_some_and(char::is_alphanumeric) || !before.is_some_and(char::is_alphanumeric);
    let right_ok =
        !last.is_some_and(char::is_alphanumeric) || !after.is_some_and(char::is_alphanumeric);
    left_ok && right_ok
}

/// A byte that ends a sentence: `.`, `!`, `?` or a line break.
fn is_stop(b: u8) -> bool {
    matches!(b, b'.' | b'!' | b'?' | b'\n')
}

/// The bounds of the sentence around `pos`: from after the previous `.!?` or line break to the next.
pub(crate) fn sentence_bounds(text: &str, pos: usize) -> (usize, usize) {
    // With `memchr`'s vector search: a byte loop cost about four instructions a byte, and the
    // indirect-identification rules ask for the sentence of every cue.
    let bytes = text.as_bytes();
    let pos = pos.min(bytes.len());
    let (head, tail) = bytes.split_at(pos);
    let dot = memchr::memrchr3(b'.', b'!', b'?', head);
    let after_dot = dot.map_or(0, |i| i + 1);
    let line =
        memchr::memrchr(b'\n', head.get(after_dot..).unwrap_or_default()).map(|i| after_dot + i);
    let start = line.or(dot).map_or(0, |i| i + 1);
    let dot = memchr::memchr3(b'.', b'!', b'?', tail);
    let line = memchr::memchr(
        b'\n',
        tail.get(..dot.unwrap_or(tail.len())).unwrap_or_default(),
    );
    let end = line.or(dot).map_or(bytes.len(), |i| pos + i);
    (start, end)
}

/// The sentence around each of a run of positions asked for in text order, each sentence found
/// once: while the positions stay inside the last one found, it answers again (so a long text
/// with many positions in one sentence is read once, not once a position).
#[derive(Default)]
pub(crate) struct Sentences {
    last: (usize, usize),
}

impl Sentences {
    /// The bounds of the sentence around `pos`, as [`sentence_bounds`] draws them (its end at
    /// least `pos + 1`).
    pub(crate) fn of(&mut self, text: &str, pos: usize) -> (usize, usize) {
        if !(self.last.0 <= pos && pos < self.last.1) {
            let (start, end) = sentence_bounds(text, pos);
            self.last = (start, end.max(pos + 1));
        }
        self.last
    }
}

/// Whether byte `other` is in the sentence around `pos` (both at most the text's length), as
/// [`sentence_bounds`] draws it: no sentence end from `other` up to `pos`, or from `pos` up to
/// and including `other`. Reads only the bytes between them, outwards from `pos`, so never more
/// than [`sentence_bounds`] would however far `other` is.
pub(crate) fn in_sentence_of(text: &str, pos: usize, other: usize) -> bool {
    let bytes = text.as_bytes();
    if other < pos {
        bytes
            .get(other..pos)
            .is_some_and(|between| !between.iter().rev().any(|&b| is_stop(b)))
    } else {
        bytes
            .get(pos..=other)
            .is_some_and(|between| !between.iter().any(|&b| is_stop(b)))
    }
}

/// `word` is in `list`, ignoring ASCII case.
pub(crate) fn eq_any(list: &[&str], word: &str) -> bool {
    list.iter()
        .any(|w| w.len() == word.len() && w.eq_ignore_ascii_case(word))
}

/// A word list looked up once per word, for the long lists that [`eq_any`] would walk entry by
/// entry: the same answer (ASCII case ignored) from one hash lookup.
pub(crate) struct WordSet {
    /// The words of one to eight bytes that do not end in a zero byte (nearly all), by their
    /// bytes in ASCII lower case as a little-endian `u64`, zeros after the word: a word is
    /// looked up without copying it or hashing it byte by byte (its length is where its last
    /// zeros start, so no two such words have one key).
    short: rustc_hash::FxHashSet<u64>,
    /// The other words, in ASCII lower case.
    set: rustc_hash::FxHashSet<Box<[u8]>>,
    longest: usize,
}

/// The longest word a [`WordSet`] can hold.
const WORD_SET_MAX: usize = 32;

/// Whether `word` goes in [`WordSet::short`].
fn short_word(word: &[u8]) -> bool {
    word.len() <= 8 && word.last().is_some_and(|&b| b != 0)
}

impl WordSet {
    pub(crate) fn new(list: &[&str]) -> WordSet {
        let mut short = rustc_hash::FxHashSet::default();
        let mut set = rustc_hash::FxHashSet::default();
        for w in list.iter().filter(|w| w.len() <= WORD_SET_MAX) {
            if short_word(w.as_bytes()) {
                short.insert(ascii_lower8(small_bytes(w.as_bytes())));
            } else {
                set.insert(w.as_bytes().to_ascii_lowercase().into_boxed_slice());
            }
        }
        let longest = list
            .iter()
            .map(|w| w.len())
            .filter(|&n| n <= WORD_SET_MAX)
            .max()
            .unwrap_or(0);
        WordSet {
            short,
            set,
            longest,
        }
    }

    pub(crate) fn contains(&self, word: &str) -> bool {
        let bytes = word.as_bytes();
        if short_word(bytes) {
            return self.short.contains(&ascii_lower8(small_bytes(bytes)));
        }
        if bytes.len() > self.longest {
            return false;
        }
        let mut buf = [0u8; WORD_SET_MAX];
        let Some(lower) = buf.get_mut(..bytes.len()) else {
            return false;
        };
        lower.copy_from_slice(bytes);
        lower.make_ascii_lowercase();
        self.set.contains(&*lower)
    }
}

/// A static [`WordSet`] built from a list on first use.
macro_rules! word_set {
    ($name:ident = $list:expr) => {
        static $name: std::sync::LazyLock<$crate::text::WordSet> =
            std::sync::LazyLock::new(|| $crate::text::WordSet::new($list));
    };
}
pub(crate) use word_set;

/// Whether byte `b` is ASCII whitespace as both [`char::is_whitespace`] and the regexes' `\s`
/// (Unicode off) take it: unlike [`u8::is_ascii_whitespace`], the vertical tab counts.
pub(crate) fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// What has a place in the text: a start and an end byte.
pub(crate) trait Spanned {
    fn span(&self) -> (usize, usize);
}

impl Spanned for (usize, usize) {
    fn span(&self) -> (usize, usize) {
        *self
    }
}

/// Whether a span overlaps any of a list of spans (names, cities): by a look at each of them in
/// a short list, by one binary search in a long one (a long text holds thousands of names, and
/// a look at each for each made it quadratic).
pub(crate) struct Overlaps {
    /// How long the list was.
    len: usize,
    /// For a long list, its spans by start, each with the furthest end up to it; empty for a
    /// short one.
    by_start: Vec<(usize, usize)>,
}

impl Overlaps {
    /// Lists up to this long are read whole.
    const SHORT: usize = 16;

    pub(crate) fn new<T: Spanned>(list: &[T]) -> Overlaps {
        let mut by_start = Vec::new();
        if list.len() > Self::SHORT {
            by_start.extend(list.iter().map(Spanned::span));
            by_start.sort_unstable();
            let mut furthest = 0;
            for span in &mut by_start {
                furthest = furthest.max(span.1);
                span.1 = furthest;
            }
        }
        Overlaps {
            len: list.len(),
            by_start,
        }
    }

    /// Whether `start..end` overlaps one of the list this index was made from: `list`, or
    /// the start of it, if more was added since.
    pub(crate) fn any<T: Spanned>(&self, list: &[T], start: usize, end: usize) -> bool {
        if self.by_start.is_empty() {
            return list.get(..self.len).unwrap_or(list).iter().any(|f| {
                let (s, e) = f.span();
                s < end && start < e
            });
        }
        // Among the spans that start before `end`, one ends after `start`.
        let n = self.by_start.partition_point(|&(s, _)| s < end);
        n > 0 && self.by_start.get(n - 1).is_some_and(|&(_, e)| e > start)
    }

    /// Whether one of the list this index was made from holds all of `start..end`.
    pub(crate) fn holds<T: Spanned>(&self, list: &[T], start: usize, end: usize) -> bool {
        if self.by_start.is_empty() {
            return list.get(..self.len).unwrap_or(list).iter().any(|f| {
                let (s, e) = f.span();
                s <= start && end <= e
            });
        }
        // Among the spans that start by `start`, one ends at `end` or after.
        let n = self.by_start.partition_point(|&(s, _)| s <= start);
        n > 0 && self.by_start.get(n - 1).is_some_and(|&(_, e)| e >= end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlaps_answers_as_a_look_at_every_span() {
        // Short lists and long ones, nested and touching spans, in no order.
        for len in [0, 3, 16, 17, 40] {
            let spans: Vec<(usize, usize)> = (0..len)
                .map(|i| {
                    let start = (i * 37) % 101;
                    (start, start + 1 + (i * 13) % 9)
                })
                .collect();
            let index = Overlaps::new(&spans);
            for start in 0..115 {
                for end in start..start + 12 {
                    let want = spans.iter().any(|&(s, e)| s < end && start < e);
                    assert_eq!(index.any(&spans, start, end), want, "{len}: {start}..{end}");
                    let held = spans.iter().any(|&(s, e)| s <= start && end <= e);
                    assert_eq!(
                        index.holds(&spans, start, end),
                        held,
                        "{len}: {start}..{end}"
                    );
                }
            }
        }
    }

    /// The character at byte `pos` and its length; ASCII without decoding.
    #[inline]
    fn char_at(text: &str, bytes: &[u8], pos: usize) -> Option<(char, usize)> {
        let b = *bytes.get(pos)?;
        if b < 0x80 {
            return Some((b as char, 1));
        }
        let c = text.get(pos..)?.chars().next()?;
        Some((c, c.len_utf8()))
    }

    /// The splitter as it was before the byte-table version: the reference the tests compare with.
    fn words_reference(text: &str, out: &mut Vec<Word>) {
        out.clear();
        let bytes = text.as_bytes();
        let mut pos = 0;
        let mut prefix = Prefix::None;
        // Whether what separates the next word from the previous one is only spaces.
        let mut only_spaces = false;
        let mut sentence_start = true;
        while let Some((c, len)) = char_at(text, bytes, pos) {
            if !is_word_char(c) {
                pos += len;
                match c {
                    '@' => prefix = Prefix::Handle,
                    '#' => prefix = Prefix::Hashtag,
                    '_' | '.' | '-' if prefix != Prefix::None => {}
                    c if c.is_ascii_digit() && prefix != Prefix::None => {}
                    _ => prefix = Prefix::None,
                }
                match c {
                    ' ' | '\t' => {}
                    '.' | '!' | '?' | '\n' | '\r' | '•' | '|' | ';' | ':' => {
                        sentence_start = true;
                        only_spaces = false;
                    }
                    _ => only_spaces = false,
                }
                if c.is_ascii_digit() {
                    sentence_start = false;
                }
                continue;
            }
            let start = pos;
            let first_upper = c.is_uppercase();
            let (mut upper, mut lower, mut letters) = (0usize, 0usize, 0usize);
            let mut end = pos;
            loop {
                // Runs of ASCII letters, the common case, byte by byte: each is a capital or not.
                let (mut run, mut run_upper) = (0, 0);
                for &b in bytes.get(end..).unwrap_or(&[]) {
                    if (b | 0x20).wrapping_sub(b'a') >= 26 {
                        break;
                    }
                    run_upper += usize::from(b < b'a');
                    run += 1;
                }
                end += run;
                upper += run_upper;
                lower += run - run_upper;
                letters += run;
                let Some((d, dlen)) = char_at(text, bytes, end) else {
                    break;
                };
                if is_word_char(d) {
                    upper += usize::from(d.is_uppercase());
                    lower += usize::from(d.is_lowercase());
                    letters += 1;
                    end += dlen;
                    continue;
                }
                // An apostrophe or hyphen joins letters on both sides, except a possessive 's.
                if matches!(d, '\'' | '’' | '-') {
                    let after = end + dlen;
                    let next = char_at(text, bytes, after);
                    let next2 = next.and_then(|(_, l)| char_at(text, bytes, after + l));
                    let possessive = matches!(d, '\'' | '’')
                        && matches!(next, Some(('s' | 'S', _)))
                        && !next2.is_some_and(|(c, _)| is_word_char(c));
                    if possessive {
                        // Skip the 's: it belongs to no word.
                        pos = after + 1;
                        break;
                    }
                    if next.is_some_and(|(c, _)| is_word_char(c)) {
                        end = after;
                        continue;
                    }
                }
                break;
            }
            pos = pos.max(end);
            let shape = if lower == 0 && upper > 0 {
                if letters == 1 {
                    Shape::Title
                } else {
                    Shape::Upper
                }
            } else if upper == 0 {
                Shape::Lower
            } else if first_upper && upper <= 2 {
                Shape::Title
            } else {
                Shape::Mixed
            };
            let initial = letters == 1 && first_upper && bytes.get(end) == Some(&b'.');
            out.push(Word {
                start,
                end,
                key: word_key(bytes, start, end),
                shape,
                prefix,
                sentence_start,
                joined_to_previous: only_spaces,
                initial,
            });
            sentence_start = false;
            only_spaces = true;
        }
    }

    fn texts(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        words(s, &mut out);
        out.iter().map(|w| w.text(s).to_owned()).collect()
    }

    #[test]
    fn splits_names_possessives_and_handles() {
        assert_eq!(
            texts("Mrs. O'Brien's son @maria_gonzales #PrayForJohn"),
            ["Mrs", "O'Brien", "son", "maria", "gonzales", "PrayForJohn"]
        );
    }

    #[test]
    fn a_letter_beyond_ascii_as_a_words_eighth_byte_is_part_of_it() {
        // "ä" starts at the eighth byte: the letter test's sums carry out of the top byte there
        // (a debug build once panicked on it).
        assert_eq!(
            texts("Kaffeehäuser in ZÜRICHSÄ, Straßenbahnen"),
            ["Kaffeehäuser", "in", "ZÜRICHSÄ", "Straßenbahnen"]
        );
    }

    #[test]
    fn word_sets_answer_as_the_list_does() {
        let list = [
            "street",
            "Rue",
            "ul",
            "apartment",
            "Suite 282",
            "a\0",
            "STRAẞE",
            "abcdefgh",
            "@#[`{",
        ];
        let set = WordSet::new(&list);
        for word in [
            "STREET",
            "street",
            "rue",
            "RUE",
            "Ul",
            "streets",
            "",
            "straße",
            "u",
            "APARTMENT",
            "apartmen",
            "suite 282",
            "a",
            "a\0",
            "A\0",
            "a\0\0",
            "straẞe",
            "STRAẞE",
            "ABCDEFGH",
            "abcdefg",
            "abcdefghi",
            "@#[`{",
            "`#[@{",
            "ul\0",
            "rue ",
        ] {
            assert_eq!(set.contains(word), eq_any(&list, word), "{word:?}");
        }
    }

    #[test]
    fn ascii_lower_answers_as_the_standard_library_does() {
        let mut rng = crate::test_support::Rng::new(0x9e37_79b9_7f4a_7c15);
        for _ in 0..100_000 {
            let seed = rng.next_u64();
            let bytes = seed.to_le_bytes();
            let want = u64::from_le_bytes(bytes.map(|b| b.to_ascii_lowercase()));
            assert_eq!(ascii_lower8(seed), want, "{seed:#x}");
        }
        for b in 0..=255u8 {
            let w = u64::from_le_bytes([b; 8]);
            assert_eq!(
                ascii_lower8(w),
                u64::from_le_bytes([b.to_ascii_lowercase(); 8])
            );
        }
    }

    #[test]
    fn marks_sentence_starts_and_initials() {
        let s = "Hi. John J. Smith";
        let mut out = Vec::new();
        words(s, &mut out);
        assert!(out[1].sentence_start);
        assert!(out[2].initial);
    }
    /// Every field of every word, for comparing two splitters.
    fn fields(w: &Word) -> (usize, usize, u64, Shape, Prefix, bool, bool, bool) {
        (
            w.start,
            w.end,
            w.key,
            w.shape,
            w.prefix,
            w.sentence_start,
            w.joined_to_previous,
            w.initial,
        )
    }

    #[test]
    fn a_words_key_is_its_first_letters_in_lower_case() {
        // The key the lexicon's filter reads instead of the text: the first eight letters of a
        // word of ASCII letters only, in lower case, zeros after a shorter word; wherever the
        // word is (at the text's end too) and however it is written.
        let letters = "AbCdEfGhIjKl";
        for len in 1..=letters.len() {
            let word = &letters[..len];
            let mut want = [0u8; 8];
            for (w, b) in want.iter_mut().zip(word.to_ascii_lowercase().bytes()) {
                *w = b;
            }
            let want = u64::from_le_bytes(want);
            for (text, at) in [
                (word.to_owned(), 0),
                (format!("{word}."), 0),
                (format!("x {word}"), 2),
                (format!("x {word} y"), 2),
                (format!("see {word}, then"), 4),
                (format!("so {}-", word.to_uppercase()), 3),
                (format!("{word}'s"), 0),
                (format!("{word}\u{2019}s thing"), 0),
            ] {
                let mut out = Vec::new();
                words(&text, &mut out);
                let w = out.iter().find(|w| w.start == at).unwrap();
                assert_eq!(w.end - w.start, len, "{text:?}");
                assert_eq!(w.key, want, "{text:?}");
            }
        }
        // Words that are more than ASCII letters have none.
        for text in [
            "x-ray",
            "O'Brien",
            "caf\u{e9}",
            "\u{e9}t\u{e9}",
            "Mary-Jane Smith",
        ] {
            let mut out = Vec::new();
            words(text, &mut out);
            assert_eq!(out.first().map(|w| w.key), Some(0), "{text:?}");
        }
    }

    #[test]
    fn eight_bytes_are_the_texts_with_zeros_past_its_end() {
        let text: Vec<u8> = (1..=20).collect();
        for len in 0..=text.len() {
            let bytes = &text[..len];
            for pos in 0..len + 10 {
                let mut reference = [0u8; 8];
                for (r, b) in reference.iter_mut().zip(bytes.iter().skip(pos)) {
                    *r = *b;
                }
                let reference = u64::from_le_bytes(reference);
                assert_eq!(eight_bytes(bytes, pos), reference, "{len} {pos}");
                assert_eq!(last_bytes(bytes, pos), reference, "{len} {pos}");
            }
        }
    }

    #[test]
    fn a_word_stays_small() {
        // A word is pushed for every word of every text.
        assert!(std::mem::size_of::<Word>() <= 32);
    }

    fn assert_same_words(text: &str) {
        let (mut new, mut old) = (Vec::new(), Vec::new());
        let mode = words(text, &mut new);
        assert_eq!(mode, case_mode(text), "{text:?}");
        words_reference(text, &mut old);
        let new: Vec<_> = new.iter().map(fields).collect();
        let old: Vec<_> = old.iter().map(fields).collect();
        assert_eq!(new, old, "{text:?}");
    }

    #[test]
    fn splits_the_corpora_as_the_reference_does() {
        for corpus in ["social", "presidio"] {
            let path = format!(
                "{}/../../corpora/{corpus}.jsonl",
                env!("CARGO_MANIFEST_DIR")
            );
            let Ok(lines) = std::fs::read_to_string(&path) else {
                continue;
            };
            for line in lines.lines() {
                let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                let text = value["text"].as_str().unwrap_or("");
                assert_same_words(text);
                assert_same_words(&text.to_lowercase());
                assert_same_words(&text.to_uppercase());
            }
        }
    }

    #[test]
    fn in_sentence_of_answers_as_the_bounds_do() {
        for text in [
            "",
            "a",
            "Hi. Who? Me!\nYes.",
            "..",
            "a.b",
            "no stop at all",
            "!x\n",
        ] {
            for pos in 0..=text.len() {
                let (s, e) = sentence_bounds(text, pos);
                for other in 0..=text.len() {
                    assert_eq!(
                        in_sentence_of(text, pos, other),
                        s <= other && other < e,
                        "{text:?} {pos} {other}"
                    );
                }
            }
        }
    }

    #[test]
    fn word_boundaries_answer_as_before() {
        let reference = |text: &str, start: usize, end: usize| {
            let before = text.get(..start).and_then(|s| s.chars().next_back());
            let after = text.get(end..).and_then(|s| s.chars().next());
            let first = text.get(start..).and_then(|s| s.chars().next());
            let last = text.get(..end).and_then(|s| s.chars().next_back());
            (!first.is_some_and(char::is_alphanumeric)
                || !before.is_some_and(char::is_alphanumeric))
                && (!last.is_some_and(char::is_alphanumeric)
                    || !after.is_some_and(char::is_alphanumeric))
        };
        for text in [
            "",
            "a",
            "ab cd",
            "x1 y",
            "é a",
            "aé",
            "a\u{2019}b",
            "#ab!",
            "\u{e9}\u{e9} 1",
        ] {
            for start in 0..=text.len() + 1 {
                for end in 0..=text.len() + 1 {
                    assert_eq!(
                        at_word_boundaries(text, start, end),
                        reference(text, start, end),
                        "{text:?} {start} {end}"
                    );
                }
            }
        }
    }

    #[test]
    fn latin_letters_are_told_as_the_unicode_tables_do() {
        for c in '\u{80}'..='\u{7ff}' {
            assert_eq!(is_word_char(c), c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn the_ranges_without_letters_have_none() {
        for c in NO_LETTERS.iter().flat_map(|r| r.clone()) {
            assert!(!c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn splits_random_texts_as_the_reference_does() {
        // Pieces that exercise every branch: letters of both cases (ASCII and not), joiners,
        // possessives, prefixes, digits, sentence ends, spaces, and non-letters beyond ASCII.
        let pieces = [
            "a",
            "b",
            "Z",
            "Q",
            "s",
            "S",
            "'",
            "\u{2019}",
            "-",
            "@",
            "#",
            "_",
            ".",
            "!",
            "?",
            ";",
            ":",
            "|",
            "0",
            "7",
            " ",
            " ",
            "\t",
            "\n",
            "\r",
            "\u{2022}",
            "\u{e9}",
            "\u{c9}",
            "\u{df}",
            "\u{4e2d}",
            "\u{1f600}",
            "\u{a0}",
            "\u{1c5}",
            ",",
            "(",
            "/",
            "[",
            "`",
            "{",
            "abcdefgh",
            "ABCDEFGHIJ",
            "McDonald",
            "O'Brien",
            "J.",
            "'s",
            "\u{2019}S",
            "x-ray",
        ];
        let mut rng = crate::test_support::Rng::new(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u64();
        for _ in 0..200_000 {
            let mut text = String::new();
            for _ in 0..next() % 24 {
                text.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            assert_same_words(&text);
        }
    }
}
