//! Issue 14 item 3 and issue 10's needs, on the sync toolkit: a bounded semaphore, owned
//! permits and closing, owned RwLock guards, a rendezvous channel, waiter counts, and the
//! primitives being `Send + Sync` like tokio's.

use std::sync::Arc;

use crate::sync_common::*;
use sim::channel::{Queue, mpsc};
use sim::sync::{Event, Mutex, Notify, RwLock, Semaphore};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn primitives_futures_and_guards_are_send_and_sync() {
    assert_send_sync::<Mutex<u8>>();
    assert_send_sync::<sim::sync::MutexGuard<'static, u8>>();
    assert_send_sync::<sim::sync::OwnedMutexGuard<u8>>();
    assert_send_sync::<sim::sync::Lock<'static, u8>>();
    assert_send_sync::<RwLock<u8>>();
    assert_send_sync::<sim::sync::OwnedRwLockWriteGuard<u8>>();
    assert_send_sync::<Semaphore>();
    assert_send_sync::<sim::sync::OwnedSemaphorePermit>();
    assert_send_sync::<sim::sync::Acquire<'static>>();
    assert_send_sync::<Notify>();
    assert_send_sync::<sim::sync::Notified<'static>>();
    assert_send_sync::<Event>();
    assert_send_sync::<sim::sync::Condvar>();
    assert_send_sync::<sim::sync::Barrier>();
    assert_send_sync::<sim::sync::CancelToken>();
    assert_send_sync::<mpsc::Sender<u8>>();
    assert_send_sync::<mpsc::Receiver<u8>>();
    assert_send_sync::<mpsc::Send<'static, u8>>();
    assert_send_sync::<mpsc::Recv<'static, u8>>();
    assert_send_sync::<mpsc::OwnedPermit<u8>>();
    assert_send_sync::<mpsc::WeakSender<u8>>();
    assert_send_sync::<Queue<u8>>();
    assert_send_sync::<sim::channel::oneshot::Receiver<u8>>();
    assert_send_sync::<sim::channel::broadcast::Receiver<u8>>();
    assert_send_sync::<sim::channel::watch::Receiver<u8>>();
}

#[test]
fn a_bounded_semaphore_refuses_a_release_above_its_initial_count() {
    let sem = Semaphore::bounded_named("slots", 2);
    let p = sem.try_acquire().unwrap();
    sem.add_permits(0);
    // A permit held still exists: adding one would make three once it comes back.
    assert!(sem.try_add_permits(1).is_err());
    p.forget(); // now only one exists
    assert!(
        sem.try_add_permits(1).is_ok(),
        "the forgotten permit may be replaced"
    );
    assert_eq!(sem.available_permits(), 2);
    let e = std::panic::catch_unwind(|| sem.add_permits(1)).unwrap_err();
    let text = e.downcast_ref::<String>().unwrap();
    assert!(
        text.contains("bounded semaphore `slots` was released more often than acquired"),
        "{text}"
    );
    // An unbounded one takes any number.
    let free = Semaphore::new(1);
    free.add_permits(5);
    assert_eq!(free.available_permits(), 6);
}

#[test]
fn a_closed_semaphore_fails_waiting_and_later_acquires() {
    for (name, mut sim) in all_sims() {
        sim.run(async {
            let sem = Arc::new(Semaphore::named("pool", 0));
            let waiter = {
                let sem = sem.clone();
                sim::spawn(async move { sem.acquire_owned().await.map(|p| p.num_permits()) })
            };
            sim::time::sleep(ms(1)).await;
            assert_eq!(sem.waiting(), 1);
            sem.close();
            let err = waiter.await.unwrap().unwrap_err();
            assert_eq!(
                err.to_string(),
                "semaphore `pool` is closed: no permit can be acquired"
            );
            assert!(sem.acquire().await.is_err());
            assert!(sem.try_acquire().unwrap_err().is_closed());
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn owned_permits_and_guards_move_into_tasks() {
    for (name, mut sim) in all_sims() {
        sim.run(async {
            let sem = Arc::new(Semaphore::new(1));
            let permit = sem.clone().acquire_owned().await.unwrap();
            let lock = Arc::new(RwLock::new(0));
            let mut w = lock.clone().write_owned().await;
            let t = sim::spawn(async move {
                *w += 1;
                let r = sim::sync::OwnedRwLockWriteGuard::downgrade(w);
                sim::time::sleep(ms(1)).await;
                drop(permit);
                *r
            });
            // Readers wait for the downgraded guard's writer part only.
            assert_eq!(*lock.clone().read_owned().await, 1);
            assert!(sem.try_acquire().is_err() || t.is_finished());
            assert_eq!(t.await.unwrap(), 1);
            assert_eq!(sem.available_permits(), 1);
            assert_eq!(*lock.write().await, 1);
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn a_rendezvous_send_waits_for_a_receiver() {
    for (name, mut sim) in all_sims() {
        sim.run(async {
            let (tx, mut rx) = mpsc::rendezvous_channel();
            assert!(tx.try_send(0).is_err());
            let sender = sim::spawn(async move {
                for i in 1..=3 {
                    tx.send(i).await.unwrap();
                }
                sim::time::elapsed()
            });
            sim::time::sleep(ms(5)).await;
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(v);
                sim::time::sleep(ms(1)).await;
            }
            assert_eq!(got, [1, 2, 3]);
            // The last send completed when the receiver took it, at 7 ms.
            assert_eq!(sender.await.unwrap(), ms(7));
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn waiter_counts_of_mutex_notify_event_and_queue() {
    fifo()
        .run(async {
            let m = Arc::new(Mutex::new(()));
            let n = Arc::new(Notify::new());
            let e = Arc::new(Event::new());
            let q: Queue<u8> = Queue::new(1);
            let g = m.lock().await;
            q.put(1).await.unwrap();
            let mut tasks = Vec::new();
            for _ in 0..2 {
                let (m, n, e, q) = (m.clone(), n.clone(), e.clone(), q.clone());
                tasks.push(sim::spawn(async move { drop(m.lock().await) }));
                tasks.push(sim::spawn(async move { n.notified().await }));
                tasks.push(sim::spawn(async move { e.wait().await }));
                tasks.push(sim::spawn(async move { q.put(2).await.unwrap() }));
            }
            sim::time::sleep(ms(1)).await;
            assert_eq!((m.waiting(), n.waiting(), e.waiting()), (2, 2, 2));
            assert_eq!((q.putters_waiting(), q.getters_waiting()), (2, 0));
            drop(g);
            n.notify_waiters();
            e.set();
            for _ in 0..3 {
                q.get().await.unwrap();
            }
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!((m.waiting(), n.waiting(), e.waiting()), (0, 0, 0));
            assert_eq!(q.putters_waiting(), 0);
        })
        .unwrap();
}
