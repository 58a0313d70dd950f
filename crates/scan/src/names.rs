//! Person names and places, from real name lists and the shape of the text.
//!
//! The lists are the US Census surname and first-name files and a city list (see
//! `data/SOURCES.md`). A list alone would flag "Will", "Grace" and "Brown" everywhere, so a word
//! counts as a name only with evidence: a title or relation before it ("Mrs.", "husband"), a
//! first name followed by a surname, capitals where the rest of the text is in sentence case,
//! and not being an ordinary English word.

use crate::text::{CaseMode, Prefix, Shape, Word};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

const FIRST_NAMES: &str = include_str!("../data/first_names.txt");
const SURNAMES: &str = include_str!("../data/surnames.txt");
const COMMON_WORDS: &str = include_str!("../data/common_words.txt");
const CITIES: &str = include_str!("../data/cities.txt");
const US_STATES: &str = include_str!("../data/us_states.txt");
const COUNTRIES: &str = include_str!("../data/countries.txt");

/// Ordinary-word first names that are names far more often than words in posts.
const NAMES_FIRST: &[&str] = &[
    "john", "maria", "peter", "tom", "mike", "ed", "martin", "harry", "tony", "bob", "nick",
    "matt", "jimmy", "roger", "jay", "josh", "billy", "terry", "bobby", "ken", "victor", "brad",
    "chad", "randy", "troy", "homer", "mickey", "derrick", "sonny", "barney", "hector", "meg",
    "patty", "phoebe", "colleen", "emery", "sally", "jasper", "carol", "warren", "hank", "noel",
    "bonnie", "rick", "lee", "frank", "dale", "wade", "dean", "jack", "ray", "sue", "pat", "rob",
    "chuck", "sandy", "holly", "heather", "lily", "ruby", "amber", "olive", "iris", "daisy",
    "violet",
];

/// Words never taken for a name on their own, whatever the lists say.
const NEVER_NAMES: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "i",
    "a",
    "the",
    "and",
    "or",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "is",
    "was",
    "are",
    "be",
    "it",
    "he",
    "she",
    "we",
    "you",
    "they",
    "his",
    "her",
    "my",
    "our",
    "pt",
    "pts",
    "er",
    "ed",
    "icu",
    "nicu",
    "or",
    "rn",
    "md",
    "do",
    "np",
    "pa",
    "cna",
    "bp",
    "hr",
    "rr",
    "iv",
    "po",
    "prn",
    "bid",
    "tid",
    "qid",
    "dr",
    "mr",
    "mrs",
    "ms",
    "hi",
    "hey",
    "thanks",
    "thank",
    "happy",
    "congrats",
    "congratulations",
    "welcome",
    "please",
    "dear",
    "go",
    "team",
    "nurse",
    "nurses",
    "doctor",
    "doctors",
    "patient",
    "patients",
    "hospital",
    "health",
    "covid",
    "flu",
    "god",
    "lord",
    "jesus",
    "christmas",
    "easter",
    "halloween",
    "thanksgiving",
    "st",
    "saint",
    "mount",
    "fort",
    "lake",
    "new",
    "north",
    "south",
    "east",
    "west",
    "center",
    "medical",
    "regional",
    "general",
    "memorial",
    "university",
    "clinic",
    "unit",
    "floor",
    "room",
    "bed",
    "street",
    "avenue",
    "road",
    "lane",
    "drive",
    "court",
    "park",
    "ave",
    "rd",
    "dept",
    "department",
    "emergency",
    "surgery",
    "cardiology",
    "oncology",
    "pediatrics",
    "radiology",
    "pharmacy",
    "lab",
    "ok",
    "okay",
    "yes",
    "no",
    "not",
    "all",
    "any",
    "us",
    "usa",
    "america",
    "american",
    "english",
    "spanish",
    "dad",
    "mom",
    "baby",
    "son",
    "daughter",
    "wife",
    "husband",
    "seen",
    "by",
    "bedside",
    "family",
    "pm",
    "am",
    "today",
    "tonight",
    "yesterday",
    "tomorrow",
    "instagram",
    "facebook",
    "twitter",
    "linkedin",
    "tiktok",
    "youtube",
    "google",
    "apple",
];

