//! `sim::channel::broadcast`: every receiver sees every value, lag reporting, closing,
//! cancellation.

use std::time::Duration;

use crate::channel_support::{every_strategy, fifo};
use sim::channel::broadcast::{self, RecvError, TryRecvError};
use sim::time::sleep;

#[test]
fn every_receiver_gets_every_value_in_order() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, rx) = broadcast::channel(16);
            let mut rxs = vec![rx];
            rxs.push(tx.subscribe());
            rxs.push(tx.subscribe());
            let hs: Vec<_> = rxs
                .into_iter()
                .map(|mut rx| {
                    sim::spawn(async move {
                        let mut got = Vec::new();
                        loop {
                            match rx.recv().await {
                                Ok(v) => got.push(v),
                                Err(e) => return (got, e),
                            }
                        }
                    })
                })
                .collect();
            for i in 0..10 {
                assert_eq!(tx.send(i).unwrap(), 3);
                if i % 3 == 0 {
                    sim::task::yield_now().await;
                }
            }
            drop(tx);
            for h in hs {
                let (got, end) = h.await.unwrap();
                assert_eq!(got, (0..10).collect::<Vec<_>>());
                assert_eq!(end, RecvError::Closed);
            }
        })
        .unwrap();
    }
}

#[test]
fn a_slow_receiver_is_told_how_many_values_it_missed() {
    let mut sim = fifo();
    sim.run(async {
        let (tx, mut rx) = broadcast::channel(2);
        for i in 0..5 {
            tx.send(i).unwrap();
        }
        assert_eq!(rx.len(), 5);
        let err = rx.recv().await.unwrap_err();
        assert_eq!(err, RecvError::Lagged(3));
        assert!(err.to_string().contains("3 values were overwritten"));
        assert_eq!(rx.recv().await, Ok(3));
        assert_eq!(rx.recv().await, Ok(4));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        drop(tx);
        assert_eq!(rx.recv().await, Err(RecvError::Closed));
    })
    .unwrap();
}

#[test]
fn subscribers_see_only_later_values_and_sending_to_nobody_fails() {
    let (tx, rx) = broadcast::channel(4);
    tx.send(1).unwrap();
    let mut late = tx.subscribe();
    tx.send(2).unwrap();
    assert_eq!(late.try_recv(), Ok(2));
    drop(rx);
    drop(late);
    assert_eq!(tx.receiver_count(), 0);
    assert_eq!(tx.send(3).unwrap_err().0, 3);
}

/// A receiving task aborted at any point leaves the others untouched and is no longer counted.
#[test]
fn aborting_a_receiver_at_any_point_affects_nobody_else() {
    for k in 0..12 {
        for mut sim in every_strategy() {
            sim.run(async move {
                let (tx, mut keep) = broadcast::channel(8);
                let mut victim = tx.subscribe();
                let h = sim::spawn(async move {
                    while victim.recv().await.is_ok() {
                        sleep(Duration::from_millis(1)).await;
                    }
                });
                let reader = sim::spawn(async move {
                    let mut got = Vec::new();
                    while let Ok(v) = keep.recv().await {
                        got.push(v);
                    }
                    got
                });
                for i in 0..6 {
                    tx.send(i).unwrap();
                    if i == k % 6 {
                        h.abort();
                    }
                    sim::task::yield_now().await;
                }
                let _ = h.await;
                assert_eq!(tx.receiver_count(), 1);
                drop(tx);
                assert_eq!(reader.await.unwrap(), [0, 1, 2, 3, 4, 5]);
            })
            .unwrap();
        }
    }
}

#[test]
fn a_blocked_receiver_is_named_in_the_deadlock_report() {
    let mut sim = fifo();
    let err = sim
        .run(async {
            let (_tx, mut rx) = broadcast::channel::<u32>(1);
            rx.recv().await
        })
        .unwrap_err();
    let waits = err.blocked()[0].waits.join(" ");
    assert!(waits.contains("broadcast::Receiver::recv at"), "{waits}");
}
