//! asyncio's ready-queue order.

use super::{Choice, Runnable, Scheduler};
use crate::model::TaskId;

/// Oldest runnable first; never preempts; ties take the default.
pub(crate) struct Fifo;

impl Scheduler for Fifo {
    fn choose_task(&mut self, _runnable: Runnable<'_>) -> Choice<usize> {
        Ok(0)
    }

    fn choose_preemption(&mut self, _: TaskId, _: Runnable<'_>) -> Choice<Option<usize>> {
        Ok(None)
    }

    fn choose_branch(&mut self, _of: u32) -> Choice<u32> {
        Ok(0)
    }
}
