//! The io scenarios run as their catalogue entries claim: the correct store and the chat keep
//! their invariants under every seed tried, the store with its durability bug loses an
//! acknowledged write under a few.

use scenarios::io::{Version, chat, kv};
use sim::Sim;

#[test]
fn the_correct_store_keeps_every_acknowledged_write_through_a_crash() {
    for seed in 0..24 {
        let mut sim = Sim::new(seed);
        let report = sim.run(kv::run(Version::Correct)).unwrap();
        let report = report.unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert!(report.acks.iter().all(|&n| n >= kv::KEYS), "{report:?}");
        let logs: Vec<String> = sim.trace().logs().map(|l| l.text).collect();
        let crashed = format!("host {} crashed", report.crashed);
        assert!(logs.contains(&crashed), "seed {seed}: {logs:?}");
    }
}

#[test]
fn acknowledging_before_sync_loses_writes_under_some_seeds() {
    let lost: Vec<u64> = (0..64)
        .filter(|&seed| {
            let mut sim = Sim::new(seed);
            match sim.run(kv::run(Version::Buggy)).unwrap() {
                Ok(_) => false,
                Err(e) => {
                    assert!(e.contains("lost the acknowledged write"), "{e}");
                    true
                }
            }
        })
        .collect();
    eprintln!(
        "kv ack-before-sync: {} of 64 seeds lose a write: {lost:?}",
        lost.len()
    );
    assert!(
        lost.iter().any(|&s| s < 16),
        "none of seeds 0..16 caught it: {lost:?}"
    );
}

#[test]
fn every_chat_client_gets_every_line_sent_after_it_connected() {
    for seed in 0..24 {
        let mut sim = Sim::new(seed);
        let report = sim.run(chat::run()).unwrap();
        let report = report.unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(report.lines, chat::CLIENTS * chat::LINES_EACH);
        assert!(report.welcomes.iter().all(|&w| w <= report.lines));
    }
}
