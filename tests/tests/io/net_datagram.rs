//! Simulated datagrams: loss, duplication, reordering, partitions, latency bounds.

use std::time::Duration;

use sim::net::{self, NetConfig, UdpSocket};
use sim::{Sim, Strategy};

const MS: Duration = Duration::from_millis(1);

/// Receives until nothing arrives for a second; returns (payload byte, arrival ms) pairs.
async fn drain(s: &UdpSocket) -> Vec<(u8, u128)> {
    let mut got = Vec::new();
    let mut buf = [0u8; 8];
    while let Ok(r) = sim::time::timeout(Duration::from_secs(1), s.recv_from(&mut buf)).await {
        let (n, _) = r.unwrap();
        assert_eq!(n, 1);
        got.push((buf[0], sim::time::elapsed().as_millis()));
    }
    got
}

/// `b` receives on port 9 whatever `main` sends it with `send(socket)`.
fn exchange<F>(seed: u64, config: NetConfig, send: F) -> Vec<(u8, u128)>
where
    F: AsyncFnOnce(&UdpSocket),
{
    let mut sim = Sim::builder().seed(seed).strategy(Strategy::fifo()).build();
    sim.run(async {
        net::configure(config);
        let rx = net::host("b").spawn(async {
            let s = UdpSocket::bind("0.0.0.0:9").await.unwrap();
            drain(&s).await
        });
        sim::time::sleep(MS).await;
        let s = UdpSocket::bind("localhost:0").await.unwrap();
        send(&s).await;
        rx.await.unwrap()
    })
    .unwrap()
}

#[test]
fn datagrams_across_a_partition_are_lost_even_in_flight() {
    let fixed = NetConfig::default().latency(MS * 10..=MS * 10);
    let got = exchange(1, fixed, async |s| {
        s.send_to(&[1], "b:9").await.unwrap(); // in flight when the partition starts
        sim::time::sleep(MS * 5).await;
        net::partition("main", "b");
        s.send_to(&[2], "b:9").await.unwrap(); // sent into the partition
        sim::time::sleep(MS * 100).await;
        net::repair("main", "b");
        s.send_to(&[3], "b:9").await.unwrap();
    });
    assert_eq!(got, [(3, 116)]);
}

#[test]
fn a_one_way_partition_loses_one_direction_only() {
    let mut sim = Sim::new(2);
    let (at_b, at_main) = sim
        .run(async {
            let b = net::host("b").spawn(async {
                let s = UdpSocket::bind("0.0.0.0:9").await.unwrap();
                sim::time::sleep(MS).await; // main has bound its port
                s.send_to(&[7], "main:9").await.unwrap();
                drain(&s).await
            });
            let s = UdpSocket::bind("localhost:9").await.unwrap();
            net::partition_oneway("main", "b");
            s.send_to(&[1], "b:9").await.unwrap();
            let at_main = drain(&s).await;
            (b.await.unwrap(), at_main)
        })
        .unwrap();
    assert!(at_b.is_empty(), "main -> b is cut: {at_b:?}");
    assert_eq!(at_main.iter().map(|p| p.0).collect::<Vec<_>>(), [7]);
}

#[test]
fn loss_is_a_seeded_decision_that_replays() {
    let lossy = || NetConfig::default().loss(0.3);
    let send_100 = async |s: &UdpSocket| {
        for i in 0..100u8 {
            s.send_to(&[i], "b:9").await.unwrap();
        }
    };
    let a = exchange(5, lossy(), send_100);
    let kept = a.len();
    assert!((50..=90).contains(&kept), "kept {kept} of 100 at 30% loss");
    assert_eq!(
        a,
        exchange(5, lossy(), send_100),
        "the same seed loses the same ones"
    );
    assert_ne!(
        a,
        exchange(6, lossy(), send_100),
        "another seed loses others"
    );
    // Without loss everything arrives, in order.
    let all = exchange(5, NetConfig::default(), send_100);
    assert_eq!(
        all.iter().map(|p| p.0).collect::<Vec<_>>(),
        (0..100).collect::<Vec<_>>()
    );
}

