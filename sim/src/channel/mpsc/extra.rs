//! What tokio's mpsc adds to the basic halves: waiting for the receiver to go
//! ([`Sender::closed`]), weak senders, and permits that own their sender.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use super::error::SendError;
use super::{Sender, Shared, UnboundedSender};
use crate::channel::chan::Wakes;
use crate::rt::primitives::{Handed, WaitSlot};

/// Future of [`Sender::closed`] and [`UnboundedSender::closed`]: completes once the receiver is
/// dropped or closed.
#[must_use = "futures do nothing unless awaited"]
pub struct Closed<'a, T> {
    shared: &'a Shared<T>,
    slot: WaitSlot,
}

impl<'a, T> Closed<'a, T> {
    pub(super) fn new(shared: &'a Shared<T>, site: &'static Location<'static>) -> Self {
        Closed {
            shared,
            slot: WaitSlot::new("mpsc::Sender::closed", site),
        }
    }
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.slot.preempt(cx) {
            return Poll::Pending;
        }
        {
            let mut c = this.shared.chan.borrow_mut();
            if c.is_closed() {
                let _ = this.slot.cancel(&mut c.closers);
                this.slot.done();
                return Poll::Ready(());
            }
            match this.slot.poll(&mut c.closers, cx.waker()) {
                Handed::Grant(()) => {
                    this.slot.done();
                    return Poll::Ready(());
                }
                Handed::NotYet => {}
                Handed::NotQueued => this.slot.join(&mut c.closers, cx.waker(), ()),
            }
        }
        this.slot.note(None);
        Poll::Pending
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        if self.slot.is_waiting() {
            let _ = self.slot.cancel(&mut self.shared.chan.borrow_mut().closers);
        }
    }
}

impl<T> fmt::Debug for Closed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("mpsc::Closed")
    }
}

macro_rules! weak_sender {
    ($(#[$doc:meta])* $weak:ident, $strong:ident, $make:expr) => {
        $(#[$doc])*
        pub struct $weak<T> {
            shared: Arc<Shared<T>>,
        }

        impl<T> $weak<T> {
            pub(super) fn new(shared: Arc<Shared<T>>) -> Self {
                shared.weak_senders.fetch_add(1, Ordering::Relaxed);
                $weak { shared }
            }

            /// A sender again, unless every sender is gone (the channel is then closed).
            pub fn upgrade(&self) -> Option<$strong<T>> {
                let make: fn(Arc<Shared<T>>) -> $strong<T> = $make;
                self.shared.upgrade().then(|| make(self.shared.clone()))
            }

            /// How many senders exist.
            pub fn strong_count(&self) -> usize {
                self.shared.sender_count()
            }

            /// How many weak senders exist.
            pub fn weak_count(&self) -> usize {
                self.shared.weak_count()
            }
        }

        impl<T> Clone for $weak<T> {
            fn clone(&self) -> Self {
                $weak::new(self.shared.clone())
            }
        }

        impl<T> Drop for $weak<T> {
            fn drop(&mut self) {
                self.shared.weak_senders.fetch_sub(1, Ordering::Relaxed);
            }
        }

        impl<T> fmt::Debug for $weak<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($weak))
                    .field("senders", &self.strong_count())
                    .finish()
            }
        }
    };
}

weak_sender!(
    /// A [`Sender`] that does not keep the channel open ([`Sender::downgrade`]).
    ///
    /// ```
    /// let (tx, _rx) = sim::channel::mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    WeakSender,
    Sender,
    |shared| Sender::new(shared, Location::caller())
);
weak_sender!(
    /// An [`UnboundedSender`] that does not keep the channel open.
    ///
    /// ```
    /// let (tx, _rx) = sim::channel::mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// assert_eq!(weak.strong_count(), 1);
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    WeakUnboundedSender,
    UnboundedSender,
    UnboundedSender::new
);

/// A slot reserved in a bounded channel, owning its [`Sender`] ([`Sender::reserve_owned`]):
/// `'static`, so it can move into another task. Sending cannot fail or wait; dropping it frees
/// the slot.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (tx, mut rx) = sim::channel::mpsc::channel(1);
///     let permit = tx.reserve_owned().await.unwrap();
///     let tx = permit.send(5); // the sender comes back
///     assert_eq!(rx.recv().await, Some(5));
///     drop(tx);
/// }).unwrap();
/// ```
pub struct OwnedPermit<T> {
    tx: Option<Sender<T>>,
}

