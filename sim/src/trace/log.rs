//! What [`crate::log!`] expands to; reachable only through the macro (`$crate::__private`).

use crate::model::EventKind;
use crate::rt::context;

/// Records `text()` as a log line of the current task when the run keeps a full trace.
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn log_with(text: impl FnOnce() -> String) {
    context::with("sim::log!", |core| {
        if core.is_full() {
            core.event(EventKind::Log(text()));
        }
    });
}