/// Words after which the next capitalised word (or any word, in lower-case text) is a name.
const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "mister",
    "dr",
    "doctor",
    "prof",
    "professor",
    "sr",
    "sra",
    "srta",
    "herr",
    "frau",
    "mme",
    "mlle",
    "madam",
    "madame",
    "sir",
    "rev",
    "fr",
    "sister",
    "brother",
    "nurse",
    "patient",
    "pt",
    "officer",
    "judge",
    "coach",
    "capt",
    "sgt",
    "lt",
    "named",
    "called",
    "baby",
    "sen",
    "rep",
    "gov",
];

/// Relations after which a first name is a name even in lower-case or capitals-only text.
const RELATIONS: &[&str] = &[
    "husband",
    "wife",
    "son",
    "daughter",
    "mother",
    "father",
    "mom",
    "mum",
    "dad",
    "brother",
    "sister",
    "grandma",
    "grandpa",
    "grandmother",
    "grandfather",
    "grandson",
    "granddaughter",
    "aunt",
    "uncle",
    "niece",
    "nephew",
    "cousin",
    "fiance",
    "fiancee",
    "boyfriend",
    "girlfriend",
    "partner",
    "friend",
    "neighbor",
    "neighbour",
    "caregiver",
    "spouse",
];

/// What the lists say about one lower-case word (or multi-word city).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Entry {
    flags: u16,
    first_rank: u32,
    surname_rank: u32,
}

const FIRST: u16 = 1;
const SURNAME: u16 = 1 << 1;
const COMMON: u16 = 1 << 2;
const NAME_FIRST: u16 = 1 << 3;
const NEVER: u16 = 1 << 4;
const HONORIFIC: u16 = 1 << 5;
const RELATION: u16 = 1 << 6;
const CITY: u16 = 1 << 7;
const REGION: u16 = 1 << 8;
const FUNCTION: u16 = 1 << 9;

const FUNCTION_WORDS: &[&str] = &[
    "and", "or", "is", "was", "are", "the", "a", "an", "in", "on", "at", "to", "of", "for", "with",
    "who", "that", "this", "has", "had", "will", "just", "so",
];

/// The lists, built once per process: one hash lookup tells everything about a word.
pub(crate) struct NameData {
    entries: FxHashMap<Box<str>, Entry>,
    /// Two-letter US state codes, upper case.
    state_codes: FxHashSet<Box<str>>,
}

