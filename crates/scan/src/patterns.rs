//! Identifiers with a recognisable shape: dates, numbers, addresses, web and mail addresses.
//!
//! All patterns, the built-in ones and the policy's own formats, are compiled into one
//! multi-pattern regex so a text is read once for all of them. Word boundaries are ASCII
//! (`(?-u:\b)`) so the lazy DFA never has to fall back to a slower engine on non-ASCII text.

use crate::ascii_regex::LazySearch;
use crate::SharedStr;
use postguard_policy::IdentifierKind;
use regex_automata::{Match, PatternID};

/// When a match counts as an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    /// Always: the shape alone identifies (an SSN, an email address).
    Nothing,
    /// Only when the text is about a person (a name, patient context, a birth or admission cue).
    PersonContext,
}

/// Which part of a match is the identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// The whole match.
    Whole,
    /// The value after a cue word ("account number 1234" keeps "1234").
    Value,
    /// The number the match starts with, up to the first space ("100th birthday" keeps
    /// "100th").
    Number,
}

/// Extra checks on a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    None,
    /// Card numbers: the Luhn checksum.
    Luhn,
    /// IBANs: the mod-97 checksum.
    Iban,
    /// The value holds at least one digit.
    HasDigit,
    /// Letters and digits both (VINs).
    LettersAndDigits,
    /// An age over 89.
    AgeOver89,
    /// Street words capitalised, in sentence-case text.
    Address,
    /// A ZIP code after a real state code.
    StateZip,
    /// Digit groups that are a phone number only beside a phone word ("Phone:", "call me on").
    PhoneCue,
    /// A date that is no rating out of ten ("10/10 would stay again").
    NotRating,
}

/// One pattern with what its matches mean.
#[derive(Debug, Clone)]
pub(crate) struct PatternMeta {
    pub kind: IdentifierKind,
    pub rule: SharedStr,
    pub needs: Needs,
    pub keep: Keep,
    pub check: Check,
}

const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
const DAY: &str = r"(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?";
const YEAR: &str = r"(?:19|20)[0-9]{2}";
/// An age from 90 to 112 in words ("ninety", "ninety-three", "a hundred and one").
const SPELLED_OVER_89: &str = r"(?:ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|(?:one|a)[- ]hundred(?:[- ]and)?(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))?)";
const STREET_SUFFIX: &str = r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|way|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|trail|trl|square|sq|loop|row|crescent|cres|alley|pike|plaza|path|walk|grove|gardens|mews|close|hill|heights|point|ridge|run|crossing|view|street|strasse|straße|gata|gatan|vej|weg|calle|rua|rue|via|avenida)";

