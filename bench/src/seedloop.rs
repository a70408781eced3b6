//! The workloads on seedloop: `Strategy::random()` at a chosen trace level.

use std::rc::Rc;

use sim::{Sim, Strategy, TraceLevel};

use crate::workload::{self, LiveBytes};

/// The seed every seedloop run uses.
pub const SEED: u64 = 1;

fn sim(level: TraceLevel) -> Sim {
    sim_with(Strategy::random(), level)
}

fn sim_with(strategy: Strategy, level: TraceLevel) -> Sim {
    Sim::builder()
        .seed(SEED)
        .strategy(strategy)
        .trace_level(level)
        .max_steps(u64::MAX)
        .build()
}

/// Spawns `n` tasks that yield once, then joins them all; returns the sum of their outputs.
///
/// ```
/// let sum = seedloop_bench::seedloop::spawn_yield_join(sim::TraceLevel::Full, 10);
/// assert_eq!(sum, 45);
/// ```
pub fn spawn_yield_join(level: TraceLevel, n: u64) -> u64 {
    spawn_yield_join_with(Strategy::random(), level, n)
}

/// [`spawn_yield_join`] under another strategy (to see what random order costs).
///
/// ```
/// use sim::{Strategy, TraceLevel};
/// let sum = seedloop_bench::seedloop::spawn_yield_join_with(Strategy::fifo(), TraceLevel::Full, 10);
/// assert_eq!(sum, 45);
/// ```
pub fn spawn_yield_join_with(strategy: Strategy, level: TraceLevel, n: u64) -> u64 {
    sim_with(strategy, level)
        .run(async move {
            let handles: Vec<_> = (0..n)
                .map(|i| sim::spawn(workload::yielder(i, sim::task::yield_now)))
                .collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.expect("yielder failed");
            }
            sum
        })
        .expect("spawn benchmark failed")
}

/// `tasks` tasks each sleep `sleeps` seeded random lengths; returns the milliseconds slept.
///
/// ```
/// use seedloop_bench::{seedloop, workload};
/// assert_eq!(seedloop::timers(sim::TraceLevel::Full, 3, 4), workload::sleepers_sum(3, 4));
/// ```
pub fn timers(level: TraceLevel, tasks: u64, sleeps: u64) -> u64 {
    sim(level)
        .run(async move {
            let handles: Vec<_> = (0..tasks)
                .map(|i| sim::spawn(workload::sleeper(i, sleeps, sim::time::sleep)))
                .collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.expect("sleeper failed");
            }
            sum
        })
        .expect("timer benchmark failed")
}

