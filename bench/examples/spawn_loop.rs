//! Memory of a long run of short-lived tasks: main spawns and joins `n` tasks one at a time
//! (4,000,000 unless given), at the default trace level or `decisions`, and prints the run's
//! time and the process's peak resident memory. The peak must not grow with `n`:
//! `cargo run --release -p seedloop-bench --example spawn_loop -- 4000000 [full|decisions]`.

#![forbid(unsafe_code)]

use std::time::Instant;

use sim::{Sim, Strategy, TraceLevel};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map_or(4_000_000, |a| {
        a.replace('_', "").parse().unwrap_or_else(|_| {
            eprintln!("usage: spawn_loop [tasks] [full|decisions]: `{a}` is not a whole number");
            std::process::exit(2)
        })
    });
    let level = match args.next().as_deref() {
        None | Some("full") => TraceLevel::Full,
        Some("decisions") => TraceLevel::Decisions,
        Some(other) => {
            eprintln!("usage: spawn_loop [tasks] [full|decisions]: `{other}` is neither");
            std::process::exit(2)
        }
    };
    let mut sim = Sim::builder()
        .seed(1)
        .strategy(Strategy::random())
        .trace_level(level)
        .max_steps(u64::MAX)
        .build();
    let t = Instant::now();
    let sum = sim
        .run(async move {
            let mut sum = 0;
            for i in 0..n {
                sum += sim::spawn(async move { i }).await.unwrap();
            }
            sum
        })
        .expect("the loop runs to its end");
    let took = t.elapsed();
    assert_eq!(sum, n * n.saturating_sub(1) / 2);
    let trace = sim.take_trace();
    println!(
        "{n} tasks spawned and joined one at a time ({level:?}): {took:.2?}, {} task infos kept, \
         {} events kept, peak RSS {} MiB",
        trace.tasks().len(),
        trace.events().len(),
        seedloop_bench::shared::measure::peak_mib()
    );
}
