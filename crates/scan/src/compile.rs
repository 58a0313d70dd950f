//! The scanner: a policy compiled into matchers, and the scan that runs them over a text.

use crate::ascii_regex::{self, LazyCache};
use crate::context::{self, ContextPhrases, Signal};
use crate::lexicon::{Hit, Lexicons, TermSpec};
use crate::names::{self, Allowed, Found};
use crate::org::{OrgMatcher, OrgScan, OrgTerm};
use crate::patterns::{self, Check, Keep, Needs, Patterns};
use crate::text::{self, CaseMode, Overlaps, Word};
use crate::{Channel, Context, Finding, Fix, Post, PostKind, Report, SharedStr};
use postguard_policy::{Category, IdentifierKind, LexiconAction, LexiconRole, Policy, Severity};
use regex_automata::Match;
use rustc_hash::FxHashSet;
use std::cell::RefCell;

/// A policy that could not be compiled into a scanner.
#[derive(Debug)]
pub enum BuildError {
    /// A pattern of the policy (or a built-in one) did not compile.
    Pattern(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Pattern(msg) => write!(f, "cannot compile the policy's patterns: {msg}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Settings of one category, resolved for fast use.
#[derive(Debug, Clone)]
struct RuleInfo {
    enabled: bool,
    severity: Severity,
    section: String,
}

#[derive(Debug, Clone)]
struct LexiconInfo {
    category: Category,
    /// The kinds of text it applies to (empty: all).
    kinds: Vec<PostKind>,
    role: LexiconRole,
    severity: Severity,
    /// `lexicon.<name>`.
    rule: SharedStr,
    /// What follows the quoted match in a finding's explanation.
    explanation_tail: String,
    fix: Fix,
}

/// Finding texts that depend only on the policy, written once when the scanner is built.
#[derive(Debug, Clone)]
struct Texts {
    /// For each identifier kind (in `IdentifierKind::ALL` order), its phi explanation.
    phi: Vec<SharedStr>,
    /// For each identifier kind (in `IdentifierKind::ALL` order), its placeholder (`[NAME]`).
    placeholders: Vec<SharedStr>,
    city_unattributed: SharedStr,
    name_staff: SharedStr,
    name_family: SharedStr,
    name_commenter: SharedStr,
    not_patient: SharedStr,
    contact_unattributed: SharedStr,
    medical_advice: SharedStr,
    security: SharedStr,
    /// A personal web address under the organisation's name.
    branded_url: SharedStr,
    /// What follows the detail's kind in an indirect identification's explanation.
    indirect_tail: String,
    /// What follows "... identifies your employer" in a missing disclaimer's explanation.
    disclaimer_tail: String,
    /// The missing disclaimer's fix: the disclaimer after a blank line.
    disclaimer_fix: SharedStr,
}

impl Texts {
    fn new(rules: &[RuleInfo], disclaimer: &str) -> Texts {
        let section = |c: Category| {
            Category::ALL
                .iter()
                .position(|&x| x == c)
                .and_then(|i| rules.get(i))
                .map_or("", |r| r.section.as_str())
        };
        let phi = section(Category::Phi);
        Texts {
            phi: IdentifierKind::ALL
                .iter()
                .map(|k| {
                    format!(
                        "This is {}, a HIPAA identifier that must not be posted without the patient's written consent (policy section \"{phi}\").",
                        k.describe()
                    )
                    .into()
                })
                .collect(),
            placeholders: IdentifierKind::ALL
                .iter()
                .map(|k| concat(&["[", k.label(), "]"]).into())
                .collect(),
            city_unattributed: format!(
                "This town can identify someone; if the text is about a patient, remove it, if it is about you, it is fine (policy section \"{phi}\")."
            )
            .into(),
            name_staff: format!(
                "This is also a colleague's name in the staff directory; if it is a patient or a patient's relative, remove it (policy section \"{phi}\")."
            )
            .into(),
            name_family: format!(
                "A name after \"my sister\", \"our son\": fine for your own family in a text that speaks of no patient, but never for a patient or a patient's relative (policy section \"{phi}\")."
            )
            .into(),
            name_commenter: format!(
                "In an answer that speaks of no patient, this is most likely the commenter's own name, public where they wrote it; if the answer confirms they or their relative were a patient, remove it (policy section \"{phi}\")."
            )
            .into(),
            contact_unattributed: format!(
                "In a text about no one, this contact detail is most likely an organisation's or your own; if it is a patient's or a patient's relative's, remove it (policy section \"{phi}\")."
            )
            .into(),
            not_patient: format!(
                "In a text about colleagues, friends or family that speaks of no patient, this is most likely theirs: fine for them, but never for a patient or a patient's relative (policy section \"{phi}\")."
            )
            .into(),
            medical_advice: format!(
                "This reads as medical advice to one person; online, staff give general information only and point people to their own clinician (policy section \"{}\").",
                section(Category::MedicalAdvice)
            )
            .into(),
            security: format!(
                "Passwords, access codes and internal system names are never posted (policy section \"{}\").",
                section(Category::Security)
            )
            .into(),
            branded_url: format!(
                "A personal web address may not use the organisation's name or logo unless approved (policy section \"{}\").",
                section(Category::HandleBranding)
            )
            .into(),
            indirect_tail: format!(
                ") can identify them even without a name (policy section \"{}\").",
                section(Category::IndirectPhi)
            ),
            disclaimer_tail: format!(
                " on a personal channel, so the post needs the disclaimer (policy section \"{}\").",
                section(Category::MissingDisclaimer)
            ),
            disclaimer_fix: concat(&["\n\n", disclaimer]).into(),
        }
    }

    /// The explanation of a phi rule that is only advice (the identifier may be the author's
    /// own: a town, a colleague, their family), or None for a rule that keeps its severity.
    fn advice(&self, rule: &str) -> Option<&SharedStr> {
        match rule {
            "phi.city_unattributed" => Some(&self.city_unattributed),
            "phi.name_staff" => Some(&self.name_staff),
            "phi.name_family" => Some(&self.name_family),
            "phi.name_commenter" => Some(&self.name_commenter),
            "phi.not_patient" => Some(&self.not_patient),
            "phi.contact_unattributed" => Some(&self.contact_unattributed),
            _ => None,
        }
    }

    fn phi(&self, kind: IdentifierKind) -> SharedStr {
        of_kind(&self.phi, kind)
    }

    fn placeholder(&self, kind: IdentifierKind) -> SharedStr {
        of_kind(&self.placeholders, kind)
    }
}

/// The entry of `kind` in a list in `IdentifierKind::ALL` order.
fn of_kind(list: &[SharedStr], kind: IdentifierKind) -> SharedStr {
    IdentifierKind::ALL
        .iter()
        .position(|&k| k == kind)
        .and_then(|i| list.get(i))
        .cloned()
        .unwrap_or_default()
}

/// The allowed words, and their filter for the name search.
struct AllowList(names::AllowFilter, FxHashSet<String>);

impl Allowed for AllowList {
    fn allows(&self, lower: &str) -> bool {
        self.1.contains(lower)
    }

    fn filter(&self) -> Option<&names::AllowFilter> {
        Some(&self.0)
    }
}

/// Titles before a staff member's name that make the name theirs ("Dr. Raman", "Nurse Jenna").
const STAFF_TITLES: &[&str] = &[
    "Dr.",
    "Dr",
    "Doctor",
    "Nurse",
    "Prof.",
    "Professor",
    "Mr.",
    "Mr",
    "Mrs.",
    "Mrs",
    "Ms.",
    "Ms",
    "Mx.",
    "Mx",
];

/// A policy compiled for scanning. Build it once with [`Scanner::new`]; scanning is `&self` and
/// thread-safe.
pub struct Scanner {
    rules: Vec<RuleInfo>,
    texts: Texts,
    patterns: Patterns,
    context: ContextPhrases,
    lexicons: Lexicons,
    lexicon_info: Vec<LexiconInfo>,
    /// For a post, a reply and a comment: whether each lexicon's hits count (see
    /// `LexiconInfo::kinds`).
    lexicons_for_kind: [Vec<bool>; 3],
    org: OrgMatcher,
    allow: AllowList,
    /// Words of staff and public figures' names: one of them alone is only advice.
    staff_words: FxHashSet<String>,
    public_phones: Vec<String>,
    org_domains: Vec<String>,
    official_handles: FxHashSet<String>,
    logo_words: Vec<String>,
    /// What is legal in the policy but makes scanning slower (see [`Scanner::warnings`]).
    warnings: Vec<String>,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("lexicons", &self.lexicon_info.len())
            .field("patterns", &self.patterns.meta.len())
            .finish_non_exhaustive()
    }
}

/// The position of `category` in `Category::ALL`, which lists the categories in the order they
/// are declared (a test checks it): no search.
fn slot(category: Category) -> usize {
    category as usize
}

/// The pieces one after the other, in a string allocated once.
fn concat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

/// The pieces one after the other, written in `buffer` (a scan's, kept from one text to the
/// next) and copied into one new shared string: one allocation.
fn shared_concat(buffer: &mut String, pieces: &[&str]) -> SharedStr {
    buffer.clear();
    for piece in pieces {
        buffer.push_str(piece);
    }
    SharedStr::from(buffer.as_str())
}

/// The key of the word "in" (`text::Word::key`: its letters in lower case, little-endian).
const IN_KEY: u64 = u64::from_le_bytes(*b"in\0\0\0\0\0\0");

/// Fix hints that do not depend on the policy.
const INDIRECT_HINT: SharedStr = SharedStr::from_static(
    "Leave out the time, place, event, age or condition that could point to the patient, or get their written consent.",
);
const ADVICE_HINT: SharedStr = SharedStr::from_static(
    "Share general information only, and suggest they talk to their own doctor or call us privately.",
);
const URL_HINT: SharedStr = SharedStr::from_static(
    "Use an address without the organisation's name, or ask the social media team to approve it.",
);
const HANDLE_HINT: SharedStr = SharedStr::from_static(
    "Choose a handle without the organisation's name, or ask the social media team to approve it.",
);

/// The first run of ASCII digits in `s` as a number, or `None` when there is none or it does
/// not fit a `u32` (what parsing the run, collected into a string, would answer).
fn first_number(s: &str) -> Option<u32> {
    let mut run = s
        .bytes()
        .skip_while(|b| !b.is_ascii_digit())
        .take_while(u8::is_ascii_digit)
        .peekable();
    run.peek()?;
    run.try_fold(0u32, |n, d| {
        n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Calls `f` with `word` in lower case (`str::to_lowercase`), without allocating for a short
/// ASCII word.
fn with_lowercase<T>(word: &str, f: impl FnOnce(&str) -> T) -> T {
    let mut buf = [0u8; 32];
    match buf.get_mut(..word.len()) {
        Some(lower) if word.is_ascii() => {
            lower.copy_from_slice(word.as_bytes());
            lower.make_ascii_lowercase();
            f(std::str::from_utf8(lower).unwrap_or_default())
        }
        _ => f(&word.to_lowercase()),
    }
}

/// `word` contains `.com`, `.net`, `.org`, `.blog` or `http`, ignoring ASCII case: in one pass
/// that looks further only at a dot or an `h`.
fn mentions_web_address(word: &str) -> bool {
    let bytes = word.as_bytes();
    let at = |i: usize, part: &[u8]| {
        bytes
            .get(i..i + part.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(part))
    };
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'.' => at(i + 1, b"com") || at(i + 1, b"net") || at(i + 1, b"org") || at(i + 1, b"blog"),
        b'h' | b'H' => at(i, b"http"),
        _ => false,
    })
}

/// The bounds of the word around the byte `dot` (not whitespace) of `text`, as
/// `split_whitespace` draws them: from after the whitespace before it (or the start) to the
/// whitespace after it (or the end). The bytes are read one at a time while they are ASCII,
/// and only a character beyond it sends the search to [`char::is_whitespace`] (the words
/// around a dot are short: a search through the `str` methods cost more than the rest of
/// [`Scanner::handle_findings`]).
fn dotted_word(text: &str, dot: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut start = dot;
    while let Some(&b) = start.checked_sub(1).and_then(|i| bytes.get(i)) {
        if b >= 0x80 {
            start = spaced_word(text, dot).0;
            break;
        }
        if text::is_ascii_space(b) {
            break;
        }
        start -= 1;
    }
    let mut end = dot;
    while let Some(&b) = bytes.get(end) {
        if b >= 0x80 {
            end = spaced_word(text, dot).1;
            break;
        }
        if text::is_ascii_space(b) {
            break;
        }
        end += 1;
    }
    (start, end)
}

/// The run of non-whitespace characters around byte `dot` (Unicode whitespace, through the
/// `str` methods): what [`dotted_word`] falls back to beside a byte beyond ASCII.
fn spaced_word(text: &str, dot: usize) -> (usize, usize) {
    let start = text
        .get(..dot)
        .and_then(|head| head.rfind(char::is_whitespace))
        .map_or(0, |i| {
            i + text
                .get(i..)
                .and_then(|r| r.chars().next())
                .map_or(1, char::len_utf8)
        });
    let end = text
        .get(dot..)
        .and_then(|tail| tail.find(char::is_whitespace))
        .map_or(text.len(), |i| dot + i);
    (start, end)
}

/// `host` is `domain` or one of its subdomains (`domain` in lower case).
fn on_domain(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|head| head.ends_with('.'))
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[derive(Default)]
struct Scratch {
    words: Vec<Word>,
    names: Vec<Found>,
    hits: Vec<Hit>,
    name_buffers: names::Scratch,
    lexicon_buffers: crate::lexicon::Buffers,
    phrase_cache: context::Cache,
    pattern_cache: LazyCache,
    /// The cache of the identifier patterns without the street-name-first one
    /// (`patterns::Reduced`): each regex keeps its own, so switching costs nothing.
    reduced_pattern_cache: LazyCache,
    /// The organisation matcher's occurrences.
    org_found: Vec<(usize, usize, usize)>,
    lists: Lists,
    /// Where explanations that quote the text are written before they are shared.
    explanation: String,
}

/// The scan's working lists, kept from one text to the next so that a scan allocates little
/// more than its findings.
#[derive(Default)]
struct Lists {
    patient_cues: Vec<(usize, usize)>,
    /// Where the words of `name_cue` lists end.
    name_cues: Vec<usize>,
    /// Words of `person` lists and care events of `care_event` lists, in text order.
    people: Vec<(usize, usize)>,
    care_events: Vec<(usize, usize)>,
    /// The words of `person` lists and the details of quasi-identifier lists (a public role, an
    /// event, a rare condition), in text order: who a care event may be about.
    who: Vec<(usize, usize)>,
    quasi: Vec<(usize, usize, &'static str)>,
    person_cues: Vec<usize>,
    relative_dates: Vec<(usize, usize)>,
    advice: Vec<(usize, usize)>,
    advice_verbs: Vec<(usize, usize)>,
    medicines: Vec<(usize, usize)>,
    credentials: Vec<(usize, usize)>,
    person_names: Vec<(usize, usize)>,
    staff_alone: Vec<(usize, usize)>,
    candidates: Vec<Candidate>,
    streets: Vec<(usize, usize)>,
    /// What the names of places and things may not touch (`proper_nouns`).
    not_proper: Vec<(usize, usize)>,
    /// The context phrases' matches, in text order.
    phrase_matches: Vec<Match>,
    /// The identifier patterns' matches, in text order.
    pattern_matches: Vec<Match>,
}

impl Lists {
    /// Empties every list, keeping its memory.
    fn clear(&mut self) {
        self.patient_cues.clear();
        self.people.clear();
        self.care_events.clear();
        self.who.clear();
        self.name_cues.clear();
        self.quasi.clear();
        self.person_cues.clear();
        self.relative_dates.clear();
        self.advice.clear();
        self.advice_verbs.clear();
        self.medicines.clear();
        self.credentials.clear();
        self.person_names.clear();
        self.staff_alone.clear();
        self.candidates.clear();
        self.streets.clear();
        self.not_proper.clear();
        self.phrase_matches.clear();
        self.pattern_matches.clear();
    }
}

/// A phi candidate before consents and overlap resolution.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    kind: IdentifierKind,
    rule: &'static str,
    /// The identifier pattern that found it, whose rule name it takes (`rule` is then empty).
    pattern: Option<usize>,
    start: usize,
    end: usize,
}

impl Scanner {
    /// Compiles `policy` into matchers.
    pub fn new(policy: &Policy) -> Result<Scanner, BuildError> {
        let rules: Vec<RuleInfo> = Category::ALL
            .iter()
            .map(|&c| {
                let rule = policy.rule(c);
                RuleInfo {
                    enabled: rule.enabled,
                    severity: rule.severity,
                    section: policy.section_title(c),
                }
            })
            .collect();

        let formats: Vec<(IdentifierKind, String, String)> = policy
            .identifiers
            .iter()
            .map(|f| (f.kind, f.name.clone(), f.pattern.get_ref().clone()))
            .collect();
        let patterns = Patterns::new(&formats).map_err(BuildError::Pattern)?;
        let context = ContextPhrases::new(&policy.security.internal_host_suffixes)
            .map_err(BuildError::Pattern)?;

        let mut specs = Vec::new();
        let mut lexicon_info = Vec::new();
        for (index, (name, lexicon)) in policy.lexicons.iter().enumerate() {
            let section = match &lexicon.section {
                Some(id) => policy
                    .section(id)
                    .map_or_else(|| id.clone(), |s| s.title.clone()),
                None => policy.section_title(lexicon.category),
            };
            let replacement = match lexicon.action {
                LexiconAction::Replace => lexicon.replacement.clone(),
                _ => None,
            };
            lexicon_info.push(LexiconInfo {
                category: lexicon.category,
                kinds: lexicon.kinds.clone(),
                role: lexicon.role,
                severity: lexicon.action.severity(),
                rule: format!("lexicon.{name}").into(),
                explanation_tail: format!(
                    "\": {} (policy section \"{section}\").",
                    lexicon.explanation.trim_end_matches('.')
                ),
                fix: match replacement {
                    Some(replacement) => Fix::Replace {
                        replacement: replacement.into(),
                    },
                    None => Fix::Reword {
                        hint: SharedStr::from_static(reword_hint(lexicon.category)),
                    },
                },
            });
            for term in &lexicon.terms {
                specs.push(TermSpec {
                    lexicon: index,
                    term: term.get_ref(),
                    case_sensitive: lexicon.case_sensitive,
                    obfuscations: lexicon.obfuscations,
                });
            }
        }
        let lexicons = Lexicons::new(&specs).map_err(|e| BuildError::Pattern(e.0))?;
        let lexicon_names: Vec<&String> = policy.lexicons.keys().collect();
        // Terms that are legal but slow, each with why and what to do instead.
        let slow: [(&[usize], &str); 2] = [
            (
                lexicons.ungated_terms(),
                "starts with no word the scanner can look for first (a class, a digit, an optional part, a `*` inside, or more regex terms than the 128 sets of first words the gate holds), so the word lists' regular expression is searched in every text; start it with a word to keep scanning fast",
            ),
            (
                lexicons.every_word_terms(),
                "lets one or two letters begin a longer word (`ab*`, or `pts?` in a regular expression), so the word lists are looked up from every word of every text; spell the words out (`pt|pts`) to keep scanning fast",
            ),
        ];
        let lexicon_names = &lexicon_names;
        let warnings: Vec<String> = slow
            .iter()
            .flat_map(|&(places, why)| {
                places
                    .iter()
                    .filter_map(|&place| specs.get(place))
                    .map(move |spec| {
                        let name = lexicon_names.get(spec.lexicon).map_or("?", |n| n.as_str());
                        format!("lexicon `{name}`: the term {:?} {why}", spec.term)
                    })
            })
            .collect();

        let org_policy = &policy.organization;
        let mut org_patterns: Vec<(String, OrgTerm)> = Vec::new();
        let mut add = |p: &str, t: OrgTerm| org_patterns.push((p.to_owned(), t));
        add(&org_policy.name, OrgTerm::Employer);
        for a in &org_policy.aliases {
            add(a, OrgTerm::Employer);
        }
        for h in &org_policy.hashtags {
            add(h, OrgTerm::Employer);
        }
        for d in &org_policy.domains {
            add(d, OrgTerm::Employer);
        }
        for account in &policy.official_accounts {
            if account.handle.starts_with('@') {
                add(&account.handle, OrgTerm::Employer);
            }
        }
        add(&policy.disclaimer.text, OrgTerm::Disclaimer);
        for phrase in &policy.disclaimer.accepted {
            add(phrase, OrgTerm::Disclaimer);
        }
        // Staff and public figures are allowed by their full name, and by their surname after a
        // title ("Dr. Raman"), never by one word alone: with a real staff directory that would
        // allow most first names, and "his mom Jenna" is a patient's mother whatever the roster says.
        for name in policy
            .staff
            .iter()
            .map(|s| s.name.as_str())
            .chain(policy.allow.public_figures.iter().map(String::as_str))
        {
            add(name, OrgTerm::AllowedName);
            let words: Vec<&str> = name.split_whitespace().collect();
            if let (Some(first), Some(last)) = (words.first(), words.last()) {
                if words.len() > 1 {
                    for title in STAFF_TITLES {
                        add(&format!("{title} {last}"), OrgTerm::AllowedName);
                    }
                    add(&format!("{last}, {first}"), OrgTerm::AllowedName);
                }
            }
        }
        for word in &org_policy.logo_words {
            add(word, OrgTerm::LogoWord);
        }
        let org = OrgMatcher::new(&org_patterns)?;

        let mut staff_words = FxHashSet::default();
        for name in policy
            .staff
            .iter()
            .map(|s| s.name.as_str())
            .chain(policy.allow.public_figures.iter().map(String::as_str))
        {
            staff_words.extend(name.split_whitespace().map(str::to_lowercase));
        }
        let mut allow = FxHashSet::default();
        let mut allow_words = |s: &str| {
            for w in s.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-') {
                if w.len() > 1 {
                    allow.insert(w.to_lowercase());
                }
            }
        };
        for term in &policy.allow.terms {
            allow_words(term);
        }
        allow_words(&org_policy.name);
        for a in &org_policy.aliases {
            allow_words(a);
        }
        for w in &org_policy.logo_words {
            allow_words(w);
        }
        for account in &policy.official_accounts {
            allow_words(account.handle.trim_start_matches('@'));
        }
        let official_handles = policy
            .official_accounts
            .iter()
            .map(|a| a.handle.trim_start_matches('@').to_lowercase())
            .collect();

        Ok(Scanner {
            texts: Texts::new(&rules, &policy.disclaimer.text),
            rules,
            patterns,
            context,
            lexicons,
            lexicons_for_kind: [PostKind::Post, PostKind::Reply, PostKind::Comment].map(|kind| {
                lexicon_info
                    .iter()
                    .map(|info| info.kinds.is_empty() || info.kinds.contains(&kind))
                    .collect()
            }),
            lexicon_info,
            org,
            allow: AllowList(
                names::AllowFilter::new(allow.iter().map(String::as_str)),
                allow,
            ),
            staff_words,
            public_phones: org_policy
                .public_phones
                .iter()
                .map(|p| digits(&p.number))
                .chain(policy.contact.phone.iter().map(|p| digits(p)))
                .collect(),
            org_domains: org_policy
                .domains
                .iter()
                .map(|d| d.to_lowercase())
                .collect(),
            official_handles,
            logo_words: org_policy
                .logo_words
                .iter()
                .map(|w| w.to_lowercase())
                .collect(),
            warnings,
        })
    }

    /// What the policy allows but makes scanning slower, one sentence each, naming the list
    /// and the term (`postguard policy check` prints them): a `/regex/` term that starts with no
    /// word the scanner can look for first is searched in every text. Empty for the shipped
    /// policy.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn rule(&self, category: Category) -> &RuleInfo {
        &self.rules[slot(category).min(self.rules.len() - 1)]
    }

    /// Scans one text.
    pub fn scan(&self, post: &Post<'_>) -> Report {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.scan_with(post, &mut scratch),
            Err(_) => self.scan_with(post, &mut Scratch::default()),
        })
    }

    fn scan_with(&self, post: &Post<'_>, scratch: &mut Scratch) -> Report {
        let text = post.text;
        let ctx = &post.context;
        let mut findings = Vec::new();

        // The organisation: employer mentions, disclaimer, allowed full names.
        let OrgScan {
            employer_at,
            has_disclaimer,
            allowed_spans,
            mentions_logo,
        } = self.org.find_with(text, &mut scratch.org_found);
        let identifies_employer = ctx.identifies_employer || employer_at.is_some();

        scratch.lists.clear();
        let Lists {
            patient_cues,
            people,
            care_events,
            who,
            name_cues,
            quasi,
            person_cues,
            relative_dates,
            advice,
            advice_verbs,
            medicines,
            credentials,
            person_names,
            staff_alone,
            candidates,
            streets,
            not_proper,
            phrase_matches,
            pattern_matches,
        } = &mut scratch.lists;

        // Lexicons.
        let mode = text::words(text, &mut scratch.words);
        let applies = match ctx.kind {
            PostKind::Post => &self.lexicons_for_kind[0],
            PostKind::Reply => &self.lexicons_for_kind[1],
            PostKind::Comment => &self.lexicons_for_kind[2],
        };
        self.lexicons.find(
            text,
            &scratch.words,
            &mut scratch.lexicon_buffers,
            &mut scratch.hits,
            applies,
        );
        // A cue that the people named are colleagues, friends or family.
        let mut not_patient = false;
        // A reply or comment that confirms the person addressed was cared for here.
        let mut confirms_care = false;
        for hit in &scratch.hits {
            let Some(info) = self.lexicon_info.get(hit.lexicon) else {
                continue;
            };
            if !info.kinds.is_empty() && !info.kinds.contains(&ctx.kind) {
                continue;
            }
            match info.role {
                LexiconRole::PatientContext if !generic(text, hit.start) => {
                    patient_cues.push((hit.start, hit.end));
                }
                LexiconRole::PatientContext => {}
                LexiconRole::QuasiIdentifier => quasi.push((hit.start, hit.end, "detail")),
                LexiconRole::NotPatient => not_patient = true,
                LexiconRole::Person => people.push((hit.start, hit.end)),
                LexiconRole::CareEvent => care_events.push((hit.start, hit.end)),
                LexiconRole::NameCue => name_cues.push(hit.end),
                LexiconRole::Finding => {
                    confirms_care |=
                        info.category == Category::IndirectPhi && ctx.kind != PostKind::Post;
                    if self.rule(info.category).enabled {
                        Self::lexicon_finding(
                            text,
                            hit,
                            info,
                            &mut scratch.explanation,
                            &mut findings,
                        );
                    }
                }
            }
        }

        // A care event with a person in its sentence ("had a bride come in"), or a public role,
        // an event or a rare condition in a sentence that speaks of someone as "he" or "she"
        // ("the local weatherman came in with a kidney stone ... his IV"), speaks of a patient,
        // as a phrase of a patient-context list does.
        if !care_events.is_empty() && (!people.is_empty() || !quasi.is_empty()) {
            who.extend_from_slice(people);
            details_of_someone(text, &scratch.words, quasi, who);
            who.sort_unstable();
            care_events_of_people(text, care_events, who, people, patient_cues);
        }

        // Context phrases and identifier patterns, both regexes read in one pass; the
        // identifier patterns without the street-name-first one where it cannot match (the
        // same matches, from a smaller lazy DFA: see `patterns::Reduced`).
        let reduced = &self.patterns.reduced;
        let use_reduced = reduced.serves(text);
        let (search, cache) = if use_reduced {
            (&reduced.search, &mut scratch.reduced_pattern_cache)
        } else {
            (&self.patterns.search, &mut scratch.pattern_cache)
        };
        ascii_regex::find_both(
            text,
            (
                &self.context.search,
                &mut scratch.phrase_cache,
                phrase_matches,
            ),
            (search, cache, pattern_matches),
        );
        if use_reduced {
            reduced.to_full_index(pattern_matches);
        }
        for m in phrase_matches.iter() {
            let span = (m.start(), m.end());
            match self.context.signals.get(m.pattern().as_usize()) {
                Some(Signal::PersonCue) if !authors_own(text, m.start()) => {
                    person_cues.push(m.start());
                }
                Some(Signal::PersonCue) => {}
                Some(Signal::RelativeDate) => {
                    relative_dates.push(span);
                    quasi.push((span.0, span.1, "time"));
                }
                Some(Signal::QuasiTime) => quasi.push((span.0, span.1, "time")),
                Some(Signal::QuasiAge) => quasi.push((span.0, span.1, "age")),
                Some(Signal::QuasiPlace) => quasi.push((span.0, span.1, "place")),
                Some(Signal::Advice) => advice.push(span),
                Some(Signal::AdviceVerb) => advice_verbs.push(span),
                Some(Signal::Medicine) => medicines.push(span),
                Some(Signal::Credential) => credentials.push(span),
                None => {}
            }
        }

        // Names and places.
        scratch.names.clear();
        names::find(
            text,
            &scratch.words,
            mode,
            &self.allow,
            &mut scratch.name_buffers,
            &mut scratch.names,
        );
        let inside_allowed =
            |s: usize, e: usize| allowed_spans.iter().any(|&(a, b)| a <= s && e <= b);
        if !scratch.names.is_empty() {
            self.sort_names(
                text,
                &scratch.names,
                &allowed_spans,
                person_names,
                staff_alone,
            );
            // "@nurse.jules.rn": a handle with a clinician's title in it is a colleague's own.
            person_names.retain(|&(s, e)| !in_clinician_handle(text, s, e));
            // "on Dorsey Pike", "off Ridge Pike": a name that ends where a place phrase after a
            // preposition ends is the place's (not after "Lane", "Park", "Way" or "Court",
            // which end as many names as places: "by Kim Park").
            if quasi.iter().any(|q| q.2 == "place") {
                // The place phrases by where they end, each name looked up by its end (a long
                // text holds thousands of both).
                let mut places: Vec<(usize, usize)> = quasi
                    .iter()
                    .filter(|q| q.2 == "place")
                    .map(|&(qs, qe, _)| (qe, qs))
                    .collect();
                // (Runs in text order, the phrases' and the lists': a stable sort merges them.)
                places.sort();
                person_names.retain(|&(s, e)| {
                    let from = places.partition_point(|&(qe, _)| qe < e);
                    let in_place = places
                        .get(from..)
                        .unwrap_or(&[])
                        .iter()
                        .take_while(|&&(qe, _)| qe == e)
                        .any(|&(_, qs)| qs < s);
                    let head = text.as_bytes().get(..e).unwrap_or_default();
                    !in_place
                        || [&b"lane"[..], b"park", b"way", b"court"].iter().any(|w| {
                            head.len()
                                .checked_sub(w.len())
                                .and_then(|at| head.get(at..))
                                .is_some_and(|t| t.eq_ignore_ascii_case(w))
                        })
                });
            }
        }
        // "lil sofia", "pt jameson": a listed name in lower case right after a name cue, where
        // the name search (which in sentence-case text looks only at capitalised words and the
        // words after short titles) did not look.
        if !name_cues.is_empty() {
            let words = &scratch.words;
            let before = person_names.len();
            for &cue_end in name_cues.iter() {
                let next = words.partition_point(|w| w.start < cue_end);
                if let Some(next) = words.get(next) {
                    // The names found before are in text order: looked up by binary search.
                    let found = person_names
                        .get(..before)
                        .is_some_and(|f| f.binary_search(&(next.start, next.end)).is_ok());
                    if !found && name_after_cue(text, next) {
                        person_names.push((next.start, next.end));
                    }
                }
            }
            if person_names.len() > before {
                // Two runs in text order: a stable sort merges them.
                person_names.sort();
            }
        }
        // Names the lists lack, told by where they stand: before "'s mum" ("Chukwuemeka's
        // mum"), and in a reply or comment the person addressed ("Thank you for the kind
        // words, Oluwaseun!", "Hi Marta, ...").
        if mode == CaseMode::Mixed {
            let before = person_names.len();
            unlisted_names(
                text,
                &scratch.words,
                ctx.kind != PostKind::Post,
                &self.allow,
                &allowed_spans,
                person_names,
            );
            if person_names.len() > before {
                person_names.sort();
            }
        }
        // A reply confirming someone's care speaks of a patient: the person addressed.
        let patient_context = !patient_cues.is_empty() || confirms_care;
        let about_person = patient_context || !person_names.is_empty();
        // A person cue in the sentence around `pos`.
        let cue_near = |pos: usize| cue_in_sentence(text, person_cues, pos);

        // Identifiers with a shape.
        {
            // The last sentence `someone_in_sentence` read, and its answer.
            let mut someone_before = SomeoneBefore::default();
            for m in pattern_matches.iter() {
                let Some(meta) = self.patterns.meta.get(m.pattern().as_usize()) else {
                    continue;
                };
                let (mut start, mut end) = (m.start(), m.end());
                let Some(matched) = text.get(start..end) else {
                    continue;
                };
                match meta.keep {
                    Keep::Whole => {}
                    Keep::Value => start += patterns::value_start(matched),
                    Keep::Number => {
                        end = start + matched.find(char::is_whitespace).unwrap_or(matched.len());
                    }
                }
                let Some(value) = text.get(start..end) else {
                    continue;
                };
                let ok = match meta.check {
                    Check::PhoneCue => patterns::phone_cue(text, start, end),
                    Check::NotRating => !patterns::rating(text, start, end),
                    check => self.check(check, value, matched, mode),
                };
                if value.is_empty() || !ok {
                    continue;
                }
                if meta.needs == Needs::PersonContext
                    && !about_person
                    && !cue_near(start)
                    && !(meta.kind == IdentifierKind::Room
                        && (someone_in_sentence(
                            text,
                            &scratch.words,
                            people,
                            start,
                            &mut someone_before,
                        ) || bed_as_subject(text, start, end)))
                {
                    continue;
                }
                if !self.shape_allowed(meta.kind, value) {
                    continue;
                }
                // On the official channel a phone line with nobody's name near it is a service's
                // public number (a food pantry, a hotline), not a patient's.
                if meta.kind == IdentifierKind::Phone
                    && ctx.channel == Channel::Official
                    && !about_person
                    && !cue_near(start)
                {
                    continue;
                }
                // The organisation's own buildings ("1200 Alderbrook Parkway") are not a person's.
                if meta.kind == IdentifierKind::Address
                    && value
                        .split(|c: char| !c.is_alphanumeric())
                        .any(|w| w.len() > 2 && with_lowercase(w, |l| self.allow.allows(l)))
                {
                    continue;
                }
                candidates.push(Candidate {
                    kind: meta.kind,
                    rule: "",
                    pattern: Some(m.pattern().as_usize()),
                    start,
                    end,
                });
            }
        }
        // Street addresses in any language, and the rest of an address block after each.
        names::street_seeds(text, &scratch.words, mode, streets);
        for &(s, e) in streets.iter() {
            candidates.push(Candidate {
                kind: IdentifierKind::Address,
                rule: "phi.address",
                pattern: None,
                start: s,
                end: e,
            });
        }
        for c in candidates
            .iter_mut()
            .filter(|c| c.kind == IdentifierKind::Address)
        {
            c.end = patterns::extend_address(text, c.end, mode != CaseMode::Mixed);
        }
        // Names in a text about colleagues, friends or family ("Happy retirement, Phil!"), with
        // no patient context and no reply confirming someone's care: advice, unless a courtesy
        // title marks a patient ("Mr. Diaz").
        let not_patient = not_patient
            && !patient_context
            && !findings.iter().any(|f| f.category == Category::IndirectPhi);
        // A name of the author's own family, in a text with no patient context.
        let mut family_named = false;
        // Looked up by binary search (a long text holds thousands of names): in text order,
        // and the ends of the `person` words sorted.
        staff_alone.sort_unstable();
        let people_ends = (!patient_context && people.len() > 16).then(|| {
            let mut ends: Vec<usize> = people.iter().map(|&(_, e)| e).collect();
            ends.sort_unstable();
            ends
        });
        let people_ends = people_ends
            .as_deref()
            .map_or(PeopleEnds::Few(people), PeopleEnds::Sorted);
        for &(s, e) in person_names.iter() {
            candidates.push(Candidate {
                kind: IdentifierKind::Name,
                rule: if staff_alone.binary_search(&(s, e)).is_ok() {
                    "phi.name_staff"
                } else if !patient_context && names::own_family_before(text, s) {
                    // "Happy birthday to my little sister Chloé!": the author's own family, in
                    // a text that speaks of no patient.
                    family_named = true;
                    "phi.name_family"
                } else if not_patient && !names::courtesy_title_before(text, s)
                    || !patient_context && role_before_title(text, s, people_ends)
                {
                    // "the crossing guard, Mr. Haverford": with no patient in the text, a
                    // person named by their role is not a patient either.
                    "phi.not_patient"
                } else {
                    "phi.name"
                },
                pattern: None,
                start: s,
                end: e,
            });
            // What directly follows a name: "Brown, 90", "Müller (96!!)", "Johnson in 412".
            if let Some(c) = detail_after_name(text, e) {
                candidates.push(c);
            }
            // "our patient Magnus from Thornwick": a patient's home town, even one the city
            // list lacks.
            if patient_context {
                if let Some(c) = town_after_name(text, e) {
                    candidates.push(c);
                }
            }
        }
        // A reply or comment that confirms someone's care names them by the handle it answers
        // ("@big_earl_hauls ... see you at PT"), unless the handle is the organisation's.
        if confirms_care {
            // What a handle may not overlap, by start: a handle (in text order) overlaps one
            // of them when the furthest end among those that start before its end passes its
            // start (one sweep: a long reply holds thousands of handles and names).
            let mut taken: Vec<(usize, usize)> = allowed_spans
                .iter()
                .chain(person_names.iter())
                .copied()
                .chain(scratch.org_found.iter().map(|&(a, b, _)| (a, b)))
                .collect();
            taken.sort_unstable();
            let (mut next, mut furthest) = (0, 0);
            for (s, e) in handles(text) {
                while let Some(&(_, b)) = taken.get(next).filter(|&&(a, _)| a < e) {
                    furthest = furthest.max(b);
                    next += 1;
                }
                let named = e - s >= 2
                    && text
                        .get(s..e)
                        .is_some_and(|h| h.bytes().any(|b| b.is_ascii_alphabetic()));
                if named && furthest <= s {
                    candidates.push(Candidate {
                        kind: IdentifierKind::Name,
                        rule: "phi.handle",
                        pattern: None,
                        start: s,
                        end: e,
                    });
                }
            }
        }
        // What directly follows a patient cue: "my patient is 97", "the patient in 412".
        for &(_, ce) in patient_cues.iter() {
            if let Some(c) = detail_after_name(text, ce) {
                candidates.push(c);
            }
        }
        // "301 Garcia, 302 Patel, 305 Simmons": a census of rooms, each number right before a
        // name (two of them, or one beside patient context).
        let before = candidates.len();
        candidates.extend(
            person_names
                .iter()
                .filter_map(|&(s, _)| room_before_name(text, s)),
        );
        if candidates.len() - before == 1 && !patient_context {
            candidates.truncate(before);
        }
        // "bed 1 Ferraz NPO, bed 2 Whitlock": a capitalised word right after a room is the
        // patient's name, even one the name lists lack.
        // The names found, to look a span up among (a long text holds thousands).
        let names_found = Overlaps::new(person_names);
        if mode == CaseMode::Mixed {
            let rooms = candidates.len();
            for i in 0..rooms {
                if let Some(c) = candidates.get(i).filter(|c| c.kind == IdentifierKind::Room) {
                    let found = (person_names.as_slice(), &names_found);
                    if let Some(name) = self.name_after_room(text, c.end, found) {
                        candidates.push(name);
                    }
                }
            }
        }
        // "Smith in bay 2", "Garcia in 4B": a name-list word right before a room is a patient,
        // even when the word is also an ordinary one.
        // Most words are not followed by " in ": settled on the next word's key first (one
        // compare, a branch taken almost never; " in " after a word makes "in" the next word),
        // then on the bytes, and only then on the word's case (tested first, that branch was
        // mispredicted at about one word in four).
        for (w, next) in scratch.words.iter().zip(scratch.words.iter().skip(1)) {
            if next.key != IN_KEY || text.as_bytes().get(w.end..w.end + 4) != Some(b" in ") {
                continue;
            }
            if w.shape == text::Shape::Lower && mode == CaseMode::Mixed {
                continue;
            }
            if let Some(room) = room_after(text, w.end) {
                let found = (person_names.as_slice(), &names_found);
                self.name_before_room(text, w, room, found, candidates);
            }
        }
        // '"Tank" in bed 8 is ...', '"Big Mo" in bed 6 has ...': a nickname in quotes that
        // starts a sentence, right before a room and a verb.
        nicknames_before_rooms(text, candidates);
        for f in scratch.names.iter().filter(|f| f.city) {
            // A town after "moved here from", "based in" (found with such a cue) needs no
            // other sign that the text is about a person.
            let tied = about_person || cue_near(f.start);
            if (tied || f.strong) && !inside_allowed(f.start, f.end) {
                // "Bjert 6091": the postcode written after the town.
                if let Some((s, e)) = names::postcode_after(text, f.end) {
                    candidates.push(Candidate {
                        kind: IdentifierKind::Zip,
                        rule: "phi.zip",
                        pattern: None,
                        start: s,
                        end: e,
                    });
                }
                candidates.push(Candidate {
                    kind: IdentifierKind::City,
                    // Without a person in the text the town may be the author's own: advice.
                    rule: if tied {
                        "phi.city"
                    } else {
                        "phi.city_unattributed"
                    },
                    pattern: None,
                    start: f.start,
                    end: f.end,
                });
            }
        }
        if patient_context {
            for &(s, e) in relative_dates.iter() {
                candidates.push(Candidate {
                    kind: IdentifierKind::Date,
                    rule: "phi.relative_date",
                    pattern: None,
                    start: s,
                    end: e,
                });
            }
        }
        if candidates.len() > 1 {
            resolve_overlaps(candidates);
        }
        // A phone number, e-mail, street address or web address in a text about no one (no
        // patient context, no person's name, and on a personal account no cue such as "born",
        // "lives", "husband" in its sentence) is most likely an organisation's or the author's
        // own ("call the pantry at ...", a clinic's address on the official account): advice.
        if !about_person {
            let official = ctx.channel == Channel::Official;
            for c in candidates.iter_mut().filter(|c| {
                matches!(
                    c.kind,
                    IdentifierKind::Phone
                        | IdentifierKind::Email
                        | IdentifierKind::Address
                        | IdentifierKind::Url
                ) && (official || !cue_near(c.start) || invited_to_call(text, c.start))
            }) {
                c.rule = "phi.contact_unattributed";
                c.pattern = None;
            }
        }
        // A date, an age or a town in a text about colleagues, friends or family that speaks
        // of no patient ("my baby boy turned 6 ... born on Feb 9", "Grandpa Ignatius turned
        // 94", "at the nursing conference in Baltimore"): advice. So is a room in a sentence
        // about a hotel ("room 1214 at the conference hotel"): the author's own.
        if not_patient || family_named {
            for c in candidates.iter_mut().filter(|c| {
                matches!(
                    c.kind,
                    IdentifierKind::Date | IdentifierKind::Age | IdentifierKind::City
                ) || c.kind == IdentifierKind::Room && hotel_room(text, c.start)
            }) {
                c.rule = "phi.not_patient";
                c.pattern = None;
            }
        }

        // A patient's room or bed speaks of that patient: details beside it can identify them
        // ("the guy from the Route 9 pileup in bed 4").
        let cues_before = patient_cues.len();
        patient_cues.extend(
            candidates
                .iter()
                .filter(|c| c.kind == IdentifierKind::Room)
                .map(|c| (c.start, c.end)),
        );
        let patient_context = patient_context || patient_cues.len() > cues_before;

        // A name in the official account's answer to a commenter that speaks of no patient: no
        // patient context (nor a room, nor a reply confirming care), no other identifier kept
        // at the policy's severity, no courtesy title before it and no person cue ("born",
        // "husband", "admitted") in its sentence: the commenter's own name, public where they
        // wrote it ("Hi Marta, great question! Visiting hours are..."): advice.
        if !patient_context
            && ctx.channel == Channel::Official
            && ctx.kind != PostKind::Post
            && !candidates
                .iter()
                .any(|c| c.kind != IdentifierKind::Name && self.texts.advice(c.rule).is_none())
        {
            for c in candidates.iter_mut().filter(|c| {
                c.kind == IdentifierKind::Name
                    && c.rule == "phi.name"
                    && !names::courtesy_title_before(text, c.start)
                    && !cue_near(c.start)
            }) {
                c.rule = "phi.name_commenter";
            }
        }

        // Building findings is rare next to looking for them: each kind is built out of line, so
        // that the code run for every text stays small (it was 38 KB with all of it inline).
        let phi_rule = self.rule(Category::Phi);
        if phi_rule.enabled && !candidates.is_empty() {
            self.phi_findings(text, ctx, candidates, &mut findings);
        }

        // Indirect identification: patient context beside quasi-identifiers, and beside the
        // names of places and things ("the Rusty Anchor", "Second National Bank").
        let indirect = self.rule(Category::IndirectPhi);
        if indirect.enabled && patient_context && mode == CaseMode::Mixed {
            // Not an identifier found already ("Smith in bay 2").
            proper_nouns(
                text,
                &scratch.words,
                patient_cues,
                Taken {
                    spans: &[&allowed_spans, person_names, staff_alone],
                    findings: &findings,
                    org: &scratch.org_found,
                },
                not_proper,
                quasi,
            );
        }
        if indirect.enabled && patient_context && !quasi.is_empty() {
            self.indirect_findings(
                text,
                patient_cues,
                quasi,
                person_names,
                &mut scratch.explanation,
                &mut findings,
            );
        }

        // Individual medical advice: advice phrases, or an advice verb with a medicine after it.
        let advice_rule = self.rule(Category::MedicalAdvice);
        if advice_rule.enabled
            && !(advice.is_empty() && (advice_verbs.is_empty() || medicines.is_empty()))
        {
            self.advice_findings(text, advice, advice_verbs, medicines, &mut findings);
        }

        // Credentials and internal systems.
        let security = self.rule(Category::Security);
        if security.enabled && !credentials.is_empty() {
            self.credential_findings(text, credentials, &mut findings);
        }

        // Personal handles and addresses that use the organisation's name.
        if mentions_logo {
            self.handle_findings(text, &mut findings);
        }

        // Disclaimer.
        let disclaimer = self.rule(Category::MissingDisclaimer);
        if disclaimer.enabled
            && ctx.channel == Channel::Personal
            && identifies_employer
            && !has_disclaimer
        {
            self.disclaimer_finding(text, employer_at, &mut scratch.explanation, &mut findings);
        }

        // Lexicon findings of the same category that overlap are one finding (a lone finding
        // is kept as it is: most texts have none or one).
        if findings.len() > 1 {
            merge_overlapping(&mut findings);
        }
        Report {
            findings,
            identifies_employer,
        }
    }

    /// Sorts the names found into `person_names` (those that are not part of an allowed name)
    /// and `staff_alone` (a colleague's first name or surname alone).
    #[inline(never)]
    fn sort_names(
        &self,
        text: &str,
        found: &[Found],
        allowed_spans: &[(usize, usize)],
        person_names: &mut Vec<(usize, usize)>,
        staff_alone: &mut Vec<(usize, usize)>,
    ) {
        // A name that runs into a staff member's full name ("Florence Nightingale. Still") is
        // theirs.
        let allowed = Overlaps::new(allowed_spans);
        let overlaps_allowed = |s: usize, e: usize| allowed.any(allowed_spans, s, e);
        person_names.extend(
            found
                .iter()
                .filter(|f| {
                    !f.city && !overlaps_allowed(f.start, f.end) && !award_title(text, f.end)
                })
                .map(|f| (f.start, f.end)),
        );
        // A colleague's first name or surname alone, with no title or relation before it
        // ("Proud to work with you, Carlos!"): advice, as it may be a patient of the same name.
        staff_alone.extend(
            found
                .iter()
                .filter(|f| {
                    !f.city
                        && !f.strong
                        && text.get(f.start..f.end).is_some_and(|n| {
                            n.split_whitespace()
                                .all(|w| with_lowercase(w, |l| self.staff_words.contains(l)))
                        })
                })
                .map(|f| (f.start, f.end)),
        );
    }

    /// A word of the name lists right before a room (`room`, found after it) is a patient's
    /// name: pushes both, unless the word is part of a name found already or allowed.
    #[cold]
    #[inline(never)]
    fn name_before_room(
        &self,
        text: &str,
        w: &Word,
        room: Candidate,
        (person_names, names_found): (&[(usize, usize)], &Overlaps),
        candidates: &mut Vec<Candidate>,
    ) {
        let data = names::NameData::get();
        let known = names_found.holds(person_names, w.start, w.end);
        // A name of the lists, or a capitalised word of at least three letters that is in no
        // list at all ("Ottoline in bed 14": a name the lists lack).
        let unlisted_ok = w.is_capitalised() && w.end - w.start >= 3;
        if !known
            && with_lowercase(w.text(text), |word| {
                (data.is_surname(word)
                    || data.is_first(word)
                    || unlisted_ok && data.is_unlisted(word))
                    && !self.allow.allows(word)
            })
        {
            candidates.push(Candidate {
                kind: IdentifierKind::Name,
                rule: "phi.name",
                pattern: None,
                start: w.start,
                end: w.end,
            });
            candidates.push(room);
        }
    }

    /// A name right after the room that ends at `end` ("bed 1 Ferraz"): one space, then a word
    /// of letters in title case of at least three letters that the lists know as a name or do
    /// not know at all, not allowed and not found already.
    #[cold]
    #[inline(never)]
    fn name_after_room(
        &self,
        text: &str,
        end: usize,
        (person_names, names_found): (&[(usize, usize)], &Overlaps),
    ) -> Option<Candidate> {
        let word = leading_word(text.get(end..)?.strip_prefix(' ')?);
        let len = word.len();
        let mut chars = word.chars();
        let title = chars.next().is_some_and(char::is_uppercase) && chars.all(char::is_lowercase);
        if !title || word.chars().count() < 3 {
            return None;
        }
        let start = end + 1;
        if names_found.any(person_names, start, start + len) {
            return None;
        }
        let data = names::NameData::get();
        let lower = word.to_lowercase();
        let name = (data.is_surname(&lower) || data.is_first(&lower) || data.is_unlisted(&lower))
            && !self.allow.allows(&lower);
        name.then_some(Candidate {
            kind: IdentifierKind::Name,
            rule: "phi.name",
            pattern: None,
            start,
            end: start + len,
        })
    }

    /// Pushes a lexicon's finding for `hit`.
    #[inline(never)]
    fn lexicon_finding(
        text: &str,
        hit: &Hit,
        info: &LexiconInfo,
        buffer: &mut String,
        findings: &mut Vec<Finding>,
    ) {
        let matched = text.get(hit.start..hit.end).unwrap_or("");
        let explanation = shared_concat(buffer, &["\"", matched, &info.explanation_tail]);
        findings.push(Finding {
            rule: info.rule.clone(),
            category: info.category,
            severity: info.severity,
            identifier: None,
            start: hit.start,
            end: hit.end,
            explanation,
            matched: matched.to_owned(),
            fix: Some(info.fix.clone()),
        });
    }

    /// Pushes the phi findings of the identifiers `phi` (overlaps resolved, in text order).
    #[inline(never)]
    fn phi_findings(
        &self,
        text: &str,
        ctx: &Context,
        phi: &[Candidate],
        findings: &mut Vec<Finding>,
    ) {
        let phi_rule = self.rule(Category::Phi);
        for c in phi {
            let matched = text.get(c.start..c.end).unwrap_or("").to_owned();
            let (mut severity, mut explanation) = match self.texts.advice(c.rule) {
                Some(text) => (Severity::Advise, text.clone()),
                None => (phi_rule.severity, self.texts.phi(c.kind)),
            };
            if ctx.channel == Channel::Official && !ctx.consents.is_empty() {
                if let Some(consented) = consented(ctx, c.kind, &matched, &phi_rule.section) {
                    severity = Severity::Advise;
                    explanation = consented;
                }
            }
            findings.push(Finding {
                rule: match c.pattern.and_then(|i| self.patterns.meta.get(i)) {
                    Some(meta) => meta.rule.clone(),
                    None => SharedStr::from_static(c.rule),
                },
                category: Category::Phi,
                severity,
                identifier: Some(c.kind),
                start: c.start,
                end: c.end,
                matched,
                explanation,
                fix: Some(Fix::Redact {
                    replacement: self.texts.placeholder(c.kind),
                }),
            });
        }
    }

    /// Pushes the indirect identifications: a patient cue with a quasi-identifier beside it
    /// and no name near it.
    #[inline(never)]
    fn indirect_findings(
        &self,
        text: &str,
        patient_cues: &mut [(usize, usize)],
        quasi: &mut [(usize, usize, &'static str)],
        person_names: &[(usize, usize)],
        buffer: &mut String,
        findings: &mut Vec<Finding>,
    ) {
        let indirect = self.rule(Category::IndirectPhi);
        // Quasi-identifiers in text order, so each cue looks only at its own window.
        // Identifiers are reported as phi already: only quasi-identifiers count here.
        // The quasi-identifiers are not needed after this: sorted in place.
        let details = quasi;
        details.sort_unstable_by_key(|d| d.0);
        patient_cues.sort_unstable();
        let mut last_end = 0;
        let names_found = Overlaps::new(person_names);
        // Cues are in text order: a long text's sentences are each read once.
        let mut sentences = text::Sentences::default();
        for &(cs, ce) in patient_cues.iter() {
            // At least 160 bytes on each side of the cue, or its whole sentence: when the
            // 160 bytes reach both ends of the text, the sentence need not be looked for.
            let near = (cs.saturating_sub(160), ce + 160);
            let window = if near.0 == 0 && near.1 >= text.len() {
                near
            } else {
                let (ss, se) = sentences.of(text, cs);
                (ss.min(near.0), se.max(near.1))
            };
            // The detail nearest the cue (by where it starts; on a tie the one before it): the
            // nearest on each side that counts, looked for outward from the cue, so a long
            // text's many details are not all read for every cue.
            let mut counts = |&(s, e, what): &(usize, usize, &str)| {
                e <= window.1
                    && (e <= cs || s >= ce)
                    && (what != NAMED || {
                        let (ss, se) = sentences.of(text, cs);
                        ss <= s && s < se && !plural_patients(text, (cs, ce))
                    })
            };
            let split = details.partition_point(|d| d.0 < cs);
            let first = details.partition_point(|d| d.0 < window.0);
            let before = details
                .get(first..split)
                .unwrap_or(&[])
                .iter()
                .rposition(&mut counts)
                .and_then(|i| {
                    // The first of the details that start there and count.
                    let start = details.get(first + i)?.0;
                    details
                        .get(first..=first + i)?
                        .iter()
                        .rev()
                        .take_while(|d| d.0 == start)
                        .filter(|d| counts(d))
                        .last()
                        .copied()
                });
            let after = details
                .get(split..)
                .unwrap_or(&[])
                .iter()
                .take_while(|d| d.0 < window.1)
                .find(|d| counts(d))
                .copied();
            let near_quasi = match (before, after) {
                (Some(b), Some(a)) => Some(if cs - b.0 <= a.0 - cs { b } else { a }),
                (b, a) => b.or(a),
            };
            // A named patient is reported as phi; indirect identification is about texts
            // that single someone out without a name.
            let named = names_found.any(person_names, window.0, window.1);
            if let (Some((qs, qe, what)), false) = (near_quasi, named) {
                let start = cs.min(qs);
                let end = ce.max(qe);
                if start < last_end {
                    continue;
                }
                last_end = end;
                let cue = text.get(cs..ce).unwrap_or("");
                let detail = text.get(qs..qe).unwrap_or("");
                findings.push(Finding {
                    rule: SharedStr::from_static("indirect_phi"),
                    category: Category::IndirectPhi,
                    severity: indirect.severity,
                    identifier: None,
                    start,
                    end,
                    matched: text.get(start..end).unwrap_or("").to_owned(),
                    explanation: shared_concat(
                        buffer,
                        &[
                            "\"",
                            cue,
                            "\" speaks of a patient, and beside it \"",
                            detail,
                            "\" (",
                            what,
                            &self.texts.indirect_tail,
                        ],
                    ),
                    fix: Some(Fix::Reword {
                        hint: INDIRECT_HINT,
                    }),
                });
            }
        }
    }

    /// Pushes the individual medical advice: advice phrases, and advice verbs with a medicine
    /// after them in their sentence.
    #[cold]
    #[inline(never)]
    fn advice_findings(
        &self,
        text: &str,
        advice: &mut Vec<(usize, usize)>,
        advice_verbs: &[(usize, usize)],
        medicines: &[(usize, usize)],
        findings: &mut Vec<Finding>,
    ) {
        let advice_rule = self.rule(Category::MedicalAdvice);
        // The advice phrases are not needed after this: the spans are added to them.
        let spans = advice;
        for &(vs, ve) in advice_verbs {
            // The first medicine at or after the verb, in its sentence (`medicines` is in
            // text order: when the first one is past the sentence's end, all are).
            if let Some(&(_, me)) = medicines
                .iter()
                .find(|&&(ms, _)| ms >= vs)
                .filter(|&&(ms, _)| text::in_sentence_of(text, vs, ms))
            {
                spans.push((vs, me.max(ve)));
            }
        }
        spans.sort_unstable();
        push_spans(
            text,
            spans,
            Finding {
                rule: SharedStr::from_static("medical_advice"),
                category: Category::MedicalAdvice,
                severity: advice_rule.severity,
                identifier: None,
                start: 0,
                end: 0,
                matched: String::new(),
                explanation: self.texts.medical_advice.clone(),
                fix: Some(Fix::Reword { hint: ADVICE_HINT }),
            },
            findings,
        );
    }

    /// Pushes the credentials and internal systems, `credentials` in text order.
    #[cold]
    #[inline(never)]
    fn credential_findings(
        &self,
        text: &str,
        credentials: &[(usize, usize)],
        findings: &mut Vec<Finding>,
    ) {
        let security = self.rule(Category::Security);
        push_spans(
            text,
            credentials,
            Finding {
                rule: SharedStr::from_static("security.credential"),
                category: Category::Security,
                severity: security.severity,
                identifier: None,
                start: 0,
                end: 0,
                matched: String::new(),
                explanation: self.texts.security.clone(),
                fix: Some(Fix::Redact {
                    replacement: SharedStr::from_static("[REDACTED]"),
                }),
            },
            findings,
        );
    }

    /// Pushes the missing disclaimer's finding, on the employer's mention when there is one.
    #[inline(never)]
    fn disclaimer_finding(
        &self,
        text: &str,
        employer_at: Option<(usize, usize)>,
        buffer: &mut String,
        findings: &mut Vec<Finding>,
    ) {
        let disclaimer = self.rule(Category::MissingDisclaimer);
        let (start, end) = employer_at.unwrap_or((0, 0));
        let named = text.get(start..end).unwrap_or("");
        let explanation = if named.is_empty() {
            shared_concat(
                buffer,
                &["You identify your employer", &self.texts.disclaimer_tail],
            )
        } else {
            shared_concat(
                buffer,
                &[
                    "\"",
                    named,
                    "\" identifies your employer",
                    &self.texts.disclaimer_tail,
                ],
            )
        };
        findings.push(Finding {
            rule: SharedStr::from_static("missing_disclaimer"),
            category: Category::MissingDisclaimer,
            severity: disclaimer.severity,
            identifier: None,
            start,
            end,
            matched: named.to_owned(),
            explanation,
            fix: Some(Fix::Append {
                text: self.texts.disclaimer_fix.clone(),
            }),
        });
    }

    #[inline(never)]
    fn check(&self, check: Check, value: &str, matched: &str, mode: CaseMode) -> bool {
        match check {
            Check::None => true,
            Check::Luhn => patterns::luhn(value),
            Check::Iban => patterns::iban(value),
            Check::HasDigit => value.chars().any(|c| c.is_ascii_digit()),
            Check::LettersAndDigits => {
                value.chars().any(|c| c.is_ascii_digit())
                    && value.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 2
            }
            Check::AgeOver89 => match first_number(value) {
                Some(age) => (90..=125).contains(&age),
                None => with_lowercase(value, |lower| {
                    [
                        "90s",
                        "100s",
                        "centenarian",
                        "nonagenarian",
                        "ninety",
                        "hundred",
                    ]
                    .iter()
                    .any(|w| lower.contains(w))
                }),
            },
            Check::Address => address_words_ok(matched, mode),
            Check::StateZip => {
                let code: String = matched.chars().take(2).collect();
                names::NameData::get().is_state_code(&code)
            }
            // Need the text around the match: checked by the caller.
            Check::PhoneCue | Check::NotRating => false,
        }
    }

    /// Identifiers that belong to the organisation, not to a person.
    #[inline(never)]
    fn shape_allowed(&self, kind: IdentifierKind, value: &str) -> bool {
        match kind {
            IdentifierKind::Phone => {
                // The digits, compared without collecting them: a leading 1 before ten more is
                // the country code.
                let count = value.bytes().filter(u8::is_ascii_digit).count();
                let skip = usize::from(
                    count == 11 && value.bytes().find(u8::is_ascii_digit) == Some(b'1'),
                );
                !self.public_phones.iter().any(|p| {
                    p.len() + skip == count
                        && value
                            .bytes()
                            .filter(u8::is_ascii_digit)
                            .skip(skip)
                            .eq(p.bytes())
                })
            }
            IdentifierKind::Email => {
                with_lowercase(value.rsplit('@').next().unwrap_or(""), |domain| {
                    !self.org_domains.iter().any(|d| on_domain(domain, d))
                })
            }
            IdentifierKind::Url => with_lowercase(value, |lower| {
                let host = lower
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .trim_start_matches("www.")
                    .split(['/', '?', '#'])
                    .next()
                    .unwrap_or("");
                let public = host.ends_with(".gov")
                    || host.ends_with(".edu")
                    || host == "who.int"
                    || host.ends_with(".who.int");
                let ours = self.org_domains.iter().any(|d| on_domain(host, d));
                !(public || ours)
            }),
            _ => true,
        }
    }

    #[inline(never)]
    fn handle_findings(&self, text: &str, findings: &mut Vec<Finding>) {
        let rule = self.rule(Category::HandleBranding);
        if !rule.enabled || self.logo_words.is_empty() {
            return;
        }
        let bytes = text.as_bytes();
        for (s, end) in handles(text) {
            let Some(handle) = text.get(s..end) else {
                continue;
            };
            // The finding spans the '@' too.
            if let Some(finding) =
                self.handle_finding(handle, None, s - 1, end, &rule.section, rule.severity)
            {
                findings.push(finding);
            }
        }
        // Web addresses: a personal site or profile under the organisation's name. Only dotted
        // words can be one: each is found from its first dot, with the whitespace around it
        // (`split_whitespace`'s words, in the same order).
        let mut from = 0;
        while let Some(dot) = memchr::memchr(b'.', bytes.get(from..).unwrap_or(&[])) {
            let dot = from + dot;
            let (start, end) = dotted_word(text, dot);
            from = end;
            let word = text.get(start..end).unwrap_or("");
            if word.len() < 5 {
                continue;
            }
            // Most dotted words are no web address: told without lower-casing them into a new
            // string.
            if !mentions_web_address(word) {
                continue;
            }
            let lower = word.to_ascii_lowercase();
            if lower.contains("linkedin.com") || lower.contains('@') {
                continue;
            }
            let host = lower
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_start_matches("www.");
            let ours = self
                .org_domains
                .iter()
                .any(|d| host.starts_with(d.as_str()));
            if ours || !self.logo_words.iter().any(|w| host.contains(w.as_str())) {
                continue;
            }
            let offset = start;
            let trimmed = word.trim_end_matches(['.', ',', '!', '?', ')', ';', ':']);
            let end = offset + trimmed.len();
            findings.push(Finding {
                rule: SharedStr::from_static("handle_branding.url"),
                category: Category::HandleBranding,
                severity: rule.severity,
                identifier: None,
                start: offset,
                end,
                matched: trimmed.to_owned(),
                explanation: self.texts.branded_url.clone(),
                fix: Some(Fix::Reword { hint: URL_HINT }),
            });
        }
    }

    fn handle_finding(
        &self,
        handle: &str,
        platform: Option<&str>,
        start: usize,
        end: usize,
        section: &str,
        severity: Severity,
    ) -> Option<Finding> {
        let lower = handle.trim_start_matches('@').to_lowercase();
        if lower.is_empty() || self.official_handles.contains(&lower) {
            return None;
        }
        if platform.is_some_and(|p| p.eq_ignore_ascii_case("linkedin")) {
            return None;
        }
        let compact: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        let word = self
            .logo_words
            .iter()
            .find(|w| compact.contains(w.as_str()))?;
        Some(Finding {
            rule: SharedStr::from_static("handle_branding.handle"),
            category: Category::HandleBranding,
            severity,
            identifier: None,
            start,
            end,
            matched: handle.to_owned(),
            explanation: format!(
                "A personal handle or display name may not use the organisation's name or logo (\"{word}\") unless approved; LinkedIn is exempt (policy section \"{section}\")."
            )
            .into(),
            fix: Some(Fix::Reword { hint: HANDLE_HINT }),
        })
    }

    /// Checks a personal handle or display name against the branding rule; `platform` exempts
    /// LinkedIn. Returns the finding when the handle uses the organisation's name or logo words.
    pub fn check_handle(&self, handle: &str, platform: Option<&str>) -> Option<Finding> {
        let rule = self.rule(Category::HandleBranding);
        if !rule.enabled {
            return None;
        }
        self.handle_finding(
            handle,
            platform,
            0,
            handle.len(),
            &rule.section,
            rule.severity,
        )
    }
}

/// On the official channel, the explanation of an identifier a consent of `ctx` covers: the
/// finding is then only advice. Consents are rare: kept out of the scan's code.
#[cold]
#[inline(never)]
fn consented(
    ctx: &Context,
    kind: IdentifierKind,
    matched: &str,
    section: &str,
) -> Option<SharedStr> {
    let consent = ctx.consents.iter().find(|k| covers(&k.covers, matched))?;
    Some(
        format!(
            "This is {}, published under patient consent {} on the official channel; check it matches the consent (policy section \"{section}\").",
            kind.describe(),
            consent.id,
        )
        .into(),
    )
}

/// Lexicon findings of the same category that overlap are one finding: sorts `findings` and
/// drops those inside an earlier one of their category.
#[inline(never)]
fn merge_overlapping(findings: &mut Vec<Finding>) {
    findings.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end), f.category));
    // Sorted by start: a finding is inside an earlier one of its category when it ends
    // before the furthest end seen so far in that category.
    let mut furthest = [0usize; Category::ALL.len()];
    let mut kept_any = false;
    findings.retain(|f| {
        let slot = slot(f.category);
        let duplicate =
            f.category != Category::MissingDisclaimer && f.end <= furthest[slot] && kept_any;
        if !duplicate {
            furthest[slot] = furthest[slot].max(f.end);
            kept_any = true;
        }
        !duplicate
    });
}

