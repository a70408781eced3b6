//! [`WaitSlot`]: the one state machine every waiting future of a `sim` primitive is built on.
//!
//! A waiting future (locking, receiving, waiting for an event...) owns a `WaitSlot`; the
//! primitive owns a [`WaitList`] inside its state, behind whatever lock guards that state (a
//! `RefCell` today; a `std::sync::Mutex` works the same, since the slot never touches the
//! state itself: every method that needs the list takes it as an argument, and the primitive
//! calls it while holding its lock). The slot holds no `Rc`, no `RefCell` and no waker, so it
//! is `Send + Sync + Unpin`.
//!
//! Its states, every transition here:
//!
//! ```text
//!         preempt (first poll)        join                 poll: granted
//! Fresh ─────────────────────> Idle ───────> Waiting(id) ─────────────────> Idle
//!                                 ^              │ cancel (the future is dropped):
//!                                 │              │   leaves the list, hands back a grant
//!                                 └── reset      ▼   it never took
//!                                              Idle
//! ```
//!
//! and `Done`, which a primitive whose future completes once sets when it completes (polling
//! again then panics, naming the operation). The slot also names the operation and the line that
//! created the future, for the wait note deadlock reports print.

use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Waker};

use super::{WaitList, WaiterId};
use crate::rt::primitives;

/// What [`WaitSlot::poll`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Handed<G> {
    /// The primitive handed the waiter this grant; the slot left the list.
    Grant(G),
    /// Still waiting (the waker was refreshed).
    NotYet,
    /// Not in the list: the caller tries to complete now, and joins the list if it cannot.
    NotQueued,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Not polled yet: the next poll is the operation's first, a preemption point.
    Fresh,
    /// Past its preemption point, not in a list.
    Idle,
    /// In a wait list.
    Waiting(WaiterId),
    /// Completed.
    Done,
}

/// One waiting future's place: see the module docs.
#[derive(Debug)]
pub(crate) struct WaitSlot {
    state: State,
    op: &'static str,
    site: &'static Location<'static>,
}

impl WaitSlot {
    /// A slot for operation `op` (e.g. `"Mutex::lock"`) of a future created at `site`.
    #[inline]
    pub(crate) fn new(op: &'static str, site: &'static Location<'static>) -> Self {
        WaitSlot {
            state: State::Fresh,
            op,
            site,
        }
    }

    /// A slot placed in a list already by someone else on the future's behalf (a `Condvar`
    /// waiter queued on its mutex by `notify`): its preemption point is behind it.
    #[inline]
    pub(crate) fn queued(id: WaiterId, op: &'static str, site: &'static Location<'static>) -> Self {
        WaitSlot {
            state: State::Waiting(id),
            op,
            site,
        }
    }

    /// The operation's preemption point, at its first poll only: true when the strategy
    /// switched away and the caller must return `Pending` (the task is woken already).
    ///
    /// # Panics
    /// When the slot is done (the future was polled after it completed).
    #[inline]
    pub(crate) fn preempt(&mut self, cx: &mut Context<'_>) -> bool {
        self.preempt_named(cx, None)
    }

    /// [`preempt`](Self::preempt) of an operation on the primitive called `name`, which the
    /// trace records with it.
    ///
    /// # Panics
    /// When the slot is done.
    #[inline]
    pub(crate) fn preempt_named(&mut self, cx: &mut Context<'_>, name: Option<&Arc<str>>) -> bool {
        match self.state {
            State::Fresh => {
                self.state = State::Idle;
                primitives::operation_start(self.op, name, self.site, cx)
            }
            State::Done => panic!("`{}` future polled after it completed", self.op),
            _ => false,
        }
    }

    /// [`preempt`](Self::preempt) for a slot kept by a handle that runs one operation after
    /// another (a channel's receiver): the operation and its line come with each one.
    ///
    /// # Panics
    /// When the slot is done.
    #[inline]
    pub(crate) fn preempt_as(
        &mut self,
        cx: &mut Context<'_>,
        op: &'static str,
        name: Option<&Arc<str>>,
        site: &'static Location<'static>,
    ) -> bool {
        self.op = op;
        self.site = site;
        self.preempt_named(cx, name)
    }

