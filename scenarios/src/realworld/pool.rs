//! A database connection pool: acquire with a timeout, release on drop, exhaustion.
//!
//! The pool holds [`POOL_SIZE`] connections. `acquire` takes an idle one, or queues a oneshot
//! for the next release and waits for it at most [`ACQUIRE_TIMEOUT`]. A release hands the
//! connection straight to the oldest waiter still listening, else puts it back. [`USERS`] users
//! each run [`QUERIES`] queries with seeded think and query times on a 10 ms grid, so releases
//! and acquire deadlines often fall in the same instant.
//!
//! Invariant: no connection is held by two users at once, every connection is back in the pool
//! at the end, and an acquirer that timed out gets an error, not a connection.
//!
//! **The planted bug** ([`Version::Buggy`]): `acquire` awaits `timeout(d, reply)` on the
//! oneshot itself. When a release hands it a connection in the instant its deadline comes and
//! the deadline wins, the timeout drops the oneshot with the connection inside: the pool leaks
//! it. The correct version waits through a guard whose `Drop` closes the oneshot and returns a
//! connection that was already handed over. Fifo polls the oneshot first and never leaks.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use std::time::Duration;

use sim::channel::oneshot;
use sim::time::{Instant, now, sleep, timeout};

use super::Version;

/// Connections in the pool.
pub const POOL_SIZE: usize = 3;
/// Users per run.
pub const USERS: usize = 8;
/// Queries per user.
pub const QUERIES: usize = 2;
/// How long `acquire` waits for a connection.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_millis(30);

/// A database connection.
#[derive(Debug)]
pub struct Conn {
    id: usize,
}

/// `acquire` gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolTimeout;

/// The pool, and who holds what (to check the invariant).
pub struct Pool {
    idle: RefCell<Vec<Conn>>,
    waiters: RefCell<VecDeque<oneshot::Sender<Conn>>>,
    holders: RefCell<BTreeMap<usize, usize>>,
    violations: RefCell<Vec<String>>,
    rescued: Cell<usize>,
    version: Version,
}

/// A connection on loan; back to the pool on drop.
pub struct Pooled {
    conn: Option<Conn>,
    pool: Rc<Pool>,
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let conn = self.conn.take().expect("taken only here");
        self.pool.holders.borrow_mut().remove(&conn.id);
        self.pool.release(conn);
    }
}

/// Waits for a handed-over connection; on drop, returns one that arrived too late.
struct Waiting {
    rx: oneshot::Receiver<Conn>,
    pool: Rc<Pool>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.rx.close();
        if let Ok(conn) = self.rx.try_recv() {
            self.pool.rescued.set(self.pool.rescued.get() + 1);
            self.pool.release(conn);
        }
    }
}

impl Pool {
    fn new(version: Version) -> Rc<Pool> {
        Rc::new(Pool {
            idle: RefCell::new((0..POOL_SIZE).map(|id| Conn { id }).collect()),
            waiters: RefCell::default(),
            holders: RefCell::default(),
            violations: RefCell::default(),
            rescued: Cell::new(0),
            version,
        })
    }

    fn release(&self, mut conn: Conn) {
        loop {
            let next = self.waiters.borrow_mut().pop_front();
            match next {
                Some(waiter) => match waiter.send(conn) {
                    Ok(()) => return,
                    Err(back) => conn = back, // that waiter gave up; try the next
                },
                None => {
                    self.idle.borrow_mut().push(conn);
                    return;
                }
            }
        }
    }

    /// A connection for `user`, or [`PoolTimeout`] after [`ACQUIRE_TIMEOUT`].
    pub async fn acquire(self: &Rc<Self>, user: usize) -> Result<Pooled, PoolTimeout> {
        let idle = self.idle.borrow_mut().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let (tx, rx) = oneshot::channel();
                self.waiters.borrow_mut().push_back(tx);
                match self.version {
                    Version::Correct => {
                        let mut w = Waiting {
                            rx,
                            pool: self.clone(),
                        };
                        match timeout(ACQUIRE_TIMEOUT, &mut w.rx).await {
                            Ok(Ok(conn)) => conn,
                            _ => return Err(PoolTimeout),
                        }
                    }
                    Version::Buggy => match timeout(ACQUIRE_TIMEOUT, rx).await {
                        Ok(Ok(conn)) => conn,
                        _ => return Err(PoolTimeout),
                    },
                }
            }
        };
        if let Some(other) = self.holders.borrow_mut().insert(conn.id, user) {
            self.violations.borrow_mut().push(format!(
                "connection {} handed to user {user} while user {other} holds it",
                conn.id
            ));
        }
        Ok(Pooled {
            conn: Some(conn),
            pool: self.clone(),
        })
    }
}

/// What a run did.
#[derive(Debug)]
pub struct Report {
    /// Queries run.
    pub queries: usize,
    /// Acquires that timed out.
    pub timeouts: usize,
    /// Connections idle at the end.
    pub idle: usize,
    /// Connections handed to an acquirer that timed out in the same instant, which its guard
    /// gave back to the pool (always 0 under Fifo, which lets the hand-off win).
    pub rescued: usize,
    /// When the run ended.
    pub end: Instant,
}

fn ticks(lo: u64, hi: u64) -> Duration {
    Duration::from_millis(sim::rand::range(lo..=hi) * 10)
}

/// Runs [`USERS`] users against a pool of [`POOL_SIZE`].
///
/// ```
/// use scenarios::realworld::{Version, pool};
/// let mut sim = sim::Sim::new(1);
/// let r = sim.run(pool::run(Version::Correct)).unwrap().unwrap();
/// assert_eq!(r.queries + r.timeouts, pool::USERS * pool::QUERIES);
/// assert_eq!(r.idle, pool::POOL_SIZE);
/// ```
pub async fn run(version: Version) -> Result<Report, String> {
    let pool = Pool::new(version);
    let users: Vec<_> = (0..USERS)
        .map(|user| {
            let plan: Vec<(Duration, Duration)> =
                (0..QUERIES).map(|_| (ticks(0, 2), ticks(1, 4))).collect();
            let pool = pool.clone();
            sim::spawn_named(format!("user {user}"), async move {
                let (mut queries, mut timeouts) = (0, 0);
                for (think, query) in plan {
                    sleep(think).await;
                    match pool.acquire(user).await {
                        Ok(conn) => {
                            sleep(query).await; // the query
                            queries += 1;
                            drop(conn);
                        }
                        Err(PoolTimeout) => timeouts += 1,
                    }
                }
                (queries, timeouts)
            })
        })
        .collect();
    let (mut queries, mut timeouts) = (0, 0);
    for u in users {
        let (q, t) = u.await.map_err(|e| e.to_string())?;
        queries += q;
        timeouts += t;
    }
    if let Some(v) = pool.violations.borrow().first() {
        return Err(format!("a connection held by two users: {v}"));
    }
    let idle = pool.idle.borrow().len();
    if idle != POOL_SIZE {
        return Err(format!(
            "the pool must be whole at the end: {idle} of {POOL_SIZE} connections are back \
             (a connection leaked)"
        ));
    }
    let mut ids: Vec<usize> = pool.idle.borrow().iter().map(|c| c.id).collect();
    ids.sort_unstable();
    if ids != (0..POOL_SIZE).collect::<Vec<_>>() {
        return Err(format!("the pool holds connections {ids:?}"));
    }
    Ok(Report {
        queries,
        timeouts,
        idle,
        rescued: pool.rescued.get(),
        end: now(),
    })
}
