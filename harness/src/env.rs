//! Every environment variable seedloop reads, in one place.
//!
//! | variable | value | effect |
//! |---|---|---|
//! | `SEEDLOOP_SEEDS` | `N` or `A..B` | run seeds `0..N` (or `A..B`) instead of the test's own list: raise it in CI or when hunting |
//! | `SEEDLOOP_SEED` | `S` | run exactly seed `S` (with the test's strategy) |
//! | `SEEDLOOP_REPLAY` | a replay token `sl2.….…` (or `sl1.` from an older seedloop) | the test that found the token replays that one execution instead of sweeping, and reports it; other tests sweep as usual |
//! | `SEEDLOOP_STRATEGY` | `fifo`, `random`, `pct3`, `portfolio(random,pct3)`, … | override the test's strategy (see [`parse_strategy`]) |
//! | `SEEDLOOP_SHARD` | `K/N` (1-based) | run only the seeds at positions `i` of the list with `i % N == K - 1` |
//! | `SEEDLOOP_MAX_STEPS` | `N` | step limit per run ([`sim::RunOptions::max_steps`]) |
//! | `SEEDLOOP_REGRESSIONS` | a directory, or `off` | where failing tokens are saved and re-run first (default `<crate>/seedloop-regressions/`) |
//! | `SEEDLOOP_NO_SHRINK` | `1` | report the failing schedule as found, without shrinking |
//! | `SEEDLOOP_TRACE` | `full` or `tail` | how much of the reported run's trace a failure report prints: `tail` (the default) the last [`crate::TAIL_EVENTS`] events, `full` every event, in the report itself |
//! | `SEEDLOOP_HANG_SECS` | seconds, such as `60` or `2.5` | the real-time hang guard: a run that takes longer ends the process with a report of where it is stuck (see below) |
//! | `SEEDLOOP_FUZZ_ITERATIONS` | `N` | read by seedloop's own test suite only: how many mutated replay tokens its token test decodes (default 100000) |
//! | `SEEDLOOP_BENCH_N`, `SEEDLOOP_BENCH_REPS` | `N` | read by `cargo bench -p seedloop-bench` only: the size and repetitions of a benchmark |
//!
//! The variables are read once per [`crate::Check`], and checked before it runs anything:
//! a variable whose value is malformed, empty, or selects no seed at all, and a `SEEDLOOP_*`
//! variable that is not in this table (a typo such as `SEEDLOOP_SEDS`), panic at once with a
//! message naming the variable, its value and the accepted forms: a typo never silently runs
//! the default. A shard that holds none of a test's seeds (`SEEDLOOP_SHARD=8/8` for a test of 3
//! seeds) is not an error, since CI splits every test the same way, but it prints a line
//! saying so. Tests of the harness itself pass an explicit [`Env`] with
//! [`crate::Check::env`] instead of mutating the process environment.
//!
//! ## The hang guard and its limits
//!
//! Every limit of a run (steps, virtual time, `max_poll_time`) is checked between polls, so a
//! task that computes forever without reaching an `.await` (`loop {}`, a busy-wait on an
//! atomic, a blocking call on a real lock or socket) cannot be stopped by a single-threaded
//! executor: the test would hang until CI kills it, with no word of where. With
//! `SEEDLOOP_HANG_SECS=N` set, each check starts a watchdog thread; when one run (of the sweep,
//! the confirmation, the shrinking or a regression replay) takes more than `N` seconds of real
//! time, it prints the task being polled, its spawn site, the virtual time, the step, the seed
//! and the strategy, and ends the process with status 101. The guard never changes the verdict
//! of a run that finishes in time (it only reads the [`sim::Beacon`] the run writes), but it
//! cannot tell a stuck run from a slow one: it says which it saw (one poll that never returned,
//! or polls still moving), and a budget must leave room for the slowest legitimate run. It
//! covers [`crate::Check`]; [`crate::replay`], [`crate::explore`] and `harness::proptest` runs
//! are not watched.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sim::Strategy;

