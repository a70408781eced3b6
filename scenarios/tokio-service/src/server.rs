//! The server: an accept loop limited by a semaphore, one task per connection in a `JoinSet`,
//! a janitor on an interval, a statistics task fed by a channel, and graceful shutdown.

use std::collections::BTreeSet;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{OwnedSemaphorePermit, mpsc, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::{Duration, MissedTickBehavior, interval, timeout};

use crate::store::{After, Event, Shared, stats};

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// A connection silent this long is closed with `BYE idle`.
    pub idle_timeout: Duration,
    /// How often expired keys are purged.
    pub janitor_period: Duration,
    /// How long shutdown waits for connections before aborting them.
    pub grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_connections: 64,
            idle_timeout: Duration::from_secs(30),
            janitor_period: Duration::from_millis(50),
            grace: Duration::from_secs(1),
        }
    }
}

/// What a server did, reported when it stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Connections accepted.
    pub connections: u64,
    /// Commands executed.
    pub commands: u64,
    /// Connections still open at shutdown that had to be aborted.
    pub aborted: usize,
}

/// A bound server, not yet running.
pub struct Server {
    listener: TcpListener,
    config: Config,
}

/// A running server: its address, and the way to stop it.
pub struct ServerHandle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Summary>,
}

impl Server {
    /// Binds `addr` (e.g. `"127.0.0.1:0"`).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(addr: &str, config: Config) -> io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Server { listener, config })
    }

    /// The bound address.
    ///
    /// # Errors
    /// As `TcpListener::local_addr`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Runs the server in a task of its own.
    ///
    /// # Panics
    /// When the listener has no address (never for a bound one).
    pub fn spawn(self) -> ServerHandle {
        let addr = self.local_addr().expect("a bound listener has an address");
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(self.run(async move {
            let _ = stopped.await;
        }));
        ServerHandle {
            addr,
            stop: Some(stop),
            task,
        }
    }

    /// Serves until `shutdown` completes, then tells every connection to finish, waits for them
    /// (at most the grace period) and returns what it did.
    pub async fn run(self, shutdown: impl Future) -> Summary {
        let (shared, events) = Shared::new(self.config.max_connections);
        let stats = tokio::spawn(stats(events));
        let janitor = tokio::spawn(janitor(shared.clone(), self.config.janitor_period));
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut conns = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            while conns.try_join_next().is_some() {}
            let permit = tokio::select! {
                p = shared.limit.clone().acquire_owned() => p.expect("the limit is never closed"),
                _ = &mut shutdown => break,
            };
            let stream = tokio::select! {
                r = self.listener.accept() => match r {
                    Ok((stream, _)) => stream,
                    Err(_) => continue,
                },
                _ = &mut shutdown => break,
            };
            let _ = shared.events.send(Event::Connected);
            let conn = Connection {
                shared: shared.clone(),
                stop: stop_rx.clone(),
                idle: self.config.idle_timeout,
            };
            conns.spawn(conn.serve(stream, permit));
        }
        // Graceful shutdown: ask, wait a little, then abort the rest.
        let _ = stop_tx.send(true);
        let drained = timeout(self.config.grace, async {
            while conns.join_next().await.is_some() {}
        })
        .await;
        let aborted = if drained.is_ok() { 0 } else { conns.len() };
        conns.shutdown().await;
        janitor.abort();
        let _ = janitor.await;
        drop(shared);
        let (connections, commands) = stats.await.unwrap_or((0, 0));
        Summary {
            connections,
            commands,
            aborted,
        }
    }
}

impl ServerHandle {
    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server gracefully and returns its summary.
    ///
    /// # Panics
    /// When the server task panicked.
    pub async fn shutdown(mut self) -> Summary {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.expect("the server task panicked")
    }
}

/// Purges expired keys on every tick.
async fn janitor(shared: Arc<Shared>, period: Duration) {
    let mut tick = interval(period);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        shared.purge().await;
    }
}

struct Connection {
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
    idle: Duration,
}

impl Connection {
    /// Serves one client: commands from its lines, pushes from its subscriptions, until it
    /// quits, goes idle or the server stops. The permit is returned when it ends.
    async fn serve(mut self, stream: TcpStream, permit: OwnedSemaphorePermit) {
        let (rd, wr) = stream.into_split();
        let (out, queue) = mpsc::channel::<String>(16);
        let writer = tokio::spawn(write_lines(wr, queue));
        let mut lines = BufReader::new(rd).lines();
        let mut bus = self.shared.bus.subscribe();
        let settings = self.shared.settings.subscribe();
        let mut topics = BTreeSet::new();
        loop {
            tokio::select! {
                line = timeout(self.idle, lines.next_line()) => {
                    let line = match line {
                        Err(_) => {
                            let _ = out.send("BYE idle".to_string()).await;
                            break;
                        }
                        Ok(Ok(Some(line))) => line,
                        Ok(Ok(None) | Err(_)) => break,
                    };
                    let (reply, after) = self.shared.execute(&line, &settings, &topics).await;
                    if out.send(reply).await.is_err() {
                        break;
                    }
                    match after {
                        After::Continue => {}
                        After::Subscribe(topic) => {
                            topics.insert(topic);
                        }
                        After::Quit => break,
                    }
                }
                msg = bus.recv(), if !topics.is_empty() => match msg {
                    Ok(m) if topics.contains(&m.topic) => {
                        if out.send(format!("MSG {} {}", m.topic, m.text)).await.is_err() {
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(n)) => {
                        let _ = out.send(format!("LAGGED {n}")).await;
                    }
                    Err(RecvError::Closed) => break,
                },
                _ = self.stop.changed() => {
                    let _ = out.send("BYE shutdown".to_string()).await;
                    break;
                }
            }
        }
        drop(out);
        let _ = writer.await;
        drop(permit);
    }
}

/// Writes queued lines until the queue closes, then shuts the connection's writing down.
async fn write_lines(mut wr: OwnedWriteHalf, mut queue: mpsc::Receiver<String>) {
    while let Some(line) = queue.recv().await {
        if wr.write_all(line.as_bytes()).await.is_err() || wr.write_all(b"\n").await.is_err() {
            return;
        }
    }
    let _ = wr.shutdown().await;
}
