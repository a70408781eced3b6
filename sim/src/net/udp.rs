//! Datagrams: `UdpSocket`, unreliable messages between hosts.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::addr::{Addr, ToAddr};
use super::resolve::{bind_port, crashed, resolve};
use super::state::{UdpState, chance, now};
use super::world::{try_world, world};
use crate::host::{HostId, current_id};
use crate::rt::primitives;
use crate::time::{self, Instant, Sleep};

/// A datagram socket bound to an address of the calling task's host.
///
/// Each datagram travels alone: it may be lost, duplicated or overtaken as the run's
/// [`super::NetConfig`] says (every such fault is a recorded decision), it is lost when a
/// partition cuts the way or the destination host is down, and it is dropped when no socket is
/// bound at the destination when it is sent.
///
/// ```
/// use sim::net::UdpSocket;
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     let a = UdpSocket::bind("localhost:1000").await.unwrap();
///     let b = UdpSocket::bind("localhost:2000").await.unwrap();
///     a.send_to(b"hi", "localhost:2000").await.unwrap();
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await.unwrap();
///     assert_eq!(&buf[..n], b"hi");
///     assert_eq!(from, a.local_addr());
/// }).unwrap();
/// ```
pub struct UdpSocket {
    host: HostId,
    port: u16,
    id: u64,
    local: Addr,
    name: Arc<str>,
}

impl UdpSocket {
    /// Binds `addr` on the calling task's host (its name, `localhost` or `0.0.0.0`; port 0
    /// picks a free port).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let s = sim::net::UdpSocket::bind("0.0.0.0:53").await.unwrap();
    ///     assert_eq!(s.local_addr().to_string(), "main:53");
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// `AddrInUse` when the port is taken, `AddrNotAvailable` for another host's address,
    /// `InvalidInput` for text that is not `host:port`.
    pub async fn bind(addr: impl ToAddr) -> io::Result<UdpSocket> {
        let addr = addr.to_addr()?;
        crate::task::maybe_yield().await;
        let world = world("UdpSocket::bind");
        let me = current_id("UdpSocket::bind");
        let mut w = world.borrow_mut();
        let port = bind_port(&mut w, me, &addr, "UdpSocket::bind", |w, p| {
            w.net.udp.contains_key(&(me, p))
        })?;
        let id = w.net.next_id();
        w.net.udp.insert(
            (me, port),
            UdpState {
                id,
                queue: Default::default(),
                held: Default::default(),
                wakers: Default::default(),
            },
        );
        let local = Addr::from_rc(w.name(me), port);
        let name = local.to_string().into();
        Ok(UdpSocket {
            host: me,
            port,
            id,
            local,
            name,
        })
    }

    /// The bound address.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     let s = sim::net::UdpSocket::bind("localhost:0").await.unwrap();
    ///     assert_eq!(s.local_addr().host(), "main");
    /// }).unwrap();
    /// ```
    pub fn local_addr(&self) -> Addr {
        self.local.clone()
    }

    /// Sends one datagram to `addr`; returns its length at once (delivery is not confirmed).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(1);
    /// sim.run(async {
    ///     sim::host::host("nobody");
    ///     let s = sim::net::UdpSocket::bind("localhost:0").await.unwrap();
    ///     // Nothing listens there: the datagram is silently dropped, as on a real network.
    ///     assert_eq!(s.send_to(b"x", "nobody:9").await.unwrap(), 1);
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// `NotFound` for an unknown host, `InvalidInput` for text that is not `host:port`,
    /// `ConnectionAborted` when this socket's host crashed.
    pub async fn send_to(&self, buf: &[u8], addr: impl ToAddr) -> io::Result<usize> {
        let addr = addr.to_addr()?;
        crate::task::maybe_yield().await;
        let world = world("UdpSocket::send_to");
        let waker = {
            let mut w = world.borrow_mut();
            if w.net
                .udp
                .get(&(self.host, self.port))
                .is_none_or(|s| s.id != self.id)
            {
                return Err(crashed());
            }
            let me = self.host;
            let dst = resolve(&w, me, &addr)?;
            let key = (dst, addr.port());
            if !w.host(dst).up || w.net.is_cut(me, dst) || !w.net.udp.contains_key(&key) {
                drop(w);
                crate::log!("net: datagram {} -> {addr} lost (no route)", self.local);
                return Ok(buf.len());
            }
            let faulty = me != dst;
            if faulty && chance(w.net.config().loss) {
                drop(w);
                crate::log!("net: datagram {} -> {addr} lost", self.local);
                return Ok(buf.len());
            }
            let copies = if faulty && chance(w.net.config().duplicate) {
                2
            } else {
                1
            };
            for _ in 0..copies {
                let mut delay = w.net.latency(me, dst);
                if faulty && chance(w.net.config().reorder) {
                    delay += w.net.config().max_latency.as_nanos() as u64;
                }
                w.net.deliver(key, (me, self.local.clone()), buf, delay);
            }
            w.net.udp_wake(key)
        };
        for wk in waker {
            wk.wake();
        }
        Ok(buf.len())
    }

