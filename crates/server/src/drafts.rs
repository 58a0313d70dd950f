//! Drafts and their review: submit (scanned with the current policy, recorded with its version),
//! the author's list, one draft with every version and decision, resubmission, the review
//! queue, verdicts, and the audit chain check. A draft that is not yours and not yours to
//! review is "not found", never "forbidden": its existence is not disclosed.

use crate::authz::{allowed, Action};
use crate::error::{AppError, Id};
use crate::session::CurrentUser;
use crate::workflow::{self, Case, PastDecision, Refusal, Reviewer};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use postguard_scan::{Consent, Context, Post as ScanPost, Report};
use postguard_store::{
    Attachment, Audit, Channel, NewDecision, NewPost, NewVersion, Post, PostId, PostKind,
    PostStatus, PostVersion, Store, Verdict,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

/// Parses a JSON body; the error names the field and what was expected, never the value sent.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let what = if inner.is_syntax() || inner.is_eof() {
            format!("not valid JSON (at column {})", inner.column())
        } else if message.starts_with("unknown field") || message.starts_with("missing field") {
            message.split(" at line").next().unwrap_or("").to_owned()
        } else {
            match message.split_once(", expected ") {
                Some((_, expected)) => format!(
                    "wrong type or value, expected {}",
                    expected.split(" at line").next().unwrap_or("")
                ),
                None => "wrong type or value".to_owned(),
            }
        };
        if path.is_empty() || path == "." {
            AppError::BadRequest(what)
        } else {
            AppError::BadRequest(format!("field `{path}`: {what}"))
        }
    })
}

/// A draft as submitted.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = DraftRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct Draft {
    /// The text, as it will be published.
    text: String,
    /// Post (the default), reply or comment. A resubmission keeps the post's: leave it out or
    /// send the same.
    #[serde(default)]
    #[schema(value_type = Option<postguard_scan::PostKind>)]
    kind: Option<PostKind>,
    /// `personal` (the default), or the handle of an official account in the policy. A
    /// resubmission keeps the post's: leave it out or send the same.
    #[serde(default)]
    channel: Option<String>,
    /// The author identifies their employer (false by default; also inferred from the text). A
    /// resubmission keeps the post's: leave it out or send the same.
    #[serde(default)]
    identifies_employer: Option<bool>,
    /// When it is to be published; a post not approved by then expires. A resubmission keeps
    /// the post's: leave it out or send the same.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    scheduled_at: Option<DateTime<Utc>>,
    /// Images or videos; their alt texts are scanned too.
    #[serde(default)]
    #[schema(value_type = Vec<crate::openapi::AttachmentSchema>)]
    attachments: Vec<Attachment>,
    /// Patient consents the draft relies on (official accounts only).
    #[serde(default)]
    consents: Vec<Consent>,
    /// For a resubmission (`PUT`, where it is required): the revision the author edited.
    /// Ignored on a first submission.
    #[serde(default)]
    revision: Option<i64>,
}

impl Draft {
    fn kind(&self) -> PostKind {
        self.kind.unwrap_or(PostKind::Post)
    }

    fn channel(&self) -> &str {
        self.channel.as_deref().unwrap_or("personal")
    }

    fn identifies_employer(&self) -> bool {
        self.identifies_employer.unwrap_or(false)
    }

    /// A resubmission is scanned as the post it revises: where it will be published, what kind
    /// of text, whether it names the employer and when are the post's, fixed at its first
    /// submission. A field left out takes the post's value; one that differs is refused.
    fn revising(mut self, post: &Post) -> Result<Draft, AppError> {
        let fixed = |field: &str, was: String| {
            AppError::BadRequest(format!(
                "field `{field}`: a resubmission keeps the post's ({was}); submit a new draft to change it"
            ))
        };
        let channel = match &post.channel {
            Channel::Personal => "personal".to_owned(),
            Channel::Official { handle } => handle.clone(),
        };
        match &self.channel {
            Some(c) if !c.eq_ignore_ascii_case(&channel) => return Err(fixed("channel", channel)),
            _ => self.channel = Some(channel),
        }
        match self.kind {
            Some(k) if k != post.kind => return Err(fixed("kind", post.kind.as_str().to_owned())),
            _ => self.kind = Some(post.kind),
        }
        match self.identifies_employer {
            Some(b) if b != post.identifies_employer => {
                return Err(fixed(
                    "identifies_employer",
                    post.identifies_employer.to_string(),
                ))
            }
            _ => self.identifies_employer = Some(post.identifies_employer),
        }
        match self.scheduled_at {
            Some(at) if Some(at) != post.scheduled_at => {
                let was = post
                    .scheduled_at
                    .map_or_else(|| "none".to_owned(), |t| t.to_rfc3339());
                return Err(fixed("scheduled_at", was));
            }
            _ => self.scheduled_at = post.scheduled_at,
        }
        Ok(self)
    }
}

