//! Helpers shared by the channel tests.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::cell::RefCell;
use std::rc::Rc;

use sim::Sim;

pub use seedloop_tests::{fifo, random};

/// The seeds every order-free property is checked under (the shared sweep).
pub const SEEDS: std::ops::Range<u64> = seedloop_tests::SWEEP;

/// Fifo, then Random under every seed of [`SEEDS`].
pub fn every_strategy() -> impl Iterator<Item = Sim> {
    std::iter::once(fifo()).chain(SEEDS.map(random))
}

/// The run's log lines as `"<time> <text>"`.
pub fn logs(sim: &Sim) -> Vec<String> {
    sim.trace()
        .logs()
        .map(|l| format!("{} {}", l.time, l.text))
        .collect()
}

/// A shared, appendable record.
#[derive(Clone, Default)]
pub struct Record<T>(Rc<RefCell<Vec<T>>>);

impl<T: Clone> Record<T> {
    pub fn push(&self, v: T) {
        self.0.borrow_mut().push(v);
    }
    pub fn get(&self) -> Vec<T> {
        self.0.borrow().clone()
    }
}

/// Asserts `got` is `sent` reordered at most across producers: same multiset, and the values of
/// each producer (`v / 100`) in the order they were sent.
pub fn assert_same_items_fifo_per_producer(sent: &[u32], got: &[u32]) {
    let mut a = sent.to_vec();
    let mut b = got.to_vec();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "items lost or duplicated: sent {sent:?}, got {got:?}");
    for p in 0..10 {
        let s: Vec<u32> = sent.iter().copied().filter(|v| v / 100 == p).collect();
        let g: Vec<u32> = got.iter().copied().filter(|v| v / 100 == p).collect();
        assert_eq!(s, g, "producer {p}'s items out of order");
    }
}
