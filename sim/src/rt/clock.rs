//! Virtual time: firing due timers, jumping the clock when nothing can run, and CPU-bound work
//! that moves the clock while a task holds the executor.

use std::task::Waker;

use super::core::{Core, Idle};
use super::timers::TimerKey;
use crate::model::{EventKind, Instant};

impl Core {
    /// CPU-bound work in the current task: the clock moves by `d` while nothing else runs.
    pub(crate) fn block(&self, d: std::time::Duration) {
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.now
            .set(self.now.get().saturating_add(nanos).min(u64::MAX - 1));
        self.poll_busy
            .set(self.poll_busy.get().saturating_add(nanos));
        self.event(EventKind::Blocked { duration: d });
    }

    /// Moves the clock forward by `d` at once (a paused tokio clock's `advance`): the timers it
    /// passes fire at the start of the next round, all at the new time.
    pub(crate) fn jump(&self, d: std::time::Duration) {
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let to = self.now.get().saturating_add(nanos).min(u64::MAX - 1);
        if to > self.now.get() {
            self.now.set(to);
            self.event(EventKind::ClockAdvanced {
                to: Instant::from_nanos(to),
            });
        }
    }

    /// How long the poll that just ended blocked the executor; resets the count.
    #[inline]
    pub(crate) fn take_poll_busy(&self) -> u64 {
        self.poll_busy.replace(0)
    }

    pub(super) fn fire_due(&self) {
        let now = self.now.get();
        loop {
            let fired = self.timers.borrow_mut().pop_due(now);
            let Some((deadline, waker)) = fired else {
                break;
            };
            let prev = self.current.replace(None);
            self.event(EventKind::TimerFired {
                deadline: Instant::from_nanos(deadline),
            });
            if let Some(w) = waker {
                w.wake();
            }
            self.current.set(prev);
        }
    }

    /// Nothing is runnable: jump to the earliest deadline.
    pub(crate) fn advance(&self) -> Idle {
        let next = self.timers.borrow_mut().next_deadline();
        match next {
            None | Some(u64::MAX) => Idle::Deadlock,
            Some(d) if d > self.options.max_time_nanos() => Idle::TimeLimit(Instant::from_nanos(d)),
            Some(d) => {
                if d > self.now.get() {
                    self.now.set(d);
                    self.event(EventKind::ClockAdvanced {
                        to: Instant::from_nanos(d),
                    });
                }
                self.round_left.set(0);
                Idle::Advanced
            }
        }
    }

    pub(crate) fn timers_pending(&self) -> usize {
        self.timers.borrow().live()
    }

    /// Registers a timer for the current task (a `Sleep`'s first poll).
    pub(crate) fn register_timer(&self, until: Instant, waker: Waker) -> TimerKey {
        let key = self.timers.borrow_mut().register(until.as_nanos(), waker);
        self.event(EventKind::Sleep { until });
        key
    }

    /// True while timer `key` has not fired; its waker is refreshed.
    pub(crate) fn timer_pending(&self, key: TimerKey, waker: &Waker) -> bool {
        let mut timers = self.timers.borrow_mut();
        let pending = timers.is_pending(key);
        if pending {
            timers.set_waker(key, waker);
        }
        pending
    }

    /// Forgets timer `key`; returns its waker for the caller to drop outside any borrow.
    pub(crate) fn cancel_timer(&self, key: TimerKey) -> Option<Waker> {
        self.timers.borrow_mut().cancel(key)
    }
}
