//! A run records a bounded amount whatever its length (issue 11, item 6): at the default level
//! the trace keeps its last `DEFAULT_KEPT_EVENTS` events and the schedule its first
//! `max_schedule_bytes` of decisions, counting the rest. Asserted on what a run recorded, not
//! on time or process memory.

use sim::trace::DEFAULT_KEPT_EVENTS;
use sim::{Sim, Strategy, TraceLevel};

/// Two tasks yielding `rounds` times each under Random: a decision and a few events a step.
async fn yielders(rounds: u64) -> u64 {
    let other = sim::spawn(async move {
        for _ in 0..rounds {
            sim::task::yield_now().await;
        }
        1
    });
    for _ in 0..rounds {
        sim::task::yield_now().await;
    }
    other.await.unwrap()
}

#[test]
fn a_long_run_at_the_default_level_keeps_a_bounded_trace() {
    let run = || {
        let mut sim = Sim::builder().seed(5).max_schedule_bytes(4096).build();
        sim.run(yielders(100_000)).unwrap();
        sim.take_trace()
    };
    let (a, b) = (run(), run());
    assert!(a.stats().steps > 200_000, "{:?}", a.stats());
    // Events: only the most recent are kept, the rest counted, and the text says so.
    assert_eq!(a.events().len(), DEFAULT_KEPT_EVENTS);
    assert!(a.dropped_events() > 400_000, "{}", a.dropped_events());
    assert_eq!(
        a.event_count(),
        a.dropped_events() + DEFAULT_KEPT_EVENTS as u64
    );
    assert!(a.to_string().starts_with("… "));
    // Decisions: kept up to the budget, then counted.
    let s = a.schedule();
    assert!(s.encoded_len() <= 4096 + 16, "{} bytes", s.encoded_len());
    assert!(s.omitted() > 0 && !s.is_complete());
    assert!(
        s.len() as u64 + s.omitted() > 50_000,
        "{} + {}",
        s.len(),
        s.omitted()
    );
    // Still deterministic, and the seed alone reproduces the run.
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a.schedule(), b.schedule());
}

#[test]
fn the_recorded_size_stops_growing_with_the_run() {
    let size = |rounds: u64| {
        let mut sim = Sim::builder()
            .seed(9)
            .strategy(Strategy::random())
            .keep_events(1000)
            .max_schedule_bytes(2048)
            .build();
        sim.run(yielders(rounds)).unwrap();
        let t = sim.trace();
        (t.events().len(), t.schedule().encoded_len() / 64)
    };
    // Four times the run, the same record.
    assert_eq!(size(20_000), size(80_000));
}

/// Main spawns `n` named tasks one after another, each yielding once, and joins each before
/// spawning the next: one task alive beside main at any time.
async fn spawn_join_loop(n: u64) -> u64 {
    let mut sum = 0;
    for i in 0..n {
        let task = sim::spawn_named("w", async move {
            sim::task::yield_now().await;
            i
        });
        sum += task.await.unwrap();
    }
    sum
}

/// What a run of `n` spawn-joins retains: its task infos, and the trace's text.
fn spawn_join_run(level: TraceLevel, n: u64) -> (usize, sim::Trace) {
    let mut sim = Sim::builder()
        .seed(3)
        .trace_level(level)
        .keep_events(400)
        .build();
    assert_eq!(sim.run(spawn_join_loop(n)).unwrap(), n * (n - 1) / 2);
    let trace = sim.take_trace();
    assert_eq!(trace.stats().tasks, n + 1, "every task is counted");
    let kept = trace.tasks().len();
    (kept, trace)
}

#[test]
fn a_run_retains_the_infos_of_live_tasks_not_of_every_task_ever_spawned() {
    // Decisions: main and the task alive, and the few the last steps ran.
    for n in [3_000, 12_000] {
        let (kept, trace) = spawn_join_run(TraceLevel::Decisions, n);
        assert!(kept <= 16, "{n} tasks: {kept} infos kept");
        assert_eq!(
            trace.task(sim::task::TaskId::MAIN).unwrap().label(),
            "main#0"
        );
    }
    // Full: also those the kept events name, fewer than the 400 events kept, whatever the run's
    // length; every kept event still names its tasks (`w#id`, never the anonymous `task#id`).
    for n in [3_000, 12_000] {
        let (kept, trace) = spawn_join_run(TraceLevel::Full, n);
        assert!(kept <= 200, "{n} tasks: {kept} infos kept");
        assert!(trace.dropped_events() > 0);
        let text = trace.to_string();
        assert!(text.contains(&format!("w#{n}")), "the last task is named");
        assert!(!text.contains("task#"), "{text}");
    }
    // A run whose events were all kept still knows every task.
    let (kept, trace) = spawn_join_run(TraceLevel::Full, 20);
    assert_eq!((kept, trace.dropped_events()), (21, 0));
}

/// A task that ended long before the step limit, and whose await was the last one counted,
/// is still named with its spawn site by the step-limit error, though the run let go of the
/// names of the tasks that ended.
#[test]
fn the_step_limit_names_the_last_awaiter_after_it_ended() {
    for level in [TraceLevel::Decisions, TraceLevel::Full] {
        let mut sim = Sim::builder()
            .trace_level(level)
            .keep_events(16)
            .max_steps(200)
            .build();
        let err = sim
            .run(async {
                sim::spawn_named("awaiter", async { sim::task::maybe_yield().await })
                    .await
                    .unwrap();
                // Twenty tasks end after it (the run lets go of the names it no longer needs
                // as tasks end), awaiting nothing `sim` counts, and so do main's last polls: a
                // self-waking future.
                for _ in 0..20 {
                    sim::spawn(async {}).await.unwrap();
                }
                std::future::poll_fn(|cx| {
                    cx.waker().wake_by_ref();
                    std::task::Poll::<()>::Pending
                })
                .await;
            })
            .unwrap_err();
        assert!(err.is_step_limit(), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("task awaiter#1 (spawned at tests/tests/executor/bounded.rs:"),
            "{level:?}: {text}"
        );
    }
}

/// Tasks whose names a report needs after they ended keep them, whatever ends after them: a
/// task group's failed child (named in the group's error), and a task whose panic nobody
/// awaited (named, with its spawn site, by the unobserved-panic error at the end).
#[test]
fn reports_name_the_tasks_they_need_after_they_ended() {
    for level in [TraceLevel::Decisions, TraceLevel::Full] {
        let mut sim = Sim::builder().trace_level(level).keep_events(16).build();
        let err = sim
            .run(async {
                let group: sim::concurrency::TaskGroup<(), &str> =
                    sim::concurrency::TaskGroup::new();
                group.spawn_named("failing", async { Err("no") }).unwrap();
                // The child fails and ends; twenty tasks end after it before the group joins.
                sim::task::yield_now().await;
                for _ in 0..20 {
                    sim::spawn(async {}).await.unwrap();
                }
                let failures = group.join().await.unwrap_err();
                let labels: Vec<&str> = failures.failures().iter().map(|f| &*f.label).collect();
                assert_eq!(labels, ["failing#1"]);
                drop(sim::spawn_named("lost", async {
                    panic!("nobody awaits this")
                }));
                sim::task::yield_now().await;
                for _ in 0..20 {
                    sim::spawn(async {}).await.unwrap();
                }
            })
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("task lost#22 panicked"), "{level:?}: {text}");
        assert!(
            text.contains("lost#22 was spawned at tests/tests/executor/bounded.rs:"),
            "{level:?}: {text}"
        );
    }
}
