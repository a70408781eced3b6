//! Figures for the harness: how far shrinking gets on the planted bugs B1–B4 (`scenarios::buggy`), what it costs, how long
//! tokens are, and how fast a sweep runs. Prints a table; asserts nothing.
//!
//! `cargo run --release -p harness --example figures`

#![forbid(unsafe_code)]

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::time::Instant;

use harness::{Check, Env, Outcome};
use sim::task::{maybe_yield, yield_now};

async fn steps(n: usize) {
    for _ in 0..n {
        maybe_yield().await;
    }
}

async fn inc_pair(suspend: bool) {
    let c = Rc::new(Cell::new(0));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let c = c.clone();
            sim::spawn(async move {
                let x = c.get();
                if suspend {
                    yield_now().await;
                } else {
                    maybe_yield().await;
                }
                c.set(x + 1);
            })
        })
        .collect();
    for h in hs {
        h.await.unwrap();
    }
    assert_eq!(c.get(), 2, "lost update");
}

async fn b1() {
    inc_pair(true).await;
}

async fn b2() {
    inc_pair(false).await;
}

async fn b3() {
    let x: Rc<Cell<Option<u32>>> = Rc::new(Cell::new(None));
    let (x1, x2) = (x.clone(), x.clone());
    let t1 = sim::spawn(async move {
        steps(5).await;
        x1.set(Some(1));
        steps(5).await;
    });
    let t2 = sim::spawn(async move {
        steps(5).await;
        let v = x2.get().expect("used before init");
        steps(5).await;
        v
    });
    t1.await.unwrap();
    t2.await.unwrap();
}

async fn b4() {
    let x: Rc<Cell<Option<u32>>> = Rc::new(Cell::new(Some(1)));
    let (x1, x2) = (x.clone(), x.clone());
    let t2 = sim::spawn(async move {
        steps(4).await;
        let ok = x2.get().is_some();
        maybe_yield().await;
        if ok {
            x2.get().expect("stale check");
        }
    });
    let t1 = sim::spawn(async move {
        steps(5).await;
        x1.set(None);
    });
    t2.await.unwrap();
    t1.await.unwrap();
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn row<F, Fut>(name: &str, body: F)
where
    F: Fn() -> Fut + Copy,
    Fut: Future<Output = ()>,
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
