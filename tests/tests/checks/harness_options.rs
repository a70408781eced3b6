//! `Check` takes sim's `RunOptions` whole or by name; tokens carry them as self-describing
//! pairs; tokens of the older format still replay; failure kinds are sim's, unchanged.

use std::time::Duration;

use harness::{Check, FailureKind, Replayed, TestContext, Token, TokenError};
use sim::options::OPTIONS;
use sim::{RunOptions, SimErrorKind};

use crate::common::{panic_text, quiet, seal, two};

#[test]
fn max_poll_time_and_the_unobserved_panic_policy_are_set_from_check() {
    let starving = || async { sim::task::block_for(Duration::from_secs(1)) };
    assert!(
        quiet().seeds(2).explore(starving).passed(),
        "off by default"
    );
    let o = quiet()
        .seeds(2)
        .option("max_poll_time", "100ms")
        .explore(starving);
    let report = o.report.expect("one poll computes for 1s, over 100ms");
    assert_eq!(
        report.failure.kind,
        FailureKind::Sim(SimErrorKind::Starvation)
    );
    // The token carries the option: the replay fails the same way.
    let replayed = harness::try_replay(&report.token_text, &starving, TestContext::default());
    assert!(matches!(replayed, Ok(Replayed::Failed(r)) if r.failure.same_as(&report.failure)));

    let lost = || async {
        sim::spawn(async { panic!("nobody awaits me") });
        sim::time::sleep(Duration::from_secs(1)).await;
    };
    assert!(!quiet().seeds(1).explore(lost).passed(), "fails by default");
    assert!(
        quiet()
            .seeds(1)
            .option("fail_on_unobserved_panic", "false")
            .explore(lost)
            .passed()
    );
    let whole = RunOptions::default().fail_on_unobserved_panic(false);
    assert!(quiet().seeds(1).options(whole).explore(lost).passed());
}

#[test]
fn a_bad_option_names_the_options_and_the_forms() {
    let msg = panic_text(|| drop(Check::new().option("max_pol_time", "1s")));
    assert!(
        msg.contains("max_pol_time") && msg.contains("max_poll_time"),
        "{msg}"
    );
    let msg = panic_text(|| drop(Check::new().option("max_poll_time", "soon")));
    assert!(msg.contains("`soon`") && msg.contains("500ms"), "{msg}");
}

#[test]
fn every_option_travels_in_a_token() {
    let options = RunOptions::default()
        .max_steps(123)
        .max_time(Duration::from_millis(7))
        .max_poll_time(Duration::from_secs(9))
        .fail_on_unobserved_panic(false)
        .fail_on_leftover_tasks(true);
    // Every option of sim is set above: a new one makes this test name it.
    assert_eq!(options.to_pairs().len(), OPTIONS.len());
    let token = Token {
        seed: 3,
        strategy: "fifo".into(),
        schedules_run: 1,
        preemptions_before: 0,
        test: 0,
        options: options.clone(),
        schedule: sim::schedule::Schedule::new(),
    };
    let back = Token::parse(&token.encode()).unwrap();
    assert_eq!(back.options, options);
}

/// A token made by the previous format (version 1: three limits in fixed places), found with
/// `max_steps(5000)`, `max_time(60s)` and `fail_on_leftover_tasks(true)` for this test's name.
const V1_TOKEN: &str = "sl1.aedheylomrxw2aqbuoy55ryfratydme5ylpqcaidbabbsaqbai.h5a75g7m";

#[test]
fn a_v1_token_still_replays() {
    let token = Token::parse(V1_TOKEN).expect("a version 1 token is read");
    assert_eq!(
        token.options,
        RunOptions::default()
            .max_steps(5000)
            .max_time(Duration::from_secs(60))
            .fail_on_leftover_tasks(true)
    );
    assert_eq!(
        token.test,
        harness::test_name_hash("harness_tokens::a_v1_token_still_replays")
    );
    let r = match harness::try_replay(V1_TOKEN, &two, TestContext::default()).unwrap() {
        Replayed::Failed(r) => r,
        other => panic!("expected the lost update, got {other:?}"),
    };
    assert_eq!(r.failure.kind, FailureKind::Sim(SimErrorKind::MainPanicked));
    assert!(r.failure.message.contains("lost update"));
    // Re-encoded, it is a version 2 token of the same execution.
    assert!(r.token_text.starts_with("sl2."));
    assert_eq!(Token::parse(&r.token_text).unwrap(), token);
}

#[test]
fn tokens_from_other_versions_say_which_way_to_go() {
    let newer = Token::parse("sl3.aaaa.aaaaaaaa").unwrap_err().to_string();
    assert!(newer.contains("made by a newer seedloop"), "{newer}");
    let older = Token::parse("sl0.aaaa.aaaaaaaa").unwrap_err().to_string();
    assert!(older.contains("made by an older seedloop"), "{older}");
    assert!(older.contains("re-run the seed sweep"), "{older}");
}

#[test]
fn a_token_with_an_option_this_version_does_not_know_is_refused_as_newer() {
    // A valid v2 payload whose option list names key 999.
    let mut payload = vec![0, 0, 0, 0, 0]; // seed, empty strategy, runs, preemptions, test
    payload.extend([1, 0xe7, 0x07, 1]); // one pair: key 999 = 1
    payload.push(0); // no decisions
    let text = seal("sl2", &payload);
    let e = Token::parse(&text).unwrap_err();
    assert!(matches!(e, TokenError::Options(_)), "{e:?}");
    assert!(e.to_string().contains("made by a newer seedloop"), "{e}");
}

#[test]
fn failure_kinds_are_sims_own() {
    // Each kind the executor reports reaches the report unchanged (starvation, above, used to
    // be folded into `Other`).
    let deadlock = quiet().seeds(1).explore(|| async {
        sim::spawn(std::future::pending::<()>()).await.unwrap();
    });
    assert_eq!(
        deadlock.report.unwrap().failure.kind.sim_kind(),
        Some(SimErrorKind::Deadlock)
    );
    let err = quiet().seeds(1).explore(|| async { Err::<(), _>("no") });
    assert_eq!(err.report.unwrap().failure.kind, FailureKind::Error);
}
