//! One execution of a test body, and what counts as its failure.

use std::fmt::Debug;
use std::future::Future;

use sim::task::{TaskId, TaskInfo};
use sim::time::Instant;
use sim::trace::{EventKind, TraceEvent};
use sim::{RunOptions, Sim, SimError, SimErrorKind, Strategy, Trace, TraceLevel};

/// What a test body may return: `()` or a `Result` whose `Err` fails the run.
///
/// ```
/// use harness::TestOutput;
/// assert_eq!(().into_test_result(), Ok(()));
/// assert_eq!(Ok::<u8, &str>(1).into_test_result(), Ok(()));
/// assert_eq!(Err::<u8, &str>("no").into_test_result(), Err("\"no\"".to_string()));
/// ```
pub trait TestOutput {
    /// `Err(description)` when the body failed.
    ///
    /// # Errors
    /// The body's error, as `Debug` text.
    fn into_test_result(self) -> Result<(), String>;
}

impl TestOutput for () {
    fn into_test_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<T, E: Debug> TestOutput for Result<T, E> {
    fn into_test_result(self) -> Result<(), String> {
        self.map(drop).map_err(|e| format!("{e:?}"))
    }
}

/// The kind of a failure: the executor's own [`SimErrorKind`], unchanged, or an `Err` from the
/// test body. Two failures are "the same" when kind and message agree.
///
/// ```
/// use harness::FailureKind;
/// use sim::SimErrorKind;
/// let outcome = harness::Check::new().seeds(1).no_regressions().explore(|| async {
///     sim::spawn(std::future::pending::<()>()).await.unwrap();
/// });
/// let kind = outcome.report.unwrap().failure.kind;
/// assert_eq!(kind, FailureKind::Sim(SimErrorKind::Deadlock));
/// assert_eq!(kind.sim_kind(), Some(SimErrorKind::Deadlock));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The executor stopped the run (a panic, a deadlock, a limit, a divergence, ...): the kind
    /// it reported, as it reported it.
    Sim(SimErrorKind),
    /// The test body returned `Err`.
    Error,
}

impl FailureKind {
    /// The executor's kind, unless the body returned `Err`.
    ///
    /// ```
    /// assert_eq!(harness::FailureKind::Error.sim_kind(), None);
    /// let kind = harness::FailureKind::from(sim::SimErrorKind::Deadlock);
    /// assert_eq!(kind.sim_kind(), Some(sim::SimErrorKind::Deadlock));
    /// ```
    pub fn sim_kind(self) -> Option<SimErrorKind> {
        match self {
            FailureKind::Sim(k) => Some(k),
            FailureKind::Error => None,
        }
    }

    /// A replayed schedule no longer fits the program.
    ///
    /// ```
    /// assert!(harness::FailureKind::from(sim::SimErrorKind::Diverged).is_diverged());
    /// assert!(!harness::FailureKind::Error.is_diverged());
    /// ```
    pub fn is_diverged(self) -> bool {
        self == FailureKind::Sim(SimErrorKind::Diverged)
    }
}

impl From<SimErrorKind> for FailureKind {
    fn from(kind: SimErrorKind) -> Self {
        FailureKind::Sim(kind)
    }
}

/// One failed run: what, where, when.
///
/// ```
/// use std::time::Duration;
/// let outcome = harness::Check::new().seeds(1).no_regressions().explore(|| async {
///     sim::time::sleep(Duration::from_secs(2)).await;
///     Err::<(), _>("too late")
/// });
/// let failure = outcome.report.unwrap().failure;
/// assert_eq!(failure.kind, harness::FailureKind::Error);
/// assert_eq!(failure.message, "\"too late\"");
/// assert_eq!(failure.time, sim::time::Instant::ZERO + Duration::from_secs(2));
/// assert_eq!(failure.task.unwrap().id, sim::task::TaskId::MAIN);
/// ```
#[derive(Clone, Debug)]
pub struct Failure {
    /// The kind of failure.
    pub kind: FailureKind,
    /// The panic message or error text (empty for deadlocks and limits): with `kind`, what
    /// "failing the same way" compares.
    pub message: String,
    /// The executor's full description (headline, blocked tasks, `help:`).
    pub description: String,
    /// Virtual time of the failure.
    pub time: Instant,
    /// Step (task polls) of the failure.
    pub step: u64,
    /// The task the failure happened in, when known.
    pub task: Option<TaskInfo>,
    /// The task the failure started in, when known: for a panic of main that unwrapped a
    /// task's `JoinError`, that task ([`sim::SimError::cause`]).
    pub cause: Option<TaskInfo>,
}

