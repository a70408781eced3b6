//! What a failure report tells a newcomer: where the failure came from, the whole trace on
//! request, every task with its spawn site, what the schedule's words mean, a replay line that
//! runs exactly one test (a table-driven test's row included), and a word when regressions are
//! off because cargo did not run the binary.

use std::cell::Cell;
use std::rc::Rc;

use harness::{Check, Env, Origin, TAIL_EVENTS, test_name_hash};

use crate::child;
use crate::common::lost_update;

/// The lines of `counter`'s two spawns, as its report names them.
const LOGGER_LINE: u32 = line!() + 7;
const WORKERS_LINE: u32 = line!() + 10;

/// Four workers, each with three preemption points before and after a read-modify-write, and
/// a logger task that neither panics nor blocks: a lost update with a long trace.
async fn counter(workers: usize) {
    let hits = Rc::new(Cell::new(0));
    let logger = sim::spawn_named("logger", async { sim::log!("started") });
    let handles: Vec<_> = (0..workers)
        .map(|i| {
            let hits = hits.clone();
            sim::spawn_named(format!("w{i}"), async move {
                for _ in 0..3 {
                    sim::task::maybe_yield().await;
                }
                let read = hits.get();
                sim::task::maybe_yield().await;
                hits.set(read + 1);
            })
        })
        .collect();
    logger.await.unwrap();
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(hits.get(), workers, "lost update");
}

fn check(env: Env) -> Check {
    Check::new().seeds(64).no_regressions().env(env)
}

#[test]
fn the_report_prints_the_last_events_and_says_how_to_see_them_all() {
    let report = check(Env::empty())
        .explore(|| counter(4))
        .report
        .expect("a seed loses an update");
    let all = report.trace.events().len();
    assert!(all > TAIL_EVENTS);
    let text = report.to_string();
    let head = format!(
        "\nnote: the last {TAIL_EVENTS} of {all} trace events (SEEDLOOP_TRACE=full prints them all):\n"
    );
    assert!(text.contains(&head), "{text}");
    assert_eq!(
        text.split(&head).nth(1).unwrap().lines().count(),
        TAIL_EVENTS + 2
    ); // + left/right
}

#[test]
fn seedloop_trace_full_prints_the_whole_trace() {
    let report = check(Env::empty().with("SEEDLOOP_TRACE", "full"))
        .explore(|| counter(4))
        .report
        .expect("a seed loses an update");
    let text = report.to_string();
    let all = report.trace.events().len();
    let head = format!("\nnote: the whole trace, {all} events (SEEDLOOP_TRACE=full):\n");
    let (_, printed) = text.split_once(&head).unwrap_or_else(|| panic!("{text}"));
    let expected: Vec<String> = report
        .trace
        .events()
        .iter()
        .map(|e| report.trace.render(e))
        .collect();
    // The last event is the panic, whose message goes on over indented lines.
    let printed: Vec<&str> = printed.lines().map(str::trim).collect();
    assert_eq!(
        printed[..all - 1],
        expected[..all - 1]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert!(report.full_trace);

    // A replay from SEEDLOOP_REPLAY prints it whole too.
    let replayed = check(
        Env::empty()
            .with("SEEDLOOP_TRACE", "full")
            .with("SEEDLOOP_REPLAY", report.token_text.clone()),
    )
    .explore(|| counter(4));
    assert!(replayed.report.unwrap().to_string().contains(&head));
}

#[test]
fn a_bad_seedloop_trace_value_is_refused_before_anything_runs() {
    let ran = Cell::new(false);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check(Env::empty().with("SEEDLOOP_TRACE", "all")).explore(|| {
            ran.set(true);
            async {}
        })
    }))
    .unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert_eq!(
        msg,
        "seedloop: SEEDLOOP_TRACE=\"all\" is not valid: expected `full` (print the whole trace \
         in the report) or `tail` (the last events, the default)"
    );
    assert!(!ran.get());
}

#[test]
fn without_shrinking_the_report_says_not_shrunk() {
    let report = check(Env::empty().with("SEEDLOOP_NO_SHRINK", "1"))
        .explore(|| counter(4))
        .report
        .unwrap();
    let text = report.to_string();
    let n = report.preemptions();
    assert!(n > 1, "as found, several preemptions");
    assert!(
        text.contains(&format!(
            "\nnote: not shrunk (SEEDLOOP_NO_SHRINK=1): {n} preemptions ({} decisions): at t=0s",
            report.token.schedule.len()
        )),
        "{text}"
    );
    assert!(!text.contains("shrunk from"), "{text}");
    assert_eq!(
        report.origin,
        Origin::Found {
            not_shrunk: Some("SEEDLOOP_NO_SHRINK=1".into())
        }
    );
}

#[test]
fn the_counterexample_names_every_task_with_its_spawn_site() {
    let report = check(Env::empty()).explore(|| counter(2)).report.unwrap();
    let text = report.to_string();
    let tasks = text
        .lines()
        .find(|l| l.starts_with("note: tasks: "))
        .unwrap_or_else(|| panic!("no tasks line in:\n{text}"));
    let file = "tests/tests/checks/harness_reports.rs";
    // The logger neither panicked nor blocked, and it is named all the same.
    let logger = format!("logger#1 (spawned at {file}:{LOGGER_LINE})");
    let workers = format!("w0#2, w1#3 (spawned at {file}:{WORKERS_LINE})");
    assert_eq!(
        tasks,
        format!("note: tasks: main#0 (the test body); {logger}; {workers}")
    );
}

