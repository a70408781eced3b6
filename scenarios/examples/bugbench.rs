//! The bug-finding benchmark (the planted bugs of `scenarios::buggy`): for each planted bug and
//! each strategy, the median number of schedules until the first failure over 20 starting seeds
//! (cap 100,000; "never" when the median start did not find it), and the median number of
//! preemptions in the failing schedule as found → after `harness`'s shrinker (`2 (3→1)`; `+1c`
//! when the shrunk schedule also drops a cancellable future at an await). The exhaustive search
//! (preemption bound 2) has no seed: its column is the one deterministic count. Negative
//! controls must never fail: the program exits non-zero if one does, or if a bug that is
//! specified to fail under Fifo does not.
//!
//! `cargo run --release -p scenarios --example bugbench -- [--starts 20] [--cap 100000] [NAME..]`
//!
//! `--rates N` prints instead, per bug and strategy, the share of the seeds `0..N` that fail:
//! the probability one run finds the bug, which medians over 20 starts only hint at. Its last
//! two columns are PCT with `k` fixed at 64, the default before `k` was learned.
//!
//! PCT's change points are spread over `k` scheduling points, learned per bug from one Fifo run
//! exactly as `harness::Check` learns them (`Strategy::learned`), so the PCT columns are what a
//! check with `Strategy::pct(d)` gets. The exhaustive search lets a task be continued through up
//! to 32 of its own yields in a row (PCT's spin limit), so B6's 20-yield task is reachable.

#![forbid(unsafe_code)]

use harness::explore::Exhaustive;
use scenarios::buggy::{self, Bug};
use sim::{Sim, Strategy, TraceLevel};

/// What one strategy achieved on one bug.
struct Cell {
    /// Schedules to the first failure from each start (`None`: not within the cap).
    found: Vec<Option<u64>>,
    /// Preemptions in each failing schedule, as found.
    preemptions: Vec<usize>,
    /// Preemptions and cancellations after harness's shrinker.
    shrunk: Vec<(usize, usize)>,
}

impl Cell {
    fn median(&self) -> Option<f64> {
        let mut v: Vec<u64> = self.found.iter().map(|f| f.unwrap_or(u64::MAX)).collect();
        v.sort_unstable();
        let n = v.len();
        let (a, b) = (v[(n - 1) / 2], v[n / 2]);
        (b != u64::MAX).then(|| (a as f64 + b as f64) / 2.0)
    }

    fn hits(&self) -> usize {
        self.found.iter().filter(|f| f.is_some()).count()
    }

    fn render(&self) -> String {
        fn median<T: Ord + Copy>(v: &[T]) -> Option<T> {
            let mut v = v.to_vec();
            v.sort_unstable();
            v.get(v.len().saturating_sub(1) / 2).copied()
        }
        match (
            self.median(),
            median(&self.preemptions),
            median(&self.shrunk),
        ) {
            (Some(m), Some(p), Some((s, 0))) => format!("{} ({p}→{s})", fmt_median(m)),
            (Some(m), Some(p), Some((s, c))) => format!("{} ({p}→{s}+{c}c)", fmt_median(m)),
            _ if self.hits() == 0 => "never".to_string(),
            _ => format!("never ({}/{})", self.hits(), self.found.len()),
        }
    }
}

fn fmt_median(m: f64) -> String {
    if m.fract() == 0.0 {
        format!("{m:.0}")
    } else {
        format!("{m:.1}")
    }
}

fn fails(bug: &Bug, strategy: &Strategy, seed: u64) -> Option<usize> {
    let mut sim = Sim::builder()
        .seed(seed)
        .strategy(strategy.clone())
        .trace_level(TraceLevel::Decisions)
        .max_steps(100_000)
        .build();
    let failed = !matches!(sim.run((bug.run)()), Ok(Ok(())));
    failed.then(|| sim.trace().schedule().preemptions())
}

