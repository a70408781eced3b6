//! The same seed gives the same execution through the tokio facade: the trace digest of a
//! session with the service is identical in this process and in two other processes.

use std::process::Command;

use tokio::time::Duration;
use tokio_service::{Client, Config, Server};

/// A session using most of the service: connections, locks, channels, timers, pub/sub.
async fn session() {
    let server = Server::bind("127.0.0.1:0", Config::default())
        .await
        .unwrap()
        .spawn();
    let addr = server.addr();
    let mut sub = Client::connect(addr).await.unwrap();
    sub.subscribe("t").await.unwrap();
    let workers: Vec<_> = (0..3)
        .map(|i| {
            tokio::spawn(async move {
                let mut c = Client::connect(addr).await.unwrap();
                c.incr("n").await.unwrap();
                c.set_expiring(&format!("k{i}"), Duration::from_millis(30), "v")
                    .await
                    .unwrap();
                c.publish("t", &format!("from {i}")).await.unwrap();
                c.wait("n", Duration::from_millis(10)).await.unwrap()
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    for _ in 0..3 {
        sub.next_message().await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.shutdown().await;
}

fn digest(seed: u64) -> u64 {
    let mut sim = sim::Sim::new(seed);
    sim.run(session()).expect("the session runs");
    sim.trace().digest()
}

const CHILD: &str = "TOKIO_SERVICE_DIGEST_SEED";
const SEED: u64 = 7;

#[test]
fn same_seed_same_trace_digest_across_processes() {
    if let Ok(seed) = std::env::var(CHILD) {
        // The child's part: print the digest of the given seed.
        println!("digest={:016x}", digest(seed.parse().expect("a seed")));
        return;
    }
    let here = digest(SEED);
    assert_eq!(here, digest(SEED), "twice in one process");
    for _ in 0..2 {
        let exe = std::env::current_exe().expect("the test binary's path");
        let out = Command::new(exe)
            .args([
                "determinism::same_seed_same_trace_digest_across_processes",
                "--exact",
                "--nocapture",
            ])
            .env(CHILD, SEED.to_string())
            .output()
            .expect("the test binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let theirs = stdout
            .lines()
            .find_map(|l| l.strip_prefix("digest="))
            .unwrap_or_else(|| panic!("no digest from the child:\n{stdout}"));
        assert_eq!(
            theirs,
            format!("{here:016x}"),
            "another process, the same execution"
        );
    }
    let others: Vec<u64> = (SEED + 1..SEED + 4).map(digest).collect();
    assert!(
        others.iter().any(|d| *d != here),
        "other seeds explore other executions"
    );
}
