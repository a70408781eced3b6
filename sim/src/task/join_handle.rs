//! Awaiting and aborting a spawned task: [`JoinHandle`] and [`AbortHandle`].
//!
//! A handle is a name, not a share: it holds the run's number and the task's key, and the task's
//! output lives in the task's own block inside the run until the handle takes it. So handles are
//! `Send` and `Sync` as tokio's are, cost no reference counting, and can be used only inside the
//! run that spawned the task (anywhere else they panic, naming the call).

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use super::TaskId;
use crate::model::JoinError;
use crate::rt::context;
use crate::rt::{TaskKey, WaitKind};

/// An owned permission to await a task's result or abort it.
///
/// Awaiting gives `Ok(output)`, or a [`JoinError`] if the task panicked or was aborted.
/// Dropping the handle *detaches* the task: it keeps running (unlike asyncio, where an
/// unreferenced task may be garbage-collected, and like tokio).
///
/// Like tokio's, a `JoinHandle<T>` is `Send` and `Sync` when `T` is `Send`, and always `Unpin`.
/// It works only inside the run that spawned the task: awaiting it or calling
/// [`is_finished`](Self::is_finished) after that run ended (or in another run, or on another
/// thread) panics with a message naming the call; [`abort`](Self::abort) then does nothing
/// (the task ended with its run), except in another run, where it panics too.
///
/// ```
/// use std::time::Duration;
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let h = sim::spawn(async { sim::time::sleep(Duration::from_secs(1)).await; 5 });
///     assert!(!h.is_finished());
///     assert_eq!(h.await.unwrap(), 5);
/// }).unwrap();
/// ```
pub struct JoinHandle<T> {
    sim: u64,
    key: TaskKey,
    /// `Send + Sync` exactly when `T: Send`, as tokio's handle (the output crosses to the
    /// joiner by value; nobody reads it by reference).
    _output: PhantomData<Mutex<T>>,
}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    pub(crate) fn new(sim: u64, key: TaskKey) -> Self {
        JoinHandle {
            sim,
            key,
            _output: PhantomData,
        }
    }

    /// Aborts the task: its future is dropped before it is polled again (its `Drop` guards run at
    /// this virtual instant), and awaiting the handle gives [`JoinError::is_cancelled`]. Aborting
    /// a finished task changes nothing; aborting twice is aborting once; a task aborted before
    /// its first poll never runs. Once the run is over every task of it has ended, so aborting
    /// then (or from a thread with no run) does nothing.
    ///
    /// Returns whether it took effect (asyncio's `Task.cancel()` answer): true when the task
    /// had not finished, so it ends cancelled (or was being aborted already); false when it had
    /// finished, or the run is over. Ignoring the answer is fine (tokio's `abort` has none).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let done = sim::spawn(async {});
    ///     sim::task::yield_now().await;
    ///     sim::task::yield_now().await;
    ///     assert!(done.is_finished());
    ///     assert!(!done.abort()); // too late
    ///     let parked = sim::spawn(std::future::pending::<()>());
    ///     assert!(parked.abort());
    ///     assert!(parked.await.unwrap_err().is_cancelled());
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Inside another run than the one that spawned the task.
    #[track_caller]
    pub fn abort(&self) -> bool {
        context::with_run_if_any("JoinHandle::abort", self.sim, |core| core.abort(self.key))
            .unwrap_or(false)
    }

    /// Drops the handle for a combinator that propagated a sibling's failure: this task's
    /// panics count as observed (see `gather`).
    pub(crate) fn release_observed(self) {
        context::try_with_run(self.sim, |core| core.release_handle_observed(self.key));
    }

    /// Aborts the task if its run is the one running here; does nothing otherwise (for `Drop`
    /// implementations, which must not panic).
    pub(crate) fn abort_if_in_run(&self) {
        context::try_with_run(self.sim, |core| core.abort(self.key));
    }

    /// True once the task has completed, panicked or been dropped after an abort.
    ///
    /// # Panics
    /// Outside the run that spawned the task.
    #[track_caller]
    pub fn is_finished(&self) -> bool {
        context::with_run("JoinHandle::is_finished", self.sim, |core| {
            core.is_finished(self.key)
        })
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.key.id()
    }

    /// A handle that can abort the task (and tell whether it finished) but not await it; it
    /// can be cloned and outlives this handle.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let h = sim::spawn(std::future::pending::<()>());
    ///     let stop = h.abort_handle();
    ///     stop.abort();
    ///     assert!(h.await.unwrap_err().is_cancelled());
    ///     assert!(stop.is_finished());
    /// }).unwrap();
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            sim: self.sim,
            key: self.key,
        }
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let key = self.key;
        context::with_run("JoinHandle::poll", self.sim, |core| {
            let res = core.poll_join(key, cx.waker());
            if res.is_pending() {
                core.note_wait(WaitKind::Join { task: key.id() }, None);
            }
            res
        })
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        // Outside its run the task is gone already (the run ended) or unreachable from here.
        context::try_with_run(self.sim, |core| core.release_handle(self.key));
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("JoinHandle");
        d.field("id", &self.key.id());
        if let Some(finished) = context::try_with_run(self.sim, |core| core.is_finished(self.key)) {
            d.field("finished", &finished);
        }
        d.finish()
    }
}

/// A permission to abort a task, without awaiting it: from [`JoinHandle::abort_handle`].
/// Cheap to clone, `Send + Sync`, usable inside the task's run only (like its `JoinHandle`).
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let h = sim::spawn(async { 1 });
///     let a = h.abort_handle();
///     assert_eq!(a.id(), h.id());
///     assert_eq!(h.await.unwrap(), 1);
///     a.abort(); // finished: changes nothing
///     assert!(a.is_finished());
/// }).unwrap();
/// ```
#[derive(Clone)]
pub struct AbortHandle {
    sim: u64,
    key: TaskKey,
}

impl AbortHandle {
    /// Aborts the task, as [`JoinHandle::abort`] (after the run, it does nothing); returns
    /// whether it took effect.
    ///
    /// # Panics
    /// Inside another run than the one that spawned the task.
    #[track_caller]
    pub fn abort(&self) -> bool {
        context::with_run_if_any("AbortHandle::abort", self.sim, |core| core.abort(self.key))
            .unwrap_or(false)
    }

    /// True once the task has completed, panicked or been dropped after an abort.
    ///
    /// # Panics
    /// Outside the run that spawned the task.
    #[track_caller]
    pub fn is_finished(&self) -> bool {
        context::with_run("AbortHandle::is_finished", self.sim, |core| {
            core.is_finished(self.key)
        })
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.key.id()
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.key.id())
            .finish()
    }
}
