//! The poll state machines of one `get` and one `put` on a [`Chan`]: a preemption point on the
//! first poll, then a fresh attempt, then (if it must wait) a place in the channel's FIFO line
//! until something is handed over. Both are kept by the future (or the handle, for `Stream` and
//! `Sink`) and must be cancelled when it is dropped mid-wait.

use std::cell::RefCell;
use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::chan::{Chan, Grant, Wakes};
use crate::rt::primitives;
use crate::rt::primitives::WaiterId;

/// What a blocked task is reported as waiting on.
#[derive(Clone, Copy)]
pub(crate) struct WaitSite<'a> {
    pub(crate) op: &'static str,
    pub(crate) name: Option<&'a Arc<str>>,
    pub(crate) site: &'static Location<'static>,
}

impl WaitSite<'_> {
    fn note(&self) {
        primitives::wait_on(self.op, self.name, Some(self.site));
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Step {
    /// Not started: the next poll is the operation's first.
    #[default]
    Idle,
    /// The strategy switched away at the preemption point: go on at the next poll.
    Preempted,
    /// In the channel's line.
    Waiting(WaiterId),
}

/// One `get` in progress.
#[derive(Debug, Default)]
pub(crate) struct GetWait {
    step: Step,
}

impl GetWait {
    /// `Ready(Some(item))`, or `Ready(None)` when the channel is closed and empty.
    pub(crate) fn poll<T>(
        &mut self,
        chan: &RefCell<Chan<T>>,
        cx: &mut Context<'_>,
        at: WaitSite<'_>,
    ) -> Poll<Option<T>> {
        let mut wk = Wakes::default();
        match self.step {
            Step::Idle => {
                if primitives::preemption_point(cx) {
                    self.step = Step::Preempted;
                    return Poll::Pending;
                }
            }
            Step::Preempted => {}
            Step::Waiting(id) => {
                let mut c = chan.borrow_mut();
                match c.take_grant(id, &mut wk) {
                    Some(Grant::Item(v)) => {
                        drop(c);
                        self.step = Step::Idle;
                        wk.wake();
                        return Poll::Ready(Some(v));
                    }
                    // Closed while waiting: look once more below.
                    Some(Grant::Closed) => {}
                    None => {
                        if c.getter_waits(id, cx.waker()) {
                            drop(c);
                            at.note();
                            return Poll::Pending;
                        }
                    }
                }
            }
        }
        let mut c = chan.borrow_mut();
        let out = if let Some(v) = c.try_take(&mut wk) {
            Some(Some(v))
        } else if c.is_closed() {
            Some(None)
        } else {
            self.step = Step::Waiting(c.register_getter(cx.waker()));
            None
        };
        drop(c);
        wk.wake();
        match out {
            Some(v) => {
                self.step = Step::Idle;
                Poll::Ready(v)
            }
            None => {
                at.note();
                Poll::Pending
            }
        }
    }

    /// Leaves the line (the future was dropped); an item already handed over is passed on.
    pub(crate) fn cancel<T>(&mut self, chan: &RefCell<Chan<T>>) {
        if let Step::Waiting(id) = std::mem::take(&mut self.step) {
            let mut wk = Wakes::default();
            chan.borrow_mut().cancel_getter(id, &mut wk);
            wk.wake();
        }
        self.step = Step::Idle;
    }
}

/// One `put` in progress, up to the moment it holds a reserved slot.
#[derive(Debug, Default)]
pub(crate) struct PutWait {
    step: Step,
}

impl PutWait {
    /// `Ready(Ok(()))` once the caller holds a reserved slot (it must then `commit` or
    /// `unreserve`), `Ready(Err(()))` when the channel is closed.
    pub(crate) fn poll<T>(
        &mut self,
        chan: &RefCell<Chan<T>>,
        cx: &mut Context<'_>,
        at: WaitSite<'_>,
    ) -> Poll<Result<(), ()>> {
        match self.step {
            Step::Idle => {
                if primitives::preemption_point(cx) {
                    self.step = Step::Preempted;
                    return Poll::Pending;
                }
            }
            Step::Preempted => {}
            Step::Waiting(id) => {
                let mut c = chan.borrow_mut();
                if c.take_slot(id) {
                    self.step = Step::Idle;
                    return Poll::Ready(Ok(()));
                }
                if c.putter_waits(id, cx.waker()) {
                    drop(c);
                    at.note();
                    return Poll::Pending;
                }
            }
        }
        let mut c = chan.borrow_mut();
        match c.try_reserve() {
            Err(()) => {
                self.step = Step::Idle;
                Poll::Ready(Err(()))
            }
            Ok(true) => {
                self.step = Step::Idle;
                Poll::Ready(Ok(()))
            }
            Ok(false) => {
                self.step = Step::Waiting(c.register_putter(cx.waker()));
                drop(c);
                at.note();
                Poll::Pending
            }
        }
    }

    /// True while it stands in the line.
    pub(crate) fn is_waiting(&self) -> bool {
        matches!(self.step, Step::Waiting(_))
    }

    /// Leaves the line (the future was dropped); a slot already handed over is passed on.
    pub(crate) fn cancel<T>(&mut self, chan: &RefCell<Chan<T>>) {
        if let Step::Waiting(id) = std::mem::take(&mut self.step) {
            let mut wk = Wakes::default();
            chan.borrow_mut().cancel_putter(id, &mut wk);
            wk.wake();
        }
        self.step = Step::Idle;
    }
}
