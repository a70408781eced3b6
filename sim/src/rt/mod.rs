//! The runtime: one run, and the only code that mutates run state.
//!
//! Reading order:
//! - [`run`](mod@run): the loop of one run, from main's first poll to the verdict;
//! - [`core`]: the run's state (`Core`, every field documented) and its trace;
//! - [`tasks`]: spawning, waking, aborting, polling (one function for main and spawned tasks),
//!   ending and joining tasks; [`table`]: the task table and its one `TaskState` enum;
//!   [`raw`]: a task's heap block (its waker, its future, then its output);
//! - [`hosts`]: the run's hosts, and the plugin trait `net` and `fs` attach their per-host
//!   state through; [`panic_hook`]: catching task panics quietly;
//! - [`choose`]: every decision, through the [`Scheduler`]; [`streams`]: the seeded streams;
//! - [`clock`] and [`timers`]: virtual time; [`ready`]: the ready queue; [`waker`]: task
//!   wakers; [`context`]: the thread-local that lets `sim` functions find the running run;
//!   [`spare`]: the emptied state one run leaves to the next on its thread;
//! - [`failure`]: the `SimError` each way a run can fail;
//! - [`primitives`]: the narrow interface `sync`, `channel`, `concurrency`, `net` and `fs`
//!   use, with [`waiters`]: the wait list every blocking primitive is built on and the wait
//!   slot every waiting future is.
//!
//! Nothing here knows a strategy, a primitive or a socket: the layers above call in.

mod choose;
mod clock;
pub(crate) mod context;
mod core;
mod failure;
pub(crate) mod hosts;
pub(crate) mod panic_hook;
pub(crate) mod primitives;
pub(crate) mod raw;
mod ready;
mod run;
mod scheduler;
mod spare;
mod streams;
mod table;
mod tasks;
pub(crate) mod timers;
mod waiters;
mod waker;

pub(crate) use ready::TaskKey;
pub(crate) use run::run;
pub use scheduler::{Choice, Runnable, Scheduler};
pub(crate) use streams::Stream;
pub use streams::ValueStream;
pub(crate) use table::WaitKind;
#[cfg(test)]
pub(crate) use waker::MADE as WAKERS_MADE;
#[cfg(test)]
pub(crate) use waker::POOLED as POOLED_WAKERS;

use std::sync::Arc;

use crate::model::{Beacon, RunOptions, TraceLevel};

/// What a run is given besides its main future: the scheduler is built already (the run does
/// not know strategies), the seed feeds the value and fault streams.
pub(crate) struct RunSetup {
    pub(crate) seed: u64,
    pub(crate) level: TraceLevel,
    /// Bytes of encoded decisions the run keeps.
    pub(crate) schedule_budget: usize,
    /// Events the run keeps (the most recent).
    pub(crate) keep_events: usize,
    /// Where every event goes as a text line, as it happens, if anywhere.
    pub(crate) sink: Option<crate::model::Sink>,
    pub(crate) options: RunOptions,
    pub(crate) scheduler: Box<dyn Scheduler>,
    /// Written before every poll for watchers on other threads; never read by the run.
    pub(crate) beacon: Option<Arc<Beacon>>,
}
