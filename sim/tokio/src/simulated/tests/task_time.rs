//! Tasks, the runtime and time.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use super::{panic_message, run, run_with};
use crate::task::{JoinSet, LocalSet};
use crate::time::{
    Duration, Instant, MissedTickBehavior, interval, interval_at, sleep, sleep_until, timeout,
};

#[test]
fn an_abort_handle_cancels_a_waiting_task_and_joiners_see_it() {
    run(1, async {
        let h = crate::spawn(async { sleep(Duration::from_secs(3600)).await });
        let a = h.abort_handle();
        crate::task::yield_now().await; // the task is waiting now
        assert!(!a.is_finished());
        a.abort();
        let err = h.await.unwrap_err();
        assert!(err.is_cancelled() && !err.is_panic());
        assert!(a.is_finished());
        assert_eq!(crate::time::Instant::now().elapsed(), Duration::ZERO);
    });
}

#[test]
fn a_task_aborted_before_its_first_poll_never_runs() {
    run(2, async {
        let ran = Arc::new(AtomicU32::new(0));
        let r = ran.clone();
        let h = crate::spawn(async move { r.fetch_add(1, Ordering::Relaxed) });
        h.abort();
        assert!(h.await.unwrap_err().is_cancelled());
        assert_eq!(ran.load(Ordering::Relaxed), 0);
    });
}

#[test]
fn join_errors_carry_the_panic_and_the_task_id() {
    run(3, async {
        let h = crate::spawn(async { panic!("boom") });
        let id = h.id();
        let err = h.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.id(), id);
        assert_eq!(
            err.to_string(),
            format!("task {id} panicked with message \"boom\"")
        );
        let payload = err.try_into_panic().unwrap();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    });
}

#[test]
fn join_set_joins_in_completion_order_and_aborts_on_drop() {
    run(4, async {
        let mut set = JoinSet::new();
        assert!(set.is_empty());
        for s in [30u64, 10, 20] {
            set.spawn(async move {
                sleep(Duration::from_millis(s)).await;
                s
            });
        }
        assert_eq!(set.len(), 3);
        assert!(set.try_join_next().is_none(), "nothing finished yet");
        let mut order = Vec::new();
        while let Some(r) = set.join_next().await {
            order.push(r.unwrap());
        }
        assert_eq!(order, [10, 20, 30]);

        let finished = Arc::new(AtomicU32::new(0));
        let mut set = JoinSet::new();
        for _ in 0..3 {
            let f = finished.clone();
            set.spawn(async move {
                sleep(Duration::from_secs(1)).await;
                f.fetch_add(1, Ordering::Relaxed);
            });
        }
        drop(set);
        sleep(Duration::from_secs(2)).await;
        assert_eq!(
            finished.load(Ordering::Relaxed),
            0,
            "dropping the set aborted them"
        );
    });
}

#[test]
fn join_set_shutdown_and_join_all() {
    run(5, async {
        let mut set = JoinSet::new();
        set.spawn(std::future::pending::<u8>());
        set.spawn(std::future::pending::<u8>());
        set.shutdown().await;
        assert!(set.is_empty());
        let set: JoinSet<u8> = [1u8, 2].into_iter().map(std::future::ready).collect();
        let mut all = set.join_all().await;
        all.sort_unstable();
        assert_eq!(all, [1, 2]);
    });
}

#[test]
fn task_ids_spawn_blocking_and_local_sets() {
    run(6, async {
        assert_eq!(crate::task::try_id(), None);
        let h = crate::spawn(async { crate::task::id() });
        let id = h.id();
        assert_eq!(h.await.unwrap(), id);
        assert_eq!(crate::task::spawn_blocking(|| 6 * 7).await.unwrap(), 42);
        let local = LocalSet::new();
        let rc = std::rc::Rc::new(std::cell::Cell::new(0));
        let r = rc.clone();
        local.spawn_local(async move {
            sleep(Duration::from_secs(1)).await;
            r.set(1);
        });
        local.await;
        assert_eq!(rc.get(), 1);
    });
}

#[test]
fn spawning_outside_a_simulation_says_where_to_do_it() {
    let msg = panic_message(|| {
        drop(crate::spawn(async {}));
    });
    assert!(msg.contains("outside a simulation"), "{msg}");
    assert!(msg.contains("#[tokio::test]"), "{msg}");
}

