//! Where a check runs, for the commands a report prints: the line that replays a token and the
//! line that runs the sweep again. Each must select exactly one test: a pasted line that runs no
//! test passes in silence, which is worse than no line at all.

use std::panic::Location;
use std::path::{Component, Path};

/// The cargo target a test is compiled into: what `cargo test` needs to build and run only it.
///
/// ```
/// let context = harness::TestContext {
///     package: Some("bank".into()),
///     target: Some(harness::Target::Test("transfers".into())),
///     name: Some("deposits_add_up".into()),
///     ..Default::default()
/// };
/// assert_eq!(context.command(), "cargo test -p bank --test transfers -- deposits_add_up --exact");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The library's unit tests (`--lib`).
    Lib,
    /// An integration test (`--test <name>`): `tests/<name>.rs` or `tests/<name>/main.rs`.
    Test(String),
    /// A binary's unit tests (`--bin <name>`).
    Bin(String),
}

impl Target {
    /// The `cargo test` argument that selects the target.
    ///
    /// ```
    /// use harness::Target;
    /// assert_eq!(Target::Lib.cargo_arg(), "--lib");
    /// assert_eq!(Target::Test("bank".into()).cargo_arg(), "--test bank");
    /// assert_eq!(Target::Bin("server".into()).cargo_arg(), "--bin server");
    /// ```
    pub fn cargo_arg(&self) -> String {
        match self {
            Target::Lib => "--lib".to_string(),
            Target::Test(t) => format!("--test {t}"),
            Target::Bin(b) => format!("--bin {b}"),
        }
    }

    /// The name of the target's regressions file (without `.txt`).
    pub(crate) fn file_stem(&self) -> String {
        match self {
            Target::Lib => "lib".to_string(),
            Target::Test(t) => t.clone(),
            Target::Bin(b) => format!("bin-{b}"),
        }
    }
}

/// The commands a tool prints instead of `cargo test` ones (`cargo explore` prints `cargo
/// explore <scenario> --replay <token>`): a replay line is `replay_prefix`, the token, then
/// `replay_suffix`.
///
/// ```
/// let commands = harness::Commands {
///     sweep: "cargo explore guide/gather".into(),
///     replay_prefix: "cargo explore guide/gather --replay ".into(),
///     replay_suffix: String::new(),
/// };
/// let ctx = harness::TestContext { commands: Some(commands), ..Default::default() };
/// assert_eq!(ctx.command(), "cargo explore guide/gather");
/// assert_eq!(ctx.replay_command("sl2.abc"), "cargo explore guide/gather --replay sl2.abc");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Commands {
    /// The command that runs the sweep again.
    pub sweep: String,
    /// What comes before the token in the replay line.
    pub replay_prefix: String,
    /// What comes after the token in the replay line.
    pub replay_suffix: String,
}

/// Where the test is, for the lines to paste.
///
/// `name` is the test as libtest knows it (the filter of the printed line); `case` is the name
/// the check was given with [`crate::Check::test_name`] when that differs (a row of a
/// table-driven test): the token and the regressions file are keyed by it, so that of the rows
/// one test runs, only the row that failed replays the token.
///
/// ```
/// // A row of a table-driven test: the line runs the test, the token belongs to the row.
/// let row = harness::TestContext {
///     name: Some("limits".into()),
///     case: Some("limits/zero".into()),
///     ..Default::default()
/// };
/// assert_eq!(row.check_name(), Some("limits/zero"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestContext {
    /// The cargo package (`-p`).
    pub package: Option<String>,
    /// The test target, when known.
    pub target: Option<Target>,
    /// The test's name as libtest knows it (`module::name`).
    pub name: Option<String>,
    /// The check's own name, when it differs from the test's (see above).
    pub case: Option<String>,
    /// Commands to print instead of `cargo test` ones.
    pub commands: Option<Commands>,
    /// Environment assignments printed before `cargo`, for a test that runs as reported only
    /// when built with them (`RUSTFLAGS="--cfg seedloop"` for `seedloop-tokio`'s tests).
    pub env: Vec<String>,
    /// Options of `cargo test` the test was built with (`--target-dir target/seedloop`).
    pub cargo_args: Vec<String>,
}

impl TestContext {
    /// What the running process can tell: the test thread's name (libtest names each test's
    /// thread after it), `CARGO_PKG_NAME` (cargo sets it when it runs tests), the target from
    /// the executable's name (its hash stripped) and the caller's source file (a test in
    /// `tests/` is an integration test even when its target is named after the package).
    ///
    /// ```
    /// // A doctest runs on the `main` thread, which names no test.
    /// let here = harness::TestContext::detect();
    /// assert_eq!(here.name, None);
    /// assert!(here.commands.is_none());
    /// ```
    #[track_caller]
    pub fn detect() -> TestContext {
        TestContext::detect_from(Some(Location::caller()), None)
    }