/// The scan of a draft and what it implies.
struct Scanned {
    channel: Channel,
    report: Report,
    stored: String,
}

fn scan<S: Store>(state: &AppState<S>, draft: &Draft) -> Result<Scanned, AppError> {
    let channel = if draft.channel().eq_ignore_ascii_case("personal") {
        Channel::Personal
    } else {
        let known = state
            .policy()
            .official_accounts
            .iter()
            .find(|a| a.handle.eq_ignore_ascii_case(draft.channel()))
            .ok_or_else(|| {
                let handles: Vec<&str> = state
                    .policy()
                    .official_accounts
                    .iter()
                    .map(|a| a.handle.as_str())
                    .collect();
                AppError::BadRequest(format!(
                    "field `channel`: expected \"personal\" or an official account ({})",
                    handles.join(", ")
                ))
            })?;
        Channel::Official {
            handle: known.handle.clone(),
        }
    };
    let official = matches!(channel, Channel::Official { .. });
    let context = Context {
        channel: if official {
            postguard_scan::Channel::Official
        } else {
            postguard_scan::Channel::Personal
        },
        identifies_employer: draft.identifies_employer(),
        kind: match draft.kind() {
            PostKind::Post => postguard_scan::PostKind::Post,
            PostKind::Reply => postguard_scan::PostKind::Reply,
            PostKind::Comment => postguard_scan::PostKind::Comment,
        },
        consents: if official {
            draft.consents.clone()
        } else {
            Vec::new()
        },
    };
    let mut report = state
        .scanner()
        .scan(&ScanPost::with_context(&draft.text, context.clone()));
    // Alt text is published too: scan it, and a photo of a person needs a consent on file.
    for (i, a) in draft.attachments.iter().enumerate() {
        let alt = state
            .scanner()
            .scan(&ScanPost::with_context(&a.alt_text, context.clone()));
        for mut f in alt.findings {
            f.rule = format!("attachment[{i}].{}", f.rule).into();
            report.findings.push(f);
        }
    }
    state.metrics().count_findings(&report);
    let stored = serde_json::to_string(&json!({
        "report": report,
        "consents": context.consents,
        "photo_of_person": draft.attachments.iter().any(|a| a.shows_person),
    }))
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Scanned {
        channel,
        report,
        stored,
    })
}

fn summary(report: &Report) -> Value {
    let mut by_category = serde_json::Map::new();
    for f in &report.findings {
        let n = by_category
            .entry(f.category.to_string())
            .or_insert(json!(0));
        *n = json!(n.as_u64().unwrap_or(0) + 1);
    }
    json!({ "findings": report.findings.len(), "max_severity": report.max_severity(), "by_category": by_category })
}

fn post_json(post: &Post) -> Value {
    json!({
        "id": post.id, "status": post.status, "revision": post.revision, "kind": post.kind,
        "channel": post.channel, "identifies_employer": post.identifies_employer,
        "scheduled_at": post.scheduled_at, "legal_hold": post.legal_hold,
        "created_at": post.created_at, "updated_at": post.updated_at, "author": post.author,
    })
}

/// `POST /api/v1/drafts`: scans and stores a draft; a personal draft with nothing at review
/// or block is cleared at once, anything else (and every official post) is queued.
#[utoipa::path(
    post,
    path = "/api/v1/drafts",
    request_body(content = Draft, description = "The draft; only `text` is required"),
    responses(
        (status = 201, description = "Stored and scanned: cleared, or pending review", body = crate::openapi::Submitted),
        (status = 400, description = "Malformed JSON, a missing or unknown field, a wrong type, or an unknown channel; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "A missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "drafts"
)]
pub(crate) async fn submit<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
    body: Bytes,
) -> Result<(axum::http::StatusCode, Json<Value>), AppError> {
    if !allowed(user.role, Action::SubmitDraft) {
        return Err(AppError::Forbidden(
            "your role cannot submit drafts".to_owned(),
        ));
    }
    let draft: Draft = parse_json(&body)?;
    let scanned = scan(&state, &draft)?;
    let status = workflow::on_submit(
        matches!(scanned.channel, Channel::Official { .. }),
        &scanned.report,
    );
    let (post, _, _) = state
        .store()
        .create_post(
            NewPost {
                author: user.id,
                kind: draft.kind(),
                channel: scanned.channel.clone(),
                identifies_employer: draft.identifies_employer(),
                scheduled_at: draft.scheduled_at,
                status,
                first_version: NewVersion {
                    text: draft.text,
                    attachments: draft.attachments,
                    policy_version: state.policy_version().to_owned(),
                    scan_result: scanned.stored,
                    author: user.id,
                },
            },
            // The submission and its scan result, in the same transaction as the post (the
            // store sets the subject to the new post).
            crate::entry(
                Some(&user),
                "post.submitted",
                None,
                json!({ "version": 1, "status": status, "scan": {
                    "policy_version": state.policy_version(), "summary": summary(&scanned.report) } }),
            ),
        )
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({ "post": post_json(&post), "findings": scanned.report.findings })),
    ))
}

