//! SEMANTICS §I, determinism and exploration (cases 43–45), and a proptest property: the same
//! seed is the same run, different seeds explore different interleavings.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::process::Command;
use std::rc::Rc;
use std::time::Duration;

use proptest::prelude::*;
use seedloop_tests::{Log, SWEEP, fifo, random, yielders, yielders_trace};
use sim::task::{maybe_yield, yield_now};
use sim::time::{elapsed, now, sleep};
use sim::{Sim, Strategy, TraceLevel};

#[test]
fn case_43_the_same_seed_gives_a_byte_identical_trace() {
    for seed in 0..10 {
        let (a, b) = (yielders_trace(seed), yielders_trace(seed));
        assert_eq!(a.to_string(), b.to_string(), "seed {seed}");
        assert_eq!(a.digest(), b.digest());
        assert_eq!(a.schedule(), b.schedule());
        assert_eq!(a.logs().count(), 250);
    }
}

#[test]
fn case_43_another_process_gives_the_same_trace() {
    for seed in [0, 7, 1_000_003] {
        let out = Command::new(env!("CARGO_BIN_EXE_trace_digest"))
            .arg(seed.to_string())
            .output()
            .expect("the trace_digest binary runs");
        assert!(out.status.success(), "{out:?}");
        let printed = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            printed.trim(),
            format!("{:016x}", yielders_trace(seed).digest()),
            "seed {seed}"
        );
    }
}

#[test]
fn case_43_ten_seeds_give_at_least_nine_distinct_traces() {
    let digests: BTreeSet<u64> = (0..10).map(|s| yielders_trace(s).digest()).collect();
    assert!(digests.len() >= 9, "{} distinct traces", digests.len());
    // Under Fifo the tasks take turns exactly: (a, 0) (b, 0) .. (e, 0) (a, 1) ..
    let mut sim = fifo();
    sim.run(yielders()).unwrap();
    let logs: Vec<String> = sim.trace().logs().map(|l| l.text).collect();
    let expected: Vec<String> = (0..50)
        .flat_map(|i| ["a", "b", "c", "d", "e"].map(|n| format!("({n}, {i})")))
        .collect();
    assert_eq!(logs, expected);
}

/// 10,000 sequential sleeps of seeded random lengths; the elapsed time after each.
fn random_sleeps(mut sim: Sim) -> Vec<Duration> {
    sim.run(async {
        let mut seen = Vec::with_capacity(10_000);
        for _ in 0..10_000 {
            let nanos = sim::rand::range(1..=1_000_000_000);
            sleep(Duration::from_nanos(nanos)).await;
            seen.push(elapsed());
        }
        seen
    })
    .unwrap()
}

#[test]
fn case_44_random_sleeps_give_the_same_elapsed_sequence() {
    let decisions = |seed, strategy| {
        Sim::builder()
            .seed(seed)
            .strategy(strategy)
            .trace_level(TraceLevel::Decisions)
            .build()
    };
    let a = random_sleeps(decisions(5, Strategy::random()));
    let b = random_sleeps(decisions(5, Strategy::random()));
    assert_eq!(a, b);
    assert!(a.windows(2).all(|w| w[0] < w[1]));
    // The values stream does not depend on the scheduling strategy.
    assert_eq!(random_sleeps(decisions(5, Strategy::fifo())), a);
    assert_ne!(random_sleeps(decisions(6, Strategy::random())), a);
}

/// Main spins on `yield_now` until four one-step workers have run.
async fn spin_until_workers_finish() {
    let done = Rc::new(Cell::new(0));
    for _ in 0..4 {
        let done = done.clone();
        sim::spawn(async move { done.set(done.get() + 1) });
    }
    while done.get() < 4 {
        yield_now().await;
    }
}

/// Runs [`spin_until_workers_finish`] with a 50-step limit; returns the run and its steps.
fn spin(b: sim::SimBuilder) -> (Sim, u64) {
    let mut sim = b.max_steps(50).build();
    sim.run(spin_until_workers_finish())
        .unwrap_or_else(|e| panic!("{e}"));
    let steps = sim.trace().stats().steps;
    assert!(steps <= 50, "{steps} steps");
    (sim, steps)
}

