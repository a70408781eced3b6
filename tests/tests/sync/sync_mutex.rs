//! `sim::sync::Mutex`: SEMANTICS cases 19 and 33, aborts at every point, deadlock reports.

use std::rc::Rc;
use std::time::Duration;

use crate::sync_common::*;
use sim::sync::Mutex;

/// Case 33 (`LockTests::test_acquire`): G holds from t=0 to t=1 while A and B queue; G unlocks
/// and locks again at once: A@1, B@2, G@3 (no barging).
fn case_33(mut sim: sim::Sim) -> Vec<(u128, String)> {
    let log = Log::default();
    let l = log.clone();
    sim.run(async move {
        let m = Rc::new(Mutex::new(()));
        let g = m.lock().await;
        l.push("G");
        let tasks: Vec<_> = ["A", "B"]
            .into_iter()
            .map(|name| {
                let (m, l) = (m.clone(), l.clone());
                sim::spawn(async move {
                    let _g = m.lock().await;
                    l.push(name);
                    sim::time::sleep(Duration::from_secs(1)).await;
                })
            })
            .collect();
        sim::time::sleep(Duration::from_secs(1)).await;
        drop(g);
        let g = m.lock().await;
        l.push("G");
        sim::time::sleep(Duration::from_secs(1)).await;
        drop(g);
        for t in tasks {
            t.await.unwrap();
        }
    })
    .unwrap();
    log.lines()
}

#[test]
fn case_33_fifo_no_barging_exact_under_fifo() {
    let lines = case_33(fifo());
    assert_eq!(
        lines,
        [
            (0, "G".into()),
            (1000, "A".into()),
            (2000, "B".into()),
            (3000, "G".into())
        ]
    );
}

#[test]
fn case_33_relocker_queues_behind_waiters_under_every_seed() {
    for seed in SEEDS {
        let lines = case_33(random(seed));
        assert_eq!(lines[0], (0, "G".to_string()), "seed {seed}");
        assert_eq!(lines[3], (3000, "G".to_string()), "seed {seed}: G barged");
        let mut mid: Vec<_> = lines[1..3].to_vec();
        mid.sort();
        assert_eq!(mid[0].0, 1000, "seed {seed}");
        assert_eq!(mid[1].0, 2000, "seed {seed}");
        let mut names: Vec<_> = mid.iter().map(|(_, n)| n.as_str()).collect();
        names.sort();
        assert_eq!(names, ["A", "B"], "seed {seed}");
    }
}

/// Case 19 (`test_acquire_cancel`): an aborted waiter leaves the queue, the holder keeps the
/// lock, the next waiter gets it on release. `granted_first` aborts the first waiter after the
/// lock was already handed to it (in the same instant, before it ran).
fn case_19(mut sim: sim::Sim, granted_first: bool) -> Vec<(u128, String)> {
    let log = Log::default();
    let l = log.clone();
    sim.run(async move {
        let m = Rc::new(Mutex::named("m", ()));
        let g = m.lock().await;
        let spawn_waiter = |name: &'static str| {
            let (m, l) = (m.clone(), l.clone());
            sim::spawn(async move {
                let _g = m.lock().await;
                l.push(name);
                sim::time::sleep(Duration::from_secs(1)).await;
            })
        };
        let a = spawn_waiter("A");
        let b = spawn_waiter("B");
        sim::time::sleep(Duration::from_secs(1)).await;
        if granted_first {
            drop(g); // handed to A, which has not run yet
            a.abort();
            assert!(
                m.is_locked(),
                "the hand-off must pass to B, not free the lock"
            );
        } else {
            a.abort();
            sim::time::sleep(Duration::from_secs(1)).await;
            assert!(m.try_lock().is_err(), "the holder keeps the lock");
            l.push("release");
            drop(g);
        }
        assert!(a.await.unwrap_err().is_cancelled());
        b.await.unwrap();
        let _g = m.lock().await;
        l.push("main again");
    })
    .unwrap();
    log.lines()
}

