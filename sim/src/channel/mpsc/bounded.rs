//! The sending half of a bounded channel.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::Shared;
use super::error::{SendError, TrySendError};
use super::extra::{Closed, OwnedPermit, ReserveOwned, WeakSender};
use super::many::{PermitIterator, ReserveMany};
use crate::channel::chan::Wakes;
use crate::channel::pending::{PendingPut, WaitSite};

/// The sending half of a bounded [`channel`](super::channel). Clone it for more producers; the
/// channel closes when the last clone is dropped.
///
/// Also a futures [`Sink`](futures::Sink): `poll_ready` waits for (and reserves) a slot, in the
/// same FIFO line as `send`; `start_send` writes into it. Its error is
/// `SendError<Option<T>>`: `None` from `poll_ready`, `Some(value)` from `start_send`.
/// `poll_close` only gives back an unused reservation: the channel closes when every sender
/// is dropped.
///
/// ```
/// use futures::SinkExt;
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (mut tx, mut rx) = sim::channel::mpsc::channel::<u32>(1);
///     sim::spawn(async move {
///         SinkExt::send(&mut tx, 1).await.unwrap();
///         SinkExt::send(&mut tx, 2).await.unwrap();
///     });
///     assert_eq!(rx.recv().await, Some(1));
///     assert_eq!(rx.recv().await, Some(2));
///     assert_eq!(rx.recv().await, None);
/// }).unwrap();
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
    site: &'static Location<'static>,
    /// The `Sink` side's wait for a slot, and whether it holds one.
    sink: PendingPut,
    sink_slot: bool,
}

impl<T> Sender<T> {
    pub(super) fn new(shared: Arc<Shared<T>>, site: &'static Location<'static>) -> Self {
        Sender {
            shared,
            site,
            sink: PendingPut::default(),
            sink_slot: false,
        }
    }

