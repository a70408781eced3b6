//! The narrow interface `sim`'s own primitives (sync, channels, combinators, simulated I/O) use
//! to take part in scheduling. They reach the run through nothing else.
//!
//! - [`preemption_point`]: at an operation's first poll, an exploring strategy may switch tasks;
//! - [`wait_on`]: name what the task is about to wait on, for deadlock reports;
//! - [`branch`], [`value`], [`fault`], [`chance`], [`cancellation_point`]: recorded choices
//!   (ties, random values, injected faults, dropping a cancellable future at an await);
//! - [`WaitList`] and [`WaitSlot`]: the FIFO queue of waiters with direct hand-off, and the one
//!   state machine every waiting future is built on (see [`super::waiters`]).
//!
//! A primitive's waiting future follows one pattern (its state behind the primitive's lock):
//!
//! ```text
//! if slot.preempt(cx) { return Pending }                 // first poll only
//! lock the state
//! match slot.poll(&mut state.waiters, cx.waker()) {      // waiting: a grant yet?
//!     Handed::Grant(g) => Ready(use g),
//!     Handed::NotYet => { unlock; slot.note(name); Pending }
//!     Handed::NotQueued => if <can complete now> { Ready }
//!                          else { slot.join(&mut state.waiters, ..); unlock; note; Pending }
//! }
//! on drop: if slot.is_waiting() { lock; if let Some(g) = slot.cancel(..) { pass g on } }
//! ```

use std::panic::Location;
use std::sync::Arc;
use std::task::Context;

use super::context;
use super::core::Core;
use super::table::WaitKind;
use crate::model::{EventKind, Panic};

pub(crate) use super::waiters::{Handed, WaitList, WaitSlot, WaiterId};

/// The preemption point inside `sim` operations: returns true (after arranging to be woken)
/// when the strategy switches away; the caller then returns `Pending` and retries on its next
/// poll.
///
/// # Panics
/// Outside a simulation.
pub(crate) fn preemption_point(cx: &mut Context<'_>) -> bool {
    preemption_point_at("a sim operation", None, cx)
}

/// The first poll of operation `op` on the primitive `name`, of a future created at `site`: records the operation (at
/// the Full trace level) and is its preemption point (see [`preemption_point`]).
///
/// # Panics
/// Outside a simulation, naming `op`.
pub(crate) fn operation_start(
    op: &'static str,
    name: Option<&Arc<str>>,
    site: &'static Location<'static>,
    cx: &mut Context<'_>,
) -> bool {
    context::with(op, |core| {
        if core.is_full() {
            core.event(EventKind::Op {
                op,
                name: name.cloned(),
                site,
            });
        }
        preemption_point_in(core, op, Some(site), cx)
    })
}

/// Records (at the Full trace level) that the current task signalled `op` on the primitive
/// `name` at `site`, without waiting (`notify_one`, `Event::set`, ...).
pub(crate) fn signal(op: &'static str, name: Option<&Arc<str>>, site: &'static Location<'static>) {
    context::try_with(|core| {
        if core.is_full() {
            core.event(EventKind::Signal {
                op,
                name: name.cloned(),
                site,
            });
        }
    });
}

/// [`preemption_point`] of the operation `api` whose future was created at `site` (the
/// step-limit error names both when a loop spins on it).
#[track_caller]
pub(crate) fn preemption_point_at(
    api: &'static str,
    site: Option<&'static Location<'static>>,
    cx: &mut Context<'_>,
) -> bool {
    context::with(api, |core| preemption_point_in(core, api, site, cx))
}

/// [`preemption_point_at`] on the run at hand (an operation that also reads the run's state
/// looks the run up once).
#[inline]
pub(crate) fn preemption_point_in(
    core: &Core,
    api: &'static str,
    site: Option<&'static Location<'static>>,
    cx: &mut Context<'_>,
) -> bool {
    let s = core.preempt(api, site);
    if s {
        core.event(EventKind::Yield);
        core.wake_by(cx.waker());
    }
    s
}

/// Records that the current task is about to wait on `op` (e.g. `"Mutex::lock"`) of the resource
/// called `name`, awaited at `site`; deadlock reports print it.
pub(crate) fn wait_on(
    op: &'static str,
    name: Option<&Arc<str>>,
    site: Option<&'static Location<'static>>,
) {
    context::try_with(|core| {
        if let (true, Some(site)) = (core.is_full(), site) {
            core.event(EventKind::Wait {
                op,
                name: name.cloned(),
                site,
            });
        }
        core.note_wait(
            WaitKind::Resource {
                op,
                name: name.cloned(),
            },
            site,
        );
    });
}

/// A recorded choice among `of` simultaneous events (0 is the default order).
///
/// # Panics
/// Outside a simulation.
pub(crate) fn branch(of: u32) -> u32 {
    context::with("a sim operation", |core| core.branch(of))
}

/// A cancellation point: a future marked cancellable just suspended at an await, after
/// `suspension` earlier ones; true when the strategy drops it there (a recorded decision).
///
/// # Panics
/// Outside a simulation, naming `api`.
#[track_caller]
pub(crate) fn cancellation_point(api: &str, suspension: u32) -> bool {
    context::with(api, |core| core.cancel(suspension))
}

/// A random value in `0..bound` (0: any `u64`) for user code: a recorded decision on the values
/// stream.
///
/// # Panics
/// Outside a simulation, naming `api`.
#[track_caller]
pub(crate) fn value(api: &str, bound: u64) -> u64 {
    context::with(api, |core| core.value(bound))
}

/// A value in `0..bound` for an injected fault: a recorded decision on the faults stream.
///
/// # Panics
/// Outside a simulation.
#[cfg(any(feature = "net", feature = "fs"))]
pub(crate) fn fault(bound: u64) -> u64 {
    context::with("a simulated fault", |core| core.fault(bound))
}

/// True with probability `p`, as a recorded fault decision (none when `p` is 0 or 1).
///
/// # Panics
/// Outside a simulation, when a decision is needed.
#[cfg(any(feature = "net", feature = "fs"))]
pub(crate) fn chance(p: f64) -> bool {
    if p <= 0.0 {
        return false;
    }
    if p >= 1.0 {
        return true;
    }
    const SCALE: u64 = 1_000_000;
    let threshold = (p * SCALE as f64) as u64;
    fault(SCALE) < threshold
}

/// Re-raises a caught task panic in the current task (a combinator propagating a child's).
pub(crate) fn resume_panic(panic: Panic) -> ! {
    super::panic_hook::resume(panic)
}
