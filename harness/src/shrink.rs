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
//! A candidate is a *plan*: the non-default decisions of a schedule, each keyed by where it is
//! taken (the n-th scheduling choice of the run, the n-th preemption point of a given task, the
//! n-th tie, the n-th random value); everything not in the plan takes the default. Keys make
//! edits local: removing one task's switch does not shift the positions of another's. A plan
//! runs under a lenient follower: a planned task that is not runnable is replaced by the
//! default (at scheduling points) or by the oldest runnable task (at a planned switch). A
//! candidate is kept when the run fails the same way ([`Failure::same_as`]) and is simpler; the
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
//!    fails and is no more complex (switches end up next to the bug).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;

use sim::schedule::{Choice, Decision, Runnable, Schedule, Scheduler, ValueStream};
use sim::task::TaskId;
use sim::{RunOptions, Strategy, TraceLevel};

use crate::sweep::{Failure, TestOutput, run_once};

/// How many runs a shrink may take at most.
pub const DEFAULT_SHRINK_BUDGET: u32 = 2_000;

/// Where a decision is taken, named so that editing one part of a schedule does not rename
/// the rest: the n-th scheduling-point choice of the run, the n-th preemption point *of a given
/// task*, the n-th tie, the n-th random value. (A plain index into the schedule would shift every
/// later decision as soon as one switch is removed.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Run(u32),
    Preempt(TaskId, u32),
    Branch(u32),
    Value(u32),
}

/// The non-default decisions of a schedule, by where they are taken; everything else is the
/// default.
type Plan = BTreeMap<Key, Decision>;

/// What the follower saw at each decision of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Mark {
    key: Key,
    non_default: bool,
    preemption: bool,
    /// The task Fifo would have run (scheduling points) or the current task (preemption points).
    default_task: Option<TaskId>,
}

/// Follows a [`Plan`] (or a whole schedule, in order) leniently and records a [`Mark`] per
/// decision.
struct Follower {
    plan: Rc<Plan>,
    script: Option<Rc<Schedule>>,
    taken: usize,
    runs: u32,
    branches: u32,
    values: u32,
    preempts: BTreeMap<TaskId, u32>,
    marks: Rc<RefCell<Vec<Mark>>>,
}

impl Follower {
    fn planned(&mut self, key: Key) -> Option<Decision> {
        match &self.script {
            Some(s) => {
                self.taken += 1;
                s.iter().nth(self.taken - 1)
            }
            None => self.plan.get(&key).copied(),
        }
    }

    fn mark(&self, key: Key, non_default: bool, preemption: bool, default_task: Option<TaskId>) {
        self.marks.borrow_mut().push(Mark {
            key,
            non_default,
            preemption,
            default_task,
        });
    }
}

fn next(counter: &mut u32) -> u32 {
    *counter += 1;
    *counter - 1
}

impl Scheduler for Follower {
    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize> {
        let key = Key::Run(next(&mut self.runs));
        let i = match self.planned(key) {
            Some(Decision::Run { task, .. }) => runnable.position(task).unwrap_or(0),
            _ => 0,
        };
        self.mark(key, i != 0, false, Some(runnable.get(0)));
        Ok(i)
    }

    fn choose_preemption(
        &mut self,
        current: TaskId,
        runnable: Runnable<'_>,
    ) -> Choice<Option<usize>> {
        let key = Key::Preempt(current, next(self.preempts.entry(current).or_insert(0)));
        // A planned switch whose target is not runnable still switches (to the oldest runnable
        // task): what matters is usually that `current` is interrupted here.
        let i = match self.planned(key) {
            Some(Decision::Preempt {
                task: Some(task), ..
            }) => Some(runnable.position(task).unwrap_or(0)),
            _ => None,
        };
        self.mark(key, i.is_some(), i.is_some(), Some(current));
        Ok(i)
    }

    fn choose_branch(&mut self, of: u32) -> Choice<u32> {
        let key = Key::Branch(next(&mut self.branches));
        let i = match self.planned(key) {
            Some(Decision::Branch { index, of: o }) if o == of && index < of => index,
            _ => 0,
        };
        self.mark(key, i != 0, false, None);
        Ok(i)
    }

    fn choose_value(&mut self, bound: u64, values: &mut ValueStream) -> Choice<u64> {
        // Always draw, so later default values come from the same place in the stream.
        let drawn = values.below(bound);
        let key = Key::Value(next(&mut self.values));
        let v = match self.planned(key) {
            Some(Decision::Value { value, bound: b }) if b == bound => value,
            _ => drawn,
        };
        self.mark(key, v != drawn, false, None);
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
            .zip(self.schedule.iter())
            .filter(|(m, _)| m.non_default)
            .map(|(m, d)| (m.key, d))
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
        self.try_follow(Plan::new(), Some(Rc::new(schedule.clone())))
    }

