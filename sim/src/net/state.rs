//! The network's state within one run: connections, listeners, datagram sockets, partitions.
//!
//! Messages are placed in the receiver's queue when sent, stamped with their arrival time (or
//! `None` while a partition holds them); receivers look only at what has arrived by `now` and
//! sleep until the next arrival. A partition that starts while messages are in flight holds the
//! stream segments (repair stamps them with a fresh latency) and drops the datagrams.
//!
//! Methods return wakers instead of waking, so callers wake after releasing the world's borrow.
//! How the state attaches to the run (and crashes with a host) is in `world.rs`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io;
use std::task::Waker;

use super::NetConfig;
use super::addr::Addr;
use super::resolve::{crashed, reset_by_peer};
use crate::host::HostId;
use crate::rt::primitives;
pub(crate) use crate::rt::primitives::chance;

pub(crate) enum Payload {
    /// The bytes of one or more writes, at the front of the end's byte queue (after those of
    /// the data segments before it).
    Data(Run),
    Fin,
    Rst,
}

/// The data of `count` writes of `each` bytes sent at one instant that arrive at one instant:
/// one segment, not `count` (a burst of small writes keeps one entry). A partition that holds
/// it splits it again when it lets it go (each write gets its own fresh latency, as if queued
/// on its own), so what a reader sees, and what is drawn, is the same as with one segment per
/// write. Bytes are read only once arrived, and arrived segments are never held, so a held run
/// is always whole.
pub(crate) struct Run {
    /// Bytes still unread.
    left: usize,
    each: usize,
    count: u32,
}

impl Run {
    fn one(len: usize) -> Run {
        Run {
            left: len,
            each: len,
            count: 1,
        }
    }
}

pub(crate) struct Segment {
    /// Arrival time in nanoseconds; `None` while held by a partition.
    at: Option<u64>,
    payload: Payload,
}

/// One side of a connection: what it has received, and whether it is still open.
///
/// Each write is its own segment as far as anything can tell (its own arrival time, held and
/// restamped on its own by a partition), but writes of one size arriving at one instant share
/// one entry (a [`Run`]), and the bytes of all of them share one queue: a write appends to it
/// and a read takes from its front, so a stream of small messages allocates nothing per message.
///
/// A reset is always the last segment: nothing is sent to an end after one (its sender is
/// closed, and a write to a closed peer queues its reset only once).
pub(crate) struct End {
    pub(crate) host: HostId,
    pub(crate) local: Addr,
    incoming: VecDeque<Segment>,
    /// The unread bytes of the data segments in `incoming`, in order.
    bytes: Bytes,
    last_arrival: u64,
    waker: Option<Waker>,
    open: bool,
    write_shut: bool,
}

pub(crate) struct Conn {
    pub(crate) ends: [End; 2],
}

pub(crate) struct Listener {
    pub(crate) id: u64,
    pub(crate) backlog: VecDeque<u64>,
    /// Every task waiting in `accept` (a listener may be shared); all are woken per arrival.
    pub(crate) wakers: Wakers,
}

pub(crate) struct Datagram {
    from_host: HostId,
    pub(crate) from: Addr,
    pub(crate) data: Vec<u8>,
}

pub(crate) struct UdpState {
    pub(crate) id: u64,
    /// By (arrival time, send sequence): the first entry is the next to deliver.
    pub(crate) queue: BTreeMap<(u64, u64), Datagram>,
    /// Datagrams held by [`NetState::hold`], by send sequence.
    pub(crate) held: BTreeMap<u64, Datagram>,
    /// Every task waiting in `recv_from` (a socket may be shared).
    pub(crate) wakers: Wakers,
}

/// A queue of bytes: appended at the back, read from the front. A vector and a read offset
/// rather than a ring, so a write and a read are each one copy of one slice. The read part is
/// dropped when everything was read, or, when a write finds the vector full, moved out instead
/// of growing it if it is at least half of it (each byte is moved at most once per byte read
/// before it, so a write costs amortised O(its length), and a reader that keeps up, or a
/// backlog read after the last write, moves nothing).
#[derive(Default)]
struct Bytes {
    buf: Vec<u8>,
    /// How many bytes at the front of `buf` were read.
    read: usize,
}

