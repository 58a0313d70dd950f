//! Person names and places, from real name lists and the shape of the text.
//!
//! The lists are the US Census surname and first-name files and a city list (see
//! `data/SOURCES.md`). A list alone would flag "Will", "Grace" and "Brown" everywhere, so a word
//! counts as a name only with evidence: a title or relation before it ("Mrs.", "husband"), a
//! first name followed by a surname, capitals where the rest of the text is in sentence case,
//! and not being an ordinary English word.

use crate::huge::HugeTable;
use crate::text::{eq_any, word_set, CaseMode, Overlaps, Prefix, Shape, Spanned, Word};

word_set!(PERSON_VERBS_SET = PERSON_VERBS);
word_set!(AFTER_VOCATIVE_SET = AFTER_VOCATIVE);
word_set!(NAME_BEFORE_SET = NAME_BEFORE);
word_set!(NAME_PARTICLES_SET = NAME_PARTICLES);
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

const FIRST_NAMES: &str = include_str!("../data/first_names.txt");
const SURNAMES: &str = include_str!("../data/surnames.txt");
const COMMON_WORDS: &str = include_str!("../data/common_words.txt");
const CITIES: &str = include_str!("../data/cities.txt");
const US_STATES: &str = include_str!("../data/us_states.txt");
const COUNTRIES: &str = include_str!("../data/countries.txt");
const INTL_FIRST_NAMES: &str = include_str!("../data/intl_first_names.txt");
const INTL_SURNAMES: &str = include_str!("../data/intl_surnames.txt");
const ENGLISH_WORDS: &str = include_str!("../data/english_words.txt");

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

/// Months and weekdays: never a name on their own, never a street word.
pub(crate) const CALENDAR_WORDS: &[&str] = &[
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
];

/// Words never taken for a name on their own, whatever the lists say.
const NEVER_NAMES: &[&str] = &[
    // Interjections, first in a reply before a comma ("Aww, Rosalind, ...").
    "aw",
    "aww",
    "awww",
    "omg",
    "yay",
    "woohoo",
    "hooray",
    "ahh",
    "ooh",
    "haha",
    "hahaha",
    "lol",
    "lmao",
    "yikes",
    "oops",
    "ugh",
    "hmm",
    "welp",
    "phew",
    "whoa",
    "wowza",
    "yass",
    "yasss",
    // Clinical shorthand in no word list ("#teamphysio", "peds", "MOM ONCO"): wards, services
    // and treatments, never a person.
    "ortho",
    "peds",
    "paeds",
    "physio",
    "neuro",
    "neuros",
    "onco",
    "onc",
    "heme",
    "derm",
    "gastro",
    "pulm",
    "pulmo",
    "nephro",
    "uro",
    "gyn",
    "obgyn",
    "picu",
    "cvicu",
    "sicu",
    "micu",
    "pacu",
    "tele",
    "medsurg",
    "stepdown",
    "chemo",
    "rads",
    "anesth",
    "ambo",
    "trach",
    "cath",
    "endo",
    "ophtho",
    "optho",
    "rheum",
    "hospice",
    "postop",
    "preop",
    "periop",
    "covid19",
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
    // Weekdays in the plural ("on Tuesdays and Thursdays"), prizes and awards ("two Nobel
    // Prizes"): never a person.
    "mondays",
    "tuesdays",
    "wednesdays",
    "thursdays",
    "fridays",
    "saturdays",
    "sundays",
    "nobel",
    "prize",
    "prizes",
    "award",
    "awards",
    "santa",
    // Conjunctions ("text your charge nurse if you're late").
    "if",
    "but",
    "when",
    "than",
    "because",
    "unless",
    "until",
    "while",
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
    "kid",
    "child",
];

/// Words before a place name: "grew up in", "flew to", "based in", "originally from".
const PLACE_VERBS: &[&str] = &[
    "flew",
    "arrived",
    "am",
    "i'm",
    "returned",
    "here",
    "originally",
    "up",
    "based",
    "lives",
    "live",
    "living",
    "moved",
    "born",
    "year",
    "transfer",
    "transferred",
    "transported",
    "relocated",
    "raised",
    "resides",
    "resident",
    "visiting",
    "stationed",
    "street",
];

/// Prepositions between such a verb and the place.
const PLACE_PREPS: &[&str] = &["in", "to", "at", "from"];

/// What the lists say about one lower-case word (or multi-word city): its flags, with the two
/// rank thresholds folded in ([`FIRST_RANK_OK`], [`SURNAME_RANK_OK`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Entry {
    flags: u32,
}

/// Ranks while the lists are read; only whether they pass a threshold is kept.
#[derive(Debug, Clone, Copy, Default)]
struct Building {
    flags: u32,
    first_rank: u32,
    surname_rank: u32,
}

const FIRST: u32 = 1;
const SURNAME: u32 = 1 << 1;
const COMMON: u32 = 1 << 2;
const NAME_FIRST: u32 = 1 << 3;
const NEVER: u32 = 1 << 4;
const HONORIFIC: u32 = 1 << 5;
const RELATION: u32 = 1 << 6;
const CITY: u32 = 1 << 7;
const REGION: u32 = 1 << 8;
const FUNCTION: u32 = 1 << 9;
const PLACE_VERB: u32 = 1 << 10;
/// "in", "to", "at", "from". Bits 27 to 30 are the four cues whose words [`find`] marks
/// (see [`CUE_BITS`]), next to each other so they are read with one shift.
const PLACE_PREP: u32 = 1 << 27;
/// "name", "names": a name follows after ":", "?" or "is".
const NAME_LABEL: u32 = 1 << 12;
/// "is", "was", "me": links a label ("name is", "call me") to the name after it.
const NAME_LINK: u32 = 1 << 13;
/// "call", "calls": "call me X".
const CALL: u32 = 1 << 14;
/// Only in the international (Faker) lists, not in the census lists.
const INTL: u32 = 1 << 15;
/// Nouns that make the capitalised words before them the name of a thing, not a person
/// ("Teddy Bear Clinic", "DAISY Award"), and job titles that follow "Nurse" or "Dr.".
const ENTITY: u32 = 1 << 16;
/// An ordinary English word in no name list ("pleasures", "therapy").
const ENGLISH: u32 = 1 << 17;
/// The first word of a city of several words ("salt" of "salt lake city"): only then are the
/// words after it looked up with it.
const CITY_START: u32 = 1 << 18;
/// A first name among the 1,500 most common.
const FIRST_RANK_OK: u32 = 1 << 19;
/// A surname among the 40,000 most common (or from the international lists).
const SURNAME_RANK_OK: u32 = 1 << 20;
/// Not in the table: set in a word's [`Class`] when the caller allows the word.
const ALLOWED: u32 = 1 << 21;
/// [`COMMON`] and not [`NAME_FIRST`]: an ordinary word that is no name first.
const COMMON_WORD: u32 = 1 << 22;
/// [`CITY`] or [`REGION`].
const PLACE: u32 = 1 << 23;
/// A later word of a city of several words ("lake" and "city" of "salt lake city").
const CITY_INNER: u32 = 1 << 24;
/// Not in the table: set in the [`Class`] of every word that was looked up.
const LOOKED_UP: u32 = 1 << 25;
/// Not in the table: in sentence-case text, set in the [`Class`] of a word a name can start at
/// (see [`find`]).
const NAME_START: u32 = 1 << 26;
/// "and", the one function word a list of names turns on (see [`name_lists`]).
const AND_WORD: u32 = 1 << 28;
/// Set when the table is built: [`HONORIFIC`], [`RELATION`], [`NAME_LABEL`] or [`NAME_LINK`],
/// the cues after which the name search looks at a word it would pass.
const NAME_CUE: u32 = 1 << 29;
/// Set when the table is built: [`CITY`] or [`CITY_START`], a word a city can start at.
const CITY_WORD: u32 = 1 << 30;
/// The shift that brings [`PLACE_PREP`], [`AND_WORD`], [`NAME_CUE`] and [`CITY_WORD`] to the
/// four lowest bits (the bit above them, the table's [`OVERFLOWED`], is in no word's flags).
const CUE_BITS: u32 = 27;

/// Set when the table is built (and by [`classify_other`]): flags with which the name search
/// passes a word at once, whatever stands before it ([`not_name`]). A word in no list lacks it.
const NOT_NAME: u32 = 1 << 11;

/// Whether the name search in [`find`] passes a word of these flags at once unless a title,
/// relation or name cue stands before it (or it is in a tag): a word that is never a name or an
/// entity, or neither a listed name nor unlisted (an ordinary word, a place, a function word),
/// or an ordinary word that is no first name ("Suite", "Box", "but": listed surnames too). With
/// no cue before it, every piece of evidence in [`find`] needs a first name or a word that is no
/// ordinary word ([`name_word`], `name_like` in [`unlisted_pair`], and the surname alone), so
/// such a word never starts a name there; a third of the words the search looked at were these.
/// The allow list is left out (allowed words are few; the search tests them itself).
const fn not_name(f: u32) -> bool {
    f & (NEVER | ENTITY) != 0
        || f & (FIRST | SURNAME) == 0 && f & (COMMON_WORD | ENGLISH | PLACE | FUNCTION) != 0
        || f & FIRST == 0 && f & COMMON_WORD != 0
}

const ENTITY_WORDS: &[&str] = &[
    "award",
    "awards",
    "clinic",
    "clinics",
    "center",
    "centre",
    "hospital",
    "foundation",
    "fund",
    "run",
    "walk",
    "gala",
    "day",
    "week",
    "month",
    "fair",
    "drive",
    "school",
    "college",
    "university",
    "park",
    "library",
    "church",
    "pantry",
    "bank",
    "program",
    "programme",
    "prize",
    "scholarship",
    "institute",
    "society",
    "association",
    "club",
    "league",
    "team",
    "unit",
    "wing",
    "building",
    "hall",
    "house",
    "lodge",
    "camp",
    "challenge",
    "cup",
    "festival",
    "manager",
    "director",
    "supervisor",
    "practitioner",
    "assistant",
    "educator",
    "specialist",
    "coordinator",
    "chief",
    "officer",
    "president",
    "technician",
    "therapist",
    "navigator",
    "resident",
    "fellow",
    "intern",
    "student",
    "volunteer",
    "volunteers",
    "aide",
    "chaplain",
    "clinical",
    "charge",
    "head",
    "lead",
    "senior",
    "staff",
    "team's",
    // Places a name is given to ("Haskett Road", "Corbett Drug", "Loon Lake", "Hawthorne Inn"):
    // the capitalised words before one name a place, not a person. Words that are also common
    // surnames ("Hill", "Lane", "Court", "Wood") are left out.
    "road",
    "rd",
    "street",
    "st",
    "avenue",
    "ave",
    "boulevard",
    "blvd",
    "highway",
    "hwy",
    "parkway",
    "pkwy",
    "lake",
    "pond",
    "river",
    "creek",
    "trail",
    "mountain",
    "inn",
    "motel",
    "hotel",
    "apartments",
    "fairgrounds",
    "elementary",
    "academy",
    "drug",
    "drugs",
    "pharmacy",
    "market",
    "bakery",
    "diner",
    "cafe",
    "orchard",
    "farm",
    "farms",
    "cemetery",
    "chapel",
    "bridge",
    "mall",
    "plaza",
    "stadium",
    "arena",
    "museum",
    "zoo",
    "marina",
    "courthouse",
    // More places and businesses (12-07 night), and conditions named after a person ("Fabry
    // disease"), which are no person either.
    // And (12-07 late evening) parks, forests and ensembles ("Thornbury State Forest",
    // "Harlan Symphony", "Sayer's Point").
    "forest",
    "forests",
    "symphony",
    "orchestra",
    "philharmonic",
    "choir",
    "point",
    "storage",
    "warehouse",
    "factory",
    "falls",
    "valley",
    "prep",
    "high",
    "middle",
    "faire",
    "lanes",
    "gym",
    "casino",
    "tavern",
    "pub",
    "grill",
    "saloon",
    "brewery",
    "winery",
    "studio",
    "depot",
    "quarry",
    "stables",
    "ranch",
    "rink",
    "speedway",
    "raceway",
    "terrace",
    "heights",
    "estates",
    "beach",
    "harbor",
    "harbour",
    "island",
    "ridge",
    "springs",
    "hollow",
    "acres",
    "commons",
    "square",
    "turnpike",
    "expressway",
    "circle",
    "county",
    "hardware",
    "store",
    "shop",
    "salon",
    "garage",
    "motors",
    "lumber",
    "laundromat",
    "pizzeria",
    "restaurant",
    "bar",
    "disease",
    "syndrome",
    "disorder",
];

const FUNCTION_WORDS: &[&str] = &[
    "and", "or", "is", "was", "are", "the", "a", "an", "in", "on", "at", "to", "of", "for", "with",
    "who", "that", "this", "has", "had", "will", "just", "so",
];

/// The lists, built once per process: one hash lookup tells everything about a word.
pub(crate) struct NameData {
    entries: WordTable,
    /// Two-letter US state codes, upper case.
    state_codes: FxHashSet<Box<str>>,
    /// The first three letters of the first names a tag can hold (see [`tagged_names`]).
    tag_first_starts: LetterTriples,
    /// The first three letters of the surnames a tag can hold.
    tag_surname_starts: LetterTriples,
}

/// A set of three-letter starts (`a` to `z` each): a name in a tag is looked up only at a place
/// where some name of its list starts with the next three letters.
struct LetterTriples {
    bits: Box<[u64]>,
}

impl LetterTriples {
    fn new() -> LetterTriples {
        LetterTriples {
            bits: vec![0; (26 * 26 * 26usize).div_ceil(64)].into_boxed_slice(),
        }
    }

    /// The index of three lower-case ASCII letters, None for other bytes.
    fn index(start: &[u8]) -> Option<usize> {
        match *start.get(..3)? {
            [a @ b'a'..=b'z', b @ b'a'..=b'z', c @ b'a'..=b'z'] => Some(
                usize::from(a - b'a') * 676 + usize::from(b - b'a') * 26 + usize::from(c - b'a'),
            ),
            _ => None,
        }
    }

    fn insert(&mut self, word: &str) {
        if let Some(i) = Self::index(word.as_bytes()) {
            if let Some(w) = self.bits.get_mut(i / 64) {
                *w |= 1 << (i % 64);
            }
        }
    }

    /// False when no word of the set starts with the first three bytes of `tail`, all letters;
    /// true otherwise (also when they are not three lower-case ASCII letters).
    fn may_start(&self, tail: &[u8]) -> bool {
        match Self::index(tail) {
            Some(i) => self
                .bits
                .get(i / 64)
                .is_some_and(|w| w & (1 << (i % 64)) != 0),
            None => true,
        }
    }
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
        let mut entries: FxHashMap<Box<str>, Building> = FxHashMap::default();
        entries.reserve(200_000);
        fn set<'m>(
            entries: &'m mut FxHashMap<Box<str>, Building>,
            word: &str,
            flag: u32,
        ) -> &'m mut Building {
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
        // International names (Faker): after the census ranks, so they never count as the most
        // common names; a lone surname among them is still taken in sentence-case text.
        for (list, flag) in [(INTL_FIRST_NAMES, FIRST), (INTL_SURNAMES, SURNAME)] {
            for name in lines(list) {
                let e = set(&mut entries, name, flag);
                if e.first_rank == 0 && e.surname_rank == 0 {
                    e.flags |= INTL;
                }
                let rank = if flag == FIRST {
                    &mut e.first_rank
                } else {
                    &mut e.surname_rank
                };
                if *rank == 0 {
                    *rank = if flag == FIRST { 20_000 } else { 40_000 };
                }
            }
        }
        for w in lines(COMMON_WORDS) {
            set(&mut entries, w, COMMON);
        }
        for w in lines(ENGLISH_WORDS) {
            set(&mut entries, w, ENGLISH);
        }
        for (list, flag) in [
            (NAMES_FIRST, NAME_FIRST),
            (NEVER_NAMES, NEVER),
            (CALENDAR_WORDS, NEVER),
            (HONORIFICS, HONORIFIC),
            (RELATIONS, RELATION),
            (FUNCTION_WORDS, FUNCTION),
            (ENTITY_WORDS, ENTITY),
            (PLACE_VERBS, PLACE_VERB),
            (PLACE_PREPS, PLACE_PREP),
            (&["name", "names"], NAME_LABEL),
            (&["is", "was", "me"], NAME_LINK),
            (&["call", "calls"], CALL),
        ] {
            for w in list {
                set(&mut entries, w, flag);
            }
        }
        for w in lines(CITIES) {
            set(&mut entries, w, CITY);
            if let Some((first, rest)) = w.split_once(' ') {
                set(&mut entries, first, CITY_START);
                for later in rest.split(' ') {
                    set(&mut entries, later, CITY_INNER);
                }
            }
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
        let mut tag_first_starts = LetterTriples::new();
        let mut tag_surname_starts = LetterTriples::new();
        let entries = WordTable::new(entries.into_iter().map(|(word, b)| {
            let mut flags = b.flags;
            if flags & FIRST != 0 && b.first_rank <= 1500 {
                flags |= FIRST_RANK_OK;
            }
            if flags & SURNAME != 0 && b.surname_rank <= 40_000 {
                flags |= SURNAME_RANK_OK;
            }
            if flags & COMMON != 0 && flags & NAME_FIRST == 0 {
                flags |= COMMON_WORD;
            }
            if flags & (CITY | REGION) != 0 {
                flags |= PLACE;
            }
            if not_name(flags) {
                flags |= NOT_NAME;
            }
            if &*word == "and" {
                flags |= AND_WORD;
            }
            if flags & (HONORIFIC | RELATION | NAME_LABEL | NAME_LINK) != 0 {
                flags |= NAME_CUE;
            }
            if flags & (CITY | CITY_START) != 0 {
                flags |= CITY_WORD;
            }
            // The names `tagged_names` takes.
            if flags & FIRST != 0 && flags & (INTL | COMMON_WORD) == 0 {
                tag_first_starts.insert(&word);
            }
            if flags & SURNAME != 0 && flags & INTL == 0 {
                tag_surname_starts.insert(&word);
            }
            (word, flags)
        }));
        NameData {
            entries,
            state_codes,
            tag_first_starts,
            tag_surname_starts,
        }
    }

    fn entry(&self, lower: &str) -> Entry {
        Entry {
            flags: self.entries.get(lower),
        }
    }

    pub(crate) fn is_first(&self, lower: &str) -> bool {
        self.entry(lower).flags & FIRST != 0
    }

    pub(crate) fn is_surname(&self, lower: &str) -> bool {
        self.entry(lower).flags & SURNAME != 0
    }

    /// A word in none of the lists: no name, no ordinary or English word, no place, no title
    /// ("Ottoline", "Zbigniew" when the name lists lack them).
    pub(crate) fn is_unlisted(&self, lower: &str) -> bool {
        self.entry(lower).flags
            & (FIRST
                | SURNAME
                | COMMON_WORD
                | ENGLISH
                | NEVER
                | ENTITY
                | FUNCTION
                | PLACE
                | HONORIFIC
                | RELATION)
            == 0
    }

    /// A word that may be a person's name where its place in the text says a name stands
    /// there ("Chukwuemeka's mum"): a listed name that no ordinary word, function word or
    /// "never a name" entry shares, or a word in no list at all.
    pub(crate) fn may_be_name(&self, lower: &str) -> bool {
        let flags = self.entry(lower).flags;
        flags & (FIRST | SURNAME) != 0 && flags & (COMMON_WORD | ENGLISH | FUNCTION | NEVER) == 0
            || self.is_unlisted(lower)
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

/// The word lists as open-addressing tables of 64-byte buckets, each one cache line holding
/// several words inline with their flags (five of up to 8 bytes, or four of 9 to 12), so a lookup
/// reads one line, not a bucket and then a string elsewhere (the lists hold some 190,000 words
/// and the scan looks words up all the time). Buckets are probed one after another, and a
/// bucket's [`OVERFLOWED`] bit tells whether a lookup must go on; half full, 94% of the buckets
/// never send a lookup on, so nearly every lookup, found or not, reads one line. The tables take
/// 5.1 MB, where one word per 24-byte slot in a table a third full took 25 MB and spread the
/// words over 5 times as many cache lines. Longer words, which are few, are in a map of their
/// own.
struct WordTable {
    /// The words of up to 8 bytes (most words, and the frequent ones), in memory advised for
    /// huge pages (see `huge.rs`).
    short: HugeTable<ShortBucket>,
    /// The words of 9 to 12 bytes, in memory advised for huge pages too.
    buckets: HugeTable<Bucket>,
    long: FxHashMap<Box<str>, u32>,
}

/// Words per [`ShortBucket`].
const SHORT_BUCKET: usize = 5;

/// Five words of up to 8 bytes (a [`Key`] whose high half is zero) and their flags in one
/// aligned cache line: a fifth more words a line than a [`Bucket`], so fewer lines overflow.
#[derive(Clone, Copy, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C, align(64))]
struct ShortBucket {
    low: [u64; SHORT_BUCKET],
    /// The flags of the words, then [`OVERFLOWED`] or 0 (in the place of a sixth word's flags,
    /// so a lookup reads either with one index).
    flags: [u32; SHORT_BUCKET + 1],
}

/// How full the [`WordTable`] is at most, as a fraction: fuller, more buckets overflow into the
/// next one and lookups read two lines.
const LOAD_NUM: usize = 1;
/// The denominator of [`LOAD_NUM`].
const LOAD_DEN: usize = 2;

/// Words per [`Bucket`].
const BUCKET: usize = 4;

/// In the first flags of a [`Bucket`]: the bucket was full when some word whose probe sequence
/// passes it was put in the table, so a lookup that does not find its word here goes on to the
/// next bucket (a bit no list flag uses).
const OVERFLOWED: u32 = 1 << 31;

/// Four words as the halves of their [`Key`]s and their flags, in one aligned cache line; a slot
/// whose low half is zero is empty (a word's first byte is not zero).
#[derive(Clone, Copy, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C, align(64))]
struct Bucket {
    low: [u64; BUCKET],
    high: [u32; BUCKET],
    flags: [u32; BUCKET],
}

const INLINE: usize = 12;

/// A word of up to [`INLINE`] bytes, zero-padded, as its first eight and last four bytes (little
/// endian): compared and hashed as two integers, built from a text without a byte array.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Key {
    low: u64,
    high: u32,
}

impl Key {
    fn of(bytes: &[u8; INLINE]) -> Key {
        let mut low = [0u8; 8];
        let mut high = [0u8; 4];
        let (l, h) = bytes.split_at(8);
        low.copy_from_slice(l);
        high.copy_from_slice(h);
        Key {
            low: u64::from_le_bytes(low),
            high: u32::from_le_bytes(high),
        }
    }