#[test]
fn case_19_aborted_waiter_leaves_the_queue_exact_under_fifo() {
    assert_eq!(
        case_19(fifo(), false),
        [
            (2000, "release".into()),
            (2000, "B".into()),
            (3000, "main again".into())
        ]
    );
    assert_eq!(
        case_19(fifo(), true),
        [(1000, "B".into()), (2000, "main again".into())]
    );
}

#[test]
fn case_19_order_free_under_every_seed() {
    for seed in SEEDS {
        for granted_first in [false, true] {
            let texts: Vec<String> = case_19(random(seed), granted_first)
                .into_iter()
                .map(|(_, t)| t)
                .filter(|t| t != "release")
                .collect();
            assert!(
                texts == ["B", "main again"],
                "seed {seed}: {texts:?} (A must never hold the lock)"
            );
        }
    }
}

/// Four workers lock three times each (holding for `hold`), while main aborts one of them at
/// `at`. Checks mutual exclusion throughout, that the run finishes (no waiter stuck), and that
/// the lock is free and usable afterwards.
fn contend(mut sim: sim::Sim, at: AbortAt, victim: usize, hold: Option<Duration>) {
    let res = sim.run(async move {
        let m = Rc::new(Mutex::named("contended", 0u32));
        let inside = Occupancy::default();
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let (m, inside) = (m.clone(), inside.clone());
                sim::spawn(async move {
                    for _ in 0..3 {
                        let mut g = m.lock().await;
                        let _in = inside.enter(1);
                        match hold {
                            Some(d) => sim::time::sleep(d).await,
                            None => sim::task::yield_now().await,
                        }
                        *g += 1;
                    }
                })
            })
            .collect();
        abort_at(at, &workers[victim]).await;
        let mut completed = 0;
        for (i, w) in workers.into_iter().enumerate() {
            match w.await {
                Ok(()) => completed += 1,
                Err(e) => assert!(i == victim && e.is_cancelled(), "{e}"),
            }
        }
        assert_eq!(inside.now(), 0);
        assert_eq!(inside.peak(), 1, "mutual exclusion broken");
        assert!(!m.is_locked(), "the lock leaked");
        let g = m.try_lock().expect("usable afterwards");
        assert!(
            *g >= 3 * completed,
            "{} increments for {completed} finished workers",
            *g
        );
        assert!(*g <= 12);
    });
    if let Err(e) = res {
        panic!("abort at {at:?} of worker {victim}: {e}");
    }
}

#[test]
fn abort_a_waiter_or_holder_at_every_point() {
    for (i, at) in abort_points(40, 14).into_iter().enumerate() {
        contend(fifo(), at, i % 4, Some(ms(1)));
        contend(fifo(), at, i % 4, None);
        for seed in SEEDS.step_by(4) {
            contend(random(seed + i as u64), at, i % 4, Some(ms(1)));
            contend(random(seed + i as u64), at, (i + 1) % 4, None);
        }
    }
}

#[test]
fn lock_is_a_preemption_point_even_when_free() {
    // Under Random some seed switches to the spawned task at the free `lock()`, so it logs first.
    let mut orders = std::collections::BTreeSet::new();
    for seed in SEEDS {
        let log = Log::default();
        let l = log.clone();
        random(seed)
            .run(async move {
                let m = Mutex::new(());
                let l2 = l.clone();
                let t = sim::spawn(async move { l2.push("task") });
                let _g = m.lock().await;
                l.push("main");
                drop(_g);
                t.await.unwrap();
            })
            .unwrap();
        orders.insert(log.texts());
    }
    assert_eq!(orders.len(), 2, "{orders:?}");
}