    /// Sends `value`, waiting (in FIFO order with other blocked senders) for a free slot. Gives
    /// the value back in the error when the receiver is gone. A preemption point.
    ///
    /// Cancel-safe: if the future is dropped before it completes, `value` was not sent (it is
    /// dropped with the future) and a slot handed to it passes to the next sender.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, mut rx) = sim::channel::mpsc::channel(1);
    ///     tx.send(1).await.unwrap();
    ///     let t = sim::spawn(async move { tx.send(2).await.unwrap(); }); // waits for a slot
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, Some(2));
    ///     t.await.unwrap();
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn send(&self, value: T) -> Send<'_, T> {
        Send {
            tx: self,
            value: Some(value),
            wait: PendingPut::default(),
            site: Location::caller(),
        }
    }

    /// Waits for a slot (in the same FIFO line as [`send`](Self::send)) and reserves it: the
    /// [`Permit`] then sends without waiting, or gives the slot back to the next sender when
    /// dropped. Fails when the receiver is gone, also when it goes while this waits (as
    /// tokio's). A preemption point.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, mut rx) = sim::channel::mpsc::channel(1);
    ///     let permit = tx.reserve().await.unwrap();
    ///     assert!(tx.try_send(1).is_err()); // the only slot is reserved
    ///     permit.send(2);
    ///     assert_eq!(rx.recv().await, Some(2));
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn reserve(&self) -> Reserve<'_, T> {
        Reserve {
            tx: self,
            wait: PendingPut::default(),
            done: false,
            site: Location::caller(),
        }
    }

    /// Waits for `n` slots (in the same FIFO line as [`send`](Self::send), taking one turn for
    /// all of them) and reserves them together: the [`PermitIterator`] hands out one
    /// [`Permit`] per slot. Fails at once when `n` exceeds the capacity (it could never be
    /// served), and when the receiver is gone, also while it waits. A preemption point.
    ///
    /// Cancel-safe: a future dropped while it waits leaves the line, and slots it had been
    /// handed pass to the next sender.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, mut rx) = sim::channel::mpsc::channel(2);
    ///     let permits = tx.reserve_many(2).await.unwrap();
    ///     assert!(tx.try_send(0).is_err()); // both slots are reserved
    ///     for (p, v) in permits.zip([1, 2]) {
    ///         p.send(v);
    ///     }
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, Some(2));
    ///     assert!(tx.reserve_many(3).await.is_err()); // more than the capacity
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn reserve_many(&self, n: usize) -> ReserveMany<'_, T> {
        ReserveMany::new(self, n, Location::caller())
    }

    /// Reserves `n` slots now if they are free and no earlier sender waits (tokio's
    /// `try_reserve_many`); `n` = 0 always succeeds while the receiver lives.
    ///
    /// ```
    /// let (tx, _rx) = sim::channel::mpsc::channel::<u8>(2);
    /// let permits = tx.try_reserve_many(2).unwrap();
    /// assert!(tx.try_reserve_many(1).is_err()); // full
    /// drop(permits);
    /// assert!(tx.try_reserve_many(3).is_err()); // more than the capacity
    /// assert_eq!(tx.try_reserve_many(2).unwrap().len(), 2);
    /// ```
    ///
    /// # Errors
    /// `Full(())` when the slots are not free now (or `n` exceeds the capacity), `Closed(())`
    /// when the receiver is gone.
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        if n > self.most_at_once() {
            return Err(TrySendError::Full(()));
        }
        match self.shared.chan.borrow_mut().try_reserve_n(n) {
            Err(()) => Err(TrySendError::Closed(())),
            Ok(false) => Err(TrySendError::Full(())),
            Ok(true) => Ok(PermitIterator::new(self, n)),
        }
    }

    /// The most slots one request can ever be handed together: the capacity (one for a
    /// rendezvous channel, whose single receiver takes one value at a time).
    pub(super) fn most_at_once(&self) -> usize {
        self.shared.chan.borrow().cap().max(1)
    }

    /// Reserves a slot now if one is free and no earlier sender waits (tokio's `try_reserve`).
    ///
    /// ```
    /// let (tx, _rx) = sim::channel::mpsc::channel::<u8>(1);
    /// let permit = tx.try_reserve().unwrap();
    /// assert!(tx.try_reserve().is_err()); // full
    /// permit.send(1);
    /// ```
    ///
    /// # Errors
    /// `Full(())` when no slot is free now, `Closed(())` when the receiver is gone.
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        match self.shared.chan.borrow_mut().try_reserve() {
            Err(()) => Err(TrySendError::Closed(())),
            Ok(false) => Err(TrySendError::Full(())),
            Ok(true) => Ok(Permit {
                tx: self,
                used: false,
            }),
        }
    }

    /// [`try_reserve`](Sender::try_reserve) with a permit that owns this sender.
    ///
    /// ```
    /// let (tx, mut rx) = sim::channel::mpsc::channel::<u8>(1);
    /// let tx = tx.try_reserve_owned().unwrap().send(3);
    /// assert!(tx.try_reserve_owned().is_err());
    /// assert_eq!(rx.try_recv(), Ok(3));
    /// ```
    ///
    /// # Errors
    /// Gives the sender back in `Full` or `Closed`.
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Sender<T>>> {
        let r = self.shared.chan.borrow_mut().try_reserve();
        match r {
            Err(()) => Err(TrySendError::Closed(self)),
            Ok(false) => Err(TrySendError::Full(self)),
            Ok(true) => Ok(OwnedPermit::new(self)),
        }
    }

    /// Sends `value` if a slot is free and no earlier sender waits, without waiting.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, _rx) = sim::channel::mpsc::channel(1);
    ///     assert!(tx.try_send(1).is_ok());
    ///     assert!(tx.try_send(2).is_err());
    /// }).unwrap();
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut wk = Wakes::default();
        let mut c = self.shared.chan.borrow_mut();
        let r = match c.try_reserve() {
            Err(()) => Err(TrySendError::Closed(value)),
            Ok(false) => Err(TrySendError::Full(value)),
            Ok(true) => c.commit(value, &mut wk).map_err(TrySendError::Closed),
        };
        drop(c);
        wk.wake();
        r
    }

    /// True once the receiver is dropped or closed.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, rx) = sim::channel::mpsc::channel::<()>(1);
    ///     assert!(!tx.is_closed());
    ///     drop(rx);
    ///     assert!(tx.is_closed());
    /// }).unwrap();
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.chan.borrow().is_closed()
    }

    /// Waits until the receiver is dropped or closed (tokio's `closed`).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, rx) = sim::channel::mpsc::channel::<u8>(1);
    ///     sim::spawn(async move { drop(rx) });
    ///     tx.closed().await;
    ///     assert!(tx.is_closed());
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn closed(&self) -> Closed<'_, T> {
        Closed::new(&self.shared, Location::caller())
    }

    /// Reserves a slot like [`reserve`](Sender::reserve), with a permit that owns this sender.
    ///
    /// # Errors
    /// `SendError(())` when the receiver is gone.
    #[track_caller]
    pub fn reserve_owned(self) -> ReserveOwned<T> {
        ReserveOwned::new(self, Location::caller())
    }

    /// A [`WeakSender`]: it does not keep the channel open.
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender::new(self.shared.clone())
    }

    /// How many senders exist.
    pub fn strong_count(&self) -> usize {
        self.shared.sender_count()
    }

    /// How many weak senders exist.
    pub fn weak_count(&self) -> usize {
        self.shared.weak_count()
    }

    /// The channel's capacity (tokio's `max_capacity`).
    pub fn max_capacity(&self) -> usize {
        self.shared.chan.borrow().cap()
    }

    /// True when both are senders of one channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    pub(super) fn shared(&self) -> &Shared<T> {
        &self.shared
    }

    /// Free slots right now (slots reserved by woken senders count as taken).
    pub fn capacity(&self) -> usize {
        self.shared.chan.borrow().free()
    }

    pub(super) fn at(&self, site: &'static Location<'static>) -> WaitSite<'static> {
        WaitSite {
            op: "mpsc::Sender::send",
            name: None,
            site,
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.add_sender();
        Sender::new(self.shared.clone(), self.site)
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.sink.cancel(&self.shared.chan);
        if std::mem::take(&mut self.sink_slot) {
            let mut wk = Wakes::default();
            self.shared.chan.borrow_mut().unreserve(&mut wk);
            wk.wake();
        }
        self.shared.drop_sender();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> futures::Sink<T> for Sender<T> {
    type Error = SendError<Option<T>>;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        if this.sink_slot {
            return Poll::Ready(Ok(()));
        }
        let at = this.at(this.site);
        match this.sink.poll(&this.shared.chan, cx, at) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => {
                this.sink_slot = true;
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(())) => Poll::Ready(Err(SendError(None))),
        }
    }

    fn start_send(self: Pin<&mut Self>, item: T) -> Result<(), Self::Error> {
        let this = self.get_mut();
        assert!(
            std::mem::take(&mut this.sink_slot),
            "Sink::start_send on an mpsc::Sender without a slot: call poll_ready first and \
             send only after it returned Ready(Ok(()))"
        );
        let mut wk = Wakes::default();
        let r = this.shared.chan.borrow_mut().commit(item, &mut wk);
        wk.wake();
        r.map_err(|v| SendError(Some(v)))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        this.sink.cancel(&this.shared.chan);
        if std::mem::take(&mut this.sink_slot) {
            let mut wk = Wakes::default();
            this.shared.chan.borrow_mut().unreserve(&mut wk);
            wk.wake();
        }
        Poll::Ready(Ok(()))
    }
}

