//! `JoinHandle` and `AbortHandle`: thin layers over `sim`'s, which abort, tell whether a task
//! finished and name it by id; the layer gives tokio's types (`Id`, `JoinError`).

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{Id, JoinError};

#[track_caller]
pub(crate) fn spawn_task<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let site = Location::caller();
    if !sim::in_simulation() {
        panic!(
            "tokio::spawn was called at {}:{} outside a simulation: under `--cfg seedloop` tasks \
             run in seedloop's simulation. Spawn from inside #[tokio::test], #[tokio::main] or \
             Runtime::block_on",
            site.file(),
            site.line()
        );
    }
    let inner = sim::spawn(future);
    let id = Id::from_sim(inner.id());
    JoinHandle { inner, id }
}

/// An owned permission to await a task's output or abort it (tokio's `task::JoinHandle`).
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] when the task panicked or was aborted.
/// Dropping it detaches the task, which keeps running.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::time::{sleep, Duration};
/// let h = tokio::spawn(async { sleep(Duration::from_secs(10)).await });
/// h.abort();
/// assert!(h.await.unwrap_err().is_cancelled());
/// # });
/// ```
pub struct JoinHandle<T> {
    inner: sim::JoinHandle<T>,
    id: Id,
}

impl<T> JoinHandle<T> {
    /// Aborts the task: its future is dropped before it is polled again, and awaiting this
    /// handle gives a cancelled [`JoinError`]. Aborting a finished task does nothing.
    pub fn abort(&self) {
        self.inner.abort();
    }

    /// True once the task has ended (completed, panicked or been aborted); after the run,
    /// every task has.
    pub fn is_finished(&self) -> bool {
        !sim::in_simulation() || self.inner.is_finished()
    }

    /// A handle that can abort the task without owning its output.
    ///
    /// ```
    /// # use seedloop_tokio as tokio;
    /// # tokio::__seedloop::doc_run(async {
    /// let h = tokio::spawn(std::future::pending::<()>());
    /// let a = h.abort_handle();
    /// a.abort();
    /// assert!(h.await.unwrap_err().is_cancelled());
    /// assert!(a.is_finished());
    /// # });
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            inner: self.inner.abort_handle(),
            id: self.id,
        }
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.id
    }
}

// `T: 'static` as sim's handle needs (a task's output is read back out of the task's own block
// by type); every handle comes from `spawn`, which requires it anyway.
impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let id = self.id;
        match Pin::new(&mut self.inner).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(v)) => Poll::Ready(Ok(v)),
            Poll::Ready(Err(e)) => Poll::Ready(Err(JoinError::from_sim(id, e))),
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").field("id", &self.id).finish()
    }
}

/// Aborts a task without awaiting it (tokio's `task::AbortHandle`).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let h = tokio::spawn(async { 1 });
/// let a = h.abort_handle();
/// assert_eq!(a.id(), h.id());
/// assert_eq!(h.await.unwrap(), 1);
/// assert!(a.is_finished());
/// a.abort(); // too late: nothing happens
/// # });
/// ```
#[derive(Clone)]
pub struct AbortHandle {
    inner: sim::task::AbortHandle,
    id: Id,
}

impl AbortHandle {
    /// Aborts the task: its future is dropped before it is polled again.
    pub fn abort(&self) {
        self.inner.abort();
    }

    /// True once the task has ended; after the run, every task has.
    pub fn is_finished(&self) -> bool {
        !sim::in_simulation() || self.inner.is_finished()
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.id
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle").field("id", &self.id).finish()
    }
}
