//! `TcpSocket`: tokio's way to set socket options before listening or connecting. The options
//! are kept and read back; the simulation has no kernel buffers or keep-alive, so they change
//! nothing but what the getters return (`nodelay` carries over to the stream).

use std::io;
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::stream::{TcpListener, TcpStream};

/// A TCP socket not yet listening or connected (tokio's `net::TcpSocket`).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::net::TcpSocket;
/// let socket = TcpSocket::new_v4().unwrap();
/// socket.set_reuseaddr(true).unwrap();
/// socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
/// let listener = socket.listen(1024).unwrap();
/// let addr = listener.local_addr().unwrap();
/// let stream = TcpSocket::new_v4().unwrap().connect(addr).await.unwrap();
/// assert_eq!(stream.peer_addr().unwrap(), addr);
/// # });
/// ```
#[derive(Debug)]
pub struct TcpSocket {
    v6: bool,
    state: Mutex<Options>,
}

#[derive(Debug, Default)]
struct Options {
    bound: Option<SocketAddr>,
    keepalive: bool,
    reuseaddr: bool,
    reuseport: bool,
    nodelay: bool,
    send_buffer: Option<u32>,
    recv_buffer: Option<u32>,
    linger: Option<Duration>,
}

/// Kernel buffer size the getters report until one is set (Linux's default is about this).
const DEFAULT_BUFFER: u32 = 212_992;

impl TcpSocket {
    /// A new IPv4 socket.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn new_v4() -> io::Result<TcpSocket> {
        Ok(TcpSocket::new(false))
    }

    /// A new IPv6 socket.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn new_v6() -> io::Result<TcpSocket> {
        Ok(TcpSocket::new(true))
    }

    fn new(v6: bool) -> TcpSocket {
        TcpSocket {
            v6,
            state: Mutex::new(Options::default()),
        }
    }

    fn options(&self) -> std::sync::MutexGuard<'_, Options> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets `SO_KEEPALIVE` (kept, no effect in the simulation).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        self.options().keepalive = keepalive;
        Ok(())
    }

    /// `SO_KEEPALIVE` as set.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn keepalive(&self) -> io::Result<bool> {
        Ok(self.options().keepalive)
    }

    /// Sets `SO_REUSEADDR` (kept; a simulated port is free again as soon as it is closed).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()> {
        self.options().reuseaddr = reuseaddr;
        Ok(())
    }

    /// `SO_REUSEADDR` as set.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        Ok(self.options().reuseaddr)
    }

    /// Sets `SO_REUSEPORT` (kept; two listeners on one port are still refused).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_reuseport(&self, reuseport: bool) -> io::Result<()> {
        self.options().reuseport = reuseport;
        Ok(())
    }

    /// `SO_REUSEPORT` as set.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn reuseport(&self) -> io::Result<bool> {
        Ok(self.options().reuseport)
    }

    /// Sets the send buffer size (kept, no effect: simulated writes never wait).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.options().send_buffer = Some(size);
        Ok(())
    }

    /// The send buffer size as set (a typical default before).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        Ok(self.options().send_buffer.unwrap_or(DEFAULT_BUFFER))
    }

    /// Sets the receive buffer size (kept, no effect).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.options().recv_buffer = Some(size);
        Ok(())
    }

    /// The receive buffer size as set (a typical default before).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        Ok(self.options().recv_buffer.unwrap_or(DEFAULT_BUFFER))
    }

    /// Sets `SO_LINGER` (carried over to the stream's `linger`).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_linger(&self, dur: Option<Duration>) -> io::Result<()> {
        self.options().linger = dur;
        Ok(())
    }

    /// `SO_LINGER` as set.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        Ok(self.options().linger)
    }

    /// Sets `TCP_NODELAY` (carried over to the stream's `nodelay`).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.options().nodelay = nodelay;
        Ok(())
    }

    /// `TCP_NODELAY` as set.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn nodelay(&self) -> io::Result<bool> {
        Ok(self.options().nodelay)
    }

    /// The address given to [`TcpSocket::bind`]. Port 0 stays 0 here: the simulation picks the
    /// port at [`TcpSocket::listen`] (the listener's `local_addr` has it).
    ///
    /// # Errors
    /// `InvalidInput` before `bind` (the OS would report an unspecified address).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.options().bound.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "TcpSocket::local_addr before bind: the simulation has no address for it yet",
            )
        })
    }

    /// No pending error (the simulation reports errors where they happen).
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        Ok(None)
    }

    /// Gives the socket its address (for [`TcpSocket::listen`]; a connecting socket's local
    /// port is picked by the simulation whatever it is bound to).
    ///
    /// # Errors
    /// `InvalidInput` for an address of the other IP family.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        if addr.is_ipv6() != self.v6 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "TcpSocket::bind({addr}) on an IPv{} socket: make it with new_v{}",
                    if self.v6 { 6 } else { 4 },
                    if addr.is_ipv6() { 6 } else { 4 }
                ),
            ));
        }
        self.options().bound = Some(addr);
        Ok(())
    }

    /// Connects to `addr`, as [`TcpStream::connect`], with this socket's options.
    ///
    /// # Errors
    /// As [`TcpStream::connect`].
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = TcpStream::connect(addr).await?;
        let (nodelay, linger) = {
            let o = self.options();
            (o.nodelay, o.linger)
        };
        stream.set_nodelay(nodelay)?;
        stream.set_linger(linger)?;
        Ok(stream)
    }

    /// Listens on the bound address (`0.0.0.0:0` when never bound); `backlog` is accepted and
    /// ignored (the simulated backlog is unbounded).
    ///
    /// # Errors
    /// `AddrInUse` when another listener has the port; `AddrNotAvailable` for another host's
    /// address.
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        let _ = backlog;
        let addr = self.options().bound.unwrap_or_else(|| {
            let any: std::net::IpAddr = if self.v6 {
                std::net::Ipv6Addr::UNSPECIFIED.into()
            } else {
                std::net::Ipv4Addr::UNSPECIFIED.into()
            };
            SocketAddr::new(any, 0)
        });
        TcpListener::bind_now(addr)
    }

    /// Not simulated: a `std` stream is a real socket.
    ///
    /// # Panics
    /// Always, naming what to use instead (tokio's returns the socket; there is none here).
    pub fn from_std_stream(stream: std::net::TcpStream) -> TcpSocket {
        drop(stream);
        panic!(
            "TcpSocket::from_std_stream is not simulated (a std stream is a real socket): make \
             one with TcpSocket::new_v4()"
        )
    }
}
