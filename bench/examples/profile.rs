//! Runs one workload on one executor, for a profiler:
//! `cargo run --release -p seedloop-bench --example profile -- <spawn|timers|pingpong|queue|bytes|asleep> <full|decisions|fifo|tokio|pool> [N]`.

#![forbid(unsafe_code)]

use seedloop_bench::{local_pool, seedloop, tokio_rt, workload};
use sim::{Strategy, TraceLevel};

#[global_allocator]
static ALLOC: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

fn live() -> usize {
    ALLOC.allocated()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: profile <spawn|timers|pingpong|queue|bytes|asleep> <full|decisions|fifo|tokio|pool> [N]";
    let (what, exec) = match (args.first(), args.get(1)) {
        (Some(w), Some(e)) => (w.as_str(), e.as_str()),
        _ => panic!("{usage}"),
    };
    let n: u64 = args.get(2).map_or(1_000_000, |s| s.parse().expect(usage));
    let level = if exec == "decisions" {
        TraceLevel::Decisions
    } else {
        TraceLevel::Full
    };
    let sim = exec == "full" || exec == "decisions";
    let t = std::time::Instant::now();
    let out = match (what, sim, exec) {
        ("spawn", true, _) => seedloop::spawn_yield_join(level, n),
        ("spawn", _, "fifo") => seedloop::spawn_yield_join_with(Strategy::fifo(), level, n),
        ("pingpong", true, _) => seedloop::ping_pong(level, n),
        ("pingpong", _, "tokio") => tokio_rt::ping_pong(n),
        ("queue", true, _) => seedloop::queue(level, n),
        ("queue", _, "tokio") => tokio_rt::queue(n),
        ("spawn", _, "tokio") => tokio_rt::spawn_yield_join(n),
        ("spawn", _, "pool") => local_pool::spawn_yield_join(n),
        ("timers", true, _) => seedloop::timers(level, 1000, n / 1000),
        ("timers", _, "tokio") => tokio_rt::timers(1000, n / 1000),
        ("bytes", true, _) => seedloop::bytes_per_task(level, n as usize, live) as u64,
        ("asleep", true, _) => seedloop::bytes_per_sleeper(level, n as usize, live) as u64,
        ("asleep", _, "tokio") => tokio_rt::bytes_per_sleeper(n as usize, live) as u64,
        ("bytes", _, "tokio") => tokio_rt::bytes_per_task(n as usize, live) as u64,
        ("bytes", _, "pool") => local_pool::bytes_per_task(n as usize, live) as u64,
        _ => panic!("{usage}"),
    };
    let _ = workload::MAX_SLEEP_MS;
    println!("{what} on {exec}: {out} in {:?}", t.elapsed());
}
