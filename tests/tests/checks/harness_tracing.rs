//! `tracing` events of the code under test in the run's trace: in the failure report, in trace
//! snapshots and in the Perfetto export, stamped with virtual time, task and step; nothing, and
//! no panic, outside a simulation.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use harness::{Check, Env};
use tracing::Instrument;

/// A bank whose transfers log with `tracing`, as a service would, and lose a deposit.
#[tracing::instrument(target = "bank", skip(balance))]
async fn transfer(balance: Rc<Cell<u32>>, from: &'static str, amount: u32) {
    let read = balance.get();
    tracing::debug!(target: "bank", read, "read the balance");
    sim::time::sleep(Duration::from_millis(5)).await;
    balance.set(read + amount);
    tracing::info!(target: "bank", amount, "deposited");
}

async fn two_transfers() {
    let balance = Rc::new(Cell::new(100));
    let a = sim::spawn_named("alice", transfer(balance.clone(), "alice", 10));
    let b = sim::spawn_named("bob", transfer(balance.clone(), "bob", 20));
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(balance.get(), 130, "a deposit was lost");
}

#[test]
fn tracing_events_show_in_the_failure_report() {
    assert!(harness::tracing::install());
    let report = Check::new()
        .seeds(16)
        .no_regressions()
        .env(Env::empty())
        .explore(two_transfers)
        .report
        .expect("the transfers race");
    let text = report.to_string();
    // Stamped with the virtual time, the step and the task by the trace. (The lost deposit is
    // shrunk to the Fifo order, alice first; the report's tail starts after alice's read.)
    for line in [
        "t=0s step=3 bob#2: log: DEBUG transfer{from=\"bob\" amount=20}: bank: read the balance read=100",
        "t=0.005s step=4 alice#1: log: INFO transfer{from=\"alice\" amount=10}: bank: deposited amount=10",
        "t=0.005s step=5 bob#2: log: INFO transfer{from=\"bob\" amount=20}: bank: deposited amount=20",
    ] {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
}

#[test]
fn tracing_events_show_in_snapshots_and_the_perfetto_export() {
    harness::tracing::install();
    let mut sim = sim::Sim::builder().strategy(sim::Strategy::fifo()).build();
    sim.run(async {
        let worker = sim::spawn_named("worker", async {
            sim::time::sleep(Duration::from_secs(2)).await;
            tracing::warn!(target: "svc", attempt = 3, "retrying");
        });
        worker.await.unwrap();
    })
    .unwrap();
    let snapshot = harness::snapshot::normalized(sim.trace());
    assert!(
        snapshot.contains("t=2s step=3 worker#1: log: WARN svc: retrying attempt=3\n"),
        "{snapshot}"
    );
    let json = sim.trace().to_chrome_json();
    assert!(
        json.contains("\"name\":\"WARN svc: retrying attempt=3\""),
        "{json}"
    );
    assert!(json.contains("\"ts\":2000000"), "at t=2s: {json}");
}

#[test]
fn outside_a_simulation_events_go_nowhere_and_never_panic() {
    harness::tracing::install();
    tracing::info!("no simulation on this thread");
    let span = tracing::info_span!("outside", x = 1);
    let _entered = span.enter();
    tracing::error!(target: "bank", "still none");
    // An instrumented future polled outside any run: nothing to record into, no panic.
    let polled = futures::FutureExt::now_or_never(
        async { tracing::info!("polled outside") }.instrument(span.clone()),
    );
    assert_eq!(polled, Some(()));
}

#[test]
fn spans_entered_and_left_are_recorded_on_request() {
    use tracing_subscriber::layer::SubscriberExt;
    let subscriber = tracing_subscriber::registry().with(harness::tracing::layer().spans(true));
    let mut sim = sim::Sim::new(0);
    tracing::subscriber::with_default(subscriber, || {
        sim.run(
            async {
                sim::task::yield_now().await;
                tracing::info!("between polls");
            }
            .instrument(tracing::info_span!("body", id = 7)),
        )
        .unwrap();
    });
    let logs: Vec<String> = sim.trace().logs().map(|l| l.text).collect();
    assert_eq!(
        logs,
        [
            "enter body{id=7}",
            "exit body",
            "enter body{id=7}",
            "INFO body{id=7}: checks::harness_tracing: between polls",
            "exit body",
            "enter body{id=7}",
            "exit body",
        ]
    );
}
