//! # sim — seedloop's deterministic executor
//!
//! `sim` runs an async Rust program on one thread, with **virtual time** and a **seeded
//! scheduler**, so that one seed (or one recorded [`Schedule`](schedule::Schedule)) is one exact
//! interleaving.
//!
//! ## The crate, in reading order
//!
//! Three layers; each imports only the ones before it (a test in the `executor` test binary
//! fails on an import cycle or an upward import):
//!
//! 1. **The model** (`model/`): the plain values a run is described by. [`task::TaskId`] and
//!    [`task::TaskInfo`], [`time::Instant`], the [`Decision`](schedule::Decision)s of a
//!    [`Schedule`](schedule::Schedule), [`TraceEvent`](trace::TraceEvent)s and the [`Trace`],
//!    [`RunOptions`], and how things end: [`SimError`] (naming the task that caused it),
//!    [`JoinError`], [`Panic`]. No engine, no thread-locals; re-exported where users meet them.
//! 2. **The runtime** (`rt/`, private): one run, and the only code that changes its state. The
//!    loop, the task table, the ready queue, wakers, timers, the
//!    [`Scheduler`](schedule::Scheduler) it asks at every choice, the hosts of the run, and the
//!    narrow interface the primitives use (preemption points, wait notes, recorded choices, the
//!    wait list and the wait slot every waiting future is built on).
//! 3. **The facades and the toolkit** over it:
//!    - [`Sim`] and [`SimBuilder`] (one run), [`schedule`] (the strategies: [`Strategy`]),
//!      [`task`] ([`spawn`], [`JoinHandle`], yielding), [`time`] (sleep, timeout, interval),
//!      [`rand`], [`trace`] and [`log!`];
//!    - the toolkit, which reaches the runtime only through its primitive interface: [`sync`]
//!      (locks, events, condition variables, cancellation), [`channel`] (mpsc, queues, oneshot,
//!      broadcast, watch), [`concurrency`] (gather, task groups, select, shield); [`asyncio`]
//!      maps asyncio's names onto them;
//!    - simulated I/O: `host` (machines that crash and restart), `net` (streams, datagrams,
//!      partitions) and `fs` (disks that lose unsynced writes), behind the `net` and `fs`
//!      features.
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
mod builder;
pub mod channel;
pub mod concurrency;
#[cfg(feature = "fs")]
pub mod fs;
#[cfg(any(feature = "net", feature = "fs"))]
pub mod host;
mod model;
#[cfg(feature = "net")]
pub mod net;
pub mod options {
    //! `RunOptions`: the limits and policies that decide a run's verdict, as one value.
    //!
    //! A run is fixed by its seed, its strategy and these options: the same three give the same
    //! verdict. [`SimBuilder`](crate::SimBuilder) takes them whole, a test harness stores them
    //! and a replay token carries them, so a failure replays under the limits it was found with.
    //!
    //! Every option is listed once, in [`OPTIONS`]: its stable key, its name and how it reads
    //! and writes as a `u64`. [`RunOptions::to_pairs`] and [`RunOptions::from_pairs`] go through
    //! that table, so adding an option is one field and one row, and a token that names an
    //! option this version does not know is refused by key instead of being misread.
    pub use crate::model::options::*;
}
pub mod rand;
mod rt;
pub mod schedule;
mod sim;
pub mod sync;
pub mod task;
pub mod time;
pub mod trace;

pub use builder::SimBuilder;
pub use concurrency::{TaskGroup, gather, gather_settled, shield, try_gather};
pub use model::{
    Beacon, BlockedTask, DEFAULT_MAX_STEPS, Panic, Progress, RunOptions, SimError, SimErrorKind,
};
pub use schedule::Strategy;
pub use sim::Sim;
pub use task::{JoinError, JoinHandle, spawn, spawn_named};
pub use trace::{Trace, TraceLevel};

/// Records a line in the trace, attributed to the current task at the current virtual time
/// (`format!` syntax). The arguments are evaluated at every trace level (an argument that
/// draws a random value draws it either way, so every level takes the same decisions); the
/// formatting is skipped when the run records decisions only. A `Display` that itself draws a
/// random value fails the run with "a `log!` argument changed the run".
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
        $crate::__private::log_args(::std::format_args!($($arg)*))
    };
}

/// What `sim`'s macros expand to. Not part of the API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::trace::log::log_args;
}

/// True while a simulation runs on this thread.
pub fn in_simulation() -> bool {
    rt::context::in_sim()
}
