//! The planted bugs built on `sim::sync` locks and condition variables: B5–B8, B10, B11, B13,
//! B14 and the B9′ negative control. Every `lock()` is a preemption point; unlocking (dropping a
//! guard) is not.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use sim::sync::{Condvar, Mutex, OwnedMutexGuard};
use sim::task::{maybe_yield, yield_now};

use super::shared::join_all;

/// B5, lock-order inversion (SCTBench deadlock01): t1 takes `a` then `b`, t2 takes `b` then
/// `a`; a switch between t1's two locks deadlocks.
pub async fn b5() -> Result<(), String> {
    let a = Rc::new(Mutex::named("a", ()));
    let b = Rc::new(Mutex::named("b", ()));
    let (a1, b1) = (a.clone(), b.clone());
    let t1 = sim::spawn_named("t1", async move {
        let _ga = a1.lock().await;
        let _gb = b1.lock().await;
        Ok(())
    });
    let t2 = sim::spawn_named("t2", async move {
        let _gb = b.lock().await;
        let _ga = a.lock().await;
        Ok(())
    });
    join_all(vec![t1, t2]).await
}

/// B6, the long task must finish first (PCT figure 5): a task that yields 20 times then sets `v` under the lock; main
/// looks under the lock once, right after spawning it.
pub async fn b6() -> Result<(), String> {
    let v = Rc::new(Mutex::named("v", 0));
    let v1 = v.clone();
    let long = sim::spawn_named("long", async move {
        for _ in 0..20 {
            yield_now().await;
        }
        *v1.lock().await = 1;
        Ok(())
    });
    let seen = *v.lock().await;
    join_all(vec![long]).await?;
    if seen == 1 {
        Err("the long task ran to completion before main looked".into())
    } else {
        Ok(())
    }
}

#[derive(Default)]
struct Account {
    balance: i64,
    deposited: bool,
    withdrawn: bool,
}

/// B7, a wrong balance visible to a late checker (SCTBench account): withdraw computes from the
/// opening balance, losing a deposit made before it; only a checker that runs after both sees it.
pub async fn b7() -> Result<(), String> {
    const OPENING: i64 = 100;
    let acct = Rc::new(Mutex::named(
        "account",
        Account {
            balance: OPENING,
            ..Account::default()
        },
    ));
    let a = acct.clone();
    let check = sim::spawn_named("check", async move {
        let g = a.lock().await;
        if g.deposited && g.withdrawn && g.balance != OPENING + 50 - 30 {
            return Err(format!(
                "balance {} after deposit 50 and withdrawal 30 from {OPENING}",
                g.balance
            ));
        }
        Ok(())
    });
    let a = acct.clone();
    let deposit = sim::spawn_named("deposit", async move {
        let mut g = a.lock().await;
        g.balance += 50;
        g.deposited = true;
        Ok(())
    });
    let withdraw = sim::spawn_named("withdraw", async move {
        let mut g = acct.lock().await;
        g.balance = OPENING - 30; // the planted bug: a stale opening balance
        g.withdrawn = true;
        Ok(())
    });
    join_all(vec![check, deposit, withdraw]).await
}

/// B8, a value visible when t3 runs last (SCTBench lazy01): a positive control that already fails
/// in spawn order.
pub async fn b8() -> Result<(), String> {
    let data = Rc::new(Mutex::named("data", 0));
    let d = data.clone();
    let t1 = sim::spawn_named("t1", async move {
        *d.lock().await += 1;
        Ok(())
    });
    let d = data.clone();
    let t2 = sim::spawn_named("t2", async move {
        *d.lock().await += 2;
        Ok(())
    });
    let t3 = sim::spawn_named("t3", async move {
        let v = *data.lock().await;
        if v >= 3 {
            Err(format!("t3 saw data={v}: both others ran first"))
        } else {
            Ok(())
        }
    });
    join_all(vec![t1, t2, t3]).await
}

/// B10, a read between two stages (SCTBench twostage): A writes `d1` then, in a second critical
/// section, `d2 = d1 + 1`; B reads both and expects them consistent once `d1` is set.
pub async fn b10() -> Result<(), String> {
    let d1 = Rc::new(Mutex::named("lock1", 0));
    let d2 = Rc::new(Mutex::named("lock2", 0));
    let (a1, a2) = (d1.clone(), d2.clone());
    let a = sim::spawn_named("A", async move {
        *a1.lock().await = 1;
        let v = *a1.lock().await;
        *a2.lock().await = v + 1;
        Ok(())
    });
    let b = sim::spawn_named("B", async move {
        let t1 = *d1.lock().await;
        let t2 = *d2.lock().await;
        if t1 != 0 && t2 != t1 + 1 {
            Err(format!("B read d1={t1} but d2={t2} between A's two stages"))
        } else {
            Ok(())
        }
    });
    join_all(vec![a, b]).await
}