/// `GET /api/v1/drafts`: the signed-in user's drafts, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/drafts",
    responses(
        (status = 200, description = "The drafts", body = crate::openapi::DraftList),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = []), ("bearer_token" = [])),
    tag = "drafts"
)]
pub(crate) async fn mine<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
) -> Result<Json<Value>, AppError> {
    let posts = state.store().posts_by_author(user.id).await?;
    Ok(Json(
        json!({ "drafts": posts.iter().map(post_json).collect::<Vec<_>>() }),
    ))
}

/// The post if `user` may see it; "not found" otherwise.
async fn visible<S: Store>(
    state: &AppState<S>,
    user: &CurrentUser,
    id: i64,
) -> Result<Post, AppError> {
    let post = state
        .store()
        .get_post(PostId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    if post.author != user.id && !allowed(user.role, Action::ViewAnyDraft) {
        return Err(AppError::NotFound);
    }
    Ok(post)
}

/// The post if it exists and `user` may act on it for `action`; otherwise "not found" when
/// they may not even see it, "forbidden" when they may see it but not do this.
pub(crate) async fn post_for<S: Store>(
    state: &AppState<S>,
    user: &CurrentUser,
    id: i64,
    action: Action,
    refusal: &str,
) -> Result<Post, AppError> {
    let post = state
        .store()
        .get_post(PostId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    if allowed(user.role, action) {
        return Ok(post);
    }
    if post.author == user.id || allowed(user.role, Action::ViewAnyDraft) {
        Err(AppError::Forbidden(refusal.to_owned()))
    } else {
        Err(AppError::NotFound)
    }
}

/// `GET /api/v1/drafts/{id}`: the draft, every version with its findings, and the decisions with
/// their reasons. Reviewers' private notes are shown to reviewers only.
#[utoipa::path(
    get,
    path = "/api/v1/drafts/{id}",
    params(("id" = i64, Path, description = "The post's id")),
    responses(
        (status = 200, description = "The draft with its versions and decisions", body = crate::openapi::DraftDetail),
        (status = 400, description = "The id is not an integer", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 404, description = "No such post, or one the caller may not see", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = []), ("bearer_token" = [])),
    tag = "drafts"
)]
pub(crate) async fn show<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<Value>, AppError> {
    let post = visible(&state, &user, id).await?;
    let store = state.store();
    let versions = store.versions(post.id).await?;
    let decisions = store.decisions(post.id).await?;
    let reviewer = allowed(user.role, Action::ViewAnyDraft);
    let versions: Vec<Value> = versions
        .iter()
        .map(|v| {
            let scan: Value = serde_json::from_str(&v.scan_result).unwrap_or(Value::Null);
            json!({ "version": v.version, "text": v.text, "attachments": v.attachments,
                "policy_version": v.policy_version, "findings": scan["report"]["findings"],
                "created_at": v.created_at })
        })
        .collect();
    let decisions: Vec<Value> = decisions
        .iter()
        .map(|d| {
            let mut v = json!({ "version": d.version, "step": d.step, "reviewer": d.reviewer,
                "verdict": d.verdict, "reason": d.reason, "created_at": d.created_at });
            if reviewer {
                v["note"] = json!(d.note);
            }
            v
        })
        .collect();
    Ok(Json(
        json!({ "post": post_json(&post), "versions": versions, "decisions": decisions }),
    ))
}

