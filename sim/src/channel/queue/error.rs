//! Why a queue operation did not go through.

use std::fmt;

/// The queue was shut down ([`Queue::shutdown`](super::Queue::shutdown)): `put` gives its value
/// back in it (`QueueShutDown<T>`), `get` finds nothing left (`QueueShutDown<()>`). asyncio's
/// `QueueShutDown`.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let q = sim::channel::Queue::new(0);
///     q.shutdown(false);
///     let err = q.put(5).await.unwrap_err();
///     assert_eq!(err.0, 5);
///     assert_eq!(err.to_string(), "the queue was shut down");
///     assert!(q.get().await.is_err());
/// }).unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueueShutDown<T = ()>(pub T);

impl<T> QueueShutDown<T> {
    /// The value a refused `put` carried.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueShutDown(..)")
    }
}

impl<T> fmt::Display for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue was shut down")
    }
}

impl<T> std::error::Error for QueueShutDown<T> {}

/// Why [`Queue::put_nowait`](super::Queue::put_nowait) failed; the value comes back either way.
/// asyncio's `QueueFull` and `QueueShutDown`.
///
/// ```
/// use sim::channel::{Queue, queue::TryPutError};
/// let q = Queue::new(1);
/// q.put_nowait(1).unwrap();
/// let err = q.put_nowait(2).unwrap_err();
/// assert!(matches!(err, TryPutError::Full(2)));
/// assert_eq!(err.to_string(), "queue full: put_nowait on a queue at its maxsize; use put().await to wait");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TryPutError<T> {
    /// The queue is at its maxsize (or earlier blocked puts are first in line).
    Full(T),
    /// The queue was shut down.
    ShutDown(T),
}

impl<T> TryPutError<T> {
    /// The value that was not put.
    pub fn into_inner(self) -> T {
        match self {
            TryPutError::Full(v) | TryPutError::ShutDown(v) => v,
        }
    }
}

impl<T> fmt::Debug for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("Full(..)"),
            TryPutError::ShutDown(_) => f.write_str("ShutDown(..)"),
        }
    }
}

impl<T> fmt::Display for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str(
                "queue full: put_nowait on a queue at its maxsize; use put().await to wait",
            ),
            TryPutError::ShutDown(_) => f.write_str("put_nowait on a queue that was shut down"),
        }
    }
}

impl<T> std::error::Error for TryPutError<T> {}

/// Why [`Queue::get_nowait`](super::Queue::get_nowait) found nothing. asyncio's `QueueEmpty`
/// and `QueueShutDown`.
///
/// ```
/// use sim::channel::{Queue, queue::TryGetError};
/// let q = Queue::<u32>::new(0);
/// assert_eq!(q.get_nowait(), Err(TryGetError::Empty));
/// q.shutdown(false);
/// assert_eq!(q.get_nowait(), Err(TryGetError::ShutDown));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryGetError {
    /// Nothing queued.
    Empty,
    /// Nothing queued, and the queue was shut down: nothing ever will be.
    ShutDown,
}

impl fmt::Display for TryGetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryGetError::Empty => {
                f.write_str("queue empty: get_nowait found no item; use get().await to wait")
            }
            TryGetError::ShutDown => f.write_str("queue empty and shut down: no item will come"),
        }
    }
}

impl std::error::Error for TryGetError {}

/// [`Queue::task_done`](super::Queue::task_done) was called more times than items were put.
///
/// ```
/// let q = sim::channel::Queue::<u32>::new(0);
/// let err = q.task_done().unwrap_err();
/// assert!(err.to_string().contains("more times than items were put"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called more times than items were put: call it once per item got")
    }
}

impl std::error::Error for TaskDoneError {}
