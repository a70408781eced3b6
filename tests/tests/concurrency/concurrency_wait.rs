//! SEMANTICS E (cases 24, 25): wait and as_completed, which cancel nothing.

use std::time::Duration;

use crate::concurrency_common::*;
use sim::Sim;
use sim::concurrency::{WaitFor, as_completed, wait};
use sim::time::{elapsed, sleep};

fn after(d: Duration, v: &'static str) -> sim::JoinHandle<&'static str> {
    sim::spawn(async move {
        sleep(d).await;
        sim::log!("{v} finished");
        v
    })
}

/// `wait(FirstCompleted)` with b(0.1), a(10): returns at 0.1 with done={b}, pending={a}; a is
/// not cancelled.
async fn case24_first_completed() -> String {
    let b = after(ms(100), "b");
    let a = after(secs(10), "a");
    let (done, pending) = wait([b, a], WaitFor::FirstCompleted, None).await;
    let t = elapsed();
    let done: Vec<_> = done.into_iter().map(|c| c.result.unwrap()).collect();
    assert_eq!(pending.len(), 1);
    let rest = pending.into_iter().next().unwrap().await.unwrap();
    format!("{done:?} at {t:?}; then {rest} at {:?}", elapsed())
}

#[test]
fn case24_wait_first_completed() {
    let expect = r#"["b"] at 100ms; then a at 10s"#;
    let mut sim = fifo();
    assert_eq!(sim.run(case24_first_completed()).unwrap(), expect);
    assert_eq!(logs(&sim), ["0.1s b finished", "10s a finished"]);
    for seed in SEEDS {
        assert_eq!(
            Sim::new(seed).run(case24_first_completed()).unwrap(),
            expect,
            "seed {seed}"
        );
    }
}

/// `FirstError` returns at the first failure (here a panic at 0.2), with what finished by then;
/// with no failure it returns at the last completion.
async fn case24_first_error(with_failure: bool) -> (Vec<String>, usize, Duration) {
    let x = after(ms(100), "x");
    let y = sim::spawn(async move {
        sleep(ms(200)).await;
        if with_failure {
            panic!("y failed");
        }
        "y"
    });
    let z = after(ms(300), "z");
    let (done, pending) = wait([x, y, z], WaitFor::FirstError, None).await;
    let t = elapsed();
    let done = done
        .into_iter()
        .map(|c| match c.result {
            Ok(v) => format!("{} ok {v}", c.index),
            Err(e) => format!("{} err {}", c.index, e.panic_message().unwrap()),
        })
        .collect();
    let n = pending.len();
    for h in pending {
        h.await.unwrap();
    }
    (done, n, t)
}

#[test]
fn case24_wait_first_error() {
    for mut sim in std::iter::once(fifo()).chain(SEEDS.map(Sim::new)) {
        let (done, pending, t) = sim.run(case24_first_error(true)).unwrap();
        assert_eq!(done, ["0 ok x", "1 err y failed"]);
        assert_eq!((pending, t), (1, ms(200)));
        let (done, pending, t) = sim.run(case24_first_error(false)).unwrap();
        assert_eq!(done, ["0 ok x", "1 ok y", "2 ok z"]);
        assert_eq!((pending, t), (0, ms(300)));
    }
}

/// With a timeout of 0.11 and g(0.1), h(0.15): returns at 0.11 with done={g}, pending={h};
/// h is not cancelled.
async fn case24_timeout() -> (Vec<&'static str>, Duration, &'static str, Duration) {
    let g = after(ms(100), "g");
    let h = after(ms(150), "h");
    let (done, pending) = wait([g, h], WaitFor::AllCompleted, Some(ms(110))).await;
    let t = elapsed();
    let done = done.into_iter().map(|c| c.result.unwrap()).collect();
    let mut pending = pending;
    let h = pending.pop().unwrap().await.unwrap();
    (done, t, h, elapsed())
}

#[test]
fn case24_wait_with_timeout_cancels_nothing() {
    let expect = (vec!["g"], ms(110), "h", ms(150));
    assert_eq!(fifo().run(case24_timeout()).unwrap(), expect);
    for seed in SEEDS {
        assert_eq!(
            Sim::new(seed).run(case24_timeout()).unwrap(),
            expect,
            "seed {seed}"
        );
    }
}

#[test]
fn wait_on_nothing_and_on_finished_tasks_returns_at_once() {
    fifo()
        .run(async {
            let (done, pending) = wait(
                Vec::<sim::JoinHandle<()>>::new(),
                WaitFor::AllCompleted,
                None,
            )
            .await;
            assert!(done.is_empty() && pending.is_empty());
            let a = sim::spawn(async { 1 });
            let b = sim::spawn(async { 2 });
            sleep(ms(1)).await;
            let (done, _) = wait([b, a], WaitFor::FirstCompleted, None).await;
            // Both had finished: both are reported, in argument order.
            let got: Vec<_> = done
                .into_iter()
                .map(|c| (c.index, c.result.unwrap()))
                .collect();
            assert_eq!(got, [(0, 2), (1, 1)]);
            assert_eq!(elapsed(), ms(1));
        })
        .unwrap();
}

#[test]
fn dropping_a_wait_cancels_nothing() {
    let mut sim = fifo();
    sim.run(async {
        let a = after(secs(2), "a");
        let r = sim::time::timeout(secs(1), wait([a], WaitFor::AllCompleted, None)).await;
        assert!(r.is_err());
        sleep(secs(5)).await;
    })
    .unwrap();
    assert_eq!(logs(&sim), ["2s a finished"]);
}

/// `as_completed([b(0.01), c(0.15), a(0.01)])` with a, b, c spawned in that order yields a, b
/// at 0.01 (timer registration order under Fifo) and c at 0.15.
async fn case25() -> Vec<String> {
    let a = after(ms(10), "a");
    let b = after(ms(10), "b");
    let c = after(ms(150), "c");
    let mut stream = as_completed([b, c, a]);
    let mut seen = Vec::new();
    while let Some(done) = stream.next().await {
        seen.push(format!(
            "{} {} at {:?}",
            done.index,
            done.result.unwrap(),
            elapsed()
        ));
    }
    seen
}

#[test]
fn case25_as_completed_yields_in_completion_order() {
    assert_eq!(
        fifo().run(case25()).unwrap(),
        ["2 a at 10ms", "0 b at 10ms", "1 c at 150ms"]
    );
    let mut orders = std::collections::BTreeSet::new();
    for seed in SEEDS {
        let seen = Sim::new(seed).run(case25()).unwrap();
        let mut firsts = seen[..2].to_vec();
        firsts.sort();
        assert_eq!(firsts, ["0 b at 10ms", "2 a at 10ms"], "seed {seed}");
        assert_eq!(seen[2], "1 c at 150ms", "seed {seed}");
        orders.insert(seen[0].clone());
    }
    assert_eq!(
        orders.len(),
        2,
        "both orders of the simultaneous a and b are reachable"
    );
}

async fn case25_timeout() -> (Vec<&'static str>, bool, Vec<&'static str>) {
    let a = after(ms(10), "a");
    let c = after(ms(150), "c");
    let mut stream = as_completed([a, c]).timeout(ms(100));
    let mut seen = Vec::new();
    while let Some(done) = stream.next().await {
        seen.push(done.result.unwrap());
    }
    assert_eq!(elapsed(), ms(100));
    let timed_out = stream.timed_out();
    let mut rest = Vec::new();
    for h in stream.into_pending() {
        rest.push(h.await.unwrap());
    }
    assert_eq!(elapsed(), ms(150));
    (seen, timed_out, rest)
}

#[test]
fn case25_as_completed_timeout_cancels_nothing() {
    let expect = (vec!["a"], true, vec!["c"]);
    assert_eq!(fifo().run(case25_timeout()).unwrap(), expect);
    for seed in SEEDS {
        assert_eq!(
            Sim::new(seed).run(case25_timeout()).unwrap(),
            expect,
            "seed {seed}"
        );
    }
}

#[test]
fn as_completed_is_a_futures_stream() {
    use futures::StreamExt;
    let out = fifo()
        .run(async {
            let handles: Vec<_> = (0..3u64)
                .map(|i| {
                    sim::spawn(async move {
                        sleep(ms(30 - 10 * i)).await;
                        i
                    })
                })
                .collect();
            as_completed(handles)
                .map(|c| c.result.unwrap())
                .collect::<Vec<_>>()
                .await
        })
        .unwrap();
    assert_eq!(out, [2, 1, 0]);
}

/// The task blocked in `wait` or `as_completed` is aborted at every 5 ms from 0 to 40 (the
/// tasks finish at 10, 20, 30 ms): nothing it observed is cancelled; every task completes.
#[test]
fn aborting_an_observer_at_every_point_cancels_nothing() {
    for seed in 0..16 {
        for abort_at in (0..=40).step_by(5) {
            for use_stream in [false, true] {
                for mut sim in [fifo(), Sim::new(seed)] {
                    let fates = Fates::default();
                    let f = fates.clone();
                    sim.run(async move {
                        let handles: Vec<_> = (1..=3u64)
                            .map(|i| sim::spawn(named("t", ms(10 * i), &f)))
                            .collect();
                        let observer = sim::spawn(async move {
                            if use_stream {
                                let mut s = as_completed(handles);
                                while s.next().await.is_some() {}
                            } else {
                                wait(handles, WaitFor::AllCompleted, None).await;
                            }
                        });
                        sleep(ms(abort_at)).await;
                        observer.abort();
                        let _ = observer.await;
                        sleep(ms(50)).await;
                    })
                    .unwrap();
                    assert_eq!(
                        fates.get(),
                        [Fate::Completed; 3],
                        "seed {seed} abort {abort_at}"
                    );
                }
            }
        }
    }
}
