//! `sim::channel::mpsc`: FIFO hand-off, no barging, close semantics, cancellation at every await
//! point, `Stream`/`Sink` use.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use crate::channel_support::{
    Record, assert_same_items_fifo_per_producer, every_strategy, fifo, logs,
};
use futures::{SinkExt, StreamExt};
use sim::channel::mpsc::{self, Receiver, error::TryRecvError, error::TrySendError};
use sim::time::sleep;

/// Case 40's interleaving with a capacity-1 channel: each freed slot goes straight to the
/// blocked producer.
#[test]
fn capacity_one_interleaving_is_exact_under_fifo() {
    let mut sim = fifo();
    sim.run(async {
        let (tx, mut rx) = mpsc::channel(1);
        let p = sim::spawn(async move {
            for i in 0..3 {
                tx.send(i).await.unwrap();
                sim::log!("produced {i}");
            }
        });
        let c = sim::spawn(async move {
            for _ in 0..3 {
                let v = rx.recv().await.unwrap();
                sim::log!("consumed {v}");
                sleep(Duration::from_secs(1)).await;
            }
        });
        p.await.unwrap();
        c.await.unwrap();
    })
    .unwrap();
    assert_eq!(
        logs(&sim),
        [
            "0s produced 0",
            "0s consumed 0",
            "0s produced 1",
            "1s consumed 1",
            "1s produced 2",
            "2s consumed 2"
        ]
    );
}

/// A slot freed while senders wait belongs to the oldest of them: a newcomer's `try_send` fails
/// and values arrive in blocking order.
#[test]
fn blocked_senders_are_served_in_order_without_barging() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(1);
            tx.send(0).await.unwrap();
            let mut hs = Vec::new();
            for v in 1..=3 {
                let tx = tx.clone();
                hs.push(sim::spawn(async move { tx.send(v).await.unwrap() }));
                // Let it block before spawning the next one.
                sleep(Duration::from_millis(1)).await;
            }
            assert_eq!(rx.recv().await, Some(0));
            assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
            for v in 1..=3 {
                assert_eq!(rx.recv().await, Some(v));
            }
            for h in hs {
                h.await.unwrap();
            }
            assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        })
        .unwrap();
    }
}

/// Order-free: three producers, a slow consumer, every item once, in order per producer.
#[test]
fn every_item_is_delivered_once_in_order_per_producer() {
    for mut sim in every_strategy() {
        let sent = Record::default();
        let s = sent.clone();
        let got = sim
            .run(async move {
                let (tx, mut rx) = mpsc::channel::<u32>(2);
                for p in 0..3u32 {
                    let (tx, s) = (tx.clone(), s.clone());
                    sim::spawn(async move {
                        for i in 0..20 {
                            tx.send(p * 100 + i).await.unwrap();
                            s.push(p * 100 + i);
                            if i % 4 == p {
                                sim::task::yield_now().await;
                            }
                        }
                    });
                }
                drop(tx);
                let mut got = Vec::new();
                while let Some(v) = rx.recv().await {
                    got.push(v);
                    sleep(Duration::from_millis(u64::from(v % 3))).await;
                }
                got
            })
            .unwrap();
        assert_eq!(got.len(), 60);
        assert_same_items_fifo_per_producer(&sent.get(), &got);
    }
}

#[test]
fn close_fails_blocked_and_new_sends_but_keeps_buffered_values() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(1);
            tx.send(1).await.unwrap();
            let tx2 = tx.clone();
            let blocked = sim::spawn(async move { tx2.send(2).await });
            sleep(Duration::from_millis(1)).await;
            assert!(!tx.is_closed());
            rx.close();
            assert!(tx.is_closed() && rx.is_closed());
            assert_eq!(blocked.await.unwrap().unwrap_err().0, 2);
            assert!(matches!(tx.try_send(3), Err(TrySendError::Closed(3))));
            assert_eq!(tx.send(4).await.unwrap_err().into_inner(), 4);
            assert_eq!(rx.recv().await, Some(1));
            assert_eq!(rx.recv().await, None);
            assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        })
        .unwrap();
    }
}

#[test]
fn dropping_the_last_sender_ends_the_stream_after_buffered_values() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(4);
            tx.send(1).await.unwrap();
            let tx2 = tx.clone();
            drop(tx);
            assert_eq!(rx.recv().await, Some(1));
            // A receiver blocked on an empty channel wakes with None when the last sender goes.
            let h = sim::spawn(async move {
                sleep(Duration::from_secs(1)).await;
                drop(tx2);
            });
            assert_eq!(rx.recv().await, None);
            assert_eq!(sim::time::now().as_nanos(), 1_000_000_000);
            h.await.unwrap();
        })
        .unwrap();
    }
}

