//! The entry point: sweep seeds, and on the first failure confirm, shrink, save and report it.

use std::future::Future;
use std::panic::Location;
use std::path::PathBuf;
use std::time::Duration;

use sim::{RunOptions, Strategy, TraceLevel};

use crate::context::TestContext;

use crate::env::Env;
use crate::faults::FaultConfig;
use crate::found::Found;
use crate::origin::Origin;
use crate::progress::Progress;
use crate::regressions::Regressions;
use crate::report::Report;
use crate::rerun::{Rerun, note, note_now, replay_outcome, rerun_regressions};
use crate::seeds::{Seeds, Shard};
use crate::shrink::{DEFAULT_SHRINK_BUDGET, Shrunk};
use crate::sweep::{Sweep, TestOutput, run_once};

/// Runs `body` under the default seeds (`0..64`, or `SEEDLOOP_SEEDS`) and strategy, and panics
/// with a report at the first failure. Short for `Check::new().run(body)`.
///
/// ```
/// harness::check(|| async {
///     let a = sim::spawn(async { 1 });
///     let b = sim::spawn(async { 2 });
///     assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
/// });
/// ```
///
/// # Panics
/// With the failure report, when a run fails.
#[track_caller]
pub fn check<F, Fut>(body: F)
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    Check::new().run(body);
}

/// A configured sweep. Every setting has a default; `SEEDLOOP_*` variables override the code
/// (see [`crate::env`]). The runs' limits and policies are a [`sim::RunOptions`], set whole
/// with [`Check::options`] or one by one with [`Check::option`] (and, for the common ones,
/// [`Check::max_steps`], [`Check::max_time`], [`Check::fail_on_leftover_tasks`]).
///
/// ```
/// use std::time::Duration;
/// let outcome = harness::Check::new()
///     .seeds(10..20)
///     .strategy(sim::Strategy::random())
///     .max_steps(10_000)
///     .max_time(Duration::from_secs(60))
///     .option("max_poll_time", "100ms")
///     .explore(|| async { sim::time::sleep(Duration::from_secs(1)).await });
/// assert!(outcome.passed());
/// assert_eq!(outcome.schedules_run, 10);
/// ```
#[derive(Clone, Debug)]
pub struct Check {
    seeds: Option<Seeds>,
    strategy: Option<Strategy>,
    shard: Option<Shard>,
    options: RunOptions,
    env: Env,
    regressions_dir: Option<PathBuf>,
    regressions: bool,
    shrink: bool,
    shrink_budget: u32,
    keep_going: bool,
    progress_after: Duration,
    context: Option<TestContext>,
    case: Option<String>,
    /// Where the check was written, to tell an integration test from the library's unit tests.
    caller: Option<&'static Location<'static>>,
    /// Whether the code was compiled as an integration test, when the attribute could tell.
    integration: Option<bool>,
    /// Environment assignments and `cargo test` options for the printed commands.
    cargo_env: Vec<String>,
    cargo_args: Vec<String>,
    faults: FaultConfig,
}

impl Default for Check {
    #[track_caller]
    fn default() -> Self {
        Check::new()
    }
}

/// What a sweep found: for tools and benchmarks ([`Check::explore`]).
///
/// ```
/// let outcome = harness::Check::new().seeds(8).no_regressions().explore(|| async {});
/// assert!(outcome.passed());
/// assert_eq!((outcome.schedules_run, outcome.failures), (8, 0));
/// assert_eq!(outcome.seeds_run, (0..8).collect::<Vec<_>>());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Executions run by the sweep (regression replays not included).
    pub schedules_run: u64,
    /// The seeds the sweep ran, in order (after sharding).
    pub seeds_run: Vec<u64>,
    /// Failing executions (1 at most, unless [`Check::keep_going`]).
    pub failures: u64,
    /// The 1-based number of the first failing execution of the sweep.
    pub schedules_to_first_failure: Option<u64>,
    /// The first failing seed.
    pub failing_seed: Option<u64>,
    /// The report of the first failure (shrunk), replayable with its token.
    pub report: Option<Box<Report>>,
    /// The shrink of the first failure.
    pub shrunk: Option<Shrunk>,
    /// Set when the first failing seed ran differently twice: the report is this text.
    pub nondeterminism: Option<String>,
    /// True when the failure came from a saved regression, before any seed was swept.
    pub from_regressions: bool,
    /// Distinct interleavings among the executions run (by `RunStats::interleaving`).
    pub distinct_interleavings: usize,
    /// Awaits on futures `sim` does not control, over every execution run (by
    /// `RunStats::foreign_awaits`): none of them was a preemption point.
    pub foreign_awaits: u64,
    /// The lines the check printed to stderr, in order: saved tokens, skipped lines of the
    /// regressions file and why, an empty sweep or shard.
    pub notes: Vec<String>,
}

