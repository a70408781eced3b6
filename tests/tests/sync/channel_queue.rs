//! `sim::channel::Queue` (asyncio.Queue): SEMANTICS cases 39–42 and the Queue part of case 19,
//! exactly under Fifo and order-free under a seed sweep, plus cancellation at every await point.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use crate::channel_support::{Record, every_strategy, fifo, logs};
use sim::channel::Queue;
use sim::channel::queue::{TryGetError, TryPutError};
use sim::task::yield_now;
use sim::time::{now, sleep};

fn secs(s: f64) -> u64 {
    (s * 1e9) as u64
}

/// Case 39 (asyncio `test_order`): items come out in the order they went in.
#[test]
fn case39_items_come_out_in_fifo_order() {
    for mut sim in every_strategy() {
        sim.run(async {
            let q = Queue::new(0);
            for i in [1, 3, 2, 5, 4] {
                q.put(i).await.unwrap();
            }
            let mut out = Vec::new();
            while let Ok(v) = q.get_nowait() {
                out.push(v);
            }
            assert_eq!(out, [1, 3, 2, 5, 4]);
        })
        .unwrap();
    }
}

/// Case 39 (asyncio `test_maxsize`): with maxsize 2 the third `put` waits until a `get`;
/// `get_nowait` on empty and `put_nowait` on full are errors.
#[test]
fn case39_third_put_waits_for_a_get_under_fifo() {
    let mut sim = fifo();
    sim.run(async {
        let q = Queue::new(2);
        let put = Record::default();
        let (q2, p2) = (q.clone(), put.clone());
        let t = sim::spawn(async move {
            for i in 0..3 {
                q2.put(i).await.unwrap();
                p2.push(i);
            }
        });
        yield_now().await;
        yield_now().await;
        assert_eq!(put.get(), [0, 1], "the putter waits on the third put");
        assert!(q.full());
        assert!(matches!(q.put_nowait(9), Err(TryPutError::Full(9))));
        assert_eq!(q.get().await.unwrap(), 0);
        yield_now().await;
        assert_eq!(put.get(), [0, 1, 2]);
        assert_eq!(q.get_nowait(), Ok(1));
        assert_eq!(q.get_nowait(), Ok(2));
        assert_eq!(q.get_nowait(), Err(TryGetError::Empty));
        t.await.unwrap();
    })
    .unwrap();
}

/// Order-free part of case 39: the third put completes only after a get, whatever the order.
#[test]
fn case39_third_put_waits_for_a_get_under_every_seed() {
    for mut sim in every_strategy() {
        sim.run(async {
            let q = Queue::new(2);
            let q2 = q.clone();
            let t = sim::spawn(async move {
                for i in 0..3 {
                    q2.put(i).await.unwrap();
                }
                now()
            });
            sleep(Duration::from_secs(1)).await;
            assert_eq!(q.qsize(), 2);
            assert_eq!(q.get().await.unwrap(), 0);
            assert_eq!(t.await.unwrap().as_nanos(), secs(1.0));
            assert_eq!(q.get().await.unwrap(), 1);
            assert_eq!(q.get().await.unwrap(), 2);
        })
        .unwrap();
    }
}

