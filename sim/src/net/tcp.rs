//! Streams: `TcpListener` and `TcpStream`, reliable ordered byte streams between hosts.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::io::{AsyncRead, AsyncWrite};

use super::addr::{Addr, ToAddr};
use super::resolve::{bind_port, resolve, wait_until};
use super::state::{NetState, Readable, now};
use super::world::{try_world, world};
use crate::host::{HostId, current_id};
use crate::rt::hosts::Core;
use crate::rt::{context, primitives};
use crate::time::{self, Instant, Sleep};

/// Accepts stream connections on an address of the calling task's host.
///
/// Dropping it closes the port; connections queued but not yet accepted are reset.
///
/// ```
/// use futures::{AsyncReadExt, AsyncWriteExt};
/// use sim::net::{TcpListener, TcpStream};
///
/// let mut sim = sim::Sim::new(1);
/// let reply = sim.run(async {
///     sim::host::host("server").spawn(async {
///         let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
///         let (mut s, _peer) = listener.accept().await.unwrap();
///         let mut buf = [0; 5];
///         s.read_exact(&mut buf).await.unwrap();
///         s.write_all(&buf).await.unwrap();
///     });
///     sim::time::sleep(std::time::Duration::from_millis(1)).await; // let it bind
///     let mut c = TcpStream::connect("server:7").await.unwrap();
///     c.write_all(b"hello").await.unwrap();
///     let mut buf = Vec::new();
///     c.read_to_end(&mut buf).await.unwrap();
///     buf
/// }).unwrap();
/// assert_eq!(reply, b"hello");
/// ```
pub struct TcpListener {
    host: HostId,
    port: u16,
    id: u64,
    local: Addr,
    name: Arc<str>,
}

impl TcpListener {
    /// Listens on `addr`, whose host must be the calling task's own (its name, `localhost` or
    /// `0.0.0.0`); port 0 picks a free port.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let a = sim::net::TcpListener::bind("localhost:80").await.unwrap();
    ///     assert_eq!(a.local_addr().to_string(), "main:80");
    ///     let err = sim::net::TcpListener::bind("localhost:80").await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// `AddrInUse` when the port is taken, `AddrNotAvailable` for another host's address,
    /// `InvalidInput` for text that is not `host:port`.
    pub async fn bind(addr: impl ToAddr) -> io::Result<TcpListener> {
        let addr = addr.to_addr()?;
        crate::task::maybe_yield().await;
        TcpListener::bind_now(addr)
    }

    /// [`TcpListener::bind`] from synchronous code (tokio's `TcpSocket::listen` is not
    /// `async`): no preemption point.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let l = sim::net::TcpListener::bind_now("localhost:0").unwrap();
    ///     assert!(l.local_addr().port() >= 49152);
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// As [`TcpListener::bind`].
    pub fn bind_now(addr: impl ToAddr) -> io::Result<TcpListener> {
        let addr = addr.to_addr()?;
        let world = world("TcpListener::bind");
        let me = current_id("TcpListener::bind");
        let mut w = world.borrow_mut();
        let port = bind_port(&mut w, me, &addr, "TcpListener::bind", |w, p| {
            w.net.listeners.contains_key(&(me, p))
        })?;
        let id = w.net.next_id();
        w.net.listeners.insert(
            (me, port),
            super::state::Listener {
                id,
                backlog: Default::default(),
                wakers: Default::default(),
            },
        );
        let local = Addr::from_rc(w.name(me), port);
        let name: Arc<str> = local.to_string().into();
        Ok(TcpListener {
            host: me,
            port,
            id,
            local,
            name,
        })
    }

    /// The address it listens on.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let l = sim::net::TcpListener::bind("localhost:0").await.unwrap();
    ///     assert!(l.local_addr().port() >= 49152);
    /// }).unwrap();
    /// ```
    pub fn local_addr(&self) -> Addr {
        self.local.clone()
    }

    /// Waits for the next connection and returns it with the peer's address. See
    /// [`TcpListener`] for an example.
    ///
    /// # Errors
    /// `ConnectionAborted` when the host crashed.
    pub fn accept(&self) -> Accept<'_> {
        Accept {
            listener: self,
            yielded: false,
        }
    }
}