impl Outcome {
    /// True when nothing failed.
    ///
    /// ```
    /// let fails = harness::Check::new().seeds(1).no_regressions().explore(|| async { Err::<(), _>("no") });
    /// assert!(!fails.passed());
    /// ```
    pub fn passed(&self) -> bool {
        self.report.is_none() && self.nondeterminism.is_none()
    }

    /// The text `Check::run` panics with, if anything failed.
    ///
    /// ```
    /// let fails = harness::Check::new().seeds(1).no_regressions().explore(|| async { Err::<(), _>("no") });
    /// assert!(fails.failure_text().unwrap().starts_with("error: seedloop: the test body returned an error"));
    /// ```
    pub fn failure_text(&self) -> Option<String> {
        if let Some(n) = &self.nondeterminism {
            return Some(n.clone());
        }
        self.report.as_ref().map(|r| r.to_string())
    }
}

impl Check {
    /// A check with the default seeds and strategy, reading `SEEDLOOP_*` from the process.
    ///
    /// ```
    /// harness::Check::new().no_regressions().run(|| async {
    ///     assert_eq!(sim::spawn(async { 7 }).await.unwrap(), 7);
    /// });
    /// ```
    #[track_caller]
    pub fn new() -> Check {
        Check {
            seeds: None,
            strategy: None,
            shard: None,
            options: RunOptions::default(),
            env: Env::from_process(),
            regressions_dir: None,
            regressions: true,
            shrink: true,
            shrink_budget: DEFAULT_SHRINK_BUDGET,
            keep_going: false,
            progress_after: crate::progress::FIRST_AFTER,
            context: None,
            case: None,
            caller: Some(Location::caller()),
            integration: None,
            cargo_env: Vec::new(),
            cargo_args: Vec::new(),
            faults: FaultConfig::new(),
        }
    }

    /// The seeds: a count (`100` = `0..100`), a range, or a list.
    ///
    /// ```
    /// let check = || harness::Check::new().no_regressions();
    /// assert_eq!(check().seeds(3).explore(|| async {}).seeds_run, [0, 1, 2]);
    /// assert_eq!(check().seeds(10..12).explore(|| async {}).seeds_run, [10, 11]);
    /// assert_eq!(check().seeds(vec![7, 42]).explore(|| async {}).seeds_run, [7, 42]);
    /// ```
    pub fn seeds(mut self, seeds: impl Into<Seeds>) -> Self {
        self.seeds = Some(seeds.into());
        self
    }