impl Bytes {
    #[inline]
    fn push(&mut self, data: &[u8]) {
        if self.buf.capacity() - self.buf.len() < data.len() && self.read * 2 >= self.buf.len() {
            self.compact();
        }
        self.buf.extend_from_slice(data);
    }

    #[cold]
    fn compact(&mut self) {
        self.buf.drain(..self.read);
        self.read = 0;
    }

    #[inline]
    fn unread(&self) -> &[u8] {
        &self.buf[self.read..]
    }

    #[inline]
    fn consume(&mut self, k: usize) {
        self.read += k;
        debug_assert!(self.read <= self.buf.len(), "consumed more than was queued");
        if self.read == self.buf.len() {
            self.buf.clear();
            self.read = 0;
        }
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.read = 0;
    }
}

/// The tasks waiting on one socket. Waking all of them on an event (the first to run takes it,
/// the others wait again) keeps a shared socket from losing a wake-up.
#[derive(Default)]
pub(crate) struct Wakers(Vec<Waker>);

impl Wakers {
    pub(crate) fn register(&mut self, waker: &Waker) {
        if !self.0.iter().any(|w| w.will_wake(waker)) {
            self.0.push(waker.clone());
        }
    }

    pub(crate) fn take(&mut self) -> Vec<Waker> {
        std::mem::take(&mut self.0)
    }
}

#[derive(Default)]
pub(crate) struct NetState {
    config: NetConfig,
    /// The configuration's latency bounds, in nanoseconds.
    latency: Latency,
    /// Directions `(from, to)` a partition cuts.
    cut: BTreeSet<(HostId, HostId)>,
    /// Directions `(from, to)` whose messages are held until released.
    held: BTreeSet<(HostId, HostId)>,
    pub(crate) conns: BTreeMap<u64, Conn>,
    pub(crate) listeners: BTreeMap<(HostId, u16), Listener>,
    pub(crate) udp: BTreeMap<(HostId, u16), UdpState>,
    next_port: BTreeMap<HostId, u16>,
    next_id: u64,
}

/// What a reader finds in its queue at `now`.
pub(crate) enum Readable {
    Ready,
    At(u64),
    Wait,
}

pub(crate) fn now() -> u64 {
    crate::time::now().as_nanos()
}

/// A configuration's latency bounds in nanoseconds (converted once, not at every write).
#[derive(Clone, Copy)]
struct Latency {
    min: u64,
    max: u64,
}

impl Latency {
    fn of(config: &NetConfig) -> Latency {
        Latency {
            min: config.min_latency.as_nanos() as u64,
            max: config.max_latency.as_nanos() as u64,
        }
    }
}

impl Default for Latency {
    fn default() -> Latency {
        Latency::of(&NetConfig::default())
    }
}

/// See [`NetState::latency`] (a function of the configuration alone, to call while a
/// connection is borrowed).
fn draw_latency(latency: &Latency, from: HostId, to: HostId) -> u64 {
    if from == to {
        return 0;
    }
    let Latency { min, max } = *latency;
    if max <= min {
        // A fixed latency (the default): no draw.
        return min;
    }
    min + primitives::fault(max - min + 1)
}

/// When a segment sent at `now` from `from` to `to` arrives: `None` while a partition or a
/// hold blocks the way (no latency is drawn then), else after a latency drawn now.
fn arrival(
    latency: &Latency,
    cut: &BTreeSet<(HostId, HostId)>,
    held: &BTreeSet<(HostId, HostId)>,
    from: HostId,
    to: HostId,
    now: u64,
) -> Option<u64> {
    let blocked = from != to
        && !(cut.is_empty() && held.is_empty())
        && (cut.contains(&(from, to)) || held.contains(&(from, to)));
    (!blocked).then(|| now + draw_latency(latency, from, to))
}

impl Segment {
    /// How many writes (or signals) it stands for: one latency each when a partition lets it go.
    fn writes(&self) -> usize {
        match &self.payload {
            Payload::Data(run) => run.count as usize,
            Payload::Fin | Payload::Rst => 1,
        }
    }
}

impl End {
    fn new((host, local): (HostId, Addr)) -> End {
        End {
            host,
            local,
            incoming: VecDeque::new(),
            bytes: Bytes::default(),
            last_arrival: 0,
            waker: None,
            open: true,
            write_shut: false,
        }
    }

