//! `select`: the first of several futures to finish, polled in place, with the losers returned.
//!
//! Which of several *ready* futures wins is a recorded decision: each poll asks the strategy for
//! a starting index ([`Strategy::fifo`](crate::Strategy::fifo) says 0: listed order) and polls
//! in that rotated order; the first `Ready` wins. So under an exploring strategy "the first
//! listed wins" is never an accident of the code, and every winner is reachable and replayable.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::rt::primitives;

/// One of two outcomes: which future of a [`select`] finished first.
///
/// ```
/// use sim::concurrency::{Either, select};
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let e = select(std::future::pending::<()>(), std::future::ready(5)).await;
///     assert!(matches!(e, Either::Right((5, _))));
/// }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Either<L, R> {
    /// The first future won.
    Left(L),
    /// The second future won.
    Right(R),
}

/// Waits for the first of `a` and `b` to finish and returns its output together with the other
/// future, unfinished and unharmed: awaiting it finishes it. Both futures must be [`Unpin`]
/// (pin them with `Box::pin` or `std::pin::pin!` otherwise).
///
/// What the loser is depends on what you passed. Passed by value (a `Box::pin(fut)`), the loser
/// is the future itself: dropping it cancels it. Pinned on the stack with `pin!` (a
/// `Pin<&mut F>`) or passed as `&mut fut`, `select` only borrows it: the loser you get back is
/// that reference, and dropping it cancels nothing; the future is dropped at the end of its
/// scope, or finishes if you await it again:
///
/// ```
/// use std::time::Duration;
/// use sim::concurrency::{Either, select};
/// use sim::time::sleep;
///
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let mut slow = std::pin::pin!(async { sleep(Duration::from_secs(5)).await; "slow" });
///     let fast = Box::pin(sleep(Duration::from_secs(1)));
///     let Either::Right(((), loser)) = select(slow.as_mut(), fast).await else { unreachable!() };
///     drop(loser); // only the borrow ends
///     assert_eq!(slow.await, "slow"); // the future itself was not cancelled
/// }).unwrap();
/// ```
///
/// When both are ready at the same poll, which one wins is a recorded decision (the first
/// under Fifo).
///
/// ```
/// use std::time::Duration;
/// use sim::concurrency::{Either, select};
/// use sim::time::sleep;
///
/// let mut sim = sim::Sim::new(8);
/// sim.run(async {
///     let slow = Box::pin(async { sleep(Duration::from_secs(5)).await; "slow" });
///     let fast = Box::pin(async { sleep(Duration::from_secs(1)).await; 1 });
///     match select(slow, fast).await {
///         Either::Right((n, slow)) => {
///             assert_eq!(n, 1);
///             assert_eq!(slow.await, "slow"); // the loser was not cancelled
///         }
///         Either::Left(_) => unreachable!(),
///     }
///     assert_eq!(sim::time::elapsed(), Duration::from_secs(5));
/// }).unwrap();
/// ```
#[track_caller]
pub fn select<A, B>(a: A, b: B) -> Select<A, B>
where
    A: Future + Unpin,
    B: Future + Unpin,
{
    Select {
        inner: Some((a, b)),
        site: Location::caller(),
    }
}

/// Future of [`select`]; see there for an example.
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Select<A, B> {
    inner: Option<(A, B)>,
    site: &'static Location<'static>,
}

impl<A, B> Future for Select<A, B>
where
    A: Future + Unpin,
    B: Future + Unpin,
{
    type Output = Either<(A::Output, B), (B::Output, A)>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let (a, b) = this
            .inner
            .as_mut()
            .expect("Select polled after it returned");
        let start = primitives::branch(2);
        for k in 0..2 {
            if (start + k) % 2 == 0 {
                if let Poll::Ready(v) = Pin::new(&mut *a).poll(cx) {
                    let (_, b) = this.inner.take().expect("checked above");
                    return Poll::Ready(Either::Left((v, b)));
                }
            } else if let Poll::Ready(v) = Pin::new(&mut *b).poll(cx) {
                let (a, _) = this.inner.take().expect("checked above");
                return Poll::Ready(Either::Right((v, a)));
            }
        }
        primitives::wait_on("select", None, Some(this.site));
        Poll::Pending
    }
}

/// Waits for the first of `futs` to finish: returns its output, its index, and the other
/// futures (in their original order, the winner removed), unfinished and unharmed.
///
/// When several are ready at the same poll, which one wins is a recorded decision (the first
/// listed under Fifo).
///
/// ```
/// use std::time::Duration;
/// use sim::time::sleep;
///
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     let futs: Vec<_> = [3u64, 1, 2]
///         .into_iter()
///         .map(|s| Box::pin(async move { sleep(Duration::from_secs(s)).await; s }))
///         .collect();
///     let (out, index, rest) = sim::concurrency::select_all(futs).await;
///     assert_eq!((out, index, rest.len()), (1, 1, 2));
/// }).unwrap();
/// ```
///
/// # Panics
/// When `futs` is empty (nothing could ever win).
#[track_caller]
pub fn select_all<I>(futs: I) -> SelectAll<I::Item>
where
    I: IntoIterator,
    I::Item: Future + Unpin,
{
    let futs: Vec<_> = futs.into_iter().collect();
    assert!(
        !futs.is_empty(),
        "select_all was given no futures: with nothing to wait for it could never finish"
    );
    SelectAll {
        futs,
        site: Location::caller(),
    }
}

/// Future of [`select_all`]; see there for an example.
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct SelectAll<F> {
    futs: Vec<F>,
    site: &'static Location<'static>,
}

impl<F: Future + Unpin> Future for SelectAll<F> {
    type Output = (F::Output, usize, Vec<F>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let n = this.futs.len();
        assert!(n > 0, "SelectAll polled after it returned");
        let start = primitives::branch(u32::try_from(n).unwrap_or(u32::MAX)) as usize;
        for k in 0..n {
            let i = (start + k) % n;
            if let Poll::Ready(v) = Pin::new(&mut this.futs[i]).poll(cx) {
                let mut rest = std::mem::take(&mut this.futs);
                drop(rest.remove(i));
                return Poll::Ready((v, i, rest));
            }
        }
        primitives::wait_on("select_all", None, Some(this.site));
        Poll::Pending
    }
}
