//! How links between hosts behave.

use std::ops::RangeInclusive;
use std::time::Duration;

/// The behaviour of every link between two different hosts (traffic within one host is
/// instantaneous and never faulty). Every random draw it implies (a latency, whether a datagram
/// is lost, duplicated or delayed) is a recorded fault decision from the run's faults stream.
///
/// Defaults: a fixed 1 ms latency, no loss, duplication or reordering, connect timeout 3 s.
///
/// ```
/// use std::time::Duration;
/// use sim::net::NetConfig;
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     sim::net::configure(
///         NetConfig::default()
///             .latency(Duration::from_millis(5)..=Duration::from_millis(20))
///             .loss(0.1)
///             .duplicate(0.01),
///     );
/// }).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NetConfig {
    pub(crate) min_latency: Duration,
    pub(crate) max_latency: Duration,
    pub(crate) loss: f64,
    pub(crate) duplicate: f64,
    pub(crate) reorder: f64,
    pub(crate) connect_timeout: Duration,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            min_latency: Duration::from_millis(1),
            max_latency: Duration::from_millis(1),
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            connect_timeout: Duration::from_secs(3),
        }
    }
}

fn probability(what: &str, p: f64) -> f64 {
    assert!(
        (0.0..=1.0).contains(&p),
        "NetConfig::{what}({p}): a probability must lie in 0.0..=1.0"
    );
    p
}

impl NetConfig {
    /// One-way latency of every message, uniform in `range` (inclusive, nanosecond steps).
    ///
    /// ```
    /// use std::time::Duration;
    /// let c = sim::net::NetConfig::default().latency(Duration::ZERO..=Duration::from_millis(3));
    /// assert_eq!(c.latency_range(), Duration::ZERO..=Duration::from_millis(3));
    /// ```
    ///
    /// # Panics
    /// When the range is empty.
    pub fn latency(mut self, range: RangeInclusive<Duration>) -> Self {
        assert!(
            range.start() <= range.end(),
            "NetConfig::latency({range:?}): the range is empty; write min..=max with min <= max"
        );
        self.min_latency = *range.start();
        self.max_latency = *range.end();
        self
    }

    /// The latency range.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ms = Duration::from_millis(1);
    /// assert_eq!(sim::net::NetConfig::default().latency_range(), ms..=ms);
    /// ```
    pub fn latency_range(&self) -> RangeInclusive<Duration> {
        self.min_latency..=self.max_latency
    }

    /// Probability that a datagram is lost (streams never lose bytes).
    ///
    /// ```
    /// let c = sim::net::NetConfig::default().loss(0.5);
    /// # let _ = c;
    /// ```
    ///
    /// # Panics
    /// When `p` is not in `0.0..=1.0`.
    pub fn loss(mut self, p: f64) -> Self {
        self.loss = probability("loss", p);
        self
    }

    /// Probability that a datagram is delivered twice (each copy with its own latency).
    ///
    /// ```
    /// let c = sim::net::NetConfig::default().duplicate(0.1);
    /// # let _ = c;
    /// ```
    ///
    /// # Panics
    /// When `p` is not in `0.0..=1.0`.
    pub fn duplicate(mut self, p: f64) -> Self {
        self.duplicate = probability("duplicate", p);
        self
    }

    /// Probability that a datagram is held back by one extra maximum latency, so later
    /// datagrams overtake it (latency jitter reorders datagrams too; streams stay in order).
    ///
    /// ```
    /// let c = sim::net::NetConfig::default().reorder(0.2);
    /// # let _ = c;
    /// ```
    ///
    /// # Panics
    /// When `p` is not in `0.0..=1.0`.
    pub fn reorder(mut self, p: f64) -> Self {
        self.reorder = probability("reorder", p);
        self
    }

    /// How long `TcpStream::connect` waits for an unreachable host before `TimedOut`.
    ///
    /// ```
    /// let c = sim::net::NetConfig::default().connect_timeout(std::time::Duration::from_secs(1));
    /// # let _ = c;
    /// ```
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
}
