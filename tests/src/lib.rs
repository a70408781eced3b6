//! Shared helpers for seedloop's cross-crate tests, and the README's example as a doctest.
//!
//! - [`fifo`], [`random`] and [`SWEEP`]: the simulations a behaviour case runs under (exactly
//!   under Fifo, its order-free part under every seed of the sweep);
//! - [`Log`] and [`Guard`]: a shared log of `(virtual time, text)` lines, and a `Drop` guard that
//!   writes to it (asyncio's `except CancelledError: print(...)` becomes a guard);
//! - [`Counters`] and [`Counted`]: a future wrapper that counts its polls, drops and wakes, for
//!   lifecycle tests;
//! - [`yielders`] and [`yielders_trace`]: the determinism program of SEMANTICS case 43, shared
//!   with the `trace_digest` binary so another process can run it.
#![doc = include_str!("../../README.md")]
#![forbid(unsafe_code)]
#![allow(
    clippy::test_attr_in_doctest,
    reason = "the README's `tests/counter.rs` is a test file as a user writes it; the \
              `seedloop_outside` check builds and runs it as such, in a crate of its own"
)]

use std::cell::RefCell;
use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use sim::time::Instant;
use sim::{Sim, Strategy, Trace};

/// The seeds every order-free assertion is checked under (with [`Strategy::random`]).
pub const SWEEP: Range<u64> = 0..64;

/// A simulation with the Fifo strategy (asyncio's order exactly), seed 0.
///
/// ```
/// let mut sim = seedloop_tests::fifo();
/// assert!(sim.strategy().is_fifo());
/// assert_eq!(sim.run(async { 1 }).unwrap(), 1);
/// ```
pub fn fifo() -> Sim {
    Sim::builder().seed(0).strategy(Strategy::fifo()).build()
}

/// A simulation with the Random strategy and `seed`.
///
/// ```
/// let sim = seedloop_tests::random(5);
/// assert_eq!((sim.seed(), sim.strategy().name()), (5, "random"));
/// ```
pub fn random(seed: u64) -> Sim {
    Sim::builder()
        .seed(seed)
        .strategy(Strategy::random())
        .build()
}

/// Whole seconds.
pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Milliseconds.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The instant `d` after the start of the run.
///
/// ```
/// assert_eq!(seedloop_tests::at(seedloop_tests::ms(1500)).to_string(), "1.5s");
/// ```
pub fn at(d: Duration) -> Instant {
    Instant::ZERO + d
}

/// The current virtual time, or [`Instant::MAX`] (printed `never`) outside a simulation.
fn now_or_never() -> Instant {
    if sim::in_simulation() {
        sim::time::now()
    } else {
        Instant::MAX
    }
}

/// A shared log of `(virtual time, text)` entries; clones share the same log.
///
/// ```
/// use seedloop_tests::{Log, fifo, secs};
/// let log = Log::new();
/// let l = log.clone();
/// fifo().run(async move {
///     l.push("Hello");
///     sim::time::sleep(secs(1)).await;
///     l.push("World");
/// }).unwrap();
/// assert_eq!(log.lines(), ["Hello@0s", "World@1s"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Log(Rc<RefCell<Vec<(Instant, String)>>>);

impl Log {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `text` at the current virtual time ([`Instant::MAX`] outside a simulation).
    pub fn push(&self, text: impl Into<String>) {
        let at = now_or_never();
        self.0.borrow_mut().push((at, text.into()));
    }

    /// Every entry, in order.
    pub fn entries(&self) -> Vec<(Instant, String)> {
        self.0.borrow().clone()
    }

    /// The texts, in order.
    pub fn texts(&self) -> Vec<String> {
        self.0.borrow().iter().map(|(_, t)| t.clone()).collect()
    }

    /// Entries as `text@time` (`Hello@0s`, `x@1.5s`).
    pub fn lines(&self) -> Vec<String> {
        self.0
            .borrow()
            .iter()
            .map(|(at, t)| format!("{t}@{at}"))
            .collect()
    }

    /// The time of the first entry with this text.
    pub fn time_of(&self, text: &str) -> Option<Instant> {
        self.0
            .borrow()
            .iter()
            .find(|(_, t)| t == text)
            .map(|(at, _)| *at)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    /// True when nothing was logged.
    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }
}

/// The `sim::log!` lines of a trace as `text@time`, like [`Log::lines`].
///
/// ```
/// let mut sim = seedloop_tests::fifo();
/// sim.run(async { sim::log!("x") }).unwrap();
/// assert_eq!(seedloop_tests::trace_lines(sim.trace()), ["x@0s"]);
/// ```
pub fn trace_lines(trace: &Trace) -> Vec<String> {
    trace
        .logs()
        .map(|l| format!("{}@{}", l.text, l.time))
        .collect()
}

