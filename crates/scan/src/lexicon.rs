//! The policy's word lists, compiled into one Aho-Corasick automaton (literal terms), one
//! multi-pattern regex (`/regex/` terms and terms with an inner `*`), and, for lists that ask
//! for it, a matcher of obfuscated spellings (`f*ck`, `sh1t`).

use crate::text::{at_word_boundaries, Word};

/// Single words up to this many bytes are looked up per word instead of in the automaton.
const SHORT_WORD: usize = 5;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
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

/// All word lists of a policy, compiled.
pub(crate) struct Lexicons {
    literal: Option<AhoCorasick>,
    /// For each automaton pattern, every lexicon that lists it.
    literal_meta: Vec<Vec<LiteralMeta>>,
    /// Short single words ("pt", "als", "damn"), looked up word by word: in the automaton
    /// they would fire inside every longer word that contains them.
    short_words: rustc_hash::FxHashMap<String, Vec<usize>>,
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
        let mut literals = Vec::new();
        let mut literal_meta: Vec<Vec<LiteralMeta>> = Vec::new();
        let mut literal_index: rustc_hash::FxHashMap<String, usize> = Default::default();
        let mut short_words: rustc_hash::FxHashMap<String, Vec<usize>> = Default::default();
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
            if !open_start
                && !open_end
                && !spec.case_sensitive
                && literal.len() <= SHORT_WORD
                && literal.bytes().all(|b| b.is_ascii_lowercase())
            {
                short_words
                    .entry(literal.clone())
                    .or_default()
                    .push(spec.lexicon);
                if spec.obfuscations {
                    let pattern: String = literal.chars().map(letter_class).collect();
                    obfuscated.push(format!("(?i){pattern}"));
                    obfuscated_lexicon.push(spec.lexicon);
                }
                continue;
            }
            let meta = LiteralMeta {
                lexicon: spec.lexicon,
                open_start,
                open_end,
                exact: spec.case_sensitive.then(|| core.to_owned()),
            };
            // One pattern per distinct literal: the automaton reports leftmost-longest,
            // non-overlapping matches, so a word listed twice must be one pattern.
            match literal_index.get(&literal) {
                Some(&i) => {
                    if let Some(list) = literal_meta.get_mut(i) {
                        list.push(meta);
                    }
                }
                None => {
                    literal_index.insert(literal.clone(), literals.len());
                    literals.push(literal);
                    literal_meta.push(vec![meta]);
                }
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
        let literal = if literals.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&literals)
                    .map_err(|e| LexiconBuildError(e.to_string()))?,
            )
        };
        let build = |sources: &[String]| -> Result<Option<Regex>, LexiconBuildError> {
            if sources.is_empty() {
                return Ok(None);
            }
            crate::ascii_regex::build(sources)
                .map(Some)
                .map_err(LexiconBuildError)
        };
        Ok(Lexicons {
            literal,
            literal_meta,
            short_words,
            regex: build(&regexes)?,
            regex_lexicon,
            obfuscated: build(&obfuscated)?,
            obfuscated_lexicon,
        })
    }

    /// Every match in `text`, sorted by position.
    pub(crate) fn find(&self, text: &str, words: &[Word], out: &mut Vec<Hit>) {
        out.clear();
        if !self.short_words.is_empty() {
            let mut buf = [0u8; SHORT_WORD];
            for w in words {
                let len = w.end - w.start;
                let Some(bytes) = text.as_bytes().get(w.start..w.end) else {
                    continue;
                };
                if len > SHORT_WORD || !bytes.is_ascii() {
                    continue;
                }
                let lower = &mut buf[..len];
                lower.copy_from_slice(bytes);
                lower.make_ascii_lowercase();
                let Ok(key) = std::str::from_utf8(lower) else {
                    continue;
                };
                if let Some(lexicons) = self.short_words.get(key) {
                    if at_word_boundaries(text, w.start, w.end) {
                        for &lexicon in lexicons {
                            out.push(Hit {
                                lexicon,
                                start: w.start,
                                end: w.end,
                            });
                        }
                    }
                }
            }
        }
        if let Some(ac) = &self.literal {
            for m in ac.find_iter(text) {
                let Some(metas) = self.literal_meta.get(m.pattern().as_usize()) else {
                    continue;
                };
                for meta in metas {
                    let (mut start, mut end) = (m.start(), m.end());
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
                        out.push(Hit {
                            lexicon: meta.lexicon,
                            start,
                            end,
                        });
                    }
                }
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
            for (start, end) in obfuscated_tokens(text) {
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

/// Words that mix letters with the stand-ins people use to dodge filters (`f*ck`, `sh1t`, `@ss`).
fn obfuscated_tokens(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos < bytes.len() {
            while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            let start = pos;
            while pos < bytes.len() && !bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            let mut s = start;
            let mut e = pos;
            let trim = |b: u8| {
                matches!(
                    b,
                    b'.' | b',' | b'?' | b'"' | b'\'' | b'(' | b')' | b':' | b';' | b'[' | b']'
                )
            };
            while s < e && trim(bytes[s]) {
                s += 1;
            }
            while e > s && (trim(bytes[e - 1]) || bytes[e - 1] == b'!') {
                e -= 1;
            }
            let token = &bytes[s..e];
            if token.len() < 3 || token.len() > 24 {
                continue;
            }
            let letters = token.iter().filter(|b| b.is_ascii_alphabetic()).count();
            let stand_ins = token
                .iter()
                .filter(|b| matches!(b, b'*' | b'@' | b'$' | b'!' | b'|' | b'+' | b'0'..=b'9'))
                .count();
            let not_handle = !(token[0] == b'@' && letters + 1 == token.len());
            // Digits stand in for letters only between letters ("sh1t"), not in "2nd", "9am",
            // "4B"; symbols may stand anywhere ("@ss", "f*ck", "$hit").
            let symbol = token
                .iter()
                .any(|b| matches!(b, b'*' | b'@' | b'$' | b'!' | b'|' | b'+'));
            let inner_digit = token.windows(3).any(|w| {
                w[0].is_ascii_alphabetic() && w[1].is_ascii_digit() && !w[2].is_ascii_digit()
            });
            if letters >= 1
                && stand_ins >= 1
                && letters + stand_ins == token.len()
                && not_handle
                && (symbol || inner_digit)
            {
                return Some((s, e));
            }
        }
        None
    })
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
        l.find(text, &words, &mut hits);
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
    fn regex_terms() {
        let l = lex(&[r"/vaccin\w*\s+cause\s+autism/"], false);
        assert_eq!(
            found(&l, "Vaccines cause autism!"),
            ["Vaccines cause autism"]
        );
    }
}