    /// The strategy (default [`Strategy::random`]); `SEEDLOOP_STRATEGY` overrides it. A
    /// [`Strategy::pct`] learns its `k` from one Fifo run of the body before the sweep (seed 0,
    /// not counted in [`Outcome::schedules_run`]); reports and tokens name it with its `k`
    /// (`pct2(k=6)`), and `SEEDLOOP_STRATEGY` with that name re-runs a seed exactly.
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
    /// // Fifo never switches at a preemption point, so it never loses the update.
    /// let fifo = harness::Check::new().strategy(sim::Strategy::fifo()).no_regressions().explore(racy);
    /// assert!(fifo.passed());
    /// let random = harness::Check::new().strategy(sim::Strategy::random()).no_regressions().explore(racy);
    /// assert!(!random.passed());
    /// ```
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = Some(strategy);
        self
    }

    /// Run only shard `index` of `count` (1-based); `SEEDLOOP_SHARD` overrides it.
    ///
    /// ```
    /// let shard = |i| harness::Check::new().seeds(10).shard(i, 2).no_regressions().explore(|| async {});
    /// let (first, second) = (shard(1).seeds_run, shard(2).seeds_run);
    /// assert_eq!(first.len() + second.len(), 10);
    /// assert!(first.iter().all(|s| !second.contains(s)));
    /// ```
    pub fn shard(mut self, index: u64, count: u64) -> Self {
        self.shard = Some(Shard::new(index, count));
        self
    }

    /// Step limit per run ([`RunOptions::max_steps`]); `SEEDLOOP_MAX_STEPS` overrides it.
    ///
    /// ```
    /// let outcome = harness::Check::new().seeds(1).max_steps(100).no_regressions().explore(|| async {
    ///     while sim::time::now() == sim::time::Instant::ZERO {
    ///         sim::task::yield_now().await; // a spin loop: the clock never moves
    ///     }
    /// });
    /// assert_eq!(outcome.report.unwrap().failure.kind, harness::FailureKind::Sim(sim::SimErrorKind::StepLimit));
    /// ```
    pub fn max_steps(mut self, steps: u64) -> Self {
        self.options.max_steps = steps;
        self
    }

    /// Virtual-time limit per run ([`RunOptions::max_time`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// let outcome = harness::Check::new().seeds(1).max_time(Duration::from_secs(10)).no_regressions()
    ///     .explore(|| async { sim::time::sleep(Duration::from_secs(60)).await });
    /// assert_eq!(outcome.report.unwrap().failure.kind, harness::FailureKind::Sim(sim::SimErrorKind::TimeLimit));
    /// ```
    pub fn max_time(mut self, limit: Duration) -> Self {
        self.options.max_time = Some(limit);
        self
    }

    /// Whether tasks left running when the body returns fail the run (default no).
    ///
    /// ```
    /// let leaves_a_task = || async { drop(sim::spawn(std::future::pending::<()>())); };
    /// let check = || harness::Check::new().seeds(1).no_regressions();
    /// assert!(check().explore(leaves_a_task).passed());
    /// assert!(!check().fail_on_leftover_tasks(true).explore(leaves_a_task).passed());
    /// ```
    pub fn fail_on_leftover_tasks(mut self, yes: bool) -> Self {
        self.options.fail_on_leftover_tasks = yes;
        self
    }

    /// Every limit and policy of the runs at once (replacing those set before). Replay tokens
    /// carry them, so a failure replays under the options it was found with.
    ///
    /// ```
    /// let options = sim::RunOptions::default().fail_on_unobserved_panic(false);
    /// let outcome = harness::Check::new().seeds(4).no_regressions().options(options).explore(|| async {
    ///     sim::spawn(async { panic!("nobody awaits me") });
    /// });
    /// assert!(outcome.passed());
    /// ```
    pub fn options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets the run option called `name` (any of [`sim::options::OPTIONS`]) from text, as
    /// [`RunOptions::set`] reads it: `#[harness::test(max_poll_time = "100ms")]` is
    /// `.option("max_poll_time", "100ms")`.
    ///
    /// ```
    /// let outcome = harness::Check::new()
    ///     .seeds(1)
    ///     .no_regressions()
    ///     .option("max_poll_time", "100ms")
    ///     .explore(|| async { sim::task::block_for(std::time::Duration::from_secs(1)) });
    /// let kind = outcome.report.unwrap().failure.kind;
    /// assert_eq!(kind, harness::FailureKind::Sim(sim::SimErrorKind::Starvation));
    /// ```
    ///
    /// # Panics
    /// On an unknown name or a value the option cannot take, naming the option and the forms
    /// it accepts.
    #[track_caller]
    pub fn option(mut self, name: &str, text: &str) -> Self {
        if let Err(e) = self.options.set(name, text) {
            panic!("seedloop: Check::option({name:?}, {text:?}): {e}");
        }
        self
    }

    /// Read `SEEDLOOP_*` from `env` instead of the process (for testing the harness).
    ///
    /// ```
    /// let env = harness::Env::empty().with("SEEDLOOP_SEEDS", "5..7");
    /// let outcome = harness::Check::new().env(env).no_regressions().explore(|| async {});
    /// assert_eq!(outcome.seeds_run, [5, 6]);
    /// ```
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// Save and re-run failing tokens in `dir` (default `<crate>/seedloop-regressions/`).
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("harness-doc-regressions-{}", std::process::id()));
    /// let check = || harness::Check::new().seeds(16).regressions_dir(&dir).test_name("fails");
    /// let first = check().explore(|| async { Err::<(), _>(format!("{}", sim::rand::range(0..4u64))) });
    /// assert!(!first.passed() && !first.from_regressions);
    /// // The next run replays the saved token before sweeping any seed.
    /// let again = check().explore(|| async { Err::<(), _>(format!("{}", sim::rand::range(0..4u64))) });
    /// assert!(again.from_regressions && again.schedules_run == 0);
    /// std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn regressions_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.regressions_dir = Some(dir.into());
        self.regressions = true;
        self
    }

    /// Neither save nor re-run regressions.
    ///
    /// ```
    /// let outcome = harness::Check::new().seeds(1).no_regressions().explore(|| async { Err::<(), _>("no") });
    /// assert!(!outcome.passed());
    /// assert!(!outcome.notes.iter().any(|n| n.contains("saved")), "nothing saved: {:?}", outcome.notes);
    /// ```
    pub fn no_regressions(self) -> Self {
        self.regressions(false)
    }

    /// Whether to save failing tokens and re-run saved ones first (default yes).
    ///
    /// ```
    /// let outcome = harness::Check::new().seeds(2).regressions(false).explore(|| async {});
    /// assert!(outcome.passed() && !outcome.from_regressions);
    /// ```
    pub fn regressions(mut self, yes: bool) -> Self {
        self.regressions = yes;
        self
    }

    /// Whether to shrink the failing schedule (default yes).
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
    /// let raw = harness::Check::new().no_regressions().shrink(false).explore(racy);
    /// assert!(raw.shrunk.is_none());
    /// assert!(raw.failure_text().unwrap().contains("note: not shrunk (Check::shrink(false))"));
    /// ```
    pub fn shrink(mut self, yes: bool) -> Self {
        self.shrink = yes;
        self
    }

    /// At most this many runs for shrinking (default [`DEFAULT_SHRINK_BUDGET`]).
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
    /// let outcome = harness::Check::new().no_regressions().shrink_budget(50).explore(racy);
    /// assert!(outcome.shrunk.unwrap().runs <= 50);
    /// ```
    pub fn shrink_budget(mut self, runs: u32) -> Self {
        self.shrink_budget = runs;
        self
    }

    /// Keep sweeping after the first failure, counting failures (only the first is reported).
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
    /// let all = harness::Check::new().seeds(50).no_regressions().keep_going(true).explore(racy);
    /// assert_eq!(all.schedules_run, 50);
    /// assert!(all.failures > 1);
    /// ```
    pub fn keep_going(mut self, yes: bool) -> Self {
        self.keep_going = yes;
        self
    }

    /// When a long sweep starts printing its progress on stderr (default 3 s of real time): a
    /// line every few seconds with the seeds done, the rate and the failures so far, and one at
    /// the end. The lines pass libtest's output capture, so they show as the test runs; they
    /// are kept in [`Outcome::notes`] too. `Duration::MAX` never prints them.
    ///
    /// ```
    /// use std::time::Duration;
    /// let outcome = harness::Check::new()
    ///     .seeds(10)
    ///     .no_regressions()
    ///     .progress_after(Duration::ZERO)
    ///     .explore(|| async {});
    /// assert!(outcome.notes[0].starts_with("seedloop: this check: 0 of 10 seeds (0%) in "));
    /// assert!(outcome.notes.last().unwrap().starts_with("seedloop: this check: swept 10 seeds in "));
    /// ```
    pub fn progress_after(mut self, after: Duration) -> Self {
        self.progress_after = after;
        self
    }

    /// Faults to explore: `faults` is applied at the start of every run (sweep, shrinking and
    /// replay), so each seed draws its own latencies, losses and torn writes as recorded
    /// decisions. The report names the faults of the failing run on a `note: faults:` line.
    /// The program's own `sim::net::configure` / `sim::fs::configure` calls replace it from
    /// where they run. A token found with faults replays through a check with the same faults
    /// (`SEEDLOOP_REPLAY` re-runs the test, which sets them); [`crate::replay`] runs the body
    /// alone, so there the body must apply them.
    ///
    /// ```
    /// use futures::AsyncWriteExt;
    /// let faults = harness::FaultConfig::new().fs(sim::fs::FsConfig::default().torn_writes(true));
    /// let outcome = harness::Check::new().seeds(32).no_regressions().faults(faults).explore(|| async {
    ///     let db = sim::host::host("db");
    ///     db.spawn(async {
    ///         let mut f = sim::fs::File::create("wal").await.unwrap();
    ///         f.write_all(b"put a\n").await.unwrap(); // bug: no sync_all
    ///     }).await.unwrap();
    ///     db.crash();
    ///     db.restart();
    ///     let wal = db.spawn(async { sim::fs::read("wal").await.unwrap() }).await.unwrap();
    ///     assert_eq!(wal, b"put a\n", "the write was lost");
    /// });
    /// let report = outcome.report.expect("some seed loses the unsynced write").to_string();
    /// assert!(report.contains("note: faults: t=0s host db crashed; t=0s fs: crash of db kept 0 of 1"));
    /// ```
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// The check's name, for its replay token and its regressions file (default: the name
    /// libtest gave the current thread). In a table-driven test, name each row: the printed
    /// line still runs the test by its libtest name, and the token it carries replays only in
    /// the row that failed (the other rows sweep as usual).
    ///
    /// ```
    /// for (row, workers) in [("one_worker", 1), ("two_workers", 2)] {
    ///     let outcome = harness::Check::new().test_name(row).no_regressions().explore(|| async move {
    ///         let hits = std::rc::Rc::new(std::cell::Cell::new(0));
    ///         let hs: Vec<_> = (0..workers).map(|_| {
    ///             let hits = hits.clone();
    ///             sim::spawn(async move {
    ///                 let read = hits.get();
    ///                 sim::task::maybe_yield().await;
    ///                 hits.set(read + 1);
    ///             })
    ///         }).collect();
    ///         for h in hs { h.await.unwrap(); }
    ///         assert_eq!(hits.get(), workers, "lost update");
    ///     });
    ///     assert_eq!(outcome.passed(), workers == 1);
    ///     if let Some(report) = outcome.report {
    ///         assert_eq!(report.token.test, harness::test_name_hash("two_workers"));
    ///     }
    /// }
    /// ```
    pub fn test_name(mut self, name: &str) -> Self {
        self.case = Some(name.to_string());
        self
    }

    /// Where the test is, whole, instead of what the process tells ([`TestContext::detect`]):
    /// for tools that run checks outside `cargo test` and print their own commands.
    ///
    /// ```
    /// let context = harness::TestContext { name: Some("my_tool/case".into()), ..Default::default() };
    /// let outcome = harness::Check::new().seeds(1).no_regressions().context(context)
    ///     .explore(|| async { Err::<(), _>("no") });
    /// let token = outcome.report.unwrap().token;
    /// assert_eq!(token.test, harness::test_name_hash("my_tool/case"));
    /// ```
    pub fn context(mut self, context: TestContext) -> Self {
        self.context = Some(context);
        self
    }

    /// An environment assignment the printed `cargo test` lines start with, for a test that
    /// runs as reported only when built with it (see [`TestContext::env`]).
    ///
    /// ```
    /// let check = harness::Check::new().cargo_env(r#"RUSTFLAGS="--cfg seedloop""#);
    /// # let _ = check;
    /// ```
    pub fn cargo_env(mut self, assignment: impl Into<String>) -> Self {
        self.cargo_env.push(assignment.into());
        self
    }

    /// An option of `cargo test` the printed lines carry (see [`TestContext::cargo_args`]).
    ///
    /// ```
    /// let check = harness::Check::new().cargo_arg("--target-dir").cargo_arg("target/seedloop");
    /// # let _ = check;
    /// ```
    pub fn cargo_arg(mut self, arg: impl Into<String>) -> Self {
        self.cargo_args.push(arg.into());
        self
    }

    /// Set by `#[harness::test]`: whether the test was compiled as an integration test.
    #[doc(hidden)]
    pub fn __integration_test(mut self, yes: bool) -> Self {
        self.integration = Some(yes);
        self
    }

    /// The context the check reports with: given, or detected, with its case.
    fn resolved_context(&self) -> TestContext {
        let mut context = self
            .context
            .clone()
            .unwrap_or_else(|| TestContext::detect_from(self.caller, self.integration));
        context.env.extend(self.cargo_env.iter().cloned());
        context.cargo_args.extend(self.cargo_args.iter().cloned());
        if let Some(case) = &self.case {
            match &context.name {
                // A check outside libtest (a doctest, a `harness = false` target) has no other
                // name: its own is the filter.
                None => context.name = Some(case.clone()),
                Some(name) if name != case => context.case = Some(case.clone()),
                Some(_) => {}
            }
        }
        context
    }

    /// Sweeps and panics with the report at the first failure.
    ///
    /// # Panics
    /// With the report when a run fails, or on a malformed `SEEDLOOP_*` variable or token.
    ///
    /// ```
    /// let failed = std::panic::catch_unwind(|| {
    ///     harness::Check::new().seeds(4).no_regressions().run(|| async { Err::<(), _>("broken") })
    /// });
    /// let report = failed.unwrap_err().downcast::<String>().unwrap();
    /// assert!(report.contains("\"broken\""));
    /// ```
    #[track_caller]
    pub fn run<F, Fut>(self, body: F)
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestOutput,
    {
        if let Some(text) = self.explore(body).failure_text() {
            panic!("{text}");
        }
    }

    /// Sweeps and returns what happened instead of panicking.
    ///
    /// # Panics
    /// On a malformed `SEEDLOOP_*` variable or replay token.
    ///
    /// ```
    /// let outcome = harness::Check::new().seeds(16).no_regressions().explore(|| async {
    ///     if sim::rand::range(0..4u64) == 3 { Err("drew a 3") } else { Ok(()) }
    /// });
    /// let seed = outcome.failing_seed.expect("a seed draws 3");
    /// assert_eq!(outcome.seeds_run.last(), Some(&seed)); // the sweep stopped there
    /// ```
    pub fn explore<F, Fut>(self, body: F) -> Outcome
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestOutput,
    {
        if let Err(problem) = self.env.check() {
            panic!("{problem}");
        }
        let faults = self.faults.clone();
        let body = move || {
            let fut = body();
            let faults = faults.clone();
            async move {
                faults.apply();
                fut.await
            }
        };
        let context = self.resolved_context();
        let full_trace = self.env.full_trace();
        let _guard = self.env.hang_budget().map(|budget| {
            let setting = self.env.text(crate::env::HANG_SECS).unwrap_or_default();
            crate::hang::install(budget, setting, context.name.as_deref(), context.command())
        });
        let mut options = self.options.clone();
        if let Some(steps) = self.env.max_steps() {
            options.max_steps = steps;
        }
        let not_shrunk = match (self.env.text(crate::env::NO_SHRINK), self.shrink) {
            (Some(v), _) if self.env.no_shrink() => Some(format!("{}={v}", crate::env::NO_SHRINK)),
            (_, false) => Some("Check::shrink(false)".to_string()),
            _ => None,
        };
        let mut notes = Vec::new();
        if let Some(token) = self.env.replay() {
            match replay_outcome(token, &body, context.clone()) {
                Ok(out) => return with_full_trace(out, full_trace, &body),
                Err(line) => note(&mut notes, line),
            }
        }
        let strategy = self
            .env
            .strategy()
            .or(self.strategy.clone())
            .unwrap_or_default();
        let seeds = self.env.seeds().or(self.seeds.clone()).unwrap_or_default();
        let shard = self.env.shard().or(self.shard);
        let mut out = Outcome {
            notes,
            ..Outcome::default()
        };
        let regressions = self.regressions_file(&context, &mut out.notes);

        match rerun_regressions(regressions.as_ref(), &body, &context, &mut out.notes) {
            Rerun::Clean => {}
            Rerun::Failed(report) => {
                out.failures = 1;
                out.from_regressions = true;
                out.report = Some(report);
                return with_full_trace(out, full_trace, &body);
            }
            Rerun::Nondeterministic(text) => {
                out.failures = 1;
                out.from_regressions = true;
                out.nondeterminism = Some(text);
                return out;
            }
        }
        self.note_empty_sweep(&seeds, shard, &context, &mut out.notes);
        // PCT spreads its change points over the program's own length: one Fifo run (seed 0,
        // so a re-run of any seed learns the same `k`) before the sweep.
        let strategy = strategy.learned(|fifo| {
            run_once(&options, 0, fifo, TraceLevel::Decisions, &body);
        });

        // Every run's interleaving hash, counted distinct at the end (a push per seed, where a
        // set would search and allocate).
        let mut interleavings = Vec::new();
        let mut progress = Progress::new(
            who(&context),
            shard.map_or(seeds.len(), |s| s.count_of(seeds.len())),
            strategy.name().to_string(),
            self.progress_after,
        );
        let mut sweep = Sweep::new(&options, strategy.clone(), TraceLevel::Decisions);
        let mut last_steps = 0;
        for (pos, seed) in seeds.iter().enumerate() {
            if shard.is_some_and(|s| !s.takes(pos as u64)) {
                continue;
            }
            if let Some(line) = progress.tick(out.schedules_run, out.failures, last_steps) {
                note_now(&mut out.notes, line);
            }
            let failure = sweep.run(seed, &body);
            let stats = sweep.trace().stats();
            last_steps = stats.steps;
            out.schedules_run += 1;
            out.seeds_run.push(seed);
            interleavings.push(stats.interleaving);
            out.foreign_awaits += stats.foreign_awaits;
            let Some(failure) = failure else {
                continue;
            };
            out.failures += 1;
            if out.failures == 1 {
                out.schedules_to_first_failure = Some(out.schedules_run);
                out.failing_seed = Some(seed);
                let found = Found {
                    seed,
                    strategy: &strategy,
                    options: &options,
                    failure,
                    schedule: sweep.trace().schedule().clone(),
                    schedules_run: out.schedules_run,
                };
                match found.confirm_and_report(
                    &body,
                    &context,
                    not_shrunk.is_none().then_some(self.shrink_budget),
                ) {
                    Ok((mut report, shrunk)) => {
                        report.origin = Origin::Found {
                            not_shrunk: not_shrunk.clone(),
                        };
                        if let (Some(reg), Some(name)) = (&regressions, context.check_name()) {
                            note(
                                &mut out.notes,
                                match reg.save(name, &report.token_text) {
                                    Ok(()) => format!(
                                        "seedloop: saved the failing token to {}; `{name}` \
                                         replays it first from now on (commit the file)",
                                        reg.path().display()
                                    ),
                                    Err(e) => format!(
                                        "seedloop: could not save the failing token to {}: {e}",
                                        reg.path().display()
                                    ),
                                },
                            );
                        }
                        out.report = Some(report);
                        out.shrunk = shrunk;
                    }
                    Err(text) => out.nondeterminism = Some(text),
                }
            }
            if !self.keep_going {
                break;
            }
        }
        if let Some(line) = progress.finish(out.schedules_run, out.failures) {
            note_now(&mut out.notes, line);
        }
        interleavings.sort_unstable();
        interleavings.dedup();
        out.distinct_interleavings = interleavings.len();
        if out.foreign_awaits > 0 {
            note(
                &mut out.notes,
                format!(
                    "seedloop: {}: {}",
                    who(&context),
                    crate::report::foreign_awaits_line(out.foreign_awaits, out.schedules_run)
                ),
            );
        }
        with_full_trace(out, full_trace, &body)
    }

    /// A sweep that will run no seed says so. From the environment that is an error (raised
    /// by [`Env::seeds`]); from the code (an empty list, a reversed range) or a shard that
    /// holds none of the seeds, a line.
    fn note_empty_sweep(
        &self,
        seeds: &Seeds,
        shard: Option<Shard>,
        context: &TestContext,
        notes: &mut Vec<String>,
    ) {
        let who = who(context);
        if seeds.is_empty() {
            note(
                notes,
                format!(
                    "seedloop: {who} sweeps no seed: its seed list ({seeds}) is empty; only its \
                     saved regressions ran"
                ),
            );
            return;
        }
        let Some(shard) = shard else { return };
        if (0..seeds.len()).any(|pos| shard.takes(pos)) {
            return;
        }
        let from = match self.env.text(crate::env::SHARD) {
            Some(text) => format!("{}={text}", crate::env::SHARD),
            None => format!("shard {shard} (Check::shard)"),
        };
        note(
            notes,
            format!(
                "seedloop: {from} holds no seed of {who}, which has {} ({seeds}); nothing ran in \
                 this shard",
                seeds.len()
            ),
        );
    }

    fn regressions_file(
        &self,
        context: &TestContext,
        notes: &mut Vec<String>,
    ) -> Option<Regressions> {
        if !self.regressions {
            return None;
        }
        crate::regressions::file_for(
            self.env.regressions(),
            self.regressions_dir.as_deref(),
            context,
            notes,
        )
    }
}

/// `` `name` `` or `this check`, for lines about a check.
fn who(context: &TestContext) -> String {
    context
        .check_name()
        .map_or_else(|| "this check".to_string(), |n| format!("`{n}`"))
}

/// The outcome with its report set to print the whole trace or its tail. A whole trace longer
/// than a run keeps is streamed to stderr by one more replay, line by line, in bounded memory.
fn with_full_trace<F, Fut>(mut out: Outcome, full_trace: bool, body: &F) -> Outcome
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    if let Some(r) = &mut out.report {
        r.full_trace = full_trace;
        if full_trace && r.trace.dropped_events() > 0 {
            crate::replay::stream_trace(&r.token, body);
        }
    }
    out
}
