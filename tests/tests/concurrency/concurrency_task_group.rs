//! SEMANTICS F (cases 30–32): TaskGroup.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::concurrency_common::*;
use sim::Sim;
use sim::concurrency::{FailureKind, SpawnError, TaskGroup};
use sim::time::{elapsed, sleep};

async fn case30() -> (Vec<u32>, Duration) {
    let group: TaskGroup<u32> = TaskGroup::new();
    group
        .spawn(async {
            sleep(ms(100)).await;
            Ok(42)
        })
        .unwrap();
    group
        .spawn(async {
            sleep(ms(200)).await;
            Ok(11)
        })
        .unwrap();
    let out = group.join().await.unwrap();
    (out, elapsed())
}

#[test]
fn case30_group_returns_all_results_when_all_succeed() {
    assert_eq!(fifo().run(case30()).unwrap(), (vec![42, 11], ms(200)));
    for seed in SEEDS {
        assert_eq!(
            Sim::new(seed).run(case30()).unwrap(),
            (vec![42, 11], ms(200)),
            "seed {seed}"
        );
    }
}

/// A child fails at t=0.1 (by `Err` or by panic): its siblings sleeping 1 s are aborted at 0.1
/// and the group returns that failure at 0.1.
async fn case31(fates: Fates, by_panic: bool) -> (String, Duration) {
    let group: TaskGroup<&'static str, String> = TaskGroup::new();
    for name in ["S1", "S2"] {
        let work = named(name, secs(1), &fates);
        group.spawn(async move { Ok(work.await) }).unwrap();
    }
    group
        .spawn(async move {
            sleep(ms(100)).await;
            if by_panic {
                panic!("F panicked");
            }
            Err("F failed".to_string())
        })
        .unwrap();
    let err = group.join().await.unwrap_err();
    assert_eq!(err.failures().len(), 1);
    let first = err.first();
    assert_eq!((first.index, first.task.as_u64()), (2, 3));
    let what = match &first.kind {
        FailureKind::Error(e) => format!("error {e}"),
        FailureKind::Panic(p) => format!("panic {}", p.panic_message().unwrap()),
    };
    (what, elapsed())
}

#[test]
fn case31_first_failure_aborts_siblings_at_that_instant() {
    for (by_panic, what) in [(false, "error F failed"), (true, "panic F panicked")] {
        let mut sim = fifo();
        let fates = Fates::default();
        let out = sim.run(case31(fates.clone(), by_panic)).unwrap();
        assert_eq!(out, (what.to_string(), ms(100)));
        assert_eq!(
            logs(&sim),
            [
                "0s S1 started",
                "0s S2 started",
                "0.1s S1 dropped",
                "0.1s S2 dropped"
            ]
        );
        assert_eq!(fates.get(), [Fate::Cancelled, Fate::Cancelled]);
        for seed in SEEDS {
            let mut sim = Sim::new(seed);
            let fates = Fates::default();
            let out = sim.run(case31(fates.clone(), by_panic)).unwrap();
            assert_eq!(out, (what.to_string(), ms(100)), "seed {seed}");
            assert_eq!(
                fates.get(),
                [Fate::Cancelled, Fate::Cancelled],
                "seed {seed}"
            );
            let dropped: Vec<_> = sorted_logs(&sim)
                .into_iter()
                .filter(|l| l.contains("dropped"))
                .collect();
            assert_eq!(
                dropped,
                ["0.1s S1 dropped", "0.1s S2 dropped"],
                "seed {seed}"
            );
        }
    }
}

#[test]
fn case31_group_error_displays_the_failure() {
    let shown = fifo()
        .run(async {
            let group: TaskGroup<(), String> = TaskGroup::new();
            group.spawn(async { Err("disk full".to_string()) }).unwrap();
            group.spawn(async { panic!("oops") }).unwrap();
            group.join().await.unwrap_err().to_string()
        })
        .unwrap();
    // The error comes first (it ran first); the panicking sibling was aborted before it ran.
    assert_eq!(
        shown,
        "task group failed: task#1 returned an error: disk full"
    );
}

