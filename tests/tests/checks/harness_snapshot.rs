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