fn built_in() -> Vec<(IdentifierKind, &'static str, Needs, Keep, Check, String)> {
    use Check as C;
    use IdentifierKind as K;
    use Keep::{Number, Value, Whole};
    use Needs::{Nothing, PersonContext};
    vec![
        (K::Email, "phi.email", Nothing, Whole, C::None,
            r"(?i)\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}\b".into()),
        (K::Url, "phi.url", Nothing, Whole, C::None,
            r"(?i)\b(?:https?://|www\.)[a-z0-9._~:/?#@!$&*+,;=%-]*[a-z0-9_~/#=%-]".into()),
        (K::Url, "phi.url", PersonContext, Whole, C::None,
            r"(?i)\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|org|net|edu|gov|io|co|us|uk|de|fr|info|biz|me|ly|app|page|site|blog|health|care|online|tv|ca|au|nz|ie|be|nl|it|es|pt|se|no|dk|fi|pl|cz|at|ch|gr|is|ru|jp|cn|in|br|mx|za)\b(?:/[a-z0-9._~:/?#@!$&*+,;=%-]*[a-z0-9_~/#=%-])?".into()),
        (K::Ip, "phi.ip", Nothing, Whole, C::None,
            r"\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b".into()),
        (K::Ip, "phi.ip", Nothing, Whole, C::None,
            r"(?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}\b".into()),
        (K::Ssn, "phi.ssn", Nothing, Whole, C::None,
            r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b|\b[0-9]{3} [0-9]{2} [0-9]{4}\b".into()),
        (K::Ssn, "phi.ssn", Nothing, Value, C::None,
            r"(?i)\b(?:ssn|ss#|social security(?: number| no\.?| #)?)\s*[:#]?\s*[0-9]{9}\b".into()),
        (K::Date, "phi.date", Nothing, Whole, C::None,
            r"\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12][0-9]|3[01])/(?:19|20)[0-9]{2}\b".into()),
        (K::Date, "phi.date", Nothing, Whole, C::None,
            format!(r"(?i)\b{YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:[ T][0-9]{{2}}:[0-9]{{2}}(?::[0-9]{{2}})?)?\b")),
        (K::Date, "phi.date", PersonContext, Whole, C::NotRating,
            r"\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12][0-9]|3[01])(?:/(?:19|20)?[0-9]{2})?\b|\b(?:0?[1-9]|1[0-2])[-.](?:0?[1-9]|[12][0-9]|3[01])[-.](?:19|20)?[0-9]{2}\b|\b(?:1[3-9]|2[0-9]|3[01])[/.-](?:0?[1-9]|1[0-2])[/.-](?:19|20)?[0-9]{2}\b".into()),
        (K::Date, "phi.date", PersonContext, Whole, C::None,
            format!(r"(?i)\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?{MONTH}\s+{DAY}(?:,?\s+{YEAR})?\b")),
        (K::Date, "phi.date", PersonContext, Whole, C::None,
            format!(r"(?i)\b{DAY}\s+(?:of\s+)?{MONTH}(?:,?\s+{YEAR})?\b")),
        (K::Date, "phi.date", PersonContext, Whole, C::None,
            format!(r"(?i)\b{MONTH}\s+{YEAR}\b")),
        (K::Age, "phi.age", Nothing, Whole, C::AgeOver89,
            r"(?i)\b[0-9]{2,3}\s*-?\s*(?:years?|yrs?|y/o|yo|y\.o\.)(?:\s*-?\s*old)?\b|\b(?:age|aged)\s*:?\s*[0-9]{2,3}\b|\b[0-9]{2,3}(?:yo|y/o|yof|yom)\b|\bin\s+(?:his|her|their)\s+(?:late\s+|early\s+|mid-?)?(?:90|100)s\b|\b(?:nonagenarian|centenarian)\b".into()),
        (K::Age, "phi.age", Nothing, Number, C::AgeOver89,
            r"(?i)\b[0-9]{2,3}(?:st|nd|rd|th)\s+birthday\b".into()),
        (K::Age, "phi.age", PersonContext, Value, C::AgeOver89,
            r"(?i)\b(?:turned|turning|turns)\s+[0-9]{2,3}\b".into()),
        // An age over 89 in words: "is ninety-three", "turned a hundred and one", "ninety-six
        // years old".
        (K::Age, "phi.age", PersonContext, Value, C::AgeOver89,
            format!(r"(?i)\b(?:is|was|turned|turning|turns|aged?)\s+{SPELLED_OVER_89}\b")),
        (K::Age, "phi.age", PersonContext, Whole, C::AgeOver89,
            format!(r"(?i)\b{SPELLED_OVER_89}[- ]years?[- ]old\b")),
        (K::Age, "phi.age", PersonContext, Value, C::AgeOver89,
            r"(?i)\b(?:she|he)(?:'s|\s+is)\s+(?:9[0-9]|1[01][0-9])\b".into()),
        (K::Zip, "phi.zip", PersonContext, Value, C::None,
            r"(?i)\b(?:from|in|lives\s+in)\s+[0-9]{5}\b".into()),
        (K::Phone, "phi.phone", Nothing, Whole, C::None,
            r"(?:\+?1[\s.-]?)?(?:\([0-9]{3}\)|\b[0-9]{3})[\s.-]?[0-9]{3}[\s.-]?[0-9]{4}(?:\s*(?:x|ext\.?)\s*[0-9]{1,5}\b|\b)".into()),
        (K::Phone, "phi.phone", Nothing, Whole, C::None,
            r"\+[0-9]{1,3}(?:[\s.-]?\(?[0-9]{1,4}\)?){2,5}\b|(?:\(0[0-9]{1,4}\)|\b0[0-9]{2,4})[\s.-]?[0-9]{3,4}[\s.-]?[0-9]{3,4}\b".into()),
        (K::Account, "phi.account", Nothing, Whole, C::Luhn,
            r"\b(?:[0-9][ -]?){12,18}[0-9]\b".into()),
        (K::Account, "phi.account", Nothing, Whole, C::Iban,
            r"\b[A-Z]{2}[0-9]{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b".into()),
        (K::Account, "phi.account", Nothing, Value, C::HasDigit,
            r"(?i)\b(?:account|acct|a/c|card|billing|iban)\.?\s*(?:number|no\.?|num|#)?\s*(?:is\s+)?[:#]?\s*[a-z0-9][a-z0-9-]{3,33}\b".into()),
        (K::HealthPlan, "phi.health_plan", Nothing, Value, C::HasDigit,
            r"(?i)\b(?:member|subscriber|policy|group|medicaid|medicare|insurance|plan|beneficiary|insurance\s+id|hicn|mbi)\s*(?:id|number|no\.?|num|#)\s*[:#]?\s*(?:is\s+)?[a-z0-9][a-z0-9-]{4,19}\b".into()),
        (K::Vehicle, "phi.vehicle", Nothing, Value, C::HasDigit,
            r"(?i)\b(?:licen[cs]e\s+)?plates?(?:\s+(?:number|no\.?|#))?\s*[:#]?\s*[a-z0-9][a-z0-9 -]{1,7}[a-z0-9]\b".into()),
        (K::Vehicle, "phi.vehicle", Nothing, Whole, C::LettersAndDigits,
            r"\b[A-HJ-NPR-Z0-9]{17}\b".into()),
        (K::License, "phi.license", Nothing, Value, C::HasDigit,
            r"(?i)\b(?:licen[cs]e|lic\.?|dl|driver'?s\s+licen[cs]e|certificate|cert\.?|dea|npi|passport)\s*(?:number|no\.?|num|#)?\s*(?:is\s+)?[:#]?\s*[a-z0-9][a-z0-9-]{4,19}\b".into()),
        // A driver's licence number in the shape two states use, a letter then groups of
        // digits ("D123-4567-8901", "A123-456-78-901-0"), in a text about a person, even far
        // from its keyword.
        (K::License, "phi.license", PersonContext, Whole, C::None,
            r"(?i)\b[A-Z][0-9]{3}-[0-9]{4}-[0-9]{4}\b|\b[A-Z][0-9]{3}-[0-9]{3}-[0-9]{2}-[0-9]{3}-[0-9]\b".into()),
        (K::Device, "phi.device", Nothing, Value, C::HasDigit,
            r"(?i)\b(?:serial|s/n|sn|device\s+id|imei|udi|pacemaker|implant)\s*(?:number|no\.?|num|#|id)?\s*[:#]?\s*[a-z0-9][a-z0-9-]{3,23}\b".into()),
        // "sticker says HM3-220417", "the serial as PX-55120-K": a device's label read out.
        (K::Device, "phi.device", Nothing, Value, C::HasDigit,
            r"(?i)\b(?:(?:sticker|label|tag|plate)\s+(?:says|reads|shows)|serial\s+(?:is|as|reads|says)|asset\s+tag)\s*[:#]?\s*[a-z0-9][a-z0-9-]{3,23}\b".into()),
        (K::Device, "phi.device", Nothing, Value, C::HasDigit,
            r"(?i)\bdevice\s*[:#]\s*[a-z0-9][a-z0-9-]{3,23}\b".into()),
        (K::Id, "phi.id", Nothing, Value, C::HasDigit,
            r"(?i)\b(?:patient|case|encounter|visit|claim|chart|admission)\s*(?:id|number|no\.?|#)\s*[:#]?\s*[a-z0-9][a-z0-9-]{3,19}\b".into()),
        // "ID band says WB-7781236", "wristband #A12345".
        (K::Id, "phi.id", Nothing, Value, C::HasDigit,
            r"(?i)\b(?:id|wrist|arm)\s*band\s*(?:says|reads|shows|number|no\.?|#)?\s*[:#]?\s*[a-z0-9][a-z0-9-]{3,19}\b".into()),
        // "Portal username jthompson58": a login names its person (with a digit, as most do;
        // "username is required" has none). "portal login (jdelacruz_1946)", "portal login
        // for the patient's wife is mfarouk_1958": a patient portal's login, also after whose
        // it is.
        (K::Id, "phi.id", Nothing, Value, C::HasDigit,
            r"(?i)\buser\s*(?:name|id)\s*(?:is\s+)?[:#]?\s*[a-z0-9][a-z0-9._-]{2,30}\b".into()),
        (K::Id, "phi.id", Nothing, Value, C::HasDigit,
            r"(?i)\b(?:portal|mychart)\s+(?:log-?in|account|id)(?:\s+(?:for|of)(?:\s+[a-z']+){1,3}?\s+(?:is|was))?\s*(?:is\s+)?[:#(]?\s*[a-z][a-z0-9._-]{2,30}\b".into()),
        (K::Room, "phi.room", Nothing, Whole, C::None,
            r"(?i)\brm\.?\s*#?\s*[0-9]{1,4}[a-z]?\b".into()),
        (K::Room, "phi.room", PersonContext, Whole, C::None,
            r"(?i)\b(?:room|rm\.?|bed|bay|stall|cubicle|pod)\s*#?\s*[0-9]{1,4}[a-z]?\b|\bbed\s+[a-d]\b".into()),
        (K::Address, "phi.address", Nothing, Whole, C::Address,
            format!(r"(?i)\b[0-9]{{1,6}}[a-z]?,?\s+(?:[nsew]\.?\s+|(?:north|south|east|west)\s+)?(?:[a-z0-9'.-]+\s+){{0,3}}{STREET_SUFFIX}\b\.?(?:,?\s*(?:apt|apartment|unit|suite|ste|#)\.?\s*#?[a-z0-9-]+)?")),
        (K::Address, "phi.address", Nothing, Whole, C::Address, street_name_first()),
        (K::Address, "phi.address", Nothing, Whole, C::None,
            r"(?i)\b(?:psc|unit|cmr)\s+[0-9]{3,5},?\s+box\s+[0-9]{3,5}(?:\s+[ad]po\s+a[aep]\s+[0-9]{5})?\b|\b(?:USNS|USNV|USS|USCGC)\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+FPO\s+A[AEP]\s+[0-9]{5}\b".into()),
        (K::Zip, "phi.zip", Nothing, Value, C::None,
            r"(?i)\b(?:zip(?:\s*code)?|postal\s*code|postcode)(?:\s+is)?\s*[:#]?\s*[0-9]{3,5}(?:-[0-9]{3,4}|\s[0-9]{2,3})?\b".into()),
        (K::Address, "phi.address", Nothing, Whole, C::None,
            r"(?i)\b(?:[0-9]{1,6}\s+)?p\.\s?o\.\s?box\s+[0-9]{1,6}\b|\bpo\s+box\s+[0-9]{1,6}\b".into()),
        (K::Zip, "phi.zip", Nothing, Value, C::StateZip,
            r"\b[A-Z]{2},?\s+[0-9]{5}(?:-[0-9]{4})?\b".into()),
        // Last: on a tie it must not hide the shapes above (the meta regex reports one match per
        // start, by pattern order).
        (K::Phone, "phi.phone", Nothing, Whole, C::PhoneCue,
            r"(?:\([0-9]+\) ?)?\b[0-9][0-9]+(?:[ .-][0-9][0-9]+)+(?:x[0-9]+)?\b".into()),
    ]
}

/// The address pattern of a street name before its house number ("Elm Street 42", "Calle
/// Mayor 5"). It alone makes about a third of the identifier regex's lazy DFA states, so the
/// scanner also compiles the patterns without it and searches a text with that smaller regex
/// whenever [`StreetGate`] shows this pattern cannot match anywhere in it.
fn street_name_first() -> String {
    format!(
        r"(?i)\b(?:[a-z'.-]+\s+){{1,3}}{STREET_SUFFIX}\.?,?\s+[0-9]{{1,5}}[a-z]?\b(?:,?\s*(?:apt|apartment|unit|suite|ste|#)\.?\s*#?[a-z0-9-]+)?"
    )
}

/// Rewrites `\b` to its ASCII form, keeping escaped backslashes.
fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('b') => out.push_str(r"(?-u:\b)"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The compiled identifier patterns.
pub(crate) struct Patterns {
    /// All the patterns in one regex.
    pub search: LazySearch,
    /// The same without the street-name-first pattern, for the texts it cannot match in.
    pub reduced: Reduced,
    pub meta: Vec<PatternMeta>,
}

/// The identifier patterns without the street-name-first pattern ([`street_name_first`]),
/// searched instead of the full regex in any text where [`StreetGate`] shows that pattern
/// cannot match. That pattern alone makes about a third of the full regex's lazy DFA states,
/// whose rows miss the processor's caches; most texts never reach those states, but they share
/// cache lines and pages with the states they do reach. The smaller regex finds exactly what
/// the full one finds in such a text: under leftmost-first search a pattern that cannot match
/// anywhere in a text never wins or preempts another pattern's match there.
pub(crate) struct Reduced {
    pub search: LazySearch,
    /// For each pattern of the smaller regex, its index in the full regex (and in
    /// [`Patterns::meta`]): the patterns after the one left out shift down by one.
    full_index: Vec<PatternID>,
    gate: StreetGate,
}

impl Reduced {
    /// Whether the smaller regex finds the same as the full one in `text`.
    #[inline]
    pub(crate) fn serves(&self, text: &str) -> bool {
        !self.gate.may_match(text.as_bytes())
    }

    /// Renumbers `matches` found by the smaller regex with the full regex's pattern indices.
    pub(crate) fn to_full_index(&self, matches: &mut [Match]) {
        for m in matches {
            if let Some(&full) = self.full_index.get(m.pattern().as_usize()) {
                *m = Match::new(full, m.span());
            }
        }
    }
}

impl Patterns {
    /// Compiles the built-in patterns and the policy's formats into one regex, and again
    /// without the street-name-first pattern (see [`Reduced`]).
    pub(crate) fn new(
        policy_formats: &[(IdentifierKind, String, String)],
    ) -> Result<Patterns, String> {
        let (sources, meta) = sources(policy_formats);
        let search = LazySearch::new(&sources)?;
        // The built-in pattern, looked for after the policy's own formats (one of those could
        // be written the same; it is kept).
        let left_out = ascii_boundaries(&street_name_first());
        let skip = sources
            .iter()
            .enumerate()
            .skip(policy_formats.len())
            .find(|(_, source)| **source == left_out)
            .map(|(i, _)| i)
            .ok_or("the street-name-first pattern is missing")?;
        let mut kept = Vec::with_capacity(sources.len());
        let mut full_index = Vec::with_capacity(sources.len());
        for (i, source) in sources.iter().enumerate() {
            if i != skip {
                kept.push(source.as_str());
                full_index.push(PatternID::new(i).map_err(|e| e.to_string())?);
            }
        }
        let reduced = Reduced {
            search: LazySearch::new(&kept)?,
            full_index,
            gate: StreetGate::new(),
        };
        Ok(Patterns {
            search,
            reduced,
            meta,
        })
    }
}

/// A test that a text may hold a match of the street-name-first pattern
/// ([`street_name_first`]): false only when it provably cannot (a superset of the texts it
/// matches in; a false "may" only costs the search the smaller regex's speed). That pattern,
/// Unicode off (so `\s` is ASCII whitespace, tab, line feed, vertical tab, form feed, carriage
/// return and space, and case is ASCII case), needs a street suffix word right after
/// whitespace, then an optional `.`, an optional `,`, whitespace, and a digit. So the test looks
/// at each digit that follows whitespace (`\s+[0-9]`, most texts have none) and reads back
/// over that whitespace, a `,`, a `.` and the word before them: the digit may start a house
/// number only if that word, whole, is a suffix in any ASCII case (compared by [`street_key`],
/// which lets through a few more words than the suffixes: a longer word that ends in one of
/// the eight-byte suffixes, and some bytes beyond ASCII in place of others; "straße" is
/// compared by its UTF-8 bytes, as the regex matches it).
pub(crate) struct StreetGate {
    /// The suffixes of [`STREET_SUFFIX`] as [`street_key`]s.
    keys: Vec<u64>,
    /// A bit for each key ([`filter_bit`]).
    filter: [u64; 4],
    /// The longest suffix's length in bytes.
    longest: usize,
    /// The suffixes themselves, lower case, for tests.
    #[cfg(test)]
    suffixes: Vec<Box<[u8]>>,
}

impl StreetGate {
    fn new() -> StreetGate {
        let inner = STREET_SUFFIX
            .strip_prefix("(?:")
            .and_then(|s| s.strip_suffix(')'))
            .unwrap_or(STREET_SUFFIX);
        let mut suffixes: Vec<Box<[u8]>> = inner
            .split('|')
            .map(|s| s.as_bytes().to_ascii_lowercase().into_boxed_slice())
            .collect();
        suffixes.sort();
        suffixes.dedup();
        let longest = suffixes.iter().map(|s| s.len()).max().unwrap_or(0);
        let keys: Vec<u64> = suffixes.iter().map(|s| street_key(s)).collect();
        let mut filter = [0u64; 4];
        for &key in &keys {
            let bit = filter_bit(key);
            if let Some(word) = filter.get_mut(bit / 64) {
                *word |= 1 << (bit % 64);
            }
        }
        StreetGate {
            keys,
            filter,
            longest,
            #[cfg(test)]
            suffixes,
        }
    }

    /// Whether the street-name-first pattern may match somewhere in `bytes`. Thirty-two bytes
    /// at a time, most of which hold no digit and cost one test; in those that do, eight bytes
    /// at a time, the digits after whitespace marked all at once and each read back from.
    pub(crate) fn may_match(&self, bytes: &[u8]) -> bool {
        // Thirty-two bytes with no digit in one test (the compiler makes it a vector
        // compare).
        let mut blocks = bytes.chunks_exact(32);
        for (i, block) in blocks.by_ref().enumerate() {
            if any_digit(block) && self.any_in_chunks(bytes, 32 * i, block) {
                return true;
            }
        }
        if blocks.remainder().is_empty() {
            return false;
        }
        // The last bytes: in a text of 32 bytes or more, its last 32 as one more block (the
        // bytes it shares with the block before are looked at again, which answers the same,
        // and cost less than skipping them), where a loop over the rest, eight bytes and then
        // one at a time, mispredicted its exit about twice a post; a shorter text eight bytes
        // at a time.
        match bytes.last_chunk::<32>() {
            Some(last) => any_digit(last) && self.any_in_chunks(bytes, bytes.len() - 32, last),
            None => self.may_match_short(bytes),
        }
    }

    /// [`StreetGate::may_match`] for a text shorter than 32 bytes: eight bytes at a time, then
    /// the last bytes, read as the text's last eight moved down (byte by byte in a text shorter
    /// than that), with zeros after them (neither digits nor whitespace).
    #[cold]
    #[inline(never)]
    fn may_match_short(&self, bytes: &[u8]) -> bool {
        let (eights, tail) = bytes.split_at(bytes.len() / 8 * 8);
        if self.any_in_chunks(bytes, 0, eights) {
            return true;
        }
        if tail.is_empty() {
            return false;
        }
        let last = match bytes.last_chunk::<8>() {
            Some(eight) => u64::from_le_bytes(*eight) >> (64 - 8 * tail.len()),
            None => tail.iter().rev().fold(0, |x, &b| x << 8 | u64::from(b)),
        };
        self.any_in(bytes, bytes.len() - tail.len(), last)
    }

    /// [`StreetGate::may_match`] for `chunk`, which is `bytes` from `at` on, in whole eights.
    #[inline(always)]
    fn any_in_chunks(&self, bytes: &[u8], at: usize, chunk: &[u8]) -> bool {
        chunk.chunks_exact(8).enumerate().any(|(j, eight)| {
            <[u8; 8]>::try_from(eight)
                .is_ok_and(|eight| self.any_in(bytes, at + 8 * j, u64::from_le_bytes(eight)))
        })
    }

    /// [`StreetGate::may_match`] for the eight bytes `x` of `bytes` from `at` on.
    #[inline(always)]
    fn any_in(&self, bytes: &[u8], at: usize, x: u64) -> bool {
        let digits = crate::names::bytes_between(x, b'0', b'9');
        if digits == 0 {
            return false;
        }
        // Byte i of `before` is the byte before byte i of `x`.
        let previous = at.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        let before = x << 8 | u64::from(previous.unwrap_or(0));
        let mut starts = digits & space_flags(before);
        while starts != 0 {
            let digit = at + starts.trailing_zeros() as usize / 8;
            if self.suffix_before(bytes, digit) {
                return true;
            }
            starts &= starts - 1;
        }
        false
    }

    /// Whether the digit at `digit`, after whitespace, follows a street suffix (and its
    /// optional `.` and `,`) and that whitespace.
    #[inline(never)]
    fn suffix_before(&self, bytes: &[u8], digit: usize) -> bool {
        let at = |i: usize| i.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        let mut end = digit;
        while at(end).is_some_and(crate::text::is_ascii_space) {
            end -= 1;
        }
        if at(end) == Some(b',') {
            end -= 1;
        }
        if at(end) == Some(b'.') {
            end -= 1;
        }
        // The word back to the whitespace before it (or the text's start), as a key: its last
        // eight bytes, the last lowest, read at once (the text's start taken as whitespace).
        let eight = end
            .checked_sub(8)
            .and_then(|from| bytes.get(from..end))
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or_else(
                || {
                    let head = bytes.get(..end).unwrap_or_default();
                    head.iter()
                        .fold(u64::from_be_bytes([b' '; 8]), |x, &b| x << 8 | u64::from(b))
                },
                u64::from_be_bytes,
            );
        let spaces = space_flags(eight);
        let key = eight | 0x2020_2020_2020_2020;
        let key = if spaces != 0 {
            // The word is shorter than eight bytes: the bytes after the last whitespace.
            let len = spaces.trailing_zeros() / 8;
            if len == 0 {
                return false;
            }
            key & (u64::MAX >> (64 - 8 * len))
        } else {
            // Eight bytes or more: no longer than the longest suffix.
            // Its start: after the last whitespace in the bytes before its last eight, looked for
            // no farther back than one byte past the longest suffix.
            let from = end.saturating_sub(self.longest + 1);
            let start = bytes
                .get(from..end - 8)
                .and_then(|head| head.iter().rposition(|&b| crate::text::is_ascii_space(b)))
                .map_or(from, |i| from + i + 1);
            let len = end - start;
            if len > self.longest {
                return false;
            }
            key
        };
        self.holds(key)
    }

    /// Whether `key` is a suffix's: the filter first (most words are turned away by one bit),
    /// then the keys themselves.
    #[inline]
    fn holds(&self, key: u64) -> bool {
        let bit = filter_bit(key);
        let in_filter = self
            .filter
            .get(bit / 64)
            .is_some_and(|word| word >> (bit % 64) & 1 != 0);
        in_filter && self.keys.contains(&key)
    }
}

/// Whether `block` holds an ASCII digit, with no branch per byte (a vector compare).
#[inline(always)]
fn any_digit(block: &[u8]) -> bool {
    block.iter().fold(false, |any, b| any | b.is_ascii_digit())
}

/// A word's key for [`StreetGate`]: its last eight bytes (all of a shorter word), each with bit
/// 5 set, packed with the last byte lowest. Bit 5 makes an ASCII capital its small letter, and
/// no other byte a letter; no byte becomes zero, so words of up to eight bytes and of different lengths differ (longer
/// words are told apart by length in [`StreetGate::may_match`], or let through).
fn street_key(word: &[u8]) -> u64 {
    word.iter()
        .fold(0, |key, &b| key << 8 | u64::from(b | 0x20))
}

/// Where a [`street_key`] falls in [`StreetGate`]'s 256-bit filter.
fn filter_bit(key: u64) -> usize {
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize
}

/// Bit 7 of each byte of `x` that is whitespace as `\s` takes it (see
/// [`crate::text::is_ascii_space`]).
fn space_flags(x: u64) -> u64 {
    use crate::names::bytes_between;
    bytes_between(x, b'\t', b'\r') | bytes_between(x, b' ', b' ')
}

/// The patterns' sources (ASCII word boundaries) and what their matches mean, in priority order.
pub(crate) fn sources(
    policy_formats: &[(IdentifierKind, String, String)],
) -> (Vec<String>, Vec<PatternMeta>) {
    {
        let mut sources = Vec::new();
        let mut meta = Vec::new();
        // The policy's own formats first: on a tie they win over the generic shapes.
        for (kind, name, pattern) in policy_formats {
            sources.push(ascii_boundaries(pattern));
            meta.push(PatternMeta {
                kind: *kind,
                rule: format!("phi.{}", name.to_lowercase().replace(' ', "_")).into(),
                needs: Needs::Nothing,
                keep: Keep::Whole,
                check: Check::None,
            });
        }
        for (kind, rule, needs, keep, check, pattern) in built_in() {
            sources.push(ascii_boundaries(&pattern));
            meta.push(PatternMeta {
                kind,
                rule: SharedStr::from_static(rule),
                needs,
                keep,
                check,
            });
        }
        (sources, meta)
    }
}

/// Little words that end an address block: an address line never holds them.
const NOT_PLACE: &[&str] = &[
    "and",
    "the",
    "for",
    "please",
    "call",
    "me",
    "when",
    "you",
    "is",
    "are",
    "was",
    "to",
    "of",
    "in",
    "at",
    "on",
    "my",
    "i",
    "it",
    "this",
    "that",
    "with",
    "from",
    "be",
    "we",
    "our",
    "your",
    "here",
    "there",
    "if",
    "or",
    "but",
    "by",
    "thanks",
    "thank",
    "phone",
    "email",
    "e-mail",
    "mobile",
    "fax",
    "desk",
    "tel",
    "office",
    "name",
    "date",
    "address",
    "website",
    "regards",
    "best",
    "sincerely",
    "dear",
    "hi",
    "hello",
    "room",
    "bed",
    "last",
    "night",
    "after",
    "before",
    "he",
    "she",
    "they",
];

/// Lower-case words inside place names ("Caxias do Sul", "Begunje na Gorenjskem").
const PARTICLES: &[&str] = &[
    "de", "do", "da", "das", "dos", "del", "della", "di", "du", "des", "na", "nad", "pod", "am",
    "an", "der", "den", "la", "le", "les", "sur", "en", "y", "nan", "van", "von", "op", "aan",
    "ter", "im", "bei", "upon", "u", "ul", "út", "tér",
];

crate::text::word_set!(NOT_PLACE_SET = NOT_PLACE);
crate::text::word_set!(PARTICLE_SET = PARTICLES);

/// Words that introduce a flat or box number ("Apt. 595", "Suite 282").
const UNIT_WORDS: &[&str] = &[
    "apt",
    "apartment",
    "suite",
    "ste",
    "unit",
    "flat",
    "box",
    "#",
];

/// Extends an address that ends at `end` over what follows it on the same line and on the next
/// lines when they read as the rest of an address block: flat or suite numbers, a town, a region
/// code, a country, a postcode ("6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677").
/// Reads at most five short lines: linear in the text.
pub(crate) fn extend_address(text: &str, end: usize, upper_case_only: bool) -> usize {
    let bytes = text.as_bytes();
    let mut end = end;
    let mut pos = end;
    let mut lines = 0;
    let mut postcode = false;
    loop {
        let (committed, stop, saw_postcode) = place_line(text, pos, upper_case_only);
        if committed > end {
            end = committed;
        }
        postcode |= saw_postcode;
        if stop || postcode || lines >= 4 {
            return end;
        }
        // Next line: the rest of this one must have been taken whole.
        let mut p = end;
        while p < bytes.len() && matches!(bytes[p], b' ' | b'\t' | b',' | b'\r') {
            p += 1;
        }
        if bytes.get(p) != Some(&b'\n') {
            return end;
        }
        p += 1;
        // One blank line may stand inside a block; quoted-mail prefixes (">", "???") are skipped.
        let mut breaks = 0;
        while p < bytes.len() && matches!(bytes[p], b' ' | b'\t' | b'>' | b'?' | b'\r' | b'\n') {
            if bytes[p] == b'\n' {
                breaks += 1;
                if breaks > 1 {
                    return end;
                }
            }
            p += 1;
        }
        pos = p;
        lines += 1;
    }
}

/// The length of the place token at the start of `rest`: letters, digits, inner hyphens and
/// apostrophes, a '#' first; 0 where there is none, or where it runs past 64 bytes.
fn token_len(rest: &str) -> usize {
    let mut len = 0;
    for (i, c) in rest.char_indices() {
        if i > 64 {
            // No place word is this long: stop reading (keeps a huge token cheap).
            return 0;
        }
        // '∆' (the increment sign) stands for 'Δ' in Greek typed on some keyboards.
        if alphanumeric(c)
            || (matches!(c, '-' | '\'' | '\u{2206}') && i > 0)
            || (c == '#' && i == 0)
        {
            len = i + c.len_utf8();
        } else {
            break;
        }
    }
    len
}

/// `char::is_alphanumeric`, with the letters of addresses beyond ASCII told without the
/// Unicode tables: Latin-1's (all but `×` and `÷`), Latin Extended-A's and the basic Greek and
/// Cyrillic alphabets (a test checks these ranges against the tables).
#[inline]
fn alphanumeric(c: char) -> bool {
    match c {
        '\u{c0}'..='\u{17f}' => c != '×' && c != '÷',
        '\u{391}'..='\u{3a1}' | '\u{3a3}'..='\u{3a9}' | '\u{3ac}'..='\u{3ce}' => true,
        '\u{400}'..='\u{45f}' => true,
        _ => c.is_alphanumeric(),
    }
}

/// Per ASCII byte: bit 0 when it continues a place token (a letter, a digit, a hyphen, an
/// apostrophe), bit 1 when it may start one (a letter, a digit, '#').
const TOKEN_BYTES: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = 0b11;
        } else if c == b'-' || c == b'\'' {
            t[b] = 0b01;
        } else if c == b'#' {
            t[b] = 0b10;
        }
        b += 1;
    }
    t
};

