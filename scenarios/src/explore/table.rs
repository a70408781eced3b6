//! The main job's table: a header, one row per sweep, a line per scenario whose verdict needs
//! one, and the footer with the replay hints and the overall verdict.

use sim::Strategy;

use super::{Cli, Found, Judgement, Row, SHORT_TOKEN, Summary};
use crate::{Expect, Scenario};

/// Column widths, fixed before the first row so that rows can stream.
pub(super) struct Layout {
    name: usize,
    strategy: usize,
}

const RESULT_W: usize = 6;
const EXPECT_W: usize = 8;
const VERDICT_W: usize = 16;
const TOKEN_W: usize = SHORT_TOKEN + 1;

impl Layout {
    pub(super) fn new(scenarios: &[Scenario], strategies: &[(String, Strategy)]) -> Layout {
        let widest = |it: &mut dyn Iterator<Item = usize>| it.max().unwrap_or(0).max(8);
        Layout {
            name: widest(&mut scenarios.iter().map(|s| s.name.len())),
            strategy: widest(&mut strategies.iter().map(|(label, _)| label.len())),
        }
    }

    pub(super) fn header(&self) -> String {
        let (nw, sw) = (self.name, self.strategy);
        format!(
            "{:<nw$} {:<sw$} {:>6} {:>8} {:<RESULT_W$} {:>8} {:>7}  {:<EXPECT_W$} {:<VERDICT_W$} \
             {:<TOKEN_W$}  failure",
            "scenario",
            "strategy",
            "runs",
            "distinct",
            "result",
            "1st fail",
            "preempt",
            "expected",
            "verdict",
            "token"
        )
    }

    pub(super) fn row(&self, r: &Row) -> String {
        let (nw, sw) = (self.name, self.strategy);
        let (result, first, preempt, token, what) = match &r.failure {
            Some(f) => (
                "FAIL",
                f.after.to_string(),
                match f.cancellations {
                    0 => format!("{}->{}", f.preemptions.0, f.preemptions.1),
                    c => format!("{}->{}+{c}c", f.preemptions.0, f.preemptions.1),
                },
                short_token(&f.token),
                f.what.lines().next().unwrap_or_default().to_string(),
            ),
            None => ("pass", "-".into(), "-".into(), "-".into(), String::new()),
        };
        let line = format!(
            "{:<nw$} {:<sw$} {:>6} {:>8} {:<RESULT_W$} {:>8} {:>7}  {:<EXPECT_W$} {:<VERDICT_W$} \
             {:<TOKEN_W$}  {what}",
            r.scenario.name,
            r.strategy,
            r.runs,
            r.distinct,
            result,
            first,
            preempt,
            expected(r.scenario.expect),
            row_verdict(r.scenario.expect, r.failure.as_ref()),
            token,
        );
        line.trim_end().to_string()
    }

    /// The scenario's own line, when its rows alone do not say it: a bug that escaped, or one
    /// not found in fewer seeds than its budget.
    pub(super) fn judgement(&self, s: &Scenario, j: Judgement, seeds: u64) -> Option<String> {
        let within = match s.expect {
            Expect::Caught { within } => within,
            Expect::Passes => 0,
        };
        let text = match j {
            Judgement::Passed | Judgement::Found => return None,
            Judgement::WronglyFailed => {
                "WRONG: a correct program failed (replay it below)".to_string()
            }
            Judgement::Escaped => format!(
                "ESCAPED: no strategy found this planted bug in {seeds} seeds (the catalogue \
                 expects it within {within})"
            ),
            Judgement::Inconclusive => format!(
                "inconclusive: not found, but only {seeds} seeds ran (its budget is {within})"
            ),
        };
        Some(format!("{:<nw$} => {text}", s.name, nw = self.name))
    }
}

/// The `expected` column: what the catalogue says the scenario does.
fn expected(e: Expect) -> String {
    match e {
        Expect::Passes => "pass".to_string(),
        Expect::Caught { within } => format!("bug<={within}"),
    }
}

