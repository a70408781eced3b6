//! Name resolution, port binding and named waits shared by streams and datagrams.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;

use futures::future::poll_fn;

use super::addr::Addr;
use super::world::NetWorld;
use crate::host::HostId;
use crate::rt::primitives;
use crate::time::{self, Instant};

/// The host `addr` names, seen from `me` (`localhost` is `me`).
pub(crate) fn resolve(w: &NetWorld<'_>, me: HostId, addr: &Addr) -> io::Result<HostId> {
    if addr.host() == "localhost" {
        return Ok(me);
    }
    w.lookup(addr.host()).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "unknown host `{}` in address {addr}: create it first with \
                 sim::host::host(\"{}\")",
                addr.host(),
                addr.host()
            ),
        )
    })
}

/// The port to bind on `me` for `addr`: the host part must be `me`'s own.
pub(crate) fn bind_port(
    w: &mut NetWorld<'_>,
    me: HostId,
    addr: &Addr,
    api: &str,
    taken: impl Fn(&NetWorld<'_>, u16) -> bool,
) -> io::Result<u16> {
    let own = w.name(me);
    if !matches!(addr.host(), "0.0.0.0" | "localhost") && addr.host() != &*own {
        return Err(io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!(
                "{api}({addr}) from a task on host `{own}`: a task can only bind its own host's \
                 addresses; bind `0.0.0.0:{}` in a task spawned with \
                 sim::host::host(\"{}\").spawn(..)",
                addr.port(),
                addr.host()
            ),
        ));
    }
    if addr.port() == 0 {
        return Ok(w.net.ephemeral_port(me));
    }
    if taken(w, addr.port()) {
        return Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!(
                "{api}({addr}): port {} on host `{own}` is already bound; drop the other socket \
                 first or pick another port (0 picks a free one)",
                addr.port()
            ),
        ));
    }
    Ok(addr.port())
}

/// Sleeps until `t` (nanoseconds), naming the wait `op` on `name` for deadlock reports.
pub(crate) async fn wait_until(t: u64, op: &'static str, name: &Arc<str>) {
    let mut sleep = time::sleep_until(Instant::from_nanos(t));
    poll_fn(|cx| {
        let r = Pin::new(&mut sleep).poll(cx);
        if r.is_pending() {
            primitives::wait_on(op, Some(name), None);
        }
        r
    })
    .await;
}

/// The error of a read or write on a stream whose peer reset it.
pub(crate) fn reset_by_peer() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "connection reset by peer")
}

pub(crate) fn crashed() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "this socket's host crashed: the socket no longer exists",
    )
}
