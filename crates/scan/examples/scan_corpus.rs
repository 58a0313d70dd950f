//! Scans a corpus N times: `cargo run --release -p postguard-scan --example scan_corpus -- corpora/social.jsonl 20`.
//! For instruction counts that do not depend on machine load (`perf stat -e instructions`,
//! `scripts/scan-profile`), time profiles (`scripts/scan-perf`) and builds timed in turn. One
//! pass before the timed ones is not timed: on the first, the lazy DFAs compute their states
//! (criterion's warm-up leaves it out too).
#![allow(missing_docs)]

use postguard_policy::Policy;
use postguard_scan::{Context, Post, Scanner};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: scan_corpus FILE [ROUNDS]")?;
    let rounds: usize = args.next().map_or(Ok(10), |r| r.parse())?;
    let posts: Vec<(String, Context)> = std::fs::read_to_string(&path)?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let text = v.get("text")?.as_str()?.to_owned();
            let ctx = v
                .get("context")
                .and_then(|c| serde_json::from_value(c.clone()).ok())
                .unwrap_or_default();
            Some((text, ctx))
        })
        .collect();
    let scanner = Scanner::new(&Policy::builtin_default()?)?;
    let bytes: usize = posts.iter().map(|(t, _)| t.len()).sum::<usize>() * rounds;
    for (text, ctx) in &posts {
        std::hint::black_box(scanner.scan(&Post::with_context(text, ctx.clone())));
    }
    let start = std::time::Instant::now();
    let mut findings = 0;
    for _ in 0..rounds {
        for (text, ctx) in &posts {
            findings += scanner
                .scan(&Post::with_context(text, ctx.clone()))
                .findings
                .len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{bytes} bytes, {findings} findings, {:.1} MB/s",
        bytes as f64 / secs / 1e6
    );
    Ok(())
}