#[test]
fn duplication_and_reordering_happen_as_configured() {
    let send_20 = async |s: &UdpSocket| {
        for i in 0..20u8 {
            s.send_to(&[i], "b:9").await.unwrap();
            sim::time::sleep(MS).await;
        }
    };
    let dup = exchange(3, NetConfig::default().duplicate(1.0), send_20);
    assert_eq!(dup.len(), 40);
    assert!(dup.chunks(2).all(|c| c[0].0 == c[1].0), "{dup:?}");

    let re = exchange(
        3,
        NetConfig::default().latency(MS * 5..=MS * 5).reorder(0.3),
        send_20,
    );
    let order: Vec<u8> = re.iter().map(|p| p.0).collect();
    assert_eq!(order.len(), 20);
    assert!(
        order.windows(2).any(|w| w[0] > w[1]),
        "some overtaken: {order:?}"
    );
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..20).collect::<Vec<_>>());
}

#[test]
fn datagram_latency_stays_within_bounds() {
    let got = exchange(
        8,
        NetConfig::default().latency(MS * 3..=MS * 9),
        async |s: &UdpSocket| {
            for i in 0..50u8 {
                s.send_to(&[i], "b:9").await.unwrap();
                sim::time::sleep(MS * 20).await;
            }
        },
    );
    assert_eq!(got.len(), 50);
    for (i, at) in got {
        let sent = 1 + 20 * u128::from(i);
        let d = at - sent;
        assert!((3..=9).contains(&d), "datagram {i} took {d}ms");
    }
}

#[test]
fn faults_do_not_shift_the_values_user_code_draws() {
    let draw = |loss: f64| {
        let mut sim = Sim::builder().seed(4).strategy(Strategy::fifo()).build();
        let out = sim
            .run(async move {
                net::configure(NetConfig::default().loss(loss).latency(MS..=MS * 9));
                let rx = net::host("b").spawn(async {
                    let s = UdpSocket::bind("0.0.0.0:9").await.unwrap();
                    drain(&s).await.len()
                });
                sim::time::sleep(MS).await;
                let s = UdpSocket::bind("localhost:0").await.unwrap();
                for _ in 0..10 {
                    s.send_to(b"x", "b:9").await.unwrap();
                }
                (sim::rand::random::<u64>(), rx.await.unwrap())
            })
            .unwrap();
        let faults = sim
            .trace()
            .schedule()
            .iter()
            .filter(|d| matches!(d, sim::schedule::Decision::Value { .. }))
            .count();
        (out, faults)
    };
    let ((clean, all), clean_faults) = draw(0.0);
    let ((lossy, some), lossy_faults) = draw(0.5);
    assert_eq!(
        clean, lossy,
        "the user's random value is the same with and without loss"
    );
    assert_eq!(all, 10);
    assert!(
        some < 10,
        "half the datagrams should be lost, {some} arrived"
    );
    assert_eq!(clean_faults, 10 + 1, "ten latencies and one user value");
    assert!(
        lossy_faults > clean_faults,
        "every loss draw is a recorded decision"
    );
}

#[test]
fn a_socket_shared_by_several_receivers_loses_no_datagram() {
    for seed in 0..10 {
        let mut sim = Sim::new(seed);
        let total = sim
            .run(async {
                let rx = std::rc::Rc::new(UdpSocket::bind("localhost:9").await.unwrap());
                let receivers: Vec<_> = (0..3)
                    .map(|_| {
                        let rx = rx.clone();
                        // Each takes one datagram and leaves: a lost wake-up would strand one.
                        sim::spawn(async move {
                            let mut buf = [0u8; 1];
                            rx.recv_from(&mut buf).await.unwrap();
                            1
                        })
                    })
                    .collect();
                let tx = UdpSocket::bind("localhost:0").await.unwrap();
                for i in 0..3u8 {
                    tx.send_to(&[i], "localhost:9").await.unwrap();
                    sim::time::sleep(MS).await;
                }
                let mut total = 0;
                for r in receivers {
                    total += r.await.unwrap();
                }
                total
            })
            .unwrap();
        assert_eq!(total, 3, "seed {seed}");
    }
}
