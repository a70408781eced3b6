//! The state both halves of an mpsc channel share, and the receiving side's logic.
//!
//! Values wait in a queue under a standard mutex (never held across an await). Free slots of a
//! bounded channel are the permits of a facade [`Semaphore`](crate::sync::Semaphore), so a
//! sender waits for a slot in `sim`'s FIFO line and closing the channel fails the waiting
//! senders. The receiver waits on a `sim` unbounded channel of `()` signals, sent at most once
//! between two of its waits: `sim` knows what it waits on and names it in deadlock reports.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use tokio::sync::mpsc::error::TryRecvError;

use crate::sync::Semaphore;

pub(super) struct Chan<T> {
    state: Mutex<State<T>>,
    /// The free slots of a bounded channel; `None` when unbounded.
    pub(super) slots: Option<Semaphore>,
    pub(super) cap: usize,
    signal: sim::channel::mpsc::UnboundedSender<()>,
    /// Senders waiting in `closed()`.
    pub(super) closed: sim::sync::Notify,
}

struct State<T> {
    queue: VecDeque<T>,
    senders: usize,
    weak: usize,
    rx_closed: bool,
    /// A signal was sent since the receiver last started waiting.
    signaled: bool,
}

impl<T> Chan<T> {
    pub(super) fn new(cap: Option<usize>) -> (Chan<T>, Rx) {
        let (signal, rx) = sim::channel::mpsc::unbounded_channel();
        let chan = Chan {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                senders: 1,
                weak: 0,
                rx_closed: false,
                signaled: false,
            }),
            slots: cap.map(|c| Semaphore::named("tokio::sync::mpsc (free slots)", c)),
            cap: cap.unwrap_or(usize::MAX),
            signal,
            closed: sim::sync::Notify::new(),
        };
        (chan, Rx { signal: rx })
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn signal(&self, mut st: MutexGuard<'_, State<T>>) {
        if !st.signaled {
            st.signaled = true;
            drop(st);
            let _ = self.signal.send(());
        }
    }

    /// Queues `value` (its slot, if bounded, is already taken); gives it back if the receiver
    /// is gone.
    pub(super) fn push(&self, value: T) -> Result<(), T> {
        let mut st = self.lock();
        if st.rx_closed {
            return Err(value);
        }
        st.queue.push_back(value);
        self.signal(st);
        Ok(())
    }

    pub(super) fn rx_closed(&self) -> bool {
        self.lock().rx_closed
    }

    pub(super) fn add_sender(&self) {
        self.lock().senders += 1;
    }

    pub(super) fn drop_sender(&self) {
        let mut st = self.lock();
        st.senders -= 1;
        if st.senders == 0 {
            // Wake the receiver even if a signal is pending: it must see the end.
            st.signaled = false;
            self.signal(st);
        }
    }

    pub(super) fn add_weak(&self) {
        self.lock().weak += 1;
    }

    pub(super) fn drop_weak(&self) {
        self.lock().weak -= 1;
    }

    /// A new strong sender from a weak one, if any strong sender is left.
    pub(super) fn upgrade(&self) -> bool {
        let mut st = self.lock();
        if st.senders == 0 {
            return false;
        }
        st.senders += 1;
        true
    }

    pub(super) fn counts(&self) -> (usize, usize) {
        let st = self.lock();
        (st.senders, st.weak)
    }

    pub(super) fn release_slots(&self, n: usize) {
        if let Some(s) = &self.slots {
            if n > 0 {
                s.add_permits(n);
            }
        }
    }

    /// The receiver closes (or is dropped): senders fail from now on.
    pub(super) fn close(&self) {
        {
            let mut st = self.lock();
            if st.rx_closed {
                return;
            }
            st.rx_closed = true;
        }
        if let Some(s) = &self.slots {
            s.close();
        }
        self.closed.notify_waiters();
    }

    pub(super) fn len(&self) -> usize {
        self.lock().queue.len()
    }

    pub(super) fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut st = self.lock();
        match st.queue.pop_front() {
            Some(v) => {
                drop(st);
                self.release_slots(1);
                Ok(v)
            }
            None if st.senders == 0 => Err(TryRecvError::Disconnected),
            None if st.rx_closed => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Up to `limit` values into `buf`, waiting for the first.
    pub(super) fn poll_recv_many(
        &self,
        rx: &mut Rx,
        cx: &mut Context<'_>,
        buf: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        loop {
            let mut st = self.lock();
            let n = st.queue.len().min(limit);
            if n > 0 {
                buf.extend(st.queue.drain(..n));
                drop(st);
                self.release_slots(n);
                return Poll::Ready(n);
            }
            if st.senders == 0 || st.rx_closed {
                return Poll::Ready(0);
            }
            st.signaled = false;
            drop(st);
            match rx.signal.poll_recv(cx) {
                Poll::Ready(_) => continue,
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    pub(super) fn poll_recv(&self, rx: &mut Rx, cx: &mut Context<'_>) -> Poll<Option<T>> {
        loop {
            let mut st = self.lock();
            if let Some(v) = st.queue.pop_front() {
                drop(st);
                self.release_slots(1);
                return Poll::Ready(Some(v));
            }
            if st.senders == 0 || st.rx_closed {
                return Poll::Ready(None);
            }
            st.signaled = false;
            drop(st);
            match rx.signal.poll_recv(cx) {
                Poll::Ready(_) => continue,
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// The receiver is dropped: close, and drop what is left now.
    pub(super) fn drop_receiver(&self) {
        self.close();
        let left: VecDeque<T> = std::mem::take(&mut self.lock().queue);
        drop(left);
    }
}

/// The receiver's end of the signal channel.
pub(super) struct Rx {
    signal: sim::channel::mpsc::UnboundedReceiver<()>,
}
