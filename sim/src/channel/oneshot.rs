//! A one-value channel: [`channel`] gives a [`Sender`] that sends once and a [`Receiver`] that is
//! a future of that value.
//!
//! # Model and invariants
//!
//! - `send` never waits; it fails, giving the value back, when the receiver was dropped or
//!   closed.
//! - The receiver completes with the value once it is sent, or with [`RecvError`] once the sender
//!   is dropped without sending. Its first poll is a preemption point.
//! - Dropping the receiver drops a value sent and not received; the sender can see it through
//!   [`Sender::is_closed`] or wait for it with [`Sender::closed`].
//! - Values are dropped and wakers woken outside the channel's internal borrow.
//!
//! ```
//! use sim::channel::oneshot;
//! let mut sim = sim::Sim::new(0);
//! let v = sim.run(async {
//!     let (tx, rx) = oneshot::channel();
//!     sim::spawn(async move { tx.send(42).unwrap() });
//!     rx.await.unwrap()
//! }).unwrap();
//! assert_eq!(v, 42);
//! ```

use crate::sync::cell::StateCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::rt::primitives::WaitSlot;

struct Inner<T> {
    value: Option<T>,
    sender_gone: bool,
    receiver_gone: bool,
    /// The receiver took the value.
    taken: bool,
    rx_waker: Option<Waker>,
    tx_waker: Option<Waker>,
}

/// Creates a one-value channel.
///
/// ```
/// let (tx, mut rx) = sim::channel::oneshot::channel();
/// tx.send("hi").unwrap();
/// assert_eq!(rx.try_recv(), Ok("hi"));
/// ```
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(StateCell::new(Inner {
        value: None,
        sender_gone: false,
        receiver_gone: false,
        taken: false,
        rx_waker: None,
        tx_waker: None,
    }));
    (
        Sender {
            inner: inner.clone(),
        },
        Receiver {
            inner,
            slot: WaitSlot::new("oneshot::Receiver", Location::caller()),
        },
    )
}

/// The sending half: sends one value.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (tx, rx) = sim::channel::oneshot::channel::<u32>();
///     drop(tx); // never sent
///     assert!(rx.await.is_err());
/// }).unwrap();
/// ```
pub struct Sender<T> {
    inner: Arc<StateCell<Inner<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waking the receiver. Gives it back when the receiver was dropped or
    /// closed. Not a preemption point: it never waits.
    ///
    /// ```
    /// let (tx, rx) = sim::channel::oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(5), Err(5));
    /// ```
    #[track_caller]
    pub fn send(self, value: T) -> Result<(), T> {
        crate::rt::primitives::signal(
            "oneshot::Sender::send",
            None,
            std::panic::Location::caller(),
        );
        let waker = {
            let mut i = self.inner.borrow_mut();
            if i.receiver_gone {
                return Err(value);
            }
            i.value = Some(value);
            i.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// True once the receiver was dropped or closed: a `send` would fail.
    pub fn is_closed(&self) -> bool {
        self.inner.borrow().receiver_gone
    }

    /// Waits until the receiver is dropped or closed (e.g. to stop computing a value nobody
    /// wants). A preemption point.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (mut tx, rx) = sim::channel::oneshot::channel::<u32>();
    ///     sim::spawn(async move { drop(rx) });
    ///     tx.closed().await;
    ///     assert!(tx.is_closed());
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn closed(&mut self) -> Closed<'_, T> {
        Closed {
            tx: self,
            slot: WaitSlot::new("oneshot::Sender::closed", Location::caller()),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut i = self.inner.borrow_mut();
            i.sender_gone = true;
            i.tx_waker = None;
            i.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// Future of [`Sender::closed`].
#[must_use = "futures do nothing unless awaited"]
pub struct Closed<'a, T> {
    tx: &'a mut Sender<T>,
    /// Its preemption point and wait note (one waiter: the waker is kept in the channel).
    slot: WaitSlot,
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.slot.preempt(cx) {
            return Poll::Pending;
        }
        let mut i = this.tx.inner.borrow_mut();
        if i.receiver_gone {
            return Poll::Ready(());
        }
        i.tx_waker = Some(cx.waker().clone());
        drop(i);
        this.slot.note(None);
        Poll::Pending
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        self.tx.inner.borrow_mut().tx_waker = None;
    }
}

impl<T> fmt::Debug for Closed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Closed")
    }
}

/// The receiving half: a future of the value, `Err(RecvError)` if the sender was dropped
/// without sending.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (tx, rx) = sim::channel::oneshot::channel();
///     sim::spawn(async move {
///         sim::time::sleep(std::time::Duration::from_secs(1)).await;
///         tx.send('x').unwrap();
///     });
///     assert_eq!(rx.await, Ok('x'));
///     assert_eq!(sim::time::now().as_nanos(), 1_000_000_000);
/// }).unwrap();
/// ```
pub struct Receiver<T> {
    inner: Arc<StateCell<Inner<T>>>,
    /// Its preemption point and wait note (one waiter: the waker is kept in the channel).
    slot: WaitSlot,
}

impl<T> Receiver<T> {
    /// Takes the value if it was sent, without waiting.
    ///
    /// ```
    /// use sim::channel::oneshot::{channel, TryRecvError};
    /// let (tx, mut rx) = channel::<u8>();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut i = self.inner.borrow_mut();
        if let Some(v) = i.value.take() {
            i.taken = true;
            return Ok(v);
        }
        if i.sender_gone || i.taken || i.receiver_gone {
            Err(TryRecvError::Closed)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Refuses the value from now on: a later `send` fails. A value sent before can still be
    /// taken with [`try_recv`](Self::try_recv) or by awaiting.
    ///
    /// ```
    /// let (tx, mut rx) = sim::channel::oneshot::channel();
    /// rx.close();
    /// assert!(tx.is_closed());
    /// assert_eq!(tx.send(1), Err(1));
    /// ```
    pub fn close(&mut self) {
        let waker = {
            let mut i = self.inner.borrow_mut();
            i.receiver_gone = true;
            i.tx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.slot.preempt(cx) {
            return Poll::Pending;
        }
        let mut i = this.inner.borrow_mut();
        if let Some(v) = i.value.take() {
            i.taken = true;
            return Poll::Ready(Ok(v));
        }
        assert!(
            !i.taken,
            "oneshot::Receiver polled after it completed: a oneshot value is received once"
        );
        if i.sender_gone || i.receiver_gone {
            return Poll::Ready(Err(RecvError));
        }
        i.rx_waker = Some(cx.waker().clone());
        drop(i);
        this.slot.note(None);
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let (value, waker) = {
            let mut i = self.inner.borrow_mut();
            i.receiver_gone = true;
            i.rx_waker = None;
            (i.value.take(), i.tx_waker.take())
        };
        drop(value);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("oneshot::Receiver")
    }
}

/// The sender was dropped without sending (or the receiver was closed before a value came).
///
/// ```
/// let e = sim::channel::oneshot::RecvError;
/// assert_eq!(e.to_string(), "oneshot sender dropped without sending a value");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("oneshot sender dropped without sending a value")
    }
}

impl std::error::Error for RecvError {}

/// Why [`Receiver::try_recv`] got nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// Not sent yet.
    Empty,
    /// Never will be: the sender was dropped, the receiver closed, or the value already taken.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("oneshot value not sent yet"),
            TryRecvError::Closed => f.write_str(
                "oneshot channel closed: the sender was dropped, the receiver closed, or the value was already taken",
            ),
        }
    }
}

impl std::error::Error for TryRecvError {}
