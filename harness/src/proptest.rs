//! proptest integration (feature `proptest`): interleavings as generated, shrinkable values.
//!
//! An [`Interleaving`] is a list of small numbers, one per scheduling decision of a run: at a
//! scheduling point with `n` runnable tasks, choice `c` runs task `c % n`; at a preemption point,
//! `c % (n + 1)` is 0 to continue or `i` to switch to runnable task `i − 1`; a tie among `of`
//! events takes `c % of`. Past the end of the list every choice is 0, which is exactly the Fifo
//! order. proptest shrinks a list by dropping elements and lowering them toward 0, so a failing
//! interleaving shrinks toward Fifo with fewer switches, *together with* the program inputs it
//! was generated with. Random values (`sim::rand`) come from the interleaving's seed.
//!
//! ```
//! use proptest::prelude::*;
//! use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
//! use std::{cell::Cell, rc::Rc};
//!
//! // A lost update needs a switch between the read and the write.
//! let program = || async {
//!     let c = Rc::new(Cell::new(0));
//!     let hs: Vec<_> = (0..2).map(|_| {
//!         let c = c.clone();
//!         sim::spawn(async move {
//!             let x = c.get();
//!             sim::task::maybe_yield().await;
//!             c.set(x + 1);
//!         })
//!     }).collect();
//!     for h in hs { h.await.unwrap(); }
//!     if c.get() == 2 { Ok(()) } else { Err(format!("lost update: {}", c.get())) }
//! };
//! let config = Config { failure_persistence: None, ..Config::default() };
//! let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
//! let err = runner
//!     .run(&harness::proptest::interleavings(), |il| harness::proptest::check(&il, program()))
//!     .unwrap_err();
//! assert!(err.to_string().contains("lost update: 1"));
//! ```

use std::fmt;
use std::future::Future;

use ::proptest::collection::vec;
use ::proptest::prelude::{Just, any, prop_oneof};
use ::proptest::strategy::Strategy as PropStrategy;
use ::proptest::test_runner::TestCaseError;
use sim::schedule::{Choice, Runnable, Scheduler};
use sim::task::TaskId;
use sim::{Sim, SimError, Strategy};

use crate::explore::Verdict;

/// How many decisions [`interleavings`] generates choices for (later ones are Fifo).
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// let mut runner = proptest::test_runner::TestRunner::deterministic();
/// let il = harness::proptest::interleavings().new_tree(&mut runner).unwrap().current();
/// assert!(il.choices.len() <= harness::proptest::DEFAULT_CHOICES);
/// ```
pub const DEFAULT_CHOICES: usize = 64;

/// A generated interleaving: the seed for random values and one choice per decision.
///
/// ```
/// use harness::proptest::Interleaving;
/// // All zeros is the Fifo order; a non-zero choice picks another option at that decision.
/// let fifo = Interleaving::default();
/// let out = harness::proptest::run(&fifo, async {
///     let a = sim::spawn(async { sim::log!("a") });
///     sim::log!("main");
///     a.await.unwrap();
/// });
/// assert!(out.is_ok());
/// assert_eq!(fifo.to_string(), "seed 0 choices []");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interleaving {
    /// Seed of the run (random values; the choices decide scheduling).
    pub seed: u64,
    /// One choice per decision, in order; missing ones are 0 (Fifo).
    pub choices: Vec<u8>,
}

impl Interleaving {
    /// The sim strategy that follows it.
    ///
    /// ```
    /// let il = harness::proptest::Interleaving { seed: 0, choices: vec![1] };
    /// assert_eq!(il.strategy().name(), "interleaving");
    /// ```
    pub fn strategy(&self) -> Strategy {
        let choices = self.choices.clone();
        Strategy::custom("interleaving", move |_seed| Follow {
            choices: choices.clone(),
            next: 0,
        })
    }

    /// A simulation that runs under it.
    ///
    /// ```
    /// let il = harness::proptest::Interleaving { seed: 3, choices: vec![1, 0, 2] };
    /// let mut sim = il.sim();
    /// assert_eq!(sim.run(async { 5 }).unwrap(), 5);
    /// ```
    pub fn sim(&self) -> Sim {
        Sim::builder()
            .seed(self.seed)
            .strategy(self.strategy())
            .build()
    }
}

impl fmt::Display for Interleaving {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seed {} choices {:?}", self.seed, self.choices)
    }
}

