//! `sim::sync::Condvar`: SEMANTICS cases 19 and 35, aborts at every point.

use std::cell::Cell;
use std::rc::Rc;

use crate::sync_common::*;
use sim::sync::{Condvar, Event, Mutex};

type Shared = Rc<(Mutex<u32>, Condvar)>;

fn spawn_waiters(s: &Shared, log: &Log, names: &[&'static str]) -> Vec<sim::JoinHandle<()>> {
    names
        .iter()
        .map(|&name| {
            let (s, log) = (s.clone(), log.clone());
            sim::spawn(async move {
                let (m, cv) = &*s;
                let g = m.lock().await;
                let g = cv.wait(g).await;
                log.push(name);
                drop(g);
            })
        })
        .collect()
}

/// Case 35 (`ConditionTests::test_notify`): `notify_one` releases one waiter, `notify_all`
/// the rest, in wait order; a notified waiter proceeds only after the notifier unlocks.
fn case_35(mut sim: sim::Sim) -> Vec<(u128, String)> {
    let log = Log::default();
    let l = log.clone();
    sim.run(async move {
        let s: Shared = Rc::new((Mutex::new(0), Condvar::named("cond")));
        let ws = spawn_waiters(&s, &l, &["c1", "c2", "c3"]);
        sim::time::sleep(ms(1)).await;
        assert!(l.texts().is_empty());
        assert_eq!(s.1.waiting(), 3);

        let (m, cv) = &*s;
        let g = m.lock().await;
        cv.notify_one();
        sim::time::sleep(ms(1)).await; // still holding the lock
        l.push("notifier unlocks");
        drop(g);
        sim::time::sleep(ms(1)).await;

        let g = m.lock().await;
        cv.notify_one();
        cv.notify_all();
        drop(g);
        for w in ws {
            w.await.unwrap();
        }
        assert_eq!(cv.waiting(), 0);
        assert!(!m.is_locked());
    })
    .unwrap();
    log.lines()
}

#[test]
fn case_35_exact_under_fifo() {
    assert_eq!(
        case_35(fifo()),
        [
            (2, "notifier unlocks".into()),
            (2, "c1".into()),
            (3, "c2".into()),
            (3, "c3".into())
        ]
    );
}

#[test]
fn case_35_order_free_under_every_seed() {
    for seed in SEEDS {
        let lines = case_35(random(seed));
        assert_eq!(lines[0], (2, "notifier unlocks".into()), "seed {seed}");
        assert_eq!(
            lines[1].0, 2,
            "seed {seed}: exactly one released by notify_one"
        );
        assert_eq!((lines[2].0, lines[3].0), (3, 3), "seed {seed}");
        let mut names: Vec<_> = lines[1..].iter().map(|(_, n)| n.as_str()).collect();
        names.sort();
        assert_eq!(names, ["c1", "c2", "c3"], "seed {seed}");
    }
}

/// Case 19 for Condvar: an aborted waiter leaves; a notification it was given but never used
/// passes to the next waiter; the lock is never left held.
#[test]
fn case_19_aborted_waiter_leaves_and_passes_its_notification_on() {
    for (name, mut sim) in all_sims() {
        for when in 0..3 {
            let log = Log::default();
            let l = log.clone();
            sim.run(async move {
                let s: Shared = Rc::new((Mutex::named("m", 0), Condvar::new()));
                let ws = spawn_waiters(&s, &l, &["A", "B"]);
                sim::time::sleep(ms(1)).await;
                let (m, cv) = &*s;
                match when {
                    // Aborted while waiting for a notification.
                    0 => {
                        ws[0].abort();
                        sim::time::sleep(ms(1)).await;
                        cv.notify_one();
                    }
                    // Notified, aborted before it ran (the notification passes on).
                    1 => {
                        cv.notify_one();
                        ws[0].abort();
                    }
                    // Notified and queued on the held mutex, aborted there.
                    _ => {
                        let g = m.lock().await;
                        cv.notify_one();
                        sim::time::sleep(ms(1)).await;
                        ws[0].abort();
                        drop(g);
                    }
                }
                let mut ws = ws.into_iter();
                assert!(ws.next().unwrap().await.unwrap_err().is_cancelled());
                ws.next().unwrap().await.unwrap();
                assert!(!m.is_locked());
            })
            .unwrap_or_else(|e| panic!("{name}, abort case {when}: {e}"));
            assert_eq!(log.texts(), ["B"], "{name}, abort case {when}");
        }
    }
}

/// Three consumers take items under the lock, waiting on the condvar while there are none; a
/// producer adds six, one per millisecond, with `notify_one` each; one consumer is aborted at
/// `at`. Checks mutual exclusion, that every item is taken (no notification lost: main waits
/// for the last one, so a lost one deadlocks), and that the lock is free afterwards.
fn contend(mut sim: sim::Sim, at: AbortAt, victim: usize) {
    let res = sim.run(async move {
        let s: Shared = Rc::new((Mutex::named("items", 0), Condvar::named("not_empty")));
        let inside = Occupancy::default();
        let taken = Rc::new(Cell::new(0));
        let all_taken = Rc::new(Event::named("all taken"));
        let consumers: Vec<_> = (0..3)
            .map(|_| {
                let (s, inside, taken, all_taken) =
                    (s.clone(), inside.clone(), taken.clone(), all_taken.clone());
                sim::spawn(async move {
                    let (m, cv) = &*s;
                    loop {
                        let g = m.lock().await;
                        let _in = inside.enter(1);
                        drop(_in);
                        let mut g = cv.wait_while(g, |items| *items == 0).await;
                        let _in = inside.enter(1);
                        *g -= 1;
                        taken.set(taken.get() + 1);
                        if taken.get() == 6 {
                            all_taken.set();
                        }
                        sim::task::yield_now().await; // hold the lock across an await
                    }
                })
            })
            .collect();
        let producer = {
            let s = s.clone();
            sim::spawn(async move {
                let (m, cv) = &*s;
                for _ in 0..6 {
                    sim::time::sleep(ms(1)).await;
                    let mut g = m.lock().await;
                    *g += 1;
                    cv.notify_one();
                }
            })
        };
        abort_at(at, &consumers[victim]).await;
        producer.await.unwrap();
        all_taken.wait().await;
        assert_eq!(inside.peak(), 1, "mutual exclusion broken");
        assert_eq!(*s.0.lock().await, 0);
        for c in &consumers {
            c.abort();
        }
        for c in consumers {
            let _ = c.await;
        }
        assert!(
            s.0.try_lock().is_ok(),
            "the lock leaked: {:?} {:?}",
            s.0,
            s.1
        );
    });
    if let Err(e) = res {
        panic!("abort at {at:?} of consumer {victim}: {e}");
    }
}

#[test]
fn abort_a_waiter_at_every_point() {
    for (i, at) in abort_points(30, 7).into_iter().enumerate() {
        contend(fifo(), at, i % 3);
        for seed in SEEDS.step_by(4) {
            contend(random(seed + i as u64), at, i % 3);
        }
    }
}

#[test]
fn a_blocked_wait_names_the_condvar_and_a_blocked_relock_names_the_mutex() {
    let err = fifo()
        .run(async {
            let (m, cv) = (Mutex::named("state", ()), Condvar::named("changed"));
            let _g = cv.wait(m.lock().await).await;
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("waits on Condvar::wait on `changed` at tests/tests/sync/sync_condvar.rs:"),
        "{err}"
    );
    let err = fifo()
        .run(async {
            let s = Rc::new((Mutex::named("state", ()), Condvar::new()));
            let s2 = s.clone();
            sim::spawn(async move {
                let g = s2.0.lock().await;
                s2.1.notify_one();
                std::mem::forget(g); // never unlocks
            });
            let _g = s.1.wait(s.0.lock().await).await;
        })
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "waits on Mutex::lock (re-locking after Condvar::wait) on `state` at tests/tests/sync/sync_condvar.rs:"
        ),
        "{err}"
    );
}