    /// [`TestContext::detect`] with what the caller knows: where the check was written, and
    /// whether the code was compiled as an integration test (`#[harness::test]` tells it from
    /// `CARGO_TARGET_TMPDIR`, which cargo sets only when it compiles integration tests and
    /// benches).
    pub(crate) fn detect_from(
        caller: Option<&Location<'_>>,
        integration: Option<bool>,
    ) -> TestContext {
        let name = std::thread::current()
            .name()
            .filter(|n| *n != "main")
            .map(str::to_string);
        let package = std::env::var("CARGO_PKG_NAME").ok();
        let exe = std::env::current_exe().ok();
        let stem = exe
            .as_ref()
            .and_then(|p| p.file_stem())
            .and_then(|s| s.to_str())
            .map(strip_hash);
        let target = stem.map(|stem| {
            target_of(
                &stem,
                package.as_deref(),
                caller.map(Location::file),
                integration,
            )
        });
        TestContext {
            package,
            target,
            name,
            case: None,
            commands: None,
            env: Vec::new(),
            cargo_args: Vec::new(),
        }
    }

    /// The name the check is known by: its `case` if it has one, else the test's name. The
    /// token records a hash of it, and the regressions file keys its lines by it.
    ///
    /// ```
    /// let test = harness::TestContext { name: Some("adds".into()), ..Default::default() };
    /// assert_eq!(test.check_name(), Some("adds"));
    /// assert_eq!(harness::TestContext::default().check_name(), None);
    /// ```
    pub fn check_name(&self) -> Option<&str> {
        self.case.as_deref().or(self.name.as_deref())
    }

    /// The command that runs the test alone: `cargo test -p <pkg> <target> -- <name> --exact`,
    /// with what is known (or the tool's own command, see [`Commands`]).
    ///
    /// ```
    /// use harness::{Target, TestContext};
    /// let ctx = TestContext {
    ///     package: Some("bank".into()),
    ///     target: Some(Target::Test("bank".into())),
    ///     name: Some("deposits_add_up".into()),
    ///     ..TestContext::default()
    /// };
    /// assert_eq!(ctx.command(), "cargo test -p bank --test bank -- deposits_add_up --exact");
    /// let lib = TestContext { target: Some(Target::Lib), ..ctx };
    /// assert_eq!(lib.command(), "cargo test -p bank --lib -- deposits_add_up --exact");
    /// let built = TestContext {
    ///     env: vec![r#"RUSTFLAGS="--cfg seedloop""#.into()],
    ///     cargo_args: vec!["--target-dir".into(), "/w/target/seedloop".into()],
    ///     ..lib
    /// };
    /// assert_eq!(
    ///     built.command(),
    ///     r#"RUSTFLAGS="--cfg seedloop" cargo test --target-dir /w/target/seedloop -p bank --lib -- deposits_add_up --exact"#
    /// );
    /// ```
    pub fn command(&self) -> String {
        if let Some(c) = &self.commands {
            return c.sweep.clone();
        }
        let mut cmd = String::new();
        for assignment in &self.env {
            cmd.push_str(assignment);
            cmd.push(' ');
        }
        cmd.push_str("cargo test");
        for arg in &self.cargo_args {
            cmd.push(' ');
            cmd.push_str(arg);
        }
        if let Some(p) = &self.package {
            cmd.push_str(&format!(" -p {p}"));
        }
        if let Some(t) = &self.target {
            cmd.push(' ');
            cmd.push_str(&t.cargo_arg());
        }
        if let Some(n) = &self.name {
            cmd.push_str(&format!(" -- {n} --exact"));
        }
        cmd
    }

    /// The line that replays `token`: `SEEDLOOP_REPLAY=<token> <command>`, or the tool's own.
    ///
    /// ```
    /// let ctx = harness::TestContext { name: Some("table".into()), ..Default::default() };
    /// assert_eq!(ctx.replay_command("sl2.x"), "SEEDLOOP_REPLAY=sl2.x cargo test -- table --exact");
    /// ```
    pub fn replay_command(&self, token: &str) -> String {
        match &self.commands {
            Some(c) => format!("{}{token}{}", c.replay_prefix, c.replay_suffix),
            None => format!("SEEDLOOP_REPLAY={token} {}", self.command()),
        }
    }
}

