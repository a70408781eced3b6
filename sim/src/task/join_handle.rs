//! Awaiting and aborting a spawned task.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::raw::JoinCell;
use super::table::WaitKind;
use super::{JoinError, TaskId, TaskKey};
use crate::context;

/// An owned permission to await a task's result or abort it.
///
/// Awaiting gives `Ok(output)`, or a [`JoinError`] if the task panicked or was aborted.
/// Dropping the handle *detaches* the task: it keeps running (unlike asyncio, where an
/// unreferenced task may be garbage-collected, and like tokio).
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
    cell: Rc<JoinCell<T>>,
    key: TaskKey,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(cell: Rc<JoinCell<T>>, key: TaskKey) -> Self {
        JoinHandle { cell, key }
    }

    /// Aborts the task: its future is dropped before it is polled again (its `Drop` guards run at
    /// this virtual instant), and awaiting the handle gives [`JoinError::is_cancelled`]. Aborting
    /// a finished task changes nothing; aborting twice is aborting once; a task aborted before
    /// its first poll never runs.
    pub fn abort(&self) {
        if !self.cell.is_finished() {
            context::try_with(|core| core.abort(self.key));
        }
    }

    /// True once the task has completed, panicked or been dropped after an abort.
    pub fn is_finished(&self) -> bool {
        self.cell.is_finished()
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.key.id
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let res = self.cell.poll_take(cx.waker());
        if res.is_pending() {
            let target = self.key.id;
            context::try_with(|core| core.note_wait(WaitKind::Join { task: target }, None));
        }
        res
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.key.id)
            .field("finished", &self.is_finished())
            .finish()
    }
}