/// Future of [`TcpListener::accept`].
#[must_use = "futures do nothing unless awaited"]
pub struct Accept<'a> {
    listener: &'a TcpListener,
    yielded: bool,
}

impl Future for Accept<'_> {
    type Output = io::Result<(TcpStream, Addr)>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let l = self.listener;
        let world = world("TcpListener::accept");
        let key = (l.host, l.port);
        let ready = {
            let w = world.borrow();
            match w.net.listeners.get(&key).filter(|s| s.id == l.id) {
                None => return Poll::Ready(Err(super::resolve::crashed())),
                Some(s) => !s.backlog.is_empty(),
            }
        };
        if !ready {
            if let Some(s) = world.borrow_mut().net.listeners.get_mut(&key) {
                s.wakers.register(cx.waker());
            }
            primitives::wait_on("TcpListener::accept", Some(&l.name), None);
            return Poll::Pending;
        }
        if !self.yielded && primitives::preemption_point(cx) {
            self.yielded = true;
            return Poll::Pending;
        }
        self.yielded = false;
        let mut w = world.borrow_mut();
        let Some(conn) = w
            .net
            .listeners
            .get_mut(&key)
            .and_then(|s| s.backlog.pop_front())
        else {
            drop(w);
            cx.waker().wake_by_ref();
            return Poll::Pending;
        };
        let c = &w.net.conns[&conn];
        let (local, peer) = (c.ends[1].local.clone(), c.ends[0].local.clone());
        drop(w);
        Poll::Ready(Ok((TcpStream::new(conn, 1, local, peer.clone()), peer)))
    }
}

impl Drop for TcpListener {
    fn drop(&mut self) {
        let Some(world) = try_world() else { return };
        let Some(mut w) = world.try_borrow_mut() else {
            return;
        };
        let key = (self.host, self.port);
        if w.net.listeners.get(&key).is_none_or(|s| s.id != self.id) {
            return;
        }
        let l = w.net.listeners.remove(&key).expect("checked");
        let now = now();
        let wakers: Vec<_> = l
            .backlog
            .iter()
            .filter_map(|c| w.net.abort(*c, 1, now))
            .collect();
        drop(w);
        drop(l);
        for wk in wakers {
            wk.wake();
        }
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TcpListener({})", self.local)
    }
}

/// A connected byte stream; implements [`futures::io::AsyncRead`] and
/// [`futures::io::AsyncWrite`], so code written against those traits runs unmodified.
///
/// Bytes arrive in order after the link's latency; a write never blocks (buffers are
/// unbounded). Across a partition bytes wait until it is repaired. `close()` (or
/// [`AsyncWrite::poll_close`]) shuts down writing: the peer reads end of stream. Dropping the
/// stream closes it; if bytes were left unread the peer sees a reset instead. After the peer's
/// host crashed, reads and writes fail with `ConnectionReset`.
///
/// ```
/// use futures::{AsyncReadExt, AsyncWriteExt};
/// use sim::net::{TcpListener, TcpStream};
/// let mut sim = sim::Sim::new(2);
/// sim.run(async {
///     let l = TcpListener::bind("localhost:9").await.unwrap();
///     let mut c = TcpStream::connect("localhost:9").await.unwrap();
///     let (mut s, _) = l.accept().await.unwrap();
///     c.write_all(b"ping").await.unwrap();
///     c.close().await.unwrap();
///     let mut got = String::new();
///     s.read_to_string(&mut got).await.unwrap();
///     assert_eq!(got, "ping");
/// }).unwrap();
/// ```
pub struct TcpStream {
    conn: u64,
    end: usize,
    local: Addr,
    peer: Addr,
    name: Arc<str>,
    timer: Option<Sleep>,
    /// A read would not wait: the first segment had arrived (or the end was closed) when this
    /// stream last looked, and that lasts until it reads (see `NetState::readable`). Spares a
    /// read of a backlog the look before its preemption point.
    arrived: bool,
    read_yielded: bool,
    write_yielded: bool,
}

