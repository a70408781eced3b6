//! `sim::sync::Notify`: SEMANTICS case 38, passing a notification on, aborts at every point.

use std::cell::Cell;
use std::rc::Rc;

use crate::sync_common::*;
use sim::sync::Notify;

/// Case 38 (tokio `notify.rs`): two `notify_one()` with nobody waiting store one permit: the
/// first `notified()` returns at once, the second waits.
#[test]
fn case_38_two_notify_one_store_one_permit() {
    for (name, mut sim) in all_sims() {
        sim.run(async {
            let n = Notify::new();
            n.notify_one();
            n.notify_one();
            n.notified().await;
            assert_eq!(sim::time::elapsed(), ms(0));
            let second = sim::time::timeout(ms(5), n.notified()).await;
            assert!(second.is_err(), "the second notified() must wait");
            assert_eq!(sim::time::elapsed(), ms(5));
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn notify_one_wakes_waiters_in_fifo_order_and_notify_waiters_wakes_all() {
    let log = Log::default();
    let l = log.clone();
    fifo()
        .run(async move {
            let n = Rc::new(Notify::new());
            let ws: Vec<_> = ["A", "B", "C"]
                .into_iter()
                .map(|name| {
                    let (n, l) = (n.clone(), l.clone());
                    sim::spawn(async move {
                        n.notified().await;
                        l.push(name);
                    })
                })
                .collect();
            sim::time::sleep(ms(1)).await;
            n.notify_one();
            sim::time::sleep(ms(1)).await;
            n.notify_waiters();
            for w in ws {
                w.await.unwrap();
            }
            // notify_waiters stored nothing.
            assert!(sim::time::timeout(ms(1), n.notified()).await.is_err());
        })
        .unwrap();
    assert_eq!(
        log.lines(),
        [(1, "A".into()), (2, "B".into()), (2, "C".into())]
    );
}

/// Case 19 for Notify: a waiter released by `notify_one` and aborted before it ran passes the
/// notification to the next waiter; one aborted while waiting just leaves.
#[test]
fn an_aborted_waiter_passes_its_notification_on() {
    for (name, mut sim) in all_sims() {
        for granted_first in [false, true] {
            let log = Log::default();
            let l = log.clone();
            sim.run(async move {
                let n = Rc::new(Notify::new());
                let ws: Vec<_> = ["A", "B"]
                    .into_iter()
                    .map(|name| {
                        let (n, l) = (n.clone(), l.clone());
                        sim::spawn(async move {
                            n.notified().await;
                            l.push(name);
                        })
                    })
                    .collect();
                sim::time::sleep(ms(1)).await;
                if granted_first {
                    n.notify_one();
                    ws[0].abort();
                } else {
                    ws[0].abort();
                    sim::time::sleep(ms(1)).await;
                    n.notify_one();
                }
                let mut ws = ws.into_iter();
                assert!(ws.next().unwrap().await.unwrap_err().is_cancelled());
                ws.next().unwrap().await.unwrap();
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(log.texts(), ["B"], "{name}");
        }
    }
}

/// Two consumers count notifications; a producer sends one every millisecond, six in all (so
/// somebody always waits and nothing coalesces); one consumer is aborted at `at`. The survivor
/// must see every notification the victim did not count.
fn contend(mut sim: sim::Sim, at: AbortAt, victim: usize) {
    let res = sim.run(async move {
        let n = Rc::new(Notify::named("tick"));
        let got = Rc::new(Cell::new(0));
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let (n, got) = (n.clone(), got.clone());
                sim::spawn(async move {
                    loop {
                        n.notified().await;
                        got.set(got.get() + 1);
                    }
                })
            })
            .collect();
        let producer = {
            let n = n.clone();
            sim::spawn(async move {
                for _ in 0..6 {
                    sim::time::sleep(ms(1)).await;
                    n.notify_one();
                }
            })
        };
        abort_at(at, &consumers[victim]).await;
        producer.await.unwrap();
        sim::time::sleep(ms(1)).await;
        assert_eq!(got.get(), 6, "a notification was lost");
    });
    if let Err(e) = res {
        panic!("abort at {at:?} of consumer {victim}: {e}");
    }
}

#[test]
fn abort_a_waiter_at_every_point() {
    for (i, at) in abort_points(12, 7).into_iter().enumerate() {
        contend(fifo(), at, i % 2);
        for seed in SEEDS.step_by(8) {
            contend(random(seed + i as u64), at, i % 2);
        }
    }
}