/// The `verdict` column: a failure read against what was expected of it.
fn row_verdict(e: Expect, found: Option<&Found>) -> &'static str {
    match (e, found) {
        (Expect::Passes, None) => "ok",
        (Expect::Passes, Some(_)) => "WRONG",
        (Expect::Caught { .. }, Some(_)) => "found (expected)",
        // Not every strategy can find every bug (Fifo finds no race): the scenario's line says
        // whether the bug escaped all of them.
        (Expect::Caught { .. }, None) => "not by this one",
    }
}

/// A token as the table shows it: its first and last eight characters around an
/// ellipsis. The start says the format and the seed; the end is the token's checksum, which
/// tells apart tokens whose starts agree (the same seed and strategy in two scenarios).
///
/// ```
/// use scenarios::explore::short_token;
/// assert_eq!(short_token("sl2.aadheylomrxw2aia4pw5rbacqcw6ebaaaa.yz24dvfg"), "sl2.aadh…yz24dvfg");
/// assert_eq!(short_token("sl2.short"), "sl2.short");
/// ```
pub fn short_token(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    let half = SHORT_TOKEN / 2;
    if chars.len() <= SHORT_TOKEN + 1 {
        return token.to_string();
    }
    let head: String = chars[..half].iter().collect();
    let tail: String = chars[chars.len() - half..].iter().collect();
    format!("{head}…{tail}")
}

/// The replay hints and the overall verdict.
pub(super) fn footer(
    cli: &Cli,
    summary: &Summary,
    strategies: &[(String, Strategy)],
    replay_lines: &[String],
) -> String {
    let mut text = String::new();
    if !replay_lines.is_empty() {
        text.push_str(&format!(
            "\n{} found a failure; replay one, with its report and full trace:\n  \
             cargo explore <scenario> --replay <token>\n",
            plural(replay_lines.len(), "sweep")
        ));
        if cli.full_tokens {
            for l in replay_lines {
                text.push_str(&format!("  {l}\n"));
            }
        }
        match &cli.tokens_file {
            Some(path) => text.push_str(&format!(
                "the replay lines with full tokens are in {}\n",
                path.display()
            )),
            None if !cli.full_tokens => text.push_str(
                "tokens are shortened here: --full-tokens prints the replay lines whole, \
                 --tokens-file FILE writes them\n",
            ),
            None => {}
        }
    }
    let count = |j: Judgement| summary.judgements.iter().filter(|(_, x)| *x == j).count();
    let names: Vec<String> = strategies
        .iter()
        .map(|(label, s)| {
            if label == s.name() {
                label.clone()
            } else {
                format!("{label} = {}", s.name())
            }
        })
        .collect();
    text.push_str(&format!(
        "\n{} x {} ({}), {} each: {} passed, {} found, {} escaped, {} failed",
        plural(summary.judgements.len(), "scenario"),
        plural(strategies.len(), "strategy"),
        names.join(", "),
        plural(cli.seeds as usize, "seed"),
        plural(count(Judgement::Passed), "correct program"),
        plural(count(Judgement::Found), "planted bug"),
        count(Judgement::Escaped),
        plural(count(Judgement::WronglyFailed), "correct program"),
    ));
    if count(Judgement::Inconclusive) > 0 {
        text.push_str(&format!(
            ", {} inconclusive (fewer seeds than their budget)",
            count(Judgement::Inconclusive)
        ));
    }
    let mismatches = summary.mismatches();
    if mismatches.is_empty() {
        text.push_str("\nverdict: every scenario as expected");
    } else {
        text.push_str(&format!(
            "\nverdict: NOT as expected for {}",
            mismatches.join(", ")
        ));
    }
    text
}

/// `1 sweep`, `2 sweeps`, `3 strategies`.
fn plural(n: usize, what: &str) -> String {
    match (n, what.strip_suffix('y')) {
        (1, _) => format!("1 {what}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {what}s"),
    }
}
