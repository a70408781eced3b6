//! One host's disk: named files over inodes, each inode with its durable contents and the writes
//! not yet synced.

use std::collections::BTreeMap;
use std::task::Waker;

use super::FsConfig;
use crate::host::HostId;
use crate::rt::hosts::{HostPlugin, Hosts};
use crate::rt::primitives;

/// A change to a file's contents since its last sync.
enum Op {
    Write { offset: u64, bytes: Vec<u8> },
    SetLen(u64),
}

impl Op {
    fn apply(&self, data: &mut Vec<u8>) {
        match self {
            Op::Write { offset, bytes } => {
                let start = *offset as usize;
                let end = start + bytes.len();
                if data.len() < end {
                    data.resize(end, 0);
                }
                data[start..end].copy_from_slice(bytes);
            }
            Op::SetLen(n) => data.resize(*n as usize, 0),
        }
    }
}

#[derive(Default)]
pub(crate) struct Inode {
    /// What reads see: the durable contents with every pending op applied.
    pub(crate) data: Vec<u8>,
    durable: Vec<u8>,
    pending: Vec<Op>,
}

impl Inode {
    pub(crate) fn write(&mut self, offset: u64, bytes: &[u8]) {
        let op = Op::Write {
            offset,
            bytes: bytes.to_vec(),
        };
        op.apply(&mut self.data);
        self.pending.push(op);
    }

    pub(crate) fn set_len(&mut self, n: u64) {
        let op = Op::SetLen(n);
        op.apply(&mut self.data);
        self.pending.push(op);
    }

    pub(crate) fn sync(&mut self) {
        if !self.pending.is_empty() {
            self.durable.clone_from(&self.data);
            self.pending.clear();
        }
    }

    pub(crate) fn unsynced(&self) -> usize {
        self.pending.len()
    }

    /// The length of pending write `i` in bytes (0 for other ops).
    fn write_len(&self, i: usize) -> usize {
        match self.pending.get(i) {
            Some(Op::Write { bytes, .. }) => bytes.len(),
            _ => 0,
        }
    }

    /// Keeps the durable contents plus the first `keep` pending ops and the first `torn` bytes
    /// of the next write; everything is durable after.
    fn survive(&mut self, keep: usize, torn: usize) {
        let mut data = std::mem::take(&mut self.durable);
        for op in &self.pending[..keep] {
            op.apply(&mut data);
        }
        if torn > 0 {
            if let Some(Op::Write { offset, bytes }) = self.pending.get(keep) {
                let part = Op::Write {
                    offset: *offset,
                    bytes: bytes[..torn].to_vec(),
                };
                part.apply(&mut data);
            }
        }
        self.pending.clear();
        self.durable.clone_from(&data);
        self.data = data;
    }
}

#[derive(Default)]
pub(crate) struct Disk {
    pub(crate) names: BTreeMap<String, u64>,
    pub(crate) inodes: BTreeMap<u64, Inode>,
    next_inode: u64,
}

impl Disk {
    pub(crate) fn create(&mut self, path: &str) -> u64 {
        self.next_inode += 1;
        let id = self.next_inode;
        self.inodes.insert(id, Inode::default());
        self.names.insert(path.to_string(), id);
        id
    }
}

/// The disks of a run's hosts and the fault configuration: what `fs` attaches to the run.
#[derive(Default)]
pub(crate) struct Disks {
    pub(crate) config: FsConfig,
    /// By host id; a host's disk is created empty when first used.
    disks: Vec<Disk>,
}

impl Disks {
    /// The disk of `host`.
    pub(crate) fn of(&mut self, host: HostId) -> &mut Disk {
        if self.disks.len() <= host.index() {
            self.disks.resize_with(host.index() + 1, Disk::default);
        }
        &mut self.disks[host.index()]
    }
}

impl HostPlugin for Disks {
    /// After the network: a crash first cuts the host off, then loses its unsynced writes.
    fn crash_order(&self) -> u32 {
        1
    }

    /// The host crashed: every file keeps its synced contents plus a prefix of its unsynced
    /// writes (how many is a recorded fault decision per file, in path order); files open but
    /// removed vanish.
    fn on_crash(&mut self, host: HostId, hosts: &Hosts) -> Vec<Waker> {
        let name = hosts.name(host);
        let torn_writes = self.config.torn_writes;
        let Some(disk) = self.disks.get_mut(host.index()) else {
            return Vec::new();
        };
        let named: std::collections::BTreeSet<u64> = disk.names.values().copied().collect();
        disk.inodes.retain(|id, _| named.contains(id));
        let files: Vec<(String, u64)> = disk.names.iter().map(|(p, i)| (p.clone(), *i)).collect();
        for (path, id) in files {
            let inode = disk.inodes.get_mut(&id).expect("named inode");
            let n = inode.unsynced();
            if n == 0 {
                continue;
            }
            let keep = primitives::fault(n as u64 + 1) as usize;
            let next = inode.write_len(keep);
            let torn = if torn_writes && next > 1 {
                primitives::fault(next as u64) as usize
            } else {
                0
            };
            inode.survive(keep, torn);
            if torn > 0 {
                crate::log!(
                    "fs: crash of {name} kept {keep} of {n} unsynced writes to {path} and {torn} \
                     of {next} bytes of the next (torn)"
                );
            } else {
                crate::log!("fs: crash of {name} kept {keep} of {n} unsynced writes to {path}");
            }
        }
        Vec::new()
    }
}
