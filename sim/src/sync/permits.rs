//! The counting core shared by `Mutex`, `RwLock` and `Semaphore`: a number of available permits
//! and a FIFO [`WaitList`] of requests.
//!
//! Invariant, restored by [`hand_off`] after every change: the oldest waiter never asks for
//! fewer permits than are available. So a request that finds anybody waiting queues behind them
//! (no barging), a request at the front blocks smaller later ones, and releasing permits hands
//! them straight to the waiters in order.

use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::cell::StateCell;
use crate::rt::primitives::{Handed, WaitList, WaitSlot, WaiterId};

pub(crate) struct Permits {
    state: StateCell<State>,
    pub(crate) name: Option<Arc<str>>,
}

struct State {
    available: usize,
    /// Grant: the permits handed over (`None`: the semaphore was closed); request: how many the
    /// waiter asked for.
    waiters: WaitList<Option<usize>, usize>,
    closed: bool,
}

/// The permits were closed ([`Permits::close`]): the request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

/// Grants the front waiters while their requests fit; returns their wakers.
fn hand_off(st: &mut State) -> Vec<Waker> {
    let mut wakers = Vec::new();
    while let Some(&need) = st.waiters.front_meta() {
        if need > st.available {
            break;
        }
        st.available -= need;
        match st.waiters.grant_front(Some(need)) {
            Ok(w) => wakers.push(w),
            Err(_) => unreachable!("front_meta said somebody waits"),
        }
    }
    wakers
}

fn wake_all(wakers: Vec<Waker>) {
    for w in wakers {
        w.wake();
    }
}

impl Permits {
    pub(crate) fn new(available: usize, name: Option<Arc<str>>) -> Self {
        Permits {
            state: StateCell::new(State {
                available,
                waiters: WaitList::default(),
                closed: false,
            }),
            name,
        }
    }

    pub(crate) fn available(&self) -> usize {
        self.state.borrow().available
    }

    pub(crate) fn waiting(&self) -> usize {
        self.state.borrow().waiters.waiting()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.state.borrow().closed
    }

    /// Closes: every waiter's request fails, and so does every later one; permits still come
    /// back when released.
    pub(crate) fn close(&self) {
        let wakers = {
            let mut st = self.state.borrow_mut();
            st.closed = true;
            st.waiters.grant_all(|_| None)
        };
        wake_all(wakers);
    }

    /// Removes up to `n` available permits for good; returns how many it removed.
    pub(crate) fn forget(&self, n: usize) -> usize {
        let mut st = self.state.borrow_mut();
        let n = n.min(st.available);
        st.available -= n;
        n
    }

    /// Takes `n` permits now if nobody waits and enough are available (never once closed).
    pub(crate) fn try_take(&self, n: usize) -> bool {
        let mut st = self.state.borrow_mut();
        if !st.closed && st.waiters.is_empty() && st.available >= n {
            st.available -= n;
            true
        } else {
            false
        }
    }

    /// Gives `n` permits back and hands them on.
    pub(crate) fn release(&self, n: usize) {
        let wakers = {
            let mut st = self.state.borrow_mut();
            st.available = st.available.checked_add(n).unwrap_or_else(|| {
                panic!("a semaphore's permit count overflowed usize (adding {n})")
            });
            hand_off(&mut st)
        };
        wake_all(wakers);
    }

    /// Queues a request for `n` permits on behalf of a task that is not running (a `Condvar`
    /// waiter moving to its mutex); it may be granted at once.
    pub(crate) fn enqueue(&self, waker: &Waker, n: usize) -> (WaiterId, Vec<Waker>) {
        let mut st = self.state.borrow_mut();
        let id = st.waiters.register(waker, n);
        (id, hand_off(&mut st))
    }
}

/// One request for permits, driven by the future of `lock`, `acquire`, `read`, ... The owner
/// polls it with its `Permits` and calls [`Acquire::cancel`] when dropped.
pub(crate) struct Acquire {
    n: usize,
    slot: WaitSlot,
}

impl Acquire {
    pub(crate) fn new(n: usize, op: &'static str, site: &'static Location<'static>) -> Self {
        Acquire {
            n,
            slot: WaitSlot::new(op, site),
        }
    }

    /// A request already queued by [`Permits::enqueue`] (its preemption point is behind it).
    pub(crate) fn enqueued(
        id: WaiterId,
        n: usize,
        op: &'static str,
        site: &'static Location<'static>,
    ) -> Self {
        Acquire {
            n,
            slot: WaitSlot::queued(id, op, site),
        }
    }

    /// `Ready(Ok)` once the permits are the caller's; `Ready(Err)` when they were closed.
    pub(crate) fn poll(&mut self, p: &Permits, cx: &mut Context<'_>) -> Poll<Result<(), Closed>> {
        if self.slot.preempt_named(cx, p.name.as_ref()) {
            return Poll::Pending;
        }
        {
            let mut st = p.state.borrow_mut();
            match self.slot.poll(&mut st.waiters, cx.waker()) {
                Handed::Grant(g) => {
                    self.slot.done();
                    return Poll::Ready(g.map(|_| ()).ok_or(Closed));
                }
                Handed::NotYet => {}
                Handed::NotQueued => {
                    if st.closed {
                        self.slot.done();
                        return Poll::Ready(Err(Closed));
                    }
                    if st.waiters.is_empty() && st.available >= self.n {
                        st.available -= self.n;
                        self.slot.done();
                        return Poll::Ready(Ok(()));
                    }
                    self.slot.join(&mut st.waiters, cx.waker(), self.n);
                }
            }
        }
        self.slot.note(p.name.as_ref());
        Poll::Pending
    }

    /// The owning future is dropped: leave the queue, giving back a grant never taken.
    pub(crate) fn cancel(&mut self, p: &Permits) {
        if self.slot.is_waiting() {
            let wakers = {
                let mut st = p.state.borrow_mut();
                if let Some(Some(granted)) = self.slot.cancel(&mut st.waiters) {
                    st.available += granted;
                }
                // Also when it was waiting: leaving the front may let smaller requests through.
                hand_off(&mut st)
            };
            wake_all(wakers);
        }
        self.slot.done();
    }
}