/// Interleavings with up to [`DEFAULT_CHOICES`] choices, about a third of them non-zero.
///
/// ```
/// use proptest::prelude::*;
/// proptest! {
///     #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]
///     fn a_join_returns_its_value(il in harness::proptest::interleavings()) {
///         let out = harness::proptest::run(&il, async { sim::spawn(async { 4 }).await.unwrap() });
///         prop_assert_eq!(out.unwrap(), 4);
///     }
/// }
/// a_join_returns_its_value();
/// ```
pub fn interleavings() -> impl PropStrategy<Value = Interleaving> {
    interleavings_of(DEFAULT_CHOICES)
}

/// Interleavings with up to `len` choices.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// let mut runner = proptest::test_runner::TestRunner::deterministic();
/// let il = harness::proptest::interleavings_of(4).new_tree(&mut runner).unwrap().current();
/// assert!(il.choices.len() <= 4);
/// ```
pub fn interleavings_of(len: usize) -> impl PropStrategy<Value = Interleaving> {
    let choice = prop_oneof![2 => Just(0u8), 1 => any::<u8>()];
    (any::<u64>(), vec(choice, 0..=len)).prop_map(|(seed, choices)| Interleaving { seed, choices })
}

/// Runs `program` under `interleaving`.
///
/// # Errors
/// The simulation's error (a panic, a deadlock, a limit).
///
/// ```
/// let il = harness::proptest::Interleaving::default();
/// let err = harness::proptest::run(&il, async {
///     sim::spawn(std::future::pending::<()>()).await.unwrap();
/// }).unwrap_err();
/// assert!(err.is_deadlock());
/// ```
pub fn run<F: Future>(interleaving: &Interleaving, program: F) -> Result<F::Output, SimError> {
    interleaving.sim().run(program)
}

/// Runs a proptest body under `interleaving` and turns a failure (a simulation error, or a
/// failing [`Verdict`] such as `Err`) into a proptest failure that names the interleaving.
///
/// # Errors
/// [`TestCaseError::Fail`] when the run failed.
///
/// ```
/// let il = harness::proptest::Interleaving { seed: 0, choices: vec![] };
/// assert!(harness::proptest::check(&il, async { true }).is_ok());
/// let failed = harness::proptest::check(&il, async { Err::<(), _>("broken") }).unwrap_err();
/// assert!(failed.to_string().contains("broken\n  under seed 0 choices []"));
/// ```
pub fn check<F>(interleaving: &Interleaving, program: F) -> Result<(), TestCaseError>
where
    F: Future,
    F::Output: Verdict,
{
    let mut sim = interleaving.sim();
    let verdict = match sim.run(program) {
        Ok(out) => out.verdict(),
        Err(e) => Err(e.to_string()),
    };
    verdict.map_err(|message| {
        TestCaseError::fail(format!(
            "{message}\n  under {interleaving} (schedule `{}`, preemptions: {})",
            sim.trace().schedule(),
            sim.trace().schedule().preemptions()
        ))
    })
}

/// Runs a proptest body under a generated interleaving: `sim_check!(il, async { .. })` is
/// `harness::proptest::check(&il, async { .. })?`, for use inside `proptest!`.
///
/// ```
/// use proptest::prelude::*;
/// use harness::proptest::interleavings;
///
/// proptest! {
///     #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]
///     fn sums_are_order_free(xs in prop::collection::vec(0u32..100, 0..5), il in interleavings()) {
///         harness::sim_check!(il, async move {
///             let hs: Vec<_> = xs.iter().map(|&x| sim::spawn(async move { x })).collect();
///             let mut sum = 0;
///             for h in hs { sum += h.await.unwrap(); }
///             if sum == xs.iter().sum::<u32>() { Ok(()) } else { Err("wrong sum") }
///         });
///     }
/// }
/// # sums_are_order_free();
/// ```
#[macro_export]
macro_rules! sim_check {
    ($interleaving:expr, $body:expr) => {
        $crate::proptest::check(&$interleaving, $body)?
    };
}

/// Follows a list of choices, then Fifo.
struct Follow {
    choices: Vec<u8>,
    next: usize,
}

impl Follow {
    fn take(&mut self, of: usize) -> usize {
        let c = self.choices.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        usize::from(c) % of.max(1)
    }
}

impl Scheduler for Follow {
    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize> {
        Ok(self.take(runnable.len()))
    }

    fn choose_preemption(&mut self, _: TaskId, runnable: Runnable<'_>) -> Choice<Option<usize>> {
        Ok(self.take(runnable.len() + 1).checked_sub(1))
    }

    fn choose_branch(&mut self, of: u32) -> Choice<u32> {
        Ok(self.take(of as usize) as u32)
    }
}
