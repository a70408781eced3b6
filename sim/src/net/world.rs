//! The network as a plugin of the run's hosts: told of crashes, borrowed with the hosts.

use std::cell::RefMut;
use std::sync::Arc;
use std::task::Waker;

use super::state::NetState;
use crate::host::{HostId, WorldRef};
use crate::rt::hosts::{HostPlugin, HostState, Hosts};

impl HostPlugin for NetState {
    /// First: a crash cuts the host off before anything else of it is undone.
    fn crash_order(&self) -> u32 {
        0
    }

    fn on_crash(&mut self, host: HostId, _hosts: &Hosts) -> Vec<Waker> {
        self.crash(host)
    }
}

/// The network of the run on this thread: its hosts and its state, borrowed together.
pub(crate) struct Net(WorldRef);

/// A borrow of [`Net`].
pub(crate) struct NetWorld<'a> {
    hosts: RefMut<'a, Hosts>,
    pub(crate) net: RefMut<'a, NetState>,
}

impl Net {
    pub(crate) fn borrow(&self) -> NetWorld<'_> {
        self.borrow_mut()
    }

    pub(crate) fn borrow_mut(&self) -> NetWorld<'_> {
        let (hosts, net) = self.0.with::<NetState>();
        NetWorld { hosts, net }
    }

    /// `None` when the world is borrowed already (for `Drop`).
    pub(crate) fn try_borrow_mut(&self) -> Option<NetWorld<'_>> {
        let w = self.0.try_borrow_mut()?;
        let (hosts, net) = RefMut::map_split(w, |w| w.split::<NetState>());
        Some(NetWorld { hosts, net })
    }
}

impl NetWorld<'_> {
    pub(crate) fn host(&self, id: HostId) -> &HostState {
        self.hosts.host(id)
    }

    pub(crate) fn name(&self, id: HostId) -> Arc<str> {
        self.hosts.name(id)
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<HostId> {
        self.hosts.lookup(name)
    }
}

/// The network of the run on this thread.
///
/// # Panics
/// Outside a simulation, naming `api`.
#[track_caller]
pub(crate) fn world(api: &str) -> Net {
    Net(crate::host::world(api))
}

/// The network of the run on this thread, if there is one (for `Drop`, which must not panic).
pub(crate) fn try_world() -> Option<Net> {
    crate::rt::hosts::try_world().map(Net)
}
