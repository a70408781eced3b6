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

/// Moves the clock forward by `duration`: the caller sleeps `duration` of virtual time (the
/// timers due meanwhile fire in deadline order and their tasks run), then yields once so that
/// the tasks those timers woke run before it continues, as tokio's `advance` does.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::time::{self, Duration, Instant};
/// let t = Instant::now();
/// time::advance(Duration::from_millis(1500)).await;
/// assert_eq!(t.elapsed(), Duration::from_millis(1500));
/// # });
/// ```
pub async fn advance(duration: Duration) {
    sleep(duration).await;
    crate::task::yield_now().await;
}
