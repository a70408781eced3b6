//! The sending half of an unbounded channel.

use std::fmt;
use std::sync::Arc;

use tokio::sync::mpsc::error::SendError;

use super::chan::Chan;

/// The sending half of [`unbounded_channel`](super::unbounded_channel): `send` never waits.
pub struct UnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> UnboundedSender<T> {
    pub(super) fn new(chan: Arc<Chan<T>>) -> UnboundedSender<T> {
        UnboundedSender { chan }
    }

    /// Queues `value`.
    ///
    /// # Errors
    /// The value back when the receiver is closed or gone.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan.push(value).map_err(SendError)
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

    /// True when both send into the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }

    /// A handle that does not keep the channel open.
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        self.chan.add_weak();
        WeakUnboundedSender {
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

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        UnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UnboundedSender")
    }
}

/// An unbounded sender that does not keep the channel open.
pub struct WeakUnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> WeakUnboundedSender<T> {
    /// A sender, if any is still alive.
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        self.chan.upgrade().then(|| UnboundedSender {
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

impl<T> Clone for WeakUnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.add_weak();
        WeakUnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for WeakUnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_weak();
    }
}

impl<T> fmt::Debug for WeakUnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WeakUnboundedSender")
    }
}