/// B11, two locks guard one counter (SCTBench wronglock): A increments under lock A and checks
/// the increment; seven B tasks increment under lock B, which does not exclude A.
pub async fn b11() -> Result<(), String> {
    let v = Rc::new(Cell::new(0));
    let lock_a = Rc::new(Mutex::named("lockA", ()));
    let lock_b = Rc::new(Mutex::named("lockB", ()));
    let mut handles = Vec::new();
    let va = v.clone();
    handles.push(sim::spawn_named("A", async move {
        let _g = lock_a.lock().await;
        let x = va.get();
        maybe_yield().await;
        va.set(va.get() + 1);
        maybe_yield().await;
        if va.get() == x + 1 {
            Ok(())
        } else {
            Err(format!(
                "A incremented {x} under its lock and then read {}",
                va.get()
            ))
        }
    }));
    for _ in 0..7 {
        let (vb, lock_b) = (v.clone(), lock_b.clone());
        handles.push(sim::spawn_named("B", async move {
            let _g = lock_b.lock().await;
            maybe_yield().await;
            vb.set(vb.get() + 1);
            Ok(())
        }));
    }
    join_all(handles).await
}

/// B13, a conditional second lock (SCTBench carter01): the first of a group to enter takes the
/// shared lock `l` while holding `m`, the last to leave releases it; two groups (A and B) deadlock
/// when B's first member blocks on `l` while holding `m`, which A needs to release `l`.
pub async fn b13() -> Result<(), String> {
    let m = Rc::new(Mutex::named("m", (0u32, 0u32)));
    let l = std::sync::Arc::new(Mutex::named("l", ()));
    let held: Rc<RefCell<Option<OwnedMutexGuard<()>>>> = Rc::default();
    let mut handles = Vec::new();
    for group in [0usize, 1] {
        let (m, l, held) = (m.clone(), l.clone(), held.clone());
        handles.push(sim::spawn_named(["A", "B"][group], async move {
            {
                let mut g = m.lock().await;
                let count = if group == 0 { &mut g.0 } else { &mut g.1 };
                *count += 1;
                if *count == 1 {
                    let guard = l.clone().lock_owned().await;
                    *held.borrow_mut() = Some(guard);
                }
            }
            {
                let mut g = m.lock().await;
                let count = if group == 0 { &mut g.0 } else { &mut g.1 };
                *count -= 1;
                if *count == 0 {
                    held.borrow_mut().take();
                }
            }
            Ok(())
        }));
    }
    join_all(handles).await
}

/// B14, a bounded buffer with one condition variable (Cargill; shuttle's demo): capacity 1, two
/// readers, one writer, `notify_one` after every put and take. With Mesa condition variables a
/// take can wake the other reader instead of the writer, and then everybody waits. It needs the
/// writer to re-lock between a notification and the notified reader's re-lock: under `Fifo`,
/// `sim`'s `Condvar` hands the lock to the notified waiter directly and the deadlock cannot
/// happen; under an exploring strategy that barging is a recorded decision, so it is found (and
/// shrunk to no preemption at all, only that choice).
pub async fn b14() -> Result<(), String> {
    const PER_READER: u32 = 2;
    let buf = Rc::new((
        Mutex::named("buffer", None::<u32>),
        Condvar::named("changed"),
    ));
    let mut handles = Vec::new();
    for _ in 0..2 {
        let buf = buf.clone();
        handles.push(sim::spawn_named("reader", async move {
            let (m, cv) = &*buf;
            for _ in 0..PER_READER {
                let mut g = m.lock().await;
                while g.is_none() {
                    g = cv.wait(g).await;
                }
                *g = None;
                cv.notify_one();
            }
            Ok(())
        }));
    }
    handles.push(sim::spawn_named("writer", async move {
        let (m, cv) = &*buf;
        for i in 0..2 * PER_READER {
            let mut g = m.lock().await;
            while g.is_some() {
                g = cv.wait(g).await;
            }
            *g = Some(i);
            cv.notify_one();
        }
        Ok(())
    }));
    join_all(handles).await
}

/// B9′, the fixed reorder (negative control): setters write `a` and `b` under one
/// lock, the checker reads both under it; it never fails.
pub async fn b9_fixed() -> Result<(), String> {
    let ab = Rc::new(Mutex::named("ab", (0, 0)));
    let mut handles = Vec::new();
    for _ in 0..2 {
        let ab = ab.clone();
        handles.push(sim::spawn_named("setter", async move {
            let mut g = ab.lock().await;
            g.0 = 1;
            maybe_yield().await; // others may run, but cannot enter
            g.1 = -1;
            Ok(())
        }));
    }
    handles.push(sim::spawn_named("checker", async move {
        let (ra, rb) = *ab.lock().await;
        if (ra, rb) == (0, 0) || (ra, rb) == (1, -1) {
            Ok(())
        } else {
            Err(format!(
                "checker saw a={ra}, b={rb}: one write without the other"
            ))
        }
    }));
    join_all(handles).await
}
