//! The decision tree of a depth-first search, and the scheduler that walks one path of it.
//!
//! Each run replays the choices of the current path, then takes option 0 at every decision past
//! its end, appending a frame that remembers how many options there were. Backtracking bumps the
//! deepest frame that still has an untried option allowed by the preemption bound and drops the
//! frames below it, so the next run explores the next path in lexicographic order.

use std::cell::RefCell;
use std::rc::Rc;

use rand_chacha::ChaCha8Rng;
use sim::schedule::{Choice, Runnable, Scheduler, uniform_below};
use sim::task::TaskId;

/// What kind of choice a frame records (a replay must meet the same kind again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Task,
    Preempt,
    Branch,
    Value,
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: Kind,
    taken: u32,
    of: u32,
    /// Preemptions on the path before this decision.
    preemptions_before: usize,
}

/// The search state shared by the driver and the scheduler of the run in progress.
#[derive(Debug)]
pub(crate) struct Tree {
    frames: Vec<Frame>,
    cursor: usize,
    preemptions: usize,
    bound: Option<usize>,
    value_limit: u64,
    /// The first replayed decision that did not match the program, described.
    pub(crate) diverged: Option<String>,
}

impl Tree {
    pub(crate) fn new(bound: Option<usize>, value_limit: u64) -> Self {
        Tree {
            frames: Vec::new(),
            cursor: 0,
            preemptions: 0,
            bound,
            value_limit,
            diverged: None,
        }
    }

    /// Prepares to walk the current path from its root.
    pub(crate) fn rewind(&mut self) {
        self.cursor = 0;
        self.preemptions = 0;
        self.diverged = None;
    }

    /// Moves to the next path; false when every path within the bound has been walked.
    pub(crate) fn advance(&mut self) -> bool {
        // Frames past the cursor belong to a run that stopped early (it failed); never the case
        // when the driver calls this after a complete run, but harmless to drop.
        self.frames.truncate(self.cursor);
        while let Some(f) = self.frames.last_mut() {
            let next = f.taken + 1;
            let affordable =
                f.kind != Kind::Preempt || self.bound.is_none_or(|b| f.preemptions_before < b);
            if next < f.of && affordable {
                f.taken = next;
                return true;
            }
            self.frames.pop();
        }
        false
    }

    /// Preemptions on the path walked so far.
    pub(crate) fn preemptions(&self) -> usize {
        self.preemptions
    }

    fn decide(&mut self, kind: Kind, of: u32) -> u32 {
        let taken = match self.frames.get(self.cursor) {
            Some(f) if f.kind == kind && f.of == of => f.taken,
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
                self.frames.push(Frame {
                    kind,
                    taken: 0,
                    of,
                    preemptions_before: self.preemptions,
                });
                0
            }
        };
        self.cursor += 1;
        if kind == Kind::Preempt && taken > 0 {
            self.preemptions += 1;
        }
        taken
    }
}

/// The scheduler of one run of the search.
pub(crate) struct DfsScheduler {
    pub(crate) tree: Rc<RefCell<Tree>>,
}

impl Scheduler for DfsScheduler {
    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize> {
        let of = u32::try_from(runnable.len()).unwrap_or(u32::MAX);
        Ok(self.tree.borrow_mut().decide(Kind::Task, of) as usize)
    }

    fn choose_preemption(&mut self, _: TaskId, runnable: Runnable<'_>) -> Choice<Option<usize>> {
        let of = u32::try_from(runnable.len() + 1).unwrap_or(u32::MAX);
        let i = self.tree.borrow_mut().decide(Kind::Preempt, of);
        Ok((i as usize).checked_sub(1))
    }

    fn choose_branch(&mut self, of: u32) -> Choice<u32> {
        Ok(self.tree.borrow_mut().decide(Kind::Branch, of))
    }

    fn choose_value(&mut self, bound: u64, values: &mut ChaCha8Rng) -> Choice<u64> {
        let mut tree = self.tree.borrow_mut();
        if bound != 0 && bound <= tree.value_limit {
            let of = u32::try_from(bound).unwrap_or(u32::MAX);
            Ok(u64::from(tree.decide(Kind::Value, of)))
        } else {
            Ok(uniform_below(values, bound))
        }
    }
}
