//! Outputs the book quotes from commands too slow for a doctest (`cargo explore` builds in
//! release) are recomputed here, the way the command computes them, and compared with the
//! quoted text, so the book cannot drift from the program.

use scenarios::explore::{self, Cli, Quiet};
use seedloop::{Check, Env, Strategy};

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

#[test]
fn the_quoted_report_headline_is_what_the_harness_reports() {
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
    let text = outcome.report.expect("random finds the bug").to_string();
    let quoted = REAL_WORLD
        .split("```text\n")
        .find(|block| block.starts_with("error: seedloop:"))
        .expect("the chapter quotes a report");
    for line in quoted
        .lines()
        .take_while(|l| l.starts_with("error:") || l.starts_with("note:"))
    {
        assert!(
            text.contains(line),
            "the book quotes `{line}`, the harness reports:\n{text}"
        );
    }
}
