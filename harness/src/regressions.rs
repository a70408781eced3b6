//! Regression files: failing tokens saved beside the test and re-run first.
//!
//! A failure found by a sweep is appended, as `<test name> <token>`, to
//! `<dir>/<test target>.txt`, where `<dir>` is `seedloop-regressions/` in the crate's directory
//! (`CARGO_MANIFEST_DIR`) unless [`crate::Check::regressions_dir`] or `SEEDLOOP_REGRESSIONS`
//! says otherwise. Every later `check` of that test replays the saved tokens before sweeping
//! seeds, so a bug found once by a lucky seed (or on another machine, or with more seeds) stays
//! found. Commit the files; delete a line once its bug is fixed and tested some other way, or
//! keep it as a regression test: a token that no longer fits the program is skipped, with a line
//! saying so.
//!
//! Saving is safe when test threads and processes (nextest runs one per test) save at once:
//! each save takes an exclusive lock on the file ([`std::fs::File::lock`]), reads it, and
//! appends its line (and the header, into a new file) with one write, unless the line is there
//! already. Reading takes a shared lock. So no token is lost, no line is torn and none is
//! written twice. A damaged file costs only its damaged lines: the file is read line by line,
//! and a line that is not UTF-8 text, or not `<test name> <token>`, is skipped and reported
//! with its line number and the reason ([`Regressions::read`]).

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::context::{Target, TestContext};
use crate::env::RegressionsSetting;
use crate::rerun::note_now;

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
/// file.save("adds", "sl2.abc.defghijk").unwrap();
/// file.save("adds", "sl2.abc.defghijk").unwrap(); // saved once
/// assert_eq!(file.tokens("adds"), ["sl2.abc.defghijk"]);
/// assert!(file.tokens("other").is_empty());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regressions {
    path: PathBuf,
}

/// A token saved for a test, and where.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("seedloop-doc-saved-{}", std::process::id()));
/// let file = harness::regressions::Regressions::new(&dir, "t");
/// file.save("adds", "sl2.one.aaaaaaaa").unwrap();
/// let saved = &file.read("adds").saved[0];
/// assert_eq!((saved.line, saved.token.as_str()), (4, "sl2.one.aaaaaaaa")); // after the header
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    /// Its line in the file, from 1.
    pub line: usize,
    /// The token's text (not checked: replaying parses it).
    pub token: String,
}

/// What a regressions file holds for one test.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("seedloop-doc-entries-{}", std::process::id()));
/// let file = harness::regressions::Regressions::new(&dir, "t");
/// assert_eq!(file.read("adds"), harness::regressions::Entries::default()); // no file yet
/// # let _ = std::fs::remove_dir_all(&dir);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entries {
    /// The test's tokens, oldest first.
    pub saved: Vec<Saved>,
    /// The lines that could not be read, as `<path>:<line>: <why>`.
    pub skipped: Vec<String>,
}

impl Regressions {
    /// The file for test target `target` in `dir`.
    ///
    /// ```
    /// use std::path::Path;
    /// let file = harness::regressions::Regressions::new(Path::new("seedloop-regressions"), "my tests");
    /// assert_eq!(file.path(), Path::new("seedloop-regressions/my_tests.txt"));
    /// ```
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
    ///
    /// ```
    /// let file = harness::regressions::Regressions::new(std::path::Path::new("dir"), "checks");
    /// assert!(file.path().ends_with("checks.txt"));
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tokens saved for `test`, oldest first (none if the file does not exist; unreadable
    /// lines are left out, see [`Regressions::read`]).
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("seedloop-doc-tokens-{}", std::process::id()));
    /// let file = harness::regressions::Regressions::new(&dir, "t");
    /// file.save("adds", "sl2.one.aaaaaaaa").unwrap();
    /// file.save("other", "sl2.two.aaaaaaaa").unwrap();
    /// assert_eq!(file.tokens("adds"), ["sl2.one.aaaaaaaa"]);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn tokens(&self, test: &str) -> Vec<String> {
        self.read(test).saved.into_iter().map(|s| s.token).collect()
    }

    /// The tokens saved for `test` with their lines, and every line of the file that could not
    /// be read, with why.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("seedloop-doc-read-{}", std::process::id()));
    /// let file = harness::regressions::Regressions::new(&dir, "t");
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(file.path(), b"adds sl2.a.b\nadds \xff\n").unwrap();
    /// let entries = file.read("adds");
    /// assert_eq!(entries.saved[0].token, "sl2.a.b");
    /// assert!(entries.skipped[0].ends_with("t.txt:2: skipping a line that is not UTF-8 text (byte 0xff at column 6)"));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn read(&self, test: &str) -> Entries {
        let bytes = match self.read_bytes() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Entries::default(),
            Err(e) => {
                return Entries {
                    saved: Vec::new(),
                    skipped: vec![format!("{}: cannot be read: {e}", self.path.display())],
                };
            }
        };
        let mut out = Entries::default();
        for line in parse(&bytes) {
            match line.content {
                Content::Entry { test: t, token } if t == test => out.saved.push(Saved {
                    line: line.number,
                    token: token.to_string(),
                }),
                Content::Entry { .. } | Content::Blank => {}
                Content::Bad(why) => {
                    out.skipped
                        .push(format!("{}:{}: {why}", self.path.display(), line.number))
                }
            }
        }
        out
    }

    fn read_bytes(&self) -> io::Result<Vec<u8>> {
        let mut f = fs::File::open(&self.path)?;
        lock(&f, false)?;
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Appends `token` for `test` unless it is already there (safe with other threads and
    /// processes saving at the same time: see the module documentation).
    ///
    /// # Errors
    /// When the directory or file cannot be written or locked.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("seedloop-doc-save-{}", std::process::id()));
    /// let file = harness::regressions::Regressions::new(&dir, "t");
    /// file.save("adds", "sl2.one.aaaaaaaa").unwrap();
    /// file.save("adds", "sl2.one.aaaaaaaa").unwrap(); // already there: not appended again
    /// assert_eq!(file.tokens("adds").len(), 1);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn save(&self, test: &str, token: &str) -> io::Result<()> {
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        let mut f = fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.path)?;
        lock(&f, true)?;
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes)?;
        let there = parse(&bytes).any(|l| {
            matches!(l.content, Content::Entry { test: t, token: k } if t == test && k == token)
        });
        if there {
            return Ok(());
        }
        let mut text = String::new();
        if bytes.is_empty() {
            text.push_str(HEADER);
        } else if !bytes.ends_with(b"\n") {
            text.push('\n');
        }
        text.push_str(&format!("{test} {token}\n"));
        // One write under the lock: a reader never sees half a line.
        f.write_all(text.as_bytes())
    }
}

