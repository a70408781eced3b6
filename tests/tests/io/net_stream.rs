//! Simulated streams: echo, many clients, partitions, latency bounds, error kinds.

use std::io::ErrorKind;
use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt};
use sim::net::{self, NetConfig, TcpListener, TcpStream};
use sim::{Sim, Strategy};

const MS: Duration = Duration::from_millis(1);

fn fixed_latency(ms: u64) -> NetConfig {
    NetConfig::default().latency(MS * ms as u32..=MS * ms as u32)
}

/// An echo server on host `server` port 7: one task per connection, echoing until EOF.
fn spawn_echo_server() {
    net::host("server").spawn(async {
        let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            sim::spawn(async move {
                let mut buf = [0u8; 64];
                loop {
                    let n = s.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    s.write_all(&buf[..n]).await.unwrap();
                }
            });
        }
    });
}

async fn echo_once(msg: &[u8]) -> Vec<u8> {
    let mut c = TcpStream::connect("server:7").await.unwrap();
    c.write_all(msg).await.unwrap();
    c.close().await.unwrap();
    let mut out = Vec::new();
    c.read_to_end(&mut out).await.unwrap();
    out
}

#[test]
fn echo_server_and_client_under_many_seeds() {
    for seed in 0..20 {
        let mut sim = Sim::new(seed);
        let out = sim
            .run(async {
                net::configure(NetConfig::default().latency(MS..=MS * 5));
                spawn_echo_server();
                sim::time::sleep(MS).await;
                echo_once(b"hello, simulated world").await
            })
            .unwrap();
        assert_eq!(out, b"hello, simulated world", "seed {seed}");
    }
}

#[test]
fn a_server_serves_100_concurrent_clients() {
    for seed in 0..3 {
        let mut sim = Sim::new(seed);
        let replies = sim
            .run(async {
                net::configure(NetConfig::default().latency(MS..=MS * 20));
                spawn_echo_server();
                sim::time::sleep(MS).await;
                let clients: Vec<_> = (0..100)
                    .map(|i| {
                        net::host(&format!("client{i}"))
                            .spawn(async move { echo_once(format!("msg {i}").as_bytes()).await })
                    })
                    .collect();
                let mut out = Vec::new();
                for c in clients {
                    out.push(String::from_utf8(c.await.unwrap()).unwrap());
                }
                out
            })
            .unwrap();
        let want: Vec<String> = (0..100).map(|i| format!("msg {i}")).collect();
        assert_eq!(replies, want, "seed {seed}");
    }
}

#[test]
fn stream_bytes_stall_across_a_partition_until_repair() {
    let mut sim = Sim::builder().seed(5).strategy(Strategy::fifo()).build();
    let (arrived, sent_at) = sim
        .run(async {
            net::configure(fixed_latency(10));
            let server = net::host("server").spawn(async {
                let l = TcpListener::bind("0.0.0.0:1").await.unwrap();
                let (mut s, _) = l.accept().await.unwrap();
                let mut buf = [0u8; 4];
                s.read_exact(&mut buf).await.unwrap();
                (buf, sim::time::elapsed())
            });
            sim::time::sleep(MS).await;
            let mut c = TcpStream::connect("server:1").await.unwrap();
            c.write_all(b"ab").await.unwrap();
            // Cut while "ab" is in flight, then write more during the partition.
            sim::time::sleep(MS * 5).await;
            net::partition("main", "server");
            c.write_all(b"cd").await.unwrap();
            let sent_at = sim::time::elapsed();
            sim::time::sleep(Duration::from_secs(1)).await;
            net::repair("main", "server");
            let (buf, at) = server.await.unwrap();
            assert_eq!(&buf, b"abcd");
            (at, sent_at)
        })
        .unwrap();
    // Nothing arrives during the partition; everything arrives one latency after the repair.
    assert_eq!(sent_at, MS * 26);
    assert_eq!(arrived, MS * 26 + Duration::from_secs(1) + MS * 10);
}

#[test]
fn one_way_partition_cuts_only_one_direction() {
    let mut sim = Sim::builder().seed(1).strategy(Strategy::fifo()).build();
    let (request_at, reply_at) = sim
        .run(async {
            net::configure(fixed_latency(10));
            net::host("server").spawn(async {
                let l = TcpListener::bind("0.0.0.0:1").await.unwrap();
                let (mut s, _) = l.accept().await.unwrap();
                let mut buf = [0u8; 3];
                s.read_exact(&mut buf).await.unwrap();
                let got = sim::time::elapsed();
                s.write_all(&got.as_millis().to_le_bytes()).await.unwrap();
            });
            sim::time::sleep(MS).await;
            let mut c = TcpStream::connect("server:1").await.unwrap(); // t = 21ms
            net::partition_oneway("server", "main");
            c.write_all(b"req").await.unwrap();
            let repair = sim::spawn(async {
                sim::time::sleep(Duration::from_secs(2)).await;
                net::repair_oneway("server", "main");
            });
            let mut buf = [0u8; 16];
            c.read_exact(&mut buf).await.unwrap();
            repair.await.unwrap();
            (u128::from_le_bytes(buf), sim::time::elapsed())
        })
        .unwrap();
    assert_eq!(
        request_at, 31,
        "the request crossed the open direction at once"
    );
    assert_eq!(reply_at, MS * 21 + Duration::from_secs(2) + MS * 10);
}

