//! The workloads on seedloop: `Strategy::random()`, seed [`SEED`], no step limit, at a chosen
//! trace level (`None`: whatever `Sim::new` uses by default). The explore and scale rows go
//! through `harness::Check`, a fresh executor per seed, as a test suite runs them.

use std::cell::Cell;
use std::rc::Rc;

use sim::{Sim, SimBuilder, Strategy, TraceLevel};

use crate::LiveBytes;
use crate::shared::protocol::NoEquivalent;
use crate::shared::workload as w;

/// The seed every single-run workload uses.
pub const SEED: u64 = 1;

fn builder(level: Option<TraceLevel>, strategy: Strategy) -> SimBuilder {
    let b = Sim::builder()
        .seed(SEED)
        .strategy(strategy)
        .max_steps(u64::MAX);
    match level {
        Some(level) => b.trace_level(level),
        None => b,
    }
}

fn sim(level: Option<TraceLevel>) -> Sim {
    builder(level, Strategy::random()).build()
}

/// Runs `workload` at `size` (see the crate docs for what each does) and returns its checksum.
///
/// ```
/// use seedloop_bench::{seedloop, shared::workload::sum_below};
/// let level = Some(sim::TraceLevel::Decisions);
/// assert_eq!(seedloop::run(level, "spawn_join", 10), Ok(sum_below(10)));
/// assert_eq!(seedloop::run(level, "explore", 2), Ok(18));
/// assert!(seedloop::run(level, "nope", 2).is_err());
/// ```
pub fn run(level: Option<TraceLevel>, workload: &str, size: u64) -> Result<u64, NoEquivalent> {
    match workload {
        "explore" => Ok(counting_check(size, w::EXPLORE_TASKS, w::EXPLORE_YIELDS)),
        "scale" => Ok(counting_check(size, w::SCALE_TASKS, w::SCALE_YIELDS)),
        _ => run_on(&mut sim(level), workload, size),
    }
}

