//! `JoinHandle` and `AbortHandle` over `sim`'s tasks.
//!
//! A task's future is wrapped in a [`Body`] that shares a [`Control`] with the handles: an
//! [`AbortHandle`] (which, unlike the `JoinHandle`, does not know the task's output type) sets
//! the control's flag and wakes the task, whose body then drops the future without polling it
//! and ends. `JoinHandle::abort` also asks `sim` to abort the task directly, so the trace shows
//! the abort. Either way the joiner gets a cancelled [`JoinError`].

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use futures::task::AtomicWaker;

use pin_project_lite::pin_project;

use super::{Id, JoinError};

/// What a task and its handles share.
#[derive(Debug, Default)]
pub(crate) struct Control {
    aborted: AtomicBool,
    finished: AtomicBool,
    /// The task's waker while it waits, so an abort can wake it.
    waker: AtomicWaker,
}

impl Control {
    fn abort(&self) {
        self.aborted.store(true, Ordering::Release);
        self.waker.wake();
    }

    fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Relaxed)
    }
}

pin_project! {
    /// The future a facade task runs: the user's future until it ends or an abort arrives.
    struct Body<F> {
        #[pin]
        state: State<F>,
        guard: Finished,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Running { #[pin] fut: F },
        Done,
    }
}

/// Marks the task finished when its body is dropped (completed, aborted, or dropped at the end
/// of the run).
struct Finished(Arc<Control>);

impl Drop for Finished {
    fn drop(&mut self) {
        self.0.finished.store(true, Ordering::Relaxed);
    }
}

impl<F: Future> Future for Body<F> {
    /// `None` when an abort ended the task.
    type Output = Option<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let ctl = &this.guard.0;
        let out = match this.state.as_mut().project() {
            StateProj::Done => panic!("a task body was polled after it ended"),
            StateProj::Running { fut } => {
                if ctl.aborted.load(Ordering::Acquire) {
                    None
                } else {
                    ctl.waker.register(cx.waker());
                    match fut.poll(cx) {
                        Poll::Ready(v) => Some(v),
                        Poll::Pending => return Poll::Pending,
                    }
                }
            }
        };
        // Drop the user's future now: its `Drop` runs at this virtual instant.
        this.state.set(State::Done);
        Poll::Ready(out)
    }
}

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
    let ctl = Arc::new(Control::default());
    let body = Body {
        state: State::Running { fut: future },
        guard: Finished(ctl.clone()),
    };
    let inner = sim::spawn(body);
    let id = Id::from_sim(inner.id());
    JoinHandle { inner, ctl, id }
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
    inner: sim::JoinHandle<Option<T>>,
    ctl: Arc<Control>,
    id: Id,
}

impl<T> JoinHandle<T> {
    /// Aborts the task: its future is dropped before it is polled again, and awaiting this
    /// handle gives a cancelled [`JoinError`]. Aborting a finished task does nothing.
    pub fn abort(&self) {
        self.ctl.aborted.store(true, Ordering::Relaxed);
        self.inner.abort();
    }

    /// True once the task has ended (completed, panicked or been aborted).
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished() || self.ctl.is_finished()
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
            ctl: self.ctl.clone(),
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
            Poll::Ready(Ok(Some(v))) => Poll::Ready(Ok(v)),
            Poll::Ready(Ok(None)) => Poll::Ready(Err(JoinError::cancelled(id))),
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
    ctl: Arc<Control>,
    id: Id,
}

impl AbortHandle {
    /// Aborts the task: it is woken, and its future is dropped instead of being polled.
    pub fn abort(&self) {
        if !self.ctl.is_finished() {
            self.ctl.abort();
        }
    }

    /// True once the task has ended.
    pub fn is_finished(&self) -> bool {
        self.ctl.is_finished()
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
