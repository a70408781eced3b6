//! The model: the plain values a run is described by, and nothing that runs.
//!
//! Task ids and what is known about a task, virtual instants, the decisions of a schedule, trace
//! events and the trace, the errors a run or a task ends with, and caught panics. These types
//! hold no thread-locals and call no engine: they can be built, compared, printed and parsed
//! anywhere, also after a run or on another thread. Everything else in `sim` imports them; they
//! import nothing from the rest of the crate.

mod beacon;
mod chrome;
mod decision;
mod error;
mod event;
mod id;
mod id_map;
mod instant;
mod join_error;
pub(crate) mod options;
mod panic;
mod recorder;
pub(crate) mod schedule;
mod trace;

pub use beacon::{Beacon, Progress};
pub use decision::{Decision, Divergence, ParseScheduleError};
pub use error::{BlockedTask, SimError, SimErrorKind};
pub use event::{EventKind, TraceEvent};
pub use id::{TaskId, TaskInfo};
pub use instant::Instant;
pub use join_error::JoinError;
pub use options::{DEFAULT_MAX_STEPS, RunOptions};
pub use panic::Panic;
pub use schedule::{DEFAULT_SCHEDULE_BYTES, Iter as ScheduleIter, Schedule};
pub use trace::{DEFAULT_KEPT_EVENTS, LogLine, RunStats, Sink, Trace, TraceLevel};

pub(crate) use id_map::IdMap;
pub(crate) use recorder::Recorder;
pub(crate) use trace::{Fnv, Known, mix_step};
