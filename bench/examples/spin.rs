//! The spin loops of issue 11 (item 1) at the default step limit and trace level, timed, with
//! the process's peak memory: `cargo run --release -p seedloop-bench --example spin`.
//! `-- <steps>` sets another step limit (a short run to profile), `-- <steps> <word>` runs only
//! the loops whose name contains `word`.

#![forbid(unsafe_code)]

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::time::{Duration, Instant};

use sim::{Sim, Strategy};

/// The step limit (`sim`'s default unless given) and the filter on the loops' names.
fn args() -> (u64, String) {
    let mut args = std::env::args().skip(1);
    let steps = args.next().map_or(sim::DEFAULT_MAX_STEPS, |a| {
        a.replace('_', "").parse().unwrap_or_else(|_| {
            eprintln!("usage: spin [steps] [word]: `{a}` is not a whole number");
            std::process::exit(2)
        })
    });
    (steps, args.next().unwrap_or_default())
}

fn time<F: Future<Output = ()>>(name: &str, strategy: Strategy, main: F) {
    let (steps, word) = args();
    if !name.contains(&word) {
        return;
    }
    let mut sim = Sim::builder()
        .seed(1)
        .strategy(strategy)
        .max_steps(steps)
        .build();
    let t = Instant::now();
    let err = sim
        .run(main)
        .expect_err("a spin loop must reach the step limit");
    let took = t.elapsed();
    assert!(err.is_step_limit(), "{err}");
    println!(
        "{name}: step limit in {:.2?}, {} events kept, schedule {} bytes, peak RSS {} MiB",
        took,
        sim.trace().events().len(),
        sim.trace().schedule().encoded_len(),
        seedloop_bench::shared::measure::peak_mib()
    );
}

fn main() {
    time("loop { maybe_yield }", Strategy::random(), async {
        loop {
            sim::task::maybe_yield().await;
        }
    });
    time(
        "loop { maybe_yield } under Fifo, another task ready",
        Strategy::fifo(),
        async {
            let _other = sim::spawn(async {});
            loop {
                sim::task::maybe_yield().await;
            }
        },
    );
    time(
        "busy-wait on a flag a sleeper sets",
        Strategy::random(),
        async {
            let flag = Rc::new(Cell::new(false));
            let set = flag.clone();
            let _sleeper = sim::spawn(async move {
                sim::time::sleep(Duration::from_secs(1)).await;
                set.set(true);
            });
            while !flag.get() {
                sim::task::maybe_yield().await;
            }
        },
    );
    time("loop { *m.lock().await += 1 }", Strategy::fifo(), async {
        let m = sim::sync::Mutex::new(0u64);
        loop {
            *m.lock().await += 1;
        }
    });
    time("loop { yield_now }", Strategy::random(), async {
        loop {
            sim::task::yield_now().await;
        }
    });
}
