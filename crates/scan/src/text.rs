//! Splitting text into words, with the facts the detectors need about each.

/// How a word is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `word`
    Lower,
    /// `Word`, `McDonald`, `O'Brien`
    Title,
    /// `WORD`
    Upper,
    /// anything else (`iPhone`)
    Mixed,
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
    None,
    /// Inside an @handle.
    Handle,
    /// Inside a #hashtag.
    Hashtag,
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

/// For each byte: 1 for a small ASCII letter, 2 for a capital, 4 for a byte that may continue a
/// word after ASCII letters (`'`, `-`, or a byte of a character beyond ASCII: the fast path of
/// [`words`] leaves those words to [`other_step`]), 0 for anything else.
const LETTER: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_lowercase() {
            1
        } else if c.is_ascii_uppercase() {
            2
        } else if c >= 0x80 || c == b'\'' || c == b'-' {
            4
        } else {
            0
        };
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

/// [`eight_bytes`] near the end of the text.
#[cold]
#[inline(never)]
fn last_bytes(bytes: &[u8], pos: usize) -> u64 {
    let mut buf = [0u8; 8];
    for (b, &t) in buf.iter_mut().zip(bytes.get(pos..).unwrap_or(&[])) {
        *b = t;
    }
    u64::from_le_bytes(buf)
}

