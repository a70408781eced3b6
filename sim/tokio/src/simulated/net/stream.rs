//! `TcpListener` and `TcpStream` over `sim::net`, implementing tokio's `AsyncRead` and
//! `AsyncWrite`.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::addr::{Target, ToSocketAddrs, external, from_sim, is_own, to_sim};

fn unsupported(api: &str, instead: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "{api} is not simulated (the simulation never touches the OS's sockets): {instead}"
        ),
    )
}

/// Tries each address in turn; the first that works wins, else the last error.
async fn each<T, F, Fut>(addr: impl ToSocketAddrs, mut f: F) -> io::Result<T>
where
    F: FnMut(Target) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last = None;
    for t in addr.to_targets()? {
        match f(t).await {
            Ok(v) => return Ok(v),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        )
    }))
}

/// Accepts connections on the calling task's simulated host (tokio's `net::TcpListener`).
/// Binding `127.0.0.1:0` picks a free port; a client in the same test connects to
/// `listener.local_addr()`, as under tokio.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// use tokio::net::{TcpListener, TcpStream};
/// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
/// let addr = listener.local_addr().unwrap();
/// tokio::spawn(async move {
///     let (mut s, _) = listener.accept().await.unwrap();
///     let mut buf = [0; 4];
///     s.read_exact(&mut buf).await.unwrap();
///     s.write_all(&buf).await.unwrap();
/// });
/// let mut c = TcpStream::connect(addr).await.unwrap();
/// c.write_all(b"ping").await.unwrap();
/// let mut buf = [0; 4];
/// c.read_exact(&mut buf).await.unwrap();
/// assert_eq!(&buf, b"ping");
/// # });
/// ```
pub struct TcpListener {
    inner: sim::net::TcpListener,
    local: SocketAddr,
}

impl TcpListener {
    /// Listens on `addr`, which must be the caller's own host (a loopback or unspecified
    /// address, or the host's own IP); port 0 picks a free one.
    ///
    /// # Errors
    /// `AddrInUse`, `AddrNotAvailable`, `InvalidInput`.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        each(addr, |t| async move {
            let inner = sim::net::TcpListener::bind(to_sim(&t)?).await?;
            let port = inner.local_addr().port();
            let ip = match t {
                Target::Ip(sa) => sa.ip(),
                Target::Name(..) => from_sim(&inner.local_addr()).ip(),
            };
            Ok(TcpListener {
                inner,
                local: SocketAddr::new(ip, port),
            })
        })
        .await
    }

    /// Listens on `addr` from synchronous code (`TcpSocket::listen`): no preemption point.
    pub(super) fn bind_now(addr: SocketAddr) -> io::Result<TcpListener> {
        let inner = sim::net::TcpListener::bind_now(to_sim(&Target::Ip(addr))?)?;
        let port = inner.local_addr().port();
        Ok(TcpListener {
            inner,
            local: SocketAddr::new(addr.ip(), port),
        })
    }

    /// Waits for a connection; returns it with the peer's address.
    ///
    /// # Errors
    /// `ConnectionAborted` when the host crashed.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (s, peer) = self.inner.accept().await?;
        Ok(self.accepted(s, &peer))
    }

    /// An accepted stream with the addresses its two ends see.
    fn accepted(&self, s: sim::net::TcpStream, peer: &sim::net::Addr) -> (TcpStream, SocketAddr) {
        let local = if is_own(peer) {
            self.local_addr_for_accept()
        } else {
            external(&s.local_addr())
        };
        let peer = from_sim(peer);
        (TcpStream::new(s, local, peer), peer)
    }

    /// Polls for a connection.
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let mut accept = self.inner.accept();
        match Pin::new(&mut accept).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Ready(Ok((s, peer))) => {
                let peer = from_sim(&peer);
                Poll::Ready(Ok((
                    TcpStream::new(s, self.local_addr_for_accept(), peer),
                    peer,
                )))
            }
        }
    }

    fn local_addr_for_accept(&self) -> SocketAddr {
        if self.local.ip().is_unspecified() {
            SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), self.local.port())
        } else {
            self.local
        }
    }

    /// The address it listens on.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }

    /// The IP time-to-live (the simulation has no IP layer: always 64).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn ttl(&self) -> io::Result<u32> {
        Ok(64)
    }

    /// Accepted and ignored (the simulation has no IP layer).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        let _ = ttl;
        Ok(())
    }

    /// Not simulated: a `std` listener is a real socket.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        drop(listener);
        Err(unsupported(
            "TcpListener::from_std",
            "bind with tokio::net::TcpListener::bind(\"127.0.0.1:0\") instead",
        ))
    }

    /// Not simulated: there is no real socket to hand out.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        Err(unsupported(
            "TcpListener::into_std",
            "keep using the tokio listener",
        ))
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("addr", &self.local)
            .finish()
    }
}

