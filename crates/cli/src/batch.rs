//! `postguard check --jsonl`: many texts, one JSON object a line, in bounded memory.
//!
//! Lines are read in chunks; each chunk is scanned in parallel on every core and written in
//! input order before the next is read, so memory stays bounded by the chunk, not the file.

use crate::input::parse_line;
use crate::{Format, UsageError};
use anyhow::{Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};
use postguard_policy::Policy;
use postguard_scan::{Post, Scanner};
use rayon::prelude::*;
use serde_json::json;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

/// Lines scanned together; bounds memory (a chunk of 1 MB lines is 4 GB at worst, so the
/// byte budget below ends a chunk early).
const CHUNK_LINES: usize = 4096;
const CHUNK_BYTES: usize = 32 << 20;

/// A scanned line's output and whether it needs attention, or why the line was skipped.
type LineOutcome = Result<(serde_json::Value, bool), String>;

pub(crate) fn run(
    scanner: &Scanner,
    _policy: &Policy,
    input: &Path,
    out: Option<&Path>,
    format: Format,
) -> Result<ExitCode> {
    if format == Format::Sarif {
        return Err(UsageError(
            "--jsonl writes JSON lines; --format sarif is for a single text".to_owned(),
        )
        .into());
    }
    let stdin = input == Path::new("-");
    let (reader, total): (Box<dyn Read>, Option<u64>) = if stdin {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let file = std::fs::File::open(input)
            .map_err(|e| UsageError(format!("{}: cannot open: {e}", input.display())))?;
        let len = file.metadata().ok().map(|m| m.len());
        (Box::new(file), len)
    };
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let writer: Box<dyn Write> = match out {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| UsageError(format!("{}: cannot create: {e}", path.display())))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut writer = BufWriter::with_capacity(1 << 20, writer);

    let progress = if std::io::stderr().is_terminal() {
        let bar = match total {
            Some(len) => ProgressBar::new(len),
            None => ProgressBar::new_spinner(),
        };
        let template = if total.is_some() {
            "{spinner} {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} eta {eta} {msg}"
        } else {
            "{spinner} {bytes} {bytes_per_sec} {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        Some(bar)
    } else {
        None
    };

    let name = if stdin {
        "<stdin>".to_owned()
    } else {
        input.display().to_string()
    };
    let mut line_no = 0usize;
    let mut errors = 0usize;
    let mut attention = 0usize;
    let mut scanned = 0usize;
    let mut chunk: Vec<(usize, Vec<u8>)> = Vec::with_capacity(CHUNK_LINES);
    loop {
        chunk.clear();
        let mut bytes = 0;
        while chunk.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
            let mut buf = Vec::new();
            let n = reader
                .read_until(b'\n', &mut buf)
                .with_context(|| format!("{name}: read error after line {line_no}"))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            bytes += n;
            if let Some(bar) = &progress {
                bar.inc(n as u64);
            }
            while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                buf.pop();
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            chunk.push((line_no, buf));
        }
        if chunk.is_empty() {
            break;
        }
        let results: Vec<(usize, LineOutcome)> = chunk
            .par_iter()
            .map(|(n, bytes)| {
                let result = parse_line(bytes, &[]).map(|line| {
                    let report = scanner.scan(&Post::with_context(&line.text, line.context));
                    let needs = report.needs_attention();
                    (postguard_scan::request::answer(&line.id, &report), needs)
                });
                (*n, result)
            })
            .collect();
        for (n, result) in results {
            let value = match result {
                Ok((value, needs)) => {
                    scanned += 1;
                    attention += usize::from(needs);
                    value
                }
                Err(message) => {
                    errors += 1;
                    let line = format!("{name}:{n}: {message}; line skipped");
                    match &progress {
                        Some(bar) => bar.println(line),
                        None => eprintln!("{line}"),
                    }
                    json!({ "line": n, "error": message })
                }
            };
            serde_json::to_writer(&mut writer, &value).context("cannot write results")?;
            writer.write_all(b"\n").context("cannot write results")?;
        }
    }
    writer.flush().context("cannot write results")?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    eprintln!("{name}: {scanned} texts checked, {attention} need review or a fix, {errors} malformed line(s) skipped");
    Ok(if errors > 0 {
        ExitCode::from(2)
    } else if attention > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