/// [`token_len`] for a token of ASCII bytes, eight bytes at a time: the token's bytes are a
/// mask and its end the lowest clear bit, with no branch per byte (the character loop
/// mispredicted its exit at most tokens). With the length, the first eight bytes read (0 past
/// the text's end) as a little-endian number, for [`unit_key`]. `None` when a byte beyond ASCII
/// is met before the token ends, or the token reaches 64 bytes: [`token_len`] then decides.
fn ascii_token_len(bytes: &[u8]) -> Option<(usize, u64)> {
    let mut first = 0;
    let mut at = 0;
    while at < 64 {
        let mut chunk = [0u8; 8];
        let tail = bytes.get(at..).unwrap_or(&[]);
        let n = tail.len().min(8);
        chunk[..n].copy_from_slice(&tail[..n]);
        let mut cont = 0u32;
        let mut high = 0u32;
        for (k, &b) in chunk.iter().enumerate() {
            let t = TOKEN_BYTES.get(usize::from(b & 0x7f)).copied().unwrap_or(0);
            cont |= u32::from(t & 1) << k;
            high |= u32::from(b >> 7) << k;
        }
        cont &= !high;
        if at == 0 {
            let start = TOKEN_BYTES
                .get(usize::from(chunk[0] & 0x7f))
                .copied()
                .unwrap_or(0);
            cont = cont & !1 | u32::from(start >> 1 & 1);
            first = u64::from_le_bytes(chunk);
        }
        // Bytes beyond ASCII are no part of `cont`, so the run stops at the first of them.
        let run = (!cont).trailing_zeros();
        if high >> run & 1 != 0 {
            return None;
        }
        if run < 8 {
            return Some((at + run as usize, first));
        }
        at += 8;
    }
    None
}

