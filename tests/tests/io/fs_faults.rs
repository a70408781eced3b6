//! Optional disk faults: torn writes and read errors.

use std::collections::BTreeSet;
use std::io::ErrorKind;

use futures::AsyncWriteExt;
use sim::Sim;
use sim::fs::{self, File, FsConfig};

/// Writes ten unsynced bytes on host `db` with torn writes on, crashes it, returns what survived.
fn torn_run(seed: u64) -> Vec<u8> {
    let mut sim = Sim::new(seed);
    sim.run(async {
        fs::configure(FsConfig::default().torn_writes(true));
        let db = sim::host::host("db");
        db.spawn(async {
            let mut f = File::create("f").await.unwrap();
            f.write_all(b"0123456789").await.unwrap();
        })
        .await
        .unwrap();
        db.crash();
        db.restart();
        db.spawn(async { fs::read("f").await.unwrap() })
            .await
            .unwrap()
    })
    .unwrap()
}

#[test]
fn a_torn_write_keeps_a_recorded_prefix_of_its_bytes() {
    let mut lengths = BTreeSet::new();
    for seed in 0..60 {
        let data = torn_run(seed);
        assert_eq!(
            data[..],
            b"0123456789"[..data.len()],
            "seed {seed}: a prefix"
        );
        assert_eq!(
            torn_run(seed),
            data,
            "seed {seed} tears at the same byte again"
        );
        lengths.insert(data.len());
    }
    assert!(lengths.contains(&10), "some kept whole: {lengths:?}");
    assert!(
        lengths.iter().any(|l| (1..10).contains(l)),
        "some torn: {lengths:?}"
    );
}

#[test]
fn read_errors_happen_at_the_configured_rate() {
    let mut sim = Sim::new(1);
    let failures = sim
        .run(async {
            fs::write("f", b"x").await.unwrap();
            fs::configure(FsConfig::default().read_errors(0.25));
            let mut failures = 0;
            for _ in 0..200 {
                match fs::read("f").await {
                    Ok(d) => assert_eq!(d, b"x"),
                    Err(e) => {
                        assert_eq!(e.kind(), ErrorKind::Other);
                        failures += 1;
                    }
                }
            }
            failures
        })
        .unwrap();
    assert!((25..=75).contains(&failures), "{failures} of 200 at 25%");
}
