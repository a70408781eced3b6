//! Helpers shared by the `sync_*` tests.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use sim::Sim;

pub use seedloop_tests::{fifo, random};

/// The seeds every order-free property is checked under (the shared sweep).
pub const SEEDS: std::ops::Range<u64> = seedloop_tests::SWEEP;

/// Fifo first, then every seed of [`SEEDS`] under Random.
pub fn all_sims() -> impl Iterator<Item = (String, Sim)> {
    std::iter::once(("fifo".to_string(), fifo()))
        .chain(SEEDS.map(|s| (format!("random seed {s}"), random(s))))
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `(elapsed ms, text)` lines, as [`Log::lines`] returns them.
pub type Lines = Vec<(u128, String)>;

/// `(elapsed ms, text)` lines appended by tasks.
#[derive(Clone, Default)]
pub struct Log(Rc<RefCell<Vec<(u128, String)>>>);

impl Log {
    pub fn push(&self, text: impl Into<String>) {
        self.0
            .borrow_mut()
            .push((sim::time::elapsed().as_millis(), text.into()));
    }

    pub fn lines(&self) -> Vec<(u128, String)> {
        self.0.borrow().clone()
    }

    pub fn texts(&self) -> Vec<String> {
        self.0.borrow().iter().map(|(_, t)| t.clone()).collect()
    }
}

/// Counts the tasks inside a critical section and remembers the peak; an [`Inside`] token
/// leaves on drop, also when its task is aborted.
#[derive(Clone, Default)]
pub struct Occupancy {
    now: Rc<Cell<usize>>,
    peak: Rc<Cell<usize>>,
}

impl Occupancy {
    pub fn enter(&self, weight: usize) -> Inside {
        self.now.set(self.now.get() + weight);
        self.peak.set(self.peak.get().max(self.now.get()));
        Inside(self.now.clone(), weight)
    }

    pub fn now(&self) -> usize {
        self.now.get()
    }

    pub fn peak(&self) -> usize {
        self.peak.get()
    }
}

pub struct Inside(Rc<Cell<usize>>, usize);

impl Drop for Inside {
    fn drop(&mut self) {
        self.0.set(self.0.get() - self.1);
    }
}

/// When the aborter strikes: after `n` yields (zero virtual time, between steps) or after
/// `q` quarter-milliseconds of virtual time and then `y` yields (to land between the steps
/// that follow a timer, e.g. after a release and before the released task runs).
#[derive(Clone, Copy, Debug)]
pub enum AbortAt {
    Yields(u32),
    Time(u64, u32),
}

/// Every abort point the sweeps try: each step of the first instant, then each quarter
/// millisecond up to `horizon_ms`.
pub fn abort_points(yields: u32, horizon_ms: u64) -> Vec<AbortAt> {
    (0..yields)
        .map(AbortAt::Yields)
        .chain((0..horizon_ms * 4).flat_map(|q| (0..3).map(move |y| AbortAt::Time(q, y))))
        .collect()
}

/// Waits until the abort point, then aborts `victim`.
pub async fn abort_at<T>(at: AbortAt, victim: &sim::JoinHandle<T>) {
    match at {
        AbortAt::Yields(n) => {
            for _ in 0..n {
                sim::task::yield_now().await;
            }
        }
        AbortAt::Time(q, y) => {
            sim::time::sleep(Duration::from_micros(250 * q)).await;
            for _ in 0..y {
                sim::task::yield_now().await;
            }
        }
    }
    victim.abort();
}
