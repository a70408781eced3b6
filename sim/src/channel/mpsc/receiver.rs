//! The receiving half.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::Shared;
use super::error::TryRecvError;
use crate::channel::chan::Wakes;
use crate::channel::pending::{PendingGet, WaitSite};

/// The receiving half of an mpsc channel. Also a futures [`Stream`](futures::Stream) that ends
/// when the channel is closed and empty.
///
/// ```
/// use futures::StreamExt;
/// let mut sim = sim::Sim::new(0);
/// let v = sim.run(async {
///     let (tx, rx) = sim::channel::mpsc::unbounded_channel();
///     sim::spawn(async move { for i in 1..=3 { tx.send(i).unwrap(); } });
///     rx.map(|i| i * 10).collect::<Vec<_>>().await
/// }).unwrap();
/// assert_eq!(v, [10, 20, 30]);
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    get: PendingGet,
    site: &'static Location<'static>,
}

impl<T> Receiver<T> {
    pub(super) fn new(shared: Arc<Shared<T>>, site: &'static Location<'static>) -> Self {
        Receiver {
            shared,
            get: PendingGet::default(),
            site,
        }
    }

    /// Receives the next value, waiting for one; `None` once the channel is closed (every sender
    /// dropped, or [`close`](Self::close) called) and nothing is buffered. A preemption point.
    ///
    /// Cancel-safe: if the future is dropped after a value was handed to it, the value goes back
    /// to the front of the channel for the next `recv`.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, mut rx) = sim::channel::mpsc::channel(4);
    ///     tx.send(1).await.unwrap();
    ///     drop(tx);
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, None);
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn recv(&mut self) -> Recv<'_, T> {
        self.site = Location::caller();
        Recv {
            rx: self,
            done: false,
        }
    }

    /// Waits for at least one value, then takes up to `limit` of those available into `buffer`
    /// (tokio's `recv_many`); returns how many it added, 0 once the channel is closed and empty
    /// (or when `limit` is 0).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, mut rx) = sim::channel::mpsc::channel(4);
    ///     for i in 0..3 { tx.send(i).await.unwrap(); }
    ///     let mut got = Vec::new();
    ///     assert_eq!(rx.recv_many(&mut got, 2).await, 2);
    ///     assert_eq!(got, [0, 1]);
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn recv_many<'a>(
        &'a mut self,
        buffer: &'a mut Vec<T>,
        limit: usize,
    ) -> impl Future<Output = usize> + 'a {
        self.site = Location::caller();
        std::future::poll_fn(move |cx| self.poll_recv_many(cx, buffer, limit))
    }

    /// Polls for values (what [`recv_many`](Self::recv_many) uses): `Ready(n)` once it moved
    /// `n` >= 1 of them into `buffer` (at most `limit`), `Ready(0)` when the channel is closed
    /// and empty or `limit` is 0. The first poll of each receive is a preemption point, as for
    /// [`poll_recv`](Self::poll_recv).
    ///
    /// ```
    /// use std::task::Poll;
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, mut rx) = sim::channel::mpsc::unbounded_channel();
    ///     for i in 0..3 { tx.send(i).unwrap(); }
    ///     let mut got = Vec::new();
    ///     let n = std::future::poll_fn(|cx| rx.poll_recv_many(cx, &mut got, 8)).await;
    ///     assert_eq!((n, got), (3, vec![0, 1, 2]));
    /// }).unwrap();
    /// ```
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        let Some(first) = std::task::ready!(self.poll_recv(cx)) else {
            return Poll::Ready(0);
        };
        buffer.push(first);
        let mut n = 1;
        let mut wk = Wakes::default();
        {
            let mut c = self.shared.chan.borrow_mut();
            while n < limit {
                let Some(v) = c.try_take(&mut wk) else { break };
                buffer.push(v);
                n += 1;
            }
        }
        wk.wake();
        Poll::Ready(n)
    }

    /// Receives a value if one is buffered, without waiting.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, mut rx) = sim::channel::mpsc::channel(1);
    ///     tx.try_send(5).unwrap();
    ///     assert_eq!(rx.try_recv(), Ok(5));
    ///     assert!(rx.try_recv().is_err());
    /// }).unwrap();
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        // A value already handed to a pending poll goes back to the front first.
        self.get.cancel(&self.shared.chan);
        let mut wk = Wakes::default();
        let mut c = self.shared.chan.borrow_mut();
        let r = match c.try_take(&mut wk) {
            Some(v) => Ok(v),
            None if c.is_closed() => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        };
        drop(c);
        wk.wake();
        r
    }

    /// Polls for the next value (what [`recv`](Self::recv) and the `Stream` impl use). The first
    /// poll of each receive is a preemption point.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let at = WaitSite {
            op: "mpsc::Receiver::recv",
            name: None,
            site: self.site,
        };
        self.get.poll(&self.shared.chan, cx, at)
    }

    /// Closes the channel from the receiving side: sends fail from now on (blocked senders are
    /// woken with an error), while values already sent can still be received.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, mut rx) = sim::channel::mpsc::channel(2);
    ///     tx.send(1).await.unwrap();
    ///     rx.close();
    ///     assert!(tx.send(2).await.is_err());
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, None);
    /// }).unwrap();
    /// ```
    pub fn close(&mut self) {
        self.shared.close();
    }

    /// True once the channel is closed (every sender dropped, or `close` called).
    pub fn is_closed(&self) -> bool {
        self.shared.chan.borrow().is_closed()
    }

    /// Values sent and not yet received.
    pub fn len(&self) -> usize {
        self.shared.chan.borrow().len()
    }

    /// True when no value waits to be received.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many senders exist (tokio's `sender_strong_count`).
    ///
    /// ```
    /// let (tx, rx) = sim::channel::mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert_eq!((rx.sender_strong_count(), rx.sender_weak_count()), (1, 1));
    /// drop((tx, weak));
    /// ```
    pub fn sender_strong_count(&self) -> usize {
        self.shared.sender_count()
    }

    /// How many weak senders exist.
    pub fn sender_weak_count(&self) -> usize {
        self.shared.weak_count()
    }

    /// The channel's capacity (`usize::MAX` for an unbounded one, 0 for a rendezvous one).
    pub fn max_capacity(&self) -> usize {
        self.shared.chan.borrow().cap()
    }

    /// Free slots now (tokio's `capacity`).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let (tx, rx) = sim::channel::mpsc::channel(2);
    ///     tx.send(1).await.unwrap();
    ///     assert_eq!((rx.capacity(), rx.max_capacity()), (1, 2));
    /// }).unwrap();
    /// ```
    pub fn capacity(&self) -> usize {
        self.shared.chan.borrow().free()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.get.cancel(&self.shared.chan);
        let mut wk = Wakes::default();
        let items = {
            let mut c = self.shared.chan.borrow_mut();
            c.close(&mut wk);
            c.drain()
        };
        wk.wake();
        drop(items);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("len", &self.len())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> futures::Stream for Receiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().poll_recv(cx)
    }
}

/// Future of [`Receiver::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
    done: bool,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        // Polling again would take a second value nobody receives.
        assert!(
            !this.done,
            "mpsc::Recv polled after it completed: a recv future completes once"
        );
        let v = std::task::ready!(this.rx.poll_recv(cx));
        this.done = true;
        Poll::Ready(v)
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        let rx = &mut *self.rx;
        rx.get.cancel(&rx.shared.chan);
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Recv")
    }
}