    /// Waits for the next datagram (the earliest arrived, ties in send order), copies it into
    /// `buf` (truncating a longer one, as real sockets do) and returns its length and sender.
    /// See [`UdpSocket`] for an example.
    ///
    /// # Errors
    /// `ConnectionAborted` when this socket's host crashed.
    pub fn recv_from<'a>(&'a self, buf: &'a mut [u8]) -> RecvFrom<'a> {
        RecvFrom {
            socket: self,
            buf,
            timer: None,
            yielded: false,
        }
    }
}

/// Future of [`UdpSocket::recv_from`].
#[must_use = "futures do nothing unless awaited"]
pub struct RecvFrom<'a> {
    socket: &'a UdpSocket,
    buf: &'a mut [u8],
    timer: Option<Sleep>,
    yielded: bool,
}

impl Future for RecvFrom<'_> {
    type Output = io::Result<(usize, Addr)>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let s = this.socket;
        let key = (s.host, s.port);
        let world = world("UdpSocket::recv_from");
        let next = {
            let w = world.borrow();
            if w.net.udp.get(&key).is_none_or(|u| u.id != s.id) {
                return Poll::Ready(Err(crashed()));
            }
            match w.net.udp_next_arrival(key) {
                Some(t) if t <= now() => Ok(()),
                other => Err(other),
            }
        };
        match next {
            Ok(()) => {
                if !this.yielded && primitives::preemption_point(cx) {
                    this.yielded = true;
                    return Poll::Pending;
                }
                this.yielded = false;
                this.timer = None;
                let taken = world.borrow_mut().net.udp_take(key, now());
                let Ok(d) = taken else {
                    // Another receiver of this socket took it while we were switched away.
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                };
                let n = d.data.len().min(this.buf.len());
                this.buf[..n].copy_from_slice(&d.data[..n]);
                Poll::Ready(Ok((n, d.from)))
            }
            Err(at) => {
                if let Some(t) = at {
                    if this.timer.as_ref().map(|s| s.deadline().as_nanos()) != Some(t) {
                        this.timer = Some(time::sleep_until(Instant::from_nanos(t)));
                    }
                    if let Some(timer) = this.timer.as_mut() {
                        let _ = Pin::new(timer).poll(cx);
                    }
                } else {
                    this.timer = None;
                }
                if let Some(u) = world.borrow_mut().net.udp.get_mut(&key) {
                    u.wakers.register(cx.waker());
                }
                primitives::wait_on("UdpSocket::recv_from", Some(&s.name), None);
                Poll::Pending
            }
        }
    }
}

impl Drop for UdpSocket {
    fn drop(&mut self) {
        let Some(world) = try_world() else { return };
        let Some(mut w) = world.try_borrow_mut() else {
            return;
        };
        let key = (self.host, self.port);
        if w.net.udp.get(&key).is_some_and(|s| s.id == self.id) {
            let gone = w.net.udp.remove(&key);
            drop(w);
            drop(gone);
        }
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UdpSocket({})", self.local)
    }
}
