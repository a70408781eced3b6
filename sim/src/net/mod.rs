//! A simulated network: named hosts, streams and datagrams, with seeded latency, loss,
//! duplication, reordering, partitions and crashes. Nothing here touches a real socket.
//!
//! Hosts come from [`crate::host`] (re-exported here as [`host`] and [`Host`]): a task belongs
//! to the host it was spawned on, and the sockets it opens belong to that host. Addresses are
//! `host:port` ([`Addr`]). [`TcpStream`] implements `futures::io::{AsyncRead, AsyncWrite}`, so
//! code written against those traits runs unmodified.
//!
//! Faults are recorded decisions drawn from the run's faults stream: every drawn latency, every
//! lost, duplicated or delayed datagram replays from the seed or a recorded schedule. Partitions,
//! repairs and crashes are called by the test (or a task it spawns), so they happen at exactly
//! the virtual instant the program says.
//!
//! ## The model
//!
//! - **Links.** Every message between two different hosts takes a latency drawn from
//!   [`NetConfig`]; traffic within one host is instantaneous and never faulty.
//! - **Connecting** sends a request that arrives one latency later: if the host is up and a
//!   listener is bound, the connection is queued for `accept` and `connect` returns one more
//!   latency later; with no listener it fails with `ConnectionRefused` after the round trip; if
//!   the host is down or a partition cuts the way, it fails with `TimedOut` after the configured
//!   connect timeout (there is no retransmission within it).
//! - **Streams** are reliable and ordered. Writes never block (buffers are unbounded). Bytes
//!   in flight when a partition starts, and bytes written during it, wait; a repair sends them
//!   on with fresh latencies. Shutting down writing (`close`) gives the peer end of stream;
//!   dropping a stream with unread bytes, or writing to a peer that is gone, gives a reset.
//! - **Datagrams** are delivered only to a socket bound when they are sent; a partition or a
//!   down host loses them, including those in flight when the partition starts.
//! - **Holds** ([`hold`], [`release`]) delay a direction without losing anything: stream bytes
//!   and datagrams alike wait until released.
//! - **Crashes** ([`Host::crash`]) abort the host's tasks, remove its listeners and sockets and
//!   reset its stream peers.
//!
//! ```
//! use std::time::Duration;
//! use futures::{AsyncReadExt, AsyncWriteExt};
//! use sim::net::{self, TcpListener, TcpStream};
//!
//! let mut sim = sim::Sim::new(3);
//! let (echo, took) = sim.run(async {
//!     net::configure(net::NetConfig::default()
//!         .latency(Duration::from_millis(10)..=Duration::from_millis(10)));
//!     net::host("server").spawn(async {
//!         let l = TcpListener::bind("0.0.0.0:7").await.unwrap();
//!         loop {
//!             let (mut s, _) = l.accept().await.unwrap();
//!             sim::spawn(async move {
//!                 let (mut r, mut w) = s.split();
//!                 futures::io::copy(&mut r, &mut w).await.unwrap();
//!             });
//!         }
//!     });
//!     sim::time::sleep(Duration::from_millis(1)).await;
//!     let t0 = sim::time::now();
//!     let mut c = TcpStream::connect("server:7").await.unwrap();
//!     c.write_all(b"echo").await.unwrap();
//!     let mut buf = [0; 4];
//!     c.read_exact(&mut buf).await.unwrap();
//!     (buf, sim::time::now() - t0)
//! }).unwrap();
//! assert_eq!(&echo, b"echo");
//! assert_eq!(took, Duration::from_millis(40)); // connect: one round trip, echo: another
//! ```

mod addr;
mod config;
pub mod http;
mod resolve;
pub(crate) mod state;
mod tcp;
mod udp;
mod world;

pub use crate::host::{Host, host};
pub use addr::{Addr, ToAddr};
pub use config::NetConfig;
pub use tcp::{Accept, TcpListener, TcpStream};
pub use udp::{RecvFrom, UdpSocket};

use crate::host::HostId;
use world::{NetWorld, world};

/// Sets how links behave from now on (messages already in flight keep their arrival times).
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::net::configure(sim::net::NetConfig::default().loss(0.5));
///     assert_eq!(sim::net::config(), sim::net::NetConfig::default().loss(0.5));
/// }).unwrap();
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn configure(config: NetConfig) {
    world("sim::net::configure")
        .borrow_mut()
        .net
        .set_config(config);
}