/// A word of up to eight bytes as a little-endian number, 0 after its end.
pub(crate) const fn word_key(word: &[u8]) -> u64 {
    let mut key = 0u64;
    let mut i = 0;
    while i < word.len() && i < 8 {
        key |= (word[i] as u64) << (8 * i);
        i += 1;
    }
    key
}

/// The words of [`UNIT_WORDS`] of up to eight bytes, as [`word_key`]s.
const UNIT_KEYS: [u64; 7] = [
    word_key(b"apt"),
    word_key(b"suite"),
    word_key(b"ste"),
    word_key(b"unit"),
    word_key(b"flat"),
    word_key(b"box"),
    word_key(b"#"),
];

/// Whether an ASCII token of `len` bytes, whose first eight bytes read `first` (as
/// [`ascii_token_len`] gives them) and whose ninth is `ninth`, is one of [`UNIT_WORDS`], ASCII
/// case ignored: compares with every unit word at once, where the walk over the list
/// (`eq_any`) branched on each word's length. A token's bytes are letters, digits, '-', '\''
/// and '#', which setting bit 5 leaves alone but for capitals, which it makes small; it holds
/// no 0 byte, so the key's zeros after its end tell its length.
fn unit_key(first: u64, len: usize, ninth: Option<u8>) -> bool {
    let mask = u64::MAX >> (8 * (8 - len.clamp(1, 8)));
    let key = (first | 0x2020_2020_2020_2020) & mask;
    let short = UNIT_KEYS.iter().fold(false, |any, &k| any | (k == key));
    let apartment =
        (key == word_key(b"apartmen")) & (len == 9) & (ninth.map_or(0, |b| b | 0x20) == b't');
    short | apartment
}

