//! What a real condition variable allows and an exploring strategy must reach (issue 14 item 8):
//! a notified waiter that does not get the lock first (barging, as in asyncio, where the woken
//! task calls `acquire()` again) and, when asked for, a wait that returns without a
//! notification (a spurious wake-up, as `std::sync::Condvar` allows). `Fifo` keeps the direct
//! hand-off and never wakes spuriously. Code that checks its condition with `if` is found; code
//! with `while` never fails.

use std::sync::Arc;
use std::time::Duration;

use harness::{Check, Env};
use sim::Strategy;
use sim::sync::{Condvar, Mutex};

type Buffer = Arc<(Mutex<Option<u32>>, Condvar)>;

/// A producer puts one item and notifies while holding the lock, then tells a thief, which
/// takes whatever it finds (and puts it back a little later). With the direct hand-off the
/// notified consumer is queued on the mutex before the thief even learns of the item; with
/// barging the thief may get the lock first. With `checked_by_if`, the consumer assumes the
/// item is there once `wait` returns.
async fn consumer_with(checked_by_if: bool) {
    let buf: Buffer = Arc::new((Mutex::named("buffer", None), Condvar::named("filled")));
    let told = Arc::new(sim::sync::Event::new());
    let consumer = {
        let buf = buf.clone();
        sim::spawn_named("consumer", async move {
            let (m, cv) = &*buf;
            let mut g = m.lock().await;
            if checked_by_if {
                if g.is_none() {
                    g = cv.wait(g).await;
                }
            } else {
                while g.is_none() {
                    g = cv.wait(g).await;
                }
            }
            g.take().expect("the consumer woke up to an empty buffer")
        })
    };
    let thief = {
        let (buf, told) = (buf.clone(), told.clone());
        sim::spawn_named("thief", async move {
            told.wait().await;
            let stolen = buf.0.lock().await.take();
            sim::time::sleep(Duration::from_millis(1)).await;
            if let Some(v) = stolen {
                *buf.0.lock().await = Some(v);
                buf.1.notify_one();
            }
        })
    };
    // The consumer waits on the condvar by now (it runs first, its buffer is empty).
    sim::time::sleep(Duration::from_millis(1)).await;
    let mut g = buf.0.lock().await;
    *g = Some(7);
    buf.1.notify_one();
    told.set();
    drop(g);
    thief.await.unwrap();
    assert_eq!(consumer.await.unwrap(), 7);
}

fn sweep(strategy: Strategy, checked_by_if: bool) -> harness::Outcome {
    Check::new()
        .env(Env::empty())
        .no_regressions()
        .strategy(strategy)
        .seeds(0..200)
        .explore(move || consumer_with(checked_by_if))
}

#[test]
fn fifo_keeps_the_hand_off_so_if_passes_there() {
    let out = sweep(Strategy::fifo(), true);
    assert!(out.passed(), "{:?}", out.failure_text());
}

#[test]
fn an_if_around_wait_is_found_by_exploring_strategies() {
    for strategy in [Strategy::random(), Strategy::pct(3)] {
        let name = strategy.name().to_string();
        let out = sweep(strategy, true);
        let report = out
            .failure_text()
            .unwrap_or_else(|| panic!("{name}: the `if` consumer was never caught"));
        assert!(
            report.contains("the consumer woke up to an empty buffer"),
            "{name}: {report}"
        );
    }
}

#[test]
fn a_while_around_wait_never_fails() {
    for strategy in [Strategy::random(), Strategy::pct(3)] {
        let out = sweep(strategy, false);
        assert!(out.passed(), "{:?}", out.failure_text());
    }
}

/// A spurious wake-up alone (no other task takes anything): `wait` returns although nobody
/// notified, and the `if` check misses it.
#[test]
fn a_wait_can_return_without_a_notification() {
    let fifo = Check::new()
        .env(Env::empty())
        .no_regressions()
        .strategy(Strategy::fifo())
        .seeds(0..3)
        .explore(spurious_if);
    assert!(fifo.passed(), "Fifo never wakes spuriously");
    let out = Check::new()
        .env(Env::empty())
        .no_regressions()
        .strategy(Strategy::random())
        .seeds(0..100)
        .explore(spurious_if);
    let report = out.failure_text().expect("a spurious wake-up is reached");
    assert!(
        report.contains("woke up before the flag was set"),
        "{report}"
    );
}

/// One waiter checks a flag with `if`; a setter sets it after a second and notifies.
async fn spurious_if() {
    {
        let pair = Arc::new((Mutex::new(false), Condvar::new().spurious_wakeups(true)));
        let setter = {
            let pair = pair.clone();
            sim::spawn(async move {
                sim::time::sleep(Duration::from_secs(1)).await;
                *pair.0.lock().await = true;
                pair.1.notify_all();
            })
        };
        let (m, cv) = &*pair;
        let mut g = m.lock().await;
        if !*g {
            g = cv.wait(g).await;
        }
        assert!(*g, "woke up before the flag was set");
        drop(g);
        setter.await.unwrap();
    }
}
