//! What the unit tests of several passes share: the corpora's texts, and a small generator of
//! pseudo-random choices for the texts they make up (the same sequence on every run, so a
//! failure can be replayed).

/// The texts of both corpora (`corpora/social.jsonl`, `corpora/presidio.jsonl`), as written.
pub(crate) fn corpus_posts() -> Vec<String> {
    let mut texts = Vec::new();
    for name in ["social", "presidio"] {
        let path = format!("{}/../../corpora/{name}.jsonl", env!("CARGO_MANIFEST_DIR"));
        let body = std::fs::read_to_string(&path).unwrap();
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            texts.push(v["text"].as_str().unwrap().to_owned());
        }
    }
    texts
}

/// A xorshift generator: cheap, deterministic, good enough to pick pieces of test texts.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator from `seed` (not zero).
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (not zero).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}