/// Runs a single-run `workload` (any but `explore` and `scale`, which sweep seeds) on `sim`,
/// whatever its seed, strategy and level: for checking that an engine change leaves every
/// workload's run as it was (`examples/digests.rs`).
///
/// ```
/// let mut sim = sim::Sim::builder().strategy(sim::Strategy::fifo()).build();
/// assert_eq!(seedloop_bench::seedloop::run_on(&mut sim, "stream", 10), Ok(45));
/// assert!(seedloop_bench::seedloop::run_on(&mut sim, "explore", 10).is_err());
/// ```
pub fn run_on(sim: &mut Sim, workload: &str, size: u64) -> Result<u64, NoEquivalent> {
    Ok(match workload {
        "spawn_join" => spawn_join_on(sim, size),
        "pingpong" => pingpong(sim, size),
        "stream" => stream(sim, size),
        "timers" => timers(sim, size),
        "io" => io(sim, size),
        "blocked" => blocked(sim, size),
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

/// `runs` seeds of a counting scenario (`tasks` tasks × `yields` yields, then a check of the
/// counter) through `harness::Check` (no regressions file, no `SEEDLOOP_*` overrides).
fn counting_check(runs: u64, tasks: u64, yields: u64) -> u64 {
    let total = Rc::new(Cell::new(0u64));
    let sum = total.clone();
    let outcome = harness::Check::new()
        .env(harness::env::Env::empty())
        .no_regressions()
        .seeds(0..runs)
        .explore(move || {
            let total = total.clone();
            async move {
                let count = Rc::new(Cell::new(0u64));
                let handles: Vec<_> = (0..tasks)
                    .map(|_| {
                        let count = count.clone();
                        sim::spawn(async move {
                            w::counter(yields, sim::task::yield_now, || count.set(count.get() + 1))
                                .await;
                        })
                    })
                    .collect();
                for h in handles {
                    h.await.expect("counter task failed");
                }
                assert_eq!(count.get(), tasks * yields, "lost a count");
                total.set(total.get() + count.get());
            }
        });
    assert!(
        outcome.passed() && outcome.schedules_run == runs,
        "the counting scenario failed or skipped seeds: {:?}",
        outcome.failure_text()
    );
    sum.get()
}

/// spawn_join under any strategy (to see what random order costs against Fifo).
///
/// ```
/// use sim::{Strategy, TraceLevel};
/// let sum = seedloop_bench::seedloop::spawn_join_with(Strategy::fifo(), Some(TraceLevel::Full), 10);
/// assert_eq!(sum, 45);
/// ```
pub fn spawn_join_with(strategy: Strategy, level: Option<TraceLevel>, n: u64) -> u64 {
    spawn_join_on(&mut builder(level, strategy).build(), n)
}

fn spawn_join_on(sim: &mut Sim, n: u64) -> u64 {
    sim.run(async move {
        let handles: Vec<_> = (0..n)
            .map(|i| sim::spawn(w::yielder(i, sim::task::yield_now)))
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("yielder failed");
        }
        sum
    })
    .expect("spawn_join failed")
}

fn pingpong(sim: &mut Sim, messages: u64) -> u64 {
    let round_trips = messages / 2;
    sim.run(async move {
        let (ping_tx, mut ping_rx) = sim::channel::mpsc::channel::<u64>(w::PINGPONG_CAPACITY);
        let (pong_tx, mut pong_rx) = sim::channel::mpsc::channel::<u64>(w::PINGPONG_CAPACITY);
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
    .expect("pingpong failed")
}

fn stream(sim: &mut Sim, items: u64) -> u64 {
    sim.run(async move {
        let (tx, mut rx) = sim::channel::mpsc::channel::<u64>(w::STREAM_CAPACITY);
        let producer = sim::spawn(async move {
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
    .expect("stream failed")
}

fn timers(sim: &mut Sim, sleeps: u64) -> u64 {
    let (tasks, each) = w::timer_split(sleeps);
    sim.run(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|i| sim::spawn(w::sleeper(i, each, sim::time::sleep)))
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("sleeper failed");
        }
        sum
    })
    .expect("timers failed")
}

/// A writer on host `a` sends `messages` messages of [`w::MESSAGE_BYTES`] over a simulated
/// `TcpStream` to a reader on host `b` (default links: 1 ms latency, no faults); the reader sums
/// the numbers they carry.
fn io(sim: &mut Sim, messages: u64) -> u64 {
    use futures::{AsyncReadExt, AsyncWriteExt};
    use sim::net::{TcpListener, TcpStream, host};
    sim.run(async move {
        let reader = host("b").spawn(async move {
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
        let writer = host("a").spawn(async move {
            sim::time::sleep(std::time::Duration::from_millis(1)).await;
            let mut s = TcpStream::connect(("b", w::IO_PORT))
                .await
                .expect("connect");
            for i in 0..messages {
                s.write_all(&w::message(i)).await.expect("write");
            }
            s.close().await.expect("close");
        });
        writer.await.expect("writer failed");
        reader.await.expect("reader failed")
    })
    .expect("io failed")
}

/// `n` tasks block on one semaphore with no permits; once all wait, main adds `n` permits and
/// joins them. Each returns its index.
fn blocked(sim: &mut Sim, n: u64) -> u64 {
    sim.run(async move {
        let gate = Rc::new(sim::sync::Semaphore::new(0));
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let gate = gate.clone();
                sim::spawn(async move {
                    gate.acquire().await.unwrap().forget();
                    i
                })
            })
            .collect();
        while (gate.waiting() as u64) < n {
            sim::task::yield_now().await;
        }
        gate.add_permits(n as usize);
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("blocked task failed");
        }
        sum
    })
    .expect("blocked failed")
}

/// Live heap bytes per task while `n` tasks are alive and parked (handles dropped).
///
/// ```
/// let per_task = seedloop_bench::seedloop::parked_bytes(None, 100, || 0);
/// assert_eq!(per_task, 0); // this probe counts nothing
/// ```
pub fn parked_bytes(level: Option<TraceLevel>, n: u64, live: LiveBytes) -> u64 {
    let started = Rc::new(Cell::new(0u64));
    let base = live();
    let mut sim = sim(level);
    sim.run(async move {
        for _ in 0..n {
            let started = started.clone();
            drop(sim::spawn(w::parked(move || {
                started.set(started.get() + 1);
            })));
        }
        while started.get() < n {
            sim::task::yield_now().await;
        }
        live().saturating_sub(base) as u64 / n.max(1)
    })
    .expect("parked bytes failed")
}
