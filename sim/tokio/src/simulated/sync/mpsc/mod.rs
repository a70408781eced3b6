//! A multi-producer, single-consumer queue (tokio's `sync::mpsc`), bounded or unbounded.
//!
//! Sending into a bounded channel waits for a free slot in FIFO order; every `send().await`,
//! `reserve().await` and `recv().await` is a preemption point, also when it could complete at
//! once. Closing the receiver (or dropping it) fails the senders; the receiver still gets what
//! was queued, then `None`.
//!
//! ```
//! # use seedloop_tokio as tokio;
//! # tokio::__seedloop::doc_run(async {
//! use tokio::sync::mpsc;
//! let (tx, mut rx) = mpsc::channel(2);
//! tokio::spawn(async move {
//!     for i in 0..5 {
//!         tx.send(i).await.unwrap();
//!     }
//! });
//! let mut got = Vec::new();
//! while let Some(i) = rx.recv().await {
//!     got.push(i);
//! }
//! assert_eq!(got, [0, 1, 2, 3, 4]);
//! # });
//! ```

mod bounded;
mod receiver;
mod unbounded;

use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project_lite::pin_project! {
    /// A `sim` future made `!Unpin`, as the future of the tokio `async fn` it stands for.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    struct Pinned<F> {
        #[pin]
        inner: F,
        #[pin]
        _pin: PhantomPinned,
    }
}

impl<F> Pinned<F> {
    fn new(inner: F) -> Pinned<F> {
        Pinned {
            inner,
            _pin: PhantomPinned,
        }
    }
}

impl<F: Future> Future for Pinned<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}

pub use bounded::{OwnedPermit, Permit, PermitIterator, Sender, WeakSender};
pub use receiver::{Receiver, UnboundedReceiver};
pub use unbounded::{UnboundedSender, WeakUnboundedSender};

/// The errors of this module: tokio's own types.
pub mod error {
    pub use tokio::sync::mpsc::error::{SendError, SendTimeoutError, TryRecvError, TrySendError};
}

/// A bounded channel of `buffer` slots: `sim`'s, under tokio's names.
///
/// # Panics
/// When `buffer` is 0, as tokio's.
#[track_caller]
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    assert!(buffer > 0, "mpsc bounded channel requires buffer > 0");
    let (tx, rx) = sim::channel::mpsc::channel(buffer);
    (Sender::new(tx), Receiver::new(rx))
}

/// A channel without a bound: `send` never waits.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
/// tx.send("a").unwrap();
/// drop(tx);
/// assert_eq!(rx.recv().await, Some("a"));
/// assert_eq!(rx.recv().await, None);
/// # });
/// ```
#[track_caller]
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = sim::channel::mpsc::unbounded_channel();
    (UnboundedSender::new(tx), UnboundedReceiver::new(rx))
}