/// Counts drops, to see when a channel drops what it holds.
struct Tracked(Rc<Cell<u32>>);
impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn dropping_the_receiver_drops_buffered_values_and_fails_blocked_senders() {
    for mut sim in every_strategy() {
        sim.run(async {
            let drops = Rc::new(Cell::new(0));
            let (tx, rx) = mpsc::channel(2);
            tx.send(Tracked(drops.clone())).await.unwrap();
            tx.send(Tracked(drops.clone())).await.unwrap();
            let tx2 = tx.clone();
            let d = drops.clone();
            let blocked = sim::spawn(async move { tx2.send(Tracked(d)).await.is_err() });
            sleep(Duration::from_millis(1)).await;
            assert_eq!(drops.get(), 0);
            drop(rx);
            assert_eq!(
                drops.get(),
                2,
                "buffered values are dropped with the receiver"
            );
            assert!(blocked.await.unwrap(), "the blocked send failed");
            assert_eq!(
                drops.get(),
                3,
                "its value came back in the error and was dropped"
            );
        })
        .unwrap();
    }
}

#[test]
fn unbounded_send_never_waits_and_fails_once_the_receiver_is_gone() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::unbounded_channel();
            for i in 0..100 {
                tx.send(i).unwrap();
            }
            assert_eq!(rx.len(), 100);
            for i in 0..100 {
                assert_eq!(rx.recv().await, Some(i));
            }
            rx.close();
            assert_eq!(tx.send(7).unwrap_err().0, 7);
        })
        .unwrap();
    }
}

#[test]
#[should_panic(expected = "capacity must be at least 1")]
fn capacity_zero_is_refused() {
    let _ = mpsc::channel::<u8>(0);
}

#[test]
fn receiver_is_a_stream_and_senders_are_sinks() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (mut tx, rx) = mpsc::channel::<u32>(1);
            let p = sim::spawn(async move {
                let mut items = futures::stream::iter(0..10).map(Ok);
                tx.send_all(&mut items).await.unwrap();
            });
            let (mut utx, urx) = mpsc::unbounded_channel::<u32>();
            SinkExt::send(&mut utx, 5).await.unwrap();
            drop(utx);
            let got: Vec<u32> = rx.map(|v| v * 2).collect().await;
            assert_eq!(got, (0..10).map(|v| v * 2).collect::<Vec<_>>());
            assert_eq!(urx.collect::<Vec<_>>().await, [5]);
            p.await.unwrap();
        })
        .unwrap();
    }
}

#[test]
fn a_blocked_receive_is_named_in_the_deadlock_report() {
    let mut sim = fifo();
    let err = sim
        .run(async {
            let (_tx, mut rx) = mpsc::channel::<u32>(1);
            rx.recv().await
        })
        .unwrap_err();
    assert!(err.is_deadlock());
    let waits = err.blocked()[0].waits.join(" ");
    assert!(
        waits.contains("mpsc::Receiver::recv at") && waits.contains("channel_mpsc.rs"),
        "{waits}"
    );
}

// ----- cancellation at every await point ---------------------------------------------------

/// Owns the receiver while a consumer task runs and puts it back when the task ends or is
/// aborted (after the pending `recv` future was dropped).
struct Lend {
    rx: Option<Receiver<u32>>,
    home: Rc<RefCell<Option<Receiver<u32>>>>,
}
impl Drop for Lend {
    fn drop(&mut self) {
        *self.home.borrow_mut() = self.rx.take();
    }
}

fn consumer(home: Rc<RefCell<Option<Receiver<u32>>>>, got: Record<u32>) -> sim::JoinHandle<()> {
    sim::spawn(async move {
        let rx = home.borrow_mut().take();
        let mut lend = Lend { rx, home };
        let Some(rx) = lend.rx.as_mut() else { return };
        while let Some(v) = rx.recv().await {
            got.push(v);
            if v % 2 == 0 {
                sleep(Duration::from_millis(1)).await;
            }
        }
    })
}

fn producer(tx: mpsc::Sender<u32>, p: u32, sent: Record<u32>) -> sim::JoinHandle<()> {
    sim::spawn(async move {
        for i in 0..8 {
            tx.send(p * 100 + i).await.unwrap();
            sent.push(p * 100 + i);
            if i % 3 == p {
                sleep(Duration::from_millis(1)).await;
            }
        }
    })
}

