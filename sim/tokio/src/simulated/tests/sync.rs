//! The synchronisation primitives: tokio's semantics on `sim`'s primitives.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::run;
use crate::sync::mpsc::error::{TryRecvError, TrySendError};
use crate::sync::{
    Barrier, Mutex, Notify, OnceCell, RwLock, Semaphore, TryAcquireError, broadcast, mpsc, oneshot,
    watch,
};
use crate::time::{Duration, sleep, timeout};

/// Two increments each reading and writing under separate `lock().await`s.
async fn racy_increments() -> u32 {
    let m = Arc::new(Mutex::new(0));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let m = m.clone();
            crate::spawn(async move {
                let v = *m.lock().await;
                *m.lock().await = v + 1;
            })
        })
        .collect();
    for h in hs {
        h.await.unwrap();
    }
    *m.lock().await
}

#[test]
fn every_lock_await_is_a_preemption_point() {
    let finals: BTreeSet<u32> = (0..64).map(|s| run(s, racy_increments())).collect();
    assert_eq!(
        finals,
        BTreeSet::from([1, 2]),
        "the lost update is reachable"
    );
}

#[test]
fn mutex_guards_owned_guards_and_try_lock() {
    run(1, async {
        let m = Arc::new(Mutex::new(vec![1]));
        let mut g = m.clone().lock_owned().await;
        assert!(m.try_lock().is_err());
        let m2 = m.clone();
        let waiter = crate::spawn(async move { m2.lock().await.len() });
        g.push(2);
        sleep(Duration::from_secs(1)).await;
        drop(g);
        assert_eq!(waiter.await.unwrap(), 2);
        assert_eq!(format!("{:?}", m), "Mutex { data: [1, 2] }");
        let m = Arc::into_inner(m).unwrap();
        assert_eq!(m.into_inner(), [1, 2]);
    });
}

#[test]
fn rwlock_readers_share_and_a_writer_is_alone() {
    run(2, async {
        let l = Arc::new(RwLock::new(1));
        let r1 = l.read().await;
        let r2 = l.clone().read_owned().await;
        assert!(l.try_write().is_err());
        assert_eq!(*r1 + *r2, 2);
        drop((r1, r2));
        let mut w = l.write().await;
        *w = 5;
        assert!(l.try_read().is_err());
        let r = w.downgrade();
        assert_eq!(*r, 5);
        assert!(l.try_read().is_ok(), "downgraded: readers may join");
        assert!(l.try_write().is_err());
        drop(r);
        *l.try_write().expect("every permit came back") += 1;
        assert_eq!(*l.read().await, 6);
    });
}

/// A lock of two readers: a writer waits for both, readers behind a waiting writer wait too
/// (FIFO), and a downgrade lets exactly the readers in.
#[test]
fn rwlock_with_max_readers_queues_fairly_and_downgrades() {
    run(4, async {
        let l = Arc::new(RwLock::with_max_readers(0u32, 2));
        let (r1, r2) = (l.read().await, l.read().await);
        assert!(l.try_read().is_err(), "two readers at most");
        let l2 = l.clone();
        let writer = crate::spawn(async move {
            let mut w = l2.write().await;
            *w += 1;
            let r = w.downgrade();
            sleep(Duration::from_secs(1)).await;
            *r
        });
        sleep(Duration::from_millis(1)).await;
        drop((r1, r2));
        let l3 = l.clone();
        let reader = crate::spawn(async move { *l3.read().await });
        assert_eq!(
            reader.await.unwrap(),
            1,
            "a reader joins the downgraded writer"
        );
        assert!(l.try_write().is_err());
        assert_eq!(writer.await.unwrap(), 1);
        assert_eq!(*l.try_write().unwrap(), 1);
        let owned = l.clone().write_owned().await;
        assert!(l.try_read().is_err());
        drop(owned);
        assert_eq!(*l.clone().read_owned().await, 1);
    });
}