    /// Sends the held segments on, at `now` plus the next of `lats` each (one per write of a
    /// run, in order, never before the segment queued before it), splitting runs whose writes
    /// now arrive at different instants.
    fn restamp(&mut self, now: u64, lats: Vec<u64>) {
        let mut lats = lats.into_iter();
        let mut stamp = |last: &mut u64| {
            let a = (now + lats.next().unwrap_or(0)).max(*last);
            *last = a;
            Some(a)
        };
        for s in std::mem::take(&mut self.incoming) {
            if s.at.is_some() {
                self.incoming.push_back(s);
                continue;
            }
            match s.payload {
                Payload::Data(run) => {
                    // Only the first write of a run can have been read from (and a held run
                    // never was: bytes are read only once arrived).
                    let rest = (run.count as usize - 1) * run.each;
                    for w in 0..run.count {
                        let left = if w == 0 { run.left - rest } else { run.each };
                        let at = stamp(&mut self.last_arrival);
                        self.append(
                            at,
                            Payload::Data(Run {
                                left,
                                each: run.each,
                                count: 1,
                            }),
                        );
                    }
                }
                payload => {
                    let at = stamp(&mut self.last_arrival);
                    self.incoming.push_back(Segment { at, payload });
                }
            }
        }
    }

    /// Queues a segment arriving at `at` (never before the one queued last), with `data` for
    /// a data segment; returns the reader's waker if the segment is the first queued.
    ///
    /// A reader waits only on the first segment (for its arrival, or for a partition to let it
    /// go) and a segment behind it changes nothing it could see, so the reader stays asleep:
    /// waking it at every write of a burst would cost a poll, a wait and, at each of the
    /// writer's preemption points while it is runnable, a scheduling decision.
    #[inline]
    fn push(&mut self, at: Option<u64>, payload: Payload, data: &[u8]) -> Option<Waker> {
        debug_assert!(!self.reset_queued(), "a segment queued after a reset");
        let at = at.map(|a| a.max(self.last_arrival));
        if let Some(a) = at {
            self.last_arrival = a;
        }
        let first = self.incoming.is_empty();
        self.bytes.push(data);
        self.append(at, payload);
        if first { self.waker.take() } else { None }
    }

    /// Queues a segment arriving at `at` (already stamped), in the last entry when it is a run
    /// of writes of the same size arriving at the same instant.
    #[inline]
    fn append(&mut self, at: Option<u64>, payload: Payload) {
        if let (
            Payload::Data(run),
            Some(Segment {
                at: back_at,
                payload: Payload::Data(back),
            }),
        ) = (&payload, self.incoming.back_mut())
            && *back_at == at
            && back.each == run.each
            && back.count < u32::MAX
        {
            back.left += run.left;
            back.count += 1;
            return;
        }
        self.incoming.push_back(Segment { at, payload });
    }

    /// See [`NetState::readable`].
    fn readable(&self, now: u64) -> Readable {
        match self.incoming.front() {
            None => Readable::Wait,
            Some(Segment { at: None, .. }) => Readable::Wait,
            Some(Segment { at: Some(a), .. }) if *a > now => Readable::At(*a),
            Some(_) => Readable::Ready,
        }
    }

    /// A read that the first segment, arrived, fills and outlasts (the common read of a backlog
    /// of small messages): `None` for any other read. The end stays readable after it.
    #[inline]
    fn read_within_front(&mut self, now: u64, buf: &mut [u8]) -> Option<usize> {
        let Some(Segment {
            at: Some(a),
            payload: Payload::Data(run),
        }) = self.incoming.front_mut()
        else {
            return None;
        };
        let n = buf.len();
        if *a > now || run.left <= n {
            return None;
        }
        buf.copy_from_slice(&self.bytes.unread()[..n]);
        run.left -= n;
        self.bytes.consume(n);
        Some(n)
    }

