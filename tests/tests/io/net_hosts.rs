//! Hosts: which tasks belong to which host, and what a crash takes down.

use std::time::Duration;

use sim::Sim;
use sim::host::{self, Host};

const SEC: Duration = Duration::from_secs(1);

#[test]
fn a_crash_aborts_the_hosts_tasks_and_their_children_only() {
    let mut sim = Sim::new(7);
    sim.run(async {
        let server = host::host("server");
        let (child_tx, child_rx) = std::sync::mpsc::channel();
        let root = server.spawn(async move {
            let child = sim::spawn(async {
                assert_eq!(host::current().name(), "server");
                sim::time::sleep(SEC * 100).await;
            });
            child_tx.send(child).unwrap();
            sim::time::sleep(SEC * 100).await;
        });
        let bystander = sim::spawn(async {
            sim::time::sleep(SEC * 2).await;
            host::current().name().to_string()
        });
        sim::time::sleep(SEC).await;
        let child = child_rx.try_recv().unwrap();
        server.crash();
        assert!(!server.is_up());
        assert!(root.await.unwrap_err().is_cancelled());
        assert!(child.await.unwrap_err().is_cancelled());
        assert_eq!(bystander.await.unwrap(), "main");
        assert_eq!(sim::time::elapsed(), SEC * 2);
    })
    .unwrap();
}

#[test]
fn spawning_on_a_crashed_host_is_refused_with_a_clear_message() {
    let mut sim = Sim::new(0);
    let err = sim
        .run(async {
            let h: Host = host::host("h");
            h.crash();
            h.spawn(async {});
        })
        .unwrap_err();
    let msg = err.panic_message().unwrap();
    assert!(
        msg.contains("host `h`") && msg.contains("Host::restart"),
        "{msg}"
    );
}

#[test]
fn the_main_host_cannot_crash() {
    let mut sim = Sim::new(0);
    let err = sim.run(async { host::current().crash() }).unwrap_err();
    assert!(
        err.panic_message()
            .unwrap()
            .contains("implicit host `main`")
    );
}

#[test]
fn each_run_starts_with_only_the_main_host() {
    let mut sim = Sim::new(0);
    for _ in 0..2 {
        sim.run(async {
            let e = sim::net::TcpStream::connect("left-over:1")
                .await
                .unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
            host::host("left-over");
        })
        .unwrap();
    }
}

#[test]
fn a_host_kept_from_an_earlier_run_is_refused_clearly() {
    let mut sim = Sim::new(0);
    let old = sim.run(async { host::host("h") }).unwrap();
    let err = sim.run(async move { old.crash() }).unwrap_err();
    let msg = err.panic_message().unwrap();
    assert!(msg.contains("host `h` from an earlier run"), "{msg}");
}
