//! `sim::channel::mpsc` beyond one slot at a time: `reserve_many`/`try_reserve_many` and their
//! `PermitIterator`, `poll_recv_many`, `OwnedPermit::same_channel`; and what a reservation
//! does when the receiver closes, or its future is dropped, while it waits.

use std::time::Duration;

use crate::channel_support::every_strategy;
use sim::channel::mpsc::{self, error::TrySendError};
use sim::time::sleep;

/// A request for two slots waits for both and takes one turn of the line: a smaller request
/// behind it does not overtake it, even when one slot is free.
#[test]
fn reserve_many_takes_one_turn_and_holds_back_smaller_requests_behind_it() {
    for mut sim in every_strategy() {
        let order = sim
            .run(async {
                let (tx, mut rx) = mpsc::channel(2);
                tx.send(0).await.unwrap();
                tx.send(1).await.unwrap();
                let (tx2, tx3) = (tx.clone(), tx.clone());
                let big = sim::spawn(async move {
                    let permits = tx2.reserve_many(2).await.unwrap();
                    assert_eq!(permits.len(), 2);
                    for p in permits {
                        p.send(10);
                    }
                });
                sleep(Duration::from_millis(1)).await;
                let small = sim::spawn(async move { tx3.send(20).await.unwrap() });
                sleep(Duration::from_millis(1)).await;
                assert_eq!(rx.recv().await, Some(0));
                // One slot is free, but the request for two is first in line.
                sleep(Duration::from_millis(1)).await;
                assert!(!big.is_finished() && !small.is_finished());
                assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
                let mut got = vec![rx.recv().await.unwrap()];
                for _ in 0..3 {
                    got.push(rx.recv().await.unwrap());
                }
                big.await.unwrap();
                small.await.unwrap();
                got
            })
            .unwrap();
        assert_eq!(order, [1, 10, 10, 20]);
    }
}

/// `try_reserve_many`: all or nothing, more than the capacity is `Full`, zero always works
/// while the receiver lives, and a closed channel is `Closed`.
#[test]
fn try_reserve_many_is_all_or_nothing() {
    let (tx, mut rx) = mpsc::channel::<u8>(3);
    tx.try_send(1).unwrap();
    assert!(matches!(
        tx.try_reserve_many(3),
        Err(TrySendError::Full(()))
    ));
    assert!(matches!(
        tx.try_reserve_many(4),
        Err(TrySendError::Full(()))
    ));
    assert_eq!(tx.capacity(), 2, "a failed request reserves nothing");
    let mut permits = tx.try_reserve_many(2).unwrap();
    assert_eq!(tx.capacity(), 0);
    assert_eq!(tx.try_reserve_many(0).unwrap().len(), 0);
    permits.next().unwrap().send(2);
    assert_eq!(permits.len(), 1);
    drop(permits);
    assert_eq!(tx.capacity(), 1, "the unused slot went back");
    assert_eq!((rx.try_recv(), rx.try_recv()), (Ok(1), Ok(2)));
    rx.close();
    assert!(matches!(
        tx.try_reserve_many(1),
        Err(TrySendError::Closed(()))
    ));
    assert!(matches!(
        tx.try_reserve_many(0),
        Err(TrySendError::Closed(()))
    ));
}

/// More slots than the channel has can never be reserved: the request fails at once instead
/// of waiting forever.
#[test]
fn reserve_many_beyond_the_capacity_fails_at_once() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, _rx) = mpsc::channel::<u8>(2);
            assert!(tx.reserve_many(3).await.is_err());
            assert_eq!(tx.reserve_many(2).await.unwrap().len(), 2);
            assert_eq!(tx.capacity(), 2);
        })
        .unwrap();
    }
}

/// Dropping a `PermitIterator` hands its unused slots to the waiting senders, in order.
#[test]
fn unused_permits_of_an_iterator_go_to_the_waiting_senders() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(2);
            let mut permits = tx.reserve_many(2).await.unwrap();
            let waiters: Vec<_> = (1..=2)
                .map(|v| {
                    let tx = tx.clone();
                    sim::spawn(async move { tx.send(v).await.unwrap() })
                })
                .collect();
            sleep(Duration::from_millis(1)).await;
            permits.next().unwrap().send(0);
            assert_eq!(tx.try_reserve().unwrap_err(), TrySendError::Full(()));
            drop(permits); // one slot free: it goes to the first waiting sender
            let first = rx.recv().await;
            let mut rest = [rx.recv().await, rx.recv().await];
            rest.sort_unstable();
            for w in waiters {
                w.await.unwrap();
            }
            assert_eq!((first, rest), (Some(0), [Some(1), Some(2)]));
        })
        .unwrap();
    }
}

