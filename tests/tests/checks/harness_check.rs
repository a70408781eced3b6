//! `check`, `Check` and `#[harness::test]`: what counts as a failure and what the report says.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use harness::{Check, Env, FailureKind};
use sim::task::{maybe_yield, yield_now};

use crate::common::{panic_text, quiet, two};

#[test]
fn a_correct_program_passes_every_seed() {
    harness::check(|| async {
        let c = Rc::new(Cell::new(0));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let c = c.clone();
                sim::spawn(async move {
                    maybe_yield().await;
                    c.set(c.get() + 1);
                })
            })
            .collect();
        for h in hs {
            h.await.unwrap();
        }
        assert_eq!(c.get(), 3);
    });
}

#[test]
fn an_err_from_the_body_fails_the_run() {
    let o = quiet().explore(|| async {
        sim::time::sleep(Duration::from_millis(5)).await;
        if sim::rand::range(0..4u64) == 3 {
            return Err(format!("bad luck at {}", sim::time::now()));
        }
        Ok(())
    });
    let r = o.report.expect("some seed draws 3");
    assert_eq!(r.failure.kind, FailureKind::Error);
    let text = r.to_string();
    assert!(
        text.contains("the test body returned an error at t=0.005s"),
        "{text}"
    );
    assert!(text.contains("\"bad luck at 0.005s\""), "{text}");
}

#[test]
fn a_deadlock_report_names_the_blocked_tasks() {
    let text = panic_text(|| {
        quiet().run(|| async {
            let forever = sim::spawn_named("forever", std::future::pending::<()>());
            forever.await.unwrap();
        })
    });
    assert!(
        text.starts_with("error: seedloop: deadlock at t=0s"),
        "{text}"
    );
    assert!(
        text.contains("task forever#1 (spawned at tests/tests/checks/harness_check.rs:"),
        "{text}"
    );
    assert!(text.contains("waits on JoinHandle of forever#1"), "{text}");
    assert!(text.contains("note: replay token: sl2."), "{text}");
}

#[test]
fn an_unobserved_task_panic_names_the_task_and_its_spawn_site() {
    let text = panic_text(|| {
        quiet().run(|| async {
            let _detached = sim::spawn_named("worker", async {
                yield_now().await;
                panic!("worker gave up");
            });
            sim::time::sleep(Duration::from_secs(1)).await;
        })
    });
    assert!(text.contains("worker#1 panicked at t=0s"), "{text}");
    assert!(text.contains("'worker gave up'"), "{text}");
    let spawn_line = line!() - 9;
    assert!(
        text.contains(&format!(
            "it happened in worker#1 (spawned at tests/tests/checks/harness_check.rs:{spawn_line})"
        )),
        "{text}"
    );
}

#[test]
fn a_panic_observed_through_a_join_handle_points_at_the_task() {
    let text = panic_text(|| quiet().run(racy_counter_via_task));
    assert!(text.contains("note: it started in checker#2"), "{text}");
    assert!(
        text.contains("main observed it through its JoinHandle"),
        "{text}"
    );
}

#[test]
fn the_report_names_the_right_task_when_an_earlier_panic_was_caught_and_handled() {
    // `flaky` panics first, and main handles that; `checker` panics later, and main unwraps
    // its JoinError: the failure started in `checker`, not in the first task that panicked.
    let text = panic_text(|| {
        quiet().run(|| async {
            let flaky = sim::spawn_named("flaky", async { panic!("retry me") });
            assert!(
                flaky.await.unwrap_err().is_panic(),
                "handled: retried below"
            );
            let checker = sim::spawn_named("checker", two());
            checker.await.unwrap();
        })
    });
    assert!(text.contains("note: it started in checker#2"), "{text}");
    assert!(!text.contains("it started in flaky"), "{text}");
}

async fn racy_counter_via_task() {
    let checker = sim::spawn(async {});
    drop(checker);
    let c = sim::spawn_named("checker", two());
    c.await.unwrap();
}

#[test]
fn limits_are_failures_with_advice() {
    let spin = panic_text(|| {
        quiet().max_steps(500).run(|| async {
            let _spinner = sim::spawn(async {
                loop {
                    yield_now().await;
                }
            });
            sim::time::sleep(Duration::from_secs(1)).await;
        })
    });
    assert!(spin.contains("step limit reached: 500 steps"), "{spin}");
    assert!(spin.contains("spin loop"), "{spin}");
    let slow = panic_text(|| {
        quiet()
            .max_time(Duration::from_secs(10))
            .run(|| async { sim::time::sleep(Duration::from_secs(60)).await })
    });
    assert!(slow.contains("virtual-time limit reached"), "{slow}");
}

