//! `RunOptions`: the limits and policies that decide a run's verdict, as one value.
//!
//! A run is fixed by its seed, its strategy and these options: the same three give the same
//! verdict. [`SimBuilder`](crate::SimBuilder) takes them whole, a test harness stores them and
//! a replay token carries them, so a failure replays under the limits it was found with.
//!
//! Every option is listed once, in [`OPTIONS`]: its stable key, its name and how it reads and
//! writes as a `u64`. [`RunOptions::to_pairs`] and [`RunOptions::from_pairs`] go through that
//! table, so adding an option is one field and one row, and a token that names an option this
//! version does not know is refused by key instead of being misread.

use std::fmt;
use std::time::Duration;

/// Default cap on steps per run (task polls, and awaits of `sim` operations that could complete at
/// once): high enough for test-sized programs, low enough that a spin loop is reported in well
/// under a second at the default trace level, whatever it awaits (shuttle's default is 1M).
/// A longer run raises it with `SimBuilder::max_steps` or the run option `max_steps`.
pub const DEFAULT_MAX_STEPS: u64 = 2_000_000;

/// The limits and policies of a run. `RunOptions::default()` is what [`crate::Sim::new`] uses.
///
/// ```
/// use std::time::Duration;
/// use sim::{RunOptions, Sim};
///
/// let options = RunOptions::default()
///     .max_steps(1_000)
///     .max_time(Duration::from_secs(60))
///     .fail_on_leftover_tasks(true);
/// let mut sim = Sim::builder().options(options.clone()).build();
/// assert_eq!(sim.options(), &options);
/// let err = sim.run(async { sim::time::sleep(Duration::from_secs(61)).await }).unwrap_err();
/// assert!(err.is_time_limit());
///
/// // As (key, value) pairs, defaults left out: what a replay token stores.
/// let pairs = options.to_pairs();
/// assert_eq!(pairs.len(), 3);
/// assert_eq!(RunOptions::from_pairs(&pairs).unwrap(), options);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RunOptions {
    /// Fail with [`crate::SimError::is_step_limit`] after this many steps.
    pub max_steps: u64,
    /// Fail with [`crate::SimError::is_time_limit`] rather than let the clock pass this
    /// (`None`: no limit).
    pub max_time: Option<Duration>,
    /// Fail with [`crate::SimError::is_starvation`] when one poll spends more than this in
    /// [`crate::task::block_for`] (`None`: no limit).
    pub max_poll_time: Option<Duration>,
    /// Whether a task panic that nobody awaited fails the run.
    pub fail_on_unobserved_panic: bool,
    /// Whether tasks still alive when main returns fail the run.
    pub fail_on_leftover_tasks: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            max_steps: DEFAULT_MAX_STEPS,
            max_time: None,
            max_poll_time: None,
            fail_on_unobserved_panic: true,
            fail_on_leftover_tasks: false,
        }
    }
}

impl RunOptions {
    /// Sets [`RunOptions::max_steps`].
    ///
    /// ```
    /// assert_eq!(sim::RunOptions::default().max_steps(5).max_steps, 5);
    /// ```
    pub fn max_steps(mut self, steps: u64) -> Self {
        self.max_steps = steps;
        self
    }

    /// Sets [`RunOptions::max_time`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let o = sim::RunOptions::default().max_time(Duration::from_secs(1));
    /// assert_eq!(o.max_time, Some(Duration::from_secs(1)));
    /// ```
    pub fn max_time(mut self, limit: Duration) -> Self {
        self.max_time = Some(limit);
        self
    }

    /// Sets [`RunOptions::max_poll_time`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let o = sim::RunOptions::default().max_poll_time(Duration::from_millis(10));
    /// assert_eq!(o.max_poll_time, Some(Duration::from_millis(10)));
    /// ```
    pub fn max_poll_time(mut self, limit: Duration) -> Self {
        self.max_poll_time = Some(limit);
        self
    }

    /// Sets [`RunOptions::fail_on_unobserved_panic`].
    ///
    /// ```
    /// assert!(!sim::RunOptions::default().fail_on_unobserved_panic(false).fail_on_unobserved_panic);
    /// ```
    pub fn fail_on_unobserved_panic(mut self, yes: bool) -> Self {
        self.fail_on_unobserved_panic = yes;
        self
    }

    /// Sets [`RunOptions::fail_on_leftover_tasks`].
    ///
    /// ```
    /// assert!(sim::RunOptions::default().fail_on_leftover_tasks(true).fail_on_leftover_tasks);
    /// ```
    pub fn fail_on_leftover_tasks(mut self, yes: bool) -> Self {
        self.fail_on_leftover_tasks = yes;
        self
    }

    /// Every option that differs from its default, as `(key, value)` in key order.
    ///
    /// ```
    /// use sim::RunOptions;
    /// assert!(RunOptions::default().to_pairs().is_empty());
    /// let key = sim::options::OPTIONS.iter().find(|o| o.name == "max_steps").unwrap().key;
    /// assert_eq!(RunOptions::default().max_steps(9).to_pairs(), [(key, 9)]);
    /// ```
    pub fn to_pairs(&self) -> Vec<(u32, u64)> {
        let default = RunOptions::default();
        OPTIONS
            .iter()
            .filter(|o| (o.get)(self) != (o.get)(&default))
            .map(|o| (o.key, (o.get)(self)))
            .collect()
    }

