//! Trace events.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

use super::{Decision, Instant, TaskId};

/// One thing that happened in a run, stamped with virtual time, step and acting task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    /// Polls completed before this event (the step in progress while a task runs).
    pub step: u64,
    /// Virtual time of the event.
    pub time: Instant,
    /// The task that acted, or `None` for the executor itself (timers, the clock, shutdown).
    pub task: Option<TaskId>,
    /// What happened.
    pub kind: EventKind,
}

/// What a [`TraceEvent`] records.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// The acting task spawned `child`.
    Spawn {
        /// The new task.
        child: TaskId,
    },
    /// The executor polled the acting task.
    Poll,
    /// The acting task (or the executor) made `target` runnable.
    Wake {
        /// The task woken.
        target: TaskId,
    },
    /// The acting task yielded (`yield_now`, or a preemption point that switched).
    Yield,
    /// The acting task started waiting for the clock to reach `until`.
    Sleep {
        /// The deadline.
        until: Instant,
    },
    /// A timer with this deadline fired.
    TimerFired {
        /// The timer's deadline.
        deadline: Instant,
    },
    /// Nothing was runnable: the clock jumped to the earliest deadline.
    ClockAdvanced {
        /// The new time.
        to: Instant,
    },
    /// The acting task's future returned.
    Complete,
    /// The acting task asked for `target` to be aborted.
    AbortRequested {
        /// The task to abort.
        target: TaskId,
    },
    /// The acting task's future was dropped because it was aborted.
    Aborted,
    /// The acting task panicked.
    Panicked {
        /// The panic message.
        message: String,
    },
    /// The strategy took a decision.
    Decision(Decision),
    /// A line from [`crate::log!`].
    Log(String),
    /// The run ended (main returned, or the run failed) while the acting task was unfinished:
    /// its future was dropped.
    Leftover,
    /// The acting task started an operation of a `sim` primitive (its first poll, the
    /// preemption point): `op` (e.g. `"Mutex::lock"`) on the primitive called `name` (if it has
    /// one), awaited at `site`. Recorded at
    /// [`TraceLevel::Full`](super::TraceLevel::Full) only.
    Op {
        /// The operation.
        op: &'static str,
        /// The primitive's name (`Mutex::named` and the like).
        name: Option<Arc<str>>,
        /// Where the future was created.
        site: &'static Location<'static>,
    },
    /// The acting task has to wait in `op` on the resource called `name` (if it has one),
    /// awaited at `site`: what a deadlock report would say it waits on.
    Wait {
        /// The operation.
        op: &'static str,
        /// The primitive's name (`Mutex::named` and the like).
        name: Option<Arc<str>>,
        /// Where the future was created.
        site: &'static Location<'static>,
    },
    /// The acting task signalled a primitive without waiting (`notify_one`, `Event::set`, an
    /// unbounded send...): `op` on `name`, called at `site`.
    Signal {
        /// The operation.
        op: &'static str,
        /// The primitive's name.
        name: Option<Arc<str>>,
        /// Where it was called.
        site: &'static Location<'static>,
    },
    /// The acting task did CPU-bound work ([`crate::task::block_for`]): the clock moved by
    /// `duration` while nothing else could run.
    Blocked {
        /// How long it held the executor.
        duration: std::time::Duration,
    },
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::Spawn { child } => write!(f, "spawn {child}"),
            EventKind::Poll => f.write_str("poll"),
            EventKind::Wake { target } => write!(f, "wake {target}"),
            EventKind::Yield => f.write_str("yield"),
            EventKind::Sleep { until } => write!(f, "sleep until t={until}"),
            EventKind::TimerFired { deadline } => write!(f, "timer fired (deadline t={deadline})"),
            EventKind::ClockAdvanced { to } => write!(f, "clock advances to t={to}"),
            EventKind::Complete => f.write_str("complete"),
            EventKind::AbortRequested { target } => write!(f, "abort {target}"),
            EventKind::Aborted => f.write_str("aborted (future dropped)"),
            EventKind::Panicked { message } => write!(f, "panicked: {message}"),
            EventKind::Decision(d) => write!(f, "decide {d}"),
            EventKind::Log(s) => write!(f, "log: {s}"),
            EventKind::Leftover => f.write_str("dropped unfinished at the end of the run"),
            EventKind::Op { op, name, site } => {
                f.write_str(op)?;
                if let Some(n) = name {
                    write!(f, " on `{n}`")?;
                }
                write!(f, " at {}:{}", site.file(), site.line())
            }
            EventKind::Wait { op, name, site } => {
                write!(f, "waits on {op}")?;
                if let Some(n) = name {
                    write!(f, " on `{n}`")?;
                }
                write!(f, " at {}:{}", site.file(), site.line())
            }
            EventKind::Signal { op, name, site } => {
                f.write_str(op)?;
                if let Some(n) = name {
                    write!(f, " on `{n}`")?;
                }
                write!(f, " at {}:{}", site.file(), site.line())
            }
            EventKind::Blocked { duration } => {
                write!(
                    f,
                    "blocked the executor for {}",
                    Instant::from_nanos(duration.as_nanos() as u64)
                )
            }
        }
    }
}
