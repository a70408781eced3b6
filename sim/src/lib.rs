//! # sim — seedloop's deterministic executor
//!
//! `sim` runs an async Rust program on one thread, with **virtual time** and a **seeded
//! scheduler**, so that one seed (or one recorded [`Schedule`](schedule::Schedule)) is one exact
//! interleaving.
//!
//! ## The determinism contract
//!
//! For the same program, the same seed, the same strategy and the same `Cargo.lock`, a run takes
//! the same decisions and produces a byte-identical [`Trace`]. To keep it so:
//!
//! - every choice (which task runs next, whether a preemption point switches, which of two
//!   simultaneous events wins, every value of [`rand`]) is taken from the run's
//!   [`Strategy`] and recorded;
//! - time is an integer count of nanoseconds that moves only when no task can run, straight to
//!   the next deadline; nothing reads the real clock;
//! - ties are broken by sequence numbers, never by addresses or hash order;
//! - randomness comes from ChaCha8 streams derived from the seed, one per purpose.
//!
//! Code outside `sim`'s control breaks the contract: real threads, real sockets, real clocks,
//! `HashMap` iteration order, OS randomness. A waker used from another thread is detected and
//! fails the run ([`SimError::is_foreign_wake`]).
//!
//! ## Scheduling and preemption points
//!
//! Every `Pending` returned by a task is a *scheduling point*: the strategy picks the next task
//! among the runnable ones. Awaiting a `sim` operation that could complete at once (or
//! [`task::maybe_yield`]) is a *preemption point*: an exploring strategy may switch there, Fifo
//! never does. Code between two awaits runs atomically, as on any single-threaded executor, so
//! a synchronous call such as [`spawn`] cannot be interrupted.
//!
//! ## Example
//!
//! ```
//! use std::time::Duration;
//! use sim::{Sim, Strategy, time};
//!
//! async fn task(name: &'static str, delay: u64) -> &'static str {
//!     sim::log!("Task {name} started");
//!     time::sleep(Duration::from_secs(delay)).await;
//!     sim::log!("Task {name} finished");
//!     name
//! }
//!
//! let mut sim = Sim::builder().seed(1).strategy(Strategy::fifo()).build();
//! let names = sim.run(async {
//!     let handles = [sim::spawn(task("A", 2)), sim::spawn(task("B", 1)), sim::spawn(task("C", 3))];
//!     let mut out = Vec::new();
//!     for h in handles { out.push(h.await.unwrap()); }
//!     out
//! }).unwrap();
//! assert_eq!(names, ["A", "B", "C"]);
//! let lines: Vec<String> = sim.trace().logs().map(|l| format!("{} {}", l.time, l.text)).collect();
//! assert_eq!(lines, [
//!     "0s Task A started", "0s Task B started", "0s Task C started",
//!     "1s Task B finished", "2s Task A finished", "3s Task C finished",
//! ]);
//! ```

#![forbid(unsafe_code)]

pub mod asyncio;
mod beacon;
mod builder;
pub mod channel;
pub mod concurrency;
mod context;
mod core;
mod error;
#[cfg(feature = "fs")]
pub mod fs;
mod hooks;
#[cfg(any(feature = "net", feature = "fs"))]
pub mod host;
#[cfg(feature = "net")]
pub mod net;
pub mod options;
mod panic;
pub mod rand;
pub mod schedule;
mod sim;
pub mod sync;
pub mod task;
pub mod time;
pub mod trace;
mod waitlist;

pub use beacon::{Beacon, Progress};
pub use builder::SimBuilder;
pub use concurrency::{TaskGroup, gather, gather_settled, shield, try_gather};
pub use error::{BlockedTask, SimError, SimErrorKind};
pub use options::{DEFAULT_MAX_STEPS, RunOptions};
pub use panic::Panic;
pub use schedule::Strategy;
pub use sim::Sim;
pub use task::{JoinError, JoinHandle, spawn, spawn_named};
pub use trace::{Trace, TraceLevel};

/// Records a line in the trace, attributed to the current task at the current virtual time
/// (`format!` syntax). Formatting is skipped when the run records decisions only.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async { sim::log!("x = {}", 1) }).unwrap();
/// assert_eq!(sim.trace().logs().next().unwrap().text, "x = 1");
/// ```
///
/// # Panics
/// Outside a simulation.
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        $crate::trace::log_with(|| ::std::format!($($arg)*))
    };
}

/// True while a simulation runs on this thread.
pub fn in_simulation() -> bool {
    context::in_sim()
}