    /// See [`NetState::read`].
    fn read(&mut self, now: u64, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            let Some(seg) = self.incoming.front_mut() else {
                break;
            };
            if seg.at.is_none_or(|a| a > now) {
                break;
            }
            match &mut seg.payload {
                Payload::Data(run) => {
                    let k = run.left.min(buf.len() - n);
                    buf[n..n + k].copy_from_slice(&self.bytes.unread()[..k]);
                    self.bytes.consume(k);
                    run.left -= k;
                    n += k;
                    if run.left == 0 {
                        self.incoming.pop_front();
                    }
                }
                Payload::Fin => break,
                Payload::Rst if n == 0 => return Err(reset_by_peer()),
                Payload::Rst => break,
            }
        }
        Ok(n)
    }

    /// Whether a reset is queued, arrived or not (it can only be the last segment).
    fn reset_queued(&self) -> bool {
        matches!(
            self.incoming.back(),
            Some(Segment {
                payload: Payload::Rst,
                ..
            })
        )
    }

    /// Whether a reset has arrived by `now` (it can only be the last segment).
    fn reset_arrived(&self, now: u64) -> bool {
        matches!(
            self.incoming.back(),
            Some(Segment { payload: Payload::Rst, at: Some(a) }) if *a <= now
        )
    }
}

impl NetState {
    pub(crate) fn config(&self) -> &NetConfig {
        &self.config
    }

    pub(crate) fn set_config(&mut self, config: NetConfig) {
        self.latency = Latency::of(&config);
        self.config = config;
    }

    pub(crate) fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn is_cut(&self, from: HostId, to: HostId) -> bool {
        from != to && self.cut.contains(&(from, to))
    }

    pub(crate) fn is_held(&self, from: HostId, to: HostId) -> bool {
        from != to && self.held.contains(&(from, to))
    }

    /// Messages from `from` to `to` wait or vanish (a partition or a hold).
    pub(crate) fn is_blocked(&self, from: HostId, to: HostId) -> bool {
        self.is_cut(from, to) || self.is_held(from, to)
    }

    /// A one-way latency from `from` to `to` in nanoseconds, drawn as a fault decision.
    pub(crate) fn latency(&self, from: HostId, to: HostId) -> u64 {
        draw_latency(&self.latency, from, to)
    }

    /// A free port on `host` from the ephemeral range.
    pub(crate) fn ephemeral_port(&mut self, host: HostId) -> u16 {
        loop {
            let next = self.next_port.entry(host).or_insert(49152);
            let port = *next;
            *next = if port == u16::MAX { 49152 } else { port + 1 };
            if !self.listeners.contains_key(&(host, port)) && !self.udp.contains_key(&(host, port))
            {
                return port;
            }
        }
    }

    // ----- streams ----------------------------------------------------------------------------

    pub(crate) fn new_conn(&mut self, client: (HostId, Addr), server: (HostId, Addr)) -> u64 {
        let id = self.next_id();
        self.conns.insert(
            id,
            Conn {
                ends: [End::new(client), End::new(server)],
            },
        );
        id
    }

    /// Queues `payload` (with `data` for a data segment) for end `to` of `conn`, sent at `now`
    /// by the other end.
    pub(super) fn send(
        &mut self,
        conn: u64,
        to: usize,
        payload: Payload,
        data: &[u8],
        now: u64,
    ) -> Option<Waker> {
        let NetState {
            conns,
            cut,
            held,
            latency,
            ..
        } = self;
        let c = conns.get_mut(&conn)?;
        let at = arrival(
            latency,
            cut,
            held,
            c.ends[1 - to].host,
            c.ends[to].host,
            now,
        );
        c.ends[to].push(at, payload, data)
    }

    pub(crate) fn end(&self, conn: u64, end: usize) -> Option<&End> {
        self.conns
            .get(&conn)
            .map(|c| &c.ends[end])
            .filter(|e| e.open)
    }

    /// What a read at `now` would find: `Ready` once the first segment arrived, or when the
    /// end is closed (the read fails at once). `Ready` stays so until the end's reader reads:
    /// time only moves on, and a partition holds only the segments still in flight.
    pub(crate) fn readable(&self, conn: u64, end: usize, now: u64) -> Readable {
        match self.end(conn, end) {
            None => Readable::Ready,
            Some(e) => e.readable(now),
        }
    }

