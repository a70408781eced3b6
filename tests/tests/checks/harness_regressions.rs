//! Regression files: failing tokens are saved per test, replayed first, and skipped once stale.

use harness::regressions::Regressions;
use harness::{Check, Env};

use crate::child;
use crate::common::{lost_update, temp_dir, two};

fn check(dir: &std::path::Path) -> Check {
    Check::new()
        .env(Env::empty())
        .regressions_dir(dir)
        .test_name("counter")
}

#[test]
fn a_saved_failure_is_replayed_before_any_seed() {
    let dir = temp_dir("reg-saved");
    let first = check(&dir).explore(two);
    let token = first.report.as_ref().unwrap().token_text.clone();
    let file = Regressions::new(&dir, "checks");
    assert_eq!(file.tokens("counter"), std::slice::from_ref(&token));
    // Seeds that would not find it: the saved token still fails the test, first.
    let again = check(&dir).seeds(vec![]).explore(two);
    assert!(again.from_regressions);
    assert_eq!(again.schedules_run, 0);
    assert_eq!(again.report.unwrap().token_text, token);
    // Another test's name does not pick it up.
    let other = check(&dir).test_name("other").seeds(vec![]).explore(two);
    assert!(other.passed());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stale_and_unreadable_tokens_are_skipped() {
    let dir = temp_dir("reg-stale");
    let file = Regressions::new(&dir, "checks");
    let token = check(&dir).explore(two).report.unwrap().token_text;
    file.save("counter", "sl2.garbage.aaaaaaaa").unwrap();
    assert_eq!(file.tokens("counter").len(), 2);
    assert!(file.tokens("counter").contains(&token));
    // The program changed (three tasks now): the old token diverges and is skipped, and the
    // sweep runs and finds the bug afresh.
    let o = check(&dir).explore(|| lost_update(3));
    assert!(!o.from_regressions);
    assert!(o.schedules_run > 0);
    assert!(o.failure_text().unwrap().contains("lost update"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn regressions_can_be_turned_off_from_the_environment() {
    let dir = temp_dir("reg-off");
    let o = Check::new()
        .env(Env::empty().with("SEEDLOOP_REGRESSIONS", "off"))
        .regressions_dir(&dir)
        .test_name("counter")
        .explore(two);
    assert!(!o.passed());
    assert!(!dir.exists());
    let moved = temp_dir("reg-moved");
    Check::new()
        .env(Env::empty().with("SEEDLOOP_REGRESSIONS", moved.to_str().unwrap()))
        .test_name("counter")
        .explore(two);
    assert_eq!(
        Regressions::new(&moved, "checks").tokens("counter").len(),
        1
    );
    let _ = std::fs::remove_dir_all(&moved);
}

/// Runs of `racy_log` so far, in this process: the log line differs on every run.
static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

async fn racy_log() {
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    sim::log!("run {run}");
    lost_update(2).await;
}

#[test]
fn a_saved_token_that_replays_differently_fails_the_check_and_says_why() {
    let dir = temp_dir("reg-nondet");
    let token = check(&dir).explore(two).report.unwrap().token_text;
    // The same program, now logging something that changes from run to run.
    let o = check(&dir).seeds(vec![]).explore(racy_log);
    assert!(
        !o.passed(),
        "a saved failure that replays differently is not a pass"
    );
    assert!(o.from_regressions);
    let text = o.failure_text().unwrap();
    assert!(text.contains("nondeterminism"), "{text}");
    assert!(text.contains(&token), "names the token: {text}");
    assert!(text.contains("counter"), "names the test: {text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_token_of_another_test_replayed_under_this_name_says_so() {
    let dir = temp_dir("reg-foreign");
    let token = check(&dir).explore(two).report.unwrap().token_text;
    Regressions::new(&dir, "checks")
        .save("renamed", &token)
        .unwrap();
    let o = check(&dir).test_name("renamed").seeds(vec![]).explore(two);
    assert!(o.from_regressions);
    let text = o.failure_text().unwrap();
    assert!(
        text.contains("recorded by another test") && text.contains("`renamed`"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// What the check prints about the lines it cannot use: the file, the line and why.
#[test]
fn skipped_lines_are_named_with_their_line_and_reason() {
    const PATH: &str = "harness_regressions::skipped_lines_are_named_with_their_line_and_reason";
    let dir = temp_dir("reg-named-lines");
    if child::role().is_some() {
        let dir = std::env::var("CHECKS_REG_DIR").unwrap();
        let o = check(std::path::Path::new(&dir))
            .seeds(3)
            .explore(|| async {});
        assert!(o.passed());
        return;
    }
    let file = Regressions::new(&dir, "checks");
    file.save("counter", "sl2.garbage.aaaaaaaa").unwrap();
    let mut bytes = std::fs::read(file.path()).unwrap();
    bytes.extend_from_slice(b"counter sl2.\xff.aaaaaaaa\n");
    std::fs::write(file.path(), &bytes).unwrap();
    let out = child::run(PATH, "check", &[("CHECKS_REG_DIR", dir.to_str().unwrap())]);
    let err = child::stderr(&out);
    assert!(out.status.success(), "{err}");
    let at = |line: usize| format!("{}:{line}:", file.path().display());
    assert!(err.contains(&at(4)), "the unreadable token's line: {err}");
    assert!(
        err.contains("skipping an unreadable token for `counter`: replay token is truncated"),
        "{err}"
    );
    assert!(err.contains(&at(5)), "the line that is not text: {err}");
    assert!(err.contains("not UTF-8"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
