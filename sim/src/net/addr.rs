//! Addresses: a host name and a port.

use std::fmt;
use std::io;
use std::str::FromStr;
use std::sync::Arc;

/// A simulated socket address: a host name and a port, written `host:port`.
///
/// ```
/// use sim::net::Addr;
/// let a: Addr = "server:80".parse().unwrap();
/// assert_eq!((a.host(), a.port()), ("server", 80));
/// assert_eq!(a.to_string(), "server:80");
/// assert!("server".parse::<Addr>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Addr {
    host: Arc<str>,
    port: u16,
}

impl Addr {
    /// The address `host:port`.
    ///
    /// ```
    /// assert_eq!(sim::net::Addr::new("db", 5432).to_string(), "db:5432");
    /// ```
    pub fn new(host: &str, port: u16) -> Addr {
        Addr {
            host: host.into(),
            port,
        }
    }

    pub(crate) fn from_rc(host: Arc<str>, port: u16) -> Addr {
        Addr { host, port }
    }

    /// The host name.
    ///
    /// ```
    /// assert_eq!(sim::net::Addr::new("db", 1).host(), "db");
    /// ```
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    ///
    /// ```
    /// assert_eq!(sim::net::Addr::new("db", 1).port(), 1);
    /// ```
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl fmt::Debug for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl FromStr for Addr {
    type Err = io::Error;
    fn from_str(s: &str) -> io::Result<Addr> {
        let bad = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid address `{s}`: write it as `host:port`, e.g. \"server:8080\""),
            )
        };
        let (host, port) = s.rsplit_once(':').ok_or_else(bad)?;
        let port = port.parse::<u16>().map_err(|_| bad())?;
        if host.is_empty() {
            return Err(bad());
        }
        Ok(Addr::new(host, port))
    }
}

/// Anything that names an [`Addr`]: `"host:port"`, `("host", port)` or an `Addr`.
///
/// ```
/// use sim::net::{Addr, ToAddr};
/// assert_eq!(("a", 1).to_addr().unwrap(), "a:1".to_addr().unwrap());
/// assert_eq!(Addr::new("a", 1).to_addr().unwrap().port(), 1);
/// ```
pub trait ToAddr {
    /// The address, or `InvalidInput` when the text is not `host:port`.
    ///
    /// # Errors
    /// When the text is not of the form `host:port`.
    fn to_addr(&self) -> io::Result<Addr>;
}

impl ToAddr for Addr {
    fn to_addr(&self) -> io::Result<Addr> {
        Ok(self.clone())
    }
}

impl ToAddr for &Addr {
    fn to_addr(&self) -> io::Result<Addr> {
        Ok((*self).clone())
    }
}

impl ToAddr for &str {
    fn to_addr(&self) -> io::Result<Addr> {
        self.parse()
    }
}

impl ToAddr for String {
    fn to_addr(&self) -> io::Result<Addr> {
        self.parse()
    }
}

impl ToAddr for &String {
    fn to_addr(&self) -> io::Result<Addr> {
        self.parse()
    }
}

impl ToAddr for (&str, u16) {
    fn to_addr(&self) -> io::Result<Addr> {
        Ok(Addr::new(self.0, self.1))
    }
}
