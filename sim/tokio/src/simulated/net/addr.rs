//! Socket addresses, mapped onto the simulation's named hosts.
//!
//! tokio speaks IP addresses; `sim::net` speaks host names. The mapping:
//!
//! - loopback and unspecified addresses (`127.0.0.1`, `::1`, `0.0.0.0`, `::`) and `localhost`
//!   are the calling task's own host (a test process is one host, `main`);
//! - another IP address is the host named by its text: `sim::host::host("10.0.0.2")`;
//! - a host with a name that is no IP address (`sim::host::host("db")`) appears in addresses as a
//!   stable address in `100.64.0.0/10` derived from its name, which connects back to it;
//!   `lookup_host("db:5432")` resolves to it too.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

mod sealed {
    use std::io;
    use std::net::SocketAddr;

    /// Something to connect to or bind: an IP socket address or a host name and port.
    #[derive(Clone, Debug)]
    pub enum Target {
        /// An IP socket address.
        Ip(SocketAddr),
        /// A host name and a port.
        Name(String, u16),
    }

    /// The hidden half of `ToSocketAddrs` (tokio's is sealed too).
    pub trait ToSocketAddrsPriv {
        /// The addresses this names.
        ///
        /// # Errors
        /// When the text is no address.
        fn to_targets(&self) -> io::Result<Vec<Target>>;
    }
}

pub(crate) use sealed::{Target, ToSocketAddrsPriv};

/// Anything that names socket addresses (tokio's `net::ToSocketAddrs`): `SocketAddr`s,
/// `(IpAddr, u16)`, `"host:port"` strings, `("host", port)`, slices of addresses.
pub trait ToSocketAddrs: sealed::ToSocketAddrsPriv {}

macro_rules! ip_impls {
    ($($t:ty => |$s:ident| $e:expr;)*) => {$(
        impl ToSocketAddrs for $t {}
        impl sealed::ToSocketAddrsPriv for $t {
            fn to_targets(&self) -> io::Result<Vec<Target>> {
                let $s = self;
                Ok(vec![Target::Ip($e)])
            }
        }
    )*};
}

ip_impls! {
    SocketAddr => |s| *s;
    SocketAddrV4 => |s| SocketAddr::V4(*s);
    SocketAddrV6 => |s| SocketAddr::V6(*s);
    (IpAddr, u16) => |s| SocketAddr::new(s.0, s.1);
    (Ipv4Addr, u16) => |s| SocketAddr::new(IpAddr::V4(s.0), s.1);
    (Ipv6Addr, u16) => |s| SocketAddr::new(IpAddr::V6(s.0), s.1);
}

impl ToSocketAddrs for [SocketAddr] {}
impl sealed::ToSocketAddrsPriv for [SocketAddr] {
    fn to_targets(&self) -> io::Result<Vec<Target>> {
        Ok(self.iter().map(|a| Target::Ip(*a)).collect())
    }
}

impl ToSocketAddrs for str {}
impl sealed::ToSocketAddrsPriv for str {
    fn to_targets(&self) -> io::Result<Vec<Target>> {
        if let Ok(a) = self.parse::<SocketAddr>() {
            return Ok(vec![Target::Ip(a)]);
        }
        let bad = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid socket address `{self}`: write it as `host:port`"),
            )
        };
        let (host, port) = self.rsplit_once(':').ok_or_else(bad)?;
        let port = port.parse::<u16>().map_err(|_| bad())?;
        (host, port).to_targets()
    }
}

impl ToSocketAddrs for String {}
impl sealed::ToSocketAddrsPriv for String {
    fn to_targets(&self) -> io::Result<Vec<Target>> {
        self.as_str().to_targets()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl sealed::ToSocketAddrsPriv for (&str, u16) {
    fn to_targets(&self) -> io::Result<Vec<Target>> {
        let (host, port) = *self;
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![Target::Ip(SocketAddr::new(ip, port))]);
        }
        if host.is_empty() || host.contains(':') || host.contains(char::is_whitespace) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid host name `{host}`"),
            ));
        }
        Ok(vec![Target::Name(host.to_string(), port)])
    }
}