#[test]
fn latency_stays_within_the_configured_bounds_and_varies() {
    let mut sim = Sim::new(11);
    let delays = sim
        .run(async {
            net::configure(NetConfig::default().latency(MS * 5..=MS * 20));
            let server = net::host("server").spawn(async {
                let l = TcpListener::bind("0.0.0.0:1").await.unwrap();
                let (mut s, _) = l.accept().await.unwrap();
                let mut delays = Vec::new();
                let mut buf = [0u8; 8];
                while s.read_exact(&mut buf).await.is_ok() {
                    let sent = u64::from_le_bytes(buf);
                    delays.push(sim::time::now().as_nanos() - sent);
                }
                delays
            });
            sim::time::sleep(MS).await;
            let t0 = sim::time::now();
            let mut c = TcpStream::connect("server:1").await.unwrap();
            let rtt = sim::time::now() - t0;
            assert!(rtt >= MS * 10 && rtt <= MS * 40, "connect took {rtt:?}");
            for _ in 0..200 {
                let now = sim::time::now().as_nanos();
                c.write_all(&now.to_le_bytes()).await.unwrap();
                sim::time::sleep(MS).await;
            }
            c.close().await.unwrap();
            server.await.unwrap()
        })
        .unwrap();
    assert_eq!(delays.len(), 200);
    let (min, max) = (5_000_000, 20_000_000);
    for d in &delays {
        assert!((min..=max).contains(d), "delay {d}ns outside 5..=20ms");
    }
    let distinct: std::collections::BTreeSet<_> = delays.iter().collect();
    assert!(distinct.len() > 50, "latency should vary: {distinct:?}");
}

#[test]
fn error_kinds_are_those_of_real_sockets() {
    let mut sim = Sim::new(2);
    sim.run(async {
        net::configure(NetConfig::default().connect_timeout(Duration::from_secs(2)));
        let server = net::host("server");
        // Nothing listens: refused after one round trip.
        let e = TcpStream::connect("server:80").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionRefused);
        // Unknown host: a clear error naming it.
        let e = TcpStream::connect("nosuch:80").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains("nosuch"), "{e}");
        // Port taken.
        let _l = TcpListener::bind("0.0.0.0:80").await.unwrap();
        let e = TcpListener::bind("localhost:80").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AddrInUse);
        assert!(e.to_string().contains("already bound"), "{e}");
        // Another host's address.
        let e = TcpListener::bind("server:80").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AddrNotAvailable);
        // Bad text.
        let e = TcpStream::connect("server").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        // A crashed host does not answer: timed out after the connect timeout.
        server.crash();
        let t0 = sim::time::now();
        let e = TcpStream::connect("server:80").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TimedOut);
        assert_eq!(sim::time::now() - t0, Duration::from_secs(2));
    })
    .unwrap();
}

#[test]
fn peers_of_a_crashed_host_see_resets_and_its_listeners_are_gone() {
    let mut sim = Sim::new(3);
    sim.run(async {
        net::configure(fixed_latency(1));
        let server = net::host("server");
        let accepted = server.spawn(async {
            let l = TcpListener::bind("0.0.0.0:5").await.unwrap();
            let (s, _) = l.accept().await.unwrap();
            sim::time::sleep(Duration::from_secs(100)).await;
            drop(s);
        });
        sim::time::sleep(MS).await;
        let mut c = TcpStream::connect("server:5").await.unwrap();
        sim::time::sleep(MS * 10).await;
        server.crash();
        assert!(accepted.await.unwrap_err().is_cancelled());
        let mut buf = [0u8; 4];
        let e = c.read(&mut buf).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionReset);
        let e = c.write_all(b"x").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionReset);
        // After a restart the old listener is gone: refused, until a new server binds.
        server.restart();
        let e = TcpStream::connect("server:5").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionRefused);
        server.spawn(async {
            let l = TcpListener::bind("0.0.0.0:5").await.unwrap();
            let (mut s, _) = l.accept().await.unwrap();
            s.write_all(b"back").await.unwrap();
        });
        sim::time::sleep(MS).await;
        let mut c = TcpStream::connect("server:5").await.unwrap();
        let mut got = String::new();
        c.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "back");
    })
    .unwrap();
}

#[test]
fn dropping_a_stream_with_unread_data_resets_the_peer() {
    let mut sim = Sim::new(4);
    sim.run(async {
        let l = TcpListener::bind("localhost:1").await.unwrap();
        let mut c = TcpStream::connect("localhost:1").await.unwrap();
        let (s, _) = l.accept().await.unwrap();
        c.write_all(b"unread").await.unwrap();
        sim::time::sleep(MS).await;
        drop(s);
        let mut buf = [0u8; 1];
        let e = c.read(&mut buf).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionReset);
    })
    .unwrap();
}

