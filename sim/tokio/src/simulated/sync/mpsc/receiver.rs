//! The receiving halves, `Receiver` (bounded) and `UnboundedReceiver`: both a thin layer over
//! `sim`'s one receiver type, with tokio's error types and `!Unpin` futures.

use std::fmt;
use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::mpsc::error::TryRecvError;

use sim::channel::mpsc as sim_mpsc;

pin_project_lite::pin_project! {
    /// Future of `recv`: `sim`'s, which is a preemption point on its first poll; `!Unpin`, as
    /// tokio's.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Recv<'a, T> {
        inner: sim_mpsc::Recv<'a, T>,
        #[pin]
        _pin: PhantomPinned,
    }
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(self.project().inner).poll(cx)
    }
}

macro_rules! receiver {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<T> {
            inner: sim_mpsc::Receiver<T>,
        }

        impl<T> $name<T> {
            pub(super) fn new(inner: sim_mpsc::Receiver<T>) -> $name<T> {
                $name { inner }
            }

            /// Waits for the next value; `None` once every sender is gone (or the receiver was
            /// closed) and the queue is empty. A preemption point, also when a value is waiting.
            #[track_caller]
            pub fn recv(&mut self) -> Recv<'_, T> {
                Recv {
                    inner: self.inner.recv(),
                    _pin: PhantomPinned,
                }
            }

            /// Waits for at least one value and moves up to `limit` into `buffer`; returns how
            /// many (0 when the channel is closed and empty, or `limit` is 0). A preemption
            /// point.
            #[track_caller]
            pub fn recv_many<'a>(
                &'a mut self,
                buffer: &'a mut Vec<T>,
                limit: usize,
            ) -> impl Future<Output = usize> + 'a {
                super::Pinned::new(self.inner.recv_many(buffer, limit))
            }

            /// The next value if one is queued.
            ///
            /// # Errors
            /// `Empty`, or `Disconnected` once every sender is gone and the queue is empty.
            pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
                self.inner.try_recv().map_err(|e| match e {
                    sim_mpsc::TryRecvError::Empty => TryRecvError::Empty,
                    sim_mpsc::TryRecvError::Disconnected => TryRecvError::Disconnected,
                })
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
                    Err(TryRecvError::Empty) => would_block("blocking_recv"),
                }
            }

            /// Receives up to `limit` values from synchronous code: works when a value is
            /// queued or the channel is closed; returns how many it moved into `buffer`.
            ///
            /// # Panics
            /// When it would have to wait (the simulated thread cannot block).
            #[track_caller]
            pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
                let mut n = 0;
                while n < limit {
                    match self.try_recv() {
                        Ok(v) => {
                            buffer.push(v);
                            n += 1;
                        }
                        Err(TryRecvError::Disconnected) => break,
                        Err(TryRecvError::Empty) if n > 0 => break,
                        Err(TryRecvError::Empty) => would_block("blocking_recv_many"),
                    }
                }
                n
            }

            /// Closes the channel: senders fail from now on; queued values can still be received.
            pub fn close(&mut self) {
                self.inner.close();
            }

            /// True once every sender is gone or the receiver was closed.
            pub fn is_closed(&self) -> bool {
                self.inner.is_closed()
            }

            /// True when no value is queued.
            pub fn is_empty(&self) -> bool {
                self.inner.is_empty()
            }

            /// Values queued.
            pub fn len(&self) -> usize {
                self.inner.len()
            }

            /// Polls for the next value; its first poll is a preemption point, as every
            /// receive's (tokio-stream's wrappers and hand-written streams call it).
            pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
                self.inner.poll_recv(cx)
            }

            /// Polls for values, moving up to `limit` into `buffer`.
            pub fn poll_recv_many(
                &mut self,
                cx: &mut Context<'_>,
                buffer: &mut Vec<T>,
                limit: usize,
            ) -> Poll<usize> {
                self.inner.poll_recv_many(cx, buffer, limit)
            }

            /// Live senders.
            pub fn sender_strong_count(&self) -> usize {
                self.inner.sender_strong_count()
            }

            /// Live weak senders.
            pub fn sender_weak_count(&self) -> usize {
                self.inner.sender_weak_count()
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).field("len", &self.len()).finish()
            }
        }
    };
}

#[track_caller]
fn would_block(op: &str) -> ! {
    panic!(
        "{op} on an empty channel: the simulation runs on one thread, which cannot block; use \
         `recv().await` in an async task"
    )
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
        self.inner.capacity()
    }

    /// The channel's size.
    pub fn max_capacity(&self) -> usize {
        self.inner.max_capacity()
    }
}
