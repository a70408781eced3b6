//! SEMANTICS B (cases 8–13): gather, try_gather, gather_settled.

use std::future::Future;
use std::pin::Pin;

use crate::concurrency_common::*;
use sim::concurrency::as_completed;
use sim::time::{elapsed, sleep};
use sim::{Sim, gather, gather_settled, try_gather};

type Boxed<T> = Pin<Box<dyn Future<Output = T>>>;

fn boxed<T>(f: impl Future<Output = T> + 'static) -> Boxed<T> {
    Box::pin(f)
}

async fn case8(fates: Fates) -> (Vec<&'static str>, std::time::Duration) {
    let out = gather([
        named("A", secs(2), &fates),
        named("B", secs(1), &fates),
        named("C", secs(3), &fates),
    ])
    .await;
    (out, elapsed())
}

#[test]
fn case8_gather_returns_argument_order_fifo() {
    let mut sim = fifo();
    let fates = Fates::default();
    let (out, t) = sim.run(case8(fates.clone())).unwrap();
    assert_eq!(out, ["A", "B", "C"]);
    assert_eq!(t, secs(3));
    assert_eq!(
        logs(&sim),
        [
            "0s A started",
            "0s B started",
            "0s C started",
            "1s B finished",
            "2s A finished",
            "3s C finished"
        ]
    );
    assert_eq!(fates.count(Fate::Completed), 3);
}

#[test]
fn case8_gather_order_free_under_seeds() {
    for seed in SEEDS {
        let mut sim = Sim::new(seed);
        let fates = Fates::default();
        let (out, t) = sim.run(case8(fates.clone())).unwrap();
        assert_eq!(out, ["A", "B", "C"], "seed {seed}");
        assert_eq!(t, secs(3), "seed {seed}");
        let finished: Vec<_> = logs(&sim)
            .into_iter()
            .filter(|l| l.ends_with("finished"))
            .collect();
        assert_eq!(
            finished,
            ["1s B finished", "2s A finished", "3s C finished"]
        );
        assert_eq!(fates.count(Fate::Completed), 3, "seed {seed}");
    }
}

/// The awaiter of `gather([P panics@1, B(3s)])` sees the panic at t=1; B runs on to t=3.
async fn case9(fates: Fates) -> (String, std::time::Duration) {
    let f = fates.clone();
    let awaiter = sim::spawn(async move {
        gather([
            boxed(async {
                sleep(secs(1)).await;
                panic!("P failed")
            }),
            boxed(named("B", secs(3), &f)),
        ])
        .await
    });
    let err = awaiter.await.unwrap_err();
    let seen_at = elapsed();
    assert!(err.is_panic());
    sleep(secs(5)).await;
    (
        format!("{} at {seen_at:?}", err.panic_message().unwrap()),
        elapsed(),
    )
}

#[test]
fn case9_child_panic_propagates_at_once_and_spares_siblings() {
    let mut sim = fifo();
    let fates = Fates::default();
    let (seen, _) = sim.run(case9(fates.clone())).unwrap();
    assert_eq!(seen, "P failed at 1s");
    assert_eq!(logs(&sim), ["0s B started", "3s B finished"]);
    assert_eq!(fates.get(), [Fate::Completed]);
    for seed in SEEDS {
        let mut sim = Sim::new(seed);
        let fates = Fates::default();
        let (seen, _) = sim.run(case9(fates.clone())).unwrap();
        assert_eq!(seen, "P failed at 1s", "seed {seed}");
        assert_eq!(fates.get(), [Fate::Completed], "seed {seed}");
    }
}

#[test]
fn case9_panic_reaches_main_with_the_childs_message() {
    let err = fifo()
        .run(async {
            gather([boxed(async { panic!("child exploded") }), boxed(async {})]).await;
        })
        .unwrap_err();
    assert!(err.is_main_panic(), "{err}");
    assert_eq!(err.panic_message(), Some("child exploded"));
    // The re-raised panic keeps the child's location for the report.
    let at = err.panic_location().expect("a location");
    assert!(
        at.starts_with("tests/tests/concurrency/concurrency_gather.rs:"),
        "{at}"
    );
}

async fn case10() -> (Vec<String>, std::time::Duration) {
    let out = gather_settled([
        boxed(async {
            sleep(secs(1)).await;
            panic!("A panicked")
        }),
        boxed(async {
            sleep(secs(2)).await;
            Ok("B")
        }),
        boxed(async {
            sleep(secs(3)).await;
            Err("C failed".to_string())
        }),
    ])
    .await;
    let shown = out
        .iter()
        .map(|r| match r {
            Ok(Ok(v)) => format!("ok {v}"),
            Ok(Err(e)) => format!("err {e}"),
            Err(j) => format!("panic {}", j.panic_message().unwrap()),
        })
        .collect();
    (shown, elapsed())
}

