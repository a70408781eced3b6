//! The workloads on futures' `LocalPool`: a minimal single-threaded executor with no timers and
//! no I/O, the floor of what polling a task costs. Channels are futures' own; the blocked row
//! uses tokio's runtime-independent `Semaphore` (futures has none).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use futures::{SinkExt, StreamExt};

use crate::LiveBytes;
use crate::shared::protocol::NoEquivalent;
use crate::shared::workload as w;

/// Suspends once (futures has no `yield_now`): wakes itself and returns `Pending`.
#[derive(Debug, Default)]
pub struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Runs `workload` at `size` and returns its checksum.
///
/// ```
/// use seedloop_bench::{local_pool, shared::workload::checksum};
/// for (workload, size) in [("explore", 3), ("stream", 300), ("blocked", 5)] {
///     assert_eq!(local_pool::run(workload, size).ok(), checksum(workload, size), "{workload}");
/// }
/// assert!(local_pool::run("timers", 10).is_err());
/// ```
pub fn run(workload: &str, size: u64) -> Result<u64, NoEquivalent> {
    Ok(match workload {
        "explore" => counting_runs(size, w::EXPLORE_TASKS, w::EXPLORE_YIELDS),
        "scale" => counting_runs(size, w::SCALE_TASKS, w::SCALE_YIELDS),
        "spawn_join" => spawn_join(size),
        "pingpong" => pingpong(size),
        "stream" => stream(size),
        "blocked" => blocked(size),
        _ => {
            return Err(probe(workload)
                .err()
                .unwrap_or_else(|| NoEquivalent::unknown(workload)));
        }
    })
}

/// Whether [`run`] has `workload`, without running it.
pub fn probe(workload: &str) -> Result<(), NoEquivalent> {
    match workload {
        "explore" | "scale" | "spawn_join" | "pingpong" | "stream" | "blocked" => Ok(()),
        "timers" => Err(NoEquivalent("LocalPool has no timers".into())),
        "io" => Err(NoEquivalent("LocalPool has no I/O".into())),
        _ => Err(NoEquivalent::unknown(workload)),
    }
}

fn counting_runs(runs: u64, tasks: u64, yields: u64) -> u64 {
    let mut total = 0;
    for _ in 0..runs {
        let mut pool = LocalPool::new();
        let count = Rc::new(Cell::new(0u64));
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let count = count.clone();
                pool.spawner()
                    .spawn_local_with_handle(async move {
                        w::counter(yields, YieldOnce::default, || count.set(count.get() + 1)).await;
                    })
                    .expect("spawn")
            })
            .collect();
        pool.run_until(async move {
            for h in handles {
                h.await;
            }
        });
        assert_eq!(count.get(), tasks * yields, "lost a count");
        total += count.get();
    }
    total
}

fn spawn_join(n: u64) -> u64 {
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    pool.run_until(async move {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                spawner
                    .spawn_local_with_handle(w::yielder(i, YieldOnce::default))
                    .expect("spawn")
            })
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await;
        }
        sum
    })
}

fn pingpong(messages: u64) -> u64 {
    let round_trips = messages / 2;
    let mut pool = LocalPool::new();
    // futures' bounded channel holds `buffer + senders` messages: 0 + 1 = capacity 1.
    let (mut ping_tx, mut ping_rx) = futures::channel::mpsc::channel::<u64>(0);
    let (mut pong_tx, mut pong_rx) = futures::channel::mpsc::channel::<u64>(0);
    pool.spawner()
        .spawn_local(async move {
            while let Some(v) = ping_rx.next().await {
                pong_tx.send(v).await.expect("pong receiver gone");
            }
        })
        .expect("spawn");
    pool.run_until(async move {
        let mut sum = 0;
        for i in 0..round_trips {
            ping_tx.send(i).await.expect("echo gone");
            sum += pong_rx.next().await.expect("echo gone");
        }
        sum
    })
}

fn stream(items: u64) -> u64 {
    let mut pool = LocalPool::new();
    // Capacity is `buffer + senders`.
    let (mut tx, mut rx) = futures::channel::mpsc::channel::<u64>(w::STREAM_CAPACITY - 1);
    pool.spawner()
        .spawn_local(async move {
            for i in 0..items {
                tx.send(i).await.expect("consumer gone");
            }
        })
        .expect("spawn");
    pool.run_until(async move {
        let mut sum = 0;
        while let Some(v) = rx.next().await {
            sum += v;
        }
        sum
    })
}

fn blocked(n: u64) -> u64 {
    let mut pool = LocalPool::new();
    let gate = Rc::new(tokio::sync::Semaphore::new(0));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let gate = gate.clone();
            pool.spawner()
                .spawn_local_with_handle(async move {
                    gate.acquire().await.expect("gate closed").forget();
                    i
                })
                .expect("spawn")
        })
        .collect();
    // Every task runs until it blocks on the gate.
    pool.run_until_stalled();
    gate.add_permits(n as usize);
    pool.run_until(async move {
        let mut sum = 0;
        for h in handles {
            sum += h.await;
        }
        sum
    })
}

/// Live heap bytes per task while `n` tasks are alive and parked.
///
/// ```
/// assert_eq!(seedloop_bench::local_pool::parked_bytes(100, || 0), 0);
/// ```
pub fn parked_bytes(n: u64, live: LiveBytes) -> u64 {
    let started = Rc::new(Cell::new(0u64));
    let base = live();
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    for _ in 0..n {
        let started = started.clone();
        spawner
            .spawn_local(w::parked(move || started.set(started.get() + 1)))
            .expect("spawn");
    }
    pool.run_until_stalled();
    assert_eq!(started.get(), n, "not every task started");
    let per_task = live().saturating_sub(base) as u64 / n.max(1);
    drop(pool);
    per_task
}
