//! Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
//!
//! Every task gets a random priority when it is first seen; the highest-priority runnable task
//! always runs, and a preemption point switches exactly when a higher-priority task is runnable.
//! `depth − 1` *change points* are drawn uniformly among the first `k` scheduling points of the
//! run; at a change point the task that is running (or just ran) drops below every task. A bug of
//! depth `d` among `n` tasks and `k` points is then found with probability at least
//! `1 / (n · k^(d−1))` per run.
//!
//! **What counts as a point.** Every time the executor consults the strategy about a task
//! (`choose_task` or `choose_preemption`), i.e. every `Run` or `Preempt` decision of the
//! recorded [`super::Schedule`]. A Fifo run's `schedule().len()` (minus `Branch`/`Value`
//! decisions) is therefore a good `k` for [`super::Strategy::pct_with_steps`].
//!
//! **Yields keep priority.** A task that suspends with `yield_now` (or any self-wake) stays the
//! highest-priority task, so a bug whose window is a yield is explored like any other step
//! (lowering priority on yield makes "task X runs while Y is inside its yield window" unreachable
//! at depth 1). The cost is spin loops: a top-priority task spinning on `yield_now` until another
//! task acts would spin forever. So a task chosen [`DEFAULT_SPIN_LIMIT`] (32) times in a row, at
//! scheduling points where another task was runnable, is taken to be spinning and drops below
//! every task, exactly like at a change point, but without using one of the `depth − 1` changes.
//! Tasks that yield fewer times in a row than that (the benchmark's bug B6 yields 20 times) are explored
//! exactly as PCT prescribes; a spin loop wastes at most 32 polls per demotion, so main spinning
//! until four one-step workers finish completes in under 50 steps (SEMANTICS case 45). The
//! alternative of deprioritising a yielded task for one scheduling point would hide B6: its long
//! task would hand over to main at its first yield.
//!
//! Ties between simultaneous events ([`Scheduler::choose_branch`]) are drawn at random from the
//! seed's scheduling stream; values come from the value stream, as under every strategy.

use super::{Choice, Runnable, Scheduler, ValueStream};
use crate::model::TaskId;
use crate::rt::Stream;

/// The number of scheduling points change points are spread over when the caller gives none.
pub const DEFAULT_PCT_STEPS: u64 = 64;

/// Consecutive self-wakes after which a top-priority task is treated as a spin loop.
pub const DEFAULT_SPIN_LIMIT: u32 = 32;

/// Initial priorities live above this value; demoted tasks get values below it, each demotion
/// lower than the last.
const BAND: u64 = 1 << 32;

pub(crate) struct Pct {
    rng: ValueStream,
    /// Priority of each task, indexed by task id; `None` until first seen.
    priority: Vec<Option<u64>>,
    /// Scheduling points in increasing order at which the running task is demoted.
    change_points: Vec<u64>,
    /// Scheduling points seen so far.
    points: u64,
    /// The next priority a demoted task gets (decreasing).
    next_low: u64,
    /// The task this scheduler last chose, with the number of the poll it got; and how many
    /// times in a row it was chosen again right after that poll (it woke itself: a yield).
    last: Option<(TaskId, u64)>,
    streak: u32,
    spin_limit: u32,
}

impl Pct {
    pub(crate) fn new(seed: u64, depth: u32, steps: u64) -> Self {
        let mut rng = ValueStream::seeded(seed, Stream::Schedule);
        let changes = u64::from(depth.saturating_sub(1)).min(steps);
        // Distinct points in 1..=steps (Floyd's sampling keeps it exact and cheap).
        let mut change_points: Vec<u64> = Vec::new();
        for j in (steps - changes + 1)..=steps {
            let t = 1 + rng.below(j);
            if change_points.contains(&t) {
                change_points.push(j);
            } else {
                change_points.push(t);
            }
        }
        change_points.sort_unstable();
        Pct {
            rng,
            priority: Vec::new(),
            change_points,
            points: 0,
            next_low: BAND - 1,
            last: None,
            streak: 0,
            spin_limit: DEFAULT_SPIN_LIMIT,
        }
    }

    fn slot(task: TaskId) -> usize {
        usize::try_from(task.as_u64()).expect("task ids fit in usize")
    }

    fn priority(&mut self, task: TaskId) -> u64 {
        let i = Self::slot(task);
        if self.priority.len() <= i {
            self.priority.resize(i + 1, None);
        }
        if let Some(p) = self.priority[i] {
            return p;
        }
        // A uniform draw from the high band is a uniformly random rank among the initial
        // priorities (collisions are broken by task id, and have probability ~2⁻³²).
        let p = BAND + self.rng.below(u64::MAX - BAND);
        self.priority[i] = Some(p);
        p
    }

    fn demote(&mut self, task: TaskId) {
        self.priority(task);
        let low = self.next_low;
        self.next_low = self.next_low.saturating_sub(1);
        self.priority[Self::slot(task)] = Some(low);
    }

    /// Counts a scheduling point; demotes `running` if it is a change point.
    fn tick(&mut self, running: Option<TaskId>) {
        self.points += 1;
        while self.change_points.first() == Some(&self.points) {
            self.change_points.remove(0);
            if let Some(t) = running {
                self.demote(t);
            }
        }
    }

    /// Index of the highest-priority runnable task (ties: lower task id).
    fn highest(&mut self, runnable: &Runnable<'_>) -> usize {
        let mut best = 0;
        let mut best_key = (0, 0);
        for (i, t) in runnable.iter().enumerate() {
            let key = (self.priority(t), u64::MAX - t.as_u64());
            if i == 0 || key > best_key {
                best = i;
                best_key = key;
            }
        }
        best
    }
}

impl Scheduler for Pct {
    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize> {
        // A change point here demotes the task this scheduler last chose (a task that then ran
        // alone was never announced); a streak needs that task's poll to have been the last one.
        self.tick(self.last.map(|(t, _)| t));
        let last = self
            .last
            .filter(|&(_, poll)| poll == runnable.step())
            .map(|(t, _)| t);
        let mut i = self.highest(&runnable);
        let chosen = runnable.get(i);
        if Some(chosen) == last {
            self.streak += 1;
            if self.streak >= self.spin_limit {
                // Spinning on a yield at top priority: let the others run.
                self.demote(chosen);
                self.streak = 0;
                i = self.highest(&runnable);
            }
        } else {
            self.streak = 0;
        }
        self.last = Some((runnable.get(i), runnable.step() + 1));
        Ok(i)
    }

    fn choose_preemption(
        &mut self,
        current: TaskId,
        runnable: Runnable<'_>,
    ) -> Choice<Option<usize>> {
        self.tick(Some(current));
        let i = self.highest(&runnable);
        let other = runnable.get(i);
        if self.priority(other) > self.priority(current) {
            self.last = Some((other, runnable.step() + 1));
            self.streak = 0;
            Ok(Some(i))
        } else {
            Ok(None)
        }
    }

    fn choose_branch(&mut self, of: u32) -> Choice<u32> {
        Ok(self.rng.below(u64::from(of)) as u32)
    }

    fn on_spawn(&mut self, task: TaskId) {
        // Main is never announced; give it its priority before its first child.
        self.priority(TaskId::MAIN);
        self.priority(task);
    }
}
