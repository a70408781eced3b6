//! `cargo explore <scenario> --replay <token>`: one failure again, with its report and full
//! trace, and replay hints that name this command rather than `cargo test`.

use std::io::{self, Write};

use harness::{Commands, Replayed, TestContext, Token, test_name_hash, try_replay};

use super::{Cli, body};
use crate::{Scenario, catalogue};

/// The line that replays a failure of `scenario` found by the main job.
///
/// ```
/// let line = scenarios::explore::replay_line("guide/gather", "sl2.abc");
/// assert_eq!(line, "cargo explore guide/gather --replay sl2.abc");
/// ```
pub fn replay_line(scenario: &str, token: &str) -> String {
    format!("cargo explore {scenario} --replay {token}")
}

/// Where a scenario's checks run, for their reports: `cargo explore` lines instead of `cargo
/// test` ones, which would name a test the main job does not have.
///
/// ```
/// let ctx = scenarios::explore::context("guide/gather");
/// assert_eq!(ctx.command(), "cargo explore guide/gather");
/// assert_eq!(ctx.replay_command("sl2.abc"), "cargo explore guide/gather --replay sl2.abc");
/// assert_eq!(ctx.check_name(), Some("guide/gather"));
/// ```
pub fn context(scenario: &str) -> TestContext {
    TestContext {
        name: Some(scenario.to_string()),
        commands: Some(Commands {
            sweep: format!("cargo explore {scenario}"),
            replay_prefix: replay_line(scenario, ""),
            replay_suffix: String::new(),
        }),
        ..TestContext::default()
    }
}

/// The scenario a token was found in, by the test-name hash the token records.
fn found_in(token: &Token) -> Option<Scenario> {
    catalogue()
        .into_iter()
        .find(|s| token.test != 0 && test_name_hash(s.name) == token.test)
}

/// Replays `token` in the scenario the filters select (or, with no filter, the one the token
/// was found in) and writes the report and full trace to `out`. Returns whether the replay
/// failed as reported (the main job then exits 1, as the failure still happens).
///
/// # Errors
/// A token that does not parse, a filter that does not select exactly one scenario, a token
/// found in another scenario (the message names it), or a write that fails.
pub fn replay(cli: &Cli, token: &str, out: &mut dyn Write) -> io::Result<bool> {
    let bad = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    let parsed = Token::parse(token).map_err(|e| bad(format!("--replay: {e}")))?;
    let origin = found_in(&parsed);
    let scenario = if cli.filters.is_empty() {
        origin.ok_or_else(|| {
            bad(
                "--replay: the token does not say which scenario found it; name the scenario: \
                 cargo explore <scenario> --replay <token>"
                    .to_string(),
            )
        })?
    } else {
        let chosen = cli.scenarios().map_err(bad)?;
        let [s] = chosen[..] else {
            return Err(bad(format!(
                "--replay needs a filter that selects exactly one scenario ({} match: {})",
                chosen.len(),
                chosen.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
            )));
        };
        if let Some(o) = origin.filter(|o| o.name != s.name) {
            return Err(bad(format!(
                "--replay: this token was found in {}, not {}: {}",
                o.name,
                s.name,
                replay_line(o.name, token)
            )));
        }
        s
    };
    let replayed = try_replay(token, &body(&scenario), context(scenario.name))
        .map_err(|e| bad(format!("--replay: {e}")))?;
    match replayed {
        Replayed::Passed => {
            writeln!(out, "{}: the replayed schedule passes now", scenario.name)?;
            Ok(false)
        }
        Replayed::Failed(report) => {
            writeln!(out, "{}\n\nfull trace:\n{}", report, report.trace)?;
            if let Some(path) = &cli.trace_json {
                std::fs::write(path, report.trace.to_chrome_json()).map_err(|e| {
                    io::Error::new(e.kind(), format!("could not write {}: {e}", path.display()))
                })?;
                writeln!(
                    out,
                    "wrote the run's Chrome trace-event JSON to {} (open it in Perfetto)",
                    path.display()
                )?;
            }
            Ok(true)
        }
        Replayed::Nondeterministic(n) => {
            writeln!(
                out,
                "{}: replaying twice gave different runs: {n:?}",
                scenario.name
            )?;
            Ok(true)
        }
    }
}
