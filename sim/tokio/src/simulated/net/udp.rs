//! `UdpSocket` over `sim::net`'s datagrams.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};

use super::addr::{Target, ToSocketAddrs, from_sim, to_sim};

/// A datagram socket (tokio's `net::UdpSocket`). Datagrams may be lost, duplicated or delayed
/// when the simulation's network is configured so; a datagram sent to a port nobody bound is
/// lost.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::net::UdpSocket;
/// let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
/// let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
/// a.send_to(b"hi", b.local_addr().unwrap()).await.unwrap();
/// let mut buf = [0; 8];
/// let (n, from) = b.recv_from(&mut buf).await.unwrap();
/// assert_eq!((&buf[..n], from), (&b"hi"[..], a.local_addr().unwrap()));
/// # });
/// ```
pub struct UdpSocket {
    inner: sim::net::UdpSocket,
    local: SocketAddr,
    peer: Mutex<Option<(SocketAddr, sim::net::Addr)>>,
    broadcast: Mutex<bool>,
}

impl UdpSocket {
    /// Binds `addr` on the caller's host; port 0 picks a free one.
    ///
    /// # Errors
    /// `AddrInUse`, `AddrNotAvailable`, `InvalidInput`.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let mut last = None;
        for t in addr.to_targets()? {
            let r = async {
                let inner = sim::net::UdpSocket::bind(to_sim(&t)?).await?;
                let port = inner.local_addr().port();
                let ip = match t {
                    Target::Ip(sa) if !sa.ip().is_unspecified() => sa.ip(),
                    _ => from_sim(&inner.local_addr()).ip(),
                };
                Ok::<_, io::Error>(UdpSocket {
                    inner,
                    local: SocketAddr::new(ip, port),
                    peer: Mutex::new(None),
                    broadcast: Mutex::new(false),
                })
            }
            .await;
            match r {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address")))
    }

    /// Sets the default destination of [`UdpSocket::send`] and the only source
    /// [`UdpSocket::recv`] accepts.
    ///
    /// # Errors
    /// When `addr` names no address.
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let t = addr.to_targets()?.into_iter().next().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "could not resolve to any address",
            )
        })?;
        let sim_addr = to_sim(&t)?;
        let sa = super::addr::resolve(&t);
        *self.peer.lock().unwrap_or_else(PoisonError::into_inner) = Some((sa, sim_addr));
        Ok(())
    }

    fn connected(&self) -> io::Result<(SocketAddr, sim::net::Addr)> {
        self.peer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotConnected,
                    "UdpSocket::send/recv before connect: call connect(addr) first or use send_to",
                )
            })
    }

    /// Sends `buf` to the connected address.
    ///
    /// # Errors
    /// `NotConnected` before [`UdpSocket::connect`].
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        let (_, to) = self.connected()?;
        self.inner.send_to(buf, to).await
    }

    /// Receives a datagram from the connected address (others are dropped, as the OS does).
    ///
    /// # Errors
    /// `NotConnected` before [`UdpSocket::connect`].
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let (_, from) = self.connected()?;
        loop {
            let (n, src) = self.inner.recv_from(buf).await?;
            if src == from
                || (from.host() == "localhost" && src.host() == sim::host::current().name())
            {
                return Ok(n);
            }
        }
    }

    /// Sends `buf` to `target`.
    ///
    /// # Errors
    /// When `target` names no address.
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let t = target.to_targets()?.into_iter().next().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "could not resolve to any address",
            )
        })?;
        self.inner.send_to(buf, to_sim(&t)?).await
    }

    /// Waits for a datagram; returns its length and sender.
    ///
    /// # Errors
    /// When the host crashed.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (n, from) = self.inner.recv_from(buf).await?;
        Ok((n, from_sim(&from)))
    }

    /// The bound address.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }

    /// The connected address.
    ///
    /// # Errors
    /// `NotConnected` before [`UdpSocket::connect`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.connected().map(|(a, _)| a)
    }

    /// Recorded; the simulation has no broadcast addresses.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        *self
            .broadcast
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = on;
        Ok(())
    }

    /// What [`UdpSocket::set_broadcast`] recorded.
    ///
    /// # Errors
    /// Never in the simulation.
    pub fn broadcast(&self) -> io::Result<bool> {
        Ok(*self
            .broadcast
            .lock()
            .unwrap_or_else(PoisonError::into_inner))
    }

    /// Not simulated: a `std` socket is a real one.
    ///
    /// # Errors
    /// Always (`Unsupported`).
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        drop(socket);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "UdpSocket::from_std is not simulated: bind with tokio::net::UdpSocket::bind instead",
        ))
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("addr", &self.local)
            .finish()
    }
}
