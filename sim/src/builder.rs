//! Configuring a simulation.

use std::sync::Arc;
use std::time::Duration;

use crate::Sim;
use crate::model::{Beacon, RunOptions, TraceLevel};
use crate::schedule::Strategy;

#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) seed: u64,
    pub(crate) strategy: Strategy,
    pub(crate) level: TraceLevel,
    pub(crate) options: RunOptions,
    /// Written before every poll for watchers on other threads; never read by the run.
    pub(crate) beacon: Option<Arc<Beacon>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 0,
            strategy: Strategy::random(),
            level: TraceLevel::Full,
            options: RunOptions::default(),
            beacon: None,
        }
    }
}

/// Builds a [`Sim`]. Every setting has a default: seed 0, [`Strategy::random`], a step limit of
/// [`DEFAULT_MAX_STEPS`](crate::DEFAULT_MAX_STEPS), no virtual-time limit, the full trace, unobserved panics fail the run,
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
        self.config.options.max_steps = steps;
        self
    }

    /// Fail with [`crate::SimError::is_time_limit`] rather than let the clock pass `limit`.
    pub fn max_time(mut self, limit: Duration) -> Self {
        self.config.options.max_time = Some(limit);
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
        self.config.options.fail_on_unobserved_panic = yes;
        self
    }

    /// Whether tasks still alive when main returns fail the run (default `false`: they are
    /// dropped and listed in the trace).
    pub fn fail_on_leftover_tasks(mut self, yes: bool) -> Self {
        self.config.options.fail_on_leftover_tasks = yes;
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
        self.config.options.max_poll_time = Some(limit);
        self
    }

    /// Every limit and policy at once (replacing those set before): what a test harness stores
    /// and a replay token carries.
    ///
    /// ```
    /// let options = sim::RunOptions::default().max_steps(10);
    /// let mut sim = sim::Sim::builder().options(options).build();
    /// let err = sim.run(async { loop { sim::task::yield_now().await } }).unwrap_err();
    /// assert!(err.is_step_limit());
    /// ```
    pub fn options(mut self, options: RunOptions) -> Self {
        self.config.options = options;
        self
    }

    /// Publish each run's progress (the task being polled, the step, the virtual time) into
    /// `beacon`, for a watchdog on another thread: see [`Beacon`]. It changes nothing in the run.
    ///
    /// ```
    /// let beacon = std::sync::Arc::new(sim::Beacon::default());
    /// let mut sim = sim::Sim::builder().beacon(beacon.clone()).build();
    /// sim.run(async {}).unwrap();
    /// assert_eq!(beacon.read().unwrap().step, 1);
    /// ```
    pub fn beacon(mut self, beacon: Arc<Beacon>) -> Self {
        self.config.beacon = Some(beacon);
        self
    }

    /// The configured simulation.
    pub fn build(self) -> Sim {
        Sim::from_config(self.config)
    }
}