#[test]
fn semaphore_owned_permits_and_close() {
    run(3, async {
        let s = Arc::new(Semaphore::new(1));
        let p = s.clone().acquire_owned().await.unwrap();
        assert_eq!(s.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
        let s2 = s.clone();
        let waiter = crate::spawn(async move { s2.acquire().await.map(|p| p.num_permits()) });
        sleep(Duration::from_secs(1)).await;
        s.close();
        assert!(
            waiter.await.unwrap().is_err(),
            "a waiter fails when it closes"
        );
        assert_eq!(s.try_acquire().unwrap_err(), TryAcquireError::Closed);
        assert_eq!(s.available_permits(), 0);
        drop(p);
        assert_eq!(s.available_permits(), 1);
        assert!(s.is_closed());
    });
}

#[test]
fn notify_stores_one_permit_and_wakes_waiters() {
    run(4, async {
        let n = Arc::new(Notify::new());
        n.notify_one();
        n.notified().await; // the stored permit
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let n = n.clone();
                crate::spawn(async move { n.notified().await })
            })
            .collect();
        crate::task::yield_now().await;
        sleep(Duration::from_millis(1)).await;
        n.notify_waiters();
        for w in waiters {
            w.await.unwrap();
        }
        assert!(
            timeout(Duration::from_secs(1), n.notified()).await.is_err(),
            "notify_waiters stores nothing"
        );
    });
}

#[test]
fn barrier_and_once_cell() {
    run(5, async {
        let b = Arc::new(Barrier::new(3));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let b = b.clone();
                crate::spawn(async move { b.wait().await.is_leader() })
            })
            .collect();
        let mut leaders = 0;
        for h in hs {
            leaders += u32::from(h.await.unwrap());
        }
        assert_eq!(leaders, 1);

        let cell = Arc::new(OnceCell::new());
        let hs: Vec<_> = (0..3)
            .map(|i| {
                let cell = cell.clone();
                crate::spawn(async move {
                    *cell
                        .get_or_init(|| async move {
                            sleep(Duration::from_millis(10)).await;
                            i
                        })
                        .await
                })
            })
            .collect();
        let mut seen = BTreeSet::new();
        for h in hs {
            seen.insert(h.await.unwrap());
        }
        assert_eq!(seen.len(), 1, "one initialiser ran");
    });
}

#[test]
fn bounded_mpsc_backpressure_permits_and_close() {
    run(6, async {
        let (tx, mut rx) = mpsc::channel::<u32>(2);
        assert_eq!(tx.max_capacity(), 2);
        tx.send(1).await.unwrap();
        let permit = tx.reserve().await.unwrap();
        assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
        permit.send(2);
        let owned = tx.clone().reserve_owned();
        let slow = crate::spawn(async move {
            let p = owned.await.unwrap();
            p.send(3);
        });
        assert_eq!(rx.recv().await, Some(1));
        slow.await.unwrap();
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, Some(3));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));

        let weak = tx.downgrade();
        assert!(weak.upgrade().is_some());
        tx.send(4).await.unwrap();
        rx.close();
        assert!(tx.send(5).await.is_err(), "closed: senders fail");
        assert!(tx.is_closed());
        tx.closed().await;
        assert_eq!(
            rx.recv().await,
            Some(4),
            "what was queued is still received"
        );
        assert_eq!(rx.recv().await, None);
        drop(tx);
        assert!(weak.upgrade().is_none());
    });
}

