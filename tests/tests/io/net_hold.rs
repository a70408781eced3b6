//! Holding and releasing messages: nothing is lost, everything waits.

use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt};
use sim::net::{self, NetConfig, TcpListener, TcpStream, UdpSocket};
use sim::{Sim, Strategy};

const MS: Duration = Duration::from_millis(1);

#[test]
fn held_datagrams_in_flight_and_later_arrive_after_release() {
    let mut sim = Sim::builder().seed(2).strategy(Strategy::fifo()).build();
    let got = sim
        .run(async {
            net::configure(NetConfig::default().latency(MS * 10..=MS * 10));
            let rx = net::host("b").spawn(async {
                let s = UdpSocket::bind("0.0.0.0:9").await.unwrap();
                let mut got = Vec::new();
                let mut buf = [0u8; 1];
                for _ in 0..2 {
                    s.recv_from(&mut buf).await.unwrap();
                    got.push((buf[0], sim::time::elapsed()));
                }
                got
            });
            sim::time::sleep(MS).await;
            let s = UdpSocket::bind("localhost:0").await.unwrap();
            s.send_to(&[1], "b:9").await.unwrap(); // in flight when the hold starts
            sim::time::sleep(MS * 5).await;
            net::hold("main", "b");
            s.send_to(&[2], "b:9").await.unwrap();
            sim::time::sleep(Duration::from_secs(1)).await;
            net::release("main", "b");
            rx.await.unwrap()
        })
        .unwrap();
    let released = MS * 6 + Duration::from_secs(1);
    assert_eq!(got, [(1, released + MS * 10), (2, released + MS * 10)]);
}

#[test]
fn stream_bytes_wait_for_both_the_repair_and_the_release() {
    let mut sim = Sim::builder().seed(3).strategy(Strategy::fifo()).build();
    let arrived = sim
        .run(async {
            net::configure(NetConfig::default().latency(MS * 10..=MS * 10));
            let server = net::host("b").spawn(async {
                let l = TcpListener::bind("0.0.0.0:1").await.unwrap();
                let (mut s, _) = l.accept().await.unwrap();
                let mut buf = [0u8; 2];
                s.read_exact(&mut buf).await.unwrap();
                sim::time::elapsed()
            });
            sim::time::sleep(MS).await;
            let mut c = TcpStream::connect("b:1").await.unwrap(); // t = 21 ms
            net::hold("main", "b");
            net::partition("main", "b");
            c.write_all(b"hi").await.unwrap();
            sim::time::sleep(Duration::from_secs(1)).await;
            net::repair("main", "b"); // still held
            sim::time::sleep(Duration::from_secs(1)).await;
            net::release("main", "b");
            server.await.unwrap()
        })
        .unwrap();
    assert_eq!(arrived, MS * 21 + Duration::from_secs(2) + MS * 10);
}

#[test]
fn connecting_across_a_hold_times_out() {
    let mut sim = Sim::new(1);
    sim.run(async {
        net::host("b").spawn(async {
            let l = TcpListener::bind("0.0.0.0:1").await.unwrap();
            let _ = l.accept().await;
        });
        sim::time::sleep(MS).await;
        net::hold("main", "b");
        let e = TcpStream::connect("b:1").await.unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
    })
    .unwrap();
}