/// A connected byte stream (tokio's `net::TcpStream`): reliable, ordered, writes never block.
/// Dropping it (or shutting it down) gives the peer end of stream; dropping it with unread bytes
/// gives the peer a reset, as real TCP does.
pub struct TcpStream {
    io: Mutex<sim::net::TcpStream>,
    local: SocketAddr,
    peer: SocketAddr,
    nodelay: AtomicBool,
    ttl: AtomicU32,
    linger: Mutex<Option<Duration>>,
}

impl TcpStream {
    fn new(io: sim::net::TcpStream, local: SocketAddr, peer: SocketAddr) -> TcpStream {
        TcpStream {
            io: Mutex::new(io),
            local,
            peer,
            nodelay: AtomicBool::new(false),
            ttl: AtomicU32::new(64),
            linger: Mutex::new(None),
        }
    }

    /// Connects to `addr` (`127.0.0.1`/`localhost` is the caller's own host).
    ///
    /// # Errors
    /// `ConnectionRefused` when nothing listens there; `TimedOut` when the host is down or cut
    /// off; `NotFound` for an unknown host.
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        each(addr, |t| async move {
            let s = sim::net::TcpStream::connect(to_sim(&t)?).await?;
            let local = if is_own(&s.peer_addr()) {
                from_sim(&s.local_addr())
            } else {
                external(&s.local_addr())
            };
            let peer = match t {
                Target::Ip(sa) if !sa.ip().is_unspecified() => sa,
                _ => from_sim(&s.peer_addr()),
            };
            Ok(TcpStream::new(s, local, peer))
        })
        .await
    }

    pub(super) fn io(&self) -> MutexGuard<'_, sim::net::TcpStream> {
        self.io.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// This end's address.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }

    /// The other end's address.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.peer)
    }

    /// Recorded; the simulation sends every write at once anyway.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.nodelay.store(nodelay, Ordering::Relaxed);
        Ok(())
    }

    /// What [`TcpStream::set_nodelay`] recorded.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn nodelay(&self) -> io::Result<bool> {
        Ok(self.nodelay.load(Ordering::Relaxed))
    }

    /// Recorded; it changes nothing in the simulation.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_linger(&self, dur: Option<Duration>) -> io::Result<()> {
        *self.linger.lock().unwrap_or_else(PoisonError::into_inner) = dur;
        Ok(())
    }

    /// What [`TcpStream::set_linger`] recorded.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        Ok(*self.linger.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Recorded; the simulation has no IP layer.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.ttl.store(ttl, Ordering::Relaxed);
        Ok(())
    }

    /// What [`TcpStream::set_ttl`] recorded (64 by default).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn ttl(&self) -> io::Result<u32> {
        Ok(self.ttl.load(Ordering::Relaxed))
    }

    /// Borrowed halves, to read and write at once in one task (e.g. `io::copy` both ways).
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        (ReadHalf { stream: self }, WriteHalf { stream: self })
    }

    /// Owned halves, to read in one task and write in another. Dropping the write half shuts
    /// the writing direction down.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        #[allow(
            clippy::arc_with_non_send_sync,
            reason = "the stream becomes Send + Sync when sim::net's stream does; the Arc is \
                      what tokio's halves share"
        )]
        let stream = Arc::new(self);
        (
            OwnedReadHalf {
                stream: stream.clone(),
            },
            OwnedWriteHalf {
                stream,
                shutdown_on_drop: true,
            },
        )
    }

    /// Not simulated: a `std` stream is a real socket.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        drop(stream);
        Err(unsupported(
            "TcpStream::from_std",
            "connect with tokio::net::TcpStream::connect instead",
        ))
    }

    /// Not simulated: there is no real socket to hand out.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        Err(unsupported(
            "TcpStream::into_std",
            "keep using the tokio stream",
        ))
    }

    fn poll_read_priv(&self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let dst = buf.initialize_unfilled();
        let mut io = self.io();
        match futures::io::AsyncRead::poll_read(Pin::new(&mut *io), cx, dst) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_write_priv(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        futures::io::AsyncWrite::poll_write(Pin::new(&mut *self.io()), cx, buf)
    }

    fn poll_shutdown_priv(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures::io::AsyncWrite::poll_close(Pin::new(&mut *self.io()), cx)
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.poll_read_priv(cx, buf)
    }
}

