//! A multi-producer, multi-consumer channel where every receiver sees every value (tokio's
//! `broadcast`): [`channel`].
//!
//! # Model and invariants
//!
//! - The channel keeps the last `capacity` values sent. Each receiver has its own position and
//!   receives, in order, every value sent after it subscribed, as a clone.
//! - `send` never waits: it stores the value and wakes every waiting receiver. When a receiver
//!   falls more than `capacity` values behind, the oldest ones are overwritten and its next
//!   `recv` reports [`RecvError::Lagged`] with how many it missed, then resumes at the oldest
//!   value kept.
//! - Once every sender is dropped, receivers get what is left, then [`RecvError::Closed`].
//! - `recv().await` is a preemption point on its first poll; a dropped `recv` future takes
//!   nothing (values are cloned only when a `recv` completes), so cancellation loses nothing.
//! - Values are kept until overwritten (not until every receiver saw them), and dropped outside
//!   the channel's internal borrow.
//!
//! ```
//! use sim::channel::broadcast;
//! let mut sim = sim::Sim::new(3);
//! sim.run(async {
//!     let (tx, mut rx1) = broadcast::channel(16);
//!     let mut rx2 = tx.subscribe();
//!     let h = sim::spawn(async move {
//!         let mut got = Vec::new();
//!         while let Ok(v) = rx2.recv().await { got.push(v); }
//!         got
//!     });
//!     tx.send(1).unwrap();
//!     tx.send(2).unwrap();
//!     drop(tx);
//!     assert_eq!(rx1.recv().await, Ok(1));
//!     assert_eq!(rx1.recv().await, Ok(2));
//!     assert!(rx1.recv().await.is_err());
//!     assert_eq!(h.await.unwrap(), [1, 2]);
//! }).unwrap();
//! ```

use crate::sync::cell::StateCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::rt::primitives::{Handed, WaitList, WaitSlot};

struct State<T> {
    buf: VecDeque<T>,
    /// Position of `buf[0]` in the stream of all values sent.
    head: u64,
    cap: usize,
    senders: usize,
    receivers: usize,
    weak_senders: usize,
    waiters: WaitList<()>,
    /// Senders waiting for the last receiver to go (`Sender::closed`).
    closers: WaitList<()>,
}

impl<T> State<T> {
    fn end(&self) -> u64 {
        self.head + self.buf.len() as u64
    }
}

/// Creates a broadcast channel keeping the last `capacity` values.
///
/// ```
/// let (tx, mut rx) = sim::channel::broadcast::channel(2);
/// for i in 0..3 { tx.send(i).unwrap(); }
/// assert_eq!(rx.try_recv(), Err(sim::channel::broadcast::TryRecvError::Lagged(1)));
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
///
/// # Panics
/// When `capacity` is 0.
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "broadcast::channel(0): the capacity must be at least 1"
    );
    let state = Arc::new(StateCell::new(State {
        buf: VecDeque::new(),
        head: 0,
        cap: capacity,
        senders: 1,
        receivers: 1,
        weak_senders: 0,
        closers: WaitList::default(),
        waiters: WaitList::default(),
    }));
    (
        Sender {
            state: state.clone(),
        },
        Receiver { state, next: 0 },
    )
}

