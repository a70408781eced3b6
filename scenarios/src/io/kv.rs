//! A replicated key-value store with a write-ahead log on the simulated disk.
//!
//! Two replica hosts ([`REPLICAS`]) each run a server: on start it recovers its map from its
//! write-ahead log (`wal` on its own disk), then serves `PUT key value` and `GET key` lines over
//! a stream, answering `OK`, `VALUE v` or `MISSING`. A client on host `client` writes [`KEYS`]
//! keys, each to both replicas, retrying a replica until it acknowledges; meanwhile a chaos task
//! crashes one replica (chosen by seed) at a seeded instant and restarts it [`DOWNTIME`] later.
//! When every key is acknowledged by both, the client reads every key back from each replica.
//!
//! Invariant: every write a replica acknowledged survives the crash: it reads back the value
//! it acknowledged.
//!
//! **The planted bug** ([`Version::Buggy`]): the replica appends the record, acknowledges, and
//! leaves the `sync_all` to a group-commit task that syncs the log every [`GROUP_COMMIT`]. A
//! crash between an acknowledgement and the next sync keeps only a prefix of the unsynced
//! records (a recorded fault decision), so acknowledged writes vanish. The correct version syncs
//! before it acknowledges.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use futures::io::BufReader;
use futures::{AsyncBufReadExt, AsyncWriteExt};
use sim::fs::{self, OpenOptions};
use sim::host::{self, Host};
use sim::net::{self, NetConfig, TcpListener, TcpStream};
use sim::time::sleep;

use super::Version;

/// The replica hosts.
pub const REPLICAS: [&str; 2] = ["r1", "r2"];
/// Keys the client writes (`k0`, `k1`, …).
pub const KEYS: usize = 16;
/// The port every replica serves on.
pub const PORT: u16 = 7000;
/// How long the crashed replica stays down.
pub const DOWNTIME: Duration = Duration::from_millis(30);
/// The buggy version's sync period.
pub const GROUP_COMMIT: Duration = Duration::from_millis(20);

/// What a run did, for assertions beyond the invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The replica that crashed.
    pub crashed: &'static str,
    /// When it crashed.
    pub crashed_at: Duration,
    /// Acknowledgements each replica gave (retries after a crash included).
    pub acks: [usize; 2],
}

/// Parses the log: one `key value` record per line; a torn last line (a crash kept only part
/// of its write) is ignored, and the replica cuts it off before appending.
fn recover(wal: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(wal);
    let mut map = BTreeMap::new();
    for line in text.split_inclusive('\n') {
        let Some(rec) = line.strip_suffix('\n') else {
            break;
        };
        if let Some((k, v)) = rec.split_once(' ') {
            map.insert(k.to_string(), v.to_string());
        }
    }
    map
}

/// One replica: recover, listen, serve connections one at a time.
async fn replica(version: Version) -> io::Result<()> {
    let wal = match fs::read("wal").await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut map = recover(&wal);
    let whole = wal.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if whole < wal.len() {
        // A torn last record: cut it off, or the next record would be appended to it.
        let log = OpenOptions::new().write(true).open("wal").await?;
        log.set_len(whole as u64).await?;
        log.sync_all().await?;
    }
    sim::log!("{} recovered {} keys", host::current(), map.len());
    let mut log = OpenOptions::new()
        .append(true)
        .create(true)
        .open("wal")
        .await?;
    if version == Version::Buggy {
        sim::spawn_named("group-commit", async {
            let log = OpenOptions::new().write(true).open("wal").await?;
            loop {
                sleep(GROUP_COMMIT).await;
                log.sync_all().await?;
            }
            #[allow(unreachable_code, reason = "the loop ends by crash or error")]
            io::Result::Ok(())
        });
    }
    let listener = TcpListener::bind(("0.0.0.0", PORT)).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let mut conn = BufReader::new(stream);
        let mut line = String::new();
        loop {
            line.clear();
            if conn.read_line(&mut line).await.unwrap_or(0) == 0 {
                break;
            }
            let mut words = line.split_whitespace();
            let reply = match (words.next(), words.next(), words.next()) {
                (Some("PUT"), Some(k), Some(v)) => {
                    log.write_all(format!("{k} {v}\n").as_bytes()).await?;
                    if version == Version::Correct {
                        log.sync_all().await?;
                    }
                    map.insert(k.to_string(), v.to_string());
                    "OK\n".to_string()
                }
                (Some("GET"), Some(k), None) => match map.get(k) {
                    Some(v) => format!("VALUE {v}\n"),
                    None => "MISSING\n".to_string(),
                },
                _ => format!("ERROR bad request {:?}\n", line.trim_end()),
            };
            if conn.get_mut().write_all(reply.as_bytes()).await.is_err() {
                break;
            }
        }
    }
}

