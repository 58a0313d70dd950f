//! Prints every finding for each line of a corpus, one JSON line per input; for comparing two
//! builds of the scanner: `cargo run --release -p postguard-scan --example dump_findings -- FILE`.
#![allow(missing_docs)]

use postguard_policy::Policy;
use postguard_scan::{Context, Post, Scanner};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: dump_findings FILE")?;
    let scanner = Scanner::new(&Policy::builtin_default()?)?;
    for line in std::fs::read_to_string(&path)?.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(text) = v.get("text").and_then(|t| t.as_str()) else {
            continue;
        };
        let ctx: Context = v
            .get("context")
            .and_then(|c| serde_json::from_value(c.clone()).ok())
            .unwrap_or_default();
        let report = scanner.scan(&Post::with_context(text, ctx));
        println!("{}", serde_json::to_string(&report.findings)?);
    }
    Ok(())
}