/// The sending half; clone it for more producers.
///
/// ```
/// let (tx, rx) = sim::channel::broadcast::channel::<u32>(4);
/// assert_eq!(tx.receiver_count(), 1);
/// drop(rx);
/// assert!(tx.send(1).is_err()); // nobody to receive it
/// ```
pub struct Sender<T> {
    state: Arc<StateCell<State<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value` to every current receiver; returns how many there are. Fails (giving the
    /// value back) when there are none. Never waits.
    ///
    /// ```
    /// let (tx, _rx) = sim::channel::broadcast::channel(4);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.send("x").unwrap(), 2);
    /// ```
    #[track_caller]
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        crate::rt::primitives::signal(
            "broadcast::Sender::send",
            None,
            std::panic::Location::caller(),
        );
        let (old, wakers, n) = {
            let mut s = self.state.borrow_mut();
            if s.receivers == 0 {
                return Err(SendError(value));
            }
            s.buf.push_back(value);
            let old = if s.buf.len() > s.cap {
                s.head += 1;
                s.buf.pop_front()
            } else {
                None
            };
            (old, s.waiters.grant_all(|_| ()), s.receivers)
        };
        drop(old);
        for w in wakers {
            w.wake();
        }
        Ok(n)
    }

    /// A new receiver that gets the values sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        let mut s = self.state.borrow_mut();
        s.receivers += 1;
        Receiver {
            state: self.state.clone(),
            next: s.end(),
        }
    }

    /// Receivers alive.
    pub fn receiver_count(&self) -> usize {
        self.state.borrow().receivers
    }

    /// Values kept in the channel (at most its capacity), whether or not every receiver has
    /// seen them yet.
    ///
    /// ```
    /// let (tx, _rx) = sim::channel::broadcast::channel(2);
    /// for i in 0..3 { tx.send(i).unwrap(); }
    /// assert_eq!(tx.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.state.borrow().buf.len()
    }

    /// True when no value is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until every receiver is gone (tokio's `closed`).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, rx) = sim::channel::broadcast::channel::<u8>(1);
    ///     sim::spawn(async move { drop(rx) });
    ///     tx.closed().await;
    ///     assert_eq!(tx.receiver_count(), 0);
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn closed(&self) -> Closed<'_, T> {
        Closed {
            state: &self.state,
            slot: WaitSlot::new("broadcast::Sender::closed", Location::caller()),
        }
    }

    /// A [`WeakSender`]: it does not keep the channel open.
    ///
    /// ```
    /// let (tx, _rx) = sim::channel::broadcast::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        self.state.borrow_mut().weak_senders += 1;
        WeakSender {
            state: self.state.clone(),
        }
    }

    /// How many senders exist.
    pub fn strong_count(&self) -> usize {
        self.state.borrow().senders
    }

    /// How many weak senders exist.
    pub fn weak_count(&self) -> usize {
        self.state.borrow().weak_senders
    }

    /// True when both are senders of one channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.state, &other.state)
    }
}

/// A broadcast [`Sender`] that does not keep the channel open ([`Sender::downgrade`]).
pub struct WeakSender<T> {
    state: Arc<StateCell<State<T>>>,
}

impl<T> WeakSender<T> {
    /// A sender again, unless every sender is gone.
    pub fn upgrade(&self) -> Option<Sender<T>> {
        let mut s = self.state.borrow_mut();
        if s.senders == 0 {
            return None;
        }
        s.senders += 1;
        Some(Sender {
            state: self.state.clone(),
        })
    }

    /// How many senders exist.
    pub fn strong_count(&self) -> usize {
        self.state.borrow().senders
    }

    /// How many weak senders exist.
    pub fn weak_count(&self) -> usize {
        self.state.borrow().weak_senders
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        self.state.borrow_mut().weak_senders += 1;
        WeakSender {
            state: self.state.clone(),
        }
    }
}

impl<T> Drop for WeakSender<T> {
    fn drop(&mut self) {
        self.state.borrow_mut().weak_senders -= 1;
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("broadcast::WeakSender")
    }
}

/// Future of [`Sender::closed`].
#[must_use = "futures do nothing unless awaited"]
pub struct Closed<'a, T> {
    state: &'a StateCell<State<T>>,
    slot: WaitSlot,
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.slot.preempt(cx) {
            return Poll::Pending;
        }
        {
            let mut s = this.state.borrow_mut();
            if s.receivers == 0 {
                let _ = this.slot.cancel(&mut s.closers);
                return Poll::Ready(());
            }
            match this.slot.poll(&mut s.closers, cx.waker()) {
                Handed::Grant(()) => return Poll::Ready(()),
                Handed::NotYet => {}
                Handed::NotQueued => this.slot.join(&mut s.closers, cx.waker(), ()),
            }
        }
        this.slot.note(None);
        Poll::Pending
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        if self.slot.is_waiting() {
            let _ = self.slot.cancel(&mut self.state.borrow_mut().closers);
        }
    }
}

impl<T> fmt::Debug for Closed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("broadcast::Closed")
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.state.borrow_mut().senders += 1;
        Sender {
            state: self.state.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let wakers = {
            let mut s = self.state.borrow_mut();
            s.senders -= 1;
            if s.senders > 0 {
                return;
            }
            s.waiters.grant_all(|_| ())
        };
        for w in wakers {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Sender")
            .field("receivers", &self.receiver_count())
            .finish()
    }
}

/// The receiving half: its own position in the stream of values.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (tx, mut rx) = sim::channel::broadcast::channel(4);
///     tx.send(1).unwrap();
///     let mut late = rx.resubscribe(); // starts after 1
///     tx.send(2).unwrap();
///     assert_eq!(rx.recv().await, Ok(1));
///     assert_eq!(late.recv().await, Ok(2));
/// }).unwrap();
/// ```
pub struct Receiver<T> {
    state: Arc<StateCell<State<T>>>,
    next: u64,
}

