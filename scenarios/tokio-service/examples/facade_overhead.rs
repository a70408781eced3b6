//! Exploration speed through the tokio facade against the same workload written on `sim`
//! directly: runs per second of a `harness::Check` sweep (release build, under the cfg):
//!
//! ```sh
//! RUSTFLAGS="--cfg seedloop" cargo run --release -p tokio-service --example facade_overhead \
//!     --target-dir target/seedloop -- 2000
//! ```
//!
//! The workload: four tasks, each taking a lock, a semaphore permit and sending on a bounded
//! channel eight times; the main task receives everything. Each sweep alternates facade and
//! sim, three rounds, and the best round of each is printed.
//!
//! A second argument, `facade` or `sim`, runs that side's sweep once and prints nothing: for a
//! profiler (`valgrind --tool=callgrind ... -- 200 facade`), which counts instructions where
//! runs per second are noisy on a shared machine.

#![forbid(unsafe_code)]

#[cfg(seedloop)]
fn main() {
    use std::time::Instant;

    let seeds: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("the number of seeds, e.g. 2000"))
        .unwrap_or(2000);
    let sweep = |facade: bool| {
        let check = harness::Check::new()
            .env(harness::Env::empty())
            .no_regressions()
            .seeds(seeds);
        let start = Instant::now();
        let outcome = if facade {
            check.explore(workload::facade)
        } else {
            check.explore(workload::sim_direct)
        };
        assert!(outcome.report.is_none(), "the workload is correct");
        outcome.schedules_run as f64 / start.elapsed().as_secs_f64()
    };
    match std::env::args().nth(2).as_deref() {
        None => {}
        Some(side @ ("facade" | "sim")) => {
            sweep(side == "facade");
            return;
        }
        Some(other) => panic!("the second argument is `facade` or `sim`, not {other:?}"),
    }
    let (mut best_facade, mut best_sim) = (0f64, 0f64);
    for _ in 0..3 {
        best_facade = best_facade.max(sweep(true));
        best_sim = best_sim.max(sweep(false));
    }
    println!("sim directly:     {best_sim:>9.0} runs/s");
    println!("through facade:   {best_facade:>9.0} runs/s");
    println!(
        "facade overhead:  {:>8.1} %",
        (best_sim / best_facade - 1.0) * 100.0
    );
}

#[cfg(seedloop)]
mod workload {
    use std::sync::Arc;

    const TASKS: u32 = 4;
    const ROUNDS: u32 = 8;

    pub async fn facade() {
        use tokio::sync::{Mutex, Semaphore, mpsc};
        let lock = Arc::new(Mutex::new(0u32));
        let sem = Arc::new(Semaphore::new(2));
        let (tx, mut rx) = mpsc::channel(4);
        for _ in 0..TASKS {
            let (lock, sem, tx) = (lock.clone(), sem.clone(), tx.clone());
            tokio::spawn(async move {
                for i in 0..ROUNDS {
                    let _p = sem.acquire().await.expect("open");
                    *lock.lock().await += 1;
                    tx.send(i).await.expect("receiver alive");
                }
            });
        }
        drop(tx);
        let mut n = 0;
        while rx.recv().await.is_some() {
            n += 1;
        }
        assert_eq!(n, TASKS * ROUNDS);
        assert_eq!(*lock.lock().await, TASKS * ROUNDS);
    }

    pub async fn sim_direct() {
        use sim::channel::mpsc;
        use sim::sync::{Mutex, Semaphore};
        let lock = Arc::new(Mutex::new(0u32));
        let sem = Arc::new(Semaphore::new(2));
        let (tx, mut rx) = mpsc::channel(4);
        for _ in 0..TASKS {
            let (lock, sem, tx) = (lock.clone(), sem.clone(), tx.clone());
            sim::spawn(async move {
                for i in 0..ROUNDS {
                    let _p = sem.acquire().await.expect("open");
                    *lock.lock().await += 1;
                    tx.send(i).await.expect("receiver alive");
                }
            });
        }
        drop(tx);
        let mut n = 0;
        while rx.recv().await.is_some() {
            n += 1;
        }
        assert_eq!(n, TASKS * ROUNDS);
        assert_eq!(*lock.lock().await, TASKS * ROUNDS);
    }
}

#[cfg(not(seedloop))]
fn main() {
    eprintln!(
        "facade_overhead measures the simulation: run it with RUSTFLAGS=\"--cfg seedloop\" \
         (see the file's header)"
    );
    std::process::exit(2);
}
