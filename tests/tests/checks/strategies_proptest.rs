//! proptest shrinks a program input and an interleaving together (harness::proptest).

use std::cell::Cell;
use std::rc::Rc;

use harness::proptest::{Interleaving, check, interleavings};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

const PRICE: u32 = 60;

/// Two buyers check the balance, then (after a preemption point) pay `PRICE`. The balance goes
/// negative only when it covers one purchase but not two (an input condition) *and* the second
/// buyer checks between the first one's check and payment (an interleaving condition).
async fn two_buyers(balance: u32) -> Result<(), String> {
    let balance = Rc::new(Cell::new(i64::from(balance)));
    let buyers: Vec<_> = (0..2)
        .map(|_| {
            let b = balance.clone();
            sim::spawn(async move {
                if b.get() >= i64::from(PRICE) {
                    sim::task::maybe_yield().await;
                    b.set(b.get() - i64::from(PRICE));
                }
            })
        })
        .collect();
    for h in buyers {
        h.await.unwrap();
    }
    if balance.get() >= 0 {
        Ok(())
    } else {
        Err(format!("balance went negative: {}", balance.get()))
    }
}

fn runner() -> TestRunner {
    let config = Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

#[test]
fn proptest_finds_and_shrinks_input_and_interleaving_together() {
    let mut runner = runner();
    let result = runner.run(&(0u32..1000, interleavings()), |(balance, il)| {
        check(&il, two_buyers(balance))
    });
    let Err(TestError::Fail(reason, (balance, il))) = result else {
        panic!("the overdraft was not found: {result:?}");
    };
    // The smallest input that can fail, and the interleaving with a single switch in it.
    assert_eq!(balance, PRICE, "{reason}");
    let mut sim = il.sim();
    assert!(sim.run(two_buyers(balance)).unwrap().is_err());
    assert_eq!(sim.trace().schedule().preemptions(), 1, "{il}");
    assert!(il.choices.len() <= 3, "not shrunk: {il}");
    assert!(
        reason.to_string().contains("balance went negative: -60"),
        "{reason}"
    );
    assert!(reason.to_string().contains("preemptions: 1"), "{reason}");
    // Neither condition alone fails: the same input under Fifo, or the same interleaving with
    // a balance that covers both purchases.
    assert!(
        Interleaving::default()
            .sim()
            .run(two_buyers(balance))
            .unwrap()
            .is_ok()
    );
    assert!(il.sim().run(two_buyers(2 * PRICE)).unwrap().is_ok());
}

#[test]
fn the_same_interleaving_replays_the_same_run() {
    let mut runner = runner();
    let strategy = interleavings();
    for _ in 0..20 {
        let il = strategy.new_tree(&mut runner).unwrap().current();
        let digest = |il: &Interleaving| {
            let mut sim = il.sim();
            let _ = sim.run(two_buyers(90));
            sim.trace().digest()
        };
        assert_eq!(digest(&il), digest(&il.clone()), "{il}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(7),
        ..ProptestConfig::default()
    })]

    /// A correct program passes whatever the interleaving (the macro form).
    #[test]
    fn enough_money_never_overdraws(extra in 0u32..1000, il in interleavings()) {
        harness::sim_check!(il, two_buyers(2 * PRICE + extra));
    }
}
