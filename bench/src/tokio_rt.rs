//! The workloads on tokio's current-thread runtime with the clock paused (`start_paused`), the
//! closest tokio comes to a simulation.

use std::future::Future;
use std::sync::Arc;

use tokio::runtime::{Builder, Runtime};

use crate::workload::{self, LiveBytes};

fn runtime() -> Runtime {
    Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("tokio runtime")
}

fn block_on<F: Future>(f: F) -> F::Output {
    runtime().block_on(f)
}

/// Spawns `n` tasks that yield once, then joins them all; returns the sum of their outputs.
///
/// ```
/// assert_eq!(seedloop_bench::tokio_rt::spawn_yield_join(10), 45);
/// ```
pub fn spawn_yield_join(n: u64) -> u64 {
    block_on(async move {
        let handles: Vec<_> = (0..n)
            .map(|i| tokio::spawn(workload::yielder(i, tokio::task::yield_now)))
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("yielder failed");
        }
        sum
    })
}

/// `tasks` tasks each sleep `sleeps` seeded random lengths; returns the milliseconds slept.
///
/// ```
/// use seedloop_bench::{tokio_rt, workload};
/// assert_eq!(tokio_rt::timers(3, 4), workload::sleepers_sum(3, 4));
/// ```
pub fn timers(tasks: u64, sleeps: u64) -> u64 {
    block_on(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|i| tokio::spawn(workload::sleeper(i, sleeps, tokio::time::sleep)))
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("sleeper failed");
        }
        sum
    })
}

/// Ping-pong through two capacity-1 `tokio::sync::mpsc` channels; returns the echoed sum.
///
/// ```
/// assert_eq!(seedloop_bench::tokio_rt::ping_pong(10), 45);
/// ```
pub fn ping_pong(round_trips: u64) -> u64 {
    block_on(async move {
        let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u64>(1);
        let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u64>(1);
        let echo = tokio::spawn(async move {
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

/// A producer sends `0..items` through a `tokio::sync::mpsc` channel of
/// [`workload::QUEUE_CAPACITY`], a consumer receives them; returns their sum.
///
/// ```
/// assert_eq!(seedloop_bench::tokio_rt::queue(200), 19_900);
/// ```
pub fn queue(items: u64) -> u64 {
    block_on(async move {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(workload::QUEUE_CAPACITY);
        let producer = tokio::spawn(async move {
            for i in 0..items {
                tx.send(i).await.expect("consumer gone");
            }
        });
        let consumer = tokio::spawn(async move {
            let mut sum = 0;
            for _ in 0..items {
                sum += rx.recv().await.expect("producer gone");
            }
            sum
        });
        producer.await.expect("producer failed");
        consumer.await.expect("consumer failed")
    })
}

/// `tasks` tasks each lock one `tokio::sync::Mutex` `locks` times, holding it across a yield;
/// returns the counter they incremented.
///
/// ```
/// assert_eq!(seedloop_bench::tokio_rt::mutex(3, 4), 12);
/// ```
pub fn mutex(tasks: u64, locks: u64) -> u64 {
    block_on(async move {
        let counter = Arc::new(tokio::sync::Mutex::new(0u64));
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let counter = counter.clone();
                tokio::spawn(async move {
                    for _ in 0..locks {
                        let mut g = counter.lock().await;
                        *g += 1;
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.expect("locker failed");
        }
        *counter.lock().await
    })
}

/// Live bytes per task while `n` tasks are alive and parked (their handles dropped).
///
/// ```
/// assert_eq!(seedloop_bench::tokio_rt::bytes_per_task(100, || 0), 0);
/// ```
pub fn bytes_per_task(n: usize, live: LiveBytes) -> usize {
    bytes_per(n, live, || drop(tokio::spawn(workload::parked())))
}

/// Live bytes per task while `n` tasks are alive and asleep (an hour-long `sleep`).
///
/// ```
/// assert_eq!(seedloop_bench::tokio_rt::bytes_per_sleeper(100, || 0), 0);
/// ```
pub fn bytes_per_sleeper(n: usize, live: LiveBytes) -> usize {
    bytes_per(n, live, || {
        drop(tokio::spawn(workload::asleep(tokio::time::sleep)));
    })
}

fn bytes_per(n: usize, live: LiveBytes, spawn: fn()) -> usize {
    workload::reset_parked();
    let base = live();
    let rt = runtime();
    rt.block_on(async move {
        for _ in 0..n {
            spawn();
        }
        while workload::parked_count() < n {
            tokio::task::yield_now().await;
        }
        live().saturating_sub(base) / n.max(1)
    })
}

/// A writer task sends `messages` messages of [`workload::MESSAGE_BYTES`] through
/// `tokio::io::duplex` (64 KiB buffer) to a reader task, which sums the numbers they carry.
///
/// ```
/// let sum = seedloop_bench::tokio_rt::duplex_messages(100);
/// assert_eq!(sum, seedloop_bench::workload::stream_sum(100));
/// ```
pub fn duplex_messages(messages: u64) -> u64 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    block_on(async move {
        let (mut a, mut b) = tokio::io::duplex(64 * 1024);
        let reader = tokio::spawn(async move {
            let mut sum = 0;
            let mut m = [0; workload::MESSAGE_BYTES];
            for _ in 0..messages {
                b.read_exact(&mut m).await.expect("read");
                sum += workload::message_number(&m);
            }
            sum
        });
        for i in 0..messages {
            a.write_all(&workload::message(i)).await.expect("write");
        }
        a.shutdown().await.expect("shutdown");
        reader.await.expect("reader failed")
    })
}
