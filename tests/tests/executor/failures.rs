//! SEMANTICS §D and case 46, failures: task panics, unobserved panics, panicking `Drop`,
//! deadlocks, limits, leftovers and diverging replays. Each exactly under Fifo, and its
//! order-free part under every seed of the Random sweep.

use std::time::Duration;

use seedloop_tests::{Guard, Log, SWEEP, at, fifo, random, secs};
use sim::schedule::{Decision, Schedule};
use sim::task::{TaskId, yield_now};
use sim::time::{Instant, sleep};
use sim::trace::EventKind;
use sim::{Sim, SimBuilder, Strategy};

fn builders() -> impl Iterator<Item = SimBuilder> {
    std::iter::once(Sim::builder().strategy(Strategy::fifo()))
        .chain(SWEEP.map(|seed| Sim::builder().seed(seed).strategy(Strategy::random())))
}

fn caught_panic(mut sim: Sim) {
    let log = Log::new();
    let l = log.clone();
    let (err, good) = sim
        .run(async move {
            let bad = sim::spawn_named("bad", async {
                sleep(secs(1)).await;
                if sim::time::now() > Instant::ZERO {
                    panic!("boom at t={}", sim::time::now());
                }
            });
            let good = sim::spawn(async {
                sleep(secs(2)).await;
                "good"
            });
            let err = bad.await.unwrap_err();
            l.push("main saw the panic");
            (err, good.await)
        })
        .unwrap();
    assert!(err.is_panic() && !err.is_cancelled(), "{err}");
    assert_eq!(err.panic_message(), Some("boom at t=1s"));
    assert_eq!(err.task_id(), TaskId::from_u64(1));
    assert!(
        err.to_string().starts_with(
            "task bad#1 panicked: 'boom at t=1s' at tests/tests/executor/failures.rs:"
        ),
        "{err}"
    );
    assert_eq!(good.unwrap(), "good", "other tasks continue");
    assert_eq!(log.lines(), ["main saw the panic@1s"]);
    assert_eq!(sim.trace().stats().end_time, at(secs(2)));
}

#[test]
fn case_20_a_task_panic_is_caught_and_reaches_its_joiner() {
    caught_panic(fifo());
    for seed in SWEEP {
        caught_panic(random(seed));
    }
}

async fn lost_panic() -> u32 {
    let lost = sim::spawn_named("lost", async {
        sleep(secs(1)).await;
        if sim::time::now() > Instant::ZERO {
            panic!("nobody listens");
        }
    });
    drop(lost);
    sleep(secs(2)).await;
    sim::log!("main done");
    5
}

#[test]
fn case_21_an_unobserved_panic_fails_the_run_unless_allowed() {
    for b in builders() {
        let mut sim = b.clone().build();
        let err = sim.run(lost_panic()).unwrap_err();
        assert!(err.is_unobserved_panic() && err.is_panic(), "{err}");
        assert!(!err.is_main_panic());
        assert_eq!(err.panic_message(), Some("nobody listens"));
        assert_eq!(
            err.time(),
            at(secs(1)),
            "reported with the time it happened"
        );
        assert_eq!(err.task().map(|t| t.label()), Some("lost#1".to_string()));
        let text = err.to_string();
        assert!(text.contains("task lost#1 panicked at t=1s"), "{text}");
        assert!(text.contains("nobody awaited it"), "{text}");
        assert!(text.contains("fail_on_unobserved_panic(false)"), "{text}");
        // The rest of the run went on: the failure is reported at the end.
        assert_eq!(seedloop_tests::trace_lines(sim.trace()), ["main done@2s"]);

        let mut lenient = b.fail_on_unobserved_panic(false).build();
        assert_eq!(lenient.run(lost_panic()).unwrap(), 5);
    }
}

struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("drop exploded");
    }
}