impl TcpStream {
    fn new(conn: u64, end: usize, local: Addr, peer: Addr) -> TcpStream {
        let name = format!("{local} -> {peer}").into();
        TcpStream {
            conn,
            end,
            local,
            peer,
            name,
            timer: None,
            arrived: false,
            read_yielded: false,
            write_yielded: false,
        }
    }

    /// Connects to a listener at `addr` (`localhost` is the caller's own host). Takes one round
    /// trip of link latency.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     sim::host::host("server");
    ///     let e = sim::net::TcpStream::connect("server:80").await.unwrap_err();
    ///     assert_eq!(e.kind(), ErrorKind::ConnectionRefused);
    ///     assert_eq!(sim::time::elapsed(), std::time::Duration::from_millis(2));
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// `ConnectionRefused` when nothing listens there; `TimedOut` after the configured connect
    /// timeout when the host is down or a partition cuts the way; `NotFound` for an unknown
    /// host; `InvalidInput` for text that is not `host:port`.
    pub async fn connect(addr: impl ToAddr) -> io::Result<TcpStream> {
        let addr = addr.to_addr()?;
        // The world is looked up again after each wait, never held across one: the future
        // stays `Send` (tokio's `connect` is).
        let me = current_id("TcpStream::connect");
        let name: Arc<str> = addr.to_string().into();
        let op = "TcpStream::connect";
        let start = now();
        let (dst, syn, deadline) = {
            let world = world(op);
            let w = world.borrow();
            let dst = resolve(&w, me, &addr)?;
            let reachable = w.host(dst).up && !w.net.is_blocked(me, dst);
            let syn = reachable.then(|| w.net.latency(me, dst));
            let timeout = w.net.config().connect_timeout.as_nanos() as u64;
            (dst, syn, start.saturating_add(timeout))
        };
        let timed_out = || {
            io::Error::new(
                io::ErrorKind::TimedOut,
                format!("connecting to {addr} timed out: the host is down or unreachable"),
            )
        };
        let Some(syn) = syn else {
            wait_until(deadline, op, &name).await;
            return Err(timed_out());
        };
        wait_until(start + syn, op, &name).await;
        // The connection request reaches the destination now, unless the host went down or a
        // partition cut the way while it travelled.
        let outcome = {
            let world = world(op);
            let mut w = world.borrow_mut();
            if !w.host(dst).up || w.net.is_blocked(me, dst) {
                None
            } else {
                let back = (!w.net.is_blocked(dst, me)).then(|| w.net.latency(dst, me));
                let listening = w.net.listeners.contains_key(&(dst, addr.port()));
                let conn = if listening {
                    let port = w.net.ephemeral_port(me);
                    let local = Addr::from_rc(w.name(me), port);
                    let server = Addr::from_rc(w.name(dst), addr.port());
                    let conn = w.net.new_conn((me, local), (dst, server));
                    let l = w
                        .net
                        .listeners
                        .get_mut(&(dst, addr.port()))
                        .expect("checked");
                    l.backlog.push_back(conn);
                    Some((conn, l.wakers.take()))
                } else {
                    None
                };
                Some((back, conn))
            }
        };
        let Some((back, conn)) = outcome else {
            wait_until(deadline, op, &name).await;
            return Err(timed_out());
        };
        let guard = conn.map(|(c, wakers)| {
            for wk in wakers {
                wk.wake();
            }
            PendingEnd(c)
        });
        let Some(back) = back else {
            // The answer cannot come back.
            wait_until(deadline, op, &name).await;
            return Err(timed_out());
        };
        wait_until(now() + back, op, &name).await;
        let Some(guard) = guard else {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionRefused,
                format!("connection refused: nothing listens on {addr}"),
            ));
        };
        let c = guard.defuse();
        let world = world(op);
        let w = world.borrow();
        let Some(conn) = w.net.conns.get(&c) else {
            return Err(super::resolve::crashed());
        };
        let local = conn.ends[0].local.clone();
        let peer = conn.ends[1].local.clone();
        Ok(TcpStream::new(c, 0, local, peer))
    }

    /// This end's address (the client side gets an ephemeral port).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let _l = sim::net::TcpListener::bind("localhost:1").await.unwrap();
    ///     let c = sim::net::TcpStream::connect("localhost:1").await.unwrap();
    ///     assert_eq!(c.peer_addr().to_string(), "main:1");
    ///     assert_eq!(c.local_addr().host(), "main");
    /// }).unwrap();
    /// ```
    pub fn local_addr(&self) -> Addr {
        self.local.clone()
    }

    /// The other end's address.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let l = sim::net::TcpListener::bind("localhost:1").await.unwrap();
    ///     let c = sim::net::TcpStream::connect("localhost:1").await.unwrap();
    ///     let (s, from) = l.accept().await.unwrap();
    ///     assert_eq!(s.peer_addr(), c.local_addr());
    ///     assert_eq!(from, c.local_addr());
    /// }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> Addr {
        self.peer.clone()
    }
}