#[test]
fn case_45_a_yield_spin_loop_finishes_in_at_most_50_steps() {
    let (_, steps) = spin(Sim::builder().strategy(Strategy::fifo()));
    assert_eq!(steps, 6, "main, the four workers, main");
    for seed in 0..1000 {
        let (sim, steps) = spin(Sim::builder().seed(seed).strategy(Strategy::random()));
        assert!(steps >= 6, "seed {seed}: {steps} steps");
        // Replaying the run's schedule takes the same steps.
        let schedule = sim.trace().schedule().clone();
        let (_, replayed) = spin(Sim::builder().strategy(Strategy::replay(schedule)));
        assert_eq!(replayed, steps, "seed {seed}");
    }
}

/// A chain of tasks, each awaiting the previous one's handle, and sleepers checking the clock.
fn causality(mut sim: Sim) {
    let log = Log::new();
    let l = log.clone();
    sim.run(async move {
        let mut prev: Option<sim::JoinHandle<usize>> = None;
        for i in 0..5 {
            let l = l.clone();
            let before = prev.take();
            prev = Some(sim::spawn(async move {
                if let Some(h) = before {
                    let got = h.await.unwrap();
                    assert_eq!(got + 1, i, "resumed with its predecessor's result");
                    assert!(l.texts().contains(&format!("{got} done")));
                }
                maybe_yield().await;
                let deadline = now() + Duration::from_millis(10 * i as u64);
                sleep(Duration::from_millis(10 * i as u64)).await;
                assert!(
                    now() >= deadline,
                    "a sleeper never resumes before its deadline"
                );
                l.push(format!("{i} done"));
                i
            }));
        }
        prev.unwrap().await.unwrap()
    })
    .unwrap();
    assert_eq!(
        log.texts(),
        ["0 done", "1 done", "2 done", "3 done", "4 done"]
    );
}

#[test]
fn case_45_exploration_respects_causality() {
    causality(fifo());
    for seed in SWEEP {
        causality(random(seed));
    }
}

/// Tasks doing read / maybe_yield / write on a shared counter, with random sleeps.
async fn racy(tasks: usize, rounds: usize) -> u64 {
    let count = Rc::new(Cell::new(0u64));
    let hs: Vec<_> = (0..tasks)
        .map(|_| {
            let count = count.clone();
            sim::spawn(async move {
                for _ in 0..rounds {
                    let read = count.get();
                    maybe_yield().await;
                    count.set(read + 1);
                    sleep(Duration::from_millis(sim::rand::range(0..5))).await;
                }
            })
        })
        .collect();
    for h in hs {
        h.await.unwrap();
    }
    count.get()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_same_seed_replays_the_same_run(seed: u64, tasks in 2usize..5, rounds in 1usize..4) {
        let mut a = random(seed);
        let mut b = random(seed);
        let (x, y) = (a.run(racy(tasks, rounds)).unwrap(), b.run(racy(tasks, rounds)).unwrap());
        prop_assert_eq!(x, y);
        prop_assert!((1..=(tasks * rounds) as u64).contains(&x));
        prop_assert_eq!(a.trace().digest(), b.trace().digest());
        prop_assert_eq!(a.trace().schedule(), b.trace().schedule());
        prop_assert_eq!(a.trace().stats(), b.trace().stats());
    }

    #[test]
    fn different_seeds_explore_different_interleavings(base in 0u64..u64::MAX - 16) {
        let interleavings: BTreeSet<u64> = (base..base + 16)
            .map(|seed| {
                let mut sim = random(seed);
                sim.run(racy(3, 2)).unwrap();
                sim.trace().stats().interleaving
            })
            .collect();
        prop_assert!(interleavings.len() >= 4, "{} distinct interleavings", interleavings.len());
    }
}

#[test]
fn running_the_same_sim_twice_gives_the_same_trace() {
    let mut sim = random(11);
    sim.run(racy(3, 3)).unwrap();
    let first = sim.take_trace();
    sim.run(racy(3, 3)).unwrap();
    assert_eq!(first.to_string(), sim.trace().to_string());
    assert_eq!(first.stats(), sim.trace().stats());
}

