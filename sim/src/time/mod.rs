//! Virtual time: `now`, `sleep`, `timeout`, `interval`.
//!
//! The clock is an integer count of nanoseconds since the run began. It moves only when no task
//! is runnable, and then exactly to the earliest pending deadline; nothing here reads the real
//! clock. Timers with equal deadlines fire in registration order; under an exploring strategy
//! the tasks they wake may then run in any order.

mod interval;
mod scope;
mod sleep;
mod timeout;

use std::time::Duration;

pub use crate::model::Instant;
pub use interval::{Interval, interval};
pub use scope::{Scoped, TimeoutScope};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Elapsed, Timeout, timeout, timeout_at};

use crate::rt::context;

/// The current virtual time.
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn now() -> Instant {
    context::with("sim::time::now", |core| core.now())
}

/// Virtual time since the run began.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// let d = sim.run(async {
///     sim::time::sleep(std::time::Duration::from_millis(250)).await;
///     sim::time::elapsed()
/// }).unwrap();
/// assert_eq!(d, std::time::Duration::from_millis(250));
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn elapsed() -> Duration {
    context::with("sim::time::elapsed", |core| core.now()) - Instant::ZERO
}

/// Moves the clock forward by `duration` at once, without yielding, as a paused tokio clock's
/// `advance` does: the caller keeps running, and every timer the jump passes fires at the start
/// of the next round, all of them at the new time (in deadline order). Other tasks see the new
/// time as soon as they run. (`seedloop-tokio`'s `time::advance` is built on it.)
///
/// ```
/// use std::time::Duration;
/// let mut sim = sim::Sim::new(0);
/// let woke_at = sim.run(async {
///     let timer = sim::spawn(async {
///         sim::time::sleep(Duration::from_millis(10)).await;
///         sim::time::elapsed()
///     });
///     sim::task::yield_now().await; // the timer is registered
///     sim::time::advance(Duration::from_secs(2));
///     assert_eq!(sim::time::elapsed(), Duration::from_secs(2));
///     timer.await.unwrap()
/// }).unwrap();
/// assert_eq!(woke_at, Duration::from_secs(2)); // it fired at the new time
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn advance(duration: Duration) {
    context::with("sim::time::advance", |core| core.jump(duration));
}
