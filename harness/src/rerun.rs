//! Before a sweep: the token of `SEEDLOOP_REPLAY`, and the tokens saved in the test's
//! regressions file, replayed first; every line that cannot be used is named with its reason.

use std::future::Future;

use crate::check::Outcome;
use crate::context::TestContext;
use crate::origin::Origin;
use crate::regressions::Regressions;
use crate::replay::{Replayed, nondeterminism_text, replay_parsed};
use crate::report::Report;
use crate::sweep::TestOutput;
use crate::token::{Token, test_name_hash};

/// Prints `line` and keeps it in the outcome's notes.
pub(crate) fn note(notes: &mut Vec<String>, line: String) {
    eprintln!("{line}");
    notes.push(line);
}

/// Prints `line` past libtest's output capture (which takes only what `print!` and `eprint!`
/// write), and keeps it in the outcome's notes: for what a passing test must show as it runs,
/// the progress of a long sweep and the regressions switched off.
pub(crate) fn note_now(notes: &mut Vec<String>, line: String) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
    notes.push(line);
}

/// What replaying the saved tokens gave.
pub(crate) enum Rerun {
    /// None fails (or there are none): sweep as usual.
    Clean,
    /// One still fails: its report.
    Failed(Box<Report>),
    /// One ran differently twice: the failure it found cannot be trusted to replay.
    Nondeterministic(String),
}

/// Replays the saved tokens of the test, first to last, until one fails. Every line it cannot
/// use is named with its line and the reason.
pub(crate) fn rerun_regressions<F, Fut>(
    regressions: Option<&Regressions>,
    body: &F,
    context: &TestContext,
    notes: &mut Vec<String>,
) -> Rerun
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    let (Some(reg), Some(name)) = (regressions, context.check_name()) else {
        return Rerun::Clean;
    };
    let entries = reg.read(name);
    for line in entries.skipped {
        note(notes, format!("seedloop: {line}"));
    }
    for saved in entries.saved {
        let at = format!("{}:{}", reg.path().display(), saved.line);
        let token = match Token::parse(&saved.token) {
            Ok(t) => t,
            Err(e) => {
                note(
                    notes,
                    format!("seedloop: {at}: skipping an unreadable token for `{name}`: {e}"),
                );
                continue;
            }
        };
        if token.recorded_by_another(name) {
            note(
                notes,
                format!(
                    "seedloop: {at}: the token saved for `{name}` was recorded by another test; \
                     replaying it under `{name}`"
                ),
            );
        }
        match replay_parsed(token, body, context.clone()) {
            Replayed::Failed(r) if r.failure.kind.is_diverged() => note(
                notes,
                format!(
                    "seedloop: {at}: a saved token for `{name}` no longer fits the program ({}); \
                     skipping it (delete the line, or re-run the sweep to find a fresh one)",
                    r.failure.message
                ),
            ),
            Replayed::Failed(mut r) => {
                r.origin = Origin::Regressions {
                    path: reg.path().to_path_buf(),
                    line: saved.line,
                };
                return Rerun::Failed(r);
            }
            Replayed::Nondeterministic(n) => {
                return Rerun::Nondeterministic(nondeterminism_text(
                    &format!("the token saved for `{name}` at {at} ({})", saved.token),
                    None,
                    &n,
                ));
            }
            Replayed::Passed => {}
        }
    }
    Rerun::Clean
}

/// The `SEEDLOOP_REPLAY` path; `Err` with the line to print when the token belongs to another
/// test (a whole suite runs with the variable set; only the test that found it replays it).
pub(crate) fn replay_outcome<F, Fut>(
    token: &str,
    body: &F,
    context: TestContext,
) -> Result<Outcome, String>
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    let parsed = Token::parse(token)
        .unwrap_or_else(|e| panic!("seedloop: SEEDLOOP_REPLAY={token:?} cannot be used: {e}"));
    match context.check_name() {
        Some(name) if parsed.test != 0 && parsed.test != test_name_hash(name) => {
            return Err(format!(
                "seedloop: SEEDLOOP_REPLAY holds a token of another test; `{name}` sweeps its \
                 seeds as usual"
            ));
        }
        // A check that cannot name itself (a doctest, a `main` thread) must not adopt another
        // test's token: with `SEEDLOOP_REPLAY` set for one test, every nameless check in the
        // same `cargo test` run would otherwise replay it.
        None if parsed.test != 0 => {
            return Err(
                "seedloop: SEEDLOOP_REPLAY holds a token of a named test, and this check has no \
                 test name; it sweeps its seeds as usual (set Check::test_name to replay here)"
                    .to_string(),
            );
        }
        _ => {}
    }
    let mut out = Outcome {
        schedules_run: 1,
        seeds_run: vec![parsed.seed],
        ..Outcome::default()
    };
    match replay_parsed(parsed, body, context) {
        Replayed::Passed => {}
        Replayed::Failed(mut r) => {
            r.origin = Origin::ReplayVariable;
            out.failures = 1;
            out.schedules_to_first_failure = Some(1);
            out.failing_seed = Some(r.token.seed);
            out.report = Some(r);
        }
        Replayed::Nondeterministic(n) => {
            out.failures = 1;
            out.nondeterminism = Some(nondeterminism_text("the replay token", None, &n));
        }
    }
    out.distinct_interleavings = 1;
    Ok(out)
}
