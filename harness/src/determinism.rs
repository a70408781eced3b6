//! Confirming that a failing run is deterministic before reporting it.
//!
//! A run is re-executed from its seed; the two must take the same decisions and produce
//! byte-identical traces. If not, something outside seedloop's control leaked into the program
//! (a real clock, thread, socket, OS randomness, `HashMap` iteration order, or global state that
//! survives between runs), and any report built from the seed would be a lie: that becomes the
//! report instead, naming the first point where the runs differ.

use sim::Trace;
use sim::schedule::Schedule;

/// Where two executions of the same seed first differ.
///
/// ```
/// static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
/// let outcome = harness::Check::new().seeds(1).no_regressions().explore(|| async {
///     let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed); // survives between runs
///     sim::log!("run {n}");
///     Err::<(), _>("always")
/// });
/// assert!(outcome.nondeterminism.unwrap().contains("ran twice and the runs differ"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nondeterminism {
    /// What differed: `decision 3` or `event 17`.
    pub at: String,
    /// The first run's version (or `(nothing)` when it ended there).
    pub first: String,
    /// The second run's version.
    pub second: String,
    /// When the two runs part inside one poll of one task (the same task and step, with no
    /// decision of the scheduler's in between): that task, as `task#5 (spawned at src/a.rs:9)`.
    /// Its own code went another way, so the cause is in what it ran.
    pub inside: Option<String>,
}

/// The first difference between two schedules of the same seed, if any.
pub(crate) fn compare_schedules(a: &Schedule, b: &Schedule) -> Option<Nondeterminism> {
    let (da, db) = (a.to_vec(), b.to_vec());
    let i = (0..da.len().max(db.len())).find(|&i| da.get(i) != db.get(i))?;
    let show = |d: Option<&sim::schedule::Decision>| {
        d.map_or_else(|| "(the run ended)".to_string(), |d| format!("decide {d}"))
    };
    Some(Nondeterminism {
        at: format!("decision {i}"),
        first: show(da.get(i)),
        second: show(db.get(i)),
        inside: None,
    })
}

/// The first difference between two full traces of the same seed, if any.
pub(crate) fn compare_traces(a: &Trace, b: &Trace) -> Option<Nondeterminism> {
    if a.digest() == b.digest() {
        return None;
    }
    let (ea, eb) = (a.events(), b.events());
    let line = |t: &Trace, i: usize| {
        t.events()
            .get(i)
            .map_or_else(|| "(the run ended)".to_string(), |e| t.render(e))
    };
    match (0..ea.len().max(eb.len())).find(|&i| line(a, i) != line(b, i)) {
        Some(i) => Some(Nondeterminism {
            at: format!("event {i}"),
            first: line(a, i),
            second: line(b, i),
            inside: inside_one_poll(a, ea.get(i), eb.get(i)),
        }),
        None => compare_schedules(a.schedule(), b.schedule()),
    }
}

/// The task in whose poll two runs part, when both runs' events there belong to the same task
/// and step (every event before them being identical, nothing but that task's code ran between
/// the last common point and the difference).
fn inside_one_poll(
    trace: &Trace,
    a: Option<&sim::trace::TraceEvent>,
    b: Option<&sim::trace::TraceEvent>,
) -> Option<String> {
    let (a, b) = (a?, b?);
    let task = a.task?;
    if b.task != Some(task) || a.step != b.step {
        return None;
    }
    let info = trace.task(task)?;
    Some(if task == sim::task::TaskId::MAIN {
        format!("{} (the test body)", info.label())
    } else {
        format!(
            "{} (spawned at {}:{})",
            info.label(),
            info.spawned_at.file(),
            info.spawned_at.line()
        )
    })
}