fn measure(bug: &Bug, strategy: &Strategy, starts: u64, cap: u64) -> Cell {
    let mut cell = Cell {
        found: Vec::new(),
        preemptions: Vec::new(),
        shrunk: Vec::new(),
    };
    let mut misses = 0;
    for j in 0..starts {
        // Once more than half the starts missed, the median is "never" whatever the rest do.
        if misses * 2 > starts {
            cell.found.push(None);
            continue;
        }
        let start = j * 1_000_003;
        let hit = (0..cap).find_map(|i| fails(bug, strategy, start + i).map(|p| (i + 1, p)));
        match hit {
            Some((n, p)) => {
                cell.found.push(Some(n));
                cell.preemptions.push(p);
                cell.shrunk
                    .push(shrunk(bug, strategy, start + n - 1).unwrap_or((p, 0)));
            }
            None => {
                cell.found.push(None);
                misses += 1;
            }
        }
    }
    cell
}

/// Preemptions and cancellations in the failing schedule of `seed` after harness's shrinker.
fn shrunk(bug: &Bug, strategy: &Strategy, seed: u64) -> Option<(usize, usize)> {
    let outcome = harness::Check::new()
        .seeds(seed..seed + 1)
        .strategy(strategy.clone())
        .max_steps(100_000)
        .no_regressions()
        .env(harness::Env::empty())
        .explore(bug.run);
    outcome.report.map(|r| (r.preemptions(), r.cancellations()))
}

/// The strategies with PCT's `k` learned from one Fifo run of `bug`, exactly as
/// `harness::Check` learns it before a sweep (seed 0).
fn learned(bug: &Bug, strategies: &[Strategy]) -> Vec<Strategy> {
    strategies
        .iter()
        .map(|s| {
            s.learned(|fifo| {
                let mut sim = Sim::builder().strategy(fifo).max_steps(100_000).build();
                let _ = sim.run((bug.run)());
            })
        })
        .collect()
}

/// `k` as learned: what `pct2(k=6)` says.
fn k_of(strategy: &Strategy) -> String {
    let name = strategy.name();
    name.split_once("(k=")
        .and_then(|(_, k)| k.strip_suffix(')'))
        .unwrap_or("-")
        .to_string()
}

/// The table's strategies: Random, PCT 1–3 and the default portfolio.
fn table_strategies() -> Vec<Strategy> {
    vec![
        Strategy::random(),
        Strategy::pct(1),
        Strategy::pct(2),
        Strategy::pct(3),
        Strategy::portfolio(vec![
            Strategy::random(),
            Strategy::pct(1),
            Strategy::pct(2),
            Strategy::pct(3),
        ]),
    ]
}

/// Per bug and strategy, the share of seeds `0..n` that fail.
fn rates(bugs: &[Bug], n: u64) -> Vec<String> {
    println!(
        "share of the seeds 0..{n} whose one run fails (the probability a run finds the bug); \
         PCT with k learned as a check learns it, and with k = 64"
    );
    let headers = [
        "bug",
        "k",
        "random",
        "pct1",
        "pct2",
        "pct3",
        "pct2 k=64",
        "pct3 k=64",
    ];
    println!("{}", rate_row(&headers.map(String::from)));
    let mut wrong = Vec::new();
    for bug in bugs {
        let mut strategies = learned(
            bug,
            &[
                Strategy::random(),
                Strategy::pct(1),
                Strategy::pct(2),
                Strategy::pct(3),
            ],
        );
        let k = k_of(&strategies[2]);
        strategies.push(Strategy::pct_with_steps(2, 64));
        strategies.push(Strategy::pct_with_steps(3, 64));
        let mut line = vec![bug.name.to_string(), k];
        for s in &strategies {
            let failed = (0..n).filter(|&seed| fails(bug, s, seed).is_some()).count();
            if bug.is_control() && failed > 0 {
                wrong.push(format!("{}: a negative control failed under {s}", bug.name));
            }
            line.push(format!("{:.3}", failed as f64 / n as f64));
        }
        println!("{}", rate_row(&line));
    }
    wrong
}

fn rate_row(cells: &[String]) -> String {
    cells
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c:<w$}", w = if i == 0 { 5 } else { 10 }))
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end()
        .to_string()
}

