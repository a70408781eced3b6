//! Runs one workload once on one in-process system, for a profiler (`perf record`,
//! `valgrind --tool=callgrind`):
//! `cargo run --release -p seedloop-bench --example profile -- <workload> <system> [size]`,
//! systems `seedloop-default`, `seedloop-decisions`, `seedloop-full`, `seedloop-fifo` (spawn_join
//! under Fifo: what random order costs), `tokio`, `localpool`; workloads as in the bench
//! (`explore`, `scale`, `spawn_join`, `pingpong`, `stream`, `timers`, `io`, `blocked`).

#![forbid(unsafe_code)]

use seedloop_bench::{InProc, seedloop};
use sim::{Strategy, TraceLevel};

const USAGE: &str = "usage: profile <workload> <seedloop-default|seedloop-decisions|seedloop-full|seedloop-fifo|tokio|localpool> [size]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(workload), Some(system)) = (args.first(), args.get(1)) else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let size: u64 = match args.get(2).map(|s| s.replace('_', "").parse()) {
        None => 1_000_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("size `{}` is not a whole number\n{USAGE}", args[2]);
            std::process::exit(2);
        }
    };
    let t = std::time::Instant::now();
    let out = if system == "seedloop-fifo" && workload == "spawn_join" {
        Ok(seedloop::spawn_join_with(
            Strategy::fifo(),
            Some(TraceLevel::Decisions),
            size,
        ))
    } else if let Some(sys) = InProc::from_name(system) {
        sys.run(workload, size).map_err(|e| e.0)
    } else {
        Err(format!("unknown system `{system}`\n{USAGE}"))
    };
    match out {
        Ok(sum) => println!(
            "{workload} on {system}, size {size}: checksum {sum} in {:?}",
            t.elapsed()
        ),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