/// Reads place tokens on one line from `from`. Returns the end of the last token that may end the
/// address, whether to stop after this line, and whether a postcode was seen.
fn place_line(text: &str, from: usize, upper_case_only: bool) -> (usize, bool, bool) {
    let bytes = text.as_bytes();
    let mut p = from;
    let mut commit = from;
    let mut last_token_end = from;
    let mut tokens = 0;
    let mut postcode = false;
    let mut after_unit = false;
    let mut pending_postcode = false;
    let mut caps_chain = false;
    // The tokens since the last commit follow a comma ("Birchwood Lane, Riverton 🏡"), or end
    // in a postcode ("Oak Hollow 04871 because"): they stay when the line goes on otherwise.
    let mut comma_segment = false;
    let soft = |commit: usize, last: usize, comma_segment: bool, pending: bool| {
        if comma_segment || pending {
            last
        } else {
            commit
        }
    };
    loop {
        // Separators.
        let mut comma = false;
        while p < bytes.len() && matches!(bytes[p], b' ' | b'\t' | b',' | b'(' | b')' | b'\r') {
            comma |= bytes[p] == b',';
            p += 1;
        }
        if comma && tokens > 0 {
            commit = last_token_end;
            postcode |= pending_postcode;
        }
        if comma {
            comma_segment = true;
        }
        if p >= bytes.len() || bytes[p] == b'\n' {
            if tokens > 0 {
                commit = last_token_end;
                postcode |= pending_postcode;
            }
            return (commit, false, postcode);
        }
        // A token: letters, digits, inner hyphens and apostrophes.
        let start = p;
        let rest = text.get(p..).unwrap_or("");
        // The token's first eight bytes as a number when it is ASCII (see `unit` below).
        let (len, first) = match ascii_token_len(bytes.get(p..).unwrap_or(&[])) {
            Some((len, first)) => (len, Some(first)),
            None => (token_len(rest), None),
        };
        if len == 0 {
            // Any other character ends the address here.
            return (
                soft(commit, last_token_end, comma_segment, pending_postcode),
                true,
                postcode || pending_postcode,
            );
        }
        let token = rest.get(..len).unwrap_or("");
        p = start + len;
        tokens += 1;
        let digits = token.bytes().filter(u8::is_ascii_digit).count();
        let ok = if after_unit {
            digits > 0 || token.len() <= 4
        } else if digits > 0 {
            token.len() <= 8
        } else if !upper_case_only
            && token.len() == 2
            && token.bytes().all(|b| b.is_ascii_uppercase())
        {
            // A region code ("Toronto, ON", "OULU NO"), even when it spells a little word.
            true
        } else if NOT_PLACE_SET.contains(token) {
            false
        } else if upper_case_only {
            true
        } else {
            token.chars().next().is_some_and(char::is_uppercase) || PARTICLE_SET.contains(token)
        };
        if !ok || tokens > 8 {
            return (
                soft(commit, last_token_end, comma_segment, pending_postcode),
                true,
                postcode || pending_postcode,
            );
        }
        let unit = digits == 0
            && match first {
                Some(first) => unit_key(first, len, bytes.get(start + 8).copied()),
                None => crate::text::eq_any(UNIT_WORDS, token),
            };
        let unit_number = after_unit && digits > 0;
        let caps = digits == 0 && token.len() >= 2 && !token.chars().any(char::is_lowercase);
        pending_postcode = !unit && !after_unit && digits >= 3;
        after_unit = unit;
        last_token_end = p;
        // "Suite 274", and a town in capitals right after it ("Apt. 501 POLSING OO"), belong to
        // the address whatever follows on the line.
        if unit_number || caps_chain && caps && !upper_case_only {
            commit = p;
            caps_chain = true;
        } else {
            caps_chain = false;
        }
        // A dot: an abbreviation ("Apt.", "u.") before more of the line, else the end of a sentence.
        if bytes.get(p) == Some(&b'.') {
            let next = bytes.get(p + 1).copied();
            let sentence_end = next.is_none_or(|b| b == b'\n')
                || next == Some(b' ') && !unit && digits > 0
                || next == Some(b' ') && !unit && token.len() > 3
                || next == Some(b' ') && caps && token.len() == 2 && !upper_case_only;
            p += 1;
            if sentence_end {
                postcode |= pending_postcode;
                return (last_token_end, true, postcode);
            }
            last_token_end = p;
        } else if matches!(bytes.get(p), Some(b'?' | b'!' | b';' | b':')) {
            if bytes.get(p) == Some(&b':') {
                return (commit, true, postcode);
            }
            postcode |= pending_postcode;
            return (last_token_end, true, postcode);
        }
    }
}

