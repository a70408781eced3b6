//! The main job (`cargo explore`) as CI sees it: help, arguments, the streamed table with its
//! expected and verdict columns, progress lines when stderr is not a terminal, the exit status,
//! short tokens on screen and whole ones on request, and replay lines that name `cargo explore`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::error::ErrorKind;
use harness::Token;
use scenarios::explore::{
    Cli, Heartbeat, Judgement, Progress, Quiet, Row, judge, replay, run, short_token,
};
use scenarios::{Expect, catalogue, find};
use sim::schedule::{Decision, Schedule};
use sim::task::TaskId;

fn cli(args: &[&str]) -> Cli {
    let all = std::iter::once("explore").chain(args.iter().copied());
    Cli::parse_from_args(all).unwrap_or_else(|e| panic!("{args:?} should parse: {e}"))
}

fn table(cli: &Cli) -> (String, bool) {
    let mut out = Vec::new();
    let summary = run(cli, &mut out, &mut Quiet).expect("the run completes");
    (String::from_utf8(out).unwrap(), summary.all_met())
}

/// A file in the temp dir for this test alone, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        TempFile(
            std::env::temp_dir().join(format!("seedloop-explore-{}-{name}", std::process::id())),
        )
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn help_exits_zero_and_lists_every_scenario_and_strategy() {
    for flag in ["--help", "-h"] {
        let err = Cli::parse_from_args(["explore", flag]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DisplayHelp);
        assert_eq!(err.exit_code(), 0, "{flag} must exit 0");
        let help = err.to_string();
        for s in catalogue() {
            assert!(help.contains(s.name), "{flag} does not list {}", s.name);
        }
        for strategy in ["fifo", "random", "pct", "portfolio", "all"] {
            assert!(
                help.contains(&format!("\n  {strategy} ")),
                "{flag}: {strategy}"
            );
        }
        assert!(help.contains("--seeds") && help.contains("--full-tokens"));
    }
}

#[test]
fn bad_arguments_exit_2_and_say_what_was_wrong() {
    let cases: [(&[&str], &str); 4] = [
        (&["--seeds", "0"], "--seeds"),
        (&["--seeds", "many"], "many"),
        (&["--strategy", "bogus"], "bogus"),
        (&["--trace-json", "x.json"], "--replay"),
    ];
    for (args, named) in cases {
        let all = std::iter::once("explore").chain(args.iter().copied());
        let err = Cli::parse_from_args(all).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{args:?}");
        assert!(err.to_string().contains(named), "{args:?}: {err}");
    }
    let no_match = cli(&["no-such-scenario"]);
    let err = run(&no_match, &mut Vec::new(), &mut Quiet).unwrap_err();
    assert!(
        err.to_string()
            .contains("no scenario matches no-such-scenario")
    );
}

/// Records the order of what the job tells its progress, to show that rows stream.
#[derive(Default)]
struct Recorder(Vec<String>);

impl Progress for Recorder {
    fn sweeping(&mut self, scenario: &str, strategy: &str) {
        self.0.push(format!("sweeping {scenario} {strategy}"));
    }

    fn swept(&mut self, row: &Row) {
        self.0
            .push(format!("swept {} {}", row.scenario.name, row.strategy));
    }

    fn show(&mut self, out: &mut dyn Write, text: &str) -> std::io::Result<()> {
        self.0
            .push(format!("show {}", text.lines().next().unwrap_or_default()));
        writeln!(out, "{text}")
    }
}

#[test]
fn rows_stream_as_each_sweep_finishes() {
    let cli = cli(&["guide/gather", "bugs/B1-lost-update-await", "--seeds", "4"]);
    let mut rec = Recorder::default();
    run(&cli, &mut Vec::new(), &mut rec).unwrap();
    let events = rec.0;
    assert!(events[0].starts_with("show scenario "), "{events:?}");
    // Each sweep's row is written right after it ends, before the next one starts.
    for (i, e) in events.iter().enumerate() {
        if let Some(what) = e.strip_prefix("swept ") {
            let (scenario, strategy) = what.split_once(' ').unwrap();
            let next = &events[i + 1];
            assert!(
                next.starts_with(&format!("show {scenario} ")) && next.contains(strategy),
                "after {e}: {next}"
            );
        }
    }
    assert_eq!(events.iter().filter(|e| e.starts_with("swept")).count(), 8);
}

