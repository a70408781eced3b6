//! `sim::sync::CancelToken`: cooperative cancellation, children, drop guards, aborted waiters.

use std::rc::Rc;

use crate::sync_common::*;
use sim::sync::CancelToken;

#[test]
fn cancel_wakes_every_waiter_of_the_token_and_its_children() {
    for (name, mut sim) in all_sims() {
        let log = Log::default();
        let l = log.clone();
        sim.run(async move {
            let root = CancelToken::new();
            let child = root.child_token();
            let grandchild = child.child_token();
            let unrelated = CancelToken::new();
            let waiters: Vec<_> = [
                ("root", &root),
                ("child", &child),
                ("grandchild", &grandchild),
            ]
            .into_iter()
            .map(|(name, t)| {
                let (t, l) = (t.clone(), l.clone());
                sim::spawn(async move {
                    t.cancelled().await;
                    l.push(name);
                })
            })
            .collect();
            sim::time::sleep(ms(3)).await;
            root.cancel();
            for w in waiters {
                w.await.unwrap();
            }
            assert!(grandchild.is_cancelled() && !unrelated.is_cancelled());
            // A child of a cancelled token starts cancelled; cancelled() then returns at once.
            let late = root.child_token();
            assert!(late.is_cancelled());
            late.cancelled().await;
            assert_eq!(sim::time::elapsed(), ms(3));
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut names = log.texts();
        names.sort();
        assert_eq!(names, ["child", "grandchild", "root"], "{name}");
        assert!(log.lines().iter().all(|(t, _)| *t == 3), "{name}");
    }
}

#[test]
fn cancelling_a_child_leaves_the_parent_and_siblings_alone() {
    let parent = CancelToken::new();
    let (a, b) = (parent.child_token(), parent.child_token());
    a.cancel();
    assert!(a.is_cancelled());
    assert!(!parent.is_cancelled() && !b.is_cancelled());
    drop(b);
    for _ in 0..100 {
        drop(parent.child_token()); // dead children are swept, not accumulated
    }
    parent.cancel();
    assert!(a.is_cancelled());
}

/// The cooperative pattern: a worker notices the cancellation, then cleans up with awaits of
/// its own, which an abort would not allow.
#[test]
fn a_cancelled_worker_cleans_up_asynchronously() {
    let log = Log::default();
    let l = log.clone();
    fifo()
        .run(async move {
            let token = CancelToken::new();
            let t = token.clone();
            let worker = sim::spawn(async move {
                let mut rounds = 0;
                loop {
                    let tick = sim::time::sleep(ms(10));
                    let cancelled = t.cancelled();
                    futures_like_select(tick, cancelled, &mut rounds).await;
                    if t.is_cancelled() {
                        break;
                    }
                }
                l.push("cleaning up");
                sim::time::sleep(ms(5)).await;
                l.push("clean");
                rounds
            });
            sim::time::sleep(ms(25)).await;
            token.cancel();
            assert_eq!(worker.await.unwrap(), 2);
        })
        .unwrap();
    assert_eq!(
        log.lines(),
        [(25, "cleaning up".into()), (30, "clean".into())]
    );
}

/// Waits for whichever of `tick` and `cancelled` ends first (a tiny select, to keep this test
/// free of the combinators module), counting ticks.
async fn futures_like_select(
    tick: sim::time::Sleep,
    cancelled: sim::sync::Cancelled<'_>,
    rounds: &mut u32,
) {
    use std::future::Future;
    use std::pin::pin;
    use std::task::Poll;
    let (mut tick, mut cancelled) = (pin!(tick), pin!(cancelled));
    std::future::poll_fn(|cx| {
        if cancelled.as_mut().poll(cx).is_ready() {
            return Poll::Ready(());
        }
        if tick.as_mut().poll(cx).is_ready() {
            *rounds += 1;
            return Poll::Ready(());
        }
        Poll::Pending
    })
    .await
}

#[test]
fn a_drop_guard_cancels_when_its_task_is_aborted() {
    fifo()
        .run(async {
            let token = CancelToken::new();
            let guard = token.clone().drop_guard();
            let t = sim::spawn(async move {
                let _guard = guard;
                sim::time::sleep(ms(1000)).await;
            });
            sim::time::sleep(ms(1)).await;
            assert!(!token.is_cancelled());
            t.abort();
            token.cancelled().await;
            assert_eq!(sim::time::elapsed(), ms(1));
        })
        .unwrap();
}

/// An aborted `cancelled()` waiter leaves the list; the others are still woken; aborting at
/// every point never leaves a waiter stuck.
#[test]
fn abort_a_waiter_at_every_point() {
    for (i, at) in abort_points(8, 4).into_iter().enumerate() {
        for (name, mut sim) in all_sims().step_by(8) {
            sim.run(async move {
                let token = Rc::new(CancelToken::new());
                let waiters: Vec<_> = (0..3)
                    .map(|_| {
                        let t = token.child_token();
                        sim::spawn(async move { t.cancelled().await })
                    })
                    .collect();
                let canceller = {
                    let token = token.clone();
                    sim::spawn(async move {
                        sim::time::sleep(ms(2)).await;
                        token.cancel();
                    })
                };
                abort_at(at, &waiters[i % 3]).await;
                for (j, w) in waiters.into_iter().enumerate() {
                    if let Err(e) = w.await {
                        assert!(j == i % 3 && e.is_cancelled(), "{e}");
                    }
                }
                canceller.await.unwrap();
            })
            .unwrap_or_else(|e| panic!("{name}, abort at {at:?}: {e}"));
        }
    }
}

#[test]
fn a_blocked_cancelled_names_its_site() {
    let err = fifo()
        .run(async { CancelToken::new().cancelled().await })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("waits on CancelToken::cancelled at tests/tests/sync/sync_cancel_token.rs:"),
        "{err}"
    );
}
