//! Why a send or a receive did not go through.

use std::fmt;

/// The receiver is gone (dropped or closed): the value comes back.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (tx, rx) = sim::channel::mpsc::channel::<u32>(1);
///     drop(rx);
///     let err = tx.send(7).await.unwrap_err();
///     assert_eq!(err.0, 7);
///     assert_eq!(err.to_string(), "send on a closed channel: the receiver was dropped or closed");
/// }).unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

impl<T> SendError<T> {
    /// The value that was not sent.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("send on a closed channel: the receiver was dropped or closed")
    }
}

impl<T> std::error::Error for SendError<T> {}

/// Why [`Sender::try_send`](super::Sender::try_send) failed; the value comes back either way.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     use sim::channel::mpsc::{channel, error::TrySendError};
///     let (tx, rx) = channel::<u32>(1);
///     tx.try_send(1).unwrap();
///     assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
///     drop(rx);
///     assert!(matches!(tx.try_send(3), Err(TrySendError::Closed(3))));
/// }).unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TrySendError<T> {
    /// Every slot is taken, or senders blocked earlier are first in line.
    Full(T),
    /// The receiver is gone.
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The value that was not sent.
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(v) | TrySendError::Closed(v) => v,
        }
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str(
                "channel full: no free slot (or earlier senders are waiting); use `send().await` to wait",
            ),
            TrySendError::Closed(_) => {
                f.write_str("send on a closed channel: the receiver was dropped or closed")
            }
        }
    }
}

impl<T> std::error::Error for TrySendError<T> {}

/// Why [`Receiver::try_recv`](super::Receiver::try_recv) found nothing.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     use sim::channel::mpsc::{channel, error::TryRecvError};
///     let (tx, mut rx) = channel::<u32>(1);
///     assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
///     drop(tx);
///     assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
/// }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// Nothing buffered, but senders remain.
    Empty,
    /// Nothing buffered, and every sender is gone (or the receiver closed the channel).
    Disconnected,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("channel empty: nothing to receive yet"),
            TryRecvError::Disconnected => {
                f.write_str("channel empty and closed: every sender was dropped or it was closed")
            }
        }
    }
}

impl std::error::Error for TryRecvError {}
