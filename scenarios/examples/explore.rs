//! The main job: sweep every scenario under several strategies and print what was found.
//!
//! ```text
//! cargo explore [FILTER] [--seeds N] [--strategy NAME] [--replay TOKEN]
//! ```
//!
//! - `FILTER` keeps scenarios whose name contains it.
//! - `--seeds N` seeds per exploring strategy (default 64); Fifo runs once.
//! - `--strategy NAME` one strategy by name (`fifo`, `random`, any name `harness` knows), or `all`
//!   (the default: Fifo and every exploring strategy).
//! - `--replay TOKEN` replays one failure (the filter must select its scenario) and prints its
//!   report and full trace: the line printed for each failure.
//! - `--trace-json FILE` with `--replay`: also writes the replayed run as Chrome trace-event JSON
//!   (one track per task on a virtual-time axis; open it in Perfetto or `chrome://tracing`).
//!
//! Each failure is shrunk by `harness` to the fewest preemptions that still fail the same way.
//! Exits 1 when a scenario's verdict differs from the catalogue's expectation: a correct program
//! failed, or a buggy one was not caught.

#![forbid(unsafe_code)]

use std::fmt;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use harness::{Check, Env, Replayed, TestContext, parse_strategy, try_replay};
use scenarios::{Expect, Program, Scenario, catalogue};
use sim::Strategy;

struct Args {
    filter: Option<String>,
    seeds: u64,
    strategy: String,
    replay: Option<String>,
    trace_json: Option<String>,
}

fn usage(msg: &str) -> ! {
    eprintln!("error: {msg}");
    eprintln!(
        "usage: cargo explore [FILTER] [--seeds N] [--strategy NAME|all] [--replay TOKEN [--trace-json FILE]]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        filter: None,
        seeds: 64,
        strategy: "all".into(),
        replay: None,
        trace_json: None,
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
            "--strategy" => a.strategy = value("--strategy"),
            "--replay" => a.replay = Some(value("--replay")),
            "--trace-json" => a.trace_json = Some(value("--trace-json")),
            "-h" | "--help" => usage("help requested"),
            s if s.starts_with('-') => usage(&format!("unknown option `{s}`")),
            s => a.filter = Some(s.to_string()),
        }
    }
    if a.trace_json.is_some() && a.replay.is_none() {
        usage("--trace-json goes with --replay TOKEN (it writes that run's trace)");
    }
    a
}

/// Fifo, then every exploring strategy `harness` knows by name.
fn strategies(name: &str) -> Vec<Strategy> {
    if name != "all" {
        return vec![
            parse_strategy(name).unwrap_or_else(|e| usage(&format!("--strategy: expected {e}"))),
        ];
    }
    ["fifo", "random", "pct", "portfolio"]
        .iter()
        .filter_map(|n| parse_strategy(n).ok())
        .collect()
}

/// A broken invariant, printed as its message (not as a quoted debug string).
struct Broken(String);

