//! `tracing` events in the simulation's trace (feature `tracing`).
//!
//! Rust services log with [`tracing`](https://docs.rs/tracing). With this layer installed, each
//! `tracing::info!` (any level) that code under test emits while a simulation runs on its thread
//! becomes one line of that run's trace, stamped by the trace itself with the virtual time, the
//! step and the task that emitted it, like [`sim::log!`]: it shows in failure reports, in trace
//! snapshots and in the Perfetto (Chrome trace-event) export. A line reads
//! `INFO transfer{from="alice"}: bank: moving amount=10`: the level, the spans the event is in
//! (with their fields), the event's target, its message and its other fields.
//!
//! Outside a simulation the layer records nothing and never panics, so installing it for a whole
//! test binary is safe; other layers (a `fmt` layer printing to the terminal) still see every
//! event. Sweeps record decisions only and re-run the reported seed in full, so the layer formats
//! events only in the runs whose trace keeps them.
//!
//! Install it once per test binary with [`install`], or add [`layer`] to a subscriber of your
//! own (`tracing_subscriber::registry().with(seedloop::tracing::layer()).with(fmt::layer())`).
//! [`SimLayer::spans`] also records entering and leaving spans, which for an instrumented future
//! is each poll of it.
//!
//! ```
//! use tracing::Instrument;
//!
//! harness::tracing::install();
//! let mut sim = sim::Sim::new(0);
//! sim.run(async {
//!     let transfer = sim::spawn_named("transfer", async {
//!         tracing::info!(target: "bank", amount = 10, "moving");
//!     }.instrument(tracing::info_span!("transfer", from = "alice")));
//!     transfer.await.unwrap();
//! }).unwrap();
//! let trace = sim.trace().to_string();
//! assert!(trace.contains("transfer#1: log: INFO transfer{from=\"alice\"}: bank: moving amount=10"), "{trace}");
//!
//! tracing::info!("outside a simulation: recorded nowhere, and no panic");
//! ```

use std::fmt::{self, Write as _};
use std::sync::OnceLock;

use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::{LookupSpan, SpanRef};

/// The layer: records `tracing` events into the running simulation's trace (see the module
/// documentation).
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
/// let subscriber = tracing_subscriber::registry().with(harness::tracing::SimLayer::default());
/// let mut sim = sim::Sim::new(0);
/// tracing::subscriber::with_default(subscriber, || {
///     sim.run(async { tracing::warn!(target: "client", retries = 3, "giving up") }).unwrap();
/// });
/// assert_eq!(sim.trace().logs().next().unwrap().text, "WARN client: giving up retries=3");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SimLayer {
    spans: bool,
}

/// The layer, recording events only.
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
/// let subscriber = tracing_subscriber::registry().with(harness::tracing::layer());
/// let mut sim = sim::Sim::new(0);
/// tracing::subscriber::with_default(subscriber, || {
///     sim.run(async { tracing::info!(target: "bank", "opened") }).unwrap();
/// });
/// assert_eq!(sim.trace().logs().next().unwrap().text, "INFO bank: opened");
/// ```
pub fn layer() -> SimLayer {
    SimLayer::default()
}

impl SimLayer {
    /// Also record `enter <span>` and `exit <span>` lines (default no): for an instrumented
    /// future, one pair per poll (which shows where the task was suspended and resumed) and one
    /// when it is dropped.
    ///
    /// ```
    /// use tracing::Instrument;
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let subscriber = tracing_subscriber::registry().with(harness::tracing::layer().spans(true));
    /// let mut sim = sim::Sim::new(0);
    /// tracing::subscriber::with_default(subscriber, || {
    ///     sim.run(async {
    ///         sim::task::yield_now().await;
    ///     }.instrument(tracing::info_span!("body"))).unwrap();
    /// });
    /// let logs: Vec<String> = sim.trace().logs().map(|l| l.text).collect();
    /// // Two polls (the yield suspends the body once), then the drop of the finished future.
    /// assert_eq!(logs, ["enter body", "exit body", "enter body", "exit body", "enter body", "exit body"]);
    /// ```
    pub fn spans(mut self, yes: bool) -> SimLayer {
        self.spans = yes;
        self
    }
}

/// Installs a subscriber holding [`layer`] as the process's global default, once; later calls
/// do nothing. Returns whether seedloop's subscriber is the global one: `false` when another
/// was installed first, in which case add [`layer`] to that one instead.
///
/// ```
/// assert!(harness::tracing::install());
/// assert!(harness::tracing::install()); // again: nothing to do
/// ```
pub fn install() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(layer());
        tracing_core::dispatcher::set_global_default(tracing_core::Dispatch::new(subscriber))
            .is_ok()
    })
}

/// A span's fields as text, kept in the span's extensions while simulations record it.
struct SpanFields(String);

impl<S> Layer<S> for SimLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        // Kept whether or not a simulation runs: a span made outside one (around `Sim::run`)
        // may be entered inside.
        let mut text = Text::default();
        attrs.record(&mut text);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(text.all()));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut ext = span.extensions_mut();
        if let Some(SpanFields(fields)) = ext.get_mut::<SpanFields>() {
            let mut text = Text::default();
            values.record(&mut text);
            let more = text.all();
            if !more.is_empty() {
                if !fields.is_empty() {
                    fields.push(' ');
                }
                fields.push_str(&more);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if !sim::in_simulation() {
            return;
        }
        // `log!` formats its arguments only when the run keeps a full trace.
        sim::log!("{}", event_line(event, &ctx));
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if self.spans
            && sim::in_simulation()
            && let Some(span) = ctx.span(id)
        {
            sim::log!("enter {}", span_text(&span));
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        if self.spans
            && sim::in_simulation()
            && let Some(span) = ctx.span(id)
        {
            sim::log!("exit {}", span.name());
        }
    }
}

/// `INFO outer{a=1}:inner: target: message field=value`.
fn event_line<S>(event: &Event<'_>, ctx: &Context<'_, S>) -> String
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let meta = event.metadata();
    let mut line = format!("{} ", meta.level());
    if let Some(scope) = ctx.event_scope(event) {
        let spans: Vec<String> = scope.from_root().map(|s| span_text(&s)).collect();
        if !spans.is_empty() {
            line.push_str(&spans.join(":"));
            line.push_str(": ");
        }
    }
    let mut text = Text::default();
    event.record(&mut text);
    let _ = write!(line, "{}: {}", meta.target(), text.all());
    line
}

/// `name{fields}`, or `name` for a span without fields.
fn span_text<'a, R: LookupSpan<'a>>(span: &SpanRef<'a, R>) -> String {
    let ext = span.extensions();
    match ext.get::<SpanFields>() {
        Some(SpanFields(f)) if !f.is_empty() => format!("{}{{{f}}}", span.name()),
        _ => span.name().to_string(),
    }
}

/// An event's or a span's fields: the message as written, the others as `name=value`.
#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Text {
    fn all(self) -> String {
        match (self.message.is_empty(), self.fields.is_empty()) {
            (_, true) => self.message,
            (true, false) => self.fields,
            (false, false) => format!("{} {}", self.message, self.fields),
        }
    }
}

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            if !self.fields.is_empty() {
                self.fields.push(' ');
            }
            let _ = write!(self.fields, "{}={value:?}", field.name());
        }
    }
}
