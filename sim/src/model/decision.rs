//! Decisions and schedules: the record that makes a run replayable.

use std::fmt;
use std::str::FromStr;

use super::TaskId;

/// One choice the executor took from its strategy.
///
/// A run is fully determined by its program and its decisions; a [`Schedule`] lists them in the
/// order they were taken. Choices with a single option are not decisions and are not recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// At a scheduling point, run `task`, one of `of` runnable tasks.
    Run {
        /// The task chosen.
        task: TaskId,
        /// How many tasks were runnable.
        of: u32,
    },
    /// At a preemption point, keep running (`None`) or switch to `Some(task)`; `of` counts the
    /// options including "keep running".
    Preempt {
        /// The task switched to, or `None` to continue the current one.
        task: Option<TaskId>,
        /// Options, including "keep running".
        of: u32,
    },
    /// A tie between simultaneous events (a timeout and its future both ready, several `select`
    /// branches ready): option `index` of `of`; 0 is the default order.
    Branch {
        /// The option taken.
        index: u32,
        /// How many options there were.
        of: u32,
    },
    /// A random value for user code: `value` in `0..bound` (`bound == 0`: the whole `u64` range).
    Value {
        /// The value drawn.
        value: u64,
        /// Exclusive upper bound, 0 for the full range.
        bound: u64,
    },
    /// At an await of a future marked cancellable (`sim::task::cancellable`): drop it there
    /// (`cancelled`), as if whatever it races had won, or keep it waiting.
    Cancel {
        /// Whether the future was dropped.
        cancelled: bool,
    },
}

impl Decision {
    /// True for a preemption that switched away from a task that could have continued.
    pub fn is_preemption(&self) -> bool {
        matches!(self, Decision::Preempt { task: Some(_), .. })
    }

    /// True for a cancellable future dropped at an await.
    ///
    /// ```
    /// use sim::schedule::Decision;
    /// assert!("c1/2".parse::<Decision>().unwrap().is_cancellation());
    /// assert!(!"c0/2".parse::<Decision>().unwrap().is_cancellation());
    /// ```
    pub fn is_cancellation(&self) -> bool {
        matches!(self, Decision::Cancel { cancelled: true })
    }
}

impl fmt::Display for Decision {
    /// Compact, shell-safe text: `r3/4`, `p-/3`, `p5/3`, `b1/2`, `v17/100`, `c1/2` (cancel),
    /// `c0/2` (keep).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Decision::Run { task, of } => write!(f, "r{}/{of}", task.as_u64()),
            Decision::Preempt { task: None, of } => write!(f, "p-/{of}"),
            Decision::Preempt { task: Some(t), of } => write!(f, "p{}/{of}", t.as_u64()),
            Decision::Branch { index, of } => write!(f, "b{index}/{of}"),
            Decision::Value { value, bound } => write!(f, "v{value}/{bound}"),
            Decision::Cancel { cancelled } => write!(f, "c{}/2", u8::from(cancelled)),
        }
    }
}

/// Why a decision's text could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseScheduleError {
    /// Position (0-based) of the offending decision in the text.
    pub position: usize,
    /// The offending piece of text.
    pub text: String,
}

impl fmt::Display for ParseScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "decision {} (`{}`) is not one of r<task>/<n>, p-/<n>, p<task>/<n>, b<i>/<n>, \
             v<value>/<bound>, c0/2, c1/2: the schedule was truncated or edited; copy it again \
             from the report",
            self.position, self.text
        )
    }
}

impl std::error::Error for ParseScheduleError {}

impl FromStr for Decision {
    type Err = ParseScheduleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseScheduleError {
            position: 0,
            text: s.to_string(),
        };
        let (head, of) = s.split_once('/').ok_or_else(bad)?;
        let mut chars = head.chars();
        let tag = chars.next().ok_or_else(bad)?;
        let body = chars.as_str();
        let num = |t: &str| t.parse::<u64>().map_err(|_| bad());
        let small = |t: &str| t.parse::<u32>().map_err(|_| bad());
        Ok(match tag {
            'r' => Decision::Run {
                task: TaskId::from_u64(num(body)?),
                of: small(of)?,
            },
            'p' if body == "-" => Decision::Preempt {
                task: None,
                of: small(of)?,
            },
            'p' => Decision::Preempt {
                task: Some(TaskId::from_u64(num(body)?)),
                of: small(of)?,
            },
            'b' => Decision::Branch {
                index: small(body)?,
                of: small(of)?,
            },
            'v' => Decision::Value {
                value: num(body)?,
                bound: num(of)?,
            },
            'c' if of == "2" && (body == "0" || body == "1") => Decision::Cancel {
                cancelled: body == "1",
            },
            _ => return Err(bad()),
        })
    }
}

/// A replayed decision did not fit the running program: the program or its inputs changed since
/// the schedule was recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// Index of the decision in the schedule.
    pub index: usize,
    /// What the schedule recorded.
    pub expected: Decision,
    /// What the program offered instead.
    pub found: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "decision {} of the schedule was `{}` ",
            self.index, self.expected
        )?;
        match self.expected {
            Decision::Run { task, .. } => write!(f, "(run {task})")?,
            Decision::Preempt {
                task: Some(task), ..
            } => write!(f, "(switch to {task})")?,
            Decision::Preempt { task: None, .. } => write!(f, "(keep running)")?,
            Decision::Branch { .. } => write!(f, "(a tie between simultaneous events)")?,
            Decision::Value { .. } => write!(f, "(a random value)")?,
            Decision::Cancel { cancelled: true } => write!(f, "(drop the cancellable future)")?,
            Decision::Cancel { cancelled: false } => write!(f, "(keep the cancellable future)")?,
        }
        write!(f, ", but the program offered {}", self.found)
    }
}
