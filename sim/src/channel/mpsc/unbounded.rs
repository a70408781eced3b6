//! The sending half of an unbounded channel.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use std::panic::Location;

use super::Shared;
use super::error::SendError;
use super::extra::{Closed, WeakUnboundedSender};
use crate::channel::chan::Wakes;

/// The sending half of an [`unbounded_channel`](super::unbounded_channel): `send` never waits,
/// so it is a plain function (and not a preemption point). Clone it for more producers.
///
/// Also a futures [`Sink`](futures::Sink) that is always ready while the receiver lives.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (tx, mut rx) = sim::channel::mpsc::unbounded_channel();
///     let tx2 = tx.clone();
///     tx.send("a").unwrap();
///     tx2.send("b").unwrap();
///     assert_eq!(rx.recv().await, Some("a"));
///     assert_eq!(rx.recv().await, Some("b"));
/// }).unwrap();
/// ```
pub struct UnboundedSender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> UnboundedSender<T> {
    pub(super) fn new(shared: Arc<Shared<T>>) -> Self {
        UnboundedSender { shared }
    }

    /// Sends `value` at once; gives it back in the error when the receiver is gone.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, rx) = sim::channel::mpsc::unbounded_channel();
    ///     assert!(tx.send(1).is_ok());
    ///     drop(rx);
    ///     assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        crate::rt::primitives::signal(
            "mpsc::UnboundedSender::send",
            None,
            std::panic::Location::caller(),
        );
        let mut wk = Wakes::default();
        let mut c = self.shared.chan.borrow_mut();
        let r = match c.try_reserve() {
            Ok(true) => c.commit(value, &mut wk),
            Ok(false) | Err(()) => Err(value),
        };
        drop(c);
        wk.wake();
        r.map_err(SendError)
    }

    /// True once the receiver is dropped or closed.
    pub fn is_closed(&self) -> bool {
        self.shared.chan.borrow().is_closed()
    }

    /// Waits until the receiver is dropped or closed.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, mut rx) = sim::channel::mpsc::unbounded_channel::<u8>();
    ///     rx.close();
    ///     tx.closed().await;
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn closed(&self) -> Closed<'_, T> {
        Closed::new(&self.shared, Location::caller())
    }

    /// A [`WeakUnboundedSender`]: it does not keep the channel open.
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        WeakUnboundedSender::new(self.shared.clone())
    }

    /// How many senders exist.
    pub fn strong_count(&self) -> usize {
        self.shared.sender_count()
    }

    /// How many weak senders exist.
    pub fn weak_count(&self) -> usize {
        self.shared.weak_count()
    }

    /// True when both are senders of one channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        self.shared.add_sender();
        UnboundedSender::new(self.shared.clone())
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.shared.drop_sender();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> futures::Sink<T> for UnboundedSender<T> {
    type Error = SendError<Option<T>>;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if self.is_closed() {
            Poll::Ready(Err(SendError(None)))
        } else {
            Poll::Ready(Ok(()))
        }
    }

    fn start_send(self: Pin<&mut Self>, item: T) -> Result<(), Self::Error> {
        self.send(item).map_err(|e| SendError(Some(e.0)))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }
}
