//! `sim::channel::watch`: latest-value semantics, change notification, closing, cancellation.

use std::time::Duration;

use crate::channel_support::{every_strategy, fifo};
use sim::channel::watch::{self, RecvError};
use sim::time::sleep;

/// Receivers may skip values but see them in order and always end on the last one.
#[test]
fn receivers_see_increasing_values_ending_with_the_last() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, rx) = watch::channel(0u32);
            let hs: Vec<_> = (0..3)
                .map(|_| {
                    let mut rx = rx.clone();
                    sim::spawn(async move {
                        let mut seen = Vec::new();
                        while rx.changed().await.is_ok() {
                            seen.push(*rx.borrow_and_update());
                        }
                        seen
                    })
                })
                .collect();
            drop(rx);
            for i in 1..=10 {
                tx.send(i).unwrap();
                if i % 4 == 0 {
                    sleep(Duration::from_millis(1)).await;
                }
            }
            drop(tx);
            for h in hs {
                let seen = h.await.unwrap();
                assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
                assert_eq!(seen.last(), Some(&10));
            }
        })
        .unwrap();
    }
}

#[test]
fn an_unseen_change_is_reported_before_the_sender_drop() {
    let mut sim = fifo();
    sim.run(async {
        let (tx, mut rx) = watch::channel("a");
        assert_eq!(rx.has_changed(), Ok(false));
        tx.send("b").unwrap();
        assert_eq!(rx.has_changed(), Ok(true));
        drop(tx);
        assert_eq!(rx.has_changed(), Err(RecvError));
        assert_eq!(rx.changed().await, Ok(()));
        assert_eq!(*rx.borrow(), "b");
        assert_eq!(rx.changed().await, Err(RecvError));
    })
    .unwrap();
}

#[test]
fn a_waiting_receiver_wakes_when_the_sender_is_dropped() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, mut rx) = watch::channel(());
            sim::spawn(async move {
                sleep(Duration::from_secs(1)).await;
                drop(tx);
            });
            assert_eq!(rx.changed().await, Err(RecvError));
            assert_eq!(sim::time::now().as_nanos(), 1_000_000_000);
        })
        .unwrap();
    }
}

#[test]
fn sending_to_nobody_fails_but_send_replace_stores() {
    let (tx, rx) = watch::channel(1);
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(2).unwrap_err().0, 2);
    assert_eq!(tx.send_replace(3), 1);
    assert_eq!(*tx.borrow(), 3);
    let rx = tx.subscribe();
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn closed_waits_for_every_receiver() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, rx) = watch::channel(0);
            let rx2 = rx.clone();
            sim::spawn(async move {
                sleep(Duration::from_secs(1)).await;
                drop(rx);
                sleep(Duration::from_secs(1)).await;
                drop(rx2);
            });
            tx.closed().await;
            assert_eq!(sim::time::now().as_nanos(), 2_000_000_000);
        })
        .unwrap();
    }
}

/// `closed` released by the last receiver's drop completes even if a receiver is subscribed
/// before it runs again: the channel was closed when it was released.
#[test]
fn closed_released_then_resubscribed_still_completes() {
    for mut sim in every_strategy() {
        sim.run(async {
            let (tx, rx) = watch::channel(0);
            let tx = std::rc::Rc::new(tx);
            let t = tx.clone();
            let watcher = sim::spawn(async move { t.closed().await });
            sleep(Duration::from_secs(1)).await; // the watcher waits
            drop(rx); // releases it
            let again = tx.subscribe(); // before it runs
            watcher.await.unwrap();
            drop(again);
        })
        .unwrap();
    }
}

#[test]
#[should_panic(expected = "while a `Ref` from `borrow()` is alive")]
fn sending_while_a_borrow_is_held_panics_with_a_clear_message() {
    let (tx, rx) = watch::channel(0);
    let r = rx.borrow();
    let _ = tx.send(1);
    drop(r);
}

/// A `changed` waiter aborted at any point does not stop the others from being notified.
#[test]
fn aborting_a_waiter_at_any_point_affects_nobody_else() {
    for k in 0..8 {
        for mut sim in every_strategy() {
            sim.run(async move {
                let (tx, rx) = watch::channel(0);
                let mut v = rx.clone();
                let victim = sim::spawn(async move { while v.changed().await.is_ok() {} });
                let mut r = rx.clone();
                let reader = sim::spawn(async move {
                    let mut last = 0;
                    while r.changed().await.is_ok() {
                        last = *r.borrow_and_update();
                    }
                    last
                });
                for _ in 0..k {
                    sim::task::yield_now().await;
                }
                victim.abort();
                tx.send(1).unwrap();
                sim::task::yield_now().await;
                tx.send(2).unwrap();
                drop(tx);
                let _ = victim.await;
                assert_eq!(reader.await.unwrap(), 2);
                drop(rx);
            })
            .unwrap();
        }
    }
}
