//! A channel for one value (tokio's `sync::oneshot`), wrapping `sim`'s.
//!
//! ```
//! # use seedloop_tokio as tokio;
//! # tokio::__seedloop::doc_run(async {
//! use tokio::sync::oneshot;
//! let (tx, rx) = oneshot::channel();
//! tokio::spawn(async move { tx.send(3).unwrap() });
//! assert_eq!(rx.await.unwrap(), 3);
//! let (tx, rx) = oneshot::channel::<u8>();
//! drop(tx);
//! assert!(rx.await.is_err());
//! # });
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The errors of this module.
pub mod error {
    use std::fmt;

    pub use tokio::sync::oneshot::error::TryRecvError;

    /// The sender was dropped without sending (tokio's `oneshot::error::RecvError`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}
}

use error::{RecvError, TryRecvError};

/// A channel for one value.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = sim::channel::oneshot::channel();
    (Sender { inner: tx }, Receiver { inner: rx })
}

/// Sends the value.
pub struct Sender<T> {
    inner: sim::channel::oneshot::Sender<T>,
}

impl<T> Sender<T> {
    /// Sends `t`; gives it back when the receiver is gone.
    ///
    /// # Errors
    /// The value, when the receiver was dropped or closed.
    pub fn send(self, t: T) -> Result<(), T> {
        self.inner.send(t)
    }

    /// Waits until the receiver is dropped or closed.
    pub async fn closed(&mut self) {
        self.inner.closed().await;
    }

    /// True once the receiver is dropped or closed.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// Receives the value: await it.
pub struct Receiver<T> {
    inner: sim::channel::oneshot::Receiver<T>,
}

impl<T> Receiver<T> {
    /// The value, if it was sent.
    ///
    /// # Errors
    /// `Empty` before it is sent, `Closed` when it never will be.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.inner.try_recv().map_err(|e| match e {
            sim::channel::oneshot::TryRecvError::Empty => TryRecvError::Empty,
            sim::channel::oneshot::TryRecvError::Closed => TryRecvError::Closed,
        })
    }

    /// Refuses the value: the sender's `send` fails from now on.
    pub fn close(&mut self) {
        self.inner.close();
    }

    /// Receives from synchronous code: works once the value was sent or the sender is gone.
    ///
    /// # Errors
    /// When the sender was dropped.
    ///
    /// # Panics
    /// When it would have to wait (the simulated thread cannot block).
    #[track_caller]
    pub fn blocking_recv(mut self) -> Result<T, RecvError> {
        match self.try_recv() {
            Ok(v) => Ok(v),
            Err(TryRecvError::Closed) => Err(RecvError(())),
            Err(TryRecvError::Empty) => panic!(
                "oneshot::Receiver::blocking_recv before the value was sent: the simulation runs \
                 on one thread, which cannot block; `.await` the receiver in an async task"
            ),
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.inner)
            .poll(cx)
            .map(|r| r.map_err(|_| RecvError(())))
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}
