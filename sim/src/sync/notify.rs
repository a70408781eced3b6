//! `Notify`: tokio's wake-up signal with one stored permit.

use super::cell::StateCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::name_of;
use crate::rt::primitives::{Handed, WaitList, WaitSlot};

/// Wakes waiting tasks without carrying data (tokio's `Notify`).
///
/// - [`notify_one`](Notify::notify_one) releases the oldest waiter; when nobody waits it stores
///   one permit (at most one: two calls store one), which the next
///   [`notified`](Notify::notified) consumes at once.
/// - [`notify_waiters`](Notify::notify_waiters) releases every waiter and every `Notified`
///   future created before the call, even one not polled yet; it stores no permit.
///
/// A waiter released by `notify_one` and then dropped before it ran passes the notification on
/// (to the next waiter, or as the stored permit), so none is lost.
///
/// A `Notified` completes only after a notification, as tokio's does (no spurious wake-ups), so
/// unlike [`Condvar`](super::Condvar) there is no extra decision to explore: whether the released
/// task runs before others is already the scheduler's choice at every step.
///
/// ```
/// use std::rc::Rc;
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let n = Rc::new(sim::sync::Notify::new());
///     let n2 = n.clone();
///     let t = sim::spawn(async move { n2.notified().await; "woken" });
///     sim::task::yield_now().await;
///     n.notify_one();
///     assert_eq!(t.await.unwrap(), "woken");
/// }).unwrap();
/// ```
#[derive(Default)]
pub struct Notify {
    state: StateCell<State>,
    name: Option<Arc<str>>,
}

#[derive(Default)]
struct State {
    permit: bool,
    /// Bumped by every `notify_waiters`.
    generation: u64,
    /// Grant: true when released by `notify_one` (to pass on if never used).
    waiters: WaitList<bool>,
}

fn notify_one(st: &mut State) -> Option<Waker> {
    notify_with(st, WaitList::grant_front)
}

fn notify_with(
    st: &mut State,
    grant: fn(&mut WaitList<bool>, bool) -> Result<Waker, bool>,
) -> Option<Waker> {
    match grant(&mut st.waiters, true) {
        Ok(w) => Some(w),
        Err(_) => {
            st.permit = true;
            None
        }
    }
}

impl Notify {
    /// A `Notify` with no stored permit.
    ///
    /// ```
    /// let n = sim::sync::Notify::new();
    /// assert_eq!(n.name(), None);
    /// ```
    pub fn new() -> Self {
        Notify::default()
    }

    /// Like [`Notify::new`], with a name that deadlock reports show.
    ///
    /// ```
    /// assert_eq!(sim::sync::Notify::named("wakeup").name(), Some("wakeup"));
    /// ```
    pub fn named(name: impl Into<String>) -> Self {
        Notify {
            state: StateCell::default(),
            name: name_of(name),
        }
    }

    /// The name given to [`Notify::named`].
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Releases the oldest waiter, or stores one permit if nobody waits.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let n = sim::sync::Notify::new();
    ///     n.notify_one();
    ///     n.notify_one(); // still one permit
    ///     n.notified().await; // consumes it at once
    ///     assert!(sim::time::timeout(std::time::Duration::from_secs(1), n.notified()).await.is_err());
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn notify_one(&self) {
        crate::rt::primitives::signal(
            "Notify::notify_one",
            self.name.as_ref(),
            std::panic::Location::caller(),
        );
        let waker = notify_one(&mut self.state.borrow_mut());
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Like [`notify_one`](Notify::notify_one), but releases the task that started waiting
    /// last (tokio's `notify_last`); stores a permit when nobody waits.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let n = sim::sync::Notify::new();
    ///     n.notify_last();
    ///     n.notified().await; // the stored permit
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn notify_last(&self) {
        crate::rt::primitives::signal(
            "Notify::notify_last",
            self.name.as_ref(),
            std::panic::Location::caller(),
        );
        let waker = notify_with(&mut self.state.borrow_mut(), WaitList::grant_back);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// How many tasks wait (asyncio tests read the waiter count of a `Condition` or `Event`).
    ///
    /// ```
    /// assert_eq!(sim::sync::Notify::new().waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.state.borrow().waiters.waiting()
    }

    /// Releases every waiting task and every [`Notified`] created before this call; stores no
    /// permit.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let n = sim::sync::Notify::new();
    ///     let early = n.notified(); // created, not polled yet
    ///     n.notify_waiters();
    ///     early.await; // released all the same
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn notify_waiters(&self) {
        crate::rt::primitives::signal(
            "Notify::notify_waiters",
            self.name.as_ref(),
            std::panic::Location::caller(),
        );
        let wakers = {
            let mut st = self.state.borrow_mut();
            st.generation += 1;
            st.waiters.grant_all(|_| false)
        };
        for w in wakers {
            w.wake();
        }
    }

    /// Waits for a notification (consuming the stored permit at once if there is one). A
    /// preemption point. Dropped after `notify_one` released it but before it returned, it
    /// passes the notification on.
    ///
    /// ```
    /// use std::{rc::Rc, time::Duration};
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let n = Rc::new(sim::sync::Notify::new());
    ///     let n2 = n.clone();
    ///     sim::spawn(async move {
    ///         sim::time::sleep(Duration::from_secs(2)).await;
    ///         n2.notify_one();
    ///     });
    ///     n.notified().await;
    ///     assert_eq!(sim::time::elapsed(), Duration::from_secs(2));
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            generation: self.state.borrow().generation,
            slot: WaitSlot::new("Notify::notified", Location::caller()),
            released: false,
        }
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state.borrow();
        f.debug_struct("Notify")
            .field("name", &self.name)
            .field("permit", &st.permit)
            .field("waiting", &st.waiters.waiting())
            .finish()
    }
}

