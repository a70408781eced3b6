//! Shrinking a failing schedule to the simplest one that still fails the same way.
//!
//! ## What is measured
//!
//! A decision is *non-default* when it differs from what [`sim::Strategy::fifo`] would have
//! taken at that point: running a task other than the oldest runnable one, switching at a
//! preemption point, breaking a tie other than the documented way, a random value other than
//! the seed's stream gives. A *preemption* is the costly kind of non-default decision: switching
//! away, at a preemption point, from a task that could have continued (CHESS's and PCT's sense).
//! Choosing which task runs after the current one suspended (`.await` on something not ready,
//! `yield_now`, finishing) is a free context switch, not a preemption.
//!
//! A *cancellation* (a future marked [`sim::task::cancellable`] dropped at an await) is the
//! other costly kind. A schedule is simpler when it has fewer preemptions, then fewer
//! cancellations, then fewer non-default decisions, then fewer decisions in all; delta
//! debugging over the non-preemption decisions tries every cancellation away.
//!
//! ## How
//!
//! A candidate is a *plan*: the non-default decisions of a schedule, each keyed by where it is
//! taken (the n-th scheduling choice of the run, the n-th preemption point of a given task, the
//! n-th tie, the n-th random value); everything not in the plan takes the default. Keys make
//! edits local: removing one task's switch does not shift the positions of another's. A plan
//! runs under a lenient follower: a planned task that is not runnable is replaced by the
//! default (at scheduling points) or by the oldest runnable task (at a planned switch). A
//! candidate is kept when the run fails the same way ([`Failure::same_bug_as`]: the same kind and
//! message, up to the numbers in it) and is simpler; the
//! schedule the run actually took becomes the current one, so the result always replays exactly
//! under [`sim::Strategy::replay`]. Passes, repeated to a fixed point or until the budget of runs
//! is spent:
//!
//! 1. the all-default plan (the Fifo run);
//! 2. delta debugging over the preemptions: drop a chunk, or keep only a chunk, halving the chunk
//!    down to one;
//! 3. a preemption replaced by a free choice of the same task at one of the four scheduling
//!    points before it ("run T first" instead of "interrupt someone for T");
//! 4. delta debugging over the other non-default decisions;
//! 5. mirroring: drop a non-default scheduling choice (X run instead of D) and swap X and D in
//!    the rest of the plan, which turns a schedule of symmetric tasks into its default-order twin;
//! 6. each remaining preemption moved to the same task's next preemption point, when that still
//!    fails and is no more complex (switches end up next to the bug);
//! 7. when a round of passes gains nothing at `p` preemptions, a re-search:
//!    up to [`RESEARCH_RUNS`] runs with at most `p − 1` switches anywhere and random free
//!    choices; the first that fails the same bug restarts the passes from it. Editing the
//!    decisions a schedule has cannot reach a simpler schedule that switches where it does not.
//!
//! "The same bug" is the same kind of failure with the same message up to the numbers in it
//! ([`Failure::same_bug_as`]): the one-preemption schedule of B11 (two locks guard one counter)
//! reads another count than the ten-preemption run a random sweep found, and is the same bug.

mod follower;
mod passes;
mod research;

pub use research::RESEARCH_RUNS;

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use sim::schedule::{Decision, Schedule};
use sim::{RunOptions, Strategy, TraceLevel};

use crate::sweep::{Failure, TestOutput, run_once};
use follower::{Follower, Mark, Plan};

/// How many runs a shrink may take at most.
///
/// ```
/// let racy = || async {
///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
///     let other = sim::spawn({
///         let hits = hits.clone();
///         async move { let read = hits.get(); sim::task::maybe_yield().await; hits.set(read + 1) }
///     });
///     let read = hits.get();
///     sim::task::maybe_yield().await;
///     hits.set(read + 1);
///     other.await.unwrap();
///     assert_eq!(hits.get(), 2, "lost update");
/// };
/// let shrunk = harness::Check::new().no_regressions().explore(racy).shrunk.unwrap();
/// assert!(shrunk.runs <= harness::shrink::DEFAULT_SHRINK_BUDGET);
/// ```
pub const DEFAULT_SHRINK_BUDGET: u32 = 2_000;

/// Size of a schedule, as the shrinker orders them.
///
/// ```
/// use harness::shrink::Complexity;
/// // Ordered by preemptions first: one preemption is simpler than any schedule with two.
/// let one = Complexity { preemptions: 1, decisions: 900, ..Complexity::default() };
/// let two = Complexity { preemptions: 2, decisions: 3, ..Complexity::default() };
/// assert!(one < two);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Complexity {
    /// Switches at preemption points away from a task that could continue.
    pub preemptions: usize,
    /// Cancellable futures dropped at an await ([`sim::task::cancellable`]).
    pub cancellations: usize,
    /// Decisions other than the default (Fifo) choice, preemptions included.
    pub non_default: usize,
    /// Decisions in all.
    pub decisions: usize,
}

/// A schedule with its per-decision marks, known to fail.
#[derive(Clone, Debug)]
struct Candidate {
    schedule: Schedule,
    /// The schedule's decisions, decoded once.
    decisions: Vec<Decision>,
    marks: Vec<Mark>,
}

impl Candidate {
    fn complexity(&self) -> Complexity {
        Complexity {
            preemptions: self.marks.iter().filter(|m| m.preemption).count(),
            cancellations: self.marks.iter().filter(|m| m.is_cancellation()).count(),
            non_default: self.marks.iter().filter(|m| m.non_default).count(),
            decisions: self.schedule.len(),
        }
    }

