//! Crafted and mutated replay tokens: every one is refused with a reason or parsed into a token
//! whose sizes its text can account for, never a panic, an abort or a huge allocation.
//!
//! The mutations keep the checksum valid (it is recomputed), so they reach the decoder. Longer
//! runs: `SEEDLOOP_FUZZ_ITERATIONS=10000000 cargo test --release -p seedloop-tests --test checks
//! -- harness_token_fuzz` on any toolchain (see `harness::env`), or coverage-guided with
//! `cargo +nightly fuzz run token -- -max_total_time=600 -malloc_limit_mb=64` (the `fuzz/`
//! directory; `cargo install cargo-fuzz` first).

use std::panic::{AssertUnwindSafe, catch_unwind};

use harness::{Check, Token};

use crate::common::{lost_update_with, seal, unbase32};

/// Mutated tokens per run of the test: enough to have caught every crash the decoder had.
const DEFAULT_ITERATIONS: u64 = 100_000;

/// Decoded decisions a token may hold per byte of its payload (a decision costs at least two
/// bytes, a repeat entry at most two bytes for 2047 copies).
const DECISIONS_PER_BYTE: usize = 1024;

fn varint(w: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            w.push(b);
            return;
        }
        w.push(b | 0x80);
    }
}

/// splitmix64: the same mutations on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to three edits of the payload bytes.
fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut p = base.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(p.len() + 1);
        match rng.below(8) {
            0 if at < p.len() => p[at] ^= 1 << rng.below(8),
            1 if at < p.len() => p[at] = rng.next() as u8,
            2 => p.insert(at, rng.next() as u8),
            3 if at < p.len() => {
                p.remove(at);
            }
            // A big number where a small one was: lengths, counts and repeats.
            4 => {
                let mut big = Vec::new();
                varint(&mut big, rng.next() >> rng.below(64));
                let end = (at + 1).min(p.len());
                p.splice(at..end, big);
            }
            5 => p.truncate(at),
            6 if at < p.len() => {
                let len = rng.below(8).min(p.len() - at);
                let chunk = p[at..at + len].to_vec();
                p.splice(at..at, chunk);
            }
            _ => p.insert(at, 0x80 | rng.next() as u8),
        }
    }
    p
}

/// A parsed token must be one its bytes can account for, and must round-trip. True when it
/// parsed.
fn check_parsed(text: &str, payload_len: usize) -> bool {
    let parsed = catch_unwind(AssertUnwindSafe(|| Token::parse(text)));
    let Ok(result) = parsed else {
        panic!("Token::parse panicked on {text:?}");
    };
    let Ok(token) = result else { return false };
    assert!(
        token.schedule.len() <= DECISIONS_PER_BYTE * payload_len,
        "{} decisions from {payload_len} bytes: {text}",
        token.schedule.len()
    );
    assert!(token.strategy.len() <= payload_len, "{text}");
    let again = Token::parse(&token.encode()).expect("a parsed token re-encodes to a valid one");
    assert_eq!(again, token, "{text}");
    true
}

/// Real tokens, with and without shrinking, with options, of 2 and 5 tasks.
fn base_tokens() -> Vec<String> {
    let found = |c: Check, n: usize| {
        c.no_regressions()
            .explore(move || {
                // A draw after each preemption point: tokens that hold value decisions too.
                lost_update_with(n, || async {
                    sim::rand::random::<u8>();
                })
            })
            .report
            .expect("the lost update is found")
            .token_text
    };
    vec![
        found(Check::new(), 2),
        found(Check::new().shrink(false), 5),
        found(
            Check::new()
                .max_steps(77)
                .max_time(std::time::Duration::from_secs(3))
                .fail_on_leftover_tasks(true),
            3,
        ),
    ]
}

fn iterations() -> u64 {
    std::env::var(harness::env::FUZZ_ITERATIONS)
        .ok()
        .map(|v| v.parse().expect("SEEDLOOP_FUZZ_ITERATIONS is a number"))
        .unwrap_or(DEFAULT_ITERATIONS)
}

#[test]
fn mutated_tokens_with_valid_checksums_never_crash_the_decoder() {
    let bases: Vec<(String, Vec<u8>)> = base_tokens()
        .iter()
        .map(|t| {
            let (prefix, rest) = t.split_once('.').unwrap();
            (
                prefix.to_string(),
                unbase32(rest.split_once('.').unwrap().0),
            )
        })
        .collect();
    let mut rng = Rng(0x5eed_1007);
    let mut parsed = 0u64;
    for i in 0..iterations() {
        let (prefix, payload) = &bases[i as usize % bases.len()];
        let mutated = mutate(&mut rng, payload);
        let text = seal(prefix, &mutated);
        parsed += u64::from(check_parsed(&text, mutated.len()));
    }
    // Some mutations (a changed seed or value) still make sense: the test reaches the end of
    // the decoder, not only its first check.
    assert!(parsed > 0, "no mutation parsed");
}
