//! `sim::sync::RwLock`: shared readers, exclusive writers, FIFO fairness, aborts at every point.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use crate::sync_common::*;
use sim::sync::RwLock;

/// R1 reads from t=0 to t=1; W asks to write at t=0.5, R2 to read at t=0.6: R2 must wait behind
/// W (a waiting writer blocks later readers), so W writes at 1 and R2 reads at 2.
fn fairness(mut sim: sim::Sim) -> Vec<(u128, String)> {
    let log = Log::default();
    let l = log.clone();
    sim.run(async move {
        let lock = Rc::new(RwLock::named("table", 0));
        let spawn_at = |name: &'static str, at: u64, write: bool| {
            let (lock, l) = (lock.clone(), l.clone());
            sim::spawn(async move {
                sim::time::sleep(ms(at)).await;
                if write {
                    let mut g = lock.write().await;
                    l.push(name);
                    sim::time::sleep(ms(1000)).await;
                    *g += 1;
                } else {
                    let g = lock.read().await;
                    l.push(format!("{name} sees {}", *g));
                    sim::time::sleep(ms(1000)).await;
                }
            })
        };
        let tasks = [
            spawn_at("R1", 0, false),
            spawn_at("W", 500, true),
            spawn_at("R2", 600, false),
        ];
        sim::time::sleep(ms(700)).await;
        assert!(
            lock.try_read().is_none(),
            "a reader barged past a waiting writer"
        );
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*lock.read().await, 1);
    })
    .unwrap();
    log.lines()
}

#[test]
fn a_waiting_writer_blocks_later_readers_under_fifo_and_every_seed() {
    let expected: Vec<(u128, String)> = vec![
        (0, "R1 sees 0".into()),
        (1000, "W".into()),
        (2000, "R2 sees 1".into()),
    ];
    assert_eq!(fairness(fifo()), expected);
    for seed in SEEDS {
        assert_eq!(fairness(random(seed)), expected, "seed {seed}");
    }
}

#[test]
fn readers_queued_together_enter_together() {
    for (name, mut sim) in all_sims() {
        let log = Log::default();
        let l = log.clone();
        sim.run(async move {
            let lock = Rc::new(RwLock::new(()));
            let w = lock.write().await;
            let readers: Vec<_> = (0..3)
                .map(|i| {
                    let (lock, l) = (lock.clone(), l.clone());
                    sim::spawn(async move {
                        let _g = lock.read().await;
                        l.push(format!("r{i}"));
                        sim::time::sleep(ms(1)).await;
                    })
                })
                .collect();
            sim::time::sleep(ms(1)).await;
            drop(w);
            for r in readers {
                r.await.unwrap();
            }
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(log.lines().iter().all(|(t, _)| *t == 1), "{name}");
    }
}

/// Two writers and three readers loop; one is aborted at `at`. Never a writer with anybody
/// else inside; the run finishes; the lock is free afterwards.
fn contend(mut sim: sim::Sim, at: AbortAt, victim: usize, hold: Option<Duration>) {
    let res = sim.run(async move {
        let lock = Rc::new(RwLock::named("rw", ()));
        let readers = Occupancy::default();
        let writers = Occupancy::default();
        let bad = Rc::new(Cell::new(false));
        let tasks: Vec<_> = (0..5)
            .map(|i| {
                let (lock, readers, writers, bad) =
                    (lock.clone(), readers.clone(), writers.clone(), bad.clone());
                sim::spawn(async move {
                    for _ in 0..3 {
                        let (_g, _in) = if i < 2 {
                            let g = lock.write().await;
                            let inside = writers.enter(1);
                            if writers.now() > 1 || readers.now() > 0 {
                                bad.set(true);
                            }
                            (Err(g), inside)
                        } else {
                            let g = lock.read().await;
                            let inside = readers.enter(1);
                            if writers.now() > 0 {
                                bad.set(true);
                            }
                            (Ok(g), inside)
                        };
                        match hold {
                            Some(d) => sim::time::sleep(d).await,
                            None => sim::task::yield_now().await,
                        }
                    }
                })
            })
            .collect();
        abort_at(at, &tasks[victim]).await;
        for (i, t) in tasks.into_iter().enumerate() {
            if let Err(e) = t.await {
                assert!(i == victim && e.is_cancelled(), "{e}");
            }
        }
        assert!(!bad.get(), "a writer shared the lock");
        assert_eq!(writers.peak(), 1);
        assert!(lock.try_write().is_some(), "the lock leaked");
    });
    if let Err(e) = res {
        panic!("abort at {at:?} of task {victim}: {e}");
    }
}

#[test]
fn abort_a_reader_or_writer_at_every_point() {
    for (i, at) in abort_points(30, 12).into_iter().enumerate() {
        contend(fifo(), at, i % 5, Some(ms(1)));
        contend(fifo(), at, i % 5, None);
        for seed in SEEDS.step_by(8) {
            contend(
                random(seed + i as u64),
                at,
                (i + seed as usize) % 5,
                Some(ms(1)),
            );
        }
    }
}