    /// The options with every pair applied over the defaults.
    ///
    /// ```
    /// use sim::RunOptions;
    /// let err = RunOptions::from_pairs(&[(999, 1)]).unwrap_err();
    /// assert!(err.to_string().contains("option 999"));
    /// ```
    ///
    /// # Errors
    /// [`OptionError`] for a key no option has, a key given twice, or a value the option
    /// cannot take.
    pub fn from_pairs(pairs: &[(u32, u64)]) -> Result<RunOptions, OptionError> {
        let mut out = RunOptions::default();
        let mut seen = Vec::with_capacity(pairs.len());
        for &(key, value) in pairs {
            let Some(opt) = OPTIONS.iter().find(|o| o.key == key) else {
                return Err(OptionError::UnknownKey(key));
            };
            if seen.contains(&key) {
                return Err(OptionError::Repeated(opt.name));
            }
            seen.push(key);
            (opt.set)(&mut out, value).map_err(|()| OptionError::BadValue {
                name: opt.name,
                value,
            })?;
        }
        Ok(out)
    }

    /// Sets the option called `name` (as in [`OPTIONS`]) from text: a number, `true`/`false`,
    /// or a duration such as `250ms`, `3s`, `2m`, `1h` or `none`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut o = sim::RunOptions::default();
    /// o.set("max_poll_time", "250ms").unwrap();
    /// o.set("fail_on_leftover_tasks", "true").unwrap();
    /// assert_eq!(o.max_poll_time, Some(Duration::from_millis(250)));
    /// assert!(o.fail_on_leftover_tasks);
    /// assert!(o.set("max_stepz", "1").unwrap_err().to_string().contains("max_steps"));
    /// ```
    ///
    /// # Errors
    /// [`OptionError`] naming the option and the accepted forms.
    pub fn set(&mut self, name: &str, text: &str) -> Result<(), OptionError> {
        let Some(opt) = OPTIONS.iter().find(|o| o.name == name) else {
            return Err(OptionError::UnknownName(name.to_string()));
        };
        let value = parse_value(opt.kind, text.trim()).ok_or_else(|| OptionError::BadText {
            name: opt.name,
            text: text.to_string(),
            kind: opt.kind,
        })?;
        (opt.set)(self, value).map_err(|()| OptionError::BadValue {
            name: opt.name,
            value,
        })
    }

    /// `max_time` in nanoseconds, `u64::MAX - 1` when unlimited (the clock never reaches it).
    pub(crate) fn max_time_nanos(&self) -> u64 {
        self.max_time
            .map_or(u64::MAX - 1, |d| nanos(d).min(u64::MAX - 1))
    }

    /// `max_poll_time` in nanoseconds, `u64::MAX` when unlimited.
    pub(crate) fn max_poll_nanos(&self) -> u64 {
        self.max_poll_time.map_or(u64::MAX, nanos)
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// How an option's value reads as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// A count.
    Count,
    /// A virtual duration, or `none`.
    Duration,
    /// `true` or `false`.
    Flag,
}

/// One run option: its stable key (never reused), its name, and how it is read and written.
pub struct OptionSpec {
    /// Stable across versions: tokens store it.
    pub key: u32,
    /// The field's name, as `RunOptions::set` and the harness's attribute take it.
    pub name: &'static str,
    /// How the value reads as text.
    pub kind: OptionKind,
    /// What the option does, for help texts.
    pub help: &'static str,
    get: fn(&RunOptions) -> u64,
    set: fn(&mut RunOptions, u64) -> Result<(), ()>,
}

impl fmt::Debug for OptionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OptionSpec")
            .field("key", &self.key)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Durations travel as nanoseconds plus one, so that 0 means "no limit".
fn dur_get(d: Option<Duration>) -> u64 {
    d.map_or(0, |d| nanos(d).saturating_add(1))
}

fn dur_set(v: u64) -> Option<Duration> {
    v.checked_sub(1).map(Duration::from_nanos)
}

fn flag_set(v: u64) -> Result<bool, ()> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(()),
    }
}