    /// The zero-padded bytes.
    fn bytes(&self) -> [u8; INLINE] {
        let mut out = [0u8; INLINE];
        let (l, h) = out.split_at_mut(8);
        l.copy_from_slice(&self.low.to_le_bytes());
        h.copy_from_slice(&self.high.to_le_bytes());
        out
    }
}

impl WordTable {
    fn new(entries: impl ExactSizeIterator<Item = (Box<str>, u32)>) -> WordTable {
        let mut keys = Vec::with_capacity(entries.len());
        let mut long = FxHashMap::default();
        for (word, flags) in entries {
            match Self::inline_key(&word) {
                Some(key) => keys.push((Key::of(&key), flags)),
                None => {
                    long.insert(word, flags);
                }
            }
        }
        let shorts = keys.iter().filter(|(k, _)| k.high == 0).count();
        // One bucket more than the load needs, so each table always has a free slot.
        let buckets = |words: usize, per: usize| (words * LOAD_DEN / LOAD_NUM / per).max(1) + 1;
        let mut table = WordTable {
            short: HugeTable::new(
                vec![ShortBucket::default(); buckets(shorts, SHORT_BUCKET)].into_boxed_slice(),
            ),
            buckets: HugeTable::new(
                vec![Bucket::default(); buckets(keys.len() - shorts, BUCKET)].into_boxed_slice(),
            ),
            long,
        };
        for (key, flags) in keys {
            if key.high == 0 {
                table.insert_short(key.low, flags);
            } else {
                table.insert(key, flags);
            }
        }
        table
    }

    /// [`WordTable::insert`] for a word of up to 8 bytes.
    fn insert_short(&mut self, low: u64, flags: u32) {
        let short = self.short.as_mut_slice();
        let count = short.len();
        let mut b = Self::bucket_in(Self::hash(&Key { low, high: 0 }), count);
        // The table always has free slots (see `new`), so the search ends.
        for _ in 0..count {
            if let Some(bucket) = short.get_mut(b) {
                for s in 0..SHORT_BUCKET {
                    if bucket.low[s] == 0 || bucket.low[s] == low {
                        bucket.low[s] = low;
                        bucket.flags[s] = flags;
                        return;
                    }
                }
                bucket.flags[SHORT_BUCKET] = OVERFLOWED;
            }
            b = if b + 1 == count { 0 } else { b + 1 };
        }
    }

    /// Puts a word of 9 to 12 bytes in the first free slot of its probe sequence (or sets its
    /// flags, if it is there already).
    fn insert(&mut self, key: Key, flags: u32) {
        let table = self.buckets.as_mut_slice();
        let count = table.len();
        let mut b = Self::bucket_in(Self::hash(&key), count);
        // The table always has free slots (see `new`), so the search ends.
        for _ in 0..count {
            if let Some(bucket) = table.get_mut(b) {
                for s in 0..BUCKET {
                    let (low, high) = (bucket.low[s], bucket.high[s]);
                    if low == 0 || (low == key.low && high == key.high) {
                        bucket.low[s] = key.low;
                        bucket.high[s] = key.high;
                        bucket.flags[s] = flags | (bucket.flags[s] & OVERFLOWED);
                        return;
                    }
                }
                // Full: the lookups that pass here must go on to the next bucket.
                bucket.flags[0] |= OVERFLOWED;
            }
            b = if b + 1 == count { 0 } else { b + 1 };
        }
    }

    /// The home bucket of a hash among `count`: its low 32 bits scaled to the number of
    /// buckets (the allow filter takes the top bits).
    fn bucket_in(hash: usize, count: usize) -> usize {
        (((hash as u64 & 0xffff_ffff) * count as u64) >> 32) as usize
    }

    fn inline_key(word: &str) -> Option<[u8; INLINE]> {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > INLINE {
            return None;
        }
        // One pass that copies and looks for a zero byte (which would read as padding).
        let mut key = [0u8; INLINE];
        let mut zero = false;
        for (k, &b) in key.iter_mut().zip(bytes) {
            zero |= b == 0;
            *k = b;
        }
        (!zero).then_some(key)
    }

    fn hash(key: &Key) -> usize {
        let h = (key.low ^ u64::from(key.high).rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 20) as usize
    }

    /// The flags of `word`, 0 when no list has it.
    fn get(&self, word: &str) -> u32 {
        let Some(key) = Self::inline_key(word) else {
            return self.long.get(word).copied().unwrap_or(0);
        };
        self.get_key(&Key::of(&key))
    }

    /// The flags of the word whose key this is (a word that fits in a slot).
    fn get_key(&self, key: &Key) -> u32 {
        self.get_hashed(key, Self::hash(key))
    }

    /// [`WordTable::get_key`] when the key's hash is known.
    #[inline(always)]
    fn get_hashed(&self, key: &Key, hash: usize) -> u32 {
        let key = *key;
        if key.high == 0 {
            return self.get_short(key.low, hash);
        }
        let table = self.buckets.as_slice();
        let mut b = Self::bucket_in(hash, table.len());
        while let Some(bucket) = table.get(b) {
            // As in `get_short`: a bit per slot that holds the word (at most one), the lowest
            // picking its flags, no branch per slot. With none, the overflow bit of the first
            // flags says whether the lookup goes on.
            let mut slots = 1u32 << BUCKET;
            for s in 0..BUCKET {
                slots |= u32::from((bucket.low[s] == key.low) & (bucket.high[s] == key.high)) << s;
            }
            let f = bucket.flags;
            let flags = [
                f[0] & !OVERFLOWED,
                f[1] & !OVERFLOWED,
                f[2] & !OVERFLOWED,
                f[3] & !OVERFLOWED,
                f[0] & OVERFLOWED,
            ]
            .get(slots.trailing_zeros() as usize)
            .copied()
            .unwrap_or(0);
            // Only a bucket some word passed when it was put in sends the lookup further.
            if flags & OVERFLOWED == 0 {
                return flags;
            }
            b = if b + 1 == table.len() { 0 } else { b + 1 };
        }
        0
    }

    /// [`WordTable::get_hashed`] for a word of up to 8 bytes.
    #[inline(always)]
    fn get_short(&self, low: u64, hash: usize) -> u32 {
        let short = self.short.as_slice();
        let mut b = Self::bucket_in(hash, short.len());
        while let Some(bucket) = short.get(b) {
            // A bit per slot that holds the word (at most one) and one past them: the lowest
            // picks the word's flags, or the bucket's overflow mark when no slot holds it. Which
            // slot holds a word, if any, is unpredictable; a branch per slot mispredicted on it.
            let mut slots = 1u32 << SHORT_BUCKET;
            for s in 0..SHORT_BUCKET {
                slots |= u32::from(bucket.low[s] == low) << s;
            }
            let flags = bucket
                .flags
                .get(slots.trailing_zeros() as usize)
                .copied()
                .unwrap_or(0);
            // No list flag has the overflow bit: with it, the word is not here and the bucket
            // sends the lookup on (few do, so the test is predictable).
            if flags & OVERFLOWED == 0 {
                return flags;
            }
            b = if b + 1 == short.len() { 0 } else { b + 1 };
        }
        0
    }
}

/// What the caller allows: staff, public figures, the organisation's own words.
pub(crate) trait Allowed {
    fn allows(&self, lower: &str) -> bool;

    /// A filter of the allowed words, asked before [`Allowed::allows`] (none: every word is
    /// asked).
    fn filter(&self) -> Option<&AllowFilter> {
        None
    }
}

/// A bit per hash value of the allowed words that fit in a [`WordTable`] slot: a word whose bit
/// is clear is not allowed, so most words are settled by the hash the table lookup computes
/// anyway instead of hashing a string into the allow list.
pub(crate) struct AllowFilter {
    bits: Box<[u64; ALLOW_FILTER_WORDS]>,
}

/// The size of an [`AllowFilter`] in 64-bit words (4,096 bits: a few hundred allowed words let
/// through a few per cent of the others).
const ALLOW_FILTER_WORDS: usize = 64;

impl AllowFilter {
    /// The filter of `words` (in lower case, as [`Allowed::allows`] is asked).
    pub(crate) fn new<'w>(words: impl IntoIterator<Item = &'w str>) -> AllowFilter {
        let mut filter = AllowFilter {
            bits: Box::new([0; ALLOW_FILTER_WORDS]),
        };
        for word in words {
            if let Some(key) = WordTable::inline_key(word) {
                let (i, bit) = Self::bit(WordTable::hash(&Key::of(&key)));
                if let Some(w) = filter.bits.get_mut(i) {
                    *w |= bit;
                }
            }
        }
        filter
    }

    /// The word and bit of a hash: from its top bits, which the table's index does not use.
    fn bit(hash: usize) -> (usize, u64) {
        let h = (hash as u64) >> 32;
        ((h >> 6) as usize % ALLOW_FILTER_WORDS, 1 << (h & 63))
    }

    /// False when no allowed word has this [`WordTable::hash`].
    fn may_hold(&self, hash: usize) -> bool {
        let (i, bit) = Self::bit(hash);
        self.bits.get(i).is_some_and(|w| w & bit != 0)
    }
}

#[derive(Default)]
struct Lower {
    buf: String,
}

/// Writes `word` in lower case into `key`, as the table stores it, when it is ASCII and fits in
/// a slot (most words): one pass, no allocation. False for the rest, which go through [`Lower`].
fn ascii_lower_key(word: &str, key: &mut [u8; INLINE]) -> bool {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > INLINE {
        return false;
    }
    *key = [0; INLINE];
    for (k, &b) in key.iter_mut().zip(bytes) {
        if b == 0 || !b.is_ascii() {
            return false;
        }
        *k = b.to_ascii_lowercase();
    }
    true
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
                // Latin-1, most letters beyond ASCII in names ("Szöllösy", "Westgård"), without
                // the case tables: its capitals (À to Þ but ×) are their small letters less 0x20,
                // and it has no other capital.
                '\u{c0}'..='\u{de}' if c != '\u{d7}' => {
                    self.buf
                        .push(char::from_u32(u32::from(c) + 0x20).unwrap_or(c));
                }
                '\u{80}'..='\u{ff}' => self.buf.push(c),
                c => match simple_lower(c) {
                    Some(l) => self.buf.push(l),
                    None => self.buf.extend(c.to_lowercase()),
                },
            }
        }
        &self.buf
    }
}

/// The lower case of a Greek or Cyrillic letter of the basic blocks without the case tables
/// (`char::to_lowercase` searches them): capitals are their small letters less 0x20 (Greek
/// Α to Ω, Cyrillic А to Я) or 0x50 (Ѐ to Џ). `None` for any other character. A test checks
/// every character of both blocks against `char::to_lowercase`.
#[inline]
fn simple_lower(c: char) -> Option<char> {
    let u = u32::from(c);
    let lower = match u {
        // Greek capitals (U+03A2 is unassigned), then Cyrillic ones.
        0x391..=0x3a1 | 0x3a3..=0x3a9 | 0x410..=0x42f => u + 0x20,
        0x400..=0x40f => u + 0x50,
        // Small letters.
        0x3ac..=0x3ce | 0x430..=0x45f => u,
        _ => return None,
    };
    char::from_u32(lower)
}

/// Buffers [`find`] reuses from one text to the next.
#[derive(Default)]
pub(crate) struct Scratch {
    class: Vec<Class>,
    lower: Lower,
    known: Vec<Known>,
    /// The lower case of the [`Known`] words beyond ASCII.
    forms: String,
}

/// In sentence-case text, the words of `chunk` (a bit each, at most 64) that are lower case, in
/// no tag, between lower-case words (`next` is the word after the chunk) and neither a short
/// title nor right after one: these are not looked up. `title_before` says whether the word
/// before the chunk is a short title, and is set to whether its last word is one. A function of
/// its own, so that its loop keeps what it needs in registers.
#[inline(never)]
fn plain_words(chunk: &[Word], next: Option<&Word>, title_before: &mut bool) -> u64 {
    let last = chunk.len().saturating_sub(1);
    // Per word: lower case, lower case and in no tag, and a short title ("mr", "dr", "miss";
    // from the word's key, with no branch). From the last word back, so
    // each mask takes its bit by a shift of one.
    let (mut shape_lower, mut lower, mut titles) = (0u64, 0u64, 0u64);
    for w in chunk.iter().rev() {
        let l = u64::from(w.shape == Shape::Lower);
        shape_lower = shape_lower << 1 | l;
        lower = lower << 1 | l & u64::from(w.prefix == Prefix::None);
        titles = titles << 1 | u64::from(short_title_key(w.key));
    }
    let next_lower = next.is_none_or(|n| n.shape == Shape::Lower);
    let next_lower = shape_lower >> 1 | u64::from(next_lower) << last;
    let title_before_k = titles << 1 | u64::from(*title_before);
    *title_before = titles >> last & 1 != 0;
    // Lower case between lower-case words, no short title and none before.
    lower & next_lower & !titles & !title_before_k
}

/// What the searches after the look-ups in [`find`] start from, a bit per word (word `k` bit
/// `k`) in a text of at most 64 words; all empty in a longer text, where they step over the
/// words' classes instead.
struct Marks {
    /// The words the name search looks at (see [`NOT_NAME`]).
    cands: Starts,
    /// The words a name can start at, in sentence-case text ([`NAME_START`]).
    starts: Starts,
    /// Prepositions ([`PLACE_PREP`]).
    preps: Starts,
    /// "and" ([`AND_WORD`]).
    ands: Starts,
    /// Titles, relations and name cues ([`NAME_CUE`]).
    cues: Starts,
    /// Words a city starts with ([`CITY_WORD`]).
    cities: Starts,
}

impl Marks {
    /// The masks of `marks`, a byte per word: bit 0 a candidate, bit 1 a start, and the four
    /// cue bits of its flags above (from [`CUE_BITS`] on). Eight words at a time, a mask's bits
    /// gathered from the eight bytes by one multiply.
    fn of(marks: &[u8; 64], words: usize) -> Marks {
        let mut masks = [0u64; 6];
        if words <= 64 {
            for (c, eight) in marks.chunks_exact(8).take(words.div_ceil(8)).enumerate() {
                let x = <[u8; 8]>::try_from(eight).map_or(0, u64::from_le_bytes);
                for (b, mask) in masks.iter_mut().enumerate() {
                    // Bit `b` of each byte, at the bottom of its byte; the multiply moves byte
                    // j's bit to bit 56 + j, with no carries between them.
                    let bits = (x >> b & 0x0101_0101_0101_0101).wrapping_mul(0x0102_0408_1020_4080);
                    *mask |= (bits >> 56) << (8 * c);
                }
            }
        }
        let [cands, starts, preps, ands, cues, cities] = masks.map(Starts);
        Marks {
            cands,
            starts,
            preps,
            ands,
            cues,
            cities,
        }
    }
}

/// Finds person names and cities among `words`.
pub(crate) fn find(
    text: &str,
    words: &[Word],
    mode: CaseMode,
    allowed: &dyn Allowed,
    scratch: &mut Scratch,
    out: &mut Vec<Found>,
) {
    let data = NameData::get();
    let filter = allowed.filter();
    // The buffers are used where they are, not moved out and back (a cost every text pays).
    let Scratch {
        class,
        lower,
        known,
        forms,
    } = scratch;
    // Cleared and filled with nothing between, so the fill knows the length is zero.
    class.clear();
    class.resize(words.len(), Class::default());
    // Every flag of some word of the text: a sub-pass whose cue no word has is skipped.
    let mut seen = 0;
    let mixed = mode == CaseMode::Mixed;
    // In a text of at most 64 words, a byte per word looked up (the rest 0) of what the searches
    // after the look-ups start from (see [`Marks`]), made into a bitmask each after the loop:
    // one store a word, where a mask each took a shift and an "or" a word.
    let mut marks = [0u8; 64];
    // In sentence-case text a lower-case word matters only as the title or relation before a
    // capitalised word, or as the word after a short title ("mrs parker"); the rest are not
    // looked up and keep the empty class `resize` gave them. Which words those are is worked
    // out for 64 words at a time as bitmasks, with no branch per word (capitals and lower case
    // alternate unpredictably, and a branch on them mispredicted often), and only the words
    // left are looked up, in a loop over their bits.
    let mut title_before = false;
    let mut base = 0;
    while let Some(chunk) = words.get(base..(base + 64).min(words.len())) {
        let Some(last) = chunk.len().checked_sub(1) else {
            break;
        };
        let all = u64::MAX >> (63 - last);
        let mut look = all;
        if mixed {
            let plain = plain_words(chunk, words.get(base + chunk.len()), &mut title_before);
            look = all & !plain;
        }
        while look != 0 {
            let i = base + look.trailing_zeros() as usize;
            look &= look - 1;
            let Some(word) = words.get(i) else {
                break;
            };
            let mut c = classify_with(data, lower, word, text, allowed, filter);
            // In sentence-case text a name starts with a capital, or is a listed surname or a
            // word in no list after a short title ("mrs parker", "mr tuilagi"); words in tags
            // are searched for names too. The name search and the search for repeated names
            // skip to these words.
            let start = mixed
                & ((word.prefix != Prefix::None)
                    | word.is_capitalised()
                    | (word.shape == Shape::Lower) & (c.surname() | unlisted(&c)));
            c.0 |= u32::from(start) * NAME_START;
            // Whether the name search below may get past its first two tests at this word: a
            // word in a tag or not passed at once for its own flags (kept below only where a
            // name can start: any word in lower- or upper-case text); the words after a cue are
            // added below.
            let cand = (word.prefix != Prefix::None) | (c.0 & NOT_NAME == 0);
            // Read only in a text of at most 64 words, where `i` is below 64.
            if let Some(m) = marks.get_mut(i & 63) {
                *m = u8::from(cand) | u8::from(start) << 1 | ((c.0 >> CUE_BITS) as u8) << 2;
            }
            seen |= c.0;
            if let Some(slot) = class.get_mut(i) {
                *slot = c;
            }
        }
        base += chunk.len();
    }

    // Read only from here on.
    let class: &[Class] = class;
    let Marks {
        cands,
        starts,
        preps,
        ands,
        cues,
        cities,
    } = Marks::of(&marks, words.len());
    let (mut cands, mut cities) = (cands, cities);
    // Where a name can start, and the words after a cue there.
    let start_ok = if mixed { starts.0 } else { u64::MAX };
    cands.0 = (cands.0 | cues.0 << 1) & start_ok;
    // A city starts at a word of the list capitalised in sentence-case text (which a name can
    // start at; `find_cities` tests this again, and that it is in no tag and not allowed).
    cities.0 &= start_ok;
    let mut i = 0;
    loop {
        i = if words.len() <= 64 {
            cands.next_with(class, i, 0)
        } else if mixed {
            next_with(class, i, NAME_START)
        } else {
            i
        };
        if i >= words.len() {
            break;
        }
        let (word, mut c) = (&words[i], class[i]);
        // "Jonas Nielsen" is not Jonas Salk: an allowed first name before another surname.
        if c.allowed() && c.first() && another_surname(text, words, class, i, mode) {
            c.0 &= !ALLOWED;
        }
        if c.allowed() || c.never() || c.entity() || word.prefix != Prefix::None {
            if word.prefix != Prefix::None && !c.allowed() {
                tagged_names(data, lower, text, word, allowed, out);
            }
            i += 1;
            continue;
        }
        let prev = i.checked_sub(1).map(|p| (&words[p], class[p]));
        // Every piece of evidence below needs a listed name, an unlisted word that is no
        // ordinary word, or a title, relation or name cue before: an ordinary word elsewhere
        // ("Love", "Great") is passed at once.
        if !c.first()
            && !c.surname()
            && !name_word(&c)
            && prev
                .is_none_or(|(_, pc)| pc.0 & (HONORIFIC | RELATION | NAME_LABEL | NAME_LINK) == 0)
        {
            i += 1;
            continue;
        }
        // "My name is X", "Name: X", "last name? X", "call me X": a cue two words back is looked
        // up only here, when the word before is the link ("is", "me").
        let after_cue = word.is_capitalised() || mode != CaseMode::Mixed;
        let after_cue = after_cue
            && prev.is_some_and(|(p, pc)| {
                if pc.name_label() {
                    let between = text.get(p.end..word.start).unwrap_or("");
                    let gap_ok = between.len() <= 8 && between.trim().len() <= 1;
                    gap_ok && matches!(between.trim(), ":" | "?")
                } else if pc.name_link() && follows(word, p, text) && i >= 2 {
                    let pp = &words[i - 2];
                    let ppc = classify(data, lower, pp, text, allowed);
                    let me = p.text(text).eq_ignore_ascii_case("me");
                    p.joined_to_previous && (ppc.name_label() && !me || ppc.call() && me)
                } else {
                    false
                }
            });
        let after_title =
            after_cue || prev.is_some_and(|(p, pc)| pc.honorific() && follows(word, p, text));
        let after_relation = prev.is_some_and(|(p, pc)| pc.relation() && follows(word, p, text));
        let capital_ok = |w: &Word| match mode {
            CaseMode::Mixed => {
                w.is_capitalised() && w.shape != Shape::Upper
                    || w.shape == Shape::Upper && w.end - w.start > 3
            }
            CaseMode::Lower | CaseMode::Upper => true,
        };
        // Evidence for a name starting at this word.
        // "mrs parker", "mr. o'malley": a listed surname in lower case after a short title.
        // "mr tuilagi": or a word of four letters or more in no list at all.
        let lower_after_title = || {
            word.shape == Shape::Lower
                && (c.surname() && !c.common() && !c.english()
                    || unlisted(&c) && word.end - word.start >= 4)
                && prev.is_some_and(|(p, pc)| pc.honorific() && short_title(word_bytes(p, text)))
        };
        let mut addressed = false;
        let starts_name = if after_title {
            match mode {
                // "Patient Relations", "Nurse Manager": an ordinary word in no name list is not a
                // name, even after a title.
                // "Pt ID band": nor are three capitals or fewer in no name list (an acronym).
                CaseMode::Mixed => {
                    word.is_capitalised()
                        && (c.first() || c.surname() || !c.english() && !short_capitals(word))
                        || lower_after_title()
                }
                // "PT REFUSED AM MEDS": an ordinary English word in no name list is no name
                // after a title in capitals or lower case either.
                _ => {
                    !c.function_word() && !c.english() && (c.first() || c.surname() || !c.common())
                }
            }
        } else if after_relation {
            capital_ok(word) && c.first() && (mode == CaseMode::Mixed || !c.common())
                // "my kid Tadzio": a foreign name after a relation.
                || mode == CaseMode::Mixed && word.shape == Shape::Title && name_word(&c)
                // "MOM FUNMI": in capitals, a word of four letters or more in no list at all,
                // with a vowel (not an acronym: "WIFE NPO", "SON PRN").
                || mode == CaseMode::Upper
                    && unlisted(&c)
                    && word.end - word.start >= 4
                    && word_bytes(word, text)
                        .iter()
                        .any(|b| matches!(b, b'A' | b'E' | b'I' | b'O' | b'U' | b'Y'))
        } else if c.first() && capital_ok(word) {
            let next = words.get(i + 1).zip(class.get(i + 1).copied());
            let pair = next.is_some_and(|(n, nc)| {
                nc.surname()
                    && !nc.allowed()
                    && !nc.never()
                    && follows(n, word, text)
                    && capital_ok(n)
                    && (mode == CaseMode::Mixed || !nc.common() || !c.common())
            });
            let alone_ok = match mode {
                // A first name known only from the international lists, alone, needs more than
                // the capital of a sentence's first word; a word in capitals amid sentence-case
                // text is emphasis or an acronym, not a name on its own.
                CaseMode::Mixed => {
                    !(c.common() || c.place() || c.intl() && word.sentence_start)
                        && word.shape == Shape::Title
                }
                _ => !c.common() && !c.place() && c.first_rank_ok(),
            };
            // "Thank you, Linda!", "sorry for your loss, Mark.": a common first name that is
            // also a word or a town, addressed (a name of one word: punctuation follows it); not
            // a state or a country ("Stay safe, Georgia!").
            addressed = !(pair || alone_ok)
                && mode == CaseMode::Mixed
                && word.shape == Shape::Title
                && c.first_rank_ok()
                && !c.intl()
                && !c.region()
                && vocative(text, words, i);
            pair || alone_ok || addressed
        } else if c.surname() && mode == CaseMode::Mixed && word.shape == Shape::Title {
            !c.common() && !c.place() && !word.sentence_start && c.surname_rank_ok()
        } else {
            false
        };
        // "PRICE, WALTER  DOB 02/11/1949": a chart's header, the surname first, at the start of
        // a line (or after "Pt:", "Patient:", "Name:"), takes the surname even when it is an
        // ordinary word, and the first name even in capitals amid sentence-case text.
        let surname_first = (c.first() && !c.common() && !after_title && !after_relation)
            .then(|| surname_before_comma(text, words, class, i))
            .flatten();
        // "r. gutierrez", "D. OYELARAN": in lower- or upper-case text, where a surname alone is
        // no name, an initial and its dot before one start a name there.
        let initial_lead = if mode != CaseMode::Mixed && !after_title && !after_relation {
            initial_lead(text, words, i, &c)
        } else {
            None
        };
        let starts_name = starts_name
            || surname_first.is_some()
            || initial_lead.is_some()
            || mode == CaseMode::Mixed
                && word.shape == Shape::Title
                && unlisted_pair(text, words, class, i)
            || initial_pair(text, words, class, i, mode)
            || person_cue(text, words, class, i, mode);
        if !starts_name {
            i += 1;
            continue;
        }
        // Extend over surnames, unknown capitalised words (after a title) and middle initials
        // (not after a chart header's "SURNAME, FIRST", where a label follows: "DOB").
        let mut end_idx = i;
        let mut j = i + 1;
        let mut after_initial = false;
        while let (None, false, Some(w), Some(wc)) =
            (surname_first, addressed, words.get(j), class.get(j))
        {
            let p = &words[j - 1];
            // Middle initials and particles ("Dyan van Gijn") join a name to its surname.
            let initial = w.initial && !words.get(j + 1).is_some_and(|n| is_species(n.text(text)))
                || initial_before_name(text, words, class, j, mode)
                || particles_before_name(text, words, class, j, mode).is_some();
            if !follows(w, p, text) && !p.initial
                || wc.allowed()
                || wc.never() && !initial
                || wc.entity()
            {
                break;
            }
            // A possessive ends the name: "Faina D. Yefremova's Cautionary Tales".
            if text
                .get(p.end..w.start)
                .is_some_and(|g| g.starts_with(['\'', '\u{2019}']))
            {
                break;
            }
            let ok = if initial {
                true
            } else {
                match mode {
                    CaseMode::Mixed => {
                        w.is_capitalised()
                            && (wc.surname() || wc.first() || !wc.common() && !wc.place())
                    }
                    _ => {
                        wc.surname() && (!wc.common() || after_title)
                            || after_initial && name_word(wc)
                    }
                }
            };
            if !ok {
                break;
            }
            if !initial {
                end_idx = j;
            }
            after_initial = initial;
            j += 1;
        }
        // "Teddy Bear Clinic", "DAISY Award": the name of a thing, not a person.
        let names_a_thing = mode == CaseMode::Mixed
            && !after_title
            && thing_named(text, words, end_idx, |_| {
                class.get(end_idx + 1).is_some_and(Class::entity)
            });
        // "St. Brendan's parish hall", "St Aldric's": a saint's name in a place's.
        let saint = mode == CaseMode::Mixed
            && i > 0
            && words.get(i - 1).is_some_and(|p| {
                text.get(p.start..p.end) == Some("St")
                    && matches!(text.get(p.end..word.start), Some(". " | " "))
            });
        if names_a_thing || saint || place_by_owner(text, words, i, end_idx) {
            i = end_idx + 1;
            continue;
        }
        let strong = after_title
            || after_relation
            || end_idx > i
            || surname_first.is_some()
            || initial_lead.is_some();
        out.push(Found {
            start: surname_first.or(initial_lead).unwrap_or(word.start),
            end: words[end_idx].end,
            city: false,
            strong,
        });
        i = end_idx + 1;
    }
    repeated_names(
        lower,
        text,
        words,
        (class, starts),
        mode,
        (known, forms),
        out,
    );
    // Lists need an "and", towns a preposition before them, cities a word of the city list.
    if mode == CaseMode::Mixed && seen & AND_WORD != 0 {
        name_lists(text, words, (class, ands), out);
    }
    if seen & PLACE_PREP != 0 {
        postcode_towns(text, words, (class, preps), mode, out);
        cue_cities(data, lower, text, words, (class, preps), mode, allowed, out);
    }
    let any_city = if words.len() <= 64 {
        cities.0 != 0
    } else {
        seen & (CITY | CITY_START) != 0
    };
    if any_city {
        find_cities(data, lower, text, words, (class, cities), mode, out);
    }
}

