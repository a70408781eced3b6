//! `seedloop` as a user meets it: a new crate outside the workspace whose only dependency is the
//! `[dev-dependencies]` line of the README, with the README's test file and one more. `cargo
//! test` in it must print, for each failing `#[seedloop::test]`, a `SEEDLOOP_REPLAY=... cargo
//! test ...` line that, run as printed, reproduces the same failure; `seedloop::check` and run
//! options by name must work there too.
//!
//! The crate is built with the workspace's `Cargo.lock` (so versions are pinned and nothing is
//! fetched) into its own target directory under the workspace's `target/`, so a second run
//! rebuilds only the crate itself.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MANIFEST: &str = r#"[package]
name = "bank"
version = "0.1.0"
edition = "2024"
publish = false

[dev-dependencies]
"#;

/// A test file as a user would write it: only `seedloop::` names.
const TEST: &str = r#"use std::{cell::Cell, rc::Rc};
use std::time::Duration;

// Two transfers each read the balance, await, and write it back: one deposit is lost.
#[seedloop::test]
async fn deposits_add_up() {
    let balance = Rc::new(Cell::new(100));
    let deposits: Vec<_> = (0..2)
        .map(|_| {
            let balance = balance.clone();
            seedloop::spawn(async move {
                let read = balance.get();
                seedloop::time::sleep(Duration::from_millis(1)).await;
                balance.set(read + 10);
            })
        })
        .collect();
    for d in deposits {
        d.await.unwrap();
    }
    assert_eq!(balance.get(), 120, "a deposit was lost");
}

// The same transfers under a lock pass every seed.
#[test]
fn locked_deposits_add_up() {
    seedloop::check(|| async {
        let balance = Rc::new(seedloop::sync::Mutex::new(100));
        let deposits: Vec<_> = (0..2)
            .map(|_| {
                let balance = balance.clone();
                seedloop::spawn(async move {
                    let mut b = balance.lock().await;
                    let read = *b;
                    seedloop::time::sleep(Duration::from_millis(1)).await;
                    *b = read + 10;
                })
            })
            .collect();
        for d in deposits {
            d.await.unwrap();
        }
        assert_eq!(*balance.lock().await, 120);
    });
}

// Run options by name: a task panic nobody awaits does not fail the run.
#[seedloop::test(seeds = 4, max_poll_time = "100ms", fail_on_unobserved_panic = false)]
async fn options_by_name() {
    seedloop::spawn(async { panic!("nobody awaits this") });
    seedloop::task::yield_now().await;
}
"#;

/// A test file named after the package: cargo names its binary like the library's unit tests,
/// and the printed line must still say `--test bank`. With a table-driven test, whose line
/// filters on the libtest test and whose token names the row.
const BANK: &str = r#"use std::{cell::Cell, rc::Rc};

async fn deposit(times: u32) {
    let balance = Rc::new(Cell::new(0));
    let deposits: Vec<_> = (0..times)
        .map(|_| {
            let balance = balance.clone();
            seedloop::spawn(async move {
                let read = balance.get();
                seedloop::task::maybe_yield().await;
                balance.set(read + 10);
            })
        })
        .collect();
    for d in deposits {
        d.await.unwrap();
    }
    assert_eq!(balance.get(), 10 * times, "{times} deposits: one was lost");
}

#[seedloop::test]
async fn bank_deposits_add_up() {
    deposit(2).await;
}

#[test]
fn checked_deposits_add_up() {
    seedloop::check(|| deposit(3));
}

#[test]
fn deposit_table() {
    for (row, times) in [("one_deposit", 1), ("four_deposits", 4)] {
        seedloop::Check::new().test_name(row).run(move || deposit(times));
    }
}
"#;

/// The README's sample test file: the Rust block after "A test, in `tests/counter.rs`:".
fn readme_test() -> String {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let after = readme
        .split_once("A test, in `tests/counter.rs`:")
        .expect("the README shows a test file")
        .1;
    let block = after.split_once("```rust\n").expect("a Rust block").1;
    block
        .split_once("```")
        .expect("a closed block")
        .0
        .to_string()
}