/// The top bit of each byte of `w` that is an ASCII letter.
#[inline]
fn ascii_letters(w: u64) -> u64 {
    // Small letters and capitals alike with bit 5 set, and the top bit clear so that no sum
    // below carries into the next byte (bytes beyond ASCII are dropped at the end).
    let x = (w | each_byte(0x20)) & !HIGH_BITS;
    let from_a = x + each_byte(0x80 - b'a');
    let past_z = x + each_byte(0x80 - b'z' - 1);
    from_a & !past_z & !w & HIGH_BITS
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

/// What stands between the previous word and the next: the facts [`Word`] records about it.
#[derive(Clone, Copy)]
struct Gap {
    prefix: Prefix,
    sentence_start: bool,
    only_spaces: bool,
}

impl Gap {
    /// The gap after a word, before any character of it.
    fn after_word(self) -> Gap {
        Gap {
            prefix: self.prefix,
            sentence_start: false,
            only_spaces: true,
        }
    }

    /// Adds a character that is not a letter to the gap.
    #[inline]
    fn push(&mut self, c: char) {
        match c {
            '@' => self.prefix = Prefix::Handle,
            '#' => self.prefix = Prefix::Hashtag,
            '_' | '.' | '-' | '0'..='9' => {}
            _ => self.prefix = Prefix::None,
        }
        match c {
            ' ' | '\t' => {}
            '.' | '!' | '?' | '\n' | '\r' | '•' | '|' | ';' | ':' => {
                self.sentence_start = true;
                self.only_spaces = false;
            }
            '0'..='9' => {
                self.sentence_start = false;
                self.only_spaces = false;
            }
            _ => self.only_spaces = false,
        }
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

/// Splits `text` into words, and tells how it is written (what [`case_mode`] answers, from
/// the letters counted on the way).
pub(crate) fn words(text: &str, out: &mut Vec<Word>) -> CaseMode {
    out.clear();
    let bytes = text.as_bytes();
    let mut gap = Gap {
        prefix: Prefix::None,
        sentence_start: true,
        only_spaces: false,
    };
    let mut counts = Letters::default();
    let mut pos = 0;
    while let Some(&b) = bytes.get(pos) {
        if b == b' ' {
            // The most common character between words.
            gap.prefix = Prefix::None;
            pos += 1;
            continue;
        }
        let first = LETTER[usize::from(b)];
        if first & 3 != 0 {
            // The common word: ASCII letters, then an ASCII character that neither joins (`'`,
            // `-`) nor continues it.
            let first_upper = first == 2;
            // Eight bytes at a time: the end of the letters is the lowest set bit of a mask, where
            // a loop byte by byte took a mispredicted branch at nearly every end of a word.
            let (mut end, mut capitals) = (pos, 0);
            // The word's key, from the first eight bytes (no branch: `first` is all ones only
            // in the first round).
            let (mut key, mut first) = (0, u64::MAX);
            // The byte after the letters (0 at the end of the text) and its entry in the table.
            let (next, goes_on) = loop {
                let w = eight_bytes(bytes, end);
                let letters = ascii_letters(w);
                let others = !letters & HIGH_BITS;
                // The bytes before the first that is no letter (all eight if there is none).
                let run = others.wrapping_sub(1) & !others;
                key |= (w | each_byte(0x20)) & ((run & HIGH_BITS) >> 7).wrapping_mul(0xFF) & first;
                first = 0;
                // A capital has bit 5 clear.
                let upper = letters & run & !(w << 2);
                capitals += ((upper >> 7).wrapping_mul(each_byte(1)) >> 56) as usize;
                if others != 0 {
                    let at = others.trailing_zeros() & !7;
                    end += (at / 8) as usize;
                    let c = (w >> at) as u8;
                    break (c, LETTER[usize::from(c)]);
                }
                end += 8;
            };
            let letters = end - pos;
            if goes_on == 0 {
                // A single capital is Title, and an initial when a dot follows. Words of
                // capitals only are few in sentence-case text and most in upper-case text, so
                // that branch is well predicted; the others, small and capitalised words mixed,
                // take their shape from a table without a branch (one on whether the word has a
                // capital was mispredicted at about one word in four).
                let (shape, initial) = if capitals == letters {
                    if letters == 1 {
                        (Shape::Title, next == b'.')
                    } else {
                        (Shape::Upper, false)
                    }
                } else {
                    let capitalised = usize::from(first_upper & (capitals <= 2));
                    (
                        [Shape::Lower, Shape::Mixed, Shape::Title]
                            [usize::from(capitals != 0) << capitalised],
                        false,
                    )
                };
                counts.upper += capitals;
                counts.all += letters;
                out.push(Word {
                    start: pos,
                    end,
                    key,
                    shape,
                    prefix: gap.prefix,
                    sentence_start: gap.sentence_start,
                    joined_to_previous: gap.only_spaces,
                    initial,
                });
                gap = gap.after_word();
                pos = end;
                if next == b' ' {
                    // The space after the word, the common case, as the loop would take it.
                    gap.prefix = Prefix::None;
                    pos += 1;
                }
                continue;
            }
        } else if b < 0x80 {
            gap.push(char::from(b));
            pos += 1;
            continue;
        }
        (pos, gap) = other_step(text, pos, gap, out, &mut counts);
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
    let Some(c) = text.get(pos..).and_then(|s| s.chars().next()) else {
        return (bytes.len(), gap);
    };
    if !is_word_char(c) {
        gap.push(c);
        return (pos + c.len_utf8(), gap);
    }
    let first_upper = c.is_uppercase();
    let start = pos;
    let (mut upper, mut lower, mut letters) = (0usize, 0usize, 0usize);
    let mut end = pos;
    loop {
        // Runs of ASCII letters, the common case, byte by byte: each is a capital or not.
        let (mut run, mut run_upper) = (0, 0);
        for &b in bytes.get(end..).unwrap_or(&[]) {
            if !b.is_ascii_alphabetic() {
                break;
            }
            run_upper += usize::from(b < b'a');
            run += 1;
        }
        end += run;
        upper += run_upper;
        lower += run - run_upper;
        letters += run;
        counts.upper += run_upper;
        counts.all += run;
        let (is_apostrophe, dlen) = match bytes.get(end) {
            None => break,
            Some(b'\'') => (true, 1),
            Some(b'-') => (false, 1),
            Some(&d) if d < 0x80 => break,
            Some(_) => {
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
        prefix: gap.prefix,
        sentence_start: gap.sentence_start,
        joined_to_previous: gap.only_spaces,
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
    let bytes = text.as_bytes();
    let start = bytes
        .get(..pos.min(bytes.len()))
        .and_then(|head| head.iter().rposition(|&b| is_stop(b)))
        .map_or(0, |i| i + 1);
    let end = bytes
        .get(pos.min(bytes.len())..)
        .and_then(|tail| tail.iter().position(|&b| is_stop(b)))
        .map_or(bytes.len(), |i| pos + i);
    (start, end)
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
    set: rustc_hash::FxHashSet<Box<[u8]>>,
    longest: usize,
}

/// The longest word a [`WordSet`] can hold.
const WORD_SET_MAX: usize = 32;

impl WordSet {
    pub(crate) fn new(list: &[&str]) -> WordSet {
        let set: rustc_hash::FxHashSet<Box<[u8]>> = list
            .iter()
            .filter(|w| w.len() <= WORD_SET_MAX)
            .map(|w| w.as_bytes().to_ascii_lowercase().into_boxed_slice())
            .collect();
        let longest = set.iter().map(|w| w.len()).max().unwrap_or(0);
        WordSet { set, longest }
    }

    pub(crate) fn contains(&self, word: &str) -> bool {
        let bytes = word.as_bytes();
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn word_sets_answer_as_the_list_does() {
        let list = ["street", "Rue", "ul"];
        let set = WordSet::new(&list);
        for word in [
            "STREET", "street", "rue", "RUE", "Ul", "streets", "", "straße", "u",
        ] {
            assert_eq!(set.contains(word), eq_any(&list, word), "{word}");
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
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200_000 {
            let mut text = String::new();
            for _ in 0..next() % 24 {
                text.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            assert_same_words(&text);
        }
    }
}
