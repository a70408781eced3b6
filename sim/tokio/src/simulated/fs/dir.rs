//! Directories as path prefixes, and metadata.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use super::name;

/// The marker a directory leaves on the flat disk: `dir/`.
fn marker(dir: &str) -> String {
    format!("{dir}/")
}

/// What is at a path: a file or a directory (tokio returns `std::fs::Metadata`, which only the
/// OS can make).
#[derive(Clone, Debug)]
pub struct Metadata {
    len: u64,
    dir: bool,
}

impl Metadata {
    /// The file's length in bytes (0 for a directory).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True for an empty file or a directory.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True for a file.
    pub fn is_file(&self) -> bool {
        !self.dir
    }

    /// True for a directory.
    pub fn is_dir(&self) -> bool {
        self.dir
    }

    /// Never: the simulated disk has no links.
    pub fn is_symlink(&self) -> bool {
        false
    }

    /// The kind of entry.
    pub fn file_type(&self) -> FileType {
        FileType { dir: self.dir }
    }
}

/// A file or a directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileType {
    dir: bool,
}

impl FileType {
    /// True for a file.
    pub fn is_file(&self) -> bool {
        !self.dir
    }

    /// True for a directory.
    pub fn is_dir(&self) -> bool {
        self.dir
    }

    /// Never: the simulated disk has no links.
    pub fn is_symlink(&self) -> bool {
        false
    }
}

/// What is at `path`.
///
/// # Errors
/// `NotFound` when nothing is.
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let p = name(path.as_ref());
    if !p.is_empty() && sim::fs::exists(&p).await {
        let len = sim::fs::read(&p).await?.len() as u64;
        return Ok(Metadata { len, dir: false });
    }
    let prefix = if p.is_empty() {
        String::new()
    } else {
        marker(&p)
    };
    if p.is_empty() || !sim::fs::list(&prefix).await.is_empty() {
        return Ok(Metadata { len: 0, dir: true });
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!("no such file or directory: `{p}`"),
    ))
}

/// Like [`metadata`] (there are no links).
///
/// # Errors
/// `NotFound` when nothing is there.
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    metadata(path).await
}

/// Creates a directory.
///
/// # Errors
/// `AlreadyExists` when something is there.
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let p = name(path.as_ref());
    if metadata(&p).await.is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("`{p}` already exists"),
        ));
    }
    sim::fs::write(&marker(&p), b"").await
}

/// Creates a directory and its parents (existing ones are fine).
///
/// # Errors
/// Never in the simulation, short of injected faults.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let p = name(path.as_ref());
    let mut so_far = String::new();
    for part in p.split('/').filter(|s| !s.is_empty()) {
        if !so_far.is_empty() {
            so_far.push('/');
        }
        so_far.push_str(part);
        if !sim::fs::exists(&marker(&so_far)).await {
            sim::fs::write(&marker(&so_far), b"").await?;
        }
    }
    Ok(())
}

/// Removes an empty directory.
///
/// # Errors
/// `NotFound`, or `DirectoryNotEmpty`.
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let p = name(path.as_ref());
    let m = marker(&p);
    let under = sim::fs::list(&m).await;
    if under.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no such directory: `{p}`"),
        ));
    }
    if under.iter().any(|f| *f != m) {
        return Err(io::Error::new(
            io::ErrorKind::DirectoryNotEmpty,
            format!("directory `{p}` is not empty"),
        ));
    }
    sim::fs::remove_file(&m).await
}

/// Removes a directory and everything under it.
///
/// # Errors
/// `NotFound`.
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let p = name(path.as_ref());
    let under = sim::fs::list(&marker(&p)).await;
    if under.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no such directory: `{p}`"),
        ));
    }
    for f in under {
        sim::fs::remove_file(&f).await?;
    }
    Ok(())
}

/// The entries directly under `path`, in name order.
///
/// # Errors
/// `NotFound` when it is no directory.
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let p = name(path.as_ref());
    let prefix = if p.is_empty() {
        String::new()
    } else {
        marker(&p)
    };
    let all = sim::fs::list(&prefix).await;
    if !p.is_empty() && all.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no such directory: `{p}`"),
        ));
    }
    let mut entries = BTreeSet::new();
    for f in &all {
        let rest = &f[prefix.len()..];
        if rest.is_empty() {
            continue;
        }
        match rest.split_once('/') {
            Some((child, _)) => entries.insert((child.to_string(), true)),
            None => entries.insert((rest.to_string(), false)),
        };
    }
    let base = PathBuf::from(&p);
    Ok(ReadDir {
        entries: entries
            .into_iter()
            .map(|(n, dir)| DirEntry {
                path: base.join(&n),
                name: n.into(),
                dir,
            })
            .collect::<Vec<_>>()
            .into_iter(),
    })
}

/// The entries of a directory ([`read_dir`]).
#[derive(Debug)]
pub struct ReadDir {
    entries: std::vec::IntoIter<DirEntry>,
}

impl ReadDir {
    /// The next entry, or `None` at the end.
    ///
    /// # Errors
    /// Never in the simulation.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        Ok(self.entries.next())
    }
}

/// One entry of a directory.
#[derive(Clone, Debug)]
pub struct DirEntry {
    path: PathBuf,
    name: OsString,
    dir: bool,
}

impl DirEntry {
    /// The entry's full path.
    pub fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The entry's name.
    pub fn file_name(&self) -> OsString {
        self.name.clone()
    }

    /// The kind of entry.
    ///
    /// # Errors
    /// Never in the simulation.
    pub async fn file_type(&self) -> io::Result<FileType> {
        Ok(FileType { dir: self.dir })
    }

    /// What the entry is.
    ///
    /// # Errors
    /// `NotFound` when it was removed meanwhile.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        metadata(&self.path).await
    }
}
