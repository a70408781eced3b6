//! Tasks: spawning, joining, aborting, yielding.
//!
//! A task is a `'static` future the executor polls until it completes. Spawning is lazy: the new
//! task first runs when the spawner suspends (asyncio's `create_task`, tokio's `spawn`).
//! Cancellation is drop: [`JoinHandle::abort`] makes the executor drop the task's future before
//! its next poll. A panic is caught per task and reaches the joiner as a [`JoinError`].
//! [`cancellable`] marks a future an exploring strategy may drop at any of its awaits.

mod block;
mod cancellable;
mod join_handle;
mod yield_now;

use std::future::Future;
use std::panic::Location;

pub use crate::model::{JoinError, TaskId, TaskInfo};
pub use block::block_for;
pub use cancellable::{Cancellable, Cancelled, cancellable};
pub use join_handle::{AbortHandle, JoinHandle};
pub use yield_now::{MaybeYield, YieldNow, maybe_yield, yield_now};

use crate::rt::context;
use crate::rt::hosts::HostId;
use crate::rt::raw::TaskCell;

/// Spawns `fut` as a new task and returns its [`JoinHandle`]. No `Send` bound: everything runs on
/// one thread.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// let v = sim.run(async {
///     let h = sim::spawn(async { 40 + 2 });
///     h.await.unwrap()
/// }).unwrap();
/// assert_eq!(v, 42);
/// ```
///
/// # Panics
/// When called outside a simulation.
#[track_caller]
pub fn spawn<F>(fut: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_inner("sim::spawn", fut, None, Location::caller())
}

/// Like [`spawn`], with a name that traces and reports show (`name#id`).
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let h = sim::spawn_named("worker", async {});
///     h.await.unwrap();
/// }).unwrap();
/// assert!(sim.trace().to_string().contains("spawn worker#1"));
/// ```
///
/// # Panics
/// When called outside a simulation.
#[track_caller]
pub fn spawn_named<F>(name: impl Into<String>, fut: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_inner(
        "sim::spawn_named",
        fut,
        Some(name.into().into_boxed_str()),
        Location::caller(),
    )
}

#[track_caller]
pub(crate) fn spawn_inner<F>(
    api: &str,
    fut: F,
    name: Option<Box<str>>,
    site: &'static Location<'static>,
) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_on(api, fut, name, site, None)
}

/// [`spawn_inner`] on `host` (`None`: the spawner's host).
#[track_caller]
pub(crate) fn spawn_on<F>(
    api: &str,
    fut: F,
    name: Option<Box<str>>,
    site: &'static Location<'static>,
    host: Option<HostId>,
) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let task = Box::pin(TaskCell::new(fut));
    let (sim, key) = context::with(api, |core| {
        (core.sim_id(), core.spawn(task, name, site, host))
    });
    JoinHandle::new(sim, key)
}

/// A recorded choice among `of` alternatives (`0..of`): which of several ready branches a
/// `select`-like combinator tries first. Fifo always takes 0 (listed order); an exploring strategy
/// chooses, and a replay takes the recorded index again. `of` of 0 or 1 decides nothing and
/// records nothing.
///
/// ```
/// let mut sim = sim::Sim::builder().strategy(sim::Strategy::fifo()).build();
/// let first = sim.run(async { sim::task::branch(3) }).unwrap();
/// assert_eq!(first, 0); // Fifo takes the first listed alternative
///
/// let picks: std::collections::BTreeSet<u32> = (0..32)
///     .map(|seed| sim::Sim::new(seed).run(async { sim::task::branch(3) }).unwrap())
///     .collect();
/// assert!(picks.iter().all(|&i| i < 3) && picks.len() > 1); // explored
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn branch(of: u32) -> u32 {
    context::with("sim::task::branch", |core| core.branch(of))
}

/// The id of the task calling it.
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn id() -> TaskId {
    context::with("sim::task::id", |core| core.current_id())
}

/// The label (`name#id`) of the task calling it.
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn label() -> String {
    context::with("sim::task::label", |core| core.label(core.current_id()))
}