/// `bank-0123456789abcdef` → `bank`.
fn strip_hash(stem: &str) -> String {
    match stem.rsplit_once('-') {
        Some((t, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            t.to_string()
        }
        _ => stem.to_string(),
    }
}

/// The target of a test binary named `stem`. cargo names a library's unit-test binary and an
/// integration test `tests/<package>.rs` alike, so the name alone cannot tell them apart: what
/// the code was compiled as (`integration`), or else where the check was written, decides.
pub(crate) fn target_of(
    stem: &str,
    package: Option<&str>,
    caller: Option<&str>,
    integration: Option<bool>,
) -> Target {
    let lib = package.map(|p| p.replace('-', "_"));
    let is_lib_name = Some(stem) == lib.as_deref();
    let integration = integration.or_else(|| {
        let manifest = std::env::var_os("CARGO_MANIFEST_DIR")?;
        let file = package_relative(Path::new(caller?), Path::new(&manifest), |p| p.is_file())?;
        match file.components().next()? {
            Component::Normal(d) if d == "tests" => Some(true),
            Component::Normal(d) if d == "src" => Some(false),
            _ => None,
        }
    });
    match integration {
        Some(true) => Target::Test(stem.to_string()),
        Some(false) if is_lib_name => Target::Lib,
        Some(false) => Target::Bin(stem.to_string()),
        None if is_lib_name => Target::Lib,
        None => Target::Test(stem.to_string()),
    }
}

/// `file` (a source path as `Location` gives it: absolute, or relative to the workspace root,
/// which the running test does not know) relative to the package's directory `manifest`: the
/// longest tail of `manifest` that `file` starts with is taken off, if what remains is a file
/// of the package (`exists`).
fn package_relative(
    file: &Path,
    manifest: &Path,
    exists: impl Fn(&Path) -> bool,
) -> Option<std::path::PathBuf> {
    if file.is_absolute() {
        return file.strip_prefix(manifest).ok().map(Path::to_path_buf);
    }
    let dirs: Vec<Component<'_>> = manifest.components().collect();
    (0..=dirs.len()).rev().find_map(|k| {
        let tail: std::path::PathBuf = dirs[dirs.len() - k..].iter().collect();
        let rest = file.strip_prefix(&tail).ok()?;
        exists(&manifest.join(rest)).then(|| rest.to_path_buf())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_integration_test_named_after_its_package_is_not_the_lib() {
        let t = target_of("bank", Some("bank"), Some("src/lib.rs"), Some(true));
        assert_eq!(t, Target::Test("bank".into()));
        let t = target_of("bank", Some("bank"), None, Some(false));
        assert_eq!(t, Target::Lib);
    }

    #[test]
    fn a_bin_is_not_an_integration_test() {
        assert_eq!(
            target_of("server", Some("my-lib"), None, Some(false)),
            Target::Bin("server".into())
        );
    }

    #[test]
    fn without_hints_the_name_decides_as_before() {
        assert_eq!(target_of("bank", Some("bank"), None, None), Target::Lib);
        assert_eq!(
            target_of("counter", Some("bank"), None, None),
            Target::Test("counter".into())
        );
    }

    #[test]
    fn source_paths_are_read_from_the_package_directory() {
        let ws = Path::new("/ws");
        let files = [
            "/ws/tests/src/lib.rs",
            "/ws/tests/tests/checks/main.rs",
            "/bank/tests/bank.rs",
        ];
        let exists = |p: &Path| files.iter().any(|f| Path::new(f) == p);
        let rel = |file: &str, manifest: &str| {
            package_relative(Path::new(file), &ws.join(manifest), exists)
                .map(|p| p.to_string_lossy().into_owned())
        };
        // A member `tests` of a workspace: its library, then its integration test.
        assert_eq!(
            rel("tests/src/lib.rs", "tests").as_deref(),
            Some("src/lib.rs")
        );
        assert_eq!(
            rel("tests/tests/checks/main.rs", "tests").as_deref(),
            Some("tests/checks/main.rs")
        );
        // A package that is its own workspace: paths are relative to it.
        let bank = |file: &str| {
            package_relative(Path::new(file), Path::new("/bank"), exists)
                .map(|p| p.to_string_lossy().into_owned())
        };
        assert_eq!(bank("tests/bank.rs").as_deref(), Some("tests/bank.rs"));
        assert_eq!(
            bank("/bank/tests/bank.rs").as_deref(),
            Some("tests/bank.rs")
        );
        assert_eq!(bank("elsewhere.rs"), None);
    }

    #[test]
    fn this_file_is_a_library_file_of_its_package() {
        // Run by cargo: the location of this test is read against CARGO_MANIFEST_DIR.
        let here = TestContext::detect();
        assert_eq!(here.target, Some(Target::Lib));
        assert_eq!(here.package.as_deref(), Some("harness"));
    }

    #[test]
    fn hashes_are_stripped() {
        assert_eq!(strip_hash("bank-0123456789abcdef"), "bank");
        assert_eq!(strip_hash("my-tests"), "my-tests");
    }
}