fn lines(src: &'static str) -> impl Iterator<Item = &'static str> {
    src.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl NameData {
    pub(crate) fn get() -> &'static NameData {
        static DATA: OnceLock<NameData> = OnceLock::new();
        DATA.get_or_init(NameData::build)
    }

    fn build() -> NameData {
        let mut entries: FxHashMap<Box<str>, Entry> = FxHashMap::default();
        entries.reserve(120_000);
        fn set<'m>(
            entries: &'m mut FxHashMap<Box<str>, Entry>,
            word: &str,
            flag: u16,
        ) -> &'m mut Entry {
            let e = entries.entry(word.into()).or_default();
            e.flags |= flag;
            e
        }
        for (rank, name) in lines(FIRST_NAMES).enumerate() {
            let e = set(&mut entries, name, FIRST);
            if e.first_rank == 0 {
                e.first_rank = rank as u32 + 1;
            }
        }
        for (rank, name) in lines(SURNAMES).enumerate() {
            let e = set(&mut entries, name, SURNAME);
            if e.surname_rank == 0 {
                e.surname_rank = rank as u32 + 1;
            }
        }
        for w in lines(COMMON_WORDS) {
            set(&mut entries, w, COMMON);
        }
        for (list, flag) in [
            (NAMES_FIRST, NAME_FIRST),
            (NEVER_NAMES, NEVER),
            (HONORIFICS, HONORIFIC),
            (RELATIONS, RELATION),
            (FUNCTION_WORDS, FUNCTION),
        ] {
            for w in list {
                set(&mut entries, w, flag);
            }
        }
        for w in lines(CITIES) {
            set(&mut entries, w, CITY);
        }
        for w in lines(COUNTRIES) {
            set(&mut entries, w, REGION);
        }
        let mut state_codes = FxHashSet::default();
        for line in lines(US_STATES) {
            let mut parts = line.split('\t');
            if let Some(name) = parts.next() {
                set(&mut entries, name, REGION);
            }
            if let Some(code) = parts.next() {
                state_codes.insert(code.trim().into());
            }
        }
        NameData {
            entries,
            state_codes,
        }
    }

    fn entry(&self, lower: &str) -> Entry {
        self.entries.get(lower).copied().unwrap_or_default()
    }

    pub(crate) fn is_first(&self, lower: &str) -> bool {
        self.entry(lower).flags & FIRST != 0
    }

    pub(crate) fn is_surname(&self, lower: &str) -> bool {
        self.entry(lower).flags & SURNAME != 0
    }

    /// An ordinary word that happens to be in a name list ("will", "brown").
    pub(crate) fn is_common_word(&self, lower: &str) -> bool {
        let f = self.entry(lower).flags;
        f & COMMON != 0 && f & NAME_FIRST == 0
    }

    fn is_names_first(&self, lower: &str) -> bool {
        self.entry(lower).flags & NAME_FIRST != 0
    }

    pub(crate) fn is_city(&self, lower: &str) -> bool {
        self.entry(lower).flags & CITY != 0
    }

    pub(crate) fn is_region(&self, lower: &str) -> bool {
        self.entry(lower).flags & REGION != 0
    }

    pub(crate) fn is_state_code(&self, upper: &str) -> bool {
        self.state_codes.contains(upper)
    }
}

/// A name or place found in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub start: usize,
    pub end: usize,
    /// A city (else a person's name).
    pub city: bool,
    /// Found with strong evidence (a title, a first name and a surname).
    pub strong: bool,
}

/// What the caller allows: staff, public figures, the organisation's own words.
pub(crate) trait Allowed {
    fn allows(&self, lower: &str) -> bool;
}

struct Lower {
    buf: String,
}

impl Lower {
    fn of<'b>(&'b mut self, s: &str) -> &'b str {
        self.buf.clear();
        if s.is_ascii() {
            self.buf.push_str(s);
            self.buf.make_ascii_lowercase();
            return &self.buf;
        }
        for c in s.chars() {
            match c {
                '’' => self.buf.push('\''),
                c if c.is_ascii() => self.buf.push(c.to_ascii_lowercase()),
                c => self.buf.extend(c.to_lowercase()),
            }
        }
        &self.buf
    }
}

