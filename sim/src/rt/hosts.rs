//! The hosts of a run: named machines whose tasks, sockets and disks crash together.
//!
//! They belong to the run (a field of `Core`, dropped with it): every run starts with only
//! `"main"`, host 0, which runs main and everything not spawned on another host. A task's host
//! is stored in its slot at spawn (inherited from its spawner unless given).
//!
//! Per-host state of the layers above (the network's sockets, the disks) attaches as a
//! [`HostPlugin`]: created empty the first time its layer touches the run, kept next to the
//! hosts, and told when a host crashes. The runtime knows no plugin by name, so `host`, `net` and
//! `fs` import the runtime and never the other way round.

#![cfg_attr(
    not(any(feature = "net", feature = "fs")),
    expect(dead_code, reason = "hosts are used by the net and fs features")
)]

use std::any::{Any, TypeId};
use std::cell::RefMut;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;

use super::context;
pub(crate) use super::core::Core;

/// Index of a host in its run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct HostId(pub(crate) u32);

impl HostId {
    /// The implicit host `"main"`.
    pub(crate) const MAIN: HostId = HostId(0);

    /// Its place in per-host vectors.
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// One host.
pub(crate) struct HostState {
    pub(crate) name: Arc<str>,
    pub(crate) up: bool,
    /// Bumped at every crash: sockets and files of an older epoch are dead.
    pub(crate) epoch: u64,
}

/// Every host of the run, by id.
#[derive(Default)]
pub(crate) struct Hosts {
    list: Vec<HostState>,
}

impl Hosts {
    #[inline]
    fn ensure_main(&mut self) {
        if self.list.is_empty() {
            self.add_main();
        }
    }

    #[cold]
    fn add_main(&mut self) {
        self.list.push(HostState {
            name: "main".into(),
            up: true,
            epoch: 0,
        });
    }

    /// The host called `name`, added (up) if there is none.
    pub(crate) fn get_or_add(&mut self, name: &str) -> HostId {
        if let Some(id) = self.lookup(name) {
            return id;
        }
        self.list.push(HostState {
            name: name.into(),
            up: true,
            epoch: 0,
        });
        HostId((self.list.len() - 1) as u32)
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<HostId> {
        self.list
            .iter()
            .position(|h| &*h.name == name)
            .map(|i| HostId(i as u32))
    }

    pub(crate) fn host(&self, id: HostId) -> &HostState {
        &self.list[id.index()]
    }

    pub(crate) fn host_mut(&mut self, id: HostId) -> &mut HostState {
        &mut self.list[id.index()]
    }

    pub(crate) fn name(&self, id: HostId) -> Arc<str> {
        self.list[id.index()].name.clone()
    }
}

/// Per-host state a layer above attaches to the run (the network, the disks).
pub(crate) trait HostPlugin: Any {
    /// When a host crashes, plugins are told in increasing order (sockets before disks).
    fn crash_order(&self) -> u32;

    /// `host` crashed (it is already down, its epoch bumped; its tasks are aborted after every
    /// plugin ran). Returns the wakers to wake once the crash is complete.
    fn on_crash(&mut self, host: HostId, hosts: &Hosts) -> Vec<Waker>;
}

/// A plugin as the world keeps it: found by its type with one comparison and one virtual call
/// (the network looks itself up at every read and write), told of crashes through `crash`.
struct Plugin {
    ty: TypeId,
    order: u32,
    state: Box<dyn Any>,
    /// [`HostPlugin::on_crash`] of its type.
    crash: fn(&mut dyn Any, HostId, &Hosts) -> Vec<Waker>,
}

/// [`Plugin::crash`] for plugins of type `P`.
fn crash_of<P: HostPlugin>(state: &mut dyn Any, host: HostId, hosts: &Hosts) -> Vec<Waker> {
    state
        .downcast_mut::<P>()
        .map(|p| p.on_crash(host, hosts))
        .unwrap_or_default()
}

/// The hosts and the plugins of one run.
#[derive(Default)]
pub(crate) struct World {
    hosts: Hosts,
    /// In crash order.
    plugins: Vec<Plugin>,
}

impl World {
    /// The hosts, and plugin `P` (created empty at first use).
    #[inline]
    pub(crate) fn split<P: HostPlugin + Default>(&mut self) -> (&mut Hosts, &mut P) {
        self.hosts.ensure_main();
        let ty = TypeId::of::<P>();
        let i = match self.plugins.iter().position(|p| p.ty == ty) {
            Some(i) => i,
            None => self.add_plugin::<P>(),
        };
        let plugin = self.plugins[i]
            .state
            .downcast_mut::<P>()
            .expect("found by type");
        (&mut self.hosts, plugin)
    }

