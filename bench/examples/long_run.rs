//! A run of 10^8 steps that completes, at the default trace level, under `Random` (so nearly
//! every step records a decision), with what it kept and the process's peak memory:
//!
//! ```sh
//! cargo run --release -p seedloop-bench --example long_run            # 10^8 steps
//! cargo run --release -p seedloop-bench --example long_run -- 1000000 # another length
//! ```
//!
//! Memory stays flat whatever the length: the trace keeps its last events, the schedule its
//! first 16 MiB of decisions (both counted past that), and the seed replays the whole run.

#![forbid(unsafe_code)]

use std::time::Instant;

use sim::{Sim, Strategy};

/// Four tasks, each yielding `rounds` times: a random choice among them at every step.
async fn yielders(rounds: u64) {
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            sim::spawn(async move {
                for _ in 0..rounds {
                    sim::task::yield_now().await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("a yielding task does not fail");
    }
}

fn main() {
    let steps: u64 = std::env::args().nth(1).map_or(100_000_000, |a| {
        a.replace('_', "").parse().unwrap_or_else(|_| {
            eprintln!("usage: long_run [steps]: `{a}` is not a whole number");
            std::process::exit(2)
        })
    });
    let mut sim = Sim::builder()
        .seed(1)
        .strategy(Strategy::random())
        .max_steps(steps * 2)
        .build();
    let start = Instant::now();
    sim.run(yielders(steps / 4))
        .expect("the run completes within its step limit");
    let took = start.elapsed();
    let trace = sim.trace();
    let schedule = trace.schedule();
    println!(
        "{} steps in {took:.2?}: {} events kept of {}, schedule {} decisions kept ({} bytes) + {} counted, peak RSS {} MiB",
        trace.stats().steps,
        trace.events().len(),
        trace.event_count(),
        schedule.len(),
        schedule.encoded_len(),
        schedule.omitted(),
        seedloop_bench::shared::measure::peak_mib()
    );
}