/// Closes the client end of a connection whose `connect` future was dropped half-way.
struct PendingEnd(u64);

impl PendingEnd {
    fn defuse(self) -> u64 {
        let c = self.0;
        std::mem::forget(self);
        c
    }
}

impl Drop for PendingEnd {
    fn drop(&mut self) {
        close_end(self.0, 0);
    }
}

fn close_end(conn: u64, end: usize) {
    let Some(world) = try_world() else { return };
    let Some(mut w) = world.try_borrow_mut() else {
        return;
    };
    let waker = w.net.close(conn, end, now());
    drop(w);
    if let Some(wk) = waker {
        wk.wake();
    }
}

impl TcpStream {
    /// Ready once bytes (or the end of the stream, or a reset) have arrived: after a preemption
    /// point, as a read's. Registers the task's waker while not ready.
    fn poll_arrived(
        &mut self,
        core: &Core,
        now: u64,
        cx: &mut Context<'_>,
        op: &'static str,
    ) -> Poll<()> {
        let readable = if self.arrived {
            Readable::Ready
        } else {
            core.with_plugin(|_, net: &mut NetState| net.readable(self.conn, self.end, now))
        };
        match readable {
            Readable::Ready => {
                self.arrived = true;
                if !self.read_yielded && preemption_point(core, cx) {
                    self.read_yielded = true;
                    return Poll::Pending;
                }
                self.read_yielded = false;
                self.timer = None;
                Poll::Ready(())
            }
            Readable::At(t) => {
                if self.timer.as_ref().map(|s| s.deadline().as_nanos()) != Some(t) {
                    self.timer = Some(time::sleep_until(Instant::from_nanos(t)));
                }
                if let Some(timer) = self.timer.as_mut() {
                    let _ = Pin::new(timer).poll(cx);
                }
                core.with_plugin(|_, net: &mut NetState| {
                    net.set_read_waker(self.conn, self.end, cx.waker());
                });
                primitives::wait_on(op, Some(&self.name), None);
                Poll::Pending
            }
            Readable::Wait => {
                self.timer = None;
                core.with_plugin(|_, net: &mut NetState| {
                    net.set_read_waker(self.conn, self.end, cx.waker());
                });
                primitives::wait_on(op, Some(&self.name), None);
                Poll::Pending
            }
        }
    }

    /// Waits until a read would not wait (bytes, the end of the stream or a reset arrived),
    /// as tokio's `readable`: a preemption point, then ready.
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let l = sim::net::TcpListener::bind("localhost:1").await.unwrap();
    ///     let mut c = sim::net::TcpStream::connect("localhost:1").await.unwrap();
    ///     let (mut s, _) = l.accept().await.unwrap();
    ///     c.write_all(b"hi").await.unwrap();
    ///     std::future::poll_fn(|cx| s.poll_read_ready(cx)).await;
    ///     let mut buf = [0; 2];
    ///     assert_eq!(s.try_read(&mut buf).unwrap(), 2);
    /// }).unwrap();
    /// ```
    pub fn poll_read_ready(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let op = "TcpStream::readable";
        context::with(op, |core| self.poll_arrived(core, now_of(core), cx, op))
    }

