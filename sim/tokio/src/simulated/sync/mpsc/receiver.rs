//! The receiving halves: `Receiver` (bounded) and `UnboundedReceiver`, one implementation.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::mpsc::error::TryRecvError;

use super::chan::{Chan, Rx};

/// What both receivers are.
struct Core<T> {
    chan: Arc<Chan<T>>,
    rx: Rx,
}

impl<T> Drop for Core<T> {
    fn drop(&mut self) {
        self.chan.drop_receiver();
    }
}

/// Future of `recv`: a preemption point, then the wait for a value.
#[must_use = "futures do nothing unless you `.await` or poll them"]
struct Recv<'a, T> {
    core: &'a mut Core<T>,
    pre: sim::task::MaybeYield,
    preempted: bool,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = &mut *self;
        if !this.preempted {
            if Pin::new(&mut this.pre).poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.preempted = true;
        }
        let core = &mut *this.core;
        core.chan.poll_recv(&mut core.rx, cx)
    }
}

struct RecvMany<'a, T> {
    core: &'a mut Core<T>,
    buf: &'a mut Vec<T>,
    limit: usize,
    pre: sim::task::MaybeYield,
    preempted: bool,
}

impl<T> Future for RecvMany<'_, T> {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let this = &mut *self;
        if this.limit == 0 {
            return Poll::Ready(0);
        }
        if !this.preempted {
            if Pin::new(&mut this.pre).poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.preempted = true;
        }
        let core = &mut *this.core;
        core.chan
            .poll_recv_many(&mut core.rx, cx, this.buf, this.limit)
    }
}

macro_rules! receiver {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<T> {
            core: Core<T>,
        }

        impl<T> $name<T> {
            pub(super) fn new(chan: Arc<Chan<T>>, rx: Rx) -> $name<T> {
                $name { core: Core { chan, rx } }
            }

            /// Waits for the next value; `None` once every sender is gone (or the receiver was
            /// closed) and the queue is empty. A preemption point, also when a value is waiting.
            pub async fn recv(&mut self) -> Option<T> {
                Recv {
                    core: &mut self.core,
                    pre: sim::task::maybe_yield(),
                    preempted: false,
                }
                .await
            }

            /// Waits for at least one value and moves up to `limit` into `buffer`; returns how
            /// many (0 when the channel is closed and empty, or `limit` is 0).
            pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
                RecvMany {
                    core: &mut self.core,
                    buf: buffer,
                    limit,
                    pre: sim::task::maybe_yield(),
                    preempted: false,
                }
                .await
            }

            /// The next value if one is queued.
            ///
            /// # Errors
            /// `Empty`, or `Disconnected` once every sender is gone and the queue is empty.
            pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
                self.core.chan.try_recv()
            }

            /// Receives from synchronous code: works when a value is queued or the channel is
            /// closed.
            ///
            /// # Panics
            /// When it would have to wait (the simulated thread cannot block).
            #[track_caller]
            pub fn blocking_recv(&mut self) -> Option<T> {
                match self.try_recv() {
                    Ok(v) => Some(v),
                    Err(TryRecvError::Disconnected) => None,
                    Err(TryRecvError::Empty) => panic!(
                        "blocking_recv on an empty channel: the simulation runs on one thread, \
                         which cannot block; use `recv().await` in an async task"
                    ),
                }
            }

            /// Closes the channel: senders fail from now on; queued values can still be received.
            pub fn close(&mut self) {
                self.core.chan.close();
            }

            /// True once every sender is gone or the receiver was closed.
            pub fn is_closed(&self) -> bool {
                let (senders, _) = self.core.chan.counts();
                senders == 0 || self.core.chan.rx_closed()
            }

            /// True when no value is queued.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Values queued.
            pub fn len(&self) -> usize {
                self.core.chan.len()
            }

            /// Polls for the next value (not a preemption point: tokio-stream's wrappers and
            /// hand-written streams call it).
            pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
                let core = &mut self.core;
                core.chan.poll_recv(&mut core.rx, cx)
            }

            /// Polls for values, moving up to `limit` into `buffer`.
            pub fn poll_recv_many(
                &mut self,
                cx: &mut Context<'_>,
                buffer: &mut Vec<T>,
                limit: usize,
            ) -> Poll<usize> {
                if limit == 0 {
                    return Poll::Ready(0);
                }
                let core = &mut self.core;
                core.chan.poll_recv_many(&mut core.rx, cx, buffer, limit)
            }

            /// Live senders.
            pub fn sender_strong_count(&self) -> usize {
                self.core.chan.counts().0
            }

            /// Live weak senders.
            pub fn sender_weak_count(&self) -> usize {
                self.core.chan.counts().1
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).field("len", &self.len()).finish()
            }
        }
    };
}

receiver! {
    /// The receiving half of [`channel`](super::channel).
    Receiver
}

receiver! {
    /// The receiving half of [`unbounded_channel`](super::unbounded_channel).
    UnboundedReceiver
}

impl<T> Receiver<T> {
    /// Free slots now.
    pub fn capacity(&self) -> usize {
        self.core
            .chan
            .slots
            .as_ref()
            .map_or(usize::MAX, crate::sync::Semaphore::available_permits)
    }

    /// The channel's size.
    pub fn max_capacity(&self) -> usize {
        self.core.chan.cap
    }
}
