//! Open files: `File` and `OpenOptions`.

use std::fmt;
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::io::{AsyncRead, AsyncSeek, AsyncWrite};

use super::{not_found, on_disk};

use crate::host::HostId;
use crate::rt::primitives;

/// How to open a file, as `std::fs::OpenOptions`.
///
/// ```
/// use futures::AsyncWriteExt;
/// use sim::fs::{self, OpenOptions};
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     let mut f = OpenOptions::new().append(true).create(true).open("log").await.unwrap();
///     f.write_all(b"a").await.unwrap();
///     f.write_all(b"b").await.unwrap();
///     assert_eq!(fs::read("log").await.unwrap(), b"ab");
/// }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    read: bool,
    write: bool,
    append: bool,
    create: bool,
    create_new: bool,
    truncate: bool,
}

impl OpenOptions {
    /// All options off.
    ///
    /// ```
    /// let o = sim::fs::OpenOptions::new().read(true);
    /// # let _ = o;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Allow reading.
    ///
    /// ```
    /// let o = sim::fs::OpenOptions::new().read(true);
    /// # let _ = o;
    /// ```
    pub fn read(mut self, on: bool) -> Self {
        self.read = on;
        self
    }

    /// Allow writing.
    ///
    /// ```
    /// let o = sim::fs::OpenOptions::new().write(true);
    /// # let _ = o;
    /// ```
    pub fn write(mut self, on: bool) -> Self {
        self.write = on;
        self
    }

    /// Every write goes to the end of the file (implies writing).
    ///
    /// ```
    /// let o = sim::fs::OpenOptions::new().append(true);
    /// # let _ = o;
    /// ```
    pub fn append(mut self, on: bool) -> Self {
        self.append = on;
        self
    }

    /// Create the file if it does not exist.
    ///
    /// ```
    /// let o = sim::fs::OpenOptions::new().write(true).create(true);
    /// # let _ = o;
    /// ```
    pub fn create(mut self, on: bool) -> Self {
        self.create = on;
        self
    }

    /// Create the file, failing with `AlreadyExists` if it exists.
    ///
    /// ```
    /// let o = sim::fs::OpenOptions::new().write(true).create_new(true);
    /// # let _ = o;
    /// ```
    pub fn create_new(mut self, on: bool) -> Self {
        self.create_new = on;
        self
    }

    /// Cut the file to length 0 on opening (an unsynced change like any write).
    ///
    /// ```
    /// let o = sim::fs::OpenOptions::new().write(true).truncate(true);
    /// # let _ = o;
    /// ```
    pub fn truncate(mut self, on: bool) -> Self {
        self.truncate = on;
        self
    }

    /// Opens `path` on the calling task's host.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let e = sim::fs::OpenOptions::new().read(true).open("missing").await.unwrap_err();
    ///     assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// `NotFound` when the file does not exist and creating was not asked, `AlreadyExists` for
    /// `create_new` on an existing file, `InvalidInput` when neither reading nor writing was
    /// asked.
    pub async fn open(&self, path: &str) -> io::Result<File> {
        crate::task::maybe_yield().await;
        let writes = self.write || self.append;
        if !self.read && !writes {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "opening `{path}` neither for reading nor writing: set read, write or append"
                ),
            ));
        }
        on_disk("OpenOptions::open", |host, epoch, disk| {
            let existing = disk.names.get(path).copied();
            let inode = match existing {
                Some(_) if self.create_new => {
                    return Err(io::Error::new(
                        io::ErrorKind::AlreadyExists,
                        format!("create_new: `{path}` already exists"),
                    ));
                }
                Some(id) => id,
                None if self.create || self.create_new => {
                    if !writes {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidInput,
                            format!("creating `{path}` needs write or append"),
                        ));
                    }
                    disk.create(path)
                }
                None => return Err(not_found(path)),
            };
            if self.truncate && writes {
                let node = disk.inodes.get_mut(&inode).expect("named inode");
                if !node.data.is_empty() {
                    node.set_len(0);
                }
            }
            Ok(File {
                host,
                epoch,
                inode,
                pos: 0,
                read: self.read,
                write: writes,
                append: self.append,
                path: path.into(),
                yielded: false,
            })
        })
    }
}

/// An open file on the calling task's host; implements `futures::io::{AsyncRead, AsyncWrite,
/// AsyncSeek}`.
///
/// Writes are visible to every reader at once but durable only after [`File::sync_all`]: when
/// the host crashes, each file keeps its synced contents plus a prefix (possibly empty, possibly
/// all) of the later writes, chosen by a recorded fault decision.
///
/// ```
/// use futures::{AsyncReadExt, AsyncWriteExt};
/// use sim::fs::File;
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     let mut f = File::create("data").await.unwrap();
///     f.write_all(b"hello").await.unwrap();
///     f.sync_all().await.unwrap();
///     let mut s = String::new();
///     File::open("data").await.unwrap().read_to_string(&mut s).await.unwrap();
///     assert_eq!(s, "hello");
/// }).unwrap();
/// ```
pub struct File {
    host: HostId,
    epoch: u64,
    inode: u64,
    pos: u64,
    read: bool,
    write: bool,
    append: bool,
    path: Arc<str>,
    yielded: bool,
}