/// The regressions file of a check: `SEEDLOOP_REGRESSIONS` wins, then the check's own
/// directory, then `<crate>/seedloop-regressions/` with the crate's directory from
/// `CARGO_MANIFEST_DIR`. Without it (the test binary was run directly, not by cargo) there is
/// none, and the first check of the process says so.
pub(crate) fn file_for(
    setting: RegressionsSetting,
    dir: Option<&Path>,
    context: &TestContext,
    notes: &mut Vec<String>,
) -> Option<Regressions> {
    let dir = match setting {
        RegressionsSetting::Off => return None,
        RegressionsSetting::Dir(d) => d,
        RegressionsSetting::Unset => match dir {
            Some(d) => d.to_path_buf(),
            None => match std::env::var_os("CARGO_MANIFEST_DIR") {
                Some(crate_dir) => PathBuf::from(crate_dir).join("seedloop-regressions"),
                None => {
                    if !OFF_SAID.swap(true, Ordering::Relaxed) {
                        note_now(notes, OFF.to_string());
                    }
                    return None;
                }
            },
        },
    };
    let file = context
        .target
        .as_ref()
        .map_or_else(|| "lib".to_string(), Target::file_stem);
    Some(Regressions::new(&dir, &file))
}

/// Said once per process: a test binary run directly has no `CARGO_MANIFEST_DIR`.
static OFF_SAID: AtomicBool = AtomicBool::new(false);

/// Why regressions are off, and what to do.
const OFF: &str = "seedloop: regressions files are off in this process: CARGO_MANIFEST_DIR is \
     not set (the test binary was run directly, not by `cargo test`), so failing tokens are \
     neither saved nor replayed first. Run the tests with `cargo test`, or set \
     SEEDLOOP_REGRESSIONS to the directory to use (the crate's `seedloop-regressions`), or to \
     `off` to silence this line";

/// Takes a lock on `f` until it is closed; where the platform has no file locks, goes on
/// without (saving is then only as safe as an append).
fn lock(f: &fs::File, exclusive: bool) -> io::Result<()> {
    let locked = if exclusive { f.lock() } else { f.lock_shared() };
    match locked {
        Err(e) if e.kind() == io::ErrorKind::Unsupported => Ok(()),
        other => other,
    }
}

struct Line<'a> {
    number: usize,
    content: Content<'a>,
}

enum Content<'a> {
    Entry { test: &'a str, token: &'a str },
    Blank,
    Bad(String),
}

/// The file's lines, numbered from 1; each read on its own, so one bad line spoils nothing else.
fn parse(bytes: &[u8]) -> impl Iterator<Item = Line<'_>> {
    bytes.split(|b| *b == b'\n').enumerate().map(|(i, raw)| {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let content = match std::str::from_utf8(raw) {
            Err(e) => {
                let at = e.valid_up_to();
                Content::Bad(format!(
                    "skipping a line that is not UTF-8 text (byte {:#04x} at column {})",
                    raw[at],
                    at + 1
                ))
            }
            Ok(text) => {
                let text = text.trim();
                if text.is_empty() || text.starts_with('#') {
                    Content::Blank
                } else {
                    match text.rsplit_once(' ') {
                        Some((test, token)) => Content::Entry {
                            test: test.trim(),
                            token,
                        },
                        None => Content::Bad(format!(
                            "skipping {text:?}: a line is `<test name> <replay token>`"
                        )),
                    }
                }
            }
        };
        Line {
            number: i + 1,
            content,
        }
    })
}
