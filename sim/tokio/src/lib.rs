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
//! | `time::advance(d)` | the clock jumps by exactly `d`; the timers it passes fire at the new time, and the caller resumes after the tasks they woke were polled (as on tokio's current-thread runtime of old: mini-redis's tests rely on it) |
//! | `sync::{Mutex, RwLock, Semaphore, Notify, Barrier, OnceCell, mpsc, oneshot, broadcast, watch}` | built on `sim::sync`: **every await is a preemption point** where an exploring strategy may switch tasks, even when the lock is free or a value is waiting; `const_new` constructors work in statics |
//! | `select!` | the branch polled first is a recorded decision (Fifo: the first listed); `biased;` polls in order |
//! | `join!`, `try_join!`, `pin!` | in-place, like tokio's |
//! | `net::{TcpListener, TcpStream, TcpSocket, UdpSocket, lookup_host}` | `sim::net`: a test process is one simulated host; `127.0.0.1`, `localhost`, `0.0.0.0` are that host; other hosts are `sim::host::host("10.0.0.2")` (named by their IP); `readable`/`try_read`/`peek` work, writes never wait |
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
//! - randomness inside other crates: `tokio-stream`'s `StreamMap`, for one, polls its streams
//!   from a random start seeded by the OS, so two runs of one seed can differ; seedloop re-runs
//!   every failing seed and reports such a difference as nondeterminism;
//! - `tokio::process` and real sockets: the simulation never touches the OS.
//!
//! ## Differences from tokio
//!
//! The facade follows tokio's semantics, not `sim`'s, wherever the two differ (a zero `sleep`
//! completes at once; `timeout` polls its future before its deadline; `broadcast` capacities are
//! rounded up to a power of two; a `JoinSet` aborts its tasks when dropped; dropping an
//! `OwnedWriteHalf` shuts writing down). What tokio code may still notice:
//!
//! - every `.await` on a `tokio::sync` type, on a socket read or write, on a file operation is a
//!   *preemption point*: another task may run there even when the lock is free or the value is
//!   waiting. That is the point (tokio's multi-threaded runtime may interleave there too), and
//!   it is how races between two critical sections are found;
//! - a panic in a spawned task that nobody awaits fails the test at the end of the run (tokio
//!   prints it and goes on); the simulation ends when the test body returns, dropping the tasks
//!   still running, as tokio's runtime does;
//! - `time::advance(d)` resumes its caller only after the tasks its timers woke were polled
//!   once; tokio 1.54's own `advance` resumes a `#[tokio::test]` body first (its docs promise
//!   neither order);
//! - `Runtime::block_on` outside a simulation runs a simulation of its own, so nothing
//!   simulated (sockets, files, tasks) survives from one `block_on` call to the next;
//! - `JoinSet::join_next` returns, among the tasks finished when it looks, the first spawned
//!   (tokio: the first to finish);
//! - `Notify::notify_last` wakes the oldest waiter, and `Notified::enable` does nothing (a
//!   `Notified` receives `notify_waiters` from its creation anyway);
//! - `tokio::fs::metadata` and `DirEntry::file_type` return this crate's `Metadata` and
//!   `FileType` (`std::fs::Metadata` can only come from the OS): `len`, `is_file`, `is_dir`;
//! - `TcpSocket` keeps its options but the simulation has no kernel buffers: `bind` with port 0
//!   gets its port at `listen`, and a connecting socket's local port is the simulation's pick;
//! - not provided: `MutexGuard::map` and the other mapped guards (a guard that owns the value,
//!   as the facade's do to stay `Send` in safe Rust, cannot lend a part of it for its whole
//!   life), `OnceCell::const_new_with`, `TcpStream::try_read_buf`/`try_io`, Unix sockets,
//!   `broadcast::Sender::{len, is_empty}` (tokio counts values some receiver has not seen;
//!   `sim`'s channel does not track that);
//! - `spawn_blocking` runs its closure on the simulated thread, as a task: it must not block
//!   for real.
//!
//! ## `Send`, `Sync`, `Unpin`
//!
//! Every facade type and future has tokio's auto traits (`sim`'s primitives keep their state
//! behind never-contended `std::sync` locks), so code with `Send` bounds of its own
//! (`#[async_trait]`, `BoxFuture`, `Pin<Box<dyn Stream + Send>>` over a `broadcast::Receiver`)
//! compiles under the cfg unchanged. The `tokio-service` package's `auto_traits` test compares
//! them with real tokio's, type by type.

#![forbid(unsafe_code)]

#[cfg(not(seedloop))]
pub use tokio::*;

#[cfg(seedloop)]
mod simulated;
#[cfg(seedloop)]
pub use simulated::*;
