//! Cancellation points (`sim::task::cancellable`): where a marked future may be dropped, what the
//! awaiting code sees, which strategies cancel, and that every cancellation replays.

use std::time::Duration;

use seedloop_tests::{Guard, Log, SWEEP, fifo, random, secs};
use sim::schedule::{Decision, Schedule};
use sim::task::{Cancelled, cancellable, yield_now};
use sim::time::sleep;
use sim::{Sim, Strategy, TraceLevel};

/// A three-step job with a guard: it logs each step and, when dropped, where it was.
async fn job(log: Log) -> u32 {
    let _guard = Guard::new(&log, "job dropped");
    for step in 1..=3 {
        log.push(format!("step {step}"));
        sleep(secs(1)).await;
    }
    log.push("done");
    7
}

/// Runs the job under `sim`: its result, the log, and the cancellation decisions taken.
fn run_job(mut sim: Sim) -> (Result<u32, Cancelled>, Vec<String>, Vec<Decision>) {
    let log = Log::new();
    let l = log.clone();
    let result = sim
        .run(async move {
            let r = cancellable(job(l.clone())).await;
            l.push("after");
            r
        })
        .unwrap();
    let cancels = sim
        .trace()
        .schedule()
        .iter()
        .filter(|d| matches!(d, Decision::Cancel { .. }))
        .collect();
    (result, log.lines(), cancels)
}

#[test]
fn fifo_never_cancels_and_asks_at_every_await() {
    let (result, lines, cancels) = run_job(fifo());
    assert_eq!(result, Ok(7));
    assert_eq!(
        lines,
        [
            "step 1@0s",
            "step 2@1s",
            "step 3@2s",
            "done@3s",
            "job dropped@3s",
            "after@3s"
        ]
    );
    // One decision per await the future suspended at: its three sleeps.
    assert_eq!(cancels, [Decision::Cancel { cancelled: false }; 3]);
}

#[test]
fn a_cancelled_future_is_dropped_at_the_await_it_suspended_at() {
    let mut at_each_await = [false; 3];
    for seed in SWEEP {
        let (result, lines, cancels) = run_job(random(seed));
        let Err(cancelled) = result else {
            assert_eq!(cancels, [Decision::Cancel { cancelled: false }; 3]);
            continue;
        };
        // The last decision dropped it; every earlier one kept it.
        let (last, kept) = cancels.split_last().unwrap();
        assert_eq!(*last, Decision::Cancel { cancelled: true }, "seed {seed}");
        assert!(kept.iter().all(|d| !d.is_cancellation()), "seed {seed}");
        // It was dropped in its sleep: at the instant that await began, before the next step,
        // and its guard ran before the awaiting code saw `Err`.
        let n = kept.len();
        at_each_await[n] = true;
        let mut want: Vec<String> = (1..=n + 1)
            .map(|s| format!("step {s}@{}s", s - 1))
            .collect();
        want.push(format!("job dropped@{n}s"));
        want.push(format!("after@{n}s"));
        assert_eq!(lines, want, "seed {seed}");
        assert!(cancelled.site().file().ends_with("cancellable.rs"));
        assert!(cancelled.to_string().contains("was dropped at an await"));
    }
    assert_eq!(
        at_each_await, [true; 3],
        "within the sweep, every await was a place the job got dropped"
    );
}

#[test]
fn a_future_that_never_suspends_is_never_asked() {
    let mut sim = random(3);
    let r = sim.run(async { cancellable(async { 5 }).await }).unwrap();
    assert_eq!(r, Ok(5));
    assert!(sim.trace().schedule().is_empty());
}

#[test]
fn pct_cancels_too_and_every_cancellation_replays() {
    for strategy in [Strategy::random(), Strategy::pct(2)] {
        let found = SWEEP.into_iter().find_map(|seed| {
            let sim = Sim::builder().seed(seed).strategy(strategy.clone()).build();
            let (result, lines, _) = run_job(sim);
            result.is_err().then_some((seed, lines))
        });
        let (seed, lines) = found.unwrap_or_else(|| panic!("{strategy} never cancelled"));
        let mut sim = Sim::builder()
            .seed(seed)
            .strategy(strategy.clone())
            .trace_level(TraceLevel::Decisions)
            .build();
        let _ = sim.run(async { cancellable(job(Log::new())).await });
        let schedule = sim.trace().schedule().clone();
        assert_eq!(schedule.cancellations(), 1);
        // Its text form and the replay strategy reproduce the run exactly.
        let text: Schedule = schedule.to_string().parse().unwrap();
        let (result, replayed, _) = run_job(
            Sim::builder()
                .seed(seed)
                .strategy(Strategy::replay(text))
                .build(),
        );
        assert!(result.is_err());
        assert_eq!(replayed, lines, "{strategy} seed {seed}");
    }
}

#[test]
fn a_cancellation_where_the_program_has_none_diverges() {
    // Recorded against a program with a cancellable future; replayed against one without.
    let schedule: Schedule = "c1/2".parse().unwrap();
    let mut sim = Sim::builder().strategy(Strategy::replay(schedule)).build();
    let err = sim
        .run(async { sleep(Duration::from_secs(1)).await })
        .unwrap_err();
    assert!(err.is_diverged(), "{err}");
    assert!(
        err.to_string().contains("(drop the cancellable future)"),
        "{err}"
    );
}

#[test]
fn a_cancelled_task_body_resolves_its_handle_to_err() {
    // Marking a whole task: spawn the cancellable body, and its handle's output is the Result.
    let cancelled_somewhere = SWEEP.into_iter().any(|seed| {
        let mut sim = random(seed);
        sim.run(async {
            let handler = sim::spawn(cancellable(async {
                for _ in 0..3 {
                    yield_now().await;
                }
            }));
            handler.await.unwrap().is_err()
        })
        .unwrap()
    });
    assert!(cancelled_somewhere);
}
