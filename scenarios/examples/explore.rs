//! The main job: sweep every scenario under several strategies and print what was found.
//!
//! ```text
//! cargo explore [FILTER] [--seeds N] [--strategy NAME] [--seed S] [--trace-json FILE]
//! ```
//!
//! - `FILTER` keeps scenarios whose name contains it.
//! - `--seeds N` seeds per exploring strategy (default 64); Fifo runs once.
//! - `--strategy NAME` one of `fifo`, `random`, `all` (default `all`).
//! - `--seed S` runs the matching scenarios once with seed S and prints their full traces
//!   (this is the replay line printed for each failure).
//! - `--trace-json FILE` with `--seed`: not yet available (arrives with the Perfetto export).
//!
//! Exits 1 when a scenario's verdict differs from the catalogue's expectation: a correct program
//! failed, or a buggy one was not caught.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use scenarios::{Expect, Scenario, catalogue};
use sim::{Sim, Strategy, TraceLevel};

struct Args {
    filter: Option<String>,
    seeds: u64,
    strategy: String,
    seed: Option<u64>,
}

fn usage(msg: &str) -> ! {
    eprintln!("error: {msg}");
    eprintln!("usage: cargo explore [FILTER] [--seeds N] [--strategy fifo|random|all] [--seed S]");
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        filter: None,
        seeds: 64,
        strategy: "all".into(),
        seed: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match arg.as_str() {
            "--seeds" => {
                let v = value("--seeds");
                a.seeds = v
                    .parse()
                    .unwrap_or_else(|_| usage(&format!("--seeds takes a whole number, got `{v}`")));
            }
            "--seed" => {
                let v = value("--seed");
                a.seed =
                    Some(v.parse().unwrap_or_else(|_| {
                        usage(&format!("--seed takes a whole number, got `{v}`"))
                    }));
            }
            "--strategy" => a.strategy = value("--strategy"),
            "--trace-json" => usage("--trace-json is not available yet"),
            "-h" | "--help" => usage("help requested"),
            s if s.starts_with('-') => usage(&format!("unknown option `{s}`")),
            s => a.filter = Some(s.to_string()),
        }
    }
    a
}

fn strategies(name: &str) -> Vec<Strategy> {
    match name {
        "fifo" => vec![Strategy::fifo()],
        "random" => vec![Strategy::random()],
        "all" => vec![Strategy::fifo(), Strategy::random()],
        other => usage(&format!(
            "unknown strategy `{other}` (expected fifo, random or all)"
        )),
    }
}

/// What one (scenario, strategy) sweep found.
struct Row {
    scenario: &'static str,
    strategy: String,
    runs: u64,
    distinct: usize,
    first_failure: Option<(u64, u64, String, usize)>, // (schedules until it, seed, what, preemptions)
}

fn run_once(
    s: &Scenario,
    strategy: &Strategy,
    seed: u64,
    level: TraceLevel,
) -> (Sim, Result<(), String>) {
    let mut sim = Sim::builder()
        .seed(seed)
        .strategy(strategy.clone())
        .trace_level(level)
        .build();
    let res = match sim.run((s.run)()) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(broken)) => Err(format!("invariant: {broken}")),
        Err(e) => Err(e.headline().to_string()),
    };
    (sim, res)
}

fn sweep(s: &Scenario, strategy: &Strategy, seeds: u64) -> Row {
    let runs = if strategy.is_fifo() { 1 } else { seeds };
    let mut distinct = BTreeSet::new();
    let mut first_failure = None;
    for seed in 0..runs {
        let (sim, res) = run_once(s, strategy, seed, TraceLevel::Decisions);
        distinct.insert(sim.trace().stats().interleaving);
        if let Err(what) = res {
            let preemptions = sim.trace().schedule().preemptions();
            first_failure = Some((seed + 1, seed, what, preemptions));
            break;
        }
    }
    Row {
        scenario: s.name,
        strategy: strategy.name().to_string(),
        runs,
        distinct: distinct.len(),
        first_failure,
    }
}

fn main() -> ExitCode {
    let args = parse_args();
    let chosen: Vec<Scenario> = catalogue()
        .into_iter()
        .filter(|s| args.filter.as_deref().is_none_or(|f| s.name.contains(f)))
        .collect();
    if chosen.is_empty() {
        usage("no scenario matches the filter");
    }
    let strategies = strategies(&args.strategy);

    if let Some(seed) = args.seed {
        for s in &chosen {
            for strategy in &strategies {
                let (sim, res) = run_once(s, strategy, seed, TraceLevel::Full);
                println!(
                    "== {} under {} seed {seed}: {}",
                    s.name,
                    strategy.name(),
                    match &res {
                        Ok(()) => "ok".to_string(),
                        Err(e) => format!("FAILED: {e}"),
                    }
                );
                print!("{}", sim.trace());
                println!("schedule: {}\n", sim.trace().schedule());
            }
        }
        return ExitCode::SUCCESS;
    }

    let total = chosen.len() * strategies.len();
    let progress = std::io::stderr().is_terminal();
    let mut rows = Vec::new();
    for (i, s) in chosen.iter().enumerate() {
        for (j, strategy) in strategies.iter().enumerate() {
            let done = i * strategies.len() + j;
            let filled = done * 30 / total.max(1);
            eprint!(
                "\r[{}{}] {done}/{total} {:<40}",
                "#".repeat(filled),
                " ".repeat(30 - filled),
                s.name
            );
            let _ = std::io::stderr().flush();
            rows.push(sweep(s, strategy, args.seeds));
        }
    }
    if progress {
        eprintln!("\r[{}] {total}/{total} {:<40}", "#".repeat(30), "done");
    }

    println!(
        "{:<28} {:<10} {:>6} {:>9} {:<8} {:>8} {:>6}  failure",
        "scenario", "strategy", "runs", "distinct", "verdict", "1st fail", "preem"
    );
    let mut mismatches = Vec::new();
    for s in &chosen {
        let mine: Vec<&Row> = rows.iter().filter(|r| r.scenario == s.name).collect();
        let caught = mine.iter().any(|r| r.first_failure.is_some());
        let ok = match s.expect {
            Expect::Passes => !caught,
            Expect::Caught { .. } => caught,
        };
        if !ok {
            mismatches.push(s.name);
        }
        for r in mine {
            let (verdict, first, preem, what) = match &r.first_failure {
                Some((n, _, what, p)) => ("FAIL", n.to_string(), p.to_string(), what.as_str()),
                None => ("pass", "-".into(), "-".into(), ""),
            };
            println!(
                "{:<28} {:<10} {:>6} {:>9} {:<8} {:>8} {:>6}  {}",
                r.scenario, r.strategy, r.runs, r.distinct, verdict, first, preem, what
            );
        }
    }
    let failures: Vec<&Row> = rows.iter().filter(|r| r.first_failure.is_some()).collect();
    if !failures.is_empty() {
        println!("\nreplay a failure with its full trace:");
        for r in failures {
            let (_, seed, _, _) = r.first_failure.as_ref().expect("filtered");
            println!(
                "  cargo explore {} --strategy {} --seed {seed}",
                r.scenario, r.strategy
            );
        }
    }
    println!(
        "\n{} scenarios x {} strategies; expected verdicts: {}",
        chosen.len(),
        strategies.len(),
        if mismatches.is_empty() {
            "all met".to_string()
        } else {
            format!("NOT MET for {}", mismatches.join(", "))
        }
    );
    if mismatches.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