impl<T> OwnedPermit<T> {
    pub(super) fn new(tx: Sender<T>) -> Self {
        OwnedPermit { tx: Some(tx) }
    }

    /// Sends `value` into the reserved slot; gives the sender back.
    pub fn send(mut self, value: T) -> Sender<T> {
        let tx = self.tx.take().expect("an OwnedPermit holds its sender");
        let mut wk = Wakes::default();
        let r = tx.shared().chan.borrow_mut().commit(value, &mut wk);
        wk.wake();
        // The receiver closed meanwhile: the value goes, as tokio's does.
        drop(r);
        tx
    }

    /// Frees the slot without sending; gives the sender back.
    pub fn release(mut self) -> Sender<T> {
        let tx = self.tx.take().expect("an OwnedPermit holds its sender");
        unreserve(tx.shared());
        tx
    }

    /// True when both permits are slots of one channel.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, _rx) = sim::channel::mpsc::channel::<u8>(2);
    ///     let a = tx.clone().reserve_owned().await.unwrap();
    ///     let b = tx.clone().reserve_owned().await.unwrap();
    ///     assert!(a.same_channel(&b));
    ///     let (other, _orx) = sim::channel::mpsc::channel::<u8>(1);
    ///     assert!(!a.same_channel(&other.reserve_owned().await.unwrap()));
    /// }).unwrap();
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        match (&self.tx, &other.tx) {
            (Some(a), Some(b)) => a.same_channel(b),
            _ => false,
        }
    }

    /// True when this permit is a slot of `sender`'s channel.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, _rx) = sim::channel::mpsc::channel::<u8>(1);
    ///     let permit = tx.clone().reserve_owned().await.unwrap();
    ///     assert!(permit.same_channel_as_sender(&tx));
    ///     let (other, _orx) = sim::channel::mpsc::channel::<u8>(1);
    ///     assert!(!permit.same_channel_as_sender(&other));
    /// }).unwrap();
    /// ```
    pub fn same_channel_as_sender(&self, sender: &Sender<T>) -> bool {
        self.tx.as_ref().is_some_and(|tx| tx.same_channel(sender))
    }
}

fn unreserve<T>(shared: &Shared<T>) {
    let mut wk = Wakes::default();
    shared.chan.borrow_mut().unreserve(&mut wk);
    wk.wake();
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            unreserve(tx.shared());
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnedPermit")
    }
}

/// Future of [`Sender::reserve_owned`].
#[must_use = "futures do nothing unless awaited"]
pub struct ReserveOwned<T> {
    tx: Option<Sender<T>>,
    wait: crate::channel::pending::PendingPut,
    site: &'static Location<'static>,
}

impl<T> ReserveOwned<T> {
    pub(super) fn new(tx: Sender<T>, site: &'static Location<'static>) -> Self {
        ReserveOwned {
            tx: Some(tx),
            wait: crate::channel::pending::PendingPut::default(),
            site,
        }
    }
}

impl<T> Unpin for ReserveOwned<T> {}

impl<T> Future for ReserveOwned<T> {
    type Output = Result<OwnedPermit<T>, SendError<()>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let tx = this
            .tx
            .as_ref()
            .expect("mpsc::ReserveOwned polled after it completed");
        let at = tx.at(this.site);
        let r = std::task::ready!(this.wait.poll(&tx.shared().chan, cx, at));
        let tx = this.tx.take().expect("checked above");
        Poll::Ready(match r {
            Ok(()) => Ok(OwnedPermit::new(tx)),
            Err(()) => Err(SendError(())),
        })
    }
}

impl<T> Drop for ReserveOwned<T> {
    fn drop(&mut self) {
        if let Some(tx) = &self.tx {
            self.wait.cancel(&tx.shared().chan);
        }
    }
}

impl<T> fmt::Debug for ReserveOwned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("mpsc::ReserveOwned")
    }
}
