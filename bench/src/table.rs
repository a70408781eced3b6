//! The side-by-side table: one row per workload, one column per system, then seedloop's ratio to
//! some of them, the row's goal and whether it is met. Every ratio reads "how many times better
//! seedloop is": above 1 is faster (for rates and times) or smaller (for memory).

use std::fmt;

/// One cell: a figure, or why there is none.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// The figure, in the row's unit.
    Value(f64),
    /// The system has no equivalent of the workload (printed `—`; the reason goes below the table).
    NoEquivalent(String),
    /// The system's process could not be built or started, or died.
    Unavailable(String),
    /// The measurement failed (wrong checksum, panic).
    Failed(String),
}

impl Cell {
    /// The figure, if any.
    pub fn value(&self) -> Option<f64> {
        match self {
            Cell::Value(v) => Some(*v),
            _ => None,
        }
    }
}

/// Which way is better for a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// Rates: more per second is better.
    Higher,
    /// Times and sizes: less is better.
    Lower,
}

/// A row's goal for the seedloop column.
#[derive(Clone, Debug, PartialEq)]
pub enum Goal {
    /// No goal: figures only.
    None,
    /// seedloop's ratio to each named column must be at least the given factor.
    Ratios(Vec<(usize, f64)>),
    /// seedloop's figure must be at most this.
    AtMost(f64),
    /// The named column's figure must be at least this share of seedloop's (in the direction
    /// that is better: `0.9` for a rate means at least 0.9× seedloop's rate), i.e. seedloop's
    /// ratio to it at most `1 / share`: a bound on an overhead, not a lead to keep.
    PeerAtLeast(usize, f64),
}

/// One row.
#[derive(Clone, Debug)]
pub struct Row {
    /// What was measured, with its size.
    pub label: String,
    /// The unit of the cells.
    pub unit: &'static str,
    /// Which way is better.
    pub better: Better,
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// The goal.
    pub goal: Goal,
    /// Whether the ratio columns apply (not for a row of ratios already).
    pub compare: bool,
}

impl Row {
    /// seedloop (column 0) compared with column `c`: above 1 means seedloop is better.
    pub fn ratio(&self, c: usize) -> Option<f64> {
        if !self.compare {
            return None;
        }
        let (s, p) = (self.cells[0].value()?, self.cells[c].value()?);
        let r = match self.better {
            Better::Higher => s / p,
            Better::Lower => p / s,
        };
        r.is_finite().then_some(r)
    }

    /// `Some(true)` met, `Some(false)` missed, `None` no goal or a figure is missing.
    pub fn met(&self) -> Option<bool> {
        match &self.goal {
            Goal::None => None,
            Goal::AtMost(limit) => self.cells[0].value().map(|v| v <= *limit),
            Goal::PeerAtLeast(c, share) => self.ratio(*c).map(|r| r * share <= 1.0),
            Goal::Ratios(goals) => {
                let ratios: Vec<Option<f64>> = goals.iter().map(|&(c, _)| self.ratio(c)).collect();
                if goals
                    .iter()
                    .zip(&ratios)
                    .any(|(g, r)| r.is_some_and(|r| r < g.1))
                {
                    Some(false)
                } else if ratios.iter().all(Option::is_some) {
                    Some(true)
                } else {
                    None
                }
            }
        }
    }
}

/// Figures of several systems side by side.
///
/// ```
/// use seedloop_bench::table::{Better, Cell, Goal, Row, Table};
/// let mut t = Table::new(vec!["seedloop".into(), "tokio".into()], vec![1]);
/// t.push(Row {
///     label: "spawn".into(), unit: "tasks/s", better: Better::Higher,
///     cells: vec![Cell::Value(2e6), Cell::Value(1e6)], goal: Goal::Ratios(vec![(1, 1.5)]),
///     compare: true,
/// });
/// let text = t.to_string();
/// assert!(text.contains("2.00M"), "{text}");
/// assert!(text.contains("2.00×"), "{text}");
/// assert!(text.contains("yes"), "{text}");
/// ```
#[derive(Clone, Debug)]
pub struct Table {
    columns: Vec<String>,
    compared: Vec<usize>,
    rows: Vec<Row>,
}

