//! Periodic ticks.

use std::time::Duration;

use super::{Instant, now, sleep_until};
use crate::rt::context;

/// Ticks every `period` of virtual time, the first tick at once. Ticks missed while the owner
/// was busy are delivered immediately, one per call, until it has caught up (tokio's
/// `MissedTickBehavior::Burst`).
///
/// ```
/// use std::time::Duration;
/// let mut sim = sim::Sim::new(0);
/// let ticks = sim.run(async {
///     let mut iv = sim::time::interval(Duration::from_millis(300));
///     let mut seen = Vec::new();
///     for _ in 0..3 { seen.push(iv.tick().await.as_nanos() / 1_000_000); }
///     seen
/// }).unwrap();
/// assert_eq!(ticks, [0, 300, 600]);
/// ```
///
/// # Panics
/// Outside a simulation, or if `period` is zero.
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "sim::time::interval: the period must be greater than zero"
    );
    Interval {
        period,
        next: context::with("sim::time::interval", |core| core.now()),
    }
}

/// Returned by [`interval`].
#[derive(Debug)]
pub struct Interval {
    period: Duration,
    next: Instant,
}

impl Interval {
    /// Waits for the next tick and returns its scheduled instant.
    pub async fn tick(&mut self) -> Instant {
        let at = self.next;
        if at > now() {
            sleep_until(at).await;
        }
        self.next = at + self.period;
        at
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }
}