fn covers(covered: &[String], matched: &str) -> bool {
    let m = matched.to_lowercase();
    covered.iter().any(|c| {
        let c = c.to_lowercase();
        !c.is_empty() && (c == m || c.contains(&m) && m.len() >= 3)
    })
}

fn reword_hint(category: Category) -> &'static str {
    match category {
        Category::Unprofessional => "Say it without the profanity or insult, or don't post it.",
        Category::Endorsement => "Remove the recommendation, the code or the link; staff don't endorse products or services.",
        Category::Confidential => "Leave internal matters to official announcements.",
        Category::Misinformation => "Share only information from reliable sources such as the CDC or your clinical team.",
        Category::Security => "Remove the credential and change it now if it was ever posted.",
        Category::Copyright => "Credit the creator, link to the original, or use your own material.",
        Category::MedicalAdvice => "Share general information and suggest they see their own clinician.",
        _ => "Reword or remove this passage.",
    }
}

/// Words that are never part of an address ("12 hour shifts on the way" is none).
const LITTLE_WORDS: [&str; 25] = [
    "on", "the", "a", "an", "to", "and", "of", "in", "at", "for", "my", "our", "your", "hour",
    "hours", "minute", "minutes", "day", "days", "mile", "miles", "times", "years", "pm", "am",
];

