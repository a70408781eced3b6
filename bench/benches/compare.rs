//! `cargo bench -p seedloop-bench`: every row of issue 13's table, seedloop beside tokio,
//! futures' `LocalPool`, shuttle and madsim, and its exploration through the tokio facade
//! against through `sim` directly, ratios measured within this one run. See
//! `bench/README.md` for what each row measures.
//!
//! Arguments (after `--`) and environment:
//! - `--quick` (or `SEEDLOOP_BENCH_QUICK=1`): base size 10,000 and 3 reps, about a minute;
//! - a number, or `SEEDLOOP_BENCH_N`: the base size (default 1,000,000);
//! - `SEEDLOOP_BENCH_REPS`: interleaved repetitions per timed row (default 5, median kept);
//! - words: only the rows whose key contains one (`explore`, `explore_facade`, `scale`,
//!   `spawn_join`, `pingpong`, `stream`, `timers`, `io`, `blocked`, `peak`, `parked`).
//!
//! `--child NAME` is internal: the bench starts itself so, for a memory row's fresh process.

#![forbid(unsafe_code)]

use std::alloc::System;
use std::time::Instant;

use cap::Cap;
use seedloop_bench::peer::{Package, Peer};
use seedloop_bench::rows::COLUMNS;
use seedloop_bench::runner::{self, Config, Systems};
use seedloop_bench::shared::{measure, protocol};
use seedloop_bench::{InProc, seedloop};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

fn live_bytes() -> usize {
    ALLOC.allocated()
}

const USAGE: &str = "usage: cargo bench -p seedloop-bench -- [--quick] [N] [ROW...]
  --quick   base size 10000 and 3 reps (about a minute)
  N         base size (default 1000000; also SEEDLOOP_BENCH_N)
  ROW       only rows whose key contains ROW: explore explore_facade scale spawn_join
            pingpong stream timers io blocked peak parked
  SEEDLOOP_BENCH_REPS=R   interleaved repetitions per timed row (default 5)";

fn env_number(key: &str) -> Result<Option<u64>, String> {
    match std::env::var(key) {
        Err(_) => Ok(None),
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => v
            .replace('_', "")
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("{key}=`{v}` is not a whole number")),
    }
}

fn config() -> Result<Config, String> {
    let mut quick = std::env::var("SEEDLOOP_BENCH_QUICK").is_ok_and(|v| v == "1");
    let mut n = env_number("SEEDLOOP_BENCH_N")?;
    let mut filter = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            // cargo bench passes `--bench` to every bench binary.
            "--bench" => {}
            "--quick" => quick = true,
            "-h" | "--help" => return Err(USAGE.into()),
            a if a.starts_with('-') => return Err(format!("unknown option `{a}`\n{USAGE}")),
            a if a.chars().all(|c| c.is_ascii_digit() || c == '_') => {
                n = Some(
                    a.replace('_', "")
                        .parse()
                        .map_err(|_| format!("bad size `{a}`"))?,
                );
            }
            a => filter.push(a.to_string()),
        }
    }
    let known = [
        "explore",
        "explore_facade",
        "scale",
        "spawn_join",
        "pingpong",
        "stream",
        "timers",
        "io",
        "blocked",
        "peak",
        "parked",
    ];
    if let Some(bad) = filter
        .iter()
        .find(|f| !known.iter().any(|k| k.contains(f.as_str())))
    {
        return Err(format!("no row matches `{bad}`\n{USAGE}"));
    }
    let reps = env_number("SEEDLOOP_BENCH_REPS")?.unwrap_or(if quick { 3 } else { 5 });
    let n = n.unwrap_or(if quick { 10_000 } else { 1_000_000 });
    if n == 0 || reps == 0 {
        return Err(format!(
            "the size and the repetitions must be at least 1\n{USAGE}"
        ));
    }
    Ok(Config {
        n,
        reps: reps as usize,
        filter,
    })
}

/// The 1-minute load average (`/proc/loadavg`), to tell a busy machine from a quiet one.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--child") {
        let name = args.get(pos + 1).map_or("", String::as_str);
        let Some(sys) = InProc::from_name(name) else {
            eprintln!("--child needs a system name, got `{name}`");
            std::process::exit(2);
        };
        protocol::serve(|req| sys.answer(req, live_bytes));
        return;
    }
    let cfg = match config() {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let load_before = load_average();
    let mut peers: Vec<Option<Peer>> = COLUMNS.iter().map(|_| None).collect();
    let mut peer_bins = vec![None; COLUMNS.len()];
    for package in Package::all() {
        let col = COLUMNS
            .iter()
            .position(|c| *c == package.name)
            .expect("a column per peer");
        eprintln!(
            "building the {} peer ({}; the first build takes a minute or two)",
            package.name,
            package.dir.display()
        );
        let peer = match package.build() {
            Ok(bin) => {
                peer_bins[col] = Some(bin.clone());
                Peer::start(package.name, std::process::Command::new(bin))
            }
            Err(why) => Peer::unavailable(package.name, why),
        };
        peers[col] = Some(peer);
    }
    let build_seconds = started.elapsed().as_secs_f64();
    let mut systems = Systems {
        peers,
        peer_bins,
        bench_exe: std::env::current_exe().ok(),
        live: live_bytes,
    };
    let measuring = Instant::now();
    let (table, logs) = runner::run_all(&cfg, &mut systems);

    println!(
        "seedloop-bench: base size N = {}, {} interleaved reps per timed row (median), {}",
        cfg.n,
        cfg.reps,
        measure::clock_name()
    );
    println!(
        "seedloop: Strategy::random(), seed {} (explore/scale: harness::Check over seeds 0..), \
         trace level Decisions unless the row says default; tokio: current_thread, paused clock",
        seedloop::SEED
    );
    println!(
        "machine: {} cores; load average {} before, {} after",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_before,
        load_average()
    );
    println!(
        "facade: seedloop-tokio under --cfg seedloop (its own process); in its row the seedloop \
         column is the same scenario on sim directly, asked of that same process"
    );
    println!("ratios: how many times better seedloop is (faster, or smaller); above 1 = better\n");
    print!("{table}");
    println!();
    for note in table.notes() {
        println!("{note}");
    }
    for (label, log) in &logs {
        for note in &log.notes {
            println!("{note}");
        }
        let fewer: Vec<String> = log
            .samples
            .iter()
            .zip(COLUMNS)
            .filter(|(n, _)| log.timed && **n > 0 && **n < cfg.reps)
            .map(|(n, c)| format!("{c} {n}"))
            .collect();
        if !fewer.is_empty() {
            println!(
                "fewer reps (a system's samples of the row passed {} s): `{label}`: {}",
                runner::ROW_BUDGET.as_secs(),
                fewer.join(", ")
            );
        }
    }
    for peer in systems.peers.into_iter().flatten() {
        peer.stop();
    }
    println!(
        "\npeers built in {build_seconds:.0}s; measured in {:.0}s",
        measuring.elapsed().as_secs_f64()
    );
}
