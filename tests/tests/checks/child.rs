//! One test of this binary, run again in a child process: for what only a process shows (its
//! exit status, its stderr, a file written by several processes at once).
//!
//! The test calls [`role`] first: in the child it gets the role it was started with and plays
//! it; in the parent it gets `None` and starts children with [`run`] or [`spawn`].

use std::process::{Child, Command, Output, Stdio};

const ROLE: &str = "CHECKS_CHILD_ROLE";

/// The role this process was started with, when it is a child.
pub fn role() -> Option<String> {
    std::env::var(ROLE).ok()
}

/// Starts test `path` (`module::name`) of this binary alone, as a child playing `role`, with
/// `env` set and every `SEEDLOOP_*` variable of this process removed.
pub fn spawn(path: &str, role: &str, env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().expect("the test binary's path"));
    cmd.args([path, "--exact", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SEEDLOOP_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.spawn().expect("the test binary starts again")
}

/// [`spawn`], waited for.
pub fn run(path: &str, role: &str, env: &[(&str, &str)]) -> Output {
    spawn(path, role, env)
        .wait_with_output()
        .expect("the child runs")
}

/// The child's stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