#[test]
fn a_panicking_drop_during_an_abort_does_not_take_the_executor_down() {
    for b in builders() {
        let mut sim = b.build();
        let log = Log::new();
        let l = log.clone();
        let err = sim
            .run(async move {
                let bomb = sim::spawn_named("bomb", async {
                    let _bomb = PanicOnDrop;
                    sleep(secs(10)).await;
                });
                let worker_log = l.clone();
                let worker = sim::spawn(async move {
                    sleep(secs(2)).await;
                    worker_log.push("worker done");
                    9
                });
                sleep(secs(1)).await;
                bomb.abort();
                assert!(bomb.await.unwrap_err().is_cancelled());
                l.push("main saw the abort");
                worker.await.unwrap()
            })
            .unwrap_err();
        assert!(err.is_unobserved_panic(), "{err}");
        assert_eq!(err.time(), at(secs(1)));
        let text = err.to_string();
        assert!(text.contains("drop exploded"), "{text}");
        assert!(text.contains("in Drop while being cancelled"), "{text}");
        assert!(
            text.contains("help: a Drop implementation panicked"),
            "{text}"
        );
        assert_eq!(log.lines(), ["main saw the abort@1s", "worker done@2s"]);
        let main_completed = sim
            .trace()
            .events()
            .iter()
            .any(|e| e.task == Some(TaskId::MAIN) && e.kind == EventKind::Complete);
        assert!(main_completed, "main ran to completion");
    }
}

#[test]
fn a_panicking_drop_at_shutdown_is_reported() {
    for b in builders() {
        let err = b
            .build()
            .run(async {
                let bomb = PanicOnDrop;
                sim::spawn_named("bomb", async move {
                    let _bomb = bomb;
                    sleep(secs(10)).await;
                });
                yield_now().await;
                1
            })
            .unwrap_err();
        assert!(err.is_unobserved_panic(), "{err}");
        assert!(err.to_string().contains("in Drop at shutdown"), "{err}");
    }
}

/// main awaits `waiter`, which awaits its child `sleeper` (sleeping forever); `stuck` awaits a
/// future no `sim` primitive will ever wake.
async fn deadlocked() {
    let waiter = sim::spawn_named("waiter", async {
        let sleeper = sim::spawn_named("sleeper", async {
            sleep(Duration::MAX).await;
        });
        sleeper.await.unwrap();
    });
    let _stuck = sim::spawn_named("stuck", std::future::pending::<()>());
    waiter.await.unwrap();
}

#[test]
fn case_46_a_deadlock_lists_each_blocked_task_and_what_it_waits_on() {
    for b in builders() {
        let err = b.build().run(deadlocked()).unwrap_err();
        assert!(err.is_deadlock(), "{err}");
        let blocked: Vec<(String, Vec<String>)> = err
            .blocked()
            .iter()
            .map(|b| (b.task.label(), b.waits.clone()))
            .collect();
        assert_eq!(blocked.len(), 4, "{err}");
        assert_eq!(blocked[0].0, "main#0");
        assert_eq!(blocked[0].1, ["JoinHandle of waiter#1"]);
        assert_eq!(blocked[1].0, "waiter#1");
        assert_eq!(blocked[1].1, ["JoinHandle of sleeper#3"]);
        assert_eq!(blocked[2], ("stuck#2".to_string(), vec![]));
        assert_eq!(blocked[3].0, "sleeper#3");
        assert_eq!(blocked[3].1.len(), 1);
        assert!(
            blocked[3].1[0].starts_with("sleep forever at tests/tests/executor/failures.rs:"),
            "{:?}",
            blocked[3].1
        );
        let text = err.to_string();
        assert!(text.starts_with("deadlock at t=0s"), "{text}");
        assert!(
            text.contains(
                "task main#0 (the future given to Sim::run) waits on JoinHandle of waiter#1"
            ),
            "{text}"
        );
        assert!(
            text.contains("task waiter#1 (spawned at tests/tests/executor/failures.rs:"),
            "{text}"
        );
        assert!(
            text.contains("task stuck#2 (spawned at tests/tests/executor/failures.rs:"),
            "{text}"
        );
        assert!(
            text.contains("waits on something outside seedloop"),
            "{text}"
        );
        assert!(
            text.contains("task sleeper#3 (spawned at tests/tests/executor/failures.rs:"),
            "{text}"
        );
        assert!(text.contains("\nhelp: "), "{text}");
    }
}