/// Whether `start..end` is a rating out of ten, as posts give one ("10/10 would stay again",
/// "10/10 vibes", "rated it 9/10"): a number up to ten over 10, with a rating's word after or
/// before it.
pub(crate) fn rating(text: &str, start: usize, end: usize) -> bool {
    let Some(score) = text.get(start..end).and_then(|m| m.strip_suffix("/10")) else {
        return false;
    };
    if !matches!(score.parse::<u8>(), Ok(0..=10)) {
        return false;
    }
    // Only the words beside the match are read (a copy of the rest of a long text at each date
    // made it quadratic).
    let bytes = text.as_bytes();
    let after = bytes.get(end..).unwrap_or_default();
    let after = after.get(after.iter().take_while(|b| b.is_ascii_whitespace()).count()..);
    let after = after.unwrap_or_default();
    let before = bytes.get(..start).unwrap_or_default();
    let before = before
        .get(
            ..before.len()
                - before
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count(),
        )
        .unwrap_or_default();
    let starts = |w: &str| {
        after
            .get(..w.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(w.as_bytes()))
    };
    // A word right before, whole ("rated 9/10", not "separated 9/10").
    let ends = |w: &str| {
        before.len() >= w.len()
            && before
                .get(before.len() - w.len()..)
                .is_some_and(|t| t.eq_ignore_ascii_case(w.as_bytes()))
            && !before
                .get(..before.len() - w.len())
                .and_then(|h| h.last())
                .is_some_and(u8::is_ascii_alphabetic)
    };
    [
        "would",
        "vibes",
        "recommend",
        "no notes",
        "stars",
        "experience",
        "do not recommend",
    ]
    .iter()
    .any(|w| starts(w))
        || ["rate", "rated", "rating", "solid", "a"]
            .iter()
            .any(|w| ends(w))
}

