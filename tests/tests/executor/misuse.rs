//! Misuse gets a clear message naming what was wrong, never a hang: `sim` functions called
//! outside a run, a nested run, a waker woken from another thread.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};

use seedloop_tests::{Log, SWEEP, fifo, ms, random, secs};
use sim::Sim;
use sim::time::Instant;

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("it should have panicked");
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        panic!("a non-string panic payload")
    }
}

/// Evaluates its argument for its effect (the result may be `Copy`).
fn ignore<T>(_: T) {}

/// Polls `fut` once with a no-op waker, outside any simulation.
fn poll_once<F: Future>(fut: F) -> Poll<F::Output> {
    let fut = pin!(fut);
    fut.poll(&mut Context::from_waker(Waker::noop()))
}

/// A call to try outside a simulation.
type Call = Box<dyn FnOnce()>;

/// A call to try outside a simulation, on values of the test.
type LocalCall<'a> = Box<dyn FnOnce() + 'a>;

#[test]
fn every_sim_function_outside_a_run_panics_naming_itself() {
    // `sleep`, `timeout` and `timeout_at` may be created outside a run (`sim.run(sleep(d))`):
    // their deadline is then fixed at the first poll, and polling outside a run panics.
    let cases: Vec<(&str, Call)> = vec![
        ("sim::spawn", Box::new(|| ignore(sim::spawn(async {})))),
        (
            "sim::spawn_named",
            Box::new(|| ignore(sim::spawn_named("x", async {}))),
        ),
        ("sim::task::id", Box::new(|| ignore(sim::task::id()))),
        ("sim::task::label", Box::new(|| ignore(sim::task::label()))),
        (
            "sim::task::yield_now",
            Box::new(|| ignore(poll_once(sim::task::yield_now()))),
        ),
        (
            "sim::task::maybe_yield",
            Box::new(|| ignore(poll_once(sim::task::maybe_yield()))),
        ),
        ("sim::time::now", Box::new(|| ignore(sim::time::now()))),
        (
            "sim::time::elapsed",
            Box::new(|| ignore(sim::time::elapsed())),
        ),
        (
            "Sleep::poll",
            Box::new(|| ignore(poll_once(sim::time::sleep(secs(1))))),
        ),
        (
            "Sleep::poll",
            Box::new(|| ignore(poll_once(sim::time::sleep_until(Instant::ZERO)))),
        ),
        (
            "Timeout::poll",
            Box::new(|| ignore(poll_once(sim::time::timeout(secs(1), async {})))),
        ),
        (
            "Timeout::poll",
            Box::new(|| ignore(poll_once(sim::time::timeout_at(Instant::ZERO, async {})))),
        ),
        (
            "sim::task::block_for",
            Box::new(|| sim::task::block_for(secs(1))),
        ),
        (
            "sim::time::interval",
            Box::new(|| ignore(sim::time::interval(ms(300)))),
        ),
        (
            "sim::rand::random",
            Box::new(|| ignore(sim::rand::random::<u64>())),
        ),
        (
            "sim::rand::range",
            Box::new(|| ignore(sim::rand::range(0..10))),
        ),
        (
            "sim::rand::bool_with",
            Box::new(|| ignore(sim::rand::bool_with(0.5))),
        ),
        (
            "sim::rand::choose",
            Box::new(|| ignore(sim::rand::choose::<u8>(&[]))),
        ),
        (
            "sim::rand::shuffle",
            Box::new(|| sim::rand::shuffle::<u8>(&mut [])),
        ),
        (
            "sim::rand::SimRng",
            Box::new(|| {
                use rand_core::Rng;
                ignore(sim::rand::SimRng.next_u64());
            }),
        ),
        ("sim::log!", Box::new(|| sim::log!("x"))),
    ];
    for (name, f) in cases {
        let msg = panic_message(f);
        assert!(
            msg.starts_with(&format!("`{name}` was called outside a simulation")),
            "{name}: {msg}"
        );
        assert!(msg.contains("Sim::new(seed).run"), "{name}: {msg}");
    }
    assert!(!sim::in_simulation());
}

