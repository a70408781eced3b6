//! Why a run failed.

use std::fmt;

use super::{Instant, Panic, TaskId, TaskInfo};

/// What kind of failure a [`SimError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SimErrorKind {
    /// No task could run, no timer was pending, and main had not returned.
    Deadlock,
    /// The run took more steps (task polls, and awaits that could complete at once) than its
    /// step limit.
    StepLimit,
    /// The clock would have passed the virtual-time limit.
    TimeLimit,
    /// The main future panicked.
    MainPanicked,
    /// A spawned task panicked and nobody awaited its `JoinHandle`.
    UnobservedPanic,
    /// `Sim::run` was called inside a running simulation.
    NestedRun,
    /// A replayed schedule did not fit the program.
    Diverged,
    /// A simulated task's waker was woken from another thread.
    ForeignWake,
    /// Tasks were still running when main returned, and the run was configured to fail then.
    LeftoverTasks,
    /// One poll of a task spent more than the configured CPU budget in `block_for`.
    Starvation,
}

/// A task that could not make progress when a deadlock was found.
#[derive(Clone, Debug)]
pub struct BlockedTask {
    /// The task.
    pub task: TaskInfo,
    /// What it waits on, one entry per pending `sim` operation (e.g. `sleep forever`,
    /// `JoinHandle of worker#2`, `Mutex::lock on \`db\` at src/db.rs:40`).
    pub waits: Vec<String>,
}

/// A failed run: what happened, when (virtual time and step), in which task, and what to do.
///
/// Its `Display` is a report in rustc's voice: a headline, the details, and a `help:` line.
///
/// # What no error can catch
///
/// Every limit is checked between polls. A task that computes forever without reaching an
/// `.await` (`loop {}`, a busy-wait on an atomic, a blocking call on a real lock or socket)
/// never returns to the executor, and a single-threaded executor cannot take the thread back:
/// the run never ends and no `SimError` is made. Loops that give the thread back at an await
/// are bounded by the step and time limits ([`SimErrorKind::StepLimit`],
/// [`SimErrorKind::TimeLimit`]); CPU-bound work simulated with
/// [`crate::task::block_for`] is caught by `max_poll_time` ([`SimErrorKind::Starvation`]). For
/// the rest, a watchdog on another thread can read a [`crate::Beacon`] and report where the run
/// is stuck: the harness's `SEEDLOOP_HANG_SECS` does, and ends the process with that report.
///
/// ```
/// let mut sim = sim::Sim::new(7);
/// let err = sim.run(async {
///     let (tx, rx) = (std::rc::Rc::new(()), ());
///     let never = sim::spawn(std::future::pending::<()>());
///     let _ = (tx, rx);
///     never.await.unwrap();
/// }).unwrap_err();
/// assert!(err.is_deadlock());
/// assert_eq!(err.blocked().len(), 2);
/// assert!(err.to_string().contains("JoinHandle of task#1"));
/// ```
pub struct SimError {
    repr: Box<Repr>,
}

pub(crate) struct Repr {
    pub(crate) kind: SimErrorKind,
    pub(crate) time: Instant,
    pub(crate) step: u64,
    pub(crate) headline: String,
    pub(crate) details: Vec<String>,
    pub(crate) help: Option<String>,
    pub(crate) task: Option<TaskInfo>,
    pub(crate) cause: Option<TaskInfo>,
    pub(crate) panic: Option<Panic>,
    pub(crate) panic_message: Option<String>,
    pub(crate) blocked: Vec<BlockedTask>,
}

impl SimError {
    pub(crate) fn new(kind: SimErrorKind, time: Instant, step: u64, headline: String) -> Self {
        SimError {
            repr: Box::new(Repr {
                kind,
                time,
                step,
                headline,
                details: Vec::new(),
                help: None,
                task: None,
                cause: None,
                panic: None,
                panic_message: None,
                blocked: Vec::new(),
            }),
        }
    }

    pub(crate) fn repr_mut(&mut self) -> &mut Repr {
        &mut self.repr
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.repr.help = Some(help.into());
        self
    }