/// The medians table.
fn medians(bugs: &[Bug], starts: u64, cap: u64) -> Vec<String> {
    let headers = [
        "bug",
        "d",
        "k",
        "fifo",
        "random",
        "pct1",
        "pct2",
        "pct3",
        "portfolio",
        "dfs b=2",
    ];
    println!(
        "median schedules to first failure over {starts} starts (cap {cap}); (a→b) = median \
         preemptions in the failing schedule as found → shrunk (+Nc: cancellations); dfs: runs \
         to the first failure with (n) preemptions, minimal within bound 2 since it tries fewest \
         preemptions first"
    );
    println!("{}", row(&headers.map(String::from)));
    let mut wrong = Vec::new();
    for bug in bugs {
        let strategies = learned(bug, &table_strategies());
        let k = k_of(&strategies[2]);
        let fifo_fails = fails(bug, &Strategy::fifo(), 0).is_some();
        let cells: Vec<Cell> = strategies
            .iter()
            .map(|s| measure(bug, s, starts, cap))
            .collect();
        let dfs = Exhaustive::new()
            .preemption_bound(2)
            .yield_limit(sim::schedule::DEFAULT_SPIN_LIMIT)
            .max_schedules(cap)
            .run(bug.run);
        let dfs_cell = match &dfs.failure {
            Some(f) if f.schedule.cancellations() > 0 => format!(
                "{} ({}, {}c)",
                f.schedule_number,
                f.preemptions,
                f.schedule.cancellations()
            ),
            Some(f) => format!("{} ({})", f.schedule_number, f.preemptions),
            None if dfs.is_exhausted() => format!("never/{}", dfs.schedules),
            None => "never".to_string(),
        };
        let mut line = vec![
            bug.name.to_string(),
            bug.depth.map_or("-".into(), |d| d.to_string()),
            k,
            if fifo_fails { "fails" } else { "passes" }.to_string(),
        ];
        line.extend(cells.iter().map(Cell::render));
        line.push(dfs_cell);
        println!("{}", row(&line));

        if fifo_fails != bug.fails_under_fifo {
            wrong.push(format!(
                "{}: specified to {} under Fifo, but it {}",
                bug.name,
                if bug.fails_under_fifo { "fail" } else { "pass" },
                if fifo_fails { "failed" } else { "passed" }
            ));
        }
        if bug.is_control() && (cells.iter().any(|c| c.hits() > 0) || dfs.failure.is_some()) {
            wrong.push(format!("{}: a negative control failed", bug.name));
        }
    }
    wrong
}

fn main() {
    let mut starts = 20u64;
    let mut cap = 100_000u64;
    let mut rate_seeds = None;
    let mut names = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |flag: &str| {
            let v = args.next().unwrap_or_default();
            v.parse::<u64>().unwrap_or_else(|_| {
                eprintln!("error: {flag} takes a whole number, got `{v}`");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--starts" => starts = number("--starts").max(1),
            "--cap" => cap = number("--cap").max(1),
            "--rates" => rate_seeds = Some(number("--rates").max(1)),
            other if other.starts_with("--") => {
                eprintln!(
                    "error: unknown flag `{other}` (expected --starts N, --cap N, --rates N, names)"
                );
                std::process::exit(2);
            }
            name => names.push(name.to_string()),
        }
    }
    let bugs: Vec<Bug> = buggy::catalogue()
        .into_iter()
        .filter(|b| names.is_empty() || names.iter().any(|n| n == b.name))
        .collect();
    let wrong = match rate_seeds {
        Some(n) => rates(&bugs, n),
        None => medians(&bugs, starts, cap),
    };
    if !wrong.is_empty() {
        for w in &wrong {
            eprintln!("error: {w}");
        }
        std::process::exit(1);
    }
}

fn row(cells: &[String]) -> String {
    let widths = [5, 2, 4, 7, 12, 12, 12, 12, 12, 12];
    cells
        .iter()
        .zip(widths)
        .map(|(c, w)| format!("{c:<w$}"))
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end()
        .to_string()
}