/// A lower-case word an address may hold in sentence-case text: a unit word, or a particle of a
/// street name ("33 avenue de Provence", "143 rue de la Hulotais").
fn address_joiner(lower: &str) -> bool {
    matches!(
        lower,
        "apt"
            | "apartment"
            | "unit"
            | "suite"
            | "ste"
            | "de"
            | "da"
            | "do"
            | "dos"
            | "das"
            | "del"
            | "dei"
            | "della"
            | "delle"
            | "des"
            | "du"
            | "di"
            | "la"
            | "le"
            | "van"
            | "von"
            | "rue"
            | "avenue"
            | "via"
            | "rua"
            | "calle"
    )
}

/// A street word an address may end with in lower case after its name ("90 Whitchurch Road
/// street").
fn lower_case_street_word(lower: &str) -> bool {
    matches!(
        lower,
        "street" | "st" | "road" | "rd" | "avenue" | "ave" | "lane" | "drive"
    )
}

/// Street words of an address look like a street name: capitalised in sentence-case text, and
/// no little words ("12 hour shifts on the way" is not an address).
fn address_words_ok(matched: &str, mode: CaseMode) -> bool {
    // One pass over the words, where a pass for the little words, one to count them and one for
    // the lower-case words each mispredicted its exit. Any failing word makes the answer
    // false, so the tests of both kinds are made word by word.
    let mixed = mode == CaseMode::Mixed;
    // A street word in lower case at the third word or later is allowed only as the last word
    // ("90 Whitchurch Road street"): any word after it fails the address.
    let mut street_before = false;
    for (k, w) in matched.split_whitespace().enumerate() {
        if street_before {
            return false;
        }
        if with_lowercase(w, |l| {
            LITTLE_WORDS.contains(&l.trim_matches(|c: char| !c.is_alphanumeric()))
        }) {
            return false;
        }
        // In sentence-case text the words that start with a letter start with a capital, or are
        // listed below.
        if !mixed
            || !w.chars().next().is_some_and(char::is_alphabetic)
            || w.chars().next().is_some_and(char::is_uppercase)
        {
            continue;
        }
        let (listed, street) = with_lowercase(w, |l| {
            let l = l.trim_end_matches(['.', ',']);
            (address_joiner(l), lower_case_street_word(l))
        });
        if listed {
            continue;
        }
        if street && k >= 2 {
            street_before = true;
            continue;
        }
        return false;
    }
    true
}

