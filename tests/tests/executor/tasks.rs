//! SEMANTICS §A, tasks and run (cases 1–7): each exactly under Fifo, and its order-free part
//! under every seed of the Random sweep.

use seedloop_tests::{Counters, Guard, Log, SWEEP, at, fifo, ms, random, secs};
use sim::Sim;
use sim::task::TaskId;
use sim::task::yield_now;
use sim::time::{Instant, sleep};
use sim::trace::EventKind;

/// Main spawns a worker and returns a value built from it.
async fn main_with_worker() -> (u32, &'static str) {
    let worker = sim::spawn(async {
        sleep(secs(1)).await;
        40
    });
    (worker.await.unwrap() + 2, "done")
}

#[test]
fn case_01_run_returns_main_output() {
    let mut sim = fifo();
    assert_eq!(sim.run(main_with_worker()).unwrap(), (42, "done"));
    assert_eq!(sim.trace().stats().end_time, at(secs(1)));
    for seed in SWEEP {
        let mut sim = random(seed);
        assert_eq!(
            sim.run(main_with_worker()).unwrap(),
            (42, "done"),
            "seed {seed}"
        );
        assert_eq!(sim.trace().stats().end_time, at(secs(1)), "seed {seed}");
    }
}

fn main_panic(mut sim: Sim) {
    let res: Result<(), _> = sim.run(async {
        let _worker = sim::spawn(async { sleep(secs(5)).await });
        sleep(secs(1)).await;
        if sim::time::now() > Instant::ZERO {
            panic!("main exploded: {}", 7);
        }
    });
    let err = res.unwrap_err();
    assert!(err.is_main_panic(), "{err}");
    assert!(err.is_panic());
    assert_eq!(err.panic_message(), Some("main exploded: 7"));
    assert!(err.to_string().contains("main exploded: 7"), "{err}");
    assert!(err.to_string().contains("main panicked"), "{err}");
    assert_eq!(err.time(), at(secs(1)));
    assert_eq!(err.task().map(|t| t.id), Some(TaskId::MAIN));
    assert!(
        err.panic_location().unwrap().contains("tasks.rs"),
        "{:?}",
        err.panic_location()
    );
}

#[test]
fn case_01_main_panic_is_an_error_holding_its_message() {
    main_panic(fifo());
    for seed in SWEEP {
        main_panic(random(seed));
    }
}

