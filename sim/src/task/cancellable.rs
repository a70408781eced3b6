//! Cancellation points: "what if this future were dropped here?", asked at every await.
//!
//! In async Rust, cancelling is dropping: a `select` drops the branches that lost, a timeout
//! drops the future it gave up on, a shutdown drops a handler. A future is *cancel safe* when
//! being dropped at any of its awaits loses nothing; a read that has consumed half a frame, a
//! send that took a message out of a queue, an update done in two steps are not. Such bugs show
//! only when the competitor happens to win at the wrong await, which a test rarely arranges.
//!
//! [`cancellable`] marks a future that production code may drop. Every time it suspends, an
//! exploring strategy may drop it right there (a recorded decision, `c1/2` in a schedule; `c0/2`
//! keeps it), and it resolves to `Err(Cancelled)`: the code around it then does what it does
//! when the competitor wins. Fifo never cancels, so a program's Fifo run is unchanged; a replay
//! token replays the cancellations, and the harness's shrinker removes every one that does not
//! matter.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::rt::primitives;

/// Marks `fut` as cancellable: at every await where it suspends, an exploring strategy may drop
/// it (its `Drop` guards run at that instant, in the awaiting task), and it then resolves to
/// `Err(Cancelled)`. Otherwise it resolves to `Ok` with `fut`'s output. [`crate::Strategy::fifo`]
/// never cancels; [`crate::Strategy::random`] and PCT cancel at each await with a chance drawn
/// once per run, up to one in two.
///
/// Wrap what production code may drop half-way (a `select` branch that can lose, a future under
/// a timeout, a handler a shutdown aborts), and handle `Err(Cancelled)` the way the code handles
/// losing: a `select` loop breaks or goes round again, a caller retries. For a whole task,
/// spawn `cancellable(handler)`: its handle's output is then the `Result`.
///
/// It costs a recorded decision each time the future suspends, and a heap allocation (the
/// future is boxed, so `Cancellable` is [`Unpin`] and can go straight into
/// [`select`](crate::concurrency::select)).
///
/// A counter updated in two steps with an await between them is not cancel safe:
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// use sim::task::{cancellable, yield_now};
/// use sim::{Sim, Strategy};
///
/// // Moves one unit from `from` to `to`, yielding half-way.
/// async fn transfer(from: Rc<Cell<i32>>, to: Rc<Cell<i32>>) {
///     from.set(from.get() - 1);
///     yield_now().await;
///     to.set(to.get() + 1);
/// }
///
/// let program = || async {
///     let (a, b) = (Rc::new(Cell::new(10)), Rc::new(Cell::new(0)));
///     let moved = cancellable(transfer(a.clone(), b.clone())).await;
///     (moved.is_ok(), a.get() + b.get())
/// };
/// // Fifo never cancels: the unit arrives.
/// let mut fifo = Sim::builder().strategy(Strategy::fifo()).build();
/// assert_eq!(fifo.run(program()).unwrap(), (true, 10));
/// // Some random seed drops the transfer at its await, half-way: the unit is lost.
/// let lost = (0..20).find(|&seed| Sim::new(seed).run(program()).unwrap() == (false, 9));
/// let seed = lost.expect("a seed cancels the transfer half-way");
/// let mut sim = Sim::new(seed);
/// sim.run(program()).unwrap();
/// assert_eq!(sim.trace().schedule().cancellations(), 1);
/// ```
#[track_caller]
pub fn cancellable<F: Future>(fut: F) -> Cancellable<F> {
    Cancellable {
        fut: Some(Box::pin(fut)),
        site: Location::caller(),
        suspensions: 0,
    }
}

/// Future of [`cancellable`]; see there for an example.
#[must_use = "futures do nothing unless awaited"]
pub struct Cancellable<F> {
    /// `None` once it returned or was dropped.
    fut: Option<Pin<Box<F>>>,
    site: &'static Location<'static>,
    /// Awaits it suspended at so far.
    suspensions: u32,
}

impl<F> fmt::Debug for Cancellable<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancellable")
            .field("site", &format_args!("{}", self.site))
            .field("done", &self.fut.is_none())
            .finish()
    }
}

impl<F: Future> Future for Cancellable<F> {
    type Output = Result<F::Output, Cancelled>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let fut = this
            .fut
            .as_mut()
            .expect("a Cancellable was polled after it returned");
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            this.fut = None;
            return Poll::Ready(Ok(v));
        }
        let suspension = this.suspensions;
        this.suspensions = this.suspensions.saturating_add(1);
        if primitives::cancellation_point("sim::task::cancellable", suspension) {
            // Dropped at the await it suspended at, as a select loser would be.
            this.fut = None;
            return Poll::Ready(Err(Cancelled { site: this.site }));
        }
        Poll::Pending
    }
}

/// A [`cancellable`] future was dropped at an await by the exploring strategy.
///
/// ```
/// let mut sim = sim::Sim::builder().strategy(sim::Strategy::fifo()).build();
/// sim.run(async {
///     let r = sim::task::cancellable(async { 7 }).await;
///     assert_eq!(r, Ok(7)); // a future that never suspends is never cancelled
/// }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled {
    site: &'static Location<'static>,
}

impl Cancelled {
    /// Where the future was marked cancellable.
    pub fn site(&self) -> &'static Location<'static> {
        self.site
    }
}

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the future marked cancellable at {}:{} was dropped at an await by the strategy",
            self.site.file(),
            self.site.line()
        )
    }
}

impl std::error::Error for Cancelled {}