/// Whether the words before `end` are the title of an award ("named Nurse Leader of the Year",
/// "Employee of the Month"): what follows them is " of the " and a year, month, week or day.
fn award_title(text: &str, end: usize) -> bool {
    let Some(rest) = text.get(end..) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(" of the ") else {
        return false;
    };
    let word: String = rest
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    matches!(word.as_str(), "year" | "month" | "week" | "day" | "decade")
}

/// A person cue (`cues`, in text order) in the sentence around `pos`. A binary search finds the
/// nearest cue on each side, and when neither is in the sentence, no farther one is (a text
/// without cues reads no bytes).
#[inline(never)]
fn cue_in_sentence(text: &str, cues: &[usize], pos: usize) -> bool {
    let i = cues.partition_point(|&c| c < pos);
    let before = i.checked_sub(1).and_then(|k| cues.get(k));
    before.is_some_and(|&c| text::in_sentence_of(text, pos, c))
        || cues
            .get(i)
            .is_some_and(|&c| text::in_sentence_of(text, pos, c))
}

/// What [`proper_nouns`] calls the details it finds.
const NAMED: &str = "a named place or thing";

/// Capitalised words that make a run of capitalised words no name of a place or thing ("Happy
/// Nurses Week", "our Patient Relations team", "Merry Christmas"), with
/// [`names::CALENDAR_WORDS`].
const NOT_PROPER_NOUNS: &[&str] = &[
    "i",
    "mom",
    "dad",
    "mama",
    "papa",
    "nana",
    "grandma",
    "grandpa",
    "god",
    "lord",
    "ok",
    "okay",
    "lol",
    "omg",
    "happy",
    "merry",
    "thank",
    "thanks",
    "please",
    "christmas",
    "xmas",
    "easter",
    "thanksgiving",
    "halloween",
    "hanukkah",
    "new",
    "year",
    "nurse",
    "nurses",
    "doctor",
    "doctors",
    "doc",
    "dr",
    "mr",
    "mrs",
    "ms",
    "miss",
    "team",
    "unit",
    "hospital",
    "emergency",
    "department",
    "services",
    "service",
    "center",
    "centre",
    "week",
    "month",
    "day",
    "night",
    "shift",
    "patient",
    "patients",
];

