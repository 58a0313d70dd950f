//! `postguard eval`: token-level accuracy of the `phi` findings against labelled spans, and
//! line-level accuracy of the categories, so accuracy is measured, not guessed.
//!
//! A token is a run of letters or digits. A token inside a labelled identifier span is a
//! positive; inside a `NOT_PHI` span it is neutral (neither a miss nor a false alarm); a token
//! inside a `phi` finding is predicted.

use crate::input::parse_line;
use crate::UsageError;
use anyhow::Result;
use postguard_scan::{Category, IdentifierKind, Post, Scanner, Severity};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Clone)]
struct Span {
    start: usize,
    end: usize,
    label: String,
}

#[derive(Debug, Default)]
struct LineResult {
    tp: usize,
    fp: usize,
    fn_: usize,
    type_total: BTreeMap<String, usize>,
    type_found: BTreeMap<String, usize>,
    misses: Vec<String>,
    false_alarms: Vec<String>,
    expected: Option<Vec<String>>,
    found_categories: Vec<String>,
    blocked: bool,
    /// Some phi finding blocks the text (not only advice on it).
    phi_blocked: bool,
}

fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push((s, i));
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

fn parse_spans(value: Option<&Value>, text: &str) -> Result<Vec<Span>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let list = value.as_array().ok_or("field `spans`: expected a list")?;
    let mut spans = Vec::new();
    for (i, s) in list.iter().enumerate() {
        let start = s
            .get("start")
            .and_then(Value::as_u64)
            .ok_or(format!("spans[{i}].start: expected a number"))? as usize;
        let end = s
            .get("end")
            .and_then(Value::as_u64)
            .ok_or(format!("spans[{i}].end: expected a number"))? as usize;
        let label = s
            .get("type")
            .and_then(Value::as_str)
            .ok_or(format!("spans[{i}].type: expected a string"))?;
        if label != "NOT_PHI" && IdentifierKind::from_label(label).is_none() {
            return Err(format!("spans[{i}].type: unknown type `{label}`"));
        }
        if start >= end
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            return Err(format!(
                "spans[{i}]: {start}..{end} is not a span of the text's UTF-8 bytes"
            ));
        }
        spans.push(Span {
            start,
            end,
            label: label.to_owned(),
        });
    }
    Ok(spans)
}

fn evaluate(
    scanner: &Scanner,
    id: &str,
    text: &str,
    ctx: postguard_scan::Context,
    spans: &[Span],
    expected: Option<Vec<String>>,
) -> LineResult {
    let report = scanner.scan(&Post::with_context(text, ctx));
    let predicted: Vec<(usize, usize)> = report
        .findings
        .iter()
        .filter(|f| f.category == Category::Phi)
        .map(|f| (f.start, f.end))
        .collect();
    let mut r = LineResult::default();
    let overlaps = |a: (usize, usize), s: usize, e: usize| a.0 < e && s < a.1;
    for tok in tokens(text) {
        let gold = spans
            .iter()
            .find(|s| s.label != "NOT_PHI" && overlaps(tok, s.start, s.end));
        let neutral = spans
            .iter()
            .any(|s| s.label == "NOT_PHI" && overlaps(tok, s.start, s.end));
        let pred = predicted.iter().any(|&(s, e)| overlaps(tok, s, e));
        match (gold, pred) {
            (Some(g), true) => {
                r.tp += 1;
                *r.type_total.entry(g.label.clone()).or_default() += 1;
                *r.type_found.entry(g.label.clone()).or_default() += 1;
            }
            (Some(g), false) => {
                r.fn_ += 1;
                *r.type_total.entry(g.label.clone()).or_default() += 1;
            }
            (None, true) if !neutral => r.fp += 1,
            _ => {}
        }
    }
    for s in spans.iter().filter(|s| s.label != "NOT_PHI") {
        if !predicted.iter().any(|&p| overlaps(p, s.start, s.end)) {
            r.misses.push(format!(
                "{id}: {} {:?}",
                s.label,
                text.get(s.start..s.end).unwrap_or("")
            ));
        }
    }
    for f in report
        .findings
        .iter()
        .filter(|f| f.category == Category::Phi)
    {
        if !spans
            .iter()
            .any(|s| overlaps((f.start, f.end), s.start, s.end))
        {
            let kind = f.identifier.map_or("?", IdentifierKind::label);
            r.false_alarms
                .push(format!("{id}: {kind} {:?} ({})", f.matched, f.rule));
        }
    }
    let mut cats: Vec<String> = report
        .findings
        .iter()
        .map(|f| f.category.name().to_owned())
        .collect();
    cats.sort();
    cats.dedup();
    r.found_categories = cats;
    r.blocked = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Block);
    r.phi_blocked = report
        .findings
        .iter()
        .any(|f| f.category == Category::Phi && f.severity == Severity::Block);
    r.expected = expected;
    r
}