async fn case32() -> (
    Result<sim::task::TaskId, SpawnError>,
    Result<sim::task::TaskId, SpawnError>,
) {
    let group: TaskGroup<u8, &str> = TaskGroup::new();
    let handle = group.handle();
    group
        .spawn(async {
            sleep(ms(100)).await;
            Err("boom")
        })
        .unwrap();
    sleep(ms(200)).await;
    assert!(group.is_shutting_down());
    let while_shutting_down = group.spawn(async { Ok(1) });
    assert!(group.join().await.is_err());
    let after_finish = handle.spawn(async { Ok(2) });
    (while_shutting_down, after_finish)
}

#[test]
fn case32_spawning_into_a_shutting_down_or_finished_group_says_which() {
    for mut sim in [fifo(), Sim::new(1), Sim::new(2)] {
        let (a, b) = sim.run(case32()).unwrap();
        assert_eq!(a, Err(SpawnError::ShuttingDown));
        assert_eq!(b, Err(SpawnError::Finished));
        assert!(a.unwrap_err().to_string().contains("shutting down"));
        assert!(b.unwrap_err().to_string().contains("finished"));
    }
    // A successful group is finished too.
    fifo()
        .run(async {
            let group: TaskGroup<u8> = TaskGroup::new();
            let h = group.handle();
            assert_eq!(group.join().await.unwrap(), Vec::<u8>::new());
            assert_eq!(h.spawn(async { Ok(1) }), Err(SpawnError::Finished));
        })
        .unwrap();
}

#[test]
fn children_spawned_by_children_join_the_group_in_spawn_order() {
    for mut sim in [fifo(), Sim::new(5), Sim::new(6)] {
        let out = sim
            .run(async {
                let group: TaskGroup<u32> = TaskGroup::new();
                let h = group.handle();
                group
                    .spawn(async move {
                        sleep(ms(10)).await;
                        h.spawn(async {
                            sleep(ms(10)).await;
                            Ok(2)
                        })
                        .unwrap();
                        Ok(1)
                    })
                    .unwrap();
                (group.join().await.unwrap(), elapsed())
            })
            .unwrap();
        assert_eq!(out, (vec![1, 2], ms(20)));
    }
}

#[test]
fn dropping_the_group_aborts_its_children() {
    let mut sim = fifo();
    let fates = Fates::default();
    let f = fates.clone();
    sim.run(async move {
        let group: TaskGroup<&str> = TaskGroup::new();
        let work = named("K", secs(5), &f);
        group.spawn(async move { Ok(work.await) }).unwrap();
        sleep(secs(1)).await;
        drop(group);
        sleep(secs(10)).await;
    })
    .unwrap();
    assert_eq!(logs(&sim), ["0s K started", "1s K dropped"]);
    assert_eq!(fates.get(), [Fate::Cancelled]);
}

#[test]
fn a_blocked_join_names_itself_in_a_deadlock_report() {
    let err = fifo()
        .run(async {
            let group: TaskGroup<()> = TaskGroup::new();
            group.spawn(std::future::pending()).unwrap();
            group.join().await.unwrap();
        })
        .unwrap_err();
    assert!(err.is_deadlock());
    assert!(
        err.blocked()[0].waits.iter().any(|w| w
            .starts_with("TaskGroup::join at tests/tests/concurrency/concurrency_task_group.rs:")),
        "{err}"
    );
}

/// The task awaiting `join` is aborted at every 5 ms from 0 to 70 ms (children finish at
/// 10..60 ms): every child either finished or was dropped at the abort instant; none leaks.
#[test]
fn aborting_the_joiner_at_every_point_leaks_nothing() {
    for seed in 0..16 {
        for abort_at in (0..=70).step_by(5) {
            for mut sim in [fifo(), Sim::new(seed)] {
                let fates = Fates::default();
                let f = fates.clone();
                sim.run(async move {
                    let group: TaskGroup<&str> = TaskGroup::new();
                    for i in 1..=6u64 {
                        let work = named("kid", ms(10 * i), &f);
                        group.spawn(async move { Ok(work.await) }).unwrap();
                    }
                    let joiner = sim::spawn(group.join());
                    sleep(ms(abort_at)).await;
                    joiner.abort();
                    let joined = joiner.await;
                    sim::task::yield_now().await;
                    sleep(ms(1)).await;
                    joined.is_ok()
                })
                .unwrap();
                let got = fates.get();
                assert!(
                    !got.contains(&Fate::Running),
                    "seed {seed} abort {abort_at}: {got:?}"
                );
                for (i, fate) in got.iter().enumerate() {
                    let done_at = 10 * (i as u64 + 1);
                    if done_at < abort_at {
                        assert_eq!(*fate, Fate::Completed, "seed {seed} abort {abort_at}");
                    }
                    if done_at > abort_at {
                        assert_eq!(*fate, Fate::Cancelled, "seed {seed} abort {abort_at}");
                    }
                }
                let at = format!("{}", sim::time::Instant::from_nanos(abort_at * 1_000_000));
                for line in logs(&sim).iter().filter(|l| l.contains("dropped")) {
                    assert!(
                        line.starts_with(&at),
                        "dropped later than the abort: {line}"
                    );
                }
            }
        }
    }
}