/// What the names of places and things found by [`proper_nouns`] may not touch: names of
/// people and staff (`spans`), identifiers found (`findings`), the organisation (`org`).
struct Taken<'a> {
    spans: &'a [&'a [(usize, usize)]],
    findings: &'a [Finding],
    org: &'a [(usize, usize, usize)],
}

/// The words of [`NOT_PROPER_NOUNS`] and [`names::CALENDAR_WORDS`] as the splitter's keys
/// ([`Word::key`]: the first eight letters in lower case), so that a word is tested against
/// them without reading its bytes again.
const NOT_PROPER_KEYS: [u64; NOT_PROPER_NOUNS.len() + names::CALENDAR_WORDS.len()] = {
    let mut keys = [0; NOT_PROPER_NOUNS.len() + names::CALENDAR_WORDS.len()];
    let mut i = 0;
    while i < NOT_PROPER_NOUNS.len() {
        keys[i] = patterns::word_key(NOT_PROPER_NOUNS[i].as_bytes());
        i += 1;
    }
    let mut j = 0;
    while j < names::CALENDAR_WORDS.len() {
        keys[i + j] = patterns::word_key(names::CALENDAR_WORDS[j].as_bytes());
        j += 1;
    }
    keys
};

/// Pushes to `quasi` the runs of capitalised words (joined by spaces only) of sentence-case
/// text, less a sentence's first word, that no `exclude` span, no phi finding, no organisation
/// mention and no word of [`NOT_PROPER_NOUNS`] touches, nor a handle or hashtag: the names of
/// places, businesses, events and teams ("at the Willowmere Inn", "the Ridgeline quarterback"),
/// which can single a patient out. Only in the sentences of the patient cues `cues`, the only
/// ones [`Scanner::indirect_findings`] counts them in.
#[cold]
#[inline(never)]
fn proper_nouns(
    text: &str,
    words: &[Word],
    cues: &mut [(usize, usize)],
    Taken {
        spans: exclude,
        findings,
        org,
    }: Taken<'_>,
    merged: &mut Vec<(usize, usize)>,
    quasi: &mut Vec<(usize, usize, &'static str)>,
) {
    // Everything a proper noun may not touch, as sorted spans apart from one another, looked
    // up by binary search (a long text has many of each); gathered at the first capitalised
    // word that needs it.
    merged.clear();
    let mut gathered = false;
    let mut covered = |s: usize, e: usize| {
        if !gathered {
            gathered = true;
            merged.extend(exclude.iter().flat_map(|spans| spans.iter().copied()));
            merged.extend(org.iter().map(|&(a, b, _)| (a, b)));
            merged.extend(
                findings
                    .iter()
                    .filter(|f| f.category == Category::Phi)
                    .map(|f| (f.start, f.end)),
            );
            merged.sort_unstable();
            let mut kept: usize = 0;
            for i in 0..merged.len() {
                let (a, b) = merged[i];
                match kept.checked_sub(1).and_then(|k| merged.get_mut(k)) {
                    Some(last) if a <= last.1 => last.1 = last.1.max(b),
                    _ => {
                        merged[kept] = (a, b);
                        kept += 1;
                    }
                }
            }
            merged.truncate(kept);
        }
        let before_end = merged.partition_point(|&(a, _)| a < e);
        before_end
            .checked_sub(1)
            .and_then(|i| merged.get(i))
            .is_some_and(|&(_, b)| b > s)
    };
    // "I'm", "I’ll" (joined words, whose key is 0), or a listed word: by its key, and a word
    // longer than eight letters ("Thanksgiving") by its letters too.
    let not_proper = |word: &Word| {
        let letters = word.text(text);
        if word.key == 0 {
            return letters.starts_with("I'") || letters.starts_with("I’");
        }
        NOT_PROPER_KEYS.contains(&word.key)
            && (letters.len() <= 8
                || NOT_PROPER_NOUNS
                    .iter()
                    .chain(names::CALENDAR_WORDS)
                    .any(|w| letters.eq_ignore_ascii_case(w)))
    };
    // The sentences of the cues, in text order, each once.
    cues.sort_unstable();
    let mut sentences = text::Sentences::default();
    let mut read = None;
    for &(cs, _) in cues.iter() {
        let (ss, se) = sentences.of(text, cs);
        if read.replace((ss, se)) == Some((ss, se)) {
            continue;
        }
        let first = words.partition_point(|w| w.start < ss);
        let last = words.partition_point(|w| w.start < se);
        let sentence = words.get(first..last).unwrap_or(&[]);
        // The run being read: its last word, where its words after a sentence's first start
        // (if any) and end, and whether a word spoils it.
        let mut run: Option<(usize, Option<usize>, usize, bool)> = None;
        let mut flush = |run: Option<(usize, Option<usize>, usize, bool)>| {
            if let Some((_, Some(s), e, false)) = run {
                quasi.push((s, e, NAMED));
            }
        };
        // The capitalised words (not in a handle or hashtag), 64 words at a time as a mask
        // made without a branch a word; the loop below visits only them.
        for (chunk_at, chunk) in sentence.chunks(64).enumerate() {
            let mut mask = chunk.iter().enumerate().fold(0u64, |mask, (i, w)| {
                let title = (w.shape == text::Shape::Title) & (w.prefix == text::Prefix::None);
                mask | u64::from(title) << i
            });
            while mask != 0 {
                let i = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                let at = chunk_at * 64 + i;
                let Some(word) = chunk.get(i) else {
                    break;
                };
                let spoils =
                    word.end - word.start < 2 || not_proper(word) || covered(word.start, word.end);
                let counted = (!word.sentence_start).then_some(word.start);
                run = match run {
                    Some((prev, s, _, spoilt))
                        if prev + 1 == at && word.joined_to_previous && !word.sentence_start =>
                    {
                        Some((at, s.or(counted), word.end, spoilt || spoils))
                    }
                    before => {
                        flush(before);
                        Some((at, counted, word.end, spoils))
                    }
                };
            }
        }
        flush(run);
    }
}

/// Whether the patient cue `cue` speaks of patients in the plural ("tell all my patients"), of
/// no one patient: a named place or thing beside it is no detail of anyone.
fn plural_patients(text: &str, (cs, ce): (usize, usize)) -> bool {
    let cue = text.get(cs..ce).unwrap_or("").as_bytes();
    let ends_with = |tail: &str| {
        cue.len() >= tail.len()
            && cue
                .get(cue.len() - tail.len()..)
                .is_some_and(|end| end.eq_ignore_ascii_case(tail.as_bytes()))
    };
    ends_with("patients") || ends_with("pts")
}

/// The sentence [`someone_in_sentence`] read last, and its answer.
#[derive(Default)]
struct SomeoneBefore {
    sentences: text::Sentences,
    last: Option<((usize, usize), bool)>,
}

/// Whether the sentence around `pos` speaks of someone: a word of a `person` list ("the guy
/// from the pileup in bed 4") or a pronoun of the third person ("He's in bed 7").
fn someone_in_sentence(
    text: &str,
    words: &[Word],
    people: &[(usize, usize)],
    pos: usize,
    SomeoneBefore { sentences, last }: &mut SomeoneBefore,
) -> bool {
    // Rooms come in text order: a sentence already read answers again.
    let (ss, se) = sentences.of(text, pos);
    if let Some(((ls, le), answer)) = *last {
        if (ls, le) == (ss, se) {
            return answer;
        }
    }
    let first_person = people.partition_point(|&(ps, _)| ps < ss);
    let answer = people.get(first_person).is_some_and(|&(ps, _)| ps < se)
        || third_person_in(text, words, ss, se);
    *last = Some(((ss, se), answer));
    answer
}

/// Whether a pronoun of the third person singular ("he", "her", "his") is among the words
/// that start in `ss..se`.
fn third_person_in(text: &str, words: &[Word], ss: usize, se: usize) -> bool {
    let first = words.partition_point(|w| w.start < ss);
    words
        .iter()
        .skip(first)
        .take_while(|w| w.start < se)
        .any(|w| {
            let word = w.text(text);
            [
                "he", "she", "he's", "she's", "he’s", "she’s", "him", "his", "her",
            ]
            .iter()
            .any(|p| word.eq_ignore_ascii_case(p))
        })
}

/// Pushes to `who` the details of quasi-identifier lists (`quasi`: a public role, an event, a
/// rare condition) in a sentence that speaks of someone by a pronoun ("the local weatherman
/// came in ... his IV"; not "Storm's coming in tonight"), for [`care_events_of_people`].
#[cold]
#[inline(never)]
fn details_of_someone(
    text: &str,
    words: &[Word],
    quasi: &[(usize, usize, &'static str)],
    who: &mut Vec<(usize, usize)>,
) {
    let mut sentences = text::Sentences::default();
    let mut last: Option<((usize, usize), bool)> = None;
    for &(s, e, _) in quasi {
        let bounds = sentences.of(text, s);
        let someone = match last {
            Some((b, answer)) if b == bounds => answer,
            _ => third_person_in(text, words, bounds.0, bounds.1),
        };
        last = Some((bounds, someone));
        if someone {
            who.push((s, e));
        }
    }
}

/// Whether the room at `start..end` is a bed or bay that a verb follows, as a patient is
/// spoken of by their bed ("Bed 11 has the first case", "bay 3 keeps pulling her line").
fn bed_as_subject(text: &str, start: usize, end: usize) -> bool {
    let keyword = text
        .as_bytes()
        .get(start..(start + 3).min(end))
        .unwrap_or_default();
    if !(keyword.eq_ignore_ascii_case(b"bed") || keyword.eq_ignore_ascii_case(b"bay")) {
        return false;
    }
    verb_after(text, end)
}

/// Whether a verb of which a patient is the subject ("has", "keeps", "refused") follows `end`
/// after one space ("Bed 11 has...", "O'Sullivan in 14 is singing").
fn verb_after(text: &str, end: usize) -> bool {
    const VERBS: &[&str] = &[
        "has", "had", "is", "was", "keeps", "kept", "wants", "wanted", "needs", "needed", "just",
        "asked", "asks", "pulled", "coded", "fell", "refused", "refuses", "says", "said", "called",
        "won't", "can't", "finally", "still",
    ];
    let rest = text.get(end..).unwrap_or("");
    let Some(rest) = rest.strip_prefix(' ') else {
        return false;
    };
    let next_len = rest
        .find(|c: char| !(c.is_alphabetic() || c == '\''))
        .unwrap_or(rest.len());
    let next = rest.get(..next_len).unwrap_or("");
    VERBS.iter().any(|v| next.eq_ignore_ascii_case(v))
}

/// Pushes to `patient_cues` each of `care_events` that has one of `people` in its sentence (the
/// words of `person` lists and the details said of someone, in text order); the cue takes in
/// the nearest of `words_of_people` (the `person` words alone) when it is close.
#[cold]
#[inline(never)]
fn care_events_of_people(
    text: &str,
    care_events: &[(usize, usize)],
    people: &[(usize, usize)],
    words_of_people: &[(usize, usize)],
    patient_cues: &mut Vec<(usize, usize)>,
) {
    // Both lists are in text order; each sentence is found once, and the people in it by
    // binary search, so a long text costs no more than reading it once.
    let mut sentences = text::Sentences::default();
    // How far apart a person word and the event may be to be read as one cue.
    const CLOSE: usize = 24;
    // How far before an event a close person word may start.
    let reach = CLOSE + people.iter().map(|&(ps, pe)| pe - ps).max().unwrap_or(0);
    // The `person` words, sorted to be looked up by binary search in a long text.
    let sorted_words = (words_of_people.len() > 16).then(|| {
        let mut sorted = words_of_people.to_vec();
        sorted.sort_unstable();
        sorted
    });
    for &(es, ee) in care_events {
        let (ss, se) = sentences.of(text, es);
        let first = people.partition_point(|&(ps, _)| ps < ss);
        let last = people.partition_point(|&(ps, _)| ps < se);
        // A person's word apart from the event's own words (at most a couple overlap it).
        let with_person = last - first > 2
            || people
                .get(first..last)
                .is_some_and(|near| near.iter().any(|&(ps, pe)| pe <= es || ps >= ee));
        if with_person {
            // The cue as read: the event with the nearest person word, when it is close ("a
            // bride come in", "the woman I triaged"). Only words that start near the event
            // can be close, and the nearest of them is the nearest of all when it is (a
            // sentence may be a whole long text).
            let near_from = people.partition_point(|&(ps, _)| ps < es.saturating_sub(reach));
            let near_to = people.partition_point(|&(ps, _)| ps <= ee + CLOSE);
            let nearest = people
                .get(near_from.max(first)..near_to.min(last))
                .unwrap_or(&[])
                .iter()
                .filter(|&&(ps, pe)| pe <= es || ps >= ee)
                .min_by_key(|&&(ps, pe)| if pe <= es { es - pe } else { ps - ee })
                .copied();
            // (A detail, "the local weatherman came in", stays apart from the cue: it is what
            // the cue's indirect finding is about.)
            let nearest = nearest.filter(|p| match &sorted_words {
                Some(sorted) => sorted.binary_search(p).is_ok(),
                None => words_of_people.contains(p),
            });
            let cue = match nearest {
                Some((ps, pe)) if pe <= es && es - pe <= CLOSE => (ps, ee),
                Some((ps, pe)) if ps >= ee && ps - ee <= CLOSE => (es, pe),
                _ => (es, ee),
            };
            patient_cues.push(cue);
        }
    }
}

/// Overlapping identifiers: the longer one wins; on a tie, the earlier one. Leaves the winners
/// in `candidates`, in text order.
#[inline(never)]
fn resolve_overlaps(candidates: &mut Vec<Candidate>) {
    candidates.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end)));
    // `kept` winners so far sit at the front; each candidate is compared with the last of them.
    let mut kept: usize = 0;
    for i in 0..candidates.len() {
        let c = candidates[i];
        if let Some(last) = kept.checked_sub(1).and_then(|k| candidates.get_mut(k)) {
            if c.start < last.end {
                if c.end - c.start > last.end - last.start {
                    *last = c;
                }
                continue;
            }
        }
        candidates[kept] = c;
        kept += 1;
    }
    candidates.truncate(kept);
}

