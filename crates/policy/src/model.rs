//! The policy schema. Field names are the TOML keys; unknown keys are refused.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

/// An organisation's social media policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Name, version, owner and review dates.
    pub policy: PolicyMeta,
    /// Who the organisation is online.
    pub organization: Organization,
    /// The organisation's official accounts.
    #[serde(default, rename = "official_account")]
    pub official_accounts: Vec<OfficialAccount>,
    /// Whom staff ask about the policy.
    pub contact: Contact,
    /// The disclaimer staff add when they identify the employer on a personal channel.
    pub disclaimer: Disclaimer,
    /// Staff who may be named (staff names are not patient identifiers).
    #[serde(default)]
    pub staff: Vec<StaffMember>,
    /// Names and terms that are never identifiers.
    #[serde(default)]
    pub allow: Allow,
    /// Organisation-specific identifier formats (record numbers and the like).
    #[serde(default, rename = "identifier")]
    pub identifiers: Vec<IdentifierFormat>,
    /// Internal systems whose names must not be posted.
    #[serde(default)]
    pub security: SecuritySettings,
    /// Severity and guideline section for each category of finding.
    #[serde(default)]
    pub rules: BTreeMap<Category, RuleConfig>,
    /// Word lists with actions, by name.
    #[serde(default, rename = "lexicon")]
    pub lexicons: BTreeMap<String, Lexicon>,
    /// The staff-facing guideline sections, in document order.
    #[serde(default, rename = "section")]
    pub sections: Vec<Section>,
}

/// Name, version, owner and review dates of a policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyMeta {
    /// Title of the policy.
    pub name: String,
    /// Version label, changed on every edit (for example `2026.2`).
    pub version: String,
    /// Who owns and reviews the policy.
    pub owner: Person,
    /// When this version took effect.
    pub effective: toml::value::Datetime,
    /// When the policy is next due for review.
    pub next_review: toml::value::Datetime,
}

/// A named person with a role.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Job title or role.
    pub role: String,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
}

/// Who the organisation is online.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Legal or usual name.
    pub name: String,
    /// Other names the organisation is known by; any of them identifies the employer.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Official hashtags (with `#`); using one identifies the employer.
    #[serde(default)]
    pub hashtags: Vec<String>,
    /// Web domains the organisation owns (`alderbrookhealth.org`).
    #[serde(default)]
    pub domains: Vec<String>,
    /// Words of the name or logo that a personal handle must not use.
    #[serde(default)]
    pub logo_words: Vec<String>,
    /// Public phone lines that may be posted on official channels.
    #[serde(default)]
    pub public_phones: Vec<PublicPhone>,
}

/// A public phone line of the organisation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicPhone {
    /// What the line is for.
    pub label: String,
    /// The number as published.
    pub number: String,
}

/// An official account of the organisation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialAccount {
    /// Platform (`x`, `instagram`, `facebook`, `linkedin`, ...).
    pub platform: String,
    /// Handle or page name.
    pub handle: String,
    /// What the account is for.
    #[serde(default)]
    pub purpose: String,
}

/// The point of contact for questions about the policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Email address.
    pub email: String,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
}

/// The disclaimer rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclaimer {
    /// The disclaimer as staff should write it; the fix appends it.
    pub text: String,
    /// Shorter phrases that also count as a disclaimer (matched case-insensitively).
    #[serde(default)]
    pub accepted: Vec<String>,
}

/// A staff member who may be named.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffMember {
    /// Full name, first name first.
    pub name: String,
    /// Job title.
    #[serde(default)]
    pub role: String,
}

/// Names and terms that are never identifiers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allow {
    /// Public figures who may be named.
    #[serde(default)]
    pub public_figures: Vec<String>,
    /// Single words that are never taken for a name or place.
    #[serde(default)]
    pub terms: Vec<String>,
}

