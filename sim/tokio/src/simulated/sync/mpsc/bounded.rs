//! The sending half of a bounded channel, its permits and weak handle: thin layers over
//! `sim`'s, with tokio's error types and `!Unpin` futures.

use std::fmt;
use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::mpsc::error::{SendError, SendTimeoutError, TrySendError};

use sim::channel::mpsc as sim_mpsc;

/// The sending half of [`channel`](super::channel); clone it for more producers.
pub struct Sender<T> {
    inner: sim_mpsc::Sender<T>,
}

/// `sim`'s `TrySendError` as tokio's.
fn try_send_error<V>(e: sim_mpsc::TrySendError<V>) -> TrySendError<V> {
    match e {
        sim_mpsc::TrySendError::Full(v) => TrySendError::Full(v),
        sim_mpsc::TrySendError::Closed(v) => TrySendError::Closed(v),
    }
}

impl<T> Sender<T> {
    pub(super) fn new(inner: sim_mpsc::Sender<T>) -> Sender<T> {
        Sender { inner }
    }

    /// Waits for a free slot (FIFO) and queues `value`. A preemption point.
    ///
    /// # Errors
    /// The value back when the receiver is closed or gone.
    #[track_caller]
    pub fn send(&self, value: T) -> Send<'_, T> {
        Send {
            inner: self.inner.send(value),
            _pin: PhantomPinned,
        }
    }

    /// Waits for a free slot (FIFO) and reserves it. A preemption point.
    ///
    /// # Errors
    /// When the receiver is closed or gone, also while it waits.
    #[track_caller]
    pub fn reserve(&self) -> Reserve<'_, T> {
        Reserve {
            inner: self.inner.reserve(),
            _pin: PhantomPinned,
        }
    }

    /// Waits for `n` free slots (one turn of the FIFO line) and reserves them.
    ///
    /// # Errors
    /// When the receiver is closed or gone, or `n` exceeds the capacity.
    #[track_caller]
    pub fn reserve_many(
        &self,
        n: usize,
    ) -> impl Future<Output = Result<PermitIterator<'_, T>, SendError<()>>> + '_ {
        let reserve = self.inner.reserve_many(n);
        async move {
            match reserve.await {
                Ok(inner) => Ok(PermitIterator { inner }),
                Err(_) => Err(SendError(())),
            }
        }
    }

    /// Waits for a free slot and reserves it, consuming the sender (which the permit gives
    /// back).
    ///
    /// # Errors
    /// When the receiver is closed or gone.
    #[track_caller]
    pub fn reserve_owned(self) -> impl Future<Output = Result<OwnedPermit<T>, SendError<()>>> {
        let reserve = self.inner.reserve_owned();
        async move {
            match reserve.await {
                Ok(inner) => Ok(OwnedPermit { inner }),
                Err(_) => Err(SendError(())),
            }
        }
    }

    /// Reserves a slot if one is free and no earlier sender waits.
    ///
    /// # Errors
    /// `Full` or `Closed`.
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        match self.inner.try_reserve() {
            Ok(inner) => Ok(Permit { inner }),
            Err(e) => Err(try_send_error(e)),
        }
    }

    /// Reserves `n` slots if they are free and no earlier sender waits.
    ///
    /// # Errors
    /// `Full` (also when `n` exceeds the capacity) or `Closed`.
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        match self.inner.try_reserve_many(n) {
            Ok(inner) => Ok(PermitIterator { inner }),
            Err(e) => Err(try_send_error(e)),
        }
    }

    /// Reserves a slot if one is free, consuming the sender.
    ///
    /// # Errors
    /// `Full` or `Closed`, with the sender back.
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Sender<T>>> {
        match self.inner.try_reserve_owned() {
            Ok(inner) => Ok(OwnedPermit { inner }),
            Err(sim_mpsc::TrySendError::Full(inner)) => Err(TrySendError::Full(Sender { inner })),
            Err(sim_mpsc::TrySendError::Closed(inner)) => {
                Err(TrySendError::Closed(Sender { inner }))
            }
        }
    }

    /// Queues `value` if a slot is free and no earlier sender waits.
    ///
    /// # Errors
    /// `Full` or `Closed`, with the value.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.inner.try_send(value).map_err(try_send_error)
    }

    /// Like [`Sender::send`], giving up after `timeout` of virtual time.
    ///
    /// # Errors
    /// `Timeout` or `Closed`, with the value.
    pub async fn send_timeout(
        &self,
        value: T,
        timeout: Duration,
    ) -> Result<(), SendTimeoutError<T>> {
        match crate::time::timeout(timeout, self.reserve()).await {
            Ok(Ok(permit)) => {
                permit.send(value);
                Ok(())
            }
            Ok(Err(_)) => Err(SendTimeoutError::Closed(value)),
            Err(_) => Err(SendTimeoutError::Timeout(value)),
        }
    }

    /// Sends from synchronous code: works when a slot is free.
    ///
    /// # Errors
    /// The value back when the receiver is gone.
    ///
    /// # Panics
    /// When the channel is full (the simulated thread cannot block).
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        match self.try_send(value) {
            Ok(()) => Ok(()),
            Err(TrySendError::Closed(v)) => Err(SendError(v)),
            Err(TrySendError::Full(_)) => panic!(
                "Sender::blocking_send on a full channel: the simulation runs on one thread, \
                 which cannot block; use `send().await` in an async task"
            ),
        }
    }

    /// Waits until the receiver is closed or dropped.
    #[track_caller]
    pub fn closed(&self) -> impl Future<Output = ()> + '_ {
        super::Pinned::new(self.inner.closed())
    }

    /// True once the receiver is closed or dropped.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Free slots now.
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    /// The channel's size.
    pub fn max_capacity(&self) -> usize {
        self.inner.max_capacity()
    }

    /// True when both send into the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.inner.same_channel(&other.inner)
    }

    /// A handle that does not keep the channel open.
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            inner: self.inner.downgrade(),
        }
    }

    /// Live senders.
    pub fn strong_count(&self) -> usize {
        self.inner.strong_count()
    }

    /// Live weak senders.
    pub fn weak_count(&self) -> usize {
        self.inner.weak_count()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("max_capacity", &self.max_capacity())
            .finish_non_exhaustive()
    }
}

