//! Seeded random streams. One seed feeds independent ChaCha8 streams, one per purpose, so a new
//! consumer of randomness (say, a fault injector) does not shift the values another one sees.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// The stream a scheduling strategy draws its choices from.
pub const STREAM_SCHEDULE: u64 = 0;
/// The stream user-visible random values (`sim::rand`) come from.
pub const STREAM_VALUES: u64 = 1;
/// The stream injected faults (lost packets, drawn latencies, lost unsynced writes) come from, so
/// turning a fault on does not shift the values user code sees.
pub const STREAM_FAULTS: u64 = 2;

/// A ChaCha8 generator for `stream` of `seed`.
///
/// The seed is expanded to a 256-bit key with SplitMix64, written out here rather than borrowed
/// from `rand_core::SeedableRng::seed_from_u64`, so the expansion can never change under us and a
/// seed printed today replays the same run next year.
///
/// ```
/// use rand_core::Rng;
/// let mut a = sim::schedule::seeded_rng(7, 0);
/// let mut b = sim::schedule::seeded_rng(7, 0);
/// let mut c = sim::schedule::seeded_rng(7, 1);
/// let x = a.next_u64();
/// assert_eq!(x, b.next_u64());
/// assert_ne!(x, c.next_u64());
/// ```
pub fn seeded_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut state = seed;
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(stream);
    rng
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform value in `0..bound` (`bound == 0` means the whole `u64` range), without modulo bias
/// (Lemire's widening multiply with rejection).
pub fn uniform_below(rng: &mut ChaCha8Rng, bound: u64) -> u64 {
    if bound == 0 {
        return rng.next_u64();
    }
    let threshold = bound.wrapping_neg() % bound;
    loop {
        let m = u128::from(rng.next_u64()) * u128::from(bound);
        if (m as u64) >= threshold {
            return (m >> 64) as u64;
        }
    }
}
