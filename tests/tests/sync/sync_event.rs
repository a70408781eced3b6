//! `sim::sync::Event`: SEMANTICS cases 19 and 34, aborts at every point.

use std::rc::Rc;

use crate::sync_common::*;
use sim::sync::Event;

fn spawn_waiters(ev: &Rc<Event>, log: &Log, names: &[&'static str]) -> Vec<sim::JoinHandle<()>> {
    names
        .iter()
        .map(|&name| {
            let (ev, log) = (ev.clone(), log.clone());
            sim::spawn(async move {
                ev.wait().await;
                log.push(name);
            })
        })
        .collect()
}

/// Case 34 (`EventTests`): `set()` wakes all waiters (in wait order under Fifo); `set(); clear()`
/// before they run still releases them and `is_set()` is then false; `wait()` on a set event
/// returns at once.
fn case_34(mut sim: sim::Sim) -> (Lines, Lines) {
    let (log1, log2) = (Log::default(), Log::default());
    let (l1, l2) = (log1.clone(), log2.clone());
    sim.run(async move {
        let ev = Rc::new(Event::named("go"));
        let ws = spawn_waiters(&ev, &l1, &["A", "B", "C"]);
        sim::time::sleep(ms(1)).await;
        assert!(l1.texts().is_empty());
        ev.set();
        assert!(ev.is_set());
        for w in ws {
            w.await.unwrap();
        }

        ev.clear();
        let ws = spawn_waiters(&ev, &l2, &["D", "E"]);
        sim::time::sleep(ms(1)).await;
        ev.set();
        ev.clear();
        assert!(!ev.is_set());
        for w in ws {
            w.await.unwrap();
        }
        assert!(!ev.is_set());

        ev.set();
        let before = sim::time::now();
        ev.wait().await;
        assert_eq!(
            sim::time::now(),
            before,
            "wait on a set event returns at once"
        );
    })
    .unwrap();
    (log1.lines(), log2.lines())
}

#[test]
fn case_34_exact_under_fifo() {
    let (first, second) = case_34(fifo());
    assert_eq!(first, [(1, "A".into()), (1, "B".into()), (1, "C".into())]);
    assert_eq!(second, [(2, "D".into()), (2, "E".into())]);
}

#[test]
fn case_34_order_free_under_every_seed() {
    for seed in SEEDS {
        let (first, second) = case_34(random(seed));
        let mut names: Vec<_> = first.iter().map(|(t, n)| (*t, n.as_str())).collect();
        names.sort();
        assert_eq!(names, [(1, "A"), (1, "B"), (1, "C")], "seed {seed}");
        let mut names: Vec<_> = second.iter().map(|(t, n)| (*t, n.as_str())).collect();
        names.sort();
        assert_eq!(names, [(2, "D"), (2, "E")], "seed {seed}");
    }
}

/// Case 19 for Event: an aborted waiter leaves; the others are released by `set`.
#[test]
fn case_19_aborted_waiter_leaves_and_the_rest_are_released() {
    for (name, mut sim) in all_sims() {
        for granted_first in [false, true] {
            let log = Log::default();
            let l = log.clone();
            sim.run(async move {
                let ev = Rc::new(Event::new());
                let ws = spawn_waiters(&ev, &l, &["A", "B"]);
                sim::time::sleep(ms(1)).await;
                if granted_first {
                    ev.set();
                    ws[0].abort();
                } else {
                    ws[0].abort();
                    sim::time::sleep(ms(1)).await;
                    ev.set();
                }
                let mut ws = ws.into_iter();
                assert!(ws.next().unwrap().await.unwrap_err().is_cancelled());
                ws.next().unwrap().await.unwrap();
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(log.texts(), ["B"], "{name}");
        }
    }
}

/// Four waiters wait twice each (the event is set at 2 ms, cleared at 3 ms, set at 5 ms);
/// one is aborted at `at`: everybody else gets through both waits, the run finishes.
fn contend(mut sim: sim::Sim, at: AbortAt, victim: usize) {
    let res = sim.run(async move {
        let ev = Rc::new(Event::named("phase"));
        let passed = Occupancy::default();
        let waiters: Vec<_> = (0..4)
            .map(|_| {
                let (ev, passed) = (ev.clone(), passed.clone());
                sim::spawn(async move {
                    ev.wait().await;
                    sim::time::sleep(ms(2)).await;
                    ev.wait().await;
                    std::mem::forget(passed.enter(1));
                })
            })
            .collect();
        let setter = {
            let ev = ev.clone();
            sim::spawn(async move {
                sim::time::sleep(ms(2)).await;
                ev.set();
                sim::time::sleep(ms(1)).await;
                ev.clear();
                sim::time::sleep(ms(2)).await;
                ev.set();
            })
        };
        abort_at(at, &waiters[victim]).await;
        let mut finished = 0;
        for (i, w) in waiters.into_iter().enumerate() {
            match w.await {
                Ok(()) => finished += 1,
                Err(e) => assert!(i == victim && e.is_cancelled(), "{e}"),
            }
        }
        setter.await.unwrap();
        assert!(finished >= 3);
        assert_eq!(passed.now(), finished);
    });
    if let Err(e) = res {
        panic!("abort at {at:?} of waiter {victim}: {e}");
    }
}

#[test]
fn abort_a_waiter_at_every_point() {
    for (i, at) in abort_points(20, 8).into_iter().enumerate() {
        contend(fifo(), at, i % 4);
        for seed in SEEDS.step_by(8) {
            contend(random(seed + i as u64), at, i % 4);
        }
    }
}

#[test]
fn a_blocked_wait_names_the_event() {
    let err = fifo()
        .run(async { Event::named("ready").wait().await })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("waits on Event::wait on `ready` at tests/tests/sync/sync_event.rs:"),
        "{err}"
    );
}