pin_project_lite::pin_project! {
    /// Future of [`Sender::send`]; `!Unpin`, as tokio's.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Send<'a, T> {
        inner: sim_mpsc::Send<'a, T>,
        #[pin]
        _pin: PhantomPinned,
    }
}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        Pin::new(this.inner)
            .poll(cx)
            .map(|r| r.map_err(|e| SendError(e.0)))
    }
}

pin_project_lite::pin_project! {
    /// Future of [`Sender::reserve`]; `!Unpin`, as tokio's.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Reserve<'a, T> {
        inner: sim_mpsc::Reserve<'a, T>,
        #[pin]
        _pin: PhantomPinned,
    }
}

impl<'a, T> Future for Reserve<'a, T> {
    type Output = Result<Permit<'a, T>, SendError<()>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        Pin::new(this.inner).poll(cx).map(|r| match r {
            Ok(inner) => Ok(Permit { inner }),
            Err(_) => Err(SendError(())),
        })
    }
}

/// A reserved slot: [`Permit::send`] fills it without waiting; dropping frees it.
pub struct Permit<'a, T> {
    inner: sim_mpsc::Permit<'a, T>,
}

impl<T> Permit<'_, T> {
    /// Queues `value` in the reserved slot.
    pub fn send(self, value: T) {
        self.inner.send(value);
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Permit")
    }
}

/// Reserved slots of [`Sender::reserve_many`], one [`Permit`] per item; the ones not taken go
/// back when it is dropped.
pub struct PermitIterator<'a, T> {
    inner: sim_mpsc::PermitIterator<'a, T>,
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        self.inner.next().map(|inner| Permit { inner })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> std::iter::FusedIterator for PermitIterator<'_, T> {}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("n", &self.len())
            .finish()
    }
}

/// A reserved slot owning its sender ([`Sender::reserve_owned`]).
pub struct OwnedPermit<T> {
    inner: sim_mpsc::OwnedPermit<T>,
}

impl<T> OwnedPermit<T> {
    /// Queues `value` in the reserved slot and gives the sender back.
    pub fn send(self, value: T) -> Sender<T> {
        Sender::new(self.inner.send(value))
    }

    /// Frees the slot and gives the sender back.
    pub fn release(self) -> Sender<T> {
        Sender::new(self.inner.release())
    }

    /// True when both permits belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.inner.same_channel(&other.inner)
    }

    /// True when this permit belongs to `sender`'s channel.
    pub fn same_channel_as_sender(&self, sender: &Sender<T>) -> bool {
        self.inner.same_channel_as_sender(&sender.inner)
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnedPermit")
    }
}

/// A sender that does not keep the channel open ([`Sender::downgrade`]).
pub struct WeakSender<T> {
    inner: sim_mpsc::WeakSender<T>,
}

impl<T> WeakSender<T> {
    /// A sender, if any is still alive.
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.inner.upgrade().map(Sender::new)
    }

    /// Live senders.
    pub fn strong_count(&self) -> usize {
        self.inner.strong_count()
    }

    /// Live weak senders.
    pub fn weak_count(&self) -> usize {
        self.inner.weak_count()
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        WeakSender {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WeakSender")
    }
}
