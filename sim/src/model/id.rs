//! Task identity.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

/// A task's identity: its spawn number in the run. `main` (the future given to
/// [`crate::Sim::run`]) is task 0; spawned tasks count up from 1 in spawn order, so the same
/// program and seed give every task the same id in every run.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// let ids = sim.run(async {
///     let a = sim::spawn(async {});
///     let b = sim::spawn(async {});
///     (sim::task::id(), a.id(), b.id())
/// }).unwrap();
/// assert_eq!((ids.0.as_u64(), ids.1.as_u64(), ids.2.as_u64()), (0, 1, 2));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(u64);

impl TaskId {
    /// The id of the main task.
    pub const MAIN: TaskId = TaskId(0);

    /// The id as a number.
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// The task with spawn number `n` (0 is main).
    pub const fn from_u64(n: u64) -> TaskId {
        TaskId(n)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task#{}", self.0)
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task#{}", self.0)
    }
}

/// What is known about a task for its whole run, even after it finished: for traces and reports.
#[derive(Clone, Debug)]
pub struct TaskInfo {
    /// The task's id.
    pub id: TaskId,
    /// The name given to [`crate::spawn_named`], if any (`main` for main, one text shared by
    /// every run of a thread, so that naming main allocates nothing). Shared rather than a
    /// `Cow` so that the name stays two words: a task's info is kept for the whole run.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async { sim::spawn_named("worker", async {}).await.unwrap() }).unwrap();
    /// let names: Vec<_> = sim.trace().tasks().map(|t| t.name.as_deref()).collect();
    /// assert_eq!(names, [Some("main"), Some("worker")]);
    /// ```
    pub name: Option<Arc<str>>,
    /// Where it was spawned (the caller of `spawn`).
    pub spawned_at: &'static Location<'static>,
    /// The task that spawned it (main for top-level tasks; main is its own parent).
    pub parent: TaskId,
}

impl TaskInfo {
    /// `name#id`, `task#id` when unnamed, `main#0` for main.
    pub fn label(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for TaskInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "{n}#{}", self.id.0),
            None => write!(f, "task#{}", self.id.0),
        }
    }
}

#[cfg(test)]
mod layout {
    /// Every task's info is kept for its whole run, so its size is part of what a parked task
    /// costs (a `Cow` name made it 48 bytes and the parked-task row 8 bytes heavier).
    #[test]
    fn a_task_info_is_40_bytes() {
        assert_eq!(std::mem::size_of::<super::TaskInfo>(), 40);
    }
}