use crate::seeds::{Seeds, Shard};

/// `SEEDLOOP_SEEDS`.
///
/// ```
/// use harness::env::SEEDS;
/// assert_eq!(harness::Env::empty().with(SEEDS, "3").seeds().unwrap().to_vec(), [0, 1, 2]);
/// ```
pub const SEEDS: &str = "SEEDLOOP_SEEDS";
/// `SEEDLOOP_SEED`.
///
/// ```
/// use harness::env::{SEED, SEEDS};
/// assert_eq!(harness::Env::empty().with(SEEDS, "100").with(SEED, "42").seeds().unwrap().to_vec(), [42]);
/// ```
pub const SEED: &str = "SEEDLOOP_SEED";
/// `SEEDLOOP_REPLAY`.
///
/// ```
/// assert_eq!(harness::Env::empty().with(harness::env::REPLAY, "sl2.abc").replay(), Some("sl2.abc"));
/// ```
pub const REPLAY: &str = "SEEDLOOP_REPLAY";
/// `SEEDLOOP_STRATEGY`.
///
/// ```
/// let env = harness::Env::empty().with(harness::env::STRATEGY, "pct2");
/// assert_eq!(env.strategy().unwrap().name(), "pct2");
/// ```
pub const STRATEGY: &str = "SEEDLOOP_STRATEGY";
/// `SEEDLOOP_SHARD`.
///
/// ```
/// let env = harness::Env::empty().with(harness::env::SHARD, "1/4");
/// assert_eq!(env.shard(), Some(harness::Shard::new(1, 4)));
/// ```
pub const SHARD: &str = "SEEDLOOP_SHARD";
/// `SEEDLOOP_MAX_STEPS`.
///
/// ```
/// assert_eq!(harness::Env::empty().with(harness::env::MAX_STEPS, "5000").max_steps(), Some(5000));
/// ```
pub const MAX_STEPS: &str = "SEEDLOOP_MAX_STEPS";
/// `SEEDLOOP_REGRESSIONS`.
///
/// ```
/// use harness::env::{REGRESSIONS, RegressionsSetting};
/// assert_eq!(harness::Env::empty().with(REGRESSIONS, "off").regressions(), RegressionsSetting::Off);
/// ```
pub const REGRESSIONS: &str = "SEEDLOOP_REGRESSIONS";
/// `SEEDLOOP_NO_SHRINK`.
///
/// ```
/// assert!(harness::Env::empty().with(harness::env::NO_SHRINK, "1").no_shrink());
/// ```
pub const NO_SHRINK: &str = "SEEDLOOP_NO_SHRINK";
/// `SEEDLOOP_TRACE`.
///
/// ```
/// assert!(harness::Env::empty().with(harness::env::TRACE, "full").full_trace());
/// ```
pub const TRACE: &str = "SEEDLOOP_TRACE";
/// `SEEDLOOP_HANG_SECS`.
///
/// ```
/// let env = harness::Env::empty().with(harness::env::HANG_SECS, "2.5");
/// assert_eq!(env.hang_budget(), Some(std::time::Duration::from_millis(2500)));
/// ```
pub const HANG_SECS: &str = "SEEDLOOP_HANG_SECS";
/// `SEEDLOOP_FUZZ_ITERATIONS` (seedloop's own token test).
///
/// ```
/// // Known, so setting it is not taken for a typo.
/// assert!(harness::Env::empty().with(harness::env::FUZZ_ITERATIONS, "1000000").check().is_ok());
/// ```
pub const FUZZ_ITERATIONS: &str = "SEEDLOOP_FUZZ_ITERATIONS";

