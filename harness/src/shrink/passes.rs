//! The editing passes: each takes a failing candidate and returns a simpler one that still
//! fails the same bug, or the same one.

use std::future::Future;

use sim::schedule::Decision;
use sim::task::TaskId;

use super::follower::{Key, Plan};
use super::{Candidate, Shrinker};
use crate::sweep::TestOutput;

impl<F, Fut> Shrinker<'_, F>
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    /// Delta debugging over the non-default decisions of one class: drop a chunk, or keep only
    /// a chunk, halving the chunk size down to one.
    pub(super) fn ddmin(&mut self, mut cur: Candidate, preemptions: bool) -> Candidate {
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
    pub(super) fn mirror(&mut self, mut cur: Candidate) -> Candidate {
        let mut i = 0;
        while i < cur.marks.len() && self.runs < self.budget {
            let m = cur.marks[i];
            let (Key::Run(_), true, Some(d), Decision::Run { task: x, .. }) =
                (m.key, m.non_default, m.default_task, cur.decisions[i])
            else {
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
    pub(super) fn free_instead(&mut self, mut cur: Candidate) -> Candidate {
        let mut i = 0;
        while i < cur.marks.len() && self.runs < self.budget {
            let Decision::Preempt {
                task: Some(target), ..
            } = cur.decisions[i]
            else {
                i += 1;
                continue;
            };
            let earlier: Vec<(Key, u32)> = cur.marks[..i]
                .iter()
                .zip(&cur.decisions)
                .rev()
                .filter_map(|(m, d)| match (m.key, d) {
                    (Key::Run(_), Decision::Run { of, .. }) => Some((m.key, *of)),
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
    pub(super) fn move_later(&mut self, mut cur: Candidate) -> Candidate {
        let mut i = 0;
        while i < cur.marks.len() && self.runs < self.budget {
            let m = cur.marks[i];
            let (Key::Preempt(task, n), true) = (m.key, m.preemption) else {
                i += 1;
                continue;
            };
            let mut plan = cur.plan_without(&[i]);
            plan.insert(Key::Preempt(task, n + 1), cur.decisions[i]);
            match self.try_plan(plan) {
                Some(c) if c.complexity() <= cur.complexity() => cur = c,
                _ => i += 1,
            }
        }
        cur
    }
}
