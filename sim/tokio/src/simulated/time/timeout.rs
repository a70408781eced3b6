//! `timeout`: bounding a future by virtual time.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use super::{Instant, Sleep, sleep, sleep_until};

/// Runs `future` for at most `duration` of virtual time: `Ok(output)`, or `Err(Elapsed)` after
/// dropping it. As in tokio the future is polled before the deadline is checked, so a future
/// ready at its first poll always wins. When the deadline and the future become ready at the same
/// virtual instant, which one wins is a recorded decision (the future under Fifo), so both
/// outcomes are explored.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::time::{sleep, timeout, Duration};
/// assert_eq!(timeout(Duration::from_secs(1), async { 7 }).await.unwrap(), 7);
/// let slow = timeout(Duration::from_secs(1), sleep(Duration::from_secs(60))).await;
/// assert!(slow.is_err());
/// # });
/// ```
#[track_caller]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        value: future.into_future(),
        delay: sleep(duration),
        polled: false,
    }
}

/// Like [`timeout`] with an absolute deadline.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::time::{timeout_at, Duration, Instant};
/// let r = timeout_at(Instant::now() + Duration::from_secs(1), std::future::pending::<()>()).await;
/// assert_eq!(r.unwrap_err().to_string(), "deadline has elapsed");
/// # });
/// ```
#[track_caller]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        value: future.into_future(),
        delay: sleep_until(deadline),
        polled: false,
    }
}

pin_project! {
    /// Future of [`timeout`] and [`timeout_at`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<T> {
        #[pin]
        value: T,
        #[pin]
        delay: Sleep,
        polled: bool,
    }
}

impl<T> Timeout<T> {
    /// The wrapped future.
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    /// The wrapped future, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }

    /// The wrapped future, unwrapped.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: Future> Future for Timeout<T> {
    type Output = Result<T::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let due = this.delay.as_mut().fix_deadline() <= Instant::now();
        // Woken at the deadline, the future and the deadline race: a recorded decision. A
        // deadline already past at the first poll is no race: the future goes first.
        let raced = due && *this.polled;
        *this.polled = true;
        let deadline_first = raced && sim::task::branch(2) == 1;
        if !deadline_first {
            if let Poll::Ready(v) = this.value.poll(cx) {
                return Poll::Ready(Ok(v));
            }
        }
        if due {
            return Poll::Ready(Err(Elapsed(())));
        }
        match this.delay.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The deadline passed before the future completed (tokio's `time::error::Elapsed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(_: Elapsed) -> std::io::Error {
        std::io::ErrorKind::TimedOut.into()
    }
}