    /// Reads what has arrived without waiting and without a preemption point: `WouldBlock` when
    /// nothing has (tokio's `try_read`); `Ok(0)` at the end of the stream.
    ///
    /// # Errors
    /// `WouldBlock` when nothing has arrived; `ConnectionReset` after a reset.
    pub fn try_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let world = world("TcpStream::try_read");
        if buf.is_empty() {
            return Ok(0);
        }
        let now = now();
        let readable = world.borrow().net.readable(self.conn, self.end, now);
        match readable {
            Readable::Ready => {
                let (r, arrived) = world.borrow_mut().net.read(self.conn, self.end, now, buf);
                self.arrived = arrived;
                r
            }
            Readable::At(_) | Readable::Wait => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    /// Copies what has arrived into `buf` without consuming it, waiting (with a preemption point)
    /// until something has, as tokio's `peek`. `Ok(0)` at the end of the stream.
    ///
    /// ```
    /// use futures::io::{AsyncReadExt, AsyncWriteExt};
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let l = sim::net::TcpListener::bind("localhost:1").await.unwrap();
    ///     let mut c = sim::net::TcpStream::connect("localhost:1").await.unwrap();
    ///     let (mut s, _) = l.accept().await.unwrap();
    ///     c.write_all(b"hi").await.unwrap();
    ///     let mut buf = [0; 2];
    ///     std::future::poll_fn(|cx| s.poll_peek(cx, &mut buf)).await.unwrap();
    ///     assert_eq!(&buf, b"hi");
    ///     s.read_exact(&mut buf).await.unwrap(); // still there
    ///     assert_eq!(&buf, b"hi");
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// `ConnectionReset` after a reset.
    pub fn poll_peek(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let op = "TcpStream::peek";
        context::with(op, |core| {
            let now = now_of(core);
            match self.poll_arrived(core, now, cx, op) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(()) => {
                    Poll::Ready(core.with_plugin(|_, net: &mut NetState| {
                        net.peek(self.conn, self.end, now, buf)
                    }))
                }
            }
        })
    }

    /// Writes without a preemption point (tokio's `try_write`; writes never wait here).
    ///
    /// # Errors
    /// As a write's: `ConnectionReset`, `BrokenPipe` after a shutdown.
    pub fn try_write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let world = world("TcpStream::try_write");
        let (r, waker) = world
            .borrow_mut()
            .net
            .write(self.conn, self.end, now(), buf);
        if let Some(w) = waker {
            w.wake();
        }
        r
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let op = "TcpStream::read";
        context::with(op, |core| {
            let now = now_of(core);
            match this.poll_arrived(core, now, cx, op) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(()) => {
                    let (r, arrived) = core.with_plugin(|_, net: &mut NetState| {
                        net.read(this.conn, this.end, now, buf)
                    });
                    this.arrived = arrived;
                    Poll::Ready(r)
                }
            }
        })
    }
}

impl AsyncWrite for TcpStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let done = context::with("TcpStream::write", |core| {
            if !this.write_yielded && preemption_point(core, cx) {
                this.write_yielded = true;
                return None;
            }
            this.write_yielded = false;
            let now = now_of(core);
            Some(core.with_plugin(|_, net: &mut NetState| net.write(this.conn, this.end, now, buf)))
        });
        let Some((r, waker)) = done else {
            return Poll::Pending;
        };
        if let Some(w) = waker {
            w.wake();
        }
        Poll::Ready(r)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let world = world("TcpStream::close");
        let waker = world.borrow_mut().net.shutdown(self.conn, self.end, now());
        if let Some(w) = waker {
            w.wake();
        }
        Poll::Ready(Ok(()))
    }
}

/// The preemption point of a stream's read or write, on the run at hand.
fn preemption_point(core: &Core, cx: &mut Context<'_>) -> bool {
    primitives::preemption_point_in(core, "a sim operation", None, cx)
}

/// The run's time in nanoseconds.
fn now_of(core: &Core) -> u64 {
    core.now().as_nanos()
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        self.timer = None;
        close_end(self.conn, self.end);
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TcpStream({})", self.name)
    }
}