#[test]
fn the_schedule_is_followed_by_what_its_words_mean() {
    let text = check(Env::empty())
        .explore(|| counter(2))
        .report
        .unwrap()
        .to_string();
    let (_, after) = text
        .split_once("\nnote: schedule: ")
        .unwrap_or_else(|| panic!("{text}"));
    let legend = after.lines().nth(1).unwrap();
    assert_eq!(
        legend,
        "      (rT/N: run task T, one of N runnable; pT/N: at a preemption point, switch to task \
         T; p-/N: keep running)"
    );
}

/// A table-driven test: one libtest test, a check per row, each named with `test_name`.
fn table(rows: &[(&str, usize)]) -> Vec<(String, harness::Outcome)> {
    rows.iter()
        .map(|&(row, workers)| {
            let out = Check::new()
                .seeds(64)
                .no_regressions()
                .test_name(row)
                .explore(move || lost_update(workers));
            (row.to_string(), out)
        })
        .collect()
}

const ROWS: [(&str, usize); 3] = [("one_worker", 1), ("two_workers", 2), ("three_workers", 3)];

#[test]
fn a_table_rows_replay_line_runs_the_table_and_replays_the_row() {
    const TEST: &str =
        "harness_reports::a_table_rows_replay_line_runs_the_table_and_replays_the_row";
    if child::role().as_deref() == Some("table") {
        // The pasted line, run: print what each row did.
        for (row, out) in table(&ROWS) {
            let how = match &out.report {
                Some(r) => format!("{:?}", r.origin),
                None => "passed".to_string(),
            };
            println!("row {row}: {} run(s), {how}", out.schedules_run);
        }
        return;
    }
    let outcomes = table(&ROWS);
    let (row, out) = outcomes
        .iter()
        .find(|(_, o)| !o.passed())
        .expect("a row with two workers loses an update");
    assert_eq!(row, "two_workers");
    let report = out.report.as_ref().unwrap();
    // The filter is the libtest test; the token names the row.
    assert_eq!(
        report.replay_line(),
        format!(
            "SEEDLOOP_REPLAY={} cargo test -p seedloop-tests --test checks -- {TEST} --exact",
            report.token_text
        )
    );
    assert_eq!(report.token.test, test_name_hash("two_workers"));

    // Run the line's filter, as cargo would, with its token: one test runs, the failing row
    // replays, the others sweep as usual.
    let run = child::run(
        TEST,
        "table",
        &[
            ("SEEDLOOP_REPLAY", report.token_text.as_str()),
            ("SEEDLOOP_REGRESSIONS", "off"),
        ],
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("running 1 test"), "{stdout}");
    assert!(
        stdout.contains("row one_worker: 64 run(s), passed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("row two_workers: 1 run(s), ReplayVariable"),
        "{stdout}"
    );
    assert!(stdout.contains("row three_workers: "), "{stdout}");
}

#[test]
fn regressions_off_outside_cargo_is_said_once() {
    const TEST: &str = "harness_reports::regressions_off_outside_cargo_is_said_once";
    if child::role().as_deref() == Some("direct") {
        for _ in 0..3 {
            let out = Check::new().seeds(2).explore(|| async {});
            assert!(out.passed());
        }
        return;
    }
    // The binary run directly: no CARGO_MANIFEST_DIR.
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    // Without --nocapture: the line passes libtest's capture of a passing test's output.
    cmd.args([TEST, "--exact", "--test-threads=1"])
        .env("CHECKS_CHILD_ROLE", "direct")
        .env_remove("CARGO_MANIFEST_DIR");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SEEDLOOP_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd.output().unwrap();
    let stderr = child::stderr(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr
            .matches("seedloop: regressions files are off")
            .count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "CARGO_MANIFEST_DIR is not set (the test binary was run directly, not by `cargo \
             test`), so failing tokens are neither saved nor replayed first. Run the tests with \
             `cargo test`, or set SEEDLOOP_REGRESSIONS"
        ),
        "{stderr}"
    );

    // Run by cargo (as this process is), nothing is said.
    let quiet = child::run(TEST, "direct", &[]);
    assert!(quiet.status.success());
    assert!(
        !child::stderr(&quiet).contains("regressions files are off"),
        "{}",
        child::stderr(&quiet)
    );
}

#[test]
fn a_long_sweep_shows_its_progress_past_the_output_capture() {
    const TEST: &str = "harness_reports::a_long_sweep_shows_its_progress_past_the_output_capture";
    let sweep = || {
        Check::new()
            .seeds(5)
            .no_regressions()
            .progress_after(std::time::Duration::ZERO)
            .explore(|| async {})
    };
    if child::role().as_deref() == Some("progress") {
        assert!(sweep().passed());
        return;
    }
    let out = sweep();
    let who = format!("seedloop: `{TEST}`:");
    assert!(
        out.notes[0].starts_with(&format!("{who} 0 of 5 seeds (0%) in ")),
        "{:?}",
        out.notes
    );
    assert!(out.notes[0].ends_with(" seeds/s, 0 failures so far (strategy random)"));
    let last = out.notes.last().unwrap();
    assert!(
        last.starts_with(&format!("{who} swept 5 seeds in ")),
        "{last}"
    );
    assert!(last.ends_with(" seeds/s, 0 failures"), "{last}");

    // A passing test's output is captured by libtest; the progress is not.
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([TEST, "--exact", "--test-threads=1"])
        .env("CHECKS_CHILD_ROLE", "progress");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SEEDLOOP_") {
            cmd.env_remove(key);
        }
    }
    let run = cmd.output().unwrap();
    let stderr = child::stderr(&run);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("{who} 0 of 5 seeds (0%) in ")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{who} swept 5 seeds in ")),
        "{stderr}"
    );
}
