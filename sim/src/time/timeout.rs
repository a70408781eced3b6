//! Bounding a future by virtual time.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use super::{Instant, Sleep, sleep_until};
use crate::rt::context;

/// The deadline passed before the future completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed {
    deadline: Instant,
}

impl Elapsed {
    pub(super) fn at(deadline: Instant) -> Self {
        Elapsed { deadline }
    }

    /// The deadline that passed.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "deadline t={} elapsed", self.deadline)
    }
}

impl std::error::Error for Elapsed {}

/// Runs `fut` for at most `duration` of virtual time: `Ok(output)`, or `Err(Elapsed)` after
/// dropping `fut` (its `Drop` guards run at the deadline). asyncio's `wait_for` / `timeout`.
///
/// When the deadline has come, the future is polled first under Fifo (tokio's rule, so
/// `timeout(d, sleep(d))` is `Ok`); under an exploring strategy which of the two wins is a
/// recorded decision, so both outcomes are reachable.
///
/// ```
/// use std::time::Duration;
/// use sim::time::{sleep, timeout};
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     assert_eq!(timeout(Duration::from_secs(2), async { 7 }).await, Ok(7));
///     let slow = timeout(Duration::from_secs(1), sleep(Duration::from_secs(10))).await;
///     assert!(slow.is_err());
///     assert_eq!(sim::time::now().as_nanos(), 1_000_000_000);
/// }).unwrap();
/// ```
///
/// Created outside a simulation, the deadline is `duration` after the first poll.
pub fn timeout<F: Future>(duration: Duration, fut: F) -> Timeout<F> {
    let deadline = context::try_with(|core| core.now() + duration);
    Timeout {
        fut,
        deadline,
        duration,
        sleep: None,
        polled: false,
    }
}

/// Like [`timeout`] with an absolute deadline.
pub fn timeout_at<F: Future>(deadline: Instant, fut: F) -> Timeout<F> {
    Timeout {
        fut,
        deadline: Some(deadline),
        duration: Duration::ZERO,
        sleep: None,
        polled: false,
    }
}

pin_project! {
    /// Future of [`timeout`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct Timeout<F> {
        #[pin]
        fut: F,
        // `None` until the first poll for a timeout created outside a simulation.
        deadline: Option<Instant>,
        duration: Duration,
        sleep: Option<Sleep>,
        polled: bool,
    }
}

impl<F> Timeout<F> {
    /// The deadline ([`Instant::MAX`] for a timeout created outside a simulation and not yet
    /// polled, whose deadline is still relative).
    pub fn deadline(&self) -> Instant {
        self.deadline.unwrap_or(Instant::MAX)
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let duration = *this.duration;
        let (deadline, due) = context::with("Timeout::poll", |core| {
            let deadline = *this.deadline.get_or_insert(core.now() + duration);
            (deadline, core.now() >= deadline)
        });
        // Woken at the deadline, option 0 (the default) polls the future first, option 1 lets the
        // deadline win without polling it. A deadline already past at the first poll is no race:
        // the future is polled first, as in tokio.
        let raced = due && *this.polled;
        *this.polled = true;
        let deadline_first = raced && context::with("Timeout::poll", |core| core.branch(2) == 1);
        if !deadline_first {
            if let Poll::Ready(v) = this.fut.poll(cx) {
                return Poll::Ready(Ok(v));
            }
        }
        if due {
            return Poll::Ready(Err(Elapsed { deadline }));
        }
        let sleep = this.sleep.get_or_insert_with(|| sleep_until(deadline));
        // The sleep only reports the deadline; `due` above decides, on the next poll.
        let _ = Pin::new(sleep).poll(cx);
        Poll::Pending
    }
}
