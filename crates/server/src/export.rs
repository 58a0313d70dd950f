//! The exports for legal, as JSON lines or CSV: the audit log (every entry with its hashes, so
//! the chain can be checked outside Postguard) and a post's history (every version and
//! decision in order). The HTTP API (`/api/v1/audit/export`, `/api/v1/drafts/{id}/history`)
//! and the command line (`postguard export ...`) both write them with these functions, and each
//! records the export in the audit log itself.

use crate::error::AppError;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use postguard_store::{HistoryEvent, PostId, Store, UserId};
use serde_json::{json, Value};
use std::collections::HashMap;

/// How many audit entries an export reads per query.
const EXPORT_PAGE: u32 = 1000;

/// A post history's body and how many events it holds (a post's history is small: it is built
/// in memory; the audit log is written a page at a time, see [`write_audit_log`]).
#[derive(Debug)]
pub struct Export {
    /// The file's bytes.
    pub body: Vec<u8>,
    /// How many rows (events) it holds.
    pub rows: u64,
}

/// An export's format, from `?format=jsonl|csv` (JSON lines when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON lines: one object per line.
    JsonLines,
    /// CSV with a header row.
    Csv,
}

impl Format {
    pub(crate) fn from_query(query: Option<&str>) -> Result<Format, AppError> {
        let mut format = Format::JsonLines;
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if key != "format" {
                continue;
            }
            format = match value {
                "jsonl" => Format::JsonLines,
                "csv" => Format::Csv,
                _ => {
                    return Err(AppError::BadRequest(
                        "query parameter `format`: expected jsonl or csv".to_owned(),
                    ))
                }
            };
        }
        Ok(format)
    }

    /// `jsonl` or `csv` (as in `?format=` and the file name).
    pub fn name(self) -> &'static str {
        match self {
            Format::JsonLines => "jsonl",
            Format::Csv => "csv",
        }
    }

    /// The response: the body with its type, as a download that no cache keeps.
    pub(crate) fn respond(self, file_stem: &str, body: impl Into<axum::body::Body>) -> Response {
        let content_type = match self {
            Format::JsonLines => "application/x-ndjson",
            Format::Csv => "text/csv; charset=utf-8",
        };
        (
            [
                (CONTENT_TYPE, content_type.to_owned()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_stem}.{}\"", self.name()),
                ),
                (CACHE_CONTROL, "no-store".to_owned()),
            ],
            body.into(),
        )
            .into_response()
    }
}

/// Rows written one at a time as JSON lines or CSV (header first).
enum Rows {
    JsonLines(Vec<u8>),
    Csv(Box<csv::Writer<Vec<u8>>>),
}

impl Rows {
    /// Rows without a header (the rest of a file whose header went first).
    fn headless(format: Format) -> Rows {
        match format {
            Format::JsonLines => Rows::JsonLines(Vec::new()),
            Format::Csv => Rows::Csv(Box::new(csv::Writer::from_writer(Vec::new()))),
        }
    }

    /// Rows that start with `header` (a CSV header row; nothing for JSON lines).
    fn new(format: Format, header: &[&str]) -> Result<Rows, AppError> {
        let mut rows = Rows::headless(format);
        if let Rows::Csv(writer) = &mut rows {
            writer.write_record(header).map_err(csv_error)?;
        }
        Ok(rows)
    }

    /// Appends a row: the JSON object as one line, or `cells` as one CSV record.
    fn push(&mut self, object: &Value, cells: &[String]) -> Result<(), AppError> {
        match self {
            Rows::JsonLines(out) => {
                serde_json::to_writer(&mut *out, object)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                out.push(b'\n');
                Ok(())
            }
            Rows::Csv(writer) => writer.write_record(cells).map_err(csv_error),
        }
    }

    fn finish(self) -> Result<Vec<u8>, AppError> {
        match self {
            Rows::JsonLines(out) => Ok(out),
            Rows::Csv(writer) => writer
                .into_inner()
                .map_err(|e| AppError::Internal(e.error().to_string())),
        }
    }
}

fn csv_error(e: csv::Error) -> AppError {
    AppError::Internal(format!("writing CSV: {e}"))
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

const AUDIT_HEADER: &[&str] = &[
    "seq",
    "at",
    "actor_user_id",
    "actor_name",
    "action",
    "subject",
    "details",
    "prev_hash",
    "hash",
];

/// What an audit export held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditExported {
    /// How many entries it holds.
    pub rows: u64,
    /// The seq of the last entry it holds (0 for an empty log).
    pub through_seq: i64,
}

/// The first bytes of an audit export: the CSV header row (nothing for JSON lines).
fn audit_header(format: Format) -> Result<Vec<u8>, AppError> {
    Rows::new(format, AUDIT_HEADER)?.finish()
}

/// The entries after seq `after` and up to seq `through`, one page of them, encoded: the bytes,
/// the last seq in them and how many; `None` when there are no more. Every entry has its hash
/// and the previous one's; `details` is the canonical JSON text exactly as hashed.
async fn audit_page<S: Store>(
    store: &S,
    format: Format,
    after: i64,
    through: i64,
) -> Result<Option<(Vec<u8>, i64, u64)>, AppError> {
    if after >= through {
        return Ok(None);
    }
    let page = store.audit_entries(after, EXPORT_PAGE).await?;
    let mut rows = Rows::headless(format);
    let (mut last, mut count) = (after, 0);
    for entry in page.iter().take_while(|e| e.seq <= through) {
        let object = serde_json::to_value(entry).map_err(|e| AppError::Internal(e.to_string()))?;
        let cells = [
            entry.seq.to_string(),
            time(entry.at),
            opt(entry.actor.as_ref().and_then(|a| a.user_id)),
            opt(entry.actor.as_ref().map(|a| &a.name)),
            entry.action.clone(),
            opt(entry.subject.as_ref()),
            entry.details.clone(),
            entry.prev_hash.clone(),
            entry.hash.clone(),
        ];
        rows.push(&object, &cells)?;
        last = entry.seq;
        count += 1;
    }
    if count == 0 {
        return Ok(None);
    }
    Ok(Some((rows.finish()?, last, count)))
}

