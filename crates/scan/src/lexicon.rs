//! The policy's word lists, compiled into Aho-Corasick automata (literal terms), one
//! multi-pattern regex (`/regex/` terms and terms with an inner `*`), and, for lists that ask
//! for it, a matcher of obfuscated spellings (`f*ck`, `sh1t`).
//!
//! A literal that starts with a letter can only match where a word starts, so it is searched
//! for with an anchored search at each word start (and after each hyphen or apostrophe inside
//! a word): the automaton runs a few bytes per word instead of over the whole text. The few
//! literals that may start anywhere (`*ache`, `#ad`, `5g`) have an unanchored automaton of
//! their own.

use crate::text::{at_word_boundaries, Word};

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
        Ok(Some(LiteralSet { ac, meta }))
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
            if at_word_boundaries(text, start, end) {
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
    index: rustc_hash::FxHashMap<String, usize>,
}

impl LiteralList {
    /// One pattern per distinct literal: the automaton reports leftmost-longest,
    /// non-overlapping matches, so a word listed twice must be one pattern.
    fn add(&mut self, literal: String, meta: LiteralMeta) {
        match self.index.get(&literal) {
            Some(&i) => {
                if let Some(list) = self.meta.get_mut(i) {
                    list.push(meta);
                }
            }
            None => {
                self.index.insert(literal.clone(), self.literals.len());
                self.literals.push(literal);
                self.meta.push(vec![meta]);
            }
        }
    }

    fn build(self, start: StartKind) -> Result<Option<LiteralSet>, LexiconBuildError> {
        LiteralSet::new(&self.literals, self.meta, start)
    }
}

/// Literals that start with a letter, walked byte by byte from a word start: the walk stops as
/// soon as no literal can match, a few bytes into most words.
struct WordLiterals {
    dfa: aho_corasick::dfa::DFA,
    /// For each pattern, every lexicon that lists it.
    meta: Vec<Vec<LiteralMeta>>,
}

impl WordLiterals {
    fn new(list: LiteralList) -> Result<Option<WordLiterals>, LexiconBuildError> {
        if list.literals.is_empty() {
            return Ok(None);
        }
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(&list.literals)
            .map_err(|e| LexiconBuildError(e.to_string()))?;
        Ok(Some(WordLiterals {
            dfa,
            meta: list.meta,
        }))
    }

