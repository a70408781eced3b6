//! `sim::sync::Semaphore`: SEMANTICS cases 19 and 36, FIFO for large requests, aborts at every
//! point.

use std::rc::Rc;
use std::time::Duration;

use crate::sync_common::*;
use sim::sync::Semaphore;

/// Case 36 (`test_acquire_fifo_order`): Semaphore(1), three tasks acquire, hold 10 ms, release,
/// twice each.
fn case_36(mut sim: sim::Sim) -> Vec<(u128, String)> {
    let log = Log::default();
    let l = log.clone();
    sim.run(async move {
        let sem = Rc::new(Semaphore::new(1));
        let tasks: Vec<_> = ["c1", "c2", "c3"]
            .into_iter()
            .map(|name| {
                let (sem, l) = (sem.clone(), l.clone());
                sim::spawn(async move {
                    for _ in 0..2 {
                        let _p = sem.acquire().await.unwrap();
                        l.push(name);
                        sim::time::sleep(ms(10)).await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(sem.available_permits(), 1);
    })
    .unwrap();
    log.lines()
}

#[test]
fn case_36_fifo_order_exact_under_fifo() {
    let expected: Vec<(u128, String)> = ["c1", "c2", "c3", "c1", "c2", "c3"]
        .iter()
        .enumerate()
        .map(|(i, n)| (10 * i as u128, n.to_string()))
        .collect();
    assert_eq!(case_36(fifo()), expected);
}

#[test]
fn case_36_round_robin_under_every_seed() {
    for seed in SEEDS {
        let lines = case_36(random(seed));
        let times: Vec<u128> = lines.iter().map(|(t, _)| *t).collect();
        assert_eq!(times, [0, 10, 20, 30, 40, 50], "seed {seed}");
        let names: Vec<&str> = lines.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names[..3], names[3..], "seed {seed}: not FIFO");
        let mut first = names[..3].to_vec();
        first.sort();
        assert_eq!(first, ["c1", "c2", "c3"], "seed {seed}");
    }
}

/// Case 19 for Semaphore: an aborted waiter leaves the queue and a hand-off it never used goes
/// to the next waiter.
fn case_19(mut sim: sim::Sim, granted_first: bool) -> Vec<String> {
    let log = Log::default();
    let l = log.clone();
    sim.run(async move {
        let sem = Rc::new(Semaphore::new(1));
        let p = sem.acquire().await.unwrap();
        let spawn_waiter = |name: &'static str| {
            let (sem, l) = (sem.clone(), l.clone());
            sim::spawn(async move {
                let _p = sem.acquire().await.unwrap();
                l.push(name);
            })
        };
        let a = spawn_waiter("A");
        let b = spawn_waiter("B");
        sim::time::sleep(ms(1)).await;
        if granted_first {
            drop(p);
            a.abort();
        } else {
            a.abort();
            sim::time::sleep(ms(1)).await;
            assert_eq!(sem.available_permits(), 0, "the holder keeps its permit");
            drop(p);
        }
        assert!(a.await.unwrap_err().is_cancelled());
        b.await.unwrap();
        assert_eq!(sem.available_permits(), 1, "a permit leaked");
    })
    .unwrap();
    log.texts()
}

#[test]
fn case_19_aborted_waiter_leaves_the_queue() {
    for (name, sim) in all_sims() {
        assert_eq!(case_19(sim, false), ["B"], "{name}");
    }
    for (name, sim) in all_sims() {
        assert_eq!(case_19(sim, true), ["B"], "{name}");
    }
}

#[test]
fn a_large_request_at_the_front_blocks_smaller_ones_until_it_leaves() {
    for (name, mut sim) in all_sims() {
        sim.run(async {
            let sem = Rc::new(Semaphore::named("pool", 2));
            let all = sem.acquire_many(2).await.unwrap();
            let log = Log::default();
            let spawn_waiter = |name: &'static str, n: usize| {
                let (sem, log) = (sem.clone(), log.clone());
                sim::spawn(async move {
                    let _p = sem.acquire_many(n).await.unwrap();
                    log.push(name);
                    sim::time::sleep(ms(1)).await;
                })
            };
            let big = spawn_waiter("big", 2);
            sim::time::sleep(ms(1)).await;
            let small = spawn_waiter("small", 1);
            sim::time::sleep(ms(1)).await;
            all.forget();
            sem.add_permits(1);
            sim::time::sleep(ms(1)).await;
            assert_eq!(log.texts(), Vec::<String>::new(), "small barged past big");
            assert!(sem.try_acquire().is_err(), "no barging past the queue");
            big.abort();
            small.await.unwrap();
            assert_eq!(log.lines(), [(3, "small".to_string())]);
            assert_eq!(sem.available_permits(), 1);
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Four workers take 1 or 2 permits of 3, three times each, while main aborts one of them at
/// `at`: never more than 3 permits out, the run finishes, all permits come back.
fn contend(mut sim: sim::Sim, at: AbortAt, victim: usize, hold: Option<Duration>) {
    let res = sim.run(async move {
        let sem = Rc::new(Semaphore::named("slots", 3));
        let inside = Occupancy::default();
        let workers: Vec<_> = (0..4)
            .map(|i| {
                let (sem, inside) = (sem.clone(), inside.clone());
                sim::spawn(async move {
                    for round in 0..3 {
                        let n = 1 + (i + round) % 2;
                        let p = sem.acquire_many(n).await.unwrap();
                        assert_eq!(p.num_permits(), n);
                        let _in = inside.enter(n);
                        match hold {
                            Some(d) => sim::time::sleep(d).await,
                            None => sim::task::yield_now().await,
                        }
                    }
                })
            })
            .collect();
        abort_at(at, &workers[victim]).await;
        for (i, w) in workers.into_iter().enumerate() {
            if let Err(e) = w.await {
                assert!(i == victim && e.is_cancelled(), "{e}");
            }
        }
        assert_eq!(inside.now(), 0);
        assert!(inside.peak() <= 3, "{} permits out of 3", inside.peak());
        assert_eq!(sem.available_permits(), 3, "permits leaked");
        assert_eq!(sem.waiting(), 0);
        let _all = sem.try_acquire_many(3).expect("usable afterwards");
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
fn try_acquire_says_why_it_failed() {
    let sem = Semaphore::new(1);
    let p = sem.try_acquire().unwrap();
    let err = sem.try_acquire_many(1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot take 1 semaphore permit(s) now: 0 free, 0 task(s) waiting first; use \
         `acquire().await` to wait"
    );
    drop(p);
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn a_blocked_acquire_names_the_semaphore_in_a_deadlock_report() {
    let err = fifo()
        .run(async {
            let sem = Semaphore::named("pool", 1);
            let _p = sem.acquire().await.unwrap();
            let _q = sem.acquire().await.unwrap();
        })
        .unwrap_err();
    assert!(err.is_deadlock());
    assert!(
        err.to_string().contains(
            "waits on Semaphore::acquire on `pool` at tests/tests/sync/sync_semaphore.rs:"
        ),
        "{err}"
    );
}
