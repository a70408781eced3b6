//! SEMANTICS §E, timeouts and virtual time (cases 22, 23, 26–29): each exactly under Fifo, and
//! its order-free part under every seed of the Random sweep.
//!
//! Only virtual time is asserted. Wall-clock claims of the cases ("450 virtual s take < 1 ms",
//! "101 years in well under a second") are not asserted: timed tests are flaky on a shared
//! machine, and speed is shown by the benchmarks instead.

use std::time::Duration;

use seedloop_tests::{Guard, Log, SWEEP, at, fifo, ms, random, secs};
use sim::Sim;
use sim::task::yield_now;
use sim::time::{Elapsed, Instant, elapsed, interval, now, sleep, timeout};
use sim::trace::EventKind;

fn wait_for(mut sim: Sim) {
    let log = Log::new();
    let l = log.clone();
    let res = sim
        .run(async move {
            let body_log = l.clone();
            let res = timeout(secs(1), async move {
                let _guard = Guard::new(&body_log, "body dropped");
                sleep(secs(10)).await;
                body_log.push("body finished");
            })
            .await;
            l.push("main saw the timeout");
            res
        })
        .unwrap();
    let elapsed: Elapsed = res.unwrap_err();
    assert_eq!(elapsed.deadline(), at(secs(1)));
    assert_eq!(elapsed.to_string(), "deadline t=1s elapsed");
    assert_eq!(log.lines(), ["body dropped@1s", "main saw the timeout@1s"]);
    assert_eq!(
        sim.trace().stats().end_time,
        at(secs(1)),
        "the body's 10 s timer was released"
    );
}

#[test]
fn case_22_timeout_drops_the_body_at_the_deadline() {
    wait_for(fifo());
    for seed in SWEEP {
        wait_for(random(seed));
    }
}

/// `(timeout(0, ready), timeout(0, yield_now()), timeout(1s, sleep(1s)))` and the time after.
type Outcomes = (
    Result<u32, Elapsed>,
    Result<(), Elapsed>,
    Result<(), Elapsed>,
    Instant,
);

fn zero_and_simultaneous(mut sim: Sim) -> Outcomes {
    sim.run(async {
        let ready = timeout(Duration::ZERO, async { 7 }).await;
        let yielding = timeout(Duration::ZERO, yield_now()).await;
        let tie = timeout(secs(1), sleep(secs(1))).await;
        (ready, yielding, tie, now())
    })
    .unwrap()
}

#[test]
fn case_23_timeout_edges_and_the_simultaneous_deadline() {
    let (ready, yielding, tie, t) = zero_and_simultaneous(fifo());
    assert_eq!(ready, Ok(7));
    assert!(yielding.is_err());
    assert_eq!(tie, Ok(()), "Fifo polls the inner future first");
    assert_eq!(t, at(secs(1)));

    let (mut ok, mut timed_out) = (0, 0);
    for seed in SWEEP {
        let (ready, yielding, tie, t) = zero_and_simultaneous(random(seed));
        assert_eq!(ready, Ok(7), "seed {seed}");
        assert_eq!(yielding, Err(elapsed_at(Instant::ZERO)), "seed {seed}");
        assert_eq!(t, at(secs(1)), "seed {seed}");
        match tie {
            Ok(()) => ok += 1,
            Err(e) => {
                assert_eq!(e, elapsed_at(at(secs(1))), "seed {seed}");
                timed_out += 1;
            }
        }
    }
    assert!(
        ok > 0 && timed_out > 0,
        "both outcomes of the tie are reachable: {ok} Ok, {timed_out} Elapsed"
    );
}

/// An `Elapsed` for `deadline`, built the only public way: by timing out.
fn elapsed_at(deadline: Instant) -> Elapsed {
    fifo()
        .run(async move { sim::time::timeout_at(deadline, std::future::pending::<()>()).await })
        .unwrap()
        .unwrap_err()
}

fn autojump(mut sim: Sim) {
    let log = Log::new();
    let l = log.clone();
    let wakes = sim
        .run(async move {
            // Runnable work at t=0 keeps the clock still, however long it takes.
            let busy = sim::spawn(async move {
                for i in 0..5 {
                    l.push(format!("busy {i}"));
                    yield_now().await;
                }
            });
            let mut wakes = Vec::new();
            for i in 0..10 {
                sleep(secs(10 * i)).await;
                wakes.push(elapsed().as_secs());
            }
            busy.await.unwrap();
            wakes
        })
        .unwrap();
    assert_eq!(wakes, [0, 10, 30, 60, 100, 150, 210, 280, 360, 450]);
    assert!(
        log.lines().iter().all(|l| l.ends_with("@0s")),
        "{:?}",
        log.lines()
    );
    let jumps: Vec<u64> = sim
        .trace()
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::ClockAdvanced { to } => Some(to.as_nanos() / 1_000_000_000),
            _ => None,
        })
        .collect();
    assert_eq!(
        jumps,
        [10, 30, 60, 100, 150, 210, 280, 360, 450],
        "the clock jumps exactly to each deadline, never in between"
    );
    assert_eq!(sim.trace().stats().end_time, at(secs(450)));
}