/// Case 40 (asyncio `test_why_are_getters_waiting`), exact interleaving under Fifo.
#[test]
fn case40_producer_and_slow_consumer_interleave_exactly() {
    let mut sim = fifo();
    sim.run(async {
        let q = Queue::new(1);
        let qp = q.clone();
        let p = sim::spawn(async move {
            for i in 0..3 {
                qp.put(i).await.unwrap();
                sim::log!("produced {i}");
            }
        });
        let c = sim::spawn(async move {
            for _ in 0..3 {
                let v = q.get().await.unwrap();
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

/// Order-free part of case 40: every item consumed once, in order, consumption at t=0,1,2.
#[test]
fn case40_order_free_under_every_seed() {
    for mut sim in every_strategy() {
        let consumed = sim
            .run(async {
                let q = Queue::new(1);
                let qp = q.clone();
                let p = sim::spawn(async move {
                    for i in 0..3 {
                        qp.put(i).await.unwrap();
                    }
                });
                let mut consumed = Vec::new();
                for _ in 0..3 {
                    consumed.push((q.get().await.unwrap(), now().as_nanos()));
                    sleep(Duration::from_secs(1)).await;
                }
                p.await.unwrap();
                consumed
            })
            .unwrap();
        assert_eq!(consumed, [(0, 0), (1, secs(1.0)), (2, secs(2.0))]);
    }
}

/// Case 41: `join` returns once every item got a `task_done`: 4 items, 2 workers at 1 s per
/// item: t=2. An extra `task_done` is an error; `join` on an empty queue returns at once.
#[test]
fn case41_join_waits_for_every_task_done() {
    for mut sim in every_strategy() {
        sim.run(async {
            let q = Queue::named("work", 0);
            q.join().await;
            assert_eq!(
                now().as_nanos(),
                0,
                "join on an empty queue returns at once"
            );
            for i in 0..4 {
                q.put(i).await.unwrap();
            }
            assert_eq!(q.unfinished_tasks(), 4);
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let q = q.clone();
                    sim::spawn(async move {
                        while let Ok(_item) = q.get().await {
                            sleep(Duration::from_secs(1)).await;
                            q.task_done().unwrap();
                        }
                    })
                })
                .collect();
            q.join().await;
            assert_eq!(now().as_nanos(), secs(2.0));
            assert_eq!(q.unfinished_tasks(), 0);
            let err = q.task_done().unwrap_err();
            assert!(err.to_string().contains("more times than items were put"));
            q.shutdown(false);
            for w in workers {
                w.await.unwrap();
            }
        })
        .unwrap();
    }
}

/// Two joiners are both released by the last `task_done`.
#[test]
fn case41_every_joiner_is_released() {
    for mut sim in every_strategy() {
        sim.run(async {
            let q = Queue::new(0);
            q.put(()).await.unwrap();
            let js: Vec<_> = (0..2)
                .map(|_| {
                    let q = q.clone();
                    sim::spawn(async move {
                        q.join().await;
                        now()
                    })
                })
                .collect();
            sleep(Duration::from_secs(1)).await;
            q.get().await.unwrap();
            q.task_done().unwrap();
            for j in js {
                assert_eq!(j.await.unwrap().as_nanos(), secs(1.0));
            }
        })
        .unwrap();
    }
}

/// Case 42: blocked getters get a shut-down error; graceful shutdown keeps queued items
/// gettable; `put` after shutdown is an error, and blocked puts fail with their item back.
#[test]
fn case42_graceful_shutdown() {
    for mut sim in every_strategy() {
        sim.run(async {
            let empty = Queue::<u32>::named("empty", 0);
            let getters: Vec<_> = (0..2)
                .map(|_| {
                    let q = empty.clone();
                    sim::spawn(async move { q.get().await })
                })
                .collect();
            let full = Queue::new(1);
            full.put(1).await.unwrap();
            let f2 = full.clone();
            let putter = sim::spawn(async move { f2.put(2).await });
            sleep(Duration::from_secs(1)).await;

            empty.shutdown(false);
            for g in getters {
                let err = g.await.unwrap().unwrap_err();
                assert_eq!(err.to_string(), "the queue was shut down");
            }
            full.shutdown(false);
            assert!(full.is_shut_down());
            assert_eq!(putter.await.unwrap().unwrap_err().0, 2);
            assert!(matches!(full.put_nowait(3), Err(TryPutError::ShutDown(3))));
            assert_eq!(full.put(4).await.unwrap_err().0, 4);
            assert_eq!(full.get().await.unwrap(), 1, "graceful: queued items stay");
            assert!(full.get().await.is_err());
            assert_eq!(full.get_nowait(), Err(TryGetError::ShutDown));
            full.task_done().unwrap();
            full.join().await;
        })
        .unwrap();
    }
}

struct Tracked(Rc<Cell<u32>>);
impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// Case 42, immediate: queued items are discarded (dropped at once, counted done), so `join`
/// returns once the items got earlier are done; an item already handed to a getter that has
/// not run yet is discarded too.
#[test]
fn case42_immediate_shutdown_discards_and_releases_join() {
    for mut sim in every_strategy() {
        sim.run(async {
            let drops = Rc::new(Cell::new(0));
            let q = Queue::new(0);
            for _ in 0..3 {
                q.put(Tracked(drops.clone())).await.unwrap();
            }
            let got = q.get().await.unwrap();
            let q2 = q.clone();
            let joiner = sim::spawn(async move {
                q2.join().await;
                now()
            });
            sleep(Duration::from_secs(1)).await;
            q.shutdown(true);
            assert_eq!(drops.get(), 2, "the two queued items were dropped");
            assert_eq!(q.qsize(), 0);
            assert_eq!(
                q.unfinished_tasks(),
                1,
                "the item got earlier is not done yet"
            );
            sleep(Duration::from_secs(1)).await;
            drop(got);
            q.task_done().unwrap();
            assert_eq!(joiner.await.unwrap().as_nanos(), secs(2.0));
            assert!(q.get().await.is_err());
        })
        .unwrap();
    }
}

#[test]
fn case42_immediate_shutdown_takes_back_an_item_handed_to_a_getter() {
    let mut sim = fifo();
    sim.run(async {
        let drops = Rc::new(Cell::new(0));
        let q = Queue::new(0);
        let q2 = q.clone();
        let getter = sim::spawn(async move { q2.get().await.map(drop) });
        yield_now().await; // the getter waits
        q.put(Tracked(drops.clone())).await.unwrap(); // handed to it; it has not run yet
        q.shutdown(true);
        assert_eq!(drops.get(), 1);
        assert!(getter.await.unwrap().is_err());
        q.join().await;
    })
    .unwrap();
}

/// Case 19, Queue part: an aborted waiting getter leaves the line; the next one gets the item.
/// Also when the item had already been handed to the aborted getter.
#[test]
fn case19_an_aborted_getter_passes_its_place_and_its_item_on() {
    for handed_before_abort in [false, true] {
        let mut sim = fifo();
        sim.run(async move {
            let q = Queue::new(0);
            let spawn_getter = |name: &'static str| {
                let q = q.clone();
                sim::spawn(async move {
                    let v = q.get().await.unwrap();
                    sim::log!("{name} got {v}");
                    v
                })
            };
            let g1 = spawn_getter("g1");
            let g2 = spawn_getter("g2");
            yield_now().await; // both wait, g1 first
            if handed_before_abort {
                q.put(7).await.unwrap(); // handed to g1, which has not run yet
                g1.abort();
            } else {
                g1.abort();
                yield_now().await;
                q.put(7).await.unwrap();
            }
            assert!(g1.await.unwrap_err().is_cancelled());
            assert_eq!(g2.await.unwrap(), 7);
            assert!(q.empty());
        })
        .unwrap();
        assert_eq!(logs(&sim), ["0s g2 got 7"]);
    }
}

/// An aborted getter that was the only one waiting puts its item back at the front.
#[test]
fn case19_an_item_handed_to_an_aborted_lone_getter_goes_back_to_the_front() {
    let mut sim = fifo();
    sim.run(async {
        let q = Queue::new(0);
        let q2 = q.clone();
        let g = sim::spawn(async move { q2.get().await.unwrap() });
        yield_now().await;
        q.put(1).await.unwrap(); // handed to g
        q.put(2).await.unwrap(); // queued behind
        g.abort();
        assert!(g.await.unwrap_err().is_cancelled());
        assert_eq!(q.get_nowait(), Ok(1));
        assert_eq!(q.get_nowait(), Ok(2));
    })
    .unwrap();
}

/// An aborted blocked putter leaves the line, and a slot handed to it goes to the next putter.
#[test]
fn case19_an_aborted_putter_passes_its_slot_on() {
    for handed_before_abort in [false, true] {
        let mut sim = fifo();
        sim.run(async move {
            let q = Queue::new(1);
            q.put(0).await.unwrap();
            let spawn_putter = |v: u32| {
                let q = q.clone();
                sim::spawn(async move { q.put(v).await.unwrap() })
            };
            let p1 = spawn_putter(1);
            let p2 = spawn_putter(2);
            yield_now().await; // both wait, p1 first
            if handed_before_abort {
                assert_eq!(q.get().await.unwrap(), 0); // slot handed to p1
                p1.abort();
            } else {
                p1.abort();
                yield_now().await;
                assert_eq!(q.get().await.unwrap(), 0);
            }
            assert!(p1.await.unwrap_err().is_cancelled());
            p2.await.unwrap();
            assert_eq!(q.get_nowait(), Ok(2));
            assert_eq!(q.get_nowait(), Err(TryGetError::Empty));
        })
        .unwrap();
    }
}

#[test]
fn a_blocked_put_and_join_are_named_in_the_deadlock_report() {
    let mut sim = fifo();
    let err = sim
        .run(async {
            let q = Queue::named("jobs", 1);
            q.put(1).await.unwrap();
            let q2 = q.clone();
            sim::spawn(async move { q2.join().await });
            q.put(2).await.unwrap();
        })
        .unwrap_err();
    assert!(err.is_deadlock());
    let waits: Vec<String> = err.blocked().iter().flat_map(|b| b.waits.clone()).collect();
    let waits = waits.join("\n");
    assert!(waits.contains("Queue::put on `jobs` at"), "{waits}");
    assert!(waits.contains("Queue::join on `jobs` at"), "{waits}");
    assert!(waits.contains("channel_queue.rs"), "{waits}");
}

// ----- cancellation at every await point ---------------------------------------------------

/// Runs 2 producers (8 items each) and 3 consumers on a Queue(2); after `k` yields main aborts
/// either consumer 0 or producer 0. Then every item confirmed put is got exactly once (the
/// consumers record an item and call `task_done` in the same step as its `get` completes), no
/// other item appears, `join` returns, no slot is leaked, and nobody is stuck.
fn abort_run(mut sim: sim::Sim, k: usize, abort_consumer: bool) {
    let (sent, got) = (Record::default(), Record::default());
    let (s, g) = (sent.clone(), got.clone());
    sim.run(async move {
        let q = Queue::<u32>::named("q", 2);
        let producers: Vec<_> = (0..2u32)
            .map(|p| {
                let (q, s) = (q.clone(), s.clone());
                sim::spawn(async move {
                    for i in 0..8 {
                        q.put(p * 100 + i).await.unwrap();
                        s.push(p * 100 + i);
                        if i % 3 == p {
                            sleep(Duration::from_millis(1)).await;
                        }
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..3u32)
            .map(|c| {
                let (q, g) = (q.clone(), g.clone());
                sim::spawn(async move {
                    while let Ok(v) = q.get().await {
                        g.push(v);
                        q.task_done().unwrap();
                        if v % 3 == c {
                            sleep(Duration::from_millis(1)).await;
                        }
                    }
                })
            })
            .collect();
        for _ in 0..k {
            yield_now().await;
        }
        let mut producers = producers.into_iter();
        let mut consumers = consumers.into_iter();
        let victim = if abort_consumer {
            consumers.next().unwrap()
        } else {
            producers.next().unwrap()
        };
        victim.abort();
        let _ = victim.await;
        for p in producers {
            p.await.unwrap();
        }
        q.join().await;
        assert_eq!(q.qsize(), 0);
        // No slot leaked: the queue takes maxsize items again (the consumers are all busy
        // waiting, so fill it synchronously and empty it before anyone runs).
        q.put_nowait(1000).unwrap();
        q.put_nowait(1001).unwrap();
        assert!(q.full());
        q.shutdown(true);
        for c in consumers {
            c.await.unwrap();
        }
    })
    .unwrap_or_else(|e| panic!("k={k} seed={}: {e}", sim.seed()));
    let (mut sent, mut got) = (sent.get(), got.get());
    sent.sort_unstable();
    got.sort_unstable();
    assert_eq!(sent, got, "k={k}: items lost or duplicated");
    let from_p1 = got.iter().filter(|v| **v >= 100).count();
    assert_eq!(
        from_p1, 8,
        "k={k}: the producer that was not aborted put everything"
    );
}

#[test]
fn aborting_a_consumer_at_any_point_loses_nothing() {
    for k in 0..40 {
        for sim in every_strategy() {
            abort_run(sim, k, true);
        }
    }
}

#[test]
fn aborting_a_producer_at_any_point_loses_nothing_and_blocks_nobody() {
    for k in 0..40 {
        for sim in every_strategy() {
            abort_run(sim, k, false);
        }
    }
}

/// Misuse gets a clear panic, not a silently lost item.
#[test]
fn polling_a_completed_get_again_panics_instead_of_taking_another_item() {
    use futures::FutureExt;
    let mut sim = fifo();
    let err = sim
        .run(async {
            let q = Queue::new(0);
            q.put_nowait(1).unwrap();
            q.put_nowait(2).unwrap();
            let mut get = Box::pin(q.get());
            assert_eq!(get.as_mut().now_or_never(), Some(Ok(1)));
            let _ = get.as_mut().now_or_never();
        })
        .unwrap_err();
    assert!(err.is_main_panic());
    let msg = err.panic_message().unwrap();
    assert!(
        msg.contains("Queue::get polled after it completed"),
        "{msg}"
    );
}
