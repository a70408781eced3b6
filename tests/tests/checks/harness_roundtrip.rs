//! The flagship round trip: `check` finds a planted bug, the printed replay line is parsed and
//! run (as a child process of this very test binary, the way a user pastes it), and the replay
//! prints the same report, but for the line that says where the failure came from.

use std::cell::Cell;
use std::process::Command;
use std::rc::Rc;

use crate::common::{panic_text, temp_dir};

const BEGIN: &str = "<<<seedloop-report>>>";
const END: &str = "<<<end-report>>>";

/// Two increments with a preemption point between read and write (the planted bug B2).
async fn lost_update() {
    let c = Rc::new(Cell::new(0));
    let incs: Vec<_> = (0..2)
        .map(|i| {
            let c = c.clone();
            sim::spawn_named(format!("inc{i}"), async move {
                let x = c.get();
                sim::task::maybe_yield().await;
                c.set(x + 1);
            })
        })
        .collect();
    for h in incs {
        h.await.unwrap();
    }
    assert_eq!(
        c.get(),
        2,
        "lost update: two increments left the counter at {}",
        c.get()
    );
}

/// The report's line that says where the failure came from, and the report without it. A
/// replay cannot know whether its token's schedule was shrunk, so where shrinking removed no
/// preemption, the found report's `shrunk from 1 preemption to 1 (` is a replay's `1
/// preemption (`: the same.
fn split_origin(report: &str) -> (String, String) {
    let origin = report
        .lines()
        .find(|l| l.starts_with("note: found with") || l.starts_with("note: replayed from"))
        .unwrap_or_else(|| panic!("no origin line in:\n{report}"))
        .to_string();
    let rest = report.replacen(&origin, "<origin>", 1).replacen(
        "note: shrunk from 1 preemption to 1 (",
        "note: 1 preemption (",
        1,
    );
    (origin, rest)
}

/// Parses `SEEDLOOP_REPLAY=<token> cargo test -p <pkg> --test <target> -- <name> --exact`.
fn parse_replay_line(report: &str) -> (String, String, String, String) {
    let line = report
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("SEEDLOOP_REPLAY="))
        .expect("the report has a line to paste");
    let words: Vec<&str> = line.split_whitespace().collect();
    let token = words[0]
        .strip_prefix("SEEDLOOP_REPLAY=")
        .unwrap()
        .to_string();
    assert_eq!(&words[1..3], ["cargo", "test"], "{line}");
    let after = |flag: &str| {
        let i = words
            .iter()
            .position(|w| *w == flag)
            .unwrap_or_else(|| panic!("no {flag} in {line}"));
        words[i + 1].to_string()
    };
    let (pkg, target) = (after("-p"), after("--test"));
    let name = after("--");
    assert_eq!(words.last(), Some(&"--exact"), "{line}");
    (token, pkg, target, name)
}

#[test]
fn planted_bug_is_found_and_the_pasted_line_replays_the_identical_report() {
    let regressions = temp_dir("roundtrip");
    let check = || {
        harness::Check::new()
            .regressions_dir(&regressions)
            .run(lost_update)
    };
    if std::env::var_os("SEEDLOOP_REPLAY").is_some() {
        // We are the child the parent started with the pasted line: print what we report.
        let report = panic_text(check);
        println!("{BEGIN}\n{report}\n{END}");
        return;
    }
    let report = panic_text(check);
    assert!(
        report.contains("lost update: two increments left the counter at 1"),
        "{report}"
    );
    assert!(report.contains("note: shrunk from"), "{report}");
    assert!(report.contains(" to 1 ("), "{report}");

    let (token, pkg, target, name) = parse_replay_line(&report);
    assert_eq!(pkg, "seedloop-tests");
    assert_eq!(target, "checks");
    assert_eq!(
        name,
        "harness_roundtrip::planted_bug_is_found_and_the_pasted_line_replays_the_identical_report"
    );
    assert!(harness::Token::parse(&token).is_ok());

    let (found, rest) = split_origin(&report);
    assert!(found.starts_with("note: found with seed "), "{found}");
    let how = found.trim_start_matches("note: found with");

    // In-process: harness::replay gives the same report, saying it replayed a token.
    let replayed = panic_text(|| harness::replay(&token, lost_update));
    assert_eq!(
        split_origin(&replayed),
        (
            format!("note: replayed from a token; it was found with{how}"),
            rest.clone()
        )
    );

    // The pasted line, run as cargo would run it: this test binary, this test, SEEDLOOP_REPLAY.
    let out = Command::new(std::env::current_exe().unwrap())
        .args([name.as_str(), "--exact", "--nocapture"])
        .env("SEEDLOOP_REPLAY", &token)
        .env("SEEDLOOP_REGRESSIONS", "off")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let child = stdout
        .split_once(BEGIN)
        .and_then(|(_, rest)| rest.split_once(END))
        .map(|(r, _)| r.trim_matches('\n'))
        .unwrap_or_else(|| panic!("the child printed no report:\n{stdout}"));
    assert_eq!(
        split_origin(child),
        (
            format!("note: replayed from SEEDLOOP_REPLAY; the token was found with{how}"),
            rest.clone()
        )
    );

    // The failure was saved, and the next check re-runs it first, before any seed.
    let saved = std::fs::read_to_string(regressions.join("checks.txt")).unwrap();
    assert!(saved.contains(&format!("{name} {token}")), "{saved}");
    let again = harness::Check::new()
        .regressions_dir(&regressions)
        .seeds(1_000..1_001)
        .test_name(&name)
        .explore(lost_update);
    assert!(again.from_regressions);
    assert_eq!(again.schedules_run, 0);
    let file = regressions.join("checks.txt");
    let line = saved
        .lines()
        .position(|l| l.contains(&token))
        .expect("the token's line")
        + 1;
    assert_eq!(
        split_origin(&again.failure_text().unwrap()),
        (
            format!(
                "note: replayed from the regressions file {}:{line}; the token was found with{how}",
                file.display()
            ),
            rest
        )
    );
    let _ = std::fs::remove_dir_all(&regressions);
}