/// The kinds of Safe Harbor identifier the scanner reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IdentifierKind {
    /// A person's name.
    Name,
    /// A date tied to a person.
    Date,
    /// An age over 89.
    Age,
    /// A street address.
    Address,
    /// A city or town tied to a person.
    City,
    /// A ZIP code.
    Zip,
    /// A room or bed number.
    Room,
    /// A phone or fax number.
    Phone,
    /// An email address.
    Email,
    /// A Social Security number.
    Ssn,
    /// A medical record number.
    Mrn,
    /// A health plan beneficiary number.
    HealthPlan,
    /// An account number.
    Account,
    /// A licence or certificate number.
    License,
    /// A vehicle plate or VIN.
    Vehicle,
    /// A device identifier or serial number.
    Device,
    /// A web address that points at a person.
    Url,
    /// An IP address.
    Ip,
    /// Any other unique identifier.
    Id,
}

impl IdentifierKind {
    /// Every kind, in report order.
    pub const ALL: [IdentifierKind; 19] = [
        IdentifierKind::Name,
        IdentifierKind::Date,
        IdentifierKind::Age,
        IdentifierKind::Address,
        IdentifierKind::City,
        IdentifierKind::Zip,
        IdentifierKind::Room,
        IdentifierKind::Phone,
        IdentifierKind::Email,
        IdentifierKind::Ssn,
        IdentifierKind::Mrn,
        IdentifierKind::HealthPlan,
        IdentifierKind::Account,
        IdentifierKind::License,
        IdentifierKind::Vehicle,
        IdentifierKind::Device,
        IdentifierKind::Url,
        IdentifierKind::Ip,
        IdentifierKind::Id,
    ];

    /// The label used in corpora and redaction placeholders (`NAME`, `HEALTH_PLAN`).
    pub fn label(self) -> &'static str {
        match self {
            IdentifierKind::Name => "NAME",
            IdentifierKind::Date => "DATE",
            IdentifierKind::Age => "AGE",
            IdentifierKind::Address => "ADDRESS",
            IdentifierKind::City => "CITY",
            IdentifierKind::Zip => "ZIP",
            IdentifierKind::Room => "ROOM",
            IdentifierKind::Phone => "PHONE",
            IdentifierKind::Email => "EMAIL",
            IdentifierKind::Ssn => "SSN",
            IdentifierKind::Mrn => "MRN",
            IdentifierKind::HealthPlan => "HEALTH_PLAN",
            IdentifierKind::Account => "ACCOUNT",
            IdentifierKind::License => "LICENSE",
            IdentifierKind::Vehicle => "VEHICLE",
            IdentifierKind::Device => "DEVICE",
            IdentifierKind::Url => "URL",
            IdentifierKind::Ip => "IP",
            IdentifierKind::Id => "ID",
        }
    }

    /// The kind with this label.
    pub fn from_label(label: &str) -> Option<IdentifierKind> {
        IdentifierKind::ALL.into_iter().find(|k| k.label() == label)
    }

    /// Plain words for explanations ("a medical record number").
    pub fn describe(self) -> &'static str {
        match self {
            IdentifierKind::Name => "a person's name",
            IdentifierKind::Date => "a date tied to a person",
            IdentifierKind::Age => "an age over 89",
            IdentifierKind::Address => "a street address",
            IdentifierKind::City => "a town or city tied to a person",
            IdentifierKind::Zip => "a ZIP code",
            IdentifierKind::Room => "a room or bed number",
            IdentifierKind::Phone => "a phone or fax number",
            IdentifierKind::Email => "an email address",
            IdentifierKind::Ssn => "a Social Security number",
            IdentifierKind::Mrn => "a medical record number",
            IdentifierKind::HealthPlan => "a health plan number",
            IdentifierKind::Account => "an account number",
            IdentifierKind::License => "a licence or certificate number",
            IdentifierKind::Vehicle => "a vehicle plate or VIN",
            IdentifierKind::Device => "a device serial number",
            IdentifierKind::Url => "a web address",
            IdentifierKind::Ip => "an IP address",
            IdentifierKind::Id => "a unique identifier",
        }
    }
}

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An organisation-specific identifier format.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifierFormat {
    /// What kind of identifier it is.
    pub kind: IdentifierKind,
    /// Plain name ("medical record number").
    pub name: String,
    /// A regular expression (Rust `regex` syntax) for the identifier.
    pub pattern: Spanned<String>,
}

