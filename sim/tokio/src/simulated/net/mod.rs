//! Networking with tokio's API over `sim::net`: no real socket is ever opened.
//!
//! A test process is one simulated host (`main`): `127.0.0.1`, `localhost`, `0.0.0.0` and `::1`
//! all name it, so a server bound to `127.0.0.1:0` and a client connecting to its
//! `local_addr()` in the same test talk as they do under tokio. Other hosts are created with
//! `sim::host::host("10.0.0.2")` and tasks spawned on them; address them by that IP (see the
//! `addr` mapping for hosts named otherwise). Links between hosts have the latency, loss and
//! partitions `sim::net` configures; traffic within a host is instantaneous.

mod addr;
mod ready;
mod socket;
mod stream;
mod udp;

use std::io;
use std::net::SocketAddr;

pub use addr::ToSocketAddrs;
pub use socket::TcpSocket;
pub use stream::{TcpListener, TcpStream};
pub use udp::UdpSocket;

/// TCP halves (tokio's `net::tcp`).
pub mod tcp {
    pub use super::stream::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
}

/// Resolves `host` to socket addresses: IP addresses are themselves, `localhost` is
/// `127.0.0.1`, a simulated host's name is its stable address.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let addrs: Vec<_> = tokio::net::lookup_host("localhost:80").await.unwrap().collect();
/// assert_eq!(addrs, ["127.0.0.1:80".parse().unwrap()]);
/// # });
/// ```
///
/// # Errors
/// When `host` is not of the form `host:port`.
pub async fn lookup_host<T: ToSocketAddrs>(
    host: T,
) -> io::Result<impl Iterator<Item = SocketAddr>> {
    let targets = host.to_targets()?;
    Ok(targets
        .iter()
        .map(addr::resolve)
        .collect::<Vec<_>>()
        .into_iter())
}
