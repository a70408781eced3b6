//! Virtual time with tokio's API: `sleep`, `timeout`, `interval`, `Instant`, and the test
//! utilities `pause`, `resume`, `advance`.
//!
//! Time is always virtual: nothing waits for real, and when no task can run the clock jumps to
//! the next deadline. So `pause()` and `resume()` have nothing to do, and `advance(d)` is a
//! sleep of `d`.
//!
//! ```
//! # use seedloop_tokio as tokio;
//! # tokio::__seedloop::doc_run(async {
//! use tokio::time::{self, Duration, Instant};
//! let start = Instant::now();
//! time::sleep(Duration::from_secs(3600)).await; // costs no real time
//! assert_eq!(start.elapsed(), Duration::from_secs(3600));
//! # });
//! ```

mod instant;
mod interval;
mod sleep;
mod timeout;

pub use std::time::Duration;

pub use instant::Instant;
pub use interval::{Interval, interval, interval_at};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Timeout, timeout, timeout_at};
pub use tokio::time::MissedTickBehavior;

/// Errors of this module.
pub mod error {
    pub use super::timeout::Elapsed;

    /// A timer error (tokio's, for signatures that name it; the simulation never produces one).
    pub use tokio::time::error::Error;
}

/// Does nothing: simulated time is always paused (it moves only when every task waits).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// tokio::time::pause();
/// let t = tokio::time::Instant::now();
/// tokio::time::sleep(tokio::time::Duration::from_secs(5)).await;
/// assert_eq!(t.elapsed().as_secs(), 5);
/// # });
/// ```
pub fn pause() {}

/// Does nothing: simulated time never runs by itself, so there is nothing to resume. Sleeps
/// still end when every task waits.
///
/// ```
/// # use seedloop_tokio as tokio;
/// tokio::time::resume();
/// ```
pub fn resume() {}

/// Moves the clock forward by `duration` in one jump, as tokio's `advance` on a paused clock:
/// every timer the jump passes fires at the new time (in deadline order), whether or not other
/// tasks are still running. The caller then resumes only after the tasks those timers woke have
/// been polled, as on tokio's current-thread runtime (code such as mini-redis's tests relies on
/// it: "advance past the expiry, then the key is gone").
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
/// use tokio::time::{self, Duration, Instant};
/// let expired = Arc::new(AtomicBool::new(false));
/// let e = expired.clone();
/// tokio::spawn(async move {
///     time::sleep(Duration::from_secs(1)).await;
///     e.store(true, Ordering::Relaxed);
/// });
/// tokio::task::yield_now().await; // the task starts its sleep
/// let t = Instant::now();
/// time::advance(Duration::from_millis(1500)).await;
/// assert_eq!(t.elapsed(), Duration::from_millis(1500));
/// assert!(expired.load(Ordering::Relaxed));
/// # });
/// ```
///
/// # Panics
/// Outside a simulation (tokio's panics outside its runtime too).
pub async fn advance(duration: Duration) {
    sim::time::advance(duration);
    // The timers the jump passed fire at the start of the next round, together with a zero
    // timer of the caller's: the caller could then run first. Its second zero timer fires a
    // round later, after the tasks woken with it were polled.
    sim::time::sleep(Duration::ZERO).await;
    sim::time::sleep(Duration::ZERO).await;
}