/// Ping-pong through two capacity-1 `sim::channel::mpsc` channels; returns the echoed sum.
///
/// ```
/// assert_eq!(seedloop_bench::seedloop::ping_pong(sim::TraceLevel::Full, 10), 45);
/// ```
pub fn ping_pong(level: TraceLevel, round_trips: u64) -> u64 {
    sim(level)
        .run(async move {
            let (ping_tx, mut ping_rx) = sim::channel::mpsc::channel::<u64>(1);
            let (pong_tx, mut pong_rx) = sim::channel::mpsc::channel::<u64>(1);
            let echo = sim::spawn(async move {
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
        .expect("ping-pong benchmark failed")
}

/// A producer puts `0..items` into a `sim::channel::Queue` of
/// [`workload::QUEUE_CAPACITY`], a consumer gets them; returns their sum.
///
/// ```
/// assert_eq!(seedloop_bench::seedloop::queue(sim::TraceLevel::Full, 200), 19_900);
/// ```
pub fn queue(level: TraceLevel, items: u64) -> u64 {
    sim(level)
        .run(async move {
            let q = sim::channel::Queue::new(workload::QUEUE_CAPACITY);
            let producer_q = q.clone();
            let producer = sim::spawn(async move {
                for i in 0..items {
                    producer_q.put(i).await.expect("queue shut down");
                }
            });
            let consumer = sim::spawn(async move {
                let mut sum = 0;
                for _ in 0..items {
                    sum += q.get().await.expect("queue shut down");
                }
                sum
            });
            producer.await.expect("producer failed");
            consumer.await.expect("consumer failed")
        })
        .expect("queue benchmark failed")
}

/// `tasks` tasks each lock one `sim::sync::Mutex` `locks` times, holding it across a yield;
/// returns the counter they incremented.
///
/// ```
/// assert_eq!(seedloop_bench::seedloop::mutex(sim::TraceLevel::Full, 3, 4), 12);
/// ```
pub fn mutex(level: TraceLevel, tasks: u64, locks: u64) -> u64 {
    sim(level)
        .run(async move {
            let counter = Rc::new(sim::sync::Mutex::new(0u64));
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    let counter = counter.clone();
                    sim::spawn(async move {
                        for _ in 0..locks {
                            let mut g = counter.lock().await;
                            *g += 1;
                            sim::task::yield_now().await;
                        }
                    })
                })
                .collect();
            for h in handles {
                h.await.expect("locker failed");
            }
            *counter.lock().await
        })
        .expect("mutex benchmark failed")
}

/// Live bytes per task while `n` tasks are alive and parked (their handles dropped).
///
/// ```
/// let per_task = seedloop_bench::seedloop::bytes_per_task(sim::TraceLevel::Full, 100, || 0);
/// assert_eq!(per_task, 0); // this probe counts nothing
/// ```
pub fn bytes_per_task(level: TraceLevel, n: usize, live: LiveBytes) -> usize {
    bytes_per(level, n, live, || drop(sim::spawn(workload::parked())))
}

/// Live bytes per task while `n` tasks are alive and asleep (an hour-long `sleep`).
///
/// ```
/// let per_task = seedloop_bench::seedloop::bytes_per_sleeper(sim::TraceLevel::Full, 100, || 0);
/// assert_eq!(per_task, 0); // this probe counts nothing
/// ```
pub fn bytes_per_sleeper(level: TraceLevel, n: usize, live: LiveBytes) -> usize {
    bytes_per(level, n, live, || {
        drop(sim::spawn(workload::asleep(sim::time::sleep)));
    })
}

fn bytes_per(level: TraceLevel, n: usize, live: LiveBytes, spawn: fn()) -> usize {
    workload::reset_parked();
    let base = live();
    let mut sim = sim(level);
    sim.run(async move {
        for _ in 0..n {
            spawn();
        }
        while workload::parked_count() < n {
            sim::task::yield_now().await;
        }
        live().saturating_sub(base) / n.max(1)
    })
    .expect("bytes benchmark failed")
}

/// A writer on host `a` sends `messages` messages of [`workload::MESSAGE_BYTES`] over a
/// simulated `TcpStream` to a reader on host `b` (default links: 1 ms latency, no faults); the
/// reader sums the numbers they carry.
///
/// ```
/// let sum = seedloop_bench::seedloop::stream_messages(sim::TraceLevel::Full, 100);
/// assert_eq!(sum, seedloop_bench::workload::stream_sum(100));
/// ```
pub fn stream_messages(level: TraceLevel, messages: u64) -> u64 {
    use futures::{AsyncReadExt, AsyncWriteExt};
    use sim::net::{TcpListener, TcpStream, host};
    sim(level)
        .run(async move {
            let reader = host("b").spawn(async move {
                let listener = TcpListener::bind("0.0.0.0:9").await.expect("bind");
                let (mut s, _) = listener.accept().await.expect("accept");
                let mut sum = 0;
                let mut m = [0; workload::MESSAGE_BYTES];
                for _ in 0..messages {
                    s.read_exact(&mut m).await.expect("read");
                    sum += workload::message_number(&m);
                }
                sum
            });
            let writer = host("a").spawn(async move {
                sim::time::sleep(std::time::Duration::from_millis(1)).await;
                let mut s = TcpStream::connect("b:9").await.expect("connect");
                for i in 0..messages {
                    s.write_all(&workload::message(i)).await.expect("write");
                }
                s.close().await.expect("close");
            });
            writer.await.expect("writer failed");
            reader.await.expect("reader failed")
        })
        .expect("stream benchmark failed")
}