/// A replay that ends with recorded decisions unused means the program changed: it is reported
/// as a divergence, not a silent pass.
#[test]
fn replaying_a_schedule_with_an_unused_tail_diverges() {
    use sim::{Strategy, schedule::Schedule};
    let program = |draws: u32| async move {
        let mut sum = 0;
        for _ in 0..draws {
            sum += sim::rand::range(0..10);
        }
        sum
    };
    let mut original = sim::Sim::new(5);
    original.run(program(3)).unwrap();
    let schedule: Schedule = original.trace().schedule().clone();
    assert_eq!(schedule.len(), 3);

    let mut same = sim::Sim::builder()
        .strategy(Strategy::replay(schedule.clone()))
        .build();
    assert!(same.run(program(3)).is_ok());

    let mut shorter = sim::Sim::builder()
        .strategy(Strategy::replay(schedule.clone()))
        .build();
    let err = shorter.run(program(2)).unwrap_err();
    assert!(err.is_diverged(), "{err}");
    assert!(
        err.to_string().contains("1 recorded decisions unused"),
        "{err}"
    );

    // Lenient replay (used by shrinkers) accepts the shorter program.
    let mut lenient = sim::Sim::builder()
        .strategy(Strategy::replay_lenient(schedule))
        .build();
    assert!(lenient.run(program(2)).is_ok());
}

/// Two preemption points polled in the same poll: a switch decided at the first is not asked
/// again (nor overridden) at the second, so every recorded switch takes place.
#[test]
fn a_switch_decided_in_a_poll_is_kept_by_a_second_preemption_point() {
    use futures::future::join;
    for seed in 0..64 {
        let mut sim = sim::Sim::new(seed);
        sim.run(async {
            let other = sim::spawn(async { sim::task::yield_now().await });
            join(sim::task::maybe_yield(), sim::task::maybe_yield()).await;
            other.await.unwrap();
        })
        .unwrap();
        let decisions = sim.trace().schedule().to_vec();
        // Once a preemption switched, no further preemption decision is taken in that poll.
        for pair in decisions.windows(2) {
            if let (
                sim::schedule::Decision::Preempt { task: Some(_), .. },
                sim::schedule::Decision::Preempt { .. },
            ) = (pair[0], pair[1])
            {
                panic!(
                    "seed {seed}: a second preemption decision followed a switch: {decisions:?}"
                );
            }
        }
    }
}

/// A sink sees each decision as it is taken (task choices, and preemption points that switch or
/// stay), as its own line, and a run with a sink takes the schedule and result of the same run
/// without one.
#[test]
fn a_sink_sees_every_decision_and_changes_no_schedule() {
    async fn racers() -> u32 {
        let c = Rc::new(Cell::new(0u32));
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let c = c.clone();
                sim::spawn(async move {
                    for _ in 0..5 {
                        let x = c.get();
                        maybe_yield().await;
                        c.set(x + 1);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        c.get()
    }
    let mut switches = 0;
    for seed in 0..8 {
        let lines = Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
        let sunk = lines.clone();
        let mut with = Sim::builder()
            .seed(seed)
            .trace_level(TraceLevel::Full)
            .trace_sink(move |line| sunk.borrow_mut().push(line.to_string()))
            .build();
        let mut without = Sim::builder()
            .seed(seed)
            .trace_level(TraceLevel::Full)
            .build();
        let (a, b) = (with.run(racers()).unwrap(), without.run(racers()).unwrap());
        assert_eq!(a, b, "seed {seed}");
        let schedule = with.trace().schedule().clone();
        assert_eq!(&schedule, without.trace().schedule(), "seed {seed}");
        let decided: Vec<String> = lines
            .borrow()
            .iter()
            .filter_map(|l| l.split_once(": decide ").map(|(_, d)| d.to_string()))
            .collect();
        let recorded: Vec<String> = schedule.iter().map(|d| d.to_string()).collect();
        assert_eq!(decided, recorded, "seed {seed}");
        assert!(recorded.iter().any(|d| d.starts_with("p-/")), "seed {seed}");
        switches += recorded
            .iter()
            .filter(|d| d.starts_with('p') && !d.starts_with("p-"))
            .count();
    }
    assert!(switches > 0, "no preemption point switched in 8 seeds");
}
