//! A chat server over simulated streams.
//!
//! The server on host `chat` accepts connections; for each it greets the client with
//! `WELCOME n` (`n`: the number the next broadcast line will get), then reads its lines and
//! broadcasts each, numbered, to every connected client (the sender included). [`CLIENTS`]
//! clients, each on its own host, connect at seeded instants and post [`LINES_EACH`] lines at
//! seeded instants, reading until they have seen the last line of the run.
//!
//! Invariant: every client receives every line broadcast after it connected — from its
//! `WELCOME n` on — in the server's order, with the text that was sent.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use futures::io::BufReader;
use futures::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use sim::channel::mpsc;
use sim::host;
use sim::net::{self, NetConfig, TcpListener, TcpStream};
use sim::time::sleep;

/// Clients per run.
pub const CLIENTS: usize = 4;
/// Lines each client posts.
pub const LINES_EACH: usize = 3;
/// The server's address.
pub const SERVER: &str = "chat:6667";

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Lines the server broadcast.
    pub lines: usize,
    /// Each client's first line number (its `WELCOME n`).
    pub welcomes: Vec<usize>,
}

#[derive(Default)]
struct Room {
    members: BTreeMap<usize, mpsc::UnboundedSender<String>>,
    /// Every line broadcast, in order: the truth clients are checked against.
    log: Vec<String>,
}

/// The server: one reader task and one writer task per client.
async fn server(room: Rc<RefCell<Room>>) -> io::Result<()> {
    let listener = TcpListener::bind(SERVER.replace("chat", "0.0.0.0")).await?;
    for id in 0.. {
        let (stream, _) = listener.accept().await?;
        let (reader, mut writer) = stream.split();
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        {
            let mut r = room.borrow_mut();
            tx.send(format!("WELCOME {}\n", r.log.len()))
                .expect("the receiver is alive");
            r.members.insert(id, tx);
        }
        sim::spawn_named("writer", async move {
            while let Some(line) = rx.recv().await {
                if writer.write_all(line.as_bytes()).await.is_err() {
                    break;
                }
            }
        });
        let room = room.clone();
        sim::spawn_named("reader", async move {
            let mut lines = BufReader::new(reader).lines();
            while let Some(Ok(text)) = futures::StreamExt::next(&mut lines).await {
                let mut r = room.borrow_mut();
                let line = format!("{} {text}\n", r.log.len());
                r.log.push(text);
                for m in r.members.values() {
                    let _ = m.send(line.clone());
                }
            }
            room.borrow_mut().members.remove(&id);
        });
    }
    Ok(())
}

type Lines = futures::io::Lines<BufReader<futures::io::ReadHalf<TcpStream>>>;

async fn next_line(lines: &mut Lines, me: usize, what: &str) -> Result<String, String> {
    match futures::StreamExt::next(lines).await {
        Some(Ok(l)) => Ok(l),
        other => Err(format!("client {me}: no {what}: {other:?}")),
    }
}

/// One client: connect at a seeded instant, post lines at seeded instants, read until the
/// last line of the run; `Err` when what it read breaks the invariant.
async fn client(me: usize, total: usize, room: Rc<RefCell<Room>>) -> Result<usize, String> {
    sleep(Duration::from_millis(sim::rand::range(0..=40))).await;
    let stream = TcpStream::connect(SERVER)
        .await
        .map_err(|e| format!("client {me}: connect: {e}"))?;
    let (reader, mut writer) = stream.split();
    let poster = sim::spawn_named("poster", async move {
        for n in 0..LINES_EACH {
            sleep(Duration::from_millis(sim::rand::range(1..=20))).await;
            writer
                .write_all(format!("client{me}-line{n}\n").as_bytes())
                .await
                .map_err(|e| format!("client {me}: write: {e}"))?;
        }
        Ok::<_, String>(writer)
    });
    let mut lines = BufReader::new(reader).lines();
    let welcome = next_line(&mut lines, me, "WELCOME").await?;
    let first: usize = welcome
        .strip_prefix("WELCOME ")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("client {me}: expected WELCOME n, got {welcome:?}"))?;
    for want in first..total {
        let line = next_line(&mut lines, me, &format!("line {want}")).await?;
        let (seq, text) = line
            .split_once(' ')
            .ok_or_else(|| format!("client {me}: malformed line {line:?}"))?;
        let log_text = room.borrow().log.get(want).cloned();
        if seq != want.to_string() || Some(text) != log_text.as_deref() {
            return Err(format!(
                "client {me} (connected at line {first}) expected line {want} {log_text:?}, got {line:?}"
            ));
        }
    }
    let _writer = poster.await.map_err(|e| e.to_string())??;
    Ok(first)
}

/// Runs the chat once: `Ok` with what happened, or the client whose stream broke the invariant.
///
/// ```
/// let mut sim = sim::Sim::new(4);
/// let report = sim.run(scenarios::io::chat::run()).unwrap().unwrap();
/// assert_eq!(report.welcomes.len(), scenarios::io::chat::CLIENTS);
/// ```
///
/// # Errors
/// When a client missed a line, got one twice, out of order or garbled.
pub async fn run() -> Result<Report, String> {
    net::configure(
        NetConfig::default().latency(Duration::from_millis(1)..=Duration::from_millis(5)),
    );
    let room = Rc::new(RefCell::new(Room::default()));
    host::host("chat").spawn_named("server", server(room.clone()));
    let total = CLIENTS * LINES_EACH;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|me| {
            let room = room.clone();
            host::host(&format!("user{me}")).spawn_named("client", client(me, total, room))
        })
        .collect();
    let mut welcomes = Vec::new();
    for c in clients {
        welcomes.push(c.await.map_err(|e| e.to_string())??);
    }
    let lines = room.borrow().log.len();
    Ok(Report { lines, welcomes })
}
