//! Cancellation points in a sweep: the planted cancel-safety bug B15 is found within a check's
//! default seeds, shrunk to the one cancellation that matters, replayed from its token; Fifo and
//! plain scheduling never find it; its cancel-safe twin B15′ never fails; a cancellation that
//! does not matter is shrunk away.

use std::cell::Cell;
use std::rc::Rc;

use harness::explore::Exhaustive;
use harness::{Check, Replayed, TestContext, try_replay};
use scenarios::buggy::{b15, b15_fixed};
use sim::Strategy;
use sim::task::{cancellable, yield_now};

#[test]
fn check_finds_b15_within_its_default_seeds_and_shrinks_it_to_one_cancellation() {
    let outcome = Check::new().no_regressions().explore(b15);
    let report = outcome
        .report
        .as_ref()
        .expect("a seed cancels a read half-way");
    let found_after = outcome.schedules_to_first_failure.unwrap();
    assert!(found_after <= harness::DEFAULT_SEEDS, "{found_after}");
    let shrunk = outcome.shrunk.as_ref().unwrap();
    assert_eq!(
        (shrunk.after.preemptions, shrunk.after.cancellations),
        (0, 1),
        "{report}"
    );
    assert_eq!(report.cancellations(), 1);
    let text = report.to_string();
    assert!(text.contains("1 cancellation: at t="), "{text}");
    assert!(
        text.contains("handler#2 had its cancellable future dropped at an await"),
        "{text}"
    );
    assert!(
        text.contains("c1/2: drop a cancellable future at its await"),
        "{text}"
    );
    // The one cancellation that matters falls between a frame's header and its payload: the
    // drain then reads a payload byte as a length.
    assert!(
        text.contains("the handler logged") || text.contains("the handler failed"),
        "{text}"
    );

    // The token replays it exactly: the same failure, the same single cancellation.
    match try_replay(&report.token_text, &b15, TestContext::detect()).unwrap() {
        Replayed::Failed(r) => {
            assert!(r.failure.same_as(&report.failure));
            assert_eq!(r.token.schedule.cancellations(), 1);
        }
        other => panic!("the token did not replay the failure: {other:?}"),
    }
}

#[test]
fn fifo_never_cancels_so_it_never_finds_b15() {
    let fifo = Check::new()
        .seeds(8)
        .strategy(Strategy::fifo())
        .no_regressions()
        .explore(b15);
    assert!(fifo.passed());
}

#[test]
fn the_cancel_safe_reader_never_fails() {
    for strategy in [
        Strategy::random(),
        Strategy::pct(2),
        Strategy::portfolio(vec![Strategy::random(), Strategy::pct(1), Strategy::pct(3)]),
    ] {
        let outcome = Check::new()
            .seeds(200)
            .strategy(strategy.clone())
            .no_regressions()
            .explore(b15_fixed);
        assert!(outcome.passed(), "{strategy}: {:?}", outcome.failure_text());
    }
}

#[test]
fn the_exhaustive_search_finds_b15_with_one_cancellation() {
    let found = Exhaustive::new()
        .preemption_bound(1)
        .run(b15)
        .failure
        .expect("within one intervention");
    assert_eq!(found.schedule.cancellations(), 1);
    assert_eq!(
        found.preemptions, 1,
        "the cancellation counts against the bound"
    );
}

#[test]
fn a_cancellation_that_does_not_matter_is_shrunk_away() {
    // Two cancellable steps: dropping the first is harmless, dropping the second half-way
    // through its update breaks the invariant.
    let program = || async {
        let (a, b) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let _ = cancellable(async {
            yield_now().await;
            yield_now().await;
        })
        .await;
        let (a2, b2) = (a.clone(), b.clone());
        let _ = cancellable(async move {
            a2.set(1);
            yield_now().await;
            b2.set(1);
        })
        .await;
        assert_eq!(a.get(), b.get(), "half an update");
    };
    let mut both = 0;
    for seed in 0..400 {
        let outcome = Check::new()
            .seeds(vec![seed])
            .no_regressions()
            .explore(program);
        let Some(shrunk) = outcome.shrunk else {
            continue;
        };
        both += usize::from(shrunk.before.cancellations == 2);
        assert_eq!(shrunk.after.cancellations, 1, "seed {seed}");
        assert_eq!(shrunk.after.non_default, 1, "seed {seed}");
    }
    assert!(both > 0, "no failing run cancelled both futures");
}
