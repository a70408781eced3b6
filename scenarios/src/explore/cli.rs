//! The main job's command line, parsed by clap; `--help` lists the scenarios and strategies.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser};
use harness::parse_strategy;
use sim::Strategy;

use crate::{Expect, Scenario, catalogue};

/// The strategies `--strategy all` runs, in table order.
pub const ALL_STRATEGIES: [&str; 4] = ["fifo", "random", "pct", "portfolio"];

/// `cargo explore`'s arguments.
///
/// ```
/// let cli = scenarios::explore::Cli::parse_from_args(["explore", "realworld", "--seeds", "8"]).unwrap();
/// assert_eq!(cli.seeds, 8);
/// assert!(cli.scenarios().unwrap().iter().all(|s| s.name.contains("realworld")));
/// ```
#[derive(Parser, Clone, Debug, PartialEq, Eq)]
#[command(
    name = "explore",
    bin_name = "cargo explore",
    about = "Sweep seedloop's scenarios under every strategy and judge each against the catalogue",
    long_about = "Sweep seedloop's scenarios under every strategy and judge each against the \
                  catalogue.\n\nPrints one row per scenario and strategy as it finishes, with the \
                  expected outcome and a verdict: `found (expected)` for a planted bug that was \
                  caught, `ESCAPED` for one no strategy caught within its budget, `WRONG` for a \
                  correct program that failed. Exits 1 exactly when a verdict is ESCAPED or WRONG."
)]
pub struct Cli {
    /// Keep scenarios whose name contains any FILTER (an exact name selects that scenario
    /// alone)
    #[arg(value_name = "FILTER")]
    pub filters: Vec<String>,
    /// Seeds per exploring strategy (Fifo runs once)
    #[arg(long, value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub seeds: u64,
    /// One strategy by name (see below), or `all`: Fifo and every exploring strategy
    #[arg(long, value_name = "NAME", default_value = "all", value_parser = strategy_name)]
    pub strategy: String,
    /// Replay one failure (a token from the table's run) and print its report and full trace;
    /// the FILTER names its scenario
    #[arg(long, value_name = "TOKEN")]
    pub replay: Option<String>,
    /// With --replay: also write the run as Chrome trace-event JSON (open it in Perfetto)
    #[arg(long, value_name = "FILE", requires = "replay")]
    pub trace_json: Option<PathBuf>,
    /// Print every failure's replay line with its full token (the table shortens tokens)
    #[arg(long)]
    pub full_tokens: bool,
    /// Write every failure's replay line, full token included, to FILE
    /// [default: target/explore-tokens.txt]
    #[arg(long, value_name = "FILE")]
    pub tokens_file: Option<PathBuf>,
}

/// clap's check of `--strategy`: `all` or a name `harness` knows.
fn strategy_name(name: &str) -> Result<String, String> {
    if name == "all" {
        return Ok(name.to_string());
    }
    parse_strategy(name).map(|_| name.to_string())
}

impl Cli {
    /// The clap command, with the scenarios and strategies listed after the options.
    ///
    /// ```
    /// let help = scenarios::explore::Cli::clap_command().render_help().to_string();
    /// assert!(help.contains("guide/gather") && help.contains("portfolio"));
    /// ```
    pub fn clap_command() -> clap::Command {
        <Cli as CommandFactory>::command().after_help(listing())
    }

    /// Parses `args` (the program name first). `--help` is an `Err` whose
    /// [`exit_code`](clap::Error::exit_code) is 0 and whose text is the help.
    ///
    /// ```
    /// use scenarios::explore::Cli;
    /// let help = Cli::parse_from_args(["explore", "--help"]).unwrap_err();
    /// assert_eq!(help.exit_code(), 0);
    /// let bad = Cli::parse_from_args(["explore", "--seeds", "0"]).unwrap_err();
    /// assert_eq!(bad.exit_code(), 2);
    /// ```
    ///
    /// # Errors
    /// clap's error (help, version, or what was wrong and the usage).
    pub fn parse_from_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Cli::clap_command().try_get_matches_from(args)?;
        Cli::from_arg_matches(&matches)
    }

    /// The scenarios the filters select, in catalogue order.
    ///
    /// # Errors
    /// When no scenario matches, naming the filters.
    pub fn scenarios(&self) -> Result<Vec<Scenario>, String> {
        let all = catalogue();
        // An exact name selects that scenario alone (`guide/x` must not also pick `guide/x-fixed`).
        let chosen: Vec<Scenario> = all
            .iter()
            .filter(|s| {
                self.filters.is_empty()
                    || self.filters.iter().any(|f| {
                        if all.iter().any(|t| t.name == f) {
                            s.name == f
                        } else {
                            s.name.contains(f.as_str())
                        }
                    })
            })
            .copied()
            .collect();
        if chosen.is_empty() {
            return Err(format!(
                "no scenario matches {}: `cargo explore --help` lists them",
                self.filters.join(" or ")
            ));
        }
        Ok(chosen)
    }

    /// The strategies to sweep with, each with the name the table shows: its own name, or
    /// the shorter name it was asked by (`portfolio` rather than
    /// `portfolio(random,pct1,pct2,pct3)`).
    ///
    /// ```
    /// let cli = scenarios::explore::Cli::parse_from_args(["explore"]).unwrap();
    /// let names: Vec<String> = cli.strategies().unwrap().into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["fifo", "random", "pct3", "portfolio"]);
    /// ```
    ///
    /// # Errors
    /// An unknown strategy name (clap has already refused it when parsing).
    pub fn strategies(&self) -> Result<Vec<(String, Strategy)>, String> {
        let names: Vec<&str> = if self.strategy == "all" {
            ALL_STRATEGIES.to_vec()
        } else {
            vec![self.strategy.as_str()]
        };
        names
            .into_iter()
            .map(|asked| {
                let strategy = parse_strategy(asked)?;
                let own = strategy.name();
                let label = if own.len() <= 12 { own } else { asked };
                Ok((label.to_string(), strategy))
            })
            .collect()
    }
}

/// The help's list of scenarios (with what each is expected to do) and strategies.
fn listing() -> String {
    let all = catalogue();
    let width = all.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut text = format!(
        "Scenarios ({}), with the verdict expected of each:\n",
        all.len()
    );
    for s in &all {
        let expect = match s.expect {
            Expect::Passes => "pass: a correct program".to_string(),
            Expect::Caught { within: 1 } => "bug: caught by the first seed".to_string(),
            Expect::Caught { within } => format!("bug: caught within {within} seeds"),
        };
        text.push_str(&format!("  {:<width$}  {expect}\n", s.name));
    }
    text.push_str(
        "\nStrategies (--strategy NAME):\n\
         \x20 fifo        asyncio's ready-queue order, no preemption (runs once)\n\
         \x20 random      a uniformly random runnable task at each decision\n\
         \x20 pct         PCT with depth 3; pct<depth>, pct<depth>(k=<steps>) choose others\n\
         \x20 portfolio   random and pct1..pct3 in turn; portfolio(<name>,..) picks the members\n\
         \x20 all         fifo, random, pct and portfolio (the default)\n\
         \nExamples:\n\
         \x20 cargo explore                              the main job: every scenario, 64 seeds\n\
         \x20 cargo explore realworld --seeds 500        one group, longer\n\
         \x20 cargo explore <scenario> --replay <token>  a failure's report and full trace",
    );
    text
}
