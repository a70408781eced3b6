//! The planted race of `tokio_service::bank` (a read and a write under two separate
//! `lock().await`s). Real tokio never shows it (see `examples/race_on_tokio.rs`: 1,000 runs, no
//! lost update); under the simulation every `lock().await` is a preemption point, so the default
//! sweep finds it, shrinks it to the one preemption that matters, and the line a failing
//! `#[tokio::test]` prints replays it.

use std::process::{Command, Output};

use tokio_service::bank::two_deposits;

async fn lost_update() {
    assert_eq!(two_deposits().await, 2, "lost update");
}

#[test]
fn found_within_the_default_seeds_and_shrunk_to_one_preemption() {
    let outcome = harness::Check::new().no_regressions().explore(lost_update);
    let report = outcome
        .report
        .expect("a default seed interleaves the two deposits");
    let seed = outcome.failing_seed.expect("found by a seed of the sweep");
    assert!(seed < harness::DEFAULT_SEEDS, "found with seed {seed}");
    assert_eq!(report.preemptions(), 1, "{report}");
    assert!(report.to_string().contains("lost update"));
    match harness::try_replay(
        &report.token_text,
        &lost_update,
        harness::TestContext::default(),
    ) {
        Ok(harness::Replayed::Failed(again)) => assert_eq!(again.digest, report.digest),
        Ok(other) => panic!("the token did not replay the failure: {other:?}"),
        Err(e) => panic!("the token does not parse: {e}"),
    }
}

/// The `#[tokio::test]` whose failure report the test below reads. It fails on every run of the
/// sweep's first failing seed, so it is marked `should_panic`, with the replay line it must
/// print.
#[tokio::test]
#[should_panic(
    expected = "-p tokio-service --test service -- race::racy_deposits_report_a_pasteable_line --exact"
)]
async fn racy_deposits_report_a_pasteable_line() {
    lost_update().await;
}

const CHILD: &str = "race::racy_deposits_report_a_pasteable_line";

/// Runs this test binary on the `#[tokio::test]` above, as `cargo test ... -- <name> --exact`
/// would, with extra environment.
fn run_child(env: &[(&str, &str)]) -> Output {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut cmd = Command::new(exe);
    cmd.args([CHILD, "--exact", "--nocapture", "--test-threads=1"]);
    cmd.env_remove("SEEDLOOP_REPLAY")
        .env("SEEDLOOP_REGRESSIONS", "off");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the test binary runs")
}

#[test]
fn the_printed_replay_line_reproduces_the_failure() {
    let first = run_child(&[]);
    let text = String::from_utf8_lossy(&first.stderr).into_owned();
    assert!(
        first.status.success(),
        "the should_panic test passes:\n{text}"
    );
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("SEEDLOOP_REPLAY="))
        .unwrap_or_else(|| panic!("no replay line in the report:\n{text}"));
    let (token_part, command) = line.split_once(' ').expect("token, then the command");
    let token = token_part.trim_start_matches("SEEDLOOP_REPLAY=");
    // The line builds with the cfg, in this binary's own target directory (CI and the book
    // use `--target-dir target/seedloop`; cargo marks the root with CACHEDIR.TAG).
    let exe = std::env::current_exe().expect("the test binary's path");
    let target_dir = exe
        .ancestors()
        .skip(1)
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .expect("the binary is in a cargo target directory");
    let dir_arg = if target_dir.ends_with("target") {
        String::new()
    } else {
        format!(" --target-dir {}", target_dir.display())
    };
    assert_eq!(
        command,
        format!(
            "RUSTFLAGS=\"--cfg seedloop\" cargo test{dir_arg} -p tokio-service --test service -- {CHILD} --exact"
        )
    );
    let digest = |t: &str| {
        t.lines()
            .find(|l| l.contains("gave the identical trace (digest"))
            .map(str::to_string)
    };
    // What the line does: the same test with SEEDLOOP_REPLAY set, on a build with the cfg.
    let again = run_child(&[("SEEDLOOP_REPLAY", token)]);
    let replayed = String::from_utf8_lossy(&again.stderr).into_owned();
    assert!(again.status.success(), "{replayed}");
    assert!(replayed.contains("lost update"), "{replayed}");
    assert!(
        replayed.contains(token),
        "the replay reports the same token:\n{replayed}"
    );
    assert_eq!(digest(&replayed), digest(&text), "the same execution");
}

/// The book's tokio chapter quotes this test's report: every quoted line is one the report
/// prints (the target directory aside, which the book shows as a placeholder).
#[test]
fn the_book_quotes_this_report() {
    const CHAPTER: &str = include_str!("../../../../book/src/tokio.md");
    const PLACEHOLDER: &str = "/path/to/seedloop/target/seedloop";
    let quoted = CHAPTER
        .split("```text\n")
        .find(|block| block.starts_with("error: seedloop: main panicked"))
        .and_then(|block| block.split("```").next())
        .expect("the chapter quotes the race's report");
    let out = run_child(&[]);
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    let exe = std::env::current_exe().expect("the test binary's path");
    let target_dir = exe
        .ancestors()
        .skip(1)
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .expect("the binary is in a cargo target directory")
        .display()
        .to_string();
    let printed: Vec<String> = text
        .lines()
        .map(|l| l.trim().replace(&target_dir, PLACEHOLDER))
        .collect();
    for line in quoted.lines().map(str::trim).filter(|l| !l.is_empty()) {
        // Without a separate target directory the line has no --target-dir at all.
        let line_default = line.replace(&format!(" --target-dir {PLACEHOLDER}"), "");
        assert!(
            printed.iter().any(|p| *p == line || *p == line_default),
            "the book quotes a line the report does not print:\n{line}\n\nthe report:\n{text}"
        );
    }
}