/// Every variable in the table above: any other `SEEDLOOP_*` variable is a typo.
///
/// ```
/// assert!(harness::env::ALL.contains(&harness::env::SEEDS));
/// assert!(harness::Env::empty().with("SEEDLOOP_SEEDZ", "1").check().is_err());
/// ```
pub const ALL: [&str; 13] = [
    SEEDS,
    SEED,
    REPLAY,
    STRATEGY,
    SHARD,
    MAX_STEPS,
    REGRESSIONS,
    NO_SHRINK,
    TRACE,
    HANG_SECS,
    FUZZ_ITERATIONS,
    "SEEDLOOP_BENCH_N",
    "SEEDLOOP_BENCH_REPS",
];

/// The prefix every seedloop variable has.
const PREFIX: &str = "SEEDLOOP_";

/// Where failing tokens go (`SEEDLOOP_REGRESSIONS`).
///
/// ```
/// use harness::env::RegressionsSetting;
/// assert_eq!(harness::Env::empty().regressions(), RegressionsSetting::Unset);
/// assert_eq!(harness::Env::empty().with("SEEDLOOP_REGRESSIONS", "ci/regs").regressions(), RegressionsSetting::Dir("ci/regs".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegressionsSetting {
    /// Not set: the test's own choice (by default `<crate>/seedloop-regressions/`).
    Unset,
    /// `off`: neither read nor write regressions.
    Off,
    /// A directory.
    Dir(PathBuf),
}