    /// The literals that match at `at`, longest last (at most a few: "pain", "pain killer").
    fn matches_at(&self, bytes: &[u8], at: usize, found: &mut Vec<(usize, usize)>) {
        use aho_corasick::automaton::Automaton;
        found.clear();
        let dfa = &self.dfa;
        let Ok(mut sid) = dfa.start_state(aho_corasick::Anchored::Yes) else {
            return;
        };
        for (i, &b) in bytes.iter().enumerate().skip(at) {
            sid = dfa.next_state(aho_corasick::Anchored::Yes, sid, b);
            if dfa.is_special(sid) {
                if dfa.is_dead(sid) {
                    return;
                }
                if dfa.is_match(sid) {
                    let pattern = dfa.match_pattern(sid, 0);
                    // Matches copied from failure states start later: not ours.
                    if i + 1 == at + dfa.pattern_len(pattern) {
                        found.push((pattern.as_usize(), i + 1));
                    }
                }
            }
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
    regex_lexicon: Vec<usize>,
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
        let mut obfuscated = Vec::new();
        let mut obfuscated_lexicon = Vec::new();
        for spec in terms {
            let term = spec.term.trim();
            let flags = if spec.case_sensitive { "" } else { "(?i)" };
            if let Some(inner) = term.strip_prefix('/').and_then(|t| t.strip_suffix('/')) {
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
                continue;
            }
            let literal = core.to_lowercase();
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
        Ok(Lexicons {
            at_words: WordLiterals::new(at_words)?,
            anywhere: anywhere.build(StartKind::Unanchored)?,
            regex: build(&regexes)?,
            regex_lexicon,
            obfuscated: build(&obfuscated)?,
            obfuscated_lexicon,
        })
    }

    /// Every match in `text`, sorted by position.
    /// The hits in `text` (split into `words`), in `out`; `found` is a buffer reused from one
    /// text to the next.
    pub(crate) fn find(
        &self,
        text: &str,
        words: &[Word],
        found: &mut Vec<(usize, usize)>,
        out: &mut Vec<Hit>,
    ) {
        out.clear();
        if let Some(set) = &self.at_words {
            let bytes = text.as_bytes();
            // Matches do not overlap: a word inside an earlier match starts nothing.
            let mut covered = 0;
            for w in words {
                let mut at = w.start;
                while at < w.end {
                    if at >= covered {
                        set.matches_at(bytes, at, found);
                        // The longest literal that is whole words here wins.
                        for &(pattern, end) in found.iter().rev() {
                            let lit =
                                LiteralSet::report_with(&set.meta, text, pattern, at, end, out);
                            if lit {
                                covered = end;
                                break;
                            }
                        }
                    }
                    // Parts of a hyphenated or elided word start words of their own
                    // ("post-covid", "l'hôpital").
                    let rest = bytes.get(at..w.end).unwrap_or(&[]);
                    match rest.iter().position(|&b| matches!(b, b'-' | b'\'')) {
                        Some(i) => at += i + 1,
                        None => break,
                    }
                }
            }
        }
        if let Some(set) = &self.anywhere {
            for m in set.ac.find_iter(text) {
                set.report(text, m.pattern().as_usize(), m.start(), m.end(), out);
            }
        }
        if let Some(re) = &self.regex {
            for m in re.find_iter(text) {
                if let Some(&lexicon) = self.regex_lexicon.get(m.pattern().as_usize()) {
                    out.push(Hit {
                        lexicon,
                        start: m.start(),
                        end: m.end(),
                    });
                }
            }
        }
        if let Some(re) = &self.obfuscated {
            for (start, end) in obfuscated_tokens(text, words) {
                let Some(token) = text.get(start..end) else {
                    continue;
                };
                let input = Input::new(token).anchored(Anchored::Yes);
                if let Some(m) = re.search(&input) {
                    if m.end() == token.len() {
                        if let Some(&lexicon) = self.obfuscated_lexicon.get(m.pattern().as_usize())
                        {
                            out.push(Hit {
                                lexicon,
                                start,
                                end,
                            });
                        }
                    }
                }
            }
        }
        out.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        out.dedup_by(|b, a| a.lexicon == b.lexicon && b.start < a.end);
    }
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

/// Words that mix letters with the stand-ins people use to dodge filters (`f*ck`, `sh1t`, `@ss`).
///
/// Such a token is letters and stand-ins only, so one of its letters touches one of its
/// stand-ins, and every letter is in a word: a word with a stand-in right before or right after
/// it is the only place one can be. A look at the two bytes around each word spares a scan of
/// every byte of the text; the whitespace-delimited token around such a word is then checked.
fn obfuscated_tokens<'a>(
    text: &'a str,
    words: &'a [Word],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let bytes = text.as_bytes();
    // Where the last token looked at ended: the next word may be in the same token.
    let mut done = 0;
    words.iter().filter_map(move |w| {
        let before = w.start.checked_sub(1).and_then(|i| bytes.get(i));
        let after = bytes.get(w.end);
        if w.start < done
            || !(before.is_some_and(|&b| is_stand_in(b)) || after.is_some_and(|&b| is_stand_in(b)))
        {
            return None;
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
        done = end;
        obfuscated_token(bytes, start, end)
    })
}

/// The token `start..end` (whitespace-delimited) without the punctuation around it, when it
/// mixes letters and stand-ins as an obfuscated word does.
fn obfuscated_token(bytes: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let trim = |b: u8| {
        matches!(
            b,
            b'.' | b',' | b'?' | b'"' | b'\'' | b'(' | b')' | b':' | b';' | b'[' | b']'
        )
    };
    let (mut s, mut e) = (start, end);
    while s < e && bytes.get(s).is_some_and(|&b| trim(b)) {
        s += 1;
    }
    while e > s && bytes.get(e - 1).is_some_and(|&b| trim(b) || b == b'!') {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        l.find(text, &words, &mut Vec::new(), &mut hits);
        hits.iter()
            .map(|h| text[h.start..h.end].to_owned())
            .collect()
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
    fn regex_terms() {
        let l = lex(&[r"/vaccin\w*\s+cause\s+autism/"], false);
        assert_eq!(
            found(&l, "Vaccines cause autism!"),
            ["Vaccines cause autism"]
        );
    }
}
