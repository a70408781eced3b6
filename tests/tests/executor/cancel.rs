//! SEMANTICS §C, cancellation is drop (cases 14–17): each exactly under Fifo, and its order-free
//! part under every seed of the Random sweep.

use std::cell::RefCell;
use std::rc::Rc;

use seedloop_tests::{Guard, Log, SWEEP, at, fifo, random, secs};
use sim::time::sleep;
use sim::trace::EventKind;
use sim::{JoinHandle, Sim};

/// The guide's `cancel_me`: aborted at t=1 while sleeping 3600 s.
fn cancel_me(mut sim: Sim) {
    let log = Log::new();
    let l = log.clone();
    let cancelled = sim
        .run(async move {
            let task_log = l.clone();
            let task = sim::spawn_named("cancel_me", async move {
                task_log.push("cancel_me(): before sleep");
                let _guard = Guard::new(&task_log, "cancel_me(): cancel sleep");
                sleep(secs(3600)).await;
                task_log.push("cancel_me(): after sleep");
            });
            sleep(secs(1)).await;
            task.abort();
            let res = task.await;
            l.push("main(): cancel_me is cancelled now");
            res.unwrap_err().is_cancelled()
        })
        .unwrap();
    assert!(cancelled, "the join reports cancelled");
    assert_eq!(
        log.lines(),
        [
            "cancel_me(): before sleep@0s",
            "cancel_me(): cancel sleep@1s",
            "main(): cancel_me is cancelled now@1s"
        ]
    );
    // The aborted sleep released its timer: the run ends at t=1, not t=3600.
    assert_eq!(sim.trace().stats().end_time, at(secs(1)));
}

#[test]
fn case_14_cancel_me_aborts_a_sleeping_task_and_releases_its_timer() {
    cancel_me(fifo());
    for seed in SWEEP {
        cancel_me(random(seed));
    }
}

fn abort_before_first_poll(mut sim: Sim) {
    let log = Log::new();
    let l = log.clone();
    let guard = Guard::new(&log, "future dropped");
    let err = sim
        .run(async move {
            let h = sim::spawn(async move {
                let _guard = guard;
                l.push("body ran");
            });
            h.abort();
            h.await.unwrap_err()
        })
        .unwrap();
    assert!(err.is_cancelled(), "{err}");
    assert!(!err.is_panic());
    assert_eq!(err.to_string(), "task task#1 was cancelled");
    assert_eq!(log.lines(), ["future dropped@0s"], "the body never ran");
}

#[test]
fn case_15_a_task_aborted_before_its_first_poll_never_runs() {
    abort_before_first_poll(fifo());
    for seed in SWEEP {
        abort_before_first_poll(random(seed));
    }
}

fn abort_finished(mut sim: Sim) {
    let v = sim
        .run(async {
            let h = sim::spawn(async { 5 });
            while !h.is_finished() {
                sim::task::yield_now().await;
            }
            h.abort();
            h.abort();
            h.await
        })
        .unwrap();
    assert_eq!(v.unwrap(), 5);
    let aborts = sim
        .trace()
        .events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::AbortRequested { .. }))
        .count();
    assert_eq!(aborts, 0, "aborting a finished task changes nothing");
}

fn abort_twice(mut sim: Sim) {
    let log = Log::new();
    let l = log.clone();
    let err = sim
        .run(async move {
            let h = sim::spawn(async move {
                let _guard = Guard::new(&l, "dropped");
                sleep(secs(10)).await;
            });
            sleep(secs(1)).await;
            h.abort();
            h.abort();
            sim::task::yield_now().await;
            h.abort();
            h.await.unwrap_err()
        })
        .unwrap();
    assert!(err.is_cancelled());
    assert_eq!(log.lines(), ["dropped@1s"]);
    let aborts = sim
        .trace()
        .events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::AbortRequested { .. }))
        .count();
    assert_eq!(aborts, 1, "aborting twice is aborting once");
}

/// The task aborts itself from inside its own poll, then returns without yielding.
fn abort_self_then_complete(mut sim: Sim) {
    let slot: Rc<RefCell<Option<JoinHandle<u32>>>> = Rc::default();
    let s = slot.clone();
    let v = sim
        .run(async move {
            let task_slot = s.clone();
            let h = sim::spawn(async move {
                if let Some(me) = task_slot.borrow().as_ref() {
                    me.abort();
                }
                5
            });
            *s.borrow_mut() = Some(h);
            loop {
                let done = s.borrow().as_ref().is_some_and(JoinHandle::is_finished);
                if done {
                    break;
                }
                sim::task::yield_now().await;
            }
            let h = s.borrow_mut().take().unwrap();
            h.await
        })
        .unwrap();
    assert_eq!(
        v.unwrap(),
        5,
        "completed without yielding after its own abort"
    );
}

/// The task aborts itself, then yields: it is dropped before its next poll.
fn abort_self_then_yield(mut sim: Sim) {
    let log = Log::new();
    let slot: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
    let (s, l) = (slot.clone(), log.clone());
    let err = sim
        .run(async move {
            let (task_slot, task_log) = (s.clone(), l.clone());
            let h = sim::spawn(async move {
                let _guard = Guard::new(&task_log, "dropped");
                if let Some(me) = task_slot.borrow().as_ref() {
                    me.abort();
                }
                sim::task::yield_now().await;
                task_log.push("ran after yield");
            });
            *s.borrow_mut() = Some(h);
            sleep(secs(1)).await;
            let h = s.borrow_mut().take().unwrap();
            h.await.unwrap_err()
        })
        .unwrap();
    assert!(err.is_cancelled());
    assert_eq!(log.lines(), ["dropped@0s"]);
}

#[test]
fn case_16_aborting_finished_twice_or_from_inside() {
    abort_finished(fifo());
    abort_twice(fifo());
    abort_self_then_complete(fifo());
    abort_self_then_yield(fifo());
    for seed in SWEEP {
        abort_finished(random(seed));
        abort_twice(random(seed));
        abort_self_then_complete(random(seed));
        abort_self_then_yield(random(seed));
    }
}

fn detach(mut sim: Sim) {
    let log = Log::new();
    let l = log.clone();
    sim.run(async move {
        let task_log = l.clone();
        let h = sim::spawn(async move {
            sleep(secs(1)).await;
            task_log.push("detached task done");
        });
        drop(h);
        sleep(secs(2)).await;
        l.push("main done");
    })
    .unwrap();
    assert_eq!(log.lines(), ["detached task done@1s", "main done@2s"]);
    let aborted = sim
        .trace()
        .events()
        .iter()
        .any(|e| matches!(e.kind, EventKind::Aborted | EventKind::Leftover));
    assert!(!aborted, "dropping a JoinHandle never cancels");
}

#[test]
fn case_17_dropping_a_join_handle_detaches() {
    detach(fifo());
    for seed in SWEEP {
        detach(random(seed));
    }
}