/// A word of a name found once is a name wherever else it stands in the text ("directed by Joakim
/// Westgård and starring Westgård", "Mr. Patel ... Patel"): a listed or unlisted name that is no
/// ordinary word, written as a name. Each word costs a hash lookup only when a name was found.
fn repeated_names(
    lower: &mut Lower,
    text: &str,
    words: &[Word],
    (class, starts): (&[Class], Starts),
    mode: CaseMode,
    (known, forms): (&mut Vec<Known>, &mut String),
    out: &mut Vec<Found>,
) {
    let before = out.len();
    if before == 0 {
        return;
    }
    // Words inside the names found so far (`out` is in text order), with a pointer into `out`:
    // in a text of more than 64 words (a shorter one has them as bits, `inside_bits` below).
    let inside = |f: &mut usize, w: &Word, out: &[Found]| {
        while *f < before && out[*f].end <= w.start {
            *f += 1;
        }
        out.get(*f)
            .filter(|_| *f < before)
            .is_some_and(|n| !n.city && n.start <= w.start && w.end <= n.end)
    };
    // A few distinct words are enough (a text naming dozens of people is flagged anyway): the
    // words as written, compared in lower case.
    known.clear();
    forms.clear();
    let mut heads = Heads::default();
    // The first word from each name on: the names are in text order, so a cursor that moves on
    // finds it (a search of the whole slice, should one start before the last).
    let mut from = 0;
    // The words inside the names (those this loop visits), a bit each, read in a text of at
    // most 64 words.
    let mut inside_bits = 0u64;
    for n in out.iter().filter(|n| !n.city) {
        if from > 0 && words.get(from - 1).is_none_or(|w| w.start >= n.start) {
            from = words.partition_point(|w| w.start < n.start);
        }
        while words.get(from).is_some_and(|w| w.start < n.start) {
            from += 1;
        }
        for (k, w) in words.iter().enumerate().skip(from) {
            if w.end > n.end {
                break;
            }
            inside_bits |= 1u64.wrapping_shl(k as u32);
            if known.len() < KNOWN_MAX && w.end - w.start > 2 && name_word(&class[k]) {
                let mark = forms.len();
                let t = Known::of(w, text, lower, forms);
                if heads.may_hold(&t) && known.iter().any(|n| n.same(&t, text, forms)) {
                    forms.truncate(mark);
                } else {
                    heads.insert(&t);
                    known.push(t);
                }
            }
        }
    }
    if known.is_empty() {
        return;
    }
    // The word's own tests, with no branch.
    let candidate = |w: &Word, k: usize| {
        (w.prefix == Prefix::None)
            & (w.end - w.start > 2)
            & name_shape(w, mode)
            & class.get(k).is_some_and(name_word)
    };
    // In a text of at most 64 words, the words to compare are worked out first as bits: the
    // words a name can start at (in sentence-case text a name is capitalised), not inside a
    // name, that pass their own tests (a branch on these was mispredicted often).
    let mut bits = 0u64;
    if words.len() <= 64 {
        let looked_at = if mode == CaseMode::Mixed {
            starts.0
        } else {
            u64::MAX.checked_shr(64 - words.len() as u32).unwrap_or(0)
        };
        let mut rest = looked_at & !inside_bits;
        while rest != 0 {
            let k = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            if let Some(w) = words.get(k) {
                bits |= u64::from(candidate(w, k)) << k;
            }
        }
    }
    let mut f = 0;
    let mut next = 0;
    // The next word to compare: from the bits, or in a longer text the next word a name can
    // start at, if it passes the same tests.
    loop {
        let k = if words.len() <= 64 {
            if bits == 0 {
                break;
            }
            let k = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            k
        } else {
            let k = if mode == CaseMode::Mixed {
                starts.next(class, next)
            } else {
                next
            };
            next = k + 1;
            k
        };
        let Some(w) = words.get(k) else {
            break;
        };
        if words.len() > 64 && (!candidate(w, k) || inside(&mut f, w, out)) {
            continue;
        }
        let mark = forms.len();
        let t = Known::of(w, text, lower, forms);
        let repeated = heads.may_hold(&t) && known.iter().any(|n| n.same(&t, text, forms));
        forms.truncate(mark);
        if repeated {
            out.push(Found {
                start: w.start,
                end: w.end,
                city: false,
                strong: false,
            });
        }
    }
    if out.len() > before {
        out.sort_by_key(|f| f.start);
    }
}

/// The starts of `s` (lower case, at most a tag's 48 bytes) that are runs of ordinary words
/// with nothing between them ("prayersfor"): bit `e` set when `s[..e]` is one (bit 0 always).
/// Words of the English and common-word lists, function words, titles and relations.
fn word_runs(data: &NameData, s: &str) -> u64 {
    const WORD: u32 = ENGLISH | COMMON | FUNCTION | HONORIFIC | RELATION;
    let mut ends = 1u64;
    for e in 1..=s.len().min(48) {
        ends |= u64::from((0..e).any(|b| {
            ends >> b & 1 == 1
                && s.get(b..e)
                    .is_some_and(|w| w.len() > 1 && data.entry(w).flags & WORD != 0)
        })) << e;
    }
    ends
}

/// Whether `word`, in lower case, is a listed first name or surname that no ordinary word,
/// function word or "never a name" entry shares ("sofia", "jameson"; not "bit", "rock"): a
/// name after a cue that marks one even in lower case ("lil sofia", "pt jameson").
pub(crate) fn listed_name(text: &str, word: &Word) -> bool {
    let data = NameData::get();
    let mut lower = Lower::default();
    let flags = data.entry(lower.of(word.text(text))).flags;
    flags & (FIRST | SURNAME) != 0 && flags & (COMMON_WORD | ENGLISH | FUNCTION | NEVER) == 0
}

/// The most distinct words of names [`repeated_names`] looks for.
const KNOWN_MAX: usize = 16;

/// A bit for each length and head of the ASCII [`Known`] words (a word beyond ASCII marks them
/// all): a word whose bit is clear is none of them, and is not compared with each (most words
/// are none of them; the comparisons' branches were mispredicted often).
#[derive(Default)]
struct Heads {
    bits: u64,
    /// Some known word is beyond ASCII: it may equal any word.
    other: bool,
}

impl Heads {
    /// The bit of an ASCII word (two words [`Known::same`] calls the same have one bit).
    #[inline(always)]
    fn bit(t: &Known) -> u64 {
        let len = (t.end - t.start) as u64;
        1 << ((t.head ^ len).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
    }

    fn insert(&mut self, t: &Known) {
        if t.ascii {
            self.bits |= Self::bit(t);
        } else {
            self.other = true;
        }
    }

    /// False when `t` is none of the words inserted.
    #[inline(always)]
    fn may_hold(&self, t: &Known) -> bool {
        !t.ascii || self.other || self.bits & Self::bit(t) != 0
    }
}

/// A word of a name, as [`repeated_names`] compares it with others in lower case (as
/// [`Lower::of`] writes them): an ASCII word (nearly every one) by its length and first eight
/// bytes in lower case first, so that most pairs differ without reading the words again; a word
/// beyond ASCII by its lower case, written once.
#[derive(Debug, Clone, Copy)]
struct Known {
    start: usize,
    end: usize,
    /// The first eight bytes (or fewer) in lower case, for an ASCII word.
    head: u64,
    ascii: bool,
    /// Where the lower case of a word beyond ASCII is in the forms.
    form: (usize, usize),
}

impl Known {
    /// `w`, the lower case of a word beyond ASCII appended to `forms`. A word of ASCII letters
    /// (nearly every name) has its first eight letters in lower case as its key already: the
    /// text is not read again.
    #[inline(always)]
    fn of(w: &Word, text: &str, lower: &mut Lower, forms: &mut String) -> Known {
        if w.key != 0 {
            return Known {
                start: w.start,
                end: w.end,
                head: w.key,
                ascii: true,
                form: (0, 0),
            };
        }
        Self::of_other(w, text, lower, forms)
    }

    /// [`Known::of`] for a word that is not ASCII letters only ("O'Brien", "Zoë").
    #[inline(never)]
    fn of_other(w: &Word, text: &str, lower: &mut Lower, forms: &mut String) -> Known {
        let len = w.end - w.start;
        let head = low_bytes(load8(text.as_bytes(), w.start), len);
        // A word of up to eight bytes is ASCII by the bytes read already.
        let ascii = if len <= 8 {
            head & (ONES * 0x80) == 0
        } else {
            w.text(text).is_ascii()
        };
        let form = if ascii {
            (0, 0)
        } else {
            let start = forms.len();
            forms.push_str(lower.of(w.text(text)));
            (start, forms.len())
        };
        Known {
            start: w.start,
            end: w.end,
            head: ascii_lower8(head),
            ascii,
            form,
        }
    }

    /// The word as written if ASCII, else its lower case: either way no ASCII capital tells
    /// two words apart that [`Known::same`] compares ignoring ASCII case.
    fn form<'a>(&self, text: &'a str, forms: &'a str) -> &'a str {
        if self.ascii {
            text.get(self.start..self.end)
        } else {
            forms.get(self.form.0..self.form.1)
        }
        .unwrap_or("")
    }

    /// Whether the two words are the same in lower case.
    #[inline(always)]
    fn same(&self, other: &Known, text: &str, forms: &str) -> bool {
        if self.ascii && other.ascii {
            // Lower case keeps an ASCII word's length; a word of up to eight bytes is all in its
            // head, so the heads tell (most pairs differ in length or head).
            let len = self.end - self.start;
            if len != other.end - other.start || self.head != other.head {
                return false;
            }
            if len <= 8 {
                return true;
            }
        }
        self.form(text, forms)
            .eq_ignore_ascii_case(other.form(text, forms))
    }
}

/// The index of the first word from `from` on whose class has one of `flags` (the number of
/// words if none has): a sub-search that starts only at such words skips to them in a tight loop.
fn next_with(class: &[Class], from: usize, flags: u32) -> usize {
    let mut i = from;
    while class.get(i).is_some_and(|c| c.0 & flags == 0) {
        i += 1;
    }
    i.min(class.len())
}

/// The words whose class has [`NAME_START`], a bit each (word `i` is bit `i`), in a text of at
/// most 64 words (most texts): the name search and the search for repeated names, which start
/// only at these words, find the next one by its bit instead of stepping over the classes one
/// by one. In a longer text the bits are not read and [`next_with`] steps on.
#[derive(Debug, Clone, Copy)]
/// The same bits serve the sub-searches that start at words of other flags (a preposition, a
/// function word, a city).
struct Starts(u64);

impl Starts {
    /// The index of the first word from `from` on whose class has [`NAME_START`], as
    /// [`next_with`] gives it.
    fn next(self, class: &[Class], from: usize) -> usize {
        self.next_with(class, from, NAME_START)
    }

