//! Task lifecycle, counted exactly: every test wraps a task's future in
//! [`seedloop_tests::Counters`] and checks `(polls, drops, wakes)` under Fifo and every seed of
//! the sweep (the counts are order-free).

use seedloop_tests::{Counters, Guard, Log, SWEEP, at, fifo, random, secs};
use sim::Sim;
use sim::time::sleep;

fn every_strategy(test: impl Fn(Sim)) {
    test(fifo());
    for seed in SWEEP {
        test(random(seed));
    }
}

#[test]
fn abort_before_the_first_poll_drops_the_future_unpolled() {
    every_strategy(|mut sim| {
        let c = Counters::new();
        let log = Log::new();
        let guard = Guard::new(&log, "future dropped");
        let body_log = log.clone();
        let fut = c.wrap(async move {
            let _guard = guard;
            body_log.push("body ran");
        });
        let err = sim
            .run(async move {
                let h = sim::spawn(fut);
                h.abort();
                h.await.unwrap_err()
            })
            .unwrap();
        assert!(err.is_cancelled());
        assert_eq!(c.all(), (0, 1, 0), "(polls, drops, wakes)");
        assert_eq!(log.lines(), ["future dropped@0s"]);
    });
}

#[test]
fn abort_while_sleeping_drops_at_the_abort_instant() {
    every_strategy(|mut sim| {
        let c = Counters::new();
        let log = Log::new();
        let guard = Guard::new(&log, "future dropped");
        let fut = c.wrap(async move {
            let _guard = guard;
            sleep(secs(3600)).await;
        });
        let err = sim
            .run(async move {
                let h = sim::spawn(fut);
                sleep(secs(1)).await;
                h.abort();
                h.await.unwrap_err()
            })
            .unwrap();
        assert!(err.is_cancelled());
        assert_eq!(c.all(), (1, 1, 0), "(polls, drops, wakes)");
        assert_eq!(log.lines(), ["future dropped@1s"]);
        assert_eq!(
            sim.trace().stats().end_time,
            at(secs(1)),
            "the run did not advance to the sleep's deadline"
        );
    });
}

#[test]
fn abort_after_completion_still_returns_the_value() {
    every_strategy(|mut sim| {
        let c = Counters::new();
        let fut = c.wrap(async {
            sleep(secs(1)).await;
            5
        });
        let v = sim
            .run(async move {
                let h = sim::spawn(fut);
                sleep(secs(2)).await;
                assert!(h.is_finished());
                h.abort();
                h.await
            })
            .unwrap();
        assert_eq!(v.unwrap(), 5);
        assert_eq!(c.all(), (2, 1, 1), "(polls, drops, wakes)");
    });
}

#[test]
fn a_detached_task_runs_to_completion() {
    every_strategy(|mut sim| {
        let c = Counters::new();
        let log = Log::new();
        let l = log.clone();
        let fut = c.wrap(async move {
            sleep(secs(1)).await;
            l.push("detached task done");
        });
        sim.run(async move {
            drop(sim::spawn(fut));
            sleep(secs(2)).await;
        })
        .unwrap();
        assert_eq!(c.all(), (2, 1, 1), "(polls, drops, wakes)");
        assert_eq!(log.lines(), ["detached task done@1s"]);
    });
}

#[test]
fn each_yield_is_one_wake_and_one_more_poll() {
    every_strategy(|mut sim| {
        let task = Counters::new();
        let join = Counters::new();
        let fut = task.wrap(async {
            for _ in 0..3 {
                sim::task::yield_now().await;
            }
        });
        let j = join.clone();
        sim.run(async move {
            let h = sim::spawn(fut);
            // Main's first poll of the handle is Pending: the task has not started yet.
            j.wrap(h).await.unwrap();
        })
        .unwrap();
        assert_eq!(task.all(), (4, 1, 3), "(polls, drops, wakes) of the task");
        assert_eq!(join.all(), (2, 1, 1), "(polls, drops, wakes) of the join");
    });
}

#[test]
fn a_task_dropped_at_shutdown_is_dropped_exactly_once() {
    every_strategy(|mut sim| {
        let c = Counters::new();
        let fut = c.wrap(sim::task::yield_now());
        let forever = Counters::new();
        let stuck = forever.wrap(std::future::pending::<()>());
        sim.run(async move {
            sim::spawn(fut);
            sim::spawn(stuck);
            sim::task::yield_now().await;
            sim::task::yield_now().await;
            sim::task::yield_now().await;
        })
        .unwrap();
        assert_eq!(c.drops(), 1);
        assert_eq!(forever.drops(), 1);
        assert!(forever.polls() <= 1);
        assert_eq!(forever.wakes(), 0);
    });
}

/// Spawns a task from `Drop` (as cleanup code might).
struct SpawnOnDrop(Log);

impl Drop for SpawnOnDrop {
    fn drop(&mut self) {
        let log = self.0.clone();
        log.push("spawning from Drop");
        let guard = Guard::new(&log, "spawned-from-Drop task dropped");
        let l = log.clone();
        sim::spawn(async move {
            let _guard = guard;
            l.push("spawned-from-Drop task ran");
        });
    }
}

#[test]
fn a_task_spawned_by_a_drop_at_shutdown_is_dropped_too() {
    every_strategy(|mut sim| {
        let log = Log::new();
        let on_drop = SpawnOnDrop(log.clone());
        sim.run(async move {
            sim::spawn(async move {
                let _on_drop = on_drop;
                sleep(secs(5)).await;
            });
            sim::task::yield_now().await;
        })
        .unwrap();
        assert_eq!(
            log.lines(),
            ["spawning from Drop@0s", "spawned-from-Drop task dropped@0s"]
        );
        assert_eq!(sim.trace().stats().tasks, 3);
    });
}
