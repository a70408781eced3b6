//! `cargo bench -p seedloop-bench`: seedloop (Random strategy, full and decisions-only traces)
//! against tokio's current-thread runtime with a paused clock and futures' `LocalPool`, one
//! table, best of `SEEDLOOP_BENCH_REPS` runs (default 3).
//!
//! Size: `cargo bench -p seedloop-bench -- 100000` or `SEEDLOOP_BENCH_N=100000` (default
//! 1,000,000): tasks spawned, sleeps in all (1000 tasks, N/1000 sleeps each), round trips of the
//! ping-pong (2 messages each), items through the queue, parked tasks for the byte count; the mutex row takes N/10 locks (100 tasks).

#![forbid(unsafe_code)]

use std::alloc::System;
use std::time::{Duration, Instant};

use cap::Cap;
use seedloop_bench::table::{Row, Table, Target};
use seedloop_bench::{local_pool, seedloop, tokio_rt, workload};
use sim::TraceLevel;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

fn live_bytes() -> usize {
    ALLOC.allocated()
}

const TIMER_TASKS: u64 = 1000;
const MUTEX_TASKS: u64 = 100;

struct Config {
    n: u64,
    reps: usize,
}

impl Config {
    fn from_env() -> Config {
        let arg = std::env::args()
            .skip(1)
            .find_map(|a| a.replace('_', "").parse::<u64>().ok());
        let env = |k: &str| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.replace('_', "").parse().ok())
        };
        Config {
            n: arg
                .or_else(|| env("SEEDLOOP_BENCH_N"))
                .unwrap_or(1_000_000)
                .max(1),
            reps: env("SEEDLOOP_BENCH_REPS").map_or(3, |r: u64| r.max(1) as usize),
        }
    }
}

/// The columns, in order.
#[derive(Clone, Copy)]
enum Exec {
    SimFull,
    SimDecisions,
    Tokio,
    LocalPool,
}

const EXECS: [Exec; 4] = [
    Exec::SimFull,
    Exec::SimDecisions,
    Exec::Tokio,
    Exec::LocalPool,
];
const COLUMNS: [&str; 4] = ["seedloop-full", "seedloop-decisions", "tokio", "LocalPool"];

/// CPU time is accounted at scheduler ticks (a few ms), so a measurement repeats the workload
/// until it has run at least this long.
const MIN_CPU: Duration = Duration::from_millis(200);

/// Runs `f` `reps` times, checks its checksum each time, returns the fastest time per run: this
/// thread's CPU time where Linux reports it (every executor here runs on the calling thread), so
/// other processes on a shared machine do not count; else wall-clock time.
fn best(reps: usize, expect: u64, mut f: impl FnMut() -> u64) -> Duration {
    let mut once = || {
        let got = f();
        assert_eq!(got, expect, "a benchmark computed the wrong checksum");
    };
    (0..reps)
        .map(|_| match workload::thread_cpu_time() {
            Some(start) => {
                let mut runs = 0u32;
                loop {
                    once();
                    runs += 1;
                    let used = workload::thread_cpu_time().unwrap_or(start) - start;
                    if used >= MIN_CPU {
                        break used / runs;
                    }
                }
            }
            None => {
                let wall = Instant::now();
                once();
                wall.elapsed()
            }
        })
        .min()
        .expect("at least one repetition")
}

fn rate(ops: u64, d: Option<Duration>) -> Option<f64> {
    d.map(|d| ops as f64 / d.as_secs_f64())
}