pub(crate) fn run(scanner: &Scanner, gold: &Path, show: usize, as_json: bool) -> Result<ExitCode> {
    let file = std::fs::File::open(gold)
        .map_err(|e| UsageError(format!("{}: cannot open: {e}", gold.display())))?;
    let reader = std::io::BufReader::new(file);
    let mut items = Vec::new();
    let mut errors = 0;
    for (n, line) in reader.split(b'\n').enumerate() {
        let bytes = line.map_err(|e| UsageError(format!("{}: read error: {e}", gold.display())))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = parse_line(&bytes, &["spans", "categories"]).and_then(|line| {
            let spans = parse_spans(line.rest.get("spans"), &line.text)?;
            let expected = match line.rest.get("categories") {
                None => None,
                Some(Value::Array(list)) => Some(
                    list.iter()
                        .map(|c| {
                            c.as_str()
                                .filter(|c| Category::from_name(c).is_some())
                                .map(str::to_owned)
                        })
                        .collect::<Option<Vec<String>>>()
                        .ok_or("field `categories`: expected a list of category names")?,
                ),
                Some(_) => return Err("field `categories`: expected a list".to_owned()),
            };
            let id = match &line.id {
                Value::String(s) => s.clone(),
                Value::Null => format!("line {}", n + 1),
                other => other.to_string(),
            };
            Ok((id, line.text, line.context, spans, expected))
        });
        match parsed {
            Ok(item) => items.push(item),
            Err(message) => {
                errors += 1;
                eprintln!("{}:{}: {message}; line skipped", gold.display(), n + 1);
            }
        }
    }
    let results: Vec<LineResult> = items
        .into_par_iter()
        .map(|(id, text, ctx, spans, expected)| {
            evaluate(scanner, &id, &text, ctx, &spans, expected)
        })
        .collect();

    let (tp, fp, fn_) = results
        .iter()
        .fold((0, 0, 0), |a, r| (a.0 + r.tp, a.1 + r.fp, a.2 + r.fn_));
    let recall = ratio(tp, tp + fn_);
    let precision = ratio(tp, tp + fp);
    let f2 = if recall + precision > 0.0 {
        5.0 * precision * recall / (4.0 * precision + recall)
    } else {
        0.0
    };
    let mut per_type: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in &results {
        for (t, n) in &r.type_total {
            per_type.entry(t.clone()).or_default().0 += n;
        }
        for (t, n) in &r.type_found {
            per_type.entry(t.clone()).or_default().1 += n;
        }
    }
    // Categories, line by line.
    let mut categories: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new(); // labelled, found, spurious
    let mut clean = 0;
    let mut clean_blocked = Vec::new();
    // Lines labelled phi where the scanner found the identifiers but only advised on them: a
    // user would see the post go through.
    let mut phi_lines = 0;
    let mut phi_not_blocked = Vec::new();
    let mut category_misses = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let Some(expected) = &r.expected else {
            continue;
        };
        if expected.is_empty() {
            clean += 1;
            if r.blocked {
                clean_blocked.push(i);
            }
        }
        if expected.iter().any(|c| c == "phi") {
            phi_lines += 1;
            if !r.phi_blocked {
                phi_not_blocked.push(i);
            }
        }
        for c in expected {
            let e = categories.entry(c.clone()).or_default();
            e.0 += 1;
            if r.found_categories.contains(c) {
                e.1 += 1;
            } else {
                category_misses.push((i, c.clone()));
            }
        }
        for c in &r.found_categories {
            if !expected.contains(c) {
                categories.entry(c.clone()).or_default().2 += 1;
            }
        }
    }
    let misses: Vec<&String> = results.iter().flat_map(|r| r.misses.iter()).collect();
    let false_alarms: Vec<&String> = results.iter().flat_map(|r| r.false_alarms.iter()).collect();

    if as_json {
        let figures = json!({
            "lines": results.len(),
            "malformed_lines": errors,
            "tokens": { "true_positives": tp, "false_positives": fp, "false_negatives": fn_ },
            "recall": recall, "precision": precision, "f2": f2,
            "per_type_recall": per_type.iter().map(|(t, (n, f))| (t.clone(), json!({"tokens": n, "found": f, "recall": ratio(*f, *n)}))).collect::<serde_json::Map<_, _>>(),
            "categories": categories.iter().map(|(c, (l, f, s))| (c.clone(), json!({"labelled_lines": l, "found": f, "recall": ratio(*f, *l), "unexpected_lines": s}))).collect::<serde_json::Map<_, _>>(),
            "clean_lines": clean,
            "clean_lines_blocked": clean_blocked.len(),
            "phi_lines": phi_lines,
            "phi_lines_not_blocked": phi_not_blocked.len(),
        });
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        println!(
            "{}: {} lines{}",
            gold.display(),
            results.len(),
            if errors > 0 {
                format!(", {errors} malformed lines skipped")
            } else {
                String::new()
            }
        );
        println!("PHI tokens: recall {recall:.3}  precision {precision:.3}  F2 {f2:.3}  (tp {tp}, fp {fp}, fn {fn_})");
        println!("\nrecall by type:");
        for (t, (n, f)) in &per_type {
            println!("  {t:<12} {:.3}  ({f}/{n} tokens)", ratio(*f, *n));
        }
        if !categories.is_empty() {
            println!("\ncategories (lines):     labelled  found  recall  unexpected");
            for (c, (l, f, s)) in &categories {
                println!("  {c:<20} {l:>8} {f:>6}  {:>6.3}  {s:>10}", ratio(*f, *l));
            }
            println!(
                "\nclean lines: {clean}, of which blocked: {}",
                clean_blocked.len()
            );
            println!(
                "phi lines: {phi_lines}, of which not blocked: {}",
                phi_not_blocked.len()
            );
        }
        if show > 0 {
            if !misses.is_empty() {
                println!("\nmissed identifiers ({}):", misses.len());
                for m in misses.iter().take(show) {
                    println!("  {m}");
                }
            }
            if !false_alarms.is_empty() {
                println!("\nfalse alarms ({}):", false_alarms.len());
                for m in false_alarms.iter().take(show) {
                    println!("  {m}");
                }
            }
            if !category_misses.is_empty() {
                println!("\nmissed categories ({}):", category_misses.len());
                for (i, c) in category_misses.iter().take(show) {
                    println!("  line {}: {c}", i + 1);
                }
            }
            for &i in clean_blocked.iter().take(show) {
                println!(
                    "  clean line {} blocked: {:?}",
                    i + 1,
                    results[i].found_categories
                );
            }
            for &i in phi_not_blocked.iter().take(show) {
                println!("  phi line {} not blocked", i + 1);
            }
        }
    }
    Ok(if errors > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}