/// A child fails at every 5 ms point while its siblings finish at 10..60 ms: siblings that had
/// not finished are dropped at the failure instant, and the group reports exactly that failure.
#[test]
fn a_failure_at_every_point_cancels_exactly_the_unfinished() {
    for seed in 0..16 {
        for fail_at in (0..=70).step_by(5) {
            for mut sim in [fifo(), Sim::new(seed)] {
                let fates = Fates::default();
                let f = fates.clone();
                let (failure_time, first_index) = sim
                    .run(async move {
                        let group: TaskGroup<&str, u64> = TaskGroup::new();
                        for i in 1..=6u64 {
                            let work = named("kid", ms(10 * i), &f);
                            group.spawn(async move { Ok(work.await) }).unwrap();
                        }
                        group
                            .spawn(async move {
                                sleep(ms(fail_at)).await;
                                Err(fail_at)
                            })
                            .unwrap();
                        let err = group.join().await.unwrap_err();
                        (elapsed(), err.first().index)
                    })
                    .unwrap();
                assert_eq!((failure_time, first_index), (ms(fail_at), 6));
                let got = fates.get();
                assert!(!got.contains(&Fate::Running));
                for (i, fate) in got.iter().enumerate() {
                    let done_at = 10 * (i as u64 + 1);
                    if done_at < fail_at {
                        assert_eq!(*fate, Fate::Completed, "seed {seed} fail {fail_at}");
                    }
                    if done_at > fail_at {
                        assert_eq!(*fate, Fate::Cancelled, "seed {seed} fail {fail_at}");
                    }
                }
            }
        }
    }
}

/// A program mixing every combinator: the same seed gives a byte-identical trace, and different
/// seeds explore different interleavings.
async fn mixed() -> Vec<u64> {
    let group: TaskGroup<u64> = TaskGroup::new();
    for i in 0..4u64 {
        group
            .spawn(async move {
                let parts = sim::gather((0..3u64).map(|j| async move {
                    sim::task::yield_now().await;
                    sleep(ms(10 * ((i + j) % 3))).await;
                    i * 10 + j
                }))
                .await;
                Ok(parts.iter().sum())
            })
            .unwrap();
    }
    let handles: Vec<_> = (0..3u64)
        .map(|i| {
            sim::spawn(async move {
                sleep(ms(5 * (3 - i))).await;
                i
            })
        })
        .collect();
    let mut out = group.join().await.unwrap();
    let mut stream = sim::concurrency::as_completed(handles);
    while let Some(c) = stream.next().await {
        out.push(c.result.unwrap());
    }
    out
}

#[test]
fn same_seed_same_trace_different_seeds_different_interleavings() {
    let mut digests = BTreeSet::new();
    for seed in 0..10 {
        let mut a = Sim::new(seed);
        let mut b = Sim::new(seed);
        let ra = a.run(mixed()).unwrap();
        let rb = b.run(mixed()).unwrap();
        assert_eq!(ra, rb);
        // The plain tasks all finished before `as_completed` was polled: argument order.
        assert_eq!(ra, [3, 33, 63, 93, 0, 1, 2], "seed {seed}");
        assert_eq!(a.trace().digest(), b.trace().digest(), "seed {seed}");
        assert_eq!(a.trace().to_string(), b.trace().to_string(), "seed {seed}");
        digests.insert(a.trace().digest());
    }
    assert!(digests.len() >= 9, "only {} distinct traces", digests.len());
}

#[test]
#[should_panic(expected = "outside a simulation")]
fn spawning_into_a_group_outside_a_simulation_panics_clearly() {
    let group: TaskGroup<()> = TaskGroup::new();
    let _ = group.spawn(async { Ok(()) });
}
