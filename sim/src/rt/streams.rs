//! Seeded random streams. One seed feeds independent ChaCha8 streams, one per purpose, so a new
//! consumer of randomness (say, a fault injector) does not shift the values another one sees.
//!
//! The generator is an implementation detail: strategies see a [`ValueStream`], whose only
//! operation is a uniform draw, so the algorithm behind it can change without breaking them.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// The purposes a run draws randomness for, each its own stream of the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    /// A scheduling strategy's own choices.
    Schedule = 0,
    /// The values user code asks for (`sim::rand`).
    Values = 1,
    /// Injected faults (lost packets, drawn latencies, lost unsynced writes), so turning a
    /// fault on does not shift the values user code sees.
    Faults = 2,
}

/// A stream of seeded random values: what a [`Scheduler`](crate::schedule::Scheduler) draws
/// from in [`choose_value`](crate::schedule::Scheduler::choose_value) (and the built-in
/// strategies for their own choices).
///
/// ```
/// use sim::schedule::{Choice, Runnable, Scheduler, ValueStream};
/// use sim::task::TaskId;
///
/// /// Fifo order, but every random value is drawn twice and the second kept.
/// struct Twice;
/// impl Scheduler for Twice {
///     fn choose_task(&mut self, _: Runnable<'_>) -> Choice<usize> { Ok(0) }
///     fn choose_preemption(&mut self, _: TaskId, _: Runnable<'_>) -> Choice<Option<usize>> { Ok(None) }
///     fn choose_branch(&mut self, _: u32) -> Choice<u32> { Ok(0) }
///     fn choose_value(&mut self, bound: u64, values: &mut ValueStream) -> Choice<u64> {
///         values.below(bound);
///         Ok(values.below(bound))
///     }
/// }
/// let mut sim = sim::Sim::builder().strategy(sim::Strategy::custom("twice", |_| Twice)).build();
/// let v = sim.run(async { sim::rand::range(0..10u64) }).unwrap();
/// assert!(v < 10);
/// ```
pub struct ValueStream {
    rng: ChaCha8Rng,
    /// The generator's next [`WORDS`] 64-bit values, taken from it in one block (the values
    /// `next_u64` would have returned one by one, in the same order), as the generator's
    /// little-endian bytes: it fills them in place.
    buf: [[u8; 8]; WORDS],
    /// Values of `buf` already drawn ([`WORDS`]: none left).
    used: usize,
}

/// 64-bit values a [`ValueStream`] takes from its generator at a time: the 256 bytes ChaCha8
/// computes at once (four blocks), so a refill is exactly one block computation.
const WORDS: usize = 32;

impl ValueStream {
    /// Stream `stream` of `seed`.
    pub(crate) fn seeded(seed: u64, stream: Stream) -> Self {
        ValueStream {
            rng: seeded_rng(seed, stream as u64),
            buf: [[0; 8]; WORDS],
            used: WORDS,
        }
    }

    /// Makes this stream `stream` of `seed`, as [`ValueStream::seeded`] makes it, in place (a
    /// stream is a few hundred bytes: a sweep reseeding its scheduler's stream for every run
    /// need not build and move a new one).
    pub(crate) fn reseed(&mut self, seed: u64, stream: Stream) {
        self.rng = seeded_rng(seed, stream as u64);
        // The values left in the buffer are never read: a refill overwrites them first.
        self.used = WORDS;
    }

    /// A uniform value in `0..bound` (`bound == 0` means the whole `u64` range), without modulo
    /// bias.
    #[inline]
    pub fn below(&mut self, bound: u64) -> u64 {
        uniform_below(self, bound)
    }

    /// The generator's next 64-bit value: `ChaCha8Rng::next_u64`, read from the buffer.
    #[inline]
    fn next_u64(&mut self) -> u64 {
        if self.used >= WORDS {
            self.refill();
        }
        let value = u64::from_le_bytes(self.buf[self.used % WORDS]);
        self.used += 1;
        value
    }

    /// Takes the generator's next [`WORDS`] values. The generator is only ever read here, whole
    /// buffers at a time, so its own buffer is always spent and `fill_bytes` hands out exactly
    /// the words `next_u64` would have paired (low word first), from one block computation,
    /// straight into the buffer.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) {
        self.rng.fill_bytes(self.buf.as_flattened_mut());
        self.used = 0;
    }
}