/// Logs its text to a [`Log`] when dropped (at the virtual instant of the drop).
///
/// ```
/// use seedloop_tests::{Guard, Log, fifo};
/// let log = Log::new();
/// let g = Guard::new(&log, "cleanup");
/// fifo().run(async move { drop(g) }).unwrap();
/// assert_eq!(log.lines(), ["cleanup@0s"]);
/// ```
#[derive(Debug)]
pub struct Guard {
    log: Log,
    text: String,
}

impl Guard {
    /// A guard that writes `text` to `log` on drop.
    pub fn new(log: &Log, text: impl Into<String>) -> Self {
        Guard {
            log: log.clone(),
            text: text.into(),
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.log.push(std::mem::take(&mut self.text));
    }
}

/// Poll, drop and wake counts of the futures wrapped with [`Counters::wrap`]; clones share them.
#[derive(Clone, Debug, Default)]
pub struct Counters(Arc<CountersInner>);

#[derive(Debug, Default)]
struct CountersInner {
    polls: AtomicUsize,
    drops: AtomicUsize,
    wakes: AtomicUsize,
}

impl Counters {
    /// Fresh counters, all zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Wraps `fut` so that its polls, its drop, and every wake of the waker it was given count
    /// here.
    ///
    /// ```
    /// use seedloop_tests::{Counters, fifo, secs};
    /// let c = Counters::new();
    /// let fut = c.wrap(async { sim::time::sleep(secs(1)).await; 3 });
    /// assert_eq!(fifo().run(fut).unwrap(), 3);
    /// assert_eq!((c.polls(), c.wakes(), c.drops()), (2, 1, 1));
    /// ```
    pub fn wrap<F: Future>(&self, fut: F) -> Counted<F> {
        Counted {
            fut: Box::pin(fut),
            counters: self.clone(),
        }
    }

    /// Times a wrapped future was polled.
    pub fn polls(&self) -> usize {
        self.0.polls.load(Ordering::SeqCst)
    }

    /// Times a wrapped future was dropped.
    pub fn drops(&self) -> usize {
        self.0.drops.load(Ordering::SeqCst)
    }

    /// Times a waker given to a wrapped future was woken.
    pub fn wakes(&self) -> usize {
        self.0.wakes.load(Ordering::SeqCst)
    }

    /// `(polls, drops, wakes)`.
    pub fn all(&self) -> (usize, usize, usize) {
        (self.polls(), self.drops(), self.wakes())
    }
}

/// A future wrapped by [`Counters::wrap`].
pub struct Counted<F> {
    fut: Pin<Box<F>>,
    counters: Counters,
}

impl<F> std::fmt::Debug for Counted<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counted")
            .field("counters", &self.counters)
            .finish()
    }
}

/// A waker that counts its wakes, then forwards them.
struct CountingWaker {
    inner: Waker,
    counters: Counters,
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.counters.0.wakes.fetch_add(1, Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.counters.0.polls.fetch_add(1, Ordering::SeqCst);
        let waker = Waker::from(Arc::new(CountingWaker {
            inner: cx.waker().clone(),
            counters: self.counters.clone(),
        }));
        self.fut.as_mut().poll(&mut Context::from_waker(&waker))
    }
}

impl<F> Drop for Counted<F> {
    fn drop(&mut self) {
        self.counters.0.drops.fetch_add(1, Ordering::SeqCst);
    }
}

/// SEMANTICS case 43's program: five tasks `a`..`e`, each logging `(name, i)` and yielding, 50
/// times; main awaits them all.
pub async fn yielders() {
    let handles: Vec<_> = ["a", "b", "c", "d", "e"]
        .into_iter()
        .map(|name| {
            sim::spawn_named(name, async move {
                for i in 0..50 {
                    sim::log!("({name}, {i})");
                    sim::task::yield_now().await;
                }
            })
        })
        .collect();
    for h in handles {
        h.await.expect("a yielder failed");
    }
}

/// The full trace of [`yielders`] under the Random strategy with `seed`.
///
/// ```
/// let a = seedloop_tests::yielders_trace(3);
/// let b = seedloop_tests::yielders_trace(3);
/// assert_eq!(a.digest(), b.digest());
/// ```
pub fn yielders_trace(seed: u64) -> Trace {
    let mut sim = random(seed);
    sim.run(yielders()).expect("the yielders program runs");
    sim.take_trace()
}
