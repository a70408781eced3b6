//! The main job behind `cargo explore`: sweep every scenario under several strategies, stream
//! one row per sweep as it finishes, and judge each scenario against the catalogue.
//!
//! `examples/explore.rs` is a thin command line over this module: [`Cli`] parses the arguments
//! (clap), [`run`] writes the table to any sink while telling a [`Progress`] what it does
//! ([`Heartbeat`] prints a plain line on stderr every few seconds when it is not a terminal),
//! and [`replay`] replays one failure. Tests call them directly.
//!
//! ```
//! use scenarios::explore::{Cli, Quiet, run};
//!
//! let cli = Cli::parse_from_args(["explore", "guide/gather", "--seeds", "2"]).unwrap();
//! let mut table = Vec::new();
//! let summary = run(&cli, &mut table, &mut Quiet).unwrap();
//! assert!(summary.all_met());
//! let table = String::from_utf8(table).unwrap();
//! assert!(table.contains("expected") && table.contains("guide/gather"));
//! ```

mod cli;
mod progress;
mod replay;
mod table;

use std::io::{self, Write};

use harness::{Check, Env};
use sim::Strategy;

pub use cli::Cli;
pub use progress::{Heartbeat, Progress, Quiet};
pub use replay::{context, replay, replay_line};
pub use table::short_token;

use crate::{Expect, Program, Scenario};

/// How many characters of a token the table shows, around an ellipsis ([`short_token`]).
pub const SHORT_TOKEN: usize = 16;

/// What one (scenario, strategy) sweep found.
#[derive(Clone, Debug)]
pub struct Row {
    /// The scenario swept.
    pub scenario: Scenario,
    /// The strategy's name as the table shows it.
    pub strategy: String,
    /// Executions run.
    pub runs: u64,
    /// Distinct interleavings among them.
    pub distinct: usize,
    /// The first failure, shrunk.
    pub failure: Option<Found>,
}

/// A failure a sweep found.
#[derive(Clone, Debug)]
pub struct Found {
    /// The 1-based number of the first failing execution.
    pub after: u64,
    /// The panic message or broken invariant, else the failure's description.
    pub what: String,
    /// Preemptions before and after shrinking.
    pub preemptions: (usize, usize),
    /// Cancellable futures the shrunk schedule drops at an await.
    pub cancellations: usize,
    /// The replay token, whole.
    pub token: String,
}

/// What a scenario's sweeps concluded, against what the catalogue expects of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// A correct program passed every sweep.
    Passed,
    /// A planted bug was found by at least one strategy.
    Found,
    /// A correct program failed: exit non-zero.
    WronglyFailed,
    /// A planted bug escaped every strategy within its budget: exit non-zero.
    Escaped,
    /// A planted bug was not found, but fewer seeds ran than its budget.
    Inconclusive,
}

impl Judgement {
    /// True when the verdict is what the catalogue expects (inconclusive counts as met).
    pub fn met(self) -> bool {
        !matches!(self, Judgement::WronglyFailed | Judgement::Escaped)
    }
}

/// Every row, and each scenario's judgement.
#[derive(Debug, Default)]
pub struct Summary {
    /// One per sweep, in the order they ran.
    pub rows: Vec<Row>,
    /// One per scenario, in catalogue order.
    pub judgements: Vec<(&'static str, Judgement)>,
}

impl Summary {
    /// True when every scenario met its expectation: the main job's exit status.
    pub fn all_met(&self) -> bool {
        self.judgements.iter().all(|(_, j)| j.met())
    }

    /// The scenarios whose verdict is not what the catalogue expects.
    pub fn mismatches(&self) -> Vec<&'static str> {
        self.judgements
            .iter()
            .filter(|(_, j)| !j.met())
            .map(|(n, _)| *n)
            .collect()
    }

    /// The rows that found a failure.
    pub fn failures(&self) -> impl Iterator<Item = (&Row, &Found)> {
        self.rows
            .iter()
            .filter_map(|r| r.failure.as_ref().map(|f| (r, f)))
    }
}

/// A broken invariant, printed as its message (not as a quoted debug string).
struct Broken(String);