impl ToSocketAddrs for (String, u16) {}
impl sealed::ToSocketAddrsPriv for (String, u16) {
    fn to_targets(&self) -> io::Result<Vec<Target>> {
        (self.0.as_str(), self.1).to_targets()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrsPriv + ?Sized> sealed::ToSocketAddrsPriv for &T {
    fn to_targets(&self) -> io::Result<Vec<Target>> {
        (**self).to_targets()
    }
}

/// Whether an address is one of the caller's own host.
fn is_local(ip: IpAddr) -> bool {
    ip.is_loopback() || ip.is_unspecified()
}

/// The simulation's address for `target`.
pub(crate) fn to_sim(target: &Target) -> io::Result<sim::net::Addr> {
    match target {
        Target::Name(host, port) => Ok(sim::net::Addr::new(host, *port)),
        Target::Ip(sa) if is_local(sa.ip()) => Ok(sim::net::Addr::new("localhost", sa.port())),
        Target::Ip(sa) => match name_of(sa.ip()) {
            Some(name) => Ok(sim::net::Addr::new(&name, sa.port())),
            None if sa.is_ipv4() => Ok(sim::net::Addr::new(&sa.ip().to_string(), sa.port())),
            None => Err(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!(
                    "{sa}: simulated hosts are named by IPv4 addresses or names; IPv6 other \
                     than ::1 is not simulated"
                ),
            )),
        },
    }
}

/// True when the address is on the calling task's own host.
pub(crate) fn is_own(addr: &sim::net::Addr) -> bool {
    addr.host() == "localhost" || addr.host() == sim::host::current().name()
}

/// The socket address the caller sees for a simulation address: its own host is `127.0.0.1`.
pub(crate) fn from_sim(addr: &sim::net::Addr) -> SocketAddr {
    if is_own(addr) && addr.host().parse::<IpAddr>().is_err() {
        return SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port());
    }
    external(addr)
}

/// The socket address other hosts see for a simulation address.
pub(crate) fn external(addr: &sim::net::Addr) -> SocketAddr {
    match addr.host().parse::<IpAddr>() {
        Ok(ip) => SocketAddr::new(ip, addr.port()),
        Err(_) => SocketAddr::new(IpAddr::V4(ip_of(addr.host())), addr.port()),
    }
}

/// The socket address `target` resolves to (for `lookup_host`).
pub(crate) fn resolve(target: &Target) -> SocketAddr {
    match target {
        Target::Ip(sa) => *sa,
        Target::Name(host, port) if host == "localhost" => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), *port)
        }
        Target::Name(host, port) => match host.parse::<IpAddr>() {
            Ok(ip) => SocketAddr::new(ip, *port),
            Err(_) => SocketAddr::new(IpAddr::V4(ip_of(host)), *port),
        },
    }
}

thread_local! {
    /// Names given addresses by `ip_of`, for the way back. Every entry is a function of the name
    /// alone, so what a run finds here never depends on earlier runs.
    static NAMES: RefCell<BTreeMap<Ipv4Addr, String>> = const { RefCell::new(BTreeMap::new()) };
}

/// The stable address of a host name that is no IP address: `100.64.0.0/10` plus 22 bits of the
/// name's FNV-1a hash.
fn ip_of(name: &str) -> Ipv4Addr {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    let ip = Ipv4Addr::from(0x6440_0000 | (h & 0x003f_ffff));
    NAMES.with(|n| {
        let mut n = n.borrow_mut();
        match n.get(&ip) {
            Some(other) if other != name => panic!(
                "the simulated hosts `{other}` and `{name}` map to the same address {ip}: \
                 rename one of them, or name hosts by IP address (sim::host::host(\"10.0.0.2\"))"
            ),
            Some(_) => {}
            None => {
                n.insert(ip, name.to_string());
            }
        }
    });
    ip
}

/// The host name behind an address handed out by `ip_of`.
fn name_of(ip: IpAddr) -> Option<String> {
    let IpAddr::V4(v4) = ip else { return None };
    NAMES.with(|n| n.borrow().get(&v4).cloned())
}
