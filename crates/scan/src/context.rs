//! Phrases that are not identifiers themselves but change what the identifiers mean: cues that a
//! text is about a person, quasi-identifiers (times, ages, places), individual medical advice,
//! and credentials. Compiled into one multi-pattern regex, searched with its forward and reverse
//! lazy DFAs directly ([`LazySearch`]), their cache in the thread's scratch.

use crate::ascii_regex::{LazyCache, LazySearch};

/// What a context phrase signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// Ties nearby dates and places to a person ("born", "admitted", "DOB").
    PersonCue,
    /// A time that can single out a patient beside patient context ("last night").
    QuasiTime,
    /// An age or age group.
    QuasiAge,
    /// A place (a road, a named street).
    QuasiPlace,
    /// A relative date that is an identifier beside patient context ("last Tuesday"); also a
    /// quasi-identifier time.
    RelativeDate,
    /// Individual medical advice.
    Advice,
    /// A verb of advice (stop, start, take...) that is advice only beside a medicine.
    AdviceVerb,
    /// A medicine or dose.
    Medicine,
    /// A password, a code, a key.
    Credential,
}

/// Medicines named by one word (with the other Medicine sources below: see [`sources`]).
const MEDICINES: &str = "meds|medication|medications|medicine|medicines|pills?|tablets?|doses?|dosage|insulin|metformin|lisinopril|atorvastatin|statins?|levothyroxine|synthroid|amlodipine|metoprolol|warfarin|coumadin|eliquis|xarelto|aspirin|ibuprofen|advil|motrin|tylenol|acetaminophen|paracetamol|naproxen|aleve|antibiotics?|amoxicillin|augmentin|azithromycin|cipro|doxycycline|keflex|prednisone|steroids?|inhaler|albuterol|zoloft|sertraline|prozac|fluoxetine|lexapro|xanax|ativan|klonopin|adderall|ritalin|gabapentin|oxycodone|percocet|vicodin|hydrocodone|tramadol|morphine|fentanyl|suboxone|methadone|ozempic|wegovy|semaglutide|mounjaro|benadryl|melatonin|antidepressants?|antihistamines?|chemo|chemotherapy|vitamins?|supplements?|potassium|lasix|furosemide|diuretics?|epipen|nitro|nitroglycerin";