    /// Positions of the non-default decisions that are (or are not) preemptions.
    fn non_default(&self, preemptions: bool) -> Vec<usize> {
        (0..self.marks.len())
            .filter(|&i| self.marks[i].non_default && self.marks[i].preemption == preemptions)
            .collect()
    }

    /// The plan that reproduces this run: its non-default decisions by key.
    fn plan(&self) -> Plan {
        self.marks
            .iter()
            .zip(&self.decisions)
            .filter(|(m, _)| m.non_default)
            .map(|(m, d)| (m.key, *d))
            .collect()
    }

    /// The plan without the decisions at `positions`.
    fn plan_without(&self, positions: &[usize]) -> Plan {
        let mut plan = self.plan();
        for &i in positions {
            plan.remove(&self.marks[i].key);
        }
        plan
    }
}

/// What a shrink produced.
///
/// ```
/// let shrunk = harness::Check::new().no_regressions().explore(|| async {
///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
///     let other = sim::spawn({
///         let hits = hits.clone();
///         async move { let read = hits.get(); sim::task::maybe_yield().await; hits.set(read + 1) }
///     });
///     let read = hits.get();
///     sim::task::maybe_yield().await;
///     hits.set(read + 1);
///     other.await.unwrap();
///     assert_eq!(hits.get(), 2, "lost update");
/// }).shrunk.unwrap();
/// assert!(shrunk.after <= shrunk.before);
/// assert_eq!(shrunk.after.preemptions, 1);
/// assert_eq!(shrunk.schedule.preemptions(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The simplest failing schedule found (replays exactly with [`sim::Strategy::replay`]).
    pub schedule: Schedule,
    /// The schedule as found.
    pub before: Complexity,
    /// The shrunk schedule.
    pub after: Complexity,
    /// Runs the shrink took.
    pub runs: u32,
}

struct Shrinker<'f, F> {
    body: &'f F,
    seed: u64,
    options: &'f RunOptions,
    target: Failure,
    runs: u32,
    budget: u32,
}

impl<F, Fut> Shrinker<'_, F>
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    /// Runs `plan`; the run's actual schedule when it fails like the target.
    fn try_plan(&mut self, plan: Plan) -> Option<Candidate> {
        self.try_follow(plan, None)
    }

    /// Runs `schedule` decision by decision, to learn the keys of its decisions.
    fn try_strict(&mut self, schedule: &Schedule) -> Option<Candidate> {
        self.try_follow(Plan::new(), Some(Rc::new(schedule.to_vec())))
    }

    fn try_follow(&mut self, plan: Plan, script: Option<Rc<Vec<Decision>>>) -> Option<Candidate> {
        let plan = Rc::new(plan);
        let marks = Rc::new(RefCell::new(Vec::new()));
        let m = marks.clone();
        let strategy = Strategy::custom("shrink", move |_| {
            Follower::new(plan.clone(), script.clone(), m.clone())
        });
        let schedule = self.try_strategy(strategy)?;
        let marks = marks.borrow().clone();
        Some(Candidate {
            decisions: schedule.to_vec(),
            schedule,
            marks,
        })
    }

    /// Runs under `strategy`; the run's schedule when it fails like the target (the same bug:
    /// [`Failure::same_bug_as`]). `None` too once the budget is spent.
    fn try_strategy(&mut self, strategy: Strategy) -> Option<Schedule> {
        if self.runs >= self.budget {
            return None;
        }
        self.runs += 1;
        let result = run_once(
            self.options,
            self.seed,
            strategy,
            TraceLevel::Decisions,
            self.body,
        );
        let failed = result.failure.is_some_and(|f| f.same_bug_as(&self.target));
        failed.then(|| result.trace.schedule().clone())
    }

    /// `plan` when it fails the same way and is simpler than `cur`.
    fn better(&mut self, cur: &Candidate, plan: Plan) -> Option<Candidate> {
        let c = self.try_plan(plan)?;
        (c.complexity() < cur.complexity()).then_some(c)
    }
}

/// Shrinks `schedule` (a run of `body` with `seed` that failed like `target`).
pub(crate) fn shrink<F, Fut>(
    body: &F,
    seed: u64,
    options: &RunOptions,
    target: &Failure,
    schedule: &Schedule,
    budget: u32,
) -> Shrunk
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    let mut s = Shrinker {
        body,
        seed,
        options,
        target: target.clone(),
        runs: 0,
        budget,
    };
    // The follower needs keys, which a bare schedule lacks: replay it strictly once, recording.
    let Some(start) = s.try_strict(schedule) else {
        // The recorded schedule does not reproduce the failure (it should): report it unshrunk.
        let before = Complexity {
            preemptions: schedule.preemptions(),
            cancellations: schedule.cancellations(),
            non_default: schedule.preemptions() + schedule.cancellations(),
            decisions: schedule.len(),
        };
        return Shrunk {
            schedule: schedule.clone(),
            before,
            after: before,
            runs: s.runs,
        };
    };
    let before = start.complexity();
    let mut cur = match s.try_plan(Plan::new()) {
        Some(fifo) => fifo,
        None => start,
    };
    loop {
        let c0 = cur.complexity();
        cur = s.ddmin(cur, true);
        cur = s.free_instead(cur);
        cur = s.ddmin(cur, false);
        cur = s.mirror(cur);
        cur = s.move_later(cur);
        if s.runs >= s.budget {
            break;
        }
        if cur.complexity() < c0 {
            continue;
        }
        // Stuck: editing one decision at a time no longer helps. Look for a run with fewer
        // preemptions anywhere, then edit that one.
        match s.research(&cur) {
            Some(c) => cur = c,
            None => break,
        }
    }
    Shrunk {
        after: cur.complexity(),
        schedule: cur.schedule,
        before,
        runs: s.runs,
    }
}