    /// [`next_with`] `flags`, when these are the bits of the words whose class has one of them.
    fn next_with(self, class: &[Class], from: usize, flags: u32) -> usize {
        if class.len() > 64 {
            return next_with(class, from, flags);
        }
        // No bit left: 64 past `from`, past the last word (no branch).
        let rest = self.0.checked_shr(from as u32).unwrap_or(0);
        (from + rest.trailing_zeros() as usize).min(class.len())
    }
}

/// A postcode right after `pos` (one space, then "6091", "43015", "840 24" or "3610-114", then no
/// letter or digit): its span. Four digits that read as a year (19xx, 20xx) are not one.
pub(crate) fn postcode_after(text: &str, pos: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    if b.get(pos) != Some(&b' ') {
        return None;
    }
    let start = pos + 1;
    let run = |from: usize| {
        b.get(from..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let n = run(start);
    let mut end = start + n;
    match n {
        3 if b.get(end) == Some(&b' ') && run(end + 1) == 2 => end += 3,
        4 if b.get(end) == Some(&b'-') && run(end + 1) == 3 => end += 4,
        4 if matches!(b.get(start..start + 2), Some(b"19" | b"20")) => return None,
        4 | 5 => {}
        _ => return None,
    }
    if b.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) || !text.is_char_boundary(end) {
        return None;
    }
    Some((start, end))
}

/// A town with its postcode in running text, after "in", "at", "to" or "from": "support Factset
/// in Bjert 6091 in its mission", "in Quinta de São Tiago 3610-114". One to four words written as
/// a place (particles and a district letter inside), no ordinary word.
fn postcode_towns(
    text: &str,
    words: &[Word],
    (class, preps): (&[Class], Starts),
    mode: CaseMode,
    out: &mut Vec<Found>,
) {
    let mut found: Vec<Found> = Vec::new();
    let mut i = 1;
    while i < words.len() {
        // To the next word after a preposition.
        i = preps.next_with(class, i - 1, PLACE_PREP) + 1;
        let Some(w) = words.get(i) else {
            break;
        };
        if !w.joined_to_previous || !name_shape(w, mode) {
            i += 1;
            continue;
        }
        let mut k = i;
        let mut town = None;
        while k < words.len() && k < i + 4 {
            let (wk, ck) = (&words[k], &class[k]);
            if k > i && !wk.joined_to_previous || wk.prefix != Prefix::None {
                break;
            }
            let t = wk.text(text);
            let particle = k > i
                && (eq_any(
                    &["de", "da", "do", "del", "la", "le", "di", "von", "van"],
                    t,
                ) || wk.end - wk.start == 1 && wk.shape == Shape::Title);
            let word_ok = particle
                || (name_shape(wk, mode) || mode == CaseMode::Mixed && wk.shape == Shape::Upper)
                    && wk.end - wk.start > 2
                    && !ck.never()
                    && !ck.entity()
                    && !ck.function()
                    && !ck.allowed()
                    && !ck.common()
                    && !ck.english()
                    && !ck.region();
            if !word_ok {
                break;
            }
            if postcode_after(text, wk.end).is_some() {
                town = Some(k);
                break;
            }
            k += 1;
        }
        match town {
            Some(k) => {
                found.push(Found {
                    start: w.start,
                    end: words[k].end,
                    city: true,
                    strong: true,
                });
                i = k + 1;
            }
            None => i += 1,
        }
    }
    if found.is_empty() {
        return;
    }
    drop_overlapped(out, &found);
    out.extend(found);
    out.sort_by_key(|f| f.start);
}

/// A place named after a verb of moving or living and a preposition ("grew up in Rohod", "flew
/// to SEINÄJOKI", "originally from Tjæreborg"): one to three capitalised words, not a country or
/// state. They win over a name found on the same words ("grew up in Shelly Park").
#[allow(clippy::too_many_arguments)]
fn cue_cities(
    data: &NameData,
    lower: &mut Lower,
    text: &str,
    words: &[Word],
    (class, preps): (&[Class], Starts),
    mode: CaseMode,
    allowed: &dyn Allowed,
    out: &mut Vec<Found>,
) {
    let mut found: Vec<Found> = Vec::new();
    let mut i = 2;
    while i < words.len() {
        // To the next word after a preposition.
        i = preps.next_with(class, i - 1, PLACE_PREP) + 1;
        if i >= words.len() {
            break;
        }
        let (w, c) = (&words[i], class[i]);
        let (p, pc) = (&words[i - 1], class[i - 1]);
        let cap = |w: &Word| mode != CaseMode::Mixed || w.is_capitalised();
        // In a text of one case an ordinary word is no town ("lives at home").
        let ordinary = mode != CaseMode::Mixed && (c.common() || c.english());
        if !pc.place_prep()
            || !w.joined_to_previous
            || !cap(w)
            || c.allowed()
            || c.never()
            || c.function()
            || ordinary
            || w.prefix != Prefix::None
        {
            i += 1;
            continue;
        }
        let pp = &words[i - 2];
        if !p.joined_to_previous || !classify(data, lower, pp, text, allowed).place_verb() {
            i += 1;
            continue;
        }
        let mut end = i;
        while end + 1 < words.len() && end < i + 2 {
            let (n, nc) = (&words[end + 1], class[end + 1]);
            if !n.joined_to_previous
                || !cap(n)
                || nc.never()
                || nc.function()
                || nc.allowed()
                || n.shape == Shape::Lower
            {
                break;
            }
            end += 1;
        }
        let span = text.get(w.start..words[end].end).unwrap_or("");
        if !data.is_region(lower.of(span)) {
            found.push(Found {
                start: w.start,
                end: words[end].end,
                city: true,
                strong: true,
            });
        }
        i = end + 1;
    }
    if found.is_empty() {
        return;
    }
    drop_overlapped(out, &found);
    out.extend(found);
}

/// Lists of surnames joined by commas and "and" ("Monjeau, Graves and Reed", "Marrero and
/// Murphy"): every item a capitalised single word that is a listed name or in no list, and one of
/// them a name already found or a name that is no ordinary word. Linear: each "and" looks back
/// over its own list only.
fn name_lists(text: &str, words: &[Word], (class, ands): (&[Class], Starts), out: &mut Vec<Found>) {
    let item_ok = |k: usize| {
        let (w, c) = (&words[k], &class[k]);
        w.shape == Shape::Title
            && w.prefix == Prefix::None
            && w.end - w.start > 2
            && (c.first() || c.surname() || unlisted(c))
            && !c.never()
            && !c.allowed()
            && !c.entity()
            && !c.function()
            && !c.region()
            && !(c.place() && !c.first() && !c.surname())
    };
    let before = out.len();
    // Words inside names found so far (`out` is in text order): worked out at the first list,
    // before anything is added (most texts have none).
    let mut named: Vec<bool> = Vec::new();
    let mark_named = |named: &mut Vec<bool>, out: &[Found]| {
        named.clear();
        let mut f = 0;
        for w in words {
            while f < before && out[f].end <= w.start {
                f += 1;
            }
            named.push(
                out.get(f)
                    .is_some_and(|n| !n.city && n.start <= w.start && w.end <= n.end),
            );
        }
    };
    let mut k = 1;
    while k + 1 < words.len() {
        // To the next "and" (a function word, tested below as before).
        k = ands.next_with(class, k, AND_WORD);
        if k + 1 >= words.len() {
            break;
        }
        let and = &words[k];
        // "and" is a function word (looked up, as the word after it is capitalised).
        if !class[k].function()
            || and.end - and.start != 3
            || and.text(text) != "and"
            || !words[k + 1].joined_to_previous
            || !item_ok(k + 1)
            || !item_ok(k - 1)
            || !matches!(text.get(words[k - 1].end..and.start), Some(" " | ", "))
        {
            k += 1;
            continue;
        }
        let mut first = k - 1;
        while first > 0
            && first + 8 > k
            && text.get(words[first - 1].end..words[first].start) == Some(", ")
            && item_ok(first - 1)
        {
            first -= 1;
        }
        if named.is_empty() {
            mark_named(&mut named, out);
        }
        let items = (first..k).chain(std::iter::once(k + 1));
        let evidence = items.clone().any(|j| {
            named[j]
                || unlisted(&class[j])
                || !class[j].common()
                    && !class[j].place()
                    && (class[j].surname() || class[j].first())
        });
        if evidence {
            for j in items {
                if !named[j] {
                    out.push(Found {
                        start: words[j].start,
                        end: words[j].end,
                        city: false,
                        strong: false,
                    });
                }
            }
        }
        k += 2;
    }
    if out.len() > before {
        out.sort_by_key(|f| f.start);
    }
}

/// "mr", "mrs", "ms", "dr", "miss": titles that make even a lower-case surname after them a name.
#[inline]
fn short_title(word: &[u8]) -> bool {
    if !(2..=4).contains(&word.len()) {
        return false;
    }
    // Asked of nearly every word: the length and the bytes in lower case (only a letter's upper
    // case reads as its lower case with 0x20 set), no call.
    let l = |b: u8| b | 0x20;
    match *word {
        [a, b] => matches!((l(a), l(b)), (b'm', b'r' | b's') | (b'd', b'r')),
        [a, b, c] => (l(a), l(b), l(c)) == (b'm', b'r', b's'),
        [a, b, c, d] => (l(a), l(b), l(c), l(d)) == (b'm', b'i', b's', b's'),
        _ => false,
    }
}

/// [`short_title`] of a word from its [`Word::key`]: only ASCII letters read as a title's
/// letters with the case bit set, so a title is a word of ASCII letters, whose key is its lower
/// case with zeros after it. Asked of every word by [`plain_words`]: one multiply and one
/// comparison with the title at the key's slot of [`SHORT_TITLE_SLOTS`], where five comparisons
/// took twice the instructions.
#[inline(always)]
fn short_title_key(key: u64) -> bool {
    SHORT_TITLE_SLOTS[title_slot(key)] == key
}

/// The slot of [`SHORT_TITLE_SLOTS`] for a word's key (the top three bits of a multiplicative
/// hash, which tells the five titles apart).
#[inline(always)]
const fn title_slot(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 61) as usize
}

/// The keys of the short titles, each at its [`title_slot`]; the other slots hold all ones,
/// which no key is (a key's bytes are small letters or zero).
const SHORT_TITLE_SLOTS: [u64; 8] = {
    let titles: [&[u8]; 5] = [b"mr", b"ms", b"dr", b"mrs", b"miss"];
    let mut slots = [u64::MAX; 8];
    let mut t = 0;
    while t < titles.len() {
        let mut key = [0u8; 8];
        let mut b = 0;
        while b < titles[t].len() {
            key[b] = titles[t][b];
            b += 1;
        }
        let key = u64::from_le_bytes(key);
        assert!(
            slots[title_slot(key)] == u64::MAX,
            "two short titles share a slot"
        );
        slots[title_slot(key)] = key;
        t += 1;
    }
    slots
};

/// [`short_title`] of `bytes[start..end]`, a word of 2 to 4 bytes, with no branch on its
/// bytes, read from the text: the tests' reference for [`short_title_key`], which
/// [`plain_words`] asks of every word.
#[cfg(test)]
fn short_title_at(bytes: &[u8], start: usize, end: usize) -> bool {
    let len = end.wrapping_sub(start);
    if !(2..=4).contains(&len) || end > bytes.len() {
        return false;
    }
    let four = match bytes.get(start..).and_then(<[u8]>::first_chunk::<4>) {
        Some(four) => u32::from_le_bytes(*four),
        // The word ends the text: its bytes, zeros after.
        None => bytes
            .get(start..end)
            .unwrap_or(&[])
            .iter()
            .rev()
            .fold(0, |w, &b| (w << 8) | u32::from(b)),
    };
    // The word's bytes, each with its case bit set (only a capital letter reads as its small
    // letter so), zeros after.
    let mask = u32::MAX >> (8 * (4 - len));
    let w = (four | 0x2020_2020) & mask;
    let word = |t: &[u8; 4]| u32::from_le_bytes(*t);
    (w == word(b"mr\0\0"))
        | (w == word(b"ms\0\0"))
        | (w == word(b"dr\0\0"))
        | (w == word(b"mrs\0"))
        | (w == word(b"miss"))
}

/// The bytes of `w`.
fn word_bytes<'t>(w: &Word, text: &'t str) -> &'t [u8] {
    text.as_bytes().get(w.start..w.end).unwrap_or(&[])
}

/// In no list at all, and no ordinary word: a transliterated or foreign name ("Szöllösy").
fn unlisted(c: &Class) -> bool {
    c.0 & (FIRST | SURNAME | COMMON_WORD | ENGLISH | PLACE | NEVER | ENTITY | FUNCTION | ALLOWED)
        == 0
}

/// A middle initial, with or without its dot ("J.", "J"; not "I" or "A").
fn middle_initial(w: &Word, text: &str) -> bool {
    w.initial || w.end - w.start == 1 && w.is_capitalised() && !matches!(w.text(text), "I" | "A")
}

/// Evidence for a name at `i` in sentence-case text from the shape of the next words: a first
/// name, a surname or an unlisted word, then a middle initial and a capitalised word ("Szabina J
/// Gelencsér"), or two capitalised words of which at least one is in no list and neither is an
/// ordinary word or a place ("Krisztián Szöllösy", "Mary Gavrilova").
fn unlisted_pair(text: &str, words: &[Word], class: &[Class], i: usize) -> bool {
    let (w, c) = (&words[i], &class[i]);
    let name_like =
        |c: &Class| (c.first() || c.surname() || unlisted(c)) && !c.common() && !c.never();
    if !name_like(c) || c.allowed() || c.entity() || w.end - w.start < 2 {
        return false;
    }
    let Some((n, nc)) = words.get(i + 1).zip(class.get(i + 1)) else {
        return false;
    };
    if !follows(n, w, text) || nc.allowed() || nc.entity() {
        return false;
    }
    if let Some(l) = particles_before_name(text, words, class, i + 1, CaseMode::Mixed) {
        // "Maika van de Noort".
        return unlisted(c) || unlisted(&class[l]);
    }
    if middle_initial(n, text) {
        return words
            .get(i + 2)
            .zip(class.get(i + 2))
            .is_some_and(|(l, lc)| {
                follows(l, n, text)
                    && l.shape == Shape::Title
                    && l.end - l.start > 2
                    && name_like(lc)
                    && !lc.allowed()
                    && !lc.entity()
            });
    }
    n.shape == Shape::Title
        && n.end - n.start > 2
        && name_like(nc)
        && (unlisted(c) || unlisted(nc))
        && !(c.place() && nc.place())
        && !c.place_prep()
}

/// After the allowed first name at `i` (a staff member's or public figure's), a surname or an
/// unlisted name that is not allowed, maybe after a middle initial: "Jonas Nielsen", "Clara R.
/// Dickson" name someone else.
fn another_surname(text: &str, words: &[Word], class: &[Class], i: usize, mode: CaseMode) -> bool {
    let Some((n, nc)) = words.get(i + 1).zip(class.get(i + 1)) else {
        return false;
    };
    if !follows(n, &words[i], text) {
        return false;
    }
    let (last, lc) = if middle_initial(n, text) || n.initial {
        match words.get(i + 2).zip(class.get(i + 2)) {
            Some((l, lc)) if follows(l, n, text) || n.initial => (l, lc),
            _ => return false,
        }
    } else {
        (n, nc)
    };
    let cap = mode != CaseMode::Mixed || last.shape == Shape::Title;
    cap && last.end - last.start > 2
        && !lc.allowed()
        && !lc.never()
        && !lc.entity()
        && !lc.common()
        && (lc.surname() || unlisted(lc))
}

/// Verbs that say the word before them is a person ("Alvir spent a year", "Leon shouted").
const PERSON_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "asked",
    "asks",
    "shouted",
    "yelled",
    "replied",
    "answered",
    "explained",
    "lives",
    "lived",
    "spent",
    "began",
    "smiled",
    "cried",
    "laughed",
    "thinks",
    "thought",
    "knows",
    "feels",
    "felt",
    "loves",
    "wants",
    "wanted",
    "needs",
    "died",
    "passed",
    "texted",
    "called",
    "visited",
    "arrived",
    "works",
    "worked",
    "studied",
    "grew",
    "married",
    "wrote",
    "sang",
    "joined",
];

/// Verbs said of anything: evidence only for a listed name that is no place ("Scott is").
const WEAK_VERBS: &[&str] = &["is", "was", "has", "had"];

/// Words after "Name," that make it a name addressed ("Kuba, can I please speak to your boss?").
const AFTER_VOCATIVE: &[&str] = &[
    "can", "could", "would", "will", "please", "i", "you", "we", "thanks", "thank", "are", "do",
    "did", "have", "how", "what", "where", "when", "why",
];

/// Words before a name: greetings and speech verbs ("Hi Manlio", "says Hartvigsson").
const NAME_BEFORE: &[&str] = &[
    "hi", "hey", "hello", "dear", "says", "said", "asked", "told", "replied", "thanks",
];

/// Evidence for a name at `i` from the words around it: a speaker's label at the start of a line
/// ("Ubul: What a wife."), a verb said of people after a sentence's first word ("Alvir spent a
/// year"), a name addressed ("Kuba, can I ..."), a greeting or a speech verb before ("Hi Manlio",
/// "says Gerste"). The word is a listed name or an unlisted word that is no ordinary word.
fn person_cue(text: &str, words: &[Word], class: &[Class], i: usize, mode: CaseMode) -> bool {
    let (w, c) = (&words[i], &class[i]);
    if !name_shape(w, mode) || w.end - w.start < 3 || !name_word(c) {
        return false;
    }
    let bytes = text.as_bytes();
    if w.sentence_start {
        // The colon first: reading back to the line's start takes longer.
        let line_start = || {
            text.get(..w.start)
                .map(|h| h.trim_end_matches([' ', '\t', '>', '?']))
                .is_some_and(|h| h.is_empty() || h.ends_with('\n'))
        };
        if bytes.get(w.end) == Some(&b':') && line_start() {
            return true;
        }
        if let Some(n) = words.get(i + 1) {
            let nt = n.text(text);
            if n.joined_to_previous
                && (PERSON_VERBS_SET.contains(nt)
                    || c.first() && !c.place() && eq_any(WEAK_VERBS, nt))
            {
                return true;
            }
            if text.get(w.end..n.start) == Some(", ") && AFTER_VOCATIVE_SET.contains(nt) {
                return true;
            }
        }
    }
    i > 0 && {
        let p = &words[i - 1];
        // Every word of NAME_BEFORE starts with one of these letters.
        let first = bytes.get(p.start).map_or(0, |b| b | 0x20);
        w.joined_to_previous
            && matches!(first, b'h' | b'd' | b's' | b'a' | b't' | b'r')
            && NAME_BEFORE_SET.contains(p.text(text))
    }
}

/// The start of the surname written before the first name at `i` as in a chart's header:
/// "PRICE, WALTER" or "Price, Walter" at the start of a line or after "Pt:", "Patient:" or
/// "Name:", the surname a listed one written in the same case (in capitals an ordinary word
/// too: "PRICE"; in title case an ordinary word there is more often just that: "Love, Linda").
#[cold]
#[inline(never)]
fn surname_before_comma(text: &str, words: &[Word], class: &[Class], i: usize) -> Option<usize> {
    let p = i.checked_sub(1)?;
    let (w, prev, pc) = (&words[i], &words[p], &class[p]);
    let gap = text.get(prev.end..w.start)?;
    if !(gap.starts_with(',') && gap.len() <= 3 && gap[1..].bytes().all(|b| b == b' ')) {
        return None;
    }
    let shape_ok = match w.shape {
        Shape::Upper => prev.shape == Shape::Upper,
        Shape::Title => prev.shape == Shape::Title && !pc.common(),
        _ => false,
    };
    // In capitals, a surname the lists lack too ("WOJCIECHOWSKI, HENRYK").
    let surname_ok =
        pc.surname() || w.shape == Shape::Upper && unlisted(pc) && prev.end - prev.start >= 4;
    if !shape_ok || !surname_ok || pc.never() || pc.allowed() || pc.entity() {
        return None;
    }
    // "Lopez, Santos and Coleman", "Matheus, Janet, Nicholas": a firm's name or a list.
    let after = text.get(w.end..)?.trim_start_matches(' ').as_bytes();
    let and = after
        .get(..4)
        .is_some_and(|a| a.eq_ignore_ascii_case(b"and "));
    if and || matches!(after.first(), Some(b',' | b'&')) {
        return None;
    }
    // Particles before the surname belong to it ("DE LA CRUZ, TEODORO").
    let mut start = prev.start;
    let mut k = p;
    while let Some(q) = k.checked_sub(1).map(|q| &words[q]) {
        let particle = NAME_PARTICLES
            .iter()
            .any(|x| q.text(text).eq_ignore_ascii_case(x));
        if !particle
            || q.shape != prev.shape && q.shape != Shape::Lower
            || text.get(q.end..start) != Some(" ")
        {
            break;
        }
        start = q.start;
        k -= 1;
    }
    let before = text.get(..start)?.trim_end_matches([' ', '\t']);
    let label = |l: &str| {
        ["pt:", "patient:", "name:"]
            .iter()
            .any(|x| l.eq_ignore_ascii_case(x))
    };
    // In capitals, after any label of a note ("NIGHT HANDOFF:", "EMS TO ED:").
    let line_start = before.is_empty()
        || before.ends_with('\n')
        || before.rsplit(['\n', ' ', '\t']).next().is_some_and(label)
        || w.shape == Shape::Upper && before.ends_with(':');
    line_start.then_some(start)
}

/// Three capitals or fewer ("ID", "AMA"): amid sentence case, an acronym.
fn short_capitals(w: &Word) -> bool {
    w.shape == Shape::Upper && w.end - w.start <= 3
}

/// Whether word `i` is a name addressed at the end of a sentence or clause: ", " right before
/// it after a word in lower case ("Thank you, Linda!", "your loss, Mark."), and right after it
/// `!`, `.`, `?` or `,`, then the end of the text, a space or a line break (or another `!`).
#[cold]
#[inline(never)]
pub(crate) fn vocative(text: &str, words: &[Word], i: usize) -> bool {
    let (Some(p), Some(w)) = (i.checked_sub(1).and_then(|p| words.get(p)), words.get(i)) else {
        return false;
    };
    if p.shape != Shape::Lower || text.get(p.end..w.start) != Some(", ") {
        return false;
    }
    let after = text.as_bytes().get(w.end..).unwrap_or_default();
    matches!(after.first(), Some(b'!' | b'.' | b'?' | b','))
        && after
            .get(1)
            .is_none_or(|b| matches!(b, b' ' | b'\n' | b'\r' | b'!'))
}

/// Whether `w` is written like a word of a name in this text: capitalised in sentence-case text,
/// in the text's own case otherwise.
fn name_shape(w: &Word, mode: CaseMode) -> bool {
    // Without a branch on the mode: which shapes each mode takes.
    (mode == CaseMode::Mixed) & (w.shape == Shape::Title)
        | (mode == CaseMode::Lower) & (w.shape == Shape::Lower)
        | (mode == CaseMode::Upper) & ((w.shape == Shape::Upper) | (w.shape == Shape::Title))
}

/// A word of a name that is no ordinary word: a listed name or an unlisted foreign one.
fn name_word(c: &Class) -> bool {
    // One test of the flags: with none of these, `unlisted` is having no name and no place flag.
    let f = c.0;
    (f & (COMMON_WORD | ENGLISH | NEVER | ALLOWED | ENTITY | FUNCTION) == 0)
        & ((f & (FIRST | SURNAME) != 0) | (f & PLACE == 0))
}

/// A single letter at `j` (a middle initial, with or without its dot, in the text's case) right
/// before a surname or an unlisted name: "J Gelencsér", "A. Leiva", "m ross"; not a genus's
/// initial before its species ("e. coli", [`SPECIES`]).
fn initial_before_name(
    text: &str,
    words: &[Word],
    class: &[Class],
    j: usize,
    mode: CaseMode,
) -> bool {
    let w = &words[j];
    let single = w.end - w.start == 1
        && match mode {
            CaseMode::Lower => w.shape == Shape::Lower,
            _ => w.shape == Shape::Title,
        };
    if !single || !matches!(text.as_bytes().get(w.end), Some(b'.' | b' ')) {
        return false;
    }
    words
        .get(j + 1)
        .zip(class.get(j + 1))
        .is_some_and(|(l, lc)| {
            (follows(l, w, text) || w.initial)
                && !text.get(w.end..l.start).is_some_and(|g| g.contains('\n'))
                && name_shape(l, mode)
                && l.end - l.start > 2
                && (lc.surname() || unlisted(lc))
                && name_word(lc)
                && !is_species(l.text(text))
        })
}

/// Whether `word` is one of [`SPECIES`], in any case.
fn is_species(word: &str) -> bool {
    SPECIES.iter().any(|s| s.eq_ignore_ascii_case(word))
}

/// Where the initial before word `i` starts, when it leads a name: a single letter in the
/// text's case, with its dot and one space, after no letter, digit or dot ("u.s. army"), before
/// a listed surname that is no ordinary word or a word of four letters or more in no list at
/// all; not a genus's initial before its species ("e. coli", "c. diff", "S. AUREUS").
fn initial_lead(text: &str, words: &[Word], i: usize, c: &Class) -> Option<usize> {
    let (p, w) = (words.get(i.checked_sub(1)?)?, words.get(i)?);
    let bytes = text.as_bytes();
    let letter_ok = p.end - p.start == 1
        && text.get(p.end..w.start) == Some(". ")
        && (p.start == 0
            || !bytes
                .get(p.start - 1)
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'.'))
        && (w.shape == Shape::Upper) == (p.shape != Shape::Lower);
    // A place's name after a compass point's initial is the place's ("n. charleston").
    let compass = matches!(
        bytes.get(p.start),
        Some(b'n' | b's' | b'e' | b'w' | b'N' | b'S' | b'E' | b'W')
    );
    let compass_place = c.place() && compass;
    let name_ok = c.surname() && !c.common() && !c.english() && !compass_place
        || unlisted(c) && w.end - w.start >= 4;
    if !letter_ok || !name_ok || w.prefix != Prefix::None {
        return None;
    }
    (!is_species(w.text(text))).then_some(p.start)
}

/// Species names that follow a genus's initial in clinical text ("E. coli", "C. diff",
/// "S. aureus"): no surname after an initial.
const SPECIES: &[&str] = &[
    "coli",
    "diff",
    "difficile",
    "dif",
    "aureus",
    "epidermidis",
    "pylori",
    "pneumoniae",
    "pneumo",
    "aeruginosa",
    "faecalis",
    "faecium",
    "albicans",
    "auris",
    "glabrata",
    "mirabilis",
    "influenzae",
    "cloacae",
    "aerogenes",
    "marcescens",
    "pyogenes",
    "agalactiae",
    "baumannii",
    "trachomatis",
    "gonorrhoeae",
    "jirovecii",
    "carinii",
    "falciparum",
    "vivax",
    "malariae",
    "cruzi",
    "vulgaris",
    "oxytoca",
    "maltophilia",
    "monocytogenes",
    "perfringens",
    "botulinum",
    "tetani",
    "pertussis",
    "meningitidis",
    "tuberculosis",
    "avium",
    "lugdunensis",
    "viridans",
    "mutans",
    "typhi",
    "enterica",
    "jejuni",
    "cholerae",
    "vulnificus",
    "fumigatus",
    "neoformans",
    "burgdorferi",
    "pallidum",
    "vaginalis",
    "lamblia",
    "histolytica",
    "gondii",
    "capitis",
    "hominis",
    "acnes",
    "sapiens",
    "elegans",
    "melanogaster",
    "cerevisiae",
];

/// Lower-case particles inside a name ("van", "de", "ten").
const NAME_PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "ten", "ter", "da", "di", "du", "del", "della", "dos", "das",
    "le", "la",
];

/// A bit for each first byte of [`NAME_PARTICLES`] (its low six bits), so that most words are
/// no particle without a hash.
const PARTICLE_STARTS: u64 = {
    let mut bits = 0u64;
    let mut i = 0;
    while i < NAME_PARTICLES.len() {
        bits |= 1 << (NAME_PARTICLES[i].as_bytes()[0] & 63);
        i += 1;
    }
    bits
};

