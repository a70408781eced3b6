//! The failure report: one block in rustc's `note:` voice.
//!
//! ```text
//! error: seedloop: main panicked at t=0s (step 6): lost update: 1 != 2
//! note: it happened in main#0 (the test body) at t=0s, step 6
//! note: found with seed 5 (strategy random) after 6 schedules
//! note: deterministic: two runs of the reported schedule gave the identical trace (digest 8c1f…)
//! note: shrunk from 3 preemptions to 1 (14 decisions): at t=0s step 3, inc#1 was preempted for inc#2
//! note: schedule: r1/2 p2/2 p-/2 r1/2
//!       (rT/N: run task T, one of N runnable; pT/N: at a preemption point, switch to task T; p-/N: keep running)
//! note: tasks: main#0 (the test body); inc#1, inc#2 (spawned at tests/counter.rs:9)
//! note: faults: t=0.01s host db crashed; t=0.01s fs: crash of db kept 1 of 3 unsynced writes to wal
//! note: replay token: sl2.…
//! note: to replay it, run:
//!       SEEDLOOP_REPLAY=sl2.… cargo test -p mycrate --test counter -- lost_update --exact
//! note: the last 20 of 31 trace events (SEEDLOOP_TRACE=full prints them all):
//!       t=0s step=5 inc#2: …
//! ```
//!
//! A `note: this token was recorded by another test` line appears when the token's test is not
//! the one replaying it. The `faults:` line appears when the run had faults (crashes, partitions, lost datagrams,
//! what each file kept at a crash: see [`crate::FaultConfig`]). The schedule is printed when it
//! is short, with what its words mean.
//!
//! Everything in it comes from the replay token and a replay of it, so replaying the token
//! (`SEEDLOOP_REPLAY` or [`crate::replay`]) prints the same report, apart from the line that says
//! where it came from ([`Origin`]).

use std::fmt;

use sim::task::TaskId;
use sim::trace::{EventKind, TraceEvent};
use sim::{SimErrorKind, Trace};

use crate::context::TestContext;
use crate::counterexample::{schedule_legend, tasks_line};
use crate::origin::{Origin, plural};
use crate::sweep::{Failure, FailureKind};
use crate::token::Token;

/// How many trace events end the report.
///
/// ```
/// let outcome = harness::Check::new().seeds(1).no_regressions().explore(|| async {
///     for i in 0..50 { sim::log!("line {i}"); }
///     Err::<(), _>("stop")
/// });
/// let text = outcome.failure_text().unwrap();
/// assert!(text.contains(&format!("note: the last {} of ", harness::TAIL_EVENTS)));
/// assert!(text.contains("main#0: log: line 49") && !text.contains("log: line 10\n"));
/// ```
pub const TAIL_EVENTS: usize = 20;

/// Schedules longer than this are printed by their preemptions only.
const SHORT_SCHEDULE: usize = 32;

/// The warning for awaits on futures `sim` does not control, over `runs` runs.
pub(crate) fn foreign_awaits_line(awaits: u64, runs: u64) -> String {
    let over = if runs > 1 {
        format!(" (over {runs} runs)")
    } else {
        String::new()
    };
    format!(
        "{awaits} {} on foreign futures {} not preemption points{over}: futures seedloop does \
         not control (futures::channel, async-channel, futures::lock, real tokio types) run \
         deterministically but never switch tasks, so races between them go unexplored; use \
         sim's primitives or seedloop-tokio",
        if awaits == 1 { "await" } else { "awaits" },
        if awaits == 1 { "was" } else { "were" },
    )
}

/// A failure, ready to print: see the module documentation for its shape.
///
/// ```
/// let racy = || async {
///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
///     let other = sim::spawn({
///         let hits = hits.clone();
///         async move { let read = hits.get(); sim::task::maybe_yield().await; hits.set(read + 1) }
///     });
///     let read = hits.get();
///     sim::task::maybe_yield().await;
///     hits.set(read + 1);
///     other.await.unwrap();
///     assert_eq!(hits.get(), 2, "lost update");
/// };
/// let report = harness::Check::new().no_regressions().explore(racy).report.unwrap();
/// assert!(report.failure.message.contains("lost update\n  left: 1\n right: 2"));
/// assert_eq!(report.token_text, report.token.encode());
/// assert!(report.to_string().starts_with("error: seedloop: "));
/// ```
#[derive(Clone, Debug)]
pub struct Report {
    /// The failure, from a full replay of the token.
    pub failure: Failure,
    /// The replay token.
    pub token: Token,
    /// The token's text.
    pub token_text: String,
    /// Where the test is.
    pub context: TestContext,
    /// The digest of the reported run's trace.
    pub digest: u64,
    /// The reported run's trace (full).
    pub trace: Trace,
    /// Where the failure came from: found now, or replayed from a token.
    pub origin: Origin,
    /// Print the whole trace instead of its last [`TAIL_EVENTS`] events (`SEEDLOOP_TRACE=full`).
    pub full_trace: bool,
}

