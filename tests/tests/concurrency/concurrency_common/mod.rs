//! Helpers shared by the `concurrency_*` tests.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use sim::{Sim, Strategy};

/// Seeds swept for the order-free parts of each case.
pub const SEEDS: std::ops::Range<u64> = 0..64;

pub fn fifo() -> Sim {
    Sim::builder().strategy(Strategy::fifo()).build()
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The run's log lines as `"<time> <text>"`.
pub fn logs(sim: &Sim) -> Vec<String> {
    sim.trace()
        .logs()
        .map(|l| format!("{} {}", l.time, l.text))
        .collect()
}

/// Texts of the run's log lines, sorted (for order-free comparisons).
pub fn sorted_logs(sim: &Sim) -> Vec<String> {
    let mut v = logs(sim);
    v.sort();
    v
}

/// What happened to one child: it ran to completion, or its future was dropped before that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Running,
    Completed,
    Cancelled,
}

/// Shared record of every child's fate, filled in by [`Guard`]s.
#[derive(Clone, Default)]
pub struct Fates(Rc<RefCell<Vec<Fate>>>);

impl Fates {
    /// A guard for a new child; `complete()` it when the child finished its work.
    pub fn guard(&self, name: &'static str) -> Guard {
        let mut v = self.0.borrow_mut();
        v.push(Fate::Running);
        Guard {
            fates: self.clone(),
            index: v.len() - 1,
            name,
            done: false,
        }
    }

    pub fn get(&self) -> Vec<Fate> {
        self.0.borrow().clone()
    }

    pub fn count(&self, f: Fate) -> usize {
        self.0.borrow().iter().filter(|x| **x == f).count()
    }
}

/// Logs `"<name> dropped"` when dropped before `complete()`, and records the child's fate.
pub struct Guard {
    fates: Fates,
    index: usize,
    name: &'static str,
    done: bool,
}

impl Guard {
    pub fn complete(mut self) {
        self.done = true;
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let fate = if self.done {
            Fate::Completed
        } else {
            sim::log!("{} dropped", self.name);
            Fate::Cancelled
        };
        self.fates.0.borrow_mut()[self.index] = fate;
    }
}

/// `X(d)`: logs `X started`, sleeps `d` holding a guard (made now, so a child aborted before
/// its first poll is recorded too), logs `X finished`, returns `X`.
pub fn named(
    name: &'static str,
    d: Duration,
    fates: &Fates,
) -> impl Future<Output = &'static str> + 'static {
    let g = fates.guard(name);
    async move {
        sim::log!("{name} started");
        sim::time::sleep(d).await;
        sim::log!("{name} finished");
        g.complete();
        name
    }
}