/// The phrases, in priority order. A list of phrases that are each one word of letters, between
/// word boundaries, is a source of its own, apart from the phrases of its signal that hold a
/// space, a dot or a hyphen: a walk then knows where such a match starts without a reverse
/// search (see `ascii_regex::StartAt`). Splitting an alternation into two patterns in a row
/// keeps its matches as long as no phrase of one part and one of the other can match from the
/// same place (then which comes first decides nothing), which holds for each split here: a test
/// compares them with the sources as they were written before.
fn sources() -> Vec<(Signal, String)> {
    use Signal::*;
    vec![
        (PersonCue, r"(?i)\b(?:born|birth|birthday|bday|dob|admitted|admission|admit|discharged|discharge|surgery|operated|operation|procedure|died|death|deceased|expired|delivered|diagnosed|transferred|visit|appointment|appt|treated|hospitali[sz]ed|coded|intubated|lives|lived|resides|resident|address|home|patient|pt|mrn|husband|wife|son|daughter|mother|father|grandmother|grandfather)\b".into()),
        (PersonCue, r"(?i)\b(?:d\.o\.b\.?|date of birth|passed away|seen on|seen by)\b".into()),
        (RelativeDate, r"(?i)\b(?:last|this\s+past)\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day\b".into()),
        (QuasiTime, r"(?i)\b(?:yesterday|overnight)\b".into()),
        (QuasiTime, r"(?i)\b(?:last\s+night|this\s+(?:morning|afternoon|evening)|the\s+day\s+before\s+yesterday|(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+(?:night|morning|evening)|at\s+[0-9]{1,2}(?::[0-9]{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|on\s+(?:christmas|thanksgiving|new\s+year'?s(?:\s+eve)?|easter|halloween|the\s+(?:4th|fourth)\s+of\s+july))\b".into()),
        (QuasiAge, r"(?i)\b[0-9]{1,3}\s*-?\s*(?:years?|yrs?|y/o|yo|months?|weeks?|days?)\s*-?\s*old\b|\b[0-9]{1,3}\s?(?:yo|y/o|yof|yom)\b|\b(?:age|aged)\s*:?\s*[0-9]{1,3}\b|\bin\s+(?:his|her|their)\s+(?:late\s+|early\s+|mid-?)?[1-9]0s\b|\b[0-9]{2}-weeker\b".into()),
        (QuasiAge, r"(?i)\b(?:teenager|teenage|teen|toddler|newborn|infant|preemie|twins|triplets|elderly|centenarian|pregnant|expecting)\b".into()),
        // A road by its number; a named place after a preposition ("on Haskett Road", "at the
        // Silverleaf Motel", "pulled out of Widgeon Pond"), in sentence case, lower case or capitals.
        (QuasiPlace, r"\b(?:[Rr]oute|[Rr]t\.?|[Hh]ighway|[Hh]wy|[Ii]nterstate|I-|US-|SR-|SR\s|[Cc]ounty\s[Rr]oad)\s?[0-9]{1,3}\b|\b(?:on|at|near|off|from|outside|behind|by|into|of|in)\s+(?:the\s+)?(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s){1,2}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Circle|Place|Terrace|Parkway|Pkwy|Highway|Turnpike|Pike|Bypass|Park|Mall|Plaza|Market|Bridge|Pier|Beach|Lake|Pond|River|Creek|Reservoir|Quarry|Dam|Trail|Mountain|Campground|Fairgrounds|Speedway|Stadium|Arena|Inn|Motel|Hotel|Apartments|Mill|Mine|High School|Elementary|Middle School|Academy|Church|Cemetery|Marina|Plant|Factory|Farm)\b|\b(?:on|at|near|off|from|outside|behind|into)\s+(?:the\s+)?(?:[a-z]+\s){1,2}(?:street|avenue|road|boulevard|lane|drive|bridge|high school|elementary|middle school|church|lake|pond|river|motel|apartments|fairgrounds)\b|\b(?:ON|AT|NEAR|OFF|FROM|OUTSIDE|BEHIND|BY|INTO|OF|IN)\s+(?:THE\s+)?(?:[A-Z]+\s){1,2}(?:STREET|ST|AVENUE|AVE|ROAD|RD|BOULEVARD|BLVD|LANE|LN|DRIVE|DR|HIGHWAY|PARK|MALL|BRIDGE|LAKE|POND|RIVER|MOTEL|HOTEL|INN|APARTMENTS|FAIRGROUNDS|HIGH SCHOOL|ELEMENTARY|MIDDLE SCHOOL|CHURCH|FARM|PLANT)\b".into()),
        (Advice, r"(?i)\b(?:sounds|looks)\s+like\s+(?:you(?:'ve|\s+have)?\s+(?:have|got|might\s+have|may\s+have)|a\s+(?:classic\s+)?case\s+of|an?\s+(?:infection|uti|ear infection|sinus infection|strep|shingles|migraine|allergy|ulcer|hernia|concussion|sprain|fracture))\b|\byou\s+(?:probably|definitely|most\s+likely|clearly|likely|might|may)\s+have\s+(?:an?\s+)?[a-z]+|\byou(?:'ve|\s+have)\s+got\s+(?:an?\s+)?[a-z]+\s+(?:infection|virus)|\b(?:it'?s|that'?s|this\s+is|is|s)\s+(?:probably|definitely|just|most\s+likely|almost\s+certainly)\s+(?:just\s+)?(?:an?\s+)?(?:infection|virus|cold|flu|uti|strep|shingles|migraine|anxiety|allergies|sciatica|gout|pneumonia|bronchitis|appendicitis|pulled\s+muscle|sprain|ringworm|eczema|hives|pink\s+eye|reflux|heartburn|vertigo|stomach\s+bug|food\s+poisoning|nothing\s+serious)\b|\b(?:no|don'?t)\s+need\s+to\s+(?:see|call|go\s+to)\s+(?:a|your|the)\s+(?:doctor|er|ed|emergency)|\b(?:you|he|she|they|your\s+(?:kid|child|son|daughter|baby|toddler))\s+(?:don'?t|doesn'?t|do\s+not|does\s+not)\s+need\s+(?:antibiotics|surgery|to\s+see\s+a\s+doctor|the\s+er|stitches)\b|\b(?:take|try|give\s+(?:her|him|them)|double|up\s+(?:your|the))\s+(?:[a-z]+\s+){0,3}[0-9]+(?:\.[0-9]+)?\s?(?:mg|mcg|g|ml|cc|units?|iu|tablets?|tabs?|pills?|capsules?|puffs?|drops?)\b|\b[0-9]+(?:\.[0-9]+)?\s?(?:mg|mcg|ml|units?|tablets?|pills?)\s+(?:every|each|twice|three\s+times|once|per)\s+(?:[0-9]+\s+)?(?:hours?|day|days|night|morning|meal)s?\b|\b(?:you\s+should|you\s+need\s+to|you\s+have\s+to|you\s+must|i'?d|i\s+would|just|go\s+ahead\s+and)\s+(?:stop|quit|skip|halve|cut)\s+(?:taking\s+)?(?:your|the|those|that|them)\b|\bstop\s+taking\s+(?:your|the|those|that|them|it)\b|\bdon'?t\s+take\s+your\b".into()),
        (AdviceVerb, r"(?i)\b(?:you\s+(?:should|need\s+to|have\s+to|must|ought\s+to|could|can)\s+(?:(?:probably|definitely|really|just|also)\s+)?(?:stop|start|quit|skip|double|increase|decrease|lower|raise|cut\s+(?:back|down)|take|try|switch|come\s+off|get\s+off|wean|ask\s+for|get)|(?:increase|decrease|double|halve|stop|skip)\s+your|(?:stop|skip|quit)\s+the\s+rest\s+of|stop\s+the|try\s+(?:taking|two|some)|(?:start|keep|stop)\s+(?:taking|giving)|give\s+(?:him|her|them)\s+(?:some|half|[0-9]+|two))\b".into()),
        (Medicine, format!(r"(?i)\b(?:{MEDICINES}|excedrin|lotrimin|clotrimazole|acyclovir|valacyclovir|valtrex|sumatriptan|imitrex|triptans?|tamiflu|mucinex|sudafed|claritin|zyrtec|allegra|flonase|neosporin|hydrocortisone|imodium)\b")),
        (Medicine, r"(?i)\b(?:blood thinners?|z-?pack|birth control|the pill)\b|\b[0-9]+(?:\.[0-9]+)?\s?(?:mg|mcg|ml|iu)\b".into()),
        (Credential, r"(?i)\b(?:password|passwd|passcode|pwd|pw|pin|wifi|wi-fi|door\s+code|access\s+code|keypad\s+code|lock\s+code|gate\s+code|alarm\s+code|code\s+(?:to|for)\s+the\s+[a-z]+(?:\s+[a-z]+)?(?:\s+door)?|login|username|user\s*name)\s*(?:(?:is|was)\b|=|:|-)\s*[A-Za-z0-9!@#$%^&*_+=.-]+|\b(?:login|credentials)\s+for\s+(?:the\s+)?(?:[a-z]+\s+){1,4}(?:is|are|=|:)\s*[A-Za-z0-9_.-]+\s*/\s*[A-Za-z0-9!@#$%^&*_+=.-]+|\buser(?:name)?(?:\s*:\s*|\s+)[A-Za-z0-9_.-]+\s*[,;/]?\s*(?:pw|pwd|pass|password)\s*[:=]?\s*[A-Za-z0-9!@#$%^&*_+=.-]+|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36}\b|\bsk-[A-Za-z0-9]{20,}\b|\bxox[baprs]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----".into()),
    ]
}