/// Future of [`Notify::notified`].
#[must_use = "futures do nothing unless awaited"]
pub struct Notified<'a> {
    notify: &'a Notify,
    generation: u64,
    slot: WaitSlot,
    /// Released by [`Notified::enable`] before its first poll.
    released: bool,
}

impl Notified<'_> {
    /// Registers this future for [`Notify::notify_one`] without polling it (tokio's `enable`):
    /// a notification sent after this call is this future's even before it is first awaited.
    /// Returns true when it is already released (a stored permit it took, or a
    /// [`Notify::notify_waiters`] since it was created).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let n = sim::sync::Notify::new();
    ///     let mut waiter = std::pin::pin!(n.notified());
    ///     assert!(!waiter.as_mut().enable());
    ///     assert_eq!(n.waiting(), 1);
    ///     n.notify_one(); // goes to the enabled future, not into a permit
    ///     waiter.await;
    /// }).unwrap();
    /// ```
    pub fn enable(mut self: Pin<&mut Self>) -> bool {
        let this = &mut *self;
        let mut st = this.notify.state.borrow_mut();
        match this.slot.poll(&mut st.waiters, Waker::noop()) {
            Handed::Grant(_) => {
                // Put it back for the poll that will take it.
                this.released = true;
                true
            }
            Handed::NotYet => false,
            Handed::NotQueued if this.released || st.generation != this.generation => true,
            Handed::NotQueued if st.permit => {
                st.permit = false;
                this.released = true;
                true
            }
            Handed::NotQueued => {
                this.slot.join(&mut st.waiters, Waker::noop(), ());
                false
            }
        }
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.slot.preempt_named(cx, this.notify.name.as_ref()) {
            return Poll::Pending;
        }
        {
            let mut st = this.notify.state.borrow_mut();
            let released = match this.slot.poll(&mut st.waiters, cx.waker()) {
                Handed::Grant(_) => true,
                Handed::NotYet => false,
                Handed::NotQueued if this.released => true,
                Handed::NotQueued if st.generation != this.generation => true,
                Handed::NotQueued if st.permit => {
                    st.permit = false;
                    true
                }
                Handed::NotQueued => {
                    this.slot.join(&mut st.waiters, cx.waker(), ());
                    false
                }
            };
            if released {
                this.released = false;
                this.slot.done();
                return Poll::Ready(());
            }
        }
        this.slot.note(this.notify.name.as_ref());
        Poll::Pending
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        if self.released {
            // `enable` took a notification this future never returned: pass it on.
            self.notify.notify_one();
        } else if self.slot.is_waiting() {
            let waker = {
                let mut st = self.notify.state.borrow_mut();
                match self.slot.cancel(&mut st.waiters) {
                    // Released but never ran: pass the notification on.
                    Some(true) => notify_one(&mut st),
                    Some(false) | None => None,
                }
            };
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}