#[test]
fn case_46_a_step_limit_points_at_a_spin_loop() {
    for b in builders() {
        let err = b
            .max_steps(1000)
            .build()
            .run(async {
                let spinner = sim::spawn_named("spinner", async {
                    loop {
                        yield_now().await;
                    }
                });
                spinner.await.unwrap();
            })
            .unwrap_err();
        assert!(err.is_step_limit(), "{err}");
        assert_eq!(err.step(), 1000);
        assert_eq!(err.time(), Instant::ZERO);
        let text = err.to_string();
        assert!(
            text.contains("step limit reached: 1000 steps (task polls, and awaits"),
            "{text}"
        );
        assert!(text.contains("the last polls ran: spinner#1"), "{text}");
        assert!(
            text.contains("a spin loop? await something that can block"),
            "{text}"
        );
        assert!(
            text.contains("spinner#1 (spawned at tests/tests/executor/failures.rs:")
                && text.contains(
                    "last awaited `sim::task::yield_now` at tests/tests/executor/failures.rs:"
                ),
            "{text}"
        );
        assert!(text.contains("SimBuilder::max_steps"), "{text}");
    }
}

#[test]
fn fail_on_leftover_tasks_turns_leftovers_into_an_error() {
    for b in builders() {
        let program = |log: Log| async move {
            let guard = Guard::new(&log, "leftover dropped");
            sim::spawn(async move {
                let _guard = guard;
                sleep(secs(5)).await;
            });
            yield_now().await;
            1
        };
        let log = Log::new();
        let err = b
            .clone()
            .fail_on_leftover_tasks(true)
            .build()
            .run(program(log.clone()))
            .unwrap_err();
        assert!(err.is_leftover_tasks(), "{err}");
        assert_eq!(err.time(), Instant::ZERO);
        assert!(err.to_string().contains("1 task(s) still running"), "{err}");
        assert_eq!(log.lines(), ["leftover dropped@0s"]);

        let log = Log::new();
        assert_eq!(b.clone().build().run(program(log.clone())).unwrap(), 1);
        assert_eq!(log.lines(), ["leftover dropped@0s"]);

        let joined = b
            .fail_on_leftover_tasks(true)
            .build()
            .run(async { sim::spawn(sleep(secs(1))).await.unwrap() });
        assert!(joined.is_ok(), "no leftovers, no error");
    }
}

#[test]
fn max_time_stops_a_run_before_the_clock_passes_it() {
    for b in builders() {
        let b = b.max_time(secs(10));
        let mut sim = b.clone().build();
        let err = sim
            .run(async {
                sleep(secs(5)).await;
                sleep(secs(20)).await;
            })
            .unwrap_err();
        assert!(err.is_time_limit(), "{err}");
        assert_eq!(
            err.time(),
            at(secs(5)),
            "the clock stopped before passing the limit"
        );
        let text = err.to_string();
        assert!(
            text.contains("the next timer is due at t=25s, past the limit of t=10s"),
            "{text}"
        );
        assert!(text.contains("SimBuilder::max_time"), "{text}");
        // Reaching the limit exactly is allowed.
        assert_eq!(
            b.build()
                .run(async { sleep(secs(10)).await })
                .map(|_| 1)
                .unwrap(),
            1
        );
    }
}

async fn three_workers(n: u64) -> u64 {
    let hs: Vec<_> = (1..=n)
        .map(|i| {
            sim::spawn(async move {
                yield_now().await;
                i
            })
        })
        .collect();
    let mut sum = 0;
    for h in hs {
        sum += h.await.unwrap();
    }
    sum
}