impl<T: Clone> Receiver<T> {
    /// Receives the next value, waiting for one. A preemption point.
    ///
    /// Errors: [`RecvError::Lagged`] when values were overwritten before this receiver got
    /// them (it then resumes at the oldest kept), [`RecvError::Closed`] when every sender is
    /// gone and nothing is left.
    #[track_caller]
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv {
            rx: self,
            slot: WaitSlot::new("broadcast::Receiver::recv", Location::caller()),
        }
    }

    /// Receives the next value without waiting.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let s = self.state.borrow();
        if self.next < s.head {
            let missed = s.head - self.next;
            self.next = s.head;
            return Err(TryRecvError::Lagged(missed));
        }
        if self.next < s.end() {
            let v = s.buf[(self.next - s.head) as usize].clone();
            self.next += 1;
            return Ok(v);
        }
        if s.senders == 0 {
            Err(TryRecvError::Closed)
        } else {
            Err(TryRecvError::Empty)
        }
    }
}

impl<T> Receiver<T> {
    /// A new receiver that gets the values sent from now on.
    pub fn resubscribe(&self) -> Self {
        let mut s = self.state.borrow_mut();
        s.receivers += 1;
        Receiver {
            state: self.state.clone(),
            next: s.end(),
        }
    }

    /// Values sent and not yet received by this receiver (lagged ones included).
    pub fn len(&self) -> usize {
        (self.state.borrow().end() - self.next) as usize
    }

    /// True when this receiver has nothing to receive.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let wakers = {
            let mut s = self.state.borrow_mut();
            s.receivers -= 1;
            if s.receivers > 0 {
                return;
            }
            s.closers.grant_all(|_| ())
        };
        for w in wakers {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Receiver")
            .field("len", &self.len())
            .finish()
    }
}

/// Future of [`Receiver::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
    slot: WaitSlot,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.slot.preempt(cx) {
            return Poll::Pending;
        }
        if this.slot.is_waiting() {
            let mut s = this.rx.state.borrow_mut();
            if let Handed::NotYet = this.slot.poll(&mut s.waiters, cx.waker()) {
                drop(s);
                this.slot.note(None);
                return Poll::Pending;
            }
        }
        match this.rx.try_recv() {
            Ok(v) => Poll::Ready(Ok(v)),
            Err(TryRecvError::Lagged(n)) => Poll::Ready(Err(RecvError::Lagged(n))),
            Err(TryRecvError::Closed) => Poll::Ready(Err(RecvError::Closed)),
            Err(TryRecvError::Empty) => {
                this.slot
                    .join(&mut this.rx.state.borrow_mut().waiters, cx.waker(), ());
                this.slot.note(None);
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if self.slot.is_waiting() {
            // Every waiter is woken on each send: a dropped one has nothing to pass on.
            let _ = self.slot.cancel(&mut self.rx.state.borrow_mut().waiters);
        }
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("broadcast::Recv")
    }
}

/// Nobody would receive the value: every receiver is gone. The value comes back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("broadcast send with no receiver: every receiver was dropped")
    }
}

impl<T> std::error::Error for SendError<T> {}

/// Why [`Receiver::recv`] returned no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecvError {
    /// Every sender is gone and this receiver got everything.
    Closed,
    /// This many values were overwritten before this receiver got them; the next `recv`
    /// resumes at the oldest value kept.
    Lagged(u64),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Closed => f.write_str("broadcast channel closed: every sender was dropped"),
            RecvError::Lagged(n) => write!(
                f,
                "broadcast receiver lagged: {n} values were overwritten before it received them"
            ),
        }
    }
}

impl std::error::Error for RecvError {}

/// Why [`Receiver::try_recv`] returned no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// Nothing new yet.
    Empty,
    /// Every sender is gone and this receiver got everything.
    Closed,
    /// This many values were overwritten before this receiver got them.
    Lagged(u64),
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("broadcast channel empty: nothing new yet"),
            TryRecvError::Closed => {
                f.write_str("broadcast channel closed: every sender was dropped")
            }
            TryRecvError::Lagged(n) => write!(
                f,
                "broadcast receiver lagged: {n} values were overwritten before it received them"
            ),
        }
    }
}

impl std::error::Error for TryRecvError {}