fn main() {
    let cfg = Config::from_env();
    let (n, reps) = (cfg.n, cfg.reps);
    let sleeps = (n / TIMER_TASKS).max(1);
    let timer_tasks = TIMER_TASKS.min(n);
    let started = Instant::now();
    println!(
        "seedloop-bench: N = {n}, best of {reps}; seedloop runs Strategy::random() (seed {}), \
         tokio a current_thread runtime with paused time; rates use {}",
        seedloop::SEED,
        if workload::thread_cpu_time().is_some() {
            "the thread's CPU time (/proc/thread-self/schedstat)"
        } else {
            "wall-clock time"
        }
    );

    let mut table = Table::new(
        COLUMNS.iter().map(|c| c.to_string()).collect(),
        vec![0, 1],
        2,
    );

    let spawn = EXECS.map(|e| {
        let expect = workload::yielders_sum(n);
        let d = match e {
            Exec::SimFull => best(reps, expect, || {
                seedloop::spawn_yield_join(TraceLevel::Full, n)
            }),
            Exec::SimDecisions => best(reps, expect, || {
                seedloop::spawn_yield_join(TraceLevel::Decisions, n)
            }),
            Exec::Tokio => best(reps, expect, || tokio_rt::spawn_yield_join(n)),
            Exec::LocalPool => best(reps, expect, || local_pool::spawn_yield_join(n)),
        };
        rate(n, Some(d))
    });
    table.push(Row {
        name: format!("spawn+yield+join, {n} tasks"),
        unit: "tasks/s",
        cells: spawn.to_vec(),
        target: Target::AtLeastTimes(1.0),
    });

    let total_sleeps = timer_tasks * sleeps;
    let timers = EXECS.map(|e| {
        let expect = workload::sleepers_sum(timer_tasks, sleeps);
        let d = match e {
            Exec::SimFull => Some(best(reps, expect, || {
                seedloop::timers(TraceLevel::Full, timer_tasks, sleeps)
            })),
            Exec::SimDecisions => Some(best(reps, expect, || {
                seedloop::timers(TraceLevel::Decisions, timer_tasks, sleeps)
            })),
            Exec::Tokio => Some(best(reps, expect, || tokio_rt::timers(timer_tasks, sleeps))),
            Exec::LocalPool => None,
        };
        rate(total_sleeps, d)
    });
    table.push(Row {
        name: format!("sleeps, {timer_tasks} tasks x {sleeps} of 1..1000ms"),
        unit: "timers/s",
        cells: timers.to_vec(),
        target: Target::AtLeastTimes(2.0),
    });

    let pings = EXECS.map(|e| {
        let expect = workload::ping_pong_sum(n);
        let d = match e {
            Exec::SimFull => best(reps, expect, || seedloop::ping_pong(TraceLevel::Full, n)),
            Exec::SimDecisions => best(reps, expect, || {
                seedloop::ping_pong(TraceLevel::Decisions, n)
            }),
            Exec::Tokio => best(reps, expect, || tokio_rt::ping_pong(n)),
            Exec::LocalPool => best(reps, expect, || local_pool::ping_pong(n)),
        };
        rate(2 * n, Some(d))
    });
    table.push(Row {
        name: format!("ping-pong, capacity 1, {n} round trips"),
        unit: "msgs/s",
        cells: pings.to_vec(),
        target: Target::AtLeastTimes(1.0),
    });

    let queue = EXECS.map(|e| {
        let expect = workload::queue_sum(n);
        let d = match e {
            Exec::SimFull => best(reps, expect, || seedloop::queue(TraceLevel::Full, n)),
            Exec::SimDecisions => best(reps, expect, || seedloop::queue(TraceLevel::Decisions, n)),
            Exec::Tokio => best(reps, expect, || tokio_rt::queue(n)),
            Exec::LocalPool => best(reps, expect, || local_pool::queue(n)),
        };
        rate(n, Some(d))
    });
    table.push(Row {
        name: format!(
            "Queue({}) producer->consumer, {n} items",
            workload::QUEUE_CAPACITY
        ),
        unit: "items/s",
        cells: queue.to_vec(),
        target: Target::None,
    });

    let lockers = MUTEX_TASKS.min(n);
    let locks = (n / 10 / lockers).max(1);
    let mutex = EXECS.map(|e| {
        let expect = workload::mutex_sum(lockers, locks);
        let d = match e {
            Exec::SimFull => best(reps, expect, || {
                seedloop::mutex(TraceLevel::Full, lockers, locks)
            }),
            Exec::SimDecisions => best(reps, expect, || {
                seedloop::mutex(TraceLevel::Decisions, lockers, locks)
            }),
            Exec::Tokio => best(reps, expect, || tokio_rt::mutex(lockers, locks)),
            Exec::LocalPool => best(reps, expect, || local_pool::mutex(lockers, locks)),
        };
        rate(lockers * locks, Some(d))
    });
    table.push(Row {
        name: format!("Mutex, {lockers} tasks x {locks} locks held across a yield"),
        unit: "locks/s",
        cells: mutex.to_vec(),
        target: Target::None,
    });

    let bytes = EXECS.map(|e| {
        let n = n as usize;
        let b = match e {
            Exec::SimFull => seedloop::bytes_per_task(TraceLevel::Full, n, live_bytes),
            Exec::SimDecisions => seedloop::bytes_per_task(TraceLevel::Decisions, n, live_bytes),
            Exec::Tokio => tokio_rt::bytes_per_task(n, live_bytes),
            Exec::LocalPool => local_pool::bytes_per_task(n, live_bytes),
        };
        Some(b as f64)
    });
    table.push(Row {
        name: format!("live heap, {n} parked tasks"),
        unit: "B/task",
        cells: bytes.to_vec(),
        target: Target::AtMost(256.0),
    });

    let asleep = EXECS.map(|e| {
        let n = n as usize;
        let b = match e {
            Exec::SimFull => Some(seedloop::bytes_per_sleeper(TraceLevel::Full, n, live_bytes)),
            Exec::SimDecisions => Some(seedloop::bytes_per_sleeper(
                TraceLevel::Decisions,
                n,
                live_bytes,
            )),
            Exec::Tokio => Some(tokio_rt::bytes_per_sleeper(n, live_bytes)),
            Exec::LocalPool => None,
        };
        b.map(|b| b as f64)
    });
    table.push(Row {
        name: format!("live heap, {n} sleeping tasks"),
        unit: "B/task",
        cells: asleep.to_vec(),
        target: Target::AtMost(256.0),
    });

    println!("\n{table}");
    println!(
        "ratios are seedloop / tokio (for B/task lower is better); total bench time {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
