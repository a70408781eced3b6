//! The parts of a report that tell the interleaving to someone who has never seen one: every
//! task it names, with where it was spawned, and what the schedule's short words mean.

use std::collections::BTreeMap;

use sim::Trace;
use sim::schedule::{Decision, Schedule};
use sim::task::TaskId;

/// Tasks spawned at one place, past this many, are named by the first few and the last.
const NAMED_PER_SITE: usize = 8;

/// `main#0 (the test body); alice#1, bob#2 (spawned at src/bank.rs:12)`: every task of the
/// run, grouped by spawn site in the order the sites first spawned.
pub(crate) fn tasks_line(trace: &Trace) -> Option<String> {
    let mut sites: Vec<(String, Vec<String>)> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for info in trace.tasks() {
        let site = if info.id == TaskId::MAIN {
            "the test body".to_string()
        } else {
            format!(
                "spawned at {}:{}",
                info.spawned_at.file(),
                info.spawned_at.line()
            )
        };
        let at = *index.entry(site.clone()).or_insert_with(|| {
            sites.push((site, Vec::new()));
            sites.len() - 1
        });
        sites[at].1.push(info.label());
    }
    if sites.is_empty() {
        return None;
    }
    let groups: Vec<String> = sites
        .into_iter()
        .map(|(site, labels)| format!("{} ({site})", names(&labels)))
        .collect();
    Some(groups.join("; "))
}

/// `a#1, b#2`, or for many tasks `w0#1, w1#2, w2#3, …, w99#100 (100 tasks)`.
fn names(labels: &[String]) -> String {
    if labels.len() <= NAMED_PER_SITE {
        return labels.join(", ");
    }
    format!(
        "{}, …, {} ({} tasks)",
        labels[..3].join(", "),
        labels[labels.len() - 1],
        labels.len()
    )
}

/// What each kind of word in `schedule` means, for the kinds it uses, in the order of
/// [`Decision`]'s variants: `rT/N: run task T of N runnable; ...`.
pub(crate) fn schedule_legend(schedule: &Schedule) -> Option<String> {
    let mut kinds = [false; 7];
    for d in schedule.iter() {
        let k = match d {
            Decision::Run { .. } => 0,
            Decision::Preempt { task: Some(_), .. } => 1,
            Decision::Preempt { task: None, .. } => 2,
            Decision::Branch { .. } => 3,
            Decision::Value { .. } => 4,
            Decision::Cancel { cancelled: true } => 5,
            Decision::Cancel { cancelled: false } => 6,
        };
        kinds[k] = true;
    }
    const WORDS: [&str; 7] = [
        "rT/N: run task T, one of N runnable",
        "pT/N: at a preemption point, switch to task T",
        "p-/N: keep running",
        "bI/N: take option I of N simultaneous events",
        "vX/B: the random value X below B",
        "c1/2: drop a cancellable future at its await",
        "c0/2: keep it",
    ];
    let used: Vec<&str> = WORDS
        .iter()
        .zip(kinds)
        .filter_map(|(w, used)| used.then_some(*w))
        .collect();
    (!used.is_empty()).then(|| format!("({})", used.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_tasks_of_one_site_are_named_by_their_ends() {
        let labels: Vec<String> = (0..100).map(|i| format!("w{i}#{}", i + 1)).collect();
        assert_eq!(names(&labels), "w0#1, w1#2, w2#3, …, w99#100 (100 tasks)");
        assert_eq!(names(&labels[..2]), "w0#1, w1#2");
    }

    #[test]
    fn the_legend_explains_the_words_the_schedule_uses() {
        let s: Schedule = "r2/2 p1/2 p-/2 r2/2".parse().unwrap();
        assert_eq!(
            schedule_legend(&s).unwrap(),
            "(rT/N: run task T, one of N runnable; pT/N: at a preemption point, switch to task \
             T; p-/N: keep running)"
        );
        let v: Schedule = "v3/10".parse().unwrap();
        assert_eq!(
            schedule_legend(&v).unwrap(),
            "(vX/B: the random value X below B)"
        );
        assert_eq!(schedule_legend(&Schedule::new()), None);
    }
}
