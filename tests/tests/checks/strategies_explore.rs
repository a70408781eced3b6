//! Exhaustive depth-first exploration (harness::explore).

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use harness::explore::Exhaustive;

/// Set by the last of `n` workers; main awaits it, so main is never runnable beside a worker and
/// adds no choices of its own.
#[derive(Clone)]
struct Countdown(Rc<RefCell<(usize, Option<Waker>)>>);

impl Countdown {
    fn new(n: usize) -> Self {
        Countdown(Rc::new(RefCell::new((n, None))))
    }

    fn done(&self) {
        let waker = {
            let mut s = self.0.borrow_mut();
            s.0 -= 1;
            if s.0 == 0 { s.1.take() } else { None }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    async fn wait(&self) {
        poll_fn(|cx| {
            let mut s = self.0.borrow_mut();
            if s.0 == 0 {
                Poll::Ready(())
            } else {
                s.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
    }
}

/// Three tasks, each three atomic steps separated by preemption points; records the order in
/// which the nine steps ran (one letter per step).
async fn three_by_three(seen: Rc<RefCell<Vec<String>>>) {
    let order = Rc::new(RefCell::new(String::new()));
    let done = Countdown::new(3);
    for t in ['a', 'b', 'c'] {
        let (order, done) = (order.clone(), done.clone());
        sim::spawn(async move {
            for step in 0..3 {
                if step > 0 {
                    sim::task::maybe_yield().await;
                }
                order.borrow_mut().push(t);
            }
            done.done();
        });
    }
    done.wait().await;
    seen.borrow_mut().push(order.borrow().clone());
}

fn explore_three_by_three(search: Exhaustive) -> (harness::explore::Exploration, Vec<String>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let outcome = search.run(move || three_by_three(s.clone()));
    let orders = seen.borrow().clone();
    (outcome, orders)
}

#[test]
fn dfs_explores_exactly_the_1680_schedules_of_three_tasks_by_three_steps() {
    let (outcome, mut orders) =
        explore_three_by_three(Exhaustive::new().unbounded().iterative(false));
    assert!(outcome.is_exhausted());
    assert_eq!(outcome.schedules, 1680); // 9! / (3!)^3
    assert_eq!(outcome.runs, 1680);
    assert_eq!(
        outcome.to_string(),
        "all 1,680 schedules explored, no failure"
    );
    assert_eq!(orders.len(), 1680);
    assert!(orders.iter().all(|o| o.len() == 9));
    orders.sort();
    orders.dedup();
    assert_eq!(
        orders.len(),
        1680,
        "every schedule ran a different step order"
    );
}

#[test]
fn fewest_preemptions_first_covers_the_same_1680_schedules_level_by_level() {
    let (outcome, mut orders) = explore_three_by_three(Exhaustive::new().unbounded());
    assert!(outcome.is_exhausted());
    assert_eq!(outcome.schedules, 1680);
    assert!(outcome.runs > 1680, "{outcome}");
    assert_eq!(
        outcome.to_string(),
        format!(
            "all 1,680 schedules explored ({} runs), no failure",
            thousands(outcome.runs)
        )
    );
    orders.sort();
    orders.dedup();
    assert_eq!(orders.len(), 1680);
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn preemption_bound_prunes_and_counts_only_switches_at_preemption_points() {
    let count = |bound| {
        let (deepening, _) = explore_three_by_three(Exhaustive::new().preemption_bound(bound));
        let (one_pass, _) =
            explore_three_by_three(Exhaustive::new().preemption_bound(bound).iterative(false));
        assert!(deepening.is_exhausted() && one_pass.is_exhausted());
        assert_eq!(deepening.schedules, one_pass.schedules);
        one_pass.schedules
    };
    // Bound 0: only the order in which whole tasks run (3! = 6).
    assert_eq!(count(0), 6);
    let (one, two) = (count(1), count(2));
    assert!(6 < one && one < two && two < 1680, "{one} {two}");
}

#[test]
fn dfs_stops_at_the_first_failure_with_its_schedule() {
    let outcome = Exhaustive::new()
        .preemption_bound(2)
        .run(scenarios::buggy::b2);
    let found = outcome.failure.as_ref().expect("B2 has a lost update");
    assert!(!outcome.is_exhausted());
    assert_eq!(found.preemptions, 1);
    assert_eq!(found.schedule.preemptions(), 1);
    assert!(found.message.contains("lost update"), "{}", found.message);
    // The schedule replays to the same failure.
    let mut sim = sim::Sim::builder()
        .strategy(sim::Strategy::replay(found.schedule.clone()))
        .build();
    assert!(sim.run(scenarios::buggy::b2()).unwrap().is_err());
}

#[test]
fn negative_control_passes_every_schedule() {
    let outcome = Exhaustive::new()
        .unbounded()
        .run(scenarios::buggy::b9_fixed);
    assert!(outcome.is_exhausted(), "{outcome}");
    assert!(outcome.schedules > 1);
}

#[test]
fn small_random_values_are_enumerated() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let outcome = Exhaustive::new().run(move || {
        let s = s.clone();
        async move { s.borrow_mut().push(sim::rand::range(0..4)) }
    });
    assert_eq!(
        outcome.to_string(),
        "all 4 schedules explored within preemption bound 2, no failure"
    );
    assert_eq!(*seen.borrow(), [0, 1, 2, 3]);
}

#[test]
fn max_schedules_stops_early_and_says_so() {
    let (outcome, orders) = explore_three_by_three(
        Exhaustive::new()
            .unbounded()
            .iterative(false)
            .max_schedules(10),
    );
    assert!(!outcome.is_exhausted());
    assert_eq!(outcome.schedules, 10);
    assert_eq!(orders.len(), 10);
    assert!(outcome.to_string().starts_with("stopped after 10 runs"));
}

/// Main spins on `yield_now` until `n` one-step workers have run.
async fn spin_until_workers_done(n: usize) {
    let count = Rc::new(std::cell::Cell::new(0));
    for _ in 0..n {
        let count = count.clone();
        sim::spawn(async move { count.set(count.get() + 1) });
    }
    while count.get() < n {
        sim::task::yield_now().await;
    }
}

#[test]
fn a_spin_loop_has_a_finite_space_thanks_to_the_yield_limit() {
    let small = Exhaustive::new().run(|| spin_until_workers_done(2));
    assert!(small.is_exhausted(), "{small}");
    let larger = Exhaustive::new()
        .yield_limit(4)
        .run(|| spin_until_workers_done(2));
    assert!(larger.is_exhausted(), "{larger}");
    assert!(larger.schedules > small.schedules);
}

#[test]
fn the_yield_limit_decides_whether_a_long_yielding_task_can_finish_first() {
    // B6: the long task must be continued through 20 of its own yields while main waits.
    let default = Exhaustive::new().run(scenarios::buggy::b6);
    assert!(default.is_exhausted(), "{default}");
    let generous = Exhaustive::new().yield_limit(20).run(scenarios::buggy::b6);
    let found = generous.failure.expect("B6 within yield limit 20");
    assert_eq!(found.preemptions, 1);
}

#[test]
fn the_search_is_deterministic() {
    let describe = |o: harness::explore::Exploration| {
        (
            o.to_string(),
            o.failure.map(|f| f.schedule.to_string()),
            o.runs,
        )
    };
    for bug in scenarios::buggy::catalogue() {
        let search = Exhaustive::new().max_schedules(300);
        assert_eq!(
            describe(search.run(bug.run)),
            describe(search.run(bug.run)),
            "{}",
            bug.name
        );
    }
}
