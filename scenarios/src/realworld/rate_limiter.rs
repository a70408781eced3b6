//! Concurrent API calls through a rate limiter: a token bucket over virtual time.
//!
//! The API allows at most [`ALLOWED`] calls in any [`WINDOW`]. [`CLIENTS`] clients each make
//! [`CALLS`] calls with seeded think times, through one shared token bucket of [`BURST`] tokens
//! refilled one per [`REFILL`] (at whole multiples of it), which keeps any window of
//! `k * REFILL` to `BURST + k` calls: here `3 + 2 = 5` per second. Each call also takes a
//! connection of the HTTP client (a `Semaphore` with a permit per client, so it never blocks).
//!
//! Invariant: no window of length [`WINDOW`] contains more than [`ALLOWED`] calls, and every
//! call is made.
//!
//! **The planted bug** ([`Version::Buggy`]): the client checks that a token is available, then
//! awaits its HTTP connection, then takes the token (check-then-act across an await). Clients
//! woken by the same refill all pass the check before any takes the token; the bucket clamps at
//! zero and the extra calls go out. Fifo never switches at the connection await and misses it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use sim::sync::Semaphore;
use sim::time::{Instant, now, sleep, sleep_until};

use super::Version;

/// Clients per run.
pub const CLIENTS: usize = 6;
/// Calls per client.
pub const CALLS: usize = 4;
/// Tokens the bucket holds at most (and at the start).
pub const BURST: u32 = 3;
/// One token is added per `REFILL`.
pub const REFILL: Duration = Duration::from_millis(500);
/// The API's window.
pub const WINDOW: Duration = Duration::from_secs(1);
/// Calls the API allows per [`WINDOW`]: `BURST + WINDOW / REFILL`.
pub const ALLOWED: usize = 5;

/// A token bucket refilled lazily: tokens added at each whole multiple of [`REFILL`].
struct TokenBucket {
    tokens: Cell<u32>,
    /// The last refill instant accounted for.
    last: Cell<Instant>,
}

impl TokenBucket {
    fn new() -> Self {
        TokenBucket {
            tokens: Cell::new(BURST),
            last: Cell::new(Instant::ZERO),
        }
    }

    fn refill(&self) {
        let periods = (now() - self.last.get()).as_nanos() / REFILL.as_nanos();
        let periods = u32::try_from(periods).expect("a short run");
        if periods > 0 {
            self.tokens.set((self.tokens.get() + periods).min(BURST));
            self.last.set(self.last.get() + REFILL * periods);
        }
    }

    fn next_refill(&self) -> Instant {
        self.last.get() + REFILL
    }

    /// Waits for a token and takes it, with no await in between.
    async fn acquire(&self) {
        loop {
            self.refill();
            if self.tokens.get() > 0 {
                self.tokens.set(self.tokens.get() - 1);
                return;
            }
            sleep_until(self.next_refill()).await;
        }
    }

    /// Waits until a token is available, without taking it (the buggy half of a check-then-act).
    async fn wait_available(&self) {
        loop {
            self.refill();
            if self.tokens.get() > 0 {
                return;
            }
            sleep_until(self.next_refill()).await;
        }
    }

    fn take(&self) {
        self.refill();
        self.tokens.set(self.tokens.get().saturating_sub(1));
    }
}

/// What a run did.
#[derive(Debug)]
pub struct Report {
    /// When each call reached the API, in order.
    pub calls: Vec<Instant>,
    /// When the run ended.
    pub end: Instant,
}

/// Runs [`CLIENTS`] clients through one limiter.
///
/// ```
/// use scenarios::realworld::{Version, rate_limiter};
/// let mut sim = sim::Sim::new(1);
/// let r = sim.run(rate_limiter::run(Version::Correct)).unwrap().unwrap();
/// assert_eq!(r.calls.len(), rate_limiter::CLIENTS * rate_limiter::CALLS);
/// ```
pub async fn run(version: Version) -> Result<Report, String> {
    let bucket = Rc::new(TokenBucket::new());
    let http = Rc::new(Semaphore::named("http connections", CLIENTS));
    let calls: Rc<RefCell<Vec<Instant>>> = Rc::default();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let thinks: Vec<Duration> = (0..CALLS)
                .map(|_| Duration::from_millis(sim::rand::range(0..=300)))
                .collect();
            let (bucket, http, calls) = (bucket.clone(), http.clone(), calls.clone());
            sim::spawn_named(format!("client {c}"), async move {
                for think in thinks {
                    sleep(think).await;
                    let _conn = match version {
                        Version::Correct => {
                            bucket.acquire().await;
                            http.acquire().await
                        }
                        Version::Buggy => {
                            bucket.wait_available().await;
                            let conn = http.acquire().await;
                            bucket.take();
                            conn
                        }
                    };
                    calls.borrow_mut().push(now()); // the API sees the call
                    sleep(Duration::from_millis(sim::rand::range(20..=80))).await;
                }
            })
        })
        .collect();
    for c in clients {
        c.await.map_err(|e| e.to_string())?;
    }
    let calls = Rc::try_unwrap(calls)
        .expect("the clients are done")
        .into_inner();
    if calls.len() != CLIENTS * CALLS {
        return Err(format!(
            "{} calls made, {} expected",
            calls.len(),
            CLIENTS * CALLS
        ));
    }
    // `calls` is in time order: a window holding ALLOWED + 1 calls starts at one of them.
    for (first, later) in calls.iter().zip(calls.iter().skip(ALLOWED)) {
        if *later - *first < WINDOW {
            return Err(format!(
                "rate limit broken: {} calls between t={first} and t={later}, \
                 more than {ALLOWED} per {WINDOW:?}",
                ALLOWED + 1
            ));
        }
    }
    Ok(Report { calls, end: now() })
}
