//! Uniform seeded choice.

use rand_chacha::ChaCha8Rng;

use super::{Choice, Runnable, STREAM_SCHEDULE, Scheduler, seeded_rng, uniform_below};
use crate::task::TaskId;

/// Every option equally likely, drawn from the seed's scheduling stream.
pub(crate) struct RandomScheduler {
    rng: ChaCha8Rng,
}

impl RandomScheduler {
    pub(crate) fn new(seed: u64) -> Self {
        RandomScheduler {
            rng: seeded_rng(seed, STREAM_SCHEDULE),
        }
    }

    fn below(&mut self, n: usize) -> usize {
        uniform_below(&mut self.rng, n as u64) as usize
    }
}

impl Scheduler for RandomScheduler {
    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize> {
        Ok(self.below(runnable.len()))
    }

    fn choose_preemption(&mut self, _: TaskId, runnable: Runnable<'_>) -> Choice<Option<usize>> {
        // Option 0 keeps the current task; option i+1 switches to runnable task i.
        Ok(self.below(runnable.len() + 1).checked_sub(1))
    }

    fn choose_branch(&mut self, of: u32) -> Choice<u32> {
        Ok(self.below(of as usize) as u32)
    }
}