impl std::fmt::Debug for ValueStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ValueStream")
    }
}

/// A ChaCha8 generator for `stream` of `seed`.
///
/// The seed is expanded to a 256-bit key with SplitMix64, written out here rather than borrowed
/// from `rand_core::SeedableRng::seed_from_u64`, so the expansion can never change under us and a
/// seed printed today replays the same run next year.
fn seeded_rng(seed: u64, stream: u64) -> ChaCha8Rng {
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

/// Lemire's widening multiply with rejection. The rejection threshold (`2^64 mod bound`, a
/// 64-bit division) is below `bound`, so it is computed only when the low half of the product
/// falls below `bound`: almost never for the small bounds of scheduling. The values drawn are
/// exactly those of computing it every time.
#[inline(always)]
fn uniform_below(rng: &mut ValueStream, bound: u64) -> u64 {
    if bound == 0 {
        return rng.next_u64();
    }
    let mut m = u128::from(rng.next_u64()) * u128::from(bound);
    if (m as u64) < bound {
        let threshold = bound.wrapping_neg() % bound;
        while (m as u64) < threshold {
            m = u128::from(rng.next_u64()) * u128::from(bound);
        }
    }
    (m >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_of_one_seed_are_reproducible_and_independent() {
        let mut a = ValueStream::seeded(7, Stream::Schedule);
        let mut b = ValueStream::seeded(7, Stream::Schedule);
        let mut c = ValueStream::seeded(7, Stream::Values);
        let x = a.below(0);
        assert_eq!(x, b.below(0));
        assert_ne!(x, c.below(0));
        for bound in [1, 2, 3, 1000] {
            assert!(a.below(bound) < bound);
        }
    }

    /// The draw as first written (the threshold computed at every draw): the lazy one must
    /// give the same values, or every recorded seed would replay differently.
    fn eager_below(rng: &mut ChaCha8Rng, bound: u64) -> u64 {
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

    /// The buffered stream hands out exactly the generator's own `next_u64` values, across many
    /// refills, in every stream: a recorded seed replays the same run.
    #[test]
    fn buffered_draws_are_the_generators_own_values() {
        for (stream, id) in [
            (Stream::Schedule, 0),
            (Stream::Values, 1),
            (Stream::Faults, 2),
        ] {
            for seed in [0, 1, 42, u64::MAX] {
                let mut buffered = ValueStream::seeded(seed, stream);
                let mut plain = seeded_rng(seed, id);
                for i in 0..(WORDS * 7 + 5) {
                    assert_eq!(
                        buffered.below(0),
                        plain.next_u64(),
                        "seed {seed}, stream {id}, draw {i}"
                    );
                }
            }
        }
    }

    /// A stream reseeded in place, whatever it drew before (part of a buffer, several), draws
    /// what a new stream of that seed does.
    #[test]
    fn a_reseeded_stream_draws_what_a_new_one_does() {
        let mut reused = ValueStream::seeded(9, Stream::Values);
        for (drawn, seed, stream) in [
            (0, 1, Stream::Schedule),
            (3, 2, Stream::Schedule),
            (WORDS, 3, Stream::Faults),
            (WORDS * 2 + 7, u64::MAX, Stream::Values),
        ] {
            for _ in 0..drawn {
                reused.below(0);
            }
            reused.reseed(seed, stream);
            let mut fresh = ValueStream::seeded(seed, stream);
            for i in 0..(WORDS * 3 + 1) {
                assert_eq!(reused.below(0), fresh.below(0), "seed {seed}, draw {i}");
            }
        }
    }

    #[test]
    fn the_lazy_threshold_draws_what_the_eager_one_did() {
        // Bounds near 2^64 reject often, so both paths of the lazy draw are taken.
        let bounds = [
            0,
            1,
            2,
            3,
            7,
            1000,
            (1 << 63) + 1,
            u64::MAX - 1,
            u64::MAX / 3 * 2,
        ];
        for seed in 0..4 {
            let mut lazy = ValueStream::seeded(seed, Stream::Schedule);
            let mut eager = seeded_rng(seed, 0);
            for i in 0..20_000 {
                let bound = bounds[i % bounds.len()];
                assert_eq!(
                    lazy.below(bound),
                    eager_below(&mut eager, bound),
                    "seed {seed}, draw {i}, bound {bound}"
                );
            }
        }
    }
}
