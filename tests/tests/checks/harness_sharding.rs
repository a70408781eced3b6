//! Seeds, shards and the environment variables that choose them.

use harness::{Check, Env, Seeds, Shard};

async fn passes() {
    let a = sim::spawn(async { sim::task::maybe_yield().await });
    sim::task::maybe_yield().await;
    a.await.unwrap();
}

fn seeds_run(check: Check) -> Vec<u64> {
    let o = check.no_regressions().explore(passes);
    assert!(o.passed());
    assert_eq!(o.schedules_run, o.seeds_run.len() as u64);
    o.seeds_run
}

#[test]
fn two_shards_cover_exactly_the_unsharded_seeds() {
    let all = seeds_run(Check::new().seeds(100).env(Env::empty()));
    let one = seeds_run(Check::new().seeds(100).shard(1, 2).env(Env::empty()));
    let two = seeds_run(Check::new().seeds(100).shard(2, 2).env(Env::empty()));
    assert_eq!(all, (0..100).collect::<Vec<u64>>());
    assert!(one.iter().all(|s| !two.contains(s)), "shards overlap");
    let mut union = [one.clone(), two].concat();
    union.sort_unstable();
    assert_eq!(union, all);
    assert_eq!(one.len(), 50);
}

#[test]
fn shards_come_from_the_environment_too() {
    let env = |k: &str| {
        Env::empty()
            .with("SEEDLOOP_SHARD", k)
            .with("SEEDLOOP_SEEDS", "10..17")
    };
    let parts: Vec<Vec<u64>> = ["1/3", "2/3", "3/3"]
        .iter()
        .map(|k| seeds_run(Check::new().seeds(1000).env(env(k))))
        .collect();
    assert_eq!(parts, [vec![10, 13, 16], vec![11, 14], vec![12, 15]]);
}

#[test]
fn the_default_is_64_fixed_seeds_and_the_environment_raises_it() {
    assert_eq!(
        seeds_run(Check::new().env(Env::empty())),
        (0..64).collect::<Vec<u64>>()
    );
    let raised = seeds_run(Check::new().env(Env::empty().with("SEEDLOOP_SEEDS", "200")));
    assert_eq!(raised.len(), 200);
    let one = seeds_run(
        Check::new()
            .seeds(5)
            .env(Env::empty().with("SEEDLOOP_SEED", "4242")),
    );
    assert_eq!(one, [4242]);
}

#[test]
fn seeds_accept_counts_ranges_and_lists() {
    assert_eq!(
        seeds_run(Check::new().seeds(3).env(Env::empty())),
        [0, 1, 2]
    );
    assert_eq!(
        seeds_run(Check::new().seeds(7..9).env(Env::empty())),
        [7, 8]
    );
    assert_eq!(
        seeds_run(Check::new().seeds(7..=9).env(Env::empty())),
        [7, 8, 9]
    );
    assert_eq!(
        seeds_run(Check::new().seeds(vec![5, 1]).env(Env::empty())),
        [5, 1]
    );
    assert_eq!(Seeds::from(0).len(), 0);
}

#[test]
fn malformed_variables_are_named_in_the_panic() {
    for (var, value, says) in [
        (
            "SEEDLOOP_SHARD",
            "3/2",
            "SEEDLOOP_SHARD=\"3/2\" is not valid: expected `K/N`",
        ),
        ("SEEDLOOP_SHARD", "0/2", "shards"),
        (
            "SEEDLOOP_SEEDS",
            "lots",
            "SEEDLOOP_SEEDS=\"lots\" is not valid",
        ),
        ("SEEDLOOP_SEED", "-1", "SEEDLOOP_SEED=\"-1\" is not valid"),
        (
            "SEEDLOOP_STRATEGY",
            "quantum",
            "`quantum` is not one of: fifo, random",
        ),
        ("SEEDLOOP_MAX_STEPS", "0", "a positive number of task polls"),
    ] {
        let err = std::panic::catch_unwind(|| {
            Check::new()
                .env(Env::empty().with(var, value))
                .no_regressions()
                .explore(passes)
        })
        .expect_err(var);
        let msg = err.downcast_ref::<String>().unwrap();
        assert!(
            msg.contains(says) || msg.contains("K/N"),
            "{var}={value}: {msg}"
        );
    }
    assert!(std::panic::catch_unwind(|| Shard::new(0, 2)).is_err());
}

#[test]
fn the_strategy_comes_from_the_environment() {
    // Under Fifo every seed is the same interleaving; under Random they differ.
    let fifo = Check::new()
        .seeds(20)
        .env(Env::empty().with("SEEDLOOP_STRATEGY", "fifo"))
        .no_regressions()
        .explore(passes);
    assert_eq!(fifo.distinct_interleavings, 1);
    let random = Check::new()
        .seeds(20)
        .env(Env::empty())
        .no_regressions()
        .explore(passes);
    assert!(random.distinct_interleavings > 1);
}
