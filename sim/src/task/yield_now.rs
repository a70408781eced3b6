//! Giving up the processor: always (`yield_now`) or when the strategy says so (`maybe_yield`).

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::model::EventKind;
use crate::rt::context;
use crate::rt::primitives::preemption_point_at;

/// Suspends the current task once, letting every other runnable task run first (under Fifo it
/// goes to the back of the ready queue, like asyncio's `await asyncio.sleep(0)`).
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let mut sim = sim::Sim::builder().strategy(sim::Strategy::fifo()).build();
/// let l = log.clone();
/// sim.run(async move {
///     let l2 = l.clone();
///     let t = sim::spawn(async move { l2.borrow_mut().push("task") });
///     l.borrow_mut().push("main before yield");
///     sim::task::yield_now().await;
///     l.borrow_mut().push("main after yield");
///     t.await.unwrap();
/// }).unwrap();
/// assert_eq!(*log.borrow(), ["main before yield", "task", "main after yield"]);
/// ```
#[track_caller]
pub fn yield_now() -> YieldNow {
    YieldNow {
        yielded: false,
        site: Location::caller(),
    }
}

/// Future of [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
    /// Where it was called: the step-limit error names it when a loop spins on it.
    site: &'static Location<'static>,
}

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        let site = self.site;
        context::with("sim::task::yield_now", |core| {
            core.event(EventKind::Yield);
            core.note_await("sim::task::yield_now", Some(site));
            core.wake_by(cx.waker());
        });
        Poll::Pending
    }
}

/// A preemption point: an exploring strategy may switch to another runnable task here; Fifo
/// never does, so under Fifo this completes at once.
///
/// Every `sim` operation that can complete immediately (locking a free mutex, receiving from a
/// non-empty channel) contains one. Call it in your own code where a real multi-threaded
/// runtime could interleave another task, e.g. between reading and writing shared state, so the
/// harness can explore that window.
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// // Two read-modify-write increments with a preemption point in the window.
/// let lost_update_seen = (0..64).any(|seed| {
///     let mut sim = sim::Sim::new(seed);
///     sim.run(async {
///         let c = Rc::new(Cell::new(0));
///         let incs: Vec<_> = (0..2).map(|_| {
///             let c = c.clone();
///             sim::spawn(async move {
///                 let x = c.get();
///                 sim::task::maybe_yield().await;
///                 c.set(x + 1);
///             })
///         }).collect();
///         for h in incs { h.await.unwrap(); }
///         c.get()
///     }).unwrap() == 1
/// });
/// assert!(lost_update_seen);
/// ```
#[track_caller]
pub fn maybe_yield() -> MaybeYield {
    MaybeYield {
        state: 0,
        site: Location::caller(),
    }
}

/// Future of [`maybe_yield`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct MaybeYield {
    /// 0: not polled; 1: switched away, resume on next poll.
    state: u8,
    /// Where it was called: the step-limit error names it when a loop spins on it.
    site: &'static Location<'static>,
}

impl Future for MaybeYield {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.state == 1 {
            return Poll::Ready(());
        }
        if preemption_point_at("sim::task::maybe_yield", Some(self.site), cx) {
            self.state = 1;
            return Poll::Pending;
        }
        Poll::Ready(())
    }
}
