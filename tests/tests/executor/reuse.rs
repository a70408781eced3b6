//! A run on the state the last run on its thread left (its buffers, its trace's buffers) is the
//! run on fresh state, and the state an ended run leaves holds nothing of the user.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use sim::schedule::{Choice, Runnable, Scheduler};
use sim::task::TaskId;
use sim::{Sim, Strategy, TraceLevel};

/// A run that leaves every part of the state used: tasks left over and panicked unobserved,
/// timers pending, values drawn, events kept and dropped, a sink, a replay that diverges.
fn messy(seed: u64, sunk: &Rc<Cell<u64>>) {
    let lines = sunk.clone();
    let mut sim = Sim::builder()
        .seed(seed)
        .trace_level(TraceLevel::Full)
        .keep_events(5)
        .trace_sink(move |_| lines.set(lines.get() + 1))
        .build();
    let _ = sim.run(async {
        let _left = sim::spawn_named("sleeper", async {
            sim::time::sleep(Duration::from_secs(3600)).await;
        });
        let _boom = sim::spawn(async { panic!("nobody looks") });
        for _ in 0..3 {
            sim::task::yield_now().await;
        }
        sim::rand::range(0..100u64)
    });
    let schedule = sim.trace().schedule().clone();
    let mut replay = Sim::builder()
        .seed(seed)
        .strategy(Strategy::replay(schedule))
        .build();
    let _ = replay.run(async { sim::task::yield_now().await });
}

/// A run to compare: its result, its whole trace and its counters.
fn probe(seed: u64) -> String {
    let mut sim = Sim::builder()
        .seed(seed)
        .trace_level(TraceLevel::Full)
        .build();
    let out = sim.run(async {
        let shared = Rc::new(Cell::new(0u64));
        let handles: Vec<_> = (0..3u64)
            .map(|i| {
                let shared = shared.clone();
                sim::spawn(async move {
                    sim::time::sleep(Duration::from_millis(i)).await;
                    sim::task::yield_now().await;
                    shared.set(shared.get() * 3 + i + sim::rand::range(0..10u64));
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        shared.get()
    });
    let trace = sim.trace();
    format!(
        "{out:?}\n{:?}\n{}\n{trace}",
        trace.stats(),
        trace.schedule()
    )
}

#[test]
fn a_run_on_state_another_run_left_is_the_run_on_fresh_state() {
    // A new thread: the one place no earlier run left its state.
    let fresh = std::thread::spawn(|| (probe(3), probe(4)))
        .join()
        .expect("the fresh thread's runs");
    let sunk = Rc::new(Cell::new(0));
    for seed in 0..4 {
        messy(seed, &sunk);
    }
    assert!(sunk.get() > 0, "the messy runs recorded events");
    assert_eq!(probe(3), fresh.0);
    messy(9, &sunk);
    assert_eq!(probe(4), fresh.1);
}

/// Fifo, holding a share of the user's state.
struct Holding(#[expect(dead_code, reason = "held, never read")] Rc<()>);

impl Scheduler for Holding {
    fn choose_task(&mut self, _: Runnable<'_>) -> Choice<usize> {
        Ok(0)
    }
    fn choose_preemption(&mut self, _: TaskId, _: Runnable<'_>) -> Choice<Option<usize>> {
        Ok(None)
    }
    fn choose_branch(&mut self, _: u32) -> Choice<u32> {
        Ok(0)
    }
}

#[test]
fn an_ended_run_holds_nothing_of_the_user() {
    let token = Rc::new(());
    let (for_sink, for_scheduler) = (token.clone(), token.clone());
    let mut sim = Sim::builder()
        .trace_level(TraceLevel::Full)
        .trace_sink(move |_| drop(for_sink.clone()))
        .strategy(Strategy::custom("holding", move |_| {
            Holding(for_scheduler.clone())
        }))
        .build();
    sim.run(async { sim::task::yield_now().await }).unwrap();
    drop(sim);
    assert_eq!(
        Rc::strong_count(&token),
        1,
        "the state the run left keeps the sink or the scheduler"
    );
}
