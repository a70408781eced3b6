//! Regression files: failing tokens are saved per test, replayed first, and skipped once stale.

use std::cell::Cell;
use std::rc::Rc;

use harness::regressions::Regressions;
use harness::{Check, Env};

async fn racy(n: usize) {
    let c = Rc::new(Cell::new(0));
    let hs: Vec<_> = (0..n)
        .map(|_| {
            let c = c.clone();
            sim::spawn(async move {
                let x = c.get();
                sim::task::maybe_yield().await;
                c.set(x + 1);
            })
        })
        .collect();
    for h in hs {
        h.await.unwrap();
    }
    assert_eq!(c.get(), n, "lost update");
}

async fn racy2() {
    racy(2).await;
}

async fn racy3() {
    racy(3).await;
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("seedloop-reg-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn check(dir: &std::path::Path) -> Check {
    Check::new()
        .env(Env::empty())
        .regressions_dir(dir)
        .test_name("counter")
}

#[test]
fn a_saved_failure_is_replayed_before_any_seed() {
    let dir = temp_dir("saved");
    let first = check(&dir).explore(racy2);
    let token = first.report.as_ref().unwrap().token_text.clone();
    let file = Regressions::new(&dir, "checks");
    assert_eq!(file.tokens("counter"), std::slice::from_ref(&token));
    // Seeds that would not find it: the saved token still fails the test, first.
    let again = check(&dir).seeds(vec![]).explore(racy2);
    assert!(again.from_regressions);
    assert_eq!(again.schedules_run, 0);
    assert_eq!(again.report.unwrap().token_text, token);
    // Another test's name does not pick it up.
    let other = check(&dir).test_name("other").seeds(vec![]).explore(racy2);
    assert!(other.passed());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stale_and_unreadable_tokens_are_skipped() {
    let dir = temp_dir("stale");
    let file = Regressions::new(&dir, "checks");
    let token = check(&dir).explore(racy2).report.unwrap().token_text;
    file.save("counter", "sl1.garbage.aaaaaaaa").unwrap();
    assert_eq!(file.tokens("counter").len(), 2);
    assert!(file.tokens("counter").contains(&token));
    // The program changed (three tasks now): the old token diverges and is skipped, and the
    // sweep runs and finds the bug afresh.
    let o = check(&dir).explore(racy3);
    assert!(!o.from_regressions);
    assert!(o.schedules_run > 0);
    assert!(o.failure_text().unwrap().contains("lost update"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn regressions_can_be_turned_off_from_the_environment() {
    let dir = temp_dir("off");
    let o = Check::new()
        .env(Env::empty().with("SEEDLOOP_REGRESSIONS", "off"))
        .regressions_dir(&dir)
        .test_name("counter")
        .explore(racy2);
    assert!(!o.passed());
    assert!(!dir.exists());
    let moved = temp_dir("moved");
    Check::new()
        .env(Env::empty().with("SEEDLOOP_REGRESSIONS", moved.to_str().unwrap()))
        .test_name("counter")
        .explore(racy2);
    assert_eq!(
        Regressions::new(&moved, "checks").tokens("counter").len(),
        1
    );
    let _ = std::fs::remove_dir_all(&moved);
}