/// Words that make digit groups a phone number when they stand just before them (on the same
/// line or the line above: "Phone:\n60-56-85-91") or right after them ("781 1704 office").
pub(crate) fn phone_cue(text: &str, start: usize, end: usize) -> bool {
    let digits = text
        .get(start..end)
        .unwrap_or("")
        .bytes()
        .filter(u8::is_ascii_digit)
        .count();
    if !(7..=13).contains(&digits) {
        return false;
    }
    let bytes = text.as_bytes();
    let mut from = start.saturating_sub(40);
    let head = bytes.get(from..start).unwrap_or(&[]);
    // At most one line break back.
    if let Some(nl) = head.iter().rposition(|&b| b == b'\n') {
        if let Some(nl2) = head
            .get(..nl)
            .and_then(|h| h.iter().rposition(|&b| b == b'\n'))
        {
            from += nl2 + 1;
        }
    }
    // The words are in lower case: the text around is lower-cased once (at most 40 bytes),
    // and a window is compared only when its first byte matches.
    let has = |hay: &[u8], words: &[&str]| {
        let mut buf = [0u8; 64];
        let Some(lower) = buf.get_mut(..hay.len()) else {
            return words.iter().any(|w| {
                hay.windows(w.len())
                    .any(|win| win.eq_ignore_ascii_case(w.as_bytes()))
            });
        };
        lower.copy_from_slice(hay);
        lower.make_ascii_lowercase();
        let lower = &*lower;
        words.iter().any(|w| {
            let w = w.as_bytes();
            lower
                .windows(w.len())
                .any(|win| win.first() == w.first() && win == w)
        })
    };
    const BEFORE: &[&str] = &[
        "phone",
        "tel",
        "mobile",
        "cell",
        "call",
        "fax",
        "desk",
        "messages",
        "answering",
        "whatsapp",
        "text me",
        "contact",
        "reach",
        "dial",
    ];
    const AFTER: &[&str] = &["office", "mobile", "cell", "home", "fax", "work"];
    let tail = bytes.get(end..(end + 10).min(bytes.len())).unwrap_or(&[]);
    has(bytes.get(from..start).unwrap_or(&[]), BEFORE) || has(tail, AFTER)
}

