//! Following a recorded schedule.

use std::rc::Rc;

use super::{Choice, Decision, Divergence, Runnable, Schedule, Scheduler, ValueStream};
use crate::model::TaskId;
use crate::model::schedule::Cursor;

/// Replays decisions in order; past the end it behaves as Fifo.
pub(crate) struct Replay {
    schedule: Rc<Schedule>,
    /// The next decision's place in the schedule's encoding.
    next: Cursor,
    strict: bool,
}

impl Replay {
    pub(crate) fn new(schedule: Rc<Schedule>, strict: bool) -> Self {
        Replay {
            schedule,
            next: Cursor::default(),
            strict,
        }
    }

    /// The next recorded decision, consumed.
    fn take(&mut self) -> Option<(usize, Decision)> {
        let index = self.next.read();
        let d = self.next.next_of(&self.schedule)?;
        Some((index, d))
    }

    /// In strict mode, a divergence; in lenient mode, the default choice.
    fn mismatch<T>(
        &self,
        index: usize,
        expected: Decision,
        found: String,
        default: T,
    ) -> Choice<T> {
        if self.strict {
            Err(Divergence {
                index,
                expected,
                found,
            })
        } else {
            Ok(default)
        }
    }
}

fn describe(runnable: &Runnable<'_>) -> String {
    let ids: Vec<String> = runnable.iter().map(|t| t.to_string()).collect();
    format!("runnable [{}]", ids.join(", "))
}

impl Scheduler for Replay {
    fn finish(&mut self) -> Choice<()> {
        let index = self.next.read();
        match self.next.clone().next_of(&self.schedule) {
            Some(expected) if self.strict => Err(Divergence {
                index,
                expected,
                found: format!(
                    "the end of the run, with {} recorded decisions unused",
                    self.schedule.len() - index
                ),
            }),
            _ => Ok(()),
        }
    }

    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize> {
        let Some((i, d)) = self.take() else {
            return Ok(0);
        };
        match d {
            // Strictly, the number of options must match too: a program that now has another
            // task runnable here has changed, even if the recorded task is among them.
            Decision::Run { task, of } => match runnable.position(task) {
                Some(pos) if !self.strict || of as usize == runnable.len() => Ok(pos),
                _ => self.mismatch(i, d, describe(&runnable), 0),
            },
            _ => self.mismatch(
                i,
                d,
                format!("a choice of task to run among {}", describe(&runnable)),
                0,
            ),
        }
    }

    fn choose_preemption(
        &mut self,
        current: TaskId,
        runnable: Runnable<'_>,
    ) -> Choice<Option<usize>> {
        let Some((i, d)) = self.take() else {
            return Ok(None);
        };
        match d {
            Decision::Preempt { task: None, .. } => Ok(None),
            Decision::Preempt { of, .. } if self.strict && of as usize != runnable.len() + 1 => {
                self.mismatch(
                    i,
                    d,
                    format!(
                        "a preemption point of {current} with {}",
                        describe(&runnable)
                    ),
                    None,
                )
            }
            Decision::Preempt {
                task: Some(task), ..
            } => match runnable.position(task) {
                Some(pos) => Ok(Some(pos)),
                None => self.mismatch(
                    i,
                    d,
                    format!(
                        "a preemption point of {current} with {}",
                        describe(&runnable)
                    ),
                    None,
                ),
            },
            _ => self.mismatch(
                i,
                d,
                format!(
                    "a preemption point of {current} with {}",
                    describe(&runnable)
                ),
                None,
            ),
        }
    }

    fn choose_branch(&mut self, of: u32) -> Choice<u32> {
        let Some((i, d)) = self.take() else {
            return Ok(0);
        };
        match d {
            Decision::Branch {
                index,
                of: recorded,
            } if recorded == of && index < of => Ok(index),
            _ => self.mismatch(i, d, format!("a tie among {of} simultaneous events"), 0),
        }
    }

    fn choose_cancel(&mut self, current: TaskId, _: u32) -> Choice<bool> {
        let Some((i, d)) = self.take() else {
            return Ok(false);
        };
        match d {
            Decision::Cancel { cancelled } => Ok(cancelled),
            _ => self.mismatch(
                i,
                d,
                format!("an await of a cancellable future of {current}"),
                false,
            ),
        }
    }

    fn choose_value(&mut self, bound: u64, values: &mut ValueStream) -> Choice<u64> {
        let Some((i, d)) = self.take() else {
            return Ok(values.below(bound));
        };
        match d {
            Decision::Value {
                value,
                bound: recorded,
            } if recorded == bound => Ok(value),
            _ => self.mismatch(
                i,
                d,
                format!("a random value below {bound}"),
                values.below(bound),
            ),
        }
    }
}
