//! The entry point: sweep seeds, and on the first failure confirm, shrink, save and report it.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use sim::{Strategy, TraceLevel};

use crate::determinism::{Nondeterminism, compare_schedules, compare_traces};
use crate::env::{Env, RegressionsSetting};
use crate::faults::FaultConfig;
use crate::regressions::Regressions;
use crate::replay::{Replayed, nondeterminism_text, replay_parsed};
use crate::report::{Report, TestContext};
use crate::seeds::{Seeds, Shard};
use crate::shrink::{Complexity, DEFAULT_SHRINK_BUDGET, Shrunk, shrink};
use crate::sweep::{Failure, FailureKind, Limits, TestOutput, run_once};
use crate::token::{Token, test_name_hash};

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
/// (see [`crate::env`]).
///
/// ```
/// use std::time::Duration;
/// let outcome = harness::Check::new()
///     .seeds(10..20)
///     .strategy(sim::Strategy::random())
///     .max_steps(10_000)
///     .max_time(Duration::from_secs(60))
///     .explore(|| async { sim::time::sleep(Duration::from_secs(1)).await });
/// assert!(outcome.passed());
/// assert_eq!(outcome.schedules_run, 10);
/// ```
#[derive(Clone, Debug)]
pub struct Check {
    seeds: Option<Seeds>,
    strategy: Option<Strategy>,
    shard: Option<Shard>,
    limits: Limits,
    env: Env,
    regressions_dir: Option<PathBuf>,
    regressions: bool,
    shrink: bool,
    shrink_budget: u32,
    keep_going: bool,
    context: Option<TestContext>,
    faults: FaultConfig,
}

impl Default for Check {
    fn default() -> Self {
        Check::new()
    }
}

/// What a sweep found: for tools and benchmarks ([`Check::explore`]).
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
}

impl Outcome {
    /// True when nothing failed.
    pub fn passed(&self) -> bool {
        self.report.is_none() && self.nondeterminism.is_none()
    }

    /// The text `Check::run` panics with, if anything failed.
    pub fn failure_text(&self) -> Option<String> {
        if let Some(n) = &self.nondeterminism {
            return Some(n.clone());
        }
        self.report.as_ref().map(|r| r.to_string())
    }
}

impl Check {
    /// A check with the default seeds and strategy, reading `SEEDLOOP_*` from the process.
    pub fn new() -> Check {
        Check {
            seeds: None,
            strategy: None,
            shard: None,
            limits: Limits::default(),
            env: Env::from_process(),
            regressions_dir: None,
            regressions: true,
            shrink: true,
            shrink_budget: DEFAULT_SHRINK_BUDGET,
            keep_going: false,
            context: None,
            faults: FaultConfig::new(),
        }
    }

    /// The seeds: a count (`100` = `0..100`), a range, or a list.
    pub fn seeds(mut self, seeds: impl Into<Seeds>) -> Self {
        self.seeds = Some(seeds.into());
        self
    }