#[test]
fn block_on_runs_a_simulation_outside_one_and_refuses_inside() {
    let rt = crate::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let elapsed = rt.block_on(async {
        let t = Instant::now();
        sleep(Duration::from_secs(5)).await;
        t.elapsed()
    });
    assert_eq!(elapsed, Duration::from_secs(5));
    let inner = run(0, async {
        let rt = crate::runtime::Runtime::new().unwrap();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(async {})))
            .map_err(|e| e.downcast_ref::<String>().cloned().unwrap_or_default())
    });
    let msg = inner.unwrap_err();
    assert!(msg.contains("inside a running simulation"), "{msg}");
    assert!(crate::runtime::Handle::try_current().is_err());
    let h = run(0, async {
        crate::runtime::Handle::current().spawn(async { 3 }).await
    });
    assert_eq!(h.unwrap(), 3);
}

#[test]
fn a_past_deadline_completes_at_once_and_sleep_until_is_exact() {
    run(7, async {
        let t = Instant::now();
        sleep(Duration::ZERO).await;
        sleep_until(t).await;
        assert_eq!(t.elapsed(), Duration::ZERO);
        sleep_until(t + Duration::from_millis(1500)).await;
        assert_eq!(Instant::now() - t, Duration::from_millis(1500));
        let before_start = t - Duration::from_secs(60);
        assert_eq!(t.duration_since(before_start), Duration::from_secs(60));
    });
}

#[test]
fn a_timeout_racing_its_future_is_an_explored_decision() {
    let outcomes: BTreeSet<bool> = (0..32)
        .map(|seed| {
            run(seed, async {
                timeout(Duration::from_secs(1), sleep(Duration::from_secs(1)))
                    .await
                    .is_ok()
            })
        })
        .collect();
    assert_eq!(outcomes, BTreeSet::from([false, true]));
    let fifo = run_with(0, sim::Strategy::fifo(), async {
        timeout(Duration::from_secs(1), sleep(Duration::from_secs(1))).await
    });
    assert!(
        fifo.is_ok(),
        "tokio's rule under Fifo: the future is polled first"
    );
}

/// Ticks of an interval whose owner is busy 35 ms after the first tick.
async fn ticks(behavior: MissedTickBehavior) -> Vec<u64> {
    let start = Instant::now();
    let mut iv = interval_at(start, Duration::from_millis(10));
    iv.set_missed_tick_behavior(behavior);
    iv.tick().await;
    sim::task::block_for(Duration::from_millis(35));
    let mut out = Vec::new();
    for _ in 0..4 {
        iv.tick().await;
        out.push((Instant::now() - start).as_millis() as u64);
    }
    out
}

#[test]
fn missed_ticks_follow_tokio_s_three_behaviours() {
    assert_eq!(run(0, ticks(MissedTickBehavior::Burst)), [35, 35, 35, 40]);
    assert_eq!(run(0, ticks(MissedTickBehavior::Delay)), [35, 45, 55, 65]);
    assert_eq!(run(0, ticks(MissedTickBehavior::Skip)), [35, 40, 50, 60]);
    run(0, async {
        let mut iv = interval(Duration::from_secs(1));
        let t0 = iv.tick().await;
        iv.reset();
        assert_eq!(iv.tick().await - t0, Duration::from_secs(1));
    });
}

#[test]
fn advance_moves_the_clock_and_lets_woken_tasks_run() {
    run_with(0, sim::Strategy::fifo(), async {
        crate::time::pause();
        let fired = Arc::new(AtomicU32::new(0));
        let f = fired.clone();
        crate::spawn(async move {
            sleep(Duration::from_millis(500)).await;
            f.store(1, Ordering::Relaxed);
        });
        crate::task::yield_now().await; // the task starts its sleep, as on tokio
        let t = Instant::now();
        crate::time::advance(Duration::from_secs(1)).await;
        assert_eq!(t.elapsed(), Duration::from_secs(1));
        assert_eq!(fired.load(Ordering::Relaxed), 1);
        crate::time::resume();
    });
}

