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
