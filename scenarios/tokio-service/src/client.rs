//! The client: one connection, requests with a deadline, subscriptions.

use std::io;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpStream, ToSocketAddrs};
use tokio::time::{Duration, timeout};

/// A connection to a [`Server`](crate::Server).
pub struct Client {
    lines: Lines<BufReader<OwnedReadHalf>>,
    wr: OwnedWriteHalf,
    deadline: Duration,
}

fn protocol(line: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("unexpected reply: {line}"),
    )
}

impl Client {
    /// Connects; every request then waits at most 2 s for its reply.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<Client> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (rd, wr) = stream.into_split();
        Ok(Client {
            lines: BufReader::new(rd).lines(),
            wr,
            deadline: Duration::from_secs(2),
        })
    }

    /// Changes how long a request waits for its reply.
    pub fn set_deadline(&mut self, deadline: Duration) {
        self.deadline = deadline;
    }

    /// The next line from the server (a reply or a pushed message); `None` at end of stream.
    ///
    /// # Errors
    /// `TimedOut` past the deadline; I/O errors.
    pub async fn read_line(&mut self) -> io::Result<Option<String>> {
        timeout(self.deadline, self.lines.next_line()).await?
    }

    /// Sends a command line and returns the reply line.
    ///
    /// # Errors
    /// `TimedOut`, `UnexpectedEof` when the server closed, I/O errors.
    pub async fn call(&mut self, command: &str) -> io::Result<String> {
        self.wr.write_all(command.as_bytes()).await?;
        self.wr.write_all(b"\n").await?;
        self.read_line()
            .await?
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "server closed"))
    }

    async fn expect(&mut self, command: &str, reply: &str) -> io::Result<()> {
        let got = self.call(command).await?;
        if got == reply {
            Ok(())
        } else {
            Err(protocol(&got))
        }
    }

    /// `PING`.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn ping(&mut self) -> io::Result<()> {
        self.expect("PING", "PONG").await
    }

    /// `SET key value`.
    ///
    /// # Errors
    /// `PermissionDenied` in read-only mode; as [`Client::call`].
    pub async fn set(&mut self, key: &str, value: &str) -> io::Result<()> {
        let got = self.call(&format!("SET {key} {value}")).await?;
        match got.as_str() {
            "OK" => Ok(()),
            "ERR readonly" => Err(io::Error::new(io::ErrorKind::PermissionDenied, got)),
            _ => Err(protocol(&got)),
        }
    }

    /// `SETEX key millis value`.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn set_expiring(&mut self, key: &str, ttl: Duration, value: &str) -> io::Result<()> {
        let cmd = format!("SETEX {key} {} {value}", ttl.as_millis());
        self.expect(&cmd, "OK").await
    }

    fn value(line: String) -> io::Result<Option<String>> {
        match line.strip_prefix("VALUE ") {
            Some(v) => Ok(Some(v.to_string())),
            None if line == "NIL" || line == "TIMEOUT" => Ok(None),
            None => Err(protocol(&line)),
        }
    }

    /// `GET key`.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn get(&mut self, key: &str) -> io::Result<Option<String>> {
        let line = self.call(&format!("GET {key}")).await?;
        Client::value(line)
    }

    /// `DEL key`: whether it existed.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn del(&mut self, key: &str) -> io::Result<bool> {
        match self.call(&format!("DEL {key}")).await?.as_str() {
            "DELETED 1" => Ok(true),
            "DELETED 0" => Ok(false),
            other => Err(protocol(other)),
        }
    }

    /// `INCR key`: the new value.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn incr(&mut self, key: &str) -> io::Result<i64> {
        let line = self.call(&format!("INCR {key}")).await?;
        Client::value(line)?
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| protocol("INCR without a number"))
    }

    /// `WAIT key millis`: the value once the key exists, or `None` after `limit`.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn wait(&mut self, key: &str, limit: Duration) -> io::Result<Option<String>> {
        let line = self
            .call(&format!("WAIT {key} {}", limit.as_millis()))
            .await?;
        Client::value(line)
    }

    /// `PUB topic text`: how many connections it reached.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn publish(&mut self, topic: &str, text: &str) -> io::Result<usize> {
        let line = self.call(&format!("PUB {topic} {text}")).await?;
        line.strip_prefix("PUBLISHED ")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| protocol(&line))
    }

    /// `SUB topic`.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn subscribe(&mut self, topic: &str) -> io::Result<()> {
        self.expect(&format!("SUB {topic}"), &format!("SUBSCRIBED {topic}"))
            .await
    }

    /// The next pushed message `(topic, text)`; `None` at end of stream.
    ///
    /// # Errors
    /// `TimedOut`, or a line that is no message.
    pub async fn next_message(&mut self) -> io::Result<Option<(String, String)>> {
        let Some(line) = self.read_line().await? else {
            return Ok(None);
        };
        let rest = line.strip_prefix("MSG ").ok_or_else(|| protocol(&line))?;
        let (topic, text) = rest.split_once(' ').ok_or_else(|| protocol(&line))?;
        Ok(Some((topic.to_string(), text.to_string())))
    }

    /// `READONLY on/off`.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn read_only(&mut self, on: bool) -> io::Result<()> {
        let cmd = if on { "READONLY on" } else { "READONLY off" };
        self.expect(cmd, "OK").await
    }

    /// `STATS`: connections accepted and commands run so far.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn stats(&mut self) -> io::Result<(u64, u64)> {
        let line = self.call("STATS").await?;
        let parse = |l: &str| -> Option<(u64, u64)> {
            let rest = l.strip_prefix("STATS connections=")?;
            let (c, n) = rest.split_once(" commands=")?;
            Some((c.parse().ok()?, n.parse().ok()?))
        };
        parse(&line).ok_or_else(|| protocol(&line))
    }

    /// `QUIT`.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn quit(mut self) -> io::Result<()> {
        self.expect("QUIT", "BYE").await
    }
}
