//! Errors of a [`TaskGroup`](super::TaskGroup): refused spawns and the failures that cancelled
//! a group.

use std::fmt;

use crate::task::{JoinError, TaskId};

/// Why [`TaskGroup::spawn`](super::TaskGroup::spawn) refused a child.
///
/// ```
/// use sim::concurrency::{SpawnError, TaskGroup};
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let group: TaskGroup<()> = TaskGroup::new();
///     let handle = group.handle();
///     group.join().await.unwrap();
///     assert_eq!(handle.spawn(async { Ok(()) }), Err(SpawnError::Finished));
/// }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpawnError {
    /// A child failed (or the group was dropped): the group is cancelling its children.
    ShuttingDown,
    /// [`TaskGroup::join`](super::TaskGroup::join) already returned.
    Finished,
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::ShuttingDown => write!(
                f,
                "cannot spawn into a task group that is shutting down (a child failed, or the \
                 group was dropped): its children are being aborted"
            ),
            SpawnError::Finished => write!(
                f,
                "cannot spawn into a task group that has finished (its join returned); create a \
                 new TaskGroup"
            ),
        }
    }
}

impl std::error::Error for SpawnError {}

/// How one child failed; see [`GroupError`] for an example.
#[derive(Debug)]
pub enum FailureKind<E> {
    /// The child returned `Err`.
    Error(E),
    /// The child panicked ([`JoinError::is_panic`]).
    Panic(JoinError),
}

/// One failed child of a [`TaskGroup`](super::TaskGroup).
///
/// ```
/// use sim::concurrency::{FailureKind, TaskGroup};
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let group: TaskGroup<()> = TaskGroup::new();
///     group.spawn(async { Ok(()) }).unwrap();
///     group.spawn(async { panic!("child 1 broke") }).unwrap();
///     let err = group.join().await.unwrap_err();
///     let failure = err.first();
///     assert_eq!((failure.index, failure.task.as_u64()), (1, 2));
///     match &failure.kind {
///         FailureKind::Panic(e) => assert_eq!(e.panic_message(), Some("child 1 broke")),
///         FailureKind::Error(never) => match *never {},
///     }
/// }).unwrap();
/// ```
#[derive(Debug)]
pub struct Failure<E> {
    /// Its spawn position in the group (0 for the first child spawned).
    pub index: usize,
    /// The task.
    pub task: TaskId,
    /// The task's label (`name#id`, as reports print it).
    pub label: String,
    /// What went wrong.
    pub kind: FailureKind<E>,
}

/// The failures that made a [`TaskGroup`](super::TaskGroup) cancel its children, in the order they happened
/// (asyncio's `ExceptionGroup`). Never empty.
///
/// ```
/// use sim::concurrency::{FailureKind, TaskGroup};
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let group = TaskGroup::<u8, &str>::new();
///     group.spawn(async { Err("bad input") }).unwrap();
///     let err = group.join().await.unwrap_err();
///     assert!(matches!(err.first().kind, FailureKind::Error("bad input")));
///     assert_eq!(err.to_string(), "task group failed: task#1 returned an error: bad input");
/// }).unwrap();
/// ```
#[derive(Debug)]
pub struct GroupError<E> {
    failures: Vec<Failure<E>>,
    cancelled: bool,
}

impl<E> GroupError<E> {
    pub(super) fn new(failures: Vec<Failure<E>>) -> Self {
        debug_assert!(!failures.is_empty());
        GroupError {
            failures,
            cancelled: false,
        }
    }

    /// The group was [`cancel`](super::TaskGroup::cancel)led; `failures` holds whatever
    /// failed before or while it was (often nothing).
    pub(super) fn cancelled(failures: Vec<Failure<E>>) -> Self {
        GroupError {
            failures,
            cancelled: true,
        }
    }

    /// True when the group ended because [`TaskGroup::cancel`](super::TaskGroup::cancel) was
    /// called (its unfinished children were aborted), not because a child failed.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let group: sim::TaskGroup<()> = sim::TaskGroup::new();
    ///     group.spawn(async { std::future::pending::<Result<(), _>>().await }).unwrap();
    ///     group.cancel();
    ///     let err = group.join().await.unwrap_err();
    ///     assert!(err.is_cancelled() && err.failures().is_empty());
    /// }).unwrap();
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// Every failure, in the order they happened.
    pub fn failures(&self) -> &[Failure<E>] {
        &self.failures
    }

    /// The failure that started the cancellation.
    ///
    /// # Panics
    /// When the group was [cancelled](GroupError::is_cancelled) with no failure.
    pub fn first(&self) -> &Failure<E> {
        self.failures.first().expect(
            "GroupError::first: the group was cancelled and no child failed; check \
             GroupError::is_cancelled or GroupError::failures",
        )
    }

    /// Takes the failures.
    pub fn into_failures(self) -> Vec<Failure<E>> {
        self.failures
    }
}

impl<E: fmt::Display> fmt::Display for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.cancelled {
            write!(f, "task group cancelled")?;
            if self.failures.is_empty() {
                return Ok(());
            }
            write!(f, "; before that, ")?;
        } else {
            write!(f, "task group failed: ")?;
        }
        for (i, fail) in self.failures.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            match &fail.kind {
                FailureKind::Error(e) => write!(f, "{} returned an error: {e}", fail.label)?,
                FailureKind::Panic(e) => write!(f, "{e}")?,
            }
        }
        Ok(())
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for GroupError<E> {}

#[cfg(test)]
mod tests {
    use crate::concurrency::TaskGroup;

    #[test]
    fn a_group_error_names_the_failing_task() {
        let mut sim = crate::Sim::new(0);
        let text = sim
            .run(async {
                let group = TaskGroup::<u8, &str>::new();
                group
                    .spawn_named("payment", async { Err("card declined") })
                    .unwrap();
                group.join().await.unwrap_err().to_string()
            })
            .unwrap();
        assert_eq!(
            text,
            "task group failed: payment#1 returned an error: card declined"
        );
    }
}
