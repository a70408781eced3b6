//! Configuring a simulation.

use std::sync::Arc;
use std::time::Duration;

use crate::Sim;
use crate::model::{
    Beacon, DEFAULT_KEPT_EVENTS, DEFAULT_SCHEDULE_BYTES, RunOptions, Sink, TraceLevel,
};
use crate::schedule::Strategy;

/// A trace sink, shown by name only.
#[derive(Clone)]
pub(crate) struct SinkBox(pub(crate) Sink);

impl std::fmt::Debug for SinkBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sink")
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) seed: u64,
    pub(crate) strategy: Strategy,
    pub(crate) level: TraceLevel,
    pub(crate) schedule_budget: usize,
    pub(crate) keep_events: usize,
    pub(crate) sink: Option<SinkBox>,
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
            schedule_budget: DEFAULT_SCHEDULE_BYTES,
            keep_events: DEFAULT_KEPT_EVENTS,
            sink: None,
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

    /// How many bytes of encoded decisions a run keeps (default
    /// [`DEFAULT_SCHEDULE_BYTES`](crate::schedule::DEFAULT_SCHEDULE_BYTES), 16 MiB). A random
    /// decision takes two to four bytes, a run of equal ones a few bytes in all. Past the
    /// budget the run counts its decisions instead of keeping them
    /// ([`Schedule::omitted`](crate::schedule::Schedule::omitted)), so its memory stays bounded
    /// however long it runs; its seed and strategy still reproduce it whole. It changes nothing
    /// in the run itself.
    ///
    /// ```
    /// let mut sim = sim::Sim::builder().max_schedule_bytes(16).build();
    /// sim.run(async {
    ///     for _ in 0..100 { sim::rand::range(0..1000u64); }
    /// }).unwrap();
    /// let schedule = sim.trace().schedule();
    /// assert!(schedule.len() < 100 && schedule.omitted() > 0);
    /// assert_eq!(schedule.len() as u64 + schedule.omitted(), 100);
    /// ```
    pub fn max_schedule_bytes(mut self, bytes: usize) -> Self {
        self.config.schedule_budget = bytes;
        self
    }

    /// How many events a run at [`TraceLevel::Full`] keeps: the most recent ones (default
    /// [`DEFAULT_KEPT_EVENTS`](crate::trace::DEFAULT_KEPT_EVENTS)). Older events are counted
    /// ([`Trace::dropped_events`](crate::Trace::dropped_events)), so a run's memory stays
    /// bounded however long it runs. It changes nothing in the run itself.
    pub fn keep_events(mut self, events: usize) -> Self {
        self.config.keep_events = events;
        self
    }

    /// Sends every event of each run at [`TraceLevel::Full`] to `sink` as its text line (the
    /// line [`Trace`](crate::Trace)'s `Display` prints), as it happens: the whole trace of a
    /// run of any length, in bounded memory (print it, write it to a file, count it). It
    /// changes nothing in the run itself.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// let lines = Rc::new(RefCell::new(Vec::new()));
    /// let l = lines.clone();
    /// let mut sim = sim::Sim::builder()
    ///     .keep_events(2)
    ///     .trace_sink(move |line| l.borrow_mut().push(line.to_string()))
    ///     .build();
    /// sim.run(async { sim::log!("hello"); sim::task::yield_now().await }).unwrap();
    /// let lines = lines.borrow();
    /// assert!(lines.len() > 2);
    /// assert_eq!(lines[1], "t=0s step=1 main#0: log: hello");
    /// assert_eq!(sim.trace().events().len(), 2);
    /// ```
    pub fn trace_sink(mut self, sink: impl FnMut(&str) + 'static) -> Self {
        self.config.sink = Some(SinkBox(std::rc::Rc::new(std::cell::RefCell::new(sink))));
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
