//! Named hosts: the machines of a simulated network, each with its own tasks, sockets and disk.
//!
//! Every task runs on a host. The task given to [`crate::Sim::run`] and everything it spawns
//! with [`crate::spawn`] run on the implicit host `"main"`; a task started with
//! [`Host::spawn`] runs on that host, and so do the tasks it spawns in turn. Sockets
//! ([`crate::net`]) and files ([`crate::fs`]) a task opens belong to its host.
//!
//! [`Host::crash`] models a process crash: the host's tasks are aborted, its listeners and
//! sockets disappear (peers see resets), and its disk loses writes that were not yet synced (how
//! many is a recorded fault decision). [`Host::restart`] brings it back up, with the synced
//! contents of its disk, ready for new tasks.
//!
//! Hosts live as long as the run: each [`crate::Sim::run`] starts with only `"main"`.
//!
//! ```
//! use sim::host;
//! let mut sim = sim::Sim::new(1);
//! sim.run(async {
//!     let server = host::host("server");
//!     let on = server.spawn(async { host::current().name().to_string() });
//!     assert_eq!(on.await.unwrap(), "server");
//!     assert_eq!(host::current().name(), "main");
//! }).unwrap();
//! ```

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use crate::JoinHandle;
use crate::rt::context;
pub(crate) use crate::rt::hosts::{HostId, WorldRef, world};

/// The host the current task runs on.
#[track_caller]
pub(crate) fn current_id(api: &str) -> HostId {
    context::with(api, |core| core.current_host())
}

/// A handle to a named host of the running simulation. Cheap to clone.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let db = sim::host::host("db");
///     assert_eq!(db.name(), "db");
///     assert!(db.is_up());
/// }).unwrap();
/// ```
#[derive(Clone)]
pub struct Host {
    id: HostId,
    name: Arc<str>,
    sim_id: u64,
}

/// The host called `name`, created (up, with an empty disk) if it does not exist yet.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let a = sim::host::host("a");
///     let again = sim::host::host("a");
///     assert_eq!(a, again);
/// }).unwrap();
/// ```
///
/// # Panics
/// Outside a simulation, or when `name` is empty or contains `:` (it could not be part of an
/// address `name:port`).
#[track_caller]
pub fn host(name: &str) -> Host {
    assert!(
        !name.is_empty() && !name.contains(':') && !name.contains(char::is_whitespace),
        "invalid host name `{name}`: use a non-empty name without `:` or spaces, e.g. \"server\""
    );
    let world = world("sim::host::host");
    let mut w = world.borrow_mut();
    let hosts = w.hosts();
    let id = hosts.get_or_add(name);
    Host {
        id,
        name: hosts.name(id),
        sim_id: world.sim_id(),
    }
}

/// The host the calling task runs on (`"main"` unless it was spawned on a named host).
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async { assert_eq!(sim::host::current().name(), "main") }).unwrap();
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn current() -> Host {
    let id = current_id("sim::host::current");
    let world = world("sim::host::current");
    let name = world.borrow_mut().hosts().name(id);
    Host {
        id,
        name,
        sim_id: world.sim_id(),
    }
}

impl Host {
    /// The world this host lives in, which must be the running simulation's.
    #[track_caller]
    fn world(&self, api: &str) -> WorldRef {
        let world = world(api);
        assert!(
            world.sim_id() == self.sim_id,
            "{api} on host `{}` from an earlier run: hosts live as long as their run; call \
             sim::host::host(\"{}\") again inside this one",
            self.name,
            self.name
        );
        world
    }

    /// The host's name.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async { assert_eq!(sim::host::host("x").name(), "x") }).unwrap();
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True unless the host crashed and was not restarted.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let h = sim::host::host("x");
    ///     h.crash();
    ///     assert!(!h.is_up());
    ///     h.restart();
    ///     assert!(h.is_up());
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Outside the simulation that created the host.
    #[track_caller]
    pub fn is_up(&self) -> bool {
        self.world("Host::is_up")
            .borrow_mut()
            .hosts()
            .host(self.id)
            .up
    }

    /// Spawns `fut` as a task on this host (named after the host in traces).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// let v = sim.run(async { sim::host::host("h").spawn(async { 6 * 7 }).await.unwrap() }).unwrap();
    /// assert_eq!(v, 42);
    /// ```
    ///
    /// # Panics
    /// When the host is down (crashed and not restarted): restart it first.
    #[track_caller]
    pub fn spawn<F>(&self, fut: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let name = self.name.clone();
        self.spawn_named(&name, fut)
    }

    /// Like [`Host::spawn`], with a task name for traces and reports.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async { sim::host::host("h").spawn_named("worker", async {}).await.unwrap() }).unwrap();
    /// assert!(sim.trace().to_string().contains("worker#1"));
    /// ```
    ///
    /// # Panics
    /// When the host is down (crashed and not restarted): restart it first.
    #[track_caller]
    pub fn spawn_named<F>(&self, name: &str, fut: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let world = self.world("Host::spawn");
        assert!(
            world.borrow_mut().hosts().host(self.id).up,
            "Host::spawn on host `{}`, which is down since it crashed: call Host::restart first",
            self.name
        );
        crate::task::spawn_on(
            "sim::spawn_named",
            fut,
            Some(name.into()),
            Location::caller(),
            Some(self.id),
        )
    }

    /// Crashes the host now: its tasks are aborted (each is dropped before its next poll; a task
    /// crashing its own host stops at its next await), its listeners and sockets vanish (stream
    /// peers get `ConnectionReset`), connections to it time out, datagrams to it are lost, and
    /// its disk keeps only synced data plus, per file, a prefix of the unsynced writes whose
    /// length is a recorded fault decision. Crashing a host that is down does nothing.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let h = sim::host::host("h");
    ///     let t = h.spawn(sim::time::sleep(Duration::from_secs(10)));
    ///     sim::time::sleep(Duration::from_secs(1)).await;
    ///     h.crash();
    ///     assert!(t.await.unwrap_err().is_cancelled());
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// For the implicit host `"main"`, which runs the simulation's main task.
    #[track_caller]
    pub fn crash(&self) {
        assert!(
            self.id != HostId::MAIN,
            "Host::crash on the implicit host `main`: it runs the simulation's main task and \
             cannot crash; run the code to crash on a named host with sim::host::host(name).spawn"
        );
        let world = self.world("Host::crash");
        {
            let mut w = world.borrow_mut();
            let h = w.hosts().host_mut(self.id);
            if !h.up {
                return;
            }
            h.up = false;
            h.epoch += 1;
        }
        crate::log!("host {} crashed", self.name);
        context::with("Host::crash", |core| core.crash_host(self.id));
    }

    /// Brings a crashed host back up, with the synced contents of its disk and nothing else:
    /// spawn its tasks again with [`Host::spawn`].
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let h = sim::host::host("h");
    ///     h.crash();
    ///     h.restart();
    ///     assert_eq!(h.spawn(async { 1 }).await.unwrap(), 1);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When the host is up: only a crashed host can restart.
    #[track_caller]
    pub fn restart(&self) {
        let world = self.world("Host::restart");
        let mut w = world.borrow_mut();
        let h = w.hosts().host_mut(self.id);
        assert!(
            !h.up,
            "Host::restart on host `{}`, which is up: crash it first with Host::crash",
            self.name
        );
        h.up = true;
        drop(w);
        crate::log!("host {} restarted", self.name);
    }
}

impl PartialEq for Host {
    fn eq(&self, other: &Host) -> bool {
        self.id == other.id
    }
}

impl Eq for Host {}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Host({})", self.name)
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}
