//! The planted bugs that need no lock: B1–B4, B9 and B12.

use std::cell::Cell;
use std::rc::Rc;

use sim::task::{maybe_yield, yield_now};

use super::shared::{Shared, join_all, steps};

/// B1, lost update across an await: two increments read, `yield_now`, then write.
pub async fn b1() -> Result<(), String> {
    let c = Rc::new(Cell::new(0));
    let incs = (0..2)
        .map(|_| {
            let c = c.clone();
            sim::spawn(async move {
                let x = c.get();
                yield_now().await;
                c.set(x + 1);
                Ok(())
            })
        })
        .collect();
    join_all(incs).await?;
    check_count(c.get(), 2)
}

/// B2, lost update across a preemption point only: the read and the write are each atomic.
pub async fn b2() -> Result<(), String> {
    let c = Shared::new(0);
    let incs = (0..2)
        .map(|_| {
            let c = c.clone();
            sim::spawn(async move {
                let x = c.get().await;
                c.set(x + 1).await;
                Ok(())
            })
        })
        .collect();
    join_all(incs).await?;
    check_count(c.peek(), 2)
}

fn check_count(got: i32, want: i32) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("lost update: counter is {got}, expected {want}"))
    }
}

/// B3, use before initialisation (PCT figure 1a): t2 uses `x` that t1 initialises mid-way.
pub async fn b3() -> Result<(), String> {
    let x: Shared<Option<u32>> = Shared::new(None);
    let x1 = x.clone();
    let t1 = sim::spawn_named("t1", async move {
        steps(5).await;
        x1.set(Some(7)).await;
        steps(5).await;
        Ok(())
    });
    let x2 = x.clone();
    let t2 = sim::spawn_named("t2", async move {
        steps(5).await;
        let v = x2.get().await.ok_or("t2 used x before t1 initialised it")?;
        steps(5).await;
        if v == 7 {
            Ok(())
        } else {
            Err(format!("x is {v}"))
        }
    });
    join_all(vec![t1, t2]).await
}

/// B4, check-then-act (PCT figure 1b): t2 checks `x` is set, then uses it; t1 clears it.
pub async fn b4() -> Result<(), String> {
    let x: Shared<Option<u32>> = Shared::new(Some(1));
    let x2 = x.clone();
    let t2 = sim::spawn_named("t2", async move {
        steps(4).await;
        if x2.get().await.is_some() {
            x2.get()
                .await
                .ok_or("t2 checked x was set, then found it cleared")?;
        }
        Ok(())
    });
    let x1 = x.clone();
    let t1 = sim::spawn_named("t1", async move {
        steps(5).await;
        x1.set(None).await;
        Ok(())
    });
    join_all(vec![t2, t1]).await
}

/// B9, checker between two writes (SCTBench reorder_3): two setters write `a` then `b`; a
/// checker spawned last reads both and expects either neither or both written.
pub async fn b9() -> Result<(), String> {
    let a = Shared::new(0);
    let b = Shared::new(0);
    let mut handles = Vec::new();
    for _ in 0..2 {
        let (a, b) = (a.clone(), b.clone());
        handles.push(sim::spawn_named("setter", async move {
            a.set(1).await;
            b.set(-1).await;
            Ok(())
        }));
    }
    handles.push(sim::spawn_named("checker", async move {
        let (ra, rb) = (a.get().await, b.get().await);
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

/// B12, token ring (SCTBench token_ring): `x1=(x3+1)%4`, `x2=x1`, `x3=x2`, each one step, and a
/// checker that fails when the ring has become uniform (only when all four run in ring order).
pub async fn b12() -> Result<(), String> {
    let (x1, x2, x3) = (Shared::new(1), Shared::new(2), Shared::new(3));
    let mut handles = Vec::new();
    let (c1, c2, c3) = (x1.clone(), x2.clone(), x3.clone());
    handles.push(sim::spawn_named("check", async move {
        maybe_yield().await;
        let (v1, v2, v3) = (c1.peek(), c2.peek(), c3.peek());
        if v1 == v2 && v2 == v3 {
            Err(format!("the token ring became uniform: x1=x2=x3={v1}"))
        } else {
            Ok(())
        }
    }));
    let (s2, s3) = (x2.clone(), x3.clone());
    handles.push(sim::spawn_named("t3", async move {
        maybe_yield().await;
        s3.poke(s2.peek());
        Ok(())
    }));
    let (s1, s2) = (x1.clone(), x2.clone());
    handles.push(sim::spawn_named("t2", async move {
        maybe_yield().await;
        s2.poke(s1.peek());
        Ok(())
    }));
    let (s1, s3) = (x1.clone(), x3.clone());
    handles.push(sim::spawn_named("t1", async move {
        maybe_yield().await;
        s1.poke((s3.peek() + 1) % 4);
        Ok(())
    }));
    join_all(handles).await
}