#[test]
fn join_handles_used_after_their_run_panic_naming_the_call() {
    // A task and its result live as long as its run: a handle kept past the run names a task
    // that is gone, so reading it is misuse, reported clearly (dropping or aborting it is not).
    let mut sim = fifo();
    let (done, leftover) = sim
        .run(async {
            let done = sim::spawn(async { 1 });
            let leftover = sim::spawn(sim::time::sleep(secs(9)));
            sim::task::yield_now().await;
            (done, leftover)
        })
        .unwrap();
    let stop = leftover.abort_handle();
    let cases: Vec<(&str, LocalCall<'_>)> = vec![
        (
            "JoinHandle::is_finished",
            Box::new(|| ignore(leftover.is_finished())),
        ),
        (
            "AbortHandle::is_finished",
            Box::new(|| ignore(stop.is_finished())),
        ),
        ("JoinHandle::poll", Box::new(|| ignore(poll_once(done)))),
    ];
    for (name, f) in cases {
        let msg = panic_message(f);
        assert!(
            msg.starts_with(&format!(
                "`{name}` was called on a handle of a task of another run"
            )),
            "{name}: {msg}"
        );
        assert!(
            msg.contains("inside the run that spawned it"),
            "{name}: {msg}"
        );
    }
    // Aborting after the run changes nothing (every task ended with the run): no panic, so a
    // `Drop` that aborts what it owns is safe anywhere.
    leftover.abort();
    stop.abort();
    drop(leftover);

    // In another run, using it is misuse: the handle does not name a task of that run.
    let mut first = fifo();
    #[expect(
        clippy::async_yields_async,
        reason = "the run hands back the handle of a task of its own on purpose"
    )]
    let stale = first.run(async { sim::spawn(async { 7 }) }).unwrap();
    let stop = stale.abort_handle();
    let err = fifo()
        .run(async move {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| stop.abort()))
                .expect_err("aborting in another run panics");
            stale.await
        })
        .unwrap_err();
    assert!(err.is_main_panic(), "{err}");
    assert!(
        err.panic_message()
            .unwrap()
            .starts_with("`JoinHandle::poll` was called on a handle of a task of another run"),
        "{err}"
    );
}

#[test]
fn a_nested_run_is_an_error_and_runs_nothing() {
    let check = |mut sim: Sim| {
        let log = Log::new();
        let l = log.clone();
        let err = sim
            .run(async move {
                let inner = l.clone();
                let mut nested = Sim::builder().seed(3).build();
                let err = nested
                    .run(async move { inner.push("nested ran") })
                    .unwrap_err();
                assert!(nested.trace().events().is_empty());
                l.push("outer continues");
                err
            })
            .unwrap();
        assert!(err.is_nested_run(), "{err}");
        assert!(!err.is_panic() && !err.is_deadlock());
        assert_eq!(err.time(), Instant::ZERO);
        assert_eq!(err.step(), 0);
        let text = err.to_string();
        assert!(
            text.starts_with("Sim::run called at tests/tests/executor/misuse.rs:"),
            "{text}"
        );
        assert!(
            text.contains("inside a running simulation; nothing was run"),
            "{text}"
        );
        assert!(text.contains("help: "), "{text}");
        assert_eq!(log.texts(), ["outer continues"]);
    };
    check(fifo());
    for seed in SWEEP {
        check(random(seed));
    }
}

/// Main hands its own waker to a real thread, which wakes it.
async fn wake_from_another_thread() -> u32 {
    let waker = std::future::poll_fn(|cx| Poll::Ready(cx.waker().clone())).await;
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("intruder".into())
        .spawn(move || {
            waker.wake();
            tx.send(()).unwrap();
        })
        .unwrap();
    rx.recv().unwrap();
    thread.join().unwrap();
    // Suspend once so the run notices before main returns.
    sim::time::sleep(secs(1)).await;
    7
}

