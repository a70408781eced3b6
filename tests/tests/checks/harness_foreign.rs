//! Awaits on futures `sim` does not control are counted and reported: they run
//! deterministically but are never preemption points (issue 10, "foreign awaits").

use std::panic::{AssertUnwindSafe, catch_unwind};

use futures::StreamExt;
use harness::{Check, Env};

/// Main hands three values to a worker over `futures::channel::mpsc` and waits for each reply on
/// a `futures::channel::oneshot`: every wait is on a foreign future.
async fn relay_over_futures_channels() -> u32 {
    let (tx, mut rx) =
        futures::channel::mpsc::unbounded::<(u32, futures::channel::oneshot::Sender<u32>)>();
    let worker = sim::spawn(async move {
        while let Some((x, reply)) = rx.next().await {
            let _ = reply.send(x * 2);
        }
    });
    let mut sum = 0;
    for x in 1..=3 {
        let (reply, answer) = futures::channel::oneshot::channel();
        tx.unbounded_send((x, reply)).unwrap();
        sum += answer.await.unwrap();
    }
    drop(tx);
    worker.await.unwrap();
    sum
}

/// The same program on `sim`'s channels: every wait is noted.
async fn relay_over_sim_channels() -> u32 {
    let (tx, mut rx) =
        sim::channel::mpsc::unbounded_channel::<(u32, sim::channel::oneshot::Sender<u32>)>();
    let worker = sim::spawn(async move {
        while let Some((x, reply)) = rx.recv().await {
            let _ = reply.send(x * 2);
        }
    });
    let mut sum = 0;
    for x in 1..=3 {
        let (reply, answer) = sim::channel::oneshot::channel();
        tx.send((x, reply)).unwrap();
        sum += answer.await.unwrap();
    }
    drop(tx);
    worker.await.unwrap();
    sum
}

#[test]
fn awaits_on_futures_channels_are_counted_and_sims_own_are_not() {
    let mut sim = sim::Sim::builder()
        .seed(0)
        .strategy(sim::Strategy::fifo())
        .build();
    assert_eq!(sim.run(relay_over_futures_channels()).unwrap(), 12);
    let foreign = sim.trace().stats().foreign_awaits;
    // Main parks on each of the three answers, the worker on its receiver at least once.
    assert!(foreign >= 4, "foreign awaits: {foreign}");

    let mut sim = sim::Sim::builder()
        .seed(0)
        .strategy(sim::Strategy::fifo())
        .build();
    assert_eq!(sim.run(relay_over_sim_channels()).unwrap(), 12);
    assert_eq!(sim.trace().stats().foreign_awaits, 0);
}

/// A task's wait on a `sim` primitive in one poll does not hide a foreign await in a later
/// poll (a poll's wait notes are its own, even where the run keeps an earlier poll's).
#[test]
fn a_foreign_await_after_a_sim_wait_is_counted() {
    let mut sim = sim::Sim::builder()
        .seed(0)
        .strategy(sim::Strategy::fifo())
        .build();
    let sum = sim
        .run(async {
            let (tx, rx) = sim::channel::oneshot::channel::<u32>();
            let t = sim::spawn(async move {
                tx.send(1).unwrap();
            });
            // Main waits on a sim oneshot first (a noted wait) ...
            let first = rx.await.unwrap();
            t.await.unwrap();
            // ... then three times on foreign futures.
            first + relay_over_futures_channels().await
        })
        .unwrap();
    assert_eq!(sum, 13);
    let foreign = sim.trace().stats().foreign_awaits;
    assert!(foreign >= 4, "foreign awaits: {foreign}");
}

#[test]
fn yields_and_sleeps_are_not_foreign_awaits() {
    let mut sim = sim::Sim::new(3);
    sim.run(async {
        let t = sim::spawn(async {
            sim::task::yield_now().await;
            sim::time::sleep(std::time::Duration::from_millis(5)).await;
        });
        sim::task::yield_now().await;
        t.await.unwrap();
    })
    .unwrap();
    assert_eq!(sim.trace().stats().foreign_awaits, 0);
}

#[test]
fn a_sweep_says_how_many_awaits_were_not_preemption_points() {
    let outcome = Check::new()
        .env(Env::empty())
        .no_regressions()
        .seeds(0..4)
        .explore(|| async {
            assert_eq!(relay_over_futures_channels().await, 12);
        });
    assert!(outcome.passed());
    assert!(outcome.foreign_awaits >= 16, "{}", outcome.foreign_awaits);
    let line = outcome
        .notes
        .iter()
        .find(|n| n.contains("on foreign futures were not preemption points (over 4 runs)"))
        .unwrap_or_else(|| panic!("no foreign-await note in {:?}", outcome.notes));
    assert!(line.contains("futures::channel"), "{line}");
}

#[test]
fn a_failure_report_says_it_too() {
    let p = catch_unwind(AssertUnwindSafe(|| {
        Check::new()
            .env(Env::empty())
            .no_regressions()
            .seeds(0..2)
            .run(|| async {
                let n = relay_over_futures_channels().await;
                assert_eq!(n, 13, "wrong sum");
            });
    }))
    .expect_err("the check fails");
    let report = p.downcast::<String>().map(|s| *s).unwrap_or_default();
    assert!(
        report.contains("awaits on foreign futures were not preemption points:"),
        "{report}"
    );
}
