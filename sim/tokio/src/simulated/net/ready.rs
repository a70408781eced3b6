//! tokio's readiness API on simulated streams: `readable`, `writable`, `ready`, the
//! non-blocking `try_read`/`try_write`, and `peek`. Waiting for readiness is a preemption point
//! and a named wait, as a read is; the `try_` calls never wait and never switch. Writes never
//! wait in the simulation, so a stream is always writable.

use std::future::poll_fn;
use std::io::{self, IoSlice, IoSliceMut};
use std::task::{Context, Poll};

use tokio::io::{Interest, ReadBuf, Ready};

use super::stream::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, TcpStream, WriteHalf};

impl TcpStream {
    /// Waits until a read would not wait: bytes, the end of the stream or a reset arrived.
    ///
    /// ```
    /// # use seedloop_tokio as tokio;
    /// # tokio::__seedloop::doc_run(async {
    /// use tokio::io::AsyncWriteExt;
    /// use tokio::net::{TcpListener, TcpStream};
    /// let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let mut c = TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// let (s, _) = l.accept().await.unwrap();
    /// c.write_all(b"hi").await.unwrap();
    /// s.readable().await.unwrap();
    /// let mut buf = [0; 4];
    /// assert_eq!(s.try_read(&mut buf).unwrap(), 2);
    /// # });
    /// ```
    ///
    /// # Errors
    /// Never in the simulation (tokio's may fail).
    pub async fn readable(&self) -> io::Result<()> {
        poll_fn(|cx| self.poll_read_ready(cx)).await
    }

    /// [`TcpStream::readable`] as a poll.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io().poll_read_ready(cx).map(Ok)
    }

    /// Waits until a write would not wait: at once in the simulation, after a preemption point.
    ///
    /// # Errors
    /// Never in the simulation.
    pub async fn writable(&self) -> io::Result<()> {
        sim::task::maybe_yield().await;
        Ok(())
    }

    /// [`TcpStream::writable`] as a poll: always ready.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn poll_write_ready(&self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Waits for any of `interest`: writable at once, readable as [`TcpStream::readable`].
    ///
    /// # Errors
    /// Never in the simulation.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        ready(self, interest).await
    }

    /// Reads what has arrived without waiting: `WouldBlock` when nothing has.
    ///
    /// # Errors
    /// `WouldBlock` when nothing has arrived; `ConnectionReset` after a reset.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io().try_read(buf)
    }

    /// [`TcpStream::try_read`] into several buffers, filled in order.
    ///
    /// # Errors
    /// As [`TcpStream::try_read`].
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        let mut total = 0;
        for buf in bufs.iter_mut().filter(|b| !b.is_empty()) {
            match self.try_read(buf) {
                Ok(0) => break,
                Ok(n) => {
                    total += n;
                    if n < buf.len() {
                        break;
                    }
                }
                Err(e) if total > 0 && e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        Ok(total)
    }

    /// Writes without waiting (and without a preemption point).
    ///
    /// # Errors
    /// `ConnectionReset`; `BrokenPipe` after a shutdown.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io().try_write(buf)
    }

    /// [`TcpStream::try_write`] of several buffers, in order.
    ///
    /// # Errors
    /// As [`TcpStream::try_write`].
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let mut total = 0;
        for buf in bufs {
            total += self.try_write(buf)?;
        }
        Ok(total)
    }

    /// Copies what has arrived into `buf` without consuming it, waiting until something has:
    /// the next read returns the same bytes. `Ok(0)` at the end of the stream.
    ///
    /// ```
    /// # use seedloop_tokio as tokio;
    /// # tokio::__seedloop::doc_run(async {
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// use tokio::net::{TcpListener, TcpStream};
    /// let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let mut c = TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// let (mut s, _) = l.accept().await.unwrap();
    /// c.write_all(b"GET /").await.unwrap();
    /// let mut head = [0; 3];
    /// s.peek(&mut head).await.unwrap();
    /// assert_eq!(&head, b"GET");
    /// let mut all = [0; 5];
    /// s.read_exact(&mut all).await.unwrap();
    /// assert_eq!(&all, b"GET /");
    /// # });
    /// ```
    ///
    /// # Errors
    /// `ConnectionReset` after a reset.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.io().poll_peek(cx, buf)).await
    }

    /// [`TcpStream::peek`] as a poll, into a `ReadBuf` (filled, not consumed).
    ///
    /// # Errors
    /// `ConnectionReset` after a reset.
    pub fn poll_peek(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        let dst = buf.initialize_unfilled();
        match self.io().poll_peek(cx, dst) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(n))
            }
            other => other,
        }
    }
}

async fn ready(stream: &TcpStream, interest: Interest) -> io::Result<Ready> {
    let mut ready = Ready::EMPTY;
    if interest.is_writable() {
        ready |= Ready::WRITABLE;
    }
    if interest.is_readable() {
        if ready.is_empty() {
            stream.readable().await?;
            ready |= Ready::READABLE;
        } else {
            // Writable already: readable only if it is now.
            let mut cx = Context::from_waker(std::task::Waker::noop());
            if stream.io().poll_read_ready(&mut cx).is_ready() {
                ready |= Ready::READABLE;
            }
            sim::task::maybe_yield().await;
        }
    } else {
        sim::task::maybe_yield().await;
    }
    Ok(ready)
}

macro_rules! read_half_readiness {
    ($($half:ty),*) => {$(
        impl $half {
            /// As [`TcpStream::readable`].
            ///
            /// # Errors
            /// Never in the simulation.
            pub async fn readable(&self) -> io::Result<()> {
                self.stream.readable().await
            }

            /// As [`TcpStream::ready`].
            ///
            /// # Errors
            /// Never in the simulation.
            pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
                self.stream.ready(interest).await
            }

            /// As [`TcpStream::try_read`].
            ///
            /// # Errors
            /// As [`TcpStream::try_read`].
            pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
                self.stream.try_read(buf)
            }

            /// As [`TcpStream::try_read_vectored`].
            ///
            /// # Errors
            /// As [`TcpStream::try_read`].
            pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
                self.stream.try_read_vectored(bufs)
            }

            /// As [`TcpStream::peek`].
            ///
            /// # Errors
            /// As [`TcpStream::peek`].
            pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.stream.peek(buf).await
            }

            /// As [`TcpStream::poll_peek`].
            ///
            /// # Errors
            /// As [`TcpStream::peek`].
            pub fn poll_peek(
                &mut self,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<usize>> {
                self.stream.poll_peek(cx, buf)
            }
        }
    )*};
}

macro_rules! write_half_readiness {
    ($($half:ty),*) => {$(
        impl $half {
            /// As [`TcpStream::writable`].
            ///
            /// # Errors
            /// Never in the simulation.
            pub async fn writable(&self) -> io::Result<()> {
                self.stream.writable().await
            }

            /// As [`TcpStream::ready`].
            ///
            /// # Errors
            /// Never in the simulation.
            pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
                self.stream.ready(interest).await
            }

            /// As [`TcpStream::try_write`].
            ///
            /// # Errors
            /// As [`TcpStream::try_write`].
            pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
                self.stream.try_write(buf)
            }

            /// As [`TcpStream::try_write_vectored`].
            ///
            /// # Errors
            /// As [`TcpStream::try_write`].
            pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
                self.stream.try_write_vectored(bufs)
            }
        }
    )*};
}

read_half_readiness!(ReadHalf<'_>, OwnedReadHalf);
write_half_readiness!(WriteHalf<'_>, OwnedWriteHalf);
