//! The review workflow's rules, as pure functions over what the store holds: what a submitted
//! draft becomes, which approval steps it needs, and what a reviewer's verdict does. Handlers
//! load the facts, ask here, and write the outcome with the post's revision, so two reviewers
//! deciding at once cannot both win (the store refuses the second).

use postguard_scan::{Category, Report, Severity};
use postguard_store::{PostStatus, Role, UserId, Verdict};
use serde::Deserialize;

/// One approval step of an official account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalStep {
    /// Its name, recorded with each decision ("social media review", "compliance").
    pub name: String,
    /// Who may approve: anyone with this role (and admins)...
    #[serde(default)]
    pub role: Option<Role>,
    /// ...or these users (by username).
    #[serde(default)]
    pub users: Vec<String>,
    /// `any` (one approval satisfies the step) or `all` (every listed user must approve).
    #[serde(default)]
    pub mode: StepMode,
    /// When the step applies.
    #[serde(default)]
    pub when: StepWhen,
}

/// How many approvers a step needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepMode {
    /// Any one approver.
    #[default]
    Any,
    /// Every listed user.
    All,
}

/// When a step applies to a draft.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepWhen {
    /// Always.
    #[default]
    Always,
    /// Only when the draft relies on a patient consent or gives health information.
    ConsentOrHealthInfo,
}

/// The steps used for an official account with none configured: a reviewer, then compliance
/// when a patient consent or health information is involved.
pub fn default_steps() -> Vec<ApprovalStep> {
    vec![
        ApprovalStep {
            name: "social media review".to_owned(),
            role: Some(Role::Reviewer),
            users: Vec::new(),
            mode: StepMode::Any,
            when: StepWhen::Always,
        },
        ApprovalStep {
            name: "compliance".to_owned(),
            role: Some(Role::Compliance),
            users: Vec::new(),
            mode: StepMode::Any,
            when: StepWhen::ConsentOrHealthInfo,
        },
    ]
}

/// Checks a configured list of steps; the message names the step.
pub fn validate_steps(steps: &[ApprovalStep]) -> Result<(), String> {
    for (i, step) in steps.iter().enumerate() {
        // Decisions are recorded by step name: two steps of one name would both be satisfied
        // by the same approvals.
        if steps.iter().take(i).any(|s| s.name == step.name) {
            return Err(format!(
                "approval step \"{}\": another step has this name; give each step its own",
                step.name
            ));
        }
        if step.role.is_none() && step.users.is_empty() {
            return Err(format!(
                "approval step \"{}\": give a role or a list of users",
                step.name
            ));
        }
        if step.mode == StepMode::All && step.users.is_empty() {
            return Err(format!(
                "approval step \"{}\": mode \"all\" needs a list of users",
                step.name
            ));
        }
    }
    Ok(())
}

/// What a draft becomes when it is submitted.
pub fn on_submit(official: bool, report: &Report) -> PostStatus {
    if official || report.needs_attention() {
        PostStatus::PendingReview
    } else {
        PostStatus::Cleared
    }
}

/// Whether a draft gives health information (for the compliance step): the scanner found
/// medical advice or a health claim in it.
pub fn gives_health_information(report: &Report) -> bool {
    report.findings.iter().any(|f| {
        matches!(
            f.category,
            Category::MedicalAdvice | Category::Misinformation
        )
    })
}

/// Who is deciding.
#[derive(Debug, Clone, Copy)]
pub struct Reviewer<'a> {
    /// Their id.
    pub id: UserId,
    /// Their username (for steps that list users).
    pub username: &'a str,
    /// Their role.
    pub role: Role,
}

/// A decision already recorded on the current version: the step, who, and the verdict.
#[derive(Debug, Clone)]
pub struct PastDecision {
    /// The step it was for.
    pub step: String,
    /// Who decided.
    pub reviewer: UserId,
    /// Their username.
    pub username: String,
    /// The verdict.
    pub verdict: Verdict,
}

/// The facts a verdict is judged on.
#[derive(Debug)]
pub struct Case<'a> {
    /// The post's author.
    pub author: UserId,
    /// Its status now.
    pub status: PostStatus,
    /// The steps that apply to it (see [`applicable_steps`]).
    pub steps: &'a [ApprovalStep],
    /// Decisions already recorded on its current version, oldest first.
    pub decisions: &'a [PastDecision],
    /// The current version's scan result.
    pub report: &'a Report,
}

/// Why a verdict cannot be given. `Forbidden` answers 403, the others 409 with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The actor may not decide this step (or approve their own post).
    #[error("{0}")]
    Forbidden(String),
    /// The post is not in a state where this verdict makes sense.
    #[error("{0}")]
    InvalidState(String),
}

/// The steps of `steps` that apply to a draft.
pub fn applicable_steps(
    steps: &[ApprovalStep],
    relies_on_consent: bool,
    health_information: bool,
) -> Vec<ApprovalStep> {
    steps
        .iter()
        .filter(|s| match s.when {
            StepWhen::Always => true,
            StepWhen::ConsentOrHealthInfo => relies_on_consent || health_information,
        })
        .cloned()
        .collect()
}