impl Report {
    /// The line to paste into a shell to replay the failure.
    ///
    /// ```
    /// let racy = || async {
    ///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
    ///     let other = sim::spawn({
    ///         let hits = hits.clone();
    ///         async move { let read = hits.get(); sim::task::maybe_yield().await; hits.set(read + 1) }
    ///     });
    ///     let read = hits.get();
    ///     sim::task::maybe_yield().await;
    ///     hits.set(read + 1);
    ///     other.await.unwrap();
    ///     assert_eq!(hits.get(), 2, "lost update");
    /// };
    /// let report = harness::Check::new().no_regressions().explore(racy).report.unwrap();
    /// assert!(report.replay_line().starts_with(&format!("SEEDLOOP_REPLAY={} ", report.token_text)));
    /// ```
    pub fn replay_line(&self) -> String {
        self.context.replay_command(&self.token_text)
    }

    /// Preemptions in the reported (shrunk) schedule: switches at preemption points away from a
    /// task that could have continued (see [`crate::shrink`] for what counts).
    ///
    /// ```
    /// let racy = || async {
    ///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
    ///     let other = sim::spawn({
    ///         let hits = hits.clone();
    ///         async move { let read = hits.get(); sim::task::maybe_yield().await; hits.set(read + 1) }
    ///     });
    ///     let read = hits.get();
    ///     sim::task::maybe_yield().await;
    ///     hits.set(read + 1);
    ///     other.await.unwrap();
    ///     assert_eq!(hits.get(), 2, "lost update");
    /// };
    /// let report = harness::Check::new().no_regressions().explore(racy).report.unwrap();
    /// assert_eq!(report.preemptions(), 1); // shrunk to the one switch between a read and its write
    /// ```
    pub fn preemptions(&self) -> usize {
        self.token.schedule.preemptions()
    }

    fn site_of(&self, id: TaskId) -> String {
        if id == TaskId::MAIN {
            return "the test body".to_string();
        }
        match self.trace.task(id) {
            Some(i) => format!("spawned at {}:{}", i.spawned_at.file(), i.spawned_at.line()),
            None => "spawned at an unknown place".to_string(),
        }
    }

    /// Cancellable futures the reported (shrunk) schedule drops at an await
    /// ([`sim::task::cancellable`]).
    ///
    /// ```
    /// let report = harness::Check::new().no_regressions().explore(|| async {
    ///     let read = sim::task::cancellable(async {
    ///         sim::task::yield_now().await;
    ///         sim::task::yield_now().await;
    ///         7
    ///     });
    ///     assert_eq!(read.await, Ok(7), "the read was dropped half-way");
    /// }).report.expect("an exploring strategy drops the read at an await");
    /// assert_eq!(report.cancellations(), 1);
    /// ```
    pub fn cancellations(&self) -> usize {
        self.token.schedule.cancellations()
    }

    /// `at t=0s step 3, inc#1 was preempted for inc#2`, one per preemption, and `at t=0s step
    /// 5, handler#1 had its cancellable future dropped at an await`, one per cancellation.
    fn preemption_lines(&self) -> Vec<String> {
        self.trace
            .events()
            .iter()
            .filter_map(|e| match (&e.kind, e.task) {
                (
                    EventKind::Decision(
                        d @ sim::schedule::Decision::Preempt { task: Some(to), .. },
                    ),
                    Some(from),
                ) if d.is_preemption() => Some(format!(
                    "at t={} step {}, {} was preempted for {}",
                    e.time,
                    e.step,
                    self.trace.label(from),
                    self.trace.label(*to)
                )),
                (EventKind::Decision(d), Some(task)) if d.is_cancellation() => Some(format!(
                    "at t={} step {}, {} had its cancellable future dropped at an await",
                    e.time,
                    e.step,
                    self.trace.label(task)
                )),
                _ => None,
            })
            .collect()
    }
}

const INDENT: &str = "      ";

/// Continuation lines of a multi-line message (a panic's `left:`/`right:`), indented under
/// their note.
fn indent(text: &str) -> String {
    text.replace('\n', &format!("\n{INDENT}  "))
}

impl Report {
    fn fmt_diverged(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.token;
        writeln!(
            f,
            "note: the token was recorded with seed {} (strategy {}); its schedule has {} and {}",
            t.seed,
            t.strategy,
            plural(t.schedule.len() as u64, "decision"),
            plural(t.schedule.preemptions() as u64, "preemption")
        )?;
        writeln!(
            f,
            "note: to find a fresh failing schedule, run the sweep again:"
        )?;
        writeln!(f, "{INDENT}{}", self.context.command())?;
        self.fmt_tail(f)
    }

