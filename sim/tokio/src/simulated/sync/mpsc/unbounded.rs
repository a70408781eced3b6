//! The sending half of an unbounded channel: a thin layer over `sim`'s.

use std::fmt;
use std::future::Future;

use tokio::sync::mpsc::error::SendError;

use sim::channel::mpsc as sim_mpsc;

/// The sending half of [`unbounded_channel`](super::unbounded_channel): `send` never waits.
pub struct UnboundedSender<T> {
    inner: sim_mpsc::UnboundedSender<T>,
}

impl<T> UnboundedSender<T> {
    pub(super) fn new(inner: sim_mpsc::UnboundedSender<T>) -> UnboundedSender<T> {
        UnboundedSender { inner }
    }

    /// Queues `value`.
    ///
    /// # Errors
    /// The value back when the receiver is closed or gone.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.inner.send(value).map_err(|e| SendError(e.0))
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

    /// True when both send into the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.inner.same_channel(&other.inner)
    }

    /// A handle that does not keep the channel open.
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        WeakUnboundedSender {
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

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        UnboundedSender {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UnboundedSender")
    }
}

/// An unbounded sender that does not keep the channel open.
pub struct WeakUnboundedSender<T> {
    inner: sim_mpsc::WeakUnboundedSender<T>,
}

impl<T> WeakUnboundedSender<T> {
    /// A sender, if any is still alive.
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        self.inner.upgrade().map(UnboundedSender::new)
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

impl<T> Clone for WeakUnboundedSender<T> {
    fn clone(&self) -> Self {
        WeakUnboundedSender {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakUnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WeakUnboundedSender")
    }
}