static RUNS: AtomicU64 = AtomicU64::new(0);

#[test]
fn state_that_survives_between_runs_is_reported_as_nondeterminism() {
    let text = panic_text(|| {
        quiet().strategy(sim::Strategy::fifo()).run(|| async {
            let n = RUNS.fetch_add(1, Ordering::Relaxed);
            sim::log!("run number {n}");
            assert!(n == u64::MAX, "always fails");
        })
    });
    assert!(
        text.starts_with("error: seedloop: nondeterminism: seed 0 (strategy fifo) ran twice"),
        "{text}"
    );
    assert!(
        text.contains("note: first run:  t=0s step=1 main#0: log: run number 1"),
        "{text}"
    );
    assert!(
        text.contains("note: second run: t=0s step=1 main#0: log: run number 2"),
        "{text}"
    );
    assert!(
        text.contains("help: something outside seedloop's control"),
        "{text}"
    );
    // What the sweep's run failed with, and where the runs part.
    assert!(
        text.contains("note: the first run of the seed failed with: main panicked"),
        "{text}"
    );
    assert!(
        text.contains("note: the runs part inside one poll of main#0 (the test body)"),
        "{text}"
    );
}

static PICKS: AtomicU64 = AtomicU64::new(0);

/// A dependency's own RNG (as tokio-stream's `StreamMap` has) makes a spawned task choose
/// differently between runs of one seed: the report names that task, where it was spawned, and
/// OS-seeded randomness in dependencies among the likely causes.
#[test]
fn a_task_that_chooses_by_itself_is_named_in_the_nondeterminism_report() {
    let text = panic_text(|| {
        quiet().strategy(sim::Strategy::fifo()).run(|| async {
            let picker = sim::spawn(async {
                sim::task::yield_now().await;
                // Stands for an OS-seeded random start index.
                if PICKS.fetch_add(1, Ordering::Relaxed) % 2 == 0 {
                    sim::log!("first stream");
                } else {
                    sim::task::yield_now().await;
                }
            });
            picker.await.unwrap();
            assert!(!sim::time::elapsed().is_zero(), "fails every run");
        })
    });
    assert!(text.contains("note: the runs part inside one poll of task#1 (spawned at tests/tests/checks/harness_check.rs:"), "{text}");
    assert!(text.contains("tokio-stream's StreamMap"), "{text}");
}

#[test]
fn explore_counts_schedules_failures_and_interleavings() {
    let o = quiet().seeds(200).keep_going(true).explore(two);
    assert_eq!(o.schedules_run, 200);
    assert!(o.failures > 1 && o.failures < 200, "{}", o.failures);
    let first = o.schedules_to_first_failure.unwrap();
    assert_eq!(o.seeds_run[first as usize - 1], o.failing_seed.unwrap());
    assert!(o.distinct_interleavings > 2, "{}", o.distinct_interleavings);
    assert_eq!(o.shrunk.as_ref().unwrap().after.preemptions, 1);

    let stop = quiet().seeds(200).explore(two);
    assert_eq!(stop.failures, 1);
    assert_eq!(stop.schedules_run, first);

    let fifo = quiet()
        .seeds(50)
        .strategy(sim::Strategy::fifo())
        .explore(two);
    assert!(fifo.passed());
    assert_eq!(fifo.distinct_interleavings, 1);
}

#[harness::test]
async fn the_attribute_runs_an_async_test() {
    let a = sim::spawn(async { 20 });
    assert_eq!(a.await.unwrap() + 22, 42);
}

#[harness::test(seeds = 10..20, strategy = "fifo", max_steps = 1_000)]
async fn the_attribute_takes_options() -> Result<(), String> {
    sim::time::sleep(Duration::from_secs(1)).await;
    if sim::time::now().as_nanos() == 1_000_000_000 {
        Ok(())
    } else {
        Err("time is off".into())
    }
}

#[harness::test(strategy = sim::Strategy::random(), regressions = false)]
#[should_panic(expected = "--test checks -- harness_check::the_attribute_reports_failures --exact")]
async fn the_attribute_reports_failures() {
    two().await;
}

#[test]
fn shrinking_and_step_limits_come_from_the_environment() {
    let o = Check::new()
        .env(Env::empty().with("SEEDLOOP_NO_SHRINK", "1"))
        .no_regressions()
        .explore(two);
    assert!(!o.passed());
    assert!(o.shrunk.is_none());
    let o = Check::new()
        .env(Env::empty().with("SEEDLOOP_MAX_STEPS", "3"))
        .no_regressions()
        .explore(two);
    assert_eq!(
        o.report.unwrap().failure.kind,
        FailureKind::Sim(sim::SimErrorKind::StepLimit)
    );
}
