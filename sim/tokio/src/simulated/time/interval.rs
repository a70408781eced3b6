//! `Interval`: periodic ticks with tokio's missed-tick behaviours.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::MissedTickBehavior;

use super::{Instant, Sleep, sleep_until};

/// Ticks every `period`, the first tick at once (tokio's `interval`).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::time::{interval, Duration, Instant};
/// let start = Instant::now();
/// let mut iv = interval(Duration::from_millis(10));
/// iv.tick().await; // at once
/// iv.tick().await;
/// iv.tick().await;
/// assert_eq!(start.elapsed(), Duration::from_millis(20));
/// # });
/// ```
///
/// # Panics
/// When `period` is zero, or outside a simulation.
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    assert!(period > Duration::ZERO, "`period` must be non-zero.");
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::time::{interval_at, Duration, Instant};
/// let start = Instant::now() + Duration::from_secs(5);
/// let mut iv = interval_at(start, Duration::from_secs(1));
/// assert_eq!(iv.tick().await, start);
/// # });
/// ```
///
/// # Panics
/// When `period` is zero.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(period > Duration::ZERO, "`period` must be non-zero.");
    Interval {
        delay: Box::pin(sleep_until(start)),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// Returned by [`interval`] and [`interval_at`].
#[derive(Debug)]
pub struct Interval {
    delay: Pin<Box<Sleep>>,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

/// Ticks later than this are "missed" (tokio's threshold).
const MISSED: Duration = Duration::from_millis(5);

impl Interval {
    /// Waits for the next tick and returns the instant it was scheduled for.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if self.delay.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        let timeout = self.delay.deadline();
        let now = Instant::now();
        let next = if now > timeout + MISSED {
            next_timeout(self.missed_tick_behavior, timeout, now, self.period)
        } else {
            timeout
                .checked_add(self.period)
                .unwrap_or_else(Instant::far_future)
        };
        self.delay.as_mut().reset(next);
        Poll::Ready(timeout)
    }

    /// The next tick comes one period from now.
    ///
    /// # Panics
    /// Outside a simulation.
    pub fn reset(&mut self) {
        let at = Instant::now() + self.period;
        self.delay.as_mut().reset(at);
    }

    /// The next tick comes at once.
    ///
    /// # Panics
    /// Outside a simulation.
    pub fn reset_immediately(&mut self) {
        let at = Instant::now();
        self.delay.as_mut().reset(at);
    }

    /// The next tick comes `after` from now.
    ///
    /// # Panics
    /// Outside a simulation.
    pub fn reset_after(&mut self, after: Duration) {
        let at = Instant::now() + after;
        self.delay.as_mut().reset(at);
    }

    /// The next tick comes at `deadline`.
    pub fn reset_at(&mut self, deadline: Instant) {
        self.delay.as_mut().reset(deadline);
    }

    /// What happens to ticks missed while the owner was busy.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets what happens to missed ticks.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }
}

/// The tick after a missed one at `timeout`, found at `now` (tokio's rules).
fn next_timeout(
    behavior: MissedTickBehavior,
    timeout: Instant,
    now: Instant,
    period: Duration,
) -> Instant {
    match behavior {
        MissedTickBehavior::Delay => now + period,
        MissedTickBehavior::Skip => {
            let behind = (now - timeout).as_nanos();
            let period_nanos = period.as_nanos();
            let into = u64::try_from(behind % period_nanos).unwrap_or(0);
            now + period - Duration::from_nanos(into)
        }
        // Burst, and any behaviour tokio adds later: catch up one period at a time.
        _ => timeout + period,
    }
}