    fn try_follow(&mut self, plan: Plan, script: Option<Rc<Schedule>>) -> Option<Candidate> {
        if self.runs >= self.budget {
            return None;
        }
        self.runs += 1;
        let plan = Rc::new(plan);
        let marks = Rc::new(RefCell::new(Vec::new()));
        let (p, m) = (plan.clone(), marks.clone());
        let strategy = Strategy::custom("shrink", move |_| Follower {
            plan: p.clone(),
            script: script.clone(),
            taken: 0,
            runs: 0,
            branches: 0,
            values: 0,
            preempts: BTreeMap::new(),
            marks: m.clone(),
        });
        let result = run_once(
            self.options,
            self.seed,
            strategy,
            TraceLevel::Decisions,
            self.body,
        );
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

    /// `plan` when it fails the same way and is simpler than `cur`.
    fn better(&mut self, cur: &Candidate, plan: Plan) -> Option<Candidate> {
        let c = self.try_plan(plan)?;
        (c.complexity() < cur.complexity()).then_some(c)
    }

    /// Delta debugging over the non-default decisions of one class: drop a chunk, or keep only
    /// a chunk, halving the chunk size down to one.
    fn ddmin(&mut self, mut cur: Candidate, preemptions: bool) -> Candidate {
        let mut chunk = cur.non_default(preemptions).len().div_ceil(2).max(1);
        loop {
            let idx = cur.non_default(preemptions);
            if idx.is_empty() {
                return cur;
            }
            chunk = chunk.min(idx.len());
            let mut improved = false;
            for (n, part) in idx.chunks(chunk).enumerate() {
                if let Some(c) = self.better(&cur, cur.plan_without(part)) {
                    cur = c;
                    improved = true;
                    break;
                }
                if chunk < idx.len() {
                    let rest: Vec<usize> = idx
                        .chunks(chunk)
                        .enumerate()
                        .filter(|(m, _)| *m != n)
                        .flat_map(|(_, p)| p.iter().copied())
                        .collect();
                    if let Some(c) = self.better(&cur, cur.plan_without(&rest)) {
                        cur = c;
                        improved = true;
                        break;
                    }
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

    /// Drops a non-default scheduling choice (run X where Fifo runs D) and swaps X and D in the
    /// rest of the plan: the mirror image of the schedule, for symmetric tasks.
    fn mirror(&mut self, mut cur: Candidate) -> Candidate {
        let mut i = 0;
        while i < cur.marks.len() && self.runs < self.budget {
            let m = cur.marks[i];
            let (Key::Run(_), true, Some(d), Decision::Run { task: x, .. }) = (
                m.key,
                m.non_default,
                m.default_task,
                cur.schedule.iter().nth(i).expect("a mark per decision"),
            ) else {
                i += 1;
                continue;
            };
            let swap = |t: TaskId| {
                if t == x {
                    d
                } else if t == d {
                    x
                } else {
                    t
                }
            };
            let plan: Plan = cur
                .plan_without(&[i])
                .into_iter()
                .map(|(k, dec)| {
                    let k = match k {
                        Key::Preempt(t, n) => Key::Preempt(swap(t), n),
                        other => other,
                    };
                    let dec = match dec {
                        Decision::Run { task, of } => Decision::Run {
                            task: swap(task),
                            of,
                        },
                        Decision::Preempt { task, of } => Decision::Preempt {
                            task: task.map(swap),
                            of,
                        },
                        other => other,
                    };
                    (k, dec)
                })
                .collect();
            match self.better(&cur, plan) {
                Some(c) => {
                    cur = c;
                    i = 0;
                }
                None => i += 1,
            }
        }
        cur
    }

    /// Replaces a preemption by a free choice at an earlier scheduling point: instead of
    /// interrupting a task to run T, run T first when it was ready anyway.
    fn free_instead(&mut self, mut cur: Candidate) -> Candidate {
        let mut i = 0;
        while i < cur.marks.len() && self.runs < self.budget {
            let Decision::Preempt {
                task: Some(target), ..
            } = cur.schedule.iter().nth(i).expect("a mark per decision")
            else {
                i += 1;
                continue;
            };
            let earlier: Vec<(Key, u32)> = cur.marks[..i]
                .iter()
                .zip(cur.schedule.to_vec())
                .rev()
                .filter_map(|(m, d)| match (m.key, d) {
                    (Key::Run(_), Decision::Run { of, .. }) => Some((m.key, of)),
                    _ => None,
                })
                .take(4)
                .collect();
            let mut improved = false;
            for (key, of) in earlier {
                let mut plan = cur.plan_without(&[i]);
                plan.insert(key, Decision::Run { task: target, of });
                if let Some(c) = self.better(&cur, plan) {
                    cur = c;
                    improved = true;
                    break;
                }
            }
            i = if improved { 0 } else { i + 1 };
        }
        cur
    }

    /// Moves each preemption to the task's next preemption point, when that still fails and is
    /// no more complex: switches end up as late as possible, next to the bug.
    fn move_later(&mut self, mut cur: Candidate) -> Candidate {
        let mut i = 0;
        while i < cur.marks.len() && self.runs < self.budget {
            let m = cur.marks[i];
            let (Key::Preempt(task, n), true) = (m.key, m.preemption) else {
                i += 1;
                continue;
            };
            let mut plan = cur.plan_without(&[i]);
            let d = cur.schedule.iter().nth(i).expect("a mark per decision");
            plan.insert(Key::Preempt(task, n + 1), d);
            match self.try_plan(plan) {
                Some(c) if c.complexity() <= cur.complexity() => cur = c,
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
