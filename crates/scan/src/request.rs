//! The JSON form of a check request, shared by the command line (`check --jsonl`, `eval`) and
//! the server (`POST /api/v1/check`), so both accept exactly the same objects and report
//! mistakes the same way.

use crate::{Channel, Consent, Context, PostKind, Report};
use serde_json::{json, Value};

/// One check request: a line of `postguard check --jsonl`, the body of `POST /api/v1/check`,
/// or a line of a labelled corpus.
#[derive(Debug)]
pub struct Line {
    /// The caller's id for the text (a string, a number or null), echoed in the answer.
    pub id: Value,
    /// The text to scan.
    pub text: String,
    /// Where and how it will be published.
    pub context: Context,
    /// The extra fields the caller allowed (`spans`, `categories` for `eval`).
    pub rest: serde_json::Map<String, Value>,
}

/// Parses one JSON object `{"id", "text", "context"}` plus the `extra_fields` allowed.
/// Errors name the field and what was expected, never the values: a text may hold patient data.
pub fn parse_line(bytes: &[u8], extra_fields: &[&str]) -> Result<Line, String> {
    let s = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (invalid byte at offset {} of the line)",
            e.valid_up_to()
        )
    })?;
    let value: Value = serde_json::from_str(s)
        .map_err(|e| format!("not valid JSON ({} at column {})", classify(&e), e.column()))?;
    let Value::Object(mut map) = value else {
        return Err("expected a JSON object".to_owned());
    };
    let id = map.remove("id").unwrap_or(Value::Null);
    if !matches!(id, Value::String(_) | Value::Number(_) | Value::Null) {
        return Err("field `id`: expected a string or a number".to_owned());
    }
    let text = match map.remove("text") {
        Some(Value::String(t)) => t,
        Some(_) => return Err("field `text`: expected a string".to_owned()),
        None => return Err("missing field `text`".to_owned()),
    };
    let context = match map.remove("context") {
        None | Some(Value::Null) => Context::default(),
        Some(Value::Object(c)) => parse_context(c)?,
        Some(_) => return Err("field `context`: expected an object".to_owned()),
    };
    if let Some(unknown) = map.keys().find(|k| !extra_fields.contains(&k.as_str())) {
        let mut allowed = vec!["id", "text", "context"];
        allowed.extend_from_slice(extra_fields);
        return Err(format!(
            "unknown field `{unknown}`; expected one of {}",
            allowed.join(", ")
        ));
    }
    Ok(Line {
        id,
        text,
        context,
        rest: map,
    })
}

/// The answer to one request: `{"id", "identifies_employer", "max_severity", "findings"}`, the
/// same object a line of `postguard check --jsonl` gets.
pub fn answer(id: &Value, report: &Report) -> Value {
    json!({
        "id": id,
        "identifies_employer": report.identifies_employer,
        "max_severity": report.max_severity(),
        "findings": report.findings,
    })
}

fn classify(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "unexpected end of line",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "wrong type",
        serde_json::error::Category::Io => "read error",
    }
}

fn parse_context(map: serde_json::Map<String, Value>) -> Result<Context, String> {
    let mut ctx = Context::default();
    for (key, value) in map {
        match key.as_str() {
            "channel" => {
                ctx.channel = match value.as_str() {
                    Some("official") => Channel::Official,
                    Some("personal") => Channel::Personal,
                    _ => return Err("field `context.channel`: expected \"official\" or \"personal\"".to_owned()),
                }
            }
            "identifies_employer" => {
                ctx.identifies_employer = value
                    .as_bool()
                    .ok_or("field `context.identifies_employer`: expected true or false")?;
            }
            "kind" => {
                ctx.kind = match value.as_str() {
                    Some("post") => PostKind::Post,
                    Some("reply") => PostKind::Reply,
                    Some("comment") => PostKind::Comment,
                    _ => return Err("field `context.kind`: expected \"post\", \"reply\" or \"comment\"".to_owned()),
                }
            }
            "consents" => {
                ctx.consents = serde_json::from_value::<Vec<Consent>>(value).map_err(|_| {
                    "field `context.consents`: expected a list of {\"id\": string, \"covers\": [strings]}".to_owned()
                })?;
            }
            other => {
                return Err(format!(
                    "unknown field `context.{other}`; expected one of channel, identifies_employer, kind, consents"
                ))
            }
        }
    }
    Ok(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_field_but_not_the_value() {
        let err = parse_line(
            br#"{"id":"1","text":"Jane Roe","context":{"channel":"Jane Roe"}}"#,
            &[],
        )
        .err()
        .unwrap_or_default();
        assert!(err.contains("context.channel"), "{err}");
        assert!(!err.contains("Jane"), "{err}");
    }

    #[test]
    fn a_wrong_type_is_named_without_the_value() {
        let err = parse_line(
            br#"{"text":"Jane Roe","context":{"identifies_employer":"Jane Roe"}}"#,
            &[],
        )
        .err()
        .unwrap_or_default();
        assert!(err.contains("context.identifies_employer"), "{err}");
        assert!(!err.contains("Jane"), "{err}");
        let err = parse_line(br#"{"text":"Jane Roe", "spans": []}"#, &[])
            .err()
            .unwrap_or_default();
        assert!(err.contains("unknown field `spans`"), "{err}");
    }
}
