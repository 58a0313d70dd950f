//! Replacing identifiers with typed placeholders.

use crate::{Category, Report};

/// The text with every `phi` finding of `report` replaced by its placeholder (`[NAME]`,
/// `[DATE]`, ...). `report` must come from scanning `text`.
pub fn redact(text: &str, report: &Report) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut spans: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.category == Category::Phi)
        .filter_map(|f| f.identifier.map(|k| (f.start, f.end, k)))
        .collect();
    spans.sort_by_key(|s| s.0);
    for (start, end, kind) in spans {
        if start < pos || end > text.len() {
            continue;
        }
        out.push_str(text.get(pos..start).unwrap_or(""));
        out.push('[');
        out.push_str(kind.label());
        out.push(']');
        pos = end;
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    out
}