    fn fmt_tail(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = self.trace.event_count() as usize;
        let lines = if self.full_trace && self.trace.dropped_events() > 0 {
            let tail = self.trace.tail(TAIL_EVENTS);
            write!(
                f,
                "note: the whole trace, {}, was printed to stderr as the run replayed \
                 (SEEDLOOP_TRACE=full); the last {}:",
                plural(all as u64, "event"),
                tail.len()
            )?;
            tail
        } else if self.full_trace {
            write!(
                f,
                "note: the whole trace, {} (SEEDLOOP_TRACE=full):",
                plural(all as u64, "event")
            )?;
            self.trace.tail(all)
        } else {
            let tail = self.trace.tail(TAIL_EVENTS);
            if tail.len() < all {
                write!(
                    f,
                    "note: the last {} of {all} trace events (SEEDLOOP_TRACE=full prints them all):",
                    tail.len()
                )?;
            } else {
                write!(f, "note: the whole trace, {}:", plural(all as u64, "event"))?;
            }
            tail
        };
        for l in &lines {
            write!(f, "\n{INDENT}{}", indent(l))?;
        }
        Ok(())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fl = &self.failure;
        let mut desc = fl.description.lines();
        writeln!(
            f,
            "error: seedloop: {}",
            desc.next().unwrap_or("the test failed")
        )?;
        for l in desc {
            writeln!(f, "{l}")?;
        }
        if let Some(name) = self.context.check_name()
            && self.token.recorded_by_another(name)
        {
            writeln!(
                f,
                "note: this token was recorded by another test, not `{name}`; it replays here \
                 under `{name}`'s body"
            )?;
        }
        if fl.kind.is_diverged() {
            return self.fmt_diverged(f);
        }
        match fl.origin(&self.trace) {
            Some(TraceEvent {
                task: Some(task),
                time,
                step,
                kind: EventKind::Panicked { message },
            }) => writeln!(
                f,
                "note: it started in {} ({}), which panicked at t={time}, step {step}: \
                 {}; main observed it through its JoinHandle",
                self.trace.label(*task),
                self.site_of(*task),
                indent(message),
            )?,
            _ => match (&fl.task, fl.kind) {
                (
                    _,
                    FailureKind::Sim(
                        SimErrorKind::Deadlock | SimErrorKind::StepLimit | SimErrorKind::TimeLimit,
                    ),
                ) => {
                    writeln!(f, "note: at t={}, step {}", fl.time, fl.step)?;
                }
                (Some(t), _) => writeln!(
                    f,
                    "note: it happened in {t} ({}) at t={}, step {}",
                    self.site_of(t.id),
                    fl.time,
                    fl.step
                )?,
                (None, _) => writeln!(f, "note: at t={}, step {}", fl.time, fl.step)?,
            },
        }
        let t = &self.token;
        writeln!(f, "{}", self.origin.line(t))?;
        writeln!(
            f,
            "note: deterministic: two runs of the reported schedule gave the identical trace \
             (digest {:016x})",
            self.digest
        )?;
        let mut shrunk = format!("note: {}", self.origin.shrink_words(t));
        let cancellations = t.schedule.cancellations() as u64;
        if cancellations > 0 {
            shrunk.push_str(&format!(", {}", plural(cancellations, "cancellation")));
        }
        let pre = self.preemption_lines();
        if pre.is_empty() {
            shrunk.push_str(": the default (Fifo) order, apart from free choices at suspensions");
        } else {
            shrunk.push_str(&format!(": {}", pre.join("; ")));
        }
        writeln!(f, "{shrunk}")?;
        if t.schedule.len() <= SHORT_SCHEDULE {
            writeln!(f, "note: schedule: {}", t.schedule)?;
            if let Some(legend) = schedule_legend(&t.schedule) {
                writeln!(f, "{INDENT}{legend}")?;
            }
        }
        if let Some(tasks) = tasks_line(&self.trace) {
            writeln!(f, "note: tasks: {tasks}")?;
        }
        if let Some(faults) = crate::faults::faults_note(&self.trace) {
            writeln!(f, "note: faults: {faults}")?;
        }
        let foreign = self.trace.stats().foreign_awaits;
        if foreign > 0 {
            writeln!(f, "note: {}", foreign_awaits_line(foreign, 1))?;
        }
        writeln!(f, "note: replay token: {}", self.token_text)?;
        writeln!(f, "note: to replay it, run:")?;
        writeln!(f, "{INDENT}{}", self.replay_line())?;
        self.fmt_tail(f)
    }
}
