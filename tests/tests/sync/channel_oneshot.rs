//! `sim::channel::oneshot`: delivery, drop semantics on both sides, close, cancellation.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use crate::channel_support::{every_strategy, fifo};
use sim::channel::oneshot::{self, RecvError, TryRecvError};
use sim::time::{now, sleep};

#[test]
fn the_value_reaches_a_waiting_receiver() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, rx) = oneshot::channel();
            let h = sim::spawn(async move {
                sleep(Duration::from_secs(1)).await;
                tx.send(5).unwrap();
            });
            assert_eq!(rx.await, Ok(5));
            assert_eq!(now().as_nanos(), 1_000_000_000);
            h.await.unwrap();
        })
        .unwrap();
    }
}

#[test]
fn a_value_sent_before_the_receiver_awaits_is_kept() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, rx) = oneshot::channel();
            tx.send("early").unwrap();
            sleep(Duration::from_secs(1)).await;
            assert_eq!(rx.await, Ok("early"));
        })
        .unwrap();
    }
}

#[test]
fn dropping_the_sender_without_sending_wakes_the_receiver_with_an_error() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, rx) = oneshot::channel::<u32>();
            sim::spawn(async move {
                sleep(Duration::from_secs(2)).await;
                drop(tx);
            });
            let err = rx.await.unwrap_err();
            assert_eq!(err, RecvError);
            assert_eq!(now().as_nanos(), 2_000_000_000);
            assert!(err.to_string().contains("dropped without sending"));
        })
        .unwrap();
    }
}

#[derive(Debug)]
struct Tracked(Rc<Cell<u32>>);
impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn dropping_the_receiver_fails_send_and_drops_an_unreceived_value() {
    let drops = Rc::new(Cell::new(0));
    let (tx, rx) = oneshot::channel();
    tx.send(Tracked(drops.clone())).unwrap();
    assert_eq!(drops.get(), 0);
    drop(rx);
    assert_eq!(
        drops.get(),
        1,
        "the unreceived value is dropped with the receiver"
    );

    let (tx, rx) = oneshot::channel();
    drop(rx);
    assert!(tx.is_closed());
    let back = tx.send(Tracked(drops.clone())).unwrap_err();
    assert_eq!(drops.get(), 1, "the value came back");
    drop(back);
    assert_eq!(drops.get(), 2);
}

#[test]
fn close_refuses_later_values_but_keeps_an_earlier_one() {
    let (tx, mut rx) = oneshot::channel();
    rx.close();
    assert_eq!(tx.send(1), Err(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));

    let (tx, mut rx) = oneshot::channel();
    tx.send(2).unwrap();
    rx.close();
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn sender_closed_waits_for_the_receiver_to_go() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (mut tx, rx) = oneshot::channel::<u32>();
            let h = sim::spawn(async move {
                sleep(Duration::from_secs(1)).await;
                drop(rx);
            });
            tx.closed().await;
            assert_eq!(now().as_nanos(), 1_000_000_000);
            assert_eq!(tx.send(3), Err(3));
            h.await.unwrap();
        })
        .unwrap();
    }
}

/// Aborting the task awaiting the receiver drops it: the sender sees the channel closed, at
/// whatever point the abort lands.
#[test]
fn aborting_the_receiving_task_at_any_point_closes_the_channel() {
    for k in 0..6 {
        for mut sim in every_strategy() {
            sim.run(async move {
                let (mut tx, rx) = oneshot::channel::<u32>();
                let got = Rc::new(Cell::new(None));
                let g = got.clone();
                let h = sim::spawn(async move {
                    sim::task::yield_now().await;
                    g.set(Some(rx.await));
                });
                for _ in 0..k {
                    sim::task::yield_now().await;
                }
                h.abort();
                let _ = h.await;
                tx.closed().await;
                assert_eq!(tx.send(1), Err(1));
                assert_eq!(got.get(), None, "the receiver never completed");
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
            let (_tx, rx) = oneshot::channel::<u32>();
            rx.await
        })
        .unwrap_err();
    let waits = err.blocked()[0].waits.join(" ");
    assert!(
        waits.contains("oneshot::Receiver at") && waits.contains("channel_oneshot.rs"),
        "{waits}"
    );
}