/// Future of [`Sender::send`].
#[must_use = "futures do nothing unless awaited"]
pub struct Send<'a, T> {
    tx: &'a Sender<T>,
    value: Option<T>,
    wait: PendingPut,
    site: &'static Location<'static>,
}

// The value is moved out by `Option::take`, never pinned in place.
impl<T> Unpin for Send<'_, T> {}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(
            this.value.is_some(),
            "mpsc::Send polled after it completed: a send future completes once"
        );
        let at = this.tx.at(this.site);
        let r =
            std::task::ready!(
                this.wait
                    .poll_put(&this.tx.shared.chan, cx, at, &mut this.value)
            );
        Poll::Ready(r.map_err(SendError))
    }
}

impl<T> Drop for Send<'_, T> {
    fn drop(&mut self) {
        self.wait.cancel(&self.tx.shared.chan);
    }
}

impl<T> fmt::Debug for Send<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Send")
            .field("waiting", &self.wait.is_waiting())
            .finish()
    }
}

/// Future of [`Sender::reserve`].
#[must_use = "futures do nothing unless awaited"]
pub struct Reserve<'a, T> {
    tx: &'a Sender<T>,
    wait: PendingPut,
    done: bool,
    site: &'static Location<'static>,
}

impl<'a, T> Future for Reserve<'a, T> {
    type Output = Result<Permit<'a, T>, SendError<()>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // Polling again would reserve a second slot nobody holds.
        assert!(
            !this.done,
            "mpsc::Reserve polled after it completed: a reserve future completes once"
        );
        let at = this.tx.at(this.site);
        let r = std::task::ready!(this.wait.poll(&this.tx.shared.chan, cx, at));
        this.done = true;
        match r {
            Ok(()) => Poll::Ready(Ok(Permit {
                tx: this.tx,
                used: false,
            })),
            Err(()) => Poll::Ready(Err(SendError(()))),
        }
    }
}

impl<T> Drop for Reserve<'_, T> {
    fn drop(&mut self) {
        self.wait.cancel(&self.tx.shared.chan);
    }
}

impl<T> fmt::Debug for Reserve<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reserve")
            .field("waiting", &self.wait.is_waiting())
            .finish()
    }
}

/// A reserved slot (from [`Sender::reserve`]): [`send`](Self::send) fills it without waiting;
/// dropping it unused hands the slot to the next waiting sender.
pub struct Permit<'a, T> {
    tx: &'a Sender<T>,
    used: bool,
}

impl<'a, T> Permit<'a, T> {
    /// A permit for a slot the caller has reserved.
    pub(super) fn new(tx: &'a Sender<T>) -> Self {
        Permit { tx, used: false }
    }

    /// Sends `value` into the reserved slot. If the receiver closed the channel meanwhile, the
    /// value is dropped (as tokio does).
    pub fn send(mut self, value: T) {
        self.used = true;
        let mut wk = Wakes::default();
        let r = self.tx.shared.chan.borrow_mut().commit(value, &mut wk);
        wk.wake();
        drop(r);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        if !self.used {
            let mut wk = Wakes::default();
            self.tx.shared.chan.borrow_mut().unreserve(&mut wk);
            wk.wake();
        }
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Permit")
    }
}
