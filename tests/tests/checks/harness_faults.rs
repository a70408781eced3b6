//! `Check::faults`: fault configurations applied at the start of every run, and the failure
//! report's `note: faults:` line naming the faults of the reported run.

use std::time::Duration;

use harness::{Check, Env, FaultConfig, Outcome};
use scenarios::io::{Version, kv};
use sim::fs::FsConfig;
use sim::net::{NetConfig, UdpSocket};

async fn kv_buggy() -> Result<(), String> {
    kv::run(Version::Buggy).await.map(drop)
}

fn torn_writes() -> FaultConfig {
    FaultConfig::new().fs(FsConfig::default().torn_writes(true))
}

fn sweep(faults: FaultConfig, env: Env) -> Outcome {
    Check::new()
        .seeds(32)
        .env(env)
        .no_regressions()
        .test_name("kv_fault_sweep")
        .faults(faults)
        .explore(kv_buggy)
}

/// The `note: faults:` line of a report.
fn faults_line(report: &str) -> String {
    report
        .lines()
        .find(|l| l.starts_with("note: faults: "))
        .unwrap_or_else(|| panic!("no faults line in:\n{report}"))
        .to_string()
}

#[test]
fn a_fault_sweep_catches_the_kv_durability_bug_and_names_the_crash_and_the_lost_writes() {
    let out = sweep(torn_writes(), Env::empty());
    let report = out.report.expect("the sweep catches ack-before-sync");
    let text = report.to_string();
    assert!(
        report
            .failure
            .message
            .contains("lost the acknowledged write"),
        "{text}"
    );
    let faults = faults_line(&text);
    let crashed = kv::REPLICAS
        .iter()
        .find(|r| faults.contains(&format!("host {r} crashed")))
        .unwrap_or_else(|| panic!("no crash named: {faults}"));
    // What the crashed replica's log kept: fewer writes than were unsynced.
    let kept = faults
        .split("; ")
        .find(|f| f.contains(&format!("fs: crash of {crashed} kept ")))
        .unwrap_or_else(|| panic!("no fs fault named: {faults}"));
    let words: Vec<&str> = kept.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "kept").unwrap();
    let (k, n): (u64, u64) = (
        words[at + 1].parse().unwrap(),
        words[at + 3].parse().unwrap(),
    );
    assert!(
        k < n,
        "a lost acknowledged write needs a lost unsynced one: {kept}"
    );
    assert!(
        kept.ends_with("unsynced writes to wal") || kept.contains("(torn)"),
        "{kept}"
    );
}

#[test]
fn the_shrunk_token_replays_the_same_loss() {
    let found = sweep(torn_writes(), Env::empty())
        .report
        .expect("the sweep catches ack-before-sync");
    let replayed = sweep(
        torn_writes(),
        Env::empty().with("SEEDLOOP_REPLAY", found.token_text.clone()),
    );
    assert_eq!(replayed.schedules_run, 1, "a replay runs the token once");
    let again = replayed.report.expect("the token fails again");
    assert_eq!(again.failure.message, found.failure.message);
    assert_eq!(
        faults_line(&again.to_string()),
        faults_line(&found.to_string())
    );
    assert_eq!(again.origin, harness::Origin::ReplayVariable);
    let mut as_found = (*again).clone();
    as_found.origin = found.origin.clone();
    assert_eq!(as_found.to_string(), found.to_string());
}

#[test]
fn the_correct_store_survives_the_same_fault_sweep() {
    let out = Check::new()
        .seeds(32)
        .env(Env::empty())
        .no_regressions()
        .faults(torn_writes())
        .explore(|| async { kv::run(Version::Correct).await.map(drop) });
    assert!(out.passed(), "{}", out.failure_text().unwrap_or_default());
    assert_eq!(out.schedules_run, 32);
}

#[test]
fn faults_apply_to_every_run_and_lost_datagrams_are_named() {
    let out = Check::new()
        .seeds(8)
        .env(Env::empty())
        .no_regressions()
        .faults(FaultConfig::new().net(NetConfig::default().loss(1.0)))
        .explore(|| async {
            let rx = sim::host::host("b").spawn(async {
                let s = UdpSocket::bind("0.0.0.0:9").await.unwrap();
                let mut buf = [0; 8];
                sim::time::timeout(Duration::from_secs(1), s.recv_from(&mut buf))
                    .await
                    .is_ok()
            });
            sim::time::sleep(Duration::from_millis(1)).await;
            let s = UdpSocket::bind("localhost:0").await.unwrap();
            s.send_to(b"ping", "b:9").await.unwrap();
            assert!(rx.await.unwrap(), "the datagram never arrived");
        });
    let report = out
        .report
        .expect("loss 1.0 loses every datagram")
        .to_string();
    assert_eq!(out.schedules_to_first_failure, Some(1));
    let faults = faults_line(&report);
    assert!(
        faults.contains("net: datagram") && faults.contains("-> b:9 lost"),
        "{faults}"
    );
}

#[test]
fn a_report_without_faults_has_no_faults_line() {
    let out = Check::new()
        .seeds(4)
        .env(Env::empty())
        .no_regressions()
        .explore(|| async { assert_eq!(1 + 1, 3, "arithmetic") });
    let report = out.report.expect("always fails").to_string();
    assert!(!report.contains("note: faults:"), "{report}");
}