/// A snapshot of the `SEEDLOOP_*` variables, parsed.
///
/// ```
/// let env = harness::Env::from_pairs([("SEEDLOOP_SEEDS", "10..20"), ("SEEDLOOP_SHARD", "2/3")]);
/// assert_eq!(env.seeds().unwrap().to_vec(), (10..20).collect::<Vec<u64>>());
/// assert_eq!(env.shard(), Some(harness::Shard::new(2, 3)));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// The process environment's `SEEDLOOP_*` variables (unknown ones too, so that
    /// [`Env::check`] can name a typo). A value that is not UTF-8 is kept as its lossy text
    /// and refused by the variable's own check.
    ///
    /// ```
    /// // Reads only `SEEDLOOP_*` variables; `cargo test` sets none of them by itself.
    /// let env = harness::Env::from_process();
    /// assert!(env.check().is_ok());
    /// ```
    pub fn from_process() -> Env {
        Env::from_pairs(std::env::vars_os().filter_map(|(k, v)| {
            let k = k.into_string().ok()?;
            k.starts_with(PREFIX)
                .then(|| (k, v.to_string_lossy().into_owned()))
        }))
    }

    /// No variables set.
    ///
    /// ```
    /// assert!(harness::Env::empty().seeds().is_none() && harness::Env::empty().strategy().is_none());
    /// ```
    pub fn empty() -> Env {
        Env::default()
    }

    /// The given variables (for tests and tools).
    ///
    /// ```
    /// let env = harness::Env::from_pairs([("SEEDLOOP_SEEDS", "4"), ("SEEDLOOP_NO_SHRINK", "1")]);
    /// assert_eq!(env.seeds().unwrap().len(), 4);
    /// assert!(env.no_shrink());
    /// ```
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The first problem with the variables as a whole: a `SEEDLOOP_*` variable seedloop does
    /// not read (with the nearest one it does), or one set to nothing. [`crate::Check`] panics
    /// with it before running anything.
    ///
    /// ```
    /// let typo = harness::Env::from_pairs([("SEEDLOOP_SEDS", "100")]).check().unwrap_err();
    /// assert!(typo.contains("did you mean SEEDLOOP_SEEDS?"));
    /// let empty = harness::Env::from_pairs([("SEEDLOOP_SEEDS", "")]).check().unwrap_err();
    /// assert!(empty.contains("SEEDLOOP_SEEDS is set but empty"));
    /// assert!(harness::Env::from_pairs([("SEEDLOOP_SEEDS", "9")]).check().is_ok());
    /// ```
    ///
    /// # Errors
    /// The message to show.
    pub fn check(&self) -> Result<(), String> {
        for (key, value) in &self.vars {
            if !key.starts_with(PREFIX) {
                continue;
            }
            if !ALL.contains(&key.as_str()) {
                let near = ALL
                    .iter()
                    .map(|k| (edit_distance(k, key), *k))
                    .min()
                    .filter(|(d, _)| *d <= 3)
                    .map(|(_, k)| format!("did you mean {k}? "))
                    .unwrap_or_default();
                return Err(format!(
                    "seedloop: {key}={value:?} is not a variable seedloop reads; {near}the \
                     variables are {} (see the harness::env documentation); unset it or fix \
                     its name",
                    ALL.join(", ")
                ));
            }
            if value.trim().is_empty() {
                return Err(format!(
                    "seedloop: {key} is set but empty: give it a value (see the harness::env \
                     documentation for its forms) or unset it to use the test's own setting"
                ));
            }
        }
        Ok(())
    }

    /// Sets one variable (builder style).
    ///
    /// ```
    /// let env = harness::Env::empty().with("SEEDLOOP_SEEDS", "5").with("SEEDLOOP_STRATEGY", "fifo");
    /// assert_eq!(env.seeds().unwrap().len(), 5);
    /// assert!(env.strategy().unwrap().is_fifo());
    /// ```
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Env {
        self.vars.insert(key.to_string(), value.into());
        self
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(|s| s.trim())
    }

    /// `SEEDLOOP_SEED` or `SEEDLOOP_SEEDS`, if set (`SEEDLOOP_SEED` wins).
    ///
    /// # Panics
    /// On a malformed value.
    ///
    /// ```
    /// assert_eq!(harness::Env::empty().with("SEEDLOOP_SEEDS", "500..503").seeds().unwrap().to_vec(), [500, 501, 502]);
    /// assert!(harness::Env::empty().seeds().is_none());
    /// ```
    pub fn seeds(&self) -> Option<Seeds> {
        if let Some(s) = self.get(SEED) {
            let seed = s
                .parse::<u64>()
                .unwrap_or_else(|_| bad(SEED, s, "one seed, a non-negative integer such as `17`"));
            return Some(Seeds::list([seed]));
        }
        let s = self.get(SEEDS)?;
        let forms = "a count of at least 1 such as `10000` (seeds 0..10000) or a non-empty range \
                     such as `500..1000`";
        let seeds = s.parse::<Seeds>().unwrap_or_else(|_| bad(SEEDS, s, forms));
        if seeds.is_empty() {
            panic!(
                "seedloop: {SEEDS}={s:?} would run no seed, and an empty sweep passes nothing: expected {forms}"
            );
        }
        Some(seeds)
    }

    /// `SEEDLOOP_REPLAY`, if set.
    ///
    /// ```
    /// assert_eq!(harness::Env::empty().replay(), None);
    /// ```
    pub fn replay(&self) -> Option<&str> {
        self.get(REPLAY)
    }

    /// `SEEDLOOP_STRATEGY`, if set.
    ///
    /// # Panics
    /// On an unknown strategy name.
    ///
    /// ```
    /// let env = harness::Env::empty().with("SEEDLOOP_STRATEGY", "portfolio");
    /// assert_eq!(env.strategy().unwrap().name(), "portfolio(random,pct1,pct2,pct3)");
    /// ```
    pub fn strategy(&self) -> Option<Strategy> {
        let s = self.get(STRATEGY)?;
        Some(parse_strategy(s).unwrap_or_else(|e| bad(STRATEGY, s, &e)))
    }

    /// `SEEDLOOP_SHARD`, if set.
    ///
    /// # Panics
    /// On a malformed value.
    ///
    /// ```
    /// assert_eq!(harness::Env::empty().with("SEEDLOOP_SHARD", "3/3").shard(), Some(harness::Shard::new(3, 3)));
    /// ```
    pub fn shard(&self) -> Option<Shard> {
        let s = self.get(SHARD)?;
        Some(s.parse::<Shard>().unwrap_or_else(|e| bad(SHARD, s, &e)))
    }

    /// `SEEDLOOP_MAX_STEPS`, if set.
    ///
    /// # Panics
    /// On a malformed value.
    ///
    /// ```
    /// assert_eq!(harness::Env::empty().with("SEEDLOOP_MAX_STEPS", "1000").max_steps(), Some(1000));
    /// assert_eq!(harness::Env::empty().max_steps(), None);
    /// ```
    pub fn max_steps(&self) -> Option<u64> {
        let s = self.get(MAX_STEPS)?;
        Some(
            s.parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .unwrap_or_else(|| bad(MAX_STEPS, s, "a positive number of task polls")),
        )
    }

    /// `SEEDLOOP_REGRESSIONS`.
    ///
    /// ```
    /// use harness::env::RegressionsSetting;
    /// assert_eq!(harness::Env::empty().with("SEEDLOOP_REGRESSIONS", "off").regressions(), RegressionsSetting::Off);
    /// ```
    pub fn regressions(&self) -> RegressionsSetting {
        match self.get(REGRESSIONS) {
            None => RegressionsSetting::Unset,
            Some(s) if s.eq_ignore_ascii_case("off") || s == "0" => RegressionsSetting::Off,
            Some(s) => RegressionsSetting::Dir(PathBuf::from(s)),
        }
    }

    /// `SEEDLOOP_NO_SHRINK` is set to something other than `0`.
    ///
    /// ```
    /// assert!(harness::Env::empty().with("SEEDLOOP_NO_SHRINK", "1").no_shrink());
    /// assert!(!harness::Env::empty().with("SEEDLOOP_NO_SHRINK", "0").no_shrink());
    /// ```
    pub fn no_shrink(&self) -> bool {
        self.get(NO_SHRINK).is_some_and(|s| s != "0")
    }

    /// `SEEDLOOP_TRACE=full`: reports print the whole trace of the reported run instead of its
    /// last [`crate::TAIL_EVENTS`] events (`tail`, the default).
    ///
    /// ```
    /// assert!(harness::Env::empty().with("SEEDLOOP_TRACE", "full").full_trace());
    /// assert!(!harness::Env::empty().with("SEEDLOOP_TRACE", "tail").full_trace());
    /// assert!(!harness::Env::empty().full_trace());
    /// ```
    ///
    /// # Panics
    /// On any other value.
    pub fn full_trace(&self) -> bool {
        match self.get(TRACE) {
            None => false,
            Some(s) if s.eq_ignore_ascii_case("full") => true,
            Some(s) if s.eq_ignore_ascii_case("tail") => false,
            Some(s) => bad(
                TRACE,
                s,
                "`full` (print the whole trace in the report) or `tail` (the last events, the default)",
            ),
        }
    }

    /// `SEEDLOOP_HANG_SECS`, if set: the real-time budget of one run.
    ///
    /// ```
    /// let env = harness::Env::empty().with("SEEDLOOP_HANG_SECS", "2.5");
    /// assert_eq!(env.hang_budget(), Some(std::time::Duration::from_millis(2500)));
    /// ```
    ///
    /// # Panics
    /// On a value that is not a positive number of seconds.
    pub fn hang_budget(&self) -> Option<std::time::Duration> {
        let s = self.get(HANG_SECS)?;
        let secs = s
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x > 0.0 && *x < 1e9)
            .unwrap_or_else(|| {
                bad(
                    HANG_SECS,
                    s,
                    "a positive number of seconds such as `60` or `2.5`",
                )
            });
        Some(std::time::Duration::from_secs_f64(secs))
    }

    /// The raw text of `var`, trimmed, if set.
    pub(crate) fn text(&self, var: &str) -> Option<&str> {
        self.get(var)
    }
}