/// One or two name particles from `j` in sentence-case text, then a capitalised surname or
/// unlisted name: "van Gijn", "van de Noort", "ten Pas". Returns the index of that name.
fn particles_before_name(
    text: &str,
    words: &[Word],
    class: &[Class],
    j: usize,
    mode: CaseMode,
) -> Option<usize> {
    if mode != CaseMode::Mixed {
        return None;
    }
    let mut k = j;
    while k < j + 2 {
        let w = words.get(k)?;
        if w.shape != Shape::Lower
            || !w.joined_to_previous
            || text
                .as_bytes()
                .get(w.start)
                .is_none_or(|&b| PARTICLE_STARTS & 1 << (b & 63) == 0)
            || !NAME_PARTICLES_SET.contains(w.text(text))
        {
            break;
        }
        k += 1;
    }
    if k == j {
        return None;
    }
    let (l, lc) = words.get(k).zip(class.get(k))?;
    let ok = l.joined_to_previous
        && l.shape == Shape::Title
        && l.end - l.start > 2
        && (lc.surname() || unlisted(lc))
        && !lc.common()
        && !lc.never()
        && !lc.allowed()
        && !lc.entity()
        && !lc.place();
    ok.then_some(k)
}

/// A first name (or an unlisted name), a middle initial and a surname, in any case: "codey m
/// ross", "Hanne I. Kreutzmann", "eric g. samoylova".
fn initial_pair(text: &str, words: &[Word], class: &[Class], i: usize, mode: CaseMode) -> bool {
    let (w, c) = (&words[i], &class[i]);
    w.end - w.start >= 2
        && name_shape(w, mode)
        && (c.first() || unlisted(c))
        && name_word(c)
        && words.get(i + 1).is_some_and(|n| follows(n, w, text))
        && initial_before_name(text, words, class, i + 1, mode)
}

/// Only spaces, or a title's or an initial's dot, between `prev` and `word`. After a word longer
/// than any title ("Dr.", "Mrs.", "Prof."), a dot ends a sentence, and the name with it: "Maria
/// Lopez. Later" is not a name of three words.
fn follows(word: &Word, prev: &Word, text: &str) -> bool {
    if word.joined_to_previous {
        return true;
    }
    let between = text.get(prev.end..word.start).unwrap_or("");
    if between.len() > 3 || prev.end - prev.start > 4 && between.contains('.') {
        return false;
    }
    if between.is_ascii() {
        // The test below on bytes: dots, then only white space that breaks no line.
        let b = between.as_bytes();
        let dots = b.iter().take_while(|&&c| c == b'.').count();
        return b
            .get(dots..)
            .unwrap_or(&[])
            .iter()
            .all(|&c| matches!(c, b' ' | b'\t' | 0x0b | 0x0c));
    }
    // A name does not run on over a line break ("Megan Carey\nWeber-Santana").
    between.trim_start_matches(['.', ',']).trim().is_empty() && !between.contains([',', '\n', '\r'])
        || between == "."
        || between == ". "
}

/// What the lists (and the allow list) say about one word of the text: the table's flags
/// (see [`FIRST`] and the rest, with [`COMMON_WORD`] and [`PLACE`] folded in when the table is
/// built) and [`ALLOWED`]. A bitset, so the array of a text's classes is cheap to build and to
/// read; a word that was not looked up has none.
#[derive(Debug, Clone, Copy, Default)]
struct Class(u32);

