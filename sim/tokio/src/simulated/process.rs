//! Processes are not simulated: a simulation never starts real programs. Every call that would
//! fails with an `Unsupported` error naming the API and what to do instead.
//!
//! ```
//! # use seedloop_tokio as tokio;
//! # tokio::__seedloop::doc_run(async {
//! let err = tokio::process::Command::new("ls").output().await.unwrap_err();
//! assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
//! assert!(err.to_string().contains("tokio::process::Command::output"));
//! # });
//! ```

use std::ffi::OsStr;
use std::io;
use std::path::Path;
use std::process::{ExitStatus, Output, Stdio};

fn unsupported(api: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "{api} is not simulated: a simulation never starts a real process (its timing and \
             output would not be reproducible). Put the process behind a trait and give the \
             test a simulated implementation, or run this test without --cfg seedloop"
        ),
    )
}

/// A command to run (tokio's `process::Command`): it can be built, but not run.
#[derive(Debug)]
pub struct Command {
    program: std::ffi::OsString,
}

impl Command {
    /// A command running `program`.
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            program: program.as_ref().to_owned(),
        }
    }

    /// Adds an argument (recorded nowhere: the command never runs).
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        let _ = arg;
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for a in args {
            self.arg(a);
        }
        self
    }

    /// Sets an environment variable.
    pub fn env(&mut self, key: impl AsRef<OsStr>, val: impl AsRef<OsStr>) -> &mut Command {
        let _ = (key, val);
        self
    }

    /// Sets environment variables.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        for (k, v) in vars {
            self.env(k, v);
        }
        self
    }

    /// Clears the environment.
    pub fn env_clear(&mut self) -> &mut Command {
        self
    }

    /// Removes an environment variable.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        let _ = key;
        self
    }

    /// Sets the working directory.
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        let _ = dir;
        self
    }

    /// Sets standard input.
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        let _ = cfg.into();
        self
    }

    /// Sets standard output.
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        let _ = cfg.into();
        self
    }

    /// Sets standard error.
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        let _ = cfg.into();
        self
    }

    /// Whether dropping the child kills it.
    pub fn kill_on_drop(&mut self, kill_on_drop: bool) -> &mut Command {
        let _ = kill_on_drop;
        self
    }

    /// The program this runs.
    pub fn as_std_program(&self) -> &OsStr {
        &self.program
    }

    /// Not simulated.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub fn spawn(&mut self) -> io::Result<Child> {
        Err(unsupported("tokio::process::Command::spawn"))
    }

    /// Not simulated.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        Err(unsupported("tokio::process::Command::status"))
    }

    /// Not simulated.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub async fn output(&mut self) -> io::Result<Output> {
        Err(unsupported("tokio::process::Command::output"))
    }
}

/// A running child process; never created in a simulation.
#[derive(Debug)]
#[non_exhaustive]
pub struct Child {
    /// The child's standard input.
    pub stdin: Option<ChildStdin>,
    /// The child's standard output.
    pub stdout: Option<ChildStdout>,
    /// The child's standard error.
    pub stderr: Option<ChildStderr>,
}

impl Child {
    /// The process id: none.
    pub fn id(&self) -> Option<u32> {
        None
    }

    /// Not simulated.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        Err(unsupported("tokio::process::Child::wait"))
    }

    /// Not simulated.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub async fn wait_with_output(self) -> io::Result<Output> {
        Err(unsupported("tokio::process::Child::wait_with_output"))
    }

    /// Not simulated.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub async fn kill(&mut self) -> io::Result<()> {
        Err(unsupported("tokio::process::Child::kill"))
    }

    /// Not simulated.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub fn start_kill(&mut self) -> io::Result<()> {
        Err(unsupported("tokio::process::Child::start_kill"))
    }

    /// Not simulated.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        Err(unsupported("tokio::process::Child::try_wait"))
    }
}

/// A child's standard input; never created in a simulation.
#[derive(Debug)]
pub struct ChildStdin {
    _never: (),
}

/// A child's standard output; never created in a simulation.
#[derive(Debug)]
pub struct ChildStdout {
    _never: (),
}

/// A child's standard error; never created in a simulation.
#[derive(Debug)]
pub struct ChildStderr {
    _never: (),
}
