//! A web scraper with a concurrency limit, retries and timeouts.
//!
//! [`URLS`] pages are fetched through `sim::gather`, at most [`LIMIT`] at once (a `Semaphore`).
//! Each attempt is bounded by [`FETCH_TIMEOUT`]; a failed or timed-out attempt is retried after a
//! growing backoff, up to [`MAX_ATTEMPTS`] attempts. The simulated site answers each attempt
//! after a seeded latency and fails some with a seeded 503.
//!
//! Invariant: every URL ends fetched (with its own page) or failed after exactly
//! [`MAX_ATTEMPTS`] attempts; every attempt given up reached the site and really failed there (a
//! 503, or no answer within [`FETCH_TIMEOUT`]); never more than [`LIMIT`] requests at the site at
//! once; the whole scrape ends within [`time_bound`].
//!
//! **The planted bug** ([`Version::Buggy`]): the timeout wraps the wait for a slot as well as the
//! request (`timeout(d, async { acquire; fetch })`, an easy refactoring slip). URLs queued behind
//! slow fetches time out before they are sent, or are sent with only part of their time left,
//! burn their retries, and are reported failed though the site would have answered. It depends on the seeded latencies, not on the interleaving:
//! Fifo catches it too.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use sim::sync::Semaphore;
use sim::time::{Instant, now, sleep, timeout};

use super::Version;

/// URLs per run.
pub const URLS: usize = 12;
/// Requests at the site at once, at most.
pub const LIMIT: usize = 3;
/// Attempts per URL, at most.
pub const MAX_ATTEMPTS: usize = 3;
/// Time allowed per attempt.
pub const FETCH_TIMEOUT: Duration = Duration::from_millis(100);
/// Backoff after the first failed attempt; the n-th failure waits n times as long.
pub const BACKOFF: Duration = Duration::from_millis(20);

/// The longest one URL can hold a slot: every attempt times out, with every backoff between.
pub fn per_url_bound() -> Duration {
    let attempts = u32::try_from(MAX_ATTEMPTS).expect("small");
    FETCH_TIMEOUT * attempts + BACKOFF * (attempts * (attempts - 1) / 2)
}

/// The scrape's bound: URLs take slots in order and hold one at most [`per_url_bound`], so the
/// last one starts once every slot has finished at most `ceil(URLS / LIMIT) - 1` URLs.
pub fn time_bound() -> Duration {
    per_url_bound() * u32::try_from(URLS.div_ceil(LIMIT)).expect("small")
}

/// How the site answers one attempt (seeded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// Time to answer.
    pub latency: Duration,
    /// Answers 503 instead of the page.
    pub fails: bool,
}

/// How a URL ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Got the page after this many attempts.
    Fetched(usize),
    /// Gave up after [`MAX_ATTEMPTS`].
    Failed,
}

/// What a run did.
#[derive(Debug)]
pub struct Report {
    /// The site's behaviour, per URL and attempt.
    pub plan: Vec<Vec<Attempt>>,
    /// How each URL ended.
    pub fates: Vec<Fate>,
    /// Attempts that reached the site, per URL.
    pub reached: Vec<usize>,
    /// The most requests at the site at once.
    pub peak: usize,
    /// When the scrape ended.
    pub end: Instant,
}

/// The simulated site: counts requests in flight and per URL.
struct Site {
    plan: Vec<Vec<Attempt>>,
    in_flight: Cell<usize>,
    peak: Cell<usize>,
    reached: RefCell<Vec<usize>>,
}

/// Leaves the site's in-flight count when a request ends, also when a timeout drops it.
struct InFlight<'a>(&'a Site);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.set(self.0.in_flight.get() - 1);
    }
}

