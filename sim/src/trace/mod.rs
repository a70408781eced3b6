//! The record of a run: events, decisions and task names, with a stable text form.
//!
//! [`Trace`]'s `Display` is one event a line, `t=<time> step=<n> <task>: <what>`, with tasks
//! named `name#id` (`task#id` when unnamed). It contains no addresses, no wall-clock values and no
//! source paths, so it is byte-identical for the same program, seed and strategy on any machine:
//! ready for snapshot tests. [`Trace::digest`] hashes that text. Write your own lines into it
//! with [`crate::log!`].

pub use crate::model::{Event, EventKind, LogLine, RunStats, Trace, TraceLevel};

/// Implementation of [`crate::log!`]: records `text()` when the run keeps a full trace.
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn log_with(text: impl FnOnce() -> String) {
    crate::rt::context::with("sim::log!", |core| {
        if core.is_full() {
            core.event(EventKind::Log(text()));
        }
    });
}