#[test]
fn case10_gather_settled_reports_each_slot_in_argument_order() {
    let expect = ["panic A panicked", "ok B", "err C failed"];
    let mut sim = fifo();
    let (shown, t) = sim.run(case10()).unwrap();
    assert_eq!(shown, expect);
    assert_eq!(t, secs(3));
    for seed in SEEDS {
        let (shown, t) = Sim::new(seed).run(case10()).unwrap();
        assert_eq!(shown, expect, "seed {seed}");
        assert_eq!(t, secs(3), "seed {seed}");
    }
}

/// The task awaiting `gather([A(1s), B(3s)])` is aborted at t=0.5: both children are dropped
/// then.
async fn case11(fates: Fates) {
    let f = fates.clone();
    let awaiter =
        sim::spawn(async move { gather([named("A", secs(1), &f), named("B", secs(3), &f)]).await });
    sleep(ms(500)).await;
    awaiter.abort();
    assert!(awaiter.await.unwrap_err().is_cancelled());
    sleep(secs(10)).await;
}

#[test]
fn case11_aborting_the_awaiter_aborts_the_children() {
    let mut sim = fifo();
    let fates = Fates::default();
    sim.run(case11(fates.clone())).unwrap();
    assert_eq!(
        logs(&sim),
        [
            "0s A started",
            "0s B started",
            "0.5s A dropped",
            "0.5s B dropped"
        ]
    );
    assert_eq!(fates.get(), [Fate::Cancelled, Fate::Cancelled]);
    for seed in SEEDS {
        let mut sim = Sim::new(seed);
        let fates = Fates::default();
        sim.run(case11(fates.clone())).unwrap();
        assert_eq!(
            fates.get(),
            [Fate::Cancelled, Fate::Cancelled],
            "seed {seed}"
        );
        let dropped: Vec<_> = sorted_logs(&sim)
            .into_iter()
            .filter(|l| l.contains("dropped"))
            .collect();
        assert_eq!(dropped, ["0.5s A dropped", "0.5s B dropped"], "seed {seed}");
    }
}

#[test]
fn case12_empty_gather_returns_at_once() {
    for mut sim in [fifo(), Sim::new(3)] {
        let (out, t, n) = sim
            .run(async {
                let out: Vec<u8> = gather(Vec::<Boxed<u8>>::new()).await;
                let n = gather_settled(Vec::<Boxed<u8>>::new()).await.len();
                (out, elapsed(), n)
            })
            .unwrap();
        assert!(out.is_empty());
        assert_eq!((t, n), (secs(0), 0));
        assert_eq!(sim.trace().stats().tasks, 1, "no child task was spawned");
    }
}

/// Tasks i=0..2 sleep 3−i s: gather gives argument order, as_completed completion order.
async fn case13() -> (Vec<u64>, Vec<u64>) {
    let work = |i: u64| async move {
        sleep(secs(3 - i)).await;
        i
    };
    let by_argument = gather((0..3).map(work)).await;
    let handles: Vec<_> = (0..3).map(|i| sim::spawn(work(i))).collect();
    let mut stream = as_completed(handles);
    let mut by_completion = Vec::new();
    while let Some(c) = stream.next().await {
        by_completion.push(c.result.unwrap());
    }
    (by_argument, by_completion)
}

#[test]
fn case13_gather_is_argument_order_as_completed_is_completion_order() {
    assert_eq!(
        fifo().run(case13()).unwrap(),
        (vec![0, 1, 2], vec![2, 1, 0])
    );
    for seed in SEEDS {
        assert_eq!(
            Sim::new(seed).run(case13()).unwrap(),
            (vec![0, 1, 2], vec![2, 1, 0]),
            "seed {seed}"
        );
    }
}

async fn try_gather_case(fates: Fates) -> (Result<Vec<u32>, String>, std::time::Duration) {
    let f = fates.clone();
    let slow = async move {
        named("slow", secs(5), &f).await;
        Ok(1)
    };
    let out = try_gather([
        boxed(slow),
        boxed(async {
            sleep(secs(1)).await;
            Err("bad".to_string())
        }),
        boxed(async { Ok(3) }),
    ])
    .await;
    let t = elapsed();
    sleep(secs(10)).await;
    (out, t)
}

