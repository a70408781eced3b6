//! A single-value channel that keeps only the latest value (tokio's `watch`): [`channel`].
//!
//! # Model and invariants
//!
//! - The channel holds one value and a version number, bumped by every send. Each receiver
//!   remembers the version it last saw; [`Receiver::changed`] waits until the version differs,
//!   then marks it seen. Intermediate values may be skipped: receivers see the *latest* value.
//! - `send` never waits; every waiting receiver is woken. It fails (giving the value back)
//!   when no receiver is left; [`Sender::send_replace`] stores regardless.
//! - Once the sender is dropped, `changed` still reports a change not yet seen, then fails.
//! - `changed().await` and `closed().await` are preemption points on their first poll; a
//!   dropped `changed` future marks nothing seen, so cancellation loses no notification.
//! - [`Receiver::borrow`] hands out a [`Ref`] (a read guard) into the channel: do not hold it across an await,
//!   or a `send` meanwhile panics with a message saying so.
//!
//! ```
//! use sim::channel::watch;
//! let mut sim = sim::Sim::new(5);
//! sim.run(async {
//!     let (tx, mut rx) = watch::channel("starting");
//!     let h = sim::spawn(async move {
//!         while rx.changed().await.is_ok() {
//!             if *rx.borrow_and_update() == "ready" { return true; }
//!         }
//!         false
//!     });
//!     tx.send("loading").unwrap();
//!     sim::time::sleep(std::time::Duration::from_secs(1)).await;
//!     tx.send("ready").unwrap();
//!     assert!(h.await.unwrap());
//! }).unwrap();
//! ```

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::panic::Location;
use std::pin::Pin;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};
use std::task::{Context, Poll, Waker};

use crate::rt::primitives::{Handed, WaitList, WaitSlot};
use crate::sync::cell::StateCell;

struct Shared<T> {
    value: RwLock<T>,
    state: StateCell<State>,
}

struct State {
    version: u64,
    sender_gone: bool,
    receivers: usize,
    changed: WaitList<()>,
    closed: WaitList<()>,
}

impl<T> Shared<T> {
    /// Replaces the value, bumps the version and wakes every waiting receiver; returns the old
    /// value for the caller to drop.
    /// Write access to the value; a `Ref` still alive is a bug that would deadlock under tokio.
    fn write(&self, op: &str) -> RwLockWriteGuard<'_, T> {
        match self.value.try_write() {
            Ok(v) => v,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => panic!(
                "watch::Sender::{op} while a `Ref` from `borrow()` is alive: drop the Ref (do \
                 not hold it across an await) before sending"
            ),
        }
    }

    /// Read access; inside `send_modify`'s closure (a writer holds the value) it panics
    /// instead of deadlocking.
    fn read(&self) -> RwLockReadGuard<'_, T> {
        match self.value.try_read() {
            Ok(v) => v,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => panic!(
                "watch: `borrow()` inside `send_modify`/`send_if_modified`'s closure: the value \
                 is being modified; use the closure's `&mut` argument"
            ),
        }
    }

    fn bump(&self) {
        let wakers = {
            let mut s = self.state.borrow_mut();
            s.version += 1;
            s.changed.grant_all(|_| ())
        };
        wake(wakers);
    }

    fn store(&self, value: T) -> T {
        let old = std::mem::replace(&mut *self.write("send"), value);
        let wakers = {
            let mut s = self.state.borrow_mut();
            s.version += 1;
            s.changed.grant_all(|_| ())
        };
        wake(wakers);
        old
    }
}

fn wake(wakers: Vec<Waker>) {
    for w in wakers {
        w.wake();
    }
}

/// Creates a watch channel holding `init`.
///
/// ```
/// let (tx, rx) = sim::channel::watch::channel(1);
/// tx.send(2).unwrap();
/// assert_eq!(*rx.borrow(), 2);
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        state: StateCell::new(State {
            version: 0,
            sender_gone: false,
            receivers: 1,
            changed: WaitList::default(),
            closed: WaitList::default(),
        }),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, seen: 0 },
    )
}

