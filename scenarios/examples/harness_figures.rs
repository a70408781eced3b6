//! Figures for the harness: how far shrinking gets on the planted bugs B1–B4 (`scenarios::buggy`),
//! what it costs, how long tokens are, and how fast a sweep runs. Prints a table; asserts nothing.
//!
//! `cargo run --release -p scenarios --example harness_figures`

#![forbid(unsafe_code)]

use std::future::Future;
use std::time::Instant;

use harness::{Check, Env, Outcome};
use scenarios::buggy::{b1, b2, b3, b4, steps};

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn row<F, Fut>(name: &str, body: F)
where
    F: Fn() -> Fut + Copy,
    Fut: Future<Output = Result<(), String>>,
{
    // 20 starting points: sweeps starting at seed 1000*k, as a user with another seed list would.
    let outcomes: Vec<Outcome> = (0..20u64)
        .map(|k| {
            Check::new()
                .env(Env::empty())
                .seeds(k * 1000..k * 1000 + 1000)
                .no_regressions()
                .explore(body)
        })
        .collect();
    let get = |f: &dyn Fn(&Outcome) -> u64| outcomes.iter().map(f).collect::<Vec<u64>>();
    let to_first = get(&|o| o.schedules_to_first_failure.unwrap_or(0));
    let before = get(&|o| o.shrunk.as_ref().map_or(0, |s| s.before.preemptions as u64));
    let after = get(&|o| o.shrunk.as_ref().map_or(0, |s| s.after.preemptions as u64));
    let runs = get(&|o| o.shrunk.as_ref().map_or(0, |s| u64::from(s.runs)));
    let token = get(&|o| o.report.as_ref().map_or(0, |r| r.token_text.len() as u64));
    println!(
        "{name:<4} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9}",
        median(to_first.clone()),
        median(before.clone()),
        before.iter().max().unwrap(),
        after.iter().max().unwrap(),
        median(runs.clone()),
        runs.iter().max().unwrap(),
        median(token),
    );
}

fn main() {
    println!("Shrinking (random strategy; 20 sweeps; medians unless noted)");
    println!(
        "{:<4} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9}",
        "bug", "to-first", "pre-before", "max-before", "max-after", "runs", "max-runs", "token-len"
    );
    row("B1", b1);
    row("B2", b2);
    row("B3", b3);
    row("B4", b4);

    let fast = || async {
        let hs: Vec<_> = (0..4).map(|_| sim::spawn(steps(10))).collect();
        for h in hs {
            h.await.unwrap();
        }
    };
    // Token length for a long run: 8 tasks x 100 preemption points, failing at the end.
    let long = || async {
        let hs: Vec<_> = (0..8).map(|_| sim::spawn(steps(100))).collect();
        for h in hs {
            h.await.unwrap();
        }
        assert!(sim::time::now().as_nanos() == 1, "fails after the work");
    };
    for shrink in [false, true] {
        let o = Check::new()
            .env(Env::empty())
            .seeds(1)
            .shrink(shrink)
            .no_regressions()
            .explore(long);
        let r = o.report.unwrap();
        println!(
            "token for 8 tasks x 100 preemption points ({}): {} decisions, {} preemptions, {} chars",
            if shrink { "shrunk" } else { "as found" },
            r.token.schedule.len(),
            r.preemptions(),
            r.token_text.len()
        );
    }
    for n in [64u64, 10_000] {
        let t = Instant::now();
        let o = Check::new()
            .env(Env::empty())
            .seeds(n)
            .no_regressions()
            .explore(fast);
        let el = t.elapsed();
        println!(
            "sweep of {n} seeds (4 tasks x 10 preemption points): {:.1} ms, {:.1} us/seed, {} distinct interleavings",
            el.as_secs_f64() * 1e3,
            el.as_secs_f64() * 1e6 / n as f64,
            o.distinct_interleavings
        );
    }
}
