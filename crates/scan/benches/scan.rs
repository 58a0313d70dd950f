//! Scanner throughput over the labelled corpora, with the full default policy.
//!
//! `cargo bench -p postguard-scan` (add `-- --quick` for a shorter run).
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use postguard_policy::Policy;
use postguard_scan::{Context, Post, Scanner};
use std::hint::black_box;

/// The texts and contexts of a corpus under `corpora/`.
fn corpus(name: &str) -> Vec<(String, Context)> {
    let path = format!("{}/../../corpora/{name}", env!("CARGO_MANIFEST_DIR"));
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let text = v.get("text")?.as_str()?.to_owned();
            let ctx = v
                .get("context")
                .and_then(|c| serde_json::from_value::<Context>(c.clone()).ok())
                .unwrap_or_default();
            Some((text, ctx))
        })
        .collect()
}

/// The benchmarks.
fn bench(c: &mut Criterion) {
    let Ok(policy) = Policy::builtin_default() else {
        return;
    };
    c.bench_function("build scanner from default policy", |b| {
        b.iter(|| Scanner::new(black_box(&policy)))
    });
    let Ok(scanner) = Scanner::new(&policy) else {
        return;
    };
    let mut group = c.benchmark_group("scan");
    for name in ["social.jsonl", "presidio.jsonl"] {
        let posts = corpus(name);
        let bytes: usize = posts.iter().map(|(t, _)| t.len()).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_with_input(BenchmarkId::new("corpus", name), &posts, |b, posts| {
            b.iter(|| {
                let mut n = 0;
                for (text, ctx) in posts {
                    n += scanner
                        .scan(&Post::with_context(text, ctx.clone()))
                        .findings
                        .len();
                }
                black_box(n)
            })
        });
    }
    // One long post: linear time, no quadratic blow-up.
    let long: String = corpus("social.jsonl")
        .iter()
        .map(|(t, _)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let long = long.repeat((1 << 20) / long.len().max(1) + 1);
    group.throughput(Throughput::Bytes(long.len() as u64));
    group.sample_size(10);
    group.bench_function("one 1 MB post", |b| {
        b.iter(|| scanner.scan(&Post::new(black_box(&long))).findings.len())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