/// Defines the tests of [`Class`], one per flag.
macro_rules! class_tests {
    ($($(#[$doc:meta])* $name:ident = $flag:expr;)*) => {
        impl Class {
            $(
                $(#[$doc])*
                fn $name(&self) -> bool {
                    self.0 & $flag != 0
                }
            )*
        }
    };
}

class_tests! {
    allowed = ALLOWED;
    never = NEVER;
    first = FIRST;
    first_rank_ok = FIRST_RANK_OK;
    surname = SURNAME;
    surname_rank_ok = SURNAME_RANK_OK;
    /// An ordinary word, unless it is one of [`NAMES_FIRST`].
    common = COMMON_WORD;
    /// A city, a country or a US state.
    place = PLACE;
    honorific = HONORIFIC;
    relation = RELATION;
    function = FUNCTION;
    intl = INTL;
    place_verb = PLACE_VERB;
    place_prep = PLACE_PREP;
    name_label = NAME_LABEL;
    name_link = NAME_LINK;
    /// A noun that turns the capitalised words before it into the name of a thing, or a job title.
    entity = ENTITY;
    call = CALL;
    /// An ordinary English word in no name list.
    english = ENGLISH;
    /// A country or US state.
    region = REGION;
    /// The first word of a city of several words.
    city_start = CITY_START;
    /// In the city list.
    city = CITY;
}

impl Class {
    fn function_word(&self) -> bool {
        self.function()
    }
}

/// The table key of the word of ASCII letters at `start..end` of `text` if it fits in a slot
/// (most words): the word in lower case, zero-padded. None for the rest (apostrophes, hyphens,
/// other letters, long words), which [`classify_other`] handles. Eight bytes at a time, the
/// bytes after the word read with it and masked off; the second eight only for a word longer
/// than eight bytes (few). The reference for [`word_letters_key`], which the search uses.
#[cfg(test)]
fn letters_key(text: &[u8], start: usize, end: usize) -> Option<Key> {
    let len = end.checked_sub(start)?;
    if len == 0 || len > INLINE || end > text.len() {
        return None;
    }
    let low = lower_letters8(load8(text, start), len.min(8))?;
    let high = if len > 8 {
        lower_letters8(load8(text, start + 8), len - 8)?
    } else {
        0
    };
    Some(Key {
        low,
        high: high as u32,
    })
}

/// The table key of `word` (as `letters_key`, its reference in the tests, makes it), from the
/// first eight letters the splitter kept ([`Word::key`]):
/// the text is read again only for a word longer than eight bytes.
#[inline(always)]
fn word_letters_key(text: &[u8], word: &Word) -> Option<Key> {
    let len = word.end.checked_sub(word.start)?;
    if word.key == 0 || len > INLINE {
        return None;
    }
    let high = if len > 8 {
        lower_letters8(load8(text, word.start + 8), len - 8)?
    } else {
        0
    };
    Some(Key {
        low: word.key,
        high: high as u32,
    })
}

/// The first `len` bytes of `x` (1 to 8, the rest masked off) in lower case, if they are all
/// ASCII letters.
#[inline(always)]
fn lower_letters8(x: u64, len: usize) -> Option<u64> {
    // 0xff in each byte of the word (`len` is 1 to 8), by a shift rather than from a table,
    // which the other passes' tables push out of the cache between texts.
    let m = u64::MAX.wrapping_shr(64u32.wrapping_sub(8 * len as u32));
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const CASE: u64 = 0x2020_2020_2020_2020;
    // Each byte with 0x20 set (an ASCII letter's lower case); a letter is then 0x61..=0x7a,
    // tested without carries between bytes on its low seven bits.
    let l = (x | CASE) & m;
    let low = l & LOW7;
    let ok =
        !l & low.wrapping_add(0x1f1f_1f1f_1f1f_1f1f) & !low.wrapping_add(0x0505_0505_0505_0505);
    (ok & HIGH & m == HIGH & m).then_some(l)
}

fn classify(
    data: &NameData,
    lower: &mut Lower,
    word: &Word,
    text: &str,
    allowed: &dyn Allowed,
) -> Class {
    classify_with(data, lower, word, text, allowed, allowed.filter())
}

/// [`classify`] with the allow list's filter at hand.
#[inline(always)]
fn classify_with(
    data: &NameData,
    lower: &mut Lower,
    word: &Word,
    text: &str,
    allowed: &dyn Allowed,
    filter: Option<&AllowFilter>,
) -> Class {
    // Most words looked up are ASCII letters of at most eight bytes, whose key is the splitter's
    // as it is: one test sends the rest out of line, where two tests (a key at all, and then
    // whether the word is longer than its key), each mispredicted now and then, sent them apart.
    if word.key == 0 || word.end.wrapping_sub(word.start) > 8 {
        return classify_longer(data, lower, word, text, allowed, filter);
    }
    let key = Key {
        low: word.key,
        high: 0,
    };
    classify_key(data, word, key, allowed, filter)
}

/// [`classify_with`] for a word longer than eight bytes or not all ASCII letters.
#[inline(never)]
fn classify_longer(
    data: &NameData,
    lower: &mut Lower,
    word: &Word,
    text: &str,
    allowed: &dyn Allowed,
    filter: Option<&AllowFilter>,
) -> Class {
    match word_letters_key(text.as_bytes(), word) {
        Some(key) => classify_key(data, word, key, allowed, filter),
        None => classify_other(data, lower, word, text, allowed, filter),
    }
}

/// [`classify_with`] for a word of ASCII letters that fits in a slot, by its table key.
#[inline(always)]
fn classify_key(
    data: &NameData,
    word: &Word,
    key: Key,
    allowed: &dyn Allowed,
    filter: Option<&AllowFilter>,
) -> Class {
    // One hash serves the table and the allow filter; the allow list itself (a string hash) is
    // asked only of the few words the filter lets through.
    let hash = WordTable::hash(&key);
    let mut flags = data.entries.get_hashed(&key, hash) | LOOKED_UP;
    if filter.is_none_or(|f| f.may_hold(hash)) {
        let bytes = key.bytes();
        let l = bytes
            .get(..word.end - word.start)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("");
        if allowed.allows(l) {
            flags |= ALLOWED;
        }
    }
    Class(flags)
}

/// What the table says of `word` (no allow list, no contraction or compound rules): for a word
/// the search did not classify but a sub-search needs after all.
fn word_flags(data: &NameData, lower: &mut Lower, word: &Word, text: &str) -> u32 {
    match word_letters_key(text.as_bytes(), word) {
        Some(key) => data.entries.get_key(&key),
        None => data.entry(lower.of(word.text(text))).flags,
    }
}

/// [`classify`] for a word that is not all ASCII letters or does not fit in a slot.
#[cold]
#[inline(never)]
fn classify_other(
    data: &NameData,
    lower: &mut Lower,
    word: &Word,
    text: &str,
    allowed: &dyn Allowed,
    filter: Option<&AllowFilter>,
) -> Class {
    let raw = word.text(text);
    let mut key = [0u8; INLINE];
    // An ASCII word that fits in a slot ("I'm", "follow-up") is looked up by its key, and its
    // hash tests the allow filter.
    let (l, flags, may_allow) = if ascii_lower_key(raw, &mut key) {
        let k = Key::of(&key);
        let hash = WordTable::hash(&k);
        let l = key
            .get(..raw.len())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("");
        (
            l,
            data.entries.get_hashed(&k, hash),
            filter.is_none_or(|f| f.may_hold(hash)),
        )
    } else {
        let l = lower.of(raw);
        // So is the lower case of a word beyond ASCII that fits in a slot ("zoë").
        match WordTable::inline_key(l) {
            Some(key) => {
                let k = Key::of(&key);
                let hash = WordTable::hash(&k);
                (
                    l,
                    data.entries.get_hashed(&k, hash),
                    filter.is_none_or(|f| f.may_hold(hash)),
                )
            }
            None => (l, data.entry(l).flags, true),
        }
    };
    let mut c = Class(flags | LOOKED_UP);
    if may_allow && allowed.allows(l) {
        c.0 |= ALLOWED;
    }
    // Contractions ("I've", "I'd", "we'll") are never names.
    if let Some(tail) = l
        .bytes()
        .position(|b| b == b'\'')
        .and_then(|i| l.get(i + 1..))
    {
        if matches!(tail, "ve" | "d" | "ll" | "m" | "re" | "s" | "t") {
            c.0 |= NEVER;
            c.0 &= !(FIRST | SURNAME);
        }
    }
    if !c.first() && !c.surname() && raw.as_bytes().contains(&b'-') {
        // Double-barrelled names: every part a name.
        let parts = || l.split('-');
        if parts().nth(1).is_some() && parts().all(|p| data.entry(p).flags & (FIRST | SURNAME) != 0)
        {
            c.0 |= SURNAME | SURNAME_RANK_OK;
        } else if parts().any(|p| data.entry(p).flags & (ENGLISH | COMMON) != 0) {
            // "E-mail", "Follow-up": a compound of ordinary words.
            c.0 |= ENGLISH;
        }
    }
    // The flags may have changed since the table's `NOT_NAME` was set.
    c.0 = (c.0 & !NOT_NAME) | (u32::from(not_name(c.0)) * NOT_NAME);
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
    let l = lower.of(raw);
    if allowed.allows(l) || l.len() < 3 {
        return;
    }
    let bytes = l.as_bytes();
    // In a CamelCase tag the name's parts start at capitals (`#TeamAlderbrook` holds no "Alder"
    // name starting inside "Team").
    let raw_bytes = raw.as_bytes();
    let camel = raw.is_ascii() && word.shape != Shape::Lower && word.shape != Shape::Upper;
    let boundary = |at: usize| {
        !camel || at == 0 || at >= raw_bytes.len() || !raw_bytes[at].is_ascii_lowercase()
    };
    // A first name alone in a hashtag of one case, after a cue that says the tag is for
    // someone ("#prayersforbenji", "#justice4benji", "#teambenji") or before one
    // ("#benjistrong", not "Maria Strong").
    if !camel && bytes.len() <= 48 && word.prefix == Prefix::Hashtag {
        if let Some((s, e)) = lone_tag_name(data, l, allowed) {
            out.push(Found {
                start: word.start + s,
                end: word.start + e,
                city: false,
                strong: false,
            });
            return;
        }
    }
    // A first name directly followed by a surname, anywhere in the tag. Tags are short; a long
    // one is not searched (the search is cubic in the tag's length). One lookup per part, and a
    // part is looked up only where the tag's capitals allow a name to start and end.
    let limit = if bytes.len() > 48 { 0 } else { bytes.len() };
    // Where the tag's runs of ordinary words end (see [`word_runs`]), worked out once, when a
    // name is first found inside the tag.
    let mut runs: Option<u64> = None;
    for i in 0..limit {
        // The longest first name and surname found from `i`.
        let mut best: Option<(usize, usize)> = None;
        if i > 0 && !raw.is_char_boundary(i)
            || !boundary(i)
            || !data
                .tag_first_starts
                .may_start(bytes.get(i..).unwrap_or(&[]))
        {
            continue;
        }
        // The surnames after the first name at `i..j` start at `j`.
        let surname_at = |j: usize| {
            data.tag_surname_starts
                .may_start(bytes.get(j..).unwrap_or(&[]))
        };
        for j in (i + 3)..bytes.len() {
            if !boundary(j) {
                continue;
            }
            let Some(first) = l.get(i..j) else { continue };
            // A common word is never a first name here, so a surname that is also a common
            // word is taken after it.
            let f = data.entry(first).flags;
            if f & FIRST == 0 || f & (INTL | COMMON_WORD) != 0 || !surname_at(j) {
                continue;
            }
            // Inside a tag of one case, a name starts after words ("#prayersforbenji"), not
            // inside one ("#helilife" holds no "Eli Life").
            if !camel && i > 0 && *runs.get_or_insert_with(|| word_runs(data, l)) >> i & 1 == 0 {
                continue;
            }
            for k in ((j + 3)..=bytes.len()).rev() {
                if !boundary(k) {
                    continue;
                }
                let Some(sur) = l.get(j..k) else { continue };
                let f = data.entry(sur).flags;
                // "#bostonstrong": a city's tag, not "Boston Strong".
                let city_strong = sur == "strong" && data.entry(first).flags & PLACE != 0;
                if f & SURNAME != 0 && f & INTL == 0 && !allowed.allows(sur) && !city_strong {
                    // The name that reaches furthest, so a first name's own end is not taken
                    // for a shorter one's surname ("julesmartin" is "jules martin", not
                    // "jule smart").
                    if best.is_none_or(|(_, e)| k > e) {
                        best = Some((i, k));
                    }
                    break;
                }
            }
        }
        if let Some((s, e)) = best {
            out.push(Found {
                start: word.start + s,
                end: word.start + e,
                city: false,
                strong: true,
            });
            return;
        }
    }
    // A CamelCase part of a tag that is a first name (`#StrongForMarisol`).
    if camel && word.prefix == Prefix::Hashtag {
        let mut start = 0;
        for at in 1..=raw_bytes.len() {
            if at < raw_bytes.len() && !raw_bytes[at].is_ascii_uppercase() {
                continue;
            }
            if let Some(part) = l.get(start..at) {
                if part.len() >= 3 {
                    let f = data.entry(part).flags;
                    if f & FIRST != 0 && f & (INTL | COMMON_WORD) == 0 && !allowed.allows(part) {
                        out.push(Found {
                            start: word.start + start,
                            end: word.start + at,
                            city: false,
                            strong: false,
                        });
                        return;
                    }
                }
            }
            start = at;
        }
    }
    // A whole word of a handle that is a name (`@maria` `_gonzales`).
    if word.prefix == Prefix::Handle {
        let f = data.entry(l).flags;
        if f & (FIRST | SURNAME) != 0 && f & (COMMON_WORD | INTL) == 0 {
            out.push(Found {
                start: word.start,
                end: word.end,
                city: false,
                strong: false,
            });
        }
    }
}

/// Where a first name stands alone in `tag` (lower case, one case in the text, at most 48
/// bytes), told by a cue beside it: after "for" or "4" that ends a run of ordinary words
/// ("prayersforbenji", "justice4benji", "forbenji"), after "team" ("teambenji"), or before
/// "strong" ("benjistrong"). The name is a listed first name that no ordinary word, function
/// word or "never a name" entry shares ("#prayersforhope" holds none), or a word in no list that
/// ordinary words do not make up ("#prayersforifeoluwa"). A few lookups a tag: the
/// name is looked up first, the run of words before the cue (see [`word_runs`]) only then.
fn lone_tag_name(data: &NameData, tag: &str, allowed: &dyn Allowed) -> Option<(usize, usize)> {
    // A listed first name, or a word of four letters or more in no list at all that is no run
    // of ordinary words ("ifeoluwa", "tevita"; not "ourheroes", "nightshift").
    let first_name = |name: &str| {
        let flags = data.entry(name).flags;
        let listed = name.len() >= 3
            && flags & FIRST != 0
            && flags & (COMMON_WORD | ENGLISH | FUNCTION | NEVER) == 0;
        let unlisted = name.len() >= 4
            && name.is_ascii()
            && flags
                & (FIRST
                    | SURNAME
                    | COMMON
                    | COMMON_WORD
                    | ENGLISH
                    | FUNCTION
                    | NEVER
                    | PLACE
                    | ENTITY
                    | HONORIFIC
                    | RELATION)
                == 0
            && word_runs(data, name) >> name.len() & 1 == 0;
        (listed || unlisted) && !allowed.allows(name)
    };
    // ("#bostonstrong": a city's, not a person's.)
    let no_place = |name: &str| data.entry(name).flags & PLACE == 0;
    if let Some(name) = tag
        .strip_suffix("strong")
        .filter(|name| first_name(name) && no_place(name))
    {
        return Some((0, name.len()));
    }
    if let Some(name) = tag.strip_prefix("team").filter(|name| first_name(name)) {
        return Some((tag.len() - name.len(), tag.len()));
    }
    let bytes = tag.as_bytes();
    let mut runs: Option<u64> = None;
    for (at, cue) in [("for", 3), ("4", 1)]
        .iter()
        .flat_map(|&(cue, len)| tag.match_indices(cue).map(move |(at, _)| (at, len)))
    {
        let name_at = at + cue;
        if name_at >= bytes.len() || !tag.get(name_at..).is_some_and(first_name) {
            continue;
        }
        if *runs.get_or_insert_with(|| word_runs(data, tag)) >> at & 1 == 1 {
            return Some((name_at, tag.len()));
        }
    }
    None
}

/// Street words at the end of a street name ("Koskikatu", "Villacher Strasse", "Kent Street").
const STREET_ENDINGS: &[&str] = &[
    "straat",
    "strasse",
    "straße",
    "gasse",
    "weg",
    "vej",
    "vegen",
    "veien",
    "gata",
    "gatan",
    "gade",
    "katu",
    "kuja",
    "tie",
    "polku",
    "väg",
    "vägen",
    "utca",
    "útja",
    "tér",
    "út",
    "allee",
    "laan",
    "plein",
    "gracht",
    "kade",
    "dreef",
    "platz",
    "ulica",
    "ulice",
    "street",
    "road",
    "avenue",
    "lane",
    "drive",
    "vei",
    "veg",
    "gränd",
    "torget",
    "stræde",
    "vænget",
    "bakken",
    "braut",
    "stígur",
    "vegur",
    "sokak",
    "caddesi",
    "cesta",
    "náměstí",
    "třída",
    "aleja",
    "rynek",
    "plac",
    "ring",
    "steeg",
    "pad",
    "singel",
    "markt",
    "tori",
    "maantee",
    "puiestee",
];

/// Street words before the name ("Rua Mina", "Via Roma", "ul. Jesionowa").
const STREET_STARTS: &[&str] = &[
    "rua",
    "rue",
    "via",
    "calle",
    "avenida",
    "av",
    "avda",
    "ul",
    "trg",
    "plac",
    "aleja",
    "piazza",
    "viale",
    "corso",
    "largo",
    "travessa",
    "praça",
    "rúa",
    "camino",
    "carrer",
    "strada",
    "bulevar",
    "boulevard",
    "chemin",
    "allée",
    "place",
    "quai",
    "ulitsa",
];

/// Street words written in lower case after the name ("Trenerys gate", "Stensås terrasse").
const LOWER_STREET_WORDS: &[&str] = &[
    "gate", "tee", "terrasse", "vei", "veg", "vegen", "veien", "gata", "gatan", "gade", "vej",
    "allé", "alle", "utca", "út", "körút", "tér", "sor", "köz", "ulica", "ulice", "straat",
];

/// Words that are no part of a street name even when capitalised.
const NOT_STREET: &[&str] = &[
    "room",
    "rm",
    "bed",
    "bay",
    "unit",
    "floor",
    "suite",
    "apt",
    "pod",
    "page",
    "step",
    "chapter",
    "version",
    "level",
    "grade",
    "stage",
    "week",
    "weeks",
    "day",
    "days",
    "year",
    "years",
    "hour",
    "hours",
    "minute",
    "minutes",
    "out",
    "of",
    "am",
    "pm",
    "and",
    "or",
    "the",
    "to",
    "at",
    "in",
    "on",
    "for",
    "with",
    "by",
    "top",
    "best",
    "over",
    "under",
    "about",
    "patients",
    "patient",
    "times",
    "min",
    "mins",
    "mg",
    "ml",
    "kg",
    "lbs",
    "lb",
    "bpm",
    "west",
    "east",
    "north",
    "south",
    "icu",
    "er",
    "ed",
    "or",
    "covid",
    "vs",
    "no",
    "yes",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "mile",
    "miles",
    "shift",
    "shifts",
    "ward",
    "wing",
    "tower",
    "building",
    "station",
    "gate",
    "exit",
    "route",
    "highway",
    "interstate",
    "bus",
    "line",
    "flight",
    "train",
    "car",
    "team",
    "code",
    "bravo",
    "alpha",
];

/// The last bytes of the words of `list`, as a table.
const fn last_bytes(list: &[&str]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < list.len() {
        let word = list[i].as_bytes();
        if !word.is_empty() {
            table[word[word.len() - 1] as usize] = true;
        }
        i += 1;
    }
    table
}

/// The last bytes of [`STREET_ENDINGS`] (read for a word whose last letter is ASCII).
static STREET_ENDINGS_LAST: [bool; 256] = last_bytes(STREET_ENDINGS);

/// The last letters of [`STREET_ENDINGS`] beyond ASCII (a test checks the list).
const STREET_ENDINGS_LAST_BEYOND_ASCII: &[char] = &['í'];

/// A one in every byte of a `u64`, for byte-parallel arithmetic.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `x` between `lo` and `hi` (ASCII, both included). Exact: no
/// carry crosses a byte.
pub(crate) const fn bytes_between(x: u64, lo: u8, hi: u8) -> u64 {
    let low7 = x & (ONES * 0x7f);
    let below = ONES * (0x80 + hi as u64) - low7;
    let above = low7 + ONES * (0x80 - lo as u64);
    below & above & !x & (ONES * 0x80)
}

/// `x` with its ASCII capitals lower-cased, eight bytes at once.
pub(crate) const fn ascii_lower8(x: u64) -> u64 {
    x | bytes_between(x, b'A', b'Z') >> 2
}

/// Eight bytes of `bytes` from `at`, the first lowest; zeros past the end.
fn load8(bytes: &[u8], at: usize) -> u64 {
    if let Some(Ok(eight)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
        return u64::from_le_bytes(eight);
    }
    // Near the end of a text of eight bytes or more: its last eight, shifted down to `at`.
    if let Some(last) = bytes
        .len()
        .checked_sub(8)
        .filter(|&last| last < at && at < bytes.len())
    {
        if let Some(Ok(eight)) = bytes.get(last..).map(<[u8; 8]>::try_from) {
            return u64::from_le_bytes(eight) >> (8 * (at - last));
        }
    }
    let rest = bytes.get(at..).unwrap_or(&[]);
    rest.iter().rev().fold(0, |x, &b| x << 8 | u64::from(b))
}

/// The low `n` bytes of `x`.
const fn low_bytes(x: u64, n: usize) -> u64 {
    if n >= 8 {
        x
    } else {
        x & ((1 << (8 * n)) - 1)
    }
}

/// The longest word of the street lists, in bytes.
const STREET_WORD_MAX: usize = 16;

/// The word `bytes[start..end]` as the street lists see it: its bytes, ASCII capitals
/// lower-cased, the first lowest, in two halves; `None` past [`STREET_WORD_MAX`] bytes. Words
/// hold no NUL, so the zero padding is unambiguous. Read from the text eight bytes at a time.
fn street_key(bytes: &[u8], start: usize, end: usize) -> Option<(u64, u64)> {
    let n = end.checked_sub(start)?;
    if n > STREET_WORD_MAX {
        return None;
    }
    let lo = ascii_lower8(low_bytes(load8(bytes, start), n));
    let hi = if n > 8 {
        ascii_lower8(low_bytes(load8(bytes, start + 8), n - 8))
    } else {
        0
    };
    Some((lo, hi))
}

/// The last (up to) eight bytes of the `n`-byte word of key `(lo, hi)`, the last byte lowest: an
/// ending of `m` bytes is then the low `m` bytes.
fn key_tail(lo: u64, hi: u64, n: usize) -> u64 {
    if n <= 8 {
        // An empty word has no tail.
        lo.swap_bytes().checked_shr(8 * (8 - n) as u32).unwrap_or(0)
    } else {
        let both = u128::from(hi) << 64 | u128::from(lo);
        ((both >> (8 * (n - 8))) as u64).swap_bytes()
    }
}

/// The ASCII [`STREET_ENDINGS`] by last letter, as tails (see [`key_tail`]) and masks: a word's
/// tail is compared with the few that end with its last letter.
static ASCII_ENDINGS: std::sync::LazyLock<[Vec<(u64, u64)>; 26]> = std::sync::LazyLock::new(|| {
    let mut table: [Vec<(u64, u64)>; 26] = std::array::from_fn(|_| Vec::new());
    for ending in STREET_ENDINGS.iter().map(|e| e.as_bytes()) {
        let (Some(&last), Some((lo, hi))) = (ending.last(), street_key(ending, 0, ending.len()))
        else {
            continue;
        };
        if !ending.is_ascii() || ending.len() > 8 {
            continue;
        }
        if let Some(bucket) = table.get_mut(usize::from(last.wrapping_sub(b'a'))) {
            bucket.push((
                key_tail(lo, hi, ending.len()),
                low_bytes(u64::MAX, ending.len()),
            ));
        }
    }
    table
});

/// Whether the ASCII word of key `(lo, hi)` and `n` bytes ends with one of [`STREET_ENDINGS`]:
/// one masked comparison for each ending with the same last letter (none of the endings that
/// are not ASCII can end an ASCII word).
fn ascii_ending(lo: u64, hi: u64, n: usize) -> bool {
    let tail = key_tail(lo, hi, n);
    ASCII_ENDINGS
        .get(usize::from((tail as u8).wrapping_sub(b'a')))
        .is_some_and(|bucket| bucket.iter().any(|&(e, mask)| tail & mask == e))
}

/// The class of a byte for the tables below: an ASCII letter in either case (0 to 25), or
/// anything else (26). Lower-casing keeps the class of every byte that can end up in a street
/// word (the only letter that lower-cases into ASCII from elsewhere, the Kelvin sign, shrinks
/// the word, which can then not match).
const fn byte_class(b: u8) -> usize {
    let l = b | 0x20;
    if l.is_ascii_lowercase() {
        (l - b'a') as usize
    } else {
        26
    }
}

/// [`byte_class`] of every byte, looked up.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = byte_class(b as u8) as u8;
        b += 1;
    }
    table
};

/// [`byte_class`], one load.
fn class_of(b: u8) -> usize {
    usize::from(BYTE_CLASS[usize::from(b)])
}

/// The shortest word of `list`, in bytes.
const fn shortest(list: &[&str]) -> usize {
    let mut min = usize::MAX;
    let mut i = 0;
    while i < list.len() {
        if list[i].len() < min {
            min = list[i].len();
        }
        i += 1;
    }
    min
}

/// Every street ending has three bytes or more: see [`ENDING_TRIPLES`].
const _: () = assert!(shortest(STREET_ENDINGS) >= 3);

/// The classes of the last three bytes of a word, as one index.
const fn triple_index(last: u8, second: u8, third: u8) -> usize {
    (byte_class(last) * 27 + byte_class(second)) * 27 + byte_class(third)
}

/// The last three bytes of each word of `list`, as classes: a bit set.
const fn ending_triples(list: &[&str]) -> [u64; 27 * 27 * 27 / 64 + 1] {
    let mut table = [0u64; 27 * 27 * 27 / 64 + 1];
    let mut i = 0;
    while i < list.len() {
        let w = list[i].as_bytes();
        let n = w.len();
        if n >= 3 {
            let at = triple_index(w[n - 1], w[n - 2], w[n - 3]);
            table[at / 64] |= 1 << (at % 64);
        }
        i += 1;
    }
    table
}

/// The last three bytes of [`STREET_ENDINGS`], as classes.
static ENDING_TRIPLES: [u64; 27 * 27 * 27 / 64 + 1] = ending_triples(STREET_ENDINGS);

/// For each word of `list`: its first and last bytes as classes, its length as a bit.
const fn start_shapes(list: &[&str]) -> [[u32; 27]; 27] {
    let mut table = [[0u32; 27]; 27];
    let mut i = 0;
    while i < list.len() {
        let w = list[i].as_bytes();
        let n = w.len();
        if n >= 1 && n < 32 {
            table[byte_class(w[0])][byte_class(w[n - 1])] |= 1 << n;
        }
        i += 1;
    }
    table
}

/// The first and last bytes and the lengths of [`STREET_STARTS`].
static START_SHAPES: [[u32; 27]; 27] = start_shapes(STREET_STARTS);

/// False when word `w` surely does not end with one of [`STREET_ENDINGS`]: its last three
/// bytes end none of them.
fn may_end_street(text: &str, w: &Word) -> bool {
    let b = text.as_bytes();
    if w.end.saturating_sub(w.start) < 3 {
        return false;
    }
    let (Some(&third), Some(&second), Some(&last)) =
        (b.get(w.end - 3), b.get(w.end - 2), b.get(w.end - 1))
    else {
        return true;
    };
    let at = (class_of(last) * 27 + class_of(second)) * 27 + class_of(third);
    ENDING_TRIPLES
        .get(at / 64)
        .is_none_or(|bits| bits & 1 << (at % 64) != 0)
}

/// False when word `w` is surely not one of [`STREET_STARTS`]: none has its first and last
/// bytes and its length.
fn may_start_street(text: &str, w: &Word) -> bool {
    let b = text.as_bytes();
    let n = w.end.saturating_sub(w.start);
    match (b.get(w.start), b.get(w.end.wrapping_sub(1))) {
        (Some(&first), Some(&last)) if n < 32 => {
            START_SHAPES[class_of(first)][class_of(last)] & 1 << n != 0
        }
        _ => true,
    }
}

/// `word` ends with one of [`STREET_ENDINGS`], ignoring case.
fn ends_with_street_ending(word: &str) -> bool {
    let b = word.as_bytes();
    let Some(&last) = b.last() else {
        return false;
    };
    // An ASCII last letter that ends none of them settles most words without comparing.
    if last.is_ascii() && !STREET_ENDINGS_LAST[usize::from(last.to_ascii_lowercase())] {
        return false;
    }
    // So does a last letter beyond ASCII whose lower case ends none of them ("ΠΑΦΟΣ").
    if !last.is_ascii() {
        let lower = word.chars().next_back().map(char::to_lowercase);
        if let Some((Some(c), None)) = lower.map(|mut l| (l.next(), l.next())) {
            if !STREET_ENDINGS_LAST_BEYOND_ASCII.contains(&c) {
                return false;
            }
        }
    }
    match street_key(b, 0, b.len()) {
        Some((lo, hi)) if (lo | hi) & (ONES * 0x80) == 0 => ascii_ending(lo, hi, b.len()),
        _ => ends_with_any(STREET_ENDINGS, word),
    }
}

/// `word` ends with one of `list`, ignoring case (full Unicode lower-casing for tails that are
/// not ASCII).
fn ends_with_any(list: &[&str], word: &str) -> bool {
    // Only the entries that end with the lower case of the word's last letter can match, when
    // it has one letter of lower case (all but a few, such as 'İ'): most words beyond ASCII
    // ("ΠΑΦΟΣ") end with a letter no entry ends with, and are settled without comparing.
    let last = word.chars().next_back().map(char::to_lowercase);
    let last = match last.map(|mut l| (l.next(), l.next())) {
        Some((Some(c), None)) => Some(c),
        _ => None,
    };
    let lower_tail = |w: &str| {
        word.len() >= w.len()
            && word.is_char_boundary(word.len() - w.len())
            && word.get(word.len() - w.len()..).is_some_and(|t| {
                // Char by char, without allocating: the same as `t.to_lowercase() == w` for
                // these lists (which hold no Greek sigma, the one letter lower-cased by context).
                t.eq_ignore_ascii_case(w)
                    || !t.is_ascii() && t.chars().flat_map(char::to_lowercase).eq(w.chars())
            })
    };
    list.iter()
        .filter(|w| last.is_none_or(|c| w.ends_with(c)))
        .any(|w| lower_tail(w))
}

/// What the street word lists say of a word, as bits: one lookup answers them all.
const STREET_START: u8 = 1;
/// In [`LOWER_STREET_WORDS`].
const LOWER_STREET: u8 = 1 << 1;
/// In [`NOT_STREET`].
const NOT_STREET_WORD: u8 = 1 << 2;
/// In [`CALENDAR_WORDS`].
const CALENDAR: u8 = 1 << 3;
/// In [`STREET_SUFFIX_NAMED`].
const SUFFIX_NAMED: u8 = 1 << 4;
/// A flat or suite after a street ("2505 Heatherleigh Suite 620").
const UNIT_WORD: u8 = 1 << 5;
/// A particle inside a street name ("Rua dos Anjos", "ul. Jana Pawła").
const STREET_PARTICLE: u8 = 1 << 6;
/// Ends with one of [`STREET_ENDINGS`] (not from the table: see [`street_flags`]).
const ENDING: u8 = 1 << 7;

/// Flats and suites after a street.
const UNIT_WORDS: &[&str] = &["suite", "apt", "apartment", "unit", "flat"];

/// Lower-case particles inside a street name.
const STREET_PARTICLES: &[&str] = &[
    "de", "do", "da", "dos", "das", "del", "dei", "della", "delle", "des", "du", "di", "e", "z",
    "la", "le", "van", "von", "der", "den", "ten", "ter", "u", "ul",
];

/// The street list table has 2^this slots (about four times the words).
const STREET_TABLE_BITS: u32 = 10;

/// The first slot to try for a key.
fn street_slot(lo: u64, hi: u64) -> usize {
    ((lo ^ hi.rotate_left(29)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - STREET_TABLE_BITS))
        as usize
}

/// Every street word list in one open-addressing table of (key, list bits); a key of zero is
/// an empty slot. A few instructions a lookup, where a general hash map takes many.
static STREET_WORDS: std::sync::LazyLock<Vec<(u64, u64, u8)>> = std::sync::LazyLock::new(|| {
    let lists = [
        (STREET_STARTS, STREET_START),
        (LOWER_STREET_WORDS, LOWER_STREET),
        (NOT_STREET, NOT_STREET_WORD),
        (CALENDAR_WORDS, CALENDAR),
        (STREET_SUFFIX_NAMED, SUFFIX_NAMED),
        (UNIT_WORDS, UNIT_WORD),
        (STREET_PARTICLES, STREET_PARTICLE),
    ];
    let size = 1 << STREET_TABLE_BITS;
    let mut slots = vec![(0, 0, 0); size];
    for (list, bit) in lists {
        for word in list {
            let Some((lo, hi)) = street_key(word.as_bytes(), 0, word.len()) else {
                continue;
            };
            let mut i = street_slot(lo, hi);
            while let Some(slot) = slots.get_mut(i) {
                if slot.0 == 0 || (slot.0, slot.1) == (lo, hi) {
                    *slot = (lo, hi, slot.2 | bit);
                    break;
                }
                i = (i + 1) & (size - 1);
            }
        }
    }
    slots
});

/// The list bits of the word of key `(lo, hi)`.
fn street_listed(lo: u64, hi: u64) -> u8 {
    let slots = &*STREET_WORDS;
    let mut i = street_slot(lo, hi);
    while let Some(&(a, b, bits)) = slots.get(i) {
        if (a, b) == (lo, hi) {
            return bits;
        }
        if a == 0 {
            return 0;
        }
        i = (i + 1) & (slots.len() - 1);
    }
    0
}

/// The street list bits of word `w`, and [`ENDING`] when it ends with a street ending.
fn street_flags(text: &str, w: &Word) -> u8 {
    let Some((lo, hi)) = street_key(text.as_bytes(), w.start, w.end) else {
        // Longer than any list word.
        return if ends_with_street_ending(w.text(text)) {
            ENDING
        } else {
            0
        };
    };
    let ending = if (lo | hi) & (ONES * 0x80) == 0 {
        ascii_ending(lo, hi, w.end - w.start)
    } else {
        ends_with_street_ending(w.text(text))
    };
    street_listed(lo, hi) | if ending { ENDING } else { 0 }
}

/// More street words, standard US street suffixes (USPS Publication 28, appendix C1) that are
/// also ordinary words: a street only after a building number and at least one name word
/// ("420 Gairbekov Rapids", "41 Popović Dam"). ("Street", "Hill" and the like are in the patterns.)
const STREET_SUFFIX_NAMED: &[&str] = &[
    "bluff",
    "bluffs",
    "brook",
    "brooks",
    "bypass",
    "canyon",
    "causeway",
    "cliff",
    "cliffs",
    "cove",
    "coves",
    "creek",
    "crest",
    "dale",
    "dam",
    "divide",
    "estate",
    "estates",
    "expressway",
    "falls",
    "ferry",
    "flat",
    "flats",
    "ford",
    "fords",
    "forest",
    "forge",
    "fork",
    "forks",
    "fort",
    "freeway",
    "gateway",
    "glen",
    "glens",
    "greens",
    "groves",
    "harbor",
    "harbors",
    "harbour",
    "haven",
    "hills",
    "hollow",
    "inlet",
    "island",
    "islands",
    "isle",
    "junction",
    "knoll",
    "knolls",
    "lakes",
    "landing",
    "lodge",
    "manor",
    "manors",
    "meadow",
    "meadows",
    "mill",
    "mills",
    "motorway",
    "mountain",
    "mountains",
    "neck",
    "orchard",
    "oval",
    "overpass",
    "pass",
    "passage",
    "pines",
    "plain",
    "plains",
    "prairie",
    "radial",
    "ranch",
    "rapid",
    "rapids",
    "ridges",
    "shoal",
    "shoals",
    "shore",
    "shores",
    "skyway",
    "springs",
    "spur",
    "spurs",
    "stravenue",
    "stream",
    "summit",
    "throughway",
    "trace",
    "trafficway",
    "tunnel",
    "turnpike",
    "underpass",
    "valley",
    "valleys",
    "viaduct",
    "village",
    "villages",
    "ville",
    "vista",
];

/// Digits (1 to `max` of them) that end `gap` after at least one space, starting at a boundary:
/// returns where the digits start.
fn number_before(gap: &str, gap_start: usize, max: usize) -> Option<usize> {
    let b = gap.as_bytes();
    let mut e = b.len();
    if e == 0 || b[e - 1] != b' ' {
        return None;
    }
    while e > 0 && b[e - 1] == b' ' {
        e -= 1;
    }
    let mut s = e;
    while s > 0 && b[s - 1].is_ascii_digit() {
        s -= 1;
    }
    if s == e
        || e - s > max
        || s > 0 && !matches!(b[s - 1], b' ' | b'\n' | b'\t' | b',' | b':' | b'>' | b'(')
    {
        return None;
    }
    // "66029 138 Consul Place": a second number before the first.
    let mut s2 = s;
    while s2 > 0 && b[s2 - 1] == b' ' {
        s2 -= 1;
    }
    let mut s3 = s2;
    while s3 > 0 && b[s3 - 1].is_ascii_digit() {
        s3 -= 1;
    }
    if s2 < s
        && s3 < s2
        && s2 - s3 <= 5
        && (s3 == 0 || matches!(b[s3 - 1], b' ' | b'\n' | b'\t' | b',' | b':' | b'>'))
    {
        return Some(gap_start + s3);
    }
    Some(gap_start + s)
}

/// A house number (1 to 4 digits, maybe a letter or a dot) right after `pos`, past spaces or an
/// abbreviation's dot: returns its end.
fn number_after(text: &str, pos: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut p = pos;
    if b.get(p) == Some(&b'.') {
        p += 1;
    }
    if b.get(p) != Some(&b' ') {
        return None;
    }
    while b.get(p) == Some(&b' ') {
        p += 1;
    }
    let s = p;
    while b.get(p).is_some_and(u8::is_ascii_digit) {
        p += 1;
    }
    if p == s || p - s > 4 {
        return None;
    }
    if b.get(p).is_some_and(u8::is_ascii_alphabetic)
        && !b.get(p + 1).is_some_and(u8::is_ascii_alphanumeric)
    {
        p += 1;
    }
    if b.get(p).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if b.get(p) == Some(&b'.') && b.get(p + 1).is_none_or(|c| !c.is_ascii_digit()) {
        p += 1;
    }
    Some(p)
}

/// Whether one of the `N` bytes of `chunk` is an ASCII digit: no early exit, so the chunk is
/// tested at once (with vector instructions).
fn has_digit<const N: usize>(chunk: &[u8]) -> bool {
    let Ok(chunk): Result<&[u8; N], _> = chunk.try_into() else {
        return false;
    };
    chunk.iter().fold(false, |any, b| any | b.is_ascii_digit())
}

/// The first ASCII digit of `chunk` (a multiple of eight bytes long) from byte `skip` on.
fn first_digit_in(chunk: &[u8], skip: usize) -> Option<usize> {
    (0..chunk.len()).step_by(8).find_map(|at| {
        let bits = bytes_between(load8(chunk, at), b'0', b'9')
            & !low_bytes(u64::MAX, skip.saturating_sub(at));
        (bits != 0).then(|| at + bits.trailing_zeros() as usize / 8)
    })
}

/// The first ASCII digit of `bytes` at or after `from`. Thirty-two bytes at a time: most texts
/// hold few digits or none. Inlined: a call of its own saved and restored registers, the most of
/// its cost in a text of a hundred bytes.
#[inline(always)]
fn find_digit(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 32) {
        if has_digit::<32>(chunk) {
            return first_digit_in(chunk, 0).map(|i| at + i);
        }
        at += 32;
    }
    if let Some(chunk) = bytes.get(at..at + 16) {
        if has_digit::<16>(chunk) {
            return first_digit_in(chunk, 0).map(|i| at + i);
        }
        at += 16;
    }
    // The rest: the last sixteen bytes, without those read already.
    if let Some(last) = bytes.len().checked_sub(16) {
        let chunk = &bytes[last..];
        if !has_digit::<16>(chunk) {
            return None;
        }
        return first_digit_in(chunk, at.max(last) - last).map(|i| last + i);
    }
    let found = bytes.get(at..)?.iter().position(u8::is_ascii_digit)?;
    Some(at + found)
}

/// Where in `bytes` a "corner" (ASCII case ignored) can start: from the first thirty-two bytes
/// that hold an "rn" (its third and fourth letters) on, if any do. Few texts hold one. The
/// pairs are tested thirty-two at a time, with no early exit inside.
#[inline(never)]
fn corner_from(bytes: &[u8]) -> Option<usize> {
    let pairs_in = |at: usize| {
        let (Some(a), Some(b)) = (bytes.get(at..at + 32), bytes.get(at + 1..at + 33)) else {
            return true;
        };
        let (Ok(a), Ok(b)): (Result<&[u8; 32], _>, Result<&[u8; 32], _>) =
            (a.try_into(), b.try_into())
        else {
            return true;
        };
        a.iter().zip(b).fold(false, |any, (&x, &y)| {
            any | (x | 0x20 == b'r') & (y | 0x20 == b'n')
        })
    };
    // A short text is read word by word.
    let Some(last) = bytes.len().checked_sub(33) else {
        return Some(0);
    };
    let mut at = 0;
    while at < last {
        if pairs_in(at) {
            return Some(at);
        }
        at += 32;
    }
    // The last window overlaps the one before, which held no "rn".
    pairs_in(last).then_some(last)
}