/// The sending half.
///
/// ```
/// let (tx, rx) = sim::channel::watch::channel(0);
/// tx.send_modify(|v| *v += 5);
/// assert_eq!(*rx.borrow(), 5);
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Stores `value` and wakes every waiting receiver. Fails, giving the value back, when no
    /// receiver is left. Never waits.
    ///
    /// ```
    /// let (tx, rx) = sim::channel::watch::channel(0);
    /// assert!(tx.send(1).is_ok());
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        crate::rt::primitives::signal("watch::Sender::send", None, std::panic::Location::caller());
        if self.shared.state.borrow().receivers == 0 {
            return Err(SendError(value));
        }
        drop(self.shared.store(value));
        Ok(())
    }

    /// Stores `value` even with no receiver, and returns the previous value.
    pub fn send_replace(&self, value: T) -> T {
        self.shared.store(value)
    }

    /// Modifies the value in place and notifies receivers.
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        modify(&mut self.shared.write("send_modify"));
        self.shared.bump();
    }

    /// Modifies the value in place and notifies receivers only when `modify` returns true
    /// (tokio's `send_if_modified`); returns what `modify` returned.
    ///
    /// ```
    /// let (tx, rx) = sim::channel::watch::channel(1);
    /// assert!(!tx.send_if_modified(|v| { *v == 2 }));
    /// assert!(!rx.has_changed().unwrap());
    /// assert!(tx.send_if_modified(|v| { *v = 2; true }));
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let modified = modify(&mut self.shared.write("send_if_modified"));
        if modified {
            self.shared.bump();
        }
        modified
    }

    /// The current value.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            value: self.shared.read(),
            changed: false,
        }
    }

    /// A new receiver that has seen the current value.
    pub fn subscribe(&self) -> Receiver<T> {
        let mut s = self.shared.state.borrow_mut();
        s.receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            seen: s.version,
        }
    }

    /// Receivers alive.
    pub fn receiver_count(&self) -> usize {
        self.shared.state.borrow().receivers
    }

    /// True when no receiver is left.
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Waits until every receiver is dropped. A preemption point.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, rx) = sim::channel::watch::channel(());
    ///     sim::spawn(async move { drop(rx) });
    ///     tx.closed().await;
    ///     assert!(tx.is_closed());
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn closed(&self) -> Closed<'_, T> {
        Closed {
            shared: &self.shared,
            slot: WaitSlot::new("watch::Sender::closed", Location::caller()),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let wakers = {
            let mut s = self.shared.state.borrow_mut();
            s.sender_gone = true;
            s.changed.grant_all(|_| ())
        };
        wake(wakers);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Sender")
            .field("receivers", &self.receiver_count())
            .finish()
    }
}

/// The receiving half. Clone it for more receivers (a clone has seen what the original saw).
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (tx, mut rx) = sim::channel::watch::channel(0);
///     tx.send(1).unwrap();
///     tx.send(2).unwrap();
///     rx.changed().await.unwrap();
///     assert_eq!(*rx.borrow_and_update(), 2); // 1 was skipped: only the latest counts
///     assert!(!rx.has_changed().unwrap());
/// }).unwrap();
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    seen: u64,
}

impl<T> Receiver<T> {
    /// The current value, without marking it seen. Do not hold the `Ref` across an await.
    pub fn borrow(&self) -> Ref<'_, T> {
        let changed = self.shared.state.borrow().version != self.seen;
        Ref {
            value: self.shared.read(),
            changed,
        }
    }

    /// The current value, marking it seen.
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let version = self.shared.state.borrow().version;
        let changed = version != self.seen;
        self.seen = version;
        Ref {
            value: self.shared.read(),
            changed,
        }
    }

    /// Marks the current value as not seen, so the next [`changed`](Receiver::changed)
    /// returns at once (tokio's `mark_changed`).
    ///
    /// ```
    /// let (_tx, mut rx) = sim::channel::watch::channel(0);
    /// rx.mark_changed();
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn mark_changed(&mut self) {
        self.seen = self.shared.state.borrow().version.wrapping_sub(1);
    }

    /// True once the sender is gone (tokio's `is_closed`): no value will change any more.
    ///
    /// ```
    /// let (tx, rx) = sim::channel::watch::channel(0);
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.state.borrow().sender_gone
    }

    /// True when both receive from one channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Whether a value not yet seen is there; an error once the sender is gone.
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let s = self.shared.state.borrow();
        if s.sender_gone {
            return Err(RecvError);
        }
        Ok(s.version != self.seen)
    }

    /// Marks the current value seen.
    pub fn mark_unchanged(&mut self) {
        self.seen = self.shared.state.borrow().version;
    }

    /// Waits for a value not yet seen and marks it seen; fails once the sender is gone and
    /// every change was seen. A preemption point.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, mut rx) = sim::channel::watch::channel(0);
    ///     tx.send(1).unwrap();
    ///     drop(tx);
    ///     assert!(rx.changed().await.is_ok()); // the change made before the drop
    ///     assert!(rx.changed().await.is_err());
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn changed(&mut self) -> Changed<'_, T> {
        Changed {
            rx: self,
            slot: WaitSlot::new("watch::Receiver::changed", Location::caller()),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.state.borrow_mut().receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let wakers = {
            let mut s = self.shared.state.borrow_mut();
            s.receivers -= 1;
            if s.receivers > 0 {
                return;
            }
            s.closed.grant_all(|_| ())
        };
        wake(wakers);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Receiver")
            .field("seen", &self.seen)
            .finish()
    }
}

