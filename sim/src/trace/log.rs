//! What [`crate::log!`] expands to; reachable only through the macro (`$crate::__private`).
//!
//! The macro's arguments are evaluated at every trace level (they are `format_args!`'s), so
//! an argument that draws a random value draws it whether or not the run records logs, and
//! runs at [`TraceLevel::Full`](crate::TraceLevel::Full) and at `Decisions` take the same
//! decisions. Only the formatting is skipped at `Decisions`; a `Display` that takes a decision
//! while it formats (it would make the two levels differ) fails the run, naming the line.

use std::fmt;
use std::panic::Location;

use crate::model::EventKind;
use crate::rt::context;

/// Records `args` as a log line of the current task when the run keeps a full trace.
///
/// # Panics
/// Outside a simulation, and when formatting `args` took a decision.
#[track_caller]
pub fn log_args(args: fmt::Arguments<'_>) {
    let site = Location::caller();
    context::with("sim::log!", |core| {
        if !core.is_full() {
            return;
        }
        let before = core.decisions_taken();
        let text = fmt::format(args);
        let taken = core.decisions_taken() - before;
        if taken > 0 {
            changed_the_run(site, taken);
        }
        core.event(EventKind::Log(text));
    });
}

#[cold]
fn changed_the_run(site: &Location<'_>, taken: u64) -> ! {
    panic!(
        "a `log!` argument changed the run: formatting the log! at {}:{} took {taken} \
         decision(s) (a `Display` that draws from sim::rand or awaits), which a run that does \
         not record logs would not take, so it would run differently. Compute the value before \
         the log! line and log the result",
        site.file(),
        site.line()
    )
}
