//! The scheduler interface: the oracle the run asks at every choice.
//!
//! The run asks its [`Scheduler`] five kinds of question and records every answer that had more
//! than one option as a [`Decision`](crate::model::Decision). Strategies (`crate::schedule`)
//! implement it; the run receives one ready-built, and knows nothing of how it was chosen.

use super::ValueStream;
use super::ready::{ReadyQueue, TaskKey};
use crate::model::{Divergence, IdMap, Known, TaskId};

/// The runnable tasks at a scheduling point, in the executor's canonical order (the order they
/// became runnable, perturbed only by earlier non-default choices). Index 0 is the FIFO choice.
#[derive(Clone, Copy)]
pub struct Runnable<'a> {
    queue: &'a ReadyQueue,
    /// The run's tasks by id, with their slots (the queue finds its tasks by slot).
    tasks: &'a IdMap<Known>,
    step: u64,
}

impl<'a> Runnable<'a> {
    pub(crate) fn new(queue: &'a ReadyQueue, tasks: &'a IdMap<Known>, step: u64) -> Self {
        Runnable { queue, tasks, step }
    }

    /// How many tasks are runnable.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// True when no task is runnable (never the case when a strategy is asked to choose a task).
    pub fn is_empty(&self) -> bool {
        self.queue.len() == 0
    }

    /// The `i`-th runnable task.
    pub fn get(&self, i: usize) -> TaskId {
        self.queue.get(i).id()
    }

    /// All runnable tasks in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = TaskId> + 'a {
        self.queue.iter().map(|k| k.id())
    }

    /// Index of `task` among the runnable tasks (constant time).
    pub fn position(&self, task: TaskId) -> Option<usize> {
        let slot = self.tasks.get(task.as_u64())?.slot;
        self.queue.position(TaskKey::new(slot, task))
    }

    /// The number of task polls so far in this run (the step about to be taken is `step() + 1`).
    pub fn step(&self) -> u64 {
        self.step
    }
}

/// The result of a scheduler's choice: only replay can fail.
pub type Choice<T> = Result<T, Divergence>;

/// The source of every decision in a run. One value serves one run.
///
/// Implement it to plug in an exploration technique; [`Strategy::custom`](crate::Strategy::custom) wraps it. Each method
/// is called only when there is more than one option.
pub trait Scheduler {
    /// Picks which runnable task to poll next; returns an index into `runnable`.
    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize>;

    /// At a preemption point of `current`: `None` continues it, `Some(i)` switches to
    /// `runnable.get(i)` (the current task then becomes runnable again).
    fn choose_preemption(
        &mut self,
        current: TaskId,
        runnable: Runnable<'_>,
    ) -> Choice<Option<usize>>;

    /// Breaks a tie among `of` simultaneous events; 0 is the default (documented) order.
    fn choose_branch(&mut self, of: u32) -> Choice<u32>;

    /// At an await of a future that `current` marked cancellable (`sim::task::cancellable`):
    /// `true` drops the future there. `suspension` counts the future's earlier suspensions (0 at
    /// its first await), so a new cancellable future starts at 0. The default keeps it (Fifo's
    /// choice), so a strategy that does not know cancellation never cancels.
    fn choose_cancel(&mut self, _current: TaskId, _suspension: u32) -> Choice<bool> {
        Ok(false)
    }

    /// Draws a random value in `0..bound` (`bound == 0`: any `u64`) for user code. `values` is the
    /// run's value stream, independent of scheduling; most strategies just draw from it.
    fn choose_value(&mut self, bound: u64, values: &mut ValueStream) -> Choice<u64> {
        Ok(values.below(bound))
    }

    /// A task was spawned (before it is first runnable).
    fn on_spawn(&mut self, _task: TaskId) {}

    /// A spawned task ended (returned, panicked or was aborted): it will never run again.
    fn on_end(&mut self, _task: TaskId) {}

    /// Main returned; a replaying scheduler reports decisions it never got to use (the program
    /// took fewer decisions than were recorded, so it changed).
    fn finish(&mut self) -> Choice<()> {
        Ok(())
    }

    /// Makes this scheduler, which served a run, the one its strategy would build for `seed`,
    /// in place; returns false (the default) when it cannot, and the strategy then builds a
    /// fresh one. Only the built-in strategies call it, on schedulers they built themselves: a
    /// sweep over seeds on one [`Sim`](crate::Sim) then makes no scheduler per run.
    ///
    /// ```
    /// use sim::schedule::{Choice, Runnable, Scheduler};
    /// use sim::task::TaskId;
    /// struct First;
    /// impl Scheduler for First {
    ///     fn choose_task(&mut self, _: Runnable<'_>) -> Choice<usize> { Ok(0) }
    ///     fn choose_preemption(&mut self, _: TaskId, _: Runnable<'_>) -> Choice<Option<usize>> {
    ///         Ok(None)
    ///     }
    ///     fn choose_branch(&mut self, _: u32) -> Choice<u32> { Ok(0) }
    /// }
    /// assert!(!First.reseed(7));
    /// ```
    fn reseed(&mut self, _seed: u64) -> bool {
        false
    }
}
