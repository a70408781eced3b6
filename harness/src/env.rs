//! Every environment variable seedloop reads, in one place.
//!
//! | variable | value | effect |
//! |---|---|---|
//! | `SEEDLOOP_SEEDS` | `N` or `A..B` | run seeds `0..N` (or `A..B`) instead of the test's own list: raise it in CI or when hunting |
//! | `SEEDLOOP_SEED` | `S` | run exactly seed `S` (with the test's strategy) |
//! | `SEEDLOOP_REPLAY` | a replay token `sl1.….…` | the test that found the token replays that one execution instead of sweeping, and reports it; other tests sweep as usual |
//! | `SEEDLOOP_STRATEGY` | `fifo`, `random`, … | override the test's strategy (see [`parse_strategy`]) |
//! | `SEEDLOOP_SHARD` | `K/N` (1-based) | run only the seeds at positions `i` of the list with `i % N == K - 1` |
//! | `SEEDLOOP_MAX_STEPS` | `N` | step limit per run (task polls) |
//! | `SEEDLOOP_REGRESSIONS` | a directory, or `off` | where failing tokens are saved and re-run first (default `<crate>/seedloop-regressions/`) |
//! | `SEEDLOOP_NO_SHRINK` | `1` | report the failing schedule as found, without shrinking |
//!
//! The variables are read once per [`crate::Check`]; a malformed value panics at once with a
//! message naming the variable and the accepted forms (a typo never silently runs the default).
//! Tests of the harness itself pass an explicit [`Env`] with [`crate::Check::env`] instead of
//! mutating the process environment.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sim::Strategy;

use crate::seeds::{Seeds, Shard};

/// `SEEDLOOP_SEEDS`.
pub const SEEDS: &str = "SEEDLOOP_SEEDS";
/// `SEEDLOOP_SEED`.
pub const SEED: &str = "SEEDLOOP_SEED";
/// `SEEDLOOP_REPLAY`.
pub const REPLAY: &str = "SEEDLOOP_REPLAY";
/// `SEEDLOOP_STRATEGY`.
pub const STRATEGY: &str = "SEEDLOOP_STRATEGY";
/// `SEEDLOOP_SHARD`.
pub const SHARD: &str = "SEEDLOOP_SHARD";
/// `SEEDLOOP_MAX_STEPS`.
pub const MAX_STEPS: &str = "SEEDLOOP_MAX_STEPS";
/// `SEEDLOOP_REGRESSIONS`.
pub const REGRESSIONS: &str = "SEEDLOOP_REGRESSIONS";
/// `SEEDLOOP_NO_SHRINK`.
pub const NO_SHRINK: &str = "SEEDLOOP_NO_SHRINK";

const ALL: [&str; 8] = [
    SEEDS,
    SEED,
    REPLAY,
    STRATEGY,
    SHARD,
    MAX_STEPS,
    REGRESSIONS,
    NO_SHRINK,
];

/// Where failing tokens go (`SEEDLOOP_REGRESSIONS`).
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
    /// The process environment's `SEEDLOOP_*` variables.
    pub fn from_process() -> Env {
        Env::from_pairs(ALL.iter().filter_map(|k| {
            let v = std::env::var(k).ok()?;
            Some((*k, v))
        }))
    }

    /// No variables set.
    pub fn empty() -> Env {
        Env::default()
    }

    /// The given variables (for tests and tools).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .filter(|(_, v)| !v.trim().is_empty())
                .collect(),
        }
    }

    /// Sets one variable (builder style).
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
    pub fn seeds(&self) -> Option<Seeds> {
        if let Some(s) = self.get(SEED) {
            let seed = s
                .parse::<u64>()
                .unwrap_or_else(|_| bad(SEED, s, "one seed, a non-negative integer such as `17`"));
            return Some(Seeds::list([seed]));
        }
        let s = self.get(SEEDS)?;
        Some(s.parse::<Seeds>().unwrap_or_else(|_| {
            bad(
                SEEDS,
                s,
                "a count such as `10000` (seeds 0..10000) or a range such as `500..1000`",
            )
        }))
    }

    /// `SEEDLOOP_REPLAY`, if set.
    pub fn replay(&self) -> Option<&str> {
        self.get(REPLAY)
    }

    /// `SEEDLOOP_STRATEGY`, if set.
    ///
    /// # Panics
    /// On an unknown strategy name.
    pub fn strategy(&self) -> Option<Strategy> {
        let s = self.get(STRATEGY)?;
        Some(parse_strategy(s).unwrap_or_else(|e| bad(STRATEGY, s, &e)))
    }

    /// `SEEDLOOP_SHARD`, if set.
    ///
    /// # Panics
    /// On a malformed value.
    pub fn shard(&self) -> Option<Shard> {
        let s = self.get(SHARD)?;
        Some(s.parse::<Shard>().unwrap_or_else(|e| bad(SHARD, s, &e)))
    }

    /// `SEEDLOOP_MAX_STEPS`, if set.
    ///
    /// # Panics
    /// On a malformed value.
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
    pub fn regressions(&self) -> RegressionsSetting {
        match self.get(REGRESSIONS) {
            None => RegressionsSetting::Unset,
            Some(s) if s.eq_ignore_ascii_case("off") || s == "0" => RegressionsSetting::Off,
            Some(s) => RegressionsSetting::Dir(PathBuf::from(s)),
        }
    }

    /// `SEEDLOOP_NO_SHRINK` is set to something other than `0`.
    pub fn no_shrink(&self) -> bool {
        self.get(NO_SHRINK).is_some_and(|s| s != "0")
    }
}

fn bad(var: &str, value: &str, expected: &str) -> ! {
    panic!("seedloop: {var}={value:?} is not valid: expected {expected}")
}

/// The strategy named `name` (as `SEEDLOOP_STRATEGY` and `#[harness::test(strategy = "..")]`
/// spell it).
///
/// ```
/// assert_eq!(harness::parse_strategy("fifo").unwrap().name(), "fifo");
/// assert!(harness::parse_strategy("bogus").unwrap_err().contains("fifo"));
/// ```
///
/// # Errors
/// An unknown name, with the list of known ones.
pub fn parse_strategy(name: &str) -> Result<Strategy, String> {
    match name.trim().to_ascii_lowercase().as_str() {
        "fifo" => Ok(Strategy::fifo()),
        "random" => Ok(Strategy::random()),
        other => Err(format!(
            "a strategy name; `{other}` is not one of: fifo, random"
        )),
    }
}