/// Writes the audit log through seq `through` (see [`Store::last_audit_seq`]) to `out`, a page of
/// entries at a time, so a log of any length takes the memory of one page.
pub async fn write_audit_log<S: Store, W: std::io::Write>(
    store: &S,
    format: Format,
    through: i64,
    out: &mut W,
) -> Result<AuditExported, AppError> {
    let write = |out: &mut W, bytes: &[u8]| {
        out.write_all(bytes)
            .map_err(|e| AppError::Internal(format!("writing the export: {e}")))
    };
    write(out, &audit_header(format)?)?;
    let (mut after, mut rows) = (0, 0);
    while let Some((bytes, last, count)) = audit_page(store, format, after, through).await? {
        write(out, &bytes)?;
        after = last;
        rows += count;
    }
    Ok(AuditExported {
        rows,
        through_seq: after,
    })
}

/// The audit log through seq `through` as a streamed response body, read a page at a time while
/// the client downloads it (the server holds one page, whatever the log's length). A read that
/// fails midway is logged and ends the download short, so the client sees an incomplete
/// transfer rather than a file that looks whole.
pub(crate) fn audit_log_body<S: Store + 'static>(
    state: crate::AppState<S>,
    format: Format,
    through: i64,
) -> Result<axum::body::Body, AppError> {
    let header = audit_header(format)?;
    let pages =
        futures_util::stream::try_unfold((state, 0_i64), move |(state, after)| async move {
            match audit_page(state.store(), format, after, through).await {
                Ok(Some((bytes, last, _))) => Ok(Some((bytes, (state, last)))),
                Ok(None) => Ok(None),
                Err(e) => {
                    // As for a failed request: the store's messages hold no parameters or text.
                    let cause = match &e {
                        AppError::Internal(cause) => cause.clone(),
                        other => other.to_string(),
                    };
                    tracing::error!(%cause, after_seq = after, "audit export failed midway");
                    Err(std::io::Error::other("the audit export failed midway"))
                }
            }
        });
    let first = futures_util::stream::once(async move { Ok::<_, std::io::Error>(header) });
    Ok(axum::body::Body::from_stream(
        futures_util::StreamExt::chain(first, pages),
    ))
}

const HISTORY_HEADER: &[&str] = &[
    "event",
    "post_id",
    "version",
    "at",
    "user_id",
    "username",
    "text",
    "attachments",
    "policy_version",
    "scan",
    "step",
    "verdict",
    "note",
    "reason",
];

/// Every version (with its text, attachments and scan) and every decision (with the reviewer's
/// note and reason) of `post`, in the order they happened. An unknown post is an empty history:
/// the caller checks that it exists and may be seen.
pub async fn post_history<S: Store>(
    store: &S,
    post: PostId,
    format: Format,
) -> Result<Export, AppError> {
    let names: HashMap<UserId, String> = store
        .list_users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let name_of = |id: UserId| names.get(&id).cloned().unwrap_or_default();
    let events = store.post_history(post).await?;
    let mut rows = Rows::new(format, HISTORY_HEADER)?;
    for event in &events {
        let (object, cells) = match event {
            HistoryEvent::Version(v) => {
                let scan: Value = serde_json::from_str(&v.scan_result).unwrap_or(Value::Null);
                let attachments = serde_json::to_value(&v.attachments)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let object = json!({ "event": "version", "post_id": v.post_id,
                    "version": v.version, "at": v.created_at, "user_id": v.author,
                    "username": name_of(v.author), "text": v.text, "attachments": attachments,
                    "policy_version": v.policy_version, "scan": scan });
                let cells = [
                    "version".to_owned(),
                    v.post_id.to_string(),
                    v.version.to_string(),
                    time(v.created_at),
                    v.author.to_string(),
                    name_of(v.author),
                    v.text.clone(),
                    attachments.to_string(),
                    v.policy_version.clone(),
                    v.scan_result.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ];
                (object, cells)
            }
            HistoryEvent::Decision(d) => {
                let object = json!({ "event": "decision", "post_id": d.post_id,
                    "version": d.version, "at": d.created_at, "user_id": d.reviewer,
                    "username": name_of(d.reviewer), "step": d.step, "verdict": d.verdict,
                    "note": d.note, "reason": d.reason });
                let cells = [
                    "decision".to_owned(),
                    d.post_id.to_string(),
                    d.version.to_string(),
                    time(d.created_at),
                    d.reviewer.to_string(),
                    name_of(d.reviewer),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    d.step.clone(),
                    d.verdict.to_string(),
                    opt(d.note.as_ref()),
                    opt(d.reason.as_ref()),
                ];
                (object, cells)
            }
        };
        rows.push(&object, &cells)?;
    }
    Ok(Export {
        body: rows.finish()?,
        rows: u64::try_from(events.len()).unwrap_or(u64::MAX),
    })
}
