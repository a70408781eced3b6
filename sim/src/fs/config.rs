//! Disk faults beyond losing unsynced writes.

/// Optional disk faults, each a recorded fault decision. Off by default.
///
/// ```
/// use sim::fs::{self, FsConfig};
/// let mut sim = sim::Sim::new(1);
/// sim.run(async {
///     fs::configure(FsConfig::default().torn_writes(true).read_errors(0.01));
///     assert!(fs::config().has_torn_writes());
/// }).unwrap();
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FsConfig {
    pub(crate) torn_writes: bool,
    pub(crate) read_errors: f64,
}

impl FsConfig {
    /// When on, a crash that keeps `k` of a file's unsynced writes may also keep the first bytes
    /// (a recorded number) of write `k + 1`: a torn write.
    ///
    /// ```
    /// assert!(sim::fs::FsConfig::default().torn_writes(true).has_torn_writes());
    /// ```
    pub fn torn_writes(mut self, on: bool) -> Self {
        self.torn_writes = on;
        self
    }

    /// True when torn writes are on.
    ///
    /// ```
    /// assert!(!sim::fs::FsConfig::default().has_torn_writes());
    /// ```
    pub fn has_torn_writes(&self) -> bool {
        self.torn_writes
    }

    /// Probability that a read (`read`, `File::poll_read`) fails with an `io::ErrorKind::Other`
    /// "simulated read error".
    ///
    /// ```
    /// let c = sim::fs::FsConfig::default().read_errors(0.5);
    /// # let _ = c;
    /// ```
    ///
    /// # Panics
    /// When `p` is not in `0.0..=1.0`.
    pub fn read_errors(mut self, p: f64) -> Self {
        assert!(
            (0.0..=1.0).contains(&p),
            "FsConfig::read_errors({p}): a probability must lie in 0.0..=1.0"
        );
        self.read_errors = p;
        self
    }
}