/// The link configuration in force.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async { assert_eq!(sim::net::config(), sim::net::NetConfig::default()) }).unwrap();
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn config() -> NetConfig {
    world("sim::net::config").borrow().net.config().clone()
}

#[track_caller]
fn ids(api: &str, a: &str, b: &str) -> (HostId, HostId) {
    let world = world(api);
    let w = world.borrow();
    let find = |n: &str| -> HostId {
        w.lookup(n).unwrap_or_else(|| {
            panic!("{api}(\"{a}\", \"{b}\"): unknown host `{n}`; create it with sim::host::host(\"{n}\")")
        })
    };
    (find(a), find(b))
}

fn cut(w: &mut NetWorld<'_>, from: HostId, to: HostId) {
    let lost = w.net.partition(from, to);
    let (f, t) = (w.name(from), w.name(to));
    crate::log!("net: partition {f} -> {t} ({lost} datagrams in flight lost)");
}

fn heal(world: &world::Net, from: HostId, to: HostId) {
    let wakers = {
        let mut w = world.borrow_mut();
        let wakers = w.net.repair(from, to);
        let (f, t) = (w.name(from), w.name(to));
        drop(w);
        if !wakers.is_empty() || from != to {
            crate::log!("net: repaired {f} -> {t}");
        }
        wakers
    };
    for w in wakers {
        w.wake();
    }
}

/// Cuts both directions between hosts `a` and `b` until [`repair`]: stream bytes wait,
/// datagrams (including those in flight) are lost, connection attempts time out.
///
/// ```
/// use std::time::Duration;
/// use sim::net::{self, UdpSocket};
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     let b = net::host("b");
///     let rx = b.spawn(async {
///         let s = UdpSocket::bind("0.0.0.0:9").await.unwrap();
///         let mut buf = [0; 8];
///         let (n, _) = s.recv_from(&mut buf).await.unwrap();
///         buf[..n].to_vec()
///     });
///     sim::time::sleep(Duration::from_millis(1)).await;
///     let s = UdpSocket::bind("localhost:0").await.unwrap();
///     net::partition("main", "b");
///     s.send_to(b"lost", "b:9").await.unwrap();
///     net::repair("main", "b");
///     s.send_to(b"ok", "b:9").await.unwrap();
///     assert_eq!(rx.await.unwrap(), b"ok");
/// }).unwrap();
/// ```
///
/// # Panics
/// When either host does not exist.
#[track_caller]
pub fn partition(a: &str, b: &str) {
    let (x, y) = ids("sim::net::partition", a, b);
    let world = world("sim::net::partition");
    let mut w = world.borrow_mut();
    cut(&mut w, x, y);
    cut(&mut w, y, x);
}

/// Cuts only the direction `from → to` (messages the other way still flow) until
/// [`repair_oneway`] or [`repair`].
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::net::host("b");
///     sim::net::partition_oneway("main", "b");
///     let e = sim::net::TcpStream::connect("b:1").await.unwrap_err();
///     assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
/// }).unwrap();
/// ```
///
/// # Panics
/// When either host does not exist.
#[track_caller]
pub fn partition_oneway(from: &str, to: &str) {
    let (x, y) = ids("sim::net::partition_oneway", from, to);
    let world = world("sim::net::partition_oneway");
    cut(&mut world.borrow_mut(), x, y);
}

/// Heals both directions between `a` and `b`; held stream bytes leave now, each with a fresh
/// latency. Repairing a link that is not cut does nothing.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::net::host("b");
///     sim::net::partition("main", "b");
///     sim::net::repair("main", "b");
///     assert!(sim::net::partitions().is_empty());
/// }).unwrap();
/// ```
///
/// # Panics
/// When either host does not exist.
#[track_caller]
pub fn repair(a: &str, b: &str) {
    let (x, y) = ids("sim::net::repair", a, b);
    let world = world("sim::net::repair");
    heal(&world, x, y);
    heal(&world, y, x);
}