impl File {
    /// Opens an existing file for reading.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     sim::fs::write("f", b"x").await.unwrap();
    ///     assert!(sim::fs::File::open("f").await.is_ok());
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// `NotFound` when it does not exist.
    pub async fn open(path: &str) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Creates a file for writing, or truncates an existing one.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     sim::fs::File::create("f").await.unwrap();
    ///     assert_eq!(sim::fs::list("").await, ["f"]);
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// None in practice; `io::Result` for the same signature as std.
    pub async fn create(path: &str) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// The path it was opened with.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     assert_eq!(sim::fs::File::create("p").await.unwrap().path(), "p");
    /// }).unwrap();
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Makes every write so far durable: a crash after it keeps them.
    ///
    /// ```
    /// use futures::AsyncWriteExt;
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let h = sim::host::host("db");
    ///     h.spawn(async {
    ///         let mut f = sim::fs::File::create("wal").await.unwrap();
    ///         f.write_all(b"committed").await.unwrap();
    ///         f.sync_all().await.unwrap();
    ///     }).await.unwrap();
    ///     h.crash();
    ///     h.restart();
    ///     let data = h.spawn(async { sim::fs::read("wal").await.unwrap() }).await.unwrap();
    ///     assert_eq!(data, b"committed");
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// `Other` when the file's host crashed since it was opened.
    pub async fn sync_all(&self) -> io::Result<()> {
        crate::task::maybe_yield().await;
        self.with_inode("File::sync_all", |node| {
            node.sync();
            Ok(())
        })
    }

    /// Sets the length, cutting or zero-extending (an unsynced change).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let f = sim::fs::File::create("f").await.unwrap();
    ///     f.set_len(3).await.unwrap();
    ///     assert_eq!(sim::fs::read("f").await.unwrap(), [0, 0, 0]);
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// `PermissionDenied` when not opened for writing, `Other` after a crash of its host.
    pub async fn set_len(&self, len: u64) -> io::Result<()> {
        crate::task::maybe_yield().await;
        self.check_write()?;
        self.with_inode("File::set_len", |node| {
            node.set_len(len);
            Ok(())
        })
    }

    /// The current length.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     sim::fs::write("f", b"abc").await.unwrap();
    ///     assert_eq!(sim::fs::File::open("f").await.unwrap().len().await.unwrap(), 3);
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// `Other` after a crash of its host.
    pub async fn len(&self) -> io::Result<u64> {
        crate::task::maybe_yield().await;
        self.with_inode("File::len", |node| Ok(node.data.len() as u64))
    }

    fn check_write(&self) -> io::Result<()> {
        if self.write {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "`{}` was opened read-only: open it with write or append",
                    self.path
                ),
            ))
        }
    }

    fn with_inode<R>(
        &self,
        api: &str,
        f: impl FnOnce(&mut super::disk::Inode) -> io::Result<R>,
    ) -> io::Result<R> {
        let world = crate::host::world(api);
        let (hosts, mut disks) = world.with::<super::disk::Disks>();
        if hosts.host(self.host).epoch != self.epoch {
            return Err(io::Error::other(format!(
                "`{}` was opened before its host crashed; open it again",
                self.path
            )));
        }
        let node = disks
            .of(self.host)
            .inodes
            .get_mut(&self.inode)
            .ok_or_else(|| not_found(&self.path))?;
        f(node)
    }

    /// The preemption point of an operation that completes at once.
    fn preempt(&mut self, cx: &mut Context<'_>) -> bool {
        if !self.yielded && primitives::preemption_point(cx) {
            self.yielded = true;
            return true;
        }
        self.yielded = false;
        false
    }
}

impl AsyncRead for File {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if self.preempt(cx) {
            return Poll::Pending;
        }
        if !self.read {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("`{}` was opened write-only: open it with read", self.path),
            )));
        }
        if let Err(e) = super::read_fault(&self.path) {
            return Poll::Ready(Err(e));
        }
        let pos = self.pos as usize;
        let r = self.with_inode("File::read", |node| {
            let avail = node.data.len().saturating_sub(pos);
            let n = avail.min(buf.len());
            buf[..n].copy_from_slice(&node.data[pos..pos + n]);
            Ok(n)
        });
        if let Ok(n) = r {
            self.pos += n as u64;
        }
        Poll::Ready(r)
    }
}

impl AsyncWrite for File {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.preempt(cx) {
            return Poll::Pending;
        }
        if let Err(e) = self.check_write() {
            return Poll::Ready(Err(e));
        }
        let (append, pos) = (self.append, self.pos);
        let r = self.with_inode("File::write", |node| {
            let at = if append { node.data.len() as u64 } else { pos };
            if !buf.is_empty() {
                node.write(at, buf);
            }
            Ok(at + buf.len() as u64)
        });
        Poll::Ready(r.map(|end| {
            self.pos = end;
            buf.len()
        }))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let len = match self.with_inode("File::seek", |node| Ok(node.data.len() as u64)) {
            Ok(l) => l,
            Err(e) => return Poll::Ready(Err(e)),
        };
        let target = match pos {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        Poll::Ready(match target {
            Some(t) => {
                self.pos = t;
                Ok(t)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek to a negative position",
            )),
        })
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "File({})", self.path)
    }
}