    pub(crate) fn set_read_waker(&mut self, conn: u64, end: usize, waker: &Waker) {
        if let Some(c) = self.conns.get_mut(&conn) {
            match &c.ends[end].waker {
                Some(w) if w.will_wake(waker) => {}
                _ => c.ends[end].waker = Some(waker.clone()),
            }
        }
    }

    /// Reads what has arrived by `now`: `Ok(0)` at end of stream. Also tells whether the end
    /// is still [`Readable::Ready`] after the read (it is after an error).
    pub(crate) fn read(
        &mut self,
        conn: u64,
        end: usize,
        now: u64,
        buf: &mut [u8],
    ) -> (io::Result<usize>, bool) {
        let Some(e) = self
            .conns
            .get_mut(&conn)
            .map(|c| &mut c.ends[end])
            .filter(|e| e.open)
        else {
            return (Err(crashed()), true);
        };
        if let Some(n) = e.read_within_front(now, buf) {
            return (Ok(n), true);
        }
        let r = e.read(now, buf);
        let ready = r.is_err() || matches!(e.readable(now), Readable::Ready);
        (r, ready)
    }

    /// Copies what has arrived by `now` without consuming it (`Ok(0)` at end of stream).
    pub(crate) fn peek(
        &self,
        conn: u64,
        end: usize,
        now: u64,
        buf: &mut [u8],
    ) -> io::Result<usize> {
        let Some(e) = self.end(conn, end).filter(|e| e.open) else {
            return Err(crashed());
        };
        let mut n = 0;
        for seg in &e.incoming {
            if n == buf.len() || seg.at.is_none_or(|a| a > now) {
                break;
            }
            match seg.payload {
                Payload::Data(Run { left, .. }) => {
                    let k = left.min(buf.len() - n);
                    buf[n..n + k].copy_from_slice(&e.bytes.unread()[n..n + k]);
                    n += k;
                    if k < left {
                        break;
                    }
                }
                Payload::Fin => break,
                Payload::Rst if n == 0 => return Err(reset_by_peer()),
                Payload::Rst => break,
            }
        }
        Ok(n)
    }

    pub(crate) fn write(
        &mut self,
        conn: u64,
        end: usize,
        now: u64,
        data: &[u8],
    ) -> (io::Result<usize>, Option<Waker>) {
        let NetState {
            conns,
            cut,
            held,
            latency,
            ..
        } = self;
        let Some(c) = conns.get_mut(&conn) else {
            return (Err(crashed()), None);
        };
        let [a, b] = &mut c.ends;
        let (e, peer) = if end == 0 { (a, b) } else { (b, a) };
        if !e.open {
            return (Err(crashed()), None);
        }
        if e.reset_arrived(now) {
            return (Err(reset_by_peer()), None);
        }
        if e.write_shut {
            let err = io::Error::new(
                io::ErrorKind::BrokenPipe,
                "write after shutdown: this stream was closed for writing",
            );
            return (Err(err), None);
        }
        if data.is_empty() {
            return (Ok(0), None);
        }
        if peer.open {
            let at = arrival(latency, cut, held, e.host, peer.host, now);
            let w = peer.push(at, Payload::Data(Run::one(data.len())), data);
            return (Ok(data.len()), w);
        }
        // The peer is gone: its host answers the data with a reset, once, a round trip after
        // this write.
        let w = if e.reset_queued() {
            None
        } else {
            let (me, there) = (e.host, peer.host);
            let back = draw_latency(latency, me, there);
            let at = arrival(latency, cut, held, there, me, now + back);
            e.push(at, Payload::Rst, &[])
        };
        (Ok(data.len()), w)
    }

    pub(crate) fn shutdown(&mut self, conn: u64, end: usize, now: u64) -> Option<Waker> {
        let c = self.conns.get_mut(&conn)?;
        if c.ends[end].write_shut || !c.ends[end].open {
            return None;
        }
        c.ends[end].write_shut = true;
        if c.ends[1 - end].open {
            self.send(conn, 1 - end, Payload::Fin, &[], now)
        } else {
            None
        }
    }

    /// The end is dropped: the peer sees end of stream, or a reset if data was left unread.
    pub(crate) fn close(&mut self, conn: u64, end: usize, now: u64) -> Option<Waker> {
        self.close_with(conn, end, now, false)
    }

