//! Seeded random choice, with a per-run taste for switching.
//!
//! At a scheduling point every runnable task is equally likely. At a preemption point the
//! choice is weighted: "continue" weighs `s` and a switch to each runnable task `1 − s`, where the
//! *stickiness* `s` is drawn once per run. `s = 1/2` would be the uniform choice among the
//! options; drawing it per run spreads runs from nearly round-robin at every operation (`s` near
//! 0, what atomicity violations such as a lost update or a lock-order inversion need) to nearly
//! run-until-suspended (`s` near 1, what "one task does many steps while another waits" needs).
//! `s` is the smaller of two uniform draws (density `2(1 − s)`, mean 1/3): a switch before an
//! operation is what most bugs need, yet a long uninterrupted run keeps about the chance it has
//! under the uniform choice.
//!
//! A task switched to at a preemption point almost always performs its next operation before
//! it can be switched away again (at its first preemption point it switches with an eighth of
//! the usual probability): switching straight back undoes the switch before the task did
//! anything but the code up to that point. Under the uniform choice that undo costs ABBA (bug B5)
//! one run in four; it stays possible, so every schedule keeps a chance.
//!
//! A future marked cancellable is dropped at an await with a per-run chance (see `cancel`).

use super::cancel::CancelChance;
use super::{Choice, Runnable, Scheduler, ValueStream};
use crate::model::TaskId;
use crate::rt::Stream;

/// Stickiness is a fraction of this.
const ONE: u64 = 1 << 32;

/// At the first preemption point of a task just switched to, a switch is considered once in
/// this many times.
const UNDO: u64 = 8;

/// Seeded choices, drawn from the seed's scheduling stream.
pub(crate) struct RandomScheduler {
    rng: ValueStream,
    /// The weight of "continue" at a preemption point, out of [`ONE`]; each runnable task
    /// weighs `ONE - stickiness`.
    stickiness: u64,
    /// The task this scheduler switched to at a preemption point, with the poll it runs in.
    switched_to: Option<(TaskId, u64)>,
    cancel: CancelChance,
}

impl RandomScheduler {
    pub(crate) fn new(seed: u64) -> Self {
        let mut rng = ValueStream::seeded(seed, Stream::Schedule);
        let stickiness = draw_stickiness(&mut rng);
        RandomScheduler {
            rng,
            stickiness,
            switched_to: None,
            cancel: CancelChance::default(),
        }
    }

    #[inline]
    fn below(&mut self, n: usize) -> usize {
        self.rng.below(n as u64) as usize
    }

    /// Whether to switch at a preemption point with `others` runnable tasks.
    fn switches(&mut self, others: usize) -> bool {
        let stay = self.stickiness;
        let go = (ONE - stay).saturating_mul(others as u64);
        self.rng.below(stay.saturating_add(go).max(1)) >= stay
    }
}

impl Scheduler for RandomScheduler {
    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize> {
        Ok(self.below(runnable.len()))
    }

    fn choose_preemption(
        &mut self,
        current: TaskId,
        runnable: Runnable<'_>,
    ) -> Choice<Option<usize>> {
        let just_switched_to = self.switched_to.take() == Some((current, runnable.step()));
        if just_switched_to && self.rng.below(UNDO) != 0 {
            return Ok(None);
        }
        if !self.switches(runnable.len()) {
            return Ok(None);
        }
        let i = self.below(runnable.len());
        self.switched_to = Some((runnable.get(i), runnable.step() + 1));
        Ok(Some(i))
    }

    fn choose_branch(&mut self, of: u32) -> Choice<u32> {
        Ok(self.below(of as usize) as u32)
    }

    fn choose_cancel(&mut self, _: TaskId, _: u32) -> Choice<bool> {
        Ok(self.cancel.decide(&mut self.rng))
    }

    /// Becomes what [`RandomScheduler::new`] makes, in place.
    fn reseed(&mut self, seed: u64) -> bool {
        let RandomScheduler {
            rng,
            stickiness,
            switched_to,
            cancel,
        } = self;
        rng.reseed(seed, Stream::Schedule);
        *stickiness = draw_stickiness(rng);
        *switched_to = None;
        *cancel = CancelChance::default();
        true
    }
}

/// A run's stickiness: the first draws of its stream.
fn draw_stickiness(rng: &mut ValueStream) -> u64 {
    rng.below(ONE + 1).min(rng.below(ONE + 1))
}