#[test]
fn piped_run_shows_progress_lines_the_expected_column_and_exits_zero() {
    let cli = cli(&["guide/gather", "bugs/B1-lost-update-await", "--seeds", "4"]);
    let mut out = Vec::new();
    let mut beat = Heartbeat::new(Vec::new(), Duration::from_secs(3));
    let summary = run(&cli, &mut out, &mut beat).unwrap();
    let progress = String::from_utf8(beat.into_inner()).unwrap();
    let table = String::from_utf8(out).unwrap();

    assert!(
        progress.starts_with("explore: 8 sweeps to run; a progress line every 3s"),
        "{progress}"
    );
    assert!(
        progress.contains("explore: 8/8 sweeps done in "),
        "{progress}"
    );
    let header = table.lines().next().unwrap();
    for column in [
        "scenario", "strategy", "result", "expected", "verdict", "token",
    ] {
        assert!(header.contains(column), "no {column} column: {header}");
    }
    let row = |scenario: &str, strategy: &str| {
        table
            .lines()
            .find(|l| l.starts_with(scenario) && l.contains(&format!(" {strategy} ")))
            .unwrap_or_else(|| panic!("no row for {scenario} {strategy}:\n{table}"))
            .to_string()
    };
    let fifo_gather = row("guide/gather", "fifo");
    assert!(
        fifo_gather.contains(" pass ") && fifo_gather.contains(" ok"),
        "{fifo_gather}"
    );
    let random_bug = row("bugs/B1-lost-update-await", "random");
    assert!(random_bug.contains(" FAIL "), "{random_bug}");
    assert!(random_bug.contains("bug<=16") && random_bug.contains("found (expected)"));
    assert!(summary.all_met());
    assert!(
        table.ends_with("verdict: every scenario as expected\n"),
        "{table}"
    );
    assert!(!table.contains("ESCAPED") && !table.contains("WRONG"));
}

#[test]
fn a_planted_bug_that_escapes_fails_the_job() {
    // Fifo alone cannot find a lock-order inversion, and 16 seeds is this bug's whole budget.
    let (table, met) = table_of(&[
        "bugs/B5-lock-order-inversion",
        "--strategy",
        "fifo",
        "--seeds",
        "16",
    ]);
    assert!(!met);
    assert!(
        table.contains(
            "bugs/B5-lock-order-inversion => ESCAPED: no strategy found this planted bug"
        ),
        "{table}"
    );
    assert!(table.contains("verdict: NOT as expected for bugs/B5-lock-order-inversion"));
    // With fewer seeds than its budget, not finding it is inconclusive, not a miss.
    let (table, met) = table_of(&[
        "bugs/B5-lock-order-inversion",
        "--strategy",
        "fifo",
        "--seeds",
        "4",
    ]);
    assert!(met, "{table}");
    assert!(table.contains("=> inconclusive"), "{table}");
}

fn table_of(args: &[&str]) -> (String, bool) {
    table(&cli(args))
}

#[test]
fn a_correct_program_that_fails_is_judged_wrong() {
    let gather = find("guide/gather").unwrap();
    assert_eq!(gather.expect, Expect::Passes);
    let mut row = scenarios::explore::sweep(&gather, "random", &sim::Strategy::random(), 2);
    assert_eq!(
        judge(&gather, std::slice::from_ref(&row), 2),
        Judgement::Passed
    );
    // The same row as if the sweep had failed.
    let bug = find("bugs/B1-lost-update-await").unwrap();
    let found = scenarios::explore::sweep(&bug, "random", &sim::Strategy::random(), 16);
    row.failure = found.failure.clone();
    assert!(row.failure.is_some());
    let j = judge(&gather, &[row], 2);
    assert_eq!(j, Judgement::WronglyFailed);
    assert!(!j.met());
    assert_eq!(judge(&bug, &[found], 16), Judgement::Found);
}