    /// Adds plugin `P`, empty, in crash order; returns its index.
    #[cold]
    fn add_plugin<P: HostPlugin + Default>(&mut self) -> usize {
        let p = P::default();
        let order = p.crash_order();
        let at = self.plugins.partition_point(|q| q.order <= order);
        self.plugins.insert(
            at,
            Plugin {
                ty: TypeId::of::<P>(),
                order,
                state: Box::new(p),
                crash: crash_of::<P>,
            },
        );
        at
    }

    pub(crate) fn hosts(&mut self) -> &mut Hosts {
        self.hosts.ensure_main();
        &mut self.hosts
    }
}

/// The world of the run running on this thread, to borrow for one operation.
pub(crate) struct WorldRef {
    core: Rc<Core>,
}

impl WorldRef {
    /// This run's number (a handle from another run compares it).
    pub(crate) fn sim_id(&self) -> u64 {
        self.core.sim_id
    }

    pub(crate) fn borrow_mut(&self) -> RefMut<'_, World> {
        self.core.world.borrow_mut()
    }

    /// Like [`WorldRef::borrow_mut`], `None` when it is borrowed already (for `Drop`).
    #[cfg(feature = "net")]
    pub(crate) fn try_borrow_mut(&self) -> Option<RefMut<'_, World>> {
        self.core.world.try_borrow_mut().ok()
    }

    /// The hosts and plugin `P`, borrowed together.
    pub(crate) fn with<P: HostPlugin + Default>(&self) -> (RefMut<'_, Hosts>, RefMut<'_, P>) {
        RefMut::map_split(self.borrow_mut(), |w| w.split::<P>())
    }
}

/// The world of the run on this thread.
///
/// # Panics
/// Outside a simulation, naming `api`.
#[track_caller]
pub(crate) fn world(api: &str) -> WorldRef {
    WorldRef {
        core: context::current(api),
    }
}

/// The world of the run on this thread, if one runs (for `Drop`, which must not panic).
#[cfg(feature = "net")]
pub(crate) fn try_world() -> Option<WorldRef> {
    Some(WorldRef {
        core: context::try_current()?,
    })
}

impl Core {
    /// Runs `f` on the hosts and plugin `P` of this run, borrowed for the call (an operation
    /// that has the run at hand already, e.g. a stream's read, spares a second look-up).
    ///
    /// # Panics
    /// When the world is borrowed already.
    #[inline]
    pub(crate) fn with_plugin<P: HostPlugin + Default, R>(
        &self,
        f: impl FnOnce(&mut Hosts, &mut P) -> R,
    ) -> R {
        let mut world = self.world.borrow_mut();
        let (hosts, plugin) = world.split::<P>();
        f(hosts, plugin)
    }

    /// The host the current task runs on.
    pub(crate) fn current_host(&self) -> HostId {
        let Some(key) = self.current.get() else {
            return HostId::MAIN;
        };
        self.tasks
            .borrow()
            .get(key)
            .map_or(HostId::MAIN, |s| s.host)
    }

    /// `host` crashed (the caller marked it down): plugins are told in order, the host's
    /// unfinished tasks are aborted in spawn order, then the plugins' wakers are woken.
    pub(crate) fn crash_host(&self, host: HostId) {
        let wakers = {
            let mut world = self.world.borrow_mut();
            let World { hosts, plugins } = &mut *world;
            let mut wakers = Vec::new();
            for p in plugins.iter_mut() {
                wakers.extend((p.crash)(&mut *p.state, host, hosts));
            }
            wakers
        };
        let doomed: Vec<_> = {
            let tasks = self.tasks.borrow();
            tasks
                .unfinished_spawned()
                .into_iter()
                .filter(|k| tasks.get(*k).is_some_and(|s| s.host == host))
                .collect()
        };
        for k in doomed {
            self.abort(k);
        }
        for w in wakers {
            w.wake();
        }
    }
}
