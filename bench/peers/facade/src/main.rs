//! The tokio facade's side of seedloop's bench: answers the bench's requests
//! (`shared::protocol`) for the one row that compares seedloop with itself, `explore_facade`.
//! One scenario (the guarded one of `shared::workload`: tasks taking a semaphore permit and a
//! lock, then sending on a bounded channel), swept by `harness::Check` over seeds `0..runs`,
//! written twice: against tokio's API (`seedloop-tokio`, the simulation under
//! `--cfg seedloop`; workload `explore_facade`) and against `sim` directly (`explore_sim`).
//! Both run in this one process, built with the same flags and measured by the same code, so
//! their ratio is the facade's overhead and nothing else.

#![forbid(unsafe_code)]

#[cfg(not(seedloop))]
compile_error!(
    "build with RUSTFLAGS=\"--cfg seedloop\" (`cargo bench -p seedloop-bench` does, in its own target dir)"
);

#[path = "../../../src/shared/mod.rs"]
#[allow(
    dead_code,
    reason = "the shared module also serves the bench, which uses more of it"
)]
mod shared;

use std::alloc::System;
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use shared::protocol::{self, NoEquivalent};
use shared::workload as w;

// The same allocator as the bench and the other peers, so both columns pay what they pay.
#[global_allocator]
static ALLOC: cap::Cap<System> = cap::Cap::new(System, usize::MAX);

/// Why this column has no figure in the other rows.
const ONLY: &str = "the facade column runs only the explore_facade row";

fn main() {
    protocol::serve(|req| protocol::answer(req, probe, run, |_| Err(NoEquivalent(ONLY.into()))));
}

fn probe(workload: &str) -> Result<(), NoEquivalent> {
    match workload {
        "explore_facade" | "explore_sim" => Ok(()),
        _ if w::checksum(workload, 1).is_some() => Err(NoEquivalent(ONLY.into())),
        _ => Err(NoEquivalent::unknown(workload)),
    }
}

fn run(workload: &str, runs: u64) -> Result<u64, NoEquivalent> {
    probe(workload)?;
    Ok(if workload == "explore_facade" {
        sweep(runs, through_facade)
    } else {
        sweep(runs, sim_directly)
    })
}

/// `runs` seeds of `scenario` through `harness::Check` (no regressions file, no `SEEDLOOP_*`
/// overrides), as the explore row sweeps; the sum of what every run received.
fn sweep<Fut: Future<Output = u64>>(runs: u64, scenario: fn() -> Fut) -> u64 {
    let total = Rc::new(Cell::new(0u64));
    let sum = total.clone();
    let outcome = harness::Check::new()
        .env(harness::Env::empty())
        .no_regressions()
        .seeds(0..runs)
        .explore(move || {
            let total = total.clone();
            async move { total.set(total.get() + scenario().await) }
        });
    assert!(
        outcome.passed() && outcome.schedules_run == runs,
        "the guarded scenario failed or skipped seeds: {:?}",
        outcome.failure_text()
    );
    sum.get()
}

/// The guarded scenario through tokio's API (the facade).
async fn through_facade() -> u64 {
    use std::sync::Arc;
    use tokio::sync::{Mutex, Semaphore, mpsc};
    let lock = Arc::new(Mutex::new(0u64));
    let sem = Arc::new(Semaphore::new(w::GUARDED_PERMITS));
    let (tx, mut rx) = mpsc::channel(w::GUARDED_CAPACITY);
    for _ in 0..w::GUARDED_TASKS {
        let (lock, sem, tx) = (lock.clone(), sem.clone(), tx.clone());
        tokio::spawn(async move {
            for i in 0..w::GUARDED_ROUNDS {
                let _permit = sem.acquire().await.expect("the semaphore is open");
                *lock.lock().await += 1;
                tx.send(i).await.expect("the receiver is alive");
            }
        });
    }
    drop(tx);
    let mut sum = 0;
    while let Some(i) = rx.recv().await {
        sum += i;
    }
    assert_eq!(*lock.lock().await, w::GUARDED_TASKS * w::GUARDED_ROUNDS);
    sum
}

/// The same scenario on `sim`'s own primitives.
async fn sim_directly() -> u64 {
    use sim::channel::mpsc;
    use sim::sync::{Mutex, Semaphore};
    use std::sync::Arc;
    let lock = Arc::new(Mutex::new(0u64));
    let sem = Arc::new(Semaphore::new(w::GUARDED_PERMITS));
    let (tx, mut rx) = mpsc::channel(w::GUARDED_CAPACITY);
    for _ in 0..w::GUARDED_TASKS {
        let (lock, sem, tx) = (lock.clone(), sem.clone(), tx.clone());
        sim::spawn(async move {
            for i in 0..w::GUARDED_ROUNDS {
                let _permit = sem.acquire().await.expect("the semaphore is open");
                *lock.lock().await += 1;
                tx.send(i).await.expect("the receiver is alive");
            }
        });
    }
    drop(tx);
    let mut sum = 0;
    while let Some(i) = rx.recv().await {
        sum += i;
    }
    assert_eq!(*lock.lock().await, w::GUARDED_TASKS * w::GUARDED_ROUNDS);
    sum
}