#[test]
fn owned_guard_moves_into_a_task_and_unlocks_when_it_is_aborted() {
    fifo()
        .run(async {
            let m = std::sync::Arc::new(Mutex::new(vec![1]));
            let mut g = m.clone().lock_owned().await;
            let t = sim::spawn(async move {
                g.push(2);
                sim::time::sleep(Duration::from_secs(10)).await;
                g.push(3);
            });
            sim::time::sleep(Duration::from_secs(1)).await;
            assert!(m.try_lock().is_err());
            t.abort();
            assert_eq!(*m.lock().await, [1, 2]);
            assert_eq!(sim::time::elapsed(), Duration::from_secs(1));
        })
        .unwrap();
    let m = std::sync::Arc::new(Mutex::new(5));
    let mut sim = fifo();
    sim.run({
        let m = m.clone();
        async move { *m.lock_owned().await += 1 }
    })
    .unwrap();
    assert_eq!(std::sync::Arc::try_unwrap(m).unwrap().into_inner(), 6);
}

#[test]
fn try_lock_refuses_to_barge_past_a_handed_off_lock() {
    fifo()
        .run(async {
            let m = Rc::new(Mutex::named("db", ()));
            let g = m.lock().await;
            let m2 = m.clone();
            let t = sim::spawn(async move { drop(m2.lock().await) });
            sim::task::yield_now().await; // t queues
            drop(g); // handed to t, which has not run
            let err = m.try_lock().unwrap_err();
            assert_eq!(
                err.to_string(),
                "Mutex `db` is locked; use `lock().await` to wait for it"
            );
            t.await.unwrap();
            assert!(m.try_lock().is_ok());
        })
        .unwrap();
}

#[test]
fn a_panicking_holder_unlocks() {
    fifo()
        .run(async {
            let m = Rc::new(Mutex::new(0));
            let m2 = m.clone();
            let t = sim::spawn(async move {
                let _g = m2.lock().await;
                sim::task::yield_now().await;
                panic!("boom");
            });
            assert!(t.await.unwrap_err().is_panic());
            assert_eq!(*m.lock().await, 0);
        })
        .unwrap();
}

async fn lock_both(first: Rc<Mutex<()>>, second: Rc<Mutex<()>>) {
    let _a = first.lock().await;
    let _b = second.lock().await;
}

/// Two tasks lock two named mutexes in opposite order. Fifo never preempts, so it passes; some
/// seed switches between the two `lock()`s and deadlocks, and the report names both mutexes
/// and the line of each blocked `lock()`.
#[test]
fn opposite_lock_order_deadlocks_under_some_seed_and_names_both_mutexes() {
    let program = || async {
        let a = Rc::new(Mutex::named("accounts", ()));
        let b = Rc::new(Mutex::named("ledger", ()));
        let t1 = sim::spawn_named("transfer", lock_both(a.clone(), b.clone()));
        let t2 = sim::spawn_named("audit", lock_both(b, a));
        t1.await.unwrap();
        t2.await.unwrap();
    };
    fifo().run(program()).unwrap();
    // The line of the `second.lock()` in lock_both.
    let line = 1 + include_str!("sync_mutex.rs")
        .lines()
        .position(|l| l.contains("let _b = second.lock().await;"))
        .unwrap();
    let mut found = None;
    for seed in SEEDS {
        if let Err(e) = random(seed).run(program()) {
            found = Some((seed, e));
            break;
        }
    }
    let (seed, e) = found.expect("no seed in 0..64 deadlocked");
    assert!(e.is_deadlock(), "seed {seed}: {e}");
    let report = e.to_string();
    let site = format!("at tests/tests/sync/sync_mutex.rs:{line}");
    assert!(
        report.contains(&format!("waits on Mutex::lock on `accounts` {site}")),
        "{report}"
    );
    assert!(
        report.contains(&format!("waits on Mutex::lock on `ledger` {site}")),
        "{report}"
    );
    let blocked: Vec<String> = e.blocked().iter().map(|b| b.task.to_string()).collect();
    assert!(blocked.contains(&"transfer#1".to_string()), "{blocked:?}");
    assert!(blocked.contains(&"audit#2".to_string()), "{blocked:?}");
}
