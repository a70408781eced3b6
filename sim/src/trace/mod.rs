//! The record of a run: events, decisions and task names, with a stable text form.
//!
//! [`Trace`]'s `Display` is one event a line, `t=<time> step=<n> <task>: <what>`, with tasks
//! named `name#id` (`task#id` when unnamed). It contains no addresses, no wall-clock values and no
//! source paths, so it is byte-identical for the same program, seed and strategy on any machine:
//! ready for snapshot tests. [`Trace::digest`] hashes that text. Write your own lines into it
//! with [`crate::log!`].

pub(crate) mod log;

pub use crate::model::{
    DEFAULT_KEPT_EVENTS, EventKind, LogLine, RunStats, Sink, Trace, TraceEvent, TraceLevel,
};

/// The old name of [`TraceEvent`] (renamed so it does not read like [`crate::sync::Event`]).
#[deprecated(
    since = "0.1.0",
    note = "renamed `TraceEvent`; `sync::Event` is the asyncio primitive"
)]
pub type Event = TraceEvent;
