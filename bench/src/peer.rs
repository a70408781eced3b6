//! A system measured in another process: shuttle, madsim and the tokio facade (packages under `bench/peers/`,
//! outside the workspace, built here with their own flags, lock file and target directory), or
//! the bench binary itself started fresh for a memory peak. Requests and replies are lines
//! ([`crate::shared::protocol`]).
//!
//! A peer that cannot be built or dies is *unavailable*: its cells say why, the rest of the
//! bench goes on.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use crate::shared::protocol::{Reply, Request};

/// A peer process, or why there is none.
#[derive(Debug)]
pub struct Peer {
    name: String,
    state: State,
}

#[derive(Debug)]
enum State {
    Running {
        child: Child,
        stdin: ChildStdin,
        stdout: BufReader<ChildStdout>,
    },
    Unavailable(String),
}

/// A peer package under `bench/peers/`.
#[derive(Clone, Debug)]
pub struct Package {
    /// Column name (`madsim`).
    pub name: &'static str,
    /// Its directory (holding `Cargo.toml`, `Cargo.lock`; its `target/` is built there).
    pub dir: PathBuf,
    /// Its binary's name.
    pub bin: &'static str,
    /// `RUSTFLAGS` for its build (`--cfg madsim`), set for that build only.
    pub rustflags: &'static str,
}

impl Package {
    /// The peer packages of this bench: shuttle, madsim, then the tokio facade (seedloop-tokio
    /// under `--cfg seedloop`, which switches the whole build).
    pub fn all() -> Vec<Package> {
        let peers = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers");
        vec![
            Package {
                name: "shuttle",
                dir: peers.join("shuttle"),
                bin: "shuttle-peer",
                rustflags: "",
            },
            Package {
                name: "madsim",
                dir: peers.join("madsim"),
                bin: "madsim-peer",
                rustflags: "--cfg madsim",
            },
            Package {
                name: "facade",
                dir: peers.join("facade"),
                bin: "facade-peer",
                rustflags: "--cfg seedloop",
            },
        ]
    }

    /// Builds the package (`cargo build --release --locked`, its own target directory, its own
    /// `RUSTFLAGS`), returning the binary's path or the build's last error lines.
    pub fn build(&self) -> Result<PathBuf, String> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let target = self.dir.join("target");
        let out = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--locked",
                "--quiet",
                "--manifest-path",
            ])
            .arg(self.dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .env("RUSTFLAGS", self.rustflags)
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("could not run cargo: {e}"))?;
        if !out.status.success() {
            let text = String::from_utf8_lossy(&out.stderr);
            let errors: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with("error"))
                .take(2)
                .collect();
            let why = if errors.is_empty() {
                text.lines().last().unwrap_or("no output").to_string()
            } else {
                errors.join("; ")
            };
            return Err(format!("build failed: {why}"));
        }
        Ok(target.join("release").join(self.bin))
    }
}

impl Peer {
    /// Builds `package` and starts its binary; unavailable (with the reason) if either fails.
    pub fn start_package(package: &Package) -> Peer {
        match package.build() {
            Ok(bin) => Peer::start(package.name, Command::new(bin)),
            Err(why) => Peer::unavailable(package.name, why),
        }
    }

    /// Starts `command` as a peer answering on its stdin/stdout.
    pub fn start(name: &str, mut command: Command) -> Peer {
        let spawned = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let state = match spawned {
            Ok(mut child) => match (child.stdin.take(), child.stdout.take()) {
                (Some(stdin), Some(stdout)) => State::Running {
                    child,
                    stdin,
                    stdout: BufReader::new(stdout),
                },
                _ => State::Unavailable("no pipes to the process".into()),
            },
            Err(e) => State::Unavailable(format!("could not start: {e}")),
        };
        Peer {
            name: name.to_string(),
            state,
        }
    }

    /// A peer that is not there, and why.
    pub fn unavailable(name: &str, why: String) -> Peer {
        Peer {
            name: name.to_string(),
            state: State::Unavailable(why),
        }
    }

    /// The column name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Why the peer is unavailable, if it is.
    pub fn unavailable_reason(&self) -> Option<&str> {
        match &self.state {
            State::Unavailable(why) => Some(why),
            State::Running { .. } => None,
        }
    }

