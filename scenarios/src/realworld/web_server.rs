//! A web server handling concurrent requests with a connection limit.
//!
//! Clients arrive at seeded times and send their request, with a oneshot for the reply, over a
//! bounded mpsc channel (the listen backlog). The server spawns a handler per request; a handler
//! waits for one of [`LIMIT`] connection slots (a `Semaphore`), asks the backend (a seeded
//! latency) and renders the response.
//!
//! Invariant: never more than [`LIMIT`] handlers in flight, every request answered exactly once,
//! and every response is the one for its request.
//!
//! **The planted bug** ([`Version::Buggy`]): the handler keeps "the current request" in a
//! server-wide slot (as code ported from a one-request-at-a-time server, or from thread-locals,
//! tends to) and reads it back after awaiting the backend. A request handled meanwhile overwrites
//! it, and its client's response goes to the wrong client. Every schedule that overlaps two
//! handlers shows it, so Fifo catches it too.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use sim::channel::{mpsc, oneshot};
use sim::sync::Semaphore;
use sim::time::{Instant, now, sleep, sleep_until};

use super::Version;

/// Connection slots: handlers in flight at most.
pub const LIMIT: usize = 3;
/// Requests per run.
pub const REQUESTS: usize = 12;

/// A client's request.
struct Request {
    id: usize,
    path: String,
    reply: oneshot::Sender<Response>,
}

/// What the server sends back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The request it answers.
    pub request: usize,
    /// The rendered page.
    pub body: String,
}

/// What a run did.
#[derive(Debug)]
pub struct Report {
    /// When each request arrived (seeded).
    pub arrivals: Vec<Instant>,
    /// How long the backend took for each request (seeded).
    pub backend: Vec<Duration>,
    /// When each client got its response.
    pub answered: Vec<Instant>,
    /// The most handlers in flight at once.
    pub peak: usize,
    /// When the run ended.
    pub end: Instant,
}

fn render(path: &str) -> String {
    format!("<h1>{path}</h1>")
}

/// Handlers in flight, and how many responses each request got.
#[derive(Default)]
struct Stats {
    in_flight: Cell<usize>,
    peak: Cell<usize>,
    over_limit: Cell<bool>,
    responses: RefCell<Vec<usize>>,
}

async fn handle(
    req_id: usize,
    path: String,
    backend: Duration,
    current: &RefCell<Option<(usize, String)>>,
    version: Version,
) -> Response {
    match version {
        Version::Correct => {
            sleep(backend).await;
            Response {
                request: req_id,
                body: render(&path),
            }
        }
        Version::Buggy => {
            *current.borrow_mut() = Some((req_id, path));
            sleep(backend).await;
            let (id, path) = current.borrow().clone().expect("set above");
            Response {
                request: id,
                body: render(&path),
            }
        }
    }
}

async fn serve(
    mut requests: mpsc::Receiver<Request>,
    backend: Rc<[Duration]>,
    stats: Rc<Stats>,
    version: Version,
) {
    let slots = Rc::new(Semaphore::named("connections", LIMIT));
    let current = Rc::new(RefCell::new(None));
    let mut handlers = Vec::new();
    while let Some(req) = requests.recv().await {
        let (slots, backend, stats, current) = (
            slots.clone(),
            backend.clone(),
            stats.clone(),
            current.clone(),
        );
        handlers.push(sim::spawn_named(
            format!("handler {}", req.id),
            async move {
                let _slot = slots.acquire().await;
                let inside = stats.in_flight.get() + 1;
                stats.in_flight.set(inside);
                stats.peak.set(stats.peak.get().max(inside));
                stats
                    .over_limit
                    .set(stats.over_limit.get() || inside > LIMIT);
                let response = handle(req.id, req.path, backend[req.id], &current, version).await;
                stats.in_flight.set(stats.in_flight.get() - 1);
                stats.responses.borrow_mut()[req.id] += 1;
                // A client that gave up is not the server's problem.
                let _ = req.reply.send(response);
            },
        ));
    }
    for h in handlers {
        h.await.expect("handlers do not panic");
    }
}

/// Runs the server against [`REQUESTS`] clients.
///
/// ```
/// use scenarios::realworld::{Version, web_server};
/// let mut sim = sim::Sim::new(1);
/// let r = sim.run(web_server::run(Version::Correct)).unwrap().unwrap();
/// assert!(r.peak <= web_server::LIMIT);
/// assert_eq!(r.answered.len(), web_server::REQUESTS);
/// ```
pub async fn run(version: Version) -> Result<Report, String> {
    // Draw the workload up front, so it does not depend on the interleaving.
    let mut arrivals = Vec::with_capacity(REQUESTS);
    let mut t = Instant::ZERO;
    for _ in 0..REQUESTS {
        t += Duration::from_millis(sim::rand::range(0..=10));
        arrivals.push(t);
    }
    let backend: Rc<[Duration]> = (0..REQUESTS)
        .map(|_| Duration::from_millis(sim::rand::range(5..=40)))
        .collect();

    let stats = Rc::new(Stats::default());
    stats.responses.borrow_mut().resize(REQUESTS, 0);
    let (tx, rx) = mpsc::channel(4);
    let server = sim::spawn_named("server", serve(rx, backend.clone(), stats.clone(), version));
    let clients: Vec<_> = (0..REQUESTS)
        .map(|id| {
            let (tx, at) = (tx.clone(), arrivals[id]);
            sim::spawn_named(format!("client {id}"), async move {
                sleep_until(at).await;
                let (reply, response) = oneshot::channel();
                let path = format!("/items/{id}");
                tx.send(Request { id, path, reply })
                    .await
                    .map_err(|_| format!("request {id}: the server stopped listening"))?;
                let response = response
                    .await
                    .map_err(|_| format!("request {id} was never answered"))?;
                Ok::<_, String>((response, now()))
            })
        })
        .collect();
    drop(tx);

    let mut answered = Vec::with_capacity(REQUESTS);
    for (id, client) in clients.into_iter().enumerate() {
        let (response, at) = client.await.map_err(|e| e.to_string())??;
        let expected = render(&format!("/items/{id}"));
        if response.request != id || response.body != expected {
            return Err(format!(
                "responses must match requests: request {id} got the response to request {} ({:?})",
                response.request, response.body
            ));
        }
        answered.push(at);
    }
    server.await.map_err(|e| e.to_string())?;

    if stats.over_limit.get() {
        return Err(format!(
            "connection limit broken: {} handlers in flight, limit {LIMIT}",
            stats.peak.get()
        ));
    }
    let responses = stats.responses.borrow();
    if let Some((id, n)) = responses.iter().enumerate().find(|(_, n)| **n != 1) {
        return Err(format!(
            "every request must be answered exactly once: request {id} got {n} responses"
        ));
    }
    Ok(Report {
        arrivals,
        backend: backend.to_vec(),
        answered,
        peak: stats.peak.get(),
        end: now(),
    })
}
