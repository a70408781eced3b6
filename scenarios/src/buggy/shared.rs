//! Small building blocks the planted-bug programs share.

use std::cell::Cell;
use std::rc::Rc;

use sim::JoinHandle;
use sim::task::maybe_yield;

/// A shared variable whose every read and write is a preemption point (`;` in the benchmark's sketches): the
/// access itself is atomic, but an exploring strategy may switch tasks just before it.
#[derive(Debug, Default)]
pub struct Shared<T: Copy>(Rc<Cell<T>>);

impl<T: Copy> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T: Copy> Shared<T> {
    /// A new variable holding `v`.
    pub fn new(v: T) -> Self {
        Shared(Rc::new(Cell::new(v)))
    }

    /// Reads it (after a preemption point).
    pub async fn get(&self) -> T {
        maybe_yield().await;
        self.0.get()
    }

    /// Writes it (after a preemption point).
    pub async fn set(&self, v: T) {
        maybe_yield().await;
        self.0.set(v);
    }

    /// Writes it with no preemption point (part of a larger atomic step).
    pub fn poke(&self, v: T) {
        self.0.set(v);
    }

    /// Reads it with no preemption point (for checks after every task has finished).
    pub fn peek(&self) -> T {
        self.0.get()
    }
}

/// `n` preemption points: `n` steps of unrelated work an exploring strategy may interleave.
pub async fn steps(n: usize) {
    for _ in 0..n {
        maybe_yield().await;
    }
}

/// Awaits every handle in order; the first task failure (an `Err` or a panic) is the result.
pub async fn join_all(handles: Vec<JoinHandle<Result<(), String>>>) -> Result<(), String> {
    let mut first = Ok(());
    for h in handles {
        let r = match h.await {
            Ok(r) => r,
            Err(e) => Err(e.to_string()),
        };
        if first.is_ok() {
            first = r;
        }
    }
    first
}