/// The full tokens of a run of B1, from its tokens file.
fn b1_replay_lines() -> Vec<String> {
    let file = TempFile::new("tokens.txt");
    let path = file.0.to_str().unwrap().to_string();
    let cli = cli(&[
        "bugs/B1-lost-update-await",
        "--seeds",
        "16",
        "--tokens-file",
        &path,
    ]);
    let (table, _) = table(&cli);
    assert!(table.contains(&format!("the replay lines with full tokens are in {path}")));
    std::fs::read_to_string(&file.0)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn tokens_are_short_on_screen_and_whole_in_the_tokens_file_or_on_request() {
    let lines = b1_replay_lines();
    assert!(!lines.is_empty());
    for l in &lines {
        let token = l
            .strip_prefix("cargo explore bugs/B1-lost-update-await --replay ")
            .unwrap_or_else(|| panic!("not a replay line: {l}"));
        Token::parse(token).expect("a whole token");
    }

    let (table, _) = table_of(&["bugs/B1-lost-update-await", "--seeds", "16"]);
    for l in &lines {
        let token = l.rsplit(' ').next().unwrap();
        assert!(!table.contains(token), "a whole token on screen");
        let short = short_token(token);
        assert_eq!(short.chars().count(), 17);
        assert!(table.contains(&short), "{short} not in\n{table}");
    }
    assert!(table.contains("--full-tokens prints the replay lines whole"));

    let (full, _) = table_of(&[
        "bugs/B1-lost-update-await",
        "--seeds",
        "16",
        "--full-tokens",
    ]);
    for l in &lines {
        assert!(full.contains(&format!("  {l}\n")), "{l} not printed");
    }
}

#[test]
fn replay_prints_the_report_with_a_cargo_explore_line() {
    let line = b1_replay_lines().remove(0);
    let token = line.rsplit(' ').next().unwrap();
    let mut out = Vec::new();
    let failed = replay(&cli(&["bugs/B1-lost-update-await"]), token, &mut out).unwrap();
    assert!(failed, "the replay reproduces the failure");
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("error: seedloop: "), "{text}");
    assert!(text.contains("lost update"));
    assert!(
        text.contains(&format!("note: to replay it, run:\n      {line}\n")),
        "{text}"
    );
    assert!(!text.contains("cargo test"), "{text}");
    assert!(text.contains("\nfull trace:\n"));

    // With no filter, the token says which scenario found it.
    let mut again = Vec::new();
    assert!(replay(&cli(&[]), token, &mut again).unwrap());
    assert_eq!(String::from_utf8(again).unwrap(), text);

    // In another scenario, the error names the one that found it.
    let err = replay(&cli(&["guide/gather"]), token, &mut Vec::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "--replay: this token was found in bugs/B1-lost-update-await, not guide/gather: {line}"
        )
    );
}

#[test]
fn a_token_that_no_longer_fits_points_at_cargo_explore() {
    // A token from no scenario: its decisions do not fit guide/gather, so the run diverges.
    let token = Token {
        seed: 7,
        strategy: "random".into(),
        schedules_run: 3,
        preemptions_before: 1,
        test: 0,
        options: sim::RunOptions::default(),
        schedule: Schedule::from(vec![
            Decision::Run {
                task: TaskId::from_u64(2),
                of: 2,
            },
            Decision::Value {
                value: 42,
                bound: 100,
            },
        ]),
    }
    .encode();
    let mut out = Vec::new();
    assert!(replay(&cli(&["guide/gather"]), &token, &mut out).unwrap());
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("diverge"), "{text}");
    assert!(
        text.contains("note: to find a fresh failing schedule, run the sweep again:\n      cargo explore guide/gather\n"),
        "{text}"
    );
    assert!(!text.contains("cargo test"), "{text}");

    let err = replay(&cli(&[]), &token, &mut Vec::new()).unwrap_err();
    assert!(
        err.to_string()
            .contains("cargo explore <scenario> --replay <token>")
    );
    let err = replay(&cli(&["guide"]), &token, &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("exactly one scenario"), "{err}");
    let err = replay(&cli(&["guide/gather"]), "sl2.nope", &mut Vec::new()).unwrap_err();
    assert!(err.to_string().starts_with("--replay: "), "{err}");
}