    /// The strategy (default [`Strategy::random`]); `SEEDLOOP_STRATEGY` overrides it.
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = Some(strategy);
        self
    }

    /// Run only shard `index` of `count` (1-based); `SEEDLOOP_SHARD` overrides it.
    pub fn shard(mut self, index: u64, count: u64) -> Self {
        self.shard = Some(Shard::new(index, count));
        self
    }

    /// Step limit per run (task polls).
    pub fn max_steps(mut self, steps: u64) -> Self {
        self.limits.max_steps = steps;
        self
    }

    /// Virtual-time limit per run.
    pub fn max_time(mut self, limit: Duration) -> Self {
        self.limits.max_time = Some(u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX - 1));
        self
    }

    /// Whether tasks left running when the body returns fail the run (default no).
    pub fn fail_on_leftover_tasks(mut self, yes: bool) -> Self {
        self.limits.fail_on_leftover_tasks = yes;
        self
    }

    /// Read `SEEDLOOP_*` from `env` instead of the process (for testing the harness).
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// Save and re-run failing tokens in `dir` (default `<crate>/seedloop-regressions/`).
    pub fn regressions_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.regressions_dir = Some(dir.into());
        self.regressions = true;
        self
    }

    /// Neither save nor re-run regressions.
    pub fn no_regressions(self) -> Self {
        self.regressions(false)
    }

    /// Whether to save failing tokens and re-run saved ones first (default yes).
    pub fn regressions(mut self, yes: bool) -> Self {
        self.regressions = yes;
        self
    }

    /// Whether to shrink the failing schedule (default yes).
    pub fn shrink(mut self, yes: bool) -> Self {
        self.shrink = yes;
        self
    }

    /// At most this many runs for shrinking (default [`DEFAULT_SHRINK_BUDGET`]).
    pub fn shrink_budget(mut self, runs: u32) -> Self {
        self.shrink_budget = runs;
        self
    }

    /// Keep sweeping after the first failure, counting failures (only the first is reported).
    pub fn keep_going(mut self, yes: bool) -> Self {
        self.keep_going = yes;
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

    /// The test's name for the replay line and the regressions file (default: the name libtest
    /// gave the current thread).
    pub fn test_name(mut self, name: &str) -> Self {
        let mut ctx = self.context.take().unwrap_or_else(TestContext::detect);
        ctx.name = Some(name.to_string());
        self.context = Some(ctx);
        self
    }

    /// Sweeps and panics with the report at the first failure.
    ///
    /// # Panics
    /// With the report when a run fails, or on a malformed `SEEDLOOP_*` variable or token.
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
    pub fn explore<F, Fut>(self, body: F) -> Outcome
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestOutput,
    {
        let faults = self.faults.clone();
        let body = move || {
            let fut = body();
            let faults = faults.clone();
            async move {
                faults.apply();
                fut.await
            }
        };
        let context = self.context.clone().unwrap_or_else(TestContext::detect);
        let mut limits = self.limits;
        if let Some(steps) = self.env.max_steps() {
            limits.max_steps = steps;
        }
        let shrink_on = self.shrink && !self.env.no_shrink();
        if let Some(token) = self.env.replay() {
            if let Some(out) = replay_outcome(token, &body, context.clone()) {
                return out;
            }
        }
        let strategy = self
            .env
            .strategy()
            .or(self.strategy.clone())
            .unwrap_or_default();
        let seeds = self.env.seeds().or(self.seeds.clone()).unwrap_or_default();
        let shard = self.env.shard().or(self.shard);
        let regressions = self.regressions_file(&context);
        let mut out = Outcome::default();

        if let Some(report) = rerun_regressions(regressions.as_ref(), &body, &context) {
            out.failures = 1;
            out.from_regressions = true;
            out.report = Some(report);
            return out;
        }

        let mut interleavings = BTreeSet::new();
        for (pos, seed) in seeds.iter().enumerate() {
            if shard.is_some_and(|s| !s.takes(pos as u64)) {
                continue;
            }
            let sim = limits.sim(seed, strategy.clone(), TraceLevel::Decisions);
            let result = run_once(sim, &body);
            out.schedules_run += 1;
            out.seeds_run.push(seed);
            interleavings.insert(result.trace.stats().interleaving);
            let Some(failure) = result.failure else {
                continue;
            };
            out.failures += 1;
            if out.failures == 1 {
                out.schedules_to_first_failure = Some(out.schedules_run);
                out.failing_seed = Some(seed);
                let found = Found {
                    seed,
                    strategy: &strategy,
                    limits,
                    failure,
                    schedule: result.trace.schedule().clone(),
                    schedules_run: out.schedules_run,
                };
                match found.confirm_and_report(
                    &body,
                    &context,
                    shrink_on.then_some(self.shrink_budget),
                ) {
                    Ok((report, shrunk)) => {
                        if let (Some(reg), Some(name)) = (&regressions, &context.name) {
                            match reg.save(name, &report.token_text) {
                                Ok(()) => eprintln!(
                                    "seedloop: saved the failing token to {}; `{name}` replays \
                                     it first from now on (commit the file)",
                                    reg.path().display()
                                ),
                                Err(e) => eprintln!(
                                    "seedloop: could not save the failing token to {}: {e}",
                                    reg.path().display()
                                ),
                            }
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
        out.distinct_interleavings = interleavings.len();
        out
    }

    fn regressions_file(&self, context: &TestContext) -> Option<Regressions> {
        if !self.regressions {
            return None;
        }
        let dir = match self.env.regressions() {
            RegressionsSetting::Off => return None,
            RegressionsSetting::Dir(d) => d,
            RegressionsSetting::Unset => match &self.regressions_dir {
                Some(d) => d.clone(),
                None => PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?)
                    .join("seedloop-regressions"),
            },
        };
        let target = context.target.as_deref().unwrap_or("lib");
        Some(Regressions::new(&dir, target))
    }
}

/// Replays the saved tokens of the test; the report of the first that still fails.
fn rerun_regressions<F, Fut>(
    regressions: Option<&Regressions>,
    body: &F,
    context: &TestContext,
) -> Option<Box<Report>>
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    let (reg, name) = (regressions?, context.name.as_ref()?);
    for text in reg.tokens(name) {
        let Ok(token) = Token::parse(&text) else {
            eprintln!(
                "seedloop: skipping an unreadable token for `{name}` in {}",
                reg.path().display()
            );
            continue;
        };
        match replay_parsed(token, body, context.clone()) {
            Replayed::Failed(r) if r.failure.kind == FailureKind::Diverged => eprintln!(
                "seedloop: a saved token for `{name}` in {} no longer fits the program (it \
                 diverges); skipping it",
                reg.path().display()
            ),
            Replayed::Failed(r) => return Some(r),
            Replayed::Passed | Replayed::Nondeterministic(_) => {}
        }
    }
    None
}

/// The first failure of a sweep, as found (at `TraceLevel::Decisions`).
struct Found<'s> {
    seed: u64,
    strategy: &'s Strategy,
    limits: Limits,
    failure: Failure,
    schedule: sim::schedule::Schedule,
    schedules_run: u64,
}

impl Found<'_> {
    /// Re-runs the seed at full level twice (the same decisions and the same trace, or it is
    /// nondeterminism), shrinks, and builds the report from a replay of the shrunk token.
    fn confirm_and_report<F, Fut>(
        self,
        body: &F,
        context: &TestContext,
        shrink_budget: Option<u32>,
    ) -> Result<(Box<Report>, Option<Shrunk>), String>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestOutput,
    {
        let what = format!("seed {} (strategy {})", self.seed, self.strategy);
        let full = || {
            let sim = self
                .limits
                .sim(self.seed, self.strategy.clone(), TraceLevel::Full);
            run_once(sim, body)
        };
        let (a, b) = (full(), full());
        let differs = compare_schedules(&self.schedule, a.trace.schedule())
            .or_else(|| compare_traces(&a.trace, &b.trace))
            .or_else(|| {
                let same = matches!((&a.failure, &b.failure), (Some(x), Some(y)) if x.same_as(&self.failure) && y.same_as(&self.failure));
                (!same).then(|| Nondeterminism {
                    at: "the end".to_string(),
                    first: format!("failed with: {}", self.failure.description),
                    second: match &a.failure {
                        Some(f) => format!("failed with: {}", f.description),
                        None => "passed".to_string(),
                    },
                })
            });
        if let Some(n) = differs {
            return Err(nondeterminism_text(&what, &n));
        }
        let schedule = a.trace.schedule().clone();
        let shrunk = shrink_budget.map(|budget| {
            shrink(
                body,
                self.seed,
                self.limits,
                &self.failure,
                &schedule,
                budget,
            )
        });
        let before = shrunk.as_ref().map_or(
            Complexity {
                preemptions: schedule.preemptions(),
                ..Complexity::default()
            },
            |s| s.before,
        );
        let token_for = |schedule: sim::schedule::Schedule| {
            Token::new(
                self.seed,
                self.strategy.name(),
                self.schedules_run,
                before.preemptions as u64,
                self.limits,
                schedule,
            )
            .for_test(context.name.as_deref())
        };
        let candidates = shrunk
            .iter()
            .map(|s| s.schedule.clone())
            .chain(std::iter::once(schedule));
        for s in candidates {
            match replay_parsed(token_for(s), body, context.clone()) {
                Replayed::Failed(r) if r.failure.same_as(&self.failure) => {
                    return Ok((r, shrunk));
                }
                Replayed::Nondeterministic(n) => return Err(nondeterminism_text(&what, &n)),
                _ => {}
            }
        }
        Err(nondeterminism_text(
            &what,
            &Nondeterminism {
                at: "its replay".to_string(),
                first: format!("failed with: {}", self.failure.description),
                second: "the recorded schedule, replayed, did not fail the same way".to_string(),
            },
        ))
    }
}

/// The `SEEDLOOP_REPLAY` path: `None` when the token belongs to another test (a whole suite
/// runs with the variable set; only the test that found it replays it).
fn replay_outcome<F, Fut>(token: &str, body: &F, context: TestContext) -> Option<Outcome>
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    let parsed = Token::parse(token)
        .unwrap_or_else(|e| panic!("seedloop: SEEDLOOP_REPLAY={token:?} cannot be used: {e}"));
    match &context.name {
        Some(name) if parsed.test != 0 && parsed.test != test_name_hash(name) => {
            eprintln!(
                "seedloop: SEEDLOOP_REPLAY holds a token of another test; `{name}` sweeps its \
                 seeds as usual"
            );
            return None;
        }
        // A check that cannot name itself (a doctest, a `main` thread) must not adopt another
        // test's token: with `SEEDLOOP_REPLAY` set for one test, every nameless check in the
        // same `cargo test` run would otherwise replay it.
        None if parsed.test != 0 => {
            eprintln!(
                "seedloop: SEEDLOOP_REPLAY holds a token of a named test, and this check has no \
                 test name; it sweeps its seeds as usual (set Check::test_name to replay here)"
            );
            return None;
        }
        _ => {}
    }
    let mut out = Outcome {
        schedules_run: 1,
        seeds_run: vec![parsed.seed],
        ..Outcome::default()
    };
    match replay_parsed(parsed, body, context) {
        Replayed::Passed => {}
        Replayed::Failed(r) => {
            out.failures = 1;
            out.schedules_to_first_failure = Some(1);
            out.failing_seed = Some(r.token.seed);
            out.report = Some(r);
        }
        Replayed::Nondeterministic(n) => {
            out.failures = 1;
            out.nondeterminism = Some(nondeterminism_text("the replay token", &n));
        }
    }
    out.distinct_interleavings = 1;
    Some(out)
}