    pub(crate) fn with_detail(mut self, line: impl Into<String>) -> Self {
        self.repr.details.push(line.into());
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> SimErrorKind {
        self.repr.kind
    }

    /// A deadlock: see [`SimError::blocked`].
    pub fn is_deadlock(&self) -> bool {
        self.kind() == SimErrorKind::Deadlock
    }

    /// The step limit was reached.
    pub fn is_step_limit(&self) -> bool {
        self.kind() == SimErrorKind::StepLimit
    }

    /// The virtual-time limit was reached.
    pub fn is_time_limit(&self) -> bool {
        self.kind() == SimErrorKind::TimeLimit
    }

    /// Main panicked or a task panicked unobserved.
    pub fn is_panic(&self) -> bool {
        matches!(
            self.kind(),
            SimErrorKind::MainPanicked | SimErrorKind::UnobservedPanic
        )
    }

    /// Main panicked.
    pub fn is_main_panic(&self) -> bool {
        self.kind() == SimErrorKind::MainPanicked
    }

    /// A spawned task panicked and nobody awaited it.
    pub fn is_unobserved_panic(&self) -> bool {
        self.kind() == SimErrorKind::UnobservedPanic
    }

    /// `Sim::run` was called inside a simulation.
    pub fn is_nested_run(&self) -> bool {
        self.kind() == SimErrorKind::NestedRun
    }

    /// A replayed schedule stopped matching the program.
    pub fn is_diverged(&self) -> bool {
        self.kind() == SimErrorKind::Diverged
    }

    /// A waker was woken from another thread.
    pub fn is_foreign_wake(&self) -> bool {
        self.kind() == SimErrorKind::ForeignWake
    }

    /// Tasks were left running when main returned (only with `fail_on_leftover_tasks`).
    pub fn is_leftover_tasks(&self) -> bool {
        self.kind() == SimErrorKind::LeftoverTasks
    }

    /// A task held the executor longer than `max_poll_time` in one poll.
    pub fn is_starvation(&self) -> bool {
        self.kind() == SimErrorKind::Starvation
    }

    /// Virtual time of the failure.
    pub fn time(&self) -> Instant {
        self.repr.time
    }

    /// Step (task polls so far) of the failure.
    pub fn step(&self) -> u64 {
        self.repr.step
    }

    /// The task the failure happened in, when there is one.
    pub fn task(&self) -> Option<&TaskInfo> {
        self.repr.task.as_ref()
    }

    /// The task that caused the failure, when there is one: for a panic of main that unwrapped
    /// (or re-raised) the [`JoinError`](crate::JoinError) of a task that panicked, that task
    /// (and, if it had itself unwrapped another's, the first of the chain); otherwise the same
    /// as [`SimError::task`]. Earlier panics that were caught and handled are not causes.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// let err = sim.run(async {
    ///     let handled = sim::spawn_named("a", async { panic!("first") });
    ///     assert!(handled.await.is_err()); // caught and handled
    ///     let fatal = sim::spawn_named("b", async { panic!("second") });
    ///     fatal.await.unwrap();
    /// }).unwrap_err();
    /// assert_eq!(err.task().unwrap().label(), "main#0");
    /// assert_eq!(err.cause().unwrap().label(), "b#2");
    /// ```
    pub fn cause(&self) -> Option<&TaskInfo> {
        self.repr.cause.as_ref()
    }

    /// The panic message, for panics.
    pub fn panic_message(&self) -> Option<&str> {
        self.repr.panic_message.as_deref()
    }

    /// Where the panic happened (`file:line:col`), for panics.
    pub fn panic_location(&self) -> Option<&str> {
        self.repr.panic.as_ref().and_then(Panic::location)
    }

    /// The caught panic of main, to re-raise with [`std::panic::resume_unwind`].
    pub fn into_panic(self) -> Option<Box<dyn std::any::Any + Send>> {
        self.repr.panic.map(Panic::into_payload)
    }

    /// Blocked tasks, for deadlocks (main included), in id order.
    pub fn blocked(&self) -> &[BlockedTask] {
        &self.repr.blocked
    }

    /// The one-line summary (the report's first line without `error: `).
    pub fn headline(&self) -> &str {
        &self.repr.headline
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.repr;
        write!(f, "{}", r.headline)?;
        for d in &r.details {
            write!(f, "\n  {d}")?;
        }
        for b in &r.blocked {
            let site = if b.task.id == TaskId::MAIN {
                "the future given to Sim::run".to_string()
            } else {
                format!(
                    "spawned at {}:{}",
                    b.task.spawned_at.file(),
                    b.task.spawned_at.line()
                )
            };
            let waits = if b.waits.is_empty() {
                "waits on something outside seedloop (a future that returned Pending without \
                 registering with a sim primitive)"
                    .to_string()
            } else {
                format!("waits on {}", b.waits.join(" and "))
            };
            write!(f, "\n  task {} ({site}) {waits}", b.task)?;
        }
        if let Some(h) = &r.help {
            write!(f, "\nhelp: {h}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SimError {{ {self} }}")
    }
}

impl std::error::Error for SimError {}
