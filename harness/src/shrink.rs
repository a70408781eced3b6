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
//! A schedule is simpler when it has fewer preemptions, then fewer non-default decisions, then
//! fewer decisions in all.
//!
//! ## How
//!
//! A candidate is the current schedule with some decisions replaced by "take the default here".
//! It runs under a lenient follower ([`Plan`]): a recorded decision that no longer fits (its task
//! is not runnable any more) falls back to the default, so edits early in a schedule do not spoil
//! the rest. A candidate is kept when the run fails the same way ([`Failure::same_as`]) and is
//! simpler; the schedule the run actually took becomes the new current one, so the result
//! always replays exactly under [`sim::Strategy::replay`]. Passes, repeated to a fixed point or
//! until the budget of runs is spent:
//!
//! 1. everything default (the Fifo run);
//! 2. default a chunk of the non-default decisions, halving the chunk size down to one
//!    (delta debugging), preemptions first;
//! 3. move each remaining preemption one preemption point later, when that is no worse.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use rand_chacha::ChaCha8Rng;
use sim::schedule::{Choice, Decision, Runnable, Schedule, Scheduler, uniform_below};
use sim::task::TaskId;
use sim::{Strategy, TraceLevel};

use crate::sweep::{Failure, Limits, TestOutput, run_once};

/// How many runs a shrink may take at most.
pub const DEFAULT_SHRINK_BUDGET: u32 = 2_000;

/// One entry of a plan: follow a decision, or take the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Take(Decision),
    Default,
}

/// For each decision of a run: was it non-default, was it a preemption.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Mark {
    non_default: bool,
    preemption: bool,
}

/// A lenient follower of a plan that records which of its decisions were non-default.
struct Plan {
    steps: Rc<Vec<Step>>,
    next: usize,
    marks: Rc<RefCell<Vec<Mark>>>,
}

impl Plan {
    fn step(&mut self) -> Step {
        let s = self.steps.get(self.next).copied().unwrap_or(Step::Default);
        self.next += 1;
        s
    }

    fn mark(&self, non_default: bool, preemption: bool) {
        self.marks.borrow_mut().push(Mark {
            non_default,
            preemption,
        });
    }
}

impl Scheduler for Plan {
    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize> {
        let i = match self.step() {
            Step::Take(Decision::Run { task, .. }) => runnable.position(task).unwrap_or(0),
            _ => 0,
        };
        self.mark(i != 0, false);
        Ok(i)
    }

    fn choose_preemption(&mut self, _: TaskId, runnable: Runnable<'_>) -> Choice<Option<usize>> {
        let i = match self.step() {
            Step::Take(Decision::Preempt {
                task: Some(task), ..
            }) => runnable.position(task),
            _ => None,
        };
        self.mark(i.is_some(), i.is_some());
        Ok(i)
    }

    fn choose_branch(&mut self, of: u32) -> Choice<u32> {
        let i = match self.step() {
            Step::Take(Decision::Branch { index, of: o }) if o == of && index < of => index,
            _ => 0,
        };
        self.mark(i != 0, false);
        Ok(i)
    }

    fn choose_value(&mut self, bound: u64, values: &mut ChaCha8Rng) -> Choice<u64> {
        // Always draw, so later default values come from the same place in the stream.
        let drawn = uniform_below(values, bound);
        let v = match self.step() {
            Step::Take(Decision::Value { value, bound: b }) if b == bound => value,
            _ => drawn,
        };
        self.mark(v != drawn, false);
        Ok(v)
    }
}

/// Size of a schedule, as the shrinker orders them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Complexity {
    /// Switches at preemption points away from a task that could continue.
    pub preemptions: usize,
    /// Decisions other than the default (Fifo) choice, preemptions included.
    pub non_default: usize,
    /// Decisions in all.
    pub decisions: usize,
}

/// A schedule with its per-decision marks, known to fail.
#[derive(Clone, Debug)]
struct Candidate {
    schedule: Schedule,
    marks: Vec<Mark>,
}

impl Candidate {
    fn complexity(&self) -> Complexity {
        Complexity {
            preemptions: self.marks.iter().filter(|m| m.preemption).count(),
            non_default: self.marks.iter().filter(|m| m.non_default).count(),
            decisions: self.schedule.len(),
        }
    }

    fn non_default(&self, preemptions: bool) -> Vec<usize> {
        (0..self.marks.len())
            .filter(|&i| self.marks[i].non_default && self.marks[i].preemption == preemptions)
            .collect()
    }

