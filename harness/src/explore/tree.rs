//! The decision tree of a depth-first search, and the scheduler that walks one path of it.
//!
//! Each run replays the choices of the current path, then takes option 0 at every decision past
//! its end, appending a frame that remembers how many options there were. Backtracking bumps the
//! deepest frame that still has an untried option allowed by the preemption bound and drops the
//! frames below it, so the next run explores the next path in lexicographic order.

use std::cell::RefCell;
use std::rc::Rc;

use sim::schedule::{Choice, Runnable, Scheduler, ValueStream};
use sim::task::TaskId;

/// What kind of choice a frame records (a replay must meet the same kind again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Task,
    Preempt,
    Branch,
    Value,
    /// Keep (0) or drop (1) a cancellable future at an await: it costs like a preemption.
    Cancel,
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: Kind,
    taken: u32,
    of: u32,
    /// Preemptions on the path before this decision.
    preemptions_before: usize,
    /// An option the yield limit rules out here (continuing a task that yielded too often).
    barred: Option<u32>,
}

impl Frame {
    /// The first allowed option at or after `from`.
    fn allowed_from(&self, from: u32) -> Option<u32> {
        (from..self.of).find(|&o| Some(o) != self.barred)
    }
}

/// The search state shared by the driver and the scheduler of the run in progress.
#[derive(Debug)]
pub(crate) struct Tree {
    frames: Vec<Frame>,
    cursor: usize,
    preemptions: usize,
    bound: Option<usize>,
    value_limit: u64,
    yield_limit: u32,
    /// The task polled last, with its poll number, when this scheduler chose it.
    last: Option<(TaskId, u64)>,
    /// How many times in a row `last` was chosen again right after its own poll.
    streak: u32,
    /// Whether the bound ruled out an option anywhere (a deeper level would find more).
    pub(crate) pruned: bool,
    /// The first replayed decision that did not match the program, described.
    pub(crate) diverged: Option<String>,
}

impl Tree {
    pub(crate) fn new(bound: Option<usize>, value_limit: u64, yield_limit: u32) -> Self {
        Tree {
            frames: Vec::new(),
            cursor: 0,
            preemptions: 0,
            bound,
            value_limit,
            yield_limit,
            last: None,
            streak: 0,
            pruned: false,
            diverged: None,
        }
    }

    /// Prepares to walk the current path from its root.
    pub(crate) fn rewind(&mut self) {
        self.cursor = 0;
        self.preemptions = 0;
        self.last = None;
        self.streak = 0;
        self.diverged = None;
    }

    /// Moves to the next path; false when every path within the bound has been walked.
    pub(crate) fn advance(&mut self) -> bool {
        // Frames past the cursor belong to a run that stopped early (it failed); never the case
        // when the driver calls this after a complete run, but harmless to drop.
        self.frames.truncate(self.cursor);
        while let Some(f) = self.frames.last_mut() {
            let costly = matches!(f.kind, Kind::Preempt | Kind::Cancel);
            let affordable = !costly || self.bound.is_none_or(|b| f.preemptions_before < b);
            if let Some(next) = f.allowed_from(f.taken + 1) {
                if affordable {
                    f.taken = next;
                    return true;
                }
                self.pruned = true;
            }
            self.frames.pop();
        }
        false
    }

    /// Preemptions (and cancellations) on the path walked so far.
    pub(crate) fn preemptions(&self) -> usize {
        self.preemptions
    }

    fn decide(&mut self, kind: Kind, of: u32, barred: Option<u32>) -> u32 {
        let taken = match self.frames.get(self.cursor) {
            Some(f) if f.kind == kind && f.of == of && f.barred == barred => f.taken,
            Some(f) => {
                if self.diverged.is_none() {
                    self.diverged = Some(format!(
                        "decision {} was a {:?} choice among {} options when first explored, \
                         but a {:?} choice among {of} on replay",
                        self.cursor, f.kind, f.of, kind
                    ));
                }
                f.taken.min(of - 1)
            }
            None => {
                let frame = Frame {
                    kind,
                    taken: 0,
                    of,
                    preemptions_before: self.preemptions,
                    barred,
                };
                let first = frame.allowed_from(0).unwrap_or(0);
                self.frames.push(Frame {
                    taken: first,
                    ..frame
                });
                first
            }
        };
        self.cursor += 1;
        if matches!(kind, Kind::Preempt | Kind::Cancel) && taken > 0 {
            self.preemptions += 1;
        }
        taken
    }

    /// A choice among the runnable tasks: continuing the task that just ran (it woke itself: a
    /// yield) is barred once it has been continued `yield_limit` times in a row while others
    /// waited, so a spin loop cannot make the tree infinite.
    fn choose_task(&mut self, runnable: &Runnable<'_>) -> usize {
        let of = u32::try_from(runnable.len()).unwrap_or(u32::MAX);
        let repeat = self
            .last
            .filter(|&(_, poll)| poll == runnable.step())
            .and_then(|(task, _)| runnable.position(task));
        if repeat.is_none() {
            self.streak = 0;
        }
        let barred = repeat
            .filter(|_| self.streak >= self.yield_limit)
            .and_then(|i| u32::try_from(i).ok());
        let i = self.decide(Kind::Task, of, barred) as usize;
        if Some(i) == repeat {
            self.streak += 1;
        } else {
            self.streak = 0;
        }
        self.last = Some((runnable.get(i), runnable.step() + 1));
        i
    }

    /// At a preemption point of `current`: 0 continues, `i` switches to runnable task `i − 1`.
    fn choose_preemption(&mut self, runnable: &Runnable<'_>) -> Option<usize> {
        let of = u32::try_from(runnable.len() + 1).unwrap_or(u32::MAX);
        let i = (self.decide(Kind::Preempt, of, None) as usize).checked_sub(1);
        if let Some(i) = i {
            // The target runs next, as the poll after the current one.
            self.last = Some((runnable.get(i), runnable.step() + 1));
            self.streak = 0;
        }
        i
    }
}

/// The scheduler of one run of the search.
pub(crate) struct DfsScheduler {
    pub(crate) tree: Rc<RefCell<Tree>>,
}

impl Scheduler for DfsScheduler {
    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize> {
        Ok(self.tree.borrow_mut().choose_task(&runnable))
    }

    fn choose_preemption(&mut self, _: TaskId, runnable: Runnable<'_>) -> Choice<Option<usize>> {
        Ok(self.tree.borrow_mut().choose_preemption(&runnable))
    }

    fn choose_branch(&mut self, of: u32) -> Choice<u32> {
        Ok(self.tree.borrow_mut().decide(Kind::Branch, of, None))
    }

    fn choose_cancel(&mut self, _: TaskId, _: u32) -> Choice<bool> {
        Ok(self.tree.borrow_mut().decide(Kind::Cancel, 2, None) == 1)
    }

    fn choose_value(&mut self, bound: u64, values: &mut ValueStream) -> Choice<u64> {
        let mut tree = self.tree.borrow_mut();
        if bound != 0 && bound <= tree.value_limit {
            let of = u32::try_from(bound).unwrap_or(u32::MAX);
            Ok(u64::from(tree.decide(Kind::Value, of, None)))
        } else {
            Ok(values.below(bound))
        }
    }
}