/// Luhn checksum over the digits of `s`.
pub(crate) fn luhn(s: &str) -> bool {
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() < 13 || digits.iter().all(|&d| d == digits[0]) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// IBAN mod-97 checksum.
pub(crate) fn iban(s: &str) -> bool {
    let compact: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 15 {
        return false;
    }
    let rearranged = compact.iter().skip(4).chain(compact.iter().take(4));
    let mut rem: u64 = 0;
    for c in rearranged {
        let v = match c.to_digit(36) {
            Some(v) => v as u64,
            None => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// The value part of a cue-led match: from the first character that starts a value containing a
/// digit, after the cue words and separators.
pub(crate) fn value_start(matched: &str) -> usize {
    // The value is the last run that follows the cue and its separators.
    let mut idx = 0;
    // A separator is followed by a digit somewhere when one stands after it.
    let last_digit = matched.bytes().rposition(|b| b.is_ascii_digit());
    if last_digit.is_none() {
        // A number in words after its verb ("is ninety-three"): the words after the verb.
        return matched.find(char::is_whitespace).map_or(0, |i| {
            i + matched
                .get(i..)
                .map_or(0, |r| r.len() - r.trim_start().len())
        });
    }
    for (i, _) in matched.match_indices(|c: char| c.is_whitespace() || matches!(c, ':' | '#' | '('))
    {
        let Some(rest) = matched.get(i + 1..) else {
            continue;
        };
        if last_digit.is_some_and(|d| d > i) && !rest.starts_with([' ', ':', '#', '(']) {
            idx = i + 1;
            if looks_like_value(rest) {
                break;
            }
        }
    }
    idx
}

fn looks_like_value(rest: &str) -> bool {
    rest.chars()
        .take_while(|c| !c.is_whitespace())
        .any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn address_letters_are_told_as_the_unicode_tables_do() {
        for u in 0x80..0x500 {
            if let Some(c) = char::from_u32(u) {
                assert_eq!(alphanumeric(c), c.is_alphanumeric(), "U+{u:04X}");
            }
        }
    }

    #[test]
    fn ascii_token_len_agrees_with_token_len() {
        let mut texts: Vec<String> = [
            "",
            "#",
            "#12",
            "-ab",
            "'ab",
            "ab-cd's",
            "Koskikatu 25",
            "abcdefgh",
            "abcdefghi",
            "abcdefg",
            "12345678 x",
            "Artilleros\n",
            "Ωmega",
            "abcü",
            "abcdefgü",
            "a∆b",
            "a#b",
            "a\0b",
            "##",
            "a.b",
            "Apt",
            "APT.",
            "apartment",
            "Apartments",
            "APARTMENT 4",
            "apartmen",
            "Suite",
            "SUITE#",
            "unit-3",
            "Unit",
            "flat",
            "FLATS",
            "box",
            "#",
            "#4",
            "ste",
            "Ste.",
            "apartmenT",
            "apartmenu",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for n in 60..70 {
            texts.push("a".repeat(n));
            texts.push(format!("{} x", "b".repeat(n)));
        }
        for line in include_str!("../../../corpora/presidio.jsonl").lines() {
            texts.push(line.to_string());
        }
        for t in &texts {
            for (p, _) in t.char_indices() {
                let rest = &t[p..];
                if let Some((len, first)) = ascii_token_len(rest.as_bytes()) {
                    assert_eq!(len, token_len(rest), "{rest:?}");
                    if len > 0 {
                        let token = &rest[..len];
                        assert_eq!(
                            unit_key(first, len, rest.as_bytes().get(8).copied()),
                            crate::text::eq_any(UNIT_WORDS, token),
                            "{rest:?}"
                        );
                    }
                }
            }
        }
    }

    use super::*;

    #[test]
    fn luhn_accepts_test_cards_and_refuses_typos() {
        assert!(luhn("4111 1111 1111 1111"));
        assert!(!luhn("4111 1111 1111 1112"));
    }

    #[test]
    fn iban_checksum() {
        assert!(iban("GB82 WEST 1234 5698 7654 32"));
        assert!(!iban("GB82 WEST 1234 5698 7654 33"));
    }

    #[test]
    fn value_after_cue() {
        let m = "account number: 12345678";
        assert_eq!(m.get(value_start(m)..), Some("12345678"));
        let m = "member ID W123456789";
        assert_eq!(m.get(value_start(m)..), Some("W123456789"));
    }

    #[test]
    fn address_blocks_extend_over_town_country_and_postcode() {
        let t = "6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677\nThanks!";
        let end = extend_address(t, "6750 Koskikatu 25".len(), false);
        assert_eq!(
            &t[..end],
            "6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677"
        );
        let t = "14 Maple Ave, Fairview 04812. Message me!";
        assert_eq!(
            &t[..extend_address(t, 12, false)],
            "14 Maple Ave, Fairview 04812"
        );
        let t = "77 Harbor Road for his wound check";
        assert_eq!(extend_address(t, 14, false), 14);
    }

    #[test]
    fn phone_digit_groups_need_a_cue() {
        let t = "Phone:\n60-56-85-91";
        assert!(phone_cue(t, 7, t.len()));
        let t = "we had 60-56-85-91 votes";
        assert!(!phone_cue(t, 7, 18));
    }

    #[test]
    fn post_office_boxes_and_cued_postcodes() {
        let Ok(p) = Patterns::new(&[]) else {
            panic!("patterns compile");
        };
        let found = |t: &'static str| p.search.regex().find(t).map(|m| &t[m.start()..m.end()]);
        assert_eq!(
            found("on 45818 P.O. Box 242 now"),
            Some("45818 P.O. Box 242")
        );
        assert_eq!(found("my zip code is 394 13"), Some("zip code is 394 13"));
        assert_eq!(found("ZIP: 3610-114"), Some("ZIP: 3610-114"));
    }

    /// The texts of both corpora with their lower- and upper-case variants and runs of posts
    /// joined, as the oracle scans them.
    fn corpus_texts() -> Vec<String> {
        let posts = crate::test_support::corpus_posts();
        let mut texts = Vec::new();
        for post in &posts {
            texts.push(post.clone());
            texts.push(post.to_lowercase());
            texts.push(post.to_uppercase());
        }
        for run in posts.chunks(7) {
            texts.push(run.join(" "));
        }
        texts
    }

    /// Texts made of pieces around a street written name first: prefixes, every suffix in
    /// three cases, the optional `.` and `,`, each kind of whitespace the regex's `\s` takes,
    /// digits and their neighbours.
    fn street_variants() -> Vec<String> {
        let gate = StreetGate::new();
        let words = [
            "Elm ",
            "lives at Calle ",
            "o'neil ",
            "St. ",
            "x-y ",
            "",
            "5 ",
            "é ",
        ];
        let spaces = [" ", "  ", "\t", "\n", "\x0B", "\x0C", "\r\n", "", "\u{a0}"];
        let tails = [".", ",", ".,", ",.", "", ".."];
        let numbers = ["42", "5b", "123456", "7, apt 3", "a1", "9"];
        let mut texts = Vec::new();
        let mut rng = crate::test_support::Rng::new(0x9e37_79b9_7f4a_7c15);
        let mut pick = |n: usize| rng.below(n);
        for suffix in &gate.suffixes {
            let suffix = String::from_utf8(suffix.to_vec()).unwrap();
            let cased = [
                suffix.clone(),
                suffix.to_ascii_uppercase(),
                suffix[..1].to_ascii_uppercase() + &suffix[1..],
            ];
            for cased in cased {
                for _ in 0..40 {
                    let mut text = String::new();
                    for _ in 0..pick(3) {
                        text.push_str(words[pick(words.len())]);
                    }
                    text.push_str(&cased);
                    text.push_str(tails[pick(tails.len())]);
                    text.push_str(spaces[pick(spaces.len())]);
                    if pick(4) == 0 {
                        text.push_str(spaces[pick(spaces.len())]);
                    }
                    text.push_str(numbers[pick(numbers.len())]);
                    texts.push(text);
                }
            }
        }
        texts
    }

    #[test]
    fn the_street_gate_may_match_wherever_the_street_name_first_pattern_matches() {
        let pattern = crate::ascii_regex::build(&[ascii_boundaries(&street_name_first())]).unwrap();
        let gate = StreetGate::new();
        let (mut matched, mut gated, mut total) = (0, 0, 0);
        for text in corpus_texts().iter().chain(&street_variants()) {
            let may = gate.may_match(text.as_bytes());
            if pattern.is_match(text.as_str()) {
                assert!(may, "the gate misses a street in {text:?}");
                matched += 1;
            }
            total += 1;
            gated += usize::from(may);
        }
        // The variants hold many streets; the gate still lets most texts through.
        assert!(matched > 1000, "{matched}");
        assert!(gated < total / 2, "{gated} of {total}");
    }

    #[test]
    fn the_street_gate_reads_the_word_before_the_number() {
        let gate = StreetGate::new();
        let may = |t: &str| gate.may_match(t.as_bytes());
        assert!(may("lives at Elm Street 42"));
        // A street start, not a suffix, before the name: the pattern cannot match (the names
        // pass finds this one).
        assert!(!may("Calle Mayor 5"));
        assert!(may("Mayor Calle 5"));
        assert!(may("Calle\x0B5"));
        assert!(may("Oak ST.,\t\t7"));
        assert!(may("Via Straße 8"));
        assert!(!may("lives at 42 Elm Street"));
        assert!(!may("call 555-123-4567 after 5"));
        assert!(!may("Elm Streets 42"));
        assert!(!may("Elm Street42"));
        assert!(!may("Elm st.. 42"));
        assert!(!may("a boulevards 9 and mainstreet 4"));
        assert!(!may(""));
        assert!(!may("7"));
        // Words of eight bytes and more.
        assert!(may("Grand BOULEVARD 9"));
        assert!(may("Boulevard 9"));
        assert!(may("old crossing, 4"));
        assert!(!may("old crossings 4"));
        assert!(!may("the boulevards 9"));
        assert!(!may("abcdefghij 4"));
        // Every place of the whitespace and the digit around the eight-byte steps, and in the
        // last 32 bytes of a longer text, read again as a block of their own.
        for pad in 0..80 {
            let lead = "a".repeat(pad);
            assert!(may(&format!("{lead} Elm St 4")), "{pad}");
            assert!(!may(&format!("{lead} Elm Stx 4")), "{pad}");
        }
    }

    #[test]
    fn the_smaller_regex_finds_what_the_full_one_finds_where_the_gate_lets_it() {
        // A policy format first, so that the index shift is across both kinds of pattern.
        let formats = [(
            IdentifierKind::Mrn,
            "MRN".to_owned(),
            r"\bMRN[0-9]{6}\b".to_owned(),
        )];
        let p = Patterns::new(&formats).unwrap();
        assert_eq!(p.meta.len(), p.reduced.full_index.len() + 1);
        let (mut served, mut total) = (0, 0);
        let mut texts = corpus_texts();
        texts.extend(street_variants());
        texts.push("MRN123456 at 42 Elm Street, call 555-123-4567 on 3/14/1950".to_owned());
        for text in &texts {
            total += 1;
            if !p.reduced.serves(text) {
                continue;
            }
            served += 1;
            let want: Vec<Match> = p.search.regex().find_iter(text.as_str()).collect();
            let mut got: Vec<Match> = p.reduced.search.regex().find_iter(text.as_str()).collect();
            p.reduced.to_full_index(&mut got);
            assert_eq!(got, want, "{text:?}");
        }
        assert!(served > total / 2, "{served} of {total}");
    }

    #[test]
    fn all_patterns_compile() {
        assert!(Patterns::new(&[]).is_ok());
    }
}
