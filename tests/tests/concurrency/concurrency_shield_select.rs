//! SEMANTICS C (case 18): shield; and select, whose winner among ready branches is a recorded
//! decision.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::future::{Ready, ready};
use std::rc::Rc;

use crate::concurrency_common::*;
use sim::concurrency::{Either, ShieldWatch, select, select_all};
use sim::schedule::Decision;
use sim::time::{elapsed, sleep};
use sim::{Sim, Strategy, shield};

/// Outer awaits `shield(inner(2s))` and is aborted at t=1: inner is not cancelled, finishes at
/// t=2, and its value is observable through a watch taken before.
async fn case18(fates: Fates) -> (&'static str, std::time::Duration) {
    let slot: Rc<RefCell<Option<ShieldWatch<&'static str>>>> = Rc::default();
    let s = slot.clone();
    let f = fates.clone();
    let outer = sim::spawn(async move {
        let guard = f.guard("outer");
        let inner = shield(named("inner", secs(2), &f));
        *s.borrow_mut() = Some(inner.watch());
        let v = inner.await.unwrap();
        guard.complete();
        v
    });
    sleep(secs(1)).await;
    outer.abort();
    assert!(outer.await.unwrap_err().is_cancelled());
    let watch = slot.borrow_mut().take().unwrap();
    assert!(!watch.is_finished());
    let v = watch.await.unwrap().unwrap();
    (v, elapsed())
}

#[test]
fn case18_shield_survives_the_awaiters_abort() {
    let mut sim = fifo();
    let fates = Fates::default();
    assert_eq!(sim.run(case18(fates.clone())).unwrap(), ("inner", secs(2)));
    assert_eq!(
        logs(&sim),
        ["0s inner started", "1s outer dropped", "2s inner finished"]
    );
    assert_eq!(fates.get(), [Fate::Cancelled, Fate::Completed]);
    for seed in SEEDS {
        let fates = Fates::default();
        assert_eq!(
            Sim::new(seed).run(case18(fates.clone())).unwrap(),
            ("inner", secs(2))
        );
        assert_eq!(
            fates.get(),
            [Fate::Cancelled, Fate::Completed],
            "seed {seed}"
        );
    }
}

#[test]
fn shield_reports_a_panic_and_a_taken_outcome() {
    fifo()
        .run(async {
            let s = shield(async { panic!("inner broke") });
            let w = s.watch();
            let err = s.await.unwrap_err();
            assert_eq!(err.panic_message(), Some("inner broke"));
            assert!(w.await.is_none(), "the Shield took the outcome first");
        })
        .unwrap();
}

#[test]
fn a_shield_dropped_unawaited_still_runs_its_task() {
    let mut sim = fifo();
    let fates = Fates::default();
    let f = fates.clone();
    sim.run(async move {
        drop(shield(named("work", secs(1), &f)));
        sleep(secs(2)).await;
    })
    .unwrap();
    assert_eq!(logs(&sim), ["0s work started", "1s work finished"]);
    assert_eq!(fates.get(), [Fate::Completed]);
}

fn winner(e: Either<(u8, Ready<u8>), (u8, Ready<u8>)>) -> u8 {
    match e {
        Either::Left((v, _)) | Either::Right((v, _)) => v,
    }
}

#[test]
fn select_between_ready_branches_is_a_recorded_decision() {
    let prog = || async { winner(select(ready(1u8), ready(2u8)).await) };
    // Fifo: the first listed.
    let mut sim = fifo();
    assert_eq!(sim.run(prog()).unwrap(), 1);
    assert!(
        sim.trace()
            .schedule()
            .iter()
            .any(|d| d == Decision::Branch { index: 0, of: 2 })
    );
    // Exploring: both winners are reachable, and each replays.
    let mut seen = BTreeSet::new();
    for seed in SEEDS {
        let mut sim = Sim::new(seed);
        let w = sim.run(prog()).unwrap();
        seen.insert(w);
        let schedule = sim.trace().schedule().clone();
        let mut again = Sim::builder().strategy(Strategy::replay(schedule)).build();
        assert_eq!(again.run(prog()).unwrap(), w, "seed {seed} replays");
    }
    assert_eq!(seen, BTreeSet::from([1, 2]));
}

#[test]
fn select_all_between_ready_branches_reaches_every_winner() {
    let prog = || async {
        let (v, i, rest) = select_all([ready(10u8), ready(11), ready(12)]).await;
        assert_eq!(rest.len(), 2);
        assert_eq!(v, 10 + i as u8);
        i
    };
    assert_eq!(fifo().run(prog()).unwrap(), 0);
    let seen: BTreeSet<usize> = SEEDS.map(|s| Sim::new(s).run(prog()).unwrap()).collect();
    assert_eq!(seen, BTreeSet::from([0, 1, 2]));
}

#[test]
fn select_returns_the_loser_unharmed() {
    for mut sim in [fifo(), Sim::new(1), Sim::new(2)] {
        let mut log = sim
            .run(async {
                let mut slow = Box::pin(named("slow", secs(3), &Fates::default()));
                let fast = Box::pin(async {
                    sleep(secs(1)).await;
                    "fast"
                });
                let first = match select(&mut slow, fast).await {
                    Either::Left((v, _)) | Either::Right((v, _)) => v,
                };
                let second = slow.await;
                vec![format!("{first} {second} {:?}", elapsed())]
            })
            .unwrap();
        log.extend(logs(&sim));
        assert_eq!(log, ["fast slow 3s", "0s slow started", "3s slow finished"]);
    }
}

#[test]
fn a_blocked_select_names_itself_in_a_deadlock_report() {
    let err = fifo()
        .run(async {
            select(std::future::pending::<()>(), std::future::pending::<()>()).await;
        })
        .unwrap_err();
    assert!(
        err.blocked()[0]
            .waits
            .iter()
            .any(|w| w
                .starts_with("select at tests/tests/concurrency/concurrency_shield_select.rs:")),
        "{err}"
    );
}

#[test]
#[should_panic(expected = "select_all was given no futures")]
fn select_all_of_nothing_is_refused() {
    drop(select_all(Vec::<Ready<u8>>::new()));
}

/// The awaiter of a shield is aborted at every 5 ms from 0 to 30 (the shielded work takes
/// 20 ms): the work always completes, and its value is always observable through the watch.
#[test]
fn aborting_a_shields_awaiter_at_every_point_never_cancels_the_work() {
    for seed in 0..16 {
        for abort_at in (0..=30).step_by(5) {
            for mut sim in [fifo(), Sim::new(seed)] {
                let fates = Fates::default();
                let f = fates.clone();
                let v = sim
                    .run(async move {
                        let s = shield(named("work", ms(20), &f));
                        let watch = s.watch();
                        let awaiter = sim::spawn(s);
                        sleep(ms(abort_at)).await;
                        awaiter.abort();
                        match awaiter.await {
                            Ok(v) => v.unwrap(),
                            Err(_) => watch.await.unwrap().unwrap(),
                        }
                    })
                    .unwrap();
                assert_eq!(v, "work", "seed {seed} abort {abort_at}");
                assert_eq!(
                    fates.get(),
                    [Fate::Completed],
                    "seed {seed} abort {abort_at}"
                );
            }
        }
    }
}
