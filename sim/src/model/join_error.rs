//! Why a task produced no value.

use std::fmt;

use super::{Panic, TaskId};

/// A task ended without a value: it was aborted, or it panicked.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let h = sim::spawn(async { panic!("boom") });
///     let err = h.await.unwrap_err();
///     assert!(err.is_panic());
///     assert_eq!(err.panic_message(), Some("boom"));
///
///     let h = sim::spawn(async { sim::time::sleep(std::time::Duration::from_secs(9)).await });
///     h.abort();
///     assert!(h.await.unwrap_err().is_cancelled());
/// }).unwrap();
/// ```
pub struct JoinError {
    task: TaskId,
    label: String,
    repr: Repr,
}

enum Repr {
    Cancelled,
    Panicked(Panic),
}

impl JoinError {
    pub(crate) fn cancelled(task: TaskId, label: String) -> Self {
        JoinError {
            task,
            label,
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panicked(task: TaskId, label: String, panic: Panic) -> Self {
        JoinError {
            task,
            label,
            repr: Repr::Panicked(panic),
        }
    }

    /// The task was aborted (its future dropped before it finished).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// The task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panicked(_))
    }

    /// The panic message, if the task panicked.
    pub fn panic_message(&self) -> Option<&str> {
        match &self.repr {
            Repr::Panicked(p) => Some(p.message()),
            Repr::Cancelled => None,
        }
    }

    /// The caught panic, if the task panicked.
    pub fn panic(&self) -> Option<&Panic> {
        match &self.repr {
            Repr::Panicked(p) => Some(p),
            Repr::Cancelled => None,
        }
    }

    /// The panic payload, to re-raise with `std::panic::resume_unwind`.
    ///
    /// # Panics
    /// If the task was cancelled rather than panicking.
    pub fn into_panic(self) -> Box<dyn std::any::Any + Send> {
        match self.repr {
            Repr::Panicked(p) => p.into_payload(),
            Repr::Cancelled => panic!("JoinError::into_panic on a cancelled task ({})", self.label),
        }
    }

    /// The caught panic by value, or the error itself if the task was cancelled.
    pub(crate) fn try_into_panic(self) -> Result<Panic, JoinError> {
        match self.repr {
            Repr::Panicked(p) => Ok(p),
            Repr::Cancelled => Err(JoinError {
                task: self.task,
                label: self.label,
                repr: Repr::Cancelled,
            }),
        }
    }

    /// The task that failed.
    pub fn task_id(&self) -> TaskId {
        self.task
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "task {} was cancelled", self.label),
            Repr::Panicked(p) => write!(f, "task {} panicked: {p}", self.label),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JoinError({self})")
    }
}

impl std::error::Error for JoinError {}
