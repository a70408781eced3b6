//! Replay tokens: round trips, clear errors for bad ones, divergence when the program changed.

use std::cell::Cell;
use std::rc::Rc;

use harness::{Check, Env, FailureKind, Replayed, TestContext, Token, TokenError};

use crate::common::{lost_update, panic_text, two};

/// The same program after an edit: a third task, and a yield before the increments.
async fn edited() {
    sim::task::yield_now().await;
    lost_update(3).await;
}

fn found_token() -> String {
    let o = Check::new().no_regressions().explore(two);
    o.report.expect("the lost update is found").token_text
}

#[test]
fn tokens_are_shell_safe_and_round_trip() {
    let text = found_token();
    assert!(text.starts_with("sl2."));
    assert!(
        text.chars()
            .all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c) || c == '.' || c == '1'),
        "{text}"
    );
    let t = Token::parse(&text).unwrap();
    assert_eq!(t.encode(), text);
    assert_eq!(t.strategy, "random");
    assert!(t.schedule.preemptions() == 1);
}

#[test]
fn bad_tokens_say_what_is_wrong() {
    let good = found_token();
    let cases: Vec<(String, TokenError, &str)> = vec![
        (
            "".into(),
            TokenError::NotAToken,
            "not a seedloop replay token",
        ),
        (
            "hello world".into(),
            TokenError::NotAToken,
            "not a seedloop replay token",
        ),
        (
            good.replacen("sl2.", "sl3.", 1),
            TokenError::WrongVersion { found: "3".into() },
            "format version `3`",
        ),
        (
            good[..good.len() - 3].to_string(),
            TokenError::Truncated,
            "truncated",
        ),
        (
            good[..good.len() - 9].to_string(),
            TokenError::Truncated,
            "truncated",
        ),
        (
            format!("{}X{}", &good[..6], &good[7..]),
            TokenError::BadCharacter { ch: 'X', at: 6 },
            "'X' at byte 6",
        ),
    ];
    for (text, err, says) in cases {
        assert_eq!(Token::parse(&text), Err(err), "{text:?}");
        let msg = Token::parse(&text).unwrap_err().to_string();
        assert!(msg.contains(says), "{msg}");
    }
    // One character changed inside the payload: the checksum catches it.
    let mut chars: Vec<char> = good.chars().collect();
    chars[8] = if chars[8] == 'a' { 'b' } else { 'a' };
    let altered: String = chars.into_iter().collect();
    let e = Token::parse(&altered).unwrap_err();
    assert!(
        matches!(e, TokenError::Checksum | TokenError::Truncated),
        "{e:?}"
    );
    assert!(e.to_string().contains("copy the whole token again"), "{e}");
}

#[test]
fn a_bad_token_in_the_environment_or_in_replay_panics_with_the_reason() {
    let msg = panic_text(|| harness::replay("sl2.abc", two));
    assert!(msg.contains("replay token is truncated"), "{msg}");
    let msg = panic_text(|| {
        Check::new()
            .env(Env::empty().with("SEEDLOOP_REPLAY", "not-a-token"))
            .run(two)
    });
    assert!(
        msg.contains("SEEDLOOP_REPLAY=\"not-a-token\" cannot be used"),
        "{msg}"
    );
    assert!(msg.contains("not a seedloop replay token"), "{msg}");
}

#[test]
fn the_environment_replay_path_gives_the_same_report_and_says_it_replayed() {
    let found = Check::new().no_regressions().explore(two);
    let report = found.failure_text().unwrap();
    let token = found.report.unwrap().token_text;
    let replayed = Check::new()
        .env(Env::empty().with("SEEDLOOP_REPLAY", token))
        .explore(two);
    assert_eq!(replayed.schedules_run, 1);
    let mut again = replayed.report.unwrap();
    let text = again.to_string();
    assert!(
        text.contains("\nnote: replayed from SEEDLOOP_REPLAY; the token was found with seed 1"),
        "{text}"
    );
    // Apart from where it came from, the report is the one the sweep printed.
    assert_eq!(again.origin, harness::Origin::ReplayVariable);
    again.origin = harness::Origin::Found { not_shrunk: None };
    assert_eq!(again.to_string(), report);
}

#[test]
fn a_token_of_an_edited_program_reports_where_it_diverged() {
    let token = found_token();
    let r = match harness::try_replay(&token, &edited, TestContext::default()).unwrap() {
        Replayed::Failed(r) => r,
        other => panic!("expected a divergence, got {other:?}"),
    };
    assert_eq!(
        r.failure.kind,
        FailureKind::Sim(sim::SimErrorKind::Diverged)
    );
    let text = r.to_string();
    println!("{text}");
    assert!(text.contains("replay diverged at step"), "{text}");
    assert!(text.contains("but the program offered"), "{text}");
    assert!(
        text.contains("help: the program, its inputs or seedloop changed"),
        "{text}"
    );
}

#[test]
fn a_fixed_program_passes_its_old_token() {
    let token = found_token();
    // Same tasks and preemption points, but the increment is now atomic.
    let fixed = || async {
        let c = Rc::new(Cell::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let c = c.clone();
                sim::spawn(async move {
                    sim::task::maybe_yield().await;
                    c.set(c.get() + 1);
                })
            })
            .collect();
        for h in hs {
            h.await.unwrap();
        }
        assert_eq!(c.get(), 2);
    };
    assert!(matches!(
        harness::try_replay(&token, &fixed, TestContext::default()).unwrap(),
        Replayed::Passed
    ));
    harness::replay(&token, fixed);
}

#[test]
fn a_token_replays_only_in_the_test_that_found_it() {
    let token = found_token();
    assert_eq!(
        Token::parse(&token).unwrap().test,
        harness::test_name_hash("harness_tokens::a_token_replays_only_in_the_test_that_found_it")
    );
    let env = || Env::empty().with("SEEDLOOP_REPLAY", token.clone());
    let other = Check::new()
        .env(env())
        .seeds(5)
        .no_regressions()
        .test_name("some_other_test")
        .explore(|| async {});
    assert!(other.passed());
    assert_eq!(other.schedules_run, 5, "the other test sweeps as usual");
    assert!(
        other.notes[0].contains("SEEDLOOP_REPLAY holds a token of another test"),
        "{:?}",
        other.notes
    );
    let mine = Check::new().env(env()).no_regressions().explore(two);
    assert_eq!(mine.schedules_run, 1);
    assert!(!mine.passed());
}

/// A check that cannot name itself (a doctest, code on a thread called `main`) does not adopt a
/// named test's token: with `SEEDLOOP_REPLAY` set for one test, nameless checks sweep as usual.
#[test]
fn a_nameless_check_ignores_a_named_tests_token() {
    let token = found_token();
    let outcome = std::thread::Builder::new()
        .name("main".into())
        .spawn(move || {
            Check::new()
                .env(Env::empty().with("SEEDLOOP_REPLAY", token))
                .seeds(5)
                .no_regressions()
                .explore(|| async {})
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(outcome.passed());
    assert_eq!(
        outcome.schedules_run, 5,
        "the nameless check swept its own seeds"
    );
}