    /// Closes the end with a reset whatever its state (a listener dropped with this connection
    /// still waiting to be accepted).
    pub(crate) fn abort(&mut self, conn: u64, end: usize, now: u64) -> Option<Waker> {
        self.close_with(conn, end, now, true)
    }

    fn close_with(&mut self, conn: u64, end: usize, now: u64, reset: bool) -> Option<Waker> {
        let c = self.conns.get_mut(&conn)?;
        let e = &mut c.ends[end];
        if !e.open {
            return None;
        }
        e.open = false;
        e.waker = None;
        let unread = e
            .incoming
            .iter()
            .any(|s| matches!(s.payload, Payload::Data(..)) && s.at.is_some_and(|a| a <= now));
        e.incoming.clear();
        e.bytes.clear();
        let shut = e.write_shut;
        let w = if !c.ends[1 - end].open {
            None
        } else if unread || reset {
            self.send(conn, 1 - end, Payload::Rst, &[], now)
        } else if !shut {
            self.send(conn, 1 - end, Payload::Fin, &[], now)
        } else {
            None
        };
        if self
            .conns
            .get(&conn)
            .is_some_and(|c| !c.ends[0].open && !c.ends[1].open)
        {
            self.conns.remove(&conn);
        }
        w
    }

    // ----- datagrams --------------------------------------------------------------------------

    /// Queues a datagram at `to`'s socket, if one is bound there now; `delay` from now.
    pub(crate) fn deliver(
        &mut self,
        to: (HostId, u16),
        from: (HostId, Addr),
        data: &[u8],
        delay: u64,
    ) {
        let seq = self.next_id();
        let at = now() + delay;
        let held = self.is_held(from.0, to.0);
        if let Some(s) = self.udp.get_mut(&to) {
            let d = Datagram {
                from_host: from.0,
                from: from.1,
                data: data.to_vec(),
            };
            if held {
                s.held.insert(seq, d);
            } else {
                s.queue.insert((at, seq), d);
            }
        }
    }

    pub(crate) fn udp_wake(&mut self, to: (HostId, u16)) -> Vec<Waker> {
        self.udp
            .get_mut(&to)
            .map(|s| s.wakers.take())
            .unwrap_or_default()
    }

    /// Takes the earliest datagram that arrived by `now`, or tells when the next one arrives.
    pub(crate) fn udp_take(
        &mut self,
        at: (HostId, u16),
        now: u64,
    ) -> Result<Datagram, Option<u64>> {
        let Some(s) = self.udp.get_mut(&at) else {
            return Err(None);
        };
        match s.queue.first_key_value().map(|(k, _)| k.0) {
            Some(a) if a <= now => Ok(s.queue.pop_first().expect("non-empty").1),
            Some(a) => Err(Some(a)),
            None => Err(None),
        }
    }

    /// When the next datagram at `at` arrives, if one is on its way.
    pub(crate) fn udp_next_arrival(&self, at: (HostId, u16)) -> Option<u64> {
        self.udp.get(&at)?.queue.first_key_value().map(|(k, _)| k.0)
    }

    // ----- faults -----------------------------------------------------------------------------

    /// Holds stream segments in flight from `from` to `to` (arrival `None`).
    fn hold_segments(&mut self, from: HostId, to: HostId, now: u64) {
        for c in self.conns.values_mut() {
            for i in 0..2 {
                if c.ends[i].host == to && c.ends[1 - i].host == from {
                    for s in &mut c.ends[i].incoming {
                        if s.at.is_some_and(|a| a > now) {
                            s.at = None;
                        }
                    }
                }
            }
        }
    }

    /// Cuts `from → to`: in-flight stream segments are held, in-flight datagrams lost.
    pub(crate) fn partition(&mut self, from: HostId, to: HostId) -> usize {
        if from == to || !self.cut.insert((from, to)) {
            return 0;
        }
        let now = now();
        self.hold_segments(from, to, now);
        let mut lost = 0;
        for ((host, _), s) in &mut self.udp {
            if *host == to {
                let before = s.queue.len();
                s.queue
                    .retain(|(at, _), d| !(*at > now && d.from_host == from));
                lost += before - s.queue.len();
            }
        }
        lost
    }

