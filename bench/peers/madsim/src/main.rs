//! madsim's side of seedloop's bench: answers the bench's requests (`shared::protocol`) by
//! running the shared workloads on madsim's simulated runtime. Every run builds a
//! `Runtime::with_seed_and_config` on this thread (seed 1 for single runs, seeds `0..` for
//! explore and scale): madsim's own multi-seed runner (`MADSIM_TEST_NUM`) starts an OS thread
//! per seed, which would cost it more. Channels and the semaphore are tokio's runtime-independent
//! ones, as madsim's tokio shim re-exports them; the io row runs madsim's simulated TCP between
//! two nodes with a fixed 1 ms latency (seedloop's default link).

#![forbid(unsafe_code)]

#[cfg(not(madsim))]
compile_error!(
    "build with RUSTFLAGS=\"--cfg madsim\" (`cargo bench -p seedloop-bench` does, in its own target dir)"
);

#[path = "../../../src/shared/mod.rs"]
#[allow(
    dead_code,
    reason = "the shared module also serves the bench, which uses more of it"
)]
mod shared;

use std::alloc::System;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use madsim::runtime::Runtime;
use shared::protocol::{self, NoEquivalent};
use shared::workload as w;

#[global_allocator]
static ALLOC: cap::Cap<System> = cap::Cap::new(System, usize::MAX);

fn main() {
    protocol::serve(|req| protocol::answer(req, probe, run, |n| Ok((parked(n), n))));
}

fn probe(workload: &str) -> Result<(), NoEquivalent> {
    match workload {
        "explore" | "scale" | "spawn_join" | "pingpong" | "stream" | "timers" | "io"
        | "blocked" => Ok(()),
        _ => Err(NoEquivalent::unknown(workload)),
    }
}

fn run(workload: &str, size: u64) -> Result<u64, NoEquivalent> {
    probe(workload)?;
    Ok(match workload {
        "explore" => counting(size, w::EXPLORE_TASKS, w::EXPLORE_YIELDS),
        "scale" => counting(size, w::SCALE_TASKS, w::SCALE_YIELDS),
        "spawn_join" => spawn_join(size),
        "pingpong" => pingpong(size),
        "stream" => stream(size),
        "timers" => timers(size),
        "io" => io(size),
        _ => blocked(size),
    })
}

fn runtime(seed: u64) -> Runtime {
    Runtime::with_seed_and_config(seed, madsim::Config::default())
}

fn counting(runs: u64, tasks: u64, yields: u64) -> u64 {
    let mut total = 0;
    for seed in 0..runs {
        total += runtime(seed).block_on(async move {
            let count = Arc::new(AtomicU64::new(0));
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    let count = count.clone();
                    madsim::task::spawn(async move {
                        w::counter(yields, madsim::task::yield_now, || {
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
    runtime(1).block_on(async move {
        let handles: Vec<_> = (0..n)
            .map(|i| madsim::task::spawn(w::yielder(i, madsim::task::yield_now)))
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
    runtime(1).block_on(async move {
        let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u64>(w::PINGPONG_CAPACITY);
        let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u64>(w::PINGPONG_CAPACITY);
        let echo = madsim::task::spawn(async move {
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
    runtime(1).block_on(async move {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(w::STREAM_CAPACITY);
        let producer = madsim::task::spawn(async move {
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
    runtime(1).block_on(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|i| madsim::task::spawn(w::sleeper(i, each, madsim::time::sleep)))
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("sleeper failed");
        }
        sum
    })
}

fn io(messages: u64) -> u64 {
    use madsim::net::{TcpListener, TcpStream};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut config = madsim::Config::default();
    // seedloop's default link: 1 ms, no loss (madsim's default draws 1..10 ms per packet).
    config.net.send_latency = Duration::from_millis(1)..Duration::from_nanos(1_000_001);
    config.net.packet_loss_rate = 0.0;
    Runtime::with_seed_and_config(1, config).block_on(async move {
        let handle = madsim::runtime::Handle::current();
        let b = handle
            .create_node()
            .name("b")
            .ip([192, 0, 2, 2].into())
            .build();
        let a = handle
            .create_node()
            .name("a")
            .ip([192, 0, 2, 1].into())
            .build();
        let reader = b.spawn(async move {
            let listener = TcpListener::bind(("0.0.0.0", w::IO_PORT))
                .await
                .expect("bind");
            let (mut s, _) = listener.accept().await.expect("accept");
            let mut sum = 0;
            let mut m = [0; w::MESSAGE_BYTES];
            for _ in 0..messages {
                s.read_exact(&mut m).await.expect("read");
                sum += w::message_number(&m);
            }
            sum
        });
        let writer = a.spawn(async move {
            madsim::time::sleep(Duration::from_millis(1)).await;
            let mut s = TcpStream::connect(("192.0.2.2", w::IO_PORT))
                .await
                .expect("connect");
            for i in 0..messages {
                s.write_all(&w::message(i)).await.expect("write");
                // madsim sends what was written on flush: one segment per message, as seedloop.
                s.flush().await.expect("flush");
            }
        });
        writer.await.expect("writer failed");
        reader.await.expect("reader failed")
    })
}

fn blocked(n: u64) -> u64 {
    runtime(1).block_on(async move {
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let started = Arc::new(AtomicU64::new(0));
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (gate, started) = (gate.clone(), started.clone());
                madsim::task::spawn(async move {
                    started.fetch_add(1, Ordering::Relaxed);
                    gate.acquire().await.expect("gate closed").forget();
                    i
                })
            })
            .collect();
        while started.load(Ordering::Relaxed) < n {
            madsim::task::yield_now().await;
        }
        gate.add_permits(n as usize);
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("blocked task failed");
        }
        sum
    })
}

fn parked(n: u64) -> u64 {
    let started = Arc::new(AtomicU64::new(0));
    let base = ALLOC.allocated();
    let rt = runtime(1);
    let per_task = rt.block_on(async move {
        for _ in 0..n {
            let started = started.clone();
            drop(madsim::task::spawn(w::parked(move || {
                started.fetch_add(1, Ordering::Relaxed);
            })));
        }
        while started.load(Ordering::Relaxed) < n {
            madsim::task::yield_now().await;
        }
        ALLOC.allocated().saturating_sub(base) as u64 / n.max(1)
    });
    drop(rt);
    per_task
}
