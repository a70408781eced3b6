//! Where a reported failure came from: found by this sweep, or replayed from a token (the
//! `SEEDLOOP_REPLAY` variable, a regressions file, a call to [`crate::replay`]). The report
//! says which, so a replayed failure never reads as a fresh find, and a schedule reported as
//! found is never called shrunk when shrinking was off.

use std::path::{Path, PathBuf};

use crate::token::Token;

/// Where a reported failure came from.
///
/// ```
/// let outcome = harness::Check::new().seeds(8).no_regressions().shrink(false).explore(|| async {
///     assert!(sim::spawn(async { 1 }).await.unwrap() == 2, "wrong sum");
/// });
/// let report = outcome.report.unwrap();
/// assert_eq!(report.origin, harness::Origin::Found { not_shrunk: Some("Check::shrink(false)".into()) });
/// assert!(report.to_string().contains("\nnote: not shrunk (Check::shrink(false)): 0 preemptions"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Found by the sweep that reports it.
    Found {
        /// Why the schedule was not shrunk (`SEEDLOOP_NO_SHRINK=1`, `Check::shrink(false)`);
        /// `None` when it was.
        not_shrunk: Option<String>,
    },
    /// Replayed from the token in `SEEDLOOP_REPLAY`.
    ReplayVariable,
    /// Replayed from a token saved in a regressions file.
    Regressions {
        /// The file.
        path: PathBuf,
        /// The token's line in it, from 1.
        line: usize,
    },
    /// Replayed from a token given to [`crate::replay`] or [`crate::try_replay`].
    Token,
}

impl Origin {
    /// `note: found with seed 2 (strategy random) after 3 schedules`, or where the replayed
    /// token came from and how it was found.
    pub(crate) fn line(&self, token: &Token) -> String {
        let found = if token.schedules_run > 0 {
            format!(
                "found with seed {} (strategy {}) after {}",
                token.seed,
                token.strategy,
                plural(token.schedules_run, "schedule")
            )
        } else {
            format!(
                "found with seed {} (strategy {})",
                token.seed, token.strategy
            )
        };
        match self {
            Origin::Found { .. } => format!("note: {found}"),
            Origin::ReplayVariable => {
                format!("note: replayed from SEEDLOOP_REPLAY; the token was {found}")
            }
            Origin::Regressions { path, line } => format!(
                "note: replayed from the regressions file {}:{line}; the token was {found}",
                shown(path).display()
            ),
            Origin::Token => format!("note: replayed from a token; it was {found}"),
        }
    }

    /// `shrunk from 3 preemptions to 1 (14 decisions)`, `not shrunk (why): 3 preemptions (14
    /// decisions)`, or for a replay that cannot know whether its schedule was shrunk, what the
    /// token says.
    pub(crate) fn shrink_words(&self, token: &Token) -> String {
        let after = token.schedule.preemptions() as u64;
        let decisions = plural(token.schedule.len() as u64, "decision");
        match self {
            Origin::Found { not_shrunk: None } => format!(
                "shrunk from {} to {after} ({decisions})",
                plural(token.preemptions_before, "preemption")
            ),
            Origin::Found {
                not_shrunk: Some(why),
            } => format!(
                "not shrunk ({why}): {} ({decisions})",
                plural(after, "preemption")
            ),
            _ if token.preemptions_before > after => format!(
                "shrunk from {} to {after} ({decisions})",
                plural(token.preemptions_before, "preemption")
            ),
            _ => format!("{} ({decisions})", plural(after, "preemption")),
        }
    }
}

/// `path` relative to the current directory when it is under it (cargo runs tests in the
/// package's directory, where `seedloop-regressions/` is), else as it is.
fn shown(path: &Path) -> &Path {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path)
}

pub(crate) fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
