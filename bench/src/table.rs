//! The side-by-side table: one row per workload, one column per executor, then the ratios of
//! each seedloop column to the baseline column and whether the target is met.

use std::fmt;

/// What a row's target is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// seedloop ÷ baseline must be at least this (a rate: higher is better).
    AtLeastTimes(f64),
    /// The seedloop value must be at most this (a size: lower is better).
    AtMost(f64),
    /// No target: figures only.
    None,
}

impl Target {
    fn met(self, value: f64, baseline: Option<f64>) -> Option<bool> {
        match self {
            Target::AtLeastTimes(x) => baseline.map(|b| value / b >= x),
            Target::AtMost(limit) => Some(value <= limit),
            Target::None => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::AtLeastTimes(x) => write!(f, ">= {x:.1}x"),
            Target::AtMost(v) => write!(f, "<= {v:.0}"),
            Target::None => f.write_str("-"),
        }
    }
}

/// One workload measured on every executor (`None`: the executor cannot run it).
#[derive(Clone, Debug)]
pub struct Row {
    /// What was measured, with its size.
    pub name: String,
    /// The unit of the cells (`tasks/s`, `B/task`, ...).
    pub unit: &'static str,
    /// One value per column.
    pub cells: Vec<Option<f64>>,
    /// The target for the seedloop columns.
    pub target: Target,
}

/// Figures of several executors side by side.
///
/// ```
/// use seedloop_bench::table::{Row, Table, Target};
/// let mut t = Table::new(vec!["seedloop".into(), "tokio".into()], vec![0], 1);
/// t.push(Row { name: "spawn".into(), unit: "tasks/s", cells: vec![Some(2e6), Some(1e6)], target: Target::AtLeastTimes(1.0) });
/// let text = t.to_string();
/// assert!(text.contains("2.00M"), "{text}");
/// assert!(text.contains("2.00x yes"), "{text}");
/// ```
#[derive(Clone, Debug)]
pub struct Table {
    columns: Vec<String>,
    compared: Vec<usize>,
    baseline: usize,
    rows: Vec<Row>,
}

impl Table {
    /// A table with these columns; the `compared` columns get a ratio to column `baseline`.
    pub fn new(columns: Vec<String>, compared: Vec<usize>, baseline: usize) -> Self {
        Table {
            columns,
            compared,
            baseline,
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Row) {
        assert_eq!(
            row.cells.len(),
            self.columns.len(),
            "row `{}` has a cell count different from the column count",
            row.name
        );
        self.rows.push(row);
    }

    fn header(&self) -> Vec<String> {
        let mut h = vec!["workload".to_string(), "unit".to_string()];
        h.extend(self.columns.iter().cloned());
        let base = &self.columns[self.baseline];
        h.extend(
            self.compared
                .iter()
                .map(|&c| format!("{}/{base}", self.columns[c])),
        );
        h.push("target".into());
        h
    }

    fn line(&self, row: &Row) -> Vec<String> {
        let mut l = vec![row.name.clone(), row.unit.to_string()];
        l.extend(row.cells.iter().map(|c| c.map_or("n/a".into(), human)));
        let base = row.cells[self.baseline];
        for &c in &self.compared {
            l.push(match (row.cells[c], base) {
                (Some(v), Some(b)) => {
                    let verdict = match row.target.met(v, Some(b)) {
                        Some(true) => " yes",
                        Some(false) => " NO",
                        None => "",
                    };
                    format!("{:.2}x{verdict}", v / b)
                }
                _ => "n/a".into(),
            });
        }
        l.push(row.target.to_string());
        l
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines = vec![self.header()];
        lines.extend(self.rows.iter().map(|r| self.line(r)));
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
                    if i < 2 {
                        format!("{c:<w$}")
                    } else {
                        format!("{c:>w$}")
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

/// `1234567.0` → `1.23M`; small values keep no decimals.
pub fn human(v: f64) -> String {
    if v >= 1e9 {
        format!("{:.2}G", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if v >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_row_checks_the_absolute_limit_and_prints_n_a() {
        let mut t = Table::new(vec!["a".into(), "b".into(), "c".into()], vec![0], 1);
        t.push(Row {
            name: "bytes".into(),
            unit: "B/task",
            cells: vec![Some(300.0), Some(150.0), None],
            target: Target::AtMost(256.0),
        });
        let text = t.to_string();
        assert!(text.contains("2.00x NO"), "{text}");
        assert!(text.contains("n/a"), "{text}");
        assert!(text.contains("<= 256"), "{text}");
    }

    #[test]
    fn human_scales() {
        assert_eq!(human(999.4), "999");
        assert_eq!(human(12_345.0), "12.3k");
        assert_eq!(human(2_500_000.0), "2.50M");
        assert_eq!(human(3e9), "3.00G");
    }
}
