//! Reading texts and JSON lines, with errors that say where and never quote the text.

use crate::UsageError;
use anyhow::Result;
pub(crate) use postguard_scan::request::parse_line;
use std::io::Read;
use std::path::Path;

/// How to name the input in messages and SARIF.
pub(crate) fn display_name(path: Option<&Path>) -> String {
    match path {
        Some(p) if p != Path::new("-") => p.display().to_string(),
        _ => "<stdin>".to_owned(),
    }
}

/// Reads a whole text from a file or standard input, as UTF-8.
pub(crate) fn read_text(path: Option<&Path>) -> Result<String> {
    let name = display_name(path);
    let mut bytes = Vec::new();
    match path {
        Some(p) if p != Path::new("-") => {
            let mut file = std::fs::File::open(p)
                .map_err(|e| UsageError(format!("{name}: cannot open: {e}")))?;
            file.read_to_end(&mut bytes)
                .map_err(|e| UsageError(format!("{name}: cannot read: {e}")))?;
        }
        _ => {
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| UsageError(format!("{name}: cannot read: {e}")))?;
        }
    }
    String::from_utf8(bytes).map_err(|e| {
        UsageError(format!(
            "{name}: the input is not valid UTF-8: invalid byte at offset {}",
            e.utf8_error().valid_up_to()
        ))
        .into()
    })
}
