//! The sending half of a bounded channel, its permits and weak handle.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::mpsc::error::{SendError, SendTimeoutError, TrySendError};

use super::chan::Chan;
use crate::sync::{Acquire, TryAcquireError};

/// The sending half of [`channel`](super::channel); clone it for more producers.
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    pub(super) fn new(chan: Arc<Chan<T>>) -> Sender<T> {
        Sender { chan }
    }

    fn slots(&self) -> &crate::sync::Semaphore {
        self.chan
            .slots
            .as_ref()
            .expect("a bounded channel has slots")
    }

    /// Waits for a free slot and queues `value`.
    ///
    /// # Errors
    /// The value back when the receiver is closed or gone.
    #[track_caller]
    pub fn send(&self, value: T) -> Send<'_, T> {
        Send {
            chan: &self.chan,
            value: Some(value),
            acquire: self.slots().acquire(),
        }
    }

    /// Waits for a free slot and reserves it.
    ///
    /// # Errors
    /// When the receiver is closed or gone.
    #[track_caller]
    pub fn reserve(&self) -> Reserve<'_, T> {
        Reserve {
            chan: &self.chan,
            acquire: self.slots().acquire(),
        }
    }

    /// Waits for `n` free slots and reserves them.
    ///
    /// # Errors
    /// When the receiver is closed or gone, or `n` exceeds the capacity.
    pub async fn reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, SendError<()>> {
        if n > self.chan.cap {
            return Err(SendError(()));
        }
        let n32 = u32::try_from(n).map_err(|_| SendError(()))?;
        let permit = self
            .slots()
            .acquire_many(n32)
            .await
            .map_err(|_| SendError(()))?;
        permit.forget();
        Ok(PermitIterator {
            chan: &self.chan,
            n,
        })
    }

    /// Waits for a free slot and reserves it, consuming the sender (which the permit gives
    /// back).
    ///
    /// # Errors
    /// When the receiver is closed or gone.
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<()>> {
        self.slots()
            .acquire()
            .await
            .map_err(|_| SendError(()))?
            .forget();
        Ok(OwnedPermit { tx: Some(self) })
    }

    /// Reserves a slot if one is free.
    ///
    /// # Errors
    /// `Full` or `Closed`.
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        self.try_slot(())?;
        Ok(Permit { chan: &self.chan })
    }

    /// Reserves `n` slots if they are free.
    ///
    /// # Errors
    /// `Full` or `Closed`.
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        let n32 = u32::try_from(n).map_err(|_| TrySendError::Full(()))?;
        match self.slots().try_acquire_many(n32) {
            Ok(p) => {
                p.forget();
                Ok(PermitIterator {
                    chan: &self.chan,
                    n,
                })
            }
            Err(TryAcquireError::Closed) => Err(TrySendError::Closed(())),
            Err(_) => Err(TrySendError::Full(())),
        }
    }

    /// Reserves a slot if one is free, consuming the sender.
    ///
    /// # Errors
    /// `Full` or `Closed`, with the sender back.
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Sender<T>>> {
        match self.try_slot(()) {
            Ok(()) => Ok(OwnedPermit { tx: Some(self) }),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(self)),
            Err(TrySendError::Full(())) => Err(TrySendError::Full(self)),
        }
    }

    fn try_slot<V>(&self, value: V) -> Result<(), TrySendError<V>> {
        match self.slots().try_acquire() {
            Ok(p) => {
                p.forget();
                Ok(())
            }
            Err(TryAcquireError::Closed) => Err(TrySendError::Closed(value)),
            Err(_) => Err(TrySendError::Full(value)),
        }
    }

    /// Queues `value` if a slot is free.
    ///
    /// # Errors
    /// `Full` or `Closed`, with the value.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        if self.chan.rx_closed() {
            return Err(TrySendError::Closed(value));
        }
        if let Err(e) = self.try_slot(()) {
            return Err(match e {
                TrySendError::Full(()) => TrySendError::Full(value),
                TrySendError::Closed(()) => TrySendError::Closed(value),
            });
        }
        self.chan.push(value).map_err(|v| {
            self.chan.release_slots(1);
            TrySendError::Closed(v)
        })
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
    pub async fn closed(&self) {
        loop {
            if self.chan.rx_closed() {
                return;
            }
            let notified = self.chan.closed.notified();
            if self.chan.rx_closed() {
                return;
            }
            notified.await;
        }
    }

    /// True once the receiver is closed or dropped.
    pub fn is_closed(&self) -> bool {
        self.chan.rx_closed()
    }

    /// Free slots now.
    pub fn capacity(&self) -> usize {
        self.slots().available_permits()
    }

    /// The channel's size.
    pub fn max_capacity(&self) -> usize {
        self.chan.cap
    }

    /// True when both send into the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }

    /// A handle that does not keep the channel open.
    pub fn downgrade(&self) -> WeakSender<T> {
        self.chan.add_weak();
        WeakSender {
            chan: self.chan.clone(),
        }
    }

    /// Live senders.
    pub fn strong_count(&self) -> usize {
        self.chan.counts().0
    }

    /// Live weak senders.
    pub fn weak_count(&self) -> usize {
        self.chan.counts().1
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("max_capacity", &self.chan.cap)
            .finish_non_exhaustive()
    }
}