/// Internal systems whose names must not be posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    /// Host name suffixes of internal systems (`.armc.local`).
    #[serde(default)]
    pub internal_host_suffixes: Vec<String>,
}

/// Categories of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A HIPAA Safe Harbor identifier.
    Phi,
    /// Patient context combined with quasi-identifiers.
    IndirectPhi,
    /// Identifies the employer on a personal channel without the disclaimer.
    MissingDisclaimer,
    /// Endorses a product, service, person or organisation.
    Endorsement,
    /// Profanity, slurs, insults.
    Unprofessional,
    /// Individual medical advice.
    MedicalAdvice,
    /// A known false health claim.
    Misinformation,
    /// Off-limits topics and internal information.
    Confidential,
    /// Passwords, codes, credentials, internal host names.
    Security,
    /// Reposting others' work without credit.
    Copyright,
    /// A personal handle that uses the organisation's name or logo.
    HandleBranding,
    /// An organisation word-list rule.
    Lexicon,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 12] = [
        Category::Phi,
        Category::IndirectPhi,
        Category::MissingDisclaimer,
        Category::Endorsement,
        Category::Unprofessional,
        Category::MedicalAdvice,
        Category::Misinformation,
        Category::Confidential,
        Category::Security,
        Category::Copyright,
        Category::HandleBranding,
        Category::Lexicon,
    ];

    /// The category's name as written in policies and reports.
    pub fn name(self) -> &'static str {
        match self {
            Category::Phi => "phi",
            Category::IndirectPhi => "indirect_phi",
            Category::MissingDisclaimer => "missing_disclaimer",
            Category::Endorsement => "endorsement",
            Category::Unprofessional => "unprofessional",
            Category::MedicalAdvice => "medical_advice",
            Category::Misinformation => "misinformation",
            Category::Confidential => "confidential",
            Category::Security => "security",
            Category::Copyright => "copyright",
            Category::HandleBranding => "handle_branding",
            Category::Lexicon => "lexicon",
        }
    }

    /// The category with this name.
    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; the post may go out.
    Advise,
    /// A person must look before the post goes out.
    Review,
    /// Must be fixed before the post can go out.
    Block,
}

impl Severity {
    /// The severity's name.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Advise => "advise",
            Severity::Review => "review",
            Severity::Block => "block",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Settings of one category of finding.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Whether the scanner checks this category at all.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Severity of its findings.
    pub severity: Severity,
    /// Id of the guideline section its findings point to.
    pub section: String,
}

fn yes() -> bool {
    true
}

impl RuleConfig {
    /// Built-in settings for a category the policy does not configure.
    pub fn default_for(category: Category) -> RuleConfig {
        let (severity, section) = match category {
            Category::Phi => (Severity::Block, "confidentiality"),
            Category::IndirectPhi => (Severity::Review, "confidentiality"),
            Category::MissingDisclaimer => (Severity::Review, "disclosure"),
            Category::Endorsement => (Severity::Review, "endorsements"),
            Category::Unprofessional => (Severity::Review, "professionalism"),
            Category::MedicalAdvice => (Severity::Review, "medical_advice"),
            Category::Misinformation => (Severity::Block, "accuracy"),
            Category::Confidential => (Severity::Block, "confidentiality"),
            Category::Security => (Severity::Block, "security"),
            Category::Copyright => (Severity::Advise, "copyright"),
            Category::HandleBranding => (Severity::Review, "personal_accounts"),
            Category::Lexicon => (Severity::Review, "dos_and_donts"),
        };
        RuleConfig {
            enabled: true,
            severity,
            section: section.to_owned(),
        }
    }
}

/// What a lexicon match does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LexiconAction {
    /// A `block` finding.
    Block,
    /// A `review` finding.
    Review,
    /// An `advise` finding.
    Advise,
    /// An `advise` finding whose fix replaces the word with `replacement`.
    Replace,
}

