//! Every value to every receiver (tokio's `sync::broadcast`), wrapping `sim`'s: a receiver that
//! falls more than the capacity behind gets `RecvError::Lagged` with how many it missed.
//!
//! ```
//! # use seedloop_tokio as tokio;
//! # tokio::__seedloop::doc_run(async {
//! use tokio::sync::broadcast;
//! let (tx, mut rx1) = broadcast::channel(16);
//! let mut rx2 = tx.subscribe();
//! tx.send(10).unwrap();
//! assert_eq!(rx1.recv().await.unwrap(), 10);
//! assert_eq!(rx2.recv().await.unwrap(), 10);
//! drop(tx);
//! assert_eq!(rx1.recv().await, Err(broadcast::error::RecvError::Closed));
//! # });
//! ```

use std::fmt;
use std::sync::Arc;

/// The errors of this module: tokio's own types.
pub mod error {
    pub use tokio::sync::broadcast::error::{RecvError, SendError, TryRecvError};
}

use error::{RecvError, SendError, TryRecvError};

/// Identifies a channel, for `same_channel`.
#[derive(Debug, Default)]
struct Id;

/// A channel keeping the last `capacity` values (rounded up to a power of two, as tokio's).
///
/// # Panics
/// When `capacity` is 0 or too large, as tokio's.
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "broadcast channel capacity cannot be zero");
    assert!(
        capacity <= usize::MAX >> 1,
        "broadcast channel capacity exceeded `usize::MAX / 2`"
    );
    let (tx, rx) = sim::channel::broadcast::channel(capacity.next_power_of_two());
    let id = Arc::new(Id);
    (
        Sender {
            inner: tx,
            id: id.clone(),
        },
        Receiver { inner: rx, id },
    )
}

/// The sending half; clone it for more producers.
pub struct Sender<T> {
    inner: sim::channel::broadcast::Sender<T>,
    id: Arc<Id>,
}

impl<T: Clone> Sender<T> {
    /// A sender of a new channel with no receiver yet ([`Sender::subscribe`] makes them).
    ///
    /// # Panics
    /// When `capacity` is 0 or too large, as tokio's.
    #[track_caller]
    pub fn new(capacity: usize) -> Sender<T> {
        channel(capacity).0
    }
}

impl<T> Sender<T> {
    /// Sends `value` to every receiver; returns how many there are.
    ///
    /// # Errors
    /// The value back when there is no receiver.
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        self.inner.send(value).map_err(|e| SendError(e.0))
    }

    /// A new receiver, getting the values sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        Receiver {
            inner: self.inner.subscribe(),
            id: self.id.clone(),
        }
    }

    /// How many receivers exist.
    pub fn receiver_count(&self) -> usize {
        self.inner.receiver_count()
    }

    /// True when both send into the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.id, &other.id)
    }

    /// Waits until every receiver is gone (a preemption point, and a named wait).
    pub async fn closed(&self) {
        self.inner.closed().await;
    }

    /// A [`WeakSender`]: it does not keep the channel open.
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            inner: self.inner.downgrade(),
            id: self.id.clone(),
        }
    }

    /// How many senders exist.
    pub fn strong_count(&self) -> usize {
        self.inner.strong_count()
    }

    /// How many weak senders exist.
    pub fn weak_count(&self) -> usize {
        self.inner.weak_count()
    }
}

/// A sender that does not keep the channel open ([`Sender::downgrade`]).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let (tx, _rx) = tokio::sync::broadcast::channel::<u8>(1);
/// let weak = tx.downgrade();
/// assert!(weak.upgrade().is_some());
/// drop(tx);
/// assert!(weak.upgrade().is_none());
/// # });
/// ```
pub struct WeakSender<T> {
    inner: sim::channel::broadcast::WeakSender<T>,
    id: Arc<Id>,
}

impl<T> WeakSender<T> {
    /// A sender again, unless every sender is gone.
    pub fn upgrade(&self) -> Option<Sender<T>> {
        Some(Sender {
            inner: self.inner.upgrade()?,
            id: self.id.clone(),
        })
    }

    /// How many senders exist.
    pub fn strong_count(&self) -> usize {
        self.inner.strong_count()
    }

    /// How many weak senders exist.
    pub fn weak_count(&self) -> usize {
        self.inner.weak_count()
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        WeakSender {
            inner: self.inner.clone(),
            id: self.id.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender").finish_non_exhaustive()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            inner: self.inner.clone(),
            id: self.id.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// The receiving half; [`Sender::subscribe`] makes more.
pub struct Receiver<T> {
    inner: sim::channel::broadcast::Receiver<T>,
    id: Arc<Id>,
}

impl<T: Clone> Receiver<T> {
    /// Waits for the next value (a preemption point, also when one is waiting).
    ///
    /// # Errors
    /// `Lagged(n)` when `n` values were overwritten before this receiver got them (the next
    /// call resumes at the oldest kept); `Closed` when every sender is gone and nothing is left.
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        self.inner.recv().await.map_err(|e| match e {
            sim::channel::broadcast::RecvError::Closed => RecvError::Closed,
            sim::channel::broadcast::RecvError::Lagged(n) => RecvError::Lagged(n),
        })
    }

    /// The next value if there is one.
    ///
    /// # Errors
    /// `Empty`, `Lagged(n)` or `Closed`.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.inner.try_recv().map_err(|e| match e {
            sim::channel::broadcast::TryRecvError::Empty => TryRecvError::Empty,
            sim::channel::broadcast::TryRecvError::Closed => TryRecvError::Closed,
            sim::channel::broadcast::TryRecvError::Lagged(n) => TryRecvError::Lagged(n),
        })
    }

    /// Receives from synchronous code: works when a value is waiting or the channel is closed.
    ///
    /// # Errors
    /// As [`Receiver::recv`].
    ///
    /// # Panics
    /// When it would have to wait (the simulated thread cannot block).
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Result<T, RecvError> {
        match self.try_recv() {
            Ok(v) => Ok(v),
            Err(TryRecvError::Closed) => Err(RecvError::Closed),
            Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
            Err(TryRecvError::Empty) => panic!(
                "broadcast::Receiver::blocking_recv with nothing to receive: the simulation runs \
                 on one thread, which cannot block; use `recv().await` in an async task"
            ),
        }
    }
}

impl<T> Receiver<T> {
    /// A new receiver on the same channel, getting the values sent from now on.
    pub fn resubscribe(&self) -> Self {
        Receiver {
            inner: self.inner.resubscribe(),
            id: self.id.clone(),
        }
    }

    /// Values waiting for this receiver.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// True when nothing waits for this receiver.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// True when both receive from the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.id, &other.id)
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}
