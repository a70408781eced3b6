//! How often an exploring strategy drops a cancellable future at an await.
//!
//! Each run draws its own chance `c`, uniformly in `[0, 1/2]`, the first time a cancellable
//! future suspends; at every await of such a future the strategy then cancels with probability
//! `c`. Runs spread from hardly ever cancelling (so the program's other bugs are explored, and a
//! long-lived future gets to its late awaits) to cancelling at the first or second await; a
//! future with `m` awaits is left alone in `E[(1 − c)^m]` of the runs (a quarter for `m = 7`).

use super::ValueStream;

/// The chance is a fraction of this.
const ONE: u64 = 1 << 32;

/// A per-run chance of cancelling, drawn on first use.
#[derive(Default)]
pub(crate) struct CancelChance {
    chance: Option<u64>,
}

impl CancelChance {
    /// Whether to drop the cancellable future at this await.
    pub(crate) fn decide(&mut self, rng: &mut ValueStream) -> bool {
        let chance = *self.chance.get_or_insert_with(|| rng.below(ONE / 2 + 1));
        rng.below(ONE) < chance
    }
}