#[test]
fn mpsc_reserve_many_hands_out_permits_and_gives_the_rest_back() {
    run(9, async {
        let (tx, mut rx) = mpsc::channel::<u32>(3);
        let mut permits = tx.reserve_many(2).await.unwrap();
        assert_eq!(permits.len(), 2);
        assert_eq!(tx.capacity(), 1);
        permits.next().unwrap().send(1);
        drop(permits);
        assert_eq!(tx.capacity(), 2, "the unused permit went back");
        assert!(tx.reserve_many(4).await.is_err(), "more than the capacity");
        assert!(matches!(
            tx.try_reserve_many(3),
            Err(TrySendError::Full(()))
        ));
        let all = tx.try_reserve_many(2).unwrap();
        assert!(matches!(tx.try_reserve(), Err(TrySendError::Full(()))));
        for (p, v) in all.zip([2, 3]) {
            p.send(v);
        }
        let mut got = Vec::new();
        assert_eq!(rx.recv_many(&mut got, 8).await, 3);
        assert_eq!(got, [1, 2, 3]);
    });
}

/// A `send`, `reserve` or `reserve_many` given up while it waits (here by a timeout) keeps no
/// slot and no place in the line: the next sender goes through, and nothing was delivered.
#[test]
fn a_cancelled_send_or_reserve_leaves_no_permit_or_waiter_behind() {
    for seed in 0..16 {
        run(seed, async {
            let (tx, mut rx) = mpsc::channel::<u32>(1);
            tx.send(0).await.unwrap();
            let wait = Duration::from_secs(1);
            assert!(timeout(wait, tx.send(1)).await.is_err());
            assert!(timeout(wait, tx.reserve()).await.is_err());
            assert!(timeout(wait, tx.reserve_many(1)).await.is_err());
            assert!(timeout(wait, tx.clone().reserve_owned()).await.is_err());
            let tx2 = tx.clone();
            let late = crate::spawn(async move { tx2.send(2).await });
            assert_eq!(rx.recv().await, Some(0));
            late.await.unwrap().unwrap();
            assert_eq!(
                rx.recv().await,
                Some(2),
                "the cancelled send delivered nothing"
            );
            assert_eq!(tx.capacity(), 1, "no slot is kept by a cancelled request");
            rx.close();
            assert!(tx.reserve().await.is_err());
            assert_eq!(rx.recv().await, None);
        });
    }
}

/// Reads a counter, polls the receiver (a value is already queued), writes the counter back
/// plus one, while another task increments it.
async fn racy_around_poll_recv() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
    let n = Arc::new(AtomicU32::new(0));
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    tx.send(()).unwrap();
    let n2 = n.clone();
    let other = crate::spawn(async move {
        n2.fetch_add(1, SeqCst);
    });
    let v = n.load(SeqCst);
    std::future::poll_fn(|cx| rx.poll_recv(cx)).await;
    n.store(v + 1, SeqCst);
    other.await.unwrap();
    n.load(SeqCst)
}

#[test]
fn poll_recv_is_a_preemption_point_even_with_a_value_queued() {
    let finals: BTreeSet<u32> = (0..64).map(|s| run(s, racy_around_poll_recv())).collect();
    assert_eq!(
        finals,
        BTreeSet::from([1, 2]),
        "the lost update is reachable"
    );
}

#[test]
fn unbounded_mpsc_ends_when_every_sender_is_gone() {
    run(7, async {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let tx2 = tx.clone();
        crate::spawn(async move {
            for i in 0..3 {
                tx2.send(i).unwrap();
                sleep(Duration::from_millis(1)).await;
            }
        });
        drop(tx);
        let mut buf = Vec::new();
        while rx.recv_many(&mut buf, 10).await > 0 {}
        assert_eq!(buf, [0, 1, 2]);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    });
}

#[test]
fn broadcast_lags_and_closes_like_tokio() {
    run(8, async {
        let (tx, mut rx) = broadcast::channel(3); // rounded up to 4, as tokio's
        for i in 0..6 {
            tx.send(i).unwrap();
        }
        assert_eq!(rx.recv().await, Err(broadcast::error::RecvError::Lagged(2)));
        assert_eq!(rx.recv().await, Ok(2));
        let mut late = tx.subscribe();
        assert!(rx.same_channel(&late));
        drop(tx);
        assert_eq!(late.recv().await, Err(broadcast::error::RecvError::Closed));
        let mut rest = Vec::new();
        while let Ok(v) = rx.recv().await {
            rest.push(v);
        }
        assert_eq!(rest, [3, 4, 5]);
    });
}

