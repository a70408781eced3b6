//! What the main job shows while it sweeps: a [`Progress`] is told each sweep's start and end
//! and writes the table's lines, so that a progress bar can step aside for them.

use std::io::{self, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Row;

/// Told what the main job does; writes its table lines.
pub trait Progress {
    /// The job starts `total` sweeps.
    fn start(&mut self, total: usize) {
        let _ = total;
    }

    /// A sweep of `scenario` under `strategy` begins.
    fn sweeping(&mut self, scenario: &str, strategy: &str) {
        let _ = (scenario, strategy);
    }

    /// A sweep ended with `row`.
    fn swept(&mut self, row: &Row) {
        let _ = row;
    }

    /// Writes table lines to `out` (a progress bar on the same terminal hides meanwhile).
    ///
    /// # Errors
    /// When writing to `out` fails.
    fn show(&mut self, out: &mut dyn Write, text: &str) -> io::Result<()> {
        writeln!(out, "{text}")?;
        out.flush()
    }

    /// Every sweep ended.
    fn finish(&mut self) {}
}

/// Shows nothing but the table.
///
/// ```
/// use scenarios::explore::{Progress, Quiet};
/// let mut out = Vec::new();
/// Quiet.show(&mut out, "row").unwrap();
/// assert_eq!(out, b"row\n");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Progress for Quiet {}

/// Counts shared between the job and the ticker thread.
struct Beat<W> {
    /// `None` once [`Heartbeat::into_inner`] took it back.
    out: Option<W>,
    total: usize,
    done: usize,
    found: usize,
    current: String,
    started: Instant,
}

impl<W: Write> Beat<W> {
    fn line(&mut self, text: &str) {
        // A progress line that cannot be written must not stop the job: the table is the result.
        if let Some(out) = &mut self.out {
            let _ = writeln!(out, "explore: {text}");
            let _ = out.flush();
        }
    }

    fn status(&self) -> String {
        format!(
            "{}/{} sweeps done, {} with a failure, {:.0}s elapsed; now {}",
            self.done,
            self.total,
            self.found,
            self.started.elapsed().as_secs_f64(),
            self.current
        )
    }
}

/// Plain progress lines for a log or a pipe (`cargo explore | cat`, CI): one when the job
/// starts, one every `every` while it runs (from a ticker thread, so a long sweep shows too),
/// and one when it ends.
///
/// ```
/// use std::time::Duration;
/// use scenarios::explore::{Heartbeat, Progress};
///
/// let mut beat = Heartbeat::new(Vec::new(), Duration::from_secs(5));
/// beat.start(2);
/// beat.sweeping("guide/gather", "fifo");
/// beat.tick();
/// beat.finish();
/// let text = String::from_utf8(beat.into_inner()).unwrap();
/// assert!(text.starts_with("explore: 2 sweeps to run"));
/// assert!(text.contains("explore: 0/2 sweeps done, 0 with a failure"));
/// assert!(text.contains("now guide/gather under fifo"));
/// ```
pub struct Heartbeat<W: Write + Send + 'static> {
    beat: Arc<Mutex<Beat<W>>>,
    every: Duration,
    stop: Option<mpsc::Sender<()>>,
    ticker: Option<JoinHandle<()>>,
}

impl<W: Write + Send + 'static> Heartbeat<W> {
    /// Progress lines to `out`, one every `every` while the job runs.
    pub fn new(out: W, every: Duration) -> Heartbeat<W> {
        Heartbeat {
            beat: Arc::new(Mutex::new(Beat {
                out: Some(out),
                total: 0,
                done: 0,
                found: 0,
                current: String::new(),
                started: Instant::now(),
            })),
            every,
            stop: None,
            ticker: None,
        }
    }

    /// Writes the status line now (what the ticker does every period).
    pub fn tick(&self) {
        tick(&self.beat);
    }

    /// Stops the ticker and returns the sink.
    pub fn into_inner(mut self) -> W {
        self.stop_ticker();
        lock(&self.beat)
            .out
            .take()
            .expect("the sink is taken only here, once")
    }

    fn stop_ticker(&mut self) {
        // Dropping the sender wakes the ticker at once.
        self.stop = None;
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
    }
}

fn lock<W>(m: &Mutex<Beat<W>>) -> std::sync::MutexGuard<'_, Beat<W>> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn tick<W: Write>(m: &Mutex<Beat<W>>) {
    let mut beat = lock(m);
    let status = beat.status();
    beat.line(&status);
}

impl<W: Write + Send + 'static> Progress for Heartbeat<W> {
    fn start(&mut self, total: usize) {
        {
            let mut beat = lock(&self.beat);
            beat.total = total;
            beat.started = Instant::now();
            let every = self.every.as_secs_f64();
            let s = if total == 1 { "" } else { "s" };
            beat.line(&format!(
                "{total} sweep{s} to run; a progress line every {every:.0}s, rows on stdout as \
                 each sweep finishes"
            ));
        }
        let (tx, rx) = mpsc::channel::<()>();
        let beat = Arc::clone(&self.beat);
        let every = self.every;
        self.stop = Some(tx);
        self.ticker = Some(std::thread::spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(every) {
                tick(&beat);
            }
        }));
    }

    fn sweeping(&mut self, scenario: &str, strategy: &str) {
        lock(&self.beat).current = format!("{scenario} under {strategy}");
    }

    fn swept(&mut self, row: &Row) {
        let mut beat = lock(&self.beat);
        beat.done += 1;
        beat.found += usize::from(row.failure.is_some());
    }

    fn finish(&mut self) {
        self.stop_ticker();
        let mut beat = lock(&self.beat);
        let line = format!(
            "{}/{} sweeps done in {:.1}s, {} with a failure",
            beat.done,
            beat.total,
            beat.started.elapsed().as_secs_f64(),
            beat.found
        );
        beat.line(&line);
    }
}

impl<W: Write + Send + 'static> Drop for Heartbeat<W> {
    fn drop(&mut self) {
        self.stop_ticker();
    }
}