/// Whether word `w` can be part of a street name, `first` or not, given its [`street_flags`].
fn street_word_ok(text: &str, mode: CaseMode, w: &Word, flags: u8, first: bool) -> bool {
    if w.prefix != Prefix::None {
        return false;
    }
    // "Trenerys gate 232", "Luite tee 87", "ul. Słowicza 10": a lower-case street word.
    let street_word = w.shape == Shape::Lower
        && if first {
            flags & STREET_START != 0
        } else {
            flags & (LOWER_STREET | ENDING) != 0
        };
    if street_word {
        return true;
    }
    if flags & (NOT_STREET_WORD | CALENDAR) != 0 {
        return false;
    }
    match mode {
        CaseMode::Mixed => {
            let t = w.text(text);
            w.is_capitalised()
                || !first
                    && (!t.is_ascii()
                        || t.len() <= 3 && text.as_bytes().get(w.end) == Some(&b'.')
                        // "Avenue d'Ouchy", "Rue l'Abbé".
                        || t.len() > 3
                            && (t.starts_with("d'") || t.starts_with("l'"))
                            && t.as_bytes()[2].is_ascii_uppercase()
                        || flags & STREET_PARTICLE != 0)
        }
        _ => true,
    }
}

/// Street addresses that the patterns cannot see because their words are not English or not
/// ASCII: a building number, one to four street words and a house number ("6750 Koskikatu 25",
/// "233 Erzsébet tér 19."), or street words with a street ending or start and a house number
/// ("Villacher Strasse 89", "Rua Mina 50"). One pass over the words near digits.
pub(crate) fn street_seeds(
    text: &str,
    words: &[Word],
    mode: CaseMode,
    out: &mut Vec<(usize, usize)>,
) {
    // Every street here has a number: most texts have no digit at all.
    if let Some(first_digit) = find_digit(text.as_bytes(), 0) {
        streets_near_digits(text, words, mode, first_digit, out);
    }
}

/// How many of `words` (in text order) end by `pos`: `partition_point`, but in fewer than 64
/// words (most texts) by six halving steps whatever their number, each a select rather than a
/// branch. The library's search loops once per halving of the slice, so its exit was
/// mispredicted whenever the number of words left changed (about once a text with a digit).
/// In a longer text the search gallops from the first word (1, 2, 4, ... words on) before it
/// halves: the next digit is most often a few words on, and a binary search of the whole rest
/// of a long text reads memory far apart, a cache miss a step, at every digit.
fn words_ending_by(words: &[Word], pos: usize) -> usize {
    let n = words.len();
    if n == 0 {
        return 0;
    }
    if n >= 64 {
        let mut reach = 1;
        while reach < n && words[reach - 1].end <= pos {
            reach *= 2;
        }
        let from = reach / 2;
        let to = reach.min(n);
        return from + words[from..to].partition_point(|w| w.end <= pos);
    }
    // All of words[..count] end by `pos`; each step adds `step` if the word before
    // count + step does too (the words' ends increase, so those before it do as well).
    let mut count = 0;
    for step in [32, 16, 8, 4, 2, 1] {
        let probe = count + step;
        let last = words[(probe - 1).min(n - 1)].end;
        count = if (probe <= n) & (last <= pos) {
            probe
        } else {
            count
        };
    }
    count
}

/// [`street_seeds`] in a text with a digit, the first at `first_digit`.
#[inline(never)]
fn streets_near_digits(
    text: &str,
    words: &[Word],
    mode: CaseMode,
    first_digit: usize,
    out: &mut Vec<(usize, usize)>,
) {
    let bytes = text.as_bytes();
    if let Some(at) = corner_from(bytes) {
        corners(text, words, mode, at, out);
    }
    // Digits are never inside a word: a number stands in the gap between two words. A word
    // matters only with a digit in the gap after it (a house number) or in one of the three
    // gaps before the three words before it (a building number before a named suffix).
    // The first digit after the current word.
    let mut next_digit = first_digit;
    // Bit j: the gap before word k - j holds a digit and a named suffix may follow it.
    let mut recent = 0u32;
    // Words before `consumed` belong to a street already found.
    let mut consumed = 0;
    let mut k = 0;
    while k < words.len() {
        if recent & 0b1111 == 0 {
            // No digit in the last four gaps: skip to the word before the next digit.
            if next_digit == usize::MAX {
                break;
            }
            let skip = words_ending_by(&words[k..], next_digit);
            k += skip.saturating_sub(1);
            let gap_start = k.checked_sub(1).map_or(0, |p| words[p].end);
            recent = u32::from(gap_start <= next_digit && next_digit < words[k].start);
        }
        let w = &words[k];
        let end_of_gap = words.get(k + 1).map_or(bytes.len(), |n| n.start);
        let digit_after = next_digit < end_of_gap;
        // A house number right after this word.
        let number = if digit_after {
            number_after(text, w.end)
        } else {
            None
        };
        let span = match number {
            // A named suffix is a capitalised word joined to the one before.
            None if k > consumed
                && recent & 0b1110 != 0
                && w.shape == Shape::Title
                && w.joined_to_previous =>
            {
                named_suffix_street(text, words, k, mode)
            }
            None => None,
            Some(end) => numbered_street(text, words, k, consumed, mode, end),
        };
        if let Some(span) = span {
            out.push(span);
            consumed = k + 1;
        }
        // The gap counts for a named suffix further on only with a capitalised word among the
        // three after the next, joined to it ("420 Gairbekov Rapids"): most are not.
        let named_ahead = digit_after
            && (k + 2..words.len().min(k + 5))
                .take_while(|&j| words[j].joined_to_previous)
                .any(|j| words[j].shape == Shape::Title);
        if digit_after {
            next_digit = find_digit(bytes, end_of_gap).unwrap_or(usize::MAX);
        }
        recent = recent << 1 | u32::from(named_ahead);
        k += 1;
    }
}

/// The street that ends at word `k` before its house number (ending at `end`): one to four
/// street words from after `consumed`, with a building number before them, a street ending or a
/// street start ("6750 Koskikatu 25", "Villacher Strasse 89", "Rua Mina 50").
#[inline(never)]
fn numbered_street(
    text: &str,
    words: &[Word],
    k: usize,
    consumed: usize,
    mode: CaseMode,
    end: usize,
) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let chained = |j: usize| {
        let gap = words[j - 1].end;
        words[j].joined_to_previous
            || words[j].start == gap + 2
                && bytes.get(gap) == Some(&b'.')
                && bytes.get(gap + 1) == Some(&b' ')
    };
    let mut first = k;
    while first > consumed && first + 3 > k && chained(first) {
        first -= 1;
    }
    // Most numbers after a word are no house number ("room 4", "for 12"): a street needs a
    // building number before its first word (the gaps inside it hold no digit), a street ending
    // on its last word or a street start. Two table bits settle most words.
    let gap_start = if first == 0 { 0 } else { words[first - 1].end };
    let building = text
        .get(gap_start..words[first].start)
        .and_then(|gap| number_before(gap, gap_start, 5))
        .is_some();
    if !building
        && !may_end_street(text, &words[k])
        && !(first..=k).any(|j| may_start_street(text, &words[j]))
    {
        return None;
    }
    // The list bits of words first..=k, each looked up once, when first needed.
    let looked_up: [std::cell::Cell<Option<u8>>; 4] = Default::default();
    let flags = |j: usize| {
        let cell = &looked_up[j - first];
        cell.get().unwrap_or_else(|| {
            let f = street_flags(text, &words[j]);
            cell.set(Some(f));
            f
        })
    };
    // "2505 Heatherleigh Suite 620": a flat after a one-word street with a building number.
    let unit_last = k > first && flags(k) & UNIT_WORD != 0;
    // The street ending is read only when a lower-case word needs it, or at the end.
    let lower_inside = (first..=k).any(|j| words[j].shape == Shape::Lower);
    let ending = lower_inside && flags(k) & ENDING != 0;
    // Word j after the street's first word: a street word, the flat, or (before a street
    // ending) any lower-case word: "Árpád fejedelem útja 3".
    let inner_ok = |j: usize| {
        let w = &words[j];
        street_word_ok(text, mode, w, flags(j), false)
            || j == k && unit_last
            || ending
                && w.shape == Shape::Lower
                && w.prefix == Prefix::None
                && flags(j) & NOT_STREET_WORD == 0
    };
    // The street can start at `from` or later: every word after `from` is fine inside one.
    let mut from = k;
    while from > first && inner_ok(from) {
        from -= 1;
    }
    for i in from..=k {
        if unit_last && i == k {
            break;
        }
        if !street_word_ok(text, mode, &words[i], flags(i), true) {
            continue;
        }
        let gap_start = if i == 0 { 0 } else { words[i - 1].end };
        let gap = text.get(gap_start..words[i].start).unwrap_or("");
        if let Some(s) = number_before(gap, gap_start, 5) {
            return Some((s, end));
        }
        if !unit_last
            && (ending || !lower_inside && flags(k) & ENDING != 0 || flags(i) & STREET_START != 0)
        {
            return Some((words[i].start, end));
        }
    }
    None
}

/// A building number, one to three street words and a street word of [`STREET_SUFFIX_NAMED`]
/// ending at word `k`, all on one line: "420 Gairbekov Rapids", "41 Popović Dam". A few byte
/// checks for most words; the list is read only after a number and a capitalised word.
#[inline(never)]
fn named_suffix_street(
    text: &str,
    words: &[Word],
    k: usize,
    mode: CaseMode,
) -> Option<(usize, usize)> {
    let w = &words[k];
    if k == 0 || w.shape != Shape::Title || !w.joined_to_previous {
        return None;
    }
    let mut i = k - 1;
    loop {
        let gap_start = if i == 0 { 0 } else { words[i - 1].end };
        let gap = text.get(gap_start..words[i].start)?;
        if let Some(s) = number_before(gap, gap_start, 6) {
            let ok = street_flags(text, w) & SUFFIX_NAMED != 0
                && (i..k).all(|j| {
                    let wj = &words[j];
                    street_word_ok(text, mode, wj, street_flags(text, wj), j == i)
                });
            return ok.then_some((s, w.end));
        }
        if i == 0 || i + 3 <= k || !words[i].joined_to_previous {
            return None;
        }
        i -= 1;
    }
}

/// Street corners: "the corner of Kuusiku 7 and Alexander Flat", "the corner of ul. Grochowa 80
/// and Lahtinen Road". One to five street words (maybe with a house number) before "and", one to
/// four after it, all on one line; in sentence-case text the words after "and" are capitalised.
/// No "corner" starts before byte `first_corner`.
#[inline(never)]
fn corners(
    text: &str,
    words: &[Word],
    mode: CaseMode,
    first_corner: usize,
    out: &mut Vec<(usize, usize)>,
) {
    // Only spaces, house numbers and abbreviation dots between two words of a street.
    let street_gap = |a: &Word, b: &Word| {
        text.get(a.end..b.start).is_some_and(|g| {
            g.len() <= 10
                && g.starts_with([' ', '.'])
                && g.bytes()
                    .all(|c| c == b' ' || c == b'.' || c.is_ascii_digit())
        })
    };
    let cap = |w: &Word| mode != CaseMode::Mixed || w.is_capitalised();
    // No word that ends before `first_corner` is "corner".
    let mut k = words.partition_point(|w| w.end <= first_corner);
    while k + 3 < words.len() {
        // Six bytes first: most words are passed over without reading them.
        let Some(skip) = words
            .get(k..words.len() - 3)
            .and_then(|rest| rest.iter().position(|w| w.end.wrapping_sub(w.start) == 6))
        else {
            break;
        };
        k += skip;
        let w = &words[k];
        if !w.text(text).eq_ignore_ascii_case("corner")
            || !words[k + 1].joined_to_previous
            || !words[k + 1].text(text).eq_ignore_ascii_case("of")
        {
            k += 1;
            continue;
        }
        let start = match k.checked_sub(1).map(|p| &words[p]) {
            Some(p) if w.joined_to_previous && p.text(text).eq_ignore_ascii_case("the") => p.start,
            _ => w.start,
        };
        // The first street: up to "and".
        let mut j = k + 2;
        let mut and = None;
        while j < words.len() && j < k + 8 {
            let prev = &words[j - 1];
            if j > k + 2 && !street_gap(prev, &words[j]) || words[j].prefix != Prefix::None {
                break;
            }
            if j > k + 2 && words[j].text(text).eq_ignore_ascii_case("and") {
                and = Some(j);
                break;
            }
            j += 1;
        }
        let Some(and) = and else {
            k += 2;
            continue;
        };
        // The second street: capitalised words after "and".
        let mut end = None;
        let mut j = and + 1;
        while j < words.len() && j <= and + 4 {
            let wj = &words[j];
            if !street_gap(&words[j - 1], wj) || !cap(wj) || wj.prefix != Prefix::None {
                break;
            }
            end = Some(wj.end);
            j += 1;
        }
        let first_ok = (k + 2..and).any(|i| cap(&words[i]));
        if let (Some(end), true) = (end, first_ok) {
            out.push((start, end));
        }
        k = j.max(k + 2);
    }
}

/// Drops from `out` what overlaps any of `found`.
fn drop_overlapped(out: &mut Vec<Found>, found: &[Found]) {
    let index = Overlaps::new(found);
    out.retain(|f| !index.any(found, f.start, f.end));
}

impl Spanned for Found {
    fn span(&self) -> (usize, usize) {
        (self.start, self.end)
    }
}

