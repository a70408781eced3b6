//! Outputs the book quotes from commands too slow for a doctest (`cargo explore` builds in
//! release), or from a test failing in a crate of its own (the failure report), are recomputed
//! here, the way the command or the harness computes them, and compared with the quoted text,
//! so the book cannot drift from the program.

use std::{cell::Cell, rc::Rc};

use scenarios::explore::{self, Cli, Quiet};
use seedloop::{Check, Env, Strategy, Target, TestContext};

const REAL_WORLD: &str = include_str!("../src/real-world.md");

/// The quoted `cargo explore rate-limiter --seeds 16` output, header to verdict line.
fn quoted_table() -> &'static str {
    let block = REAL_WORLD
        .split("```text\n")
        .find(|block| block.starts_with("scenario "))
        .expect("the chapter quotes an explore table");
    block.split("```").next().expect("a closed block")
}

#[test]
fn the_quoted_explore_table_is_what_explore_prints() {
    // The tokens file goes to the temp dir; the book shows the default path.
    let file = std::env::temp_dir().join(format!("seedloop-book-tokens-{}", std::process::id()));
    let path = file.to_str().expect("a UTF-8 temp dir");
    let cli = Cli::parse_from_args([
        "explore",
        "rate-limiter",
        "--seeds",
        "16",
        "--tokens-file",
        path,
    ])
    .expect("the book's arguments parse");
    let mut out = Vec::new();
    explore::run(&cli, &mut out, &mut Quiet).expect("the sweep runs");
    let _ = std::fs::remove_file(&file);
    let printed = String::from_utf8(out)
        .expect("UTF-8")
        .replace(path, "target/explore-tokens.txt");
    assert_eq!(
        quoted_table(),
        printed,
        "the book's explore table drifted from the program"
    );
}

/// A broken invariant printed as its message, as `cargo explore` prints it.
struct Broken(String);

impl std::fmt::Debug for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The chapter quotes `cargo explore <scenario> --replay TOKEN` for the failure the sweep
/// found: the report's headline and notes, then the start of the full trace.
#[test]
fn the_quoted_replay_is_what_explore_replay_prints() {
    let scenario = scenarios::find("realworld/rate-limiter-check-then-act").unwrap();
    let run = move || {
        let program = (scenario.run)();
        async move { program.await.map_err(Broken) }
    };
    let outcome = Check::new()
        .seeds(16)
        .strategy(Strategy::random())
        .env(Env::empty())
        .no_regressions()
        .test_name(scenario.name)
        .explore(run);
    let token = outcome.report.expect("random finds the bug").token_text;
    let cli = Cli::parse_from_args(["explore", scenario.name, "--replay", &token])
        .expect("the replay arguments parse");
    let mut out = Vec::new();
    let failed = explore::replay(&cli, &token, &mut out).expect("the replay runs");
    assert!(failed, "the replayed schedule fails again");
    let text = String::from_utf8(out).expect("UTF-8");
    let quoted = REAL_WORLD
        .split("```text\n")
        .find(|block| block.starts_with("error: seedloop:"))
        .expect("the chapter quotes a report");
    let quoted = quoted.split("```").next().expect("a closed block");
    for line in quoted.lines().filter(|l| *l != "…") {
        assert!(
            text.contains(&format!("{line}\n")),
            "the book quotes `{line}`, `cargo explore --replay` prints:\n{text}"
        );
    }
}

const FINDING_BUGS: &str = include_str!("../src/finding-bugs.md");
/// This file, to read the lines its own `two_deposits` is on.
const THIS_FILE: &str = include_str!("quoted_outputs.rs");
/// The path `Location` gives this file (relative to the workspace root).
const THIS_PATH: &str = "book/tests/quoted_outputs.rs";

// The chapter's `tests/bank.rs`, the function byte for byte (a test checks it).
async fn two_deposits() {
    let balance = Rc::new(Cell::new(100));
    let deposits: Vec<_> = [("alice", 10), ("bob", 20)]
        .into_iter()
        .map(|(who, amount)| {
            let balance = balance.clone();
            seedloop::spawn_named(who, async move {
                let read = balance.get();
                seedloop::task::maybe_yield().await; // stands for "await the audit log"
                balance.set(read + amount);
            })
        })
        .collect();
    for d in deposits {
        d.await.unwrap();
    }
    assert_eq!(balance.get(), 130, "a deposit was lost");
}

/// The lines of `text` from the one starting with `async fn two_deposits` to the closing `}`,
/// and the 1-based number of the first.
fn two_deposits_in(text: &str) -> (usize, Vec<&str>) {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("async fn two_deposits()"))
        .expect("a two_deposits function");
    let len = lines[start..]
        .iter()
        .position(|l| *l == "}")
        .expect("its closing brace");
    (start + 1, lines[start..=start + len].to_vec())
}

/// The chapter's `tests/bank.rs` block, and the quoted report block after it.
fn bank_file_and_report() -> (&'static str, &'static str) {
    let file = FINDING_BUGS
        .split("```rust\n// tests/bank.rs\n")
        .nth(1)
        .expect("the chapter shows tests/bank.rs")
        .split("```")
        .next()
        .unwrap();
    let report = FINDING_BUGS
        .split("```text\n")
        .find(|b| b.starts_with("error: seedloop: main panicked"))
        .expect("the chapter quotes the report")
        .split("```")
        .next()
        .unwrap();
    (file, report)
}

/// `THIS_PATH:<line>` becomes `tests/bank.rs:<line + shift>`: where the book's file has it.
fn as_in_bank_rs(text: &str, shift: isize) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(THIS_PATH) {
        out.push_str(&rest[..at]);
        let after = &rest[at + THIS_PATH.len() + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let line: isize = after[..digits].parse().expect("a line number");
        out.push_str(&format!("tests/bank.rs:{}", line + shift));
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_quoted_failure_report_is_what_the_harness_prints() {
    let (file, quoted) = bank_file_and_report();
    // The code that fails here is the code the chapter shows.
    let (book_line, book_fn) = two_deposits_in(file);
    let (own_line, own_fn) = two_deposits_in(THIS_FILE);
    assert_eq!(
        book_fn, own_fn,
        "the chapter's two_deposits drifted from this test's"
    );

    // As `#[seedloop::test] async fn deposits_add_up()` in `tests/bank.rs` of a crate `bank`
    // reports it, run by `cargo test` (the harness detects this context itself).
    let context = TestContext {
        package: Some("bank".into()),
        target: Some(Target::Test("bank".into())),
        name: Some("deposits_add_up".into()),
        ..TestContext::default()
    };
    let report = Check::new()
        .env(Env::empty())
        .no_regressions()
        .context(context)
        .explore(two_deposits)
        .report
        .expect("a seed loses a deposit");
    let shift = book_line as isize - own_line as isize;
    let printed = as_in_bank_rs(&report.to_string(), shift);
    assert_eq!(
        quoted.trim_end(),
        printed,
        "the book's report drifted from what the harness prints"
    );
}
