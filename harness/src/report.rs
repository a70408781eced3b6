//! The failure report: one block in rustc's `note:` voice.
//!
//! ```text
//! error: seedloop: main panicked at t=0s (step 6): lost update: 1 != 2
//! note: it happened in main#0 (the test body) at t=0s, step 6
//! note: found with seed 5 (strategy random) after 6 schedules
//! note: deterministic: two runs of the reported schedule gave the identical trace (digest 8c1f…)
//! note: shrunk from 3 preemptions to 1 (14 decisions): at t=0s step 3, inc#1 was preempted for inc#2
//! note: faults: t=0.01s host db crashed; t=0.01s fs: crash of db kept 1 of 3 unsynced writes to wal
//! note: replay token: sl2.…
//! note: to replay it, run:
//!       SEEDLOOP_REPLAY=sl2.… cargo test -p mycrate --test counter -- lost_update --exact
//! note: the last 20 trace events:
//!       t=0s step=5 inc#2: …
//! ```
//!
//! A `note: this token was recorded by another test` line appears when the token's test is not
//! the one replaying it. The `faults:` line appears when the run had faults (crashes, partitions, lost datagrams,
//! what each file kept at a crash: see [`crate::FaultConfig`]).
//!
//! Everything in it comes from the replay token and a replay of it, so replaying the token
//! (`SEEDLOOP_REPLAY` or [`crate::replay`]) prints the identical report.

use std::fmt;

use sim::task::TaskId;
use sim::trace::{Event, EventKind};
use sim::{SimErrorKind, Trace};

use crate::sweep::{Failure, FailureKind};
use crate::token::Token;

/// How many trace events end the report.
pub const TAIL_EVENTS: usize = 20;

/// Schedules longer than this are printed by their preemptions only.
const SHORT_SCHEDULE: usize = 32;

/// Where the test is, for the line to paste.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestContext {
    /// The cargo package (`-p`).
    pub package: Option<String>,
    /// The test target (`--test <target>`), or `None` for the library's unit tests (`--lib`).
    pub target: Option<String>,
    /// The test's name as libtest knows it (`module::name`).
    pub name: Option<String>,
}

impl TestContext {
    /// What the running process can tell: the test thread's name (libtest names each test's
    /// thread after it), `CARGO_PKG_NAME` (cargo sets it when it runs tests), the target from
    /// the executable's name with its hash stripped.
    pub fn detect() -> TestContext {
        let name = std::thread::current()
            .name()
            .filter(|n| *n != "main")
            .map(str::to_string);
        let package = std::env::var("CARGO_PKG_NAME").ok();
        let exe = std::env::current_exe().ok();
        let stem = exe
            .as_ref()
            .and_then(|p| p.file_stem())
            .and_then(|s| s.to_str())
            .map(|s| match s.rsplit_once('-') {
                Some((t, hash))
                    if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
                {
                    t.to_string()
                }
                _ => s.to_string(),
            });
        let lib_name = package.as_ref().map(|p| p.replace('-', "_"));
        let target = stem.filter(|s| Some(s) != lib_name.as_ref());
        TestContext {
            package,
            target,
            name,
        }
    }

    /// `cargo test -p <pkg> --test <target> -- <name> --exact`, with what is known.
    ///
    /// ```
    /// let ctx = harness::TestContext {
    ///     package: Some("mycrate".into()),
    ///     target: Some("counter".into()),
    ///     name: Some("tests::lost_update".into()),
    /// };
    /// assert_eq!(ctx.command(), "cargo test -p mycrate --test counter -- tests::lost_update --exact");
    /// let lib = harness::TestContext { target: None, ..ctx };
    /// assert_eq!(lib.command(), "cargo test -p mycrate --lib -- tests::lost_update --exact");
    /// ```
    pub fn command(&self) -> String {
        let mut cmd = String::from("cargo test");
        if let Some(p) = &self.package {
            cmd.push_str(&format!(" -p {p}"));
        }
        match &self.target {
            Some(t) => cmd.push_str(&format!(" --test {t}")),
            None if self.package.is_some() => cmd.push_str(" --lib"),
            None => {}
        }
        if let Some(n) = &self.name {
            cmd.push_str(&format!(" -- {n} --exact"));
        }
        cmd
    }
}

/// A failure, ready to print: see the module documentation for its shape.
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
}

impl Report {
    /// The line to paste into a shell to replay the failure.
    pub fn replay_line(&self) -> String {
        format!(
            "SEEDLOOP_REPLAY={} {}",
            self.token_text,
            self.context.command()
        )
    }

    /// Preemptions in the reported (shrunk) schedule: switches at preemption points away from a
    /// task that could have continued (see [`crate::shrink`] for what counts).
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

    /// `at t=0s step 3, inc#1 was preempted for inc#2`, one per preemption.
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

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
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
        let tail = self.trace.tail(TAIL_EVENTS);
        write!(f, "note: the last {} trace events:", tail.len())?;
        for l in &tail {
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
        if let Some(name) = &self.context.name
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
            Some(Event {
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
        let found = if t.schedules_run > 0 {
            format!(" after {}", plural(t.schedules_run, "schedule"))
        } else {
            String::new()
        };
        writeln!(
            f,
            "note: found with seed {} (strategy {}){found}",
            t.seed, t.strategy
        )?;
        writeln!(
            f,
            "note: deterministic: two runs of the reported schedule gave the identical trace \
             (digest {:016x})",
            self.digest
        )?;
        let after = self.preemptions();
        let mut shrunk = format!(
            "note: shrunk from {} to {after} ({})",
            plural(t.preemptions_before, "preemption"),
            plural(t.schedule.len() as u64, "decision")
        );
        let pre = self.preemption_lines();
        if pre.is_empty() {
            shrunk.push_str(": the default (Fifo) order, apart from free choices at suspensions");
        } else {
            shrunk.push_str(&format!(": {}", pre.join("; ")));
        }
        writeln!(f, "{shrunk}")?;
        if t.schedule.len() <= SHORT_SCHEDULE {
            writeln!(f, "note: schedule: {}", t.schedule)?;
        }
        if let Some(faults) = crate::faults::faults_note(&self.trace) {
            writeln!(f, "note: faults: {faults}")?;
        }
        writeln!(f, "note: replay token: {}", self.token_text)?;
        writeln!(f, "note: to replay it, run:")?;
        writeln!(f, "{INDENT}{}", self.replay_line())?;
        self.fmt_tail(f)
    }
}