fn approved_by<'d>(decisions: &'d [PastDecision], step: &str) -> Vec<&'d PastDecision> {
    decisions
        .iter()
        .filter(|d| d.step == step && d.verdict == Verdict::Approve)
        .collect()
}

fn satisfied(step: &ApprovalStep, decisions: &[PastDecision]) -> bool {
    let approvals = approved_by(decisions, &step.name);
    match step.mode {
        StepMode::Any => !approvals.is_empty(),
        StepMode::All => step
            .users
            .iter()
            .all(|u| approvals.iter().any(|d| d.username.eq_ignore_ascii_case(u))),
    }
}

fn may_approve(step: &ApprovalStep, who: &Reviewer<'_>) -> bool {
    let listed = step
        .users
        .iter()
        .any(|u| u.eq_ignore_ascii_case(who.username));
    listed
        || step.users.is_empty()
            && (step.role == Some(who.role) || who.role == Role::Admin && step.role.is_some())
}

/// The step a verdict now applies to: the first one not yet satisfied.
pub fn current_step<'s>(
    steps: &'s [ApprovalStep],
    decisions: &[PastDecision],
) -> Option<&'s ApprovalStep> {
    steps.iter().find(|s| !satisfied(s, decisions))
}

/// Judges a verdict: the step it is recorded for and the post's new status.
pub fn decide(
    case: &Case<'_>,
    who: &Reviewer<'_>,
    verdict: Verdict,
) -> Result<(String, PostStatus), Refusal> {
    if case.author == who.id {
        return Err(Refusal::Forbidden(
            "nobody reviews their own post".to_owned(),
        ));
    }
    if case.status != PostStatus::PendingReview {
        return Err(Refusal::InvalidState(format!(
            "the post is {}, not waiting for review",
            describe(case.status)
        )));
    }
    let Some(step) = current_step(case.steps, case.decisions) else {
        return Err(Refusal::InvalidState(
            "every approval step is already satisfied".to_owned(),
        ));
    };
    if !may_approve(step, who) {
        return Err(Refusal::Forbidden(format!(
            "you are not an approver of the step \"{}\"",
            step.name
        )));
    }
    match verdict {
        Verdict::Reject => Ok((step.name.clone(), PostStatus::Rejected)),
        Verdict::RequestChanges => Ok((step.name.clone(), PostStatus::ChangesRequested)),
        Verdict::Approve => {
            if case
                .report
                .findings
                .iter()
                .any(|f| f.severity == Severity::Block)
            {
                return Err(Refusal::InvalidState(
                    "the post has findings at block; the author must fix them before it can be approved".to_owned(),
                ));
            }
            if approved_by(case.decisions, &step.name)
                .iter()
                .any(|d| d.reviewer == who.id)
            {
                return Err(Refusal::InvalidState(format!(
                    "you have already approved the step \"{}\"",
                    step.name
                )));
            }
            let mut after = case.decisions.to_vec();
            after.push(PastDecision {
                step: step.name.clone(),
                reviewer: who.id,
                username: who.username.to_owned(),
                verdict,
            });
            let status = if current_step(case.steps, &after).is_none() {
                PostStatus::Approved
            } else {
                PostStatus::PendingReview
            };
            Ok((step.name.clone(), status))
        }
    }
}