/// The client's connection to one replica, reconnecting after errors.
struct Conn {
    addr: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    fn new(replica: &str) -> Conn {
        Conn {
            addr: format!("{replica}:{PORT}"),
            stream: None,
        }
    }

    /// Sends one request and reads the one-line reply; on any error the connection is dropped
    /// and the caller retries.
    async fn call(&mut self, request: &str) -> io::Result<String> {
        if self.stream.is_none() {
            self.stream = Some(BufReader::new(TcpStream::connect(&self.addr).await?));
        }
        let s = self.stream.as_mut().expect("connected above");
        let r = async {
            s.get_mut().write_all(request.as_bytes()).await?;
            let mut reply = String::new();
            if s.read_line(&mut reply).await? == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed"));
            }
            Ok(reply)
        }
        .await;
        if r.is_err() {
            self.stream = None;
        }
        r
    }

    /// `call` until it succeeds, pausing between attempts.
    async fn call_until_ok(&mut self, request: &str) -> String {
        loop {
            match self.call(request).await {
                Ok(reply) => return reply,
                Err(_) => sleep(Duration::from_millis(5)).await,
            }
        }
    }
}

/// Runs the store once: `Ok` with what happened, or the acknowledged write that was lost.
///
/// ```
/// use scenarios::io::{Version, kv};
/// let mut sim = sim::Sim::new(2);
/// let report = sim.run(kv::run(Version::Correct)).unwrap().unwrap();
/// assert!(report.acks.iter().all(|&n| n >= kv::KEYS));
/// ```
///
/// # Errors
/// When a replica lost a write it acknowledged.
pub async fn run(version: Version) -> Result<Report, String> {
    net::configure(
        NetConfig::default()
            .latency(Duration::from_millis(1)..=Duration::from_millis(3))
            .connect_timeout(Duration::from_millis(20)),
    );
    let replicas: Vec<Host> = REPLICAS.iter().map(|n| host::host(n)).collect();
    for r in &replicas {
        r.spawn_named("replica", replica(version));
    }
    let victim = sim::rand::range(0..REPLICAS.len() as u64) as usize;
    let crash_at = Duration::from_millis(sim::rand::range(5..=60));
    let chaos = {
        let h = replicas[victim].clone();
        sim::spawn_named("chaos", async move {
            sleep(crash_at).await;
            h.crash();
            sleep(DOWNTIME).await;
            h.restart();
            h.spawn_named("replica", replica(version));
        })
    };
    let acks = Rc::new(RefCell::new([0usize; 2]));
    let client = {
        let acks = acks.clone();
        host::host("client").spawn_named("client", async move {
            let mut conns: Vec<Conn> = REPLICAS.iter().map(|r| Conn::new(r)).collect();
            for k in 0..KEYS {
                for (i, c) in conns.iter_mut().enumerate() {
                    let reply = c.call_until_ok(&format!("PUT k{k} v{k}\n")).await;
                    if reply != "OK\n" {
                        return Err(format!("{}: PUT k{k} answered {reply:?}", REPLICAS[i]));
                    }
                    acks.borrow_mut()[i] += 1;
                }
            }
            // Read back only once the crashed replica is up again.
            chaos.await.map_err(|e| e.to_string())?;
            for (i, c) in conns.iter_mut().enumerate() {
                for k in 0..KEYS {
                    let reply = c.call_until_ok(&format!("GET k{k}\n")).await;
                    if reply != format!("VALUE v{k}\n") {
                        return Err(format!(
                            "{} lost the acknowledged write k{k}: GET answered {:?} after it \
                             crashed at t={}ms and restarted",
                            REPLICAS[i],
                            reply.trim_end(),
                            crash_at.as_millis()
                        ));
                    }
                }
            }
            Ok(())
        })
    };
    client.await.map_err(|e| e.to_string())??;
    let acks = *acks.borrow();
    Ok(Report {
        crashed: REPLICAS[victim],
        crashed_at: crash_at,
        acks,
    })
}

#[cfg(test)]
mod tests {
    use super::recover;

    #[test]
    fn recovery_ignores_a_torn_last_record() {
        let map = recover(b"a 1\nb 2\nc");
        assert_eq!(map.len(), 2);
        assert_eq!(map["b"], "2");
    }
}
