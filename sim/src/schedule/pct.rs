//! Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
//!
//! Every task gets a random priority when it is first seen; the highest-priority runnable task
//! always runs, and a preemption point switches exactly when a higher-priority task is runnable.
//! `depth − 1` *change points* are drawn uniformly among the first `k` counted points of the
//! run; at a change point the task that is running (or just ran) drops below every task. A bug of
//! depth `d` among `n` tasks and `k` points is then found with probability at least
//! `1 / (n · k^(d−1))` per run, so `k` should count only the points where a change can matter.
//!
//! **What counts as a point** ([`Points`]): every time the executor consults the strategy about a
//! task (a `Run` or `Preempt` decision of the recorded [`super::Schedule`]), except where a
//! demotion could change nothing or would undo the switch that just happened:
//!
//! - a scheduling point right after the task that ran *ended*: there is nobody to demote (the
//!   executor tells the scheduler through [`Scheduler::on_end`]);
//! - the first preemption point of a task that PCT has just switched to at a preemption point:
//!   demoting it there, before it performed the operation it was switched in for, undoes the
//!   switch; the change lands on the next counted point instead.
//!
//! The first scheduling point demotes main (which ran first, without a decision). `k` itself is
//! learned: [`super::Strategy::learned`] runs the program once under Fifo while a [`Learner`]
//! counts the same points.
//!
//! **Yields keep priority.** A task that suspends with `yield_now` (or any self-wake) stays the
//! highest-priority task, so a bug whose window is a yield is explored like any other step
//! (lowering priority on yield makes "task X runs while Y is inside its yield window" unreachable
//! at depth 1). The cost is spin loops: a top-priority task spinning on `yield_now` until another
//! task acts would spin forever. So a task chosen [`DEFAULT_SPIN_LIMIT`] (32) times in a row, at
//! scheduling points where another task was runnable, is taken to be spinning and drops below
//! every task, exactly like at a change point, but without using one of the `depth − 1` changes.
//! Tasks that yield fewer times in a row than that (the benchmark's bug B6 yields 20 times) are
//! explored exactly as PCT prescribes; a spin loop wastes at most 32 polls per demotion, so main
//! spinning until four one-step workers finish completes in under 50 steps (SEMANTICS case 45).
//! The alternative of deprioritising a yielded task for one scheduling point would hide B6: its
//! long task would hand over to main at its first yield.
//!
//! Ties between simultaneous events ([`Scheduler::choose_branch`]) and the dropping of cancellable
//! futures (as under Random, see `cancel`) are drawn at random from the seed's scheduling
//! stream; values come from the value stream, as under every strategy.

use std::cell::Cell;
use std::rc::Rc;

use super::cancel::CancelChance;
use super::{Choice, Runnable, Scheduler, ValueStream};
use crate::model::TaskId;
use crate::rt::Stream;

/// The number of scheduling points change points are spread over when nothing was learned (a
/// [`crate::Sim`] run on its own cannot run the program twice; the harness learns `k`).
pub const DEFAULT_PCT_STEPS: u64 = 64;

/// Consecutive self-wakes after which a top-priority task is treated as a spin loop.
pub const DEFAULT_SPIN_LIMIT: u32 = 32;

/// Initial priorities live above this value; demoted tasks get values below it, each demotion
/// lower than the last.
const BAND: u64 = 1 << 32;

fn slot(task: TaskId) -> usize {
    usize::try_from(task.as_u64()).expect("task ids fit in usize")
}

/// Which points PCT counts toward `k`, shared by the scheduler and the Fifo run that learns `k`,
/// so that both count the same points.
#[derive(Default)]
pub(crate) struct Points {
    /// Points counted so far.
    counted: u64,
    /// Tasks that ended, by id.
    ended: Vec<bool>,
}

impl Points {
    /// A scheduling point after `last` ran: counted unless `last` ended.
    fn at_task(&mut self, last: TaskId) -> bool {
        let live = !self.ended.get(slot(last)).copied().unwrap_or(false);
        self.counted += u64::from(live);
        live
    }

    /// A preemption point: counted unless it is the first one of a task just switched to.
    fn at_preemption(&mut self, just_switched_to: bool) -> bool {
        self.counted += u64::from(!just_switched_to);
        !just_switched_to
    }