#[test]
fn case_26_the_clock_jumps_to_the_next_deadline_only_when_idle() {
    autojump(fifo());
    for seed in SWEEP {
        autojump(random(seed));
    }
}

/// Eight tasks A..H sleep 1 s from t=0; returns (registration order, wake order).
fn eight_sleepers(mut sim: Sim) -> (Vec<String>, Vec<String>) {
    let log = Log::new();
    let l = log.clone();
    sim.run(async move {
        let hs: Vec<_> = ["A", "B", "C", "D", "E", "F", "G", "H"]
            .into_iter()
            .map(|name| {
                let l = l.clone();
                sim::spawn(async move {
                    l.push(format!("sleep {name}"));
                    sleep(secs(1)).await;
                    l.push(format!("wake {name}"));
                })
            })
            .collect();
        for h in hs {
            h.await.unwrap();
        }
    })
    .unwrap();
    let of = |prefix: &str| -> Vec<String> {
        log.entries()
            .into_iter()
            .filter_map(|(t, text)| {
                let name = text.strip_prefix(prefix)?.to_string();
                let expected = if prefix == "wake " {
                    at(secs(1))
                } else {
                    Instant::ZERO
                };
                assert_eq!(t, expected, "{text}");
                Some(name)
            })
            .collect()
    };
    (of("sleep "), of("wake "))
}

#[test]
fn case_27_equal_deadlines_wake_in_registration_order_under_fifo() {
    let (registered, woke) = eight_sleepers(fifo());
    assert_eq!(registered, ["A", "B", "C", "D", "E", "F", "G", "H"]);
    assert_eq!(woke, registered);
    let mut reordered = 0;
    for seed in SWEEP {
        let (registered, woke) = eight_sleepers(random(seed));
        let mut sorted = woke.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            ["A", "B", "C", "D", "E", "F", "G", "H"],
            "seed {seed}"
        );
        if woke != registered {
            reordered += 1;
        }
    }
    assert!(
        reordered > 0,
        "an exploring strategy reaches other wake orders"
    );
}

fn ticks(mut sim: Sim) {
    let got = sim
        .run(async {
            let mut iv = interval(ms(300));
            assert_eq!(iv.period(), ms(300));
            let mut got = Vec::new();
            for _ in 0..3 {
                got.push((iv.tick().await, now()));
            }
            // Busy until t=1.6: the ticks due at 0.9, 1.2 and 1.5 come in a burst.
            sleep(secs(1)).await;
            for _ in 0..4 {
                got.push((iv.tick().await, now()));
            }
            got
        })
        .unwrap();
    let pairs: Vec<(u64, u64)> = got
        .iter()
        .map(|(tick, t)| (tick.as_nanos() / 1_000_000, t.as_nanos() / 1_000_000))
        .collect();
    assert_eq!(
        pairs,
        [
            (0, 0),
            (300, 300),
            (600, 600),
            (900, 1600),
            (1200, 1600),
            (1500, 1600),
            (1800, 1800)
        ]
    );
}

#[test]
fn case_28_interval_ticks_at_once_then_every_period_and_bursts_missed_ticks() {
    ticks(fifo());
    for seed in SWEEP {
        ticks(random(seed));
    }
}

fn real_time_is_not_virtual(mut sim: Sim) {
    const YEARS_101: Duration = Duration::from_secs(101 * 365 * 24 * 3600);
    let (before, after, end) = sim
        .run(async {
            let blocking = sim::spawn(async {
                let before = now();
                std::thread::sleep(ms(10));
                (before, now())
            });
            let (before, after) = blocking.await.unwrap();
            sleep(YEARS_101).await;
            (before, after, now())
        })
        .unwrap();
    assert_eq!(before, after, "a real sleep leaves virtual time unchanged");
    assert_eq!(after, Instant::ZERO);
    assert_eq!(end, at(YEARS_101));
}

#[test]
fn case_29_real_time_is_not_virtual_time() {
    real_time_is_not_virtual(fifo());
    for seed in 0..4 {
        real_time_is_not_virtual(random(seed));
    }
}

fn sleep_zero_ping_pong(mut sim: Sim) -> Vec<String> {
    let log = Log::new();
    let l = log.clone();
    sim.run(async move {
        let hs: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|name| {
                let l = l.clone();
                sim::spawn(async move {
                    for i in 0..3 {
                        l.push(format!("{name}{i}"));
                        sleep(Duration::ZERO).await;
                    }
                })
            })
            .collect();
        for h in hs {
            h.await.unwrap();
        }
    })
    .unwrap();
    assert!(log.lines().iter().all(|l| l.ends_with("@0s")));
    assert_eq!(sim.trace().stats().end_time, Instant::ZERO);
    log.texts()
}

#[test]
fn sleep_zero_suspends_once_like_yield_now() {
    assert_eq!(
        sleep_zero_ping_pong(fifo()),
        ["a0", "b0", "a1", "b1", "a2", "b2"]
    );
    for seed in SWEEP {
        let mut texts = sleep_zero_ping_pong(random(seed));
        texts.sort();
        assert_eq!(texts, ["a0", "a1", "a2", "b0", "b1", "b2"]);
    }
}
