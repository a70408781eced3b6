//! Files with tokio's API on `sim::fs`: each simulated host has its own in-memory disk whose
//! unsynced writes a crash may lose (`sync_all` makes them durable).
//!
//! `sim::fs` has a flat namespace; directories are emulated as path prefixes: `create_dir`
//! leaves a marker, `read_dir` lists the names under `dir/`, `remove_dir_all` removes them.
//! `metadata` returns this module's [`Metadata`] (`std::fs::Metadata` cannot be built by
//! anyone but the OS); it has the usual `len`, `is_file` and `is_dir`.
//!
//! ```
//! # use seedloop_tokio as tokio;
//! # tokio::__seedloop::doc_run(async {
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! tokio::fs::create_dir_all("data").await.unwrap();
//! let mut f = tokio::fs::File::create("data/log").await.unwrap();
//! f.write_all(b"hello").await.unwrap();
//! f.sync_all().await.unwrap();
//! let mut s = String::new();
//! tokio::fs::File::open("data/log").await.unwrap().read_to_string(&mut s).await.unwrap();
//! assert_eq!(s, "hello");
//! assert_eq!(tokio::fs::metadata("data/log").await.unwrap().len(), 5);
//! # });
//! ```

mod dir;
mod file;

use std::io;
use std::path::Path;

pub use dir::{
    DirEntry, FileType, Metadata, ReadDir, create_dir, create_dir_all, metadata, read_dir,
    remove_dir, remove_dir_all, symlink_metadata,
};
pub use file::{File, OpenOptions};

/// The simulation's name for `path` (paths are plain strings there).
pub(crate) fn name(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.trim_end_matches('/').to_string()
}

/// The whole file.
///
/// # Errors
/// `NotFound`, or an injected read error.
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    sim::fs::read(&name(path.as_ref())).await
}

/// The whole file as UTF-8.
///
/// # Errors
/// `NotFound`, `InvalidData` for bytes that are not UTF-8.
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let bytes = read(path).await?;
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Replaces the file's contents (creating it).
///
/// # Errors
/// Never in the simulation, short of injected faults.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    sim::fs::write(&name(path.as_ref()), contents).await
}

/// Copies `from` to `to`; returns the bytes copied.
///
/// # Errors
/// `NotFound` for a missing `from`.
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let data = read(from).await?;
    let n = data.len() as u64;
    write(to, data).await?;
    Ok(n)
}

/// Renames `from` to `to`, replacing `to`.
///
/// # Errors
/// `NotFound` for a missing `from`.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    sim::fs::rename(&name(from.as_ref()), &name(to.as_ref())).await
}

/// Removes a file.
///
/// # Errors
/// `NotFound`.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    sim::fs::remove_file(&name(path.as_ref())).await
}

/// True when a file or directory exists at `path`.
///
/// # Errors
/// Never in the simulation.
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    match metadata(path).await {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The path as given (the simulation has no links and no working directory).
///
/// # Errors
/// `NotFound` when nothing is there.
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<std::path::PathBuf> {
    let p = path.as_ref().to_path_buf();
    metadata(&p).await?;
    Ok(p)
}

/// Accepted and ignored: the simulated disk has no permissions.
///
/// # Errors
/// `NotFound` when nothing is there.
pub async fn set_permissions(path: impl AsRef<Path>, perm: std::fs::Permissions) -> io::Result<()> {
    let _ = perm;
    metadata(path).await.map(drop)
}

fn unsupported(api: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!("tokio::fs::{api} is not simulated: the simulated disk has no links"),
    )
}

/// Not simulated: the simulated disk has no links.
///
/// # Errors
/// Always (`Unsupported`).
pub async fn hard_link(src: impl AsRef<Path>, dst: impl AsRef<Path>) -> io::Result<()> {
    let _ = (src, dst);
    Err(unsupported("hard_link"))
}

/// Not simulated: the simulated disk has no links.
///
/// # Errors
/// Always (`Unsupported`).
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<std::path::PathBuf> {
    let _ = path;
    Err(unsupported("read_link"))
}