    /// Sends one request and waits for its reply. A peer that stops answering becomes
    /// unavailable and every later request gets that reason.
    pub fn ask(&mut self, req: &Request) -> Result<Reply, String> {
        let State::Running { stdin, stdout, .. } = &mut self.state else {
            return Err(self.unavailable_reason().unwrap_or_default().to_string());
        };
        let mut line = String::new();
        let exchanged = writeln!(stdin, "{}", req.line())
            .and_then(|()| stdin.flush())
            .and_then(|()| stdout.read_line(&mut line));
        match exchanged {
            Ok(n) if n > 0 => Ok(Reply::parse(&line)),
            // A peer that exited before reading the request shows as a broken pipe on the write,
            // one that exited after as end of file on the read: both mean it exited.
            Ok(_) => Err(self.died(format!("exited during `{}`", req.line()))),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                Err(self.died(format!("exited during `{}`", req.line())))
            }
            Err(e) => Err(self.died(format!("lost during `{}`: {e}", req.line()))),
        }
    }

    fn died(&mut self, why: String) -> String {
        if let State::Running { child, .. } = &mut self.state {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.state = State::Unavailable(why.clone());
        why
    }

    /// Asks one request of a fresh process that is stopped right after (for memory peaks).
    pub fn ask_once(name: &str, command: Command, req: &Request) -> Result<Reply, String> {
        let mut peer = Peer::start(name, command);
        let reply = peer.ask(req);
        peer.stop();
        reply
    }

    /// Closes the peer's stdin and waits for it to exit.
    pub fn stop(self) {
        if let State::Running {
            mut child, stdin, ..
        } = self.state
        {
            drop(stdin);
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Request {
        Request::parse("time stream 10").expect("valid request")
    }

    #[test]
    fn a_peer_that_exits_becomes_unavailable_and_says_when() {
        let mut c = Command::new("sh");
        c.args(["-c", "read line; echo 'ok 5 7'"]);
        let mut peer = Peer::start("fake", c);
        assert_eq!(peer.ask(&request()), Ok(Reply::Ok(5.0, 7)));
        let err = peer.ask(&request()).expect_err("the process has exited");
        assert!(err.contains("exited during `time stream 10`"), "{err}");
        assert_eq!(peer.unavailable_reason(), Some(err.as_str()));
        assert_eq!(peer.ask(&request()), Err(err));
    }

    #[test]
    fn every_peer_package_has_a_column_a_manifest_and_a_committed_lock_file() {
        let packages = Package::all();
        for p in &packages {
            assert!(
                crate::rows::COLUMNS.contains(&p.name),
                "{} has no column",
                p.name
            );
            for file in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
                assert!(p.dir.join(file).is_file(), "{}: no {file}", p.name);
            }
        }
        let flags: Vec<(&str, &str)> = packages.iter().map(|p| (p.name, p.rustflags)).collect();
        assert_eq!(
            flags,
            [
                ("shuttle", ""),
                ("madsim", "--cfg madsim"),
                ("facade", "--cfg seedloop")
            ]
        );
    }

    /// The facade peer builds `sim`, `harness` and `seedloop-tokio` by path: a dependency added
    /// to any of them must reach its lock file too, or its `--locked` build fails and the
    /// column goes unavailable.
    #[test]
    fn the_facade_peer_lock_file_is_current() {
        let facade = Package::all()
            .into_iter()
            .find(|p| p.name == "facade")
            .expect("a facade package");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            // `cargo tree` reads the sources of this platform's packages only (`cargo metadata`
            // would want windows-sys's too), which a workspace build has already downloaded: no
            // network then. `--locked` refuses a lock file that needs changing.
            .args(["tree", "--locked", "--quiet"])
            .arg("--manifest-path")
            .arg(facade.dir.join("Cargo.toml"))
            .env("RUSTFLAGS", facade.rustflags)
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .stdin(Stdio::null())
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "`cargo tree --locked` on bench/peers/facade failed; if its Cargo.lock is stale, \
             `cargo tree --manifest-path bench/peers/facade/Cargo.toml` updates it (keeping the \
             versions it has): commit that. {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn a_package_that_does_not_build_is_unavailable_with_the_reason() {
        let package = Package {
            name: "ghost",
            dir: PathBuf::from("/nonexistent/seedloop-peer"),
            bin: "ghost",
            rustflags: "",
        };
        let peer = Peer::start_package(&package);
        let why = peer.unavailable_reason().expect("unavailable");
        assert!(why.starts_with("build failed"), "{why}");
    }
}
