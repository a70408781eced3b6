//! Issue 14 item 3 on the combinators and tasks: `abort()` says whether it took effect, one
//! child of a `TaskGroup` can be aborted, a whole group cancelled, and a scoped deadline
//! (asyncio's `timeout()`) can be read, moved and asked whether it fired.

use std::time::Duration;

use crate::concurrency_common::*;
use sim::TaskGroup;
use sim::time::{TimeoutScope, now, sleep};

#[test]
fn abort_says_whether_it_took_effect() {
    fifo()
        .run(async {
            let quick = sim::spawn(async { 1 });
            let slow = sim::spawn(sleep(secs(5)));
            sleep(secs(1)).await;
            assert!(!quick.abort(), "finished already");
            assert!(slow.abort());
            assert!(
                slow.abort(),
                "asking twice still answers that it will end cancelled"
            );
            assert!(slow.abort_handle().abort());
            assert_eq!(quick.await.unwrap(), 1);
            assert!(slow.await.unwrap_err().is_cancelled());
        })
        .unwrap();
}

#[test]
fn one_child_of_a_task_group_can_be_aborted() {
    for seed in SEEDS {
        let mut sim = sim::Sim::new(seed);
        sim.run(async {
            let group: TaskGroup<u32> = TaskGroup::new();
            let a = group
                .spawn(async {
                    sleep(secs(1)).await;
                    Ok(1)
                })
                .unwrap();
            let b = group
                .spawn(async {
                    sleep(secs(9)).await;
                    Ok(2)
                })
                .unwrap();
            let c = group
                .spawn(async {
                    sleep(secs(2)).await;
                    Ok(3)
                })
                .unwrap();
            sleep(secs(1)).await;
            assert!(group.abort(b));
            assert!(
                !group.abort(sim::spawn(async {}).id()),
                "not a child of this group"
            );
            let _ = (a, c);
            assert_eq!(group.join().await.unwrap(), [1, 3]);
            assert_eq!(sim::time::elapsed(), secs(2));
        })
        .unwrap();
    }
}

#[test]
fn cancelling_a_task_group_aborts_its_children_and_join_says_so() {
    let mut sim = fifo();
    let fates = Fates::default();
    let f = fates.clone();
    sim.run(async move {
        let group: TaskGroup<()> = TaskGroup::new();
        let done = group.spawn(async { Ok(()) }).unwrap();
        let _ = done;
        group.spawn(named_ok("work", secs(5), &f)).unwrap();
        sleep(secs(1)).await;
        group.cancel();
        assert!(group.spawn(async { Ok(()) }).is_err());
        let err = group.join().await.unwrap_err();
        assert!(err.is_cancelled());
        assert!(err.failures().is_empty());
        assert_eq!(err.to_string(), "task group cancelled");
        assert_eq!(sim::time::elapsed(), secs(1));
    })
    .unwrap();
    assert_eq!(fates.get(), [Fate::Cancelled]);
}

fn named_ok(
    name: &'static str,
    d: Duration,
    fates: &Fates,
) -> impl std::future::Future<Output = Result<(), std::convert::Infallible>> + 'static {
    let work = named(name, d, fates);
    async move {
        work.await;
        Ok(())
    }
}

#[test]
fn a_timeout_scope_can_be_moved_from_inside_and_says_whether_it_fired() {
    fifo()
        .run(async {
            let scope = TimeoutScope::after(Some(secs(1)));
            assert_eq!(scope.when(), Some(sim::time::Instant::ZERO + secs(1)));
            let inner = scope.clone();
            let out = scope
                .run(async move {
                    sleep(Duration::from_millis(900)).await;
                    inner.reschedule(Some(now() + secs(1)));
                    sleep(secs(2)).await;
                    "finished"
                })
                .await;
            assert!(out.is_err(), "the moved deadline (1.9 s) fired");
            assert!(scope.expired());
            assert_eq!(sim::time::elapsed(), Duration::from_millis(1900));

            // Removing the deadline lets the body run to its end.
            let scope = TimeoutScope::after(Some(secs(1)));
            let inner = scope.clone();
            let out = scope
                .run(async move {
                    inner.reschedule(None);
                    sleep(secs(3)).await;
                    7
                })
                .await;
            assert_eq!(out, Ok(7));
            assert!(!scope.expired());

            // Moved earlier by another task while the scope waits.
            let scope = TimeoutScope::after(None);
            let mover = {
                let scope = scope.clone();
                sim::spawn(async move {
                    sleep(secs(1)).await;
                    scope.reschedule(Some(now()));
                })
            };
            let start = now();
            assert!(scope.run(sleep(secs(100))).await.is_err());
            assert_eq!(now() - start, secs(1));
            mover.await.unwrap();
        })
        .unwrap();
}

#[test]
fn one_child_of_a_gather_can_be_aborted_through_its_handle() {
    // gather_settled: the aborted child is a cancelled outcome, the others go on.
    for seed in SEEDS {
        let mut sim = sim::Sim::new(seed);
        sim.run(async {
            let mut all = sim::gather_settled([sleep(secs(1)), sleep(secs(9)), sleep(secs(2))]);
            let handles = all.abort_handles();
            assert_eq!(handles.len(), 3);
            sleep(secs(1)).await; // the children run meanwhile
            assert!(handles[1].abort());
            let out = all.await;
            assert!(out[0].is_ok() && out[2].is_ok());
            assert!(out[1].as_ref().unwrap_err().is_cancelled());
            assert_eq!(sim::time::elapsed(), secs(2));
        })
        .unwrap();
    }
    // gather: the awaiting task fails, naming the abort (asyncio raises CancelledError).
    let err = fifo()
        .run(async {
            let mut both = sim::gather([sleep(secs(1)), sleep(secs(9))]);
            both.abort_handles()[1].abort();
            both.await;
        })
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("a child of a gather was aborted from outside the gather"),
        "{text}"
    );
}
