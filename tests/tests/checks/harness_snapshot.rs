//! Trace snapshots: the normalized trace of a run, stored with insta.

use std::time::Duration;

async fn greeter(name: &'static str, delay: u64) {
    sim::log!("{name} starts");
    sim::time::sleep(Duration::from_millis(delay)).await;
    sim::task::maybe_yield().await;
    sim::log!("{name} done");
}

fn run(seed: u64, strategy: sim::Strategy) -> sim::Trace {
    let mut sim = sim::Sim::builder().seed(seed).strategy(strategy).build();
    sim.run(async {
        let a = sim::spawn_named("a", greeter("a", 20));
        let b = sim::spawn_named("b", greeter("b", 10));
        a.await.unwrap();
        b.await.unwrap();
    })
    .unwrap();
    sim.take_trace()
}

#[test]
fn fifo_trace_snapshot() {
    harness::assert_trace_snapshot!(&run(0, sim::Strategy::fifo()));
}

#[test]
fn random_trace_snapshot_for_a_fixed_seed() {
    harness::assert_trace_snapshot!("random_seed_3", &run(3, sim::Strategy::random()));
}

#[test]
fn the_normalized_text_is_the_same_on_every_run() {
    let a = harness::snapshot::normalized(&run(3, sim::Strategy::random()));
    let b = harness::snapshot::normalized(&run(3, sim::Strategy::random()));
    assert_eq!(a, b);
    assert!(!a.contains("0x"), "no addresses: {a}");
    assert!(a.contains("t=0.01s"), "{a}");
}

/// A transfer between two accounts in a shared bank, with or without a bank-wide lock around
/// the read-modify-write.
fn bank(locked: bool) -> sim::Trace {
    let mut sim = sim::Sim::builder()
        .seed(0)
        .strategy(sim::Strategy::fifo())
        .build();
    sim.run(async move {
        let bank = std::sync::Arc::new(sim::sync::Mutex::named("bank", ()));
        let balances = std::rc::Rc::new(std::cell::Cell::new((100u32, 0u32)));
        let transfers: Vec<_> = (0..2)
            .map(|_| {
                let (bank, balances) = (bank.clone(), balances.clone());
                sim::spawn_named("transfer", async move {
                    let _guard = if locked {
                        Some(bank.lock().await)
                    } else {
                        None
                    };
                    let (a, b) = balances.get();
                    sim::task::yield_now().await;
                    balances.set((a - 10, b + 10));
                })
            })
            .collect();
        for t in transfers {
            t.await.unwrap();
        }
    })
    .unwrap();
    sim.take_trace()
}

/// The trace says what each await did, so a snapshot changes when a lock is added around a
/// critical section (issue 15: it used to stay the same).
#[test]
fn a_snapshot_changes_when_a_lock_is_added() {
    let without = harness::snapshot::normalized(&bank(false));
    let with = harness::snapshot::normalized(&bank(true));
    assert_ne!(without, with);
    assert!(!without.contains("Mutex::lock"), "{without}");
    assert!(
        with.contains(
            "transfer#1: Mutex::lock on `bank` at tests/tests/checks/harness_snapshot.rs:"
        ),
        "{with}"
    );
    assert!(
        with.contains("transfer#2: waits on Mutex::lock on `bank` at tests/tests/checks/"),
        "{with}"
    );
    harness::assert_trace_snapshot!("bank_with_lock", &bank(true));
}

/// Every kind of operation names itself in the trace: channel sends and receives, waits, and
/// signals that never wait.
#[test]
fn channel_and_signal_operations_name_themselves_in_the_trace() {
    let mut sim = sim::Sim::builder()
        .seed(0)
        .strategy(sim::Strategy::fifo())
        .build();
    sim.run(async {
        let (tx, mut rx) = sim::channel::mpsc::channel::<u8>(1);
        let n = std::sync::Arc::new(sim::sync::Notify::named("ready"));
        let n2 = n.clone();
        let t = sim::spawn(async move {
            n2.notified().await;
            tx.send(1).await.unwrap();
        });
        n.notify_one();
        assert_eq!(rx.recv().await, Some(1));
        t.await.unwrap();
    })
    .unwrap();
    let text = sim.trace().to_string();
    for needle in [
        "main#0: Notify::notify_one on `ready` at tests/tests/checks/harness_snapshot.rs:",
        "main#0: mpsc::Receiver::recv at tests/tests/checks/harness_snapshot.rs:",
        "main#0: waits on mpsc::Receiver::recv at tests/tests/checks/harness_snapshot.rs:",
        "task#1: Notify::notified on `ready` at tests/tests/checks/harness_snapshot.rs:",
        "task#1: mpsc::Sender::send at tests/tests/checks/harness_snapshot.rs:",
    ] {
        assert!(text.contains(needle), "no `{needle}` in:\n{text}");
    }
}
