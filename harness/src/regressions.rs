//! Regression files: failing tokens saved beside the test and re-run first.
//!
//! A failure found by a sweep is appended, as `<test name> <token>`, to
//! `<dir>/<test target>.txt`, where `<dir>` is `seedloop-regressions/` in the crate's directory
//! (`CARGO_MANIFEST_DIR`) unless [`crate::Check::regressions_dir`] or `SEEDLOOP_REGRESSIONS`
//! says otherwise. Every later `check` of that test replays the saved tokens before sweeping
//! seeds, so a bug found once by a lucky seed (or on another machine, or with more seeds) stays
//! found. Commit the files; delete a line once its bug is fixed and tested some other way, or
//! keep it as a regression test: a token that no longer fits the program is skipped.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

const HEADER: &str = "\
# Failing executions seedloop found. Each `check` of the named test replays them before it
# sweeps new seeds. Commit this file so that everyone re-runs them.
# One `<test name> <replay token>` a line.
";

/// A regressions file.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("seedloop-doc-{}", std::process::id()));
/// let file = harness::regressions::Regressions::new(&dir, "my_tests");
/// assert!(file.tokens("adds").is_empty());
/// file.save("adds", "sl1.abc.defghijk").unwrap();
/// file.save("adds", "sl1.abc.defghijk").unwrap(); // saved once
/// assert_eq!(file.tokens("adds"), ["sl1.abc.defghijk"]);
/// assert!(file.tokens("other").is_empty());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regressions {
    path: PathBuf,
}

impl Regressions {
    /// The file for test target `target` in `dir`.
    pub fn new(dir: &Path, target: &str) -> Regressions {
        let file: String = target
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Regressions {
            path: dir.join(format!("{file}.txt")),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tokens saved for `test`, oldest first (none if the file does not exist).
    pub fn tokens(&self, test: &str) -> Vec<String> {
        let Ok(text) = fs::read_to_string(&self.path) else {
            return Vec::new();
        };
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| {
                let (name, token) = l.trim().rsplit_once(' ')?;
                (name.trim() == test).then(|| token.to_string())
            })
            .collect()
    }

    /// Appends `token` for `test` unless it is already there.
    ///
    /// # Errors
    /// When the directory or file cannot be written.
    pub fn save(&self, test: &str, token: &str) -> std::io::Result<()> {
        if self.tokens(test).iter().any(|t| t == token) {
            return Ok(());
        }
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        let new = !self.path.exists();
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        if new {
            f.write_all(HEADER.as_bytes())?;
        }
        writeln!(f, "{test} {token}")
    }
}