    /// Holds everything in flight and sent later from `from` to `to` until [`NetState::release`].
    pub(crate) fn hold(&mut self, from: HostId, to: HostId) {
        if from == to || !self.held.insert((from, to)) {
            return;
        }
        let now = now();
        self.hold_segments(from, to, now);
        for ((host, _), s) in &mut self.udp {
            if *host == to {
                let moving: Vec<(u64, u64)> = s
                    .queue
                    .iter()
                    .filter(|((at, _), d)| *at > now && d.from_host == from)
                    .map(|(k, _)| *k)
                    .collect();
                for k in moving {
                    let d = s.queue.remove(&k).expect("listed");
                    s.held.insert(k.1, d);
                }
            }
        }
    }

    /// Lets held messages from `from` to `to` go, each with a fresh latency (stream bytes stay
    /// held while a partition still cuts the way).
    pub(crate) fn release(&mut self, from: HostId, to: HostId) -> Vec<Waker> {
        if !self.held.remove(&(from, to)) {
            return Vec::new();
        }
        let now = now();
        let mut wakers = self.restamp(from, to, now);
        let keys: Vec<(HostId, u16)> = self.udp.keys().copied().filter(|k| k.0 == to).collect();
        for key in keys {
            let going: Vec<u64> = self.udp[&key]
                .held
                .iter()
                .filter(|(_, d)| d.from_host == from)
                .map(|(seq, _)| *seq)
                .collect();
            if going.is_empty() {
                continue;
            }
            let lats: Vec<u64> = going.iter().map(|_| self.latency(from, to)).collect();
            let s = self.udp.get_mut(&key).expect("listed");
            for (seq, lat) in going.into_iter().zip(lats) {
                let d = s.held.remove(&seq).expect("listed");
                s.queue.insert((now + lat, seq), d);
            }
            wakers.extend(s.wakers.take());
        }
        wakers
    }

    /// Heals `from → to`: held stream segments leave now, each with a fresh latency.
    pub(crate) fn repair(&mut self, from: HostId, to: HostId) -> Vec<Waker> {
        if !self.cut.remove(&(from, to)) {
            return Vec::new();
        }
        self.restamp(from, to, now())
    }

    /// Sends held stream segments from `from` to `to` on with fresh latencies, unless the way
    /// is still blocked.
    fn restamp(&mut self, from: HostId, to: HostId, now: u64) -> Vec<Waker> {
        if self.is_blocked(from, to) {
            return Vec::new();
        }
        let mut wakers = Vec::new();
        let ids: Vec<u64> = self.conns.keys().copied().collect();
        for id in ids {
            for i in 0..2 {
                let (matches, held) = {
                    let c = &self.conns[&id];
                    (
                        c.ends[i].host == to && c.ends[1 - i].host == from,
                        c.ends[i]
                            .incoming
                            .iter()
                            .filter(|s| s.at.is_none())
                            .map(Segment::writes)
                            .sum::<usize>(),
                    )
                };
                if !matches || held == 0 {
                    continue;
                }
                let lats: Vec<u64> = (0..held).map(|_| self.latency(from, to)).collect();
                let e = &mut self.conns.get_mut(&id).expect("listed").ends[i];
                e.restamp(now, lats);
                wakers.extend(e.waker.take());
            }
        }
        wakers
    }

    pub(crate) fn cut_pairs(&self) -> Vec<(HostId, HostId)> {
        self.cut.iter().copied().collect()
    }

    pub(crate) fn held_pairs(&self) -> Vec<(HostId, HostId)> {
        self.held.iter().copied().collect()
    }
}

