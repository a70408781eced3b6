//! The main job: run the asyncio guide's `gather` example under Fifo and several seeds of the
//! Random strategy and print each trace, showing that the order-free results never change while
//! the interleavings do. (The full scenario sweep replaces this as the catalogue lands.)
//!
//! `cargo run --release -p scenarios --example explore -- --seeds 8`

use std::collections::BTreeSet;
use std::time::Duration;

use sim::{Sim, Strategy, time};

async fn task(name: &'static str, delay: u64) -> &'static str {
    sim::log!("Task {name} started");
    time::sleep(Duration::from_secs(delay)).await;
    sim::log!("Task {name} finished");
    name
}

async fn gather_main() -> Vec<&'static str> {
    let handles = [
        sim::spawn(task("A", 2)),
        sim::spawn(task("B", 1)),
        sim::spawn(task("C", 3)),
    ];
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task failed"));
    }
    out
}

fn main() {
    let mut seeds = 8u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seeds" => {
                let v = args.next().unwrap_or_default();
                seeds = v.parse().unwrap_or_else(|_| {
                    eprintln!("error: --seeds takes a whole number, got `{v}`");
                    std::process::exit(2)
                });
            }
            other => {
                eprintln!("error: unknown argument `{other}` (expected --seeds N)");
                std::process::exit(2);
            }
        }
    }

    let mut runs = vec![(
        "fifo".to_string(),
        Sim::builder().strategy(Strategy::fifo()).build(),
    )];
    runs.extend((0..seeds).map(|s| (format!("random seed {s}"), Sim::new(s))));
    let mut interleavings = BTreeSet::new();
    let mut failures = 0;
    for (label, mut sim) in runs {
        let out = sim.run(gather_main());
        println!("== gather A(2s) B(1s) C(3s) under {label}");
        print!("{}", sim.trace());
        match out {
            Ok(v)
                if v == ["A", "B", "C"]
                    && sim.trace().stats().end_time.as_nanos() == 3_000_000_000 =>
            {
                println!(
                    "-> {v:?} at t={} ({} steps)\n",
                    sim.trace().stats().end_time,
                    sim.trace().stats().steps
                );
            }
            other => {
                failures += 1;
                println!("-> UNEXPECTED {other:?}\n");
            }
        }
        interleavings.insert(sim.trace().stats().interleaving);
    }
    println!(
        "{} runs, {} distinct interleavings, {} unexpected results",
        seeds + 1,
        interleavings.len(),
        failures
    );
    if failures > 0 {
        std::process::exit(1);
    }
}
