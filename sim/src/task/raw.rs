//! The type-erased task: a user future plus the cell its `JoinHandle` reads.
//!
//! States of a task's join cell, all transitions in [`JoinCell::complete`] and
//! [`JoinCell::poll_take`]:
//!
//! ```text
//! Running{joiner waker} --complete(result)--> Done(result) --take--> Taken
//! ```
//!
//! `complete` happens exactly once: when the future returns, when its poll panics, or when the
//! executor drops it after an abort. The joiner's waker is woken outside any borrow.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

use super::JoinError;

/// What the executor needs from a task, whatever its output type.
pub(crate) trait RawTask {
    /// Polls the user future; on completion stores the output in the join cell.
    fn poll_task(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;
    /// Completes the join cell with an error (the future panicked or was aborted).
    fn fail(self: Pin<&mut Self>, err: JoinError);
    /// A handle that tells, at the end of the run, whether anybody took the task's result.
    fn observer(&self) -> Rc<dyn Observed>;
}

/// Whether a task's result was taken by a joiner.
pub(crate) trait Observed {
    fn observed(&self) -> bool;
}

pin_project! {
    pub(crate) struct TaskFuture<F: Future> {
        #[pin]
        fut: F,
        cell: Rc<JoinCell<F::Output>>,
    }
}

impl<F: Future> TaskFuture<F> {
    pub(crate) fn new(fut: F, cell: Rc<JoinCell<F::Output>>) -> Self {
        TaskFuture { fut, cell }
    }
}

impl<F> RawTask for TaskFuture<F>
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn poll_task(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        match this.fut.poll(cx) {
            Poll::Ready(v) => {
                this.cell.complete(Ok(v));
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn fail(self: Pin<&mut Self>, err: JoinError) {
        self.project().cell.complete(Err(err));
    }

    fn observer(&self) -> Rc<dyn Observed> {
        self.cell.clone()
    }
}

enum JoinState<T> {
    Running(Option<Waker>),
    /// The error is boxed: it is rare and large, and every live task carries this state.
    Done(Result<T, Box<JoinError>>),
    Taken,
}

/// Shared by a task and its `JoinHandle`.
pub(crate) struct JoinCell<T> {
    /// `Taken` also means "observed": only a joiner takes the result.
    state: RefCell<JoinState<T>>,
}

impl<T> JoinCell<T> {
    pub(crate) fn new() -> Self {
        JoinCell {
            state: RefCell::new(JoinState::Running(None)),
        }
    }

    pub(crate) fn complete(&self, result: Result<T, JoinError>) {
        let prev = std::mem::replace(
            &mut *self.state.borrow_mut(),
            JoinState::Done(result.map_err(Box::new)),
        );
        if let JoinState::Running(Some(w)) = prev {
            w.wake();
        }
    }

    pub(crate) fn is_finished(&self) -> bool {
        !matches!(*self.state.borrow(), JoinState::Running(_))
    }

    /// Takes the result if the task finished, else stores `waker` for the completion.
    pub(crate) fn poll_take(&self, waker: &Waker) -> Poll<Result<T, JoinError>> {
        let mut st = self.state.borrow_mut();
        match &mut *st {
            JoinState::Running(w) => {
                match w {
                    Some(old) if old.will_wake(waker) => {}
                    _ => *w = Some(waker.clone()),
                }
                Poll::Pending
            }
            JoinState::Done(_) => {
                let JoinState::Done(r) = std::mem::replace(&mut *st, JoinState::Taken) else {
                    unreachable!()
                };
                Poll::Ready(r.map_err(|e| *e))
            }
            JoinState::Taken => panic!("a JoinHandle was polled after it returned its result"),
        }
    }
}

impl<T> Observed for JoinCell<T> {
    fn observed(&self) -> bool {
        matches!(*self.state.borrow(), JoinState::Taken)
    }
}
