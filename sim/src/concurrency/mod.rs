//! asyncio's concurrency toolkit, in Rust's terms: run several futures or tasks at once and
//! combine their outcomes.
//!
//! | asyncio | seedloop | cancels on drop? |
//! |---|---|---|
//! | `gather(*aws)` | [`gather`], [`try_gather`]; [`gather2`], [`gather3`] for mixed types | yes: unfinished children are aborted |
//! | `gather(*aws, return_exceptions=True)` | [`gather_settled`] | yes |
//! | `TaskGroup` | [`TaskGroup`] | yes; the first failure also aborts the siblings |
//! | `wait(aws, return_when=..., timeout=...)` | [`wait`] with [`WaitFor`] | no |
//! | `as_completed(aws, timeout=...)` | [`as_completed`] | no |
//! | `shield(aw)` | [`shield`] | no: that is its purpose |
//! | (no direct equivalent; `wait(FIRST_COMPLETED)` on coroutines) | [`select`], [`select_all`] | returns the losers |
//!
//! Two families. The *spawning* combinators ([`gather`], [`TaskGroup`], [`shield`]) run each
//! future as its own task, so each is a scheduling unit that a strategy can interleave, exactly
//! as asyncio wraps coroutines in tasks; they own those tasks, and dropping them aborts what is
//! unfinished (except [`shield`], whose point is the opposite). The *observing* combinators
//! ([`wait`], [`as_completed`]) take [`JoinHandle`](crate::JoinHandle)s the caller spawned and
//! never cancel anything: what they did not finish is handed back. [`select`] and [`select_all`]
//! poll futures in place, without spawning, and return the losers unharmed.
//!
//! Every combinator reports results in a deterministic order (argument order, or the order the
//! executor finished the tasks), and every choice among simultaneous events is a recorded
//! decision, so an exploring strategy reaches each outcome and a replay repeats it.

mod as_completed;
mod gather;
mod gather_tuple;
mod group_error;
mod select;
mod shield;
mod task_group;
mod tracker;
mod wait_for;

pub use as_completed::{AsCompleted, Next, as_completed};
pub use gather::{Gather, GatherSettled, TryGather, gather, gather_settled, try_gather};
pub use gather_tuple::{Gather2, Gather3, gather2, gather3};
pub use group_error::{Failure, FailureKind, GroupError, SpawnError};
pub use select::{Either, Select, SelectAll, select, select_all};
pub use shield::{Shield, ShieldWatch, shield};
pub use task_group::{GroupHandle, Join, TaskGroup};
pub use wait_for::{Wait, WaitFor, wait};

use crate::JoinError;
use crate::task::TaskId;

/// One finished task, as reported by [`wait`] and [`as_completed`]: where it was in the argument
/// list, which task it was, and its outcome.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let mut s = sim::concurrency::as_completed([sim::spawn(async { 5 })]);
///     let c = s.next().await.unwrap();
///     assert_eq!((c.index, c.result.unwrap()), (0, 5));
/// }).unwrap();
/// ```
#[derive(Debug)]
pub struct Completion<T> {
    /// Position of the task's handle in the list given to the combinator.
    pub index: usize,
    /// The task.
    pub id: TaskId,
    /// Its output, or why it has none.
    pub result: Result<T, JoinError>,
}
