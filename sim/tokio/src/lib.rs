//! # seedloop-tokio — your tokio code, in seedloop's simulation, unmodified
//!
//! Put it in place of tokio:
//!
//! ```toml
//! tokio = { package = "seedloop-tokio", path = "...", features = ["full"] }
//! ```
//!
//! Built normally it **is** real tokio (`pub use tokio::*`): the same code ships to production and
//! no simulator is compiled. Built with `RUSTFLAGS="--cfg seedloop"`, tokio's API (same paths,
//! names, signatures and error types) runs on `sim`: one thread, virtual time, a seeded scheduler,
//! so every interleaving of your tasks is reproducible from one seed, and `#[tokio::test]`
//! becomes a seed sweep with reports, shrinking and a pasteable replay line:
//!
//! ```sh
//! cargo test                                                   # real tokio
//! RUSTFLAGS="--cfg seedloop" cargo test --target-dir target/seedloop   # 64 seeds per test
//! ```
//!
//! (A separate `--target-dir` keeps the two builds from invalidating each other.) Every feature
//! name of tokio is accepted; under the cfg the whole simulated API is there whatever the
//! features.
//!
//! ## What maps to what
//!
//! | tokio | under `--cfg seedloop` |
//! |---|---|
//! | `spawn`, `task::spawn_local`, `JoinHandle`, `JoinSet`, `AbortHandle`, `LocalSet` | `sim` tasks (one thread; every task is local) |
//! | `task::spawn_blocking`, `task::block_in_place` | the closure runs on the simulated thread, as a task (`spawn_blocking`) or at once (`block_in_place`): it must not block for real |
//! | `time::{sleep, timeout, interval, Instant}` | virtual time: nothing waits for real, the clock jumps to the next deadline |
//! | `time::{pause, resume}` | no-ops: time is always virtual |
//! | `time::advance(d)` | sleeps `d` of virtual time (timers due meanwhile fire in order), then yields |
//! | `sync::{Mutex, RwLock, Semaphore, Notify, Barrier, OnceCell, mpsc, oneshot, broadcast, watch}` | built on `sim::sync`: **every await is a preemption point** where an exploring strategy may switch tasks, even when the lock is free or a value is waiting |
//! | `select!` | the branch polled first is a recorded decision (Fifo: the first listed); `biased;` polls in order |
//! | `join!`, `try_join!`, `pin!` | in-place, like tokio's |
//! | `net::{TcpListener, TcpStream, UdpSocket, lookup_host}` | `sim::net`: a test process is one simulated host; `127.0.0.1`, `localhost`, `0.0.0.0` are that host; other hosts are `sim::host::host("10.0.0.2")` (named by their IP) |
//! | `io` | real tokio's traits and helpers (`AsyncReadExt`, `BufReader`, `split`, `copy`, `duplex`...), so tokio-util codecs work; `stdout`/`stderr` write synchronously; `stdin` fails |
//! | `fs` | `sim::fs`, the host's simulated disk (directories are path prefixes) |
//! | `signal::ctrl_c()` | never completes (nobody presses Ctrl-C in a simulation) |
//! | `process` | fails at the call with an error naming the API: nothing is spawned |
//! | `runtime::{Runtime, Builder, Handle}` | `block_on` outside a simulation runs one (seed `SEEDLOOP_SEED`, default 0); inside one it is an error |
//! | `#[tokio::main]` | `main` runs in one simulation, seed from `SEEDLOOP_SEED` (default 0), printed on stderr |
//! | `#[tokio::test]` | a `#[harness::test]`: swept over seeds (`SEEDLOOP_SEEDS`...), shrunk, reported with `SEEDLOOP_REPLAY=... RUSTFLAGS="--cfg seedloop" cargo test ...` |
//!
//! ## What is not simulated
//!
//! The simulation controls what goes through this crate and `sim`. It does not control:
//!
//! - `std::time::Instant::now()` and `SystemTime::now()`: real clocks, which do not move with
//!   virtual time (use `tokio::time::Instant`);
//! - `HashMap`/`HashSet` iteration order: seeded randomly per process, so a program that iterates
//!   one can behave differently between runs of the same seed (use `BTreeMap`, or a fixed hasher);
//! - real threads (`std::thread::spawn`, rayon...) and blocking calls (`std::sync::Mutex` held
//!   while another task would need it, `std::thread::sleep`, blocking I/O): the one simulated
//!   thread blocks for real and nothing else runs;
//! - futures of other runtimes and channels (`futures::channel`, `async-channel`, real tokio
//!   types from crates that depend on tokio directly, such as `tokio-stream`'s wrappers): they run
//!   deterministically, but awaiting them is never a preemption point, so races around them are
//!   not explored;
//! - `tokio::process` and real sockets: the simulation never touches the OS.
//!
//! Differences from tokio that tokio code may notice: a panic in a spawned task that nobody
//! awaits fails the test at the end of the run (tokio prints it and goes on); the simulation ends
//! when the test body returns, dropping the tasks still running, as tokio's runtime does.
//!
//! Today the simulated types are not `Send` (seedloop's primitives keep single-threaded state), so
//! `spawn` takes any `'static` future; code that states `Send` bounds of its own
//! (`#[async_trait]`, `BoxFuture`, `Pin<Box<dyn Stream + Send>>`) compiles once they are.

#![forbid(unsafe_code)]

#[cfg(not(seedloop))]
pub use tokio::*;

#[cfg(seedloop)]
mod simulated;
#[cfg(seedloop)]
pub use simulated::*;
