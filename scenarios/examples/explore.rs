//! The main job: sweep every scenario under several strategies and print what was found.
//!
//! ```text
//! cargo explore [FILTER]... [--seeds N] [--strategy NAME] [--full-tokens] [--tokens-file FILE]
//! cargo explore <scenario> --replay TOKEN [--trace-json FILE]
//! ```
//!
//! `cargo explore --help` lists the options, the scenarios and the strategies. The work is in
//! [`scenarios::explore`]; this file picks how progress shows: a bar when stderr is a terminal,
//! a plain line every few seconds when it is not (a pipe, a CI log).

#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use scenarios::explore::{Cli, Heartbeat, Progress, Row, replay, run};

/// How often the plain progress line repeats when stderr is not a terminal.
const HEARTBEAT: Duration = Duration::from_secs(3);

/// A progress bar on the terminal, hidden while table rows print.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&mut self, total: usize) {
        self.0.set_length(total as u64);
    }

    fn sweeping(&mut self, scenario: &str, strategy: &str) {
        self.0.set_message(format!("{scenario} under {strategy}"));
    }

    fn swept(&mut self, _: &Row) {
        self.0.inc(1);
    }

    fn show(&mut self, out: &mut dyn Write, text: &str) -> std::io::Result<()> {
        self.0.suspend(|| {
            writeln!(out, "{text}")?;
            out.flush()
        })
    }

    fn finish(&mut self) {
        self.0.finish_and_clear();
    }
}

fn bar() -> Bar {
    let style = ProgressStyle::with_template("[{elapsed:>3}] {bar:30} {pos}/{len} sweeps  {msg}")
        .expect("a valid progress template")
        .progress_chars("#>-");
    let bar = ProgressBar::new(0).with_style(style);
    // Redraw between sweeps too, so that the elapsed time moves during a long one.
    bar.enable_steady_tick(Duration::from_millis(250));
    Bar(bar)
}

/// `target/explore-tokens.txt` in the workspace, where `cargo clean` removes it and git ignores
/// it; shown relative to the current directory when it is inside it.
fn default_tokens_file() -> Option<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?;
    let target = workspace.join("target");
    std::fs::create_dir_all(&target).ok()?;
    let file = target.join("explore-tokens.txt");
    let here = std::env::current_dir().ok();
    let short = here.and_then(|h| file.strip_prefix(h).ok().map(Path::to_path_buf));
    Some(short.unwrap_or(file))
}

fn main() -> ExitCode {
    let mut cli = Cli::parse_from_args(std::env::args_os()).unwrap_or_else(|e| e.exit());
    let mut stdout = std::io::stdout();
    let result = if let Some(token) = cli.replay.clone() {
        replay(&cli, &token, &mut stdout).map(|failed| !failed)
    } else {
        if cli.tokens_file.is_none() {
            cli.tokens_file = default_tokens_file();
        }
        let summary = if std::io::stderr().is_terminal() {
            run(&cli, &mut stdout, &mut bar())
        } else {
            run(
                &cli,
                &mut stdout,
                &mut Heartbeat::new(std::io::stderr(), HEARTBEAT),
            )
        };
        summary.map(|s| s.all_met())
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
