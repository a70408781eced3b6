//! One execution of a test body, and what counts as its failure.

use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use sim::task::{TaskId, TaskInfo};
use sim::time::Instant;
use sim::trace::{EventKind, TraceEvent};
use sim::{DEFAULT_MAX_STEPS, Sim, SimError, SimErrorKind, Strategy, Trace, TraceLevel};

/// What a test body may return: `()` or a `Result` whose `Err` fails the run.
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

/// The limits and options every run of a check shares (and a replay token carries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) max_steps: u64,
    /// Nanoseconds; `None` = no limit.
    pub(crate) max_time: Option<u64>,
    pub(crate) fail_on_leftover_tasks: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: DEFAULT_MAX_STEPS,
            max_time: None,
            fail_on_leftover_tasks: false,
        }
    }
}

impl Limits {
    pub(crate) fn sim(&self, seed: u64, strategy: Strategy, level: TraceLevel) -> Sim {
        let mut b = Sim::builder()
            .seed(seed)
            .strategy(strategy)
            .max_steps(self.max_steps)
            .trace_level(level)
            .fail_on_leftover_tasks(self.fail_on_leftover_tasks);
        if let Some(ns) = self.max_time {
            b = b.max_time(Duration::from_nanos(ns));
        }
        b.build()
    }
}

/// The kind of a failure; two failures are "the same" when kind and message agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// Main panicked (possibly by unwrapping the `JoinError` of a task that panicked).
    Panic,
    /// A spawned task panicked and nobody awaited it.
    UnobservedPanic,
    /// The body returned `Err`.
    Error,
    /// No task could run and main had not returned.
    Deadlock,
    /// The step limit was reached (a spin loop?).
    StepLimit,
    /// The virtual-time limit was reached.
    TimeLimit,
    /// A replayed schedule no longer fits the program.
    Diverged,
    /// Tasks were left running when main returned (with `fail_on_leftover_tasks`).
    LeftoverTasks,
    /// Anything else the executor reports.
    Other,
}

impl FailureKind {
    fn of(e: &SimError) -> FailureKind {
        match e.kind() {
            SimErrorKind::MainPanicked => FailureKind::Panic,
            SimErrorKind::UnobservedPanic => FailureKind::UnobservedPanic,
            SimErrorKind::Deadlock => FailureKind::Deadlock,
            SimErrorKind::StepLimit => FailureKind::StepLimit,
            SimErrorKind::TimeLimit => FailureKind::TimeLimit,
            SimErrorKind::Diverged => FailureKind::Diverged,
            SimErrorKind::LeftoverTasks => FailureKind::LeftoverTasks,
            _ => FailureKind::Other,
        }
    }
}

/// One failed run: what, where, when.
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
    pub fn same_as(&self, other: &Failure) -> bool {
        self.kind == other.kind && self.message == other.message
    }

    fn from_sim_error(e: &SimError) -> Failure {
        let kind = FailureKind::of(e);
        let message = match kind {
            FailureKind::Panic | FailureKind::UnobservedPanic => {
                e.panic_message().unwrap_or_default().to_string()
            }
            FailureKind::Diverged | FailureKind::Other => e.headline().to_string(),
            _ => String::new(),
        };
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
        if self.kind != FailureKind::Panic {
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

/// A finished run: its failure, if any, and its trace.
pub(crate) struct RunResult {
    pub(crate) failure: Option<Failure>,
    pub(crate) trace: Trace,
}

/// Runs `body` once under `sim`.
pub(crate) fn run_once<F, Fut>(mut sim: Sim, body: &F) -> RunResult
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    let result = sim.run(body());
    let trace = sim.take_trace();
    let failure = match result {
        Ok(out) => match out.into_test_result() {
            Ok(()) => None,
            Err(text) => Some(Failure::from_error(text, &trace)),
        },
        Err(e) => Some(Failure::from_sim_error(&e)),
    };
    RunResult { failure, trace }
}