impl Table {
    /// A table with these columns (column 0 is seedloop); seedloop gets a ratio to each of the
    /// `compared` columns.
    pub fn new(columns: Vec<String>, compared: Vec<usize>) -> Self {
        Table {
            columns,
            compared,
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    ///
    /// # Panics
    /// When the row's cell count differs from the column count.
    pub fn push(&mut self, row: Row) {
        assert_eq!(
            row.cells.len(),
            self.columns.len(),
            "row `{}` has a cell count different from the column count",
            row.label
        );
        self.rows.push(row);
    }

    /// The rows so far.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    fn goal_text(&self, goal: &Goal, unit: &str) -> String {
        match goal {
            Goal::None => "-".into(),
            Goal::AtMost(v) => format!("<= {} {unit}", number(*v)),
            Goal::PeerAtLeast(c, share) => {
                format!("{} >= {share}× {}", self.columns[*c], self.columns[0])
            }
            Goal::Ratios(g) => g
                .iter()
                .map(|&(c, x)| format!(">= {x}× {}", self.columns[c]))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    fn met_text(&self, row: &Row) -> String {
        match (row.met(), &row.goal) {
            (_, Goal::None) => "-".into(),
            (Some(true), _) => "yes".into(),
            (None, _) => "?".into(),
            (Some(false), Goal::AtMost(_)) => "NO".into(),
            (Some(false), Goal::PeerAtLeast(c, _)) => format!("NO ({})", self.columns[*c]),
            (Some(false), Goal::Ratios(g)) => {
                let short: Vec<&str> = g
                    .iter()
                    .filter(|&&(c, x)| row.ratio(c).is_some_and(|r| r < x))
                    .map(|&(c, _)| self.columns[c].as_str())
                    .collect();
                format!("NO ({})", short.join(", "))
            }
        }
    }

    fn lines(&self) -> Vec<Vec<String>> {
        let mut head = vec!["workload".to_string(), "unit".to_string()];
        head.extend(self.columns.iter().cloned());
        head.extend(
            self.compared
                .iter()
                .map(|&c| format!("vs {}", self.columns[c])),
        );
        head.extend(["goal".to_string(), "met".to_string()]);
        let mut lines = vec![head];
        for row in &self.rows {
            let mut l = vec![row.label.clone(), row.unit.to_string()];
            l.extend(row.cells.iter().map(|c| match c {
                Cell::Value(v) => number(*v),
                Cell::NoEquivalent(_) => "—".into(),
                Cell::Unavailable(why) => format!("unavailable: {}", short(why)),
                Cell::Failed(_) => "failed".into(),
            }));
            l.extend(
                self.compared
                    .iter()
                    .map(|&c| row.ratio(c).map_or("".into(), |r| format!("{r:.2}×"))),
            );
            l.push(self.goal_text(&row.goal, row.unit));
            l.push(self.met_text(row));
            lines.push(l);
        }
        lines
    }

    /// The reasons behind the cells that hold no figure, one line each, deduplicated; columns
    /// with no equivalent for one reason share its line.
    pub fn notes(&self) -> Vec<String> {
        // (reason, columns without an equivalent for it) or a finished line, in first-seen order.
        let mut notes: Vec<(String, Vec<usize>)> = Vec::new();
        for row in &self.rows {
            for (c, cell) in row.cells.iter().enumerate() {
                let line = match cell {
                    Cell::Value(_) => continue,
                    Cell::NoEquivalent(why) => {
                        let at = notes.iter().position(|(w, cs)| !cs.is_empty() && w == why);
                        match at {
                            Some(i) if notes[i].1.contains(&c) => {}
                            Some(i) => notes[i].1.push(c),
                            None => notes.push((why.clone(), vec![c])),
                        }
                        continue;
                    }
                    Cell::Unavailable(why) => format!("{} unavailable: {why}", self.columns[c]),
                    Cell::Failed(why) => {
                        format!("{} failed on `{}`: {why}", self.columns[c], row.label)
                    }
                };
                if !notes.iter().any(|(l, cs)| cs.is_empty() && *l == line) {
                    notes.push((line, vec![]));
                }
            }
        }
        notes
            .into_iter()
            .map(|(text, mut cols)| {
                if cols.is_empty() {
                    return text;
                }
                cols.sort_unstable();
                let names: Vec<&str> = cols.iter().map(|&c| self.columns[c].as_str()).collect();
                format!("— {}: {text}", names.join(", "))
            })
            .collect()
    }
}

/// The first words of a reason, for a cell.
fn short(why: &str) -> String {
    let first = why.split([':', ';', '(']).next().unwrap_or(why).trim();
    first.chars().take(24).collect()
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = self.lines();
        let widths: Vec<usize> = (0..lines[0].len())
            .map(|i| {
                lines
                    .iter()
                    .map(|l| l[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for (n, l) in lines.iter().enumerate() {
            let cells: Vec<String> = l
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    let pad = w - c.chars().count();
                    if i < 2 || i + 2 >= l.len() {
                        format!("{c}{}", " ".repeat(pad))
                    } else {
                        format!("{}{c}", " ".repeat(pad))
                    }
                })
                .collect();
            writeln!(f, "{}", cells.join("  ").trim_end())?;
            if n == 0 {
                let total = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
                writeln!(f, "{}", "-".repeat(total))?;
            }
        }
        Ok(())
    }
}

/// `1234567.0` → `1.23M`; below 10,000 three significant digits at most.
///
/// ```
/// use seedloop_bench::table::number;
/// assert_eq!(number(2_500_000.0), "2.50M");
/// assert_eq!(number(12_345.0), "12.3k");
/// assert_eq!(number(884.0), "884");
/// assert_eq!(number(1.234), "1.23");
/// ```
pub fn number(v: f64) -> String {
    if v >= 1e9 {
        format!("{:.2}G", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if v >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: Vec<Cell>, better: Better, goal: Goal) -> Row {
        Row {
            label: "r".into(),
            unit: "u",
            better,
            cells,
            goal,
            compare: true,
        }
    }

    #[test]
    fn ratios_read_as_seedloop_better_for_both_directions() {
        let fast = row(
            vec![Cell::Value(4.0), Cell::Value(2.0)],
            Better::Higher,
            Goal::None,
        );
        let small = row(
            vec![Cell::Value(2.0), Cell::Value(4.0)],
            Better::Lower,
            Goal::None,
        );
        assert_eq!(fast.ratio(1), Some(2.0));
        assert_eq!(small.ratio(1), Some(2.0));
    }

    #[test]
    fn a_missed_goal_names_the_column_and_a_missing_peer_is_unknown() {
        let mut t = Table::new(vec!["s".into(), "a".into(), "b".into()], vec![1, 2]);
        t.push(row(
            vec![
                Cell::Value(1.0),
                Cell::Value(2.0),
                Cell::Unavailable("build failed: no network".into()),
            ],
            Better::Higher,
            Goal::Ratios(vec![(1, 1.0), (2, 1.0)]),
        ));
        t.push(row(
            vec![
                Cell::Value(3.0),
                Cell::Value(2.0),
                Cell::NoEquivalent("no timers".into()),
            ],
            Better::Higher,
            Goal::Ratios(vec![(1, 1.0), (2, 1.0)]),
        ));
        let text = t.to_string();
        assert!(text.contains("NO (a)"), "{text}");
        assert!(text.contains("unavailable: build failed"), "{text}");
        assert!(
            text.lines().nth(3).unwrap().trim_end().ends_with('?'),
            "{text}"
        );
        let notes = t.notes();
        assert_eq!(
            notes,
            ["b unavailable: build failed: no network", "— b: no timers"]
        );
    }

    #[test]
    fn a_peer_floor_is_met_when_the_peer_keeps_that_share_of_seedloop() {
        let mut t = Table::new(vec!["s".into(), "f".into()], vec![1]);
        let floor = |f: f64| {
            row(
                vec![Cell::Value(100.0), Cell::Value(f)],
                Better::Higher,
                Goal::PeerAtLeast(1, 0.9),
            )
        };
        assert_eq!(floor(91.0).met(), Some(true));
        assert_eq!(floor(89.0).met(), Some(false));
        assert_eq!(floor(89.0).ratio(1), Some(100.0 / 89.0));
        let missing = row(
            vec![Cell::Value(100.0), Cell::Unavailable("build failed".into())],
            Better::Higher,
            Goal::PeerAtLeast(1, 0.9),
        );
        assert_eq!(missing.met(), None);
        t.push(floor(91.0));
        t.push(floor(80.0));
        let text = t.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[2].contains("f >= 0.9× s"), "{text}");
        assert!(lines[2].trim_end().ends_with("yes"), "{text}");
        assert!(lines[2].contains("1.10×"), "{text}");
        assert!(lines[3].trim_end().ends_with("NO (f)"), "{text}");
    }

    #[test]
    fn columns_with_one_reason_share_a_note() {
        let mut t = Table::new(vec!["s".into(), "a".into(), "b".into(), "c".into()], vec![]);
        let why = || Cell::NoEquivalent("only s and c run this".into());
        t.push(row(
            vec![Cell::Value(1.0), why(), why(), Cell::Value(1.0)],
            Better::Higher,
            Goal::None,
        ));
        t.push(row(
            vec![
                Cell::Value(1.0),
                Cell::NoEquivalent("no timers".into()),
                why(),
                Cell::Value(1.0),
            ],
            Better::Higher,
            Goal::None,
        ));
        assert_eq!(
            t.notes(),
            ["— a, b: only s and c run this", "— a: no timers"]
        );
    }

    #[test]
    fn an_absolute_limit_is_checked_on_the_seedloop_figure() {
        let r = row(
            vec![Cell::Value(300.0), Cell::Value(100.0)],
            Better::Lower,
            Goal::AtMost(256.0),
        );
        assert_eq!(r.met(), Some(false));
        assert_eq!(r.ratio(1), Some(100.0 / 300.0));
    }
}
