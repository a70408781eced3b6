//! Simulated disks: per-host files, and crashes that lose exactly the unsynced writes a
//! recorded fault decision chose.

use std::collections::BTreeSet;
use std::io::ErrorKind;

use futures::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use sim::fs::{self, File, OpenOptions};
use sim::schedule::{Decision, Schedule};
use sim::{Sim, Strategy};

/// Writes `base` synced, then appends "1", "2", "3" unsynced, crashes the host and returns what
/// survived.
async fn crash_after_three_unsynced_appends() -> Vec<u8> {
    let db = sim::host::host("db");
    db.spawn(async {
        let mut f = File::create("wal").await.unwrap();
        f.write_all(b"base").await.unwrap();
        f.sync_all().await.unwrap();
        let mut f = OpenOptions::new().append(true).open("wal").await.unwrap();
        for part in [b"1", b"2", b"3"] {
            f.write_all(part).await.unwrap();
        }
    })
    .await
    .unwrap();
    db.crash();
    db.restart();
    db.spawn(async { fs::read("wal").await.unwrap() })
        .await
        .unwrap()
}

/// The crash decision: how many of the 3 unsynced writes survived.
fn kept(schedule: &Schedule) -> u64 {
    let v: Vec<u64> = schedule
        .iter()
        .filter_map(|d| match d {
            Decision::Value { value, bound: 4 } => Some(value),
            _ => None,
        })
        .collect();
    assert_eq!(v.len(), 1, "one crash decision for one file: {schedule}");
    v[0]
}

#[test]
fn a_crash_loses_exactly_the_unsynced_writes_the_decision_chose() {
    let mut seen = BTreeSet::new();
    for seed in 0..40 {
        let mut sim = Sim::new(seed);
        let data = sim.run(crash_after_three_unsynced_appends()).unwrap();
        let k = kept(sim.trace().schedule()) as usize;
        let want = [&b"base"[..], b"1", b"2", b"3"][..=k].concat();
        assert_eq!(data, want, "seed {seed} kept {k}");
        seen.insert(k);
    }
    assert_eq!(
        seen,
        BTreeSet::from([0, 1, 2, 3]),
        "none, some and all lost"
    );
}

#[test]
fn a_replay_loses_the_same_writes() {
    for seed in 0..10 {
        let mut sim = Sim::new(seed);
        let first = sim.run(crash_after_three_unsynced_appends()).unwrap();
        let schedule = sim.trace().schedule().clone();
        assert_eq!(
            sim.run(crash_after_three_unsynced_appends()).unwrap(),
            first
        );
        let mut replay = Sim::builder().strategy(Strategy::replay(schedule)).build();
        assert_eq!(
            replay.run(crash_after_three_unsynced_appends()).unwrap(),
            first
        );
    }
}

#[test]
fn an_edited_schedule_chooses_the_loss() {
    let mut sim = Sim::builder().seed(1).strategy(Strategy::fifo()).build();
    sim.run(crash_after_three_unsynced_appends()).unwrap();
    for keep in 0..4u64 {
        let edited: Vec<Decision> = sim
            .trace()
            .schedule()
            .iter()
            .map(|d| match d {
                Decision::Value { bound: 4, .. } => Decision::Value {
                    value: keep,
                    bound: 4,
                },
                d => d,
            })
            .collect();
        let mut replay = Sim::builder()
            .strategy(Strategy::replay(Schedule::from(edited)))
            .build();
        let data = replay.run(crash_after_three_unsynced_appends()).unwrap();
        assert_eq!(data.len(), 4 + keep as usize);
    }
}

#[test]
fn synced_files_survive_and_namespace_changes_are_durable() {
    for seed in 0..10 {
        let mut sim = Sim::new(seed);
        sim.run(async {
            let db = sim::host::host("db");
            db.spawn(async {
                let mut f = File::create("a").await.unwrap();
                f.write_all(b"alpha").await.unwrap();
                f.sync_all().await.unwrap();
                fs::write("tmp", b"unsynced").await.unwrap();
                fs::rename("a", "b").await.unwrap();
                fs::write("gone", b"").await.unwrap();
                fs::remove_file("gone").await.unwrap();
            })
            .await
            .unwrap();
            db.crash();
            db.restart();
            db.spawn(async {
                assert_eq!(fs::list("").await, ["b", "tmp"]);
                assert_eq!(fs::read("b").await.unwrap(), b"alpha");
                let tmp = fs::read("tmp").await.unwrap();
                assert!(tmp.is_empty() || tmp == b"unsynced", "{tmp:?}");
            })
            .await
            .unwrap();
        })
        .unwrap();
    }
}

#[test]
fn each_host_has_its_own_disk() {
    let mut sim = Sim::new(0);
    sim.run(async {
        sim::host::host("a")
            .spawn(async { fs::write("f", b"on a").await.unwrap() })
            .await
            .unwrap();
        assert!(!fs::exists("f").await, "main's disk is another disk");
        let e = sim::host::host("b")
            .spawn(async { fs::read("f").await.unwrap_err() })
            .await
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::NotFound);
    })
    .unwrap();
}

#[test]
fn files_read_write_seek_and_truncate_like_std() {
    let mut sim = Sim::new(3);
    sim.run(async {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .open("f")
            .await
            .unwrap();
        f.write_all(b"hello world").await.unwrap();
        f.seek(std::io::SeekFrom::Start(6)).await.unwrap();
        f.write_all(b"there").await.unwrap();
        f.seek(std::io::SeekFrom::Start(0)).await.unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).await.unwrap();
        assert_eq!(s, "hello there");
        f.set_len(5).await.unwrap();
        assert_eq!(fs::read("f").await.unwrap(), b"hello");
        let e = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open("f")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AlreadyExists);
        let mut ro = File::open("f").await.unwrap();
        assert_eq!(
            ro.write(b"x").await.unwrap_err().kind(),
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            fs::remove_file("nope").await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
    })
    .unwrap();
}

#[test]
fn each_file_gets_its_own_crash_decision() {
    let mut outcomes = BTreeSet::new();
    for seed in 0..30 {
        let mut sim = Sim::new(seed);
        let (a, b) = sim
            .run(async {
                let db = sim::host::host("db");
                db.spawn(async {
                    fs::write("a", b"A").await.unwrap();
                    fs::write("b", b"B").await.unwrap();
                })
                .await
                .unwrap();
                db.crash();
                db.restart();
                db.spawn(async { (fs::read("a").await.unwrap(), fs::read("b").await.unwrap()) })
                    .await
                    .unwrap()
            })
            .unwrap();
        outcomes.insert((a.len(), b.len()));
    }
    assert_eq!(outcomes, BTreeSet::from([(0, 0), (0, 1), (1, 0), (1, 1)]));
}
