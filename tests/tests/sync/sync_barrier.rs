//! `sim::sync::Barrier`: SEMANTICS case 37, aborts at every point.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use crate::sync_common::*;
use sim::sync::Barrier;

/// Case 37 (`BarrierTests`): Barrier(3), arrivals at t=1,2,3: all pass at t=3; arrival indices
/// follow arrival order, the last arrival leads; the barrier is reusable (t=4,5,6 → 6).
fn case_37(mut sim: sim::Sim) -> Vec<(u64, &'static str, usize, bool)> {
    sim.run(async {
        let b = Rc::new(Barrier::named("sync", 3));
        let out = Rc::new(RefCell::new(Vec::new()));
        let tasks: Vec<_> = [("a", 1), ("b", 2), ("c", 3)]
            .into_iter()
            .map(|(name, delay)| {
                let (b, out) = (b.clone(), out.clone());
                sim::spawn(async move {
                    for _ in 0..2 {
                        sim::time::sleep(Duration::from_secs(delay)).await;
                        let r = b.wait().await;
                        let t = sim::time::elapsed().as_secs();
                        out.borrow_mut().push((t, name, r.index(), r.is_leader()));
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(b.generation(), 2);
        assert_eq!(b.waiting(), 0);
        out.borrow().clone()
    })
    .unwrap()
}

#[test]
fn case_37_exact_under_fifo_and_every_seed() {
    let round = |t| [(t, "c", 2, true), (t, "a", 0, false), (t, "b", 1, false)];
    let expected: Vec<_> = round(3).into_iter().chain(round(6)).collect();
    assert_eq!(case_37(fifo()), expected);
    for seed in SEEDS {
        let mut got = case_37(random(seed));
        got.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(got, want, "seed {seed}");
    }
}

/// Four tasks pass a Barrier(3) three times each (arriving 1–4 ms apart); one is aborted at
/// `at`. Each generation releases three tasks with one leader and distinct indices, except the
/// one the victim was released in and never saw.
fn contend(mut sim: sim::Sim, at: AbortAt, victim: usize) {
    let res = sim.run(async move {
        let b = Rc::new(Barrier::new(3));
        let passes = Rc::new(RefCell::new(Vec::new()));
        let in_wait = Occupancy::default();
        let tasks: Vec<_> = (0..4u64)
            .map(|i| {
                let (b, passes, in_wait) = (b.clone(), passes.clone(), in_wait.clone());
                sim::spawn(async move {
                    for _ in 0..3 {
                        sim::time::sleep(ms(i + 1)).await;
                        let inside = in_wait.enter(1);
                        let r = b.wait().await;
                        drop(inside);
                        passes
                            .borrow_mut()
                            .push((i as usize, r.index(), r.is_leader()));
                    }
                })
            })
            .collect();
        abort_at(at, &tasks[victim]).await;
        sim::time::sleep(ms(100)).await;
        let passes = passes.borrow();
        let generations = b.generation() as usize;
        let leaders = passes.iter().filter(|(_, _, l)| *l).count();
        assert_eq!(leaders, generations);
        assert!(passes.iter().all(|(_, i, l)| *i < 3 && (*l == (*i == 2))));
        // Exactly the live tasks inside `wait()` are waiting: an aborted waiter left no stale
        // place behind.
        assert_eq!(b.waiting(), in_wait.now(), "{passes:?}");
        assert!(
            passes.len() == 3 * generations || passes.len() + 1 == 3 * generations,
            "{} passes in {generations} generations",
            passes.len()
        );
        assert!(b.waiting() < 3, "a full generation is stuck");
        // 4 tasks × 3 arrivals, minus the victim's missing ones, minus those still waiting.
        assert!(3 * generations + b.waiting() <= 12);
        assert!(3 * generations + b.waiting() >= 9);
    });
    if let Err(e) = res {
        panic!("abort at {at:?} of task {victim}: {e}");
    }
}

#[test]
fn abort_a_waiter_at_every_point() {
    for (i, at) in abort_points(12, 16).into_iter().enumerate() {
        contend(fifo(), at, i % 4);
        for seed in SEEDS.step_by(8) {
            contend(random(seed + i as u64), at, i % 4);
        }
    }
}

#[test]
fn a_waiter_that_leaves_is_replaced_by_the_next_arrival() {
    fifo()
        .run(async {
            let b = Rc::new(Barrier::new(2));
            let b2 = b.clone();
            let leaver = sim::spawn(async move { b2.wait().await });
            sim::time::sleep(ms(1)).await;
            assert_eq!(b.waiting(), 1);
            leaver.abort();
            sim::time::sleep(ms(1)).await;
            assert_eq!(b.waiting(), 0);
            let b3 = b.clone();
            let first = sim::spawn(async move { b3.wait().await });
            sim::task::yield_now().await; // `first` arrives
            let me = b.wait().await;
            assert!(me.is_leader());
            assert_eq!(first.await.unwrap().index(), 0);
        })
        .unwrap();
}
