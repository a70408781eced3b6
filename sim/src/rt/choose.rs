//! Every choice the executor takes: which task runs next, whether a preemption point switches,
//! ties between simultaneous events, random values and faults, whether a cancellable future is
//! dropped at an await. Each one with more than one
//! option goes through the scheduler and is recorded in the run's schedule.

use std::cell::{Ref, RefCell, RefMut};
use std::panic::Location;

use super::core::Core;
use super::ready::{ReadyQueue, TaskKey};
use super::{Runnable, Stream, ValueStream};
use crate::model::{Decision, EventKind, Trace};

impl Core {
    /// The next task to poll, or `None` when nothing is runnable. Due timers fire at the start
    /// of each round (a round = the tasks runnable when it began), as in asyncio's loop.
    pub(crate) fn next_task(&self) -> Option<TaskKey> {
        if self.round_left.get() == 0 {
            self.fire_due();
            self.round_left.set(self.ready.borrow().len());
        }
        // One borrow of the queue for the whole choice (taken at every step); the trace's and
        // the queue's are let go before the decision's event, which may reach the user's sink.
        let mut ready = self.ready.borrow_mut();
        let n = ready.len();
        if n == 0 {
            return None;
        }
        self.round_left.set(self.round_left.get().saturating_sub(1));
        if let Some(forced) = self.forced.take() {
            if let Some(i) = ready.position(forced) {
                return Some(ready.take(i));
            }
        }
        if n == 1 {
            return Some(ready.take(0));
        }
        let (key, decision) = {
            let mut trace = self.trace.borrow_mut();
            let trace = &mut *trace;
            let choice = self.sched.borrow_mut().choose_task(Runnable::new(
                &ready,
                &trace.tasks,
                self.step.get(),
            ));
            let i = match choice {
                Ok(i) => {
                    assert!(
                        i < n,
                        "the scheduling strategy chose task index {i} of {n} runnable tasks"
                    );
                    i
                }
                Err(d) => {
                    self.diverge(d);
                    0
                }
            };
            let key = ready.take(i);
            let decision = Decision::Run {
                task: key.id(),
                of: n as u32,
            };
            trace.schedule.record(decision, self.schedule_budget);
            (key, decision)
        };
        drop(ready);
        self.event(EventKind::Decision(decision));
        Some(key)
    }

    /// Main returned: lets the scheduler object to unused recorded decisions.
    pub(crate) fn finish_schedule(&self) {
        let res = self.sched.borrow_mut().finish();
        if let Err(d) = res {
            self.diverge(d);
        }
    }

    /// At a preemption point of the current task: true if the strategy switches away (the next
    /// step then runs the task it chose). A task that already decided to switch in this poll
    /// (two preemption points polled side by side, as in a `select`) keeps that decision: the
    /// strategy is not asked again, so a recorded switch always takes place.
    ///
    /// Every call counts toward the step limit (as `op`, awaited at `site`); at the limit it
    /// answers true without asking the strategy, so the task suspends and the run stops.
    #[inline]
    pub(crate) fn preempt(
        &self,
        op: &'static str,
        site: Option<&'static Location<'static>>,
    ) -> bool {
        if self.count_await(op, site) {
            return true;
        }
        if self.forced.get().is_some() {
            return true;
        }
        match self.current.get() {
            Some(cur) => self.choose_preemption(cur),
            None => false,
        }
    }

    /// [`preempt`](Self::preempt) past its checks: asks the strategy whether `cur` switches, and
    /// records the answer (a decision is taken at nearly every operation: one borrow of each
    /// cell, the decision's kind known where it is recorded).
    fn choose_preemption(&self, cur: TaskKey) -> bool {
        // One borrow of the trace serves the strategy's view of the tasks and then the record;
        // it and the queue's are let go before the decision's event, which may reach the user's
        // sink.
        let ready = self.ready.borrow();
        let n = ready.len();
        if n == 0 {
            return false;
        }
        let trace = self.trace.borrow_mut();
        let choice = self.sched.borrow_mut().choose_preemption(
            cur.id(),
            Runnable::new(&ready, &trace.tasks, self.step.get()),
        );
        let of = n as u32 + 1;
        match choice {
            // The usual answer: its decision is a constant where `settle` inlines it. `forced`
            // is unset already: `preempt` checked it.
            Ok(None) => {
                self.settle(trace, ready, Decision::Preempt { task: None, of });
                false
            }
            Ok(Some(i)) => {
                assert!(
                    i < n,
                    "the scheduling strategy chose preemption index {i} of {n}"
                );
                let target = ready.get(i);
                let task = Some(target.id());
                self.settle(trace, ready, Decision::Preempt { task, of });
                self.forced.set(Some(target));
                true
            }
            Err(d) => {
                drop(trace);
                drop(ready);
                self.diverge(d);
                false
            }
        }
    }

    /// Records a preemption point's `decision` under the trace borrow the choice took, then lets
    /// both borrows go before the decision's event (which may reach the user's sink).
    #[inline(always)]
    fn settle(&self, mut trace: RefMut<'_, Trace>, ready: Ref<'_, ReadyQueue>, decision: Decision) {
        trace.schedule.record(decision, self.schedule_budget);
        drop(trace);
        drop(ready);
        self.event(EventKind::Decision(decision));
    }

    /// Breaks a tie among `of` simultaneous events.
    pub(crate) fn branch(&self, of: u32) -> u32 {
        if of <= 1 {
            return 0;
        }
        let c = self.sched.borrow_mut().choose_branch(of);
        match c {
            Ok(index) => {
                assert!(
                    index < of,
                    "the scheduling strategy chose branch {index} of {of}"
                );
                self.decided(Decision::Branch { index, of });
                index
            }
            Err(d) => {
                self.diverge(d);
                0
            }
        }
    }

    /// At the await of a cancellable future of the current task that follows `suspension`
    /// earlier ones: true when the strategy drops it there.
    pub(crate) fn cancel(&self, suspension: u32) -> bool {
        let cur = self.current_id();
        let c = self.sched.borrow_mut().choose_cancel(cur, suspension);
        match c {
            Ok(cancelled) => {
                self.decided(Decision::Cancel { cancelled });
                cancelled
            }
            Err(d) => {
                self.diverge(d);
                false
            }
        }
    }

    /// A random value in `0..bound` (0 = any u64) for user code.
    pub(crate) fn value(&self, bound: u64) -> u64 {
        self.draw(bound, &self.values, Stream::Values)
    }

    /// A value in `0..bound` for an injected fault, drawn from the faults stream (so faults do
    /// not shift user values) and recorded like any value, so it replays and shrinks.
    #[cfg(any(feature = "net", feature = "fs"))]
    pub(crate) fn fault(&self, bound: u64) -> u64 {
        self.draw(bound, &self.faults, Stream::Faults)
    }

    fn draw(&self, bound: u64, stream: &RefCell<Option<Box<ValueStream>>>, which: Stream) -> u64 {
        if bound == 1 {
            return 0;
        }
        let c = {
            let mut rng = stream.borrow_mut();
            let rng = rng.get_or_insert_with(|| Box::new(ValueStream::seeded(self.seed, which)));
            self.sched.borrow_mut().choose_value(bound, rng)
        };
        match c {
            Ok(value) => {
                assert!(
                    bound == 0 || value < bound,
                    "the strategy drew {value}, not below {bound}"
                );
                self.decided(Decision::Value { value, bound });
                value
            }
            Err(d) => {
                self.diverge(d);
                0
            }
        }
    }
}