#[test]
fn a_waker_woken_from_another_thread_fails_the_run() {
    let check = |mut sim: Sim| {
        let err = sim.run(wake_from_another_thread()).unwrap_err();
        assert!(err.is_foreign_wake(), "{err}");
        assert_eq!(err.time(), Instant::ZERO, "the run stopped at once");
        let text = err.to_string();
        assert!(
            text.contains("woken from thread `intruder` at t=0s"),
            "{text}"
        );
        assert!(text.contains("help: "), "{text}");
    };
    check(fifo());
    for seed in 0..8 {
        check(random(seed));
    }
}

#[test]
fn a_foreign_wake_in_mains_last_poll_still_fails_the_run() {
    let err = fifo()
        .run(async {
            let waker = std::future::poll_fn(|cx| Poll::Ready(cx.waker().clone())).await;
            std::thread::spawn(move || waker.wake()).join().unwrap();
            7
        })
        .unwrap_err();
    assert!(err.is_foreign_wake(), "{err}");
}

#[test]
fn a_waker_kept_from_an_earlier_run_is_harmless() {
    let waker = fifo()
        .run(std::future::poll_fn(|cx| Poll::Ready(cx.waker().clone())))
        .unwrap();
    waker.wake_by_ref();
    let mut sim = fifo();
    let out = sim
        .run(async move {
            waker.wake_by_ref();
            sim::time::sleep(secs(1)).await;
            waker.wake();
            2
        })
        .unwrap();
    assert_eq!(out, 2);
    let mut again = fifo();
    again
        .run(async {
            sim::time::sleep(secs(1)).await;
            2
        })
        .unwrap();
    assert_eq!(
        sim.trace().digest(),
        again.trace().digest(),
        "the stale wakes changed nothing"
    );
}

#[test]
fn polling_a_join_handle_after_its_result_panics_with_a_message() {
    let err = fifo()
        .run(async {
            let mut h = sim::spawn(async { 1 });
            let first = std::future::poll_fn(|cx| std::pin::Pin::new(&mut h).poll(cx)).await;
            assert_eq!(first.unwrap(), 1);
            std::future::poll_fn(|cx| std::pin::Pin::new(&mut h).poll(cx)).await
        })
        .unwrap_err();
    assert!(err.is_main_panic(), "{err}");
    assert_eq!(
        err.panic_message(),
        Some("a JoinHandle was polled after it returned its result")
    );
}

/// A sleep registered in a run of its own, then kept past that run.
#[expect(
    clippy::async_yields_async,
    reason = "the run hands back a registered, unfinished Sleep on purpose"
)]
fn sleep_from_an_earlier_run() -> std::pin::Pin<Box<sim::time::Sleep>> {
    fifo()
        .run(async {
            let mut s = Box::pin(sim::time::sleep(secs(10)));
            std::future::poll_fn(|cx| {
                assert!(s.as_mut().poll(cx).is_pending());
                Poll::Ready(())
            })
            .await;
            s
        })
        .unwrap()
}

#[test]
fn a_sleep_kept_from_an_earlier_run_leaves_a_later_runs_timers_alone() {
    // Dropped in a later run, it must not cancel that run's timer with the same key.
    let stale = sleep_from_an_earlier_run();
    let woke = fifo()
        .run(async move {
            let t = sim::spawn(async {
                sim::time::sleep(secs(1)).await;
                sim::time::now()
            });
            yield_now_once().await;
            drop(stale);
            t.await.unwrap()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(woke, seedloop_tests::at(secs(1)));

    // Awaited in a later run, it waits there (for its deadline) instead of reading another
    // run's timer.
    let stale = sleep_from_an_earlier_run();
    let t = fifo()
        .run(async move {
            stale.await;
            sim::time::now()
        })
        .unwrap();
    assert_eq!(t, seedloop_tests::at(secs(10)));
}

async fn yield_now_once() {
    sim::task::yield_now().await;
}