    /// Under the primitive's lock: what the waiter was handed, if it waits in `list`.
    #[inline]
    pub(crate) fn poll<G, M>(&mut self, list: &mut WaitList<G, M>, waker: &Waker) -> Handed<G> {
        let State::Waiting(id) = self.state else {
            return Handed::NotQueued;
        };
        if let Some(grant) = list.take_grant(id) {
            self.state = State::Idle;
            return Handed::Grant(grant);
        }
        list.update_waker(id, waker);
        if list.is_waiting(id) {
            Handed::NotYet
        } else {
            self.state = State::Idle;
            Handed::NotQueued
        }
    }

    /// Under the primitive's lock: joins the back of `list`, asking for `meta`.
    #[inline]
    pub(crate) fn join<G, M>(&mut self, list: &mut WaitList<G, M>, waker: &Waker, meta: M) {
        debug_assert!(!self.is_waiting(), "a slot joins one list once");
        self.state = State::Waiting(list.register(waker, meta));
    }

    /// Records the wait for deadlock reports: `op` on the resource `name`, at the future's line.
    /// Call it after releasing the primitive's lock, before returning `Pending`.
    #[inline]
    pub(crate) fn note(&self, name: Option<&Arc<str>>) {
        primitives::wait_on(self.op, name, Some(self.site));
    }

    /// Under the primitive's lock, when the future is dropped (or gives up waiting): leaves
    /// `list`. Returns the grant it was handed and never took, which the primitive must pass on.
    #[inline]
    pub(crate) fn cancel<G, M>(&mut self, list: &mut WaitList<G, M>) -> Option<G> {
        let State::Waiting(id) = self.state else {
            return None;
        };
        self.state = State::Idle;
        list.cancel(id)
    }

    /// True while the slot is in a list.
    #[inline]
    pub(crate) fn is_waiting(&self) -> bool {
        matches!(self.state, State::Waiting(_))
    }

    /// The future completed: a later poll panics, naming the operation.
    #[inline]
    pub(crate) fn done(&mut self) {
        self.state = State::Done;
    }

    /// Back to a fresh operation (for a handle that polls one operation after another, such as
    /// a `Stream`): the next poll is a preemption point again.
    #[inline]
    pub(crate) fn reset(&mut self) {
        self.state = State::Fresh;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn waker() -> Waker {
        Waker::from(Arc::new(Count(AtomicUsize::new(0))))
    }

    fn assert_send_sync_unpin<T: Send + Sync + Unpin>() {}

    #[test]
    fn a_slot_is_a_plain_value() {
        assert_send_sync_unpin::<WaitSlot>();
        assert_send_sync_unpin::<WaitList<u32, usize>>();
    }

    #[test]
    fn a_slot_takes_its_grant_once_and_hands_back_one_it_never_took() {
        let w = waker();
        let mut list: WaitList<u32> = WaitList::default();
        let mut a = WaitSlot::new("op", Location::caller());
        let mut b = WaitSlot::new("op", Location::caller());
        assert_eq!(a.poll(&mut list, &w), Handed::NotQueued);
        a.join(&mut list, &w, ());
        b.join(&mut list, &w, ());
        assert_eq!(a.poll(&mut list, &w), Handed::NotYet);
        assert!(list.grant_front(7).is_ok());
        assert_eq!(a.poll(&mut list, &w), Handed::Grant(7));
        assert_eq!(a.poll(&mut list, &w), Handed::NotQueued);
        assert!(list.grant_front(8).is_ok());
        // b is dropped before it took its grant: it comes back to be passed on.
        assert_eq!(b.cancel(&mut list), Some(8));
        assert_eq!(b.cancel(&mut list), None);
        assert!(list.is_empty());
    }
}