/// An age over 89 or a room written right after a name: "Brown, 90,", "Müller (96!!)",
/// "Johnson in 412", "O'Malley in 4B".
#[inline(never)]
fn detail_after_name(text: &str, name_end: usize) -> Option<Candidate> {
    let rest = text.get(name_end..)?;
    // "Mr. Lindqvist is 103": the age after a verb that gives it.
    let verb = [" is ", " was ", " turned ", " just turned "]
        .iter()
        .find(|v| rest.starts_with(**v))
        .map_or(0, |v| v.len());
    let trimmed = rest.get(verb..)?.trim_start_matches([',', ' ', '(']);
    let skipped = rest.len() - trimmed.len();
    if skipped > 0 && (skipped <= 3 || verb > 0) && !rest.starts_with(" in") {
        let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
        let after = trimmed.as_bytes().get(digits).copied();
        if (2..=3).contains(&digits)
            && !after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b':')
        {
            let age: u32 = trimmed.get(..digits)?.parse().ok()?;
            if (90..=125).contains(&age) {
                let start = name_end + skipped;
                return Some(Candidate {
                    kind: IdentifierKind::Age,
                    rule: "phi.age",
                    pattern: None,
                    start,
                    end: start + digits,
                });
            }
        }
    }
    room_after(text, name_end)
}