fn bad(var: &str, value: &str, expected: &str) -> ! {
    panic!("seedloop: {var}={value:?} is not valid: expected {expected}")
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The strategy named `name` (as `SEEDLOOP_STRATEGY` and `#[harness::test(strategy = "..")]`
/// spell it, and as [`Strategy::name`] prints it): `fifo`, `random`, `pct<depth>`,
/// `pct<depth>(k=<steps>)`, `portfolio(<name>,<name>,..)`; `pct` alone is `pct3` and
/// `portfolio` alone is `portfolio(random,pct1,pct2,pct3)`. `pct<depth>` learns its `k` from a
/// Fifo run when a check sweeps ([`sim::Strategy::learned`]); `pct<depth>(k=<steps>)`, the name
/// a learned strategy reports, fixes it.
///
/// ```
/// assert_eq!(harness::parse_strategy("fifo").unwrap().name(), "fifo");
/// assert_eq!(harness::parse_strategy("pct3").unwrap().name(), "pct3");
/// assert_eq!(harness::parse_strategy("pct").unwrap().name(), "pct3");
/// let p = harness::parse_strategy("portfolio(random,pct2(k=40))").unwrap();
/// assert_eq!(p.name(), "portfolio(random,pct2(k=40))");
/// assert!(harness::parse_strategy("bogus").unwrap_err().contains("fifo"));
/// assert!(harness::parse_strategy("pct2(k=0)").unwrap_err().contains("at least 1"));
/// ```
///
/// # Errors
/// An unknown name, with the list of known ones.
pub fn parse_strategy(name: &str) -> Result<Strategy, String> {
    let lower = name.trim().to_ascii_lowercase();
    match lower.as_str() {
        "fifo" => Ok(Strategy::fifo()),
        "random" => Ok(Strategy::random()),
        // The defaults: depth 3 covers most bugs in the literature; the portfolio alternates
        // uniform random (good at shallow bugs) with PCT at each depth.
        "pct" => Ok(Strategy::pct(3)),
        "portfolio" => Ok(default_portfolio()),
        other => parse_pct(other)
            .or_else(|| parse_portfolio(other))
            .unwrap_or_else(|| {
                Err(format!(
                    "a strategy name; `{other}` is not one of: fifo, random, pct, pct<depth>, \
                     pct<depth>(k=<steps>), portfolio, portfolio(<name>,..)"
                ))
            }),
    }
}

/// `portfolio(random,pct1,pct2,pct3)`.
fn default_portfolio() -> Strategy {
    Strategy::portfolio(vec![
        Strategy::random(),
        Strategy::pct(1),
        Strategy::pct(2),
        Strategy::pct(3),
    ])
}

/// `pct3` or `pct3(k=200)`; `None` when `s` is not shaped like a PCT name.
fn parse_pct(s: &str) -> Option<Result<Strategy, String>> {
    let rest = s.strip_prefix("pct")?;
    let (depth, steps) = match rest.split_once("(k=") {
        Some((d, k)) => (d, Some(k.strip_suffix(')')?)),
        None => (rest, None),
    };
    let depth: u32 = depth.parse().ok()?;
    if depth == 0 {
        return Some(Err(format!(
            "a PCT depth of at least 1 in `{s}` (the number of ordering constraints the bug needs)"
        )));
    }
    Some(match steps.map(str::parse::<u64>) {
        None => Ok(Strategy::pct(depth)),
        Some(Ok(k)) if k > 0 => Ok(Strategy::pct_with_steps(depth, k)),
        Some(_) => Err(format!(
            "a whole number of steps of at least 1 after `k=` in `{s}`"
        )),
    })
}

/// `portfolio(a,b,..)` with each member a strategy name.
fn parse_portfolio(s: &str) -> Option<Result<Strategy, String>> {
    let inner = s.strip_prefix("portfolio(")?.strip_suffix(')')?;
    // Split at top-level commas only: members such as `pct2(k=40)` have parentheses.
    let (mut members, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                members.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    members.push(&inner[start..]);
    let parsed: Result<Vec<Strategy>, String> = members.into_iter().map(parse_strategy).collect();
    Some(parsed.and_then(|m| {
        if m.is_empty() {
            Err("at least one strategy inside `portfolio(..)`".to_string())
        } else {
            Ok(Strategy::portfolio(m))
        }
    }))
}