/// The README's dependency line in path form, pointing at this checkout.
fn readme_dependency() -> String {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("# seedloop = { path = "))
        .expect("the README shows the path form");
    line.trim_start_matches("# ").replace(
        "../seedloop/seedloop",
        workspace().join("seedloop").to_str().unwrap(),
    )
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

/// `cargo` (or `sh -c line`) in `dir`, with the crate's own target dir and no `SEEDLOOP_*`
/// variable from the outer test run.
fn run(mut cmd: Command, dir: &Path) -> Output {
    cmd.current_dir(dir)
        .env("CARGO_TARGET_DIR", workspace().join("target/outside-crate"))
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TERM_COLOR", "never");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SEEDLOOP_") {
            cmd.env_remove(key);
        }
    }
    cmd.output().expect("cargo runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The report's headline and token: what must be the same when the failure is replayed.
fn failure_of(text: &str) -> (String, String) {
    let line = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{text}"))
            .to_string()
    };
    (line("error: seedloop: "), line("note: replay token: "))
}

/// The crate's directory, removed when the test ends, passed or failed.
struct TempCrate(PathBuf);

impl Drop for TempCrate {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_crate_with_only_the_seedloop_dependency_tests_and_replays() {
    let guard =
        TempCrate(std::env::temp_dir().join(format!("seedloop-outside-{}", std::process::id())));
    let dir = guard.0.clone();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    let manifest = format!("{MANIFEST}{}\n", readme_dependency());
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("tests/counter.rs"), readme_test()).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "//! A bank.\n").unwrap();
    std::fs::write(dir.join("tests/transfers.rs"), TEST).unwrap();
    std::fs::write(dir.join("tests/bank.rs"), BANK).unwrap();
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut test = Command::new(&cargo);
    test.args(["test", "--no-fail-fast"]);
    let first = run(test, &dir);
    let first_text = text(&first);
    assert!(
        !first.status.success(),
        "the lost updates must fail:\n{first_text}"
    );
    for passing in [
        "locked_deposits_add_up",
        "options_by_name",
        "sleeps_in_virtual_time",
        "a_task_returns_its_value",
    ] {
        assert!(
            first_text.contains(&format!("test {passing} ... ok")),
            "{passing} must pass:\n{first_text}"
        );
    }
    for (target, failing, message) in [
        ("transfers", "deposits_add_up", "a deposit was lost"),
        ("counter", "counter_adds_up", "lost update"),
        ("bank", "bank_deposits_add_up", "2 deposits: one was lost"),
        (
            "bank",
            "checked_deposits_add_up",
            "3 deposits: one was lost",
        ),
        ("bank", "deposit_table", "4 deposits: one was lost"),
    ] {
        assert!(first_text.contains(&format!("test {failing} ... FAILED")));
        let replay_line = first_text
            .lines()
            .map(str::trim)
            .find(|l| {
                l.starts_with("SEEDLOOP_REPLAY=") && l.ends_with(&format!(" {failing} --exact"))
            })
            .unwrap_or_else(|| panic!("no replay line for {failing} in:\n{first_text}"))
            .to_string();
        assert!(
            replay_line.contains(&format!(
                " cargo test -p bank --test {target} -- {failing} --exact"
            )),
            "{replay_line}"
        );
        let report = first_text
            .split(&format!("---- {failing} stdout ----"))
            .nth(1)
            .expect("the failure's output");
        assert!(report.contains(message), "{report}");

        let mut again = Command::new("sh");
        again.args(["-c", &replay_line]);
        let second = run(again, &dir);
        let second_text = text(&second);
        assert!(
            !second.status.success(),
            "the replay fails too:\n{second_text}"
        );
        // Exactly one test ran (the library's unit tests and the other targets run none).
        assert!(second_text.contains("running 1 test"), "{second_text}");
        assert_eq!(
            second_text.matches("running 1 test").count(),
            1,
            "{second_text}"
        );
        assert!(
            second_text.contains(&format!("test {failing} ... FAILED")),
            "{second_text}"
        );
        assert_eq!(failure_of(&second_text), failure_of(report));
    }
}