/// The letters `s` starts with, up to its first character that is no letter.
fn leading_word(s: &str) -> &str {
    let len = s
        .char_indices()
        .find(|&(_, c)| !c.is_alphabetic())
        .map_or(s.len(), |(i, _)| i);
    s.get(..len).unwrap_or("")
}

/// The town in " from Thornwick" right after a name that ends at `name_end`: a word in title
/// case (or capitals in capitals) of at least four letters that no list knows (a town of the
/// city list is found as a town already; "from Accounting", "from Pfizer" and other ordinary or
/// listed words are not taken).
fn town_after_name(text: &str, name_end: usize) -> Option<Candidate> {
    let rest = text.get(name_end..)?;
    let after = rest
        .strip_prefix(" from ")
        .or_else(|| rest.strip_prefix(" FROM "))?;
    let word = leading_word(after);
    let len = word.len();
    let mut chars = word.chars();
    let first_upper = chars.next().is_some_and(char::is_uppercase);
    let rest_lower = word.chars().skip(1).all(char::is_lowercase);
    let all_upper = word.chars().all(char::is_uppercase) && rest.starts_with(" FROM ");
    if !first_upper || !(rest_lower || all_upper) || word.chars().count() < 4 {
        return None;
    }
    let lower = word.to_lowercase();
    if !names::NameData::get().is_unlisted(&lower) {
        return None;
    }
    let start = name_end + (rest.len() - after.len());
    Some(Candidate {
        kind: IdentifierKind::City,
        rule: "phi.city",
        pattern: None,
        start,
        end: start + len,
    })
}

/// A room number right before the name at `start`, as in a list of rooms: "301 Garcia", "4B
/// Patel", the number of one to four digits (and perhaps a letter) after the start of the text,
/// a line, a space or `,;:(`, one space before the name.
fn room_before_name(text: &str, start: usize) -> Option<Candidate> {
    let head = text.get(..start)?.strip_suffix(' ')?.as_bytes();
    let letter = usize::from(head.last().is_some_and(u8::is_ascii_alphabetic));
    let digits = head[..head.len() - letter]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if !(1..=4).contains(&digits) {
        return None;
    }
    let from = head.len() - letter - digits;
    // "in 2010 Garcia": a year.
    if year(&head[from..]) {
        return None;
    }
    let opens = from == 0
        || head
            .get(from - 1)
            .is_some_and(|b| matches!(b, b' ' | b'\n' | b'\t' | b',' | b';' | b':' | b'('));
    opens.then_some(Candidate {
        kind: IdentifierKind::Room,
        rule: "phi.room",
        pattern: None,
        start: from,
        end: head.len(),
    })
}

/// Whether `digits` (ASCII digits only) read as a year of the last two centuries ("1980",
/// "2019"), which a bare number before or after a name more often is than a room.
fn year(digits: &[u8]) -> bool {
    digits.len() == 4 && matches!(digits.get(..2), Some(b"19" | b"20"))
}

/// " in 412", " in bay 2", " in rm 7", " in 4B" right after `pos`.
fn room_after(text: &str, pos: usize) -> Option<Candidate> {
    let rest = text.get(pos..)?;
    let after_in = rest.strip_prefix(" in ")?;
    // The keyword among the first 8 bytes (which must end on a character's boundary), ASCII
    // case ignored, compared in place rather than on a lower-cased copy.
    let head = after_in.get(..after_in.len().min(8))?.as_bytes();
    let keyword = ["room ", "rm ", "bed ", "bay "]
        .iter()
        .find(|k| {
            head.get(..k.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(k.as_bytes()))
        })
        .map_or(0, |k| k.len());
    let number = after_in.get(keyword..)?;
    let digits = number.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let mut len = digits;
    if number
        .as_bytes()
        .get(len)
        .is_some_and(u8::is_ascii_uppercase)
    {
        len += 1;
    }
    if number.as_bytes().get(len).is_some_and(|b| {
        b.is_ascii_alphanumeric()
            || *b == b':'
            || *b == b'/'
            || *b == b'.'
                && number
                    .as_bytes()
                    .get(len + 1)
                    .is_some_and(u8::is_ascii_digit)
    }) {
        return None;
    }
    // A bare number after "in" is a room only with three or four digits, a bed letter ("4B"),
    // or a verb after it ("O'Sullivan in 14 is singing").
    let start = pos + " in ".len();
    if keyword == 0 && digits < 3 && len == digits && !verb_after(text, start + len) {
        return None;
    }
    // "Back in 2019": a year, not a room.
    if keyword == 0 && len == digits && year(&number.as_bytes()[..digits]) {
        return None;
    }
    Some(Candidate {
        kind: IdentifierKind::Room,
        rule: "phi.room",
        pattern: None,
        start,
        end: start + keyword + len,
    })
}

/// Whether `next`, the word after "lil", "pt" and the like, is a listed name written in lower
/// case.
#[cold]
#[inline(never)]
fn name_after_cue(text: &str, next: &text::Word) -> bool {
    next.shape == text::Shape::Lower
        && next.prefix == text::Prefix::None
        && next.joined_to_previous
        && names::listed_name(text, next)
}

/// Whether a word of a `person` list ends right before the courtesy title before the name at
/// `start`, apart from it by spaces and a comma at most ("the crossing guard, Mr. Haverford").
fn role_before_title(text: &str, start: usize, people: PeopleEnds<'_>) -> bool {
    if let PeopleEnds::Few([]) = people {
        return false;
    }
    let Some(title) = names::courtesy_title_start(text, start) else {
        return false;
    };
    let head = text.get(..title).unwrap_or("").trim_end();
    let head = head.strip_suffix(',').unwrap_or(head).trim_end();
    match people {
        PeopleEnds::Few(people) => people.iter().any(|&(_, e)| e == head.len()),
        PeopleEnds::Sorted(ends) => ends.binary_search(&head.len()).is_ok(),
    }
}

/// Where the words of `person` lists end: the words themselves when they are few, their ends
/// sorted when they are many.
#[derive(Clone, Copy)]
enum PeopleEnds<'a> {
    Few(&'a [(usize, usize)]),
    Sorted(&'a [usize]),
}

/// The @handles of `text`, without the `@`: a letter, digit, `_` or `.` run after an `@` that
/// follows no letter or digit (not an email address), its last dots left out; possibly empty.
/// Each `@` is found by a vector search (`str::find` searched a word at a time, at about 150
/// instructions a call).
fn handles(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'@', bytes).filter_map(move |at| handle_after(bytes, at))
}

/// A byte that can stand in an @handle after its `@`.
fn in_handle(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
}

/// The handle (as [`handles`] reads it) of the `@` at `at`, if that `@` starts one.
fn handle_after(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    if at > 0 && bytes.get(at - 1).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let start = at + 1;
    let run = bytes
        .get(start..)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&b| in_handle(b))
        .count();
    let handle = bytes.get(start..start + run)?;
    let len = handle.len() - handle.iter().rev().take_while(|&&b| b == b'.').count();
    Some((start, start + len))
}

/// The handle (as [`handles`] reads it) that holds `pos`, found by walking back from `pos` to
/// its `@`: as long as the handle, where a search through [`handles`] from the text's start
/// made a long text's names quadratic.
fn handle_around(text: &str, pos: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let back = bytes
        .get(..pos)?
        .iter()
        .rev()
        .take_while(|&&b| in_handle(b))
        .count();
    let at = (pos - back).checked_sub(1)?;
    if bytes.get(at) != Some(&b'@') {
        return None;
    }
    handle_after(bytes, at)
}

/// Whether the contact detail at `start` is one the reader is asked to call ("call 555-...",
/// "call us at", "text"): a service's line, which a person cue elsewhere in its sentence ("home
/// delivery") does not make a patient's.
fn invited_to_call(text: &str, start: usize) -> bool {
    let before = text.get(..start).unwrap_or("").trim_end();
    let before = before
        .strip_suffix(" at")
        .or_else(|| before.strip_suffix(" on"))
        .unwrap_or(before)
        .trim_end();
    let before = before.strip_suffix(" us").unwrap_or(before);
    let tail = before.get(before.len().saturating_sub(5)..).unwrap_or("");
    ["call", "dial", "text"].iter().any(|verb| {
        tail.len() >= verb.len()
            && tail
                .get(tail.len() - verb.len()..)
                .is_some_and(|w| w.eq_ignore_ascii_case(verb))
            && !tail
                .get(..tail.len() - verb.len())
                .unwrap_or("")
                .bytes()
                .last()
                .is_some_and(|b| b.is_ascii_alphanumeric())
    })
}

/// Words for relatives after a possessive name ("Chukwuemeka's mum").
const RELATIVES: &[&str] = &[
    "mum",
    "mom",
    "mother",
    "dad",
    "father",
    "husband",
    "wife",
    "son",
    "daughter",
    "sister",
    "brother",
    "family",
    "kids",
    "baby",
    "parents",
    "grandma",
    "grandpa",
    "grandmother",
    "grandfather",
    "partner",
    "fiance",
    "boyfriend",
    "girlfriend",
    "nana",
];

/// Words that greet the person a reply addresses ("Hi Marta", "Thanks Ruth").
const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "dear",
    "thanks",
    "congrats",
    "congratulations",
];

/// Pushes to `out` (names found, in text order) the capitalised words of at least three
/// letters that stand where only a name stands, when the name lists do not rule them out
/// ([`names::NameData::may_be_name`]), are not allowed and are not found already: before a
/// possessive and a relative ("Chukwuemeka's mum"), and where `addressed` (a reply or
/// comment) the person addressed, after a greeting ("Hi Marta,") or after a comma with an
/// exclamation mark after it ("Thank you for the kind words, Oluwaseun!").
#[cold]
#[inline(never)]
fn unlisted_names(
    text: &str,
    words: &[text::Word],
    addressed: bool,
    allow: &AllowList,
    allowed_spans: &[(usize, usize)],
    out: &mut Vec<(usize, usize)>,
) {
    let data = names::NameData::get();
    // The names found before and the allowed ones, to look a word up among.
    let found = Overlaps::new(out);
    let allowed = Overlaps::new(allowed_spans);
    let consider = |w: &text::Word, out: &mut Vec<(usize, usize)>| {
        if !w.is_capitalised() || w.end - w.start < 3 || w.prefix != text::Prefix::None {
            return;
        }
        if found.any(out, w.start, w.end)
            || allowed.any(allowed_spans, w.start, w.end)
            || out.last() == Some(&(w.start, w.end))
        {
            return;
        }
        if with_lowercase(w.text(text), |l| data.may_be_name(l) && !allow.allows(l)) {
            out.push((w.start, w.end));
        }
    };
    // Possessives, from each apostrophe (or first byte of a curly one): most texts have none
    // or a few, and most words are then never looked at.
    let bytes = text.as_bytes();
    for at in memchr::memchr2_iter(b'\'', 0xE2, bytes) {
        let rest = bytes.get(at..).unwrap_or_default();
        let after = if rest.starts_with(b"'s ") {
            at + 3
        } else if rest.starts_with("\u{2019}s ".as_bytes()) {
            at + 5
        } else {
            continue;
        };
        let next = text
            .get(after..)
            .unwrap_or("")
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("");
        if !RELATIVES.iter().any(|r| next.eq_ignore_ascii_case(r)) {
            continue;
        }
        let i = words.partition_point(|w| w.end < at);
        if let Some(w) = words.get(i).filter(|w| w.end == at) {
            consider(w, out);
        }
    }
    if addressed {
        for i in 0..words.len() {
            if is_addressed(text, words, i) {
                if let Some(w) = words.get(i) {
                    consider(w, out);
                }
            }
        }
    }
}