/// Heals the direction `from → to` only.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::net::host("b");
///     sim::net::partition("main", "b");
///     sim::net::repair_oneway("b", "main");
///     assert_eq!(sim::net::partitions(), [("main".to_string(), "b".to_string())]);
/// }).unwrap();
/// ```
///
/// # Panics
/// When either host does not exist.
#[track_caller]
pub fn repair_oneway(from: &str, to: &str) {
    let (x, y) = ids("sim::net::repair_oneway", from, to);
    heal(&world("sim::net::repair_oneway"), x, y);
}

/// Heals every partition.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::net::host("b");
///     sim::net::host("c");
///     sim::net::partition("main", "b");
///     sim::net::partition_oneway("b", "c");
///     sim::net::repair_all();
///     assert!(sim::net::partitions().is_empty());
/// }).unwrap();
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn repair_all() {
    let world = world("sim::net::repair_all");
    let pairs = world.borrow().net.cut_pairs();
    for (x, y) in pairs {
        heal(&world, x, y);
    }
}

/// Holds every message from `from` to `to` — those in flight and those sent later, stream
/// bytes and datagrams alike — until [`release`]: unlike a partition, nothing is lost.
/// Connection attempts across a hold time out, as across a partition.
///
/// ```
/// use std::time::Duration;
/// use sim::net::{self, UdpSocket};
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     let rx = net::host("b").spawn(async {
///         let s = UdpSocket::bind("0.0.0.0:9").await.unwrap();
///         let mut buf = [0; 8];
///         let (n, _) = s.recv_from(&mut buf).await.unwrap();
///         (buf[..n].to_vec(), sim::time::elapsed())
///     });
///     sim::time::sleep(Duration::from_millis(1)).await;
///     let s = UdpSocket::bind("localhost:0").await.unwrap();
///     net::hold("main", "b");
///     s.send_to(b"late", "b:9").await.unwrap();
///     sim::time::sleep(Duration::from_secs(5)).await;
///     net::release("main", "b");
///     let (got, at) = rx.await.unwrap();
///     assert_eq!(got, b"late");
///     assert_eq!(at, Duration::from_millis(5002)); // released at 5.001 s, 1 ms latency
/// }).unwrap();
/// ```
///
/// # Panics
/// When either host does not exist.
#[track_caller]
pub fn hold(from: &str, to: &str) {
    let (x, y) = ids("sim::net::hold", from, to);
    let world = world("sim::net::hold");
    let mut w = world.borrow_mut();
    w.net.hold(x, y);
    let (f, t) = (w.name(x), w.name(y));
    drop(w);
    crate::log!("net: hold {f} -> {t}");
}

/// Lets the messages held from `from` to `to` go, each with a fresh latency. Releasing a
/// direction that is not held does nothing. See [`hold`].
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::net::host("b");
///     sim::net::hold("main", "b");
///     assert_eq!(sim::net::holds(), [("main".to_string(), "b".to_string())]);
///     sim::net::release("main", "b");
///     assert!(sim::net::holds().is_empty());
/// }).unwrap();
/// ```
///
/// # Panics
/// When either host does not exist.
#[track_caller]
pub fn release(from: &str, to: &str) {
    let (x, y) = ids("sim::net::release", from, to);
    let world = world("sim::net::release");
    let wakers = {
        let mut w = world.borrow_mut();
        let wakers = w.net.release(x, y);
        let (f, t) = (w.name(x), w.name(y));
        drop(w);
        crate::log!("net: release {f} -> {t}");
        wakers
    };
    for w in wakers {
        w.wake();
    }
}

/// The directions currently held, as `(from, to)` host names in a stable order.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async { assert!(sim::net::holds().is_empty()) }).unwrap();
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn holds() -> Vec<(String, String)> {
    let world = world("sim::net::holds");
    let w = world.borrow();
    w.net
        .held_pairs()
        .into_iter()
        .map(|(a, b)| (w.name(a).to_string(), w.name(b).to_string()))
        .collect()
}

/// The directions currently cut, as `(from, to)` host names in a stable order.
///
/// ```
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::net::host("b");
///     sim::net::partition_oneway("b", "main");
///     assert_eq!(sim::net::partitions(), [("b".to_string(), "main".to_string())]);
/// }).unwrap();
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn partitions() -> Vec<(String, String)> {
    let world = world("sim::net::partitions");
    let w = world.borrow();
    w.net
        .cut_pairs()
        .into_iter()
        .map(|(a, b)| (w.name(a).to_string(), w.name(b).to_string()))
        .collect()
}
