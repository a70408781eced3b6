//! Trace snapshots with insta (feature `insta`).
//!
//! A [`sim::Trace`]'s text form has no addresses, no wall-clock times and no source paths, and
//! task names are `name#id` with ids given in spawn order, so it is byte-identical on every
//! machine: [`assert_trace_snapshot!`](crate::assert_trace_snapshot) stores it as an insta
//! snapshot, and `cargo insta review` shows what changed when the program's interleaving does.

use sim::Trace;

/// The text a trace snapshot stores: the schedule, then one event a line.
///
/// ```
/// let mut sim = sim::Sim::builder().strategy(sim::Strategy::fifo()).build();
/// sim.run(async { sim::log!("hi") }).unwrap();
/// let text = harness::snapshot::normalized(sim.trace());
/// assert!(text.starts_with("schedule: (empty)\n"));
/// assert!(text.contains("main#0: log: hi"));
/// ```
pub fn normalized(trace: &Trace) -> String {
    let schedule = if trace.schedule().is_empty() {
        "(empty)".to_string()
    } else {
        trace.schedule().to_string()
    };
    format!("schedule: {schedule}\n{trace}")
}

/// Asserts that a trace matches its insta snapshot: `assert_trace_snapshot!(sim.trace())` or
/// `assert_trace_snapshot!("name", sim.trace())`.
///
/// ```
/// # // Snapshot files are written beside the calling test; here we only check it compiles.
/// # fn never() {
/// let mut sim = sim::Sim::new(1);
/// sim.run(async { sim::log!("hi") }).unwrap();
/// harness::assert_trace_snapshot!("hello", sim.trace());
/// # }
/// ```
#[macro_export]
macro_rules! assert_trace_snapshot {
    ($trace:expr $(,)?) => {
        $crate::__private::insta::assert_snapshot!(
            $crate::__private::insta::_macro_support::AutoName,
            $crate::snapshot::normalized($trace),
            ::core::concat!("normalized trace of ", ::core::stringify!($trace))
        )
    };
    ($name:expr, $trace:expr $(,)?) => {
        $crate::__private::insta::assert_snapshot!(
            $name,
            $crate::snapshot::normalized($trace),
            ::core::concat!("normalized trace of ", ::core::stringify!($trace))
        )
    };
}
