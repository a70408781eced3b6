//! shuttle's side of seedloop's bench: answers the bench's requests (`shared::protocol`) by
//! running the shared workloads under shuttle's `Runner` with a `RandomScheduler` (seed 1 for
//! single runs; explore and scale run their seeds as one `Runner` of that many iterations, as
//! `shuttle::check_random` does), no step limit.
//!
//! What shuttle cannot run, it says (`none <why>`): it has no timers (no virtual clock) and no
//! simulated network. Every shuttle task is a coroutine with its own mmap'd stack (60 KiB by
//! default, plus a guard page), so tens of thousands of *live* tasks exhaust Linux's default
//! `vm.max_map_count` (65,530): the blocked row stops at [`MAX_LIVE_TASKS`], and the bytes per
//! parked task are measured on that many tasks (heap only: the stacks are not heap).

#![forbid(unsafe_code)]

#[path = "../../../src/shared/mod.rs"]
#[allow(
    dead_code,
    reason = "the shared module also serves the bench, which uses more of it"
)]
mod shared;

use std::alloc::System;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use shared::protocol::{self, NoEquivalent};
use shared::workload as w;
use shuttle::future::batch_semaphore::{BatchSemaphore, Fairness};
use shuttle::scheduler::RandomScheduler;
use shuttle::{Config, FailurePersistence, MaxSteps, Runner};

#[global_allocator]
static ALLOC: cap::Cap<System> = cap::Cap::new(System, usize::MAX);

/// The most tasks alive at once that this peer runs (see the module docs).
const MAX_LIVE_TASKS: u64 = 20_000;

fn main() {
    protocol::serve(|req| protocol::answer(req, |wl| probe(wl, req.size), run, parked));
}

fn probe(workload: &str, size: u64) -> Result<(), NoEquivalent> {
    match workload {
        "explore" | "scale" | "spawn_join" | "pingpong" | "stream" => Ok(()),
        "blocked" if size <= MAX_LIVE_TASKS => Ok(()),
        "blocked" => Err(NoEquivalent(format!(
            "shuttle stops at {MAX_LIVE_TASKS} live tasks: each is a coroutine with an mmap'd \
             stack, and Linux's default vm.max_map_count (65530) runs out"
        ))),
        "timers" => Err(NoEquivalent(
            "shuttle has no timers (no virtual clock)".into(),
        )),
        "io" => Err(NoEquivalent("shuttle has no simulated network".into())),
        _ => Err(NoEquivalent::unknown(workload)),
    }
}

fn run(workload: &str, size: u64) -> Result<u64, NoEquivalent> {
    probe(workload, size)?;
    Ok(match workload {
        "explore" => counting(size, w::EXPLORE_TASKS, w::EXPLORE_YIELDS),
        "scale" => counting(size, w::SCALE_TASKS, w::SCALE_YIELDS),
        "spawn_join" => spawn_join(size),
        "pingpong" => pingpong(size),
        "stream" => stream(size),
        _ => blocked(size),
    })
}

fn config() -> Config {
    let mut c = Config::new();
    c.max_steps = MaxSteps::None;
    c.failure_persistence = FailurePersistence::None;
    c.silence_warnings = true;
    c
}

/// Runs `body` as `iterations` executions (seeds from 1) and returns what it added up.
fn runner<F, Fut>(iterations: u64, body: F) -> u64
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64>,
{
    let total = Arc::new(AtomicU64::new(0));
    let sum = total.clone();
    let scheduler = RandomScheduler::new_from_seed(1, iterations as usize);
    let ran = Runner::new(scheduler, config()).run(move || {
        let got = shuttle::future::block_on(body());
        total.fetch_add(got, Ordering::Relaxed);
    });
    assert_eq!(
        ran as u64, iterations,
        "shuttle ran fewer executions than asked"
    );
    sum.load(Ordering::Relaxed)
}

fn counting(runs: u64, tasks: u64, yields: u64) -> u64 {
    runner(runs, move || async move {
        let count = Arc::new(AtomicU64::new(0));
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let count = count.clone();
                shuttle::future::spawn(async move {
                    w::counter(yields, shuttle::future::yield_now, || {
                        count.fetch_add(1, Ordering::Relaxed);
                    })
                    .await;
                })
            })
            .collect();
        for h in handles {
            h.await.expect("counter task failed");
        }
        let n = count.load(Ordering::Relaxed);
        assert_eq!(n, tasks * yields, "lost a count");
        n
    })
}

fn spawn_join(n: u64) -> u64 {
    runner(1, move || async move {
        let handles: Vec<_> = (0..n)
            .map(|i| shuttle::future::spawn(w::yielder(i, shuttle::future::yield_now)))
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("yielder failed");
        }
        sum
    })
}

fn pingpong(messages: u64) -> u64 {
    let round_trips = messages / 2;
    runner(1, move || async move {
        let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u64>(w::PINGPONG_CAPACITY);
        let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u64>(w::PINGPONG_CAPACITY);
        let echo = shuttle::future::spawn(async move {
            while let Some(v) = ping_rx.recv().await {
                pong_tx.send(v).await.expect("pong receiver gone");
            }
        });
        let mut sum = 0;
        for i in 0..round_trips {
            ping_tx.send(i).await.expect("echo gone");
            sum += pong_rx.recv().await.expect("echo gone");
        }
        drop(ping_tx);
        echo.await.expect("echo failed");
        sum
    })
}

fn stream(items: u64) -> u64 {
    runner(1, move || async move {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(w::STREAM_CAPACITY);
        let producer = shuttle::future::spawn(async move {
            for i in 0..items {
                tx.send(i).await.expect("consumer gone");
            }
        });
        let mut sum = 0;
        while let Some(v) = rx.recv().await {
            sum += v;
        }
        producer.await.expect("producer failed");
        sum
    })
}

/// The gate is shuttle's own async semaphore (the one its tokio shims build on), strictly fair
/// like tokio's.
fn blocked(n: u64) -> u64 {
    runner(1, move || async move {
        let gate = Arc::new(BatchSemaphore::new(0, Fairness::StrictlyFair));
        let started = Arc::new(AtomicU64::new(0));
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (gate, started) = (gate.clone(), started.clone());
                shuttle::future::spawn(async move {
                    started.fetch_add(1, Ordering::Relaxed);
                    gate.acquire(1).await.expect("gate closed");
                    i
                })
            })
            .collect();
        while started.load(Ordering::Relaxed) < n {
            shuttle::future::yield_now().await;
        }
        gate.release(n as usize);
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("blocked task failed");
        }
        sum
    })
}

/// Heap bytes per parked task, on at most [`MAX_LIVE_TASKS`] tasks.
fn parked(n: u64) -> Result<(u64, u64), NoEquivalent> {
    let n = n.clamp(1, MAX_LIVE_TASKS);
    let base = ALLOC.allocated() as u64;
    let per_task = Arc::new(AtomicU64::new(0));
    let out = per_task.clone();
    Runner::new(RandomScheduler::new_from_seed(1, 1), config()).run(move || {
        let started = Arc::new(AtomicU64::new(0));
        for _ in 0..n {
            let started = started.clone();
            drop(shuttle::future::spawn(w::parked(move || {
                started.fetch_add(1, Ordering::Relaxed);
            })));
        }
        shuttle::future::block_on(async {
            while started.load(Ordering::Relaxed) < n {
                shuttle::future::yield_now().await;
            }
        });
        let live = ALLOC.allocated() as u64;
        per_task.store(live.saturating_sub(base) / n, Ordering::Relaxed);
    });
    Ok((out.load(Ordering::Relaxed), n))
}
