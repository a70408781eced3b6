//! The workloads on futures' `LocalPool`: a minimal single-threaded executor with no timers,
//! the floor of what polling a task costs.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use futures::{SinkExt, StreamExt};

use crate::workload::{self, LiveBytes};

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

/// Spawns `n` tasks that yield once, then joins them all; returns the sum of their outputs.
///
/// ```
/// assert_eq!(seedloop_bench::local_pool::spawn_yield_join(10), 45);
/// ```
pub fn spawn_yield_join(n: u64) -> u64 {
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    let handles: Vec<_> = (0..n)
        .map(|i| {
            spawner
                .spawn_local_with_handle(workload::yielder(i, YieldOnce::default))
                .expect("spawn")
        })
        .collect();
    pool.run_until(async move {
        let mut sum = 0;
        for h in handles {
            sum += h.await;
        }
        sum
    })
}

/// Ping-pong through two capacity-1 `futures::channel::mpsc` channels; returns the echoed sum.
///
/// ```
/// assert_eq!(seedloop_bench::local_pool::ping_pong(10), 45);
/// ```
pub fn ping_pong(round_trips: u64) -> u64 {
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

/// A producer sends `0..items` through a `futures::channel::mpsc` channel of
/// [`workload::QUEUE_CAPACITY`], a consumer receives them; returns their sum.
///
/// ```
/// assert_eq!(seedloop_bench::local_pool::queue(200), 19_900);
/// ```
pub fn queue(items: u64) -> u64 {
    let mut pool = LocalPool::new();
    // Capacity is `buffer + senders`.
    let (mut tx, mut rx) = futures::channel::mpsc::channel::<u64>(workload::QUEUE_CAPACITY - 1);
    let spawner = pool.spawner();
    let producer = spawner
        .spawn_local_with_handle(async move {
            for i in 0..items {
                tx.send(i).await.expect("consumer gone");
            }
        })
        .expect("spawn");
    let consumer = spawner
        .spawn_local_with_handle(async move {
            let mut sum = 0;
            for _ in 0..items {
                sum += rx.next().await.expect("producer gone");
            }
            sum
        })
        .expect("spawn");
    pool.run_until(async move {
        producer.await;
        consumer.await
    })
}

/// `tasks` tasks each lock one `futures::lock::Mutex` `locks` times, holding it across a
/// yield; returns the counter they incremented.
///
/// ```
/// assert_eq!(seedloop_bench::local_pool::mutex(3, 4), 12);
/// ```
pub fn mutex(tasks: u64, locks: u64) -> u64 {
    let mut pool = LocalPool::new();
    let counter = Rc::new(futures::lock::Mutex::new(0u64));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let counter = counter.clone();
            pool.spawner()
                .spawn_local_with_handle(async move {
                    for _ in 0..locks {
                        let mut g = counter.lock().await;
                        *g += 1;
                        YieldOnce::default().await;
                    }
                })
                .expect("spawn")
        })
        .collect();
    pool.run_until(async move {
        for h in handles {
            h.await;
        }
        *counter.lock().await
    })
}

/// Live bytes per task while `n` tasks are alive and parked.
///
/// ```
/// assert_eq!(seedloop_bench::local_pool::bytes_per_task(100, || 0), 0);
/// ```
pub fn bytes_per_task(n: usize, live: LiveBytes) -> usize {
    workload::reset_parked();
    let base = live();
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    for _ in 0..n {
        spawner.spawn_local(workload::parked()).expect("spawn");
    }
    pool.run_until_stalled();
    assert_eq!(workload::parked_count(), n, "not every task started");
    let per_task = live().saturating_sub(base) / n.max(1);
    drop(pool);
    per_task
}
