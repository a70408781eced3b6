//! The workloads on tokio's current-thread runtime with the clock paused (`start_paused`), the
//! closest tokio comes to a simulation. The explore and scale rows build a fresh runtime per
//! run, as a test suite that wanted a clean state per case would.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::runtime::{Builder, Runtime};

use crate::LiveBytes;
use crate::shared::protocol::NoEquivalent;
use crate::shared::workload as w;

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

/// Runs `workload` at `size` and returns its checksum.
///
/// ```
/// use seedloop_bench::{tokio_rt, shared::workload::checksum};
/// for (workload, size) in [("explore", 3), ("pingpong", 10), ("io", 20), ("blocked", 5)] {
///     assert_eq!(tokio_rt::run(workload, size).ok(), checksum(workload, size), "{workload}");
/// }
/// ```
pub fn run(workload: &str, size: u64) -> Result<u64, NoEquivalent> {
    Ok(match workload {
        "explore" => counting_runs(size, w::EXPLORE_TASKS, w::EXPLORE_YIELDS),
        "scale" => counting_runs(size, w::SCALE_TASKS, w::SCALE_YIELDS),
        "spawn_join" => spawn_join(size),
        "pingpong" => pingpong(size),
        "stream" => stream(size),
        "timers" => timers(size),
        "io" => duplex(size),
        "blocked" => blocked(size),
        _ => return Err(NoEquivalent::unknown(workload)),
    })
}

/// Whether [`run`] has `workload`, without running it.
pub fn probe(workload: &str) -> Result<(), NoEquivalent> {
    match workload {
        "explore" | "scale" | "spawn_join" | "pingpong" | "stream" | "timers" | "io"
        | "blocked" => Ok(()),
        _ => Err(NoEquivalent::unknown(workload)),
    }
}

/// `runs` runs of a counting scenario, each on a fresh runtime.
fn counting_runs(runs: u64, tasks: u64, yields: u64) -> u64 {
    let mut total = 0;
    for _ in 0..runs {
        total += block_on(async move {
            let count = Arc::new(AtomicU64::new(0));
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    let count = count.clone();
                    tokio::spawn(async move {
                        w::counter(yields, tokio::task::yield_now, || {
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
        });
    }
    total
}

fn spawn_join(n: u64) -> u64 {
    block_on(async move {
        let handles: Vec<_> = (0..n)
            .map(|i| tokio::spawn(w::yielder(i, tokio::task::yield_now)))
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
    block_on(async move {
        let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u64>(w::PINGPONG_CAPACITY);
        let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u64>(w::PINGPONG_CAPACITY);
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

fn stream(items: u64) -> u64 {
    block_on(async move {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(w::STREAM_CAPACITY);
        let producer = tokio::spawn(async move {
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

fn timers(sleeps: u64) -> u64 {
    let (tasks, each) = w::timer_split(sleeps);
    block_on(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|i| tokio::spawn(w::sleeper(i, each, tokio::time::sleep)))
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("sleeper failed");
        }
        sum
    })
}

/// A writer sends `messages` messages through `tokio::io::duplex` (64 KiB buffer) to a reader
/// task, which sums the numbers they carry.
fn duplex(messages: u64) -> u64 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    block_on(async move {
        let (mut a, mut b) = tokio::io::duplex(64 * 1024);
        let reader = tokio::spawn(async move {
            let mut sum = 0;
            let mut m = [0; w::MESSAGE_BYTES];
            for _ in 0..messages {
                b.read_exact(&mut m).await.expect("read");
                sum += w::message_number(&m);
            }
            sum
        });
        for i in 0..messages {
            a.write_all(&w::message(i)).await.expect("write");
        }
        a.shutdown().await.expect("shutdown");
        reader.await.expect("reader failed")
    })
}

/// `n` tasks block on a `tokio::sync::Semaphore` with no permits; once all have started, main
/// adds `n` permits and joins them.
fn blocked(n: u64) -> u64 {
    block_on(async move {
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let started = Arc::new(AtomicU64::new(0));
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (gate, started) = (gate.clone(), started.clone());
                tokio::spawn(async move {
                    started.fetch_add(1, Ordering::Relaxed);
                    gate.acquire().await.expect("gate closed").forget();
                    i
                })
            })
            .collect();
        while started.load(Ordering::Relaxed) < n {
            tokio::task::yield_now().await;
        }
        gate.add_permits(n as usize);
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("blocked task failed");
        }
        sum
    })
}

/// Live heap bytes per task while `n` tasks are alive and parked (handles dropped).
///
/// ```
/// assert_eq!(seedloop_bench::tokio_rt::parked_bytes(100, || 0), 0);
/// ```
pub fn parked_bytes(n: u64, live: LiveBytes) -> u64 {
    let started = Arc::new(AtomicU64::new(0));
    let base = live();
    let rt = runtime();
    let per_task = rt.block_on(async move {
        for _ in 0..n {
            let started = started.clone();
            drop(tokio::spawn(w::parked(move || {
                started.fetch_add(1, Ordering::Relaxed);
            })));
        }
        while started.load(Ordering::Relaxed) < n {
            tokio::task::yield_now().await;
        }
        live().saturating_sub(base) as u64 / n.max(1)
    });
    drop(rt);
    per_task
}
