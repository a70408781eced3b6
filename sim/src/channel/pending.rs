//! The poll state machines of one `get` and one `put` on a [`Chan`], on a [`WaitSlot`]: a
//! preemption point on the first poll, then a fresh attempt, then (if it must wait) a place in
//! the channel's FIFO line until something is handed over. Both are kept by the future (or the
//! handle, for `Stream` and `Sink`, which run one operation after another) and must be cancelled
//! when it is dropped mid-wait.

use crate::sync::cell::StateCell;
use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::chan::{Chan, Grant, PutGrant, Wakes};
use crate::rt::primitives::{self, Handed, WaitSlot};

/// What a blocked task is reported as waiting on. (Read only when the task blocks: the
/// handle's operation changes from one call to the next, so the slot's own label is not used.)
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

/// One `get` in progress.
#[derive(Debug)]
pub(crate) struct PendingGet {
    slot: WaitSlot,
}

impl Default for PendingGet {
    fn default() -> Self {
        PendingGet {
            slot: WaitSlot::new("get", Location::caller()),
        }
    }
}

impl PendingGet {
    /// `Ready(Some(item))`, or `Ready(None)` when the channel is closed and empty.
    pub(crate) fn poll<T>(
        &mut self,
        chan: &StateCell<Chan<T>>,
        cx: &mut Context<'_>,
        at: WaitSite<'_>,
    ) -> Poll<Option<T>> {
        if self.slot.preempt_as(cx, at.op, at.name, at.site) {
            return Poll::Pending;
        }
        let mut wk = Wakes::default();
        let mut c = chan.borrow_mut();
        match c.poll_getter(&mut self.slot, cx.waker(), &mut wk) {
            Handed::Grant(Grant::Item(v)) => {
                drop(c);
                self.slot.reset();
                wk.wake();
                return Poll::Ready(Some(v));
            }
            // Closed while waiting: look once more below.
            Handed::Grant(Grant::Closed) | Handed::NotQueued => {}
            Handed::NotYet => {
                drop(c);
                at.note();
                return Poll::Pending;
            }
        }
        let out = if let Some(v) = c.try_take(&mut wk) {
            Some(Some(v))
        } else if c.is_closed() {
            Some(None)
        } else {
            c.join_getter(&mut self.slot, cx.waker(), &mut wk);
            None
        };
        drop(c);
        wk.wake();
        match out {
            Some(v) => {
                self.slot.reset();
                Poll::Ready(v)
            }
            None => {
                at.note();
                Poll::Pending
            }
        }
    }

    /// Leaves the line (the future was dropped); an item already handed over is passed on.
    /// The next poll starts a fresh operation.
    #[inline]
    pub(crate) fn cancel<T>(&mut self, chan: &StateCell<Chan<T>>) {
        if self.slot.is_waiting() {
            self.leave(chan);
        }
        self.slot.reset();
    }

    #[inline(never)]
    fn leave<T>(&mut self, chan: &StateCell<Chan<T>>) {
        let mut wk = Wakes::default();
        chan.borrow_mut().cancel_getter(&mut self.slot, &mut wk);
        wk.wake();
    }
}

/// One `put` in progress, up to the moment it holds its reserved slots (one, or `n` for
/// [`many`](PendingPut::many)).
#[derive(Debug)]
pub(crate) struct PendingPut {
    slot: WaitSlot,
    n: usize,
}

impl Default for PendingPut {
    fn default() -> Self {
        PendingPut::many(1)
    }
}

impl PendingPut {
    /// A put that reserves `n` slots at once (in one turn of the line).
    pub(crate) fn many(n: usize) -> Self {
        PendingPut {
            slot: WaitSlot::new("put", Location::caller()),
            n,
        }
    }

    /// `Ready(Ok(()))` once the caller holds its reserved slots (it must then `commit` or
    /// `unreserve` each), `Ready(Err(()))` when the channel is closed, also when it closes while
    /// the put waits.
    pub(crate) fn poll<T>(
        &mut self,
        chan: &StateCell<Chan<T>>,
        cx: &mut Context<'_>,
        at: WaitSite<'_>,
    ) -> Poll<Result<(), ()>> {
        self.poll_then(chan, cx, at, |_, _| ())
    }

    /// [`poll`](Self::poll) that writes `value` into the slot as soon as it is reserved, under
    /// the same borrow of the channel (a send takes the channel's lock once, not twice).
    /// `Ready(Err(value))` when the channel is closed.
    pub(crate) fn poll_put<T>(
        &mut self,
        chan: &StateCell<Chan<T>>,
        cx: &mut Context<'_>,
        at: WaitSite<'_>,
        value: &mut Option<T>,
    ) -> Poll<Result<(), T>> {
        let r = self.poll_then(chan, cx, at, |c, wk| {
            let v = value.take().expect("a put writes its value once");
            c.commit(v, wk)
        });
        match r {
            Poll::Ready(Ok(r)) => Poll::Ready(r),
            Poll::Ready(Err(())) => Poll::Ready(Err(value
                .take()
                .expect("a put refused by a closed channel still has its value"))),
            Poll::Pending => Poll::Pending,
        }
    }

    /// The put's state machine; `reserved` runs under the channel's borrow once a slot is the
    /// caller's (its wake-ups are woken after the borrow ends).
    fn poll_then<T, R>(
        &mut self,
        chan: &StateCell<Chan<T>>,
        cx: &mut Context<'_>,
        at: WaitSite<'_>,
        reserved: impl FnOnce(&mut Chan<T>, &mut Wakes) -> R,
    ) -> Poll<Result<R, ()>> {
        if self.slot.preempt_as(cx, at.op, at.name, at.site) {
            return Poll::Pending;
        }
        let mut wk = Wakes::default();
        let mut c = chan.borrow_mut();
        let out = match c.poll_putter(&mut self.slot, cx.waker()) {
            // Handed its slots, but the channel closed before it ran: it fails, as it would
            // have had it still waited (tokio's `reserve` does the same).
            Handed::Grant(PutGrant::Slots) if c.is_closed() => {
                c.unreserve_n(self.n, &mut wk);
                Some(Err(()))
            }
            Handed::Grant(PutGrant::Slots) => Some(Ok(())),
            Handed::Grant(PutGrant::Closed) => Some(Err(())),
            Handed::NotYet => None,
            Handed::NotQueued => match c.try_reserve_n(self.n) {
                Err(()) => Some(Err(())),
                Ok(true) => Some(Ok(())),
                Ok(false) => {
                    c.join_putter(&mut self.slot, cx.waker(), self.n);
                    None
                }
            },
        };
        let out = out.map(|r| r.map(|()| reserved(&mut c, &mut wk)));
        drop(c);
        wk.wake();
        match out {
            Some(r) => {
                self.slot.reset();
                Poll::Ready(r)
            }
            None => {
                at.note();
                Poll::Pending
            }
        }
    }

    /// True while it stands in the line.
    pub(crate) fn is_waiting(&self) -> bool {
        self.slot.is_waiting()
    }

    /// Leaves the line (the future was dropped); a slot already handed over is passed on.
    /// The next poll starts a fresh operation.
    #[inline]
    pub(crate) fn cancel<T>(&mut self, chan: &StateCell<Chan<T>>) {
        if self.slot.is_waiting() {
            self.leave(chan);
        }
        self.slot.reset();
    }

    #[inline(never)]
    fn leave<T>(&mut self, chan: &StateCell<Chan<T>>) {
        let mut wk = Wakes::default();
        chan.borrow_mut()
            .cancel_putter(&mut self.slot, self.n, &mut wk);
        wk.wake();
    }
}
