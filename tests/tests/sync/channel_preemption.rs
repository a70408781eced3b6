//! Every channel operation that can complete at once is still a preemption point: Fifo never
//! switches there, an exploring strategy sometimes does.

use std::future::Future;
use std::pin::Pin;

use crate::channel_support::{Record, SEEDS, fifo, random};
use sim::channel::{Queue, broadcast, mpsc, oneshot, watch};

type Op = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>>>;

/// Task A logs "a0", runs `op` (which can complete at once), logs "a1"; task B logs "b".
/// Returns the orders seen: under Fifo, and under the swept Random seeds.
fn orders(make: fn() -> Op) -> (Vec<&'static str>, Vec<Vec<&'static str>>) {
    let run = |mut sim: sim::Sim| {
        let log = Record::default();
        let l = log.clone();
        sim.run(async move {
            let op = make();
            let la = l.clone();
            let a = sim::spawn(async move {
                la.push("a0");
                op().await;
                la.push("a1");
            });
            let b = sim::spawn(async move { l.push("b") });
            a.await.unwrap();
            b.await.unwrap();
        })
        .unwrap();
        log.get()
    };
    (run(fifo()), SEEDS.map(|s| run(random(s))).collect())
}

fn check(what: &str, make: fn() -> Op) {
    let (fifo, swept) = orders(make);
    assert_eq!(fifo, ["a0", "a1", "b"], "{what}: Fifo never switches");
    assert!(
        swept.iter().any(|o| o == &["a0", "b", "a1"]),
        "{what}: no seed switched at the preemption point"
    );
}

#[test]
fn mpsc_send_and_recv_are_preemption_points() {
    check("mpsc send", || {
        Box::new(|| {
            Box::pin(async {
                let (tx, _rx) = mpsc::channel(4);
                tx.send(1).await.unwrap();
            })
        })
    });
    check("mpsc recv", || {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tx.send(1).unwrap();
        Box::new(move || {
            Box::pin(async move {
                rx.recv().await.unwrap();
            })
        })
    });
}

#[test]
fn queue_put_get_and_join_are_preemption_points() {
    check("Queue::put", || {
        let q = Queue::new(0);
        Box::new(move || Box::pin(async move { q.put(1).await.unwrap() }))
    });
    check("Queue::get", || {
        let q = Queue::new(0);
        q.put_nowait(1).unwrap();
        Box::new(move || {
            Box::pin(async move {
                q.get().await.unwrap();
            })
        })
    });
    check("Queue::join", || {
        let q = Queue::<u32>::new(0);
        Box::new(move || Box::pin(async move { q.join().await }))
    });
}

#[test]
fn oneshot_broadcast_and_watch_receives_are_preemption_points() {
    check("oneshot", || {
        let (tx, rx) = oneshot::channel();
        tx.send(1).unwrap();
        Box::new(move || {
            Box::pin(async move {
                rx.await.unwrap();
            })
        })
    });
    check("broadcast", || {
        let (tx, mut rx) = broadcast::channel(2);
        tx.send(1).unwrap();
        Box::new(move || {
            Box::pin(async move {
                rx.recv().await.unwrap();
            })
        })
    });
    check("watch", || {
        let (tx, mut rx) = watch::channel(0);
        tx.send(1).unwrap();
        Box::new(move || {
            Box::pin(async move {
                rx.changed().await.unwrap();
                drop(tx);
            })
        })
    });
}
