//! Shrinking on the planted bugs B1–B4 of BUGS.md: whatever failing schedule a seed finds, the
//! shrunk one has the minimal number of preemptions (and of non-default decisions).
//!
//! The minimum, derived per bug (a *preemption* is a switch at a preemption point away from a
//! task that could continue; choosing who runs after a task suspends is free, see
//! `harness::shrink`):
//!
//! - B1 (lost update across `yield_now`): fails under Fifo, so 0 preemptions, 0 non-default.
//! - B2 (lost update across `maybe_yield`): each increment runs atomically unless it is
//!   preempted between its read and its write, so 1 preemption (and nothing else).
//! - B3 (use before init): the user only has to run first, which is a free choice when main
//!   suspends on its first `.await`: 0 preemptions, 1 non-default decision. (PCT depth 1: no
//!   priority change point.)
//! - B4 (check-then-act): running t1 first only makes the check fail safely; the checker must be
//!   preempted between its check and its act: 1 preemption, 1 non-default decision.
//! - B5 (lock-order inversion): an uncontended `lock()` never suspends, so without a preemption
//!   the first task to run takes both locks and finishes; the deadlock needs t1 preempted
//!   between its two locks: 1 preemption, 1 non-default decision.

use std::cell::Cell;
use std::rc::Rc;

use harness::{Check, Outcome};
use sim::task::{maybe_yield, yield_now};

async fn steps(n: usize) {
    for _ in 0..n {
        maybe_yield().await;
    }
}

/// B1: `x = c ⏸ c = x + 1`, twice.
async fn b1() {
    let c = Rc::new(Cell::new(0));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let c = c.clone();
            sim::spawn(async move {
                let x = c.get();
                yield_now().await;
                c.set(x + 1);
            })
        })
        .collect();
    for h in hs {
        h.await.unwrap();
    }
    assert_eq!(c.get(), 2, "B1 lost update");
}

/// B2: `x = c ; c = x + 1`, twice.
async fn b2() {
    let c = Rc::new(Cell::new(0));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let c = c.clone();
            sim::spawn(async move {
                let x = c.get();
                maybe_yield().await;
                c.set(x + 1);
            })
        })
        .collect();
    for h in hs {
        h.await.unwrap();
    }
    assert_eq!(c.get(), 2, "B2 lost update");
}

/// B3: t1 initialises x between five steps each side; t2 uses it after five steps.
async fn b3() {
    let x: Rc<Cell<Option<u32>>> = Rc::new(Cell::new(None));
    let (x1, x2) = (x.clone(), x.clone());
    let t1 = sim::spawn_named("init", async move {
        steps(5).await;
        x1.set(Some(1));
        steps(5).await;
    });
    let t2 = sim::spawn_named("use", async move {
        steps(5).await;
        let v = x2.get().expect("B3 used before init");
        steps(5).await;
        v
    });
    t1.await.unwrap();
    t2.await.unwrap();
}

/// B4: t2 checks then acts with a preemption point between; t1 clears x after five steps.
async fn b4() {
    let x: Rc<Cell<Option<u32>>> = Rc::new(Cell::new(Some(1)));
    let (x1, x2) = (x.clone(), x.clone());
    let t2 = sim::spawn_named("check-then-act", async move {
        steps(4).await;
        let ok = x2.get().is_some();
        maybe_yield().await;
        if ok {
            x2.get().expect("B4 acted on a stale check");
        }
    });
    let t1 = sim::spawn_named("clear", async move {
        steps(5).await;
        x1.set(None);
    });
    t2.await.unwrap();
    t1.await.unwrap();
}

/// B5: t1 locks a then b, t2 locks b then a.
async fn b5() {
    use sim::sync::Mutex;
    let (a, b) = (Rc::new(Mutex::new(())), Rc::new(Mutex::new(())));
    let (a1, b1, a2, b2) = (a.clone(), b.clone(), a, b);
    let t1 = sim::spawn_named("ab", async move {
        let _a = a1.lock().await;
        let _b = b1.lock().await;
    });
    let t2 = sim::spawn_named("ba", async move {
        let _b = b2.lock().await;
        let _a = a2.lock().await;
    });
    t1.await.unwrap();
    t2.await.unwrap();
}