impl std::fmt::Debug for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Body = Box<dyn Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<(), Broken>>>>>;

/// The scenario as a test body: an invariant it reports broken fails the run with its text.
fn body(s: &Scenario) -> Body {
    let run = s.run;
    Box::new(move || {
        let program: Program = run();
        Box::pin(async move { program.await.map_err(Broken) })
    })
}

/// The sweep of one scenario under one strategy: Fifo runs once, others `seeds` times. The
/// process's `SEEDLOOP_*` variables are ignored, so the table depends on the arguments alone.
pub fn sweep(s: &Scenario, label: &str, strategy: &Strategy, seeds: u64) -> Row {
    let seeds = if strategy.is_fifo() { 1 } else { seeds };
    let outcome = Check::new()
        .seeds(seeds)
        .strategy(strategy.clone())
        .env(Env::empty())
        .no_regressions()
        .context(context(s.name))
        .explore(body(s));
    let failure = outcome.report.as_ref().map(|r| Found {
        after: outcome
            .schedules_to_first_failure
            .unwrap_or(outcome.schedules_run),
        what: if r.failure.message.is_empty() {
            r.failure.description.clone()
        } else {
            r.failure.message.clone()
        },
        preemptions: outcome
            .shrunk
            .as_ref()
            .map_or((r.preemptions(), r.preemptions()), |s| {
                (s.before.preemptions, s.after.preemptions)
            }),
        cancellations: r.cancellations(),
        token: r.token_text.clone(),
    });
    Row {
        scenario: *s,
        strategy: label.to_string(),
        runs: outcome.schedules_run,
        distinct: outcome.distinct_interleavings,
        failure,
    }
}

/// A scenario's judgement from its rows.
pub fn judge(s: &Scenario, rows: &[Row], seeds: u64) -> Judgement {
    let found = rows.iter().any(|r| r.failure.is_some());
    match (s.expect, found) {
        (Expect::Passes, false) => Judgement::Passed,
        (Expect::Passes, true) => Judgement::WronglyFailed,
        (Expect::Caught { .. }, true) => Judgement::Found,
        // A bug not caught in fewer seeds than its budget is inconclusive, not a miss.
        (Expect::Caught { within }, false) if seeds < within => Judgement::Inconclusive,
        (Expect::Caught { .. }, false) => Judgement::Escaped,
    }
}

/// Sweeps what `cli` selects, writing the table to `out` one row as each sweep finishes, then
/// the replay hints and the verdict line.
///
/// # Errors
/// When `cli` selects no scenario or names an unknown strategy (the message says which), or
/// when writing to `out` or the tokens file fails.
pub fn run(cli: &Cli, out: &mut dyn Write, progress: &mut dyn Progress) -> io::Result<Summary> {
    let chosen = cli.scenarios().map_err(io::Error::other)?;
    let strategies = cli.strategies().map_err(io::Error::other)?;
    let layout = table::Layout::new(&chosen, &strategies);
    progress.start(chosen.len() * strategies.len());
    progress.show(out, &layout.header())?;
    let mut summary = Summary::default();
    for s in &chosen {
        let mut mine = Vec::with_capacity(strategies.len());
        for (label, strategy) in &strategies {
            progress.sweeping(s.name, label);
            let row = sweep(s, label, strategy, cli.seeds);
            progress.swept(&row);
            progress.show(out, &layout.row(&row))?;
            mine.push(row);
        }
        let judgement = judge(s, &mine, cli.seeds);
        if let Some(line) = layout.judgement(s, judgement, cli.seeds) {
            progress.show(out, &line)?;
        }
        summary.judgements.push((s.name, judgement));
        summary.rows.extend(mine);
    }
    progress.finish();
    let lines: Vec<String> = summary
        .failures()
        .map(|(r, f)| replay_line(r.scenario.name, &f.token))
        .collect();
    if let Some(path) = &cli.tokens_file {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(path, text).map_err(|e| {
            io::Error::new(e.kind(), format!("could not write {}: {e}", path.display()))
        })?;
    }
    let footer = table::footer(cli, &summary, &strategies, &lines);
    progress.show(out, &footer)?;
    Ok(summary)
}