/// Whether word `i` of `words` is the person a reply addresses: a name addressed at the end of
/// a clause ([`names::vocative`]: "... the kind words, Oluwaseun!"), after a greeting and
/// before a comma, `!` or `.` ("Hi Marta, ..."), or first in the text before a comma or `!`
/// ("Siosaia, this made our day!").
fn is_addressed(text: &str, words: &[text::Word], i: usize) -> bool {
    let Some(w) = words.get(i) else {
        return false;
    };
    if names::vocative(text, words, i) {
        return true;
    }
    if !matches!(text.as_bytes().get(w.end), None | Some(b',' | b'!' | b'.')) {
        return false;
    }
    // "Siosaia, this made our day!", "Liesel!! you were my very first patient": the reply's
    // first word, before a comma or `!`.
    if i == 0 && text.get(..w.start).is_some_and(|h| h.trim().is_empty()) {
        return matches!(text.as_bytes().get(w.end), Some(b',' | b'!'));
    }
    let Some(prev) = i.checked_sub(1).and_then(|p| words.get(p)) else {
        return false;
    };
    let gap = text.get(prev.end..w.start).unwrap_or("");
    if !gap.bytes().all(|b| b == b' ' || b == b',') || gap.is_empty() {
        return false;
    }
    let prev_word = prev.text(text);
    GREETINGS.iter().any(|g| prev_word.eq_ignore_ascii_case(g))
        || prev_word.eq_ignore_ascii_case("you")
            && i >= 2
            && words
                .get(i - 2)
                .is_some_and(|t| t.text(text).eq_ignore_ascii_case("thank"))
}

/// Pushes the name of each nickname in quotes that starts a sentence, right before one of the
/// rooms found and a verb ('"Tank" in bed 8 is ...', '“Big Mo” in bed 6 has ...'; not 'we
/// watched "Frozen" in room 4'): one to three words of letters, the first a capital. Read from
/// the rooms (most texts have none), not from every quote.
fn nicknames_before_rooms(text: &str, candidates: &mut Vec<Candidate>) {
    let rooms = candidates.len();
    for r in 0..rooms {
        let Some(room) = candidates.get(r).filter(|c| c.kind == IdentifierKind::Room) else {
            continue;
        };
        let Some(head) = text
            .get(..room.start)
            .and_then(|h| h.strip_suffix(" in "))
            .filter(|_| verb_after(text, room.end))
        else {
            continue;
        };
        let (at, open) = if let Some(h) = head.strip_suffix('"') {
            (h.len(), "\"")
        } else if let Some(h) = head.strip_suffix('\u{201d}') {
            (h.len(), "\u{201c}")
        } else {
            continue;
        };
        let window = text.get(at.saturating_sub(30)..at).unwrap_or("");
        let Some(open_at) = window.rfind(open) else {
            continue;
        };
        let open_start = at - window.len() + open_at;
        let start = open_start + open.len();
        let starts_sentence = text
            .get(..open_start)
            .map(str::trim_end)
            .is_some_and(|h| h.is_empty() || h.ends_with(['.', '!', '?', '\n']));
        let Some(nick) = text.get(start..at) else {
            continue;
        };
        if !starts_sentence
            || nick.split(' ').count() > 3
            || !nick.starts_with(|c: char| c.is_uppercase())
            || !nick
                .chars()
                .all(|c| c.is_alphabetic() || c == ' ' || c == '\'' || c == '-')
        {
            continue;
        }
        candidates.push(Candidate {
            kind: IdentifierKind::Name,
            rule: "phi.name",
            pattern: None,
            start,
            end: at,
        });
    }
}

/// The words before `start`, nearest first, split at white space (with any punctuation on
/// them): what the checks of the words before a cue read.
fn words_before(text: &str, start: usize) -> impl Iterator<Item = &str> {
    let mut head = text.get(..start).unwrap_or("").trim_end();
    std::iter::from_fn(move || {
        if head.is_empty() {
            return None;
        }
        let cut = head.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = head.get(cut..)?;
        head = head.get(..cut).unwrap_or("").trim_end();
        Some(word)
    })
}

/// Whether the patient-context cue at `start` speaks of patients in general: after "every",
/// "any", "each" or "no", with at most one word between ("every post-op patient who swears he
/// can't walk", "any patient with chest pain").
fn generic(text: &str, start: usize) -> bool {
    // A word between only before "patient" ("every post-op patient"; not "every Sunday was
    // discharged").
    let about_patients = text
        .get(start..start + 7)
        .is_some_and(|w| w.eq_ignore_ascii_case("patient"));
    for word in words_before(text, start).take(1 + usize::from(about_patients)) {
        if ["every", "any", "each", "no"]
            .iter()
            .any(|w| word.eq_ignore_ascii_case(w))
        {
            return true;
        }
        if !word.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-') {
            return false;
        }
    }
    false
}

/// Whether the person cue at `start` is the author's own: right after "my", "my own", or one
/// of them and one word ("my surgery is on March 12", "my own ACL surgery"; not "my patient's
/// surgery").
fn authors_own(text: &str, start: usize) -> bool {
    self_described(text, start) || after_my(text, start)
}

/// Whether the cue at `start` follows "i'm", "being" or "be" and only words that describe a
/// patient ("being the world's worst patient", "i'm a terrible patient").
fn self_described(text: &str, start: usize) -> bool {
    let mut buf = [0u8; 12];
    for word in words_before(text, start).take(5) {
        // The word in lower case, a curly apostrophe as a straight one, on the stack; a longer
        // word is none of those below.
        let mut len = 0;
        for c in word.chars() {
            let b = match c {
                '\u{2019}' => b'\'',
                c if c.is_ascii() => c.to_ascii_lowercase() as u8,
                _ => return false,
            };
            let Some(slot) = buf.get_mut(len) else {
                return false;
            };
            *slot = b;
            len += 1;
        }
        match buf.get(..len).unwrap_or_default() {
            b"i'm" | b"im" | b"being" | b"be" | b"am" => return true,
            b"the" | b"a" | b"an" | b"world's" | b"worst" | b"best" | b"terrible" | b"bad"
            | b"good" | b"difficult" | b"awful" | b"model" | b"cranky" | b"grumpy"
            | b"horrible" | b"such" | b"total" | b"typical" | b"impatient" => {}
            _ => return false,
        }
    }
    false
}

/// Whether the cue at `start` follows "my", "my own", or one of them and one word.
fn after_my(text: &str, start: usize) -> bool {
    for word in words_before(text, start).take(3) {
        if word.eq_ignore_ascii_case("my") {
            return true;
        }
        let starts = |p: &str| {
            word.get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p))
        };
        // Punctuation ends the run ("my patient's, surgery"); a patient's word is no one's own.
        let plain = word
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '\'' | '\u{2019}' | '-'));
        if !plain || starts("patient") || starts("pt") {
            return false;
        }
    }
    false
}

/// Whether the sentence around `pos` (within 120 bytes) speaks of a hotel or a dorm, where a
/// room number is no patient's.
fn hotel_room(text: &str, pos: usize) -> bool {
    // Within 120 bytes on each side (a text without stops is one long sentence).
    let (mut from, mut to) = (pos.saturating_sub(120), (pos + 120).min(text.len()));
    while !text.is_char_boundary(from) {
        from += 1;
    }
    while !text.is_char_boundary(to) {
        to += 1;
    }
    let Some(window) = text.get(from..to) else {
        return false;
    };
    let (s, e) = text::sentence_bounds(window, pos.saturating_sub(from));
    window.get(s..e).is_some_and(|sentence| {
        with_lowercase(sentence, |l| {
            [
                "hotel", "motel", "airbnb", "hostel", "dorm", "resort", "cruise",
            ]
            .iter()
            .any(|w| l.contains(w))
        })
    })
}

/// Titles of clinicians that mark an @handle as a colleague's own ("@nurse.jules.rn",
/// "@dr_amy_k").
const CLINICIAN_TITLES: &[&str] = &[
    "rn", "nurse", "md", "np", "dr", "doc", "emt", "medic", "lpn", "cna", "crna", "pharmd", "dpt",
    "pharm", "rph", "slp", "rrt", "msw",
];

/// Whether `start..end` lies inside an @handle ([`handles`]) that holds a clinician's title as
/// one of its parts (split at `.`, `_` and digits).
fn in_clinician_handle(text: &str, start: usize, end: usize) -> bool {
    handle_around(text, start)
        .filter(|&(hs, he)| hs <= start && end <= he)
        .and_then(|(hs, he)| text.get(hs..he))
        .is_some_and(|handle| {
            handle
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|part| {
                    CLINICIAN_TITLES
                        .iter()
                        .any(|t| part.eq_ignore_ascii_case(t))
                })
        })
}

/// Pushes a finding like `like` for each of `spans` (in text order) that does not overlap the
/// one kept before it, with its place and text.
fn push_spans(text: &str, spans: &[(usize, usize)], like: Finding, findings: &mut Vec<Finding>) {
    let mut last_end = 0;
    for &(start, end) in spans {
        if start < last_end {
            continue;
        }
        last_end = end;
        findings.push(Finding {
            start,
            end,
            matched: text.get(start..end).unwrap_or("").to_owned(),
            ..like.clone()
        });
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handle_around_a_place_is_the_one_handles_finds_there() {
        for text in [
            "hi @nurse.jules.rn. and @dr_amy_k, and amy@example.org or x@ @",
            "@a.b..c @@dd e@f.g",
            "",
        ] {
            let found: Vec<_> = handles(text).collect();
            for pos in 0..=text.len() {
                let want = found.iter().copied().find(|&(s, e)| s <= pos && pos < e);
                let got = handle_around(text, pos).filter(|&(s, e)| s <= pos && pos < e);
                assert_eq!(got, want, "{text:?} at {pos}");
            }
        }
    }

    #[test]
    fn first_number_answers_as_parsing_the_collected_digits() {
        for s in [
            "",
            "abc",
            "age 95",
            "0095y",
            "a9",
            "99999999999",
            "4294967295",
            "4294967296",
            "é12",
            "x1y2",
            "１2",
        ] {
            let collected: String = s
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            assert_eq!(first_number(s), collected.parse::<u32>().ok(), "{s:?}");
        }
    }

    #[test]
    fn in_key_is_the_key_words_give_in() {
        let mut words = Vec::new();
        for text in ["Smith in 412", "SMITH IN 412", "smith In bay 2"] {
            text::words(text, &mut words);
            assert_eq!(words.get(1).map(|w| w.key), Some(IN_KEY), "{text:?}");
        }
    }

    #[test]
    fn slots_are_the_positions_in_all() {
        for (i, &c) in Category::ALL.iter().enumerate() {
            assert_eq!(slot(c), i, "{c:?}");
        }
    }

    #[test]
    fn web_addresses_are_told_as_lower_casing_would() {
        let reference = |word: &str| {
            let lower = word.to_ascii_lowercase();
            [".com", ".net", ".org", "http", ".blog"]
                .iter()
                .any(|p| lower.contains(p))
        };
        for word in [
            "",
            ".",
            "h",
            "today.",
            "x.COM",
            "a.Net/",
            "HTTP",
            "htt",
            "hTtPs://a",
            "b.org",
            ".or",
            "x.blo",
            "x.BLOG",
            "my.blog.",
            "co.com",
            "\u{e9}.com",
            "h.t.t.p",
            "e.g.",
        ] {
            assert_eq!(mentions_web_address(word), reference(word), "{word:?}");
        }
    }

    #[test]
    fn address_words_in_one_pass_as_in_three() {
        // The three passes over the words this function made before, kept as the reference.
        fn reference(matched: &str, mode: CaseMode) -> bool {
            let words = || matched.split_whitespace();
            if words().any(|w| {
                with_lowercase(w, |l| {
                    LITTLE_WORDS.contains(&l.trim_matches(|c: char| !c.is_alphanumeric()))
                })
            }) {
                return false;
            }
            if mode != CaseMode::Mixed {
                return true;
            }
            let last = words().count().saturating_sub(1);
            words()
                .enumerate()
                .filter(|(_, w)| w.chars().next().is_some_and(char::is_alphabetic))
                .all(|(k, w)| {
                    w.chars().next().is_some_and(char::is_uppercase)
                        || with_lowercase(w, |l| {
                            let l = l.trim_end_matches(['.', ',']);
                            address_joiner(l)
                            // "90 Whitchurch Road street": a street word in lower case after the name.
                            || k == last
                                && k >= 2
                                && lower_case_street_word(l)
                        })
                })
        }

        let words = [
            "90",
            "Whitchurch",
            "Road",
            "street",
            "st",
            "the",
            "The",
            "apt",
            "Apt.",
            "de",
            "rue",
            "x",
            "4B",
            "«the»",
            "Ünter",
            "ünter",
            "avenue",
            "(on)",
            "",
            "\u{a0}",
            "day,",
            "Main",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for n in 0..(state % 6) {
                let w = words[((state >> (8 * n)) % words.len() as u64) as usize];
                text.push_str(w);
                text.push(if (state >> (40 + n)) & 1 == 0 {
                    ' '
                } else {
                    '\n'
                });
            }
            for mode in [CaseMode::Mixed, CaseMode::Lower, CaseMode::Upper] {
                assert_eq!(
                    address_words_ok(&text, mode),
                    reference(&text, mode),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn dotted_words_are_split_whitespace_words() {
        // What the search did before, for every text: the `str` methods with
        // `char::is_whitespace`.
        let reference = spaced_word;
        for text in [
            ".",
            "a.b",
            "see example.com today.",
            "see\texample.com\ntoday.",
            "vertical\x0bexample.com\x0cform feed.",
            "unit\x1fseparator.com is no space",
            "café.com and naïve.org",
            "no\u{a0}break.com\u{2003}em space.",
            "next\u{85}line.com\u{3000}ideographic.",
            "Ünïcödé.ëvërÿwhërë.",
            "...",
            " . ",
            "ends with a dot.",
            "🎉party.com🎉 x.",
        ] {
            for (dot, _) in text.match_indices('.') {
                assert_eq!(
                    dotted_word(text, dot),
                    reference(text, dot),
                    "{text:?} at {dot}"
                );
            }
        }
    }
}