impl AsyncWrite for TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_priv(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_shutdown_priv(cx)
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local", &self.local)
            .field("peer", &self.peer)
            .finish()
    }
}

/// The reading half of [`TcpStream::split`].
#[derive(Debug)]
pub struct ReadHalf<'a> {
    pub(super) stream: &'a TcpStream,
}

/// The writing half of [`TcpStream::split`].
#[derive(Debug)]
pub struct WriteHalf<'a> {
    pub(super) stream: &'a TcpStream,
}

/// The reading half of [`TcpStream::into_split`].
#[derive(Debug)]
pub struct OwnedReadHalf {
    pub(super) stream: Arc<TcpStream>,
}

/// The writing half of [`TcpStream::into_split`]; dropping it shuts writing down.
#[derive(Debug)]
pub struct OwnedWriteHalf {
    pub(super) stream: Arc<TcpStream>,
    shutdown_on_drop: bool,
}

/// The halves given to [`OwnedReadHalf::reunite`] came from different streams.
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same socket")
    }
}

impl std::error::Error for ReuniteError {}

impl OwnedReadHalf {
    /// The stream again, from its two halves.
    ///
    /// # Errors
    /// [`ReuniteError`] when they come from different streams.
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        reunite(self, other)
    }

    /// The other end's address.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.stream.peer_addr()
    }

    /// This end's address.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.stream.local_addr()
    }
}

impl OwnedWriteHalf {
    /// The stream again, from its two halves.
    ///
    /// # Errors
    /// [`ReuniteError`] when they come from different streams.
    pub fn reunite(self, other: OwnedReadHalf) -> Result<TcpStream, ReuniteError> {
        reunite(other, self)
    }

    /// Drops the half without shutting writing down.
    pub fn forget(mut self) {
        self.shutdown_on_drop = false;
    }

    /// The other end's address.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.stream.peer_addr()
    }

    /// This end's address.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.stream.local_addr()
    }
}

fn reunite(read: OwnedReadHalf, mut write: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
    if !Arc::ptr_eq(&read.stream, &write.stream) {
        return Err(ReuniteError(read, write));
    }
    write.shutdown_on_drop = false;
    let stream = write.stream.clone();
    drop(write);
    drop(read);
    Ok(Arc::into_inner(stream).expect("both halves were given back"))
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if self.shutdown_on_drop && Arc::strong_count(&self.stream) > 1 {
            let mut cx = Context::from_waker(std::task::Waker::noop());
            let _ = self.stream.poll_shutdown_priv(&mut cx);
        }
    }
}

macro_rules! halves {
    ($($half:ty),*) => {$(
        impl AsyncRead for $half {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                self.stream.poll_read_priv(cx, buf)
            }
        }

        impl AsRef<TcpStream> for $half {
            fn as_ref(&self) -> &TcpStream {
                &self.stream
            }
        }
    )*};
}

macro_rules! write_halves {
    ($($half:ty),*) => {$(
        impl AsyncWrite for $half {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.stream.poll_write_priv(cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.stream.poll_shutdown_priv(cx)
            }
        }

        impl AsRef<TcpStream> for $half {
            fn as_ref(&self) -> &TcpStream {
                &self.stream
            }
        }
    )*};
}

halves!(ReadHalf<'_>, OwnedReadHalf);
write_halves!(WriteHalf<'_>, OwnedWriteHalf);
