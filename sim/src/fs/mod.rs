//! A simulated disk per host: in-memory files whose unsynced writes a crash may lose.
//!
//! Each host ([`crate::host`]) has its own flat namespace of files (a path is any string; there
//! are no directories, [`list`] filters by prefix). A task's file operations act on its host's
//! disk. Creating, renaming and removing files is durable at once, as if the directory were
//! synced after each; file *contents* are durable only after [`File::sync_all`]. When the host
//! crashes, each file keeps its synced contents plus a prefix of its later writes — none, some
//! or all, a recorded fault decision per file (in path order) — so a replay of the same seed or
//! schedule loses exactly the same writes, and shrinking can find the smallest loss that
//! breaks a program.
//!
//! Optional faults ([`FsConfig`], via [`configure`]): torn writes at a crash and read errors at
//! a rate, each a recorded decision too.
//!
//! Operations complete at once (each is a preemption point) and take no virtual time.
//!
//! ```
//! use futures::AsyncWriteExt;
//! let mut sim = sim::Sim::new(4);
//! sim.run(async {
//!     let db = sim::host::host("db");
//!     db.spawn(async {
//!         let mut f = sim::fs::File::create("wal").await.unwrap();
//!         f.write_all(b"synced;").await.unwrap();
//!         f.sync_all().await.unwrap();
//!         f.write_all(b"maybe lost;").await.unwrap();
//!     }).await.unwrap();
//!     db.crash();
//!     db.restart();
//!     let wal = db.spawn(async { sim::fs::read("wal").await.unwrap() }).await.unwrap();
//!     assert!(wal == b"synced;" || wal == b"synced;maybe lost;");
//! }).unwrap();
//! ```

mod config;
pub(crate) mod disk;
mod file;

use std::io;

pub use config::FsConfig;
pub use file::{File, OpenOptions};

use crate::host::{HostId, current_id, world};
use disk::{Disk, Disks};

/// Sets the optional disk faults for the rest of the run (every host's disk).
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::fs::configure(sim::fs::FsConfig::default().read_errors(1.0));
///     sim::fs::write("f", b"x").await.unwrap();
///     assert_eq!(sim::fs::read("f").await.unwrap_err().kind(), std::io::ErrorKind::Other);
/// }).unwrap();
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn configure(config: FsConfig) {
    world("sim::fs::configure").with::<Disks>().1.config = config;
}

/// The disk fault configuration in force.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async { assert_eq!(sim::fs::config(), sim::fs::FsConfig::default()) }).unwrap();
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn config() -> FsConfig {
    world("sim::fs::config").with::<Disks>().1.config.clone()
}

/// A simulated read error, as a recorded fault decision at the configured rate.
pub(crate) fn read_fault(path: &str) -> io::Result<()> {
    let p = world("sim::fs").with::<Disks>().1.config.read_errors;
    if crate::rt::primitives::chance(p) {
        crate::log!("fs: read error on {path}");
        return Err(io::Error::other(format!(
            "simulated read error on `{path}`"
        )));
    }
    Ok(())
}

pub(crate) fn not_found(path: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("no file `{path}` on this host's disk"),
    )
}

/// Runs `f` on the calling task's host's disk.
#[track_caller]
pub(crate) fn on_disk<R>(api: &str, f: impl FnOnce(HostId, u64, &mut Disk) -> R) -> R {
    let host = current_id(api);
    let world = world(api);
    let (hosts, mut disks) = world.with::<Disks>();
    let epoch = hosts.host(host).epoch;
    drop(hosts);
    f(host, epoch, disks.of(host))
}

/// The whole contents of `path`.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::fs::write("f", b"abc").await.unwrap();
///     assert_eq!(sim::fs::read("f").await.unwrap(), b"abc");
/// }).unwrap();
/// ```
///
/// # Errors
/// `NotFound` when it does not exist; `Other` for a simulated read error ([`FsConfig`]).
pub async fn read(path: &str) -> io::Result<Vec<u8>> {
    crate::task::maybe_yield().await;
    read_fault(path)?;
    on_disk("sim::fs::read", |_, _, disk| {
        let id = disk.names.get(path).ok_or_else(|| not_found(path))?;
        Ok(disk.inodes[id].data.clone())
    })
}

/// Creates or truncates `path` and writes `data` (not synced: a crash may lose it).
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::fs::write("f", b"one").await.unwrap();
///     sim::fs::write("f", b"2").await.unwrap();
///     assert_eq!(sim::fs::read("f").await.unwrap(), b"2");
/// }).unwrap();
/// ```
///
/// # Errors
/// None in practice; `io::Result` for the same signature as std.
pub async fn write(path: &str, data: impl AsRef<[u8]>) -> io::Result<()> {
    crate::task::maybe_yield().await;
    on_disk("sim::fs::write", |_, _, disk| {
        let id = match disk.names.get(path) {
            Some(id) => *id,
            None => disk.create(path),
        };
        let node = disk.inodes.get_mut(&id).expect("named inode");
        if !node.data.is_empty() {
            node.set_len(0);
        }
        if !data.as_ref().is_empty() {
            node.write(0, data.as_ref());
        }
        Ok(())
    })
}

/// Renames `from` to `to`, replacing `to` if it exists (durable at once).
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::fs::write("tmp", b"x").await.unwrap();
///     sim::fs::rename("tmp", "final").await.unwrap();
///     assert_eq!(sim::fs::list("").await, ["final"]);
/// }).unwrap();
/// ```
///
/// # Errors
/// `NotFound` when `from` does not exist.
pub async fn rename(from: &str, to: &str) -> io::Result<()> {
    crate::task::maybe_yield().await;
    on_disk("sim::fs::rename", |_, _, disk| {
        let id = disk.names.remove(from).ok_or_else(|| not_found(from))?;
        if let Some(old) = disk.names.insert(to.to_string(), id) {
            if old != id {
                disk.inodes.remove(&old);
            }
        }
        Ok(())
    })
}

/// Removes `path` (durable at once). Handles still open on it keep working until the host
/// crashes.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::fs::write("f", b"x").await.unwrap();
///     sim::fs::remove_file("f").await.unwrap();
///     assert!(!sim::fs::exists("f").await);
/// }).unwrap();
/// ```
///
/// # Errors
/// `NotFound` when it does not exist.
pub async fn remove_file(path: &str) -> io::Result<()> {
    crate::task::maybe_yield().await;
    on_disk("sim::fs::remove_file", |_, _, disk| {
        disk.names.remove(path).ok_or_else(|| not_found(path))?;
        Ok(())
    })
}

/// True when `path` exists.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async { assert!(!sim::fs::exists("nope").await) }).unwrap();
/// ```
pub async fn exists(path: &str) -> bool {
    crate::task::maybe_yield().await;
    on_disk("sim::fs::exists", |_, _, disk| {
        disk.names.contains_key(path)
    })
}

/// The paths starting with `prefix`, sorted (`""` lists every file of the host).
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     for p in ["wal/2", "wal/1", "meta"] { sim::fs::write(p, b"").await.unwrap(); }
///     assert_eq!(sim::fs::list("wal/").await, ["wal/1", "wal/2"]);
/// }).unwrap();
/// ```
pub async fn list(prefix: &str) -> Vec<String> {
    crate::task::maybe_yield().await;
    on_disk("sim::fs::list", |_, _, disk| {
        disk.names
            .keys()
            .filter(|p| p.starts_with(prefix))
            .cloned()
            .collect()
    })
}