#[test]
fn a_read_that_never_completes_is_named_in_the_deadlock_report() {
    let mut sim = Sim::new(0);
    let err = sim
        .run(async {
            let l = TcpListener::bind("localhost:1").await.unwrap();
            let _c = TcpStream::connect("localhost:1").await.unwrap();
            let (mut s, _) = l.accept().await.unwrap();
            let mut buf = [0u8; 1];
            let _ = s.read(&mut buf).await;
        })
        .unwrap_err();
    assert!(err.is_deadlock());
    let report = err.to_string();
    assert!(
        report.contains("TcpStream::read on `main:1 -> main:49152`"),
        "{report}"
    );
}

#[test]
fn a_seed_replays_the_same_network_run() {
    let run = |seed| {
        let mut sim = Sim::new(seed);
        sim.run(async {
            net::configure(NetConfig::default().latency(MS..=MS * 50));
            spawn_echo_server();
            sim::time::sleep(MS).await;
            let cs: Vec<_> = (0..5)
                .map(|i| sim::spawn(async move { echo_once(&[i; 10]).await }))
                .collect();
            for c in cs {
                c.await.unwrap();
            }
            sim::time::now()
        })
        .unwrap();
        (sim.trace().digest(), sim.trace().schedule().clone())
    };
    let (a, schedule) = run(9);
    assert_eq!(a, run(9).0);
    assert_ne!(a, run(10).0);
    let mut sim = Sim::builder().strategy(Strategy::replay(schedule)).build();
    sim.run(async {
        net::configure(NetConfig::default().latency(MS..=MS * 50));
        spawn_echo_server();
        sim::time::sleep(MS).await;
        let cs: Vec<_> = (0..5)
            .map(|i| sim::spawn(async move { echo_once(&[i; 10]).await }))
            .collect();
        for c in cs {
            c.await.unwrap();
        }
    })
    .unwrap();
    assert_eq!(sim.trace().digest(), a);
}

#[test]
fn a_listener_shared_by_several_accepting_tasks_loses_no_connection() {
    for seed in 0..10 {
        let mut sim = Sim::new(seed);
        let served = sim
            .run(async {
                let l = std::rc::Rc::new(TcpListener::bind("localhost:1").await.unwrap());
                let acceptors: Vec<_> = (0..3)
                    .map(|_| {
                        let l = l.clone();
                        // Each serves one connection and leaves: a lost wake-up would strand one.
                        sim::spawn(async move {
                            let (mut s, _) = l.accept().await.unwrap();
                            s.write_all(b"x").await.unwrap();
                            1
                        })
                    })
                    .collect();
                let clients: Vec<_> = (0..3)
                    .map(|i| {
                        sim::spawn(async move {
                            sim::time::sleep(MS * i).await;
                            let mut c = TcpStream::connect("localhost:1").await.unwrap();
                            let mut b = [0u8; 1];
                            c.read_exact(&mut b).await.unwrap();
                        })
                    })
                    .collect();
                for c in clients {
                    c.await.unwrap();
                }
                let mut total = 0;
                for a in acceptors {
                    total += a.await.unwrap();
                }
                total
            })
            .unwrap();
        assert_eq!(served, 3, "seed {seed}");
    }
}

#[test]
fn writing_to_a_closed_peer_succeeds_once_then_is_reset() {
    let mut sim = Sim::builder().seed(1).strategy(Strategy::fifo()).build();
    sim.run(async {
        net::configure(fixed_latency(5));
        net::host("server").spawn(async {
            let l = TcpListener::bind("0.0.0.0:1").await.unwrap();
            let (s, _) = l.accept().await.unwrap();
            drop(s); // closes cleanly: nothing was left unread
        });
        sim::time::sleep(MS).await;
        let mut c = TcpStream::connect("server:1").await.unwrap();
        let mut buf = [0u8; 1];
        assert_eq!(c.read(&mut buf).await.unwrap(), 0, "end of stream");
        // As on a real socket, the first write is accepted; the peer's host answers with a
        // reset, which arrives one round trip later.
        c.write_all(b"late").await.unwrap();
        sim::time::sleep(MS * 9).await;
        c.write_all(b"still accepted").await.unwrap();
        sim::time::sleep(MS).await;
        let e = c.write_all(b"again").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionReset);
    })
    .unwrap();
}

#[test]
fn connections_never_accepted_are_reset_when_the_listener_closes() {
    let mut sim = Sim::new(6);
    sim.run(async {
        let l = TcpListener::bind("localhost:1").await.unwrap();
        let mut c = TcpStream::connect("localhost:1").await.unwrap();
        drop(l);
        let mut buf = [0u8; 1];
        let e = c.read(&mut buf).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionReset);
        let e = TcpStream::connect("localhost:1").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionRefused);
    })
    .unwrap();
}