/// Finds person names and cities among `words`.
pub(crate) fn find(
    text: &str,
    words: &[Word],
    mode: CaseMode,
    allowed: &dyn Allowed,
    out: &mut Vec<Found>,
) {
    let data = NameData::get();
    let mut lower = Lower { buf: String::new() };
    let mut class: Vec<Class> = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        // In sentence-case text a lower-case word matters only as the title or relation before
        // a capitalised word; skip the lookups for the rest.
        let matters = mode != CaseMode::Mixed
            || word.shape != Shape::Lower
            || word.prefix != Prefix::None
            || words.get(i + 1).is_some_and(|n| n.shape != Shape::Lower);
        class.push(if matters {
            classify(data, &mut lower, word, text, allowed)
        } else {
            Class::default()
        });
    }

    let mut i = 0;
    while i < words.len() {
        let (word, c) = (&words[i], class[i]);
        if c.allowed || c.never || word.prefix != Prefix::None {
            if word.prefix != Prefix::None && !c.allowed {
                tagged_names(data, &mut lower, text, word, allowed, out);
            }
            i += 1;
            continue;
        }
        let prev = i.checked_sub(1).map(|p| (&words[p], class[p]));
        let after_title = prev.is_some_and(|(p, pc)| pc.honorific && follows(word, p, text));
        let after_relation = prev.is_some_and(|(p, pc)| pc.relation && follows(word, p, text));
        let capital_ok = |w: &Word| match mode {
            CaseMode::Mixed => {
                w.is_capitalised() && w.shape != Shape::Upper
                    || w.shape == Shape::Upper && w.end - w.start > 3
            }
            CaseMode::Lower | CaseMode::Upper => true,
        };
        // Evidence for a name starting at this word.
        let starts_name = if after_title {
            match mode {
                CaseMode::Mixed => word.is_capitalised(),
                _ => !c.function_word() && (c.first || c.surname || !c.common),
            }
        } else if after_relation {
            capital_ok(word) && c.first && (mode == CaseMode::Mixed || !c.common)
        } else if c.first && capital_ok(word) {
            let next = words.get(i + 1).zip(class.get(i + 1).copied());
            let pair = next.is_some_and(|(n, nc)| {
                nc.surname
                    && !nc.allowed
                    && !nc.never
                    && follows(n, word, text)
                    && capital_ok(n)
                    && (mode == CaseMode::Mixed || !nc.common || !c.common)
            });
            let alone_ok = match mode {
                CaseMode::Mixed => !c.common && !c.place,
                _ => !c.common && !c.place && c.first_rank_ok,
            };
            pair || alone_ok
        } else if c.surname && mode == CaseMode::Mixed && word.shape == Shape::Title {
            !c.common && !c.place && !word.sentence_start && c.surname_rank_ok
        } else {
            false
        };
        if !starts_name {
            i += 1;
            continue;
        }
        // Extend over surnames, unknown capitalised words (after a title) and middle initials.
        let mut end_idx = i;
        let mut j = i + 1;
        while let (Some(w), Some(wc)) = (words.get(j), class.get(j)) {
            let p = &words[j - 1];
            if !follows(w, p, text) && !p.initial || wc.allowed || wc.never {
                break;
            }
            let ok = if w.initial {
                true
            } else {
                match mode {
                    CaseMode::Mixed => {
                        w.is_capitalised() && (wc.surname || wc.first || !wc.common && !wc.place)
                    }
                    _ => wc.surname && !wc.common || (after_title && wc.surname),
                }
            };
            if !ok {
                break;
            }
            if !w.initial {
                end_idx = j;
            }
            j += 1;
        }
        let strong = after_title || after_relation || end_idx > i;
        out.push(Found {
            start: word.start,
            end: words[end_idx].end,
            city: false,
            strong,
        });
        i = end_idx + 1;
    }
    find_cities(data, &mut lower, text, words, &class, mode, out);
}

/// Only spaces, or a title's dot, between `prev` and `word`.
fn follows(word: &Word, prev: &Word, text: &str) -> bool {
    if word.joined_to_previous {
        return true;
    }
    let between = text.get(prev.end..word.start).unwrap_or("");
    between.len() <= 3
        && between.trim_start_matches(['.', ',']).trim().is_empty()
        && !between.contains(',')
        || between == "."
        || between == ". "
}

#[derive(Debug, Clone, Copy, Default)]
struct Class {
    allowed: bool,
    never: bool,
    first: bool,
    first_rank_ok: bool,
    surname: bool,
    surname_rank_ok: bool,
    common: bool,
    place: bool,
    honorific: bool,
    relation: bool,
    function: bool,
}

impl Class {
    fn function_word(&self) -> bool {
        self.function
    }
}