fn nested_run(mut sim: Sim) {
    let log = Log::new();
    let l = log.clone();
    let err = sim
        .run(async move {
            let guard = Guard::new(&l, "inner future dropped");
            let inner_log = l.clone();
            let err = Sim::new(1)
                .run(async move {
                    let _guard = guard;
                    inner_log.push("inner ran");
                    sim::spawn(async {}).await.unwrap();
                })
                .unwrap_err();
            l.push("main after nested run");
            err
        })
        .unwrap();
    assert!(err.is_nested_run(), "{err}");
    assert!(
        err.to_string().contains("inside a running simulation"),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was run"), "{err}");
    // The inner future was dropped unpolled, at once: main never suspended.
    assert_eq!(
        log.lines(),
        ["inner future dropped@0s", "main after nested run@0s"]
    );
    assert_eq!(sim.trace().stats().steps, 1);
    assert_eq!(sim.trace().stats().tasks, 1);
}

#[test]
fn case_02_nested_run_fails_at_once_and_runs_nothing() {
    nested_run(fifo());
    for seed in SWEEP {
        nested_run(random(seed));
    }
}

/// Main spawns A, B, C (each holding a logging guard, sleeping 0.1 s), yields once, returns 123.
fn leftovers(sim: &mut Sim) -> Log {
    let log = Log::new();
    let l = log.clone();
    let out = sim
        .run(async move {
            for name in ["A", "B", "C"] {
                let guard = Guard::new(&l, format!("{name} dropped"));
                let l = l.clone();
                sim::spawn_named(name, async move {
                    let _guard = guard;
                    l.push(format!("{name} sleeping"));
                    sleep(ms(100)).await;
                    l.push(format!("{name} woke"));
                });
            }
            yield_now().await;
            123
        })
        .unwrap();
    assert_eq!(out, 123);
    let trace = sim.trace();
    assert_eq!(
        trace.stats().end_time,
        Instant::ZERO,
        "the clock did not move"
    );
    let leftover: Vec<TaskId> = trace
        .events()
        .iter()
        .filter(|e| e.kind == EventKind::Leftover)
        .filter_map(|e| e.task)
        .collect();
    assert_eq!(
        leftover,
        [1, 2, 3].map(TaskId::from_u64),
        "listed in task order"
    );
    let dropped: Vec<String> = log
        .lines()
        .into_iter()
        .filter(|l| l.contains("dropped"))
        .collect();
    assert_eq!(dropped, ["A dropped@0s", "B dropped@0s", "C dropped@0s"]);
    assert!(!log.texts().iter().any(|t| t.contains("woke")));
    log
}

#[test]
fn case_03_leftover_tasks_are_dropped_when_main_returns() {
    let mut sim = fifo();
    let log = leftovers(&mut sim);
    assert_eq!(
        log.texts(),
        [
            "A sleeping",
            "B sleeping",
            "C sleeping",
            "A dropped",
            "B dropped",
            "C dropped"
        ]
    );
    assert_eq!(
        sim.trace().tail(3),
        [
            "t=0s step=5 A#1: dropped unfinished at the end of the run",
            "t=0s step=5 B#2: dropped unfinished at the end of the run",
            "t=0s step=5 C#3: dropped unfinished at the end of the run",
        ],
        "the trace lists the leftovers"
    );
    for seed in SWEEP {
        leftovers(&mut random(seed));
    }
}

/// Main spawns A, B, C, logs, yields once, logs again.
fn lazy_start(mut sim: Sim) -> Vec<String> {
    let log = Log::new();
    let l = log.clone();
    sim.run(async move {
        let handles: Vec<_> = ["A", "B", "C"]
            .into_iter()
            .map(|name| {
                let l = l.clone();
                sim::spawn(async move { l.push(format!("{name} start")) })
            })
            .collect();
        l.push("main after spawn");
        yield_now().await;
        l.push("main resumed");
        for h in handles {
            h.await.unwrap();
        }
    })
    .unwrap();
    assert!(log.lines().iter().all(|l| l.ends_with("@0s")));
    log.texts()
}

#[test]
fn case_04_spawned_tasks_start_lazily_in_fifo_order() {
    assert_eq!(
        lazy_start(fifo()),
        [
            "main after spawn",
            "A start",
            "B start",
            "C start",
            "main resumed"
        ]
    );
    for seed in SWEEP {
        let mut texts = lazy_start(random(seed));
        // Nothing runs before the spawner suspends, whatever the strategy.
        assert_eq!(texts[0], "main after spawn", "seed {seed}");
        texts.sort();
        assert_eq!(
            texts,
            [
                "A start",
                "B start",
                "C start",
                "main after spawn",
                "main resumed"
            ]
        );
    }
}

fn finished_handle(mut sim: Sim) {
    let counters = Counters::new();
    let c = counters.clone();
    let v = sim
        .run(async move {
            let h = sim::spawn(async { 7 });
            while !h.is_finished() {
                yield_now().await;
            }
            c.wrap(h).await.unwrap()
        })
        .unwrap();
    assert_eq!(v, 7);
    assert_eq!(counters.all(), (1, 1, 0), "(polls, drops, wakes): no yield");
}

#[test]
fn case_05_awaiting_a_finished_join_handle_does_not_yield() {
    finished_handle(fifo());
    for seed in SWEEP {
        finished_handle(random(seed));
    }
}

fn ping_pong(mut sim: Sim) -> Log {
    let log = Log::new();
    sim.run({
        let log = log.clone();
        async move {
            let hs: Vec<_> = ["a", "b"]
                .into_iter()
                .map(|name| {
                    let log = log.clone();
                    sim::spawn(async move {
                        for i in 0..3 {
                            log.push(format!("{name}{i}"));
                            yield_now().await;
                        }
                    })
                })
                .collect();
            for h in hs {
                h.await.unwrap();
            }
        }
    })
    .unwrap();
    assert!(log.lines().iter().all(|l| l.ends_with("@0s")));
    log
}

#[test]
fn case_06_yield_now_alternates_two_tasks() {
    assert_eq!(
        ping_pong(fifo()).texts(),
        ["a0", "b0", "a1", "b1", "a2", "b2"]
    );
    for seed in SWEEP {
        let texts = ping_pong(random(seed)).texts();
        for name in ["a", "b"] {
            let own: Vec<&String> = texts.iter().filter(|t| t.starts_with(name)).collect();
            assert_eq!(
                own,
                [0, 1, 2]
                    .map(|i| format!("{name}{i}"))
                    .iter()
                    .collect::<Vec<_>>()
            );
        }
    }
}

async fn say_after(log: Log, delay: u64, what: &'static str) {
    sleep(secs(delay)).await;
    log.push(what);
}

fn say_after_sequential(mut sim: Sim) -> Log {
    let log = Log::new();
    let l = log.clone();
    sim.run(async move {
        say_after(l.clone(), 1, "hello").await;
        say_after(l, 2, "world").await;
    })
    .unwrap();
    assert_eq!(sim.trace().stats().end_time, at(secs(3)));
    log
}

fn say_after_spawned(mut sim: Sim) -> Log {
    let log = Log::new();
    let l = log.clone();
    sim.run(async move {
        let t1 = sim::spawn(say_after(l.clone(), 1, "hello"));
        let t2 = sim::spawn(say_after(l, 2, "world"));
        t1.await.unwrap();
        t2.await.unwrap();
    })
    .unwrap();
    assert_eq!(sim.trace().stats().end_time, at(secs(2)));
    log
}

#[test]
fn case_07_say_after_sequential_then_concurrent() {
    assert_eq!(
        say_after_sequential(fifo()).lines(),
        ["hello@1s", "world@3s"]
    );
    assert_eq!(say_after_spawned(fifo()).lines(), ["hello@1s", "world@2s"]);
    for seed in SWEEP {
        assert_eq!(
            say_after_sequential(random(seed)).lines(),
            ["hello@1s", "world@3s"]
        );
        assert_eq!(
            say_after_spawned(random(seed)).lines(),
            ["hello@1s", "world@2s"]
        );
    }
}
