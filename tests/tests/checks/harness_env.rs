//! `SEEDLOOP_*` values that would run nothing, or that seedloop does not know, are errors that
//! name the variable, the value and what it accepts; a shard that is empty says so.

use harness::{Check, Env};

use crate::child;
use crate::common::panic_text;

fn sweep(env: Env) -> String {
    panic_text(|| {
        Check::new()
            .env(env)
            .no_regressions()
            .seeds(5)
            .run(|| async {});
    })
}

#[test]
fn a_sweep_of_no_seeds_is_an_error_naming_the_variable() {
    for (var, value) in [
        ("SEEDLOOP_SEEDS", "0"),
        ("SEEDLOOP_SEEDS", "5..3"),
        ("SEEDLOOP_SEEDS", "7..7"),
    ] {
        let msg = sweep(Env::empty().with(var, value));
        assert!(msg.contains(&format!("{var}={value:?}")), "{msg}");
        assert!(msg.contains("no seed"), "{msg}");
        assert!(msg.contains("`500..1000`"), "the accepted forms: {msg}");
    }
}

#[test]
fn an_empty_value_is_an_error_not_the_default() {
    for var in [
        "SEEDLOOP_SEEDS",
        "SEEDLOOP_SEED",
        "SEEDLOOP_STRATEGY",
        "SEEDLOOP_REPLAY",
    ] {
        let msg = sweep(Env::from_pairs([(var, " ")]));
        assert!(msg.contains(var) && msg.contains("empty"), "{msg}");
    }
}

#[test]
fn a_misspelled_variable_is_an_error_with_a_suggestion() {
    let msg = sweep(Env::from_pairs([("SEEDLOOP_SEDS", "100")]));
    assert!(msg.contains("SEEDLOOP_SEDS=\"100\""), "{msg}");
    assert!(msg.contains("did you mean SEEDLOOP_SEEDS"), "{msg}");
    assert!(msg.contains("harness::env"), "where they are listed: {msg}");
}

#[test]
fn a_misspelled_variable_in_the_process_environment_fails_the_check() {
    const PATH: &str =
        "harness_env::a_misspelled_variable_in_the_process_environment_fails_the_check";
    if child::role().is_some() {
        Check::new().no_regressions().seeds(2).run(|| async {});
        return;
    }
    let out = child::run(PATH, "check", &[("SEEDLOOP_STRATEGEY", "fifo")]);
    let err = child::stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("SEEDLOOP_STRATEGEY=\"fifo\""), "{err}");
    assert!(err.contains("did you mean SEEDLOOP_STRATEGY"), "{err}");
}

#[test]
fn a_shard_with_no_seeds_passes_with_a_line_saying_so() {
    const PATH: &str = "harness_env::a_shard_with_no_seeds_passes_with_a_line_saying_so";
    if child::role().is_some() {
        let o = Check::new().no_regressions().seeds(3).explore(|| async {});
        assert!(o.passed());
        assert_eq!(o.schedules_run, 0);
        return;
    }
    let out = child::run(PATH, "check", &[("SEEDLOOP_SHARD", "5/8")]);
    let err = child::stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("SEEDLOOP_SHARD=5/8"), "{err}");
    assert!(err.contains("no seed"), "{err}");
}

#[test]
fn every_variable_users_set_is_in_the_books_table() {
    let book = include_str!("../../../book/src/ci.md");
    for var in harness::env::ALL {
        if var == harness::env::FUZZ_ITERATIONS || var.starts_with("SEEDLOOP_BENCH_") {
            continue; // read by seedloop's own tests and benchmarks, not by users' checks
        }
        assert!(
            book.contains(&format!("\n| `{var}` |")),
            "{var} is missing from the variables table of book/src/ci.md"
        );
    }
}