/// The compiled context phrases.
pub(crate) struct ContextPhrases {
    pub(crate) search: LazySearch,
    pub signals: Vec<Signal>,
}

/// The working memory of a search: the lazy DFAs' cache, for the phrases it was made for.
pub(crate) type Cache = LazyCache;

impl ContextPhrases {
    pub(crate) fn new(internal_host_suffixes: &[String]) -> Result<ContextPhrases, String> {
        let (signals, patterns) = phrases(internal_host_suffixes);
        let search = LazySearch::new(&patterns)?;
        if search.regex().is_match("") {
            return Err("a context phrase matches the empty string".to_owned());
        }
        Ok(ContextPhrases { search, signals })
    }
}

/// The phrases' signals and sources (ASCII word boundaries), in priority order.
pub(crate) fn phrases(internal_host_suffixes: &[String]) -> (Vec<Signal>, Vec<String>) {
    {
        let mut list = sources();
        if !internal_host_suffixes.is_empty() {
            let suffixes: Vec<String> = internal_host_suffixes
                .iter()
                .map(|s| s.trim_start_matches('.').replace('.', r"\."))
                .collect();
            list.push((
                Signal::Credential,
                format!(r"(?i)\b(?:[a-z0-9-]+\.)+(?:{})\b", suffixes.join("|")),
            ));
            // The internal domain on its own, too.
            list.push((
                Signal::Credential,
                format!(r"(?i)\b(?:{})\b", suffixes.join("|")),
            ));
        }
        ascii_boundaries(&list)
    }
}

