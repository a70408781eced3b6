//! Shrinking on the planted bugs B1–B5 of `scenarios::buggy`: whatever failing schedule a seed finds, the
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
//! - B11 (two locks guard one counter): A is preempted between its read and its check, and every
//!   B that runs in between (in the order Fifo gives them) breaks A's check: 1 preemption;
//!   a failure that reads other counts is still the same bug.
//! - B7 (a late checker sees a wrong balance) and B12 (token ring): the tasks only have to run
//!   in the right order, which free choices give: 0 preemptions. A PCT run that found them by
//!   preempting the checker cannot lose that switch alone (the checker then runs too early);
//!   the shrinker's re-search finds the order without it.

use harness::{Check, Outcome};

// The planted bugs, as the scenario catalogue defines them.
use scenarios::buggy::{b1, b2, b3, b4, b5, b11};

fn failing_seeds<F, Fut>(body: F, want: usize) -> Vec<Outcome>
where
    F: Fn() -> Fut + Copy,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    failing_seeds_under(sim::Strategy::random(), body, want)
}

fn failing_seeds_under<F, Fut>(strategy: sim::Strategy, body: F, want: usize) -> Vec<Outcome>
where
    F: Fn() -> Fut + Copy,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let mut found = Vec::new();
    for seed in 0..2_000 {
        let o = Check::new()
            .seeds(vec![seed])
            .strategy(strategy.clone())
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
fn b11_shrinks_to_one_preemption() {
    let outcomes = failing_seeds(b11, 16);
    assert_minimal(&outcomes, 1, 1);
    // Random found it with several switches, which the shrinker had to trade away.
    assert!(
        outcomes
            .iter()
            .any(|o| o.shrunk.as_ref().unwrap().before.preemptions > 2),
        "no seed needed shrinking"
    );
}

#[test]
fn b7_and_b12_shrink_to_no_preemption_whoever_found_them() {
    for strategy in [
        sim::Strategy::pct(2),
        sim::Strategy::pct(3),
        sim::Strategy::random(),
    ] {
        for bug in ["B7", "B12"] {
            let run = scenarios::buggy::find(bug).expect("in the catalogue").run;
            let outcomes = failing_seeds_under(strategy.clone(), run, 12);
            for o in &outcomes {
                let s = o.shrunk.as_ref().expect("shrunk");
                assert_eq!(
                    s.after.preemptions, 0,
                    "{bug} under {strategy}, seed {:?}: {:?} -> {:?}",
                    o.failing_seed, s.before, s.after
                );
            }
        }
    }
}

#[test]
fn b2_to_b5_pass_under_fifo_and_b1_fails() {
    fn fifo<F, Fut>(body: F) -> Outcome
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<(), String>>,
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