impl NetState {
    /// A host crashed: its sockets vanish, stream peers get a reset. Returns wakers to wake.
    pub(super) fn crash(&mut self, host: HostId) -> Vec<Waker> {
        let now = now();
        let net = self;
        let mut wakers = Vec::new();
        net.listeners.retain(|(h, _), _| *h != host);
        net.udp.retain(|(h, _), _| *h != host);
        let ids: Vec<u64> = net.conns.keys().copied().collect();
        for id in ids {
            for i in 0..2 {
                let (mine, peer_open) = {
                    let c = &net.conns[&id];
                    (c.ends[i].host == host && c.ends[i].open, c.ends[1 - i].open)
                };
                if !mine {
                    continue;
                }
                {
                    let e = &mut net.conns.get_mut(&id).expect("listed").ends[i];
                    e.open = false;
                    e.waker = None;
                    e.incoming.clear();
                    e.bytes.clear();
                }
                if peer_open {
                    wakers.extend(net.send(id, 1 - i, Payload::Rst, &[], now));
                }
            }
            if net
                .conns
                .get(&id)
                .is_some_and(|c| !c.ends[0].open && !c.ends[1].open)
            {
                net.conns.remove(&id);
            }
        }
        wakers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end() -> End {
        End::new((HostId(1), Addr::new("b", 1)))
    }

    /// Writes `n` bytes numbered from `from` (mod 256).
    fn write(e: &mut End, at: Option<u64>, from: usize, n: usize) {
        let data: Vec<u8> = (from..from + n).map(|i| i as u8).collect();
        e.push(at, Payload::Data(Run::one(n)), &data);
    }

    /// Everything readable at `now`, in reads of `piece` bytes.
    fn read_all(e: &mut End, now: u64, piece: usize) -> Vec<u8> {
        let mut got = Vec::new();
        loop {
            let mut buf = vec![0; piece];
            let n = e.read(now, &mut buf).unwrap();
            if n == 0 {
                return got;
            }
            got.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn bytes_a_lagging_reader_leaves_behind_are_moved_out_not_kept() {
        let mut b = Bytes::default();
        let mut next = 0u8;
        let mut expect = 0u8;
        // A backlog of 1000 bytes that never empties, 20,000 writes and reads through it.
        for _ in 0..1000 {
            b.push(&[next]);
            next = next.wrapping_add(1);
        }
        for _ in 0..20_000 {
            let data: Vec<u8> = (0..64).map(|i| next.wrapping_add(i)).collect();
            next = next.wrapping_add(64);
            b.push(&data);
            for k in 0..64 {
                assert_eq!(b.unread()[k], expect);
                expect = expect.wrapping_add(1);
            }
            b.consume(64);
        }
        assert_eq!(b.unread().len(), 1000);
        assert!(b.buf.capacity() <= 4096, "capacity {}", b.buf.capacity());
    }

    #[test]
    fn a_burst_of_equal_writes_arriving_together_keeps_one_entry() {
        let mut e = end();
        for i in 0..1000 {
            write(&mut e, Some(7), i * 64, 64);
        }
        assert_eq!(e.incoming.len(), 1);
        // A write of another size, or arriving later, starts an entry.
        write(&mut e, Some(7), 64_000, 10);
        write(&mut e, Some(8), 64_010, 10);
        assert_eq!(e.incoming.len(), 3);
        assert!(read_all(&mut e, 6, 100).is_empty());
        let got = read_all(&mut e, 7, 100);
        assert_eq!(got.len(), 64_010);
        assert!(got.iter().enumerate().all(|(i, b)| *b == i as u8));
        assert_eq!(read_all(&mut e, 8, 3).len(), 10);
    }

    #[test]
    fn a_held_run_is_let_go_one_latency_per_write_as_separate_segments_would_be() {
        let mut e = end();
        write(&mut e, Some(5), 0, 4);
        // Held: three writes of 4 bytes (one entry), then a reset-free write of 2.
        for i in 0..3 {
            write(&mut e, None, 4 + 4 * i, 4);
        }
        write(&mut e, None, 16, 2);
        assert_eq!(e.incoming.len(), 3);
        assert_eq!(e.incoming.iter().map(Segment::writes).sum::<usize>(), 5);
        // Let go at 10: latencies 5, 1, 9, 20 give 15, 15 (never before the one before), 19,
        // 30; the first write had arrived at 5.
        e.restamp(10, vec![5, 1, 9, 20]);
        assert_eq!(read_all(&mut e, 5, 3), [0, 1, 2, 3]);
        assert_eq!(read_all(&mut e, 14, 3), Vec::<u8>::new());
        assert_eq!(read_all(&mut e, 15, 3), (4..12).collect::<Vec<u8>>());
        assert_eq!(read_all(&mut e, 29, 3), (12..16).collect::<Vec<u8>>());
        assert_eq!(read_all(&mut e, 30, 3), [16, 17]);
        assert!(e.incoming.is_empty());
    }
}