impl Failure {
    /// True when `other` is the same kind of failure with the same message.
    ///
    /// ```
    /// let fail = |n: u64| {
    ///     let outcome = harness::Check::new().seeds(1).no_regressions()
    ///         .explore(move || async move { Err::<(), _>(format!("counter is {n}")) });
    ///     outcome.report.unwrap().failure
    /// };
    /// assert!(fail(3).same_as(&fail(3)));
    /// assert!(!fail(3).same_as(&fail(4)));
    /// ```
    pub fn same_as(&self, other: &Failure) -> bool {
        self.kind == other.kind && self.message == other.message
    }

    /// True when `other` is the same kind of failure with the same message up to the numbers
    /// in it: the same broken invariant, seen with other values. What shrinking keeps: the
    /// fewest-preemption schedule of a lost update may lose a different count
    /// (`"read 2"` and `"read 8"` are the same bug), while a different assertion is not.
    ///
    /// ```
    /// let outcome = harness::Check::new().seeds(1).no_regressions().explore(|| async {
    ///     Err::<(), _>("counter is 3, expected 4")
    /// });
    /// let found = outcome.report.unwrap().failure;
    /// let mut failure = found.clone();
    /// failure.message = found.message.replace("3", "1").replace("4", "42");
    /// assert!(failure.same_bug_as(&found) && !failure.same_as(&found));
    /// failure.message = found.message.replace(", expected 4", " after a reset");
    /// assert!(!failure.same_bug_as(&found));
    /// ```
    pub fn same_bug_as(&self, other: &Failure) -> bool {
        self.kind == other.kind && numbers_hidden(&self.message) == numbers_hidden(&other.message)
    }

    fn from_sim_error(e: &SimError) -> Failure {
        // What identifies a failure across schedules: the panic's message; nothing more for a
        // deadlock or a limit (their headlines hold the time and step, which shrinking moves);
        // the headline for the rest.
        let message = match e.kind() {
            SimErrorKind::MainPanicked | SimErrorKind::UnobservedPanic => {
                e.panic_message().unwrap_or_default().to_string()
            }
            SimErrorKind::Deadlock
            | SimErrorKind::StepLimit
            | SimErrorKind::TimeLimit
            | SimErrorKind::LeftoverTasks => String::new(),
            _ => e.headline().to_string(),
        };
        let kind = FailureKind::Sim(e.kind());
        Failure {
            kind,
            message,
            description: e.to_string(),
            time: e.time(),
            step: e.step(),
            task: e.task().cloned(),
            cause: e.cause().cloned(),
        }
    }

    fn from_error(text: String, trace: &Trace) -> Failure {
        let stats = trace.stats();
        Failure {
            kind: FailureKind::Error,
            description: format!(
                "the test body returned an error at t={} (step {}): {text}",
                stats.end_time, stats.steps
            ),
            message: text,
            time: stats.end_time,
            step: stats.steps,
            task: trace.task(TaskId::MAIN).cloned(),
            cause: None,
        }
    }

