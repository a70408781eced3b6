//! `select!`, `join!`, `try_join!`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{run, run_with};
use crate::time::{Duration, sleep};

async fn two_ready() -> u8 {
    crate::select! {
        v = std::future::ready(1u8) => v,
        v = std::future::ready(2u8) => v,
    }
}

#[test]
fn fifo_takes_the_first_listed_ready_branch() {
    for seed in 0..8 {
        assert_eq!(run_with(seed, sim::Strategy::fifo(), two_ready()), 1);
    }
}

#[test]
fn the_ready_branch_polled_first_is_an_explored_and_replayed_decision() {
    let winners: BTreeSet<u8> = (0..32).map(|seed| run(seed, two_ready())).collect();
    assert_eq!(winners, BTreeSet::from([1, 2]), "every winner is reachable");
    for seed in 0..8 {
        assert_eq!(
            run(seed, two_ready()),
            run(seed, two_ready()),
            "seed {seed} replays"
        );
    }
}

#[test]
fn biased_polls_in_the_listed_order() {
    for seed in 0..32 {
        let v = run(seed, async {
            crate::select! {
                biased;
                v = std::future::ready(1u8) => v,
                v = std::future::ready(2u8) => v,
            }
        });
        assert_eq!(v, 1);
    }
}

#[test]
fn preconditions_disable_branches_and_else_runs_when_all_are() {
    for seed in 0..16 {
        let v = run(seed, async {
            crate::select! {
                v = std::future::ready(1u8), if false => v,
                v = std::future::ready(2u8) => v,
            }
        });
        assert_eq!(v, 2);
        let w = run(seed, async {
            crate::select! {
                v = std::future::ready(1u8), if false => v,
                else => 9,
            }
        });
        assert_eq!(w, 9);
    }
}

#[test]
fn a_branch_whose_output_does_not_match_is_disabled() {
    for seed in 0..16 {
        let v = run(seed, async {
            crate::select! {
                Some(v) = async { None::<u8> } => v,
                _ = sleep(Duration::from_secs(1)) => 7,
            }
        });
        assert_eq!(v, 7);
        let w = run(seed, async {
            crate::select! {
                Some(v) = async { None::<u8> } => v,
                else => 8,
            }
        });
        assert_eq!(w, 8);
    }
}

#[test]
fn no_enabled_branch_and_no_else_panics() {
    let mut sim = sim::Sim::new(0);
    let err = sim
        .run(async {
            let _: u8 = crate::select! {
                v = std::future::ready(1u8), if false => v,
            };
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("all branches are disabled and there is no else branch"),
        "{err}"
    );
}

struct Flag(Arc<AtomicBool>);

impl Drop for Flag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[test]
fn the_futures_are_dropped_before_the_handler_runs() {
    run(3, async {
        let dropped = Arc::new(AtomicBool::new(false));
        let mut buf = Vec::new();
        let guard = Flag(dropped.clone());
        let loser = async move {
            let _g = guard;
            std::future::pending::<()>().await;
        };
        crate::select! {
            _ = async { buf.push(1) } => {
                // `buf` was borrowed by the branch's future, which is gone now.
                buf.push(2);
                assert!(dropped.load(Ordering::Relaxed), "the losing future was dropped");
            }
            _ = loser => unreachable!(),
        }
        assert_eq!(buf, [1, 2]);
    });
}

#[test]
fn select_in_a_loop_with_a_pinned_sleep_and_a_channel() {
    run(5, async {
        let (tx, mut rx) = crate::sync::mpsc::channel::<u32>(4);
        crate::spawn(async move {
            for i in 0..3 {
                sleep(Duration::from_millis(10)).await;
                tx.send(i).await.unwrap();
            }
        });
        let deadline = sleep(Duration::from_millis(100));
        crate::pin!(deadline);
        let mut got = Vec::new();
        loop {
            crate::select! {
                Some(v) = rx.recv() => got.push(v),
                () = &mut deadline => break,
            }
        }
        assert_eq!(got, [0, 1, 2]);
    });
}

#[test]
fn join_returns_every_output_and_runs_concurrently() {
    run(1, async {
        let start = crate::time::Instant::now();
        let (a, b, c) = crate::join!(
            async {
                sleep(Duration::from_secs(1)).await;
                1
            },
            async {
                sleep(Duration::from_secs(2)).await;
                "two"
            },
            std::future::ready(3.0),
        );
        assert_eq!((a, b, c), (1, "two", 3.0));
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        let () = crate::join!();
    });
}

#[test]
fn try_join_stops_at_the_first_error() {
    run(2, async {
        let start = crate::time::Instant::now();
        let r: Result<(u8, u8), &str> = crate::try_join!(
            async {
                sleep(Duration::from_secs(60)).await;
                Ok(1)
            },
            async {
                sleep(Duration::from_secs(1)).await;
                Err("boom")
            },
        );
        assert_eq!(r, Err("boom"));
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(1),
            "the slow one was dropped"
        );
        let ok: Result<(u8, u8), &str> = crate::try_join!(async { Ok(1) }, async { Ok(2) });
        assert_eq!(ok, Ok((1, 2)));
    });
}