/// A status in words, for messages.
pub fn describe(status: PostStatus) -> &'static str {
    match status {
        PostStatus::Cleared => "cleared",
        PostStatus::PendingReview => "waiting for review",
        PostStatus::ChangesRequested => "waiting for the author's changes",
        PostStatus::Approved => "approved",
        PostStatus::Rejected => "rejected",
        PostStatus::Expired => "expired",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postguard_scan::{Finding, Fix};

    fn report(severity: Option<Severity>, category: Category) -> Report {
        Report {
            findings: severity
                .map(|severity| Finding {
                    rule: "r".into(),
                    category,
                    severity,
                    identifier: None,
                    start: 0,
                    end: 1,
                    matched: "x".to_owned(),
                    explanation: "e".into(),
                    fix: None::<Fix>,
                })
                .into_iter()
                .collect(),
            identifies_employer: false,
        }
    }

    fn who(id: i64, role: Role, username: &str) -> Reviewer<'_> {
        Reviewer {
            id: UserId(id),
            username,
            role,
        }
    }

    #[test]
    fn a_clean_personal_post_is_cleared_and_everything_else_is_queued() {
        assert_eq!(
            on_submit(false, &report(None, Category::Phi)),
            PostStatus::Cleared
        );
        assert_eq!(
            on_submit(false, &report(Some(Severity::Advise), Category::Copyright)),
            PostStatus::Cleared
        );
        assert_eq!(
            on_submit(
                false,
                &report(Some(Severity::Review), Category::Endorsement)
            ),
            PostStatus::PendingReview
        );
        assert_eq!(
            on_submit(true, &report(None, Category::Phi)),
            PostStatus::PendingReview
        );
    }

    #[test]
    fn reviewer_then_compliance_when_a_consent_is_involved() {
        let steps = applicable_steps(&default_steps(), true, false);
        assert_eq!(steps.len(), 2);
        assert_eq!(applicable_steps(&default_steps(), false, false).len(), 1);
        let clean = report(None, Category::Phi);
        let mut decisions = Vec::new();
        let case = Case {
            author: UserId(1),
            status: PostStatus::PendingReview,
            steps: &steps,
            decisions: &decisions,
            report: &clean,
        };
        // Compliance cannot jump the reviewer's step.
        assert!(matches!(
            decide(&case, &who(3, Role::Compliance, "carol"), Verdict::Approve),
            Err(Refusal::Forbidden(_))
        ));
        let (step, status) =
            decide(&case, &who(2, Role::Reviewer, "rita"), Verdict::Approve).unwrap();
        assert_eq!(
            (step.as_str(), status),
            ("social media review", PostStatus::PendingReview)
        );
        decisions.push(PastDecision {
            step,
            reviewer: UserId(2),
            username: "rita".to_owned(),
            verdict: Verdict::Approve,
        });
        let case = Case {
            author: UserId(1),
            status: PostStatus::PendingReview,
            steps: &steps,
            decisions: &decisions,
            report: &clean,
        };
        assert!(matches!(
            decide(&case, &who(2, Role::Reviewer, "rita"), Verdict::Approve),
            Err(Refusal::Forbidden(_))
        ));
        let (step, status) =
            decide(&case, &who(3, Role::Compliance, "carol"), Verdict::Approve).unwrap();
        assert_eq!(
            (step.as_str(), status),
            ("compliance", PostStatus::Approved)
        );
    }

    #[test]
    fn an_all_of_step_needs_every_listed_user() {
        let steps = vec![ApprovalStep {
            name: "leads".to_owned(),
            role: None,
            users: vec!["ann".to_owned(), "bob".to_owned()],
            mode: StepMode::All,
            when: StepWhen::Always,
        }];
        assert_eq!(validate_steps(&steps), Ok(()));
        let clean = report(None, Category::Phi);
        let first = vec![PastDecision {
            step: "leads".to_owned(),
            reviewer: UserId(5),
            username: "ann".to_owned(),
            verdict: Verdict::Approve,
        }];
        let case = Case {
            author: UserId(1),
            status: PostStatus::PendingReview,
            steps: &steps,
            decisions: &first,
            report: &clean,
        };
        assert!(matches!(
            decide(&case, &who(5, Role::Reviewer, "ann"), Verdict::Approve),
            Err(Refusal::InvalidState(_))
        ));
        assert!(matches!(
            decide(&case, &who(7, Role::Reviewer, "cat"), Verdict::Approve),
            Err(Refusal::Forbidden(_))
        ));
        assert_eq!(
            decide(&case, &who(6, Role::Reviewer, "bob"), Verdict::Approve)
                .unwrap()
                .1,
            PostStatus::Approved
        );
        let bad = vec![ApprovalStep {
            users: vec![],
            ..steps[0].clone()
        }];
        assert!(validate_steps(&bad).unwrap_err().contains("leads"));
    }

    #[test]
    fn no_self_approval_no_approval_over_block_findings_and_no_decision_after_expiry() {
        let steps = default_steps();
        let blocked = report(Some(Severity::Block), Category::Phi);
        let case = Case {
            author: UserId(2),
            status: PostStatus::PendingReview,
            steps: &steps,
            decisions: &[],
            report: &blocked,
        };
        assert!(
            matches!(decide(&case, &who(2, Role::Reviewer, "rita"), Verdict::Approve), Err(Refusal::Forbidden(m)) if m.contains("own post"))
        );
        let err = decide(&case, &who(3, Role::Reviewer, "ray"), Verdict::Approve).unwrap_err();
        assert!(err.to_string().contains("block"), "{err}");
        // Rejecting or asking for changes is still possible.
        assert_eq!(
            decide(
                &case,
                &who(3, Role::Reviewer, "ray"),
                Verdict::RequestChanges
            )
            .unwrap()
            .1,
            PostStatus::ChangesRequested
        );
        let expired = Case {
            status: PostStatus::Expired,
            ..case
        };
        let err = decide(&expired, &who(3, Role::Reviewer, "ray"), Verdict::Approve).unwrap_err();
        assert_eq!(
            err,
            Refusal::InvalidState("the post is expired, not waiting for review".to_owned())
        );
    }

    #[test]
    fn health_information_brings_in_compliance() {
        assert!(gives_health_information(&report(
            Some(Severity::Review),
            Category::MedicalAdvice
        )));
        assert!(!gives_health_information(&report(
            Some(Severity::Review),
            Category::Endorsement
        )));
    }
}