    /// For a panic of main caused by a panic in a task it awaited: that task's panic, from a
    /// full trace. The executor names the task ([`Failure::cause`]); panics that were caught
    /// and handled earlier are not it.
    pub(crate) fn origin<'t>(&self, trace: &'t Trace) -> Option<&'t TraceEvent> {
        if self.kind != FailureKind::Sim(SimErrorKind::MainPanicked) {
            return None;
        }
        let cause = self.cause.as_ref().map(|c| c.id)?;
        if cause == TaskId::MAIN {
            return None;
        }
        trace
            .events()
            .iter()
            .find(|e| matches!(e.kind, EventKind::Panicked { .. }) && e.task == Some(cause))
    }
}

/// `text` with every run of digits replaced by `#`.
fn numbers_hidden(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_number = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

/// A finished run: its failure, if any, and its trace.
pub(crate) struct RunResult {
    pub(crate) failure: Option<Failure>,
    pub(crate) trace: Trace,
}

/// Runs `body` once with `seed`, `strategy` and `options`, recording at `level`. Under a hang
/// guard ([`crate::hang`]) the run publishes its progress for the watchdog.
pub(crate) fn run_once<F, Fut>(
    options: &RunOptions,
    seed: u64,
    strategy: Strategy,
    level: TraceLevel,
    body: &F,
) -> RunResult
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    let watch = crate::hang::watch_run(seed, &strategy);
    let mut sim = build(options, seed, strategy, level, watch.as_ref());
    let failure = run_on(&mut sim, body);
    drop(watch);
    RunResult {
        failure,
        trace: sim.take_trace(),
    }
}

fn build(
    options: &RunOptions,
    seed: u64,
    strategy: Strategy,
    level: TraceLevel,
    watch: Option<&crate::hang::RunWatch>,
) -> Sim {
    let mut builder = Sim::builder()
        .seed(seed)
        .strategy(strategy)
        .trace_level(level)
        .options(options.clone());
    if let Some(w) = watch {
        builder = builder.beacon(w.beacon());
    }
    builder.build()
}

/// Runs `body` once on `sim`, which keeps the trace; returns the run's failure, if any.
fn run_on<F, Fut>(sim: &mut Sim, body: &F) -> Option<Failure>
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    match sim.run(body()) {
        Ok(out) => match out.into_test_result() {
            Ok(()) => None,
            Err(text) => Some(Failure::from_error(text, sim.trace())),
        },
        Err(e) => Some(Failure::from_sim_error(&e)),
    }
}

/// The runs of a seed sweep, on one [`Sim`] for every seed: a run's trace stays in it until the
/// next run, whose trace reuses its buffers (a `Sim` built and dropped per seed, its trace moved
/// out and back, cost a sweep of short runs a tenth of its time). A run under a hang guard gets
/// a `Sim` of its own, built with the watchdog's beacon.
pub(crate) struct Sweep {
    sim: Sim,
    /// The last run's, when it ran under a hang guard.
    watched: Option<Sim>,
    options: RunOptions,
    level: TraceLevel,
}

impl Sweep {
    /// Runs with `options` and `strategy`, recording at `level`.
    pub(crate) fn new(options: &RunOptions, strategy: Strategy, level: TraceLevel) -> Sweep {
        Sweep {
            sim: build(options, 0, strategy, level, None),
            watched: None,
            options: options.clone(),
            level,
        }
    }

    /// Runs `body` with `seed`: its failure, if any ([`Sweep::trace`] has its trace).
    pub(crate) fn run<F, Fut>(&mut self, seed: u64, body: &F) -> Option<Failure>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestOutput,
    {
        self.watched = None;
        let strategy = self.sim.strategy();
        match crate::hang::watch_run(seed, strategy) {
            None => {
                self.sim.set_seed(seed);
                run_on(&mut self.sim, body)
            }
            Some(watch) => {
                let strategy = strategy.clone();
                let sim = self.watched.insert(build(
                    &self.options,
                    seed,
                    strategy,
                    self.level,
                    Some(&watch),
                ));
                run_on(sim, body)
            }
        }
    }

    /// The trace of the last run.
    pub(crate) fn trace(&self) -> &Trace {
        self.watched.as_ref().unwrap_or(&self.sim).trace()
    }
}
