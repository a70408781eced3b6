//! Configuring a simulation.

use std::time::Duration;

use crate::Sim;
use crate::schedule::Strategy;
use crate::trace::TraceLevel;

/// Default cap on task polls per run: high enough for real programs, low enough that a spin loop
/// is reported in well under a second.
pub const DEFAULT_MAX_STEPS: u64 = 10_000_000;

#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) seed: u64,
    pub(crate) strategy: Strategy,
    pub(crate) max_steps: u64,
    /// Nanoseconds.
    pub(crate) max_time: u64,
    pub(crate) level: TraceLevel,
    pub(crate) fail_on_unobserved_panic: bool,
    pub(crate) fail_on_leftover_tasks: bool,
    /// Nanoseconds of `block_for` one poll may spend; `u64::MAX` for no limit.
    pub(crate) max_poll_time: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 0,
            strategy: Strategy::random(),
            max_steps: DEFAULT_MAX_STEPS,
            max_time: u64::MAX - 1,
            level: TraceLevel::Full,
            fail_on_unobserved_panic: true,
            fail_on_leftover_tasks: false,
            max_poll_time: u64::MAX,
        }
    }
}

/// Builds a [`Sim`]. Every setting has a default: seed 0, [`Strategy::random`], a step limit of
/// [`DEFAULT_MAX_STEPS`], no virtual-time limit, the full trace, unobserved panics fail the run,
/// leftover tasks do not.
///
/// ```
/// use std::time::Duration;
/// use sim::{Sim, Strategy, TraceLevel};
///
/// let mut sim = Sim::builder()
///     .seed(42)
///     .strategy(Strategy::fifo())
///     .max_steps(1_000)
///     .max_time(Duration::from_secs(60))
///     .trace_level(TraceLevel::Decisions)
///     .build();
/// let err = sim.run(async { sim::time::sleep(Duration::from_secs(61)).await }).unwrap_err();
/// assert!(err.is_time_limit());
/// ```
#[derive(Clone, Debug, Default)]
pub struct SimBuilder {
    config: Config,
}

impl SimBuilder {
    /// The seed every random choice derives from.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// The scheduling strategy.
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.config.strategy = strategy;
        self
    }

    /// Fail with [`crate::SimError::is_step_limit`] after this many task polls.
    pub fn max_steps(mut self, steps: u64) -> Self {
        self.config.max_steps = steps;
        self
    }

    /// Fail with [`crate::SimError::is_time_limit`] rather than let the clock pass `limit`.
    pub fn max_time(mut self, limit: Duration) -> Self {
        self.config.max_time = u64::try_from(limit.as_nanos())
            .unwrap_or(u64::MAX - 1)
            .min(u64::MAX - 1);
        self
    }

    /// How much to record.
    pub fn trace_level(mut self, level: TraceLevel) -> Self {
        self.config.level = level;
        self
    }

    /// Whether a task panic that nobody awaited fails the run (default `true`; asyncio calls it
    /// "exception was never retrieved").
    pub fn fail_on_unobserved_panic(mut self, yes: bool) -> Self {
        self.config.fail_on_unobserved_panic = yes;
        self
    }

    /// Whether tasks still alive when main returns fail the run (default `false`: they are
    /// dropped and listed in the trace).
    pub fn fail_on_leftover_tasks(mut self, yes: bool) -> Self {
        self.config.fail_on_leftover_tasks = yes;
        self
    }

    /// Fail with [`crate::SimError::is_starvation`] when one poll of a task spends more than
    /// `limit` in [`crate::task::block_for`] (CPU-bound work that holds the executor, starving
    /// every other task). Off by default.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut sim = sim::Sim::builder().max_poll_time(Duration::from_millis(100)).build();
    /// let err = sim.run(async {
    ///     sim::task::block_for(Duration::from_secs(2)); // a long computation, no await
    /// }).unwrap_err();
    /// assert!(err.is_starvation());
    /// ```
    pub fn max_poll_time(mut self, limit: Duration) -> Self {
        self.config.max_poll_time = u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX);
        self
    }

    /// The configured simulation.
    pub fn build(self) -> Sim {
        Sim::from_config(self.config)
    }
}