#[test]
fn watch_changes_and_closes() {
    run(9, async {
        let (tx, mut rx) = watch::channel(0);
        assert!(!rx.has_changed().unwrap());
        let mut rx2 = rx.clone();
        let h = crate::spawn(async move { rx2.wait_for(|v| *v >= 2).await.map(|r| *r).unwrap() });
        tx.send(1).unwrap();
        rx.changed().await.unwrap();
        assert_eq!(*rx.borrow_and_update(), 1);
        tx.send_modify(|v| *v += 1);
        assert_eq!(h.await.unwrap(), 2);
        assert!(rx.has_changed().unwrap());
        drop(tx);
        assert!(rx.changed().await.is_ok(), "the unseen value first");
        assert!(rx.changed().await.is_err(), "then the end");
        let (tx, rx) = watch::channel(());
        drop(rx);
        assert!(tx.send(()).is_err());
        tx.closed().await;
    });
}

#[test]
fn oneshot_delivers_once_or_reports_the_drop() {
    run(10, async {
        let (tx, rx) = oneshot::channel();
        crate::spawn(async move { tx.send("hi").unwrap() });
        assert_eq!(rx.await.unwrap(), "hi");
        let (tx, mut rx) = oneshot::channel::<u8>();
        assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Empty));
        drop(tx);
        assert_eq!(rx.await.unwrap_err().to_string(), "channel closed");
        let (mut tx, rx) = oneshot::channel::<u8>();
        drop(rx);
        tx.closed().await;
        assert!(tx.is_closed());
    });
}

static COUNTER: Mutex<u32> = Mutex::const_new(0);
static SLOTS: Semaphore = Semaphore::const_new(1);
static READY: Notify = Notify::const_new();
static CONFIG: RwLock<u32> = RwLock::const_new(7);
static ONCE: OnceCell<u32> = OnceCell::const_new();

/// tokio's `const_new` constructors, for statics: they work in a simulation like the others
/// (and keep their state from one run to the next, as any static does).
#[test]
fn const_constructed_primitives_in_statics() {
    run(4, async {
        let waiter = crate::spawn(async {
            READY.notified().await;
            *COUNTER.lock().await += 1;
        });
        crate::task::yield_now().await;
        {
            let _slot = SLOTS.acquire().await.unwrap();
            assert_eq!(SLOTS.available_permits(), 0);
            assert!(SLOTS.try_acquire().is_err());
        }
        READY.notify_one();
        waiter.await.unwrap();
        assert_eq!(*COUNTER.lock().await, 1);
        assert_eq!(*CONFIG.read().await, 7);
        *CONFIG.write().await = 8;
        assert_eq!(*CONFIG.read().await, 8);
        assert_eq!(*ONCE.get_or_init(|| async { 3 }).await, 3);
        assert_eq!(SLOTS.available_permits(), 1);
    });
}

/// tokio's `broadcast::Sender::{new, closed, downgrade}` and `WeakSender`.
#[test]
fn broadcast_sender_closed_and_weak_senders() {
    run(5, async {
        let tx = broadcast::Sender::<u32>::new(4);
        assert_eq!(tx.receiver_count(), 0);
        let mut rx = tx.subscribe();
        tx.send(1).unwrap();
        assert_eq!(rx.recv().await.unwrap(), 1);

        let weak = tx.downgrade();
        assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
        let again = weak.upgrade().expect("a sender is alive");
        assert_eq!(weak.strong_count(), 2);
        drop(again);

        let t = tx.clone();
        let closer = crate::spawn(async move {
            t.closed().await;
            t.receiver_count()
        });
        crate::task::yield_now().await;
        assert!(!closer.is_finished());
        drop(rx);
        assert_eq!(closer.await.unwrap(), 0);
        drop(tx);
        assert!(weak.upgrade().is_none());
    });
}
