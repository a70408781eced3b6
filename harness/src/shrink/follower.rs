//! The follower: runs a plan (or a whole schedule) leniently and says where each decision was
//! taken, so that the shrinker can edit a schedule by where its decisions are, not by index.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use sim::schedule::{Choice, Decision, Runnable, Scheduler, ValueStream};
use sim::task::TaskId;

/// Where a decision is taken, named so that editing one part of a schedule does not rename
/// the rest: the n-th scheduling-point choice of the run, the n-th preemption point *of a given
/// task*, the n-th tie, the n-th random value, the n-th await of a task's m-th cancellable
/// future (so dropping one future earlier renames nothing in the next). (A plain index into the schedule would shift every
/// later decision as soon as one switch is removed.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Key {
    Run(u32),
    Preempt(TaskId, u32),
    Branch(u32),
    Value(u32),
    /// The `.2`-th await of the `.1`-th cancellable future of a task.
    Cancel(TaskId, u32, u32),
}

/// The non-default decisions of a schedule, by where they are taken; everything else is the
/// default.
pub(super) type Plan = BTreeMap<Key, Decision>;

/// What the follower saw at each decision of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Mark {
    pub(super) key: Key,
    pub(super) non_default: bool,
    pub(super) preemption: bool,
    /// The task Fifo would have run (scheduling points) or the current task (preemption points).
    pub(super) default_task: Option<TaskId>,
}

impl Mark {
    /// A cancellable future dropped here.
    pub(super) fn is_cancellation(&self) -> bool {
        matches!(self.key, Key::Cancel(..)) && self.non_default
    }
}

/// Follows a [`Plan`] (or a whole schedule, in order) leniently and records a [`Mark`] per
/// decision.
pub(super) struct Follower {
    plan: Rc<Plan>,
    script: Option<Rc<Vec<Decision>>>,
    taken: usize,
    runs: u32,
    branches: u32,
    values: u32,
    /// Cancellable futures seen per task.
    cancellables: BTreeMap<TaskId, u32>,
    preempts: BTreeMap<TaskId, u32>,
    marks: Rc<RefCell<Vec<Mark>>>,
}

impl Follower {
    /// Follows `plan`, or `script` decision by decision when given, recording into `marks`.
    pub(super) fn new(
        plan: Rc<Plan>,
        script: Option<Rc<Vec<Decision>>>,
        marks: Rc<RefCell<Vec<Mark>>>,
    ) -> Self {
        Follower {
            plan,
            script,
            taken: 0,
            runs: 0,
            branches: 0,
            values: 0,
            cancellables: BTreeMap::new(),
            preempts: BTreeMap::new(),
            marks,
        }
    }

    fn planned(&mut self, key: Key) -> Option<Decision> {
        match &self.script {
            Some(s) => {
                self.taken += 1;
                s.get(self.taken - 1).copied()
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

    fn choose_cancel(&mut self, current: TaskId, suspension: u32) -> Choice<bool> {
        let futures = self.cancellables.entry(current).or_insert(0);
        if suspension == 0 {
            *futures += 1;
        }
        let key = Key::Cancel(current, futures.saturating_sub(1), suspension);
        let cancelled = matches!(
            self.planned(key),
            Some(Decision::Cancel { cancelled: true })
        );
        self.mark(key, cancelled, false, None);
        Ok(cancelled)
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