fn classify(
    data: &NameData,
    lower: &mut Lower,
    word: &Word,
    text: &str,
    allowed: &dyn Allowed,
) -> Class {
    let raw = word.text(text);
    let l = lower.of(raw);
    let e = data.entry(l);
    let f = e.flags;
    let mut c = Class {
        allowed: allowed.allows(l),
        never: f & NEVER != 0,
        honorific: f & HONORIFIC != 0,
        relation: f & RELATION != 0,
        function: f & FUNCTION != 0,
        first: f & FIRST != 0,
        first_rank_ok: f & FIRST != 0 && e.first_rank <= 1500,
        surname: f & SURNAME != 0,
        surname_rank_ok: f & SURNAME != 0 && e.surname_rank <= 40_000,
        common: f & COMMON != 0 && f & NAME_FIRST == 0,
        place: f & (CITY | REGION) != 0,
    };
    if !c.first && !c.surname && raw.contains('-') {
        // Double-barrelled names: every part a name.
        let parts: Vec<String> = l.split('-').map(str::to_owned).collect();
        if parts.len() > 1 && parts.iter().all(|p| data.is_first(p) || data.is_surname(p)) {
            c.surname = true;
            c.surname_rank_ok = true;
        }
    }
    c
}

/// Names inside an @handle or #hashtag: `@maria_gonzales`, `#PrayForJohnSmith`.
fn tagged_names(
    data: &NameData,
    lower: &mut Lower,
    text: &str,
    word: &Word,
    allowed: &dyn Allowed,
    out: &mut Vec<Found>,
) {
    let raw = word.text(text);
    let l = lower.of(raw).to_owned();
    if allowed.allows(&l) || l.len() < 3 {
        return;
    }
    let bytes = l.as_bytes();
    // A first name directly followed by a surname, anywhere in the tag.
    for i in 0..bytes.len() {
        if i > 0 && !raw.is_char_boundary(i) {
            continue;
        }
        for j in (i + 3)..bytes.len() {
            let Some(first) = l.get(i..j) else { continue };
            if !data.is_first(first) || data.is_common_word(first) && !data.is_names_first(first) {
                continue;
            }
            for k in ((j + 3)..=bytes.len()).rev() {
                let Some(sur) = l.get(j..k) else { continue };
                if data.is_surname(sur) && !data.is_common_word(sur) && !allowed.allows(sur) {
                    out.push(Found {
                        start: word.start + i,
                        end: word.start + k,
                        city: false,
                        strong: true,
                    });
                    return;
                }
            }
        }
    }
    // A whole word of a handle that is a name (`@maria` `_gonzales`).
    if (data.is_first(&l) && !data.is_common_word(&l)
        || data.is_surname(&l) && !data.is_common_word(&l))
        && word.prefix == Prefix::Handle
    {
        out.push(Found {
            start: word.start,
            end: word.end,
            city: false,
            strong: false,
        });
    }
}

/// Cities: one to three capitalised words in the city list (any case in lower-case text).
fn find_cities(
    data: &NameData,
    lower: &mut Lower,
    text: &str,
    words: &[Word],
    class: &[Class],
    mode: CaseMode,
    out: &mut Vec<Found>,
) {
    let taken = |start: usize, end: usize, out: &[Found]| {
        out.iter().any(|f| f.start < end && start < f.end)
    };
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if class[i].allowed
            || w.prefix != Prefix::None
            || mode == CaseMode::Mixed && !w.is_capitalised()
        {
            i += 1;
            continue;
        }
        let mut matched = None;
        for len in (1..=3).rev() {
            let Some(last) = words.get(i + len - 1) else {
                continue;
            };
            let contiguous = (i + 1..i + len).all(|k| words[k].joined_to_previous);
            if !contiguous {
                continue;
            }
            if mode == CaseMode::Mixed
                && !(i..i + len).all(|k| {
                    words[k].is_capitalised() || words[k].shape == Shape::Lower && len > 1 && k != i
                })
            {
                continue;
            }
            let Some(span) = text.get(w.start..last.end) else {
                continue;
            };
            let l = lower.of(span);
            if data.is_city(l) && !data.is_region(l) {
                let single_common = len == 1 && (class[i].common || class[i].never);
                if !single_common {
                    matched = Some(len);
                    break;
                }
            }
        }
        match matched {
            Some(len) => {
                let end = words[i + len - 1].end;
                if !taken(w.start, end, out) {
                    out.push(Found {
                        start: w.start,
                        end,
                        city: true,
                        strong: false,
                    });
                }
                i += len;
            }
            None => i += 1,
        }
    }
}
