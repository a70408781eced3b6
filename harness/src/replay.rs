//! Replaying a token: the one execution it names, reported as when it was found.

use std::future::Future;

use sim::{Sim, Strategy, TraceLevel};

use crate::context::TestContext;
use crate::determinism::{Nondeterminism, compare_traces};
use crate::origin::Origin;
use crate::report::Report;
use crate::sweep::{TestOutput, run_once};
use crate::token::{Token, TokenError};

/// What replaying a token gave.
///
/// ```
/// let racy = || async {
///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
///     let other = sim::spawn({
///         let hits = hits.clone();
///         async move { let read = hits.get(); sim::task::maybe_yield().await; hits.set(read + 1) }
///     });
///     let read = hits.get();
///     sim::task::maybe_yield().await;
///     hits.set(read + 1);
///     other.await.unwrap();
///     assert_eq!(hits.get(), 2, "lost update");
/// };
/// let token = harness::Check::new().no_regressions().explore(racy).report.unwrap().token_text;
/// let replayed = harness::try_replay(&token, &racy, Default::default()).unwrap();
/// assert!(matches!(replayed, harness::Replayed::Failed(_)));
/// // The fixed program passes the same schedule.
/// let fixed = || async {
///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
///     let other = sim::spawn({
///         let hits = hits.clone();
///         async move { sim::task::maybe_yield().await; hits.set(hits.get() + 1) }
///     });
///     sim::task::maybe_yield().await;
///     hits.set(hits.get() + 1);
///     other.await.unwrap();
///     assert_eq!(hits.get(), 2, "lost update");
/// };
/// assert!(matches!(harness::try_replay(&token, &fixed, Default::default()).unwrap(), harness::Replayed::Passed));
/// ```
#[derive(Debug)]
pub enum Replayed {
    /// The run passed: the bug is fixed (or the failure depended on something else).
    Passed,
    /// The run failed (possibly by diverging from a schedule that no longer fits the program).
    Failed(Box<Report>),
    /// Two runs of the token differed: the program is not deterministic.
    Nondeterministic(Nondeterminism),
}

/// Replays `token` with `body`: panics with the failure report when the run fails, returns
/// when it passes.
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// async fn lost_update() {
///     let c = Rc::new(Cell::new(0));
///     let d = c.clone();
///     let t = sim::spawn(async move { let x = d.get(); sim::task::maybe_yield().await; d.set(x + 1) });
///     let x = c.get();
///     sim::task::maybe_yield().await;
///     c.set(x + 1);
///     t.await.unwrap();
///     assert_eq!(c.get(), 2, "lost update");
/// }
/// let found = harness::Check::new().no_regressions().explore(lost_update);
/// let report = found.report.expect("some seed loses the update");
/// let replayed = std::panic::catch_unwind(|| harness::replay(&report.token_text, lost_update));
/// let text = replayed.unwrap_err().downcast::<String>().unwrap();
/// assert!(text.contains("\nnote: replayed from a token; it was found with seed"));
/// // The same report, but for the line that says where it came from.
/// let mut same = (*report).clone();
/// same.origin = harness::Origin::Token;
/// assert_eq!(*text, same.to_string());
/// ```
///
/// # Panics
/// When the run fails (with the report), when the token is not valid (saying what is wrong
/// with it), or when two runs of it differ (nondeterminism).
#[track_caller]
pub fn replay<F, Fut>(token: &str, body: F)
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    let full_trace = crate::env::Env::from_process().full_trace();
    match try_replay(token, &body, TestContext::detect()) {
        Err(e) => panic!("seedloop: SEEDLOOP_REPLAY / harness::replay: {e}"),
        Ok(Replayed::Passed) => {}
        Ok(Replayed::Failed(mut r)) => {
            r.full_trace = full_trace;
            panic!("{r}")
        }
        Ok(Replayed::Nondeterministic(n)) => panic!("{}", nondeterminism_text(token, None, &n)),
    }
}