pin_project_lite::pin_project! {
    /// Future of [`Sender::send`]; `!Unpin`, as tokio's.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Send<'a, T> {
        chan: &'a Arc<Chan<T>>,
        value: Option<T>,
        #[pin]
        acquire: Acquire<'a>,
    }
}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.acquire.poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(r) => {
                let value = this.value.take().expect("Send polled after completion");
                match r {
                    Ok(permit) => {
                        permit.forget();
                        Poll::Ready(this.chan.push(value).map_err(|v| {
                            this.chan.release_slots(1);
                            SendError(v)
                        }))
                    }
                    Err(_) => Poll::Ready(Err(SendError(value))),
                }
            }
        }
    }
}

pin_project_lite::pin_project! {
    /// Future of [`Sender::reserve`]; `!Unpin`, as tokio's.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Reserve<'a, T> {
        chan: &'a Arc<Chan<T>>,
        #[pin]
        acquire: Acquire<'a>,
    }
}

impl<'a, T> Future for Reserve<'a, T> {
    type Output = Result<Permit<'a, T>, SendError<()>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.acquire.poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(permit)) => {
                permit.forget();
                Poll::Ready(Ok(Permit { chan: this.chan }))
            }
            Poll::Ready(Err(_)) => Poll::Ready(Err(SendError(()))),
        }
    }
}

/// A reserved slot: [`Permit::send`] fills it without waiting; dropping frees it.
pub struct Permit<'a, T> {
    chan: &'a Arc<Chan<T>>,
}

impl<T> Permit<'_, T> {
    /// Queues `value` in the reserved slot.
    pub fn send(self, value: T) {
        let chan = self.chan;
        std::mem::forget(self);
        if chan.push(value).is_err() {
            chan.release_slots(1);
        }
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.chan.release_slots(1);
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Permit")
    }
}

/// Reserved slots of [`Sender::reserve_many`], one [`Permit`] per item.
pub struct PermitIterator<'a, T> {
    chan: &'a Arc<Chan<T>>,
    n: usize,
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        if self.n == 0 {
            return None;
        }
        self.n -= 1;
        Some(Permit { chan: self.chan })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.n, Some(self.n))
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> Drop for PermitIterator<'_, T> {
    fn drop(&mut self) {
        self.chan.release_slots(self.n);
    }
}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("n", &self.n)
            .finish()
    }
}

/// A reserved slot owning its sender ([`Sender::reserve_owned`]).
pub struct OwnedPermit<T> {
    tx: Option<Sender<T>>,
}

impl<T> OwnedPermit<T> {
    /// Queues `value` in the reserved slot and gives the sender back.
    pub fn send(mut self, value: T) -> Sender<T> {
        let tx = self.tx.take().expect("an OwnedPermit holds its sender");
        if tx.chan.push(value).is_err() {
            tx.chan.release_slots(1);
        }
        tx
    }

    /// Frees the slot and gives the sender back.
    pub fn release(mut self) -> Sender<T> {
        let tx = self.tx.take().expect("an OwnedPermit holds its sender");
        tx.chan.release_slots(1);
        tx
    }

    /// True when both permits belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        match (&self.tx, &other.tx) {
            (Some(a), Some(b)) => a.same_channel(b),
            _ => false,
        }
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(tx) = &self.tx {
            tx.chan.release_slots(1);
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnedPermit")
    }
}

/// A sender that does not keep the channel open ([`Sender::downgrade`]).
pub struct WeakSender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> WeakSender<T> {
    /// A sender, if any is still alive.
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.chan.upgrade().then(|| Sender {
            chan: self.chan.clone(),
        })
    }

    /// Live senders.
    pub fn strong_count(&self) -> usize {
        self.chan.counts().0
    }

    /// Live weak senders.
    pub fn weak_count(&self) -> usize {
        self.chan.counts().1
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        self.chan.add_weak();
        WeakSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for WeakSender<T> {
    fn drop(&mut self) {
        self.chan.drop_weak();
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WeakSender")
    }
}