/// `PUT /api/v1/drafts/{id}`: the author's new version (with the revision they edited); it is
/// scanned again and goes back to the queue, or is cleared.
#[utoipa::path(
    put,
    path = "/api/v1/drafts/{id}",
    params(("id" = i64, Path, description = "The post's id")),
    request_body(content = Draft, description = "The new version; `revision` (the revision edited) is required here"),
    responses(
        (status = 200, description = "Stored and scanned", body = crate::openapi::Resubmitted),
        (status = 400, description = "Malformed JSON, a missing (including `revision`) or unknown field, a wrong type, an unknown channel, or an id that is not an integer; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "Not the author; or a missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 404, description = "No such post, or one the caller may not see", body = crate::openapi::ErrorBody),
        (status = 409, description = "The post changed since that revision, or it is approved, rejected or expired", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "drafts"
)]
pub(crate) async fn resubmit<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let post = visible(&state, &user, id).await?;
    if post.author != user.id {
        return Err(AppError::Forbidden(
            "only the author edits a draft".to_owned(),
        ));
    }
    let draft = parse_json::<Draft>(&body)?.revising(&post)?;
    let revision = draft.revision.ok_or_else(|| {
        AppError::BadRequest("field `revision`: required, the revision you edited".to_owned())
    })?;
    if matches!(
        post.status,
        PostStatus::Approved | PostStatus::Rejected | PostStatus::Expired
    ) {
        return Err(AppError::Conflict(format!(
            "the post is {}; submit a new draft instead",
            workflow::describe(post.status)
        )));
    }
    let scanned = scan(&state, &draft)?;
    let status = workflow::on_submit(
        matches!(post.channel, Channel::Official { .. }),
        &scanned.report,
    );
    // The new version and its record (with the scan result) in one transaction.
    let scan_summary = json!({
        "policy_version": state.policy_version(), "summary": summary(&scanned.report) });
    let actor = user.clone();
    let record = Audit::with(move |(post, version): &(Post, PostVersion)| {
        crate::entry(
            Some(&actor),
            "post.resubmitted",
            Some(format!("post:{}", post.id)),
            json!({ "version": version.version, "status": status, "scan": scan_summary }),
        )
    });
    let (post, version) = state
        .store()
        .add_version(
            post.id,
            revision,
            NewVersion {
                text: draft.text,
                attachments: draft.attachments,
                policy_version: state.policy_version().to_owned(),
                scan_result: scanned.stored,
                author: user.id,
            },
            status,
            record,
        )
        .await?;
    Ok(Json(
        json!({ "post": post_json(&post), "version": version.version, "findings": scanned.report.findings }),
    ))
}

/// `GET /api/v1/queue`: drafts waiting for review, the longest waiting first.
#[utoipa::path(
    get,
    path = "/api/v1/queue",
    responses(
        (status = 200, description = "The queue (at most 200 posts)", body = crate::openapi::Queue),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "The role does not review", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = []), ("bearer_token" = [])),
    tag = "drafts"
)]
pub(crate) async fn queue<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
) -> Result<Json<Value>, AppError> {
    if !allowed(user.role, Action::Review) {
        return Err(AppError::Forbidden(
            "the review queue is for reviewers".to_owned(),
        ));
    }
    let posts = state.store().review_queue(200).await?;
    Ok(Json(
        json!({ "queue": posts.iter().map(post_json).collect::<Vec<_>>() }),
    ))
}

