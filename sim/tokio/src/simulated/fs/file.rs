//! `File` and `OpenOptions` on `sim::fs`.

use std::io::{self, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

use super::{Metadata, metadata, name};

/// An open file on the calling task's simulated host (tokio's `fs::File`), with tokio's
/// `AsyncRead`, `AsyncWrite` and `AsyncSeek`. Writes are durable only after
/// [`File::sync_all`]: a crash of the host may lose any suffix of the unsynced ones.
#[derive(Debug)]
pub struct File {
    inner: sim::fs::File,
    seek: Option<SeekFrom>,
}

impl File {
    /// Opens an existing file for reading.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Creates (or truncates) a file for writing.
    ///
    /// # Errors
    /// Never in the simulation, short of injected faults.
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Creates a file that must not exist yet, for reading and writing.
    ///
    /// # Errors
    /// `AlreadyExists`.
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// Options to open a file with.
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Makes every write so far durable.
    ///
    /// # Errors
    /// When the host crashed since the file was opened.
    pub async fn sync_all(&self) -> io::Result<()> {
        self.inner.sync_all().await
    }

    /// Like [`File::sync_all`].
    ///
    /// # Errors
    /// When the host crashed since the file was opened.
    pub async fn sync_data(&self) -> io::Result<()> {
        self.inner.sync_all().await
    }

    /// Truncates or extends the file to `size` bytes.
    ///
    /// # Errors
    /// When the file was opened read-only.
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        self.inner.set_len(size).await
    }

    /// What the file is.
    ///
    /// # Errors
    /// When it was removed meanwhile.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        metadata(self.inner.path()).await
    }

    /// Accepted and ignored: the simulated disk has no permissions.
    ///
    /// # Errors
    /// Never in the simulation.
    pub async fn set_permissions(&self, perm: std::fs::Permissions) -> io::Result<()> {
        let _ = perm;
        Ok(())
    }

    /// Not simulated: the simulated file has one cursor per handle.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub async fn try_clone(&self) -> io::Result<File> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "tokio::fs::File::try_clone is not simulated: open the path again instead",
        ))
    }

    /// Not simulated: there is no real file to hand out.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub async fn into_std(self) -> io::Result<std::fs::File> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "tokio::fs::File::into_std is not simulated: the simulated disk is not the OS's",
        ))
    }
}

impl AsyncRead for File {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let dst = buf.initialize_unfilled();
        match futures::io::AsyncRead::poll_read(Pin::new(&mut self.inner), cx, dst) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        futures::io::AsyncWrite::poll_write(Pin::new(&mut self.inner), cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures::io::AsyncWrite::poll_flush(Pin::new(&mut self.inner), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures::io::AsyncWrite::poll_close(Pin::new(&mut self.inner), cx)
    }
}

impl AsyncSeek for File {
    fn start_seek(mut self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        self.seek = Some(position);
        Ok(())
    }

    fn poll_complete(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let pos = self.seek.take().unwrap_or(SeekFrom::Current(0));
        futures::io::AsyncSeek::poll_seek(Pin::new(&mut self.inner), cx, pos)
    }
}

/// How to open a file (tokio's `fs::OpenOptions`).
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    read: bool,
    write: bool,
    append: bool,
    truncate: bool,
    create: bool,
    create_new: bool,
}

impl OpenOptions {
    /// Every option off.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// Open for reading.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.read = read;
        self
    }

    /// Open for writing.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.write = write;
        self
    }

    /// Writes go to the end.
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.append = append;
        self
    }

    /// Empty the file on opening.
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.truncate = truncate;
        self
    }

    /// Create the file if it does not exist.
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.create = create;
        self
    }

    /// Create the file; fail if it exists.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.create_new = create_new;
        self
    }

    /// Opens `path` with these options.
    ///
    /// # Errors
    /// `NotFound`, `AlreadyExists`, `InvalidInput` for contradictory options.
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let inner = sim::fs::OpenOptions::new()
            .read(self.read)
            .write(self.write)
            .append(self.append)
            .truncate(self.truncate)
            .create(self.create)
            .create_new(self.create_new)
            .open(&name(path.as_ref()))
            .await?;
        Ok(File { inner, seek: None })
    }
}
