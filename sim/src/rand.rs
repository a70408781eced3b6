//! Seeded randomness for the program under test.
//!
//! Every value is a recorded decision drawn from the run's value stream (independent of the
//! scheduling stream), so a replay reproduces it and the same seed gives the same values. Never
//! use `rand::thread_rng` or other OS randomness in simulated code: the run would stop being
//! reproducible.
//!
//! ```
//! let mut sim = sim::Sim::new(9);
//! let a = sim.run(async { (sim::rand::random::<u64>(), sim::rand::range(1..=6)) }).unwrap();
//! let b = sim.run(async { (sim::rand::random::<u64>(), sim::rand::range(1..=6)) }).unwrap();
//! assert_eq!(a, b);
//! assert!((1..=6).contains(&a.1));
//! ```

use std::convert::Infallible;
use std::ops::{Bound, RangeBounds};

use crate::rt::{context, primitives};

/// Types [`random`] can produce.
pub trait Random: Sized {
    /// Builds a value from a uniform `u64`.
    fn from_u64(v: u64) -> Self;
}

macro_rules! random_int {
    ($($t:ty),*) => {$(
        impl Random for $t {
            #[allow(clippy::cast_possible_truncation, reason = "truncating a uniform u64 keeps it uniform")]
            fn from_u64(v: u64) -> Self { v as $t }
        }
    )*};
}
random_int!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl Random for bool {
    fn from_u64(v: u64) -> Self {
        v & 1 == 1
    }
}

impl Random for f64 {
    /// Uniform in `[0, 1)`, 53 bits.
    fn from_u64(v: u64) -> Self {
        (v >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// A uniformly random value of `T`.
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn random<T: Random>() -> T {
    T::from_u64(draw("sim::rand::random", 0))
}

/// A uniform value in `range` (any integer range; it must not be empty).
///
/// # Panics
/// Outside a simulation, or when the range is empty.
#[track_caller]
pub fn range<R: RangeBounds<u64>>(range: R) -> u64 {
    let lo = match range.start_bound() {
        Bound::Included(&x) => x,
        Bound::Excluded(&x) => x.checked_add(1).expect("sim::rand::range: empty range"),
        Bound::Unbounded => 0,
    };
    let hi = match range.end_bound() {
        Bound::Included(&x) => Some(x),
        Bound::Excluded(&x) => Some(x.checked_sub(1).expect("sim::rand::range: empty range")),
        Bound::Unbounded => None,
    };
    let hi = hi.unwrap_or(u64::MAX);
    assert!(lo <= hi, "sim::rand::range: empty range {lo}..={hi}");
    let span = (hi - lo).wrapping_add(1); // 0 means the full u64 range
    lo + draw("sim::rand::range", span)
}

/// True with probability `p` (clamped to `[0, 1]`).
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn bool_with(p: f64) -> bool {
    f64::from_u64(draw("sim::rand::bool_with", 0)) < p
}

/// A uniformly chosen element, `None` for an empty slice.
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn choose<T>(items: &[T]) -> Option<&T> {
    context::with("sim::rand::choose", |_| ());
    if items.is_empty() {
        return None;
    }
    let i = draw("sim::rand::choose", items.len() as u64);
    items.get(usize::try_from(i).ok()?)
}

/// Shuffles `items` uniformly (Fisher–Yates).
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn shuffle<T>(items: &mut [T]) {
    context::with("sim::rand::shuffle", |_| ());
    for i in (1..items.len()).rev() {
        let j = draw("sim::rand::shuffle", i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

#[track_caller]
fn draw(api: &str, bound: u64) -> u64 {
    primitives::value(api, bound)
}

/// A `rand_core` generator backed by the simulation, for crates that take an `Rng`
/// (every `next_u64` is a recorded decision).
///
/// ```
/// use rand_core::Rng;
/// let mut sim = sim::Sim::new(1);
/// let x = sim.run(async { sim::rand::SimRng.next_u64() }).unwrap();
/// let y = sim.run(async { sim::rand::SimRng.next_u64() }).unwrap();
/// assert_eq!(x, y);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SimRng;

impl rand_core::TryRng for SimRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(u32::from_u64(draw("sim::rand::SimRng", 0)))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(draw("sim::rand::SimRng", 0))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = draw("sim::rand::SimRng", 0).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}