/// Cities: one to three capitalised words in the city list (any case in lower-case text).
fn find_cities(
    data: &NameData,
    lower: &mut Lower,
    text: &str,
    words: &[Word],
    (class, cities): (&[Class], Starts),
    mode: CaseMode,
    out: &mut Vec<Found>,
) {
    // The cities found here come in text order after every word of those before: only the
    // names found before them can be taken.
    let before = Overlaps::new(out);
    let mut i = 0;
    while i < words.len() {
        // A city starts with a word of the list or the first word of a longer one.
        i = cities.next_with(class, i, CITY | CITY_START);
        let Some((w, &c)) = words.get(i).zip(class.get(i)) else {
            break;
        };
        if c.allowed() || w.prefix != Prefix::None || mode == CaseMode::Mixed && !w.is_capitalised()
        {
            i += 1;
            continue;
        }
        let mut matched = None;
        // A city of several words starts with a word that begins one; each word after it is on
        // the same line, capitalised or in lower case (any case in lower-case text) and a later
        // word of some city (a word the search did not look up, lower-case in sentence-case
        // text, is looked up now). How many such words follow, at most two, bounds its length.
        if c.city_start() {
            let mut later = 0;
            for (k, n) in words.iter().enumerate().skip(i + 1).take(2) {
                let ok = n.joined_to_previous
                    && (mode != CaseMode::Mixed || n.is_capitalised() || n.shape == Shape::Lower)
                    && if class[k].0 & LOOKED_UP != 0 {
                        class[k].0 & CITY_INNER != 0
                    } else {
                        word_flags(data, lower, n, text) & CITY_INNER != 0
                    };
                if !ok {
                    break;
                }
                later += 1;
            }
            for len in (2..=later + 1).rev() {
                let end = words[i + len - 1].end;
                let Some(span) = text.get(w.start..end) else {
                    continue;
                };
                // One lookup, by its key when the span is ASCII and fits in a slot.
                let mut key = [0u8; INLINE];
                let f = if ascii_lower_key(span, &mut key) {
                    data.entries.get_key(&Key::of(&key))
                } else {
                    data.entry(lower.of(span)).flags
                };
                if f & CITY != 0 && f & REGION == 0 {
                    matched = Some(len);
                    break;
                }
            }
        }
        // One word: what the lists say of it is known already; three capitals or fewer amid
        // sentence case are an acronym ("walked out AMA at 3am": against medical advice).
        let acronym = mode == CaseMode::Mixed && short_capitals(w);
        if matched.is_none() && c.city() && !c.region() && !c.common() && !c.never() && !acronym {
            matched = Some(1);
        }
        // "Hawthorne Inn", "Greer Mountain", "Dexter Ave": a town's name given to a place.
        let mut names_a_thing = |len: usize| {
            mode == CaseMode::Mixed
                && thing_named(text, words, i + len - 1, |n| {
                    word_flags(data, lower, n, text) & ENTITY != 0
                })
        };
        match matched {
            Some(len) if names_a_thing(len) => i += len,
            Some(len) => {
                let end = words[i + len - 1].end;
                if !before.any(out, w.start, end) {
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

/// The multiplier that sends each of [`RELATIONS`] to a slot of its own in [`RELATION_SLOTS`]
/// (found by a search over odd numbers; a test checks that no two relations share a slot).
const RELATION_MUL: u64 = 0xac0d_2468_9c0f_c6e7;

/// A word of at most 16 bytes in ASCII lower case as two numbers (its first eight bytes and the
/// next eight, 0 after its end): no word holds a 0 byte, so equal numbers are the same word,
/// ASCII case ignored, as `eq_ignore_ascii_case` compares.
const fn relation_key(word: &[u8]) -> (u64, u64) {
    let (mut lo, mut hi) = (0u64, 0u64);
    let mut i = 0;
    while i < word.len() && i < 16 {
        let b = word[i].to_ascii_lowercase() as u64;
        if i < 8 {
            lo |= b << (8 * i);
        } else {
            hi |= b << (8 * (i - 8));
        }
        i += 1;
    }
    (lo, hi)
}

/// The slot of a word's [`relation_key`] in [`RELATION_SLOTS`].
const fn relation_slot((lo, hi): (u64, u64)) -> usize {
    ((lo ^ hi).wrapping_mul(RELATION_MUL) >> 58) as usize
}

/// [`RELATIONS`] as a table of 64 slots, each relation at [`relation_slot`] of its key: a word
/// is a relation exactly when its key is in its slot. One multiply and one compare, where a
/// comparison with each relation in turn mispredicted about 2.4 times a presidio text.
const RELATION_SLOTS: [(u64, u64); 64] = {
    let mut slots = [(0u64, 0u64); 64];
    let mut i = 0;
    while i < RELATIONS.len() {
        let key = relation_key(RELATIONS[i].as_bytes());
        slots[relation_slot(key)] = key;
        i += 1;
    }
    slots
};

/// Whether `word` (letters, no 0 byte) is one of [`RELATIONS`], ASCII case ignored. An empty
/// slot holds the key of the empty word, hence the first test.
fn is_relation(word: &[u8]) -> bool {
    let key = relation_key(word);
    !word.is_empty() && word.len() <= 16 && RELATION_SLOTS.get(relation_slot(key)) == Some(&key)
}

/// The last word of `head` when it and the separators after it are ASCII, as `own_family_before`
/// splits words (letters and apostrophes); `None` where a byte beyond ASCII is met, whose
/// character may or may not be a letter.
fn last_ascii_word(head: &[u8]) -> Option<&[u8]> {
    let mut end = head.len();
    while let Some(&b) = head[..end].last() {
        if b >= 0x80 {
            return None;
        }
        if b.is_ascii_alphabetic() || b == b'\'' {
            break;
        }
        end -= 1;
    }
    let mut start = end;
    while let Some(&b) = head[..start].last() {
        if b >= 0x80 {
            return None;
        }
        if !(b.is_ascii_alphabetic() || b == b'\'') {
            break;
        }
        start -= 1;
    }
    head.get(start..end)
}

/// True when the name at `start` follows the author's own relation: "my sister Chloé", "our
/// son Leo", "my little brother Sam" ("my" or "our", at most two words, a relation word).
pub(crate) fn own_family_before(text: &str, start: usize) -> bool {
    let head = text.get(..start).unwrap_or("");
    // Only spaces between the relation and the name.
    if !head.ends_with(' ') {
        return false;
    }
    // Most names follow no relation: told from the word before, read as bytes, at once (the
    // split below reads characters and tests each for a Unicode letter).
    if last_ascii_word(head.as_bytes()).is_some_and(|w| !is_relation(w)) {
        return false;
    }
    let mut words = head
        .rsplit(|c: char| !c.is_alphabetic() && c != '\'')
        .filter(|w| !w.is_empty())
        .take(4);
    let Some(relation) = words.next() else {
        return false;
    };
    if !is_relation(relation.as_bytes()) {
        return false;
    }
    kin_title(relation)
        || words
            .take(3)
            .any(|w| w.eq_ignore_ascii_case("my") || w.eq_ignore_ascii_case("our"))
}

/// A relation written as a title, capitalised, as people write their own grandparents, aunts
/// and uncles ("Grandpa Ignatius turned 94", "Aunt Rosa's lasagna").
fn kin_title(relation: &str) -> bool {
    relation.starts_with(|c: char| c.is_ascii_uppercase())
        && ["grandma", "grandpa", "aunt", "uncle"]
            .iter()
            .any(|k| relation.eq_ignore_ascii_case(k))
}

/// Whether the words ending at `words[last]` name a thing: the next word follows them, is
/// capitalised and is a noun (`entity`: its [`ENTITY`] flag) that makes the capitalised words
/// before it a thing's or a place's name ("Teddy Bear Clinic", "Haskett Road").
fn thing_named(
    text: &str,
    words: &[Word],
    last: usize,
    entity: impl FnOnce(&Word) -> bool,
) -> bool {
    match (words.get(last), words.get(last + 1)) {
        (Some(w), Some(n)) => n.is_capitalised() && follows(n, w, text) && entity(n),
        _ => false,
    }
}

/// "Party at Gustavo's on Wharf St.", "lunch from Rosa's!": a name in the possessive after
/// "at", "from" or "to", with nothing owned after it (the text ends, punctuation, or a
/// preposition follows), names a shop or a restaurant (or someone's home), not a patient.
fn place_by_owner(text: &str, words: &[Word], first: usize, last: usize) -> bool {
    let (Some(w), Some(prev), Some(end)) = (
        words.get(first),
        first.checked_sub(1).and_then(|p| words.get(p)),
        words.get(last),
    ) else {
        return false;
    };
    let before = text.get(prev.start..prev.end).unwrap_or("");
    if text.get(prev.end..w.start) != Some(" ")
        || !["at", "from", "to"]
            .iter()
            .any(|p| before.eq_ignore_ascii_case(p))
    {
        return false;
    }
    let after = text.get(end.end..).unwrap_or("");
    let Some(rest) = after
        .strip_prefix("'s")
        .or_else(|| after.strip_prefix("\u{2019}s"))
        .or_else(|| after.strip_prefix("'S"))
        .or_else(|| after.strip_prefix("\u{2019}S"))
    else {
        return false;
    };
    let rest = rest.trim_start_matches(' ');
    let next: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    rest.is_empty()
        || rest.starts_with(['.', ',', '!', '?', ';', ':', ')', '\n'])
        || ["on", "in", "at", "near", "for", "with", "downtown"]
            .iter()
            .any(|p| next.eq_ignore_ascii_case(p))
}

/// Whether a courtesy title that patients are called by ("Mr.", "Mrs", "Ms.", "Miss", "Mx") stands
/// right before `start`.
pub(crate) fn courtesy_title_before(text: &str, start: usize) -> bool {
    courtesy_title_start(text, start).is_some()
}

/// Where the courtesy title right before the name at `start` begins, if there is one.
pub(crate) fn courtesy_title_start(text: &str, start: usize) -> Option<usize> {
    let head = text.get(..start).unwrap_or("").trim_end();
    let head = head.strip_suffix('.').unwrap_or(head);
    let word_start = head
        .rfind(|c: char| !c.is_ascii_alphabetic())
        .map_or(0, |i| i + 1);
    let word = head.get(word_start..).unwrap_or("");
    ["mr", "mrs", "ms", "miss", "mx"]
        .iter()
        .any(|t| word.eq_ignore_ascii_case(t))
        .then_some(word_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_slots_hold_every_relation_alone() {
        let mut used = std::collections::HashSet::new();
        for r in RELATIONS {
            assert!(
                used.insert(relation_slot(relation_key(r.as_bytes()))),
                "{r}"
            );
            assert!(is_relation(r.as_bytes()), "{r}");
            assert!(is_relation(r.to_ascii_uppercase().as_bytes()), "{r}");
            for other in [format!("{r}s"), format!("x{r}"), r[1..].to_string()] {
                assert_eq!(
                    is_relation(other.as_bytes()),
                    RELATIONS.iter().any(|q| q.eq_ignore_ascii_case(&other)),
                    "{other}"
                );
            }
        }
        for w in [
            "",
            "my",
            "granddaughterss",
            "grandmotherly",
            "sisterxxxxxxxxxxxx",
            "ß",
        ] {
            assert!(!is_relation(w.as_bytes()), "{w}");
        }
    }

    #[test]
    fn own_family_before_as_by_the_split() {
        // The split of characters this function used for every name, kept as the reference.
        fn reference(text: &str, start: usize) -> bool {
            let head = text.get(..start).unwrap_or("");
            let mut words = head
                .rsplit(|c: char| !c.is_alphabetic() && c != '\'')
                .filter(|w| !w.is_empty())
                .take(4);
            let Some(relation) = words.next() else {
                return false;
            };
            if !head.ends_with(' ') {
                return false;
            }
            if !RELATIONS.iter().any(|r| r.eq_ignore_ascii_case(relation)) {
                return false;
            }
            kin_title(relation)
                || words
                    .take(3)
                    .any(|w| w.eq_ignore_ascii_case("my") || w.eq_ignore_ascii_case("our"))
        }
        let texts = [
            "Happy birthday to my little sister Chloé!",
            "our son Leo",
            "MY BROTHER SAM",
            "my sister, Chloe",
            "my brother's friend Sam",
            "my brotherly Sam",
            "my über sister Sam",
            "my sisterü Sam",
            "ümy sister Sam",
            "my 🙂 sister Sam",
            "the sister Sam",
            "sister Sam",
            " Sam",
            "Sam",
            "my grand-daughter Ann",
            "my granddaughter Ann",
            "our GrandMother Ann",
            "my dear old friend Bo",
            "my dear old sweet friend Bo",
        ];
        for text in texts {
            for (start, _) in text.char_indices() {
                assert_eq!(
                    own_family_before(text, start),
                    reference(text, start),
                    "{text:?} at {start}"
                );
            }
        }
        for line in include_str!("../../../corpora/social.jsonl")
            .lines()
            .chain(include_str!("../../../corpora/presidio.jsonl").lines())
        {
            for (start, _) in line.char_indices().filter(|&(i, c)| c == ' ' && i > 0) {
                assert_eq!(
                    own_family_before(line, start + 1),
                    reference(line, start + 1)
                );
            }
        }
    }

    #[test]
    fn starts_next_agrees_with_next_with() {
        // Lengths around the 64 words of the bits, starts set in a pseudo-random pattern.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for len in [0, 1, 5, 63, 64, 65, 70, 130] {
            for _ in 0..40 {
                let mut starts = Starts(0);
                let class: Vec<Class> = (0..len)
                    .map(|i| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        let start = state % 5 == 0;
                        if start && i < 64 {
                            starts.0 |= 1 << i;
                        }
                        Class(if start { NAME_START | FIRST } else { FIRST })
                    })
                    .collect();
                for from in 0..len + 2 {
                    assert_eq!(
                        starts.next(&class, from),
                        next_with(&class, from, NAME_START),
                        "len {len} from {from}"
                    );
                }
            }
        }
    }

    struct NoneAllowed;
    impl Allowed for NoneAllowed {
        fn allows(&self, _: &str) -> bool {
            false
        }
    }

    fn names_in(text: &str) -> Vec<&str> {
        let mut words = Vec::new();
        crate::text::words(text, &mut words);
        let mut out = Vec::new();
        find(
            text,
            &words,
            crate::text::case_mode(text),
            &NoneAllowed,
            &mut Scratch::default(),
            &mut out,
        );
        out.iter()
            .filter(|f| !f.city)
            .map(|f| &text[f.start..f.end])
            .collect()
    }

    #[test]
    fn word_table_answers_every_word_it_was_built_from() {
        let words = [
            ("smith", FIRST),
            ("garcia", SURNAME | CITY),
            ("twelve bytes", CITY),
            ("rancho santa margarita", CITY),
            ("zoë", FIRST),
        ];
        let table = WordTable::new(words.iter().map(|&(w, f)| (Box::<str>::from(w), f)));
        for (word, flags) in words {
            assert_eq!(table.get(word), flags, "{word}");
        }
        for missing in [
            "",
            "smit",
            "smiths",
            "rancho santa",
            "twelve bytes!",
            "garcia\0",
        ] {
            assert_eq!(table.get(missing), 0, "{missing}");
        }
        // The real lists: a first name, a city of several words and the word that starts it.
        let data = NameData::get();
        assert!(data.is_first("maria"));
        assert!(data.entry("salt lake city").flags & CITY != 0);
        assert!(data.entry("salt").flags & CITY_START != 0);
    }

    #[test]
    fn letters_key_is_the_lower_case_key_of_ascii_letters() {
        let text = "Smith o'Brien ZOË Mary-Jane abcdefghijkl abcdefghijklm a Z `az@{ end";
        for (start, end) in [
            (0, 5),
            (6, 13),
            (14, 18),
            (19, 28),
            (29, 41),
            (42, 55),
            (56, 57),
        ]
        .into_iter()
        .chain([(58, 59), (60, 65), (66, 69), (0, 0)])
        {
            let word = &text[start..end];
            let mut key = [0u8; INLINE];
            let want = (ascii_lower_key(word, &mut key)
                && word.bytes().all(|b| b.is_ascii_alphabetic()))
            .then_some(Key::of(&key));
            assert_eq!(letters_key(text.as_bytes(), start, end), want, "{word:?}");
        }
        // Short titles from the key as from the text, for the words the splitter makes.
        for text in [
            "Mr Dr MRS miss Ms mr. dr- m\u{2019}s mrss mis d mr's Miss-Jane M\u{e9} x mrs",
            "MISS",
        ] {
            let mut words = Vec::new();
            crate::text::words(text, &mut words);
            for w in &words {
                assert_eq!(
                    short_title_key(w.key),
                    short_title_at(text.as_bytes(), w.start, w.end),
                    "{:?}",
                    w.text(text)
                );
            }
        }
        // The search takes the key from the word's first letters as the splitter kept them.
        for text in [
            text,
            "Abcdefgh abcdefghi ABCDEFGHIJKL abcdefghijklm x-ray O'Brien's caf\u{e9} Ann",
            "end of the text: Abcdefghijkl",
        ] {
            let mut words = Vec::new();
            crate::text::words(text, &mut words);
            for w in &words {
                assert_eq!(
                    word_letters_key(text.as_bytes(), w),
                    letters_key(text.as_bytes(), w.start, w.end),
                    "{:?}",
                    w.text(text)
                );
            }
        }
    }

    #[test]
    fn unlisted_pairs_and_middle_initials() {
        assert_eq!(
            names_in("Then Krisztián Szöllösy listed his songs."),
            ["Krisztián Szöllösy"]
        );
        assert_eq!(
            names_in("A song by Szabina J Gelencsér, go figure."),
            ["Szabina J Gelencsér"]
        );
        assert!(names_in("We love Guilty Pleasures and the Rights Act.").is_empty());
    }

    #[test]
    fn lists_of_surnames() {
        assert_eq!(
            names_in("It is the work of our founders: Monjeau, Graves and Reed."),
            ["Monjeau", "Graves", "Reed"]
        );
        assert!(names_in("We had Salt and Pepper at lunch.").is_empty());
    }

    #[test]
    fn lower_writes_every_char_as_the_case_tables() {
        let mut lower = Lower { buf: String::new() };
        for c in (0..=0x2_ffff).filter_map(char::from_u32) {
            let want: String = match c {
                '’' => "'".into(),
                c => c.to_lowercase().collect(),
            };
            assert_eq!(lower.of(&format!("A{c}")), format!("a{want}"), "{c:?}");
        }
    }

    #[test]
    fn allowed_words_beyond_ascii_pass_the_filter() {
        struct Listed(AllowFilter, Vec<&'static str>);
        impl Allowed for Listed {
            fn allows(&self, lower: &str) -> bool {
                self.1.contains(&lower)
            }
            fn filter(&self) -> Option<&AllowFilter> {
                Some(&self.0)
            }
        }
        let list = vec!["zoë", "westgård", "gonzález-ibáñez"];
        let allowed = Listed(AllowFilter::new(list.iter().copied()), list);
        let text = "Zoë Zoé WESTGÅRD Westgard González-Ibáñez";
        let mut words = Vec::new();
        crate::text::words(text, &mut words);
        let mut lower = Lower { buf: String::new() };
        let got: Vec<bool> = words
            .iter()
            .map(|w| classify(NameData::get(), &mut lower, w, text, &allowed).allowed())
            .collect();
        assert_eq!(got, [true, false, true, false, true]);
    }

    #[test]
    fn follows_on_bytes_as_on_chars() {
        // The general test, which `follows` takes for gaps beyond ASCII.
        let general = |between: &str| {
            between.len() <= 3
                && between.trim_start_matches(['.', ',']).trim().is_empty()
                && !between.contains([',', '\n', '\r'])
                || between == "."
                || between == ". "
        };
        let bytes = [
            b'.', b',', b' ', b'\t', b'\n', b'\r', 0x0b, 0x0c, b'a', b'-',
        ];
        let mut gaps = vec![String::new()];
        for len in 1..=4 {
            let mut n = 0;
            while n < bytes.len().pow(len) {
                let (mut k, mut gap) = (n, String::new());
                for _ in 0..len {
                    gap.push(char::from(bytes[k % bytes.len()]));
                    k /= bytes.len();
                }
                gaps.push(gap);
                n += 1;
            }
        }
        gaps.extend(["\u{3000}", ".\u{a0}", "\u{a0}\u{a0}", ",\u{a0}"].map(String::from));
        for gap in gaps {
            let text = format!("Ann{gap}Lee");
            let word = |start: usize, end: usize| Word {
                start,
                end,
                key: crate::text::word_key(text.as_bytes(), start, end),
                shape: Shape::Title,
                prefix: Prefix::None,
                sentence_start: false,
                joined_to_previous: false,
                initial: false,
            };
            let (prev, next) = (word(0, 3), word(3 + gap.len(), text.len()));
            assert_eq!(follows(&next, &prev, &text), general(&gap), "{gap:?}");
        }
    }

    #[test]
    fn known_words_compare_in_lower_case() {
        let text = "Westgård WESTGÅRD westgard O’Brien o'brien Smith SMITH Smyth Smithson \
                    Abcdefghij abcdefghik ABCDEFGHIJ Zoë ZOË Zoe";
        let mut words = Vec::new();
        crate::text::words(text, &mut words);
        let mut lower = Lower { buf: String::new() };
        let mut forms = String::new();
        let known: Vec<Known> = words
            .iter()
            .map(|w| Known::of(w, text, &mut lower, &mut forms))
            .collect();
        let at = |word: &str| {
            words
                .iter()
                .position(|w| w.text(text) == word)
                .and_then(|i| known.get(i))
                .copied()
                .unwrap_or_else(|| panic!("{word}"))
        };
        for (a, b, same) in [
            ("Westgård", "WESTGÅRD", true),
            ("Westgård", "westgard", false),
            ("O’Brien", "o'brien", true),
            ("Smith", "SMITH", true),
            ("Smith", "Smyth", false),
            ("Smith", "Smithson", false),
            ("Abcdefghij", "abcdefghik", false),
            ("Abcdefghij", "ABCDEFGHIJ", true),
            ("Zoë", "ZOË", true),
            ("Zoë", "Zoe", false),
        ] {
            assert_eq!(at(a).same(&at(b), text, &forms), same, "{a} {b}");
            assert_eq!(at(b).same(&at(a), text, &forms), same, "{b} {a}");
        }
    }

    /// `find` reads a looked-up word's bytes for a short title only when its class says
    /// honorific: every word of two to four letters that [`short_title`] takes must be one.
    #[test]
    fn every_short_title_is_an_honorific() {
        let data = NameData::get();
        let mut titles = 0;
        for n in 0..26usize.pow(4) + 26usize.pow(3) + 26usize.pow(2) {
            let (len, mut k) = match n {
                n if n < 26 * 26 => (2, n),
                n if n < 26 * 26 + 26usize.pow(3) => (3, n - 26 * 26),
                n => (4, n - 26 * 26 - 26usize.pow(3)),
            };
            let mut word = String::new();
            for _ in 0..len {
                word.push(char::from(b'a' + (k % 26) as u8));
                k /= 26;
            }
            if short_title(word.as_bytes()) {
                titles += 1;
                assert!(data.entry(&word).flags & HONORIFIC != 0, "{word}");
            }
        }
        assert_eq!(titles, 5);
        // In any case.
        for (title, is) in [("Mr", true), ("MRS", true), ("miss", true), ("mx", false)] {
            assert_eq!(short_title(title.as_bytes()), is, "{title}");
        }
    }

    #[test]
    fn short_title_at_agrees_with_short_title() {
        // Every word of 1 to 5 bytes over bytes that matter (the letters of the titles in both
        // cases, their neighbours in the case-bit fold, others), inside a text and at its end.
        let alphabet = b"mMrRsSdDiIxX\x0d\x12\x13\x2d\x33 .\xc3\xa9";
        let mut words: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<u8>> = words
                .iter()
                .filter(|w| w.len() == words.last().map_or(0, Vec::len))
                .flat_map(|w| {
                    alphabet.iter().map(move |&b| {
                        let mut w = w.clone();
                        w.push(b);
                        w
                    })
                })
                .collect();
            words.extend(longer);
        }
        words.push(b"missy".to_vec());
        let mut titles = 0;
        for word in &words {
            let want = short_title(word);
            titles += usize::from(want);
            for (before, after) in [
                (&b""[..], &b""[..]),
                (b"ok ", b" x"),
                (b"", b"s"),
                (b"a", b""),
            ] {
                let text = [before, &word[..], after].concat();
                let (start, end) = (before.len(), before.len() + word.len());
                assert_eq!(short_title_at(&text, start, end), want, "{text:?}");
            }
        }
        // "mr", "ms", "dr", "mrs" and "miss" in every mix of cases.
        assert_eq!(titles, 3 * 4 + 8 + 16);
    }

    #[test]
    fn lower_case_surname_after_short_title() {
        assert_eq!(names_in("lol mrs parker in rm 7 asked again"), ["parker"]);
    }

    #[test]
    fn short_title_across_64_words() {
        // The words are classified 64 at a time: a title that ends one run still counts for
        // the first word of the next.
        for filler in [62, 63, 64, 126, 127] {
            let text = format!("{}mrs parker asked again", "so ".repeat(filler));
            assert_eq!(names_in(&text), ["parker"], "{filler}");
        }
    }

    fn streets_in(text: &str) -> Vec<&str> {
        let mut words = Vec::new();
        crate::text::words(text, &mut words);
        let mut out = Vec::new();
        street_seeds(text, &words, crate::text::case_mode(text), &mut out);
        out.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    fn flags_of(word: &str) -> u8 {
        let whole = Word {
            start: 0,
            end: word.len(),
            key: crate::text::word_key(word.as_bytes(), 0, word.len()),
            shape: Shape::Lower,
            prefix: Prefix::None,
            sentence_start: false,
            joined_to_previous: false,
            initial: false,
        };
        street_flags(word, &whole)
    }

    #[test]
    fn greek_and_cyrillic_are_lower_cased_as_the_case_tables_do() {
        for u in 0x370..0x500 {
            let Some(c) = char::from_u32(u) else { continue };
            if let Some(l) = simple_lower(c) {
                assert_eq!(
                    c.to_lowercase().collect::<String>(),
                    l.to_string(),
                    "U+{u:04X}"
                );
            }
        }
        assert_eq!(Lower::default().of("ΠΑΦΟΣ Москва"), "παφοσ москва");
    }

    #[test]
    fn street_flags_answer_as_the_lists_do() {
        let lists = [
            (STREET_STARTS, STREET_START),
            (LOWER_STREET_WORDS, LOWER_STREET),
            (NOT_STREET, NOT_STREET_WORD),
            (CALENDAR_WORDS, CALENDAR),
            (STREET_SUFFIX_NAMED, SUFFIX_NAMED),
            (UNIT_WORDS, UNIT_WORD),
            (STREET_PARTICLES, STREET_PARTICLE),
        ];
        for (list, bit) in lists {
            for word in list {
                assert!(flags_of(word) & bit != 0, "{word}");
                assert!(flags_of(&word.to_ascii_uppercase()) & bit != 0, "{word}");
                assert!(flags_of(&format!("{word}xq")) & bit == 0, "{word}");
            }
        }
        let mut beyond_ascii: Vec<char> = STREET_ENDINGS
            .iter()
            .filter_map(|e| e.chars().next_back())
            .filter(|c| !c.is_ascii())
            .collect();
        beyond_ascii.dedup();
        assert_eq!(beyond_ascii, STREET_ENDINGS_LAST_BEYOND_ASCII);
        assert!(ends_with_street_ending("NÁMĚSTÍ") && !ends_with_street_ending("ΠΑΦΟΣ"));
        for ending in STREET_ENDINGS {
            assert!(ends_with_street_ending(ending), "{ending}");
            assert!(ends_with_street_ending(&format!(
                "Koski{}",
                ending.to_uppercase()
            )));
            assert!(!ends_with_street_ending(&format!("{ending}x")), "{ending}");
        }
        assert!(ends_with_street_ending("PÓŁNOCNAKATU") && ends_with_street_ending("Ádám útja"));
        assert!(!ends_with_street_ending("") && !ends_with_street_ending("Północna"));
    }

    #[test]
    fn street_shape_tables_let_every_listed_word_through() {
        for (list, end) in [(STREET_ENDINGS, true), (STREET_STARTS, false)] {
            for word in list {
                for text in [
                    format!("Koski{word}"),
                    format!("KOSKI{}", word.to_uppercase()),
                ] {
                    let text = if end { text } else { text[5..].to_owned() };
                    let w = Word {
                        start: 0,
                        end: text.len(),
                        key: crate::text::word_key(text.as_bytes(), 0, text.len()),
                        shape: Shape::Lower,
                        prefix: Prefix::None,
                        sentence_start: false,
                        joined_to_previous: false,
                        initial: false,
                    };
                    let ok = if end {
                        may_end_street(&text, &w)
                    } else {
                        may_start_street(&text, &w)
                    };
                    assert!(ok, "{text}");
                }
            }
        }
        assert!(corner_from(b"We met at the CORNER of Main 5 and Elm, later that day").is_some());
        assert!(corner_from(b"We met at the shop on Main 5 and Elm, later that day too").is_none());
    }

    #[test]
    fn words_ending_by_is_partition_point() {
        for len in (0..80).chain([127, 128, 129, 300]) {
            let text = "ab ".repeat(len);
            let mut words = Vec::new();
            crate::text::words(&text, &mut words);
            assert_eq!(words.len(), len);
            for pos in 0..3 * len + 3 {
                assert_eq!(
                    words_ending_by(&words, pos),
                    words.partition_point(|w| w.end <= pos),
                    "{len} words, {pos}"
                );
            }
        }
    }

    #[test]
    fn marks_gather_each_bit_of_each_word() {
        // Random bytes of marks (six bits each) for texts of every length up to 64 words, and
        // longer texts, which get no masks.
        let mut rng = crate::test_support::Rng::new(0x2545_f491_4f6c_dd1d);
        for words in 0..=70 {
            let mut marks = [0u8; 64];
            for m in marks.iter_mut().take(words) {
                *m = (rng.next_u64() & 0x3f) as u8;
            }
            let got = Marks::of(&marks, words);
            let got = [
                got.cands, got.starts, got.preps, got.ands, got.cues, got.cities,
            ];
            for (b, mask) in got.iter().enumerate() {
                let want = if words > 64 {
                    0
                } else {
                    (0..words).fold(0u64, |m, k| m | u64::from(marks[k] >> b & 1) << k)
                };
                assert_eq!(mask.0, want, "{words} words, bit {b}");
            }
        }
    }

    #[test]
    fn find_digit_finds_the_first_digit() {
        let texts = [
            "",
            "7",
            "no digits here at all, not one in this text",
            "a 12",
            "Room 4 and then a long stretch of words 56 later",
            "ünïcödé wörds 9 ünïcödé wörds ünïcödé wörds 10",
            "exactly sixteen!",
            "exactly sixteen7",
        ];
        for text in texts {
            let bytes = text.as_bytes();
            for from in 0..=bytes.len() {
                let expected = bytes[from..]
                    .iter()
                    .position(u8::is_ascii_digit)
                    .map(|i| from + i);
                assert_eq!(find_digit(bytes, from), expected, "{text:?} from {from}");
            }
        }
    }

    #[test]
    fn street_corners_and_lower_case_street_words() {
        assert_eq!(
            streets_in("Send it to the corner of Kuusiku 7 and Alexander Flat? Thanks"),
            ["the corner of Kuusiku 7 and Alexander Flat"]
        );
        assert!(streets_in("We met at the corner of the room and Dr Smith 5 said hi").is_empty());
        assert_eq!(
            streets_in("Lina\n2224 Trenerys gate 232\n"),
            ["2224 Trenerys gate 232"]
        );
        assert_eq!(
            streets_in("at 3037 ul. Północna 73 now"),
            ["3037 ul. Północna 73"]
        );
    }
}
