//! Outputs the book quotes from commands too slow for a doctest (`cargo explore` builds in
//! release) are recomputed here, the way the command computes them, and compared with the
//! quoted text, so the book cannot drift from the program.

use seedloop::Strategy;
use seedloop::{Check, Env};

const REAL_WORLD: &str = include_str!("../src/real-world.md");

/// The quoted `cargo explore rate-limiter --seeds 16` table: (scenario, strategy, runs,
/// distinct, verdict, 1st fail, preempt, failure) per row.
fn quoted_rows() -> Vec<Vec<String>> {
    let table = REAL_WORLD
        .split("```text\n")
        .find(|block| block.starts_with("scenario "))
        .expect("the chapter quotes an explore table");
    table
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let mut cols: Vec<String> = l.split_whitespace().take(7).map(str::to_string).collect();
            let failure = l
                .split_once("  rate limit")
                .map(|(_, m)| format!("rate limit{m}"));
            cols.push(failure.unwrap_or_default());
            cols
        })
        .collect()
}

fn strategy(name: &str) -> Strategy {
    seedloop::parse_strategy(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_quoted_explore_table_is_what_explore_computes() {
    let rows = quoted_rows();
    assert_eq!(rows.len(), 8, "{rows:?}");
    for row in rows {
        let scenario = scenarios::find(&row[0]).unwrap_or_else(|| panic!("no scenario {}", row[0]));
        let strategy = strategy(&row[1]);
        let seeds = if strategy.is_fifo() { 1 } else { 16 };
        let run = scenario.run;
        let outcome = Check::new()
            .seeds(seeds)
            .strategy(strategy)
            .env(Env::empty())
            .no_regressions()
            .test_name(scenario.name)
            .explore(run);
        let (verdict, first, preempt, failure) = match &outcome.report {
            Some(r) => {
                let s = outcome.shrunk.as_ref().expect("a failure is shrunk");
                let message = r.failure.message.trim_matches('"').to_string();
                (
                    "FAIL".to_string(),
                    outcome
                        .schedules_to_first_failure
                        .unwrap_or_default()
                        .to_string(),
                    format!("{}->{}", s.before.preemptions, s.after.preemptions),
                    message,
                )
            }
            None => (
                "pass".to_string(),
                "-".to_string(),
                "-".to_string(),
                String::new(),
            ),
        };
        let computed = vec![
            row[0].clone(),
            row[1].clone(),
            outcome.schedules_run.to_string(),
            outcome.distinct_interleavings.to_string(),
            verdict,
            first,
            preempt,
            failure,
        ];
        assert_eq!(
            computed, row,
            "the book's explore row for {} under {}",
            row[0], row[1]
        );
    }
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