    fn end(&mut self, task: TaskId) {
        let i = slot(task);
        if self.ended.len() <= i {
            self.ended.resize(i + 1, false);
        }
        self.ended[i] = true;
    }
}

pub(crate) struct Pct {
    rng: ValueStream,
    /// Priority of each task, indexed by task id; `None` until first seen.
    priority: Vec<Option<u64>>,
    /// Counted points in increasing order at which the running task is demoted.
    change_points: Vec<u64>,
    points: Points,
    /// The next priority a demoted task gets (decreasing).
    next_low: u64,
    /// The task this scheduler last chose (main before any choice), with the number of the poll
    /// it got; and how many times in a row it was chosen again right after that poll (it woke
    /// itself: a yield).
    last: (TaskId, u64),
    streak: u32,
    spin_limit: u32,
    /// The task PCT switched to at a preemption point, with the poll it runs in.
    switched_to: Option<(TaskId, u64)>,
    cancel: CancelChance,
}

impl Pct {
    pub(crate) fn new(seed: u64, depth: u32, steps: u64) -> Self {
        let mut rng = ValueStream::seeded(seed, Stream::Schedule);
        let steps = steps.max(1);
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
            points: Points::default(),
            next_low: BAND - 1,
            last: (TaskId::MAIN, 1),
            streak: 0,
            spin_limit: DEFAULT_SPIN_LIMIT,
            switched_to: None,
            cancel: CancelChance::default(),
        }
    }

    fn priority(&mut self, task: TaskId) -> u64 {
        let i = slot(task);
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
        self.priority[slot(task)] = Some(low);
    }

    /// A counted point: demotes `running` if it is a change point.
    fn tick(&mut self, running: TaskId) {
        let at = self.points.counted;
        while self.change_points.first() == Some(&at) {
            self.change_points.remove(0);
            self.demote(running);
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
        let (prev, poll) = self.last;
        if self.points.at_task(prev) {
            self.tick(prev);
        }
        let mut i = self.highest(&runnable);
        let chosen = runnable.get(i);
        if chosen == prev && poll == runnable.step() {
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
        self.last = (runnable.get(i), runnable.step() + 1);
        Ok(i)
    }

    fn choose_preemption(
        &mut self,
        current: TaskId,
        runnable: Runnable<'_>,
    ) -> Choice<Option<usize>> {
        let fresh = self.switched_to.take() == Some((current, runnable.step()));
        if self.points.at_preemption(fresh) {
            self.tick(current);
        }
        let i = self.highest(&runnable);
        let other = runnable.get(i);
        if self.priority(other) > self.priority(current) {
            self.last = (other, runnable.step() + 1);
            self.switched_to = Some(self.last);
            self.streak = 0;
            Ok(Some(i))
        } else {
            Ok(None)
        }
    }

    fn choose_branch(&mut self, of: u32) -> Choice<u32> {
        Ok(self.rng.below(u64::from(of)) as u32)
    }

    fn choose_cancel(&mut self, _: TaskId, _: u32) -> Choice<bool> {
        Ok(self.cancel.decide(&mut self.rng))
    }

    fn on_spawn(&mut self, task: TaskId) {
        // Main is never announced; give it its priority before its first child.
        self.priority(TaskId::MAIN);
        self.priority(task);
    }

    fn on_end(&mut self, task: TaskId) {
        self.points.end(task);
    }
}

/// Fifo, counting the points PCT counts: the run [`super::Strategy::learned`] takes `k` from.
pub(crate) struct Learner {
    points: Points,
    last: TaskId,
    /// Where the count is published as the run goes (the run owns the scheduler).
    out: Rc<Cell<u64>>,
}

impl Learner {
    pub(crate) fn new(out: Rc<Cell<u64>>) -> Self {
        Learner {
            points: Points::default(),
            last: TaskId::MAIN,
            out,
        }
    }
}

impl Scheduler for Learner {
    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize> {
        self.points.at_task(self.last);
        self.out.set(self.points.counted);
        self.last = runnable.get(0);
        Ok(0)
    }

    fn choose_preemption(&mut self, _: TaskId, _: Runnable<'_>) -> Choice<Option<usize>> {
        self.points.at_preemption(false);
        self.out.set(self.points.counted);
        Ok(None)
    }

    fn choose_branch(&mut self, _of: u32) -> Choice<u32> {
        Ok(0)
    }

    fn on_end(&mut self, task: TaskId) {
        self.points.end(task);
    }
}
