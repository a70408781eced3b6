//! What many checks share: the lost-update program they find, shrink, save and replay, a quiet
//! `Check`, the text of a panic, scratch directories, and sealing a crafted token payload.

use std::cell::Cell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::rc::Rc;

use harness::{Check, Env};

/// `n` tasks each read a shared counter, reach a preemption point and write the value they
/// read plus one: a switch at that point loses an increment, and the program panics with
/// "lost update" (the benchmark's B2 for two tasks).
pub async fn lost_update(n: usize) {
    lost_update_with(n, || async {}).await;
}

/// [`lost_update`] of two tasks, as a function a `Check` can take.
pub async fn two() {
    lost_update(2).await;
}

/// [`lost_update`], with `between()` awaited by each task between its preemption point and its
/// write (a draw from `sim::rand`, a sleep): the same bug in a program that does more.
pub async fn lost_update_with<F, Fut>(n: usize, between: F)
where
    F: Fn() -> Fut + Clone + 'static,
    Fut: Future<Output = ()>,
{
    let c = Rc::new(Cell::new(0));
    let hs: Vec<_> = (0..n)
        .map(|_| {
            let (c, between) = (c.clone(), between.clone());
            sim::spawn(async move {
                let x = c.get();
                sim::task::maybe_yield().await;
                between().await;
                c.set(x + 1);
            })
        })
        .collect();
    for h in hs {
        h.await.unwrap();
    }
    assert_eq!(c.get(), n, "lost update");
}

/// A check that reads no environment and keeps no regressions file: what a test of the harness
/// itself needs, so that neither the developer's `SEEDLOOP_*` variables nor saved tokens change
/// its result.
pub fn quiet() -> Check {
    Check::new().env(Env::empty()).no_regressions()
}

/// The message `f` panics with (a failing check's report, an error about bad input).
///
/// # Panics
/// When `f` returns instead.
pub fn panic_text(f: impl FnOnce()) -> String {
    let p = catch_unwind(AssertUnwindSafe(f)).expect_err("should panic");
    match p.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p.downcast_ref::<&str>().unwrap().to_string(),
    }
}

/// An empty scratch directory of this process named by `tag` (not created: the code under test
/// creates it).
pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("seedloop-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The replay tokens' base32 alphabet.
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// `bytes` in the tokens' base32, without padding.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The bytes of a base32 text made by [`base32`].
///
/// # Panics
/// On a character outside the alphabet.
pub fn unbase32(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// A token's checksum of its payload: FNV-1a, eight base32 characters.
fn checksum(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (0..8)
        .map(|i| ALPHABET[((h >> (5 * i)) & 31) as usize] as char)
        .collect()
}

/// `<prefix>.<payload>.<checksum>` with a valid checksum, as the token format defines it, so
/// that a crafted payload reaches the decoder (`prefix` is `sl2` for today's tokens).
pub fn seal(prefix: &str, payload: &[u8]) -> String {
    format!("{prefix}.{}.{}", base32(payload), checksum(payload))
}
