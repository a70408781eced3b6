//! A determinism oracle for engine changes: prints, one line each, what every scenario of the
//! catalogue and every bench workload did under several strategies and seeds (the trace digest
//! at `Full`, the schedule at `Decisions`, the verdict, the run's counters). An engine change
//! that must not move determinism leaves the output byte-identical:
//!
//! ```sh
//! cargo run --release -p seedloop-bench --example digests > before.txt
//! # change the engine
//! cargo run --release -p seedloop-bench --example digests | diff before.txt -
//! ```

#![forbid(unsafe_code)]

use std::hash::{DefaultHasher, Hash, Hasher};

use seedloop_bench::seedloop;
use sim::{Sim, Strategy, TraceLevel};

const SEEDS: u64 = 12;

fn strategies() -> Vec<Strategy> {
    vec![
        Strategy::fifo(),
        Strategy::random(),
        Strategy::pct(3),
        Strategy::pct_with_steps(2, 50),
    ]
}

/// One line: the verdict, the full trace's digest and counters, and the schedule recorded at
/// `Decisions` (which must be the one recorded at `Full`).
fn describe(
    run: &dyn Fn(&mut Sim) -> String,
    strategy: &Strategy,
    seed: u64,
    options: &dyn Fn(sim::SimBuilder) -> sim::SimBuilder,
) -> String {
    let build = |level| {
        options(
            Sim::builder()
                .seed(seed)
                .strategy(strategy.clone())
                .trace_level(level),
        )
        .build()
    };
    let mut full = build(TraceLevel::Full);
    let verdict = run(&mut full);
    let t = full.trace();
    let mut decisions = build(TraceLevel::Decisions);
    let verdict2 = run(&mut decisions);
    let d = decisions.trace();
    let mut h = DefaultHasher::new();
    t.schedule().to_string().hash(&mut h);
    let same = d.schedule() == t.schedule() && verdict == verdict2;
    let s = t.stats();
    format!(
        "{} seed {seed}: {verdict} digest {:016x} schedule {:016x} ({} decisions) steps {} tasks {} end {} events {} same-at-decisions {same}",
        strategy.name(),
        t.digest(),
        h.finish(),
        t.schedule().len(),
        s.steps,
        s.tasks,
        s.end_time,
        t.event_count(),
    )
}

fn main() {
    for scenario in scenarios::catalogue() {
        let run = |sim: &mut Sim| match sim.run((scenario.run)()) {
            Ok(Ok(())) => "ok".to_string(),
            Ok(Err(e)) => format!("err({e})"),
            Err(e) => format!("failed({:?}: {})", e.kind(), e.headline()),
        };
        for strategy in strategies() {
            for seed in 0..SEEDS {
                let line = describe(&run, &strategy, seed, &|b| b.max_steps(200_000));
                println!("{}: {line}", scenario.name);
            }
        }
    }
    for (workload, size) in [
        ("spawn_join", 200),
        ("pingpong", 400),
        ("stream", 2_000),
        ("timers", 3_000),
        ("io", 300),
        ("blocked", 300),
    ] {
        for strategy in strategies() {
            for seed in 0..4 {
                let run = |sim: &mut Sim| {
                    let r = seedloop::run_on(sim, workload, size);
                    format!("{r:?}")
                };
                let line = describe(&run, &strategy, seed, &|b| b.max_steps(u64::MAX));
                println!("bench {workload}: {line}");
            }
        }
    }
}