/// tokio's current-thread runtime polls the tasks whose timers `advance` passed before the
/// caller resumes (mini-redis's `key_value_timeout` relies on it): so must the facade, whichever
/// task the strategy picks first among those the timers woke.
#[test]
fn advance_resumes_the_caller_after_the_tasks_its_timers_woke() {
    for seed in 0..64 {
        run(seed, async {
            let fired = Arc::new(AtomicU32::new(0));
            let expiry = Instant::now() + Duration::from_secs(1);
            for _ in 0..3 {
                let f = fired.clone();
                crate::spawn(async move {
                    sleep_until(expiry).await;
                    f.fetch_add(1, Ordering::Relaxed);
                });
            }
            crate::task::yield_now().await;
            crate::time::advance(Duration::from_secs(1)).await;
            assert_eq!(fired.load(Ordering::Relaxed), 3, "seed {seed}");
        });
    }
}

/// tokio's `advance` moves the clock in one jump: it does not wait for the other tasks to be
/// idle, and the timers it passes all see the new time.
#[test]
fn advance_jumps_the_clock_while_other_tasks_keep_running() {
    run(3, async {
        let stop = Arc::new(AtomicU32::new(0));
        let s = stop.clone();
        let spinner = crate::spawn(async move {
            while s.load(Ordering::Relaxed) == 0 {
                crate::task::yield_now().await;
            }
        });
        let late = crate::spawn(async {
            sleep(Duration::from_millis(100)).await;
            Instant::now()
        });
        crate::task::yield_now().await;
        let t = Instant::now();
        crate::time::advance(Duration::from_millis(1500)).await;
        assert_eq!(t.elapsed(), Duration::from_millis(1500));
        stop.store(1, Ordering::Relaxed);
        spinner.await.unwrap();
        // The 100 ms timer fired at the new time, as tokio's do.
        assert_eq!(late.await.unwrap() - t, Duration::from_millis(1500));
        // Exact to the nanosecond.
        crate::time::advance(Duration::from_nanos(7)).await;
        assert_eq!(t.elapsed(), Duration::from_nanos(1_500_000_007));
    });
}

#[crate::main(crate = "crate", flavor = "current_thread")]
async fn simulated_answer() -> (u64, Duration) {
    let t = Instant::now();
    sleep(Duration::from_secs(10)).await;
    (crate::spawn(async { 42 }).await.unwrap(), t.elapsed())
}

#[test]
fn the_main_attribute_runs_the_body_as_one_simulation() {
    assert_eq!(simulated_answer(), (42, Duration::from_secs(10)));
}

/// Any of tokio's arguments is accepted; the body is swept over the default seeds.
#[crate::test(
    crate = "crate",
    flavor = "multi_thread",
    worker_threads = 4,
    start_paused = true
)]
async fn the_test_attribute_sweeps_the_body() {
    let (tx, rx) = crate::sync::oneshot::channel();
    crate::spawn(async move { tx.send(sim::task::id()).unwrap() });
    assert_ne!(rx.await.unwrap(), sim::task::TaskId::MAIN);
}

/// A test may return a `Result`, as under tokio.
#[crate::test(crate = "crate")]
async fn a_test_may_return_a_result() -> Result<(), std::io::Error> {
    let l = crate::net::TcpListener::bind("127.0.0.1:0").await?;
    l.local_addr().map(drop)
}

crate::task_local! {
    static REQUEST: u32;
}

#[test]
fn task_locals_are_tokio_s_own() {
    run(8, async {
        let v = REQUEST
            .scope(7, async {
                crate::task::yield_now().await;
                REQUEST.get()
            })
            .await;
        assert_eq!(v, 7);
        assert!(REQUEST.try_with(|v| *v).is_err());
    });
}

/// `Handle::current().spawn` (common in libraries) spawns a simulated task; `block_in_place`
/// runs its closure at once, and a `block_on` in it (the usual reason to call it) is a clear
/// error naming what to do, not a hang.
#[test]
fn handle_spawn_and_block_in_place() {
    run(6, async {
        let handle = crate::runtime::Handle::current();
        let h = handle.spawn(async { 5 });
        assert_eq!(h.await.unwrap(), 5);
        assert_eq!(crate::task::block_in_place(|| 6), 6);
    });
    let msg = panic_message(|| {
        run(7, async {
            crate::task::block_in_place(|| crate::runtime::Handle::current().block_on(async { 1 }));
        })
    });
    assert!(msg.contains("inside a running simulation"), "{msg}");
    assert!(msg.contains(".await"), "{msg}");
}
