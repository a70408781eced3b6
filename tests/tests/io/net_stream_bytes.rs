//! Simulated streams carry bytes exactly: many small writes read back in any piece sizes, in
//! order, with peeks in between, then the end of the stream.

use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt};
use sim::net::{self, NetConfig, TcpListener, TcpStream};
use sim::{Sim, Strategy};

const MS: Duration = Duration::from_millis(1);

/// Byte `i` of the test stream (period 251, so a byte lost, repeated or swapped shows).
fn byte(i: usize) -> u8 {
    (i % 251) as u8
}

/// Writes of 1 to 97 bytes, `writes` of them, totalling what the reader expects.
fn write_sizes(writes: usize) -> impl Iterator<Item = usize> {
    (0..writes).map(|i| 1 + (i * 7919) % 97)
}

#[test]
fn many_small_writes_arrive_whole_and_in_order_through_reads_of_any_size() {
    const WRITES: usize = 3000;
    let total: usize = write_sizes(WRITES).sum();
    for seed in 0..6 {
        let mut sim = Sim::builder()
            .seed(seed)
            .strategy(Strategy::random())
            .build();
        let (got, peeks) = sim
            .run(async move {
                net::configure(NetConfig::default().latency(Duration::ZERO..=MS * 2));
                let reader = net::host("b").spawn(async move {
                    let l = TcpListener::bind("0.0.0.0:5").await.unwrap();
                    let (mut s, _) = l.accept().await.unwrap();
                    let mut got = Vec::new();
                    let mut peeks = 0;
                    // Odd sizes, one larger than everything buffered at a time.
                    let sizes = [1, 7, 64, 333, 5000, 2];
                    for round in 0.. {
                        if round % 10 == 9 {
                            // Peek: the next bytes, not consumed.
                            let mut p = [0; 40];
                            let k = std::future::poll_fn(|cx| s.poll_peek(cx, &mut p))
                                .await
                                .unwrap();
                            let want: Vec<u8> = (got.len()..got.len() + k).map(byte).collect();
                            assert_eq!(&p[..k], &want[..], "peek at {}", got.len());
                            peeks += usize::from(k > 0);
                        }
                        let mut buf = vec![0; sizes[round % sizes.len()]];
                        let k = s.read(&mut buf).await.unwrap();
                        if k == 0 {
                            break;
                        }
                        got.extend_from_slice(&buf[..k]);
                        if round % 50 == 0 {
                            // Let a backlog build up behind partly read bytes.
                            sim::time::sleep(MS * 3).await;
                        }
                    }
                    // The end of the stream stays the end.
                    let mut buf = [0; 8];
                    assert_eq!(s.read(&mut buf).await.unwrap(), 0);
                    (got, peeks)
                });
                net::host("a").spawn(async move {
                    sim::time::sleep(MS).await;
                    let mut s = TcpStream::connect("b:5").await.unwrap();
                    let mut at = 0;
                    for (i, n) in write_sizes(WRITES).enumerate() {
                        let chunk: Vec<u8> = (at..at + n).map(byte).collect();
                        s.write_all(&chunk).await.unwrap();
                        at += n;
                        if i % 100 == 0 {
                            sim::time::sleep(MS / 4).await;
                        }
                    }
                    // Shut down at once: everything written is still in flight or unread.
                    s.close().await.unwrap();
                });
                reader.await.unwrap()
            })
            .unwrap();
        assert_eq!(got.len(), total, "seed {seed}");
        if let Some(i) = (0..total).find(|&i| got[i] != byte(i)) {
            panic!("seed {seed}: byte {i} is {}, not {}", got[i], byte(i));
        }
        assert!(peeks > 10, "seed {seed}: only {peeks} peeks saw bytes");
    }
}

/// A writer on host `a` sends `messages` messages of 64 bytes at one instant to a reader on
/// host `b`, which reads them all; returns how many scheduling decisions the run drew.
fn burst_decisions(messages: u64) -> usize {
    let mut sim = Sim::builder().seed(1).strategy(Strategy::random()).build();
    let sum = sim
        .run(async move {
            let reader = net::host("b").spawn(async move {
                let l = TcpListener::bind("0.0.0.0:5").await.unwrap();
                let (mut s, _) = l.accept().await.unwrap();
                let mut sum = 0;
                let mut m = [0; 64];
                for _ in 0..messages {
                    s.read_exact(&mut m).await.unwrap();
                    sum += u64::from_le_bytes(m[..8].try_into().unwrap());
                }
                sum
            });
            net::host("a").spawn(async move {
                sim::time::sleep(MS).await;
                let mut s = TcpStream::connect("b:5").await.unwrap();
                for i in 0..messages {
                    let mut m = [0; 64];
                    m[..8].copy_from_slice(&i.to_le_bytes());
                    s.write_all(&m).await.unwrap();
                }
                s.close().await.unwrap();
            });
            reader.await.unwrap()
        })
        .unwrap();
    assert_eq!(sum, messages * (messages - 1) / 2);
    sim.trace().schedule().len()
}

#[test]
fn writes_behind_bytes_in_flight_do_not_wake_the_reader_waiting_for_them() {
    // The reader sleeps until the first segment arrives; every later write lands behind it,
    // changes nothing it could see, and leaves it asleep. Were each write to wake it, the
    // writer would find it runnable at each write's preemption point and draw a decision there.
    let (few, many) = (burst_decisions(100), burst_decisions(2000));
    assert!(
        many <= few + 20,
        "decisions grow with the writes: {few} for 100 messages, {many} for 2000"
    );
}