    fn steps(&self) -> Vec<Step> {
        self.schedule
            .decisions()
            .iter()
            .map(|d| Step::Take(*d))
            .collect()
    }
}

/// What a shrink produced.
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
    limits: Limits,
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
    /// Runs `steps`; the run's actual schedule when it fails like the target.
    fn try_steps(&mut self, steps: Vec<Step>) -> Option<Candidate> {
        if self.runs >= self.budget {
            return None;
        }
        self.runs += 1;
        let steps = Rc::new(steps);
        let marks = Rc::new(RefCell::new(Vec::new()));
        let (s, m) = (steps.clone(), marks.clone());
        let strategy = Strategy::custom("shrink", move |_| Plan {
            steps: s.clone(),
            next: 0,
            marks: m.clone(),
        });
        let sim = self.limits.sim(self.seed, strategy, TraceLevel::Decisions);
        let result = run_once(sim, self.body);
        let failure = result.failure?;
        if !failure.same_as(&self.target) {
            return None;
        }
        let marks = marks.borrow().clone();
        Some(Candidate {
            schedule: result.trace.schedule().clone(),
            marks,
        })
    }

    fn try_defaulting(&mut self, cur: &Candidate, which: &[usize]) -> Option<Candidate> {
        let mut steps = cur.steps();
        for &i in which {
            steps[i] = Step::Default;
        }
        let c = self.try_steps(steps)?;
        (c.complexity() < cur.complexity()).then_some(c)
    }

    /// Delta debugging over the non-default decisions of one class.
    fn ddmin(&mut self, mut cur: Candidate, preemptions: bool) -> Candidate {
        let mut chunk = cur.non_default(preemptions).len().div_ceil(2).max(1);
        loop {
            let idx = cur.non_default(preemptions);
            if idx.is_empty() {
                return cur;
            }
            chunk = chunk.min(idx.len());
            let mut improved = false;
            for part in idx.chunks(chunk) {
                if let Some(c) = self.try_defaulting(&cur, part) {
                    cur = c;
                    improved = true;
                    break;
                }
            }
            if !improved {
                if chunk == 1 || self.runs >= self.budget {
                    return cur;
                }
                chunk = chunk.div_ceil(2);
            }
        }
    }

    /// Moves each preemption to the next preemption point, when that still fails and is no
    /// more complex: switches end up as late as possible, next to the bug.
    fn move_later(&mut self, mut cur: Candidate) -> Candidate {
        let mut i = 0;
        while i < cur.marks.len() && self.runs < self.budget {
            let is_switch = cur.marks[i].preemption;
            let next = (i + 1..cur.schedule.len()).find(|&j| {
                matches!(cur.schedule.decisions()[j], Decision::Preempt { task: None, .. })
            });
            let (true, Some(j)) = (is_switch, next) else {
                i += 1;
                continue;
            };
            let mut steps = cur.steps();
            steps[j] = steps[i];
            steps[i] = Step::Default;
            match self.try_steps(steps) {
                Some(c) if c.complexity() <= cur.complexity() => {
                    cur = c;
                    i = j;
                }
                _ => i += 1,
            }
        }
        cur
    }
}

/// Shrinks `schedule` (a run of `body` with `seed` that failed like `target`).
pub(crate) fn shrink<F, Fut>(
    body: &F,
    seed: u64,
    limits: Limits,
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
        limits,
        target: target.clone(),
        runs: 0,
        budget,
    };
    let steps: Vec<Step> = schedule.decisions().iter().map(|d| Step::Take(*d)).collect();
    let Some(start) = s.try_steps(steps) else {
        // The recorded schedule does not reproduce the failure under the follower (it should):
        // report it unshrunk.
        let before = Complexity {
            preemptions: schedule.preemptions(),
            non_default: schedule.preemptions(),
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
    let mut cur = match s.try_steps(Vec::new()) {
        Some(fifo) => fifo,
        None => start,
    };
    loop {
        let c0 = cur.complexity();
        cur = s.ddmin(cur, true);
        cur = s.ddmin(cur, false);
        cur = s.move_later(cur);
        if cur.complexity() >= c0 || s.runs >= s.budget {
            break;
        }
    }
    Shrunk {
        after: cur.complexity(),
        schedule: cur.schedule,
        before,
        runs: s.runs,
    }
}
