//! Spin loops on awaits that never block (issue 11, item 1): every await counts toward the step
//! limit, switching or not, so each loop below ends with a step-limit error that names the
//! task, its spawn site and the await it spins on, and the run records a bounded amount.
//!
//! The limit here is small so the debug build stays quick; the default limit is the same code
//! path with a larger number (`cargo run --release -p seedloop-bench --example spin` times it).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use sim::{Sim, SimError, Strategy};

const LIMIT: u64 = 20_000;

fn sim(strategy: Strategy) -> Sim {
    Sim::builder()
        .seed(3)
        .strategy(strategy)
        .max_steps(LIMIT)
        .build()
}

/// A step-limit error naming `task`, the await `op` and this file as where it spins.
fn assert_spin(sim: &Sim, err: &SimError, task: &str, op: &str) {
    assert!(err.is_step_limit(), "not a step limit: {err}");
    let text = err.to_string();
    for want in [
        "a spin loop? await something that can block",
        task,
        op,
        "spin.rs:",
    ] {
        assert!(text.contains(want), "`{want}` missing from:\n{text}");
    }
    // Bounded: the run stopped at the limit, and what it recorded stays small whatever the
    // limit (repeated decisions cost next to nothing; events are a bounded tail).
    let trace = sim.trace();
    assert!(trace.stats().steps <= LIMIT, "{:?}", trace.stats());
    assert!(
        trace.schedule().encoded_len() < 4096,
        "the schedule of a spin loop takes {} bytes",
        trace.schedule().encoded_len()
    );
    assert!(trace.events().len() <= sim::trace::DEFAULT_KEPT_EVENTS);
}

#[test]
fn maybe_yield_alone_reaches_the_limit() {
    for strategy in [Strategy::fifo(), Strategy::random()] {
        let mut sim = sim(strategy);
        let err = sim
            .run(async {
                loop {
                    sim::task::maybe_yield().await;
                }
            })
            .unwrap_err();
        assert_spin(&sim, &err, "main#0", "maybe_yield");
    }
}

#[test]
fn maybe_yield_under_fifo_with_another_task_ready_reaches_the_limit() {
    let mut sim = sim(Strategy::fifo());
    let err = sim
        .run(async {
            let _other = sim::spawn(async {});
            loop {
                sim::task::maybe_yield().await;
            }
        })
        .unwrap_err();
    assert_spin(&sim, &err, "main#0", "maybe_yield");
}

#[test]
fn a_busy_wait_on_a_flag_a_sleeper_sets_reaches_the_limit() {
    for strategy in [Strategy::fifo(), Strategy::random()] {
        let mut sim = sim(strategy);
        let err = sim
            .run(async {
                let flag = Rc::new(Cell::new(false));
                let set = flag.clone();
                let _sleeper = sim::spawn(async move {
                    sim::time::sleep(Duration::from_secs(1)).await;
                    set.set(true);
                });
                let spinner = sim::spawn_named("spinner", async move {
                    while !flag.get() {
                        sim::task::maybe_yield().await;
                    }
                });
                spinner.await.unwrap();
            })
            .unwrap_err();
        assert_spin(&sim, &err, "spinner#2", "maybe_yield");
    }
}

#[test]
fn an_uncontended_mutex_in_a_loop_reaches_the_limit() {
    let mut sim = sim(Strategy::fifo());
    let err = sim
        .run(async {
            let m = sim::sync::Mutex::new(0u64);
            loop {
                *m.lock().await += 1;
            }
        })
        .unwrap_err();
    assert_spin(&sim, &err, "main#0", "Mutex::lock");
}

#[test]
fn yield_now_in_a_loop_reaches_the_limit() {
    let mut sim = sim(Strategy::random());
    let err = sim
        .run(async {
            loop {
                sim::task::yield_now().await;
            }
        })
        .unwrap_err();
    assert_spin(&sim, &err, "main#0", "yield_now");
}