/// A word list with an action, like Discourse's watched words.
///
/// Terms match on word boundaries and ignore case unless `case_sensitive`. A `*` matches any
/// run of letters or digits (`vaccin*`). With `obfuscations`, letters also match their usual
/// stand-ins (`f*ck`, `sh1t`, `@ss`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// The category its findings belong to.
    pub category: Category,
    /// What a match does.
    pub action: LexiconAction,
    /// Id of the guideline section; defaults to the category's section.
    #[serde(default)]
    pub section: Option<String>,
    /// Why the words matter, in one sentence for the explanation.
    pub explanation: String,
    /// The replacement word for `action = "replace"`.
    #[serde(default)]
    pub replacement: Option<String>,
    /// Match case exactly.
    #[serde(default)]
    pub case_sensitive: bool,
    /// Also match letters written with their usual stand-ins.
    #[serde(default)]
    pub obfuscations: bool,
    /// What the words are for: findings of their own, or cues that other rules combine.
    #[serde(default)]
    pub role: LexiconRole,
    /// The kinds of text the list applies to; empty (the default) means all. A list of phrases
    /// that confirm someone was a patient matters in replies, not in posts.
    #[serde(default)]
    pub kinds: Vec<PostKind>,
    /// The words and phrases; a term written `/like this/` is a regular expression.
    pub terms: Vec<Spanned<String>>,
}

/// What kind of text it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    /// A new post.
    #[default]
    Post,
    /// A reply to someone, for example to a patient's comment.
    Reply,
    /// A comment under someone else's post.
    Comment,
}

impl PostKind {
    /// The name used in policies and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Post => "post",
            PostKind::Reply => "reply",
            PostKind::Comment => "comment",
        }
    }
}

/// What a lexicon's matches are used for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LexiconRole {
    /// Each match is a finding of the lexicon's category.
    #[default]
    Finding,
    /// Words that put a text in patient context ("my patient", "we admitted"); the
    /// `indirect_phi` rule reports them only beside a quasi-identifier.
    PatientContext,
    /// Details that could single a patient out beside patient context (a rare condition, a
    /// local event); never a finding alone.
    QuasiIdentifier,
    /// Words that say the people a text names are colleagues, friends or family, not patients
    /// ("happy retirement", "welcome to the team", "my best friend"): in a text with no patient
    /// context, a name is then advice, not a block. Never a finding alone.
    NotPatient,
    /// Words for a person other than the author ("a guy", "the lady", "a toddler", "someone"):
    /// in the same sentence as a [`LexiconRole::CareEvent`], patient context. Never a finding
    /// alone.
    Person,
    /// What happens to a patient in care ("came in", "triaged", "worked on", "caring for"):
    /// in the same sentence as a [`LexiconRole::Person`], patient context ("had a bride come in
    /// from her own reception"). Never a finding alone.
    CareEvent,
    /// Words right before which a listed first name or surname is a name even in lower case,
    /// where names are otherwise looked for only capitalised ("lil sofia", "pt jameson"). Never
    /// a finding alone.
    NameCue,
}

impl LexiconAction {
    /// The severity of a finding from this action.
    pub fn severity(self) -> Severity {
        match self {
            LexiconAction::Block => Severity::Block,
            LexiconAction::Review => Severity::Review,
            LexiconAction::Advise | LexiconAction::Replace => Severity::Advise,
        }
    }
}

/// A staff-facing guideline section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Stable id that rules point to (`confidentiality`).
    pub id: String,
    /// Heading.
    pub title: String,
    /// The rule in one sentence, quoted in explanations.
    pub summary: String,
    /// Guidance in a few paragraphs.
    pub body: String,
    /// Things to do.
    #[serde(default, rename = "do")]
    pub dos: Vec<String>,
    /// Things not to do.
    #[serde(default)]
    pub dont: Vec<String>,
    /// Where the section comes from.
    #[serde(default)]
    pub sources: Vec<String>,
}