/// A waiting `reserve_many` whose future is dropped leaves the line without a trace: the
/// smaller request it held back goes through, and the channel's capacity is whole again.
#[test]
fn a_cancelled_reserve_many_leaves_no_waiter_or_slot_behind() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(2);
            tx.send(0).await.unwrap();
            let tx2 = tx.clone();
            let big = sim::spawn(async move { tx2.reserve_many(2).await.map(|p| p.len()) });
            sleep(Duration::from_millis(1)).await;
            let tx3 = tx.clone();
            let small = sim::spawn(async move { tx3.send(1).await.unwrap() });
            sleep(Duration::from_millis(1)).await;
            assert!(!small.is_finished(), "held back by the request for two");
            big.abort();
            small.await.unwrap();
            assert_eq!(rx.recv().await, Some(0));
            assert_eq!(rx.recv().await, Some(1));
            assert_eq!(tx.capacity(), 2);
            assert_eq!(tx.try_reserve_many(2).unwrap().len(), 2);
        })
        .unwrap();
    }
}

/// A `reserve` handed a slot whose future is dropped before it ran passes the slot on.
#[test]
fn a_cancelled_reserve_that_was_handed_a_slot_passes_it_on() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(1);
            tx.send(0).await.unwrap();
            let tx2 = tx.clone();
            let first = sim::spawn(async move {
                let _permit = tx2.reserve().await.unwrap();
                unreachable!("aborted before it runs again");
            });
            let tx3 = tx.clone();
            sleep(Duration::from_millis(1)).await;
            let second = sim::spawn(async move { tx3.send(2).await.unwrap() });
            sleep(Duration::from_millis(1)).await;
            assert_eq!(rx.recv().await, Some(0)); // the slot goes to `first`...
            first.abort(); // ...which never takes it
            second.await.unwrap();
            assert_eq!(rx.recv().await, Some(2));
            assert_eq!(tx.capacity(), 1);
        })
        .unwrap();
    }
}

/// A `reserve` (one slot or many) waiting when the receiver closes fails, as tokio's does,
/// and holds nothing afterwards.
#[test]
fn reserves_waiting_when_the_receiver_closes_fail() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(1);
            tx.send(0).await.unwrap();
            let (tx2, tx3) = (tx.clone(), tx.clone());
            let one = sim::spawn(async move { tx2.reserve().await.is_err() });
            let many = sim::spawn(async move { tx3.reserve_many(1).await.is_err() });
            sleep(Duration::from_millis(1)).await;
            rx.close();
            assert!(one.await.unwrap(), "reserve fails once the receiver closed");
            assert!(many.await.unwrap(), "reserve_many too");
            assert_eq!(rx.recv().await, Some(0));
            assert_eq!(rx.recv().await, None);
        })
        .unwrap();
    }
}

/// A `reserve` handed a slot just before the receiver closes (it has not run yet) fails too,
/// and gives the slot back.
#[test]
fn a_reserve_handed_a_slot_then_closed_fails_and_gives_it_back() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(1);
            tx.send(0).await.unwrap();
            let tx2 = tx.clone();
            let waiting = sim::spawn(async move { tx2.reserve().await.is_err() });
            sleep(Duration::from_millis(1)).await;
            assert_eq!(rx.try_recv(), Ok(0)); // hands the slot over
            rx.close(); // before `waiting` runs
            assert!(waiting.await.unwrap());
            assert_eq!(tx.capacity(), 1, "no slot stays reserved");
        })
        .unwrap();
    }
}

/// `OwnedPermit::same_channel` and `same_channel_as_sender` tell channels apart.
#[test]
fn owned_permits_know_their_channel() {
    let (a, _ra) = mpsc::channel::<u8>(2);
    let (b, _rb) = mpsc::channel::<u8>(2);
    let p1 = a.clone().try_reserve_owned().unwrap();
    let p2 = a.clone().try_reserve_owned().unwrap();
    let p3 = b.clone().try_reserve_owned().unwrap();
    assert!(p1.same_channel(&p2));
    assert!(!p1.same_channel(&p3));
    assert!(p1.same_channel_as_sender(&a));
    assert!(!p3.same_channel_as_sender(&a));
}

/// `poll_recv_many` moves what is queued, up to the limit; 0 once closed and empty.
#[test]
fn poll_recv_many_moves_up_to_the_limit() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = mpsc::channel(4);
            for i in 0..3 {
                tx.send(i).await.unwrap();
            }
            drop(tx);
            let mut buf = Vec::new();
            let mut got = Vec::new();
            for limit in [0, 2, 2, 2] {
                got.push(std::future::poll_fn(|cx| rx.poll_recv_many(cx, &mut buf, limit)).await);
            }
            assert_eq!(got, [0, 2, 1, 0]);
            assert_eq!(buf, [0, 1, 2]);
        })
        .unwrap();
    }
}
