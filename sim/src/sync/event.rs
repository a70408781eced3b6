//! `Event`: asyncio's `Event`, a flag tasks can wait for.

use super::cell::StateCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::name_of;
use crate::rt::primitives::{Handed, WaitList, WaitSlot};

/// A flag that tasks wait for (asyncio's `Event`). [`set`](Event::set) releases every current
/// waiter and lets later [`wait`](Event::wait)s return at once until [`clear`](Event::clear).
///
/// A waiter released by `set` is released for good: `set(); clear()` before it runs still lets
/// it through (it was granted at `set`), while `is_set()` reads `false`.
///
/// A wait never returns without a `set`: asyncio's `Event` has no spurious wake-ups, so unlike
/// [`Condvar`](super::Condvar) there is nothing more for an exploring strategy to choose here
/// (which waiter runs first after `set` is already the scheduler's choice).
///
/// ```
/// use std::rc::Rc;
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let ev = Rc::new(sim::sync::Event::new());
///     let ev2 = ev.clone();
///     let waiter = sim::spawn(async move { ev2.wait().await; "released" });
///     sim::task::yield_now().await; // the waiter blocks
///     ev.set();
///     assert_eq!(waiter.await.unwrap(), "released");
/// }).unwrap();
/// ```
#[derive(Default)]
pub struct Event {
    state: StateCell<State>,
    name: Option<Arc<str>>,
}

#[derive(Default)]
struct State {
    set: bool,
    waiters: WaitList<()>,
}

impl Event {
    /// A cleared event.
    ///
    /// ```
    /// assert!(!sim::sync::Event::new().is_set());
    /// ```
    pub fn new() -> Self {
        Event::default()
    }

    /// Like [`Event::new`], with a name that deadlock reports show.
    ///
    /// ```
    /// assert_eq!(sim::sync::Event::named("ready").name(), Some("ready"));
    /// ```
    pub fn named(name: impl Into<String>) -> Self {
        Event {
            state: StateCell::default(),
            name: name_of(name),
        }
    }

    /// The name given to [`Event::named`].
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Sets the flag and releases every waiter, in the order they started waiting.
    ///
    /// ```
    /// let ev = sim::sync::Event::new();
    /// ev.set();
    /// assert!(ev.is_set());
    /// ```
    #[track_caller]
    pub fn set(&self) {
        crate::rt::primitives::signal(
            "Event::set",
            self.name.as_ref(),
            std::panic::Location::caller(),
        );
        let wakers = {
            let mut st = self.state.borrow_mut();
            st.set = true;
            st.waiters.grant_all(|_| ())
        };
        for w in wakers {
            w.wake();
        }
    }

    /// Clears the flag: later [`wait`](Event::wait)s block until the next `set`. Waiters
    /// already released stay released.
    ///
    /// ```
    /// let ev = sim::sync::Event::new();
    /// ev.set();
    /// ev.clear();
    /// assert!(!ev.is_set());
    /// ```
    pub fn clear(&self) {
        self.state.borrow_mut().set = false;
    }

    /// True between a `set` and the next `clear`.
    ///
    /// ```
    /// let ev = sim::sync::Event::new();
    /// assert!(!ev.is_set());
    /// ev.set();
    /// assert!(ev.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.state.borrow().set
    }

    /// How many tasks wait for the event (asyncio tests read `len(event._waiters)`).
    ///
    /// ```
    /// assert_eq!(sim::sync::Event::new().waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.state.borrow().waiters.waiting()
    }

    /// Waits until the flag is set; returns at once (after a preemption point) when it is.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let ev = sim::sync::Event::new();
    ///     ev.set();
    ///     ev.wait().await;
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn wait(&self) -> EventWait<'_> {
        EventWait {
            event: self,
            slot: WaitSlot::new("Event::wait", Location::caller()),
        }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state.borrow();
        f.debug_struct("Event")
            .field("name", &self.name)
            .field("set", &st.set)
            .field("waiting", &st.waiters.waiting())
            .finish()
    }
}

/// Future of [`Event::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct EventWait<'a> {
    event: &'a Event,
    slot: WaitSlot,
}

impl Future for EventWait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.slot.preempt_named(cx, this.event.name.as_ref()) {
            return Poll::Pending;
        }
        {
            let mut st = this.event.state.borrow_mut();
            let released = match this.slot.poll(&mut st.waiters, cx.waker()) {
                Handed::Grant(()) => true,
                Handed::NotYet => false,
                Handed::NotQueued if st.set => true,
                Handed::NotQueued => {
                    this.slot.join(&mut st.waiters, cx.waker(), ());
                    false
                }
            };
            if released {
                this.slot.done();
                return Poll::Ready(());
            }
        }
        this.slot.note(this.event.name.as_ref());
        Poll::Pending
    }
}

impl Drop for EventWait<'_> {
    fn drop(&mut self) {
        if self.slot.is_waiting() {
            // A release it never saw needs no passing on: `set` released everybody.
            let _ = self.slot.cancel(&mut self.event.state.borrow_mut().waiters);
        }
    }
}
