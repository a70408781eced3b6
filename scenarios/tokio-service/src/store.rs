//! The shared state of the server and the command interpreter.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tokio::sync::{Mutex, Notify, Semaphore, broadcast, mpsc, oneshot, watch};
use tokio::time::{Duration, Instant, timeout};

/// A published message.
#[derive(Clone, Debug)]
pub(crate) struct Message {
    pub(crate) topic: String,
    pub(crate) text: String,
}

/// Settings every connection watches.
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    pub(crate) read_only: bool,
}

/// What the statistics task hears about.
#[derive(Debug)]
pub(crate) enum Event {
    Connected,
    Command,
    Query(oneshot::Sender<(u64, u64)>),
}

struct Entry {
    value: String,
    expires: Option<Instant>,
}

/// What every connection shares.
pub(crate) struct Shared {
    entries: Mutex<BTreeMap<String, Entry>>,
    /// Woken on every write, for `WAIT`.
    written: Notify,
    pub(crate) bus: broadcast::Sender<Message>,
    pub(crate) settings: watch::Sender<Settings>,
    pub(crate) events: mpsc::UnboundedSender<Event>,
    pub(crate) limit: Arc<Semaphore>,
}

/// What a command asks the connection to do after replying.
pub(crate) enum After {
    Continue,
    Subscribe(String),
    Quit,
}

impl Shared {
    pub(crate) fn new(max_connections: usize) -> (Arc<Shared>, mpsc::UnboundedReceiver<Event>) {
        let (events, rx) = mpsc::unbounded_channel();
        let (bus, _) = broadcast::channel(64);
        let (settings, _) = watch::channel(Settings::default());
        let shared = Arc::new(Shared {
            entries: Mutex::new(BTreeMap::new()),
            written: Notify::new(),
            bus,
            settings,
            events,
            limit: Arc::new(Semaphore::new(max_connections)),
        });
        (shared, rx)
    }

    /// Removes expired keys; returns how many.
    pub(crate) async fn purge(&self) -> usize {
        let now = Instant::now();
        let mut entries = self.entries.lock().await;
        let before = entries.len();
        entries.retain(|_, e| e.expires.is_none_or(|t| t > now));
        before - entries.len()
    }

    async fn get(&self, key: &str) -> Option<String> {
        let entries = self.entries.lock().await;
        let now = Instant::now();
        entries
            .get(key)
            .filter(|e| e.expires.is_none_or(|t| t > now))
            .map(|e| e.value.clone())
    }

    async fn set(&self, key: &str, value: &str, ttl: Option<Duration>) {
        let expires = ttl.map(|d| Instant::now() + d);
        self.entries.lock().await.insert(
            key.to_string(),
            Entry {
                value: value.to_string(),
                expires,
            },
        );
        self.written.notify_waiters();
    }

    async fn incr(&self, key: &str) -> Result<i64, String> {
        // One critical section for the read and the write: no increment is lost.
        let mut entries = self.entries.lock().await;
        let n = match entries.get(key) {
            Some(e) => e.value.parse::<i64>().map_err(|_| "ERR not a number")?,
            None => 0,
        } + 1;
        entries.insert(
            key.to_string(),
            Entry {
                value: n.to_string(),
                expires: None,
            },
        );
        drop(entries);
        self.written.notify_waiters();
        Ok(n)
    }

    async fn wait(&self, key: &str, limit: Duration) -> Option<String> {
        let wait = async {
            loop {
                // Created before the check, so a write between the check and the await is seen.
                let notified = self.written.notified();
                if let Some(v) = self.get(key).await {
                    return v;
                }
                notified.await;
            }
        };
        timeout(limit, wait).await.ok()
    }

    /// Runs one command line; returns the reply and what to do next.
    pub(crate) async fn execute(
        &self,
        line: &str,
        settings: &watch::Receiver<Settings>,
        topics: &BTreeSet<String>,
    ) -> (String, After) {
        let _ = self.events.send(Event::Command);
        let mut words = line.split_whitespace();
        let cmd = words.next().unwrap_or("").to_ascii_uppercase();
        let args: Vec<&str> = words.collect();
        let read_only = settings.borrow().read_only;
        let reply = match (cmd.as_str(), args.as_slice()) {
            ("PING", []) => "PONG".to_string(),
            ("SET" | "SETEX" | "DEL" | "INCR", _) if read_only => "ERR readonly".to_string(),
            ("SET", [k, v]) => {
                self.set(k, v, None).await;
                "OK".to_string()
            }
            ("SETEX", [k, ms, v]) => match ms.parse::<u64>() {
                Ok(ms) => {
                    self.set(k, v, Some(Duration::from_millis(ms))).await;
                    "OK".to_string()
                }
                Err(_) => "ERR bad ttl".to_string(),
            },
            ("GET", [k]) => match self.get(k).await {
                Some(v) => format!("VALUE {v}"),
                None => "NIL".to_string(),
            },
            ("DEL", [k]) => {
                let gone = self.entries.lock().await.remove(*k).is_some();
                format!("DELETED {}", u8::from(gone))
            }
            ("INCR", [k]) => match self.incr(k).await {
                Ok(n) => format!("VALUE {n}"),
                Err(e) => e,
            },
            ("WAIT", [k, ms]) => match ms.parse::<u64>() {
                Ok(ms) => match self.wait(k, Duration::from_millis(ms)).await {
                    Some(v) => format!("VALUE {v}"),
                    None => "TIMEOUT".to_string(),
                },
                Err(_) => "ERR bad timeout".to_string(),
            },
            ("SUB", [topic]) if topics.contains(*topic) => format!("SUBSCRIBED {topic}"),
            ("SUB", [topic]) => {
                return (
                    format!("SUBSCRIBED {topic}"),
                    After::Subscribe(topic.to_string()),
                );
            }
            ("PUB", [topic, rest @ ..]) if !rest.is_empty() => {
                let n = self
                    .bus
                    .send(Message {
                        topic: topic.to_string(),
                        text: rest.join(" "),
                    })
                    .unwrap_or(0);
                format!("PUBLISHED {n}")
            }
            ("READONLY", [on]) => {
                let on = on.eq_ignore_ascii_case("on");
                self.settings.send_modify(|s| s.read_only = on);
                "OK".to_string()
            }
            ("STATS", []) => {
                let (tx, rx) = oneshot::channel();
                let _ = self.events.send(Event::Query(tx));
                match rx.await {
                    Ok((c, n)) => format!("STATS connections={c} commands={n}"),
                    Err(_) => "ERR stats unavailable".to_string(),
                }
            }
            ("QUIT", []) => return ("BYE".to_string(), After::Quit),
            _ => format!("ERR unknown command: {line}"),
        };
        (reply, After::Continue)
    }
}

/// Counts connections and commands; answers `STATS` queries; returns the totals when every
/// sender is gone.
pub(crate) async fn stats(mut events: mpsc::UnboundedReceiver<Event>) -> (u64, u64) {
    let (mut connections, mut commands) = (0u64, 0u64);
    while let Some(e) = events.recv().await {
        match e {
            Event::Connected => connections += 1,
            Event::Command => commands += 1,
            Event::Query(reply) => {
                let _ = reply.send((connections, commands));
            }
        }
    }
    (connections, commands)
}
