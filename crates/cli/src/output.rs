//! Printing reports: marked-up text for people, JSON and SARIF for tools.

use crate::Format;
use anstyle::{AnsiColor, Effects, Style};
use anyhow::{Context as _, Result};
use postguard_policy::Policy;
use postguard_scan::{Finding, Fix, Report, Severity};
use serde_json::json;
use std::io::Write;

fn style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Block => AnsiColor::Red,
        Severity::Review => AnsiColor::Yellow,
        Severity::Advise => AnsiColor::Cyan,
    };
    Style::new()
        .fg_color(Some(color.into()))
        .effects(Effects::BOLD | Effects::UNDERLINE)
}

/// Prints one report in the chosen format.
pub(crate) fn print_report(
    text: &str,
    report: &Report,
    format: Format,
    name: &str,
    policy: &Policy,
) -> Result<()> {
    match format {
        Format::Human => print_human(text, report),
        Format::Json => {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, report).context("cannot write the report")?;
            writeln!(out).context("cannot write the report")
        }
        Format::Sarif => {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &sarif(text, report, name, policy))
                .context("cannot write the report")?;
            writeln!(out).context("cannot write the report")
        }
    }
}

/// The text with each finding's span marked and numbered, then the findings explained.
/// Colour follows the terminal and `NO_COLOR`; without colour the spans are bracketed.
fn print_human(text: &str, report: &Report) -> Result<()> {
    let mut out = anstream::stdout().lock();
    let colour = anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
    if report.findings.is_empty() {
        writeln!(out, "No findings: nothing in this text breaks the policy.")?;
        return Ok(());
    }
    // Marked text: outermost spans only, so nested findings don't garble it.
    let mut spans: Vec<(usize, usize, Severity, usize)> = Vec::new();
    for (i, f) in report.findings.iter().enumerate() {
        if f.end > f.start && !spans.iter().any(|&(s, e, _, _)| f.start < e && s < f.end) {
            spans.push((f.start, f.end, f.severity, i + 1));
        }
    }
    spans.sort_by_key(|s| s.0);
    let mut pos = 0;
    for (start, end, severity, n) in spans {
        write!(out, "{}", text.get(pos..start).unwrap_or(""))?;
        let span = text.get(start..end).unwrap_or("");
        if colour {
            let st = style(severity);
            write!(out, "{st}{span}{st:#}[{n}]")?;
        } else {
            write!(out, "[[{span}]][{n}]")?;
        }
        pos = end;
    }
    writeln!(out, "{}\n", text.get(pos..).unwrap_or("").trim_end())?;
    for (i, f) in report.findings.iter().enumerate() {
        let sev = f.severity.name().to_uppercase();
        let label = match f.identifier {
            Some(kind) => format!("{} {}", f.category, kind.label()),
            None => f.category.to_string(),
        };
        if colour {
            let st = style(f.severity);
            writeln!(
                out,
                "[{}] {st}{sev}{st:#} {label} at bytes {}..{}",
                i + 1,
                f.start,
                f.end
            )?;
        } else {
            writeln!(
                out,
                "[{}] {sev} {label} at bytes {}..{}",
                i + 1,
                f.start,
                f.end
            )?;
        }
        writeln!(out, "    {}", f.explanation)?;
        if let Some(fix) = &f.fix {
            writeln!(out, "    fix: {}", describe_fix(fix))?;
        }
    }
    let worst = report.max_severity().map_or("none", Severity::name);
    writeln!(
        out,
        "\n{} finding(s); highest severity: {worst}.",
        report.findings.len()
    )?;
    Ok(())
}

fn describe_fix(fix: &Fix) -> String {
    match fix {
        Fix::Redact { replacement } => format!("replace with {replacement}"),
        Fix::Append { text } => format!("append \"{}\"", text.trim()),
        Fix::Replace { replacement } => format!("use \"{replacement}\" instead"),
        Fix::Reword { hint } => hint.to_string(),
    }
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Block => "error",
        Severity::Review => "warning",
        Severity::Advise => "note",
    }
}

/// A SARIF 2.1.0 log with one run.
pub(crate) fn sarif(text: &str, report: &Report, name: &str, policy: &Policy) -> serde_json::Value {
    let mut rule_ids: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<_> = rule_ids
        .iter()
        .map(|id| {
            let f = report.findings.iter().find(|f| f.rule == *id);
            json!({
                "id": id,
                "properties": { "category": f.map(|f| f.category.name()) },
            })
        })
        .collect();
    let results: Vec<_> = report
        .findings
        .iter()
        .map(|f| sarif_result(text, f, name))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "postguard",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/postguard",
                "rules": rules,
            }},
            "properties": { "policy": policy.policy.name, "policyVersion": policy.policy.version },
            "results": results,
        }],
    })
}

fn sarif_result(text: &str, f: &Finding, name: &str) -> serde_json::Value {
    let before = text.get(..f.start).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    json!({
        "ruleId": f.rule,
        "level": sarif_level(f.severity),
        "message": { "text": f.explanation },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": name },
            "region": {
                "startLine": line,
                "startColumn": column,
                "byteOffset": f.start,
                "byteLength": f.end - f.start,
            },
        }}],
        "properties": { "category": f.category.name(), "severity": f.severity.name() },
    })
}