/// The signals and sources of `list`, each `\b` an ASCII word boundary.
fn ascii_boundaries(list: &[(Signal, String)]) -> (Vec<Signal>, Vec<String>) {
    list.iter()
        .map(|(s, p)| (*s, p.replace(r"\b", r"(?-u:\b)")))
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(
        phrases: &ContextPhrases,
        text: &str,
        cache: &mut Cache,
    ) -> Vec<(usize, usize, usize)> {
        let mut all = Vec::new();
        phrases.search.find_all(text, cache, &mut all);
        all.iter()
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect()
    }

    fn meta(phrases: &ContextPhrases, text: &str) -> Vec<(usize, usize, usize)> {
        phrases
            .search
            .regex()
            .find_iter(text)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect()
    }

    const TEXTS: &[&str] = &[
        "",
        "nothing here",
        "My husband was admitted last Tuesday at 3pm, he is 67 years old and lives on Elm Street.",
        "You should stop taking your metformin, take 500mg twice a day; password: hunter2 ok",
        "Née à Zürich — born 1950, DOB: 1/2/50, wifi = café-42 and sk-abcdefghijklmnopqrstuvwxyz",
        "login for the staff portal is jdoe / s3cret at vpn.corp.example.org near Main st",
    ];

    #[test]
    fn finds_what_the_meta_regex_finds() {
        let phrases = ContextPhrases::new(&["corp.example.org".to_owned()]).unwrap();
        let mut cache = Cache::default();
        for text in TEXTS {
            let got = found(&phrases, text, &mut cache);
            assert_eq!(got, meta(&phrases, text), "{text:?}");
        }
        assert!(found(&phrases, TEXTS[2], &mut cache).len() >= 4);
    }

    #[test]
    fn a_cache_follows_the_phrases_it_is_used_with() {
        let plain = ContextPhrases::new(&[]).unwrap();
        let internal = ContextPhrases::new(&["corp.example.org".to_owned()]).unwrap();
        let mut cache = Cache::default();
        let text = TEXTS[5];
        for _ in 0..2 {
            assert_eq!(found(&plain, text, &mut cache), meta(&plain, text));
            assert_eq!(found(&internal, text, &mut cache), meta(&internal, text));
        }
        assert_ne!(meta(&plain, text), meta(&internal, text));
    }

    /// The sources as written before each list of one-word phrases became a source of its own.
    fn unsplit() -> Vec<(Signal, String)> {
        use Signal::*;
        vec![
            (PersonCue, r"(?i)\b(?:born|birth|birthday|bday|dob|d\.o\.b\.?|date of birth|admitted|admission|admit|discharged|discharge|surgery|operated|operation|procedure|passed away|died|death|deceased|expired|delivered|diagnosed|transferred|visit|appointment|appt|seen on|seen by|treated|hospitali[sz]ed|coded|intubated|lives|lived|resides|resident|address|home|patient|pt|mrn|husband|wife|son|daughter|mother|father|grandmother|grandfather)\b".into()),
            (RelativeDate, String::new()),
            (QuasiTime, r"(?i)\b(?:last\s+night|this\s+(?:morning|afternoon|evening)|yesterday|the\s+day\s+before\s+yesterday|overnight|(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+(?:night|morning|evening)|at\s+[0-9]{1,2}(?::[0-9]{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|on\s+(?:christmas|thanksgiving|new\s+year'?s(?:\s+eve)?|easter|halloween|the\s+(?:4th|fourth)\s+of\s+july))\b".into()),
            (QuasiAge, r"(?i)\b[0-9]{1,3}\s*-?\s*(?:years?|yrs?|y/o|yo|months?|weeks?|days?)\s*-?\s*old\b|\b[0-9]{1,3}\s?(?:yo|y/o|yof|yom)\b|\b(?:age|aged)\s*:?\s*[0-9]{1,3}\b|\bin\s+(?:his|her|their)\s+(?:late\s+|early\s+|mid-?)?[1-9]0s\b|\b[0-9]{2}-weeker\b|\b(?:teenager|teenage|teen|toddler|newborn|infant|preemie|twins|triplets|elderly|centenarian|pregnant|expecting)\b".into()),
            (QuasiPlace, String::new()),
            (Advice, String::new()),
            (AdviceVerb, String::new()),
            (Medicine, r"(?i)\b(?:meds|medication|medications|medicine|medicines|pills?|tablets?|doses?|dosage|insulin|metformin|lisinopril|atorvastatin|statins?|levothyroxine|synthroid|amlodipine|metoprolol|warfarin|coumadin|eliquis|xarelto|blood thinners?|aspirin|ibuprofen|advil|motrin|tylenol|acetaminophen|paracetamol|naproxen|aleve|antibiotics?|amoxicillin|augmentin|azithromycin|z-?pack|cipro|doxycycline|keflex|prednisone|steroids?|inhaler|albuterol|zoloft|sertraline|prozac|fluoxetine|lexapro|xanax|ativan|klonopin|adderall|ritalin|gabapentin|oxycodone|percocet|vicodin|hydrocodone|tramadol|morphine|fentanyl|suboxone|methadone|ozempic|wegovy|semaglutide|mounjaro|birth control|the pill|benadryl|melatonin|antidepressants?|antihistamines?|chemo|chemotherapy|vitamins?|supplements?|potassium|lasix|furosemide|diuretics?|epipen|nitro|nitroglycerin|excedrin|lotrimin|clotrimazole|acyclovir|valacyclovir|valtrex|sumatriptan|imitrex|triptans?|tamiflu|mucinex|sudafed|claritin|zyrtec|allegra|flonase|neosporin|hydrocortisone|imodium)\b|\b[0-9]+(?:\.[0-9]+)?\s?(?:mg|mcg|ml|iu)\b".into()),
            (Credential, String::new()),
        ]
    }

    #[test]
    fn split_sources_find_what_the_unsplit_ones_find() {
        // The sources left as they were are taken from `sources`.
        let split = sources();
        let mut unsplit = unsplit();
        for (signal, source) in unsplit.iter_mut().filter(|(_, s)| s.is_empty()) {
            let mut same = split.iter().filter(|(s, _)| s == signal);
            *source = same.next().unwrap().1.clone();
            assert!(same.next().is_none());
        }
        let build = |list: &[(Signal, String)]| {
            let (signals, patterns) = ascii_boundaries(list);
            (signals, crate::ascii_regex::build(&patterns).unwrap())
        };
        let (new_signals, new) = build(&split);
        let (old_signals, old) = build(&unsplit);
        assert!(new_signals.len() > old_signals.len());
        // The corpora, their case variants, and texts of the phrases' words run together.
        let mut texts = Vec::new();
        for text in crate::test_support::corpus_posts() {
            texts.extend([text.to_lowercase(), text.to_uppercase(), text]);
        }
        let words: Vec<&str> = unsplit
            .iter()
            .flat_map(|(_, p)| p.split(|c: char| !c.is_ascii_alphanumeric() && c != '.'))
            .filter(|w| !w.is_empty())
            .collect();
        let glue = [" ", "", ".", "-", " 12 ", "_", "\n", "2", " mg "];
        let mut rng = crate::test_support::Rng::new(0x9e37_79b9_7f4a_7c15);
        let mut next = |n: usize| rng.below(n);
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..1 + next(6) {
                text.push_str(words[next(words.len())]);
                text.push_str(glue[next(glue.len())]);
            }
            texts.push(text);
        }
        for text in &texts {
            let found = |regex: &regex_automata::meta::Regex, signals: &[Signal]| {
                regex
                    .find_iter(text.as_str())
                    .map(|m| (m.start(), m.end(), signals[m.pattern().as_usize()]))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                found(&new, &new_signals),
                found(&old, &old_signals),
                "{text:?}"
            );
        }
    }
}