/// The consumer is aborted after `k` yields of main, whatever it is doing (waiting, holding a
/// value handed to it, sleeping); a new consumer takes over the receiver. Nothing is lost or
/// duplicated and per-producer order holds.
#[test]
fn aborting_the_consumer_at_any_point_loses_nothing() {
    for k in 0..40 {
        for mut sim in every_strategy() {
            let (sent, got) = (Record::default(), Record::default());
            let (s, g) = (sent.clone(), got.clone());
            sim.run(async move {
                let (tx, rx) = mpsc::channel::<u32>(1);
                let home = Rc::new(RefCell::new(Some(rx)));
                let ps: Vec<_> = (0..2).map(|p| producer(tx.clone(), p, s.clone())).collect();
                drop(tx);
                let c1 = consumer(home.clone(), g.clone());
                for _ in 0..k {
                    sim::task::yield_now().await;
                }
                c1.abort();
                let _ = c1.await;
                consumer(home, g).await.unwrap();
                for p in ps {
                    p.await.unwrap();
                }
            })
            .unwrap_or_else(|e| panic!("k={k} seed={}: {e}", sim.seed()));
            assert_same_items_fifo_per_producer(&sent.get(), &got.get());
            assert_eq!(got.get().len(), 16, "k={k}");
        }
    }
}

/// A producer is aborted after `k` yields of main: whatever it had confirmed sent arrives once,
/// the value of its interrupted send never arrives, and the other producer is not stuck.
#[test]
fn aborting_a_producer_at_any_point_loses_nothing_and_blocks_nobody() {
    for k in 0..40 {
        for mut sim in every_strategy() {
            let (sent, got) = (Record::default(), Record::default());
            let (s, g) = (sent.clone(), got.clone());
            sim.run(async move {
                let (tx, mut rx) = mpsc::channel::<u32>(1);
                let p0 = producer(tx.clone(), 0, s.clone());
                let p1 = producer(tx.clone(), 1, s.clone());
                drop(tx);
                let g2 = g.clone();
                let c = sim::spawn(async move {
                    while let Some(v) = rx.recv().await {
                        g2.push(v);
                        sleep(Duration::from_millis(1)).await;
                    }
                });
                for _ in 0..k {
                    sim::task::yield_now().await;
                }
                p0.abort();
                let _ = p0.await;
                p1.await.unwrap();
                c.await.unwrap();
            })
            .unwrap_or_else(|e| panic!("k={k} seed={}: {e}", sim.seed()));
            assert_same_items_fifo_per_producer(&sent.get(), &got.get());
            assert_eq!(got.get().iter().filter(|v| **v >= 100).count(), 8);
        }
    }
}

/// A `send` that times out (its future dropped while it waits) never delivers its value, and
/// the next sender in line is not skipped.
#[test]
fn a_timed_out_send_delivers_nothing() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(1);
            tx.send(0).await.unwrap();
            let tx2 = tx.clone();
            let later = sim::spawn(async move {
                sleep(Duration::from_millis(500)).await;
                tx2.send(2).await.unwrap();
            });
            let r = sim::time::timeout(Duration::from_secs(1), tx.send(1)).await;
            assert!(r.is_err(), "the channel stayed full for 1 s");
            assert_eq!(rx.recv().await, Some(0));
            assert_eq!(rx.recv().await, Some(2));
            later.await.unwrap();
            drop(tx);
            assert_eq!(rx.recv().await, None, "1 was never sent");
        })
        .unwrap();
    }
}

/// A `recv` that times out leaves the channel as it was; the value sent later is received by
/// the next `recv`.
#[test]
fn a_timed_out_recv_takes_nothing() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(1);
            let h = sim::spawn(async move {
                sleep(Duration::from_secs(2)).await;
                tx.send(9).await.unwrap();
            });
            let r = sim::time::timeout(Duration::from_secs(1), rx.recv()).await;
            assert!(r.is_err());
            assert_eq!(rx.recv().await, Some(9));
            h.await.unwrap();
        })
        .unwrap();
    }
}

/// `reserve` waits in the senders' FIFO line; an unused permit passes its slot on.
#[test]
fn reserve_queues_with_senders_and_an_unused_permit_passes_its_slot_on() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(1);
            let permit = tx.reserve().await.unwrap();
            assert_eq!(tx.capacity(), 0);
            let tx2 = tx.clone();
            let waiting = sim::spawn(async move { tx2.send(2).await.unwrap() });
            sleep(Duration::from_millis(1)).await;
            drop(permit); // the slot goes to the waiting sender
            waiting.await.unwrap();
            assert_eq!(rx.recv().await, Some(2));
            tx.reserve().await.unwrap().send(3);
            assert_eq!(rx.recv().await, Some(3));
            rx.close();
            assert!(tx.reserve().await.is_err());
        })
        .unwrap();
    }
}
