//! Uniform seeded choice.

use super::{Choice, Runnable, Scheduler, ValueStream};
use crate::model::TaskId;
use crate::rt::Stream;

/// Every option equally likely, drawn from the seed's scheduling stream.
pub(crate) struct RandomScheduler {
    rng: ValueStream,
}

impl RandomScheduler {
    pub(crate) fn new(seed: u64) -> Self {
        RandomScheduler {
            rng: ValueStream::seeded(seed, Stream::Schedule),
        }
    }

    fn below(&mut self, n: usize) -> usize {
        self.rng.below(n as u64) as usize
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