/// A reviewer's decision on the current version of a post.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = DecisionRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct Decide {
    /// Approve, reject or request changes.
    #[schema(value_type = crate::openapi::VerdictSchema)]
    verdict: Verdict,
    /// The revision the reviewer looked at.
    revision: i64,
    /// A private note, never shown outside the organisation's reviewers.
    #[serde(default)]
    note: Option<String>,
    /// The reason for the author: what to change, or why it was rejected. Shown to the author.
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/drafts/{id}/decision`: approve, reject or request changes, for the current
/// approval step. Of two reviewers deciding at once, the second gets 409.
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/decision",
    params(("id" = i64, Path, description = "The post's id")),
    request_body(content = Decide, description = "The verdict and the revision looked at"),
    responses(
        (status = 200, description = "Recorded; the post's new status is in `post`", body = crate::openapi::Decided),
        (status = 400, description = "Malformed JSON, a missing or unknown field, a wrong type, or an id that is not an integer; the message names the field", body = crate::openapi::ErrorBody),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "Not a reviewer, or not one who may decide this step (e.g. the author); or a missing or wrong X-CSRF-Token header with the cookie, or a read-only API token", body = crate::openapi::ErrorBody),
        (status = 404, description = "No such post, or one the caller may not see", body = crate::openapi::ErrorBody),
        (status = 409, description = "The post changed since that revision, is not waiting for a decision, or its scheduled time has passed", body = crate::openapi::ErrorBody),
        (status = 413, description = "The body is larger than the configured limit (a plain-text answer)"),
    ),
    security(("session_cookie" = [], "csrf_token" = []), ("bearer_token" = ["write"])),
    tag = "drafts"
)]
pub(crate) async fn decide<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let post = post_for(
        &state,
        &user,
        id,
        Action::Review,
        "only reviewers decide on drafts",
    )
    .await?;
    let decide: Decide = parse_json(&body)?;
    if post.scheduled_at.is_some_and(|t| t <= Utc::now())
        && matches!(
            post.status,
            PostStatus::PendingReview | PostStatus::ChangesRequested
        )
    {
        return Err(AppError::Conflict(
            "the post's scheduled time has passed: it expired before it was approved".to_owned(),
        ));
    }
    let store = state.store();
    let versions = store.versions(post.id).await?;
    let current = versions.last().ok_or(AppError::NotFound)?;
    let stored: Value = serde_json::from_str(&current.scan_result).unwrap_or(Value::Null);
    let report: Report = serde_json::from_value(stored["report"].clone()).unwrap_or_default();
    let relies_on_consent = stored["consents"].as_array().is_some_and(|c| !c.is_empty())
        || stored["photo_of_person"].as_bool().unwrap_or(false);
    let steps = match &post.channel {
        Channel::Official { handle } => state.steps_for(handle),
        Channel::Personal => vec![workflow::default_steps().remove(0)],
    };
    let steps = workflow::applicable_steps(
        &steps,
        relies_on_consent,
        workflow::gives_health_information(&report),
    );
    let mut past = Vec::new();
    for d in store.decisions(post.id).await? {
        if d.version != current.version {
            continue;
        }
        let username = store
            .get_user(d.reviewer)
            .await?
            .map(|u| u.username)
            .unwrap_or_default();
        past.push(PastDecision {
            step: d.step,
            reviewer: d.reviewer,
            username,
            verdict: d.verdict,
        });
    }
    let case = Case {
        author: post.author,
        status: post.status,
        steps: &steps,
        decisions: &past,
        report: &report,
    };
    let reviewer = Reviewer {
        id: user.id,
        username: &user.username,
        role: user.role,
    };
    let (step, status) =
        workflow::decide(&case, &reviewer, decide.verdict).map_err(|r| match r {
            Refusal::Forbidden(m) => AppError::Forbidden(m),
            Refusal::InvalidState(m) => AppError::Conflict(m),
        })?;
    // The decision and its record in one transaction: a decision that loses a race (409)
    // leaves no entry.
    let record = crate::entry(
        Some(&user),
        "post.decision",
        Some(format!("post:{}", post.id)),
        json!({ "version": current.version, "step": step, "verdict": decide.verdict,
            "status": status }),
    );
    let (post, _) = store
        .decide(
            post.id,
            decide.revision,
            NewDecision {
                version: current.version,
                step: step.clone(),
                reviewer: user.id,
                verdict: decide.verdict,
                note: decide.note,
                reason: decide.reason,
            },
            status,
            record.into(),
        )
        .await?;
    Ok(Json(json!({ "post": post_json(&post), "step": step })))
}

/// `GET /api/v1/audit/verify`: checks the whole audit chain.
#[utoipa::path(
    get,
    path = "/api/v1/audit/verify",
    responses(
        (status = 200, description = "Whether the chain is intact, and where it breaks if not", body = crate::openapi::AuditVerification),
        (status = 401, description = "No valid session or API token", body = crate::openapi::ErrorBody),
        (status = 403, description = "The audit log is for compliance and admins", body = crate::openapi::ErrorBody),
    ),
    security(("session_cookie" = []), ("bearer_token" = [])),
    tag = "audit"
)]
pub(crate) async fn verify_audit<S: Store + 'static>(
    State(state): State<AppState<S>>,
    user: CurrentUser,
) -> Result<Json<Value>, AppError> {
    if !allowed(user.role, Action::Audit) {
        return Err(AppError::Forbidden(
            "the audit log is for compliance and admins".to_owned(),
        ));
    }
    match state.store().verify_chain().await {
        Ok(entries) => Ok(Json(json!({ "ok": true, "entries": entries }))),
        Err(postguard_store::StoreError::ChainBroken(b)) => Ok(Json(
            json!({ "ok": false, "first_bad_entry": b.seq, "problem": b.to_string() }),
        )),
        Err(e) => Err(e.into()),
    }
}