#[test]
fn replaying_a_schedule_against_a_changed_program_diverges() {
    // A run of the three-worker program whose first decision runs worker 3.
    let (seed, schedule) = SWEEP
        .map(|seed| {
            let mut sim = random(seed);
            sim.run(three_workers(3)).unwrap();
            (seed, sim.trace().schedule().clone())
        })
        .find(|(_, s)| {
            s.iter().next()
                == Some(Decision::Run {
                    task: TaskId::from_u64(3),
                    of: 3,
                })
        })
        .expect("some seed runs worker 3 first");

    // The same program replays it exactly.
    let mut original = random(seed);
    original.run(three_workers(3)).unwrap();
    let mut replay = Sim::builder()
        .strategy(Strategy::replay(schedule.clone()))
        .build();
    assert_eq!(replay.run(three_workers(3)).unwrap(), 6);
    assert_eq!(replay.trace().schedule(), &schedule);

    // Without worker 3, the first decision no longer fits.
    let err = Sim::builder()
        .strategy(Strategy::replay(schedule))
        .build()
        .run(three_workers(2))
        .unwrap_err();
    assert!(err.is_diverged(), "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with("replay diverged at step 1 (t=0s)"),
        "{text}"
    );
    assert!(
        text.contains("decision 0 of the schedule was `r3/3` (run task#3)"),
        "{text}"
    );
    assert!(text.contains("runnable [task#1, task#2]"), "{text}");

    // A random value drawn from another range no longer fits either.
    let mut sim = random(1);
    sim.run(async { sim::rand::range(0..10) }).unwrap();
    let err = Sim::builder()
        .strategy(Strategy::replay(sim.trace().schedule().clone()))
        .build()
        .run(async { sim::rand::range(0..20) })
        .unwrap_err();
    assert!(err.is_diverged(), "{err}");
    assert!(err.to_string().contains("a random value below 20"), "{err}");
    let _: Schedule = "r3/3".parse().unwrap();
}

/// `SimError::cause` of a run under every builder: the label of the task the failure started in.
fn causes(main: fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>) -> Vec<String> {
    builders()
        .map(|b| {
            let err = b.build().run(main()).unwrap_err();
            err.cause().map(|c| c.label()).unwrap_or_default()
        })
        .collect()
}

#[test]
fn a_failure_names_the_task_it_started_in() {
    // main unwraps the JoinError of the task that panicked: that task.
    let unwrapped = causes(|| {
        Box::pin(async {
            let handled = sim::spawn_named("handled", async { panic!("first") });
            assert!(handled.await.is_err());
            sim::spawn_named("fatal", async { panic!("second") })
                .await
                .unwrap();
        })
    });
    assert!(unwrapped.iter().all(|c| c == "fatal#2"), "{unwrapped:?}");
    // A chain: main unwraps `outer`, which had unwrapped `inner`: the failure started in inner.
    let chained = causes(|| {
        Box::pin(async {
            sim::spawn_named("outer", async {
                sim::spawn_named("inner", async { panic!("deep") })
                    .await
                    .expect("inner failed");
            })
            .await
            .unwrap();
        })
    });
    assert!(chained.iter().all(|c| c == "inner#2"), "{chained:?}");
    // gather re-raises a child's panic as it is.
    let gathered = causes(|| {
        Box::pin(async {
            sim::gather([
                Box::pin(async { sleep(secs(1)).await })
                    as std::pin::Pin<Box<dyn Future<Output = ()>>>,
                Box::pin(async { panic!("child") }),
            ])
            .await;
        })
    });
    assert!(gathered.iter().all(|c| c == "task#2"), "{gathered:?}");
    // main's own panic: main.
    let own = causes(|| Box::pin(async { panic!("main itself") }));
    assert!(own.iter().all(|c| c == "main#0"), "{own:?}");
    // An unobserved panic: the task that panicked.
    let unobserved = causes(|| {
        Box::pin(async {
            drop(sim::spawn_named("lost", async { panic!("nobody looks") }));
            sleep(secs(1)).await;
        })
    });
    assert!(unobserved.iter().all(|c| c == "lost#1"), "{unobserved:?}");
}

/// Issue 14 item 2: the joiner of a task whose `Drop` panicked while it was aborted took its
/// `JoinError` (Cancelled): the report says so, and does not claim nobody awaited the task.
#[test]
fn a_panicking_drop_during_an_abort_is_reported_as_seen_by_its_joiner_as_cancelled() {
    let err = fifo()
        .run(async {
            let bomb = sim::spawn_named("bomb", async {
                let _bomb = PanicOnDrop;
                sleep(secs(10)).await;
            });
            sleep(secs(1)).await;
            bomb.abort();
            assert!(bomb.await.unwrap_err().is_cancelled());
        })
        .unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("nobody awaited it"), "{text}");
    assert!(
        text.contains(
            "task bomb#1 panicked in Drop while being cancelled at t=1s (step 4): 'drop exploded'"
        ),
        "{text}"
    );
    assert!(
        text.contains("its joiner observed the task as Cancelled"),
        "{text}"
    );
}
