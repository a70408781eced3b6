//! The planted bug of cancel safety, B15, and its fix, B15′.
//!
//! A handler reads length-prefixed frames from a client over a simulated stream, in a loop
//! that `select`s the read against a shutdown signal; at shutdown it drains what the client
//! still sends, so that no frame is lost. The client sends three frames, each in two pieces a
//! millisecond apart, and hangs up two seconds later; main signals shutdown after one second,
//! when every frame has long been read. So the shutdown never meets a half-read frame in this
//! test, under any interleaving: the bug below is invisible to scheduling alone.
//!
//! In production the shutdown can come at any moment, and B15's read is not cancel safe:
//! `read_exact` keeps the part of a frame it has read in its own state, so when the shutdown
//! branch wins half-way through a frame those bytes are dropped with it, and the drain starts
//! in the middle of a frame. The read is marked [`cancellable`], so an exploring strategy asks
//! "what if the shutdown won here?" at each of its awaits: dropped while the handler waits for a
//! frame's header, nothing is lost; dropped between a header and its payload, the drain reads
//! garbage. B15′ keeps every byte it has read in a buffer the loop owns, so being dropped at any
//! await loses nothing: no strategy may fail it.

use std::cell::RefCell;
use std::io;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt};
use sim::concurrency::{Either, select};
use sim::net::{TcpListener, TcpStream};
use sim::sync::Event;
use sim::task::{Cancelled, cancellable};
use sim::time::sleep;

/// The frames the client sends, in order.
pub const FRAMES: [&str; 3] = ["alpha", "bravo", "charlie"];

const ADDR: &str = "localhost:7";

/// Reads one frame: a length byte, then that many bytes of payload; `None` at end of stream.
/// Not cancel safe: between the two reads, the length byte lives only in this future.
async fn read_frame(conn: &mut TcpStream) -> io::Result<Option<String>> {
    let mut len = [0u8; 1];
    if conn.read(&mut len).await? == 0 {
        return Ok(None);
    }
    let mut payload = vec![0; usize::from(len[0])];
    conn.read_exact(&mut payload).await?;
    Ok(Some(String::from_utf8_lossy(&payload).into_owned()))
}

/// Frames from a stream, cancel safe: every byte read goes into `buf` before the next await, so
/// a `next` dropped at any await loses nothing.
struct Frames {
    conn: TcpStream,
    buf: Vec<u8>,
}

impl Frames {
    async fn next(&mut self) -> io::Result<Option<String>> {
        loop {
            if let Some(&len) = self.buf.first()
                && self.buf.len() > usize::from(len)
            {
                let frame: Vec<u8> = self.buf.drain(..=usize::from(len)).skip(1).collect();
                return Ok(Some(String::from_utf8_lossy(&frame).into_owned()));
            }
            let mut chunk = [0u8; 64];
            match self.conn.read(&mut chunk).await? {
                0 if self.buf.is_empty() => return Ok(None),
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

/// The client: each frame in two pieces a millisecond apart, then two seconds connected.
async fn client() -> io::Result<()> {
    let mut conn = TcpStream::connect(ADDR).await?;
    for frame in FRAMES {
        let (head, tail) = frame.as_bytes().split_at(2);
        let len = u8::try_from(frame.len()).expect("short frames");
        conn.write_all(&[len]).await?;
        conn.write_all(head).await?;
        sleep(Duration::from_millis(1)).await;
        conn.write_all(tail).await?;
    }
    sleep(Duration::from_secs(2)).await;
    conn.close().await
}

/// Runs the client against `handler`, signals shutdown after a second, and checks that the
/// handler logged every frame intact.
async fn serve<H, F>(handler: H) -> Result<(), String>
where
    H: FnOnce(TcpStream, Rc<Event>, Rc<RefCell<Vec<String>>>) -> F,
    F: Future<Output = io::Result<()>> + 'static,
{
    let listener = TcpListener::bind(ADDR).await.map_err(|e| e.to_string())?;
    let shutdown = Rc::new(Event::named("shutdown"));
    let log: Rc<RefCell<Vec<String>>> = Rc::default();
    let client = sim::spawn_named("client", client());
    let (conn, _) = listener.accept().await.map_err(|e| e.to_string())?;
    let handler = sim::spawn_named("handler", handler(conn, shutdown.clone(), log.clone()));
    sleep(Duration::from_secs(1)).await;
    shutdown.set();
    let handled = handler.await.map_err(|e| e.to_string())?;
    client
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let log = log.borrow();
    match handled {
        Ok(()) if *log == FRAMES => Ok(()),
        Ok(()) => Err(format!(
            "the handler logged {log:?}, but the client sent {FRAMES:?}"
        )),
        Err(e) => Err(format!("the handler failed after logging {log:?}: {e}")),
    }
}

/// B15, a frame read lost to a shutdown `select` (cancel safety): the read is dropped
/// half-way through a frame, and the drain after the loop starts in the middle of one.
pub async fn b15() -> Result<(), String> {
    serve(|mut conn, shutdown, log| async move {
        loop {
            let read = cancellable(read_frame(&mut conn));
            let frame = match select(read, pin!(shutdown.wait())).await {
                Either::Left((Ok(frame), _)) => frame?,
                // The shutdown won, or the strategy asks what if it had won at this await.
                Either::Left((Err(Cancelled { .. }), _)) | Either::Right(_) => break,
            };
            match frame {
                Some(frame) => log.borrow_mut().push(frame),
                None => return Ok(()),
            }
        }
        // Graceful shutdown: log what the client still sends, until it hangs up.
        while let Some(frame) = read_frame(&mut conn).await? {
            log.borrow_mut().push(frame);
        }
        Ok(())
    })
    .await
}

/// B15′, the same loop over a cancel-safe reader (negative control): bytes read are kept by the
/// loop, so a read dropped at any await loses nothing.
pub async fn b15_fixed() -> Result<(), String> {
    serve(|conn, shutdown, log| async move {
        let mut frames = Frames {
            conn,
            buf: Vec::new(),
        };
        loop {
            let read = cancellable(frames.next());
            let frame = match select(read, pin!(shutdown.wait())).await {
                Either::Left((Ok(frame), _)) => frame?,
                Either::Left((Err(Cancelled { .. }), _)) | Either::Right(_) => break,
            };
            match frame {
                Some(frame) => log.borrow_mut().push(frame),
                None => return Ok(()),
            }
        }
        while let Some(frame) = frames.next().await? {
            log.borrow_mut().push(frame);
        }
        Ok(())
    })
    .await
}
