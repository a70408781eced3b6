//! `cargo bench -p seedloop-bench --bench io`: messages per second over a simulated stream
//! between two hosts (`sim::net::TcpStream`, Random strategy, full and decisions-only traces)
//! against tokio's in-memory `tokio::io::duplex` on a current-thread runtime, one table, best
//! of `SEEDLOOP_BENCH_REPS` runs (default 3).
//!
//! Size: `cargo bench -p seedloop-bench --bench io -- 100000` or `SEEDLOOP_BENCH_N` (default
//! 200,000 messages of 64 bytes).

#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use seedloop_bench::table::{Row, Table, Target};
use seedloop_bench::{seedloop, tokio_rt, workload};
use sim::TraceLevel;

/// CPU time is accounted at scheduler ticks, so a measurement repeats until it ran this long.
const MIN_CPU: Duration = Duration::from_millis(200);

fn arg_or_env(key: &str) -> Option<u64> {
    std::env::var(key)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
}

/// The fastest time per run of `f` over `reps` repetitions (this thread's CPU time where Linux
/// reports it, else wall-clock time), checking its checksum every run.
fn best(reps: usize, expect: u64, mut f: impl FnMut() -> u64) -> Duration {
    let mut once = || assert_eq!(f(), expect, "a benchmark computed the wrong checksum");
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

fn main() {
    let n = std::env::args()
        .skip(1)
        .find_map(|a| a.replace('_', "").parse::<u64>().ok())
        .or_else(|| arg_or_env("SEEDLOOP_BENCH_N"))
        .unwrap_or(200_000)
        .max(1);
    let reps = arg_or_env("SEEDLOOP_BENCH_REPS").map_or(3, |r| r.max(1) as usize);
    println!(
        "seedloop-bench io: {n} messages of {} bytes, best of {reps}; seedloop runs \
         Strategy::random() (seed {}) with two hosts and default links (1 ms latency), tokio \
         a current_thread runtime with a 64 KiB duplex; rates use {}",
        workload::MESSAGE_BYTES,
        seedloop::SEED,
        if workload::thread_cpu_time().is_some() {
            "the thread's CPU time"
        } else {
            "wall-clock time"
        }
    );
    let expect = workload::stream_sum(n);
    let rate = |d: Duration| Some(n as f64 / d.as_secs_f64());
    let cells = vec![
        rate(best(reps, expect, || {
            seedloop::stream_messages(TraceLevel::Full, n)
        })),
        rate(best(reps, expect, || {
            seedloop::stream_messages(TraceLevel::Decisions, n)
        })),
        rate(best(reps, expect, || tokio_rt::duplex_messages(n))),
    ];
    let mut table = Table::new(
        vec![
            "seedloop-full".into(),
            "seedloop-decisions".into(),
            "tokio duplex".into(),
        ],
        vec![0, 1],
        2,
    );
    table.push(Row {
        name: format!("stream a->b, {n} msgs of {} B", workload::MESSAGE_BYTES),
        unit: "msgs/s",
        cells,
        target: Target::None,
    });
    println!("{table}");
}
