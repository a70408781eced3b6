//! Standard streams for simulated programs.

use std::io::{self, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The process's standard output, written synchronously.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::io::AsyncWriteExt;
/// tokio::io::stdout().write_all(b"").await.unwrap();
/// # });
/// ```
pub fn stdout() -> Stdout {
    Stdout { _p: () }
}

/// The process's standard error, written synchronously.
pub fn stderr() -> Stderr {
    Stderr { _p: () }
}

/// The process's standard input: reading it fails in a simulation.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::io::AsyncReadExt;
/// let mut buf = [0; 1];
/// let err = tokio::io::stdin().read(&mut buf).await.unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
/// # });
/// ```
pub fn stdin() -> Stdin {
    Stdin { _p: () }
}

/// Returned by [`stdout`].
#[derive(Debug)]
pub struct Stdout {
    _p: (),
}

/// Returned by [`stderr`].
#[derive(Debug)]
pub struct Stderr {
    _p: (),
}

/// Returned by [`stdin`].
#[derive(Debug)]
pub struct Stdin {
    _p: (),
}

impl AsyncWrite for Stdout {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(io::stdout().write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(io::stdout().flush())
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(io::stdout().flush())
    }
}

impl AsyncWrite for Stderr {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(io::stderr().write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(io::stderr().flush())
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(io::stderr().flush())
    }
}

impl AsyncRead for Stdin {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "tokio::io::stdin is not simulated: a simulated program must not wait for real input; \
             feed input through a channel or a simulated file (tokio::fs) instead",
        )))
    }
}