impl Site {
    async fn get(&self, url: usize) -> Result<String, String> {
        let attempt = {
            let mut reached = self.reached.borrow_mut();
            reached[url] += 1;
            reached[url] - 1
        };
        let n = self.in_flight.get() + 1;
        self.in_flight.set(n);
        self.peak.set(self.peak.get().max(n));
        let _leave = InFlight(self);
        let a = self.plan[url][attempt];
        sleep(a.latency).await;
        if a.fails {
            Err(format!("503 for /page/{url}"))
        } else {
            Ok(format!("<page {url}>"))
        }
    }
}

async fn scrape(url: usize, site: Rc<Site>, slots: Rc<Semaphore>, version: Version) -> Fate {
    let _slot = match version {
        Version::Correct => Some(slots.acquire().await),
        Version::Buggy => None,
    };
    for attempt in 1..=MAX_ATTEMPTS {
        let fetched = match version {
            Version::Correct => timeout(FETCH_TIMEOUT, site.get(url)).await,
            Version::Buggy => {
                timeout(FETCH_TIMEOUT, async {
                    let _slot = slots.acquire().await;
                    site.get(url).await
                })
                .await
            }
        };
        match fetched {
            Ok(Ok(page)) if page == format!("<page {url}>") => return Fate::Fetched(attempt),
            _ if attempt < MAX_ATTEMPTS => {
                sleep(BACKOFF * u32::try_from(attempt).expect("small")).await;
            }
            _ => {}
        }
    }
    Fate::Failed
}

/// Runs the scrape of [`URLS`] pages.
///
/// ```
/// use scenarios::realworld::{Version, scraper};
/// let mut sim = sim::Sim::new(1);
/// let r = sim.run(scraper::run(Version::Correct)).unwrap().unwrap();
/// assert_eq!(r.fates.len(), scraper::URLS);
/// assert!(r.end - sim::time::Instant::ZERO <= scraper::time_bound());
/// ```
pub async fn run(version: Version) -> Result<Report, String> {
    let plan: Vec<Vec<Attempt>> = (0..URLS)
        .map(|_| {
            (0..MAX_ATTEMPTS)
                .map(|_| Attempt {
                    latency: Duration::from_millis(sim::rand::range(10..=150)),
                    fails: sim::rand::bool_with(0.25),
                })
                .collect()
        })
        .collect();
    let site = Rc::new(Site {
        plan: plan.clone(),
        in_flight: Cell::new(0),
        peak: Cell::new(0),
        reached: RefCell::new(vec![0; URLS]),
    });
    let slots = Rc::new(Semaphore::named("scraper slots", LIMIT));
    let fates =
        sim::gather((0..URLS).map(|url| scrape(url, site.clone(), slots.clone(), version))).await;

    let reached = site.reached.borrow().clone();
    for (url, fate) in fates.iter().enumerate() {
        let (attempts, failed) = match fate {
            Fate::Fetched(n) => (*n, n - 1),
            Fate::Failed => (MAX_ATTEMPTS, MAX_ATTEMPTS),
        };
        if reached[url] != attempts {
            return Err(format!(
                "every failed attempt must be a real failure: URL {url} ended {fate:?} after \
                 {attempts} attempts, but {} reached the site",
                reached[url]
            ));
        }
        let given_up = plan[url][..failed]
            .iter()
            .position(|a| !a.fails && a.latency < FETCH_TIMEOUT);
        if let Some(i) = given_up {
            return Err(format!(
                "every failed attempt must be a real failure: URL {url} gave up attempt {} \
                 though the site answers it in {:?}, within {FETCH_TIMEOUT:?}",
                i + 1,
                plan[url][i].latency
            ));
        }
    }
    if site.peak.get() > LIMIT {
        return Err(format!(
            "concurrency limit broken: {} requests at the site at once, limit {LIMIT}",
            site.peak.get()
        ));
    }
    let took = sim::time::elapsed();
    if took > time_bound() {
        return Err(format!(
            "the scrape took {took:?}, more than its bound {:?}",
            time_bound()
        ));
    }
    Ok(Report {
        plan,
        fates,
        reached,
        peak: site.peak.get(),
        end: now(),
    })
}