#[test]
fn try_gather_returns_the_first_error_at_once_and_detaches_siblings() {
    let mut sim = fifo();
    let fates = Fates::default();
    let (out, t) = sim.run(try_gather_case(fates.clone())).unwrap();
    assert_eq!(out, Err("bad".to_string()));
    assert_eq!(t, secs(1));
    assert_eq!(logs(&sim), ["0s slow started", "5s slow finished"]);
    for seed in SEEDS {
        let fates = Fates::default();
        let (out, t) = Sim::new(seed).run(try_gather_case(fates.clone())).unwrap();
        assert_eq!((out, t), (Err("bad".to_string()), secs(1)), "seed {seed}");
        assert_eq!(fates.get(), [Fate::Completed], "seed {seed}");
    }
    let ok = fifo()
        .run(try_gather([
            boxed(async { Ok::<_, String>(1) }),
            boxed(async { Ok(2) }),
        ]))
        .unwrap();
    assert_eq!(ok, Ok(vec![1, 2]));
}

#[test]
fn a_blocked_gather_names_itself_in_a_deadlock_report() {
    let err = fifo()
        .run(async {
            gather([std::future::pending::<()>()]).await;
        })
        .unwrap_err();
    assert!(err.is_deadlock());
    let main = &err.blocked()[0];
    assert!(
        main.waits
            .iter()
            .any(|w| w.starts_with("gather at tests/tests/concurrency/concurrency_gather.rs:")),
        "{err}"
    );
}

/// The awaiter of a gather is aborted at every 5 ms from 0 to 70 ms (children finish at 10,
/// 20, ..., 60 ms): every child either finished its work or was dropped at the abort instant,
/// never both, never neither; nothing is left running.
#[test]
fn aborting_the_awaiter_at_every_point_leaks_nothing() {
    for seed in 0..16 {
        for abort_at in (0..=70).step_by(5) {
            for mut sim in [fifo(), Sim::new(seed)] {
                let fates = Fates::default();
                let f = fates.clone();
                sim.run(async move {
                    let kids: Vec<_> = (1..=6u64).map(|i| named("kid", ms(10 * i), &f)).collect();
                    let awaiter = sim::spawn(gather(kids));
                    sleep(ms(abort_at)).await;
                    awaiter.abort();
                    let _ = awaiter.await;
                    // Let every abort take effect before looking.
                    sim::task::yield_now().await;
                    sleep(ms(1)).await;
                })
                .unwrap();
                let got = fates.get();
                assert_eq!(got.len(), 6);
                assert!(
                    !got.contains(&Fate::Running),
                    "seed {seed} abort {abort_at}: {got:?}"
                );
                for (i, fate) in got.iter().enumerate() {
                    let done_at = 10 * (i as u64 + 1);
                    if done_at < abort_at {
                        assert_eq!(*fate, Fate::Completed, "seed {seed} abort {abort_at}");
                    }
                    if done_at > abort_at {
                        assert_eq!(*fate, Fate::Cancelled, "seed {seed} abort {abort_at}");
                    }
                }
                for line in logs(&sim).iter().filter(|l| l.contains("dropped")) {
                    let at = format!("{}", sim::time::Instant::from_nanos(abort_at * 1_000_000));
                    assert!(
                        line.starts_with(&at),
                        "dropped later than the abort: {line}"
                    );
                }
            }
        }
    }
}