/// Replays `token` with `body` and says what happened.
///
/// # Errors
/// When the token is not valid.
///
/// ```
/// let bad = harness::try_replay("not a token", &|| async {}, Default::default()).unwrap_err();
/// assert_eq!(bad, harness::TokenError::NotAToken);
/// ```
pub fn try_replay<F, Fut>(
    token: &str,
    body: &F,
    context: TestContext,
) -> Result<Replayed, TokenError>
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    let parsed = Token::parse(token)?;
    Ok(replay_parsed(parsed, body, context))
}

/// Replays a parsed token twice at full trace level and builds the report.
pub(crate) fn replay_parsed<F, Fut>(token: Token, body: &F, context: TestContext) -> Replayed
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    if let Some(name) = context.check_name()
        && token.recorded_by_another(name)
    {
        eprintln!(
            "seedloop: this replay token was recorded by another test; replaying it under \
             `{name}`"
        );
    }
    let run = || {
        run_once(
            &token.options,
            token.seed,
            Strategy::replay(token.schedule.clone()),
            TraceLevel::Full,
            body,
        )
    };
    let first = run();
    let second = run();
    if let Some(n) = compare_traces(&first.trace, &second.trace) {
        return Replayed::Nondeterministic(n);
    }
    let Some(failure) = first.failure else {
        return Replayed::Passed;
    };
    let token_text = token.encode();
    Replayed::Failed(Box::new(Report {
        digest: first.trace.digest(),
        failure,
        token,
        token_text,
        context,
        trace: first.trace,
        origin: Origin::Token,
        full_trace: false,
    }))
}

/// Replays `token` once more, printing every event of the run to stderr as it happens (for
/// `SEEDLOOP_TRACE=full` when the run is longer than a trace keeps): the whole trace of a run of
/// any length, without holding it.
pub(crate) fn stream_trace<F, Fut>(token: &Token, body: &F)
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    eprintln!("seedloop: the whole trace of the reported run (SEEDLOOP_TRACE=full):");
    let mut sim = Sim::builder()
        .seed(token.seed)
        .strategy(Strategy::replay(token.schedule.clone()))
        .options(token.options.clone())
        .trace_level(TraceLevel::Full)
        .keep_events(0)
        .trace_sink(|line| eprintln!("      {line}"))
        .build();
    // The verdict is the report's; this replay only prints.
    let _ = sim.run(body());
}

/// The report for a program that ran differently twice from the same seed or token; `failed`
/// is what the first run failed with, when a sweep found it.
pub(crate) fn nondeterminism_text(what: &str, failed: Option<&str>, n: &Nondeterminism) -> String {
    let mut text = format!(
        "error: seedloop: nondeterminism: {what} ran twice and the runs differ at {}\n",
        n.at
    );
    if let Some(failure) = failed {
        text.push_str(&format!(
            "note: the first run of the seed failed with: {failure}\n"
        ));
    }
    text.push_str(&format!(
        "note: first run:  {}\nnote: second run: {}\n",
        n.first, n.second
    ));
    if let Some(task) = &n.inside {
        text.push_str(&format!(
            "note: the runs part inside one poll of {task}, with no scheduling decision in \
             between: that task went another way by itself, or on data that differed (written \
             earlier by code that chose differently without leaving a trace event)\n"
        ));
    }
    text.push_str(
        "help: something outside seedloop's control changes the program's behaviour between runs: \
         a real clock, a thread, OS randomness (also inside dependencies: tokio-stream's StreamMap \
         and futures' select! and select_all start polling at a random stream), HashMap iteration \
         order, or state kept in a static or thread-local across runs. Use sim::time, sim::rand \
         and sim::spawn, BTreeMap, and create all state inside the test body; a dependency's own \
         randomness cannot be controlled, so make the test's assertions hold for every order it \
         may pick",
    );
    text
}
