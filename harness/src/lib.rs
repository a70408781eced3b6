//! # harness — many executions of one async test
//!
//! [`sim`] runs a program once, deterministically; `harness` runs it under many seeds, and when
//! one fails it:
//!
//! 1. re-runs that seed to confirm the failure is deterministic (a difference is reported as
//!    nondeterminism, with the first differing event);
//! 2. shrinks the schedule to the fewest preemptions that still fail the same way
//!    ([`shrink`] defines the measure);
//! 3. saves a replay [`Token`] to a regressions file beside the test ([`regressions`]), re-run
//!    first next time;
//! 4. panics with one [`Report`]: what failed, where, when, the seed, the token and the line to
//!    paste to replay it.
//!
//! ```
//! use std::{cell::Cell, rc::Rc};
//!
//! // Two read-modify-write increments with a preemption point in the window: a lost update.
//! let outcome = harness::Check::new().seeds(64).no_regressions().explore(|| async {
//!     let c = Rc::new(Cell::new(0));
//!     let incs: Vec<_> = (0..2).map(|_| {
//!         let c = c.clone();
//!         sim::spawn(async move {
//!             let x = c.get();
//!             sim::task::maybe_yield().await;
//!             c.set(x + 1);
//!         })
//!     }).collect();
//!     for h in incs { h.await.unwrap(); }
//!     assert_eq!(c.get(), 2, "lost update");
//! });
//! let report = outcome.report.expect("some seed interleaves the increments");
//! assert_eq!(report.preemptions(), 1); // shrunk to the one switch that matters
//! assert!(report.to_string().contains("lost update"));
//! assert!(report.replay_line().starts_with("SEEDLOOP_REPLAY=sl2."));
//! ```
//!
//! The environment variables are documented in [`env`](mod@env); the attribute [`macro@test`] turns an
//! `async fn` into a `#[test]` that runs [`check`]. With the `tracing` feature, `harness::tracing`
//! records a program's `tracing` events into its trace, so reports show them.

#![forbid(unsafe_code)]

mod check;
mod context;
mod counterexample;
mod determinism;
pub mod env;
pub mod explore;
mod faults;
mod found;
mod hang;
mod origin;
mod progress;
#[cfg(feature = "proptest")]
pub mod proptest;
pub mod regressions;
mod replay;
mod report;
mod rerun;
mod seeds;
pub mod shrink;
#[cfg(feature = "insta")]
pub mod snapshot;
mod sweep;
mod token;
#[cfg(feature = "tracing")]
pub mod tracing;

pub use check::{Check, Outcome, check};
pub use context::{Commands, Target, TestContext};
pub use determinism::Nondeterminism;
pub use env::{Env, parse_strategy};
pub use faults::{FaultConfig, faults_in};
pub use origin::Origin;
pub use replay::{Replayed, replay, try_replay};
pub use report::{Report, TAIL_EVENTS};
pub use seeds::{DEFAULT_SEEDS, Seeds, Shard};
pub use sweep::{Failure, FailureKind, TestOutput};
pub use token::{DECISIONS_PER_BYTE, MAX_REPEAT, Token, TokenError, test_name_hash};

/// Turns an `async fn` into a `#[test]` that sweeps it with [`check`].
///
/// `#[harness::test]`, `#[harness::test(seeds = 500)]`, `#[harness::test(seeds = 10..20,
/// strategy = "fifo", max_steps = 10_000)]`. `strategy` takes a name (see [`parse_strategy`])
/// or an expression of type `sim::Strategy`. The function may return `()` or a `Result`.
///
/// ```
/// #[harness::test(seeds = 8)]
/// async fn two_tasks_add_up() {
///     let a = sim::spawn(async { 1 });
///     assert_eq!(a.await.unwrap() + 1, 2);
/// }
/// ```
pub use harness_macros::test;

#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "insta")]
    pub use insta;
}