async fn tuple_case(fates: Fates) -> ((&'static str, u32), std::time::Duration) {
    let name = named("N", secs(2), &fates);
    let out = sim::concurrency::gather2(name, async {
        sleep(secs(1)).await;
        7u32
    })
    .await;
    (out, elapsed())
}

#[test]
fn gather2_returns_a_tuple_in_argument_order() {
    let mut sim = fifo();
    let fates = Fates::default();
    assert_eq!(
        sim.run(tuple_case(fates.clone())).unwrap(),
        (("N", 7), secs(2))
    );
    assert_eq!(logs(&sim), ["0s N started", "2s N finished"]);
    for seed in SEEDS {
        let fates = Fates::default();
        let out = Sim::new(seed).run(tuple_case(fates.clone())).unwrap();
        assert_eq!(out, (("N", 7), secs(2)), "seed {seed}");
        assert_eq!(fates.get(), [Fate::Completed]);
    }
}

#[test]
fn gather3_panics_at_once_sparing_siblings_and_aborts_when_dropped() {
    for mut sim in std::iter::once(fifo()).chain((0..16).map(Sim::new)) {
        let fates = Fates::default();
        let f = fates.clone();
        sim.run(async move {
            // A panic at t=1 reaches the awaiter then; the sibling finishes at t=3.
            let a = named("A", secs(3), &f);
            let awaiter = sim::spawn(sim::concurrency::gather3(
                a,
                async {
                    sleep(secs(1)).await;
                    panic!("B broke")
                },
                async { 3u8 },
            ));
            let err = awaiter.await.unwrap_err();
            assert_eq!((err.panic_message(), elapsed()), (Some("B broke"), secs(1)));
            // Dropped at t=2: the unfinished child is aborted then.
            let c = named("C", secs(5), &f);
            let r = sim::time::timeout(secs(1), sim::concurrency::gather2(c, async { 1u8 })).await;
            assert!(r.is_err());
            sleep(secs(10)).await;
        })
        .unwrap();
        assert_eq!(fates.get(), [Fate::Completed, Fate::Cancelled]);
        let lines: Vec<_> = sorted_logs(&sim)
            .into_iter()
            .filter(|l| l.contains("finished") || l.contains("dropped"))
            .collect();
        assert_eq!(lines, ["2s C dropped", "3s A finished"]);
    }
}

/// Children that only yield (no time passes): the awaiter is aborted after every number of
/// main's yields from 0 to 12. Each child finished or was dropped; none is left running.
#[test]
fn aborting_the_awaiter_at_every_step_leaks_nothing() {
    for seed in 0..32 {
        for abort_after in 0..=12 {
            for mut sim in [fifo(), Sim::new(seed)] {
                let fates = Fates::default();
                let f = fates.clone();
                let in_flight = sim
                    .run(async move {
                        let kids: Vec<_> = (0..4)
                            .map(|i| {
                                let g = f.guard("kid");
                                async move {
                                    for _ in 0..2 * i {
                                        sim::task::yield_now().await;
                                    }
                                    g.complete();
                                }
                            })
                            .collect();
                        let awaiter = sim::spawn(gather(kids));
                        for _ in 0..abort_after {
                            sim::task::yield_now().await;
                        }
                        awaiter.abort();
                        let finished = awaiter.await.is_ok();
                        sim::task::yield_now().await;
                        sleep(ms(1)).await;
                        (finished, f.count(Fate::Running))
                    })
                    .unwrap();
                assert_eq!(in_flight.1, 0, "seed {seed} step {abort_after}");
                let got = fates.get();
                assert_eq!(got.len(), 4);
                if in_flight.0 {
                    assert_eq!(
                        got,
                        [Fate::Completed; 4],
                        "gather finished: every child did"
                    );
                }
                if abort_after == 0 {
                    // Aborted before its first poll: the children were never spawned.
                    assert_eq!(got, [Fate::Cancelled; 4], "seed {seed}");
                }
                if sim.strategy().is_fifo() {
                    // Kid 3 needs 7 polls, from main's 2nd yield; the gather collects at the 9th.
                    assert_eq!(in_flight.0, abort_after >= 9, "Fifo, step {abort_after}");
                }
            }
        }
    }
}

#[test]
fn polling_a_gather_after_it_returned_is_refused_clearly() {
    let err = fifo()
        .run(async {
            let mut g = gather([async { 1 }]);
            assert_eq!((&mut g).await, [1]);
            (&mut g).await
        })
        .unwrap_err();
    assert_eq!(
        err.panic_message(),
        Some("a gather was polled after it returned")
    );
}

/// Issue 14 item 1: when two gathered children panic, the awaiter gets the first; the second,
/// which panics later, counts as observed by the gather (asyncio marks it retrieved) instead of
/// failing the run with "nobody awaited it".
#[test]
fn a_second_panic_inside_gather_is_observed_by_the_gather() {
    for (name, mut sim) in [("fifo", fifo()), ("random", Sim::new(5))] {
        let out = sim.run(async {
            let g = sim::spawn(gather([
                boxed(async {
                    sleep(secs(1)).await;
                    panic!("A")
                }),
                boxed(async {
                    sleep(secs(2)).await;
                    panic!("B")
                }),
            ]));
            let err = g.await.unwrap_err();
            sleep(secs(3)).await; // B panics meanwhile
            err.panic_message().map(str::to_string)
        });
        let out = out.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(out.as_deref(), Some("A"), "{name}");
        // B's panic is in the trace all the same.
        assert!(
            sim.trace().events().iter().any(|e| matches!(
                &e.kind,
                sim::trace::EventKind::Panicked { message } if message == "B"
            )),
            "{name}"
        );
    }
}