impl fmt::Debug for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn body(
    s: &Scenario,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Broken>>>> {
    let run = s.run;
    move || {
        let program: Program = run();
        Box::pin(async move { program.await.map_err(Broken) })
    }
}

fn check_for(s: &Scenario, strategy: &Strategy, seeds: u64) -> Check {
    let seeds = if strategy.is_fifo() { 1 } else { seeds };
    Check::new()
        .seeds(seeds)
        .strategy(strategy.clone())
        .env(Env::empty())
        .no_regressions()
        .test_name(s.name)
}

fn replay(chosen: &[Scenario], token: &str, trace_json: Option<&str>) -> ExitCode {
    let [s] = chosen else {
        usage(&format!(
            "--replay needs a filter that selects exactly one scenario ({} match)",
            chosen.len()
        ))
    };
    let context = TestContext {
        name: Some(s.name.to_string()),
        ..TestContext::default()
    };
    match try_replay(token, &body(s), context) {
        Err(e) => usage(&format!("--replay: {e}")),
        Ok(Replayed::Passed) => {
            println!("{}: the replayed schedule passes now", s.name);
            ExitCode::SUCCESS
        }
        Ok(Replayed::Failed(report)) => {
            println!("{report}\n\nfull trace:\n{}", report.trace);
            if let Some(path) = trace_json {
                if let Err(e) = std::fs::write(path, report.trace.to_chrome_json()) {
                    eprintln!("error: could not write {path}: {e}");
                    return ExitCode::from(2);
                }
                println!("wrote the run's Chrome trace-event JSON to {path} (open it in Perfetto)");
            }
            ExitCode::FAILURE
        }
        Ok(Replayed::Nondeterministic(n)) => {
            println!("{}: replaying twice gave different runs: {n:?}", s.name);
            ExitCode::FAILURE
        }
    }
}

/// What one (scenario, strategy) sweep found.
struct Row {
    scenario: &'static str,
    strategy: String,
    runs: u64,
    distinct: usize,
    failure: Option<Found>,
}

struct Found {
    after: u64,
    what: String,
    preemptions: (usize, usize),
    token: String,
}

fn main() -> ExitCode {
    let args = parse_args();
    let all = catalogue();
    // An exact name selects that scenario alone (`guide/x` must not also pick `guide/x-fixed`).
    let exact: Vec<Scenario> = all
        .iter()
        .filter(|s| args.filter.as_deref() == Some(s.name))
        .copied()
        .collect();
    let chosen: Vec<Scenario> = if exact.is_empty() {
        all.into_iter()
            .filter(|s| args.filter.as_deref().is_none_or(|f| s.name.contains(f)))
            .collect()
    } else {
        exact
    };
    if chosen.is_empty() {
        usage("no scenario matches the filter");
    }
    if let Some(token) = &args.replay {
        return replay(&chosen, token, args.trace_json.as_deref());
    }
    let strategies = strategies(&args.strategy);

    let total = chosen.len() * strategies.len();
    let progress = std::io::stderr().is_terminal();
    let mut rows = Vec::new();
    for (i, s) in chosen.iter().enumerate() {
        for (j, strategy) in strategies.iter().enumerate() {
            if progress {
                let done = i * strategies.len() + j;
                let filled = done * 30 / total.max(1);
                let bar = format!("{}{}", "#".repeat(filled), " ".repeat(30 - filled));
                eprint!("\r[{bar}] {done}/{total} {:<40}", s.name);
                let _ = std::io::stderr().flush();
            }
            let outcome = check_for(s, strategy, args.seeds).explore(body(s));
            let failure = outcome.report.as_ref().map(|r| Found {
                after: outcome
                    .schedules_to_first_failure
                    .unwrap_or(outcome.schedules_run),
                what: if r.failure.message.is_empty() {
                    r.failure.description.clone()
                } else {
                    r.failure.message.clone()
                },
                preemptions: outcome
                    .shrunk
                    .as_ref()
                    .map_or((r.preemptions(), r.preemptions()), |s| {
                        (s.before.preemptions, s.after.preemptions)
                    }),
                token: r.token_text.clone(),
            });
            rows.push(Row {
                scenario: s.name,
                strategy: strategy.name().to_string(),
                runs: outcome.schedules_run,
                distinct: outcome.distinct_interleavings,
                failure,
            });
        }
    }
    if progress {
        eprintln!("\r[{}] {total}/{total} {:<40}", "#".repeat(30), "done");
    }

    let name_w = chosen
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let strat_w = strategies
        .iter()
        .map(|s| s.name().len())
        .max()
        .unwrap_or(8)
        .max(8);
    println!(
        "{:<name_w$} {:<strat_w$} {:>6} {:>9} {:<7} {:>8} {:>8}  failure",
        "scenario", "strategy", "runs", "distinct", "verdict", "1st fail", "preempt"
    );
    let mut mismatches = Vec::new();
    let mut inconclusive = Vec::new();
    for s in &chosen {
        let mine: Vec<&Row> = rows.iter().filter(|r| r.scenario == s.name).collect();
        let caught = mine.iter().any(|r| r.failure.is_some());
        // A bug not caught in fewer seeds than its budget is inconclusive, not a miss.
        let met = match s.expect {
            Expect::Passes => !caught,
            Expect::Caught { within } => caught || args.seeds < within,
        };
        if !met {
            mismatches.push(s.name);
        }
        if !caught && matches!(s.expect, Expect::Caught { within } if args.seeds < within) {
            inconclusive.push(s.name);
        }
        for r in mine {
            let (verdict, first, preempt, what) = match &r.failure {
                Some(f) => {
                    let first_line = f.what.lines().next().unwrap_or_default().to_string();
                    (
                        "FAIL",
                        f.after.to_string(),
                        format!("{}->{}", f.preemptions.0, f.preemptions.1),
                        first_line,
                    )
                }
                None => ("pass", "-".into(), "-".into(), String::new()),
            };
            println!(
                "{:<name_w$} {:<strat_w$} {:>6} {:>9} {:<7} {:>8} {:>8}  {}",
                r.scenario, r.strategy, r.runs, r.distinct, verdict, first, preempt, what
            );
        }
    }
    let failures: Vec<&Row> = rows.iter().filter(|r| r.failure.is_some()).collect();
    if !failures.is_empty() {
        println!("\nreplay a failure (shrunk) with its report and full trace:");
        for r in failures {
            let f = r.failure.as_ref().expect("filtered");
            println!("  cargo explore {} --replay {}", r.scenario, f.token);
        }
    }
    if !inconclusive.is_empty() {
        println!(
            "\nnot caught, but fewer seeds than their budget ran (inconclusive): {}",
            inconclusive.join(", ")
        );
    }
    let names: Vec<&str> = strategies.iter().map(Strategy::name).collect();
    println!(
        "\n{} scenarios x {} strategies ({}), {} seeds each; expected verdicts: {}",
        chosen.len(),
        strategies.len(),
        names.join(", "),
        args.seeds,
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
