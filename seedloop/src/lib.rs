//! # seedloop — deterministic simulation testing for async Rust
//!
//! The one dependency to add: it runs your async program on a single-threaded executor with
//! virtual time and a seeded scheduler (the `sim` crate, re-exported here at the top level:
//! [`spawn`], [`Sim`], [`time`], [`sync`], [`task`], [`channel`], ...), and sweeps it over many
//! seeds under `cargo test`, reporting and replaying a failure (the `harness` crate: its entry
//! points here, [`check`], [`Check`], [`macro@test`], [`replay`], [`Report`], [`Token`]; all of
//! it under [`harness`]).
//!
//! ```toml
//! [dev-dependencies]
//! seedloop = { git = "https://example.invalid/seedloop" }   # or { path = "../seedloop/seedloop" }
//! ```
//!
//! A test, as you would write it in `tests/counter.rs`:
//!
//! ```
//! use std::{cell::Cell, rc::Rc};
//!
//! // Two tasks each add one with a read-modify-write split by an await: a lost update.
//! async fn counter() {
//!     let count = Rc::new(Cell::new(0));
//!     let tasks: Vec<_> = (0..2).map(|_| {
//!         let count = count.clone();
//!         seedloop::spawn(async move {
//!             let read = count.get();
//!             seedloop::task::maybe_yield().await; // another task may run here
//!             count.set(read + 1);
//!         })
//!     }).collect();
//!     for t in tasks { t.await.unwrap(); }
//!     assert_eq!(count.get(), 2, "lost update");
//! }
//!
//! // In a test file: `#[seedloop::test] async fn counter_adds_up() { counter().await }`
//! #[seedloop::test(seeds = 64, max_poll_time = "100ms")]
//! async fn counter_adds_up() {
//!     counter().await
//! }
//!
//! // The same sweep as a value: some seed interleaves the two increments.
//! let outcome = seedloop::Check::new().no_regressions().explore(counter);
//! let report = outcome.report.expect("a seed loses the update");
//! assert!(report.to_string().contains("lost update"));
//! assert!(report.replay_line().starts_with("SEEDLOOP_REPLAY=sl2."));
//! ```
//!
//! ## Features
//!
//! - `net`, `fs` (default): the simulated network and disks, [`net`] and [`fs`].
//! - `proptest`: interleavings as proptest values (`seedloop::harness::proptest`).
//! - `insta`: `seedloop::assert_trace_snapshot!`, a run's trace as an insta snapshot.
//! - `tracing`: `seedloop::tracing`, a `tracing` layer that records your code's `tracing`
//!   events into the run's trace, stamped with virtual time, task and step (`seedloop::tracing::install()`).
//!
//! Every `SEEDLOOP_*` environment variable is documented in [`harness::env`].

#![forbid(unsafe_code)]

pub use sim::*;

/// The test harness, whole: seed sweeps, reports, replay tokens, shrinking, regressions files,
/// exhaustive search ([`harness::explore`]), and the proptest and insta integrations.
///
/// ```
/// let seeds: Vec<u64> = seedloop::harness::Seeds::from(3).iter().collect();
/// assert_eq!(seeds, [0, 1, 2]);
/// ```
pub use harness;

pub use harness::{
    Check, Commands, DEFAULT_SEEDS, Env, Failure, FailureKind, FaultConfig, Nondeterminism, Origin,
    Outcome, Replayed, Report, Seeds, Shard, TAIL_EVENTS, Target, TestContext, TestOutput, Token,
    TokenError, check, faults_in, parse_strategy, replay, try_replay,
};

#[cfg(feature = "insta")]
pub use harness::assert_trace_snapshot;
#[cfg(feature = "proptest")]
pub use harness::sim_check;
#[cfg(feature = "tracing")]
pub use harness::tracing;

/// Turns an `async fn` into a `#[test]` that sweeps it with [`check`]: each seed runs the body
/// afresh, and the first failure panics with its report and the `SEEDLOOP_REPLAY=... cargo
/// test ...` line that replays it.
///
/// `#[seedloop::test]`, `#[seedloop::test(seeds = 500)]`, `#[seedloop::test(seeds = 10..20,
/// strategy = "pct", max_steps = 10_000)]`. A key that names a [`Check`] builder method calls
/// it with the value (`strategy` also takes a name, see [`parse_strategy`]); any other key is a
/// run option ([`options::OPTIONS`]) set from a literal, as `Check::option("name", "text")` does:
/// `max_poll_time = "100ms"`, `fail_on_unobserved_panic = false`. A name that is neither
/// fails the test, naming the valid ones. The function may return `()` or a `Result`.
///
/// ```
/// #[seedloop::test(seeds = 8, fail_on_unobserved_panic = false)]
/// async fn two_tasks_add_up() {
///     let a = seedloop::spawn(async { 1 });
///     assert_eq!(a.await.unwrap() + 1, 2);
/// }
/// ```
pub use harness_macros::seedloop_test as test;