fn failing_seeds<F, Fut>(body: F, want: usize) -> Vec<Outcome>
where
    F: Fn() -> Fut + Copy,
    Fut: std::future::Future<Output = ()>,
{
    let mut found = Vec::new();
    for seed in 0..2_000 {
        let o = Check::new()
            .seeds(vec![seed])
            .no_regressions()
            .explore(body);
        if !o.passed() {
            found.push(o);
            if found.len() == want {
                break;
            }
        }
    }
    assert_eq!(found.len(), want, "not enough failing seeds in 0..2000");
    found
}

fn assert_minimal(outcomes: &[Outcome], preemptions: usize, non_default: usize) {
    for o in outcomes {
        let s = o.shrunk.as_ref().expect("shrunk");
        let r = o.report.as_ref().expect("report");
        assert_eq!(
            (s.after.preemptions, s.after.non_default),
            (preemptions, non_default),
            "seed {:?}: shrunk {:?} -> {:?}\n{r}",
            o.failing_seed,
            s.before,
            s.after
        );
        assert!(s.after <= s.before);
        assert_eq!(r.preemptions(), preemptions);
        assert_eq!(r.token.preemptions_before as usize, s.before.preemptions);
    }
}

#[test]
fn b1_shrinks_to_no_preemption() {
    assert_minimal(&failing_seeds(b1, 5), 0, 0);
}

#[test]
fn b2_shrinks_to_one_preemption() {
    let outcomes = failing_seeds(b2, 16);
    assert_minimal(&outcomes, 1, 1);
    let text = outcomes[0].failure_text().unwrap();
    assert!(text.contains(" to 1 ("), "{text}");
    assert!(text.contains("was preempted for"), "{text}");
}

#[test]
fn b3_shrinks_to_a_free_choice_and_no_preemption() {
    assert_minimal(&failing_seeds(b3, 16), 0, 1);
}

#[test]
fn b4_shrinks_to_one_preemption() {
    let outcomes = failing_seeds(b4, 16);
    assert_minimal(&outcomes, 1, 1);
    // Some seed found it with more than the one preemption that matters.
    assert!(
        outcomes
            .iter()
            .any(|o| o.shrunk.as_ref().unwrap().before.preemptions > 1),
        "no seed needed shrinking: {:?}",
        outcomes
            .iter()
            .map(|o| o.shrunk.as_ref().unwrap().before)
            .collect::<Vec<_>>()
    );
}

#[test]
fn b5_shrinks_to_one_preemption() {
    let outcomes = failing_seeds(b5, 16);
    assert_minimal(&outcomes, 1, 1);
    let text = outcomes[0].failure_text().unwrap();
    assert!(text.starts_with("error: seedloop: deadlock"), "{text}");
    assert!(text.contains("Mutex::lock"), "{text}");
}

#[test]
fn b2_to_b5_pass_under_fifo_and_b1_fails() {
    fn fifo<F, Fut>(body: F) -> Outcome
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        Check::new()
            .seeds(1)
            .strategy(sim::Strategy::fifo())
            .no_regressions()
            .explore(body)
    }
    assert!(!fifo(b1).passed());
    assert!(fifo(b2).passed());
    assert!(fifo(b3).passed());
    assert!(fifo(b4).passed());
    assert!(fifo(b5).passed());
}

#[test]
fn shrinking_can_be_turned_off() {
    let o = Check::new()
        .seeds(vec![failing_seeds(b4, 1)[0].failing_seed.unwrap()])
        .shrink(false)
        .no_regressions()
        .explore(b4);
    assert!(o.shrunk.is_none());
    assert!(!o.passed());
}