/// A read guard on a watch channel's value (tokio's `watch::Ref`): holding it blocks senders,
/// so drop it before the next await.
///
/// ```
/// let (tx, rx) = sim::channel::watch::channel("a");
/// tx.send("b").unwrap();
/// let r = rx.borrow();
/// assert!(r.has_changed());
/// assert_eq!(*r, "b");
/// ```
pub struct Ref<'a, T> {
    value: RwLockReadGuard<'a, T>,
    changed: bool,
}

impl<T> Ref<'_, T> {
    /// True when the value was not yet seen by the receiver that borrowed it (always false
    /// from the sender).
    pub fn has_changed(&self) -> bool {
        self.changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}

/// Future of [`Receiver::changed`].
#[must_use = "futures do nothing unless awaited"]
pub struct Changed<'a, T> {
    rx: &'a mut Receiver<T>,
    slot: WaitSlot,
}

impl<T> Future for Changed<'_, T> {
    type Output = Result<(), RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.slot.preempt(cx) {
            return Poll::Pending;
        }
        let mut s = this.rx.shared.state.borrow_mut();
        if let Handed::NotYet = this.slot.poll(&mut s.changed, cx.waker()) {
            drop(s);
            this.slot.note(None);
            return Poll::Pending;
        }
        if s.version != this.rx.seen {
            this.rx.seen = s.version;
            return Poll::Ready(Ok(()));
        }
        if s.sender_gone {
            return Poll::Ready(Err(RecvError));
        }
        this.slot.join(&mut s.changed, cx.waker(), ());
        drop(s);
        this.slot.note(None);
        Poll::Pending
    }
}

impl<T> Drop for Changed<'_, T> {
    fn drop(&mut self) {
        if self.slot.is_waiting() {
            // Every waiter is woken at once: a dropped one has nothing to pass on.
            let _ = self
                .slot
                .cancel(&mut self.rx.shared.state.borrow_mut().changed);
        }
    }
}

impl<T> fmt::Debug for Changed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("watch::Changed")
    }
}

/// Future of [`Sender::closed`].
#[must_use = "futures do nothing unless awaited"]
pub struct Closed<'a, T> {
    shared: &'a Arc<Shared<T>>,
    slot: WaitSlot,
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.slot.preempt(cx) {
            return Poll::Pending;
        }
        let mut s = this.shared.state.borrow_mut();
        if s.receivers == 0 {
            let _ = this.slot.cancel(&mut s.closed);
            return Poll::Ready(());
        }
        match this.slot.poll(&mut s.closed, cx.waker()) {
            // Released when the last receiver went: closed then, even if one was subscribed since.
            Handed::Grant(()) => return Poll::Ready(()),
            Handed::NotYet => {}
            Handed::NotQueued => this.slot.join(&mut s.closed, cx.waker(), ()),
        }
        drop(s);
        this.slot.note(None);
        Poll::Pending
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        if self.slot.is_waiting() {
            let _ = self.slot.cancel(&mut self.shared.state.borrow_mut().closed);
        }
    }
}

impl<T> fmt::Debug for Closed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("watch::Closed")
    }
}

/// No receiver is left; the value comes back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("watch send with no receiver: every receiver was dropped")
    }
}

impl<T> std::error::Error for SendError<T> {}

/// The sender is gone and every change was seen.
///
/// ```
/// assert_eq!(sim::channel::watch::RecvError.to_string(), "watch sender dropped");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("watch sender dropped")
    }
}

impl std::error::Error for RecvError {}
