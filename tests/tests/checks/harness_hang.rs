//! The real-time hang guard (`SEEDLOOP_HANG_SECS`): a run stuck in a poll ends the process with
//! where it is stuck; a run that finishes is untouched.

use std::process::Output;
use std::time::{Duration, Instant};

use harness::{Check, Env};

use crate::child;
use crate::common::lost_update_with;

/// The line of the `sim::spawn` of the spinning task, as its report must name it.
const SPIN_LINE: u32 = line!() + 4;

/// A task that, at t=5s, computes forever without awaiting.
async fn spins_after_five_seconds() {
    let spinner = sim::spawn(async {
        sim::time::sleep(Duration::from_secs(5)).await;
        loop {
            std::hint::spin_loop();
        }
    });
    spinner.await.unwrap();
}

/// Waits for the child; a child still running after `limit` is killed (the guard failed).
fn wait(mut child: std::process::Child, limit: Duration) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "the hang guard did not end the process within {limit:?}: {}",
                child::stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_run_stuck_in_one_poll_ends_the_process_with_where() {
    const PATH: &str = "harness_hang::a_run_stuck_in_one_poll_ends_the_process_with_where";
    if child::role().is_some() {
        Check::new()
            .no_regressions()
            .seeds(vec![17])
            .strategy(sim::Strategy::fifo())
            .run(spins_after_five_seconds);
        unreachable!("the run never ends");
    }
    let c = child::spawn(PATH, "spin", &[("SEEDLOOP_HANG_SECS", "0.5")]);
    let out = wait(c, Duration::from_secs(120));
    let err = child::stderr(&out);
    assert_eq!(out.status.code(), Some(101), "{err}");
    assert!(err.contains("hang guard"), "{err}");
    assert!(err.contains("SEEDLOOP_HANG_SECS=0.5"), "{err}");
    assert!(err.contains("inside one poll of task task#1"), "{err}");
    let site = format!("harness_hang.rs:{SPIN_LINE}:");
    assert!(err.contains(&site), "the spawn site {site}: {err}");
    assert!(err.contains("at t=5s, step "), "{err}");
    assert!(err.contains("seed 17 (strategy fifo)"), "{err}");
    assert!(err.contains("SEEDLOOP_SEED=17"), "{err}");
}

/// The lost update with a sleep before each write: the guard's sweep crosses virtual time.
async fn lost_update() {
    lost_update_with(2, || sim::time::sleep(Duration::from_millis(1))).await;
}

#[test]
fn the_guard_never_changes_a_run_that_finishes() {
    let with = |env: Env| Check::new().env(env).no_regressions().seeds(40);
    let guarded = || Env::empty().with("SEEDLOOP_HANG_SECS", "600");
    let plain = with(Env::empty()).explore(lost_update);
    let watched = with(guarded()).explore(lost_update);
    assert!(!plain.passed());
    assert_eq!(watched.failure_text(), plain.failure_text());
    assert_eq!(watched.seeds_run, plain.seeds_run);
    let fine = || async { sim::time::sleep(Duration::from_secs(1)).await };
    let plain = with(Env::empty()).keep_going(true).explore(fine);
    let watched = with(guarded()).keep_going(true).explore(fine);
    assert!(watched.passed());
    assert_eq!(watched.seeds_run, plain.seeds_run);
    assert_eq!(watched.distinct_interleavings, plain.distinct_interleavings);
}

#[test]
fn a_bad_budget_names_the_variable() {
    let e = std::panic::catch_unwind(|| {
        Check::new()
            .env(Env::empty().with("SEEDLOOP_HANG_SECS", "-3"))
            .seeds(1)
            .explore(|| async {})
    })
    .expect_err("a negative budget is refused");
    let msg = e.downcast::<String>().unwrap();
    assert!(
        msg.contains("SEEDLOOP_HANG_SECS=\"-3\"") && msg.contains("`2.5`"),
        "{msg}"
    );
}