/// Every run option, in key order. Adding an option: a field of [`RunOptions`], its default,
/// and one row here with a new key.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: 1,
        name: "max_steps",
        kind: OptionKind::Count,
        help: "steps (awaits) before the run fails with a step limit",
        get: |o| o.max_steps,
        set: |o, v| {
            o.max_steps = v;
            Ok(())
        },
    },
    OptionSpec {
        key: 2,
        name: "max_time",
        kind: OptionKind::Duration,
        help: "virtual time the clock may not pass",
        get: |o| dur_get(o.max_time),
        set: |o, v| {
            o.max_time = dur_set(v);
            Ok(())
        },
    },
    OptionSpec {
        key: 3,
        name: "fail_on_leftover_tasks",
        kind: OptionKind::Flag,
        help: "tasks still alive when main returns fail the run",
        get: |o| u64::from(o.fail_on_leftover_tasks),
        set: |o, v| {
            o.fail_on_leftover_tasks = flag_set(v)?;
            Ok(())
        },
    },
    OptionSpec {
        key: 4,
        name: "max_poll_time",
        kind: OptionKind::Duration,
        help: "CPU-bound work (block_for) one poll may do before the run fails with starvation",
        get: |o| dur_get(o.max_poll_time),
        set: |o, v| {
            o.max_poll_time = dur_set(v);
            Ok(())
        },
    },
    OptionSpec {
        key: 5,
        name: "fail_on_unobserved_panic",
        kind: OptionKind::Flag,
        help: "a task panic nobody awaited fails the run",
        get: |o| u64::from(o.fail_on_unobserved_panic),
        set: |o, v| {
            o.fail_on_unobserved_panic = flag_set(v)?;
            Ok(())
        },
    },
];

fn parse_value(kind: OptionKind, text: &str) -> Option<u64> {
    match kind {
        OptionKind::Count => text.replace('_', "").parse().ok(),
        OptionKind::Flag => match text {
            "true" | "1" | "yes" => Some(1),
            "false" | "0" | "no" => Some(0),
            _ => None,
        },
        OptionKind::Duration => {
            if text == "none" {
                return Some(0);
            }
            let split = text.find(|c: char| !c.is_ascii_digit())?;
            let (num, unit) = text.split_at(split);
            let n: u64 = num.parse().ok()?;
            let per: u64 = match unit {
                "ns" => 1,
                "us" => 1_000,
                "ms" => 1_000_000,
                "s" => 1_000_000_000,
                "m" => 60_000_000_000,
                "h" => 3_600_000_000_000,
                _ => return None,
            };
            Some(dur_get(Some(Duration::from_nanos(n.checked_mul(per)?))))
        }
    }
}

/// Why run options could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionError {
    /// A key no option of this version has (the options came from a newer seedloop).
    UnknownKey(u32),
    /// A name no option has.
    UnknownName(String),
    /// The same option twice.
    Repeated(&'static str),
    /// A value the option cannot take.
    BadValue {
        /// The option.
        name: &'static str,
        /// The value.
        value: u64,
    },
    /// Text that does not read as the option's kind of value.
    BadText {
        /// The option.
        name: &'static str,
        /// The text.
        text: String,
        /// What it should have been.
        kind: OptionKind,
    },
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionError::UnknownKey(k) => write!(
                f,
                "run option {k} is unknown to this seedloop (made by a newer version?)"
            ),
            OptionError::UnknownName(n) => {
                let names: Vec<_> = OPTIONS.iter().map(|o| o.name).collect();
                write!(
                    f,
                    "no run option is called `{n}`; the options are: {}",
                    names.join(", ")
                )
            }
            OptionError::Repeated(n) => write!(f, "run option `{n}` is given twice"),
            OptionError::BadValue { name, value } => {
                write!(f, "run option `{name}` cannot be {value}")
            }
            OptionError::BadText { name, text, kind } => {
                let forms = match kind {
                    OptionKind::Count => "a whole number such as 1000000",
                    OptionKind::Duration => {
                        "a duration such as 500ms, 3s, 2m or 1h (units ns, us, ms, s, m, h), or none"
                    }
                    OptionKind::Flag => "true or false",
                };
                write!(
                    f,
                    "run option `{name}` cannot be `{text}`: expected {forms}"
                )
            }
        }
    }
}

impl std::error::Error for OptionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_round_trips_through_pairs_and_keys_are_unique() {
        let mut keys: Vec<_> = OPTIONS.iter().map(|o| o.key).collect();
        keys.dedup();
        assert_eq!(keys.len(), OPTIONS.len(), "keys are unique and in order");
        let o = RunOptions::default()
            .max_steps(7)
            .max_time(Duration::ZERO)
            .max_poll_time(Duration::from_secs(3))
            .fail_on_unobserved_panic(false)
            .fail_on_leftover_tasks(true);
        let pairs = o.to_pairs();
        assert_eq!(pairs.len(), OPTIONS.len());
        assert_eq!(RunOptions::from_pairs(&pairs).unwrap(), o);
    }

    #[test]
    fn bad_pairs_and_texts_are_refused_with_the_option_named() {
        assert_eq!(
            RunOptions::from_pairs(&[(1, 3), (1, 4)]),
            Err(OptionError::Repeated("max_steps"))
        );
        assert!(matches!(
            RunOptions::from_pairs(&[(3, 2)]),
            Err(OptionError::BadValue {
                name: "fail_on_leftover_tasks",
                value: 2
            })
        ));
        let mut o = RunOptions::default();
        let e = o.set("max_time", "3 parsecs").unwrap_err().to_string();
        assert!(e.contains("max_time") && e.contains("500ms"), "{e}");
        o.set("max_time", "none").unwrap();
        assert_eq!(o.max_time, None);
        o.set("max_steps", "1_000").unwrap();
        assert_eq!(o.max_steps, 1000);
    }
}
